//! DG11: additional personal details.
//!
//! `6B { 5C tag list, 5F0E full name, A0 { 02 count, 5F0F other name… }, 5F10 personal number, 5F2B full date of
//! birth, 5F11 place of birth, 5F42 address, 5F12 telephone, 5F13 profession, 5F14 title, 5F15 personal summary,
//! 5F16 proof of citizenship, 5F17 other valid TD numbers, 5F18 custody information }` (ICAO 9303-10 section 4.7.11).
//! Text is kept exactly as stored, `<` fillers included. Also home of [`PartialDate`], shared with DG12 and DG16.

use super::LdsElement;
use super::LdsFile;
use serde::Serialize;

use super::error::{
    LdsError, TlvContext, be_uint, decode_text, parse_file, serialize_opt_len, serialize_unknown,
    split_tag_list, to_hex,
};
use crate::asn1::{Element, Tag};

/// The tag of EF.DG11.
pub const TAG_DG11: Tag = 0x6B;

/// How a date field was encoded on the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DateEncoding {
    /// ASCII digits (`YYYYMMDD`), the ICAO 9303 form.
    Ascii,
    /// Packed BCD (four bytes `YY YY MM DD`), found on some chips.
    Bcd,
}

/// A date as stored (`YYYYMMDD`, possibly partial such as `19880000` or `1988<<<<`), with the parts that could be
/// read. The stored text is always kept in `raw`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartialDate {
    /// The date exactly as stored (BCD is shown as its digits).
    pub raw: String,
    /// How it was encoded.
    pub encoding: DateEncoding,
    /// The year, when given.
    pub year: Option<u16>,
    /// The month (1–12), when given.
    pub month: Option<u8>,
    /// The day (1–31), when given together with the month.
    pub day: Option<u8>,
}

impl PartialDate {
    /// Decodes a date value: eight ASCII characters (`YYYYMMDD`), or four bytes of BCD. Unknown parts (`00`, `<<`)
    /// stay `None`; a value that is neither form keeps its text (or hex) in `raw` with no parts.
    pub fn from_value(bytes: &[u8]) -> Self {
        let is_bcd = bytes.len() == 4
            && !bytes.iter().all(u8::is_ascii_digit)
            && bytes.iter().all(|b| b >> 4 <= 9 && b & 0x0F <= 9);
        let (raw, encoding) = if is_bcd {
            (to_hex(bytes), DateEncoding::Bcd)
        } else if bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            (
                bytes.iter().map(|b| char::from(*b)).collect(),
                DateEncoding::Ascii,
            )
        } else {
            (to_hex(bytes), DateEncoding::Ascii)
        };
        let part = |range: std::ops::Range<usize>| -> Option<u16> {
            let s = raw.get(range)?;
            if !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse::<u16>().ok().filter(|n| *n != 0)
        };
        let plausible = raw.len() == 8 || raw.len() == 4 || raw.len() == 6;
        let year = if plausible { part(0..4) } else { None };
        let month = year
            .and(part(4..6))
            .filter(|m| (1..=12).contains(m))
            .and_then(|m| u8::try_from(m).ok());
        let day = month
            .and(part(6..8))
            .filter(|d| (1..=31).contains(d))
            .and_then(|d| u8::try_from(d).ok());
        PartialDate {
            raw,
            encoding,
            year,
            month,
            day,
        }
    }

    /// The known part as ISO 8601 (`1988`, `1988-03`, `1988-03-14`), or `None` when not even the year is known.
    pub fn iso8601(&self) -> Option<String> {
        let year = self.year?;
        Some(match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{year:04}-{m:02}-{d:02}"),
            (Some(m), None) => format!("{year:04}-{m:02}"),
            _ => format!("{year:04}"),
        })
    }

    /// True when year, month and day are all known.
    pub fn is_complete(&self) -> bool {
        self.day.is_some()
    }
}

/// The parsed DG11. Every field is optional, as in the standard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dg11 {
    /// Tags the file says it contains (tag 5C).
    pub tag_list: Vec<Tag>,
    /// Full name in national characters (5F0E), primary and secondary identifiers separated by `<<`.
    pub full_name: Option<String>,
    /// Other names (5F0F, inside A0).
    pub other_names: Vec<String>,
    /// Personal number (5F10).
    pub personal_number: Option<String>,
    /// Full date of birth (5F2B).
    pub full_date_of_birth: Option<PartialDate>,
    /// Place of birth (5F11), fields separated by `<`.
    pub place_of_birth: Option<String>,
    /// Permanent address (5F42), fields separated by `<`.
    pub address: Option<String>,
    /// Telephone (5F12).
    pub telephone: Option<String>,
    /// Profession (5F13).
    pub profession: Option<String>,
    /// Title (5F14).
    pub title: Option<String>,
    /// Personal summary (5F15).
    pub personal_summary: Option<String>,
    /// Proof of citizenship (5F16): an image; serialized as its length.
    #[serde(serialize_with = "serialize_opt_len")]
    pub proof_of_citizenship: Option<Vec<u8>>,
    /// Other valid travel document numbers (5F17), separated by `<`.
    pub other_valid_td_numbers: Option<String>,
    /// Custody information (5F18).
    pub custody_information: Option<String>,
    /// Tags not defined for DG11, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

impl Dg11 {
    /// Parses a whole DG11 (tag 6B).
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        const FILE: &str = "DG11";
        let mut dg = Dg11::default();
        let outer = parse_file(FILE, TAG_DG11, bytes, &mut dg.warnings)?;
        let children = outer.children().in_file(FILE, Some(TAG_DG11))?;
        let w = &mut dg.warnings;
        for child in &children {
            let text = |w: &mut Vec<String>| Some(decode_text(FILE, child.tag, child.value, w));
            match child.tag {
                0x5C => dg.tag_list = tag_list(FILE, child.value, w),
                0x5F0E => dg.full_name = text(w),
                0xA0 => dg.other_names = counted_names(FILE, child, 0x5F0F, w)?,
                0x5F0F => dg
                    .other_names
                    .push(decode_text(FILE, child.tag, child.value, w)),
                0x5F10 => dg.personal_number = text(w),
                0x5F2B => dg.full_date_of_birth = Some(PartialDate::from_value(child.value)),
                0x5F11 => dg.place_of_birth = text(w),
                0x5F42 => dg.address = text(w),
                0x5F12 => dg.telephone = text(w),
                0x5F13 => dg.profession = text(w),
                0x5F14 => dg.title = text(w),
                0x5F15 => dg.personal_summary = text(w),
                0x5F16 => dg.proof_of_citizenship = Some(child.value.to_vec()),
                0x5F17 => dg.other_valid_td_numbers = text(w),
                0x5F18 => dg.custody_information = text(w),
                tag => dg.unknown.push((tag, child.value.to_vec())),
            }
        }
        check_tag_list(
            FILE,
            &dg.tag_list,
            &children,
            &[0xA0, 0x5F0F],
            &mut dg.warnings,
        );
        Ok(dg)
    }
}

/// Splits a tag list (5C), warning when it is cut off.
pub(crate) fn tag_list(file: &str, value: &[u8], warnings: &mut Vec<String>) -> Vec<Tag> {
    split_tag_list(value).unwrap_or_else(|partial| {
        warnings.push(format!("{file}: the tag list (5C) ends inside a tag"));
        partial
    })
}

/// Warns about tags listed in 5C but absent, and present but not listed. `aliases` are tags that stand for each
/// other (a list naming A0 may mean the 5F0F names inside it, and the other way round).
pub(crate) fn check_tag_list(
    file: &str,
    list: &[Tag],
    children: &[Element<'_>],
    aliases: &[Tag],
    warnings: &mut Vec<String>,
) {
    if list.is_empty() {
        return;
    }
    let present = |t: &Tag| {
        children.iter().any(|c| c.tag == *t)
            || (aliases.contains(t) && children.iter().any(|c| aliases.contains(&c.tag)))
    };
    let missing: Vec<String> = list
        .iter()
        .filter(|t| !present(t))
        .map(|t| format!("{t:X}"))
        .collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "{file}: tag list (5C) names tags that are absent: {}",
            missing.join(", ")
        ));
    }
    let listed = |t: Tag| {
        t == 0x5C
            || list.contains(&t)
            || (aliases.contains(&t) && list.iter().any(|l| aliases.contains(l)))
    };
    let extra: Vec<String> = children
        .iter()
        .map(|c| c.tag)
        .filter(|t| !listed(*t))
        .map(|t| format!("{t:X}"))
        .collect();
    if !extra.is_empty() {
        warnings.push(format!(
            "{file}: tags present but not in the tag list (5C): {}",
            extra.join(", ")
        ));
    }
}

/// Reads `A0 { 02 count, <tag> text… }` (other names in DG11, other persons in DG12).
pub(crate) fn counted_names(
    file: &'static str,
    template: &Element<'_>,
    tag: Tag,
    warnings: &mut Vec<String>,
) -> Result<Vec<String>, LdsError> {
    let mut count = None;
    let mut names = Vec::new();
    for item in template.children().in_file(file, Some(template.tag))? {
        match item.tag {
            0x02 => count = be_uint(item.value),
            t if t == tag => names.push(decode_text(file, t, item.value, warnings)),
            t => warnings.push(format!(
                "{file}: tag {t:X} inside {:X} ignored",
                template.tag
            )),
        }
    }
    if let Some(n) = count.filter(|n| usize::try_from(*n).ok() != Some(names.len())) {
        warnings.push(format!(
            "{file}: {:X} declares {n} entries (tag 02) but holds {}",
            template.tag,
            names.len()
        ));
    }
    Ok(names)
}

impl LdsElement for Dg11 {
    const FILES: &'static [LdsFile] = &[LdsFile::Dg(11)];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Dg11::parse(bytes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates() {
        let d = PartialDate::from_value(b"19880314");
        assert_eq!((d.year, d.month, d.day), (Some(1988), Some(3), Some(14)));
        assert_eq!(d.iso8601().as_deref(), Some("1988-03-14"));
        let d = PartialDate::from_value(b"19880000");
        assert_eq!((d.year, d.month, d.day), (Some(1988), None, None));
        assert_eq!(d.raw, "19880000");
        let d = PartialDate::from_value(b"1988<<<<");
        assert_eq!(d.iso8601().as_deref(), Some("1988"));
        assert_eq!(d.raw, "1988<<<<");
        let d = PartialDate::from_value(b"198803<<");
        assert_eq!(d.iso8601().as_deref(), Some("1988-03"));
        let d = PartialDate::from_value(&[0x20, 0x17, 0x09, 0x05]);
        assert_eq!(d.encoding, DateEncoding::Bcd);
        assert_eq!(d.iso8601().as_deref(), Some("2017-09-05"));
        let d = PartialDate::from_value(b"19881399");
        assert_eq!((d.month, d.day), (None, None));
        let d = PartialDate::from_value(&[0xFF, 0x01]);
        assert_eq!((d.raw.as_str(), d.year), ("FF01", None));
    }
}
