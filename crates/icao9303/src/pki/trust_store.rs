//! The trust store of a verification service: CSCA certificates (from master lists, certificate files,
//! directories, the ICAO PKD's LDIF downloads), Document Signer certificates (DSC bundles, the PKD) and
//! CRLs, indexed so that finding a DSC's issuer costs the same however many anchors are loaded.
//!
//! A store is built once with a [`TrustStoreBuilder`], which reports what it loaded and rejected
//! ([`LoadReport`]), and is immutable afterwards: it is `Send + Sync` and meant to be shared behind an
//! `Arc` by every thread of a service. Reloading is building a new store. What does not depend on the
//! document is computed once per store: each CRL's signature is verified when the store is built, and each
//! DSC met in a document is parsed and checked against its CSCA once ([`TrustStore::document_signer`],
//! [`TrustStore::chain`]); a DSC's validity and revocation are still judged at each document's date.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use sha2::{Digest, Sha256};

use crate::asn1::Mode;

use super::certificate::{
    Certificate, CertificateError, KeyUsage, Name, NameKey, Time, certificates_from_der_or_pem,
};
use super::cms::SignerIdentifier;
use super::crl::{Crl, RevokedCertificate};
use super::ldif::{self, PkdObject};
use super::master_list::MasterList;
use super::policy::{self, Role};
use super::signature::{SignatureError, TableBudget, VerifyingKey};
use super::{PkiError, find_signer, verify_certificate_signature, verify_signer_info};
use crate::report::{CheckStatus, Verdict};

/// The outcome of the DSC → CSCA chain check, keeping "unknown issuer" apart from "invalid".
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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

/// A trusted CSCA (or link) certificate and where it came from.
#[derive(Debug, Clone)]
pub struct TrustAnchor {
    /// The certificate.
    pub certificate: Certificate,
    /// Where it came from (file name, master list name).
    pub source: String,
    /// It came from a master list accepted without verifying its signer.
    pub unverified_list: bool,
    /// It is a test anchor (e.g. the emulator's CSCA), not a real state's CSCA.
    pub test_anchor: bool,
}

/// What adding a master list did.
#[derive(Debug, Clone)]
pub struct MasterListSummary {
    /// Certificates in the list.
    pub certificates: usize,
    /// Certificates newly added to the store (duplicates are skipped).
    pub added: usize,
    /// List entries that could not be parsed.
    pub rejected: Vec<String>,
    /// The list signer's subject.
    pub signer: String,
    /// How the signer was verified (signature scheme, root), or why it was accepted unverified.
    pub verification: String,
    /// Whether the list signature and signer chain were verified.
    pub verified: bool,
}

/// What loading a file, a directory or an LDIF download did.
#[derive(Debug, Clone, Default)]
pub struct PathSummary {
    /// CSCA certificates added (from certificate files and master lists).
    pub certificates: usize,
    /// Document Signer certificates added.
    pub document_signers: usize,
    /// CRLs added.
    pub crls: usize,
    /// Master lists whose certificates were added.
    pub master_lists: usize,
    /// Master lists accepted without verifying their signer ([`TrustStoreBuilder::accept_unverified_lists`]),
    /// with why their signer could not be verified.
    pub unverified_lists: Vec<String>,
    /// What could not be used, with the reason.
    pub errors: Vec<String>,
}

/// What a [`TrustStoreBuilder`] loaded, anchored and rejected, one line per file, list, certificate or
/// LDIF record (the `trust` section of a report).
pub use crate::report::LoadReport;

/// A CRL in the store, with what was established about it when the store was built.
#[derive(Debug, Clone)]
pub struct StoredCrl {
    /// The CRL.
    pub crl: Crl,
    /// Where it came from.
    pub source: String,
    /// Indices (into [`TrustStore::anchors`]) of the trusted CSCA keys of the CRL's issuer name (anchors
    /// from unverified master lists left out) that verify the CRL's signature.
    verified_by: Vec<usize>,
    /// Revoked serial numbers (leading zero bytes stripped) to their entry in `crl.revoked`.
    revoked: HashMap<Vec<u8>, usize>,
}

impl StoredCrl {
    /// Whether the anchor at `anchor` (an index into [`TrustStore::anchors`]) signed this CRL.
    pub fn is_signed_by(&self, anchor: usize) -> bool {
        self.verified_by.contains(&anchor)
    }

    /// Whether a trusted key of the CRL's issuer (any of them: after a CSCA key rollover the CRL is
    /// signed with the newest key, ICAO 9303-12 §4.1.5) verifies its signature. An unverified CRL is never
    /// used for revocation.
    pub fn is_verified(&self) -> bool {
        !self.verified_by.is_empty()
    }

    /// The entry revoking the certificate with serial number `serial` (INTEGER content bytes), if any.
    pub fn revocation_of(&self, serial: &[u8]) -> Option<&RevokedCertificate> {
        self.revoked
            .get(strip_zeros(serial))
            .and_then(|i| self.crl.revoked.get(*i))
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[start..]
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The result of checking a DSC against the CSCAs of a store: computed once per DSC and store.
#[derive(Debug, Clone)]
pub struct ChainVerdict {
    /// Valid (a CSCA verifies the DSC), Invalid (CSCAs with the issuer's name exist, none verifies) or
    /// UnknownIssuer (no CSCA has the DSC's issuer name).
    pub outcome: ChainOutcome,
    /// The CSCA that signed the DSC: an index into [`TrustStore::anchors`].
    pub csca: Option<usize>,
    /// How the DSC's signature was verified ("ECDSA with SHA-256 (EC P-256)"), when it was.
    pub scheme: Option<String>,
    /// Why each CSCA with the issuer's name failed to verify the DSC (empty when one verified it).
    pub failures: Vec<String>,
    /// How many CSCAs carry the DSC's issuer name.
    pub candidates: usize,
}

/// What passive authentication reports about a DSC's chain in a store, with the names it prints: the chain
/// verdict explained (the CSCA, how it signed, the ICAO 9303-12 profile findings of both certificates).
/// It depends on the DSC and the store only, so it is made once per DSC and store
/// ([`TrustStore::chain_report`]); what depends on a document's date or issuing state is not in it.
#[derive(Debug, Clone)]
pub struct ChainReport {
    /// The chain verdict it explains.
    pub verdict: ChainVerdict,
    /// The outcome reported: the verdict's, or Invalid when a certificate's profile forbids its use.
    pub outcome: ChainOutcome,
    /// The chain check of the report.
    pub chain: Verdict,
    /// The CSCA's subject, when a CSCA signed the DSC.
    pub csca_subject: Option<String>,
    /// The DSC's subject.
    pub signer_subject: String,
    /// The DSC's issuer.
    pub signer_issuer: String,
}

/// A Document Signer certificate met in a document (or loaded into the store), parsed once and kept by the
/// store with its chain verdict, which is computed on first use.
#[derive(Debug)]
pub struct DscEntry {
    /// The parsed certificate.
    pub certificate: Certificate,
    store_id: u64,
    chain: OnceLock<ChainVerdict>,
    report: OnceLock<ChainReport>,
    key: OnceLock<Result<VerifyingKey, SignatureError>>,
    /// The store's budget of EC keys with comb tables.
    tables: TableBudget,
}

impl DscEntry {
    fn new(certificate: Certificate, store_id: u64, tables: TableBudget) -> Self {
        DscEntry {
            certificate,
            store_id,
            chain: OnceLock::new(),
            report: OnceLock::new(),
            key: OnceLock::new(),
            tables,
        }
    }

    /// The DSC's public key, decoded on first use and kept (RSA Montgomery parameters, the EC point on
    /// its curve, comb tables from its second use within the store's budget): verifying a document's
    /// signature then starts from the ready key.
    pub fn verifying_key(&self) -> Result<&VerifyingKey, &SignatureError> {
        self.key
            .get_or_init(|| {
                VerifyingKey::from_spki(&self.certificate.public_key)
                    .map(|key| key.with_table_budget(&self.tables))
            })
            .as_ref()
    }
}

/// Shards of the DSC cache (a DSC's SHA-256 picks its shard), so that threads rarely wait on each other.
const SHARDS: usize = 16;
/// Default number of DSCs the cache keeps (a shard is emptied when it is full).
const DEFAULT_CACHE_CAPACITY: usize = 16_384;
/// Default number of DSC keys with ECDSA comb tables at a time (16–32 KB each: at most 64 MB).
const DEFAULT_TABLE_BUDGET: usize = 2_048;

/// The concurrent DSC cache: SHA-256 of the DSC's encoding to its entry. Bounded: a full shard is cleared,
/// so documents carrying ever new (or forged) DSCs cannot grow it without limit.
#[derive(Debug)]
struct DscCache {
    shards: Vec<RwLock<HashMap<[u8; 32], Arc<DscEntry>>>>,
    per_shard: usize,
}

impl DscCache {
    fn new(capacity: usize) -> Self {
        DscCache {
            shards: (0..SHARDS).map(|_| RwLock::new(HashMap::new())).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
        }
    }

    fn shard(&self, digest: &[u8; 32]) -> Option<&RwLock<HashMap<[u8; 32], Arc<DscEntry>>>> {
        self.shards.get(usize::from(digest[0]) % SHARDS)
    }

    fn get(&self, digest: &[u8; 32], der: &[u8]) -> Option<Arc<DscEntry>> {
        let shard = self.shard(digest)?;
        let map = shard.read().unwrap_or_else(PoisonError::into_inner);
        map.get(digest)
            .filter(|e| e.certificate.raw == der)
            .cloned()
    }

    fn insert(&self, digest: [u8; 32], entry: Arc<DscEntry>) -> Arc<DscEntry> {
        let Some(shard) = self.shard(&digest) else {
            return entry;
        };
        let mut map = shard.write().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= self.per_shard && !map.contains_key(&digest) {
            map.clear();
        }
        map.entry(digest).or_insert(entry).clone()
    }

    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }
}

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

/// CSCAs, Document Signers and CRLs that documents are checked against, indexed by subject name and key
/// identifier. Built with [`TrustStore::builder`]; immutable and shareable between threads once built.
#[derive(Debug)]
pub struct TrustStore {
    id: u64,
    anchors: Vec<TrustAnchor>,
    by_subject: HashMap<NameKey, Vec<usize>>,
    by_key_id: HashMap<Vec<u8>, Vec<usize>>,
    /// How many trusted anchors (not from unverified lists) each country (`C=`, upper case) has.
    by_country: HashMap<String, usize>,
    document_signers: Vec<Certificate>,
    dsc_by_issuer_serial: HashMap<(NameKey, Vec<u8>), usize>,
    dsc_by_key_id: HashMap<Vec<u8>, usize>,
    crls: Vec<StoredCrl>,
    crls_by_issuer: HashMap<NameKey, Vec<usize>>,
    report: LoadReport,
    cache: DscCache,
    tables: TableBudget,
}

impl Default for TrustStore {
    fn default() -> Self {
        TrustStoreBuilder::default().build()
    }
}

impl TrustStore {
    /// An empty store: signatures are still verified, every chain ends at an unknown issuer.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder to load anchors, DSCs and CRLs into a new store.
    pub fn builder() -> TrustStoreBuilder {
        TrustStoreBuilder::default()
    }

    /// The trusted certificates (CSCAs and link certificates).
    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }

    /// How many more cached DSC keys may build ECDSA comb tables now
    /// ([`TrustStoreBuilder::ecdsa_table_budget`]): for monitoring a service's memory.
    pub fn ecdsa_table_slots_free(&self) -> usize {
        self.tables.free()
    }

    /// The anchor at `index` (as a [`ChainVerdict`] names it).
    pub fn anchor(&self, index: usize) -> Option<&TrustAnchor> {
        self.anchors.get(index)
    }

    /// The anchors whose subject matches `name` (RDN order, case and spacing ignored), with their indices:
    /// a hash look-up, independent of the number of anchors.
    pub fn anchors_named(&self, name: &Name) -> impl Iterator<Item = (usize, &TrustAnchor)> {
        self.by_subject
            .get(&name.key())
            .into_iter()
            .flatten()
            .filter_map(|i| self.anchors.get(*i).map(|a| (*i, a)))
    }

    /// The anchors whose subjectKeyIdentifier is `key_id`, with their indices.
    pub fn anchors_with_key_id(
        &self,
        key_id: &[u8],
    ) -> impl Iterator<Item = (usize, &TrustAnchor)> {
        self.by_key_id
            .get(key_id)
            .into_iter()
            .flatten()
            .filter_map(|i| self.anchors.get(*i).map(|a| (*i, a)))
    }

    /// How many trusted anchors (anchors from master lists accepted unverified left out) carry the country
    /// `alpha2` (`C=`, compared case-insensitively).
    pub fn anchors_of_country(&self, alpha2: &str) -> usize {
        self.by_country
            .get(&alpha2.to_ascii_uppercase())
            .copied()
            .unwrap_or(0)
    }

    /// The Document Signer certificates loaded (DSC bundles, the PKD), for documents whose EF.SOD does not
    /// carry its DSC.
    pub fn document_signers(&self) -> &[Certificate] {
        &self.document_signers
    }

    /// The loaded DSC a SignerInfo names (issuer and serial number, or subject key identifier), if any.
    pub fn find_document_signer(&self, sid: &SignerIdentifier) -> Option<&Certificate> {
        let index = match sid {
            SignerIdentifier::IssuerAndSerialNumber { issuer, serial } => {
                let issuer = Mode::Ber
                    .parse_exact(issuer)
                    .ok()
                    .and_then(|e| Name::parse(&e).ok())?;
                self.dsc_by_issuer_serial
                    .get(&(issuer.key(), strip_zeros(serial).to_vec()))?
            }
            SignerIdentifier::SubjectKeyIdentifier(id) => self.dsc_by_key_id.get(id)?,
        };
        self.document_signers.get(*index)
    }

    /// The CRLs.
    pub fn crls(&self) -> &[StoredCrl] {
        &self.crls
    }

    /// The CRLs whose issuer matches `issuer`.
    pub fn crls_issued_by(&self, issuer: &Name) -> impl Iterator<Item = &StoredCrl> {
        self.crls_by_issuer
            .get(&issuer.key())
            .into_iter()
            .flatten()
            .filter_map(|i| self.crls.get(*i))
    }

    /// What the builder loaded and rejected.
    pub fn load_report(&self) -> &LoadReport {
        &self.report
    }

    /// Number of DSCs in the cache (for tests and monitoring).
    pub fn cached_document_signers(&self) -> usize {
        self.cache.len()
    }

    /// The parsed DSC for its encoding `der`: parsed on first sight, then served from the store's cache
    /// (keyed by SHA-256 of `der`; bounded). A certificate that cannot be parsed is an error and not kept.
    pub fn document_signer(&self, der: &[u8]) -> Result<Arc<DscEntry>, CertificateError> {
        let digest = sha256(der);
        if let Some(entry) = self.cache.get(&digest, der) {
            return Ok(entry);
        }
        let entry = Arc::new(DscEntry::new(
            Certificate::from_der(der)?,
            self.id,
            self.tables.clone(),
        ));
        Ok(self.cache.insert(digest, entry))
    }

    /// The chain verdict of a DSC: which CSCA of the store verifies its signature. Computed once per DSC
    /// for entries from this store's [`TrustStore::document_signer`] and reused (other threads asking
    /// meanwhile wait for the first computation rather than repeating it).
    pub fn chain<'a>(&self, entry: &'a DscEntry) -> std::borrow::Cow<'a, ChainVerdict> {
        if entry.store_id == self.id {
            std::borrow::Cow::Borrowed(
                entry
                    .chain
                    .get_or_init(|| self.compute_chain(&entry.certificate)),
            )
        } else {
            std::borrow::Cow::Owned(self.compute_chain(&entry.certificate))
        }
    }

    /// The chain of a DSC explained for a report ([`ChainReport`]): made once per DSC for entries from this
    /// store's [`TrustStore::document_signer`] and reused, like [`TrustStore::chain`].
    pub fn chain_report<'a>(&self, entry: &'a DscEntry) -> std::borrow::Cow<'a, ChainReport> {
        if entry.store_id == self.id {
            std::borrow::Cow::Borrowed(
                entry
                    .report
                    .get_or_init(|| self.explain_chain(&entry.certificate, &self.chain(entry))),
            )
        } else {
            let verdict = self.compute_chain(&entry.certificate);
            std::borrow::Cow::Owned(self.explain_chain(&entry.certificate, &verdict))
        }
    }

    /// The chain check's verdict and reason for `dsc` with its chain `verdict`, and the profile findings of
    /// the DSC and its CSCA.
    fn explain_chain(&self, dsc: &Certificate, verdict: &ChainVerdict) -> ChainReport {
        let csca: Option<&TrustAnchor> = verdict.csca.and_then(|i| self.anchor(i));
        let (mut outcome, mut chain) = match csca {
            Some(anchor) => {
                let c = &anchor.certificate;
                let how = verdict.scheme.clone().unwrap_or_default();
                let mut status = CheckStatus::Valid;
                let mut notes = Vec::new();
                if anchor.test_anchor {
                    notes.push("the CSCA is a test anchor".to_string());
                    status = CheckStatus::ValidWithWarning;
                }
                if !c.is_self_issued() {
                    notes.push(format!(
                        "the CSCA certificate is a link certificate issued by {}",
                        c.issuer
                    ));
                }
                if dsc.not_before < c.not_before {
                    notes.push(format!(
                        "the DSC's validity begins ({}) before its CSCA certificate's ({}): a CSCA key signs \
                         within its certificate's validity (ICAO 9303-12 §4.1.4)",
                        dsc.not_before, c.not_before
                    ));
                    status = CheckStatus::ValidWithWarning;
                }
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
                if dsc.not_before > c.not_after {
                    // ICAO 9303-12 §4.1.4.1: a CSCA certificate is valid for its key's usage period plus the
                    // lifetime of what that key signs, so every DSC is issued while it is valid.
                    (
                        ChainOutcome::Invalid,
                        Verdict::invalid(format!(
                            "the DSC's validity begins ({}) after the certificate of the CSCA that signed it \
                             expired ({}): a CSCA certificate outlives every certificate its key issues \
                             (ICAO 9303-12 §4.1.4), so this DSC was not issued under a valid CSCA \
                             certificate; {reason}",
                            dsc.not_before, c.not_after
                        )),
                    )
                } else if anchor.unverified_list {
                    (
                        ChainOutcome::Valid,
                        Verdict::not_checked(format!(
                            "{reason}; but that CSCA comes from a master list accepted without verifying its \
                             signer, so it is not a trust anchor a verdict can rest on"
                        )),
                    )
                } else {
                    (ChainOutcome::Valid, Verdict::new(status, reason))
                }
            }
            None if verdict.candidates == 0 => (
                ChainOutcome::UnknownIssuer,
                Verdict::new(CheckStatus::NotChecked, self.unknown_issuer(dsc)),
            ),
            None => (
                ChainOutcome::Invalid,
                Verdict::new(
                    CheckStatus::Invalid,
                    format!(
                        "DSC signature does not verify with any of the {} CSCA(s) named {}: {}",
                        verdict.candidates,
                        dsc.issuer,
                        verdict.failures.join("; ")
                    ),
                ),
            ),
        };

        // The certificates' profiles (ICAO 9303-12): each may be used in the role it is relied on in.
        let mut findings = policy::check(dsc, Role::DocumentSigner);
        if let Some(anchor) = csca {
            let c = policy::check(&anchor.certificate, Role::Csca);
            findings.failures.extend(c.failures);
            findings.warnings.extend(c.warnings);
        }
        if !findings.passed() {
            outcome = ChainOutcome::Invalid;
            chain = Verdict::new(
                CheckStatus::Invalid,
                format!(
                    "{} (ICAO 9303-12 certificate profile); {}",
                    findings.failures.join("; "),
                    chain.reason
                ),
            );
        } else if !findings.warnings.is_empty() && chain.is_valid() {
            chain = Verdict::new(
                CheckStatus::ValidWithWarning,
                format!("{}; {}", chain.reason, findings.warnings.join("; ")),
            );
        }
        ChainReport {
            verdict: verdict.clone(),
            outcome,
            chain,
            csca_subject: csca.map(|a| a.certificate.subject.to_string()),
            signer_subject: dsc.subject.to_string(),
            signer_issuer: dsc.issuer.to_string(),
        }
    }

    /// Why no anchor is the DSC's issuer, saying whether anchors for the issuer's country are loaded (then
    /// the signer is not one of that state's trusted CSCAs) or none are (then they are what is missing).
    fn unknown_issuer(&self, dsc: &Certificate) -> String {
        let issuer = &dsc.issuer;
        match issuer.country() {
            Some(country) => {
                let country = country.to_ascii_uppercase();
                match self.anchors_of_country(&country) {
                    0 => format!(
                        "unknown issuer: no CSCA named {issuer} in the trust store ({} anchors, none for \
                         {country}): the trust anchors of {country} (its CSCA certificates or a master list \
                         holding them) are needed",
                        self.anchors.len()
                    ),
                    n => format!(
                        "unknown issuer: trust anchors for {country} are loaded ({n} CSCA certificate(s)) and \
                         none of them signed this DSC: its issuer {issuer} is not a CSCA you trust"
                    ),
                }
            }
            None => format!(
                "unknown issuer: no CSCA named {issuer} in the trust store ({} anchors; the name has no \
                 country)",
                self.anchors.len()
            ),
        }
    }

    /// Finds the CSCA that signed `dsc` among the anchors named as its issuer, trying first the one whose
    /// subject key identifier the DSC's authority key identifier names. Of several anchors whose key
    /// verifies the DSC (one key re-certified), the one whose validity holds the DSC's start is taken.
    fn compute_chain(&self, dsc: &Certificate) -> ChainVerdict {
        let mut named: Vec<usize> = self.anchors_named(&dsc.issuer).map(|(i, _)| i).collect();
        named.sort_by_key(|i| {
            let hit = dsc.authority_key_id.is_some()
                && self
                    .anchors
                    .get(*i)
                    .is_some_and(|a| a.certificate.subject_key_id == dsc.authority_key_id);
            !hit
        });
        let mut failures = Vec::new();
        let mut signer = None;
        for i in &named {
            let Some(anchor) = self.anchors.get(*i) else {
                continue;
            };
            match verify_certificate_signature(dsc, &anchor.certificate) {
                Ok(how) => {
                    let covers = anchor.certificate.is_valid_at(dsc.not_before);
                    if signer.is_none() || covers {
                        signer = Some((*i, how));
                    }
                    if covers {
                        break;
                    }
                }
                Err(e) => failures.push(e),
            }
        }
        if let Some((i, how)) = signer {
            return ChainVerdict {
                outcome: ChainOutcome::Valid,
                csca: Some(i),
                scheme: Some(how),
                failures: Vec::new(),
                candidates: named.len(),
            };
        }
        ChainVerdict {
            outcome: if named.is_empty() {
                ChainOutcome::UnknownIssuer
            } else {
                ChainOutcome::Invalid
            },
            csca: None,
            scheme: None,
            failures,
            candidates: named.len(),
        }
    }
}

/// Loads CSCAs, DSCs, CRLs, master lists and LDIF downloads, then [`TrustStoreBuilder::build`]s an immutable
/// [`TrustStore`]. Duplicates (same encoding) are skipped and counted.
#[derive(Debug)]
pub struct TrustStoreBuilder {
    anchors: Vec<TrustAnchor>,
    anchor_digests: HashSet<[u8; 32]>,
    by_subject: HashMap<NameKey, Vec<usize>>,
    document_signers: Vec<Certificate>,
    dsc_digests: HashSet<[u8; 32]>,
    crls: Vec<(Crl, String)>,
    crl_digests: HashSet<[u8; 32]>,
    report: LoadReport,
    accept_unverified_lists: bool,
    cache_capacity: usize,
    table_budget: usize,
}

impl Default for TrustStoreBuilder {
    fn default() -> Self {
        TrustStoreBuilder {
            anchors: Vec::new(),
            anchor_digests: HashSet::new(),
            by_subject: HashMap::new(),
            document_signers: Vec::new(),
            dsc_digests: HashSet::new(),
            crls: Vec::new(),
            crl_digests: HashSet::new(),
            report: LoadReport::default(),
            accept_unverified_lists: false,
            cache_capacity: DEFAULT_CACHE_CAPACITY,
            table_budget: DEFAULT_TABLE_BUDGET,
        }
    }
}

impl TrustStoreBuilder {
    /// Master lists met by [`add_path`](Self::add_path) or [`add_ldif`](Self::add_ldif) whose signer cannot
    /// be verified are added anyway, their anchors flagged (chains to them are reported with a warning),
    /// instead of being rejected.
    pub fn accept_unverified_lists(&mut self, accept: bool) -> &mut Self {
        self.accept_unverified_lists = accept;
        self
    }

    /// How many DSCs the built store keeps parsed with their chain verdicts (default 16,384).
    pub fn dsc_cache_capacity(&mut self, capacity: usize) -> &mut Self {
        self.cache_capacity = capacity;
        self
    }

    /// How many cached DSC keys may hold ECDSA comb tables at a time (default 2,048; 16–32 KB each). A
    /// key beyond it verifies without tables, several times slower, until a slot is given back.
    pub fn ecdsa_table_budget(&mut self, keys: usize) -> &mut Self {
        self.table_budget = keys;
        self
    }

    /// The anchors loaded so far.
    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }

    fn push_anchor(&mut self, anchor: TrustAnchor) -> bool {
        if !self.anchor_digests.insert(sha256(&anchor.certificate.raw)) {
            self.report.duplicates += 1;
            return false;
        }
        self.by_subject
            .entry(anchor.certificate.subject.key())
            .or_default()
            .push(self.anchors.len());
        self.anchors.push(anchor);
        true
    }

    fn push_document_signer(&mut self, certificate: Certificate) -> bool {
        if !self.dsc_digests.insert(sha256(&certificate.raw)) {
            self.report.duplicates += 1;
            return false;
        }
        self.document_signers.push(certificate);
        true
    }

    /// Adds CSCA certificates from DER or PEM bytes (PEM may hold several) as trust anchors, as given: the
    /// caller vouches for each (no check beyond decoding; [`add_path`](Self::add_path) is the one that
    /// sniffs files and anchors only self-signed and link CSCA certificates). Returns how many were added.
    pub fn add_certificate(&mut self, der_or_pem: &[u8], source: &str) -> Result<usize, PkiError> {
        self.add_certificates(der_or_pem, source, false)
    }

    /// Adds a test CSCA (such as the emulator's): chains to it are reported with a warning.
    pub fn add_test_anchor(&mut self, der_or_pem: &[u8], source: &str) -> Result<usize, PkiError> {
        self.add_certificates(der_or_pem, source, true)
    }

    fn add_certificates(
        &mut self,
        bytes: &[u8],
        source: &str,
        test_anchor: bool,
    ) -> Result<usize, PkiError> {
        let certs = certificates_from_der_or_pem(bytes).map_err(|error| {
            self.report.rejected.push(format!("{source}: {error}"));
            PkiError::Certificate {
                source_name: source.to_string(),
                error,
            }
        })?;
        let count = certs.len();
        let mut added = 0;
        for certificate in certs {
            let line = format!(
                "{source}: {} (serial {}) anchored as given{}",
                certificate.subject,
                certificate.serial_hex(),
                if test_anchor { " (a test anchor)" } else { "" }
            );
            let anchor = TrustAnchor {
                certificate,
                source: source.to_string(),
                unverified_list: false,
                test_anchor,
            };
            if self.push_anchor(anchor) {
                added += 1;
                self.report.anchored.push(line);
            }
        }
        self.report.loaded.push(format!(
            "{source}: {count} {}certificate(s), {added} new",
            if test_anchor { "test CSCA " } else { "CSCA " }
        ));
        Ok(added)
    }

    /// Adds Document Signer certificates (DER, or PEM holding several: a DSC bundle). They are never trust
    /// anchors: they serve documents whose EF.SOD does not carry its DSC, and are checked against the CSCAs
    /// like any DSC. A CA certificate in the bundle is rejected (listed in the load report), not anchored and
    /// not kept. Returns how many were added.
    pub fn add_document_signers(
        &mut self,
        der_or_pem: &[u8],
        source: &str,
    ) -> Result<usize, PkiError> {
        let certs = certificates_from_der_or_pem(der_or_pem).map_err(|error| {
            self.report.rejected.push(format!("{source}: {error}"));
            PkiError::Certificate {
                source_name: source.to_string(),
                error,
            }
        })?;
        let count = certs.len();
        let mut added = 0;
        for c in certs {
            if is_ca_certificate(&c) {
                self.report.rejected.push(format!(
                    "{source}: {} (serial {}) not used: a CA certificate is not a Document Signer, and a \
                     Document Signer bundle never adds trust anchors",
                    c.subject,
                    c.serial_hex()
                ));
            } else {
                added += usize::from(self.push_document_signer(c));
            }
        }
        self.report.loaded.push(format!(
            "{source}: {count} certificate(s) as Document Signers, {added} new"
        ));
        Ok(added)
    }

    /// Adds a CRL (DER). Its signature is verified against the CSCAs when the store is built.
    pub fn add_crl(&mut self, der: &[u8], source: &str) -> Result<(), PkiError> {
        let crl = Crl::from_der(der).inspect_err(|e| {
            self.report.rejected.push(format!("{source}: {e}"));
        })?;
        self.push_crl(crl, source.to_string());
        Ok(())
    }

    /// Adds the certificates of a master list after verifying it: the list signature with the Master List
    /// Signer certificate inside the list, and that certificate's signature with one of `roots` (DER or PEM
    /// CSCA certificates the user trusts), or with the anchors already loaded when `roots` is empty.
    pub fn add_master_list(
        &mut self,
        bytes: &[u8],
        roots: &[&[u8]],
        source: &str,
    ) -> Result<MasterListSummary, PkiError> {
        let list = MasterList::parse(bytes).inspect_err(|e| {
            self.report.rejected.push(format!("{source}: {e}"));
        })?;
        let mut root_certs = Vec::new();
        for (i, r) in roots.iter().enumerate() {
            let certs = certificates_from_der_or_pem(r).map_err(|error| PkiError::Certificate {
                source_name: format!("master list root {i}"),
                error,
            })?;
            root_certs.extend(certs);
        }
        let verified = if roots.is_empty() {
            self.verify_list_with_anchors(&list)
        } else {
            verify_master_list(&list, |name| {
                root_certs
                    .iter()
                    .filter(|r| r.subject.matches(name))
                    .collect()
            })
        };
        match verified {
            Ok((signer, verification)) => {
                Ok(self.take_list(list, source, signer, verification, true))
            }
            Err(e) => {
                self.report
                    .rejected
                    .push(format!("{source}: master list signer: {e}"));
                Err(PkiError::MasterListSigner(e))
            }
        }
    }

    fn verify_list_with_anchors(&self, list: &MasterList) -> Result<(String, String), String> {
        verify_master_list(list, |name| {
            self.by_subject
                .get(&name.key())
                .into_iter()
                .flatten()
                .filter_map(|i| self.anchors.get(*i))
                .filter(|a| !a.unverified_list)
                .map(|a| &a.certificate)
                .collect()
        })
    }

    /// Adds the certificates of a master list without verifying its signer (the user accepted it as is);
    /// the anchors are flagged and chains to them are reported with a warning.
    pub fn add_master_list_unverified(
        &mut self,
        bytes: &[u8],
        source: &str,
    ) -> Result<MasterListSummary, PkiError> {
        let list = MasterList::parse(bytes).inspect_err(|e| {
            self.report.rejected.push(format!("{source}: {e}"));
        })?;
        Ok(self.take_list(
            list,
            source,
            String::new(),
            "accepted without verification".into(),
            false,
        ))
    }

    fn take_list(
        &mut self,
        list: MasterList,
        source: &str,
        signer: String,
        verification: String,
        verified: bool,
    ) -> MasterListSummary {
        let certificates = list.certificates.len();
        let mut added = 0;
        for certificate in list.certificates {
            let anchor = TrustAnchor {
                certificate,
                source: source.to_string(),
                unverified_list: !verified,
                test_anchor: false,
            };
            added += usize::from(self.push_anchor(anchor));
        }
        self.report.loaded.push(format!(
            "{source}: master list of {certificates} certificate(s), {added} new; {verification}"
        ));
        self.report.anchored.push(if verified {
            format!("{source}: {added} CSCA certificate(s) anchored from the master list ({verification})")
        } else {
            format!(
                "{source}: {added} CSCA certificate(s) from a master list accepted WITHOUT verifying its \
                 signer: documents chaining to them are at best not verified"
            )
        });
        for r in &list.rejected {
            self.report.rejected.push(format!("{source}: {r}"));
        }
        MasterListSummary {
            certificates,
            added,
            rejected: list.rejected,
            signer,
            verification,
            verified,
        }
    }

    /// Verifies `lists` against the anchors, again and again while a pass adds anchors (a list can be
    /// certified by a CSCA another list brings), then accepts the rest unverified (with
    /// [`accept_unverified_lists`](Self::accept_unverified_lists)) or rejects them. Returns the rejected
    /// lists that came from a master list file (`true` beside the list), with why: the caller's error.
    fn settle_master_lists(
        &mut self,
        mut lists: Vec<(MasterList, String, bool)>,
        summary: &mut PathSummary,
    ) -> Vec<String> {
        loop {
            let mut progress = false;
            let mut pending = Vec::new();
            for (list, source, from_file) in lists {
                match self.verify_list_with_anchors(&list) {
                    Ok((signer, how)) => {
                        let s = self.take_list(list, &source, signer, how, true);
                        summary.master_lists += 1;
                        summary.certificates += s.added;
                        progress = true;
                    }
                    Err(_) => pending.push((list, source, from_file)),
                }
            }
            lists = pending;
            if !progress || lists.is_empty() {
                break;
            }
        }
        let mut failed = Vec::new();
        for (list, source, from_file) in lists {
            let why = self
                .verify_list_with_anchors(&list)
                .err()
                .unwrap_or_default();
            if self.accept_unverified_lists {
                let s = self.take_list(
                    list,
                    &source,
                    String::new(),
                    format!("accepted without verification ({why})"),
                    false,
                );
                summary.master_lists += 1;
                summary.certificates += s.added;
                summary.unverified_lists.push(format!("{source}: {why}"));
            } else {
                let line = format!("{source}: master list signer: {why}");
                self.report.rejected.push(line.clone());
                summary.errors.push(line);
                if from_file {
                    failed.push(format!("{source}: {why}"));
                }
            }
        }
        failed
    }

    /// Loads an LDIF download of the ICAO PKD (or any LDIF holding the same attributes): Document Signer
    /// certificates (`userCertificate;binary`), CRLs (`certificateRevocationList;binary`) and master lists
    /// (`pkdMasterListContent`, verified against the anchors loaded, and against the CSCAs of the file's
    /// other master lists once those verify). Records that cannot be used, master lists whose signer does
    /// not verify included, are listed in the summary and the load report; change records other than `add`
    /// are not applied (load a complete download). Nothing in an LDIF download becomes a trust anchor but
    /// the certificates of verified master lists (and, with
    /// [`accept_unverified_lists`](Self::accept_unverified_lists), flagged ones of unverified lists).
    pub fn add_ldif(&mut self, text: &[u8], source: &str) -> PathSummary {
        let mut summary = PathSummary::default();
        let mut lists = Vec::new();
        self.read_ldif(text, source, &mut summary, &mut lists);
        self.settle_master_lists(lists, &mut summary);
        self.ldif_loaded_line(source, &summary);
        summary
    }

    /// The records of an LDIF download: DSCs and CRLs are loaded, master lists collected in `lists` (to be
    /// settled by the caller, never as an error of the caller).
    fn read_ldif(
        &mut self,
        text: &[u8],
        source: &str,
        summary: &mut PathSummary,
        lists: &mut Vec<(MasterList, String, bool)>,
    ) {
        let reject = |this: &mut Self, summary: &mut PathSummary, line: String| {
            this.report.rejected.push(line.clone());
            summary.errors.push(line);
        };
        for record in ldif::records(text) {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    reject(self, summary, format!("{source}: {e}"));
                    continue;
                }
            };
            let at = format!("{source} line {}", record.line);
            if let Some(change) = record.change_type.as_deref()
                && !change.eq_ignore_ascii_case("add")
            {
                reject(
                    self,
                    summary,
                    format!("{at}: changetype {change} not applied (load a complete download)"),
                );
                continue;
            }
            for object in PkdObject::classify(&record) {
                match object {
                    PkdObject::DocumentSigner(der) => match Certificate::from_der(der) {
                        Ok(c) => {
                            if self.push_document_signer(c) {
                                summary.document_signers += 1;
                            }
                        }
                        Err(e) => reject(self, summary, format!("{at}: Document Signer: {e}")),
                    },
                    PkdObject::Crl(der) => match Crl::from_der(der) {
                        Ok(crl) => {
                            if self.push_crl(crl, at.clone()) {
                                summary.crls += 1;
                            }
                        }
                        Err(e) => reject(self, summary, format!("{at}: {e}")),
                    },
                    PkdObject::MasterList(bytes) => match MasterList::parse(bytes) {
                        Ok(list) => lists.push((list, at.clone(), false)),
                        Err(e) => reject(self, summary, format!("{at}: {e}")),
                    },
                    PkdObject::Other => {}
                }
            }
        }
    }

    fn ldif_loaded_line(&mut self, source: &str, summary: &PathSummary) {
        self.report.loaded.push(format!(
            "{source}: LDIF with {} Document Signer(s), {} CRL(s), {} master list(s) ({} CSCA certificate(s) new)",
            summary.document_signers, summary.crls, summary.master_lists, summary.certificates
        ));
    }

    fn push_crl(&mut self, crl: Crl, source: String) -> bool {
        if self.crl_digests.insert(sha256(&crl.raw)) {
            self.crls.push((crl, source));
            true
        } else {
            self.report.duplicates += 1;
            false
        }
    }

    /// Loads a file or every file of a directory (not recursive): [`add_paths`](Self::add_paths) of one
    /// path.
    pub fn add_path(&mut self, path: &Path) -> Result<PathSummary, PkiError> {
        self.add_paths(&[path])
    }

    /// Loads files and directories (not recursive) as one set, recognising each file by content:
    ///
    /// - a certificate file (DER, or PEM holding several) of CA certificates only: each is a trust anchor
    ///   if it is a CSCA certificate with keyUsage keyCertSign that is self-signed, or a link certificate
    ///   (ICAO 9303-12 §4.1.4.3: signed by a trusted CSCA key of its issuer's name, same country), and is
    ///   rejected otherwise;
    /// - a certificate file holding Document Signers: a DSC bundle; its Document Signers are loaded, a CA
    ///   certificate in it is rejected (a bundle never anchors);
    /// - CRLs, master lists (verified against the anchors, whichever path brought them, see
    ///   [`accept_unverified_lists`](Self::accept_unverified_lists)) and LDIF downloads
    ///   ([`add_ldif`](Self::add_ldif)).
    ///
    /// What each file gave, anchored and rejected goes to the load report. An unreadable path is an error,
    /// and so is a master list file whose signer cannot be verified (unless unverified lists are accepted):
    /// the error names it, and what the other files held stays loaded.
    pub fn add_paths<P: AsRef<Path>>(&mut self, paths: &[P]) -> Result<PathSummary, PkiError> {
        let mut files = Vec::new();
        for path in paths {
            let path = path.as_ref();
            let io = |source| PkiError::Io {
                path: path.display().to_string(),
                source,
            };
            if path.is_dir() {
                let mut in_dir = Vec::new();
                for entry in std::fs::read_dir(path).map_err(io)? {
                    let p = entry.map_err(io)?.path();
                    if p.is_file() {
                        in_dir.push(p);
                    }
                }
                in_dir.sort();
                files.extend(in_dir);
            } else {
                files.push(path.to_path_buf());
            }
        }
        let mut summary = PathSummary::default();
        let mut lists = Vec::new();
        let mut candidates = Vec::new();
        for f in files {
            let bytes = std::fs::read(&f).map_err(|source| PkiError::Io {
                path: f.display().to_string(),
                source,
            })?;
            let name = f.display().to_string();
            if let Ok(certs) = certificates_from_der_or_pem(&bytes) {
                let (cas, signers): (Vec<_>, Vec<_>) =
                    certs.into_iter().partition(is_ca_certificate);

                let (n_cas, n_signers) = (cas.len(), signers.len());
                if n_signers > 0 {
                    for c in cas {
                        let line = format!(
                            "{name}: {} (serial {}) not anchored: the file also holds Document Signer \
                             certificates, and a CA certificate in a bundle never becomes a trust anchor \
                             (give CSCA certificates in a file of their own)",
                            c.subject,
                            c.serial_hex()
                        );
                        self.report.rejected.push(line.clone());
                        summary.errors.push(line);
                    }
                } else {
                    candidates.extend(cas.into_iter().map(|c| (c, name.clone())));
                }
                let mut dscs = 0;
                for c in signers {
                    dscs += usize::from(self.push_document_signer(c));
                }
                summary.document_signers += dscs;
                self.report.loaded.push(format!(
                    "{name}: {n_cas} CA certificate(s), {n_signers} Document Signer(s) ({dscs} new)"
                ));
            } else if let Ok(crl) = Crl::from_der(&bytes) {
                if self.push_crl(crl, name) {
                    summary.crls += 1;
                }
            } else if let Ok(list) = MasterList::parse(&bytes) {
                lists.push((list, name, true));
            } else if looks_like_ldif(&bytes) {
                let mut s = PathSummary::default();
                self.read_ldif(&bytes, &name, &mut s, &mut lists);
                self.ldif_loaded_line(&name, &s);
                summary.document_signers += s.document_signers;
                summary.crls += s.crls;
                summary.errors.extend(s.errors);
            } else {
                let line = PkiError::Unrecognised(name).to_string();
                self.report.rejected.push(line.clone());
                summary.errors.push(line);
            }
        }
        // CSCA certificates first: master lists are verified against them.
        self.settle_anchors(candidates, &mut summary);
        let failed = self.settle_master_lists(lists, &mut summary);
        if failed.is_empty() {
            Ok(summary)
        } else {
            Err(PkiError::MasterListSigner(failed.join("; ")))
        }
    }

    /// Anchors the CA certificates of certificate files that may be anchors (see
    /// [`add_paths`](Self::add_paths)), in passes (a link certificate is anchored once the certificate it
    /// links from is), and rejects the others with why.
    fn settle_anchors(
        &mut self,
        candidates: Vec<(Certificate, String)>,
        summary: &mut PathSummary,
    ) {
        let mut pending = Vec::new();
        for (c, source) in candidates {
            if c.key_usage
                .is_some_and(|ku| ku.has(KeyUsage::KEY_CERT_SIGN))
            {
                pending.push((c, source));
            } else {
                let line = format!(
                    "{source}: {} (serial {}) not anchored: a CSCA certificate needs keyUsage keyCertSign \
                     (ICAO 9303-12 §7.1.1)",
                    c.subject,
                    c.serial_hex()
                );
                self.report.rejected.push(line.clone());
                summary.errors.push(line);
            }
        }
        loop {
            let mut progress = false;
            let mut rest = Vec::new();
            for (c, source) in pending {
                match self.anchor_basis(&c) {
                    Some(why) => {
                        let line = format!(
                            "{source}: {} (serial {}, valid {} to {}) anchored: {why}",
                            c.subject,
                            c.serial_hex(),
                            c.not_before,
                            c.not_after
                        );
                        let anchor = TrustAnchor {
                            certificate: c,
                            source,
                            unverified_list: false,
                            test_anchor: false,
                        };
                        if self.push_anchor(anchor) {
                            self.report.anchored.push(line);
                            summary.certificates += 1;
                        }
                        progress = true;
                    }
                    None => rest.push((c, source)),
                }
            }
            pending = rest;
            if !progress || pending.is_empty() {
                break;
            }
        }
        for (c, source) in pending {
            let line = format!(
                "{source}: {} (serial {}) not anchored: neither self-signed (its own key does not verify it) \
                 nor a link certificate signed by a trusted CSCA key named {} of the same country",
                c.subject,
                c.serial_hex(),
                c.issuer
            );
            self.report.rejected.push(line.clone());
            summary.errors.push(line);
        }
    }

    /// Why `c` (a CSCA certificate with keyCertSign) may be a trust anchor: it is self-signed, or it is a
    /// link certificate, signed by a trusted key of its issuer's name, with the same country as its subject
    /// (a CSCA may change its name, not its country). `None` when it is neither (yet).
    fn anchor_basis(&self, c: &Certificate) -> Option<String> {
        if c.is_self_issued() && verify_certificate_signature(c, c).is_ok() {
            return Some("self-signed CSCA certificate with keyCertSign".into());
        }
        let country = |n: &Name| n.country().map(str::to_ascii_uppercase);
        if country(&c.issuer) != country(&c.subject) {
            return None;
        }
        self.by_subject
            .get(&c.issuer.key())
            .into_iter()
            .flatten()
            .filter_map(|i| self.anchors.get(*i))
            .filter(|a| !a.unverified_list)
            .find(|a| verify_certificate_signature(c, &a.certificate).is_ok())
            .map(|a| {
                format!(
                    "CSCA link certificate signed by the trusted key of {} (serial {}, from {})",
                    a.certificate.subject,
                    a.certificate.serial_hex(),
                    a.source
                )
            })
    }

    /// The immutable store: indexes the anchors by subject and key identifier, the DSCs by issuer and
    /// serial number and by key identifier, and verifies each CRL's signature with the CSCAs named as its
    /// issuer (a CRL no CSCA verifies is kept, and reported as unverified where it matters).
    pub fn build(self) -> TrustStore {
        let TrustStoreBuilder {
            anchors,
            by_subject,
            document_signers,
            crls,
            mut report,
            cache_capacity,
            table_budget,
            ..
        } = self;
        let mut by_key_id: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        let mut by_country: HashMap<String, usize> = HashMap::new();
        for (i, a) in anchors.iter().enumerate() {
            if let Some(id) = &a.certificate.subject_key_id {
                by_key_id.entry(id.clone()).or_default().push(i);
            }
            if let Some(country) = a.certificate.subject.country()
                && !a.unverified_list
            {
                *by_country.entry(country.to_ascii_uppercase()).or_default() += 1;
            }
        }
        let mut dsc_by_issuer_serial = HashMap::new();
        let mut dsc_by_key_id = HashMap::new();
        for (i, c) in document_signers.iter().enumerate() {
            dsc_by_issuer_serial
                .entry((c.issuer.key(), strip_zeros(&c.serial).to_vec()))
                .or_insert(i);
            if let Some(id) = &c.subject_key_id {
                dsc_by_key_id.entry(id.clone()).or_insert(i);
            }
        }
        let mut stored = Vec::with_capacity(crls.len());
        let mut crls_by_issuer: HashMap<NameKey, Vec<usize>> = HashMap::new();
        for (crl, source) in crls {
            let key = crl.issuer.key();
            let verified_by: Vec<usize> = by_subject
                .get(&key)
                .into_iter()
                .flatten()
                .copied()
                .filter(|i| {
                    anchors.get(*i).is_some_and(|a| {
                        !a.unverified_list
                            && super::signature::verify(
                                &a.certificate.public_key,
                                &crl.signature_algorithm,
                                None,
                                &crl.tbs,
                                &crl.signature,
                            )
                            .is_ok()
                    })
                })
                .collect();
            report.loaded.push(format!(
                "{source}: CRL of {} ({}, {} revoked), {}",
                crl.issuer,
                crl.this_update,
                crl.revoked.len(),
                if verified_by.is_empty() {
                    "signature not verified by any trusted CSCA key of that name: not used for revocation"
                        .to_string()
                } else {
                    format!("signed by {} trusted CSCA key(s)", verified_by.len())
                }
            ));
            let revoked = crl
                .revoked
                .iter()
                .enumerate()
                .map(|(i, r)| (strip_zeros(&r.serial).to_vec(), i))
                .collect();
            crls_by_issuer.entry(key).or_default().push(stored.len());
            stored.push(StoredCrl {
                crl,
                source,
                verified_by,
                revoked,
            });
        }
        TrustStore {
            id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
            anchors,
            by_subject,
            by_key_id,
            by_country,
            document_signers,
            dsc_by_issuer_serial,
            dsc_by_key_id,
            crls: stored,
            crls_by_issuer,
            report,
            cache: DscCache::new(cache_capacity),
            tables: TableBudget::new(table_budget),
        }
    }
}

/// A CA certificate: basicConstraints cA, keyUsage keyCertSign (7 CSCAs of the German master list say cA
/// FALSE), or a self-issued certificate without basicConstraints (old CSCAs).
fn is_ca_certificate(c: &Certificate) -> bool {
    c.is_ca == Some(true)
        || c.key_usage
            .is_some_and(|ku| ku.has(KeyUsage::KEY_CERT_SIGN))
        || (c.is_ca.is_none() && c.is_self_issued())
}

/// Whether bytes look like LDIF text: a `version:`, `dn:` or comment line first.
fn looks_like_ldif(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..];
    head.starts_with(b"version:") || head.starts_with(b"dn:") || head.starts_with(b"#")
}

/// Verifies a master list's signature and its signer's certificate against the roots `roots_named` gives
/// for the signer's issuer name. Returns the signer's subject and a description.
fn verify_master_list<'a>(
    list: &MasterList,
    roots_named: impl Fn(&Name) -> Vec<&'a Certificate>,
) -> Result<(String, String), String> {
    let sd = &list.signed_data;
    let si = sd.signer_infos.first().ok_or("no SignerInfo")?;
    let mut candidates = Vec::new();
    for (i, raw) in sd.certificates.iter().enumerate() {
        candidates.push(
            Certificate::from_der(raw)
                .map_err(|e| format!("certificate {i} of the SignedData: {e}"))?,
        );
    }
    let signer = find_signer(si, &candidates)
        .ok_or("the Master List Signer certificate is not in the SignedData")?;
    let scheme = verify_signer_info(sd, si, signer).map_err(|e| format!("list signature: {e}"))?;
    // The signer's certificate must be one for signing master lists, valid when it signed this one.
    let mut findings = policy::check(signer, Role::MasterListSigner);
    if !findings.passed() {
        return Err(format!(
            "{} (ICAO 9303-12 certificate profile)",
            findings.failures.join("; ")
        ));
    }
    let (when, what) = match si.signing_time {
        Some(t) => (t, "at the list's signing time"),
        None => (Time::now(), "now (the list has no signing time)"),
    };
    if !signer.is_valid_at(when) {
        return Err(format!(
            "the Master List Signer certificate is not valid {what}, {when}: valid {} to {}",
            signer.not_before, signer.not_after
        ));
    }
    let roots = roots_named(&signer.issuer);
    for root in &roots {
        if let Ok(how) = verify_certificate_signature(signer, root) {
            let root_findings = policy::check(root, Role::Csca);
            if !root_findings.passed() {
                return Err(format!(
                    "the root certifying the signer may not sign certificates: {}",
                    root_findings.failures.join("; ")
                ));
            }
            findings.warnings.extend(root_findings.warnings);
            let mut verification = format!(
                "list signed with {scheme}; signer certified by {} with {how}",
                root.subject
            );
            if !findings.warnings.is_empty() {
                verification.push_str("; ");
                verification.push_str(&findings.warnings.join("; "));
            }
            return Ok((signer.subject.to_string(), verification));
        }
    }
    if roots.is_empty() {
        Err(format!(
            "no root named {} (the signer's issuer) among the trusted certificates",
            signer.issuer
        ))
    } else {
        Err(format!(
            "the signer certificate's signature does not verify with any of {} root(s) named {}",
            roots.len(),
            signer.issuer
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn store_is_send_sync_and_empty_store_knows_no_issuer() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<TrustStore>();
        send_sync::<Arc<DscEntry>>();
        let store = TrustStore::new();
        assert!(store.anchors().is_empty());
        assert_eq!(store.cached_document_signers(), 0);
    }

    #[test]
    fn cache_is_bounded() {
        let cache = DscCache::new(SHARDS);
        let dummy = |n: u8| {
            Arc::new(DscEntry::new(
                Certificate {
                    raw: vec![n],
                    tbs: Vec::new(),
                    version: 2,
                    serial: vec![n],
                    issuer: Name {
                        raw: Vec::new(),
                        attributes: Vec::new(),
                    },
                    subject: Name {
                        raw: Vec::new(),
                        attributes: Vec::new(),
                    },
                    not_before: super::super::Time::from_ymd(2020, 1, 1),
                    not_after: super::super::Time::from_ymd(2030, 1, 1),
                    public_key: super::super::certificate::PublicKeyInfo {
                        algorithm: super::super::cms::AlgorithmId {
                            oid: crate::asn1::ObjectIdentifier::new_unwrap("1.2.3"),
                            parameters: None,
                        },
                        key: Vec::new(),
                        raw: Vec::new(),
                    },
                    signature_algorithm: super::super::cms::AlgorithmId {
                        oid: crate::asn1::ObjectIdentifier::new_unwrap("1.2.3"),
                        parameters: None,
                    },
                    signature: Vec::new(),
                    subject_key_id: None,
                    authority_key_id: None,
                    is_ca: None,
                    key_usage: None,
                    extended_key_usage: None,
                    critical_extensions: Vec::new(),
                    validity_encoding: None,
                },
                0,
                TableBudget::new(0),
            ))
        };
        for n in 0..=255u8 {
            let mut digest = [0u8; 32];
            digest[0] = 0; // all in one shard
            digest[1] = n;
            cache.insert(digest, dummy(n));
        }
        assert!(
            cache.len() <= 1,
            "one entry per shard at most: {}",
            cache.len()
        );
    }
}
