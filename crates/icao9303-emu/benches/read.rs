//! CPU benchmarks: secure messaging wrap/unwrap throughput, and a whole in-process read of the `brp`
//! profile (BAC, every file, hash checks). Figures are recorded in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use icao9303::access::Password;
use icao9303::apdu::{CommandApdu, ResponseApdu, StatusWord};
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::reader::Reader;
use icao9303::sm::SecureMessaging;
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use std::hint::black_box;

fn secure_messaging(c: &mut Criterion) {
    let mut group = c.benchmark_group("sm");
    for alg in [
        CipherAlgorithm::Tdes,
        CipherAlgorithm::Aes128,
        CipherAlgorithm::Aes256,
    ] {
        // One READ BINARY of 223 bytes: protect the command, then the chip's response and unprotect it.
        let payload = vec![0x5A; 223];
        group.throughput(Throughput::Bytes(payload.len() as u64));
        group.bench_function(format!("read-binary-223/{}", alg.name()), |b| {
            let mut terminal = SecureMessaging::from_shared_secret(alg, b"bench");
            let mut chip = SecureMessaging::from_shared_secret(alg, b"bench");
            let cmd = CommandApdu::new(0, 0xB0, 0, 0).with_le(223);
            let resp = ResponseApdu::new(payload.clone(), StatusWord::OK);
            b.iter(|| {
                let wire = terminal.protect_command(black_box(&cmd)).unwrap();
                chip.unprotect_command(&wire).unwrap();
                let wire = chip.protect_response(black_box(&resp), 0xB0).unwrap();
                black_box(terminal.unprotect_response(&wire).unwrap());
            });
        });
    }
    group.finish();
}

fn whole_read(c: &mut Criterion) {
    let profile = Profile::brp();
    let key = Password::Mrz(profile.mrz_key().unwrap());
    let card = profile.personalize().unwrap();
    let mut group = c.benchmark_group("read");
    group.sample_size(20);
    group.bench_function("brp-in-process", |b| {
        b.iter(|| {
            let mut reader = Reader::new(EmulatorTransport::new(card.chip.clone()));
            reader
                .authenticate(&key, &mut SeededRng::new(b"bench"))
                .unwrap();
            black_box(reader.read_document().unwrap());
        });
    });
    group.finish();
}

criterion_group!(benches, secure_messaging, whole_read);
criterion_main!(benches);
