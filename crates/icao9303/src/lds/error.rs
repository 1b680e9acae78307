//! The error type shared by the LDS parsers, and the small helpers they use to attach the file and tag to it.
//!
//! A parser returns [`LdsError`] only when it cannot make sense of the file's structure at all (the outer tag
//! is wrong, the TLV encoding is broken). An odd field inside an otherwise sound file does not fail the file:
//! the parser keeps the field's tag and bytes in its `unknown` list and explains the problem in `warnings`.

use serde::Serializer;
use thiserror::Error;

use super::modality::{Modality, RecordEncoding};
use super::security_infos::SecurityInfosError;
use super::sod::SodError;
use crate::asn1::{Asn1Error, Element, ErrorKind, Tag};
use crate::mrz::MrzError;

/// Why an LDS file could not be parsed. Every variant names the file (`"DG2"`, `"EF.DIR"`, …) and, where the
/// problem has one, the tag and the byte offset; `Display` says all of them.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LdsError {
    /// The BER-TLV encoding is broken (the codec error carries the tag and offset).
    #[error("{file}: malformed TLV{}: {source}", inside_tag(*.inside))]
    Tlv {
        /// The file being parsed.
        file: &'static str,
        /// The constructed tag whose value was being decoded, when known.
        inside: Option<Tag>,
        /// What the TLV codec found wrong.
        #[source]
        source: Asn1Error,
    },
    /// A tag the structure requires is absent.
    #[error("{file}: missing tag {tag:X}")]
    MissingTag {
        /// The file being parsed.
        file: &'static str,
        /// The required tag.
        tag: Tag,
    },
    /// The file starts with a different tag than its own.
    #[error("{file}: expected tag {expected:X}, found {found:X}")]
    UnexpectedTag {
        /// The file being parsed.
        file: &'static str,
        /// The tag the file must start with.
        expected: Tag,
        /// The tag found.
        found: Tag,
    },
    /// A text field that must be ASCII (the MRZ in DG1, tag 5F1F) holds other bytes.
    #[error("{file}: tag {tag:X} is not ASCII text")]
    NotText {
        /// The file being parsed.
        file: &'static str,
        /// The tag of the field.
        tag: Tag,
    },
    /// DG1's MRZ (tag 5F1F) is not a machine readable zone of a known format.
    #[error("{file}: MRZ (tag 5F1F): {source}")]
    Mrz {
        /// The file being parsed.
        file: &'static str,
        /// What the MRZ parser found wrong.
        #[source]
        source: MrzError,
    },
    /// A public key this build does not use for the file's protocol (DG15: neither RSA nor EC).
    #[error("{file}: unsupported key algorithm {algorithm}")]
    UnsupportedKey {
        /// The file being parsed.
        file: &'static str,
        /// The key's algorithm OID, dotted.
        algorithm: String,
    },
    /// A biometric data block holds neither an ISO/IEC 19794 nor an ISO/IEC 39794 record of the data group's
    /// modality.
    #[error(
        "{file}: {} record is neither {} ({}) nor {} (A1/{:02X}): starts {}",
        modality.name(),
        modality.standard(RecordEncoding::Iso19794),
        String::from_utf8_lossy(modality.iso19794_magic()).replace('\0', "\\0"),
        modality.standard(RecordEncoding::Iso39794),
        modality.iso39794_tag(),
        to_hex(start)
    )]
    UnknownRecordFormat {
        /// The file being parsed.
        file: &'static str,
        /// What the data block should hold.
        modality: Modality,
        /// The record's first bytes (at most 8).
        start: Vec<u8>,
    },
    /// An ISO/IEC 19794 binary record that cannot be followed.
    #[error("{file}: {standard} record: {problem} (offset {offset})")]
    Record {
        /// The file being parsed.
        file: &'static str,
        /// The record's standard, e.g. "ISO/IEC 19794-5".
        standard: &'static str,
        /// The offset in the record where the problem is.
        offset: usize,
        /// What is wrong.
        problem: RecordProblem,
    },
    /// EF.SOD could not be parsed (the SOD parser's own error, which names the step).
    #[error(transparent)]
    Sod(#[from] SodError),
    /// A SecurityInfos set (EF.CardAccess, DG14) could not be parsed.
    #[error("{file}: {source}")]
    SecurityInfos {
        /// The file being parsed.
        file: &'static str,
        /// What the SecurityInfos parser found wrong.
        #[source]
        source: SecurityInfosError,
    },
}

/// What is wrong with an ISO/IEC 19794 binary record ([`LdsError::Record`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RecordProblem {
    /// The record ends inside the named part.
    #[error("truncated in the {0}")]
    Truncated(&'static str),
    /// The record version is not one this parser reads.
    #[error("version {0:?} is not supported (only 010)")]
    UnsupportedVersion(String),
    /// A length field is shorter than the fixed headers it must cover.
    #[error("{part} length {declared} is shorter than its headers ({minimum})")]
    LengthTooShort {
        /// Which length field.
        part: &'static str,
        /// The length the field declares.
        declared: u64,
        /// The fixed header length it must at least cover.
        minimum: usize,
    },
    /// The record holds no image bytes where the standard requires the image.
    #[error("the {0} holds no image data")]
    NoImage(&'static str),
}

fn inside_tag(tag: Option<Tag>) -> String {
    tag.map(|t| format!(" inside tag {t:X}"))
        .unwrap_or_default()
}

impl LdsError {
    /// Wraps a TLV codec error, turning its missing/unexpected tag cases into the matching variants.
    pub fn from_tlv(file: &'static str, inside: Option<Tag>, source: Asn1Error) -> Self {
        match source.kind {
            ErrorKind::MissingTag(tag) => LdsError::MissingTag { file, tag },
            ErrorKind::UnexpectedTag { expected } => LdsError::UnexpectedTag {
                file,
                expected,
                found: source.tag.unwrap_or_default(),
            },
            _ => LdsError::Tlv {
                file,
                inside,
                source,
            },
        }
    }
}

/// Attaches a file name (and the enclosing tag) to a TLV codec result.
pub(crate) trait TlvContext<T> {
    /// Maps a [`Asn1Error`] to an [`LdsError`] naming `file` and the constructed tag `inside`.
    fn in_file(self, file: &'static str, inside: Option<Tag>) -> Result<T, LdsError>;
}

impl<T> TlvContext<T> for Result<T, Asn1Error> {
    fn in_file(self, file: &'static str, inside: Option<Tag>) -> Result<T, LdsError> {
        self.map_err(|e| LdsError::from_tlv(file, inside, e))
    }
}

/// Decodes a whole file: one TLV that must carry `tag`. Bytes after it (chips may pad a file) are not an error
/// but a warning in `warnings`.
pub(crate) fn parse_file<'a>(
    file: &'static str,
    tag: Tag,
    bytes: &'a [u8],
    warnings: &mut Vec<String>,
) -> Result<Element<'a>, LdsError> {
    let (tlv, rest) = crate::asn1::parse_one(bytes).in_file(file, None)?;
    if tlv.tag != tag {
        return Err(LdsError::UnexpectedTag {
            file,
            expected: tag,
            found: tlv.tag,
        });
    }
    if !rest.is_empty() {
        warnings.push(format!(
            "{file}: {} bytes after the {tag:X} object ignored",
            rest.len()
        ));
    }
    Ok(tlv)
}

/// Serializes the `unknown` list of a parsed file as `[{ "tag": "5F99", "length": n, "hex": "…" }]`.
pub(crate) fn serialize_unknown<S: Serializer>(
    unknown: &[(Tag, Vec<u8>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::{SerializeMap, SerializeSeq};
    let mut seq = s.serialize_seq(Some(unknown.len()))?;
    for (tag, value) in unknown {
        struct Entry<'a>(Tag, &'a [u8]);
        impl serde::Serialize for Entry<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("tag", &format!("{:X}", self.0))?;
                m.serialize_entry("length", &self.1.len())?;
                m.serialize_entry("hex", &to_hex(self.1))?;
                m.end()
            }
        }
        seq.serialize_element(&Entry(*tag, value))?;
    }
    seq.end()
}

/// Serializes raw image (or other large binary) bytes as their length only.
pub(crate) fn serialize_len<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(data.len() as u64)
}

/// Serializes optional raw bytes as their length only.
pub(crate) fn serialize_opt_len<S: Serializer>(
    data: &Option<Vec<u8>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match data {
        Some(d) => s.serialize_some(&d.len()),
        None => s.serialize_none(),
    }
}

/// Upper-case hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02X}");
            s
        })
}

/// A big-endian unsigned integer of at most 8 bytes (DER INTEGER contents with a leading zero allowed).
/// `None` when empty, negative or too long.
pub(crate) fn be_uint(bytes: &[u8]) -> Option<u64> {
    let first = *bytes.first()?;
    if first & 0x80 != 0 && bytes.len() > 1 {
        // Two's complement negative in DER; a single byte ≥ 0x80 is read as unsigned (lenient for BCD-free codes).
        return None;
    }
    let trimmed = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => bytes,
    };
    if trimmed.len() > 8 {
        return None;
    }
    Some(
        trimmed
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
    )
}

/// Splits a tag list (the value of tag 5C) into tags. A tag cut off at the end is reported as `Err` with the
/// tags read so far.
pub(crate) fn split_tag_list(bytes: &[u8]) -> Result<Vec<Tag>, Vec<Tag>> {
    let mut tags = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let Ok((tag, len)) = crate::asn1::parse_tag(rest) else {
            return Err(tags);
        };
        tags.push(tag);
        rest = &rest[len..];
    }
    Ok(tags)
}

/// Decodes a text field: UTF-8 when valid, otherwise ISO/IEC 8859-1 (with a warning naming the tag).
pub(crate) fn decode_text(
    file: &str,
    tag: Tag,
    bytes: &[u8],
    warnings: &mut Vec<String>,
) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            warnings.push(format!(
                "{file}: tag {tag:X} is not UTF-8; read as ISO/IEC 8859-1"
            ));
            bytes.iter().map(|b| char::from(*b)).collect()
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn tag_lists_split() {
        assert_eq!(
            split_tag_list(&[0x5F, 0x0E, 0x5F, 0x11, 0x6B]),
            Ok(vec![0x5F0E, 0x5F11, 0x6B])
        );
        assert_eq!(split_tag_list(&[0x61, 0x5F]), Err(vec![0x61]));
        assert_eq!(split_tag_list(&[]), Ok(vec![]));
    }

    #[test]
    fn unsigned_integers() {
        assert_eq!(be_uint(&[0x00, 0xFF]), Some(255));
        assert_eq!(be_uint(&[0x07, 0xE3]), Some(2019));
        assert_eq!(be_uint(&[0x80]), Some(128));
        assert_eq!(be_uint(&[0xFF, 0x00]), None);
        assert_eq!(be_uint(&[]), None);
        assert_eq!(be_uint(&[1; 9]), None);
    }

    #[test]
    fn errors_name_file_and_tag() {
        let e = LdsError::from_tlv(
            "DG2",
            Some(0x7F61),
            Asn1Error::new(ErrorKind::Truncated(crate::asn1::Part::Value), 3).in_tag(0x5F2E),
        );
        assert_eq!(
            e.to_string(),
            "DG2: malformed TLV inside tag 7F61: truncated value in tag 5F2E at offset 3"
        );
        let e = LdsError::from_tlv(
            "DG11",
            None,
            Asn1Error::new(ErrorKind::MissingTag(0x5F0E), 0).in_tag(0x6B),
        );
        assert_eq!(e.to_string(), "DG11: missing tag 5F0E");
    }
}
