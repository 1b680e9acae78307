//! Certificate revocation lists (RFC 5280 §5) as CSCAs publish them (ICAO 9303-12 §7.1.4).

use thiserror::Error;

use super::certificate::{Name, Time};
use super::cms::AlgorithmId;
use crate::asn1::{Asn1Error, Mode, ObjectIdentifier, tag};

/// id-ce-cRLReasons (2.5.29.21): the reasonCode CRL entry extension.
const ID_CE_CRL_REASONS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.21");
/// The universal tag of ENUMERATED.
const ENUMERATED: crate::asn1::Tag = 0x0A;
/// CRLReason removeFromCRL (RFC 5280 §5.3.1): the entry lifts an earlier listing, it does not revoke.
pub const REMOVE_FROM_CRL: u8 = 8;

/// What was wrong with a CRL.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("CRL {step}: {what}")]
pub struct CrlError {
    /// Which field was being read.
    pub step: &'static str,
    /// What was wrong.
    pub what: String,
}

fn at(step: &'static str) -> impl Fn(Asn1Error) -> CrlError {
    move |e| CrlError {
        step,
        what: e.to_string(),
    }
}

/// One revoked certificate entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedCertificate {
    /// Serial number INTEGER content bytes.
    pub serial: Vec<u8>,
    /// When it was revoked.
    pub revocation_date: Time,
    /// The reasonCode entry extension (CRLReason, RFC 5280 §5.3.1), if present.
    pub reason: Option<u8>,
}

impl RevokedCertificate {
    /// Whether the entry is a removeFromCRL notice (a certificate taken off hold), which does not revoke.
    pub fn is_remove_from_crl(&self) -> bool {
        self.reason == Some(REMOVE_FROM_CRL)
    }
}

/// A parsed CRL with the bytes its signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crl {
    /// The whole CRL as encoded.
    pub raw: Vec<u8>,
    /// TBSCertList as encoded.
    pub tbs: Vec<u8>,
    /// The CSCA that issued it.
    pub issuer: Name,
    /// thisUpdate.
    pub this_update: Time,
    /// nextUpdate, if given.
    pub next_update: Option<Time>,
    /// The revoked certificates.
    pub revoked: Vec<RevokedCertificate>,
    /// Signature algorithm.
    pub signature_algorithm: AlgorithmId,
    /// Signature value.
    pub signature: Vec<u8>,
}

impl Crl {
    /// Parses a DER CRL.
    pub fn from_der(bytes: &[u8]) -> Result<Crl, CrlError> {
        let el = Mode::Ber.parse_exact(bytes).map_err(at("structure"))?;
        let mut r = el.expect(tag::SEQUENCE).map_err(at("structure"))?.cursor();
        let tbs = r
            .next_tagged(tag::SEQUENCE, "TBSCertList")
            .map_err(at("TBSCertList"))?;
        let signature_algorithm = r
            .next("signatureAlgorithm")
            .and_then(|e| AlgorithmId::parse(&e))
            .map_err(at("signatureAlgorithm"))?;
        let signature = r
            .next("signatureValue")
            .and_then(|e| e.bit_string_octets())
            .map_err(at("signatureValue"))?;
        let mut t = tbs.cursor();
        t.next_if(tag::INTEGER).map_err(at("version"))?;
        t.next("signature")
            .and_then(|e| AlgorithmId::parse(&e))
            .map_err(at("signature"))?;
        let issuer = t
            .next("issuer")
            .and_then(|e| Name::parse(&e))
            .map_err(at("issuer"))?;
        let this_update = t
            .next("thisUpdate")
            .and_then(|e| e.time())
            .map_err(at("thisUpdate"))?;
        let mut next_update = None;
        if matches!(t.peek_tag(), Some(tag::UTC_TIME | tag::GENERALIZED_TIME)) {
            next_update = Some(
                t.next("nextUpdate")
                    .and_then(|e| e.time())
                    .map_err(at("nextUpdate"))?,
            );
        }
        let mut revoked = Vec::new();
        if let Some(list) = t
            .next_if(tag::SEQUENCE)
            .map_err(at("revokedCertificates"))?
        {
            for entry in list.children().map_err(at("revokedCertificates"))? {
                let mut e = entry.cursor();
                let serial = e
                    .next("userCertificate")
                    .and_then(|x| x.integer_bytes())
                    .map_err(at("userCertificate"))?;
                let date = e
                    .next("revocationDate")
                    .and_then(|x| x.time())
                    .map_err(at("revocationDate"))?;
                let mut reason = None;
                if let Some(exts) = e.next_if(tag::SEQUENCE).map_err(at("crlEntryExtensions"))? {
                    for ext in exts.children().map_err(at("crlEntryExtensions"))? {
                        let mut x = ext.cursor();
                        let oid = x
                            .next("extnID")
                            .and_then(|o| o.oid())
                            .map_err(at("crlEntryExtensions"))?;
                        x.next_if(tag::BOOLEAN).map_err(at("crlEntryExtensions"))?;
                        let value = x
                            .next("extnValue")
                            .and_then(|v| v.octet_string())
                            .map_err(at("crlEntryExtensions"))?;
                        if oid == ID_CE_CRL_REASONS {
                            let code = Mode::Ber
                                .parse_exact(&value)
                                .and_then(|c| c.expect(ENUMERATED).map(|c| c.value.to_vec()))
                                .map_err(at("reasonCode"))?;
                            reason = match code.as_slice() {
                                [v] => Some(*v),
                                _ => {
                                    return Err(CrlError {
                                        step: "reasonCode",
                                        what: "not a one-octet ENUMERATED".into(),
                                    });
                                }
                            };
                        }
                    }
                }
                revoked.push(RevokedCertificate {
                    serial: serial.to_vec(),
                    revocation_date: date,
                    reason,
                });
            }
        }
        Ok(Crl {
            raw: bytes.to_vec(),
            tbs: tbs.raw.to_vec(),
            issuer,
            this_update,
            next_update,
            revoked,
            signature_algorithm,
            signature: signature.to_vec(),
        })
    }

    /// The entry for a certificate serial number (content bytes, leading zeros ignored), if revoked.
    pub fn find(&self, serial: &[u8]) -> Option<&RevokedCertificate> {
        let strip = |b: &[u8]| -> Vec<u8> { b.iter().skip_while(|x| **x == 0).copied().collect() };
        let wanted = strip(serial);
        self.revoked.iter().find(|r| strip(&r.serial) == wanted)
    }
}
