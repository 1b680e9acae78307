//! X.509 certificates (RFC 5280) as CSCAs and Document Signers use them (ICAO 9303-12 §7), read tolerantly:
//! the original TBSCertificate bytes are kept for signature verification, and real-world deviations
//! (non-DER strings, RSA keys without NULL parameters, explicit EC parameters) do not stop parsing.

use std::fmt;

use der::asn1::ObjectIdentifier;
use thiserror::Error;

use super::ber::{self, Element, tag};
use super::cms::AlgorithmId;

/// id-at-countryName (2.5.4.6).
pub const ID_COUNTRY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
/// id-ce-subjectKeyIdentifier.
const ID_SKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
/// id-ce-authorityKeyIdentifier.
const ID_AKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
/// id-ce-basicConstraints.
const ID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// What was wrong with a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("certificate {step}: {what}")]
pub struct CertificateError {
    /// Which field was being read.
    pub step: &'static str,
    /// What was wrong.
    pub what: String,
}

fn at(step: &'static str) -> impl Fn(ber::BerError) -> CertificateError {
    move |e| CertificateError {
        step,
        what: e.to_string(),
    }
}

/// A point in time (UTC) with one-second resolution, as certificates and CRLs carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    /// Year (four digits).
    pub year: u16,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=31.
    pub day: u8,
    /// Hour 0..=23.
    pub hour: u8,
    /// Minute 0..=59.
    pub minute: u8,
    /// Second 0..=60.
    pub second: u8,
}

impl Time {
    /// The current time from the system clock (UTC).
    pub fn now() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Time::from_unix(secs)
    }

    /// The UTC time `secs` seconds after 1970-01-01T00:00:00Z.
    pub fn from_unix(secs: u64) -> Self {
        let days = (secs / 86_400) as i64;
        let rem = secs % 86_400;
        // Civil date from days since the epoch (proleptic Gregorian calendar).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Time {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: (rem / 60 % 60) as u8,
            second: (rem % 60) as u8,
        }
    }

    /// Midnight UTC at the start of the given day.
    pub fn from_ymd(year: u16, month: u8, day: u8) -> Self {
        Time {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
        }
    }

    /// Parses a UTCTime (`YYMMDDhhmm[ss]Z`, years 50..99 → 19xx) or GeneralizedTime element.
    pub fn from_element(el: &Element<'_>) -> Result<Self, ber::BerError> {
        let bad = ber::BerError {
            offset: 0,
            what: "malformed time",
        };
        let text = std::str::from_utf8(el.content).map_err(|_| bad.clone())?;
        let text = text.strip_suffix('Z').ok_or(bad.clone())?;
        let digits = |s: &str| -> Result<u16, ber::BerError> {
            if s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| bad.clone())
            } else {
                Err(bad.clone())
            }
        };
        let (year, rest) = match el.tag {
            tag::UTC_TIME => {
                let yy = digits(text.get(0..2).ok_or(bad.clone())?)?;
                (
                    if yy >= 50 { 1900 + yy } else { 2000 + yy },
                    text.get(2..).ok_or(bad.clone())?,
                )
            }
            tag::GENERALIZED_TIME => (
                digits(text.get(0..4).ok_or(bad.clone())?)?,
                text.get(4..).ok_or(bad.clone())?,
            ),
            _ => {
                return Err(ber::BerError {
                    offset: 0,
                    what: "expected UTCTime or GeneralizedTime",
                });
            }
        };
        // Fractional seconds (GeneralizedTime) are dropped.
        let rest = rest.split('.').next().unwrap_or("");
        if rest.len() != 8 && rest.len() != 10 {
            return Err(bad);
        }
        let field = |i: usize| -> Result<u8, ber::BerError> {
            let v = digits(rest.get(i..i + 2).ok_or(bad.clone())?)?;
            u8::try_from(v).map_err(|_| bad.clone())
        };
        let t = Time {
            year,
            month: field(0)?,
            day: field(2)?,
            hour: field(4)?,
            minute: field(6)?,
            second: if rest.len() == 10 { field(8)? } else { 0 },
        };
        if !(1..=12).contains(&t.month)
            || !(1..=31).contains(&t.day)
            || t.hour > 23
            || t.minute > 59
            || t.second > 60
        {
            return Err(bad);
        }
        Ok(t)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
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
    pub fn parse(el: &Element<'_>) -> Result<Self, ber::BerError> {
        let el = el.expect(tag::SEQUENCE, "Name is not a SEQUENCE")?;
        let mut attributes = Vec::new();
        for rdn in el.children()? {
            let rdn = rdn.expect(tag::SET, "RDN is not a SET")?;
            for atv in rdn.children()? {
                let mut r = atv
                    .expect(tag::SEQUENCE, "AttributeTypeAndValue is not a SEQUENCE")?
                    .reader();
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
    /// SignerInfo issuer in a different order from the certificate's).
    pub fn matches(&self, other: &Name) -> bool {
        if self.raw == other.raw {
            return true;
        }
        if self.attributes.len() != other.attributes.len() {
            return false;
        }
        let mut a = self.normalised();
        let mut b = other.normalised();
        a.sort();
        b.sort();
        a == b
    }

    fn normalised(&self) -> Vec<(String, String)> {
        self.attributes
            .iter()
            .map(|a| {
                (
                    a.oid.to_string(),
                    a.value
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase(),
                )
            })
            .collect()
    }
}

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
                .content
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        // TeletexString / T61String: treat as Latin-1.
        0x14 => el.content.iter().map(|b| char::from(*b)).collect(),
        _ => String::from_utf8_lossy(el.content).into_owned(),
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
    pub fn parse(el: &Element<'_>) -> Result<Self, ber::BerError> {
        let el = el.expect(tag::SEQUENCE, "SubjectPublicKeyInfo is not a SEQUENCE")?;
        let mut r = el.reader();
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
}

impl Certificate {
    /// Parses one DER certificate (trailing bytes are an error).
    pub fn from_der(bytes: &[u8]) -> Result<Self, CertificateError> {
        let el = ber::parse_exact(bytes).map_err(at("structure"))?;
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
        let mut r = el.reader();
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

        let mut t = tbs.reader();
        let version = match t.next_if(ber::context(0)).map_err(at("version"))? {
            Some(v) => v
                .reader()
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
        let mut v = validity.reader();
        let not_before = v
            .next("notBefore")
            .and_then(|e| Time::from_element(&e))
            .map_err(at("notBefore"))?;
        let not_after = v
            .next("notAfter")
            .and_then(|e| Time::from_element(&e))
            .map_err(at("notAfter"))?;
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
        };
        while let Some(field) = t.next_opt().map_err(at("extensions"))? {
            if field.tag == ber::context(3) {
                cert.read_extensions(&field).map_err(at("extensions"))?;
            }
        }
        Ok(cert)
    }

    fn read_extensions(&mut self, wrapper: &Element<'_>) -> Result<(), ber::BerError> {
        let list = wrapper.reader().next_tagged(tag::SEQUENCE, "Extensions")?;
        for ext in list.children()? {
            let mut r = ext.reader();
            let oid = r.next("extnID")?.oid()?;
            let mut value = r.next("extnValue")?;
            if value.tag == tag::BOOLEAN {
                value = r.next("extnValue")?;
            }
            let inner = value.octet_string()?;
            let (inner, _) = ber::parse_one(&inner)?;
            if oid == ID_SKI {
                self.subject_key_id = Some(inner.octet_string()?);
            } else if oid == ID_AKI {
                let mut a = inner.reader();
                if let Some(id) = a.next_if(ber::context_primitive(0))? {
                    self.authority_key_id = Some(id.content.to_vec());
                }
            } else if oid == ID_BASIC_CONSTRAINTS {
                let mut b = inner.reader();
                let ca = match b.next_if(tag::BOOLEAN)? {
                    Some(flag) => flag.content.first().is_some_and(|v| *v != 0),
                    None => false,
                };
                self.is_ca = Some(ca);
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
    fn times() {
        let utc = ber::encode(0x17, b"491231235959Z");
        let t = Time::from_element(&ber::parse_exact(&utc).unwrap()).unwrap();
        assert_eq!(
            t,
            Time {
                year: 2049,
                month: 12,
                day: 31,
                hour: 23,
                minute: 59,
                second: 59
            }
        );
        let utc = ber::encode(0x17, b"5001010000Z");
        assert_eq!(
            Time::from_element(&ber::parse_exact(&utc).unwrap())
                .unwrap()
                .year,
            1950
        );
        let generalized = ber::encode(0x18, b"20500101000000.5Z");
        assert_eq!(
            Time::from_element(&ber::parse_exact(&generalized).unwrap())
                .unwrap()
                .year,
            2050
        );
        let bad = ber::encode(0x17, b"501301000000Z");
        assert!(Time::from_element(&ber::parse_exact(&bad).unwrap()).is_err());
        assert!(Time::from_ymd(2024, 1, 1) < Time::from_ymd(2024, 1, 2));
    }

    #[test]
    fn base64() {
        assert_eq!(base64_decode("TWFu\nTWE=").unwrap(), b"ManMa");
        assert!(base64_decode("T*").is_none());
    }
}
