//! PACE-CAM completed (ICAO 9303-11 section 4.4.3.5): the chip authentication data that PACE with Chip
//! Authentication Mapping decrypted is checked against the chip's static Chip Authentication public key
//! from EF.CardSecurity — which must itself pass passive authentication before its key is trusted.
//!
//! The check: PK_map,IC = CA_IC · PK_IC, where PK_map,IC is the chip's mapping key of this PACE run,
//! CA_IC the decrypted chip authentication data and PK_IC the static key selected by keyId.

use super::chip::ChipKey;
use super::{Mechanism, MechanismResult};
use crate::access::pace::CamData;
use crate::access::pace::primitives::verify_chip_auth;
use crate::crypto::domain::DomainParameters;
use crate::lds::security_infos::{SecurityInfo, SecurityInfos};

/// Verifies PACE-CAM: whether the chip authentication data matches a Chip Authentication key published
/// in `card_security` (the whole EF.CardSecurity). Whether that file is itself authentic — its signature
/// and its signer's chain to a trusted CSCA — is the report's [`crate::report::CheckId::CardSecurity`]
/// check, which [`super::key_file_verdict`] consults; a key from an unverified file proves nothing.
pub fn verify(
    cam: &CamData,
    card_access: Option<&SecurityInfos>,
    card_security: Option<&[u8]>,
) -> MechanismResult {
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
    // The key id PACE-CAM refers to: the ChipAuthenticationInfo of EF.CardAccess (field lesson 7: with
    // several keys, select by keyId).
    let wanted = card_access.and_then(|ca| ca.chip_authentication_infos().find_map(|i| i.key_id));
    let keys: Vec<_> = infos
        .infos
        .iter()
        .filter_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey(k) => Some(k),
            _ => None,
        })
        .filter(|k| wanted.is_none() || k.key_id == wanted || k.key_id.is_none())
        .collect();
    if keys.is_empty() {
        let why = match wanted {
            Some(id) => format!("EF.CardSecurity has no Chip Authentication key with keyId {id}"),
            None => "EF.CardSecurity has no Chip Authentication key".to_string(),
        };
        return MechanismResult::failed(Mechanism::PaceCam, why);
    }
    // Without a keyId in EF.CardAccess, every EC key published is a candidate: only the key whose
    // private half the chip used satisfies the equation, so trying each is as strict as choosing one.
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
        let id = key
            .key_id
            .map(|id| format!(", keyId {id}"))
            .unwrap_or_default();
        match verify_chip_auth(curve, &cam.ca_ic, &cam.pk_map_ic, &key.public) {
            Ok(true) => {
                let why = format!(
                    "PK_map,IC = CA_IC · PK_IC with the EF.CardSecurity key ({}{id})",
                    curve.name()
                );
                return MechanismResult::verified(Mechanism::PaceCam, why);
            }
            Ok(false) => tried.push(format!("{}{id}: no match", curve.name())),
            Err(e) => tried.push(format!("{}{id}: {e}", curve.name())),
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
