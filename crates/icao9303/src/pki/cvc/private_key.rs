//! Private keys of CV certificate holders in PKCS#8 files: a terminal's key for Terminal Authentication,
//! a DV's or CVCA's key for issuing certificates.
//!
//! EC keys on every supported curve (named-curve or explicit domain parameters, as PersoSim and the BSI
//! worked example write them) and RSA keys are read; keys are written as PKCS#8 with a named curve. The
//! private key is zeroized on drop and never printed. [`CvPrivateKey`] implements
//! [`TerminalSigner`], so a hardware module or remote signer can
//! take its place.

use super::Role;
use super::key::named_curve_oid;
use super::{CvCertificate, CvKey, CvPublicKey, CvcError, EcDomainParameters, TaAlgorithm};
use crate::auth::terminal::{SignerError, TerminalCredentials, TerminalSigner};
use crate::crypto::ec::{EcCurve, EcScalar};
use crate::crypto::ecdsa;
use crate::crypto::hash::HashAlgorithm;
use crate::tlv;
use rand_core::CryptoRng;
use rsa::traits::PublicKeyParts;
use zeroize::Zeroizing;

/// id-ecPublicKey (1.2.840.10045.2.1), encoded.
const EC_PUBLIC_KEY: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
/// rsaEncryption (1.2.840.113549.1.1.1), encoded.
const RSA_ENCRYPTION: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];

/// The key material.
#[derive(Clone)]
enum Material {
    Ec(EcScalar),
    Rsa(Box<rsa::PrivateKey>),
}

/// A CV certificate holder's private key and the algorithm it signs with.
#[derive(Clone)]
pub struct CvPrivateKey {
    algorithm: TaAlgorithm,
    material: Material,
}

impl std::fmt::Debug for CvPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.material {
            Material::Ec(k) => format!("EC {}", k.curve().name()),
            Material::Rsa(k) => format!("RSA-{}", k.n().as_ref().bit_width()),
        };
        write!(f, "CvPrivateKey({kind}, {}, <redacted>)", self.algorithm)
    }
}

fn bad(what: impl Into<String>) -> CvcError {
    CvcError::Key(format!("PKCS#8 private key: {}", what.into()))
}

impl CvPrivateKey {
    /// Reads a PKCS#8 PrivateKeyInfo (DER) that will sign with `algorithm` (the OID of the holder's
    /// certificate; PKCS#8 does not name the hash). The key type must fit the algorithm.
    ///
    /// A bare RFC 5915 ECPrivateKey naming its curve in `[0] parameters` is accepted too: OpenPACE's
    /// `cvc-create` writes the keys it derives that way (under a `.pkcs8` name).
    pub fn from_pkcs8_der(der: &[u8], algorithm: TaAlgorithm) -> Result<CvPrivateKey, CvcError> {
        let seq = tlv::parse_exact(der, 0x30).map_err(|e| bad(e.to_string()))?;
        let items = tlv::parse_all(seq.value).map_err(|e| bad(e.to_string()))?;
        if let [version, private, rest @ ..] = items.as_slice()
            && version.tag == 0x02
            && version.value == [1]
            && private.tag == 0x04
        {
            if !algorithm.is_ecdsa() {
                return Err(bad(format!("an EC key cannot sign with {algorithm}")));
            }
            let params = rest
                .iter()
                .find(|t| t.tag == 0xA0)
                .ok_or_else(|| bad("ECPrivateKey without [0] curve parameters"))?;
            let curve = EcCurve::from_parameters(params.value).map_err(|e| bad(e.to_string()))?;
            return Ok(CvPrivateKey {
                algorithm,
                material: Material::Ec(ec_private_key(der, curve)?),
            });
        }
        let mut f = super::Fields::new("PKCS#8 PrivateKeyInfo", seq.value)?;
        let version = f.take(0x02, "version")?;
        if !matches!(version.value, [0] | [1]) {
            return Err(bad("version other than 0 or 1"));
        }
        let alg = f.take(0x30, "privateKeyAlgorithm")?;
        let alg_items = tlv::parse_all(alg.value).map_err(|e| bad(e.to_string()))?;
        let (Some(oid), params) = (alg_items.first(), alg_items.get(1)) else {
            return Err(bad("empty privateKeyAlgorithm"));
        };
        let private = f.take(0x04, "privateKey")?;
        let material = match oid.value {
            o if o == EC_PUBLIC_KEY => {
                if !algorithm.is_ecdsa() {
                    return Err(bad(format!("an EC key cannot sign with {algorithm}")));
                }
                let params = params.ok_or_else(|| bad("EC key without curve parameters"))?;
                let curve = EcCurve::from_parameters(params.raw).map_err(|e| bad(e.to_string()))?;
                Material::Ec(ec_private_key(private.value, curve)?)
            }
            o if o == RSA_ENCRYPTION => {
                if algorithm.is_ecdsa() {
                    return Err(bad(format!("an RSA key cannot sign with {algorithm}")));
                }
                use rsa::pkcs8::DecodePrivateKey;
                let key = rsa::PrivateKey::from_pkcs8_der(der).map_err(|e| bad(e.to_string()))?;
                Material::Rsa(Box::new(key))
            }
            other => {
                return Err(bad(format!(
                    "key algorithm {} (EC or RSA expected)",
                    super::key::oid_text(other)
                )));
            }
        };
        Ok(CvPrivateKey {
            algorithm,
            material,
        })
    }

    /// Reads the PKCS#8 key of `certificate`'s holder: the algorithm comes from the certificate, and the
    /// key must be the private half of the certificate's public key. `domain` supplies the CVCA's domain
    /// parameters when the certificate's EC key has none (they are then checked against the key's curve).
    pub fn for_certificate(
        der: &[u8],
        certificate: &CvCertificate,
        domain: Option<&EcDomainParameters>,
    ) -> Result<CvPrivateKey, CvcError> {
        let cert_key = &certificate.body.public_key;
        let key = CvPrivateKey::from_pkcs8_der(der, cert_key.algorithm)?;
        let mismatch = || {
            CvcError::Key(format!(
                "the private key does not belong to certificate {}",
                certificate.chr()
            ))
        };
        match (&key.material, &cert_key.key) {
            (Material::Ec(d), CvKey::Ec { domain: own, point }) => {
                if let Some(params) = own.as_ref().or(domain)
                    && params.curve()? != d.curve()
                {
                    return Err(CvcError::Key(format!(
                        "the private key is on {}, certificate {} on another curve",
                        d.curve().name(),
                        certificate.chr()
                    )));
                }
                let public = d
                    .public_key(&d.curve().generator())
                    .map_err(|e| CvcError::Key(e.to_string()))?;
                if public.as_bytes() != point.as_slice() {
                    return Err(mismatch());
                }
            }
            (Material::Rsa(k), CvKey::Rsa { modulus, exponent }) => {
                if *k.n_bytes() != **modulus || *k.e_bytes() != **exponent {
                    return Err(mismatch());
                }
            }
            _ => return Err(mismatch()),
        }
        Ok(key)
    }

    /// A fresh EC key on `curve` that signs with `algorithm` (an ECDSA algorithm).
    pub fn generate_ec<R: CryptoRng + ?Sized>(
        curve: EcCurve,
        algorithm: TaAlgorithm,
        rng: &mut R,
    ) -> Result<CvPrivateKey, CvcError> {
        if !algorithm.is_ecdsa() {
            return Err(CvcError::Key(format!(
                "an EC key cannot sign with {algorithm}"
            )));
        }
        Ok(CvPrivateKey {
            algorithm,
            material: Material::Ec(curve.random_scalar(rng)),
        })
    }

    /// A fresh RSA key of `bits` bits (public exponent 65537) that signs with `algorithm`.
    pub fn generate_rsa<R: CryptoRng + ?Sized>(
        bits: usize,
        algorithm: TaAlgorithm,
        rng: &mut R,
    ) -> Result<CvPrivateKey, CvcError> {
        if algorithm.is_ecdsa() {
            return Err(CvcError::Key(format!(
                "an RSA key cannot sign with {algorithm}"
            )));
        }
        let key = rsa::PrivateKey::new(rng, bits).map_err(|e| CvcError::Key(e.to_string()))?;
        Ok(CvPrivateKey {
            algorithm,
            material: Material::Rsa(Box::new(key)),
        })
    }

    /// An EC key from its private scalar (big-endian, at most the field size).
    pub fn from_ec_scalar(
        curve: EcCurve,
        d: &[u8],
        algorithm: TaAlgorithm,
    ) -> Result<CvPrivateKey, CvcError> {
        if !algorithm.is_ecdsa() {
            return Err(CvcError::Key(format!(
                "an EC key cannot sign with {algorithm}"
            )));
        }
        Ok(CvPrivateKey {
            algorithm,
            material: Material::Ec(scalar_from_bytes(d, curve)?),
        })
    }

    /// The algorithm the key signs with.
    pub fn algorithm(&self) -> TaAlgorithm {
        self.algorithm
    }

    /// The EC curve, for EC keys.
    pub fn curve(&self) -> Option<EcCurve> {
        match &self.material {
            Material::Ec(k) => Some(k.curve()),
            Material::Rsa(_) => None,
        }
    }

    /// The public key as a certificate carries it: with the domain parameters when
    /// `with_domain_parameters` (CVCA certificates, requests), without them otherwise.
    pub fn public_key(&self, with_domain_parameters: bool) -> Result<CvPublicKey, CvcError> {
        let key = match &self.material {
            Material::Ec(d) => CvKey::Ec {
                domain: with_domain_parameters.then(|| EcDomainParameters::from_curve(d.curve())),
                point: d
                    .public_key(&d.curve().generator())
                    .map_err(|e| CvcError::Key(e.to_string()))?
                    .as_bytes()
                    .to_vec(),
            },
            Material::Rsa(k) => CvKey::Rsa {
                modulus: k.n_bytes().to_vec(),
                exponent: k.e_bytes().to_vec(),
            },
        };
        Ok(CvPublicKey {
            algorithm: self.algorithm,
            key,
        })
    }

    /// The key as PKCS#8 PrivateKeyInfo DER (EC: named curve, with the public key). Secret: write it
    /// to a file only with owner-only permissions.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, CvcError> {
        match &self.material {
            Material::Ec(d) => {
                let public = d
                    .public_key(&d.curve().generator())
                    .map_err(|e| CvcError::Key(e.to_string()))?;
                let curve_oid = tlv::encode(0x06, &named_curve_oid(d.curve()));
                let mut bits = vec![0u8];
                bits.extend_from_slice(public.as_bytes());
                let scalar = d.to_bytes();
                // Every buffer that holds the scalar is zeroized on drop.
                let ec_private_key = secret_tlv(
                    0x30,
                    &[
                        &tlv::encode(0x02, &[1]),
                        &*secret_tlv(0x04, &[&scalar]),
                        &tlv::encode(0xA1, &tlv::encode(0x03, &bits)),
                    ],
                );
                let alg =
                    tlv::encode_constructed(0x30, &[tlv::encode(0x06, &EC_PUBLIC_KEY), curve_oid]);
                let private_key = secret_tlv(0x04, &[&ec_private_key]);
                Ok(secret_tlv(
                    0x30,
                    &[&tlv::encode(0x02, &[0]), &alg, &private_key],
                ))
            }
            Material::Rsa(k) => {
                use rsa::pkcs8::EncodePrivateKey;
                let doc = k
                    .to_pkcs8_der()
                    .map_err(|e| CvcError::Key(format!("PKCS#8 encoding: {e}")))?;
                Ok(Zeroizing::new(doc.as_bytes().to_vec()))
            }
        }
    }

    /// Signs `message` with the key's algorithm: plain `r ‖ s` ECDSA with an RFC 6979 nonce, or RSA
    /// (PKCS#1 v1.5, or PSS with a salt from `rng`).
    pub fn sign_message(
        &self,
        message: &[u8],
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u8>, CvcError> {
        let hash = self.algorithm.hash();
        match (&self.material, self.algorithm) {
            (Material::Ec(d), TaAlgorithm::Ecdsa(_)) => {
                ecdsa::sign_plain(d, hash, message).map_err(|e| CvcError::Key(e.to_string()))
            }
            (Material::Rsa(k), TaAlgorithm::RsaV15(_)) => {
                let padding = rsa::Pkcs1v15Sign {
                    hash_len: Some(hash.output_len()),
                    prefix: digest_info_prefix(hash).into(),
                };
                k.sign_with_rng(rng, padding, &hash.digest(message))
                    .map_err(|e| CvcError::Key(format!("RSA signature: {e}")))
            }
            (Material::Rsa(k), TaAlgorithm::RsaPss(_)) => {
                let digest = hash.digest(message);
                let salt = hash.output_len();
                let result = match hash {
                    HashAlgorithm::Sha1 => k.sign_with_rng(
                        rng,
                        rsa::pss::Pss::<sha1::Sha1>::new_with_salt(salt),
                        &digest,
                    ),
                    HashAlgorithm::Sha256 => k.sign_with_rng(
                        rng,
                        rsa::pss::Pss::<sha2::Sha256>::new_with_salt(salt),
                        &digest,
                    ),
                    HashAlgorithm::Sha512 => k.sign_with_rng(
                        rng,
                        rsa::pss::Pss::<sha2::Sha512>::new_with_salt(salt),
                        &digest,
                    ),
                    other => {
                        return Err(CvcError::Key(format!(
                            "RSA-PSS with {other} is not defined"
                        )));
                    }
                };
                result.map_err(|e| CvcError::Key(format!("RSA-PSS signature: {e}")))
            }
            _ => Err(CvcError::Key(format!(
                "the key cannot sign with {}",
                self.algorithm
            ))),
        }
    }
}

impl TerminalSigner for CvPrivateKey {
    fn algorithm(&self) -> TaAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8], rng: &mut dyn CryptoRng) -> Result<Vec<u8>, SignerError> {
        self.sign_message(message, rng)
            .map_err(|e| SignerError(e.to_string()))
    }
}

/// Why [`terminal_credentials`] could not make an inspection system's credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// The key is neither PKCS#8 DER nor an unencrypted PKCS#8 PEM block.
    #[error("{0}")]
    Key(CvcError),
    /// None of the certificates is a terminal (inspection system) certificate.
    #[error("no terminal (inspection system) certificate among the certificates")]
    NoTerminal,
    /// The key is the private half of none of the terminal certificates' keys (each one's reason).
    #[error("the key belongs to none of the terminal certificates ({0})")]
    NoMatch(String),
}

/// An inspection system's credentials for Terminal Authentication from its CV certificates (terminal, DV,
/// CVCA link certificates, in any order; a CVCA certificate supplies the domain parameters the others
/// inherit) and the terminal key (PKCS#8, DER or PEM). With several terminal certificates, the one the
/// key belongs to is kept and the others dropped, so the chain is built from it.
pub fn terminal_credentials(
    certificates: Vec<CvCertificate>,
    key_der_or_pem: &[u8],
) -> Result<TerminalCredentials, CredentialsError> {
    let key_der = pkcs8_der_from_der_or_pem(key_der_or_pem).map_err(CredentialsError::Key)?;
    // The CVCA's domain parameters, when a CVCA certificate is among them (DV and terminal keys inherit
    // them).
    let domain = certificates
        .iter()
        .filter(|c| c.role() == Role::Cvca)
        .find_map(|c| match &c.body.public_key.key {
            CvKey::Ec {
                domain: Some(d), ..
            } => Some(d.clone()),
            _ => None,
        });
    let terminals: Vec<&CvCertificate> = certificates
        .iter()
        .filter(|c| c.role() == Role::Terminal)
        .collect();
    if terminals.is_empty() {
        return Err(CredentialsError::NoTerminal);
    }
    let mut refused = Vec::new();
    let mut chosen = None;
    for t in &terminals {
        match CvPrivateKey::for_certificate(&key_der, t, domain.as_ref()) {
            Ok(key) => {
                chosen = Some((t.chr().clone(), key));
                break;
            }
            Err(e) => refused.push(format!("{}: {e}", t.chr())),
        }
    }
    let Some((chr, key)) = chosen else {
        return Err(CredentialsError::NoMatch(refused.join("; ")));
    };
    let certificates = certificates
        .into_iter()
        .filter(|c| c.role() != Role::Terminal || *c.chr() == chr)
        .collect();
    Ok(TerminalCredentials {
        certificates,
        signer: std::sync::Arc::new(key),
    })
}

/// The DER of a PKCS#8 private key file given as DER or as PEM (`-----BEGIN PRIVATE KEY-----`, unencrypted
/// PKCS#8). Other PEM blocks (encrypted or traditional keys) are an error saying so. The result is
/// zeroized on drop.
pub fn pkcs8_der_from_der_or_pem(bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>, CvcError> {
    const BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
    const END: &str = "-----END PRIVATE KEY-----";
    let text = match std::str::from_utf8(bytes) {
        Ok(text) if text.contains("-----BEGIN") => text,
        _ => return Ok(Zeroizing::new(bytes.to_vec())),
    };
    let Some(start) = text.find(BEGIN) else {
        return Err(CvcError::Key(
            "a PEM file, but not an unencrypted PKCS#8 PRIVATE KEY".into(),
        ));
    };
    let body = &text[start + BEGIN.len()..];
    let end = body
        .find(END)
        .ok_or_else(|| CvcError::Key("PEM: BEGIN PRIVATE KEY without END".into()))?;
    crate::pki::certificate::base64_decode(&body[..end])
        .map(Zeroizing::new)
        .ok_or_else(|| CvcError::Key("PEM: the body is not base64".into()))
}

/// A TLV holding secret bytes: built in one buffer of the final size, zeroized on drop.
fn secret_tlv(tag: u8, parts: &[&[u8]]) -> Zeroizing<Vec<u8>> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut out = Zeroizing::new(Vec::with_capacity(len + 6));
    out.push(tag);
    tlv::encode_length(len, &mut out);
    for p in parts {
        out.extend_from_slice(p);
    }
    out
}

/// The DER DigestInfo prefix of PKCS#1 v1.5 (`SEQUENCE { AlgorithmIdentifier { hash, NULL }, OCTET
/// STRING` header), to which the digest is appended.
fn digest_info_prefix(hash: HashAlgorithm) -> Vec<u8> {
    let alg = tlv::encode_constructed(
        0x30,
        &[tlv::encode(0x06, hash.oid().as_bytes()), vec![0x05, 0x00]],
    );
    let mut octets = vec![0x04];
    tlv::encode_length(hash.output_len(), &mut octets);
    let mut out = vec![0x30];
    tlv::encode_length(alg.len() + octets.len() + hash.output_len(), &mut out);
    out.extend(alg);
    out.extend(octets);
    out
}

/// The private scalar of an ECPrivateKey (RFC 5915, the content of PKCS#8's privateKey) on `curve`.
fn ec_private_key(der: &[u8], curve: EcCurve) -> Result<EcScalar, CvcError> {
    let seq = tlv::parse_exact(der, 0x30).map_err(|e| bad(format!("ECPrivateKey: {e}")))?;
    let mut f = super::Fields::new("ECPrivateKey", seq.value)?;
    if f.take(0x02, "version")?.value != [1] {
        return Err(bad("ECPrivateKey version other than 1"));
    }
    scalar_from_bytes(f.take(0x04, "privateKey")?.value, curve)
}

/// A private scalar from big-endian bytes: leading zero bytes are ignored, shorter values left-padded
/// to the field size.
fn scalar_from_bytes(d: &[u8], curve: EcCurve) -> Result<EcScalar, CvcError> {
    let start = d.iter().position(|b| *b != 0).unwrap_or(d.len());
    let size = curve.field_size();
    let significant = &d[start..];
    if significant.len() > size {
        return Err(bad(format!(
            "private scalar longer than the {}-byte field of {}",
            size,
            curve.name()
        )));
    }
    let mut padded = Zeroizing::new(vec![0u8; size - significant.len()]);
    padded.extend_from_slice(significant);
    curve
        .scalar(&padded)
        .map_err(|_| bad(format!("private scalar out of range on {}", curve.name())))
}
