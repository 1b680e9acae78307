//! DG2: encoded face (biometric information template group).
//!
//! `75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E|7F2E face record }… } }` (ICAO 9303-10 section 4.7.2). Each
//! face record is ISO/IEC 19794-5 or ISO/IEC 39794-5 (see [`super::face`]). The group is parsed by
//! [`BiometricDataGroup::parse`], shared with DG3 and DG4.

use super::LdsElement;
use super::LdsFile;
use serde::Serialize;

use super::biometric::{BiometricDataGroup, BiometricHeader};
use super::error::{LdsError, serialize_unknown};
use super::face::{FaceImage, FaceRecord};
use crate::asn1::Tag;

/// The tag of EF.DG2.
pub const TAG_DG2: Tag = 0x75;

/// The parsed DG2: every face image found, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dg2 {
    /// The face images of all templates.
    pub faces: Vec<FaceImage>,
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

impl Dg2 {
    /// Parses a whole DG2 (tag 75).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let group = BiometricDataGroup::parse::<FaceRecord>("DG2", TAG_DG2, bytes)?;
        Ok(Dg2 {
            faces: group.images,
            headers: group.headers,
            declared_count: group.declared_count,
            unknown: group.unknown,
            warnings: group.warnings,
        })
    }
}

impl LdsElement for Dg2 {
    const FILES: &'static [LdsFile] = &[LdsFile::Dg(2)];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Dg2::parse(bytes)
    }
}
