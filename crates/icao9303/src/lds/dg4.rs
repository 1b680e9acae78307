//! DG4: encoded irises (biometric information template group).
//!
//! `76 { 7F61 { 02 count, 7F60 { A1 header, 5F2E|7F2E iris record }… } }` (ICAO 9303-10 section 4.7.4). Each iris
//! record is ISO/IEC 19794-6 or ISO/IEC 39794-6 (see [`super::iris`]); the images are usually JPEG 2000. DG4 is
//! readable only after Terminal Authentication. A template whose record cannot be read is kept raw in `unknown`
//! with a warning: the rest of the file still parses.

use serde::Serialize;

use super::biometric::{BiometricGroup, BiometricHeader};
use super::error::{LdsError, serialize_unknown};
use super::iris::{IrisImage, IrisRecord};
use crate::tlv::Tag;

/// The tag of EF.DG4.
pub const TAG_DG4: Tag = 0x76;

/// The CBEFF biometric type of an iris (Biometric Header Template tag 81).
const BIOMETRIC_TYPE_IRIS: u32 = 0x10;

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
        let group = BiometricGroup::parse("DG4", TAG_DG4, bytes)?;
        let mut dg4 = Dg4 {
            irises: Vec::new(),
            headers: Vec::new(),
            declared_count: group.declared_count,
            unknown: group.unknown,
            warnings: group.warnings,
        };
        for (index, template) in group.templates.into_iter().enumerate() {
            let header = &template.header;
            if let Some(t) = header.biometric_type.filter(|t| *t != BIOMETRIC_TYPE_IRIS) {
                dg4.warnings.push(format!(
                    "DG4: template {index} has biometric type {t:#04X}, not iris (0x10)"
                ));
            }
            match IrisRecord::parse_in("DG4", &template.data_block) {
                Ok(record) => {
                    // The header's subtype (1 right, 2 left) uses the record's eye codes.
                    if let Some(subtype) = header.biometric_subtype
                        && let Some(iris) = record.irises.iter().find(|i| i.eye != subtype)
                    {
                        dg4.warnings.push(format!(
                            "DG4: template {index} header says biometric subtype {subtype:#04X}, its record holds \
                             eye {} ({})",
                            iris.eye,
                            iris.eye_name.unwrap_or("?")
                        ));
                    }
                    dg4.irises.extend(record.irises);
                    dg4.warnings.extend(record.warnings);
                }
                Err(e) => {
                    dg4.warnings.push(format!(
                        "DG4: iris record of template {index} not readable: {e}"
                    ));
                    dg4.unknown
                        .push((template.data_block_tag, template.data_block));
                }
            }
            dg4.unknown.extend(template.unknown);
            dg4.headers.push(template.header);
        }
        if dg4.irises.is_empty() {
            dg4.warnings.push(format!(
                "DG4: no iris image found ({} templates)",
                dg4.headers.len()
            ));
        }
        Ok(dg4)
    }
}
