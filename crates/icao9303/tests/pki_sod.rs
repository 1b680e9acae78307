//! EF.SOD parsing over the real SODs in test-vectors/data and the BSI reference data set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use icao9303::crypto::hash::HashAlgorithm;
use icao9303::lds::sod::Sod;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/data")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn every_real_sod_parses() {
    let expected: &[(&str, u8, HashAlgorithm)] = &[
        ("AT", 0, HashAlgorithm::Sha256),
        ("AU", 0, HashAlgorithm::Sha256),
        ("DE", 1, HashAlgorithm::Sha384),
        ("FI", 1, HashAlgorithm::Sha512),
        ("FR", 0, HashAlgorithm::Sha256),
        ("ID", 0, HashAlgorithm::Sha256),
        ("PH", 0, HashAlgorithm::Sha256),
        ("RU", 0, HashAlgorithm::Sha1),
        ("SG", 1, HashAlgorithm::Sha256),
        ("UK", 1, HashAlgorithm::Sha256),
        ("US", 0, HashAlgorithm::Sha256),
    ];
    let dirs = std::fs::read_dir(data("sod")).unwrap().count();
    assert_eq!(dirs, expected.len(), "a SOD folder without an expectation");
    for (state, version, hash) in expected {
        let bytes = read(&format!("sod/{state}/EF_SOD.bin"));
        let sod = Sod::parse(&bytes).unwrap_or_else(|e| panic!("{state}: {e}"));
        assert_eq!(sod.version, *version, "{state}");
        assert_eq!(sod.hash_algorithm, *hash, "{state}");
        assert!(
            sod.data_group_hashes.contains_key(&1),
            "{state}: no DG1 hash"
        );
        assert!(sod.data_group_hashes.len() >= 2, "{state}");
        for value in sod.data_group_hashes.values() {
            assert_eq!(value.len(), hash.output_len());
        }
        assert_eq!(sod.lds_version.is_some(), *version == 1, "{state}");
        assert_eq!(sod.signed_data.signer_infos.len(), 1, "{state}");
        assert!(
            sod.signed_data.signer_infos[0].signed_attrs.is_some(),
            "{state}"
        );
    }
}

#[test]
fn de_sod_has_lds_version_info() {
    let sod = Sod::parse(&read("sod/DE/EF_SOD.bin")).unwrap();
    assert_eq!(sod.lds_version.as_deref(), Some("0108"));
    assert_eq!(sod.unicode_version.as_deref(), Some("040000"));
    assert_eq!(
        sod.data_group_hashes.keys().copied().collect::<Vec<_>>(),
        vec![1, 2, 3, 14]
    );
}

#[test]
fn bsi_reference_hashes_match_the_data_groups() {
    let sod = Sod::parse(&read("bsi-reference-dataset/EF_SOD.bin")).unwrap();
    assert_eq!(sod.version, 0);
    assert_eq!(sod.hash_algorithm, HashAlgorithm::Sha256);
    assert_eq!(
        sod.data_group_hashes.keys().copied().collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 14]
    );
    for dg in [1u8, 2, 3, 4, 14] {
        let file = read(&format!("bsi-reference-dataset/Datagroup{dg}.bin"));
        assert_eq!(sod.check_data_group(dg, &file), Some(true), "DG{dg}");
        let mut tampered = file.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(
            sod.check_data_group(dg, &tampered),
            Some(false),
            "DG{dg} tampered"
        );
    }
    assert_eq!(
        sod.check_data_group(15, &read("bsi-reference-dataset/Datagroup15.bin")),
        None
    );
}

#[test]
fn truncated_sods_fail_cleanly() {
    let bytes = read("sod/UK/EF_SOD.bin");
    for len in (0..bytes.len()).step_by(7) {
        assert!(
            Sod::parse(&bytes[..len]).is_err(),
            "prefix of {len} bytes parsed"
        );
    }
}
