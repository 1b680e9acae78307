//! Issue 21, part C, through the `mrtd` binary: strict secure messaging, reads that survive real chips
//! (the emulator's quirk profiles), and outputs that are never written through a symbolic link.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{mrtd, test_anchor};
use std::path::{Path, PathBuf};

const BRP_KEY: [&str; 6] = [
    "--doc",
    "ZU3847562",
    "--dob",
    "880314",
    "--expiry",
    "340313",
];

/// A fresh, empty directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-robust-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Reads the emulated `profile` (a brp chip) trusting the brp test CSCA, with `extra` arguments.
fn read(profile: &str, extra: &[&str]) -> (i32, String, String) {
    let anchor = test_anchor("brp");
    let mut args = vec!["read", "--emulator", profile, "--trust", anchor.as_str()];
    args.extend(BRP_KEY);
    args.extend(extra);
    mrtd(&args)
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// A chip whose protected responses carry no DO'99' (the status word outside the MAC): the read stops
/// with an error naming it, never a verdict (before issue 21: exit 0, verified).
#[test]
fn a_protected_response_without_do99_is_never_verified() {
    let (code, stdout, stderr) = read("brp-status-outside-mac", &[]);
    assert!(code == 2 || code == 1, "exit {code}\n{stdout}\n{stderr}");
    assert!(!stdout.contains("VERIFIED"), "{stdout}");
    assert!(stderr.contains("no DO'99'"), "{stderr}");
}

/// A chip that answers the extended-length probe with a plain 6700 and ends secure messaging with it
/// (6988 to the next protected command): the read completes, verified, with exactly one extra access
/// control (before issue 21: the read was lost, exit 2).
#[test]
fn a_chip_dropping_secure_messaging_after_the_probe_is_read_in_full() {
    let (code, stdout, stderr) = read("brp-probe-drops-session", &["--json", "--stats"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("of which 1 after the chip ended secure messaging"),
        "{stderr}"
    );
    let report = json(&stdout);
    assert_eq!(report["verdict"]["result"], "verified");
    let stats = &report["read_stats"];
    assert_eq!(stats["probe"]["outcome"], "refused", "{stats}");
    assert_eq!(stats["session_drops"], 1, "{stats}");
    assert_eq!(stats["resumes"], 1, "one extra access control: {stats}");
    assert_eq!(
        stats["apdus_by_kind"]["READ BINARY (extended)"], 1,
        "{stats}"
    );
}

/// The APDUs of the read's file phases (EF.SOD, EF.COM, the data groups).
fn file_apdus(stats: &serde_json::Value) -> u64 {
    stats["phases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            let name = p["phase"].as_str().unwrap();
            name.starts_with("DG") || name.starts_with("EF.")
        })
        .map(|p| p["apdus"].as_u64().unwrap())
        .sum()
}

/// A chip that sends at most 223 bytes per response, whatever it is asked for: the read learns the cap
/// and needs no more APDUs than reading the same chip in short APDUs (before issue 21: every READ
/// BINARY after the probe asked for the whole remainder of the file again).
#[test]
fn a_capped_chip_costs_no_more_apdus_than_a_short_read() {
    let (code, stdout, stderr) = read("brp-cap-223", &["--json", "--stats"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stderr.contains("response cap     223 bytes"), "{stderr}");
    let capped = json(&stdout)["read_stats"].clone();
    let (code, stdout, stderr) = read("brp-cap-223", &["--json", "--extended-length", "off"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let short = json(&stdout)["read_stats"].clone();
    assert_eq!(capped["response_cap"], 223, "{capped}");
    assert!(
        file_apdus(&capped) <= file_apdus(&short),
        "{capped}\nagainst\n{short}"
    );
    // In all, at most the look-up of EF.ATR/INFO more: a link that may carry extended length asks for
    // the chip's own word on it, which a short-only read skips.
    let total = |s: &serde_json::Value| s["apdus"].as_u64().unwrap();
    assert!(
        total(&capped) <= total(&short) + 1,
        "{} APDUs against {}",
        total(&capped),
        total(&short)
    );
}

/// A symbolic link at `path` to `target`, which holds "precious".
#[cfg(unix)]
fn plant(path: &Path, target: &Path) {
    std::fs::write(target, "precious").unwrap();
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// The command failed with a message naming the link, and neither the link nor its target changed.
#[cfg(unix)]
fn refused(what: &str, (code, stdout, stderr): (i32, String, String), link: &Path, target: &Path) {
    assert_eq!(code, 2, "{what}: {stdout}\n{stderr}");
    assert!(stderr.contains("symbolic link"), "{what}: {stderr}");
    assert!(
        stderr.contains(&link.display().to_string()),
        "{what}: {stderr}"
    );
    assert!(
        std::fs::symlink_metadata(link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "{what}"
    );
    if target.is_dir() {
        assert_eq!(
            std::fs::read_dir(target).unwrap().count(),
            0,
            "{what}: something was written into the link's target"
        );
    } else {
        assert_eq!(
            std::fs::read_to_string(target).unwrap(),
            "precious",
            "{what}"
        );
    }
}

/// Every kind of output refuses a symbolic link planted at its path: it is neither followed (the target
/// keeps its content) nor replaced (before issue 21 the target was overwritten with chip data or keys).
#[cfg(unix)]
#[test]
fn no_output_is_written_through_a_symbolic_link() {
    let dir = temp_dir("symlinks");
    let p = |name: &str| dir.join(name);
    let s = |path: &Path| path.display().to_string();
    // A genuine dump to verify offline and export from.
    let dump = p("dump");
    let (code, _, stderr) = read("brp", &["--out", &s(&dump)]);
    assert_eq!(code, 0, "{stderr}");

    // Live-read outputs: --record, --dtc, --out (the directory, and a file inside it).
    for (flag, name) in [("--record", "trace"), ("--dtc", "doc.dtcvc")] {
        let (link, target) = (p(name), p(&format!("{name}.target")));
        plant(&link, &target);
        refused(flag, read("brp", &[flag, &s(&link)]), &link, &target);
    }
    let (link, target) = (p("out-link"), p("out-target"));
    std::fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    refused(
        "--out DIR",
        read("brp", &["--out", &s(&link)]),
        &link,
        &target,
    );
    let out = p("out");
    std::fs::create_dir(&out).unwrap();
    let (link, target) = (out.join("DG1.bin"), p("dg1.target"));
    plant(&link, &target);
    refused(
        "--out DIR/DG1.bin",
        read("brp", &["--out", &s(&out)]),
        &link,
        &target,
    );

    // Report outputs, through `verify` of the dump (the same code as a live read's): --html, --photo.
    let anchor = test_anchor("brp");
    for (flag, name) in [("--html", "report.html"), ("--photo", "face.png")] {
        let (link, target) = (p(name), p(&format!("{name}.target")));
        plant(&link, &target);
        let result = mrtd(&["verify", &s(&dump), "--trust", &anchor, flag, &s(&link)]);
        refused(flag, result, &link, &target);
    }
    // --fingerprints: a directory of images, through `inspect` of the brp chip's DG3.
    let dg3 = p("DG3.bin");
    let card = icao9303_emu::profile::Profile::brp().personalize().unwrap();
    let bytes = card
        .chip
        .files()
        .get(icao9303::lds::LdsFile::Dg(3))
        .unwrap();
    std::fs::write(&dg3, bytes).unwrap();
    let (link, target) = (p("fingers-link"), p("fingers-target"));
    std::fs::create_dir(&target).unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let result = mrtd(&["inspect", &s(&dg3), "--fingerprints", &s(&link)]);
    refused("--fingerprints", result, &link, &target);

    // `dtc export`, `demo --export-csca` and the keys of `eac mint`.
    let (link, target) = (p("export.dtcvc"), p("export.target"));
    plant(&link, &target);
    let result = mrtd(&["dtc", "export", &s(&dump), &s(&link)]);
    refused("dtc export", result, &link, &target);
    let (link, target) = (p("csca.der"), p("csca.target"));
    plant(&link, &target);
    refused(
        "--export-csca",
        mrtd(&["demo", "--export-csca", &s(&link)]),
        &link,
        &target,
    );
    let pki = p("pki");
    std::fs::create_dir(&pki).unwrap();
    let (link, target) = (pki.join("XATESTIS00001.pkcs8"), p("key.target"));
    plant(&link, &target);
    let result = mrtd(&["eac", "mint", &s(&pki), "--country", "XA"]);
    refused("eac mint", result, &link, &target);

    std::fs::remove_dir_all(&dir).unwrap();
}

/// A committed trace under test-vectors/traces.
fn committed_trace(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/traces")
        .join(name)
        .display()
        .to_string()
}

/// Replayed with another password, a trace says the password differs from the recording's, not a raw APDU
/// difference (issue 26), for BAC and for PACE.
#[test]
fn a_replay_with_another_password_says_so() {
    for (trace, doc, dob, expiry) in [
        ("passport-bac.trace", "L898902D<", "690806", "940623"),
        ("brp-pace-cam.trace", "ZU3847563", "880314", "340313"),
    ] {
        let path = committed_trace(trace);
        let (code, stdout, stderr) = mrtd(&[
            "read", "--replay", &path, "--doc", doc, "--dob", dob, "--expiry", expiry,
        ]);
        assert_eq!(code, 2, "{trace}: {stdout}\n{stderr}");
        assert!(
            stderr.contains("the password differs from the recording's"),
            "{trace}: {stderr}"
        );
        assert!(!stderr.contains("the reader sent"), "{trace}: {stderr}");
    }
}

/// With `--json`, a read that ends in an error prints a JSON error object on stdout (schema
/// `mrtd-error/1`), for a refused password and for a failed read (issue 26: nothing on stdout).
#[test]
fn json_errors_are_json_on_stdout() {
    let (code, stdout, stderr) = mrtd(&[
        "read",
        "--emulator",
        "brp",
        "--json",
        "--doc",
        "ZU3847563",
        "--dob",
        "880314",
        "--expiry",
        "340313",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(stderr.trim(), "access denied: check the MRZ");
    let error = json(&stdout);
    assert_eq!(error["schema"], "mrtd-error/1");
    assert_eq!(error["error"], "access-denied");
    assert_eq!(error["password"], "MRZ");
    assert_eq!(error["exit_code"], 2);

    let (code, stdout, stderr) = read("brp-status-outside-mac", &["--json"]);
    assert_eq!(code, 2, "{stderr}");
    let error = json(&stdout);
    assert_eq!(error["error"], "error");
    assert!(
        error["message"].as_str().unwrap().contains("no DO'99'"),
        "{error}"
    );
    assert!(error.get("password").is_none(), "{error}");
}

/// A wrong check digit in `--mrz` names the flag that accepts one a document really carries.
#[test]
fn a_bad_check_digit_names_allow_bad_check_digits() {
    let mrz = "IRGBRZU38475629<<<<<<<<<<<<<<<\n8803148F3403130UTO<<<<<<<<<<<8\nTESTHOLDER<<AMINA<GRACE<<<<<<<";
    let (code, _, stderr) = mrtd(&["read", "--emulator", "brp", "--mrz", mrz]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("check digit of the document number"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-bad-check-digits"), "{stderr}");
}

/// `--verbose` logs written into a pipe carry no terminal colour codes.
#[test]
fn verbose_logs_into_a_pipe_are_plain_text() {
    // A chip whose read logs (the refused probe, the resume).
    let mut args = vec!["--verbose", "read", "--emulator", "brp-probe-drops-session"];
    args.extend(BRP_KEY);
    let (_, _, stderr) = mrtd(&args);
    assert!(
        stderr.contains("DEBUG") && stderr.contains("INFO"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

/// `--quiet` prints no "waiting up to ..." (the reader named does not exist, so no card is touched).
#[test]
fn quiet_waits_for_a_card_silently() {
    for quiet in [false, true] {
        let mut args = vec!["read", "--reader", "no such reader 42", "--wait", "1"];
        if quiet {
            args.push("--quiet");
        }
        args.extend(BRP_KEY);
        let (code, _, stderr) = mrtd(&args);
        assert_eq!(code, 2, "{stderr}");
        assert_eq!(stderr.contains("waiting up to 1s"), !quiet, "{stderr}");
    }
}

/// `emulate --help` shows that a profile (or a dump, a conformance case, or --list-cases) is required;
/// without one, `emulate` is a usage error that names them (and never reaches vpcd).
#[test]
fn emulate_help_shows_the_profile_as_required() {
    let (code, stdout, _) = mrtd(&["emulate", "--help"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("<--profile <PROFILE>|--dump <DIR>|--case <ID>|--list-cases>"),
        "{stdout}"
    );
    assert!(stdout.contains("--vpcd-wait"), "{stdout}");
    let (code, _, stderr) = mrtd(&["emulate", "--vpcd", "127.0.0.1:9"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--profile <PROFILE>"), "{stderr}");
}

/// `emulate` against a vpcd address where nothing listens gives up after `--vpcd-wait` and exits 2
/// (issue 26: it retried for ever, a CI hang). The port is a free local one, never vpcd's.
#[test]
fn emulate_gives_up_when_vpcd_is_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mrtd"))
        .args([
            "emulate",
            "--profile",
            "brp",
            "--vpcd",
            &format!("127.0.0.1:{port}"),
            "--vpcd-wait",
            "1",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A watchdog, not a timing assertion: a bridge that never gives up is killed and fails the test.
    let mut waited = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if waited > 600 {
            let _ = child.kill();
            panic!("emulate still retrying after 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not reachable"), "{stderr}");
}
