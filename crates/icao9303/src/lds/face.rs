//! Face image records: ISO/IEC 19794-5 and ISO/IEC 39794-5.
//!
//! A DG2 biometric data block holds one face record in either encoding:
//! - ISO/IEC 19794-5:2005 (record version `010`): a binary record starting `FAC\0`, with a general header, then per
//!   facial image a facial record header, feature points, image information and the image bytes.
//! - ISO/IEC 39794-5:2019: ASN.1 DER, `FaceImageDataBlock ::= [APPLICATION 5]` (tag 65) with a version block and
//!   representation blocks; ICAO wraps it in a context tag A1 inside data block 7F2E (or 5F2E).
//!
//! Both become a list of [`FaceImage`]: the image bytes, their format (from the image's magic bytes) and the
//! metadata the record carries. Codes are kept as the numbers of the standard the record follows (see `source`).

use serde::Serialize;

use super::biometric::{
    BiometricRecord, Modality, RecordCursor, RecordEncoding, record_encoding, record_version,
};
use super::error::{
    LdsError, RecordProblem, TlvContext, be_uint, serialize_len, serialize_unknown, to_hex,
};
use super::image::{ImageFormat, probe_size, sniff_format};
use crate::asn1::{self, Element, Tag};

/// Which standard a face record follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FaceRecordFormat {
    /// ISO/IEC 19794-5 binary record (`FAC\0`).
    Iso19794_5,
    /// ISO/IEC 39794-5 ASN.1 record (tag 65 `FaceImageDataBlock`).
    Iso39794_5,
}

/// A pose angle in degrees (yaw, pitch, roll); `None` where the record leaves it unspecified.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PoseAngle {
    /// Rotation about the vertical axis, degrees (−180…180).
    pub yaw: Option<i32>,
    /// Rotation about the horizontal side-to-side axis, degrees.
    pub pitch: Option<i32>,
    /// Rotation about the front-to-back axis, degrees.
    pub roll: Option<i32>,
}

/// An ISO/IEC 19794-5 feature point (MPEG-4 facial feature point).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FeaturePoint {
    /// Feature point type (1 = MPEG-4 feature point).
    pub point_type: u8,
    /// Major code (high nibble of the code byte).
    pub major_code: u8,
    /// Minor code (low nibble of the code byte).
    pub minor_code: u8,
    /// Horizontal position in pixels.
    pub x: u16,
    /// Vertical position in pixels.
    pub y: u16,
}

/// One face image taken from a face record, with the metadata the record gives for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaceImage {
    /// The record encoding the image came from.
    pub source: FaceRecordFormat,
    /// The record's version: `010`/`020`/`030` for ISO/IEC 19794-5, `generation/year` for ISO/IEC 39794-5.
    pub record_version: String,
    /// The image encoding, recognised from the image's magic bytes (the declared type only when they are unknown).
    pub format: ImageFormat,
    /// The image data type code the record declares (19794-5: 0 JPEG, 1 JPEG 2000; 39794-5: 2 JPEG, 3 JPEG 2000
    /// lossy, 4 JPEG 2000 lossless).
    pub declared_image_data_type: Option<u32>,
    /// Width in pixels, as declared by the record; from the image header when the record declares none.
    pub width: u32,
    /// Height in pixels, as declared by the record; from the image header when the record declares none.
    pub height: u32,
    /// True when `width` and `height` were read from the image header because the record has no size.
    pub size_from_image_header: bool,
    /// The image bytes (JPEG, JPEG 2000, …) exactly as stored; serialized as their length.
    #[serde(serialize_with = "serialize_len", rename = "data_length")]
    pub data: Vec<u8>,
    /// Face image type (19794-5: 0 basic, 1 full frontal, 2 token frontal; 39794-5: face image kind code).
    pub face_image_type: Option<u32>,
    /// Image colour space code.
    pub colour_space: Option<u32>,
    /// Image source type code (19794-5 only: 1 unknown, 2 static photo, 3 digital still camera …).
    pub source_type: Option<u32>,
    /// Capture device type (19794-5, vendor specific).
    pub device_type: Option<u32>,
    /// Quality (19794-5 quality field, or the first score of a 39794-5 quality block).
    pub quality: Option<u32>,
    /// Gender code (19794-5: 0 unspecified, 1 male, 2 female, 0xFF unknown; 39794-5: 0 unknown, 1 other, 2 male,
    /// 3 female).
    pub gender: Option<u32>,
    /// Eye colour code.
    pub eye_colour: Option<u32>,
    /// Hair colour code.
    pub hair_colour: Option<u32>,
    /// Subject height (39794-5 only).
    pub subject_height: Option<u32>,
    /// Property bit mask (19794-5 feature mask, three bytes).
    pub feature_mask: Option<u32>,
    /// Expression code (19794-5).
    pub expression: Option<u32>,
    /// Pose angle.
    pub pose_angle: Option<PoseAngle>,
    /// Feature points (19794-5).
    pub feature_points: Vec<FeaturePoint>,
    /// Number of landmark blocks (39794-5).
    pub landmark_count: usize,
    /// Capture date and time (39794-5), ISO 8601 as far as the record gives it.
    pub capture_date_time: Option<String>,
    /// Lossy transformation attempts code (39794-5).
    pub lossy_transformation_attempts: Option<u32>,
    /// Camera to subject distance (39794-5).
    pub camera_to_subject_distance: Option<u32>,
    /// Sensor diagonal (39794-5).
    pub sensor_diagonal: Option<u32>,
    /// Lens focal length (39794-5).
    pub lens_focal_length: Option<u32>,
    /// Tags of a 39794-5 representation block that this parser does not interpret, with their values.
    #[serde(serialize_with = "serialize_unknown")]
    pub unknown: Vec<(Tag, Vec<u8>)>,
}

impl FaceImage {
    fn new(source: FaceRecordFormat, record_version: String) -> Self {
        FaceImage {
            source,
            record_version,
            format: ImageFormat::Unknown(0xFF),
            declared_image_data_type: None,
            width: 0,
            height: 0,
            size_from_image_header: false,
            data: Vec::new(),
            face_image_type: None,
            colour_space: None,
            source_type: None,
            device_type: None,
            quality: None,
            gender: None,
            eye_colour: None,
            hair_colour: None,
            subject_height: None,
            feature_mask: None,
            expression: None,
            pose_angle: None,
            feature_points: Vec::new(),
            landmark_count: 0,
            capture_date_time: None,
            lossy_transformation_attempts: None,
            camera_to_subject_distance: None,
            sensor_diagonal: None,
            lens_focal_length: None,
            unknown: Vec::new(),
        }
    }

    /// The gender as a word, whichever standard's coding the record uses.
    pub fn gender_name(&self) -> Option<&'static str> {
        let code = self.gender?;
        Some(match (self.source, code) {
            (FaceRecordFormat::Iso19794_5, 0) => "unspecified",
            (FaceRecordFormat::Iso19794_5, 1) | (FaceRecordFormat::Iso39794_5, 2) => "male",
            (FaceRecordFormat::Iso19794_5, 2) | (FaceRecordFormat::Iso39794_5, 3) => "female",
            (FaceRecordFormat::Iso39794_5, 1) => "other",
            _ => "unknown",
        })
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
        let declared = self.declared_image_data_type;
        let declared_format = declared.and_then(|code| declared_format(self.source, code));
        self.format = match sniff_format(data) {
            Some(found) => {
                if let Some(d) = declared_format.filter(|d| *d != found) {
                    warnings.push(format!(
                        "{file}: face record declares image data type {} ({d:?}) but the image is {found:?}",
                        declared.unwrap_or_default()
                    ));
                }
                found
            }
            None => {
                warnings.push(format!(
                    "{file}: face image bytes start with no known image magic ({}), declared type {:?}",
                    to_hex(data.get(..8).unwrap_or(data)),
                    declared
                ));
                ImageFormat::Unknown(declared.and_then(|c| u8::try_from(c).ok()).unwrap_or(0xFF))
            }
        };
        let probed = probe_size(data);
        match (declared_size, probed) {
            (Some((w, h)), probed) => {
                (self.width, self.height) = (w, h);
                if let Some((pw, ph)) = probed.filter(|p| *p != (w, h)) {
                    warnings.push(format!(
                        "{file}: face record declares {w}x{h} pixels but the image header says {pw}x{ph}"
                    ));
                }
            }
            (None, Some((w, h))) => {
                (self.width, self.height, self.size_from_image_header) = (w, h, true);
            }
            (None, None) => warnings.push(format!(
                "{file}: face image size is neither declared nor readable"
            )),
        }
    }
}

fn declared_format(source: FaceRecordFormat, code: u32) -> Option<ImageFormat> {
    match (source, code) {
        (FaceRecordFormat::Iso19794_5, 0) | (FaceRecordFormat::Iso39794_5, 2) => {
            Some(ImageFormat::Jpeg)
        }
        (FaceRecordFormat::Iso19794_5, 1) | (FaceRecordFormat::Iso39794_5, 3 | 4) => {
            Some(ImageFormat::Jpeg2000)
        }
        _ => None,
    }
}

/// A face record (the value of a DG2 biometric data block, or a bare record file) and the faces in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaceRecord {
    /// The encoding of the record.
    pub format: FaceRecordFormat,
    /// The faces, in record order.
    pub faces: Vec<FaceImage>,
    /// Problems that did not stop the parse.
    pub warnings: Vec<String>,
}

impl FaceRecord {
    /// Parses a face record in either encoding, recognised from its first bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, LdsError> {
        Self::parse_in("face record", bytes)
    }

    /// Like [`FaceRecord::parse`], naming `file` in errors and warnings.
    pub fn parse_in(file: &'static str, bytes: &[u8]) -> Result<Self, LdsError> {
        let mut warnings = Vec::new();
        let (format, faces) = match record_encoding(Modality::Face, file, bytes)? {
            RecordEncoding::Iso19794 => (
                FaceRecordFormat::Iso19794_5,
                parse_iso19794_5(file, bytes, &mut warnings)?,
            ),
            RecordEncoding::Iso39794 => (
                FaceRecordFormat::Iso39794_5,
                parse_iso39794_5(file, bytes, &mut warnings)?,
            ),
        };
        Ok(FaceRecord {
            format,
            faces,
            warnings,
        })
    }
}

impl BiometricRecord for FaceRecord {
    type Image = FaceImage;
    const MODALITY: Modality = Modality::Face;

    fn parse_in(file: &'static str, bytes: &[u8]) -> Result<Self, LdsError> {
        FaceRecord::parse_in(file, bytes)
    }

    fn into_images(self) -> (Vec<FaceImage>, Vec<String>) {
        (self.faces, self.warnings)
    }
}

/// The standard of binary face records, as named in errors.
const ISO19794_5: &str = "ISO/IEC 19794-5";
const GENERAL_HEADER_LEN: usize = 14;
const FACIAL_HEADER_LEN: usize = 20;
const FEATURE_POINT_LEN: usize = 8;
const IMAGE_INFO_LEN: usize = 12;

fn parse_iso19794_5(
    file: &'static str,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Result<Vec<FaceImage>, LdsError> {
    let problem = |offset, problem| LdsError::Record {
        file,
        standard: ISO19794_5,
        offset,
        problem,
    };
    let truncated = |what| problem(bytes.len(), RecordProblem::Truncated(what));
    let mut c = RecordCursor::new(bytes, 0);
    let _format_id = c.take(4).ok_or_else(|| truncated("general header"))?;
    let version = record_version(c.take(4).ok_or_else(|| truncated("general header"))?);
    let record_length = c.u32(4).ok_or_else(|| truncated("general header"))?;
    let count = c.u32(2).ok_or_else(|| truncated("general header"))?;
    if version != "010" {
        return Err(problem(4, RecordProblem::UnsupportedVersion(version)));
    }
    if usize::try_from(record_length).ok() != Some(bytes.len()) {
        warnings.push(format!(
            "{file}: ISO/IEC 19794-5 record length field says {record_length} bytes, the record has {}",
            bytes.len()
        ));
    }
    if count == 0 {
        warnings.push(format!(
            "{file}: ISO/IEC 19794-5 record declares no facial images"
        ));
    }
    let mut faces = Vec::new();
    let mut block_start = GENERAL_HEADER_LEN;
    for index in 0..count {
        let block = bytes.get(block_start..).unwrap_or_default();
        match parse_19794_facial_block(file, &version, block, warnings) {
            Ok((face, len)) => {
                faces.push(face);
                block_start = block_start.saturating_add(len);
            }
            Err(e) if faces.is_empty() => return Err(e),
            Err(e) => {
                warnings.push(format!(
                    "{file}: facial image {} of {count} skipped: {e}",
                    index + 1
                ));
                break;
            }
        }
    }
    if block_start < bytes.len() && !faces.is_empty() {
        warnings.push(format!(
            "{file}: {} bytes after the last facial image",
            bytes.len() - block_start
        ));
    }
    Ok(faces)
}

/// Parses one facial record data block; returns the face and the block's length.
fn parse_19794_facial_block(
    file: &'static str,
    version: &str,
    block: &[u8],
    warnings: &mut Vec<String>,
) -> Result<(FaceImage, usize), LdsError> {
    let truncated = |what| LdsError::Record {
        file,
        standard: ISO19794_5,
        offset: block.len(),
        problem: RecordProblem::Truncated(what),
    };
    let mut c = RecordCursor::new(block, 0);
    let block_len = c.u32(4).ok_or_else(|| truncated("facial record header"))?;
    let points = c.u32(2).ok_or_else(|| truncated("facial record header"))?;
    let mut face = FaceImage::new(FaceRecordFormat::Iso19794_5, version.to_owned());
    let header = c
        .take(14)
        .ok_or_else(|| truncated("facial record header"))?;
    if let [
        gender,
        eye,
        hair,
        m0,
        m1,
        m2,
        e0,
        e1,
        yaw,
        pitch,
        roll,
        _,
        _,
        _,
    ] = *header
    {
        face.gender = Some(gender.into());
        face.eye_colour = Some(eye.into());
        face.hair_colour = Some(hair.into());
        face.feature_mask = Some(u32::from_be_bytes([0, m0, m1, m2]));
        face.expression = Some(u16::from_be_bytes([e0, e1]).into());
        // 0 = unspecified; 1…181 encode −180…+180 degrees in steps of two.
        let angle = |v: u8| (v != 0).then(|| (i32::from(v) - 1) * 2 - 180);
        face.pose_angle = Some(PoseAngle {
            yaw: angle(yaw),
            pitch: angle(pitch),
            roll: angle(roll),
        });
    }
    for _ in 0..points {
        let p = c
            .take(FEATURE_POINT_LEN)
            .ok_or_else(|| truncated("feature points"))?;
        if let [point_type, code, x0, x1, y0, y1, _, _] = *p {
            face.feature_points.push(FeaturePoint {
                point_type,
                major_code: code >> 4,
                minor_code: code & 0x0F,
                x: u16::from_be_bytes([x0, x1]),
                y: u16::from_be_bytes([y0, y1]),
            });
        }
    }
    let info = c
        .take(IMAGE_INFO_LEN)
        .ok_or_else(|| truncated("image information"))?;
    let mut declared_size = None;
    if let [
        kind,
        data_type,
        w0,
        w1,
        h0,
        h1,
        colour,
        source,
        d0,
        d1,
        q0,
        q1,
    ] = *info
    {
        face.face_image_type = Some(kind.into());
        face.declared_image_data_type = Some(data_type.into());
        declared_size = Some((
            u16::from_be_bytes([w0, w1]).into(),
            u16::from_be_bytes([h0, h1]).into(),
        ));
        face.colour_space = Some(colour.into());
        face.source_type = Some(source.into());
        face.device_type = Some(u16::from_be_bytes([d0, d1]).into());
        face.quality = Some(u16::from_be_bytes([q0, q1]).into());
    }
    let fixed = FACIAL_HEADER_LEN
        + FEATURE_POINT_LEN * usize::from(u16::try_from(points).unwrap_or(u16::MAX))
        + IMAGE_INFO_LEN;
    let declared_len = usize::try_from(block_len).unwrap_or(usize::MAX);
    let available = block.len();
    let block_len = if declared_len < fixed {
        return Err(LdsError::Record {
            file,
            standard: ISO19794_5,
            offset: 0,
            problem: RecordProblem::LengthTooShort {
                part: "facial record",
                declared: u64::from(block_len),
                minimum: fixed,
            },
        });
    } else if declared_len > available {
        warnings.push(format!(
            "{file}: ISO/IEC 19794-5 facial record length says {declared_len} bytes, only {available} present; image truncated"
        ));
        available
    } else {
        declared_len
    };
    let image = block.get(fixed..block_len).unwrap_or_default();
    if image.is_empty() {
        // ICAO 9303-10 §4.7.2: DG2 holds the facial image; a record without one is malformed.
        return Err(LdsError::Record {
            file,
            standard: ISO19794_5,
            offset: fixed,
            problem: RecordProblem::NoImage("facial record"),
        });
    }
    face.set_image(file, image, declared_size, warnings);
    Ok((face, block_len))
}

// ---- ISO/IEC 39794-5 ----

/// The `FaceImageDataBlock` application tag.
const TAG_FACE_IMAGE_DATA_BLOCK: Tag = 0x65;

fn parse_iso39794_5(
    file: &'static str,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> Result<Vec<FaceImage>, LdsError> {
    let (first, rest) = asn1::parse_one(bytes).in_file(file, None)?;
    if !rest.is_empty() {
        warnings.push(format!(
            "{file}: {} bytes after the ISO/IEC 39794-5 data block",
            rest.len()
        ));
    }
    let block = if first.tag == TAG_FACE_IMAGE_DATA_BLOCK {
        first
    } else {
        first
            .find(TAG_FACE_IMAGE_DATA_BLOCK)
            .in_file(file, Some(first.tag))?
            .ok_or(LdsError::MissingTag {
                file,
                tag: TAG_FACE_IMAGE_DATA_BLOCK,
            })?
    };
    let mut version = String::from("?");
    let mut representations = None;
    for child in block
        .children()
        .in_file(file, Some(TAG_FACE_IMAGE_DATA_BLOCK))?
    {
        match child.tag {
            0xA0 => {
                let fields = ctx_fields(file, child)?;
                let generation = int_field(&fields, 0x80).map_or("?".to_owned(), |n| n.to_string());
                let year = int_field(&fields, 0x81).map_or("?".to_owned(), |n| n.to_string());
                version = format!("{generation}/{year}");
            }
            0xA1 => representations = Some(child),
            tag => warnings.push(format!(
                "{file}: ISO/IEC 39794-5 face data block tag {tag:X} ignored"
            )),
        }
    }
    let representations = representations.ok_or(LdsError::MissingTag { file, tag: 0xA1 })?;
    let mut faces = Vec::new();
    for (index, rep) in representations
        .children()
        .in_file(file, Some(0xA1))?
        .into_iter()
        .enumerate()
    {
        if rep.tag != 0x30 {
            warnings.push(format!(
                "{file}: representation {index} has tag {:X}, not a SEQUENCE; skipped",
                rep.tag
            ));
            continue;
        }
        match parse_39794_representation(file, &version, rep, warnings) {
            Ok(Some(face)) => faces.push(face),
            Ok(None) => {}
            Err(e) => warnings.push(format!("{file}: representation {index} skipped: {e}")),
        }
    }
    if faces.is_empty() {
        warnings.push(format!(
            "{file}: ISO/IEC 39794-5 record holds no 2D face image"
        ));
    }
    Ok(faces)
}

/// The first score of an ISO/IEC 39794 `QualityBlocks` field: SEQUENCE OF { algorithm [0], scoreOrError [1]
/// CHOICE { score [0], error [1] } }.
pub(crate) fn quality_score(
    file: &'static str,
    field: Element<'_>,
) -> Result<Option<u32>, LdsError> {
    Ok(ctx_fields(file, field)?
        .iter()
        .filter_map(|q| q.find(0xA1).ok().flatten())
        .find_map(|s| s.find(0x80).ok().flatten())
        .and_then(|score| be_uint(score.value))
        .and_then(|n| u32::try_from(n).ok()))
}

/// The children of a constructed context-tagged field.
pub(crate) fn ctx_fields<'a>(
    file: &'static str,
    tlv: Element<'a>,
) -> Result<Vec<Element<'a>>, LdsError> {
    tlv.children().in_file(file, Some(tlv.tag))
}

pub(crate) fn int_field(fields: &[Element<'_>], tag: Tag) -> Option<u32> {
    fields
        .iter()
        .find(|f| f.tag == tag)
        .and_then(|f| be_uint(f.value))
        .and_then(|n| u32::try_from(n).ok())
}

/// Reads a 39794 "code or extension block" CHOICE held in the field `tlv`: `[0]` code, or `[1]` extension block
/// whose `[0]` carries the code.
pub(crate) fn code_choice(tlv: &Element<'_>) -> Option<u32> {
    let alternatives = tlv.children().ok()?;
    let alt = alternatives.first()?;
    let n = match alt.tag {
        0x80 => be_uint(alt.value)?,
        0xA1 => be_uint(alt.find(0x80).ok()??.value)?,
        _ => return None,
    };
    u32::try_from(n).ok()
}

fn parse_39794_representation(
    file: &'static str,
    version: &str,
    rep: Element<'_>,
    warnings: &mut Vec<String>,
) -> Result<Option<FaceImage>, LdsError> {
    let mut face = FaceImage::new(FaceRecordFormat::Iso39794_5, version.to_owned());
    let mut image_2d = None;
    for field in ctx_fields(file, rep)? {
        match field.tag {
            0x80 => {} // representation id
            0xA1 => {
                // imageRepresentation: CHOICE { base [0] CHOICE { 2D [0], 3D [1] }, extensionBlock [1] }
                let base = field.find(0xA0).in_file(file, Some(0xA1))?;
                match base.map(|b| ctx_fields(file, b)).transpose()?.as_deref() {
                    Some([first, ..]) if first.tag == 0xA0 => image_2d = Some(*first),
                    _ => {
                        warnings.push(format!(
                            "{file}: a 39794-5 representation is not a 2D image; skipped"
                        ));
                        return Ok(None);
                    }
                }
            }
            0xA2 => face.capture_date_time = Some(date_time(&ctx_fields(file, field)?)),
            0xA3 => face.quality = quality_score(file, field)?,
            0xA8 => parse_identity_metadata(file, field, &mut face)?,
            0xA9 => face.landmark_count = ctx_fields(file, field)?.len(),
            // PAD data, session id, derived from, capture device: kept raw.
            tag => face.unknown.push((tag, field.value.to_vec())),
        }
    }
    let image_2d = image_2d.ok_or(LdsError::MissingTag { file, tag: 0xA1 })?;
    let mut data = None;
    let mut declared_size = None;
    for field in ctx_fields(file, image_2d)? {
        match field.tag {
            0x80 => data = Some(field.value),
            0xA1 => declared_size = parse_image_information(file, field, &mut face)?,
            tag => face.unknown.push((tag, field.value.to_vec())),
        }
    }
    let data = data.ok_or(LdsError::MissingTag { file, tag: 0x80 })?;
    face.set_image(file, data, declared_size, warnings);
    Ok(Some(face))
}

/// ImageInformation2DBlock; returns the declared image size.
fn parse_image_information(
    file: &'static str,
    info: Element<'_>,
    face: &mut FaceImage,
) -> Result<Option<(u32, u32)>, LdsError> {
    let mut size = None;
    for field in ctx_fields(file, info)? {
        let int = || be_uint(field.value).and_then(|n| u32::try_from(n).ok());
        match field.tag {
            0xA0 => face.declared_image_data_type = code_choice(&field),
            0xA1 => face.face_image_type = code_choice(&field),
            0xA3 => face.lossy_transformation_attempts = code_choice(&field),
            0x84 => face.camera_to_subject_distance = int(),
            0x85 => face.sensor_diagonal = int(),
            0x86 => face.lens_focal_length = int(),
            0xA7 => {
                let dims = ctx_fields(file, field)?;
                size = int_field(&dims, 0x80).zip(int_field(&dims, 0x81));
            }
            0xA9 => face.colour_space = code_choice(&field),
            tag => face.unknown.push((tag, field.value.to_vec())),
        }
    }
    Ok(size)
}

fn parse_identity_metadata(
    file: &'static str,
    block: Element<'_>,
    face: &mut FaceImage,
) -> Result<(), LdsError> {
    for field in ctx_fields(file, block)? {
        match field.tag {
            0xA0 => face.gender = code_choice(&field),
            0xA1 => face.eye_colour = code_choice(&field),
            0xA2 => face.hair_colour = code_choice(&field),
            0x83 => face.subject_height = be_uint(field.value).and_then(|n| u32::try_from(n).ok()),
            0xA6 => {
                // PoseAngleBlock ::= { yaw [0], pitch [1], roll [2] } each { angleValue [0] INTEGER, uncertainty [1] }
                let angles = ctx_fields(file, field)?;
                let angle = |tag: Tag| {
                    let a = angles.iter().find(|a| a.tag == tag)?;
                    let value = a.find(0x80).ok()??.value;
                    signed(value)
                };
                face.pose_angle = Some(PoseAngle {
                    yaw: angle(0xA0),
                    pitch: angle(0xA1),
                    roll: angle(0xA2),
                });
            }
            tag => face.unknown.push((tag, field.value.to_vec())),
        }
    }
    Ok(())
}

/// A DER INTEGER of up to four bytes as a signed number.
fn signed(value: &[u8]) -> Option<i32> {
    if value.is_empty() || value.len() > 4 {
        return None;
    }
    let negative = value.first().is_some_and(|b| b & 0x80 != 0);
    let start: i64 = if negative { -1 } else { 0 };
    let n = value
        .iter()
        .fold(start, |acc, b| (acc << 8) | i64::from(*b));
    i32::try_from(n).ok()
}

/// DateTimeBlock { year [0], month [1], day [2], hour [3], minute [4], second [5], millisecond [6] } as ISO 8601.
pub(crate) fn date_time(fields: &[Element<'_>]) -> String {
    let get = |tag| int_field(fields, tag);
    let mut s = get(0x80).map_or_else(|| "????".to_owned(), |y| format!("{y:04}"));
    if let Some(m) = get(0x81) {
        s += &format!("-{m:02}");
        if let Some(d) = get(0x82) {
            s += &format!("-{d:02}");
        }
    }
    if let Some(h) = get(0x83) {
        s += &format!("T{h:02}");
        if let Some(mi) = get(0x84) {
            s += &format!(":{mi:02}");
            if let Some(sec) = get(0x85) {
                s += &format!(":{sec:02}");
                if let Some(ms) = get(0x86) {
                    s += &format!(".{ms:03}");
                }
            }
        }
    }
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn signed_integers() {
        assert_eq!(signed(&[0x02]), Some(2));
        assert_eq!(signed(&[0xFE]), Some(-2));
        assert_eq!(signed(&[0xFF, 0x4C]), Some(-180));
        assert_eq!(signed(&[]), None);
    }

    #[test]
    fn not_a_face_record() {
        assert!(matches!(
            FaceRecord::parse(b"FIR\x00010\x00"),
            Err(LdsError::UnknownRecordFormat {
                modality: Modality::Face,
                ..
            })
        ));
        assert!(FaceRecord::parse(b"FAC\0").is_err());
    }

    #[test]
    fn unsupported_19794_version_is_an_error() {
        let mut rec = b"FAC\x00030\x00".to_vec();
        rec.extend_from_slice(&[0, 0, 0, 16, 0, 0]);
        let e = FaceRecord::parse(&rec).unwrap_err();
        assert!(e.to_string().contains("030"), "{e}");
    }
}
