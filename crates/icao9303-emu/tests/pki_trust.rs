//! Revocation, CSCA key rollover, the CSCA validity model and the issuing country (issue 21), against
//! CSCAs, Document Signers and CRLs the emulator's test PKI mints: passive authentication of one EF.SOD.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::crypto::hash::HashAlgorithm;
use icao9303::pki::passive::{PassiveAuthReport, verify_sod};
use icao9303::pki::{ChainOutcome, Time, TrustStore};
use icao9303::report::CheckStatus;
use icao9303_emu::pki::{Deviations, SignatureScheme, TestPki};
use icao9303_emu::rng::SeededRng;

fn at() -> Time {
    Time::from_ymd(2026, 6, 1)
}

fn pki(seed: &str, csca: &Deviations) -> TestPki {
    TestPki::generate_deviating(
        "GB",
        "Test eMRTD PKI",
        "Test CSCA",
        SignatureScheme::EcdsaP256Sha256,
        (csca, &Deviations::default()),
        &mut SeededRng::new(seed.as_bytes()),
    )
    .unwrap()
}

fn sod(pki: &TestPki) -> Vec<u8> {
    pki.sign_sod(HashAlgorithm::Sha256, &[(1, vec![7; 32])])
        .unwrap()
}

/// Passive authentication of `pki`'s EF.SOD for a GBR document against `anchors` and `crls` (DER).
fn verify(pki: &TestPki, anchors: &[Vec<u8>], crls: &[Vec<u8>]) -> PassiveAuthReport {
    let mut b = TrustStore::builder();
    for (i, a) in anchors.iter().enumerate() {
        b.add_certificate(a, &format!("anchor {i}")).unwrap();
    }
    for (i, c) in crls.iter().enumerate() {
        b.add_crl(c, &format!("crl {i}")).unwrap();
    }
    verify_sod(&sod(pki), &b.build(), at(), Some("GBR"))
}

/// Every verified CRL of the CSCA is consulted: a listing in any of them revokes, whichever comes first
/// (issue 21: the first CRL that did not list the DSC ended the check, so the older of two CRLs loaded
/// first let a revoked DSC verify).
#[test]
fn a_listing_in_any_verified_crl_revokes_in_either_order() {
    let pki = pki("crl order", &Deviations::default());
    let old = pki
        .issue_crl_at(&[], "250101000000Z", "400101000000Z")
        .unwrap();
    let new = pki
        .issue_crl_at(&[pki.dsc_serial()], "260101000000Z", "400101000000Z")
        .unwrap();
    for crls in [
        vec![old.clone(), new.clone()],
        vec![new.clone(), old.clone()],
    ] {
        let r = verify(&pki, &[pki.csca_der()], &crls);
        assert_eq!(
            r.revocation.status,
            CheckStatus::Invalid,
            "{}",
            r.revocation.reason
        );
        assert!(
            r.revocation.reason.contains("revoked"),
            "{}",
            r.revocation.reason
        );
        let crl = r.crl.unwrap();
        assert!(crl.this_update.starts_with("2026-01-01"), "{crl:?}");
        assert_eq!(crl.consulted, 2);
    }
    // The older CRL listing it revokes too (a revocation is not lifted by a later CRL that omits it).
    let old_listing = pki
        .issue_crl_at(&[pki.dsc_serial()], "250101000000Z", "400101000000Z")
        .unwrap();
    let newer = pki
        .issue_crl_at(&[], "260101000000Z", "400101000000Z")
        .unwrap();
    let r = verify(&pki, &[pki.csca_der()], &[newer.clone(), old_listing]);
    assert_eq!(
        r.revocation.status,
        CheckStatus::Invalid,
        "{}",
        r.revocation.reason
    );
    // Not listed: valid, naming the newest CRL with its dates.
    let r = verify(&pki, &[pki.csca_der()], &[newer, old]);
    assert_eq!(
        r.revocation.status,
        CheckStatus::Valid,
        "{}",
        r.revocation.reason
    );
    assert!(
        r.revocation.reason.contains("issued 2026-01-01"),
        "{}",
        r.revocation.reason
    );
    assert!(
        r.revocation.reason.contains("next update 2040-01-01"),
        "{}",
        r.revocation.reason
    );
    let crl = r.crl.unwrap();
    assert_eq!(crl.next_update.as_deref(), Some("2040-01-01 00:00:00 UTC"));
    assert!(!crl.expired);
}

/// A CRL whose nextUpdate has passed still revokes, and not being on it is a warning that says the CRL
/// expired.
#[test]
fn an_expired_crl_is_a_warning_that_says_so() {
    let pki = pki("crl expired", &Deviations::default());
    let expired = pki
        .issue_crl_at(&[], "250101000000Z", "250401000000Z")
        .unwrap();
    let r = verify(&pki, &[pki.csca_der()], &[expired]);
    assert_eq!(
        r.revocation.status,
        CheckStatus::ValidWithWarning,
        "{}",
        r.revocation.reason
    );
    assert!(
        r.revocation.reason.contains("expired"),
        "{}",
        r.revocation.reason
    );
    assert!(r.crl.unwrap().expired);
    let none = verify(&pki, &[pki.csca_der()], &[]);
    assert_eq!(none.revocation.status, CheckStatus::NotChecked);
    assert!(none.crl.is_none());
}

/// An entry with reasonCode removeFromCRL lifts a listing; it does not revoke.
#[test]
fn remove_from_crl_does_not_revoke() {
    let pki = pki("crl remove", &Deviations::default());
    let crl = pki
        .issue_crl_entries(
            &[(pki.dsc_serial(), Some(8))],
            "260101000000Z",
            "400101000000Z",
        )
        .unwrap();
    let r = verify(&pki, &[pki.csca_der()], &[crl]);
    assert_eq!(
        r.revocation.status,
        CheckStatus::Valid,
        "{}",
        r.revocation.reason
    );
    let crl = pki
        .issue_crl_entries(
            &[(pki.dsc_serial(), Some(1))],
            "260101000000Z",
            "400101000000Z",
        )
        .unwrap();
    let r = verify(&pki, &[pki.csca_der()], &[crl]);
    assert_eq!(
        r.revocation.status,
        CheckStatus::Invalid,
        "{}",
        r.revocation.reason
    );
}

/// After a CSCA key rollover the CRL is signed with the new key and covers the certificates of the old
/// one (ICAO 9303-12 §4.1.5): it revokes a DSC issued under the old key (issue 21: "CRL signature not
/// verified", and exit 0).
#[test]
fn a_crl_signed_with_the_rolled_over_key_revokes_an_old_dsc() {
    let old = pki("rollover", &Deviations::default());
    let (new, link) = old.rollover(&mut SeededRng::new(b"rollover new")).unwrap();
    let crl = new
        .issue_crl_at(&[old.dsc_serial()], "260101000000Z", "400101000000Z")
        .unwrap();
    let r = verify(
        &old,
        &[old.csca_der(), new.csca_der(), link.clone()],
        std::slice::from_ref(&crl),
    );
    assert_eq!(r.chain_outcome, ChainOutcome::Valid, "{}", r.chain.reason);
    assert_eq!(
        r.revocation.status,
        CheckStatus::Invalid,
        "{}",
        r.revocation.reason
    );
    assert!(
        !r.revocation.reason.contains("not verified"),
        "{}",
        r.revocation.reason
    );
    // Documents of the new key chain to it, and the same CRL (not listing them) clears them.
    let r = verify(&new, &[old.csca_der(), new.csca_der(), link], &[crl]);
    assert_eq!(r.chain.status, CheckStatus::Valid, "{}", r.chain.reason);
    assert_eq!(
        r.revocation.status,
        CheckStatus::Valid,
        "{}",
        r.revocation.reason
    );
}

/// ICAO 9303-12 §4.1.4.1: a CSCA certificate is valid for its key's usage period plus the lifetime of the
/// certificates it issues, so a DSC whose validity begins after its CSCA certificate expired was not
/// issued under a valid CSCA certificate: the chain fails (issue 21: it anchored).
#[test]
fn a_dsc_issued_after_its_csca_certificate_expired_fails_the_chain() {
    let expired = Deviations {
        validity: Some(("100101000000Z", "200101000000Z")),
        ..Deviations::default()
    };
    let pki = pki("expired csca", &expired);
    let r = verify(&pki, &[pki.csca_der()], &[]);
    assert_eq!(r.chain_outcome, ChainOutcome::Invalid, "{}", r.chain.reason);
    assert_eq!(r.chain.status, CheckStatus::Invalid);
    assert!(
        r.chain.reason.contains("after the certificate of the CSCA"),
        "{}",
        r.chain.reason
    );
    assert!(!r.passed());
}

/// A CSCA name without a country: the issuing country cannot be checked (not checked, with the reason);
/// an unknown MRZ issuing state likewise.
#[test]
fn a_csca_without_country_leaves_the_country_unchecked() {
    let no_country = Deviations {
        no_country: true,
        ..Deviations::default()
    };
    let pki = pki("no country", &no_country);
    let r = verify(&pki, &[pki.csca_der()], &[]);
    assert_eq!(r.chain.status, CheckStatus::Valid, "{}", r.chain.reason);
    assert_eq!(
        r.country.status,
        CheckStatus::NotChecked,
        "{}",
        r.country.reason
    );
    assert!(
        r.country.reason.contains("has no country"),
        "{}",
        r.country.reason
    );

    let pki = self::pki("unknown state", &Deviations::default());
    let mut b = TrustStore::builder();
    b.add_certificate(&pki.csca_der(), "csca").unwrap();
    let r = verify_sod(&sod(&pki), &b.build(), at(), Some("ZZQ"));
    assert_eq!(
        r.country.status,
        CheckStatus::NotChecked,
        "{}",
        r.country.reason
    );
    assert!(r.country.reason.contains("\"ZZQ\""), "{}", r.country.reason);
}

/// With anchors for the DSC's country loaded, an unknown issuer is told so (issue 26), not to load the
/// state's CSCA.
#[test]
fn an_unknown_issuer_says_whether_anchors_for_its_country_are_loaded() {
    let genuine = pki("genuine", &Deviations::default());
    let forger = TestPki::generate_named(
        "GB",
        "Forged eMRTD PKI",
        "Forged CSCA",
        SignatureScheme::EcdsaP256Sha256,
        &mut SeededRng::new(b"forger"),
    )
    .unwrap();
    let r = verify(&forger, &[genuine.csca_der()], &[]);
    assert_eq!(r.chain_outcome, ChainOutcome::UnknownIssuer);
    assert!(
        r.chain.reason.contains("trust anchors for GB are loaded (1 CSCA certificate(s)) and none of them signed this DSC"),
        "{}",
        r.chain.reason
    );
    let r = verify(&forger, &[], &[]);
    assert!(r.chain.reason.contains("none for GB"), "{}", r.chain.reason);
    assert!(!r.chain.reason.contains("--trust"), "{}", r.chain.reason);
}

/// Of two certificates for the same CSCA key, the one valid when the DSC was issued is the chain's.
#[test]
fn a_recertified_csca_key_chains_through_the_certificate_valid_at_issuance() {
    let expired = Deviations {
        validity: Some(("100101000000Z", "200101000000Z")),
        ..Deviations::default()
    };
    let old_cert = pki("recertified", &expired);
    // The same seed draws the same keys: the same CSCA key, certified for 2020..2040.
    let current = pki("recertified", &Deviations::default());
    assert_ne!(old_cert.csca_der(), current.csca_der());
    let r = verify(&current, &[old_cert.csca_der(), current.csca_der()], &[]);
    assert_eq!(r.chain.status, CheckStatus::Valid, "{}", r.chain.reason);
}
