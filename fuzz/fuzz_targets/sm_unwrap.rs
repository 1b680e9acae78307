//! Secure messaging: unprotecting arbitrary responses (terminal side) and commands (chip side) never
//! panics, and nothing unauthenticated gets through as success.
#![no_main]
use icao9303::apdu::{CommandApdu, ResponseApdu, StatusWord};
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::sm::SecureMessaging;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for alg in [CipherAlgorithm::Tdes, CipherAlgorithm::Aes128, CipherAlgorithm::Aes256] {
        let mut terminal = SecureMessaging::from_shared_secret(alg, b"fuzz");
        if let Ok(resp) = ResponseApdu::parse(data) {
            if let Ok(plain) = terminal.unprotect_response(&resp) {
                // Only a plain error status may pass without a MAC.
                assert!(!resp.data.is_empty() || plain.sw != StatusWord::OK);
            }
        }
        let mut chip = SecureMessaging::from_shared_secret(alg, b"fuzz");
        if let Ok(cmd) = CommandApdu::parse(data) {
            let _ = chip.unprotect_command(&cmd);
        }
    }
});
