//! The link to a chip: anything that can send a command APDU and return the response APDU.
//!
//! PC/SC readers, a phone's NFC stack, the software emulator and trace replay all implement [`Transport`].
//! Protocol steps talk to the chip through a [`crate::channel::Channel`], which the reading session
//! implements on top of a transport, adding secure messaging when it is active.

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

/// What a link can carry: the reader plans its READ BINARY sizes from this and the chip's own limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// The link carries extended-length APDUs.
    pub extended_length: bool,
    /// Largest command APDU in bytes.
    pub max_command_len: usize,
    /// Largest response APDU in bytes (data and status word).
    pub max_response_len: usize,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            extended_length: false,
            max_command_len: 261,
            max_response_len: 258,
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
}
