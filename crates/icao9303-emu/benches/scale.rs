//! Verification at scale, with its anchor in the same run: documents per second per core for each
//! signature family and for the mix, against the same documents' OpenSSL floor (the two signature checks a
//! document needs: EF.SOD with the DSC key, the DSC with the CSCA key), the speed-up from one to all cores,
//! and one against 10,000 anchors in the trust store.
//!
//! `cargo bench -p icao9303-emu --bench scale` runs it in full (64 documents per family under 4 DSCs, the
//! German, Dutch and Indonesian CSCAs loaded) and prints the table of docs/performance.md at the end.
//! `cargo test` runs it in test mode (every benchmark once, on a tiny corpus), so it cannot rot.
//! `MRTD_BENCH_DOCS`, `MRTD_BENCH_SIGNERS` and `MRTD_BENCH_FILLERS` change the sizes.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use icao9303::document::Document;
use icao9303::lds::LdsFile;
use icao9303::lds::sod::Sod;
use icao9303::pki::signature::{Scheme, scheme_for};
use icao9303::pki::{Time, TrustStore, TrustStoreBuilder};
use icao9303_emu::corpus::{self, scheme_tag};
use icao9303_emu::pki::SignatureScheme;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Public};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};
use openssl::x509::X509;
use std::hint::black_box;

fn data(rel: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../test-vectors/data/{rel}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Benchmark sizes: small in test mode (`cargo test`), full under `cargo bench`.
struct Sizes {
    documents: usize,
    signers: usize,
    fillers: usize,
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn test_mode() -> bool {
    !std::env::args().any(|a| a == "--bench")
}

fn sizes() -> Sizes {
    let (documents, signers, fillers) = if test_mode() {
        (2, 1, 20)
    } else {
        (64, 4, 10_000)
    };
    Sizes {
        documents: env_or("MRTD_BENCH_DOCS", documents),
        signers: env_or("MRTD_BENCH_SIGNERS", signers),
        fillers: env_or("MRTD_BENCH_FILLERS", fillers),
    }
}

/// What OpenSSL needs for the floor of one document, parsed beforehand: the DSC (certificate and key),
/// the CSCA key, and the SOD's signed attributes and signature with its scheme.
struct FloorInput {
    dsc: X509,
    dsc_key: PKey<Public>,
    csca_key: Arc<PKey<Public>>,
    signed: Vec<u8>,
    signature: Vec<u8>,
    md: MessageDigest,
    pss_salt: Option<i32>,
}

fn message_digest(h: icao9303::crypto::hash::HashAlgorithm) -> MessageDigest {
    use icao9303::crypto::hash::HashAlgorithm::*;
    match h {
        Sha1 => MessageDigest::sha1(),
        Sha224 => MessageDigest::sha224(),
        Sha256 => MessageDigest::sha256(),
        Sha384 => MessageDigest::sha384(),
        Sha512 => MessageDigest::sha512(),
    }
}

/// A plain r‖s ECDSA signature as DER (what OpenSSL verifies).
fn plain_to_der(sig: &[u8]) -> Vec<u8> {
    use icao9303::asn1::der;
    let (r, s) = sig.split_at(sig.len() / 2);
    der::sequence(&[&der::integer_unsigned(r), &der::integer_unsigned(s)])
}

/// The floor input of a document's EF.SOD, with the CSCA our store finds for its DSC.
fn floor_input(sod_bytes: &[u8], store: &TrustStore) -> Option<FloorInput> {
    let sod = Sod::parse(sod_bytes).ok()?;
    let sd = &sod.signed_data;
    let si = sd.signer_infos.first()?;
    let dsc_der = sd.certificates.first()?;
    let entry = store.document_signer(dsc_der).ok()?;
    let csca = store.anchor(store.chain(&entry).csca?)?;
    let digest = icao9303::crypto::hash::HashAlgorithm::from_oid(&si.digest_algorithm.oid)?;
    let scheme = scheme_for(&si.signature_algorithm, Some(digest)).ok()?;
    let (md, pss_salt, signature) = match scheme {
        Scheme::RsaPkcs1v15(h) | Scheme::Ecdsa(h) => {
            (message_digest(h), None, si.signature.clone())
        }
        Scheme::EcdsaPlain(h) => (message_digest(h), None, plain_to_der(&si.signature)),
        Scheme::RsaPss { hash, salt_len } => (
            message_digest(hash),
            Some(i32::try_from(salt_len).ok()?),
            si.signature.clone(),
        ),
    };
    let dsc = X509::from_der(dsc_der).ok()?;
    let dsc_key = dsc.public_key().ok()?;
    let csca_key = X509::from_der(&csca.certificate.raw)
        .ok()?
        .public_key()
        .ok()?;
    Some(FloorInput {
        dsc,
        dsc_key,
        csca_key: Arc::new(csca_key),
        signed: si.signed_bytes(sd.content.as_deref()?).to_vec(),
        signature,
        md,
        pss_salt,
    })
}

/// OpenSSL's two signature checks for one document.
fn openssl_floor(f: &FloorInput) -> bool {
    let mut v = Verifier::new(f.md, &f.dsc_key).unwrap();
    if let Some(salt) = f.pss_salt {
        v.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
        v.set_rsa_pss_saltlen(RsaPssSaltlen::custom(salt)).unwrap();
        v.set_rsa_mgf1_md(f.md).unwrap();
    }
    v.update(&f.signed).unwrap();
    let sod_ok = v.verify(&f.signature).unwrap_or(false);
    let dsc_ok = f.dsc.verify(&f.csca_key).unwrap_or(false);
    sod_ok && dsc_ok
}

/// One document through the library, from its files to the report (what `mrtd verify` does per dump).
fn verify_document(files: &[(LdsFile, Vec<u8>)], store: &TrustStore, at: Time) -> bool {
    let document = Document::from_files(files.iter().cloned());
    let report = icao9303::verify::report(
        &document,
        None,
        Vec::new(),
        &icao9303::verify::Scope::default(),
        Some(store),
        at,
        icao9303::verify::Chip::NotPresent,
    );
    report.verdict.result == icao9303::report::DocumentResult::Verified
}

struct Family {
    tag: String,
    documents: Vec<Vec<(LdsFile, Vec<u8>)>>,
    floor: Vec<FloorInput>,
}

fn add_real_trust(b: &mut TrustStoreBuilder) {
    b.add_certificate(&data("master-lists/DE_ROOT_CA_CSCA07.cer"), "DE root")
        .unwrap();
    b.add_master_list(
        &data("master-lists/DE_ML_2026-05-28-08-28-45.ml"),
        &[],
        "DE ML",
    )
    .unwrap();
    b.add_certificate(&data("master-lists/NL_ROOT_CA.cer"), "NL root")
        .unwrap();
    b.add_master_list(&data("master-lists/NL_ML_2026-07-22.ml"), &[], "NL ML")
        .unwrap();
    let idn = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/data/master-lists/IDN-csca-series");
    b.add_path(&idn).unwrap();
}

const STATES: [&str; 11] = [
    "AT", "AU", "DE", "FI", "FR", "ID", "PH", "RU", "SG", "UK", "US",
];

fn scale(c: &mut Criterion, results: &mut Vec<(String, String)>) {
    let sizes = sizes();
    let at = Time::from_ymd(2026, 11, 23);
    let corpora: Vec<_> = SignatureScheme::ALL
        .iter()
        .map(|s| corpus::generate(*s, sizes.documents, sizes.signers, "scale bench").unwrap())
        .collect();
    // The service's store: the German (588), Dutch and Indonesian CSCAs, and the corpus CSCAs.
    let mut b = TrustStore::builder();
    add_real_trust(&mut b);
    for corpus in &corpora {
        b.add_certificate(&corpus.csca_der, scheme_tag(corpus.scheme))
            .unwrap();
    }
    let store = b.build();
    eprintln!(
        "trust store: {} anchors; {} documents per family under {} DSC(s)",
        store.anchors().len(),
        sizes.documents,
        sizes.signers
    );

    let mut families: Vec<Family> = corpora
        .iter()
        .map(|corpus| {
            let documents: Vec<_> = corpus.documents.iter().map(|d| d.files.clone()).collect();
            let floor = documents
                .iter()
                .map(|files| {
                    let sod = &files.iter().find(|(f, _)| *f == LdsFile::Sod).unwrap().1;
                    floor_input(sod, &store).expect("floor input")
                })
                .collect();
            Family {
                tag: scheme_tag(corpus.scheme).to_string(),
                documents,
                floor,
            }
        })
        .collect();
    // The real EF.SODs (no data groups published): eleven states' signature families.
    let real: Vec<Vec<(LdsFile, Vec<u8>)>> = STATES
        .iter()
        .map(|s| vec![(LdsFile::Sod, data(&format!("sod/{s}/EF_SOD.bin")))])
        .collect();
    let real_floor: Vec<_> = real
        .iter()
        .filter_map(|files| floor_input(&files[0].1, &store))
        .collect();
    assert_eq!(
        real_floor.len(),
        STATES.len(),
        "OpenSSL reads every real SOD"
    );
    families.push(Family {
        tag: "real-SODs".into(),
        documents: real,
        floor: real_floor,
    });
    // Sanity: every synthetic document verifies, every floor input verifies.
    for f in &families {
        for (docs, floor) in f.documents.iter().zip(&f.floor) {
            if f.tag != "real-SODs" {
                assert!(verify_document(docs, &store, at), "{}", f.tag);
            }
            assert!(openssl_floor(floor), "{}: OpenSSL floor", f.tag);
        }
    }

    let mut group = c.benchmark_group("per-core");
    group.throughput(Throughput::Elements(1));
    for f in &families {
        let mut i = 0;
        group.bench_function(format!("mrtd-{}", f.tag), |b| {
            b.iter(|| {
                i = (i + 1) % f.documents.len();
                black_box(verify_document(&f.documents[i], &store, at))
            })
        });
        let mut i = 0;
        group.bench_function(format!("openssl-{}", f.tag), |b| {
            b.iter(|| {
                i = (i + 1) % f.floor.len();
                black_box(openssl_floor(&f.floor[i]))
            })
        });
        results.push((f.tag.clone(), format!("per-core/mrtd-{}", f.tag)));
    }
    // The mix: the families' documents interleaved.
    let longest = families
        .iter()
        .map(|f| f.documents.len())
        .max()
        .unwrap_or(0);
    let mut mix_docs = Vec::new();
    let mut mix_floor = Vec::new();
    for i in 0..longest {
        for f in &families {
            if let (Some(d), Some(fl)) = (f.documents.get(i), f.floor.get(i)) {
                mix_docs.push(d.clone());
                mix_floor.push(fl);
            }
        }
    }
    let mut i = 0;
    group.bench_function("mrtd-mix", |b| {
        b.iter(|| {
            i = (i + 1) % mix_docs.len();
            black_box(verify_document(&mix_docs[i], &store, at))
        })
    });
    let mut i = 0;
    group.bench_function("openssl-mix", |b| {
        b.iter(|| {
            i = (i + 1) % mix_floor.len();
            black_box(openssl_floor(mix_floor[i]))
        })
    });
    group.finish();

    // From one to every core: the mix shared out between threads.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut group = c.benchmark_group("cores");
    group.throughput(Throughput::Elements(1));
    for threads in [1, cores] {
        group.bench_function(format!("mix-{threads}-threads"), |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                std::thread::scope(|s| {
                    for t in 0..threads {
                        let (store, mix) = (&store, &mix_docs);
                        s.spawn(move || {
                            let share = iters as usize / threads
                                + usize::from(t < iters as usize % threads);
                            for k in 0..share {
                                let d = &mix[(k * threads + t) % mix.len()];
                                black_box(verify_document(d, store, at));
                            }
                        });
                    }
                });
                start.elapsed()
            })
        });
    }
    group.finish();

    // One anchor against 1 + N: the same P-256 documents.
    let p256 = &corpora[0];
    let mut one = TrustStore::builder();
    one.add_certificate(&p256.csca_der, "P-256").unwrap();
    let one = one.build();
    let mut many = TrustStore::builder();
    many.add_certificate(&p256.csca_der, "P-256").unwrap();
    for (i, der) in corpus::filler_anchors(sizes.fillers, "scale bench")
        .unwrap()
        .iter()
        .enumerate()
    {
        many.add_certificate(der, &format!("filler {i}")).unwrap();
    }
    let many = many.build();
    let docs: Vec<_> = p256.documents.iter().map(|d| d.files.clone()).collect();
    let mut group = c.benchmark_group("anchors");
    group.throughput(Throughput::Elements(1));
    for (name, s) in [
        ("P256-1-anchor".to_string(), &one),
        (format!("P256-{}-anchors", many.anchors().len()), &many),
    ] {
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                i = (i + 1) % docs.len();
                black_box(verify_document(&docs[i], s, at))
            })
        });
    }
    group.finish();
}

/// criterion's median time (ns) of `group/id` from its estimates.
fn median_ns(dir: &Path, id: &str) -> Option<f64> {
    let text = std::fs::read_to_string(dir.join(id).join("new/estimates.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn print_table(dir: &Path, tags: &[String]) {
    println!(
        "\n| family | mrtd per document | mrtd docs/s (1 core) | OpenSSL floor per document | OpenSSL docs/s | ratio |"
    );
    println!("|---|---|---|---|---|---|");
    for tag in tags.iter().map(String::as_str).chain(["mix"]) {
        let (Some(m), Some(o)) = (
            median_ns(dir, &format!("per-core/mrtd-{tag}")),
            median_ns(dir, &format!("per-core/openssl-{tag}")),
        ) else {
            continue;
        };
        println!(
            "| {tag} | {:.1} µs | {:.0} | {:.1} µs | {:.0} | {:.2} |",
            m / 1e3,
            1e9 / m,
            o / 1e3,
            1e9 / o,
            o / m
        );
    }
    let mut cores: BTreeMap<usize, f64> = BTreeMap::new();
    for threads in 1..=64 {
        if let Some(t) = median_ns(dir, &format!("cores/mix-{threads}-threads")) {
            cores.insert(threads, t);
        }
    }
    if let (Some((_, one)), Some((n, all))) = (cores.first_key_value(), cores.last_key_value()) {
        println!(
            "\nmix on 1 core: {:.0} docs/s; on {n} cores: {:.0} docs/s; speed-up {:.2}x",
            1e9 / one,
            1e9 / all,
            one / all
        );
    }
    let anchors = std::fs::read_dir(dir.join("anchors")).into_iter().flatten();
    for e in anchors.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(t) = median_ns(dir, &format!("anchors/{name}")) {
            println!("{name}: {:.1} µs per document", t / 1e3);
        }
    }
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/criterion");
    let mut c = Criterion::default()
        .output_directory(&dir)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut results = Vec::new();
    scale(&mut c, &mut results);
    c.final_summary();
    if !test_mode() {
        let tags: Vec<String> = results.into_iter().map(|(t, _)| t).collect();
        print_table(&dir, &tags);
    }
}
