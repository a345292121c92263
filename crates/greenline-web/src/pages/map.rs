//! The map of the report form and the staff case page: Leaflet (vendored, see
//! `static/vendor/leaflet/`) over the tile server the settings name (`map_tiles`), or no map
//! at all. The pages' Content-Security-Policy lets images come from that server's origin and
//! from nowhere else; Leaflet itself positions its panes through the DOM's style properties,
//! which `style-src 'self'` allows (it forbids `<style>` elements and `style` attributes, which
//! Leaflet does not write), so nothing else of the policy changes.

use greenline_app::Settings;
use greenline_domain::Datum;

/// The map the pages draw, when tiles are set.
#[derive(Debug, Clone, Default)]
pub(crate) struct MapConfig {
    /// The tile URL template (`{z}/{x}/{y}`, optional `{s}`).
    pub tiles: String,
    pub attribution: String,
    /// `wgs84` or `gcj02`, for the page's script.
    pub datum: &'static str,
}

impl MapConfig {
    /// The map the settings describe; `None` without tiles, or with tiles the policy could not
    /// allow (not `https://` or `http://` with a plain host name) or an unknown datum (the
    /// router logs those once, at start).
    pub(crate) fn from_settings(settings: &Settings) -> Option<MapConfig> {
        let tiles = settings.map_tiles.as_deref()?.trim();
        if tiles.is_empty() {
            return None;
        }
        let datum = Datum::parse(&settings.map_datum)?;
        tile_origin(tiles)?;
        Some(MapConfig {
            tiles: tiles.to_owned(),
            attribution: settings.map_attribution.clone().unwrap_or_default(),
            datum: match datum {
                Datum::Wgs84 => "wgs84",
                Datum::Gcj02 => "gcj02",
            },
        })
    }
}

/// The origin of a tile URL template as a CSP source (`https://t*.tianditu.gov.cn` for
/// `https://t{s}.tianditu.gov.cn/…`: a host label holding `{s}` becomes a wildcard label).
pub(crate) fn tile_origin(template: &str) -> Option<String> {
    let (scheme, rest) = template.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) && !port.is_empty() => {
            (host, Some(port))
        }
        _ => (authority, None),
    };
    if host.is_empty() {
        return None;
    }
    let labels: Vec<String> = host
        .split('.')
        .map(|label| {
            if label.contains("{s}") {
                "*".to_owned()
            } else {
                label.to_owned()
            }
        })
        .collect();
    // A wildcard only as the leftmost label, as CSP allows; plain host characters elsewhere.
    let plain =
        |l: &String| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let ok = labels
        .iter()
        .enumerate()
        .all(|(i, l)| plain(l) || (i == 0 && l == "*"))
        && (labels[0] != "*" || labels.len() >= 3);
    if !ok {
        return None;
    }
    let mut origin = format!("{scheme}://{}", labels.join("."));
    if let Some(port) = port {
        origin.push(':');
        origin.push_str(port);
    }
    Some(origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tile_template_gives_its_origin_or_none() {
        assert_eq!(
            tile_origin("https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=K")
                .as_deref(),
            Some("https://*.tianditu.gov.cn")
        );
        assert_eq!(
            tile_origin("http://10.1.2.3:8081/{z}/{x}/{y}.png").as_deref(),
            Some("http://10.1.2.3:8081")
        );
        assert_eq!(
            tile_origin("https://tiles.example/{z}/{x}/{y}.png").as_deref(),
            Some("https://tiles.example")
        );
        for bad in [
            "ftp://tiles.example/{z}",
            "tiles.example/{z}/{x}/{y}",
            "https:///{z}",
            "https://tiles.example;script-src/{z}",
            "https://a.{s}.example/{z}",
        ] {
            assert_eq!(tile_origin(bad), None, "{bad}");
        }
    }
}
