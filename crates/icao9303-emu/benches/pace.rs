//! Reader-side CPU time of one PACE-GM handshake (MSE:Set AT, four GENERAL AUTHENTICATE, SELECT of the
//! application under the new keys) on P-256, brainpoolP256r1, brainpoolP384r1, brainpoolP512r1 and DH 2048.
//!
//! The chip's side is taken out of the measurement: each handshake is recorded once against the
//! in-process emulator, and the benchmark replays the recorded responses (and the reader's recorded random
//! bytes) to the reader, so only the terminal's computation is timed. Figures in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use icao9303::access::Password;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::lds::security_infos::Mapping;
use icao9303::reader::Reader;
use icao9303::trace::{Recorder, Replay};
use icao9303_emu::pace::PaceOffer;
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use std::hint::black_box;

fn record_handshake(parameter_id: u32) -> (String, Password) {
    let mut profile = Profile::brp();
    profile.pace_offers = vec![PaceOffer {
        mapping: Mapping::Generic,
        cipher: CipherAlgorithm::Aes128,
        parameter_id,
    }];
    let password = Password::Mrz(profile.mrz_key().unwrap());
    let card = profile.personalize().unwrap();
    let recorder = Recorder::new();
    let mut reader = Reader::new(recorder.transport(EmulatorTransport::new(card.chip)));
    let access = reader
        .authenticate(&password, &mut recorder.rng(SeededRng::new(b"bench")))
        .unwrap();
    assert_eq!(access.protocol, "PACE");
    (recorder.to_text(), password)
}

fn pace_gm(c: &mut Criterion) {
    let mut group = c.benchmark_group("pace-gm-reader-side");
    group.sample_size(20);
    for (name, id) in [
        ("P-256", 12),
        ("brainpoolP256r1", 13),
        ("brainpoolP384r1", 16),
        ("brainpoolP512r1", 17),
        ("DH-2048-256", 2),
    ] {
        let (trace, password) = record_handshake(id);
        group.bench_function(name, |b| {
            b.iter(|| {
                let replay = Replay::parse(&trace).unwrap();
                let mut reader = Reader::new(replay.transport());
                black_box(
                    reader
                        .authenticate(&password, &mut replay.rng())
                        .unwrap()
                        .protocol
                        .len(),
                );
            });
        });
    }
    group.finish();
}

criterion_group!(benches, pace_gm);
criterion_main!(benches);
