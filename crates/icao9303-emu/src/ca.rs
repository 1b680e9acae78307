//! The card side of Chip Authentication v1 (ICAO 9303-11 section 6.2): the static key pair published in
//! DG14, MSE:Set KAT (3DES) or MSE:Set AT + GENERAL AUTHENTICATE (AES), and the new session keys.

use icao9303::auth::chip::{ID_PK_ECDH, chip_shared_secret, key_reference, protocol_oid};
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::crypto::domain::DomainParameters;
use icao9303::crypto::ec::EcCurve;
use icao9303::pki::ber::encode;
use icao9303::sm::SecureMessaging;
use icao9303::tlv;
use rand_core::CryptoRng;
use zeroize::Zeroizing;

/// id-ecPublicKey, encoded.
const EC_PUBLIC_KEY: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];

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
        let int = |v: u32| {
            let r = key_reference(v);
            let mut r = r;
            if r.first().is_some_and(|b| b & 0x80 != 0) {
                r.insert(0, 0);
            }
            encode(0x02, &r)
        };
        let seq = |parts: &[&[u8]]| encode(0x30, &parts.concat());
        let key_id = self.key_id.map(int).unwrap_or_default();
        let ca_info = seq(&[
            &encode(0x06, &protocol_oid(true, self.cipher)),
            &int(1),
            &key_id,
        ]);
        let mut bits = vec![0u8];
        bits.extend_from_slice(&self.public);
        let spki = seq(&[
            &seq(&[
                &encode(0x06, &EC_PUBLIC_KEY),
                &int(self.curve.parameter_id()),
            ]),
            &encode(0x03, &bits),
        ]);
        let pk_info = seq(&[&encode(0x06, &ID_PK_ECDH), &spki, &key_id]);
        vec![ca_info, pk_info]
    }

    fn domain(&self) -> DomainParameters {
        DomainParameters::Ec(self.curve)
    }

    fn key_id_matches(&self, data: &[u8]) -> bool {
        match tlv::find(data, 0x84) {
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
        let pk = tlv::find(data, 0x91).ok()??;
        self.session(pk.value)
    }

    /// MSE:Set AT (`00 22 41 A4 {80 OID, 84 keyId}`): accepted when the OID and key id are this key's.
    pub fn set_at(&self, data: &[u8]) -> bool {
        let oid_ok = matches!(tlv::find(data, 0x80), Ok(Some(t)) if t.value == protocol_oid(true, self.cipher).as_slice());
        oid_ok && self.cipher != CipherAlgorithm::Tdes && self.key_id_matches(data)
    }

    /// GENERAL AUTHENTICATE `7C{80 PK_IFD}` after MSE:Set AT: the new session.
    pub fn general_authenticate(&self, data: &[u8]) -> Option<SecureMessaging> {
        let outer = tlv::parse_exact(data, 0x7C).ok()?;
        let pk = outer.find(0x80).ok()??;
        self.session(pk.value)
    }

    fn session(&self, pk_ifd: &[u8]) -> Option<SecureMessaging> {
        let k = chip_shared_secret(&self.domain(), &self.sk, pk_ifd).ok()?;
        Some(SecureMessaging::from_shared_secret(self.cipher, &k))
    }
}
