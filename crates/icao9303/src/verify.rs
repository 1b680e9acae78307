//! Verifying a document: the checks on the files themselves (parsing, MRZ check digits, data group hashes)
//! and passive authentication of EF.SOD against the trust anchors the caller supplies. A live read and an
//! offline verification of a saved dump go through the same function, so they give the same report.

use crate::document::Document;
use crate::pki::passive::{self, CheckResult};
use crate::pki::{Time, TrustStore};
use crate::report::{AccessReport, Check, CheckStatus, MrzSummary, Report, ReportSource};

/// Converts a passive-authentication result into a report check (a PKI warning is a valid check with a
/// warning).
fn to_check(name: &str, r: &CheckResult) -> Check {
    match r.status {
        passive::CheckStatus::Valid => Check::valid(name, &r.reason),
        passive::CheckStatus::Warning => Check::valid_with_warning(name, &r.reason),
        passive::CheckStatus::Invalid => Check::invalid(name, &r.reason),
        passive::CheckStatus::NotChecked => Check::not_checked(name, &r.reason),
    }
}

/// Passive authentication of the document's EF.SOD: signature, DSC chain to a trusted CSCA, DSC validity
/// at `at`, revocation, and the CSCA's country against the MRZ. Without trust anchors the signature is
/// still verified with the DSC inside EF.SOD and the chain is reported as not checked (unknown issuer).
pub fn passive_authentication(
    document: &Document,
    trust: Option<&TrustStore>,
    at: Time,
) -> Vec<Check> {
    let Some(sod) = document.raw(crate::lds::LdsFile::Sod) else {
        return Vec::new();
    };
    let empty = TrustStore::new();
    let store = trust.unwrap_or(&empty);
    let issuing_state = document.dg1.as_ref().map(|d| d.mrz.issuing_state.as_str());
    let pa = passive::verify_sod(sod, store, at, issuing_state);
    let mut checks = vec![to_check("EF.SOD signature", &pa.signature)];
    let mut chain = to_check("DSC chain", &pa.chain);
    if trust.is_none() && chain.status == CheckStatus::NotChecked {
        chain.reason = format!(
            "{} (no trust anchors were given: use --trust with a master list or CSCA)",
            chain.reason
        );
    }
    checks.push(chain);
    checks.push(to_check("DSC validity", &pa.dsc_validity));
    checks.push(to_check("DSC revocation", &pa.revocation));
    checks.push(to_check("Issuing country", &pa.country));
    checks
}

/// The whole report of a document: MRZ summary, access (for a live read), files, and every check.
/// `notes` are checks the reading itself produced (files the chip refused, for example). The report's
/// source is the chip when `access` is given, a dump otherwise.
pub fn report(
    document: &Document,
    access: Option<AccessReport>,
    notes: Vec<Check>,
    trust: Option<&TrustStore>,
    at: Time,
) -> Report {
    let mut checks = document.checks();
    // Passive authentication goes right after the EF.SOD structure check.
    let pa = passive_authentication(document, trust, at);
    let pos = checks
        .iter()
        .position(|c| c.name == "EF.SOD")
        .map_or(0, |p| p + 1);
    checks.splice(pos..pos, pa);
    checks.extend(notes);
    Report {
        source: if access.is_some() {
            ReportSource::Chip
        } else {
            ReportSource::Dump
        },
        mrz: document.dg1.as_ref().map(|d| MrzSummary::from(&d.mrz)),
        access,
        files: document.file_reports(),
        checks,
        ..Report::default()
    }
}
