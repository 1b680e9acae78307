//! `mrtd.Document`: a document's files (from a dict, a dump directory, a DTC-VC or a chip) and their
//! offline verification, as `mrtd verify` does it.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyAny, PyByteArray, PyBytes, PyDict, PyMapping};

use icao9303::dtc::Dtc;
use icao9303::lds::LdsFile;

use crate::errors;
use crate::lds::{Dg11, Dg12, Face, Mrz};
use crate::report::Report;
use crate::trust::TrustStore;

/// A document's files: EF.SOD, EF.COM, DG1, DG2, ... as stored on the chip.
#[pyclass(frozen, module = "mrtd", name = "Document")]
pub struct Document {
    pub(crate) doc: icao9303::Document,
    /// The DTC-VC the files came from: verified as one (`Dtc::report`).
    dtc: Option<Dtc>,
}

impl Document {
    /// A document of files read from a chip.
    pub(crate) fn from_read(doc: icao9303::Document) -> Self {
        Document { doc, dtc: None }
    }
}

/// The LDS file a name means: `"EF.SOD"`, `"DG1"`, ... or a dump file name (`"EF_SOD.bin"`).
fn file_named(name: &str) -> Option<LdsFile> {
    LdsFile::all().find(|f| f.name() == name || f.dump_name() == name)
}

/// The bytes of a `bytes` or `bytearray` value.
fn bytes_of(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = value.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    Err(errors::input(
        value.py(),
        format!("{what}: expected bytes, not {}", value.get_type().name()?),
    ))
}

#[pymethods]
impl Document {
    /// A document from its files: `{"EF.SOD": b"...", "DG1": b"...", ...}` (dump file names such as
    /// `"EF_SOD.bin"` also name a file).
    #[staticmethod]
    fn from_files(files: &Bound<'_, PyMapping>) -> PyResult<Document> {
        let py = files.py();
        let mut out = Vec::new();
        for item in files.items()?.try_iter()? {
            let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
            let name: String = key.extract().map_err(|_| {
                errors::input(
                    py,
                    format!("file names are strings, not {}", key.get_type()),
                )
            })?;
            let Some(file) = file_named(&name) else {
                return Err(errors::input(
                    py,
                    format!("unknown file {name:?} (EF.COM, EF.SOD, DG1 ... DG16)"),
                ));
            };
            if out.iter().any(|(f, _)| *f == file) {
                return Err(errors::input(py, format!("{name}: given twice")));
            }
            out.push((file, bytes_of(&value, &name)?));
        }
        if out.is_empty() {
            return Err(errors::input(py, "no files"));
        }
        // The order `mrtd verify` reads a dump in, so the report lists the files the same way.
        out.sort_by_key(|(f, _)| *f);
        Ok(Document {
            doc: icao9303::Document::from_files(out),
            dtc: None,
        })
    }

    /// A dump directory as `mrtd read --out` writes it (`EF_COM.bin`, `EF_SOD.bin`, `DG1.bin`, ...).
    #[staticmethod]
    fn from_dir(py: Python<'_>, path: PathBuf) -> PyResult<Document> {
        let loaded = py.detach(|| icao9303_emu::dump::load_files(&path));
        let mut files = loaded.map_err(|e| errors::input(py, e.to_string()))?;
        if files.is_empty() {
            return Err(errors::input(
                py,
                format!(
                    "{}: no dump files (EF_COM.bin, EF_SOD.bin, DG1.bin, ...)",
                    path.display()
                ),
            ));
        }
        files.sort_by_key(|(f, _)| *f);
        Ok(Document {
            doc: icao9303::Document::from_files(files),
            dtc: None,
        })
    }

    /// A Digital Travel Credential's virtual component (Type 1 DTC-VC, DER), strictly parsed.
    #[staticmethod]
    fn from_dtc(data: &Bound<'_, PyAny>) -> PyResult<Document> {
        let py = data.py();
        let bytes = bytes_of(data, "DTC-VC")?;
        let dtc = py
            .detach(|| Dtc::parse(&bytes))
            .map_err(|e| errors::input(py, format!("DTC-VC: {e}")))?;
        Ok(Document {
            doc: dtc.document(),
            dtc: Some(dtc),
        })
    }

    /// Verifies the files offline, as `mrtd verify` does (no chip present): passive authentication
    /// against `store` (without one, the chain is not checked and the verdict at best `"not_verified"`),
    /// at `at` (a `datetime`, naive meaning UTC, or a `date`; now when None).
    #[pyo3(signature = (store = None, at = None))]
    fn verify(
        &self,
        py: Python<'_>,
        store: Option<PyRef<'_, TrustStore>>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Report> {
        let at = crate::reference_time(at)?;
        let store = store.map(|s| s.store.clone());
        let report = py.detach(|| {
            // A panic would be a bug; it is an mrtd.Error, as in a batch, not a PanicException.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &self.dtc {
                Some(dtc) => dtc.report(store.as_deref(), at),
                None => icao9303::verify::report(
                    &self.doc,
                    None,
                    Vec::new(),
                    &icao9303::verify::Scope::default(),
                    store.as_deref(),
                    at,
                    icao9303::verify::Chip::NotPresent,
                ),
            }))
        });
        let mut report = report
            .map_err(|_| errors::error(py, "internal error while verifying this document"))?;
        // What the store was built from, as `mrtd verify --json` reports it for one document.
        report.trust = store.map(|s| s.load_report().clone());
        Ok(Report::new(report, None))
    }

    /// The files, by name (`"EF.SOD"`, `"DG1"`, ...), in the order they were read.
    #[getter]
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for f in &self.doc.read_order {
            if let Some(bytes) = self.doc.raw(*f) {
                dict.set_item(f.name(), PyBytes::new(py, bytes))?;
            }
        }
        Ok(dict)
    }

    /// The MRZ of DG1; None without a DG1 that parses (the report says why).
    #[getter]
    fn mrz(&self) -> Option<Mrz> {
        self.doc.dg1.as_ref().map(|d| Mrz { mrz: d.mrz.clone() })
    }

    /// The first face image of DG2; None without DG2. A DG2 that does not parse raises `InputError`.
    #[getter]
    fn face(&self, py: Python<'_>) -> PyResult<Option<Face>> {
        let Some(bytes) = self.doc.raw(LdsFile::Dg(2)) else {
            return Ok(None);
        };
        let dg2 = py
            .detach(|| icao9303::lds::dg2::Dg2::parse(bytes))
            .map_err(|e| errors::input(py, e.to_string()))?;
        Ok(dg2.faces.into_iter().next().map(|face| Face { face }))
    }

    /// DG11 (additional personal details); None without DG11. One that does not parse raises
    /// `InputError`.
    #[getter]
    fn dg11(&self, py: Python<'_>) -> PyResult<Option<Dg11>> {
        self.doc
            .raw(LdsFile::Dg(11))
            .map(|b| {
                icao9303::lds::dg11::Dg11::parse(b)
                    .map(|dg| Dg11 { dg })
                    .map_err(|e| errors::input(py, e.to_string()))
            })
            .transpose()
    }

    /// DG12 (additional document details); None without DG12. One that does not parse raises
    /// `InputError`.
    #[getter]
    fn dg12(&self, py: Python<'_>) -> PyResult<Option<Dg12>> {
        self.doc
            .raw(LdsFile::Dg(12))
            .map(|b| {
                icao9303::lds::dg12::Dg12::parse(b)
                    .map(|dg| Dg12 { dg })
                    .map_err(|e| errors::input(py, e.to_string()))
            })
            .transpose()
    }

    fn __repr__(&self) -> String {
        let names: Vec<String> = self.doc.read_order.iter().map(|f| f.name()).collect();
        format!("<mrtd.Document {}>", names.join(", "))
    }
}
