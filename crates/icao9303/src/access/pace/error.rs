//! The error of the PACE computations both sides share ([`super::primitives`], [`super::im`]).

use crate::crypto::CryptoError;
use crate::crypto::dh::DhError;
use crate::crypto::ec::EcError;

/// Why a PACE computation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaceCryptoError {
    /// A curve operation failed (invalid point, infinity, ...).
    #[error(transparent)]
    Ec(#[from] EcError),
    /// A DH value failed its checks.
    #[error(transparent)]
    Dh(#[from] DhError),
    /// A cipher or padding failure.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A value of the wrong size or shape.
    #[error("{0}")]
    Invalid(&'static str),
}
