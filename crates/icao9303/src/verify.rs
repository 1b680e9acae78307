//! Verifying a document: the checks on the files themselves (parsing, MRZ check digits, data group hashes),
//! passive authentication of EF.SOD and EF.CardSecurity against the trust anchors the caller supplies, chip
//! authenticity from the mechanisms a live read ran, and the document verdict that sums them up. A live
//! read and an offline verification of a saved dump go through the same function, [`report`], so they
//! give the same checks.
//!
//! The verdict ([`DocumentResult`]):
//! - `failed` when any check is invalid;
//! - `verified` when passive authentication is complete — EF.SOD signature valid, the DSC chained to a
//!   CSCA in the trust store, every data group read hashing to EF.SOD's value — the verdict covers every
//!   data group EF.SOD lists (present with a valid hash, or left out for a permitted reason: DG3/DG4
//!   without Terminal Authentication, the caller's own request in [`Scope`], what a DTC-VC may omit) and,
//!   in a live read, every chip authentication mechanism the chip's signed files offer passed with a key
//!   from a file that passed passive authentication (warnings allowed throughout). Offline, no chip is
//!   present: that alone does not prevent `verified`;
//! - `not_verified` otherwise, with what is missing: a signed data group refused, not found, answered
//!   without a MAC, or missing from saved files is named in `verdict.not_covered` with why.

use crate::access::pace::CamData;
use crate::auth::{self, Mechanism, MechanismResult};
use crate::document::Document;
use crate::lds::LdsFile;
use crate::lds::security_infos::{SecurityInfo, SecurityInfos};
use crate::pki::{Time, TrustStore, passive};
use crate::report::{
    AccessReport, AuthenticityVerdict, Check, CheckId, CheckStatus, ChipAuthenticity, CrlReport,
    DocumentResult, DocumentVerdict, MrzSummary, NotCovered, NotCoveredReason, Report,
    ReportSource,
};
use std::collections::BTreeSet;

/// What the caller of [`report`] says about the data groups that are not in the document: those it chose
/// to leave out, and why its source did not deliver others (a live read's answers, a DTC-VC's permitted
/// omissions). Nothing is inferred from absence: a data group EF.SOD lists that is in neither the
/// document nor here is "not read" in a live read and "missing from the saved files" offline, and keeps
/// the verdict from `verified` — except DG3 and DG4, which no read without Terminal Authentication has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Data groups the caller asked not to read or verify (`--files -DG12`, `--no-images`,
    /// [`crate::options::ReaderOptions::leave_out`]): not covered, "left out by request", permitted.
    pub left_out: BTreeSet<u8>,
    /// Why the source did not deliver these data groups, one entry each.
    pub absent: Vec<NotCovered>,
}

/// What the verification knows about the chip.
#[derive(Debug, Clone, Copy)]
pub enum Chip<'a> {
    /// Offline verification of saved files: no chip to authenticate.
    NotPresent,
    /// A live read: the mechanisms run during it (none when the reader ran none) and, when PACE-CAM was
    /// used, its chip authentication data, checked here against EF.CardSecurity.
    Present {
        /// Active and Chip Authentication results of the read.
        mechanisms: &'a [MechanismResult],
        /// PACE-CAM's chip authentication data, if PACE-CAM was used.
        cam: Option<&'a CamData>,
    },
}

/// `f` with `trust`, or with an empty store made for this call when no anchors were given (nothing a
/// document brings is kept beyond the call then).
fn with_store<T>(trust: Option<&TrustStore>, f: impl FnOnce(&TrustStore) -> T) -> T {
    match trust {
        Some(store) => f(store),
        None => f(&TrustStore::new()),
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
    sod_passive_authentication(document, trust, at)
        .map(|(checks, _)| checks)
        .unwrap_or_default()
}

/// [`passive_authentication`]'s checks, and the CRL its revocation check used; `None` without EF.SOD.
fn sod_passive_authentication(
    document: &Document,
    trust: Option<&TrustStore>,
    at: Time,
) -> Option<(Vec<Check>, Option<CrlReport>)> {
    let sod = document.raw(LdsFile::Sod)?;
    // The document parsed its EF.SOD once; a SOD it could not parse gets the parser's reasons here.
    let pa = with_store(trust, |store| match &document.sod {
        Some(parsed) => passive::verify_parsed_sod(parsed, store, at, issuing_state(document)),
        None => passive::verify_sod(sod, store, at, issuing_state(document)),
    });
    let mut checks = pa.sod_checks();
    if trust.is_none() {
        for c in checks
            .iter_mut()
            .filter(|c| c.id == CheckId::DscChain && c.verdict.status == CheckStatus::NotChecked)
        {
            c.verdict.reason = format!("{} (no trust anchors were given)", c.verdict.reason);
        }
    }
    Some((checks, pa.crl))
}

/// Passive authentication of EF.CardSecurity, when the document has one: its signature, its signer's
/// chain to a trusted CSCA, validity and revocation, as one [`CheckId::CardSecurity`] check.
pub fn card_security(document: &Document, trust: Option<&TrustStore>, at: Time) -> Option<Check> {
    card_security_verified(document, trust, at).map(|(check, _)| check)
}

/// [`card_security`], and EF.CardSecurity's SecurityInfos when its signature verifies (the evidence
/// downgrade detection may use, [`auth::downgrade`]).
fn card_security_verified(
    document: &Document,
    trust: Option<&TrustStore>,
    at: Time,
) -> Option<(Check, Option<SecurityInfos>)> {
    let bytes = document.raw(LdsFile::CardSecurity)?;
    let (pa, sd) = with_store(trust, |store| {
        passive::verify_signed_data(bytes, store, at, issuing_state(document))
    });
    let signed = sd
        .filter(|_| pa.structure.is_valid() && pa.signature.is_valid())
        .and_then(|sd| sd.content)
        .and_then(|content| SecurityInfos::parse(&content).ok());
    Some((Check::new(CheckId::CardSecurity, pa.summary()), signed))
}

/// DG14's SecurityInfos when DG14 is signed: its hash matches EF.SOD and EF.SOD's signature verifies
/// (the evidence downgrade detection may use; a DG14 whose hash fails is none).
fn signed_dg14<'a>(dg14: Option<&'a SecurityInfos>, checks: &[Check]) -> Option<&'a SecurityInfos> {
    let valid = |id: CheckId| checks.iter().any(|c| c.id == id && c.status().is_valid());
    if !(valid(CheckId::DgHash(14)) && valid(CheckId::SodSignature)) {
        return None;
    }
    dg14
}

fn dg14_security_infos(dg14: &[u8]) -> Option<SecurityInfos> {
    crate::lds::dg14::Dg14::parse(dg14)
        .ok()
        .map(|d| d.security_infos)
}

/// The [`CheckId::Downgrade`] check: the PACEInfos of the signed DG14 and EF.CardSecurity against
/// EF.CardAccess and, in a live read, the access control run.
fn downgrade_check(
    document: &Document,
    dg14: Option<&SecurityInfos>,
    checks: &[Check],
    card_security: Option<&SecurityInfos>,
    access: Option<&AccessReport>,
) -> Option<Check> {
    use auth::downgrade::{CardAccess, SignedInfos, compare_pace};
    let mut signed = Vec::new();
    if let Some(infos) = signed_dg14(dg14, checks) {
        signed.push(SignedInfos {
            file: LdsFile::Dg(14),
            infos,
        });
    }
    if let Some(infos) = card_security {
        signed.push(SignedInfos {
            file: LdsFile::CardSecurity,
            infos,
        });
    }
    let parsed = document.raw(LdsFile::CardAccess).map(SecurityInfos::parse);
    let error;
    let card_access = match &parsed {
        None => CardAccess::Absent,
        Some(Ok(infos)) => CardAccess::Offered(infos),
        Some(Err(e)) => {
            error = e.to_string();
            CardAccess::Unparseable(&error)
        }
    };
    compare_pace(&signed, card_access, access)
}

fn issuing_state(document: &Document) -> Option<&str> {
    document.dg1.as_ref().map(|d| d.mrz.issuing_state.as_str())
}

/// The [`CheckId::DocumentExpiry`] check: DG1's date of expiry (its century placed relative to `at`,
/// [`crate::mrz::date_of_expiry`]) against `at`. Expired is a warning, never silently verified.
pub fn expiry_check(document: &Document, at: Time) -> Option<Check> {
    let dg1 = document.dg1.as_ref()?;
    let raw = &dg1.mrz.date_of_expiry;
    let Some(expiry) = crate::mrz::date_of_expiry(raw, at) else {
        return Some(Check::not_checked(
            CheckId::DocumentExpiry,
            format!("the date of expiry in DG1 ({raw:?}) is not a date"),
        ));
    };
    let date = format!("{:04}-{:02}-{:02}", expiry.year, expiry.month, expiry.day);
    // The document is valid through its day of expiry.
    Some(
        if (at.year, at.month, at.day) > (expiry.year, expiry.month, expiry.day) {
            Check::valid_with_warning(
                CheckId::DocumentExpiry,
                format!("the document expired on {date}"),
            )
        } else {
            Check::valid(CheckId::DocumentExpiry, format!("valid until {date}"))
        },
    )
}

/// Which data groups the verdict covers and which it does not, with why: every data group EF.SOD lists
/// and every one read. Read with a valid hash: covered. Read otherwise: not covered, the hash check says
/// why. Not read: the caller's [`Scope`] says why (left out by request, the reader's answer), else DG3
/// and DG4 need Terminal Authentication, else "not read" (a live read) or "missing from the saved
/// files". Nothing is covered without a readable EF.SOD.
fn coverage(
    document: &Document,
    checks: &[Check],
    scope: &Scope,
    live: bool,
) -> (Vec<u8>, Vec<NotCovered>) {
    let Some(sod) = &document.sod else {
        return (Vec::new(), Vec::new());
    };
    let read: BTreeSet<u8> = document.data_groups().map(|(n, _)| n).collect();
    let all: BTreeSet<u8> = sod
        .data_group_hashes
        .keys()
        .copied()
        .chain(read.iter().copied())
        .collect();
    let mut covered = Vec::new();
    let mut not_covered = Vec::new();
    for n in all {
        if read.contains(&n) {
            match checks.iter().find(|c| c.id == CheckId::DgHash(n)) {
                Some(c) if c.status().is_valid() => covered.push(n),
                Some(c) => not_covered.push(NotCovered::new(
                    n,
                    NotCoveredReason::HashInvalid,
                    c.reason(),
                )),
                None => not_covered.push(NotCovered::new(
                    n,
                    NotCoveredReason::HashInvalid,
                    "its hash was not checked",
                )),
            }
            continue;
        }
        let entry = if scope.left_out.contains(&n) {
            NotCovered::new(
                n,
                NotCoveredReason::LeftOutByRequest,
                "the caller asked not to read it",
            )
        } else if let Some(absent) = scope.absent.iter().find(|a| a.data_group == n) {
            absent.clone()
        } else if matches!(n, 3 | 4) {
            NotCovered::new(
                n,
                NotCoveredReason::NeedsTerminalAuthentication,
                if live {
                    "not read: protected by Extended Access Control, it needs Terminal Authentication"
                } else {
                    "not in the saved files: protected by Extended Access Control, it is read only after Terminal Authentication"
                },
            )
        } else if live {
            NotCovered::new(
                n,
                NotCoveredReason::NotRead,
                "EF.SOD lists it, but the read did not get it",
            )
        } else {
            NotCovered::new(
                n,
                NotCoveredReason::MissingFromSavedFiles,
                "EF.SOD lists it, but the saved files do not include it",
            )
        };
        not_covered.push(entry);
    }
    (covered, not_covered)
}

/// The [`CheckId::FileStructure`] checks: EF.COM's list of data groups against EF.SOD's
/// ([`com_listing_check`]); every data group but DG1 (its own checks) whose hash matched EF.SOD, and
/// EF.ATR/INFO, decoded by its parser ([`crate::lds::decoded::decode_file`]): a defect of its structure
/// ([`crate::lds::decoded::FileContent::defect`]) is a failed check naming it. A data group whose hash failed is never decoded (its bytes are not the issuer's:
/// TR-03105-5.1 LDS_H_69 — decoding after the signature check).
pub fn structure_checks(document: &Document, checks: &[Check]) -> Vec<Check> {
    let mut out: Vec<Check> = com_listing_check(document).into_iter().collect();
    out.extend(decoded_structure_checks(document, checks));
    out
}

/// EF.COM against EF.SOD (ICAO 9303-10 §4.6.1: EF.COM lists the data groups present, EF.SOD hashes every
/// one): a data group one lists and the other does not, or an EF.COM that cannot be parsed, is a failed
/// check (TR-03105-5.1 LDS_H_90, LDS_H_91, LDS_H_92). Without both files there is nothing to compare.
pub fn com_listing_check(document: &Document) -> Option<Check> {
    let id = CheckId::FileStructure(LdsFile::Com);
    let raw = document.raw(LdsFile::Com)?;
    let sod = document.sod.as_ref()?;
    let Some(com) = &document.com else {
        let why = crate::lds::com::Com::parse(raw)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        return Some(Check::invalid(id, format!("malformed: {why}")));
    };
    let listed: BTreeSet<u8> = com
        .data_groups
        .iter()
        .filter_map(|f| match f {
            LdsFile::Dg(n) => Some(*n),
            _ => None,
        })
        .collect();
    let signed: BTreeSet<u8> = sod.data_group_hashes.keys().copied().collect();
    let names = |set: Vec<&u8>| {
        set.iter()
            .map(|n| LdsFile::Dg(**n).name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let unsigned: Vec<&u8> = listed.difference(&signed).collect();
    let unlisted: Vec<&u8> = signed.difference(&listed).collect();
    let mut problems = Vec::new();
    if !unsigned.is_empty() {
        problems.push(format!(
            "EF.COM lists {} that EF.SOD does not hash",
            names(unsigned)
        ));
    }
    if !unlisted.is_empty() {
        problems.push(format!(
            "EF.SOD hashes {} that EF.COM does not list",
            names(unlisted)
        ));
    }
    Some(if problems.is_empty() {
        Check::valid(id, "EF.COM lists the data groups EF.SOD hashes")
    } else {
        Check::invalid(
            id,
            format!(
                "{}: the chip's index contradicts its signed list",
                problems.join("; ")
            ),
        )
    })
}

/// The decoding half of [`structure_checks`], in file order (a live read and a saved copy of the same
/// files give the same list).
fn decoded_structure_checks(document: &Document, checks: &[Check]) -> Vec<Check> {
    let signed = |n: u8| {
        checks
            .iter()
            .any(|c| c.id == CheckId::DgHash(n) && c.status().is_valid())
    };
    document
        .files
        .keys()
        .filter(|f| match f {
            LdsFile::Dg(n) => *n != 1 && signed(*n),
            LdsFile::AtrInfo => true,
            _ => false,
        })
        .filter_map(|f| document.raw(*f).map(|b| (*f, b)))
        .map(
            |(file, bytes)| match crate::lds::decoded::decode_file(file, bytes).defect() {
                Some(defect) => {
                    Check::invalid(CheckId::FileStructure(file), format!("malformed: {defect}"))
                }
                None => Check::valid(
                    CheckId::FileStructure(file),
                    "decodes as ICAO 9303-10 specifies",
                ),
            },
        )
        .collect()
}

/// The whole report of a document: MRZ summary, access (for a live read), files, every check, chip
/// authenticity (for a live read) and the verdict with what it covers. The report's source is the chip
/// when `chip` is present, a dump otherwise ([`crate::dtc::Dtc::report`] marks its own). `notes` are
/// checks the reading itself produced (files the chip refused, for example); `scope` says which data
/// groups the caller left out and why others are absent.
pub fn report(
    document: &Document,
    access: Option<AccessReport>,
    notes: Vec<Check>,
    scope: &Scope,
    trust: Option<&TrustStore>,
    at: Time,
    chip: Chip<'_>,
) -> Report {
    let mut checks = document.checks();
    let structure = structure_checks(document, &checks);
    checks.extend(structure);
    if let Some(expiry) = expiry_check(document, at) {
        let pos = checks
            .iter()
            .position(|c| matches!(c.id, CheckId::MrzCheckDigits | CheckId::Dg1Structure))
            .map_or(checks.len(), |p| p + 1);
        checks.insert(pos, expiry);
    }
    // Each data group is hashed once: the file list takes its hash status from the checks.
    let files = document.file_reports(&checks);
    // Passive authentication goes right after the EF.SOD structure check.
    let (pa, crl) = sod_passive_authentication(document, trust, at).unwrap_or_default();
    let pos = checks
        .iter()
        .position(|c| c.id == CheckId::SodStructure)
        .map_or(0, |p| p + 1);
    checks.splice(pos..pos, pa);
    let card_security = card_security_verified(document, trust, at);
    let signed_card_security = card_security.as_ref().and_then(|(_, infos)| infos.as_ref());
    let live_access = match chip {
        Chip::Present { .. } => access.as_ref(),
        Chip::NotPresent => None,
    };
    // DG14's SecurityInfos, parsed once for the downgrade check and the mechanisms it offers.
    let dg14 = document.raw(LdsFile::Dg(14)).and_then(dg14_security_infos);
    let downgrade = downgrade_check(
        document,
        dg14.as_ref(),
        &checks,
        signed_card_security,
        live_access,
    );
    checks.extend(card_security.as_ref().map(|(check, _)| check.clone()));
    checks.extend(downgrade);
    let refusals: Vec<Check> = notes
        .iter()
        .filter(|c| matches!(c.id, CheckId::FileRead(_)))
        .cloned()
        .collect();
    checks.extend(notes);
    let mut report = Report {
        source: match chip {
            Chip::Present { .. } => ReportSource::Chip,
            Chip::NotPresent => ReportSource::Dump,
        },
        mrz: document.dg1.as_ref().map(|d| MrzSummary::from(&d.mrz)),
        access,
        files,
        checks,
        crl,
        ..Report::default()
    };
    let (covered, not_covered) = coverage(
        document,
        &report.checks,
        scope,
        matches!(chip, Chip::Present { .. }),
    );
    let gaps = passive_authentication_gaps(&report);
    let mut offered_not_run = Vec::new();
    if let Chip::Present { mechanisms, cam } = chip {
        let mut results = mechanisms.to_vec();
        // A key file the chip lists and then withholds fails its mechanism.
        let listed = |n: u8| {
            document
                .sod
                .as_ref()
                .is_some_and(|s| s.data_group_hashes.contains_key(&n))
                || document
                    .com
                    .as_ref()
                    .is_some_and(|c| c.data_groups.contains(&LdsFile::Dg(n)))
        };
        let delivered = |n: u8| document.raw(LdsFile::Dg(n)).is_some();
        let withheld = auth::downgrade::withheld_key_files(listed, delivered, &refusals, &results);
        results.extend(withheld);
        if let Some(cam) = cam {
            results.push(auth::cam::verify(cam, document.raw(LdsFile::CardSecurity)));
        }
        offered_not_run = offered_but_not_passed(document, dg14.as_ref(), &results);
        let (authenticity, mechanism_checks) = auth::assess(
            &results,
            |m| auth::key_file_verdict(&report, m.key_file()),
            &gaps,
        );
        report.checks.extend(mechanism_checks);
        report.chip_authenticity = Some(authenticity);
    }
    report.verdict = document_verdict(&report, &gaps, &offered_not_run, &not_covered);
    report.verdict.covered = covered;
    report.verdict.not_covered = not_covered;
    report
}

/// What a replayed session's chip authenticity and verdict say about the chip.
pub const REPLAYED: &str = "replayed from a trace: the trace supplied the terminal's randomness, so the chip's \
     answers are a recording and prove nothing about a chip now";

/// Marks `report` as the report of a session replayed from a trace ([`crate::trace::Replay`]): chip
/// authenticity becomes [`AuthenticityVerdict::Replayed`] whatever the recorded mechanisms showed (kept,
/// with the recorded verdict, in its reason), and the document is at best
/// [`DocumentResult::NotVerified`] with that reason. A failed document stays failed: a failed check is
/// a fact about the recorded data (a hash, a signature) or the recorded chip.
pub fn mark_replayed(report: &mut Report) {
    let (recorded, mechanisms) = match report.chip_authenticity.take() {
        Some(chip) => (
            format!(
                " (in the recorded session: {} — {})",
                match chip.verdict {
                    AuthenticityVerdict::Genuine => "genuine",
                    AuthenticityVerdict::NotProven => "not proven",
                    AuthenticityVerdict::Failed => "failed",
                    AuthenticityVerdict::Replayed => "replayed",
                },
                chip.reason
            ),
            chip.mechanisms,
        ),
        None => (String::new(), Vec::new()),
    };
    report.chip_authenticity = Some(ChipAuthenticity {
        verdict: AuthenticityVerdict::Replayed,
        reason: format!("{REPLAYED}{recorded}"),
        mechanisms,
    });
    let line = format!("chip authenticity {REPLAYED}");
    match report.verdict.result {
        DocumentResult::Failed => report.verdict.reasons.push(line),
        DocumentResult::NotVerified => report.verdict.reasons.insert(0, line),
        DocumentResult::Verified => {
            report.verdict.result = DocumentResult::NotVerified;
            report.verdict.reasons = vec![line];
        }
    }
}

/// Adds a check made after the report (a DTC-VC's binding to the chip read, [`crate::dtc`]) and updates
/// the verdict by the same rules: an invalid check fails the document; a warning is listed among a
/// verified document's reasons; a valid or not-checked check changes nothing.
pub fn add_check(report: &mut Report, check: Check) {
    let line = format!("{}: {}", check.name(), check.reason());
    match (check.status(), report.verdict.result) {
        (CheckStatus::Invalid, DocumentResult::Failed) => report.verdict.reasons.push(line),
        (CheckStatus::Invalid, _) => {
            report.verdict.result = DocumentResult::Failed;
            report.verdict.reasons = vec![line];
        }
        (CheckStatus::ValidWithWarning, DocumentResult::Verified) => {
            report.verdict.reasons.push(format!("warning, {line}"));
        }
        _ => {}
    }
    report.checks.push(check);
}

/// What keeps passive authentication from being complete, in words a person can act on: the EF.SOD
/// signature, the DSC chain to a trusted CSCA, and the hash of every data group read. Empty when it is
/// complete.
pub fn passive_authentication_gaps(report: &Report) -> Vec<String> {
    let mut gaps = Vec::new();
    match report.check(CheckId::SodSignature) {
        Some(c) if c.status().is_valid() => {}
        Some(c) => gaps.push(format!(
            "the EF.SOD signature is {}: {}",
            status_word(c.status()),
            c.reason()
        )),
        None => gaps.push("EF.SOD is missing or cannot be parsed: nothing is signed".into()),
    }
    match report.check(CheckId::DscChain) {
        Some(c) if c.status().is_valid() => {}
        Some(c) if c.status() == CheckStatus::Invalid => {
            gaps.push(format!("the DSC chain is invalid: {}", c.reason()));
        }
        Some(c) => gaps.push(format!("{} ({})", auth::SIGNER_NOT_TRUSTED, c.reason())),
        None if report.check(CheckId::SodSignature).is_some() => {
            gaps.push(auth::SIGNER_NOT_TRUSTED.to_string());
        }
        None => {}
    }
    // Once the signer is trusted, its state must be the document's: a country that cannot be checked (an
    // issuing state code no table knows, a CSCA name without a country) leaves the document unverified.
    let trusted = |id| report.status(id).is_some_and(CheckStatus::is_valid);
    if trusted(CheckId::SodSignature) && trusted(CheckId::DscChain) {
        match report.check(CheckId::IssuingCountry) {
            Some(c) if c.status() == CheckStatus::NotChecked => {
                gaps.push(format!(
                    "the issuing country is not checked: {}",
                    c.reason()
                ));
            }
            _ => {}
        }
    }
    for f in &report.files {
        let Some(n) = f.id.strip_prefix("DG").and_then(|n| n.parse::<u8>().ok()) else {
            continue;
        };
        match report.check(CheckId::DgHash(n)) {
            Some(c) if c.status().is_valid() => {}
            Some(c) => gaps.push(format!(
                "DG{n} hash {}: {}",
                status_word(c.status()),
                c.reason()
            )),
            None => gaps.push(format!("DG{n} hash not checked")),
        }
    }
    gaps
}

fn status_word(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Valid | CheckStatus::ValidWithWarning => "valid",
        CheckStatus::Invalid => "invalid",
        CheckStatus::NotChecked => "not checked",
    }
}

/// The mechanisms the chip's signed files offer (Chip Authentication when DG14 publishes a key, Active
/// Authentication when DG15 is present or EF.SOD lists it, and any mechanism that was run) that did not
/// pass, with why. `dg14` is DG14's SecurityInfos as read.
fn offered_but_not_passed(
    document: &Document,
    dg14: Option<&SecurityInfos>,
    results: &[MechanismResult],
) -> Vec<String> {
    let listed = |n: u8| {
        document
            .sod
            .as_ref()
            .is_some_and(|s| s.data_group_hashes.contains_key(&n))
    };
    let dg14_offers_ca = dg14.is_some_and(|i| {
        i.infos
            .iter()
            .any(|x| matches!(x, SecurityInfo::ChipAuthenticationPublicKey(_)))
    });
    let mut offered = Vec::new();
    if dg14_offers_ca || (listed(14) && document.raw(LdsFile::Dg(14)).is_none()) {
        offered.push(Mechanism::ChipAuthentication);
    }
    if document.raw(LdsFile::Dg(15)).is_some() || listed(15) {
        offered.push(Mechanism::ActiveAuthentication);
    }
    for r in results {
        if !offered.contains(&r.mechanism) {
            offered.push(r.mechanism);
        }
    }
    offered
        .into_iter()
        .filter_map(|m| {
            let file = m.key_file().name();
            match results.iter().find(|r| r.mechanism == m) {
                Some(r) if r.verdict.is_valid() => None,
                Some(r) => Some(format!(
                    "{} (offered by {file}) {}: {}",
                    m.name(),
                    if r.verdict.status == CheckStatus::Invalid {
                        "failed"
                    } else {
                        "was not run"
                    },
                    r.verdict.reason
                )),
                None if document.raw(m.key_file()).is_none() => Some(format!(
                    "{} cannot be run: EF.SOD lists {file} but it was not read",
                    m.name()
                )),
                None => Some(format!("{} (offered by {file}) was not run", m.name())),
            }
        })
        .collect()
}

/// The document verdict from the report's checks, the passive-authentication gaps, the data groups the
/// verdict does not cover and, for a live read, the offered mechanisms that did not pass. Its
/// `covered` and `not_covered` are left for the caller to fill.
fn document_verdict(
    report: &Report,
    gaps: &[String],
    offered_not_run: &[String],
    not_covered: &[NotCovered],
) -> DocumentVerdict {
    let failed: Vec<String> = report
        .checks_with(CheckStatus::Invalid)
        .filter(|c| c.id.concerns_document())
        .map(|c| format!("{}: {}", c.name(), c.reason()))
        .collect();
    if !failed.is_empty() {
        return DocumentVerdict::new(DocumentResult::Failed, failed);
    }
    let mut missing: Vec<String> = gaps.to_vec();
    missing.extend(
        not_covered
            .iter()
            .filter(|n| !n.permitted)
            .map(NotCovered::describe),
    );
    missing.extend(offered_not_run.iter().cloned());
    if let Some(chip) = &report.chip_authenticity
        && chip.verdict != AuthenticityVerdict::Genuine
        && !chip.mechanisms.is_empty()
        && missing.is_empty()
    {
        missing.push(format!("chip authenticity not proven: {}", chip.reason));
    }
    if !missing.is_empty() {
        return DocumentVerdict::new(DocumentResult::NotVerified, missing);
    }
    let mut reasons = vec![
        "passive authentication complete: EF.SOD signature valid, DSC chain to a trusted CSCA, every data group EF.SOD lists read and matching it or left out for a reason named below"
            .to_string(),
    ];
    reasons.extend(not_covered.iter().map(NotCovered::describe));
    match &report.chip_authenticity {
        None => reasons.push(
            "chip not present: offline verification of saved files cannot tell a genuine chip from a copy"
                .into(),
        ),
        Some(chip) if chip.verdict == AuthenticityVerdict::Genuine => {
            reasons.push(format!("chip genuine: {}", chip.reason));
        }
        Some(_) => reasons.push(
            "the chip offers no chip authentication: a copy of these signed files on another chip could not be told apart"
                .into(),
        ),
    }
    reasons.extend(
        report
            .checks_with(CheckStatus::ValidWithWarning)
            .map(|c| format!("warning, {}: {}", c.name(), c.reason())),
    );
    DocumentVerdict::new(DocumentResult::Verified, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_with(checks: Vec<Check>, dgs: &[u8]) -> Report {
        Report {
            files: dgs
                .iter()
                .map(|n| crate::report::FileReport {
                    id: format!("DG{n}"),
                    fid: String::new(),
                    length: 1,
                    hash: CheckStatus::Valid,
                })
                .collect(),
            checks,
            ..Report::default()
        }
    }

    #[test]
    fn an_unknown_signer_is_a_gap_with_what_to_do() {
        let report = report_with(
            vec![
                Check::valid(CheckId::SodSignature, "ECDSA"),
                Check::not_checked(CheckId::DscChain, "unknown issuer"),
                Check::valid(CheckId::DgHash(1), "SHA-256 matches"),
            ],
            &[1],
        );
        let gaps = passive_authentication_gaps(&report);
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert!(gaps[0].starts_with(auth::SIGNER_NOT_TRUSTED), "{gaps:?}");
        let verdict = document_verdict(&report, &gaps, &[], &[]);
        assert_eq!(verdict.result, DocumentResult::NotVerified);
    }

    #[test]
    fn complete_offline_verification_is_verified_without_a_chip() {
        let report = report_with(
            vec![
                Check::valid(CheckId::SodSignature, "ECDSA"),
                Check::valid_with_warning(CheckId::DscChain, "test anchor"),
                Check::valid(CheckId::DgHash(1), "SHA-256 matches"),
                Check::not_checked(CheckId::DscRevocation, "no CRL"),
            ],
            &[1],
        );
        let gaps = passive_authentication_gaps(&report);
        assert!(gaps.is_empty(), "{gaps:?}");
        let verdict = document_verdict(&report, &gaps, &[], &[]);
        assert_eq!(verdict.result, DocumentResult::Verified);
        assert!(
            verdict
                .reasons
                .iter()
                .any(|r| r.contains("chip not present"))
        );
        assert!(verdict.reasons.iter().any(|r| r.contains("test anchor")));
    }

    #[test]
    fn a_data_group_read_without_a_valid_hash_prevents_verified() {
        let report = report_with(
            vec![
                Check::valid(CheckId::SodSignature, "ECDSA"),
                Check::valid(CheckId::DscChain, "CSCA"),
                Check::valid(CheckId::DgHash(1), "SHA-256 matches"),
                Check::invalid(CheckId::DgHash(11), "not listed in EF.SOD"),
            ],
            &[1, 11],
        );
        let gaps = passive_authentication_gaps(&report);
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        let verdict = document_verdict(&report, &gaps, &[], &[]);
        assert_eq!(verdict.result, DocumentResult::Failed);
        assert!(verdict.reasons[0].starts_with("DG11 hash"), "{verdict:?}");
    }

    /// An issuing country that cannot be checked (an unknown state code, a CSCA name without a country)
    /// leaves a trusted document unverified (issue 21: it was verified).
    #[test]
    fn an_unchecked_issuing_country_prevents_verified() {
        let report = report_with(
            vec![
                Check::valid(CheckId::SodSignature, "ECDSA"),
                Check::valid(CheckId::DscChain, "CSCA"),
                Check::not_checked(CheckId::IssuingCountry, "the CSCA name has no country"),
                Check::valid(CheckId::DgHash(1), "SHA-256 matches"),
            ],
            &[1],
        );
        let gaps = passive_authentication_gaps(&report);
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert!(gaps[0].contains("has no country"), "{gaps:?}");
        let verdict = document_verdict(&report, &gaps, &[], &[]);
        assert_eq!(verdict.result, DocumentResult::NotVerified);
    }

    #[test]
    fn an_offered_mechanism_not_run_prevents_verified() {
        let report = report_with(
            vec![
                Check::valid(CheckId::SodSignature, "ECDSA"),
                Check::valid(CheckId::DscChain, "CSCA"),
                Check::valid(CheckId::DgHash(1), "SHA-256 matches"),
            ],
            &[1],
        );
        let verdict = document_verdict(
            &report,
            &[],
            &["Chip Authentication (offered by DG14) was not run".into()],
            &[],
        );
        assert_eq!(verdict.result, DocumentResult::NotVerified);
    }

    /// A signed data group the verdict does not cover keeps it from `verified` unless the reason is
    /// permitted, and a permitted one is still named among the reasons (before issue 21 a withheld
    /// data group left no trace in the verdict).
    #[test]
    fn a_data_group_not_covered_prevents_verified_unless_permitted() {
        let report = report_with(
            vec![
                Check::valid(CheckId::SodSignature, "ECDSA"),
                Check::valid(CheckId::DscChain, "CSCA"),
                Check::valid(CheckId::DgHash(1), "SHA-256 matches"),
            ],
            &[1],
        );
        let withheld = NotCovered::new(
            12,
            NotCoveredReason::UnauthenticatedAnswer,
            "answered 6A82 without a MAC",
        );
        let verdict = document_verdict(&report, &[], &[], std::slice::from_ref(&withheld));
        assert_eq!(verdict.result, DocumentResult::NotVerified);
        assert!(
            verdict.reasons[0].starts_with(
                "DG12 (additional document details) was not read — the verdict does not cover it"
            ),
            "{verdict:?}"
        );
        for reason in [
            NotCoveredReason::Refused,
            NotCoveredReason::NotFound,
            NotCoveredReason::NotRead,
            NotCoveredReason::MissingFromSavedFiles,
        ] {
            let gap = NotCovered::new(11, reason, "x");
            let verdict = document_verdict(&report, &[], &[], &[gap]);
            assert_eq!(verdict.result, DocumentResult::NotVerified, "{reason:?}");
        }
        let permitted = [
            NotCovered::new(3, NotCoveredReason::NeedsTerminalAuthentication, "no TA"),
            NotCovered::new(2, NotCoveredReason::LeftOutByRequest, "asked"),
            NotCovered::new(4, NotCoveredReason::OmittedFromDtc, "DTC"),
        ];
        let verdict = document_verdict(&report, &[], &[], &permitted);
        assert_eq!(verdict.result, DocumentResult::Verified, "{verdict:?}");
        assert!(
            verdict
                .reasons
                .iter()
                .any(|r| r.starts_with("DG2 (encoded face) was left out by request")),
            "{verdict:?}"
        );
        assert!(
            verdict
                .reasons
                .iter()
                .any(|r| r.starts_with("DG3 (encoded fingerprints) was not read")),
            "{verdict:?}"
        );
    }
}
