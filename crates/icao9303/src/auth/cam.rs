//! PACE-CAM completed (ICAO 9303-11 section 4.4.3.5): the chip authentication data that PACE with Chip
//! Authentication Mapping decrypted is checked against the chip's static Chip Authentication public key
//! from EF.CardSecurity — which must itself pass passive authentication before its key is trusted.
//!
//! The check: PK_map,IC = CA_IC · PK_IC, where PK_map,IC is the chip's mapping key of this PACE run,
//! CA_IC the decrypted chip authentication data and PK_IC the chip's static Chip Authentication key.
//!
//! # Which key
//! BSI TR-03110-3 (section A.1.1.1, PACEInfo): for PACE-CAM the `parameterId` of the PACEInfo run also
//! denotes the Chip Authentication key used — the ChipAuthenticationPublicKeyInfo in EF.CardSecurity
//! whose `keyId` equals it. The `keyId` of a ChipAuthenticationInfo names the key of the separate Chip
//! Authentication protocol, which need not be the same key. A real German ID card shows the difference
//! (test-vectors/data/pace-cam-de/): its EF.CardSecurity publishes keyId 13 (= the PACE parameter id,
//! brainpoolP256r1) and keyId 72 (named by its ChipAuthenticationInfo), and only keyId 13 satisfies the
//! equation. So the key is chosen by the parameter id; `keyId` may be absent when a chip publishes a
//! single key (TR-03110-3 makes it mandatory only with several), so a key without one is the next
//! choice. A file naming no such key is outside the specification: then every EC key it publishes is
//! tried and a match is reported with a warning — only the key whose private half the chip holds
//! satisfies the equation, so this is as strict as choosing one.

use super::chip::ChipKey;
use super::{Mechanism, MechanismResult};
use crate::access::pace::CamData;
use crate::access::pace::primitives::verify_chip_auth;
use crate::crypto::domain::DomainParameters;
use crate::lds::security_infos::{ChipAuthenticationPublicKeyInfo, SecurityInfo, SecurityInfos};
use crate::report::Verdict;

/// Verifies PACE-CAM: whether the chip authentication data matches the Chip Authentication key that
/// `card_security` (the whole EF.CardSecurity) publishes for this PACE run (see the module documentation
/// for which key). Whether that file is itself authentic — its signature and its signer's chain to a
/// trusted CSCA — is the report's [`crate::report::CheckId::CardSecurity`] check, which
/// [`super::key_file_verdict`] consults; a key from an unverified file proves nothing.
pub fn verify(cam: &CamData, card_security: Option<&[u8]>) -> MechanismResult {
    let Some(card_security) = card_security else {
        return MechanismResult::not_run(
            Mechanism::PaceCam,
            "EF.CardSecurity could not be read after PACE",
        );
    };
    let signed = match crate::pki::cms::SignedData::from_content_info(card_security) {
        Ok(sd) => sd,
        Err(e) => {
            let why = format!("EF.CardSecurity cannot be decoded: {e}");
            return MechanismResult::not_run(Mechanism::PaceCam, why);
        }
    };
    let Some(content) = signed.content.as_deref() else {
        let why = "EF.CardSecurity has no encapsulated content";
        return MechanismResult::not_run(Mechanism::PaceCam, why);
    };
    let infos = match SecurityInfos::parse(content) {
        Ok(infos) => infos,
        Err(e) => {
            let why = format!("EF.CardSecurity SecurityInfos: {e}");
            return MechanismResult::not_run(Mechanism::PaceCam, why);
        }
    };
    let published: Vec<&ChipAuthenticationPublicKeyInfo> = infos
        .infos
        .iter()
        .filter_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey(k) => Some(k),
            _ => None,
        })
        .collect();
    if published.is_empty() {
        return MechanismResult::failed(
            Mechanism::PaceCam,
            "EF.CardSecurity has no Chip Authentication key",
        );
    }
    let id = cam.parameter_id;
    let (keys, by_spec) = cam_keys(&published, id);
    let mut tried = Vec::new();
    for info in keys {
        let key = match ChipKey::from_spki(&info.public_key_info, info.key_id) {
            Ok(k) => k,
            Err(e) => {
                tried.push(e);
                continue;
            }
        };
        let DomainParameters::Ec(curve) = key.domain else {
            tried.push("a DH key (PACE-CAM is defined on elliptic curves only)".into());
            continue;
        };
        let named = key
            .key_id
            .map(|k| format!(", keyId {k}"))
            .unwrap_or_default();
        match verify_chip_auth(curve, &cam.ca_ic, &cam.pk_map_ic, &key.public) {
            Ok(true) if by_spec => {
                let why = format!(
                    "PK_map,IC = CA_IC · PK_IC with the EF.CardSecurity key ({}{named})",
                    curve.name()
                );
                return MechanismResult::verified(Mechanism::PaceCam, why);
            }
            Ok(true) => {
                let why = format!(
                    "PK_map,IC = CA_IC · PK_IC with the EF.CardSecurity key ({}{named}), although \
                     EF.CardSecurity names no key by the PACE parameter id {id} as BSI TR-03110-3 asks",
                    curve.name()
                );
                return MechanismResult {
                    mechanism: Mechanism::PaceCam,
                    verdict: Verdict::valid_with_warning(why),
                };
            }
            Ok(false) => tried.push(format!("{}{named}: no match", curve.name())),
            Err(e) => tried.push(format!("{}{named}: {e}", curve.name())),
        }
    }
    MechanismResult::failed(
        Mechanism::PaceCam,
        format!(
            "the chip's authentication data matches no EF.CardSecurity key ({}): the chip does not hold its private key",
            tried.join("; ")
        ),
    )
}

/// The keys PACE-CAM with parameter id `id` may have used, and whether they were chosen as BSI
/// TR-03110-3 says (the key whose keyId is `id`, else a key without keyId) rather than by trying every
/// published key.
fn cam_keys<'a>(
    published: &[&'a ChipAuthenticationPublicKeyInfo],
    id: u32,
) -> (Vec<&'a ChipAuthenticationPublicKeyInfo>, bool) {
    let named: Vec<_> = published
        .iter()
        .copied()
        .filter(|k| k.key_id == Some(id))
        .collect();
    if !named.is_empty() {
        return (named, true);
    }
    let unnamed: Vec<_> = published
        .iter()
        .copied()
        .filter(|k| k.key_id.is_none())
        .collect();
    if !unnamed.is_empty() {
        return (unnamed, true);
    }
    (published.to_vec(), false)
}
