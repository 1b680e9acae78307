//! Chip and Active Authentication against the emulator: the brp profile is genuine when its test CSCA is
//! trusted, its clone fails, and a chip signed by a forger's CSCA or carrying unsigned data is not
//! verified.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use icao9303::access::Password;
use icao9303::auth::SIGNER_NOT_TRUSTED;
use icao9303::pki::TrustStore;
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::{AuthenticityVerdict, CheckId, CheckStatus, DocumentResult, Report};
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use std::sync::Arc;

/// The brp profile's test CSCA, the anchor the genuine chips chain to.
fn test_anchor() -> TrustStore {
    let mut store = TrustStore::builder();
    let csca = Profile::brp().personalize().unwrap().pki.csca_der();
    store.add_test_anchor(&csca, "brp test CSCA").unwrap();
    store.build()
}

/// Reads `profile` trusting the brp test CSCA.
fn read(profile: &Profile, options: ReaderOptions) -> Report {
    read_trusting(
        profile,
        ReaderOptions {
            trust: Some(Arc::new(test_anchor())),
            ..options
        },
    )
}

fn read_trusting(profile: &Profile, options: ReaderOptions) -> Report {
    let card = profile.personalize().unwrap();
    let mut reader = Reader::with_options(EmulatorTransport::new(card.chip), options);
    let mut rng = SeededRng::new(b"terminal");
    reader
        .authenticate(&Password::Mrz(profile.mrz_key().unwrap()), &mut rng)
        .unwrap();
    reader.read_document_with_rng(&mut rng).unwrap().1
}

fn status(report: &Report, id: CheckId) -> CheckStatus {
    report.status(id).unwrap_or_else(|| panic!("no check {id}"))
}

#[test]
fn brp_is_genuine() {
    let report = read(&Profile::brp(), ReaderOptions::default());
    let auth = report.chip_authenticity.clone().unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::Genuine, "{auth:?}");
    assert_eq!(
        status(&report, CheckId::ChipAuthentication),
        CheckStatus::Valid
    );
    assert_eq!(
        status(&report, CheckId::ActiveAuthentication),
        CheckStatus::Valid
    );
    assert_eq!(status(&report, CheckId::DgHash(14)), CheckStatus::Valid);
    assert_eq!(status(&report, CheckId::DgHash(15)), CheckStatus::Valid);
    // DG11/DG12 were read after Chip Authentication, under the new keys.
    assert_eq!(status(&report, CheckId::DgHash(12)), CheckStatus::Valid);
    assert!(!report.has_failures(), "{}", report.to_json());
    assert!(report.to_json().contains("\"verdict\": \"genuine\""));
    assert_eq!(
        report.verdict.result,
        DocumentResult::Verified,
        "{:?}",
        report.verdict
    );
}

#[test]
fn without_a_trusted_signer_the_chip_is_not_genuine() {
    // Every mechanism passes, but nothing ties the keys to an issuing state.
    let report = read_trusting(&Profile::brp(), ReaderOptions::default());
    let auth = report.chip_authenticity.clone().unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::NotProven, "{auth:?}");
    assert!(auth.reason.contains(SIGNER_NOT_TRUSTED), "{}", auth.reason);
    assert!(auth.mechanisms.iter().all(|m| !m.key_file_verified));
    assert_eq!(
        status(&report, CheckId::ChipAuthentication),
        CheckStatus::ValidWithWarning
    );
    assert_eq!(
        status(&report, CheckId::CardSecurity),
        CheckStatus::NotChecked
    );
    assert_eq!(report.verdict.result, DocumentResult::NotVerified);
    assert!(
        report
            .verdict
            .reasons
            .iter()
            .any(|r| r.starts_with(SIGNER_NOT_TRUSTED)),
        "{:?}",
        report.verdict
    );
}

#[test]
fn a_forged_signer_is_not_genuine() {
    // The same chip, its EF.SOD and EF.CardSecurity signed under the forger's own CSCA: every signature
    // verifies and the chip proves its keys, but the signer is not the trusted test CSCA.
    let report = read(
        &Profile::by_name("brp-forged-signer").unwrap(),
        ReaderOptions::default(),
    );
    assert_eq!(status(&report, CheckId::SodSignature), CheckStatus::Valid);
    assert_eq!(status(&report, CheckId::DscChain), CheckStatus::NotChecked);
    assert_eq!(
        status(&report, CheckId::ChipAuthentication),
        CheckStatus::ValidWithWarning
    );
    let auth = report.chip_authenticity.clone().unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::NotProven, "{auth:?}");
    assert!(auth.reason.contains(SIGNER_NOT_TRUSTED), "{}", auth.reason);
    assert_eq!(report.verdict.result, DocumentResult::NotVerified);
}

#[test]
fn an_unsigned_data_group_fails() {
    let report = read(
        &Profile::by_name("brp-unsigned-dg11").unwrap(),
        ReaderOptions::default(),
    );
    assert_eq!(status(&report, CheckId::DgHash(11)), CheckStatus::Invalid);
    assert!(
        report
            .check(CheckId::DgHash(11))
            .unwrap()
            .reason()
            .contains("not listed in EF.SOD")
    );
    assert_eq!(status(&report, CheckId::DgHash(12)), CheckStatus::Valid);
    assert_eq!(report.verdict.result, DocumentResult::Failed);
    assert_ne!(
        report.chip_authenticity.unwrap().verdict,
        AuthenticityVerdict::Genuine
    );
}

#[test]
fn clone_fails_both_mechanisms() {
    let profile = Profile::by_name("brp-clone").unwrap();
    let report = read(&profile, ReaderOptions::default());
    let auth = report.chip_authenticity.clone().unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::Failed, "{auth:?}");
    assert_eq!(
        status(&report, CheckId::ActiveAuthentication),
        CheckStatus::Invalid
    );
    assert_eq!(
        status(&report, CheckId::ChipAuthentication),
        CheckStatus::Invalid
    );
    assert!(report.has_failures());
}

#[test]
fn disabled_mechanisms_are_not_proven_and_challenge_is_used() {
    let options = ReaderOptions {
        chip_authentication: false,
        active_authentication: false,
        ..ReaderOptions::default()
    };
    // Without PACE-CAM (GM only), nothing proves the chip genuine.
    let mut gm_only = Profile::brp();
    gm_only
        .pace_offers
        .retain(|o| o.mapping != icao9303::lds::security_infos::Mapping::ChipAuthentication);
    let report = read(&gm_only, options);
    let auth = report.chip_authenticity.unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::NotProven);
    // A caller-supplied AA challenge.
    let options = ReaderOptions {
        aa_challenge: Some(*b"BINDME01"),
        chip_authentication: false,
        ..ReaderOptions::default()
    };
    let report = read(&Profile::brp(), options);
    assert_eq!(
        status(&report, CheckId::ActiveAuthentication),
        CheckStatus::Valid
    );
    // Plain read_document runs nothing: the chip is not proven, with no mechanism listed.
    let profile = Profile::passport_bac();
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(EmulatorTransport::new(card.chip));
    reader
        .authenticate(
            &Password::Mrz(profile.mrz_key().unwrap()),
            &mut SeededRng::new(b"t"),
        )
        .unwrap();
    let auth = reader.read_document().unwrap().1.chip_authenticity.unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::NotProven);
    assert!(auth.mechanisms.is_empty());
}

#[test]
fn pace_cam_is_verified_against_the_signed_card_security() {
    let report = read(&Profile::brp(), ReaderOptions::default());
    assert_eq!(
        report.access.as_ref().unwrap().mapping.as_deref(),
        Some("CAM")
    );
    assert_eq!(status(&report, CheckId::PaceCam), CheckStatus::Valid);
    let pace_cam = report.check(CheckId::PaceCam).unwrap();
    assert!(
        pace_cam
            .reason()
            .contains("EF.CardSecurity passed passive authentication"),
        "{}",
        pace_cam.reason()
    );
    assert_eq!(
        status(&report, CheckId::CardSecurity),
        CheckStatus::ValidWithWarning,
        "signed by the test PKI: valid, with the test anchor's warning"
    );
    assert!(report.files.iter().any(|f| f.id == "EF.CardSecurity"));
    // The clone's chip holds another CAM private key: PACE itself succeeds (the password is right), but
    // the chip authentication data does not match the published key.
    let clone = read(
        &Profile::by_name("brp-clone").unwrap(),
        ReaderOptions::default(),
    );
    assert_eq!(status(&clone, CheckId::PaceCam), CheckStatus::Invalid);
    assert_eq!(
        clone.chip_authenticity.as_ref().unwrap().verdict,
        icao9303::report::AuthenticityVerdict::Failed
    );
    // PACE-CAM alone (CA and AA disabled) proves the chip genuine; the document is still not verified,
    // since the mechanisms DG14 and DG15 offer were not run.
    let options = ReaderOptions {
        chip_authentication: false,
        active_authentication: false,
        ..ReaderOptions::default()
    };
    let report = read(&Profile::brp(), options);
    assert_eq!(report.verdict.result, DocumentResult::NotVerified);
    assert_eq!(
        report.chip_authenticity.unwrap().verdict,
        icao9303::report::AuthenticityVerdict::Genuine
    );
}

#[test]
fn active_authentication_with_every_emulated_key_kind() {
    use icao9303_emu::profile::AaKind;
    for kind in [
        AaKind::EcdsaP256,
        AaKind::EcdsaBrainpoolP256r1,
        AaKind::Rsa(1024),
        AaKind::Rsa(2048),
    ] {
        let mut profile = Profile::brp();
        profile.active_auth = Some(kind);
        let report = read(&profile, ReaderOptions::default());
        assert_eq!(
            status(&report, CheckId::ActiveAuthentication),
            CheckStatus::Valid,
            "{kind:?}"
        );
    }
}

/// A chip that answers the first command after Chip Authentication with a bare 6110 (no MAC) has not
/// shown it shares the new keys: Chip Authentication fails, and the chip is not genuine.
#[test]
fn mac_less_61xx_after_chip_authentication_fails_it() {
    let profile = Profile::by_name("brp-61xx-after-ca").unwrap();
    let report = read(&profile, ReaderOptions::default());
    assert_eq!(
        status(&report, CheckId::ChipAuthentication),
        CheckStatus::Invalid
    );
    let auth = report.chip_authenticity.clone().unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::Failed, "{auth:?}");
    let ca = report.check(CheckId::ChipAuthentication).unwrap();
    assert!(
        ca.reason().contains("6110") && ca.reason().contains("without a MAC"),
        "{}",
        ca.reason()
    );
    // Secure messaging ended with it: the data groups after DG14 and DG15 were not read.
    assert!(
        report
            .check(CheckId::FileRead(icao9303::lds::LdsFile::Dg(1)))
            .is_some_and(|c| c.reason().contains("not read")),
        "{:#?}",
        report.checks
    );
    assert_eq!(report.verdict.result, DocumentResult::Failed);
}
