//! The ICAO 9303-11 key derivation function (section 9.7.1): `KDF(K, c) = H(K || c)` truncated to the
//! cipher's key length, with SHA-1 for 3DES and AES-128 and SHA-256 for AES-192 and AES-256. 3DES keys get
//! their DES parity bits adjusted.

use super::cipher::CipherAlgorithm;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Counter for the encryption key (KSenc, KEnc).
pub const COUNTER_ENC: u32 = 1;
/// Counter for the MAC key (KSmac, KMAC).
pub const COUNTER_MAC: u32 = 2;
/// Counter for the PACE password key Kπ.
pub const COUNTER_PACE: u32 = 3;

/// Derives a key for `alg` from the shared secret or seed `k` and the counter `c`.
pub fn kdf(k: &[u8], counter: u32, alg: CipherAlgorithm) -> Zeroizing<Vec<u8>> {
    let c = counter.to_be_bytes();
    let mut key: Zeroizing<Vec<u8>> = match alg {
        CipherAlgorithm::Tdes | CipherAlgorithm::Aes128 => Zeroizing::new(
            Sha1::new()
                .chain_update(k)
                .chain_update(c)
                .finalize()
                .to_vec(),
        ),
        CipherAlgorithm::Aes192 | CipherAlgorithm::Aes256 => Zeroizing::new(
            Sha256::new()
                .chain_update(k)
                .chain_update(c)
                .finalize()
                .to_vec(),
        ),
    };
    key.truncate(alg.key_len());
    if alg == CipherAlgorithm::Tdes {
        adjust_parity(&mut key);
    }
    key
}

/// Sets each byte's least significant bit so the byte has odd parity (the DES key convention).
pub fn adjust_parity(key: &mut [u8]) {
    for b in key.iter_mut() {
        let ones = (*b & 0xFE).count_ones();
        *b = (*b & 0xFE) | u8::from(ones % 2 == 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn bac_worked_example_keys() {
        let seed = h("239AB9CB282DAF66231DC5A4DF6BFBAE");
        assert_eq!(
            hex::encode_upper(&*kdf(&seed, COUNTER_ENC, CipherAlgorithm::Tdes)),
            "AB94FDECF2674FDFB9B391F85D7F76F2"
        );
        assert_eq!(
            hex::encode_upper(&*kdf(&seed, COUNTER_MAC, CipherAlgorithm::Tdes)),
            "7962D9ECE03D1ACD4C76089DCE131543"
        );
        let ks_seed = h("0036D272F5C350ACAC50C3F572D23600");
        assert_eq!(
            hex::encode_upper(&*kdf(&ks_seed, COUNTER_ENC, CipherAlgorithm::Tdes)),
            "979EC13B1CBFE9DCD01AB0FED307EAE5"
        );
        assert_eq!(
            hex::encode_upper(&*kdf(&ks_seed, COUNTER_MAC, CipherAlgorithm::Tdes)),
            "F1CB1F1FB5ADF208806B89DC579DC1F8"
        );
    }

    #[test]
    fn pace_password_key() {
        // ICAO 9303-11 PACE worked example: Kπ = KDF(SHA-1(MRZ_information), 3) for AES-128.
        let k = h("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD");
        assert_eq!(
            hex::encode_upper(&*kdf(&k, COUNTER_PACE, CipherAlgorithm::Aes128)),
            "89DED1B26624EC1E634C1989302849DD"
        );
        assert_eq!(
            hex::encode_upper(&*kdf(b"123456", COUNTER_PACE, CipherAlgorithm::Aes128)),
            "591468CDA83D65219CCCB8560233600F"
        );
        assert_eq!(
            kdf(b"123456", COUNTER_PACE, CipherAlgorithm::Aes256).len(),
            32
        );
        assert_eq!(
            kdf(b"123456", COUNTER_PACE, CipherAlgorithm::Aes192).len(),
            24
        );
    }
}
