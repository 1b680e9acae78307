//! The committed APDU traces in `test-vectors/traces/` against the deterministic emulator.
//!
//! Each trace is re-recorded (emulator profile + `SeededRng::new(b"terminal")` for the reader) and
//! compared with the committed file: a difference means the wire behaviour of the reader or the chip
//! changed. If the change is intended, regenerate with
//! `MRTD_UPDATE_TRACES=1 cargo test -p icao9303-emu --test traces` and review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::access::Password;
use icao9303::reader::Reader;
use icao9303::trace::Recorder;
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use std::path::PathBuf;

/// The profiles with a committed trace, and the trace's file name.
const TRACES: &[(&str, &str)] = &[
    ("brp", "brp-pace-cam.trace"),
    ("passport-bac", "passport-bac.trace"),
    ("id-card-bp256", "id-card-bp256-pace-im-can.trace"),
    ("pace-dh", "pace-dh-gm.trace"),
];

fn trace_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/traces")
        .join(file)
}

fn record(profile_name: &str) -> String {
    let profile = Profile::by_name(profile_name).unwrap();
    let card = profile.personalize().unwrap();
    let recorder = Recorder::new();
    // The MRZ where the chip takes it, otherwise the CAN.
    let password = if profile.pace_with_mrz {
        Password::Mrz(profile.mrz_key().unwrap())
    } else {
        Password::can(profile.can.as_deref().unwrap()).unwrap()
    };
    recorder.comment(format!(
        "emulator profile {profile_name}, password {}, reader RNG SeededRng(\"terminal\")",
        password.kind()
    ));
    recorder.comment("regenerate: MRTD_UPDATE_TRACES=1 cargo test -p icao9303-emu --test traces");
    let mut reader = Reader::new(recorder.transport(EmulatorTransport::new(card.chip)));
    let mut rng = recorder.rng(SeededRng::new(b"terminal"));
    reader.authenticate(&password, &mut rng).unwrap();
    // With Chip and Active Authentication, as `mrtd read` runs them, so `mrtd read --replay` replays the
    // committed traces.
    let (_, report) = reader.read_document_with_rng(&mut rng).unwrap();
    assert!(!report.has_failures(), "{}", report.summary());
    recorder.to_text()
}

#[test]
fn committed_traces_match_a_fresh_recording() {
    let update = std::env::var_os("MRTD_UPDATE_TRACES").is_some();
    for (profile, file) in TRACES {
        let fresh = record(profile);
        let path = trace_path(file);
        if update {
            std::fs::write(&path, &fresh).unwrap();
            eprintln!("wrote {}", path.display());
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (create it with MRTD_UPDATE_TRACES=1)",
                path.display()
            )
        });
        if committed != fresh {
            let first = committed
                .lines()
                .zip(fresh.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
            let show = |text: &str| {
                text.lines()
                    .nth(first)
                    .map(|l| l.chars().take(100).collect::<String>())
                    .unwrap_or_default()
            };
            panic!(
                "{}: the wire behaviour changed at line {}\n  committed: {}\n  now:       {}\n\
                 if intended, regenerate with MRTD_UPDATE_TRACES=1 cargo test -p icao9303-emu --test traces",
                path.display(),
                first + 1,
                show(&committed),
                show(&fresh)
            );
        }
    }
}
