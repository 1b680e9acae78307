//! The reading session: select the eMRTD application, authenticate, read files, and verify what was read
//! into a [`Document`] and a [`Report`].
//!
//! ```text
//! Transport → Reader → access control (BAC) → secure messaging → SELECT / READ BINARY → Document → Report
//! ```

use crate::Error;
use crate::access::pace::{self, CamData};
use crate::access::{Password, bac};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::asn1;
use crate::document::Document;
use crate::lds::LdsFile;
use crate::lds::security_infos::{PaceInfo, SecurityInfos};
use crate::report::{AccessReport, Check, Report};
use crate::sm::SecureMessaging;
use crate::transport::{Channel, Transport};
use rand_core::CryptoRng;
use std::collections::BTreeSet;

/// The eMRTD application identifier (ICAO 9303-10 section 4.1).
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

const STEP_SELECT_APP: &str = "SELECT eMRTD application";
const STEP_SELECT_MF: &str = "SELECT master file";
const STEP_SELECT_EF: &str = "SELECT EF";
const STEP_READ: &str = "READ BINARY";

/// Choices a caller can make about a session.
#[derive(Debug, Clone)]
pub struct ReaderOptions {
    /// Read with short file identifiers (READ BINARY with SFI) instead of SELECT + READ BINARY. The reader
    /// falls back to SELECT on its own when a chip refuses SFI reads.
    pub use_short_file_ids: bool,
    /// An upper bound on the plaintext bytes asked for by one READ BINARY (the reader may go lower when the
    /// chip answers 6700 or 6Cxx).
    pub max_read_block: Option<usize>,
    /// Data groups to read besides those EF.COM and EF.SOD list.
    pub extra_data_groups: Vec<u8>,
    /// Trust anchors (CSCAs, CRLs) for passive authentication. Without them the EF.SOD signature is still
    /// verified and the certificate chain is reported as not checked.
    pub trust: Option<std::sync::Arc<crate::pki::TrustStore>>,
    /// Reference time for certificate validity; the system clock when `None`.
    pub at: Option<crate::pki::Time>,
    /// Run Chip Authentication when DG14 offers it ([`Reader::read_document_with_rng`]).
    pub chip_authentication: bool,
    /// Run Active Authentication when DG15 is present ([`Reader::read_document_with_rng`]).
    pub active_authentication: bool,
    /// The Active Authentication challenge to send (so a remote verifier can bind the session); a fresh
    /// one from the RNG when `None`.
    pub aa_challenge: Option<[u8; 8]>,
    /// Use BAC when PACE fails for a reason other than a wrong password. Off by default: a silent
    /// downgrade from PACE to BAC is an attack; the report marks a fallback.
    pub allow_bac_fallback: bool,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            use_short_file_ids: true,
            max_read_block: None,
            extra_data_groups: Vec::new(),
            trust: None,
            at: None,
            chip_authentication: true,
            active_authentication: true,
            aa_challenge: None,
            allow_bac_fallback: false,
        }
    }
}

/// What a read does when the link fails: `Ok(true)` after re-establishing access (with the RNG, if any),
/// `Ok(false)` to give up.
type Recover<'a, S, R> = dyn FnMut(&mut S, &Error, Option<&mut R>) -> Result<bool, Error> + 'a;

/// A session with one chip over a [`Transport`].
pub struct Reader<T: Transport> {
    transport: T,
    sm: Option<SecureMessaging>,
    access: Option<AccessReport>,
    options: ReaderOptions,
    /// The largest READ BINARY (plaintext Le) the chip answered in full so far.
    le_ok: usize,
    /// The smallest READ BINARY the chip refused (6700) or dropped the field at; remembered for the session.
    le_fail: Option<usize>,
    /// The link failed during a large READ BINARY: do not probe larger sizes again.
    field_dropped: bool,
    /// The chip's largest response data field, from EF.ATR/INFO.
    chip_max_response: Option<usize>,
    /// The elementary file currently selected (by SELECT or a READ BINARY with SFI).
    current_ef: Option<LdsFile>,
    /// EF.ATR/INFO as read before access control, if the chip has one and the link could use it.
    atr_info: Option<Vec<u8>>,
    /// Set when the chip refused a READ BINARY with a short file identifier.
    sfi_refused: bool,
    notes: Vec<Check>,
    /// EF.CardAccess as read before access control, if the chip has one.
    card_access: Option<Vec<u8>>,
    /// The chip authentication data of PACE-CAM, kept for verification against EF.CardSecurity.
    cam: Option<CamData>,
    /// EF.CardSecurity, read from the master file under PACE-CAM's secure messaging.
    card_security: Option<Vec<u8>>,
    /// The eMRTD application was selected in this session (a new access control first re-selects the MF).
    app_selected: bool,
    progress: Option<ProgressHook>,
}

/// Called while a file is read with the file, the bytes read so far and the file's total length (see
/// [`Reader::set_progress`]).
pub type ProgressHook = Box<dyn FnMut(LdsFile, usize, usize) + Send>;

/// The link a protocol step talks through: the transport plus secure messaging when active.
struct Link<'a, T: Transport> {
    transport: &'a mut T,
    sm: &'a mut Option<SecureMessaging>,
}

impl<T: Transport> crate::auth::Session for Link<'_, T> {
    fn restart_secure_messaging(&mut self, sm: SecureMessaging) {
        if let Some(old) = self.sm.as_mut() {
            old.end();
        }
        *self.sm = Some(sm);
    }
}

impl<T: Transport> Channel for Link<'_, T> {
    fn exchange(
        &mut self,
        step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, Error> {
        let wire = match self.sm.as_mut() {
            Some(sm) => sm
                .protect_command(command)
                .map_err(|source| Error::SecureMessaging { step, source })?,
            None => command.clone(),
        };
        let raw = self
            .transport
            .transmit(&wire.to_bytes()?)
            .map_err(|source| Error::Transport { step, source })?;
        let resp = ResponseApdu::parse(&raw).map_err(|e| Error::protocol(step, e.to_string()))?;
        match self.sm.as_mut() {
            Some(sm) => sm
                .unprotect_response(&resp)
                .map_err(|source| Error::SecureMessaging { step, source }),
            None => Ok(resp),
        }
    }
}

impl<T: Transport> Reader<T> {
    /// A session over `transport` with default options.
    pub fn new(transport: T) -> Self {
        Self::with_options(transport, ReaderOptions::default())
    }

    /// A session over `transport` with the given options.
    pub fn with_options(transport: T, options: ReaderOptions) -> Self {
        Reader {
            transport,
            sm: None,
            access: None,
            options,
            le_ok: 0,
            le_fail: None,
            field_dropped: false,
            chip_max_response: None,
            current_ef: None,
            atr_info: None,
            sfi_refused: false,
            notes: Vec::new(),
            card_access: None,
            cam: None,
            card_security: None,
            app_selected: false,
            progress: None,
        }
    }

    /// Reports reading progress to `hook` (e.g. a progress bar): once a file's length is known and after every
    /// block read.
    pub fn set_progress(&mut self, hook: ProgressHook) {
        self.progress = Some(hook);
    }

    fn report_progress(&mut self, file: LdsFile, done: usize, total: usize) {
        if let Some(hook) = self.progress.as_mut() {
            hook(file, done.min(total), total);
        }
    }

    /// The PACE-CAM chip authentication data of this session, if PACE-CAM was used.
    pub fn chip_auth_data(&self) -> Option<&CamData> {
        self.cam.as_ref()
    }

    /// EF.CardAccess as read before access control, if the chip has one.
    pub fn card_access(&self) -> Option<&[u8]> {
        self.card_access.as_deref()
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably (e.g. to read a link model's counters between steps).
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// The transport, for callers that need it back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// How access was gained, once [`Reader::authenticate`] succeeded.
    pub fn access(&self) -> Option<&AccessReport> {
        self.access.as_ref()
    }

    fn link(&mut self) -> Link<'_, T> {
        Link {
            transport: &mut self.transport,
            sm: &mut self.sm,
        }
    }

    /// Sends one command through secure messaging when active.
    pub fn exchange(
        &mut self,
        step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, Error> {
        self.link().exchange(step, command)
    }

    /// Selects the eMRTD application by its AID (no Le, as field lesson 1 says).
    pub fn select_application(&mut self) -> Result<(), Error> {
        let cmd = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
        let resp = self.exchange(STEP_SELECT_APP, &cmd)?;
        if resp.sw != StatusWord::OK {
            return Err(Error::Status {
                step: STEP_SELECT_APP,
                sw: resp.sw,
            });
        }
        self.app_selected = true;
        self.current_ef = None;
        Ok(())
    }

    /// Gains access to the chip with `password` and establishes secure messaging.
    ///
    /// The random values of the protocol are drawn from `rng` (see each protocol for the order), so a
    /// session replays deterministically from a recorded trace.
    pub fn authenticate<R: CryptoRng + ?Sized>(
        &mut self,
        password: &Password,
        rng: &mut R,
    ) -> Result<&AccessReport, Error> {
        self.sm = None;
        self.cam = None;
        self.access = None;
        let infos = self.read_card_access()?;
        let offers: Vec<PaceInfo> = infos.iter().flat_map(|i| i.pace_infos().cloned()).collect();
        let mut pace_failure = None;
        if let Some(infos) = infos.as_ref().filter(|_| !offers.is_empty()) {
            match self.pace(password, infos, offers, rng) {
                Ok(report) => return Ok(self.access.insert(report)),
                // Never downgrade silently: BAC only when the caller allowed it, and never for a wrong
                // password (BAC would fail the same way) or a CAN (BAC cannot use it).
                Err(e)
                    if self.options.allow_bac_fallback
                        && !e.is_access_denied()
                        && matches!(password, Password::Mrz(_)) =>
                {
                    pace_failure = Some(e.to_string());
                }
                Err(e) => return Err(e),
            }
        }
        self.sm = None;
        self.select_application()?;
        let key = match password {
            Password::Mrz(key) => key,
            Password::Can(_) => {
                return Err(Error::Usage(
                    "a CAN works only with PACE, and this chip offers no PACE (EF.CardAccess lists none)"
                        .into(),
                ));
            }
        };
        let sm = bac::authenticate(&mut self.link(), key, rng)?;
        if let Some(why) = &pace_failure {
            self.notes.push(Check::valid_with_warning(
                "Access control",
                format!("PACE failed ({why}); BAC was used because fallback was allowed"),
            ));
        }
        let report = AccessReport {
            protocol: "BAC".into(),
            password: password.kind().into(),
            cipher: sm.cipher().name().into(),
            mapping: None,
            parameter_id: None,
            protocol_oid: None,
            fallback: pace_failure.is_some(),
        };
        self.sm = Some(sm);
        Ok(self.access.insert(report))
    }

    /// Reads EF.CardAccess from the master file, before the application is selected. A chip without it
    /// (or refusing it) offers no PACE.
    fn read_card_access(&mut self) -> Result<Option<SecurityInfos>, Error> {
        if self.app_selected {
            // Back to the master file: explicit form first, then the implicit one (field lesson 2).
            for data in [vec![0x3F, 0x00], Vec::new()] {
                let cmd = CommandApdu::new(0x00, 0xA4, 0x00, 0x0C).with_data(data);
                if self.exchange(STEP_SELECT_MF, &cmd)?.sw == StatusWord::OK {
                    break;
                }
            }
            self.app_selected = false;
        }
        self.card_access = None;
        match self.read_file(LdsFile::CardAccess) {
            Ok(Some(bytes)) => {
                let parsed = SecurityInfos::parse(&bytes);
                self.card_access = Some(bytes);
                match parsed {
                    Ok(infos) => Ok(Some(infos)),
                    // A chip that has EF.CardAccess offers PACE: a broken file must not turn into a silent
                    // downgrade to BAC.
                    Err(e) if !self.options.allow_bac_fallback => Err(Error::File {
                        file: LdsFile::CardAccess.name(),
                        what: format!("cannot be parsed ({e}); not falling back to BAC unless allowed"),
                    }),
                    Err(e) => {
                        self.notes.push(Check::valid_with_warning(
                            "Access control",
                            format!("EF.CardAccess cannot be parsed ({e}); BAC was used because fallback was allowed"),
                        ));
                        Ok(None)
                    }
                }
            }
            Ok(None) => Ok(None),
            // How chips without EF.CardAccess (or without SFI support in the master file) answer.
            Err(Error::Status { sw, .. })
                if matches!(sw.0, 0x6A82 | 0x6A88 | 0x6982 | 0x6986 | 0x6A86 | 0x6A81 | 0x6D00) =>
            {
                Ok(None)
            }
            Err(e) if self.options.allow_bac_fallback => {
                tracing::warn!(error = %e, "EF.CardAccess could not be read");
                Ok(None)
            }
            Err(e) => Err(e),
        }
        .and_then(|infos| {
            self.read_atr_info()?;
            Ok(infos)
        })
    }

    /// Reads EF.ATR/INFO (once per session) when the link can carry extended length, to learn the chip's
    /// largest response. A chip without it keeps the link's limits.
    fn read_atr_info(&mut self) -> Result<(), Error> {
        if self.atr_info.is_some() || !self.transport.capabilities().extended_length {
            return Ok(());
        }
        match self.read_file(LdsFile::AtrInfo) {
            Ok(Some(bytes)) => {
                match crate::lds::atr_info::AtrInfo::parse(&bytes) {
                    Ok(info) => {
                        self.chip_max_response = match (info.extended_length, info.max_response_len)
                        {
                            (true, Some(n)) => Some(n),
                            (true, None) => None,
                            (false, _) => Some(256),
                        };
                    }
                    Err(e) => tracing::warn!(error = %e, "EF.ATR/INFO cannot be parsed"),
                }
                self.atr_info = Some(bytes);
                Ok(())
            }
            Ok(None) | Err(Error::Status { .. }) | Err(Error::File { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// PACE with the strongest offer first (then the others if an offer cannot be run); the parameter id is
    /// sent whenever several PACEInfos are offered (field lesson 1).
    fn pace<R: CryptoRng + ?Sized>(
        &mut self,
        password: &Password,
        infos: &SecurityInfos,
        offers: Vec<PaceInfo>,
        rng: &mut R,
    ) -> Result<AccessReport, Error> {
        // The strongest offer this reader can run. Only that one is tried: falling back to a weaker PACE
        // variant after a failure would let an active attacker strip PACE-CAM.
        let several = offers.len() > 1;
        let info = offers
            .iter()
            .filter(|o| pace_supported(o, infos))
            .max_by_key(|o| pace_strength(o))
            .ok_or_else(|| {
                Error::protocol("PACE", "none of the offered PACE variants is supported")
            })?;
        let domain = infos.pace_domain(info);
        match pace::authenticate(
            &mut self.link(),
            password,
            info,
            domain.as_ref(),
            several,
            rng,
        ) {
            Ok(outcome) => {
                let report = AccessReport {
                    protocol: "PACE".into(),
                    password: password.kind().into(),
                    cipher: outcome.cipher.name().into(),
                    mapping: Some(outcome.mapping.name().into()),
                    parameter_id: outcome.parameter_id.and_then(|id| u8::try_from(id).ok()),
                    protocol_oid: crate::asn1::ObjectIdentifier::from_bytes(&outcome.protocol_oid)
                        .ok()
                        .map(|o| o.to_string()),
                    fallback: false,
                };
                self.sm = Some(outcome.sm);
                self.cam = outcome.chip_auth;
                self.card_security = None;
                if self.cam.is_some() {
                    // EF.CardSecurity is in the master file, readable only now, under secure messaging.
                    match self.read_file(LdsFile::CardSecurity) {
                        Ok(bytes) => self.card_security = bytes,
                        Err(Error::Status { sw, .. }) => {
                            tracing::debug!(%sw, "EF.CardSecurity not readable");
                        }
                        Err(e) => return Err(e),
                    }
                }
                self.select_application()?;
                Ok(report)
            }
            Err(Error::Status { sw, .. }) if sw == StatusWord::DATA_NOT_FOUND => {
                // MSE:Set AT refused the password reference: this chip does not take that password.
                Err(Error::Usage(format!(
                    "the chip does not accept the {} as PACE password{}",
                    password.kind(),
                    if matches!(password, Password::Mrz(_)) {
                        ": give the CAN (--can)"
                    } else {
                        ""
                    }
                )))
            }
            Err(e) => {
                self.sm = None;
                Err(e)
            }
        }
    }

    /// The largest plaintext block one READ BINARY may ask for now: what the link, the chip (EF.ATR/INFO)
    /// and secure messaging allow, the caller's bound, and — when the chip refused a size — half way between
    /// the largest size it accepted and the smallest it refused, so the limit is found in a few reads.
    fn block_size(&self) -> usize {
        let caps = self.transport.capabilities();
        // Extended length only for the application's files: the small master-file files (EF.CardAccess,
        // EF.ATR/INFO, EF.CardSecurity) are read before the chip's limits are known or trusted.
        let link = if caps.extended_length && self.sm.is_some() && self.app_selected {
            caps.max_response_len.min(65_538)
        } else {
            caps.max_response_len.min(258)
        };
        let chip = self
            .chip_max_response
            .map_or(usize::MAX, |n| n.saturating_add(2));
        let max_response = link.min(chip).max(3);
        let mut size = match &self.sm {
            Some(sm) => sm.max_plain_response(max_response),
            None => max_response - 2,
        };
        if let Some(limit) = self.options.max_read_block {
            size = size.min(limit);
        }
        if let Some(fail) = self.le_fail {
            let probe = if self.field_dropped {
                // Probing again after a lost card costs a reconnect and a new access control: stay with
                // what worked, or the size every chip takes.
                self.le_ok.max(0xDF).min(fail - 1)
            } else if self.le_ok + 1 < fail {
                (self.le_ok + fail) / 2
            } else {
                self.le_ok
            };
            size = size.min(probe.max(1));
        }
        size.max(1)
    }

    fn select_ef(&mut self, file: LdsFile) -> Result<bool, Error> {
        let cmd =
            CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(file.fid().to_be_bytes().to_vec());
        let resp = self.exchange(STEP_SELECT_EF, &cmd)?;
        match resp.sw {
            StatusWord::OK => {
                self.current_ef = Some(file);
                Ok(true)
            }
            StatusWord::FILE_NOT_FOUND => Ok(false),
            sw => Err(Error::Status {
                step: STEP_SELECT_EF,
                sw,
            }),
        }
    }

    /// One READ BINARY at `offset` for up to `len` bytes; `sfi` reads with a short file identifier (offset
    /// below 256). Adapts the length on 6700 / 6Cxx and remembers what the chip refused. Returns `None`
    /// when the file does not exist.
    fn read_binary(
        &mut self,
        sfi: Option<u8>,
        offset: usize,
        len: usize,
    ) -> Result<Option<Vec<u8>>, Error> {
        // With odd INS B1 the data comes inside DO'53': its header counts against Le.
        let do53_header = |n: usize| 1 + asn1::der::length_octets(n);
        let mut le = len.min(self.block_size()).max(1);
        loop {
            let odd = offset > 0x7FFF && sfi.is_none();
            let payload = if odd {
                let mut p = le.saturating_sub(4).max(1);
                while p + 1 + do53_header(p + 1) <= le {
                    p += 1;
                }
                p
            } else {
                le
            };
            let cmd = match sfi {
                Some(sfi) => CommandApdu::new(0x00, 0xB0, 0x80 | sfi, offset as u8).with_le(le),
                None if !odd => {
                    CommandApdu::new(0x00, 0xB0, (offset >> 8) as u8, offset as u8).with_le(le)
                }
                None => {
                    // Offsets beyond 32767: odd INS B1 with the offset in DO'54' and the data in DO'53'.
                    let off = (offset as u32).to_be_bytes();
                    let skip = off.iter().take_while(|b| **b == 0).count().min(3);
                    CommandApdu::new(0x00, 0xB1, 0x00, 0x00)
                        .with_data(asn1::der::tlv(0x54, &off[skip..]))
                        .with_le(payload + do53_header(payload))
                }
            };
            let resp = match self.exchange(STEP_READ, &cmd) {
                Ok(resp) => resp,
                Err(e @ Error::Transport { .. }) => {
                    // Some chips drop the field when asked for a large block: never ask that much again.
                    if le > 0xDF {
                        self.le_fail = Some(self.le_fail.map_or(le, |f| f.min(le)));
                        self.field_dropped = true;
                    }
                    return Err(e);
                }
                Err(e) => return Err(e),
            };
            match resp.sw {
                StatusWord::OK | StatusWord::END_OF_FILE => {
                    let data = if cmd.ins == 0xB1 {
                        asn1::parse_tagged(&resp.data, 0x53)
                            .map_err(|e| Error::protocol(STEP_READ, format!("DO'53': {e}")))?
                            .value
                            .to_vec()
                    } else {
                        resp.data
                    };
                    if data.len() > payload {
                        return Err(Error::protocol(
                            STEP_READ,
                            format!("asked for {payload} bytes, chip sent {}", data.len()),
                        ));
                    }
                    if data.len() == payload {
                        self.le_ok = self.le_ok.max(le);
                    }
                    if let Some(sfi_file) = sfi.and_then(|n| self.sfi_file(n)) {
                        self.current_ef = Some(sfi_file);
                    }
                    return Ok(Some(data));
                }
                StatusWord::FILE_NOT_FOUND => return Ok(None),
                StatusWord::WRONG_LENGTH if le > 1 => {
                    self.le_fail = Some(self.le_fail.map_or(le, |f| f.min(le)));
                    let next = len.min(self.block_size());
                    le = if next < le { next } else { le / 2 }.max(1);
                    tracing::debug!(le, "chip answered 6700: smaller READ BINARY");
                }
                sw if sw.sw1() == 0x6C && usize::from(sw.sw2()) != le % 256 => {
                    // The exact number of bytes available (usually at the end of the file).
                    le = if sw.sw2() == 0 {
                        256
                    } else {
                        usize::from(sw.sw2())
                    };
                }
                sw => {
                    return Err(Error::Status {
                        step: STEP_READ,
                        sw,
                    });
                }
            }
        }
    }

    /// The file a short file identifier names in the current dedicated file.
    fn sfi_file(&self, sfi: u8) -> Option<LdsFile> {
        LdsFile::all().find(|f| f.sfi() == Some(sfi) && f.in_master_file() != self.app_selected)
    }

    /// Reads a whole file: a first block (which also carries the TLV header and so the length), then the
    /// rest in blocks. Returns `None` when the chip has no such file.
    pub fn read_file(&mut self, file: LdsFile) -> Result<Option<Vec<u8>>, Error> {
        let mut data = Vec::new();
        Ok(self.read_file_into(file, &mut data)?.then_some(data))
    }

    /// Reads `file` into `data`, continuing from `data.len()` when it already holds the start of the file
    /// (a read resumed after the card was lost). Returns false when the chip has no such file.
    fn read_file_into(&mut self, file: LdsFile, data: &mut Vec<u8>) -> Result<bool, Error> {
        let file_err = |what: String| Error::File {
            file: file.name(),
            what,
        };
        if data.is_empty() {
            let sfi = file
                .sfi()
                .filter(|_| self.options.use_short_file_ids && !self.sfi_refused);
            let first = match sfi {
                Some(sfi) => match self.read_binary(Some(sfi), 0, usize::MAX) {
                    Ok(first) => first,
                    Err(Error::Status { sw, .. })
                        if matches!(
                            sw.0,
                            0x6A81 | 0x6A86 | 0x6A87 | 0x6D00 | 0x6E00 | 0x6B00 | 0x6981 | 0x6986
                        ) =>
                    {
                        tracing::debug!(%sw, "chip refused READ BINARY with SFI: falling back to SELECT");
                        self.sfi_refused = true;
                        if !self.select_ef(file)? {
                            return Ok(false);
                        }
                        self.read_binary(None, 0, usize::MAX)?
                    }
                    Err(e) => return Err(e),
                },
                None => {
                    if !self.select_ef(file)? {
                        return Ok(false);
                    }
                    self.read_binary(None, 0, usize::MAX)?
                }
            };
            let Some(first) = first else {
                return Ok(false);
            };
            if first.is_empty() {
                return Err(file_err("the chip returned no data".into()));
            }
            *data = first;
        } else if self.current_ef != Some(file) && !self.select_ef(file)? {
            return Ok(false);
        }
        let total = loop {
            match asn1::parse_header(data) {
                Ok(h) => break h.total_len(),
                Err(e) if e.is_truncated() && data.len() < 8 => {
                    let more = self
                        .read_binary(None, data.len(), 8 - data.len())?
                        .unwrap_or_default();
                    if more.is_empty() {
                        return Err(file_err("file ends inside its TLV header".into()));
                    }
                    data.extend_from_slice(&more);
                }
                Err(e) => return Err(file_err(format!("bad TLV header: {e}"))),
            }
        };
        self.report_progress(file, data.len().min(total), total);
        while data.len() < total {
            let chunk = self
                .read_binary(None, data.len(), total - data.len())?
                .unwrap_or_default();
            if chunk.is_empty() {
                return Err(file_err(format!(
                    "chip returned no data at offset {} of {total}",
                    data.len()
                )));
            }
            data.extend_from_slice(&chunk);
            self.report_progress(file, data.len(), total);
        }
        data.truncate(total);
        Ok(true)
    }

    /// Reads EF.COM, EF.SOD and every data group they list (plus those asked for), then verifies them.
    /// Runs no chip authentication (it needs randomness): see [`Reader::read_document_with_rng`].
    pub fn read_document(&mut self) -> Result<(Document, Report), Error> {
        self.read_all(
            None::<&mut dyn CryptoRng>,
            &mut |_: &mut Self, _: &Error, _| Ok(false),
        )
    }

    /// As [`Reader::read_document`], and runs Active Authentication (DG15) and Chip Authentication (DG14)
    /// with random values from `rng`, as the options allow; the data groups after DG14 and DG15 are read
    /// under the keys Chip Authentication established. The report gets `chip_authenticity`.
    pub fn read_document_with_rng<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
    ) -> Result<(Document, Report), Error> {
        self.read_all(
            Some(rng),
            &mut |_: &mut Self, _: &Error, _: Option<&mut R>| Ok(false),
        )
    }

    /// Like [`Reader::read_document`], but when the card is lost mid-read (the link fails) it reconnects,
    /// re-establishes access with the same password (a new PACE or BAC run drawing from `rng`) and
    /// continues from the offset reached, up to `max_resumes` times. The report says how often it resumed.
    /// Chip and Active Authentication run as in [`Reader::read_document_with_rng`].
    pub fn read_document_resuming<R: CryptoRng + ?Sized>(
        &mut self,
        password: &Password,
        rng: &mut R,
        max_resumes: usize,
    ) -> Result<(Document, Report), Error> {
        let mut left = max_resumes;
        self.read_all(
            Some(rng),
            &mut |reader: &mut Self, lost: &Error, rng: Option<&mut R>| {
                if left == 0 {
                    return Ok(false);
                }
                left -= 1;
                tracing::info!(error = %lost, "card lost: reconnecting to resume the read");
                reader
                    .transport
                    .reconnect()
                    .map_err(|source| Error::Transport {
                        step: "reconnect",
                        source,
                    })?;
                let rng = rng.ok_or_else(|| Error::Usage("no RNG to re-authenticate".into()))?;
                reader.authenticate(password, rng)?;
                Ok(true)
            },
        )
    }

    /// Reads one file, handing link failures to `recover` and continuing where the read stopped.
    fn read_resilient<R: CryptoRng + ?Sized>(
        &mut self,
        file: LdsFile,
        recover: &mut Recover<'_, Self, R>,
        resumes: &mut usize,
        mut rng: Option<&mut R>,
    ) -> Result<Option<Vec<u8>>, Error> {
        let mut data = Vec::new();
        loop {
            match self.read_file_into(file, &mut data) {
                Ok(true) => return Ok(Some(data)),
                Ok(false) => return Ok(None),
                Err(e @ Error::Transport { .. }) => {
                    if !recover(self, &e, rng.as_deref_mut())? {
                        return Err(e);
                    }
                    *resumes += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn read_all<R: CryptoRng + ?Sized>(
        &mut self,
        mut rng: Option<&mut R>,
        recover: &mut Recover<'_, Self, R>,
    ) -> Result<(Document, Report), Error> {
        let mut files: Vec<(LdsFile, Vec<u8>)> = Vec::new();
        let mut resumes = 0;
        let mut notes = std::mem::take(&mut self.notes);
        let mut wanted: BTreeSet<u8> = self.options.extra_data_groups.iter().copied().collect();
        wanted.insert(1);
        for file in [LdsFile::Com, LdsFile::Sod] {
            match self.read_resilient(file, recover, &mut resumes, rng.as_deref_mut())? {
                Some(bytes) => files.push((file, bytes)),
                None if file == LdsFile::Com => notes.push(Check::not_checked(
                    "EF.COM",
                    "the chip has no EF.COM; the data groups come from EF.SOD",
                )),
                None => {}
            }
        }
        // The data groups EF.COM and EF.SOD list (malformed files list none; the report says why).
        for (file, bytes) in &files {
            match file {
                LdsFile::Com => {
                    if let Ok(com) = crate::lds::com::Com::parse(bytes) {
                        wanted.extend(com.data_groups.iter().filter_map(|f| match f {
                            LdsFile::Dg(n) => Some(*n),
                            _ => None,
                        }));
                    }
                }
                LdsFile::Sod => {
                    if let Ok(sod) = crate::lds::sod::Sod::parse(bytes) {
                        wanted.extend(sod.data_group_hashes.keys().copied());
                    }
                }
                _ => {}
            }
        }
        // DG14 and DG15 first: chip authentication runs before the other data groups are read.
        let mut order: Vec<u8> = wanted
            .into_iter()
            .filter(|n| (1..=16).contains(n))
            .collect();
        order.sort_by_key(|n| !matches!(n, 14 | 15));
        let mut chip_auth: Option<crate::auth::RunOutcome> = None;
        for n in order {
            if !matches!(n, 14 | 15)
                && chip_auth.is_none()
                && let Some(rng) = rng.as_deref_mut()
            {
                let options = self.options.clone();
                chip_auth = Some(crate::auth::run(&mut self.link(), &options, &files, rng));
            }
            let file = LdsFile::Dg(n);
            if chip_auth.as_ref().is_some_and(|c| c.session_lost) {
                notes.push(Check::not_checked(
                    file.name(),
                    "not read: secure messaging ended when Chip Authentication failed",
                ));
                continue;
            }
            match self.read_resilient(file, recover, &mut resumes, rng.as_deref_mut()) {
                Ok(Some(bytes)) => files.push((file, bytes)),
                Ok(None) => notes.push(Check::not_checked(
                    file.name(),
                    "listed but not present on the chip",
                )),
                Err(Error::Status { sw, .. })
                    if sw == StatusWord::SECURITY_STATUS_NOT_SATISFIED =>
                {
                    if !matches!(n, 3 | 4) {
                        notes.push(Check::not_checked(
                            file.name(),
                            format!("the chip refused to read it ({sw})"),
                        ));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        if chip_auth.is_none()
            && let Some(rng) = rng
        {
            let options = self.options.clone();
            chip_auth = Some(crate::auth::run(&mut self.link(), &options, &files, rng));
        }
        if resumes > 0 {
            notes.push(Check::valid_with_warning(
                "Read",
                format!(
                    "the card was lost {resumes} time(s); access was re-established and the read resumed where it stopped"
                ),
            ));
        }
        // The master file's files as read before access control (the last run, after a resume).
        let mut all = Vec::new();
        if let Some(card_access) = &self.card_access {
            all.push((LdsFile::CardAccess, card_access.clone()));
        }
        if let Some(atr_info) = &self.atr_info {
            all.push((LdsFile::AtrInfo, atr_info.clone()));
        }
        if let Some(card_security) = &self.card_security {
            all.push((LdsFile::CardSecurity, card_security.clone()));
        }
        all.extend(files);
        let document = Document::from_files(all);
        let at = self.options.at.unwrap_or_else(crate::pki::Time::now);
        let mut report = crate::verify::report(
            &document,
            self.access.clone(),
            notes,
            self.options.trust.as_deref(),
            at,
        );
        // PACE-CAM: the chip authentication data against EF.CardSecurity's key.
        let mut card_security_trust = None;
        if let Some(cam) = &self.cam {
            let card_access = self
                .card_access
                .as_deref()
                .and_then(|b| SecurityInfos::parse(b).ok());
            let issuing_state = document.dg1.as_ref().map(|d| d.mrz.issuing_state.clone());
            let (result, trust) = crate::auth::cam::verify(
                cam,
                card_access.as_ref(),
                self.card_security.as_deref(),
                self.options.trust.as_deref(),
                at,
                issuing_state.as_deref(),
            );
            card_security_trust = Some(trust);
            chip_auth
                .get_or_insert_with(|| crate::auth::RunOutcome {
                    results: Vec::new(),
                    session_lost: false,
                })
                .results
                .push(result);
        }
        if let Some(outcome) = &chip_auth {
            crate::auth::add_to_report(
                &document,
                &mut report,
                &outcome.results,
                card_security_trust,
            );
        }
        Ok((document, report))
    }
}

/// True when this reader can run the offer: its domain parameters are known, and Integrated Mapping is
/// not asked on NIST P-224 (ICAO's point encoding needs p ≡ 3 mod 4).
fn pace_supported(info: &PaceInfo, infos: &SecurityInfos) -> bool {
    use crate::lds::security_infos::Mapping;
    infos.pace_domain(info).is_some()
        && !(info.mapping == Mapping::Integrated && info.parameter_id == Some(10))
}

/// A PACE offer's strength for choosing among several: CAM first (it also authenticates the chip), then
/// the cipher's key length, then the security level of the domain parameters in bits.
fn pace_strength(info: &PaceInfo) -> (u8, usize, u32) {
    use crate::lds::security_infos::Mapping;
    let mapping = match info.mapping {
        Mapping::ChipAuthentication => 2,
        Mapping::Generic | Mapping::Integrated => 1,
    };
    let bits = match info.parameter_id {
        Some(0) => 80,
        Some(1 | 2) => 112,
        Some(8 | 9) => 96,
        Some(10 | 11) => 112,
        Some(12 | 13) => 128,
        Some(14) => 160,
        Some(15 | 16) => 192,
        Some(17 | 18) => 256,
        _ => 0,
    };
    (mapping, info.cipher.key_len(), bits)
}
