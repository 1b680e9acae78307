//! The pseudo-random function R(s, t) of the PACE Integrated Mapping (ICAO 9303-11 section 4.4.3.3.2).
//!
//! With E the protocol's block cipher in CBC mode, IV 0, key size k and l the smallest multiple of the
//! block size not below k (3DES counts as k = 128):
//! `key_1 = E(t, s)`; for i = 1..n: `x_i = E(key_i, c1)`, `key_{i+1} = E(key_i, c0)` (keys truncated to k);
//! `R = x_1 ‖ … ‖ x_n` with n the smallest number such that `n·l ≥ log2 p + 64`.

use super::error::PaceCryptoError;
use crate::crypto::cipher::{CipherAlgorithm, cbc_encrypt};
use zeroize::Zeroizing;

const C0_128: [u8; 16] = [
    0xa6, 0x68, 0x89, 0x2a, 0x7c, 0x41, 0xe3, 0xca, 0x73, 0x9f, 0x40, 0xb0, 0x57, 0xd8, 0x59, 0x04,
];
const C1_128: [u8; 16] = [
    0xa4, 0xe1, 0x36, 0xac, 0x72, 0x5f, 0x73, 0x8b, 0x01, 0xc1, 0xf6, 0x02, 0x17, 0xc1, 0x88, 0xad,
];
const C0_256: [u8; 32] = [
    0xd4, 0x63, 0xd6, 0x52, 0x34, 0x12, 0x4e, 0xf7, 0x89, 0x70, 0x54, 0x98, 0x6d, 0xca, 0x0a, 0x17,
    0x4e, 0x28, 0xdf, 0x75, 0x8c, 0xba, 0xa0, 0x3f, 0x24, 0x06, 0x16, 0x41, 0x4d, 0x5a, 0x16, 0x76,
];
const C1_256: [u8; 32] = [
    0x54, 0xbd, 0x72, 0x55, 0xf0, 0xaa, 0xf8, 0x31, 0xbe, 0xc3, 0x42, 0x3f, 0xcf, 0x39, 0xd6, 0x9b,
    0x6c, 0xbf, 0x06, 0x66, 0x77, 0xd0, 0xfa, 0xae, 0x5a, 0xad, 0xd9, 0x9d, 0xf8, 0xe5, 0x35, 0x17,
];

/// The length in bytes of the terminal's nonce t: the key size k (3DES: 16).
pub fn t_len(cipher: CipherAlgorithm) -> usize {
    cipher.key_len()
}

/// R(s, t) for a group whose prime has `p_bits` bits.
pub fn pseudo_random(
    cipher: CipherAlgorithm,
    s: &[u8],
    t: &[u8],
    p_bits: usize,
) -> Result<Zeroizing<Vec<u8>>, PaceCryptoError> {
    let k = cipher.key_len();
    let (c0, c1): (&[u8], &[u8]) = match cipher {
        CipherAlgorithm::Tdes | CipherAlgorithm::Aes128 => (&C0_128, &C1_128),
        CipherAlgorithm::Aes192 | CipherAlgorithm::Aes256 => (&C0_256, &C1_256),
    };
    let l = c0.len();
    if s.len() != l {
        return Err(PaceCryptoError::Invalid("IM nonce s of the wrong length"));
    }
    if t.len() != k {
        return Err(PaceCryptoError::Invalid("IM nonce t of the wrong length"));
    }
    let iv = vec![0u8; cipher.block_len()];
    let n = (p_bits + 64).div_ceil(l * 8);
    let mut key = Zeroizing::new(cbc_encrypt(cipher, t, &iv, s)?);
    key.truncate(k);
    let mut out = Zeroizing::new(Vec::with_capacity(n * l));
    for _ in 0..n {
        out.extend_from_slice(&cbc_encrypt(cipher, &key, &iv, c1)?);
        let mut next = Zeroizing::new(cbc_encrypt(cipher, &key, &iv, c0)?);
        next.truncate(k);
        key = next;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_im_vectors() {
        let r = pseudo_random(
            CipherAlgorithm::Aes128,
            &hex::decode("2923BE84E16CD6AE529049F1F1BBE9EB").unwrap(),
            &hex::decode("5DD4CBFC96F5453B130D890A1CDBAE32").unwrap(),
            256,
        )
        .unwrap();
        assert_eq!(
            hex::encode_upper(&*r),
            "E4447E2DFB3586BAC05DDB00156B57FBB2179A3949294C97254189800C517BAA8DA0FF397ED8C445D3E421E4FEB57322"
        );
        let r = pseudo_random(
            CipherAlgorithm::Aes128,
            &hex::decode("FA5B7E3E49753A0DB9178B7B9BD898C8").unwrap(),
            &hex::decode("B3A6DB3C870C3E99245E0D1C06B747DE").unwrap(),
            1024,
        )
        .unwrap();
        assert_eq!(r.len(), 9 * 16);
        assert!(hex::encode_upper(&*r).starts_with("EAB98D13E09052952AA729907C3C9461"));
        for cipher in [
            CipherAlgorithm::Tdes,
            CipherAlgorithm::Aes192,
            CipherAlgorithm::Aes256,
        ] {
            let l = if cipher.key_len() > 16 { 32 } else { 16 };
            let r = pseudo_random(cipher, &vec![1; l], &vec![2; t_len(cipher)], 521).unwrap();
            assert_eq!(r.len() % l, 0);
            assert!(r.len() * 8 >= 521 + 64);
            assert!(pseudo_random(cipher, &[1; 8], &vec![2; t_len(cipher)], 521).is_err());
        }
    }
}
