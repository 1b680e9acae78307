//! The `mrtd` binary: commands, exit codes and outputs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{mrtd, test_anchor};

#[test]
fn demo_reads_the_sample_brp() {
    let (code, stdout, stderr) = mrtd(&["demo"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("Result       VERIFIED"), "{stdout}");
    assert!(stdout.contains("Chip         GENUINE"), "{stdout}");
    assert!(stdout.contains("TESTHOLDER, AMINA GRACE"), "{stdout}");
    assert!(stdout.contains("ZU3847562"));
    assert!(stdout.contains("DG2 hash"));
}

#[test]
fn read_with_json_and_dump() {
    let dir = std::env::temp_dir().join(format!("mrtd-cli-test-{}", std::process::id()));
    let (code, stdout, stderr) = mrtd(&[
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
        dir.to_str().unwrap(),
        "--trust",
        &test_anchor("brp"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["schema"], "mrtd-report/2");
    assert_eq!(json["verdict"]["result"], "verified", "{stdout}");
    assert_eq!(json["mrz"]["document_number"], "ZU3847562");
    for f in [
        "EF_COM.bin",
        "EF_SOD.bin",
        "DG1.bin",
        "DG2.bin",
        "DG11.bin",
        "DG12.bin",
        "report.json",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let dg1 = std::fs::read(dir.join("DG1.bin")).unwrap();
    assert_eq!(dg1[0], 0x61);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn read_with_the_whole_mrz() {
    let mrz = "IRGBRZU38475628<<<<<<<<<<<<<<<\n8803148F3403130UTO<<<<<<<<<<<8\nTESTHOLDER<<AMINA<GRACE<<<<<<<";
    let brp = test_anchor("brp");
    let (code, _, stderr) = mrtd(&["read", "--emulator", "brp", "--mrz", mrz, "--trust", &brp]);
    assert_eq!(code, 0, "{stderr}");
    // The passport offers no chip authentication: passive authentication alone verifies it.
    let (code, stdout, stderr) = mrtd(&[
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
        &test_anchor("passport-bac"),
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("the chip offers no chip authentication"),
        "{stdout}"
    );
}

#[test]
fn wrong_mrz_is_access_denied_with_exit_2() {
    let (code, stdout, stderr) = mrtd(&[
        "read",
        "--emulator",
        "brp",
        "--doc",
        "ZU3847563",
        "--dob",
        "880314",
        "--expiry",
        "340313",
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(stderr.trim(), "access denied: check the MRZ");
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(
        mrtd(&[
            "read",
            "--emulator",
            "nope",
            "--doc",
            "X",
            "--dob",
            "880314",
            "--expiry",
            "340313"
        ])
        .0,
        2
    );
    assert_eq!(
        mrtd(&[
            "read",
            "--emulator",
            "brp",
            "--doc",
            "ZU3847562",
            "--dob",
            "88031",
            "--expiry",
            "340313"
        ])
        .0,
        2
    );
    assert_eq!(mrtd(&["read", "--emulator", "brp"]).0, 2);
    // A bad check digit in --mrz is refused unless allowed.
    let bad = "IRGBRZU38475627<<<<<<<<<<<<<<<\n8803148F3403130UTO<<<<<<<<<<<8\nTESTHOLDER<<AMINA<GRACE<<<<<<<";
    let (code, _, stderr) = mrtd(&["read", "--emulator", "brp", "--mrz", bad]);
    assert_eq!(code, 2);
    assert!(stderr.contains("document number"), "{stderr}");
    // Allowed, the key is built from the fields (the check digit is recomputed), so the read succeeds.
    assert_eq!(
        mrtd(&[
            "read",
            "--emulator",
            "brp",
            "--mrz",
            bad,
            "--allow-bad-check-digits",
            "--trust",
            &test_anchor("brp"),
        ])
        .0,
        0
    );
}

#[test]
fn genuine_brp_and_cloned_chip_exit_codes() {
    let anchor = test_anchor("brp");
    let key = [
        "--doc",
        "ZU3847562",
        "--dob",
        "880314",
        "--expiry",
        "340313",
        "--json",
        "--trust",
        &anchor,
    ];
    let (code, stdout, stderr) = mrtd(&[&["read", "--emulator", "brp"], &key[..]].concat());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("\"verdict\": \"genuine\""), "{stdout}");
    let (code, stdout, stderr) = mrtd(&[&["read", "--emulator", "brp-clone"], &key[..]].concat());
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("\"verdict\": \"failed\""), "{stdout}");
}

/// Issue 12, case 1: without a trust anchor nothing ties the chip to an issuing state. Every mechanism
/// passes, but the read is not verified (exit 3, no longer 0) and the chip is not called genuine.
#[test]
fn without_a_trust_anchor_the_read_is_not_verified() {
    let key = [
        "--doc",
        "ZU3847562",
        "--dob",
        "880314",
        "--expiry",
        "340313",
    ];
    let (code, stdout, stderr) = mrtd(&[&["read", "--emulator", "brp"], &key[..]].concat());
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert!(!stdout.contains("GENUINE"), "{stdout}");
    assert!(stdout.contains("Result       NOT VERIFIED"), "{stdout}");
    assert!(stdout.contains("the signer is not trusted"), "{stdout}");
    assert!(
        stdout.contains("the trust anchors of GB (its CSCA certificates or a master list holding them) are needed"),
        "{stdout}"
    );
    // The CLI, not the library, names its flag and the guide on trust anchors.
    assert!(stdout.contains("docs/trust-anchors.md"), "{stdout}");
    assert!(stdout.contains("with --trust"), "{stdout}");
    let (code, stdout, _) = mrtd(&[&["read", "--emulator", "brp", "--json"], &key[..]].concat());
    assert_eq!(code, 3);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["verdict"]["result"], "not_verified");
    assert_eq!(json["chip_authenticity"]["verdict"], "not-proven");
    assert!(
        !stdout.contains("--trust"),
        "library reasons name no CLI flag: {stdout}"
    );
}

#[test]
fn pace_with_the_can_and_a_wrong_can() {
    let anchor = test_anchor("brp");
    let (code, stdout, stderr) = mrtd(&[
        "read",
        "--emulator",
        "brp",
        "--can",
        "128453",
        "--json",
        "--trust",
        &anchor,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["access"]["protocol"], "PACE");
    assert_eq!(json["access"]["password"], "CAN");
    assert_eq!(json["access"]["mapping"], "CAM");
    assert_eq!(json["access"]["parameter_id"], 12);
    assert_eq!(json["access"]["cipher"], "AES-256");
    let (code, stdout, stderr) = mrtd(&["read", "--emulator", "brp", "--can", "128454"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(stderr.trim(), "access denied: check the CAN");
    // The ID card has no BAC and takes only the CAN.
    let (code, _, stderr) = mrtd(&[
        "read",
        "--emulator",
        "id-card-bp256",
        "--doc",
        "T22000129",
        "--dob",
        "640812",
        "--expiry",
        "311031",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("give the CAN"), "{stderr}");
}

/// A chip answering the first command after Chip Authentication with a bare 6110 (no MAC), read through
/// the in-process emulator (which passes 61xx on, as a phone's NFC stack may): Chip Authentication failed.
#[test]
fn mac_less_61xx_after_chip_authentication_is_a_failed_check() {
    let (code, stdout, stderr) = mrtd(&[
        "read",
        "--emulator",
        "brp-61xx-after-ca",
        "--doc",
        "ZU3847562",
        "--dob",
        "880314",
        "--expiry",
        "340313",
        "--json",
    ]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ca = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Chip Authentication")
        .unwrap();
    assert_eq!(ca["status"], "invalid", "{ca}");
    assert!(
        ca["reason"].as_str().unwrap().contains("without a MAC"),
        "{ca}"
    );
    assert_eq!(json["chip_authenticity"]["verdict"], "failed", "{stdout}");
}

const BRP: [&str; 8] = [
    "read",
    "--emulator",
    "brp",
    "--doc",
    "ZU3847562",
    "--dob",
    "880314",
    "--expiry",
];

#[test]
fn read_statistics_with_stats_and_in_the_json_report() {
    let anchor = test_anchor("brp");
    let mut args = BRP.to_vec();
    args.extend(["340313", "--trust", &anchor, "--stats"]);
    let (code, stdout, stderr) = mrtd(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Read statistics"), "{stdout}");
    assert!(
        stdout.contains("extended length  no on this link (policy auto"),
        "{stdout}"
    );
    assert!(stdout.contains("    READ BINARY "), "{stdout}");
    assert!(stdout.contains("    access control "), "{stdout}");
    assert!(
        !stdout.contains("probe"),
        "a chip announcing short APDUs is not probed"
    );

    // With --json the statistics are in the report; --stats prints them on stderr.
    args.push("--json");
    let (code, stdout, stderr) = mrtd(&args);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let stats = &json["read_stats"];
    assert_eq!(stats["extended_length"], "no");
    assert!(stats["apdus"].as_u64().unwrap() > 50, "{stats}");
    assert!(stats["apdus_by_kind"]["READ BINARY"].as_u64().unwrap() > 50);
    assert!(stats["phases"][0]["ms"].is_number());
    assert!(stderr.contains("Read statistics"), "{stderr}");
}

#[test]
fn no_images_and_extra_files() {
    let anchor = test_anchor("brp");
    let mut args = BRP.to_vec();
    args.extend([
        "340313",
        "--trust",
        &anchor,
        "--json",
        "--no-images",
        "--files",
        "DG3,dg13",
        "--extended-length",
        "off",
    ]);
    let (_, stdout, stderr) = mrtd(&args);
    let json: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    let files: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"DG1") && !files.contains(&"DG2"),
        "{files:?}"
    );
    let check = |id: &str| {
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no check {id}: {stdout}"))
            .clone()
    };
    assert!(
        check("read:DG2")["reason"]
            .as_str()
            .unwrap()
            .contains("leaves out images")
    );
    // DG13 was asked for, the chip has none; DG3 is an image, so left out too.
    assert!(
        check("read:DG13")["reason"]
            .as_str()
            .unwrap()
            .contains("not present")
    );
    assert!(
        check("read:DG3")["reason"]
            .as_str()
            .unwrap()
            .contains("leaves out images")
    );
    assert_eq!(json["read_stats"]["extended_length_policy"], "off");

    let mut args = BRP.to_vec();
    args.extend(["340313", "--files", "DG17"]);
    let (code, _, stderr) = mrtd(&args);
    assert_eq!(code, 2);
    assert!(stderr.contains("DG17"), "{stderr}");
}
