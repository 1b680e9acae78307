//! The extended-length probe against the emulator's chips: one that takes extended length without
//! announcing it, one that answers 6700 to it, one that goes mute on it. Each is read in full (PACE-CAM,
//! Chip and Active Authentication, resuming when the card is lost) and must give the same files, checks
//! and verdict as the chip that announces short APDUs; the APDU counts say what the probe cost or saved.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use icao9303::access::Password;
use icao9303::document::Document;
use icao9303::lds::LdsFile;
use icao9303::options::ExtendedLengthPolicy;
use icao9303::pki::TrustStore;
use icao9303::read_stats::{ProbeOutcome, ReadStats};
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::{CheckId, DocumentResult, Report};
use icao9303::transport::{ExtendedLength, Transport};
use icao9303_emu::chip::ExtendedLengthBehaviour;
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use std::sync::Arc;

struct Read {
    document: Document,
    report: Report,
    stats: ReadStats,
}

fn brp(behaviour: ExtendedLengthBehaviour) -> Profile {
    let mut profile = Profile::brp();
    behaviour.apply(&mut profile.options);
    profile
}

fn read_with(profile: &Profile, options: ReaderOptions) -> Read {
    let card = profile.personalize().unwrap();
    let mut trust = TrustStore::builder();
    trust
        .add_test_anchor(&card.pki.csca_der(), "brp test CSCA")
        .unwrap();
    let options = ReaderOptions {
        trust: Some(Arc::new(trust.build())),
        ..options
    };
    let mut reader = Reader::with_options(EmulatorTransport::new(card.chip), options);
    let password = Password::Mrz(profile.mrz_key().unwrap());
    let mut rng = SeededRng::new(b"terminal");
    reader.authenticate(&password, &mut rng).unwrap();
    let (document, report) = reader
        .read_document_resuming(&password, &mut rng, 1)
        .unwrap();
    let stats = report.read_stats.clone().unwrap();
    Read {
        document,
        report,
        stats,
    }
}

fn read(profile: &Profile) -> Read {
    read_with(profile, ReaderOptions::default())
}

fn count(stats: &ReadStats, kind: &str) -> usize {
    stats.apdus_by_kind.get(kind).copied().unwrap_or(0)
}

/// The files of the eMRTD application (in file order).
fn app_files(document: &Document) -> Vec<(LdsFile, Vec<u8>)> {
    document
        .files
        .iter()
        .filter(|(f, _)| !f.in_master_file())
        .map(|(f, b)| (*f, b.clone()))
        .collect()
}

/// The same files, the same checks (but the note of a resume) and the same verdict as `baseline`.
fn assert_same_result(read: &Read, baseline: &Read) {
    assert_eq!(app_files(&read.document), app_files(&baseline.document));
    let checks = |r: &Report| {
        r.checks
            .iter()
            .filter(|c| c.id != CheckId::ReadResumed)
            .map(|c| (c.id, c.verdict.status))
            .collect::<Vec<_>>()
    };
    assert_eq!(checks(&read.report), checks(&baseline.report));
    assert_eq!(read.report.verdict.result, baseline.report.verdict.result);
    assert_eq!(read.report.verdict.result, DocumentResult::Verified);
    assert_eq!(
        read.report.chip_authenticity.as_ref().map(|c| c.verdict),
        baseline
            .report
            .chip_authenticity
            .as_ref()
            .map(|c| c.verdict)
    );
}

fn baseline() -> Read {
    let base = read(&Profile::brp());
    assert!(base.stats.probe.is_none());
    assert_eq!(base.stats.extended_length, ExtendedLength::No);
    assert_eq!(count(&base.stats, "READ BINARY (extended)"), 0);
    base
}

/// The files read under secure messaging in the eMRTD application.
fn app_file_count(read: &Read) -> usize {
    app_files(&read.document).len()
}

#[test]
fn a_chip_taking_extended_length_without_announcing_it_is_read_in_one_apdu_per_file() {
    let base = baseline();
    let silent = read(&brp(ExtendedLengthBehaviour::Silent));
    assert_same_result(&silent, &base);
    assert_eq!(silent.stats.extended_length, ExtendedLength::Unknown);
    let probe = silent.stats.probe.clone().unwrap();
    assert_eq!(probe.outcome, ProbeOutcome::Accepted);
    assert_eq!((probe.file.as_str(), probe.offset), ("EF.SOD", 223));
    // EF.SOD's first short block, then one extended READ BINARY per file (the probe for EF.SOD's rest),
    // and the one the chip refuses for DG3 (6982: it needs Terminal Authentication).
    let files = app_file_count(&silent);
    assert!(silent.document.raw(LdsFile::Dg(3)).is_none());
    assert_eq!(count(&silent.stats, "READ BINARY (extended)"), files + 1);
    for phase in silent
        .stats
        .phases
        .iter()
        .filter(|p| p.phase.starts_with("DG") || p.phase.starts_with("EF."))
    {
        let want = if phase.phase == "EF.SOD" { 2 } else { 1 };
        assert_eq!(phase.apdus, want, "{phase:?}");
    }
    let phase = |r: &Read, name: &str| {
        r.stats
            .phases
            .iter()
            .find(|p| p.phase == name)
            .unwrap()
            .apdus
    };
    // Access control looked for EF.ATR/INFO (the link may carry extended length): one more exchange.
    assert_eq!(
        phase(&silent, "access control"),
        phase(&base, "access control") + 1
    );
    assert!(
        3 * silent.stats.apdus < 2 * base.stats.apdus,
        "{} APDUs against {} in short blocks",
        silent.stats.apdus,
        base.stats.apdus
    );
    assert_eq!(silent.stats.resumes, 0);
}

#[test]
fn a_chip_answering_6700_costs_one_exchange() {
    let base = baseline();
    for plain_errors in [false, true] {
        let mut profile = brp(ExtendedLengthBehaviour::Refused);
        // A plain 6700 to the protected probe: no counter advances on either side.
        profile.options.plain_errors = plain_errors;
        let refused = read(&profile);
        assert_same_result(&refused, &base);
        let probe = refused.stats.probe.clone().unwrap();
        assert_eq!(probe.outcome, ProbeOutcome::Refused);
        assert_eq!(probe.status.as_deref(), Some("6700"));
        assert_eq!(count(&refused.stats, "READ BINARY (extended)"), 1);
        // The probe, and the look-up of EF.ATR/INFO during access control (the link may carry extended
        // length, so the chip's own word on it is asked for first).
        assert_eq!(
            refused.stats.apdus,
            base.stats.apdus + 2,
            "{:?} against {:?}",
            refused.stats.apdus_by_kind,
            base.stats.apdus_by_kind
        );
        assert_eq!(refused.stats.resumes, 0);
    }
}

#[test]
fn a_chip_going_mute_is_resumed_once_and_not_probed_again() {
    let base = baseline();
    let mute = read(&brp(ExtendedLengthBehaviour::Mute));
    assert_same_result(&mute, &base);
    let probe = mute.stats.probe.clone().unwrap();
    assert_eq!(probe.outcome, ProbeOutcome::LinkLost);
    assert_eq!(probe.status, None);
    assert_eq!(mute.stats.resumes, 1);
    assert!(
        mute.report
            .checks
            .iter()
            .any(|c| c.id == CheckId::ReadResumed)
    );
    // Only the probe went in extended form; the rest of EF.SOD and every file after it in short blocks.
    assert_eq!(count(&mute.stats, "READ BINARY (extended)"), 1);
    let resume = mute
        .stats
        .phases
        .iter()
        .find(|p| p.phase == "resume")
        .unwrap();
    // The look-up of EF.ATR/INFO, the lost probe, the resume (access control again, without reading the
    // master file's files again) and the SELECT of EF.SOD to read on from where the probe stopped are
    // all it cost.
    assert_eq!(
        mute.stats.apdus,
        base.stats.apdus + 1 + 1 + resume.apdus + 1,
        "{:?} against {:?}",
        mute.stats.apdus_by_kind,
        base.stats.apdus_by_kind
    );
    let access = mute
        .stats
        .phases
        .iter()
        .find(|p| p.phase == "access control")
        .unwrap();
    assert!(resume.apdus < access.apdus, "{resume:?} {access:?}");
}

#[test]
fn ef_atr_info_answers_before_any_probe() {
    // A silent ATR, but EF.ATR/INFO announces extended length (ISO/IEC 7816-4 tag 7F66): no probe needed.
    let announced = brp(ExtendedLengthBehaviour::Announced)
        .personalize()
        .unwrap();
    let atr_info = announced
        .chip
        .files()
        .get(LdsFile::AtrInfo)
        .unwrap()
        .to_vec();
    let silent = brp(ExtendedLengthBehaviour::Silent);
    let mut card = silent.personalize().unwrap();
    card.chip.files_mut().insert(LdsFile::AtrInfo, atr_info);
    let mut reader = Reader::new(EmulatorTransport::new(card.chip));
    let password = Password::Mrz(silent.mrz_key().unwrap());
    let mut rng = SeededRng::new(b"terminal");
    reader.authenticate(&password, &mut rng).unwrap();
    let (_, report) = reader.read_document_with_rng(&mut rng).unwrap();
    let stats = report.read_stats.unwrap();
    assert!(stats.probe.is_none());
    let phase = |name: &str| stats.phases.iter().find(|p| p.phase == name).unwrap().apdus;
    assert_eq!(phase("EF.SOD"), 1, "EF.SOD in one extended READ BINARY");
    assert_eq!(phase("DG2"), 1);
}

#[test]
fn extended_length_off_sends_no_probe() {
    let base = baseline();
    let options = ReaderOptions {
        extended_length: ExtendedLengthPolicy::Off,
        ..ReaderOptions::default()
    };
    for behaviour in [
        ExtendedLengthBehaviour::Silent,
        ExtendedLengthBehaviour::Mute,
    ] {
        let off = read_with(&brp(behaviour), options.clone());
        assert_same_result(&off, &base);
        assert!(off.stats.probe.is_none());
        assert_eq!(count(&off.stats, "READ BINARY (extended)"), 0);
        assert_eq!(off.stats.resumes, 0);
    }
}

#[test]
fn leaving_out_images_stops_before_them() {
    let base = baseline();
    let options = ReaderOptions {
        read_images: false,
        ..ReaderOptions::default()
    };
    let quick = read_with(&Profile::brp(), options);
    assert!(quick.document.raw(LdsFile::Dg(2)).is_none());
    assert!(quick.document.raw(LdsFile::Dg(1)).is_some());
    assert!(
        quick.stats.apdus * 2 < base.stats.apdus,
        "{} against {}",
        quick.stats.apdus,
        base.stats.apdus
    );
    let dg2 = quick
        .report
        .checks
        .iter()
        .find(|c| c.id == CheckId::FileRead(LdsFile::Dg(2)))
        .unwrap();
    assert!(dg2.verdict.reason.contains("leaves out images"), "{dg2:?}");
    // The images are the last phase of a full read.
    let last_file = base
        .stats
        .phases
        .iter()
        .rev()
        .find(|p| p.phase.starts_with("DG"))
        .unwrap();
    // DG3, refused without Terminal Authentication, after DG2.
    assert_eq!(last_file.phase, "DG3");
}

#[test]
fn the_emulated_link_reports_what_a_reader_would() {
    let caps = |b| {
        EmulatorTransport::new(brp(b).personalize().unwrap().chip)
            .capabilities()
            .extended_length
    };
    assert_eq!(
        caps(ExtendedLengthBehaviour::ShortAnnounced),
        ExtendedLength::No
    );
    assert_eq!(
        caps(ExtendedLengthBehaviour::Announced),
        ExtendedLength::Yes
    );
    for b in [
        ExtendedLengthBehaviour::Silent,
        ExtendedLengthBehaviour::Refused,
        ExtendedLengthBehaviour::Mute,
    ] {
        assert_eq!(caps(b), ExtendedLength::Unknown, "{b:?}");
        // A silent chip has no EF.ATR/INFO either.
        let card = brp(b).personalize().unwrap();
        assert!(card.chip.files().get(LdsFile::AtrInfo).is_none());
    }
}

#[test]
fn a_mute_chip_session_is_recorded_and_replays() {
    use icao9303::trace::{Recorder, Replay};
    for behaviour in [
        ExtendedLengthBehaviour::Silent,
        ExtendedLengthBehaviour::Mute,
    ] {
        let profile = brp(behaviour);
        let password = Password::Mrz(profile.mrz_key().unwrap());
        let recorder = Recorder::new();
        let chip = profile.personalize().unwrap().chip;
        let mut reader = Reader::new(recorder.transport(EmulatorTransport::new(chip)));
        let mut rng = recorder.rng(SeededRng::new(b"terminal"));
        reader.authenticate(&password, &mut rng).unwrap();
        let (recorded, _) = reader
            .read_document_resuming(&password, &mut rng, 1)
            .unwrap();
        let text = recorder.to_text();
        assert!(text.contains("caps extended=unknown command=65544 response=65538\n"));
        assert_eq!(
            text.contains("\n! timeout\nreset\n"),
            behaviour == ExtendedLengthBehaviour::Mute,
            "{behaviour:?}"
        );

        let replay = Replay::parse(&text).unwrap();
        let mut reader = Reader::new(replay.transport());
        let mut rng = replay.rng();
        reader.authenticate(&password, &mut rng).unwrap();
        let (replayed, report) = reader
            .read_document_resuming(&password, &mut rng, 1)
            .unwrap();
        replay.finish().unwrap();
        assert_eq!(app_files(&replayed), app_files(&recorded));
        let probe = report.read_stats.unwrap().probe.unwrap();
        assert_ne!(probe.outcome, ProbeOutcome::Refused);
    }
}

/// A chip that answers the probe with a plain 6700 and ends secure messaging with it (the next protected
/// command gets 6988): access control runs once more, the chip is never probed again, and the read
/// finishes in short blocks with the same result (before issue 21: the read was lost, exit 2).
#[test]
fn a_chip_ending_secure_messaging_after_the_refused_probe_costs_one_access_control() {
    let base = baseline();
    let profile = Profile::by_name("brp-probe-drops-session").unwrap();
    let dropped = read(&profile);
    assert_same_result(&dropped, &base);
    let probe = dropped.stats.probe.clone().unwrap();
    assert_eq!(probe.outcome, ProbeOutcome::Refused);
    assert_eq!(probe.status.as_deref(), Some("6700"));
    assert_eq!(dropped.stats.session_drops, 1);
    assert_eq!(dropped.stats.resumes, 1, "exactly one extra access control");
    assert_eq!(count(&dropped.stats, "READ BINARY (extended)"), 1);
    let note = dropped
        .report
        .checks
        .iter()
        .find(|c| c.id == CheckId::ReadResumed)
        .unwrap();
    assert!(
        note.verdict
            .reason
            .contains("the chip ended secure messaging after refusing the extended-length probe"),
        "{note:?}"
    );
    assert!(!note.verdict.reason.contains("card was lost"), "{note:?}");
    // Without resuming, the read stops with an error that says what happened.
    let card = profile.personalize().unwrap();
    let mut reader = Reader::new(EmulatorTransport::new(card.chip));
    let password = Password::Mrz(profile.mrz_key().unwrap());
    let mut rng = SeededRng::new(b"terminal");
    reader.authenticate(&password, &mut rng).unwrap();
    let err = reader.read_document_with_rng(&mut rng).unwrap_err();
    assert!(
        matches!(err, icao9303::Error::SessionDropped { sw, .. } if sw.0 == 0x6988),
        "{err}"
    );
}

/// The APDUs of the files read (EF.SOD, EF.COM, the data groups): what the read plan decides.
fn file_apdus(stats: &ReadStats) -> usize {
    stats
        .phases
        .iter()
        .filter(|p| p.phase.starts_with("DG") || p.phase.starts_with("EF."))
        .map(|p| p.apdus)
        .sum()
}

/// A chip that takes extended length without announcing it but sends at most 223 bytes per response:
/// the read learns the cap from the probe's answer and reads on in 223-byte blocks, so it costs no more
/// APDUs than reading the same chip in short blocks (before issue 21: every READ BINARY asked for the
/// whole remainder of the file).
#[test]
fn a_capped_chip_costs_no_more_apdus_than_short_reads() {
    let profile = Profile::by_name("brp-cap-223").unwrap();
    let capped = read(&profile);
    let short = read_with(
        &profile,
        ReaderOptions {
            extended_length: ExtendedLengthPolicy::Off,
            ..ReaderOptions::default()
        },
    );
    assert_same_result(&capped, &short);
    assert_eq!(capped.stats.response_cap, Some(223));
    assert_eq!(short.stats.response_cap, None);
    let probe = capped.stats.probe.clone().unwrap();
    assert_eq!(probe.outcome, ProbeOutcome::Accepted);
    assert_eq!(
        count(&capped.stats, "READ BINARY (extended)"),
        1,
        "the probe only"
    );
    assert!(
        file_apdus(&capped.stats) <= file_apdus(&short.stats),
        "{:?} against {:?}",
        capped.stats.phases,
        short.stats.phases
    );
    // In all: at most the look-up of EF.ATR/INFO more (a link that may carry extended length asks the
    // chip's own word on it first).
    assert!(
        capped.stats.apdus <= short.stats.apdus + 1,
        "{} APDUs against {}",
        capped.stats.apdus,
        short.stats.apdus
    );
}

/// A chip that answers 6B00 when offset + Le passes the end of a file (instead of the bytes up to the
/// end): each file's TLV header is read, then exactly the remaining length, and the read completes with
/// the same result (before issue 21: the read stopped at the first file).
#[test]
fn a_chip_answering_6b00_past_the_end_of_a_file_is_read_in_full() {
    let base = baseline();
    let mut profile = Profile::brp();
    profile.options.wrong_parameters_past_end = true;
    let eof = read(&profile);
    assert_same_result(&eof, &base);
    assert_eq!(eof.stats.resumes, 0);
    // Two more READ BINARY (the refused first block and the header) for each file shorter than a block,
    // at most.
    let small = eof
        .document
        .files
        .iter()
        .filter(|(_, bytes)| bytes.len() < 223)
        .count();
    assert!(small >= 5, "{small}");
    assert!(
        eof.stats.apdus <= base.stats.apdus + 2 * small,
        "{} APDUs against {} ({small} small files)",
        eof.stats.apdus,
        base.stats.apdus
    );
}
