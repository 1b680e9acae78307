//! BER-TLV (ISO/IEC 7816-4 and ISO/IEC 8825-1) reading and writing: the one TLV codec of the crate.
//!
//! Tags are kept as the big-endian integer of their encoded bytes (`0x5F1F`, `0x7F61`, `0x75`), the way ICAO
//! 9303-10 writes them. Lengths are definite (short form, or long form with up to four length bytes).
//! Every function works on untrusted bytes: a truncated or malformed encoding is an error with the offset
//! where it went wrong, never a panic.

use thiserror::Error;

/// A BER tag as the big-endian integer of its encoded bytes (at most four bytes).
pub type Tag = u32;

/// What went wrong while decoding a TLV structure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TlvError {
    /// The input ended inside a tag, a length or a value.
    #[error("TLV truncated at offset {offset}: {what}")]
    Truncated {
        /// Offset (from the start of the parsed slice) where more bytes were needed.
        offset: usize,
        /// Which part was cut off: tag, length or value.
        what: &'static str,
    },
    /// A tag longer than four bytes, or a length form this codec does not accept.
    #[error("malformed TLV at offset {offset}: {what}")]
    Malformed {
        /// Offset of the offending byte.
        offset: usize,
        /// What was wrong.
        what: &'static str,
    },
    /// A different tag was found where a specific one was required.
    #[error("expected tag {expected:X}, found {found:X}")]
    UnexpectedTag {
        /// The tag the structure requires.
        expected: Tag,
        /// The tag that was present.
        found: Tag,
    },
    /// A required tag is missing from a constructed value.
    #[error("missing tag {0:X}")]
    MissingTag(Tag),
}

/// One decoded TLV object, borrowing from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag.
    pub tag: Tag,
    /// The value bytes.
    pub value: &'a [u8],
    /// The whole encoding: tag, length and value.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// True when the tag's constructed bit (0x20 of the first tag byte) is set.
    pub fn is_constructed(&self) -> bool {
        self.raw.first().is_some_and(|b| b & 0x20 != 0)
    }

    /// The children of a constructed value, in order.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, TlvError> {
        parse_all(self.value)
    }

    /// The first child with `tag`, if any.
    pub fn find(&self, tag: Tag) -> Result<Option<Tlv<'a>>, TlvError> {
        find(self.value, tag)
    }

    /// The first child with `tag`, or [`TlvError::MissingTag`].
    pub fn require(&self, tag: Tag) -> Result<Tlv<'a>, TlvError> {
        self.find(tag)?.ok_or(TlvError::MissingTag(tag))
    }
}

/// The decoded header of a TLV object: what is needed to learn a file's total length from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The tag.
    pub tag: Tag,
    /// Bytes taken by tag and length.
    pub header_len: usize,
    /// Bytes of the value.
    pub value_len: usize,
}

impl Header {
    /// Header plus value: the length of the whole encoding.
    pub fn total_len(&self) -> usize {
        self.header_len + self.value_len
    }
}

/// Decodes the tag and length at the start of `input` without requiring the value to be present.
pub fn parse_header(input: &[u8]) -> Result<Header, TlvError> {
    let first = *input.first().ok_or(TlvError::Truncated {
        offset: 0,
        what: "tag",
    })?;
    let mut tag: Tag = first.into();
    let mut pos = 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *input.get(pos).ok_or(TlvError::Truncated {
                offset: pos,
                what: "tag",
            })?;
            if pos >= 4 {
                return Err(TlvError::Malformed {
                    offset: pos,
                    what: "tag longer than four bytes",
                });
            }
            tag = (tag << 8) | Tag::from(b);
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let len_byte = *input.get(pos).ok_or(TlvError::Truncated {
        offset: pos,
        what: "length",
    })?;
    let len_offset = pos;
    pos += 1;
    let value_len = match len_byte {
        0x00..=0x7F => usize::from(len_byte),
        0x80 => {
            return Err(TlvError::Malformed {
                offset: len_offset,
                what: "indefinite length is not allowed here",
            });
        }
        0x81..=0x84 => {
            let n = usize::from(len_byte & 0x7F);
            let bytes = input.get(pos..pos + n).ok_or(TlvError::Truncated {
                offset: pos,
                what: "length",
            })?;
            pos += n;
            bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
        }
        _ => {
            return Err(TlvError::Malformed {
                offset: len_offset,
                what: "length field longer than four bytes",
            });
        }
    };
    Ok(Header {
        tag,
        header_len: pos,
        value_len,
    })
}

/// Decodes one TLV object at the start of `input`; returns it and the bytes that follow.
pub fn parse_one(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let header = parse_header(input)?;
    let end = header
        .header_len
        .checked_add(header.value_len)
        .filter(|end| *end <= input.len())
        .ok_or(TlvError::Truncated {
            offset: input.len(),
            what: "value",
        })?;
    let tlv = Tlv {
        tag: header.tag,
        value: &input[header.header_len..end],
        raw: &input[..end],
    };
    Ok((tlv, &input[end..]))
}

/// Decodes exactly one TLV object that must fill `input` and carry `tag`.
pub fn parse_exact(input: &[u8], tag: Tag) -> Result<Tlv<'_>, TlvError> {
    let (tlv, rest) = parse_one(input)?;
    if tlv.tag != tag {
        return Err(TlvError::UnexpectedTag {
            expected: tag,
            found: tlv.tag,
        });
    }
    if !rest.is_empty() {
        return Err(TlvError::Malformed {
            offset: tlv.raw.len(),
            what: "trailing bytes after the object",
        });
    }
    Ok(tlv)
}

/// Decodes a sequence of TLV objects that fills `input`. Padding bytes `00` or `FF` between objects
/// (allowed by ISO/IEC 7816-4) are skipped.
pub fn parse_all(input: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut out = Vec::new();
    let mut rest = input;
    while let Some(&b) = rest.first() {
        if b == 0x00 || b == 0xFF {
            rest = &rest[1..];
            continue;
        }
        let offset = input.len() - rest.len();
        let (tlv, next) = parse_one(rest).map_err(|e| shift(e, offset))?;
        out.push(tlv);
        rest = next;
    }
    Ok(out)
}

/// The first object with `tag` at the top level of `input`.
pub fn find(input: &[u8], tag: Tag) -> Result<Option<Tlv<'_>>, TlvError> {
    Ok(parse_all(input)?.into_iter().find(|t| t.tag == tag))
}

fn shift(e: TlvError, by: usize) -> TlvError {
    match e {
        TlvError::Truncated { offset, what } => TlvError::Truncated {
            offset: offset + by,
            what,
        },
        TlvError::Malformed { offset, what } => TlvError::Malformed {
            offset: offset + by,
            what,
        },
        other => other,
    }
}

/// Appends the encoding of `tag` (one to four bytes, leading zero bytes dropped).
pub fn encode_tag(tag: Tag, out: &mut Vec<u8>) {
    let bytes = tag.to_be_bytes();
    let skip = bytes.iter().take(3).take_while(|b| **b == 0).count();
    out.extend_from_slice(&bytes[skip..]);
}

/// Appends a definite length in the shortest form.
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Encodes one TLV object.
pub fn encode(tag: Tag, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    encode_tag(tag, &mut out);
    encode_length(value.len(), &mut out);
    out.extend_from_slice(value);
    out
}

/// Encodes a constructed object whose value is the concatenation of already encoded `children`.
pub fn encode_constructed(tag: Tag, children: &[Vec<u8>]) -> Vec<u8> {
    encode(tag, &children.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_short_and_long() {
        assert_eq!(
            parse_header(&[0x60, 0x14]).unwrap(),
            Header {
                tag: 0x60,
                header_len: 2,
                value_len: 0x14
            }
        );
        assert_eq!(
            parse_header(&[0x77, 0x82, 0x06, 0x3D]).unwrap(),
            Header {
                tag: 0x77,
                header_len: 4,
                value_len: 0x063D
            }
        );
        assert_eq!(
            parse_header(&[0x5F, 0x1F, 0x5A]).unwrap(),
            Header {
                tag: 0x5F1F,
                header_len: 3,
                value_len: 0x5A
            }
        );
        assert_eq!(
            parse_header(&[0x7F, 0x61, 0x81, 0x80]).unwrap().value_len,
            0x80
        );
    }

    #[test]
    fn ef_com_from_icao_example() {
        let com = hex::decode("60145F0104303130365F36063034303030305C026175").unwrap();
        let top = parse_exact(&com, 0x60).unwrap();
        let kids = top.children().unwrap();
        assert_eq!(
            kids.iter().map(|t| t.tag).collect::<Vec<_>>(),
            vec![0x5F01, 0x5F36, 0x5C]
        );
        assert_eq!(top.require(0x5C).unwrap().value, &[0x61, 0x75]);
    }

    #[test]
    fn round_trip_lengths() {
        for len in [0usize, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000] {
            let value = vec![0xAB; len];
            let enc = encode(0x5F2E, &value);
            let (tlv, rest) = parse_one(&enc).unwrap();
            assert!(rest.is_empty());
            assert_eq!(tlv.tag, 0x5F2E);
            assert_eq!(tlv.value.len(), len);
        }
    }

    #[test]
    fn malformed_inputs_are_errors() {
        assert!(matches!(
            parse_one(&[]),
            Err(TlvError::Truncated { what: "tag", .. })
        ));
        assert!(matches!(
            parse_one(&[0x5F]),
            Err(TlvError::Truncated { what: "tag", .. })
        ));
        assert!(matches!(
            parse_one(&[0x60]),
            Err(TlvError::Truncated { what: "length", .. })
        ));
        assert!(matches!(
            parse_one(&[0x60, 0x82, 0x01]),
            Err(TlvError::Truncated { .. })
        ));
        assert!(matches!(
            parse_one(&[0x60, 0x05, 1, 2]),
            Err(TlvError::Truncated { what: "value", .. })
        ));
        assert!(matches!(
            parse_one(&[0x60, 0x80]),
            Err(TlvError::Malformed { .. })
        ));
        assert!(matches!(
            parse_one(&[0x60, 0x85, 0, 0, 0, 0, 1]),
            Err(TlvError::Malformed { .. })
        ));
        assert!(matches!(
            parse_one(&[0x5F, 0xFF, 0xFF, 0xFF, 0x01, 0x00]),
            Err(TlvError::Malformed { .. })
        ));
        // A huge declared length never overflows or panics.
        assert!(parse_one(&[0x60, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
        assert!(matches!(
            parse_exact(&[0x61, 0x00], 0x60),
            Err(TlvError::UnexpectedTag { .. })
        ));
    }

    #[test]
    fn every_prefix_of_a_structure_is_handled() {
        let com = hex::decode("60145F0104303130365F36063034303030305C026175").unwrap();
        for n in 0..com.len() {
            assert!(parse_exact(&com[..n], 0x60).is_err());
        }
    }
}
