//! The web page for the people doing the checks, served by the same process under `/ui`: log in with
//! the organisation's (tenant's) API key ([`session`]), upload a dump folder, a dump's files or a DTC-VC
//! and see the report — the CLI's HTML report ([`icao9303_html`]), shown once since the document is not
//! stored —, the tenant's history with search by check id and day, and the management-information charts
//! ([`charts`]). Plain server-rendered HTML ([`pages`]) and one small script; every query names the
//! logged-in tenant.
//!
//! Every answer carries a Content-Security-Policy without `unsafe-inline` (scripts and styles only from
//! the service's own files, images only `data:`, forms only to the service, no framing), `nosniff`, no
//! referrer; pages are not cached.

mod charts;
pub mod pages;
pub mod session;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use icao9303::lds::LdsFile;
use serde::Deserialize;

use crate::api::{self, ApiError, Render, Shared};
use crate::verification::{Source, Submission};
use session::{Person, redirect};

/// Checks per page of the history.
pub const PAGE_SIZE: i64 = 50;
/// Most parts of an upload form (a dump has at most EF.COM, EF.SOD, DG1–DG16 and a few more; a folder
/// may hold other files, which are ignored).
const MAX_PARTS: usize = 64;

/// The Content-Security-Policy of every page.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The stylesheet: the report's, then the page's own.
fn stylesheet() -> &'static str {
    static CSS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSS.get_or_init(|| format!("{}\n{}", icao9303_html::STYLE, include_str!("web.css")))
}

/// The routes of the web page.
pub fn routes(state: &Shared) -> Router<Shared> {
    let upload_limit = DefaultBodyLimit::max(state.limiter.limits().max_body);
    Router::new()
        .route("/", get(|| async { redirect("/ui/") }))
        .route("/ui", get(|| async { redirect("/ui/") }))
        .route("/ui/", get(home))
        .route("/ui/login", get(login_form).post(login))
        .route("/ui/logout", post(logout))
        .route("/ui/verify", post(verify).layer(upload_limit))
        .route("/ui/checks/{id}", get(check))
        .route("/ui/history", get(history))
        .route("/ui/stats", get(stats))
        .route("/ui/stats.csv", get(stats_csv))
        .route("/ui/static/style.css", get(style))
        .route("/ui/static/app.js", get(script))
        .layer(axum::middleware::from_fn(security_headers))
}

/// The headers every answer of the web page carries.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", stylesheet())
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("app.js"))
}

async fn home(person: Person) -> Response {
    pages::html(StatusCode::OK, pages::upload_form(&person, None))
}

async fn login_form(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match session::person(&headers, &state).await {
        Ok(Some(_)) => return redirect("/ui/"),
        Ok(None) => {}
        Err(e) => return pages::error_page(None, &e),
    }
    login_page(&state, &headers, StatusCode::OK, None)
}

fn login_page(
    state: &Shared,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    match session::login_token(headers, state.tls) {
        Ok((token, cookie)) => {
            session::with_cookies(pages::html(status, pages::login(&token, error)), cookie)
        }
        Err(_) => pages::error_page(
            None,
            &ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        ),
    }
}

#[derive(Deserialize)]
struct LoginForm {
    key: String,
    csrf: String,
}

async fn login(
    State(state): State<Shared>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    if !session::login_token_ok(&headers, state.tls, &form.csrf) {
        return login_page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            Some("The form had expired or did not come from this page: log in again."),
        );
    }
    // No rate of its own for attempts: a key is 256 random bits (guessing is hopeless), a wrong one costs
    // one indexed look-up as a wrong API key does, and a shared limit would let anyone lock everyone out.
    let key = form.key.trim();
    if key.is_empty() || key.len() > 256 {
        return login_page(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            Some("That is not an API key of this service."),
        );
    }
    let tenant = match api::tenant_by_key(&state, key).await {
        Ok(Some(t)) => t,
        Ok(None) => {
            return login_page(
                &state,
                &headers,
                StatusCode::UNAUTHORIZED,
                Some("That is not an API key of this service."),
            );
        }
        Err(e) => return pages::error_page(None, &e),
    };
    match session::open(&state, &tenant, key).await {
        Ok(cookies) => {
            tracing::info!(target: "mrtd::web", tenant = %tenant.name, "logged in");
            session::with_cookies(redirect("/ui/"), cookies)
        }
        Err(e) => pages::error_page(None, &e),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(state): State<Shared>,
    person: Person,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if !person.csrf_ok(&form.csrf) {
        return pages::error_page(Some(&person), &forbidden());
    }
    match session::close(&state, &person).await {
        Ok(cookie) => session::with_cookies(redirect("/ui/login"), [cookie]),
        Err(e) => pages::error_page(Some(&person), &e),
    }
}

fn forbidden() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "The form did not come from this page of the service (its security token is missing or wrong). \
         Reload the page and try again.",
    )
}

/// An upload form's document, as read from its parts.
struct Upload {
    files: Vec<(LdsFile, Vec<u8>)>,
    dtc: Option<Vec<u8>>,
    ignored: usize,
}

/// Reads the upload form: the CSRF token first, then the files. Files are named by their last path
/// component (a folder upload sends `dump/EF_SOD.bin`); names that are not dump or LDS file names are
/// ignored; a file given twice is refused.
async fn read_upload(person: &Person, mut multipart: Multipart) -> Result<Upload, ApiError> {
    let too_large = |e: axum::extract::multipart::MultipartError| {
        ApiError::new(
            e.status(),
            format!("the upload could not be read: {}", e.body_text()),
        )
    };
    let first = multipart.next_field().await.map_err(too_large)?;
    let csrf_ok = match first {
        Some(field) if field.name() == Some("csrf") => {
            let value = field.text().await.map_err(too_large)?;
            person.csrf_ok(value.trim())
        }
        _ => false,
    };
    if !csrf_ok {
        return Err(forbidden());
    }
    let mut upload = Upload {
        files: Vec::new(),
        dtc: None,
        ignored: 0,
    };
    let mut parts = 1;
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("more than {MAX_PARTS} files: send one document's dump folder"),
            ));
        }
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field
            .file_name()
            .unwrap_or("")
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .to_owned();
        let bytes = field.bytes().await.map_err(too_large)?;
        if file_name.is_empty() && bytes.is_empty() {
            continue; // an input left empty
        }
        match name.as_str() {
            "files" => match icao9303::jsonl::file_named(&file_name) {
                Some(file) => {
                    if upload.files.iter().any(|(f, _)| *f == file) {
                        return Err(ApiError::new(
                            StatusCode::BAD_REQUEST,
                            format!(
                                "{} was sent twice: send one document at a time",
                                file.name()
                            ),
                        ));
                    }
                    upload.files.push((file, bytes.to_vec()));
                }
                None => upload.ignored += 1,
            },
            "dtc" => {
                if upload.dtc.is_some() {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "send one DTC-VC at a time",
                    ));
                }
                upload.dtc = Some(bytes.to_vec());
            }
            _ => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "the upload form has an unknown field",
                ));
            }
        }
    }
    Ok(upload)
}

async fn verify(State(state): State<Shared>, person: Person, multipart: Multipart) -> Response {
    match verify_upload(&state, &person, multipart).await {
        Ok(page) => pages::html(StatusCode::OK, page),
        Err(e) if e.status() == StatusCode::FORBIDDEN => pages::error_page(Some(&person), &e),
        Err(e) => {
            let mut r = pages::html(e.status(), pages::upload_form(&person, Some(e.message())));
            if let Some(v) = matches!(
                e.status(),
                StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS
            )
            .then_some(HeaderValue::from_static("2"))
            {
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            r
        }
    }
}

async fn verify_upload(
    state: &Shared,
    person: &Person,
    multipart: Multipart,
) -> Result<String, ApiError> {
    let tenant = &person.tenant;
    api::rate(state, tenant)?;
    let permit = state
        .limiter
        .try_in_flight()
        .ok_or_else(|| api::overloaded(state))?;
    let timeout = state.limiter.limits().body_timeout;
    let upload = tokio::time::timeout(timeout, read_upload(person, multipart))
        .await
        .map_err(|_| api::body_late(timeout))??;
    let (submission, source) = match (upload.dtc, upload.files.is_empty()) {
        (Some(_), false) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "send either a dump's files or a DTC-VC, not both",
            ));
        }
        (Some(dtc), true) => (Submission::Dtc(dtc), Source::DtcVc),
        (None, false) => (Submission::Files(upload.files), Source::Dump),
        (None, true) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                if upload.ignored > 0 {
                    format!(
                        "none of the {} files sent is a dump file (EF_COM.bin, EF_SOD.bin, DG1.bin, ...)",
                        upload.ignored
                    )
                } else {
                    "no file was sent: choose a dump folder, its files, or a DTC-VC file".to_owned()
                },
            ));
        }
    };
    let (outcome, body) =
        api::verify_and_store(state, tenant, submission, source, false, Render::Page).await?;
    drop(permit);
    let report: serde_json::Value = serde_json::from_str(&outcome.report_json).unwrap_or_default();
    let title = match (
        report["mrz"]["document_code"].as_str(),
        report["mrz"]["document_number"].as_str(),
    ) {
        (Some(code), Some(number)) => format!("Report: {} {number}", code.trim_end_matches('<')),
        _ => "Report".to_owned(),
    };
    Ok(pages::report(
        person,
        &outcome.row.id,
        &crate::clock::rfc3339(outcome.row.created_at),
        &title,
        &body.unwrap_or_default(),
    ))
}

async fn check(State(state): State<Shared>, person: Person, Path(id): Path<String>) -> Response {
    let not_found = || {
        pages::error_page(
            Some(&person),
            &ApiError::new(
                StatusCode::NOT_FOUND,
                "No such check for your organisation.",
            ),
        )
    };
    let id = id.to_ascii_lowercase();
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return not_found();
    }
    let row = match state.db.check(&person.tenant.id, &id).await {
        Ok(Some(row)) => row,
        Ok(None) => return not_found(),
        Err(e) => return pages::error_page(Some(&person), &ApiError::unavailable(&state, &e)),
    };
    let holder = row.holder_sealed.as_ref().and_then(|sealed| {
        let plain = state
            .secrets
            .tenant(&person.tenant.id)
            .open(
                sealed,
                &crate::verification::holder_binding(&row.id, &row.tenant_id),
            )
            .ok()?;
        serde_json::from_slice::<serde_json::Value>(&plain).ok()
    });
    let others = match &row.document_fingerprint {
        Some(fp) => match state.db.history(&person.tenant.id, fp, 100).await {
            Ok(o) => o,
            Err(e) => return pages::error_page(Some(&person), &ApiError::unavailable(&state, &e)),
        },
        None => Vec::new(),
    };
    pages::html(
        StatusCode::OK,
        pages::check(&person, &row, holder.as_ref(), &others),
    )
}

#[derive(Deserialize, Default)]
struct HistoryQuery {
    #[serde(default)]
    check: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: Option<i64>,
}

async fn history(
    State(state): State<Shared>,
    person: Person,
    Query(q): Query<HistoryQuery>,
) -> Response {
    const DAY: i64 = 86_400_000;
    let form = pages::HistoryForm {
        check: q.check.trim(),
        from: q.from.trim(),
        to: q.to.trim(),
    };
    let page = q.page.unwrap_or(0).clamp(0, 10_000);
    let mut error = None;
    let mut filter = crate::db::CheckFilter::default();
    let check = form.check.to_ascii_lowercase();
    if !check.is_empty() {
        if check.len() > 32 || !check.bytes().all(|b| b.is_ascii_hexdigit()) {
            error = Some("A check id is up to 32 hexadecimal digits (0-9, a-f).");
        } else {
            filter.id_prefix = Some(check);
        }
    }
    for (text, slot, add) in [
        (form.from, &mut filter.from, 0),
        (form.to, &mut filter.to, DAY),
    ] {
        if text.is_empty() {
            continue;
        }
        match crate::clock::parse_day(text) {
            Some(ms) => *slot = Some(ms + add),
            None => error = Some("Days are given as YYYY-MM-DD."),
        }
    }
    let (checks, more) = if error.is_some() {
        (Vec::new(), false)
    } else {
        match state
            .db
            .list_checks(&person.tenant.id, &filter, PAGE_SIZE + 1, page * PAGE_SIZE)
            .await
        {
            Ok(mut checks) => {
                let more = i64::try_from(checks.len()).unwrap_or(0) > PAGE_SIZE;
                checks.truncate(usize::try_from(PAGE_SIZE).unwrap_or(50));
                (checks, more)
            }
            Err(e) => {
                return pages::error_page(Some(&person), &ApiError::unavailable(&state, &e));
            }
        }
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    pages::html(
        status,
        pages::history(&person, &form, error, &checks, page, more),
    )
}

#[derive(Deserialize, Default)]
struct StatsQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The tenant's statistics rows for a period.
async fn stats_rows(
    state: &Shared,
    person: &Person,
    q: &StatsQuery,
) -> Result<(i64, i64, Vec<crate::db::StatRow>), ApiError> {
    const DAY: i64 = 86_400_000;
    let (from, to) = api::stats_range(Some(q.from.trim()), Some(q.to.trim()))?;
    let rows = state
        .db
        .stats(&person.tenant.id, from, to + DAY)
        .await
        .map_err(|e| ApiError::unavailable(state, &e))?;
    Ok((from, to, rows))
}

async fn stats(
    State(state): State<Shared>,
    person: Person,
    Query(q): Query<StatsQuery>,
) -> Response {
    let (from, to, rows, error) = match stats_rows(&state, &person, &q).await {
        Ok((from, to, rows)) => (from, to, rows, None),
        Err(e) if e.status() == StatusCode::BAD_REQUEST => {
            let Ok((from, to)) = api::stats_range(None, None) else {
                return pages::error_page(Some(&person), &e);
            };
            (from, to, Vec::new(), Some(e))
        }
        Err(e) => return pages::error_page(Some(&person), &e),
    };
    let summary = api::StatsSummary::of(&rows);
    let mut days: BTreeMap<String, [i64; 3]> = BTreeMap::new();
    // Every day of the period, with or without checks.
    let mut day = from;
    while day <= to {
        days.insert(crate::clock::day(day), [0; 3]);
        day += 86_400_000;
    }
    for r in &rows {
        let slot = charts::VERDICTS
            .iter()
            .position(|(v, _, _)| *v == r.verdict)
            .unwrap_or(1);
        if let Some(counts) = days.get_mut(&r.day) {
            counts[slot] += r.count;
        }
    }
    pages::html(
        if error.is_some() {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        },
        pages::stats(
            &person,
            &crate::clock::day(from),
            &crate::clock::day(to),
            error.as_ref().map(ApiError::message),
            &summary,
            &days,
        ),
    )
}

async fn stats_csv(
    State(state): State<Shared>,
    person: Person,
    Query(q): Query<StatsQuery>,
) -> Response {
    match stats_rows(&state, &person, &q).await {
        Ok((from, to, rows)) => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (CACHE_CONTROL, "no-store".to_owned()),
                (
                    CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"mrtd-stats-{}-{}.csv\"",
                        crate::clock::day(from),
                        crate::clock::day(to)
                    ),
                ),
            ],
            api::stats_csv(&rows),
        )
            .into_response(),
        Err(e) => pages::error_page(Some(&person), &e),
    }
}
