//! Digital Travel Credential (Type 1) through the library alone: read the emulator, export a DTC-VC, parse
//! it back and verify it; the verdict is the live read's, minus chip authenticity. Binding at presentation
//! against the same chip, its clone and another document.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use icao9303::access::Password;
use icao9303::document::Document;
use icao9303::dtc::{Dtc, ExportOptions};
use icao9303::pki::{Time, TrustStore};
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::{Check, CheckId, CheckStatus, DocumentResult, Report, ReportSource};
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;

fn at() -> Time {
    Time::from_ymd(2026, 11, 1)
}

/// The profile's test CSCA as the only trust anchor.
fn trust(profile: &Profile) -> TrustStore {
    let card = profile.personalize().unwrap();
    let mut store = TrustStore::builder();
    store
        .add_test_anchor(&card.pki.csca_der(), "emulator test CSCA")
        .unwrap();
    store.build()
}

fn read(profile: &Profile, trust: Option<TrustStore>) -> (Document, Report) {
    let card = profile.personalize().unwrap();
    let options = ReaderOptions {
        trust: trust.map(Arc::new),
        at: Some(at()),
        ..ReaderOptions::default()
    };
    let mut reader = Reader::with_options(EmulatorTransport::new(card.chip), options);
    let mut rng = SeededRng::new(b"terminal");
    reader
        .authenticate(&Password::Mrz(profile.mrz_key().unwrap()), &mut rng)
        .unwrap();
    reader.read_document_with_rng(&mut rng).unwrap()
}

/// Checks present in both a live and a DTC-VC report: all but chip authentication (it needs the chip, and
/// EF.CardSecurity, PACE-CAM's key file, has no place in a DTC-VC), downgrade detection (it compares the
/// access control run, and EF.CardSecurity, with the signed PACEInfos), EF.COM's listing against EF.SOD
/// (EF.COM has no place in a DTC-VC either) and the DTC-VC's own lines.
fn shared(checks: &[Check]) -> Vec<Check> {
    let one_side = [
        CheckId::ChipAuthentication,
        CheckId::ActiveAuthentication,
        CheckId::PaceCam,
        CheckId::CardSecurity,
        CheckId::Downgrade,
        CheckId::FileStructure(icao9303::lds::LdsFile::Com),
        CheckId::Dtc,
        CheckId::ChipAuthenticity,
    ];
    checks
        .iter()
        .filter(|c| !one_side.contains(&c.id))
        .cloned()
        .collect()
}

#[test]
fn export_parse_verify_round_trip_gives_the_live_verdict() {
    for (profile, anchored) in [(Profile::brp(), true), (Profile::passport_bac(), false)] {
        let store = anchored.then(|| trust(&profile));
        // A store is built once and not cloned: the live read gets its own.
        let (document, live) = read(&profile, anchored.then(|| trust(&profile)));
        let export = Dtc::from_document(&document, ExportOptions::default()).unwrap();
        assert!(export.omitted.is_empty(), "{:?}", export.omitted);
        let der = export.dtc.to_der();
        let dtc = Dtc::parse(&der).unwrap();
        assert_eq!(dtc, export.dtc);
        // Every data group read is in the DTC-VC, byte for byte.
        for (n, bytes) in document.data_groups() {
            assert_eq!(dtc.data_group(n), Some(bytes), "{} DG{n}", profile.name);
        }
        let offline = dtc.report(store.as_ref(), at());
        assert_eq!(offline.source, ReportSource::DtcVc);
        assert_eq!(live.source, ReportSource::Chip);
        assert_eq!(
            shared(&live.checks),
            shared(&offline.checks),
            "{}",
            profile.name
        );
        assert_eq!(live.mrz, offline.mrz);
        // The same verdict: verified with the anchor, not verified (unknown signer) without.
        let want = if anchored {
            DocumentResult::Verified
        } else {
            DocumentResult::NotVerified
        };
        assert_eq!(live.verdict.result, want, "{}", profile.name);
        assert_eq!(offline.verdict.result, want, "{}", profile.name);
        // A test anchor: valid with a warning.
        let chain = if anchored {
            CheckStatus::ValidWithWarning
        } else {
            CheckStatus::NotChecked
        };
        assert_eq!(offline.status(CheckId::DscChain), Some(chain));
        // No chip: its authenticity is not checked, and there is no chip authenticity section.
        assert_eq!(
            offline.status(CheckId::ChipAuthenticity),
            Some(CheckStatus::NotChecked)
        );
        assert!(offline.chip_authenticity.is_none());
    }
}

#[test]
fn presentation_binds_to_the_genuine_chip_only() {
    let brp = Profile::brp();
    // The chip is proven genuine only when its files chain to a trusted CSCA.
    let anchor = || Some(trust(&brp));
    let (document, _) = read(&brp, None);
    let dtc = Dtc::from_document(&document, ExportOptions::default())
        .unwrap()
        .dtc;

    let (chip, report) = read(&brp, anchor());
    let check = dtc.presentation_check(&chip, &report);
    assert_eq!(check.status(), CheckStatus::Valid, "{check:?}");

    // Without the anchor the same chip is not proven genuine: valid with a warning.
    let (chip, report) = read(&brp, None);
    let check = dtc.presentation_check(&chip, &report);
    assert_eq!(check.status(), CheckStatus::ValidWithWarning, "{check:?}");

    let clone = Profile::by_name("brp-clone").unwrap();
    let (chip, report) = read(&clone, anchor());
    assert_eq!(
        chip.raw(icao9303::lds::LdsFile::Sod),
        Some(dtc.sod()),
        "the clone carries the genuine EF.SOD"
    );
    let check = dtc.presentation_check(&chip, &report);
    assert_eq!(check.status(), CheckStatus::Invalid, "{check:?}");

    let (chip, mut report) = read(&Profile::passport_bac(), None);
    let check = dtc.presentation_check(&chip, &report);
    assert_eq!(check.status(), CheckStatus::Invalid, "{check:?}");
    assert!(check.reason().contains("differs"));
    // Added to the live report, an invalid binding fails the document.
    icao9303::verify::add_check(&mut report, check);
    assert_eq!(report.verdict.result, DocumentResult::Failed);
    assert!(
        report
            .verdict
            .reasons
            .iter()
            .any(|r| r.starts_with("DTC-VC binding"))
    );
}
