//! Command and response APDUs (ISO/IEC 7816-4), in short and extended length, and status words with their meaning.

use std::fmt;
use thiserror::Error;

/// A malformed command or response APDU.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApduError {
    /// A response shorter than the two status bytes.
    #[error("response APDU of {0} bytes has no status word")]
    NoStatusWord(usize),
    /// A command APDU whose length fields do not match its size.
    #[error("malformed command APDU: {0}")]
    MalformedCommand(&'static str),
    /// Command data or Le too large for extended length.
    #[error("command APDU too long: {0} data bytes")]
    TooLong(usize),
}

/// A command APDU: header, optional data (Lc is implied by its length) and optional Le.
///
/// `le` is the number of expected response bytes: `Some(256)` is encoded as `00` in short form,
/// `Some(65536)` as `0000` in extended form. The encoding is short unless data or Le need extended length,
/// or [`CommandApdu::extended`] forces it.
#[derive(Clone, PartialEq, Eq)]
pub struct CommandApdu {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// First parameter.
    pub p1: u8,
    /// Second parameter.
    pub p2: u8,
    /// Command data (Lc is its length).
    pub data: Vec<u8>,
    /// Expected response length, if any.
    pub le: Option<usize>,
    /// Use extended length even where short would do.
    pub extended: bool,
}

impl fmt::Debug for CommandApdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Data is left out on purpose: it may carry secrets (e.g. MSE:Set AT references, mutual auth data).
        write!(
            f,
            "CommandApdu({:02X} {:02X} {:02X} {:02X}, {} data bytes, le {:?})",
            self.cla,
            self.ins,
            self.p1,
            self.p2,
            self.data.len(),
            self.le
        )
    }
}

impl CommandApdu {
    /// A command without data and without Le (ISO case 1).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        CommandApdu {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
            extended: false,
        }
    }

    /// Sets the command data.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    /// Sets Le.
    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    /// Forces extended-length encoding.
    pub fn force_extended(mut self, yes: bool) -> Self {
        self.extended = yes;
        self
    }

    /// True when this command must be (or is asked to be) encoded with extended length.
    pub fn is_extended(&self) -> bool {
        self.extended || self.data.len() > 255 || self.le.is_some_and(|le| le > 256)
    }

    /// The encoded command APDU.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        if self.data.len() > 65535 {
            return Err(ApduError::TooLong(self.data.len()));
        }
        if self.le.is_some_and(|le| le == 0 || le > 65536) {
            return Err(ApduError::MalformedCommand("Le must be 1..=65536"));
        }
        let mut out = Vec::with_capacity(self.data.len() + 9);
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        let ext = self.is_extended();
        if !self.data.is_empty() {
            if ext {
                out.push(0);
                out.extend_from_slice(&(self.data.len() as u16).to_be_bytes());
            } else {
                out.push(self.data.len() as u8);
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            if ext {
                if self.data.is_empty() {
                    out.push(0);
                }
                out.extend_from_slice(&((le % 65536) as u16).to_be_bytes());
            } else {
                out.push((le % 256) as u8);
            }
        }
        Ok(out)
    }

    /// Decodes a command APDU (used by the card side: the emulator).
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        let (header, body) = match bytes {
            [cla, ins, p1, p2, body @ ..] => ([*cla, *ins, *p1, *p2], body),
            _ => {
                return Err(ApduError::MalformedCommand(
                    "shorter than four header bytes",
                ));
            }
        };
        let mut cmd = CommandApdu::new(header[0], header[1], header[2], header[3]);
        match body {
            [] => {}
            [le] => cmd.le = Some(if *le == 0 { 256 } else { usize::from(*le) }),
            [0, rest @ ..] if rest.len() >= 2 => {
                cmd.extended = true;
                let n = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
                let rest = &rest[2..];
                if rest.is_empty() {
                    cmd.le = Some(if n == 0 { 65536 } else { n });
                } else {
                    if n == 0 {
                        return Err(ApduError::MalformedCommand("extended Lc of zero"));
                    }
                    let data = rest
                        .get(..n)
                        .ok_or(ApduError::MalformedCommand("Lc larger than the data"))?;
                    cmd.data = data.to_vec();
                    match &rest[n..] {
                        [] => {}
                        [a, b] => {
                            let le = usize::from(u16::from_be_bytes([*a, *b]));
                            cmd.le = Some(if le == 0 { 65536 } else { le });
                        }
                        _ => return Err(ApduError::MalformedCommand("bad extended Le")),
                    }
                }
            }
            [lc, rest @ ..] => {
                let n = usize::from(*lc);
                let data = rest
                    .get(..n)
                    .ok_or(ApduError::MalformedCommand("Lc larger than the data"))?;
                cmd.data = data.to_vec();
                match &rest[n..] {
                    [] => {}
                    [le] => cmd.le = Some(if *le == 0 { 256 } else { usize::from(*le) }),
                    _ => return Err(ApduError::MalformedCommand("bytes after Le")),
                }
            }
        }
        Ok(cmd)
    }
}

/// A status word SW1-SW2 (ISO/IEC 7816-4 section 5.6).
#[derive(Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// 9000: normal processing.
    pub const OK: StatusWord = StatusWord(0x9000);
    /// 6282: end of file reached before Le bytes.
    pub const END_OF_FILE: StatusWord = StatusWord(0x6282);
    /// 6700: wrong length.
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);
    /// 6882: secure messaging not supported.
    pub const SM_NOT_SUPPORTED: StatusWord = StatusWord(0x6882);
    /// 6982: security status not satisfied.
    pub const SECURITY_STATUS_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    /// 6983: authentication method blocked.
    pub const AUTH_METHOD_BLOCKED: StatusWord = StatusWord(0x6983);
    /// 6985: conditions of use not satisfied.
    pub const CONDITIONS_NOT_SATISFIED: StatusWord = StatusWord(0x6985);
    /// 6987: expected secure messaging data objects missing.
    pub const SM_OBJECTS_MISSING: StatusWord = StatusWord(0x6987);
    /// 6988: secure messaging data objects incorrect.
    pub const SM_OBJECTS_INCORRECT: StatusWord = StatusWord(0x6988);
    /// 6A80: incorrect parameters in the data field.
    pub const WRONG_DATA: StatusWord = StatusWord(0x6A80);
    /// 6A82: file or application not found.
    pub const FILE_NOT_FOUND: StatusWord = StatusWord(0x6A82);
    /// 6A86: incorrect P1-P2.
    pub const WRONG_P1P2: StatusWord = StatusWord(0x6A86);
    /// 6A88: referenced data not found.
    pub const DATA_NOT_FOUND: StatusWord = StatusWord(0x6A88);
    /// 6B00: wrong parameters (offset outside the file).
    pub const WRONG_PARAMETERS: StatusWord = StatusWord(0x6B00);
    /// 6D00: instruction not supported.
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    /// 6E00: class not supported.
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    /// 6300: authentication failed.
    pub const AUTH_FAILED: StatusWord = StatusWord(0x6300);

    /// SW1.
    pub fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }

    /// SW2.
    pub fn sw2(self) -> u8 {
        self.0 as u8
    }

    /// True for 9000 and 61xx (more data available).
    pub fn is_success(self) -> bool {
        self.0 == 0x9000 || self.sw1() == 0x61
    }

    /// A short English description of the status word.
    pub fn meaning(self) -> String {
        let fixed = match self.0 {
            0x9000 => "success",
            0x6281 => "part of returned data may be corrupted",
            0x6282 => "end of file reached before reading Le bytes",
            0x6700 => "wrong length",
            0x6881 => "logical channel not supported",
            0x6882 => "secure messaging not supported",
            0x6981 => "command incompatible with file structure",
            0x6982 => "security status not satisfied",
            0x6983 => "authentication method blocked",
            0x6984 => "reference data not usable",
            0x6985 => "conditions of use not satisfied",
            0x6986 => "command not allowed (no current EF)",
            0x6987 => "expected secure messaging data objects missing",
            0x6988 => "incorrect secure messaging data objects",
            0x6A80 => "incorrect parameters in the data field",
            0x6A81 => "function not supported",
            0x6A82 => "file or application not found",
            0x6A86 => "incorrect parameters P1-P2",
            0x6A87 => "Lc inconsistent with P1-P2",
            0x6A88 => "referenced data not found",
            0x6B00 => "wrong parameters (offset outside the EF)",
            0x6D00 => "instruction not supported",
            0x6E00 => "class not supported",
            0x6F00 => "no precise diagnosis",
            _ => "",
        };
        if !fixed.is_empty() {
            return fixed.to_string();
        }
        match self.sw1() {
            0x61 => format!("{} more bytes available", self.sw2()),
            0x6C => format!("wrong Le: exactly {} bytes available", self.sw2()),
            0x63 if self.sw2() & 0xF0 == 0xC0 => {
                format!("verification failed, {} tries left", self.sw2() & 0x0F)
            }
            0x63 => "authentication failed".to_string(),
            0x62 => "warning".to_string(),
            0x64..=0x66 => "execution error".to_string(),
            0x67..=0x6F => "checking error".to_string(),
            _ => "unknown status".to_string(),
        }
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X} ({})", self.0, self.meaning())
    }
}

/// A response APDU: data and status word.
#[derive(Clone, PartialEq, Eq)]
pub struct ResponseApdu {
    /// Response data.
    pub data: Vec<u8>,
    /// Status word.
    pub sw: StatusWord,
}

impl fmt::Debug for ResponseApdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ResponseApdu({} data bytes, SW {:?})",
            self.data.len(),
            self.sw
        )
    }
}

impl ResponseApdu {
    /// A response with data and status word.
    pub fn new(data: impl Into<Vec<u8>>, sw: StatusWord) -> Self {
        ResponseApdu {
            data: data.into(),
            sw,
        }
    }

    /// A response carrying only a status word.
    pub fn status(sw: StatusWord) -> Self {
        ResponseApdu {
            data: Vec::new(),
            sw,
        }
    }

    /// Splits raw response bytes into data and status word.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        if bytes.len() < 2 {
            return Err(ApduError::NoStatusWord(bytes.len()));
        }
        let (data, sw) = bytes.split_at(bytes.len() - 2);
        Ok(ResponseApdu {
            data: data.to_vec(),
            sw: StatusWord(u16::from_be_bytes([sw[0], sw[1]])),
        })
    }

    /// The encoded response: data followed by SW1 SW2.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.0.to_be_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(cmd: &CommandApdu, expected: &str) {
        let bytes = cmd.to_bytes().unwrap();
        assert_eq!(hex::encode_upper(&bytes), expected);
        let parsed = CommandApdu::parse(&bytes).unwrap();
        assert_eq!(
            (parsed.cla, parsed.ins, parsed.p1, parsed.p2),
            (cmd.cla, cmd.ins, cmd.p1, cmd.p2)
        );
        assert_eq!((&parsed.data, parsed.le), (&cmd.data, cmd.le));
        assert_eq!(parsed.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn short_cases() {
        round_trip(&CommandApdu::new(0x00, 0x84, 0, 0).with_le(8), "0084000008");
        round_trip(
            &CommandApdu::new(0x00, 0xA4, 2, 0x0C).with_data(vec![0x01, 0x1E]),
            "00A4020C02011E",
        );
        round_trip(
            &CommandApdu::new(0x00, 0xB0, 0, 0).with_le(256),
            "00B0000000",
        );
        round_trip(
            &CommandApdu::new(0x00, 0x82, 0, 0)
                .with_data(vec![0xAA; 2])
                .with_le(0x28),
            "0082000002AAAA28",
        );
        round_trip(&CommandApdu::new(0x00, 0xA4, 0, 0), "00A40000");
    }

    #[test]
    fn extended_cases() {
        let le_only = CommandApdu::new(0x00, 0xB0, 0, 0).with_le(0x1000);
        round_trip(&le_only, "00B00000001000");
        let max = CommandApdu::new(0x00, 0xB0, 0, 0).with_le(65536);
        round_trip(&max, "00B00000000000");
        let data = CommandApdu::new(0x0C, 0xB0, 0, 0)
            .with_data(vec![1, 2])
            .with_le(65536)
            .force_extended(true);
        round_trip(&data, "0CB0000000000201020000");
    }

    #[test]
    fn malformed_commands_are_errors() {
        assert!(CommandApdu::parse(&[0x00, 0xA4, 0x02]).is_err());
        assert!(CommandApdu::parse(&[0x00, 0xA4, 0x02, 0x0C, 0x05, 0x01]).is_err());
        assert!(CommandApdu::parse(&[0x00, 0xA4, 0x02, 0x0C, 0x01, 0x01, 0x00, 0x00]).is_err());
        assert!(ResponseApdu::parse(&[0x90]).is_err());
    }

    #[test]
    fn status_meanings() {
        assert_eq!(
            StatusWord(0x6982).meaning(),
            "security status not satisfied"
        );
        assert_eq!(
            StatusWord(0x6C10).meaning(),
            "wrong Le: exactly 16 bytes available"
        );
        assert_eq!(
            StatusWord(0x63C2).meaning(),
            "verification failed, 2 tries left"
        );
        assert!(StatusWord(0x6110).is_success());
    }
}
