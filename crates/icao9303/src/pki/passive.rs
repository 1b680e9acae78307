//! Passive authentication of an EF.SOD: signature, DSC chain, DSC validity, revocation, issuing country,
//! and the data group hashes.

use super::certificate::{Certificate, Time};
use super::country::alpha2_for_issuing_state;
pub use super::trust_store::ChainOutcome;
use super::trust_store::{StoredCrl, TrustAnchor, TrustStore};
use super::{signer_matches, verify_signer_info_with};
use crate::crypto::hash::HashAlgorithm;
use crate::lds::sod::Sod;

use crate::report::{Check, CheckId, CheckStatus, CrlReport, Verdict};

/// The result of passive authentication of one signed object (EF.SOD or EF.CardSecurity): one
/// [`Verdict`] per aspect.
#[derive(Debug, Clone)]
pub struct PassiveAuthReport {
    /// Decoding of the file.
    pub structure: Verdict,
    /// The SignerInfo signature and messageDigest, with the signer's certificate (DSC) inside the file.
    pub signature: Verdict,
    /// DSC signed by a trusted CSCA.
    pub chain: Verdict,
    /// The chain verdict with "unknown issuer" distinct from "invalid".
    pub chain_outcome: ChainOutcome,
    /// DSC validity period at the reference time.
    pub dsc_validity: Verdict,
    /// DSC not revoked by a CRL of its CSCA.
    pub revocation: Verdict,
    /// CSCA country against the MRZ issuing state.
    pub country: Verdict,
    /// The DSC's subject (the signer of the SOD).
    pub signer_subject: Option<String>,
    /// The DSC's issuer name.
    pub signer_issuer: Option<String>,
    /// The CSCA that signed the DSC, if found.
    pub csca_subject: Option<String>,
    /// The hash algorithm of the data group hashes.
    pub hash_algorithm: Option<HashAlgorithm>,
    /// The CRL the revocation check used: the newest verified CRL of the DSC's CSCA, if any.
    pub crl: Option<CrlReport>,
}

impl PassiveAuthReport {
    /// All verdicts in order: structure, signature, chain, DSC validity, revocation, country.
    pub fn verdicts(&self) -> [&Verdict; 6] {
        [
            &self.structure,
            &self.signature,
            &self.chain,
            &self.dsc_validity,
            &self.revocation,
            &self.country,
        ]
    }

    /// True when no verdict is Invalid.
    pub fn passed(&self) -> bool {
        self.verdicts()
            .iter()
            .all(|c| c.status != CheckStatus::Invalid)
    }

    /// The report's checks for an EF.SOD: signature, DSC chain, DSC validity, revocation and issuing
    /// country (the structure is the document's [`CheckId::SodStructure`] check).
    pub fn sod_checks(&self) -> Vec<Check> {
        vec![
            Check::new(CheckId::SodSignature, self.signature.clone()),
            Check::new(CheckId::DscChain, self.chain.clone()),
            Check::new(CheckId::DscValidity, self.dsc_validity.clone()),
            Check::new(CheckId::DscRevocation, self.revocation.clone()),
            Check::new(CheckId::IssuingCountry, self.country.clone()),
        ]
    }

    /// One verdict for the whole object, as for EF.CardSecurity: invalid when any aspect failed;
    /// not checked when the structure, signature or chain could not be checked (an unknown signer);
    /// valid with a warning when an aspect has one; valid otherwise. The reason names the signer and CSCA.
    pub fn summary(&self) -> Verdict {
        let named = [
            ("structure", &self.structure),
            ("signature", &self.signature),
            ("signer chain", &self.chain),
            ("signer validity", &self.dsc_validity),
            ("signer revocation", &self.revocation),
            ("country", &self.country),
        ];
        let list = |status: CheckStatus, among: &[(&str, &Verdict)]| -> Vec<String> {
            among
                .iter()
                .filter(|(_, v)| v.status == status)
                .map(|(what, v)| format!("{what}: {}", v.reason))
                .collect()
        };
        let failed = list(CheckStatus::Invalid, &named);
        if !failed.is_empty() {
            return Verdict::invalid(failed.join("; "));
        }
        let essential = &named[..3];
        let missing = list(CheckStatus::NotChecked, essential);
        if !missing.is_empty() {
            return Verdict::not_checked(missing.join("; "));
        }
        let mut parts = vec![
            format!("signature: {}", self.signature.reason),
            format!("signer chain: {}", self.chain.reason),
        ];
        parts.extend(list(CheckStatus::ValidWithWarning, &named[3..]));
        let reason = parts.join("; ");
        if named
            .iter()
            .any(|(_, v)| v.status == CheckStatus::ValidWithWarning)
        {
            Verdict::valid_with_warning(reason)
        } else {
            Verdict::valid(reason)
        }
    }
}

fn not_checked(why: &str) -> Verdict {
    Verdict::not_checked(why)
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
        structure: Verdict::new(CheckStatus::Valid, ""),
        signature: not_checked("EF.SOD could not be decoded"),
        chain: not_checked("EF.SOD could not be decoded"),
        chain_outcome: ChainOutcome::NotChecked,
        dsc_validity: not_checked("EF.SOD could not be decoded"),
        revocation: not_checked("EF.SOD could not be decoded"),
        country: not_checked("EF.SOD could not be decoded"),
        signer_subject: None,
        signer_issuer: None,
        csca_subject: None,
        hash_algorithm: None,
        crl: None,
    };
    match Sod::parse(sod_bytes) {
        Ok(sod) => verify_parsed_sod(&sod, store, at, issuing_state),
        Err(e) => {
            report.structure = Verdict::new(CheckStatus::Invalid, e.to_string());
            report
        }
    }
}

/// [`verify_sod`] of an EF.SOD already parsed (a document parses its EF.SOD once).
pub fn verify_parsed_sod(
    sod: &Sod,
    store: &TrustStore,
    at: Time,
    issuing_state: Option<&str>,
) -> PassiveAuthReport {
    let report = PassiveAuthReport {
        structure: Verdict::new(
            CheckStatus::Valid,
            format!(
                "LDSSecurityObject v{} with {} hashes of DG {}",
                sod.version,
                sod.hash_algorithm,
                sod.data_group_hashes
                    .keys()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        signature: not_checked("EF.SOD could not be decoded"),
        chain: not_checked("EF.SOD could not be decoded"),
        chain_outcome: ChainOutcome::NotChecked,
        dsc_validity: not_checked("EF.SOD could not be decoded"),
        revocation: not_checked("EF.SOD could not be decoded"),
        country: not_checked("EF.SOD could not be decoded"),
        signer_subject: None,
        signer_issuer: None,
        csca_subject: None,
        hash_algorithm: Some(sod.hash_algorithm),
        crl: None,
    };
    verify_signer(
        report,
        &sod.signed_data,
        sod.hash_algorithm == HashAlgorithm::Sha1,
        store,
        at,
        issuing_state,
    )
}

/// id-SecurityObject (BSI TR-03110-3, 0.4.0.127.0.7.3.2.1): the eContentType of EF.CardSecurity.
pub const ID_SECURITY_OBJECT: crate::asn1::ObjectIdentifier =
    crate::asn1::ObjectIdentifier::new_unwrap("0.4.0.127.0.7.3.2.1");

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
        structure: Verdict::new(CheckStatus::Valid, "CMS SignedData"),
        signature: not_checked("not decoded"),
        chain: not_checked("not decoded"),
        chain_outcome: ChainOutcome::NotChecked,
        dsc_validity: not_checked("not decoded"),
        revocation: not_checked("not decoded"),
        country: not_checked("not decoded"),
        signer_subject: None,
        signer_issuer: None,
        csca_subject: None,
        hash_algorithm: None,
        crl: None,
    };
    match super::cms::SignedData::from_content_info(content_info) {
        Ok(sd) if sd.content_type != ID_SECURITY_OBJECT => {
            report.structure = Verdict::new(
                CheckStatus::Invalid,
                format!(
                    "eContentType {} is not id-SecurityObject ({ID_SECURITY_OBJECT})",
                    sd.content_type
                ),
            );
            (report, Some(sd))
        }
        Ok(sd) => {
            let report = verify_signer(report, &sd, false, store, at, issuing_state);
            (report, Some(sd))
        }
        Err(e) => {
            report.structure = Verdict::new(CheckStatus::Invalid, e.to_string());
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
        report.signature = Verdict::new(CheckStatus::Invalid, "SignedData has no SignerInfo");
        return report;
    };
    // Each certificate is parsed once per store: the store keeps the DSCs it has seen.
    let mut entries = Vec::new();
    let mut cert_errors = Vec::new();
    for (i, raw) in sd.certificates.iter().enumerate() {
        match store.document_signer(raw) {
            Ok(c) => entries.push(c),
            Err(e) => cert_errors.push(format!("certificate {i}: {e}")),
        }
    }
    let entry = entries
        .iter()
        .find(|e| signer_matches(si, &e.certificate))
        .cloned()
        .or_else(|| {
            // A SOD without its DSC: one loaded into the store (a DSC bundle, the PKD).
            store
                .find_document_signer(&si.sid)
                .and_then(|c| store.document_signer(&c.raw).ok())
        });
    let Some(entry) = entry else {
        let why = if cert_errors.is_empty() {
            "the signer's certificate (DSC) is not in the SOD".to_string()
        } else {
            format!(
                "the signer's certificate (DSC) is not usable: {}",
                cert_errors.join("; ")
            )
        };
        report.signature = Verdict::new(CheckStatus::NotChecked, why.clone());
        report.chain = not_checked(&why);
        report.dsc_validity = not_checked(&why);
        report.revocation = not_checked(&why);
        report.country = not_checked(&why);
        return report;
    };
    let dsc = &entry.certificate;
    // Chain to a CSCA and the certificates' profiles (ICAO 9303-12): computed once per DSC and store.
    let chain = store.chain_report(&entry);
    report.chain_outcome = chain.outcome;
    report.chain = chain.chain.clone();
    report.csca_subject = chain.csca_subject.clone();
    report.signer_subject = Some(chain.signer_subject.clone());
    report.signer_issuer = Some(chain.signer_issuer.clone());
    let csca: Option<&TrustAnchor> = chain.verdict.csca.and_then(|i| store.anchor(i));

    // The DSC's key is decoded once per store and DSC.
    let verified = match entry.verifying_key() {
        Ok(key) => verify_signer_info_with(sd, si, key),
        Err(e) => Err(e.to_string()),
    };
    report.signature = match verified {
        Ok(how) => {
            let weak = if how.contains("SHA-1") || weak_hash {
                " (SHA-1 is a weak hash)"
            } else {
                ""
            };
            Verdict::new(
                CheckStatus::Valid,
                format!("{how}, by {}{weak}", chain.signer_subject),
            )
        }
        Err(why) => Verdict::new(CheckStatus::Invalid, why),
    };

    // DSC validity: an expired DSC is normal for a document issued during its validity.
    report.dsc_validity = if at < dsc.not_before {
        Verdict::new(
            CheckStatus::Invalid,
            format!(
                "DSC not valid before {} (reference time {at})",
                dsc.not_before
            ),
        )
    } else if at > dsc.not_after {
        Verdict::new(
            CheckStatus::ValidWithWarning,
            format!(
                "DSC expired on {} (documents signed while it was valid remain valid until their own expiry)",
                dsc.not_after
            ),
        )
    } else {
        Verdict::new(
            CheckStatus::Valid,
            format!("valid {} to {}", dsc.not_before, dsc.not_after),
        )
    };

    (report.revocation, report.crl) = check_revocation(dsc, &chain.signer_issuer, store, at);
    report.country = check_country(dsc, csca.map(|a| &a.certificate), issuing_state);
    report
}

/// Revocation of `dsc` (whose issuer reads `issuer`) by the store's CRLs from its issuer (ICAO 9303-12
/// §4.1.5, Appendix D.1.2): every CRL of that CSCA name whose signature a trusted key of that name verifies
/// is consulted, whichever of the CSCA's keys signed it (after a key rollover the CRL is signed with the
/// newest key and covers the certificates of the earlier ones); a listing in any of them revokes (an
/// entry whose reasonCode is removeFromCRL excepted). Not listed: valid, named by the newest of them,
/// with a warning when its nextUpdate has passed. A CRL no trusted key verifies is never used; without a
/// verified CRL the check is not made. Also returns the CRL the verdict names.
fn check_revocation(
    dsc: &Certificate,
    issuer: &str,
    store: &TrustStore,
    at: Time,
) -> (Verdict, Option<CrlReport>) {
    let crls: Vec<_> = store.crls_issued_by(&dsc.issuer).collect();
    if crls.is_empty() {
        return (
            not_checked(&format!("no CRL from {issuer} in the trust store")),
            None,
        );
    }
    let (verified, unverified): (Vec<_>, Vec<_>) = crls.into_iter().partition(|c| c.is_verified());
    let Some(newest) = verified.iter().max_by_key(|c| c.crl.this_update) else {
        let listed = if unverified
            .iter()
            .any(|c| c.revocation_of(&dsc.serial).is_some())
        {
            " (one of them lists this DSC)"
        } else {
            ""
        };
        return (
            not_checked(&format!(
                "{} CRL(s) of {issuer} loaded, but no trusted key of that CSCA verifies their signature: \
                 not used{listed}",
                unverified.len()
            )),
            None,
        );
    };
    let used = |stored: &StoredCrl| CrlReport {
        issuer: stored.crl.issuer.to_string(),
        this_update: stored.crl.this_update.to_string(),
        next_update: stored.crl.next_update.map(|t| t.to_string()),
        source: stored.source.clone(),
        expired: stored.crl.next_update.is_some_and(|n| n < at),
        consulted: verified.len(),
    };
    let revocation = verified
        .iter()
        .filter_map(|c| c.revocation_of(&dsc.serial).map(|entry| (c, entry)))
        .find(|(_, entry)| !entry.is_remove_from_crl());
    if let Some((crl, entry)) = revocation {
        return (
            Verdict::invalid(format!(
                "DSC serial {} revoked on {} by the CRL of {} issued {} ({})",
                dsc.serial_hex(),
                entry.revocation_date,
                crl.crl.issuer,
                crl.crl.this_update,
                crl.source
            )),
            Some(used(crl)),
        );
    }
    let next = match newest.crl.next_update {
        Some(n) => format!(", next update {n}"),
        None => String::new(),
    };
    let consulted = match verified.len() {
        1 => String::new(),
        n => format!(" (nor on the {} older verified CRL(s))", n - 1),
    };
    let newest_used = used(newest);
    let verdict = if newest_used.expired {
        Verdict::valid_with_warning(format!(
            "not on the newest CRL of {} (issued {}{next}){consulted}, but that CRL expired at its next \
             update: a revocation since then is not known — load a current CRL",
            newest.crl.issuer, newest.crl.this_update
        ))
    } else {
        Verdict::valid(format!(
            "not on the CRL of {} issued {}{next}{consulted}",
            newest.crl.issuer, newest.crl.this_update
        ))
    };
    (verdict, Some(newest_used))
}

fn check_country(
    dsc: &Certificate,
    csca: Option<&Certificate>,
    issuing_state: Option<&str>,
) -> Verdict {
    let Some(state) = issuing_state else {
        return not_checked("no MRZ issuing state given");
    };
    let Some(expected) = alpha2_for_issuing_state(state) else {
        return not_checked(&format!(
            "the MRZ issuing state {state:?} is no ISO 3166 or ICAO 9303-3 code: the signer's country \
             cannot be compared with it"
        ));
    };
    let (country, whose) = match csca {
        Some(c) => (c.subject.country(), "CSCA"),
        None => (dsc.issuer.country(), "DSC issuer (CSCA not found)"),
    };
    match country {
        None => not_checked(&format!(
            "the {whose} name has no country (ICAO 9303-12 §7.1.1.1 requires countryName): it cannot be \
             compared with the issuing state {state}"
        )),
        Some(c) if c.eq_ignore_ascii_case(expected) => {
            let status = if csca.is_some() {
                CheckStatus::Valid
            } else {
                CheckStatus::ValidWithWarning
            };
            Verdict::new(
                status,
                format!("{whose} country {c} matches issuing state {state}"),
            )
        }
        Some(c) => Verdict::new(
            CheckStatus::Invalid,
            format!("{whose} country {c} does not match issuing state {state} ({expected})"),
        ),
    }
}

/// The hash verdict of data group `dg` read as `bytes` against EF.SOD: valid when it matches the hash
/// EF.SOD lists, invalid when it differs — and invalid when EF.SOD does not list the data group at all:
/// its content is not signed, so it must not be presented as the holder's.
pub fn data_group_hash(sod: &Sod, dg: u8, bytes: &[u8]) -> Verdict {
    let algorithm = sod.hash_algorithm.name();
    match sod.check_data_group(dg, bytes) {
        Some(true) => Verdict::valid(format!("{algorithm} matches EF.SOD")),
        Some(false) => Verdict::invalid(format!(
            "{algorithm} of the data read differs from EF.SOD: the data group was altered"
        )),
        None => Verdict::invalid(format!(
            "DG{dg} is not listed in EF.SOD: its content is not signed by the issuer and is not shown as the holder's"
        )),
    }
}

/// Compares the raw bytes of data groups with the hashes listed in the SOD ([`data_group_hash`]): one
/// check per data group given, plus a not-checked one for each data group the SOD lists that was not
/// given.
pub fn verify_data_groups(sod: &Sod, data_groups: &[(u8, &[u8])]) -> Vec<Check> {
    let mut out: Vec<Check> = data_groups
        .iter()
        .map(|(dg, bytes)| Check::new(CheckId::DgHash(*dg), data_group_hash(sod, *dg, bytes)))
        .collect();
    for dg in sod.data_group_hashes.keys() {
        if !data_groups.iter().any(|(d, _)| d == dg) {
            let reason = match dg {
                3 | 4 => "not read: needs Terminal Authentication (EAC)",
                _ => "listed in EF.SOD but not read",
            };
            out.push(Check::not_checked(CheckId::DgHash(*dg), reason));
        }
    }
    out
}
