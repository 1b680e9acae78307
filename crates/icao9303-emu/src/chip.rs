//! The emulated chip's command processing: SELECT, READ BINARY, BAC (GET CHALLENGE, EXTERNAL
//! AUTHENTICATE), secure messaging, Chip and Terminal Authentication, with ICAO 9303 access conditions.
//!
//! Before access control only the master file's EF.CardAccess and EF.ATR/INFO can be read.
//! Everything in the eMRTD application needs an established secure messaging session, and every command
//! of that session must be protected: an unprotected command ends it, and a wrong MAC ends it with 6988.
//! DG3 and DG4 need Terminal Authentication (after Chip Authentication, in the same session) with a
//! chain granting the right; otherwise 6982.

use crate::aa::AaKey;
use crate::ca::CaKey;
use crate::fault::{BacFault, CaFault, ChipFaults, EndOfFile, PaceFault, SmFaultKind};
use crate::fs::{Df, FileSystem};
use crate::pace::PaceChip;
use crate::rng::SeededRng;
use crate::stats::{CertificateImport, ChipStats, FaultKind, PaceSelection};
use crate::ta::{ImportOutcome, TaChip};
use icao9303::access::bac::ChipBac;
use icao9303::apdu::{CommandApdu, ResponseApdu, StatusWord};
use icao9303::asn1;
use icao9303::auth::terminal::id_picc_bac;
use icao9303::lds::LdsFile;
use icao9303::mrz::MrzKey;
use icao9303::reader::EMRTD_AID;
use icao9303::sm::SecureMessaging;

/// Behaviour switches of the emulated chip.
#[derive(Debug, Clone)]
pub struct ChipOptions {
    /// The chip offers BAC.
    pub bac: bool,
    /// The chip accepts extended-length APDUs.
    pub extended_length: bool,
    /// Largest Le the chip honours for READ BINARY (256 for short APDUs only).
    pub max_read: usize,
    /// The ATR says nothing about extended length (no card capabilities in its historical bytes, as
    /// when a contactless reader builds the ATR from the ATS), and the chip has no EF.ATR/INFO.
    pub silent_atr: bool,
    /// Go mute on a command APDU in extended-length form: no answer at all until the reader resets the
    /// chip (as some chips do when their buffer overflows).
    pub mute_on_extended: bool,
    /// Answer errors to protected commands with a plain status word (no DO'99'/DO'8E'), as some chips do.
    pub plain_errors: bool,
    /// Answer SELECT of the master file with this status word instead of 9000 (real chips answer 6982,
    /// 6A81, 6A86 or 6A87).
    pub select_mf_status: Option<StatusWord>,
    /// Reject a SELECT that carries Le (6700).
    pub reject_le_on_select: bool,
    /// Drop the field (the card is lost until the reader reconnects) when a READ BINARY asks for more than
    /// this many bytes.
    pub drop_field_above: Option<usize>,
    /// Hostile: answer the first command after Chip Authentication with a bare 6110 (no secure messaging
    /// objects, no MAC), as a clone without the Chip Authentication key would; the command itself is
    /// processed, so both sides' send sequence counters stay in step.
    pub mac_less_61xx_after_ca: bool,
    /// Hostile: answer every READ BINARY of this file with 6C10 and 6C20 in turn ("wrong Le, 16 bytes
    /// available", then "32 bytes available"), never with data.
    pub alternate_6cxx: Option<LdsFile>,
    /// Hostile: serve this file as one whose TLV length declares this many bytes: a new header (the
    /// file's first tag byte and a four-byte length), the real file after it, then zeros up to the
    /// declared length.
    pub declared_length: Option<(LdsFile, usize)>,
    /// Hostile: answer SELECT and READ BINARY of these files with the status word given instead (6A82
    /// for EF.CardAccess is what a man in the middle injects to hide PACE; 6982 for DG14 is a chip
    /// withholding its Chip Authentication key).
    pub refused_files: Vec<(LdsFile, StatusWord)>,
    /// Non-conforming: protected responses carry no DO'99' (the MAC covers the cryptogram only), so
    /// their status word travels outside the MAC, where a man in the middle can change it.
    pub status_outside_mac: bool,
    /// Answer an extended-length command under secure messaging with a plain 6700 and end the session;
    /// every protected command after it gets a plain 6988 until the reader resets the chip (as some chips
    /// do after refusing an extended-length probe).
    pub extended_refusal_ends_session: bool,
    /// Answer a READ BINARY whose offset + Le passes the end of the file with 6B00 ("wrong parameters")
    /// instead of the bytes up to the end (ISO/IEC 7816-4 allows either).
    pub wrong_parameters_past_end: bool,
    /// Send at most this many bytes of file data in one READ BINARY response, whatever Le asks for
    /// (with 9000 when the file has more): a chip with a small I/O buffer.
    pub response_cap: Option<usize>,
    /// Hostile, a relay between the reader and the chip: the chip's protected answer to SELECT or READ
    /// BINARY of these files is replaced by a bare 6A82 ("file not found", no DO'99' or DO'8E'), and
    /// the relay drops the link at the next command — the chip counted the answer it sent, the reader
    /// does not count a bare error, so their send sequence counters are out of step until the reader
    /// reconnects and runs access control again. A signed data group withheld this way must never be
    /// taken for one the chip does not have.
    pub relay_withholds: Vec<LdsFile>,
    /// The misbehaviours of a conformance lower tester ([`ChipFaults`]; none by default).
    pub faults: ChipFaults,
}

impl Default for ChipOptions {
    fn default() -> Self {
        ChipOptions {
            bac: true,
            extended_length: false,
            max_read: 256,
            silent_atr: false,
            mute_on_extended: false,
            select_mf_status: None,
            reject_le_on_select: false,
            drop_field_above: None,
            plain_errors: false,
            mac_less_61xx_after_ca: false,
            alternate_6cxx: None,
            declared_length: None,
            refused_files: Vec::new(),
            status_outside_mac: false,
            extended_refusal_ends_session: false,
            wrong_parameters_past_end: false,
            response_cap: None,
            relay_withholds: Vec::new(),
            faults: ChipFaults::default(),
        }
    }
}

/// How an emulated chip treats extended-length APDUs, and what it announces about them: the
/// configurations the read planner must handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtendedLengthBehaviour {
    /// Short APDUs only, and the ATR says so (the default).
    ShortAnnounced,
    /// Takes extended length up to 64 KB and announces it (ATR card capabilities and EF.ATR/INFO).
    Announced,
    /// Takes extended length up to 64 KB but announces nothing, as most passports and ID cards.
    Silent,
    /// Announces nothing and answers 6700 to an extended READ BINARY.
    Refused,
    /// Announces nothing and goes mute on an extended-length command.
    Mute,
}

impl ExtendedLengthBehaviour {
    /// Sets `options` to behave this way.
    pub fn apply(self, options: &mut ChipOptions) {
        let (accepts, silent, mute) = match self {
            ExtendedLengthBehaviour::ShortAnnounced => (false, false, false),
            ExtendedLengthBehaviour::Announced => (true, false, false),
            ExtendedLengthBehaviour::Silent => (true, true, false),
            ExtendedLengthBehaviour::Refused => (false, true, false),
            ExtendedLengthBehaviour::Mute => (false, true, true),
        };
        options.extended_length = accepts;
        options.max_read = if accepts { 65_536 } else { 256 };
        options.silent_atr = silent;
        options.mute_on_extended = mute;
    }
}

/// An emulated eMRTD chip.
#[derive(Clone)]
pub struct Chip {
    fs: FileSystem,
    options: ChipOptions,
    mrz_key: Option<MrzKey>,
    rng: SeededRng,
    df: Df,
    current_ef: Option<LdsFile>,
    bac: Option<ChipBac>,
    pace: Option<PaceChip>,
    sm: Option<SecureMessaging>,
    commands: u64,
    /// Chip Authentication key (DG14) and Active Authentication key (DG15), when personalised.
    ca: Option<CaKey>,
    aa: Option<AaKey>,
    /// MSE:Set AT for Chip Authentication (AES) was accepted; GENERAL AUTHENTICATE may follow.
    ca_at_set: bool,
    /// The session Chip Authentication established: installed after the response that ends CA is sent
    /// under the old keys.
    next_sm: Option<SecureMessaging>,
    field_lost: bool,
    /// The `mute_on_extended` quirk struck: no answer until reset.
    mute: bool,
    /// The `mac_less_61xx_after_ca` quirk: Chip Authentication just ended, the next answer is a bare 6110.
    plain_61xx_pending: bool,
    /// The `extended_refusal_ends_session` quirk struck: protected commands get 6988 until reset.
    session_dropped: bool,
    /// The `relay_withholds` relay replaced an answer: it drops the link at the next command.
    relay_drop_pending: bool,
    /// Terminal Authentication: trust points, current date and the session's progress.
    ta: Option<TaChip>,
    /// ID_PICC of this session (from BAC or PACE) and Comp() of the terminal's ephemeral Chip
    /// Authentication key (set when CA succeeds; TA v1 needs it).
    id_picc: Option<Vec<u8>>,
    ta_comp_pk_pcd: Option<Vec<u8>>,
    /// What the chip did ([`Chip::stats`]).
    stats: ChipStats,
    /// The `faults.secure_messaging` fault was injected (once per chip).
    sm_fault_done: bool,
    /// PACE established the current session (`faults.application_needs_pace`).
    pace_session: bool,
    /// The file and offset of the last READ BINARY answered with data.
    last_read: Option<(LdsFile, usize)>,
}

impl std::fmt::Debug for Chip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chip")
            .field("df", &self.df)
            .field("secure_messaging", &self.sm.is_some())
            .finish()
    }
}

fn sw(sw: StatusWord) -> ResponseApdu {
    ResponseApdu::status(sw)
}

impl Chip {
    /// A chip holding `fs`, keyed with `mrz_key` for BAC, drawing its random values from `rng`.
    pub fn new(
        fs: FileSystem,
        mrz_key: Option<MrzKey>,
        options: ChipOptions,
        rng: SeededRng,
    ) -> Self {
        Chip {
            fs,
            options,
            mrz_key,
            rng,
            df: Df::Master,
            current_ef: None,
            bac: None,
            pace: None,
            sm: None,
            commands: 0,
            ca: None,
            aa: None,
            ca_at_set: false,
            next_sm: None,
            field_lost: false,
            mute: false,
            plain_61xx_pending: false,
            session_dropped: false,
            relay_drop_pending: false,
            ta: None,
            id_picc: None,
            ta_comp_pk_pcd: None,
            stats: ChipStats::default(),
            sm_fault_done: false,
            pace_session: false,
            last_read: None,
        }
    }

    /// What the chip did so far: commands, status words, files served, protocols completed and the
    /// faults it injected. Kept across [`Chip::reset`].
    pub fn stats(&self) -> &ChipStats {
        &self.stats
    }

    /// Adds Terminal Authentication: EF.CVCA from the trust points, DG3/DG4 behind it.
    pub fn with_terminal_authentication(mut self, ta: TaChip) -> Self {
        self.ta = Some(ta);
        self.write_ef_cvca();
        self
    }

    /// EF.CVCA from the trust points, or the content `faults.ef_cvca` gives instead.
    fn write_ef_cvca(&mut self) {
        let content = match (&self.options.faults.ef_cvca, &self.ta) {
            (Some(fake), _) => fake.clone(),
            (None, Some(ta)) => ta.ef_cvca(),
            (None, None) => return,
        };
        self.fs.insert(LdsFile::Cvca, content);
    }

    /// The MRZ key that opens the chip with BAC (or PACE with the MRZ), if it has one.
    pub fn mrz_key(&self) -> Option<&MrzKey> {
        self.mrz_key.as_ref()
    }

    /// The chip's Terminal Authentication state, if it offers TA.
    pub fn terminal_authentication(&self) -> Option<&TaChip> {
        self.ta.as_ref()
    }

    /// Gives the chip a Chip Authentication key (published in DG14 by the personalisation).
    pub fn with_chip_authentication(mut self, key: CaKey) -> Self {
        self.ca = Some(key);
        self
    }

    /// Gives the chip an Active Authentication key (published in DG15 by the personalisation).
    pub fn with_active_authentication(mut self, key: AaKey) -> Self {
        self.aa = Some(key);
        self
    }

    /// Adds PACE (the chip's EF.CardAccess is written from its offers).
    pub fn with_pace(mut self, pace: PaceChip) -> Self {
        self.fs.insert(LdsFile::CardAccess, pace.card_access());
        self.pace = Some(pace);
        self
    }

    /// The chip's PACE, if it offers PACE.
    pub fn pace(&self) -> Option<&PaceChip> {
        self.pace.as_ref()
    }

    /// The chip's files.
    pub fn files(&self) -> &FileSystem {
        &self.fs
    }

    /// The chip's files, for tests that tamper with them.
    pub fn files_mut(&mut self) -> &mut FileSystem {
        &mut self.fs
    }

    /// The chip's options.
    pub fn options(&self) -> &ChipOptions {
        &self.options
    }

    /// The chip's options, to change after personalisation (a hostile behaviour on a personalised chip,
    /// as the `reader` fuzz target does on each run).
    pub fn options_mut(&mut self) -> &mut ChipOptions {
        &mut self.options
    }

    /// Sets the chip's faults (after personalisation), EF.CVCA included.
    pub fn set_faults(&mut self, faults: ChipFaults) {
        self.options.faults = faults;
        self.write_ef_cvca();
    }

    /// The chip went mute (the `mute_on_extended` quirk): it answers nothing until [`Chip::reset`].
    pub fn is_mute(&self) -> bool {
        self.mute
    }

    /// Number of command APDUs processed since power-on.
    pub fn command_count(&self) -> u64 {
        self.commands
    }

    /// The answer to reset: a contactless ISO 14443-4 card announcing extended length when it supports it
    /// (card capabilities, ISO/IEC 7816-4 section 8.1.1.2.7), or, with `silent_atr`, eight historical
    /// bytes saying nothing about it, as a PC/SC reader builds from a type B card's ATQB.
    pub fn atr(&self) -> Vec<u8> {
        // 3B 8x 80 01 + historical bytes; the last byte is the TCK checksum over T0..end.
        let hist: &[u8] = if self.options.silent_atr {
            &[0; 8]
        } else if self.options.extended_length {
            &[0x80, 0x73, 0xC8, 0x21, 0x40]
        } else {
            &[0x80, 0x73, 0xC8, 0x21, 0x00]
        };
        let mut atr = vec![0x3B, 0x80 | hist.len() as u8, 0x80, 0x01];
        atr.extend_from_slice(hist);
        let tck = atr[1..].iter().fold(0u8, |a, b| a ^ b);
        atr.push(tck);
        atr
    }

    /// Power-cycles the chip: back to the master file, no session.
    pub fn reset(&mut self) {
        self.new_ta_session(None);
        self.df = Df::Master;
        self.current_ef = None;
        self.bac = None;
        self.ca_at_set = false;
        self.next_sm = None;
        if let Some(pace) = self.pace.as_mut() {
            pace.reset();
        }
        if let Some(sm) = self.sm.as_mut() {
            sm.end();
        }
        self.sm = None;
        self.commands = 0;
        self.field_lost = false;
        self.mute = false;
        self.plain_61xx_pending = false;
        self.session_dropped = false;
        self.relay_drop_pending = false;
    }

    fn end_session(&mut self) {
        if let Some(sm) = self.sm.as_mut() {
            sm.end();
        }
        self.sm = None;
        self.pace_session = false;
        self.new_ta_session(None);
    }

    /// A secure messaging session began (or ended): Terminal Authentication starts over, with the
    /// session's ID_PICC.
    fn new_ta_session(&mut self, id_picc: Option<Vec<u8>>) {
        self.id_picc = id_picc;
        self.ta_comp_pk_pcd = None;
        if let Some(ta) = self.ta.as_mut() {
            ta.new_session();
        }
    }

    /// Processes one command APDU and returns the response APDU, as a card would.
    ///
    /// An empty answer means the chip has left the field (the `drop_field_above` quirk) or gone mute
    /// ([`Chip::is_mute`]): it stays silent until [`Chip::reset`].
    pub fn process(&mut self, command: &[u8]) -> Vec<u8> {
        if self.field_lost || self.mute {
            return Vec::new();
        }
        let answer = self.process_command(command);
        if let Ok(cmd) = CommandApdu::parse(command) {
            *self.stats.instructions.entry(cmd.ins).or_default() += 1;
            self.stats.extended_commands += u64::from(cmd.extended);
        }
        if let [.., sw1, sw2] = answer.as_slice() {
            *self
                .stats
                .status_words
                .entry(u16::from_be_bytes([*sw1, *sw2]))
                .or_default() += 1;
        }
        answer
    }

    fn process_command(&mut self, command: &[u8]) -> Vec<u8> {
        if std::mem::take(&mut self.relay_drop_pending) {
            tracing::debug!("emulator: the relay drops the link");
            self.field_lost = true;
            return Vec::new();
        }
        self.commands += 1;
        self.stats.commands += 1;
        let Ok(cmd) = CommandApdu::parse(command) else {
            return sw(StatusWord::WRONG_LENGTH).to_bytes();
        };
        if self.options.mute_on_extended && cmd.extended {
            tracing::debug!("emulator: mute after an extended-length command");
            self.mute = true;
            self.end_session();
            return Vec::new();
        }
        let protected = cmd.cla & 0x0C == 0x0C;
        if !protected {
            // An unprotected command ends a secure messaging session (ICAO 9303-11 section 9.8.6.1).
            self.end_session();
            let resp = self.dispatch(&cmd);
            return if self.field_lost {
                Vec::new()
            } else {
                resp.to_bytes()
            };
        }
        if self.options.extended_refusal_ends_session && cmd.extended && self.sm.is_some() {
            tracing::debug!("emulator: plain 6700 to an extended-length command, session ended");
            self.end_session();
            self.session_dropped = true;
            return sw(StatusWord::WRONG_LENGTH).to_bytes();
        }
        let Some(sm) = self.sm.as_mut() else {
            return sw(if self.session_dropped {
                StatusWord::SM_OBJECTS_INCORRECT
            } else {
                StatusWord::SM_NOT_SUPPORTED
            })
            .to_bytes();
        };
        let plain = match sm.unprotect_command(&cmd) {
            Ok(plain) => plain,
            Err(e) => {
                tracing::debug!(error = %e, "emulator: secure messaging error, session ended");
                self.end_session();
                return sw(StatusWord::SM_OBJECTS_INCORRECT).to_bytes();
            }
        };
        let resp = self.dispatch(&plain);
        if self.field_lost {
            return Vec::new();
        }
        if std::mem::take(&mut self.plain_61xx_pending) {
            tracing::debug!("emulator: bare 6110 after Chip Authentication");
            return sw(StatusWord(0x6110)).to_bytes();
        }
        if self.options.plain_errors
            && resp.data.is_empty()
            && !resp.sw.is_success()
            && resp.sw != StatusWord::END_OF_FILE
        {
            return resp.to_bytes();
        }
        if let Some(out) = self.secure_messaging_fault(&resp, plain.ins) {
            return out;
        }
        let status_outside_mac = self.options.status_outside_mac;
        let out = match self.sm.as_mut().map(|sm| {
            sm.protect_response(&resp, plain.ins).and_then(|r| {
                if status_outside_mac {
                    without_do99(sm, &r)
                } else {
                    Ok(r)
                }
            })
        }) {
            Some(Ok(r)) => r.to_bytes(),
            _ => sw(StatusWord(0x6F00)).to_bytes(),
        };
        if status_outside_mac {
            self.stats.fault(
                FaultKind::SecureMessaging,
                format!(
                    "protected answer to INS {:02X} without DO'99' (status outside the MAC)",
                    plain.ins
                ),
            );
        }
        if matches!(plain.ins, 0xA4 | 0xB0 | 0xB1)
            && self
                .current_ef
                .is_some_and(|f| self.options.relay_withholds.contains(&f))
        {
            tracing::debug!("emulator: the relay withholds the answer with a bare 6A82");
            self.relay_drop_pending = true;
            return sw(StatusWord::FILE_NOT_FOUND).to_bytes();
        }
        // Chip Authentication: its last response goes under the old keys, everything after under the new.
        // The session continues (ID_PICC and the CA key stay for Terminal Authentication).
        if self.next_sm.is_some()
            && self.options.faults.chip_authentication == Some(CaFault::KeepOldSessionKeys)
        {
            self.next_sm = None;
            self.stats.fault(
                FaultKind::ChipAuthentication,
                "Chip Authentication accepted, but the chip keeps the session keys of access control",
            );
        } else if self.next_sm.is_some() {
            self.stats.ca_completed += 1;
        }
        if let Some(next) = self.next_sm.take() {
            if let Some(old) = self.sm.as_mut() {
                old.end();
            }
            self.sm = Some(next);
            self.plain_61xx_pending = self.options.mac_less_61xx_after_ca;
        }
        out
    }

    fn dispatch(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        self.last_read = None;
        if self.ta.is_some()
            && self.sm.is_some()
            && matches!(
                (cmd.ins, cmd.p1),
                (0x22, 0x81) | (0x2A, _) | (0x84, _) | (0x82, _)
            )
        {
            return self.terminal_authentication_command(cmd);
        }
        match cmd.ins {
            0xA4 => self.select(cmd),
            0xB0 | 0xB1 => self.read_binary(cmd),
            0x84 => self.get_challenge(cmd),
            0x82 => self.external_authenticate(cmd),
            0x22 if cmd.p1 == 0x41 => self.chip_authentication_mse(cmd),
            0x86 if self.ca_at_set => self.chip_authentication_ga(cmd),
            0x88 => self.internal_authenticate(cmd),
            0x22 if (cmd.p1, cmd.p2) == (0xC1, 0xA4) => self.pace_mse_set_at(cmd),
            0x86 => self.general_authenticate(cmd),
            _ => sw(StatusWord::INS_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        if self.options.reject_le_on_select && cmd.le.is_some() {
            return sw(StatusWord::WRONG_LENGTH);
        }
        if let (Some(status), 0x00, [] | [0x3F, 0x00]) =
            (self.options.select_mf_status, cmd.p1, cmd.data.as_slice())
        {
            return sw(status);
        }
        match (cmd.p1, cmd.data.as_slice()) {
            (0x04, aid) if aid == EMRTD_AID && self.options.faults.application_select.is_some() => {
                let status = self
                    .options
                    .faults
                    .application_select
                    .unwrap_or(StatusWord::FILE_NOT_FOUND);
                self.stats.fault(
                    FaultKind::ApplicationSelection,
                    format!("SELECT of the eMRTD application answered {status}"),
                );
                sw(status)
            }
            (0x04, aid)
                if aid == EMRTD_AID
                    && self.options.faults.application_needs_pace
                    && !self.pace_session =>
            {
                self.stats.fault(
                    FaultKind::ApplicationSelection,
                    "SELECT of the eMRTD application refused (6982) before PACE",
                );
                sw(StatusWord::SECURITY_STATUS_NOT_SATISFIED)
            }
            (0x04, aid) if aid == EMRTD_AID => {
                self.df = Df::Application;
                self.current_ef = None;
                sw(StatusWord::OK)
            }
            (0x04, _) => sw(StatusWord::FILE_NOT_FOUND),
            (0x00, [] | [0x3F, 0x00]) => {
                self.df = Df::Master;
                self.current_ef = None;
                sw(StatusWord::OK)
            }
            (0x00 | 0x02, [hi, lo]) => {
                match self.fs.by_fid(self.df, u16::from_be_bytes([*hi, *lo])) {
                    Some(f) if let Some(status) = self.refusal(f) => {
                        self.current_ef = None;
                        sw(status)
                    }
                    Some(f) => {
                        self.current_ef = Some(f);
                        sw(StatusWord::OK)
                    }
                    None => sw(StatusWord::FILE_NOT_FOUND),
                }
            }
            _ => sw(StatusWord::WRONG_P1P2),
        }
    }

    /// The status word this chip answers for `file` instead of its content ([`ChipOptions::refused_files`]).
    fn refusal(&self, file: LdsFile) -> Option<StatusWord> {
        self.options
            .refused_files
            .iter()
            .find_map(|(f, status)| (*f == file).then_some(*status))
    }

    /// Files readable in the current state.
    fn readable(&self, file: LdsFile) -> bool {
        match file {
            LdsFile::CardAccess | LdsFile::AtrInfo => true,
            // DG3 and DG4 need Terminal Authentication granting the right, in this session.
            LdsFile::Dg(n @ (3 | 4)) => {
                self.sm.is_some() && self.ta.as_ref().is_some_and(|ta| ta.allows_dg(n))
            }
            _ => self.sm.is_some(),
        }
    }

    fn read_binary(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        let (file, offset) = if cmd.ins == 0xB1 {
            let Ok(off) = asn1::parse_tagged(&cmd.data, 0x54) else {
                return sw(StatusWord::WRONG_DATA);
            };
            if off.value.is_empty() || off.value.len() > 4 {
                return sw(StatusWord::WRONG_DATA);
            }
            (
                self.current_ef,
                off.value
                    .iter()
                    .fold(0usize, |a, b| (a << 8) | usize::from(*b)),
            )
        } else if cmd.p1 & 0x80 != 0 {
            match self.fs.by_sfi(self.df, cmd.p1 & 0x1F) {
                Some(f) => {
                    self.current_ef = Some(f);
                    (Some(f), usize::from(cmd.p2))
                }
                None => return sw(StatusWord::FILE_NOT_FOUND),
            }
        } else {
            (
                self.current_ef,
                usize::from(u16::from_be_bytes([cmd.p1 & 0x7F, cmd.p2])),
            )
        };
        let Some(file) = file else {
            return sw(StatusWord(0x6986));
        };
        if let Some(status) = self.refusal(file) {
            return sw(status);
        }
        if !self.readable(file) {
            return sw(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let Some(content) = self.fs.get(file) else {
            return sw(StatusWord::FILE_NOT_FOUND);
        };
        let Some(le) = cmd.le else {
            return sw(StatusWord::WRONG_LENGTH);
        };
        if self.options.alternate_6cxx == Some(file) {
            return sw(StatusWord(if self.commands.is_multiple_of(2) {
                0x6C10
            } else {
                0x6C20
            }));
        }
        if self.options.drop_field_above.is_some_and(|n| le > n) {
            tracing::debug!(le, "emulator: the field drops at this Le");
            self.field_lost = true;
            self.end_session();
            return ResponseApdu::new(Vec::new(), StatusWord(0));
        }
        if le > 256 && !(self.options.extended_length && cmd.extended)
            || le > self.options.max_read.max(1) && le != 256
        {
            return sw(StatusWord::WRONG_LENGTH);
        }
        let total = self.served_len(file, content);
        if offset > total {
            return sw(StatusWord::WRONG_PARAMETERS);
        }
        let budget = if cmd.ins == 0xB1 {
            // DO'53' header: tag, and one to three length bytes.
            le.saturating_sub(if le > 0x102 {
                4
            } else if le > 0x81 {
                3
            } else {
                2
            })
        } else {
            le
        };
        let budget = budget.min(self.options.max_read);
        if self.options.faults.end_of_file == Some(EndOfFile::WrongLength6Cxx)
            && offset.saturating_add(budget) > total
        {
            let left = total - offset;
            if left > 0 && left < 256 {
                self.stats.fault(
                    FaultKind::EndOfFile,
                    format!(
                        "READ BINARY of {} for {budget} bytes at offset {offset}: 6C{left:02X} ({left} left)",
                        file.name()
                    ),
                );
                return sw(StatusWord(0x6C00 | left as u16));
            }
        }
        if self.options.wrong_parameters_past_end && offset.saturating_add(budget) > total {
            return sw(StatusWord::WRONG_PARAMETERS);
        }
        let capped = self.options.response_cap.filter(|cap| budget > *cap);
        let budget = capped.unwrap_or(budget);
        self.stats.capped_reads += u64::from(capped.is_some() && offset + budget < total);
        let data = self.served_bytes(file, content, offset, budget);
        let eof_warning =
            self.options.faults.end_of_file == Some(EndOfFile::Warning6282) && data.len() < budget;
        if eof_warning && (le == 256 || le == 65536) {
            self.stats.fault(
                FaultKind::EndOfFile,
                format!(
                    "READ BINARY of {} with Le {le} at offset {offset}: {} bytes and 6282",
                    file.name(),
                    data.len()
                ),
            );
        }
        let short = data.len() < budget && (eof_warning || (le != 256 && le != 65536));
        let object_len = asn1::parse_header(content).ok().map(|h| h.total_len());
        self.last_read = Some((file, offset));
        self.stats
            .served(file, offset, data.len(), total, object_len);
        self.stats.odd_ins_reads += u64::from(cmd.ins == 0xB1);
        let data = if cmd.ins == 0xB1 {
            asn1::der::tlv(0x53, &data)
        } else {
            data
        };
        ResponseApdu::new(
            data,
            if short {
                StatusWord::END_OF_FILE
            } else {
                StatusWord::OK
            },
        )
    }

    /// The header the `declared_length` quirk puts in front of `file`, if it applies.
    fn declared_header(&self, file: LdsFile, content: &[u8]) -> Option<(Vec<u8>, usize)> {
        let (quirk_file, declared) = self.options.declared_length?;
        if quirk_file != file {
            return None;
        }
        let declared = declared.min(u32::MAX as usize);
        let mut header = vec![content.first().copied().unwrap_or(0x60), 0x84];
        header.extend_from_slice(&(declared as u32).to_be_bytes());
        Some((header, declared))
    }

    /// The length of `file` as the chip serves it.
    fn served_len(&self, file: LdsFile, content: &[u8]) -> usize {
        match self.declared_header(file, content) {
            Some((header, declared)) => header.len() + declared,
            None => content.len(),
        }
    }

    /// Up to `len` bytes of `file` from `offset`, as the chip serves it.
    fn served_bytes(&self, file: LdsFile, content: &[u8], offset: usize, len: usize) -> Vec<u8> {
        let end = offset
            .saturating_add(len)
            .min(self.served_len(file, content));
        match self.declared_header(file, content) {
            Some((header, _)) => (offset..end)
                .map(|i| match i.checked_sub(header.len()) {
                    None => header.get(i).copied().unwrap_or(0),
                    Some(j) => content.get(j).copied().unwrap_or(0),
                })
                .collect(),
            None => content.get(offset..end).unwrap_or_default().to_vec(),
        }
    }

    /// MSE:Set AT of PACE: the protocol, password and parameter id the terminal chose are counted.
    fn pace_mse_set_at(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        let Some(pace) = self.pace.as_mut() else {
            return sw(StatusWord::INS_NOT_SUPPORTED);
        };
        let objects = asn1::parse_all(&cmd.data).unwrap_or_default();
        let value = |tag| {
            objects
                .iter()
                .find(|o| o.tag == tag)
                .map(|o| o.value.to_vec())
        };
        self.stats.pace_selections.push(PaceSelection {
            oid: value(0x80).unwrap_or_default(),
            password: value(0x83).and_then(|v| v.first().copied()),
            parameter_id: value(0x84).and_then(|v| v.first().copied()),
        });
        if let Some(PaceFault::MseSetAt(status)) = self.options.faults.pace {
            pace.reset();
            self.stats.fault(
                FaultKind::Pace,
                format!("MSE:Set AT of PACE refused with {status}"),
            );
            return sw(status);
        }
        sw(pace.mse_set_at(&cmd.data))
    }

    fn general_authenticate(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        let Some(pace) = self.pace.as_mut() else {
            return sw(StatusWord::INS_NOT_SUPPORTED);
        };
        pace.set_fault(self.options.faults.pace);
        let result = pace.general_authenticate(&cmd.data, cmd.cla & 0x10 != 0, &mut self.rng);
        if let Some(detail) = pace.take_fault_event() {
            self.stats.fault(FaultKind::Pace, detail);
        }
        match result {
            Ok((data, session)) => {
                if let Some(session) = session {
                    self.stats.pace_completed += 1;
                    self.pace_session = true;
                    self.sm = Some(session);
                    let id_picc = self
                        .pace
                        .as_ref()
                        .and_then(|p| p.id_picc())
                        .map(<[u8]>::to_vec);
                    self.new_ta_session(id_picc);
                }
                ResponseApdu::new(data, StatusWord::OK)
            }
            Err(status) => sw(status),
        }
    }

    fn get_challenge(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        if !self.options.bac || self.df != Df::Application {
            return sw(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let Some(key) = &self.mrz_key else {
            return sw(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        if cmd.le != Some(8) {
            return sw(StatusWord::WRONG_LENGTH);
        }
        let mut bac = ChipBac::new(key);
        let challenge = bac.challenge(&mut self.rng);
        self.bac = Some(bac);
        ResponseApdu::new(challenge.to_vec(), StatusWord::OK)
    }

    fn external_authenticate(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        let Some(mut bac) = self.bac.take() else {
            return sw(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        if let Some(BacFault::Refuse(status)) = self.options.faults.bac {
            self.stats.fault(
                FaultKind::Bac,
                format!("EXTERNAL AUTHENTICATE refused with {status}"),
            );
            return sw(status);
        }
        match bac.external_authenticate(&cmd.data, &mut self.rng) {
            Ok((answer, session)) => {
                let answer = match self.options.faults.bac {
                    Some(fault @ (BacFault::WrongMac | BacFault::WrongCryptogram)) => {
                        self.bac_fault(answer, fault)
                    }
                    _ => answer,
                };
                self.sm = Some(session);
                self.stats.bac_completed += 1;
                let id_picc = match self.options.faults.ta_document_number.clone() {
                    Some(other) => self.other_document_id_picc(&other),
                    None => self.mrz_key.as_ref().map(id_picc_bac),
                };
                self.new_ta_session(id_picc);
                ResponseApdu::new(answer, StatusWord::OK)
            }
            Err(status) => sw(status),
        }
    }

    /// BAC's answer `E ‖ M` made wrong as `fault` says: the MAC changed, or the cryptogram resealed (with
    /// a valid MAC) around another RND.IFD.
    fn bac_fault(&mut self, mut answer: Vec<u8>, fault: BacFault) -> Vec<u8> {
        let Some(mrz_key) = &self.mrz_key else {
            return answer;
        };
        match fault {
            BacFault::WrongMac => {
                if let Some(last) = answer.last_mut() {
                    *last ^= 0x01;
                }
                self.stats.fault(
                    FaultKind::Bac,
                    "EXTERNAL AUTHENTICATE answer with a wrong MAC",
                );
            }
            BacFault::WrongCryptogram => {
                let keys = icao9303::access::bac::BacKeys::derive(mrz_key);
                if let Ok(Some(mut plain)) = keys.open(&answer) {
                    // RND.IC ‖ RND.IFD ‖ K.IC: change RND.IFD.
                    if let Some(b) = plain.get_mut(8) {
                        *b ^= 0xFF;
                    }
                    if let Ok(sealed) = keys.seal(&plain) {
                        answer = sealed;
                        self.stats.fault(
                            FaultKind::Bac,
                            "EXTERNAL AUTHENTICATE answer sealed around another RND.IFD (its MAC verifies)",
                        );
                    }
                }
            }
            BacFault::Refuse(_) => {}
        }
        answer
    }

    /// ID_PICC of BAC for another document number (the `ta_document_number` fault): the chip's MRZ key
    /// with that number.
    fn other_document_id_picc(&mut self, number: &str) -> Option<Vec<u8>> {
        let key = self.mrz_key.as_ref()?;
        let other = MrzKey::new(number, key.date_of_birth(), key.date_of_expiry()).ok()?;
        self.stats.fault(
            FaultKind::TerminalAuthentication,
            format!("Terminal Authentication bound to document number {number} (ID_PICC of BAC)"),
        );
        Some(id_picc_bac(&other))
    }

    /// The `faults.secure_messaging` fault, when this answer is the one to malform: the bytes to send.
    fn secure_messaging_fault(&mut self, resp: &ResponseApdu, ins: u8) -> Option<Vec<u8>> {
        let fault = self.options.faults.secure_messaging?;
        let applies = !self.sm_fault_done
            && matches!(ins, 0xB0 | 0xB1)
            && !resp.data.is_empty()
            && self
                .last_read
                .is_some_and(|(f, offset)| f == fault.file && offset >= fault.from);
        if !applies {
            return None;
        }
        self.sm_fault_done = true;
        let out = match fault.kind {
            SmFaultKind::PlainError(status) => {
                self.end_session();
                sw(status).to_bytes()
            }
            kind => {
                let sm = self.sm.as_mut()?;
                match crate::fault::malformed_response(sm, resp, ins, kind) {
                    Ok(r) => r.to_bytes(),
                    Err(_) => return None,
                }
            }
        };
        self.stats.fault(
            FaultKind::SecureMessaging,
            format!(
                "READ BINARY answer of {}: {}",
                fault.file.name(),
                fault.kind.describe()
            ),
        );
        Some(out)
    }

    /// MSE:Set KAT (3DES: keys change at once) or MSE:Set AT (AES: GENERAL AUTHENTICATE follows) of
    /// Chip Authentication; only inside secure messaging, in the eMRTD application.
    fn chip_authentication_mse(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        self.ca_at_set = false;
        let (Some(ca), Some(_)) = (&self.ca, &self.sm) else {
            return sw(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        if let Some(CaFault::Refuse(status)) = self.options.faults.chip_authentication {
            self.stats.fault(
                FaultKind::ChipAuthentication,
                format!("MSE for Chip Authentication refused with {status}"),
            );
            return sw(status);
        }
        match cmd.p2 {
            0xA6 => match ca.set_kat(&cmd.data) {
                Some(next) => {
                    self.next_sm = Some(next);
                    self.ta_comp_pk_pcd = ca_comp(&cmd.data, 0x91);
                    sw(StatusWord::OK)
                }
                None => sw(StatusWord::WRONG_DATA),
            },
            0xA4 if ca.set_at(&cmd.data) => {
                self.ca_at_set = true;
                sw(StatusWord::OK)
            }
            0xA4 => sw(StatusWord::WRONG_DATA),
            _ => sw(StatusWord::WRONG_P1P2),
        }
    }

    /// GENERAL AUTHENTICATE of Chip Authentication (AES): the terminal's ephemeral key in `7C{80}`.
    fn chip_authentication_ga(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        self.ca_at_set = false;
        match self
            .ca
            .as_ref()
            .and_then(|ca| ca.general_authenticate(&cmd.data))
        {
            Some(next) => {
                self.next_sm = Some(next);
                self.ta_comp_pk_pcd = asn1::parse_tagged(&cmd.data, 0x7C)
                    .ok()
                    .and_then(|t| ca_comp(t.value, 0x80));
                ResponseApdu::new(vec![0x7C, 0x00], StatusWord::OK)
            }
            None => sw(StatusWord::WRONG_DATA),
        }
    }

    /// INTERNAL AUTHENTICATE (Active Authentication): signs the 8-byte challenge with the DG15 key.
    fn internal_authenticate(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        let Some(aa) = &self.aa else {
            return sw(StatusWord::INS_NOT_SUPPORTED);
        };
        if self.sm.is_none() {
            return sw(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        if cmd.data.len() != 8 {
            return sw(StatusWord::WRONG_DATA);
        }
        let wrong_trailer = self.options.faults.aa_wrong_trailer;
        match aa.sign_with(&cmd.data, &mut self.rng, wrong_trailer) {
            Ok(sig) => {
                self.stats.aa_signatures += 1;
                if wrong_trailer {
                    self.stats.fault(
                        FaultKind::ActiveAuthentication,
                        "INTERNAL AUTHENTICATE signed a representative with a wrong ISO/IEC 9796-2 trailer",
                    );
                }
                ResponseApdu::new(sig, StatusWord::OK)
            }
            Err(status) => sw(status),
        }
    }

    /// The commands of Terminal Authentication, inside secure messaging: MSE:Set DST, PSO:Verify
    /// Certificate, MSE:Set AT, GET CHALLENGE and EXTERNAL AUTHENTICATE. TA version 1 needs Chip
    /// Authentication first (6985 before it).
    fn terminal_authentication_command(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        let (Some(ta), Some(comp)) = (self.ta.as_mut(), self.ta_comp_pk_pcd.as_ref()) else {
            return sw(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        match (cmd.ins, cmd.p1, cmd.p2) {
            (0x22, 0x81, 0xB6) => sw(ta.mse_set_dst(&cmd.data)),
            (0x22, 0x81, 0xA4) => sw(ta.mse_set_at(&cmd.data)),
            (0x2A, 0x00, 0xBE) => {
                let status = ta.pso_verify_certificate(&cmd.data);
                self.stats.ta_imports.push(match ta.last_import() {
                    Some(ImportOutcome::Accepted { chr, .. }) => CertificateImport {
                        chr: Some(chr.to_string()),
                        accepted: true,
                        reason: String::new(),
                    },
                    Some(ImportOutcome::Rejected { chr, reason }) => CertificateImport {
                        chr: chr.as_ref().map(ToString::to_string),
                        accepted: false,
                        reason: reason.clone(),
                    },
                    None => CertificateImport {
                        chr: None,
                        accepted: false,
                        reason: "no import".into(),
                    },
                });
                // A link certificate may have changed the trust points.
                self.write_ef_cvca();
                sw(status)
            }
            (0x84, 0x00, 0x00) if cmd.le == Some(8) => {
                let mut challenge = ta.get_challenge(&mut self.rng).to_vec();
                if let Some(n) = self.options.faults.ta_challenge_len {
                    challenge.resize(n, 0x5A);
                    self.stats.fault(
                        FaultKind::TerminalAuthentication,
                        format!("GET CHALLENGE answered with {n} bytes"),
                    );
                }
                ResponseApdu::new(challenge, StatusWord::OK)
            }
            (0x84, _, _) => sw(StatusWord::WRONG_LENGTH),
            (0x82, 0x00, 0x00) => {
                let Some(id_picc) = self.id_picc.as_ref() else {
                    return sw(StatusWord::CONDITIONS_NOT_SATISFIED);
                };
                let status = ta.external_authenticate(&cmd.data, id_picc, comp);
                if status == StatusWord::OK {
                    self.stats.ta_completed += 1;
                } else {
                    self.stats.ta_failed += 1;
                }
                sw(status)
            }
            _ => sw(StatusWord::WRONG_P1P2),
        }
    }
}

/// The `status_outside_mac` quirk: `protected` (as [`SecureMessaging::protect_response`] made it, under
/// the SSC `sm` holds now) rebuilt without DO'99': the cryptogram, then a MAC over the SSC and the
/// cryptogram only.
fn without_do99(
    sm: &SecureMessaging,
    protected: &ResponseApdu,
) -> Result<ResponseApdu, icao9303::sm::SmError> {
    use icao9303::crypto::{mac::mac, padding::pad};
    let mut data: Vec<u8> = asn1::parse_all(&protected.data)?
        .iter()
        .filter(|o| matches!(o.tag, 0x85 | 0x87))
        .flat_map(|o| o.raw.to_vec())
        .collect();
    let mut covered = sm.ssc().to_vec();
    covered.extend_from_slice(&data);
    let cc = mac(
        sm.cipher(),
        sm.k_mac(),
        &pad(&covered, sm.cipher().block_len()),
    )?;
    data.extend_from_slice(&asn1::der::tlv(0x8E, &cc));
    Ok(ResponseApdu::new(data, protected.sw))
}

/// Comp() of the terminal's ephemeral Chip Authentication key in data object `tag` of `data`: the
/// x-coordinate of the uncompressed point (the emulator's CA is ECDH).
fn ca_comp(data: &[u8], tag: u32) -> Option<Vec<u8>> {
    let point = asn1::find(data, tag).ok()??.value;
    let half = point.len().checked_sub(1)? / 2;
    (point.first() == Some(&0x04) && point.len() == 1 + 2 * half).then(|| point[1..=half].to_vec())
}
