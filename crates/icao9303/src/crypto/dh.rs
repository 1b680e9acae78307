//! Diffie-Hellman groups of PACE and Chip Authentication: the RFC 5114 groups with prime-order subgroups
//! that ICAO 9303-11 standardizes as domain parameter ids 0 (1024-bit MODP, 160-bit q), 1 (2048/224) and
//! 2 (2048/256), and nothing else. Explicit parameters (p, g, q) are accepted only when they equal one of
//! these groups ([`DhGroup::from_explicit`]): a group chosen by the chip could be small or not of prime
//! order, which would let an eavesdropper test password guesses offline (BSI TR-03110-3, TR-03111).
//!
//! Group elements cross this interface as big-endian byte strings left-padded to the size of p; exponents
//! as big-endian bytes. Modular exponentiation is `crypto-bigint`'s constant-time `BoxedMontyForm::pow`.
//! A peer's public value is checked with [`DhGroup::check_public`]: `1 < y < p − 1` and `y^q = 1`.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, NonZero, Odd, Resize};
use rand_core::CryptoRng;
use std::fmt;
use zeroize::Zeroizing;

/// What went wrong with a Diffie-Hellman value or group.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DhError {
    /// A public value outside `1 < y < p − 1` or not in the order-q subgroup.
    #[error("invalid Diffie-Hellman public value ({0})")]
    InvalidPublicValue(&'static str),
    /// Explicit group parameters that are not one of the RFC 5114 groups.
    #[error(
        "explicit Diffie-Hellman group (p of {p_bits} bits, q of {q_bits} bits) is not one of the \
         RFC 5114 groups of standardized ids 0–2"
    )]
    NotStandardGroup {
        /// Bit length of the explicit prime p.
        p_bits: usize,
        /// Bit length of the explicit subgroup order q.
        q_bits: usize,
    },
}

const P_1024_160: &str = "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371";
const G_1024_160: &str = "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5";
const Q_1024_160: &str = "F518AA8781A8DF278ABA4E7D64B7CB9D49462353";
const P_2048_224: &str = "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F";
const G_2048_224: &str = "AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFAAB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98AE247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EFBB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC017981BC087F2A7065B384B890D3191F2BFA";
const Q_2048_224: &str = "801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB";
const P_2048_256: &str = "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597";
const G_2048_256: &str = "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659";
const Q_2048_256: &str = "8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3";

fn hex_bytes(s: &str) -> Vec<u8> {
    s.as_bytes()
        .chunks(2)
        .map(|c| {
            let v = |b: u8| match b {
                b'0'..=b'9' => b - b'0',
                b'A'..=b'F' => b - b'A' + 10,
                _ => 0,
            };
            c.first().map_or(0, |h| v(*h) << 4) | c.get(1).map_or(0, |l| v(*l))
        })
        .collect()
}

fn strip(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    &v[start..]
}

/// One of the RFC 5114 groups: a prime-order subgroup of Z_p*, prime p, generator g of prime order q.
#[derive(Clone)]
pub struct DhGroup {
    parameter_id: u32,
    p_bytes: Vec<u8>,
    g_bytes: Vec<u8>,
    q_bytes: Vec<u8>,
    params: BoxedMontyParams,
    precision: u32,
}

impl fmt::Debug for DhGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DhGroup({}-bit p, {}-bit q, id {})",
            self.p_bytes.len() * 8,
            self.q_bytes.len() * 8,
            self.parameter_id
        )
    }
}

impl PartialEq for DhGroup {
    fn eq(&self, other: &Self) -> bool {
        self.parameter_id == other.parameter_id
    }
}

impl Eq for DhGroup {}

/// The hex (p, g, q) of standardized id 0, 1 or 2.
fn rfc5114(id: u32) -> Option<(&'static str, &'static str, &'static str)> {
    match id {
        0 => Some((P_1024_160, G_1024_160, Q_1024_160)),
        1 => Some((P_2048_224, G_2048_224, Q_2048_224)),
        2 => Some((P_2048_256, G_2048_256, Q_2048_256)),
        _ => None,
    }
}

fn bit_length(v: &[u8]) -> usize {
    let v = strip(v);
    v.first()
        .map_or(0, |b| v.len() * 8 - b.leading_zeros() as usize)
}

impl DhGroup {
    /// The standardized ids of the DH groups.
    pub const IDS: [u32; 3] = [0, 1, 2];

    /// The RFC 5114 group of standardized domain parameter id 0, 1 or 2.
    pub fn standard(parameter_id: u32) -> Option<DhGroup> {
        let (p, g, q) = rfc5114(parameter_id)?;
        let p = hex_bytes(p);
        let modulus = BoxedUint::from_be_slice_vartime(&p);
        let precision = modulus.bits_precision();
        let odd = Odd::new(modulus).into_option()?;
        Some(DhGroup {
            parameter_id,
            params: BoxedMontyParams::new_vartime(odd),
            precision,
            p_bytes: p,
            g_bytes: hex_bytes(g),
            q_bytes: hex_bytes(q),
        })
    }

    /// The group of explicit parameters (a PACEDomainParameterInfo or a CA key's X9.42 DomainParameters):
    /// only when p, g and q equal those of an RFC 5114 group (integers compared without leading zeros).
    pub fn from_explicit(p: &[u8], g: &[u8], q: &[u8]) -> Result<DhGroup, DhError> {
        Self::IDS
            .into_iter()
            .find(|id| {
                rfc5114(*id).is_some_and(|(sp, sg, sq)| {
                    strip(p) == hex_bytes(sp).as_slice()
                        && strip(g) == hex_bytes(sg).as_slice()
                        && strip(q) == hex_bytes(sq).as_slice()
                })
            })
            .and_then(DhGroup::standard)
            .ok_or(DhError::NotStandardGroup {
                p_bits: bit_length(p),
                q_bits: bit_length(q),
            })
    }

    /// The security strength in bits (the smaller of the discrete-logarithm strengths of p and of q).
    pub fn security_bits(&self) -> u32 {
        match self.parameter_id {
            0 => 80,
            _ => 112,
        }
    }

    /// The standardized domain parameter id (0–2).
    pub fn parameter_id(&self) -> u32 {
        self.parameter_id
    }

    /// Size of p (and of every encoded group element) in bytes.
    pub fn p_len(&self) -> usize {
        self.p_bytes.len()
    }

    /// The prime p, big-endian.
    pub fn p(&self) -> &[u8] {
        &self.p_bytes
    }

    /// The generator g, left-padded to the size of p.
    pub fn g(&self) -> &[u8] {
        &self.g_bytes
    }

    /// The subgroup order q, big-endian.
    pub fn q(&self) -> &[u8] {
        &self.q_bytes
    }

    fn element(&self, bytes: &[u8]) -> BoxedMontyForm {
        let v = BoxedUint::from_be_slice_vartime(strip(bytes));
        let wide = v.bits_precision().max(self.precision);
        let p = BoxedUint::from_be_slice_vartime(&self.p_bytes).resize(wide);
        let reduced = match NonZero::new(p).into_option() {
            Some(nz) => v.resize(wide).rem(&nz),
            None => BoxedUint::zero_with_precision(wide),
        };
        BoxedMontyForm::new(reduced.resize(self.precision), &self.params)
    }

    fn encode(&self, v: &BoxedMontyForm) -> Vec<u8> {
        let bytes = v.retrieve().to_be_bytes();
        let n = self.p_len();
        let mut out = vec![0u8; n];
        let take = bytes.len().min(n);
        out[n - take..].copy_from_slice(&bytes[bytes.len() - take..]);
        out
    }

    /// `base^exp mod p`, left-padded to the size of p. The exponent may be any length.
    pub fn pow(&self, base: &[u8], exp: &[u8]) -> Vec<u8> {
        let e = BoxedUint::from_be_slice_vartime(exp);
        self.encode(&self.element(base).pow(&e))
    }

    /// `a · b mod p`, left-padded to the size of p.
    pub fn mul(&self, a: &[u8], b: &[u8]) -> Vec<u8> {
        self.encode(&(self.element(a) * self.element(b)))
    }

    /// The public value `generator^x mod p`.
    pub fn public_key(&self, generator: &[u8], x: &[u8]) -> Vec<u8> {
        self.pow(generator, x)
    }

    /// The shared secret `y^x mod p`, left-padded to the size of p.
    pub fn shared_secret(&self, peer: &[u8], x: &[u8]) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.pow(peer, x))
    }

    /// Checks a received public value: exactly the size of p or shorter (left-padding implied),
    /// `1 < y < p − 1` and `y^q = 1 mod p` (in the order-q subgroup).
    pub fn check_public(&self, y: &[u8]) -> Result<(), DhError> {
        let y = strip(y);
        if y.len() > self.p_len() {
            return Err(DhError::InvalidPublicValue("longer than p"));
        }
        let yv = BoxedUint::from_be_slice_vartime(y).resize(self.precision);
        let p = BoxedUint::from_be_slice_vartime(&self.p_bytes).resize(self.precision);
        let p_minus_1 = p.wrapping_sub(BoxedUint::one());
        if yv.cmp_vartime(BoxedUint::one()) != std::cmp::Ordering::Greater
            || yv.cmp_vartime(&p_minus_1) != std::cmp::Ordering::Less
        {
            return Err(DhError::InvalidPublicValue("not in 1 < y < p - 1"));
        }
        let one = vec![1u8];
        if strip(&self.pow(y, &self.q_bytes)) != one.as_slice() {
            return Err(DhError::InvalidPublicValue("not in the order-q subgroup"));
        }
        Ok(())
    }

    /// Draws a private exponent: as many bytes as q from `rng`, read big-endian, bits above the bit
    /// length of q cleared, accepted when `1 ≤ x < q` (otherwise fresh bytes are drawn).
    pub fn random_exponent<R: CryptoRng + ?Sized>(&self, rng: &mut R) -> Zeroizing<Vec<u8>> {
        let top = self.q_bytes.first().copied().unwrap_or(0xFF);
        let mask = 0xFFu8 >> top.leading_zeros();
        let q = BoxedUint::from_be_slice_vartime(&self.q_bytes);
        loop {
            let mut x = Zeroizing::new(vec![0u8; self.q_bytes.len()]);
            rng.fill_bytes(&mut x);
            if let Some(b) = x.first_mut() {
                *b &= mask;
            }
            let v = BoxedUint::from_be_slice_vartime(&x).resize(q.bits_precision());
            if !bool::from(v.is_zero()) && v.cmp_vartime(&q) == std::cmp::Ordering::Less {
                return x;
            }
        }
    }

    /// The Integrated Mapping for DH: `g~ = R_p^((p−1)/q) mod p` with `R_p = r mod p`; fails when g~ = 1.
    pub fn integrated_map(&self, r: &[u8]) -> Result<Vec<u8>, DhError> {
        let p = BoxedUint::from_be_slice_vartime(&self.p_bytes);
        let q = BoxedUint::from_be_slice_vartime(&self.q_bytes).resize(p.bits_precision());
        let cofactor = match NonZero::new(q).into_option() {
            Some(nz) => p.wrapping_sub(BoxedUint::one()).wrapping_div(&nz),
            None => return Err(DhError::InvalidPublicValue("the group's q is zero")),
        };
        let g = self.encode(&self.element(r).pow(&cofactor));
        if strip(&g).len() <= 1 && g.last().is_some_and(|b| *b <= 1) {
            return Err(DhError::InvalidPublicValue("integrated mapping gave 1"));
        }
        Ok(g)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn standard_groups_are_consistent() {
        for id in 0..3 {
            let g = DhGroup::standard(id).unwrap();
            assert_eq!(g.parameter_id(), id);
            let again = DhGroup::from_explicit(g.p(), g.g(), g.q()).unwrap();
            assert_eq!(again.parameter_id(), id);
            let mut padded_p = vec![0];
            padded_p.extend_from_slice(g.p());
            assert_eq!(DhGroup::from_explicit(&padded_p, g.g(), g.q()).unwrap(), g);
            assert!(g.check_public(g.g()).is_ok());
            assert!(g.check_public(&[1]).is_err());
            let mut pm1 = g.p().to_vec();
            *pm1.last_mut().unwrap() -= 1;
            assert!(g.check_public(&pm1).is_err());
            assert!(g.check_public(g.p()).is_err());
        }
        assert!(DhGroup::standard(3).is_none());
        assert_eq!(DhGroup::standard(0).unwrap().p_len(), 128);
        assert_eq!(DhGroup::standard(2).unwrap().p_len(), 256);
    }

    /// A 1024-bit prime p (RFC 5114's top bits) with a generator of order q = 65521: discrete logarithms
    /// in it take a moment, which is why explicit groups must be one of RFC 5114's.
    pub(crate) const WEAK_P: &str = "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2F2FDEC5";
    pub(crate) const WEAK_G: &str = "9FEF4EBC6C28E95F934F9F54EE9DA7F621D70DC56ABE6A22BD09B5B65231168434A8C1480F3722873A4D6C19338B6DE23F4C8B99B089E6C9467A0717BEE25804DD654DB2D7D165EE6BDD455C1D30C7E9EF39BFA232477AF9EE1184379C8804277723B89C83191D4941E00EDCE0717E7855ACEE6E905BFD1385F80D7F79D21224";
    pub(crate) const WEAK_Q: &str = "FFF1";

    #[test]
    fn explicit_groups_other_than_rfc_5114_are_refused() {
        assert_eq!(
            DhGroup::from_explicit(&h(WEAK_P), &h(WEAK_G), &h(WEAK_Q)),
            Err(DhError::NotStandardGroup {
                p_bits: 1024,
                q_bits: 16
            })
        );
        let std = DhGroup::standard(0).unwrap();
        // One changed value is enough: another generator, a smaller q, a composite p.
        let mut g = std.g().to_vec();
        *g.last_mut().unwrap() ^= 2;
        assert!(DhGroup::from_explicit(std.p(), &g, std.q()).is_err());
        assert!(DhGroup::from_explicit(std.p(), std.g(), &h(WEAK_Q)).is_err());
        let mut p = std.p().to_vec();
        *p.last_mut().unwrap() ^= 2;
        assert!(DhGroup::from_explicit(&p, std.g(), std.q()).is_err());
        // q of group 2 with p and g of group 1.
        let g1 = DhGroup::standard(1).unwrap();
        let g2 = DhGroup::standard(2).unwrap();
        assert!(DhGroup::from_explicit(g1.p(), g1.g(), g2.q()).is_err());
        assert!(DhGroup::from_explicit(&[], &[], &[]).is_err());
    }

    #[test]
    fn peer_public_values_are_checked() {
        for id in DhGroup::IDS {
            let g = DhGroup::standard(id).unwrap();
            let p = g.p().to_vec();
            let mut p_minus_1 = p.clone();
            *p_minus_1.last_mut().unwrap() -= 1;
            let mut p_plus_1 = p.clone();
            *p_plus_1.last_mut().unwrap() += 1;
            let mut longer = vec![1];
            longer.extend_from_slice(&p);
            // Out of 1 < y < p − 1: 0, 1, p − 1 (order 2), p, p + 1, longer than p.
            for y in [
                vec![],
                vec![0],
                vec![1],
                vec![0; 300],
                p_minus_1,
                p.clone(),
                p_plus_1,
                longer,
            ] {
                assert!(
                    matches!(g.check_public(&y), Err(DhError::InvalidPublicValue(_))),
                    "id {id}: {}",
                    hex::encode(&y)
                );
            }
            // In range but outside the order-q subgroup: 2 and g + 1.
            let mut g_plus_1 = g.g().to_vec();
            *g_plus_1.last_mut().unwrap() += 1;
            for y in [vec![2], g_plus_1] {
                assert_eq!(
                    g.check_public(&y),
                    Err(DhError::InvalidPublicValue("not in the order-q subgroup")),
                    "id {id}"
                );
            }
            // g, g², and a left-padded g are in the subgroup.
            let g2 = g.pow(g.g(), &[2]);
            let mut padded = vec![0];
            padded.extend_from_slice(strip(g.g()));
            for y in [g.g().to_vec(), g2, padded] {
                assert_eq!(g.check_public(&y), Ok(()), "id {id}");
            }
        }
    }

    #[test]
    fn pace_dh_gm_vector() {
        // ICAO 9303-11 PACE DH GM worked example (RFC 5114 1024/160).
        let g = DhGroup::standard(0).unwrap();
        let x_map = h("5265030F751F4AD18B08AC565FC7AC952E41618D");
        let x_pub = g.public_key(g.g(), &x_map);
        assert!(hex::encode_upper(&x_pub).starts_with("23FB3749EA030D2A25B278D2A562047A"));
        let y_map_ic = h(
            "78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F2449400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6",
        );
        g.check_public(&y_map_ic).unwrap();
        let hh = g.shared_secret(&y_map_ic, &x_map);
        assert!(hex::encode_upper(&*hh).starts_with("5BABEBEF5B74E5BA94B5C063FDA15F1F"));
        let gs = g.pow(g.g(), &h("FA5B7E3E49753A0DB9178B7B9BD898C8"));
        let g_tilde = g.mul(&gs, &hh);
        assert!(hex::encode_upper(&g_tilde).starts_with("7C9CBFE98F9FBDDA8D143506FA7D9306"));
        // A random exponent is below q and of q's size.
        let x = g.random_exponent(&mut rand_core::UnwrapErr(
            crate::crypto::dh::tests::Counter(7),
        ));
        assert_eq!(x.len(), 20);
    }

    /// A deterministic RNG for tests that need any bytes.
    pub(crate) struct Counter(pub u8);
    impl rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(0)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                self.0 = self.0.wrapping_mul(31).wrapping_add(17);
                *b = self.0;
            }
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Counter {}

    #[test]
    fn pace_dh_im_vector() {
        let g = DhGroup::standard(0).unwrap();
        let r = h(
            "EAB98D13E09052952AA729907C3C946184DEA0FE74AD2B3AF506F0A83018459C38099CD1F7FF4EA0A078DB1FAC1365505E3DC85500EF95E20B4EEF2E88489233BEE0546B472F994B618D168702406791DEEF3CB4810932EC278F3533FDB860EB4835C36FA4F1BF3FA0B828A718C96BDE88FBA38A3E6C35AAA10959251EB5FC710FC187258995944C0F926E249373F485",
        );
        let gt = g.integrated_map(&r).unwrap();
        assert_eq!(
            hex::encode_upper(&gt),
            "1D7D767F11E333BCD6DBAEF40E799E7A926B96973550656FF3C830726D118D61C276CDCC61D475CF03A98E0C0E79CAEBA5BE25578BD4551D0B10903236F0B0F976852FA78EEA14EA0ACA87D1E91F688FE0DFF897BBE35A472621D343564B262F34223AE8FC59B664BFEDFA2BFE7516CA5510A6BBB633D517EC25D4E0BBAA16C2"
        );
    }
}
