//! `mrtd read --record/--replay` and the reader errors of `mrtd read` (exit 2 with a clear message).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{mrtd, test_anchor};

use std::path::PathBuf;

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mrtd-cli-{}-{name}", std::process::id()))
}

const BRP_KEY: [&str; 6] = [
    "--doc",
    "ZU3847562",
    "--dob",
    "880314",
    "--expiry",
    "340313",
];

#[test]
fn record_then_replay() {
    let trace = temp("brp.trace");
    let path = trace.to_str().unwrap();
    let anchor = test_anchor("brp");
    let mut args = vec!["read", "--emulator", "brp", "--json", "--record", path];
    args.extend(BRP_KEY);
    args.extend(["--trust", anchor.as_str()]);
    let (code, recorded, stderr) = mrtd(&args);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&trace).unwrap();
    assert!(
        text.starts_with("# mrtd-trace 1\n# recorded by mrtd"),
        "{}",
        &text[..80]
    );
    assert!(
        !text.contains("ZU3847562"),
        "no MRZ data in the trace's comments"
    );

    let mut args = vec!["read", "--replay", path, "--json"];
    args.extend(BRP_KEY);
    args.extend(["--trust", anchor.as_str()]);
    let (code, replayed, stderr) = mrtd(&args);
    // The trace supplied the terminal's randomness: the chip proved nothing now. Not verified (3), the
    // chip "replayed", never "genuine".
    assert_eq!(code, 3, "{stderr}");
    let mut recorded = without_times(&recorded);
    let mut replayed = without_times(&replayed);
    assert_eq!(recorded["chip_authenticity"]["verdict"], "genuine");
    assert_eq!(replayed["chip_authenticity"]["verdict"], "replayed");
    assert_eq!(replayed["verdict"]["result"], "not_verified");
    let reasons = replayed["verdict"]["reasons"].to_string();
    assert!(reasons.contains("replayed from a trace"), "{reasons}");
    // Otherwise the same report, but for the wall-clock time of each phase in the read statistics.
    for json in [&mut recorded, &mut replayed] {
        let json = json.as_object_mut().unwrap();
        json.remove("verdict");
        json.remove("chip_authenticity");
    }
    assert_eq!(recorded, replayed);

    // A wrong key changes the PACE nonce s, so the mapped generator and the third GENERAL AUTHENTICATE
    // (the terminal's ephemeral key): the replay stops there, says the password differs from the
    // recording's and names the line.
    let (code, stdout, stderr) = mrtd(&[
        "read",
        "--replay",
        path,
        "--doc",
        "ZU3847563",
        "--dob",
        "880314",
        "--expiry",
        "340313",
    ]);
    let line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("> 1086"))
        .nth(2)
        .unwrap()
        .0
        + 1;
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("the password differs from the recording's"),
        "{stderr}"
    );
    assert!(
        stderr.contains("PACE: GENERAL AUTHENTICATE (key agreement)"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("(line {line})")), "{stderr}");

    // A corrupted line is an error naming the file and the line.
    let corrupted: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 7 {
                "> 00B0ZZ\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&trace, corrupted).unwrap();
    let mut args = vec!["read", "--replay", path];
    args.extend(BRP_KEY);
    let (code, _, stderr) = mrtd(&args);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("{path}: line 8: command: 'Z' is not a hex digit")),
        "{stderr}"
    );
    std::fs::remove_file(&trace).unwrap();

    let (code, _, stderr) = mrtd(&[
        "read",
        "--replay",
        "/nonexistent/x.trace",
        "--doc",
        "ZU3847562",
        "--dob",
        "880314",
        "--expiry",
        "340313",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/x.trace"), "{stderr}");
}

#[test]
fn no_such_reader_is_exit_2() {
    // Whether or not pcscd runs here, a reader that does not exist cannot be read.
    let mut args = vec!["read", "--reader", "no such reader 42"];
    args.extend(BRP_KEY);
    let (code, stdout, stderr) = mrtd(&args);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("no reader \"no such reader 42\"")
            || stderr.contains("PC/SC service is not running")
            || stderr.contains("no PC/SC reader found"),
        "{stderr}"
    );
}

#[test]
fn reader_options_conflict_with_the_emulator() {
    let mut args = vec!["read", "--emulator", "brp", "--reader", "0"];
    args.extend(BRP_KEY);
    assert_eq!(mrtd(&args).0, 2);
    let (code, _, stderr) = mrtd(&["emulate"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = mrtd(&["emulate", "--dump", "/nonexistent/dump"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/dump"), "{stderr}");
}

/// A JSON report without the wall-clock times of its read statistics (`read_stats.phases[].ms`).
fn without_times(report: &str) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_str(report).unwrap();
    for phase in json["read_stats"]["phases"]
        .as_array_mut()
        .expect("read statistics with phases")
    {
        phase.as_object_mut().unwrap().remove("ms").expect("a time");
    }
    json
}

/// The committed trace of the emulated BRP (PACE-CAM, Chip Authentication, Active Authentication):
/// replayed, its chip is "replayed" — never "genuine" — and the document not verified (exit 3), in the
/// text and JSON reports alike, although every mechanism's recorded answer still verifies.
#[test]
fn a_replayed_committed_trace_is_not_verified_and_its_chip_replayed() {
    let trace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/traces/brp-pace-cam.trace");
    let path = trace.to_str().unwrap();
    let anchor = test_anchor("brp");
    let mut args = vec!["read", "--replay", path, "--trust", anchor.as_str()];
    args.extend(BRP_KEY);
    let (code, stdout, stderr) = mrtd(&args);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert!(stdout.contains("Result       NOT VERIFIED"), "{stdout}");
    assert!(stdout.contains("Chip         REPLAYED"), "{stdout}");
    assert!(!stdout.contains("GENUINE"), "{stdout}");
    args.push("--json");
    let (code, stdout, stderr) = mrtd(&args);
    assert_eq!(code, 3, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["chip_authenticity"]["verdict"], "replayed");
    let reason = json["chip_authenticity"]["reason"].as_str().unwrap();
    assert!(
        reason.contains("the trace supplied the terminal's randomness")
            && reason.contains("in the recorded session: genuine"),
        "{reason}"
    );
    assert_eq!(json["verdict"]["result"], "not_verified");
    let mechanisms = json["chip_authenticity"]["mechanisms"].as_array().unwrap();
    assert!(!mechanisms.is_empty());
    assert!(
        mechanisms.iter().all(|m| m["status"] == "valid"),
        "{mechanisms:?}"
    );
}
