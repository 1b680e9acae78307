//! Digital Travel Credential (Type 1 DTC-VC) parsing: what parses is strict DER, so it re-encodes to the same
//! bytes; its layout describes those bytes; its verification report and re-export never panic.
#![no_main]
use icao9303::dtc::{Dtc, ExportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dtc) = Dtc::parse(data) else {
        return;
    };
    assert_eq!(dtc.to_der(), data, "a parsed DTC-VC re-encodes byte for byte");
    let layout = dtc.layout();
    assert_eq!(layout.first().map(|e| e.header_len + e.content_len), Some(data.len()));
    let _ = dtc.report(None, icao9303::pki::Time::from_ymd(2026, 1, 1));
    if let Ok(export) = Dtc::from_document(&dtc.document(), ExportOptions { include_biometrics: true }) {
        // Re-export keeps only what EF.SOD protects: a subset of the input's data groups.
        assert!(export.dtc.data_groups().all(|(n, b)| dtc.data_group(n) == Some(b)));
    }
});
