//! ECDSA signing with plain `r ‖ s` signatures (BSI TR-03111) on every supported curve: what a terminal
//! signs with in Terminal Authentication and what a CV certificate issuer signs certificates with.
//!
//! The nonce is derived deterministically (RFC 6979, HMAC over the signature's own hash), so a given key,
//! hash and message always give the same signature: test chains regenerate byte for byte, and the
//! signature never depends on the quality of a random number generator. Verification is done by
//! [`crate::pki::signature`].

use super::brainpool::{
    p192r1::BrainpoolP192r1, p224r1::BrainpoolP224r1, p320r1::BrainpoolP320r1,
    p512r1::BrainpoolP512r1,
};
use super::ec::{EcCurve, EcError, EcScalar};
use super::hash::HashAlgorithm;
use ecdsa::EcdsaCurve;
use ecdsa::hazmat::sign_prehashed_rfc6979;
use elliptic_curve::{CurveArithmetic, FieldBytes, NonZeroScalar};

fn sign<C>(d: &[u8], digest: &[u8], hash: HashAlgorithm) -> Option<Vec<u8>>
where
    C: EcdsaCurve + CurveArithmetic,
{
    let repr = FieldBytes::<C>::try_from(d).ok()?;
    let d: NonZeroScalar<C> = NonZeroScalar::<C>::from_repr(repr).into_option()?;
    let (sig, _) = match hash {
        HashAlgorithm::Sha1 => sign_prehashed_rfc6979::<C, sha1::Sha1>(&d, digest, &[]),
        HashAlgorithm::Sha224 => sign_prehashed_rfc6979::<C, sha2::Sha224>(&d, digest, &[]),
        HashAlgorithm::Sha256 => sign_prehashed_rfc6979::<C, sha2::Sha256>(&d, digest, &[]),
        HashAlgorithm::Sha384 => sign_prehashed_rfc6979::<C, sha2::Sha384>(&d, digest, &[]),
        HashAlgorithm::Sha512 => sign_prehashed_rfc6979::<C, sha2::Sha512>(&d, digest, &[]),
    };
    Some(sig.to_bytes().to_vec())
}

/// Signs `message` with `key` and ECDSA over `hash` (RFC 6979 nonce); returns the plain signature
/// `r ‖ s`, each half left-padded to the field size.
pub fn sign_plain(key: &EcScalar, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>, EcError> {
    let digest = hash.digest(message);
    let d = key.to_bytes();
    let sig = match key.curve() {
        EcCurve::NistP192 => sign::<p192::NistP192>(&d, &digest, hash),
        EcCurve::BrainpoolP192r1 => sign::<BrainpoolP192r1>(&d, &digest, hash),
        EcCurve::NistP224 => sign::<p224::NistP224>(&d, &digest, hash),
        EcCurve::BrainpoolP224r1 => sign::<BrainpoolP224r1>(&d, &digest, hash),
        EcCurve::NistP256 => sign::<p256::NistP256>(&d, &digest, hash),
        EcCurve::BrainpoolP256r1 => sign::<bp256::BrainpoolP256r1>(&d, &digest, hash),
        EcCurve::BrainpoolP320r1 => sign::<BrainpoolP320r1>(&d, &digest, hash),
        EcCurve::NistP384 => sign::<p384::NistP384>(&d, &digest, hash),
        EcCurve::BrainpoolP384r1 => sign::<bp384::BrainpoolP384r1>(&d, &digest, hash),
        EcCurve::BrainpoolP512r1 => sign::<BrainpoolP512r1>(&d, &digest, hash),
        EcCurve::NistP521 => sign::<p521::NistP521>(&d, &digest, hash),
    };
    sig.ok_or(EcError::InvalidScalar(key.curve().name()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::pki::cvc::{CvKey, CvPublicKey, EcDomainParameters, TaAlgorithm};

    #[test]
    fn signatures_verify_on_every_curve_and_hash() {
        for curve in EcCurve::ALL {
            let mut d = vec![0x11; curve.field_size()];
            d[0] = 0x01;
            let key = curve.scalar(&d).unwrap();
            let public = CvPublicKey {
                algorithm: TaAlgorithm::Ecdsa(HashAlgorithm::Sha256),
                key: CvKey::Ec {
                    domain: Some(EcDomainParameters::from_curve(curve)),
                    point: key
                        .public_key(&curve.generator())
                        .unwrap()
                        .as_bytes()
                        .to_vec(),
                },
            };
            for hash in HashAlgorithm::ALL {
                let sig = sign_plain(&key, hash, b"message").unwrap();
                let public = CvPublicKey {
                    algorithm: TaAlgorithm::Ecdsa(hash),
                    ..public.clone()
                };
                assert!(
                    public.verify(b"message", &sig).is_ok(),
                    "{} {hash}",
                    curve.name()
                );
                assert!(public.verify(b"messagf", &sig).is_err());
                assert_eq!(
                    sig,
                    sign_plain(&key, hash, b"message").unwrap(),
                    "deterministic"
                );
            }
        }
    }
}
