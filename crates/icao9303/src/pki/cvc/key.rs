//! Public keys of CV certificates (TR-03110-3 D.3) and the signature algorithms of Terminal Authentication
//! (`id-TA-*`, TR-03110-3 A.1.1.3 / ICAO 9303-11 section 9.2.9).
//!
//! ```text
//! 7F49  06 id-TA-ECDSA-SHA-x   81 p  82 a  83 b  84 G  85 r  86 Y  87 f     (EC)
//! 7F49  06 id-TA-RSA-*         81 n  82 e                                  (RSA)
//! ```
//!
//! The OID says how the key signs: the scheme and the hash. EC domain parameters are all present (the
//! cofactor optional) or all absent: CVCA certificates carry them, DV and terminal certificates inherit the
//! CVCA's ([`CvPublicKey::inherit`]). ECDSA signatures are plain `r ‖ s` (BSI TR-03111), each half as long
//! as the group order; RSA signatures are the k-byte integer, PKCS#1 v1.5 or PSS (MGF1 with the same hash,
//! salt length = hash length).
//!
//! Verification goes through [`crate::pki::signature`], the crate's one signature verifier.

use super::{CvcError, Fields, TAG_OID, TAG_PUBLIC_KEY, hex_string};
use crate::asn1::ObjectIdentifier;
use crate::crypto::ec::{EcCurve, ExplicitCurve};
use crate::crypto::hash::HashAlgorithm;
use crate::pki::certificate::PublicKeyInfo;
use crate::pki::cms::AlgorithmId;
use crate::pki::signature::{self, Scheme};
use crate::tlv::{self, Tlv};

/// `id-TA` (0.4.0.127.0.7.2.2.2), encoded.
pub const ID_TA: [u8; 8] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02];

/// A signature algorithm of Terminal Authentication, named by its `id-TA-*` OID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaAlgorithm {
    /// `id-TA-RSA-v1-5-SHA-*`: RSASSA-PKCS1-v1_5.
    RsaV15(HashAlgorithm),
    /// `id-TA-RSA-PSS-SHA-*`: RSASSA-PSS, MGF1 with the same hash, salt length = hash length.
    RsaPss(HashAlgorithm),
    /// `id-TA-ECDSA-SHA-*`: ECDSA with a plain `r ‖ s` signature.
    Ecdsa(HashAlgorithm),
}

impl TaAlgorithm {
    /// Every algorithm TR-03110-3 defines.
    pub const ALL: [TaAlgorithm; 11] = [
        TaAlgorithm::RsaV15(HashAlgorithm::Sha1),
        TaAlgorithm::RsaV15(HashAlgorithm::Sha256),
        TaAlgorithm::RsaPss(HashAlgorithm::Sha1),
        TaAlgorithm::RsaPss(HashAlgorithm::Sha256),
        TaAlgorithm::RsaV15(HashAlgorithm::Sha512),
        TaAlgorithm::RsaPss(HashAlgorithm::Sha512),
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha1),
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha224),
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha384),
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha512),
    ];

    /// The OID, encoded (the value of `06`).
    pub fn oid(self) -> Vec<u8> {
        use HashAlgorithm::*;
        let (family, n) = match self {
            TaAlgorithm::RsaV15(Sha1) => (1, 1),
            TaAlgorithm::RsaV15(Sha256) => (1, 2),
            TaAlgorithm::RsaPss(Sha1) => (1, 3),
            TaAlgorithm::RsaPss(Sha256) => (1, 4),
            TaAlgorithm::RsaV15(Sha512) => (1, 5),
            TaAlgorithm::RsaPss(Sha512) => (1, 6),
            TaAlgorithm::Ecdsa(Sha1) => (2, 1),
            TaAlgorithm::Ecdsa(Sha224) => (2, 2),
            TaAlgorithm::Ecdsa(Sha256) => (2, 3),
            TaAlgorithm::Ecdsa(Sha384) => (2, 4),
            TaAlgorithm::Ecdsa(Sha512) => (2, 5),
            // Not defined by TR-03110 (RSA with SHA-224/384); never produced by `ALL` or `from_oid`.
            TaAlgorithm::RsaV15(_) | TaAlgorithm::RsaPss(_) => (1, 0),
        };
        let mut oid = ID_TA.to_vec();
        oid.extend([family, n]);
        oid
    }

    /// The algorithm of an encoded OID, if it is one of `id-TA-*`.
    pub fn from_oid(oid: &[u8]) -> Option<TaAlgorithm> {
        Self::ALL.into_iter().find(|a| a.oid() == oid)
    }

    /// The specification's name ("id-TA-ECDSA-SHA-256").
    pub fn name(self) -> String {
        let (scheme, hash) = match self {
            TaAlgorithm::RsaV15(h) => ("RSA-v1-5", h),
            TaAlgorithm::RsaPss(h) => ("RSA-PSS", h),
            TaAlgorithm::Ecdsa(h) => ("ECDSA", h),
        };
        format!("id-TA-{scheme}-{}", hash.name())
    }

    /// The hash the algorithm signs with.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            TaAlgorithm::RsaV15(h) | TaAlgorithm::RsaPss(h) | TaAlgorithm::Ecdsa(h) => h,
        }
    }

    /// True for the ECDSA algorithms.
    pub fn is_ecdsa(self) -> bool {
        matches!(self, TaAlgorithm::Ecdsa(_))
    }

    /// The verification scheme of [`crate::pki::signature`].
    pub fn scheme(self) -> Scheme {
        match self {
            TaAlgorithm::RsaV15(h) => Scheme::RsaPkcs1v15(h),
            TaAlgorithm::RsaPss(h) => Scheme::RsaPss {
                hash: h,
                salt_len: h.output_len(),
            },
            TaAlgorithm::Ecdsa(h) => Scheme::EcdsaPlain(h),
        }
    }
}

impl std::fmt::Display for TaAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// Explicit elliptic-curve domain parameters as carried in a CV public key (tags `81`–`85`, `87`), kept
/// as encoded: unsigned big-endian integers, G as an uncompressed point.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EcDomainParameters {
    /// `81`: the prime modulus p.
    pub prime: Vec<u8>,
    /// `82`: the first coefficient a.
    pub a: Vec<u8>,
    /// `83`: the second coefficient b.
    pub b: Vec<u8>,
    /// `84`: the base point G.
    pub generator: Vec<u8>,
    /// `85`: the order r of G.
    pub order: Vec<u8>,
    /// `87`: the cofactor f, when given.
    pub cofactor: Option<Vec<u8>>,
}

fn minimal(v: &[u8]) -> Vec<u8> {
    let start = v
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(v.len().saturating_sub(1));
    v[start..].to_vec()
}

impl EcDomainParameters {
    /// The parameters of a supported curve, encoded as TR-03110-3 D.2.1.1 asks (integers without
    /// leading zero bytes, cofactor 1 included).
    pub fn from_curve(curve: EcCurve) -> EcDomainParameters {
        EcDomainParameters {
            prime: minimal(&curve.prime()),
            a: minimal(&curve.a()),
            b: minimal(&curve.b()),
            generator: curve.generator().as_bytes().to_vec(),
            order: minimal(&curve.order()),
            cofactor: Some(vec![1]),
        }
    }

    /// The supported curve these parameters describe (cofactor 1), or an error.
    pub fn curve(&self) -> Result<EcCurve, CvcError> {
        EcCurve::from_explicit(&ExplicitCurve {
            p: self.prime.clone(),
            a: self.a.clone(),
            b: self.b.clone(),
            g: self.generator.clone(),
            n: self.order.clone(),
            h: self.cofactor.clone(),
        })
        .map_err(|_| {
            CvcError::Key(format!(
                "explicit curve with a {}-bit prime is none of the supported curves",
                minimal(&self.prime).len() * 8
            ))
        })
    }
}

/// The key material of a CV public key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CvKey {
    /// An EC public point, with or without domain parameters.
    Ec {
        /// The domain parameters (`81`–`85`, `87`), absent in DV and terminal certificates.
        domain: Option<EcDomainParameters>,
        /// `86`: the public point Y, uncompressed.
        point: Vec<u8>,
    },
    /// An RSA public key.
    Rsa {
        /// `81`: the modulus n.
        modulus: Vec<u8>,
        /// `82`: the public exponent e.
        exponent: Vec<u8>,
    },
}

/// A CV certificate's public key (`7F49`): the algorithm it signs with and the key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CvPublicKey {
    /// The signature algorithm (from the OID).
    pub algorithm: TaAlgorithm,
    /// The key.
    pub key: CvKey,
}

impl CvPublicKey {
    /// Decodes a `7F49` TLV.
    pub fn parse(t: &Tlv<'_>) -> Result<CvPublicKey, CvcError> {
        if t.tag != TAG_PUBLIC_KEY {
            return Err(CvcError::invalid(
                "public key",
                format!("tag {:X} (7F49 expected)", t.tag),
            ));
        }
        let mut f = Fields::new("public key", t.value)?;
        let oid = f.take(TAG_OID, "algorithm OID")?;
        let algorithm = TaAlgorithm::from_oid(oid.value)
            .ok_or_else(|| CvcError::UnsupportedAlgorithm(oid_text(oid.value)))?;
        let key = if algorithm.is_ecdsa() {
            let params: Vec<Option<Tlv<'_>>> = (0x81..=0x85).map(|tag| f.optional(tag)).collect();
            let point = f.take(0x86, "public point Y")?;
            let cofactor = f.optional(0x87);
            let present = params.iter().filter(|p| p.is_some()).count();
            let domain = match (present, &params[..]) {
                (0, _) if cofactor.is_none() => None,
                (5, [Some(p), Some(a), Some(b), Some(g), Some(r)]) => Some(EcDomainParameters {
                    prime: p.value.to_vec(),
                    a: a.value.to_vec(),
                    b: b.value.to_vec(),
                    generator: g.value.to_vec(),
                    order: r.value.to_vec(),
                    cofactor: cofactor.map(|c| c.value.to_vec()),
                }),
                _ => {
                    return Err(CvcError::Key(
                        "EC domain parameters must be all present (81 to 85) or all absent".into(),
                    ));
                }
            };
            if point.value.first() != Some(&0x04) || point.value.len() % 2 != 1 {
                return Err(CvcError::Key(format!(
                    "public point of {} bytes is not an uncompressed point",
                    point.value.len()
                )));
            }
            CvKey::Ec {
                domain,
                point: point.value.to_vec(),
            }
        } else {
            let n = f.take(0x81, "RSA modulus")?;
            let e = f.take(0x82, "RSA public exponent")?;
            if n.value.first().is_none_or(|b| *b == 0) || e.value.first().is_none_or(|b| *b == 0) {
                return Err(CvcError::Key(
                    "RSA modulus or exponent empty or with a leading zero byte".into(),
                ));
            }
            CvKey::Rsa {
                modulus: n.value.to_vec(),
                exponent: e.value.to_vec(),
            }
        };
        f.finish()?;
        Ok(CvPublicKey { algorithm, key })
    }

    /// The `7F49` TLV.
    pub fn encode(&self) -> Vec<u8> {
        let mut parts = vec![tlv::encode(TAG_OID, &self.algorithm.oid())];
        match &self.key {
            CvKey::Ec { domain, point } => {
                if let Some(d) = domain {
                    parts.push(tlv::encode(0x81, &d.prime));
                    parts.push(tlv::encode(0x82, &d.a));
                    parts.push(tlv::encode(0x83, &d.b));
                    parts.push(tlv::encode(0x84, &d.generator));
                    parts.push(tlv::encode(0x85, &d.order));
                }
                parts.push(tlv::encode(0x86, point));
                if let Some(f) = domain.as_ref().and_then(|d| d.cofactor.as_ref()) {
                    parts.push(tlv::encode(0x87, f));
                }
            }
            CvKey::Rsa { modulus, exponent } => {
                parts.push(tlv::encode(0x81, modulus));
                parts.push(tlv::encode(0x82, exponent));
            }
        }
        tlv::encode_constructed(TAG_PUBLIC_KEY, &parts)
    }

    /// The EC domain parameters, when the key carries them.
    pub fn domain_parameters(&self) -> Option<&EcDomainParameters> {
        match &self.key {
            CvKey::Ec { domain, .. } => domain.as_ref(),
            CvKey::Rsa { .. } => None,
        }
    }

    /// The same key with the domain parameters left out (as DV and terminal certificates carry it).
    pub fn without_domain_parameters(&self) -> CvPublicKey {
        match &self.key {
            CvKey::Ec { point, .. } => CvPublicKey {
                algorithm: self.algorithm,
                key: CvKey::Ec {
                    domain: None,
                    point: point.clone(),
                },
            },
            CvKey::Rsa { .. } => self.clone(),
        }
    }

    /// This key completed with the issuer's domain parameters when it has none of its own (TR-03110-3
    /// §2.3: DV and terminal keys use the CVCA's). RSA keys and EC keys with parameters are returned as
    /// they are; an EC key without parameters under an issuer without them (or an RSA issuer) is an error.
    pub fn inherit(&self, issuer: &CvPublicKey) -> Result<CvPublicKey, CvcError> {
        match &self.key {
            CvKey::Ec {
                domain: None,
                point,
            } => {
                let domain = issuer.domain_parameters().ok_or_else(|| {
                    CvcError::Key(
                        "EC key without domain parameters, and the issuer's key has none to inherit"
                            .into(),
                    )
                })?;
                Ok(CvPublicKey {
                    algorithm: self.algorithm,
                    key: CvKey::Ec {
                        domain: Some(domain.clone()),
                        point: point.clone(),
                    },
                })
            }
            _ => Ok(self.clone()),
        }
    }

    /// The curve of an EC key with domain parameters.
    pub fn curve(&self) -> Result<EcCurve, CvcError> {
        self.domain_parameters()
            .ok_or_else(|| CvcError::Key("EC key without domain parameters".into()))?
            .curve()
    }

    /// The key as a SubjectPublicKeyInfo for [`crate::pki::signature`] (EC keys need domain parameters).
    fn to_public_key_info(&self) -> Result<PublicKeyInfo, String> {
        match &self.key {
            CvKey::Ec { point, .. } => {
                let curve = self.curve().map_err(|e| e.to_string())?;
                Ok(PublicKeyInfo {
                    algorithm: AlgorithmId {
                        oid: ObjectIdentifier::new_unwrap(EC_PUBLIC_KEY),
                        parameters: Some(tlv::encode(0x06, curve.oid())),
                    },
                    key: point.clone(),
                    raw: Vec::new(),
                })
            }
            CvKey::Rsa { modulus, exponent } => {
                let int = |v: &[u8]| {
                    let mut v = v.to_vec();
                    if v.first().is_some_and(|b| b & 0x80 != 0) {
                        v.insert(0, 0);
                    }
                    tlv::encode(0x02, &v)
                };
                Ok(PublicKeyInfo {
                    algorithm: AlgorithmId {
                        oid: ObjectIdentifier::new_unwrap(RSA_ENCRYPTION),
                        parameters: Some(vec![0x05, 0x00]),
                    },
                    key: tlv::encode_constructed(0x30, &[int(modulus), int(exponent)]),
                    raw: Vec::new(),
                })
            }
        }
    }

    /// Verifies `signature` over `message` with this key and its algorithm; the error says why not.
    /// EC keys need domain parameters ([`CvPublicKey::inherit`]); an ECDSA signature must be exactly
    /// twice the length of the group order.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), String> {
        if let (TaAlgorithm::Ecdsa(_), Ok(curve)) = (self.algorithm, self.curve()) {
            let expected = 2 * minimal(&curve.order()).len();
            if signature.len() != expected {
                return Err(format!(
                    "plain ECDSA signature of {} bytes ({expected} expected on {})",
                    signature.len(),
                    curve.name()
                ));
            }
        }
        let info = self.to_public_key_info()?;
        let digest = self.algorithm.hash().digest(message);
        signature::verify_prehash(&info, self.algorithm.scheme(), &digest, signature)
            .map_err(|e| e.to_string())
    }

    /// "ECDSA brainpoolP256r1, id-TA-ECDSA-SHA-256", "RSA-2048, id-TA-RSA-PSS-SHA-256", "ECDSA
    /// (domain parameters inherited), id-TA-ECDSA-SHA-256".
    pub fn describe(&self) -> String {
        match &self.key {
            CvKey::Ec { domain: None, .. } => format!(
                "ECDSA (domain parameters inherited from the CVCA), {}",
                self.algorithm
            ),
            CvKey::Ec { .. } => match self.curve() {
                Ok(c) => format!(
                    "ECDSA {} (explicit domain parameters), {}",
                    c.name(),
                    self.algorithm
                ),
                Err(_) => format!("ECDSA on an unsupported curve, {}", self.algorithm),
            },
            CvKey::Rsa { modulus, .. } => {
                let bits =
                    modulus.len() * 8 - modulus.first().map_or(0, |b| b.leading_zeros() as usize);
                format!("RSA-{bits}, {}", self.algorithm)
            }
        }
    }
}

const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// The named-curve OID of a curve, encoded.
pub(crate) fn named_curve_oid(curve: EcCurve) -> Vec<u8> {
    curve.oid().to_vec()
}

/// The dotted form of an encoded OID, or its hex when it does not decode.
pub(crate) fn oid_text(oid: &[u8]) -> String {
    ObjectIdentifier::from_bytes(oid)
        .map(|o| o.to_string())
        .unwrap_or_else(|_| hex_string(oid))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_oids_round_trip() {
        for a in TaAlgorithm::ALL {
            assert_eq!(TaAlgorithm::from_oid(&a.oid()), Some(a), "{a}");
        }
        assert_eq!(
            TaAlgorithm::Ecdsa(HashAlgorithm::Sha256).oid(),
            [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02, 0x02, 0x03]
        );
        assert_eq!(
            TaAlgorithm::RsaPss(HashAlgorithm::Sha512).name(),
            "id-TA-RSA-PSS-SHA-512"
        );
        assert_eq!(TaAlgorithm::from_oid(&[0x04, 0x00]), None);
    }

    #[test]
    fn domain_parameters_identify_every_curve() {
        for curve in EcCurve::ALL {
            let d = EcDomainParameters::from_curve(curve);
            assert_eq!(d.curve().unwrap(), curve);
            let key = CvPublicKey {
                algorithm: TaAlgorithm::Ecdsa(HashAlgorithm::Sha256),
                key: CvKey::Ec {
                    domain: Some(d),
                    point: curve.generator().as_bytes().to_vec(),
                },
            };
            let enc = key.encode();
            let parsed =
                CvPublicKey::parse(&tlv::parse_exact(&enc, TAG_PUBLIC_KEY).unwrap()).unwrap();
            assert_eq!(parsed, key);
            assert!(key.to_public_key_info().is_ok());
        }
    }

    #[test]
    fn partial_domain_parameters_are_refused() {
        let d = EcDomainParameters::from_curve(EcCurve::BrainpoolP256r1);
        let mut value = tlv::encode(TAG_OID, &TaAlgorithm::Ecdsa(HashAlgorithm::Sha256).oid());
        value.extend(tlv::encode(0x81, &d.prime));
        value.extend(tlv::encode(
            0x86,
            EcCurve::BrainpoolP256r1.generator().as_bytes(),
        ));
        let enc = tlv::encode(TAG_PUBLIC_KEY, &value);
        assert!(CvPublicKey::parse(&tlv::parse_exact(&enc, TAG_PUBLIC_KEY).unwrap()).is_err());
    }
}
