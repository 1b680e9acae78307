//! Digital Travel Credentials from the command line: `read --dtc`, `dtc export`, `verify FILE.dtcvc`,
//! `read --dtc-compare`, `inspect`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{data_path, mrtd};

use serde_json::Value;
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-dtc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn check<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {json}"))
}

fn example(name: &str) -> String {
    data_path(&format!("dtc/{name}")).display().to_string()
}

const BRP: &[&str] = &[
    "--emulator",
    "brp",
    "--doc",
    "ZU3847562",
    "--dob",
    "880314",
    "--expiry",
    "340313",
];
const PASSPORT_BAC: &[&str] = &[
    "--emulator",
    "passport-bac",
    "--doc",
    "L898902C<",
    "--dob",
    "690806",
    "--expiry",
    "940623",
];

/// `mrtd read <profile args> <extra>`.
fn read(profile: &[&str], extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["read"];
    args.extend_from_slice(profile);
    args.extend_from_slice(extra);
    mrtd(&args)
}

#[cfg(unix)]
fn assert_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{} has mode {mode:o}", path.display());
}

#[cfg(not(unix))]
fn assert_private(_: &Path) {}

/// The checks both reports share: everything but chip authentication (needs the chip; EF.CardSecurity,
/// PACE-CAM's key file, has no place in a DTC-VC), downgrade detection (it compares the access control
/// run, and EF.CardSecurity, with the signed PACEInfos) and the DTC's own lines.
fn shared_checks(report: &Value) -> Vec<Value> {
    let only_one_side = [
        "chip-authentication",
        "active-authentication",
        "pace-cam",
        "card-security",
        "downgrade",
        // EF.COM has no place in a DTC-VC: its listing against EF.SOD is a live check.
        "structure:EF.COM",
        "dtc",
        "chip-authenticity",
    ];
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !only_one_side.contains(&c["id"].as_str().unwrap_or_default()))
        .cloned()
        .collect()
}

#[test]
fn export_then_verify_gives_the_live_verdict_for_brp_and_passport_bac() {
    let dir = temp_dir("roundtrip");
    let csca = dir.join("brp-csca.der");
    assert_eq!(mrtd(&["demo", "--export-csca", s(&csca)]).0, 0);
    // brp with its test CSCA (the chain verifies); passport-bac without anchors (unknown issuer).
    // Exit 0 (verified) with the anchor, 3 (not verified: unknown signer) without, live and offline alike.
    let cases: [(&str, &[&str], Vec<&str>, i32); 2] = [
        ("brp", BRP, vec!["--trust", s(&csca)], 0),
        ("passport-bac", PASSPORT_BAC, vec![], 3),
    ];
    for (name, profile, trust, want) in cases {
        let file = dir.join(format!("{name}.dtcvc"));
        let mut extra = vec!["--json", "--dtc", s(&file)];
        extra.extend(&trust);
        let (live_code, live, stderr) = read(profile, &extra);
        assert_eq!(live_code, want, "{name}: {stderr}");
        assert!(stderr.contains("DTC-VC (Type 1) written to"), "{stderr}");
        assert_private(&file);
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(&bytes[..2], [0x30, 0x82], "{name}");

        let mut args = vec!["verify", s(&file), "--json"];
        args.extend(&trust);
        let (code, offline, stderr) = mrtd(&args);
        assert_eq!(code, live_code, "{name}: {stderr}");
        let live: Value = serde_json::from_str(&live).unwrap();
        let offline: Value = serde_json::from_str(&offline).unwrap();
        assert_eq!(shared_checks(&live), shared_checks(&offline), "{name}");
        assert_eq!(live["mrz"], offline["mrz"], "{name}");
        assert_eq!(
            live["verdict"]["result"], offline["verdict"]["result"],
            "{name}"
        );
        assert_eq!(live["source"], "chip");
        assert_eq!(offline["source"], "dtc-vc");
        assert!(offline["access"].is_null());
        assert_eq!(check(&offline, "DTC-VC")["status"], "valid");
        assert_eq!(
            check(&offline, "Chip authenticity")["status"],
            "not-checked"
        );
        assert!(
            check(&offline, "Chip authenticity")["reason"]
                .as_str()
                .unwrap()
                .contains("chip was not present")
        );
        assert!(offline.get("chip_authenticity").is_none());
        let chain = &check(&offline, "DSC chain")["status"];
        assert_eq!(
            *chain,
            if name == "brp" {
                "valid"
            } else {
                "not-checked"
            }
        );
        // The live read proves the chip genuine where the chip can; the DTC-VC cannot.
        if name == "brp" {
            assert_eq!(live["chip_authenticity"]["verdict"], "genuine");
        }
    }

    // The text report says where the data came from.
    let (code, text, _) = mrtd(&["verify", s(&dir.join("brp.dtcvc")), "--trust", s(&csca)]);
    assert_eq!(code, 0);
    assert!(text.contains("Digital Travel Credential"), "{text}");
    assert!(text.contains("the chip was not present"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dtc_export_of_a_dump_is_the_dtc_of_the_read() {
    let dir = temp_dir("export");
    let dump = dir.join("dump");
    let from_read = dir.join("read.dtcvc");
    let from_dump = dir.join("dump.dtcvc");
    // Without --trust: exit 3 (not verified), and the DTC-VC is written all the same.
    let (code, _, stderr) = read(BRP, &["--out", s(&dump), "--dtc", s(&from_read)]);
    assert_eq!(code, 3, "{stderr}");
    // An existing file is overwritten and restricted to its owner.
    std::fs::write(&from_dump, b"old").unwrap();
    let (code, _, stderr) = mrtd(&["dtc", "export", s(&dump), s(&from_dump)]);
    assert_eq!(code, 0, "{stderr}");
    assert_private(&from_dump);
    assert_eq!(
        std::fs::read(&from_read).unwrap(),
        std::fs::read(&from_dump).unwrap()
    );

    // A data group that does not match EF.SOD is left out, with a note.
    let dg11 = dump.join("DG11.bin");
    let mut bytes = std::fs::read(&dg11).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&dg11, bytes).unwrap();
    let (code, _, stderr) = mrtd(&["dtc", "export", s(&dump), s(&from_dump)]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("DG11 not exported: does not match"),
        "{stderr}"
    );
    let (code, out, _) = mrtd(&["verify", s(&from_dump), "--json"]);
    assert_eq!(code, 3);
    let json: Value = serde_json::from_str(&out).unwrap();
    // DG11 is listed in EF.SOD but not in the DTC-VC: not checked, as for a data group not read.
    assert_eq!(check(&json, "DG11 hash")["status"], "not-checked");
    assert_eq!(json["verdict"]["result"], "not_verified");

    // Without DG2 there is no DTC-VC: a clear error, exit 2, nothing written.
    std::fs::remove_file(dump.join("DG2.bin")).unwrap();
    let target = dir.join("none.dtcvc");
    let (code, _, stderr) = mrtd(&["dtc", "export", s(&dump), s(&target)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("DG2 was not read"), "{stderr}");
    assert!(!target.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dtc_biometrics_needs_dtc() {
    let (code, _, stderr) = read(BRP, &["--dtc-biometrics"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--dtc"), "{stderr}");
}

#[test]
fn dtc_compare_binds_the_dtc_to_the_chip_presented() {
    let dir = temp_dir("compare");
    let file = dir.join("brp.dtcvc");
    let csca = dir.join("brp-csca.der");
    assert_eq!(mrtd(&["demo", "--export-csca", s(&csca)]).0, 0);
    assert_eq!(read(BRP, &["--dtc", s(&file)]).0, 3);

    // The same chip: EF.SOD identical, chip genuine (its files chain to the trusted test CSCA).
    let (code, out, stderr) = read(
        BRP,
        &["--json", "--dtc-compare", s(&file), "--trust", s(&csca)],
    );
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let binding = check(&json, "DTC-VC binding");
    assert_eq!(binding["status"], "valid", "{binding}");
    assert!(
        binding["reason"]
            .as_str()
            .unwrap()
            .contains("byte-identical")
    );
    assert_eq!(json["chip_authenticity"]["verdict"], "genuine");

    // A clone with the genuine files: EF.SOD identical, but chip authentication fails.
    let clone: Vec<&str> = BRP
        .iter()
        .map(|a| if *a == "brp" { "brp-clone" } else { *a })
        .collect();
    let (code, out, _) = read(
        &clone,
        &["--json", "--dtc-compare", s(&file), "--trust", s(&csca)],
    );
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(&out).unwrap();
    let binding = check(&json, "DTC-VC binding");
    assert_eq!(binding["status"], "invalid", "{binding}");
    assert!(binding["reason"].as_str().unwrap().contains("clone"));

    // Another document: EF.SOD differs.
    let (code, out, _) = read(PASSPORT_BAC, &["--json", "--dtc-compare", s(&file)]);
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["verdict"]["result"], "failed");
    assert!(
        json["verdict"]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("DTC-VC binding")
    );
    let json: Value = serde_json::from_str(&out).unwrap();
    let binding = check(&json, "DTC-VC binding");
    assert_eq!(binding["status"], "invalid");
    assert!(binding["reason"].as_str().unwrap().contains("differs"));

    // A chip not proven genuine (no chip authentication, no anchor) binds with a warning; not verified.
    let bac = dir.join("bac.dtcvc");
    assert_eq!(read(PASSPORT_BAC, &["--dtc", s(&bac)]).0, 3);
    let (code, out, _) = read(PASSPORT_BAC, &["--json", "--dtc-compare", s(&bac)]);
    assert_eq!(code, 3);
    let json: Value = serde_json::from_str(&out).unwrap();
    let binding = check(&json, "DTC-VC binding");
    assert_eq!(binding["status"], "valid");
    assert_eq!(binding["warning"], true);
    assert!(
        binding["reason"]
            .as_str()
            .unwrap()
            .contains("not proven genuine")
    );

    // A broken DTC-VC stops the command before the chip is read.
    let broken = dir.join("broken.dtcvc");
    std::fs::write(&broken, [0x30, 0x03, 0x02, 0x01, 0x02]).unwrap();
    let (code, stdout, stderr) = read(BRP, &["--dtc-compare", s(&broken)]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("version must be INTEGER 1"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_bsi_examples_verify_with_an_unknown_issuer() {
    // Not verified (exit 3): the signer is unknown, nothing failed.
    let (code, out, stderr) = mrtd(&["verify", &example("bsi-type1-minimal.dtcvc"), "--json"]);
    assert_eq!(code, 3, "{stderr}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["source"], "dtc-vc");
    assert_eq!(check(&json, "EF.SOD signature")["status"], "valid");
    assert_eq!(check(&json, "DG1 hash")["status"], "valid");
    assert_eq!(check(&json, "DG2 hash")["status"], "valid");

    // With the German anchors the chain is still unknown: the BSI test CSCA is not public.
    let (code, out, stderr) = mrtd(&[
        "verify",
        &example("bsi-type1-minimal.dtcvc"),
        "--json",
        "--trust",
        &data_path("master-lists/DE_ROOT_CA_CSCA07.cer")
            .display()
            .to_string(),
        "--trust",
        &data_path("master-lists/DE_ML_2026-05-28-08-28-45.ml")
            .display()
            .to_string(),
    ]);
    assert_eq!(code, 3, "{stderr}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let chain = check(&json, "DSC chain");
    assert_eq!(chain["status"], "not-checked");
    assert!(chain["reason"].as_str().unwrap().contains("unknown issuer"));

    // The full example carries DG15, which EF.SOD does not list: that fails.
    let (code, out, _) = mrtd(&["verify", &example("bsi-type1-full.dtcvc"), "--json"]);
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(check(&json, "DG15 hash")["status"], "invalid");
    assert_eq!(check(&json, "DG14 hash")["status"], "valid");
}

#[test]
fn a_malformed_dtc_is_refused_with_the_reason() {
    let dir = temp_dir("malformed");
    let mut bytes = std::fs::read(example("bsi-type1-minimal.dtcvc")).unwrap();
    bytes.push(0);
    let file = dir.join("trailing.dtcvc");
    std::fs::write(&file, &bytes).unwrap();
    let (code, stdout, stderr) = mrtd(&["verify", s(&file)]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("1 trailing byte(s) after DTCContentInfo"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn inspect_decodes_a_dtc() {
    let (code, out, stderr) = mrtd(&["inspect", "--json", &example("bsi-type1-full.dtcvc")]);
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["kind"], "DTC-VC");
    assert_eq!(json["ok"], true);
    let elements = json["content"]["elements"].as_array().unwrap();
    let offsets: Vec<u64> = elements
        .iter()
        .map(|e| e["offset"].as_u64().unwrap())
        .collect();
    assert_eq!(offsets, [0, 4, 7, 11, 1949, 2044, 17131, 17469]);
    assert_eq!(elements[7]["name"], "dtcDG15");
    assert_eq!(elements[7]["file"], "DG15");
    assert_eq!(
        json["content"]["files"]["DG1"]["parsed"]["mrz"]["primary_identifier"],
        "MUSTERMANN"
    );
    // The face in DG2 is checked like any other.
    assert_eq!(json["images"].as_array().unwrap().len(), 1);

    let (code, text, _) = mrtd(&["inspect", &example("bsi-type1-minimal.dtcvc")]);
    assert_eq!(code, 0);
    assert!(text.contains("dtcDG2 (DG2), 15083 bytes"), "{text}");
    assert!(text.contains("MUSTERMANN"), "{text}");

    let dir = temp_dir("inspect");
    let broken = dir.join("v2.dtcvc");
    let mut bytes = std::fs::read(example("bsi-type1-minimal.dtcvc")).unwrap();
    bytes[6] = 2;
    std::fs::write(&broken, bytes).unwrap();
    let (code, text, _) = mrtd(&["inspect", s(&broken)]);
    assert_eq!(code, 1);
    assert!(text.contains("version must be INTEGER 1"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
