//! ISO/IEC 7816-4 BER-TLV naming of the one codec, [`crate::asn1`].
//!
//! LDS files, secure-messaging data objects and security infos are read and written in the ISO/IEC 7816-4
//! vocabulary (`Tlv`, `parse_exact(bytes, tag)`, `encode`); this module keeps those names and delegates every
//! call to [`crate::asn1::read`](crate::asn1) ([`Mode::Definite`](crate::asn1::Mode::Definite): definite lengths,
//! `00`/`FF` padding skipped, depth-limited) and [`crate::asn1::der`]. It holds no parsing or encoding logic of
//! its own: a fix to the codec is a fix here.

use crate::asn1::{self, der};

pub use crate::asn1::{Header, Tag, find, parse_all, parse_header, parse_one};

/// One decoded TLV object (ISO/IEC 7816-4 naming of [`asn1::Element`]).
pub type Tlv<'a> = asn1::Element<'a>;

/// What went wrong while decoding a TLV structure (ISO/IEC 7816-4 naming of [`asn1::Asn1Error`]; a
/// truncation is [`asn1::Asn1Error::is_truncated`]).
pub type TlvError = asn1::Asn1Error;

/// Decodes exactly one TLV object that must fill `input` and carry `tag` ([`asn1::parse_tagged`]).
pub fn parse_exact(input: &[u8], tag: Tag) -> Result<Tlv<'_>, TlvError> {
    asn1::parse_tagged(input, tag)
}

/// Appends the encoding of `tag` ([`der::write_tag`]).
pub fn encode_tag(tag: Tag, out: &mut Vec<u8>) {
    der::write_tag(tag, out)
}

/// Appends a definite length in the shortest form ([`der::write_length`]).
pub fn encode_length(len: usize, out: &mut Vec<u8>) {
    der::write_length(len, out)
}

/// Encodes one TLV object ([`der::tlv`]).
pub fn encode(tag: Tag, value: &[u8]) -> Vec<u8> {
    der::tlv(tag, value)
}

/// Encodes a constructed object whose value is the concatenation of already encoded `children`
/// ([`der::constructed`]).
pub fn encode_constructed(tag: Tag, children: &[Vec<u8>]) -> Vec<u8> {
    let refs: Vec<&[u8]> = children.iter().map(Vec::as_slice).collect();
    der::constructed(tag, &refs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facade_round_trips_through_the_codec() {
        let inner = encode(0x5F1F, b"P<GBR");
        let outer = encode_constructed(0x61, &[inner.clone(), encode(0x80, &[1, 2])]);
        let tlv = parse_exact(&outer, 0x61).unwrap();
        assert_eq!(tlv.require(0x5F1F).unwrap().value, b"P<GBR");
        assert_eq!(tlv.children().unwrap().len(), 2);
        assert!(parse_exact(&outer, 0x60).is_err());
        assert!(
            parse_exact(&outer[..outer.len() - 1], 0x61)
                .unwrap_err()
                .is_truncated()
        );
        let h = parse_header(&outer).unwrap();
        assert_eq!(h.total_len(), outer.len());
        let mut len = Vec::new();
        encode_length(300, &mut len);
        assert_eq!(len, [0x82, 0x01, 0x2C]);
        let mut tag = Vec::new();
        encode_tag(0x7F61, &mut tag);
        assert_eq!(tag, [0x7F, 0x61]);
    }
}
