//! DG14 (ICAO 9303-10 section 4.7.14): the SecurityInfos of Chip Authentication (and of PACE-CAM, Terminal
//! Authentication and ECDSA Active Authentication), `6E L SecurityInfos`. The SecurityInfos themselves are
//! parsed by [`super::security_infos`], shared with EF.CardAccess and EF.CardSecurity.

use super::LdsElement;
use super::LdsFile;
use super::error::{LdsError, TlvContext};
use super::security_infos::SecurityInfos;
use crate::asn1::{self, Tag};

/// The tag of EF.DG14.
pub const TAG_DG14: Tag = 0x6E;
/// The file name in errors.
const FILE: &str = "DG14";

/// A parsed DG14.
#[derive(Debug, Clone, PartialEq)]
pub struct Dg14 {
    /// The SecurityInfos set inside tag 6E.
    pub security_infos: SecurityInfos,
}

impl Dg14 {
    /// Parses DG14: `6E L SecurityInfos`.
    pub fn parse(bytes: &[u8]) -> Result<Dg14, LdsError> {
        let outer = asn1::parse_tagged(bytes, TAG_DG14).in_file(FILE, None)?;
        let security_infos = SecurityInfos::parse(outer.value)
            .map_err(|source| LdsError::SecurityInfos { file: FILE, source })?;
        Ok(Dg14 { security_infos })
    }

    /// Encodes DG14 around an encoded SecurityInfos set (the emulator's personalisation).
    pub fn encode(security_infos: &[u8]) -> Vec<u8> {
        asn1::der::tlv(TAG_DG14, security_infos)
    }
}

impl LdsElement for Dg14 {
    const FILES: &'static [LdsFile] = &[LdsFile::Dg(14)];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Dg14::parse(bytes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bsi_reference_dg14() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../test-vectors/data/bsi-reference-dataset/Datagroup14.bin"
        ))
        .unwrap();
        let dg14 = Dg14::parse(&bytes).unwrap();
        assert!(dg14.security_infos.chip_authentication_infos().count() >= 1);
        // 6E 82 01 4A: the SecurityInfos start after a three-byte length.
        assert_eq!(Dg14::encode(&bytes[4..]), bytes);
        assert!(matches!(
            Dg14::parse(&[0x6F, 0x00]),
            Err(LdsError::UnexpectedTag { file: "DG14", .. })
        ));
        assert!(matches!(
            Dg14::parse(&[0x6E, 0x02, 0x30, 0x00]),
            Err(LdsError::SecurityInfos { file: "DG14", .. })
        ));
    }
}
