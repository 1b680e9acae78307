//! BER-TLV decoding: any bytes give a value or an error, and what decodes re-encodes to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((tlv, _)) = icao9303::asn1::parse_one(data) {
        let again = icao9303::asn1::der::tlv(tlv.tag, tlv.value);
        // Short-form re-encoding may be shorter than a non-minimal original, never different in content.
        let (back, _) = icao9303::asn1::parse_one(&again).expect("re-encoded TLV parses");
        assert_eq!((back.tag, back.value), (tlv.tag, tlv.value));
        let _ = tlv.children();
    }
    let _ = icao9303::asn1::parse_all(data);
    let _ = icao9303::asn1::parse_header(data);
});
