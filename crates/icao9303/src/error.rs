//! The crate's top-level error: every layer's error, with the step, file and status word where they apply.

use crate::apdu::StatusWord;
pub use crate::read_plan::ReadLimit;
pub use crate::sm::SmError;
use thiserror::Error;

/// Anything that can go wrong while reading or verifying a document.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The link to the chip failed during `step`.
    #[error("{step}: {source}")]
    Transport {
        /// The protocol step.
        step: &'static str,
        /// The transport's error.
        source: crate::transport::TransportError,
    },
    /// The chip refused the password (BAC or PACE authentication failed).
    #[error("access denied: {protocol} authentication failed (SW {sw:?}): check the {password}")]
    AccessDenied {
        /// "BAC" or "PACE".
        protocol: &'static str,
        /// The status word the chip answered, if it answered with one.
        sw: Option<StatusWord>,
        /// What to check: "MRZ" or "CAN".
        password: &'static str,
    },
    /// The chip answered a step with an unexpected status word.
    #[error("{step}: chip answered {sw}")]
    Status {
        /// The protocol step.
        step: &'static str,
        /// The status word.
        sw: StatusWord,
    },
    /// The chip's answer is malformed or fails a protocol check.
    #[error("{step}: {what}")]
    Protocol {
        /// The protocol step.
        step: &'static str,
        /// What was wrong.
        what: String,
    },
    /// Domain parameters (of PACE or Chip Authentication) that may not be used: not standardized,
    /// explicit parameters overriding a standardized id, or of the wrong key agreement.
    #[error("{step}: {source}")]
    DomainParameters {
        /// The protocol step.
        step: &'static str,
        /// What was wrong with the parameters.
        source: crate::crypto::domain::DomainParameterError,
    },
    /// Secure messaging failed during `step` (a MAC mismatch ends the session).
    #[error("{step}: {source}")]
    SecureMessaging {
        /// The protocol step.
        step: &'static str,
        /// The secure messaging error.
        source: crate::sm::SmError,
    },
    /// The chip ended secure messaging on its side: right after refusing the extended-length probe it
    /// answered the next protected command with `sw` (6987, 6988 or 6982). Access control must run again
    /// (the reader's resume path does, once); nothing the chip sent under the old keys is lost.
    #[error(
        "{step}: the chip ended secure messaging after refusing the extended-length probe: it answered {sw}"
    )]
    SessionDropped {
        /// The protocol step.
        step: &'static str,
        /// The status word the chip answered.
        sw: StatusWord,
    },
    /// A file could not be read or parsed.
    #[error("{file}: {what}")]
    File {
        /// The file's name (EF.COM, DG1, EF.SOD, ...).
        file: String,
        /// What went wrong.
        what: String,
    },
    /// Reading `file` reached a limit of the reader (see [`crate::reader::ReaderOptions::max_file_len`] and
    /// [`crate::reader::ReaderOptions::max_read_rounds`]): the chip declared too large a file or did not
    /// deliver it.
    #[error("{file}: {step}: {limit}")]
    ReadLimit {
        /// The file being read.
        file: crate::lds::file::LdsFile,
        /// The protocol step.
        step: &'static str,
        /// The limit reached.
        limit: ReadLimit,
    },
    /// The caller asked for something that cannot be done in the current state.
    #[error("{0}")]
    Usage(String),
    /// A malformed TLV structure.
    #[error(transparent)]
    Tlv(#[from] crate::asn1::Asn1Error),
    /// A malformed APDU.
    #[error(transparent)]
    Apdu(#[from] crate::apdu::ApduError),
    /// An invalid MRZ or MRZ key.
    #[error(transparent)]
    Mrz(#[from] crate::mrz::MrzError),
    /// A cryptographic primitive failed.
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
}

impl Error {
    /// A protocol error for `step`.
    pub fn protocol(step: &'static str, what: impl Into<String>) -> Self {
        Error::Protocol {
            step,
            what: what.into(),
        }
    }

    /// True when the error means the password was wrong (the CLI's "access denied" exit).
    pub fn is_access_denied(&self) -> bool {
        matches!(self, Error::AccessDenied { .. })
    }
}
