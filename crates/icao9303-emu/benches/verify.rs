//! Offline verification throughput: documents per second on one core, with the German CSCA master list
//! loaded once. Figures are recorded in docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use icao9303::document::Document;
use icao9303::lds::LdsFile;
use icao9303::pki::{Time, TrustStore};
use icao9303_emu::profile::Profile;
use std::hint::black_box;

fn data(rel: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../test-vectors/data/{rel}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn verification(c: &mut Criterion) {
    let mut store = TrustStore::builder();
    store
        .add_certificate(&data("master-lists/DE_ROOT_CA_CSCA07.cer"), "DE root")
        .unwrap();
    store
        .add_master_list(
            &data("master-lists/DE_ML_2026-05-28-08-28-45.ml"),
            &[],
            "DE ML",
        )
        .unwrap();
    let card = Profile::brp().personalize().unwrap();
    store
        .add_test_anchor(&card.pki.csca_der(), "brp test CSCA")
        .unwrap();
    let store = store.build();
    let at = Time::from_ymd(2026, 11, 23);

    // A German passport's real EF.SOD (ECDSA on explicit brainpoolP384r1, CSCA on brainpoolP512r1).
    let de = Document::from_files([(LdsFile::Sod, data("sod/DE/EF_SOD.bin"))]);
    // The whole brp dump: EF.SOD plus four data groups (16 KB face) hashed.
    let brp = Document::from_files(card.chip.files().iter().map(|(f, b)| (f, b.to_vec())));

    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    group.bench_function("de-sod-against-de-master-list", |b| {
        b.iter(|| {
            black_box(icao9303::verify::report(
                &de,
                None,
                Vec::new(),
                &icao9303::verify::Scope::default(),
                Some(&store),
                at,
                icao9303::verify::Chip::NotPresent,
            ))
        });
    });
    group.bench_function("brp-dump-against-store", |b| {
        b.iter(|| {
            black_box(icao9303::verify::report(
                &brp,
                None,
                Vec::new(),
                &icao9303::verify::Scope::default(),
                Some(&store),
                at,
                icao9303::verify::Chip::NotPresent,
            ))
        });
    });
    group.finish();
}

criterion_group!(benches, verification);
criterion_main!(benches);
