//! Reading a case with this project's reader, and judging the result against the case's expected verdict
//! and evidence.
//!
//! The reader runs as `mrtd read` does: access control with the case's password, then
//! [`Reader::read_document_resuming`] (Chip and Active Authentication on, Terminal Authentication with the
//! case's credentials, up to three resumes), passive authentication against the case's anchors at
//! [`REFERENCE_DATE`](super::fixtures::REFERENCE_DATE). A panic is caught and fails the case.

use super::fixtures::REFERENCE_DATE;
use super::{Case, Expected, InspectionSystem, Shown};
use crate::stats::ChipStats;
use crate::transport::EmulatorTransport;
use icao9303::pki::{Time, TrustStore};
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::{CheckId, CheckStatus, DocumentResult, Report};
use icao9303::transport::Transport;
use rand_core::CryptoRng;
use std::sync::Arc;

/// How often a read may resume after the card was lost (as `mrtd read`).
pub const MAX_RESUMES: usize = 3;

/// What the reader said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// Document verdict `verified`.
    Verified,
    /// Document verdict `not_verified`.
    NotVerified,
    /// Document verdict `failed`.
    Failed,
    /// The read ended with this error.
    ReadError(String),
    /// The reader panicked with this message.
    Panicked(String),
}

impl Observed {
    /// In words ("verified", "read error: ...").
    pub fn describe(&self) -> String {
        match self {
            Observed::Verified => "verified".into(),
            Observed::NotVerified => "not_verified".into(),
            Observed::Failed => "failed".into(),
            Observed::ReadError(e) => format!("read error: {e}"),
            Observed::Panicked(e) => format!("PANIC: {e}"),
        }
    }

    /// `mrtd read`'s exit code for it (101 for a panic).
    pub fn exit_code(&self) -> u8 {
        match self {
            Observed::Verified => 0,
            Observed::Failed => 1,
            Observed::ReadError(_) => 2,
            Observed::NotVerified => 3,
            Observed::Panicked(_) => 101,
        }
    }
}

/// What one read of a case gave.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The verdict, error or panic.
    pub observed: Observed,
    /// The verdict's reasons (for a failed or not verified document: what failed or is missing).
    pub reasons: Vec<String>,
    /// The `terminal-authentication` check, when the read ran or considered Terminal Authentication.
    pub terminal_authentication: Option<(CheckStatus, String)>,
    /// DG3 was delivered.
    pub dg3: bool,
    /// DG4 was delivered.
    pub dg4: bool,
}

impl Reading {
    fn from_report(report: &Report, dg3: bool, dg4: bool) -> Reading {
        Reading {
            observed: match report.verdict.result {
                DocumentResult::Verified => Observed::Verified,
                DocumentResult::NotVerified => Observed::NotVerified,
                DocumentResult::Failed => Observed::Failed,
            },
            reasons: report.verdict.reasons.clone(),
            terminal_authentication: report
                .check(CheckId::TerminalAuthentication)
                .map(|c| (c.status(), c.reason().to_string())),
            dg3,
            dg4,
        }
    }

    fn error(observed: Observed) -> Reading {
        Reading {
            observed,
            reasons: Vec::new(),
            terminal_authentication: None,
            dg3: false,
            dg4: false,
        }
    }

    /// One line: the verdict and, for a read that did not verify, its first reason.
    pub fn summary(&self) -> String {
        let mut s = self.observed.describe();
        match &self.terminal_authentication {
            Some((status, _)) if status.is_valid() => s.push_str(", TA valid"),
            Some((status, reason)) => s.push_str(&format!(", TA {} ({reason})", status.as_str())),
            None => {}
        }
        if self.dg3 || self.dg4 {
            let mut eac = Vec::new();
            if self.dg3 {
                eac.push("DG3");
            }
            if self.dg4 {
                eac.push("DG4");
            }
            s.push_str(&format!(", {} read", eac.join("+")));
        }
        if self.observed != Observed::Verified
            && let Some(first) = self.reasons.first()
        {
            s.push_str(&format!(" — {first}"));
        }
        s
    }
}

/// The trust store of `is`: its CSCAs (test anchors), Document Signers and CRLs.
pub fn trust_store(is: &InspectionSystem) -> Result<TrustStore, String> {
    let mut builder = TrustStore::builder();
    for (i, csca) in is.csca.iter().enumerate() {
        builder
            .add_test_anchor(csca, &format!("conformance CSCA {}", i + 1))
            .map_err(|e| format!("CSCA {}: {e}", i + 1))?;
    }
    for (i, dsc) in is.document_signers.iter().enumerate() {
        builder
            .add_document_signers(dsc, &format!("conformance Document Signer {}", i + 1))
            .map_err(|e| format!("Document Signer {}: {e}", i + 1))?;
    }
    for (i, crl) in is.crls.iter().enumerate() {
        builder
            .add_crl(crl, &format!("conformance CRL {}", i + 1))
            .map_err(|e| format!("CRL {}: {e}", i + 1))?;
    }
    Ok(builder.build())
}

/// The reader options of a case: its trust store, its EAC credentials, the fixed reference date.
pub fn reader_options(is: &InspectionSystem) -> Result<ReaderOptions, String> {
    let (y, m, d) = REFERENCE_DATE;
    Ok(ReaderOptions {
        trust: Some(Arc::new(trust_store(is)?)),
        at: Some(Time::from_ymd(y, m, d)),
        terminal: is.terminal.as_ref().map(super::Terminal::credentials),
        ..ReaderOptions::default()
    })
}

/// Reads the chip behind `transport` as the inspection system `is`, drawing randomness from `rng`.
/// Returns what the read gave and the transport (none after a panic).
pub fn read<T: Transport>(
    is: &InspectionSystem,
    transport: T,
    rng: &mut dyn CryptoRng,
) -> (Reading, Option<T>) {
    let options = match reader_options(is) {
        Ok(o) => o,
        Err(e) => return (Reading::error(Observed::ReadError(e)), Some(transport)),
    };
    let password = is.password.clone();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let mut reader = Reader::with_options(transport, options);
        let reading = match reader.authenticate(&password, &mut *rng) {
            Err(e) => Reading::error(Observed::ReadError(e.to_string())),
            Ok(_) => match reader.read_document_resuming(&password, &mut *rng, MAX_RESUMES) {
                Ok((document, report)) => Reading::from_report(
                    &report,
                    document.raw(icao9303::lds::LdsFile::Dg(3)).is_some(),
                    document.raw(icao9303::lds::LdsFile::Dg(4)).is_some(),
                ),
                Err(e) => Reading::error(Observed::ReadError(e.to_string())),
            },
        };
        (reading, reader.into_transport())
    }));
    match outcome {
        Ok((reading, transport)) => (reading, Some(transport)),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".into());
            (Reading::error(Observed::Panicked(message)), None)
        }
    }
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case.
    pub case: Case,
    /// What the reader said.
    pub reading: Reading,
    /// What the chip's statistics show (`Err`: the case's behaviour did not happen).
    pub evidence: Result<String, String>,
    /// Whether the reader gave the expected verdict.
    pub verdict_matches: bool,
}

impl CaseResult {
    /// The case passes: the expected verdict and the evidence that its behaviour happened.
    pub fn passed(&self) -> bool {
        self.verdict_matches && self.evidence.is_ok()
    }
}

/// Whether `reading` is the verdict `case` expects.
pub fn matches(case: &Case, reading: &Reading) -> bool {
    let ta_valid = reading
        .terminal_authentication
        .as_ref()
        .is_some_and(|(s, _)| s.is_valid());
    let eac_ok = case
        .eac
        .is_none_or(|e| ta_valid && reading.dg3 == e.dg3 && reading.dg4 == e.dg4);
    let named = case.names.is_none_or(|words| {
        let error = match &reading.observed {
            Observed::ReadError(e) | Observed::Panicked(e) => e.as_str(),
            _ => "",
        };
        error.contains(words) || reading.reasons.iter().any(|r| r.contains(words))
    });
    named
        && match case.expected {
            Expected::Successful => reading.observed == Observed::Verified && eac_ok,
            Expected::Failed(Shown::Failed) => reading.observed == Observed::Failed,
            Expected::Failed(Shown::NotVerified) => reading.observed == Observed::NotVerified,
            Expected::Failed(Shown::ReadError) => {
                matches!(reading.observed, Observed::ReadError(_))
            }
            Expected::Failed(Shown::TerminalAuthentication) => {
                reading.observed == Observed::Verified && !ta_valid && !reading.dg3 && !reading.dg4
            }
            Expected::Either => !matches!(reading.observed, Observed::Panicked(_)),
        }
}

/// Judges a read of `case`, with the chip's statistics after it (none when the chip was lost).
pub fn judge(case: &Case, reading: Reading, stats: Option<&ChipStats>) -> CaseResult {
    let evidence = match stats {
        Some(stats) => case.evidence.check(stats),
        None => Err("the chip's statistics are not available".into()),
    };
    CaseResult {
        case: *case,
        verdict_matches: matches(case, &reading),
        reading,
        evidence,
    }
}

/// Builds `case` and reads it in process (the chip behind an [`EmulatorTransport`]), with a
/// deterministic terminal RNG.
pub fn run_in_process(case: &Case) -> CaseResult {
    let setup = match case.build() {
        Ok(s) => s,
        Err(e) => {
            return judge(
                case,
                Reading::error(Observed::ReadError(format!(
                    "the case cannot be built: {e}"
                ))),
                None,
            );
        }
    };
    let mut rng = crate::rng::SeededRng::new(format!("conformance {}", case.id()).as_bytes());
    let (reading, transport) = read(
        &setup.inspection_system,
        EmulatorTransport::new(setup.chip),
        &mut rng,
    );
    let stats = transport.map(|t| t.chip().stats().clone());
    judge(case, reading, stats.as_ref())
}
