//! What the emulated chip did, counted from its side: commands by instruction, the status words it
//! answered, the bytes of each file it served, the protocols it completed and every fault it injected.
//!
//! A conformance case ([`crate::conformance`]) proves from these counters that its behaviour happened —
//! the fault was injected, the odd-INS READ BINARY was used, the refusal was sent — so it cannot pass
//! against a reader that never got that far. The counters survive a power cycle ([`crate::chip::Chip::reset`]):
//! they describe the chip's whole life, resumed reads included.

use icao9303::lds::LdsFile;
use std::collections::BTreeMap;

/// How much of one file the chip served.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileServed {
    /// READ BINARY commands answered with data of this file.
    pub reads: u64,
    /// File bytes sent, over all reads.
    pub bytes: u64,
    /// The highest offset served plus one: the end of the furthest block sent.
    pub end: usize,
    /// The file's length on the chip (its physical size, trailing bytes included).
    pub length: usize,
    /// The length of the data object the file holds (tag, length and value), when its header parses:
    /// less than `length` when the file has trailing bytes.
    pub object_len: Option<usize>,
}

impl FileServed {
    /// Whether the last byte of the file was sent at least once.
    pub fn complete(&self) -> bool {
        self.length > 0 && self.end >= self.length
    }
}

/// Which part of the chip a fault belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// The eMRTD application's selection was refused.
    ApplicationSelection,
    /// BAC's mutual authentication answer was corrupted or refused.
    Bac,
    /// A protected response was malformed (MAC, cryptogram, padding, missing data objects).
    SecureMessaging,
    /// The end of a file was signalled in a particular way (6282, 6Cxx).
    EndOfFile,
    /// A PACE step was refused or its answer corrupted.
    Pace,
    /// Chip Authentication was refused or its keys were not switched.
    ChipAuthentication,
    /// Terminal Authentication saw an odd challenge, another document number or another EF.CVCA.
    TerminalAuthentication,
    /// The Active Authentication signature was made wrong.
    ActiveAuthentication,
}

impl FaultKind {
    /// A short name ("secure messaging").
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::ApplicationSelection => "application selection",
            FaultKind::Bac => "BAC",
            FaultKind::SecureMessaging => "secure messaging",
            FaultKind::EndOfFile => "end of file",
            FaultKind::Pace => "PACE",
            FaultKind::ChipAuthentication => "Chip Authentication",
            FaultKind::TerminalAuthentication => "Terminal Authentication",
            FaultKind::ActiveAuthentication => "Active Authentication",
        }
    }
}

/// One fault the chip injected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultEvent {
    /// The command (counted from 1 over the chip's life) whose answer carried it.
    pub command: u64,
    /// What kind of fault.
    pub kind: FaultKind,
    /// What exactly was done ("the MAC of the READ BINARY answer of DG1 was changed").
    pub detail: String,
}

/// A PACE protocol the terminal selected with MSE:Set AT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceSelection {
    /// The protocol OID of DO'80' (its content bytes).
    pub oid: Vec<u8>,
    /// The password reference of DO'83' (1 MRZ, 2 CAN).
    pub password: Option<u8>,
    /// The parameter id of DO'84', when sent.
    pub parameter_id: Option<u8>,
}

/// One certificate PSO:Verify Certificate was given during Terminal Authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateImport {
    /// Its holder reference, when it could be parsed.
    pub chr: Option<String>,
    /// Whether the chip imported it.
    pub accepted: bool,
    /// Why it was refused (empty when accepted).
    pub reason: String,
}

/// The emulated chip's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChipStats {
    /// Command APDUs answered (or left unanswered by a mute chip).
    pub commands: u64,
    /// Commands by instruction byte.
    pub instructions: BTreeMap<u8, u64>,
    /// Status words answered (for a protected answer, the status word it protects), by value.
    pub status_words: BTreeMap<u16, u64>,
    /// Commands in extended-length form.
    pub extended_commands: u64,
    /// READ BINARY commands with the odd instruction B1 (offsets in DO'54').
    pub odd_ins_reads: u64,
    /// READ BINARY answers cut to the chip's response cap while the file had more
    /// ([`crate::chip::ChipOptions::response_cap`]).
    pub capped_reads: u64,
    /// What was served of each file.
    pub files: BTreeMap<LdsFile, FileServed>,
    /// BAC runs that established secure messaging.
    pub bac_completed: u64,
    /// The PACE protocols selected, in order.
    pub pace_selections: Vec<PaceSelection>,
    /// PACE runs that established secure messaging.
    pub pace_completed: u64,
    /// Chip Authentications that established new session keys.
    pub ca_completed: u64,
    /// Certificates offered to Terminal Authentication, in order.
    pub ta_imports: Vec<CertificateImport>,
    /// Terminal Authentications the chip accepted.
    pub ta_completed: u64,
    /// Terminal Authentications whose signature the chip refused.
    pub ta_failed: u64,
    /// INTERNAL AUTHENTICATE signatures made (Active Authentication).
    pub aa_signatures: u64,
    /// Every fault injected, in order.
    pub faults: Vec<FaultEvent>,
}

impl ChipStats {
    /// How often the chip answered status word `sw`.
    pub fn status_count(&self, sw: u16) -> u64 {
        self.status_words.get(&sw).copied().unwrap_or(0)
    }

    /// What was served of `file` (all zero when nothing was).
    pub fn file(&self, file: LdsFile) -> FileServed {
        self.files.get(&file).copied().unwrap_or_default()
    }

    /// The faults of `kind` injected.
    pub fn faults_of(&self, kind: FaultKind) -> impl Iterator<Item = &FaultEvent> {
        self.faults.iter().filter(move |f| f.kind == kind)
    }

    /// How often instruction `ins` was received.
    pub fn instruction_count(&self, ins: u8) -> u64 {
        self.instructions.get(&ins).copied().unwrap_or(0)
    }

    pub(crate) fn fault(&mut self, kind: FaultKind, detail: impl Into<String>) {
        self.faults.push(FaultEvent {
            command: self.commands,
            kind,
            detail: detail.into(),
        });
    }

    pub(crate) fn served(
        &mut self,
        file: LdsFile,
        offset: usize,
        len: usize,
        length: usize,
        object_len: Option<usize>,
    ) {
        let entry = self.files.entry(file).or_default();
        entry.reads += 1;
        entry.bytes += len as u64;
        entry.end = entry.end.max(offset.saturating_add(len));
        entry.length = length;
        entry.object_len = object_len;
    }
}
