//! `mrtd conformance`: this reader through every case of the emulator's conformance catalogue
//! (`icao9303_emu::conformance`, after BSI TR-03105-5.1 and ICAO RF Part 4), in process or over PC/SC;
//! and what `mrtd emulate --case` needs: the case list, a case's inputs for another inspection system,
//! the evidence after it was served.
//!
//! Over PC/SC (`--reader`), each case's chip is served exactly as `mrtd emulate --case ID` serves it — the
//! emulator's vpcd [`Bridge`] connected to pcscd's vpcd driver — on a thread of this process, so its
//! statistics are at hand when the case ends: insert the case's card, wait until the reader shows it,
//! read it through PC/SC, remove the card (the bridge disconnects), wait until the reader is empty,
//! judge with the chip's statistics, next case.

use crate::Outcome;
use anyhow::{Context, anyhow};
use clap::Args;
use icao9303_emu::conformance::run::{self, CaseResult, Observed, Reading};
use icao9303_emu::conformance::{Case, InspectionSystem, Setup, catalogue, find};
use icao9303_emu::stats::ChipStats;
use icao9303_emu::vpcd::{Bridge, BridgeOptions, DEFAULT_ADDRESS};
use icao9303_pcsc::{ConnectOptions, PcscTransport, ProtocolChoice, ReaderSelector};
use rand_core::UnwrapErr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// `mrtd conformance`.
#[derive(Args, Debug)]
pub(crate) struct ConformanceArgs {
    /// Read every case through this PC/SC reader (its name, a unique part of it, or its index), the
    /// case's chip served through the vpcd driver at --vpcd (as `mrtd emulate --case` serves it).
    /// Default: in process, no PC/SC.
    #[arg(long, value_name = "NAME|INDEX")]
    reader: Option<String>,
    /// The vpcd driver's address for --reader ("Virtual PCD 00 00" is 127.0.0.1:35963).
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_ADDRESS, requires = "reader")]
    vpcd: String,
    /// Only these cases (ids as `--list-cases` shows them, or a bare standard id when unambiguous);
    /// repeatable. Default: every case.
    #[arg(long = "case", value_name = "ID")]
    cases: Vec<String>,
    /// Print the matrix as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The cases `ids` name, or every case.
fn selected(ids: &[String]) -> anyhow::Result<Vec<Case>> {
    if ids.is_empty() {
        return Ok(catalogue());
    }
    ids.iter()
        .map(|id| find(id).map_err(|e| anyhow!(e)))
        .collect()
}

/// `mrtd conformance`: runs the cases, prints the matrix; exit 0 only when every case passes.
pub(crate) fn run(args: &ConformanceArgs) -> anyhow::Result<Outcome> {
    let cases = selected(&args.cases)?;
    let mut results = Vec::with_capacity(cases.len());
    for case in &cases {
        let result = match &args.reader {
            None => run::run_in_process(case),
            Some(reader) => over_pcsc(case, reader, &args.vpcd)?,
        };
        if args.reader.is_some() && !crate::ui::settings().quiet {
            eprintln!(
                "{} {}",
                if result.passed() { "pass" } else { "FAIL" },
                case.id()
            );
        }
        results.push(result);
    }
    let text = if args.json {
        let json = serde_json::to_string_pretty(&matrix_json(&results, args.reader.as_deref()))?;
        format!("{json}\n")
    } else {
        matrix_text(&results)
    };
    write_stdout(&text)?;
    Ok(if results.iter().all(CaseResult::passed) {
        Outcome::Valid
    } else {
        Outcome::Suspect
    })
}

/// The matrix, one block per case.
fn matrix_text(results: &[CaseResult]) -> String {
    let mut out = String::new();
    for r in results {
        let c = &r.case;
        out.push_str(&format!(
            "{}  {}  {}\n  title     {}\n  expected  {}\n  ours      {}\n  evidence  {}\n",
            if r.passed() { "PASS" } else { "FAIL" },
            c.id(),
            c.unit.name(),
            c.title,
            c.expectation(),
            r.reading.summary(),
            match &r.evidence {
                Ok(e) => e.clone(),
                Err(e) => format!("MISSING — {e}"),
            }
        ));
    }
    let passed = results.iter().filter(|r| r.passed()).count();
    out.push_str(&format!(
        "\n{passed} of {} cases passed{}\n",
        results.len(),
        if passed == results.len() {
            String::new()
        } else {
            format!(
                "; failed: {}",
                results
                    .iter()
                    .filter(|r| !r.passed())
                    .map(|r| r.case.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    out
}

/// The matrix as JSON: `{"transport": ..., "cases": [...], "passed": n, "total": n}`.
fn matrix_json(results: &[CaseResult], reader: Option<&str>) -> serde_json::Value {
    let cases: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            let c = &r.case;
            serde_json::json!({
                "id": c.id(),
                "source": c.source.name(),
                "unit": c.unit.name(),
                "title": c.title,
                "clause": c.clause,
                "expected": c.expectation(),
                "ours": {
                    "verdict": observed_key(&r.reading.observed),
                    "exit_code": r.reading.observed.exit_code(),
                    "summary": r.reading.summary(),
                    "reasons": r.reading.reasons,
                    "terminal_authentication": r.reading.terminal_authentication.as_ref().map(|(s, why)| {
                        serde_json::json!({"status": s.as_str(), "reason": why})
                    }),
                    "dg3_read": r.reading.dg3,
                    "dg4_read": r.reading.dg4,
                },
                "verdict_matches": r.verdict_matches,
                "evidence": match &r.evidence {
                    Ok(e) => serde_json::json!({"shown": true, "detail": e}),
                    Err(e) => serde_json::json!({"shown": false, "detail": e}),
                },
                "passed": r.passed(),
            })
        })
        .collect();
    serde_json::json!({
        "transport": match reader {
            Some(r) => format!("PC/SC reader {r}"),
            None => "in process".into(),
        },
        "passed": results.iter().filter(|r| r.passed()).count(),
        "total": results.len(),
        "cases": cases,
    })
}

fn observed_key(o: &Observed) -> &'static str {
    match o {
        Observed::Verified => "verified",
        Observed::NotVerified => "not_verified",
        Observed::Failed => "failed",
        Observed::ReadError(_) => "read_error",
        Observed::Panicked(_) => "panic",
    }
}

/// Whether the reader `selector` picks holds a card now.
fn card_present(selector: &ReaderSelector) -> bool {
    icao9303_pcsc::wait_for_card(selector, Duration::ZERO).is_ok()
}

/// One case over PC/SC: its chip on a vpcd bridge thread, read through `reader`.
fn over_pcsc(case: &Case, reader: &str, vpcd: &str) -> anyhow::Result<CaseResult> {
    let selector: ReaderSelector = reader.parse().unwrap_or(ReaderSelector::FirstWithCard);
    if card_present(&selector) {
        return Err(anyhow!(
            "reader {reader:?} already holds a card: stop whatever serves it (another mrtd emulate?) first"
        ));
    }
    let Setup {
        chip,
        inspection_system,
    } = match case.build() {
        Ok(s) => s,
        Err(e) => {
            return Ok(run::judge(
                case,
                error_reading(format!("the case cannot be built: {e}")),
                None,
            ));
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let mut bridge = Bridge::new(
        chip,
        BridgeOptions {
            address: vpcd.to_string(),
            ..BridgeOptions::default()
        },
    );
    let serving = std::thread::spawn(move || {
        let ended = bridge.run(&flag);
        (bridge.into_chip(), ended)
    });
    let reading = read_when_present(&selector, reader, &inspection_system);
    stop.store(true, Ordering::SeqCst);
    let (chip, ended) = serving
        .join()
        .map_err(|_| anyhow!("the vpcd bridge thread panicked"))?;
    ended.with_context(|| format!("serving {} through vpcd at {vpcd}", case.id()))?;
    // No card, or no connection to it: the test bench is not working, whatever the case.
    let reading = reading.with_context(|| format!("case {}", case.id()))?;
    // The next case's card must not meet this one in the reader.
    let deadline = Instant::now() + Duration::from_secs(10);
    while card_present(&selector) {
        if Instant::now() > deadline {
            return Err(anyhow!(
                "reader {reader:?} still shows a card 10 s after the emulator removed it"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(run::judge(case, reading, Some(chip.stats())))
}

/// Waits (up to 15 s) for the card in `reader` and reads it as `is`. No card, or no connection to it, is
/// an error of the bench (pcscd, the vpcd driver), not of the case.
fn read_when_present(
    selector: &ReaderSelector,
    reader: &str,
    is: &InspectionSystem,
) -> anyhow::Result<Reading> {
    let found =
        icao9303_pcsc::wait_for_card(selector, Duration::from_secs(15)).with_context(|| {
            format!("no card in reader {reader:?} (is pcscd with vsmartcard-vpcd running?)")
        })?;
    let options = ConnectOptions {
        exclusive: true,
        protocol: ProtocolChoice::Any,
        reconnect_wait: Duration::from_secs(5),
    };
    let transport = PcscTransport::connect(&ReaderSelector::Name(found.name.clone()), &options)
        .with_context(|| format!("reader {}", found.name))?;
    let mut rng = UnwrapErr(getrandom::SysRng);
    Ok(run::read(is, transport, &mut rng).0)
}

fn error_reading(why: String) -> Reading {
    Reading {
        observed: Observed::ReadError(why),
        reasons: Vec::new(),
        terminal_authentication: None,
        dg3: false,
        dg4: false,
    }
}

/// `text` on standard output; a reader that closed the pipe early (`| head`) is no error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// `mrtd emulate --list-cases`: one line per case.
pub(crate) fn list_cases() -> anyhow::Result<Outcome> {
    let text: String = catalogue()
        .iter()
        .map(|c| {
            format!(
                "{:<28} {:<24} {:<52} {}\n",
                c.id(),
                c.unit.name(),
                c.expectation(),
                c.title
            )
        })
        .collect();
    write_stdout(&text)?;
    Ok(Outcome::Valid)
}

/// The case `id` built for `mrtd emulate --case`: what it is and what an inspection system needs is
/// printed on stderr (and, with `export`, written there: CSCA, DSC and CRL certificates, the EAC
/// certificates and key).
pub(crate) fn emulated_case(id: &str, export: Option<&Path>) -> anyhow::Result<(Case, Setup)> {
    let case = find(id).map_err(|e| anyhow!(e))?;
    let setup = case.build().map_err(|e| anyhow!(e))?;
    let is = &setup.inspection_system;
    eprintln!("conformance case {}: {}", case.id(), case.title);
    eprintln!("  {}", case.configuration);
    eprintln!("  an inspection system must give: {}", case.expectation());
    eprintln!("  because: {}", case.rationale);
    match &is.password {
        icao9303::access::Password::Mrz(key) => eprintln!(
            "  MRZ: document {}, born {}, expires {} (--doc {} --dob {} --expiry {})",
            key.document_number(),
            key.date_of_birth(),
            key.date_of_expiry(),
            key.document_number(),
            key.date_of_birth(),
            key.date_of_expiry()
        ),
        icao9303::access::Password::Can(can) => eprintln!("  CAN: {}", can.as_str()),
    }
    if let Some(dir) = export {
        for line in export_inputs(is, dir)? {
            eprintln!("  wrote {line}");
        }
    } else {
        eprintln!(
            "  (--export DIR writes the CSCA, Document Signer and CRL files{} it needs)",
            if is.terminal.is_some() {
                " and the EAC certificates and key"
            } else {
                ""
            }
        );
    }
    Ok((case, setup))
}

/// Writes what `is` is given into `dir`: `csca-N.der`, `dsc-N.der`, `crl-N.der`, and for EAC cases
/// `<CHR>.cvcert` per certificate and the terminal key as `<CHR>.pkcs8` (owner-only).
fn export_inputs(is: &InspectionSystem, dir: &Path) -> anyhow::Result<Vec<String>> {
    crate::private_file::create_private_dir(dir)?;
    let mut written = Vec::new();
    let mut write = |name: String, bytes: &[u8]| -> anyhow::Result<()> {
        let path = dir.join(&name);
        crate::private_file::write_private(&path, bytes)?;
        written.push(path.display().to_string());
        Ok(())
    };
    for (kind, files) in [
        ("csca", &is.csca),
        ("dsc", &is.document_signers),
        ("crl", &is.crls),
    ] {
        for (i, bytes) in files.iter().enumerate() {
            write(format!("{kind}-{}.der", i + 1), bytes)?;
        }
    }
    if let Some(terminal) = &is.terminal {
        for cert in &terminal.certificates {
            write(format!("{}.cvcert", cert.chr()), cert.as_bytes())?;
        }
        let chr = terminal
            .certificates
            .iter()
            .find(|c| c.role() == icao9303::pki::cvc::Role::Terminal)
            .map(|c| c.chr().to_string())
            .unwrap_or_else(|| "terminal".into());
        let key = terminal
            .key
            .to_pkcs8_der()
            .map_err(|e| anyhow!("the terminal key: {e}"))?;
        write(format!("{chr}.pkcs8"), &key)?;
    }
    Ok(written)
}

/// What `mrtd emulate --case` prints when the card is removed: whether the case's behaviour happened.
pub(crate) fn report_evidence(case: &Case, stats: &ChipStats) {
    eprintln!(
        "case {}: {} command(s) answered, {} fault(s) injected",
        case.id(),
        stats.commands,
        stats.faults.len()
    );
    for f in &stats.faults {
        eprintln!("  command {}: {}", f.command, f.detail);
    }
    match case.evidence.check(stats) {
        Ok(shown) => eprintln!("  evidence shown: {shown}"),
        Err(missing) => eprintln!(
            "  evidence NOT shown ({missing}): the inspection system did not get to this case's behaviour"
        ),
    }
    eprintln!("  an inspection system must give: {}", case.expectation());
}
