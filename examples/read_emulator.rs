//! Reads the built-in sample BRP through the in-process software chip, verifies it against the chip's
//! test CSCA with Chip and Active Authentication, and prints the verdict (`verified`) and the report's
//! summary.
//!
//! Run with `cargo run -p icao9303-examples --example read_emulator`; `cargo test` runs its test.

use icao9303::{DocumentResult, Password, Reader, ReaderOptions, Report, TrustStore};
use icao9303_emu::profile::chip_by_name;
use icao9303_emu::transport::EmulatorTransport;
use std::sync::Arc;

/// Reads and verifies the sample BRP.
fn read() -> Result<Report, Box<dyn std::error::Error>> {
    // A software chip personalised with the synthetic `brp` profile, and the test CSCA that signed it.
    let chip = chip_by_name("brp", |_| {}, None)?.ok_or("no brp profile")?;
    let csca = chip.csca.ok_or("the brp profile has no test CSCA")?;
    // Trust that CSCA, as a service trusts the issuing states' CSCAs (master lists, certificates, CRLs).
    let mut trust = TrustStore::builder();
    trust.add_certificate(&csca, "the brp profile's test CSCA")?;
    let options = ReaderOptions {
        trust: Some(Arc::new(trust.build())),
        ..ReaderOptions::default()
    };
    // Any Transport works here: PC/SC, a phone's NFC stack, a recorded trace (reported as replayed).
    let mut reader = Reader::with_options(EmulatorTransport::new(chip.chip), options);
    // The operating system's random generator: PACE, Chip and Active Authentication draw from it.
    let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
    reader.authenticate(&Password::Mrz(chip.mrz_key), &mut rng)?;
    let (document, report) = reader.read_document_with_rng(&mut rng)?;
    if let Some(dg1) = &document.dg1 {
        eprintln!(
            "read the chip of {} {}",
            dg1.mrz.secondary_identifier, dg1.mrz.primary_identifier
        );
    }
    Ok(report)
}

/// The verdict as the JSON report writes it.
fn result(report: &Report) -> &'static str {
    match report.verdict.result {
        DocumentResult::Verified => "verified",
        DocumentResult::NotVerified => "not_verified",
        DocumentResult::Failed => "failed",
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let report = read()?;
    println!("{}", result(&report));
    println!("{}", report.summary());
    for reason in &report.verdict.reasons {
        println!("- {reason}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sample_verifies() {
        let report = super::read().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(super::result(&report), "verified", "{:?}", report.verdict);
    }
}
