//! DG16: persons to notify.
//!
//! `70 { 02 count, A1 { 5F50 date recorded, 5F51 name, 5F52 telephone, 5F53 address }, A2 {…}, … }`
//! (ICAO 9303-10 section 4.7.16): one template per person, tags A1, A2, … in turn.

use super::LdsElement;
use super::LdsFile;
use serde::Serialize;

use super::dg11::PartialDate;
use super::error::{LdsError, TlvContext, be_uint, decode_text, parse_file, serialize_unknown};
use crate::asn1::{Element, Tag};

/// The tag of EF.DG16.
pub const TAG_DG16: Tag = 0x70;

/// One person to notify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PersonToNotify {
    /// The template tag (A1, A2, …).
    pub template_tag: Tag,
    /// Date the details were recorded (5F50).
    pub date_recorded: Option<PartialDate>,
    /// Name (5F51), primary and secondary identifiers separated by `<<`.
    pub name: Option<String>,
    /// Telephone (5F52).
    pub telephone: Option<String>,
    /// Address (5F53), fields separated by `<`.
    pub address: Option<String>,
    /// Other tags inside the template, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
}

/// The parsed DG16.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dg16 {
    /// The number of persons the file declares (tag 02).
    pub declared_count: Option<u32>,
    /// The persons, in file order.
    pub persons: Vec<PersonToNotify>,
    /// Tags not defined for DG16, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

const FILE: &str = "DG16";

impl Dg16 {
    /// Parses a whole DG16 (tag 70).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let mut dg = Dg16::default();
        let outer = parse_file(FILE, TAG_DG16, bytes, &mut dg.warnings)?;
        for child in outer.children().in_file(FILE, Some(TAG_DG16))? {
            match child.tag {
                0x02 => {
                    dg.declared_count = be_uint(child.value).and_then(|n| u32::try_from(n).ok())
                }
                0xA1..=0xBF => match person(child, &mut dg.warnings) {
                    Ok(p) => dg.persons.push(p),
                    Err(e) => {
                        dg.warnings.push(format!(
                            "{FILE}: person template {:X} skipped: {e}",
                            child.tag
                        ));
                        dg.unknown.push((child.tag, child.value.to_vec()));
                    }
                },
                tag => dg.unknown.push((tag, child.value.to_vec())),
            }
        }
        if let Some(n) = dg
            .declared_count
            .filter(|n| usize::try_from(*n).ok() != Some(dg.persons.len()))
        {
            dg.warnings.push(format!(
                "{FILE}: declares {n} persons (tag 02) but holds {}",
                dg.persons.len()
            ));
        }
        Ok(dg)
    }
}

fn person(template: Element<'_>, warnings: &mut Vec<String>) -> Result<PersonToNotify, LdsError> {
    let mut p = PersonToNotify {
        template_tag: template.tag,
        ..Default::default()
    };
    for field in template.children().in_file(FILE, Some(template.tag))? {
        let text = |w: &mut Vec<String>| Some(decode_text(FILE, field.tag, field.value, w));
        match field.tag {
            0x5F50 => p.date_recorded = Some(PartialDate::from_value(field.value)),
            0x5F51 => p.name = text(warnings),
            0x5F52 => p.telephone = text(warnings),
            0x5F53 => p.address = text(warnings),
            tag => p.unknown.push((tag, field.value.to_vec())),
        }
    }
    Ok(p)
}

impl LdsElement for Dg16 {
    const FILES: &'static [LdsFile] = &[LdsFile::Dg(16)];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Dg16::parse(bytes)
    }
}
