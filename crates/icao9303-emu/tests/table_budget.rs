//! A trust store's budget of DSC keys with ECDSA comb tables: within it or beyond it, every document gets
//! the same report; the tables of keys the DSC cache drops give their slots back.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use icao9303::Document;
use icao9303::lds::LdsFile;
use icao9303::pki::TrustStore;
use icao9303::pki::certificate::Time;
use icao9303::report::DocumentResult;
use icao9303::verify::{Chip, Scope, report};
use icao9303_emu::corpus;
use icao9303_emu::pki::SignatureScheme;

fn result(files: &[(LdsFile, Vec<u8>)], store: &TrustStore) -> DocumentResult {
    let document = Document::from_files(files.iter().cloned());
    report(
        &document,
        None,
        Vec::new(),
        &Scope::default(),
        Some(store),
        Time::from_ymd(2026, 6, 1),
        Chip::NotPresent,
    )
    .verdict
    .result
}

#[test]
fn documents_verify_the_same_within_and_beyond_the_table_budget() {
    let c = corpus::generate(SignatureScheme::EcdsaP256Sha256, 6, 3, "table budget").unwrap();
    for (budget, tables) in [(0usize, 0usize), (1, 1), (2048, 3)] {
        let mut b = TrustStore::builder();
        b.add_certificate(&c.csca_der, "corpus CSCA").unwrap();
        b.ecdsa_table_budget(budget);
        let store = b.build();
        // Three rounds: each DSC key verifies its second document with tables, if it got a slot.
        for _ in 0..3 {
            for d in &c.documents {
                assert_eq!(
                    result(&d.files, &store),
                    DocumentResult::Verified,
                    "{}",
                    d.id
                );
                let mut tampered = d.files.clone();
                for (f, bytes) in &mut tampered {
                    if *f == LdsFile::Sod {
                        let last = bytes.len() - 3;
                        bytes[last] ^= 0x40; // inside the signature's s
                    }
                }
                assert_eq!(
                    result(&tampered, &store),
                    DocumentResult::Failed,
                    "{} tampered",
                    d.id
                );
            }
        }
        assert_eq!(
            store.ecdsa_table_slots_free(),
            budget - tables,
            "budget {budget}"
        );
    }
}
