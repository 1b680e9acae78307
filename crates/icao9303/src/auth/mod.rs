//! Chip authenticity: Active Authentication ([`active`]), Chip Authentication v1 ([`chip`]) and the
//! PACE-CAM check, and the verdict they give together.
//!
//! A mechanism only proves the chip genuine when the key it used is itself authentic: DG14 / DG15 must
//! match a verified EF.SOD, EF.CardSecurity must pass passive authentication. [`assess`] combines the
//! mechanisms' results with that into the report's `chip_authenticity`.

pub mod active;
pub mod chip;

use crate::lds::LdsFile;
use crate::report::{AuthenticityVerdict, Check, CheckStatus, ChipAuthenticity, MechanismReport};

/// A chip authentication mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// Chip Authentication (ICAO 9303-11 section 6.2), key from DG14.
    ChipAuthentication,
    /// Active Authentication (ICAO 9303-11 section 6.1), key from DG15.
    ActiveAuthentication,
    /// PACE with Chip Authentication Mapping, key from EF.CardSecurity.
    PaceCam,
}

impl Mechanism {
    /// The name used for the report's check line.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::ChipAuthentication => "Chip Authentication",
            Mechanism::ActiveAuthentication => "Active Authentication",
            Mechanism::PaceCam => "PACE-CAM",
        }
    }

    /// The file the mechanism's public key comes from.
    pub fn key_file(self) -> LdsFile {
        match self {
            Mechanism::ChipAuthentication => LdsFile::Dg(14),
            Mechanism::ActiveAuthentication => LdsFile::Dg(15),
            Mechanism::PaceCam => LdsFile::CardSecurity,
        }
    }
}

/// What running (or not running) one mechanism gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MechanismResult {
    /// The mechanism.
    pub mechanism: Mechanism,
    /// Valid: the chip proved it holds the private key; Invalid: it did not; NotChecked: not run.
    pub status: CheckStatus,
    /// What happened, in words.
    pub reason: String,
}

impl MechanismResult {
    /// A verified mechanism.
    pub fn verified(mechanism: Mechanism, reason: impl Into<String>) -> Self {
        MechanismResult {
            mechanism,
            status: CheckStatus::Valid,
            reason: reason.into(),
        }
    }
    /// A failed mechanism: the chip could not prove it holds the key.
    pub fn failed(mechanism: Mechanism, reason: impl Into<String>) -> Self {
        MechanismResult {
            mechanism,
            status: CheckStatus::Invalid,
            reason: reason.into(),
        }
    }
    /// A mechanism that was not run (not supported, disabled, or its key unusable).
    pub fn not_run(mechanism: Mechanism, reason: impl Into<String>) -> Self {
        MechanismResult {
            mechanism,
            status: CheckStatus::NotChecked,
            reason: reason.into(),
        }
    }
}

/// Whether the file holding a mechanism's key passed passive authentication, and why (or why not).
pub type KeyFileTrust = (bool, String);

/// Combines mechanism results and the passive-authentication status of their key files into the
/// report's verdict and one check line per mechanism.
///
/// genuine: at least one mechanism verified with a key from a verified file, none failed;
/// failed: a mechanism failed; not-proven: otherwise.
pub fn assess(
    results: &[MechanismResult],
    key_file_trust: impl Fn(Mechanism) -> KeyFileTrust,
) -> (ChipAuthenticity, Vec<Check>) {
    let mut mechanisms = Vec::new();
    let mut checks = Vec::new();
    let mut genuine_by = Vec::new();
    let mut unverified_key = Vec::new();
    let mut failed_by = Vec::new();
    for r in results {
        let (trusted, trust_reason) = key_file_trust(r.mechanism);
        let file = r.mechanism.key_file().name();
        let check = match r.status {
            CheckStatus::Valid if trusted => {
                genuine_by.push(r.mechanism.name());
                Check::valid(r.mechanism.name(), format!("{}; {file}: {trust_reason}", r.reason))
            }
            CheckStatus::Valid => {
                unverified_key.push(r.mechanism.name());
                Check::valid_with_warning(
                    r.mechanism.name(),
                    format!(
                        "{}, but the key is not proven authentic ({file}: {trust_reason})",
                        r.reason
                    ),
                )
            }
            CheckStatus::Invalid => {
                failed_by.push(r.mechanism.name());
                Check::invalid(r.mechanism.name(), r.reason.clone())
            }
            CheckStatus::NotChecked => Check::not_checked(r.mechanism.name(), r.reason.clone()),
        };
        mechanisms.push(MechanismReport {
            name: r.mechanism.name().to_string(),
            status: r.status,
            reason: check.reason.clone(),
            key_file: file,
            key_file_verified: trusted,
        });
        checks.push(check);
    }
    let (verdict, reason) = if !failed_by.is_empty() {
        (
            AuthenticityVerdict::Failed,
            format!(
                "{} failed: the chip does not hold the private key its files publish (a cloned or altered chip)",
                failed_by.join(", ")
            ),
        )
    } else if !genuine_by.is_empty() {
        (
            AuthenticityVerdict::Genuine,
            format!(
                "{} verified with a key from a file that passed passive authentication",
                genuine_by.join(", ")
            ),
        )
    } else if !unverified_key.is_empty() {
        (
            AuthenticityVerdict::NotProven,
            format!(
                "{} verified, but the key's file did not pass passive authentication",
                unverified_key.join(", ")
            ),
        )
    } else {
        (
            AuthenticityVerdict::NotProven,
            "no chip authentication mechanism was performed (the chip supports none, or they were disabled)"
                .to_string(),
        )
    };
    (
        ChipAuthenticity {
            verdict,
            reason,
            mechanisms,
        },
        checks,
    )
}
