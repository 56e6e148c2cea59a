//! Server-rendered SVG bar charts for the dashboard. Built from numbers
//! and fixed text only, so the output is safe to embed as-is.

use std::fmt::Write;

use node::moderation::DailySeries;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 180.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 10.0;

/// The date (`YYYY-MM-DD`) of a day number.
fn date(day: u64) -> String {
    let ms = (day as i64).saturating_mul(86_400_000);
    let text = node::model::rfc3339::format(ms);
    text.get(..10).unwrap_or(&text).to_string()
}

/// A bar chart of a daily series; `label` names the unit for screen
/// readers (e.g. "registrations").
pub fn bar_chart(series: &DailySeries, label: &'static str) -> String {
    let max = series.values.iter().copied().max().unwrap_or(0).max(1);
    let total: i64 = series.values.iter().sum();
    let n = series.values.len().max(1) as f64;
    let plot_w = WIDTH - LEFT - 4.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / n;
    let bar = (slot * 0.75).max(1.0);
    let mut svg = String::with_capacity(4096);
    let first = series.days.first().copied().map(date).unwrap_or_default();
    let last = series.days.last().copied().map(date).unwrap_or_default();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label} per day from {first} to {last}: {total} in all, at most {max} a day" class="chart">"##
    );
    // Axis lines and the scale.
    let base_y = TOP + plot_h;
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base_y}" stroke="#b9b9c6"/><line x1="{LEFT}" y1="{base_y}" x2="{right}" y2="{base_y}" stroke="#b9b9c6"/><text x="{tx}" y="{ty}" font-size="11" text-anchor="end" fill="#5c5c66">{max}</text><text x="{tx}" y="{base_y}" font-size="11" text-anchor="end" fill="#5c5c66">0</text>"##,
        right = WIDTH - 4.0,
        tx = LEFT - 4.0,
        ty = TOP + 8.0,
    );
    for (i, (day, value)) in series.days.iter().zip(&series.values).enumerate() {
        let h = (*value as f64 / max as f64) * plot_h;
        let x = LEFT + 2.0 + i as f64 * slot;
        let y = base_y - h;
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="#4a3fc1"><title>{d}: {value}</title></rect>"##,
            d = date(*day)
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{LEFT}" y="{HEIGHT}" font-size="11" fill="#5c5c66" dy="-6">{first}</text><text x="{end}" y="{HEIGHT}" font-size="11" fill="#5c5c66" dy="-6" text-anchor="end">{last}</text></svg>"##,
        end = WIDTH - 4.0
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_one_bar_per_day_scaled_to_the_largest() {
        let series = DailySeries {
            days: vec![20_000, 20_001, 20_002],
            values: vec![0, 5, 10],
        };
        let svg = bar_chart(&series, "posts");
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains(r#"height="0.0""#), "an empty day has no bar");
        assert!(svg.contains("2024-10-06: 10"), "{svg}");
        assert!(svg.contains("15 in all, at most 10 a day"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
