//! The emulator's forger profiles (issue 12) through the `mrtd` binary: their verdict and exit code, in
//! text, JSON and HTML.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{mrtd, test_anchor};

const BRP_KEY: [&str; 6] = [
    "--doc",
    "ZU3847562",
    "--dob",
    "880314",
    "--expiry",
    "340313",
];

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("mrtd-forgers-{}-{name}", std::process::id()))
}

/// Reads the emulated `profile` trusting the genuine brp test CSCA, with `extra` arguments.
fn read(profile: &str, extra: &[&str]) -> (i32, String, String) {
    let anchor = test_anchor("brp");
    let mut args = vec!["read", "--emulator", profile, "--trust", anchor.as_str()];
    args.extend(BRP_KEY);
    args.extend(extra);
    mrtd(&args)
}

/// The same chip signed by a Document Signer under the forger's own CSCA: every signature verifies and the
/// chip proves its keys, but the signer does not chain to the trusted CSCA. Not genuine, exit 3 (before
/// issue 12: "Chip GENUINE", exit 0).
#[test]
fn forged_signer_is_not_genuine_and_exits_3() {
    let (code, stdout, stderr) = read("brp-forged-signer", &[]);
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert!(!stdout.contains("GENUINE"), "{stdout}");
    assert!(stdout.contains("Result       NOT VERIFIED"), "{stdout}");
    // GB's anchor (the genuine test CSCA) is loaded: the reason says so, instead of asking for it
    // (issue 26).
    assert!(
        stdout
            .contains("the signer is not trusted (unknown issuer: trust anchors for GB are loaded"),
        "{stdout}"
    );
    assert!(stdout.contains("none of them signed this DSC"), "{stdout}");
    assert!(
        !stdout.contains("give the issuing state's CSCA"),
        "{stdout}"
    );

    let (code, stdout, _) = read("brp-forged-signer", &["--json"]);
    assert_eq!(code, 3);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["verdict"]["result"], "not_verified", "{stdout}");
    assert_eq!(json["chip_authenticity"]["verdict"], "not-proven");
    let chain = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "dsc-chain")
        .unwrap();
    assert_eq!(chain["status"], "not-checked");
    assert!(
        chain["reason"].as_str().unwrap().contains("Forged CSCA"),
        "{chain}"
    );

    let html = temp("forged.html");
    let (code, _, stderr) = read("brp-forged-signer", &["--html", html.to_str().unwrap()]);
    assert_eq!(code, 3, "{stderr}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(!page.contains("CHIP GENUINE"), "{page}");
    assert!(page.contains("<strong>NOT VERIFIED</strong>"));
    assert!(page.contains("<strong>CHIP NOT PROVEN</strong>"));
    std::fs::remove_file(&html).unwrap();
}

/// EF.COM lists a DG11 naming someone else that EF.SOD does not list: a failed check, exit 1 (before
/// issue 12: "not checked", exit 0), and the name is never shown as the holder's.
#[test]
fn unsigned_dg11_fails_and_is_not_shown_as_the_holder() {
    let html = temp("unsigned.html");
    let (code, stdout, stderr) = read("brp-unsigned-dg11", &["--html", html.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("Result       SUSPECT"), "{stdout}");
    assert!(
        stdout.contains("Holder       TESTHOLDER, AMINA GRACE"),
        "{stdout}"
    );
    assert!(!stdout.contains("MALLORY"), "{stdout}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("TESTHOLDER, AMINA GRACE"), "{page}");
    assert!(!page.contains("MALLORY"), "{page}");
    assert!(!page.contains("IMPOSTOR"), "{page}");
    assert!(page.contains("DG11 (additional personal details) is not shown"));
    assert!(page.contains("<strong>SUSPECT</strong>"));
    std::fs::remove_file(&html).unwrap();

    let (code, stdout, _) = read("brp-unsigned-dg11", &["--json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["verdict"]["result"], "failed");
    let dg11 = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "dg11-hash")
        .unwrap();
    assert_eq!(dg11["status"], "invalid", "{dg11}");
    assert!(
        json["verdict"]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("DG11 hash"),
        "{stdout}"
    );
}

/// A man in the middle answers EF.CardAccess with 6A82, so the reader uses BAC; the signed DG14 lists the
/// chip's PACEInfos, so the downgrade is a failed check, exit 1 (before issue 12: a clean report, exit 0).
#[test]
fn hidden_card_access_is_a_downgrade_and_exits_1() {
    let (code, stdout, stderr) = read("brp-hidden-card-access", &[]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("Result       SUSPECT"), "{stdout}");
    assert!(stdout.contains("Access downgrade"), "{stdout}");

    let (code, stdout, _) = read("brp-hidden-card-access", &["--json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["access"]["protocol"], "BAC", "{stdout}");
    assert_eq!(json["verdict"]["result"], "failed", "{stdout}");
    let downgrade = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "downgrade")
        .unwrap();
    assert_eq!(downgrade["status"], "invalid", "{downgrade}");
    let why = downgrade["reason"].as_str().unwrap();
    assert!(why.contains("EF.CardAccess was not delivered"), "{why}");
    assert!(
        why.contains("BAC was used; the signed DG14 lists PACE-ECDH-GM AES-256, parameter id 12"),
        "{why}"
    );
    // The chip itself is genuine: only access control was attacked.
    assert_eq!(json["chip_authenticity"]["verdict"], "genuine", "{stdout}");
}

/// A chip that lists DG14 in EF.SOD and then refuses to read it withholds its Chip Authentication key:
/// chip authenticity failed, exit 1 (before issue 12: "not proven", exit 3).
#[test]
fn refused_dg14_fails_chip_authenticity_and_exits_1() {
    let (code, stdout, stderr) = read("brp-dg14-refused", &["--json"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["verdict"]["result"], "failed", "{stdout}");
    assert_eq!(json["chip_authenticity"]["verdict"], "failed", "{stdout}");
    let ca = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "chip-authentication")
        .unwrap();
    assert_eq!(ca["status"], "invalid", "{ca}");
    assert!(
        ca["reason"]
            .as_str()
            .unwrap()
            .contains("DG14 is listed but the chip withholds it"),
        "{ca}"
    );

    let (code, stdout, _) = read("brp-dg14-refused", &[]);
    assert_eq!(code, 1);
    assert!(stdout.contains("Result       SUSPECT"), "{stdout}");
    assert!(!stdout.contains("GENUINE"), "{stdout}");
}

/// The genuine brp chip read through a clean link: no downgrade, verified (exit 0), so the two tests
/// above fail for the attack and not for the profile.
#[test]
fn the_genuine_chip_with_signed_pace_infos_is_verified() {
    let (code, stdout, stderr) = read("brp", &["--json"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let downgrade = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "downgrade")
        .unwrap();
    assert_eq!(downgrade["status"], "valid", "{downgrade}");
}
