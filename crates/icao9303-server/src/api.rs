//! The HTTP API (`/v1`, JSON): routes, authentication and the handlers. See `docs/openapi.json` (served
//! at `/v1/openapi.json`) for the shapes.
//!
//! Every `/v1` request carries `Authorization: Bearer KEY`; a missing or wrong key gets 401 with an empty
//! body and nothing else. Every query names the caller's tenant: another tenant's check is "not found".
//! Admin endpoints (`/v1/admin/...`) and `/metrics` need the key of a tenant added with `--admin`.
//! `/healthz` and `/readyz` are open (load balancers), and say nothing about checks.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, MatchedPath, Path, Query, Request, State};
use axum::http::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER, WWW_AUTHENTICATE,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::StreamExt;
use icao9303::jsonl::{self, Input};
use icao9303::pki::Time;
use serde::Deserialize;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::db::{Db, Tenant};
use crate::keys::Secrets;
use crate::limits::Limiter;
use crate::metrics::Metrics;
use crate::trust::Trust;
use crate::verification::{self, Source, Submission};

/// What the handlers share.
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Master and receipt keys.
    pub secrets: Secrets,
    /// The trust store in use.
    pub trust: Trust,
    /// Load limits.
    pub limiter: Limiter,
    /// Counters.
    pub metrics: Metrics,
}

/// The shared state.
pub type Shared = Arc<AppState>;

/// An error answer: a status and a JSON `{"error": ...}` body (401: empty body).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "")
    }

    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "no such check")
    }

    fn unavailable(state: &AppState, e: &anyhow::Error) -> ApiError {
        state.metrics.database_error();
        tracing::warn!(error = %e, "database operation failed");
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "the database is unavailable; try again".into(),
            retry_after: Some(2),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status == StatusCode::UNAUTHORIZED {
            let mut r = StatusCode::UNAUTHORIZED.into_response();
            r.headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return r;
        }
        let mut r = (
            self.status,
            [(CONTENT_TYPE, "application/json")],
            json!({ "error": self.message }).to_string(),
        )
            .into_response();
        if let Some(secs) = self.retry_after {
            r.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        r
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, "application/json")], body).into_response()
}

/// SHA-256 (hex) of an API key: what the tenants table keeps.
pub fn key_hash(key: &str) -> String {
    crate::audit::sha256_hex(key.as_bytes())
}

/// The authenticated caller.
pub struct Caller(pub Tenant);

impl FromRequestParts<Shared> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        let key = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
            .map(|(_, key)| key.trim())
            .filter(|k| !k.is_empty() && k.len() <= 256)
            .ok_or_else(ApiError::unauthorized)?;
        let hash = key_hash(key);
        let found = state
            .db
            .tenant_by_key_hash(&hash)
            .await
            .map_err(|e| ApiError::unavailable(state, &e))?;
        match found {
            Some((tenant, stored)) if bool::from(stored.as_bytes().ct_eq(hash.as_bytes())) => {
                Ok(Caller(tenant))
            }
            _ => Err(ApiError::unauthorized()),
        }
    }
}

/// The authenticated caller, who must be an admin tenant.
pub struct Admin(pub Tenant);

impl FromRequestParts<Shared> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        let Caller(tenant) = Caller::from_request_parts(parts, state).await?;
        if !tenant.admin {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "this needs an admin tenant's key",
            ));
        }
        Ok(Admin(tenant))
    }
}

/// The routes, with request logging and metrics.
pub fn router(state: Shared) -> Router {
    let small = axum::extract::DefaultBodyLimit::max(64 * 1024);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/v1/openapi.json", get(openapi))
        .route("/v1/receipt-key", get(receipt_key))
        .route("/v1/verifications", post(post_verifications))
        .route("/v1/verifications/{id}", get(get_verification))
        .route("/v1/history", get(get_history).post(post_history))
        .route("/v1/stats", get(get_stats))
        .route("/v1/admin/trust/reload", post(reload_trust))
        .route("/v1/admin/purge", post(purge))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            track,
        ))
        .layer(small)
        .with_state(state)
}

/// Logs each request (method, route template, status, time: never the query, the body or a header) and
/// counts it.
async fn track(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    state.metrics.request(&method, &route, status);
    tracing::info!(
        target: "mrtd::http",
        method = %method,
        route = %route,
        status,
        ms = start.elapsed().as_millis() as u64,
        "request"
    );
    response
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, json!({"status": "ok"}).to_string())
}

async fn readyz(State(state): State<Shared>) -> Response {
    let database = matches!(
        tokio::time::timeout(Duration::from_secs(2), state.db.ping()).await,
        Ok(Ok(()))
    );
    let trust = state.trust.current();
    let ready = database && trust.is_some();
    let body = json!({
        "status": if ready { "ready" } else { "not ready" },
        "database": if database { "ok" } else { "unreachable" },
        "trust_store": trust.map(|t| serde_json::to_value(t.summary()).unwrap_or_default()),
    });
    let mut r = json_response(
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        body.to_string(),
    );
    if !ready {
        r.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("2"));
    }
    r
}

async fn metrics(State(state): State<Shared>, _admin: Admin) -> Response {
    let anchors = state
        .trust
        .current()
        .and_then(|t| t.store.as_ref().map(|s| s.anchors().len()))
        .unwrap_or(0);
    let in_flight = state
        .limiter
        .limits()
        .max_in_flight
        .max(1)
        .saturating_sub(state.limiter.available_in_flight());
    (
        StatusCode::OK,
        [(CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(anchors, in_flight),
    )
        .into_response()
}

async fn openapi(_caller: Caller) -> Response {
    json_response(StatusCode::OK, crate::openapi::document_text())
}

async fn receipt_key(State(state): State<Shared>, _caller: Caller) -> Response {
    (
        StatusCode::OK,
        [(CONTENT_TYPE, "application/x-pem-file")],
        state.secrets.receipt.public_key_pem(),
    )
        .into_response()
}

/// The kind of body a verification request carries, by its content type.
enum UploadKind {
    /// `application/json`: `{"files": {...}}`.
    Json,
    /// `application/octet-stream`: a DTC-VC (DER).
    Dtc,
    /// `application/x-ndjson` (or `application/jsonl`): JSON Lines, one document per line.
    Lines,
}

fn upload_kind(headers: &HeaderMap) -> Result<UploadKind, ApiError> {
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match ct.as_str() {
        "application/json" => Ok(UploadKind::Json),
        "application/octet-stream" | "application/vnd.icao.dtc-vc" => Ok(UploadKind::Dtc),
        "application/x-ndjson" | "application/jsonl" | "application/json-lines" => {
            Ok(UploadKind::Lines)
        }
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type: application/json (a dump's files), application/octet-stream (a DTC-VC) or \
             application/x-ndjson (JSON Lines)",
        )),
    }
}

fn rate(state: &AppState, tenant: &Tenant) -> Result<(), ApiError> {
    state.limiter.take(&tenant.id).map_err(|wait| {
        state.metrics.rate_limited();
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: "too many requests for this tenant; slow down".into(),
            retry_after: Some(wait.as_secs_f64().ceil() as u64),
        }
    })
}

/// Verifies on a worker thread and stores the check; `Err` is the reason an input could not be verified
/// (not a document) or stored.
async fn verify_and_store(
    state: &Shared,
    tenant: &Tenant,
    submission: Submission,
    source: Source,
    trust_section: bool,
) -> Result<verification::Outcome, ApiError> {
    let trust = state.trust.current().ok_or_else(|| ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        message: "no trust store loaded yet".into(),
        retry_after: Some(2),
    })?;
    let _slot = state.limiter.worker().await;
    let now = crate::clock::now_ms();
    let at = Time::from_unix(u64::try_from(now / 1000).unwrap_or(0));
    let started = Instant::now();
    let for_worker = Arc::clone(&trust);
    let verified = tokio::task::spawn_blocking(move || {
        verification::verify(submission, &for_worker, at, trust_section)
    })
    .await;
    drop(_slot);
    let (report, sod) = match verified {
        Ok(Ok(done)) => done,
        Ok(Err(reason)) => {
            state.metrics.unreadable();
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, reason));
        }
        Err(_) => {
            tracing::error!("verification failed internally");
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error while verifying this document",
            ));
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let outcome = verification::outcome(
        &report,
        sod.as_deref(),
        tenant,
        &state.secrets,
        &trust,
        source,
        now,
    )
    .map_err(|e| {
        tracing::error!(error = %e, "preparing the check failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    })?;
    state
        .db
        .insert_check(&outcome.row)
        .await
        .map_err(|e| ApiError::unavailable(state, &e))?;
    state.metrics.verified(outcome.verdict, seconds);
    tracing::info!(
        target: "mrtd::check",
        check_id = %outcome.row.id,
        verdict = outcome.verdict,
        source = %outcome.row.source,
        "check stored"
    );
    Ok(outcome)
}

/// The query of `POST /v1/verifications`.
#[derive(Deserialize)]
struct VerifyQuery {
    /// `full`: the report carries its trust section (what the trust store loaded, anchored and rejected),
    /// as `mrtd verify`'s does.
    trust: Option<String>,
}

async fn post_verifications(
    State(state): State<Shared>,
    Caller(tenant): Caller,
    headers: HeaderMap,
    Query(query): Query<VerifyQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let trust_section = match query.trust.as_deref() {
        None => false,
        Some("full") => true,
        Some(_) => return Err(ApiError::bad_request("trust= full, or leave it out")),
    };
    let kind = upload_kind(&headers)?;
    rate(&state, &tenant)?;
    let permit = state.limiter.try_in_flight().ok_or_else(|| {
        state.metrics.overloaded();
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "the service is at its limit of verifications in progress; try again".into(),
            retry_after: Some(1),
        }
    })?;
    if let UploadKind::Lines = kind {
        return Ok(batch(state, tenant, body, permit));
    }
    let limit = state.limiter.limits().max_body;
    let bytes = tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, limit))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the body did not arrive within {} s",
                    BODY_TIMEOUT.as_secs()
                ),
            )
        })?
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is larger than {limit} bytes, or was cut off"),
            )
        })?;
    let (submission, source) = match kind {
        UploadKind::Dtc => (Submission::Dtc(bytes.to_vec()), Source::DtcVc),
        _ => match jsonl::parse_line(&bytes, 1) {
            Input::Files { files, .. } => (Submission::Files(files), Source::Dump),
            Input::Unreadable { reason, .. } => return Err(ApiError::bad_request(reason)),
        },
    };
    drop(bytes);
    let outcome = verify_and_store(&state, &tenant, submission, source, trust_section).await?;
    drop(permit);
    let mut r = json_response(StatusCode::CREATED, outcome.answer_json());
    if let Ok(v) = HeaderValue::from_str(&format!("/v1/verifications/{}", outcome.row.id)) {
        r.headers_mut().insert(LOCATION, v);
    }
    Ok(r)
}

/// Time a single upload's body has to arrive (a slow sender holds an in-flight place meanwhile).
const BODY_TIMEOUT: Duration = Duration::from_secs(60);

/// How many documents of one batch are verified at once.
fn batch_window(state: &AppState) -> usize {
    state.limiter.limits().workers.max(1) * 2
}

/// A JSON Lines batch: the body is read line by line on a blocking thread (by the same decoder as `mrtd
/// verify -`), each document verified and stored, and one line answered per input line, in order, as the
/// documents are done. The client's reading paces the work: nothing runs more than a window ahead.
fn batch(
    state: Shared,
    tenant: Tenant,
    body: Body,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> Response {
    use futures_util::TryStreamExt;
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
    let reader = std::io::BufReader::with_capacity(64 * 1024, reader);
    let (tx, rx) = tokio::sync::mpsc::channel::<Input>(4);
    tokio::task::spawn_blocking(move || {
        for input in jsonl::lines(reader) {
            if tx.blocking_send(input).is_err() {
                break;
            }
        }
    });
    let window = batch_window(&state);
    let inputs = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|input| (input, rx))
    });
    let tenant = Arc::new(tenant);
    let lines = inputs
        .map(move |input| {
            let state = Arc::clone(&state);
            let tenant = Arc::clone(&tenant);
            async move { batch_line(&state, &tenant, input).await }
        })
        .buffered(window)
        .map(move |mut line| {
            // The permit lives as long as the answer streams.
            let _ = &permit;
            line.push('\n');
            Ok::<_, std::convert::Infallible>(Bytes::from(line))
        });
    (
        StatusCode::OK,
        [(CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(lines),
    )
        .into_response()
}

/// The CLI batch's label of a verdict.
fn class_label(verdict: &str) -> &'static str {
    match verdict {
        "verified" => "verified",
        "failed" => "failed",
        _ => "not verified",
    }
}

async fn batch_line(state: &Shared, tenant: &Tenant, input: Input) -> String {
    let (id, files) = match input {
        Input::Unreadable { id, reason } => {
            state.metrics.unreadable();
            return json!({"id": id, "result": "could not read", "error": reason}).to_string();
        }
        Input::Files { id, files } => (id, files),
    };
    state.limiter.take_waiting(&tenant.id).await;
    match verify_and_store(
        state,
        tenant,
        Submission::Files(files),
        Source::Batch,
        false,
    )
    .await
    {
        Ok(outcome) => {
            let head = json!({"id": id, "result": class_label(outcome.verdict)}).to_string();
            let answer = outcome.answer_json();
            // {"id":..,"result":..} + the answer's members.
            format!(
                "{},{}",
                head.trim_end_matches('}'),
                answer.trim_start_matches('{')
            )
        }
        // The service failed (database, internal): the document was not stored and may be sent again.
        Err(e) if e.status.is_server_error() => {
            json!({"id": id, "result": "not stored", "error": e.message}).to_string()
        }
        Err(e) => json!({"id": id, "result": "could not read", "error": e.message}).to_string(),
    }
}

fn is_check_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_fingerprint(fp: &str) -> bool {
    fp.len() == 64 && fp.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

async fn get_verification(
    State(state): State<Shared>,
    Caller(tenant): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    if !is_check_id(&id) {
        return Err(ApiError::not_found());
    }
    let row = state
        .db
        .check(&tenant.id, &id)
        .await
        .map_err(|e| ApiError::unavailable(&state, &e))?
        .ok_or_else(ApiError::not_found)?;
    let holder = match &row.holder_sealed {
        Some(sealed) => {
            let keys = state.secrets.tenant(&tenant.id);
            let plain = keys
                .open(
                    sealed,
                    &verification::holder_binding(&row.id, &row.tenant_id),
                )
                .map_err(|_| {
                    tracing::error!(check_id = %row.id, "sealed holder data does not open");
                    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
                })?;
            serde_json::from_slice::<serde_json::Value>(&plain).ok()
        }
        None => None,
    };
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or_default();
    let body = json!({
        "check_id": row.id,
        "time": crate::clock::rfc3339(row.created_at),
        "source": row.source,
        "verdict": row.verdict,
        "report_verdict": parse(&row.verdict_json),
        "checks": parse(&row.checks_json),
        "issuing_state": row.issuing_state,
        "document_type": row.document_type,
        "trust_store_version": row.trust_store_version,
        "software_version": row.software_version,
        "sod_fingerprint": row.sod_fingerprint,
        "document_fingerprint": row.document_fingerprint,
        "report_sha256": row.report_sha256,
        "receipt": row.receipt,
        "holder": holder,
    });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

#[derive(Deserialize)]
struct HistoryQuery {
    document: Option<String>,
}

/// The MRZ data a caller types to find a document's history (POST, so it stays out of URLs and logs).
#[derive(Deserialize)]
struct HistoryByMrz {
    document_number: String,
    date_of_birth: String,
    date_of_expiry: String,
}

const HISTORY_LIMIT: i64 = 1000;

async fn history_of(state: &Shared, tenant: &Tenant, fp: &str) -> Result<Response, ApiError> {
    let checks = state
        .db
        .history(&tenant.id, fp, HISTORY_LIMIT)
        .await
        .map_err(|e| ApiError::unavailable(state, &e))?;
    let body = json!({
        "document": fp,
        "count": checks.len(),
        "checks": checks,
    });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

async fn get_history(
    State(state): State<Shared>,
    Caller(tenant): Caller,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, ApiError> {
    let fp = q
        .document
        .filter(|d| is_fingerprint(d))
        .ok_or_else(|| {
            ApiError::bad_request(
                "document= the document_fingerprint of a check (64 hexadecimal digits); to search by MRZ \
                 data, POST {\"document_number\", \"date_of_birth\", \"date_of_expiry\"}",
            )
        })?;
    history_of(&state, &tenant, &fp).await
}

async fn post_history(
    State(state): State<Shared>,
    Caller(tenant): Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let q: HistoryByMrz = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "expected {{\"document_number\", \"date_of_birth\", \"date_of_expiry\"}}: {e}"
        ))
    })?;
    let dates_ok = [&q.date_of_birth, &q.date_of_expiry]
        .iter()
        .all(|d| d.len() == 6 && d.bytes().all(|b| b.is_ascii_digit()));
    if !dates_ok || q.document_number.is_empty() || q.document_number.len() > 64 {
        return Err(ApiError::bad_request(
            "document_number (1 to 64 characters) and dates as YYMMDD",
        ));
    }
    let fp = state.secrets.tenant(&tenant.id).document_fingerprint(
        &q.document_number,
        &q.date_of_birth,
        &q.date_of_expiry,
    );
    history_of(&state, &tenant, &fp).await
}

#[derive(Deserialize)]
struct StatsQuery {
    from: Option<String>,
    to: Option<String>,
}

/// A CSV field, quoted; a leading `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet does not
/// run it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

async fn get_stats(
    State(state): State<Shared>,
    Caller(tenant): Caller,
    headers: HeaderMap,
    Query(q): Query<StatsQuery>,
) -> Result<Response, ApiError> {
    const DAY: i64 = 86_400_000;
    let today = crate::clock::parse_day(&crate::clock::day(crate::clock::now_ms())).unwrap_or(0);
    let day = |text: Option<String>, default: i64, name: &str| -> Result<i64, ApiError> {
        match text {
            None => Ok(default),
            Some(t) => crate::clock::parse_day(&t)
                .ok_or_else(|| ApiError::bad_request(format!("{name}: a day as YYYY-MM-DD"))),
        }
    };
    let to = day(q.to, today, "to")?;
    let from = day(q.from, to - 30 * DAY, "from")?;
    if from > to || to - from > 3660 * DAY {
        return Err(ApiError::bad_request(
            "from must not be after to, and the range at most ten years",
        ));
    }
    let rows = state
        .db
        .stats(&tenant.id, from, to + DAY)
        .await
        .map_err(|e| ApiError::unavailable(&state, &e))?;
    let wants_csv = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"));
    if wants_csv {
        let mut csv = String::from("day,verdict,issuing_state,document_type,count\r\n");
        for r in &rows {
            csv.push_str(&format!(
                "{},{},{},{},{}\r\n",
                csv_field(&r.day),
                csv_field(&r.verdict),
                csv_field(&r.issuing_state),
                csv_field(&r.document_type),
                r.count
            ));
        }
        return Ok((
            StatusCode::OK,
            [(CONTENT_TYPE, "text/csv; charset=utf-8")],
            csv,
        )
            .into_response());
    }
    let mut by = [
        std::collections::BTreeMap::<String, i64>::new(),
        std::collections::BTreeMap::new(),
        std::collections::BTreeMap::new(),
        std::collections::BTreeMap::new(),
    ];
    let mut total = 0i64;
    for r in &rows {
        total += r.count;
        for (map, key) in
            by.iter_mut()
                .zip([&r.day, &r.verdict, &r.issuing_state, &r.document_type])
        {
            *map.entry(key.clone()).or_default() += r.count;
        }
    }
    let [by_day, by_verdict, by_state, by_type] = by;
    let body = json!({
        "from": crate::clock::day(from),
        "to": crate::clock::day(to),
        "total": total,
        "by_day": by_day,
        "by_verdict": by_verdict,
        "by_issuing_state": by_state,
        "by_document_type": by_type,
        "rows": rows,
    });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

async fn reload_trust(
    State(state): State<Shared>,
    Admin(admin): Admin,
) -> Result<Response, ApiError> {
    match reload(&state, Some(&admin.id)).await {
        Ok(summary) => Ok(json_response(StatusCode::OK, summary.to_string())),
        Err(e) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the trust store was not reloaded (the previous one stays in use): {e:#}"),
        )),
    }
}

/// Reloads the trust store and records it in the audit log; the summary of the new store.
pub async fn reload(state: &AppState, by: Option<&str>) -> anyhow::Result<serde_json::Value> {
    let result = state.trust.reload().await;
    state.metrics.trust_reload(result.is_ok());
    let loaded = result?;
    let summary = loaded.summary();
    state
        .db
        .audit(&crate::audit::AuditEntry {
            at: crate::clock::now_ms(),
            tenant_id: by.map(str::to_owned),
            action: "trust.reloaded".into(),
            subject: None,
            detail: serde_json::to_value(&summary)?,
        })
        .await?;
    tracing::info!(version = %summary.version, anchors = summary.anchors, "trust store loaded");
    Ok(serde_json::to_value(&summary)?)
}

async fn purge(State(state): State<Shared>, _admin: Admin) -> Result<Response, ApiError> {
    let purged = state
        .db
        .purge(crate::clock::now_ms())
        .await
        .map_err(|e| ApiError::unavailable(&state, &e))?;
    let body: serde_json::Map<String, serde_json::Value> =
        purged.into_iter().map(|(t, n)| (t, json!(n))).collect();
    Ok(json_response(
        StatusCode::OK,
        json!({"purged": body}).to_string(),
    ))
}
