//! Fixed-base comb tables (Lim–Lee) for ECDSA verification with a public key that verifies many
//! signatures, as a Document Signer's key does in a verification service.
//!
//! ECDSA verification computes `u1·G + u2·Q`. Without precomputation that is one joint double-and-add
//! over the scalars' bits (about one doubling per bit plus the additions). A comb table of `2^TEETH`
//! affine points for a point `P`, `T[b] = Σ_{j : bit j of b} 2^(j·d)·P` with spacing `d = ⌈bits(n) /
//! TEETH⌉`, turns `k·P` into `d` doublings and `d` additions: column `i` of the comb gathers the bits
//! `i, d + i, 2d + i, …` of `k` into one table index. The generator's table is built once per curve
//! and kept for the process; a key's table is built once per key (about `TEETH·d` doublings,
//! `2^TEETH` additions and one batch inversion, the cost of a few verifications) and kept with the key.
//! Both combs share the spacing, so their doublings are shared: a verification on P-256 is 32 doublings
//! and at most 64 mixed additions, against about 256 doublings and 100 additions for the joint
//! double-and-add of the `ecdsa` crate.
//!
//! Everything here is variable-time: ECDSA verification handles only public values.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use elliptic_curve::bigint::BitOps as _;
use elliptic_curve::ff::PrimeField;
use elliptic_curve::group::Group as _;
use elliptic_curve::ops::{Invert, Reduce};
use elliptic_curve::point::{AffineCoordinates, BatchNormalize};
use elliptic_curve::{FieldBytes, Scalar};
use primeorder::{AffinePoint, PrimeCurveParams, ProjectivePoint};

use super::EcCurve;

/// Teeth of every comb: a table holds `2^TEETH` points (P-256: 256 affine points, about 18 KB).
const TEETH: usize = 8;

/// A comb table of one point (see the module documentation).
pub(crate) struct Comb<C: PrimeCurveParams> {
    /// `points[b] = Σ_{j : bit j of b} 2^(j·spacing)·P`; `points[0]` is the identity and never added.
    points: Vec<AffinePoint<C>>,
    /// `d`: the distance in bits between two teeth.
    spacing: usize,
}

impl<C: PrimeCurveParams> Comb<C> {
    /// The comb table of `p`.
    pub(crate) fn new(p: &ProjectivePoint<C>) -> Self {
        let spacing = spacing::<C>();
        let mut projective = vec![ProjectivePoint::<C>::IDENTITY; 1 << TEETH];
        let mut tooth = *p;
        for j in 0..TEETH {
            projective[1 << j] = tooth;
            for _ in 0..spacing {
                tooth = tooth.double();
            }
        }
        for b in 1..projective.len() {
            if !b.is_power_of_two() {
                let top = 1usize << (usize::BITS - 1 - b.leading_zeros());
                projective[b] = projective[b ^ top] + projective[top];
            }
        }
        Comb {
            points: <ProjectivePoint<C> as BatchNormalize<[ProjectivePoint<C>]>>::batch_normalize(
                &projective,
            ),
            spacing,
        }
    }
}

/// `⌈bits(n) / TEETH⌉`: the comb spacing that covers every scalar below the group order.
fn spacing<C: PrimeCurveParams>() -> usize {
    let bits = usize::try_from(C::ORDER.bit_width()).unwrap_or(usize::MAX);
    bits.div_ceil(TEETH)
}

/// Bit `k` of the big-endian integer `be` (0 past its end).
fn bit(be: &[u8], k: usize) -> usize {
    let Some(index) = be.len().checked_sub(1 + k / 8) else {
        return 0;
    };
    be.get(index)
        .map_or(0, |byte| usize::from((byte >> (k % 8)) & 1))
}

/// Column `i` of the comb over the scalar `be`: the bits `i, d + i, 2d + i, …` as a table index.
fn column(be: &[u8], i: usize, spacing: usize) -> usize {
    (0..TEETH).fold(0, |acc, j| acc | (bit(be, j * spacing + i) << j))
}

/// `u1·G + u2·Q` from the two combs, which share their spacing.
fn lincomb<C: PrimeCurveParams>(
    g: &Comb<C>,
    u1: &Scalar<C>,
    q: &Comb<C>,
    u2: &Scalar<C>,
) -> ProjectivePoint<C> {
    let (k1, k2) = (u1.to_repr(), u2.to_repr());
    let (k1, k2): (&[u8], &[u8]) = (k1.as_ref(), k2.as_ref());
    let mut acc = ProjectivePoint::<C>::IDENTITY;
    for i in (0..g.spacing).rev() {
        acc = acc.double();
        for (comb, k) in [(g, k1), (q, k2)] {
            let b = column(k, i, comb.spacing);
            if let Some(point) = comb.points.get(b).filter(|_| b != 0) {
                acc += point;
            }
        }
    }
    acc
}

/// An integer given as big-endian bytes, truncated to the bit length of the group order (FIPS 186-5
/// §6.4.2: the leftmost bits of the digest) and reduced modulo the order.
fn bits2scalar<C: PrimeCurveParams>(bytes: &[u8]) -> Scalar<C> {
    let mut field = FieldBytes::<C>::default();
    let size = field.len();
    let n_bits = usize::try_from(C::ORDER.bit_width()).unwrap_or(usize::MAX);
    let taken = &bytes[..bytes.len().min(size)];
    field[size - taken.len()..].copy_from_slice(taken);
    // Only when the digest is at least as long as the field can it exceed the order's bit length.
    let excess = (8 * size).saturating_sub(n_bits);
    if bytes.len() >= size && excess > 0 {
        let mut carry = 0u8;
        for byte in field.iter_mut() {
            let next = *byte << (8 - excess);
            *byte = (*byte >> excess) | carry;
            carry = next;
        }
    }
    <Scalar<C> as Reduce<FieldBytes<C>>>::reduce(&field)
}

/// A scalar in `[1, n - 1]` from big-endian bytes (leading zeros allowed), or `None`.
fn nonzero_scalar<C: PrimeCurveParams>(be: &[u8]) -> Option<Scalar<C>> {
    let start = be.iter().position(|b| *b != 0).unwrap_or(be.len());
    let be = &be[start..];
    let mut field = FieldBytes::<C>::default();
    let size = field.len();
    if be.is_empty() || be.len() > size {
        return None;
    }
    field[size - be.len()..].copy_from_slice(be);
    Option::<Scalar<C>>::from(Scalar::<C>::from_repr(field))
}

/// ECDSA verification (FIPS 186-5 §6.4.2) of `digest` with the signature `(r, s)` by the key whose comb is
/// `q`; `None` when `r` or `s` is not in `[1, n - 1]`.
fn verify<C: PrimeCurveParams>(
    g: &Comb<C>,
    q: &Comb<C>,
    digest: &[u8],
    r: &[u8],
    s: &[u8],
) -> Option<bool> {
    let r_scalar = nonzero_scalar::<C>(r)?;
    let s_scalar = nonzero_scalar::<C>(s)?;
    let s_inv = Option::<Scalar<C>>::from(s_scalar.invert_vartime())?;
    let u1 = bits2scalar::<C>(digest) * s_inv;
    let u2 = r_scalar * s_inv;
    let point = lincomb(g, &u1, q, &u2);
    if bool::from(point.is_identity()) {
        return Some(false);
    }
    // x(R) mod n: the x-coordinate is reduced, not truncated like the digest.
    let x = <Scalar<C> as Reduce<FieldBytes<C>>>::reduce(&point.to_affine().x());
    Some(x == r_scalar)
}

/// The generator combs built so far, one per curve, kept for the process.
fn generator_comb<C: PrimeCurveParams>(curve: EcCurve) -> Arc<Comb<C>> {
    type Combs = Mutex<HashMap<EcCurve, Arc<dyn Any + Send + Sync>>>;
    static GENERATORS: OnceLock<Combs> = OnceLock::new();
    let mut combs = GENERATORS
        .get_or_init(Combs::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(comb) = combs
        .get(&curve)
        .and_then(|c| Arc::clone(c).downcast::<Comb<C>>().ok())
    {
        return comb;
    }
    let comb = Arc::new(Comb::<C>::new(&ProjectivePoint::<C>::GENERATOR));
    combs.insert(curve, comb.clone());
    comb
}

/// ECDSA verification on one curve with both combs at hand.
trait CombVerify: Send + Sync {
    fn verify(&self, digest: &[u8], r: &[u8], s: &[u8]) -> Option<bool>;
}

struct CombPair<C: PrimeCurveParams> {
    generator: Arc<Comb<C>>,
    key: Comb<C>,
}

impl<C: PrimeCurveParams> CombVerify for CombPair<C> {
    fn verify(&self, digest: &[u8], r: &[u8], s: &[u8]) -> Option<bool> {
        verify(&self.generator, &self.key, digest, r, s)
    }
}

/// An EC public key prepared for many ECDSA verifications: comb tables for the key and its curve's
/// generator. Made by [`super::EcPoint::ecdsa_table`]; cheap to clone (shared).
#[derive(Clone)]
pub struct EcdsaTable {
    curve: EcCurve,
    combs: Arc<dyn CombVerify>,
}

impl fmt::Debug for EcdsaTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EcdsaTable({})", self.curve.name())
    }
}

impl EcdsaTable {
    /// The comb tables of `point` on `curve` (and the curve's generator, built on first use).
    pub(crate) fn new<C: PrimeCurveParams>(curve: EcCurve, point: &AffinePoint<C>) -> Self {
        EcdsaTable {
            curve,
            combs: Arc::new(CombPair {
                generator: generator_comb::<C>(curve),
                key: Comb::new(&ProjectivePoint::<C>::from(point)),
            }),
        }
    }

    /// The curve of the key.
    pub fn curve(&self) -> EcCurve {
        self.curve
    }

    /// ECDSA verification of `digest` (already hashed) with the key; `r` and `s` are big-endian unsigned
    /// integers (leading zeros allowed). `None` when `r` or `s` is not in `[1, n - 1]`; `Some(false)`: a
    /// well-formed signature that does not verify.
    pub fn verify_prehash(&self, digest: &[u8], r: &[u8], s: &[u8]) -> Option<bool> {
        self.combs.verify(digest, r, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hash::HashAlgorithm;

    /// A deterministic non-zero scalar for `curve` from a seed (first byte kept small so it is below n).
    fn scalar(curve: EcCurve, seed: u8) -> crate::crypto::ec::EcScalar {
        let mut bytes = vec![seed; curve.field_size()];
        bytes[0] = 0x01;
        curve.scalar(&bytes).unwrap()
    }

    /// Every curve, every digest length: the comb verification agrees with the `ecdsa` crate's on good
    /// signatures, on signatures over another digest, with another key, and on out-of-range values.
    #[test]
    fn comb_verification_agrees_with_the_ecdsa_crate_on_every_curve() {
        for curve in EcCurve::ALL {
            let fs = curve.field_size();
            let d = scalar(curve, 0x35);
            let key = d.public_key(&curve.generator()).unwrap();
            let other = scalar(curve, 0x53).public_key(&curve.generator()).unwrap();
            let table = key.ecdsa_table().unwrap();
            let other_table = other.ecdsa_table().unwrap();
            assert_eq!(table.curve(), curve);
            for hash in [
                HashAlgorithm::Sha1,
                HashAlgorithm::Sha256,
                HashAlgorithm::Sha384,
                HashAlgorithm::Sha512,
            ] {
                for message in [&b"EF.SOD signed attributes"[..], b"another document"] {
                    let digest = hash.digest(message);
                    let sig = d.sign_prehashed(hash, &digest).unwrap();
                    let (r, s) = sig.split_at(fs);
                    let what = format!("{} {hash:?}", curve.name());
                    assert_eq!(table.verify_prehash(&digest, r, s), Some(true), "{what}");
                    assert_eq!(
                        curve.verify_ecdsa_prehash(&key, &digest, r, s),
                        Ok(true),
                        "{what}"
                    );
                    assert_eq!(other_table.verify_prehash(&digest, r, s), Some(false));
                    // The first byte: a digest longer than the order is cut to its leftmost bits.
                    let mut wrong = digest.clone();
                    wrong[0] ^= 1;
                    assert_eq!(table.verify_prehash(&wrong, r, s), Some(false), "{what}");
                    assert_eq!(table.verify_prehash(&digest, s, r), Some(false), "{what}");
                    // Leading zero bytes are allowed.
                    let mut padded = vec![0u8; 3];
                    padded.extend_from_slice(r);
                    assert_eq!(table.verify_prehash(&digest, &padded, s), Some(true));
                }
            }
            let digest = HashAlgorithm::Sha256.digest(b"x");
            let n = curve.order();
            let one = [1u8];
            for (r, s) in [
                (&[0u8][..], &one[..]),
                (&one[..], &n[..]),
                (&n[..], &one[..]),
            ] {
                assert_eq!(
                    table.verify_prehash(&digest, r, s),
                    None,
                    "{}",
                    curve.name()
                );
            }
            assert_eq!(table.verify_prehash(&digest, &[], &one), None);
            assert_eq!(
                table.verify_prehash(&digest, &vec![1u8; fs + 1], &one),
                None
            );
        }
    }

    #[test]
    fn comb_digits_cover_every_bit() {
        // Column i of the comb over k gathers bits i, d + i, ...: every bit of a 256-bit scalar lands in
        // exactly one column, at its tooth.
        let spacing = 32;
        let mut k = [0u8; 32];
        for bit_index in [0usize, 1, 31, 32, 100, 255] {
            k.fill(0);
            k[31 - bit_index / 8] = 1 << (bit_index % 8);
            let columns: Vec<usize> = (0..spacing).map(|i| column(&k, i, spacing)).collect();
            for (i, c) in columns.iter().enumerate() {
                let expected = if i == bit_index % spacing {
                    1 << (bit_index / spacing)
                } else {
                    0
                };
                assert_eq!(*c, expected, "bit {bit_index} column {i}");
            }
        }
    }

    #[test]
    fn digest_truncation_keeps_the_leftmost_bits() {
        // A digest longer than P-256's order is cut to its leftmost 256 bits before reduction.
        let long: Vec<u8> = (0u8..64).collect();
        assert_eq!(
            bits2scalar::<p256::NistP256>(&long),
            bits2scalar::<p256::NistP256>(&long[..32])
        );
        // P-521: a 66-byte (528-bit) value keeps its leftmost 521 bits.
        let mut wide = [0u8; 66];
        wide[65] = 0x80;
        assert_eq!(
            bits2scalar::<p521::NistP521>(&wide),
            bits2scalar::<p521::NistP521>(&[0x01])
        );
    }
}
