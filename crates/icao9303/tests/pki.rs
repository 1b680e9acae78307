//! Passive authentication over the real data in test-vectors/data: SODs from 11 states, three CSCA master
//! lists, the BSI reference data set, a CRL, and tampered variants.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::OnceLock;

use icao9303::lds::sod::Sod;
use icao9303::pki::{
    ChainOutcome, Crl, MasterList, Time, TrustStore, TrustStoreBuilder, verify_data_groups,
    verify_sod,
};
use icao9303::report::CheckStatus;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/data")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const STATES: [&str; 11] = [
    "AT", "AU", "DE", "FI", "FR", "ID", "PH", "RU", "SG", "UK", "US",
];

fn at() -> Time {
    Time::from_ymd(2026, 11, 1)
}

/// The trust store built from the three master lists (each verified to its root) and the IDN series.
fn store() -> &'static TrustStore {
    static STORE: OnceLock<TrustStore> = OnceLock::new();
    STORE.get_or_init(|| builder().build())
}

/// A builder loaded with the three master lists (each verified to its root) and the IDN series.
fn builder() -> TrustStoreBuilder {
    {
        let mut s = TrustStore::builder();
        for (list, root) in [
            (
                "master-lists/DE_ML_2026-05-28-08-28-45.ml",
                "master-lists/DE_ROOT_CA_CSCA07.cer",
            ),
            (
                "master-lists/NL_ML_2026-07-22.ml",
                "master-lists/NL_ROOT_CA.cer",
            ),
            (
                "master-lists/NL_MASTERLIST_20211207.mls",
                "master-lists/CSCA_NL_serial6.cer",
            ),
        ] {
            let root = read(root);
            s.add_master_list(&read(list), &[&root], list)
                .unwrap_or_else(|e| panic!("{list}: {e}"));
        }
        let summary = s.add_path(&data("master-lists/IDN-csca-series")).unwrap();
        assert_eq!(summary.certificates, 5, "{:?}", summary.errors);
        s
    }
}

#[test]
fn master_lists_parse_completely() {
    for (file, count) in [
        ("master-lists/DE_ML_2026-05-28-08-28-45.ml", 588),
        ("master-lists/NL_ML_2026-07-22.ml", 411),
        ("master-lists/NL_MASTERLIST_20211207.mls", 306),
    ] {
        let list = MasterList::parse(&read(file)).unwrap();
        assert_eq!(
            list.certificates.len(),
            count,
            "{file}: {:?}",
            list.rejected
        );
        assert!(list.rejected.is_empty(), "{file}: {:?}", list.rejected);
    }
}

#[test]
fn master_list_signers_verify_to_their_roots() {
    for (list, root) in [
        (
            "master-lists/DE_ML_2026-05-28-08-28-45.ml",
            "master-lists/DE_ROOT_CA_CSCA07.cer",
        ),
        (
            "master-lists/NL_ML_2026-07-22.ml",
            "master-lists/NL_ROOT_CA.cer",
        ),
        (
            "master-lists/NL_MASTERLIST_20211207.mls",
            "master-lists/CSCA_NL_serial6.cer",
        ),
    ] {
        let mut s = TrustStore::builder();
        let root = read(root);
        let summary = s
            .add_master_list(&read(list), &[&root], list)
            .unwrap_or_else(|e| panic!("{list}: {e}"));
        assert!(summary.verified);
        assert!(summary.added > 0);
        println!("{list}: {} / {}", summary.signer, summary.verification);
    }
}

#[test]
fn master_list_with_the_wrong_root_is_refused_but_can_be_accepted_unverified() {
    let mut s = TrustStore::builder();
    let wrong = read("master-lists/NL_ROOT_CA.cer");
    let list = read("master-lists/DE_ML_2026-05-28-08-28-45.ml");
    let err = s
        .add_master_list(&list, &[&wrong], "DE")
        .unwrap_err()
        .to_string();
    assert!(err.contains("master list signer"), "{err}");
    assert!(s.anchors().is_empty());
    let summary = s.add_master_list_unverified(&list, "DE").unwrap();
    assert!(!summary.verified);
    assert!(s.anchors().iter().all(|a| a.unverified_list));
    let s = s.build();
    // A SOD chaining to an unverified anchor: the DSC is signed by that CSCA, but the chain is not
    // checked against a trust anchor a verdict can rest on (issue 21: it was a warning, and verified).
    let report = verify_sod(&read("sod/DE/EF_SOD.bin"), &s, at(), Some("D<<"));
    assert_eq!(report.chain_outcome, ChainOutcome::Valid);
    assert_eq!(
        report.chain.status,
        CheckStatus::NotChecked,
        "{}",
        report.chain.reason
    );
    assert!(
        report
            .chain
            .reason
            .contains("accepted without verifying its signer"),
        "{}",
        report.chain.reason
    );
}

#[test]
fn tampered_master_list_content_fails() {
    let mut bytes = read("master-lists/NL_MASTERLIST_20211207.mls");
    // Flip a byte deep inside the certificate list (the eContent).
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    let root = read("master-lists/CSCA_NL_serial6.cer");
    let mut s = TrustStore::builder();
    assert!(s.add_master_list(&bytes, &[&root], "tampered").is_err());
    let s = s.build();
    assert!(s.anchors().is_empty());
    assert_eq!(s.load_report().rejected.len(), 1, "{:?}", s.load_report());
}

#[test]
fn every_real_sod_verifies_and_chains() {
    let issuing = |s: &str| match s {
        "AT" => "AUT",
        "AU" => "AUS",
        "DE" => "D<<",
        "FI" => "FIN",
        "FR" => "FRA",
        "ID" => "IDN",
        "PH" => "PHL",
        "RU" => "RUS",
        "SG" => "SGP",
        "UK" => "GBR",
        "US" => "USA",
        _ => unreachable!(),
    };
    for state in STATES {
        let report = verify_sod(
            &read(&format!("sod/{state}/EF_SOD.bin")),
            store(),
            at(),
            Some(issuing(state)),
        );
        assert_eq!(
            report.structure.status,
            CheckStatus::Valid,
            "{state}: {}",
            report.structure.reason
        );
        assert_eq!(
            report.signature.status,
            CheckStatus::Valid,
            "{state}: {}",
            report.signature.reason
        );
        assert_eq!(
            report.chain_outcome,
            ChainOutcome::Valid,
            "{state}: {}",
            report.chain.reason
        );
        assert_eq!(
            report.chain.status,
            CheckStatus::Valid,
            "{state}: {}",
            report.chain.reason
        );
        assert_eq!(
            report.country.status,
            CheckStatus::Valid,
            "{state}: {}",
            report.country.reason
        );
        assert_ne!(
            report.dsc_validity.status,
            CheckStatus::Invalid,
            "{state}: {}",
            report.dsc_validity.reason
        );
        assert!(report.passed(), "{state}");
        assert!(report.signer_subject.is_some());
        println!(
            "{state}: {} | {}",
            report.signature.reason, report.chain.reason
        );
    }
}

#[test]
fn sod_dsc_matches_the_published_dsc_file() {
    for state in STATES.iter().filter(|s| **s != "ID") {
        let sod = Sod::parse(&read(&format!("sod/{state}/EF_SOD.bin"))).unwrap();
        let dsc = read(&format!("sod/{state}/DSC.cer"));
        assert!(sod.signed_data.certificates.contains(&dsc), "{state}");
    }
}

#[test]
fn single_csca_files_are_enough_to_chain() {
    for state in STATES.iter().filter(|s| **s != "ID") {
        let mut s = TrustStore::builder();
        s.add_certificate(&read(&format!("sod/{state}/CSCA.cer")), "CSCA.cer")
            .unwrap();
        let s = s.build();
        let report = verify_sod(&read(&format!("sod/{state}/EF_SOD.bin")), &s, at(), None);
        assert_eq!(
            report.chain_outcome,
            ChainOutcome::Valid,
            "{state}: {}",
            report.chain.reason
        );
        assert_eq!(report.country.status, CheckStatus::NotChecked);
    }
}

#[test]
fn bsi_reference_data_set_verifies_with_unknown_issuer() {
    let sod_bytes = read("bsi-reference-dataset/EF_SOD.bin");
    let report = verify_sod(&sod_bytes, store(), at(), Some("D<<"));
    assert_eq!(
        report.signature.status,
        CheckStatus::Valid,
        "{}",
        report.signature.reason
    );
    assert!(
        report.signature.reason.contains("RSASSA-PSS"),
        "{}",
        report.signature.reason
    );
    assert_eq!(
        report.chain_outcome,
        ChainOutcome::UnknownIssuer,
        "{}",
        report.chain.reason
    );
    assert_eq!(report.chain.status, CheckStatus::NotChecked);
    assert!(report.chain.reason.contains("unknown issuer"));
    assert!(
        report
            .signer_subject
            .as_deref()
            .unwrap_or("")
            .contains("HJP PB DS")
    );
    let sod = Sod::parse(&sod_bytes).unwrap();
    let files: Vec<(u8, Vec<u8>)> = [1u8, 2, 3, 4, 14]
        .iter()
        .map(|dg| {
            (
                *dg,
                read(&format!("bsi-reference-dataset/Datagroup{dg}.bin")),
            )
        })
        .collect();
    let given: Vec<(u8, &[u8])> = files.iter().map(|(d, b)| (*d, b.as_slice())).collect();
    let results = verify_data_groups(&sod, &given);
    assert_eq!(results.len(), 5);
    assert!(
        results.iter().all(|r| r.status() == CheckStatus::Valid),
        "{results:?}"
    );
    let mut bad = files[0].1.clone();
    bad[10] ^= 1;
    let results = verify_data_groups(&sod, &[(1, &bad)]);
    assert_eq!(results[0].status(), CheckStatus::Invalid);
    assert_eq!(
        results
            .iter()
            .filter(|r| r.status() == CheckStatus::NotChecked)
            .count(),
        4
    );
}

/// Offset of the last occurrence of `needle` in `hay`.
fn rfind(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .rposition(|w| w == needle)
        .unwrap()
}

#[test]
fn tampered_signature_fails() {
    // ECDSA (UK, DE), RSA PKCS#1 v1.5 (US, AU), RSASSA-PSS (SG, PH).
    for state in ["UK", "US", "DE", "AU", "SG", "PH"] {
        let mut bytes = read(&format!("sod/{state}/EF_SOD.bin"));
        let sod = Sod::parse(&bytes).unwrap();
        let sig = sod.signed_data.signer_infos[0].signature.clone();
        let pos = rfind(&bytes, &sig) + sig.len() - 5;
        bytes[pos] ^= 0x01;
        let report = verify_sod(&bytes, store(), at(), None);
        assert_eq!(
            report.signature.status,
            CheckStatus::Invalid,
            "{state}: {}",
            report.signature.reason
        );
        assert!(
            report.signature.reason.contains("does not verify"),
            "{}",
            report.signature.reason
        );
        assert!(!report.passed());
    }
}

#[test]
fn tampered_econtent_fails_on_the_message_digest() {
    let mut bytes = read("sod/FR/EF_SOD.bin");
    let sod = Sod::parse(&bytes).unwrap();
    let dg1 = sod.hash_of(1).unwrap().to_vec();
    let pos = rfind(&bytes, &dg1);
    bytes[pos] ^= 0x01;
    let report = verify_sod(&bytes, store(), at(), None);
    assert_eq!(report.signature.status, CheckStatus::Invalid);
    assert!(
        report.signature.reason.contains("messageDigest"),
        "{}",
        report.signature.reason
    );
}

#[test]
fn tampered_dsc_fails_the_chain() {
    let mut bytes = read("sod/AU/EF_SOD.bin");
    let sod = Sod::parse(&bytes).unwrap();
    let dsc = &sod.signed_data.certificates[0];
    let start = rfind(&bytes, dsc);
    // Change a byte of the DSC's validity / name area (inside the TBSCertificate, not the key).
    let subject_cn = b"Document Signer";
    let pos = match dsc.windows(subject_cn.len()).position(|w| w == subject_cn) {
        Some(p) => start + p,
        None => start + 60,
    };
    bytes[pos] ^= 0x20;
    let report = verify_sod(&bytes, store(), at(), None);
    assert_eq!(
        report.chain_outcome,
        ChainOutcome::Invalid,
        "{}",
        report.chain.reason
    );
    assert_eq!(report.chain.status, CheckStatus::Invalid);
    assert!(
        report.chain.reason.contains("does not verify"),
        "{}",
        report.chain.reason
    );
}

#[test]
fn another_states_csca_is_unknown_issuer_and_wrong_country_fails() {
    // Only a different state's CSCA in the store: the AU DSC's issuer is unknown (not invalid).
    // (A CSCA with the right name but another key is tested in icao9303-emu's pki tests.)
    let mut s = TrustStore::builder();
    s.add_certificate(&read("sod/FR/CSCA.cer"), "FR").unwrap();
    let s = s.build();
    let report = verify_sod(&read("sod/AU/EF_SOD.bin"), &s, at(), Some("AUS"));
    assert_eq!(report.chain_outcome, ChainOutcome::UnknownIssuer);
    assert_eq!(
        report.country.status,
        CheckStatus::ValidWithWarning,
        "{}",
        report.country.reason
    );
    // An AU SOD presented for a French passport fails the country check.
    let report = verify_sod(&read("sod/AU/EF_SOD.bin"), store(), at(), Some("FRA"));
    assert_eq!(
        report.country.status,
        CheckStatus::Invalid,
        "{}",
        report.country.reason
    );
}

#[test]
fn expired_dsc_is_a_warning() {
    let report = verify_sod(
        &read("sod/RU/EF_SOD.bin"),
        store(),
        Time::from_ymd(2049, 1, 1),
        Some("RUS"),
    );
    assert_eq!(
        report.dsc_validity.status,
        CheckStatus::ValidWithWarning,
        "{}",
        report.dsc_validity.reason
    );
    assert!(report.passed());
    let report = verify_sod(
        &read("sod/RU/EF_SOD.bin"),
        store(),
        Time::from_ymd(1990, 1, 1),
        Some("RUS"),
    );
    assert_eq!(report.dsc_validity.status, CheckStatus::Invalid);
}

#[test]
fn crl_parses_and_revocation_is_reported() {
    let crl = Crl::from_der(&read("crl/COL.crl")).unwrap();
    assert_eq!(crl.issuer.country(), Some("CO"));
    assert_eq!(crl.this_update.year, 2020);
    let mut s = builder();
    s.add_crl(&read("crl/COL.crl"), "COL.crl").unwrap();
    let s = s.build();
    assert_eq!(s.crls().len(), 1);
    let report = verify_sod(&read("sod/UK/EF_SOD.bin"), &s, at(), None);
    assert_eq!(
        report.revocation.status,
        CheckStatus::NotChecked,
        "{}",
        report.revocation.reason
    );
}

#[test]
fn garbage_is_reported_not_panicked_on() {
    let report = verify_sod(&[0x77, 0x03, 0x30, 0x01, 0x00], store(), at(), None);
    assert_eq!(report.structure.status, CheckStatus::Invalid);
    assert!(!report.passed());
    let bytes = read("sod/AT/EF_SOD.bin");
    for cut in (0..bytes.len()).step_by(97) {
        let _ = verify_sod(&bytes[..cut], store(), at(), None);
    }
}
