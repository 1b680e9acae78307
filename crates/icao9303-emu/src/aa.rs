//! The card side of Active Authentication (ICAO 9303-11 section 6.1): INTERNAL AUTHENTICATE signs the
//! terminal's challenge with the chip's private key — RSA with ISO/IEC 9796-2 scheme 1 (SHA-1 trailer `BC`
//! up to 1024-bit keys, SHA-256 `34CC` above), or ECDSA P-256 with SHA-256 (plain `r ‖ s`).

use icao9303::apdu::StatusWord;
use icao9303::asn1::{ObjectIdentifier, der, tag};
use icao9303::auth::active::encode_representative;
use icao9303::crypto::ec::EcCurve;
use icao9303::crypto::hash::HashAlgorithm;
use p256::ecdsa::signature::Signer;
use rand_core::CryptoRng;
use rsa::traits::PublicKeyParts;

/// The chip's Active Authentication private key.
pub enum AaKey {
    /// RSA (ISO/IEC 9796-2 scheme 1) with SHA-1 up to 1024-bit keys, SHA-256 above.
    Rsa(Box<rsa::PrivateKey>),
    /// RSA (ISO/IEC 9796-2 scheme 1) with this hash (its trailer names it).
    RsaWithHash(Box<rsa::PrivateKey>, HashAlgorithm),
    /// ECDSA on NIST P-256 with SHA-256.
    EcdsaP256(p256::ecdsa::SigningKey),
    /// ECDSA on brainpoolP256r1 with SHA-256.
    EcdsaBp256(ecdsa::SigningKey<bp256::BrainpoolP256r1>),
}

impl std::fmt::Debug for AaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AaKey::Rsa(k) | AaKey::RsaWithHash(k, _) => {
                write!(f, "AaKey(RSA-{}, redacted)", k.n().as_ref().bit_width())
            }
            AaKey::EcdsaP256(_) => write!(f, "AaKey(ECDSA P-256, redacted)"),
            AaKey::EcdsaBp256(_) => write!(f, "AaKey(ECDSA brainpoolP256r1, redacted)"),
        }
    }
}

impl Clone for AaKey {
    fn clone(&self) -> Self {
        match self {
            AaKey::Rsa(k) => AaKey::Rsa(k.clone()),
            AaKey::RsaWithHash(k, h) => AaKey::RsaWithHash(k.clone(), *h),
            AaKey::EcdsaP256(k) => AaKey::EcdsaP256(k.clone()),
            AaKey::EcdsaBp256(k) => AaKey::EcdsaBp256(k.clone()),
        }
    }
}

/// An EC SubjectPublicKeyInfo with a named curve.
fn ec_spki(curve: &[u8], point: &[u8]) -> Vec<u8> {
    der::sequence(&[
        &der::sequence(&[&der::oid(&EC_PUBLIC_KEY), &der::tlv(tag::OID, curve)]),
        &der::bit_string(point),
    ])
}

/// rsaEncryption.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// id-ecPublicKey.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// ecdsa-with-SHA256.
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// id-icao-mrtd-security-aaProtocolObject.
const AA_PROTOCOL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.5");

impl AaKey {
    /// A fresh RSA key of `bits` bits from `rng`.
    pub fn generate_rsa<R: CryptoRng + ?Sized>(bits: usize, rng: &mut R) -> Result<AaKey, String> {
        rsa::PrivateKey::new(rng, bits)
            .map(|k| AaKey::Rsa(Box::new(k)))
            .map_err(|e| e.to_string())
    }

    /// An RSA key from its PKCS#8 PrivateKeyInfo (DER); malformed or inconsistent keys are errors.
    pub fn rsa_from_pkcs8(der: &[u8]) -> Result<AaKey, String> {
        use rsa::pkcs8::DecodePrivateKey;
        rsa::PrivateKey::from_pkcs8_der(der)
            .map(|k| AaKey::Rsa(Box::new(k)))
            .map_err(|e| format!("RSA PKCS#8 private key: {e}"))
    }

    /// This RSA key signing with `hash` (its ISO/IEC 9796-2 trailer names it: SHA-224 `38CC`, SHA-256
    /// `34CC`, SHA-384 `36CC`, SHA-512 `35CC`, SHA-1 `BC`); EC keys are returned as they are.
    pub fn with_rsa_hash(self, hash: HashAlgorithm) -> AaKey {
        match self {
            AaKey::Rsa(k) | AaKey::RsaWithHash(k, _) => AaKey::RsaWithHash(k, hash),
            other => other,
        }
    }

    /// A fresh ECDSA P-256 key from `rng`.
    pub fn generate_p256<R: CryptoRng + ?Sized>(rng: &mut R) -> AaKey {
        let mut bytes = [0u8; 32];
        loop {
            rng.fill_bytes(&mut bytes);
            if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&bytes) {
                return AaKey::EcdsaP256(k);
            }
        }
    }

    /// A fresh ECDSA brainpoolP256r1 key from `rng`.
    pub fn generate_bp256<R: CryptoRng + ?Sized>(rng: &mut R) -> AaKey {
        let mut bytes = [0u8; 32];
        loop {
            rng.fill_bytes(&mut bytes);
            if let Ok(k) = ecdsa::SigningKey::<bp256::BrainpoolP256r1>::from_slice(&bytes) {
                return AaKey::EcdsaBp256(k);
            }
        }
    }

    /// The public key as DER SubjectPublicKeyInfo (the content of DG15).
    pub fn spki(&self) -> Vec<u8> {
        match self {
            AaKey::Rsa(k) | AaKey::RsaWithHash(k, _) => {
                let key = der::sequence(&[
                    &der::integer_unsigned(&k.n_bytes()),
                    &der::integer_unsigned(&k.e_bytes()),
                ]);
                der::sequence(&[
                    &der::sequence(&[&der::oid(&RSA_ENCRYPTION), &der::null()]),
                    &der::bit_string(&key),
                ])
            }
            AaKey::EcdsaP256(k) => ec_spki(
                EcCurve::NistP256.oid(),
                k.verifying_key().to_sec1_point(false).as_bytes(),
            ),
            AaKey::EcdsaBp256(k) => ec_spki(
                EcCurve::BrainpoolP256r1.oid(),
                k.verifying_key().to_sec1_point(false).as_bytes(),
            ),
        }
    }

    /// The ActiveAuthenticationInfo DG14 must carry for an ECDSA key (none for RSA).
    pub fn security_info(&self) -> Option<Vec<u8>> {
        match self {
            AaKey::Rsa(_) | AaKey::RsaWithHash(..) => None,
            AaKey::EcdsaP256(_) | AaKey::EcdsaBp256(_) => Some(der::sequence(&[
                &der::oid(&AA_PROTOCOL),
                &der::integer_u64(1),
                &der::oid(&ECDSA_SHA256),
            ])),
        }
    }

    /// INTERNAL AUTHENTICATE: signs the 8-byte `challenge` (M1 of the RSA message is random).
    pub fn sign<R: CryptoRng + ?Sized>(
        &self,
        challenge: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, StatusWord> {
        self.sign_with(challenge, rng, false)
    }

    /// [`AaKey::sign`]; with `wrong_trailer`, an RSA key signs a representative whose ISO/IEC 9796-2
    /// trailer is changed (`BC` → `BD`, `xxCC` → `xxCD`): the signature is the key's, the structure is
    /// not (a conformance fault; EC keys ignore it).
    pub fn sign_with<R: CryptoRng + ?Sized>(
        &self,
        challenge: &[u8],
        rng: &mut R,
        wrong_trailer: bool,
    ) -> Result<Vec<u8>, StatusWord> {
        match self {
            AaKey::Rsa(k) | AaKey::RsaWithHash(k, _) => {
                let n = k.n().as_ref();
                let len = n.bit_width().div_ceil(8) as usize;
                let hash = match self {
                    AaKey::RsaWithHash(_, h) => *h,
                    _ if len <= 128 => HashAlgorithm::Sha1,
                    _ => HashAlgorithm::Sha256,
                };
                let mut m1 = vec![0u8; len];
                rng.fill_bytes(&mut m1);
                let mut f =
                    encode_representative(len, hash, &m1, challenge).ok_or(StatusWord(0x6F00))?;
                if wrong_trailer && let Some(last) = f.last_mut() {
                    *last ^= 0x01;
                }
                let f = rsa::BoxedUint::from_be_slice(&f, n.bits_precision())
                    .map_err(|_| StatusWord(0x6F00))?;
                let s = rsa::hazmat::rsa_decrypt_and_check(k.as_ref(), None::<&mut R>, &f)
                    .map_err(|_| StatusWord(0x6F00))?;
                // min(s, n − s), as ISO/IEC 9796-2 allows.
                let other = n.wrapping_sub(&s);
                let s = if other < s { other } else { s };
                let bytes = s.to_be_bytes();
                Ok(bytes[bytes.len().saturating_sub(len)..].to_vec())
            }
            AaKey::EcdsaP256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.try_sign(challenge).map_err(|_| StatusWord(0x6F00))?;
                Ok(sig.to_bytes().to_vec())
            }
            AaKey::EcdsaBp256(k) => {
                let sig: ecdsa::Signature<bp256::BrainpoolP256r1> =
                    k.try_sign(challenge).map_err(|_| StatusWord(0x6F00))?;
                Ok(sig.to_bytes().to_vec())
            }
        }
    }
}
