//! Downgrade detection: what the chip's signed files promise against what the chip offered and what was
//! run.
//!
//! EF.CardAccess is read before access control, unprotected and unsigned: a man in the middle on the
//! contactless link can answer it with 6A82 (so the reader uses BAC), or strip its strongest PACEInfos (so
//! the reader runs a weaker variant). The PACEInfos are repeated in signed files: DG14 (hashed in EF.SOD,
//! ICAO 9303-11 section 9.2) and EF.CardSecurity (signed itself, BSI TR-03110-3). [`compare_pace`]
//! compares them, after the read, with EF.CardAccess and with the access control that ran:
//!
//! - PACE listed in signed data, but EF.CardAccess missing, unreadable or not offering it, or BAC run:
//!   a failed check;
//! - a PACE variant run that is weaker ([`PaceInfo::strength`]) than the strongest signed offer this
//!   reader can run, or one no signed file lists: a failed check.
//!
//! Only signed data is evidence: DG14 counts when its hash matches an EF.SOD whose signature verifies,
//! EF.CardSecurity when its own signature verifies (the chain to a trusted CSCA is judged elsewhere; a
//! forger's own signature can only make their own chip fail here).
//!
//! [`withheld_key_files`]: a chip that lists DG14 or DG15 (in EF.SOD or EF.COM) and then refuses or lacks
//! it withholds the key of Chip or Active Authentication, which is what a clone without the private key
//! would do; that is a failed mechanism, not a mechanism "not run".

use super::{Mechanism, MechanismResult};
use crate::access::pace;
use crate::crypto::domain::DomainParameters;
use crate::lds::LdsFile;
use crate::lds::security_infos::{PaceInfo, SecurityInfos};
use crate::report::{AccessReport, Check, CheckId, Verdict};

/// The SecurityInfos of a signed file (DG14 or EF.CardSecurity) that passed the signature checks.
#[derive(Debug, Clone, Copy)]
pub struct SignedInfos<'a> {
    /// The file they come from.
    pub file: LdsFile,
    /// Its SecurityInfos.
    pub infos: &'a SecurityInfos,
}

/// What the chip answered for EF.CardAccess.
#[derive(Debug, Clone, Copy)]
pub enum CardAccess<'a> {
    /// Not present (the chip, or someone on the link, answered that it does not exist), or not in the
    /// dump.
    Absent,
    /// Present, but its SecurityInfos cannot be parsed (the reason).
    Unparseable(&'a str),
    /// Present and parsed.
    Offered(&'a SecurityInfos),
}

/// One PACE variant in words: "PACE-ECDH-CAM AES-256, parameter id 12".
pub fn describe(info: &PaceInfo) -> String {
    let id = info
        .parameter_id
        .map_or_else(String::new, |id| format!(", parameter id {id}"));
    format!(
        "PACE-{}-{} {}{id}",
        info.key_agreement.name(),
        info.mapping.name(),
        info.cipher.name()
    )
}

/// Whether `offered` (or run) is the variant `signed` lists: the same protocol, and the same parameter
/// id unless either leaves it out (a single PACEInfo need not carry one).
fn same_variant(signed: &PaceInfo, offered: &PaceInfo) -> bool {
    signed.oid == offered.oid
        && (signed.parameter_id.is_none()
            || offered.parameter_id.is_none()
            || signed.parameter_id == offered.parameter_id)
}

/// The PACE variant an access report says was run, as a PACEInfo.
fn run_variant(run: &AccessReport) -> Option<PaceInfo> {
    let oid = crate::asn1::ObjectIdentifier::new(run.protocol_oid.as_deref()?).ok()?;
    let (mapping, key_agreement, cipher) = PaceInfo::protocol(oid.as_bytes())?;
    PaceInfo::new(
        mapping,
        key_agreement,
        cipher,
        run.parameter_id.map(u32::from),
    )
}

/// Compares the PACEInfos of the signed files with EF.CardAccess and with the access control that ran
/// (`run`: `None` for an offline verification, where nothing ran and a dump may leave EF.CardAccess
/// out). `None` when no signed file lists PACE, or offline without EF.CardAccess (nothing to compare);
/// otherwise a [`CheckId::Downgrade`]
/// check, failed on any of the rules in the module documentation.
pub fn compare_pace(
    signed: &[SignedInfos<'_>],
    card_access: CardAccess<'_>,
    run: Option<&AccessReport>,
) -> Option<Check> {
    // The domain parameters of each signed offer: from its own file, else (a proprietary parameter id
    // whose PACEDomainParameterInfo only EF.CardAccess carries) from EF.CardAccess.
    let offered = match card_access {
        CardAccess::Offered(ca) => Some(ca),
        _ => None,
    };
    let offers: Vec<(LdsFile, &PaceInfo, Option<DomainParameters>)> = signed
        .iter()
        .flat_map(|s| {
            s.infos.pace_infos().map(move |p| {
                let domain = s
                    .infos
                    .pace_domain(p)
                    .ok()
                    .or_else(|| offered.and_then(|ca| ca.pace_domain(p).ok()));
                (s.file, p, domain)
            })
        })
        .collect();
    // Nothing to compare: no signed PACEInfos, or an offline file set without EF.CardAccess.
    if offers.is_empty() || (run.is_none() && matches!(card_access, CardAccess::Absent)) {
        return None;
    }
    let mut files: Vec<String> = offers.iter().map(|(f, _, _)| f.name()).collect();
    files.dedup();
    let files = files.join(" and ");
    let mut problems = Vec::new();

    match card_access {
        CardAccess::Absent if run.is_some() => problems.push(
            "EF.CardAccess was not delivered (an answer anyone on the link can inject)".to_string(),
        ),
        CardAccess::Absent => {}
        CardAccess::Unparseable(why) => {
            problems.push(format!("EF.CardAccess cannot be parsed ({why})"));
        }
        CardAccess::Offered(ca) => {
            for (file, info, _) in &offers {
                if !ca.pace_infos().any(|o| same_variant(o, info)) {
                    problems.push(format!(
                        "EF.CardAccess does not offer {}, which the signed {} lists",
                        describe(info),
                        file.name()
                    ));
                }
            }
        }
    }

    if let Some(run) = run {
        if run.protocol != "PACE" {
            problems.push(format!(
                "{} was used{}",
                run.protocol,
                if run.fallback {
                    " after PACE failed (fallback allowed)"
                } else {
                    ""
                }
            ));
        } else {
            match run_variant(run) {
                None => problems.push(format!(
                    "the PACE variant run ({}) is unknown",
                    run.protocol_oid.as_deref().unwrap_or("no protocol")
                )),
                Some(ran) => {
                    match offers.iter().find(|(_, o, _)| same_variant(o, &ran)) {
                        None => problems.push(format!(
                            "PACE ran {}, which no signed file lists",
                            describe(&ran)
                        )),
                        // Unknown domain parameters cannot be ranked (PACE could not have run on
                        // them either); nothing to compare.
                        Some((_, _, None)) => {}
                        Some((_, _, Some(domain))) => {
                            let strength = ran.strength(domain);
                            // The strongest signed offer this reader can run.
                            let strongest = offers
                                .iter()
                                .filter_map(|(f, o, d)| {
                                    let d = d.as_ref()?;
                                    pace::supports(o, d).then(|| (f, *o, o.strength(d)))
                                })
                                .max_by_key(|(_, _, s)| *s);
                            if let Some((file, best, best_strength)) = strongest
                                && best_strength > strength
                            {
                                problems.push(format!(
                                    "PACE ran {}, weaker than {}, which the signed {} lists",
                                    describe(&ran),
                                    describe(best),
                                    file.name()
                                ));
                            }
                        }
                    }
                }
            }
        }
    }

    Some(if problems.is_empty() {
        let what = match run {
            Some(run) if run.protocol == "PACE" => {
                format!("PACE ran the strongest variant the signed {files} lists")
            }
            _ => format!("EF.CardAccess offers every PACE variant the signed {files} lists"),
        };
        Check::valid(CheckId::Downgrade, what)
    } else {
        Check::new(
            CheckId::Downgrade,
            Verdict::invalid(format!(
                "{}; the signed {files} lists {}: access control was downgraded, as a man in the middle would do",
                problems.join("; "),
                offers
                    .iter()
                    .map(|(_, o, _)| describe(o))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        )
    })
}

/// Chip and Active Authentication failed for a chip that withholds their key file: DG14 (or DG15) is
/// listed in EF.SOD or EF.COM, not delivered, and no result for the mechanism exists. `refusals` are the
/// read's notes on files it could not read ([`CheckId::FileRead`]), for the reason. Live reads only: a
/// dump may leave files out.
pub fn withheld_key_files(
    listed: impl Fn(u8) -> bool,
    delivered: impl Fn(u8) -> bool,
    refusals: &[Check],
    results: &[MechanismResult],
) -> Vec<MechanismResult> {
    [Mechanism::ChipAuthentication, Mechanism::ActiveAuthentication]
        .into_iter()
        .filter_map(|m| {
            let file = m.key_file();
            let LdsFile::Dg(n) = file else { return None };
            if !listed(n) || delivered(n) || results.iter().any(|r| r.mechanism == m) {
                return None;
            }
            let why = refusals
                .iter()
                .find(|c| c.id == CheckId::FileRead(file))
                .map_or_else(|| "it was not delivered".to_string(), |c| c.reason().to_string());
            Some(MechanismResult::failed(
                m,
                format!(
                    "{} is listed but the chip withholds it ({why}): its key cannot be checked, as with a clone that lacks it",
                    file.name()
                ),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::crypto::cipher::CipherAlgorithm;
    use crate::crypto::domain::KeyAgreement;
    use crate::lds::security_infos::Mapping;
    use crate::report::CheckStatus;

    fn offer(mapping: Mapping, cipher: CipherAlgorithm, id: u32) -> PaceInfo {
        PaceInfo::new(mapping, KeyAgreement::Ecdh, cipher, Some(id)).unwrap()
    }

    fn infos(list: &[PaceInfo]) -> SecurityInfos {
        let der: Vec<Vec<u8>> = list.iter().map(PaceInfo::to_der).collect();
        SecurityInfos::parse(&SecurityInfos::encode(&der)).unwrap()
    }

    fn pace_run(info: &PaceInfo) -> AccessReport {
        AccessReport {
            protocol: "PACE".into(),
            password: "MRZ".into(),
            cipher: info.cipher.name().into(),
            mapping: Some(info.mapping.name().into()),
            parameter_id: info.parameter_id.map(|i| i as u8),
            protocol_oid: crate::asn1::ObjectIdentifier::from_bytes(&info.oid)
                .ok()
                .map(|o| o.to_string()),
            fallback: false,
        }
    }

    fn bac_run(fallback: bool) -> AccessReport {
        AccessReport {
            protocol: "BAC".into(),
            password: "MRZ".into(),
            cipher: "3DES".into(),
            mapping: None,
            parameter_id: None,
            protocol_oid: None,
            fallback,
        }
    }

    fn gm() -> PaceInfo {
        offer(Mapping::Generic, CipherAlgorithm::Aes256, 12)
    }
    fn cam() -> PaceInfo {
        offer(Mapping::ChipAuthentication, CipherAlgorithm::Aes256, 12)
    }

    fn status(check: Option<Check>) -> (CheckStatus, String) {
        let c = check.unwrap();
        assert_eq!(c.id, CheckId::Downgrade);
        (c.status(), c.reason().to_string())
    }

    #[test]
    fn nothing_signed_lists_pace_nothing_to_compare() {
        let signed = infos(&[]);
        let s = [SignedInfos {
            file: LdsFile::Dg(14),
            infos: &signed,
        }];
        assert!(compare_pace(&s, CardAccess::Absent, Some(&bac_run(false))).is_none());
        assert!(compare_pace(&[], CardAccess::Absent, Some(&bac_run(false))).is_none());
    }

    #[test]
    fn the_strongest_signed_variant_run_is_valid() {
        let signed = infos(&[gm(), cam()]);
        let card_access = infos(&[gm(), cam()]);
        let s = [SignedInfos {
            file: LdsFile::Dg(14),
            infos: &signed,
        }];
        let (st, why) = status(compare_pace(
            &s,
            CardAccess::Offered(&card_access),
            Some(&pace_run(&cam())),
        ));
        assert_eq!(st, CheckStatus::Valid, "{why}");
    }

    #[test]
    fn hidden_card_access_and_bac_fail() {
        let signed = infos(&[gm(), cam()]);
        let s = [SignedInfos {
            file: LdsFile::Dg(14),
            infos: &signed,
        }];
        let (st, why) = status(compare_pace(&s, CardAccess::Absent, Some(&bac_run(false))));
        assert_eq!(st, CheckStatus::Invalid);
        assert!(why.contains("EF.CardAccess was not delivered"), "{why}");
        assert!(why.contains("BAC was used"), "{why}");
        // An allowed fallback is still a downgrade.
        let card_access = infos(&[gm(), cam()]);
        let (st, why) = status(compare_pace(
            &s,
            CardAccess::Offered(&card_access),
            Some(&bac_run(true)),
        ));
        assert_eq!(st, CheckStatus::Invalid);
        assert!(why.contains("fallback allowed"), "{why}");
        let (st, _) = status(compare_pace(
            &s,
            CardAccess::Unparseable("truncated"),
            Some(&bac_run(true)),
        ));
        assert_eq!(st, CheckStatus::Invalid);
    }

    #[test]
    fn stripped_offers_and_a_weaker_variant_fail() {
        let signed = infos(&[gm(), cam()]);
        let stripped = infos(&[gm()]);
        let s = [SignedInfos {
            file: LdsFile::CardSecurity,
            infos: &signed,
        }];
        let (st, why) = status(compare_pace(
            &s,
            CardAccess::Offered(&stripped),
            Some(&pace_run(&gm())),
        ));
        assert_eq!(st, CheckStatus::Invalid);
        assert!(
            why.contains("EF.CardAccess does not offer PACE-ECDH-CAM AES-256, parameter id 12"),
            "{why}"
        );
        assert!(why.contains("weaker than PACE-ECDH-CAM"), "{why}");
        // Every offer in EF.CardAccess, but the weaker one run.
        let full = infos(&[gm(), cam()]);
        let (st, why) = status(compare_pace(
            &s,
            CardAccess::Offered(&full),
            Some(&pace_run(&gm())),
        ));
        assert_eq!(st, CheckStatus::Invalid);
        assert!(why.starts_with("PACE ran PACE-ECDH-GM AES-256"), "{why}");
        // A smaller key on the same curve is weaker too.
        let signed = infos(&[offer(Mapping::Generic, CipherAlgorithm::Aes128, 12), gm()]);
        let s = [SignedInfos {
            file: LdsFile::Dg(14),
            infos: &signed,
        }];
        let aes128 = offer(Mapping::Generic, CipherAlgorithm::Aes128, 12);
        let (st, _) = status(compare_pace(
            &s,
            CardAccess::Offered(&signed),
            Some(&pace_run(&aes128)),
        ));
        assert_eq!(st, CheckStatus::Invalid);
    }

    #[test]
    fn a_signed_info_without_parameter_id_matches_any() {
        let signed = infos(&[PaceInfo::new(
            Mapping::Generic,
            KeyAgreement::Ecdh,
            CipherAlgorithm::Aes256,
            None,
        )
        .unwrap()]);
        let card_access = infos(&[gm()]);
        let s = [SignedInfos {
            file: LdsFile::Dg(14),
            infos: &signed,
        }];
        let (st, why) = status(compare_pace(
            &s,
            CardAccess::Offered(&card_access),
            Some(&pace_run(&gm())),
        ));
        assert_eq!(st, CheckStatus::Valid, "{why}");
    }

    #[test]
    fn a_variant_no_signed_file_lists_fails() {
        let signed = infos(&[gm()]);
        let card_access = infos(&[
            gm(),
            offer(Mapping::Integrated, CipherAlgorithm::Aes128, 13),
        ]);
        let s = [SignedInfos {
            file: LdsFile::Dg(14),
            infos: &signed,
        }];
        let ran = offer(Mapping::Integrated, CipherAlgorithm::Aes128, 13);
        let (st, why) = status(compare_pace(
            &s,
            CardAccess::Offered(&card_access),
            Some(&pace_run(&ran)),
        ));
        assert_eq!(st, CheckStatus::Invalid);
        assert!(why.contains("which no signed file lists"), "{why}");
    }

    #[test]
    fn offline_compares_only_a_card_access_that_is_there() {
        let signed = infos(&[gm(), cam()]);
        let s = [SignedInfos {
            file: LdsFile::Dg(14),
            infos: &signed,
        }];
        assert!(compare_pace(&s, CardAccess::Absent, None).is_none());
        let stripped = infos(&[gm()]);
        let (st, _) = status(compare_pace(&s, CardAccess::Offered(&stripped), None));
        assert_eq!(st, CheckStatus::Invalid);
    }

    #[test]
    fn a_withheld_key_file_fails_its_mechanism() {
        let refused = [Check::not_checked(
            CheckId::FileRead(LdsFile::Dg(14)),
            "the chip refused to read it (6982)",
        )];
        let out = withheld_key_files(|n| n == 14 || n == 15, |n| n == 15, &refused, &[]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].mechanism, Mechanism::ChipAuthentication);
        assert_eq!(out[0].verdict.status, CheckStatus::Invalid);
        assert!(out[0].verdict.reason.contains("6982"), "{:?}", out[0]);
        // Delivered, not listed, or already judged: nothing added.
        assert!(withheld_key_files(|_| true, |_| true, &[], &[]).is_empty());
        assert!(withheld_key_files(|_| false, |_| false, &[], &[]).is_empty());
        let ran = [
            MechanismResult::not_run(Mechanism::ChipAuthentication, "disabled"),
            MechanismResult::not_run(Mechanism::ActiveAuthentication, "disabled"),
        ];
        assert!(withheld_key_files(|_| true, |_| false, &[], &ran).is_empty());
    }
}
