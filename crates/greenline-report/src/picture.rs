//! A chart's SVG drawn as a PNG picture, for the Word file (which shows pictures, not SVG),
//! with the machine's fonts. Chinese labels need a CJK font: without one installed the Word
//! file keeps the charts as their tables only, rather than pictures with blank labels.

use std::sync::{Arc, LazyLock};

use resvg::{tiny_skia, usvg};

/// Families tried, in order, for the labels.
const CJK_FAMILIES: [&str; 8] = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
];

/// Pixels drawn per SVG unit: twice the screen's, so the picture prints sharp.
const SCALE: f32 = 2.0;

/// The system's fonts, read once, and the CJK family found among them.
static FONTS: LazyLock<(Arc<usvg::fontdb::Database>, Option<String>)> = LazyLock::new(|| {
    let mut db = usvg::fontdb::Database::new();
    db.load_system_fonts();
    let family = CJK_FAMILIES.iter().find_map(|name| {
        let query = usvg::fontdb::Query {
            families: &[usvg::fontdb::Family::Name(name)],
            ..usvg::fontdb::Query::default()
        };
        db.query(&query).map(|_| (*name).to_owned())
    });
    (Arc::new(db), family)
});

/// A drawn chart: PNG bytes and its size in SVG units (1/96 inch).
#[derive(Debug, Clone)]
pub struct Picture {
    pub png: Vec<u8>,
    pub width: f32,
    pub height: f32,
}

/// Whether charts can be drawn with Chinese labels on this machine.
pub fn available() -> bool {
    FONTS.1.is_some()
}

/// `svg` drawn as a picture; `None` without a CJK font or if the SVG does not draw.
pub fn draw(svg: &str) -> Option<Picture> {
    let (fonts, family) = &*FONTS;
    let family = family.as_ref()?;
    let options = usvg::Options {
        font_family: family.clone(),
        fontdb: fonts.clone(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).ok()?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * SCALE).ceil() as u32,
        (size.height() * SCALE).ceil() as u32,
    );
    let mut pixmap = tiny_skia::Pixmap::new(w.max(1), h.max(1))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(SCALE, SCALE),
        &mut pixmap.as_mut(),
    );
    Some(Picture {
        png: pixmap.encode_png().ok()?,
        width: size.width(),
        height: size.height(),
    })
}
