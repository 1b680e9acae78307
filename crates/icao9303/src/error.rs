//! The crate's top-level error: every layer's error, with the step, file and status word where they apply.

use thiserror::Error;

/// Anything that can go wrong while reading or verifying a document.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A malformed TLV structure.
    #[error(transparent)]
    Tlv(#[from] crate::tlv::TlvError),
    /// A malformed APDU.
    #[error(transparent)]
    Apdu(#[from] crate::apdu::ApduError),
}
