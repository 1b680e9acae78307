//! Finger image records: ISO/IEC 19794-4 and ISO/IEC 39794-4.
//!
//! A DG3 biometric data block holds one finger image record in either encoding:
//! - ISO/IEC 19794-4:2005 (record version `010`): a binary record starting `FIR\0`: a 32-byte general header
//!   (resolution, bit depth and image compression, shared by all views), then per finger view a 14-byte finger
//!   image header (finger position, view, quality, impression type, line lengths) and the image bytes.
//! - ISO/IEC 39794-4:2019: ASN.1 DER, `FingerImageDataBlock ::= [APPLICATION 4]` (tag 64) with a version block
//!   `[0]` and representation blocks `[1]`, each with position `[0]`, impression `[1]`, image data format `[2]`,
//!   image data `[3]` and optional blocks (capture date `[4]`, quality `[6]`, spatial sampling rate `[7]`, …);
//!   ICAO wraps it in a context tag A1 inside data block 7F2E (as for faces).
//!
//! Both become a list of [`FingerImage`]: the image bytes, their format (from the image's magic bytes: WSQ,
//! JPEG 2000, PNG, JPEG) and the header fields. Codes are kept as the numbers of the standard the record follows
//! (see `source`); the `*_name` fields spell out the known ones.

use serde::Serialize;

use super::biometric::{
    BiometricHeader, BiometricRecord, Modality, RecordCursor, RecordEncoding, record_encoding,
    record_version,
};
use super::error::{
    LdsError, RecordProblem, TlvContext, be_uint, serialize_len, serialize_unknown, to_hex,
};
use super::face::{code_choice, ctx_fields, date_time, int_field, quality_score};
use super::image::{DecodedImage, ImageError, ImageFormat, decode_image, probe_size, sniff_format};
use crate::asn1::{self, Element, Tag};

/// Which standard a finger image record follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FingerRecordFormat {
    /// ISO/IEC 19794-4 binary record (`FIR\0`).
    Iso19794_4,
    /// ISO/IEC 39794-4 ASN.1 record (tag 64 `FingerImageDataBlock`).
    Iso39794_4,
}

/// The unit of a resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionUnit {
    /// Pixels per inch (19794-4 scale units 1, 39794-4 unit dimension 0).
    PixelsPerInch,
    /// Pixels per centimetre (19794-4 scale units 2, 39794-4 unit dimension 1).
    PixelsPerCentimetre,
    /// A unit code the standards do not define.
    Other(u32),
}

/// A horizontal and vertical resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// Horizontal samples per unit.
    pub horizontal: u32,
    /// Vertical samples per unit.
    pub vertical: u32,
    /// The unit.
    pub unit: ResolutionUnit,
}

impl Resolution {
    /// The horizontal resolution in pixels per inch, rounded (`None` for an unknown unit).
    pub fn ppi(&self) -> Option<u32> {
        match self.unit {
            ResolutionUnit::PixelsPerInch => Some(self.horizontal),
            ResolutionUnit::PixelsPerCentimetre => {
                u32::try_from((u64::from(self.horizontal) * 254 + 50) / 100).ok()
            }
            ResolutionUnit::Other(_) => None,
        }
    }
}

/// One finger (or palm) image taken from a finger image record, with the metadata the record gives for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FingerImage {
    /// The record encoding the image came from.
    pub source: FingerRecordFormat,
    /// The record's version: `010` for ISO/IEC 19794-4, `generation/year` for ISO/IEC 39794-4.
    pub record_version: String,
    /// Finger or palm position code (0 unknown, 1 right thumb … 5 right little finger, 6 left thumb … 10 left
    /// little finger, 11–15 plain multi-finger captures, 20–36 palm areas, 40–50 finger combinations).
    pub position: u32,
    /// The position in words, when the code is a known one.
    pub position_name: Option<&'static str>,
    /// The number of views of this finger (19794-4).
    pub view_count: Option<u32>,
    /// Which view this is, from 1 (19794-4).
    pub view_number: Option<u32>,
    /// Image quality (19794-4: 0–100, 254 not computed, 255 failed; 39794-4: the first quality block's score).
    pub quality: Option<u32>,
    /// Impression type code (19794-4: 0 live-scan plain, 1 live-scan rolled, 2 non-live-scan plain, 3 non-live
    /// scan rolled, 7 latent, 8 swipe, 9 live-scan contactless; 39794-4: 0 plain contact, 1 rolled contact, 4
    /// latent, 8 swipe, 24/25 contactless plain/rolled, 28 other, 29 unknown, 41/42 moving contactless).
    pub impression_type: Option<u32>,
    /// The impression type in words, when the code is a known one.
    pub impression_name: Option<&'static str>,
    /// The image compression the record declares (19794-4: 0 raw, 1 raw bit-packed, 2 WSQ, 3 JPEG, 4 JPEG 2000,
    /// 5 PNG; 39794-4 image data format: 0 PGM, 1 WSQ, 2 JPEG 2000 lossy, 3 JPEG 2000 lossless, 4 PNG).
    pub declared_compression: Option<u32>,
    /// The image encoding, recognised from the image's magic bytes (the declared code only when they are unknown).
    pub format: ImageFormat,
    /// Width in pixels, as declared by the record; from the image header when the record declares none.
    pub width: u32,
    /// Height in pixels, as declared by the record; from the image header when the record declares none.
    pub height: u32,
    /// True when `width` and `height` were read from the image header because the record has no size.
    pub size_from_image_header: bool,
    /// Bits per pixel (19794-4 pixel depth).
    pub bit_depth: Option<u32>,
    /// Image resolution (19794-4 image resolution; 39794-4 spatial sampling rate, the same both ways).
    pub resolution: Option<Resolution>,
    /// Resolution of the capture device (19794-4 scan resolution).
    pub scan_resolution: Option<Resolution>,
    /// Capture device identifier (19794-4, vendor-assigned; 0 unreported).
    pub capture_device_id: Option<u32>,
    /// Image acquisition level (19794-4 setting level, e.g. 31 for 500 ppi).
    pub image_acquisition_level: Option<u32>,
    /// Capture date and time (39794-4), ISO 8601 as far as the record gives it.
    pub capture_date_time: Option<String>,
    /// The image bytes (WSQ, JPEG 2000, PNG, JPEG, raw) exactly as stored; serialized as their length.
    #[serde(serialize_with = "serialize_len", rename = "data_length")]
    pub data: Vec<u8>,
    /// Tags of a 39794-4 representation block that this parser does not interpret, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
}

impl FingerImage {
    fn new(source: FingerRecordFormat, record_version: String) -> Self {
        FingerImage {
            source,
            record_version,
            position: 0,
            position_name: None,
            view_count: None,
            view_number: None,
            quality: None,
            impression_type: None,
            impression_name: None,
            declared_compression: None,
            format: ImageFormat::Unknown(0xFF),
            width: 0,
            height: 0,
            size_from_image_header: false,
            bit_depth: None,
            resolution: None,
            scan_resolution: None,
            capture_device_id: None,
            image_acquisition_level: None,
            capture_date_time: None,
            data: Vec::new(),
            unknown: Vec::new(),
        }
    }

    /// Decodes the image (WSQ, JPEG 2000, PNG or JPEG, recognised from its bytes) to 8-bit RGB.
    pub fn decode(&self) -> Result<DecodedImage, ImageError> {
        decode_image(&self.data)
    }

    /// A file name stem for the image: the position in words with hyphens (`right-index-finger`), or
    /// `position-N` for an unknown code.
    pub fn file_stem(&self) -> String {
        self.position_name.map_or_else(
            || format!("position-{}", self.position),
            |name| {
                name.chars()
                    .filter_map(|c| match c {
                        ' ' => Some('-'),
                        c if c.is_ascii_alphanumeric() => Some(c),
                        _ => None,
                    })
                    .collect()
            },
        )
    }

    fn set_position(&mut self, position: u32) {
        self.position = position;
        self.position_name = finger_position_name(position);
    }

    fn set_impression(&mut self, code: u32) {
        self.impression_type = Some(code);
        self.impression_name = match (self.source, code) {
            (FingerRecordFormat::Iso19794_4, 0) => Some("live-scan plain"),
            (FingerRecordFormat::Iso19794_4, 1) => Some("live-scan rolled"),
            (FingerRecordFormat::Iso19794_4, 2) => Some("non-live-scan plain"),
            (FingerRecordFormat::Iso19794_4, 3) => Some("non-live-scan rolled"),
            (FingerRecordFormat::Iso19794_4, 7) => Some("latent"),
            (FingerRecordFormat::Iso19794_4, 8) => Some("swipe"),
            (FingerRecordFormat::Iso19794_4, 9) => Some("live-scan contactless"),
            (FingerRecordFormat::Iso39794_4, 0) => Some("plain contact"),
            (FingerRecordFormat::Iso39794_4, 1) => Some("rolled contact"),
            (FingerRecordFormat::Iso39794_4, 4) => Some("latent"),
            (FingerRecordFormat::Iso39794_4, 8) => Some("swipe contact"),
            (FingerRecordFormat::Iso39794_4, 24) => Some("stationary subject contactless plain"),
            (FingerRecordFormat::Iso39794_4, 25) => Some("stationary subject contactless rolled"),
            (FingerRecordFormat::Iso39794_4, 28) => Some("other"),
            (FingerRecordFormat::Iso39794_4, 29) => Some("unknown"),
            (FingerRecordFormat::Iso39794_4, 41) => Some("moving subject contactless plain"),
            (FingerRecordFormat::Iso39794_4, 42) => Some("moving subject contactless rolled"),
            _ => None,
        };
    }

    /// Sets the image bytes and works out their format and size, warning where the record disagrees with them.
    fn set_image(
        &mut self,
        file: &str,
        data: &[u8],
        declared_size: Option<(u32, u32)>,
        warnings: &mut Vec<String>,
    ) {
        self.data = data.to_vec();
        let which = self.file_stem();
        let declared = self.declared_compression;
        let declared_format = declared.and_then(|code| declared_format(self.source, code));
        self.format = match sniff_format(data) {
            Some(found) => {
                if let Some(d) = declared_format.filter(|d| *d != found) {
                    warnings.push(format!(
                        "{file}: finger record ({which}) declares compression {} ({d:?}) but the image is {found:?}",
                        declared.unwrap_or_default()
                    ));
                }
                found
            }
            None => {
                if !matches!(declared, Some(0 | 1)) || self.source != FingerRecordFormat::Iso19794_4
                {
                    warnings.push(format!(
                        "{file}: finger image ({which}) bytes start with no known image magic ({}), declared \
                         compression {declared:?}",
                        to_hex(data.get(..8).unwrap_or(data)),
                    ));
                }
                ImageFormat::Unknown(declared.and_then(|c| u8::try_from(c).ok()).unwrap_or(0xFF))
            }
        };
        let probed = probe_size(data);
        match (declared_size, probed) {
            (Some((w, h)), probed) => {
                (self.width, self.height) = (w, h);
                if let Some((pw, ph)) = probed.filter(|p| *p != (w, h)) {
                    warnings.push(format!(
                        "{file}: finger record ({which}) declares {w}x{h} pixels but the image header says {pw}x{ph}"
                    ));
                }
            }
            (None, Some((w, h))) => {
                (self.width, self.height, self.size_from_image_header) = (w, h, true);
            }
            (None, None) => warnings.push(format!(
                "{file}: finger image ({which}) size is neither declared nor readable"
            )),
        }
    }
}

/// The finger or palm position in words (ISO/IEC 19794-4 table 2 and 5, the same codes in ISO/IEC 39794-4).
pub fn finger_position_name(code: u32) -> Option<&'static str> {
    Some(match code {
        0 => "unknown finger",
        1 => "right thumb",
        2 => "right index finger",
        3 => "right middle finger",
        4 => "right ring finger",
        5 => "right little finger",
        6 => "left thumb",
        7 => "left index finger",
        8 => "left middle finger",
        9 => "left ring finger",
        10 => "left little finger",
        11 => "plain right thumb",
        12 => "plain left thumb",
        13 => "plain right four fingers",
        14 => "plain left four fingers",
        15 => "plain thumbs",
        20 => "unknown palm",
        21 => "right full palm",
        22 => "right writer's palm",
        23 => "left full palm",
        24 => "left writer's palm",
        25 => "right lower palm",
        26 => "right upper palm",
        27 => "left lower palm",
        28 => "left upper palm",
        29 => "right other palm",
        30 => "left other palm",
        31 => "right interdigital",
        32 => "right thenar",
        33 => "right hypothenar",
        34 => "left interdigital",
        35 => "left thenar",
        36 => "left hypothenar",
        40 => "right index and middle fingers",
        41 => "right middle and ring fingers",
        42 => "right ring and little fingers",
        43 => "left index and middle fingers",
        44 => "left middle and ring fingers",
        45 => "left ring and little fingers",
        46 => "right and left index fingers",
        47 => "right index, middle and ring fingers",
        48 => "right middle, ring and little fingers",
        49 => "left index, middle and ring fingers",
        50 => "left middle, ring and little fingers",
        _ => return None,
    })
}

/// The CBEFF biometric subtype (Biometric Header Template tag 82) of a single finger position: right 0x01 or
/// left 0x02, plus thumb 0x04, index 0x08, middle 0x0C, ring 0x10, little 0x14. `None` for other positions.
pub fn cbeff_finger_subtype(position: u32) -> Option<u32> {
    match position {
        1..=5 => Some(0x01 | (position << 2)),
        6..=10 => Some(0x02 | ((position - 5) << 2)),
        _ => None,
    }
}

fn declared_format(source: FingerRecordFormat, code: u32) -> Option<ImageFormat> {
    match (source, code) {
        (FingerRecordFormat::Iso19794_4, 2) | (FingerRecordFormat::Iso39794_4, 1) => {
            Some(ImageFormat::Wsq)
        }
        (FingerRecordFormat::Iso19794_4, 3) => Some(ImageFormat::Jpeg),
        (FingerRecordFormat::Iso19794_4, 4) | (FingerRecordFormat::Iso39794_4, 2 | 3) => {
            Some(ImageFormat::Jpeg2000)
        }
        (FingerRecordFormat::Iso19794_4, 5) | (FingerRecordFormat::Iso39794_4, 4) => {
            Some(ImageFormat::Png)
        }
        _ => None,
    }
}

/// A finger image record (the value of a DG3 biometric data block, or a bare record file) and its images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FingerRecord {
    /// The encoding of the record.
    pub format: FingerRecordFormat,
    /// The finger images, in record order.
    pub fingers: Vec<FingerImage>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

impl FingerRecord {
    /// Parses a finger image record in either encoding, recognised from its first bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Self::parse_in("finger record", bytes)
    }

    /// Like [`FingerRecord::parse`], naming `file` in errors and warnings.
    pub fn parse_in(file: &'static str, bytes: &[u8]) -> Result<Self, LdsError> {
        let mut warnings = Vec::new();
        let (format, fingers) = match record_encoding(Modality::Finger, file, bytes)? {
            RecordEncoding::Iso19794 => (
                FingerRecordFormat::Iso19794_4,
                parse_iso19794_4(file, bytes, &mut warnings)?,
            ),
            RecordEncoding::Iso39794 => (
                FingerRecordFormat::Iso39794_4,
                parse_iso39794_4(file, bytes, &mut warnings)?,
            ),
        };
        Ok(FingerRecord {
            format,
            fingers,
            warnings,
        })
    }
}

impl BiometricRecord for FingerRecord {
    type Image = FingerImage;
    const MODALITY: Modality = Modality::Finger;

    fn parse_in(file: &'static str, bytes: &[u8]) -> Result<Self, LdsError> {
        FingerRecord::parse_in(file, bytes)
    }

    fn into_images(self) -> (Vec<FingerImage>, Vec<String>) {
        (self.fingers, self.warnings)
    }

    /// The header's subtype names one finger; a record of that one finger should say the same.
    fn check_subtype(
        &self,
        file: &'static str,
        index: usize,
        header: &BiometricHeader,
        warnings: &mut Vec<String>,
    ) {
        if let (Some(subtype), [finger]) = (header.biometric_subtype, &self.fingers[..])
            && let Some(expected) = cbeff_finger_subtype(finger.position)
            && expected != subtype
        {
            warnings.push(format!(
                "{file}: template {index} header says biometric subtype {subtype:#04X}, its record holds \
                 finger position {} ({}, subtype {expected:#04X})",
                finger.position,
                finger.position_name.unwrap_or("?")
            ));
        }
    }
}

/// The standard of binary finger records, as named in errors.
const ISO19794_4: &str = "ISO/IEC 19794-4";
const GENERAL_HEADER_LEN: usize = 32;
const FINGER_HEADER_LEN: usize = 14;

fn parse_iso19794_4(
    file: &'static str,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Result<Vec<FingerImage>, LdsError> {
    let problem = |offset, problem| LdsError::Record {
        file,
        standard: ISO19794_4,
        offset,
        problem,
    };
    let truncated = || problem(bytes.len(), RecordProblem::Truncated("general header"));
    let mut c = RecordCursor::new(bytes, 4);
    let version = record_version(c.take(4).ok_or_else(truncated)?);
    if version != "010" {
        return Err(problem(4, RecordProblem::UnsupportedVersion(version)));
    }
    let header = c.take(GENERAL_HEADER_LEN - 8).ok_or_else(truncated)?;
    let mut h = RecordCursor::new(header, 0);
    let field = |h: &mut RecordCursor<'_>, n| h.u32(n).unwrap_or_default();
    let record_length = h.uint(6).unwrap_or_default();
    let capture_device_id = field(&mut h, 2);
    let acquisition_level = field(&mut h, 2);
    let count = field(&mut h, 1);
    let unit = match field(&mut h, 1) {
        1 => ResolutionUnit::PixelsPerInch,
        2 => ResolutionUnit::PixelsPerCentimetre,
        other => ResolutionUnit::Other(other),
    };
    let resolution = |h: &mut RecordCursor<'_>| Resolution {
        horizontal: field(h, 2),
        vertical: field(h, 2),
        unit,
    };
    let scan_resolution = resolution(&mut h);
    let image_resolution = resolution(&mut h);
    let bit_depth = field(&mut h, 1);
    let compression = field(&mut h, 1);
    if u64::try_from(bytes.len()).ok() != Some(record_length) {
        warnings.push(format!(
            "{file}: ISO/IEC 19794-4 record length field says {record_length} bytes, the record has {}",
            bytes.len()
        ));
    }
    if count == 0 {
        warnings.push(format!(
            "{file}: ISO/IEC 19794-4 record declares no finger images"
        ));
    }
    let mut fingers = Vec::new();
    let mut block_start = GENERAL_HEADER_LEN;
    for index in 0..count {
        let block = bytes.get(block_start..).unwrap_or_default();
        let mut finger = FingerImage::new(FingerRecordFormat::Iso19794_4, version.clone());
        finger.capture_device_id = Some(capture_device_id);
        finger.image_acquisition_level = Some(acquisition_level);
        finger.scan_resolution = Some(scan_resolution);
        finger.resolution = Some(image_resolution);
        finger.bit_depth = Some(bit_depth);
        finger.declared_compression = Some(compression);
        match parse_19794_finger_block(file, block, &mut finger, warnings) {
            Ok(len) => {
                fingers.push(finger);
                block_start = block_start.saturating_add(len);
            }
            Err(e) if fingers.is_empty() => return Err(e),
            Err(e) => {
                warnings.push(format!(
                    "{file}: finger image {} of {count} skipped: {e}",
                    index + 1
                ));
                break;
            }
        }
    }
    if block_start < bytes.len() && !fingers.is_empty() {
        warnings.push(format!(
            "{file}: {} bytes after the last finger image",
            bytes.len() - block_start
        ));
    }
    Ok(fingers)
}

/// Parses one finger image header and its image; returns the block's length.
fn parse_19794_finger_block(
    file: &'static str,
    block: &[u8],
    finger: &mut FingerImage,
    warnings: &mut Vec<String>,
) -> Result<usize, LdsError> {
    let mut c = RecordCursor::new(block, 0);
    let truncated = || LdsError::Record {
        file,
        standard: ISO19794_4,
        offset: block.len(),
        problem: RecordProblem::Truncated("finger image header"),
    };
    let header = c.take(FINGER_HEADER_LEN).ok_or_else(truncated)?;
    let [
        l0,
        l1,
        l2,
        l3,
        position,
        views,
        view,
        quality,
        impression,
        w0,
        w1,
        h0,
        h1,
        _,
    ] = *header
    else {
        return Err(truncated());
    };
    let block_len = u32::from_be_bytes([l0, l1, l2, l3]);
    finger.set_position(position.into());
    finger.view_count = Some(views.into());
    finger.view_number = Some(view.into());
    finger.quality = Some(quality.into());
    finger.set_impression(impression.into());
    let declared_size = Some((
        u32::from(u16::from_be_bytes([w0, w1])),
        u32::from(u16::from_be_bytes([h0, h1])),
    ));
    let declared_len = usize::try_from(block_len).unwrap_or(usize::MAX);
    let block_len = if declared_len < FINGER_HEADER_LEN {
        return Err(LdsError::Record {
            file,
            standard: ISO19794_4,
            offset: 0,
            problem: RecordProblem::LengthTooShort {
                part: "finger data block",
                declared: u64::from(block_len),
                minimum: FINGER_HEADER_LEN,
            },
        });
    } else if declared_len > block.len() {
        warnings.push(format!(
            "{file}: ISO/IEC 19794-4 finger data block length says {declared_len} bytes, only {} present; image \
             truncated",
            block.len()
        ));
        block.len()
    } else {
        declared_len
    };
    let image = block.get(FINGER_HEADER_LEN..block_len).unwrap_or_default();
    if image.is_empty() {
        warnings.push(format!(
            "{file}: ISO/IEC 19794-4 finger image ({}) has no image data",
            finger.file_stem()
        ));
    }
    finger.set_image(file, image, declared_size, warnings);
    Ok(block_len)
}

// ---- ISO/IEC 39794-4 ----

/// The `FingerImageDataBlock` application tag.
const TAG_FINGER_IMAGE_DATA_BLOCK: Tag = 0x64;

/// Finds an ISO/IEC 39794 data block with application tag `tag` (possibly inside ICAO's A1 wrapper) and returns
/// its version (`generation/year`) and its representation blocks (the SEQUENCEs of field `[1]`).
pub(crate) fn iso39794_representations<'a>(
    file: &'static str,
    bytes: &'a [u8],
    tag: Tag,
    standard: &str,
    warnings: &mut Vec<String>,
) -> Result<(String, Vec<Element<'a>>), LdsError> {
    let (first, rest) = asn1::parse_one(bytes).in_file(file, None)?;
    if !rest.is_empty() {
        warnings.push(format!(
            "{file}: {} bytes after the {standard} data block",
            rest.len()
        ));
    }
    let block = if first.tag == tag {
        first
    } else {
        first
            .find(tag)
            .in_file(file, Some(first.tag))?
            .ok_or(LdsError::MissingTag { file, tag })?
    };
    let mut version = String::from("?");
    let mut representations = None;
    for child in block.children().in_file(file, Some(tag))? {
        match child.tag {
            0xA0 => {
                let fields = ctx_fields(file, child)?;
                let generation = int_field(&fields, 0x80).map_or("?".to_owned(), |n| n.to_string());
                let year = int_field(&fields, 0x81).map_or("?".to_owned(), |n| n.to_string());
                version = format!("{generation}/{year}");
            }
            0xA1 => representations = Some(child),
            other => warnings.push(format!(
                "{file}: {standard} data block tag {other:X} ignored"
            )),
        }
    }
    let representations = representations.ok_or(LdsError::MissingTag { file, tag: 0xA1 })?;
    let mut blocks = Vec::new();
    for (index, rep) in representations
        .children()
        .in_file(file, Some(0xA1))?
        .into_iter()
        .enumerate()
    {
        if rep.tag == 0x30 {
            blocks.push(rep);
        } else {
            warnings.push(format!(
                "{file}: {standard} representation {index} has tag {:X}, not a SEQUENCE; skipped",
                rep.tag
            ));
        }
    }
    Ok((version, blocks))
}

/// A 39794 code field: either the code itself (a primitive INTEGER or ENUMERATED) or a "code or extension
/// block" CHOICE (`[0]` code, or `[1]` extension block whose `[0]` carries the code).
pub(crate) fn code_field(field: &Element<'_>) -> Option<u32> {
    if field.is_constructed() {
        code_choice(field)
    } else {
        be_uint(field.value).and_then(|n| u32::try_from(n).ok())
    }
}

fn parse_iso39794_4(
    file: &'static str,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Result<Vec<FingerImage>, LdsError> {
    let (version, representations) = iso39794_representations(
        file,
        bytes,
        TAG_FINGER_IMAGE_DATA_BLOCK,
        "ISO/IEC 39794-4",
        warnings,
    )?;
    let mut fingers = Vec::new();
    for (index, rep) in representations.into_iter().enumerate() {
        match parse_39794_representation(file, &version, rep, warnings) {
            Ok(finger) => fingers.push(finger),
            Err(e) => warnings.push(format!("{file}: representation {index} skipped: {e}")),
        }
    }
    if fingers.is_empty() {
        warnings.push(format!(
            "{file}: ISO/IEC 39794-4 record holds no finger image"
        ));
    }
    Ok(fingers)
}

fn parse_39794_representation(
    file: &'static str,
    version: &str,
    rep: Element<'_>,
    warnings: &mut Vec<String>,
) -> Result<FingerImage, LdsError> {
    let mut finger = FingerImage::new(FingerRecordFormat::Iso39794_4, version.to_owned());
    let mut data = None;
    for field in ctx_fields(file, rep)? {
        match field.tag {
            0x80 | 0xA0 => finger.set_position(code_field(&field).unwrap_or_default()),
            0x81 | 0xA1 => {
                if let Some(code) = code_field(&field) {
                    finger.set_impression(code);
                }
            }
            0x82 | 0xA2 => finger.declared_compression = code_field(&field),
            0x83 => data = Some(field.value),
            0xA4 => finger.capture_date_time = Some(date_time(&ctx_fields(file, field)?)),
            0xA6 => finger.quality = quality_score(file, field)?,
            0xA7 => {
                // SpatialSamplingRateBlock ::= { samplesPerUnit [0] INTEGER, unitDimension [1] (0 inch, 1 cm) }
                let fields = ctx_fields(file, field)?;
                if let Some(samples) = int_field(&fields, 0x80) {
                    let unit = match fields
                        .iter()
                        .find(|f| f.tag & 0x1F == 1)
                        .and_then(code_field)
                    {
                        Some(0) => ResolutionUnit::PixelsPerInch,
                        Some(1) => ResolutionUnit::PixelsPerCentimetre,
                        other => ResolutionUnit::Other(other.unwrap_or(u32::MAX)),
                    };
                    finger.resolution = Some(Resolution {
                        horizontal: samples,
                        vertical: samples,
                        unit,
                    });
                }
            }
            // Capture device, booleans, rotation, segmentation, annotation, PAD, comments, vendor data: raw.
            tag => finger.unknown.push((tag, field.value.to_vec())),
        }
    }
    let data = data.ok_or(LdsError::MissingTag { file, tag: 0x83 })?;
    finger.set_image(file, data, None, warnings);
    Ok(finger)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::asn1::der::{self, tlv as encode};
    use crate::lds::error::RecordProblem;
    use crate::lds::face::FaceRecord;

    fn encode_constructed(tag: Tag, children: &[Vec<u8>]) -> Vec<u8> {
        let refs: Vec<&[u8]> = children.iter().map(Vec::as_slice).collect();
        der::constructed(tag, &refs)
    }

    fn record_19794(views: &[(u8, &[u8])]) -> Vec<u8> {
        let mut body = Vec::new();
        for (position, image) in views {
            let len = u32::try_from(FINGER_HEADER_LEN + image.len()).unwrap();
            body.extend_from_slice(&len.to_be_bytes());
            body.extend_from_slice(&[*position, 1, 1, 80, 0, 0, 2, 0, 3, 0]);
            body.extend_from_slice(image);
        }
        let total = GENERAL_HEADER_LEN + body.len();
        let mut out = b"FIR\x00010\x00".to_vec();
        out.extend_from_slice(&u64::try_from(total).unwrap().to_be_bytes()[2..]);
        out.extend_from_slice(&[0, 7, 0, 31, u8::try_from(views.len()).unwrap(), 2]);
        out.extend_from_slice(&[0, 197, 0, 197, 0, 197, 0, 197, 8, 0, 0, 0]);
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn parses_a_19794_4_record_with_two_views() {
        let rec = record_19794(&[(1, &[10, 20, 30, 40, 50, 60]), (10, &[1; 6])]);
        let r = FingerRecord::parse(&rec).unwrap();
        assert_eq!(r.format, FingerRecordFormat::Iso19794_4);
        assert_eq!(r.fingers.len(), 2);
        let f = &r.fingers[0];
        assert_eq!((f.position, f.position_name), (1, Some("right thumb")));
        assert_eq!(f.file_stem(), "right-thumb");
        assert_eq!((f.width, f.height), (2, 3));
        assert_eq!(f.impression_name, Some("live-scan plain"));
        assert_eq!(f.capture_device_id, Some(7));
        assert_eq!(f.declared_compression, Some(0));
        assert_eq!(f.format, ImageFormat::Unknown(0));
        let res = f.resolution.unwrap();
        assert_eq!(
            (res.unit, res.ppi()),
            (ResolutionUnit::PixelsPerCentimetre, Some(500))
        );
        assert_eq!(r.fingers[1].file_stem(), "left-little-finger");
        // Raw (uncompressed) images have no magic; that is not a warning.
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn broken_19794_4_records() {
        assert!(FingerRecord::parse(b"FIR\x00010\x00").is_err());
        let mut rec = record_19794(&[(2, &[1, 2, 3])]);
        rec[5] = b'2';
        let e = FingerRecord::parse(&rec).unwrap_err();
        assert!(e.to_string().contains("\"020\""), "{e}");
        let rec = record_19794(&[(2, &[1, 2, 3])]);
        let short = &rec[..rec.len() - 1];
        let r = FingerRecord::parse(short).unwrap();
        assert!(
            r.warnings.iter().any(|w| w.contains("image truncated")),
            "{:?}",
            r.warnings
        );
        assert!(FingerRecord::parse(b"FAC\x00").is_err());
    }

    #[test]
    fn parses_a_39794_4_record() {
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        let rep = encode_constructed(
            0x30,
            &[
                encode_constructed(0xA0, &[encode(0x80, &[7])]),
                encode_constructed(0xA1, &[encode(0x80, &[0])]),
                encode_constructed(0xA2, &[encode(0x80, &[4])]),
                encode(0x83, &png),
                encode_constructed(0xA4, &[encode(0x80, &[0x07, 0xE8]), encode(0x81, &[3])]),
                encode_constructed(
                    0xA6,
                    &[encode_constructed(
                        0x30,
                        &[
                            encode(0x80, &[1]),
                            encode_constructed(0xA1, &[encode(0x80, &[77])]),
                        ],
                    )],
                ),
                encode_constructed(0xA7, &[encode(0x80, &[0x01, 0xF4]), encode(0x81, &[0])]),
                encode(0x88, &[0xFF]),
            ],
        );
        let block = encode_constructed(
            0x64,
            &[
                encode_constructed(0xA0, &[encode(0x80, &[1]), encode(0x81, &[0x07, 0xE3])]),
                encode_constructed(0xA1, &[rep]),
            ],
        );
        let wrapped = encode_constructed(0xA1, &[block]);
        let r = FingerRecord::parse(&wrapped).unwrap();
        assert_eq!(r.format, FingerRecordFormat::Iso39794_4);
        let f = &r.fingers[0];
        assert_eq!(f.record_version, "1/2019");
        assert_eq!(f.position_name, Some("left index finger"));
        assert_eq!(f.impression_name, Some("plain contact"));
        assert_eq!(f.declared_compression, Some(4));
        assert_eq!(f.format, ImageFormat::Png);
        assert_eq!(f.quality, Some(77));
        assert_eq!(f.capture_date_time.as_deref(), Some("2024-03"));
        assert_eq!(f.resolution.unwrap().ppi(), Some(500));
        assert_eq!(f.unknown, vec![(0x88, vec![0xFF])]);
        // The PNG is a stub: its size is unreadable, which is a warning.
        assert!(
            r.warnings
                .iter()
                .any(|w| w.contains("neither declared nor readable")),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn cbeff_subtypes() {
        assert_eq!(cbeff_finger_subtype(2), Some(0x09));
        assert_eq!(cbeff_finger_subtype(7), Some(0x0A));
        assert_eq!(cbeff_finger_subtype(1), Some(0x05));
        assert_eq!(cbeff_finger_subtype(10), Some(0x16));
        assert_eq!(cbeff_finger_subtype(13), None);
    }

    #[test]
    fn record_errors_name_the_standard_and_offset() {
        let e = FaceRecord::parse_in("DG2", b"FIR\x00010\x00").unwrap_err();
        assert_eq!(
            e.to_string(),
            "DG2: face record is neither ISO/IEC 19794-5 (FAC\\0) nor ISO/IEC 39794-5 (A1/65): starts \
             4649520030313000"
        );
        let e = FingerRecord::parse_in("DG3", b"FIR\x00020\x00").unwrap_err();
        assert_eq!(
            e,
            LdsError::Record {
                file: "DG3",
                standard: "ISO/IEC 19794-4",
                offset: 4,
                problem: RecordProblem::UnsupportedVersion("020".into()),
            }
        );
        assert_eq!(
            e.to_string(),
            "DG3: ISO/IEC 19794-4 record: version \"020\" is not supported (only 010) (offset 4)"
        );
    }
}
