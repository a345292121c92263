//! Charts as inline SVG, drawn from the figures: no script, no external file, sized in the
//! page's own units so they print as drawn.

use std::fmt::Write;

use crate::Chart;

/// `text` escaped for HTML and SVG, by askama's escaper (the one the pages use).
pub(crate) fn escape(text: &str) -> impl std::fmt::Display + '_ {
    let Ok(escaped) = askama::filters::escape(text, askama::filters::Html);
    escaped
}

const WIDTH: f64 = 640.0;
const BAR_COLOUR: &str = "#2e7d5b";
const LINE_COLOUR: &str = "#1f5f99";

/// A round step for an axis up to `max`: 1, 2 or 5 times a power of ten, about four steps.
fn nice_step(max: u64) -> u64 {
    let rough = (max as f64 / 4.0).max(1.0);
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(rough);
    step.max(1.0) as u64
}

/// The chart as an `<svg>` element.
pub(crate) fn svg(chart: &Chart) -> String {
    match chart {
        Chart::Bars { title, bars } => bars_svg(title, bars),
        Chart::Line { title, points } => line_svg(title, points),
    }
}

fn bars_svg(title: &str, bars: &[(String, u64)]) -> String {
    let row = 24.0;
    let label_width = 170.0;
    let value_width = 70.0;
    let top = 8.0;
    let height = top * 2.0 + row * bars.len().max(1) as f64;
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let span = WIDTH - label_width - value_width;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{}">"#,
        escape(title)
    );
    let _ = write!(out, "<title>{}</title>", escape(title));
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let w = (*value as f64 / max * span).max(if *value > 0 { 1.0 } else { 0.0 });
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="12">{}</text>"#,
            label_width - 6.0,
            y + row * 0.65,
            escape(label)
        );
        let _ = write!(
            out,
            r#"<rect x="{label_width}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{BAR_COLOUR}"/>"#,
            y + 4.0,
            row - 8.0
        );
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="12">{value}</text>"#,
            label_width + w + 4.0,
            y + row * 0.65
        );
    }
    out.push_str("</svg>");
    out
}

fn line_svg(title: &str, points: &[(String, u64)]) -> String {
    let height = 260.0;
    let (left, right, top, bottom) = (56.0, 36.0, 12.0, 40.0);
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let max_value = points.iter().map(|(_, v)| *v).max().unwrap_or(0);
    let step = nice_step(max_value);
    let axis_max = (max_value.div_ceil(step).max(1) * step) as f64;
    let n = points.len();
    let x = |i: usize| {
        if n <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: u64| top + plot_h * (1.0 - v as f64 / axis_max);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{}">"#,
        escape(title)
    );
    let _ = write!(out, "<title>{}</title>", escape(title));
    let mut tick = 0;
    while tick as f64 <= axis_max {
        let ty = y(tick);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{ty:.1}" x2="{:.1}" y2="{ty:.1}" stroke="#dddddd" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">{tick}</text>"##,
            WIDTH - right,
            left - 6.0,
            ty + 4.0
        );
        tick += step;
    }
    // About eight labels along the axis.
    let every = n.div_ceil(8).max(1);
    for (i, (label, _)) in points.iter().enumerate() {
        // The last month is always labelled; a regular label too close to it is not.
        let regular = i % every == 0 && n - 1 - i >= every.div_ceil(2);
        if regular || i + 1 == n {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"#,
                x(i),
                height - bottom + 18.0,
                escape(label)
            );
        }
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    let _ = write!(
        out,
        r#"<polyline points="{}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>"#,
        path.join(" ")
    );
    for (i, (_, v)) in points.iter().enumerate() {
        let _ = write!(
            out,
            r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{LINE_COLOUR}"/>"#,
            x(i),
            y(*v)
        );
    }
    out.push_str("</svg>");
    out
}
