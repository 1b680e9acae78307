//! Signature verification for passive authentication: RSA PKCS#1 v1.5, RSASSA-PSS and ECDSA (DER or plain
//! r‖s) over the curves of the registry ([`crate::crypto::ec::EcCurve`]), with named or explicit domain
//! parameters (explicit ones, common in CSCA and DSC keys, must equal a known curve exactly).

use crate::asn1::ObjectIdentifier;
use thiserror::Error;

use super::certificate::PublicKeyInfo;
use super::cms::AlgorithmId;
use crate::asn1::{Asn1Error, Mode, der, tag};
use crate::crypto::ec::EcdsaTable;
use crate::crypto::ec::{EcCurve, EcError, EcPoint};
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::montgomery::PublicModulus;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// Why a signature could not be verified, or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    /// The signature algorithm is not supported.
    #[error("unsupported signature algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The key type or curve is not supported.
    #[error("unsupported public key: {0}")]
    UnsupportedKey(String),
    /// The public key could not be decoded.
    #[error("malformed public key: {0}")]
    MalformedKey(String),
    /// The signature value could not be decoded.
    #[error("malformed signature value: {0}")]
    MalformedSignature(String),
    /// Key and algorithm do not fit together (e.g. an RSA algorithm with an EC key).
    #[error("signature algorithm {algorithm} does not match the {key} key")]
    KeyMismatch {
        /// The signature algorithm.
        algorithm: String,
        /// The key type.
        key: &'static str,
    },
    /// The signature is well-formed but wrong.
    #[error("signature does not verify ({0})")]
    Invalid(String),
}

/// A signature scheme with its hash, as named by an AlgorithmIdentifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1v15(HashAlgorithm),
    /// RSASSA-PSS with MGF1 over the same hash.
    RsaPss {
        /// Message hash (and MGF1 hash).
        hash: HashAlgorithm,
        /// Salt length in bytes.
        salt_len: usize,
    },
    /// ECDSA with a DER-encoded (X9.62) signature.
    Ecdsa(HashAlgorithm),
    /// ECDSA with a plain r‖s signature (BSI TR-03111 ecdsa-plain-*).
    EcdsaPlain(HashAlgorithm),
}

impl Scheme {
    /// The hash the scheme signs.
    pub fn hash(self) -> HashAlgorithm {
        match self {
            Scheme::RsaPkcs1v15(h) | Scheme::Ecdsa(h) | Scheme::EcdsaPlain(h) => h,
            Scheme::RsaPss { hash, .. } => hash,
        }
    }

    /// A short name ("RSASSA-PSS with SHA-256").
    pub fn describe(self) -> String {
        match self {
            Scheme::RsaPkcs1v15(h) => format!("RSA PKCS#1 v1.5 with {h}"),
            Scheme::RsaPss { hash, salt_len } => {
                format!("RSASSA-PSS with {hash} (salt {salt_len})")
            }
            Scheme::Ecdsa(h) => format!("ECDSA with {h}"),
            Scheme::EcdsaPlain(h) => format!("ECDSA (plain) with {h}"),
        }
    }
}

const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
const MGF1: &str = "1.2.840.113549.1.1.8";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";

/// Maps a signature AlgorithmIdentifier to a scheme. `digest_hint` supplies the hash for algorithms that do
/// not name one (SignerInfo signatureAlgorithm = rsaEncryption or id-ecPublicKey).
pub fn scheme_for(
    alg: &AlgorithmId,
    digest_hint: Option<HashAlgorithm>,
) -> Result<Scheme, SignatureError> {
    use HashAlgorithm::*;
    let oid = alg.oid.to_string();
    let need_hint = || {
        digest_hint.ok_or_else(|| {
            SignatureError::UnsupportedAlgorithm(format!("{oid} without a digest algorithm"))
        })
    };
    Ok(match oid.as_str() {
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => Scheme::RsaPkcs1v15(Sha1),
        "1.2.840.113549.1.1.14" => Scheme::RsaPkcs1v15(Sha224),
        "1.2.840.113549.1.1.11" => Scheme::RsaPkcs1v15(Sha256),
        "1.2.840.113549.1.1.12" => Scheme::RsaPkcs1v15(Sha384),
        "1.2.840.113549.1.1.13" => Scheme::RsaPkcs1v15(Sha512),
        RSA_ENCRYPTION => Scheme::RsaPkcs1v15(need_hint()?),
        RSASSA_PSS => pss_parameters(alg.parameters.as_deref())?,
        "1.2.840.10045.4.1" => Scheme::Ecdsa(Sha1),
        "1.2.840.10045.4.3.1" => Scheme::Ecdsa(Sha224),
        "1.2.840.10045.4.3.2" => Scheme::Ecdsa(Sha256),
        "1.2.840.10045.4.3.3" => Scheme::Ecdsa(Sha384),
        "1.2.840.10045.4.3.4" => Scheme::Ecdsa(Sha512),
        EC_PUBLIC_KEY => Scheme::Ecdsa(need_hint()?),
        "0.4.0.127.0.7.1.1.4.1.1" => Scheme::EcdsaPlain(Sha1),
        "0.4.0.127.0.7.1.1.4.1.2" => Scheme::EcdsaPlain(Sha224),
        "0.4.0.127.0.7.1.1.4.1.3" => Scheme::EcdsaPlain(Sha256),
        "0.4.0.127.0.7.1.1.4.1.4" => Scheme::EcdsaPlain(Sha384),
        "0.4.0.127.0.7.1.1.4.1.5" => Scheme::EcdsaPlain(Sha512),
        _ => return Err(SignatureError::UnsupportedAlgorithm(oid)),
    })
}

/// RSASSA-PSS-params (RFC 4055): hashAlgorithm [0] (default SHA-1), maskGenAlgorithm [1] (default MGF1 with
/// SHA-1), saltLength [2] (default 20), trailerField [3] (must be 1).
fn pss_parameters(params: Option<&[u8]>) -> Result<Scheme, SignatureError> {
    let bad =
        |what: &str| SignatureError::UnsupportedAlgorithm(format!("RSASSA-PSS parameters: {what}"));
    let mut hash = HashAlgorithm::Sha1;
    let mut mgf_hash = HashAlgorithm::Sha1;
    let mut salt_len = 20usize;
    let Some(params) = params else {
        return Ok(Scheme::RsaPss { hash, salt_len });
    };
    let seq = Mode::Ber
        .parse_exact(params)
        .map_err(|e| bad(&e.to_string()))?;
    if seq.tag == tag::NULL {
        return Ok(Scheme::RsaPss { hash, salt_len });
    }
    for field in seq.children().map_err(|e| bad(&e.to_string()))? {
        let inner = field
            .cursor()
            .next("PSS parameter")
            .map_err(|e| bad(&e.to_string()))?;
        match field.tag {
            0xA0 => {
                let alg = AlgorithmId::parse(&inner).map_err(|e| bad(&e.to_string()))?;
                hash = HashAlgorithm::from_oid(&alg.oid)
                    .ok_or_else(|| bad(&format!("hash {}", alg.oid)))?;
            }
            0xA1 => {
                let alg = AlgorithmId::parse(&inner).map_err(|e| bad(&e.to_string()))?;
                if alg.oid.to_string() != MGF1 {
                    return Err(bad(&format!("mask generation {}", alg.oid)));
                }
                let mgf_params = alg.parameters.ok_or_else(|| bad("MGF1 without hash"))?;
                let mgf_alg = Mode::Ber
                    .parse_exact(&mgf_params)
                    .and_then(|e| AlgorithmId::parse(&e))
                    .map_err(|e| bad(&e.to_string()))?;
                mgf_hash = HashAlgorithm::from_oid(&mgf_alg.oid)
                    .ok_or_else(|| bad(&format!("MGF1 hash {}", mgf_alg.oid)))?;
            }
            0xA2 => {
                salt_len = inner
                    .small_uint()
                    .ok()
                    .and_then(|v| usize::try_from(v).ok())
                    .ok_or_else(|| bad("saltLength"))?;
            }
            0xA3 => {
                if inner.small_uint().ok() != Some(1) {
                    return Err(bad("trailerField other than 1"));
                }
            }
            _ => return Err(bad("unknown field")),
        }
    }
    if mgf_hash != hash {
        return Err(bad("MGF1 hash differs from the message hash"));
    }
    Ok(Scheme::RsaPss { hash, salt_len })
}

/// Verifies `signature` over `message` with `key`, using the scheme named by `algorithm`
/// (`digest_hint` for algorithms that do not name a hash). Returns a description of what was verified.
/// A key used for many signatures is better decoded once into a [`VerifyingKey`].
pub fn verify(
    key: &PublicKeyInfo,
    algorithm: &AlgorithmId,
    digest_hint: Option<HashAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<String, SignatureError> {
    VerifyingKey::from_spki(key)?.verify(algorithm, digest_hint, message, signature)
}

/// Verifies a signature over an already computed `digest` with `scheme`.
pub fn verify_prehash(
    key: &PublicKeyInfo,
    scheme: Scheme,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    VerifyingKey::from_spki(key)?.verify_prehash(scheme, digest, signature)
}

/// A public key decoded once for many verifications (a Document Signer signs thousands of documents): an
/// RSA key with its Montgomery parameters computed, or an EC point validated on its registry curve (explicit
/// domain parameters recognised once), with its description.
#[derive(Debug, Clone)]
pub struct VerifyingKey {
    key: PreparedKey,
    description: String,
}

#[derive(Debug, Clone)]
enum PreparedKey {
    Rsa {
        /// The modulus prepared for Montgomery arithmetic.
        modulus: PublicModulus,
        /// Bit length of the modulus.
        bits: usize,
        /// The public exponent, big-endian.
        exponent: Vec<u8>,
    },
    Ec(EcKey),
}

/// How many EC keys may hold comb tables ([`EcdsaTable`], 16–32 KB each) at the same time. A trust store
/// shares one among the DSC keys it caches, so documents bringing ever new signers cannot grow table
/// memory past it; a key that finds no slot free verifies without tables and asks again next time. Cheap
/// to clone (shared).
#[derive(Debug, Clone)]
pub struct TableBudget {
    free: Arc<AtomicUsize>,
}

impl TableBudget {
    /// A budget of `keys` keys with tables.
    pub fn new(keys: usize) -> Self {
        TableBudget {
            free: Arc::new(AtomicUsize::new(keys)),
        }
    }

    /// Slots not taken.
    pub fn free(&self) -> usize {
        self.free.load(Ordering::Relaxed)
    }

    /// Takes a slot, if one is free; it is given back when the slot is dropped (with the key's tables).
    fn acquire(&self) -> Option<TableSlot> {
        self.free
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .ok()
            .map(|_| TableSlot {
                free: Arc::clone(&self.free),
            })
    }
}

/// One key's place in a [`TableBudget`], held as long as its tables.
#[derive(Debug)]
struct TableSlot {
    free: Arc<AtomicUsize>,
}

impl Drop for TableSlot {
    fn drop(&mut self) {
        self.free.fetch_add(1, Ordering::AcqRel);
    }
}

/// Comb tables with the budget slot they hold (none for a key without a budget).
#[derive(Debug, Clone)]
struct BudgetedTable {
    table: EcdsaTable,
    _slot: Option<Arc<TableSlot>>,
}

/// An EC public key; its comb tables ([`EcdsaTable`]) are built on its second verification, so a key
/// verifying one signature (a single document read) never pays for them and a Document Signer's key
/// in a verification service pays once, within its [`TableBudget`] if it has one.
#[derive(Debug)]
struct EcKey {
    curve: EcCurve,
    point: EcPoint,
    /// Verifications started with this key (saturating).
    verifications: AtomicU32,
    /// The tables, once built (`None` inside: they could not be built).
    table: OnceLock<Option<BudgetedTable>>,
    budget: Option<TableBudget>,
}

impl Clone for EcKey {
    fn clone(&self) -> Self {
        EcKey {
            curve: self.curve,
            point: self.point.clone(),
            verifications: AtomicU32::new(self.verifications.load(Ordering::Relaxed)),
            table: self.table.clone(),
            budget: self.budget.clone(),
        }
    }
}

impl EcKey {
    /// Verifications with one key after which its comb tables are built.
    const TABLE_AFTER: u32 = 1;

    fn verify(&self, digest: &[u8], r: &[u8], s: &[u8]) -> Result<bool, EcError> {
        let seen = self
            .verifications
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_add(1))
            })
            .unwrap_or(u32::MAX);
        let table = if seen >= Self::TABLE_AFTER {
            self.table()
        } else {
            None
        };
        match table {
            Some(table) => table
                .verify_prehash(digest, r, s)
                .ok_or(EcError::InvalidSignatureValue(self.curve.name())),
            None => self.curve.verify_ecdsa_prehash(&self.point, digest, r, s),
        }
    }

    /// The key's tables: built now if the budget has a slot free (or there is no budget).
    fn table(&self) -> Option<&EcdsaTable> {
        if let Some(built) = self.table.get() {
            return built.as_ref().map(|b| &b.table);
        }
        let slot = match &self.budget {
            Some(budget) => Some(Arc::new(budget.acquire()?)),
            None => None,
        };
        // Another thread may build them meanwhile: then this slot is dropped, and given back.
        self.table
            .get_or_init(|| {
                self.point
                    .ecdsa_table()
                    .ok()
                    .map(|table| BudgetedTable { table, _slot: slot })
            })
            .as_ref()
            .map(|b| &b.table)
    }
}

impl VerifyingKey {
    /// Decodes a SubjectPublicKeyInfo: rsaEncryption / id-RSASSA-PSS (1024 to 8192 bits) or id-ecPublicKey
    /// on a registry curve (named or explicit parameters).
    pub fn from_spki(key: &PublicKeyInfo) -> Result<Self, SignatureError> {
        let prepared = match key.algorithm.oid.to_string().as_str() {
            RSA_ENCRYPTION | RSASSA_PSS => {
                let (n, e) = rsa_components(&key.key)?;
                // The `rsa` crate's checks of a public key (size, exponent range and parity).
                rsa::PublicKey::new_with_size_limits(
                    rsa::BoxedUint::from_be_slice_vartime(n),
                    rsa::BoxedUint::from_be_slice_vartime(e),
                    1024..=8192,
                )
                .map_err(|err| SignatureError::UnsupportedKey(format!("RSA key: {err}")))?;
                PreparedKey::Rsa {
                    modulus: PublicModulus::new(n).ok_or_else(|| {
                        SignatureError::UnsupportedKey("RSA key: even modulus".into())
                    })?,
                    bits: bit_length(n),
                    exponent: e.to_vec(),
                }
            }
            EC_PUBLIC_KEY => {
                let curve = key_curve(key)?;
                let point = curve
                    .decode_public_key(&key.key)
                    .map_err(|e| SignatureError::MalformedKey(e.to_string()))?;
                PreparedKey::Ec(EcKey {
                    curve,
                    point,
                    verifications: AtomicU32::new(0),
                    table: OnceLock::new(),
                    budget: None,
                })
            }
            other => {
                return Err(SignatureError::UnsupportedKey(format!(
                    "key algorithm {other}"
                )));
            }
        };
        Ok(VerifyingKey {
            key: prepared,
            description: describe_key(key),
        })
    }

    /// The key, building EC comb tables only within `budget` (RSA keys have none to build).
    pub fn with_table_budget(mut self, budget: &TableBudget) -> Self {
        if let PreparedKey::Ec(ec) = &mut self.key {
            ec.budget = Some(budget.clone());
        }
        self
    }

    /// A short description of the key ("RSA-2048", "EC brainpoolP256r1 (explicit parameters)").
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Verifies `signature` over `message` with the scheme named by `algorithm` (`digest_hint` for
    /// algorithms that do not name a hash). Returns a description of what was verified.
    pub fn verify(
        &self,
        algorithm: &AlgorithmId,
        digest_hint: Option<HashAlgorithm>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<String, SignatureError> {
        let scheme = scheme_for(algorithm, digest_hint)?;
        let digest = scheme.hash().digest(message);
        self.verify_prehash(scheme, &digest, signature)?;
        Ok(format!("{} ({})", scheme.describe(), self.description))
    }

    /// Verifies a signature over an already computed `digest` with `scheme`.
    pub fn verify_prehash(
        &self,
        scheme: Scheme,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        match (&self.key, scheme) {
            (
                PreparedKey::Rsa {
                    modulus,
                    bits,
                    exponent,
                },
                Scheme::RsaPkcs1v15(_) | Scheme::RsaPss { .. },
            ) => verify_rsa(modulus, *bits, exponent, scheme, digest, signature),
            (PreparedKey::Ec(key), Scheme::Ecdsa(_) | Scheme::EcdsaPlain(_)) => {
                let plain = matches!(scheme, Scheme::EcdsaPlain(_));
                verify_ecdsa(key, digest, signature, plain)
            }
            (PreparedKey::Rsa { .. }, _) => Err(SignatureError::KeyMismatch {
                algorithm: scheme.describe(),
                key: "RSA",
            }),
            (PreparedKey::Ec(_), _) => Err(SignatureError::KeyMismatch {
                algorithm: scheme.describe(),
                key: "EC",
            }),
        }
    }
}

/// A short description of a public key ("RSA-2048", "EC brainpoolP256r1 (explicit parameters)").
pub fn describe_key(key: &PublicKeyInfo) -> String {
    match key.algorithm.oid.to_string().as_str() {
        RSA_ENCRYPTION | RSASSA_PSS => match rsa_components(&key.key) {
            Ok((n, _)) => format!("RSA-{}", bit_length(n)),
            Err(_) => "RSA (malformed)".into(),
        },
        EC_PUBLIC_KEY => {
            let explicit = key
                .algorithm
                .parameters
                .as_deref()
                .is_some_and(|p| p.first() == Some(&0x30));
            match key_curve(key) {
                Ok(c) => format!(
                    "EC {}{}",
                    c.name(),
                    if explicit {
                        " (explicit parameters)"
                    } else {
                        ""
                    }
                ),
                Err(_) => "EC (unknown curve)".into(),
            }
        }
        other => format!("key algorithm {other}"),
    }
}

fn bit_length(n: &[u8]) -> usize {
    match n.iter().position(|b| *b != 0) {
        Some(i) => (n.len() - i) * 8 - n[i].leading_zeros() as usize,
        None => 0,
    }
}

fn rsa_components(key: &[u8]) -> Result<(&[u8], &[u8]), SignatureError> {
    let bad = |e: Asn1Error| SignatureError::MalformedKey(format!("RSAPublicKey: {e}"));
    let seq = Mode::Ber.parse_exact(key).map_err(bad)?;
    let mut r = seq.cursor();
    let n = r
        .next("modulus")
        .and_then(|e| e.unsigned_integer())
        .map_err(bad)?;
    let e = r
        .next("publicExponent")
        .and_then(|e| e.unsigned_integer())
        .map_err(bad)?;
    Ok((n, e))
}

fn digest_info_prefix(hash: HashAlgorithm, with_null: bool) -> Vec<u8> {
    let oid = der::tlv(0x06, hash.oid().as_bytes());
    let alg = if with_null {
        der::tlv(0x30, &[oid, vec![0x05, 0x00]].concat())
    } else {
        der::tlv(0x30, &oid)
    };
    // SEQUENCE { alg, OCTET STRING (hash) } with the hash left off: the prefix.
    let mut octets_header = vec![0x04];
    der::write_length(hash.output_len(), &mut octets_header);
    let body_len = alg.len() + octets_header.len() + hash.output_len();
    let mut out = vec![0x30];
    der::write_length(body_len, &mut out);
    out.extend(alg);
    out.extend(octets_header);
    out
}

fn verify_rsa(
    modulus: &PublicModulus,
    mod_bits: usize,
    exponent: &[u8],
    scheme: Scheme,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    let em = rsa_vp1(modulus, exponent, signature)?;
    match scheme {
        Scheme::RsaPkcs1v15(hash) => {
            // Some signers leave the NULL parameters of the DigestInfo's AlgorithmIdentifier out.
            if [true, false]
                .into_iter()
                .any(|with_null| emsa_pkcs1_v15_matches(&em, hash, with_null, digest))
            {
                Ok(())
            } else {
                Err(SignatureError::Invalid("RSA PKCS#1 v1.5".into()))
            }
        }
        Scheme::RsaPss { hash, salt_len } => {
            if emsa_pss_verify(&em, mod_bits.saturating_sub(1), hash, salt_len, digest) {
                Ok(())
            } else {
                Err(SignatureError::Invalid("RSASSA-PSS".into()))
            }
        }
        _ => Err(SignatureError::KeyMismatch {
            algorithm: scheme.describe(),
            key: "RSA",
        }),
    }
}

/// RSAVP1 (RFC 8017 §5.2.2): the encoded message `s^e mod n` as `k` bytes (`k` the modulus length), by
/// square-and-multiply on the public exponent in Montgomery form ([`PublicModulus`]: for e = 65537, 16
/// squarings and one product). A signature shorter than `k` (leading zero bytes dropped by the signer) is
/// accepted; one longer than `k`, or not below the modulus, is not.
fn rsa_vp1(
    modulus: &PublicModulus,
    exponent: &[u8],
    signature: &[u8],
) -> Result<Vec<u8>, SignatureError> {
    if signature.len() > modulus.byte_len() {
        return Err(out_of_range());
    }
    modulus
        .pow_public(signature, exponent)
        .ok_or_else(out_of_range)
}

fn out_of_range() -> SignatureError {
    SignatureError::Invalid("RSA signature representative out of range".into())
}

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2) compared in place: `00 01 FF..FF 00 DigestInfo(hash, digest)` with at
/// least eight `FF` bytes, DigestInfo's AlgorithmIdentifier with or without NULL parameters.
fn emsa_pkcs1_v15_matches(em: &[u8], hash: HashAlgorithm, with_null: bool, digest: &[u8]) -> bool {
    let prefix = digest_info_prefix(hash, with_null);
    let t_len = prefix.len() + digest.len();
    let Some(ps_len) = em.len().checked_sub(t_len + 3) else {
        return false;
    };
    ps_len >= 8
        && em.get(..2) == Some(&[0x00, 0x01][..])
        && em
            .get(2..2 + ps_len)
            .is_some_and(|ps| ps.iter().all(|b| *b == 0xFF))
        && em.get(2 + ps_len) == Some(&0x00)
        && em.get(3 + ps_len..3 + ps_len + prefix.len()) == Some(prefix.as_slice())
        && em.get(3 + ps_len + prefix.len()..) == Some(digest)
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) of the k-byte encoded message `em` for a modulus of `em_bits` + 1
/// bits, MGF1 with the message hash, a salt of exactly `salt_len` bytes.
fn emsa_pss_verify(
    em: &[u8],
    em_bits: usize,
    hash: HashAlgorithm,
    salt_len: usize,
    m_hash: &[u8],
) -> bool {
    let h_len = hash.output_len();
    let em_len = em_bits.div_ceil(8);
    // When the modulus has 8x + 1 bits, EM is one byte shorter than the integer: that byte must be zero.
    let Some(extra) = em.len().checked_sub(em_len) else {
        return false;
    };
    if em
        .get(..extra)
        .is_none_or(|lead| lead.iter().any(|b| *b != 0))
    {
        return false;
    }
    let em = &em[extra..];
    if m_hash.len() != h_len || em_len < h_len + salt_len + 2 || em.last() != Some(&0xBC) {
        return false;
    }
    let db_len = em_len - h_len - 1;
    let (masked_db, rest) = em.split_at(db_len);
    let h = &rest[..h_len];
    let top_mask = 0xFFu8 >> (8 * em_len - em_bits);
    if masked_db.first().is_some_and(|b| b & !top_mask != 0) {
        return false;
    }
    let mut db = mgf1(hash, h, db_len);
    for (d, m) in db.iter_mut().zip(masked_db) {
        *d ^= m;
    }
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    let zeros = db_len - salt_len - 1;
    if db[..zeros].iter().any(|b| *b != 0) || db[zeros] != 0x01 {
        return false;
    }
    let salt = &db[zeros + 1..];
    let mut m_prime = Vec::with_capacity(8 + h_len + salt_len);
    m_prime.extend_from_slice(&[0u8; 8]);
    m_prime.extend_from_slice(m_hash);
    m_prime.extend_from_slice(salt);
    hash.digest(&m_prime) == h
}

/// MGF1 (RFC 8017 §B.2.1): `len` bytes of Hash(seed ‖ counter) for counter 0, 1, ...
fn mgf1(hash: HashAlgorithm, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + hash.output_len());
    let mut input = Vec::with_capacity(seed.len() + 4);
    let mut counter = 0u32;
    while out.len() < len {
        input.clear();
        input.extend_from_slice(seed);
        input.extend_from_slice(&counter.to_be_bytes());
        out.extend_from_slice(&hash.digest(&input));
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// The registry curve of an id-ecPublicKey's parameters (named-curve OID or explicit ECParameters).
pub fn key_curve(key: &PublicKeyInfo) -> Result<EcCurve, SignatureError> {
    let params =
        key.algorithm.parameters.as_deref().ok_or_else(|| {
            SignatureError::UnsupportedKey("EC key without curve parameters".into())
        })?;
    EcCurve::from_parameters(params).map_err(|e| match e {
        EcError::MalformedParameters(_) => SignatureError::MalformedKey(e.to_string()),
        _ => SignatureError::UnsupportedKey(e.to_string()),
    })
}

fn verify_ecdsa(
    key: &EcKey,
    digest: &[u8],
    signature: &[u8],
    plain: bool,
) -> Result<(), SignatureError> {
    let (r, s) = if plain {
        if !signature.len().is_multiple_of(2) {
            return Err(SignatureError::MalformedSignature(
                "plain ECDSA signature of odd length".into(),
            ));
        }
        signature.split_at(signature.len() / 2)
    } else {
        let bad =
            |e: Asn1Error| SignatureError::MalformedSignature(format!("ECDSA-Sig-Value: {e}"));
        let seq = Mode::Ber.parse_exact(signature).map_err(bad)?;
        let mut rd = seq.cursor();
        let r = rd
            .next("r")
            .and_then(|e| e.unsigned_integer())
            .map_err(bad)?;
        let s = rd
            .next("s")
            .and_then(|e| e.unsigned_integer())
            .map_err(bad)?;
        (r, s)
    };
    match key.verify(digest, r, s) {
        Ok(true) => Ok(()),
        Ok(false) => Err(SignatureError::Invalid("ECDSA".into())),
        Err(e) => Err(SignatureError::MalformedSignature(e.to_string())),
    }
}

/// The scheme a signature AlgorithmIdentifier names, parameters included (RSASSA-PSS hash and salt), as
/// text for reports; `digest_hint` as in [`scheme_for`]. Falls back to [`algorithm_name`] of the OID.
pub fn describe_algorithm(alg: &AlgorithmId, digest_hint: Option<HashAlgorithm>) -> String {
    match scheme_for(alg, digest_hint) {
        Ok(scheme) => scheme.describe(),
        Err(_) => algorithm_name(&alg.oid),
    }
}

/// Whether the OID names a known hash, signature or key algorithm (for messages).
pub fn algorithm_name(oid: &ObjectIdentifier) -> String {
    if let Some(h) = HashAlgorithm::from_oid(oid) {
        return h.name().to_string();
    }
    match scheme_for(
        &AlgorithmId {
            oid: *oid,
            parameters: None,
        },
        Some(HashAlgorithm::Sha256),
    ) {
        Ok(s) if oid.to_string() != RSA_ENCRYPTION && oid.to_string() != EC_PUBLIC_KEY => {
            s.describe()
        }
        _ => oid.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn pss_defaults_and_rsa_encryption_needs_a_hint() {
        let pss = AlgorithmId {
            oid: ObjectIdentifier::new_unwrap(RSASSA_PSS),
            parameters: None,
        };
        assert_eq!(
            scheme_for(&pss, None).unwrap(),
            Scheme::RsaPss {
                hash: HashAlgorithm::Sha1,
                salt_len: 20
            }
        );
        let rsa = AlgorithmId {
            oid: ObjectIdentifier::new_unwrap(RSA_ENCRYPTION),
            parameters: None,
        };
        assert!(scheme_for(&rsa, None).is_err());
        assert_eq!(
            scheme_for(&rsa, Some(HashAlgorithm::Sha256)).unwrap(),
            Scheme::RsaPkcs1v15(HashAlgorithm::Sha256)
        );
    }

    /// A 1024-bit odd modulus (not a product of two primes: RSAVP1's arithmetic does not care) and e,
    /// for the `rsa` crate and for [`rsa_vp1`].
    fn test_key(e: u64) -> (rsa::PublicKey, PublicModulus, Vec<u8>) {
        let mut n = vec![0xC5u8; 128];
        n[127] = 0x0B;
        let key = rsa::PublicKey::new_with_size_limits(
            rsa::BoxedUint::from_be_slice_vartime(&n),
            rsa::BoxedUint::from(e),
            1024..=8192,
        )
        .unwrap();
        (key, PublicModulus::new(&n).unwrap(), n)
    }

    #[test]
    fn rsa_vp1_agrees_with_the_rsa_crate_and_refuses_out_of_range_signatures() {
        for e in [3u64, 65537, 0x1_0000_0003] {
            let (key, modulus, n) = test_key(e);
            let e_bytes = e.to_be_bytes();
            let mut n_minus_1 = n.clone();
            n_minus_1[127] -= 1;
            for sig in [vec![2u8], vec![0x17; 100], n_minus_1] {
                let ours = rsa_vp1(&modulus, &e_bytes, &sig).unwrap();
                let s = rsa::BoxedUint::from_be_slice(&sig, 1024).unwrap();
                let theirs = rsa::hazmat::rsa_encrypt(&key, &s).unwrap().to_be_bytes();
                assert_eq!(ours.len(), 128);
                assert_eq!(&ours[..], &theirs[theirs.len() - 128..], "e = {e}");
            }
            assert!(rsa_vp1(&modulus, &e_bytes, &n).is_err(), "s = n");
            assert!(rsa_vp1(&modulus, &e_bytes, &[0xFF; 128]).is_err(), "s > n");
            assert!(
                rsa_vp1(&modulus, &e_bytes, &[1; 129]).is_err(),
                "longer than k"
            );
        }
    }

    #[test]
    fn emsa_pkcs1_v15_needs_every_byte() {
        let digest = [0x5Au8; 32];
        let prefix = digest_info_prefix(HashAlgorithm::Sha256, true);
        let mut em = vec![0x00, 0x01];
        em.resize(256 - prefix.len() - 32 - 1, 0xFF);
        em.push(0x00);
        em.extend_from_slice(&prefix);
        em.extend_from_slice(&digest);
        assert_eq!(em.len(), 256);
        assert!(emsa_pkcs1_v15_matches(
            &em,
            HashAlgorithm::Sha256,
            true,
            &digest
        ));
        assert!(!emsa_pkcs1_v15_matches(
            &em,
            HashAlgorithm::Sha256,
            false,
            &digest
        ));
        assert!(!emsa_pkcs1_v15_matches(
            &em,
            HashAlgorithm::Sha384,
            true,
            &digest
        ));
        for i in 0..em.len() {
            let mut bad = em.clone();
            bad[i] ^= 0x40;
            assert!(
                !emsa_pkcs1_v15_matches(&bad, HashAlgorithm::Sha256, true, &digest),
                "byte {i}"
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod ec_key_tests {
    use super::*;

    /// A decoded EC key verifies its first signature without comb tables and every later one with them:
    /// the answers (good, tampered, other key's) are the same either way.
    #[test]
    fn ec_key_builds_its_comb_tables_on_the_second_verification() {
        let (d, spki) = p256_key(0x17);
        let key = VerifyingKey::from_spki(&spki).unwrap();
        let PreparedKey::Ec(ec) = &key.key else {
            panic!("not an EC key")
        };
        let hash = HashAlgorithm::Sha256;
        let scheme = Scheme::EcdsaPlain(hash);
        for round in 0..4 {
            let digest = hash.digest(format!("document {round}").as_bytes());
            let sig = d.sign_prehashed(hash, &digest).unwrap();
            assert!(key.verify_prehash(scheme, &digest, &sig).is_ok());
            // The first verification goes without tables; the second builds them.
            assert_eq!(ec.table.get().is_some(), round > 0);
            let mut tampered = sig.clone();
            tampered[40] ^= 0x01;
            assert!(matches!(
                key.verify_prehash(scheme, &digest, &tampered),
                Err(SignatureError::Invalid(_))
            ));
            let other = hash.digest(b"another document");
            assert!(key.verify_prehash(scheme, &other, &sig).is_err());
        }
        assert!(ec.table.get().is_some_and(Option::is_some));
        // A clone shares the tables built so far.
        let clone = key.clone();
        let PreparedKey::Ec(cloned) = &clone.key else {
            panic!("not an EC key")
        };
        assert!(cloned.table.get().is_some_and(Option::is_some));
    }

    /// A P-256 key pair from `seed`: the private scalar and the public key's SubjectPublicKeyInfo.
    fn p256_key(seed: u8) -> (crate::crypto::ec::EcScalar, PublicKeyInfo) {
        let curve = EcCurve::NistP256;
        let d = curve.scalar(&[seed; 32]).unwrap();
        let point = d.public_key(&curve.generator()).unwrap();
        let spki = PublicKeyInfo {
            algorithm: AlgorithmId {
                oid: ObjectIdentifier::new_unwrap(EC_PUBLIC_KEY),
                parameters: Some(der::tlv(tag::OID, curve.oid())),
            },
            key: point.as_bytes().to_vec(),
            raw: Vec::new(),
        };
        (d, spki)
    }

    /// Whether the key holds comb tables.
    fn has_table(key: &VerifyingKey) -> bool {
        let PreparedKey::Ec(ec) = &key.key else {
            panic!("not an EC key")
        };
        ec.table.get().is_some_and(Option::is_some)
    }

    /// Keys sharing a budget of one: the first to need tables takes the slot, the second verifies without
    /// tables (same answers) until the first is dropped and gives the slot back.
    #[test]
    fn comb_tables_stay_within_the_budget() {
        let budget = TableBudget::new(1);
        let hash = HashAlgorithm::Sha256;
        let scheme = Scheme::EcdsaPlain(hash);
        let (d1, spki1) = p256_key(0x21);
        let (d2, spki2) = p256_key(0x22);
        let first = VerifyingKey::from_spki(&spki1)
            .unwrap()
            .with_table_budget(&budget);
        let second = VerifyingKey::from_spki(&spki2)
            .unwrap()
            .with_table_budget(&budget);
        let verify_twice = |key: &VerifyingKey, d: &crate::crypto::ec::EcScalar| {
            for round in 0..2 {
                let digest = hash.digest(format!("document {round}").as_bytes());
                let sig = d.sign_prehashed(hash, &digest).unwrap();
                assert!(key.verify_prehash(scheme, &digest, &sig).is_ok());
                let mut tampered = sig.clone();
                tampered[5] ^= 0x80;
                assert!(key.verify_prehash(scheme, &digest, &tampered).is_err());
            }
        };
        verify_twice(&first, &d1);
        assert!(has_table(&first));
        assert_eq!(budget.free(), 0);
        verify_twice(&second, &d2);
        assert!(!has_table(&second), "no slot free: verified without tables");
        drop(first);
        assert_eq!(budget.free(), 1, "the dropped key gave its slot back");
        verify_twice(&second, &d2);
        assert!(has_table(&second));
        assert_eq!(budget.free(), 0);
        // A clone shares the tables and the slot: dropping one of the two keeps the slot taken.
        let clone = second.clone();
        drop(second);
        assert_eq!(budget.free(), 0);
        drop(clone);
        assert_eq!(budget.free(), 1);
    }
}
