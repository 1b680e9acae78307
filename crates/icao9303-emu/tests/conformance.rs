//! The conformance catalogue (`icao9303_emu::conformance`) run in process against this project's reader:
//! every case must give its expected verdict, with the chip's statistics showing that the case's
//! behaviour happened.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303_emu::conformance::run::{CaseResult, run_in_process};
use icao9303_emu::conformance::{Unit, catalogue};

fn describe(r: &CaseResult) -> String {
    format!(
        "{} {}: expected {}, ours {}; evidence {}",
        if r.passed() { "PASS" } else { "FAIL" },
        r.case.id(),
        r.case.expected.describe(),
        r.reading.summary(),
        match &r.evidence {
            Ok(e) => e.clone(),
            Err(e) => format!("MISSING: {e}"),
        }
    )
}

fn run_units(units: &[Unit]) {
    let results: Vec<CaseResult> = catalogue()
        .iter()
        .filter(|c| units.contains(&c.unit))
        .map(run_in_process)
        .collect();
    assert!(!results.is_empty());
    let report: Vec<String> = results.iter().map(describe).collect();
    eprintln!("{}", report.join("\n"));
    let failed: Vec<&String> = report.iter().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        failed.is_empty(),
        "{} case(s) failed:\n{}",
        failed.len(),
        failed
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn access_cases() {
    run_units(&[
        Unit::ApplicationSelection,
        Unit::BacSecureMessaging,
        Unit::ReadBinary,
        Unit::Pace,
    ]);
}

#[test]
fn authentication_cases() {
    run_units(&[
        Unit::ChipAuthentication,
        Unit::TerminalAuthentication,
        Unit::ActiveAuthentication,
    ]);
}

#[test]
fn data_cases() {
    run_units(&[
        Unit::Lds,
        Unit::PassiveAuthentication,
        Unit::CardSecurity,
        Unit::AtrInfo,
    ]);
}
