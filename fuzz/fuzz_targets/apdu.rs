//! Command and response APDU decoding; what decodes re-encodes to the same bytes.
#![no_main]
use icao9303::apdu::{CommandApdu, ResponseApdu};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cmd) = CommandApdu::parse(data) {
        let again = cmd.to_bytes().expect("a parsed command encodes");
        let back = CommandApdu::parse(&again).expect("re-encoded command parses");
        assert_eq!((back.data, back.le), (cmd.data, cmd.le));
    }
    if let Ok(resp) = ResponseApdu::parse(data) {
        assert_eq!(resp.to_bytes(), data);
    }
});
