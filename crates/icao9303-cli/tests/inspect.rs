//! `mrtd inspect`: every sample LDS file decodes; broken and unknown files say so; unreadable files exit 2.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::mrtd;

use std::path::{Path, PathBuf};

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/data")
        .join(dir)
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(data(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no files in {dir}");
    v
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-inspect-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_icao_example_and_biometric_sample_decodes() {
    for path in files("icao-9303-10-examples")
        .into_iter()
        .chain(files("biometric"))
    {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let p = path.to_str().unwrap();
        let (code, stdout, stderr) = mrtd(&["inspect", p]);
        let (jcode, json, _) = mrtd(&["inspect", "--json", p]);
        assert_eq!(code, jcode, "{name}: text and JSON disagree");
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_ne!(json["kind"], "unknown", "{name}: {json}");
        if name.contains("InvalidImage") {
            assert_eq!(code, 1, "{name}: {stdout}\n{stderr}");
            assert!(stdout.contains("BROKEN"), "{name}: {stdout}");
            assert!(
                stderr.contains("face record: the face 1 image is broken"),
                "{name}: {stderr}"
            );
            assert_eq!(json["ok"], false);
        } else {
            assert_eq!(code, 0, "{name}: {stdout}\n{stderr}");
            assert_eq!(json["ok"], true, "{name}: {json}");
            assert!(json.get("note").is_none(), "{name}: {json}");
        }
    }
}

#[test]
fn decoded_content_is_shown() {
    let dir = data("icao-9303-10-examples");
    let (code, stdout, _) = mrtd(&["inspect", dir.join("EF_DG11.bin").to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(stdout.contains("DG11 (tag 6B, 98 bytes)"), "{stdout}");
    assert!(stdout.contains("place of birth:"), "{stdout}");
    let (_, stdout, _) = mrtd(&["inspect", dir.join("EF_DIR.bin").to_str().unwrap()]);
    assert!(stdout.contains("EF.DIR"), "{stdout}");
    let (_, stdout, _) = mrtd(&["inspect", dir.join("EF_DG1_TD2.bin").to_str().unwrap()]);
    assert!(stdout.contains(": DG1 (tag 61"), "{stdout}");
    let (_, json, _) = mrtd(&[
        "inspect",
        "--json",
        data("biometric")
            .join("EF_DG2_iso19794.bin")
            .to_str()
            .unwrap(),
    ]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["kind"], "DG2");
    assert_eq!(json["images"][0]["format"], "Jpeg");
    assert!(json["images"][0]["width"].as_u64().unwrap() > 0);
}

#[test]
fn rsassa_pss_is_named_with_its_parameters() {
    // The BSI specimen's EF.SOD is signed with RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 in its parameters;
    // naming it from the OID alone would say the RFC 4055 defaults (SHA-1, salt 20), which it is not.
    let (code, stdout, _) = mrtd(&[
        "inspect",
        data("bsi-reference-dataset")
            .join("EF_SOD.bin")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("signature algorithm: RSASSA-PSS with SHA-256 (salt 32)"),
        "{stdout}"
    );
}

#[test]
fn sod_card_access_and_dg14_are_described() {
    let (code, stdout, _) = mrtd(&[
        "inspect",
        data("sod/DE").join("EF_SOD.bin").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("hash algorithm: SHA-384"), "{stdout}");
    assert!(stdout.contains("DG1"), "{stdout}");
    assert!(stdout.contains("signature algorithm"), "{stdout}");
    let (code, stdout, _) = mrtd(&[
        "inspect",
        data("card-access")
            .join("EF_CardAccess_AT.bin")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("EF.CardAccess"), "{stdout}");
    assert!(stdout.contains("SecurityInfos"), "{stdout}");
    // Decoded through the LDS registry now, not shown as a hex dump.
    assert!(
        stdout.contains("PACE-ECDH-GM-AES-128 v2, parameter id 13"),
        "{stdout}"
    );
    let (code, stdout, _) = mrtd(&[
        "inspect",
        data("dg14").join("EF_DG14_AT.bin").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("DG14 (tag 6E"), "{stdout}");
    assert!(stdout.contains("Chip Authentication"), "{stdout}");
}

#[test]
fn unknown_and_unreadable_files() {
    let dir = temp_dir("unknown");
    let unknown = dir.join("mystery.bin");
    std::fs::write(&unknown, [0x99, 0x02, 0xAB, 0xCD]).unwrap();
    let (code, stdout, _) = mrtd(&["inspect", unknown.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("not recognised"), "{stdout}");
    assert!(stdout.contains("99 02 AB CD"), "{stdout}");
    let (code, _, stderr) = mrtd(&["inspect", dir.join("missing.bin").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.bin"), "{stderr}");
    let empty = dir.join("empty.bin");
    std::fs::write(&empty, []).unwrap();
    assert_eq!(mrtd(&["inspect", empty.to_str().unwrap()]).0, 2);
    // A data group whose structure is broken: recognised, reported, exit 1.
    let broken = dir.join("dg11.bin");
    std::fs::write(&broken, [0x6B, 0x05, 0x5F, 0x0E, 0x09, 0x41]).unwrap();
    let (code, stdout, _) = mrtd(&["inspect", broken.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("cannot be parsed: DG11"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn corrupted_dg2_gives_a_clear_message_and_keeps_the_raw_image() {
    let dir = temp_dir("corrupt");
    let mut dg2 = std::fs::read(data("biometric").join("EF_DG2_iso19794.bin")).unwrap();
    // Break the JPEG inside: keep its start-of-image marker, destroy everything after it.
    let soi = dg2
        .windows(3)
        .position(|w| w == [0xFF, 0xD8, 0xFF])
        .unwrap();
    for b in dg2.iter_mut().skip(soi + 4) {
        *b = 0x00;
    }
    let file = dir.join("DG2.bin");
    std::fs::write(&file, &dg2).unwrap();
    let photo = dir.join("face.png");
    let (code, stdout, stderr) = mrtd(&[
        "inspect",
        file.to_str().unwrap(),
        "--photo",
        photo.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("DG2: the face image is broken (")
            && stderr.contains("the raw image was kept"),
        "{stderr}"
    );
    assert!(!photo.exists());
    let raw = dir.join("face.jpg");
    assert!(raw.is_file(), "raw image not kept: {stderr}");
    assert_eq!(std::fs::read(&raw).unwrap()[..3], [0xFF, 0xD8, 0xFF]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn inspect_photo_writes_png_or_the_original() {
    let dir = temp_dir("photo");
    let dg2 = data("biometric").join("EF_DG2_iso19794.bin");
    let png = dir.join("face.png");
    let (code, _, stderr) = mrtd(&[
        "inspect",
        dg2.to_str().unwrap(),
        "--photo",
        png.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read(&png).unwrap()[..4], [0x89, b'P', b'N', b'G']);
    let jpg = dir.join("face.jpg");
    let (code, _, stderr) = mrtd(&[
        "inspect",
        dg2.to_str().unwrap(),
        "--photo",
        jpg.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read(&jpg).unwrap(),
        std::fs::read(data("biometric").join("EF_DG2_iso19794_face.jpg")).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn inspect_dg3_writes_each_finger_as_png() {
    let dir = temp_dir("fingerprints");
    let out = dir.join("fingers");
    let dg3 = data("bsi-reference-dataset").join("Datagroup3.bin");
    let (code, stdout, stderr) = mrtd(&[
        "inspect",
        dg3.to_str().unwrap(),
        "--fingerprints",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("finger right-index-finger: Wsq, 16389 bytes, decodes to 620x620 pixels"),
        "{stdout}"
    );
    assert!(
        stdout.contains("position name: left index finger"),
        "{stdout}"
    );
    for (name, wsq) in [
        ("right-index-finger.png", "fingerprint_1.wsq"),
        ("left-index-finger.png", "fingerprint_2.wsq"),
    ] {
        let png = std::fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}\n{stderr}"));
        assert!(stderr.contains(name), "{stderr}");
        let written = icao9303::lds::image::decode_image(&png).unwrap();
        let reference = icao9303::lds::wsq::decode(
            &std::fs::read(data("biometric/dg3-dg4").join(wsq)).unwrap(),
        )
        .unwrap();
        assert_eq!((written.width, written.height), (620, 620));
        let grey: Vec<u8> = written.pixels.chunks(3).map(|p| p[0]).collect();
        assert!(
            grey == reference.pixels,
            "{name}: pixels differ from the WSQ decode"
        );
    }
    // DG4 is checked too: both irises decode.
    let dg4 = data("bsi-reference-dataset").join("Datagroup4.bin");
    let (code, stdout, _) = mrtd(&["inspect", dg4.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("iris left-eye: Jpeg2000, 6718 bytes, decodes to 160x152 pixels"),
        "{stdout}"
    );
    // A file without fingers says so and writes nothing.
    let dg2 = data("biometric").join("EF_DG2_iso19794.bin");
    let (code, _, stderr) = mrtd(&[
        "inspect",
        dg2.to_str().unwrap(),
        "--fingerprints",
        out.join("none").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(stderr.contains("DG2: no finger image found"), "{stderr}");
    assert!(!out.join("none").exists());
}

#[test]
fn cv_certificates_and_requests_are_decoded() {
    for (rel, kind, chr) in [
        (
            "cvc/persosim-is/DEISCVCA00001.cvcert",
            "CV certificate",
            "DEISCVCA00001",
        ),
        (
            "cvc/german-cvca/DECVCAEPASS00102.cvcert",
            "CV certificate",
            "DECVCAEPASS00102",
        ),
        (
            "cvc/bsi-worked-example/dh/DETESTCVCA00003.cvcert",
            "CV certificate",
            "DETESTCVCA00003",
        ),
        (
            "cvc/test-pki/UTTESTIS00002.cvcert",
            "CV certificate",
            "UTTESTIS00002",
        ),
        (
            "cvc/test-pki/UTTESTIS00004-request.cvreq",
            "CV certificate request",
            "UTTESTIS00004",
        ),
    ] {
        let path = data(rel);
        let p = path.to_str().unwrap();
        let (code, stdout, stderr) = mrtd(&["inspect", p]);
        assert_eq!(code, 0, "{rel}: {stdout}\n{stderr}");
        assert!(stdout.contains(chr), "{rel}: {stdout}");
        let (_, json, _) = mrtd(&["inspect", "--json", p]);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["kind"], kind, "{rel}: {json}");
        assert_eq!(json["ok"], true, "{rel}: {json}");
    }
    // What the file says, in words.
    let (_, stdout, _) = mrtd(&[
        "inspect",
        data("cvc/test-pki/UTTESTIS00002.cvcert").to_str().unwrap(),
    ]);
    assert!(stdout.contains("read dg3: false"), "{stdout}");
    assert!(stdout.contains("read dg4: true"), "{stdout}");
    assert!(stdout.contains("inherited from the CVCA"), "{stdout}");
    let (_, stdout, _) = mrtd(&[
        "inspect",
        data("cvc/persosim-is/DEISCVCA00001.cvcert")
            .to_str()
            .unwrap(),
    ]);
    assert!(stdout.contains("self signature: valid"), "{stdout}");
    let (_, stdout, _) = mrtd(&[
        "inspect",
        data("cvc/test-pki/UTTESTIS00004-request.cvreq")
            .to_str()
            .unwrap(),
    ]);
    assert!(stdout.contains("inner signature: valid"), "{stdout}");
    assert!(stdout.contains("by UTTESTIS00001"), "{stdout}");

    // A CVCA whose self-signature is broken, and a truncated certificate: recognised, not sound.
    let dir = temp_dir("cvc");
    let mut bytes = std::fs::read(data("cvc/persosim-is/DEISCVCA00001.cvcert")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    let bad = dir.join("bad.cvcert");
    std::fs::write(&bad, &bytes).unwrap();
    let (code, stdout, _) = mrtd(&["inspect", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("INVALID"), "{stdout}");
    let cut = dir.join("cut.cvcert");
    std::fs::write(&cut, &bytes[..100]).unwrap();
    let (code, stdout, _) = mrtd(&["inspect", cut.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("cannot be parsed"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}
