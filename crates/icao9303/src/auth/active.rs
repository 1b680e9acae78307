//! Active Authentication (ICAO 9303-11 section 6.1): the chip proves it holds the private key of DG15 by
//! signing a challenge chosen by the terminal.
//!
//! * Terminal → chip: INTERNAL AUTHENTICATE `00 88 00 00 08 <RND.IFD> 00`.
//! * RSA keys: the signature is ISO/IEC 9796-2 digital signature scheme 1 with partial message recovery.
//!   The terminal computes `F = s^e mod n` (or `n − F` when the chip used the `min(s, n − s)` convention),
//!   checks `F = header ‖ M1 ‖ H ‖ trailer`, and that `H = hash(M1 ‖ RND.IFD)` for the hash the trailer
//!   names (`BC`: SHA-1 implicit; `33CC` SHA-1, `34CC` SHA-256, `35CC` SHA-512, `36CC` SHA-384,
//!   `38CC` SHA-224: ISO/IEC 10118 hash identifiers).
//! * EC keys: ECDSA over RND.IFD with the hash of the signature algorithm in DG14's
//!   ActiveAuthenticationInfo; plain `r ‖ s` (TR-03111) and DER (X9.62) signatures are accepted.
//!
//! Both sides are here: [`encode_representative`] builds `F` for the emulator's chip.

use crate::Error;
use crate::apdu::{CommandApdu, StatusWord};
use crate::asn1::ObjectIdentifier;
use crate::asn1::{Asn1Error, Mode, tag};
use crate::channel::Channel;
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::montgomery::PublicModulus;
use crate::lds::dg15::{AaKeyKind, Dg15};
use crate::pki::certificate::PublicKeyInfo;
use crate::pki::cms::AlgorithmId;
use crate::pki::signature::{self, Scheme};
use rand_core::CryptoRng;
use rsa::traits::PublicKeyParts;
use subtle::ConstantTimeEq;

/// The step name in errors.
pub const STEP_INTERNAL_AUTHENTICATE: &str = "Active Authentication: INTERNAL AUTHENTICATE";

/// Length of RND.IFD, the terminal's challenge.
pub const CHALLENGE_LEN: usize = 8;

/// Why an Active Authentication signature was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AaError {
    /// The DG15 key cannot be used.
    #[error("Active Authentication key: {0}")]
    Key(String),
    /// The recovered ISO/IEC 9796-2 message representative is malformed (wrong key or forged signature).
    #[error("ISO/IEC 9796-2 message representative: {0}")]
    Structure(String),
    /// The hash in the recovered representative is not the hash of M1 and the challenge.
    #[error("the recovered hash differs from {0} of M1 and the challenge")]
    HashMismatch(&'static str),
    /// The ECDSA signature is malformed or does not verify.
    #[error("ECDSA signature: {0}")]
    Ecdsa(String),
}

/// A fresh challenge RND.IFD from `rng`.
pub fn fresh_challenge<R: CryptoRng + ?Sized>(rng: &mut R) -> [u8; CHALLENGE_LEN] {
    let mut c = [0u8; CHALLENGE_LEN];
    rng.fill_bytes(&mut c);
    c
}

chip_pub! {
/// Sends INTERNAL AUTHENTICATE with `challenge` (Le = 256, written `00`) and returns the signature.
pub fn internal_authenticate(
    channel: &mut dyn Channel,
    challenge: &[u8; CHALLENGE_LEN],
) -> Result<Vec<u8>, Error> {
    let cmd = CommandApdu::new(0x00, 0x88, 0x00, 0x00)
        .with_data(challenge.to_vec())
        .with_le(256);
    let resp = channel.exchange(STEP_INTERNAL_AUTHENTICATE, &cmd)?;
    if resp.sw != StatusWord::OK {
        return Err(Error::Status {
            step: STEP_INTERNAL_AUTHENTICATE,
            sw: resp.sw,
        });
    }
    if resp.data.is_empty() {
        return Err(Error::protocol(
            STEP_INTERNAL_AUTHENTICATE,
            "the chip returned no signature",
        ));
    }
    Ok(resp.data)
}
}

/// The hash an ISO/IEC 10118 hash identifier (the byte before `CC` in the trailer) names.
pub fn hash_for_trailer_id(id: u8) -> Option<HashAlgorithm> {
    match id {
        0x33 => Some(HashAlgorithm::Sha1),
        0x34 => Some(HashAlgorithm::Sha256),
        0x35 => Some(HashAlgorithm::Sha512),
        0x36 => Some(HashAlgorithm::Sha384),
        0x38 => Some(HashAlgorithm::Sha224),
        _ => None,
    }
}

fn trailer_id_for_hash(hash: HashAlgorithm) -> u8 {
    match hash {
        HashAlgorithm::Sha1 => 0x33,
        HashAlgorithm::Sha256 => 0x34,
        HashAlgorithm::Sha512 => 0x35,
        HashAlgorithm::Sha384 => 0x36,
        HashAlgorithm::Sha224 => 0x38,
    }
}

/// A recovered ISO/IEC 9796-2 scheme 1 message representative `F`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// The recoverable part of the message, M1.
    pub m1: Vec<u8>,
    /// The hash H carried in F.
    pub digest: Vec<u8>,
    /// The hash algorithm the trailer names.
    pub hash: HashAlgorithm,
    /// The trailer: `BC` or `xxCC`.
    pub trailer: Vec<u8>,
    /// The "more data" bit of the header: set for partial recovery (M2 = RND.IFD not in F).
    pub partial_recovery: bool,
}

/// Splits a message representative `F = header ‖ M1 ‖ H ‖ trailer` (leading zero bytes ignored).
pub fn decode_representative(f: &[u8]) -> Result<Recovered, AaError> {
    let bad = |what: &str| AaError::Structure(what.to_string());
    let start = f.iter().position(|b| *b != 0).unwrap_or(f.len());
    let f = &f[start..];
    let (&first, _) = f.split_first().ok_or_else(|| bad("empty"))?;
    if first & 0xC0 != 0x40 {
        return Err(bad(&format!(
            "header {first:02X} does not start with bits 01"
        )));
    }
    let (hash, trailer_len) = match f {
        [.., 0xBC] => (HashAlgorithm::Sha1, 1),
        [.., id, 0xCC] => (
            hash_for_trailer_id(*id)
                .ok_or_else(|| bad(&format!("unknown hash identifier {id:02X} in trailer")))?,
            2,
        ),
        [.., last] => {
            return Err(bad(&format!(
                "trailer byte {last:02X} is neither BC nor CC"
            )));
        }
        [] => return Err(bad("empty")),
    };
    // Padding: the header's low nibble and following nibbles are 'B' up to a nibble 'A'; M1 follows.
    let pad_end = f
        .iter()
        .position(|b| b & 0x0F == 0x0A)
        .ok_or_else(|| bad("no end of padding (nibble A)"))?;
    let padding_ok = f[..pad_end]
        .iter()
        .enumerate()
        .all(|(i, b)| if i == 0 { b & 0x0F == 0x0B } else { *b == 0xBB })
        && (pad_end == 0 || f.get(pad_end).is_some_and(|b| b >> 4 == 0x0B));
    if !padding_ok {
        return Err(bad("malformed padding field"));
    }
    let hlen = hash.output_len();
    let body = f
        .get(pad_end + 1..f.len() - trailer_len)
        .ok_or_else(|| bad("too short"))?;
    if body.len() < hlen {
        return Err(bad("too short for the hash"));
    }
    let (m1, digest) = body.split_at(body.len() - hlen);
    Ok(Recovered {
        m1: m1.to_vec(),
        digest: digest.to_vec(),
        hash,
        trailer: f[f.len() - trailer_len..].to_vec(),
        partial_recovery: first & 0x20 != 0,
    })
}

/// Builds `F = 6A ‖ M1 ‖ hash(M1 ‖ challenge) ‖ trailer` for a modulus of `modulus_len` bytes, with M1 as
/// long as fits (the chip side: `m1_source` supplies M1's bytes, usually random). Trailer `BC` for SHA-1,
/// `xxCC` otherwise.
pub fn encode_representative(
    modulus_len: usize,
    hash: HashAlgorithm,
    m1_source: &[u8],
    challenge: &[u8],
) -> Option<Vec<u8>> {
    let trailer: Vec<u8> = if hash == HashAlgorithm::Sha1 {
        vec![0xBC]
    } else {
        vec![trailer_id_for_hash(hash), 0xCC]
    };
    let m1_len = modulus_len.checked_sub(1 + hash.output_len() + trailer.len())?;
    let m1 = m1_source.get(..m1_len)?;
    let mut message = m1.to_vec();
    message.extend_from_slice(challenge);
    let mut f = Vec::with_capacity(modulus_len);
    f.push(0x6A);
    f.extend_from_slice(m1);
    f.extend(hash.digest(&message));
    f.extend(trailer);
    Some(f)
}

fn rsa_public_key(key: &PublicKeyInfo) -> Result<rsa::PublicKey, AaError> {
    let bad = |e: Asn1Error| AaError::Key(format!("RSAPublicKey: {e}"));
    let seq = Mode::Ber.parse_exact(&key.key).map_err(bad)?;
    let mut r = seq.cursor();
    let n = r
        .next("modulus")
        .and_then(|e| e.unsigned_integer())
        .map_err(bad)?;
    let e = r
        .next("publicExponent")
        .and_then(|e| e.unsigned_integer())
        .map_err(bad)?;
    rsa::PublicKey::new_with_size_limits(
        rsa::BoxedUint::from_be_slice_vartime(n),
        rsa::BoxedUint::from_be_slice_vartime(e),
        1024..=4096,
    )
    .map_err(|e| AaError::Key(format!("RSA key: {e}")))
}

/// Recovers the message representative from an RSA Active Authentication signature (raw `s^e mod n`,
/// then `n − F` when F does not end in nibble `C`).
pub fn recover(key: &PublicKeyInfo, signature: &[u8]) -> Result<Recovered, AaError> {
    let public = rsa_public_key(key)?;
    let modulus = PublicModulus::new(&public.n().to_be_bytes())
        .ok_or_else(|| AaError::Key("RSA modulus is even".into()))?;
    let k = modulus.byte_len();
    let sig_start = signature
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(signature.len());
    if signature.len() - sig_start > k {
        return Err(AaError::Structure(format!(
            "signature of {} bytes for a {k}-byte modulus",
            signature.len()
        )));
    }
    let f = modulus
        .pow_public(&signature[sig_start..], &public.e().to_be_bytes())
        .ok_or_else(|| AaError::Structure("signature is not below the modulus".into()))?;
    let f = if f.last().is_some_and(|b| b & 0x0F == 0x0C) {
        f
    } else {
        modulus
            .complement(&f)
            .ok_or_else(|| AaError::Structure("RSA result is not below the modulus".into()))?
    };
    decode_representative(&f)
}

/// The hash ECDSA Active Authentication uses for a signature algorithm OID of ActiveAuthenticationInfo
/// (ecdsa-with-SHA*, or the BSI ecdsa-plain-SHA* family); `None` for any other algorithm (an RSA one is
/// not an algorithm an EC key signs with).
pub fn ecdsa_hash_for(oid: &ObjectIdentifier) -> Option<HashAlgorithm> {
    let alg = AlgorithmId {
        oid: *oid,
        parameters: None,
    };
    match signature::scheme_for(&alg, None).ok()? {
        Scheme::Ecdsa(h) | Scheme::EcdsaPlain(h) => Some(h),
        Scheme::RsaPkcs1v15(_) | Scheme::RsaPss { .. } => None,
    }
}

/// The hash ECDSA Active Authentication falls back to when DG14 names none: by the curve's size.
fn hash_for_curve_size(key: &PublicKeyInfo) -> HashAlgorithm {
    let coord = key.key.len().saturating_sub(1) / 2;
    match coord {
        0..=28 => HashAlgorithm::Sha224,
        29..=32 => HashAlgorithm::Sha256,
        33..=48 => HashAlgorithm::Sha384,
        _ => HashAlgorithm::Sha512,
    }
}

/// Verifies an Active Authentication `signature` over `challenge` with the DG15 key.
/// `ecdsa_hash` is the hash of DG14's ActiveAuthenticationInfo (EC keys only; inferred from the curve size
/// when `None`). Returns a description of what verified.
pub fn verify(
    dg15: &Dg15,
    ecdsa_hash: Option<HashAlgorithm>,
    challenge: &[u8],
    signature: &[u8],
) -> Result<String, AaError> {
    match dg15.kind {
        AaKeyKind::Rsa => {
            let rec = recover(&dg15.key, signature)?;
            let mut message = rec.m1.clone();
            message.extend_from_slice(challenge);
            let expected = rec.hash.digest(&message);
            if !bool::from(expected.ct_eq(&rec.digest)) {
                return Err(AaError::HashMismatch(rec.hash.name()));
            }
            let recovery = if rec.partial_recovery {
                "partial recovery"
            } else {
                "full-recovery header"
            };
            Ok(format!(
                "{}, ISO/IEC 9796-2 scheme 1 ({recovery}), {} (trailer {})",
                dg15.describe(),
                rec.hash,
                rec.trailer
                    .iter()
                    .map(|b| format!("{b:02X}"))
                    .collect::<String>()
            ))
        }
        AaKeyKind::Ec => {
            let (hash, inferred) = match ecdsa_hash {
                Some(h) => (h, ""),
                None => (
                    hash_for_curve_size(&dg15.key),
                    " (no ActiveAuthenticationInfo: hash chosen by curve size)",
                ),
            };
            let digest = hash.digest(challenge);
            let der = Mode::Ber
                .parse_exact(signature)
                .is_ok_and(|e| e.tag == tag::SEQUENCE);
            let scheme = if der {
                Scheme::Ecdsa(hash)
            } else {
                Scheme::EcdsaPlain(hash)
            };
            signature::verify_prehash(&dg15.key, scheme, &digest, signature)
                .map_err(|e| AaError::Ecdsa(e.to_string()))?;
            Ok(format!(
                "{}, {}{inferred}",
                dg15.describe(),
                scheme.describe()
            ))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    #[test]
    fn icao_worked_example_structure() {
        // ICAO 9303-11 appendix F (k = 1024, SHA-1, trailer BC).
        let m1 = h(
            "9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC1991B543F1696546C5524CF23A5303CD6C98599F40B79F377B5F3A1406B3B4D8F96784D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA978264C4A207446DAD4E7292E2DCDA3024B47DA8",
        );
        let rnd = h("F173589974BF40C6");
        let f = encode_representative(128, HashAlgorithm::Sha1, &m1, &rnd).unwrap();
        assert_eq!(
            hex::encode_upper(&f),
            "6A9D2784A67F8E7C659973EA1AEA25D95B6C8F91E5002F369F0FBDCE8A3CEC1991B543F1696546C5524CF23A5303CD6C98599F40B79F377B5F3A1406B3B4D8F96784D23AA88DB7E1032A405E69325FA91A6E86F5C71AEA978264C4A207446DAD4E7292E2DCDA3024B47DA8C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127BC"
        );
        let rec = decode_representative(&f).unwrap();
        assert_eq!(rec.m1, m1);
        assert_eq!(
            hex::encode_upper(&rec.digest),
            "C063AA1E6D22FBD976AB0FE73D94D2D9C6D88127"
        );
        assert!(rec.partial_recovery);
    }

    #[test]
    fn trailers_and_malformed_representatives() {
        // Synthetic F strings for every trailer (gmrtd TestDecodeF): M1 = 1234…3344, RND = 0102…08.
        for (f, hash) in [
            (
                "6A1234567890ABCDEF1234567890ABCDEF11223344e9b287952a913cc5b60ff74ecfc87e40e81563b1BC",
                HashAlgorithm::Sha1,
            ),
            (
                "6A1234567890ABCDEF1234567890ABCDEF11223344aefc05e88f48eb88d367ba3dacb7d6a8543ec02bd315e47ddbe2045d38CC",
                HashAlgorithm::Sha224,
            ),
            (
                "6A1234567890ABCDEF1234567890ABCDEF11223344783980d44fd3a80f0e4210eb9c73ea399932062d465438f8e1ff13377de8308934CC",
                HashAlgorithm::Sha256,
            ),
            (
                "6A1234567890ABCDEF1234567890ABCDEF112233448e0873b0baf595a777b497779981bd94dda3a81fd61cf2d526ab490f2d6cbcecc6eab5804df4e0a70169d4d0d6c07e7536CC",
                HashAlgorithm::Sha384,
            ),
            (
                "6A1234567890ABCDEF1234567890ABCDEF11223344968304e09f0c0ec86be4ade4b82d97d04283e3652b61193856c9ede1dac8962b3da9580fd77e9f9ef18a24c517d8d3b05f4eeb177e990ae1e80895c8bb28f51635CC",
                HashAlgorithm::Sha512,
            ),
        ] {
            let rec = decode_representative(&h(f)).unwrap();
            assert_eq!(rec.hash, hash);
            assert_eq!(rec.m1, h("1234567890ABCDEF1234567890ABCDEF11223344"));
            let mut m = rec.m1.clone();
            m.extend(h("0102030405060708"));
            assert_eq!(hash.digest(&m), rec.digest);
        }
        for bad in [
            "",
            "6B000000",
            "6A000000",
            "6A0000CC",
            "6Ab287952a913cc5b60ff74ecfc87e40e81563b1BC",
            "2A1234BC",
        ] {
            assert!(decode_representative(&h(bad)).is_err(), "{bad}");
        }
        // Padding before M1 (short messages): 4B BB … BA.
        let rec = decode_representative(&h("4BBBBA0102e9b287952a913cc5b60ff74ecfc87e40e81563b1BC"))
            .unwrap();
        assert_eq!(rec.m1, h("0102"));
        assert!(!rec.partial_recovery);
    }
}
