//! Domain parameters of PACE and Chip Authentication (ICAO 9303-11 section 9.5.1, BSI TR-03110-3 A.1.1):
//! a curve of the registry ([`EcCurve`], ids 8–18) or an RFC 5114 group ([`DhGroup`], ids 0–2).
//!
//! The parameters come from untrusted files (EF.CardAccess, DG14, EF.CardSecurity) in an
//! AlgorithmIdentifier whose `parameters` are a standardized id (INTEGER), a named-curve OID, explicit
//! ECParameters or explicit X9.42 DH DomainParameters. [`DomainParameters::from_algorithm`] reads all four
//! and accepts explicit parameters only when they equal standardized ones, so every value of
//! [`DomainParameters`] is one of the standardized sets and has its id.

use super::dh::{DhError, DhGroup};
use super::ec::{EcCurve, EcError};
use crate::asn1::Element;

/// The key agreement of a PACE or CA protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum KeyAgreement {
    /// Diffie-Hellman over a prime field.
    Dh,
    /// Elliptic-curve Diffie-Hellman.
    Ecdh,
}

impl KeyAgreement {
    /// "DH" or "ECDH".
    pub fn name(self) -> &'static str {
        match self {
            KeyAgreement::Dh => "DH",
            KeyAgreement::Ecdh => "ECDH",
        }
    }
}

/// Standardized domain parameters: a curve (ECDH) or an RFC 5114 group (DH).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainParameters {
    /// An elliptic curve (ECDH).
    Ec(EcCurve),
    /// A prime-order subgroup of Z_p* (DH).
    Dh(DhGroup),
}

/// Why domain parameters were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainParameterError {
    /// The AlgorithmIdentifier or its parameters cannot be decoded.
    #[error("malformed domain parameters: {0}")]
    Malformed(&'static str),
    /// A parameter id that names no standardized domain parameters (3–7 and 19–31 are reserved).
    #[error("parameter id {0} is not a standardized domain parameter id (0–2 DH, 8–18 ECDH)")]
    UnknownParameterId(u32),
    /// Explicit or named EC parameters that are not a supported curve.
    #[error(transparent)]
    Curve(#[from] EcError),
    /// Explicit DH parameters that are not an RFC 5114 group.
    #[error(transparent)]
    Group(#[from] DhError),
    /// A PACEDomainParameterInfo that gives explicit parameters for a standardized id, differing from the
    /// standardized ones (or not usable): explicit parameters never override a standardized id.
    #[error(
        "explicit domain parameters given for standardized parameter id {id} differ from the \
         standardized ones ({why}); explicit parameters never override a standardized id"
    )]
    OverridesStandardizedId {
        /// The standardized id the explicit parameters claim.
        id: u32,
        /// What the explicit parameters are.
        why: String,
    },
    /// A proprietary (or absent) parameter id without a PACEDomainParameterInfo giving its parameters.
    #[error("no PACEDomainParameterInfo gives the domain parameters of parameter id {0:?}")]
    Missing(Option<u32>),
    /// Parameters of one key agreement for a protocol of the other.
    #[error("{found} domain parameters for a {protocol} protocol")]
    KeyAgreementMismatch {
        /// The protocol's key agreement.
        protocol: &'static str,
        /// The parameters' key agreement.
        found: &'static str,
    },
}

/// Ids up to this one are reserved for standardized domain parameters (ICAO 9303-11 table 9.5.1);
/// proprietary parameters use larger ids.
pub const MAX_STANDARDIZED_ID: u32 = 31;

impl DomainParameters {
    /// The standardized domain parameters of id 0–2 (DH) or 8–18 (ECDH).
    pub fn standard(id: u32) -> Option<DomainParameters> {
        DhGroup::standard(id)
            .map(DomainParameters::Dh)
            .or_else(|| EcCurve::from_parameter_id(id).map(DomainParameters::Ec))
    }

    /// The standardized domain parameter id (0–2, 8–18).
    pub fn parameter_id(&self) -> u32 {
        match self {
            DomainParameters::Ec(c) => c.parameter_id(),
            DomainParameters::Dh(g) => g.parameter_id(),
        }
    }

    /// DH or ECDH.
    pub fn key_agreement(&self) -> KeyAgreement {
        match self {
            DomainParameters::Ec(_) => KeyAgreement::Ecdh,
            DomainParameters::Dh(_) => KeyAgreement::Dh,
        }
    }

    /// The security strength in bits, for choosing the strongest of several offers.
    pub fn security_bits(&self) -> u32 {
        match self {
            DomainParameters::Ec(c) => c.security_bits(),
            DomainParameters::Dh(g) => g.security_bits(),
        }
    }

    /// "ECDH brainpoolP256r1", "DH 2048-bit".
    pub fn describe(&self) -> String {
        match self {
            DomainParameters::Ec(c) => format!("ECDH {}", c.name()),
            DomainParameters::Dh(g) => format!("DH {}-bit", g.p_len() * 8),
        }
    }

    /// Reads an AlgorithmIdentifier `SEQUENCE { algorithm OID, parameters }` (of a
    /// PACEDomainParameterInfo or a Chip Authentication SubjectPublicKeyInfo); see
    /// [`DomainParameters::from_parameters`].
    pub fn from_algorithm(alg: &Element<'_>) -> Result<DomainParameters, DomainParameterError> {
        let bad = DomainParameterError::Malformed;
        if alg.tag != 0x30 {
            return Err(bad("AlgorithmIdentifier is not a SEQUENCE"));
        }
        let c = alg.children().map_err(|_| bad("AlgorithmIdentifier"))?;
        if c.first().is_none_or(|t| t.tag != 0x06) {
            return Err(bad("AlgorithmIdentifier without algorithm OID"));
        }
        if c.len() > 2 {
            return Err(bad("AlgorithmIdentifier with trailing fields"));
        }
        Self::from_parameters(
            c.get(1)
                .ok_or(bad("AlgorithmIdentifier without parameters"))?,
        )
    }

    /// Reads AlgorithmIdentifier parameters: a standardized id (INTEGER), a named-curve OID, explicit
    /// ECParameters (equal to a curve of the registry) or X9.42 DH `DomainParameters ::= SEQUENCE { p, g,
    /// q, ... }` (equal to an RFC 5114 group).
    pub fn from_parameters(params: &Element<'_>) -> Result<DomainParameters, DomainParameterError> {
        let bad = DomainParameterError::Malformed;
        match params.tag {
            0x02 => {
                let id = small_uint(params.value).ok_or(bad("parameter id"))?;
                Self::standard(id).ok_or(DomainParameterError::UnknownParameterId(id))
            }
            0x06 => Ok(DomainParameters::Ec(EcCurve::from_parameters(params.raw)?)),
            0x30 => {
                let inner = params.children().map_err(|_| bad("explicit parameters"))?;
                // ECParameters start with version INTEGER, fieldID SEQUENCE; DH ones with p, g, q.
                if inner.get(1).is_some_and(|t| t.tag == 0x30) {
                    Ok(DomainParameters::Ec(EcCurve::from_parameters(params.raw)?))
                } else {
                    let int = |i: usize, what| {
                        inner
                            .get(i)
                            .filter(|t| {
                                t.tag == 0x02 && t.value.first().is_some_and(|b| b & 0x80 == 0)
                            })
                            .map(|t| t.value)
                            .ok_or(bad(what))
                    };
                    let group =
                        DhGroup::from_explicit(int(0, "DH p")?, int(1, "DH g")?, int(2, "DH q")?)?;
                    Ok(DomainParameters::Dh(group))
                }
            }
            _ => Err(bad(
                "neither a parameter id, a curve OID nor explicit parameters",
            )),
        }
    }

    /// Checks that the parameters suit a protocol of key agreement `protocol`.
    pub fn expect(&self, protocol: KeyAgreement) -> Result<(), DomainParameterError> {
        if self.key_agreement() == protocol {
            Ok(())
        } else {
            Err(DomainParameterError::KeyAgreementMismatch {
                protocol: protocol.name(),
                found: self.key_agreement().name(),
            })
        }
    }
}

/// A non-negative INTEGER value of at most four significant bytes.
fn small_uint(v: &[u8]) -> Option<u32> {
    if v.is_empty() || v.first().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    let v = &v[start..];
    (v.len() <= 4).then(|| v.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::{self, der};

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    fn alg(oid: &[u8], params: Vec<u8>) -> Vec<u8> {
        der::constructed(0x30, &[&der::tlv(0x06, oid), &params])
    }

    const DH_PUBLIC_NUMBER: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3E, 0x02, 0x01];
    const EC_PUBLIC_KEY: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];

    fn parse(bytes: &[u8]) -> Result<DomainParameters, DomainParameterError> {
        DomainParameters::from_algorithm(&asn1::parse_tagged(bytes, 0x30).unwrap())
    }

    fn dh_params(p: &[u8], g: &[u8], q: &[u8]) -> Vec<u8> {
        let int = |v: &[u8]| {
            let mut x = vec![0];
            x.extend_from_slice(v);
            der::tlv(0x02, &x)
        };
        der::constructed(0x30, &[&int(p), &int(g), &int(q)])
    }

    #[test]
    fn every_standardized_id_and_only_those() {
        for id in 0..=40 {
            let d = DomainParameters::standard(id);
            assert_eq!(d.is_some(), id <= 2 || (8..=18).contains(&id), "{id}");
            let encoded = alg(&EC_PUBLIC_KEY, der::tlv(0x02, &[id as u8]));
            match d {
                Some(d) => {
                    assert_eq!(d.parameter_id(), id);
                    assert_eq!(parse(&encoded), Ok(d));
                }
                None => assert_eq!(
                    parse(&encoded),
                    Err(DomainParameterError::UnknownParameterId(id))
                ),
            }
        }
    }

    #[test]
    fn explicit_dh_parameters_must_be_an_rfc_5114_group() {
        for id in DhGroup::IDS {
            let g = DhGroup::standard(id).unwrap();
            let encoded = alg(&DH_PUBLIC_NUMBER, dh_params(g.p(), g.g(), g.q()));
            assert_eq!(parse(&encoded), Ok(DomainParameters::Dh(g)));
        }
        use crate::crypto::dh::tests::{WEAK_G, WEAK_P, WEAK_Q};
        let weak = alg(
            &DH_PUBLIC_NUMBER,
            dh_params(&h(WEAK_P), &h(WEAK_G), &h(WEAK_Q)),
        );
        assert_eq!(
            parse(&weak),
            Err(DomainParameterError::Group(DhError::NotStandardGroup {
                p_bits: 1024,
                q_bits: 16
            }))
        );
        // Missing q, negative p.
        let g = DhGroup::standard(0).unwrap();
        let two = der::constructed(0x30, &[&der::tlv(0x02, g.p()), &der::tlv(0x02, g.g())]);
        assert!(parse(&alg(&DH_PUBLIC_NUMBER, two)).is_err());
    }

    #[test]
    fn explicit_and_named_curves_resolve_to_the_registry() {
        for curve in EcCurve::ALL {
            let named = alg(&EC_PUBLIC_KEY, der::tlv(0x06, curve.oid()));
            assert_eq!(parse(&named), Ok(DomainParameters::Ec(curve)));
        }
        assert!(matches!(
            parse(&alg(
                &EC_PUBLIC_KEY,
                der::tlv(0x06, &[0x2B, 0x81, 0x04, 0x00, 0x0A])
            )),
            Err(DomainParameterError::Curve(EcError::UnknownNamedCurve(_)))
        ));
        assert!(parse(&alg(&EC_PUBLIC_KEY, vec![0x05, 0x00])).is_err());
        assert!(parse(&der::tlv(0x30, &der::tlv(0x06, &EC_PUBLIC_KEY))).is_err());
    }

    #[test]
    fn key_agreement_must_match() {
        let ec = DomainParameters::standard(13).unwrap();
        assert_eq!(ec.expect(KeyAgreement::Ecdh), Ok(()));
        assert!(matches!(
            ec.expect(KeyAgreement::Dh),
            Err(DomainParameterError::KeyAgreementMismatch { .. })
        ));
        assert_eq!(ec.describe(), "ECDH brainpoolP256r1");
        assert_eq!(
            DomainParameters::standard(2).unwrap().describe(),
            "DH 2048-bit"
        );
        assert!(
            DomainParameters::standard(0).unwrap().security_bits()
                < DomainParameters::standard(12).unwrap().security_bits()
        );
    }
}
