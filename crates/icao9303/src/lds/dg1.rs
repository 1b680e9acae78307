//! DG1 (ICAO 9303-10 section 4.7.1): the MRZ as stored on the chip, tag 61 { 5F1F MRZ }.

use super::LdsElement;
use super::LdsFile;
use super::error::{LdsError, TlvContext, parse_file};
use crate::asn1::{self, Tag};
use crate::mrz::{Mrz, ParseOptions};

/// The tag of EF.DG1.
pub const TAG_DG1: Tag = 0x61;
/// The tag of the MRZ inside DG1.
pub const TAG_MRZ: Tag = 0x5F1F;
/// The file name in errors.
const FILE: &str = "DG1";

/// A parsed DG1: the MRZ text and its parsed fields.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct Dg1 {
    /// The MRZ as read (check digits kept even when wrong: some issued documents carry wrong ones; the
    /// report says which).
    pub mrz: Mrz,
}

impl std::fmt::Debug for Dg1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dg1").field("mrz", &self.mrz).finish()
    }
}

impl Dg1 {
    /// Parses DG1 (tag 61).
    pub fn parse(bytes: &[u8]) -> Result<Dg1, LdsError> {
        let top = parse_file(FILE, TAG_DG1, bytes, &mut Vec::new())?;
        let mrz = top.require(TAG_MRZ).in_file(FILE, Some(TAG_DG1))?;
        let text = std::str::from_utf8(mrz.value)
            .ok()
            .filter(|t| t.is_ascii())
            .ok_or(LdsError::NotText {
                file: FILE,
                tag: TAG_MRZ,
            })?;
        let mrz = Mrz::parse_with(
            text,
            ParseOptions {
                allow_bad_check_digits: true,
            },
        )
        .map_err(|source| LdsError::Mrz { file: FILE, source })?;
        Ok(Dg1 { mrz })
    }

    /// Encodes an MRZ (its lines concatenated) as DG1.
    pub fn encode(mrz_lines: &[&str]) -> Vec<u8> {
        asn1::der::tlv(
            TAG_DG1,
            &asn1::der::tlv(TAG_MRZ, mrz_lines.concat().as_bytes()),
        )
    }
}

impl LdsElement for Dg1 {
    const FILES: &'static [LdsFile] = &[LdsFile::Dg(1)];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Dg1::parse(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_brp() {
        let lines = [
            "IRGBRZU38475628<<<<<<<<<<<<<<<",
            "8803148F3403130UTO<<<<<<<<<<<8",
            "TESTHOLDER<<AMINA<GRACE<<<<<<<",
        ];
        let dg1 = Dg1::parse(&Dg1::encode(&lines)).unwrap();
        assert_eq!(dg1.mrz.document_number, "ZU3847562");
        assert!(dg1.mrz.all_check_digits_valid());
        assert!(Dg1::parse(&[0x61, 0x03, 0x5F, 0x1F, 0x00]).is_err());
    }
}
