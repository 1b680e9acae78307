//! The cost of a read: APDUs by kind, bytes each way, the READ BINARY block sizes used, the extended-length
//! probe and its outcome, resumes, and the time of each phase (access control, each file, chip
//! authentication). The reading session counts every exchange; the report carries the result as
//! `read_stats` (docs/report-schema.md). This is what a user compares readers and chips with.

use crate::options::ExtendedLengthPolicy;
pub use crate::read_plan::ProbeOutcome;
use crate::transport::{Capabilities, ExtendedLength};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The phase of the re-established access after the card was lost.
pub const PHASE_RESUME: &str = "resume";
/// The phase of access control (EF.CardAccess, PACE or BAC, EF.CardSecurity under PACE-CAM).
pub const PHASE_ACCESS_CONTROL: &str = "access control";
/// The phase of Active and Chip Authentication.
pub const PHASE_CHIP_AUTHENTICATION: &str = "chip authentication";
/// The phase of Terminal Authentication (EF.CVCA, the certificates, the signature).
pub const PHASE_TERMINAL_AUTHENTICATION: &str = "terminal authentication";
/// Exchanges outside any named phase (commands a caller sent itself).
const PHASE_OTHER: &str = "other";

/// The read statistics of one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ReadStats {
    /// Whether extended-length APDUs work with this reader and chip, as the transport said (`yes`, `no`,
    /// `unknown`).
    pub extended_length: ExtendedLength,
    /// The caller's extended-length policy (`auto`, `on`, `off`).
    pub extended_length_policy: ExtendedLengthPolicy,
    /// Largest command APDU the link carries, in bytes.
    pub max_command: usize,
    /// Largest response APDU the link carries, in bytes.
    pub max_response: usize,
    /// The extended-length probe, when one was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeStats>,
    /// Command/response pairs sent, of every kind (a command whose answer never came included).
    pub apdus: usize,
    /// APDUs by kind: `READ BINARY`, `READ BINARY (extended)`, `SELECT`, `GENERAL AUTHENTICATE`, … (the
    /// instruction of the plain command; "(extended)" when it went in extended-length form).
    pub apdus_by_kind: BTreeMap<String, usize>,
    /// Bytes of command APDUs as sent (secure messaging included).
    pub bytes_sent: usize,
    /// Bytes of response APDUs as received (status words included).
    pub bytes_received: usize,
    /// READ BINARY commands by the plaintext bytes they asked for, smallest first.
    pub read_blocks: Vec<BlockStats>,
    /// How often access control ran again and the read resumed where it stopped: the card was lost, or
    /// the chip ended secure messaging (`session_drops`).
    pub resumes: usize,
    /// How often the chip ended secure messaging right after refusing the extended-length probe (it
    /// answered the next protected command with 6987, 6988 or 6982); each is also a resume.
    pub session_drops: usize,
    /// The most plaintext bytes (Le terms) the chip sent in one READ BINARY response when asked for more
    /// with more left in the file: its response cap, which the read then kept to. Absent when the chip
    /// never sent less than asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_cap: Option<usize>,
    /// The time and traffic of each phase, in the order the phases first ran.
    pub phases: Vec<PhaseStats>,
}

/// The extended-length probe: one extended READ BINARY for the remainder of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeStats {
    /// The file it read: `EF.SOD`, `DG2`, …
    pub file: String,
    /// The offset it read from.
    pub offset: usize,
    /// The plaintext bytes it asked for.
    pub le: usize,
    /// `accepted` (data: extended length from then on), `refused` (an error: short blocks) or `link-lost`
    /// (no answer: resumed with short blocks).
    pub outcome: ProbeOutcome,
    /// The chip's status word when it answered, in hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// How many READ BINARY commands asked for `le` plaintext bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockStats {
    /// Plaintext bytes asked for (Le of the plain command).
    pub le: usize,
    /// READ BINARY commands of that size.
    pub count: usize,
}

/// The cost of one phase of the read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseStats {
    /// `access control`, `resume`, `chip authentication`, or a file's name (`EF.SOD`, `DG2`, …).
    pub phase: String,
    /// APDUs sent in it.
    pub apdus: usize,
    /// Command bytes sent in it.
    pub bytes_sent: usize,
    /// Response bytes received in it.
    pub bytes_received: usize,
    /// Wall-clock time spent in it (link, chip and this reader's computation), in milliseconds.
    #[serde(rename = "ms", serialize_with = "milliseconds")]
    pub time: Duration,
}

fn milliseconds<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1e6).round() / 1e3)
}

/// The name of an APDU kind from the plain command's instruction byte.
fn kind(ins: u8) -> &'static str {
    match ins {
        0xA4 => "SELECT",
        0xB0 | 0xB1 => "READ BINARY",
        0x84 => "GET CHALLENGE",
        0x82 => "EXTERNAL AUTHENTICATE",
        0x88 => "INTERNAL AUTHENTICATE",
        0x22 => "MANAGE SECURITY ENVIRONMENT",
        0x86 | 0x87 => "GENERAL AUTHENTICATE",
        0x2A => "PERFORM SECURITY OPERATION",
        0xC0 => "GET RESPONSE",
        _ => "other",
    }
}

/// Counts a session's exchanges into [`ReadStats`], with the phase they belong to.
#[derive(Debug, Default)]
pub(crate) struct StatsRecorder {
    stats: ReadStats,
    /// READ BINARY commands by plaintext Le.
    blocks: BTreeMap<usize, usize>,
    /// The phase running, and when it started.
    current: Option<(usize, Instant)>,
}

impl StatsRecorder {
    /// A recorder for a session whose link has `caps`, read with `policy`.
    pub fn new(caps: Capabilities, policy: ExtendedLengthPolicy) -> Self {
        StatsRecorder {
            stats: ReadStats {
                extended_length: caps.extended_length,
                extended_length_policy: policy,
                max_command: caps.max_command_len,
                max_response: caps.max_response_len,
                ..ReadStats::default()
            },
            ..StatsRecorder::default()
        }
    }

    /// The link's capabilities changed (after a reconnect the ATR may differ).
    pub fn set_capabilities(&mut self, caps: Capabilities) {
        self.stats.extended_length = caps.extended_length;
        self.stats.max_command = caps.max_command_len;
        self.stats.max_response = caps.max_response_len;
    }

    /// Ends the phase running (adding its time) and starts `phase`; a phase that ran before continues.
    pub fn enter(&mut self, phase: &str) {
        self.leave();
        let index = match self.stats.phases.iter().position(|p| p.phase == phase) {
            Some(i) => i,
            None => {
                self.stats.phases.push(PhaseStats {
                    phase: phase.to_string(),
                    apdus: 0,
                    bytes_sent: 0,
                    bytes_received: 0,
                    time: Duration::ZERO,
                });
                self.stats.phases.len() - 1
            }
        };
        self.current = Some((index, Instant::now()));
    }

    /// Ends the phase running, adding its time.
    pub fn leave(&mut self) {
        if let Some((index, since)) = self.current.take()
            && let Some(phase) = self.stats.phases.get_mut(index)
        {
            phase.time += since.elapsed();
        }
    }

    /// One exchange: the plain command's instruction, whether it went in extended form, and the bytes each
    /// way (`received` is zero when no answer came).
    pub fn exchange(&mut self, ins: u8, extended: bool, sent: usize, received: usize) {
        if self.current.is_none() {
            self.enter(PHASE_OTHER);
        }
        let s = &mut self.stats;
        s.apdus += 1;
        s.bytes_sent += sent;
        s.bytes_received += received;
        let name = if extended {
            format!("{} (extended)", kind(ins))
        } else {
            kind(ins).to_string()
        };
        *s.apdus_by_kind.entry(name).or_default() += 1;
        if let Some(phase) = self.current.and_then(|(index, _)| s.phases.get_mut(index)) {
            phase.apdus += 1;
            phase.bytes_sent += sent;
            phase.bytes_received += received;
        }
    }

    /// A READ BINARY asked for `le` plaintext bytes.
    pub fn read_block(&mut self, le: usize) {
        *self.blocks.entry(le).or_default() += 1;
    }

    /// The extended-length probe and what came of it.
    pub fn probe(&mut self, probe: ProbeStats) {
        self.stats.probe = Some(probe);
    }

    /// The read resumed after the card was lost.
    pub fn resumed(&mut self) {
        self.stats.resumes += 1;
    }

    /// The chip ended secure messaging after refusing the extended-length probe.
    pub fn session_dropped(&mut self) {
        self.stats.session_drops += 1;
    }

    /// The chip's response cap as the read plan learnt it.
    pub fn response_cap(&mut self, cap: Option<usize>) {
        self.stats.response_cap = cap;
    }

    /// The statistics so far (the phase running counts up to now).
    pub fn snapshot(&self) -> ReadStats {
        let mut stats = self.stats.clone();
        stats.read_blocks = self
            .blocks
            .iter()
            .map(|(&le, &count)| BlockStats { le, count })
            .collect();
        if let Some((index, since)) = self.current
            && let Some(phase) = stats.phases.get_mut(index)
        {
            phase.time += since.elapsed();
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn exchanges_are_counted_by_kind_and_phase() {
        let mut r = StatsRecorder::new(
            Capabilities::extended(ExtendedLength::Unknown),
            ExtendedLengthPolicy::Auto,
        );
        r.exchange(0xA4, false, 12, 2);
        r.enter(PHASE_ACCESS_CONTROL);
        r.exchange(0x86, false, 20, 40);
        r.exchange(0x86, false, 20, 40);
        r.enter("EF.SOD");
        r.read_block(223);
        r.exchange(0xB0, false, 15, 260);
        r.read_block(1500);
        r.exchange(0xB0, true, 17, 1540);
        r.enter(PHASE_ACCESS_CONTROL);
        r.exchange(0xA4, false, 12, 0);
        r.leave();
        let s = r.snapshot();
        assert_eq!(s.extended_length, ExtendedLength::Unknown);
        assert_eq!(s.max_response, 65_538);
        assert_eq!(s.apdus, 6);
        assert_eq!(s.bytes_sent, 96);
        assert_eq!(s.bytes_received, 1882);
        assert_eq!(s.apdus_by_kind["READ BINARY"], 1);
        assert_eq!(s.apdus_by_kind["READ BINARY (extended)"], 1);
        assert_eq!(s.apdus_by_kind["GENERAL AUTHENTICATE"], 2);
        assert_eq!(s.apdus_by_kind["SELECT"], 2);
        let names: Vec<&str> = s.phases.iter().map(|p| p.phase.as_str()).collect();
        assert_eq!(names, ["other", "access control", "EF.SOD"]);
        assert_eq!(s.phases[1].apdus, 3, "a phase that runs again continues");
        assert_eq!(s.phases[2].bytes_received, 1800);
        assert_eq!(
            s.read_blocks,
            [
                BlockStats { le: 223, count: 1 },
                BlockStats { le: 1500, count: 1 }
            ]
        );
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["extended_length"], "unknown");
        assert_eq!(json["extended_length_policy"], "auto");
        assert!(json["phases"][0]["ms"].is_number());
        assert!(json.get("probe").is_none());
    }
}
