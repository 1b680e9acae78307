//! The emulated chip as an in-process [`Transport`]: what `mrtd demo` and the tests read through.

use crate::chip::Chip;
use icao9303::transport::{Capabilities, ExtendedLength, Transport, TransportError};

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
            // The chip went mute (the reader times out) or left the field: no answer until the reader
            // reconnects.
            return Err(if self.chip.is_mute() {
                TransportError::Timeout
            } else {
                TransportError::CardRemoved
            });
        }
        Ok(response)
    }

    /// What a reader that carries extended-length APDUs would report for this chip: from its ATR, as
    /// the PC/SC transport does (announced: yes; announced short only: no; silent: unknown).
    fn capabilities(&self) -> Capabilities {
        let options = self.chip.options();
        match (options.silent_atr, options.extended_length) {
            (true, _) => Capabilities::extended(ExtendedLength::Unknown),
            (false, true) => Capabilities::extended(ExtendedLength::Yes),
            (false, false) => Capabilities::default(),
        }
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        self.chip.reset();
        Ok(())
    }
}
