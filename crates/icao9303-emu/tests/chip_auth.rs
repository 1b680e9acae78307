//! Chip and Active Authentication against the emulator: the brp profile is genuine, its clone fails.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use icao9303::access::Password;
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::{AuthenticityVerdict, CheckStatus};
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;

fn read(profile: &Profile, options: ReaderOptions) -> icao9303::report::Report {
    let card = profile.personalize().unwrap();
    let mut reader = Reader::with_options(EmulatorTransport::new(card.chip), options);
    let mut rng = SeededRng::new(b"terminal");
    reader
        .authenticate(&Password::Mrz(profile.mrz_key().unwrap()), &mut rng)
        .unwrap();
    reader.read_document_with_rng(&mut rng).unwrap().1
}

fn status(report: &icao9303::report::Report, name: &str) -> CheckStatus {
    report
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .status
}

#[test]
fn brp_is_genuine() {
    let report = read(&Profile::brp(), ReaderOptions::default());
    let auth = report.chip_authenticity.clone().unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::Genuine, "{auth:?}");
    assert_eq!(status(&report, "Chip Authentication"), CheckStatus::Valid);
    assert_eq!(status(&report, "Active Authentication"), CheckStatus::Valid);
    assert_eq!(status(&report, "DG14 hash"), CheckStatus::Valid);
    assert_eq!(status(&report, "DG15 hash"), CheckStatus::Valid);
    // DG11/DG12 were read after Chip Authentication, under the new keys.
    assert_eq!(status(&report, "DG12 hash"), CheckStatus::Valid);
    assert!(!report.has_failures(), "{}", report.to_json());
    assert!(report.to_json().contains("\"verdict\": \"genuine\""));
}

#[test]
fn clone_fails_both_mechanisms() {
    let profile = Profile::by_name("brp-clone").unwrap();
    let report = read(&profile, ReaderOptions::default());
    let auth = report.chip_authenticity.clone().unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::Failed, "{auth:?}");
    assert_eq!(
        status(&report, "Active Authentication"),
        CheckStatus::Invalid
    );
    assert_eq!(status(&report, "Chip Authentication"), CheckStatus::Invalid);
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
    assert_eq!(status(&report, "Active Authentication"), CheckStatus::Valid);
    // Plain read_document runs nothing and adds no verdict.
    let profile = Profile::passport_bac();
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(EmulatorTransport::new(card.chip));
    reader
        .authenticate(
            &Password::Mrz(profile.mrz_key().unwrap()),
            &mut SeededRng::new(b"t"),
        )
        .unwrap();
    assert!(
        reader
            .read_document()
            .unwrap()
            .1
            .chip_authenticity
            .is_none()
    );
}

#[test]
fn pace_cam_is_verified_against_the_signed_card_security() {
    let report = read(&Profile::brp(), ReaderOptions::default());
    assert_eq!(
        report.access.as_ref().unwrap().mapping.as_deref(),
        Some("CAM")
    );
    assert_eq!(status(&report, "PACE-CAM"), CheckStatus::Valid);
    let pace_cam = report.checks.iter().find(|c| c.name == "PACE-CAM").unwrap();
    assert!(
        pace_cam
            .reason
            .contains("EF.CardSecurity signature verified"),
        "{}",
        pace_cam.reason
    );
    assert!(report.files.iter().any(|f| f.id == "EF.CardSecurity"));
    // The clone's chip holds another CAM private key: PACE itself succeeds (the password is right), but
    // the chip authentication data does not match the published key.
    let clone = read(
        &Profile::by_name("brp-clone").unwrap(),
        ReaderOptions::default(),
    );
    assert_eq!(status(&clone, "PACE-CAM"), CheckStatus::Invalid);
    assert_eq!(
        clone.chip_authenticity.as_ref().unwrap().verdict,
        icao9303::report::AuthenticityVerdict::Failed
    );
    // PACE-CAM alone (CA and AA disabled) proves the chip genuine.
    let options = ReaderOptions {
        chip_authentication: false,
        active_authentication: false,
        ..ReaderOptions::default()
    };
    let report = read(&Profile::brp(), options);
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
            status(&report, "Active Authentication"),
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
    assert_eq!(status(&report, "Chip Authentication"), CheckStatus::Invalid);
    let auth = report.chip_authenticity.clone().unwrap();
    assert_eq!(auth.verdict, AuthenticityVerdict::Failed, "{auth:?}");
    let ca = report
        .checks
        .iter()
        .find(|c| c.name == "Chip Authentication")
        .unwrap();
    assert!(
        ca.reason.contains("6110") && ca.reason.contains("without a MAC"),
        "{}",
        ca.reason
    );
    // Secure messaging ended with it: the data groups after DG14 and DG15 were not read.
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.name == "DG1" && c.reason.contains("not read")),
        "{:#?}",
        report.checks
    );
}
