//! The service's API in process (the router driven request by request), against SQLite and a real
//! PostgreSQL server (`test_support::Postgres`; skipped with a message when none can be started).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use base64ct::Encoding;
use icao9303::access::Password;
use icao9303::lds::LdsFile;
use icao9303::pki::TrustStore;
use icao9303::reader::Reader;
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use icao9303_server::api::Shared;
use icao9303_server::test_support::Postgres;
use icao9303_server::{Limits, NewTenant, ServeConfig, StoreConfig};
use serde_json::{Value, json};
use tower::ServiceExt;

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A document's files.
type Files = Vec<(LdsFile, Vec<u8>)>;

/// The `brp` sample read through the emulator: its files and its test CSCA.
fn brp() -> &'static (Files, Vec<u8>) {
    static BRP: OnceLock<(Files, Vec<u8>)> = OnceLock::new();
    BRP.get_or_init(|| {
        let profile = Profile::brp();
        let card = profile.personalize().unwrap();
        let csca = card.pki.csca_der();
        let mut reader = Reader::new(EmulatorTransport::new(card.chip));
        let mut rng = SeededRng::new(b"server test");
        reader
            .authenticate(&Password::Mrz(profile.mrz_key().unwrap()), &mut rng)
            .unwrap();
        let (document, _) = reader.read_document_with_rng(&mut rng).unwrap();
        (document.files.clone().into_iter().collect(), csca)
    })
}

fn files_json(files: &[(LdsFile, Vec<u8>)]) -> Vec<u8> {
    let map: serde_json::Map<String, Value> = files
        .iter()
        .map(|(f, b)| (f.name(), Value::from(base64ct::Base64::encode_string(b))))
        .collect();
    json!({ "files": map }).to_string().into_bytes()
}

/// The brp files with DG1's last byte changed: its hash no longer matches EF.SOD (failed).
fn tampered() -> Files {
    let mut files = brp().0.clone();
    for (f, b) in &mut files {
        if *f == LdsFile::Dg(2) {
            let last = b.len() - 1;
            b[last] ^= 1;
        }
    }
    files
}

struct Harness {
    database_url: Option<String>,
    app: Router,
    state: Shared,
    dir: PathBuf,
    a: NewTenant,
    b: NewTenant,
    admin: NewTenant,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn loader(fail: Arc<std::sync::atomic::AtomicBool>) -> icao9303_server::TrustLoader {
    Arc::new(move || {
        if fail.load(std::sync::atomic::Ordering::SeqCst) {
            anyhow::bail!("trust input unreadable (test)");
        }
        let mut b = TrustStore::builder();
        b.add_certificate(&brp().1, "brp test CSCA")?;
        Ok(Some(b.build()))
    })
}

async fn harness_with(
    backend: Backend,
    limits: Limits,
    fail: Arc<std::sync::atomic::AtomicBool>,
) -> Option<Harness> {
    let dir = std::env::temp_dir().join(format!(
        "mrtd-server-test-{}",
        icao9303_server::keys::new_id().unwrap()
    ));
    let database = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(Postgres::shared()?.fresh_database().await.unwrap()),
    };
    let database_url = database.clone();
    let config = ServeConfig {
        store: StoreConfig {
            data_dir: Some(dir.clone()),
            database,
            master_key: None,
            receipt_key: None,
        },
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        limits,
        trust: loader(fail),
        purge_every: None,
    };
    let state = icao9303_server::server::state(&config).await.unwrap();
    let db = &state.db;
    let a = icao9303_server::server::create_tenant(db, "tenant-a", false, false, 30)
        .await
        .unwrap();
    let b = icao9303_server::server::create_tenant(db, "tenant-b", false, true, 30)
        .await
        .unwrap();
    let admin = icao9303_server::server::create_tenant(db, "ops", true, false, 30)
        .await
        .unwrap();
    Some(Harness {
        database_url,
        app: icao9303_server::api::router(Arc::clone(&state)),
        state,
        dir,
        a,
        b,
        admin,
    })
}

/// A second instance of the service on the harness's database and keys (another replica).
async fn replica(h: &Harness, backend: Backend) -> Router {
    let database = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(h.database_url.clone().unwrap()),
    };
    let config = ServeConfig {
        store: StoreConfig {
            data_dir: Some(h.dir.clone()),
            database,
            master_key: None,
            receipt_key: None,
        },
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        limits: Limits::default(),
        trust: loader(Arc::default()),
        purge_every: None,
    };
    let state = icao9303_server::server::state(&config).await.unwrap();
    icao9303_server::api::router(state)
}

async fn harness(backend: Backend) -> Option<Harness> {
    harness_with(backend, Limits::default(), Arc::default()).await
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

impl Harness {
    async fn call(
        &self,
        method: Method,
        uri: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let response = self
            .app
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, uri: &str, key: &str) -> Answer {
        self.call(Method::GET, uri, Some(key), None, Vec::new())
            .await
    }

    async fn upload(&self, key: &str, files: &[(LdsFile, Vec<u8>)]) -> Answer {
        self.call(
            Method::POST,
            "/v1/verifications",
            Some(key),
            Some("application/json"),
            files_json(files),
        )
        .await
    }
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(super::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(super::Backend::Postgres).await
                }
            }
        )*
    };
}

both!(
    upload_is_verified_stored_and_receipted,
    history_finds_a_repeat,
    stats_add_up,
    a_tenant_never_sees_another_tenants_checks,
    a_wrong_or_missing_key_gets_401_and_nothing_else,
    audit_chain_verifies_and_tampering_is_named,
    hostile_uploads_get_4xx_and_the_server_stays_up,
    a_batch_answers_each_line_in_order,
    concurrent_uploads_keep_one_chain,
    purge_deletes_past_retention_and_is_audited,
    trust_reload_is_admin_only_and_keeps_the_store_on_failure,
    holder_data_only_when_opted_in_and_sealed,
    two_instances_on_one_database_keep_one_chain,
    an_instance_with_other_keys_refuses_the_database,
);

async fn upload_is_verified_stored_and_receipted(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    let answer = h.upload(&h.a.key, &brp().0).await;
    assert_eq!(
        answer.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let v = answer.json();
    assert_eq!(v["verdict"], "verified");
    assert_eq!(v["report"]["verdict"]["result"], "verified");
    let id = v["check_id"].as_str().unwrap().to_owned();
    assert_eq!(
        answer.headers["location"].to_str().unwrap(),
        format!("/v1/verifications/{id}")
    );
    // The receipt verifies with the served public key and binds this answer's report, byte for byte.
    let key = h.get("/v1/receipt-key", &h.a.key).await;
    assert_eq!(key.status, StatusCode::OK);
    let receipt = v["receipt"].as_str().unwrap();
    let claims = icao9303_server::receipt::verify(receipt, &key.body).unwrap();
    assert_eq!(claims.check_id, id);
    assert_eq!(claims.tenant, h.a.tenant.id);
    assert_eq!(claims.verdict, "verified");
    let text = String::from_utf8(answer.body.clone()).unwrap();
    let start = text.find("\"report\":").unwrap() + "\"report\":".len();
    let raw_report = &text[start..text.len() - 1];
    assert_eq!(
        icao9303_server::receipt::report_sha256(raw_report),
        claims.report_sha256
    );
    // The stored check: the same verdict and check results, the trust store version, fingerprints.
    let stored = h.get(&format!("/v1/verifications/{id}"), &h.a.key).await;
    assert_eq!(stored.status, StatusCode::OK);
    let s = stored.json();
    assert_eq!(s["verdict"], "verified");
    assert_eq!(s["checks"], v["report"]["checks"]);
    assert_eq!(s["report_verdict"], v["report"]["verdict"]);
    assert_eq!(s["issuing_state"], "GBR");
    assert_eq!(s["receipt"], v["receipt"]);
    assert_eq!(
        s["trust_store_version"].as_str().unwrap(),
        claims.trust_store_version
    );
    assert_eq!(
        s["trust_store_version"].as_str().unwrap(),
        h.state.trust.current().unwrap().version
    );
    assert_eq!(s["holder"], Value::Null, "tenant a did not opt in");
    assert_eq!(s["document_fingerprint"].as_str().unwrap().len(), 64);
    // Nothing of the document's data in the stored row.
    let row = h
        .state
        .db
        .check(&h.a.tenant.id, &id)
        .await
        .unwrap()
        .unwrap();
    let all = serde_json::to_string(&row).unwrap();
    for personal in ["ZU3847562", "880314", "340313"] {
        assert!(!all.contains(personal), "{personal} stored");
    }
}

async fn history_finds_a_repeat(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    let first = h.upload(&h.a.key, &brp().0).await.json();
    let second = h.upload(&h.a.key, &brp().0).await.json();
    let id1 = first["check_id"].as_str().unwrap();
    let id2 = second["check_id"].as_str().unwrap();
    let stored = h
        .get(&format!("/v1/verifications/{id1}"), &h.a.key)
        .await
        .json();
    let fp = stored["document_fingerprint"].as_str().unwrap();
    let history = h.get(&format!("/v1/history?document={fp}"), &h.a.key).await;
    assert_eq!(history.status, StatusCode::OK);
    let history = history.json();
    assert_eq!(history["count"], 2);
    let ids: Vec<&str> = history["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&id1) && ids.contains(&id2));
    // The same found by the MRZ data, posted.
    let by_mrz = h
        .call(
            Method::POST,
            "/v1/history",
            Some(&h.a.key),
            Some("application/json"),
            json!({"document_number": "ZU3847562", "date_of_birth": "880314", "date_of_expiry": "340313"})
                .to_string()
                .into_bytes(),
        )
        .await
        .json();
    assert_eq!(by_mrz["count"], 2);
    assert_eq!(by_mrz["document"], fp);
    // Another document is not in it.
    let other = h
        .call(
            Method::POST,
            "/v1/history",
            Some(&h.a.key),
            Some("application/json"),
            json!({"document_number": "ZU3847563", "date_of_birth": "880314", "date_of_expiry": "340313"})
                .to_string()
                .into_bytes(),
        )
        .await
        .json();
    assert_eq!(other["count"], 0);
    let bad = h.get("/v1/history?document=ZU3847562", &h.a.key).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

async fn stats_add_up(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    for _ in 0..3 {
        assert_eq!(
            h.upload(&h.a.key, &brp().0).await.status,
            StatusCode::CREATED
        );
    }
    for _ in 0..2 {
        let a = h.upload(&h.a.key, &tampered()).await;
        assert_eq!(a.json()["verdict"], "failed");
    }
    h.upload(&h.b.key, &brp().0).await;
    let stats = h.get("/v1/stats", &h.a.key).await;
    assert_eq!(stats.status, StatusCode::OK);
    let s = stats.json();
    assert_eq!(s["total"], 5);
    assert_eq!(s["by_verdict"]["verified"], 3);
    assert_eq!(s["by_verdict"]["failed"], 2);
    assert_eq!(s["by_issuing_state"]["GBR"], 5);
    let today = icao9303_server::clock::day(icao9303_server::clock::now_ms());
    assert_eq!(s["by_day"][&today], 5);
    let rows: i64 = s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_i64().unwrap())
        .sum();
    assert_eq!(rows, 5);
    let csv = h
        .call(Method::GET, "/v1/stats", Some(&h.a.key), None, Vec::new())
        .await;
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("json")
    );
    let mut req = Request::builder()
        .uri(format!("/v1/stats?from={today}&to={today}"))
        .header("authorization", format!("Bearer {}", h.a.key))
        .header("accept", "text/csv");
    req = req.method(Method::GET);
    let response = h
        .app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let text = String::from_utf8(body.to_vec()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("day,verdict,issuing_state,document_type,count")
    );
    let sum: i64 = lines
        .map(|l| l.rsplit(',').next().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(sum, 5);
    // A range before any check is empty; a bad date is refused.
    let empty = h
        .get("/v1/stats?from=2020-01-01&to=2020-01-31", &h.a.key)
        .await
        .json();
    assert_eq!(empty["total"], 0);
    assert_eq!(
        h.get("/v1/stats?from=2020-02-30", &h.a.key).await.status,
        StatusCode::BAD_REQUEST
    );
}

async fn a_tenant_never_sees_another_tenants_checks(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    let v = h.upload(&h.a.key, &brp().0).await.json();
    let id = v["check_id"].as_str().unwrap();
    let a_view = h.get(&format!("/v1/verifications/{id}"), &h.a.key).await;
    assert_eq!(a_view.status, StatusCode::OK);
    let fp = a_view.json()["document_fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    // By id: not found, the same answer as for an id that does not exist.
    let b_view = h.get(&format!("/v1/verifications/{id}"), &h.b.key).await;
    assert_eq!(b_view.status, StatusCode::NOT_FOUND);
    let none = h
        .get(
            "/v1/verifications/00000000000000000000000000000000",
            &h.b.key,
        )
        .await;
    assert_eq!(b_view.body, none.body);
    // By history: neither with A's fingerprint nor with the MRZ data.
    let b_hist = h
        .get(&format!("/v1/history?document={fp}"), &h.b.key)
        .await
        .json();
    assert_eq!(b_hist["count"], 0);
    let b_mrz = h
        .call(
            Method::POST,
            "/v1/history",
            Some(&h.b.key),
            Some("application/json"),
            json!({"document_number": "ZU3847562", "date_of_birth": "880314", "date_of_expiry": "340313"})
                .to_string()
                .into_bytes(),
        )
        .await
        .json();
    assert_eq!(b_mrz["count"], 0);
    assert_ne!(b_mrz["document"], fp, "fingerprints are per tenant");
    // By stats.
    assert_eq!(h.get("/v1/stats", &h.b.key).await.json()["total"], 0);
    assert_eq!(h.get("/v1/stats", &h.a.key).await.json()["total"], 1);
    // The admin tenant is a tenant too: it does not see A's checks either.
    assert_eq!(
        h.get(&format!("/v1/verifications/{id}"), &h.admin.key)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn a_wrong_or_missing_key_gets_401_and_nothing_else(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    let v = h.upload(&h.a.key, &brp().0).await.json();
    let id = v["check_id"].as_str().unwrap();
    // The right key with its last digit changed.
    let (head, last) = h.a.key.split_at(h.a.key.len() - 1);
    let wrong = format!("{head}{}", if last == "0" { "1" } else { "0" });
    let routes: Vec<(Method, String)> = vec![
        (Method::GET, format!("/v1/verifications/{id}")),
        (Method::POST, "/v1/verifications".into()),
        (Method::GET, "/v1/history?document=00".into()),
        (Method::POST, "/v1/history".into()),
        (Method::GET, "/v1/stats".into()),
        (Method::GET, "/v1/openapi.json".into()),
        (Method::GET, "/v1/receipt-key".into()),
        (Method::POST, "/v1/admin/trust/reload".into()),
        (Method::POST, "/v1/admin/purge".into()),
        (Method::GET, "/metrics".into()),
    ];
    for (method, uri) in &routes {
        for auth in [
            None,
            Some(format!("Bearer {wrong}")),
            Some("Bearer ".to_string()),
            Some(format!("Basic {}", h.a.key)),
            Some(format!("Bearer {}", "x".repeat(10_000))),
        ] {
            let mut req = Request::builder().method(method.clone()).uri(uri);
            if let Some(a) = &auth {
                req = req.header("authorization", a);
            }
            let response = h
                .app
                .clone()
                .oneshot(
                    req.header("content-type", "application/json")
                        .body(Body::from(files_json(&brp().0)))
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {uri} {auth:?}"
            );
            let headers: Vec<&str> = response
                .headers()
                .keys()
                .map(|k| k.as_str())
                .filter(|k| *k != "content-length")
                .collect();
            assert_eq!(headers, vec!["www-authenticate"], "{method} {uri}");
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            assert!(body.is_empty(), "{method} {uri}: a body");
        }
    }
    // Nothing was stored by the refused uploads.
    assert_eq!(h.get("/v1/stats", &h.a.key).await.json()["total"], 1);
    // A tenant that is not admin is forbidden the admin routes.
    for uri in ["/v1/admin/trust/reload", "/v1/admin/purge"] {
        let r = h
            .call(Method::POST, uri, Some(&h.a.key), None, Vec::new())
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(
        h.get("/metrics", &h.a.key).await.status,
        StatusCode::FORBIDDEN
    );
    let metrics = h.get("/metrics", &h.admin.key).await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = String::from_utf8(metrics.body).unwrap();
    assert!(text.contains("mrtd_verifications_total{verdict=\"verified\"} 1"));
    assert!(!text.contains(id), "no check ids in metrics");
    assert!(!text.contains("tenant-a"), "no tenant names in metrics");
    // Health and readiness are open.
    let ready = h.call(Method::GET, "/readyz", None, None, Vec::new()).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["database"], "ok");
    assert_eq!(
        h.call(Method::GET, "/healthz", None, None, Vec::new())
            .await
            .status,
        StatusCode::OK
    );
}

async fn audit_chain_verifies_and_tampering_is_named(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(
            h.upload(&h.a.key, &brp().0).await.json()["check_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let report = h.state.db.verify_audit().await.unwrap();
    assert_eq!(report.broken, None);
    // 3 tenants, 1 trust load, 3 checks.
    assert_eq!(report.entries, 7);
    let pool = h.state.db.pool();
    // A stored check changed afterwards is named.
    sqlx::query("UPDATE checks SET verdict = 'failed' WHERE id = $1")
        .bind(&ids[1])
        .execute(pool)
        .await
        .unwrap();
    let report = h.state.db.verify_audit().await.unwrap();
    let broken = report.broken.unwrap();
    assert!(
        broken.contains(&ids[1]) && broken.contains("changed"),
        "{broken}"
    );
    sqlx::query("UPDATE checks SET verdict = 'verified' WHERE id = $1")
        .bind(&ids[1])
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(h.state.db.verify_audit().await.unwrap().broken, None);
    // A check deleted outside the purge is named.
    sqlx::query("DELETE FROM checks WHERE id = $1")
        .bind(&ids[2])
        .execute(pool)
        .await
        .unwrap();
    let broken = h.state.db.verify_audit().await.unwrap().broken.unwrap();
    assert!(
        broken.contains(&ids[2]) && broken.contains("deleted"),
        "{broken}"
    );
    // An audit row changed is named by its number, and nothing after it is trusted.
    sqlx::query("UPDATE audit_log SET detail = '{\"verdict\":\"failed\"}' WHERE seq = 5")
        .execute(pool)
        .await
        .unwrap();
    let report = h.state.db.verify_audit().await.unwrap();
    assert_eq!(report.entries, 4);
    let broken = report.broken.unwrap();
    assert!(broken.starts_with("audit row 5:"), "{broken}");
    // A row removed from the middle.
    sqlx::query("DELETE FROM audit_log WHERE seq = 3")
        .execute(pool)
        .await
        .unwrap();
    let broken = h.state.db.verify_audit().await.unwrap().broken.unwrap();
    assert!(
        broken.contains("audit row 4") && broken.contains("missing"),
        "{broken}"
    );
}

async fn hostile_uploads_get_4xx_and_the_server_stays_up(backend: Backend) {
    let limits = Limits {
        max_body: 1024 * 1024,
        ..Limits::default()
    };
    let Some(h) = harness_with(backend, limits, Arc::default()).await else {
        return;
    };
    let post = |ct: &'static str, body: Vec<u8>| {
        let h = &h;
        async move {
            h.call(
                Method::POST,
                "/v1/verifications",
                Some(&h.a.key),
                Some(ct),
                body,
            )
            .await
        }
    };
    let cases: Vec<(&str, &'static str, Vec<u8>, StatusCode)> = vec![
        (
            "huge",
            "application/json",
            vec![b' '; 2 * 1024 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "deeply nested",
            "application/json",
            format!("{}{}", "[".repeat(200_000), "]".repeat(200_000)).into_bytes(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "deeply nested inside files",
            "application/json",
            format!(
                "{{\"files\": {{\"DG1\": {}{}}}}}",
                "{\"a\":".repeat(50_000),
                "1}".repeat(50_000)
            )
            .into_bytes(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "not JSON",
            "application/json",
            b"\x00\xff not json".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "wrong base64",
            "application/json",
            br#"{"files": {"EF.SOD": "!!!notbase64", "DG1": "AA=="}}"#.to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "unknown file name",
            "application/json",
            br#"{"files": {"DG99": "AA=="}}"#.to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "no files",
            "application/json",
            br#"{"files": {}}"#.to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "wrong content type",
            "text/plain",
            b"hello".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "not a DTC-VC",
            "application/octet-stream",
            vec![0x30, 0x82, 0xff, 0xff, 0x01],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (what, ct, body, expected) in cases {
        let a = post(ct, body).await;
        assert_eq!(
            a.status,
            expected,
            "{what}: {}",
            String::from_utf8_lossy(&a.body)
        );
        assert!(a.status.is_client_error(), "{what}");
    }
    let bad_query = h
        .call(
            Method::POST,
            "/v1/verifications?trust=yes",
            Some(&h.a.key),
            Some("application/json"),
            files_json(&brp().0),
        )
        .await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
    // Garbage files that are valid base64 are a document that fails, not an error of the service.
    let junk = h
        .upload(
            &h.a.key,
            &[
                (LdsFile::Sod, vec![0x77, 0x03, 0x01, 0x02]),
                (LdsFile::Dg(1), vec![0x61]),
            ],
        )
        .await;
    assert_eq!(junk.status, StatusCode::CREATED);
    assert_ne!(junk.json()["verdict"], "verified");
    // Still up, still verifying.
    let ok = h.upload(&h.a.key, &brp().0).await;
    assert_eq!(ok.status, StatusCode::CREATED);
    assert_eq!(ok.json()["verdict"], "verified");
}

async fn a_batch_answers_each_line_in_order(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    let good = String::from_utf8(files_json(&brp().0)).unwrap();
    let good = good.replacen('{', "{\"id\": \"first\", ", 1);
    let bad = tampered();
    let bad = String::from_utf8(files_json(&bad)).unwrap();
    let bad = bad.replacen('{', "{\"id\": \"third\", ", 1);
    let body = format!("{good}\nnot json\n\n{bad}\n{{\"id\": 4, \"files\": {{\"DG1\": \"!\"}}}}\n");
    let a = h
        .call(
            Method::POST,
            "/v1/verifications",
            Some(&h.a.key),
            Some("application/x-ndjson"),
            body.into_bytes(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let lines: Vec<Value> = String::from_utf8(a.body)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "first");
    assert_eq!(lines[0]["result"], "verified");
    assert_eq!(lines[0]["report"]["verdict"]["result"], "verified");
    assert_eq!(lines[1]["id"], "line 2");
    assert_eq!(lines[1]["result"], "could not read");
    assert_eq!(lines[2]["id"], "third");
    assert_eq!(lines[2]["result"], "failed");
    assert_eq!(lines[3]["id"], "4");
    assert_eq!(lines[3]["result"], "could not read");
    // Each verified document is a stored check with its own receipt.
    for line in [&lines[0], &lines[2]] {
        let id = line["check_id"].as_str().unwrap();
        let stored = h
            .get(&format!("/v1/verifications/{id}"), &h.a.key)
            .await
            .json();
        assert_eq!(stored["source"], "batch");
        assert_eq!(stored["receipt"], line["receipt"]);
    }
    assert_eq!(h.get("/v1/stats", &h.a.key).await.json()["total"], 2);
}

async fn concurrent_uploads_keep_one_chain(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    let h = Arc::new(h);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let h = Arc::clone(&h);
        tasks.push(tokio::spawn(async move {
            let key = if i % 2 == 0 { &h.a.key } else { &h.b.key };
            h.upload(key, &brp().0).await.status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::CREATED);
    }
    let report = h.state.db.verify_audit().await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.entries, 3 + 1 + 16);
}

async fn purge_deletes_past_retention_and_is_audited(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    let new = h.upload(&h.a.key, &brp().0).await.json();
    let kept = new["check_id"].as_str().unwrap();
    // A check made 31 days ago (tenant a keeps 30): stored through the store, as an old one would be.
    let mut row = h
        .state
        .db
        .check(&h.a.tenant.id, kept)
        .await
        .unwrap()
        .unwrap();
    row.id = icao9303_server::keys::new_id().unwrap();
    row.created_at -= 31 * 86_400_000;
    row.day = icao9303_server::clock::day(row.created_at);
    h.state.db.insert_check(&row).await.unwrap();
    let purged = h
        .call(
            Method::POST,
            "/v1/admin/purge",
            Some(&h.admin.key),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(purged.status, StatusCode::OK);
    assert_eq!(purged.json()["purged"]["tenant-a"], 1);
    assert_eq!(purged.json()["purged"]["tenant-b"], 0);
    assert_eq!(
        h.get(&format!("/v1/verifications/{}", row.id), &h.a.key)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get(&format!("/v1/verifications/{kept}"), &h.a.key)
            .await
            .status,
        StatusCode::OK
    );
    // The purge is in the chain: still intact, with one entry more.
    let report = h.state.db.verify_audit().await.unwrap();
    assert_eq!(report.broken, None);
    let purges: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'check.purged'")
            .fetch_one(h.state.db.pool())
            .await
            .unwrap();
    assert_eq!(purges, 1);
    // Nothing left to purge.
    let again = h
        .call(
            Method::POST,
            "/v1/admin/purge",
            Some(&h.admin.key),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(again.json()["purged"]["tenant-a"], 0);
}

async fn trust_reload_is_admin_only_and_keeps_the_store_on_failure(backend: Backend) {
    let fail = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let Some(h) = harness_with(backend, Limits::default(), Arc::clone(&fail)).await else {
        return;
    };
    let before = h.state.trust.current().unwrap();
    let ok = h
        .call(
            Method::POST,
            "/v1/admin/trust/reload",
            Some(&h.admin.key),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json()["version"], before.version.as_str());
    assert_eq!(ok.json()["anchors"], 1);
    fail.store(true, std::sync::atomic::Ordering::SeqCst);
    let failed = h
        .call(
            Method::POST,
            "/v1/admin/trust/reload",
            Some(&h.admin.key),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(failed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        h.state
            .trust
            .current()
            .is_some_and(|t| t.version == before.version)
    );
    let still = h.upload(&h.a.key, &brp().0).await.json();
    assert_eq!(still["verdict"], "verified");
    // Two reloads (the start and the first) are in the audit log.
    let reloads: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'trust.reloaded'")
            .fetch_one(h.state.db.pool())
            .await
            .unwrap();
    assert_eq!(reloads, 2);
}

async fn holder_data_only_when_opted_in_and_sealed(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    // Tenant b opted in.
    let v = h.upload(&h.b.key, &brp().0).await.json();
    let id = v["check_id"].as_str().unwrap();
    let stored = h
        .get(&format!("/v1/verifications/{id}"), &h.b.key)
        .await
        .json();
    assert_eq!(stored["holder"]["document_number"], "ZU3847562");
    let surname = stored["holder"]["primary_identifier"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!surname.is_empty());
    // At rest it is sealed: neither the name nor the number in the row.
    let row = h.state.db.check(&h.b.tenant.id, id).await.unwrap().unwrap();
    let all = serde_json::to_string(&row).unwrap();
    assert!(row.holder_sealed.is_some());
    assert!(!all.contains("ZU3847562") && !all.contains(&surname));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_and_in_flight_limits_answer_with_retry_after() {
    let limits = Limits {
        rate_per_second: 0.01,
        burst: 2.0,
        max_in_flight: 1,
        ..Limits::default()
    };
    let h = harness_with(Backend::Sqlite, limits, Arc::default())
        .await
        .unwrap();
    // The one in-flight place taken: 503 with Retry-After.
    let held = h.state.limiter.try_in_flight().unwrap();
    let busy = h.upload(&h.a.key, &brp().0).await;
    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(busy.headers.contains_key("retry-after"));
    drop(held);
    // Burst of 2 for the tenant (the refused request took one): the next is 429 with Retry-After.
    assert_eq!(
        h.upload(&h.a.key, &brp().0).await.status,
        StatusCode::CREATED
    );
    let limited = h.upload(&h.a.key, &brp().0).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let after: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(after >= 1);
    // Another tenant is not limited by a's rate.
    assert_eq!(
        h.upload(&h.b.key, &brp().0).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_is_served_and_equals_the_checked_in_file() {
    let h = harness(Backend::Sqlite).await.unwrap();
    let served = h.get("/v1/openapi.json", &h.a.key).await;
    assert_eq!(served.status, StatusCode::OK);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("MRTD_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &served.body).unwrap();
    }
    let checked_in = std::fs::read(&path).unwrap_or_default();
    assert!(
        served.body == checked_in,
        "docs/openapi.json differs from the served document: regenerate it with \
         MRTD_UPDATE_OPENAPI=1 cargo test -p icao9303-server --test api openapi"
    );
    // Every route of the router is described.
    let doc: Value = serde_json::from_slice(&served.body).unwrap();
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/v1/openapi.json",
        "/v1/receipt-key",
        "/v1/verifications",
        "/v1/verifications/{id}",
        "/v1/history",
        "/v1/stats",
        "/v1/admin/trust/reload",
        "/v1/admin/purge",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} not described");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_rustls_serves_https_and_refuses_plain_http() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = harness(Backend::Sqlite).await.unwrap();
    let cert = h.dir.join("cert.pem");
    let key = h.dir.join("key.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .args(["-days", "2", "-subj", "/CN=localhost"])
        .args([
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .output();
    if !made.is_ok_and(|o| o.status.success()) {
        eprintln!("skipping: the openssl command could not make a test certificate");
        return;
    }
    let acceptor = icao9303_server::server::tls_acceptor(&cert, &key).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(icao9303_server::server::accept_loop(
        listener,
        h.app.clone(),
        Some(acceptor),
        async {
            let _ = stopped.await;
        },
    ));
    // An HTTPS client that trusts the test certificate.
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls_pki_types::CertificateDer::from_pem_file(&cert).unwrap())
        .unwrap();
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls_pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    tls.write_all(
        format!(
            "GET /v1/stats HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            h.a.key
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut response = Vec::new();
    let _ = tls.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"total\":0"), "{text}");
    // Plain HTTP to the TLS port gets no HTTP answer.
    let mut plain = tokio::net::TcpStream::connect(addr).await.unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer).await;
    assert!(!answer.starts_with(b"HTTP/1.1 200"));
    let _ = stop.send(());
    server.await.unwrap();
}

async fn two_instances_on_one_database_keep_one_chain(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    let h = Arc::new(h);
    let other = replica(&h, backend).await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let h = Arc::clone(&h);
        let app = if i % 2 == 0 {
            h.app.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            let request = Request::builder()
                .method(Method::POST)
                .uri("/v1/verifications")
                .header("authorization", format!("Bearer {}", h.a.key))
                .header("content-type", "application/json")
                .body(Body::from(files_json(&brp().0)))
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let v: Value = serde_json::from_slice(&body).unwrap();
            (
                status,
                v["check_id"].as_str().unwrap_or_default().to_owned(),
            )
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        let (status, id) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED);
        ids.push(id);
    }
    // Each replica reads the other's checks; one chain holds them all.
    for id in &ids {
        assert_eq!(
            h.get(&format!("/v1/verifications/{id}"), &h.a.key)
                .await
                .status,
            StatusCode::OK
        );
    }
    let report = h.state.db.verify_audit().await.unwrap();
    assert_eq!(report.broken, None);
    // 3 tenants, 2 trust loads (one per instance), 12 checks.
    assert_eq!(report.entries, 3 + 2 + 12);
}

async fn an_instance_with_other_keys_refuses_the_database(backend: Backend) {
    let Some(h) = harness(backend).await else {
        return;
    };
    let other_dir = h.dir.join("other");
    let database = match backend {
        Backend::Sqlite => icao9303_server::db::sqlite_url(&h.dir),
        Backend::Postgres => h.database_url.clone().unwrap(),
    };
    let store = StoreConfig {
        data_dir: Some(other_dir.clone()),
        database: Some(database),
        master_key: None,
        receipt_key: None,
    };
    let refused = store.open(2).await.err().expect("other keys accepted");
    assert!(refused.to_string().contains("--master-key"), "{refused}");
    // The same master key with another receipt key is refused too.
    std::fs::copy(h.dir.join("master.key"), other_dir.join("master.key.same")).unwrap();
    let store = StoreConfig {
        master_key: Some(other_dir.join("master.key.same")),
        ..store
    };
    let refused = store
        .open(2)
        .await
        .err()
        .expect("another receipt key accepted");
    assert!(refused.to_string().contains("--receipt-key"), "{refused}");
}

/// `/readyz` reflects the database: a PostgreSQL server of the test's own, stopped and started again under
/// the running service (503 with Retry-After meanwhile, recovery without a restart).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_database() {
    let pg = match tokio::task::spawn_blocking(Postgres::start).await.unwrap() {
        Ok(pg) => pg,
        Err(e) => {
            eprintln!("skipping: no PostgreSQL could be started ({e:#})");
            return;
        }
    };
    let url = pg.fresh_database().await.unwrap();
    let dir = std::env::temp_dir().join(format!(
        "mrtd-server-test-{}",
        icao9303_server::keys::new_id().unwrap()
    ));
    let config = ServeConfig {
        store: StoreConfig {
            data_dir: Some(dir.clone()),
            database: Some(url),
            master_key: None,
            receipt_key: None,
        },
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        limits: Limits::default(),
        trust: loader(Arc::default()),
        purge_every: None,
    };
    let state = icao9303_server::server::state(&config).await.unwrap();
    let tenant = |name: &'static str, admin: bool| {
        let state = Arc::clone(&state);
        async move {
            icao9303_server::server::create_tenant(&state.db, name, admin, false, 30)
                .await
                .unwrap()
        }
    };
    let h = Harness {
        database_url: None,
        app: icao9303_server::api::router(Arc::clone(&state)),
        a: tenant("a", false).await,
        b: tenant("b", false).await,
        admin: tenant("c", true).await,
        state,
        dir,
    };
    let ready = |h: &Harness| {
        let app = h.app.clone();
        async move {
            app.oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
                .await
                .unwrap()
        }
    };
    assert_eq!(ready(&h).await.status(), StatusCode::OK);
    tokio::task::block_in_place(|| pg.stop());
    let down = ready(&h).await;
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(down.headers().contains_key("retry-after"));
    let refused = h.upload(&h.a.key, &brp().0).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers.contains_key("retry-after"));
    tokio::task::block_in_place(|| pg.restart()).unwrap();
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..50 {
        status = ready(&h).await.status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        status,
        StatusCode::OK,
        "not ready again after the database came back"
    );
    let answer = h.upload(&h.a.key, &brp().0).await;
    assert_eq!(answer.status, StatusCode::CREATED);
}
