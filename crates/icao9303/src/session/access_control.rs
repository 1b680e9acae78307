//! Access control (ICAO 9303-11 section 4): read EF.CardAccess (and EF.ATR/INFO) from the master file,
//! run PACE with the strongest offer this reader supports, or BAC when the chip offers no PACE, and start
//! secure messaging with the keys it gives.

use super::Session;
use crate::Error;
use crate::access::{Password, bac, pace};
use crate::apdu::StatusWord;
use crate::crypto::domain::DomainParameters;
use crate::lds::LdsFile;
use crate::lds::security_infos::{PaceInfo, SecurityInfos};
use crate::report::{AccessReport, Check, CheckId};
use crate::transport::Transport;
use rand_core::CryptoRng;

impl<T: Transport> Session<T> {
    /// Gains access to the chip with `password` and establishes secure messaging.
    ///
    /// The random values of the protocol are drawn from `rng` (see each protocol for the order), so a
    /// session replays deterministically from a recorded trace.
    pub fn authenticate<R: CryptoRng + ?Sized>(
        &mut self,
        password: &Password,
        rng: &mut R,
    ) -> Result<&AccessReport, Error> {
        self.master_files_read = false;
        self.access_control(password, rng)
    }

    /// Access control again after the card was lost and reconnected: the master file's files this
    /// session already holds (EF.CardAccess, EF.ATR/INFO, EF.CardSecurity) are not read again.
    pub fn reauthenticate<R: CryptoRng + ?Sized>(
        &mut self,
        password: &Password,
        rng: &mut R,
    ) -> Result<&AccessReport, Error> {
        self.access_control(password, rng)
    }

    fn access_control<R: CryptoRng + ?Sized>(
        &mut self,
        password: &Password,
        rng: &mut R,
    ) -> Result<&AccessReport, Error> {
        self.sm = None;
        self.cam = None;
        self.access = None;
        self.id_picc = None;
        let infos = if self.master_files_read {
            self.card_access
                .as_deref()
                .and_then(|b| SecurityInfos::parse(b).ok())
        } else {
            self.card_security = None;
            let infos = self.read_card_access()?;
            self.master_files_read = true;
            infos
        };
        let offers: Vec<PaceInfo> = infos.iter().flat_map(|i| i.pace_infos().cloned()).collect();
        let mut pace_failure = None;
        if let Some(infos) = infos.as_ref().filter(|_| !offers.is_empty()) {
            match self.pace(password, infos, offers, rng) {
                Ok(report) => return Ok(self.access.insert(report)),
                // Never downgrade silently: BAC only when the caller allowed it, and never for a wrong
                // password (BAC would fail the same way) or a CAN (BAC cannot use it).
                Err(e)
                    if self.options.allow_bac_fallback
                        && !e.is_access_denied()
                        && matches!(password, Password::Mrz(_)) =>
                {
                    pace_failure = Some(e.to_string());
                }
                Err(e) => return Err(e),
            }
        }
        self.sm = None;
        self.select_application()?;
        let key = match password {
            Password::Mrz(key) => key,
            Password::Can(_) => {
                return Err(Error::Usage(
                    "a CAN works only with PACE, and this chip offers no PACE (EF.CardAccess lists none)"
                        .into(),
                ));
            }
        };
        let sm = bac::authenticate(&mut self.link(), key, rng)?;
        self.id_picc = Some(crate::auth::terminal::id_picc_bac(key));
        if let Some(why) = &pace_failure {
            self.notes.push(Check::valid_with_warning(
                CheckId::AccessControl,
                format!("PACE failed ({why}); BAC was used because fallback was allowed"),
            ));
        }
        let report = AccessReport {
            protocol: "BAC".into(),
            password: password.kind().into(),
            cipher: sm.cipher().name().into(),
            mapping: None,
            parameter_id: None,
            protocol_oid: None,
            fallback: pace_failure.is_some(),
        };
        self.sm = Some(sm);
        Ok(self.access.insert(report))
    }

    /// Reads EF.CardAccess from the master file, before the application is selected. A chip without it
    /// (or refusing it) offers no PACE.
    fn read_card_access(&mut self) -> Result<Option<SecurityInfos>, Error> {
        self.select_master_file()?;
        self.card_access = None;
        match self.read_file(LdsFile::CardAccess) {
            Ok(Some(bytes)) => {
                let parsed = SecurityInfos::parse(&bytes);
                self.card_access = Some(bytes);
                match parsed {
                    Ok(infos) => Ok(Some(infos)),
                    // A chip that has EF.CardAccess offers PACE: a broken file must not turn into a silent
                    // downgrade to BAC.
                    Err(e) if !self.options.allow_bac_fallback => Err(Error::File {
                        file: LdsFile::CardAccess.name(),
                        what: format!("cannot be parsed ({e}); not falling back to BAC unless allowed"),
                    }),
                    Err(e) => {
                        self.notes.push(Check::valid_with_warning(
                            CheckId::AccessControl,
                            format!("EF.CardAccess cannot be parsed ({e}); BAC was used because fallback was allowed"),
                        ));
                        Ok(None)
                    }
                }
            }
            Ok(None) => Ok(None),
            // How chips without EF.CardAccess (or without SFI support in the master file) answer.
            Err(Error::Status { sw, .. })
                if matches!(sw.0, 0x6A82 | 0x6A88 | 0x6982 | 0x6986 | 0x6A86 | 0x6A81 | 0x6D00) =>
            {
                Ok(None)
            }
            Err(e) if self.options.allow_bac_fallback => {
                tracing::warn!(error = %e, "EF.CardAccess could not be read");
                Ok(None)
            }
            Err(e) => Err(e),
        }
        .and_then(|infos| {
            self.read_atr_info()?;
            Ok(infos)
        })
    }

    /// Reads EF.ATR/INFO (once per session) when the link may carry extended length, to learn whether the
    /// chip takes it and its largest response. A chip without it keeps the link's limits (and, when it
    /// announced nothing, is probed).
    fn read_atr_info(&mut self) -> Result<(), Error> {
        if self.atr_info.is_some() || !self.planner.may_use_extended(self.transport.capabilities())
        {
            return Ok(());
        }
        match self.read_file(LdsFile::AtrInfo) {
            Ok(Some(bytes)) => {
                match crate::lds::atr_info::AtrInfo::parse(&bytes) {
                    Ok(info) => {
                        self.planner
                            .set_atr_info(info.extended_length, info.max_response_len);
                    }
                    Err(e) => tracing::warn!(error = %e, "EF.ATR/INFO cannot be parsed"),
                }
                self.atr_info = Some(bytes);
                Ok(())
            }
            Ok(None) | Err(Error::Status { .. }) | Err(Error::File { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// PACE with the strongest offer this reader can run ([`strongest_pace_offer`]); the parameter id is
    /// sent whenever several PACEInfos are offered (field lesson 1).
    fn pace<R: CryptoRng + ?Sized>(
        &mut self,
        password: &Password,
        infos: &SecurityInfos,
        offers: Vec<PaceInfo>,
        rng: &mut R,
    ) -> Result<AccessReport, Error> {
        // The strongest offer this reader can run. Only that one is tried: falling back to a weaker PACE
        // variant after a failure would let an active attacker strip PACE-CAM.
        let several = offers.len() > 1;
        let Some((info, domain)) = strongest_pace_offer(&offers, infos) else {
            // Say what is wrong with the chip's domain parameters when that is why nothing can be run.
            return Err(
                match offers.iter().find_map(|o| infos.pace_domain(o).err()) {
                    Some(source) => Error::DomainParameters {
                        step: "PACE: EF.CardAccess domain parameters",
                        source,
                    },
                    None => {
                        Error::protocol("PACE", "none of the offered PACE variants is supported")
                    }
                },
            );
        };
        match pace::authenticate(
            &mut self.link(),
            password,
            info,
            Some(&domain),
            several,
            rng,
        ) {
            Ok(outcome) => {
                let report = AccessReport {
                    protocol: "PACE".into(),
                    password: password.kind().into(),
                    cipher: outcome.cipher.name().into(),
                    mapping: Some(outcome.mapping.name().into()),
                    parameter_id: outcome.parameter_id.and_then(|id| u8::try_from(id).ok()),
                    protocol_oid: crate::asn1::ObjectIdentifier::from_bytes(&outcome.protocol_oid)
                        .ok()
                        .map(|o| o.to_string()),
                    fallback: false,
                };
                self.sm = Some(outcome.sm);
                self.cam = outcome.chip_auth;
                // ID_PICC = Comp(P̃K_PICC), the chip's ephemeral PACE key (TR-03110-1 §3.5.1).
                self.id_picc = crate::auth::terminal::comp(&domain, &outcome.pk_ic).ok();
                if self.cam.is_some() && self.card_security.is_none() {
                    // EF.CardSecurity is in the master file, readable only now, under secure messaging.
                    match self.read_file(LdsFile::CardSecurity) {
                        Ok(bytes) => self.card_security = bytes,
                        Err(Error::Status { sw, .. }) => {
                            tracing::debug!(%sw, "EF.CardSecurity not readable");
                        }
                        Err(e) => return Err(e),
                    }
                }
                self.select_application()?;
                Ok(report)
            }
            Err(Error::Status { sw, .. }) if sw == StatusWord::DATA_NOT_FOUND => {
                // MSE:Set AT refused the password reference: this chip does not take that password.
                Err(Error::Usage(format!(
                    "the chip does not accept the {} as PACE password{}",
                    password.kind(),
                    if matches!(password, Password::Mrz(_)) {
                        ": give the CAN printed on the document instead"
                    } else {
                        ""
                    }
                )))
            }
            Err(e) => {
                self.sm = None;
                Err(e)
            }
        }
    }
}

/// The strongest offer this reader can run ([`PaceInfo::strength`] on the offer's domain parameters),
/// with those parameters. Of equally strong offers, the last listed.
fn strongest_pace_offer<'a>(
    offers: &'a [PaceInfo],
    infos: &SecurityInfos,
) -> Option<(&'a PaceInfo, DomainParameters)> {
    offers
        .iter()
        .filter_map(|offer| {
            let domain = infos.pace_domain(offer).ok()?;
            pace::supports(offer, &domain).then_some((offer, domain))
        })
        .max_by_key(|(offer, domain)| offer.strength(domain))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::crypto::cipher::CipherAlgorithm;
    use crate::lds::security_infos::{KeyAgreement, Mapping};

    fn offers(list: &[(Mapping, CipherAlgorithm, u32)]) -> (Vec<PaceInfo>, SecurityInfos) {
        let infos: Vec<PaceInfo> = list
            .iter()
            .map(|(m, c, id)| {
                let ka = if *id <= 2 {
                    KeyAgreement::Dh
                } else {
                    KeyAgreement::Ecdh
                };
                PaceInfo::new(*m, ka, *c, Some(*id)).unwrap()
            })
            .collect();
        let der: Vec<Vec<u8>> = infos.iter().map(PaceInfo::to_der).collect();
        let parsed = SecurityInfos::parse(&SecurityInfos::encode(&der)).unwrap();
        (infos, parsed)
    }

    fn chosen(list: &[(Mapping, CipherAlgorithm, u32)]) -> Option<(Mapping, CipherAlgorithm, u32)> {
        let (offers, infos) = offers(list);
        strongest_pace_offer(&offers, &infos)
            .map(|(o, _)| (o.mapping, o.cipher, o.parameter_id.unwrap()))
    }

    #[test]
    fn the_strongest_supported_offer_is_chosen() {
        use CipherAlgorithm::*;
        use Mapping::*;
        // CAM first, even on a weaker cipher.
        assert_eq!(
            chosen(&[(Generic, Aes256, 12), (ChipAuthentication, Aes128, 12)]),
            Some((ChipAuthentication, Aes128, 12))
        );
        // Then the key length, then the curve.
        assert_eq!(
            chosen(&[(Generic, Aes128, 17), (Generic, Aes256, 12)]),
            Some((Generic, Aes256, 12))
        );
        assert_eq!(
            chosen(&[
                (Generic, Aes128, 12),
                (Generic, Aes128, 16),
                (Integrated, Aes128, 13)
            ]),
            Some((Generic, Aes128, 16))
        );
        // DH: 2048-bit groups over the 1024-bit one.
        assert_eq!(
            chosen(&[(Generic, Aes128, 0), (Generic, Aes128, 2)]),
            Some((Generic, Aes128, 2))
        );
        // IM on NIST P-224 cannot be run: the weaker offer is.
        assert_eq!(
            chosen(&[(Integrated, Aes256, 10), (Generic, Aes128, 8)]),
            Some((Generic, Aes128, 8))
        );
        assert_eq!(chosen(&[(Integrated, Aes128, 10)]), None);
        // Unknown domain parameters cannot be run.
        assert_eq!(chosen(&[(Generic, Aes128, 7)]), None);
    }
}
