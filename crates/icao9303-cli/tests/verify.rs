//! Passive authentication from the command line: `--trust`, `mrtd verify DIR`, `mrtd trust inspect`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::mrtd;

use std::path::{Path, PathBuf};

fn data(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/data")
        .join(rel)
        .display()
        .to_string()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-verify-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn check<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}"))
}

#[test]
fn demo_chain_is_valid_against_the_test_anchor() {
    let (code, stdout, _) = mrtd(&["demo", "--json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(check(&json, "EF.SOD signature")["status"], "valid");
    assert_eq!(check(&json, "DSC chain")["status"], "valid");
    assert_eq!(
        check(&json, "DSC chain")["warning"],
        true,
        "a test anchor is flagged"
    );
}

#[test]
fn dump_verifies_offline_like_a_live_read() {
    let dir = temp_dir("dump");
    let csca = dir.join("csca.der");
    let dump = dir.join("dump");
    assert_eq!(
        mrtd(&["demo", "--export-csca", csca.to_str().unwrap()]).0,
        0
    );
    let (code, live, _) = mrtd(&[
        "read",
        "--emulator",
        "brp",
        "--doc",
        "ZU3847562",
        "--dob",
        "880314",
        "--expiry",
        "340313",
        "--json",
        "--out",
        dump.to_str().unwrap(),
        "--trust",
        csca.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let (code, offline, stderr) = mrtd(&[
        "verify",
        dump.to_str().unwrap(),
        "--trust",
        csca.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let live: serde_json::Value = serde_json::from_str(&live).unwrap();
    let offline: serde_json::Value = serde_json::from_str(&offline).unwrap();
    // Chip authentication needs the chip: its check lines exist only in the live report. Downgrade
    // detection is in both, but compares different things (live: the PACE run too; offline: the dump's
    // EF.CardAccess with the signed EF.CardSecurity), so only its status is the same.
    let live_only = [
        "chip-authentication",
        "active-authentication",
        "pace-cam",
        "downgrade",
    ];
    let downgrade = |v: &serde_json::Value| {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "downgrade")
            .map(|c| c["status"].clone())
    };
    assert_eq!(downgrade(&live), Some("valid".into()), "{live}");
    assert_eq!(downgrade(&offline), Some("valid".into()), "{offline}");
    let without_chip_auth = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|c| !live_only.contains(&c["id"].as_str().unwrap_or_default()))
            .cloned()
            .collect()
    };
    assert_eq!(
        without_chip_auth(&live["checks"]),
        without_chip_auth(&offline["checks"])
    );
    assert_eq!(live["mrz"], offline["mrz"]);
    assert_eq!(check(&offline, "DSC chain")["status"], "valid");
    assert_eq!(check(&offline, "EF.CardSecurity")["status"], "valid");
    // No chip offline: that alone does not prevent "verified" (exit 0 above).
    assert_eq!(live["verdict"]["result"], "verified");
    assert_eq!(offline["verdict"]["result"], "verified");
    assert!(offline.get("chip_authenticity").is_none());
    assert!(
        offline["verdict"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().starts_with("chip not present")),
        "{offline}"
    );
    let (_, text, _) = mrtd(&[
        "verify",
        dump.to_str().unwrap(),
        "--trust",
        csca.to_str().unwrap(),
    ]);
    assert!(text.contains("Chip         not present"), "{text}");

    // Without the anchor the chain is unknown, not invalid: nothing failed, but not verified (exit 3, was
    // 0 before the verdict required a trusted chain); with a tampered DG the hash fails (exit 1).
    let (code, out, _) = mrtd(&["verify", dump.to_str().unwrap(), "--json"]);
    assert_eq!(code, 3);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(check(&json, "DSC chain")["status"], "not-checked");
    assert_eq!(json["verdict"]["result"], "not_verified");
    let dg2 = dump.join("DG2.bin");
    let mut bytes = std::fs::read(&dg2).unwrap();
    let n = bytes.len() - 10;
    bytes[n] ^= 0xFF;
    std::fs::write(&dg2, bytes).unwrap();
    let (code, out, _) = mrtd(&[
        "verify",
        dump.to_str().unwrap(),
        "--trust",
        csca.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(check(&json, "DG2 hash")["status"], "invalid");
    // A face whose hash fails is not the issuer's: --photo refuses to save it as the holder's.
    let photo = dir.join("face.png");
    let (code, _, stderr) = mrtd(&[
        "verify",
        dump.to_str().unwrap(),
        "--trust",
        csca.to_str().unwrap(),
        "--photo",
        photo.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(!photo.exists(), "a tampered face was written");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The BSI reference data set: its DSC's issuer is unknown (not-checked, not invalid), but its DG15 is not
/// listed in EF.SOD — unsigned data, a failed check since issue 12 (exit 1, was 0).
#[test]
fn bsi_reference_data_set_is_unknown_issuer_not_invalid() {
    let dir = temp_dir("bsi");
    for (from, to) in [
        ("EF_COM.bin", "EF_COM.bin"),
        ("EF_SOD.bin", "EF_SOD.bin"),
        ("Datagroup1.bin", "DG1.bin"),
        ("Datagroup2.bin", "DG2.bin"),
        ("Datagroup3.bin", "DG3.bin"),
        ("Datagroup4.bin", "DG4.bin"),
        ("Datagroup14.bin", "DG14.bin"),
        ("Datagroup15.bin", "DG15.bin"),
    ] {
        std::fs::copy(data(&format!("bsi-reference-dataset/{from}")), dir.join(to)).unwrap();
    }
    let (code, out, stderr) = mrtd(&[
        "verify",
        dir.to_str().unwrap(),
        "--json",
        "--trust",
        &data("master-lists/DE_ROOT_CA_CSCA07.cer"),
        "--trust",
        &data("master-lists/DE_ML_2026-05-28-08-28-45.ml"),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(check(&json, "EF.SOD signature")["status"], "valid");
    assert_eq!(check(&json, "DSC chain")["status"], "not-checked");
    assert_eq!(json["verdict"]["result"], "failed");
    assert!(
        check(&json, "DSC chain")["reason"]
            .as_str()
            .unwrap()
            .contains("unknown issuer")
    );
    for dg in ["DG1 hash", "DG2 hash", "DG3 hash", "DG4 hash", "DG14 hash"] {
        assert_eq!(check(&json, dg)["status"], "valid", "{dg}");
    }
    assert_eq!(check(&json, "DG15 hash")["status"], "invalid");
    assert_eq!(json["mrz"]["primary_identifier"], "MUSTERMANN");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unverifiable_master_list_is_refused_unless_accepted() {
    let ml = data("master-lists/DE_ML_2026-05-28-08-28-45.ml");
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
        "--trust",
        &ml,
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("could not be verified"), "{stderr}");
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
        "--trust",
        &ml,
        "--accept-unverified-lists",
    ]);
    // Read, nothing failed, but the German list holds no anchor for the emulator's test CSCA: exit 3.
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("accepted as you asked"));
}

#[test]
fn trust_inspect_summarises_a_master_list() {
    let (code, out, _) = mrtd(&[
        "trust",
        "inspect",
        &data("master-lists/NL_ML_2026-07-22.ml"),
        "--json",
    ]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["kind"], "master list");
    assert_eq!(json["certificates"], 411);
    assert!(json["by_country"]["NL"]["certificates"].as_u64().unwrap() > 0);
    let (code, _, stderr) = mrtd(&[
        "trust",
        "inspect",
        &data("bsi-reference-dataset/Datagroup1.bin"),
    ]);
    assert_eq!(code, 2, "{stderr}");
}
