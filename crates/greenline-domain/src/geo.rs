//! Points on the earth: a case's place as a WGS-84 latitude and longitude ([`GeoPoint`]), the
//! conversion from the GCJ-02 datum that Chinese map services (高德, 腾讯, and 百度 before its
//! own offset) return, and distances.
//!
//! Greenline stores WGS-84, the datum of GPS and of a browser's geolocation. 天地图 uses
//! CGCS2000, which differs from WGS-84 by centimetres and is taken as equal. GCJ-02 is WGS-84
//! moved by a published, non-linear offset of up to some hundreds of metres inside China (none
//! outside); [`wgs84_to_gcj02`] is that offset as widely published, and [`gcj02_to_wgs84`]
//! inverts it by iteration to better than 1e-6 degrees (about 0.1 m).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DomainError, RegionCode, RegionLevel};

/// Semi-major axis of the Krasovsky 1940 ellipsoid the GCJ-02 offset is computed on, metres.
const KRASOVSKY_A: f64 = 6_378_245.0;
/// Its first eccentricity squared.
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;
/// Mean earth radius for the haversine distance, metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Decimal places kept: a millionth of a degree is about 0.1 m.
const SCALE: f64 = 1_000_000.0;

/// The datum a pair of coordinates is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "lowercase")]
pub enum Datum {
    /// WGS-84 (GPS, browsers' geolocation); CGCS2000 (天地图) is taken as equal.
    #[default]
    Wgs84,
    /// GCJ-02 (高德, 腾讯 maps): converted to WGS-84 before it is kept.
    Gcj02,
}

impl Datum {
    pub fn parse(code: &str) -> Option<Datum> {
        match code.trim().to_ascii_lowercase().as_str() {
            "" | "wgs84" | "wgs-84" | "cgcs2000" => Some(Datum::Wgs84),
            "gcj02" | "gcj-02" => Some(Datum::Gcj02),
            _ => None,
        }
    }
}

/// A point in WGS-84: latitude −90…90 and longitude −180…180 degrees, kept to a millionth of
/// a degree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GeoPoint {
    /// Degrees north (negative: south).
    pub latitude: f64,
    /// Degrees east (negative: west).
    pub longitude: f64,
}

fn round6(v: f64) -> f64 {
    (v * SCALE).round() / SCALE
}

impl GeoPoint {
    /// A point from checked latitude and longitude; each out-of-range or non-finite value names
    /// its field (`latitude`, `longitude`).
    pub fn new(latitude: f64, longitude: f64) -> Result<GeoPoint, DomainError> {
        let mut errors = Vec::new();
        if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
            errors.push(crate::FieldError::new(
                "latitude",
                "latitude must be a number from -90 to 90",
            ));
        }
        if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
            errors.push(crate::FieldError::new(
                "longitude",
                "longitude must be a number from -180 to 180",
            ));
        }
        if errors.is_empty() {
            Ok(GeoPoint {
                latitude: round6(latitude),
                longitude: round6(longitude),
            })
        } else {
            Err(DomainError::Invalid(errors))
        }
    }

    /// A point given in `datum`, as WGS-84.
    pub fn from_datum(
        latitude: f64,
        longitude: f64,
        datum: Datum,
    ) -> Result<GeoPoint, DomainError> {
        let point = GeoPoint::new(latitude, longitude)?;
        Ok(match datum {
            Datum::Wgs84 => point,
            Datum::Gcj02 => {
                let (lat, lon) = gcj02_to_wgs84(point.latitude, point.longitude);
                GeoPoint {
                    latitude: round6(lat),
                    longitude: round6(lon),
                }
            }
        })
    }

    /// The point as whole millionths of a degree (latitude, longitude), as the store keeps it.
    pub fn to_micro(self) -> (i64, i64) {
        (
            (self.latitude * SCALE).round() as i64,
            (self.longitude * SCALE).round() as i64,
        )
    }

    /// The point from whole millionths of a degree; `None` when out of range.
    pub fn from_micro(latitude: i64, longitude: i64) -> Option<GeoPoint> {
        GeoPoint::new(latitude as f64 / SCALE, longitude as f64 / SCALE).ok()
    }

    /// Great-circle distance to `other`, metres (haversine on a sphere of the mean radius).
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        haversine_m(
            self.latitude,
            self.longitude,
            other.latitude,
            other.longitude,
        )
    }
}

/// Great-circle distance between two points given in degrees, metres.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Whether GCJ-02 moves a point: only inside China's rough bounding box.
pub fn in_china(latitude: f64, longitude: f64) -> bool {
    (72.004..=137.8347).contains(&longitude) && (0.8293..=55.8271).contains(&latitude)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    ret
}

fn transform_lon(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    ret
}

/// WGS-84 (latitude, longitude) to GCJ-02, by the published transform; unchanged outside China.
pub fn wgs84_to_gcj02(latitude: f64, longitude: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    if !in_china(latitude, longitude) {
        return (latitude, longitude);
    }
    let mut d_lat = transform_lat(longitude - 105.0, latitude - 35.0);
    let mut d_lon = transform_lon(longitude - 105.0, latitude - 35.0);
    let rad_lat = latitude / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    d_lat = (d_lat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    d_lon = (d_lon * 180.0) / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * PI);
    (latitude + d_lat, longitude + d_lon)
}

/// GCJ-02 (latitude, longitude) to WGS-84: the forward transform inverted by fixed-point
/// iteration until the round trip is within 1e-7 degrees (the offset varies slowly, so a
/// handful of steps suffice); unchanged outside China.
pub fn gcj02_to_wgs84(latitude: f64, longitude: f64) -> (f64, f64) {
    if !in_china(latitude, longitude) {
        return (latitude, longitude);
    }
    let (mut lat, mut lon) = (latitude, longitude);
    for _ in 0..30 {
        let (g_lat, g_lon) = wgs84_to_gcj02(lat, lon);
        let (e_lat, e_lon) = (g_lat - latitude, g_lon - longitude);
        lat -= e_lat;
        lon -= e_lon;
        if e_lat.abs() < 1e-8 && e_lon.abs() < 1e-8 {
            break;
        }
    }
    (lat, lon)
}

/// How far from the nearest county seat a point may lie for that county to be suggested.
pub const COUNTY_SUGGESTION_RADIUS_M: f64 = 80_000.0;

/// The county (区县) whose seat lies nearest to `point`, within
/// [`COUNTY_SUGGESTION_RADIUS_M`]: a suggestion for the form's region lists, not a boundary
/// test (the table holds seats, not outlines). The table's seats are GCJ-02 (they come from a
/// Chinese map service) and are converted before measuring.
pub fn nearest_county(point: GeoPoint) -> Option<RegionCode> {
    if !in_china(point.latitude, point.longitude) {
        return None;
    }
    RegionCode::all()
        .filter(|r| r.code.level() == RegionLevel::County)
        .filter_map(|r| {
            let (lon, lat) = r.location?;
            let (lat, lon) = gcj02_to_wgs84(lat, lon);
            Some((
                r.code,
                haversine_m(point.latitude, point.longitude, lat, lon),
            ))
        })
        .filter(|(_, d)| *d <= COUNTY_SUGGESTION_RADIUS_M)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(code, _)| code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forward_transform_matches_published_pairs() {
        // Tiananmen: WGS-84 39.908692, 116.397477 is shown by GCJ-02 maps at about
        // 39.910092, 116.403719 (the published transform's value to five places).
        let (lat, lon) = wgs84_to_gcj02(39.908692, 116.397477);
        assert!((lat - 39.910_09).abs() < 2e-5, "{lat}");
        assert!((lon - 116.403_72).abs() < 2e-5, "{lon}");
        // The offset is a few hundred metres, not zero.
        let shift = haversine_m(39.908692, 116.397477, lat, lon);
        assert!((400.0..700.0).contains(&shift), "{shift}");
        // Outside China nothing moves (Tokyo, Paris).
        assert_eq!(
            wgs84_to_gcj02(35.681236, 139.767125),
            (35.681236, 139.767125)
        );
        assert_eq!(gcj02_to_wgs84(48.8566, 2.3522), (48.8566, 2.3522));
    }

    #[test]
    fn the_inverse_recovers_the_point_to_a_millionth_of_a_degree() {
        for (lat, lon) in [
            (39.908692, 116.397477),
            (22.543099, 113.934527),
            (31.230416, 121.473701),
            (43.825592, 87.616848),
            (18.252847, 109.511909),
            (45.756967, 126.642464),
        ] {
            let (g_lat, g_lon) = wgs84_to_gcj02(lat, lon);
            let (w_lat, w_lon) = gcj02_to_wgs84(g_lat, g_lon);
            assert!((w_lat - lat).abs() < 1e-6, "{lat},{lon} → {w_lat}");
            assert!((w_lon - lon).abs() < 1e-6, "{lat},{lon} → {w_lon}");
        }
    }

    #[test]
    fn haversine_gives_known_distances() {
        // Beijing (Tiananmen) to Shanghai (People's Square): about 1067 km.
        let d = haversine_m(39.908692, 116.397477, 31.230416, 121.473701);
        assert!((1_060_000.0..1_075_000.0).contains(&d), "{d}");
        // One thousandth of a degree of latitude is about 111 m.
        let d = haversine_m(30.0, 120.0, 30.001, 120.0);
        assert!((110.0..112.5).contains(&d), "{d}");
        assert_eq!(haversine_m(30.0, 120.0, 30.0, 120.0), 0.0);
    }

    #[test]
    fn points_out_of_range_name_their_field() {
        let Err(DomainError::Invalid(errors)) = GeoPoint::new(91.0, 200.0) else {
            panic!("accepted");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["latitude", "longitude"]);
        assert!(GeoPoint::new(f64::NAN, 100.0).is_err());
        assert!(GeoPoint::new(-90.0, 180.0).is_ok());
        let p = GeoPoint::new(22.543_099_49, 113.934_527_5).expect("in range");
        assert_eq!(p.to_micro(), (22_543_099, 113_934_528));
        assert_eq!(GeoPoint::from_micro(22_543_099, 113_934_528), Some(p));
    }

    #[test]
    fn a_gcj02_point_is_kept_as_wgs84() {
        let (g_lat, g_lon) = wgs84_to_gcj02(22.543099, 113.934527);
        let p = GeoPoint::from_datum(g_lat, g_lon, Datum::Gcj02).expect("in range");
        assert!((p.latitude - 22.543099).abs() <= 1.5e-6);
        assert!((p.longitude - 113.934527).abs() <= 1.5e-6);
        assert_eq!(Datum::parse("GCJ-02"), Some(Datum::Gcj02));
        assert_eq!(Datum::parse("cgcs2000"), Some(Datum::Wgs84));
        assert_eq!(Datum::parse("bd09"), None);
    }

    #[test]
    fn the_nearest_county_seat_is_suggested() {
        // Near the 南山区 government (WGS-84), in Shenzhen.
        let nanshan = GeoPoint::new(22.5335, 113.9255).expect("point");
        assert_eq!(
            nearest_county(nanshan).map(|c| c.to_string()),
            Some("440305".into())
        );
        // Beside the 海淀区 seat, Beijing.
        let haidian = GeoPoint::new(39.9580, 116.2920).expect("point");
        assert_eq!(
            nearest_county(haidian).map(|c| c.to_string()),
            Some("110108".into())
        );
        // The open Pacific, and Paris: none.
        assert_eq!(
            nearest_county(GeoPoint::new(20.0, 135.0).expect("point")),
            None
        );
        assert_eq!(
            nearest_county(GeoPoint::new(48.85, 2.35).expect("point")),
            None
        );
    }

    #[test]
    fn an_intake_form_carries_a_checked_point_in_wgs84() {
        use crate::{IntakeForm, NewCase};
        let base = IntakeForm {
            channel: "web".into(),
            primary_type: "air".into(),
            region: "440305".into(),
            description: "油烟".into(),
            anonymous: true,
            ..IntakeForm::default()
        };
        let none = NewCase::parse(&base).expect("valid");
        assert_eq!(none.point, None);
        let (g_lat, g_lon) = wgs84_to_gcj02(22.543099, 113.934527);
        let gcj = NewCase::parse(&IntakeForm {
            latitude: Some(g_lat),
            longitude: Some(g_lon),
            datum: Some("gcj02".into()),
            ..base.clone()
        })
        .expect("valid");
        let p = gcj.point.expect("point");
        assert!(
            (p.latitude - 22.543099).abs() <= 1.5e-6 && (p.longitude - 113.934527).abs() <= 1.5e-6
        );
        for (form, field) in [
            (
                IntakeForm {
                    latitude: Some(22.5),
                    ..base.clone()
                },
                "longitude",
            ),
            (
                IntakeForm {
                    longitude: Some(113.9),
                    ..base.clone()
                },
                "latitude",
            ),
            (
                IntakeForm {
                    latitude: Some(-91.0),
                    longitude: Some(0.0),
                    ..base.clone()
                },
                "latitude",
            ),
            (
                IntakeForm {
                    latitude: Some(0.0),
                    longitude: Some(181.0),
                    ..base.clone()
                },
                "longitude",
            ),
            (
                IntakeForm {
                    latitude: Some(0.0),
                    longitude: Some(0.0),
                    datum: Some("bd09".into()),
                    ..base.clone()
                },
                "datum",
            ),
        ] {
            let Err(DomainError::Invalid(errors)) = NewCase::parse(&form) else {
                panic!("{field}: accepted");
            };
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, field);
        }
    }
}
