//! The outcome of a read: which protocol was used, which files were read, and one entry per check, with
//! a stable JSON form (schema `mrtd-report/2`, documented in docs/report-schema.md).

use crate::lds::LdsFile;
use crate::mrz::Mrz;
use serde::Serialize;

/// The schema identifier written in every JSON report.
pub const SCHEMA: &str = "mrtd-report/2";

/// What a check is about: one id per check the library performs, so code finds a check by its id and
/// never by its display name. [`CheckId::key`] is the stable string form (`checks[].id` in the JSON report);
/// [`CheckId::name`] (and `Display`) the name a person reads (`checks[].name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckId {
    /// EF.SOD is present and decodes (an LDSSecurityObject in CMS SignedData). Key `sod`.
    SodStructure,
    /// EF.SOD's SignerInfo signature verifies with the Document Signer certificate it carries.
    /// Key `sod-signature`.
    SodSignature,
    /// The Document Signer certificate is signed by a CSCA in the trust store. Key `dsc-chain`.
    DscChain,
    /// The Document Signer certificate's validity period covers the reference time. Key `dsc-validity`.
    DscValidity,
    /// The Document Signer certificate is on no CRL of its CSCA. Key `dsc-revocation`.
    DscRevocation,
    /// The CSCA's country matches the MRZ issuing state. Key `issuing-country`.
    IssuingCountry,
    /// DG1 is present and decodes. Key `dg1`.
    Dg1Structure,
    /// The document's date of expiry (DG1) against the reference time: valid until then, a warning
    /// ("expired on ...") after. Key `document-expiry`.
    DocumentExpiry,
    /// The check digits of the MRZ stored in DG1. Key `mrz-check-digits`.
    MrzCheckDigits,
    /// Data group n's hash against EF.SOD; a data group EF.SOD does not list fails. Key `dg<n>-hash`.
    DgHash(u8),
    /// A file the read wanted was absent, refused by the chip, or not read. Key `read:<file name>`.
    FileRead(LdsFile),
    /// A file's encoding against ICAO 9303-10 and ISO/IEC 7816-4 (its tag, lengths, mandatory data
    /// objects), for the data groups whose hash matched EF.SOD — a malformed data group the issuer signed
    /// is a defective document — and for EF.ATR/INFO. Key `structure:<file name>`.
    FileStructure(LdsFile),
    /// Passive authentication of EF.CardSecurity (signature, signer chain to a trusted CSCA, signer
    /// validity and revocation): the file holding PACE-CAM's key. Key `card-security`.
    CardSecurity,
    /// How access control went (a BAC fallback after PACE failed). Key `access-control`.
    AccessControl,
    /// The PACEInfos of the signed files (DG14, EF.CardSecurity) against EF.CardAccess and the access
    /// control run: PACE hidden, stripped or run weaker than signed is a downgrade
    /// ([`crate::auth::downgrade`]). Key `downgrade`.
    Downgrade,
    /// The read was resumed after the card was lost. Key `read-resumed`.
    ReadResumed,
    /// Chip Authentication (ICAO 9303-11 section 6.2) with the key of DG14. Key `chip-authentication`.
    ChipAuthentication,
    /// Active Authentication (ICAO 9303-11 section 6.1) with the key of DG15. Key `active-authentication`.
    ActiveAuthentication,
    /// PACE with Chip Authentication Mapping, checked against the key of EF.CardSecurity. Key `pace-cam`.
    PaceCam,
    /// A Digital Travel Credential's virtual component has the Type 1 structure (see [`crate::dtc`]).
    /// Key `dtc`.
    Dtc,
    /// Whether the chip is genuine, as one line where no chip was present to run a mechanism with (a
    /// DTC-VC verified offline). Key `chip-authenticity`.
    ChipAuthenticity,
    /// A DTC-VC belongs to the chip read at presentation: the same EF.SOD and data groups, and a genuine
    /// chip. Key `dtc-binding`.
    DtcBinding,
    /// Terminal Authentication (EAC, [`crate::auth::terminal`]): whether the chip accepted the inspection
    /// system's certificate chain and signature, and so opened DG3/DG4. It concerns the terminal, not the
    /// document: a refusal leaves the document verdict as it is. Key `terminal-authentication`.
    TerminalAuthentication,
}

impl CheckId {
    /// The stable string form written as `checks[].id` in the JSON report.
    pub fn key(self) -> String {
        match self {
            CheckId::SodStructure => "sod".into(),
            CheckId::SodSignature => "sod-signature".into(),
            CheckId::DscChain => "dsc-chain".into(),
            CheckId::DscValidity => "dsc-validity".into(),
            CheckId::DscRevocation => "dsc-revocation".into(),
            CheckId::IssuingCountry => "issuing-country".into(),
            CheckId::Dg1Structure => "dg1".into(),
            CheckId::DocumentExpiry => "document-expiry".into(),
            CheckId::MrzCheckDigits => "mrz-check-digits".into(),
            CheckId::DgHash(n) => format!("dg{n}-hash"),
            CheckId::FileRead(file) => format!("read:{}", file.name()),
            CheckId::FileStructure(file) => format!("structure:{}", file.name()),
            CheckId::CardSecurity => "card-security".into(),
            CheckId::AccessControl => "access-control".into(),
            CheckId::Downgrade => "downgrade".into(),
            CheckId::ReadResumed => "read-resumed".into(),
            CheckId::ChipAuthentication => "chip-authentication".into(),
            CheckId::ActiveAuthentication => "active-authentication".into(),
            CheckId::PaceCam => "pace-cam".into(),
            CheckId::Dtc => "dtc".into(),
            CheckId::ChipAuthenticity => "chip-authenticity".into(),
            CheckId::DtcBinding => "dtc-binding".into(),
            CheckId::TerminalAuthentication => "terminal-authentication".into(),
        }
    }

    /// The name a person reads: "EF.SOD signature", "DG2 hash", "PACE-CAM", ...
    pub fn name(self) -> String {
        match self {
            CheckId::SodStructure => "EF.SOD".into(),
            CheckId::SodSignature => "EF.SOD signature".into(),
            CheckId::DscChain => "DSC chain".into(),
            CheckId::DscValidity => "DSC validity".into(),
            CheckId::DscRevocation => "DSC revocation".into(),
            CheckId::IssuingCountry => "Issuing country".into(),
            CheckId::Dg1Structure => "DG1".into(),
            CheckId::DocumentExpiry => "Document expiry".into(),
            CheckId::MrzCheckDigits => "MRZ check digits".into(),
            CheckId::DgHash(n) => format!("DG{n} hash"),
            CheckId::FileRead(file) => file.name(),
            CheckId::FileStructure(file) => format!("{} structure", file.name()),
            CheckId::CardSecurity => "EF.CardSecurity".into(),
            CheckId::AccessControl => "Access control".into(),
            CheckId::Downgrade => "Access downgrade".into(),
            CheckId::ReadResumed => "Read".into(),
            CheckId::ChipAuthentication => "Chip Authentication".into(),
            CheckId::ActiveAuthentication => "Active Authentication".into(),
            CheckId::PaceCam => "PACE-CAM".into(),
            CheckId::Dtc => "DTC-VC".into(),
            CheckId::ChipAuthenticity => "Chip authenticity".into(),
            CheckId::DtcBinding => "DTC-VC binding".into(),
            CheckId::TerminalAuthentication => "Terminal Authentication".into(),
        }
    }

    /// Whether a failure of this check makes the document suspect. Every check does but Terminal
    /// Authentication: the chip refusing the terminal's certificates says nothing about the document.
    pub fn concerns_document(self) -> bool {
        self != CheckId::TerminalAuthentication
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// The status of one check.
///
/// In JSON a status is `"valid"`, `"invalid"` or `"not-checked"`; [`CheckStatus::ValidWithWarning`] is
/// written `"valid"`, with `"warning": true` on the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckStatus {
    /// The check was performed and passed.
    Valid,
    /// The check was performed and passed with a reservation the reader should know about (an expired
    /// document signer on a valid document, a test trust anchor, SHA-1, a BAC fallback).
    ValidWithWarning,
    /// The check was performed and failed: the document is suspect.
    Invalid,
    /// The check could not be performed (missing data, no trust anchor, not supported by the chip).
    NotChecked,
}

impl CheckStatus {
    /// True for [`CheckStatus::Valid`] and [`CheckStatus::ValidWithWarning`].
    pub fn is_valid(self) -> bool {
        matches!(self, CheckStatus::Valid | CheckStatus::ValidWithWarning)
    }

    /// The JSON form: `valid` (also for a valid check with a warning), `invalid` or `not-checked`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Valid | CheckStatus::ValidWithWarning => "valid",
            CheckStatus::Invalid => "invalid",
            CheckStatus::NotChecked => "not-checked",
        }
    }
}

impl Serialize for CheckStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The outcome of a check: its status and the reason in words a person can act on. Passive
/// authentication, chip authentication and the document checks all produce one; the report files it
/// under a [`CheckId`] as a [`Check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Valid, valid with a warning, invalid or not checked.
    pub status: CheckStatus,
    /// Why: what matched, what differed, or why it was not checked.
    pub reason: String,
}

impl Verdict {
    /// A verdict with the given status.
    pub fn new(status: CheckStatus, reason: impl Into<String>) -> Verdict {
        Verdict {
            status,
            reason: reason.into(),
        }
    }
    /// A passed check.
    pub fn valid(reason: impl Into<String>) -> Verdict {
        Verdict::new(CheckStatus::Valid, reason)
    }
    /// A passed check with a reservation (see [`CheckStatus::ValidWithWarning`]).
    pub fn valid_with_warning(reason: impl Into<String>) -> Verdict {
        Verdict::new(CheckStatus::ValidWithWarning, reason)
    }
    /// A failed check.
    pub fn invalid(reason: impl Into<String>) -> Verdict {
        Verdict::new(CheckStatus::Invalid, reason)
    }
    /// A check that could not be performed.
    pub fn not_checked(reason: impl Into<String>) -> Verdict {
        Verdict::new(CheckStatus::NotChecked, reason)
    }
    /// True when the check passed (with or without a warning).
    pub fn is_valid(&self) -> bool {
        self.status.is_valid()
    }
}

/// One check in the report: what was checked and its verdict.
///
/// JSON: `{"id": "dg2-hash", "name": "DG2 hash", "status": "valid", "reason": "...", "warning": true}`
/// (`warning` only on a valid check with a warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub id: CheckId,
    /// The verdict.
    pub verdict: Verdict,
}

impl Check {
    /// The check `id` with `verdict`.
    pub fn new(id: CheckId, verdict: Verdict) -> Check {
        Check { id, verdict }
    }
    /// A passed check.
    pub fn valid(id: CheckId, reason: impl Into<String>) -> Check {
        Check::new(id, Verdict::valid(reason))
    }
    /// A passed check with a reservation.
    pub fn valid_with_warning(id: CheckId, reason: impl Into<String>) -> Check {
        Check::new(id, Verdict::valid_with_warning(reason))
    }
    /// A failed check.
    pub fn invalid(id: CheckId, reason: impl Into<String>) -> Check {
        Check::new(id, Verdict::invalid(reason))
    }
    /// A check that could not be performed.
    pub fn not_checked(id: CheckId, reason: impl Into<String>) -> Check {
        Check::new(id, Verdict::not_checked(reason))
    }
    /// The check's status.
    pub fn status(&self) -> CheckStatus {
        self.verdict.status
    }
    /// Why, in words.
    pub fn reason(&self) -> &str {
        &self.verdict.reason
    }
    /// The name a person reads ([`CheckId::name`]).
    pub fn name(&self) -> String {
        self.id.name()
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let warning = self.verdict.status == CheckStatus::ValidWithWarning;
        let mut s = serializer.serialize_struct("Check", if warning { 5 } else { 4 })?;
        s.serialize_field("id", &self.id.key())?;
        s.serialize_field("name", &self.id.name())?;
        s.serialize_field("status", &self.verdict.status)?;
        s.serialize_field("reason", &self.verdict.reason)?;
        if warning {
            s.serialize_field("warning", &true)?;
        }
        s.end()
    }
}

/// How access to the chip was gained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessReport {
    /// "BAC" or "PACE".
    pub protocol: String,
    /// The password used: "MRZ" or "CAN".
    pub password: String,
    /// The secure messaging cipher: "3DES", "AES-128", ...
    pub cipher: String,
    /// PACE only: "GM", "IM" or "CAM".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping: Option<String>,
    /// PACE only: the standardized domain parameter id (0–2 DH, 8–18 ECDH).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter_id: Option<u8>,
    /// PACE only: the protocol object identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol_oid: Option<String>,
    /// True when BAC was used after PACE failed, because the caller allowed it.
    pub fallback: bool,
}

/// One file read from the chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileReport {
    /// The file's name: "EF.COM", "DG1", ...
    pub id: String,
    /// The file identifier in hex: "0101".
    pub fid: String,
    /// Bytes read.
    pub length: usize,
    /// Whether its hash matched EF.SOD (not-checked for files EF.SOD does not cover).
    pub hash: CheckStatus,
}

/// The MRZ fields of the report (from DG1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MrzSummary {
    /// Document code: "P", "ID", "IR" (UK residence permit) ...
    pub document_code: String,
    /// Issuing state (ICAO three-letter code).
    pub issuing_state: String,
    /// Document number.
    pub document_number: String,
    /// Date of birth, YYMMDD.
    pub date_of_birth: String,
    /// Date of expiry, YYMMDD.
    pub date_of_expiry: String,
    /// Nationality (ICAO three-letter code).
    pub nationality: String,
    /// Sex: "M", "F", "X" or "<".
    pub sex: String,
    /// Surname(s).
    pub primary_identifier: String,
    /// Given name(s).
    pub secondary_identifier: String,
}

impl From<&Mrz> for MrzSummary {
    fn from(m: &Mrz) -> Self {
        MrzSummary {
            document_code: m.document_code.clone(),
            issuing_state: m.issuing_state.clone(),
            document_number: m.document_number.clone(),
            date_of_birth: m.date_of_birth.clone(),
            date_of_expiry: m.date_of_expiry.clone(),
            nationality: m.nationality.clone(),
            sex: m.sex.to_string(),
            primary_identifier: m.primary_identifier.clone(),
            secondary_identifier: m.secondary_identifier.clone(),
        }
    }
}

/// The overall verdict on the chip's authenticity (Chip Authentication, PACE-CAM, Active Authentication).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthenticityVerdict {
    /// Passive authentication is complete (EF.SOD signature, DSC chain to a trusted CSCA, every data group
    /// read hashes right), a mechanism verified with a key from a file that passed it, and none failed.
    Genuine,
    /// Nothing proves the chip genuine: no mechanism ran, the key's file is not verified (an unknown
    /// signer), or passive authentication is incomplete.
    NotProven,
    /// A mechanism failed: the chip does not hold the key its files publish (a clone).
    Failed,
    /// The session was replayed from a trace ([`crate::verify::mark_replayed`]): the trace supplied the
    /// terminal's randomness, so the chip's answers are a recording and prove nothing now.
    Replayed,
}

/// One chip authentication mechanism in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MechanismReport {
    /// "Chip Authentication", "Active Authentication" or "PACE-CAM" (the name of its line in `checks`).
    pub name: String,
    /// Valid (the chip proved it holds the key), invalid, or not-checked (not run).
    pub status: CheckStatus,
    /// What happened.
    pub reason: String,
    /// The file the key came from: "DG14", "DG15", "EF.CardSecurity".
    pub key_file: String,
    /// Whether that file passed passive authentication, including the chain to a trusted CSCA.
    pub key_file_verified: bool,
}

/// The `chip_authenticity` section of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChipAuthenticity {
    /// genuine, not-proven, failed or replayed.
    pub verdict: AuthenticityVerdict,
    /// Why, in words: for anything but genuine, what is missing.
    pub reason: String,
    /// Each mechanism considered.
    pub mechanisms: Vec<MechanismReport>,
}

/// The result of the whole verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentResult {
    /// Every performed check is valid (warnings allowed), passive authentication is complete (EF.SOD
    /// signature, DSC chain to a trusted CSCA), every data group EF.SOD lists is covered (present with a
    /// valid hash, or not covered for a permitted reason: [`NotCoveredReason::permitted`]) and, in a live
    /// read, chip authentication passed wherever the chip's signed files offer it. Exit code 0.
    Verified,
    /// Nothing failed, but something is missing: no or an unknown trust anchor, a data group hash not
    /// checked, a signed data group not covered (refused, not found, withheld, missing from saved
    /// files), a mechanism the chip offers not run. Exit code 3.
    NotVerified,
    /// A check failed: the document is suspect. Exit code 1.
    Failed,
}

/// Why a data group is outside what the verdict covers ([`NotCovered`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotCoveredReason {
    /// DG3 or DG4 (fingerprints, irises): protected by Extended Access Control, not readable without
    /// Terminal Authentication granting it. Permitted.
    NeedsTerminalAuthentication,
    /// The caller asked not to read or verify it (`--files -DG12`, `--no-images`,
    /// [`crate::options::ReaderOptions::leave_out`]). Permitted.
    LeftOutByRequest,
    /// A DTC-VC leaves it out, as the DTC format lets the holder do (the EAC-protected DG3 and DG4,
    /// [`crate::dtc`]). Permitted.
    OmittedFromDtc,
    /// The chip refused to read it after access control, with a status word under its MAC.
    Refused,
    /// The chip answered, under its MAC, that it has no such file.
    NotFound,
    /// The answer was a bare status word without a MAC: the chip's or a man in the middle's, it cannot
    /// be told which, so it never counts as the chip's answer.
    UnauthenticatedAnswer,
    /// The read did not get to it (secure messaging ended, the link was lost and not recovered).
    NotRead,
    /// Saved files (a dump, a JSON Lines document, a DTC-VC) do not include it.
    MissingFromSavedFiles,
    /// It was read, but its hash does not match EF.SOD (or EF.SOD does not list it): a failed check.
    HashInvalid,
}

impl NotCoveredReason {
    /// Whether a `verified` verdict may leave the data group out: only DG3/DG4 without Terminal
    /// Authentication, a caller's own request, and what a DTC-VC may omit. Anything else gives at best
    /// `not_verified`.
    pub fn permitted(self) -> bool {
        matches!(
            self,
            NotCoveredReason::NeedsTerminalAuthentication
                | NotCoveredReason::LeftOutByRequest
                | NotCoveredReason::OmittedFromDtc
        )
    }

    /// The stable string form (`verdict.not_covered[].reason` in the JSON report).
    pub fn as_str(self) -> &'static str {
        match self {
            NotCoveredReason::NeedsTerminalAuthentication => "needs-terminal-authentication",
            NotCoveredReason::LeftOutByRequest => "left-out-by-request",
            NotCoveredReason::OmittedFromDtc => "omitted-from-dtc",
            NotCoveredReason::Refused => "refused",
            NotCoveredReason::NotFound => "not-found",
            NotCoveredReason::UnauthenticatedAnswer => "unauthenticated-answer",
            NotCoveredReason::NotRead => "not-read",
            NotCoveredReason::MissingFromSavedFiles => "missing-from-saved-files",
            NotCoveredReason::HashInvalid => "hash-invalid",
        }
    }
}

/// Serialises a data group number as its name, `"DG12"`.
fn data_group_name<S: serde::Serializer>(n: &u8, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&LdsFile::Dg(*n).name())
}

/// Serialises data group numbers as their names, `["DG1", "DG2"]`.
fn data_group_names<S: serde::Serializer>(ns: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(ns.iter().map(|n| LdsFile::Dg(*n).name()))
}

/// A data group the verdict does not cover, and why.
///
/// JSON: `{"data_group": "DG12", "reason": "unauthenticated-answer", "permitted": false, "detail": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotCovered {
    /// The data group number (in JSON its name, `"DG12"`).
    #[serde(serialize_with = "data_group_name")]
    pub data_group: u8,
    /// Why it is not covered.
    pub reason: NotCoveredReason,
    /// Whether the verdict may still be `verified` without it ([`NotCoveredReason::permitted`]).
    pub permitted: bool,
    /// What happened, in words: the status word and whether it carried a MAC, the Terminal
    /// Authentication outcome, ...
    pub detail: String,
}

impl NotCovered {
    /// Data group `n` not covered for `reason`.
    pub fn new(data_group: u8, reason: NotCoveredReason, detail: impl Into<String>) -> NotCovered {
        NotCovered {
            data_group,
            reason,
            permitted: reason.permitted(),
            detail: detail.into(),
        }
    }

    /// One line a person reads: "DG12 (additional document details) was not read — the verdict does not
    /// cover it: ...".
    pub fn describe(&self) -> String {
        let file = LdsFile::Dg(self.data_group);
        let what = match self.reason {
            NotCoveredReason::HashInvalid => "does not match EF.SOD",
            NotCoveredReason::LeftOutByRequest => "was left out by request",
            NotCoveredReason::OmittedFromDtc => "is not in the DTC-VC",
            NotCoveredReason::MissingFromSavedFiles => "is not in the saved files",
            _ => "was not read",
        };
        format!(
            "{} ({}) {what} — the verdict does not cover it: {}",
            file.name(),
            file.description(),
            self.detail
        )
    }
}

/// The top-level `verdict` of the report: the result, the reasons for it, and which of the data groups
/// EF.SOD lists it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentVerdict {
    /// verified, not_verified or failed.
    pub result: DocumentResult,
    /// For failed: each failed check; for not_verified: what is missing and what to do; for verified:
    /// what the verdict rests on (and that no chip was present, for an offline verification).
    pub reasons: Vec<String>,
    /// The data groups the verdict covers: present, and their hash matches EF.SOD (in JSON their
    /// names, `["DG1", "DG2"]`).
    #[serde(serialize_with = "data_group_names")]
    pub covered: Vec<u8>,
    /// The data groups EF.SOD lists (or that were read) that the verdict does not cover, each with why.
    pub not_covered: Vec<NotCovered>,
}

impl DocumentVerdict {
    /// A verdict with `result` and `reasons`, covering nothing.
    pub fn new(result: DocumentResult, reasons: Vec<String>) -> DocumentVerdict {
        DocumentVerdict {
            result,
            reasons,
            covered: Vec::new(),
            not_covered: Vec::new(),
        }
    }
}

impl Default for DocumentVerdict {
    fn default() -> Self {
        DocumentVerdict::new(
            DocumentResult::NotVerified,
            vec!["the document was not verified".into()],
        )
    }
}

/// Where the files a report verifies came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportSource {
    /// Read from the chip in this session.
    #[default]
    Chip,
    /// A saved dump of a chip's files, verified offline.
    Dump,
    /// A Digital Travel Credential's virtual component (Type 1), verified offline: the chip was not present.
    DtcVc,
}

/// What a trust store was built from: what was loaded, what became a trust anchor and why, and what was
/// rejected and why, one line per file, list, certificate or LDIF record (`pki::TrustStoreBuilder` writes
/// it). In a report it is the `trust` section: what the verification was checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadReport {
    /// What was loaded ("DE_ML.ml: master list of 588 certificates (588 new), list signed with ...").
    pub loaded: Vec<String>,
    /// What became a trust anchor, and why ("csca.der: CSCA C=GB,... anchored: self-signed, keyCertSign").
    pub anchored: Vec<String>,
    /// What was rejected, with the reason ("icaopkd-002.ldif line 12: master list signer: ...").
    pub rejected: Vec<String>,
    /// Certificates, lists and CRLs skipped because the store already held them.
    pub duplicates: usize,
}

/// The CRL the revocation check of the document's signer used: the newest verified CRL of the signer's
/// CSCA (`crl` in the JSON report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrlReport {
    /// The CRL's issuer (the CSCA).
    pub issuer: String,
    /// thisUpdate.
    pub this_update: String,
    /// nextUpdate, when the CRL gives one.
    pub next_update: Option<String>,
    /// Where it was loaded from.
    pub source: String,
    /// Its nextUpdate had passed at the verification's reference time: a newer CRL should exist.
    pub expired: bool,
    /// How many verified CRLs of that CSCA were consulted (a listing in any of them revokes).
    pub consulted: usize,
}

/// The report of one read (or one offline verification).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Where the files came from: the chip, a dump, or a DTC-VC.
    pub source: ReportSource,
    /// The result: verified, not verified or failed, with the reasons.
    pub verdict: DocumentVerdict,
    /// The holder and document data from DG1, if it was read.
    pub mrz: Option<MrzSummary>,
    /// The access control used; absent for offline verification.
    pub access: Option<AccessReport>,
    /// The files read, in reading order.
    pub files: Vec<FileReport>,
    /// Every check performed or skipped.
    pub checks: Vec<Check>,
    /// The chip authenticity verdict (live reads; absent for offline verification, where no chip is
    /// present).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chip_authenticity: Option<ChipAuthenticity>,
    /// What the read cost: APDUs, bytes, block sizes, the extended-length probe, resumes, time per phase
    /// (live reads; absent for offline verification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_stats: Option<crate::read_stats::ReadStats>,
    /// The CRL the signer's revocation check used (absent when no verified CRL of the signer's CSCA was
    /// loaded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crl: Option<CrlReport>,
    /// What the trust store held: loaded, anchored, rejected (set by the caller that built the store,
    /// such as the CLI for one document; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust: Option<LoadReport>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            schema: SCHEMA,
            source: ReportSource::Chip,
            verdict: DocumentVerdict::default(),
            mrz: None,
            access: None,
            files: Vec::new(),
            checks: Vec::new(),
            chip_authenticity: None,
            read_stats: None,
            crl: None,
            trust: None,
        }
    }
}

impl Report {
    /// The check with this id, if the report has it.
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The status of the check with this id, if the report has it.
    pub fn status(&self, id: CheckId) -> Option<CheckStatus> {
        self.check(id).map(Check::status)
    }

    /// True when at least one check failed: the document is suspect.
    pub fn has_failures(&self) -> bool {
        self.checks
            .iter()
            .any(|c| c.status() == CheckStatus::Invalid && c.id.concerns_document())
    }

    /// The checks with the given status.
    pub fn checks_with(&self, status: CheckStatus) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(move |c| c.status() == status)
    }

    /// One line: how many checks passed, failed and were not performed.
    pub fn summary(&self) -> String {
        let count = |s| self.checks_with(s).count();
        format!(
            "{} checks valid, {} invalid, {} not checked",
            count(CheckStatus::Valid) + count(CheckStatus::ValidWithWarning),
            count(CheckStatus::Invalid),
            count(CheckStatus::NotChecked)
        )
    }

    /// The report as pretty-printed JSON (schema `mrtd-report/2`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_have_distinct_stable_keys() {
        let ids = [
            CheckId::SodStructure,
            CheckId::SodSignature,
            CheckId::DscChain,
            CheckId::DscValidity,
            CheckId::DscRevocation,
            CheckId::IssuingCountry,
            CheckId::Dg1Structure,
            CheckId::DocumentExpiry,
            CheckId::MrzCheckDigits,
            CheckId::DgHash(1),
            CheckId::DgHash(11),
            CheckId::FileRead(LdsFile::Dg(1)),
            CheckId::FileRead(LdsFile::Com),
            CheckId::FileStructure(LdsFile::Dg(3)),
            CheckId::CardSecurity,
            CheckId::AccessControl,
            CheckId::Downgrade,
            CheckId::ReadResumed,
            CheckId::ChipAuthentication,
            CheckId::ActiveAuthentication,
            CheckId::PaceCam,
            CheckId::Dtc,
            CheckId::ChipAuthenticity,
            CheckId::DtcBinding,
        ];
        let keys: std::collections::BTreeSet<String> = ids.iter().map(|i| i.key()).collect();
        assert_eq!(keys.len(), ids.len(), "{keys:?}");
        assert_eq!(CheckId::DgHash(11).key(), "dg11-hash");
        assert_eq!(CheckId::FileRead(LdsFile::Com).key(), "read:EF.COM");
    }

    #[test]
    fn json_keeps_three_statuses_and_the_warning_flag() {
        let report = Report {
            checks: vec![
                Check::valid_with_warning(CheckId::DscChain, "test anchor"),
                Check::invalid(CheckId::DgHash(11), "not listed in EF.SOD"),
            ],
            ..Report::default()
        };
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap_or_default();
        assert_eq!(json["checks"][0]["id"], "dsc-chain");
        assert_eq!(json["checks"][0]["name"], "DSC chain");
        assert_eq!(json["checks"][0]["status"], "valid");
        assert_eq!(json["checks"][0]["warning"], true);
        assert_eq!(json["checks"][1]["status"], "invalid");
        assert!(json["checks"][1].get("warning").is_none());
        assert_eq!(json["verdict"]["result"], "not_verified");
        assert_eq!(report.summary(), "1 checks valid, 1 invalid, 0 not checked");
    }
}
