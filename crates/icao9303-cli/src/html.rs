//! `--html FILE`: the report as one self-contained HTML page (inline CSS, the face as a `data:` PNG), for an
//! officer to print or attach to a case.
//!
//! Everything read from the chip is untrusted: every piece of text goes through [`escape`] before it is put in
//! the page, and images are re-encoded to PNG by the crate's decoder before they are embedded.

use icao9303::lds::LdsFile;
use icao9303::lds::decoded::{Decoded, DecodedFiles, FileContent};
use icao9303::lds::dg11::{Dg11, PartialDate};
use icao9303::lds::dg12::Dg12;
use icao9303::lds::dg16::Dg16;
use icao9303::lds::image::{ImageFormat, to_png};
use icao9303::report::{
    AuthenticityVerdict, CheckId, CheckStatus, DocumentResult, MrzSummary, NotCovered,
    NotCoveredReason, Report, ReportSource,
};
use std::fmt::Write;

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Escapes text for HTML element content and double- or single-quoted attribute values. Bidirectional
/// formatting characters become visible escapes (`\u{202E}`, see [`crate::safe_text`]) and other control
/// characters U+FFFD: every piece of document text on the page goes through here.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if crate::safe_text::is_bidi_control(c) => {
                out.push_str(&crate::safe_text::visible_escape(c));
            }
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 (RFC 4648, with padding), for `data:` URIs.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 0x3F) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The current time in UTC as `YYYY-MM-DD HH:MM UTC`, for the page footer.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// An MRZ-style name (`SURNAME<<GIVEN<NAMES`) as `SURNAME, GIVEN NAMES`.
fn mrz_name(text: &str) -> String {
    let text = text.trim_end_matches('<');
    match text.split_once("<<") {
        Some((primary, secondary)) => format!(
            "{}, {}",
            primary.replace('<', " ").trim(),
            secondary.replace('<', " ").trim()
        ),
        None => text.replace('<', " ").trim().to_owned(),
    }
}

/// A '<'-separated field (place of birth, address) as `PART, PART`.
fn separated(text: &str) -> String {
    text.split('<')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn partial_date(d: &PartialDate) -> String {
    d.iso8601().unwrap_or_else(|| d.raw.clone())
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Jpeg2000 => "JPEG 2000",
        ImageFormat::Png => "PNG",
        ImageFormat::Wsq => "WSQ",
        ImageFormat::Unknown(_) => "unknown format",
    }
}

fn document_kind(code: &str) -> &'static str {
    match code {
        "IR" => "residence permit",
        c if c.starts_with('P') => "passport",
        c if c.starts_with('V') => "visa",
        c if c.starts_with('I') || c.starts_with('A') || c.starts_with('C') => "identity card",
        _ => "travel document",
    }
}

/// Rows of a two-column table; values are escaped here, so a caller cannot forget.
#[derive(Default)]
struct Rows(String);

impl Rows {
    fn add(&mut self, label: &str, value: &str) {
        if value.trim().is_empty() {
            return;
        }
        let _ = write!(
            self.0,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(label),
            escape(value)
        );
    }
    fn opt(&mut self, label: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.add(label, v);
        }
    }
    /// A row whose value is a list (one item per line).
    fn list(&mut self, label: &str, items: &[String]) {
        let items: Vec<String> = items
            .iter()
            .filter(|i| !i.trim().is_empty())
            .map(|i| format!("<li>{}</li>", escape(i)))
            .collect();
        if !items.is_empty() {
            let _ = write!(
                self.0,
                "<tr><th>{}</th><td><ul>{}</ul></td></tr>",
                escape(label),
                items.concat()
            );
        }
    }
    fn table(self) -> String {
        if self.0.is_empty() {
            "<p class=\"muted\">Not present on the chip.</p>".into()
        } else {
            format!("<table class=\"kv\">{}</table>", self.0)
        }
    }
}

fn mark(status: CheckStatus) -> (&'static str, &'static str) {
    match status {
        CheckStatus::Valid => ("valid", "&#10004; Valid"),
        CheckStatus::ValidWithWarning => ("valid", "&#10004; Valid, with a warning"),
        CheckStatus::Invalid => ("invalid", "&#10008; INVALID"),
        CheckStatus::NotChecked => ("not-checked", "&#8211; Not checked"),
    }
}

fn verdict_class(result: DocumentResult) -> &'static str {
    match result {
        DocumentResult::Verified => "valid",
        DocumentResult::NotVerified => "not-checked",
        DocumentResult::Failed => "invalid",
    }
}

/// True when data group `n` hashes to EF.SOD's value: only then is its content shown as the holder's
/// or the document's.
fn signed(report: &Report, n: u8) -> bool {
    report
        .status(CheckId::DgHash(n))
        .is_some_and(CheckStatus::is_valid)
}

/// Why data group `n` was not read, when the verdict names it as not covered for a reason other than
/// its hash (that case is [`signed`]'s).
fn not_read(report: &Report, n: u8) -> Option<&NotCovered> {
    report
        .verdict
        .not_covered
        .iter()
        .find(|c| c.data_group == n && c.reason != NotCoveredReason::HashInvalid)
}

/// The coverage box under the verdict: the data groups the verdict does not cover, each with why — those
/// that keep it from `verified` first and marked — and the ones it covers.
fn coverage_box(out: &mut String, report: &Report) {
    let verdict = &report.verdict;
    if verdict.not_covered.is_empty() {
        if !verdict.covered.is_empty() {
            let names: Vec<String> = verdict.covered.iter().map(|n| format!("DG{n}")).collect();
            let _ = writeln!(
                out,
                "<p class=\"muted\">The verdict covers {}.</p>",
                escape(&names.join(", "))
            );
        }
        return;
    }
    let mut gaps: Vec<&NotCovered> = verdict.not_covered.iter().collect();
    gaps.sort_by_key(|n| n.permitted);
    let blocking = gaps.iter().any(|n| !n.permitted);
    let items: String = gaps
        .iter()
        .map(|n| format!("<li>{}</li>", escape(&n.describe())))
        .collect();
    let covered: Vec<String> = verdict.covered.iter().map(|n| format!("DG{n}")).collect();
    let _ = writeln!(
        out,
        "<div class=\"verdict {}\"><strong>NOT COVERED</strong>The verdict covers {} and not:<ul>{items}</ul></div>",
        if blocking { "not-checked" } else { "neutral" },
        escape(&if covered.is_empty() {
            "no data group".to_string()
        } else {
            covered.join(", ")
        })
    );
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#1b1b1b;margin:0;padding:24px;font-size:14px;background:#fff}
main{max-width:940px;margin:0 auto}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:22px 0 8px;padding-bottom:4px;border-bottom:2px solid #1b1b1b}
.sub{color:#555;margin:0 0 16px}
.verdict{border:3px solid;padding:10px 14px;margin:12px 0 8px;font-size:15px}
.verdict strong{font-size:18px;margin-right:10px}
.verdict.valid{border-color:#1a7f37;background:#e9f7ee}
.verdict.invalid{border-color:#b3261e;background:#fdecea}
.verdict.not-checked{border-color:#9a6700;background:#fff8e1}
.verdict.neutral{border-color:#888;background:#f4f4f4}
.verdict ul{margin:6px 0 0}
.unsigned{border:2px solid #b3261e;background:#fdecea;padding:6px 10px;margin:8px 0}
.holder{display:flex;gap:20px;align-items:flex-start}
.face{flex:0 0 200px;text-align:center}
.face img{width:200px;height:auto;border:1px solid #999;background:#eee;image-rendering:auto}
.face .none{width:200px;height:250px;border:1px dashed #999;display:flex;align-items:center;justify-content:center;color:#666;padding:8px;font-size:12px}
.face figcaption{font-size:11px;color:#555;margin-top:4px}
.biometrics{display:flex;flex-wrap:wrap;gap:12px}
.bio{margin:0;text-align:center}
.bio img{width:160px;height:auto;border:1px solid #999;background:#eee}
.bio figcaption{font-size:11px;color:#555;margin-top:4px;max-width:160px}
.holder .details{flex:1}
table{border-collapse:collapse;width:100%}
table.kv th{text-align:left;font-weight:600;width:34%;vertical-align:top;padding:4px 8px 4px 0;color:#333}
table.kv td{padding:4px 0;vertical-align:top;word-break:break-word}
table.kv tr+tr th,table.kv tr+tr td{border-top:1px solid #e3e3e3}
table.grid th,table.grid td{border:1px solid #c8c8c8;padding:5px 7px;text-align:left;vertical-align:top}
table.grid th{background:#f1f1f1}
table.checks td:first-child{width:22%}
td.status{white-space:nowrap;font-weight:700}
td.status.valid{color:#1a7f37}
td.status.invalid{color:#b3261e}
td.status.not-checked{color:#7a5200}
tr.invalid td{background:#fdecea}
ul{margin:0;padding-left:18px}
.mono{font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:12px;white-space:nowrap}
.muted{color:#666}
.legend{font-size:12px;color:#444;margin-top:6px}
footer{margin-top:28px;padding-top:8px;border-top:1px solid #ccc;font-size:11px;color:#555}
@media print{body{padding:0;font-size:12px}h2{break-after:avoid}tr{break-inside:avoid}.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"#;

/// Renders the report, the decoded files and the generation time as one HTML page.
pub fn render(report: &Report, decoded: &DecodedFiles, generated: &str) -> String {
    // Data groups whose hash does not match EF.SOD (or that EF.SOD does not list) are not the issuer's
    // data: never shown as the holder's.
    let dg11 = decoded
        .dg11()
        .and_then(Decoded::parsed)
        .filter(|_| signed(report, 11));
    let dg12 = decoded
        .dg12()
        .and_then(Decoded::parsed)
        .filter(|_| signed(report, 12));
    let dg16 = decoded
        .dg16()
        .and_then(Decoded::parsed)
        .filter(|_| signed(report, 16));
    let mut withheld: Vec<String> = [2u8, 11, 12, 16]
        .into_iter()
        .filter(|n| {
            decoded.files.iter().any(|d| d.file == LdsFile::Dg(*n)) && !signed(report, *n)
        })
        .map(|n| {
            format!(
                "DG{n} ({}) is not shown: it does not match the issuer's signed hash (see the checks)",
                LdsFile::Dg(n).description()
            )
        })
        .collect();
    // A signed data group of the holder's that was not read is said so where its data would be: never
    // shown as empty (DG12's remarks get their own row under Document).
    withheld.extend(
        [2u8, 11, 16]
            .into_iter()
            .filter_map(|n| not_read(report, n))
            .map(NotCovered::describe),
    );
    let mut out = String::with_capacity(64 * 1024);
    let title = report.mrz.as_ref().map_or_else(
        || "eMRTD chip report".to_owned(),
        |m| {
            format!(
                "eMRTD chip report: {} {}",
                m.document_code.trim_end_matches('<'),
                m.document_number
            )
        },
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&title)
    );
    let _ = write!(
        out,
        "<h1>Electronic document chip report</h1>\n<p class=\"sub\">What the chip of the document returned, and whether it is genuine and unaltered.</p>\n"
    );
    let (word, meaning) = crate::render::verdict_headline(report.verdict.result);
    let reasons: String = report
        .verdict
        .reasons
        .iter()
        .map(|r| format!("<li>{}</li>", escape(r)))
        .collect();
    let _ = writeln!(
        out,
        "<div class=\"verdict {}\"><strong>{word}</strong>{} <span class=\"muted\">({})</span><ul>{reasons}</ul></div>",
        verdict_class(report.verdict.result),
        escape(&capitalised(meaning)),
        escape(&report.summary())
    );
    match &report.chip_authenticity {
        Some(chip) => {
            let (class, word) = match chip.verdict {
                AuthenticityVerdict::Genuine => ("valid", "CHIP GENUINE"),
                AuthenticityVerdict::NotProven => ("not-checked", "CHIP NOT PROVEN"),
                AuthenticityVerdict::Failed => ("invalid", "CHIP FAILED"),
                AuthenticityVerdict::Replayed => ("not-checked", "CHIP REPLAYED"),
            };
            let _ = writeln!(
                out,
                "<div class=\"verdict {class}\"><strong>{word}</strong>{}</div>",
                escape(&chip.reason)
            );
        }
        None => out.push_str(
            "<div class=\"verdict neutral\"><strong>CHIP NOT PRESENT</strong>Saved files verified offline: \
             whether the chip is genuine cannot be checked without it.</div>\n",
        ),
    }
    coverage_box(&mut out, report);

    // Holder: face on the left, details on the right.
    out.push_str("<h2>Holder</h2>\n");
    for note in &withheld {
        let _ = writeln!(out, "<p class=\"unsigned\">{}</p>", escape(note));
    }
    if report.mrz.is_some() && !signed(report, 1) {
        out.push_str(
            "<p class=\"unsigned\">DG1 (the MRZ) does not match the issuer's signed hash: the data below is \
             not verified.</p>\n",
        );
    }
    let mut holder = holder_rows(report.mrz.as_ref(), dg11, dg16);
    if let Some(gap) = not_read(report, 11) {
        holder.add(
            "Additional personal details",
            &format!(
                "unknown: DG11 was not read, so this report does not show or cover them ({})",
                gap.detail
            ),
        );
    }
    let _ = write!(
        out,
        "<div class=\"holder\">\n{}\n<div class=\"details\">{}</div>\n</div>\n",
        face_figure(decoded, signed(report, 2)),
        holder.table()
    );

    let mut document = document_rows(report, dg12);
    if let Some(gap) = not_read(report, 12) {
        document.add(
            "Remarks and conditions",
            &format!(
                "unknown: DG12 was not read, so this report does not show or cover them ({})",
                gap.detail
            ),
        );
    }
    let _ = write!(out, "<h2>Document</h2>\n{}\n", document.table());
    biometrics_section(&mut out, report, decoded);

    out.push_str("<h2>Checks</h2>\n");
    if report.checks.is_empty() {
        out.push_str("<p class=\"muted\">No checks were recorded.</p>\n");
    } else {
        out.push_str(
            "<table class=\"grid checks\"><thead><tr><th>Check</th><th>Result</th><th>Details</th></tr></thead><tbody>\n",
        );
        for c in &report.checks {
            let (class, label) = mark(c.status());
            let _ = writeln!(
                out,
                "<tr class=\"{class}\"><td>{}</td><td class=\"status {class}\">{label}</td><td>{}</td></tr>",
                escape(&c.name()),
                escape(c.reason())
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str(
        "<p class=\"legend\">&#10004; Valid: the check was performed and passed. &#10008; INVALID: the check was \
         performed and failed; the document may have been altered or forged. &#8211; Not checked: the check could not \
         be performed (for example no trust anchor for the issuing country was loaded, or the chip does not support \
         it); this is not by itself a sign of forgery.</p>\n",
    );

    out.push_str("<h2>Chip access</h2>\n");
    let mut access = Rows::default();
    match &report.access {
        Some(a) => {
            access.add("Protocol", &a.protocol);
            access.add("Password", &a.password);
            access.add("Secure messaging", &a.cipher);
            access.opt("PACE mapping", a.mapping.as_deref());
            if let Some(p) = a.parameter_id {
                access.add("Domain parameters", &format!("standardized id {p}"));
            }
            access.opt("Protocol OID", a.protocol_oid.as_deref());
            if a.fallback {
                access.add(
                    "Note",
                    "BAC was used after PACE failed, as the reader allowed it",
                );
            }
        }
        None if report.source == ReportSource::DtcVc => access.add(
            "Protocol",
            "none (a Digital Travel Credential, Type 1 DTC-VC, verified offline: the chip was not present)",
        ),
        None => access.add("Protocol", "none (files verified offline)"),
    }
    out.push_str(&access.table());

    out.push_str("\n<h2>Files read</h2>\n");
    files_table(&mut out, report, decoded);
    sod_section(&mut out, decoded);

    let _ = write!(
        out,
        "<footer>Generated {} by mrtd {}. Holder data and images are shown as stored on the chip. \
         This page contains personal data: store and share it according to your organisation's rules.</footer>\n\
         </main>\n</body>\n</html>\n",
        escape(generated),
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn face_figure(decoded: &DecodedFiles, signed: bool) -> String {
    let caption;
    let body = match decoded.dg2() {
        Some(_) if !signed => {
            caption = "DG2 does not match EF.SOD".to_owned();
            "<div class=\"none\">Face image not shown: not the issuer's signed data</div>"
                .to_owned()
        }
        None => {
            caption = "DG2 not read".to_owned();
            "<div class=\"none\">No face image</div>".to_owned()
        }
        Some(Decoded::Error(e)) => {
            caption = "DG2 cannot be parsed".to_owned();
            format!("<div class=\"none\">{}</div>", escape(e))
        }
        Some(Decoded::Parsed(dg2)) => match dg2.faces.first() {
            None => {
                caption = "DG2 holds no face image".to_owned();
                "<div class=\"none\">No face image</div>".to_owned()
            }
            Some(face) => match to_png(&face.data) {
                Ok(png) => {
                    caption = format!(
                        "Face from DG2 ({}, {}x{})",
                        format_name(face.format),
                        face.width,
                        face.height
                    );
                    format!(
                        "<img alt=\"Face image from the chip (DG2)\" src=\"data:image/png;base64,{}\">",
                        base64(&png)
                    )
                }
                Err(e) => {
                    caption = "DG2 face image is broken".to_owned();
                    format!(
                        "<div class=\"none\">The face image cannot be decoded: {}</div>",
                        escape(&e.to_string())
                    )
                }
            },
        },
    };
    format!(
        "<figure class=\"face\">{body}<figcaption>{}</figcaption></figure>",
        escape(&caption)
    )
}

/// Fingerprints (DG3) and irises (DG4), when read: each image as a `data:` PNG with its position or
/// eye, shown only when the data group's hash matches EF.SOD (as the face).
fn biometrics_section(out: &mut String, report: &Report, decoded: &DecodedFiles) {
    let mut figures: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let figure = |alt: &str, caption: String, data: &[u8]| match to_png(data) {
        Ok(png) => format!(
            "<figure class=\"bio\"><img alt=\"{}\" src=\"data:image/png;base64,{}\"><figcaption>{}</figcaption></figure>",
            escape(alt),
            base64(&png),
            escape(&caption)
        ),
        Err(e) => format!(
            "<figure class=\"bio\"><div class=\"none\">The image cannot be decoded: {}</div><figcaption>{}</figcaption></figure>",
            escape(&e.to_string()),
            escape(&caption)
        ),
    };
    match decoded.dg3() {
        Some(_) if !signed(report, 3) => notes.push(
            "DG3 (fingerprints) is not shown: it does not match the issuer's signed hash (see the checks)".into(),
        ),
        Some(Decoded::Error(e)) => notes.push(format!("DG3 cannot be parsed: {e}")),
        Some(Decoded::Parsed(dg3)) => {
            for f in &dg3.fingers {
                let what = f
                    .position_name
                    .map_or_else(|| format!("finger position {}", f.position), str::to_owned);
                figures.push(figure(
                    "Fingerprint from the chip (DG3)",
                    format!("{what} (DG3, {}, {}x{})", format_name(f.format), f.width, f.height),
                    &f.data,
                ));
            }
        }
        None => {}
    }
    match decoded.dg4() {
        Some(_) if !signed(report, 4) => notes.push(
            "DG4 (iris) is not shown: it does not match the issuer's signed hash (see the checks)"
                .into(),
        ),
        Some(Decoded::Error(e)) => notes.push(format!("DG4 cannot be parsed: {e}")),
        Some(Decoded::Parsed(dg4)) => {
            for i in &dg4.irises {
                let what = i
                    .eye_name
                    .map_or_else(|| format!("eye {}", i.eye), str::to_owned);
                figures.push(figure(
                    "Iris from the chip (DG4)",
                    format!(
                        "{what} (DG4, {}, {}x{})",
                        format_name(i.format),
                        i.width,
                        i.height
                    ),
                    &i.data,
                ));
            }
        }
        None => {}
    }
    if figures.is_empty() && notes.is_empty() {
        return;
    }
    out.push_str("<h2>Fingerprints and iris</h2>\n");
    for note in &notes {
        let _ = writeln!(out, "<p class=\"unsigned\">{}</p>", escape(note));
    }
    if !figures.is_empty() {
        let _ = writeln!(out, "<div class=\"biometrics\">{}</div>", figures.concat());
    }
}

fn holder_rows(mrz: Option<&MrzSummary>, dg11: Option<&Dg11>, dg16: Option<&Dg16>) -> Rows {
    let mut rows = Rows::default();
    let mrz_full = mrz.map(|m| {
        format!(
            "{}, {}",
            m.primary_identifier.trim(),
            m.secondary_identifier.trim()
        )
    });
    match dg11.and_then(|d| d.full_name.as_deref()) {
        Some(full) => {
            let full = mrz_name(full);
            rows.add("Name", &full);
            // The MRZ truncates long names: show its form too when it differs.
            if let Some(m) = mrz_full.as_ref().filter(|m| **m != full) {
                rows.add("Name in the MRZ", m);
            }
        }
        None => rows.opt("Name", mrz_full.as_deref()),
    }
    if let Some(d) = dg11 {
        let others: Vec<String> = d.other_names.iter().map(|n| mrz_name(n)).collect();
        rows.list("Other names", &others);
    }
    match dg11.and_then(|d| d.full_date_of_birth.as_ref()) {
        Some(dob) => rows.add("Date of birth", &partial_date(dob)),
        None => {
            if let Some(m) = mrz {
                rows.add(
                    "Date of birth",
                    &crate::render::date(&m.date_of_birth, true),
                );
            }
        }
    }
    if let Some(m) = mrz {
        rows.add("Sex", &m.sex);
        rows.add("Nationality", &m.nationality);
    }
    if let Some(d) = dg11 {
        rows.opt(
            "Place of birth",
            d.place_of_birth.as_deref().map(separated).as_deref(),
        );
        rows.opt("Personal number", d.personal_number.as_deref());
        rows.opt("Address", d.address.as_deref().map(separated).as_deref());
        rows.opt("Telephone", d.telephone.as_deref());
        rows.opt("Profession", d.profession.as_deref());
        rows.opt("Title", d.title.as_deref());
        rows.opt("Personal summary", d.personal_summary.as_deref());
        rows.opt(
            "Other travel documents",
            d.other_valid_td_numbers.as_deref(),
        );
        rows.opt("Custody information", d.custody_information.as_deref());
        if let Some(p) = &d.proof_of_citizenship {
            rows.add(
                "Proof of citizenship",
                &format!("image present ({} bytes)", p.len()),
            );
        }
    }
    if let Some(d) = dg16 {
        let persons: Vec<String> = d
            .persons
            .iter()
            .map(|p| {
                [
                    p.name.as_deref().map(mrz_name),
                    p.telephone.clone(),
                    p.address.as_deref().map(separated),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; ")
            })
            .collect();
        rows.list("Person(s) to notify", &persons);
    }
    rows
}

fn document_rows(report: &Report, dg12: Option<&Dg12>) -> Rows {
    let mrz = report.mrz.as_ref();
    let mut rows = Rows::default();
    if let Some(m) = mrz {
        let code = m.document_code.trim_end_matches('<');
        rows.add("Type", &format!("{} ({code})", document_kind(code)));
        rows.add("Issuing state", &m.issuing_state);
        rows.add("Document number", &m.document_number);
    }
    if let Some(d) = dg12 {
        rows.opt("Issuing authority", d.issuing_authority.as_deref());
        rows.opt(
            "Date of issue",
            d.date_of_issue.as_ref().map(partial_date).as_deref(),
        );
    }
    if let Some(m) = mrz {
        let expired = report
            .status(CheckId::DocumentExpiry)
            .is_some_and(|s| s == CheckStatus::ValidWithWarning);
        let date = crate::render::date(&m.date_of_expiry, false);
        rows.add(
            "Date of expiry",
            &if expired {
                format!("{date} — EXPIRED")
            } else {
                date
            },
        );
    }
    if let Some(d) = dg12 {
        if let Some(remarks) = &d.endorsements_and_observations {
            let items: Vec<String> = remarks
                .split("<<")
                .map(|r| r.replace('<', " ").trim().to_owned())
                .collect();
            rows.list("Remarks (endorsements and observations)", &items);
        }
        rows.opt(
            "Tax or exit requirements",
            d.tax_or_exit_requirements.as_deref(),
        );
        let others: Vec<String> = d.other_persons.iter().map(|n| mrz_name(n)).collect();
        rows.list("Other persons on the document", &others);
        rows.opt("Personalised", d.personalization_date_time.as_deref());
        rows.opt(
            "Personalisation system",
            d.personalization_system_serial_number.as_deref(),
        );
        if d.front_image.is_some() || d.rear_image.is_some() {
            rows.add("Document images", "stored on the chip (not shown)");
        }
    }
    rows
}

fn files_table(out: &mut String, report: &Report, decoded: &DecodedFiles) {
    if report.files.is_empty() {
        out.push_str("<p class=\"muted\">No files were recorded.</p>\n");
        return;
    }
    out.push_str(
        "<table class=\"grid files\"><thead><tr><th>File</th><th>FID</th><th>Bytes</th><th>Hash against EF.SOD</th><th>Content</th></tr></thead><tbody>\n",
    );
    for f in &report.files {
        let (class, label) = if f.id.starts_with("DG") {
            mark(f.hash)
        } else {
            ("muted", "not covered")
        };
        let content = decoded
            .files
            .iter()
            .find(|d| d.file.name() == f.id)
            .map(|d| match &d.content {
                FileContent::Raw(r) => r.note.clone(),
                c => c.error().map_or_else(
                    || "decoded".to_owned(),
                    |e| format!("cannot be parsed: {e}"),
                ),
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"mono\">{}</td><td>{}</td><td class=\"status {class}\">{label}</td><td>{}</td></tr>",
            escape(&f.id),
            escape(&f.fid),
            f.length,
            escape(&content)
        );
    }
    out.push_str("</tbody></table>\n");
}

fn sod_section(out: &mut String, decoded: &DecodedFiles) {
    let Some(Decoded::Parsed(sod)) = decoded.sod() else {
        return;
    };
    out.push_str("<h2>Document security object (EF.SOD)</h2>\n");
    let mut rows = Rows::default();
    rows.add("Hash algorithm", &sod.hash_algorithm);
    rows.add("Version", &format!("LDSSecurityObject v{}", sod.version));
    rows.opt("LDS version", sod.lds_version.as_deref());
    let listed: Vec<&str> = sod
        .data_group_hashes
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    rows.add("Data groups protected", &listed.join(", "));
    for s in &sod.signers {
        rows.add("Signature algorithm", &s.signature_algorithm);
        match &s.certificate {
            Some(c) => {
                rows.add("Document signer", &c.subject);
                rows.add("Issued by", &c.issuer);
                rows.add(
                    "Signer valid",
                    &format!("{} to {}", c.not_before, c.not_after),
                );
                rows.add("Signer key", &c.public_key);
            }
            None => rows.add("Signer", &s.identifier),
        }
    }
    out.push_str(&rows.table());
    out.push('\n');
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use icao9303::asn1;
    use icao9303::document::Document;
    use icao9303::lds::LdsFile;
    use icao9303::lds::decoded::decode;
    use icao9303::report::{Check, DocumentVerdict};

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("a\u{0}b"), "a\u{FFFD}b");
    }

    #[test]
    fn base64_matches_rfc4648() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_796), (2024, 3, 14));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn chip_text_cannot_inject_markup() {
        let dg11 = asn1::der::constructed(
            0x6B,
            &[
                &asn1::der::tlv(0x5C, &[0x5F, 0x0E, 0x5F, 0x13, 0x5F, 0x11]),
                &asn1::der::tlv(0x5F0E, b"EVIL<<MALLORY"),
                &asn1::der::tlv(0x5F13, b"<script>alert(1)</script>"),
                &asn1::der::tlv(0x5F11, b"\"><img src=x onerror=alert(1)>"),
            ],
        );
        let dg12 = asn1::der::constructed(
            0x6C,
            &[
                &asn1::der::tlv(0x5C, &[0x5F, 0x19]),
                &asn1::der::tlv(0x5F19, b"</td></tr></table><iframe src=\"//x\">"),
            ],
        );
        let doc = Document::from_files([(LdsFile::Dg(11), dg11), (LdsFile::Dg(12), dg12)]);
        let report = Report {
            checks: vec![
                Check::valid(CheckId::DgHash(11), "SHA-256 matches EF.SOD"),
                Check::valid(CheckId::DgHash(12), "SHA-256 matches EF.SOD"),
                Check::invalid(CheckId::DgHash(2), "<b>differs</b>"),
            ],
            verdict: DocumentVerdict::new(
                DocumentResult::Failed,
                vec!["DG2 hash: <b>differs</b>".into()],
            ),
            ..Report::default()
        };
        let page = render(&report, &decode(&doc), "<now>");
        assert!(!page.contains("<script>"), "{page}");
        assert!(!page.contains("<img src=x"), "{page}");
        assert!(!page.contains("<iframe"), "{page}");
        assert!(!page.contains("<b>differs"), "{page}");
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page}"
        );
        assert!(
            page.contains("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;iframe"),
            "{page}"
        );
        assert!(page.contains("EVIL, MALLORY"));
        assert!(page.contains("&lt;now&gt;"));
        assert!(page.contains("SUSPECT"));
    }

    /// A DG11 name carrying U+202E (right-to-left override) would display reversed; the page shows the
    /// character as a visible escape instead, in the holder table and wherever else it appears.
    #[test]
    fn bidi_controls_in_dg11_are_shown_as_escapes() {
        let name = "EVIL<<\u{202E}LLAM\u{2066}X\u{200F}";
        let dg11 = asn1::der::constructed(
            0x6B,
            &[
                &asn1::der::tlv(0x5C, &[0x5F, 0x0E]),
                &asn1::der::tlv(0x5F0E, name.as_bytes()),
            ],
        );
        let doc = Document::from_files([(LdsFile::Dg(11), dg11)]);
        let report = Report {
            checks: vec![
                Check::valid(CheckId::DgHash(11), "SHA-256 matches EF.SOD"),
                Check::invalid(CheckId::DgHash(2), "chip said \u{202E}dilav"),
            ],
            ..Report::default()
        };
        let page = render(&report, &decode(&doc), "now");
        for c in ['\u{202E}', '\u{2066}', '\u{200F}'] {
            assert!(!page.contains(c), "{c:?} in the page");
        }
        assert!(
            page.contains("EVIL, \\u{202E}LLAM\\u{2066}X\\u{200F}"),
            "{page}"
        );
        assert!(page.contains("chip said \\u{202E}dilav"), "{page}");
    }

    #[test]
    fn data_groups_without_a_valid_hash_are_not_shown() {
        let dg11 = asn1::der::constructed(
            0x6B,
            &[
                &asn1::der::tlv(0x5C, &[0x5F, 0x0E, 0x5F, 0x11]),
                &asn1::der::tlv(0x5F0E, b"IMPOSTOR<<MALLORY"),
                &asn1::der::tlv(0x5F11, b"ELSEWHERE"),
            ],
        );
        let dg12 = asn1::der::constructed(
            0x6C,
            &[
                &asn1::der::tlv(0x5C, &[0x5F, 0x19]),
                &asn1::der::tlv(0x5F19, b"FORGED AUTHORITY"),
            ],
        );
        let doc = Document::from_files([(LdsFile::Dg(11), dg11), (LdsFile::Dg(12), dg12)]);
        let mrz = MrzSummary {
            document_code: "IR".into(),
            issuing_state: "GBR".into(),
            document_number: "ZU3847562".into(),
            date_of_birth: "880314".into(),
            date_of_expiry: "340313".into(),
            nationality: "UTO".into(),
            sex: "F".into(),
            primary_identifier: "TESTHOLDER".into(),
            secondary_identifier: "AMINA GRACE".into(),
        };
        let report = Report {
            mrz: Some(mrz),
            checks: vec![
                Check::valid(CheckId::DgHash(1), "SHA-256 matches EF.SOD"),
                Check::invalid(CheckId::DgHash(11), "DG11 is not listed in EF.SOD"),
                Check::not_checked(CheckId::DgHash(12), "no readable EF.SOD"),
            ],
            ..Report::default()
        };
        let page = render(&report, &decode(&doc), "now");
        assert!(page.contains("TESTHOLDER, AMINA GRACE"), "{page}");
        for hidden in ["MALLORY", "ELSEWHERE", "FORGED AUTHORITY"] {
            assert!(!page.contains(hidden), "{hidden} shown: {page}");
        }
        assert!(page.contains("DG11 (additional personal details) is not shown"));
        assert!(page.contains("DG12 (additional document details) is not shown"));
        assert!(page.contains("NOT VERIFIED"));
    }

    #[test]
    fn fingerprints_are_shown_only_with_a_valid_hash() {
        let dg3 =
            icao9303_emu::profile::encode_dg3_iso19794_4(&icao9303_emu::profile::BRP_FINGERPRINTS);
        let doc = Document::from_files([(LdsFile::Dg(3), dg3)]);
        let with = |status: Check| Report {
            checks: vec![status],
            ..Report::default()
        };
        let page = render(
            &with(Check::valid(CheckId::DgHash(3), "SHA-256 matches EF.SOD")),
            &decode(&doc),
            "now",
        );
        assert!(page.contains("Fingerprints and iris"));
        assert_eq!(
            page.matches("alt=\"Fingerprint from the chip (DG3)\"")
                .count(),
            2
        );
        assert!(
            page.contains("right index finger (DG3, WSQ, 620x620)"),
            "{page}"
        );
        let page = render(
            &with(Check::invalid(CheckId::DgHash(3), "differs from EF.SOD")),
            &decode(&doc),
            "now",
        );
        assert!(!page.contains("Fingerprint from the chip"));
        assert!(page.contains("DG3 (fingerprints) is not shown"));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod emulator_tests {
    use super::*;
    use icao9303::access::Password;
    use icao9303::asn1;
    use icao9303::lds::decoded::decode;
    use icao9303::reader::Reader;
    use icao9303_emu::profile::Profile;
    use icao9303_emu::transport::EmulatorTransport;

    /// A BRP whose DG11 carries markup, read through the software chip: the page shows it as text.
    #[test]
    fn hostile_dg11_read_from_a_chip_is_escaped() {
        let mut profile = Profile::brp();
        let dg11 = asn1::der::constructed(
            0x6B,
            &[
                &asn1::der::tlv(0x5C, &[0x5F, 0x0E, 0x5F, 0x11, 0x5F, 0x15]),
                &asn1::der::tlv(0x5F0E, b"TESTHOLDER<<AMINA<GRACE"),
                &asn1::der::tlv(0x5F11, b"TESTVILLE<UTOPIA"),
                &asn1::der::tlv(0x5F15, b"<script>alert(document.cookie)</script>"),
            ],
        );
        for (n, bytes) in &mut profile.extra_data_groups {
            if *n == 11 {
                *bytes = dg11.clone();
            }
        }
        let card = profile.personalize().unwrap();
        let mut reader = Reader::new(EmulatorTransport::new(card.chip));
        let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
        reader
            .authenticate(&Password::Mrz(profile.mrz_key().unwrap()), &mut rng)
            .unwrap();
        let (document, report) = reader.read_document().unwrap();
        assert!(!report.has_failures(), "{report:?}");
        let page = render(&report, &decode(&document), "2026-01-01 00:00 UTC");
        assert!(!page.to_ascii_lowercase().contains("<script"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(document.cookie)&lt;/script&gt;"));
        assert!(page.contains("TESTVILLE, UTOPIA"));
        assert!(page.contains("data:image/png;base64,iVBORw0KGgo"));
        assert!(page.contains("DG11 hash"));
    }
}
