//! Shared by the targets that reach the image decoders.
//!
//! `lds::image` runs third-party decoders under `catch_unwind` and turns their panics into errors; libfuzzer-sys's
//! panic hook would abort on those before they are caught. This hook lets them unwind instead. A panic that is
//! not caught by the library still ends the run: libfuzzer-sys aborts when one reaches the target's boundary.
//! Set `FUZZ_SHOW_PANICS=1` to print every panic (caught or not) to stderr.

use std::sync::Once;

static INSTALL: Once = Once::new();

/// Replaces the aborting panic hook, once per process.
pub fn install() {
    INSTALL.call_once(|| {
        let show = std::env::var_os("FUZZ_SHOW_PANICS").is_some();
        std::panic::set_hook(Box::new(move |info| {
            if show {
                eprintln!("panic: {info}");
            }
        }));
    });
}
