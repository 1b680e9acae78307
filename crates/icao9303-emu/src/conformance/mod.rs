//! The emulator as a conformance lower tester for inspection systems: a catalogue of cases after BSI
//! TR-03105 Part 5.1 ("Test plan for ICAO compliant Inspection Systems with EACv1") and the ICAO TR "RF
//! and Protocol Testing Part 4" (whose test ids Part 5.1 cites where it moved a case there), plus our own.
//!
//! Each [`Case`] has its id, a title, the standard's clause, the chip it configures (a profile, its
//! files and keys, the faults of [`crate::fault::ChipFaults`]), what the inspection system is given (the
//! MRZ or CAN, trust anchors, EAC credentials), the verdict an inspection system must give
//! ([`Expected`]) with the reason, and the [`Evidence`] from the chip's own statistics that the case's
//! behaviour happened — so no case passes against a reader that never got to the fault.
//!
//! [`Case::build`] makes the chip and the inspection system's inputs; [`run`] reads a case with this
//! project's reader (in process, or over any [`icao9303::transport::Transport`]) and judges the result.
//! `mrtd emulate --case ID` serves a case's chip through vpcd to any inspection system; `mrtd
//! conformance` runs the whole catalogue. docs/conformance.md is the catalogue as a table, and says how
//! the verdicts map onto this project's report.

mod access;
mod auth;
pub mod doc;
pub mod evidence;
pub mod fixtures;
mod lds;
mod pa;
pub mod run;

pub use evidence::Evidence;

use crate::chip::Chip;
use icao9303::access::Password;
use icao9303::auth::terminal::TerminalCredentials;
use icao9303::pki::cvc::CvCertificate;
use icao9303::pki::cvc::private_key::CvPrivateKey;
use std::sync::Arc;

/// Where a case's id comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// ICAO TR "RF and Protocol Testing Part 4 – Conformity Test for Inspection Systems": cases BSI
    /// TR-03105-5.1 moved there (its text is not public; the behaviour follows Part 5.1's title).
    IcaoPart4,
    /// BSI TR-03105 Part 5.1 v1.5.
    Tr03105Part5_1,
    /// This project's own case (no standard id exists for the behaviour).
    Own,
}

impl Source {
    /// The prefix of the case id: `P4`, `P51` or `MRTD`.
    pub fn prefix(self) -> &'static str {
        match self {
            Source::IcaoPart4 => "P4",
            Source::Tr03105Part5_1 => "P51",
            Source::Own => "MRTD",
        }
    }

    /// The document.
    pub fn name(self) -> &'static str {
        match self {
            Source::IcaoPart4 => "ICAO RF and Protocol Testing Part 4",
            Source::Tr03105Part5_1 => "BSI TR-03105 Part 5.1",
            Source::Own => "this project (no standard id)",
        }
    }
}

/// The test unit a case belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    /// Selecting the eMRTD application.
    ApplicationSelection,
    /// Basic Access Control and secure messaging.
    BacSecureMessaging,
    /// READ BINARY: large files, end of file, odd instruction, extended length.
    ReadBinary,
    /// PACE.
    Pace,
    /// Chip Authentication.
    ChipAuthentication,
    /// Terminal Authentication.
    TerminalAuthentication,
    /// Active Authentication.
    ActiveAuthentication,
    /// The LDS files' encodings (EF.COM, DG1, DG2, DG3, DG11, DG14, DG15, EF.CVCA).
    Lds,
    /// Passive authentication (EF.SOD, the Document Signer, CSCA and CRL).
    PassiveAuthentication,
    /// EF.CardSecurity.
    CardSecurity,
    /// EF.ATR/INFO.
    AtrInfo,
}

impl Unit {
    /// Every unit, in catalogue order.
    pub const ALL: [Unit; 11] = [
        Unit::ApplicationSelection,
        Unit::BacSecureMessaging,
        Unit::ReadBinary,
        Unit::Pace,
        Unit::ChipAuthentication,
        Unit::TerminalAuthentication,
        Unit::ActiveAuthentication,
        Unit::Lds,
        Unit::PassiveAuthentication,
        Unit::CardSecurity,
        Unit::AtrInfo,
    ];

    /// The unit's name.
    pub fn name(self) -> &'static str {
        match self {
            Unit::ApplicationSelection => "Application selection",
            Unit::BacSecureMessaging => "BAC and secure messaging",
            Unit::ReadBinary => "READ BINARY",
            Unit::Pace => "PACE",
            Unit::ChipAuthentication => "Chip Authentication",
            Unit::TerminalAuthentication => "Terminal Authentication",
            Unit::ActiveAuthentication => "Active Authentication",
            Unit::Lds => "LDS encodings",
            Unit::PassiveAuthentication => "Passive authentication",
            Unit::CardSecurity => "EF.CardSecurity",
            Unit::AtrInfo => "EF.ATR/INFO",
        }
    }
}

/// How this project's reader shows an inspection system's "MRTD inspection procedure failed".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Document verdict `failed` (exit 1): a check failed, the document is suspect.
    Failed,
    /// Document verdict `not_verified` (exit 3): nothing failed, but something the verdict needs is
    /// missing (a signed data group the chip does not deliver, chip authenticity not provable).
    NotVerified,
    /// The read ends with an error (exit 2): access control or secure messaging cannot be completed.
    ReadError,
    /// Terminal Authentication did not pass (the report's `terminal-authentication` check is invalid or
    /// not checked) and no EAC-protected data group (DG3, DG4) was delivered; the document verdict stays
    /// `verified`, since the chip refusing the terminal says nothing about the document.
    TerminalAuthentication,
}

/// The verdict an inspection system must give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// "MRTD inspection procedure successful": document verdict `verified` (exit 0).
    Successful,
    /// "MRTD inspection procedure failed", as our reader shows it.
    Failed(Shown),
    /// Either verdict is allowed; the reader must end normally (a report or an error, never a panic).
    Either,
}

impl Expected {
    /// In words: "successful (verified, exit 0)".
    pub fn describe(self) -> &'static str {
        match self {
            Expected::Successful => "successful (verified, exit 0)",
            Expected::Failed(Shown::Failed) => "failed (failed, exit 1)",
            Expected::Failed(Shown::NotVerified) => "failed (not_verified, exit 3)",
            Expected::Failed(Shown::ReadError) => "failed (read error, exit 2)",
            Expected::Failed(Shown::TerminalAuthentication) => {
                "failed (Terminal Authentication not passed, no DG3/DG4)"
            }
            Expected::Either => "either (no crash)",
        }
    }
}

/// What Terminal Authentication must give in a successful EAC case: it passes, and exactly these
/// EAC-protected data groups are delivered (the others the chain does not grant are not shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eac {
    /// DG3 (fingerprints) is read.
    pub dg3: bool,
    /// DG4 (irises) is read.
    pub dg4: bool,
}

/// One conformance case.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// Where the id comes from.
    pub source: Source,
    /// The id in that document (`ISO7816_F_04`, `LDS_H_54`; our own `SM_01`).
    pub standard_id: &'static str,
    /// Which instance of a parametrised case (`ecdh-p13`), if any.
    pub variant: Option<&'static str>,
    /// The test unit.
    pub unit: Unit,
    /// A short title (our words).
    pub title: &'static str,
    /// The clause of ICAO 9303 / BSI TR-03110 / ISO/IEC 7816-4 / RFC the behaviour rests on.
    pub clause: &'static str,
    /// The chip (and what the inspection system is given), in words.
    pub configuration: &'static str,
    /// The verdict an inspection system must give.
    pub expected: Expected,
    /// For a successful EAC case: what Terminal Authentication must give.
    pub eac: Option<Eac>,
    /// Why that verdict (and what we chose where the standard leaves it open).
    pub rationale: &'static str,
    /// Words the read's error or the verdict's reasons must contain: the reader must say what went
    /// wrong, not only that something did.
    pub names: Option<&'static str>,
    /// What the chip's statistics must show.
    pub evidence: Evidence,
    build: fn() -> Result<Setup, String>,
}

impl Case {
    /// The id: source prefix, standard id and variant (`P51.ISO7816_E_08`, `P4.ISO7816_C_02.ecdh-p16`).
    pub fn id(&self) -> String {
        match self.variant {
            Some(v) => format!("{}.{}.{v}", self.source.prefix(), self.standard_id),
            None => format!("{}.{}", self.source.prefix(), self.standard_id),
        }
    }

    /// The expected verdict in words, with what Terminal Authentication must give in an EAC case.
    pub fn expectation(&self) -> String {
        match (self.expected, self.eac) {
            (Expected::Successful, Some(e)) if !e.dg3 && !e.dg4 => {
                "successful (verified, TA valid, no DG3/DG4 shown)".into()
            }
            (Expected::Successful, Some(_)) => "successful (verified, TA valid, DG3 read)".into(),
            (e, _) => e.describe().into(),
        }
    }

    /// Makes the case's chip and the inspection system's inputs.
    pub fn build(&self) -> Result<Setup, String> {
        (self.build)().map_err(|e| format!("{}: {e}", self.id()))
    }
}

/// What an inspection system is given for a case: the password (as printed on the data page) and what
/// it trusts.
#[derive(Clone)]
pub struct InspectionSystem {
    /// The MRZ or the CAN.
    pub password: Password,
    /// CSCA certificates (DER) to anchor passive authentication.
    pub csca: Vec<Vec<u8>>,
    /// Document Signer certificates (DER) known besides those in EF.SOD (from a PKD).
    pub document_signers: Vec<Vec<u8>>,
    /// CRLs (DER).
    pub crls: Vec<Vec<u8>>,
    /// The inspection system's EAC certificates and key, for EAC cases.
    pub terminal: Option<Terminal>,
}

/// An inspection system's Terminal Authentication certificates (DV, terminal, any CVCA link
/// certificates) and the terminal certificate's private key.
#[derive(Debug, Clone)]
pub struct Terminal {
    /// The certificates.
    pub certificates: Vec<CvCertificate>,
    /// The terminal certificate's private key.
    pub key: CvPrivateKey,
}

impl Terminal {
    /// As the reader takes them.
    pub fn credentials(&self) -> TerminalCredentials {
        TerminalCredentials {
            certificates: self.certificates.clone(),
            signer: Arc::new(self.key.clone()),
        }
    }
}

impl std::fmt::Debug for InspectionSystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InspectionSystem")
            .field("csca", &self.csca.len())
            .field("document_signers", &self.document_signers.len())
            .field("crls", &self.crls.len())
            .field("terminal", &self.terminal)
            .finish()
    }
}

/// A case, built: the chip and the inspection system's inputs.
#[derive(Debug)]
pub struct Setup {
    /// The chip, with its faults set.
    pub chip: Chip,
    /// What the inspection system is given.
    pub inspection_system: InspectionSystem,
}

/// Every case, in catalogue order (by unit).
pub fn catalogue() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend(access::cases());
    cases.extend(auth::cases());
    cases.extend(lds::cases());
    cases.extend(pa::cases());
    cases.sort_by_key(|c| c.unit);
    cases
}

/// The case with this id ([`Case::id`], case-insensitive); a bare standard id (`ISO7816_F_04`) is
/// accepted when only one case has it.
pub fn find(id: &str) -> Result<Case, String> {
    let all = catalogue();
    if let Some(c) = all.iter().find(|c| c.id().eq_ignore_ascii_case(id)) {
        return Ok(*c);
    }
    let matching: Vec<&Case> = all
        .iter()
        .filter(|c| c.standard_id.eq_ignore_ascii_case(id))
        .collect();
    match matching.as_slice() {
        [one] => Ok(**one),
        [] => Err(format!(
            "no conformance case {id:?} (mrtd emulate --list-cases lists them)"
        )),
        many => Err(format!(
            "{id:?} is ambiguous: {}",
            many.iter().map(|c| c.id()).collect::<Vec<_>>().join(", ")
        )),
    }
}
