//! `mrtd` for Python: the extension module `mrtd._mrtd`, re-exported by the package `mrtd`
//! (`python/mrtd/__init__.py`).
//!
//! Every class wraps the library's own type (`TrustStore`, `Document`, `Report`, `Reader`); reports are
//! serialised by the library exactly as the CLI writes them, and no verdict is made here. The GIL is
//! released while a store loads, a document verifies, a batch runs and a chip is read. Errors become the
//! exceptions of `mrtd._errors` (`errors.rs`); a document failing a check is a report, never an exception.

mod batch;
mod document;
mod errors;
mod lds;
mod read;
mod report;
mod trust;

use pyo3::prelude::*;
use pyo3::types::PyAny;

use icao9303::pki::Time;

/// The reference time of a verification: `None` for now, else a `datetime.datetime` (naive: UTC) or a
/// `datetime.date` (midnight UTC).
pub(crate) fn reference_time(at: Option<&Bound<'_, PyAny>>) -> PyResult<Time> {
    let Some(at) = at else {
        return Ok(Time::now());
    };
    let py = at.py();
    let datetime = py.import("datetime")?;
    let timezone_utc = datetime.getattr("timezone")?.getattr("utc")?;
    let stamp: f64 = if at.is_instance(&datetime.getattr("datetime")?)? {
        let aware = if at.getattr("tzinfo")?.is_none() {
            at.call_method(
                "replace",
                (),
                Some(&[("tzinfo", &timezone_utc)].into_py_dict(py)?),
            )?
        } else {
            at.clone()
        };
        aware.call_method0("timestamp")?.extract()?
    } else if at.is_instance(&datetime.getattr("date")?)? {
        let midnight = datetime.getattr("datetime")?.call1((
            at.getattr("year")?,
            at.getattr("month")?,
            at.getattr("day")?,
            0,
            0,
            0,
            0,
            &timezone_utc,
        ))?;
        midnight.call_method0("timestamp")?.extract()?
    } else {
        return Err(errors::input(
            py,
            format!(
                "at: expected a datetime.datetime, a datetime.date or None, not {}",
                at.get_type().name()?
            ),
        ));
    };
    if !(0.0..=253_402_300_799.0).contains(&stamp) {
        return Err(errors::input(
            py,
            "at: the time must lie between 1970 and 9999",
        ));
    }
    Ok(Time::from_unix(stamp as u64))
}

/// A value the library serialises (a report, a data group) as Python objects, through the same JSON the
/// CLI writes.
pub(crate) fn to_python<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text =
        serde_json::to_string(value).map_err(|e| errors::error(py, format!("serialising: {e}")))?;
    py.import("json")?.call_method1("loads", (text,))
}

use pyo3::types::IntoPyDict;

/// The extension module.
#[pymodule]
fn _mrtd(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<trust::TrustStore>()?;
    m.add_class::<document::Document>()?;
    m.add_class::<report::Report>()?;
    m.add_class::<report::Check>()?;
    m.add_class::<lds::Mrz>()?;
    m.add_class::<lds::Face>()?;
    m.add_class::<lds::Dg11>()?;
    m.add_class::<lds::Dg12>()?;
    m.add_class::<batch::ReportIterator>()?;
    m.add_class::<read::Emulator>()?;
    m.add_class::<read::Terminal>()?;
    m.add_function(wrap_pyfunction!(batch::verify_jsonl, m)?)?;
    m.add_function(wrap_pyfunction!(read::read, m)?)?;
    m.add_function(wrap_pyfunction!(read::emulator_profiles, m)?)?;
    Ok(())
}
