//! The trust store: CSCA certificates (from master lists, certificate files or directories) and CRLs.

use std::path::Path;

use super::certificate::{Certificate, Time, certificates_from_der_or_pem};
use super::crl::Crl;
use super::master_list::MasterList;
use super::policy::{self, Role};
use super::{PkiError, find_signer, verify_certificate_signature, verify_signer_info};

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

/// What loading a file or directory did.
#[derive(Debug, Clone, Default)]
pub struct PathSummary {
    /// Certificates added.
    pub certificates: usize,
    /// CRLs added.
    pub crls: usize,
    /// Master lists added (verified against the anchors already in the store).
    pub master_lists: usize,
    /// Files that could not be used, with the reason.
    pub errors: Vec<String>,
}

/// CSCAs and CRLs that DSCs are checked against.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<TrustAnchor>,
    crls: Vec<Crl>,
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The trusted certificates.
    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }

    /// The CRLs.
    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    fn push(&mut self, anchor: TrustAnchor) -> bool {
        if self
            .anchors
            .iter()
            .any(|a| a.certificate.raw == anchor.certificate.raw)
        {
            return false;
        }
        self.anchors.push(anchor);
        true
    }

    /// Adds CSCA certificates from DER or PEM bytes (PEM may hold several). Returns how many were added.
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
        let certs = certificates_from_der_or_pem(bytes).map_err(|error| PkiError::Certificate {
            source_name: source.to_string(),
            error,
        })?;
        let mut added = 0;
        for certificate in certs {
            let anchor = TrustAnchor {
                certificate,
                source: source.to_string(),
                unverified_list: false,
                test_anchor,
            };
            added += usize::from(self.push(anchor));
        }
        Ok(added)
    }

    /// Adds a CRL (DER).
    pub fn add_crl(&mut self, der: &[u8]) -> Result<(), PkiError> {
        let crl = Crl::from_der(der)?;
        if !self.crls.iter().any(|c| c.raw == crl.raw) {
            self.crls.push(crl);
        }
        Ok(())
    }

    /// Adds the certificates of a master list after verifying it: the list signature with the Master List
    /// Signer certificate inside the list, and that certificate's signature with one of `roots` (DER or PEM
    /// CSCA certificates the user trusts), or with the anchors already in the store when `roots` is empty.
    pub fn add_master_list(
        &mut self,
        bytes: &[u8],
        roots: &[&[u8]],
        source: &str,
    ) -> Result<MasterListSummary, PkiError> {
        let list = MasterList::parse(bytes)?;
        let mut root_certs = Vec::new();
        for (i, r) in roots.iter().enumerate() {
            let certs = certificates_from_der_or_pem(r).map_err(|error| PkiError::Certificate {
                source_name: format!("master list root {i}"),
                error,
            })?;
            root_certs.extend(certs);
        }
        if roots.is_empty() {
            root_certs.extend(
                self.anchors
                    .iter()
                    .filter(|a| !a.unverified_list)
                    .map(|a| a.certificate.clone()),
            );
        }
        let (signer, verification) =
            verify_master_list(&list, &root_certs).map_err(PkiError::MasterListSigner)?;
        Ok(self.take_list(list, source, signer, verification, true))
    }

    /// Adds the certificates of a master list without verifying its signer (the user accepted it as is);
    /// the anchors are flagged and chains to them are reported with a warning.
    pub fn add_master_list_unverified(
        &mut self,
        bytes: &[u8],
        source: &str,
    ) -> Result<MasterListSummary, PkiError> {
        let list = MasterList::parse(bytes)?;
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
            added += usize::from(self.push(anchor));
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

    /// Loads a file or every file of a directory (not recursive), recognising certificates (DER, PEM), CRLs
    /// and master lists by content. Certificates are loaded first, then CRLs, then master lists, which are
    /// verified against the anchors in the store. Unusable files are listed in the summary; only an
    /// unreadable path is an error.
    pub fn add_path(&mut self, path: &Path) -> Result<PathSummary, PkiError> {
        let io = |source| PkiError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut files = Vec::new();
        if path.is_dir() {
            for entry in std::fs::read_dir(path).map_err(io)? {
                let p = entry.map_err(io)?.path();
                if p.is_file() {
                    files.push(p);
                }
            }
            files.sort();
        } else {
            files.push(path.to_path_buf());
        }
        let mut loaded = Vec::new();
        for f in files {
            let bytes = std::fs::read(&f).map_err(|source| PkiError::Io {
                path: f.display().to_string(),
                source,
            })?;
            loaded.push((f.display().to_string(), bytes));
        }
        let mut summary = PathSummary::default();
        let mut crls = Vec::new();
        let mut lists = Vec::new();
        for (name, bytes) in &loaded {
            match certificates_from_der_or_pem(bytes) {
                Ok(_) => match self.add_certificate(bytes, name) {
                    Ok(n) => summary.certificates += n,
                    Err(e) => summary.errors.push(e.to_string()),
                },
                Err(_) if Crl::from_der(bytes).is_ok() => crls.push(bytes),
                Err(_) if MasterList::parse(bytes).is_ok() => lists.push((name, bytes)),
                Err(_) => summary
                    .errors
                    .push(PkiError::Unrecognised(name.clone()).to_string()),
            }
        }
        for bytes in crls {
            match self.add_crl(bytes) {
                Ok(()) => summary.crls += 1,
                Err(e) => summary.errors.push(e.to_string()),
            }
        }
        for (name, bytes) in lists {
            match self.add_master_list(bytes, &[], name) {
                Ok(s) => {
                    summary.master_lists += 1;
                    summary.certificates += s.added;
                }
                Err(e) => summary.errors.push(format!("{name}: {e}")),
            }
        }
        Ok(summary)
    }
}

/// Verifies a master list's signature and its signer's certificate against `roots`.
/// Returns the signer's subject and a description.
fn verify_master_list(
    list: &MasterList,
    roots: &[Certificate],
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
    let mut tried = 0;
    for root in roots.iter().filter(|r| r.subject.matches(&signer.issuer)) {
        tried += 1;
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
    if tried == 0 {
        Err(format!(
            "no root named {} (the signer's issuer) among {} root certificate(s)",
            signer.issuer,
            roots.len()
        ))
    } else {
        Err(format!(
            "the signer certificate's signature does not verify with any of {tried} root(s) named {}",
            signer.issuer
        ))
    }
}
