//! `mrtd read --terminal ... --terminal-key ...` (Terminal Authentication, DG3, `--fingerprints`, the
//! TA line in text, JSON and HTML), and `mrtd eac mint`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{data_path, mrtd, test_anchor};
use icao9303::pki::cvc::CvCertificate;
use icao9303::pki::cvc::chain::verify_chain;
use icao9303::pki::cvc::private_key::CvPrivateKey;
use std::path::PathBuf;

const KEY: [&str; 6] = [
    "--doc",
    "ZU3847562",
    "--dob",
    "880314",
    "--expiry",
    "340313",
];

fn test_pki() -> String {
    data_path("cvc/test-pki").display().to_string()
}

fn terminal_key(chr: &str) -> String {
    data_path(&format!("cvc/test-pki/{chr}.pkcs8"))
        .display()
        .to_string()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-eac-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn check<'a>(json: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {json:#}"))
}

#[test]
fn read_with_a_terminal_reads_and_writes_the_fingerprints() {
    let anchor = test_anchor("brp");
    let dir = temp_dir("fingerprints");
    let html = dir.with_extension("html");
    let key = terminal_key("UTTESTIS00001");
    let (code, stdout, stderr) = mrtd(
        &[
            &[
                "read",
                "--emulator",
                "brp",
                "--trust",
                &anchor,
                "--terminal",
                &test_pki(),
                "--terminal-key",
                &key,
                "--fingerprints",
                dir.to_str().unwrap(),
                "--html",
                html.to_str().unwrap(),
                "--json",
            ],
            &KEY[..],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ta = check(&json, "terminal-authentication");
    assert_eq!(ta["status"], "valid", "{ta}");
    assert!(
        ta["reason"]
            .as_str()
            .unwrap()
            .contains("UTDVIS00001 → UTTESTIS00001")
    );
    assert_eq!(check(&json, "dg3-hash")["status"], "valid");
    for name in ["right-index-finger.png", "left-index-finger.png"] {
        let png = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}");
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Fingerprints and iris"));
    assert!(
        page.contains("right index finger (DG3, WSQ, 620x620)"),
        "{page:.0}"
    );
    assert!(page.contains("<td>Terminal Authentication</td>"));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&html);

    // The text report has the TA line.
    let (code, stdout, _) = mrtd(
        &[
            &[
                "read",
                "--emulator",
                "brp",
                "--trust",
                &anchor,
                "--terminal",
                &test_pki(),
                "--terminal-key",
                &key,
            ],
            &KEY[..],
        ]
        .concat(),
    );
    assert_eq!(code, 0);
    let line = stdout
        .lines()
        .find(|l| l.contains("Terminal Authentication"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("UTTESTIS00001"), "{line}");
}

#[test]
fn read_without_a_terminal_says_why_dg3_was_not_read() {
    let anchor = test_anchor("brp");
    let dir = temp_dir("no-terminal");
    let (code, stdout, stderr) = mrtd(
        &[
            &[
                "read",
                "--emulator",
                "brp",
                "--trust",
                &anchor,
                "--json",
                "--fingerprints",
                dir.to_str().unwrap(),
            ],
            &KEY[..],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let dg3 = check(&json, "dg3-hash");
    assert_eq!(dg3["status"], "not-checked");
    assert_eq!(
        dg3["reason"],
        "not read: needs Terminal Authentication (EAC)"
    );
    assert!(
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "terminal-authentication")
    );
    assert!(stderr.contains("DG3: not read"), "{stderr}");
    assert!(!dir.exists());
}

#[test]
fn a_refused_terminal_is_named_and_the_verdict_stands() {
    let anchor = test_anchor("brp");
    // UTTESTIS00003 expired on 2025-01-31; the emulated chip's date is 2025-06-01.
    let key = terminal_key("UTTESTIS00003");
    let (code, stdout, stderr) = mrtd(
        &[
            &[
                "read",
                "--emulator",
                "brp",
                "--trust",
                &anchor,
                "--terminal",
                &test_pki(),
                "--terminal-key",
                &key,
                "--json",
            ],
            &KEY[..],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "the document is verified: {stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ta = check(&json, "terminal-authentication");
    assert_eq!(ta["status"], "invalid");
    let reason = ta["reason"].as_str().unwrap();
    assert!(
        reason.contains("UTTESTIS00003") && reason.contains("6A80"),
        "{reason}"
    );
    assert_eq!(json["verdict"]["result"], "verified");
}

#[test]
fn a_key_that_belongs_to_no_terminal_certificate_is_an_error() {
    let cvca_key = terminal_key("UTCVCA00001");
    let (code, _, stderr) = mrtd(
        &[
            &[
                "read",
                "--emulator",
                "brp",
                "--terminal",
                &test_pki(),
                "--terminal-key",
                &cvca_key,
            ],
            &KEY[..],
        ]
        .concat(),
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("belongs to none of the terminal certificates"),
        "{stderr}"
    );
    // --terminal needs --terminal-key.
    let (code, _, _) = mrtd(
        &[
            &["read", "--emulator", "brp", "--terminal", &test_pki()],
            &KEY[..],
        ]
        .concat(),
    );
    assert_eq!(code, 2);
}

#[test]
fn eac_passport_reads_fingerprints_and_irises() {
    let dir = temp_dir("eac-passport");
    let html = dir.with_extension("html");
    let key = terminal_key("UTTESTIS00001");
    let (code, stdout, stderr) = mrtd(&[
        "read",
        "--emulator",
        "eac-passport",
        "--doc",
        "C11T002JM",
        "--dob",
        "960812",
        "--expiry",
        "231031",
        "--terminal",
        &test_pki(),
        "--terminal-key",
        &key,
        "--fingerprints",
        dir.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        "--json",
    ]);
    assert!(code == 0 || code == 3, "{code}: {stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(check(&json, "terminal-authentication")["status"], "valid");
    assert_eq!(check(&json, "dg3-hash")["status"], "valid");
    assert_eq!(check(&json, "dg4-hash")["status"], "valid");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("(DG4, JPEG 2000, 163x149)"),
        "iris in the page"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&html);
}

#[test]
fn eac_mint_writes_a_chain_that_verifies_with_private_keys_0600() {
    let dir = temp_dir("mint");
    let (code, stdout, stderr) = mrtd(&[
        "eac",
        "mint",
        dir.to_str().unwrap(),
        "--curve",
        "P-256",
        "--days",
        "30",
        "--country",
        "XA",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 6, "{stdout}");
    let cert = |chr: &str| {
        CvCertificate::parse(&std::fs::read(dir.join(format!("{chr}.cvcert"))).unwrap()).unwrap()
    };
    let (cvca, dv, terminal) = (
        cert("XACVCA00001"),
        cert("XADVIS00001"),
        cert("XATESTIS00001"),
    );
    let verified = verify_chain(&cvca, &[dv, terminal.clone()], None).unwrap();
    assert!(verified.rights().read_dg3 && verified.rights().read_dg4);
    assert_eq!(
        terminal.body.effective_date.add_days(30),
        terminal.body.expiration_date
    );
    for chr in ["XACVCA00001", "XADVIS00001", "XATESTIS00001"] {
        let path = dir.join(format!("{chr}.pkcs8"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{chr}");
        }
        let key = std::fs::read(&path).unwrap();
        let c = cert(chr);
        CvPrivateKey::for_certificate(&key, &c, None).unwrap();
    }
    let (code, _, stderr) = mrtd(&["eac", "mint", dir.to_str().unwrap(), "--curve", "x25519"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn verify_writes_the_fingerprints_of_a_saved_dump() {
    let dump = temp_dir("dump");
    let out = temp_dir("verify-fingerprints");
    let key = terminal_key("UTTESTIS00001");
    let (code, _, stderr) = mrtd(
        &[
            &[
                "read",
                "--emulator",
                "brp",
                "--terminal",
                &test_pki(),
                "--terminal-key",
                &key,
                "--out",
                dump.to_str().unwrap(),
            ],
            &KEY[..],
        ]
        .concat(),
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(dump.join("DG3.bin").exists());
    let anchor = test_anchor("brp");
    let (code, _, stderr) = mrtd(&[
        "verify",
        dump.to_str().unwrap(),
        "--trust",
        &anchor,
        "--fingerprints",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.join("right-index-finger.png").exists());
    assert!(out.join("left-index-finger.png").exists());
    let _ = std::fs::remove_dir_all(&dump);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn emulate_cvca_must_be_a_cvca_for_a_profile_with_eac() {
    let terminal = data_path("cvc/test-pki/UTTESTIS00001.cvcert");
    let (code, _, stderr) = mrtd(&[
        "emulate",
        "--profile",
        "brp",
        "--cvca",
        terminal.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a CVCA's"), "{stderr}");
    let cvca = data_path("cvc/test-pki/UTCVCA00001.cvcert");
    let (code, _, stderr) = mrtd(&[
        "emulate",
        "--profile",
        "passport-bac",
        "--cvca",
        cvca.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("has no Extended Access Control"),
        "{stderr}"
    );
}
