//! Shared by the `tlv` and `asn1_structured` targets: decodes a whole input under both modes and walks every
//! element it contains, calling every typed accessor, with the codec's own depth limit as the only bound.

use icao9303::asn1::{self, Element, MAX_DEPTH, Mode, der};

/// Walks the elements of `data` under `mode` (iteratively: the fuzzer must find recursion in the codec, not
/// here) and checks the invariants every decoded element must keep.
pub fn walk(mode: Mode, data: &[u8]) {
    let mut stack: Vec<asn1::Cursor<'_>> = vec![mode.cursor(data)];
    while let Some(top) = stack.last_mut() {
        match top.next_opt() {
            Ok(Some(el)) => {
                check(&el, data);
                if el.is_constructed() {
                    stack.push(el.cursor());
                }
            }
            Ok(None) | Err(_) => {
                stack.pop();
            }
        }
        assert!(stack.len() <= MAX_DEPTH + 2, "walked deeper than the limit");
    }
}

fn check(el: &Element<'_>, data: &[u8]) {
    assert!(el.depth() <= MAX_DEPTH);
    // The element's bytes are where its offset says, and its value lies inside them.
    assert_eq!(data.get(el.offset..el.offset + el.raw.len()), Some(el.raw));
    assert!(el.value.len() <= el.raw.len());
    // A definite-length element re-encodes to the same tag and value (lengths may become shorter).
    if !el.is_indefinite() {
        let again = der::tlv(el.tag, el.value);
        let back = Mode::Definite
            .parse_exact(&again)
            .expect("re-encoded element parses");
        assert_eq!((back.tag, back.value), (el.tag, el.value));
    }
    // Every accessor answers (value or error) without panicking; joined strings never exceed the input.
    if let Ok(bytes) = el.octet_string() {
        assert!(bytes.len() <= el.raw.len());
    }
    if let Ok(bits) = el.bit_string() {
        assert!(bits.bytes.len() <= el.raw.len());
        assert!(bits.unused_bits <= 7);
    }
    if let Ok(oid) = el.oid() {
        // Formatting and parsing agree for OIDs whose arcs fit 64 bits.
        if let Ok(again) = asn1::ObjectIdentifier::new(&oid.to_string()) {
            assert_eq!(again, oid);
        }
    }
    if let (Ok(v), Ok(small)) = (el.integer_i64(), el.small_uint()) {
        assert_eq!(u64::try_from(v).ok(), Some(small));
    }
    let _ = el.unsigned_integer();
    let _ = el.boolean();
    let _ = el.null();
    let _ = el.time();
    let _ = el.value_element();
    let _ = el.string_bytes(asn1::tag::UTF8_STRING);
}
