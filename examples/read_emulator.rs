//! Reads the built-in sample BRP through the in-process software chip and prints the JSON report.
//!
//! Run with `cargo run -p icao9303-examples --example read_emulator`.

use icao9303::{Password, Reader};
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A software chip personalised with the synthetic `brp` profile.
    let profile = Profile::brp();
    let card = profile.personalize()?;
    // Any Transport works here: PC/SC, a phone's NFC stack, a recorded trace.
    let mut reader = Reader::new(EmulatorTransport::new(card.chip));
    // Real applications draw from the operating system's RNG; a seeded one keeps this example repeatable.
    let mut rng = SeededRng::new(b"example");
    reader.authenticate(&Password::Mrz(profile.mrz_key()?), &mut rng)?;
    let (document, report) = reader.read_document()?;
    if let Some(dg1) = &document.dg1 {
        eprintln!(
            "read the chip of {} {}",
            dg1.mrz.secondary_identifier, dg1.mrz.primary_identifier
        );
    }
    println!("{}", report.to_json());
    Ok(())
}
