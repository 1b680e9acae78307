//! Chip Authentication version 1 (ICAO 9303-11 section 6.2, BSI TR-03110): an ephemeral-static
//! Diffie-Hellman key agreement with the chip's static key from DG14 (or EF.CardSecurity). Only a chip
//! holding the private key derives the same K, so the new secure messaging session proves the chip genuine.
//!
//! * 3DES (`id-CA-*-3DES-CBC-CBC`): MSE:Set KAT `00 22 41 A6 {91 PK_IFD, 84 keyId}`.
//! * AES (`id-CA-*-AES-CBC-CMAC-*`): MSE:Set AT `00 22 41 A4 {80 OID, 84 keyId}`, then GENERAL AUTHENTICATE
//!   `00 86 00 00 7C{80 PK_IFD}`.
//!
//! K = x-coordinate of `SK_IFD · PK_IC` (ECDH) or `PK_IC^SK_IFD mod p` (DH), left-padded to the field size;
//! KSenc = KDF(K, 1), KSmac = KDF(K, 2), SSC = 0. Both commands go under the old session; everything after
//! under the new one. A missing ChipAuthenticationInfo is inferred from the key (`id-PK-ECDH` →
//! `id-CA-ECDH-3DES-CBC-CBC`, `id-PK-DH` → `id-CA-DH-3DES-CBC-CBC`); with several keys the keyId decides.

use crate::Error;
use crate::apdu::{CommandApdu, StatusWord};
use crate::asn1;
use crate::channel::Channel;
use crate::crypto::cipher::CipherAlgorithm;
use crate::crypto::domain::{DomainParameters, KeyAgreement};
use crate::lds::security_infos::{SecurityInfo, SecurityInfos};
use crate::sm::SecureMessaging;
use crate::tlv;
use rand_core::CryptoRng;
use zeroize::Zeroizing;

const STEP_MSE: &str = "Chip Authentication: MSE:Set KAT / Set AT";
const STEP_GA: &str = "Chip Authentication: GENERAL AUTHENTICATE";

/// `id-CA` (0.4.0.127.0.7.2.2.3), encoded.
const ID_CA: [u8; 8] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03];
/// `id-PK-DH` (0.4.0.127.0.7.2.2.1.1), encoded.
pub const ID_PK_DH: [u8; 9] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x01, 0x01];
/// `id-PK-ECDH` (0.4.0.127.0.7.2.2.1.2), encoded.
pub const ID_PK_ECDH: [u8; 9] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x01, 0x02];

/// The protocol OID `id-CA-{DH,ECDH}-{3DES,AES}` for a key agreement (`ecdh`) and cipher, encoded.
pub fn protocol_oid(ecdh: bool, cipher: CipherAlgorithm) -> Vec<u8> {
    let mut oid = ID_CA.to_vec();
    oid.push(if ecdh { 2 } else { 1 });
    oid.push(match cipher {
        CipherAlgorithm::Tdes => 1,
        CipherAlgorithm::Aes128 => 2,
        CipherAlgorithm::Aes192 => 3,
        CipherAlgorithm::Aes256 => 4,
    });
    oid
}

/// The key agreement (true: ECDH) and cipher of an `id-CA-*` OID.
pub fn parse_protocol_oid(oid: &[u8]) -> Option<(bool, CipherAlgorithm)> {
    let rest = oid.strip_prefix(&ID_CA[..])?;
    let ecdh = match rest.first()? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let cipher = match rest.get(1..)? {
        [1] => CipherAlgorithm::Tdes,
        [2] => CipherAlgorithm::Aes128,
        [3] => CipherAlgorithm::Aes192,
        [4] => CipherAlgorithm::Aes256,
        _ => return None,
    };
    Some((ecdh, cipher))
}

/// A chip's static Chip Authentication public key (from ChipAuthenticationPublicKeyInfo).
#[derive(Debug, Clone, PartialEq)]
pub struct ChipKey {
    /// The key id, when given.
    pub key_id: Option<u32>,
    /// The curve or DH group.
    pub domain: DomainParameters,
    /// The public key: an uncompressed point (ECDH) or the DH value y, left-padded to the size of p.
    pub public: Vec<u8>,
}

impl ChipKey {
    /// Reads a SubjectPublicKeyInfo of `id-PK-ECDH` / `id-PK-DH`: named or explicit EC parameters, a
    /// standardized parameter id, or explicit DH parameters.
    pub fn from_spki(spki: &[u8], key_id: Option<u32>) -> Result<ChipKey, String> {
        let seq = asn1::parse_tagged(spki, 0x30).map_err(|e| format!("CA public key: {e}"))?;
        let c = seq.children().map_err(|e| format!("CA public key: {e}"))?;
        let (Some(alg), Some(bits)) = (c.first(), c.get(1)) else {
            return Err("CA public key: SubjectPublicKeyInfo needs algorithm and key".into());
        };
        let domain =
            DomainParameters::from_algorithm(alg).map_err(|e| format!("CA public key: {e}"))?;
        if bits.tag != 0x03 || bits.value.first() != Some(&0) {
            return Err(
                "CA public key: subjectPublicKey is not a BIT STRING of whole bytes".into(),
            );
        }
        let raw = &bits.value[1..];
        let public = match &domain {
            DomainParameters::Ec(curve) => curve
                .decode_point(raw)
                .map_err(|e| format!("CA public key: {e}"))?
                .as_bytes()
                .to_vec(),
            DomainParameters::Dh(group) => {
                let y = tlv::parse_exact(raw, 0x02)
                    .map_err(|e| format!("CA public key (DH INTEGER): {e}"))?;
                let start = y
                    .value
                    .iter()
                    .position(|b| *b != 0)
                    .unwrap_or(y.value.len());
                let y = &y.value[start..];
                group
                    .check_public(y)
                    .map_err(|e| format!("CA public key: {e}"))?;
                let mut padded = vec![0u8; group.p_len().saturating_sub(y.len())];
                padded.extend_from_slice(y);
                padded
            }
        };
        Ok(ChipKey {
            key_id,
            domain,
            public,
        })
    }

    /// "ECDH brainpoolP256r1", "DH 2048-bit".
    pub fn describe(&self) -> String {
        self.domain.describe()
    }
}

/// What Chip Authentication will run: protocol, cipher and the chip's key.
#[derive(Debug, Clone, PartialEq)]
pub struct CaPlan {
    /// The protocol OID, encoded.
    pub oid: Vec<u8>,
    /// The cipher of the new secure messaging session.
    pub cipher: CipherAlgorithm,
    /// The chip's static key.
    pub key: ChipKey,
    /// True when no ChipAuthenticationInfo was present and the protocol was inferred from the key.
    pub inferred: bool,
}

/// Chooses the protocol and key from SecurityInfos (DG14 or EF.CardSecurity): a version-1 CAInfo with its
/// key (by keyId), or a CAInfo inferred from the key when none is given. `Ok(None)`: no CA key at all.
pub fn plan(infos: &SecurityInfos) -> Result<Option<CaPlan>, String> {
    let keys: Vec<(&[u8], Option<u32>, &[u8])> = infos
        .infos
        .iter()
        .filter_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey(k) => {
                Some((k.oid.as_slice(), k.key_id, k.public_key_info.as_slice()))
            }
            _ => None,
        })
        .collect();
    if keys.is_empty() {
        return Ok(None);
    }
    let ca = infos
        .chip_authentication_infos()
        .filter(|i| parse_protocol_oid(&i.oid).is_some())
        .find(|i| i.version == 1);
    let (oid, cipher, key_id, inferred) = match ca {
        Some(info) => {
            let (_, cipher) = parse_protocol_oid(&info.oid).ok_or("unreachable")?;
            (info.oid.clone(), cipher, info.key_id, false)
        }
        None => {
            let (pk_oid, key_id, _) = keys.first().copied().ok_or("no key")?;
            let ecdh = if pk_oid == ID_PK_ECDH {
                true
            } else if pk_oid == ID_PK_DH {
                false
            } else {
                return Err("CA public key with an unknown protocol".into());
            };
            (
                protocol_oid(ecdh, CipherAlgorithm::Tdes),
                CipherAlgorithm::Tdes,
                key_id,
                true,
            )
        }
    };
    let (ecdh, _) = parse_protocol_oid(&oid).ok_or("CAInfo with an unknown protocol")?;
    let wanted_pk = if ecdh { ID_PK_ECDH } else { ID_PK_DH };
    let candidates: Vec<_> = keys.iter().filter(|(o, _, _)| *o == wanted_pk).collect();
    let chosen = match key_id {
        Some(id) => candidates.iter().find(|(_, k, _)| *k == Some(id)),
        None if candidates.len() <= 1 => candidates.first(),
        None => return Err("several CA keys and a CAInfo without keyId".into()),
    }
    .ok_or_else(|| {
        format!(
            "no {} CA public key for keyId {key_id:?}",
            if ecdh { "ECDH" } else { "DH" }
        )
    })?;
    let key = ChipKey::from_spki(chosen.2, chosen.1)?;
    key.domain
        .expect(if ecdh {
            KeyAgreement::Ecdh
        } else {
            KeyAgreement::Dh
        })
        .map_err(|e| format!("CA public key: {e}"))?;
    Ok(Some(CaPlan {
        oid,
        cipher,
        key,
        inferred,
    }))
}

/// The terminal's ephemeral key pair and the shared secret K with the chip's static key.
/// Returns (PK_IFD encoding, K).
pub fn key_agreement<R: CryptoRng + ?Sized>(
    key: &ChipKey,
    rng: &mut R,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), String> {
    match &key.domain {
        DomainParameters::Ec(curve) => {
            let sk = curve.random_scalar(rng);
            let pk = sk
                .public_key(&curve.generator())
                .map_err(|e| e.to_string())?;
            let chip = curve.decode_point(&key.public).map_err(|e| e.to_string())?;
            let k = sk.diffie_hellman(&chip).map_err(|e| e.to_string())?;
            Ok((pk.as_bytes().to_vec(), k))
        }
        DomainParameters::Dh(group) => {
            let x = group.random_exponent(rng);
            let pk = group.public_key(group.g(), &x);
            group.check_public(&key.public).map_err(|e| e.to_string())?;
            Ok((pk, group.shared_secret(&key.public, &x)))
        }
    }
}

/// The key reference of DO'84': the keyId as a minimal big-endian unsigned integer.
pub fn key_reference(id: u32) -> Vec<u8> {
    let b = id.to_be_bytes();
    let start = b.iter().position(|x| *x != 0).unwrap_or(3);
    b[start..].to_vec()
}

chip_pub! {
/// Runs Chip Authentication v1 over `channel` (under the current secure messaging) and returns the new
/// session keyed from K. The caller replaces its session with it: every later command uses the new keys.
pub fn authenticate<R: CryptoRng + ?Sized>(
    channel: &mut dyn Channel,
    plan: &CaPlan,
    rng: &mut R,
) -> Result<SecureMessaging, Error> {
    authenticate_keeping_ephemeral_key(channel, plan, rng).map(|(sm, _)| sm)
}
}

chip_pub! {
/// [`authenticate`], also returning the terminal's ephemeral public key PK_IFD (an uncompressed point,
/// or the DH value): Terminal Authentication signs Comp() of it
/// ([`terminal::comp`](crate::auth::terminal::comp)).
pub fn authenticate_keeping_ephemeral_key<R: CryptoRng + ?Sized>(
    channel: &mut dyn Channel,
    plan: &CaPlan,
    rng: &mut R,
) -> Result<(SecureMessaging, Vec<u8>), Error> {
    let (pk_ifd, k) = key_agreement(&plan.key, rng).map_err(|e| Error::protocol(STEP_MSE, e))?;
    let key_ref = plan
        .key
        .key_id
        .map(|id| asn1::der::tlv(0x84, &key_reference(id)));
    if plan.cipher == CipherAlgorithm::Tdes {
        let mut data = asn1::der::tlv(0x91, &pk_ifd);
        data.extend(key_ref.unwrap_or_default());
        let cmd = CommandApdu::new(0x00, 0x22, 0x41, 0xA6).with_data(data);
        let resp = channel.exchange(STEP_MSE, &cmd)?;
        if resp.sw != StatusWord::OK {
            return Err(Error::Status {
                step: STEP_MSE,
                sw: resp.sw,
            });
        }
    } else {
        let mut data = asn1::der::tlv(0x80, &plan.oid);
        data.extend(key_ref.unwrap_or_default());
        let cmd = CommandApdu::new(0x00, 0x22, 0x41, 0xA4).with_data(data);
        let resp = channel.exchange(STEP_MSE, &cmd)?;
        if resp.sw != StatusWord::OK {
            return Err(Error::Status {
                step: STEP_MSE,
                sw: resp.sw,
            });
        }
        let cmd = CommandApdu::new(0x00, 0x86, 0x00, 0x00)
            .with_data(asn1::der::tlv(0x7C, &asn1::der::tlv(0x80, &pk_ifd)))
            .with_le(256);
        let resp = channel.exchange(STEP_GA, &cmd)?;
        if resp.sw != StatusWord::OK {
            return Err(Error::Status {
                step: STEP_GA,
                sw: resp.sw,
            });
        }
        if !resp.data.is_empty() {
            asn1::parse_tagged(&resp.data, 0x7C).map_err(|e| {
                Error::protocol(STEP_GA, format!("dynamic authentication data: {e}"))
            })?;
        }
    }
    Ok((SecureMessaging::from_shared_secret(plan.cipher, &k), pk_ifd))
}
}

/// The chip side (emulator): the shared secret K from the terminal's ephemeral public key and the chip's
/// private key (`sk`: the EC scalar, field-size bytes, or the DH exponent).
pub fn chip_shared_secret(
    domain: &DomainParameters,
    sk: &[u8],
    pk_ifd: &[u8],
) -> Result<Zeroizing<Vec<u8>>, String> {
    match domain {
        DomainParameters::Ec(curve) => {
            let sk = curve.scalar(sk).map_err(|e| e.to_string())?;
            let peer = curve.decode_point(pk_ifd).map_err(|e| e.to_string())?;
            sk.diffie_hellman(&peer).map_err(|e| e.to_string())
        }
        DomainParameters::Dh(group) => {
            group.check_public(pk_ifd).map_err(|e| e.to_string())?;
            Ok(group.shared_secret(pk_ifd, sk))
        }
    }
}
