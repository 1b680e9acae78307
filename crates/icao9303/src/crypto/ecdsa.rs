//! ECDSA signing with plain `r ‖ s` signatures (BSI TR-03111) on every supported curve: what a terminal
//! signs with in Terminal Authentication and what a CV certificate issuer signs certificates with.
//!
//! The nonce is derived deterministically (RFC 6979, HMAC over the signature's own hash), so a given key,
//! hash and message always give the same signature: test chains regenerate byte for byte, and the
//! signature never depends on the quality of a random number generator. Verification is done by
//! [`crate::pki::signature`].

use super::ec::{EcError, EcScalar};
use super::hash::HashAlgorithm;

/// Signs `message` with `key` and ECDSA over `hash` (RFC 6979 nonce); returns the plain signature
/// `r ‖ s`, each half left-padded to the field size. The curve dispatch is the registry's
/// ([`EcScalar::sign_prehashed`]).
pub fn sign_plain(key: &EcScalar, hash: HashAlgorithm, message: &[u8]) -> Result<Vec<u8>, EcError> {
    key.sign_prehashed(hash, &hash.digest(message))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::crypto::ec::EcCurve;
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
