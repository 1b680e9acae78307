//! A small, borrowing BER reader for the CMS and X.509 structures of passive authentication.
//!
//! Unlike a typed decoder it keeps the original bytes of every element (signatures are checked over them),
//! accepts BER indefinite lengths and constructed strings, and never re-sorts a SET OF.

use der::asn1::ObjectIdentifier;
use thiserror::Error;

/// Universal tag numbers (first identifier byte) used by the PKI structures.
pub mod tag {
    /// BOOLEAN.
    pub const BOOLEAN: u32 = 0x01;
    /// INTEGER.
    pub const INTEGER: u32 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u32 = 0x03;
    /// OCTET STRING (primitive).
    pub const OCTET_STRING: u32 = 0x04;
    /// OCTET STRING (constructed, BER only).
    pub const OCTET_STRING_CONSTRUCTED: u32 = 0x24;
    /// NULL.
    pub const NULL: u32 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u32 = 0x06;
    /// UTCTime.
    pub const UTC_TIME: u32 = 0x17;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: u32 = 0x18;
    /// SEQUENCE / SEQUENCE OF.
    pub const SEQUENCE: u32 = 0x30;
    /// SET / SET OF.
    pub const SET: u32 = 0x31;
}

/// Context-specific constructed tag `[n]`.
pub const fn context(n: u8) -> u32 {
    0xA0 | (n as u32)
}

/// Context-specific primitive tag `[n]` (IMPLICIT over a primitive type).
pub const fn context_primitive(n: u8) -> u32 {
    0x80 | (n as u32)
}

/// A malformed BER encoding, with the offset (within the slice being parsed) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("BER error at offset {offset}: {what}")]
pub struct BerError {
    /// Offset of the problem in the slice given to the parser.
    pub offset: usize,
    /// Description of the problem.
    pub what: &'static str,
}

fn err(offset: usize, what: &'static str) -> BerError {
    BerError { offset, what }
}

/// Nesting limit for indefinite-length elements (whose end must be found by walking their children).
const MAX_DEPTH: usize = 64;

/// One BER element, borrowing from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    /// The identifier octets as a big-endian integer (`0x30`, `0xA0`, `0x77`, `0x5F1F`).
    pub tag: u32,
    /// The content octets (for an indefinite length: without the end-of-contents marker).
    pub content: &'a [u8],
    /// The whole element: identifier, length, content (and end-of-contents if indefinite).
    pub raw: &'a [u8],
    /// Whether the length was indefinite (BER).
    pub indefinite: bool,
}

impl<'a> Element<'a> {
    /// True when the constructed bit of the identifier is set.
    pub fn is_constructed(&self) -> bool {
        self.raw.first().is_some_and(|b| b & 0x20 != 0)
    }

    /// Parses the content as a sequence of elements.
    pub fn children(&self) -> Result<Vec<Element<'a>>, BerError> {
        parse_all(self.content)
    }

    /// A cursor over the children, for reading a SEQUENCE field by field.
    pub fn reader(&self) -> Reader<'a> {
        Reader {
            rest: self.content,
            offset: 0,
        }
    }

    /// Fails unless the element carries `tag`.
    pub fn expect(self, expected: u32, what: &'static str) -> Result<Self, BerError> {
        if self.tag == expected {
            Ok(self)
        } else {
            Err(err(0, what))
        }
    }

    /// The value of an OBJECT IDENTIFIER element.
    pub fn oid(&self) -> Result<ObjectIdentifier, BerError> {
        if self.tag != tag::OID {
            return Err(err(0, "expected an OBJECT IDENTIFIER"));
        }
        ObjectIdentifier::from_bytes(self.content)
            .map_err(|_| err(0, "malformed OBJECT IDENTIFIER"))
    }

    /// The content bytes of an INTEGER (two's complement, big-endian) as written.
    pub fn integer_bytes(&self) -> Result<&'a [u8], BerError> {
        if self.tag != tag::INTEGER {
            return Err(err(0, "expected an INTEGER"));
        }
        if self.content.is_empty() {
            return Err(err(0, "empty INTEGER"));
        }
        Ok(self.content)
    }

    /// The magnitude of a non-negative INTEGER, without leading zero bytes.
    pub fn unsigned_integer(&self) -> Result<&'a [u8], BerError> {
        let bytes = self.integer_bytes()?;
        if bytes.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(err(
                0,
                "negative INTEGER where an unsigned value is required",
            ));
        }
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        Ok(&bytes[start..])
    }

    /// A small non-negative INTEGER.
    pub fn small_uint(&self) -> Result<u64, BerError> {
        let bytes = self.unsigned_integer()?;
        if bytes.len() > 8 {
            return Err(err(0, "INTEGER too large"));
        }
        Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// The bytes of an OCTET STRING, joining the segments of a constructed (BER) OCTET STRING.
    pub fn octet_string(&self) -> Result<Vec<u8>, BerError> {
        self.string_bytes(tag::OCTET_STRING)
    }

    /// The bytes of a string type with primitive tag `primitive_tag`, joining constructed segments.
    pub fn string_bytes(&self, primitive_tag: u32) -> Result<Vec<u8>, BerError> {
        if self.tag == primitive_tag {
            return Ok(self.content.to_vec());
        }
        if self.tag == primitive_tag | 0x20 {
            let mut out = Vec::new();
            for child in self.children()? {
                out.extend(child.string_bytes(primitive_tag)?);
            }
            return Ok(out);
        }
        Err(err(0, "unexpected tag for a string"))
    }

    /// The bytes of a BIT STRING with no unused bits (keys and signatures).
    pub fn bit_string_octets(&self) -> Result<&'a [u8], BerError> {
        if self.tag != tag::BIT_STRING {
            return Err(err(0, "expected a BIT STRING"));
        }
        match self.content.split_first() {
            Some((0, rest)) => Ok(rest),
            Some(_) => Err(err(0, "BIT STRING with unused bits")),
            None => Err(err(0, "empty BIT STRING")),
        }
    }
}

/// Reads the children of a constructed element one after another.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    /// A reader over raw bytes holding a series of elements.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader {
            rest: bytes,
            offset: 0,
        }
    }

    /// The next element, or an error naming `what` if there is none.
    pub fn next(&mut self, what: &'static str) -> Result<Element<'a>, BerError> {
        self.next_opt()?.ok_or(err(self.offset, what))
    }

    /// The next element, or `None` at the end.
    pub fn next_opt(&mut self) -> Result<Option<Element<'a>>, BerError> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let (el, rest) = parse_one(self.rest).map_err(|e| err(self.offset + e.offset, e.what))?;
        self.offset += el.raw.len();
        self.rest = rest;
        Ok(Some(el))
    }

    /// The next element if it carries `tag`; otherwise leaves the reader where it is.
    pub fn next_if(&mut self, tag: u32) -> Result<Option<Element<'a>>, BerError> {
        if self.peek_tag() == Some(tag) {
            self.next_opt()
        } else {
            Ok(None)
        }
    }

    /// The next element, which must carry `tag`.
    pub fn next_tagged(&mut self, tag: u32, what: &'static str) -> Result<Element<'a>, BerError> {
        let el = self.next(what)?;
        if el.tag != tag {
            return Err(err(self.offset - el.raw.len(), what));
        }
        Ok(el)
    }

    /// The tag of the next element without consuming it.
    pub fn peek_tag(&self) -> Option<u32> {
        parse_tag(self.rest).ok().map(|(t, _)| t)
    }

    /// True when every child has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

fn parse_tag(input: &[u8]) -> Result<(u32, usize), BerError> {
    let first = *input.first().ok_or(err(0, "truncated tag"))?;
    let mut tag = u32::from(first);
    let mut pos = 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *input.get(pos).ok_or(err(pos, "truncated tag"))?;
            if pos >= 4 {
                return Err(err(pos, "tag longer than four bytes"));
            }
            tag = (tag << 8) | u32::from(b);
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    Ok((tag, pos))
}

/// Parses one element at the start of `input`; returns it and the bytes after it.
pub fn parse_one(input: &[u8]) -> Result<(Element<'_>, &[u8]), BerError> {
    parse_one_depth(input, 0)
}

fn parse_one_depth(input: &[u8], depth: usize) -> Result<(Element<'_>, &[u8]), BerError> {
    if depth > MAX_DEPTH {
        return Err(err(0, "nesting too deep"));
    }
    let (tag, mut pos) = parse_tag(input)?;
    let constructed = input.first().is_some_and(|b| b & 0x20 != 0);
    let len_byte = *input.get(pos).ok_or(err(pos, "truncated length"))?;
    let len_pos = pos;
    pos += 1;
    match len_byte {
        0x80 => {
            if !constructed {
                return Err(err(len_pos, "indefinite length on a primitive element"));
            }
            // Walk the children until the end-of-contents marker 00 00.
            let start = pos;
            loop {
                let rest = input
                    .get(pos..)
                    .ok_or(err(pos, "truncated indefinite-length content"))?;
                if rest.len() < 2 {
                    return Err(err(pos, "missing end-of-contents"));
                }
                if rest[0] == 0 && rest[1] == 0 {
                    let el = Element {
                        tag,
                        content: &input[start..pos],
                        raw: &input[..pos + 2],
                        indefinite: true,
                    };
                    return Ok((el, &input[pos + 2..]));
                }
                let (child, _) =
                    parse_one_depth(rest, depth + 1).map_err(|e| err(pos + e.offset, e.what))?;
                pos += child.raw.len();
            }
        }
        0x00..=0x7F => finish(input, tag, pos, usize::from(len_byte)),
        0x81..=0x84 => {
            let n = usize::from(len_byte & 0x7F);
            let bytes = input
                .get(pos..pos + n)
                .ok_or(err(pos, "truncated length"))?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            finish(input, tag, pos + n, len)
        }
        _ => Err(err(len_pos, "length field longer than four bytes")),
    }
}

fn finish(
    input: &[u8],
    tag: u32,
    header_len: usize,
    len: usize,
) -> Result<(Element<'_>, &[u8]), BerError> {
    let end = header_len
        .checked_add(len)
        .filter(|e| *e <= input.len())
        .ok_or(err(header_len, "truncated value"))?;
    let el = Element {
        tag,
        content: &input[header_len..end],
        raw: &input[..end],
        indefinite: false,
    };
    Ok((el, &input[end..]))
}

/// Parses exactly one element that fills `input` (trailing bytes are an error).
pub fn parse_exact(input: &[u8]) -> Result<Element<'_>, BerError> {
    let (el, rest) = parse_one(input)?;
    if !rest.is_empty() {
        return Err(err(el.raw.len(), "trailing bytes after the element"));
    }
    Ok(el)
}

/// Parses a series of elements that fills `input`.
pub fn parse_all(input: &[u8]) -> Result<Vec<Element<'_>>, BerError> {
    let mut reader = Reader::new(input);
    let mut out = Vec::new();
    while let Some(el) = reader.next_opt()? {
        out.push(el);
    }
    Ok(out)
}

/// DER length octets for `len`.
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// DER encoding of a single-byte-tag element with `content`.
pub fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    encode_length(content.len(), &mut out);
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn definite_and_indefinite_lengths() {
        // SEQUENCE (indefinite) { INTEGER 5, OCTET STRING (constructed, indefinite) { "ab", "c" } }
        let bytes = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0,
            0, 0, 0,
        ];
        let el = parse_exact(&bytes).unwrap();
        assert!(el.indefinite);
        let mut r = el.reader();
        assert_eq!(r.next("int").unwrap().small_uint().unwrap(), 5);
        assert_eq!(r.next("os").unwrap().octet_string().unwrap(), b"abc");
        assert!(r.is_empty());
    }

    #[test]
    fn truncation_is_an_error_not_a_panic() {
        let bytes = [0x30, 0x82, 0x01, 0x00, 0x02];
        assert!(parse_exact(&bytes).is_err());
        assert!(parse_exact(&[0x30, 0x80, 0x02, 0x01]).is_err());
        assert!(parse_exact(&[0x04, 0x80, 0, 0]).is_err());
        assert!(parse_exact(&[]).is_err());
    }

    #[test]
    fn length_encoding() {
        for len in [0usize, 0x7F, 0x80, 0xFF, 0x100, 0x12345] {
            let content = vec![0u8; len];
            let enc = encode(0x04, &content);
            let el = parse_exact(&enc).unwrap();
            assert_eq!(el.content.len(), len);
        }
    }
}
