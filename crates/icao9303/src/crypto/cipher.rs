//! Block ciphers of ICAO 9303-11: two-key 3DES and AES-128/192/256, in CBC mode (secure messaging, BAC,
//! nonce encryption) and as a single-block permutation (the AES secure messaging IV, the IM pseudo-random
//! function).
//!
//! Callers pad their data themselves (ISO/IEC 7816-4, see `crypto::padding`); these functions only accept
//! whole blocks.

use super::CryptoError;
use aes::{Aes128, Aes192, Aes256};
use des::TdesEde2;
use des::cipher::{Block, BlockCipherDecrypt, BlockCipherEncrypt, BlockSizeUser, KeyInit};

/// The block cipher a protocol uses (from the PACE or CA object identifier, or 3DES for BAC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CipherAlgorithm {
    /// Two-key triple DES (EDE), 16-byte keys, 8-byte blocks.
    Tdes,
    /// AES with a 128-bit key.
    Aes128,
    /// AES with a 192-bit key.
    Aes192,
    /// AES with a 256-bit key.
    Aes256,
}

impl CipherAlgorithm {
    /// Key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            CipherAlgorithm::Tdes | CipherAlgorithm::Aes128 => 16,
            CipherAlgorithm::Aes192 => 24,
            CipherAlgorithm::Aes256 => 32,
        }
    }

    /// Block length in bytes (8 for 3DES, 16 for AES).
    pub fn block_len(self) -> usize {
        match self {
            CipherAlgorithm::Tdes => 8,
            _ => 16,
        }
    }

    /// The name used in reports: "3DES", "AES-128", ...
    pub fn name(self) -> &'static str {
        match self {
            CipherAlgorithm::Tdes => "3DES",
            CipherAlgorithm::Aes128 => "AES-128",
            CipherAlgorithm::Aes192 => "AES-192",
            CipherAlgorithm::Aes256 => "AES-256",
        }
    }
}

fn key_err(_: impl core::fmt::Debug) -> CryptoError {
    CryptoError::InvalidKeyLength
}

fn cbc_encrypt_with<C: BlockCipherEncrypt + BlockSizeUser>(
    c: &C,
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let bl = C::block_size();
    if iv.len() != bl {
        return Err(CryptoError::InvalidIvLength);
    }
    if !data.len().is_multiple_of(bl) {
        return Err(CryptoError::NotBlockAligned);
    }
    let mut out = Vec::with_capacity(data.len());
    let mut prev = Block::<C>::try_from(iv).map_err(|_| CryptoError::InvalidIvLength)?;
    for chunk in data.chunks(bl) {
        let mut block = Block::<C>::try_from(chunk).map_err(|_| CryptoError::NotBlockAligned)?;
        for (b, p) in block.iter_mut().zip(prev.iter()) {
            *b ^= *p;
        }
        c.encrypt_block(&mut block);
        out.extend_from_slice(&block);
        prev = block;
    }
    Ok(out)
}

fn cbc_decrypt_with<C: BlockCipherDecrypt + BlockSizeUser>(
    c: &C,
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let bl = C::block_size();
    if iv.len() != bl {
        return Err(CryptoError::InvalidIvLength);
    }
    if !data.len().is_multiple_of(bl) {
        return Err(CryptoError::NotBlockAligned);
    }
    let mut out = Vec::with_capacity(data.len());
    let mut prev: &[u8] = iv;
    for chunk in data.chunks(bl) {
        let mut block = Block::<C>::try_from(chunk).map_err(|_| CryptoError::NotBlockAligned)?;
        c.decrypt_block(&mut block);
        out.extend(block.iter().zip(prev.iter()).map(|(b, p)| b ^ p));
        prev = chunk;
    }
    Ok(out)
}

/// Keys the cipher `alg` names with `key` and applies `$f(&cipher, args...)`.
macro_rules! with_cipher {
    ($alg:expr, $key:expr, $f:ident($($arg:expr),*)) => {
        match $alg {
            CipherAlgorithm::Tdes => $f(&TdesEde2::new_from_slice($key).map_err(key_err)?, $($arg),*),
            CipherAlgorithm::Aes128 => $f(&Aes128::new_from_slice($key).map_err(key_err)?, $($arg),*),
            CipherAlgorithm::Aes192 => $f(&Aes192::new_from_slice($key).map_err(key_err)?, $($arg),*),
            CipherAlgorithm::Aes256 => $f(&Aes256::new_from_slice($key).map_err(key_err)?, $($arg),*),
        }
    };
}

/// CBC encryption of whole blocks with `key` and `iv`.
pub fn cbc_encrypt(
    alg: CipherAlgorithm,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    with_cipher!(alg, key, cbc_encrypt_with(iv, data))
}

/// CBC decryption of whole blocks with `key` and `iv`.
pub fn cbc_decrypt(
    alg: CipherAlgorithm,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    with_cipher!(alg, key, cbc_decrypt_with(iv, data))
}

/// Encrypts one block (ECB): the AES secure-messaging IV `E(KSenc, SSC)` and the IM pseudo-random function.
pub fn encrypt_block(
    alg: CipherAlgorithm,
    key: &[u8],
    block: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let zero_iv = vec![0u8; alg.block_len()];
    if block.len() != alg.block_len() {
        return Err(CryptoError::NotBlockAligned);
    }
    cbc_encrypt(alg, key, &zero_iv, block)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn bac_worked_example_eifd() {
        // ICAO 9303-11 Appendix D.3: EIFD = 3DES-CBC(KEnc, IV=0, S).
        let s = h("781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B");
        let k_enc = h("AB94FDECF2674FDFB9B391F85D7F76F2");
        let e = cbc_encrypt(CipherAlgorithm::Tdes, &k_enc, &[0; 8], &s).unwrap();
        assert_eq!(
            hex::encode_upper(&e),
            "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
        );
        assert_eq!(
            cbc_decrypt(CipherAlgorithm::Tdes, &k_enc, &[0; 8], &e).unwrap(),
            s
        );
    }

    #[test]
    fn aes_round_trip_and_errors() {
        for alg in [
            CipherAlgorithm::Aes128,
            CipherAlgorithm::Aes192,
            CipherAlgorithm::Aes256,
        ] {
            let key = vec![7u8; alg.key_len()];
            let data = vec![1u8; 48];
            let e = cbc_encrypt(alg, &key, &[3; 16], &data).unwrap();
            assert_eq!(cbc_decrypt(alg, &key, &[3; 16], &e).unwrap(), data);
            assert_eq!(
                cbc_encrypt(alg, &key, &[3; 16], &data[..5]),
                Err(CryptoError::NotBlockAligned)
            );
            assert_eq!(
                cbc_encrypt(alg, &key[..5], &[3; 16], &data),
                Err(CryptoError::InvalidKeyLength)
            );
        }
    }
}
