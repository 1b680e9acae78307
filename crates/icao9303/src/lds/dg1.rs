//! DG1 (ICAO 9303-10 section 4.7.1): the MRZ as stored on the chip, tag 61 { 5F1F MRZ }.

use crate::asn1;
use crate::mrz::{Mrz, ParseOptions};

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
    pub fn parse(bytes: &[u8]) -> Result<Dg1, crate::Error> {
        let err = |what: String| crate::Error::File {
            file: "DG1".into(),
            what,
        };
        let (top, _) = asn1::parse_one(bytes).map_err(|e| err(e.to_string()))?;
        if top.tag != 0x61 {
            return Err(err(format!("starts with tag {:X}, expected 61", top.tag)));
        }
        let mrz = top.require(0x5F1F).map_err(|e| err(e.to_string()))?;
        let text = std::str::from_utf8(mrz.value).map_err(|_| err("MRZ is not ASCII".into()))?;
        let mrz = Mrz::parse_with(
            text,
            ParseOptions {
                allow_bad_check_digits: true,
            },
        )
        .map_err(|e| err(e.to_string()))?;
        Ok(Dg1 { mrz })
    }

    /// Encodes an MRZ (its lines concatenated) as DG1.
    pub fn encode(mrz_lines: &[&str]) -> Vec<u8> {
        asn1::der::tlv(0x61, &asn1::der::tlv(0x5F1F, mrz_lines.concat().as_bytes()))
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
