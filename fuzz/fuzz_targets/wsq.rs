//! WSQ decoding (`lds::wsq`): any input gives an image or a typed error, never a panic, and a decoded image has
//! as many pixels as its frame header says. Inputs over 64 KiB are skipped, and so is the synthesis of images
//! over a megapixel (by their header) to keep the run fast; parsing and entropy decoding always run, with the
//! library's own limits.
#![no_main]
use icao9303::lds::wsq;
use libfuzzer_sys::fuzz_target;

#[path = "quiet_panics.rs"]
mod quiet_panics;

const MAX_INPUT: usize = 64 * 1024;
const MAX_SYNTHESIS_PIXELS: usize = 1024 * 1024;

fuzz_target!(|data: &[u8]| {
    quiet_panics::install();
    if data.len() > MAX_INPUT {
        return;
    }
    let header = wsq::read_frame_header(data);
    let Ok(stream) = wsq::WsqCodestream::parse(data) else {
        return;
    };
    // A stream that parses has a readable frame header, the same one.
    assert_eq!(header.ok(), Some(stream.frame));
    let pixels = usize::from(stream.frame.width) * usize::from(stream.frame.height);
    assert!(stream.coefficients.len() <= pixels);
    if pixels <= MAX_SYNTHESIS_PIXELS {
        let image = stream.reconstruct();
        assert_eq!(image.pixels.len(), pixels);
    }
});
