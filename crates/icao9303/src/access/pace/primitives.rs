//! The PACE computations shared by the terminal and the chip (ICAO 9303-11 section 4.4.3): the password key
//! Kπ, nonce encryption, the group operations of each mapping, the shared secret, authentication tokens and
//! the PACE-CAM chip authentication data. Everything works on encoded values (uncompressed points, group
//! elements left-padded to the size of p) so both sides use exactly the same bytes.

use super::error::PaceCryptoError;
use super::im;
use crate::access::password::Password;
use crate::asn1;
use crate::crypto::cipher::{CipherAlgorithm, cbc_decrypt, cbc_encrypt, encrypt_block};
use crate::crypto::domain::DomainParameters;
use crate::crypto::ec::{EcCurve, EcPoint, reduce_mod};
use crate::crypto::kdf::{COUNTER_PACE, kdf};
use crate::crypto::mac::{MAC_LEN, mac};
use crate::crypto::padding::{pad, unpad};
use crate::lds::security_infos::Mapping;
use rand_core::CryptoRng;
use zeroize::Zeroizing;

/// The password key Kπ = KDF(K, 3) for `cipher`, from the MRZ or CAN key seed.
pub fn password_key(password: &Password, cipher: CipherAlgorithm) -> Zeroizing<Vec<u8>> {
    kdf(&password.pace_key_seed(), COUNTER_PACE, cipher)
}

/// z = E(Kπ, s), CBC with IV 0 (s a whole number of blocks).
pub fn encrypt_nonce(
    cipher: CipherAlgorithm,
    k_pi: &[u8],
    s: &[u8],
) -> Result<Vec<u8>, PaceCryptoError> {
    Ok(cbc_encrypt(cipher, k_pi, &vec![0; cipher.block_len()], s)?)
}

/// s = D(Kπ, z), CBC with IV 0.
pub fn decrypt_nonce(
    cipher: CipherAlgorithm,
    k_pi: &[u8],
    z: &[u8],
) -> Result<Zeroizing<Vec<u8>>, PaceCryptoError> {
    if z.is_empty() {
        return Err(PaceCryptoError::Invalid("empty encrypted nonce"));
    }
    Ok(Zeroizing::new(cbc_decrypt(
        cipher,
        k_pi,
        &vec![0; cipher.block_len()],
        z,
    )?))
}

/// The length in bytes of the nonce s the chip draws: one AES block (16 bytes; two 3DES blocks) for GM
/// and CAM; for IM, l = the smallest multiple of the block size not shorter than the key (16 or 32).
pub fn nonce_len(mapping: Mapping, cipher: CipherAlgorithm) -> usize {
    match (mapping, cipher) {
        (Mapping::Integrated, CipherAlgorithm::Aes192 | CipherAlgorithm::Aes256) => 32,
        _ => 16,
    }
}

/// A generator of the (mapped) group: a point or a DH group element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generator {
    /// A curve point.
    Ec(EcPoint),
    /// A DH group element, left-padded to the size of p.
    Dh(Vec<u8>),
}

impl Generator {
    /// The domain's standard generator.
    pub fn standard(domain: &DomainParameters) -> Generator {
        match domain {
            DomainParameters::Ec(c) => Generator::Ec(c.generator()),
            DomainParameters::Dh(g) => Generator::Dh(g.g().to_vec()),
        }
    }
}

/// Draws a private key: EC — field-size bytes, high bits beyond n's bit length cleared, redrawn unless
/// `1 ≤ k < n`; DH — q-size bytes, likewise against q. One draw of that size when the bytes are valid.
pub fn random_private<R: CryptoRng + ?Sized>(
    domain: &DomainParameters,
    rng: &mut R,
) -> Zeroizing<Vec<u8>> {
    match domain {
        DomainParameters::Ec(c) => c.random_scalar(rng).to_bytes(),
        DomainParameters::Dh(g) => g.random_exponent(rng),
    }
}

/// The public key `sk · G` (EC, uncompressed) or `G^sk mod p` (DH, left-padded).
pub fn public_key(
    domain: &DomainParameters,
    generator: &Generator,
    sk: &[u8],
) -> Result<Vec<u8>, PaceCryptoError> {
    match (domain, generator) {
        (DomainParameters::Ec(c), Generator::Ec(g)) => {
            Ok(g.mul(&c.scalar(sk)?)?.as_bytes().to_vec())
        }
        (DomainParameters::Dh(group), Generator::Dh(g)) => Ok(group.pow(g, sk)),
        _ => Err(PaceCryptoError::Invalid("generator of another group")),
    }
}

/// Validates a received public key: an uncompressed point on the curve (EC), or `1 < y < p − 1` with
/// `y^q = 1` (DH). Returns it in canonical (left-padded) form.
pub fn check_public(domain: &DomainParameters, pk: &[u8]) -> Result<Vec<u8>, PaceCryptoError> {
    match domain {
        DomainParameters::Ec(c) => Ok(c.decode_point(pk)?.as_bytes().to_vec()),
        DomainParameters::Dh(g) => {
            if pk.len() != g.p_len() {
                return Err(PaceCryptoError::Invalid(
                    "DH public value not of the size of p",
                ));
            }
            g.check_public(pk)?;
            Ok(pk.to_vec())
        }
    }
}

/// The shared secret K of the key agreement: the x-coordinate of `sk · PK` (EC, field size) or
/// `PK^sk mod p` (DH, size of p).
pub fn shared_secret(
    domain: &DomainParameters,
    sk: &[u8],
    peer: &[u8],
) -> Result<Zeroizing<Vec<u8>>, PaceCryptoError> {
    match domain {
        DomainParameters::Ec(c) => Ok(c.scalar(sk)?.diffie_hellman(&c.decode_point(peer)?)?),
        DomainParameters::Dh(g) => {
            g.check_public(peer)?;
            Ok(g.shared_secret(peer, sk))
        }
    }
}

/// Generic Mapping (and CAM): `G~ = s·G + H` with `H = sk_map · PK_map,peer` (EC), or `g~ = g^s · h` with
/// `h = PK_map,peer^sk_map mod p` (DH).
pub fn generic_map(
    domain: &DomainParameters,
    s: &[u8],
    sk_map: &[u8],
    pk_map_peer: &[u8],
) -> Result<Generator, PaceCryptoError> {
    match domain {
        DomainParameters::Ec(c) => {
            let h = c.decode_point(pk_map_peer)?.mul(&c.scalar(sk_map)?)?;
            let s_scalar = c.scalar(&reduce_mod(s, &c.order()))?;
            Ok(Generator::Ec(c.generator().mul(&s_scalar)?.add(&h)?))
        }
        DomainParameters::Dh(g) => {
            g.check_public(pk_map_peer)?;
            let h = g.pow(pk_map_peer, sk_map);
            let mapped = g.mul(&g.pow(g.g(), s), &h);
            g.check_public(&mapped)?;
            Ok(Generator::Dh(mapped))
        }
    }
}

/// Integrated Mapping: `G~ = f_G(R_p(s, t))` (EC) or `g~ = R_p(s, t)^((p−1)/q)` (DH).
pub fn integrated_map(
    domain: &DomainParameters,
    cipher: CipherAlgorithm,
    s: &[u8],
    t: &[u8],
) -> Result<Generator, PaceCryptoError> {
    match domain {
        DomainParameters::Ec(c) => {
            let r = im::pseudo_random(cipher, s, t, bit_length(&c.prime()))?;
            Ok(Generator::Ec(c.integrated_map(&r)?))
        }
        DomainParameters::Dh(g) => {
            let r = im::pseudo_random(cipher, s, t, bit_length(g.p()))?;
            let mapped = g.integrated_map(&r)?;
            g.check_public(&mapped)?;
            Ok(Generator::Dh(mapped))
        }
    }
}

/// Bit length of a big-endian integer.
pub fn bit_length(v: &[u8]) -> usize {
    let start = v.iter().position(|b| *b != 0).unwrap_or(v.len());
    match v.get(start) {
        Some(b) => (v.len() - start - 1) * 8 + (8 - b.leading_zeros() as usize),
        None => 0,
    }
}

/// The public key data object of the token: `7F49 { 06 OID, 86 point | 84 Y }`.
pub fn public_key_object(domain: &DomainParameters, oid: &[u8], pk: &[u8]) -> Vec<u8> {
    let key_tag = match domain {
        DomainParameters::Ec(_) => 0x86,
        DomainParameters::Dh(_) => 0x84,
    };
    asn1::der::constructed(
        0x7F49,
        &[&asn1::der::tlv(0x06, oid), &asn1::der::tlv(key_tag, pk)],
    )
}

/// The authentication token `MAC(KSmac, 7F49{OID, PK})` over the *other* side's ephemeral public key
/// (3DES pads with ISO 7816-4 padding before the retail MAC; CMAC pads internally).
pub fn auth_token(
    domain: &DomainParameters,
    cipher: CipherAlgorithm,
    k_mac: &[u8],
    oid: &[u8],
    peer_pk: &[u8],
) -> Result<[u8; MAC_LEN], PaceCryptoError> {
    let data = public_key_object(domain, oid, peer_pk);
    let data = match cipher {
        CipherAlgorithm::Tdes => pad(&data, 8),
        _ => data,
    };
    Ok(mac(cipher, k_mac, &data)?)
}

/// The IV of the PACE-CAM chip authentication data: `E(KSenc, FF…FF)` (one block of ones).
fn cam_iv(cipher: CipherAlgorithm, k_enc: &[u8]) -> Result<Vec<u8>, PaceCryptoError> {
    Ok(encrypt_block(
        cipher,
        k_enc,
        &vec![0xFF; cipher.block_len()],
    )?)
}

/// Chip side of PACE-CAM: `A_IC = E(KSenc, pad(CA_IC))` with `IV = E(KSenc, −1)`.
pub fn encrypt_chip_auth_data(
    cipher: CipherAlgorithm,
    k_enc: &[u8],
    ca_ic: &[u8],
) -> Result<Vec<u8>, PaceCryptoError> {
    let iv = cam_iv(cipher, k_enc)?;
    Ok(cbc_encrypt(
        cipher,
        k_enc,
        &iv,
        &pad(ca_ic, cipher.block_len()),
    )?)
}

/// Terminal side of PACE-CAM: decrypts `A_IC` to `CA_IC` (padding removed).
pub fn decrypt_chip_auth_data(
    cipher: CipherAlgorithm,
    k_enc: &[u8],
    a_ic: &[u8],
) -> Result<Zeroizing<Vec<u8>>, PaceCryptoError> {
    let iv = cam_iv(cipher, k_enc)?;
    let plain = Zeroizing::new(cbc_decrypt(cipher, k_enc, &iv, a_ic)?);
    Ok(Zeroizing::new(unpad(&plain)?.to_vec()))
}

/// Verifies PACE-CAM chip authentication: `PK_map,IC = CA_IC · PK_IC` for the chip's static public key
/// `pk_ic` (from EF.CardSecurity, to be trusted only after passive authentication of that file).
pub fn verify_chip_auth(
    curve: EcCurve,
    ca_ic: &[u8],
    pk_map_ic: &[u8],
    pk_ic: &[u8],
) -> Result<bool, PaceCryptoError> {
    let fs = curve.field_size();
    if ca_ic.len() > fs {
        return Err(PaceCryptoError::Invalid(
            "chip authentication data too long",
        ));
    }
    let mut padded = Zeroizing::new(vec![0u8; fs - ca_ic.len()]);
    padded.extend_from_slice(ca_ic);
    let k = curve.scalar(&padded)?;
    let expected = curve.decode_point(pk_ic)?.mul(&k)?;
    let map = curve.decode_point(pk_map_ic)?;
    use subtle::ConstantTimeEq;
    Ok(bool::from(expected.as_bytes().ct_eq(map.as_bytes())))
}
