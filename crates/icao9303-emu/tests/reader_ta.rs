//! Terminal Authentication through the reader, end to end: `Reader::read_document_with_rng` with an
//! inspection system's credentials against the `brp` and `eac-passport` chips, which trust the committed
//! Utopia test PKI (`test-vectors/data/cvc/test-pki/`). Each refusal the chip makes is a report line
//! naming the certificate (or the signature) and the status word, and leaves the rest of the read and its
//! verdict as they were.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::access::Password;
use icao9303::auth::terminal::TerminalCredentials;
use icao9303::document::Document;
use icao9303::lds::LdsFile;
use icao9303::lds::dg3::Dg3;
use icao9303::lds::dg4::Dg4;
use icao9303::pki::cvc::CvCertificate;
use icao9303::pki::cvc::private_key::CvPrivateKey;
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::{CheckId, CheckStatus, Report};
use icao9303_emu::eac_pki::{EacPkiOptions, EacTestPki};
use icao9303_emu::profile::{Profile, chip_by_name};
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use sha2::{Digest, Sha256};
use std::sync::Arc;

fn test_pki(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../test-vectors/data/cvc/test-pki/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn cert(name: &str) -> CvCertificate {
    CvCertificate::parse(&test_pki(&format!("{name}.cvcert"))).unwrap()
}

/// The DV certificate and terminal `terminal` of the committed test PKI, signing with `key_of`'s key.
fn credentials(terminal: &str, key_of: &str) -> TerminalCredentials {
    let key_cert = cert(key_of);
    let key = CvPrivateKey::from_pkcs8_der(
        &test_pki(&format!("{key_of}.pkcs8")),
        key_cert.body.public_key.algorithm,
    )
    .unwrap();
    TerminalCredentials {
        certificates: vec![cert("UTDVIS00001"), cert(terminal)],
        signer: Arc::new(key),
    }
}

fn minted(pki: &EacTestPki) -> TerminalCredentials {
    TerminalCredentials {
        certificates: pki.terminal_chain(),
        signer: Arc::new(pki.terminal.key.clone()),
    }
}

/// Reads chip `name` (a profile, or a variant of brp when `profile` is given) with `terminal`.
fn read_chip(
    name: &str,
    profile: Option<Profile>,
    terminal: Option<TerminalCredentials>,
) -> (Document, Report) {
    let (chip, key) = match profile {
        Some(p) => (p.personalize().unwrap().chip, p.mrz_key().unwrap()),
        None => {
            let named = chip_by_name(name, |_| {}, None).unwrap().unwrap();
            (named.chip, named.mrz_key)
        }
    };
    let options = ReaderOptions {
        terminal,
        ..ReaderOptions::default()
    };
    let mut reader = Reader::with_options(EmulatorTransport::new(chip), options);
    let mut rng = SeededRng::new(b"reader ta");
    reader.authenticate(&Password::Mrz(key), &mut rng).unwrap();
    reader.read_document_with_rng(&mut rng).unwrap()
}

fn check(report: &Report, id: CheckId) -> (CheckStatus, String) {
    let c = report
        .check(id)
        .unwrap_or_else(|| panic!("no check {id}: {report:#?}"));
    (c.status(), c.reason().to_string())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The reference values of `test-vectors/data/biometric/dg3-dg4/<name>.json`.
fn reference(name: &str) -> serde_json::Value {
    let path = format!(
        "{}/../../test-vectors/data/biometric/dg3-dg4/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Without credentials, reading brp is what it always was (the document verified against its CSCA's
/// absence the same way) and DG3 says why it was not read.
#[test]
fn without_a_terminal_dg3_says_it_needs_terminal_authentication() {
    let (doc, report) = read_chip("brp", None, None);
    assert!(report.check(CheckId::TerminalAuthentication).is_none());
    assert!(doc.raw(LdsFile::Dg(3)).is_none());
    assert!(doc.raw(LdsFile::Cvca).is_none(), "EF.CVCA is not read");
    assert_eq!(
        check(&report, CheckId::DgHash(3)),
        (
            CheckStatus::NotChecked,
            "not read: needs Terminal Authentication (EAC)".into()
        )
    );
    assert!(!report.has_failures(), "{report:#?}");
    for dg in [1, 2, 11, 12, 14, 15] {
        assert_eq!(check(&report, CheckId::DgHash(dg)).0, CheckStatus::Valid);
    }
}

/// brp over PACE-CAM (ID_PICC = Comp of the chip's ephemeral PACE key), CA, TA with UTTESTIS00001: DG3
/// read, its hash valid, two WSQ fingerprints that decode to the NBIS reference.
#[test]
fn brp_with_the_test_terminal_reads_the_fingerprints() {
    let (without_doc, without) = read_chip("brp", None, None);
    let (doc, report) = read_chip(
        "brp",
        None,
        Some(credentials("UTTESTIS00001", "UTTESTIS00001")),
    );
    assert_eq!(report.access.as_ref().unwrap().protocol, "PACE");
    let (status, reason) = check(&report, CheckId::TerminalAuthentication);
    assert_eq!(status, CheckStatus::Valid, "{reason}");
    assert!(reason.contains("UTDVIS00001 → UTTESTIS00001"), "{reason}");
    assert_eq!(check(&report, CheckId::DgHash(3)).0, CheckStatus::Valid);
    assert_eq!(report.verdict.result, without.verdict.result);
    assert!(!report.has_failures());
    let dg3 = Dg3::parse(doc.raw(LdsFile::Dg(3)).unwrap()).unwrap();
    let positions: Vec<u32> = dg3.fingers.iter().map(|f| f.position).collect();
    assert_eq!(positions, [2, 7]);
    for (finger, name) in dg3.fingers.iter().zip(["fingerprint_1", "fingerprint_2"]) {
        let image = finger.decode().unwrap();
        assert_eq!((image.width, image.height), (620, 620));
        let grey: Vec<u8> = image.pixels.chunks(3).map(|p| p[0]).collect();
        assert_eq!(
            sha256_hex(&grey),
            reference(name)["summary"]["pixels_sha256"]
                .as_str()
                .unwrap(),
            "{name}"
        );
    }
    // The other files are the same as without TA.
    for dg in [1, 2, 11, 12, 14, 15] {
        assert_eq!(doc.raw(LdsFile::Dg(dg)), without_doc.raw(LdsFile::Dg(dg)));
    }
}

/// brp without PACE: BAC, so ID_PICC is the document number and its check digit.
#[test]
fn bac_then_ca_then_ta_reads_dg3() {
    let profile = Profile {
        pace_offers: Vec::new(),
        ..Profile::brp()
    };
    let (doc, report) = read_chip(
        "",
        Some(profile),
        Some(credentials("UTTESTIS00001", "UTTESTIS00001")),
    );
    assert_eq!(report.access.as_ref().unwrap().protocol, "BAC");
    assert_eq!(
        check(&report, CheckId::TerminalAuthentication).0,
        CheckStatus::Valid
    );
    assert_eq!(check(&report, CheckId::DgHash(3)).0, CheckStatus::Valid);
    assert!(doc.raw(LdsFile::Dg(3)).is_some());
}

/// UTTESTIS00003 expired on 2025-01-31; the chip's date is 2025-06-01.
#[test]
fn an_expired_terminal_certificate_is_refused_by_name() {
    let (_, without) = read_chip("brp", None, None);
    let (doc, report) = read_chip(
        "brp",
        None,
        Some(credentials("UTTESTIS00003", "UTTESTIS00003")),
    );
    let (status, reason) = check(&report, CheckId::TerminalAuthentication);
    assert_eq!(status, CheckStatus::Invalid);
    assert!(
        reason.contains("PSO:Verify Certificate (UTTESTIS00003)") && reason.contains("6A80"),
        "{reason}"
    );
    assert!(doc.raw(LdsFile::Dg(3)).is_none());
    let (status, reason) = check(&report, CheckId::FileRead(LdsFile::Dg(3)));
    assert_eq!(status, CheckStatus::NotChecked);
    assert!(
        reason.contains("Terminal Authentication did not succeed") && reason.contains("6982"),
        "{reason}"
    );
    // The rest of the read and its verdict stand; only the reason DG3 is not covered differs.
    assert_eq!(report.verdict.result, without.verdict.result);
    assert_eq!(report.verdict.covered, without.verdict.covered);
    let dg3 = |r: &icao9303::Report| {
        r.verdict
            .not_covered
            .iter()
            .find(|n| n.data_group == 3)
            .cloned()
            .unwrap()
    };
    assert!(dg3(&report).permitted && dg3(&without).permitted);
    assert!(
        dg3(&report)
            .detail
            .contains("Terminal Authentication did not succeed"),
        "{:?}",
        dg3(&report)
    );
    assert!(!report.has_failures());
    assert_eq!(check(&report, CheckId::DgHash(2)).0, CheckStatus::Valid);
}

/// A chain from another CVCA: one under a CVCA of another name has no path to the chip's trust point
/// (TA not performed); one forged under the trusted CVCA's name is refused at its DV certificate.
#[test]
fn a_chain_from_another_cvca_is_not_accepted() {
    let other = EacTestPki::generate(
        &EacPkiOptions {
            country: "ZZ".into(),
            ..EacPkiOptions::default()
        },
        &mut SeededRng::new(b"other state"),
    )
    .unwrap();
    let (doc, report) = read_chip("brp", None, Some(minted(&other)));
    let (status, reason) = check(&report, CheckId::TerminalAuthentication);
    assert_eq!(status, CheckStatus::NotChecked);
    assert!(
        reason.contains("no certificate path from ZZDVIS00001") && reason.contains("UTCVCA00001"),
        "{reason}"
    );
    assert!(doc.raw(LdsFile::Dg(3)).is_none());

    let forged =
        EacTestPki::generate(&EacPkiOptions::default(), &mut SeededRng::new(b"forger")).unwrap();
    let (doc, report) = read_chip("brp", None, Some(minted(&forged)));
    let (status, reason) = check(&report, CheckId::TerminalAuthentication);
    assert_eq!(status, CheckStatus::Invalid);
    assert!(
        reason.contains("PSO:Verify Certificate (UTDVIS00001)") && reason.contains("6A80"),
        "{reason}"
    );
    assert!(doc.raw(LdsFile::Dg(3)).is_none());
    assert!(!report.has_failures());
}

/// UTTESTIS00001's certificate with UTTESTIS00002's key: the chip refuses EXTERNAL AUTHENTICATE.
#[test]
fn a_wrong_signature_is_refused() {
    let (doc, report) = read_chip(
        "brp",
        None,
        Some(credentials("UTTESTIS00001", "UTTESTIS00002")),
    );
    let (status, reason) = check(&report, CheckId::TerminalAuthentication);
    assert_eq!(status, CheckStatus::Invalid);
    assert!(
        reason.contains("EXTERNAL AUTHENTICATE (signature of UTTESTIS00001)")
            && reason.contains("6300"),
        "{reason}"
    );
    assert!(doc.raw(LdsFile::Dg(3)).is_none());
    assert!(!report.has_failures());
}

/// The BSI specimen with EAC: UTTESTIS00001 reads DG3 (WSQ fingerprints decoding to the NBIS
/// reference) and DG4 (JPEG 2000 irises), both hashes valid against the specimen's own EF.SOD.
#[test]
fn eac_passport_reads_dg3_and_dg4_after_ta() {
    let (doc, report) = read_chip(
        "eac-passport",
        None,
        Some(credentials("UTTESTIS00001", "UTTESTIS00001")),
    );
    assert_eq!(report.access.as_ref().unwrap().protocol, "BAC");
    let (status, reason) = check(&report, CheckId::TerminalAuthentication);
    assert_eq!(status, CheckStatus::Valid, "{reason}");
    assert_eq!(check(&report, CheckId::DgHash(3)).0, CheckStatus::Valid);
    assert_eq!(check(&report, CheckId::DgHash(4)).0, CheckStatus::Valid);
    let dg3 = Dg3::parse(doc.raw(LdsFile::Dg(3)).unwrap()).unwrap();
    assert_eq!(dg3.fingers.len(), 2);
    for (finger, name) in dg3.fingers.iter().zip(["fingerprint_1", "fingerprint_2"]) {
        let image = finger.decode().unwrap();
        let grey: Vec<u8> = image.pixels.chunks(3).map(|p| p[0]).collect();
        assert_eq!(
            sha256_hex(&grey),
            reference(name)["summary"]["pixels_sha256"]
                .as_str()
                .unwrap(),
            "{name}"
        );
    }
    let dg4 = Dg4::parse(doc.raw(LdsFile::Dg(4)).unwrap()).unwrap();
    assert_eq!(dg4.irises.len(), 2);
}

/// UTTESTIS00002 grants DG4 only: the chip refuses DG3 (6982, said in the report) and gives DG4.
#[test]
fn a_terminal_without_the_dg3_right_reads_dg4_only() {
    let (doc, report) = read_chip(
        "eac-passport",
        None,
        Some(credentials("UTTESTIS00002", "UTTESTIS00002")),
    );
    let (status, reason) = check(&report, CheckId::TerminalAuthentication);
    assert_eq!(status, CheckStatus::Valid, "{reason}");
    assert!(reason.contains("asks for DG4"), "{reason}");
    assert!(doc.raw(LdsFile::Dg(3)).is_none());
    let (status, reason) = check(&report, CheckId::FileRead(LdsFile::Dg(3)));
    assert_eq!(status, CheckStatus::NotChecked);
    assert!(
        reason.contains("6982") && reason.contains("does not grant DG3"),
        "{reason}"
    );
    assert!(doc.raw(LdsFile::Dg(4)).is_some());
    assert_eq!(check(&report, CheckId::DgHash(4)).0, CheckStatus::Valid);
}

/// Without randomness no Chip Authentication runs, so neither does TA; the report says so.
#[test]
fn terminal_authentication_needs_chip_authentication() {
    let named = chip_by_name("brp", |_| {}, None).unwrap().unwrap();
    let options = ReaderOptions {
        terminal: Some(credentials("UTTESTIS00001", "UTTESTIS00001")),
        ..ReaderOptions::default()
    };
    let mut reader = Reader::with_options(EmulatorTransport::new(named.chip), options);
    reader
        .authenticate(&Password::Mrz(named.mrz_key), &mut SeededRng::new(b"no ca"))
        .unwrap();
    let (doc, report) = reader.read_document().unwrap();
    let (status, reason) = check(&report, CheckId::TerminalAuthentication);
    assert_eq!(status, CheckStatus::NotChecked);
    assert!(reason.contains("needs Chip Authentication"), "{reason}");
    assert!(doc.raw(LdsFile::Dg(3)).is_none());
}

/// The card lost while reading DG2 (after Terminal Authentication): the read resumes in a new session,
/// which has not run TA, so the chip refuses DG3 — and the report says that, not that the chain lacks the
/// right.
#[test]
fn a_resumed_read_says_the_new_session_did_not_repeat_terminal_authentication() {
    use icao9303_emu::fault::{Fault, FaultyTransport};
    let read = |fault: Option<usize>| {
        let named = chip_by_name("brp", |_| {}, None).unwrap().unwrap();
        let options = ReaderOptions {
            terminal: Some(credentials("UTTESTIS00001", "UTTESTIS00001")),
            ..ReaderOptions::default()
        };
        let transport = FaultyTransport::new(
            EmulatorTransport::new(named.chip),
            fault.unwrap_or(usize::MAX),
            Fault::Drop,
        );
        let mut reader = Reader::with_options(transport, options);
        let mut rng = SeededRng::new(b"resume");
        let password = Password::Mrz(named.mrz_key);
        reader.authenticate(&password, &mut rng).unwrap();
        reader
            .read_document_resuming(&password, &mut rng, 1)
            .unwrap()
    };
    let (_, clean) = read(None);
    let stats = clean.read_stats.as_ref().unwrap();
    let apdus = |phase: &str| {
        stats
            .phases
            .iter()
            .find(|p| p.phase == phase)
            .map_or(0, |p| p.apdus)
    };
    // Halfway through DG2, which is read after TA and before DG3.
    let position = stats.apdus - apdus("DG3") - apdus("DG2") / 2;
    let (doc, report) = read(Some(position));
    assert_eq!(report.read_stats.as_ref().unwrap().resumes, 1);
    assert_eq!(
        check(&report, CheckId::TerminalAuthentication).0,
        CheckStatus::Valid
    );
    assert!(doc.raw(LdsFile::Dg(2)).is_some());
    assert!(doc.raw(LdsFile::Dg(3)).is_none());
    let (status, reason) = check(&report, CheckId::FileRead(LdsFile::Dg(3)));
    assert_eq!(status, CheckStatus::NotChecked);
    assert!(
        reason.contains("resumed session did not repeat it"),
        "{reason}"
    );
}
