//! The management-information charts of the web page, as inline SVG drawn on the server: no script, no
//! style attribute (colours are SVG presentation attributes, which a Content-Security-Policy without
//! `unsafe-inline` allows), each with a title and description for screen readers and the numbers in a
//! table beside it.

use std::collections::BTreeMap;
use std::fmt::Write;

use icao9303_html::escape;

/// The verdicts in the order the charts stack them, with their colours and labels.
pub const VERDICTS: [(&str, &str, &str); 3] = [
    ("verified", "#1a7f37", "verified"),
    ("not_verified", "#b07d00", "not verified"),
    ("failed", "#b3261e", "failed"),
];

/// Checks per day, stacked by verdict: `days` maps a day (YYYY-MM-DD) to its counts in [`VERDICTS`]
/// order. `id` makes the title's and description's ids unique on the page.
pub fn by_day(id: &str, days: &BTreeMap<String, [i64; 3]>) -> String {
    const W: i64 = 900;
    const H: i64 = 240;
    const LEFT: i64 = 44;
    const BOTTOM: i64 = 28;
    const TOP: i64 = 12;
    let max = days
        .values()
        .map(|c| c.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let total: i64 = days.values().flat_map(|c| c.iter()).sum();
    let n = i64::try_from(days.len()).unwrap_or(1).max(1);
    let plot_w = W - LEFT - 8;
    let plot_h = H - TOP - BOTTOM;
    let slot = (plot_w / n).max(1);
    let bar = (slot * 7 / 10).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" width=\"100%\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">Checks per day</title>\
         <desc id=\"{id}-desc\">{total} checks over {} days, at most {max} in a day; bars stacked by verdict \
         (verified, not verified, failed). The numbers are in the table below.</desc>",
        days.len()
    );
    // Axis and the highest value.
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{}\" stroke=\"#555\"/>\
         <line x1=\"{LEFT}\" y1=\"{0}\" x2=\"{}\" y2=\"{0}\" stroke=\"#555\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" fill=\"#333\">{max}</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" fill=\"#333\">0</text>",
        H - BOTTOM,
        W - 8,
        LEFT - 6,
        TOP + 10,
        LEFT - 6,
        H - BOTTOM,
    );
    let label_every = (n / 10).max(1);
    for (i, (day, counts)) in days.iter().enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let x = LEFT + 4 + i * slot;
        let mut y = H - BOTTOM;
        for (count, (_, colour, label)) in counts.iter().zip(VERDICTS) {
            if *count == 0 {
                continue;
            }
            let h = (count * plot_h / max).max(1);
            y -= h;
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"{colour}\">\
                 <title>{}: {count} {label}</title></rect>",
                escape(day)
            );
        }
        if i % label_every == 0 {
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
                x + bar / 2,
                H - 10,
                escape(day.get(5..).unwrap_or(day))
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars of counts by a key (verdict, issuing state, document type), largest first, at most
/// 12 bars (the rest summed as "others").
pub fn bars(id: &str, title: &str, counts: &BTreeMap<String, i64>) -> String {
    const W: i64 = 440;
    const ROW: i64 = 24;
    const LEFT: i64 = 130;
    let mut items: Vec<(String, i64)> = counts
        .iter()
        .map(|(k, v)| {
            (
                if k.is_empty() {
                    "(not read)".to_owned()
                } else {
                    k.clone()
                },
                *v,
            )
        })
        .collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if items.len() > 12 {
        let others: i64 = items[11..].iter().map(|(_, v)| v).sum();
        items.truncate(11);
        items.push(("others".into(), others));
    }
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let rows = i64::try_from(items.len()).unwrap_or(0).max(1);
    let h = rows * ROW + 8;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {h}\" width=\"100%\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(
            &items
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    for (i, (key, value)) in items.iter().enumerate() {
        let y = 4 + i64::try_from(i).unwrap_or(0) * ROW;
        let width = (value * (W - LEFT - 50) / max).max(1);
        let colour = VERDICTS
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or("#3b5ba5", |(_, c, _)| c);
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" fill=\"#333\">{}</text>\
             <rect x=\"{LEFT}\" y=\"{y}\" width=\"{width}\" height=\"{}\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#333\">{value}</text>",
            LEFT - 6,
            y + 15,
            escape(key),
            ROW - 6,
            LEFT + width + 4,
            y + 15,
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_their_labels_and_carry_no_style_or_script() {
        let mut days = BTreeMap::new();
        days.insert("2026-12-01".to_owned(), [3, 1, 0]);
        days.insert("2026-12-02".to_owned(), [0, 0, 2]);
        let svg = by_day("d", &days);
        assert!(svg.contains("6 checks over 2 days"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 3);
        let mut states = BTreeMap::new();
        states.insert("<script>".to_owned(), 2);
        states.insert(String::new(), 1);
        let svg = bars("s", "By issuing state", &states);
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
        assert!(svg.contains("(not read)"));
        for svg in [by_day("e", &BTreeMap::new()), svg] {
            assert!(!svg.contains("style") && !svg.contains("<script"));
        }
    }
}
