//! The words both renderings of a report use (the CLI's text report and the HTML page): the verdict's
//! headline and the MRZ's dates.

use icao9303::report::DocumentResult;

/// The document verdict in words: a headline and what it means.
pub fn verdict_headline(result: DocumentResult) -> (&'static str, &'static str) {
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
pub fn mrz_date(yymmdd: &str, birth: bool) -> String {
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
