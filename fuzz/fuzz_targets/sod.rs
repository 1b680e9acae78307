//! EF.SOD / CMS SignedData parsing.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = icao9303::lds::sod::Sod::parse(data);
});
