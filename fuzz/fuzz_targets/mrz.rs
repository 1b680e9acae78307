//! MRZ parsing, strict and lenient, and the BAC key of whatever parses.
#![no_main]
use icao9303::mrz::{Mrz, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Mrz::parse(text);
        if let Ok(mrz) = Mrz::parse_with(text, ParseOptions { allow_bad_check_digits: true }) {
            if let Ok(key) = mrz.key() {
                let _ = key.mrz_information();
            }
        }
    }
});
