//! Decoding: elements that borrow from the input and keep their original bytes, and a cursor over a series
//! of them.

use std::borrow::Cow;

use super::error::{Asn1Error, ErrorKind, Part};
use super::{MAX_DEPTH, Mode, ObjectIdentifier, Tag, Time, tag};

/// The length octets of an element.
#[derive(Debug, Clone, Copy)]
enum Length {
    Definite(usize),
    Indefinite,
}

/// Identifier and length octets.
#[derive(Debug, Clone, Copy)]
struct RawHeader {
    tag: Tag,
    constructed: bool,
    header_len: usize,
    length: Length,
}

fn error(kind: ErrorKind, offset: usize) -> Asn1Error {
    Asn1Error::new(kind, offset)
}

/// Decodes the identifier octets at the start of `input`: the tag and the number of octets it takes. `base`
/// is the offset of `input` in the bytes the parse began with.
fn read_tag(input: &[u8], base: usize) -> Result<(Tag, usize), Asn1Error> {
    let first = *input
        .first()
        .ok_or(error(ErrorKind::Truncated(Part::Tag), base))?;
    let mut tag = Tag::from(first);
    let mut pos = 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *input
                .get(pos)
                .ok_or(error(ErrorKind::Truncated(Part::Tag), base + pos))?;
            if pos >= 4 {
                return Err(error(ErrorKind::TagTooLong, base));
            }
            tag = (tag << 8) | Tag::from(b);
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    Ok((tag, pos))
}

/// Decodes the identifier octets at the start of `input`: the tag and the number of octets it takes. A tag
/// list (ISO/IEC 7816-4 data object 5C, as in EF.COM and DG11) is a series of these without lengths.
pub fn parse_tag(input: &[u8]) -> Result<(Tag, usize), Asn1Error> {
    read_tag(input, 0)
}

/// Decodes the identifier and length octets at the start of `input`; `base` is the offset of `input` in the
/// bytes the parse began with.
fn read_header(input: &[u8], base: usize) -> Result<RawHeader, Asn1Error> {
    let (tag, mut pos) = read_tag(input, base)?;
    let first = input.first().copied().unwrap_or_default();
    let len_byte = *input
        .get(pos)
        .ok_or(error(ErrorKind::Truncated(Part::Length), base + pos).in_tag(tag))?;
    let len_offset = base + pos;
    pos += 1;
    let length = match len_byte {
        0x00..=0x7F => Length::Definite(usize::from(len_byte)),
        0x80 => Length::Indefinite,
        0x81..=0x84 => {
            let n = usize::from(len_byte & 0x7F);
            let bytes = input
                .get(pos..pos + n)
                .ok_or(error(ErrorKind::Truncated(Part::Length), base + pos).in_tag(tag))?;
            pos += n;
            let len = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
            // On a 16-bit target a four-octet length may not fit: it cannot be present either.
            Length::Definite(usize::try_from(len).unwrap_or(usize::MAX))
        }
        _ => return Err(error(ErrorKind::LengthTooLong, len_offset).in_tag(tag)),
    };
    Ok(RawHeader {
        tag,
        constructed: first & 0x20 != 0,
        header_len: pos,
        length,
    })
}

/// Finds the end-of-contents octets closing an indefinite-length element whose content starts at `start` in
/// `input`; returns their position. Walks the nested elements iteratively, counting the open indefinite
/// lengths against [`MAX_DEPTH`] (`depth` is the element's own depth).
fn find_end_of_contents(
    input: &[u8],
    start: usize,
    base: usize,
    depth: usize,
) -> Result<usize, Asn1Error> {
    let mut pos = start;
    let mut open = 1usize;
    loop {
        let rest = input.get(pos..).unwrap_or(&[]);
        match rest {
            [0, 0, ..] => {
                open -= 1;
                if open == 0 {
                    return Ok(pos);
                }
                pos += 2;
            }
            [] | [_] => return Err(error(ErrorKind::Truncated(Part::EndOfContents), base + pos)),
            [0, _, ..] => return Err(error(ErrorKind::UnexpectedEndOfContents, base + pos)),
            _ => {
                let h = read_header(rest, base + pos)?;
                match h.length {
                    Length::Definite(n) => {
                        pos = h
                            .header_len
                            .checked_add(n)
                            .filter(|end| *end <= rest.len())
                            .map(|end| pos + end)
                            .ok_or(
                                error(ErrorKind::Truncated(Part::Value), base + pos + h.header_len)
                                    .in_tag(h.tag),
                            )?;
                    }
                    Length::Indefinite => {
                        if !h.constructed {
                            return Err(
                                error(ErrorKind::IndefiniteOnPrimitive, base + pos).in_tag(h.tag)
                            );
                        }
                        open += 1;
                        // The element just opened sits at depth + open - 1.
                        if depth + open - 1 > MAX_DEPTH {
                            return Err(error(ErrorKind::TooDeep, base + pos).in_tag(h.tag));
                        }
                        pos += h.header_len;
                    }
                }
            }
        }
    }
}

/// Decodes one element at the start of `input` at nesting `depth`; `base` is its offset.
fn parse_at(input: &[u8], base: usize, depth: usize, mode: Mode) -> Result<Element<'_>, Asn1Error> {
    if depth > MAX_DEPTH {
        let e = error(ErrorKind::TooDeep, base);
        return Err(match read_tag(input, base) {
            Ok((tag, _)) => e.in_tag(tag),
            Err(_) => e,
        });
    }
    if mode == Mode::Ber && input.first() == Some(&0) {
        return Err(error(ErrorKind::UnexpectedEndOfContents, base));
    }
    let h = read_header(input, base)?;
    let (value_end, raw_end, indefinite) = match h.length {
        Length::Definite(n) => {
            let end = h
                .header_len
                .checked_add(n)
                .filter(|end| *end <= input.len())
                .ok_or(
                    error(ErrorKind::Truncated(Part::Value), base + h.header_len).in_tag(h.tag),
                )?;
            (end, end, false)
        }
        Length::Indefinite => {
            if mode != Mode::Ber {
                return Err(error(ErrorKind::IndefiniteLength, base).in_tag(h.tag));
            }
            if !h.constructed {
                return Err(error(ErrorKind::IndefiniteOnPrimitive, base).in_tag(h.tag));
            }
            let eoc = find_end_of_contents(input, h.header_len, base, depth)?;
            (eoc, eoc + 2, true)
        }
    };
    Ok(Element {
        tag: h.tag,
        value: &input[h.header_len..value_end],
        raw: &input[..raw_end],
        offset: base,
        header_len: h.header_len,
        indefinite,
        depth,
        mode,
    })
}

pub(super) fn parse_one_in(mode: Mode, input: &[u8]) -> Result<(Element<'_>, &[u8]), Asn1Error> {
    let el = parse_at(input, 0, 0, mode)?;
    Ok((el, &input[el.raw.len()..]))
}

pub(super) fn parse_exact_in(mode: Mode, input: &[u8]) -> Result<Element<'_>, Asn1Error> {
    let (el, rest) = parse_one_in(mode, input)?;
    if !rest.is_empty() {
        return Err(error(ErrorKind::TrailingBytes, el.raw.len()));
    }
    Ok(el)
}

/// Decodes one element ([`Mode::Definite`]) at the start of `input`; returns it and the bytes that follow.
pub fn parse_one(input: &[u8]) -> Result<(Element<'_>, &[u8]), Asn1Error> {
    Mode::Definite.parse_one(input)
}

/// Decodes exactly one element ([`Mode::Definite`]) that fills `input`.
pub fn parse_exact(input: &[u8]) -> Result<Element<'_>, Asn1Error> {
    Mode::Definite.parse_exact(input)
}

/// Decodes exactly one element ([`Mode::Definite`]) that fills `input` and carries `tag`: an LDS file, a
/// dynamic authentication data object.
pub fn parse_tagged(input: &[u8], tag: Tag) -> Result<Element<'_>, Asn1Error> {
    let (el, rest) = parse_one(input)?;
    let el = el.expect(tag)?;
    if !rest.is_empty() {
        return Err(error(ErrorKind::TrailingBytes, el.raw.len()));
    }
    Ok(el)
}

/// Decodes the series of elements ([`Mode::Definite`]) that fills `input`, skipping `00` / `FF` padding
/// between them.
pub fn parse_all(input: &[u8]) -> Result<Vec<Element<'_>>, Asn1Error> {
    Mode::Definite.parse_all(input)
}

/// The first element with `tag` at the top level of `input` ([`Mode::Definite`]); every element must decode.
pub fn find(input: &[u8], tag: Tag) -> Result<Option<Element<'_>>, Asn1Error> {
    Ok(parse_all(input)?.into_iter().find(|e| e.tag == tag))
}

/// The tag and length of an element whose value need not be present yet: how a reader learns a file's total
/// length from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The tag.
    pub tag: Tag,
    /// Bytes taken by the identifier and length octets.
    pub header_len: usize,
    /// Bytes of the value.
    pub value_len: usize,
}

impl Header {
    /// Header plus value: the length of the whole encoding (saturating on absurd declared lengths).
    pub fn total_len(&self) -> usize {
        self.header_len.saturating_add(self.value_len)
    }
}

/// Decodes the tag and definite length at the start of `input` without requiring the value to be present.
pub fn parse_header(input: &[u8]) -> Result<Header, Asn1Error> {
    let h = read_header(input, 0)?;
    match h.length {
        Length::Definite(value_len) => Ok(Header {
            tag: h.tag,
            header_len: h.header_len,
            value_len,
        }),
        Length::Indefinite => Err(error(ErrorKind::IndefiniteLength, 0).in_tag(h.tag)),
    }
}

/// One decoded element, borrowing from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    /// The tag.
    pub tag: Tag,
    /// The content octets (for an indefinite length, without the end-of-contents octets).
    pub value: &'a [u8],
    /// The whole encoding as it was found: identifier, length, content (and end-of-contents).
    pub raw: &'a [u8],
    /// Offset of the element's first byte in the bytes the parse began with.
    pub offset: usize,
    header_len: usize,
    indefinite: bool,
    depth: usize,
    mode: Mode,
}

impl<'a> Element<'a> {
    /// True when the constructed bit (`20` of the first identifier octet) is set.
    pub fn is_constructed(&self) -> bool {
        self.raw.first().is_some_and(|b| b & 0x20 != 0)
    }

    /// True when the length was indefinite (BER).
    pub fn is_indefinite(&self) -> bool {
        self.indefinite
    }

    /// How deep the element sits below the one the parse began with (0 for that one).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The rules the element was decoded under (its children are decoded under the same).
    pub fn mode(&self) -> Mode {
        self.mode
    }

    fn err(&self, kind: ErrorKind) -> Asn1Error {
        error(kind, self.offset).in_tag(self.tag)
    }

    /// A cursor over the children of a constructed element, for reading a SEQUENCE field by field.
    pub fn cursor(&self) -> Cursor<'a> {
        Cursor {
            rest: self.value,
            offset: self.offset + self.header_len,
            depth: self.depth + 1,
            mode: self.mode,
        }
    }

    /// The children of a constructed element, in order.
    pub fn children(&self) -> Result<Vec<Element<'a>>, Asn1Error> {
        self.cursor().collect_all()
    }

    /// The first child with `tag`, if any (every child must decode).
    pub fn find(&self, tag: Tag) -> Result<Option<Element<'a>>, Asn1Error> {
        Ok(self.children()?.into_iter().find(|e| e.tag == tag))
    }

    /// The first child with `tag`, or [`ErrorKind::MissingTag`].
    pub fn require(&self, tag: Tag) -> Result<Element<'a>, Asn1Error> {
        self.find(tag)?.ok_or(self.err(ErrorKind::MissingTag(tag)))
    }

    /// The element itself when it carries `tag`, else [`ErrorKind::UnexpectedTag`].
    pub fn expect(self, tag: Tag) -> Result<Self, Asn1Error> {
        if self.tag == tag {
            Ok(self)
        } else {
            Err(self.err(ErrorKind::UnexpectedTag { expected: tag }))
        }
    }

    /// Decodes the value as exactly one element, one level deeper: the content of an EXPLICIT tag, an
    /// extension's extnValue, an OCTET STRING that wraps a structure. Offsets stay those of the whole input.
    pub fn value_element(&self) -> Result<Element<'a>, Asn1Error> {
        let mut c = self.cursor();
        let inner = c.next("encoding inside the value")?;
        if !c.rest.is_empty() {
            return Err(error(ErrorKind::TrailingBytes, c.offset).in_tag(self.tag));
        }
        Ok(inner)
    }

    /// The value of an OBJECT IDENTIFIER.
    pub fn oid(&self) -> Result<ObjectIdentifier, Asn1Error> {
        let el = self.expect(tag::OID)?;
        ObjectIdentifier::from_bytes(el.value)
            .map_err(|_| el.err(ErrorKind::Invalid("malformed OBJECT IDENTIFIER")))
    }

    /// The content octets of an INTEGER (two's complement, big-endian) as written; never empty.
    pub fn integer_bytes(&self) -> Result<&'a [u8], Asn1Error> {
        let el = self.expect(tag::INTEGER)?;
        if el.value.is_empty() {
            return Err(el.err(ErrorKind::Invalid("empty INTEGER")));
        }
        Ok(el.value)
    }

    /// The unsigned big-endian magnitude of a non-negative INTEGER, without leading zero bytes (empty for
    /// zero): a modulus, a prime, a serial number.
    pub fn unsigned_integer(&self) -> Result<&'a [u8], Asn1Error> {
        let bytes = self.integer_bytes()?;
        if bytes.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(self.err(ErrorKind::Invalid(
                "negative INTEGER where an unsigned value is required",
            )));
        }
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        Ok(&bytes[start..])
    }

    /// A non-negative INTEGER that fits 64 bits (versions, counts, identifiers).
    pub fn small_uint(&self) -> Result<u64, Asn1Error> {
        let bytes = self.unsigned_integer()?;
        if bytes.len() > 8 {
            return Err(self.err(ErrorKind::Invalid("INTEGER too large")));
        }
        Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    /// A signed INTEGER that fits 64 bits.
    pub fn integer_i64(&self) -> Result<i64, Asn1Error> {
        let bytes = self.integer_bytes()?;
        // Drop redundant sign-extension octets, then sign-extend into eight bytes.
        let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
        let fill = if negative { 0xFF } else { 0x00 };
        let mut start = 0;
        while start + 1 < bytes.len()
            && bytes[start] == fill
            && (bytes[start + 1] & 0x80 != 0) == negative
        {
            start += 1;
        }
        let significant = &bytes[start..];
        if significant.len() > 8 {
            return Err(self.err(ErrorKind::Invalid("INTEGER too large")));
        }
        let mut buf = [fill; 8];
        buf[8 - significant.len()..].copy_from_slice(significant);
        Ok(i64::from_be_bytes(buf))
    }

    /// The value of a BOOLEAN (one octet; any non-zero octet is TRUE, as BER allows).
    pub fn boolean(&self) -> Result<bool, Asn1Error> {
        match self.expect(tag::BOOLEAN)?.value {
            [v] => Ok(*v != 0),
            _ => Err(self.err(ErrorKind::Invalid("BOOLEAN is not one octet"))),
        }
    }

    /// Checks that the element is a NULL.
    pub fn null(&self) -> Result<(), Asn1Error> {
        if self.expect(tag::NULL)?.value.is_empty() {
            Ok(())
        } else {
            Err(self.err(ErrorKind::Invalid("NULL with content")))
        }
    }

    /// Calls `segment` with each primitive segment of a string type, in order: the element itself when it
    /// is primitive, the leaves of a constructed (BER) string otherwise. Iterative: the nesting is bounded by
    /// [`MAX_DEPTH`], the stack is not touched.
    fn for_each_segment(
        &self,
        primitive: Tag,
        mut segment: impl FnMut(&Element<'a>) -> Result<(), Asn1Error>,
    ) -> Result<(), Asn1Error> {
        let constructed = tag::constructed(primitive);
        if self.tag == primitive {
            return segment(self);
        }
        if self.tag != constructed {
            return Err(self.err(ErrorKind::UnexpectedTag {
                expected: primitive,
            }));
        }
        if self.mode != Mode::Ber {
            return Err(self.err(ErrorKind::Invalid("constructed string outside BER mode")));
        }
        let mut stack = vec![self.cursor()];
        while let Some(top) = stack.last_mut() {
            match top.next_opt()? {
                None => {
                    stack.pop();
                }
                Some(child) if child.tag == primitive => segment(&child)?,
                Some(child) if child.tag == constructed => stack.push(child.cursor()),
                Some(child) => {
                    return Err(child.err(ErrorKind::UnexpectedTag {
                        expected: primitive,
                    }));
                }
            }
        }
        Ok(())
    }

    /// The octets of a string type whose primitive tag is `primitive` (OCTET STRING, a character string),
    /// joining the segments of a constructed (BER) string. Borrowed when the string is primitive.
    pub fn string_bytes(&self, primitive: Tag) -> Result<Cow<'a, [u8]>, Asn1Error> {
        if self.tag == primitive {
            return Ok(Cow::Borrowed(self.value));
        }
        let mut out = Vec::new();
        self.for_each_segment(primitive, |s| {
            out.extend_from_slice(s.value);
            Ok(())
        })?;
        Ok(Cow::Owned(out))
    }

    /// The octets of an OCTET STRING, joining the segments of a constructed (BER) OCTET STRING.
    pub fn octet_string(&self) -> Result<Vec<u8>, Asn1Error> {
        self.string_bytes(tag::OCTET_STRING).map(Cow::into_owned)
    }

    /// A BIT STRING: its unused-bit count and its octets, joining the segments of a constructed (BER) BIT
    /// STRING (only the last segment may have unused bits).
    pub fn bit_string(&self) -> Result<BitString<'a>, Asn1Error> {
        fn split<'b>(s: &Element<'b>) -> Result<(u8, &'b [u8]), Asn1Error> {
            match s.value.split_first() {
                Some((&unused, bytes)) if unused <= 7 && (unused == 0 || !bytes.is_empty()) => {
                    Ok((unused, bytes))
                }
                Some(_) => Err(s.err(ErrorKind::Invalid("BIT STRING unused-bit count invalid"))),
                None => Err(s.err(ErrorKind::Invalid("empty BIT STRING"))),
            }
        }
        if self.tag == tag::BIT_STRING {
            let (unused_bits, bytes) = split(self)?;
            return Ok(BitString {
                unused_bits,
                bytes: Cow::Borrowed(bytes),
            });
        }
        let mut out = Vec::new();
        let mut last_unused = 0u8;
        self.for_each_segment(tag::BIT_STRING, |s| {
            if last_unused != 0 {
                return Err(s.err(ErrorKind::Invalid(
                    "BIT STRING segment with unused bits before the last",
                )));
            }
            let (unused, bytes) = split(s)?;
            last_unused = unused;
            out.extend_from_slice(bytes);
            Ok(())
        })?;
        Ok(BitString {
            unused_bits: last_unused,
            bytes: Cow::Owned(out),
        })
    }

    /// The octets of a BIT STRING with no unused bits (public keys, signatures).
    pub fn bit_string_octets(&self) -> Result<Cow<'a, [u8]>, Asn1Error> {
        let bits = self.bit_string()?;
        if bits.unused_bits != 0 {
            return Err(self.err(ErrorKind::Invalid("BIT STRING with unused bits")));
        }
        Ok(bits.bytes)
    }

    /// A UTCTime (`YYMMDDhhmm[ss]Z`, years 50..99 → 19xx) or GeneralizedTime (`YYYYMMDDhhmm[ss[.f]]Z`).
    pub fn time(&self) -> Result<Time, Asn1Error> {
        let bad = self.err(ErrorKind::Invalid("malformed time"));
        let four_digit_year = match self.tag {
            tag::UTC_TIME => false,
            tag::GENERALIZED_TIME => true,
            _ => {
                return Err(self.err(ErrorKind::Invalid("expected UTCTime or GeneralizedTime")));
            }
        };
        Time::parse_asn1(self.value, four_digit_year).ok_or(bad)
    }
}

/// A decoded BIT STRING.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitString<'a> {
    /// Bits of the last octet that are not part of the string (0..=7).
    pub unused_bits: u8,
    /// The octets, the first bit being the most significant bit of the first octet.
    pub bytes: Cow<'a, [u8]>,
}

impl BitString<'_> {
    /// Whether bit `n` (0 = the most significant bit of the first octet, as X.509 KeyUsage numbers them) is
    /// set; bits past the end are not.
    pub fn bit(&self, n: usize) -> bool {
        let len_bits = (self.bytes.len() * 8).saturating_sub(usize::from(self.unused_bits));
        n < len_bits
            && self
                .bytes
                .get(n / 8)
                .is_some_and(|b| b & (0x80 >> (n % 8)) != 0)
    }
}

/// Reads a series of elements one after another: the children of a constructed element, or a whole input.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    rest: &'a [u8],
    offset: usize,
    depth: usize,
    mode: Mode,
}

impl<'a> Cursor<'a> {
    /// A cursor over `input` under `mode` (see [`Mode::cursor`]).
    pub(super) fn new(mode: Mode, input: &'a [u8]) -> Self {
        Cursor {
            rest: input,
            offset: 0,
            depth: 0,
            mode,
        }
    }

    /// Skips ISO/IEC 7816-4 padding (`00`, `FF`) in [`Mode::Definite`].
    fn skip_padding(&mut self) {
        if self.mode == Mode::Definite {
            while let [0x00 | 0xFF, tail @ ..] = self.rest {
                self.rest = tail;
                self.offset += 1;
            }
        }
    }

    /// The next element, or `None` at the end.
    pub fn next_opt(&mut self) -> Result<Option<Element<'a>>, Asn1Error> {
        self.skip_padding();
        if self.rest.is_empty() {
            return Ok(None);
        }
        let el = parse_at(self.rest, self.offset, self.depth, self.mode)?;
        self.rest = &self.rest[el.raw.len()..];
        self.offset += el.raw.len();
        Ok(Some(el))
    }

    /// The next element; [`ErrorKind::Missing`] naming `what` if there is none.
    pub fn next(&mut self, what: &'static str) -> Result<Element<'a>, Asn1Error> {
        let offset = self.offset;
        self.next_opt()?
            .ok_or(error(ErrorKind::Missing(what), offset))
    }

    /// The next element, which must carry `tag` ([`ErrorKind::Missing`] naming `what` if there is none).
    pub fn next_tagged(&mut self, tag: Tag, what: &'static str) -> Result<Element<'a>, Asn1Error> {
        self.next(what)?.expect(tag)
    }

    /// The next element if it carries `tag` (an OPTIONAL or DEFAULT field); otherwise the cursor stays.
    pub fn next_if(&mut self, tag: Tag) -> Result<Option<Element<'a>>, Asn1Error> {
        if self.peek_tag() == Some(tag) {
            self.next_opt()
        } else {
            Ok(None)
        }
    }

    /// The tag of the next element without consuming it (`None` at the end or on a malformed tag).
    pub fn peek_tag(&self) -> Option<Tag> {
        let mut probe = self.clone();
        probe.skip_padding();
        read_header(probe.rest, probe.offset).ok().map(|h| h.tag)
    }

    /// True when every element has been read (padding aside).
    pub fn is_empty(&self) -> bool {
        let mut probe = self.clone();
        probe.skip_padding();
        probe.rest.is_empty()
    }

    /// Offset of the next unread byte in the bytes the parse began with.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Checks that every element has been read: a SEQUENCE with no unexpected trailing fields.
    pub fn finish(&self) -> Result<(), Asn1Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(error(ErrorKind::TrailingBytes, self.offset))
        }
    }

    /// All remaining elements.
    pub(super) fn collect_all(mut self) -> Result<Vec<Element<'a>>, Asn1Error> {
        let mut out = Vec::new();
        while let Some(el) = self.next_opt()? {
            out.push(el);
        }
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::der;
    use super::*;

    /// Test bytes from spaced hex, kept for the whole test.
    fn h(s: &str) -> &'static [u8] {
        Vec::leak(hex::decode(s.replace(' ', "")).unwrap())
    }

    #[test]
    fn every_length_form() {
        let cases: [(&str, usize, usize); 7] = [
            ("04 00", 2, 0),
            ("04 7F", 2, 0x7F),
            ("04 81 80", 3, 0x80),
            ("04 81 FF", 3, 0xFF),
            ("04 82 01 00", 4, 0x100),
            ("04 83 01 00 00", 5, 0x1_0000),
            ("04 84 00 01 00 00", 6, 0x1_0000),
        ];
        for (header, header_len, len) in cases {
            let mut bytes = h(header).to_vec();
            bytes.resize(header_len + len, 0xAB);
            let el = parse_exact(&bytes).unwrap();
            assert_eq!(
                (el.tag, el.value.len(), el.raw.len()),
                (4, len, bytes.len())
            );
            assert_eq!(
                parse_header(&bytes).unwrap(),
                Header {
                    tag: 4,
                    header_len,
                    value_len: len
                }
            );
        }
        // Five length octets and the reserved FF are refused.
        let e = parse_one(h("04 85 00 00 00 00 01 00")).unwrap_err();
        assert_eq!(
            (e.kind, e.offset, e.tag),
            (ErrorKind::LengthTooLong, 1, Some(4))
        );
        assert_eq!(
            parse_one(h("04 FF")).unwrap_err().kind,
            ErrorKind::LengthTooLong
        );
    }

    #[test]
    fn multi_byte_tags() {
        let el = parse_exact(h("5F1F 02 4142")).unwrap();
        assert_eq!((el.tag, el.value), (0x5F1F, &b"AB"[..]));
        let el = parse_exact(h("7F61 03 020101")).unwrap();
        assert_eq!(el.tag, 0x7F61);
        assert!(el.is_constructed());
        assert_eq!(el.children().unwrap()[0].small_uint().unwrap(), 1);
        assert_eq!(parse_exact(h("5F8101 00")).unwrap().tag, 0x5F8101);
        assert_eq!(parse_exact(h("5F818101 00")).unwrap().tag, 0x5F81_8101);
        let e = parse_one(h("5F81818101 00")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TagTooLong);
    }

    #[test]
    fn truncated_input_names_the_part_and_offset() {
        let kinds = |bytes: &[u8]| parse_one(bytes).map(|_| ()).unwrap_err();
        assert_eq!(kinds(&[]).kind, ErrorKind::Truncated(Part::Tag));
        assert_eq!(kinds(&[0x5F]).kind, ErrorKind::Truncated(Part::Tag));
        let e = kinds(&[0x60]);
        assert_eq!(
            (e.kind, e.offset, e.tag),
            (ErrorKind::Truncated(Part::Length), 1, Some(0x60))
        );
        assert_eq!(
            kinds(&[0x60, 0x82, 0x01]).kind,
            ErrorKind::Truncated(Part::Length)
        );
        let e = kinds(&[0x60, 0x05, 1, 2]);
        assert_eq!((e.kind, e.offset), (ErrorKind::Truncated(Part::Value), 2));
        // A huge declared length is a truncation, never an overflow or an allocation.
        let e = kinds(h("30 84 FFFFFFFF 00"));
        assert_eq!(
            (e.kind, e.tag),
            (ErrorKind::Truncated(Part::Value), Some(0x30))
        );
        // Every prefix of a valid structure is an error, under both modes.
        let com = h("60145F0104303130365F36063034303030305C026175");
        for n in 0..com.len() {
            assert!(parse_tagged(&com[..n], 0x60).is_err());
            assert!(Mode::Ber.parse_exact(&com[..n]).is_err());
        }
        let ber = h("30 80 02 01 05 24 80 04 02 6162 04 01 63 0000 0000");
        for n in 0..ber.len() {
            assert!(Mode::Ber.parse_exact(&ber[..n]).is_err(), "prefix {n}");
        }
    }

    #[test]
    fn ef_com_from_icao_example() {
        let com = h("60145F0104303130365F36063034303030305C026175");
        let top = parse_tagged(com, 0x60).unwrap();
        let kids = top.children().unwrap();
        assert_eq!(
            kids.iter().map(|t| t.tag).collect::<Vec<_>>(),
            vec![0x5F01, 0x5F36, 0x5C]
        );
        assert_eq!(top.require(0x5C).unwrap().value, &[0x61, 0x75]);
        assert_eq!(kids[2].offset, 18);
        let e = top.require(0x5F1F).unwrap_err();
        assert_eq!((e.kind, e.tag), (ErrorKind::MissingTag(0x5F1F), Some(0x60)));
        let e = parse_tagged(com, 0x61).unwrap_err();
        assert_eq!(
            (e.kind, e.tag),
            (ErrorKind::UnexpectedTag { expected: 0x61 }, Some(0x60))
        );
        assert_eq!(e.to_string(), "expected tag 61, found 60 at offset 0");
        let mut padded = com.to_vec();
        padded.push(0);
        assert_eq!(
            parse_tagged(&padded, 0x60).unwrap_err().kind,
            ErrorKind::TrailingBytes
        );
    }

    #[test]
    fn padding_is_skipped_only_in_definite_mode() {
        let bytes = h("00 FF 02 01 01 00 00 02 01 02 FF");
        let all = parse_all(bytes).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].offset, 7);
        assert_eq!(
            Mode::Ber.parse_all(bytes).unwrap_err().kind,
            ErrorKind::UnexpectedEndOfContents
        );
    }

    #[test]
    fn indefinite_lengths_only_in_ber_mode() {
        // SEQUENCE (indefinite) { INTEGER 5, OCTET STRING (constructed, indefinite) { "ab", "c" } }
        let bytes = h("30 80 02 01 05 24 80 04 02 6162 04 01 63 0000 0000");
        let e = parse_exact(bytes).unwrap_err();
        assert_eq!((e.kind, e.tag), (ErrorKind::IndefiniteLength, Some(0x30)));
        assert_eq!(
            parse_header(bytes).unwrap_err().kind,
            ErrorKind::IndefiniteLength
        );
        let el = Mode::Ber.parse_exact(bytes).unwrap();
        assert!(el.is_indefinite());
        assert_eq!(el.raw, bytes);
        assert_eq!(el.value, &bytes[2..bytes.len() - 2]);
        let mut c = el.cursor();
        assert_eq!(c.next("int").unwrap().small_uint().unwrap(), 5);
        let os = c.next("os").unwrap();
        assert_eq!(os.offset, 5);
        assert_eq!(os.octet_string().unwrap(), b"abc");
        c.finish().unwrap();
        // Indefinite on a primitive element, and an unterminated one.
        assert_eq!(
            Mode::Ber.parse_exact(h("04 80 00 00")).unwrap_err().kind,
            ErrorKind::IndefiniteOnPrimitive
        );
        assert_eq!(
            Mode::Ber.parse_exact(h("30 80 02 01 05")).unwrap_err().kind,
            ErrorKind::Truncated(Part::EndOfContents)
        );
        // The constructed string is refused outside BER mode even with definite lengths.
        let definite = parse_exact(h("24 04 04 02 6162")).unwrap();
        assert!(definite.octet_string().is_err());
    }

    #[test]
    fn depth_limit_on_every_path() {
        // Definite-length SEQUENCEs nested MAX_DEPTH + 1 deep: walking down with cursors stops at the limit.
        let mut deep = der::integer_u64(1);
        for _ in 0..=MAX_DEPTH {
            deep = der::sequence(&[&deep]);
        }
        let mut el = parse_exact(&deep).unwrap();
        let err = loop {
            match el.cursor().next("child") {
                Ok(child) => el = child,
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind, ErrorKind::TooDeep);
        assert_eq!(el.depth(), MAX_DEPTH);

        // The same depth of constructed OCTET STRINGs (definite lengths) is refused when joined, ...
        let mut os = der::octet_string(b"x");
        for _ in 0..=MAX_DEPTH {
            os = der::tlv(0x24, &os);
        }
        let e = Mode::Ber
            .parse_exact(&os)
            .unwrap()
            .octet_string()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooDeep);
        // ... one level less is joined.
        let ok = der::tlv(0x24, &der::octet_string(b"x"));
        assert_eq!(
            Mode::Ber.parse_exact(&ok).unwrap().octet_string().unwrap(),
            b"x"
        );

        // Indefinite lengths nested too deep are refused while finding the end, before any descent.
        let n = MAX_DEPTH + 2;
        let mut ind = Vec::new();
        for _ in 0..n {
            ind.extend([0x24, 0x80]);
        }
        ind.extend([0x04, 0x01, b'x']);
        for _ in 0..n {
            ind.extend([0, 0]);
        }
        assert_eq!(
            Mode::Ber.parse_exact(&ind).unwrap_err().kind,
            ErrorKind::TooDeep
        );
        let n = MAX_DEPTH;
        let mut ind = Vec::new();
        for _ in 0..n {
            ind.extend([0x24, 0x80]);
        }
        ind.extend([0x04, 0x01, b'x']);
        for _ in 0..n {
            ind.extend([0, 0]);
        }
        assert_eq!(
            Mode::Ber.parse_exact(&ind).unwrap().octet_string().unwrap(),
            b"x"
        );
    }

    #[test]
    fn very_deep_nesting_is_an_error_not_a_stack_overflow() {
        // 200 000 levels of constructed OCTET STRING with definite four-byte lengths, ~1 MB.
        let levels = 200_000usize;
        let mut bytes = Vec::with_capacity(levels * 6 + 3);
        for i in 0..levels {
            let inner = (levels - i - 1) * 6 + 3;
            bytes.extend([0x24, 0x84]);
            bytes.extend((inner as u32).to_be_bytes());
        }
        bytes.extend([0x04, 0x01, b'x']);
        let el = Mode::Ber.parse_exact(&bytes).unwrap();
        assert_eq!(el.octet_string().unwrap_err().kind, ErrorKind::TooDeep);
        // Indefinite-length nesting of the same depth.
        let mut ind = Vec::with_capacity(levels * 4 + 3);
        for _ in 0..levels {
            ind.extend([0x24, 0x80]);
        }
        ind.extend([0x04, 0x01, b'x']);
        ind.resize(ind.len() + 2 * levels, 0);
        assert_eq!(
            Mode::Ber.parse_exact(&ind).unwrap_err().kind,
            ErrorKind::TooDeep
        );
    }

    #[test]
    fn integers() {
        let int = |s: &str| {
            let bytes = h(s);
            let el = parse_exact(bytes).unwrap();
            (
                el.integer_i64().ok(),
                el.unsigned_integer().ok().map(<[u8]>::to_vec),
                el.small_uint().ok(),
            )
        };
        assert_eq!(int("02 01 00"), (Some(0), Some(vec![]), Some(0)));
        assert_eq!(int("02 01 7F"), (Some(127), Some(vec![0x7F]), Some(127)));
        assert_eq!(int("02 02 0080"), (Some(128), Some(vec![0x80]), Some(128)));
        assert_eq!(int("02 01 80"), (Some(-128), None, None));
        assert_eq!(int("02 01 FF"), (Some(-1), None, None));
        assert_eq!(int("02 02 FF7F"), (Some(-129), None, None));
        // A non-minimal leading zero is tolerated (real certificates carry them).
        assert_eq!(int("02 03 000001"), (Some(1), Some(vec![1]), Some(1)));
        assert_eq!(
            int("02 09 00 FFFFFFFFFFFFFFFF"),
            (None, Some(vec![0xFF; 8]), Some(u64::MAX))
        );
        assert_eq!(
            int("02 09 01 0000000000000000"),
            (None, Some(h("01 0000000000000000").to_vec()), None)
        );
        assert_eq!(int("02 08 8000000000000000"), (Some(i64::MIN), None, None));
        assert_eq!(
            parse_exact(h("02 00"))
                .unwrap()
                .integer_bytes()
                .unwrap_err()
                .kind,
            ErrorKind::Invalid("empty INTEGER")
        );
        let e = parse_exact(h("04 01 00"))
            .unwrap()
            .small_uint()
            .unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::UnexpectedTag {
                expected: tag::INTEGER
            }
        );
    }

    #[test]
    fn bit_strings_and_booleans() {
        let el = Mode::Ber.parse_exact(h("03 03 05 A0 E0")).unwrap();
        let bits = el.bit_string().unwrap();
        assert_eq!((bits.unused_bits, &bits.bytes[..]), (5, &[0xA0, 0xE0][..]));
        assert!(bits.bit(0) && !bits.bit(1) && bits.bit(2) && bits.bit(8) && bits.bit(10));
        assert!(!bits.bit(11), "unused bits are not part of the string");
        assert!(el.bit_string_octets().is_err());
        assert_eq!(
            &Mode::Ber
                .parse_exact(h("03 02 00 AB"))
                .unwrap()
                .bit_string_octets()
                .unwrap()[..],
            &[0xAB]
        );
        assert!(parse_exact(h("03 00")).unwrap().bit_string().is_err());
        assert!(parse_exact(h("03 01 01")).unwrap().bit_string().is_err());
        assert!(parse_exact(h("03 02 08 00")).unwrap().bit_string().is_err());
        // Constructed BIT STRING (BER): only the last segment may have unused bits.
        let c = Mode::Ber
            .parse_exact(h("23 08 03 02 00 AB 03 02 04 C0"))
            .unwrap();
        let bits = c.bit_string().unwrap();
        assert_eq!((bits.unused_bits, &bits.bytes[..]), (4, &[0xAB, 0xC0][..]));
        let c = Mode::Ber
            .parse_exact(h("23 08 03 02 04 A0 03 02 00 C0"))
            .unwrap();
        assert!(c.bit_string().is_err());

        assert!(parse_exact(h("01 01 FF")).unwrap().boolean().unwrap());
        assert!(!parse_exact(h("01 01 00")).unwrap().boolean().unwrap());
        assert!(parse_exact(h("01 02 0000")).unwrap().boolean().is_err());
        parse_exact(h("05 00")).unwrap().null().unwrap();
        assert!(parse_exact(h("05 01 00")).unwrap().null().is_err());
    }

    #[test]
    fn value_element_keeps_offsets_and_depth() {
        // OCTET STRING wrapping SEQUENCE { INTEGER 7 }.
        let bytes = h("04 05 30 03 02 01 07");
        let os = parse_exact(bytes).unwrap();
        let inner = os.value_element().unwrap();
        assert_eq!((inner.tag, inner.offset, inner.depth()), (0x30, 2, 1));
        assert_eq!(inner.cursor().next("int").unwrap().small_uint().unwrap(), 7);
        assert!(
            parse_exact(h("04 03 05 00 00"))
                .unwrap()
                .value_element()
                .is_err()
        );
    }

    #[test]
    fn cursor_optional_fields() {
        let bytes = h("30 08 A0 03 02 01 02 02 01 09");
        let seq = parse_exact(bytes).unwrap();
        let mut c = seq.cursor();
        assert_eq!(c.peek_tag(), Some(0xA0));
        assert!(c.next_if(0x80).unwrap().is_none());
        let v = c.next_if(tag::context(0)).unwrap().unwrap();
        assert_eq!(v.cursor().next("version").unwrap().small_uint().unwrap(), 2);
        assert!(c.finish().is_err());
        assert_eq!(
            c.next_tagged(tag::INTEGER, "serial")
                .unwrap()
                .small_uint()
                .unwrap(),
            9
        );
        assert!(c.is_empty());
        let e = c.next("signature").unwrap_err();
        assert_eq!((e.kind, e.offset), (ErrorKind::Missing("signature"), 10));
        assert_eq!(e.to_string(), "missing signature at offset 10");
    }

    #[test]
    fn times() {
        let t = |tag: Tag, s: &str| {
            let enc = der::tlv(tag, s.as_bytes());
            parse_exact(&enc).unwrap().time()
        };
        assert_eq!(
            t(tag::UTC_TIME, "491231235959Z").unwrap(),
            Time {
                year: 2049,
                month: 12,
                day: 31,
                hour: 23,
                minute: 59,
                second: 59
            }
        );
        assert_eq!(t(tag::UTC_TIME, "5001010000Z").unwrap().year, 1950);
        assert_eq!(
            t(tag::GENERALIZED_TIME, "20500101000000.5Z").unwrap().year,
            2050
        );
        assert!(t(tag::UTC_TIME, "501301000000Z").is_err());
        assert!(t(tag::UTC_TIME, "5001010000").is_err());
        assert!(t(tag::OCTET_STRING, "500101000000Z").is_err());
    }
}
