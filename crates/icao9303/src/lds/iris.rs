//! Iris image records: ISO/IEC 19794-6 and ISO/IEC 39794-6.
//!
//! A DG4 biometric data block holds one iris image record in either encoding:
//! - ISO/IEC 19794-6:2005 (record version `010`): a binary record starting `IIR\0`: a 45-byte record header
//!   (image format, size, intensity depth, iris diameter, image properties, shared by all images), then per eye a
//!   3-byte biometric subtype header (eye, number of images) and per image an 11-byte image header (sequence
//!   number, quality, rotation angle and its uncertainty, image length) and the image bytes.
//! - ISO/IEC 39794-6:2021: ASN.1 DER, `IrisImageDataBlock ::= [APPLICATION 6]` (tag 66) with a version block `[0]`
//!   and representation blocks `[1]`, each with eye label `[0]`, image kind `[1]`, bit depth `[2]`, image data
//!   format `[3]`, orientations `[4]`/`[5]`, compression history `[6]`, range `[7]`, capture date `[8]`, image
//!   data `[9]` and optional blocks (quality `[11]`, roll angle `[12]`, …); ICAO wraps it in A1 inside 7F2E.
//!
//! Both become a list of [`IrisImage`]. Codes are kept as the numbers of the standard the record follows.
//!
//! The 19794-6 image property bit field is kept whole: the two sources at hand (NIST's biomdi and JMRTD) put its
//! scan type, occlusion, occlusion filling and boundary extraction bits in different places. Only the orientation
//! bits, where they agree (bits 0–1 horizontal, bits 2–3 vertical), are decoded.

use serde::Serialize;

use super::biometric::{
    BiometricHeader, BiometricRecord, Modality, RecordCursor, RecordEncoding, record_encoding,
    record_version,
};
use super::error::{LdsError, RecordProblem, serialize_len, serialize_unknown, to_hex};
use super::face::{ctx_fields, date_time, int_field, quality_score};
use super::finger::{code_field, iso39794_representations};
use super::image::{DecodedImage, ImageError, ImageFormat, decode_image, probe_size, sniff_format};
use crate::asn1::{Element, Tag};

/// Which standard an iris image record follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum IrisRecordFormat {
    /// ISO/IEC 19794-6 binary record (`IIR\0`).
    Iso19794_6,
    /// ISO/IEC 39794-6 ASN.1 record (tag 66 `IrisImageDataBlock`).
    Iso39794_6,
}

/// One iris image taken from an iris image record, with the metadata the record gives for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IrisImage {
    /// The record encoding the image came from.
    pub source: IrisRecordFormat,
    /// The record's version: `010` for ISO/IEC 19794-6, `generation/year` for ISO/IEC 39794-6.
    pub record_version: String,
    /// Eye code (both standards: 0 undefined, 1 right eye, 2 left eye; the CBEFF subtype uses the same values).
    pub eye: u32,
    /// The eye in words, when the code is a known one.
    pub eye_name: Option<&'static str>,
    /// The image format the record declares (19794-6: 0x0002 mono raw, 0x0004 RGB raw, 0x0006 mono JPEG, 0x0008
    /// RGB JPEG, 0x000A/0x000C mono/RGB JPEG-LS, 0x000E mono JPEG 2000, 0x0010 RGB JPEG 2000; 39794-6: 0 PGM,
    /// 1 PPM, 2 PNG, 3 JPEG 2000 lossless, 4 JPEG 2000 lossy).
    pub declared_image_format: Option<u32>,
    /// The declared image format in words, when the code is a known one.
    pub declared_image_format_name: Option<&'static str>,
    /// The image encoding, recognised from the image's magic bytes.
    pub format: ImageFormat,
    /// Width in pixels, as declared by the record; from the image header when the record declares none.
    pub width: u32,
    /// Height in pixels, as declared by the record; from the image header when the record declares none.
    pub height: u32,
    /// True when `width` and `height` were read from the image header because the record has no size.
    pub size_from_image_header: bool,
    /// Bits per pixel (19794-6 intensity depth: 24 for 8-bit RGB; 39794-6 bit depth).
    pub bit_depth: Option<u32>,
    /// Image quality (19794-6 quality byte; 39794-6 the first quality block's score).
    pub quality: Option<u32>,
    /// Image sequence number within the eye (19794-6).
    pub sequence_number: Option<u32>,
    /// Rotation angle of the eye (19794-6 raw units, 39794-6 roll angle); `None` when undefined (0xFFFF).
    pub rotation_angle: Option<u32>,
    /// Uncertainty of the rotation angle, as above.
    pub rotation_uncertainty: Option<u32>,
    /// Expected iris diameter in pixels (19794-6).
    pub iris_diameter: Option<u32>,
    /// The 19794-6 image property bit field, whole (see the module documentation).
    pub image_properties: Option<u32>,
    /// Horizontal orientation (19794-6 property bits 0–1, 39794-6 field 4: 0 undefined, 1 base, 2 flipped).
    pub horizontal_orientation: Option<u32>,
    /// Vertical orientation (19794-6 property bits 2–3, 39794-6 field 5: 0 undefined, 1 base, 2 flipped).
    pub vertical_orientation: Option<u32>,
    /// Image transformation (19794-6: 0 undefined, 1 standard).
    pub image_transformation: Option<u32>,
    /// Capture device identifier (19794-6, vendor-assigned; 0 unreported).
    pub capture_device_id: Option<u32>,
    /// Device unique identifier (19794-6), in hex; `None` when all zero (not present).
    pub device_unique_id: Option<String>,
    /// Iris image kind (39794-6: 1 uncropped, 2 VGA, 3 cropped, 7 cropped and masked).
    pub image_kind: Option<u32>,
    /// Compression history (39794-6: 0 undefined, 1 lossless or none, 2 lossy).
    pub compression_history: Option<u32>,
    /// Capture date and time (39794-6), ISO 8601 as far as the record gives it.
    pub capture_date_time: Option<String>,
    /// The image bytes exactly as stored; serialized as their length.
    #[serde(serialize_with = "serialize_len", rename = "data_length")]
    pub data: Vec<u8>,
    /// Tags of a 39794-6 representation block that this parser does not interpret, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
}

impl IrisImage {
    fn new(source: IrisRecordFormat, record_version: String) -> Self {
        IrisImage {
            source,
            record_version,
            eye: 0,
            eye_name: None,
            declared_image_format: None,
            declared_image_format_name: None,
            format: ImageFormat::Unknown(0xFF),
            width: 0,
            height: 0,
            size_from_image_header: false,
            bit_depth: None,
            quality: None,
            sequence_number: None,
            rotation_angle: None,
            rotation_uncertainty: None,
            iris_diameter: None,
            image_properties: None,
            horizontal_orientation: None,
            vertical_orientation: None,
            image_transformation: None,
            capture_device_id: None,
            device_unique_id: None,
            image_kind: None,
            compression_history: None,
            capture_date_time: None,
            data: Vec::new(),
            unknown: Vec::new(),
        }
    }

    /// Decodes the image (JPEG 2000, JPEG or PNG, recognised from its bytes) to 8-bit RGB.
    pub fn decode(&self) -> Result<DecodedImage, ImageError> {
        decode_image(&self.data)
    }

    /// A file name stem for the image: `right-eye`, `left-eye` or `eye-N`.
    pub fn file_stem(&self) -> String {
        match self.eye {
            1 => "right-eye".to_owned(),
            2 => "left-eye".to_owned(),
            n => format!("eye-{n}"),
        }
    }

    fn set_eye(&mut self, eye: u32) {
        self.eye = eye;
        self.eye_name = match eye {
            0 => Some("undefined"),
            1 => Some("right eye"),
            2 => Some("left eye"),
            _ => None,
        };
    }

    fn set_declared_format(&mut self, code: u32) {
        self.declared_image_format = Some(code);
        self.declared_image_format_name = match (self.source, code) {
            (IrisRecordFormat::Iso19794_6, 0x02) => Some("mono raw"),
            (IrisRecordFormat::Iso19794_6, 0x04) => Some("RGB raw"),
            (IrisRecordFormat::Iso19794_6, 0x06) => Some("mono JPEG"),
            (IrisRecordFormat::Iso19794_6, 0x08) => Some("RGB JPEG"),
            (IrisRecordFormat::Iso19794_6, 0x0A) => Some("mono JPEG-LS"),
            (IrisRecordFormat::Iso19794_6, 0x0C) => Some("RGB JPEG-LS"),
            (IrisRecordFormat::Iso19794_6, 0x0E) => Some("mono JPEG 2000"),
            (IrisRecordFormat::Iso19794_6, 0x10) => Some("RGB JPEG 2000"),
            (IrisRecordFormat::Iso39794_6, 0) => Some("PGM"),
            (IrisRecordFormat::Iso39794_6, 1) => Some("PPM"),
            (IrisRecordFormat::Iso39794_6, 2) => Some("PNG"),
            (IrisRecordFormat::Iso39794_6, 3) => Some("JPEG 2000 lossless"),
            (IrisRecordFormat::Iso39794_6, 4) => Some("JPEG 2000 lossy"),
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
        let declared_format = self
            .declared_image_format
            .and_then(|code| declared_format(self.source, code));
        self.format = match sniff_format(data) {
            Some(found) => {
                if let Some(d) = declared_format.filter(|d| *d != found) {
                    warnings.push(format!(
                        "{file}: iris record ({which}) declares image format {:#06X} ({d:?}) but the image is {found:?}",
                        self.declared_image_format.unwrap_or_default()
                    ));
                }
                found
            }
            None => {
                warnings.push(format!(
                    "{file}: iris image ({which}) bytes start with no known image magic ({}), declared format {:?}",
                    to_hex(data.get(..8).unwrap_or(data)),
                    self.declared_image_format_name
                ));
                ImageFormat::Unknown(
                    self.declared_image_format
                        .and_then(|c| u8::try_from(c).ok())
                        .unwrap_or(0xFF),
                )
            }
        };
        match (declared_size, probe_size(data)) {
            (Some((w, h)), probed) => {
                (self.width, self.height) = (w, h);
                if let Some((pw, ph)) = probed.filter(|p| *p != (w, h)) {
                    warnings.push(format!(
                        "{file}: iris record ({which}) declares {w}x{h} pixels but the image header says {pw}x{ph}"
                    ));
                }
            }
            (None, Some((w, h))) => {
                (self.width, self.height, self.size_from_image_header) = (w, h, true);
            }
            (None, None) => warnings.push(format!(
                "{file}: iris image ({which}) size is neither declared nor readable"
            )),
        }
    }
}

fn declared_format(source: IrisRecordFormat, code: u32) -> Option<ImageFormat> {
    match (source, code) {
        (IrisRecordFormat::Iso19794_6, 0x06 | 0x08) => Some(ImageFormat::Jpeg),
        (IrisRecordFormat::Iso19794_6, 0x0E | 0x10) | (IrisRecordFormat::Iso39794_6, 3 | 4) => {
            Some(ImageFormat::Jpeg2000)
        }
        (IrisRecordFormat::Iso39794_6, 2) => Some(ImageFormat::Png),
        _ => None,
    }
}

/// An iris image record (the value of a DG4 biometric data block, or a bare record file) and its images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IrisRecord {
    /// The encoding of the record.
    pub format: IrisRecordFormat,
    /// The iris images, in record order.
    pub irises: Vec<IrisImage>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

impl IrisRecord {
    /// Parses an iris image record in either encoding, recognised from its first bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Self::parse_in("iris record", bytes)
    }

    /// Like [`IrisRecord::parse`], naming `file` in errors and warnings.
    pub fn parse_in(file: &'static str, bytes: &[u8]) -> Result<Self, LdsError> {
        let mut warnings = Vec::new();
        let (format, irises) = match record_encoding(Modality::Iris, file, bytes)? {
            RecordEncoding::Iso19794 => (
                IrisRecordFormat::Iso19794_6,
                parse_iso19794_6(file, bytes, &mut warnings)?,
            ),
            RecordEncoding::Iso39794 => (
                IrisRecordFormat::Iso39794_6,
                parse_iso39794_6(file, bytes, &mut warnings)?,
            ),
        };
        Ok(IrisRecord {
            format,
            irises,
            warnings,
        })
    }
}

impl BiometricRecord for IrisRecord {
    type Image = IrisImage;
    const MODALITY: Modality = Modality::Iris;

    fn parse_in(file: &'static str, bytes: &[u8]) -> Result<Self, LdsError> {
        IrisRecord::parse_in(file, bytes)
    }

    fn into_images(self) -> (Vec<IrisImage>, Vec<String>) {
        (self.irises, self.warnings)
    }

    /// The header's subtype (1 right, 2 left) uses the record's eye codes.
    fn check_subtype(
        &self,
        file: &'static str,
        index: usize,
        header: &BiometricHeader,
        warnings: &mut Vec<String>,
    ) {
        if let Some(subtype) = header.biometric_subtype
            && let Some(iris) = self.irises.iter().find(|i| i.eye != subtype)
        {
            warnings.push(format!(
                "{file}: template {index} header says biometric subtype {subtype:#04X}, its record holds eye {} ({})",
                iris.eye,
                iris.eye_name.unwrap_or("?")
            ));
        }
    }
}

const RECORD_HEADER_LEN: usize = 45;
const SUBTYPE_HEADER_LEN: usize = 3;
const IMAGE_HEADER_LEN: usize = 11;
const UNDEFINED_ANGLE: u32 = 0xFFFF;

fn parse_iso19794_6(
    file: &'static str,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Result<Vec<IrisImage>, LdsError> {
    let problem = |offset, problem| LdsError::Record {
        file,
        standard: "ISO/IEC 19794-6",
        offset,
        problem,
    };
    let truncated = || problem(bytes.len(), RecordProblem::Truncated("record header"));
    let mut c = RecordCursor::new(bytes, 4);
    let version = record_version(c.take(4).ok_or_else(truncated)?);
    if version != "010" {
        return Err(problem(4, RecordProblem::UnsupportedVersion(version)));
    }
    let header = c.take(RECORD_HEADER_LEN - 8).ok_or_else(truncated)?;
    let mut h = RecordCursor::new(header, 0);
    let mut field = |n| h.u32(n).unwrap_or_default();
    let record_length = field(4);
    let capture_device_id = field(2);
    let subtypes = field(1);
    let header_length = field(2);
    let properties = field(2);
    let diameter = field(2);
    let image_format = field(2);
    let width = field(2);
    let height = field(2);
    let depth = field(1);
    let transformation = field(1);
    let device_unique_id = header.get(21..37).unwrap_or_default();
    if usize::try_from(record_length).ok() != Some(bytes.len()) {
        warnings.push(format!(
            "{file}: ISO/IEC 19794-6 record length field says {record_length} bytes, the record has {}",
            bytes.len()
        ));
    }
    let mut pos = match usize::try_from(header_length) {
        Ok(n) if n >= RECORD_HEADER_LEN && n <= bytes.len() => n,
        _ => {
            warnings.push(format!(
                "{file}: ISO/IEC 19794-6 record header length {header_length} is not usable; assuming \
                 {RECORD_HEADER_LEN}"
            ));
            RECORD_HEADER_LEN
        }
    };
    let template = {
        let mut t = IrisImage::new(IrisRecordFormat::Iso19794_6, version);
        t.capture_device_id = Some(capture_device_id);
        t.image_properties = Some(properties);
        t.horizontal_orientation = Some(properties & 0x03);
        t.vertical_orientation = Some((properties >> 2) & 0x03);
        t.iris_diameter = Some(diameter);
        t.set_declared_format(image_format);
        t.bit_depth = Some(depth);
        t.image_transformation = Some(transformation);
        t.device_unique_id = device_unique_id
            .iter()
            .any(|b| *b != 0)
            .then(|| to_hex(device_unique_id));
        t
    };
    let mut irises = Vec::new();
    'eyes: for eye_index in 0..subtypes {
        let mut c = RecordCursor { bytes, pos };
        let Some(subtype) = c.take(SUBTYPE_HEADER_LEN) else {
            warnings.push(format!(
                "{file}: ISO/IEC 19794-6 record truncated in biometric subtype header {}",
                eye_index + 1
            ));
            break;
        };
        let eye = u32::from(subtype[0]);
        let images = u16::from_be_bytes([subtype[1], subtype[2]]);
        for image_index in 0..images {
            let Some(image_header) = c.take(IMAGE_HEADER_LEN) else {
                warnings.push(format!(
                    "{file}: ISO/IEC 19794-6 record truncated in image header {} of eye {}",
                    image_index + 1,
                    eye_index + 1
                ));
                break 'eyes;
            };
            let mut ih = RecordCursor::new(image_header, 0);
            let mut iris = template.clone();
            iris.set_eye(eye);
            iris.sequence_number = ih.u32(2);
            iris.quality = ih.u32(1);
            iris.rotation_angle = ih.u32(2).filter(|a| *a != UNDEFINED_ANGLE);
            iris.rotation_uncertainty = ih.u32(2).filter(|a| *a != UNDEFINED_ANGLE);
            let length = ih.u32(4).unwrap_or_default();
            let length = usize::try_from(length).unwrap_or(usize::MAX);
            let available = bytes.len().saturating_sub(c.pos);
            let image = if length > available {
                warnings.push(format!(
                    "{file}: ISO/IEC 19794-6 image length says {length} bytes, only {available} present; image \
                     truncated"
                ));
                c.take(available).unwrap_or_default()
            } else {
                c.take(length).unwrap_or_default()
            };
            iris.set_image(file, image, Some((width, height)), warnings);
            irises.push(iris);
        }
        pos = c.pos;
    }
    if irises.is_empty() {
        warnings.push(format!(
            "{file}: ISO/IEC 19794-6 record holds no iris image"
        ));
    } else if pos < bytes.len() {
        warnings.push(format!(
            "{file}: {} bytes after the last iris image",
            bytes.len() - pos
        ));
    }
    Ok(irises)
}

// ---- ISO/IEC 39794-6 ----

/// The `IrisImageDataBlock` application tag.
const TAG_IRIS_IMAGE_DATA_BLOCK: Tag = 0x66;

fn parse_iso39794_6(
    file: &'static str,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Result<Vec<IrisImage>, LdsError> {
    let (version, representations) = iso39794_representations(
        file,
        bytes,
        TAG_IRIS_IMAGE_DATA_BLOCK,
        "ISO/IEC 39794-6",
        warnings,
    )?;
    let mut irises = Vec::new();
    for (index, rep) in representations.into_iter().enumerate() {
        match parse_39794_representation(file, &version, rep, warnings) {
            Ok(iris) => irises.push(iris),
            Err(e) => warnings.push(format!("{file}: representation {index} skipped: {e}")),
        }
    }
    if irises.is_empty() {
        warnings.push(format!(
            "{file}: ISO/IEC 39794-6 record holds no iris image"
        ));
    }
    Ok(irises)
}

fn parse_39794_representation(
    file: &'static str,
    version: &str,
    rep: Element<'_>,
    warnings: &mut Vec<String>,
) -> Result<IrisImage, LdsError> {
    let mut iris = IrisImage::new(IrisRecordFormat::Iso39794_6, version.to_owned());
    let mut data = None;
    for field in ctx_fields(file, rep)? {
        // Each field is a primitive (tag 8x) or constructed (tag Ax) context tag; the number is the low bits.
        match field.tag {
            0x80 | 0xA0 => iris.set_eye(code_field(&field).unwrap_or_default()),
            0x81 | 0xA1 => iris.image_kind = code_field(&field),
            0x82 => iris.bit_depth = code_field(&field),
            0x83 | 0xA3 => {
                if let Some(code) = code_field(&field) {
                    iris.set_declared_format(code);
                }
            }
            0x84 | 0xA4 => iris.horizontal_orientation = code_field(&field),
            0x85 | 0xA5 => iris.vertical_orientation = code_field(&field),
            0x86 | 0xA6 => iris.compression_history = code_field(&field),
            0xA8 => iris.capture_date_time = Some(date_time(&ctx_fields(file, field)?)),
            0x89 => data = Some(field.value),
            0xAB => iris.quality = quality_score(file, field)?,
            0xAC => {
                // RollAngleBlock ::= { angle [0] INTEGER, uncertainty [1] INTEGER }
                let fields = ctx_fields(file, field)?;
                iris.rotation_angle = int_field(&fields, 0x80);
                iris.rotation_uncertainty = int_field(&fields, 0x81);
            }
            // Range, capture device, localisation, PAD data: kept raw.
            tag => iris.unknown.push((tag, field.value.to_vec())),
        }
    }
    let data = data.ok_or(LdsError::MissingTag { file, tag: 0x89 })?;
    iris.set_image(file, data, None, warnings);
    Ok(iris)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::asn1::der::{self, tlv as encode};

    fn encode_constructed(tag: Tag, children: &[Vec<u8>]) -> Vec<u8> {
        let refs: Vec<&[u8]> = children.iter().map(Vec::as_slice).collect();
        der::constructed(tag, &refs)
    }

    fn record_19794(eyes: &[(u8, &[&[u8]])]) -> Vec<u8> {
        let mut body = Vec::new();
        for (eye, images) in eyes {
            body.push(*eye);
            body.extend_from_slice(&u16::try_from(images.len()).unwrap().to_be_bytes());
            for (i, image) in images.iter().enumerate() {
                body.extend_from_slice(&u16::try_from(i + 1).unwrap().to_be_bytes());
                body.extend_from_slice(&[51, 0xFF, 0xFF, 0x00, 0x10]);
                body.extend_from_slice(&u32::try_from(image.len()).unwrap().to_be_bytes());
                body.extend_from_slice(image);
            }
        }
        let total = u32::try_from(RECORD_HEADER_LEN + body.len()).unwrap();
        let mut out = b"IIR\x00010\x00".to_vec();
        out.extend_from_slice(&total.to_be_bytes());
        out.extend_from_slice(&[0, 0, u8::try_from(eyes.len()).unwrap(), 0, 45, 0, 0x05]);
        out.extend_from_slice(&[0, 150, 0, 0x10, 0, 4, 0, 2, 24, 0]);
        out.extend_from_slice(&[0; 16]);
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn parses_a_19794_6_record() {
        let rec = record_19794(&[(1, &[b"abc"]), (2, &[b"de", b"f"])]);
        let r = IrisRecord::parse(&rec).unwrap();
        assert_eq!(r.irises.len(), 3);
        let first = &r.irises[0];
        assert_eq!((first.eye, first.eye_name), (1, Some("right eye")));
        assert_eq!(first.file_stem(), "right-eye");
        assert_eq!(
            (first.width, first.height, first.bit_depth),
            (4, 2, Some(24))
        );
        assert_eq!(first.declared_image_format_name, Some("RGB JPEG 2000"));
        assert_eq!(
            (first.horizontal_orientation, first.vertical_orientation),
            (Some(1), Some(1))
        );
        assert_eq!(first.rotation_angle, None);
        assert_eq!(first.rotation_uncertainty, Some(0x10));
        assert_eq!(first.iris_diameter, Some(150));
        assert_eq!(first.device_unique_id, None);
        assert_eq!(first.data, b"abc");
        assert_eq!((r.irises[2].eye, r.irises[2].sequence_number), (2, Some(2)));
        // The stub images have no JPEG 2000 magic: one warning each.
        assert_eq!(r.warnings.len(), 3, "{:?}", r.warnings);
    }

    #[test]
    fn truncated_19794_6_records_keep_what_they_have() {
        let rec = record_19794(&[(1, &[b"abcdef"]), (2, &[b"gh"])]);
        let r = IrisRecord::parse(&rec[..rec.len() - 14]).unwrap();
        assert_eq!(r.irises.len(), 1);
        assert!(
            r.warnings.iter().any(|w| w.contains("truncated")),
            "{:?}",
            r.warnings
        );
        assert!(IrisRecord::parse(b"IIR\x00010\x00\x00").is_err());
        assert!(IrisRecord::parse(b"FIR\x00010\x00").is_err());
    }

    #[test]
    fn parses_a_39794_6_record() {
        let jp2 = [0, 0, 0, 0x0C, b'j', b'P', b' ', b' ', 0x0D, 0x0A];
        let rep = encode_constructed(
            0x30,
            &[
                encode(0x80, &[2]),
                encode_constructed(0xA1, &[encode(0x80, &[3])]),
                encode(0x82, &[8]),
                encode_constructed(0xA3, &[encode(0x80, &[4])]),
                encode(0x84, &[1]),
                encode(0x85, &[1]),
                encode(0x86, &[2]),
                encode_constructed(0xA7, &[encode(0x80, &[0x01, 0x00])]),
                encode_constructed(0xA8, &[encode(0x80, &[0x07, 0xE9])]),
                encode(0x89, &jp2),
                encode_constructed(0xAC, &[encode(0x80, &[10]), encode(0x81, &[2])]),
            ],
        );
        let block = encode_constructed(
            0x66,
            &[
                encode_constructed(0xA0, &[encode(0x80, &[1]), encode(0x81, &[0x07, 0xE5])]),
                encode_constructed(0xA1, &[rep]),
            ],
        );
        let r = IrisRecord::parse(&encode_constructed(0xA1, &[block])).unwrap();
        assert_eq!(r.format, IrisRecordFormat::Iso39794_6);
        let iris = &r.irises[0];
        assert_eq!(iris.record_version, "1/2021");
        assert_eq!((iris.eye, iris.file_stem().as_str()), (2, "left-eye"));
        assert_eq!((iris.image_kind, iris.bit_depth), (Some(3), Some(8)));
        assert_eq!(iris.declared_image_format_name, Some("JPEG 2000 lossy"));
        assert_eq!(iris.format, ImageFormat::Jpeg2000);
        assert_eq!(iris.compression_history, Some(2));
        assert_eq!(iris.capture_date_time.as_deref(), Some("2025"));
        assert_eq!(
            (iris.rotation_angle, iris.rotation_uncertainty),
            (Some(10), Some(2))
        );
        assert_eq!(iris.unknown.len(), 1, "the range block is kept raw");
    }
}
