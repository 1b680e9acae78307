//! `mrtd serve` under failure, as real processes on loopback: clients that are slow, idle or stop reading
//! are cut off and the service stays up; the service killed (SIGKILL) during a load of uploads and
//! started again has every check it answered 2xx for, and an intact audit chain; the database stopped
//! and started under load (503 with Retry-After meanwhile, recovery without a restart); two replicas on
//! one PostgreSQL serve one tenant consistently (checks, statistics, web sessions, one audit chain).
//! PostgreSQL parts skip with a message when no PostgreSQL can be started.

#![cfg(feature = "serve")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::serve::{Service, add_tenant, brp_dump, request, temp_dir, upload_body};
use common::{mrtd, test_anchor};

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use icao9303_server::test_support::Postgres;
use serde_json::Value;

/// The brp dump, read once for the whole file.
fn dump() -> &'static PathBuf {
    static DUMP: OnceLock<PathBuf> = OnceLock::new();
    DUMP.get_or_init(|| brp_dump(&temp_dir("reliability-dump")))
}

/// What a client saw of one upload.
#[derive(Debug, Clone)]
struct Seen {
    status: u16,
    retry_after: bool,
    took: Duration,
    check_id: Option<String>,
}

/// Clients uploading the brp dump to `addrs` in turn (each client its own connection per request) until
/// `stop`; every answer recorded, I/O errors counted.
struct Load {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<Seen>>>,
    errors: Arc<Mutex<usize>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(addrs: &[SocketAddr], key: &str, clients: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let errors = Arc::new(Mutex::new(0));
        let body = Arc::new(upload_body(dump()));
        let threads = (0..clients)
            .map(|i| {
                let (stop, seen, errors, body) = (
                    Arc::clone(&stop),
                    Arc::clone(&seen),
                    Arc::clone(&errors),
                    Arc::clone(&body),
                );
                let addr = addrs[i % addrs.len()];
                let auth = format!("Bearer {key}");
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let start = Instant::now();
                        match request(
                            addr,
                            "POST",
                            "/v1/verifications",
                            &[
                                ("Authorization", &auth),
                                ("Content-Type", "application/json"),
                            ],
                            &body,
                        ) {
                            Ok((status, head, body)) => {
                                let check_id = (status == 201).then(|| {
                                    let v: Value = serde_json::from_slice(&body).unwrap();
                                    v["check_id"].as_str().unwrap().to_owned()
                                });
                                seen.lock().unwrap().push(Seen {
                                    status,
                                    retry_after: head.to_ascii_lowercase().contains("retry-after:"),
                                    took: start.elapsed(),
                                    check_id,
                                });
                            }
                            Err(_) => {
                                *errors.lock().unwrap() += 1;
                                std::thread::sleep(Duration::from_millis(20));
                            }
                        }
                    }
                })
            })
            .collect();
        Load {
            stop,
            seen,
            errors,
            threads,
        }
    }

    fn answered(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter_map(|s| s.check_id.clone())
            .collect()
    }

    /// Waits until `n` checks were answered 201 (at most `within`).
    fn wait_for(&self, n: usize, within: Duration) {
        let deadline = Instant::now() + within;
        while self.answered().len() < n {
            assert!(Instant::now() < deadline, "fewer than {n} checks answered");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn finish(self) -> (Vec<Seen>, usize) {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads {
            t.join().unwrap();
        }
        let seen = self.seen.lock().unwrap().clone();
        let errors = *self.errors.lock().unwrap();
        (seen, errors)
    }
}

fn audit_intact(store: &[&str]) -> usize {
    let mut args = vec!["serve", "audit", "verify"];
    args.extend_from_slice(store);
    let (code, out, stderr) = mrtd(&args);
    assert_eq!(code, 0, "{out}{stderr}");
    assert!(out.contains("audit log intact"), "{out}");
    out.split("intact: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap()
}

fn read_back(service: &Service, key: &str, ids: &[String]) {
    let auth = format!("Bearer {key}");
    for id in ids {
        let (status, _, body) = service.call(
            "GET",
            &format!("/v1/verifications/{id}"),
            &[("Authorization", &auth)],
            b"",
        );
        assert_eq!(status, 200, "check {id}, answered 201, is lost");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["verdict"], "verified");
    }
}

// ---------------------------------------------------------------------------------------------------

/// What one hostile connection got: how long until the service ended it, and what it answered.
fn hostile<F: FnOnce(&mut TcpStream) + Send + 'static>(
    addr: SocketAddr,
    act: F,
) -> std::thread::JoinHandle<(Duration, String)> {
    std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        let start = Instant::now();
        act(&mut stream);
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        (
            start.elapsed(),
            String::from_utf8_lossy(&answer).into_owned(),
        )
    })
}

/// Writes `bytes` one at a time every 300 ms until the service closes (or 15 s).
fn dribble(stream: &mut TcpStream, bytes: &[u8]) {
    stream
        .set_read_timeout(Some(Duration::from_millis(10)))
        .unwrap();
    let start = Instant::now();
    for b in bytes.iter().cycle() {
        if start.elapsed() > Duration::from_secs(15) || stream.write_all(&[*b]).is_err() {
            return;
        }
        let mut probe = [0u8; 1];
        match stream.peek(&mut probe) {
            Ok(_) => return, // an answer, or closed
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return,
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn slow_idle_and_stalled_clients_are_cut_off_and_the_service_stays_up() {
    let dir = temp_dir("slow");
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_owned();
    let key = add_tenant(&["--data", &data_arg], "slow");
    let anchor = test_anchor("brp");
    let service = Service::start(
        &[
            "--data",
            &data_arg,
            "--trust",
            &anchor,
            "--client-timeout",
            "2",
            "--body-timeout",
            "2",
        ],
        &[],
    );
    let addr = service.addr;
    let auth = format!("Bearer {key}");
    // Connects and sends nothing.
    let idle = hostile(addr, |_| {});
    // Sends its request head a byte at a time (slowloris).
    let slow_head = hostile(addr, |s| {
        dribble(
            s,
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        )
    });
    // Sends an upload's head, then its body a byte at a time.
    let head = format!(
        "POST /v1/verifications HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\
         Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
    );
    let slow_body = hostile(addr, move |s| {
        s.write_all(head.as_bytes()).unwrap();
        dribble(s, b"{\"files\": {}}");
    });
    // A batch whose body stops after its first document.
    let mut line = serde_json::from_slice::<Value>(&upload_body(dump())).unwrap();
    line["id"] = "first".into();
    let line = format!("{line}\n");
    let head = format!(
        "POST /v1/verifications HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\
         Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{line}\r\n",
        line.len()
    );
    let stalled_batch = hostile(addr, move |s| s.write_all(head.as_bytes()).unwrap());
    // Asks for many answers and does not read them.
    let mut many = String::new();
    for _ in 0..1000 {
        many.push_str(&format!(
            "GET /v1/openapi.json HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\r\n"
        ));
    }
    let not_reading = hostile(addr, move |s| {
        s.write_all(many.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_secs(6));
    });

    let (took, answer) = idle.join().unwrap();
    assert!(answer.is_empty(), "{answer}");
    assert!(
        took < Duration::from_secs(8),
        "an idle connection kept {took:?}"
    );
    let (took, answer) = slow_head.join().unwrap();
    assert!(!answer.contains(" 200 "), "{answer}");
    assert!(took < Duration::from_secs(8), "a slow head kept {took:?}");
    let (took, answer) = slow_body.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(took < Duration::from_secs(8), "a slow body kept {took:?}");
    let (took, answer) = stalled_batch.join().unwrap();
    assert!(answer.contains("\"id\":\"first\""), "{answer}");
    assert!(answer.contains("no data for 2 s"), "{answer}");
    assert!(
        took < Duration::from_secs(12),
        "a stalled batch kept {took:?}"
    );
    let (_, answer) = not_reading.join().unwrap();
    let answers = answer.matches("HTTP/1.1 200").count();
    assert!(
        (1..1000).contains(&answers),
        "{answers} answers: a client that stopped reading was not cut off"
    );
    // Still up, still verifying.
    let (status, _, body) = service.call(
        "POST",
        "/v1/verifications",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &upload_body(dump()),
    );
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    drop(service.stop());
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------------

fn sigkill_under_load_loses_no_answered_check(database: Option<String>, name: &str) {
    let dir = temp_dir(name);
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_owned();
    let mut store = vec!["--data", data_arg.as_str()];
    if let Some(url) = &database {
        store.extend(["--database", url.as_str()]);
    }
    let key = add_tenant(&store, "employer");
    let anchor = test_anchor("brp");
    let mut args = store.clone();
    args.extend(["--trust", anchor.as_str(), "--rate", "100000"]);
    let service = Service::start(&args, &[]);
    let load = Load::start(&[service.addr], &key, 6);
    load.wait_for(30, Duration::from_secs(120));
    drop(service.kill());
    let (seen, errors) = load.finish();
    let ids: Vec<String> = seen.iter().filter_map(|s| s.check_id.clone()).collect();
    eprintln!(
        "{} checks answered 201 before SIGKILL; {errors} requests failed from then on",
        ids.len()
    );
    assert!(
        seen.iter().all(|s| s.status == 201),
        "{:?}",
        seen.iter().find(|s| s.status != 201)
    );
    // Started again on the same storage: every answered check is there, the chain is intact.
    let service = Service::start(&args, &[]);
    read_back(&service, &key, &ids);
    drop(service.stop());
    let entries = audit_intact(&store);
    // The tenant, a trust load per start, and at least every answered check.
    assert!(entries > ids.len() + 2, "{entries} audit entries");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigkill_under_load_loses_no_answered_check_on_sqlite() {
    sigkill_under_load_loses_no_answered_check(None, "kill-sqlite");
}

#[test]
fn sigkill_under_load_loses_no_answered_check_on_postgres() {
    let Some(pg) = Postgres::shared() else {
        return;
    };
    let url = pg.fresh_database_blocking().unwrap();
    sigkill_under_load_loses_no_answered_check(Some(url), "kill-pg");
}

// ---------------------------------------------------------------------------------------------------

#[test]
fn the_database_stopped_and_started_under_load() {
    let pg = match Postgres::start() {
        Ok(pg) => pg,
        Err(e) => {
            eprintln!("skipping: no PostgreSQL could be started ({e:#})");
            return;
        }
    };
    let url = pg.fresh_database_blocking().unwrap();
    let dir = temp_dir("db-outage");
    let data = dir.join("data");
    let data_arg = data.to_str().unwrap().to_owned();
    let store = vec!["--data", data_arg.as_str(), "--database", url.as_str()];
    let key = add_tenant(&store, "employer");
    let anchor = test_anchor("brp");
    let mut args = store.clone();
    args.extend(["--trust", anchor.as_str(), "--rate", "100000"]);
    let service = Service::start(&args, &[]);
    let load = Load::start(&[service.addr], &key, 4);
    load.wait_for(10, Duration::from_secs(60));
    pg.stop();
    let stopped = load.seen.lock().unwrap().len();
    std::thread::sleep(Duration::from_secs(5));
    let during: Vec<Seen> = load.seen.lock().unwrap()[stopped..].to_vec();
    pg.restart().unwrap();
    let restarted = load.seen.lock().unwrap().len();
    // Storing again, without a restart of the service.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let back = load.seen.lock().unwrap()[restarted..]
            .iter()
            .filter(|s| s.status == 201)
            .count();
        if back >= 5 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no check stored after the database came back"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let (seen, errors) = load.finish();
    assert_eq!(errors, 0, "connections failed while the database was down");
    let refused: Vec<&Seen> = during.iter().filter(|s| s.status == 503).collect();
    assert!(
        !refused.is_empty(),
        "no 503 while the database was down: {during:?}"
    );
    for s in &seen {
        assert!(
            s.status == 201 || (s.status == 503 && s.retry_after),
            "{s:?}: only 201, or 503 with Retry-After"
        );
        assert!(s.took < Duration::from_secs(12), "{s:?} took too long");
    }
    let ids: Vec<String> = seen.iter().filter_map(|s| s.check_id.clone()).collect();
    eprintln!(
        "{} stored, {} refused with 503 while the database was down",
        ids.len(),
        refused.len()
    );
    read_back(&service, &key, &ids);
    let (status, _, _) = service.call("GET", "/readyz", &[], b"");
    assert_eq!(status, 200);
    drop(service.stop());
    audit_intact(&store);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------------

/// Logs in to the web page of the service at `addr`: the session cookie.
fn web_login(addr: SocketAddr, key: &str) -> String {
    let (status, head, body) = request(addr, "GET", "/ui/login", &[], b"").unwrap();
    assert_eq!(status, 200);
    let cookie_of = |head: &str, name: &str| {
        head.lines()
            .filter_map(|l| l.strip_prefix("set-cookie: "))
            .find(|c| c.starts_with(name))
            .map(|c| c.split(';').next().unwrap().to_owned())
    };
    let login = cookie_of(&head, "mrtd_login=").unwrap();
    let body = String::from_utf8(body).unwrap();
    let at = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = &body[at..at + 32];
    let (status, head, _) = request(
        addr,
        "POST",
        "/ui/login",
        &[
            ("Cookie", &login),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={csrf}&key={key}").as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 303, "{head}");
    cookie_of(&head, "mrtd_session=").unwrap()
}

#[test]
fn two_replicas_on_one_postgres_serve_one_tenant_consistently() {
    let Some(pg) = Postgres::shared() else {
        return;
    };
    let url = pg.fresh_database_blocking().unwrap();
    let dir = temp_dir("replicas");
    let (one, two) = (dir.join("one"), dir.join("two"));
    let (one_arg, two_arg) = (
        one.to_str().unwrap().to_owned(),
        two.to_str().unwrap().to_owned(),
    );
    let key = add_tenant(&["--data", &one_arg, "--database", &url], "employer");
    // The second replica gets the first's keys (as every replica behind a load balancer must).
    let master = one.join("master.key").to_str().unwrap().to_owned();
    let receipt = one.join("receipt-key.pem").to_str().unwrap().to_owned();
    let anchor = test_anchor("brp");
    let common = [
        "--database",
        url.as_str(),
        "--trust",
        anchor.as_str(),
        "--rate",
        "100000",
    ];
    let mut first = vec!["--data", one_arg.as_str()];
    first.extend(common);
    let mut second = vec![
        "--data",
        two_arg.as_str(),
        "--master-key",
        master.as_str(),
        "--receipt-key",
        receipt.as_str(),
    ];
    second.extend(common);
    let a = Service::start(&first, &[]);
    let b = Service::start(&second, &[]);
    // Concurrent uploads through both.
    let load = Load::start(&[a.addr, b.addr], &key, 6);
    load.wait_for(40, Duration::from_secs(120));
    let (seen, errors) = load.finish();
    assert_eq!(errors, 0);
    assert!(seen.iter().all(|s| s.status == 201), "{seen:?}");
    let ids: Vec<String> = seen.iter().filter_map(|s| s.check_id.clone()).collect();
    // Each replica reads every check, whichever stored it, the same.
    read_back(&a, &key, &ids);
    read_back(&b, &key, &ids);
    let auth = format!("Bearer {key}");
    let get = |s: &Service, path: &str| -> Value {
        let (status, _, body) = s.call("GET", path, &[("Authorization", &auth)], b"");
        assert_eq!(status, 200, "{path}");
        serde_json::from_slice(&body).unwrap()
    };
    let (sa, sb) = (get(&a, "/v1/stats"), get(&b, "/v1/stats"));
    assert_eq!(sa["total"], ids.len());
    assert_eq!(sa, sb, "the replicas' statistics differ");
    let fp = get(&a, &format!("/v1/verifications/{}", ids[0]))["document_fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let history = format!("/v1/history?document={fp}");
    assert_eq!(get(&b, &history)["count"], ids.len());
    // A person logged in through one replica is logged in on the other (sessions are in the database).
    let session = web_login(a.addr, &key);
    let (status, _, page) = b.call("GET", "/ui/history", &[("Cookie", &session)], b"");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains(&ids[ids.len() - 1]));
    drop(a.stop());
    drop(b.stop());
    let entries = audit_intact(&["--database", &url]);
    // The tenant, one trust load per replica, every check.
    assert_eq!(entries, 1 + 2 + ids.len());
    let _ = std::fs::remove_dir_all(&dir);
}
