//! The biometric structure shared by DG2, DG3 and DG4: the Biometric Information Template Group (tag 7F61, ICAO
//! 9303-10 section 4.7.2, after ISO/IEC 7816-11 and the CBEFF patron format) with its Biometric Information
//! Templates (7F60), each holding a Biometric Header Template (A1) and a biometric data block (5F2E, or 7F2E for
//! ISO/IEC 39794 encodings).
//!
//! Also here, because DG2, DG3 and DG4 share them: the one parser of a biometric data group,
//! [`BiometricDataGroup::parse`], generic over the record type it holds ([`BiometricRecord`]: a face, finger or
//! iris record), the recognition of a record's encoding ([`record_encoding`]: ISO/IEC 19794 binary or ISO/IEC
//! 39794 ASN.1) and the bounds-checked `RecordCursor` the ISO/IEC 19794 binary parsers read with. The data
//! groups themselves are in `lds::dg2`, `lds::dg3` and `lds::dg4`; the records in `lds::face`, `lds::finger` and
//! `lds::iris`.

use serde::Serialize;

pub use super::modality::{Modality, RecordEncoding};

use super::error::{
    LdsError, TlvContext, be_uint, parse_file, serialize_len, serialize_unknown, to_hex,
};
use crate::asn1::{self, Element, Tag};

/// Tag of the Biometric Information Template Group.
pub const TAG_BIT_GROUP: Tag = 0x7F61;
/// Tag of one Biometric Information Template.
pub const TAG_BIT: Tag = 0x7F60;
/// Tag of the Biometric Header Template inside a BIT.
pub const TAG_BHT: Tag = 0xA1;
/// Tag of a biometric data block with primitive encoding (ISO/IEC 19794).
pub const TAG_BDB: Tag = 0x5F2E;
/// Tag of a biometric data block with constructed encoding (ISO/IEC 39794).
pub const TAG_BDB_CONSTRUCTED: Tag = 0x7F2E;

/// The Biometric Header Template (tag A1): CBEFF header fields that describe the data block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BiometricHeader {
    /// ICAO header version (tag 80), e.g. 0x0101.
    pub icao_header_version: Option<u16>,
    /// Biometric type (tag 81): 0x02 face, 0x08 fingerprint, 0x10 iris (CBEFF).
    pub biometric_type: Option<u32>,
    /// Biometric subtype (tag 82): e.g. which finger or eye.
    pub biometric_subtype: Option<u32>,
    /// Creation date and time (tag 83), as the hex digits of its BCD encoding (YYYYMMDDhhmmss).
    pub creation_date_time: Option<String>,
    /// Validity period (tag 85), as the hex digits of its BCD encoding (two dates YYYYMMDD).
    pub validity_period: Option<String>,
    /// Creator of the biometric reference data (tag 86, PID), in hex.
    pub creator: Option<String>,
    /// Format owner (tag 87), e.g. 0x0101 for ISO/IEC JTC 1/SC 37.
    pub format_owner: Option<u16>,
    /// Format type (tag 88), e.g. 0x0008 for an ISO/IEC 19794-5 face record.
    pub format_type: Option<u16>,
    /// Tags of the header that are not listed above, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
}

impl BiometricHeader {
    /// Parses the value of a Biometric Header Template (the bytes inside tag A1).
    pub fn parse_value(
        file: &'static str,
        value: &[u8],
        warnings: &mut Vec<String>,
    ) -> Result<Self, LdsError> {
        let mut header = BiometricHeader::default();
        for field in asn1::parse_all(value).in_file(file, Some(TAG_BHT))? {
            let v = field.value;
            let as_u16 = |warnings: &mut Vec<String>| {
                let n = be_uint(v).and_then(|n| u16::try_from(n).ok());
                if n.is_none() {
                    warnings.push(format!(
                        "{file}: header tag {:X} has an unusable value {}",
                        field.tag,
                        to_hex(v)
                    ));
                }
                n
            };
            match field.tag {
                0x80 => header.icao_header_version = as_u16(warnings),
                0x81 => header.biometric_type = be_uint(v).and_then(|n| u32::try_from(n).ok()),
                0x82 => header.biometric_subtype = be_uint(v).and_then(|n| u32::try_from(n).ok()),
                0x83 => header.creation_date_time = Some(to_hex(v)),
                0x85 => header.validity_period = Some(to_hex(v)),
                0x86 => header.creator = Some(to_hex(v)),
                0x87 => header.format_owner = as_u16(warnings),
                0x88 => header.format_type = as_u16(warnings),
                tag => header.unknown.push((tag, v.to_vec())),
            }
        }
        Ok(header)
    }
}

/// One Biometric Information Template (tag 7F60): a header and its biometric data block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BiometricTemplate {
    /// The Biometric Header Template.
    pub header: BiometricHeader,
    /// The tag of the data block: 5F2E, or 7F2E (ISO/IEC 39794 encodings); 0 when the template has none.
    pub data_block_tag: Tag,
    /// The data block's value (the biometric record); serialized as its length.
    #[serde(serialize_with = "serialize_len", rename = "data_block_length")]
    pub data_block: Vec<u8>,
    /// Other tags inside the template, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
}

/// A Biometric Information Template Group (tag 7F61) as found in DG2, DG3 and DG4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BiometricGroup {
    /// The number of templates the group declares (tag 02).
    pub declared_count: Option<u32>,
    /// The templates, in file order.
    pub templates: Vec<BiometricTemplate>,
    /// Tags of the data group or the group that are not part of the structure, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

impl BiometricGroup {
    /// Parses a whole biometric data group: `outer_tag` (75, 63 or 76) containing a group 7F61.
    pub fn parse(file: &'static str, outer_tag: Tag, bytes: &[u8]) -> Result<Self, LdsError> {
        let mut trailing = Vec::new();
        let outer = parse_file(file, outer_tag, bytes, &mut trailing)?;
        let mut unknown = Vec::new();
        let mut group_tlv = None;
        for child in outer.children().in_file(file, Some(outer_tag))? {
            if child.tag == TAG_BIT_GROUP && group_tlv.is_none() {
                group_tlv = Some(child);
            } else {
                unknown.push((child.tag, child.value.to_vec()));
            }
        }
        let group_tlv = group_tlv.ok_or(LdsError::MissingTag {
            file,
            tag: TAG_BIT_GROUP,
        })?;
        let mut group = Self::parse_group(file, group_tlv)?;
        group.unknown.splice(0..0, unknown);
        group.warnings.splice(0..0, trailing);
        Ok(group)
    }

    /// Parses a group TLV (tag 7F61) that was already located.
    fn parse_group(file: &'static str, group: Element<'_>) -> Result<Self, LdsError> {
        let warnings = &mut Vec::new();
        let mut out = BiometricGroup {
            declared_count: None,
            templates: Vec::new(),
            unknown: Vec::new(),
            warnings: Vec::new(),
        };
        for child in group.children().in_file(file, Some(TAG_BIT_GROUP))? {
            match child.tag {
                0x02 => {
                    out.declared_count = be_uint(child.value).and_then(|n| u32::try_from(n).ok())
                }
                TAG_BIT => match parse_template(file, child, warnings) {
                    Ok(t) => out.templates.push(t),
                    Err(e) => {
                        warnings.push(format!(
                            "{file}: biometric information template skipped: {e}"
                        ));
                        out.unknown.push((child.tag, child.value.to_vec()));
                    }
                },
                tag => out.unknown.push((tag, child.value.to_vec())),
            }
        }
        match out.declared_count {
            Some(n) if usize::try_from(n).ok() != Some(out.templates.len()) => {
                warnings.push(format!(
                    "{file}: the group declares {n} templates (tag 02) but holds {}",
                    out.templates.len()
                ))
            }
            None => warnings.push(format!("{file}: the group has no template count (tag 02)")),
            _ => {}
        }
        out.warnings.append(warnings);
        Ok(out)
    }
}

/// Recognises a record's encoding from its first bytes: the ISO/IEC 19794 format identifier of `modality`, or its
/// ISO/IEC 39794 data block tag (or `A1`, the context tag some encoders start with). Anything else is
/// [`LdsError::UnknownRecordFormat`].
pub fn record_encoding(
    modality: Modality,
    file: &'static str,
    record: &[u8],
) -> Result<RecordEncoding, LdsError> {
    if record.starts_with(modality.iso19794_magic()) {
        Ok(RecordEncoding::Iso19794)
    } else if matches!(record.first(), Some(&b) if b == 0xA1 || b == modality.iso39794_tag()) {
        Ok(RecordEncoding::Iso39794)
    } else {
        Err(LdsError::UnknownRecordFormat {
            file,
            modality,
            start: record.get(..8).unwrap_or(record).to_vec(),
        })
    }
}

/// A biometric record type that a data group's templates hold: a face, finger or iris record.
pub trait BiometricRecord: Sized {
    /// One image of the record.
    type Image;
    /// Which biometric the record holds.
    const MODALITY: Modality;
    /// Parses one record (a data block's value), naming `file` in errors and warnings.
    fn parse_in(file: &'static str, bytes: &[u8]) -> Result<Self, LdsError>;
    /// The record's images and the warnings its parse produced.
    fn into_images(self) -> (Vec<Self::Image>, Vec<String>);
    /// Compares the template header's biometric subtype (tag 82) with what the record says, warning on a
    /// mismatch. `index` is the template's position in the group.
    fn check_subtype(
        &self,
        _file: &'static str,
        _index: usize,
        _header: &BiometricHeader,
        _warnings: &mut Vec<String>,
    ) {
    }
}

/// A parsed biometric data group (DG2, DG3 or DG4): the images of every template, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BiometricDataGroup<I> {
    /// The images of all templates.
    pub images: Vec<I>,
    /// The biometric header template of each template, in file order.
    pub headers: Vec<BiometricHeader>,
    /// The number of templates the group declares (tag 02).
    pub declared_count: Option<u32>,
    /// Tags that are not part of the structure, and data blocks that could not be read, with their values.
    pub unknown: Vec<(Tag, Vec<u8>)>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

impl<I> BiometricDataGroup<I> {
    /// Parses a whole biometric data group of records `R` (DG2: tag 75 and face records, DG3: 63 and finger
    /// records, DG4: 76 and iris records). A template whose record cannot be read is kept raw in `unknown`
    /// with a warning: the rest of the group still parses.
    pub fn parse<R: BiometricRecord<Image = I>>(
        file: &'static str,
        outer_tag: Tag,
        bytes: &[u8],
    ) -> Result<Self, LdsError> {
        let modality = R::MODALITY;
        let group = BiometricGroup::parse(file, outer_tag, bytes)?;
        let mut out = BiometricDataGroup {
            images: Vec::new(),
            headers: Vec::new(),
            declared_count: group.declared_count,
            unknown: group.unknown,
            warnings: group.warnings,
        };
        for (index, template) in group.templates.into_iter().enumerate() {
            let header = &template.header;
            if let Some(t) = header
                .biometric_type
                .filter(|t| *t != modality.biometric_type())
            {
                out.warnings.push(format!(
                    "{file}: template {index} has biometric type {t:#04X}, not {} ({:#04X})",
                    modality.name(),
                    modality.biometric_type()
                ));
            }
            match R::parse_in(file, &template.data_block) {
                Ok(record) => {
                    record.check_subtype(file, index, header, &mut out.warnings);
                    let (images, warnings) = record.into_images();
                    out.images.extend(images);
                    out.warnings.extend(warnings);
                }
                Err(e) => {
                    out.warnings.push(format!(
                        "{file}: {} record of template {index} not readable: {e}",
                        modality.name()
                    ));
                    out.unknown
                        .push((template.data_block_tag, template.data_block));
                }
            }
            out.unknown.extend(template.unknown);
            out.headers.push(template.header);
        }
        if out.images.is_empty() {
            out.warnings.push(format!(
                "{file}: no {} image found ({} templates)",
                modality.name(),
                out.headers.len()
            ));
        }
        Ok(out)
    }
}

/// A cursor over an ISO/IEC 19794 binary record that never reads past the end.
pub(crate) struct RecordCursor<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> RecordCursor<'a> {
    /// A cursor at `pos` of `bytes`.
    pub(crate) fn new(bytes: &'a [u8], pos: usize) -> Self {
        RecordCursor { bytes, pos }
    }

    /// The next `n` bytes, or `None` when fewer remain.
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    /// An `n`-byte big-endian unsigned number (n ≤ 8).
    pub(crate) fn uint(&mut self, n: usize) -> Option<u64> {
        Some(
            self.take(n)?
                .iter()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
        )
    }

    /// An `n`-byte big-endian unsigned number that fits in 32 bits.
    pub(crate) fn u32(&mut self, n: usize) -> Option<u32> {
        u32::try_from(self.uint(n)?).ok()
    }
}

/// Reads an ISO/IEC 19794 record version (`010\0`) as text.
pub(crate) fn record_version(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take_while(|b| **b != 0)
        .map(|b| char::from(*b))
        .collect()
}

fn parse_template(
    file: &'static str,
    bit: Element<'_>,
    warnings: &mut Vec<String>,
) -> Result<BiometricTemplate, LdsError> {
    let mut header = None;
    let mut data_block: Option<(Tag, &[u8])> = None;
    let mut unknown = Vec::new();
    for child in bit.children().in_file(file, Some(TAG_BIT))? {
        match child.tag {
            TAG_BHT if header.is_none() => {
                header = Some(BiometricHeader::parse_value(file, child.value, warnings)?)
            }
            TAG_BDB | TAG_BDB_CONSTRUCTED if data_block.is_none() => {
                data_block = Some((child.tag, child.value))
            }
            tag => unknown.push((tag, child.value.to_vec())),
        }
    }
    let header = header.unwrap_or_else(|| {
        warnings.push(format!(
            "{file}: a template has no biometric header template (tag A1)"
        ));
        BiometricHeader::default()
    });
    let (data_block_tag, data_block) = match data_block {
        Some((tag, value)) => (tag, value.to_vec()),
        None => return Err(LdsError::MissingTag { file, tag: TAG_BDB }),
    };
    Ok(BiometricTemplate {
        header,
        data_block_tag,
        data_block,
        unknown,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::asn1::der::{constructed, tlv};

    fn sample_dg3(count: u8, records: &[&[u8]]) -> Vec<u8> {
        let mut kids = vec![tlv(0x02, &[count])];
        for r in records {
            let bht = constructed(
                TAG_BHT,
                &[
                    &tlv(0x81, &[0x08]),
                    &tlv(0x82, &[0x05]),
                    &tlv(0x87, &[1, 1]),
                    &tlv(0x88, &[0, 7]),
                ],
            );
            kids.push(constructed(TAG_BIT, &[&bht, &tlv(TAG_BDB, r)]));
        }
        constructed(0x63, &[&tlv(TAG_BIT_GROUP, &kids.concat())])
    }

    #[test]
    fn dg3_structure() {
        let dg3 = BiometricGroup::parse("DG3", 0x63, &sample_dg3(2, &[b"FIR\0abc", b"FIR\0defgh"]))
            .unwrap();
        assert_eq!(dg3.declared_count, Some(2));
        assert_eq!(dg3.templates.len(), 2);
        let t = &dg3.templates[1];
        assert_eq!(t.header.biometric_type, Some(8));
        assert_eq!(t.header.biometric_subtype, Some(5));
        assert_eq!(t.header.format_owner, Some(0x0101));
        assert_eq!(t.header.format_type, Some(7));
        assert_eq!(t.data_block_tag, TAG_BDB);
        assert_eq!(t.data_block.len(), 9);
        assert!(dg3.warnings.is_empty(), "{:?}", dg3.warnings);
    }

    #[test]
    fn count_mismatch_is_a_warning() {
        let dg3 = BiometricGroup::parse("DG3", 0x63, &sample_dg3(3, &[b"FIR\0"])).unwrap();
        assert_eq!(dg3.templates.len(), 1);
        assert_eq!(dg3.warnings.len(), 1);
    }

    #[test]
    fn wrong_file_is_an_error() {
        let e = super::super::dg4::Dg4::parse(&sample_dg3(1, &[b"x"])).unwrap_err();
        assert_eq!(
            e,
            LdsError::UnexpectedTag {
                file: "DG4",
                expected: 0x76,
                found: 0x63
            }
        );
    }
}
