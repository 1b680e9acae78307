//! The outcome of a read: which protocol was used, which files were read, and one entry per check, with
//! a stable JSON form (schema `mrtd-report/1`, documented in docs/report-schema.md).

use crate::mrz::Mrz;
use serde::Serialize;

/// The schema identifier written in every JSON report.
pub const SCHEMA: &str = "mrtd-report/1";

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    /// The check was performed and passed.
    Valid,
    /// The check was performed and failed: the document is suspect.
    Invalid,
    /// The check could not be performed (missing data, no trust anchor, not supported by the chip).
    NotChecked,
}

/// One check and its verdict with a reason a person can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked: "DG1 hash", "MRZ check digits", "EF.SOD", ...
    pub name: String,
    /// The verdict.
    pub status: CheckStatus,
    /// Why: what matched, what differed, or why it was not checked.
    pub reason: String,
    /// A valid check with a reservation the reader should know about (an expired document signer on a
    /// valid document, a test trust anchor, SHA-1).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub warning: bool,
}

impl Check {
    /// A check with the given verdict.
    pub fn new(name: impl Into<String>, status: CheckStatus, reason: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            status,
            reason: reason.into(),
            warning: false,
        }
    }
    /// A passed check.
    pub fn valid(name: impl Into<String>, reason: impl Into<String>) -> Check {
        Check::new(name, CheckStatus::Valid, reason)
    }
    /// A passed check with a reservation (see [`Check::warning`]).
    pub fn valid_with_warning(name: impl Into<String>, reason: impl Into<String>) -> Check {
        Check {
            warning: true,
            ..Check::valid(name, reason)
        }
    }
    /// A failed check.
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Check {
        Check::new(name, CheckStatus::Invalid, reason)
    }
    /// A check that could not be performed.
    pub fn not_checked(name: impl Into<String>, reason: impl Into<String>) -> Check {
        Check::new(name, CheckStatus::NotChecked, reason)
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
    /// A mechanism verified with a key from a file that passed passive authentication, and none failed.
    Genuine,
    /// Nothing proves the chip genuine: no mechanism ran, or the key's file is unverified.
    NotProven,
    /// A mechanism failed: the chip does not hold the key its files publish (a clone).
    Failed,
}

/// One chip authentication mechanism in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MechanismReport {
    /// "Chip Authentication", "Active Authentication" or "PACE-CAM".
    pub name: String,
    /// Valid (the chip proved it holds the key), invalid, or not-checked (not run).
    pub status: CheckStatus,
    /// What happened.
    pub reason: String,
    /// The file the key came from: "DG14", "DG15", "EF.CardSecurity".
    pub key_file: String,
    /// Whether that file passed passive authentication.
    pub key_file_verified: bool,
}

/// The `chip_authenticity` section of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChipAuthenticity {
    /// genuine, not-proven or failed.
    pub verdict: AuthenticityVerdict,
    /// Why, in words.
    pub reason: String,
    /// Each mechanism considered.
    pub mechanisms: Vec<MechanismReport>,
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

/// The report of one read (or one offline verification).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Where the files came from: the chip, a dump, or a DTC-VC.
    pub source: ReportSource,
    /// The holder and document data from DG1, if it was read.
    pub mrz: Option<MrzSummary>,
    /// The access control used; absent for offline verification.
    pub access: Option<AccessReport>,
    /// The files read, in reading order.
    pub files: Vec<FileReport>,
    /// Every check performed or skipped.
    pub checks: Vec<Check>,
    /// The chip authenticity verdict (live reads; absent for offline verification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chip_authenticity: Option<ChipAuthenticity>,
}

impl Default for Report {
    fn default() -> Self {
        Report {
            schema: SCHEMA,
            source: ReportSource::Chip,
            mrz: None,
            access: None,
            files: Vec::new(),
            checks: Vec::new(),
            chip_authenticity: None,
        }
    }
}

impl Report {
    /// True when at least one check failed: the document is suspect.
    pub fn has_failures(&self) -> bool {
        self.checks.iter().any(|c| c.status == CheckStatus::Invalid)
    }

    /// The checks with the given status.
    pub fn checks_with(&self, status: CheckStatus) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(move |c| c.status == status)
    }

    /// One line: how many checks passed, failed and were not performed.
    pub fn summary(&self) -> String {
        let count = |s| self.checks_with(s).count();
        format!(
            "{} checks valid, {} invalid, {} not checked",
            count(CheckStatus::Valid),
            count(CheckStatus::Invalid),
            count(CheckStatus::NotChecked)
        )
    }

    /// The report as pretty-printed JSON (schema `mrtd-report/1`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}
