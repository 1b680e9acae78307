//! asn1 decoding on arbitrary bytes: under both modes every element decodes to a value or an error, every
//! accessor answers without panicking, and what decodes re-encodes to the same tag and value.
#![no_main]
use icao9303::asn1::{self, Mode};
use libfuzzer_sys::fuzz_target;

#[path = "asn1_walk.rs"]
mod asn1_walk;

fuzz_target!(|data: &[u8]| {
    asn1_walk::walk(Mode::Definite, data);
    asn1_walk::walk(Mode::Ber, data);
    let _ = asn1::parse_header(data);
    let _ = asn1::parse_tag(data);
});
