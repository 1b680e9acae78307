//! The card side of Chip Authentication v1 (ICAO 9303-11 section 6.2): the static key pair published in
//! DG14, MSE:Set KAT (3DES) or MSE:Set AT + GENERAL AUTHENTICATE (AES), and the new session keys.

use icao9303::asn1::{self, ObjectIdentifier, der, tag};
use icao9303::auth::chip::{ID_PK_ECDH, chip_shared_secret, key_reference, protocol_oid};
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::crypto::domain::DomainParameters;
use icao9303::crypto::ec::EcCurve;
use icao9303::sm::SecureMessaging;
use rand_core::CryptoRng;
use zeroize::Zeroizing;

/// id-ecPublicKey.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// The chip's static Chip Authentication key pair (ECDH) and the protocol it offers.
#[derive(Clone)]
pub struct CaKey {
    curve: EcCurve,
    sk: Zeroizing<Vec<u8>>,
    public: Vec<u8>,
    /// The key id written in DG14 (and expected in DO'84').
    pub key_id: Option<u32>,
    /// The secure messaging cipher after Chip Authentication.
    pub cipher: CipherAlgorithm,
}

impl std::fmt::Debug for CaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CaKey({}, {}, redacted)",
            self.curve.name(),
            self.cipher.name()
        )
    }
}

impl CaKey {
    /// A fresh ECDH key on `curve` from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(
        curve: EcCurve,
        cipher: CipherAlgorithm,
        key_id: Option<u32>,
        rng: &mut R,
    ) -> Result<CaKey, String> {
        let sk = curve.random_scalar(rng);
        CaKey::from_private(curve, &sk.to_bytes(), cipher, key_id)
    }

    /// A key from its private scalar (field-size big-endian bytes).
    pub fn from_private(
        curve: EcCurve,
        sk: &[u8],
        cipher: CipherAlgorithm,
        key_id: Option<u32>,
    ) -> Result<CaKey, String> {
        let scalar = curve.scalar(sk).map_err(|e| e.to_string())?;
        let public = scalar
            .public_key(&curve.generator())
            .map_err(|e| e.to_string())?
            .as_bytes()
            .to_vec();
        Ok(CaKey {
            curve,
            sk: Zeroizing::new(sk.to_vec()),
            public,
            key_id,
            cipher,
        })
    }

    /// The ChipAuthenticationInfo and ChipAuthenticationPublicKeyInfo for DG14 (the key on standardized
    /// domain parameters, AlgorithmIdentifier parameters = the parameter id).
    pub fn security_infos(&self) -> Vec<Vec<u8>> {
        let key_id = self
            .key_id
            .map(|id| der::integer_u64(id.into()))
            .unwrap_or_default();
        let ca_info = der::sequence(&[
            &der::tlv(tag::OID, &protocol_oid(true, self.cipher)),
            &der::integer_u64(1),
            &key_id,
        ]);
        let spki = der::sequence(&[
            &der::sequence(&[
                &der::oid(&EC_PUBLIC_KEY),
                &der::integer_u64(self.curve.parameter_id().into()),
            ]),
            &der::bit_string(&self.public),
        ]);
        let pk_info = der::sequence(&[&der::tlv(tag::OID, &ID_PK_ECDH), &spki, &key_id]);
        vec![ca_info, pk_info]
    }

    fn domain(&self) -> DomainParameters {
        DomainParameters::Ec(self.curve)
    }

    fn key_id_matches(&self, data: &[u8]) -> bool {
        match asn1::find(data, 0x84) {
            Ok(Some(t)) => self.key_id.is_some_and(|id| key_reference(id) == t.value),
            Ok(None) => true,
            Err(_) => false,
        }
    }

    /// MSE:Set KAT (`00 22 41 A6 {91 PK_IFD, 84 keyId}`): the new session, or `None` when refused.
    pub fn set_kat(&self, data: &[u8]) -> Option<SecureMessaging> {
        if self.cipher != CipherAlgorithm::Tdes || !self.key_id_matches(data) {
            return None;
        }
        let pk = asn1::find(data, 0x91).ok()??;
        self.session(pk.value)
    }

    /// MSE:Set AT (`00 22 41 A4 {80 OID, 84 keyId}`): accepted when the OID and key id are this key's.
    pub fn set_at(&self, data: &[u8]) -> bool {
        let oid_ok = matches!(asn1::find(data, 0x80), Ok(Some(t)) if t.value == protocol_oid(true, self.cipher).as_slice());
        oid_ok && self.cipher != CipherAlgorithm::Tdes && self.key_id_matches(data)
    }

    /// GENERAL AUTHENTICATE `7C{80 PK_IFD}` after MSE:Set AT: the new session.
    pub fn general_authenticate(&self, data: &[u8]) -> Option<SecureMessaging> {
        let outer = asn1::parse_tagged(data, 0x7C).ok()?;
        let pk = outer.find(0x80).ok()??;
        self.session(pk.value)
    }

    fn session(&self, pk_ifd: &[u8]) -> Option<SecureMessaging> {
        let k = chip_shared_secret(&self.domain(), &self.sk, pk_ifd).ok()?;
        Some(SecureMessaging::from_shared_secret(self.cipher, &k))
    }
}
