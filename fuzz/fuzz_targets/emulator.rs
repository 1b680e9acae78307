//! The emulated chip's command handling: a sequence of arbitrary command APDUs (each prefixed by a
//! one-byte length) never panics and always gets a response with a status word.
#![no_main]
use icao9303_emu::profile::Profile;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static CARD: OnceLock<icao9303_emu::chip::Chip> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let template = CARD.get_or_init(|| Profile::brp().personalize().expect("brp personalises").chip);
    let mut chip = template.clone();
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let response = chip.process(&tail[..n]);
        assert!(response.len() >= 2);
        rest = &tail[n..];
    }
});
