//! The conformance catalogue (`icao9303_emu::conformance`) run in process against this project's reader:
//! every case must give its expected verdict, with the chip's statistics showing that the case's
//! behaviour happened; and docs/conformance.md must hold the catalogue as the code has it.
//!
//! `MRTD_UPDATE_CONFORMANCE_DOC=1 cargo test -p icao9303-emu --test conformance` rewrites the generated
//! part of docs/conformance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303_emu::conformance::run::{CaseResult, run_in_process};
use icao9303_emu::conformance::{Case, catalogue, doc, find};
use std::collections::BTreeSet;

fn describe(r: &CaseResult) -> String {
    format!(
        "{} {}: expected {}, ours {}; evidence {}",
        if r.passed() { "PASS" } else { "FAIL" },
        r.case.id(),
        r.case.expectation(),
        r.reading.summary(),
        match &r.evidence {
            Ok(e) => e.clone(),
            Err(e) => format!("MISSING: {e}"),
        }
    )
}

/// Cases with their position in the catalogue.
type Numbered<'a> = Vec<(usize, &'a Case)>;

/// Every case, read on two threads, results in catalogue order.
fn run_all(cases: &[Case]) -> Vec<CaseResult> {
    let (even, odd): (Numbered<'_>, Numbered<'_>) =
        cases.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    fn run(part: Numbered<'_>) -> Vec<(usize, CaseResult)> {
        part.into_iter()
            .map(|(i, c)| (i, run_in_process(c)))
            .collect()
    }
    let mut results: Vec<(usize, CaseResult)> = std::thread::scope(|s| {
        let a = s.spawn(|| run(even));
        let b = s.spawn(|| run(odd));
        let mut all = a.join().unwrap();
        all.extend(b.join().unwrap());
        all
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[test]
fn every_case_gives_its_verdict_with_evidence_and_the_doc_is_current() {
    let cases = catalogue();
    assert!(cases.len() >= 80, "{} cases", cases.len());
    let ids: BTreeSet<String> = cases.iter().map(Case::id).collect();
    assert_eq!(ids.len(), cases.len(), "case ids are unique");
    let results = run_all(&cases);
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

    let path = format!("{}/../../docs/conformance.md", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let (Some(start), Some(end)) = (text.find(doc::BEGIN), text.find(doc::END)) else {
        panic!("docs/conformance.md lacks the generated catalogue's markers");
    };
    let generated = doc::markdown(&results);
    let current = &text[start..end + doc::END.len() + 1];
    if current != generated {
        if std::env::var_os("MRTD_UPDATE_CONFORMANCE_DOC").is_some() {
            let updated = format!(
                "{}{generated}{}",
                &text[..start],
                &text[end + doc::END.len() + 1..]
            );
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!(
                "docs/conformance.md's catalogue is not the code's: run \
                 MRTD_UPDATE_CONFORMANCE_DOC=1 cargo test -p icao9303-emu --test conformance"
            );
        }
    }
}

/// A case is found by its full id, case-insensitively, and by its bare standard id when only one case
/// has it; an ambiguous or unknown id is refused with the candidates.
#[test]
fn cases_are_found_by_id() {
    assert_eq!(find("p51.iso7816_e_08").unwrap().id(), "P51.ISO7816_E_08");
    assert_eq!(find("LDS_H_54").unwrap().id(), "P51.LDS_H_54");
    let ambiguous = find("ISO7816_E_01").unwrap_err();
    assert!(
        ambiguous.contains("P4.ISO7816_E_01") && ambiguous.contains("P51.ISO7816_E_01"),
        "{ambiguous}"
    );
    assert!(
        find("NO_SUCH_CASE")
            .unwrap_err()
            .contains("no conformance case")
    );
}

/// A case cannot pass without its behaviour: a case whose fault is taken out fails on its evidence.
#[test]
fn a_case_without_its_fault_fails_on_the_evidence() {
    let case = find("P4.ISO7816_D_05").unwrap();
    let mut setup = case.build().unwrap();
    setup.chip.set_faults(Default::default());
    let mut rng = icao9303_emu::rng::SeededRng::new(b"no fault");
    let (reading, transport) = icao9303_emu::conformance::run::read(
        &setup.inspection_system,
        icao9303_emu::transport::EmulatorTransport::new(setup.chip),
        &mut rng,
    );
    let stats = transport.unwrap().chip().stats().clone();
    let result = icao9303_emu::conformance::run::judge(&case, reading, Some(&stats));
    assert!(result.evidence.is_err(), "{:?}", result.evidence);
    assert!(!result.passed());
}
