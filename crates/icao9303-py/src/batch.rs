//! `mrtd.verify_jsonl`: JSON Lines documents (decoded by `icao9303::jsonl`) verified on every core by the
//! library's batch engine (`icao9303::batch`, the engine of `mrtd verify -`), reports in input order.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use pyo3::prelude::*;
use pyo3::types::{PyAny, PyByteArray, PyBytes, PyIterator, PyString};

use icao9303::batch::{Ordered, Outcome};
use icao9303::jsonl::{Input, MAX_LINE};

use crate::errors;
use crate::report::Report;
use crate::trust::TrustStore;

/// The reports of a batch, in input order. An input that cannot be read raises `InputError` (with the
/// input's `id`) at its place, or is returned as that exception with `return_exceptions=True`; the
/// iterator can go on after it either way.
#[pyclass(frozen, module = "mrtd", name = "ReportIterator")]
pub struct ReportIterator {
    outcomes: Mutex<Ordered<Outcome>>,
    return_exceptions: bool,
    /// Set when the iterator goes away: a Python iterable of lines is not read any further.
    stopped: Arc<AtomicBool>,
}

impl Drop for ReportIterator {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
    }
}

#[pymethods]
impl ReportIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let next = py.detach(|| {
            self.outcomes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .next()
        });
        let Some(outcome) = next else {
            return Ok(None);
        };
        let error = match outcome {
            Outcome::Verified { id, report } => {
                return Ok(Some(
                    Py::new(py, Report::new(*report, Some(id)))?.into_any(),
                ));
            }
            Outcome::Unreadable { id, reason } => {
                let class = errors::class(py, errors::Kind::Input)?;
                class.call1((format!("{id}: {reason}"), id))?
            }
            Outcome::InternalError { id } => errors::class(py, errors::Kind::Error)?.call1((
                format!("{id}: internal error while verifying this document"),
            ))?,
        };
        if self.return_exceptions {
            Ok(Some(error.unbind()))
        } else {
            Err(PyErr::from_value(error))
        }
    }
}

/// Lines from a Python iterable (of `str` or `bytes`), read in the batch's input thread.
struct PyLines {
    lines: Py<PyIterator>,
    number: usize,
    stopped: Arc<AtomicBool>,
    done: bool,
}

impl Iterator for PyLines {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        if self.done || self.stopped.load(Ordering::SeqCst) {
            return None;
        }
        Python::attach(|py| {
            loop {
                self.number += 1;
                let id = format!("line {}", self.number);
                let line = match self.lines.bind(py).clone().next()? {
                    Ok(line) => line,
                    Err(e) => {
                        // The iterable failed: that is the end of it.
                        self.done = true;
                        return Some(Input::Unreadable {
                            id,
                            reason: format!("reading the lines: {e}"),
                        });
                    }
                };
                let text: Vec<u8> = if let Ok(s) = line.cast::<PyString>() {
                    match s.extract::<String>() {
                        Ok(s) => s.into_bytes(),
                        Err(e) => {
                            return Some(Input::Unreadable {
                                id,
                                reason: format!("not text: {e}"),
                            });
                        }
                    }
                } else if let Ok(b) = line.cast::<PyBytes>() {
                    b.as_bytes().to_vec()
                } else if let Ok(b) = line.cast::<PyByteArray>() {
                    b.to_vec()
                } else {
                    let kind = line
                        .get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default();
                    return Some(Input::Unreadable {
                        id,
                        reason: format!("a line is str or bytes, not {kind}"),
                    });
                };
                if text.len() > MAX_LINE {
                    return Some(Input::Unreadable {
                        id,
                        reason: format!(
                            "line of {} bytes is longer than the {MAX_LINE}-byte limit",
                            text.len()
                        ),
                    });
                }
                if text.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Some(icao9303::jsonl::parse_line(&text, self.number));
            }
        })
    }
}

/// Verifies every document of a JSON Lines input (`{"id": ..., "files": {"EF.SOD": base64, ...}}`, the
/// input of `mrtd verify -`): `source` is a file's path or an iterable of lines (`str` or `bytes`; an
/// open file is one). Runs on `workers` threads (0: every core) with the GIL released, at most a window of
/// documents ahead of the consumer; returns the reports in input order.
#[pyfunction]
#[pyo3(signature = (source, store = None, *, workers = 0, at = None, return_exceptions = false))]
pub fn verify_jsonl(
    source: &Bound<'_, PyAny>,
    store: Option<PyRef<'_, TrustStore>>,
    workers: usize,
    at: Option<&Bound<'_, PyAny>>,
    return_exceptions: bool,
) -> PyResult<ReportIterator> {
    let py = source.py();
    let at = crate::reference_time(at)?;
    let store = store.map(|s| s.store.clone());
    let jobs = if workers == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        workers
    };
    let stopped = Arc::new(AtomicBool::new(false));
    let work = move |input| icao9303::batch::verify_input(input, store.as_deref(), at);
    let is_path = source.is_instance_of::<PyString>() || source.hasattr("__fspath__")?;
    let outcomes = if is_path {
        let path: PathBuf = source.extract()?;
        let file = std::fs::File::open(&path)
            .map_err(|e| errors::input(py, format!("{}: {e}", path.display())))?;
        Ordered::new(
            icao9303::jsonl::lines(std::io::BufReader::new(file)),
            jobs,
            work,
        )
    } else if source.is_instance_of::<PyBytes>() || source.is_instance_of::<PyByteArray>() {
        return Err(errors::input(
            py,
            "verify_jsonl takes a path or an iterable of lines, not one bytes value (use .splitlines())",
        ));
    } else {
        let lines = source.try_iter().map_err(|_| {
            errors::input(
                py,
                format!(
                    "verify_jsonl takes a path or an iterable of lines, not {}",
                    source.get_type()
                ),
            )
        })?;
        Ordered::new(
            PyLines {
                lines: lines.unbind(),
                number: 0,
                stopped: Arc::clone(&stopped),
                done: false,
            },
            jobs,
            work,
        )
    };
    Ok(ReportIterator {
        outcomes: Mutex::new(outcomes),
        return_exceptions,
        stopped,
    })
}
