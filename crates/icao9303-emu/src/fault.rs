//! A fault-injecting transport: drops, truncates, bit-flips or delays one response of a session, to prove
//! that the reader never panics and never presents corrupted data as valid, whatever the link does.

use icao9303::transport::{Capabilities, Transport, TransportError};
use std::time::Duration;

/// What happens to the chosen response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The response never arrives (the link reports an I/O error).
    Drop,
    /// Only the first `n` bytes of the response arrive.
    Truncate(usize),
    /// Bit `bit` (0 = most significant bit of the first byte) of the response is inverted.
    FlipBit(usize),
    /// The response arrives late.
    Delay(Duration),
}

/// Wraps a transport and applies `fault` to the response of the `position`-th command (1-based).
#[derive(Debug)]
pub struct FaultyTransport<T> {
    inner: T,
    position: usize,
    fault: Fault,
    sent: usize,
}

impl<T: Transport> FaultyTransport<T> {
    /// A transport that corrupts the `position`-th response with `fault`.
    pub fn new(inner: T, position: usize, fault: Fault) -> Self {
        FaultyTransport {
            inner,
            position,
            fault,
            sent: 0,
        }
    }

    /// Commands sent so far.
    pub fn sent(&self) -> usize {
        self.sent
    }

    /// The wrapped transport.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport> Transport for FaultyTransport<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent += 1;
        let mut response = self.inner.transmit(command)?;
        if self.sent != self.position {
            return Ok(response);
        }
        match self.fault {
            Fault::Drop => {
                return Err(TransportError::Io(
                    "response dropped (fault injection)".into(),
                ));
            }
            Fault::Truncate(n) => response.truncate(n),
            Fault::FlipBit(bit) => {
                if let Some(b) = response.get_mut(bit / 8) {
                    *b ^= 0x80 >> (bit % 8);
                }
            }
            Fault::Delay(d) => std::thread::sleep(d),
        }
        Ok(response)
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        self.inner.reconnect()
    }

    fn replayed(&self) -> bool {
        self.inner.replayed()
    }
}
