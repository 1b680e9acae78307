//! Cryptographic building blocks of ICAO 9303-11: key derivation, padding, block ciphers, MACs, hashes,
//! elliptic curves and Diffie-Hellman groups.

pub mod brainpool;
pub mod cipher;
pub mod dh;
pub mod ec;
pub mod hash;
pub mod kdf;
pub mod mac;
pub mod padding;
