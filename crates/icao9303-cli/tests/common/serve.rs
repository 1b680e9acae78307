//! Helpers of the `mrtd serve` tests: the service started as a child process on a free port, plain HTTP/1.1
//! calls, the `brp` dump and its upload body.

#![allow(dead_code)]

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64ct::Encoding;
use serde_json::json;

use super::{mrtd, test_anchor};

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `brp` sample read through the emulator into a dump directory.
pub fn brp_dump(dir: &Path) -> PathBuf {
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
pub fn upload_body(dump: &Path) -> Vec<u8> {
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

pub struct Service {
    pub child: Child,
    pub addr: SocketAddr,
    pub stderr: Arc<Mutex<String>>,
}

impl Service {
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Service {
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

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Stops the service (SIGTERM: requests finish) and returns everything it logged.
    pub fn stop(mut self) -> String {
        self.signal("TERM");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "mrtd serve exited with {status}");
        std::thread::sleep(Duration::from_millis(100));
        self.stderr.lock().unwrap().clone()
    }

    /// One HTTP/1.1 request (Connection: close); the status, the headers and the body.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String, Vec<u8>) {
        request(self.addr, method, path, headers, body).expect("an answer")
    }

    /// Kills the service (SIGKILL: no request finishes) and returns everything it logged.
    pub fn kill(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        self.stderr.lock().unwrap().clone()
    }
}

/// One HTTP/1.1 request to `addr` (Connection: close); the status, the headers and the body, or the I/O
/// error (a service killed or gone).
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, String, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let Some(split) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "no response head",
        ));
    };
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut body = response[split + 4..].to_vec();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Ok((status, head, body))
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A chunked body's data (what arrived, when it was cut off).
pub fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let Some(size) = std::str::from_utf8(&data[..end])
            .ok()
            .and_then(|t| usize::from_str_radix(t.trim(), 16).ok())
        else {
            return out;
        };
        data = &data[end + 2..];
        if size == 0 {
            return out;
        }
        let Some(chunk) = data.get(..size) else {
            out.extend_from_slice(data);
            return out;
        };
        out.extend_from_slice(chunk);
        data = data.get(size + 2..).unwrap_or_default();
    }
}

pub fn add_tenant(store: &[&str], name: &str) -> String {
    let mut args = vec!["serve", "tenant", "add", name];
    args.extend_from_slice(store);
    let (code, key, stderr) = mrtd(&args);
    assert_eq!(code, 0, "{stderr}");
    let key = key.trim().to_owned();
    assert!(key.starts_with("mrtd_") && key.len() == 69, "{key}");
    key
}
