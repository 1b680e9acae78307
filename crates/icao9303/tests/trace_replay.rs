//! Replays the committed traces in `test-vectors/traces/` through the reader: no chip, no emulator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::access::Password;
use icao9303::mrz::MrzKey;
use icao9303::reader::Reader;
use icao9303::trace::{Replay, TraceError};
use icao9303::transport::TransportError;
use std::path::PathBuf;

fn trace(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/traces")
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn replay(
    text: &str,
    doc: &str,
    dob: &str,
    expiry: &str,
) -> (Replay, Result<icao9303::report::Report, icao9303::Error>) {
    let replay = Replay::parse(text).unwrap();
    let mut reader = Reader::new(replay.transport());
    let mut rng = replay.rng();
    let password = Password::Mrz(MrzKey::new(doc, dob, expiry).unwrap());
    let result = reader
        .authenticate(&password, &mut rng)
        .map(|_| ())
        .and_then(|_| reader.read_document_with_rng(&mut rng))
        .map(|(_, r)| r);
    (replay, result)
}

#[test]
fn committed_traces_replay_to_the_end() {
    for (file, doc, dob, expiry, holder) in [
        (
            "brp-pace-cam.trace",
            "ZU3847562",
            "880314",
            "340313",
            "TESTHOLDER",
        ),
        (
            "passport-bac.trace",
            "L898902C<",
            "690806",
            "940623",
            "ERIKSSON",
        ),
    ] {
        let (replay, result) = replay(&trace(file), doc, dob, expiry);
        let report = result.unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!report.has_failures(), "{file}: {}", report.summary());
        let protocol = if file.starts_with("brp") {
            "PACE"
        } else {
            "BAC"
        };
        assert_eq!(report.access.as_ref().unwrap().protocol, protocol);
        assert!(report.to_json().contains(holder), "{file}");
        replay.finish().unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}

/// A trace replayed through the library's own `Reader` is marked replayed by the library, whoever calls
/// it: its answers are a recording, so the chip is never `genuine` and the document at best
/// `not_verified` (before issue 21 only the CLI marked replays).
#[test]
fn the_library_marks_a_replayed_read() {
    use icao9303::report::{AuthenticityVerdict, DocumentResult};
    let (replay, result) = replay(
        &trace("brp-pace-cam.trace"),
        "ZU3847562",
        "880314",
        "340313",
    );
    let report = result.unwrap();
    replay.finish().unwrap();
    let chip = report.chip_authenticity.as_ref().unwrap();
    assert_eq!(chip.verdict, AuthenticityVerdict::Replayed, "{chip:?}");
    assert!(chip.reason.starts_with("replayed from a trace"), "{chip:?}");
    assert_eq!(report.verdict.result, DocumentResult::NotVerified);
    assert!(
        report.verdict.reasons[0].starts_with("chip authenticity replayed from a trace"),
        "{:?}",
        report.verdict
    );
}

#[test]
fn a_wrong_password_stops_at_external_authenticate_naming_the_line() {
    let text = trace("passport-bac.trace");
    let (_, result) = replay(&text, "L898902C9", "690806", "940623");
    let err = result.unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("BAC"), "{msg}");
    match err {
        icao9303::Error::Transport {
            source: TransportError::Replay(what),
            ..
        } => {
            // The EXTERNAL AUTHENTICATE command (INS 82) is the first to differ.
            let line = text.lines().position(|l| l.starts_with("> 0082")).unwrap() + 1;
            assert!(
                what.starts_with(&format!("line {line}: the reader sent 0082")),
                "{what}"
            );
        }
        other => panic!("expected a replay difference, got {other:?}"),
    }
}

#[test]
fn a_truncated_trace_is_a_clear_error() {
    let text = trace("passport-bac.trace");
    let cut: String = text.lines().take(12).map(|l| format!("{l}\n")).collect();
    let (_, result) = replay(&cut, "L898902C<", "690806", "940623");
    let msg = result.unwrap_err().to_string();
    assert!(msg.contains("end of trace"), "{msg}");
}

#[test]
fn a_corrupted_line_is_a_parse_error_never_a_panic() {
    let text = trace("brp-pace-cam.trace");
    // The ninth response: well inside the secure messaging session.
    let n = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("< "))
        .nth(8)
        .map(|(i, _)| i + 1)
        .unwrap();
    let corrupted: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == n {
                format!("{}Z\n", l)
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    match Replay::parse(&corrupted) {
        Err(TraceError::Syntax { line, what }) => {
            assert_eq!(line, n);
            assert!(
                what.contains("hex digit") || what.contains("odd number"),
                "{what}"
            );
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    // A flipped byte inside a protected response is caught by secure messaging, not a panic.
    let flipped: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == n {
                let (head, tail) = l.split_at(6);
                let c = if head.ends_with('0') { '1' } else { '0' };
                format!("{}{}{}\n", &head[..5], c, tail)
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let (_, result) = replay(&flipped, "ZU3847562", "880314", "340313");
    assert!(result.is_err());
}

/// A trace whose random draws do not match the reader's (here: every `rng` line removed) stops at the
/// next command with an error naming it. It used to hang: a diverging draw yielded zeros, and key
/// generation draws until the key is in range (1 ≤ k < n), so it drew zeros for ever.
#[test]
fn a_trace_without_its_random_draws_fails_instead_of_hanging() {
    let text: String = trace("brp-pace-cam.trace")
        .lines()
        .filter(|l| !l.starts_with("rng "))
        .map(|l| format!("{l}\n"))
        .collect();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (_, result) = replay(&text, "ZU3847562", "880314", "340313");
        let _ = tx.send(result.map(|_| ()).map_err(|e| e.to_string()));
    });
    let result = rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("the replay ends");
    let err = result.unwrap_err();
    assert!(err.contains("PACE"), "{err}");
}
