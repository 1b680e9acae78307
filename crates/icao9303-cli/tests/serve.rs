//! `mrtd serve` end to end: the binary started on a free port, over HTTP on loopback, against SQLite and a
//! real PostgreSQL server (skipped with a message when none can be started); `mrtd receipt verify`.

#![cfg(feature = "serve")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::serve::{Service, add_tenant, brp_dump, temp_dir, upload_body};
use common::{mrtd, test_anchor};

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use icao9303_server::test_support::Postgres;
use serde_json::{Value, json};

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

/// `mrtd serve backup` copies the SQLite database while the service runs; the copy, with the keys, is a
/// working service: its checks are there, its chain intact. PostgreSQL is refused (pg_dump is its tool).
#[test]
fn backup_while_serving_and_restore() {
    let dir = temp_dir("backup");
    let dump = brp_dump(&dir);
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_owned();
    let key = add_tenant(&["--data", &data_arg], "employer");
    let anchor = test_anchor("brp");
    let service = Service::start(&["--data", &data_arg, "--trust", &anchor], &[]);
    let auth = format!("Bearer {key}");
    let upload = |s: &Service| {
        let (status, _, body) = s.call(
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
        v["check_id"].as_str().unwrap().to_owned()
    };
    let kept = upload(&service);
    let restored = dir.join("restored");
    std::fs::create_dir_all(&restored).unwrap();
    let copy = restored.join("mrtd.db");
    let (code, out, stderr) = mrtd(&[
        "serve",
        "backup",
        copy.to_str().unwrap(),
        "--data",
        &data_arg,
    ]);
    assert_eq!(code, 0, "{out}{stderr}");
    assert!(out.contains("database copied"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Not over an existing file; not for PostgreSQL.
    let (code, _, stderr) = mrtd(&[
        "serve",
        "backup",
        copy.to_str().unwrap(),
        "--data",
        &data_arg,
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("exists already"), "{stderr}");
    let (code, _, stderr) = mrtd(&[
        "serve",
        "backup",
        dir.join("x.db").to_str().unwrap(),
        "--data",
        &data_arg,
        "--database",
        "postgres://nobody@127.0.0.1:1/none",
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("pg_dump"), "{stderr}");
    // A check made after the backup is not in it.
    let later = upload(&service);
    drop(service.stop());
    // The restore: the copy and the keys.
    for file in ["master.key", "receipt-key.pem"] {
        std::fs::copy(data.join(file), restored.join(file)).unwrap();
    }
    let restored_arg = restored.to_str().unwrap().to_owned();
    let (code, out, _) = mrtd(&["serve", "audit", "verify", "--data", &restored_arg]);
    assert_eq!(code, 0, "{out}");
    let service = Service::start(&["--data", &restored_arg, "--trust", &anchor], &[]);
    let get = |id: &str| {
        service
            .call(
                "GET",
                &format!("/v1/verifications/{id}"),
                &[("Authorization", &auth)],
                b"",
            )
            .0
    };
    assert_eq!(get(&kept), 200);
    assert_eq!(get(&later), 404);
    drop(service.stop());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `mrtd serve tenant rotate-key` on a running service: the old key stops working within the cache's
/// 5 s (it worked, and was cached, before), the new one works at once, the web session opened with the old
/// key ends; the replacement is in the audit log, which stays intact.
#[test]
fn a_rotated_key_stops_working_within_seconds() {
    let dir = temp_dir("rotate");
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_owned();
    let old = add_tenant(&["--data", &data_arg], "employer");
    let service = Service::start(&["--data", &data_arg], &[]);
    let stats = |key: &str| {
        service
            .call(
                "GET",
                "/v1/stats",
                &[("Authorization", &format!("Bearer {key}"))],
                b"",
            )
            .0
    };
    assert_eq!(stats(&old), 200);
    // A web session opened with the old key.
    let (_, head, body) = service.call("GET", "/ui/login", &[], b"");
    let login = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: mrtd_login="))
        .map(|c| format!("mrtd_login={}", c.split(';').next().unwrap()))
        .unwrap();
    let body = String::from_utf8(body).unwrap();
    let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let (status, head, _) = service.call(
        "POST",
        "/ui/login",
        &[
            ("Cookie", &login),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={}&key={old}", &body[at..at + 32]).as_bytes(),
    );
    assert_eq!(status, 303);
    let session = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: mrtd_session="))
        .map(|c| format!("mrtd_session={}", c.split(';').next().unwrap()))
        .unwrap();
    assert_eq!(
        service.call("GET", "/ui/", &[("Cookie", &session)], b"").0,
        200
    );
    let (code, new, stderr) = mrtd(&[
        "serve",
        "tenant",
        "rotate-key",
        "employer",
        "--data",
        &data_arg,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let new = new.trim().to_owned();
    assert!(new.starts_with("mrtd_") && new != old);
    assert_eq!(stats(&new), 200, "the new key works at once");
    assert_eq!(
        service.call("GET", "/ui/", &[("Cookie", &session)], b"").0,
        303,
        "the old key's web session still works"
    );
    let start = std::time::Instant::now();
    while stats(&old) == 200 {
        assert!(
            start.elapsed() < Duration::from_secs(8),
            "the old key still works after 8 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(stats(&old), 401);
    let (code, _, stderr) = mrtd(&[
        "serve",
        "tenant",
        "rotate-key",
        "nobody",
        "--data",
        &data_arg,
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("no tenant named"), "{stderr}");
    drop(service.stop());
    let (code, out, _) = mrtd(&["serve", "audit", "verify", "--data", &data_arg]);
    assert_eq!(code, 0, "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
