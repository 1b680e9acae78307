//! The emulated chip as an in-process [`Transport`]: what `mrtd demo` and the tests read through.

use crate::chip::Chip;
use icao9303::transport::{Capabilities, Transport, TransportError};

/// A [`Transport`] that hands every command APDU straight to an emulated chip.
#[derive(Debug)]
pub struct EmulatorTransport {
    chip: Chip,
}

impl EmulatorTransport {
    /// A transport to `chip`.
    pub fn new(chip: Chip) -> Self {
        EmulatorTransport { chip }
    }

    /// The chip, for tests that inspect or tamper with it.
    pub fn chip_mut(&mut self) -> &mut Chip {
        &mut self.chip
    }

    /// The chip.
    pub fn chip(&self) -> &Chip {
        &self.chip
    }
}

impl Transport for EmulatorTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let response = self.chip.process(command);
        if response.is_empty() {
            // The chip left the field: no answer until the reader reconnects.
            return Err(TransportError::CardRemoved);
        }
        Ok(response)
    }

    fn capabilities(&self) -> Capabilities {
        let ext = self.chip.options().extended_length;
        Capabilities {
            extended_length: ext,
            max_command_len: if ext { 65544 } else { 261 },
            max_response_len: if ext { 65538 } else { 258 },
        }
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        self.chip.reset();
        Ok(())
    }
}
