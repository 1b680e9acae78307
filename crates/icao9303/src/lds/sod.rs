//! EF.SOD, the Document Security Object (ICAO 9303-10 §4.6.2): tag 0x77 around a CMS SignedData whose
//! content is an LDSSecurityObject (v0, or v1 with LDSVersionInfo) listing the hash of every data group.
//!
//! Parsing keeps the signed pieces as they were encoded (signed attributes, eContent, certificates), so
//! [`crate::pki`] can verify the signature over the original bytes.

use std::collections::BTreeMap;

use crate::asn1::ObjectIdentifier;
use thiserror::Error;

use crate::asn1::{Asn1Error, Element, Mode, tag};
use crate::crypto::hash::HashAlgorithm;
use crate::pki::cms::{self, SignedData};

/// id-icao-mrtd-security-ldsSecurityObject (2.23.136.1.1.1).
pub const ID_LDS_SECURITY_OBJECT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.1");

/// Application tag of EF.SOD.
pub const SOD_TAG: u32 = 0x77;

/// What was wrong with an EF.SOD.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SodError {
    /// The outer tag is not 0x77 or its length is malformed.
    #[error("EF.SOD: {0}")]
    Wrapper(String),
    /// The content is not a CMS SignedData.
    #[error("EF.SOD: not a CMS SignedData: {0}")]
    NotSignedData(#[source] cms::CmsError),
    /// The SignedData holds a content type other than the LDS security object (or id-data).
    #[error("EF.SOD: unexpected eContentType {0} (expected 2.23.136.1.1.1)")]
    ContentType(String),
    /// No encapsulated content.
    #[error("EF.SOD: SignedData has no eContent")]
    MissingContent,
    /// The LDSSecurityObject could not be decoded.
    #[error("EF.SOD: LDSSecurityObject {step}: {what}")]
    SecurityObject {
        /// Which field was being read.
        step: &'static str,
        /// What was wrong.
        what: String,
    },
    /// The version is neither v0 nor v1.
    #[error("EF.SOD: unsupported LDSSecurityObject version {0}")]
    Version(u64),
    /// The hash algorithm is not supported.
    #[error("EF.SOD: unsupported hash algorithm {0}")]
    HashAlgorithm(String),
    /// A data group number outside 1..=16.
    #[error("EF.SOD: data group number {0} out of range")]
    DataGroupNumber(u64),
    /// The same data group is listed twice.
    #[error("EF.SOD: data group {0} listed twice")]
    DuplicateDataGroup(u8),
    /// A hash value whose length does not match the algorithm.
    #[error("EF.SOD: hash of DG{dg} has {len} bytes, {algorithm} gives {expected}")]
    HashLength {
        /// The data group.
        dg: u8,
        /// The length found.
        len: usize,
        /// The hash algorithm.
        algorithm: HashAlgorithm,
        /// The length the algorithm produces.
        expected: usize,
    },
}

fn lso(step: &'static str) -> impl Fn(Asn1Error) -> SodError {
    move |e| SodError::SecurityObject {
        step,
        what: e.to_string(),
    }
}

/// A parsed EF.SOD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sod {
    /// LDSSecurityObject version: 0 (v0) or 1 (v1, with LDSVersionInfo).
    pub version: u8,
    /// The algorithm of the data group hashes.
    pub hash_algorithm: HashAlgorithm,
    /// Data group number (1..=16) → hash value.
    pub data_group_hashes: BTreeMap<u8, Vec<u8>>,
    /// LDS version from LDSVersionInfo ("0108"), v1 only.
    pub lds_version: Option<String>,
    /// Unicode version from LDSVersionInfo ("040000"), v1 only.
    pub unicode_version: Option<String>,
    /// The eContentType as found (id-ldsSecurityObject, or id-data in some issuers' SODs).
    pub content_type: ObjectIdentifier,
    /// The encapsulated LDSSecurityObject bytes, exactly as signed (what messageDigest covers).
    pub econtent: Vec<u8>,
    /// The CMS SignedData, with signer infos, signed attributes and certificates as encoded.
    pub signed_data: SignedData,
}

impl Sod {
    /// Parses a whole EF.SOD, starting with tag 0x77. Trailing bytes after the 0x77 element are ignored
    /// (chips pad files).
    pub fn parse(bytes: &[u8]) -> Result<Sod, SodError> {
        let (outer, _) = Mode::Ber
            .parse_one(bytes)
            .map_err(|e| SodError::Wrapper(e.to_string()))?;
        if outer.tag != SOD_TAG {
            return Err(SodError::Wrapper(format!(
                "tag {:X} instead of 77",
                outer.tag
            )));
        }
        let signed_data =
            SignedData::from_content_info(outer.value).map_err(SodError::NotSignedData)?;
        if signed_data.content_type != ID_LDS_SECURITY_OBJECT
            && signed_data.content_type != cms::ID_DATA
        {
            return Err(SodError::ContentType(signed_data.content_type.to_string()));
        }
        let econtent = signed_data
            .content
            .clone()
            .ok_or(SodError::MissingContent)?;
        let object = parse_security_object(&econtent)?;
        Ok(Sod {
            version: object.version,
            hash_algorithm: object.hash_algorithm,
            data_group_hashes: object.data_group_hashes,
            lds_version: object.lds_version,
            unicode_version: object.unicode_version,
            content_type: signed_data.content_type,
            econtent,
            signed_data,
        })
    }

    /// The hash the SOD lists for data group `dg`.
    pub fn hash_of(&self, dg: u8) -> Option<&[u8]> {
        self.data_group_hashes.get(&dg).map(Vec::as_slice)
    }

    /// Whether `data` (a data group's raw file bytes) hashes to the value listed for `dg`.
    /// `None` when the SOD does not list `dg`.
    pub fn check_data_group(&self, dg: u8, data: &[u8]) -> Option<bool> {
        self.hash_of(dg)
            .map(|expected| self.hash_algorithm.digest(data) == expected)
    }
}

struct SecurityObject {
    version: u8,
    hash_algorithm: HashAlgorithm,
    data_group_hashes: BTreeMap<u8, Vec<u8>>,
    lds_version: Option<String>,
    unicode_version: Option<String>,
}

fn parse_security_object(bytes: &[u8]) -> Result<SecurityObject, SodError> {
    let (seq, _) = Mode::Ber.parse_one(bytes).map_err(lso("SEQUENCE"))?;
    let seq = seq.expect(tag::SEQUENCE).map_err(lso("SEQUENCE"))?;
    let mut r = seq.cursor();
    let version = r
        .next("missing version")
        .and_then(|e| e.small_uint())
        .map_err(lso("version"))?;
    let version = match version {
        0 => 0,
        1 => 1,
        v => return Err(SodError::Version(v)),
    };
    let alg = r
        .next("missing hashAlgorithm")
        .and_then(|e| cms::AlgorithmId::parse(&e))
        .map_err(lso("hashAlgorithm"))?;
    let hash_algorithm = HashAlgorithm::from_oid(&alg.oid)
        .ok_or_else(|| SodError::HashAlgorithm(alg.oid.to_string()))?;
    let hashes = r
        .next_tagged(tag::SEQUENCE, "missing dataGroupHashValues")
        .map_err(lso("dataGroupHashValues"))?;
    let mut data_group_hashes = BTreeMap::new();
    for entry in hashes.children().map_err(lso("dataGroupHashValues"))? {
        let entry = entry.expect(tag::SEQUENCE).map_err(lso("DataGroupHash"))?;
        let mut e = entry.cursor();
        let number = e
            .next("missing dataGroupNumber")
            .and_then(|x| x.small_uint())
            .map_err(lso("dataGroupNumber"))?;
        let dg = match u8::try_from(number) {
            Ok(n @ 1..=16) => n,
            _ => return Err(SodError::DataGroupNumber(number)),
        };
        let value = e
            .next("missing dataGroupHashValue")
            .and_then(|x| x.octet_string())
            .map_err(lso("dataGroupHashValue"))?;
        if value.len() != hash_algorithm.output_len() {
            return Err(SodError::HashLength {
                dg,
                len: value.len(),
                algorithm: hash_algorithm,
                expected: hash_algorithm.output_len(),
            });
        }
        if data_group_hashes.insert(dg, value).is_some() {
            return Err(SodError::DuplicateDataGroup(dg));
        }
    }
    let (mut lds_version, mut unicode_version) = (None, None);
    if version == 1
        && let Some(info) = r.next_opt().map_err(lso("ldsVersionInfo"))?
    {
        let info = info.expect(tag::SEQUENCE).map_err(lso("ldsVersionInfo"))?;
        let mut i = info.cursor();
        lds_version = Some(printable(
            i.next("missing ldsVersion").map_err(lso("ldsVersion"))?,
            "ldsVersion",
        )?);
        unicode_version = Some(printable(
            i.next("missing unicodeVersion")
                .map_err(lso("unicodeVersion"))?,
            "unicodeVersion",
        )?);
    }
    Ok(SecurityObject {
        version,
        hash_algorithm,
        data_group_hashes,
        lds_version,
        unicode_version,
    })
}

fn printable(el: Element<'_>, step: &'static str) -> Result<String, SodError> {
    // PrintableString (0x13); UTF8String (0x0C) is tolerated.
    let bytes = match el.tag {
        0x13 | 0x0C => el.value,
        _ => {
            return Err(SodError::SecurityObject {
                step,
                what: format!("unexpected tag {:X}", el.tag),
            });
        }
    };
    String::from_utf8(bytes.to_vec()).map_err(|_| SodError::SecurityObject {
        step,
        what: "not text".into(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::asn1::der;

    #[test]
    fn rejects_wrong_outer_tag_and_garbage() {
        assert!(matches!(
            Sod::parse(&[0x30, 0x00]),
            Err(SodError::Wrapper(_))
        ));
        assert!(matches!(Sod::parse(&[]), Err(SodError::Wrapper(_))));
        assert!(matches!(
            Sod::parse(&[0x77, 0x02, 0x30, 0x00]),
            Err(SodError::NotSignedData(_))
        ));
    }

    #[test]
    fn security_object_rejects_dg0() {
        // SEQUENCE { 0, {sha256}, SEQUENCE { SEQUENCE { 0, OCTET STRING(32) } } }
        let mut dgh = vec![0x02, 0x01, 0x00, 0x04, 0x20];
        dgh.extend([0u8; 32]);
        let dgh = der::tlv(0x30, &dgh);
        let mut body = vec![0x02, 0x01, 0x00];
        body.extend(der::tlv(
            0x30,
            &[
                0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
            ],
        ));
        body.extend(der::tlv(0x30, &dgh));
        let lso = der::tlv(0x30, &body);
        let err = parse_security_object(&lso).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("EF.SOD: data group number 0 out of range")
        );
    }
}
