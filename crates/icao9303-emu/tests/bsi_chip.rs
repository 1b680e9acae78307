//! The BSI reference data set played as a chip with its own CA and AA keys: BAC, the EF.SOD signature,
//! Chip Authentication (explicit brainpoolP224r1, 3DES) and Active Authentication (RSA-1024) all pass, but
//! its CSCA is unknown and its DG15 is not in EF.SOD, so the chip is not proven genuine; a different AA key
//! fails.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use icao9303::access::Password;
use icao9303::lds::dg1::Dg1;
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::{AuthenticityVerdict, CheckId, CheckStatus, DocumentResult, Report};
use icao9303_emu::aa::AaKey;
use icao9303_emu::bsi::reference_chip;
use icao9303_emu::chip::Chip;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/data/bsi-reference-dataset")
}

fn read(chip: Chip) -> Report {
    let dg1 = std::fs::read(dir().join("Datagroup1.bin")).unwrap();
    let key = Dg1::parse(&dg1).unwrap().mrz.key().unwrap();
    // DG15 is on the chip but neither EF.COM nor EF.SOD lists it: ask for it, as for the real specimen.
    let options = ReaderOptions {
        extra_data_groups: vec![15],
        ..ReaderOptions::default()
    };
    let mut reader = Reader::with_options(EmulatorTransport::new(chip), options);
    let mut rng = SeededRng::new(b"terminal");
    let password = Password::Mrz(key);
    reader.authenticate(&password, &mut rng).unwrap();
    reader
        .read_document_resuming(&password, &mut rng, 1)
        .unwrap()
        .1
}

fn status(report: &Report, id: CheckId) -> CheckStatus {
    report.status(id).unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn the_reference_chip_proves_its_keys_but_is_not_proven_genuine() {
    let report = read(reference_chip(&dir()).unwrap());
    let json = report.to_json();
    let mrz = report.mrz.as_ref().unwrap();
    assert_eq!(mrz.document_number, "C11T002JM");
    assert_eq!(report.access.as_ref().unwrap().protocol, "BAC");
    for dg in [1, 2, 14] {
        assert_eq!(
            status(&report, CheckId::DgHash(dg)),
            CheckStatus::Valid,
            "{json}"
        );
    }
    // EF.SOD hashes DG1-4 and DG14 only: the DG15 on the chip is unsigned, a failed check.
    assert_eq!(status(&report, CheckId::DgHash(15)), CheckStatus::Invalid);
    assert_eq!(status(&report, CheckId::SodSignature), CheckStatus::Valid);
    // Its test CSCA is in no trust store we have.
    assert_eq!(status(&report, CheckId::DscChain), CheckStatus::NotChecked);
    // Both mechanisms pass, but neither key's file passed passive authentication.
    let ca = report.check(CheckId::ChipAuthentication).unwrap();
    assert_eq!(ca.status(), CheckStatus::ValidWithWarning, "{json}");
    assert_eq!(
        status(&report, CheckId::ActiveAuthentication),
        CheckStatus::ValidWithWarning,
        "{json}"
    );
    let auth = report.chip_authenticity.clone().unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::NotProven, "{auth:?}");
    assert!(auth.mechanisms.iter().all(|m| !m.key_file_verified));
    assert_eq!(report.verdict.result, DocumentResult::Failed, "{json}");
    // DG3/DG4 need Terminal Authentication: not read.
    assert!(
        !report.files.iter().any(|f| f.id == "DG3" || f.id == "DG4"),
        "{json}"
    );
    assert!(
        ca.reason().contains("brainpoolP224r1, 3DES"),
        "{}",
        ca.reason()
    );
    let aa = report.check(CheckId::ActiveAuthentication).unwrap();
    assert!(aa.reason().contains("1024"), "{}", aa.reason());
}

#[test]
fn a_different_aa_key_fails_active_authentication() {
    let other = AaKey::generate_rsa(1024, &mut SeededRng::new(b"other AA key")).unwrap();
    let chip = reference_chip(&dir())
        .unwrap()
        .with_active_authentication(other);
    let report = read(chip);
    assert_eq!(
        status(&report, CheckId::ActiveAuthentication),
        CheckStatus::Invalid
    );
    assert_eq!(
        status(&report, CheckId::ChipAuthentication),
        CheckStatus::ValidWithWarning
    );
    let auth = report.chip_authenticity.unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::Failed, "{auth:?}");
}

#[test]
fn a_missing_key_file_is_an_error() {
    let tmp = std::env::temp_dir().join(format!("icao9303-emu-bsi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    for entry in std::fs::read_dir(dir()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "DG15_sk.pkcs8" {
            std::fs::copy(entry.path(), tmp.join(entry.file_name())).unwrap();
        }
    }
    let err = reference_chip(&tmp).unwrap_err().to_string();
    assert!(err.contains("DG15_sk.pkcs8"), "{err}");
    std::fs::write(tmp.join("DG15_sk.pkcs8"), [0x30, 0x03, 0x02, 0x01]).unwrap();
    let err = reference_chip(&tmp).unwrap_err().to_string();
    assert!(err.contains("DG15_sk.pkcs8: RSA PKCS#8"), "{err}");
    std::fs::remove_dir_all(&tmp).unwrap();
}
