//! PACE (ICAO 9303-11 section 4.4, BSI TR-03110): Generic, Integrated and Chip Authentication Mapping,
//! with DH (RFC 5114 groups) or ECDH (standardized curves 8–18), 3DES or AES.
//!
//! Terminal side: `authenticate` (the reader runs it; public with the `chip` feature). The computations
//! both sides share are in [`primitives`] and [`im`] (the emulator's chip side uses them).
//!
//! APDUs: MSE:Set AT `00 22 C1 A4 {80 OID, 83 password reference, 84 parameter id}` (no Le), then four
//! GENERAL AUTHENTICATE commands `10 86 00 00 … 00` (command chaining, CLA 00 on the last) carrying
//! `7C {…}`: encrypted nonce (80), mapping data (81/82), ephemeral public keys (83/84), tokens (85/86),
//! and for CAM the encrypted chip authentication data (8A).

mod error;
pub mod im;
pub mod primitives;

pub use self::error::PaceCryptoError;

use self::primitives::{
    Generator, auth_token, check_public, decrypt_chip_auth_data, decrypt_nonce, generic_map,
    integrated_map, password_key, public_key, random_private, shared_secret,
};
use crate::Error;
use crate::access::password::Password;
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::asn1;
use crate::channel::Channel;
use crate::crypto::cipher::CipherAlgorithm;
use crate::crypto::domain::{DomainParameterError, DomainParameters, MAX_STANDARDIZED_ID};
use crate::lds::security_infos::{KeyAgreement, Mapping, PaceInfo};
use crate::sm::SecureMessaging;
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

pub use crate::lds::security_infos::{KeyAgreement as PaceKeyAgreement, Mapping as PaceMapping};

/// True when this terminal can run the offer `info` on `domain`: every mapping on every group, except
/// Integrated Mapping on NIST P-224 (ICAO's point encoding needs p ≡ 3 mod 4).
pub fn supports(info: &PaceInfo, domain: &DomainParameters) -> bool {
    !(info.mapping == Mapping::Integrated
        && matches!(
            domain,
            DomainParameters::Ec(crate::crypto::ec::EcCurve::NistP224)
        ))
}

const STEP_MSE: &str = "PACE: MSE:Set AT";
const STEP_NONCE: &str = "PACE: GENERAL AUTHENTICATE (encrypted nonce)";
const STEP_MAP: &str = "PACE: GENERAL AUTHENTICATE (map nonce)";
const STEP_KA: &str = "PACE: GENERAL AUTHENTICATE (key agreement)";
const STEP_TOKEN: &str = "PACE: GENERAL AUTHENTICATE (mutual authentication)";

/// The PACE-CAM chip authentication data returned by the chip, to be checked against the static key of
/// EF.CardSecurity with [`primitives::verify_chip_auth`] once that file passed passive authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CamData {
    /// CA_IC = SK_IC⁻¹ · SK_map,IC mod n (decrypted, padding removed).
    pub ca_ic: Vec<u8>,
    /// The chip's mapping public key PK_map,IC (uncompressed point).
    pub pk_map_ic: Vec<u8>,
    /// The PACE domain parameter id of the run: with CAM it also names the chip's Chip Authentication
    /// key (the ChipAuthenticationPublicKeyInfo whose keyId equals it, BSI TR-03110-3), see
    /// [`crate::auth::cam::verify`].
    pub parameter_id: u32,
}

chip_pub! {
/// What a successful PACE established.
#[derive(Debug)]
pub struct PaceOutcome {
    /// The secure messaging session (KSenc, KSmac, SSC 0).
    pub sm: SecureMessaging,
    /// The mapping used.
    pub mapping: Mapping,
    /// DH or ECDH.
    pub key_agreement: KeyAgreement,
    /// The domain parameter id (when standardized or given in PACEInfo).
    pub parameter_id: Option<u32>,
    /// The cipher.
    pub cipher: CipherAlgorithm,
    /// The protocol OID sent in MSE:Set AT, encoded.
    pub protocol_oid: Vec<u8>,
    /// PACE-CAM data (CAM only).
    pub chip_auth: Option<CamData>,
    /// The chip's ephemeral public key PK_IC (needed by Terminal Authentication: ID_IC = Comp(PK_IC)).
    pub pk_ic: Vec<u8>,
    /// Certification Authority References (DO'87', DO'88') when the chip sent them.
    pub car: Vec<Vec<u8>>,
}
}

fn denied(password: &Password, sw: Option<StatusWord>) -> Error {
    Error::AccessDenied {
        protocol: "PACE",
        sw,
        password: password.kind(),
    }
}

fn crypto_err(step: &'static str) -> impl Fn(PaceCryptoError) -> Error {
    move |e| Error::protocol(step, e.to_string())
}

/// One GENERAL AUTHENTICATE step: sends `7C{data}`, checks the status word and returns the children of the
/// response's `7C` as (tag, value) pairs.
fn general_authenticate(
    channel: &mut dyn Channel,
    step: &'static str,
    data: &[u8],
    last: bool,
    password: &Password,
) -> Result<Vec<(asn1::Tag, Vec<u8>)>, Error> {
    let cla = if last { 0x00 } else { 0x10 };
    let cmd = CommandApdu::new(cla, 0x86, 0x00, 0x00)
        .with_data(asn1::der::tlv(0x7C, data))
        .with_le(256);
    let resp: ResponseApdu = channel.exchange(step, &cmd)?;
    if resp.sw != StatusWord::OK {
        // A wrong password surfaces at the token step as 6300 (or 63Cx with a retry counter).
        if last && resp.sw.sw1() == 0x63 {
            return Err(denied(password, Some(resp.sw)));
        }
        if resp.sw == StatusWord::AUTH_METHOD_BLOCKED {
            return Err(denied(password, Some(resp.sw)));
        }
        return Err(Error::Status { step, sw: resp.sw });
    }
    let outer = asn1::parse_tagged(&resp.data, 0x7C)
        .map_err(|e| Error::protocol(step, format!("dynamic authentication data: {e}")))?;
    let children = outer
        .children()
        .map_err(|e| Error::protocol(step, format!("dynamic authentication data: {e}")))?;
    Ok(children
        .into_iter()
        .map(|t| (t.tag, t.value.to_vec()))
        .collect())
}

fn take(
    objects: &[(asn1::Tag, Vec<u8>)],
    tag: asn1::Tag,
    step: &'static str,
) -> Result<Vec<u8>, Error> {
    objects
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, v)| v.clone())
        .ok_or_else(|| Error::protocol(step, format!("response lacks data object {tag:02X}")))
}

chip_pub! {
/// Runs PACE as the terminal and returns the secure messaging session and what was negotiated.
///
/// `domain`: the parameters [`SecurityInfos::pace_domain`](crate::lds::security_infos::SecurityInfos::pace_domain)
/// resolved for `info` (`None`: the standardized parameters of `info.parameter_id`); they must be those of a
/// standardized id `info` names. `send_parameter_id` adds `84 id` to MSE:Set AT (required when
/// EF.CardAccess lists several PACEInfos).
///
/// # Randomness (in this order; trace replay depends on it)
/// * GM and CAM: the mapping private key SK_map,IFD, then the ephemeral private key SK_IFD;
/// * IM: the nonce t (key-size bytes: 16 for 3DES and AES-128, 24, 32), then SK_IFD.
///
/// A private key is drawn as field-size bytes (EC) or as many bytes as q (DH), read big-endian; bits
/// above the bit length of n (or q) are cleared; the value is used when `1 ≤ k < n` (or q), otherwise new
/// bytes are drawn. So a replayed RNG that yields a valid key gives exactly that key.
///
/// # Errors
/// [`Error::DomainParameters`] (before any command is sent) when the domain parameters are not
/// usable; [`Error::AccessDenied`] when the chip refuses the terminal's token (6300/63Cx on the last
/// step: wrong MRZ or CAN); [`Error::Status`] for other refusals; [`Error::Protocol`] for malformed
/// answers, invalid keys from the chip, or a chip token that does not verify after the chip accepted the
/// terminal's (the password was right).
pub fn authenticate<R: CryptoRng + ?Sized>(
    channel: &mut dyn Channel,
    password: &Password,
    info: &PaceInfo,
    domain: Option<&DomainParameters>,
    send_parameter_id: bool,
    rng: &mut R,
) -> Result<PaceOutcome, Error> {
    let domain = match (domain, info.parameter_id) {
        (Some(d), _) => d.clone(),
        (None, Some(id)) => DomainParameters::standard(id).ok_or(Error::DomainParameters {
            step: STEP_MSE,
            source: DomainParameterError::UnknownParameterId(id),
        })?,
        (None, None) => {
            return Err(Error::DomainParameters {
                step: STEP_MSE,
                source: DomainParameterError::Missing(None),
            });
        }
    };
    // Checked again here, before anything is sent, whatever the caller resolved: explicit parameters
    // never replace a standardized id's, and the parameters suit the protocol.
    if let Some(id) = info.parameter_id
        && id <= MAX_STANDARDIZED_ID
        && domain.parameter_id() != id
    {
        return Err(Error::DomainParameters {
            step: STEP_MSE,
            source: DomainParameterError::OverridesStandardizedId {
                id,
                why: format!("{} of id {}", domain.describe(), domain.parameter_id()),
            },
        });
    }
    domain
        .expect(info.key_agreement)
        .map_err(|source| Error::DomainParameters {
            step: STEP_MSE,
            source,
        })?;
    let cipher = info.cipher;

    // MSE:Set AT — no Le.
    let mut mse = asn1::der::tlv(0x80, &info.oid);
    mse.extend(asn1::der::tlv(0x83, &[password.pace_reference()]));
    if send_parameter_id && let Some(id) = info.parameter_id {
        let id = u8::try_from(id)
            .map_err(|_| Error::protocol(STEP_MSE, "parameter id does not fit one byte"))?;
        mse.extend(asn1::der::tlv(0x84, &[id]));
    }
    let resp = channel.exchange(
        STEP_MSE,
        &CommandApdu::new(0x00, 0x22, 0xC1, 0xA4).with_data(mse),
    )?;
    if resp.sw != StatusWord::OK {
        if resp.sw == StatusWord::AUTH_METHOD_BLOCKED || resp.sw.sw1() == 0x63 {
            return Err(denied(password, Some(resp.sw)));
        }
        return Err(Error::Status {
            step: STEP_MSE,
            sw: resp.sw,
        });
    }

    // 1. Encrypted nonce.
    let objects = general_authenticate(channel, STEP_NONCE, &[], false, password)?;
    let z = take(&objects, 0x80, STEP_NONCE)?;
    let k_pi = password_key(password, cipher);
    let s = decrypt_nonce(cipher, &k_pi, &z).map_err(crypto_err(STEP_NONCE))?;

    // 2. Mapping.
    let mut pk_map_ic = Vec::new();
    let generator = match info.mapping {
        Mapping::Generic | Mapping::ChipAuthentication => {
            let sk_map = random_private(&domain, rng);
            let pk_map = public_key(&domain, &Generator::standard(&domain), &sk_map)
                .map_err(crypto_err(STEP_MAP))?;
            let objects = general_authenticate(
                channel,
                STEP_MAP,
                &asn1::der::tlv(0x81, &pk_map),
                false,
                password,
            )?;
            pk_map_ic = check_public(&domain, &take(&objects, 0x82, STEP_MAP)?)
                .map_err(crypto_err(STEP_MAP))?;
            if bool::from(pk_map_ic.ct_eq(&pk_map)) {
                return Err(Error::protocol(
                    STEP_MAP,
                    "the chip's mapping key equals the terminal's",
                ));
            }
            generic_map(&domain, &s, &sk_map, &pk_map_ic).map_err(crypto_err(STEP_MAP))?
        }
        Mapping::Integrated => {
            let mut t = Zeroizing::new(vec![0u8; im::t_len(cipher)]);
            rng.fill_bytes(&mut t);
            general_authenticate(
                channel,
                STEP_MAP,
                &asn1::der::tlv(0x81, &t),
                false,
                password,
            )?;
            integrated_map(&domain, cipher, &s, &t).map_err(crypto_err(STEP_MAP))?
        }
    };

    // 3. Key agreement.
    let sk = random_private(&domain, rng);
    let pk = public_key(&domain, &generator, &sk).map_err(crypto_err(STEP_KA))?;
    let objects = general_authenticate(
        channel,
        STEP_KA,
        &asn1::der::tlv(0x83, &pk),
        false,
        password,
    )?;
    let pk_ic =
        check_public(&domain, &take(&objects, 0x84, STEP_KA)?).map_err(crypto_err(STEP_KA))?;
    if bool::from(pk_ic.ct_eq(&pk)) {
        return Err(Error::protocol(
            STEP_KA,
            "the chip's ephemeral key equals the terminal's",
        ));
    }
    let k = shared_secret(&domain, &sk, &pk_ic).map_err(crypto_err(STEP_KA))?;
    let sm = SecureMessaging::from_shared_secret(cipher, &k);

    // 4. Mutual authentication.
    let t_ifd = auth_token(&domain, cipher, sm.k_mac(), &info.oid, &pk_ic)
        .map_err(crypto_err(STEP_TOKEN))?;
    let objects = general_authenticate(
        channel,
        STEP_TOKEN,
        &asn1::der::tlv(0x85, &t_ifd),
        true,
        password,
    )?;
    let t_ic = take(&objects, 0x86, STEP_TOKEN)?;
    let expected =
        auth_token(&domain, cipher, sm.k_mac(), &info.oid, &pk).map_err(crypto_err(STEP_TOKEN))?;
    // The chip accepted the terminal's token, so it derived the same keys from the same password: a
    // token of its own that does not verify is the chip's (or a man in the middle's) fault.
    if !bool::from(expected.as_slice().ct_eq(&t_ic)) {
        return Err(Error::protocol(
            STEP_TOKEN,
            "the chip's authentication token in PACE mutual authentication did not verify",
        ));
    }
    let car = objects
        .iter()
        .filter(|(t, _)| *t == 0x87 || *t == 0x88)
        .map(|(_, v)| v.clone())
        .collect();
    let chip_auth = if info.mapping == Mapping::ChipAuthentication {
        let a_ic = take(&objects, 0x8A, STEP_TOKEN)?;
        let ca_ic =
            decrypt_chip_auth_data(cipher, sm.k_enc(), &a_ic).map_err(crypto_err(STEP_TOKEN))?;
        Some(CamData {
            ca_ic: ca_ic.to_vec(),
            pk_map_ic: pk_map_ic.clone(),
            parameter_id: info.parameter_id.unwrap_or(domain.parameter_id()),
        })
    } else {
        None
    };
    Ok(PaceOutcome {
        sm,
        mapping: info.mapping,
        key_agreement: info.key_agreement,
        parameter_id: info.parameter_id.or(Some(domain.parameter_id())),
        cipher,
        protocol_oid: info.oid.clone(),
        chip_auth,
        pk_ic,
        car,
    })
}
}
