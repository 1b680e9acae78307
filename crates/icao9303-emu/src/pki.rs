//! A generated test PKI for personalising the software chip: a CSCA, a Document Signer certificate issued
//! by it, and CMS signing of EF.SOD (and of other signed objects such as EF.CardSecurity).
//!
//! Everything is derived from the injected RNG and fixed dates, so the same seed gives the same
//! certificates and the same signed files (tests and recorded traces rely on that). The keys are test keys:
//! never use them for anything real.

use icao9303::asn1::{ObjectIdentifier, der, tag};
use icao9303::crypto::hash::HashAlgorithm;
use icao9303::lds::sod::SOD_TAG;
use p256::ecdsa::signature::Signer;
use rand_core::{CryptoRng, Rng, TryCryptoRng, TryRng};
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Signature scheme of the generated CSCA and DSC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureScheme {
    /// ECDSA on NIST P-256 with SHA-256 (the default: fast key generation).
    #[default]
    EcdsaP256Sha256,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt, on 2048-bit keys (slow to generate).
    RsaPssSha256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 on 2048-bit keys (slow to generate).
    RsaPkcs1v15Sha256,
    /// ECDSA with SHA-256 on brainpoolP256r1, keys with explicit domain parameters (as in Austrian and
    /// German certificates).
    EcdsaBrainpoolP256r1Sha256,
    /// ECDSA with SHA-384 on brainpoolP384r1, keys with explicit domain parameters (as in German DSCs);
    /// EF.SOD and its signed attributes are hashed with SHA-384.
    EcdsaBrainpoolP384r1Sha384,
}

impl SignatureScheme {
    /// Every scheme.
    pub const ALL: [SignatureScheme; 5] = [
        SignatureScheme::EcdsaP256Sha256,
        SignatureScheme::RsaPssSha256,
        SignatureScheme::RsaPkcs1v15Sha256,
        SignatureScheme::EcdsaBrainpoolP256r1Sha256,
        SignatureScheme::EcdsaBrainpoolP384r1Sha384,
    ];

    /// The hash the scheme signs with (and that signed attributes' messageDigest uses).
    pub fn hash(self) -> HashAlgorithm {
        match self {
            SignatureScheme::EcdsaBrainpoolP384r1Sha384 => HashAlgorithm::Sha384,
            _ => HashAlgorithm::Sha256,
        }
    }

    /// A short name ("RSA-2048 PKCS#1 v1.5", "ECDSA brainpoolP384r1").
    pub fn name(self) -> &'static str {
        match self {
            SignatureScheme::EcdsaP256Sha256 => "ECDSA P-256",
            SignatureScheme::RsaPssSha256 => "RSA-2048 PSS",
            SignatureScheme::RsaPkcs1v15Sha256 => "RSA-2048 PKCS#1 v1.5",
            SignatureScheme::EcdsaBrainpoolP256r1Sha256 => "ECDSA brainpoolP256r1 (explicit)",
            SignatureScheme::EcdsaBrainpoolP384r1Sha384 => "ECDSA brainpoolP384r1 (explicit)",
        }
    }
}

/// What went wrong while building the test PKI or signing with it.
#[derive(Debug, Error)]
pub enum PkiBuildError {
    /// The country code is not two upper-case letters.
    #[error("test PKI: country code {0:?} is not ISO 3166 alpha-2 (two letters A-Z)")]
    Country(String),
    /// RSA key generation failed.
    #[error("test PKI: key generation failed: {0}")]
    KeyGeneration(String),
    /// The signature operation failed.
    #[error("test PKI: signing failed: {0}")]
    Signing(String),
    /// A data group number outside 1..=16, or listed twice.
    #[error("test PKI: data group number {0} is out of range or listed twice")]
    DataGroup(u8),
    /// A data group hash whose length does not match the hash algorithm.
    #[error("test PKI: hash of DG{dg} has {len} bytes, {algorithm} gives {expected}")]
    HashLength {
        /// The data group.
        dg: u8,
        /// The length given.
        len: usize,
        /// The declared algorithm.
        algorithm: HashAlgorithm,
        /// The algorithm's output length.
        expected: usize,
    },
}

// Object identifiers of the certificates, CRLs and CMS structures written here.
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const OID_MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const OID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const OID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const OID_LDS_SECURITY_OBJECT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.1");
const OID_COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
const OID_ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const OID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const OID_SKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const OID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const OID_AKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
const OID_ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const OID_SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const OID_PRIME_FIELD: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.1.1");

/// A deterministic byte generator (SHA-256 in counter mode over a seed and a label), used where the
/// signature scheme needs randomness after generation (RSA-PSS salt and blinding).
struct HashDrbg {
    seed: Vec<u8>,
    counter: u64,
    buffer: Vec<u8>,
}

impl HashDrbg {
    fn new(seed: &[u8], label: &[u8]) -> Self {
        let mut s = seed.to_vec();
        s.extend_from_slice(&Sha256::digest(label));
        HashDrbg {
            seed: s,
            counter: 0,
            buffer: Vec::new(),
        }
    }
}

impl TryRng for HashDrbg {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for byte in dst.iter_mut() {
            if self.buffer.is_empty() {
                let mut h = Sha256::new();
                h.update(&self.seed);
                h.update(self.counter.to_be_bytes());
                self.counter = self.counter.wrapping_add(1);
                self.buffer = h.finalize().to_vec();
            }
            *byte = self.buffer.pop().unwrap_or(0);
        }
        Ok(())
    }
}

impl TryCryptoRng for HashDrbg {}

#[derive(Clone)]
enum KeyPair {
    Ec(p256::ecdsa::SigningKey),
    Bp256(ecdsa::SigningKey<bp256::BrainpoolP256r1>),
    Bp384(ecdsa::SigningKey<bp384::BrainpoolP384r1>),
    Rsa {
        key: Box<rsa::PrivateKey>,
        pss: bool,
    },
}

/// A key on a brainpool curve from `rng` (rejection sampling of the scalar).
macro_rules! brainpool_key {
    ($curve:ty, $len:expr, $rng:expr) => {{
        let mut bytes = [0u8; $len];
        loop {
            $rng.fill_bytes(&mut bytes);
            if let Ok(k) = ecdsa::SigningKey::<$curve>::from_slice(&bytes) {
                break k;
            }
        }
    }};
}

/// ECParameters with the explicit domain parameters of `curve` (X9.62: prime field, a, b, uncompressed
/// generator, order, cofactor 1), as German and Austrian certificates carry them.
fn explicit_parameters(curve: icao9303::crypto::ec::EcCurve) -> Vec<u8> {
    der::sequence(&[
        &der::integer_unsigned(&[1]),
        &der::sequence(&[
            &der::oid(&OID_PRIME_FIELD),
            &der::integer_unsigned(&curve.prime()),
        ]),
        &der::sequence(&[
            &der::octet_string(&curve.a()),
            &der::octet_string(&curve.b()),
        ]),
        &der::octet_string(curve.generator().as_bytes()),
        &der::integer_unsigned(&curve.order()),
        &der::integer_unsigned(&[1]),
    ])
}

impl KeyPair {
    fn generate(scheme: SignatureScheme, rng: &mut impl CryptoRng) -> Result<Self, PkiBuildError> {
        fn rsa(rng: &mut impl CryptoRng, pss: bool) -> Result<KeyPair, PkiBuildError> {
            rsa::PrivateKey::new(rng, 2048)
                .map(|k| KeyPair::Rsa {
                    key: Box::new(k),
                    pss,
                })
                .map_err(|e| PkiBuildError::KeyGeneration(e.to_string()))
        }
        match scheme {
            SignatureScheme::EcdsaP256Sha256 => Ok(KeyPair::Ec(
                <p256::ecdsa::SigningKey as p256::elliptic_curve::Generate>::generate_from_rng(rng),
            )),
            SignatureScheme::RsaPssSha256 => rsa(rng, true),
            SignatureScheme::RsaPkcs1v15Sha256 => rsa(rng, false),
            SignatureScheme::EcdsaBrainpoolP256r1Sha256 => Ok(KeyPair::Bp256(brainpool_key!(
                bp256::BrainpoolP256r1,
                32,
                rng
            ))),
            SignatureScheme::EcdsaBrainpoolP384r1Sha384 => Ok(KeyPair::Bp384(brainpool_key!(
                bp384::BrainpoolP384r1,
                48,
                rng
            ))),
        }
    }

    /// SubjectPublicKeyInfo DER.
    fn spki(&self) -> Vec<u8> {
        use icao9303::crypto::ec::EcCurve;
        let ec = |params: &[u8], point: &[u8]| {
            der::sequence(&[
                &der::sequence(&[&der::oid(&OID_EC_PUBLIC_KEY), params]),
                &der::bit_string(point),
            ])
        };
        match self {
            KeyPair::Ec(k) => ec(
                &der::oid(&OID_PRIME256V1),
                k.verifying_key().to_sec1_point(false).as_bytes(),
            ),
            KeyPair::Bp256(k) => ec(
                &explicit_parameters(EcCurve::BrainpoolP256r1),
                k.verifying_key().to_sec1_point(false).as_bytes(),
            ),
            KeyPair::Bp384(k) => ec(
                &explicit_parameters(EcCurve::BrainpoolP384r1),
                k.verifying_key().to_sec1_point(false).as_bytes(),
            ),
            KeyPair::Rsa { key, .. } => {
                let rsa_key = der::sequence(&[
                    &der::integer_unsigned(&key.n_bytes()),
                    &der::integer_unsigned(&key.e_bytes()),
                ]);
                der::sequence(&[
                    &der::sequence(&[&der::oid(&OID_RSA_ENCRYPTION), &der::null()]),
                    &der::bit_string(&rsa_key),
                ])
            }
        }
    }

    /// The hash this key signs with.
    fn hash(&self) -> HashAlgorithm {
        match self {
            KeyPair::Bp384(_) => HashAlgorithm::Sha384,
            _ => HashAlgorithm::Sha256,
        }
    }

    /// The AlgorithmIdentifier of signatures made with this key.
    fn signature_algorithm(&self) -> Vec<u8> {
        match self {
            KeyPair::Ec(_) | KeyPair::Bp256(_) => der::sequence(&[&der::oid(&OID_ECDSA_SHA256)]),
            KeyPair::Bp384(_) => der::sequence(&[&der::oid(&OID_ECDSA_SHA384)]),
            KeyPair::Rsa { pss: false, .. } => {
                der::sequence(&[&der::oid(&OID_SHA256_WITH_RSA), &der::null()])
            }
            KeyPair::Rsa { pss: true, .. } => {
                let sha256 = der::sequence(&[&der::oid(&HashAlgorithm::Sha256.oid())]);
                let params = der::sequence(&[
                    &der::tlv(tag::context(0), &sha256),
                    &der::tlv(
                        tag::context(1),
                        &der::sequence(&[&der::oid(&OID_MGF1), &sha256]),
                    ),
                    &der::tlv(tag::context(2), &der::integer_unsigned(&[32])),
                ]);
                der::sequence(&[&der::oid(&OID_RSASSA_PSS), &params])
            }
        }
    }

    /// Signs `message` (hashing it with [`KeyPair::hash`]).
    fn sign(&self, message: &[u8], seed: &[u8]) -> Result<Vec<u8>, PkiBuildError> {
        let failed = |e: &dyn std::fmt::Display| PkiBuildError::Signing(e.to_string());
        match self {
            KeyPair::Ec(k) => {
                let sig: p256::ecdsa::Signature = k.try_sign(message).map_err(|e| failed(&e))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            KeyPair::Bp256(k) => {
                let sig: ecdsa::Signature<bp256::BrainpoolP256r1> =
                    k.try_sign(message).map_err(|e| failed(&e))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            KeyPair::Bp384(k) => {
                let sig: ecdsa::Signature<bp384::BrainpoolP384r1> =
                    k.try_sign(message).map_err(|e| failed(&e))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            KeyPair::Rsa { key, pss: true } => {
                let mut drbg = HashDrbg::new(seed, message);
                let digest = Sha256::digest(message);
                key.sign_with_rng(
                    &mut drbg,
                    rsa::pss::Pss::<Sha256>::new_with_salt(32),
                    &digest,
                )
                .map_err(|e| failed(&e))
            }
            KeyPair::Rsa { key, pss: false } => {
                // DigestInfo prefix of SHA-256 (RFC 8017 §9.2 note 1).
                const PREFIX: [u8; 19] = [
                    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
                    0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
                ];
                let padding = rsa::Pkcs1v15Sign {
                    hash_len: Some(32),
                    prefix: PREFIX.to_vec().into_boxed_slice(),
                };
                key.sign(padding, &Sha256::digest(message))
                    .map_err(|e| failed(&e))
            }
        }
    }
}

/// The signature algorithm of a CMS signature (EF.SOD, EF.CardSecurity): the key's own, or another one the
/// same key can make (the passive-authentication matrix of TR-03105-5.1 §6.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureAlgorithm {
    /// The key's default (its [`SignatureScheme`]'s).
    #[default]
    Default,
    /// RSASSA-PKCS1-v1_5 with `hash`, named by sha*WithRSAEncryption, or by rsaEncryption (the hash then
    /// only in the digestAlgorithm) when `rsa_encryption_oid`.
    RsaPkcs1v15 {
        /// The hash.
        hash: HashAlgorithm,
        /// Name the algorithm rsaEncryption (1.2.840.113549.1.1.1).
        rsa_encryption_oid: bool,
    },
    /// RSASSA-PSS with `hash`, MGF1 with `hash` and a salt as long as the hash.
    RsaPss {
        /// The hash.
        hash: HashAlgorithm,
    },
    /// ECDSA with `hash`: X9.62's ecdsa-with-SHA* and a DER signature, or, when `plain`, BSI
    /// TR-03111's ecdsa-plain-SHA* and a plain r‖s signature.
    Ecdsa {
        /// The hash.
        hash: HashAlgorithm,
        /// BSI OID and plain signature.
        plain: bool,
    },
}

impl SignatureAlgorithm {
    /// A short name ("RSASSA-PSS with SHA-224").
    pub fn name(self) -> String {
        match self {
            SignatureAlgorithm::Default => "the key's default".into(),
            SignatureAlgorithm::RsaPkcs1v15 {
                hash,
                rsa_encryption_oid: false,
            } => format!("RSASSA-PKCS1-v1_5 with {}", hash.name()),
            SignatureAlgorithm::RsaPkcs1v15 {
                hash,
                rsa_encryption_oid: true,
            } => format!("RSASSA-PKCS1-v1_5 with {} named rsaEncryption", hash.name()),
            SignatureAlgorithm::RsaPss { hash } => format!("RSASSA-PSS with {}", hash.name()),
            SignatureAlgorithm::Ecdsa { hash, plain: false } => {
                format!("ECDSA with {} (ANSI X9.62 OID)", hash.name())
            }
            SignatureAlgorithm::Ecdsa { hash, plain: true } => {
                format!("ECDSA with {} (BSI OID, plain r‖s)", hash.name())
            }
        }
    }
}

/// How a CMS SignedData (EF.SOD, EF.CardSecurity) is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedDataForm {
    /// The signature algorithm (its hash also digests the content and the signed attributes).
    pub algorithm: SignatureAlgorithm,
    /// The SignerInfo's sid and version.
    pub signer_info: SignerInfoForm,
    /// Put the Document Signer certificate in `certificates` (an inspection system must find it
    /// elsewhere otherwise).
    pub include_certificate: bool,
}

impl Default for SignedDataForm {
    /// The key's own algorithm, issuerAndSerialNumber version 1, the certificate included.
    fn default() -> Self {
        SignedDataForm {
            algorithm: SignatureAlgorithm::Default,
            signer_info: SignerInfoForm::default(),
            include_certificate: true,
        }
    }
}

/// The DER DigestInfo of `digest` under `hash` (EMSA-PKCS1-v1_5, RFC 8017 §9.2).
fn digest_info(hash: HashAlgorithm, digest: &[u8]) -> Vec<u8> {
    der::sequence(&[
        &der::sequence(&[&der::oid(&hash.oid()), &der::null()]),
        &der::octet_string(digest),
    ])
}

/// MGF1 (RFC 8017 B.2.1) with `hash`.
fn mgf1(hash: HashAlgorithm, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + hash.output_len());
    let mut counter = 0u32;
    while out.len() < len {
        let mut input = seed.to_vec();
        input.extend_from_slice(&counter.to_be_bytes());
        out.extend(hash.digest(&input));
        counter += 1;
    }
    out.truncate(len);
    out
}

/// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of `message` for a modulus of `mod_bits` bits, salt `salt`.
fn emsa_pss(hash: HashAlgorithm, message: &[u8], salt: &[u8], mod_bits: usize) -> Vec<u8> {
    let em_bits = mod_bits - 1;
    let em_len = em_bits.div_ceil(8);
    let h_len = hash.output_len();
    let mut m_prime = vec![0u8; 8];
    m_prime.extend(hash.digest(message));
    m_prime.extend_from_slice(salt);
    let h = hash.digest(&m_prime);
    let db_len = em_len - h_len - 1;
    let mut db = vec![0u8; db_len - salt.len() - 1];
    db.push(0x01);
    db.extend_from_slice(salt);
    let mask = mgf1(hash, &h, db_len);
    let mut em: Vec<u8> = db.iter().zip(&mask).map(|(a, b)| a ^ b).collect();
    if let Some(first) = em.first_mut() {
        *first &= 0xFF >> (8 * em_len - em_bits);
    }
    em.extend(h);
    em.push(0xBC);
    em
}

/// The RSA private-key operation on the encoded message `em`, padded to the modulus length.
fn rsa_private(key: &rsa::PrivateKey, em: &[u8]) -> Result<Vec<u8>, PkiBuildError> {
    let n = key.n().as_ref();
    let len = n.bit_width().div_ceil(8) as usize;
    let m = rsa::BoxedUint::from_be_slice(em, n.bits_precision())
        .map_err(|e| PkiBuildError::Signing(format!("{e:?}")))?;
    let s = rsa::hazmat::rsa_decrypt_and_check(key, None::<&mut HashDrbg>, &m)
        .map_err(|e| PkiBuildError::Signing(e.to_string()))?;
    let bytes = s.to_be_bytes();
    let mut out = vec![0u8; len.saturating_sub(bytes.len())];
    out.extend_from_slice(&bytes[bytes.len().saturating_sub(len)..]);
    Ok(out)
}

/// id-ecdsa-with-SHA* (X9.62) and ecdsa-plain-SHA* (BSI TR-03111) OIDs of `hash`.
fn ecdsa_oid(hash: HashAlgorithm, plain: bool) -> ObjectIdentifier {
    let (ansi, bsi) = match hash {
        HashAlgorithm::Sha1 => ("1.2.840.10045.4.1", "0.4.0.127.0.7.1.1.4.1.1"),
        HashAlgorithm::Sha224 => ("1.2.840.10045.4.3.1", "0.4.0.127.0.7.1.1.4.1.2"),
        HashAlgorithm::Sha256 => ("1.2.840.10045.4.3.2", "0.4.0.127.0.7.1.1.4.1.3"),
        HashAlgorithm::Sha384 => ("1.2.840.10045.4.3.3", "0.4.0.127.0.7.1.1.4.1.4"),
        HashAlgorithm::Sha512 => ("1.2.840.10045.4.3.4", "0.4.0.127.0.7.1.1.4.1.5"),
    };
    ObjectIdentifier::new_unwrap(if plain { bsi } else { ansi })
}

/// sha*WithRSAEncryption of `hash`.
fn rsa_pkcs1_oid(hash: HashAlgorithm) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(match hash {
        HashAlgorithm::Sha1 => "1.2.840.113549.1.1.5",
        HashAlgorithm::Sha224 => "1.2.840.113549.1.1.14",
        HashAlgorithm::Sha256 => "1.2.840.113549.1.1.11",
        HashAlgorithm::Sha384 => "1.2.840.113549.1.1.12",
        HashAlgorithm::Sha512 => "1.2.840.113549.1.1.13",
    })
}

impl KeyPair {
    /// Signs `message` with `algorithm`: the signature, its AlgorithmIdentifier (DER) and the hash it
    /// used. An algorithm the key cannot make (ECDSA with an RSA key) is an error.
    fn sign_as(
        &self,
        message: &[u8],
        algorithm: SignatureAlgorithm,
        seed: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>, HashAlgorithm), PkiBuildError> {
        use ecdsa::signature::hazmat::PrehashSigner;
        let failed = |e: &dyn std::fmt::Display| PkiBuildError::Signing(e.to_string());
        match (algorithm, self) {
            (SignatureAlgorithm::Default, _) => Ok((
                self.sign(message, seed)?,
                self.signature_algorithm(),
                self.hash(),
            )),
            (
                SignatureAlgorithm::RsaPkcs1v15 {
                    hash,
                    rsa_encryption_oid,
                },
                KeyPair::Rsa { key, .. },
            ) => {
                let len = key.n().as_ref().bit_width().div_ceil(8) as usize;
                let t = digest_info(hash, &hash.digest(message));
                let mut em = vec![0x00, 0x01];
                em.resize(len.saturating_sub(t.len() + 1), 0xFF);
                em.push(0x00);
                em.extend_from_slice(&t);
                let oid = if rsa_encryption_oid {
                    OID_RSA_ENCRYPTION
                } else {
                    rsa_pkcs1_oid(hash)
                };
                Ok((
                    rsa_private(key, &em)?,
                    der::sequence(&[&der::oid(&oid), &der::null()]),
                    hash,
                ))
            }
            (SignatureAlgorithm::RsaPss { hash }, KeyPair::Rsa { key, .. }) => {
                let mut salt = vec![0u8; hash.output_len()];
                HashDrbg::new(seed, message).fill_bytes(&mut salt);
                let em = emsa_pss(hash, message, &salt, key.n().as_ref().bit_width() as usize);
                let hash_id = der::sequence(&[&der::oid(&hash.oid())]);
                let params = der::sequence(&[
                    &der::tlv(tag::context(0), &hash_id),
                    &der::tlv(
                        tag::context(1),
                        &der::sequence(&[&der::oid(&OID_MGF1), &hash_id]),
                    ),
                    &der::tlv(
                        tag::context(2),
                        &der::integer_unsigned(&[hash.output_len() as u8]),
                    ),
                ]);
                Ok((
                    rsa_private(key, &em)?,
                    der::sequence(&[&der::oid(&OID_RSASSA_PSS), &params]),
                    hash,
                ))
            }
            (SignatureAlgorithm::Ecdsa { hash, plain }, _) => {
                let digest = hash.digest(message);
                let (der_sig, raw) = match self {
                    KeyPair::Ec(k) => {
                        let sig: p256::ecdsa::Signature =
                            k.sign_prehash(&digest).map_err(|e| failed(&e))?;
                        (sig.to_der().as_bytes().to_vec(), sig.to_bytes().to_vec())
                    }
                    KeyPair::Bp256(k) => {
                        let sig: ecdsa::Signature<bp256::BrainpoolP256r1> =
                            k.sign_prehash(&digest).map_err(|e| failed(&e))?;
                        (sig.to_der().as_bytes().to_vec(), sig.to_bytes().to_vec())
                    }
                    KeyPair::Bp384(k) => {
                        let sig: ecdsa::Signature<bp384::BrainpoolP384r1> =
                            k.sign_prehash(&digest).map_err(|e| failed(&e))?;
                        (sig.to_der().as_bytes().to_vec(), sig.to_bytes().to_vec())
                    }
                    KeyPair::Rsa { .. } => {
                        return Err(PkiBuildError::Signing("ECDSA with an RSA key".into()));
                    }
                };
                Ok((
                    if plain { raw } else { der_sig },
                    der::sequence(&[&der::oid(&ecdsa_oid(hash, plain))]),
                    hash,
                ))
            }
            (algorithm, _) => Err(PkiBuildError::Signing(format!(
                "{} with an EC key",
                algorithm.name()
            ))),
        }
    }
}

/// An LDSSecurityObject version 0 (ICAO 9303-10 §4.6.2.2): `SEQUENCE { version 0, hashAlgorithm,
/// dataGroupHashValues SEQUENCE OF { dataGroupNumber, dataGroupHashValue } }`, the entries as given (no
/// check: conformance cases list numbers and hashes a verifier must refuse).
pub fn lds_security_object(hash: HashAlgorithm, entries: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let entries: Vec<Vec<u8>> = entries
        .iter()
        .map(|(dg, value)| {
            der::sequence(&[&der::integer_unsigned(&[*dg]), &der::octet_string(value)])
        })
        .collect();
    der::sequence(&[
        &der::integer_unsigned(&[0]),
        &der::sequence(&[&der::oid(&hash.oid())]),
        &der::sequence(&entries.iter().map(Vec::as_slice).collect::<Vec<_>>()),
    ])
}

/// The subject key identifier used in the certificates: SHA-1-sized prefix of SHA-256 over the key bits.
fn key_identifier(spki: &[u8]) -> Vec<u8> {
    Sha256::digest(spki)
        .get(..20)
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

/// `C=country, O=organization, CN=common_name` (no `C=` when `country` is `None`).
fn name(country: Option<&str>, organization: &str, common_name: &str) -> Vec<u8> {
    let rdn = |o: &ObjectIdentifier, string_tag, v: &str| {
        der::set(&[&der::sequence(&[
            &der::oid(o),
            &der::tlv(string_tag, v.as_bytes()),
        ])])
    };
    let mut rdns = Vec::new();
    if let Some(c) = country {
        rdns.push(rdn(&OID_COUNTRY, tag::PRINTABLE_STRING, c));
    }
    rdns.push(rdn(&OID_ORGANIZATION, tag::UTF8_STRING, organization));
    rdns.push(rdn(&OID_COMMON_NAME, tag::UTF8_STRING, common_name));
    der::sequence(&rdns.iter().map(Vec::as_slice).collect::<Vec<_>>())
}

fn extension(id: &ObjectIdentifier, critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        der::sequence(&[
            &der::oid(id),
            &der::boolean(true),
            &der::octet_string(value),
        ])
    } else {
        der::sequence(&[&der::oid(id), &der::octet_string(value)])
    }
}

/// id-ce-extKeyUsage.
const OID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");

/// Departures from the ICAO 9303-12 certificate profile, to mint certificates a verifier must refuse
/// (or, for a master list signer's key purpose, must require). The default follows the profile: a CSCA
/// with keyUsage keyCertSign | cRLSign and basicConstraints cA TRUE, a Document Signer with keyUsage
/// digitalSignature and no basicConstraints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deviations {
    /// The keyUsage bits to carry instead of the profile's (bit 0 digitalSignature … bit 6 cRLSign, RFC
    /// 5280 numbering); `Some(0)` leaves the extension out.
    pub key_usage: Option<u16>,
    /// The basicConstraints cA flag to carry instead of the profile's (`Some(false)` on a CSCA, `Some(true)`
    /// on a Document Signer).
    pub ca: Option<bool>,
    /// An extKeyUsage extension with these key purposes (a master list signer's 2.23.136.1.1.3).
    pub extended_key_usage: Option<Vec<ObjectIdentifier>>,
    /// An extension marked critical that no verifier knows, with this OID.
    pub unknown_critical: Option<ObjectIdentifier>,
    /// The validity period (`YYMMDDhhmmssZ`, UTCTime) instead of the profile's.
    pub validity: Option<(&'static str, &'static str)>,
    /// The subject name carries no countryName (ICAO 9303-12 §7.1.1.1 requires one); for a CSCA, the
    /// issuer names of what it signs neither.
    pub no_country: bool,
    /// The issuer name's common name, instead of the issuing CSCA's (a Document Signer whose issuer does
    /// not match its CSCA's subject).
    pub issuer_common_name: Option<&'static str>,
    /// The validity as GeneralizedTime (`YYYYMMDDhhmmssZ`, the century taken from UTCTime's rule) although
    /// both dates are before 2050, where RFC 5280 §4.1.2.5 requires UTCTime.
    pub generalized_time: bool,
}

/// How a SignerInfo names its signer, and the version it carries (RFC 5652 §5.3 pairs version 1 with
/// issuerAndSerialNumber and 3 with subjectKeyIdentifier; other pairings are for the tests of verifiers
/// that must refuse them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignerInfoForm {
    /// The sid: issuerAndSerialNumber (`false`) or subjectKeyIdentifier (`true`).
    pub subject_key_identifier: bool,
    /// The SignerInfo version.
    pub version: u8,
}

impl Default for SignerInfoForm {
    /// issuerAndSerialNumber, version 1.
    fn default() -> Self {
        SignerInfoForm {
            subject_key_identifier: false,
            version: 1,
        }
    }
}

/// keyUsage bits (RFC 5280 numbering: bit 0 is the most significant bit of the first octet) as a DER
/// BIT STRING.
fn key_usage_bit_string(bits: u16) -> Vec<u8> {
    let mut octets = [0u8; 2];
    for n in 0..16 {
        if bits & (1 << n) != 0
            && let Some(o) = octets.get_mut(n / 8)
        {
            *o |= 0x80 >> (n % 8);
        }
    }
    let len = if octets[1] == 0 { 1 } else { 2 };
    let last = octets[len - 1];
    let unused = if last == 0 {
        0
    } else {
        last.trailing_zeros() as u8
    };
    der::bit_string_with_unused(&octets[..len], unused)
}

struct CertificateSpec<'a> {
    serial: &'a [u8],
    issuer: &'a [u8],
    subject: &'a [u8],
    not_before: &'a str,
    not_after: &'a str,
    subject_spki: &'a [u8],
    issuer_key_id: &'a [u8],
    ca: bool,
    deviations: &'a Deviations,
}

fn issue(
    spec: &CertificateSpec<'_>,
    issuer_key: &KeyPair,
    seed: &[u8],
) -> Result<Vec<u8>, PkiBuildError> {
    let sig_alg = issuer_key.signature_algorithm();
    let dev = spec.deviations;
    let (not_before, not_after) = dev.validity.unwrap_or((spec.not_before, spec.not_after));
    let time = |t: &str| {
        if dev.generalized_time {
            let century = if t.get(..2).and_then(|y| y.parse::<u8>().ok()) < Some(50) {
                "20"
            } else {
                "19"
            };
            der::tlv(tag::GENERALIZED_TIME, format!("{century}{t}").as_bytes())
        } else {
            der::tlv(tag::UTC_TIME, t.as_bytes())
        }
    };
    let validity = der::sequence(&[&time(not_before), &time(not_after)]);
    let ski = key_identifier(spec.subject_spki);
    // keyCertSign | cRLSign (bits 5, 6) for a CSCA; digitalSignature (bit 0) otherwise.
    let key_usage = dev
        .key_usage
        .unwrap_or(if spec.ca { (1 << 5) | (1 << 6) } else { 1 });
    let mut exts = vec![
        extension(
            &OID_AKI,
            false,
            &der::sequence(&[&der::tlv(tag::context_primitive(0), spec.issuer_key_id)]),
        ),
        extension(&OID_SKI, false, &der::octet_string(&ski)),
    ];
    if key_usage != 0 {
        exts.push(extension(
            &OID_KEY_USAGE,
            true,
            &key_usage_bit_string(key_usage),
        ));
    }
    match dev.ca.or(spec.ca.then_some(true)) {
        // cA TRUE, pathLenConstraint 0.
        Some(true) => exts.push(extension(
            &OID_BASIC_CONSTRAINTS,
            true,
            &der::sequence(&[&der::boolean(true), &der::integer_unsigned(&[0])]),
        )),
        Some(false) => exts.push(extension(&OID_BASIC_CONSTRAINTS, true, &der::sequence(&[]))),
        None => {}
    }
    if let Some(purposes) = &dev.extended_key_usage {
        let oids: Vec<Vec<u8>> = purposes.iter().map(der::oid).collect();
        exts.push(extension(
            &OID_EXT_KEY_USAGE,
            true,
            &der::sequence(&oids.iter().map(Vec::as_slice).collect::<Vec<_>>()),
        ));
    }
    if let Some(oid) = &dev.unknown_critical {
        exts.push(extension(oid, true, &der::sequence(&[])));
    }
    let extensions = der::tlv(
        tag::context(3),
        &der::sequence(&exts.iter().map(Vec::as_slice).collect::<Vec<_>>()),
    );
    let tbs = der::sequence(&[
        &der::tlv(tag::context(0), &der::integer_unsigned(&[2])),
        &der::integer_unsigned(spec.serial),
        &sig_alg,
        spec.issuer,
        &validity,
        spec.subject,
        spec.subject_spki,
        &extensions,
    ]);
    let signature = issuer_key.sign(&tbs, seed)?;
    Ok(der::sequence(&[
        &tbs,
        &sig_alg,
        &der::bit_string(&signature),
    ]))
}

/// A generated CSCA and Document Signer for one test country.
pub struct TestPki {
    country: String,
    organization: String,
    scheme: SignatureScheme,
    csca_key: KeyPair,
    dsc_key: KeyPair,
    csca_der: Vec<u8>,
    dsc_der: Vec<u8>,
    csca_name: Vec<u8>,
    /// The DSC's issuer name (the CSCA's subject, unless a deviation changed it): the SignerInfo's sid.
    dsc_issuer: Vec<u8>,
    dsc_serial: Vec<u8>,
    seed: Vec<u8>,
}

impl std::fmt::Debug for TestPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Private keys are left out.
        f.debug_struct("TestPki")
            .field("country", &self.country)
            .field("scheme", &self.scheme)
            .finish()
    }
}

fn random_serial(rng: &mut impl CryptoRng) -> Vec<u8> {
    let mut serial = [0u8; 8];
    rng.fill_bytes(&mut serial);
    // Positive, full length.
    serial[0] = (serial[0] & 0x7F) | 0x40;
    serial.to_vec()
}

impl TestPki {
    /// Generates a CSCA (valid 2020-01-01..2040-01-01) and a DSC issued by it (2024-01-01..2035-01-01)
    /// for `country_alpha2`, the ISO 3166 alpha-2 code the certificates' `C=` carries ("GB", "UT"; the MRZ
    /// uses alpha-3, e.g. GBR, UTO). Deterministic for a given RNG state; no system time is read.
    pub fn generate(
        country_alpha2: &str,
        scheme: SignatureScheme,
        rng: &mut impl CryptoRng,
    ) -> Result<TestPki, PkiBuildError> {
        Self::generate_named(country_alpha2, "Test eMRTD PKI", "Test CSCA", scheme, rng)
    }

    /// As [`TestPki::generate`], with the CSCA named `C=country, O=organization, CN=csca_common_name` and
    /// the DSC `C=country, O=organization, CN=Test Document Signer`: a forger's PKI has its own names.
    pub fn generate_named(
        country_alpha2: &str,
        organization: &str,
        csca_common_name: &str,
        scheme: SignatureScheme,
        rng: &mut impl CryptoRng,
    ) -> Result<TestPki, PkiBuildError> {
        let none = Deviations::default();
        Self::generate_deviating(
            country_alpha2,
            organization,
            csca_common_name,
            scheme,
            (&none, &none),
            rng,
        )
    }

    /// As [`TestPki::generate_named`], with the CSCA and the Document Signer departing from the ICAO
    /// 9303-12 profile as `deviations` (CSCA, DSC) say: the crafted certificates of the PKI policy tests.
    pub fn generate_deviating(
        country_alpha2: &str,
        organization: &str,
        csca_common_name: &str,
        scheme: SignatureScheme,
        deviations: (&Deviations, &Deviations),
        rng: &mut impl CryptoRng,
    ) -> Result<TestPki, PkiBuildError> {
        if country_alpha2.len() != 2 || !country_alpha2.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(PkiBuildError::Country(country_alpha2.to_string()));
        }
        // The order of the draws is fixed: recorded traces hold certificates made from them.
        let mut seed = vec![0u8; 32];
        rng.fill_bytes(&mut seed);
        let csca_key = KeyPair::generate(scheme, rng)?;
        let dsc_key = KeyPair::generate(scheme, rng)?;
        let csca_serial = random_serial(rng);
        let dsc_serial = random_serial(rng);

        let csca_country = (!deviations.0.no_country).then_some(country_alpha2);
        let csca_name = name(csca_country, organization, csca_common_name);
        let csca_spki = csca_key.spki();
        let csca_key_id = key_identifier(&csca_spki);
        let csca_der = issue(
            &CertificateSpec {
                serial: &csca_serial,
                issuer: &csca_name,
                subject: &csca_name,
                not_before: "200101000000Z",
                not_after: "400101000000Z",
                subject_spki: &csca_spki,
                issuer_key_id: &csca_key_id,
                ca: true,
                deviations: deviations.0,
            },
            &csca_key,
            &seed,
        )?;
        let csca_only = TestPki {
            country: country_alpha2.to_string(),
            organization: organization.to_string(),
            scheme,
            dsc_key: csca_key.clone(),
            csca_key,
            csca_der,
            dsc_der: Vec::new(),
            dsc_issuer: csca_name.clone(),
            csca_name,
            dsc_serial: Vec::new(),
            seed,
        };
        csca_only.with_document_signer(dsc_key, dsc_serial, deviations.1)
    }

    /// Another Document Signer (fresh key and serial number, valid 2024-01-01..2035-01-01) issued by this
    /// PKI's CSCA: the returned PKI signs with it.
    pub fn new_document_signer(&self, rng: &mut impl CryptoRng) -> Result<TestPki, PkiBuildError> {
        let dsc_key = KeyPair::generate(self.scheme, rng)?;
        let dsc_serial = random_serial(rng);
        self.with_document_signer(dsc_key, dsc_serial, &Deviations::default())
    }

    /// This PKI's CSCA issuing a DSC for `dsc_key` with `dsc_serial`, departing from the profile as
    /// `deviations` say.
    fn with_document_signer(
        &self,
        dsc_key: KeyPair,
        dsc_serial: Vec<u8>,
        deviations: &Deviations,
    ) -> Result<TestPki, PkiBuildError> {
        let dsc_country = (!deviations.no_country).then_some(self.country.as_str());
        let dsc_name = name(dsc_country, &self.organization, "Test Document Signer");
        let issuer = match deviations.issuer_common_name {
            Some(cn) => name(Some(self.country.as_str()), &self.organization, cn),
            None => self.csca_name.clone(),
        };
        let dsc_der = issue(
            &CertificateSpec {
                serial: &dsc_serial,
                issuer: &issuer,
                subject: &dsc_name,
                not_before: "240101000000Z",
                not_after: "350101000000Z",
                subject_spki: &dsc_key.spki(),
                issuer_key_id: &key_identifier(&self.csca_key.spki()),
                ca: false,
                deviations,
            },
            &self.csca_key,
            &self.seed,
        )?;
        Ok(TestPki {
            country: self.country.clone(),
            organization: self.organization.clone(),
            scheme: self.scheme,
            csca_key: self.csca_key.clone(),
            dsc_key,
            csca_der: self.csca_der.clone(),
            dsc_der,
            csca_name: self.csca_name.clone(),
            dsc_issuer: issuer,
            dsc_serial,
            seed: self.seed.clone(),
        })
    }

    /// The scheme the keys were generated for.
    pub fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    /// The CSCA certificate (self-signed), DER: the trust anchor a reader test loads.
    pub fn csca_der(&self) -> Vec<u8> {
        self.csca_der.clone()
    }

    /// The Document Signer certificate, DER.
    pub fn dsc_der(&self) -> Vec<u8> {
        self.dsc_der.clone()
    }

    /// The DSC's serial number (unsigned big-endian magnitude).
    pub fn dsc_serial(&self) -> Vec<u8> {
        self.dsc_serial.clone()
    }

    /// A CRL (DER) issued by the CSCA on 2025-01-01 (next update 2040-01-01) revoking `revoked_serials`
    /// (unsigned big-endian magnitudes) as of 2025-01-01, for revocation tests.
    pub fn issue_crl(&self, revoked_serials: &[Vec<u8>]) -> Result<Vec<u8>, PkiBuildError> {
        self.issue_crl_at(revoked_serials, "250101000000Z", "400101000000Z")
    }

    /// A CRL (DER) issued by the CSCA (with its current key) at `this_update`, next update `next_update`
    /// (UTCTime `YYMMDDhhmmssZ`), revoking `revoked_serials` as of `this_update`.
    pub fn issue_crl_at(
        &self,
        revoked_serials: &[Vec<u8>],
        this_update: &str,
        next_update: &str,
    ) -> Result<Vec<u8>, PkiBuildError> {
        let entries: Vec<(Vec<u8>, Option<u8>)> =
            revoked_serials.iter().map(|s| (s.clone(), None)).collect();
        self.issue_crl_entries(&entries, this_update, next_update)
    }

    /// A CRL (DER) as [`TestPki::issue_crl_at`], each entry a serial number with an optional reasonCode
    /// (CRLReason, RFC 5280 §5.3.1: 8 is removeFromCRL).
    pub fn issue_crl_entries(
        &self,
        entries: &[(Vec<u8>, Option<u8>)],
        this_update: &str,
        next_update: &str,
    ) -> Result<Vec<u8>, PkiBuildError> {
        let sig_alg = self.csca_key.signature_algorithm();
        let entries: Vec<Vec<u8>> = entries
            .iter()
            .map(|(serial, reason)| {
                let mut parts = vec![
                    der::integer_unsigned(serial),
                    der::tlv(tag::UTC_TIME, this_update.as_bytes()),
                ];
                if let Some(code) = reason {
                    // id-ce-cRLReasons (2.5.29.21) with an ENUMERATED value.
                    let reason_code = der::sequence(&[
                        &der::oid(&ObjectIdentifier::new_unwrap("2.5.29.21")),
                        &der::octet_string(&der::tlv(0x0A, &[*code])),
                    ]);
                    parts.push(der::sequence(&[&reason_code]));
                }
                der::sequence(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>())
            })
            .collect();
        let mut parts: Vec<Vec<u8>> = vec![
            der::integer_unsigned(&[1]),
            sig_alg.clone(),
            self.csca_name.clone(),
            der::tlv(tag::UTC_TIME, this_update.as_bytes()),
            der::tlv(tag::UTC_TIME, next_update.as_bytes()),
        ];
        if !entries.is_empty() {
            parts.push(der::sequence(
                &entries.iter().map(Vec::as_slice).collect::<Vec<_>>(),
            ));
        }
        let tbs = der::sequence(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>());
        let signature = self.csca_key.sign(&tbs, &self.seed)?;
        Ok(der::sequence(&[
            &tbs,
            &sig_alg,
            &der::bit_string(&signature),
        ]))
    }

    /// A CSCA key rollover (ICAO 9303-12 §4.1.4.3): a new CSCA key under the same name, its self-signed
    /// certificate (valid 2025-01-01..2045-01-01), the link certificate that certifies the new key with the
    /// old one, and a new Document Signer issued with the new key (valid 2025-02-01..2036-01-01). Returns
    /// the PKI of the new key (its [`csca_der`](Self::csca_der) is the new self-signed certificate; it
    /// signs and issues CRLs with the new key) and the link certificate (DER).
    pub fn rollover(&self, rng: &mut impl CryptoRng) -> Result<(TestPki, Vec<u8>), PkiBuildError> {
        let new_key = KeyPair::generate(self.scheme, rng)?;
        let new_spki = new_key.spki();
        let new_key_id = key_identifier(&new_spki);
        let none = Deviations::default();
        let old_key_id = key_identifier(&self.csca_key.spki());
        let self_serial = random_serial(rng);
        let link_serial = random_serial(rng);
        let mut spec = CertificateSpec {
            serial: &self_serial,
            issuer: &self.csca_name,
            subject: &self.csca_name,
            not_before: "250101000000Z",
            not_after: "450101000000Z",
            subject_spki: &new_spki,
            issuer_key_id: &new_key_id,
            ca: true,
            deviations: &none,
        };
        let csca_der = issue(&spec, &new_key, &self.seed)?;
        spec.serial = &link_serial;
        spec.issuer_key_id = &old_key_id;
        let link_der = issue(&spec, &self.csca_key, &self.seed)?;
        let new_csca = TestPki {
            country: self.country.clone(),
            organization: self.organization.clone(),
            scheme: self.scheme,
            dsc_key: new_key.clone(),
            csca_key: new_key,
            csca_der,
            dsc_der: Vec::new(),
            csca_name: self.csca_name.clone(),
            dsc_issuer: self.csca_name.clone(),
            dsc_serial: Vec::new(),
            seed: self.seed.clone(),
        };
        // The new key issues its first Document Signer after the rollover.
        let dsc_key = KeyPair::generate(self.scheme, rng)?;
        let dsc_serial = random_serial(rng);
        let after_rollover = Deviations {
            validity: Some(("250201000000Z", "360101000000Z")),
            ..Deviations::default()
        };
        let pki = new_csca.with_document_signer(dsc_key, dsc_serial, &after_rollover)?;
        Ok((pki, link_der))
    }

    /// EF.SOD bytes: tag 77 { ContentInfo SignedData { LDSSecurityObject v0 } }, signed by the DSC (SHA-256),
    /// the DSC in `certificates`, signedAttrs with contentType and messageDigest.
    /// `data_group_hashes` are the hashes (with `hash`) of the raw data group files, numbers 1..=16.
    pub fn sign_sod(
        &self,
        hash: HashAlgorithm,
        data_group_hashes: &[(u8, Vec<u8>)],
    ) -> Result<Vec<u8>, PkiBuildError> {
        self.sign_sod_as(hash, data_group_hashes, SignerInfoForm::default())
    }

    /// [`TestPki::sign_sod`] with the SignerInfo in `form` (its sid and version).
    pub fn sign_sod_as(
        &self,
        hash: HashAlgorithm,
        data_group_hashes: &[(u8, Vec<u8>)],
        form: SignerInfoForm,
    ) -> Result<Vec<u8>, PkiBuildError> {
        let mut seen = [false; 17];
        let mut entries = Vec::with_capacity(data_group_hashes.len());
        for (dg, value) in data_group_hashes {
            let slot = seen
                .get_mut(usize::from(*dg))
                .filter(|_| (1..=16).contains(dg));
            match slot {
                Some(s) if !*s => *s = true,
                _ => return Err(PkiBuildError::DataGroup(*dg)),
            }
            if value.len() != hash.output_len() {
                return Err(PkiBuildError::HashLength {
                    dg: *dg,
                    len: value.len(),
                    algorithm: hash,
                    expected: hash.output_len(),
                });
            }
            entries.push((*dg, value.clone()));
        }
        let lds_security_object = lds_security_object(hash, &entries);
        let content_type = OID_LDS_SECURITY_OBJECT;
        let content_info = self.sign_content_as(content_type, &lds_security_object, form)?;
        Ok(der::tlv(SOD_TAG, &content_info))
    }

    /// CMS-signs `content` with the DSC: a ContentInfo (DER) holding SignedData with eContentType
    /// `content_type`, the DSC certificate, and signedAttrs contentType + messageDigest (SHA-256, or
    /// SHA-384 for brainpoolP384r1 keys).
    /// Used for EF.SOD and EF.CardSecurity.
    pub fn sign_content(
        &self,
        content_type: ObjectIdentifier,
        content: &[u8],
    ) -> Result<Vec<u8>, PkiBuildError> {
        self.sign_content_as(content_type, content, SignerInfoForm::default())
    }

    /// A CSCA master list (ICAO 9303-12 §9: eContentType id-icao-cscaMasterList, content
    /// `SEQUENCE { version 0, certList SET OF Certificate }`) of `certificates` (DER), signed by this PKI's
    /// Document Signer, which is no Master List Signer: a list no verifier can verify, as a forger's list
    /// would be.
    pub fn sign_master_list(&self, certificates: &[Vec<u8>]) -> Result<Vec<u8>, PkiBuildError> {
        let list = der::sequence(&[
            &der::integer_unsigned(&[0]),
            &der::set_of(&certificates.iter().map(Vec::as_slice).collect::<Vec<_>>()),
        ]);
        self.sign_content(ObjectIdentifier::new_unwrap("2.23.136.1.1.2"), &list)
    }

    /// [`TestPki::sign_content`] with the SignerInfo in `form` (its sid and version).
    pub fn sign_content_as(
        &self,
        content_type: ObjectIdentifier,
        content: &[u8],
        form: SignerInfoForm,
    ) -> Result<Vec<u8>, PkiBuildError> {
        self.sign_content_with(
            content_type,
            content,
            SignedDataForm {
                signer_info: form,
                ..SignedDataForm::default()
            },
        )
    }

    /// EF.SOD bytes over an LDSSecurityObject given as it is (DER or not: a malformed one is signed as
    /// well), made as `form` says.
    pub fn sign_sod_raw(
        &self,
        lds_security_object: &[u8],
        form: SignedDataForm,
    ) -> Result<Vec<u8>, PkiBuildError> {
        let content_info =
            self.sign_content_with(OID_LDS_SECURITY_OBJECT, lds_security_object, form)?;
        Ok(der::tlv(SOD_TAG, &content_info))
    }

    /// [`TestPki::sign_content`] made as `form` says: another signature algorithm of the same key, the
    /// SignerInfo's sid and version, the certificate left out.
    pub fn sign_content_with(
        &self,
        content_type: ObjectIdentifier,
        content: &[u8],
        form: SignedDataForm,
    ) -> Result<Vec<u8>, PkiBuildError> {
        let hash = match form.algorithm {
            SignatureAlgorithm::Default => self.dsc_key.hash(),
            SignatureAlgorithm::RsaPkcs1v15 { hash, .. }
            | SignatureAlgorithm::RsaPss { hash }
            | SignatureAlgorithm::Ecdsa { hash, .. } => hash,
        };
        let digest_algorithm = der::sequence(&[&der::oid(&hash.oid())]);
        let content_type_attr = der::sequence(&[
            &der::oid(&OID_CONTENT_TYPE),
            &der::set(&[&der::oid(&content_type)]),
        ]);
        let digest_attr = der::sequence(&[
            &der::oid(&OID_MESSAGE_DIGEST),
            &der::set(&[&der::octet_string(&hash.digest(content))]),
        ]);
        // signedAttrs is a DER SET OF sent as [0] IMPLICIT; the signature covers it under the SET tag.
        let attrs = der::set_of_value(&[&content_type_attr, &digest_attr]);
        let signed_attrs = der::tlv(tag::SET, &attrs);
        let (signature, signature_algorithm, _) =
            self.dsc_key
                .sign_as(&signed_attrs, form.algorithm, &self.seed)?;
        let form_sid = form.signer_info;
        let sid = if form_sid.subject_key_identifier {
            der::tlv(
                tag::context_primitive(0),
                &key_identifier(&self.dsc_key.spki()),
            )
        } else {
            der::sequence(&[&self.dsc_issuer, &der::integer_unsigned(&self.dsc_serial)])
        };
        let signer_info = der::sequence(&[
            &der::integer_unsigned(&[form_sid.version]),
            &sid,
            &digest_algorithm,
            &der::tlv(tag::context(0), &attrs),
            &signature_algorithm,
            &der::octet_string(&signature),
        ]);
        let certificates = if form.include_certificate {
            der::tlv(tag::context(0), &self.dsc_der)
        } else {
            Vec::new()
        };
        let signed_data = der::sequence(&[
            &der::integer_unsigned(&[3]),
            &der::set(&[&digest_algorithm]),
            &der::sequence(&[
                &der::oid(&content_type),
                &der::tlv(tag::context(0), &der::octet_string(content)),
            ]),
            &certificates,
            &der::set(&[&signer_info]),
        ]);
        Ok(der::sequence(&[
            &der::oid(&OID_SIGNED_DATA),
            &der::tlv(tag::context(0), &signed_data),
        ]))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use icao9303::lds::sod::Sod;
    use p256::ecdsa::signature::Verifier;

    /// A fixed-seed RNG for the tests (the same generator the signer uses internally).
    fn rng(seed: u8) -> HashDrbg {
        HashDrbg::new(&[seed; 32], b"test")
    }

    fn tbs_and_signature(cert: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let el = icao9303::asn1::parse_exact(cert).unwrap();
        let parts = el.children().unwrap();
        (
            parts[0].raw.to_vec(),
            parts[2].bit_string_octets().unwrap().to_vec(),
        )
    }

    #[test]
    fn ecdsa_pki_is_deterministic_and_certificates_verify() {
        let a = TestPki::generate("UT", SignatureScheme::EcdsaP256Sha256, &mut rng(1)).unwrap();
        let b = TestPki::generate("UT", SignatureScheme::EcdsaP256Sha256, &mut rng(1)).unwrap();
        let c = TestPki::generate("UT", SignatureScheme::EcdsaP256Sha256, &mut rng(2)).unwrap();
        assert_eq!(a.csca_der(), b.csca_der());
        assert_eq!(a.dsc_der(), b.dsc_der());
        assert_ne!(a.dsc_der(), c.dsc_der());
        let KeyPair::Ec(csca) = &a.csca_key else {
            panic!("EC expected")
        };
        for cert in [a.csca_der(), a.dsc_der()] {
            let (tbs, sig) = tbs_and_signature(&cert);
            let sig = p256::ecdsa::Signature::from_der(&sig).unwrap();
            csca.verifying_key().verify(&tbs, &sig).unwrap();
        }
        let hashes = vec![(1u8, vec![0x11; 32]), (2u8, vec![0x22; 32])];
        assert_eq!(
            a.sign_sod(HashAlgorithm::Sha256, &hashes).unwrap(),
            b.sign_sod(HashAlgorithm::Sha256, &hashes).unwrap()
        );
    }

    #[test]
    fn sod_parses_back() {
        let pki = TestPki::generate("GB", SignatureScheme::EcdsaP256Sha256, &mut rng(3)).unwrap();
        let hashes = vec![
            (1u8, vec![0x11; 32]),
            (2u8, vec![0x22; 32]),
            (14u8, vec![0x33; 32]),
        ];
        let sod = Sod::parse(&pki.sign_sod(HashAlgorithm::Sha256, &hashes).unwrap()).unwrap();
        assert_eq!(sod.version, 0);
        assert_eq!(sod.hash_algorithm, HashAlgorithm::Sha256);
        assert_eq!(sod.hash_of(14), Some(&[0x33; 32][..]));
        assert_eq!(sod.signed_data.certificates, vec![pki.dsc_der()]);
        let si = &sod.signed_data.signer_infos[0];
        assert_eq!(
            si.message_digest.as_deref(),
            Some(&Sha256::digest(&sod.econtent)[..])
        );
        let KeyPair::Ec(dsc) = &pki.dsc_key else {
            panic!("EC expected")
        };
        let sig = p256::ecdsa::Signature::from_der(&si.signature).unwrap();
        dsc.verifying_key()
            .verify(si.signed_attrs.as_deref().unwrap(), &sig)
            .unwrap();
    }

    #[test]
    fn rejects_bad_input() {
        let pki = TestPki::generate("GB", SignatureScheme::EcdsaP256Sha256, &mut rng(4)).unwrap();
        assert!(matches!(
            pki.sign_sod(HashAlgorithm::Sha256, &[(0, vec![0; 32])]),
            Err(PkiBuildError::DataGroup(0))
        ));
        assert!(matches!(
            pki.sign_sod(HashAlgorithm::Sha256, &[(17, vec![0; 32])]),
            Err(PkiBuildError::DataGroup(17))
        ));
        assert!(matches!(
            pki.sign_sod(HashAlgorithm::Sha256, &[(1, vec![0; 32]), (1, vec![0; 32])]),
            Err(PkiBuildError::DataGroup(1))
        ));
        assert!(matches!(
            pki.sign_sod(HashAlgorithm::Sha1, &[(1, vec![0; 32])]),
            Err(PkiBuildError::HashLength { .. })
        ));
        assert!(matches!(
            TestPki::generate("GBR", SignatureScheme::EcdsaP256Sha256, &mut rng(5)),
            Err(PkiBuildError::Country(_))
        ));
    }

    #[test]
    fn rsa_pss_pki_signs_verifiable_sods() {
        let pki = TestPki::generate("UT", SignatureScheme::RsaPssSha256, &mut rng(6)).unwrap();
        let hashes = vec![(1u8, vec![0x11; 32]), (2u8, vec![0x22; 32])];
        let sod_bytes = pki.sign_sod(HashAlgorithm::Sha256, &hashes).unwrap();
        assert_eq!(
            sod_bytes,
            pki.sign_sod(HashAlgorithm::Sha256, &hashes).unwrap(),
            "deterministic"
        );
        let sod = Sod::parse(&sod_bytes).unwrap();
        let si = &sod.signed_data.signer_infos[0];
        let KeyPair::Rsa { key: dsc, .. } = &pki.dsc_key else {
            panic!("RSA expected")
        };
        let digest = Sha256::digest(si.signed_attrs.as_deref().unwrap());
        dsc.to_public_key()
            .verify(
                rsa::pss::Pss::<Sha256>::new_with_salt(32),
                &digest,
                &si.signature,
            )
            .unwrap();
        let KeyPair::Rsa { key: csca, .. } = &pki.csca_key else {
            panic!("RSA expected")
        };
        let (tbs, sig) = tbs_and_signature(&pki.dsc_der());
        csca.to_public_key()
            .verify(
                rsa::pss::Pss::<Sha256>::new_with_salt(32),
                &Sha256::digest(&tbs),
                &sig,
            )
            .unwrap();
    }

    #[test]
    fn emulator_sod_passes_passive_authentication_against_its_csca() {
        use icao9303::pki::{ChainOutcome, Time, TrustStore, verify_sod};
        use icao9303::report::CheckStatus;
        for (scheme, seed) in [
            (SignatureScheme::EcdsaP256Sha256, 7u8),
            (SignatureScheme::RsaPssSha256, 8u8),
        ] {
            let pki = TestPki::generate("UT", scheme, &mut rng(seed)).unwrap();
            let dg1 = b"fake DG1 bytes".to_vec();
            let hashes = vec![
                (1u8, HashAlgorithm::Sha256.digest(&dg1)),
                (2u8, vec![0x22; 32]),
            ];
            let sod = pki.sign_sod(HashAlgorithm::Sha256, &hashes).unwrap();
            let mut store = TrustStore::builder();
            store.add_test_anchor(&pki.csca_der(), "emulator").unwrap();
            let store = store.build();
            let report = verify_sod(&sod, &store, Time::from_ymd(2026, 1, 1), Some("UTO"));
            assert_eq!(
                report.signature.status,
                CheckStatus::Valid,
                "{}",
                report.signature.reason
            );
            assert_eq!(
                report.chain_outcome,
                ChainOutcome::Valid,
                "{}",
                report.chain.reason
            );
            assert_eq!(
                report.chain.status,
                CheckStatus::ValidWithWarning,
                "test anchor: {}",
                report.chain.reason
            );
            assert_eq!(report.dsc_validity.status, CheckStatus::Valid);
            assert_eq!(
                report.country.status,
                CheckStatus::Valid,
                "{}",
                report.country.reason
            );
            // Another PKI's CSCA has the same name but a different key: the chain is invalid.
            let other = TestPki::generate("UT", scheme, &mut rng(seed + 10)).unwrap();
            let mut wrong = TrustStore::builder();
            wrong.add_certificate(&other.csca_der(), "other").unwrap();
            let wrong = wrong.build();
            let report = verify_sod(&sod, &wrong, Time::from_ymd(2026, 1, 1), Some("UTO"));
            assert_eq!(
                report.chain_outcome,
                ChainOutcome::Invalid,
                "{}",
                report.chain.reason
            );
            assert_eq!(report.chain.status, CheckStatus::Invalid);
        }
    }

    #[test]
    fn revoked_dsc_fails_and_unrevoked_passes() {
        use icao9303::pki::{Time, TrustStore, verify_sod};
        use icao9303::report::CheckStatus;
        let pki = TestPki::generate("UT", SignatureScheme::EcdsaP256Sha256, &mut rng(9)).unwrap();
        let sod = pki
            .sign_sod(HashAlgorithm::Sha256, &[(1, vec![1; 32]), (2, vec![2; 32])])
            .unwrap();
        let at = Time::from_ymd(2026, 1, 1);

        let mut store = TrustStore::builder();
        store.add_certificate(&pki.csca_der(), "csca").unwrap();
        store
            .add_crl(&pki.issue_crl(&[vec![0x01, 0x02]]).unwrap(), "crl")
            .unwrap();
        let store = store.build();
        let report = verify_sod(&sod, &store, at, None);
        assert_eq!(
            report.revocation.status,
            CheckStatus::Valid,
            "{}",
            report.revocation.reason
        );
        assert!(report.passed());

        let mut store = TrustStore::builder();
        store.add_certificate(&pki.csca_der(), "csca").unwrap();
        store
            .add_crl(
                &pki.issue_crl(&[vec![0x01, 0x02], pki.dsc_serial()])
                    .unwrap(),
                "crl",
            )
            .unwrap();
        let store = store.build();
        let report = verify_sod(&sod, &store, at, None);
        assert_eq!(
            report.revocation.status,
            CheckStatus::Invalid,
            "{}",
            report.revocation.reason
        );
        assert!(report.revocation.reason.contains("revoked"));
        assert!(!report.passed());

        // A CRL under the CSCA's name but signed by another key is not trusted to revoke: not used.
        let other =
            TestPki::generate("UT", SignatureScheme::EcdsaP256Sha256, &mut rng(19)).unwrap();
        let mut store = TrustStore::builder();
        store.add_certificate(&pki.csca_der(), "csca").unwrap();
        store
            .add_crl(&other.issue_crl(&[pki.dsc_serial()]).unwrap(), "crl")
            .unwrap();
        let store = store.build();
        let report = verify_sod(&sod, &store, at, None);
        assert_eq!(
            report.revocation.status,
            CheckStatus::NotChecked,
            "{}",
            report.revocation.reason
        );
        assert!(
            report.revocation.reason.contains("lists this DSC"),
            "{}",
            report.revocation.reason
        );
    }
}
