//! X.509 certificates (RFC 5280) as CSCAs and Document Signers use them (ICAO 9303-12 §7), read tolerantly:
//! the original TBSCertificate bytes are kept for signature verification, and real-world deviations
//! (non-DER strings, RSA keys without NULL parameters, explicit EC parameters) do not stop parsing.

use std::fmt;

use crate::asn1::ObjectIdentifier;
use thiserror::Error;

use super::cms::AlgorithmId;
pub use crate::asn1::Time;
use crate::asn1::{Asn1Error, Element, Mode, tag};

/// id-at-countryName (2.5.4.6).
pub const ID_COUNTRY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
/// id-ce-subjectKeyIdentifier.
const ID_SKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
/// id-ce-authorityKeyIdentifier.
const ID_AKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
/// id-ce-basicConstraints.
const ID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// id-ce-keyUsage.
pub const ID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
/// id-ce-extKeyUsage.
pub const ID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");

/// The keyUsage extension (RFC 5280 section 4.2.1.3): bit n of the BIT STRING is `bits & (1 << n)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUsage {
    /// The named bits, bit 0 (digitalSignature) in the least significant place.
    pub bits: u16,
}

impl KeyUsage {
    /// digitalSignature (bit 0): Document Signers and master list signers.
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// keyCertSign (bit 5): CSCAs.
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign (bit 6): CSCAs.
    pub const CRL_SIGN: u16 = 1 << 6;

    /// Whether every bit of `mask` is set.
    pub fn has(self, mask: u16) -> bool {
        self.bits & mask == mask
    }

    fn from_bit_string(octets: &[u8]) -> KeyUsage {
        // RFC 5280 numbers bits from the most significant bit of the first octet.
        let mut bits = 0u16;
        for (i, byte) in octets.iter().take(2).enumerate() {
            for b in 0..8 {
                if byte & (0x80 >> b) != 0 {
                    bits |= 1 << (i * 8 + b);
                }
            }
        }
        KeyUsage { bits }
    }
}

/// What was wrong with a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("certificate {step}: {what}")]
pub struct CertificateError {
    /// Which field was being read.
    pub step: &'static str,
    /// What was wrong.
    pub what: String,
}

fn at(step: &'static str) -> impl Fn(Asn1Error) -> CertificateError {
    move |e| CertificateError {
        step,
        what: e.to_string(),
    }
}

/// One attribute of a distinguished name: its type and its value as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAttribute {
    /// Attribute type (2.5.4.6 = C, 2.5.4.3 = CN, ...).
    pub oid: ObjectIdentifier,
    /// The value decoded as text (PrintableString, UTF8String, IA5String, BMPString, TeletexString as Latin-1).
    pub value: String,
}

/// A distinguished name, with its original encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The Name SEQUENCE as encoded.
    pub raw: Vec<u8>,
    /// All attributes in encoding order (RDNs flattened).
    pub attributes: Vec<NameAttribute>,
}

impl Name {
    /// Reads a Name (RDNSequence).
    pub fn parse(el: &Element<'_>) -> Result<Self, Asn1Error> {
        let el = el.expect(tag::SEQUENCE)?;
        let mut attributes = Vec::new();
        for rdn in el.children()? {
            let rdn = rdn.expect(tag::SET)?;
            for atv in rdn.children()? {
                let mut r = atv.expect(tag::SEQUENCE)?.cursor();
                let oid = r.next("attribute type")?.oid()?;
                let value = r.next("attribute value")?;
                attributes.push(NameAttribute {
                    oid,
                    value: decode_string(&value),
                });
            }
        }
        Ok(Name {
            raw: el.raw.to_vec(),
            attributes,
        })
    }

    /// The countryName (C=) value, if present.
    pub fn country(&self) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.oid == ID_COUNTRY_NAME)
            .map(|a| a.value.as_str())
    }

    /// Whether two names denote the same entity: identical encodings, or the same attributes with
    /// case-insensitive, whitespace-normalised values in any order (some issuers write the RDNs of the
    /// SignerInfo issuer in a different order from the certificate's). Equivalent to comparing
    /// [`Name::key`]s.
    pub fn matches(&self, other: &Name) -> bool {
        self.raw == other.raw
            || (self.attributes.len() == other.attributes.len() && self.key() == other.key())
    }

    /// The name's comparison key: two names match exactly when their keys are equal, so the key can index
    /// a map of certificates by subject or issuer.
    pub fn key(&self) -> NameKey {
        let mut attributes: Vec<(ObjectIdentifier, String)> = self
            .attributes
            .iter()
            .map(|a| {
                let mut value = String::with_capacity(a.value.len());
                for word in a.value.split_whitespace() {
                    if !value.is_empty() {
                        value.push(' ');
                    }
                    value.push_str(&word.to_lowercase());
                }
                (a.oid, value)
            })
            .collect();
        attributes.sort();
        NameKey(attributes)
    }
}

/// The comparison key of a [`Name`]: its attributes as (type, lower-case value with single spaces) pairs
/// in sorted order, so RDN order, case and spacing do not matter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameKey(Vec<(ObjectIdentifier, String)>);

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for a in self.attributes.iter().rev() {
            let key = match a.oid.to_string().as_str() {
                "2.5.4.6" => "C".to_string(),
                "2.5.4.10" => "O".to_string(),
                "2.5.4.11" => "OU".to_string(),
                "2.5.4.3" => "CN".to_string(),
                "2.5.4.5" => "serialNumber".to_string(),
                "2.5.4.7" => "L".to_string(),
                "2.5.4.8" => "ST".to_string(),
                "0.9.2342.19200300.100.1.25" => "DC".to_string(),
                other => other.to_string(),
            };
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{key}={}", a.value)?;
        }
        Ok(())
    }
}

fn decode_string(el: &Element<'_>) -> String {
    match el.tag {
        // BMPString: UTF-16BE.
        0x1E => {
            let units: Vec<u16> = el
                .value
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        // TeletexString / T61String: treat as Latin-1.
        0x14 => el.value.iter().map(|b| char::from(*b)).collect(),
        _ => String::from_utf8_lossy(el.value).into_owned(),
    }
}

/// A SubjectPublicKeyInfo: algorithm (with parameters as encoded) and key bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyInfo {
    /// The key algorithm (rsaEncryption, id-ecPublicKey, id-RSASSA-PSS) and its parameters.
    pub algorithm: AlgorithmId,
    /// The contents of subjectPublicKey (an RSAPublicKey DER, or an EC point).
    pub key: Vec<u8>,
    /// The whole SubjectPublicKeyInfo as encoded.
    pub raw: Vec<u8>,
}

impl PublicKeyInfo {
    /// Reads a SubjectPublicKeyInfo.
    pub fn parse(el: &Element<'_>) -> Result<Self, Asn1Error> {
        let el = el.expect(tag::SEQUENCE)?;
        let mut r = el.cursor();
        let algorithm = AlgorithmId::parse(&r.next("SubjectPublicKeyInfo algorithm")?)?;
        let key = r.next("subjectPublicKey")?.bit_string_octets()?.to_vec();
        Ok(PublicKeyInfo {
            algorithm,
            key,
            raw: el.raw.to_vec(),
        })
    }
}

/// A parsed X.509 certificate with the bytes its signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The whole certificate as encoded.
    pub raw: Vec<u8>,
    /// The TBSCertificate as encoded: what the issuer's signature covers.
    pub tbs: Vec<u8>,
    /// X.509 version (0 = v1, 2 = v3).
    pub version: u64,
    /// Serial number INTEGER content bytes (as encoded, possibly with a leading 00).
    pub serial: Vec<u8>,
    /// The issuer's name.
    pub issuer: Name,
    /// The subject's name.
    pub subject: Name,
    /// Start of validity.
    pub not_before: Time,
    /// End of validity.
    pub not_after: Time,
    /// The subject's public key.
    pub public_key: PublicKeyInfo,
    /// The signature algorithm of the outer Certificate.
    pub signature_algorithm: AlgorithmId,
    /// The issuer's signature over `tbs`.
    pub signature: Vec<u8>,
    /// subjectKeyIdentifier extension.
    pub subject_key_id: Option<Vec<u8>>,
    /// keyIdentifier of the authorityKeyIdentifier extension.
    pub authority_key_id: Option<Vec<u8>>,
    /// cA flag of basicConstraints, if the extension is present.
    pub is_ca: Option<bool>,
    /// The keyUsage extension, if present.
    pub key_usage: Option<KeyUsage>,
    /// The key purposes of the extKeyUsage extension, if present.
    pub extended_key_usage: Option<Vec<ObjectIdentifier>>,
    /// The OIDs of the extensions marked critical (which of them this reader processes is
    /// [`super::policy`]'s business).
    pub critical_extensions: Vec<ObjectIdentifier>,
    /// The validity's dates break RFC 5280 §4.1.2.5's encoding rule (UTCTime through 2049,
    /// GeneralizedTime from 2050): which date and how ([`super::policy`] judges it).
    pub validity_encoding: Option<String>,
}

impl Certificate {
    /// Parses one DER certificate (trailing bytes are an error).
    pub fn from_der(bytes: &[u8]) -> Result<Self, CertificateError> {
        let el = Mode::Ber.parse_exact(bytes).map_err(at("structure"))?;
        Self::from_element(&el)
    }

    /// Parses a certificate element.
    pub fn from_element(el: &Element<'_>) -> Result<Self, CertificateError> {
        if el.tag != tag::SEQUENCE {
            return Err(CertificateError {
                step: "structure",
                what: "not a SEQUENCE".into(),
            });
        }
        let mut r = el.cursor();
        let tbs = r
            .next_tagged(tag::SEQUENCE, "TBSCertificate")
            .map_err(at("TBSCertificate"))?;
        let signature_algorithm = r
            .next("signatureAlgorithm")
            .and_then(|e| AlgorithmId::parse(&e))
            .map_err(at("signatureAlgorithm"))?;
        let signature = r
            .next("signatureValue")
            .and_then(|e| e.bit_string_octets())
            .map_err(at("signatureValue"))?;

        let mut t = tbs.cursor();
        let version = match t.next_if(tag::context(0)).map_err(at("version"))? {
            Some(v) => v
                .cursor()
                .next("version")
                .and_then(|e| e.small_uint())
                .map_err(at("version"))?,
            None => 0,
        };
        let serial = t
            .next("serialNumber")
            .and_then(|e| e.integer_bytes())
            .map_err(at("serialNumber"))?;
        let _inner_alg = t
            .next("signature")
            .and_then(|e| AlgorithmId::parse(&e))
            .map_err(at("signature"))?;
        let issuer = t
            .next("issuer")
            .and_then(|e| Name::parse(&e))
            .map_err(at("issuer"))?;
        let validity = t
            .next_tagged(tag::SEQUENCE, "validity")
            .map_err(at("validity"))?;
        let mut v = validity.cursor();
        let mut validity_encoding = None;
        let mut date = |name: &'static str| {
            let e = v.next(name).map_err(at(name))?;
            let time = e.time().map_err(at(name))?;
            if e.tag == tag::GENERALIZED_TIME && time.year < 2050 {
                validity_encoding.get_or_insert(format!(
                    "{name} ({}) is a GeneralizedTime; RFC 5280 §4.1.2.5 requires UTCTime for dates through 2049",
                    String::from_utf8_lossy(e.value)
                ));
            }
            Ok::<_, CertificateError>(time)
        };
        let not_before = date("notBefore")?;
        let not_after = date("notAfter")?;
        let subject = t
            .next("subject")
            .and_then(|e| Name::parse(&e))
            .map_err(at("subject"))?;
        let public_key = t
            .next("subjectPublicKeyInfo")
            .and_then(|e| PublicKeyInfo::parse(&e))
            .map_err(at("subjectPublicKeyInfo"))?;
        let mut cert = Certificate {
            raw: el.raw.to_vec(),
            tbs: tbs.raw.to_vec(),
            version,
            serial: serial.to_vec(),
            issuer,
            subject,
            not_before,
            not_after,
            public_key,
            signature_algorithm,
            signature: signature.to_vec(),
            subject_key_id: None,
            authority_key_id: None,
            is_ca: None,
            key_usage: None,
            extended_key_usage: None,
            critical_extensions: Vec::new(),
            validity_encoding,
        };
        while let Some(field) = t.next_opt().map_err(at("extensions"))? {
            if field.tag == tag::context(3) {
                cert.read_extensions(&field).map_err(at("extensions"))?;
            }
        }
        Ok(cert)
    }

    fn read_extensions(&mut self, wrapper: &Element<'_>) -> Result<(), Asn1Error> {
        let list = wrapper.cursor().next_tagged(tag::SEQUENCE, "Extensions")?;
        for ext in list.children()? {
            let mut r = ext.cursor();
            let oid = r.next("extnID")?.oid()?;
            let mut value = r.next("extnValue")?;
            if value.tag == tag::BOOLEAN {
                if value.value.first().is_some_and(|v| *v != 0) {
                    self.critical_extensions.push(oid);
                }
                value = r.next("extnValue")?;
            }
            let inner = value.octet_string()?;
            let (inner, _) = Mode::Ber.parse_one(&inner)?;
            if oid == ID_SKI {
                self.subject_key_id = Some(inner.octet_string()?);
            } else if oid == ID_AKI {
                let mut a = inner.cursor();
                if let Some(id) = a.next_if(tag::context_primitive(0))? {
                    self.authority_key_id = Some(id.value.to_vec());
                }
            } else if oid == ID_BASIC_CONSTRAINTS {
                let mut b = inner.cursor();
                let ca = match b.next_if(tag::BOOLEAN)? {
                    Some(flag) => flag.value.first().is_some_and(|v| *v != 0),
                    None => false,
                };
                self.is_ca = Some(ca);
            } else if oid == ID_KEY_USAGE {
                // An unreadable keyUsage counts as absent (the policy says what that means).
                self.key_usage = inner
                    .bit_string()
                    .ok()
                    .map(|b| KeyUsage::from_bit_string(&b.bytes));
            } else if oid == ID_EXT_KEY_USAGE {
                self.extended_key_usage = inner.children().ok().and_then(|list| {
                    list.iter()
                        .map(|p| p.oid().ok())
                        .collect::<Option<Vec<_>>>()
                });
            }
        }
        Ok(())
    }

    /// The serial number as hex, without leading zero bytes.
    pub fn serial_hex(&self) -> String {
        let start = self
            .serial
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(self.serial.len().saturating_sub(1));
        self.serial
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    /// Whether `serial` (INTEGER content bytes) equals this certificate's serial, ignoring leading zeros.
    pub fn serial_equals(&self, serial: &[u8]) -> bool {
        strip_zeros(&self.serial) == strip_zeros(serial)
    }

    /// True when issuer and subject are the same name (a self-signed root or a self-issued link).
    pub fn is_self_issued(&self) -> bool {
        self.issuer.matches(&self.subject)
    }

    /// Whether `at` lies within the validity period.
    pub fn is_valid_at(&self, at: Time) -> bool {
        self.not_before <= at && at <= self.not_after
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[start..]
}

/// Decodes certificates from DER or PEM bytes (PEM may hold several `CERTIFICATE` blocks).
pub fn certificates_from_der_or_pem(bytes: &[u8]) -> Result<Vec<Certificate>, CertificateError> {
    if bytes.first() == Some(&0x30) {
        return Ok(vec![Certificate::from_der(bytes)?]);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| CertificateError {
        step: "PEM",
        what: "neither DER nor PEM text".into(),
    })?;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let body_start = start + "-----BEGIN CERTIFICATE-----".len();
        let end = rest[body_start..]
            .find("-----END CERTIFICATE-----")
            .ok_or(CertificateError {
                step: "PEM",
                what: "BEGIN without END".into(),
            })?;
        let der = base64_decode(&rest[body_start..body_start + end]).ok_or(CertificateError {
            step: "PEM",
            what: "invalid base64".into(),
        })?;
        out.push(Certificate::from_der(&der)?);
        rest = &rest[body_start + end..];
    }
    if out.is_empty() {
        return Err(CertificateError {
            step: "PEM",
            what: "no CERTIFICATE block".into(),
        });
    }
    Ok(out)
}

/// Standard base64 (RFC 4648) decoding, ignoring whitespace.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(base64_decode("TWFu\nTWE=").unwrap(), b"ManMa");
        assert!(base64_decode("T*").is_none());
    }
}
