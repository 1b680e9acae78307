//! EF.DIR (ICAO 9303-10 section 3.11.1): the applications on the chip.
//!
//! A sequence of application templates `61 { 4F AID, 50 label?, … }` with no enclosing tag (ISO/IEC 7816-4).

use super::LdsElement;
use super::LdsFile;
use serde::Serialize;

use super::error::{LdsError, TlvContext, decode_text, serialize_unknown, to_hex};
use crate::asn1::{self, Tag};

/// The tag of an application template.
pub const TAG_APPLICATION_TEMPLATE: Tag = 0x61;
/// The tag of an application identifier.
pub const TAG_AID: Tag = 0x4F;

/// AID of the LDS1 eMRTD application.
pub const AID_LDS1: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];
/// AID of the LDS2 travel records application.
pub const AID_TRAVEL_RECORDS: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x20, 0x01];
/// AID of the LDS2 visa records application.
pub const AID_VISA_RECORDS: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x20, 0x02];
/// AID of the LDS2 additional biometrics application.
pub const AID_ADDITIONAL_BIOMETRICS: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x20, 0x03];

/// One application template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Application {
    /// The application identifier (4F), in hex.
    pub aid: String,
    /// What the AID is, for the ICAO applications.
    pub name: Option<&'static str>,
    /// Application label (50), if present.
    pub label: Option<String>,
    /// Other tags of the template, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
    /// The AID bytes.
    #[serde(skip)]
    pub aid_bytes: Vec<u8>,
}

/// The parsed EF.DIR.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EfDir {
    /// The applications, in file order.
    pub applications: Vec<Application>,
    /// Objects that are not application templates, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

/// The name of an ICAO application identifier.
pub fn aid_name(aid: &[u8]) -> Option<&'static str> {
    match aid {
        a if a == AID_LDS1 => Some("LDS1 eMRTD application"),
        a if a == AID_TRAVEL_RECORDS => Some("LDS2 travel records"),
        a if a == AID_VISA_RECORDS => Some("LDS2 visa records"),
        a if a == AID_ADDITIONAL_BIOMETRICS => Some("LDS2 additional biometrics"),
        _ => None,
    }
}

impl EfDir {
    /// Parses EF.DIR.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        const FILE: &str = "EF.DIR";
        let mut dir = EfDir::default();
        for object in asn1::parse_all(bytes).in_file(FILE, None)? {
            if object.tag != TAG_APPLICATION_TEMPLATE {
                dir.unknown.push((object.tag, object.value.to_vec()));
                continue;
            }
            let mut aid = None;
            let mut label = None;
            let mut unknown = Vec::new();
            for field in object
                .children()
                .in_file(FILE, Some(TAG_APPLICATION_TEMPLATE))?
            {
                match field.tag {
                    TAG_AID if aid.is_none() => aid = Some(field.value),
                    0x50 => {
                        label = Some(decode_text(FILE, field.tag, field.value, &mut dir.warnings))
                    }
                    tag => unknown.push((tag, field.value.to_vec())),
                }
            }
            match aid {
                Some(aid) => dir.applications.push(Application {
                    aid: to_hex(aid),
                    name: aid_name(aid),
                    label,
                    unknown,
                    aid_bytes: aid.to_vec(),
                }),
                None => {
                    dir.warnings
                        .push(format!("{FILE}: an application template has no AID (4F)"));
                    dir.unknown.push((object.tag, object.value.to_vec()));
                }
            }
        }
        Ok(dir)
    }

    /// The AIDs of all applications, in file order.
    pub fn aids(&self) -> Vec<&[u8]> {
        self.applications
            .iter()
            .map(|a| a.aid_bytes.as_slice())
            .collect()
    }

    /// True when the LDS1 eMRTD application is listed.
    pub fn has_lds1(&self) -> bool {
        self.applications.iter().any(|a| a.aid_bytes == AID_LDS1)
    }
}

impl LdsElement for EfDir {
    const FILES: &'static [LdsFile] = &[LdsFile::Dir];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        EfDir::parse(bytes)
    }
}
