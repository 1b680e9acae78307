//! DG5, DG6, DG7: displayed portrait, other displayed image, displayed signature.
//!
//! `65|66|67 { 02 count, 5F40|5F43 image… }` (ICAO 9303-10 sections 4.7.5–4.7.7): 5F40 is a displayed portrait
//! (DG5, DG6), 5F43 a displayed signature or usual mark (DG7). The image format is recognised from its magic bytes.

use super::LdsElement;
use super::LdsFile;
use serde::Serialize;

use super::error::{LdsError, TlvContext, be_uint, parse_file, serialize_len, serialize_unknown};
use super::image::{ImageFormat, sniff_format};
use crate::asn1::Tag;

/// Tag of a displayed portrait.
pub const TAG_PORTRAIT: Tag = 0x5F40;
/// Tag of a displayed signature or usual mark.
pub const TAG_SIGNATURE: Tag = 0x5F43;

/// What a displayed image shows, from its tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DisplayedImageKind {
    /// Displayed portrait (tag 5F40).
    Portrait,
    /// Displayed signature or usual mark (tag 5F43).
    SignatureOrUsualMark,
}

/// One displayed image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisplayedImage {
    /// Portrait or signature, from the tag.
    pub kind: DisplayedImageKind,
    /// The format recognised from the magic bytes; `Unknown(0xFF)` when none matches.
    pub format: ImageFormat,
    /// The image bytes as stored; serialized as their length.
    #[serde(serialize_with = "serialize_len", rename = "data_length")]
    pub data: Vec<u8>,
}

/// A parsed DG5, DG6 or DG7.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisplayedImageGroup {
    /// The data group number: 5, 6 or 7.
    pub data_group: u8,
    /// The number of images the file declares (tag 02).
    pub declared_count: Option<u32>,
    /// The images, in file order.
    pub images: Vec<DisplayedImage>,
    /// Tags that are not part of the structure, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

/// DG5: displayed portrait.
pub type Dg5 = DisplayedImageGroup;
/// DG6: other displayed image (reserved for future use by ICAO).
pub type Dg6 = DisplayedImageGroup;
/// DG7: displayed signature or usual mark.
pub type Dg7 = DisplayedImageGroup;

impl DisplayedImageGroup {
    /// Parses a whole DG5 (tag 65), DG6 (66) or DG7 (67), recognised from its tag.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        let (data_group, file, tag) = match bytes.first() {
            Some(0x65) => (5, "DG5", 0x65),
            Some(0x66) => (6, "DG6", 0x66),
            _ => (7, "DG7", 0x67),
        };
        let mut group = DisplayedImageGroup {
            data_group,
            declared_count: None,
            images: Vec::new(),
            unknown: Vec::new(),
            warnings: Vec::new(),
        };
        let outer = parse_file(file, tag, bytes, &mut group.warnings)?;
        for child in outer.children().in_file(file, Some(tag))? {
            let kind = match child.tag {
                0x02 => {
                    group.declared_count = be_uint(child.value).and_then(|n| u32::try_from(n).ok());
                    continue;
                }
                TAG_PORTRAIT => DisplayedImageKind::Portrait,
                TAG_SIGNATURE => DisplayedImageKind::SignatureOrUsualMark,
                other => {
                    group.unknown.push((other, child.value.to_vec()));
                    continue;
                }
            };
            let expected = if data_group == 7 {
                TAG_SIGNATURE
            } else {
                TAG_PORTRAIT
            };
            if child.tag != expected {
                group.warnings.push(format!(
                    "{file}: image tag {:X} where {expected:X} is expected",
                    child.tag
                ));
            }
            let format = sniff_format(child.value).unwrap_or_else(|| {
                group.warnings.push(format!(
                    "{file}: image in tag {:X} has no known image magic",
                    child.tag
                ));
                ImageFormat::Unknown(0xFF)
            });
            group.images.push(DisplayedImage {
                kind,
                format,
                data: child.value.to_vec(),
            });
        }
        if let Some(n) = group
            .declared_count
            .filter(|n| usize::try_from(*n).ok() != Some(group.images.len()))
        {
            group.warnings.push(format!(
                "{file}: declares {n} images (tag 02) but holds {}",
                group.images.len()
            ));
        }
        Ok(group)
    }
}

impl LdsElement for DisplayedImageGroup {
    const FILES: &'static [LdsFile] = &[LdsFile::Dg(5), LdsFile::Dg(6), LdsFile::Dg(7)];

    fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        DisplayedImageGroup::parse(bytes)
    }
}
