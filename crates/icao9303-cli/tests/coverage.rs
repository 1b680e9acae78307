//! Coverage is part of the verdict (issue 21): a signed data group withheld by a relay, refused by the
//! chip, or deleted from saved files keeps the document from `verified` (exit 3) and is named in text,
//! JSON and HTML; a verification that finds no document exits 2; an expired document says so; a
//! two-digit year is placed relative to today.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{mrtd, mrtd_with, test_anchor};

use base64ct::Encoding;
use icao9303::document::Document;
use icao9303::dtc::{Dtc, ExportOptions};
use icao9303::lds::LdsFile;
use std::path::{Path, PathBuf};

const BRP_KEY: [&str; 6] = [
    "--doc",
    "ZU3847562",
    "--dob",
    "880314",
    "--expiry",
    "340313",
];

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-coverage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Reads the emulated `profile` trusting the brp test CSCA, with `extra` arguments.
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

/// The `not_covered` entry of data group `name`.
fn gap<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["verdict"]["not_covered"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["data_group"] == name)
        .unwrap_or_else(|| panic!("{name} not in not_covered: {}", json["verdict"]))
}

/// A relay answers READ BINARY of DG12 (the permit's remarks and conditions) with a bare, MAC-less 6A82
/// and drops the link once; the reader resumes. Before issue 21: VERIFIED, exit 0, the only traces a
/// "read resumed" warning and not-checked lines. Now: exit 3, DG12 named as not covered in text, JSON and
/// HTML, and the remarks never shown as absent.
#[test]
fn a_relay_withholding_dg12_is_not_verified() {
    let (code, stdout, stderr) = read("brp-withheld-dg12", &[]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert!(stdout.contains("Result       NOT VERIFIED"), "{stdout}");
    assert!(
        stdout.contains(
            "NOT COVERED  DG12 (additional document details) was not read — the verdict does not cover it"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("without a MAC"), "{stdout}");

    let (code, stdout, _) = read("brp-withheld-dg12", &["--json"]);
    assert_eq!(code, 3);
    let json = json(&stdout);
    assert_eq!(json["verdict"]["result"], "not_verified");
    let dg12 = gap(&json, "DG12");
    assert_eq!(dg12["reason"], "unauthenticated-answer", "{dg12}");
    assert_eq!(dg12["permitted"], false);
    assert!(
        !json["verdict"]["covered"]
            .as_array()
            .unwrap()
            .contains(&"DG12".into())
    );
    // The link was dropped once and the read resumed.
    assert_eq!(json["read_stats"]["resumes"], 1, "{}", json["read_stats"]);

    let dir = temp_dir("withheld");
    let html = dir.join("report.html");
    let (code, _, stderr) = read("brp-withheld-dg12", &["--html", html.to_str().unwrap()]);
    assert_eq!(code, 3, "{stderr}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<strong>NOT VERIFIED</strong>"), "{page}");
    assert!(page.contains("<strong>NOT COVERED</strong>"), "{page}");
    assert!(
        page.contains(
            "DG12 (additional document details) was not read — the verdict does not cover it"
        ),
        "{page}"
    );
    assert!(
        page.contains("<th>Remarks and conditions</th><td>unknown: DG12 was not read"),
        "{page}"
    );
    assert!(!page.contains("WORK PERMITTED"), "{page}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A chip refusing the signed DG11 with 6982 (under its MAC) after access control: exit 3, DG11 named as
/// refused (before issue 21: VERIFIED, exit 0).
#[test]
fn a_chip_refusing_dg11_is_not_verified() {
    let (code, stdout, stderr) = read("brp-refuses-dg11", &["--json"]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    let json = json(&stdout);
    assert_eq!(json["verdict"]["result"], "not_verified");
    let dg11 = gap(&json, "DG11");
    assert_eq!(dg11["reason"], "refused", "{dg11}");
    assert!(dg11["detail"].as_str().unwrap().contains("6982"), "{dg11}");
    assert!(
        json["verdict"]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("DG11 (additional personal details) was not read"),
        "{}",
        json["verdict"]
    );
}

/// `--files -DG12` and `--no-images` are the caller's own choice: the data groups are named "left out by
/// request" and the verdict stays verified (exit 0); the genuine chip read whole covers every data group
/// but DG3, which needs Terminal Authentication.
#[test]
fn left_out_by_request_is_named_and_permitted() {
    let (code, stdout, stderr) = read("brp", &["--json"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let full = json(&stdout);
    assert_eq!(
        full["verdict"]["covered"],
        serde_json::json!(["DG1", "DG2", "DG11", "DG12", "DG14", "DG15"])
    );
    assert_eq!(gap(&full, "DG3")["reason"], "needs-terminal-authentication");

    let (code, stdout, stderr) = read("brp", &["--json", "--files", "-DG12", "--no-images"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let json = json(&stdout);
    assert_eq!(json["verdict"]["result"], "verified");
    for name in ["DG2", "DG12"] {
        let g = gap(&json, name);
        assert_eq!(g["reason"], "left-out-by-request", "{g}");
        assert_eq!(g["permitted"], true);
    }
    assert!(
        json["verdict"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r
                .as_str()
                .unwrap()
                .starts_with("DG12 (additional document details) was left out by request")),
        "{}",
        json["verdict"]
    );

    let (code, _, stderr) = read("brp", &["--files", "-DG1"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("DG1 (the MRZ) cannot be left out"),
        "{stderr}"
    );
}

/// Writes the brp chip's dump (read with its test CSCA trusted) to `dir`.
fn brp_dump(dir: &Path) {
    let (code, _, stderr) = read("brp", &["--out", dir.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 0, "{stderr}");
}

fn verify(path: &Path) -> (i32, serde_json::Value) {
    let anchor = test_anchor("brp");
    let (code, stdout, stderr) = mrtd(&[
        "verify",
        path.to_str().unwrap(),
        "--trust",
        &anchor,
        "--json",
    ]);
    assert!(!stdout.is_empty(), "{stderr}");
    (code, json(&stdout))
}

/// A dump from which signed data groups were deleted, down to EF.SOD and DG1 alone: exit 3 naming each
/// (before issue 21: exit 0). The whole dump verifies (exit 0), so the test fails for the deletion.
#[test]
fn a_dump_missing_a_signed_data_group_is_not_verified() {
    let dir = temp_dir("dump");
    let dump = dir.join("dump");
    brp_dump(&dump);
    let (code, whole) = verify(&dump);
    assert_eq!(code, 0, "{}", whole["verdict"]);

    std::fs::remove_file(dump.join("DG12.bin")).unwrap();
    let (code, json) = verify(&dump);
    assert_eq!(code, 3, "{}", json["verdict"]);
    let dg12 = gap(&json, "DG12");
    assert_eq!(dg12["reason"], "missing-from-saved-files", "{dg12}");
    assert!(
        json["verdict"]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("DG12 (additional document details) is not in the saved files"),
        "{}",
        json["verdict"]
    );

    for f in ["DG2.bin", "DG11.bin", "DG14.bin", "DG15.bin", "EF_COM.bin"] {
        std::fs::remove_file(dump.join(f)).unwrap();
    }
    let (code, json) = verify(&dump);
    assert_eq!(code, 3, "{}", json["verdict"]);
    assert_eq!(json["verdict"]["covered"], serde_json::json!(["DG1"]));
    for name in ["DG2", "DG11", "DG12", "DG14", "DG15"] {
        assert_eq!(gap(&json, name)["permitted"], false, "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One JSON Lines document with a signed data group left out of its files: "not verified", exit 3; the
/// same document whole is verified.
#[test]
fn a_json_lines_document_missing_a_signed_data_group_is_not_verified() {
    let dir = temp_dir("jsonl");
    let dump = dir.join("dump");
    brp_dump(&dump);
    let files = icao9303_emu::dump::load_files(&dump).unwrap();
    let line = |leave: Option<LdsFile>| {
        let map: serde_json::Map<String, serde_json::Value> = files
            .iter()
            .filter(|(f, _)| Some(*f) != leave)
            .map(|(f, b)| (f.name(), base64ct::Base64::encode_string(b).into()))
            .collect();
        serde_json::json!({"id": "brp", "files": map}).to_string()
    };
    let anchor = test_anchor("brp");
    let args = ["verify", "-", "--trust", anchor.as_str()];
    let (code, stdout, stderr) = mrtd_with(&args, &[], Some(&format!("{}\n", line(None))));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let input = format!("{}\n", line(Some(LdsFile::Dg(11))));
    let (code, stdout, stderr) = mrtd_with(&args, &[], Some(&input));
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    let out = json(stdout.trim());
    assert_eq!(out["result"], "not verified");
    assert_eq!(
        gap(&out["report"], "DG11")["reason"],
        "missing-from-saved-files"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A DTC-VC with a signed data group deleted: exit 3. A DTC-VC leaves out DG3 (the EAC-protected
/// fingerprints) by design: that alone does not stop the verdict.
#[test]
fn a_dtc_vc_missing_a_signed_data_group_is_not_verified() {
    let dir = temp_dir("dtc");
    let dump = dir.join("dump");
    brp_dump(&dump);
    let files = icao9303_emu::dump::load_files(&dump).unwrap();
    let write_dtc = |name: &str, leave: Option<LdsFile>| {
        let document =
            Document::from_files(files.iter().filter(|(f, _)| Some(*f) != leave).cloned());
        let export = Dtc::from_document(&document, ExportOptions::default()).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, export.dtc.to_der()).unwrap();
        path
    };
    let (code, whole) = verify(&write_dtc("whole.dtcvc", None));
    assert_eq!(code, 0, "{}", whole["verdict"]);
    assert_eq!(gap(&whole, "DG3")["reason"], "omitted-from-dtc");

    let (code, json) = verify(&write_dtc("no-dg12.dtcvc", Some(LdsFile::Dg(12))));
    assert_eq!(code, 3, "{}", json["verdict"]);
    assert_eq!(json["source"], "dtc-vc");
    assert_eq!(gap(&json, "DG12")["reason"], "missing-from-saved-files");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `mrtd verify` on an empty folder or a folder of files it does not recognise finds no document: exit 2
/// naming the files (before issue 21: "0 documents", exit 0). Empty standard input too.
#[test]
fn a_verification_that_finds_no_document_exits_2() {
    let dir = temp_dir("empty");
    let (code, stdout, stderr) = mrtd(&["verify", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("no document found: the directory is empty"),
        "{stderr}"
    );
    std::fs::write(dir.join("holiday.jpg"), b"not a document").unwrap();
    std::fs::write(dir.join("notes.txt"), b"x").unwrap();
    let (code, stdout, stderr) = mrtd(&["verify", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("not recognised: holiday.jpg, notes.txt"),
        "{stderr}"
    );
    let (code, _, stderr) = mrtd_with(&["verify", "-"], &[], Some(""));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no document found"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The ICAO specimen passport expired on 1994-06-23: the report says so (a warning in the checks, the
/// text and the HTML) and never shows 2094 (before issue 21: "expires 2094-06-23", no warning).
#[test]
fn an_expired_document_says_so_with_its_real_century() {
    let anchor = test_anchor("passport-bac");
    let dir = temp_dir("expired");
    let html = dir.join("report.html");
    let args = [
        "read",
        "--emulator",
        "passport-bac",
        "--doc",
        "L898902C<",
        "--dob",
        "690806",
        "--expiry",
        "940623",
        "--trust",
        anchor.as_str(),
    ];
    let (code, stdout, stderr) = mrtd(&[&args[..], &["--html", html.to_str().unwrap()]].concat());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("EXPIRED on 1994-06-23"), "{stdout}");
    assert!(
        stdout.contains("[valid, but]  Document expiry         the document expired on 1994-06-23"),
        "{stdout}"
    );
    assert!(
        stdout.contains("- warning, Document expiry: the document expired on 1994-06-23"),
        "{stdout}"
    );
    assert!(stdout.contains("Born         1969-08-06"), "{stdout}");
    assert!(!stdout.contains("2094"), "{stdout}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("1994-06-23 — EXPIRED"), "{page}");
    assert!(!page.contains("2094"));

    let (_, stdout, _) = mrtd(&[&args[..], &["--json"]].concat());
    let json = json(&stdout);
    let expiry = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "document-expiry")
        .unwrap();
    assert_eq!(expiry["status"], "valid");
    assert_eq!(expiry["warning"], true);
    std::fs::remove_dir_all(&dir).unwrap();
}
