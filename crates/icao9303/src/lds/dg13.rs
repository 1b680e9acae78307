//! DG13: optional details, in a format of the issuing State's choosing (ICAO 9303-10 section 4.7.13).
//!
//! The content is not standardised, so it is kept raw and offered as hex and as printable text.

use super::LdsElement;
use super::LdsFile;
use serde::Serialize;

use super::error::{LdsError, parse_file, to_hex};
use crate::asn1::Tag;

/// The tag of EF.DG13.
pub const TAG_DG13: Tag = 0x6D;

/// The parsed DG13: its value bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg13 {
    /// The value of tag 6D, exactly as stored.
    pub value: Vec<u8>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

impl Dg13 {
    /// Parses a whole DG13 (tag 6D).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let mut warnings = Vec::new();
        let outer = parse_file("DG13", TAG_DG13, bytes, &mut warnings)?;
        Ok(Dg13 {
            value: outer.value.to_vec(),
            warnings,
        })
    }

    /// The value as upper-case hex.
    pub fn hex(&self) -> String {
        to_hex(&self.value)
    }

    /// The value as text: UTF-8 where valid, with control characters and invalid bytes shown as `.`.
    pub fn printable_text(&self) -> String {
        String::from_utf8_lossy(&self.value)
            .chars()
            .map(|c| {
                if c.is_control() || c == char::REPLACEMENT_CHARACTER {
                    '.'
                } else {
                    c
                }
            })
            .collect()
    }
}

impl Serialize for Dg13 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Dg13", 4)?;
        st.serialize_field("length", &self.value.len())?;
        st.serialize_field("hex", &self.hex())?;
        st.serialize_field("text", &self.printable_text())?;
        st.serialize_field("warnings", &self.warnings)?;
        st.end()
    }
}

impl LdsElement for Dg13 {
    const FILES: &'static [LdsFile] = &[LdsFile::Dg(13)];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Dg13::parse(bytes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn raw_hex_and_text() {
        let dg = Dg13::parse(&[0x6D, 0x05, b'A', b'B', 0x00, 0xFF, b'c']).unwrap();
        assert_eq!(dg.hex(), "414200FF63");
        assert_eq!(dg.printable_text(), "AB..c");
        assert_eq!(serde_json::to_value(&dg).unwrap()["length"], 5);
        assert!(Dg13::parse(&[0x6C, 0x00]).is_err());
    }
}
