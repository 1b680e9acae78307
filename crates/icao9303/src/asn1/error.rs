//! The decoding error: what was wrong, at which offset, in which tag.

use std::fmt;

use super::{MAX_DEPTH, Tag};

/// The part of an encoding the input ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The identifier octets.
    Tag,
    /// The length octets.
    Length,
    /// The content octets (the declared length runs past the end of the input).
    Value,
    /// The end-of-contents octets that close an indefinite length.
    EndOfContents,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Tag => "tag",
            Part::Length => "length",
            Part::Value => "value",
            Part::EndOfContents => "end-of-contents",
        })
    }
}

/// What was wrong with an encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input ended inside an element.
    Truncated(Part),
    /// A tag of more than four identifier octets.
    TagTooLong,
    /// A long-form length of more than four octets, or the reserved length octet `FF`.
    LengthTooLong,
    /// An indefinite length outside [`super::Mode::Ber`].
    IndefiniteLength,
    /// An indefinite length on a primitive element (X.690 allows it on constructed ones only).
    IndefiniteOnPrimitive,
    /// End-of-contents octets (`00 00`, or `00` with a non-zero length) where an element was expected.
    UnexpectedEndOfContents,
    /// Elements nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Bytes after the element that was to fill the input.
    TrailingBytes,
    /// A different tag where `expected` was required (the [`Asn1Error::tag`] is the one found).
    UnexpectedTag {
        /// The tag the structure requires.
        expected: Tag,
    },
    /// A required element, named here, is absent.
    Missing(&'static str),
    /// A constructed element has no child with this tag.
    MissingTag(Tag),
    /// The element has the right tag but its value is not valid for its type; says what is wrong.
    Invalid(&'static str),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Truncated(part) => write!(f, "truncated {part}"),
            ErrorKind::TagTooLong => f.write_str("tag longer than four bytes"),
            ErrorKind::LengthTooLong => f.write_str("length field longer than four bytes"),
            ErrorKind::IndefiniteLength => f.write_str("indefinite length is not allowed here"),
            ErrorKind::IndefiniteOnPrimitive => {
                f.write_str("indefinite length on a primitive element")
            }
            ErrorKind::UnexpectedEndOfContents => {
                f.write_str("end-of-contents outside an indefinite length")
            }
            ErrorKind::TooDeep => write!(f, "nested deeper than {MAX_DEPTH} levels"),
            ErrorKind::TrailingBytes => f.write_str("trailing bytes after the element"),
            ErrorKind::UnexpectedTag { expected } => write!(f, "expected tag {expected:X}"),
            ErrorKind::Missing(what) => write!(f, "missing {what}"),
            ErrorKind::MissingTag(tag) => write!(f, "missing tag {tag:X}"),
            ErrorKind::Invalid(what) => f.write_str(what),
        }
    }
}

/// A malformed or unexpected encoding: what was wrong, where (offset from the start of the bytes the parse
/// began with) and, when known, the tag of the element concerned (for [`ErrorKind::UnexpectedTag`], the tag
/// found).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Asn1Error {
    /// What was wrong.
    pub kind: ErrorKind,
    /// Offset of the element or octet concerned.
    pub offset: usize,
    /// The tag of the element concerned, when it was read.
    pub tag: Option<Tag>,
}

impl Asn1Error {
    /// An error of `kind` at `offset`, in no known tag.
    pub fn new(kind: ErrorKind, offset: usize) -> Self {
        Asn1Error {
            kind,
            offset,
            tag: None,
        }
    }

    /// The same error, naming `tag`.
    pub fn in_tag(mut self, tag: Tag) -> Self {
        self.tag = Some(tag);
        self
    }

    /// True when the input ended early (more bytes could complete it).
    pub fn is_truncated(&self) -> bool {
        matches!(self.kind, ErrorKind::Truncated(_))
    }
}

impl fmt::Display for Asn1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, self.tag) {
            (ErrorKind::UnexpectedTag { expected }, Some(found)) => write!(
                f,
                "expected tag {expected:X}, found {found:X} at offset {}",
                self.offset
            ),
            (kind, Some(tag)) => write!(f, "{kind} in tag {tag:X} at offset {}", self.offset),
            (kind, None) => write!(f, "{kind} at offset {}", self.offset),
        }
    }
}

impl std::error::Error for Asn1Error {}
