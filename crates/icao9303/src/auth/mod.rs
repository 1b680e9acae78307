//! Chip authenticity: Active Authentication ([`active`]), Chip Authentication v1 ([`chip`]) and the
//! PACE-CAM check, and the verdict they give together.
//!
//! A mechanism only proves the chip genuine when the key it used is itself authentic: DG14 / DG15 must
//! match a verified EF.SOD, EF.CardSecurity must pass passive authentication. [`assess`] combines the
//! mechanisms' results with that into the report's `chip_authenticity`.

pub mod active;
pub mod cam;
pub mod chip;

use crate::lds::LdsFile;
use crate::report::{AuthenticityVerdict, Check, CheckStatus, ChipAuthenticity, MechanismReport};

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
    /// The name used for the report's check line.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::ChipAuthentication => "Chip Authentication",
            Mechanism::ActiveAuthentication => "Active Authentication",
            Mechanism::PaceCam => "PACE-CAM",
        }
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
    /// Valid: the chip proved it holds the private key; Invalid: it did not; NotChecked: not run.
    pub status: CheckStatus,
    /// What happened, in words.
    pub reason: String,
}

impl MechanismResult {
    /// A verified mechanism.
    pub fn verified(mechanism: Mechanism, reason: impl Into<String>) -> Self {
        MechanismResult {
            mechanism,
            status: CheckStatus::Valid,
            reason: reason.into(),
        }
    }
    /// A failed mechanism: the chip could not prove it holds the key.
    pub fn failed(mechanism: Mechanism, reason: impl Into<String>) -> Self {
        MechanismResult {
            mechanism,
            status: CheckStatus::Invalid,
            reason: reason.into(),
        }
    }
    /// A mechanism that was not run (not supported, disabled, or its key unusable).
    pub fn not_run(mechanism: Mechanism, reason: impl Into<String>) -> Self {
        MechanismResult {
            mechanism,
            status: CheckStatus::NotChecked,
            reason: reason.into(),
        }
    }
}

/// Whether the file holding a mechanism's key passed passive authentication, and why (or why not).
pub type KeyFileTrust = (bool, String);

/// Combines mechanism results and the passive-authentication status of their key files into the
/// report's verdict and one check line per mechanism.
///
/// genuine: at least one mechanism verified with a key from a verified file, none failed;
/// failed: a mechanism failed; not-proven: otherwise.
pub fn assess(
    results: &[MechanismResult],
    key_file_trust: impl Fn(Mechanism) -> KeyFileTrust,
) -> (ChipAuthenticity, Vec<Check>) {
    let mut mechanisms = Vec::new();
    let mut checks = Vec::new();
    let mut genuine_by = Vec::new();
    let mut unverified_key = Vec::new();
    let mut failed_by = Vec::new();
    for r in results {
        let (trusted, trust_reason) = key_file_trust(r.mechanism);
        let file = r.mechanism.key_file().name();
        let check = match r.status {
            CheckStatus::Valid if trusted => {
                genuine_by.push(r.mechanism.name());
                Check::valid(
                    r.mechanism.name(),
                    format!("{}; {file}: {trust_reason}", r.reason),
                )
            }
            CheckStatus::Valid => {
                unverified_key.push(r.mechanism.name());
                Check::valid_with_warning(
                    r.mechanism.name(),
                    format!(
                        "{}, but the key is not proven authentic ({file}: {trust_reason})",
                        r.reason
                    ),
                )
            }
            CheckStatus::Invalid => {
                failed_by.push(r.mechanism.name());
                Check::invalid(r.mechanism.name(), r.reason.clone())
            }
            CheckStatus::NotChecked => Check::not_checked(r.mechanism.name(), r.reason.clone()),
        };
        mechanisms.push(MechanismReport {
            name: r.mechanism.name().to_string(),
            status: r.status,
            reason: check.reason.clone(),
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
    } else if !genuine_by.is_empty() {
        (
            AuthenticityVerdict::Genuine,
            format!(
                "{} verified with a key from a file that passed passive authentication",
                genuine_by.join(", ")
            ),
        )
    } else if !unverified_key.is_empty() {
        (
            AuthenticityVerdict::NotProven,
            format!(
                "{} verified, but the key's file did not pass passive authentication",
                unverified_key.join(", ")
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

/// A channel whose secure messaging session can be replaced (Chip Authentication restarts it).
pub trait Session: crate::transport::Channel {
    /// Ends the current session and continues with `sm`.
    fn restart_secure_messaging(&mut self, sm: crate::sm::SecureMessaging);
}

/// The mechanisms run during a read.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    /// One result per mechanism considered.
    pub results: Vec<MechanismResult>,
    /// True when Chip Authentication failed after the keys changed: the session is gone.
    pub session_lost: bool,
}

fn security_infos_of_dg14(
    dg14: &[u8],
) -> Result<crate::lds::security_infos::SecurityInfos, String> {
    let outer = crate::asn1::parse_tagged(dg14, 0x6E).map_err(|e| format!("DG14: {e}"))?;
    crate::lds::security_infos::SecurityInfos::parse(outer.value).map_err(|e| format!("DG14: {e}"))
}

/// Runs Active Authentication (DG15) then Chip Authentication (DG14) on the files read so far, as the
/// options allow. A failed mechanism is a result, not an error: the report says the chip failed.
pub fn run<R: rand_core::CryptoRng + ?Sized>(
    session: &mut dyn Session,
    options: &crate::reader::ReaderOptions,
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
            Err(e) => out.results.push(MechanismResult::not_run(aa, e)),
            Ok(dg15) => {
                let ecdsa_hash = infos.as_ref().and_then(|i| i.as_ref().ok()).and_then(|i| {
                    i.infos.iter().find_map(|x| match x {
                        SecurityInfo::ActiveAuthentication(a) => {
                            crate::asn1::ObjectIdentifier::from_bytes(&a.signature_algorithm)
                                .ok()
                                .and_then(|o| active::ecdsa_hash_for(&o))
                        }
                        _ => None,
                    })
                });
                let challenge = options
                    .aa_challenge
                    .unwrap_or_else(|| active::fresh_challenge(rng));
                out.results
                    .push(match active::internal_authenticate(session, &challenge) {
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
                match chip::authenticate(session, &plan, rng) {
                    Err(e) => out.results.push(MechanismResult::failed(
                        ca,
                        format!("the chip refused Chip Authentication ({what}): {e}"),
                    )),
                    Ok(sm) => {
                        session.restart_secure_messaging(sm);
                        // Only a chip that derived the same K answers correctly under the new keys.
                        let probe = crate::apdu::CommandApdu::new(0x00, 0xA4, 0x02, 0x0C)
                            .with_data(LdsFile::Dg(14).fid().to_be_bytes().to_vec());
                        out.results.push(
                            match session.exchange("Chip Authentication: SELECT under the new keys", &probe) {
                                Ok(r) if r.sw.is_success() => MechanismResult::verified(
                                    ca,
                                    format!("secure messaging restarted with keys from the chip's static key ({what})"),
                                ),
                                Ok(r) => {
                                    out.session_lost = true;
                                    MechanismResult::failed(
                                        ca,
                                        format!("the chip answered {} under the new keys ({what})", r.sw),
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

/// Adds the mechanisms' check lines and the `chip_authenticity` verdict to `report`. A key file counts as
/// authentic when its hash matches EF.SOD and the EF.SOD signature verified; EF.CardSecurity (PACE-CAM's
/// key file) by its own passive authentication, given as `card_security`.
pub fn add_to_report(
    document: &crate::document::Document,
    report: &mut crate::report::Report,
    results: &[MechanismResult],
    card_security: Option<KeyFileTrust>,
) {
    let sod_signed = report
        .checks
        .iter()
        .any(|c| c.name == "EF.SOD signature" && c.status == CheckStatus::Valid);
    let trust = |m: Mechanism| -> KeyFileTrust {
        let file = m.key_file();
        if file == LdsFile::CardSecurity {
            return card_security
                .clone()
                .unwrap_or((false, "EF.CardSecurity was not verified".into()));
        }
        let (status, why) = document.hash_status(file);
        match (status, sod_signed) {
            (CheckStatus::Valid, true) => (true, format!("{why}, EF.SOD signature verified")),
            (CheckStatus::Valid, false) => (false, "EF.SOD signature not verified".into()),
            (_, _) => (false, why),
        }
    };
    let (authenticity, checks) = assess(results, trust);
    report.checks.extend(checks);
    report.chip_authenticity = Some(authenticity);
}
