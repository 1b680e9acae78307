//! The DER writer (ITU-T X.690 section 10): the one encoder of the workspace.
//!
//! Each function returns the complete encoding of one element; constructed values are built from the
//! encodings of their children. Lengths are always in the shortest form, so what these functions write is
//! DER as long as the caller orders a SET OF with [`set_of`] (the library's own writers — EF.COM, DG1,
//! secure-messaging data objects, PACE and CA commands — and the emulator's certificates, CRLs, EF.SOD and
//! security infos all use this module).
//!
//! ```
//! use icao9303::asn1::{der, tag, ObjectIdentifier};
//! const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
//! // AlgorithmIdentifier { sha256, NULL }
//! let alg = der::sequence(&[&der::oid(&ID_SHA256), &der::null()]);
//! assert_eq!(alg[..4], [0x30, 0x0D, 0x06, 0x09]);
//! assert_eq!(der::integer_u64(0), [0x02, 0x01, 0x00]);
//! assert_eq!(der::integer_u64(128), [0x02, 0x02, 0x00, 0x80]);
//! assert_eq!(der::tlv(0x5F1F, b"P<"), [0x5F, 0x1F, 0x02, b'P', b'<']);
//! assert_eq!(der::tlv(tag::context(0), &[])[0], 0xA0);
//! ```

use super::{ObjectIdentifier, Tag, tag};

/// Appends the identifier octets of `tag` (its big-endian bytes, leading zero bytes dropped).
pub fn write_tag(tag: Tag, out: &mut Vec<u8>) {
    let bytes = tag.to_be_bytes();
    let skip = bytes.iter().take(3).take_while(|b| **b == 0).count();
    out.extend_from_slice(&bytes[skip..]);
}

/// Appends the length octets of `len` in the shortest form (short form below 128, else `81`..`88` and the
/// big-endian length without leading zero bytes).
pub fn write_length(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// How many octets [`write_length`] writes for `len`.
pub fn length_octets(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        1 + (len as u64)
            .to_be_bytes()
            .iter()
            .skip_while(|b| **b == 0)
            .count()
    }
}

/// One element: `tag`, the length of `value`, `value`.
pub fn tlv(tag: Tag, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 8);
    write_tag(tag, &mut out);
    write_length(value.len(), &mut out);
    out.extend_from_slice(value);
    out
}

/// A constructed element whose value is the concatenation of the already encoded `children`, in order.
pub fn constructed(tag: Tag, children: &[&[u8]]) -> Vec<u8> {
    tlv(tag, &children.concat())
}

/// A SEQUENCE (or SEQUENCE OF) of the encoded `children`, in order.
pub fn sequence(children: &[&[u8]]) -> Vec<u8> {
    constructed(tag::SEQUENCE, children)
}

/// A SET of the encoded `children` in the order given: for a SET whose components have distinct tags
/// (written in tag order by the caller), or a SET OF whose order the profile fixes (EF.CardAccess lists its
/// SecurityInfos as the chip holds them). For a DER SET OF use [`set_of`].
pub fn set(children: &[&[u8]]) -> Vec<u8> {
    constructed(tag::SET, children)
}

/// The content octets of a DER SET OF: the `children` sorted by their encodings (X.690 section 11.6) and
/// concatenated. For an IMPLICIT `[n] SET OF` such as CMS signedAttrs, whose signature covers the same
/// content under the SET tag.
pub fn set_of_value(children: &[&[u8]]) -> Vec<u8> {
    let mut sorted = children.to_vec();
    // Complete encodings are never proper prefixes of one another, so plain lexicographic order is X.690's
    // order with the shorter encoding padded with zero octets.
    sorted.sort_unstable();
    sorted.concat()
}

/// A DER SET OF the `children`, sorted by their encodings.
pub fn set_of(children: &[&[u8]]) -> Vec<u8> {
    tlv(tag::SET, &set_of_value(children))
}

/// An INTEGER from an unsigned big-endian magnitude of any length: leading zero bytes dropped, one `00`
/// added when the top bit would read as a sign, zero (or an empty magnitude) written as `02 01 00`.
pub fn integer_unsigned(magnitude: &[u8]) -> Vec<u8> {
    let start = magnitude
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(magnitude.len());
    let significant = &magnitude[start..];
    let mut value = Vec::with_capacity(significant.len() + 1);
    if significant.first().is_none_or(|b| b & 0x80 != 0) {
        value.push(0);
    }
    value.extend_from_slice(significant);
    tlv(tag::INTEGER, &value)
}

/// An INTEGER from a non-negative number.
pub fn integer_u64(v: u64) -> Vec<u8> {
    integer_unsigned(&v.to_be_bytes())
}

/// An INTEGER from a signed number, in the fewest two's-complement octets.
pub fn integer_i64(v: i64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    // Drop a leading 00 (FF) while the next octet's top bit still gives the sign.
    while start < 7
        && ((bytes[start] == 0x00 && bytes[start + 1] & 0x80 == 0)
            || (bytes[start] == 0xFF && bytes[start + 1] & 0x80 != 0))
    {
        start += 1;
    }
    tlv(tag::INTEGER, &bytes[start..])
}

/// An OBJECT IDENTIFIER.
pub fn oid(oid: &ObjectIdentifier) -> Vec<u8> {
    tlv(tag::OID, oid.as_bytes())
}

/// An OCTET STRING.
pub fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(tag::OCTET_STRING, bytes)
}

/// A BIT STRING of whole octets (no unused bits): a public key, a signature.
pub fn bit_string(bytes: &[u8]) -> Vec<u8> {
    bit_string_with_unused(bytes, 0)
}

/// A BIT STRING whose last octet has `unused_bits` (0..=7) unused low-order bits, which the caller leaves
/// zero (DER): KeyUsage flags.
pub fn bit_string_with_unused(bytes: &[u8], unused_bits: u8) -> Vec<u8> {
    let mut value = Vec::with_capacity(bytes.len() + 1);
    value.push(if bytes.is_empty() { 0 } else { unused_bits & 7 });
    value.extend_from_slice(bytes);
    tlv(tag::BIT_STRING, &value)
}

/// NULL (`05 00`).
pub fn null() -> Vec<u8> {
    vec![tag::NULL as u8, 0x00]
}

/// A BOOLEAN (`FF` for TRUE, as DER requires).
pub fn boolean(v: bool) -> Vec<u8> {
    tlv(tag::BOOLEAN, &[if v { 0xFF } else { 0x00 }])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::{Mode, parse_exact};
    use super::*;

    #[test]
    fn lengths_are_minimal_and_round_trip() {
        for (len, octets) in [
            (0usize, 1usize),
            (1, 1),
            (0x7F, 1),
            (0x80, 2),
            (0xFF, 2),
            (0x100, 3),
            (0xFFFF, 3),
            (0x1_0000, 4),
            (0xFF_FFFF, 4),
            (0x100_0000, 5),
        ] {
            let mut out = Vec::new();
            write_length(len, &mut out);
            assert_eq!(out.len(), octets, "{len:#X}");
            assert_eq!(length_octets(len), octets);
            if len <= 0x1_0000 {
                let value = vec![0xAB; len];
                for tag in [0x04, 0x5F2E, 0x7F61] {
                    let enc = tlv(tag, &value);
                    let el = parse_exact(&enc).unwrap();
                    assert_eq!((el.tag, el.value), (tag, &value[..]));
                }
            }
        }
    }

    #[test]
    fn integer_rules() {
        let hex = |v: Vec<u8>| hex::encode_upper(v);
        assert_eq!(hex(integer_unsigned(&[])), "020100");
        assert_eq!(hex(integer_unsigned(&[0, 0, 0])), "020100");
        assert_eq!(hex(integer_u64(0)), "020100");
        assert_eq!(hex(integer_u64(1)), "020101");
        assert_eq!(hex(integer_u64(0x7F)), "02017F");
        assert_eq!(hex(integer_u64(0x80)), "02020080");
        assert_eq!(hex(integer_u64(0x100)), "02020100");
        assert_eq!(hex(integer_unsigned(&[0, 0, 0xFF, 0x01])), "020300FF01");
        assert_eq!(hex(integer_i64(0)), "020100");
        assert_eq!(hex(integer_i64(-1)), "0201FF");
        assert_eq!(hex(integer_i64(-128)), "020180");
        assert_eq!(hex(integer_i64(-129)), "0202FF7F");
        assert_eq!(hex(integer_i64(127)), "02017F");
        assert_eq!(hex(integer_i64(128)), "02020080");
        assert_eq!(hex(integer_i64(i64::MIN)), "02088000000000000000");
        for v in [
            0i64,
            1,
            -1,
            127,
            128,
            -128,
            -129,
            255,
            256,
            -32768,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(
                parse_exact(&integer_i64(v)).unwrap().integer_i64().unwrap(),
                v
            );
        }
        for v in [0u64, 1, 127, 128, 255, 65535, u64::MAX] {
            assert_eq!(
                parse_exact(&integer_u64(v)).unwrap().small_uint().unwrap(),
                v
            );
        }
    }

    #[test]
    fn set_of_is_sorted_and_set_keeps_order() {
        let a = integer_u64(2);
        let b = oid(&ObjectIdentifier::new_unwrap("1.2.3"));
        let c = integer_u64(1);
        assert_eq!(
            set_of(&[&a, &b, &c]),
            [&[0x31, 0x0A][..], &c, &a, &b].concat()
        );
        assert_eq!(set(&[&a, &b, &c]), [&[0x31, 0x0A][..], &a, &b, &c].concat());
        assert_eq!(set_of_value(&[&b, &a]), [&a[..], &b].concat());
    }

    #[test]
    fn structures_round_trip_through_the_reader() {
        let id = ObjectIdentifier::new_unwrap("2.23.136.1.1.1");
        let enc = sequence(&[
            &integer_u64(0),
            &oid(&id),
            &octet_string(b"abc"),
            &bit_string(&[0x04, 0x01]),
            &bit_string_with_unused(&[0x80], 7),
            &boolean(true),
            &null(),
            &tlv(tag::context(0), &integer_u64(3)),
        ]);
        let el = Mode::Ber.parse_exact(&enc).unwrap();
        let mut c = el.cursor();
        assert_eq!(c.next("v").unwrap().small_uint().unwrap(), 0);
        assert_eq!(c.next("oid").unwrap().oid().unwrap(), id);
        assert_eq!(c.next("os").unwrap().octet_string().unwrap(), b"abc");
        assert_eq!(
            &c.next("bits").unwrap().bit_string_octets().unwrap()[..],
            &[4, 1]
        );
        let flags = c.next("flags").unwrap().bit_string().unwrap();
        assert!(flags.bit(0) && flags.unused_bits == 7);
        assert!(c.next("bool").unwrap().boolean().unwrap());
        c.next("null").unwrap().null().unwrap();
        let explicit = c.next_tagged(tag::context(0), "[0]").unwrap();
        assert_eq!(explicit.value_element().unwrap().small_uint().unwrap(), 3);
        c.finish().unwrap();
        // Re-encoding what was read gives the same bytes.
        assert_eq!(tlv(el.tag, el.value), enc);
    }
}
