//! Cryptographic building blocks of ICAO 9303-11: key derivation, padding, block ciphers, MACs, hashes,
//! elliptic curves and Diffie-Hellman groups.

pub mod brainpool;
pub mod cipher;
pub mod dh;
pub mod domain;
pub mod ec;
pub mod ecdsa;
pub mod hash;
pub(crate) mod montgomery;

// The symmetric machinery of secure messaging and key derivation: card-side building blocks.
chip_modules!(kdf, mac, padding);

/// A failure of a cryptographic primitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A key of the wrong length for the cipher.
    #[error("key has the wrong length for the cipher")]
    InvalidKeyLength,
    /// An IV of the wrong length for the cipher.
    #[error("IV has the wrong length for the cipher")]
    InvalidIvLength,
    /// Input that is not a whole number of cipher blocks.
    #[error("data is not a whole number of cipher blocks")]
    NotBlockAligned,
    /// Decrypted data without valid ISO/IEC 7816-4 padding.
    #[error("invalid ISO/IEC 7816-4 padding")]
    BadPadding,
}
