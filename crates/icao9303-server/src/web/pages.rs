//! The pages' HTML: one layout (header with the tenant, navigation and logout; a skip link; `lang`; the
//! service's stylesheet and script, no inline style or script), and each page's content. Every value
//! from the database or a request goes through [`escape`].

use std::fmt::Write;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use icao9303::report::{CheckStatus, DocumentResult};
use icao9303_html::escape;

use super::session::Person;
use crate::api::ApiError;
use crate::db::{CheckRow, CheckSummary, HistoryEntry};

/// The page a navigation link leads to (marked `aria-current` when shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// The upload form.
    Verify,
    /// The history.
    History,
    /// The statistics.
    Stats,
    /// Any other page.
    None,
}

/// A whole page: the layout around `content`.
pub fn layout(title: &str, person: Option<&Person>, nav: Nav, content: &str) -> String {
    let mut out = String::with_capacity(content.len() + 4096);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} \u{2013} mrtd serve</title>\n\
         <link rel=\"stylesheet\" href=\"/ui/static/style.css\">\n\
         <script src=\"/ui/static/app.js\" defer></script>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to the content</a>\n<header class=\"top\">\n\
         <p class=\"brand\">mrtd serve</p>\n",
        escape(title)
    );
    if let Some(p) = person {
        out.push_str("<nav aria-label=\"Main\"><ul>");
        for (target, href, label) in [
            (Nav::Verify, "/ui/", "Verify a document"),
            (Nav::History, "/ui/history", "History"),
            (Nav::Stats, "/ui/stats", "Statistics"),
        ] {
            let current = if target == nav {
                " aria-current=\"page\""
            } else {
                ""
            };
            let _ = write!(out, "<li><a href=\"{href}\"{current}>{label}</a></li>");
        }
        let _ = write!(
            out,
            "</ul></nav>\n<p class=\"who\">Organisation: <strong>{}</strong></p>\n\
             <form method=\"post\" action=\"/ui/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <button type=\"submit\">Log out</button></form>\n",
            escape(&p.tenant.name),
            escape(&p.csrf)
        );
    }
    let _ = write!(
        out,
        "</header>\n<main id=\"main\" tabindex=\"-1\">\n{content}\n</main>\n</body>\n</html>\n"
    );
    out
}

/// An HTML answer: never cached (pages hold personal data), never sniffed.
pub fn html(status: StatusCode, page: String) -> Response {
    let mut r = (status, page).into_response();
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A page saying what went wrong (announced: `role="alert"`), with the status of the error.
pub fn error_page(person: Option<&Person>, e: &ApiError) -> Response {
    let content = format!(
        "<h1>Something went wrong</h1>\n<div class=\"error\" role=\"alert\">{}</div>\n\
         <p><a href=\"/ui/\">Back to the start</a></p>",
        escape(e.message())
    );
    let mut r = html(e.status(), layout("Error", person, Nav::None, &content));
    if e.status() == StatusCode::SERVICE_UNAVAILABLE || e.status() == StatusCode::TOO_MANY_REQUESTS
    {
        r.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            HeaderValue::from_static("2"),
        );
    }
    r
}

/// The login form (`error`: why the last attempt failed).
pub fn login(csrf: &str, error: Option<&str>) -> String {
    let content = format!(
        "<h1>Log in</h1>\n\
         <p>Log in with your organisation's API key: the key <code>mrtd serve tenant add</code> printed \
         when your organisation was added. The page then keeps you logged in for eight hours, or until \
         you log out.</p>\n\
         <div class=\"error\" role=\"alert\" id=\"login-error\">{}</div>\n\
         <form method=\"post\" action=\"/ui/login\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\n\
         <div class=\"field\"><label for=\"key\">API key</label>\
         <span class=\"hint\" id=\"key-hint\">Starts with mrtd_</span>\
         <input type=\"password\" id=\"key\" name=\"key\" autocomplete=\"current-password\" \
         spellcheck=\"false\" required aria-describedby=\"key-hint\"{}></div>\n\
         <button type=\"submit\">Log in</button>\n</form>",
        escape(error.unwrap_or("")),
        escape(csrf),
        if error.is_some() {
            " aria-invalid=\"true\" autofocus"
        } else {
            " autofocus"
        }
    );
    layout("Log in", None, Nav::None, &content)
}

/// The upload form (`error`: why the last upload was refused).
pub fn upload_form(person: &Person, error: Option<&str>) -> String {
    let content = format!(
        "<h1>Verify a document</h1>\n\
         <p>Send the files of a document read from its chip — the folder <code>mrtd read --out</code> \
         wrote, or the files in it — or a Digital Travel Credential (DTC-VC). The service verifies them \
         as <code>mrtd verify</code> does, keeps the result (never the document's data) and shows the \
         report once.</p>\n\
         <form id=\"upload\" method=\"post\" action=\"/ui/verify\" enctype=\"multipart/form-data\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\n\
         <fieldset><legend>The document</legend>\n\
         <div class=\"field\"><label for=\"folder\">A dump folder</label>\
         <span class=\"hint\" id=\"folder-hint\">Every file in it is sent; EF_COM.bin, EF_SOD.bin, DG1.bin \
         and the other data groups are used, others ignored.</span>\
         <input type=\"file\" id=\"folder\" name=\"files\" webkitdirectory multiple \
         aria-describedby=\"folder-hint\"></div>\n\
         <div class=\"field\"><label for=\"files\">Or the files of a dump</label>\
         <input type=\"file\" id=\"files\" name=\"files\" multiple accept=\".bin\"></div>\n\
         <div class=\"field\"><label for=\"dtc\">Or a DTC-VC file</label>\
         <input type=\"file\" id=\"dtc\" name=\"dtc\"></div>\n\
         </fieldset>\n\
         <div class=\"status\" id=\"upload-status\" role=\"status\" aria-live=\"polite\"></div>\n\
         <div class=\"error\" id=\"upload-error\" role=\"alert\">{}</div>\n\
         <button type=\"submit\">Verify</button>\n</form>\n\
         {}",
        escape(&person.csrf),
        escape(error.unwrap_or("")),
        remote_sessions()
    );
    layout("Verify a document", Some(person), Nav::Verify, &content)
}

/// The place of the remote chip reads (issue 23): the list of remote sessions and their state goes here.
fn remote_sessions() -> &'static str {
    "<section id=\"remote-sessions\" aria-labelledby=\"remote-sessions-title\">\n\
     <h2 id=\"remote-sessions-title\">Remote chip reads</h2>\n\
     <p class=\"muted\">None. This service does not run remote chip reads yet.</p>\n</section>"
}

/// The report of a document just verified: where its check is kept, then the report itself (the HTML
/// report of `mrtd read --html`, shown once: the document's data is not stored).
pub fn report(person: &Person, check_id: &str, time: &str, title: &str, body: &str) -> String {
    let content = format!(
        "<div class=\"stored\" role=\"status\">Check <a href=\"/ui/checks/{id}\"><code>{id}</code></a> \
         stored at {}. The service keeps the result, not the document: this report with the holder's \
         data is shown only now — print it or save the page if you need it. \
         <a href=\"/ui/\">Verify another document</a>.</div>\n{body}",
        escape(time),
        id = escape(check_id),
    );
    layout(title, Some(person), Nav::Verify, &content)
}

/// A stored verdict's name as the report's result.
fn result_of(verdict: &str) -> DocumentResult {
    match verdict {
        "verified" => DocumentResult::Verified,
        "failed" => DocumentResult::Failed,
        _ => DocumentResult::NotVerified,
    }
}

/// A verdict as a short label with its class (for tables).
pub fn verdict_cell(verdict: &str) -> String {
    let result = result_of(verdict);
    format!(
        "<span class=\"verdict-word {}\">{}</span>",
        icao9303_html::verdict_class(result),
        icao9303_html::verdict_headline(result).0
    )
}

/// A stored check: what was concluded and on what grounds, the receipt, and the document's other checks.
pub fn check(
    person: &Person,
    row: &CheckRow,
    holder: Option<&serde_json::Value>,
    others: &[HistoryEntry],
) -> String {
    let result = result_of(&row.verdict);
    let (word, meaning) = icao9303_html::verdict_headline(result);
    let verdict: serde_json::Value = serde_json::from_str(&row.verdict_json).unwrap_or_default();
    let reasons: String = verdict["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str())
        .map(|r| format!("<li>{}</li>", escape(r)))
        .collect();
    let mut out = String::new();
    let _ = write!(
        out,
        "<h1>Check <code>{}</code></h1>\n\
         <div class=\"verdict {}\"><strong>{word}</strong>{}<ul>{reasons}</ul></div>\n\
         <h2>The check</h2>\n<table class=\"kv\">",
        escape(&row.id),
        icao9303_html::verdict_class(result),
        escape(meaning)
    );
    let mut kv = |label: &str, value: &str| {
        if !value.is_empty() {
            let _ = write!(
                out,
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(label),
                escape(value)
            );
        }
    };
    kv("Time (UTC)", &crate::clock::rfc3339(row.created_at));
    kv("Sent as", &row.source);
    if let Some(h) = holder {
        for (field, label) in [
            ("primary_identifier", "Holder's primary identifier"),
            ("secondary_identifier", "Holder's secondary identifier"),
            ("document_number", "Document number"),
        ] {
            kv(label, h[field].as_str().unwrap_or(""));
        }
    }
    kv("Issuing state", row.issuing_state.as_deref().unwrap_or(""));
    kv("Document type", row.document_type.as_deref().unwrap_or(""));
    kv("Trust store version", &row.trust_store_version);
    kv("Software", &row.software_version);
    kv("Report SHA-256", &row.report_sha256);
    kv(
        "Document fingerprint",
        row.document_fingerprint.as_deref().unwrap_or(""),
    );
    out.push_str("</table>\n<h2>Checks</h2>\n");
    let checks: serde_json::Value = serde_json::from_str(&row.checks_json).unwrap_or_default();
    out.push_str(
        "<table class=\"grid checks\"><thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Result</th>\
         <th scope=\"col\">Details</th></tr></thead><tbody>\n",
    );
    for c in checks.as_array().into_iter().flatten() {
        let status = match (c["status"].as_str(), c["warning"].as_bool()) {
            (Some("valid"), Some(true)) => CheckStatus::ValidWithWarning,
            (Some("valid"), _) => CheckStatus::Valid,
            (Some("invalid"), _) => CheckStatus::Invalid,
            _ => CheckStatus::NotChecked,
        };
        let (class, label) = icao9303_html::check_mark(status);
        let _ = writeln!(
            out,
            "<tr class=\"{class}\"><td>{}</td><td class=\"status {class}\">{label}</td><td>{}</td></tr>",
            escape(c["name"].as_str().unwrap_or("")),
            escape(c["reason"].as_str().unwrap_or(""))
        );
    }
    out.push_str("</tbody></table>\n");
    let _ = write!(
        out,
        "<h2>Receipt</h2>\n<p>Signed by the service (JWS, Ed25519). Keep it with the check: \
         <code>mrtd receipt verify FILE --key receipt-key.pub.pem</code> verifies it offline.</p>\n\
         <pre class=\"receipt\" aria-label=\"Receipt\">{}</pre>\n",
        escape(&row.receipt)
    );
    out.push_str("<h2>Other checks of this document</h2>\n");
    let others: Vec<&HistoryEntry> = others.iter().filter(|e| e.check_id != row.id).collect();
    if others.is_empty() {
        out.push_str("<p class=\"muted\">None by your organisation.</p>\n");
    } else {
        out.push_str("<ul>");
        for e in others {
            let _ = write!(
                out,
                "<li>{}: <a href=\"/ui/checks/{id}\"><code>{id}</code></a> {}</li>",
                escape(&e.time),
                verdict_cell(&e.verdict),
                id = escape(&e.check_id)
            );
        }
        out.push_str("</ul>\n");
    }
    layout(&format!("Check {}", row.id), Some(person), Nav::None, &out)
}

/// The history form's values, as given (shown back in the form).
#[derive(Debug, Default)]
pub struct HistoryForm<'a> {
    /// Check id or its start.
    pub check: &'a str,
    /// First day.
    pub from: &'a str,
    /// Last day.
    pub to: &'a str,
}

/// The history: the search form and a page of checks.
pub fn history(
    person: &Person,
    form: &HistoryForm<'_>,
    error: Option<&str>,
    checks: &[CheckSummary],
    page: i64,
    more: bool,
) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<h1>History</h1>\n<p>Your organisation's checks, newest first. Search by check id (or its \
         start) and by day (UTC).</p>\n\
         <form class=\"search\" method=\"get\" action=\"/ui/history\" role=\"search\" \
         aria-label=\"Search the history\">\n\
         <div class=\"field\"><label for=\"check\">Check id</label>\
         <input type=\"text\" id=\"check\" name=\"check\" value=\"{}\" maxlength=\"32\" \
         spellcheck=\"false\" autocomplete=\"off\"></div>\n\
         <div class=\"field\"><label for=\"from\">From</label>\
         <input type=\"date\" id=\"from\" name=\"from\" value=\"{}\"></div>\n\
         <div class=\"field\"><label for=\"to\">To</label>\
         <input type=\"date\" id=\"to\" name=\"to\" value=\"{}\"></div>\n\
         <button type=\"submit\">Search</button>\n</form>\n\
         <div class=\"error\" role=\"alert\">{}</div>\n",
        escape(form.check),
        escape(form.from),
        escape(form.to),
        escape(error.unwrap_or(""))
    );
    if checks.is_empty() {
        out.push_str("<p role=\"status\">No check matches.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<table class=\"grid\" id=\"history\"><caption class=\"visually-hidden\">Checks {} to {}, newest \
             first</caption><thead><tr><th scope=\"col\">Time (UTC)</th><th scope=\"col\">Check</th>\
             <th scope=\"col\">Verdict</th><th scope=\"col\">Issuing state</th>\
             <th scope=\"col\">Document type</th><th scope=\"col\">Sent as</th></tr></thead><tbody>",
            page * super::PAGE_SIZE + 1,
            page * super::PAGE_SIZE + i64::try_from(checks.len()).unwrap_or(0)
        );
        for c in checks {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><a href=\"/ui/checks/{id}\"><code>{id}</code></a></td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&crate::clock::rfc3339(c.created_at)),
                verdict_cell(&c.verdict),
                escape(c.issuing_state.as_deref().unwrap_or("")),
                escape(c.document_type.as_deref().unwrap_or("")),
                escape(&c.source),
                id = escape(&c.id)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    let query = |p: i64| {
        format!(
            "/ui/history?check={}&amp;from={}&amp;to={}&amp;page={p}",
            escape(&url_part(form.check)),
            escape(&url_part(form.from)),
            escape(&url_part(form.to))
        )
    };
    out.push_str("<nav class=\"pager\" aria-label=\"Pages of the history\">");
    if page > 0 {
        let _ = write!(out, "<a href=\"{}\">Newer checks</a>", query(page - 1));
    }
    if more {
        let _ = write!(out, "<a href=\"{}\">Older checks</a>", query(page + 1));
    }
    out.push_str("</nav>\n");
    layout("History", Some(person), Nav::History, &out)
}

/// A form value for a URL's query: only what the fields accept (hex, digits, '-') is kept.
fn url_part(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// The statistics page: the range form, the charts and the numbers.
pub fn stats(
    person: &Person,
    from: &str,
    to: &str,
    error: Option<&str>,
    summary: &crate::api::StatsSummary,
    days: &std::collections::BTreeMap<String, [i64; 3]>,
) -> String {
    use super::charts;
    let mut out = String::new();
    let _ = write!(
        out,
        "<h1>Statistics</h1>\n\
         <form class=\"search\" method=\"get\" action=\"/ui/stats\" aria-label=\"Period\">\n\
         <div class=\"field\"><label for=\"from\">From</label>\
         <input type=\"date\" id=\"from\" name=\"from\" value=\"{f}\"></div>\n\
         <div class=\"field\"><label for=\"to\">To</label>\
         <input type=\"date\" id=\"to\" name=\"to\" value=\"{t}\"></div>\n\
         <button type=\"submit\">Show</button>\n</form>\n\
         <div class=\"error\" role=\"alert\">{}</div>\n\
         <p id=\"stats-total\"><strong>{}</strong> {} from {f} to {t} (UTC). \
         <a href=\"/ui/stats.csv?from={f}&amp;to={t}\" download>Download as CSV</a></p>\n",
        escape(error.unwrap_or("")),
        summary.total,
        if summary.total == 1 {
            "check"
        } else {
            "checks"
        },
        f = escape(from),
        t = escape(to),
    );
    out.push_str("<figure class=\"chart-box\"><figcaption>Checks per day</figcaption>");
    out.push_str(&charts::by_day("per-day", days));
    out.push_str("<p class=\"legend-keys\" aria-hidden=\"true\">");
    for (key, _, label) in charts::VERDICTS {
        let _ = write!(out, "<span><i class=\"key-{key}\"></i>{label}</span>");
    }
    out.push_str("</p></figure>\n<div class=\"charts\">\n");
    for (id, title, map) in [
        ("by-verdict", "By verdict", &summary.by_verdict),
        ("by-state", "By issuing state", &summary.by_issuing_state),
        ("by-type", "By document type", &summary.by_document_type),
    ] {
        let _ = writeln!(
            out,
            "<figure class=\"chart-box\"><figcaption>{title}</figcaption>{}</figure>",
            charts::bars(id, title, map)
        );
    }
    out.push_str("</div>\n<h2>The numbers</h2>\n");
    let _ = write!(
        out,
        "<table class=\"grid\"><caption class=\"visually-hidden\">Checks per day by verdict</caption>\
         <thead><tr><th scope=\"col\">Day</th>{}<th scope=\"col\">Total</th></tr></thead><tbody>",
        charts::VERDICTS
            .iter()
            .map(|(_, _, l)| format!("<th scope=\"col\">{l}</th>"))
            .collect::<String>()
    );
    for (day, counts) in days {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th>{}<td>{}</td></tr>",
            escape(day),
            counts
                .iter()
                .map(|c| format!("<td>{c}</td>"))
                .collect::<String>(),
            counts.iter().sum::<i64>()
        );
    }
    out.push_str("</tbody></table>\n");
    layout("Statistics", Some(person), Nav::Stats, &out)
}
