//! The one convention every LDS parser follows: [`LdsElement`], a type that is the parsed content of one or more
//! files of the LDS (ICAO 9303-10), with the files it parses and one error type, [`LdsError`].
//!
//! The registry that maps each [`LdsFile`] to its parser is [`crate::lds::decoded::PARSERS`]; this module holds
//! the trait (so that every parser module can implement it without importing the registry) and its impls for
//! EF.SOD and SecurityInfos, whose parsers keep their own error types ([`SodError`](super::sod::SodError),
//! [`SecurityInfosError`](super::security_infos::SecurityInfosError)) because `pki` and `auth` match on them;
//! [`LdsError`] wraps both.

use super::LdsFile;
use super::error::{LdsError, TlvContext};
use super::security_infos::SecurityInfos;
use super::sod::Sod;

/// The parsed content of an LDS file: EF.COM, EF.SOD, a data group, EF.CardAccess, ...
///
/// Implemented by every file parser of [`crate::lds`]; the inherent `parse` of each type is the same function.
pub trait LdsElement: Sized {
    /// The files whose content this type is (DG5, DG6 and DG7 share one; EF.CardAccess has no wrapper tag).
    const FILES: &'static [LdsFile];

    /// Parses a whole file.
    fn parse(bytes: &[u8]) -> Result<Self, LdsError>;

    /// Parses `bytes` as the content of `file`. Where ICAO 9303-10 fixes the file's tag, a file that starts with
    /// another one is refused before parsing (DG6 bytes read as DG5 are an error, not a DG6).
    fn parse_file(file: LdsFile, bytes: &[u8]) -> Result<Self, LdsError> {
        if let Some(expected) = file.tag() {
            let (found, _) = crate::asn1::parse_tag(bytes).in_file(file.label(), None)?;
            if found != expected {
                return Err(LdsError::UnexpectedTag {
                    file: file.label(),
                    expected,
                    found,
                });
            }
        }
        Self::parse(bytes)
    }
}

impl LdsElement for Sod {
    const FILES: &'static [LdsFile] = &[LdsFile::Sod];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Ok(Sod::parse(bytes)?)
    }
}

impl LdsElement for SecurityInfos {
    const FILES: &'static [LdsFile] = &[LdsFile::CardAccess];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        SecurityInfos::parse(bytes).map_err(|source| LdsError::SecurityInfos {
            file: "EF.CardAccess",
            source,
        })
    }
}
