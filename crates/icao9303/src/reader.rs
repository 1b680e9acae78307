//! The reading session: select the eMRTD application, authenticate, read files, and verify what was read
//! into a [`Document`] and a [`Report`].
//!
//! ```text
//! Transport → Reader → access control (BAC) → secure messaging → SELECT / READ BINARY → Document → Report
//! ```

use crate::Error;
use crate::access::{Password, bac};
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::document::Document;
use crate::lds::LdsFile;
use crate::report::{AccessReport, Check, Report};
use crate::sm::SecureMessaging;
use crate::tlv::{self, TlvError};
use crate::transport::{Channel, Transport};
use rand_core::CryptoRng;
use std::collections::BTreeSet;

/// The eMRTD application identifier (ICAO 9303-10 section 4.1).
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

/// Bytes read first from a file to learn its length from the TLV header.
const HEADER_PROBE: usize = 4;

const STEP_SELECT_APP: &str = "SELECT eMRTD application";
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
        }
    }
}

/// A session with one chip over a [`Transport`].
pub struct Reader<T: Transport> {
    transport: T,
    sm: Option<SecureMessaging>,
    access: Option<AccessReport>,
    options: ReaderOptions,
    /// The largest READ BINARY the chip accepted so far; lowered on 6700 / 6Cxx and remembered.
    block_limit: Option<usize>,
    /// Set when the chip refused a READ BINARY with a short file identifier.
    sfi_refused: bool,
    notes: Vec<Check>,
}

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
            block_limit: None,
            sfi_refused: false,
            notes: Vec::new(),
        }
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
        self.select_application()?;
        let key = match password {
            Password::Mrz(key) => key,
            Password::Can(_) => {
                return Err(Error::Usage(
                    "a CAN works only with PACE, and this reader session offers BAC only".into(),
                ));
            }
        };
        let sm = bac::authenticate(&mut self.link(), key, rng)?;
        let report = AccessReport {
            protocol: "BAC".into(),
            password: password.kind().into(),
            cipher: sm.cipher().name().into(),
            mapping: None,
            parameter_id: None,
            protocol_oid: None,
            fallback: false,
        };
        self.sm = Some(sm);
        Ok(self.access.insert(report))
    }

    /// The largest plaintext block one READ BINARY may ask for now.
    fn block_size(&self) -> usize {
        let caps = self.transport.capabilities();
        let by_link = match &self.sm {
            Some(sm) => sm.max_plain_response(caps.max_response_len.min(258)),
            None => 256,
        };
        [Some(by_link), self.options.max_read_block, self.block_limit]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(by_link)
            .max(1)
    }

    fn select_ef(&mut self, file: LdsFile) -> Result<bool, Error> {
        let cmd =
            CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(file.fid().to_be_bytes().to_vec());
        let resp = self.exchange(STEP_SELECT_EF, &cmd)?;
        match resp.sw {
            StatusWord::OK => Ok(true),
            StatusWord::FILE_NOT_FOUND => Ok(false),
            sw => Err(Error::Status {
                step: STEP_SELECT_EF,
                sw,
            }),
        }
    }

    /// One READ BINARY at `offset` for up to `len` bytes; `sfi` reads with a short file identifier (offset
    /// below 256). Adapts the length on 6700 / 6Cxx. Returns `None` when the file does not exist.
    fn read_binary(
        &mut self,
        sfi: Option<u8>,
        offset: usize,
        len: usize,
    ) -> Result<Option<Vec<u8>>, Error> {
        let mut le = len.min(self.block_size());
        loop {
            // With odd INS B1 the data comes inside DO'53': its header counts against Le.
            let do53_header = |n: usize| {
                if n < 0x80 {
                    2
                } else if n < 0x100 {
                    3
                } else {
                    4
                }
            };
            let payload = if offset > 0x7FFF && sfi.is_none() {
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
                None if offset <= 0x7FFF => {
                    CommandApdu::new(0x00, 0xB0, (offset >> 8) as u8, offset as u8).with_le(le)
                }
                None => {
                    // Offsets beyond 32767: odd INS B1 with the offset in DO'54' and the data in DO'53'.
                    let off = (offset as u32).to_be_bytes();
                    let skip = off.iter().take_while(|b| **b == 0).count().min(3);
                    CommandApdu::new(0x00, 0xB1, 0x00, 0x00)
                        .with_data(tlv::encode(0x54, &off[skip..]))
                        .with_le(payload + do53_header(payload))
                }
            };
            let resp = self.exchange(STEP_READ, &cmd)?;
            match resp.sw {
                StatusWord::OK | StatusWord::END_OF_FILE => {
                    let data = if cmd.ins == 0xB1 {
                        tlv::parse_exact(&resp.data, 0x53)
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
                    return Ok(Some(data));
                }
                StatusWord::FILE_NOT_FOUND => return Ok(None),
                StatusWord::WRONG_LENGTH if le > 1 => {
                    le = if le > 0xDF { 0xDF } else { le / 2 };
                    self.block_limit = Some(le);
                    tracing::debug!(le, "chip answered 6700: smaller READ BINARY");
                }
                sw if sw.sw1() == 0x6C && usize::from(sw.sw2()) != le => {
                    le = if sw.sw2() == 0 {
                        256
                    } else {
                        usize::from(sw.sw2())
                    };
                    if le < len {
                        self.block_limit = Some(le);
                    }
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

    /// Reads a whole file: the TLV header first to learn the length, then the rest in blocks.
    /// Returns `None` when the chip has no such file.
    pub fn read_file(&mut self, file: LdsFile) -> Result<Option<Vec<u8>>, Error> {
        let file_err = |what: String| Error::File {
            file: file.name(),
            what,
        };
        let sfi = file
            .sfi()
            .filter(|_| self.options.use_short_file_ids && !self.sfi_refused);
        let mut data = match sfi {
            Some(sfi) => match self.read_binary(Some(sfi), 0, HEADER_PROBE) {
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
                        return Ok(None);
                    }
                    self.read_binary(None, 0, HEADER_PROBE)?
                }
                Err(e) => return Err(e),
            },
            None => {
                if !self.select_ef(file)? {
                    return Ok(None);
                }
                self.read_binary(None, 0, HEADER_PROBE)?
            }
        };
        let Some(mut data) = data.take() else {
            return Ok(None);
        };
        let total = loop {
            match tlv::parse_header(&data) {
                Ok(h) => break h.total_len(),
                Err(TlvError::Truncated { .. }) if data.len() < 8 => {
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
        data.truncate(total);
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
        }
        data.truncate(total);
        Ok(Some(data))
    }

    /// Reads EF.COM, EF.SOD and every data group they list (plus those asked for), then verifies them.
    /// Runs no chip authentication (it needs randomness): see [`Reader::read_document_with_rng`].
    pub fn read_document(&mut self) -> Result<(Document, Report), Error> {
        self.read_inner(None::<&mut dyn CryptoRng>)
    }

    /// As [`Reader::read_document`], and runs Active Authentication (DG15) and Chip Authentication (DG14)
    /// with random values from `rng`, as the options allow; the data groups after DG14 and DG15 are read
    /// under the keys Chip Authentication established. The report gets `chip_authenticity`.
    pub fn read_document_with_rng<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
    ) -> Result<(Document, Report), Error> {
        self.read_inner(Some(rng))
    }

    fn read_inner<R: CryptoRng + ?Sized>(
        &mut self,
        mut rng: Option<&mut R>,
    ) -> Result<(Document, Report), Error> {
        let mut files: Vec<(LdsFile, Vec<u8>)> = Vec::new();
        let mut notes = std::mem::take(&mut self.notes);
        let mut wanted: BTreeSet<u8> = self.options.extra_data_groups.iter().copied().collect();
        wanted.insert(1);
        for file in [LdsFile::Com, LdsFile::Sod] {
            match self.read_file(file)? {
                Some(bytes) => files.push((file, bytes)),
                None if file == LdsFile::Com => notes.push(Check::not_checked(
                    "EF.COM",
                    "the chip has no EF.COM; the data groups come from EF.SOD",
                )),
                None => {}
            }
        }
        let partial = Document::from_files(files.clone());
        if let Some(com) = &partial.com {
            wanted.extend(com.data_groups.iter().filter_map(|f| {
                if let LdsFile::Dg(n) = f {
                    Some(*n)
                } else {
                    None
                }
            }));
        }
        if let Some(sod) = &partial.sod {
            wanted.extend(sod.data_group_hashes.keys().copied());
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
            match self.read_file(file) {
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
            && let Some(rng) = rng.as_deref_mut()
        {
            let options = self.options.clone();
            chip_auth = Some(crate::auth::run(&mut self.link(), &options, &files, rng));
        }
        let document = Document::from_files(files);
        let at = self.options.at.unwrap_or_else(crate::pki::Time::now);
        let mut report = crate::verify::report(
            &document,
            self.access.clone(),
            notes,
            self.options.trust.as_deref(),
            at,
        );
        if let Some(outcome) = &chip_auth {
            crate::auth::add_to_report(&document, &mut report, &outcome.results);
        }
        Ok((document, report))
    }
}
