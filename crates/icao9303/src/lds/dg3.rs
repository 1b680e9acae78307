//! DG3: encoded fingerprints (biometric information template group).
//!
//! `63 { 7F61 { 02 count, 7F60 { A1 header, 5F2E|7F2E finger record }… } }` (ICAO 9303-10 section 4.7.3). Each
//! finger record is ISO/IEC 19794-4 or ISO/IEC 39794-4 (see [`super::finger`]); the images are usually WSQ. DG3
//! is readable only after Terminal Authentication. A template whose record cannot be read is kept raw in
//! `unknown` with a warning: the rest of the file still parses.

use serde::Serialize;

use super::biometric::{BiometricGroup, BiometricHeader};
use super::error::{LdsError, serialize_unknown};
use super::finger::{FingerImage, FingerRecord, cbeff_finger_subtype};
use crate::tlv::Tag;

/// The tag of EF.DG3.
pub const TAG_DG3: Tag = 0x63;

/// The CBEFF biometric type of a fingerprint (Biometric Header Template tag 81).
const BIOMETRIC_TYPE_FINGERPRINT: u32 = 0x08;

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
        let group = BiometricGroup::parse("DG3", TAG_DG3, bytes)?;
        let mut dg3 = Dg3 {
            fingers: Vec::new(),
            headers: Vec::new(),
            declared_count: group.declared_count,
            unknown: group.unknown,
            warnings: group.warnings,
        };
        for (index, template) in group.templates.into_iter().enumerate() {
            let header = &template.header;
            if let Some(t) = header
                .biometric_type
                .filter(|t| *t != BIOMETRIC_TYPE_FINGERPRINT)
            {
                dg3.warnings.push(format!(
                    "DG3: template {index} has biometric type {t:#04X}, not fingerprint (0x08)"
                ));
            }
            match FingerRecord::parse_in("DG3", &template.data_block) {
                Ok(record) => {
                    // The header's subtype names one finger; a record of that finger should say the same.
                    if let (Some(subtype), [finger]) =
                        (header.biometric_subtype, &record.fingers[..])
                        && let Some(expected) = cbeff_finger_subtype(finger.position)
                        && expected != subtype
                    {
                        dg3.warnings.push(format!(
                            "DG3: template {index} header says biometric subtype {subtype:#04X}, its record holds \
                             finger position {} ({}, subtype {expected:#04X})",
                            finger.position,
                            finger.position_name.unwrap_or("?")
                        ));
                    }
                    dg3.fingers.extend(record.fingers);
                    dg3.warnings.extend(record.warnings);
                }
                Err(e) => {
                    dg3.warnings.push(format!(
                        "DG3: finger record of template {index} not readable: {e}"
                    ));
                    dg3.unknown
                        .push((template.data_block_tag, template.data_block));
                }
            }
            dg3.unknown.extend(template.unknown);
            dg3.headers.push(template.header);
        }
        if dg3.fingers.is_empty() {
            dg3.warnings.push(format!(
                "DG3: no finger image found ({} templates)",
                dg3.headers.len()
            ));
        }
        Ok(dg3)
    }
}
