//! Charts drawn on the server as inline SVG: no script, no external resource, nothing
//! the content security policy would block (colours come from SVG presentation
//! attributes and the stylesheet's classes, never `style=`). Each chart is an image
//! with a title and a text description listing every value, so a screen reader gets
//! the numbers; the page shows the same numbers in a table beside it.
//!
//! Everything that comes from data (labels, names) is escaped here; the templates
//! insert the result as is.

use std::fmt::Write;

/// One bar: what it is, how much, and how the number is written.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Label (escaped when drawn).
    pub label: String,
    /// Value; negative values are drawn as zero.
    pub value: i64,
    /// The value as the page writes it (grouped digits).
    pub shown: String,
    /// Colour class: `""` (accent), `ok`, `danger` or `muted`.
    pub tone: &'static str,
}

impl Bar {
    /// A bar in the accent colour.
    pub fn new(label: impl Into<String>, value: i64, shown: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value,
            shown: shown.into(),
            tone: "",
        }
    }

    /// The same bar in another colour.
    pub fn tone(mut self, tone: &'static str) -> Self {
        self.tone = tone;
        self
    }
}

/// Escapes text for XML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The fill colour of a tone, as a presentation attribute (the stylesheet's class
/// sets the same colour; the attribute keeps the chart readable without it).
fn fill(tone: &str) -> &'static str {
    match tone {
        "ok" => "#1d6b35",
        "danger" => "#a4161a",
        "muted" => "#6b7680",
        _ => "#0b5d7a",
    }
}

/// The description read out instead of the picture: every label with its value.
fn description(bars: &[Bar]) -> String {
    bars.iter()
        .map(|b| format!("{}: {}", b.label, b.shown))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The opening of a chart: the `<svg>` element with its accessible name and
/// description.
fn open(out: &mut String, id: &str, title: &str, bars: &[Bar], width: u32, height: u32) {
    let id = esc(id);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" role="img" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(&description(bars))
    );
}

/// Length of a bar `value` of `max` over `span` units (at least a hairline when not
/// zero, so that small counts stay visible).
fn scaled(value: i64, max: i64, span: f64) -> f64 {
    if value <= 0 || max <= 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let ratio = value as f64 / max as f64;
    (ratio * span).max(2.0)
}

/// Width of the bar charts' coordinate space: about a phone's width, so that on a phone
/// the text is drawn near its nominal size (the stylesheet caps the width on a desk).
const WIDTH: u32 = 360;
/// Width of the column charts (more periods side by side).
const COLUMNS_WIDTH: u32 = 420;
const FONT: u32 = 14;

/// Horizontal bars, one per row, the label above its bar and the value after it: it
/// reads on a phone as well as on a desk, whatever the length of the labels.
pub fn bars(id: &str, title: &str, bars: &[Bar]) -> String {
    let row = 46u32;
    let top = 4u32;
    let rows = u32::try_from(bars.len()).unwrap_or(u32::MAX).max(1);
    let height = top + rows * row;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    // Room for the value written after the longest bar.
    let span = f64::from(WIDTH) - 80.0;
    let mut out = String::new();
    open(&mut out, id, title, bars, WIDTH, height);
    if bars.is_empty() {
        let _ = write!(
            out,
            r#"<text x="0" y="{}" font-size="{FONT}" class="muted">—</text>"#,
            top + FONT
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let y = top + u32::try_from(i).unwrap_or(0) * row;
        let len = scaled(b.value, max, span);
        let _ = write!(
            out,
            r#"<g class="bar-row"><text x="0" y="{ty}" font-size="{FONT}" class="label">{label}</text><rect x="0" y="{by}" width="{len:.1}" height="18" rx="2" fill="{fill}" class="bar {tone}"><title>{label}: {shown}</title></rect><text x="{vx:.1}" y="{vy}" font-size="{FONT}" class="value">{shown}</text></g>"#,
            ty = y + FONT,
            label = esc(&b.label),
            by = y + FONT + 6,
            fill = fill(b.tone),
            tone = esc(b.tone),
            shown = esc(&b.shown),
            vx = len + 6.0,
            vy = y + FONT + 20,
        );
    }
    out.push_str("</svg>");
    out
}

/// Columns over time (submissions by month): one column per period, the value above
/// it, the period below (every label when there is room, else every few).
pub fn columns(id: &str, title: &str, bars: &[Bar]) -> String {
    // Room at the sides for half a period label centred on the first and last column.
    let (left, bottom, top) = (28.0f64, 40.0f64, 22.0f64);
    let height = 240u32;
    let plot = f64::from(height) - bottom - top;
    let n = bars.len().max(1);
    #[allow(clippy::cast_precision_loss)]
    let step = (f64::from(COLUMNS_WIDTH) - left * 2.0) / n as f64;
    let width = (step * 0.7).max(1.0);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    // Labels need about 56 units each; write every k-th.
    let every = ((56.0 / step).ceil().max(1.0)) as usize;
    let mut out = String::new();
    open(&mut out, id, title, bars, COLUMNS_WIDTH, height);
    let base = top + plot;
    let _ = write!(
        out,
        r##"<line x1="0" y1="{base:.1}" x2="{COLUMNS_WIDTH}" y2="{base:.1}" stroke="#d5d9dd" class="axis"/>"##
    );
    for (i, b) in bars.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let x = left + step * i as f64 + (step - width) / 2.0;
        let h = scaled(b.value, max, plot);
        let cx = x + width / 2.0;
        let _ = write!(
            out,
            r#"<g class="bar-col"><rect x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{h:.1}" fill="{fill}" class="bar {tone}"><title>{label}: {shown}</title></rect>"#,
            y = base - h,
            fill = fill(b.tone),
            tone = esc(b.tone),
            label = esc(&b.label),
            shown = esc(&b.shown),
        );
        if n <= 24 || b.value == max {
            let _ = write!(
                out,
                r#"<text x="{cx:.1}" y="{vy:.1}" font-size="13" text-anchor="middle" class="value">{}</text>"#,
                esc(&b.shown),
                vy = base - h - 4.0,
            );
        }
        if i % every == 0 {
            let _ = write!(
                out,
                r#"<text x="{cx:.1}" y="{ly:.1}" font-size="13" text-anchor="middle" class="label">{}</text>"#,
                esc(&b.label),
                ly = base + 16.0,
            );
        }
        out.push_str("</g>");
    }
    if bars.is_empty() {
        let _ = write!(
            out,
            r#"<text x="0" y="{}" font-size="{FONT}" class="muted">—</text>"#,
            top + f64::from(FONT)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> Vec<Bar> {
        vec![
            Bar::new("Recognised", 4, "4").tone("ok"),
            Bar::new("Refused", 2, "2").tone("danger"),
            Bar::new("Not adopted", 0, "0").tone("muted"),
        ]
    }

    #[test]
    fn a_chart_is_an_accessible_image_with_every_value_in_words() {
        let svg = bars("outcomes", "Outcomes", &three());
        assert!(svg.starts_with("<svg "));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(r#"aria-labelledby="outcomes-title outcomes-desc""#));
        assert!(svg.contains(r#"<title id="outcomes-title">Outcomes</title>"#));
        assert!(svg.contains(
            "<desc id=\"outcomes-desc\">Recognised: 4; Refused: 2; Not adopted: 0</desc>"
        ));
        assert!(!svg.contains("style="), "the CSP forbids inline styles");
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn bars_are_proportional_and_zero_is_empty() {
        let svg = bars("o", "O", &three());
        // The largest bar spans the plot (360 - 80), half the value half of it.
        assert!(svg.contains(r#"width="280.0""#), "{svg}");
        assert!(svg.contains(r#"width="140.0""#), "{svg}");
        assert!(svg.contains(r#"width="0.0""#), "{svg}");
        // A tiny value stays visible.
        let svg = bars(
            "o",
            "O",
            &[Bar::new("a", 1000, "1000"), Bar::new("b", 1, "1")],
        );
        assert!(svg.contains(r#"width="2.0""#), "{svg}");
    }

    #[test]
    fn labels_from_data_are_escaped() {
        let svg = bars(
            "p\"x",
            "<T>",
            &[Bar::new("<script>alert('x')</script> & Co", 1, "1")],
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"));
        assert!(svg.contains(r#"id="p&quot;x""#));
        assert!(svg.contains("<title id=\"p&quot;x-title\">&lt;T&gt;</title>"));
    }

    #[test]
    fn columns_label_periods_and_handle_nothing() {
        let months: Vec<Bar> = (1..=3)
            .map(|m| Bar::new(format!("2026-0{m}"), m, m.to_string()))
            .collect();
        let svg = columns("m", "By month", &months);
        assert_eq!(svg.matches("<rect ").count(), 3);
        assert!(svg.contains(">2026-02</text>"));
        // The tallest column fills the plot (240 - 40 - 22 = 178 units).
        assert!(svg.contains(r#"height="178.0""#), "{svg}");
        let empty = columns("e", "Nothing", &[]);
        assert!(empty.contains("—") && empty.ends_with("</svg>"));
        let empty = bars("e", "Nothing", &[]);
        assert!(empty.contains("—") && empty.ends_with("</svg>"));
    }

    #[test]
    fn many_periods_are_labelled_sparsely() {
        let months: Vec<Bar> = (0..48)
            .map(|i| Bar::new(format!("m{i}"), i, i.to_string()))
            .collect();
        let svg = columns("m", "By month", &months);
        assert_eq!(svg.matches("<rect ").count(), 48);
        assert!(svg.matches(r#"class="label""#).count() < 12);
    }
}
