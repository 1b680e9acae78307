//! Hostile files on the command line (issue 12, item 6): `mrtd verify DIR` and `mrtd inspect FILE` on an
//! EF.SOD of deeply nested constructed OCTET STRINGs (730 KB), of deep indefinite lengths, or declaring a
//! 4 GiB length, and on files larger than any LDS file: a clear message and an exit code, never an abort.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::mrtd;

use icao9303::asn1::{der, tag};
use icao9303::lds::sod::{ID_LDS_SECURITY_OBJECT, SOD_TAG};
use icao9303::pki::cms::ID_SIGNED_DATA;
use std::path::PathBuf;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An EF.SOD whose eContent [0] holds `econtent` (already encoded).
fn sod_around(econtent: &[u8]) -> Vec<u8> {
    let signed_data = der::sequence(&[
        &der::integer_u64(3),
        &der::set(&[]),
        &der::sequence(&[
            &der::oid(&ID_LDS_SECURITY_OBJECT),
            &der::tlv(tag::context(0), econtent),
        ]),
        &der::set(&[]),
    ]);
    der::tlv(
        SOD_TAG,
        &der::sequence(&[
            &der::oid(&ID_SIGNED_DATA),
            &der::tlv(tag::context(0), &signed_data),
        ]),
    )
}

/// ~730 KB: constructed OCTET STRINGs nested 124 000 deep with four-octet lengths.
fn deep_definite_sod() -> Vec<u8> {
    let levels = 730 * 1024 / 6;
    let mut nested = Vec::with_capacity(levels * 6 + 3);
    for i in 0..levels {
        nested.extend([0x24, 0x84]);
        nested.extend(
            u32::try_from((levels - i - 1) * 6 + 3)
                .unwrap()
                .to_be_bytes(),
        );
    }
    nested.extend(der::octet_string(b"x"));
    sod_around(&nested)
}

/// ~730 KB: constructed OCTET STRINGs with indefinite lengths nested 186 000 deep.
fn deep_indefinite_sod() -> Vec<u8> {
    let levels = 730 * 1024 / 4;
    let mut nested = [0x24, 0x80].repeat(levels);
    nested.extend(der::octet_string(b"x"));
    nested.resize(nested.len() + 2 * levels, 0);
    sod_around(&nested)
}

/// Runs `mrtd verify` on a directory holding `sod` as EF_SOD.bin and `mrtd inspect` on the file; both
/// must exit normally with the expected code and name the problem.
fn verify_and_inspect(name: &str, sod: &[u8], expected: &str) {
    let dir = temp_dir(name);
    let path = dir.join("EF_SOD.bin");
    std::fs::write(&path, sod).unwrap();

    // verify: the dump is read, the EF.SOD check fails: exit 1 (a check failed).
    let (code, stdout, stderr) = mrtd(&["verify", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "verify {name}: {stdout}\n{stderr}");
    assert!(stdout.contains(expected), "verify {name}: {stdout}");
    let (code, stdout, stderr) = mrtd(&["verify", "--json", dir.to_str().unwrap()]);
    assert_eq!(code, 1, "verify --json {name}: {stderr}");
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(json["checks"].as_array().unwrap().iter().any(|c| {
        c["status"] == "invalid" && c["reason"].as_str().is_some_and(|r| r.contains(expected))
    }));

    // inspect: the file is recognised as EF.SOD and reported broken: exit 1 (2 is for unreadable files).
    let (code, stdout, stderr) = mrtd(&["inspect", path.to_str().unwrap()]);
    assert_eq!(code, 1, "inspect {name}: {stdout}\n{stderr}");
    assert!(stdout.contains(expected), "inspect {name}: {stdout}");
    let (code, stdout, _) = mrtd(&["inspect", "--json", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stdout.contains(expected), "inspect --json {name}: {stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn deeply_nested_sod_is_reported_not_a_crash() {
    let sod = deep_definite_sod();
    assert!(sod.len() > 730_000);
    verify_and_inspect("definite", &sod, "nested deeper than 64 levels");
}

#[test]
fn deep_indefinite_lengths_are_reported_not_a_crash() {
    let sod = deep_indefinite_sod();
    assert!(sod.len() > 730_000);
    verify_and_inspect("indefinite", &sod, "nested deeper than 64 levels");
}

#[test]
fn a_4_gib_declared_length_is_reported() {
    let econtent = [0x24, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x04, 0x01, b'x'];
    verify_and_inspect("huge", &sod_around(&econtent), "truncated value");
}

#[test]
fn files_larger_than_any_lds_file_are_refused() {
    let dir = temp_dir("large");
    let path = dir.join("DG2.bin");
    let big = std::fs::File::create(&path).unwrap();
    big.set_len(icao9303_emu::dump::MAX_FILE + 1).unwrap();
    // Could not read: exit 2, naming the file.
    let (code, _, stderr) = mrtd(&["verify", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("DG2.bin") && stderr.contains("too large"),
        "{stderr}"
    );
    let (code, _, stderr) = mrtd(&["inspect", path.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("too large"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
