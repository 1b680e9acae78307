//! The link to a chip: anything that can send a command APDU and return the response APDU.
//!
//! PC/SC readers, a phone's NFC stack, the software emulator and trace replay all implement [`Transport`].
//! Protocol steps talk to the chip through a `Channel` (module `channel`, public with the `chip` feature),
//! which the reading session implements on top of a transport, adding secure messaging when it is active.

use thiserror::Error;

/// A failure of the link itself (not of the chip's answer).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransportError {
    /// No card is present in the reader.
    #[error("no card present")]
    NoCard,
    /// The card left the field during the session.
    #[error("card removed")]
    CardRemoved,
    /// The link did not answer in time.
    #[error("timed out")]
    Timeout,
    /// The transport cannot do what was asked (e.g. reconnect).
    #[error("not supported by this transport: {0}")]
    Unsupported(&'static str),
    /// A recorded trace and the reader disagree (trace replay).
    #[error("trace replay: {0}")]
    Replay(String),
    /// Any other I/O failure, with the transport's description.
    #[error("I/O error: {0}")]
    Io(String),
}

/// Whether extended-length APDUs (ISO/IEC 7816-4 section 5.1: Lc and Le of up to 65535 and 65536 bytes)
/// work on a link with the chip on it, as far as the transport knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExtendedLength {
    /// The reader carries them and the chip announced them (ATR card capabilities).
    Yes,
    /// The reader cannot carry them, or the chip announced that it does not take them.
    #[default]
    No,
    /// The reader carries them (or does not say) and the chip announced nothing: only trying tells. The
    /// read plan probes once under secure messaging (see [`crate::options::ExtendedLengthPolicy`]).
    Unknown,
}

impl ExtendedLength {
    /// `yes`, `no` or `unknown`, as in traces and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtendedLength::Yes => "yes",
            ExtendedLength::No => "no",
            ExtendedLength::Unknown => "unknown",
        }
    }

    /// Parses `yes`, `no` or `unknown`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "yes" => Some(ExtendedLength::Yes),
            "no" => Some(ExtendedLength::No),
            "unknown" => Some(ExtendedLength::Unknown),
            _ => None,
        }
    }
}

impl std::fmt::Display for ExtendedLength {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a link can carry: the reader plans its READ BINARY sizes from this and the chip's own limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// Whether extended-length APDUs work with this reader and chip.
    pub extended_length: ExtendedLength,
    /// Largest command APDU in bytes the reader carries (the extended size when it may carry them).
    pub max_command_len: usize,
    /// Largest response APDU in bytes (data and status word) the reader carries.
    pub max_response_len: usize,
}

impl Default for Capabilities {
    /// Short APDUs only.
    fn default() -> Self {
        Capabilities {
            extended_length: ExtendedLength::No,
            max_command_len: SHORT_COMMAND_LEN,
            max_response_len: SHORT_RESPONSE_LEN,
        }
    }
}

/// Largest short command APDU: header, Lc, 255 data bytes, Le.
pub const SHORT_COMMAND_LEN: usize = 261;
/// Largest short response APDU: 256 data bytes and the status word.
pub const SHORT_RESPONSE_LEN: usize = 258;
/// Largest extended command APDU: header, 3-byte Lc, 65535 data bytes, 2-byte Le.
pub const EXTENDED_COMMAND_LEN: usize = 65_544;
/// Largest extended response APDU: 65536 data bytes and the status word.
pub const EXTENDED_RESPONSE_LEN: usize = 65_538;

impl Capabilities {
    /// A link whose reader may carry extended-length APDUs of the largest size, with `extended_length`
    /// saying whether they work with the chip.
    pub fn extended(extended_length: ExtendedLength) -> Self {
        Capabilities {
            extended_length,
            max_command_len: EXTENDED_COMMAND_LEN,
            max_response_len: EXTENDED_RESPONSE_LEN,
        }
    }
}

/// Sends raw command APDUs to a chip and returns raw response APDUs.
pub trait Transport {
    /// Sends one command APDU and returns the response APDU (data followed by SW1 SW2).
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// What the link can carry. The default is short APDUs only.
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    /// Re-establishes the link after the card was lost (power-cycles the chip). The default cannot.
    fn reconnect(&mut self) -> Result<(), TransportError> {
        Err(TransportError::Unsupported("reconnect"))
    }

    /// True when the answers come from a recording ([`crate::trace::ReplayTransport`]), not from a chip
    /// answering now: the reader then marks its report replayed ([`crate::verify::mark_replayed`]). A
    /// transport that wraps another must pass this on. The default is false.
    fn replayed(&self) -> bool {
        false
    }
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    fn reconnect(&mut self) -> Result<(), TransportError> {
        (**self).reconnect()
    }
    fn replayed(&self) -> bool {
        (**self).replayed()
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn capabilities(&self) -> Capabilities {
        (**self).capabilities()
    }
    fn reconnect(&mut self) -> Result<(), TransportError> {
        (**self).reconnect()
    }
    fn replayed(&self) -> bool {
        (**self).replayed()
    }
}
