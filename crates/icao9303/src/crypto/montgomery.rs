//! Montgomery arithmetic modulo an RSA public modulus, for RSAVP1 (RFC 8017 §5.2.2: `s^e mod n`) with a
//! public exponent: the one operation of an RSA signature check.
//!
//! A [`PublicModulus`] is prepared once per key (limbs, `-n⁻¹ mod 2⁶⁴`, `R² mod n`) and then raises
//! signature representatives to the public exponent by left-to-right square-and-multiply in Montgomery
//! form (`e = 65537`: 16 squarings and one product). Products are Montgomery multiplications by finely
//! integrated product scanning over 64-bit limbs (each column of the product and of the reduction summed
//! in a 192-bit accumulator, one pass); squarings compute each cross product once. Fixed buffers per
//! exponentiation, no allocation per product. In safe Rust each 64×64-bit multiply-accumulate costs
//! about two cycles (no MULX/ADX dual carry chains without assembly), see docs/performance.md.
//!
//! Everything here is variable-time in the exponent and in the final subtraction: it handles only public
//! values (the key, the signature, the recovered encoded message).

/// `x -= y` over equal-length little-endian limbs; returns the borrow.
fn sub_in_place(x: &mut [u64], y: &[u64]) -> u64 {
    let mut borrow = 0u64;
    for (xi, yi) in x.iter_mut().zip(y) {
        let (d, b1) = xi.overflowing_sub(*yi);
        let (d, b2) = d.overflowing_sub(borrow);
        *xi = d;
        borrow = u64::from(b1 | b2);
    }
    borrow
}

/// `x < y` over equal-length little-endian limbs.
fn less_than(x: &[u64], y: &[u64]) -> bool {
    for (xi, yi) in x.iter().zip(y).rev() {
        if xi != yi {
            return xi < yi;
        }
    }
    false
}

/// Little-endian 64-bit limbs of a big-endian integer, `len` limbs (the integer must fit).
fn limbs_from_be(be: &[u8], len: usize) -> Vec<u64> {
    let mut limbs = vec![0u64; len];
    for (i, chunk) in be.rchunks(8).enumerate() {
        let mut word = [0u8; 8];
        word[8 - chunk.len()..].copy_from_slice(chunk);
        if let Some(limb) = limbs.get_mut(i) {
            *limb = u64::from_be_bytes(word);
        }
    }
    limbs
}

/// A column accumulator of product scanning: 192 bits as (low 128, top 64).
#[derive(Clone, Copy, Default)]
struct Column {
    low: u128,
    top: u64,
}

impl Column {
    #[inline(always)]
    fn add_product(&mut self, a: u64, b: u64) {
        let (sum, overflow) = self.low.overflowing_add(u128::from(a) * u128::from(b));
        self.low = sum;
        self.top += u64::from(overflow);
    }

    #[inline(always)]
    fn add(&mut self, other: Column) {
        let (sum, overflow) = self.low.overflowing_add(other.low);
        self.low = sum;
        self.top += other.top + u64::from(overflow);
    }

    /// `2·self` (the column's cross products counted twice in a square).
    #[inline(always)]
    fn doubled(self) -> Column {
        Column {
            low: self.low << 1,
            top: (self.top << 1) | (self.low >> 127) as u64,
        }
    }

    /// The low limb, and the column shifted down by one limb.
    #[inline(always)]
    fn shift(self) -> (u64, Column) {
        (
            self.low as u64,
            Column {
                low: (self.low >> 64) | (u128::from(self.top) << 64),
                top: 0,
            },
        )
    }
}

/// Montgomery reduction interleaved with the columns of a product (finely integrated product scanning):
/// `column(k)` gives column `k` of the product (`0 ≤ k < 2L - 1`); the result, below `2n`, lands in
/// `out` (`L + 1` limbs). `m` is scratch of `L` limbs.
#[inline(always)]
fn reduce_columns(
    n: &[u64],
    n_prime: u64,
    m: &mut [u64],
    out: &mut [u64],
    column: impl Fn(usize) -> Column,
) {
    let l = n.len();
    let (m, out) = (&mut m[..l], &mut out[..=l]);
    let mut carry = Column::default();
    for k in 0..l {
        let mut acc = carry;
        acc.add(column(k));
        for (mi, nj) in m[..k].iter().zip(n[1..=k].iter().rev()) {
            acc.add_product(*mi, *nj);
        }
        let mk = (acc.low as u64).wrapping_mul(n_prime);
        m[k] = mk;
        acc.add_product(mk, n[0]);
        carry = acc.shift().1;
    }
    for k in l..2 * l {
        let mut acc = carry;
        if k < 2 * l - 1 {
            acc.add(column(k));
        }
        for (mi, nj) in m[k + 1 - l..].iter().zip(n[k + 1 - l..].iter().rev()) {
            acc.add_product(*mi, *nj);
        }
        let (limb, rest) = acc.shift();
        out[k - l] = limb;
        carry = rest;
    }
    out[l] = carry.low as u64;
}

/// The low `k` bytes of little-endian limbs, big-endian.
fn be_bytes(limbs: &[u64], k: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 * limbs.len());
    for limb in limbs.iter().rev() {
        out.extend_from_slice(&limb.to_be_bytes());
    }
    out.split_off(out.len() - k)
}

/// An odd RSA modulus prepared for Montgomery arithmetic.
#[derive(Debug, Clone)]
pub struct PublicModulus {
    /// The modulus, little-endian limbs.
    n: Vec<u64>,
    /// `-n⁻¹ mod 2⁶⁴`.
    n_prime: u64,
    /// `R² mod n` with `R = 2^(64·limbs)`: converts into Montgomery form by one product.
    r2: Vec<u64>,
    /// Length of the modulus in bytes (k of RFC 8017).
    k: usize,
}

impl PublicModulus {
    /// Prepares the big-endian modulus `n` (leading zero bytes allowed); `None` when it is even or
    /// below 3.
    pub fn new(n: &[u8]) -> Option<Self> {
        let start = n.iter().position(|b| *b != 0)?;
        let n = &n[start..];
        let k = n.len();
        let len = k.div_ceil(8);
        let limbs = limbs_from_be(n, len);
        let low = *limbs.first()?;
        if low & 1 == 0 || (len == 1 && low < 3) {
            return None;
        }
        // Newton's iteration doubles the correct low bits of the inverse: 1 → 64 bits in 6 steps.
        let mut inverse = 1u64;
        for _ in 0..6 {
            inverse = inverse.wrapping_mul(2u64.wrapping_sub(low.wrapping_mul(inverse)));
        }
        // R² mod n by 2·64·len doublings of 1 modulo n.
        let mut r2 = vec![0u64; len];
        r2[0] = 1;
        for _ in 0..2 * 64 * len {
            let mut carry = 0u64;
            for limb in r2.iter_mut() {
                let next = *limb >> 63;
                *limb = (*limb << 1) | carry;
                carry = next;
            }
            if carry != 0 || !less_than(&r2, &limbs) {
                sub_in_place(&mut r2, &limbs);
            }
        }
        Some(PublicModulus {
            n: limbs,
            n_prime: inverse.wrapping_neg(),
            r2,
            k,
        })
    }

    /// Length of the modulus in bytes.
    pub fn byte_len(&self) -> usize {
        self.k
    }

    /// `n − x` as `k` big-endian bytes, for a big-endian `x` below the modulus (`None` otherwise): the
    /// other representative ISO/IEC 9796-2 recovery tries.
    pub fn complement(&self, x: &[u8]) -> Option<Vec<u8>> {
        let start = x.iter().position(|b| *b != 0).unwrap_or(x.len());
        let x = &x[start..];
        if x.len() > self.k {
            return None;
        }
        let x = limbs_from_be(x, self.n.len());
        if !less_than(&x, &self.n) {
            return None;
        }
        let mut diff = self.n.clone();
        sub_in_place(&mut diff, &x);
        Some(be_bytes(&diff, self.k))
    }

    /// `out = a·b·R⁻¹ mod n`; `a`, `b` below n, `t` scratch of `2·limbs + 1`.
    fn mul(&self, a: &[u64], b: &[u64], t: &mut [u64], out: &mut [u64]) {
        let l = self.n.len();
        let (a, b) = (&a[..l], &b[..l]);
        let (m, wide) = t.split_at_mut(l);
        reduce_columns(&self.n, self.n_prime, m, wide, |k| {
            let mut acc = Column::default();
            let from = (k + 1).saturating_sub(l);
            for (ai, bj) in a[from..=k.min(l - 1)]
                .iter()
                .zip(b[from..=k.min(l - 1)].iter().rev())
            {
                acc.add_product(*ai, *bj);
            }
            acc
        });
        self.finish(wide, out);
    }

    /// `out = a²·R⁻¹ mod n`: each cross product computed once and doubled. `t` scratch of
    /// `2·limbs + 1`.
    fn square(&self, a: &[u64], t: &mut [u64], out: &mut [u64]) {
        let l = self.n.len();
        let a = &a[..l];
        let (m, wide) = t.split_at_mut(l);
        reduce_columns(&self.n, self.n_prime, m, wide, |k| {
            let from = (k + 1).saturating_sub(l);
            let to = k.min(l - 1);
            // Pairs (i, k - i) with i < k - i.
            let half = (to + 1 - from) / 2;
            let mut cross = Column::default();
            for (ai, aj) in a[from..from + half]
                .iter()
                .zip(a[to + 1 - half..=to].iter().rev())
            {
                cross.add_product(*ai, *aj);
            }
            let mut acc = cross.doubled();
            if k % 2 == 0 {
                acc.add_product(a[k / 2], a[k / 2]);
            }
            acc
        });
        self.finish(wide, out);
    }

    /// `out = t mod n` for `t < 2n` given as `limbs + 1` limbs.
    fn finish(&self, t: &mut [u64], out: &mut [u64]) {
        let l = self.n.len();
        if t[l] != 0 || !less_than(&t[..l], &self.n) {
            sub_in_place(&mut t[..l], &self.n);
        }
        out.copy_from_slice(&t[..l]);
    }

    /// RSAVP1: `s^e mod n` as `k` big-endian bytes, for the big-endian signature representative `s`
    /// and public exponent `e`. `None` when `s` is not below the modulus (or longer than `k` bytes), or
    /// `e` is zero.
    pub fn pow_public(&self, s: &[u8], e: &[u8]) -> Option<Vec<u8>> {
        let l = self.n.len();
        let start = s.iter().position(|b| *b != 0).unwrap_or(s.len());
        let s = &s[start..];
        if s.len() > self.k {
            return None;
        }
        let base = limbs_from_be(s, l);
        if !less_than(&base, &self.n) {
            return None;
        }
        let e_start = e.iter().position(|b| *b != 0)?;
        let e = &e[e_start..];
        let mut t = vec![0u64; 2 * l + 1];
        let mut base_m = vec![0u64; l];
        self.mul(&base, &self.r2, &mut t, &mut base_m);
        let mut acc = base_m.clone();
        let mut next = vec![0u64; l];
        let bits = e.len() * 8 - e.first().map_or(0, |b| b.leading_zeros() as usize);
        // The last set bit multiplies by the base outside Montgomery form (`x·R · s · R⁻¹ = x·s`), which
        // also brings the result out of Montgomery form: one product fewer for every odd exponent.
        let mut in_montgomery_form = true;
        for i in (0..bits.saturating_sub(1)).rev() {
            self.square(&acc, &mut t, &mut next);
            std::mem::swap(&mut acc, &mut next);
            let byte = e[e.len() - 1 - i / 8];
            if (byte >> (i % 8)) & 1 == 1 {
                let factor = if i == 0 { &base } else { &base_m };
                self.mul(&acc, factor, &mut t, &mut next);
                std::mem::swap(&mut acc, &mut next);
                in_montgomery_form = i != 0;
            }
        }
        if in_montgomery_form {
            // Out of Montgomery form: a product with 1.
            let mut one = vec![0u64; l];
            one[0] = 1;
            self.mul(&acc, &one, &mut t, &mut next);
            std::mem::swap(&mut acc, &mut next);
        }
        Some(be_bytes(&acc, self.k))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rsa::traits::PublicKeyParts as _;

    /// Big-endian bytes of `x^e mod n` by the `rsa` crate: its public operation for the odd part of `e`
    /// (it refuses even exponents), then crypto-bigint's modular squarings for the powers of two.
    fn reference(n: &[u8], e: u64, s: &[u8]) -> Vec<u8> {
        let (odd, twos) = (e >> e.trailing_zeros(), e.trailing_zeros());
        let key = |e: u64| {
            rsa::PublicKey::new_with_size_limits(
                rsa::BoxedUint::from_be_slice_vartime(n),
                rsa::BoxedUint::from(e),
                8..=8192,
            )
            .unwrap()
        };
        let key = key(if odd == 1 { 3 } else { odd });
        let bits = key.n_params().bits_precision();
        let s = rsa::BoxedUint::from_be_slice(s, bits).unwrap();
        let mut out = if odd == 1 {
            s
        } else {
            rsa::hazmat::rsa_encrypt(&key, &s).unwrap()
        };
        for _ in 0..twos {
            out = out.square_mod(key.n());
        }
        let out = out.to_be_bytes();
        let k = n.len();
        out[out.len() - k..].to_vec()
    }

    /// A pseudo-random odd modulus of `k` bytes with its top bit set.
    fn modulus(k: usize, seed: u8) -> Vec<u8> {
        let mut n: Vec<u8> = (0..k)
            .map(|i| (i as u8).wrapping_mul(151).wrapping_add(seed) ^ 0x5A)
            .collect();
        n[0] |= 0x80;
        n[k - 1] |= 1;
        n
    }

    #[test]
    fn agrees_with_the_rsa_crate() {
        for (k, e) in [
            (128, 65537u64),
            (256, 65537),
            (256, 3),
            (384, 65537),
            (512, 17),
            (200, 65537),
            (257, 0x1_0001_0001),
            // Even exponents end with a squaring, so they leave Montgomery form by a product with 1.
            (256, 65536),
            (256, 6),
        ] {
            let n = modulus(k, k as u8);
            let m = PublicModulus::new(&n).unwrap();
            assert_eq!(m.byte_len(), k);
            for seed in [1u8, 2, 0xFE] {
                let mut s: Vec<u8> = (0..k).map(|i| (i as u8) ^ seed).collect();
                s[0] &= 0x3F;
                let ours = m.pow_public(&s, &e.to_be_bytes()).unwrap();
                assert_eq!(ours, reference(&n, e, &s), "k {k} e {e} seed {seed}");
                // Leading zero bytes of s do not matter; a shorter s is a smaller number.
                let mut padded = vec![0u8; 2];
                padded.extend_from_slice(&s);
                assert_eq!(m.pow_public(&padded, &e.to_be_bytes()).unwrap(), ours);
            }
            // Edge values: 0, 1 and n - 1.
            let mut n_minus_1 = n.clone();
            n_minus_1[k - 1] -= 1;
            for s in [vec![0u8], vec![1u8], n_minus_1] {
                assert_eq!(
                    m.pow_public(&s, &e.to_be_bytes()).unwrap(),
                    reference(&n, e, &s)
                );
            }
        }
    }

    /// Pseudo-random moduli of every length from 16 to 520 bytes (odd, top bit anywhere in the first
    /// byte), random representatives below them and the exponents RSA keys use, against the `rsa` crate.
    #[test]
    fn agrees_with_the_rsa_crate_on_random_moduli() {
        use sha2::{Digest, Sha256};
        let bytes = |label: &str, i: usize, len: usize| -> Vec<u8> {
            let mut out = Vec::with_capacity(len + 32);
            let mut block = 0u32;
            while out.len() < len {
                out.extend_from_slice(&Sha256::digest(format!("{label} {i} {block}").as_bytes()));
                block += 1;
            }
            out.truncate(len);
            out
        };
        for (i, k) in (16..=520).step_by(7).enumerate() {
            let mut n = bytes("n", i, k);
            n[0] |= 1 << (i % 8); // not always the top bit: the modulus need not fill its last limb
            n[k - 1] |= 1;
            let m = PublicModulus::new(&n).unwrap();
            let e = [3u64, 17, 65537, 0x1_0000_0001][i % 4];
            let mut s = bytes("s", i, k);
            s[0] &= n[0] >> 1; // below n
            assert_eq!(
                m.pow_public(&s, &e.to_be_bytes()).unwrap(),
                reference(&n, e, &s),
                "k {k} e {e}"
            );
        }
    }

    #[test]
    fn complement_is_n_minus_x() {
        let n = modulus(256, 3);
        let m = PublicModulus::new(&n).unwrap();
        let mut n_minus_1 = n.clone();
        n_minus_1[255] -= 1;
        assert_eq!(m.complement(&[1]).unwrap(), n_minus_1);
        assert_eq!(m.complement(&n_minus_1).unwrap(), m_bytes(256, 1));
        assert_eq!(m.complement(&[0]).unwrap(), n);
        assert_eq!(m.complement(&n), None, "x = n");
        assert_eq!(m.complement(&[1; 257]), None, "x longer than k");
    }

    #[test]
    fn refuses_out_of_range_values_and_bad_moduli() {
        let n = modulus(256, 9);
        let m = PublicModulus::new(&n).unwrap();
        let e = 65537u32.to_be_bytes();
        assert_eq!(m.pow_public(&n, &e), None, "s = n");
        assert_eq!(m.pow_public(&[0xFF; 256], &e), None, "s > n");
        assert_eq!(m.pow_public(&[1; 257], &e), None, "s longer than k");
        assert_eq!(m.pow_public(&[2], &[0, 0]), None, "e = 0");
        assert_eq!(m.pow_public(&[2], &[1]), Some(m_bytes(256, 2)), "e = 1");
        let mut even = n.clone();
        even[255] &= 0xFE;
        assert!(PublicModulus::new(&even).is_none());
        assert!(PublicModulus::new(&[0, 0]).is_none());
        assert!(PublicModulus::new(&[1]).is_none());
        assert!(PublicModulus::new(&[]).is_none());
    }

    fn m_bytes(k: usize, v: u8) -> Vec<u8> {
        let mut out = vec![0u8; k];
        out[k - 1] = v;
        out
    }
}
