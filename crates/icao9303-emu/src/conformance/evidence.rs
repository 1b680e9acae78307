//! What a case proves happened, from the chip's own statistics ([`crate::stats::ChipStats`]).

use crate::stats::{ChipStats, FaultKind};
use icao9303::lds::LdsFile;

/// A fact the chip's statistics must show after a case was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// A fault of this kind was injected.
    Fault(FaultKind),
    /// The whole file was served (its last byte sent at least once): the reader got the case's data.
    FileServed(LdsFile),
    /// The chip answered this status word at least once.
    Status(u16),
    /// A READ BINARY with the odd instruction B1 was answered.
    OddInsRead,
    /// A READ BINARY answer was cut to the chip's response cap while the file had more.
    CappedRead,
    /// Bytes of the file at this offset or beyond were served.
    ServedFrom(LdsFile, usize),
    /// The file's data object was served in full and none of the bytes after it: the reader stopped at
    /// the end of the data object, before the file's trailing bytes.
    ServedObjectOnly(LdsFile),
    /// PACE was selected with this protocol OID (content bytes of DO'80') and completed.
    PaceWith(&'static [u8]),
    /// BAC established secure messaging.
    BacCompleted,
    /// Chip Authentication established new session keys.
    CaCompleted,
    /// The chip accepted a Terminal Authentication.
    TaCompleted,
    /// The chip refused a certificate in Terminal Authentication.
    TaCertificateRefused,
    /// The chip refused the terminal's signature.
    TaSignatureRefused,
    /// The chip imported a CVCA link certificate as a new trust point.
    TaLinkImported,
    /// The chip signed an Active Authentication challenge.
    AaSigned,
    /// All of these.
    All(&'static [Evidence]),
}

impl Evidence {
    /// What must be shown, in words.
    pub fn describe(&self) -> String {
        match self {
            Evidence::Fault(kind) => format!("{} fault injected", kind.name()),
            Evidence::FileServed(f) => format!("{} served in full", f.name()),
            Evidence::Status(sw) => format!("{sw:04X} answered"),
            Evidence::OddInsRead => "READ BINARY with odd INS (B1) answered".into(),
            Evidence::CappedRead => "a READ BINARY answer cut to the response cap".into(),
            Evidence::ServedFrom(f, n) => format!("{} served at offset {n} or beyond", f.name()),
            Evidence::ServedObjectOnly(f) => {
                format!(
                    "{}'s data object served, none of its trailing bytes",
                    f.name()
                )
            }
            Evidence::PaceWith(oid) => format!("PACE completed with OID {}", oid_text(oid)),
            Evidence::BacCompleted => "BAC completed".into(),
            Evidence::CaCompleted => "Chip Authentication completed".into(),
            Evidence::TaCompleted => "Terminal Authentication accepted".into(),
            Evidence::TaCertificateRefused => {
                "a certificate refused by PSO:Verify Certificate".into()
            }
            Evidence::TaSignatureRefused => "the terminal's signature refused".into(),
            Evidence::TaLinkImported => "a CVCA link certificate imported".into(),
            Evidence::AaSigned => "INTERNAL AUTHENTICATE signed".into(),
            Evidence::All(all) => all
                .iter()
                .map(Evidence::describe)
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    /// Checks the statistics: `Ok` with what they show, `Err` with what is missing.
    pub fn check(&self, stats: &ChipStats) -> Result<String, String> {
        let need = |ok: bool, shown: String| {
            if ok {
                Ok(shown)
            } else {
                Err(format!("not shown: {}", self.describe()))
            }
        };
        match self {
            Evidence::Fault(kind) => match stats.faults_of(*kind).next() {
                Some(f) => Ok(format!("command {}: {}", f.command, f.detail)),
                None => Err(format!("no {} fault was injected", kind.name())),
            },
            Evidence::FileServed(f) => {
                let s = stats.file(*f);
                need(
                    s.complete(),
                    format!(
                        "{} served in full ({} bytes, {} reads)",
                        f.name(),
                        s.length,
                        s.reads
                    ),
                )
            }
            Evidence::Status(sw) => need(
                stats.status_count(*sw) > 0,
                format!("{sw:04X} answered {} time(s)", stats.status_count(*sw)),
            ),
            Evidence::OddInsRead => need(
                stats.odd_ins_reads > 0,
                format!("{} READ BINARY with B1", stats.odd_ins_reads),
            ),
            Evidence::CappedRead => need(
                stats.capped_reads > 0,
                format!(
                    "{} READ BINARY answer(s) cut to the response cap",
                    stats.capped_reads
                ),
            ),
            Evidence::ServedFrom(f, n) => {
                let s = stats.file(*f);
                need(
                    s.end > *n,
                    format!("{} served up to offset {} of {}", f.name(), s.end, s.length),
                )
            }
            Evidence::ServedObjectOnly(f) => {
                let s = stats.file(*f);
                need(
                    s.object_len.is_some_and(|n| s.end == n && s.length > n),
                    format!(
                        "{} served up to {} of its {} bytes on the chip (the data object's end)",
                        f.name(),
                        s.end,
                        s.length
                    ),
                )
            }
            Evidence::PaceWith(oid) => need(
                stats.pace_completed > 0
                    && stats.pace_selections.last().is_some_and(|p| p.oid == *oid),
                format!(
                    "MSE:Set AT with {} (password reference {:?}), PACE completed",
                    oid_text(oid),
                    stats.pace_selections.last().and_then(|p| p.password)
                ),
            ),
            Evidence::BacCompleted => need(
                stats.bac_completed > 0,
                format!("BAC completed {} time(s)", stats.bac_completed),
            ),
            Evidence::CaCompleted => need(
                stats.ca_completed > 0,
                format!(
                    "Chip Authentication completed {} time(s)",
                    stats.ca_completed
                ),
            ),
            Evidence::TaCompleted => need(
                stats.ta_completed > 0,
                format!(
                    "Terminal Authentication accepted after {}",
                    imported(stats).join(" → ")
                ),
            ),
            Evidence::TaCertificateRefused => match stats.ta_imports.iter().find(|i| !i.accepted) {
                Some(i) => Ok(format!(
                    "PSO:Verify Certificate refused {}: {}",
                    i.chr.as_deref().unwrap_or("a certificate"),
                    i.reason
                )),
                None => Err(format!("not shown: {}", self.describe())),
            },
            Evidence::TaSignatureRefused => need(
                stats.ta_failed > 0,
                format!(
                    "EXTERNAL AUTHENTICATE refused after {}",
                    imported(stats).join(" → ")
                ),
            ),
            Evidence::TaLinkImported => {
                let links: Vec<&str> = stats
                    .ta_imports
                    .iter()
                    .filter(|i| i.accepted)
                    .filter_map(|i| i.chr.as_deref())
                    .filter(|c| c.contains("CVCA"))
                    .collect();
                need(
                    !links.is_empty(),
                    format!("link certificate(s) {} imported", links.join(", ")),
                )
            }
            Evidence::AaSigned => need(
                stats.aa_signatures > 0,
                format!("{} Active Authentication signature(s)", stats.aa_signatures),
            ),
            Evidence::All(all) => {
                let mut shown = Vec::new();
                for e in *all {
                    shown.push(e.check(stats)?);
                }
                Ok(shown.join("; "))
            }
        }
    }
}

/// The certificates the chip imported, by holder reference.
fn imported(stats: &ChipStats) -> Vec<&str> {
    stats
        .ta_imports
        .iter()
        .filter(|i| i.accepted)
        .filter_map(|i| i.chr.as_deref())
        .collect()
}

/// Dotted form of an OID's content bytes (`0.4.0.127.0.7.2.2.4.2.2`).
pub(crate) fn oid_text(bytes: &[u8]) -> String {
    icao9303::asn1::ObjectIdentifier::from_bytes(bytes)
        .map(|o| o.to_string())
        .unwrap_or_else(|_| format!("(malformed OID {bytes:02X?})"))
}
