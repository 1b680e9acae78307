//! DG4: encoded irises (biometric information template group).
//!
//! `76 { 7F61 { 02 count, 7F60 { A1 header, 5F2E|7F2E iris record }… } }` (ICAO 9303-10 section 4.7.4). Each iris
//! record is ISO/IEC 19794-6 or ISO/IEC 39794-6 (see [`super::iris`]); the images are usually JPEG 2000. DG4 is
//! readable only after Terminal Authentication. The group is parsed by [`BiometricDataGroup::parse`], shared with DG2
//! and DG3.

use super::LdsElement;
use super::LdsFile;
use serde::Serialize;

use super::biometric::{BiometricDataGroup, BiometricHeader};
use super::error::{LdsError, serialize_unknown};
use super::iris::{IrisImage, IrisRecord};
use crate::asn1::Tag;

/// The tag of EF.DG4.
pub const TAG_DG4: Tag = 0x76;

/// The parsed DG4: every iris image found, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dg4 {
    /// The iris images of all templates.
    pub irises: Vec<IrisImage>,
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

impl Dg4 {
    /// Parses a whole DG4 (tag 76).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let group = BiometricDataGroup::parse::<IrisRecord>("DG4", TAG_DG4, bytes)?;
        Ok(Dg4 {
            irises: group.images,
            headers: group.headers,
            declared_count: group.declared_count,
            unknown: group.unknown,
            warnings: group.warnings,
        })
    }
}

impl LdsElement for Dg4 {
    const FILES: &'static [LdsFile] = &[LdsFile::Dg(4)];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Dg4::parse(bytes)
    }
}
