//! The whole real stack: the emulator as a card in pcscd's vpcd reader, read through the PC/SC transport.
//!
//! Needs a running `pcscd` with the vsmartcard `vpcd` driver (Debian: `apt-get install pcscd
//! vsmartcard-vpcd`, then `pcscd -f &`). Without them each test prints why and passes, so `cargo test`
//! works anywhere. The tests use the second virtual reader ("Virtual PCD 00 01", TCP port 35964) so that
//! a card someone is emulating in the first one by hand is left alone; they take turns on it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::access::Password;
use icao9303::read_stats::ProbeOutcome;
use icao9303::reader::Reader;
use icao9303::trace::{self, Event, Recorder};
use icao9303::transport::{ExtendedLength, Transport, TransportError};
use icao9303_emu::chip::ExtendedLengthBehaviour;
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::vpcd::{Bridge, BridgeOptions};
use icao9303_pcsc::{ConnectOptions, PcscTransport, ReaderSelector};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

const READER: &str = "Virtual PCD 00 01";
const ADDRESS: &str = "127.0.0.1:35964";

/// One test at a time on the virtual reader.
static SLOT: Mutex<()> = Mutex::new(());

/// The emulated card in the reader; removed on drop.
struct Inserted {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    _slot: MutexGuard<'static, ()>,
}

impl Inserted {
    fn remove(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
            // Wait until pcscd has seen the card go, so the next test finds an empty reader.
            for _ in 0..50 {
                let readers = icao9303_pcsc::list_readers().unwrap_or_default();
                if !readers.iter().any(|r| r.name == READER && r.card_present) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

impl Drop for Inserted {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Puts `profile`'s card into the virtual reader, or says why it cannot (and the test then passes).
fn insert(profile: &Profile) -> Option<Inserted> {
    let slot = SLOT.lock().unwrap_or_else(|p| p.into_inner());
    let readers = match icao9303_pcsc::list_readers() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("SKIPPED: {e} (these tests need pcscd with the vpcd driver)");
            return None;
        }
    };
    match readers.iter().find(|r| r.name == READER) {
        None => {
            eprintln!("SKIPPED: no reader {READER:?} (install vsmartcard-vpcd and restart pcscd)");
            return None;
        }
        Some(r) if r.card_present => {
            eprintln!("SKIPPED: {READER:?} already holds a card (another emulator is connected)");
            return None;
        }
        Some(_) => {}
    }
    let chip = profile.personalize().unwrap().chip;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::spawn(move || {
        let options = BridgeOptions {
            address: ADDRESS.into(),
            ..BridgeOptions::default()
        };
        let _ = Bridge::new(chip, options).run(&flag);
    });
    let inserted = Inserted {
        stop,
        thread: Some(thread),
        _slot: slot,
    };
    icao9303_pcsc::wait_for_card(
        &ReaderSelector::Name(READER.into()),
        Duration::from_secs(15),
    )
    .unwrap();
    Some(inserted)
}

fn connect() -> PcscTransport {
    PcscTransport::connect(
        &ReaderSelector::Name(READER.into()),
        &ConnectOptions::default(),
    )
    .unwrap()
}

#[test]
fn reads_the_emulated_brp_through_pcscd() {
    let profile = Profile::brp();
    let Some(_card) = insert(&profile) else {
        return;
    };
    let readers = icao9303_pcsc::list_readers().unwrap();
    let info = readers.iter().find(|r| r.name == READER).unwrap();
    let chip_atr = profile.personalize().unwrap().chip.atr();
    assert_eq!(info.atr.as_deref(), Some(chip_atr.as_slice()));

    let mut transport = connect();
    assert_eq!(transport.atr(), chip_atr.as_slice());
    assert_eq!(
        transport.capabilities().extended_length,
        ExtendedLength::No,
        "the brp profile's ATR says it takes no extended length"
    );
    let uid = transport
        .uid()
        .unwrap()
        .expect("the vpcd bridge answers GET DATA UID");
    assert_eq!((uid.len(), uid.first()), (4, Some(&0x08)));

    let mut reader = Reader::new(transport);
    reader
        .authenticate(
            &Password::Mrz(profile.mrz_key().unwrap()),
            &mut SeededRng::new(b"t"),
        )
        .unwrap();
    let (document, report) = reader.read_document().unwrap();
    assert!(!report.has_failures(), "{}", report.summary());
    assert_eq!(document.dg1.unwrap().mrz.document_number, "ZU3847562");

    // Reset the card and authenticate again on the same connection.
    let mut transport = reader.into_transport();
    transport.reconnect().unwrap();
    let mut reader = Reader::new(transport);
    reader
        .authenticate(
            &Password::Mrz(profile.mrz_key().unwrap()),
            &mut SeededRng::new(b"u"),
        )
        .unwrap();
}

#[test]
fn a_chip_announcing_nothing_is_probed_and_read_with_extended_length() {
    let mut profile = Profile::brp();
    ExtendedLengthBehaviour::Silent.apply(&mut profile.options);
    let Some(_card) = insert(&profile) else {
        return;
    };
    let transport = connect();
    let reader_caps = transport.reader_capabilities().clone();
    eprintln!("vpcd: {reader_caps:?}");
    assert_ne!(reader_caps.extended_length, ExtendedLength::No);
    assert_eq!(
        transport.capabilities().extended_length,
        ExtendedLength::Unknown,
        "the ATR says nothing about extended length"
    );
    // Asked directly of the driver, without the card's connection: the same answer.
    let direct = icao9303_pcsc::reader_capabilities(&ReaderSelector::Name(READER.into())).unwrap();
    assert_eq!(direct.extended_length, reader_caps.extended_length);

    let mut reader = Reader::new(transport);
    reader
        .authenticate(
            &Password::Mrz(profile.mrz_key().unwrap()),
            &mut SeededRng::new(b"t"),
        )
        .unwrap();
    let (document, report) = reader.read_document().unwrap();
    assert!(!report.has_failures(), "{}", report.summary());
    assert_eq!(
        document.raw(icao9303::lds::LdsFile::Dg(2)).unwrap().len(),
        16536
    );
    let stats = report.read_stats.unwrap();
    let probe = stats.probe.expect("a probe");
    assert_eq!(
        (probe.file.as_str(), probe.outcome),
        ("EF.SOD", ProbeOutcome::Accepted)
    );
    // The probe for EF.SOD's remainder, then every other file of the application in one extended READ
    // BINARY each (EF.COM, DG1, DG2, DG11, DG12, DG14, DG15), and DG3's, which the chip refuses without
    // Terminal Authentication (6982).
    let files = document
        .files
        .keys()
        .filter(|f| !f.in_master_file())
        .count();
    assert_eq!(files, 8);
    assert_eq!(
        stats.apdus_by_kind.get("READ BINARY (extended)"),
        Some(&(files + 1))
    );
}

#[test]
fn same_bytes_over_pcsc_as_in_process() {
    // The committed trace was recorded in-process; over pcscd the reader must send and get the same bytes.
    let profile = Profile::passport_bac();
    let Some(_card) = insert(&profile) else {
        return;
    };
    let recorder = Recorder::new();
    let mut reader = Reader::new(recorder.transport(connect()));
    let mut rng = recorder.rng(SeededRng::new(b"terminal"));
    reader
        .authenticate(&Password::Mrz(profile.mrz_key().unwrap()), &mut rng)
        .unwrap();
    reader.read_document_with_rng(&mut rng).unwrap();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../test-vectors/traces/passport-bac.trace"
    );
    let committed: Vec<Event> = trace::parse(&std::fs::read_to_string(path).unwrap())
        .unwrap()
        .events
        .into_iter()
        .map(|t| t.event)
        .collect();
    let recorded = recorder.events();
    assert_eq!(recorded.len(), committed.len());
    if let Some(i) = recorded.iter().zip(&committed).position(|(a, b)| a != b) {
        panic!(
            "event {i} differs: over PC/SC {:?}, committed {:?}",
            recorded[i], committed[i]
        );
    }
}

#[test]
fn card_removed_mid_session() {
    let profile = Profile::passport_bac();
    let Some(mut card) = insert(&profile) else {
        return;
    };
    let mut reader = Reader::new(connect());
    reader
        .authenticate(
            &Password::Mrz(profile.mrz_key().unwrap()),
            &mut SeededRng::new(b"t"),
        )
        .unwrap();
    card.remove();
    let err = reader.read_document().unwrap_err();
    match err {
        icao9303::Error::Transport { source, .. } => {
            assert_eq!(source, TransportError::CardRemoved)
        }
        other => panic!("expected CardRemoved, got {other}"),
    }
    let mut transport = reader.into_transport();
    // Give pcscd a moment to notice the empty reader, then reconnecting says there is no card.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(transport.reconnect().unwrap_err(), TransportError::NoCard);
}
