//! DG3: encoded fingerprints (biometric information template group).
//!
//! `63 { 7F61 { 02 count, 7F60 { A1 header, 5F2E|7F2E finger record }… } }` (ICAO 9303-10 section 4.7.3). Each
//! finger record is ISO/IEC 19794-4 or ISO/IEC 39794-4 (see [`super::finger`]); the images are usually WSQ. DG3
//! is readable only after Terminal Authentication. The group is parsed by [`BiometricDataGroup::parse`], shared with
//! DG2 and DG4.

use super::LdsElement;
use super::LdsFile;
use serde::Serialize;

use super::biometric::{BiometricDataGroup, BiometricHeader};
use super::error::{LdsError, serialize_unknown};
use super::finger::{FingerImage, FingerRecord};
use crate::asn1::Tag;

/// The tag of EF.DG3.
pub const TAG_DG3: Tag = 0x63;

/// The parsed DG3: every finger image found, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dg3 {
    /// The finger images of all templates.
    pub fingers: Vec<FingerImage>,
    /// The biometric header template of each template, in file order.
    pub headers: Vec<BiometricHeader>,
    /// The number of templates the group declares (tag 02).
    pub declared_count: Option<u32>,
    /// Tags that are not part of the structure, and data blocks that could not be read, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

impl Dg3 {
    /// Parses a whole DG3 (tag 63).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let group = BiometricDataGroup::parse::<FingerRecord>("DG3", TAG_DG3, bytes)?;
        Ok(Dg3 {
            fingers: group.images,
            headers: group.headers,
            declared_count: group.declared_count,
            unknown: group.unknown,
            warnings: group.warnings,
        })
    }
}

impl LdsElement for Dg3 {
    const FILES: &'static [LdsFile] = &[LdsFile::Dg(3)];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Dg3::parse(bytes)
    }
}
