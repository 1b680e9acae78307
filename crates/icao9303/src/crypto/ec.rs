//! The curve registry: the elliptic curves of ICAO 9303-11 and BSI TR-03110 / TR-03111 in one place, used
//! by PACE, Chip Authentication, PACE-CAM, Active Authentication and the signature checks of passive
//! authentication.
//!
//! [`EcCurve`] names each curve with its standardized domain parameter id (ICAO 9303-11 table 9.5.1:
//! ids 8–18), its named-curve OID and its security strength. Domain parameters given as bytes are read
//! with [`EcCurve::from_parameters`] (a named-curve OID or explicit X9.62 ECParameters, which real CSCA,
//! DSC and DG14 keys carry; explicit parameters must equal one of the known curves exactly).
//!
//! [`EcCurve`] is a runtime handle dispatching (by `match`) to the concrete RustCrypto curve types
//! (`p192`, `p224`, `p256`, `p384`, `p521`, `bp256`, `bp384`) and the in-tree brainpool curves of
//! [`super::brainpool`]. Points cross this interface as validated, uncompressed SEC1 encodings
//! ([`EcPoint`], `04 ‖ x ‖ y`, each coordinate left-padded to the field size; on the curve, never the
//! point at infinity); private scalars as [`EcScalar`] (big-endian, field-size bytes, in `[1, n-1]`,
//! zeroized on drop). All curves here have cofactor 1, so every point on the curve other than infinity
//! is in the group.

use super::brainpool::{
    p192r1::BrainpoolP192r1, p224r1::BrainpoolP224r1, p320r1::BrainpoolP320r1,
    p512r1::BrainpoolP512r1,
};
use super::hash::HashAlgorithm;
use crate::asn1::{self, Element};
use ecdsa::EcdsaCurve;
use ecdsa::signature::hazmat::PrehashVerifier;
use elliptic_curve::array::typenum::Unsigned;
use elliptic_curve::ff::{Field, PrimeField};
use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::sec1::{FromSec1Point, Sec1Point, ToSec1Point};
use elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
use elliptic_curve::{FieldBytes, FieldBytesSize, NonZeroScalar};
use primeorder::{AffinePoint, PrimeCurveParams, ProjectivePoint};
use rand_core::CryptoRng;
use std::fmt;
use zeroize::Zeroizing;

mod comb;
pub use comb::EcdsaTable;

/// What went wrong with an elliptic-curve value or with curve domain parameters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EcError {
    /// Bytes that are not a point of the right length on the curve (or the point at infinity).
    #[error("not an uncompressed point on {curve} ({len} bytes)")]
    InvalidPoint {
        /// The curve's name.
        curve: &'static str,
        /// Length of the rejected encoding.
        len: usize,
    },
    /// A computation produced the point at infinity.
    #[error("{0}: result is the point at infinity")]
    Identity(&'static str),
    /// A scalar of the wrong length, zero, or not below the group order.
    #[error("{0}: scalar out of range")]
    InvalidScalar(&'static str),
    /// Two values from different curves were combined.
    #[error("values from different curves")]
    CurveMismatch,
    /// An operation this curve does not support.
    #[error("{0}")]
    Unsupported(&'static str),
    /// Explicit domain parameters that match none of the supported curves exactly.
    #[error(
        "explicit curve with a {field_bits}-bit prime is not one of the standardized curves \
         (NIST P-192 … P-521, brainpoolP192r1 … P512r1)"
    )]
    UnsupportedExplicitCurve {
        /// Bit length of the explicit field prime p.
        field_bits: usize,
    },
    /// A named-curve OID that is not one of the supported curves.
    #[error("unsupported named curve {0}")]
    UnknownNamedCurve(String),
    /// Domain parameters (named-curve OID or ECParameters) that cannot be decoded.
    #[error("malformed EC domain parameters: {0}")]
    MalformedParameters(&'static str),
    /// An ECDSA signature value r or s that is zero, longer than the group order or not below it.
    #[error("{0}: ECDSA r or s out of range")]
    InvalidSignatureValue(&'static str),
}

/// A supported curve, named by its ICAO 9303-11 standardized domain parameter id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum EcCurve {
    /// 8: NIST P-192 (secp192r1).
    NistP192,
    /// 9: brainpoolP192r1.
    BrainpoolP192r1,
    /// 10: NIST P-224 (secp224r1).
    NistP224,
    /// 11: brainpoolP224r1.
    BrainpoolP224r1,
    /// 12: NIST P-256 (secp256r1).
    NistP256,
    /// 13: brainpoolP256r1.
    BrainpoolP256r1,
    /// 14: brainpoolP320r1.
    BrainpoolP320r1,
    /// 15: NIST P-384 (secp384r1).
    NistP384,
    /// 16: brainpoolP384r1.
    BrainpoolP384r1,
    /// 17: brainpoolP512r1.
    BrainpoolP512r1,
    /// 18: NIST P-521 (secp521r1).
    NistP521,
}

/// Runs `$body` with `$C` bound to the concrete curve type of `$curve`.
macro_rules! with_curve {
    ($curve:expr, $C:ident => $body:expr) => {
        match $curve {
            EcCurve::NistP192 => {
                type $C = p192::NistP192;
                $body
            }
            EcCurve::BrainpoolP192r1 => {
                type $C = BrainpoolP192r1;
                $body
            }
            EcCurve::NistP224 => {
                type $C = p224::NistP224;
                $body
            }
            EcCurve::BrainpoolP224r1 => {
                type $C = BrainpoolP224r1;
                $body
            }
            EcCurve::NistP256 => {
                type $C = p256::NistP256;
                $body
            }
            EcCurve::BrainpoolP256r1 => {
                type $C = bp256::BrainpoolP256r1;
                $body
            }
            EcCurve::BrainpoolP320r1 => {
                type $C = BrainpoolP320r1;
                $body
            }
            EcCurve::NistP384 => {
                type $C = p384::NistP384;
                $body
            }
            EcCurve::BrainpoolP384r1 => {
                type $C = bp384::BrainpoolP384r1;
                $body
            }
            EcCurve::BrainpoolP512r1 => {
                type $C = BrainpoolP512r1;
                $body
            }
            EcCurve::NistP521 => {
                type $C = p521::NistP521;
                $body
            }
        }
    };
}

/// Explicit prime-field curve domain parameters (X9.62 / TR-03111 ECParameters), as big-endian integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplicitCurve {
    /// The field prime p.
    pub p: Vec<u8>,
    /// Coefficient a.
    pub a: Vec<u8>,
    /// Coefficient b.
    pub b: Vec<u8>,
    /// The base point G as an SEC1 encoding (uncompressed or compressed).
    pub g: Vec<u8>,
    /// The order n of G.
    pub n: Vec<u8>,
    /// The cofactor h, when present.
    pub h: Option<Vec<u8>>,
}

/// `prime-field` (1.2.840.10045.1.1), encoded.
const PRIME_FIELD: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x01, 0x01];

/// The magnitude of a non-negative DER INTEGER, without leading zero bytes.
fn unsigned<'a>(t: Option<&Element<'a>>, what: &'static str) -> Result<&'a [u8], EcError> {
    let t = t
        .filter(|t| t.tag == 0x02)
        .ok_or(EcError::MalformedParameters(what))?;
    if t.value.first().is_none_or(|b| b & 0x80 != 0) {
        return Err(EcError::MalformedParameters(what));
    }
    Ok(strip(t.value))
}

fn octets<'a>(t: Option<&Element<'a>>, what: &'static str) -> Result<&'a [u8], EcError> {
    t.filter(|t| t.tag == 0x04)
        .map(|t| t.value)
        .ok_or(EcError::MalformedParameters(what))
}

impl ExplicitCurve {
    /// Reads X9.62 / TR-03111 `ECParameters ::= SEQUENCE { version INTEGER, fieldID SEQUENCE
    /// { prime-field, p INTEGER }, curve SEQUENCE { a OCTET STRING, b OCTET STRING, seed BIT STRING
    /// OPTIONAL }, base OCTET STRING, order INTEGER, cofactor INTEGER OPTIONAL }` (the one parser of the
    /// crate for explicit curves).
    pub fn parse(params: &Element<'_>) -> Result<ExplicitCurve, EcError> {
        let bad = EcError::MalformedParameters;
        if params.tag != 0x30 {
            return Err(bad("ECParameters is not a SEQUENCE"));
        }
        let c = params.children().map_err(|_| bad("ECParameters"))?;
        unsigned(c.first(), "ECParameters version")?;
        let field = c
            .get(1)
            .filter(|t| t.tag == 0x30)
            .ok_or(bad("fieldID"))?
            .children()
            .map_err(|_| bad("fieldID"))?;
        if field.first().is_none_or(|t| t.tag != 0x06) {
            return Err(bad("fieldID without field type"));
        }
        if field.first().is_some_and(|t| t.value != PRIME_FIELD) {
            return Err(bad("not a prime-field curve"));
        }
        let p = unsigned(field.get(1), "prime p")?;
        let curve = c
            .get(2)
            .filter(|t| t.tag == 0x30)
            .ok_or(bad("curve"))?
            .children()
            .map_err(|_| bad("curve"))?;
        let a = octets(curve.first(), "coefficient a")?;
        let b = octets(curve.get(1), "coefficient b")?;
        let g = octets(c.get(3), "base point")?;
        let n = unsigned(c.get(4), "order n")?;
        let h = match c.get(5) {
            Some(h) => Some(unsigned(Some(h), "cofactor")?.to_vec()),
            None => None,
        };
        if c.len() > 6 {
            return Err(bad("trailing fields in ECParameters"));
        }
        Ok(ExplicitCurve {
            p: p.to_vec(),
            a: a.to_vec(),
            b: b.to_vec(),
            g: g.to_vec(),
            n: n.to_vec(),
            h,
        })
    }
}

fn strip(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    &v[start..]
}

/// Big-endian `v + 1` (for recovering p and n from the field's and scalar field's `-1`).
fn plus_one(mut v: Vec<u8>) -> Vec<u8> {
    for b in v.iter_mut().rev() {
        let (s, carry) = b.overflowing_add(1);
        *b = s;
        if !carry {
            return v;
        }
    }
    v.insert(0, 1);
    v
}

fn field_size<C: PrimeCurveParams>() -> usize {
    FieldBytesSize::<C>::USIZE
}

fn decode<C: PrimeCurveParams>(bytes: &[u8]) -> Option<AffinePoint<C>> {
    if bytes.len() != 1 + 2 * field_size::<C>() || bytes.first() != Some(&0x04) {
        return None;
    }
    let encoded = Sec1Point::<C>::from_bytes(bytes).ok()?;
    let point: Option<AffinePoint<C>> = AffinePoint::<C>::from_sec1_point(&encoded).into_option();
    point.filter(|p| !bool::from(p.is_identity()))
}

fn encode<C: PrimeCurveParams>(p: &AffinePoint<C>) -> Vec<u8> {
    p.to_sec1_point(false).as_bytes().to_vec()
}

/// An uncompressed or compressed SEC1 point (not infinity), returned uncompressed.
fn decode_sec1<C: PrimeCurveParams>(bytes: &[u8]) -> Option<Vec<u8>> {
    let fs = field_size::<C>();
    let ok = match bytes.first() {
        Some(0x04) => bytes.len() == 1 + 2 * fs,
        Some(0x02 | 0x03) => bytes.len() == 1 + fs,
        _ => false,
    };
    if !ok {
        return None;
    }
    let encoded = Sec1Point::<C>::from_bytes(bytes).ok()?;
    let point: Option<AffinePoint<C>> = AffinePoint::<C>::from_sec1_point(&encoded).into_option();
    point
        .filter(|p| !bool::from(p.is_identity()))
        .map(|p| encode::<C>(&p))
}

/// ECDSA over a prehashed message; `None` when r or s is out of range.
fn ecdsa_verify<C>(point: &[u8], digest: &[u8], r: &[u8], s: &[u8]) -> Option<bool>
where
    C: PrimeCurveParams + EcdsaCurve,
    ecdsa::VerifyingKey<C>: PrehashVerifier<ecdsa::Signature<C>>,
{
    let to_field = |v: &[u8]| -> Option<FieldBytes<C>> {
        let v = strip(v);
        let size = field_size::<C>();
        if v.len() > size {
            return None;
        }
        let mut buf = vec![0u8; size - v.len()];
        buf.extend_from_slice(v);
        FieldBytes::<C>::try_from(buf.as_slice()).ok()
    };
    let sig = ecdsa::Signature::<C>::from_scalars(to_field(r)?, to_field(s)?).ok()?;
    let key = ecdsa::VerifyingKey::<C>::from_affine(decode::<C>(point)?).ok()?;
    Some(key.verify_prehash(digest, &sig).is_ok())
}

/// ECDSA signature over a prehashed message with an RFC 6979 nonce (HMAC over `hash`), as plain `r ‖ s`.
fn ecdsa_sign<C>(d: &[u8], digest: &[u8], hash: HashAlgorithm) -> Option<Vec<u8>>
where
    C: PrimeCurveParams + EcdsaCurve,
{
    use ecdsa::hazmat::sign_prehashed_rfc6979;
    let repr = FieldBytes::<C>::try_from(d).ok()?;
    let d: NonZeroScalar<C> = NonZeroScalar::<C>::from_repr(repr).into_option()?;
    let (sig, _) = match hash {
        HashAlgorithm::Sha1 => sign_prehashed_rfc6979::<C, sha1::Sha1>(&d, digest, &[]),
        HashAlgorithm::Sha224 => sign_prehashed_rfc6979::<C, sha2::Sha224>(&d, digest, &[]),
        HashAlgorithm::Sha256 => sign_prehashed_rfc6979::<C, sha2::Sha256>(&d, digest, &[]),
        HashAlgorithm::Sha384 => sign_prehashed_rfc6979::<C, sha2::Sha384>(&d, digest, &[]),
        HashAlgorithm::Sha512 => sign_prehashed_rfc6979::<C, sha2::Sha512>(&d, digest, &[]),
    };
    Some(sig.to_bytes().to_vec())
}

fn scalar<C: PrimeCurveParams>(bytes: &[u8]) -> Option<C::Scalar> {
    let repr = FieldBytes::<C>::try_from(bytes).ok()?;
    let s: Option<C::Scalar> = C::Scalar::from_repr(repr).into();
    s.filter(|s| !bool::from(s.is_zero()))
}

fn mul<C: PrimeCurveParams>(point: &[u8], k: &[u8]) -> Option<Vec<u8>> {
    let p = decode::<C>(point)?;
    let k = scalar::<C>(k)?;
    let r = (ProjectivePoint::<C>::from(p) * k).to_affine();
    if bool::from(r.is_identity()) {
        return None;
    }
    Some(encode::<C>(&r))
}

fn add<C: PrimeCurveParams>(a: &[u8], b: &[u8]) -> Option<Vec<u8>> {
    let a = decode::<C>(a)?;
    let b = decode::<C>(b)?;
    let r = (ProjectivePoint::<C>::from(a) + ProjectivePoint::<C>::from(b)).to_affine();
    if bool::from(r.is_identity()) {
        return None;
    }
    Some(encode::<C>(&r))
}

fn ecdh_x<C: PrimeCurveParams>(k: &[u8], point: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let p = decode::<C>(point)?;
    let k = scalar::<C>(k)?;
    let r = (ProjectivePoint::<C>::from(p) * k).to_affine();
    if bool::from(r.is_identity()) {
        return None;
    }
    Some(Zeroizing::new(r.x().to_vec()))
}

/// `a⁻¹ · b mod n` (PACE-CAM chip authentication data).
fn inv_mul<C: PrimeCurveParams>(a: &[u8], b: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let a = scalar::<C>(a)?;
    let b = scalar::<C>(b)?;
    let inv: Option<C::Scalar> = a.invert().into();
    Some(Zeroizing::new((inv? * b).to_repr().to_vec()))
}

fn params<C: PrimeCurveParams>() -> [Vec<u8>; 5] {
    let p = plus_one((-C::FieldElement::ONE).to_repr().to_vec());
    let n = plus_one((-C::Scalar::ONE).to_repr().to_vec());
    [
        p,
        C::EQUATION_A.to_repr().to_vec(),
        C::EQUATION_B.to_repr().to_vec(),
        encode::<C>(&AffinePoint::<C>::GENERATOR),
        n,
    ]
}

/// The ICAO 9303-11 Appendix B point encoding f_G of the field element `t` (p ≡ 3 mod 4), affine version:
/// α = −t², X2 = −b·a⁻¹·(1 + (α + α²)⁻¹), X3 = α·X2, h2 = X2³ + a·X2 + b, U = t³·h2,
/// A = h2^(p−1−(p+1)/4); (x, y) = (X2, A·h2) if A²·h2 = 1, else (X3, A·U) (then h3 = X3³ + a·X3 + b = −t⁶·h2 is the square).
fn icao_point_encoding<C: PrimeCurveParams>(t_bytes: &[u8]) -> Option<Vec<u8>> {
    let repr = FieldBytes::<C>::try_from(t_bytes).ok()?;
    let t: Option<C::FieldElement> = C::FieldElement::from_repr(repr).into();
    let t = t?;
    let a = C::EQUATION_A;
    let b = C::EQUATION_B;
    let alpha = -t.square();
    let d: Option<C::FieldElement> = (alpha + alpha.square()).invert().into();
    let a_inv: Option<C::FieldElement> = a.invert().into();
    let x2 = -(b * a_inv?) * (C::FieldElement::ONE + d?);
    let x3 = alpha * x2;
    let h2 = x2.square() * x2 + a * x2 + b;
    let u = t.square() * t * h2;
    // Exponent p − 1 − (p + 1)/4 as little-endian u64 words.
    let p = plus_one((-C::FieldElement::ONE).to_repr().to_vec());
    let exp = {
        let big = crypto_bigint::BoxedUint::from_be_slice_vartime(&p);
        let quarter = big
            .wrapping_add(crypto_bigint::BoxedUint::one())
            .shr_vartime(2)?;
        let e = big
            .wrapping_sub(crypto_bigint::BoxedUint::one())
            .wrapping_sub(&quarter);
        e.as_words().to_vec()
    };
    let big_a = h2.pow_vartime(&exp);
    let first = (big_a.square() * h2).ct_eq(&C::FieldElement::ONE);
    let x = C::FieldElement::conditional_select(&x3, &x2, first);
    let y = C::FieldElement::conditional_select(&(big_a * u), &(big_a * h2), first);
    let mut enc = vec![0x04];
    enc.extend_from_slice(&x.to_repr());
    enc.extend_from_slice(&y.to_repr());
    decode::<C>(&enc).map(|p| encode::<C>(&p))
}

impl EcCurve {
    /// All supported curves, by parameter id.
    pub const ALL: [EcCurve; 11] = [
        EcCurve::NistP192,
        EcCurve::BrainpoolP192r1,
        EcCurve::NistP224,
        EcCurve::BrainpoolP224r1,
        EcCurve::NistP256,
        EcCurve::BrainpoolP256r1,
        EcCurve::BrainpoolP320r1,
        EcCurve::NistP384,
        EcCurve::BrainpoolP384r1,
        EcCurve::BrainpoolP512r1,
        EcCurve::NistP521,
    ];

    /// The curve of standardized domain parameter id 8–18, if it is one.
    pub fn from_parameter_id(id: u32) -> Option<EcCurve> {
        id.checked_sub(8)
            .and_then(|i| Self::ALL.get(i as usize))
            .copied()
    }

    /// The ICAO 9303-11 standardized domain parameter id (8–18).
    pub fn parameter_id(self) -> u32 {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0) as u32 + 8
    }

    /// The curve's usual name.
    pub fn name(self) -> &'static str {
        match self {
            EcCurve::NistP192 => "NIST P-192",
            EcCurve::BrainpoolP192r1 => "brainpoolP192r1",
            EcCurve::NistP224 => "NIST P-224",
            EcCurve::BrainpoolP224r1 => "brainpoolP224r1",
            EcCurve::NistP256 => "NIST P-256",
            EcCurve::BrainpoolP256r1 => "brainpoolP256r1",
            EcCurve::BrainpoolP320r1 => "brainpoolP320r1",
            EcCurve::NistP384 => "NIST P-384",
            EcCurve::BrainpoolP384r1 => "brainpoolP384r1",
            EcCurve::BrainpoolP512r1 => "brainpoolP512r1",
            EcCurve::NistP521 => "NIST P-521",
        }
    }

    /// Size in bytes of a field element (and of a scalar) of this curve.
    pub fn field_size(self) -> usize {
        with_curve!(self, C => field_size::<C>())
    }

    /// The field prime p, big-endian, field-size bytes.
    pub fn prime(self) -> Vec<u8> {
        with_curve!(self, C => params::<C>()[0].clone())
    }

    /// Coefficient a, big-endian, field-size bytes.
    pub fn a(self) -> Vec<u8> {
        with_curve!(self, C => params::<C>()[1].clone())
    }

    /// Coefficient b, big-endian, field-size bytes.
    pub fn b(self) -> Vec<u8> {
        with_curve!(self, C => params::<C>()[2].clone())
    }

    /// The group order n, big-endian, field-size bytes.
    pub fn order(self) -> Vec<u8> {
        with_curve!(self, C => params::<C>()[4].clone())
    }

    /// The generator G.
    pub fn generator(self) -> EcPoint {
        EcPoint {
            curve: self,
            encoded: with_curve!(self, C => encode::<C>(&AffinePoint::<C>::GENERATOR)),
        }
    }

    /// Decodes and validates an uncompressed point (`04 ‖ x ‖ y`, field-size coordinates) on this curve.
    pub fn decode_point(self, bytes: &[u8]) -> Result<EcPoint, EcError> {
        let ok = with_curve!(self, C => decode::<C>(bytes).is_some());
        if ok {
            Ok(EcPoint {
                curve: self,
                encoded: bytes.to_vec(),
            })
        } else {
            Err(EcError::InvalidPoint {
                curve: self.name(),
                len: bytes.len(),
            })
        }
    }

    /// A private scalar from big-endian bytes: exactly field-size bytes, `1 ≤ k < n`.
    pub fn scalar(self, bytes: &[u8]) -> Result<EcScalar, EcError> {
        let ok = with_curve!(self, C => scalar::<C>(bytes).is_some());
        if ok {
            Ok(EcScalar {
                curve: self,
                bytes: Zeroizing::new(bytes.to_vec()),
            })
        } else {
            Err(EcError::InvalidScalar(self.name()))
        }
    }

    /// Draws a private scalar: field-size bytes from `rng`, read big-endian; the bits above the bit length of
    /// n are cleared (this only changes P-521, whose 66-byte top byte keeps 1 bit); the value is accepted
    /// when `1 ≤ k < n`, otherwise fresh bytes are drawn. A replayed RNG that returns a valid key gives that
    /// key unchanged.
    pub fn random_scalar<R: CryptoRng + ?Sized>(self, rng: &mut R) -> EcScalar {
        let order = self.order();
        let top = order.first().copied().unwrap_or(0xFF);
        let mask = if top == 0 {
            0xFF
        } else {
            0xFFu8 >> top.leading_zeros()
        };
        loop {
            let mut bytes = Zeroizing::new(vec![0u8; self.field_size()]);
            rng.fill_bytes(&mut bytes);
            if let Some(b) = bytes.first_mut() {
                *b &= mask;
            }
            if let Ok(k) = self.scalar(&bytes) {
                return k;
            }
        }
    }

    /// The ICAO 9303-11 Integrated Mapping for ECDH: reduces the pseudo-random octet string `r` modulo p
    /// and maps the field element to a point with the Appendix B encoding f_G.
    ///
    /// The encoding needs p ≡ 3 mod 4: NIST P-224 (p ≡ 1 mod 4) is refused, as TR-03110 excludes it for IM.
    pub fn integrated_map(self, r: &[u8]) -> Result<EcPoint, EcError> {
        let p = self.prime();
        if p.last().is_none_or(|b| b & 3 != 3) {
            return Err(EcError::Unsupported("integrated mapping needs p ≡ 3 mod 4"));
        }
        let t = reduce_mod(r, &p);
        let encoded = with_curve!(self, C => icao_point_encoding::<C>(&t))
            .ok_or(EcError::Identity("integrated mapping"))?;
        Ok(EcPoint {
            curve: self,
            encoded,
        })
    }

    /// Recognises explicit domain parameters as one of the supported curves (integers compared without
    /// leading zeros; the cofactor, when present, must be 1).
    pub fn from_explicit(explicit: &ExplicitCurve) -> Result<EcCurve, EcError> {
        let unsupported = || EcError::UnsupportedExplicitCurve {
            field_bits: bit_length(&explicit.p),
        };
        if let Some(h) = &explicit.h
            && strip(h) != [1]
        {
            return Err(unsupported());
        }
        for curve in Self::ALL {
            let [p, a, b, g, n] = with_curve!(curve, C => self::params::<C>());
            if strip(&explicit.p) != strip(&p)
                || strip(&explicit.a) != strip(&a)
                || strip(&explicit.b) != strip(&b)
                || strip(&explicit.n) != strip(&n)
            {
                continue;
            }
            // The generator may be given compressed: compare its x-coordinate and, if uncompressed, y.
            let same_g = match explicit.g.first() {
                Some(0x04) => explicit.g == g,
                Some(t @ (0x02 | 0x03)) => {
                    let fs = curve.field_size();
                    let y_odd = g.last().is_some_and(|y| y & 1 == 1);
                    explicit.g.get(1..) == g.get(1..=fs) && ((*t == 0x03) == y_odd)
                }
                _ => false,
            };
            if same_g {
                return Ok(curve);
            }
        }
        Err(unsupported())
    }

    /// The curve of encoded EC domain parameters (the `parameters` of an id-ecPublicKey or
    /// ChipAuthenticationPublicKeyInfo AlgorithmIdentifier): a named-curve OID, or explicit ECParameters
    /// that equal one of the supported curves exactly.
    pub fn from_parameters(encoded: &[u8]) -> Result<EcCurve, EcError> {
        let (params, rest) = asn1::parse_one(encoded)
            .map_err(|_| EcError::MalformedParameters("not a DER value"))?;
        if !rest.is_empty() {
            return Err(EcError::MalformedParameters("bytes after the parameters"));
        }
        match params.tag {
            0x06 => Self::from_oid(params.value)
                .ok_or_else(|| EcError::UnknownNamedCurve(oid_text(params.value))),
            0x30 => Self::from_explicit(&ExplicitCurve::parse(&params)?),
            0x05 => Err(EcError::MalformedParameters(
                "implicitlyCA (parameters inherited from the issuer) is not supported",
            )),
            _ => Err(EcError::MalformedParameters(
                "neither a named-curve OID nor ECParameters",
            )),
        }
    }

    /// The curve of a named-curve OID given as its encoded content bytes.
    pub fn from_oid(encoded: &[u8]) -> Option<EcCurve> {
        Self::ALL.into_iter().find(|c| c.oid() == encoded)
    }

    /// The named-curve OID, encoded (content bytes of the `06` object).
    pub fn oid(self) -> &'static [u8] {
        match self {
            EcCurve::NistP192 => &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x01],
            EcCurve::BrainpoolP192r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x03],
            EcCurve::NistP224 => &[0x2B, 0x81, 0x04, 0x00, 0x21],
            EcCurve::BrainpoolP224r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x05],
            EcCurve::NistP256 => &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07],
            EcCurve::BrainpoolP256r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07],
            EcCurve::BrainpoolP320r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x09],
            EcCurve::NistP384 => &[0x2B, 0x81, 0x04, 0x00, 0x22],
            EcCurve::BrainpoolP384r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B],
            EcCurve::BrainpoolP512r1 => &[0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0D],
            EcCurve::NistP521 => &[0x2B, 0x81, 0x04, 0x00, 0x23],
        }
    }

    /// The security strength in bits (half the bit length of the group order), for ranking PACE offers.
    pub fn security_bits(self) -> u32 {
        match self {
            EcCurve::NistP192 | EcCurve::BrainpoolP192r1 => 96,
            EcCurve::NistP224 | EcCurve::BrainpoolP224r1 => 112,
            EcCurve::NistP256 | EcCurve::BrainpoolP256r1 => 128,
            EcCurve::BrainpoolP320r1 => 160,
            EcCurve::NistP384 | EcCurve::BrainpoolP384r1 => 192,
            EcCurve::BrainpoolP512r1 | EcCurve::NistP521 => 256,
        }
    }

    /// Decodes and validates a public key of a certificate or DG15: an SEC1 point, uncompressed
    /// (`04 ‖ x ‖ y`) or compressed (`02`/`03 ‖ x`), field-size coordinates, on the curve and not the point
    /// at infinity. Protocol messages (PACE, CA) use the stricter [`EcCurve::decode_point`].
    pub fn decode_public_key(self, bytes: &[u8]) -> Result<EcPoint, EcError> {
        match with_curve!(self, C => decode_sec1::<C>(bytes)) {
            Some(encoded) => Ok(EcPoint {
                curve: self,
                encoded,
            }),
            None => Err(EcError::InvalidPoint {
                curve: self.name(),
                len: bytes.len(),
            }),
        }
    }

    /// ECDSA verification of `digest` (already hashed) with `key`; `r` and `s` are big-endian unsigned
    /// integers (leading zeros allowed). `Ok(false)`: a well-formed signature that does not verify.
    pub fn verify_ecdsa_prehash(
        self,
        key: &EcPoint,
        digest: &[u8],
        r: &[u8],
        s: &[u8],
    ) -> Result<bool, EcError> {
        if key.curve != self {
            return Err(EcError::CurveMismatch);
        }
        with_curve!(self, C => ecdsa_verify::<C>(&key.encoded, digest, r, s))
            .ok_or(EcError::InvalidSignatureValue(self.name()))
    }
}

fn bit_length(v: &[u8]) -> usize {
    let v = strip(v);
    v.first()
        .map_or(0, |b| v.len() * 8 - b.leading_zeros() as usize)
}

/// Dotted text of an encoded OID for messages (hex when it does not decode).
fn oid_text(encoded: &[u8]) -> String {
    crate::asn1::ObjectIdentifier::from_bytes(encoded)
        .map(|o| o.to_string())
        .unwrap_or_else(|_| encoded.iter().map(|b| format!("{b:02X}")).collect())
}

/// `r mod m` for big-endian `r` and `m`, left-padded to the length of `m`.
pub(crate) fn reduce_mod(r: &[u8], m: &[u8]) -> Zeroizing<Vec<u8>> {
    use crypto_bigint::{BoxedUint, NonZero, Resize};
    let r = BoxedUint::from_be_slice_vartime(r);
    let modulus = BoxedUint::from_be_slice_vartime(m);
    let prec = r.bits_precision().max(modulus.bits_precision());
    let modulus = modulus.resize(prec);
    let rem = match NonZero::new(modulus).into_option() {
        Some(nz) => r.resize(prec).rem(&nz),
        None => BoxedUint::zero_with_precision(prec),
    };
    let bytes = rem.to_be_bytes();
    let mut out = Zeroizing::new(vec![0u8; m.len()]);
    let take = bytes.len().min(m.len());
    out[m.len() - take..].copy_from_slice(&bytes[bytes.len() - take..]);
    out
}

/// A validated point on a supported curve (never infinity), kept as its uncompressed encoding.
#[derive(Clone, PartialEq, Eq)]
pub struct EcPoint {
    curve: EcCurve,
    encoded: Vec<u8>,
}

impl fmt::Debug for EcPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EcPoint({}, ", self.curve.name())?;
        for b in &self.encoded {
            write!(f, "{b:02X}")?;
        }
        write!(f, ")")
    }
}

impl EcPoint {
    /// The curve the point lies on.
    pub fn curve(&self) -> EcCurve {
        self.curve
    }

    /// The uncompressed encoding `04 ‖ x ‖ y` (coordinates left-padded to the field size).
    pub fn as_bytes(&self) -> &[u8] {
        &self.encoded
    }

    /// The x-coordinate (field-size bytes).
    pub fn x(&self) -> &[u8] {
        let fs = self.curve.field_size();
        self.encoded.get(1..=fs).unwrap_or(&[])
    }

    /// `k · self`.
    pub fn mul(&self, k: &EcScalar) -> Result<EcPoint, EcError> {
        if k.curve != self.curve {
            return Err(EcError::CurveMismatch);
        }
        let encoded = with_curve!(self.curve, C => mul::<C>(&self.encoded, &k.bytes))
            .ok_or(EcError::Identity("scalar multiplication"))?;
        Ok(EcPoint {
            curve: self.curve,
            encoded,
        })
    }

    /// Comb tables for many ECDSA verifications with this point as the public key (a Document Signer's
    /// key): see `crypto/ec/comb.rs`.
    pub fn ecdsa_table(&self) -> Result<EcdsaTable, EcError> {
        with_curve!(self.curve, C => decode::<C>(&self.encoded)
            .map(|p| EcdsaTable::new::<C>(self.curve, &p)))
        .ok_or(EcError::InvalidPoint {
            curve: self.curve.name(),
            len: self.encoded.len(),
        })
    }

    /// `self + other`.
    pub fn add(&self, other: &EcPoint) -> Result<EcPoint, EcError> {
        if other.curve != self.curve {
            return Err(EcError::CurveMismatch);
        }
        let encoded = with_curve!(self.curve, C => add::<C>(&self.encoded, &other.encoded))
            .ok_or(EcError::Identity("point addition"))?;
        Ok(EcPoint {
            curve: self.curve,
            encoded,
        })
    }
}

/// A private scalar `1 ≤ k < n` of a supported curve, big-endian field-size bytes, zeroized on drop.
#[derive(Clone)]
pub struct EcScalar {
    curve: EcCurve,
    bytes: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for EcScalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EcScalar({}, <redacted>)", self.curve.name())
    }
}

impl EcScalar {
    /// The curve of the scalar.
    pub fn curve(&self) -> EcCurve {
        self.curve
    }

    /// The big-endian bytes (field size).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.bytes.clone()
    }

    /// The public key `k · G'` for the generator `generator` (the curve's G or a mapped G~).
    pub fn public_key(&self, generator: &EcPoint) -> Result<EcPoint, EcError> {
        generator.mul(self)
    }

    /// ECDH: the x-coordinate of `k · peer` (field-size bytes), the shared secret of ICAO 9303-11.
    pub fn diffie_hellman(&self, peer: &EcPoint) -> Result<Zeroizing<Vec<u8>>, EcError> {
        if peer.curve != self.curve {
            return Err(EcError::CurveMismatch);
        }
        with_curve!(self.curve, C => ecdh_x::<C>(&self.bytes, &peer.encoded))
            .ok_or(EcError::Identity("ECDH"))
    }

    /// ECDSA with this key over a message already hashed with `hash` (RFC 6979 nonce): the plain
    /// signature `r ‖ s`, each half left-padded to the field size.
    pub fn sign_prehashed(&self, hash: HashAlgorithm, digest: &[u8]) -> Result<Vec<u8>, EcError> {
        with_curve!(self.curve, C => ecdsa_sign::<C>(&self.bytes, digest, hash))
            .ok_or(EcError::InvalidScalar(self.curve.name()))
    }

    /// `self⁻¹ · other mod n` (PACE-CAM: CA_IC = SK_IC⁻¹ · SK_map,IC), as field-size bytes.
    pub fn invert_mul(&self, other: &EcScalar) -> Result<Zeroizing<Vec<u8>>, EcError> {
        if other.curve != self.curve {
            return Err(EcError::CurveMismatch);
        }
        with_curve!(self.curve, C => inv_mul::<C>(&self.bytes, &other.bytes))
            .ok_or(EcError::InvalidScalar(self.curve.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::der;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    #[test]
    fn every_curve_has_a_consistent_group() {
        for curve in EcCurve::ALL {
            assert_eq!(
                EcCurve::from_parameter_id(curve.parameter_id()),
                Some(curve)
            );
            let g = curve.generator();
            assert_eq!(g.as_bytes().len(), 1 + 2 * curve.field_size());
            assert_eq!(curve.prime().len(), curve.field_size(), "{}", curve.name());
            assert_eq!(curve.order().len(), curve.field_size(), "{}", curve.name());
            // (n − 1)·G = −G, so (n − 1)·G + 2·G = G.
            let mut n1 = curve.order();
            *n1.last_mut().unwrap() -= 1;
            let minus_g = g.mul(&curve.scalar(&n1).unwrap()).unwrap();
            let mut two = vec![0u8; curve.field_size()];
            *two.last_mut().unwrap() = 2;
            let two_g = g.mul(&curve.scalar(&two).unwrap()).unwrap();
            assert_eq!(minus_g.add(&two_g).unwrap(), g, "{}", curve.name());
            assert!(minus_g.add(&g).is_err(), "G + (−G) is infinity");
            // ECDH agrees both ways.
            let a = curve.scalar(&two).unwrap();
            let mut three = two.clone();
            *three.last_mut().unwrap() = 3;
            let b = curve.scalar(&three).unwrap();
            let pa = a.public_key(&g).unwrap();
            let pb = b.public_key(&g).unwrap();
            assert_eq!(
                *a.diffie_hellman(&pb).unwrap(),
                *b.diffie_hellman(&pa).unwrap()
            );
            // Explicit parameters are recognised.
            let explicit = ExplicitCurve {
                p: curve.prime(),
                a: curve.a(),
                b: curve.b(),
                g: g.as_bytes().to_vec(),
                n: curve.order(),
                h: Some(vec![1]),
            };
            assert_eq!(EcCurve::from_explicit(&explicit), Ok(curve));
            let mut other = explicit.clone();
            other.b[3] ^= 1;
            assert_eq!(
                EcCurve::from_explicit(&other),
                Err(EcError::UnsupportedExplicitCurve {
                    field_bits: curve.field_size() * 8
                        - usize::from(curve == EcCurve::NistP521) * 7
                })
            );
            // A point off the curve, a zero scalar and n itself are refused.
            let mut off = g.as_bytes().to_vec();
            *off.last_mut().unwrap() ^= 1;
            assert!(curve.decode_point(&off).is_err());
            assert!(curve.scalar(&vec![0; curve.field_size()]).is_err());
            assert!(curve.scalar(&curve.order()).is_err());
        }
        assert_eq!(EcCurve::from_parameter_id(7), None);
        assert_eq!(EcCurve::from_parameter_id(19), None);
    }

    /// ECParameters of `curve` as X9.62 writes them (optionally without the cofactor, with a compressed
    /// base point, or with a seed in `curve`).
    fn ec_parameters(curve: EcCurve, cofactor: bool, compressed_g: bool, seed: bool) -> Vec<u8> {
        let uint = |v: &[u8]| {
            let mut x = vec![0];
            x.extend_from_slice(v);
            der::tlv(0x02, &x)
        };
        let g = curve.generator();
        let base = if compressed_g {
            let y_odd = g.as_bytes().last().unwrap() & 1 == 1;
            let mut c = vec![if y_odd { 0x03 } else { 0x02 }];
            c.extend_from_slice(g.x());
            c
        } else {
            g.as_bytes().to_vec()
        };
        let mut coefficients = vec![der::tlv(0x04, &curve.a()), der::tlv(0x04, &curve.b())];
        if seed {
            coefficients.push(der::tlv(0x03, &[0x00, 0x12, 0x34]));
        }
        let mut fields = vec![
            der::tlv(0x02, &[1]),
            der::constructed(
                0x30,
                &[&der::tlv(0x06, &PRIME_FIELD), &uint(&curve.prime())],
            ),
            der::constructed(
                0x30,
                &coefficients.iter().map(Vec::as_slice).collect::<Vec<_>>(),
            ),
            der::tlv(0x04, &base),
            uint(&curve.order()),
        ];
        if cofactor {
            fields.push(der::tlv(0x02, &[1]));
        }
        der::constructed(0x30, &fields.iter().map(Vec::as_slice).collect::<Vec<_>>())
    }

    #[test]
    fn named_and_explicit_parameters_resolve_to_the_registry() {
        for curve in EcCurve::ALL {
            // The OID table agrees with the dotted names.
            let dotted = crate::asn1::ObjectIdentifier::from_bytes(curve.oid()).unwrap();
            assert_eq!(EcCurve::from_oid(dotted.as_bytes()), Some(curve));
            assert_eq!(
                EcCurve::from_parameters(&der::tlv(0x06, curve.oid())),
                Ok(curve)
            );
            for (cofactor, compressed, seed) in [
                (true, false, false),
                (false, false, true),
                (true, true, false),
            ] {
                let explicit = ec_parameters(curve, cofactor, compressed, seed);
                assert_eq!(
                    EcCurve::from_parameters(&explicit),
                    Ok(curve),
                    "{}",
                    curve.name()
                );
                // Every truncation is an error, never a panic.
                for cut in 0..explicit.len() {
                    assert!(EcCurve::from_parameters(&explicit[..cut]).is_err());
                }
            }
        }
        assert_eq!(
            crate::asn1::ObjectIdentifier::from_bytes(EcCurve::BrainpoolP512r1.oid())
                .unwrap()
                .to_string(),
            "1.3.36.3.3.2.8.1.1.13"
        );
        assert_eq!(
            hex::encode(EcCurve::NistP256.prime()),
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
        );
        // secp256k1: a named curve that is not supported.
        assert_eq!(
            EcCurve::from_parameters(&der::tlv(0x06, &[0x2B, 0x81, 0x04, 0x00, 0x0A])),
            Err(EcError::UnknownNamedCurve("1.3.132.0.10".into()))
        );
        assert!(matches!(
            EcCurve::from_parameters(&[0x05, 0x00]),
            Err(EcError::MalformedParameters(_))
        ));
        let mut trailing = der::tlv(0x06, EcCurve::NistP256.oid());
        trailing.push(0);
        assert!(EcCurve::from_parameters(&trailing).is_err());
    }

    #[test]
    fn explicit_parameters_must_match_exactly() {
        let curve = EcCurve::BrainpoolP256r1;
        let good = ExplicitCurve::parse(
            &asn1::parse_tagged(&ec_parameters(curve, true, false, false), 0x30).unwrap(),
        )
        .unwrap();
        assert_eq!(EcCurve::from_explicit(&good), Ok(curve));
        let refused = |e: &ExplicitCurve| {
            assert_eq!(
                EcCurve::from_explicit(e),
                Err(EcError::UnsupportedExplicitCurve { field_bits: 256 })
            );
        };
        // brainpoolP256t1 (a = p − 3, its own b and G), a cofactor of 2, another generator (2·G),
        // a smaller order: all refused.
        let mut twisted = good.clone();
        twisted.a = curve.prime();
        *twisted.a.last_mut().unwrap() -= 3;
        refused(&twisted);
        let mut cofactor = good.clone();
        cofactor.h = Some(vec![2]);
        refused(&cofactor);
        let mut other_g = good.clone();
        let mut two = vec![0u8; 32];
        two[31] = 2;
        other_g.g = curve
            .generator()
            .mul(&curve.scalar(&two).unwrap())
            .unwrap()
            .as_bytes()
            .to_vec();
        refused(&other_g);
        let mut order = good.clone();
        order.n[31] ^= 0x10;
        refused(&order);
        // Wrong field type, a negative prime, a missing order.
        let c = ec_parameters(curve, true, false, false);
        let mut char_two = c.clone();
        let at = char_two
            .windows(PRIME_FIELD.len())
            .position(|w| w == PRIME_FIELD)
            .unwrap();
        char_two[at + PRIME_FIELD.len() - 1] = 0x02;
        assert_eq!(
            EcCurve::from_parameters(&char_two),
            Err(EcError::MalformedParameters("not a prime-field curve"))
        );
        let negative = der::constructed(
            0x30,
            &[
                &der::tlv(0x02, &[1]),
                &der::constructed(
                    0x30,
                    &[
                        &der::tlv(0x06, &PRIME_FIELD),
                        &der::tlv(0x02, &curve.prime()),
                    ],
                ),
            ],
        );
        assert_eq!(
            EcCurve::from_parameters(&negative),
            Err(EcError::MalformedParameters("prime p"))
        );
    }

    #[test]
    fn points_are_validated() {
        for curve in EcCurve::ALL {
            let g = curve.generator();
            let fs = curve.field_size();
            // On the curve, uncompressed, coordinates of exactly the field size.
            assert_eq!(curve.decode_point(g.as_bytes()), Ok(g.clone()));
            let mut off = g.as_bytes().to_vec();
            *off.last_mut().unwrap() ^= 1;
            let mut short = vec![0x04];
            short.extend_from_slice(&g.as_bytes()[2..=fs]);
            short.extend_from_slice(&g.as_bytes()[fs + 1..]);
            let mut long = vec![0x04, 0x00];
            long.extend_from_slice(&g.as_bytes()[1..]);
            let mut compressed = vec![0x02 | (g.as_bytes().last().unwrap() & 1)];
            compressed.extend_from_slice(g.x());
            let mut hybrid = g.as_bytes().to_vec();
            hybrid[0] = 0x06;
            let zeros = vec![0u8; 1 + 2 * fs];
            let mut zero_point = zeros.clone();
            zero_point[0] = 0x04;
            for bad in [
                off.clone(),
                short,
                long,
                compressed.clone(),
                hybrid,
                vec![0x00],
                zero_point,
                Vec::new(),
            ] {
                assert!(
                    matches!(curve.decode_point(&bad), Err(EcError::InvalidPoint { .. })),
                    "{}: {}",
                    curve.name(),
                    hex::encode(&bad)
                );
            }
            // Keys of certificates may be compressed; they come back uncompressed.
            assert_eq!(curve.decode_public_key(&compressed), Ok(g.clone()));
            assert_eq!(curve.decode_public_key(g.as_bytes()), Ok(g.clone()));
            assert!(curve.decode_public_key(&off).is_err());
            assert!(curve.decode_public_key(&[0x00]).is_err());
        }
    }

    #[test]
    fn ecdsa_verification_through_the_registry() {
        use ecdsa::signature::hazmat::PrehashSigner;
        let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let digest = [0x5Au8; 32];
        let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        let bytes = sig.to_bytes();
        let (r, s) = bytes.split_at(32);
        let curve = EcCurve::NistP256;
        let key = curve
            .decode_public_key(sk.verifying_key().to_sec1_point(false).as_bytes())
            .unwrap();
        assert_eq!(curve.verify_ecdsa_prehash(&key, &digest, r, s), Ok(true));
        let mut r_padded = vec![0, 0];
        r_padded.extend_from_slice(r);
        assert_eq!(
            curve.verify_ecdsa_prehash(&key, &digest, &r_padded, s),
            Ok(true)
        );
        assert_eq!(
            curve.verify_ecdsa_prehash(&key, &[0xA5; 32], r, s),
            Ok(false)
        );
        // r = 0, s = n, r longer than the order: malformed, not merely wrong.
        let n = curve.order();
        for (r, s) in [(&[0u8][..], s), (r, &n[..]), (&[1u8; 33][..], s)] {
            assert_eq!(
                curve.verify_ecdsa_prehash(&key, &digest, r, s),
                Err(EcError::InvalidSignatureValue("NIST P-256"))
            );
        }
        let other = EcCurve::BrainpoolP256r1.generator();
        assert_eq!(
            curve.verify_ecdsa_prehash(&other, &digest, r, s),
            Err(EcError::CurveMismatch)
        );
    }

    #[test]
    fn brainpool_p256_gm_vector() {
        // ICAO 9303-11 PACE ECDH GM worked example: H = SK_map,IFD · PK_map,IC.
        let curve = EcCurve::BrainpoolP256r1;
        let sk = curve
            .scalar(&h(
                "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99",
            ))
            .unwrap();
        let pk = sk.public_key(&curve.generator()).unwrap();
        assert_eq!(
            pk.as_bytes(),
            h(
                "04 7ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E 544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D"
            )
        );
        let pk_ic = curve
            .decode_point(&h("04 824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57 30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"))
            .unwrap();
        let hp = pk_ic.mul(&sk).unwrap();
        assert_eq!(
            hp.as_bytes(),
            h(
                "04 60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5 0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181"
            )
        );
    }

    #[test]
    fn integrated_mapping_point_encoding_vector() {
        let g = EcCurve::BrainpoolP256r1
            .integrated_map(&h("E4447E2DFB3586BAC05DDB00156B57FBB2179A3949294C97254189800C517BAA8DA0FF397ED8C445D3E421E4FEB57322"))
            .unwrap();
        assert_eq!(
            g.as_bytes(),
            h(
                "04 8E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D427 4C1AE14BD0C3DBAC0C871B7F3608169364437CA30AC243A089D3F266C1E60FAD"
            )
        );
        // Every curve with p ≡ 3 mod 4 maps to a valid point; P-224 (p ≡ 1 mod 4) is refused.
        for curve in EcCurve::ALL {
            assert_eq!(
                curve.integrated_map(&[0x5A; 80]).is_ok(),
                curve != EcCurve::NistP224,
                "{}",
                curve.name()
            );
        }
    }

    #[test]
    fn random_scalar_keeps_valid_bytes_and_rejects_out_of_range() {
        struct Fixed(Vec<u8>);
        impl rand_core::TryRng for Fixed {
            type Error = core::convert::Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
                Ok(0)
            }
            fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
                Ok(0)
            }
            fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
                let n = dst.len();
                dst.copy_from_slice(&self.0[..n]);
                self.0.drain(..n);
                Ok(())
            }
        }
        impl rand_core::TryCryptoRng for Fixed {}
        let curve = EcCurve::BrainpoolP256r1;
        let mut bytes = vec![0xFF; 32]; // ≥ n: rejected
        bytes.extend(h(
            "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595",
        ));
        let k = curve.random_scalar(&mut Fixed(bytes));
        assert_eq!(
            *k.to_bytes(),
            h("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595")
        );
        let mut p521 = vec![0xFF];
        p521.extend([0u8; 65]);
        let k = EcCurve::NistP521.random_scalar(&mut Fixed(p521));
        assert_eq!(k.to_bytes()[0], 0x01);
    }
}
