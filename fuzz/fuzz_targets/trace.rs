//! APDU traces (`mrtd read --replay`, docs/trace-format.md): any text parses to a trace or a syntax error,
//! what parses prints back to text that parses to the same events, and replaying it through the reader
//! (PACE or BAC with a fixed MRZ, Chip and Active Authentication, resumes) ends — with an error naming
//! the line where it differs, or a report — without a panic or an endless loop (a diverging replay once
//! made key generation draw zeros for ever).
#![no_main]
use icao9303::access::Password;
use icao9303::mrz::MrzKey;
use icao9303::reader::Reader;
use icao9303::trace::{self, Replay};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = trace::parse(text) else {
        return;
    };
    let events: Vec<_> = parsed.events.iter().map(|t| &t.event).collect();
    let printed = trace::to_text(&[], parsed.capabilities.as_ref(), events.iter().copied());
    let reparsed = trace::parse(&printed).expect("printed traces parse");
    assert_eq!(
        reparsed.events.iter().map(|t| &t.event).collect::<Vec<_>>(),
        events,
        "printing and parsing keeps the events"
    );
    let Ok(replay) = Replay::parse(text) else {
        return;
    };
    let Ok(key) = MrzKey::new("ZU3847562", "880314", "340313") else {
        return;
    };
    let password = Password::Mrz(key);
    let mut reader = Reader::new(replay.transport());
    let mut rng = replay.rng();
    if reader.authenticate(&password, &mut rng).is_ok() {
        let _ = reader.read_document_resuming(&password, &mut rng, 1);
    }
    let _ = replay.finish();
});
