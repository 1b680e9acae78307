//! `mrtd serve` end to end: the binary started on a free port, over HTTP on loopback, against SQLite and a
//! real PostgreSQL server (skipped with a message when none can be started); `mrtd receipt verify`.

#![cfg(feature = "serve")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{mrtd, test_anchor};

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64ct::Encoding;
use icao9303_server::test_support::Postgres;
use serde_json::{Value, json};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `brp` sample read through the emulator into a dump directory.
fn brp_dump(dir: &Path) -> PathBuf {
    let dump = dir.join("dump");
    let (code, _, stderr) = mrtd(&[
        "read",
        "--emulator",
        "brp",
        "--doc",
        "ZU3847562",
        "--dob",
        "880314",
        "--expiry",
        "340313",
        "--out",
        dump.to_str().unwrap(),
        "--trust",
        &test_anchor("brp"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    dump
}

/// A dump's files as the upload's JSON.
fn upload_body(dump: &Path) -> Vec<u8> {
    let mut files = serde_json::Map::new();
    for entry in std::fs::read_dir(dump).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".bin") {
            let bytes = std::fs::read(&path).unwrap();
            files.insert(name, base64ct::Base64::encode_string(&bytes).into());
        }
    }
    json!({ "files": files }).to_string().into_bytes()
}

struct Service {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Service {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Service {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mrtd"));
        cmd.arg("serve")
            .args(["--listen", "127.0.0.1:0", "--purge-interval", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start mrtd serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| {
                let _ = child.kill();
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "mrtd serve did not start: {line:?}\n{}",
                    stderr.lock().unwrap()
                )
            })
            .parse()
            .unwrap();
        Service {
            child,
            addr,
            stderr,
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Stops the service (SIGTERM: requests finish) and returns everything it logged.
    fn stop(mut self) -> String {
        self.signal("TERM");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "mrtd serve exited with {status}");
        std::thread::sleep(Duration::from_millis(100));
        self.stderr.lock().unwrap().clone()
    }

    /// One HTTP/1.1 request (Connection: close); the status, the headers and the body.
    fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let mut body = response[split + 4..].to_vec();
        let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            body = dechunk(&body);
        }
        (status, head, body)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..end]).unwrap().trim(), 16).unwrap();
        data = &data[end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

fn add_tenant(store: &[&str], name: &str) -> String {
    let mut args = vec!["serve", "tenant", "add", name];
    args.extend_from_slice(store);
    let (code, key, stderr) = mrtd(&args);
    assert_eq!(code, 0, "{stderr}");
    let key = key.trim().to_owned();
    assert!(key.starts_with("mrtd_") && key.len() == 69, "{key}");
    key
}

/// Upload → the same report as `mrtd verify` of the same dump; the receipt verifies offline and a changed
/// byte does not; the audit log verifies.
fn served_report_equals_mrtd_verify(database: Option<String>, name: &str) {
    let dir = temp_dir(name);
    let dump = brp_dump(&dir);
    let anchor = test_anchor("brp");
    let (code, offline, stderr) = mrtd(&[
        "verify",
        dump.to_str().unwrap(),
        "--trust",
        &anchor,
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let offline: Value = serde_json::from_str(&offline).unwrap();
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_owned();
    let mut store = vec!["--data", data_arg.as_str()];
    if let Some(url) = &database {
        store.extend(["--database", url.as_str()]);
    }
    let key = add_tenant(&store, "employer");
    let mut args = store.clone();
    args.extend(["--trust", anchor.as_str()]);
    let service = Service::start(&args, &[]);
    let auth = format!("Bearer {key}");
    let (status, _, body) = service.call(
        "POST",
        "/v1/verifications?trust=full",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &upload_body(&dump),
    );
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        answer["report"], offline,
        "the service's report differs from mrtd verify's"
    );
    assert!(offline.get("trust").is_some());
    // Without ?trust=full: the same report less its trust section.
    let (status, _, short) = service.call(
        "POST",
        "/v1/verifications",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &upload_body(&dump),
    );
    assert_eq!(status, 201);
    let short: Value = serde_json::from_slice(&short).unwrap();
    let mut expected = offline.clone();
    expected.as_object_mut().unwrap().remove("trust");
    assert_eq!(short["report"], expected);
    assert_eq!(answer["verdict"], "verified");
    // A DTC-VC of the same document, posted as its DER: the report of `mrtd verify FILE.dtcvc`.
    let dtc = dir.join("brp.dtcvc");
    let (code, _, stderr) = mrtd(&[
        "dtc",
        "export",
        dump.to_str().unwrap(),
        dtc.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, offline_dtc, stderr) = mrtd(&[
        "verify",
        dtc.to_str().unwrap(),
        "--trust",
        &anchor,
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let offline_dtc: Value = serde_json::from_str(&offline_dtc).unwrap();
    let (status, _, dtc_body) = service.call(
        "POST",
        "/v1/verifications?trust=full",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/octet-stream"),
        ],
        &std::fs::read(&dtc).unwrap(),
    );
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&dtc_body));
    let dtc_answer: Value = serde_json::from_slice(&dtc_body).unwrap();
    assert_eq!(
        dtc_answer["report"], offline_dtc,
        "the DTC-VC report differs from mrtd verify's"
    );
    // A JSON Lines batch: each line's report is the line `mrtd verify -` writes for it.
    let mut line: Value = serde_json::from_slice(&upload_body(&dump)).unwrap();
    line["id"] = json!("doc-1");
    let lines = format!("{line}\n{line}\n");
    let (code, cli_lines, stderr) =
        common::mrtd_with(&["verify", "-", "--trust", &anchor], &[], Some(&lines));
    assert_eq!(code, 0, "{stderr}");
    let (status, _, batch) = service.call(
        "POST",
        "/v1/verifications",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/x-ndjson"),
        ],
        lines.as_bytes(),
    );
    assert_eq!(status, 200);
    let served: Vec<Value> = String::from_utf8(batch)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let cli: Vec<Value> = cli_lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(served.len(), 2);
    for (s, c) in served.iter().zip(&cli) {
        assert_eq!(s["id"], c["id"]);
        assert_eq!(s["result"], c["result"]);
        assert_eq!(
            s["report"], c["report"],
            "a batch line's report differs from mrtd verify -'s"
        );
    }
    // The data directory is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&data).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let mode = std::fs::metadata(data.join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The answer, kept by the employer, verifies offline: signature and report.
    let kept = dir.join("answer.json");
    std::fs::write(&kept, &body).unwrap();
    let public = data.join("receipt-key.pub.pem");
    let (code, out, stderr) = mrtd(&[
        "receipt",
        "verify",
        kept.to_str().unwrap(),
        "--key",
        public.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{stderr}");
    assert!(
        out.contains("receipt valid") && out.contains("report matches"),
        "{out}"
    );
    // The receipt alone, and with one character changed.
    let receipt = answer["receipt"].as_str().unwrap();
    let alone = dir.join("receipt.jws");
    std::fs::write(&alone, receipt).unwrap();
    let (code, _, _) = mrtd(&[
        "receipt",
        "verify",
        alone.to_str().unwrap(),
        "--key",
        public.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let mut changed = receipt.as_bytes().to_vec();
    let i = changed.len() / 2;
    changed[i] = if changed[i] == b'A' { b'B' } else { b'A' };
    std::fs::write(&alone, &changed).unwrap();
    let (code, out, _) = mrtd(&[
        "receipt",
        "verify",
        alone.to_str().unwrap(),
        "--key",
        public.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("NOT valid"), "{out}");
    // A report changed after the fact does not match its receipt.
    let mut forged = answer.clone();
    forged["report"]["verdict"]["reasons"] = json!(["forged"]);
    std::fs::write(&kept, forged.to_string()).unwrap();
    let (code, out, _) = mrtd(&[
        "receipt",
        "verify",
        kept.to_str().unwrap(),
        "--key",
        public.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("does NOT match"), "{out}");
    drop(service.stop());
    let mut audit = vec!["serve", "audit", "verify"];
    audit.extend_from_slice(&store);
    let (code, out, stderr) = mrtd(&audit);
    assert_eq!(code, 0, "{out}{stderr}");
    assert!(out.contains("audit log intact"), "{out}");
    // Nothing is past the tenant's retention yet.
    let mut purge = vec!["serve", "purge"];
    purge.extend_from_slice(&store);
    let (code, out, stderr) = mrtd(&purge);
    assert_eq!(code, 0, "{out}{stderr}");
    assert!(out.contains("employer: 0 checks purged"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn served_report_equals_mrtd_verify_on_sqlite() {
    served_report_equals_mrtd_verify(None, "equal-sqlite");
}

#[test]
fn served_report_equals_mrtd_verify_on_postgres() {
    let Some(pg) = Postgres::shared() else {
        return;
    };
    served_report_equals_mrtd_verify(Some(pg.fresh_database_blocking().unwrap()), "equal-pg");
}

#[test]
fn logs_hold_no_personal_data_or_keys() {
    let dir = temp_dir("logs");
    let dump = brp_dump(&dir);
    let anchor = test_anchor("brp");
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_owned();
    let key = add_tenant(&["--data", &data_arg], "logs");
    let service = Service::start(
        &["--data", &data_arg, "--trust", &anchor, "--verbose"],
        &[("RUST_LOG", "trace")],
    );
    let auth = format!("Bearer {key}");
    let (status, _, body) = service.call(
        "POST",
        "/v1/verifications",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &upload_body(&dump),
    );
    assert_eq!(status, 201);
    let answer: Value = serde_json::from_slice(&body).unwrap();
    let mrz = answer["report"]["mrz"].clone();
    let id = answer["check_id"].as_str().unwrap();
    service.call(
        "GET",
        &format!("/v1/verifications/{id}"),
        &[("Authorization", &auth)],
        b"",
    );
    let history = json!({"document_number": "ZU3847562", "date_of_birth": "880314", "date_of_expiry": "340313"});
    let (status, _, _) = service.call(
        "POST",
        "/v1/history",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        history.to_string().as_bytes(),
    );
    assert_eq!(status, 200);
    let (status, head, body) = service.call(
        "GET",
        "/v1/stats",
        &[("Authorization", "Bearer mrtd_wrong")],
        b"",
    );
    assert_eq!(status, 401);
    assert!(body.is_empty(), "{head}");
    let master = std::fs::read_to_string(data.join("master.key")).unwrap();
    let logs = service.stop();
    assert!(logs.contains("request"), "nothing was logged: {logs}");
    let mut secrets: Vec<String> = vec![
        key.clone(),
        key["mrtd_".len()..].to_owned(),
        master.trim().to_owned(),
        "ZU3847562".into(),
        "880314".into(),
        "340313".into(),
    ];
    for field in ["primary_identifier", "secondary_identifier"] {
        let name = mrz[field].as_str().unwrap().to_owned();
        assert!(!name.is_empty());
        secrets.push(name);
    }
    let receipt_key = std::fs::read_to_string(data.join("receipt-key.pem")).unwrap();
    let receipt_key_body: String = receipt_key
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    secrets.push(receipt_key_body);
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "the logs hold {secret:?}:\n{logs}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sighup_reloads_the_trust_store_without_a_restart() {
    let dir = temp_dir("sighup");
    let dump = brp_dump(&dir);
    let trust = dir.join("trust");
    std::fs::create_dir_all(&trust).unwrap();
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_owned();
    let key = add_tenant(&["--data", &data_arg], "reload");
    let service = Service::start(
        &["--data", &data_arg, "--trust", trust.to_str().unwrap()],
        &[],
    );
    let auth = format!("Bearer {key}");
    let upload = || {
        let (status, _, body) = service.call(
            "POST",
            "/v1/verifications",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            &upload_body(&dump),
        );
        assert_eq!(status, 201);
        let v: Value = serde_json::from_slice(&body).unwrap();
        v["verdict"].as_str().unwrap().to_owned()
    };
    assert_eq!(upload(), "not_verified", "no anchor yet");
    std::fs::copy(test_anchor("brp"), trust.join("csca.der")).unwrap();
    service.signal("HUP");
    let mut verdict = String::new();
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(100));
        verdict = upload();
        if verdict == "verified" {
            break;
        }
    }
    assert_eq!(verdict, "verified", "SIGHUP did not load the new anchor");
    // A service logs at info by default: each request, each trust store loaded.
    let logs = service.stop();
    assert!(logs.matches("trust store loaded").count() >= 2, "{logs}");
    assert!(logs.contains("route=/v1/verifications"), "{logs}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// What the service answers to raw bytes on a connection (the first line, or "" when it closed).
fn raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn hostile_connections_get_4xx_and_the_service_stays_up() {
    let dir = temp_dir("hostile");
    let dump = brp_dump(&dir);
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_owned();
    let key = add_tenant(&["--data", &data_arg], "hostile");
    let anchor = test_anchor("brp");
    let service = Service::start(
        &[
            "--data",
            &data_arg,
            "--trust",
            &anchor,
            "--max-body",
            "100000",
        ],
        &[],
    );
    // Not HTTP.
    let answer = raw(
        service.addr,
        b"\x16\x03\x01\x02\x00 not http at all\r\n\r\n",
    );
    assert!(answer.is_empty() || answer.contains(" 400 "), "{answer}");
    // A header of a megabyte.
    let huge_header = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let answer = raw(service.addr, huge_header.as_bytes());
    assert!(
        answer.is_empty() || answer.contains(" 431 ") || answer.contains(" 400 "),
        "{answer}"
    );
    // A body announced larger than the limit: refused without being read.
    let auth = format!("Bearer {key}");
    let announced = format!(
        "POST /v1/verifications HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Type: \
         application/json\r\nContent-Length: 100000000\r\n\r\n{{\"files\":"
    );
    let answer = raw(service.addr, announced.as_bytes());
    assert!(answer.contains(" 413 "), "{answer}");
    // A body cut off before its announced end.
    let cut = format!(
        "POST /v1/verifications HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Type: \
         application/json\r\nContent-Length: 5000\r\n\r\n{{\"files\":"
    );
    let answer = raw(service.addr, cut.as_bytes());
    assert!(answer.is_empty() || answer.contains(" 4"), "{answer}");
    // Still up, still verifying.
    let (status, _, body) = service.call(
        "POST",
        "/v1/verifications",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &upload_body(&dump),
    );
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let (status, _, _) = service.call("GET", "/healthz", &[], b"");
    assert_eq!(status, 200);
    drop(service.stop());
    let _ = std::fs::remove_dir_all(&dir);
}
