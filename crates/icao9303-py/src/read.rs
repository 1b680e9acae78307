//! `mrtd.read`: a chip read through a PC/SC reader, the software emulator, or any Python object with
//! `transmit(bytes) -> bytes`; and `mrtd.Emulator`, the software chip as a transport of its own.

use std::sync::{Arc, Mutex, PoisonError};

use pyo3::prelude::*;
use pyo3::types::{PyAny, PyByteArray, PyBytes, PyString, PyTuple};

use icao9303::access::Password;
use icao9303::lds::LdsFile;
use icao9303::mrz::{Mrz, MrzKey};
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::transport::{EXTENDED_RESPONSE_LEN, Transport, TransportError};
use icao9303_emu::profile::{chip_by_name, chip_names};
use icao9303_emu::transport::EmulatorTransport;
use rand_core::UnwrapErr;

use crate::document::Document;
use crate::errors::{self, Kind};
use crate::report::Report;
use crate::trust::TrustStore;

/// How often one read may resume after the card was lost (as `mrtd read`).
const MAX_RESUMES: usize = 3;

/// The names `mrtd.Emulator` and `mrtd.read(emulator=...)` take (`"brp"`, `"passport-bac"`, ...).
#[pyfunction]
pub fn emulator_profiles() -> Vec<&'static str> {
    chip_names()
}

/// The software chip of the emulator (`icao9303-emu`), personalised with one of its profiles: a card to
/// read, and a `Transport` of its own (`transmit`, `reconnect`).
#[pyclass(frozen, module = "mrtd", name = "Emulator")]
pub struct Emulator {
    transport: Mutex<EmulatorTransport>,
    mrz_key: MrzKey,
    csca: Option<Vec<u8>>,
    name: String,
}

/// The emulator's chip `name`, or an `InputError` naming the profiles.
fn named_chip(py: Python<'_>, name: &str) -> PyResult<icao9303_emu::profile::NamedChip> {
    match py.detach(|| chip_by_name(name, |_| {}, None)) {
        Ok(Some(chip)) => Ok(chip),
        Ok(None) => Err(errors::input(
            py,
            format!(
                "unknown emulator profile {name:?}; known: {}",
                chip_names().join(", ")
            ),
        )),
        Err(e) => Err(errors::error(py, format!("emulator profile {name}: {e}"))),
    }
}

#[pymethods]
impl Emulator {
    /// The chip of profile `name` (see `mrtd.emulator_profiles()`).
    #[new]
    fn new(py: Python<'_>, name: &str) -> PyResult<Emulator> {
        let chip = named_chip(py, name)?;
        Ok(Emulator {
            transport: Mutex::new(EmulatorTransport::new(chip.chip)),
            mrz_key: chip.mrz_key,
            csca: chip.csca,
            name: name.to_string(),
        })
    }

    /// The profile's name.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The test CSCA certificate (DER) the chip's EF.SOD chains to, for a trust store; None for the
    /// BSI specimen, signed by a test CSCA that is not built in.
    #[getter]
    fn csca<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.csca.as_deref().map(|c| PyBytes::new(py, c))
    }

    /// The MRZ key that opens the chip: (document number, date of birth, date of expiry).
    #[getter]
    fn mrz_key(&self) -> (String, String, String) {
        (
            self.mrz_key.document_number().to_string(),
            self.mrz_key.date_of_birth().to_string(),
            self.mrz_key.date_of_expiry().to_string(),
        )
    }

    /// Sends one command APDU to the chip and returns its response APDU. A mute or removed chip raises
    /// `TransportError`.
    fn transmit<'py>(&self, apdu: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        let py = apdu.py();
        let command = response_bytes(apdu)
            .ok_or_else(|| errors::input(py, "transmit: the command APDU must be bytes"))?;
        let response = self
            .transport
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .transmit(&command)
            .map_err(|e| errors::new(py, Kind::Transport, e.to_string()))?;
        Ok(PyBytes::new(py, &response))
    }

    /// Powers the chip off and on again, as a reader does after the card was lost.
    fn reconnect(&self, py: Python<'_>) -> PyResult<()> {
        self.transport
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reconnect()
            .map_err(|e| errors::new(py, Kind::Transport, e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!("<mrtd.Emulator {}>", self.name)
    }
}

/// An inspection system's credentials for Terminal Authentication (EAC), which opens DG3 (fingerprints)
/// and DG4 (iris): its CV certificates and its terminal key.
#[pyclass(frozen, module = "mrtd", name = "Terminal")]
pub struct Terminal {
    credentials: icao9303::auth::terminal::TerminalCredentials,
}

#[pymethods]
impl Terminal {
    /// `certificates`: the terminal certificate, its DV certificate and any CVCA link certificates (CV
    /// certificates as bytes, in any order); `key`: the terminal certificate's private key (PKCS#8, DER
    /// or PEM). With several terminal certificates, the one the key belongs to is used.
    #[new]
    fn new(certificates: &Bound<'_, PyAny>, key: &Bound<'_, PyAny>) -> PyResult<Terminal> {
        let py = certificates.py();
        let mut parsed = Vec::new();
        for (i, item) in certificates.try_iter()?.enumerate() {
            let item = item?;
            let bytes = response_bytes(&item)
                .ok_or_else(|| errors::input(py, format!("certificates[{i}]: expected bytes")))?;
            parsed.push(
                icao9303::pki::cvc::CvCertificate::parse(&bytes).map_err(|e| {
                    errors::input(py, format!("certificates[{i}]: not a CV certificate: {e}"))
                })?,
            );
        }
        let key = zeroize::Zeroizing::new(
            response_bytes(key).ok_or_else(|| errors::input(py, "key: expected bytes"))?,
        );
        let credentials = icao9303::pki::cvc::private_key::terminal_credentials(parsed, &key)
            .map_err(|e| errors::input(py, format!("terminal: {e}")))?;
        Ok(Terminal { credentials })
    }

    /// The holder references (CHR) of the certificates kept.
    #[getter]
    fn certificates(&self) -> Vec<String> {
        self.credentials
            .certificates
            .iter()
            .map(|c| c.chr().to_string())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!("<mrtd.Terminal {}>", self.certificates().join(", "))
    }
}

/// The bytes of a `bytes` or `bytearray`.
fn response_bytes(value: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    if let Ok(b) = value.cast::<PyBytes>() {
        Some(b.as_bytes().to_vec())
    } else if let Ok(b) = value.cast::<PyByteArray>() {
        Some(b.to_vec())
    } else {
        None
    }
}

/// A Python object with `transmit(bytes) -> bytes` (and optionally `reconnect()`) as the library's
/// transport. What it raises is kept, to be the `__cause__` of the `TransportError` the read ends with.
struct PyTransport {
    object: Py<PyAny>,
    raised: Arc<Mutex<Option<(PyErr, String)>>>,
}

impl PyTransport {
    fn keep(&self, error: PyErr) -> TransportError {
        let text = Python::attach(|py| {
            let kind = error
                .get_type(py)
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            format!("{kind}: {}", error.value(py))
        });
        *self.raised.lock().unwrap_or_else(PoisonError::into_inner) = Some((error, text.clone()));
        TransportError::Io(text)
    }
}

impl Transport for PyTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let answer = Python::attach(|py| {
            let response = self
                .object
                .bind(py)
                .call_method1("transmit", (PyBytes::new(py, command),))?;
            match response_bytes(&response) {
                Some(bytes) => Ok(Ok(bytes)),
                None => Ok(Err(format!(
                    "transmit() returned {}, not bytes",
                    response.get_type().name()?
                ))),
            }
        });
        match answer {
            Err(e) => Err(self.keep(e)),
            Ok(Err(what)) => Err(TransportError::Io(what)),
            Ok(Ok(bytes)) if bytes.len() > EXTENDED_RESPONSE_LEN => {
                Err(TransportError::Io(format!(
                    "transmit() returned {} bytes: longer than any response APDU ({EXTENDED_RESPONSE_LEN})",
                    bytes.len()
                )))
            }
            Ok(Ok(bytes)) => Ok(bytes),
        }
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        let result = Python::attach(|py| {
            let object = self.object.bind(py);
            if !object.hasattr("reconnect")? {
                return Ok(false);
            }
            object.call_method0("reconnect")?;
            Ok(true)
        });
        match result {
            Ok(true) => Ok(()),
            Ok(false) => Err(TransportError::Unsupported("reconnect")),
            Err(e) => Err(self.keep(e)),
        }
    }
}

/// The password: `mrz` (the whole MRZ, or a (document number, date of birth, date of expiry) tuple) or
/// `can`.
fn password(
    py: Python<'_>,
    mrz: Option<&Bound<'_, PyAny>>,
    can: Option<&str>,
) -> PyResult<Password> {
    let bad = |e: &dyn std::fmt::Display| errors::input(py, e.to_string());
    match (mrz, can) {
        (Some(_), Some(_)) => Err(errors::input(py, "give mrz or can, not both")),
        (None, None) => Err(errors::input(
            py,
            "no password: give mrz=\"the whole MRZ\" or mrz=(number, birth, expiry), or can=\"123456\"",
        )),
        (None, Some(can)) => Password::can(can).map_err(|e| bad(&e)),
        (Some(mrz), None) => {
            if let Ok(text) = mrz.cast::<PyString>() {
                let text: String = text.extract()?;
                let parsed = Mrz::parse(text.trim()).map_err(|e| bad(&e))?;
                Ok(Password::Mrz(parsed.key().map_err(|e| bad(&e))?))
            } else if let Ok(tuple) = mrz.cast::<PyTuple>() {
                let (number, birth, expiry): (String, String, String) =
                    tuple.extract().map_err(|_| {
                        errors::input(
                            py,
                            "mrz=(document number, date of birth YYMMDD, date of expiry YYMMDD)",
                        )
                    })?;
                Ok(Password::Mrz(
                    MrzKey::new(&number, &birth, &expiry).map_err(|e| bad(&e))?,
                ))
            } else {
                Err(errors::input(
                    py,
                    "mrz: the whole MRZ as a string, or (number, birth, expiry)",
                ))
            }
        }
    }
}

/// The data groups of `files=` or `leave_out=` (`what`): `"DG3"`, `"dg3"` or `3`.
fn data_groups(py: Python<'_>, what: &str, files: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<u8>> {
    let Some(files) = files else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in files.try_iter()? {
        let item = item?;
        let n = if let Ok(n) = item.extract::<u8>() {
            Some(n)
        } else if let Ok(name) = item.extract::<String>() {
            match LdsFile::all().find(|f| f.name().eq_ignore_ascii_case(name.trim())) {
                Some(LdsFile::Dg(n)) => Some(n),
                _ => None,
            }
        } else {
            None
        };
        match n {
            Some(n @ 1..=16) => out.push(n),
            _ => {
                return Err(errors::input(
                    py,
                    format!("{what}: {item} is not a data group (DG1 ... DG16)"),
                ));
            }
        }
    }
    Ok(out)
}

/// Where a read goes.
enum Source {
    Emulator(String),
    Transport(Py<PyAny>),
    #[cfg(feature = "pcsc")]
    Pcsc(Option<String>),
}

/// Authenticates and reads, resuming after a lost card (as `mrtd read` does).
fn run<T: Transport>(
    transport: T,
    password: &Password,
    options: ReaderOptions,
) -> Result<(icao9303::Document, icao9303::Report), icao9303::Error> {
    let mut rng = UnwrapErr(getrandom::SysRng);
    let mut reader = Reader::with_options(transport, options);
    reader.authenticate(password, &mut rng)?;
    reader.read_document_resuming(password, &mut rng, MAX_RESUMES)
}

/// What went wrong before the chip was read: the reader, the emulator.
enum Failure {
    Library(icao9303::Error),
    Transport(String),
    Input(String),
    Other(String),
}

/// Reads a document's chip: access control with the password (`mrz` or `can`), the files, chip
/// authentication, and their verification against `trust`. The chip is the emulator's (`emulator`),
/// reached through a Python `transport` (any object with `transmit(bytes) -> bytes`), or in a PC/SC
/// reader (`reader`: a name, part of one, or an index; the first reader holding a card when nothing is
/// given). `files` adds data groups to those the chip lists, `leave_out` leaves listed ones out (named
/// "left out by request" in the verdict); `images=False` leaves out DG2–DG7;
/// `terminal` (a `Terminal`) runs Terminal Authentication to open DG3 and DG4. The GIL is released during
/// the read (a Python transport takes it for each APDU).
#[pyfunction]
#[pyo3(signature = (reader = None, *, emulator = None, transport = None, mrz = None, can = None,
                    trust = None, files = None, leave_out = None, images = true, terminal = None,
                    allow_bac_fallback = false))]
#[allow(clippy::too_many_arguments)]
pub fn read(
    py: Python<'_>,
    reader: Option<String>,
    emulator: Option<String>,
    transport: Option<Py<PyAny>>,
    mrz: Option<&Bound<'_, PyAny>>,
    can: Option<&str>,
    trust: Option<PyRef<'_, TrustStore>>,
    files: Option<&Bound<'_, PyAny>>,
    leave_out: Option<&Bound<'_, PyAny>>,
    images: bool,
    terminal: Option<PyRef<'_, Terminal>>,
    allow_bac_fallback: bool,
) -> PyResult<(Document, Report)> {
    let source = match (reader, emulator, transport) {
        (None, Some(name), None) => Source::Emulator(name),
        (None, None, Some(object)) => {
            if !object.bind(py).hasattr("transmit")? {
                return Err(errors::input(
                    py,
                    "transport: an object with transmit(bytes) -> bytes",
                ));
            }
            Source::Transport(object)
        }
        #[cfg(feature = "pcsc")]
        (reader, None, None) => Source::Pcsc(reader),
        #[cfg(not(feature = "pcsc"))]
        (_, None, None) => {
            return Err(errors::input(
                py,
                "this build of mrtd has no PC/SC support: give emulator= or transport=",
            ));
        }
        _ => {
            return Err(errors::input(
                py,
                "give one of reader, emulator and transport",
            ));
        }
    };
    let password = password(py, mrz, can)?;
    let leave_out = data_groups(py, "leave_out", leave_out)?;
    if leave_out.contains(&1) {
        return Err(errors::input(
            py,
            "leave_out: DG1 (the MRZ) cannot be left out: every report needs it",
        ));
    }
    // What the store was built from, as `mrtd read --json` reports it.
    let trust_section = trust.as_ref().map(|t| t.store.load_report().clone());
    let options = ReaderOptions {
        trust: trust.map(|t| t.store.clone()),
        leave_out,
        allow_bac_fallback,
        read_images: images,
        extra_data_groups: data_groups(py, "files", files)?,
        terminal: terminal.map(|t| t.credentials.clone()),
        ..ReaderOptions::default()
    };
    let raised = Arc::new(Mutex::new(None));
    let result = py.detach(|| match source {
        Source::Emulator(name) => {
            let chip = chip_by_name(&name, |_| {}, None)
                .map_err(|e| Failure::Other(format!("emulator profile {name}: {e}")))?
                .ok_or_else(|| {
                    Failure::Input(format!(
                        "unknown emulator profile {name:?}; known: {}",
                        chip_names().join(", ")
                    ))
                })?;
            run(EmulatorTransport::new(chip.chip), &password, options).map_err(Failure::Library)
        }
        Source::Transport(object) => run(
            PyTransport {
                object,
                raised: Arc::clone(&raised),
            },
            &password,
            options,
        )
        .map_err(Failure::Library),
        #[cfg(feature = "pcsc")]
        Source::Pcsc(reader) => {
            use icao9303_pcsc::{ConnectOptions, PcscTransport, ReaderSelector};
            let selector = match &reader {
                Some(r) => r
                    .parse::<ReaderSelector>()
                    .unwrap_or(ReaderSelector::FirstWithCard),
                None => ReaderSelector::FirstWithCard,
            };
            let found = icao9303_pcsc::wait_for_card(&selector, std::time::Duration::ZERO)
                .map_err(|e| Failure::Transport(e.to_string()))?;
            let transport = PcscTransport::connect(
                &ReaderSelector::Name(found.name.clone()),
                &ConnectOptions::default(),
            )
            .map_err(|e| Failure::Transport(format!("reader {}: {e}", found.name)))?;
            run(transport, &password, options).map_err(Failure::Library)
        }
    });
    match result {
        Ok((document, mut report)) => {
            report.trust = trust_section;
            Ok((Document::from_read(document), Report::new(report, None)))
        }
        Err(failure) => {
            let cause = raised.lock().unwrap_or_else(PoisonError::into_inner).take();
            let error = match failure {
                // The read's last error (a refused reconnect, say) names what the transport raised first.
                Failure::Library(e) => match &cause {
                    Some((_, text)) if !e.to_string().contains(text.as_str()) => errors::new(
                        py,
                        Kind::Transport,
                        format!("{e} (after the transport raised {text})"),
                    ),
                    _ => errors::from_library(py, &e),
                },
                Failure::Transport(e) => errors::new(py, Kind::Transport, e),
                Failure::Input(e) => errors::input(py, e),
                Failure::Other(e) => errors::error(py, e),
            };
            if let Some((cause, _)) = cause {
                // KeyboardInterrupt, SystemExit: not a link failure, raised as they are.
                if !cause.is_instance_of::<pyo3::exceptions::PyException>(py) {
                    return Err(cause);
                }
                error.set_cause(py, Some(cause));
            }
            Err(error)
        }
    }
}
