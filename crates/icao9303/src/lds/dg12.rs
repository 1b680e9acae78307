//! DG12: additional document details.
//!
//! `6C { 5C tag list, 5F19 issuing authority, 5F26 date of issue, A0 { 02 count, 5F1A other person… },
//! 5F1B endorsements and observations, 5F1C tax/exit requirements, 5F1D front image, 5F1E rear image,
//! 5F55 date and time of personalization, 5F56 personalization system serial number }` (ICAO 9303-10 section 4.7.12).
//! On a UK Biometric Residence Permit, 5F1B carries the permit's remarks (conditions of stay).

use super::LdsElement;
use super::LdsFile;
use serde::Serialize;

use super::dg11::{PartialDate, check_tag_list, counted_names, tag_list};
use super::error::{
    LdsError, TlvContext, decode_text, parse_file, serialize_opt_len, serialize_unknown, to_hex,
};
use crate::asn1::Tag;

/// The tag of EF.DG12.
pub const TAG_DG12: Tag = 0x6C;

/// The parsed DG12. Every field is optional, as in the standard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dg12 {
    /// Tags the file says it contains (tag 5C).
    pub tag_list: Vec<Tag>,
    /// Issuing authority (5F19).
    pub issuing_authority: Option<String>,
    /// Date of issue (5F26): `YYYYMMDD` in ASCII, or four bytes of BCD on some chips.
    pub date_of_issue: Option<PartialDate>,
    /// Names of other persons (5F1A, inside A0).
    pub other_persons: Vec<String>,
    /// Endorsements and observations (5F1B).
    pub endorsements_and_observations: Option<String>,
    /// Tax or exit requirements (5F1C).
    pub tax_or_exit_requirements: Option<String>,
    /// Image of the front of the document (5F1D); serialized as its length.
    #[serde(serialize_with = "serialize_opt_len")]
    pub front_image: Option<Vec<u8>>,
    /// Image of the rear of the document (5F1E); serialized as its length.
    #[serde(serialize_with = "serialize_opt_len")]
    pub rear_image: Option<Vec<u8>>,
    /// Date and time of personalization (5F55), `YYYYMMDDhhmmss` as stored (BCD shown as its digits).
    pub personalization_date_time: Option<String>,
    /// Serial number of the personalization system (5F56).
    pub personalization_system_serial_number: Option<String>,
    /// Tags not defined for DG12, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

impl Dg12 {
    /// Parses a whole DG12 (tag 6C).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        const FILE: &str = "DG12";
        let mut dg = Dg12::default();
        let outer = parse_file(FILE, TAG_DG12, bytes, &mut dg.warnings)?;
        let children = outer.children().in_file(FILE, Some(TAG_DG12))?;
        let w = &mut dg.warnings;
        for child in &children {
            let text = |w: &mut Vec<String>| Some(decode_text(FILE, child.tag, child.value, w));
            match child.tag {
                0x5C => dg.tag_list = tag_list(FILE, child.value, w),
                0x5F19 => dg.issuing_authority = text(w),
                0x5F26 => {
                    let date = PartialDate::from_value(child.value);
                    if date.year.is_none() {
                        w.push(format!(
                            "{FILE}: date of issue (5F26) {:?} is not a date",
                            date.raw
                        ));
                    }
                    dg.date_of_issue = Some(date);
                }
                0xA0 => dg.other_persons = counted_names(FILE, child, 0x5F1A, w)?,
                0x5F1A => dg
                    .other_persons
                    .push(decode_text(FILE, child.tag, child.value, w)),
                0x5F1B => dg.endorsements_and_observations = text(w),
                0x5F1C => dg.tax_or_exit_requirements = text(w),
                0x5F1D => dg.front_image = Some(child.value.to_vec()),
                0x5F1E => dg.rear_image = Some(child.value.to_vec()),
                0x5F55 => dg.personalization_date_time = Some(date_time_text(child.value)),
                0x5F56 => dg.personalization_system_serial_number = text(w),
                tag => dg.unknown.push((tag, child.value.to_vec())),
            }
        }
        check_tag_list(
            FILE,
            &dg.tag_list,
            &children,
            &[0xA0, 0x5F1A],
            &mut dg.warnings,
        );
        Ok(dg)
    }
}

/// A date-time stored as ASCII digits, or as seven bytes of BCD (shown as its digits).
fn date_time_text(value: &[u8]) -> String {
    if value.iter().all(u8::is_ascii_digit) {
        value.iter().map(|b| char::from(*b)).collect()
    } else {
        to_hex(value)
    }
}

impl LdsElement for Dg12 {
    const FILES: &'static [LdsFile] = &[LdsFile::Dg(12)];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Dg12::parse(bytes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::asn1::der::{constructed, tlv};

    #[test]
    fn bcd_date_other_persons_and_bcd_personalization() {
        let bytes = constructed(
            TAG_DG12,
            &[
                &tlv(0x5F26, &[0x20, 0x19, 0x12, 0x31]),
                &constructed(
                    0xA0,
                    &[
                        &tlv(0x02, &[2]),
                        &tlv(0x5F1A, b"DOE<<JANE"),
                        &tlv(0x5F1A, b"DOE<<JIM"),
                    ],
                ),
                &tlv(0x5F1B, b"LEAVE TO REMAIN"),
                &tlv(0x5F55, &[0x20, 0x19, 0x12, 0x31, 0x23, 0x59, 0x00]),
                &tlv(0x5F7F, &[1, 2]),
            ],
        );
        let dg = Dg12::parse(&bytes).unwrap();
        let date = dg.date_of_issue.unwrap();
        assert_eq!(date.iso8601().as_deref(), Some("2019-12-31"));
        assert_eq!(dg.other_persons, vec!["DOE<<JANE", "DOE<<JIM"]);
        assert_eq!(
            dg.endorsements_and_observations.as_deref(),
            Some("LEAVE TO REMAIN")
        );
        assert_eq!(
            dg.personalization_date_time.as_deref(),
            Some("20191231235900")
        );
        assert_eq!(dg.unknown, vec![(0x5F7F, vec![1, 2])]);
        assert!(dg.warnings.is_empty(), "{:?}", dg.warnings);
    }
}
