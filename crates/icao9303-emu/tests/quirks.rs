//! Field failures reproduced by emulator quirks, and the reader coping with each; resuming a read after
//! the card is lost.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::Error;
use icao9303::access::Password;
use icao9303::apdu::StatusWord;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::error::ReadLimit;
use icao9303::lds::LdsFile;
use icao9303::lds::security_infos::Mapping;
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::{CheckId, CheckStatus, Report};
use icao9303_emu::fault::{Fault, FaultyTransport};
use icao9303_emu::pace::PaceOffer;
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;

fn key(profile: &Profile) -> Password {
    Password::Mrz(profile.mrz_key().unwrap())
}

fn read(profile: &Profile) -> Result<Report, Error> {
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(EmulatorTransport::new(card.chip));
    reader.authenticate(&key(profile), &mut SeededRng::new(b"q"))?;
    Ok(reader.read_document()?.1)
}

fn assert_clean(report: &Report) {
    assert!(!report.has_failures(), "{:#?}", report.checks);
}

#[test]
fn select_of_the_master_file_refused_in_every_way() {
    for status in [0x6982, 0x6A81, 0x6A86, 0x6A87] {
        let mut profile = Profile::brp();
        profile.options.select_mf_status = Some(StatusWord(status));
        let card = profile.personalize().unwrap();
        let mut reader = Reader::new(EmulatorTransport::new(card.chip));
        // The second access control returns to the master file for EF.CardAccess: both SELECT forms are
        // refused, and the chip's SFI read still finds the file.
        for _ in 0..2 {
            reader
                .authenticate(&key(&profile), &mut SeededRng::new(b"q"))
                .unwrap();
            let (_, report) = reader.read_document().unwrap();
            assert_clean(&report);
        }
    }
}

#[test]
fn le_on_select_is_never_sent() {
    let mut profile = Profile::brp();
    profile.options.reject_le_on_select = true;
    assert_clean(&read(&profile).unwrap());
    let options = ReaderOptions {
        use_short_file_ids: false,
        ..ReaderOptions::default()
    };
    let card = profile.personalize().unwrap();
    let mut reader = Reader::with_options(EmulatorTransport::new(card.chip), options);
    reader
        .authenticate(&key(&profile), &mut SeededRng::new(b"q"))
        .unwrap();
    assert_clean(&reader.read_document().unwrap().1);
}

#[test]
fn wrong_length_above_n_bytes() {
    for n in [16, 100, 160, 200] {
        let mut profile = Profile::brp();
        profile.options.max_read = n;
        assert_clean(&read(&profile).unwrap());
    }
}

#[test]
fn missing_ef_com() {
    let profile = Profile::brp();
    let mut card = profile.personalize().unwrap();
    card.chip.files_mut().remove(LdsFile::Com);
    let mut reader = Reader::new(EmulatorTransport::new(card.chip));
    reader
        .authenticate(&key(&profile), &mut SeededRng::new(b"q"))
        .unwrap();
    let (doc, report) = reader.read_document().unwrap();
    assert_clean(&report);
    assert!(
        doc.raw(LdsFile::Dg(2)).is_some(),
        "the data groups come from EF.SOD"
    );
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.id == CheckId::FileRead(LdsFile::Com)
                && c.status() == CheckStatus::NotChecked)
    );
}

#[test]
fn several_pace_infos_need_the_parameter_id() {
    let mut profile = Profile::brp();
    // Two offers with the same protocol OID: only the parameter id (tag 84) tells them apart.
    profile.pace_offers = vec![
        PaceOffer {
            mapping: Mapping::Generic,
            cipher: CipherAlgorithm::Aes128,
            parameter_id: 12,
        },
        PaceOffer {
            mapping: Mapping::Generic,
            cipher: CipherAlgorithm::Aes128,
            parameter_id: 16,
        },
    ];
    let report = read(&profile).unwrap();
    assert_clean(&report);
    assert_eq!(
        report.access.unwrap().parameter_id,
        Some(16),
        "the stronger curve"
    );
}

#[test]
fn plain_error_status_to_a_protected_command() {
    let mut profile = Profile::brp();
    profile.options.plain_errors = true;
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(EmulatorTransport::new(card.chip));
    reader
        .authenticate(&key(&profile), &mut SeededRng::new(b"q"))
        .unwrap();
    // A data group the chip does not have: a plain 6A82, then the session goes on in step.
    assert_eq!(reader.read_file(LdsFile::Dg(5)).unwrap(), None);
    assert!(reader.read_file(LdsFile::Dg(1)).unwrap().is_some());
    let (_, report) = reader.read_document().unwrap();
    assert_clean(&report);
}

#[test]
fn field_dropped_at_a_large_le_resumes_with_smaller_blocks() {
    let mut profile = Profile::brp();
    profile.options.extended_length = true;
    profile.options.max_read = 65_536;
    profile.options.drop_field_above = Some(4096);
    let key = key(&profile);
    // Without resuming, the lost card ends the read with a transport error naming the step.
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(EmulatorTransport::new(card.chip));
    reader
        .authenticate(&key, &mut SeededRng::new(b"q"))
        .unwrap();
    let err = reader.read_document().unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                step: "READ BINARY",
                ..
            }
        ),
        "{err}"
    );
    // Resuming: reconnect, access again, continue DG2 from where it stopped with blocks the chip survives.
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(EmulatorTransport::new(card.chip));
    reader
        .authenticate(&key, &mut SeededRng::new(b"q"))
        .unwrap();
    let (doc, report) = reader
        .read_document_resuming(&key, &mut SeededRng::new(b"q2"), 3)
        .unwrap();
    assert_clean(&report);
    assert_eq!(doc.raw(LdsFile::Dg(2)).unwrap().len(), 16536);
    assert_eq!(
        report.status(CheckId::ReadResumed),
        Some(CheckStatus::ValidWithWarning)
    );
}

#[test]
fn a_lost_card_mid_file_resumes_from_the_offset_reached() {
    let profile = Profile::brp();
    let key = key(&profile);
    // A clean read, counting APDUs.
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(FaultyTransport::new(
        EmulatorTransport::new(card.chip),
        0,
        Fault::Drop,
    ));
    reader
        .authenticate(&key, &mut SeededRng::new(b"q"))
        .unwrap();
    // The resuming read runs chip authentication: so does the baseline.
    reader
        .read_document_with_rng(&mut SeededRng::new(b"q2"))
        .unwrap();
    let clean = reader.into_transport().sent();
    // The link fails in the middle of DG2 (about 40 APDUs in): the read resumes at the offset reached, so
    // only the new access control (EF.CardAccess, PACE, EF.CardSecurity again, SELECT: about 15 APDUs)
    // and the failed command are added — not the 16 KB already read.
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(FaultyTransport::new(
        EmulatorTransport::new(card.chip),
        40,
        Fault::Drop,
    ));
    reader
        .authenticate(&key, &mut SeededRng::new(b"q"))
        .unwrap();
    let (doc, report) = reader
        .read_document_resuming(&key, &mut SeededRng::new(b"q2"), 2)
        .unwrap();
    assert_clean(&report);
    assert_eq!(doc.raw(LdsFile::Dg(2)).unwrap().len(), 16536);
    let resumed = reader.into_transport().sent();
    assert!(
        resumed <= clean + 20,
        "clean read {clean} APDUs, resumed read {resumed}"
    );
    // A wrong password cannot resume: the error is access denied, not a loop.
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(FaultyTransport::new(
        EmulatorTransport::new(card.chip),
        40,
        Fault::Drop,
    ));
    reader
        .authenticate(&key, &mut SeededRng::new(b"q"))
        .unwrap();
    let wrong = Password::can("000000").unwrap();
    let err = reader
        .read_document_resuming(&wrong, &mut SeededRng::new(b"q2"), 2)
        .unwrap_err();
    assert!(err.is_access_denied(), "{err}");
}

/// A hostile chip answers every READ BINARY of DG11 with 6C10, then 6C20, then 6C10, ...: the reader
/// stops after its round limit with an error naming the file and the step. (The transport fails the
/// 20,000th command, so a reader without the limit fails the test instead of hanging.)
#[test]
fn a_chip_alternating_6c10_and_6c20_is_stopped() {
    let mut profile = Profile::brp();
    profile.options.alternate_6cxx = Some(LdsFile::Dg(11));
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(FaultyTransport::new(
        EmulatorTransport::new(card.chip),
        20_000,
        Fault::Drop,
    ));
    reader
        .authenticate(&key(&profile), &mut SeededRng::new(b"q"))
        .unwrap();
    let err = reader.read_document().unwrap_err();
    assert!(
        matches!(
            err,
            Error::ReadLimit {
                file: LdsFile::Dg(11),
                step: "READ BINARY",
                limit: ReadLimit::TooManyRounds { limit: 8192, .. },
            }
        ),
        "{err}"
    );
    assert!(reader.transport().sent() < 20_000);
    // A lower limit stops it sooner.
    let card = profile.personalize().unwrap();
    let options = ReaderOptions {
        max_read_rounds: 50,
        ..ReaderOptions::default()
    };
    let mut reader = Reader::with_options(EmulatorTransport::new(card.chip), options);
    reader
        .authenticate(&key(&profile), &mut SeededRng::new(b"q"))
        .unwrap();
    let err = reader.read_document().unwrap_err();
    assert!(
        matches!(
            err,
            Error::ReadLimit {
                limit: ReadLimit::TooManyRounds {
                    rounds: 50,
                    limit: 50
                },
                ..
            }
        ),
        "{err}"
    );
}

/// A hostile chip serves DG11 as a 2 MiB file: the reader refuses it after the first block (default
/// limit 1 MiB), and reads it when the caller raises the limit.
#[test]
fn a_file_declaring_more_than_the_length_limit_is_refused() {
    let mut profile = Profile::brp();
    profile.options.extended_length = true;
    profile.options.max_read = 65_536;
    profile.options.declared_length = Some((LdsFile::Dg(11), 2 << 20));
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(EmulatorTransport::new(card.chip));
    reader
        .authenticate(&key(&profile), &mut SeededRng::new(b"q"))
        .unwrap();
    let Err(err) = reader.read_document() else {
        panic!("a file declaring 2 MiB was read");
    };
    assert!(
        matches!(
            err,
            Error::ReadLimit {
                file: LdsFile::Dg(11),
                step: "READ BINARY",
                limit: ReadLimit::FileTooLarge {
                    declared: 2_097_158,
                    limit: 1_048_576
                },
            }
        ),
        "{err}"
    );
    // The caller may raise the limit: the file is read (and fails its hash check).
    let card = profile.personalize().unwrap();
    let options = ReaderOptions {
        max_file_len: 4 << 20,
        ..ReaderOptions::default()
    };
    let mut reader = Reader::with_options(EmulatorTransport::new(card.chip), options);
    reader
        .authenticate(&key(&profile), &mut SeededRng::new(b"q"))
        .unwrap();
    let (doc, report) = reader.read_document().unwrap();
    assert_eq!(doc.raw(LdsFile::Dg(11)).unwrap().len(), 2_097_158);
    assert!(report.has_failures());
}
