//! How large a READ BINARY may be: what the link and the chip allow, and what the chip refused so far.
//!
//! A [`ReadPlanner`] lives as long as a reading session. It starts from the caller's bound and learns from
//! the chip: EF.ATR/INFO's largest response, every block answered in full, every size refused with 6700,
//! a field lost during a large read, a refused READ BINARY with a short file identifier, and the answer to
//! the one extended-length probe it asks for when the link may carry extended APDUs but the chip announced
//! nothing ([`ReadPlanner::probe_size`]).
//! [`ReadPlanner::block_size`] turns that and the link's state into the next block size; it does no I/O.
//!
//! Every byte of a chip is untrusted: a [`FileBudget`] bounds one file's read by its declared length and
//! by the number of READ BINARY commands, so a hostile chip can neither make the reader allocate without
//! bound nor keep it reading for ever.

use crate::options::ExtendedLengthPolicy;
use crate::sm::SecureMessaging;
use crate::transport::{Capabilities, ExtendedLength, SHORT_RESPONSE_LEN};

/// The largest plaintext block every chip takes under secure messaging with short APDUs (ICAO 9303-10
/// section 3.5.3 recommends reading in blocks of at most 0xDF bytes).
const SAFE_BLOCK: usize = 0xDF;

/// What the one extended-length probe of a session gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeOutcome {
    /// Not probed (yet).
    #[default]
    NotProbed,
    /// The chip answered with data: extended length for the rest of the session.
    Accepted,
    /// The chip answered with an error (6700, 6Cxx or any other): short blocks.
    Refused,
    /// The chip went mute or the field dropped: the read resumes with short blocks, no more probes.
    LinkLost,
}

/// How the next READ BINARY may use extended length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extended {
    /// Extended length is known to work (announced, forced, or the probe was accepted).
    Use,
    /// The link may carry it and the chip announced nothing: short blocks until the probe.
    Probe,
    /// Short APDUs only.
    Short,
}

/// The largest plaintext block whose response fits a short APDU (256 data bytes), under `sm` when secure
/// messaging is on: a READ BINARY asking for more must be sent in extended form.
pub(crate) fn short_block(sm: Option<&SecureMessaging>) -> usize {
    match sm {
        Some(sm) => sm.max_plain_response(SHORT_RESPONSE_LEN),
        None => SHORT_RESPONSE_LEN - 2,
    }
}

/// A limit one file's read reached (the limits are [`crate::reader::ReaderOptions::max_file_len`] and
/// [`crate::reader::ReaderOptions::max_read_rounds`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadLimit {
    /// The file's TLV header declares more bytes than the reader accepts.
    #[error("the file declares {declared} bytes, more than the reader's limit of {limit}")]
    FileTooLarge {
        /// The length the file's header declares (header included).
        declared: usize,
        /// The limit.
        limit: usize,
    },
    /// The chip did not deliver the file within the allowed number of READ BINARY commands (a chip
    /// answering 6Cxx or tiny blocks without end).
    #[error(
        "the chip did not deliver the file in {rounds} READ BINARY commands (the reader's limit is {limit})"
    )]
    TooManyRounds {
        /// READ BINARY commands sent for the file.
        rounds: usize,
        /// The limit.
        limit: usize,
    },
}

/// The limits on reading one file: its declared length and the READ BINARY commands it may take.
#[derive(Debug, Clone)]
pub(crate) struct FileBudget {
    max_len: usize,
    max_rounds: usize,
    rounds: usize,
}

impl FileBudget {
    /// A budget of `max_len` bytes and `max_rounds` READ BINARY commands.
    pub fn new(max_len: usize, max_rounds: usize) -> Self {
        FileBudget {
            max_len,
            max_rounds,
            rounds: 0,
        }
    }

    /// Counts one READ BINARY command; fails when it would exceed the limit.
    pub fn round(&mut self) -> Result<(), ReadLimit> {
        if self.rounds >= self.max_rounds {
            return Err(ReadLimit::TooManyRounds {
                rounds: self.rounds,
                limit: self.max_rounds,
            });
        }
        self.rounds += 1;
        Ok(())
    }

    /// Checks the total length a file's header declares.
    pub fn declared(&self, total: usize) -> Result<(), ReadLimit> {
        if total > self.max_len {
            return Err(ReadLimit::FileTooLarge {
                declared: total,
                limit: self.max_len,
            });
        }
        Ok(())
    }
}

/// The state of the link a READ BINARY goes over.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkState<'a> {
    /// What the transport carries.
    pub caps: Capabilities,
    /// The secure messaging session, when one is active (its padding and data objects cost bytes).
    pub sm: Option<&'a SecureMessaging>,
    /// The eMRTD application is selected: only its files are read with extended length (the master
    /// file's small files are read before the chip's limits are known or trusted).
    pub in_application: bool,
}

/// What the link and the chip allow for READ BINARY, and what the chip refused so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReadPlanner {
    /// The caller's bound on the plaintext bytes of one READ BINARY.
    max_block: Option<usize>,
    /// The caller's choice about extended length.
    policy: ExtendedLengthPolicy,
    /// What EF.ATR/INFO says about extended length, when the chip has one.
    chip_extended: Option<bool>,
    /// The chip's largest response data field, from EF.ATR/INFO.
    chip_max_response: Option<usize>,
    /// The extended-length probe's outcome.
    probe: ProbeOutcome,
    /// The largest READ BINARY (plaintext Le) the chip answered in full so far.
    le_ok: usize,
    /// The smallest READ BINARY the chip refused (6700) or dropped the field at.
    le_fail: Option<usize>,
    /// The link failed during a large READ BINARY: do not probe larger sizes again.
    field_dropped: bool,
    /// The chip refused a READ BINARY with a short file identifier: select files instead.
    sfi_refused: bool,
    /// The most the chip sends in one response (Le terms), learnt from an answer shorter than asked that
    /// was not the end of the file.
    response_cap: Option<usize>,
}

impl ReadPlanner {
    /// A planner bounded by the caller's largest block (`None`: only the link and the chip bound it), using
    /// extended length as `policy` says.
    pub fn new(max_block: Option<usize>, policy: ExtendedLengthPolicy) -> Self {
        ReadPlanner {
            max_block,
            policy,
            ..ReadPlanner::default()
        }
    }

    /// Whether extended length works, may work (probe), or is out, from the caller's policy, the link,
    /// EF.ATR/INFO and the probe.
    fn extended(&self, caps: Capabilities) -> Extended {
        match self.policy {
            ExtendedLengthPolicy::Off => return Extended::Short,
            ExtendedLengthPolicy::On => return Extended::Use,
            ExtendedLengthPolicy::Auto => {}
        }
        match (caps.extended_length, self.chip_extended) {
            (ExtendedLength::No, _) | (_, Some(false)) => Extended::Short,
            (ExtendedLength::Yes, _) | (_, Some(true)) => Extended::Use,
            (ExtendedLength::Unknown, None) => match self.probe {
                ProbeOutcome::NotProbed => Extended::Probe,
                ProbeOutcome::Accepted => Extended::Use,
                ProbeOutcome::Refused | ProbeOutcome::LinkLost => Extended::Short,
            },
        }
    }

    /// Whether the session may use extended length at all: announced, forced or not yet ruled out by the
    /// probe (EF.ATR/INFO is read only then).
    pub fn may_use_extended(&self, caps: Capabilities) -> bool {
        self.extended(caps) != Extended::Short
    }

    /// The largest plaintext block one READ BINARY may ask for: what the link, the chip (EF.ATR/INFO) and
    /// secure messaging allow, the caller's bound, and — when the chip refused a size — half way between
    /// the largest size it accepted and the smallest it refused, so the limit is found in a few reads.
    pub fn block_size(&self, link: LinkState<'_>) -> usize {
        let caps = link.caps;
        let link_max =
            if self.extended(caps) == Extended::Use && link.sm.is_some() && link.in_application {
                caps.max_response_len.min(65_538)
            } else {
                caps.max_response_len.min(SHORT_RESPONSE_LEN)
            };
        let chip = self
            .chip_max_response
            .map_or(usize::MAX, |n| n.saturating_add(2));
        let max_response = link_max.min(chip).max(3);
        let mut size = match link.sm {
            Some(sm) => sm.max_plain_response(max_response),
            None => max_response - 2,
        };
        if let Some(limit) = self.max_block {
            size = size.min(limit);
        }
        if let Some(cap) = self.response_cap {
            size = size.min(cap);
        }
        if let Some(fail) = self.le_fail {
            let probe = if self.field_dropped {
                // Probing again after a lost card costs a reconnect and a new access control: stay with
                // what worked, or the size every chip takes.
                self.le_ok.max(SAFE_BLOCK).min(fail.saturating_sub(1))
            } else if self.le_ok + 1 < fail {
                (self.le_ok + fail) / 2
            } else {
                self.le_ok
            };
            size = size.min(probe.max(1));
        }
        size.max(1)
    }

    /// What EF.ATR/INFO says: whether the chip takes extended length, and its largest response data field
    /// (`None`: not given).
    pub fn set_atr_info(&mut self, extended: bool, max_response: Option<usize>) {
        self.chip_extended = Some(extended);
        self.chip_max_response = if extended { max_response } else { Some(256) };
    }

    /// The plaintext bytes of the extended-length probe for the `remaining` bytes of a file, when one is
    /// due: the link may carry extended APDUs but the chip announced nothing and has not been probed,
    /// secure messaging is on, the eMRTD application is selected, and the remainder is larger than one
    /// short block. The probe asks for the whole remainder (as far as the link and the caller allow).
    pub fn probe_size(&self, link: LinkState<'_>, remaining: usize) -> Option<usize> {
        if self.extended(link.caps) != Extended::Probe || !link.in_application {
            return None;
        }
        let sm = link.sm?;
        let short = self.block_size(link);
        let mut size = sm
            .max_plain_response(link.caps.max_response_len.min(65_538))
            .min(remaining);
        if let Some(limit) = self.max_block {
            size = size.min(limit);
        }
        (size > short).then_some(size)
    }

    /// The chip answered the probe: with data (`accepted`) or with an error status word.
    pub fn probe_answered(&mut self, accepted: bool) {
        self.probe = if accepted {
            ProbeOutcome::Accepted
        } else {
            ProbeOutcome::Refused
        };
    }

    /// The link failed during the probe: no extended length for this chip, and no more probes.
    pub fn probe_lost(&mut self) {
        self.probe = ProbeOutcome::LinkLost;
    }

    /// The probe's outcome so far.
    #[cfg(test)]
    pub fn probe_outcome(&self) -> ProbeOutcome {
        self.probe
    }

    /// The chip answered a READ BINARY of `le` bytes in full.
    pub fn answered_in_full(&mut self, le: usize) {
        self.le_ok = self.le_ok.max(le);
    }

    /// The chip answered a READ BINARY with `sent` bytes (Le terms), fewer than asked, while the file
    /// holds more: that is the most it sends in one response, so asking for more costs as many APDUs
    /// (each one larger) as asking for that much.
    pub fn response_capped(&mut self, sent: usize) {
        if sent > 0 {
            self.response_cap = Some(self.response_cap.map_or(sent, |cap| cap.min(sent)));
        }
    }

    /// The response cap learnt so far ([`ReadPlanner::response_capped`]).
    pub fn response_cap(&self) -> Option<usize> {
        self.response_cap
    }

    /// The chip refused a READ BINARY of `le` bytes with 6700.
    pub fn refused(&mut self, le: usize) {
        self.le_fail = Some(self.le_fail.map_or(le, |f| f.min(le)));
    }

    /// The link failed during a READ BINARY of `le` bytes. Some chips drop the field when asked for a
    /// large block: above the size every chip takes, never ask that much again.
    pub fn link_failed(&mut self, le: usize) {
        if le > SAFE_BLOCK {
            self.refused(le);
            self.field_dropped = true;
        }
    }

    /// Whether to read with a short file identifier (when the caller allows it and the chip did not
    /// refuse one).
    pub fn use_sfi(&self, allowed: bool) -> bool {
        allowed && !self.sfi_refused
    }

    /// The chip refused a READ BINARY with a short file identifier.
    pub fn refuse_sfi(&mut self) {
        self.sfi_refused = true;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::crypto::cipher::CipherAlgorithm;
    use crate::options::{DEFAULT_MAX_FILE_LEN, DEFAULT_MAX_READ_ROUNDS};

    fn short() -> Capabilities {
        Capabilities::default()
    }

    fn extended() -> Capabilities {
        Capabilities::extended(ExtendedLength::Yes)
    }

    fn unknown() -> Capabilities {
        Capabilities::extended(ExtendedLength::Unknown)
    }

    fn sm(alg: CipherAlgorithm) -> SecureMessaging {
        let key = vec![0x11; alg.key_len()];
        SecureMessaging::new(alg, &key, &key, &vec![0; alg.block_len()]).unwrap()
    }

    fn link(
        caps: Capabilities,
        sm: Option<&SecureMessaging>,
        in_application: bool,
    ) -> LinkState<'_> {
        LinkState {
            caps,
            sm,
            in_application,
        }
    }

    #[test]
    fn short_apdus_without_secure_messaging_read_256_bytes() {
        assert_eq!(
            ReadPlanner::new(None, ExtendedLengthPolicy::Auto).block_size(link(
                short(),
                None,
                false
            )),
            256
        );
    }

    #[test]
    fn secure_messaging_costs_its_data_objects() {
        let aes = sm(CipherAlgorithm::Aes128);
        let tdes = sm(CipherAlgorithm::Tdes);
        let planner = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
        // 256 bytes of response data: DO'87' (tag, 3 length bytes, padding indicator), DO'99' (4), DO'8E'
        // (10) and padding to the block size leave 0xDF bytes with AES and 0xE7 with 3DES.
        let aes_block = planner.block_size(link(short(), Some(&aes), true));
        let tdes_block = planner.block_size(link(short(), Some(&tdes), true));
        assert_eq!(aes_block, aes.max_plain_response(258));
        assert_eq!(tdes_block, tdes.max_plain_response(258));
        assert!(aes_block < 256 && tdes_block < 256);
        assert!(aes_block >= SAFE_BLOCK, "{aes_block}");
    }

    #[test]
    fn extended_length_only_in_the_application_under_secure_messaging() {
        let aes = sm(CipherAlgorithm::Aes128);
        let planner = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
        let big = planner.block_size(link(extended(), Some(&aes), true));
        assert_eq!(big, aes.max_plain_response(65_538));
        assert!(big > 60_000);
        // The master file's files, and anything before access control: short reads.
        assert!(planner.block_size(link(extended(), Some(&aes), false)) < 256);
        assert_eq!(planner.block_size(link(extended(), None, true)), 256);
    }

    #[test]
    fn the_chip_and_the_caller_bound_the_block() {
        let aes = sm(CipherAlgorithm::Aes128);
        let mut planner = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
        planner.set_atr_info(true, Some(1024));
        assert_eq!(
            planner.block_size(link(extended(), Some(&aes), true)),
            aes.max_plain_response(1026)
        );
        let mut planner = ReadPlanner::new(Some(100), ExtendedLengthPolicy::Auto);
        planner.set_atr_info(true, Some(1024));
        assert_eq!(planner.block_size(link(extended(), Some(&aes), true)), 100);
        assert_eq!(
            ReadPlanner::new(Some(0), ExtendedLengthPolicy::Auto).block_size(link(
                short(),
                None,
                false
            )),
            1
        );
    }

    #[test]
    fn a_refused_size_is_bisected() {
        let mut planner = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
        let state = link(short(), None, true);
        planner.refused(256);
        // Nothing accepted yet: half of the refused size.
        assert_eq!(planner.block_size(state), 128);
        planner.answered_in_full(128);
        assert_eq!(planner.block_size(state), 192);
        planner.refused(192);
        assert_eq!(planner.block_size(state), 160);
        planner.answered_in_full(160);
        planner.refused(161);
        // Converged: the largest size accepted.
        assert_eq!(planner.block_size(state), 160);
        // A larger refusal does not raise the limit.
        planner.refused(250);
        assert_eq!(planner.block_size(state), 160);
    }

    #[test]
    fn a_capped_response_sets_the_block_size() {
        let aes = sm(CipherAlgorithm::Aes128);
        let mut planner = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
        let state = link(unknown(), Some(&aes), true);
        planner.probe_answered(true);
        assert!(planner.block_size(state) > 60_000);
        // Asked for the rest of the file, the chip sent 223 bytes: that is its cap.
        planner.response_capped(223);
        assert_eq!(planner.response_cap(), Some(223));
        assert_eq!(planner.block_size(state), 223);
        // A smaller answer lowers it; a larger one (or nothing) does not raise it.
        planner.response_capped(200);
        planner.response_capped(1000);
        planner.response_capped(0);
        assert_eq!(planner.block_size(state), 200);
        // Below what short APDUs carry: the short block, in short form.
        assert!(planner.block_size(state) <= short_block(Some(&aes)));
    }

    #[test]
    fn after_a_lost_field_no_more_probing() {
        let aes = sm(CipherAlgorithm::Aes128);
        let mut planner = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
        let state = link(extended(), Some(&aes), true);
        // Small reads lose no field: nothing learnt.
        planner.link_failed(100);
        assert!(planner.block_size(state) > 60_000);
        planner.link_failed(4096);
        assert_eq!(planner.block_size(state), SAFE_BLOCK);
        planner.answered_in_full(1000);
        assert_eq!(planner.block_size(state), 1000);
    }

    #[test]
    fn a_chip_that_announced_nothing_is_probed_once_for_the_remainder() {
        let aes = sm(CipherAlgorithm::Aes128);
        let mut planner = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
        let state = link(unknown(), Some(&aes), true);
        assert!(planner.may_use_extended(unknown()));
        // Short blocks until the probe.
        assert_eq!(planner.block_size(state), short_block(Some(&aes)));
        // No probe for what one short block reads, before secure messaging, or outside the application.
        assert_eq!(planner.probe_size(state, SAFE_BLOCK), None);
        assert_eq!(planner.probe_size(link(unknown(), None, true), 5000), None);
        assert_eq!(
            planner.probe_size(link(unknown(), Some(&aes), false), 5000),
            None
        );
        // The whole remainder in one extended READ BINARY.
        assert_eq!(planner.probe_size(state, 16_000), Some(16_000));
        assert_eq!(
            planner.probe_size(state, 100_000),
            Some(aes.max_plain_response(65_538))
        );
        // Accepted: extended length for the rest of the session, no more probes.
        planner.probe_answered(true);
        assert_eq!(planner.probe_outcome(), ProbeOutcome::Accepted);
        assert_eq!(planner.probe_size(state, 16_000), None);
        assert_eq!(planner.block_size(state), aes.max_plain_response(65_538));
    }

    #[test]
    fn a_refused_or_lost_probe_means_short_blocks_for_good() {
        let aes = sm(CipherAlgorithm::Aes128);
        let state = link(unknown(), Some(&aes), true);
        for lost in [false, true] {
            let mut planner = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
            if lost {
                planner.probe_lost();
            } else {
                planner.probe_answered(false);
            }
            assert_eq!(planner.probe_size(state, 16_000), None);
            assert_eq!(planner.block_size(state), short_block(Some(&aes)));
            assert!(!planner.may_use_extended(unknown()));
        }
    }

    #[test]
    fn the_policy_and_ef_atr_info_decide_before_any_probe() {
        let aes = sm(CipherAlgorithm::Aes128);
        let state = link(unknown(), Some(&aes), true);
        let off = ReadPlanner::new(None, ExtendedLengthPolicy::Off);
        assert_eq!(off.probe_size(state, 16_000), None);
        assert_eq!(
            off.block_size(link(extended(), Some(&aes), true)),
            SAFE_BLOCK
        );
        let on = ReadPlanner::new(None, ExtendedLengthPolicy::On);
        assert_eq!(on.probe_size(state, 16_000), None);
        assert!(on.block_size(state) > 60_000);
        // The caller's bound below a short block: nothing to probe for.
        let capped = ReadPlanner::new(Some(SAFE_BLOCK), ExtendedLengthPolicy::Auto);
        assert_eq!(capped.probe_size(state, 16_000), None);
        // EF.ATR/INFO answers the question: no probe either way.
        let mut announced = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
        announced.set_atr_info(true, Some(4096));
        assert_eq!(announced.probe_size(state, 16_000), None);
        assert_eq!(announced.block_size(state), aes.max_plain_response(4098));
        let mut refused = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
        refused.set_atr_info(false, None);
        assert_eq!(refused.probe_size(state, 16_000), None);
        assert_eq!(refused.block_size(state), SAFE_BLOCK);
        // A link that cannot carry them: never.
        let planner = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
        assert_eq!(
            planner.probe_size(link(short(), Some(&aes), true), 16_000),
            None
        );
    }

    #[test]
    fn a_file_budget_bounds_length_and_rounds() {
        let mut budget = FileBudget::new(1000, 3);
        assert_eq!(budget.declared(1000), Ok(()));
        assert_eq!(
            budget.declared(1001),
            Err(ReadLimit::FileTooLarge {
                declared: 1001,
                limit: 1000
            })
        );
        for _ in 0..3 {
            budget.round().unwrap();
        }
        assert_eq!(
            budget.round(),
            Err(ReadLimit::TooManyRounds {
                rounds: 3,
                limit: 3
            })
        );
        // The defaults read the largest file allowed in the smallest block every chip takes.
        assert!(DEFAULT_MAX_FILE_LEN.div_ceil(SAFE_BLOCK) < DEFAULT_MAX_READ_ROUNDS);
    }

    #[test]
    fn short_file_identifiers_until_refused() {
        let mut planner = ReadPlanner::new(None, ExtendedLengthPolicy::Auto);
        assert!(planner.use_sfi(true));
        assert!(!planner.use_sfi(false));
        planner.refuse_sfi();
        assert!(!planner.use_sfi(true));
    }
}
