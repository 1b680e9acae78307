//! The human-readable report: holder, document, protocol, files and checks.

use icao9303::report::{AuthenticityVerdict, CheckStatus, Report, ReportSource};
use std::fmt::Write;

fn mark(status: CheckStatus, warning: bool) -> &'static str {
    match status {
        CheckStatus::Valid if warning => "[valid, but] ",
        CheckStatus::Valid => "[valid]      ",
        CheckStatus::Invalid => "[INVALID]    ",
        CheckStatus::NotChecked => "[not checked]",
    }
}

/// YYMMDD as YYYY-MM-DD, choosing the century: dates of birth are in the past, expiry dates up to 20 years
/// ahead of 2000+YY's window.
pub(crate) fn date(yymmdd: &str, birth: bool) -> String {
    let (Some(yy), Some(mm), Some(dd)) = (yymmdd.get(0..2), yymmdd.get(2..4), yymmdd.get(4..6))
    else {
        return yymmdd.to_string();
    };
    let Ok(y) = yy.parse::<u32>() else {
        return yymmdd.to_string();
    };
    // A birth year above the current two-digit year is last century; expiry years are always 20YY.
    let century = if birth && y > 26 { 1900 } else { 2000 };
    format!("{}-{mm}-{dd}", century + y)
}

/// Renders the report as text for a terminal.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    if let Some(m) = &report.mrz {
        let _ = writeln!(
            out,
            "Holder       {}, {}",
            m.primary_identifier, m.secondary_identifier
        );
        let _ = writeln!(
            out,
            "Document     {} issued by {}, number {}, expires {}",
            m.document_code,
            m.issuing_state,
            m.document_number,
            date(&m.date_of_expiry, false)
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
    let _ = writeln!(out, "\nChecks");
    for c in &report.checks {
        let _ = writeln!(
            out,
            "  {} {:<22} {}",
            mark(c.status, c.warning),
            c.name,
            c.reason
        );
    }
    let verdict = if report.has_failures() {
        "SUSPECT: at least one check failed"
    } else if report
        .checks
        .iter()
        .any(|c| c.status == CheckStatus::NotChecked)
    {
        "no check failed; some checks were not performed (see above)"
    } else {
        "every check passed"
    };
    let _ = writeln!(out, "\nResult       {verdict} ({})", report.summary());
    if let Some(chip) = &report.chip_authenticity {
        let word = match chip.verdict {
            AuthenticityVerdict::Genuine => "GENUINE",
            AuthenticityVerdict::NotProven => "not proven",
            AuthenticityVerdict::Failed => "FAILED (possible clone)",
        };
        let _ = writeln!(out, "Chip         {word}: {}", chip.reason);
    }
    out
}
