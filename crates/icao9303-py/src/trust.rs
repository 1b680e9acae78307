//! `mrtd.TrustStore`: the library's trust store, loaded from the CLI's inputs.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::errors;

/// The CSCA certificates, master lists, Document Signer certificates and CRLs documents are verified
/// against. Immutable once loaded; share one store between threads.
#[pyclass(frozen, module = "mrtd", name = "TrustStore")]
pub struct TrustStore {
    pub(crate) store: Arc<icao9303::pki::TrustStore>,
    warnings: Vec<String>,
}

/// Reads one file given by the caller, with the path in the error.
fn read_file(py: Python<'_>, what: &str, path: &PathBuf) -> PyResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| errors::input(py, format!("{what} {}: {e}", path.display())))
}

#[pymethods]
impl TrustStore {
    /// An empty store: documents verify without a trust anchor (at best not verified).
    #[new]
    fn empty() -> Self {
        TrustStore {
            store: Arc::new(icao9303::pki::TrustStore::new()),
            warnings: Vec::new(),
        }
    }

    /// Loads the trust inputs of `mrtd --trust`: CSCA certificates (DER or PEM), master lists, CRLs,
    /// ICAO PKD LDIF downloads, or directories of them (`paths`); CRL files (`crls`); Document Signer
    /// certificate bundles, which never become anchors (`dsc`).
    #[staticmethod]
    #[pyo3(signature = (*paths, crls = Vec::new(), dsc = Vec::new(), accept_unverified_lists = false))]
    fn load(
        py: Python<'_>,
        paths: Vec<PathBuf>,
        crls: Vec<PathBuf>,
        dsc: Vec<PathBuf>,
        accept_unverified_lists: bool,
    ) -> PyResult<TrustStore> {
        let crl_bytes = crls
            .iter()
            .map(|p| Ok((p, read_file(py, "crls:", p)?)))
            .collect::<PyResult<Vec<_>>>()?;
        let dsc_bytes = dsc
            .iter()
            .map(|p| Ok((p, read_file(py, "dsc:", p)?)))
            .collect::<PyResult<Vec<_>>>()?;
        let loaded = py.detach(|| {
            let mut builder = icao9303::pki::TrustStore::builder();
            builder.accept_unverified_lists(accept_unverified_lists);
            let summary = builder.add_paths(&paths).map_err(|e| e.to_string())?;
            let mut warnings = summary.errors;
            warnings.extend(summary.unverified_lists.iter().map(|list| {
                format!(
                    "{list}: master list signer not verified; accepted as you asked: documents it \
                     anchors are at best not verified"
                )
            }));
            for (path, bytes) in &crl_bytes {
                let source = path.display().to_string();
                builder
                    .add_crl(bytes, &source)
                    .map_err(|e| format!("crls: {source}: {e}"))?;
            }
            for (path, bytes) in &dsc_bytes {
                let source = path.display().to_string();
                builder
                    .add_document_signers(bytes, &source)
                    .map_err(|e| format!("dsc: {e}"))?;
            }
            Ok::<_, String>((builder.build(), warnings))
        });
        let (store, warnings) = loaded.map_err(|e| errors::input(py, e))?;
        Ok(TrustStore {
            store: Arc::new(store),
            warnings,
        })
    }

    /// What was loaded, one line per file, list or LDIF record.
    #[getter]
    fn loaded(&self) -> Vec<String> {
        self.store.load_report().loaded.clone()
    }

    /// What was rejected, with the reason.
    #[getter]
    fn rejected(&self) -> Vec<String> {
        self.store.load_report().rejected.clone()
    }

    /// What became a trust anchor, and why it may.
    #[getter]
    fn anchored(&self) -> Vec<String> {
        self.store.load_report().anchored.clone()
    }

    /// Certificates, lists and CRLs skipped because the store already held them.
    #[getter]
    fn duplicates(&self) -> usize {
        self.store.load_report().duplicates
    }

    /// Files that were skipped, and master lists accepted unverified (what the CLI prints as warnings).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// How many trust anchors (CSCA and link certificates) the store holds.
    #[getter]
    fn anchors(&self) -> usize {
        self.store.anchors().len()
    }

    /// How many Document Signer certificates the store holds.
    #[getter]
    fn document_signers(&self) -> usize {
        self.store.document_signers().len()
    }

    /// How many CRLs the store holds.
    #[getter]
    fn crls(&self) -> usize {
        self.store.crls().len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<mrtd.TrustStore: {} anchors, {} document signers, {} CRLs>",
            self.anchors(),
            self.document_signers(),
            self.crls()
        )
    }
}
