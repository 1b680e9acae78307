//! Elliptic curves used by PACE and Chip Authentication: the standardized domain parameters of ICAO 9303-11
//! (table 9.5.1: ids 8–18) and recognition of explicit ones (ECParameters) as one of those curves.
//!
//! [`EcCurve`] is a runtime handle dispatching (by `match`) to the concrete RustCrypto curve types
//! (`p192`, `p224`, `p256`, `p384`, `p521`, `bp256`, `bp384`) and the in-tree brainpool curves of
//! [`super::brainpool`]. Points cross this interface as validated, uncompressed SEC1 encodings
//! ([`EcPoint`], `04 ‖ x ‖ y`, each coordinate left-padded to the field size); private scalars as
//! [`EcScalar`] (big-endian, field-size bytes, in `[1, n-1]`, zeroized on drop).
//! All curves here have cofactor 1, so every point on the curve other than infinity is in the group.

use super::brainpool::{
    p192r1::BrainpoolP192r1, p224r1::BrainpoolP224r1, p320r1::BrainpoolP320r1,
    p512r1::BrainpoolP512r1,
};
use elliptic_curve::array::typenum::Unsigned;
use elliptic_curve::ff::{Field, PrimeField};
use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::sec1::{FromSec1Point, Sec1Point, ToSec1Point};
use elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
use elliptic_curve::{FieldBytes, FieldBytesSize};
use primeorder::{AffinePoint, PrimeCurveParams, ProjectivePoint};
use rand_core::CryptoRng;
use std::fmt;
use zeroize::Zeroizing;

/// What went wrong with an elliptic-curve value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EcError {
    /// Bytes that are not an uncompressed point of the right length on the curve.
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
    /// Explicit domain parameters that match none of the supported curves.
    #[error("unsupported explicit curve")]
    UnsupportedExplicitCurve,
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
        if let Some(h) = &explicit.h
            && strip(h) != [1]
        {
            return Err(EcError::UnsupportedExplicitCurve);
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
        Err(EcError::UnsupportedExplicitCurve)
    }
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
                Err(EcError::UnsupportedExplicitCurve)
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
