//! Chip authenticity: Active Authentication ([`active`]), Chip Authentication v1 ([`chip`]) and the
//! PACE-CAM check, and the verdict they give together.
//!
//! A mechanism only proves the chip genuine when the key it used is itself authentic: DG14 / DG15 must
//! match an EF.SOD whose signature verifies and whose signer chains to a trusted CSCA; EF.CardSecurity must
//! pass passive authentication, chain included ([`key_file_verdict`]). [`assess`] combines the
//! mechanisms' results with that, and with the completeness of passive authentication, into the report's
//! `chip_authenticity`.

pub mod active;
pub mod cam;
pub mod chip;
pub mod downgrade;
pub mod terminal;

use crate::channel::SecureChannel;
use crate::lds::LdsFile;
use crate::options::ReaderOptions;
use crate::report::{
    AuthenticityVerdict, Check, CheckId, CheckStatus, ChipAuthenticity, MechanismReport, Report,
    Verdict,
};

/// A chip authentication mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// Chip Authentication (ICAO 9303-11 section 6.2), key from DG14.
    ChipAuthentication,
    /// Active Authentication (ICAO 9303-11 section 6.1), key from DG15.
    ActiveAuthentication,
    /// PACE with Chip Authentication Mapping, key from EF.CardSecurity.
    PaceCam,
}

impl Mechanism {
    /// The report check this mechanism's result is filed under.
    pub fn check_id(self) -> CheckId {
        match self {
            Mechanism::ChipAuthentication => CheckId::ChipAuthentication,
            Mechanism::ActiveAuthentication => CheckId::ActiveAuthentication,
            Mechanism::PaceCam => CheckId::PaceCam,
        }
    }

    /// The name used for the report's check line.
    pub fn name(self) -> String {
        self.check_id().name()
    }

    /// The file the mechanism's public key comes from.
    pub fn key_file(self) -> LdsFile {
        match self {
            Mechanism::ChipAuthentication => LdsFile::Dg(14),
            Mechanism::ActiveAuthentication => LdsFile::Dg(15),
            Mechanism::PaceCam => LdsFile::CardSecurity,
        }
    }
}

/// What running (or not running) one mechanism gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MechanismResult {
    /// The mechanism.
    pub mechanism: Mechanism,
    /// Valid: the chip proved it holds the private key; invalid: it did not; not checked: not run.
    pub verdict: Verdict,
}

impl MechanismResult {
    /// A verified mechanism.
    pub fn verified(mechanism: Mechanism, reason: impl Into<String>) -> Self {
        MechanismResult {
            mechanism,
            verdict: Verdict::valid(reason),
        }
    }
    /// A failed mechanism: the chip could not prove it holds the key.
    pub fn failed(mechanism: Mechanism, reason: impl Into<String>) -> Self {
        MechanismResult {
            mechanism,
            verdict: Verdict::invalid(reason),
        }
    }
    /// A mechanism that was not run (not supported, disabled, or its key unusable).
    pub fn not_run(mechanism: Mechanism, reason: impl Into<String>) -> Self {
        MechanismResult {
            mechanism,
            verdict: Verdict::not_checked(reason),
        }
    }
}

/// What the verdict says when the document signer does not chain to a trusted CSCA (the DSC chain check's
/// reason then says why: which anchors are loaded, which are missing).
pub const SIGNER_NOT_TRUSTED: &str = "the signer is not trusted";

/// Whether `file`, holding a mechanism's key, passed passive authentication, from the report's checks:
/// DG14 and DG15 need their hash in EF.SOD, EF.SOD's signature and the DSC chain to a trusted CSCA;
/// EF.CardSecurity its own passive authentication ([`CheckId::CardSecurity`]). Valid only then.
pub fn key_file_verdict(report: &Report, file: LdsFile) -> Verdict {
    let failing = |id: CheckId| {
        report
            .check(id)
            .filter(|c| !c.status().is_valid())
            .map(|c| (c.status(), c.reason().to_string()))
    };
    match file {
        LdsFile::CardSecurity => match report.check(CheckId::CardSecurity) {
            None => Verdict::not_checked("EF.CardSecurity was not read"),
            Some(c) if c.status().is_valid() => {
                Verdict::valid("EF.CardSecurity passed passive authentication")
            }
            Some(c) if c.status() == CheckStatus::NotChecked => Verdict::not_checked(format!(
                "EF.CardSecurity is not verified: {SIGNER_NOT_TRUSTED}"
            )),
            Some(c) => Verdict::invalid(format!(
                "EF.CardSecurity failed passive authentication: {}",
                c.reason()
            )),
        },
        LdsFile::Dg(n) => {
            let name = file.name();
            if report.check(CheckId::DgHash(n)).is_none() {
                return Verdict::not_checked(format!("{name} was not read"));
            }
            if let Some((status, why)) = failing(CheckId::DgHash(n)) {
                return Verdict::new(status, format!("{name}: {why}"));
            }
            match report.check(CheckId::SodSignature) {
                None => return Verdict::not_checked("EF.SOD signature not verified"),
                Some(c) if !c.status().is_valid() => {
                    return Verdict::new(
                        c.status(),
                        format!("EF.SOD signature not verified: {}", c.reason()),
                    );
                }
                Some(_) => {}
            }
            match report.check(CheckId::DscChain) {
                Some(c) if c.status().is_valid() => Verdict::valid(format!(
                    "{name} hash matches EF.SOD, whose signer chains to a trusted CSCA"
                )),
                Some(c) if c.status() == CheckStatus::Invalid => {
                    Verdict::invalid(format!("the DSC chain is invalid: {}", c.reason()))
                }
                _ => Verdict::not_checked(format!(
                    "{name} hash matches EF.SOD, but {SIGNER_NOT_TRUSTED}"
                )),
            }
        }
        _ => Verdict::not_checked(format!("{} holds no chip key", file.name())),
    }
}

/// Combines mechanism results, the passive-authentication status of their key files and the gaps in
/// passive authentication (`pa_gaps`: empty when it is complete) into the report's verdict and one check
/// line per mechanism.
///
/// genuine: passive authentication complete, at least one mechanism verified with a key from a file
/// that passed it, none failed; failed: a mechanism failed; not-proven: otherwise, with what is missing.
pub fn assess(
    results: &[MechanismResult],
    key_file_trust: impl Fn(Mechanism) -> Verdict,
    pa_gaps: &[String],
) -> (ChipAuthenticity, Vec<Check>) {
    let mut mechanisms = Vec::new();
    let mut checks = Vec::new();
    let mut genuine_by = Vec::new();
    let mut unverified_key = Vec::new();
    let mut failed_by = Vec::new();
    let mut not_run = Vec::new();
    for r in results {
        let trust = key_file_trust(r.mechanism);
        let trusted = trust.is_valid();
        let file = r.mechanism.key_file().name();
        let id = r.mechanism.check_id();
        let name = r.mechanism.name();
        let check = match r.verdict.status {
            CheckStatus::Valid | CheckStatus::ValidWithWarning if trusted => {
                genuine_by.push(name.clone());
                Check::new(
                    id,
                    Verdict::new(
                        r.verdict.status,
                        format!("{}; {}", r.verdict.reason, trust.reason),
                    ),
                )
            }
            CheckStatus::Valid | CheckStatus::ValidWithWarning => {
                unverified_key.push((name.clone(), trust.reason.clone()));
                Check::valid_with_warning(
                    id,
                    format!(
                        "{}, but the key is not proven authentic ({})",
                        r.verdict.reason, trust.reason
                    ),
                )
            }
            CheckStatus::Invalid => {
                failed_by.push(name.clone());
                Check::new(id, r.verdict.clone())
            }
            CheckStatus::NotChecked => {
                not_run.push(format!("{name}: {}", r.verdict.reason));
                Check::new(id, r.verdict.clone())
            }
        };
        mechanisms.push(MechanismReport {
            name,
            status: r.verdict.status,
            reason: check.reason().to_string(),
            key_file: file,
            key_file_verified: trusted,
        });
        checks.push(check);
    }
    let (verdict, reason) = if !failed_by.is_empty() {
        (
            AuthenticityVerdict::Failed,
            format!(
                "{} failed: the chip does not hold the private key its files publish (a cloned or altered chip)",
                failed_by.join(", ")
            ),
        )
    } else if !genuine_by.is_empty() && pa_gaps.is_empty() {
        (
            AuthenticityVerdict::Genuine,
            format!(
                "{} verified with a key from a file that passed passive authentication, chain to a trusted CSCA included",
                genuine_by.join(", ")
            ),
        )
    } else if !genuine_by.is_empty() || !unverified_key.is_empty() {
        let passed: Vec<String> = genuine_by
            .iter()
            .cloned()
            .chain(unverified_key.iter().map(|(n, _)| n.clone()))
            .collect();
        let missing = if pa_gaps.is_empty() {
            unverified_key
                .iter()
                .map(|(n, why)| format!("{n}'s key file is not verified: {why}"))
                .collect::<Vec<_>>()
        } else {
            pa_gaps.to_vec()
        };
        (
            AuthenticityVerdict::NotProven,
            format!("{} passed, but {}", passed.join(", "), missing.join("; ")),
        )
    } else if !not_run.is_empty() {
        (
            AuthenticityVerdict::NotProven,
            format!(
                "no chip authentication mechanism could be run ({})",
                not_run.join("; ")
            ),
        )
    } else {
        (
            AuthenticityVerdict::NotProven,
            "no chip authentication mechanism was performed (the chip supports none, or they were disabled)"
                .to_string(),
        )
    };
    (
        ChipAuthenticity {
            verdict,
            reason,
            mechanisms,
        },
        checks,
    )
}

/// The mechanisms run during a read.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    /// One result per mechanism considered.
    pub results: Vec<MechanismResult>,
    /// True when Chip Authentication failed after the keys changed: the session is gone.
    pub session_lost: bool,
    /// After a successful Chip Authentication: Comp() of the terminal's ephemeral CA key P̃K_PCD, which
    /// Terminal Authentication signs ([`terminal::comp`]).
    pub comp_pk_pcd: Option<Vec<u8>>,
}

fn security_infos_of_dg14(
    dg14: &[u8],
) -> Result<crate::lds::security_infos::SecurityInfos, String> {
    crate::lds::dg14::Dg14::parse(dg14)
        .map(|d| d.security_infos)
        .map_err(|e| format!("DG14: {e}"))
}

/// Runs Active Authentication (DG15) then Chip Authentication (DG14) on the files read so far, as the
/// options allow. A failed mechanism is a result, not an error: the report says the chip failed.
pub(crate) fn run<R: rand_core::CryptoRng + ?Sized>(
    session: &mut dyn SecureChannel,
    options: &ReaderOptions,
    files: &[(LdsFile, Vec<u8>)],
    rng: &mut R,
) -> RunOutcome {
    use crate::lds::security_infos::SecurityInfo;
    let file = |f: LdsFile| {
        files
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, b)| b.as_slice())
    };
    let infos = file(LdsFile::Dg(14)).map(security_infos_of_dg14);
    let mut out = RunOutcome::default();

    // Active Authentication.
    let aa = Mechanism::ActiveAuthentication;
    match file(LdsFile::Dg(15)) {
        None => {}
        Some(_) if !options.active_authentication => out.results.push(MechanismResult::not_run(
            aa,
            "disabled by the reader options",
        )),
        Some(bytes) => match crate::lds::dg15::Dg15::parse(bytes) {
            Err(e) => out
                .results
                .push(MechanismResult::not_run(aa, e.to_string())),
            Ok(dg15) => {
                // DG14's ActiveAuthenticationInfo: the hash of an ECDSA algorithm, or what it names
                // instead.
                let named = infos.as_ref().and_then(|i| i.as_ref().ok()).and_then(|i| {
                    i.infos.iter().find_map(|x| match x {
                        SecurityInfo::ActiveAuthentication(a) => Some(
                            match crate::asn1::ObjectIdentifier::from_bytes(&a.signature_algorithm)
                            {
                                Ok(o) => active::ecdsa_hash_for(&o).ok_or(o.to_string()),
                                Err(_) => Err("a malformed OID".into()),
                            },
                        ),
                        _ => None,
                    })
                });
                let ecdsa_hash = named.as_ref().and_then(|n| n.as_ref().ok().copied());
                let challenge = options
                    .aa_challenge
                    .unwrap_or_else(|| active::fresh_challenge(rng));
                out.results
                    .push(match active::internal_authenticate(session, &challenge) {
                        // An EC key's signature cannot be verified as the signed DG14 says when it
                        // names no ECDSA algorithm (ICAO 9303-11 §9.2.6; ICAO RF Part 4 ISO7816_E_08).
                        Ok(_) if dg15.kind == crate::lds::dg15::AaKeyKind::Ec
                            && matches!(named, Some(Err(_))) =>
                        {
                            let oid = named.and_then(Result::err).unwrap_or_default();
                            MechanismResult::failed(
                                aa,
                                format!(
                                    "DG14's ActiveAuthenticationInfo names {oid}, not an ECDSA algorithm: the EC key's signature cannot be verified as the signed DG14 says"
                                ),
                            )
                        }
                        Ok(sig) => match active::verify(&dg15, ecdsa_hash, &challenge, &sig) {
                            Ok(how) => {
                                MechanismResult::verified(aa, format!("signature verified: {how}"))
                            }
                            Err(e) => MechanismResult::failed(aa, e.to_string()),
                        },
                        Err(e) => {
                            MechanismResult::failed(aa, format!("the chip did not sign: {e}"))
                        }
                    });
            }
        },
    }

    // Chip Authentication.
    let ca = Mechanism::ChipAuthentication;
    match infos {
        None => {}
        Some(Err(e)) => out.results.push(MechanismResult::not_run(ca, e)),
        Some(Ok(infos)) => match chip::plan(&infos) {
            Ok(None) => {}
            Err(e) => out.results.push(MechanismResult::not_run(ca, e)),
            Ok(Some(_)) if !options.chip_authentication => out.results.push(
                MechanismResult::not_run(ca, "disabled by the reader options"),
            ),
            Ok(Some(plan)) => {
                let what = format!(
                    "{}, {}{}",
                    plan.key.describe(),
                    plan.cipher.name(),
                    if plan.inferred {
                        " (protocol inferred from the key: DG14 has no ChipAuthenticationInfo)"
                    } else {
                        ""
                    }
                );
                match chip::authenticate_keeping_ephemeral_key(session, &plan, rng) {
                    Err(e) => out.results.push(MechanismResult::failed(
                        ca,
                        format!("the chip refused Chip Authentication ({what}): {e}"),
                    )),
                    Ok((sm, pk_pcd)) => {
                        session.restart_secure_messaging(sm);
                        let comp_pk_pcd = terminal::comp(&plan.key.domain, &pk_pcd).ok();
                        // Only a chip that derived the same K answers correctly under the new keys. The
                        // answer must be MAC-verified: secure messaging lets only errors through without a
                        // MAC, so a success here was checked with the new keys (a bare 61xx or 9000 ends
                        // the session with an error instead).
                        let probe = crate::apdu::CommandApdu::new(0x00, 0xA4, 0x02, 0x0C)
                            .with_data(LdsFile::Dg(14).fid().to_be_bytes().to_vec());
                        out.results.push(
                            match session.exchange("Chip Authentication: SELECT under the new keys", &probe) {
                                Ok(r) if r.sw.is_success() => {
                                    out.comp_pk_pcd = comp_pk_pcd;
                                    MechanismResult::verified(
                                        ca,
                                        format!("secure messaging restarted with keys from the chip's static key ({what})"),
                                    )
                                }
                                Ok(r) => {
                                    out.session_lost = true;
                                    MechanismResult::failed(
                                        ca,
                                        format!("the chip answered {} under the new keys ({what})", r.sw),
                                    )
                                }
                                Err(crate::Error::SecureMessaging {
                                    source: crate::sm::SmError::Unprotected(sw),
                                    ..
                                }) => {
                                    out.session_lost = true;
                                    MechanismResult::failed(
                                        ca,
                                        format!("the chip answered {sw} without a MAC under the new keys ({what}): it did not show it holds the key"),
                                    )
                                }
                                Err(e) => {
                                    out.session_lost = true;
                                    MechanismResult::failed(
                                        ca,
                                        format!("the chip does not share the new session keys ({what}): {e}"),
                                    )
                                }
                            },
                        );
                    }
                }
            }
        },
    }
    out
}
