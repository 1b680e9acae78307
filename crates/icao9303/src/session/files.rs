//! Reading an elementary file (ICAO 9303-10 section 3.5, ISO/IEC 7816-4 READ BINARY): a first block by
//! short file identifier (or SELECT), the length from the file's TLV header, then the rest in blocks the
//! read plan sizes; offsets beyond 32767 with the odd instruction B1. When the link may carry extended
//! length but the chip announced nothing, the first large remainder is asked for in one extended READ
//! BINARY: the probe ([`Session::probe_extended`]). A [`FileBudget`] bounds each file's declared length
//! and READ BINARY commands.

use super::Session;
use crate::Error;
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::asn1;
use crate::lds::LdsFile;
use crate::pki::cvc::EF_CVCA_LEN;
use crate::read_plan::{FileBudget, ProbeOutcome, ReadLimit, short_block};
use crate::read_stats::ProbeStats;
use crate::transport::Transport;

const STEP_READ: &str = "READ BINARY";

/// How much of a file one READ BINARY asks for.
#[derive(Debug, Clone, Copy)]
enum Extent {
    /// The file's length is not known yet: at most this many bytes (a first block, the rest of a TLV
    /// header). A shorter answer may be the end of the file.
    Unknown(usize),
    /// The bytes left in the file, as its TLV header declares: a shorter answer is the chip's cap.
    Remaining(usize),
}

/// A file's first block: as large as the read plan allows.
const FIRST_BLOCK: Extent = Extent::Unknown(usize::MAX);

/// The bytes asked for after a chip answered 6B00 to a first block: enough for any LDS file's TLV header
/// (a tag of up to two bytes and a length of up to five), so the rest is asked for by its exact length.
const HEADER_BLOCK: usize = 8;

impl<T: Transport> Session<T> {
    /// The READ BINARY command for `le` plaintext bytes at `offset` (by short file identifier `sfi` when
    /// given), and the data bytes it asks for. Offsets beyond 32767 use the odd instruction B1, whose
    /// DO'53' header counts against Le. A command whose response cannot fit a short APDU goes in extended
    /// form.
    fn read_command(&self, sfi: Option<u8>, offset: usize, le: usize) -> (CommandApdu, usize) {
        let do53_header = |n: usize| 1 + asn1::der::length_octets(n);
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
        let extended = cmd.le.is_some_and(|n| n > short_block(self.sm.as_ref()));
        (cmd.force_extended(extended), payload)
    }

    /// The data of a successful READ BINARY response (unwrapped from DO'53' for B1), checked against the
    /// `payload` bytes asked for; remembers a block answered in full, a response cap (fewer bytes than
    /// asked while the file has more: `known_remaining` says the read asked for no more than the file
    /// holds) and the file an SFI selected.
    fn read_data(
        &mut self,
        cmd: &CommandApdu,
        resp: ResponseApdu,
        payload: usize,
        sfi: Option<u8>,
        known_remaining: bool,
    ) -> Result<Vec<u8>, Error> {
        let wire_len = resp.data.len();
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
            self.planner.answered_in_full(cmd.le.unwrap_or(payload));
        } else if known_remaining && resp.sw == StatusWord::OK && !data.is_empty() {
            // Fewer bytes than asked, more left in the file, and no end-of-file warning: the chip's
            // response cap. Ask for no more than that from now on (in Le terms: DO'53' included for B1).
            self.planner.response_capped(wire_len);
            self.stats.response_cap(self.planner.response_cap());
        }
        if let Some(sfi_file) = sfi.and_then(|n| self.sfi_file(n)) {
            self.current_ef = Some(sfi_file);
        }
        Ok(data)
    }

    /// One READ BINARY of `file` at `offset` for up to `extent`'s bytes; `sfi` reads with a short file identifier (offset below 256). Adapts the length on 6700
    /// / 6Cxx and remembers what the chip refused; on 6B00 (offset + Le passes the end of the file, as
    /// some chips say instead of sending the bytes up to the end) asks for the file's TLV header
    /// ([`HEADER_BLOCK`] bytes: the read then asks for exactly the remaining length), then smaller. Every
    /// command counts against `budget`. Returns `None` when the file does not exist.
    fn read_binary(
        &mut self,
        file: LdsFile,
        budget: &mut FileBudget,
        sfi: Option<u8>,
        offset: usize,
        extent: Extent,
    ) -> Result<Option<Vec<u8>>, Error> {
        let (len, known_remaining) = match extent {
            Extent::Unknown(n) => (n, false),
            Extent::Remaining(n) => (n, true),
        };
        let mut le = len.min(self.planner.block_size(self.link_state())).max(1);
        loop {
            budget.round().map_err(|limit| limit_err(file, limit))?;
            let (cmd, payload) = self.read_command(sfi, offset, le);
            self.stats.read_block(cmd.le.unwrap_or(le));
            let resp = match self.exchange(STEP_READ, &cmd) {
                Ok(resp) => resp,
                Err(e @ Error::Transport { .. }) => {
                    self.planner.link_failed(le);
                    return Err(e);
                }
                Err(e) => return Err(e),
            };
            match resp.sw {
                StatusWord::OK | StatusWord::END_OF_FILE => {
                    return self
                        .read_data(&cmd, resp, payload, sfi, known_remaining)
                        .map(Some);
                }
                StatusWord::FILE_NOT_FOUND => return Ok(None),
                // With a short file identifier, 6B00 to a header-sized read says the chip takes no SFI
                // here (the caller selects the file instead).
                StatusWord::WRONG_PARAMETERS
                    if le > 1 && !(sfi.is_some() && le <= HEADER_BLOCK) =>
                {
                    le = if le > HEADER_BLOCK {
                        HEADER_BLOCK
                    } else {
                        le / 2
                    };
                    tracing::debug!(
                        le,
                        "chip answered 6B00: offset + Le passes the end of the file"
                    );
                }
                StatusWord::WRONG_LENGTH if le > 1 => {
                    self.planner.refused(le);
                    let next = len.min(self.planner.block_size(self.link_state()));
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

    /// The extended-length probe: one extended READ BINARY of `le` bytes at `offset` of `file` (the
    /// current EF), for a chip that announced nothing on a link that may carry it. Data: the planner keeps
    /// extended length and the data is returned. An error status word (6700, 6Cxx, a plain error or any
    /// other): the planner falls back to short blocks and `None` is returned — the probe cost one
    /// exchange, and secure messaging stays in step (a plain error advances no counter on either side).
    /// No answer (a mute chip, a dropped field): the planner remembers that this chip takes no extended
    /// length and the transport error goes up, for the read to resume.
    fn probe_extended(
        &mut self,
        file: LdsFile,
        budget: &mut FileBudget,
        offset: usize,
        le: usize,
    ) -> Result<Option<Vec<u8>>, Error> {
        budget.round().map_err(|limit| limit_err(file, limit))?;
        let (cmd, payload) = self.read_command(None, offset, le);
        self.stats.read_block(cmd.le.unwrap_or(le));
        let probe = |outcome, status: Option<StatusWord>| ProbeStats {
            file: file.name(),
            offset,
            le,
            outcome,
            status: status.map(|sw| format!("{:04X}", sw.0)),
        };
        let resp = match self.exchange(STEP_READ, &cmd) {
            Ok(resp) => resp,
            Err(e @ Error::Transport { .. }) => {
                tracing::info!(file = %file.name(), le, error = %e, "extended-length probe: no answer; short blocks from now on");
                self.planner.probe_lost();
                self.stats.probe(probe(ProbeOutcome::LinkLost, None));
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let sw = resp.sw;
        if matches!(sw, StatusWord::OK | StatusWord::END_OF_FILE) {
            tracing::info!(file = %file.name(), le, "extended-length probe: accepted");
            self.planner.probe_answered(true);
            self.stats.probe(probe(ProbeOutcome::Accepted, Some(sw)));
            return self.read_data(&cmd, resp, payload, None, true).map(Some);
        }
        tracing::info!(file = %file.name(), le, %sw, "extended-length probe: refused; short blocks");
        self.planner.probe_answered(false);
        // Some chips end secure messaging when they refuse it: the next command shows it.
        self.after_refused_probe = true;
        self.stats.probe(probe(ProbeOutcome::Refused, Some(sw)));
        Ok(None)
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
    pub fn read_file_into(&mut self, file: LdsFile, data: &mut Vec<u8>) -> Result<bool, Error> {
        let file_err = |what: String| Error::File {
            file: file.name(),
            what,
        };
        let mut budget = FileBudget::new(self.options.max_file_len, self.options.max_read_rounds);
        let budget = &mut budget;
        if data.is_empty() {
            let sfi = file
                .sfi()
                .filter(|_| self.planner.use_sfi(self.options.use_short_file_ids));
            let first = match sfi {
                Some(sfi) => match self.read_binary(file, budget, Some(sfi), 0, FIRST_BLOCK) {
                    Ok(first) => first,
                    Err(Error::Status { sw, .. })
                        if matches!(
                            sw.0,
                            0x6A81 | 0x6A86 | 0x6A87 | 0x6D00 | 0x6E00 | 0x6B00 | 0x6981 | 0x6986
                        ) =>
                    {
                        tracing::debug!(%sw, "chip refused READ BINARY with SFI: falling back to SELECT");
                        self.planner.refuse_sfi();
                        if !self.select_ef(file)? {
                            return Ok(false);
                        }
                        self.read_binary(file, budget, None, 0, FIRST_BLOCK)?
                    }
                    Err(e) => return Err(e),
                },
                None => {
                    if !self.select_ef(file)? {
                        return Ok(false);
                    }
                    self.read_binary(file, budget, None, 0, FIRST_BLOCK)?
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
        if file == LdsFile::Cvca {
            return self.read_ef_cvca(budget, data).map(|()| true);
        }
        let total = loop {
            match asn1::parse_header(data) {
                Ok(h) => {
                    let total = h.total_len();
                    budget
                        .declared(total)
                        .map_err(|limit| limit_err(file, limit))?;
                    break total;
                }
                Err(e) if e.is_truncated() && data.len() < HEADER_BLOCK => {
                    let more = self
                        .read_binary(
                            file,
                            budget,
                            None,
                            data.len(),
                            Extent::Unknown(HEADER_BLOCK - data.len()),
                        )?
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
        if let Some(le) = self
            .planner
            .probe_size(self.link_state(), total.saturating_sub(data.len()))
            && let Some(chunk) = self.probe_extended(file, budget, data.len(), le)?
        {
            data.extend_from_slice(&chunk);
            self.report_progress(file, data.len(), total);
        }
        while data.len() < total {
            let chunk = self
                .read_binary(
                    file,
                    budget,
                    None,
                    data.len(),
                    Extent::Remaining(total - data.len()),
                )?
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
}

impl<T: Transport> Session<T> {
    /// The rest of EF.CVCA after its first block in `data`. EF.CVCA is not one data object but up to two
    /// CAR data objects padded with 00 to [`EF_CVCA_LEN`] bytes (BSI TR-03110-3 A.6.2.1): it is read to
    /// the end of the file, at most that length — read by its first TLV header, the second trust point
    /// would be lost (BSI TR-03105-5.1 ISO7816_E_34: a chip that lists the new CVCA beside the old one).
    fn read_ef_cvca(&mut self, budget: &mut FileBudget, data: &mut Vec<u8>) -> Result<(), Error> {
        while data.len() < EF_CVCA_LEN {
            let offset = data.len();
            match self.read_binary(
                LdsFile::Cvca,
                budget,
                None,
                offset,
                Extent::Unknown(EF_CVCA_LEN - offset),
            ) {
                Ok(Some(more)) if !more.is_empty() => data.extend_from_slice(&more),
                // A lost link is the read's to handle.
                Err(e @ Error::Transport { .. }) => return Err(e),
                // No more data, or a chip that answers a read at its end with an error: the file
                // ends here.
                _ => break,
            }
        }
        data.truncate(EF_CVCA_LEN);
        Ok(())
    }
}

/// The error of a read that reached one of its limits.
fn limit_err(file: LdsFile, limit: ReadLimit) -> Error {
    Error::ReadLimit {
        file,
        step: STEP_READ,
        limit,
    }
}
