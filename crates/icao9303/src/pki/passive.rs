//! Passive authentication of an EF.SOD: signature, DSC chain, DSC validity, revocation, issuing country,
//! and the data group hashes.

use serde::Serialize;

use super::certificate::{Certificate, Time};
use super::country::alpha2_for_issuing_state;
use super::trust_store::{TrustAnchor, TrustStore};
use super::{find_signer, signature, verify_certificate_signature, verify_signer_info};
use crate::crypto::hash::HashAlgorithm;
use crate::lds::sod::Sod;

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CheckStatus {
    /// The check passed.
    Valid,
    /// The check failed: the document must not be trusted on this point.
    Invalid,
    /// The check could not be made (missing data, unknown issuer).
    NotChecked,
    /// Passed with a reservation (expired DSC on a valid document, test or unverified anchor, SHA-1).
    Warning,
}

/// One check with its verdict and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// What was checked ("SOD signature", "DSC chain", "DG1 hash").
    pub name: String,
    /// The verdict.
    pub status: CheckStatus,
    /// Why.
    pub reason: String,
}

impl CheckResult {
    fn new(name: &str, status: CheckStatus, reason: impl Into<String>) -> Self {
        CheckResult {
            name: name.to_string(),
            status,
            reason: reason.into(),
        }
    }
}

/// The outcome of the DSC → CSCA chain check, keeping "unknown issuer" apart from "invalid".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChainOutcome {
    /// The DSC is signed by a CSCA in the trust store.
    Valid,
    /// CSCAs with the DSC's issuer name exist, but none verifies its signature (or the DSC is unusable).
    Invalid,
    /// No CSCA in the trust store has the DSC's issuer name.
    UnknownIssuer,
    /// The chain was not examined (no DSC).
    NotChecked,
}

/// The result of passive authentication of one EF.SOD.
#[derive(Debug, Clone, Serialize)]
pub struct PassiveAuthReport {
    /// EF.SOD decoding.
    pub structure: CheckResult,
    /// The SignerInfo signature and messageDigest, with the DSC inside the SOD.
    pub signature: CheckResult,
    /// DSC signed by a trusted CSCA.
    pub chain: CheckResult,
    /// The chain verdict with "unknown issuer" distinct from "invalid".
    pub chain_outcome: ChainOutcome,
    /// DSC validity period at the reference time.
    pub dsc_validity: CheckResult,
    /// DSC not revoked by a CRL of its CSCA.
    pub revocation: CheckResult,
    /// CSCA country against the MRZ issuing state.
    pub country: CheckResult,
    /// The DSC's subject (the signer of the SOD).
    pub signer_subject: Option<String>,
    /// The DSC's issuer name.
    pub signer_issuer: Option<String>,
    /// The CSCA that signed the DSC, if found.
    pub csca_subject: Option<String>,
    /// The hash algorithm of the data group hashes.
    pub hash_algorithm: Option<HashAlgorithm>,
}

impl PassiveAuthReport {
    /// All checks in order.
    pub fn checks(&self) -> [&CheckResult; 6] {
        [
            &self.structure,
            &self.signature,
            &self.chain,
            &self.dsc_validity,
            &self.revocation,
            &self.country,
        ]
    }

    /// True when no check is Invalid.
    pub fn passed(&self) -> bool {
        self.checks()
            .iter()
            .all(|c| c.status != CheckStatus::Invalid)
    }
}

fn not_checked(name: &str, why: &str) -> CheckResult {
    CheckResult::new(name, CheckStatus::NotChecked, why)
}

/// Passive authentication of `sod_bytes` (a whole EF.SOD) against `store`, with `at` as the reference time
/// for validity periods and `issuing_state` the MRZ issuing state (alpha-3, e.g. "GBR", "D<<"), if known.
pub fn verify_sod(
    sod_bytes: &[u8],
    store: &TrustStore,
    at: Time,
    issuing_state: Option<&str>,
) -> PassiveAuthReport {
    let mut report = PassiveAuthReport {
        structure: CheckResult::new("SOD structure", CheckStatus::Valid, ""),
        signature: not_checked("SOD signature", "EF.SOD could not be decoded"),
        chain: not_checked("DSC chain", "EF.SOD could not be decoded"),
        chain_outcome: ChainOutcome::NotChecked,
        dsc_validity: not_checked("DSC validity", "EF.SOD could not be decoded"),
        revocation: not_checked("DSC revocation", "EF.SOD could not be decoded"),
        country: not_checked("Issuing country", "EF.SOD could not be decoded"),
        signer_subject: None,
        signer_issuer: None,
        csca_subject: None,
        hash_algorithm: None,
    };
    let sod = match Sod::parse(sod_bytes) {
        Ok(s) => s,
        Err(e) => {
            report.structure =
                CheckResult::new("SOD structure", CheckStatus::Invalid, e.to_string());
            return report;
        }
    };
    report.hash_algorithm = Some(sod.hash_algorithm);
    report.structure.reason = format!(
        "LDSSecurityObject v{} with {} hashes of DG {}",
        sod.version,
        sod.hash_algorithm,
        sod.data_group_hashes
            .keys()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );

    verify_signer(
        report,
        &sod.signed_data,
        sod.hash_algorithm == HashAlgorithm::Sha1,
        store,
        at,
        issuing_state,
    )
}

/// Passive authentication of any signed security object (EF.CardSecurity: CMS SignedData with
/// eContentType id-SecurityObject): the signature with the signer's certificate inside, that certificate's
/// chain to a trusted CSCA, its validity at `at`, revocation and country. `structure` reports the decoding.
pub fn verify_signed_data(
    content_info: &[u8],
    store: &TrustStore,
    at: Time,
    issuing_state: Option<&str>,
) -> (PassiveAuthReport, Option<super::cms::SignedData>) {
    let mut report = PassiveAuthReport {
        structure: CheckResult::new("structure", CheckStatus::Valid, "CMS SignedData"),
        signature: not_checked("signature", "not decoded"),
        chain: not_checked("DSC chain", "not decoded"),
        chain_outcome: ChainOutcome::NotChecked,
        dsc_validity: not_checked("DSC validity", "not decoded"),
        revocation: not_checked("DSC revocation", "not decoded"),
        country: not_checked("Issuing country", "not decoded"),
        signer_subject: None,
        signer_issuer: None,
        csca_subject: None,
        hash_algorithm: None,
    };
    match super::cms::SignedData::from_content_info(content_info) {
        Ok(sd) => {
            let report = verify_signer(report, &sd, false, store, at, issuing_state);
            (report, Some(sd))
        }
        Err(e) => {
            report.structure = CheckResult::new("structure", CheckStatus::Invalid, e.to_string());
            (report, None)
        }
    }
}

/// The signer part of passive authentication, shared by EF.SOD and EF.CardSecurity.
fn verify_signer(
    mut report: PassiveAuthReport,
    sd: &super::cms::SignedData,
    weak_hash: bool,
    store: &TrustStore,
    at: Time,
    issuing_state: Option<&str>,
) -> PassiveAuthReport {
    // The signer and its certificate.
    let Some(si) = sd.signer_infos.first() else {
        report.signature = CheckResult::new(
            "SOD signature",
            CheckStatus::Invalid,
            "SignedData has no SignerInfo",
        );
        return report;
    };
    let mut certs = Vec::new();
    let mut cert_errors = Vec::new();
    for (i, raw) in sd.certificates.iter().enumerate() {
        match Certificate::from_der(raw) {
            Ok(c) => certs.push(c),
            Err(e) => cert_errors.push(format!("certificate {i}: {e}")),
        }
    }
    let dsc = find_signer(si, &certs).cloned();
    let Some(dsc) = dsc else {
        let why = if cert_errors.is_empty() {
            "the signer's certificate (DSC) is not in the SOD".to_string()
        } else {
            format!(
                "the signer's certificate (DSC) is not usable: {}",
                cert_errors.join("; ")
            )
        };
        report.signature = CheckResult::new("SOD signature", CheckStatus::NotChecked, why.clone());
        report.chain = not_checked("DSC chain", &why);
        report.dsc_validity = not_checked("DSC validity", &why);
        report.revocation = not_checked("DSC revocation", &why);
        report.country = not_checked("Issuing country", &why);
        return report;
    };
    report.signer_subject = Some(dsc.subject.to_string());
    report.signer_issuer = Some(dsc.issuer.to_string());

    report.signature = match verify_signer_info(sd, si, &dsc) {
        Ok(how) => {
            let weak = if how.contains("SHA-1") || weak_hash {
                " (SHA-1 is a weak hash)"
            } else {
                ""
            };
            CheckResult::new(
                "SOD signature",
                CheckStatus::Valid,
                format!("{how}, by {}{weak}", dsc.subject),
            )
        }
        Err(why) => CheckResult::new("SOD signature", CheckStatus::Invalid, why),
    };

    // DSC validity: an expired DSC is normal for a document issued during its validity.
    report.dsc_validity = if at < dsc.not_before {
        CheckResult::new(
            "DSC validity",
            CheckStatus::Invalid,
            format!(
                "DSC not valid before {} (reference time {at})",
                dsc.not_before
            ),
        )
    } else if at > dsc.not_after {
        CheckResult::new(
            "DSC validity",
            CheckStatus::Warning,
            format!(
                "DSC expired on {} (documents signed while it was valid remain valid until their own expiry)",
                dsc.not_after
            ),
        )
    } else {
        CheckResult::new(
            "DSC validity",
            CheckStatus::Valid,
            format!("valid {} to {}", dsc.not_before, dsc.not_after),
        )
    };

    // Chain to a CSCA.
    let named: Vec<&TrustAnchor> = store
        .anchors()
        .iter()
        .filter(|a| a.certificate.subject.matches(&dsc.issuer))
        .collect();
    let mut csca: Option<&TrustAnchor> = None;
    let mut failures = Vec::new();
    // Prefer the CSCA whose key identifier the DSC names.
    let mut ordered = named.clone();
    ordered.sort_by_key(|a| {
        let hit =
            dsc.authority_key_id.is_some() && a.certificate.subject_key_id == dsc.authority_key_id;
        !hit
    });
    for anchor in ordered {
        match verify_certificate_signature(&dsc, &anchor.certificate) {
            Ok(how) => {
                csca = Some(anchor);
                failures.clear();
                failures.push(how);
                break;
            }
            Err(e) => failures.push(e),
        }
    }
    match csca {
        Some(anchor) => {
            let c = &anchor.certificate;
            report.csca_subject = Some(c.subject.to_string());
            report.chain_outcome = ChainOutcome::Valid;
            let how = failures.first().cloned().unwrap_or_default();
            let mut notes = Vec::new();
            if anchor.test_anchor {
                notes.push("the CSCA is a test anchor".to_string());
            }
            if anchor.unverified_list {
                notes.push(
                    "the CSCA comes from a master list accepted without verification".to_string(),
                );
            }
            if !c.is_self_issued() {
                notes.push(format!(
                    "the CSCA certificate is a link certificate issued by {}",
                    c.issuer
                ));
            }
            if !(c.not_before <= dsc.not_before && dsc.not_before <= c.not_after) {
                notes.push(format!(
                    "the DSC's validity starts outside the CSCA's ({} to {})",
                    c.not_before, c.not_after
                ));
            }
            let status = if anchor.test_anchor || anchor.unverified_list {
                CheckStatus::Warning
            } else {
                CheckStatus::Valid
            };
            let mut reason = format!(
                "DSC signed by CSCA {} (serial {}, from {}) with {how}",
                c.subject,
                c.serial_hex(),
                anchor.source
            );
            if !notes.is_empty() {
                reason.push_str("; ");
                reason.push_str(&notes.join("; "));
            }
            report.chain = CheckResult::new("DSC chain", status, reason);
        }
        None if named.is_empty() => {
            report.chain_outcome = ChainOutcome::UnknownIssuer;
            report.chain = CheckResult::new(
                "DSC chain",
                CheckStatus::NotChecked,
                format!(
                    "unknown issuer: no CSCA named {} in the trust store ({} anchors)",
                    dsc.issuer,
                    store.anchors().len()
                ),
            );
        }
        None => {
            report.chain_outcome = ChainOutcome::Invalid;
            report.chain = CheckResult::new(
                "DSC chain",
                CheckStatus::Invalid,
                format!(
                    "DSC signature does not verify with any of the {} CSCA(s) named {}: {}",
                    named.len(),
                    dsc.issuer,
                    failures.join("; ")
                ),
            );
        }
    }

    report.revocation = check_revocation(&dsc, csca.map(|a| &a.certificate), store, at);
    report.country = check_country(&dsc, csca.map(|a| &a.certificate), issuing_state);
    report
}

fn check_revocation(
    dsc: &Certificate,
    csca: Option<&Certificate>,
    store: &TrustStore,
    at: Time,
) -> CheckResult {
    let name = "DSC revocation";
    let crls: Vec<_> = store
        .crls()
        .iter()
        .filter(|c| c.issuer.matches(&dsc.issuer))
        .collect();
    if crls.is_empty() {
        return not_checked(
            name,
            &format!("no CRL from {} in the trust store", dsc.issuer),
        );
    }
    let mut notes = Vec::new();
    for crl in crls {
        let verified = match csca {
            Some(c) => signature::verify(
                &c.public_key,
                &crl.signature_algorithm,
                None,
                &crl.tbs,
                &crl.signature,
            )
            .is_ok(),
            None => false,
        };
        if let Some(entry) = crl.find(&dsc.serial) {
            let status = if verified {
                CheckStatus::Invalid
            } else {
                CheckStatus::Warning
            };
            let suffix = if verified {
                ""
            } else {
                " (CRL signature not verified)"
            };
            return CheckResult::new(
                name,
                status,
                format!(
                    "DSC serial {} revoked on {} by the CRL of {}{suffix}",
                    dsc.serial_hex(),
                    entry.revocation_date,
                    crl.this_update
                ),
            );
        }
        if !verified {
            notes.push(format!(
                "CRL of {} could not be verified with the CSCA",
                crl.this_update
            ));
            continue;
        }
        if crl.next_update.is_some_and(|n| n < at) {
            return CheckResult::new(
                name,
                CheckStatus::Warning,
                format!(
                    "not on the CRL of {}, but that CRL is out of date",
                    crl.this_update
                ),
            );
        }
        return CheckResult::new(
            name,
            CheckStatus::Valid,
            format!("not on the CRL of {}", crl.this_update),
        );
    }
    CheckResult::new(
        name,
        CheckStatus::Warning,
        format!("not listed, but {}", notes.join("; ")),
    )
}

fn check_country(
    dsc: &Certificate,
    csca: Option<&Certificate>,
    issuing_state: Option<&str>,
) -> CheckResult {
    let name = "Issuing country";
    let Some(state) = issuing_state else {
        return not_checked(name, "no MRZ issuing state given");
    };
    let Some(expected) = alpha2_for_issuing_state(state) else {
        return not_checked(name, &format!("unknown issuing state code {state:?}"));
    };
    let (country, whose) = match csca {
        Some(c) => (c.subject.country(), "CSCA"),
        None => (dsc.issuer.country(), "DSC issuer (CSCA not found)"),
    };
    match country {
        None => not_checked(name, &format!("the {whose} name has no country")),
        Some(c) if c.eq_ignore_ascii_case(expected) => {
            let status = if csca.is_some() {
                CheckStatus::Valid
            } else {
                CheckStatus::Warning
            };
            CheckResult::new(
                name,
                status,
                format!("{whose} country {c} matches issuing state {state}"),
            )
        }
        Some(c) => CheckResult::new(
            name,
            CheckStatus::Invalid,
            format!("{whose} country {c} does not match issuing state {state} ({expected})"),
        ),
    }
}

/// Compares the raw bytes of data groups with the hashes listed in the SOD: one result per data group
/// given, plus a NotChecked result for each listed data group that was not given.
pub fn verify_data_groups(sod: &Sod, data_groups: &[(u8, &[u8])]) -> Vec<CheckResult> {
    let mut out = Vec::new();
    for (dg, bytes) in data_groups {
        let name = format!("DG{dg} hash");
        let result = match sod.check_data_group(*dg, bytes) {
            Some(true) => CheckResult::new(
                &name,
                CheckStatus::Valid,
                format!("{} matches the SOD", sod.hash_algorithm),
            ),
            Some(false) => CheckResult::new(
                &name,
                CheckStatus::Invalid,
                format!("{} differs from the SOD's value", sod.hash_algorithm),
            ),
            None => CheckResult::new(
                &name,
                CheckStatus::Invalid,
                "data group present but not listed in the SOD",
            ),
        };
        out.push(result);
    }
    for dg in sod.data_group_hashes.keys() {
        if !data_groups.iter().any(|(d, _)| d == dg) {
            out.push(not_checked(
                &format!("DG{dg} hash"),
                "listed in the SOD but not read",
            ));
        }
    }
    out
}
