//! DG15 (ICAO 9303-10 section 4.7.15): the Active Authentication public key, a SubjectPublicKeyInfo
//! (RSA or EC) inside tag `6F`.

use super::LdsElement;
use super::LdsFile;
use super::error::{LdsError, TlvContext};
use crate::asn1::{self, Mode, Tag};
use crate::pki::certificate::PublicKeyInfo;
use crate::pki::signature::describe_key;

/// The tag of EF.DG15.
pub const TAG_DG15: Tag = 0x6F;
/// The file name in errors.
const FILE: &str = "DG15";

/// Object identifier of rsaEncryption (1.2.840.113549.1.1.1).
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
/// Object identifier of id-ecPublicKey (1.2.840.10045.2.1).
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";

/// The kind of Active Authentication key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AaKeyKind {
    /// RSA: signatures with ISO/IEC 9796-2 digital signature scheme 1.
    Rsa,
    /// EC: ECDSA signatures, hash from DG14's ActiveAuthenticationInfo.
    Ec,
}

/// A parsed DG15.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg15 {
    /// The Active Authentication public key (raw SubjectPublicKeyInfo kept in `key.raw`).
    pub key: PublicKeyInfo,
    /// RSA or EC.
    pub kind: AaKeyKind,
}

impl Dg15 {
    /// Parses DG15: `6F L SubjectPublicKeyInfo`. Keys other than RSA and EC are refused.
    pub fn parse(bytes: &[u8]) -> Result<Dg15, LdsError> {
        let outer = asn1::parse_tagged(bytes, TAG_DG15).in_file(FILE, None)?;
        let spki = Mode::Ber
            .parse_exact(outer.value)
            .in_file(FILE, Some(TAG_DG15))?;
        let key = PublicKeyInfo::parse(&spki).in_file(FILE, Some(TAG_DG15))?;
        let kind = match key.algorithm.oid.to_string().as_str() {
            RSA_ENCRYPTION => AaKeyKind::Rsa,
            EC_PUBLIC_KEY => AaKeyKind::Ec,
            other => {
                return Err(LdsError::UnsupportedKey {
                    file: FILE,
                    algorithm: other.to_owned(),
                });
            }
        };
        Ok(Dg15 { key, kind })
    }

    /// Encodes DG15 from a DER SubjectPublicKeyInfo (the emulator's personalisation).
    pub fn encode(spki: &[u8]) -> Vec<u8> {
        asn1::der::tlv(TAG_DG15, spki)
    }

    /// A short description of the key ("RSA-1024", "EC NIST P-256").
    pub fn describe(&self) -> String {
        describe_key(&self.key)
    }
}

impl LdsElement for Dg15 {
    const FILES: &'static [LdsFile] = &[LdsFile::Dg(15)];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Dg15::parse(bytes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn data(path: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../test-vectors/data/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn real_and_reference_dg15() {
        let dg15 = Dg15::parse(&data("dg15/EF_DG15_sample.bin")).unwrap();
        assert_eq!(dg15.kind, AaKeyKind::Rsa);
        assert_eq!(dg15.describe(), "RSA-1792");
        let bsi = Dg15::parse(&data("bsi-reference-dataset/Datagroup15.bin")).unwrap();
        assert_eq!(bsi.describe(), "RSA-1024");
        assert!(Dg15::parse(&[0x6F, 0x02, 0x30, 0x00]).is_err());
        assert!(Dg15::parse(&[]).is_err());
    }
}
