//! Image decoding (JPEG, JPEG 2000, PNG) on small inputs: never panics past the library, and a decoded image
//! has as many pixels as it says. Inputs over 64 KiB and images over half a megapixel (by their header) are
//! skipped to keep the run fast; the library's own size limit is tested elsewhere.
#![no_main]
use icao9303::lds::image;
use libfuzzer_sys::fuzz_target;

#[path = "quiet_panics.rs"]
mod quiet_panics;

const MAX_INPUT: usize = 64 * 1024;
const MAX_PIXELS: u64 = 512 * 1024;

fuzz_target!(|data: &[u8]| {
    quiet_panics::install();
    if data.len() > MAX_INPUT {
        return;
    }
    match image::probe_size(data) {
        Some((w, h)) if u64::from(w) * u64::from(h) <= MAX_PIXELS => {}
        _ => return,
    }
    if let Ok(decoded) = image::decode_image(data) {
        let expected = u64::from(decoded.width) * u64::from(decoded.height) * 3;
        assert_eq!(decoded.pixels.len() as u64, expected);
    }
});
