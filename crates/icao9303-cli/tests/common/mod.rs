//! Helpers shared by the `mrtd` integration tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[cfg(feature = "serve")]
pub mod serve;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `mrtd` with `args`; returns the exit code, stdout and stderr.
pub fn mrtd(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mrtd"))
        .args(args)
        .output()
        .expect("run mrtd");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A path under test-vectors/data.
pub fn data_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/data")
        .join(rel)
}

/// The test CSCA of the emulator profile `profile` (DER), written once per test process to a temporary
/// file: the `--trust` anchor under which that profile's chip verifies (`brp`'s is the one `mrtd demo
/// --export-csca` writes).
pub fn test_anchor(profile: &str) -> String {
    use std::collections::BTreeMap;
    use std::sync::{Mutex, OnceLock};
    static WRITTEN: OnceLock<Mutex<BTreeMap<String, PathBuf>>> = OnceLock::new();
    let mut written = WRITTEN
        .get_or_init(|| Mutex::new(BTreeMap::new()))
        .lock()
        .unwrap();
    let path = written.entry(profile.to_string()).or_insert_with(|| {
        let csca = icao9303_emu::profile::Profile::by_name(profile)
            .expect("a built-in profile")
            .personalize()
            .expect("personalise")
            .pki
            .csca_der();
        let path = std::env::temp_dir().join(format!(
            "mrtd-test-anchor-{profile}-{}.der",
            std::process::id()
        ));
        std::fs::write(&path, csca).expect("write the test anchor");
        path
    });
    path.display().to_string()
}

/// Runs `mrtd` with `args`, the `MRTD_*` password variables of this environment removed and `env` set,
/// and `stdin` (when given) as its standard input; returns the exit code, stdout and stderr.
pub fn mrtd_with(
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> (i32, String, String) {
    use std::io::Write;
    use std::process::Stdio;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mrtd"));
    cmd.args(args);
    for name in [
        "MRTD_CAN",
        "MRTD_MRZ",
        "MRTD_DOC",
        "MRTD_DOB",
        "MRTD_EXPIRY",
    ] {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run mrtd");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for mrtd");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}
