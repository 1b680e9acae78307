//! The human-readable report: holder, document, protocol, files and checks.

use icao9303::report::{
    AuthenticityVerdict, CheckId, CheckStatus, DocumentResult, Report, ReportSource,
};
use std::fmt::Write;

fn mark(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::ValidWithWarning => "[valid, but] ",
        CheckStatus::Valid => "[valid]      ",
        CheckStatus::Invalid => "[INVALID]    ",
        CheckStatus::NotChecked => "[not checked]",
    }
}

/// The document verdict in words: a headline and what it means.
pub(crate) fn verdict_headline(result: DocumentResult) -> (&'static str, &'static str) {
    match result {
        DocumentResult::Verified => (
            "VERIFIED",
            "every check performed passed, the signer chains to a trusted CSCA, and the chip proved itself wherever its signed files allow",
        ),
        DocumentResult::NotVerified => (
            "NOT VERIFIED",
            "no check failed, but the document is not verified",
        ),
        DocumentResult::Failed => (
            "SUSPECT",
            "at least one check failed: do not rely on this document",
        ),
    }
}

/// A YYMMDD date of the MRZ as YYYY-MM-DD, its century placed relative to today by the library's rule
/// (ICAO 9303-3 section 3.8 gives no century: a date of birth is in the past, a date of expiry at most
/// [`icao9303::mrz::EXPIRY_WINDOW_YEARS`] ahead; see [`icao9303::mrz::date_of_birth`]). Anything else
/// is shown as it is.
pub(crate) fn date(yymmdd: &str, birth: bool) -> String {
    let today = icao9303::pki::Time::now();
    let placed = if birth {
        icao9303::mrz::date_of_birth(yymmdd, today)
    } else {
        icao9303::mrz::date_of_expiry(yymmdd, today)
    };
    match placed {
        Some(t) => format!("{:04}-{:02}-{:02}", t.year, t.month, t.day),
        None => yymmdd.to_string(),
    }
}

/// "expires 2034-03-13", or "EXPIRED on 1994-06-23" when the report's expiry check says it expired.
pub(crate) fn expiry(report: &Report, yymmdd: &str) -> String {
    let expired = report
        .status(CheckId::DocumentExpiry)
        .is_some_and(|s| s == CheckStatus::ValidWithWarning);
    if expired {
        format!("EXPIRED on {}", date(yymmdd, false))
    } else {
        format!("expires {}", date(yymmdd, false))
    }
}

/// The coverage lines: which data groups the verdict covers, and each it does not with why (the
/// withheld ones first, marked so an officer cannot miss them).
fn coverage(out: &mut String, report: &Report) {
    let verdict = &report.verdict;
    if verdict.covered.is_empty() && verdict.not_covered.is_empty() {
        return;
    }
    let names: Vec<String> = verdict.covered.iter().map(|n| format!("DG{n}")).collect();
    let _ = writeln!(
        out,
        "Covered      {}",
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    );
    let mut gaps: Vec<_> = verdict.not_covered.iter().collect();
    gaps.sort_by_key(|n| n.permitted);
    for gap in gaps {
        let label = if gap.permitted {
            "Not covered "
        } else {
            "NOT COVERED "
        };
        let _ = writeln!(out, "{label} {}", gap.describe());
    }
}

/// Renders the report as text for a terminal.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    if let Some(m) = &report.mrz {
        let unverified = if report
            .status(CheckId::DgHash(1))
            .is_some_and(CheckStatus::is_valid)
        {
            ""
        } else {
            "   (DG1 not verified against EF.SOD: see the checks)"
        };
        let _ = writeln!(
            out,
            "Holder       {}, {}{unverified}",
            m.primary_identifier, m.secondary_identifier
        );
        let _ = writeln!(
            out,
            "Document     {} issued by {}, number {}, {}",
            m.document_code,
            m.issuing_state,
            m.document_number,
            expiry(report, &m.date_of_expiry)
        );
        let _ = writeln!(
            out,
            "Born         {}   Sex {}   Nationality {}",
            date(&m.date_of_birth, true),
            m.sex,
            m.nationality
        );
    }
    if report.source == ReportSource::DtcVc {
        let _ = writeln!(
            out,
            "Source       a Digital Travel Credential (Type 1 DTC-VC), verified offline: the chip was not present"
        );
    }
    if let Some(a) = &report.access {
        let mut line = format!(
            "Access       {} with the {}, {} secure messaging",
            a.protocol, a.password, a.cipher
        );
        if let Some(m) = &a.mapping {
            let _ = write!(line, ", {m} mapping");
        }
        if let Some(p) = a.parameter_id {
            let _ = write!(line, ", parameter id {p}");
        }
        if a.fallback {
            line.push_str(" (BAC fallback after PACE failed)");
        }
        let _ = writeln!(out, "{line}");
    }
    if !report.files.is_empty() {
        let files: Vec<String> = report
            .files
            .iter()
            .map(|f| format!("{} ({} bytes)", f.id, f.length))
            .collect();
        let _ = writeln!(out, "Files        {}", files.join(", "));
    }
    coverage(&mut out, report);
    let _ = writeln!(out, "\nChecks");
    for c in &report.checks {
        let _ = writeln!(
            out,
            "  {} {:<23} {}",
            mark(c.status()),
            c.name(),
            c.reason()
        );
    }
    let (word, meaning) = verdict_headline(report.verdict.result);
    let _ = writeln!(
        out,
        "\nResult       {word}: {meaning} ({})",
        report.summary()
    );
    for reason in &report.verdict.reasons {
        let _ = writeln!(out, "             - {reason}");
    }
    if report.status(CheckId::DscChain) == Some(CheckStatus::NotChecked) {
        let _ = writeln!(
            out,
            "             (the signer is not trusted: {} says where each state's CSCA certificates and \
             master lists come from, and how to load them with --trust)",
            crate::trust::TRUST_ANCHORS_DOC
        );
    }
    match &report.chip_authenticity {
        Some(chip) => {
            let word = match chip.verdict {
                AuthenticityVerdict::Genuine => "GENUINE",
                AuthenticityVerdict::NotProven => "not proven",
                AuthenticityVerdict::Failed => "FAILED (possible clone)",
                AuthenticityVerdict::Replayed => "REPLAYED (not a live chip)",
            };
            let _ = writeln!(out, "Chip         {word}: {}", chip.reason);
        }
        None => {
            let _ = writeln!(
                out,
                "Chip         not present (offline verification of saved files)"
            );
        }
    }
    // Reasons and MRZ fields can carry the chip's text: no bidirectional or terminal control character
    // reaches the terminal.
    crate::safe_text::for_terminal(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use icao9303::report::{Check, MrzSummary};

    /// The text report shows bidirectional controls and escape sequences from the chip as visible escapes.
    #[test]
    fn chip_text_cannot_reorder_or_drive_the_terminal() {
        let report = Report {
            mrz: Some(MrzSummary {
                document_code: "P".into(),
                issuing_state: "UTO".into(),
                document_number: "L898902C3".into(),
                date_of_birth: "740812".into(),
                date_of_expiry: "120415".into(),
                nationality: "UTO".into(),
                sex: "F".into(),
                primary_identifier: "ERIKSSON\u{202E}".into(),
                secondary_identifier: "ANNA\u{1B}[2J".into(),
            }),
            checks: vec![Check::invalid(
                CheckId::DgHash(11),
                "name \u{2067}x\u{2069}",
            )],
            ..Report::default()
        };
        let text = text(&report);
        assert!(
            text.contains("Holder       ERIKSSON\\u{202E}, ANNA\\u{001B}[2J"),
            "{text}"
        );
        assert!(text.contains("name \\u{2067}x\\u{2069}"), "{text}");
        assert!(!text.contains('\u{202E}') && !text.contains('\u{1B}'));
    }
}
