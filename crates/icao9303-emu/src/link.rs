//! A model of the contactless link: bit rate and per-APDU turnaround, to measure how long a read would
//! take on a real ISO/IEC 14443 link without timing anything. A [`ModelledTransport`] counts APDUs and the
//! bytes each way and adds up the modelled time.
//!
//! The model: every byte on the air costs 10 bits (8 data bits plus start/stop framing; ISO/IEC 14443 adds
//! a parity bit per byte and frame delimiters of about the same weight), each I-block adds 3 bytes of
//! protocol framing (PCB and CRC), and each command/response pair costs a fixed turnaround for the chip's
//! processing and the frame delays. Long APDUs are carried in chained I-blocks: their framing is counted
//! per block of at most `frame_size` bytes. A command that gets no answer (a mute chip, a dropped field)
//! costs its bytes, the turnaround and the time the reader waits before giving up (`no_answer`).

use icao9303::transport::{Capabilities, Transport, TransportError};
use std::time::Duration;

/// Link parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkModel {
    /// Bit rate in bits per second (106, 212, 424 or 848 kbit/s on ISO/IEC 14443).
    pub bit_rate: u32,
    /// Time per command/response pair beyond the bytes: chip processing, frame waiting times.
    pub turnaround: Duration,
    /// Largest frame (FSC/FSD) in bytes; longer APDUs are chained.
    pub frame_size: usize,
    /// How long the reader waits for an answer that never comes before it gives up.
    pub no_answer: Duration,
}

impl LinkModel {
    /// A link at `kbit_s` kbit/s with a 5 ms turnaround, 256-byte frames, and 309 ms of waiting for an
    /// answer that never comes (the ISO/IEC 14443-4 frame waiting time at FWI 10).
    pub fn new(kbit_s: u32) -> Self {
        LinkModel {
            bit_rate: kbit_s * 1000,
            turnaround: Duration::from_millis(5),
            frame_size: 256,
            no_answer: Duration::from_millis(309),
        }
    }

    /// Modelled time to carry one APDU of `len` bytes in one direction.
    pub fn transfer(&self, len: usize) -> Duration {
        let frames = len.div_ceil(self.frame_size.max(4) - 3).max(1);
        let bits = (len + 3 * frames) as u64 * 10;
        Duration::from_nanos(bits * 1_000_000_000 / u64::from(self.bit_rate.max(1)))
    }

    /// Modelled time of one exchange.
    pub fn exchange(&self, command_len: usize, response_len: usize) -> Duration {
        self.turnaround + self.transfer(command_len) + self.transfer(response_len)
    }
}

/// What went over a modelled link.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LinkStats {
    /// Command/response pairs.
    pub apdus: usize,
    /// Bytes of command APDUs.
    pub command_bytes: usize,
    /// Bytes of response APDUs.
    pub response_bytes: usize,
    /// Modelled time.
    pub time: Duration,
}

impl LinkStats {
    /// Bytes both ways.
    pub fn bytes(&self) -> usize {
        self.command_bytes + self.response_bytes
    }
}

/// A transport that counts and times (by the model) what passes through it.
///
/// It also keeps apart what resuming after a lost card costs: the command that got no answer, and every
/// exchange from the reconnect up to the first protected READ BINARY after it (access control again, the
/// SELECT of the file being read).
#[derive(Debug)]
pub struct ModelledTransport<T> {
    inner: T,
    model: LinkModel,
    stats: LinkStats,
    resume: LinkStats,
    resuming: bool,
}

impl<T: Transport> ModelledTransport<T> {
    /// Wraps `inner` with `model`.
    pub fn new(inner: T, model: LinkModel) -> Self {
        ModelledTransport {
            inner,
            model,
            stats: LinkStats::default(),
            resume: LinkStats::default(),
            resuming: false,
        }
    }

    /// What went over the link so far.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// The part of [`ModelledTransport::stats`] that resuming after lost cards cost.
    pub fn resume_stats(&self) -> LinkStats {
        self.resume
    }

    /// Starts counting afresh (e.g. after access control, to measure only the file reads).
    pub fn reset_stats(&mut self) {
        self.stats = LinkStats::default();
        self.resume = LinkStats::default();
    }

    fn count(&mut self, command: usize, response: usize, time: Duration, resume: bool) {
        for stats in [Some(&mut self.stats), resume.then_some(&mut self.resume)]
            .into_iter()
            .flatten()
        {
            stats.apdus += 1;
            stats.command_bytes += command;
            stats.response_bytes += response;
            stats.time += time;
        }
    }
}

impl<T: Transport> Transport for ModelledTransport<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        // The first protected READ BINARY after a reconnect: the read goes on, the resume is over.
        if matches!(command, [cla, 0xB0 | 0xB1, ..] if cla & 0x0C == 0x0C) {
            self.resuming = false;
        }
        match self.inner.transmit(command) {
            Ok(response) => {
                let time = self.model.exchange(command.len(), response.len());
                self.count(command.len(), response.len(), time, self.resuming);
                Ok(response)
            }
            Err(e) => {
                let time = self.model.turnaround
                    + self.model.transfer(command.len())
                    + self.model.no_answer;
                self.count(command.len(), 0, time, true);
                Err(e)
            }
        }
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        self.resuming = true;
        self.inner.reconnect()
    }

    fn replayed(&self) -> bool {
        self.inner.replayed()
    }
}

/// The file-reading phase of one read over a modelled link, and its lower bound.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// What the reader sent and received after access control (EF.SOD, the data groups; a resume).
    pub stats: LinkStats,
    /// The part of `stats` that resuming after a lost card cost (the command that got no answer, access
    /// control again, the SELECT of the file being read).
    pub resume: LinkStats,
    /// The read's own statistics, from its report (APDUs by kind, block sizes, the probe, resumes).
    pub read_stats: icao9303::read_stats::ReadStats,
    /// The same files read with the fewest possible READ BINARY commands the chip allows, each carrying
    /// its unavoidable secure messaging and APDU overhead.
    pub lower_bound: LinkStats,
    /// The access protocol and cipher used.
    pub access: String,
}

impl Measurement {
    /// Modelled time over the lower bound (1.0 is optimal).
    pub fn ratio(&self) -> f64 {
        self.stats.time.as_secs_f64() / self.lower_bound.time.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// Modelled time of the read without what resuming cost, over the lower bound: how well the rest of
    /// the read went.
    pub fn ratio_without_resume(&self) -> f64 {
        self.stats
            .time
            .saturating_sub(self.resume.time)
            .as_secs_f64()
            / self.lower_bound.time.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Reads `profile` through the in-process emulator over `model` with `options`, counting only the file
/// reads (after access control; Chip and Active Authentication are left out), resuming once when the
/// card is lost, and computes the lower bound for the same files.
pub fn measure_read(
    profile: &crate::profile::Profile,
    model: LinkModel,
    mut options: icao9303::reader::ReaderOptions,
) -> Result<Measurement, Box<dyn std::error::Error>> {
    use icao9303::access::Password;
    use icao9303::apdu::{CommandApdu, ResponseApdu, StatusWord};
    use icao9303::reader::Reader;
    use icao9303::sm::SecureMessaging;

    let card = profile.personalize()?;
    let chip_limit = if card.chip.options().extended_length {
        card.chip.options().max_read.min(65_536)
    } else {
        card.chip.options().max_read.min(256)
    };
    let transport =
        ModelledTransport::new(crate::transport::EmulatorTransport::new(card.chip), model);
    options.chip_authentication = false;
    options.active_authentication = false;
    let mut reader = Reader::with_options(transport, options);
    let password = Password::Mrz(profile.mrz_key()?);
    let mut rng = crate::rng::SeededRng::new(b"link");
    let access = reader.authenticate(&password, &mut rng)?.clone();
    reader.transport_mut().reset_stats();
    let (document, report) = reader.read_document_resuming(&password, &mut rng, 1)?;
    let stats = reader.transport().stats();
    let resume = reader.transport().resume_stats();
    let read_stats = report.read_stats.unwrap_or_default();

    // The lower bound: every file in chunks of the largest block the chip and secure messaging allow.
    let alg = match access.cipher.as_str() {
        "3DES" => icao9303::crypto::cipher::CipherAlgorithm::Tdes,
        "AES-128" => icao9303::crypto::cipher::CipherAlgorithm::Aes128,
        "AES-192" => icao9303::crypto::cipher::CipherAlgorithm::Aes192,
        _ => icao9303::crypto::cipher::CipherAlgorithm::Aes256,
    };
    let mut sm = SecureMessaging::from_shared_secret(alg, b"lower bound");
    let max_response = if chip_limit > 256 {
        chip_limit + 2
    } else {
        258
    };
    let block = sm
        .max_plain_response(max_response.min(65_538))
        .min(chip_limit);
    let mut bound = LinkStats::default();
    for (file, bytes) in &document.files {
        if file.in_master_file() {
            continue;
        }
        for chunk in bytes.chunks(block.max(1)) {
            let cmd = sm
                .protect_command(&CommandApdu::new(0, 0xB0, 0, 0).with_le(chunk.len()))?
                .to_bytes()?;
            let resp = sm
                .protect_response(&ResponseApdu::new(chunk.to_vec(), StatusWord::OK), 0xB0)?
                .to_bytes();
            bound.apdus += 1;
            bound.command_bytes += cmd.len();
            bound.response_bytes += resp.len();
            bound.time += model.exchange(cmd.len(), resp.len());
        }
    }
    let access = format!(
        "{} {} {}",
        access.protocol,
        access.mapping.unwrap_or_default(),
        access.cipher
    );
    Ok(Measurement {
        stats,
        resume,
        read_stats,
        lower_bound: bound,
        access,
    })
}
