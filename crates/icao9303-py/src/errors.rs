//! The library's errors as the exceptions of `mrtd._errors` (defined in Python: `InputError` is also a
//! `ValueError`, which a class made here could not be).

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The exception classes of `mrtd._errors`.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// `mrtd.Error`: none of the others (an internal error).
    Error,
    /// `mrtd.InputError` (also a `ValueError`): unusable input.
    Input,
    /// `mrtd.AccessDenied`: the chip refused the password.
    AccessDenied,
    /// `mrtd.TransportError`: the link failed.
    Transport,
    /// `mrtd.ReadError`: the chip's answers could not be read.
    Read,
}

impl Kind {
    fn class_name(self) -> &'static str {
        match self {
            Kind::Error => "Error",
            Kind::Input => "InputError",
            Kind::AccessDenied => "AccessDenied",
            Kind::Transport => "TransportError",
            Kind::Read => "ReadError",
        }
    }
}

static CLASSES: [PyOnceLock<Py<PyType>>; 5] = [
    PyOnceLock::new(),
    PyOnceLock::new(),
    PyOnceLock::new(),
    PyOnceLock::new(),
    PyOnceLock::new(),
];

/// The exception class of `kind`.
pub(crate) fn class(py: Python<'_>, kind: Kind) -> PyResult<&Bound<'_, PyType>> {
    CLASSES[kind as usize].import(py, "mrtd._errors", kind.class_name())
}

/// An exception of `kind` with `message`.
pub(crate) fn new(py: Python<'_>, kind: Kind, message: impl Into<String>) -> PyErr {
    match class(py, kind) {
        Ok(class) => PyErr::from_type(class.clone(), message.into()),
        Err(e) => e,
    }
}

/// `mrtd.InputError(message)`.
pub(crate) fn input(py: Python<'_>, message: impl Into<String>) -> PyErr {
    new(py, Kind::Input, message)
}

/// `mrtd.Error(message)`.
pub(crate) fn error(py: Python<'_>, message: impl Into<String>) -> PyErr {
    new(py, Kind::Error, message)
}

/// The exception for an error of the library.
pub(crate) fn from_library(py: Python<'_>, e: &icao9303::Error) -> PyErr {
    use icao9303::Error as E;
    let kind = match e {
        E::AccessDenied { .. } => Kind::AccessDenied,
        E::Transport { .. } => Kind::Transport,
        E::Usage(_) | E::Mrz(_) => Kind::Input,
        _ => Kind::Read,
    };
    new(py, kind, e.to_string())
}
