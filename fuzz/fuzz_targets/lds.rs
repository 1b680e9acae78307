//! Every LDS file parser on arbitrary bytes: EF.COM, DG1, and the whole-document checks.
#![no_main]
use icao9303::document::Document;
use icao9303::lds::LdsFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = icao9303::lds::com::Com::parse(data);
    let _ = icao9303::lds::dg1::Dg1::parse(data);
    let doc = Document::from_files([(LdsFile::Dg(1), data.to_vec()), (LdsFile::Sod, data.to_vec())]);
    let _ = doc.checks();
});
