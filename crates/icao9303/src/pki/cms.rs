//! CMS SignedData (RFC 5652) as used by EF.SOD, EF.CardSecurity and CSCA master lists.
//!
//! The structure is read with the crate's BER reader so that the original bytes of the signed attributes,
//! the encapsulated content and each certificate are kept exactly as they were encoded.

use crate::asn1::ObjectIdentifier;
use thiserror::Error;

use crate::asn1::{Asn1Error, Element, Mode, tag};

/// id-signedData (1.2.840.113549.1.7.2).
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-data (1.2.840.113549.1.7.1): found instead of the real content type in some SODs.
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-contentType signed attribute (1.2.840.113549.1.9.3).
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest signed attribute (1.2.840.113549.1.9.4).
pub const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// id-signingTime signed attribute (1.2.840.113549.1.9.5).
pub const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

/// What was wrong with a CMS structure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CmsError {
    /// The bytes are not BER at the given step.
    #[error("{step}: {source}")]
    Ber {
        /// Which part of the structure was being read.
        step: &'static str,
        /// The encoding error.
        source: Asn1Error,
    },
    /// The ContentInfo does not hold a SignedData.
    #[error("not a CMS SignedData (content type {0})")]
    NotSignedData(String),
    /// A required part is missing or has the wrong form.
    #[error("malformed SignedData: {0}")]
    Malformed(&'static str),
    /// A SignerInfo's version does not match the form of its sid (RFC 5652 §5.3: version 1 with
    /// issuerAndSerialNumber, 3 with subjectKeyIdentifier).
    #[error(
        "SignerInfo version {version} does not match its {sid} sid (RFC 5652 §5.3 requires version {required})"
    )]
    SignerInfoVersion {
        /// The version the SignerInfo carries.
        version: u64,
        /// The sid's form: "issuerAndSerialNumber" or "subjectKeyIdentifier".
        sid: &'static str,
        /// The version that form requires.
        required: u64,
    },
}

fn at(step: &'static str) -> impl Fn(Asn1Error) -> CmsError {
    move |source| CmsError::Ber { step, source }
}

/// An AlgorithmIdentifier: the OID and the original bytes of its parameters, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgorithmId {
    /// The algorithm OID.
    pub oid: ObjectIdentifier,
    /// The encoded parameters (a whole element, e.g. `05 00` for NULL), if present.
    pub parameters: Option<Vec<u8>>,
}

impl AlgorithmId {
    /// Reads an AlgorithmIdentifier SEQUENCE.
    pub fn parse(el: &Element<'_>) -> Result<Self, Asn1Error> {
        let el = el.expect(tag::SEQUENCE)?;
        let mut r = el.cursor();
        let oid = r.next("AlgorithmIdentifier without OID")?.oid()?;
        let parameters = r.next_opt()?.map(|p| p.raw.to_vec());
        Ok(AlgorithmId { oid, parameters })
    }

    /// True when the parameters are absent or NULL.
    pub fn parameters_absent_or_null(&self) -> bool {
        match &self.parameters {
            None => true,
            Some(p) => p.as_slice() == [0x05, 0x00],
        }
    }
}

/// How a SignerInfo names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerIdentifier {
    /// issuerAndSerialNumber: the encoded issuer Name and the serial number's INTEGER content bytes.
    IssuerAndSerialNumber {
        /// The issuer Name as encoded in the SignerInfo.
        issuer: Vec<u8>,
        /// The serial number's content bytes.
        serial: Vec<u8>,
    },
    /// subjectKeyIdentifier \[0\].
    SubjectKeyIdentifier(Vec<u8>),
}

/// One SignerInfo, with the signed attributes kept as originally encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    /// CMSVersion (1 for issuerAndSerialNumber, 3 for subjectKeyIdentifier).
    pub version: u64,
    /// Which certificate signed.
    pub sid: SignerIdentifier,
    /// The digest algorithm for the content and the signed attributes.
    pub digest_algorithm: AlgorithmId,
    /// The signed attributes re-tagged as `SET OF` (0x31): the exact bytes the signature covers.
    pub signed_attrs: Option<Vec<u8>>,
    /// Value of the contentType signed attribute.
    pub content_type_attr: Option<ObjectIdentifier>,
    /// Value of the messageDigest signed attribute.
    pub message_digest: Option<Vec<u8>>,
    /// Value of the signingTime signed attribute, if present and readable (a master list signer's
    /// certificate must be valid then).
    pub signing_time: Option<crate::asn1::Time>,
    /// The signature algorithm (may be plain rsaEncryption, with the hash taken from `digest_algorithm`).
    pub signature_algorithm: AlgorithmId,
    /// The signature value.
    pub signature: Vec<u8>,
}

impl SignerInfo {
    /// The bytes the signature is computed over: the signed attributes if present, else the content.
    pub fn signed_bytes<'a>(&'a self, content: &'a [u8]) -> &'a [u8] {
        self.signed_attrs.as_deref().unwrap_or(content)
    }
}

/// A parsed CMS SignedData.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedData {
    /// CMSVersion.
    pub version: u64,
    /// digestAlgorithms.
    pub digest_algorithms: Vec<AlgorithmId>,
    /// eContentType of the encapsulated content.
    pub content_type: ObjectIdentifier,
    /// The encapsulated content octets (segments of a constructed OCTET STRING joined), if present.
    pub content: Option<Vec<u8>>,
    /// Each certificate in `certificates`, as originally encoded.
    pub certificates: Vec<Vec<u8>>,
    /// Each CRL in `crls`, as originally encoded.
    pub crls: Vec<Vec<u8>>,
    /// The signers.
    pub signer_infos: Vec<SignerInfo>,
}

impl SignedData {
    /// Parses a ContentInfo whose contentType is id-signedData. Trailing bytes after it are ignored.
    pub fn from_content_info(bytes: &[u8]) -> Result<Self, CmsError> {
        let (ci, _) = Mode::Ber.parse_one(bytes).map_err(at("ContentInfo"))?;
        if ci.tag != tag::SEQUENCE {
            return Err(CmsError::Malformed("ContentInfo is not a SEQUENCE"));
        }
        let mut r = ci.cursor();
        let ct = r
            .next("ContentInfo contentType")
            .and_then(|e| e.oid())
            .map_err(at("ContentInfo contentType"))?;
        if ct != ID_SIGNED_DATA {
            return Err(CmsError::NotSignedData(ct.to_string()));
        }
        let wrapper = r
            .next_tagged(tag::context(0), "ContentInfo [0] content")
            .map_err(at("ContentInfo content"))?;
        let mut w = wrapper.cursor();
        let sd = w
            .next_tagged(tag::SEQUENCE, "SignedData SEQUENCE")
            .map_err(at("SignedData"))?;
        Self::parse(&sd)
    }

    /// Parses the SignedData SEQUENCE itself.
    pub fn parse(sd: &Element<'_>) -> Result<Self, CmsError> {
        let mut r = sd.cursor();
        let version = r
            .next("SignedData version")
            .and_then(|e| e.small_uint())
            .map_err(at("SignedData version"))?;
        let algs = r
            .next_tagged(tag::SET, "digestAlgorithms SET")
            .map_err(at("digestAlgorithms"))?;
        let digest_algorithms = algs
            .children()
            .and_then(|c| {
                c.iter()
                    .map(AlgorithmId::parse)
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(at("digestAlgorithms"))?;

        let eci = r
            .next_tagged(tag::SEQUENCE, "encapContentInfo SEQUENCE")
            .map_err(at("encapContentInfo"))?;
        let mut er = eci.cursor();
        let content_type = er
            .next("eContentType")
            .and_then(|e| e.oid())
            .map_err(at("eContentType"))?;
        let content = match er.next_if(tag::context(0)).map_err(at("eContent"))? {
            Some(explicit) => {
                let mut x = explicit.cursor();
                let os = x.next("eContent OCTET STRING").map_err(at("eContent"))?;
                Some(os.octet_string().map_err(at("eContent"))?)
            }
            None => None,
        };

        let mut certificates = Vec::new();
        if let Some(certs) = r.next_if(tag::context(0)).map_err(at("certificates"))? {
            for c in certs.children().map_err(at("certificates"))? {
                // Only plain X.509 certificates (SEQUENCE) are used; other choices are skipped.
                if c.tag == tag::SEQUENCE {
                    certificates.push(c.raw.to_vec());
                }
            }
        }
        let mut crls = Vec::new();
        if let Some(list) = r.next_if(tag::context(1)).map_err(at("crls"))? {
            for c in list.children().map_err(at("crls"))? {
                if c.tag == tag::SEQUENCE {
                    crls.push(c.raw.to_vec());
                }
            }
        }
        let infos = r
            .next_tagged(tag::SET, "signerInfos SET")
            .map_err(at("signerInfos"))?;
        let mut signer_infos = Vec::new();
        for si in infos.children().map_err(at("signerInfos"))? {
            signer_infos.push(parse_signer_info(&si)?);
        }
        Ok(SignedData {
            version,
            digest_algorithms,
            content_type,
            content,
            certificates,
            crls,
            signer_infos,
        })
    }
}

fn parse_signer_info(si: &Element<'_>) -> Result<SignerInfo, CmsError> {
    let step = "SignerInfo";
    if si.tag != tag::SEQUENCE {
        return Err(CmsError::Malformed("SignerInfo is not a SEQUENCE"));
    }
    let mut r = si.cursor();
    let version = r
        .next("SignerInfo version")
        .and_then(|e| e.small_uint())
        .map_err(at(step))?;
    let sid_el = r.next("SignerInfo sid").map_err(at(step))?;
    let sid = match sid_el.tag {
        tag::SEQUENCE => {
            let mut s = sid_el.cursor();
            let issuer = s
                .next_tagged(tag::SEQUENCE, "sid issuer Name")
                .map_err(at("SignerInfo sid"))?;
            let serial = s
                .next("sid serialNumber")
                .and_then(|e| e.integer_bytes())
                .map_err(at("SignerInfo sid"))?;
            SignerIdentifier::IssuerAndSerialNumber {
                issuer: issuer.raw.to_vec(),
                serial: serial.to_vec(),
            }
        }
        t if t == tag::context_primitive(0) => {
            SignerIdentifier::SubjectKeyIdentifier(sid_el.value.to_vec())
        }
        t if t == tag::context(0) => {
            // A constructed [0] (BER) holding the key identifier's segments.
            let bytes = sid_el.children().map_err(at("SignerInfo sid"))?;
            SignerIdentifier::SubjectKeyIdentifier(
                bytes.iter().flat_map(|e| e.value.iter().copied()).collect(),
            )
        }
        _ => {
            return Err(CmsError::Malformed(
                "SignerInfo sid is neither issuerAndSerialNumber nor subjectKeyIdentifier",
            ));
        }
    };
    // RFC 5652 §5.3: "If the SignerIdentifier is issuerAndSerialNumber, then the version MUST be 1. If the
    // SignerIdentifier is subjectKeyIdentifier, then the version MUST be 3."
    let (form, required) = match sid {
        SignerIdentifier::IssuerAndSerialNumber { .. } => ("issuerAndSerialNumber", 1),
        SignerIdentifier::SubjectKeyIdentifier(_) => ("subjectKeyIdentifier", 3),
    };
    if version != required {
        return Err(CmsError::SignerInfoVersion {
            version,
            sid: form,
            required,
        });
    }
    let digest_algorithm = r
        .next("SignerInfo digestAlgorithm")
        .and_then(|e| AlgorithmId::parse(&e))
        .map_err(at("SignerInfo digestAlgorithm"))?;

    let mut signed_attrs = None;
    let mut content_type_attr = None;
    let mut message_digest = None;
    let mut signing_time = None;
    if let Some(attrs) = r.next_if(tag::context(0)).map_err(at("signedAttrs"))? {
        // The signature covers the DER encoding with the SET OF tag (RFC 5652 §5.4): re-tag the original bytes.
        let mut retagged = attrs.raw.to_vec();
        if let Some(first) = retagged.first_mut() {
            *first = 0x31;
        }
        signed_attrs = Some(retagged);
        for attr in attrs.children().map_err(at("signedAttrs"))? {
            let mut a = attr.cursor();
            let oid = a
                .next("attribute type")
                .and_then(|e| e.oid())
                .map_err(at("signedAttrs"))?;
            let values = a
                .next_tagged(tag::SET, "attribute values SET")
                .map_err(at("signedAttrs"))?;
            let values = values.children().map_err(at("signedAttrs"))?;
            if oid == ID_CONTENT_TYPE || oid == ID_MESSAGE_DIGEST {
                if values.len() != 1 {
                    return Err(CmsError::Malformed(
                        "contentType/messageDigest attribute must have exactly one value",
                    ));
                }
                let dup = if oid == ID_CONTENT_TYPE {
                    content_type_attr.is_some()
                } else {
                    message_digest.is_some()
                };
                if dup {
                    return Err(CmsError::Malformed(
                        "duplicate contentType/messageDigest attribute",
                    ));
                }
            }
            if oid == ID_CONTENT_TYPE {
                content_type_attr = values
                    .first()
                    .map(|v| v.oid())
                    .transpose()
                    .map_err(at("contentType attribute"))?;
            } else if oid == ID_SIGNING_TIME {
                // Informational: an unreadable time is treated as absent.
                signing_time = values.first().and_then(|v| v.time().ok());
            } else if oid == ID_MESSAGE_DIGEST {
                message_digest = values
                    .first()
                    .map(|v| v.octet_string())
                    .transpose()
                    .map_err(at("messageDigest attribute"))?;
            }
        }
    }
    let signature_algorithm = r
        .next("SignerInfo signatureAlgorithm")
        .and_then(|e| AlgorithmId::parse(&e))
        .map_err(at("SignerInfo signatureAlgorithm"))?;
    let signature = r
        .next("SignerInfo signature")
        .and_then(|e| e.octet_string())
        .map_err(at("SignerInfo signature"))?;
    Ok(SignerInfo {
        version,
        sid,
        digest_algorithm,
        signed_attrs,
        content_type_attr,
        message_digest,
        signing_time,
        signature_algorithm,
        signature,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::asn1::der;

    /// A SignedData with one SignerInfo of `version` naming its signer by `sid`.
    fn signed_data(version: u64, sid: &[u8]) -> Vec<u8> {
        let sha256 = der::sequence(&[&der::oid(&ObjectIdentifier::new_unwrap(
            "2.16.840.1.101.3.4.2.1",
        ))]);
        let signer_info = der::sequence(&[
            &der::integer_u64(version),
            sid,
            &sha256,
            &der::sequence(&[&der::oid(&ObjectIdentifier::new_unwrap(
                "1.2.840.10045.4.3.2",
            ))]),
            &der::octet_string(&[1, 2, 3]),
        ]);
        let sd = der::sequence(&[
            &der::integer_u64(3),
            &der::set(&[&sha256]),
            &der::sequence(&[&der::oid(&ID_DATA)]),
            &der::set(&[&signer_info]),
        ]);
        der::sequence(&[&der::oid(&ID_SIGNED_DATA), &der::tlv(tag::context(0), &sd)])
    }

    /// RFC 5652 §5.3: version 1 goes with issuerAndSerialNumber, 3 with subjectKeyIdentifier; any other
    /// pairing is refused (BSI TR-03105-5.1 H_84/H_85 expect "failed").
    #[test]
    fn signer_info_version_must_match_the_sid_form() {
        let issuer_and_serial =
            der::sequence(&[&der::sequence(&[]), &der::integer_unsigned(&[0x42])]);
        let key_id = der::tlv(tag::context_primitive(0), &[7; 20]);
        assert!(SignedData::from_content_info(&signed_data(1, &issuer_and_serial)).is_ok());
        assert!(SignedData::from_content_info(&signed_data(3, &key_id)).is_ok());
        for (version, sid, form) in [
            (3, &issuer_and_serial, "issuerAndSerialNumber"),
            (1, &key_id, "subjectKeyIdentifier"),
            (2, &key_id, "subjectKeyIdentifier"),
        ] {
            let err = SignedData::from_content_info(&signed_data(version, sid)).unwrap_err();
            assert!(
                matches!(err, CmsError::SignerInfoVersion { sid, .. } if sid == form),
                "{err}"
            );
            assert!(err.to_string().contains("RFC 5652"), "{err}");
        }
    }
}
