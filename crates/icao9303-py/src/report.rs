//! `mrtd.Report` and `mrtd.Check`: the library's report, read as it is (no verdict is made here), and
//! serialised exactly as `mrtd read --json` / `mrtd verify --json` write it.

use pyo3::prelude::*;
use pyo3::types::PyAny;

use icao9303::report::{CheckStatus, DocumentResult, ReportSource};

/// The outcome of a verification or a read: the verdict, its reasons, and every check.
#[pyclass(frozen, module = "mrtd", name = "Report")]
pub struct Report {
    pub(crate) report: icao9303::Report,
    /// The input's id in a batch (`verify_jsonl`).
    id: Option<String>,
}

impl Report {
    /// Wraps a report of the library; `id` names it in a batch.
    pub(crate) fn new(report: icao9303::Report, id: Option<String>) -> Self {
        Report { report, id }
    }
}

/// One check of a report.
#[pyclass(frozen, module = "mrtd", name = "Check")]
pub struct Check {
    check: icao9303::Check,
}

#[pymethods]
impl Check {
    /// The stable id: `"sod-signature"`, `"dsc-chain"`, `"dg2-hash"`, ...
    #[getter]
    fn id(&self) -> String {
        self.check.id.key()
    }

    /// The name a person reads: `"EF.SOD signature"`, `"DG2 hash"`, ...
    #[getter]
    fn name(&self) -> String {
        self.check.id.name()
    }

    /// `"valid"`, `"invalid"` or `"not-checked"`.
    #[getter]
    fn status(&self) -> &'static str {
        self.check.status().as_str()
    }

    /// True for a valid check with a reservation (a test anchor, an expired signer, SHA-1, ...).
    #[getter]
    fn warning(&self) -> bool {
        self.check.status() == CheckStatus::ValidWithWarning
    }

    /// Why, in words.
    #[getter]
    fn reason(&self) -> String {
        self.check.reason().to_string()
    }

    /// The check as in the JSON report.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::to_python(py, &self.check)
    }

    fn __repr__(&self) -> String {
        format!(
            "<mrtd.Check {} {}{}: {}>",
            self.id(),
            self.status(),
            if self.warning() { " (warning)" } else { "" },
            self.check.reason()
        )
    }
}

#[pymethods]
impl Report {
    /// `"verified"`, `"not_verified"` or `"failed"` (the CLI's exit codes 0, 3 and 1).
    #[getter]
    fn verdict(&self) -> &'static str {
        match self.report.verdict.result {
            DocumentResult::Verified => "verified",
            DocumentResult::NotVerified => "not_verified",
            DocumentResult::Failed => "failed",
        }
    }

    /// The reasons for the verdict: each failed check, what is missing, or what the verdict rests on.
    #[getter]
    fn reasons(&self) -> Vec<String> {
        self.report.verdict.reasons.clone()
    }

    /// The data groups the verdict covers: present and matching EF.SOD (`["DG1", "DG2", ...]`).
    #[getter]
    fn covered(&self) -> Vec<String> {
        self.report
            .verdict
            .covered
            .iter()
            .map(|n| format!("DG{n}"))
            .collect()
    }

    /// The data groups EF.SOD lists (or that were read) that the verdict does not cover, each as in the
    /// JSON report: `{"data_group": "DG12", "reason": ..., "permitted": ..., "detail": ...}`.
    #[getter]
    fn not_covered<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::to_python(py, &self.report.verdict.not_covered)
    }

    /// Every check, in report order.
    #[getter]
    fn checks(&self) -> Vec<Check> {
        self.report
            .checks
            .iter()
            .map(|c| Check { check: c.clone() })
            .collect()
    }

    /// The check with this id (`"dsc-chain"`), or None.
    fn check(&self, id: &str) -> Option<Check> {
        self.report
            .checks
            .iter()
            .find(|c| c.id.key() == id)
            .map(|c| Check { check: c.clone() })
    }

    /// Where the files came from: `"chip"`, `"dump"` or `"dtc-vc"`.
    #[getter]
    fn source(&self) -> &'static str {
        match self.report.source {
            ReportSource::Chip => "chip",
            ReportSource::Dump => "dump",
            ReportSource::DtcVc => "dtc-vc",
        }
    }

    /// The chip authenticity verdict of a live read (`"genuine"`, `"not-proven"`, `"failed"`,
    /// `"replayed"`); None offline, where no chip is present.
    #[getter]
    fn chip_authenticity<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.report
            .chip_authenticity
            .as_ref()
            .map(|c| crate::to_python(py, &c.verdict))
            .transpose()
    }

    /// The input's id in a batch (`verify_jsonl`); None otherwise.
    #[getter]
    fn id(&self) -> Option<String> {
        self.id.clone()
    }

    /// The report as JSON, exactly as `mrtd verify --json` prints it (schema in docs/report-schema.md).
    fn to_json(&self) -> String {
        self.report.to_json()
    }

    /// The report as Python objects: `json.loads(report.to_json())`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?
            .call_method1("loads", (self.report.to_json(),))
    }

    fn __repr__(&self) -> String {
        let id = self
            .id
            .as_deref()
            .map(|i| format!(" {i:?}"))
            .unwrap_or_default();
        format!(
            "<mrtd.Report{id} {}: {}>",
            self.verdict(),
            self.report.summary()
        )
    }
}
