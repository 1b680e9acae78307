//! The web page (`/ui`): login with the tenant's key, CSRF, logout, upload → the CLI's HTML report, the
//! history and its search, the statistics and charts, every page scoped to the logged-in tenant — in
//! process against SQLite and PostgreSQL; then in headless Chromium through WebDriver (chromedriver,
//! driven by fantoccini): log in, upload the `brp` dump, see VERIFIED and the face, find the check in the
//! history, another tenant cannot see it, the upload form by keyboard alone, and a screenshot. The
//! browser part skips with a message when Chromium or ChromeDriver is not installed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
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
use tower::ServiceExt;

type Files = Vec<(LdsFile, Vec<u8>)>;

/// The `brp` sample read through the emulator: its files and its test CSCA.
fn brp() -> &'static (Files, Vec<u8>) {
    static BRP: OnceLock<(Files, Vec<u8>)> = OnceLock::new();
    BRP.get_or_init(|| {
        let profile = Profile::brp();
        let card = profile.personalize().unwrap();
        let csca = card.pki.csca_der();
        let mut reader = Reader::new(EmulatorTransport::new(card.chip));
        let mut rng = SeededRng::new(b"web test");
        reader
            .authenticate(&Password::Mrz(profile.mrz_key().unwrap()), &mut rng)
            .unwrap();
        let (document, _) = reader.read_document_with_rng(&mut rng).unwrap();
        (document.files.clone().into_iter().collect(), csca)
    })
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "mrtd-web-{name}-{}",
        icao9303_server::keys::new_id().unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The brp dump as `mrtd read --out` writes it (EF_SOD.bin, DG1.bin, ..., and a file that is not one).
fn brp_dump_dir() -> PathBuf {
    let dir = temp_dir("dump").join("brp-dump");
    std::fs::create_dir_all(&dir).unwrap();
    for (file, bytes) in &brp().0 {
        std::fs::write(dir.join(file.dump_name()), bytes).unwrap();
    }
    std::fs::write(dir.join("report.json"), b"{}").unwrap();
    dir
}

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

struct Service {
    app: Router,
    state: Shared,
    a: NewTenant,
    b: NewTenant,
    _dir: PathBuf,
}

async fn service(backend: Backend) -> Option<Service> {
    service_with(backend, false).await
}

async fn service_with(backend: Backend, behind_tls_proxy: bool) -> Option<Service> {
    let dir = temp_dir("data");
    let database = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(Postgres::shared()?.fresh_database().await.unwrap()),
    };
    let csca = brp().1.clone();
    let config = ServeConfig {
        store: StoreConfig {
            data_dir: Some(dir.clone()),
            database,
            master_key: None,
            receipt_key: None,
        },
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        behind_tls_proxy,
        limits: Limits::default(),
        trust: Arc::new(move || {
            let mut b = TrustStore::builder();
            b.add_certificate(&csca, "brp test CSCA")?;
            Ok(Some(b.build()))
        }),
        purge_every: None,
    };
    let state = icao9303_server::server::state(&config).await.unwrap();
    let a = icao9303_server::server::create_tenant(&state.db, "employer-a", false, false, 30)
        .await
        .unwrap();
    let b = icao9303_server::server::create_tenant(&state.db, "employer-b", false, false, 30)
        .await
        .unwrap();
    Some(Service {
        app: icao9303_server::api::router(Arc::clone(&state)),
        state,
        a,
        b,
        _dir: dir,
    })
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// `name=value` of a Set-Cookie header for `name`.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// The value of the hidden `csrf` field.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a csrf field")
            + 19;
        self.body[at..at + self.body[at..].find('"').unwrap()].to_owned()
    }
}

impl Service {
    async fn call(
        &self,
        method: Method,
        uri: &str,
        cookie: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
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
            .unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    async fn get(&self, uri: &str, cookie: &str) -> Answer {
        self.call(Method::GET, uri, Some(cookie), None, Vec::new())
            .await
    }

    /// Logs in with `key`; the session cookie (`name=value`).
    async fn login(&self, key: &str) -> String {
        let form = self
            .call(Method::GET, "/ui/login", None, None, Vec::new())
            .await;
        assert_eq!(form.status, StatusCode::OK);
        let login_cookie = form.cookie("mrtd_login").unwrap();
        let login_cookie = login_cookie.split(';').next().unwrap().to_owned();
        let body = format!("csrf={}&key={key}", form.csrf());
        let answer = self
            .call(
                Method::POST,
                "/ui/login",
                Some(&login_cookie),
                Some("application/x-www-form-urlencoded"),
                body.into_bytes(),
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        assert_eq!(answer.location(), "/ui/");
        let session = answer.cookie("mrtd_session").expect("a session cookie");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(session.contains(attribute), "{session}");
        }
        session.split(';').next().unwrap().to_owned()
    }

    /// Posts the upload form with `parts` (field, file name, bytes) after the CSRF token.
    async fn upload(&self, cookie: &str, csrf: &str, parts: &[(&str, &str, &[u8])]) -> Answer {
        let boundary = "----mrtdtestboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
        for (field, name, bytes) in parts {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.call(
            Method::POST,
            "/ui/verify",
            Some(cookie),
            Some(&format!("multipart/form-data; boundary={boundary}")),
            body,
        )
        .await
    }

    async fn check_count(&self, tenant: &str) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM checks WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }
}

/// The brp files as a folder upload sends them (`brp-dump/EF_SOD.bin`, ...).
fn folder_parts() -> Vec<(String, Vec<u8>)> {
    let mut parts: Vec<(String, Vec<u8>)> = brp()
        .0
        .iter()
        .map(|(f, b)| (format!("brp-dump/{}", f.dump_name()), b.clone()))
        .collect();
    parts.push(("brp-dump/report.json".into(), b"{}".to_vec()));
    parts
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
    login_csrf_and_logout,
    upload_shows_the_report_and_pages_are_scoped_to_the_tenant,
    hostile_uploads_are_refused,
);

async fn login_csrf_and_logout(backend: Backend) {
    let Some(s) = service(backend).await else {
        return;
    };
    // Not logged in: to the login page.
    let home = s.call(Method::GET, "/ui/", None, None, Vec::new()).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), "/ui/login");
    let root = s.call(Method::GET, "/", None, None, Vec::new()).await;
    assert_eq!(root.location(), "/ui/");
    // The login page: CSP without unsafe-inline, a labelled password field, lang.
    let form = s
        .call(Method::GET, "/ui/login", None, None, Vec::new())
        .await;
    let csp = form
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(form.body.contains("<html lang=\"en\">"));
    assert!(form.body.contains("<label for=\"key\">") && form.body.contains("id=\"key\""));
    assert!(!form.body.contains("<script>") && !form.body.contains(" style="));
    let login_cookie = form.cookie("mrtd_login").unwrap();
    let login_cookie = login_cookie.split(';').next().unwrap();
    let post = |cookie: Option<String>, body: String| {
        let s = &s;
        async move {
            s.call(
                Method::POST,
                "/ui/login",
                cookie.as_deref(),
                Some("application/x-www-form-urlencoded"),
                body.into_bytes(),
            )
            .await
        }
    };
    // The right key without the form's token (a login CSRF), or with another token: refused.
    let forged = post(None, format!("csrf={}&key={}", form.csrf(), s.a.key)).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.cookie("mrtd_session").is_none());
    let forged = post(
        Some(login_cookie.to_owned()),
        format!("csrf={}&key={}", "0".repeat(32), s.a.key),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // A wrong key: 401, the reason announced, no session.
    let wrong = post(
        Some(login_cookie.to_owned()),
        format!("csrf={}&key=mrtd_{}", form.csrf(), "0".repeat(64)),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("role=\"alert\""));
    assert!(wrong.body.contains("That is not an API key"));
    assert!(wrong.cookie("mrtd_session").is_none());
    // The right key: a session.
    let cookie = s.login(&s.a.key).await;
    let home = s.get("/ui/", &cookie).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("employer-a"));
    assert!(home.body.contains("webkitdirectory"));
    assert!(home.body.contains("id=\"remote-sessions\""));
    assert_eq!(
        home.headers.get("cache-control").unwrap(),
        "no-store",
        "pages hold personal data"
    );
    // A session cookie that is not one: to the login page.
    let fake = s
        .get("/ui/", &format!("mrtd_session={}", "ab".repeat(32)))
        .await;
    assert_eq!(fake.status, StatusCode::SEE_OTHER);
    // Logout needs the session's token.
    let csrf = home.csrf();
    let refused = s
        .call(
            Method::POST,
            "/ui/logout",
            Some(&cookie),
            Some("application/x-www-form-urlencoded"),
            b"csrf=00".to_vec(),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(s.get("/ui/", &cookie).await.status, StatusCode::OK);
    let out = s
        .call(
            Method::POST,
            "/ui/logout",
            Some(&cookie),
            Some("application/x-www-form-urlencoded"),
            format!("csrf={csrf}").into_bytes(),
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.cookie("mrtd_session").unwrap().contains("Max-Age=0"));
    // The session is gone on the server, not only in the browser.
    let after = s.get("/ui/", &cookie).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location(), "/ui/login");
}

async fn upload_shows_the_report_and_pages_are_scoped_to_the_tenant(backend: Backend) {
    let Some(s) = service(backend).await else {
        return;
    };
    let a = s.login(&s.a.key).await;
    let b = s.login(&s.b.key).await;
    let csrf_a = s.get("/ui/", &a).await.csrf();
    let parts = folder_parts();
    let parts: Vec<(&str, &str, &[u8])> = parts
        .iter()
        .map(|(n, b)| ("files", n.as_str(), b.as_slice()))
        .collect();
    let page = s.upload(&a, &csrf_a, &parts).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The CLI's HTML report: the verdict, the holder, the face as a PNG.
    assert!(
        page.body.contains("<strong>VERIFIED</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("TESTHOLDER, AMINA GRACE"));
    assert!(page.body.contains("data:image/png;base64,iVBORw0KGgo"));
    assert!(!page.body.contains(" style=") && !page.body.contains("<style>"));
    let at = page.body.find("/ui/checks/").unwrap() + "/ui/checks/".len();
    let id = page.body[at..at + 32].to_owned();
    assert_eq!(s.check_count(&s.a.tenant.id).await, 1);
    // The same check through the API: stored as the API stores it.
    let stored = s
        .state
        .db
        .check(&s.a.tenant.id, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.verdict, "verified");
    assert_eq!(stored.source, "dump");
    // A's pages show it.
    let check = s.get(&format!("/ui/checks/{id}"), &a).await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(check.body.contains("VERIFIED") && check.body.contains(&stored.receipt));
    let history = s.get("/ui/history", &a).await;
    assert!(history.body.contains(&id));
    let found = s.get(&format!("/ui/history?check={}", &id[..8]), &a).await;
    assert!(found.body.contains(&id));
    let today = icao9303_server::clock::day(icao9303_server::clock::now_ms());
    let by_day = s
        .get(&format!("/ui/history?from={today}&to={today}"), &a)
        .await;
    assert!(by_day.body.contains(&id));
    let later = s.get("/ui/history?from=2999-01-01", &a).await;
    assert!(!later.body.contains(&id) && later.body.contains("No check matches"));
    let bad = s.get("/ui/history?check=zz'--", &a).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("role=\"alert\""));
    let stats = s.get("/ui/stats", &a).await;
    assert_eq!(stats.status, StatusCode::OK);
    assert!(
        stats.body.contains("<strong>1</strong> check from"),
        "{}",
        stats.body
    );
    assert!(stats.body.contains("<svg") && stats.body.contains("role=\"img\""));
    assert!(stats.body.contains("GBR") || stats.body.contains("UTO"));
    let csv = s.get("/ui/stats.csv", &a).await;
    assert!(
        csv.body
            .starts_with("day,verdict,issuing_state,document_type,count")
    );
    assert!(csv.body.contains("\"verified\""));
    // B's pages never show it: not by id, not in the history, not in the statistics.
    let by_id = s.get(&format!("/ui/checks/{id}"), &b).await;
    assert_eq!(by_id.status, StatusCode::NOT_FOUND);
    assert!(!by_id.body.contains(&stored.receipt));
    let link = format!("/ui/checks/{id}");
    assert!(!s.get("/ui/history", &b).await.body.contains(&id));
    let searched = s.get(&format!("/ui/history?check={id}"), &b).await;
    assert!(!searched.body.contains(&link) && searched.body.contains("No check matches"));
    assert!(
        s.get("/ui/stats", &b)
            .await
            .body
            .contains("<strong>0</strong> checks")
    );
    assert!(!s.get("/ui/stats.csv", &b).await.body.contains("verified"));
    // A second upload of the same document: its check page lists the first.
    let again = s.upload(&a, &csrf_a, &parts).await;
    let at = again.body.find("/ui/checks/").unwrap() + "/ui/checks/".len();
    let second = &again.body[at..at + 32];
    let check = s.get(&format!("/ui/checks/{second}"), &a).await;
    assert!(check.body.contains(&format!("/ui/checks/{id}")));
    // A DTC-VC is uploaded as one file.
    let document = icao9303::document::Document::from_files(brp().0.clone());
    let dtc = icao9303::dtc::Dtc::from_document(&document, icao9303::dtc::ExportOptions::default())
        .unwrap()
        .dtc
        .to_der();
    {
        let page = s.upload(&a, &csrf_a, &[("dtc", "brp.dtcvc", &dtc)]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("Digital Travel Credential"));
    }
}

/// Behind a TLS-terminating proxy (as with --tls-cert), the cookies are `Secure` and `__Host-` prefixed,
/// and a plain-named cookie is not taken for a session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_when_clients_use_https() {
    let s = service_with(Backend::Sqlite, true).await.unwrap();
    let form = s
        .call(Method::GET, "/ui/login", None, None, Vec::new())
        .await;
    let login = form
        .cookie("__Host-mrtd_login")
        .expect("a __Host- login cookie");
    assert!(
        login.contains("; Secure") && login.contains("Path=/"),
        "{login}"
    );
    assert!(form.cookie("mrtd_login").is_none());
    let body = format!("csrf={}&key={}", form.csrf(), s.a.key);
    let answer = s
        .call(
            Method::POST,
            "/ui/login",
            Some(login.split(';').next().unwrap()),
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let session = answer
        .cookie("__Host-mrtd_session")
        .expect("a session cookie");
    assert!(
        session.contains("; Secure") && session.contains("HttpOnly"),
        "{session}"
    );
    let value = session.split(';').next().unwrap();
    assert_eq!(s.get("/ui/", value).await.status, StatusCode::OK);
    // The same token under the plain name is not a session here.
    let plain = value.replace("__Host-mrtd_session", "mrtd_session");
    assert_eq!(s.get("/ui/", &plain).await.status, StatusCode::SEE_OTHER);
}

async fn hostile_uploads_are_refused(backend: Backend) {
    let Some(s) = service(backend).await else {
        return;
    };
    let a = s.login(&s.a.key).await;
    let csrf = s.get("/ui/", &a).await.csrf();
    let sod: Vec<u8> = brp()
        .0
        .iter()
        .find(|(f, _)| *f == LdsFile::Sod)
        .unwrap()
        .1
        .clone();
    // Without the session's CSRF token (another site's form): refused, nothing stored.
    let forged = s.upload(&a, "00", &[("files", "EF_SOD.bin", &sod)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Not logged in: to the login page, nothing stored.
    let anonymous = s
        .call(
            Method::POST,
            "/ui/verify",
            None,
            Some("multipart/form-data; boundary=x"),
            b"--x--\r\n".to_vec(),
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    // No dump file among the files; nothing at all; a file twice; a dump and a DTC-VC together.
    let none = s
        .upload(&a, &csrf, &[("files", "notes.txt", b"hello")])
        .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert!(
        none.body
            .contains("none of the 1 files sent is a dump file"),
        "{}",
        none.body
    );
    assert!(none.body.contains("role=\"alert\""));
    let empty = s.upload(&a, &csrf, &[("files", "", b"")]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let twice = s
        .upload(
            &a,
            &csrf,
            &[
                ("files", "EF_SOD.bin", &sod),
                ("files", "a/EF_SOD.bin", &sod),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    assert!(
        twice.body.contains("EF.SOD was sent twice"),
        "{}",
        twice.body
    );
    let both = s
        .upload(
            &a,
            &csrf,
            &[("files", "EF_SOD.bin", &sod), ("dtc", "x.dtcvc", b"0")],
        )
        .await;
    assert_eq!(both.status, StatusCode::BAD_REQUEST);
    // Not a DTC-VC: 422 with the reason.
    let junk = s
        .upload(&a, &csrf, &[("dtc", "x.dtcvc", b"\x30\x03\x02\x01")])
        .await;
    assert_eq!(
        junk.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        junk.body
    );
    assert!(junk.body.contains("not a DTC-VC"));
    // Markup in a file name is not echoed as markup.
    let named = s
        .upload(&a, &csrf, &[("files", "<script>alert(1)</script>", b"x")])
        .await;
    assert!(!named.body.contains("<script>alert"));
    // Too many parts.
    let many: Vec<(String, Vec<u8>)> = (0..80).map(|i| (format!("f{i}.txt"), vec![b'x'])).collect();
    let many: Vec<(&str, &str, &[u8])> = many
        .iter()
        .map(|(n, b)| ("files", n.as_str(), b.as_slice()))
        .collect();
    let too_many = s.upload(&a, &csrf, &many).await;
    assert_eq!(too_many.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Larger than --max-body.
    let huge = vec![b'x'; Limits::default().max_body + 1];
    let too_large = s.upload(&a, &csrf, &[("files", "DG2.bin", &huge)]).await;
    assert_eq!(
        too_large.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        too_large.body
    );
    assert_eq!(
        s.check_count(&s.a.tenant.id).await,
        0,
        "a refused upload was stored"
    );
    // The service still verifies.
    let fine = s.upload(&a, &csrf, &[("files", "EF_SOD.bin", &sod)]).await;
    assert_eq!(fine.status, StatusCode::OK);
}

// ---------------------------------------------------------------------------------------------------
// In headless Chromium.

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

/// chromedriver on a free loopback port, stopped when dropped.
struct Driver {
    child: std::process::Child,
    port: u16,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Driver {
    fn start() -> Option<Driver> {
        let (Some(chromium), Some(chromedriver)) = (which("chromium"), which("chromedriver"))
        else {
            eprintln!(
                "skipping the browser test: chromium and chromedriver are not both installed \
                 (apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let _ = chromium;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = std::process::Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start chromedriver");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(Driver {
                    child,
                    port,
                    profile: temp_dir("chromium-profile"),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("chromedriver did not listen on port {port}");
    }

    async fn browser(&self) -> fantoccini::Client {
        let chromium = which("chromium").unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", "--window-size=1000,1400",
                    format!("--user-data-dir={}", self.profile.display()),
                ],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        fantoccini::ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a WebDriver session")
    }
}

/// Serves the router on a loopback port (this test's runtime).
async fn listen(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(icao9303_server::server::accept_loop(
        listener,
        app,
        None,
        Duration::from_secs(10),
        std::future::pending(),
    ));
    format!("http://{addr}")
}

use fantoccini::Locator;

/// WebDriver's Tab and Enter keys.
const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';

/// Presses a key on the page (to whatever has the focus), as a person at the keyboard does.
async fn press(c: &fantoccini::Client, key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    c.perform_actions(actions).await.unwrap();
}

async fn text_of(c: &fantoccini::Client, css: &str) -> String {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn log_in(c: &fantoccini::Client, base: &str, key: &str) {
    c.goto(&format!("{base}/ui/")).await.unwrap();
    // Not logged in: the login page, its field focused.
    assert!(c.current_url().await.unwrap().path().ends_with("/ui/login"));
    let field = c.find(Locator::Id("key")).await.unwrap();
    field.send_keys(key).await.unwrap();
    field.send_keys(&ENTER.to_string()).await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("upload"))
        .await
        .unwrap();
}

async fn log_out(c: &fantoccini::Client) {
    c.find(Locator::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("key"))
        .await
        .unwrap();
}

/// The id of the element that has the focus.
async fn focused(c: &fantoccini::Client) -> String {
    c.execute(
        "const e = document.activeElement; return e.id || (e.tagName + ':' + (e.textContent || '').trim());",
        vec![],
    )
    .await
    .unwrap()
    .as_str()
    .unwrap_or("")
    .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_headless_chromium() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let s = service(Backend::Sqlite).await.unwrap();
    let base = listen(s.app.clone()).await;
    let c = driver.browser().await;
    log_in(&c, &base, &s.a.key).await;
    // Keyboard only: from the top of the page, Tab reaches the skip link, the navigation, logout, then
    // each input of the upload form and its button, in that order, each visibly focused.
    c.execute(
        "document.activeElement.blur(); window.scrollTo(0, 0);",
        vec![],
    )
    .await
    .unwrap();
    let mut order = Vec::new();
    for _ in 0..9 {
        press(&c, TAB).await;
        let id = focused(&c).await;
        let outline = c
            .execute(
                "return getComputedStyle(document.activeElement).outlineStyle;",
                vec![],
            )
            .await
            .unwrap();
        assert_ne!(outline.as_str(), Some("none"), "{id} has no visible focus");
        order.push(id);
    }
    let want = ["folder", "files", "dtc", "BUTTON:Verify"];
    let positions: Vec<usize> = want
        .iter()
        .map(|w| {
            order
                .iter()
                .position(|o| o == w)
                .unwrap_or_else(|| panic!("{w} not reached by Tab: {order:?}"))
        })
        .collect();
    assert!(positions.windows(2).all(|p| p[0] < p[1]), "{order:?}");
    assert_eq!(order[0], "A:Skip to the content", "{order:?}");
    // Enter on Verify with nothing chosen: the error is announced and the focus goes back to the form.
    for _ in 0..20 {
        if focused(&c).await == "BUTTON:Verify" {
            break;
        }
        press(&c, TAB).await;
    }
    assert_eq!(focused(&c).await, "BUTTON:Verify");
    press(&c, ENTER).await;
    let error = text_of(&c, "#upload-error").await;
    assert!(error.contains("Choose a dump folder"), "{error}");
    assert_eq!(focused(&c).await, "folder");
    // Upload the brp dump's files (the folder input takes a directory where ChromeDriver can send one).
    let dump = brp_dump_dir();
    let mut paths: Vec<String> = std::fs::read_dir(&dump)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    paths.sort();
    let folder = c.find(Locator::Id("folder")).await.unwrap();
    let used_folder = folder.send_keys(&dump.display().to_string()).await.is_ok()
        && c.execute(
            "return document.getElementById('folder').files.length;",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(0)
            > 0;
    eprintln!(
        "uploading the brp dump through the {} input",
        if used_folder { "folder" } else { "files" }
    );
    if !used_folder {
        c.find(Locator::Id("files"))
            .await
            .unwrap()
            .send_keys(&paths.join("\n"))
            .await
            .unwrap();
    }
    let status = text_of(&c, "#upload-status").await;
    assert!(status.contains("files chosen"), "{status}");
    c.find(Locator::Css("#upload button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let stored = text_of(&c, ".stored").await;
    assert!(stored.contains("stored"), "{stored}");
    let verdict = text_of(&c, ".verdict strong").await;
    assert_eq!(verdict, "VERIFIED");
    // The face: a decoded image, shown.
    let face = c
        .execute(
            "const i = document.querySelector('.face img'); return i ? [i.naturalWidth, i.naturalHeight] : null;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(face, serde_json::json!([240, 320]), "the face is not shown");
    // No CSP violation on the page (a blocked style or script would be logged as one).
    let logs = c
        .execute(
            "return performance.getEntriesByType('resource').map(r => r.name);",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        logs.as_array()
            .unwrap()
            .iter()
            .all(|u| u.as_str().unwrap_or("").starts_with(&base)),
        "a request left the service: {logs}"
    );
    // The screenshot: a real page with text, colours and the face.
    let png = c.screenshot().await.unwrap();
    let shot = std::env::temp_dir().join(format!("mrtd-web-report-{}.png", std::process::id()));
    std::fs::write(&shot, &png).unwrap();
    check_screenshot(&png);
    let id = c
        .find(Locator::Css(".stored a code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(id.len(), 32);
    // The history: search by the check id, find it, open it.
    c.find(Locator::LinkText("History"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let search = c
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("check"))
        .await
        .unwrap();
    search.send_keys(&id[..10]).await.unwrap();
    search.send_keys(&ENTER.to_string()).await.unwrap();
    let table = text_of(&c, "#history").await;
    assert!(table.contains(&id), "{table}");
    c.find(Locator::LinkText(&id))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let heading = text_of(&c, "main h1").await;
    assert!(heading.contains(&id), "{heading}");
    // Statistics: the charts are drawn.
    c.find(Locator::LinkText("Statistics"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let total = text_of(&c, "#stats-total").await;
    assert!(total.starts_with("1 check from"), "{total}");
    let bars = c
        .execute(
            "return document.querySelectorAll('svg.chart rect').length;",
            vec![],
        )
        .await
        .unwrap();
    assert!(bars.as_u64().unwrap_or(0) >= 4, "{bars}");
    let stats = std::env::temp_dir().join(format!("mrtd-web-stats-{}.png", std::process::id()));
    std::fs::write(&stats, c.screenshot().await.unwrap()).unwrap();
    eprintln!("screenshots: {} {}", shot.display(), stats.display());
    // Another tenant, in the same browser after logging out: the check is not there.
    log_out(&c).await;
    log_in(&c, &base, &s.b.key).await;
    c.goto(&format!("{base}/ui/checks/{id}")).await.unwrap();
    let error = text_of(&c, "main [role=alert]").await;
    assert!(error.contains("No such check"), "{error}");
    c.goto(&format!("{base}/ui/history")).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(!page.contains(&id));
    assert!(page.contains("No check matches"));
    c.close().await.unwrap();
    drop(driver);
}

/// A screenshot of the report page: the size of the window, text, coloured marks and the face — not a
/// blank or single-colour page.
fn check_screenshot(png: &[u8]) {
    let image = icao9303::lds::image::decode_image(png).unwrap();
    assert!(
        image.width >= 900 && image.height >= 1000,
        "{}x{}",
        image.width,
        image.height
    );
    let mut colours = std::collections::HashSet::new();
    let mut dark = 0usize;
    let mut green = 0usize;
    for y in (0..image.height).step_by(3) {
        for x in (0..image.width).step_by(3) {
            let p = image.pixel(x, y).unwrap();
            colours.insert(p);
            if p.iter().take(3).all(|c| *c < 100) {
                dark += 1;
            }
            // The verdict box's green border (#1a7f37).
            if p[0] < 60 && p[1] > 100 && p[2] < 90 {
                green += 1;
            }
        }
    }
    assert!(colours.len() > 200, "only {} colours", colours.len());
    assert!(dark > 1000, "only {dark} dark pixels: no text?");
    assert!(green > 50, "no green verdict box");
}
