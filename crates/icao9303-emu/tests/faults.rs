//! Fault injection over a whole read of the `brp` profile: every response position, dropped, truncated,
//! bit-flipped and delayed. The reader must never panic and never present corrupted data as valid.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::access::Password;
use icao9303::lds::LdsFile;
use icao9303::reader::Reader;
use icao9303::report::CheckStatus;
use icao9303_emu::fault::{Fault, FaultyTransport};
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use std::time::Duration;

#[test]
fn every_fault_at_every_position_is_caught_or_harmless() {
    let profile = Profile::brp();
    let key = Password::Mrz(profile.mrz_key().unwrap());
    let genuine = profile.personalize().unwrap();
    // Every file a read without Terminal Authentication gets (DG3 and EF.CVCA stay on the chip).
    let genuine_files: Vec<_> = genuine
        .chip
        .files()
        .iter()
        .filter(|(f, _)| !matches!(f, LdsFile::Dg(3 | 4) | LdsFile::Cvca))
        .map(|(f, b)| (f, b.to_vec()))
        .collect();

    // A clean read, to learn how many APDUs a full read takes.
    let mut clean = Reader::new(FaultyTransport::new(
        EmulatorTransport::new(genuine.chip),
        0,
        Fault::Drop,
    ));
    clean.authenticate(&key, &mut SeededRng::new(b"t")).unwrap();
    clean.read_document().unwrap();
    let total = clean.into_transport().sent();
    assert!(total > 10, "a full read takes {total} APDUs");

    let mut outcomes = (0usize, 0usize);
    for position in 1..=total {
        for fault in [
            Fault::Drop,
            Fault::Truncate(0),
            Fault::Truncate(1),
            Fault::Truncate(3),
            Fault::FlipBit(0),
            Fault::FlipBit(13),
            Fault::FlipBit(8 * 7 + 5),
            Fault::Delay(Duration::from_micros(50)),
        ] {
            let card = profile.personalize().unwrap();
            let mut reader = Reader::new(FaultyTransport::new(
                EmulatorTransport::new(card.chip),
                position,
                fault,
            ));
            let result = reader
                .authenticate(&key, &mut SeededRng::new(b"t"))
                .map(|_| ())
                .and_then(|_| reader.read_document());
            match result {
                Err(e) => {
                    // The error names the step where the read stopped.
                    let message = e.to_string();
                    assert!(!message.is_empty());
                    outcomes.0 += 1;
                }
                Ok((doc, report)) => {
                    outcomes.1 += 1;
                    // Whatever was read and reported valid is byte-for-byte what the chip holds.
                    for (file, bytes) in &genuine_files {
                        if let Some(read) = doc.raw(*file) {
                            let hash_ok = doc.hash_status(*file).status == CheckStatus::Valid;
                            assert!(
                                read == bytes.as_slice() || !hash_ok,
                                "{fault:?} at {position}: {file} corrupted but valid"
                            );
                        }
                    }
                    if report
                        .checks
                        .iter()
                        .all(|c| c.status() != CheckStatus::Invalid)
                    {
                        assert_eq!(
                            doc.files.len(),
                            genuine_files.len(),
                            "{fault:?} at {position}: a file went missing silently"
                        );
                    }
                }
            }
        }
    }
    // Delays and faults that hit bits the protocol ignores still read; every other fault stops the read.
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");
}
