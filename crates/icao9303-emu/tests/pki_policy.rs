//! The ICAO 9303-12 certificate profiles enforced by passive authentication and master list loading,
//! against certificates the emulator's test PKI mints with deliberate deviations (`pki::Deviations`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::asn1::{ObjectIdentifier, der};
use icao9303::crypto::hash::HashAlgorithm;
use icao9303::pki::passive::{ID_SECURITY_OBJECT, verify_signed_data, verify_sod};
use icao9303::pki::policy::ID_MASTER_LIST_SIGNING_KEY;
use icao9303::pki::{Time, TrustStore};
use icao9303::report::CheckStatus;
use icao9303_emu::pki::{Deviations, SignatureScheme, TestPki};
use icao9303_emu::rng::SeededRng;

const KEY_CERT_SIGN: u16 = 1 << 5;
const CRL_SIGN: u16 = 1 << 6;
const DIGITAL_SIGNATURE: u16 = 1;

fn pki(csca: Deviations, dsc: Deviations) -> TestPki {
    let mut rng = SeededRng::new(b"pki policy");
    TestPki::generate_deviating(
        "UT",
        "Test eMRTD PKI",
        "Test CSCA",
        SignatureScheme::EcdsaP256Sha256,
        (&csca, &dsc),
        &mut rng,
    )
    .unwrap()
}

fn at() -> Time {
    Time::from_ymd(2026, 6, 1)
}

/// The DSC chain verdict of an EF.SOD signed by `pki`, trusting its CSCA.
fn chain(pki: &TestPki) -> (CheckStatus, String) {
    let mut store = TrustStore::builder();
    store.add_certificate(&pki.csca_der(), "CSCA").unwrap();
    let store = store.build();
    let sod = pki
        .sign_sod(HashAlgorithm::Sha256, &[(1, vec![0x11; 32])])
        .unwrap();
    let report = verify_sod(&sod, &store, at(), None);
    assert!(report.signature.is_valid(), "{:?}", report.signature);
    (report.chain.status, report.chain.reason)
}

#[test]
fn the_profile_certificates_chain() {
    let (status, why) = chain(&pki(Deviations::default(), Deviations::default()));
    assert_eq!(status, CheckStatus::Valid, "{why}");
}

#[test]
fn a_document_signer_without_digital_signature_fails() {
    let (status, why) = chain(&pki(
        Deviations::default(),
        Deviations {
            key_usage: Some(KEY_CERT_SIGN),
            ..Deviations::default()
        },
    ));
    assert_eq!(status, CheckStatus::Invalid, "{why}");
    assert!(why.contains("keyUsage lacks digitalSignature"), "{why}");
}

#[test]
fn a_document_signer_that_is_a_ca_fails() {
    let (status, why) = chain(&pki(
        Deviations::default(),
        Deviations {
            ca: Some(true),
            ..Deviations::default()
        },
    ));
    assert_eq!(status, CheckStatus::Invalid, "{why}");
    assert!(why.contains("basicConstraints cA TRUE"), "{why}");
}

#[test]
fn a_csca_without_key_cert_sign_fails() {
    let (status, why) = chain(&pki(
        Deviations {
            key_usage: Some(DIGITAL_SIGNATURE | CRL_SIGN),
            ..Deviations::default()
        },
        Deviations::default(),
    ));
    assert_eq!(status, CheckStatus::Invalid, "{why}");
    assert!(
        why.contains("CSCA certificate's keyUsage lacks keyCertSign"),
        "{why}"
    );
}

#[test]
fn an_unknown_critical_extension_fails_the_certificate() {
    let (status, why) = chain(&pki(
        Deviations::default(),
        Deviations {
            unknown_critical: Some(ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1")),
            ..Deviations::default()
        },
    ));
    assert_eq!(status, CheckStatus::Invalid, "{why}");
    assert!(
        why.contains("unknown critical extension 1.3.6.1.4.1.99999.1"),
        "{why}"
    );
}

/// Real CSCAs (7 in the German master list) say cA FALSE: a warning, not a failure.
#[test]
fn a_csca_saying_ca_false_is_a_warning() {
    let (status, why) = chain(&pki(
        Deviations {
            ca: Some(false),
            ..Deviations::default()
        },
        Deviations::default(),
    ));
    assert_eq!(status, CheckStatus::ValidWithWarning, "{why}");
    assert!(why.contains("cA FALSE"), "{why}");
}

#[test]
fn card_security_needs_the_security_object_content_type() {
    let pki = pki(Deviations::default(), Deviations::default());
    let mut store = TrustStore::builder();
    store.add_certificate(&pki.csca_der(), "CSCA").unwrap();
    let store = store.build();
    let content = der::set(&[]);
    let good = pki.sign_content(ID_SECURITY_OBJECT, &content).unwrap();
    let (pa, _) = verify_signed_data(&good, &store, at(), None);
    assert!(pa.structure.is_valid(), "{:?}", pa.structure);
    assert!(pa.summary().is_valid(), "{:?}", pa.summary());
    // The same content signed as an LDS security object (an EF.SOD's type): refused.
    let other = ObjectIdentifier::new_unwrap("2.23.136.1.1.1");
    let bad = pki.sign_content(other, &content).unwrap();
    let (pa, _) = verify_signed_data(&bad, &store, at(), None);
    assert_eq!(pa.structure.status, CheckStatus::Invalid);
    assert!(
        pa.structure.reason.contains("not id-SecurityObject"),
        "{:?}",
        pa.structure
    );
    assert_eq!(pa.summary().status, CheckStatus::Invalid);
}

/// A master list of `pki`'s CSCA, signed by its "Document Signer" acting as Master List Signer.
fn master_list(pki: &TestPki) -> Vec<u8> {
    let csca = pki.csca_der();
    let list = der::sequence(&[&der::integer_unsigned(&[0]), &der::set(&[&csca])]);
    pki.sign_content(ObjectIdentifier::new_unwrap("2.23.136.1.1.2"), &list)
        .unwrap()
}

fn load(pki: &TestPki) -> Result<usize, String> {
    let mut store = TrustStore::builder();
    store
        .add_master_list(&master_list(pki), &[&pki.csca_der()], "list")
        .map(|s| s.added)
        .map_err(|e| e.to_string())
}

fn signer(deviations: Deviations) -> Deviations {
    Deviations {
        extended_key_usage: Some(vec![ID_MASTER_LIST_SIGNING_KEY]),
        ..deviations
    }
}

#[test]
fn a_master_list_signer_needs_the_master_list_key_purpose() {
    assert_eq!(
        load(&pki(Deviations::default(), signer(Deviations::default()))),
        Ok(1)
    );
    // A Document Signer (no extKeyUsage) signing a master list.
    let err = load(&pki(Deviations::default(), Deviations::default())).unwrap_err();
    assert!(err.contains("no extKeyUsage 2.23.136.1.1.3"), "{err}");
    // Another key purpose (e-mail protection).
    let err = load(&pki(
        Deviations::default(),
        Deviations {
            extended_key_usage: Some(vec![ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4")]),
            ..Deviations::default()
        },
    ))
    .unwrap_err();
    assert!(err.contains("extKeyUsage lacks 2.23.136.1.1.3"), "{err}");
    // The key purpose but no digitalSignature.
    let err = load(&pki(
        Deviations::default(),
        signer(Deviations {
            key_usage: Some(KEY_CERT_SIGN),
            ..Deviations::default()
        }),
    ))
    .unwrap_err();
    assert!(err.contains("keyUsage lacks digitalSignature"), "{err}");
}

#[test]
fn a_master_list_signer_must_be_valid_when_it_signs() {
    // No signing time in the list: the signer must be valid now; this one expired in 2021.
    let err = load(&pki(
        Deviations::default(),
        signer(Deviations {
            validity: Some(("200101000000Z", "210101000000Z")),
            ..Deviations::default()
        }),
    ))
    .unwrap_err();
    assert!(err.contains("not valid now"), "{err}");
}

#[test]
fn a_master_list_certified_by_a_non_ca_root_is_refused() {
    let err = load(&pki(
        Deviations {
            key_usage: Some(DIGITAL_SIGNATURE),
            ..Deviations::default()
        },
        signer(Deviations::default()),
    ))
    .unwrap_err();
    assert!(err.contains("may not sign certificates"), "{err}");
}
