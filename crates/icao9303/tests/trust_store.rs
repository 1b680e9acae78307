//! The service trust store: ICAO-PKD-style LDIF downloads generated here from the real master lists, DSCs
//! and CRL in test-vectors/data (base64 `::` values folded at 76 columns, directory nodes, comments, a
//! change record), what the builder loads and rejects, the DSC cache, and sharing between threads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use icao9303::asn1::{Mode, der, tag};
use icao9303::pki::{ChainOutcome, Time, TrustStore, verify_sod};
use icao9303::report::CheckStatus;

fn read(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/data")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn at() -> Time {
    Time::from_ymd(2026, 11, 1)
}

/// States whose DSC chains to a CSCA of the DE or NL 2026 master list.
const STATES: [(&str, &str); 10] = [
    ("AT", "AUT"),
    ("AU", "AUS"),
    ("DE", "D<<"),
    ("FI", "FIN"),
    ("FR", "FRA"),
    ("PH", "PHL"),
    ("RU", "RUS"),
    ("SG", "SGP"),
    ("UK", "GBR"),
    ("US", "USA"),
];

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// One `name:: base64` attribute, folded as the PKD's files are: 76 columns, continuation lines start
/// with one space.
fn binary_attribute(name: &str, value: &[u8], eol: &str) -> String {
    let line = format!("{name}:: {}", base64(value));
    let mut out = String::new();
    let mut rest = line.as_str();
    let mut first = true;
    while !rest.is_empty() {
        let width = if first { 76 } else { 75 };
        let (head, tail) = rest.split_at(width.min(rest.len()));
        if !first {
            out.push(' ');
        }
        out.push_str(head);
        out.push_str(eol);
        rest = tail;
        first = false;
    }
    out
}

/// An `icaopkd-002`-style download: one master list entry per list, under o=ml.
fn master_list_ldif(lists: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = String::from("version: 1\n\n");
    for (country, list) in lists {
        out.push_str(&format!(
            "dn: cn=CN\\=CSCA-{country}\\,C\\={country},o=ml,c={country},dc=data,dc=download,dc=pkd,dc=icao,dc=int\n"
        ));
        out.push_str("pkdVersion: 325\n");
        out.push_str(&format!("sn: 1\ncn: CN=CSCA-{country},C={country}\n"));
        out.push_str("objectClass: top\nobjectClass: person\nobjectClass: pkdMasterList\n");
        out.push_str("objectClass: pkdDownload\n");
        out.push_str(&binary_attribute("pkdMasterListContent", list, "\n"));
        out.push('\n');
    }
    out.into_bytes()
}

/// An `icaopkd-001`-style download with CRLF line ends: a directory node per state, one DSC entry per
/// state under o=dsc, the Colombian CRL under o=crl, a comment and a delta's delete record.
fn dsc_crl_ldif() -> Vec<u8> {
    let eol = "\r\n";
    let mut out = format!("version: 1{eol}{eol}# ICAO PKD test download{eol}{eol}");
    for (state, _) in STATES {
        out.push_str(&format!(
            "dn: c={state},dc=data,dc=download,dc=pkd,dc=icao,dc=int{eol}objectClass: top{eol}objectClass: country{eol}c: {state}{eol}{eol}"
        ));
        out.push_str(&format!(
            "dn: cn=CN\\=Document Signer {state}\\,C\\={state}+sn=0A,o=dsc,c={state},dc=data,dc=download,dc=pkd,dc=icao,dc=int{eol}"
        ));
        out.push_str(&format!(
            "pkdVersion: 9410{eol}sn: 0A{eol}cn: CN=Document Signer {state},C={state}{eol}"
        ));
        out.push_str(&format!(
            "objectClass: inetOrgPerson{eol}objectClass: pkdDownload{eol}"
        ));
        out.push_str(&binary_attribute(
            "userCertificate;binary",
            &read(&format!("sod/{state}/DSC.cer")),
            eol,
        ));
        out.push_str(eol);
    }
    out.push_str(&format!(
        "dn: cn=CN\\=CSCA Colombia\\,C\\=CO,o=crl,c=CO,dc=data,dc=download,dc=pkd,dc=icao,dc=int{eol}objectClass: cRLDistributionPoint{eol}objectClass: pkdDownload{eol}"
    ));
    out.push_str(&binary_attribute(
        "certificateRevocationList;binary",
        &read("crl/COL.crl"),
        eol,
    ));
    out.push_str(eol);
    out.push_str(&format!(
        "dn: cn=old,o=dsc,c=UT,dc=data,dc=download,dc=pkd,dc=icao,dc=int{eol}changetype: delete{eol}{eol}"
    ));
    out.into_bytes()
}

/// The store a service would build: the two roots, then the PKD's master list and DSC/CRL downloads.
fn pkd_store() -> TrustStore {
    let mut b = TrustStore::builder();
    b.add_certificate(&read("master-lists/DE_ROOT_CA_CSCA07.cer"), "DE root")
        .unwrap();
    b.add_certificate(&read("master-lists/NL_ROOT_CA.cer"), "NL root")
        .unwrap();
    let ml = master_list_ldif(&[
        ("DE", &read("master-lists/DE_ML_2026-05-28-08-28-45.ml")),
        ("NL", &read("master-lists/NL_ML_2026-07-22.ml")),
    ]);
    let s = b.add_ldif(&ml, "icaopkd-002-ml.ldif");
    assert_eq!(s.master_lists, 2, "{:?}", s.errors);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let s = b.add_ldif(&dsc_crl_ldif(), "icaopkd-001-dsccrl.ldif");
    assert_eq!(s.document_signers, STATES.len(), "{:?}", s.errors);
    assert_eq!(s.crls, 1);
    assert_eq!(s.errors.len(), 1, "only the delete record: {:?}", s.errors);
    assert!(s.errors[0].contains("changetype delete"), "{:?}", s.errors);
    b.build()
}

#[test]
fn pkd_ldif_downloads_load_and_every_sod_chains() {
    let store = pkd_store();
    assert!(store.anchors().len() > 588, "{}", store.anchors().len());
    assert_eq!(store.document_signers().len(), STATES.len());
    assert_eq!(store.crls().len(), 1);
    let report = store.load_report();
    assert!(
        report
            .loaded
            .iter()
            .any(|l| l.contains("icaopkd-002-ml.ldif line") && l.contains("master list of 588")),
        "{:#?}",
        report.loaded
    );
    assert!(report.duplicates > 0, "the two lists share CSCAs");
    for (state, issuing) in STATES {
        let r = verify_sod(
            &read(&format!("sod/{state}/EF_SOD.bin")),
            &store,
            at(),
            Some(issuing),
        );
        assert_eq!(
            r.chain_outcome,
            ChainOutcome::Valid,
            "{state}: {}",
            r.chain.reason
        );
        assert_eq!(
            r.chain.status,
            CheckStatus::Valid,
            "{state}: {}",
            r.chain.reason
        );
        assert!(r.passed(), "{state}");
    }
}

#[test]
fn tampered_master_list_in_an_ldif_is_rejected_and_the_rest_loads() {
    let mut de = read("master-lists/DE_ML_2026-05-28-08-28-45.ml");
    let i = de.len() / 2;
    de[i] ^= 0x01;
    let nl = read("master-lists/NL_ML_2026-07-22.ml");
    let mut b = TrustStore::builder();
    b.add_certificate(&read("master-lists/NL_ROOT_CA.cer"), "NL root")
        .unwrap();
    b.add_certificate(&read("master-lists/DE_ROOT_CA_CSCA07.cer"), "DE root")
        .unwrap();
    let s = b.add_ldif(&master_list_ldif(&[("DE", &de), ("NL", &nl)]), "ml.ldif");
    assert_eq!(s.master_lists, 1, "{:?}", s.errors);
    assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
    assert!(s.errors[0].contains("ml.ldif line 3"), "{:?}", s.errors);
    let store = b.build();
    assert_eq!(
        store.anchors().len(),
        411,
        "the NL list's (both roots are in it)"
    );
    assert!(
        store
            .load_report()
            .rejected
            .iter()
            .any(|r| r.contains("master list")),
        "{:?}",
        store.load_report()
    );
    // Nothing came from the tampered list (the record at line 3).
    assert!(store.anchors().iter().all(|a| !a.source.contains("line 3")));
}

#[test]
fn master_lists_without_a_root_are_rejected_unless_accepted_unverified() {
    let ml = master_list_ldif(&[("NL", &read("master-lists/NL_ML_2026-07-22.ml"))]);
    let mut b = TrustStore::builder();
    let s = b.add_ldif(&ml, "ml.ldif");
    assert_eq!(s.master_lists, 0);
    assert!(s.errors[0].contains("no root named"), "{:?}", s.errors);
    assert!(b.build().anchors().is_empty());

    let mut b = TrustStore::builder();
    b.accept_unverified_lists(true);
    let s = b.add_ldif(&ml, "ml.ldif");
    assert_eq!(s.master_lists, 1);
    let store = b.build();
    assert!(store.anchors().iter().all(|a| a.unverified_list));
}

#[test]
fn broken_ldif_records_are_reported_and_skipped() {
    let good = dsc_crl_ldif();
    let mut text = b"dn: cn=bad,o=dsc,c=XX\nuserCertificate;binary:: !!!not base64\n\n".to_vec();
    text.extend_from_slice(b"dn: cn=junk,o=dsc,c=XX\nuserCertificate;binary:: AAAA\n\n");
    text.extend_from_slice(b"no dn here\n\n");
    text.extend_from_slice(&good);
    let mut b = TrustStore::builder();
    let s = b.add_ldif(&text, "mixed.ldif");
    assert_eq!(s.document_signers, STATES.len());
    // Bad base64, a DSC that is no certificate, a record without dn:, the appended file's version line
    // (allowed only first), and the download's delete record.
    assert_eq!(s.errors.len(), 5, "{:#?}", s.errors);
    assert!(s.errors[0].contains("line 2") && s.errors[0].contains("base64"));
    assert!(s.errors[1].contains("line 4") && s.errors[1].contains("Document Signer"));
    assert!(s.errors[2].contains("line 7"), "{:?}", s.errors[2]);
    assert!(s.errors[3].contains("version"), "{:?}", s.errors[3]);
}

/// EF.SOD with the SignedData's `certificates` field removed (the signature covers only the signed
/// attributes, so it still verifies).
fn without_certificates(sod: &[u8]) -> Vec<u8> {
    let outer = Mode::Ber.parse_exact(sod).unwrap();
    let ci = outer.cursor().next("ContentInfo").unwrap();
    let mut r = ci.cursor();
    let oid = r.next("oid").unwrap();
    let wrapper = r.next("[0]").unwrap();
    let sd = wrapper.cursor().next("SignedData").unwrap();
    let kept: Vec<&[u8]> = sd
        .children()
        .unwrap()
        .iter()
        .filter(|c| c.tag != tag::context(0))
        .map(|c| c.raw)
        .collect();
    let sd = der::sequence(&kept);
    let ci = der::sequence(&[oid.raw, &der::tlv(tag::context(0), &sd)]);
    der::tlv(icao9303::lds::sod::SOD_TAG, &ci)
}

#[test]
fn a_sod_without_its_dsc_uses_the_dsc_from_the_pkd() {
    let store = pkd_store();
    for state in ["FR", "DE", "UK"] {
        let stripped = without_certificates(&read(&format!("sod/{state}/EF_SOD.bin")));
        let empty = TrustStore::new();
        let r = verify_sod(&stripped, &empty, at(), None);
        assert_eq!(r.signature.status, CheckStatus::NotChecked, "{state}");
        let r = verify_sod(&stripped, &store, at(), None);
        assert_eq!(
            r.signature.status,
            CheckStatus::Valid,
            "{state}: {}",
            r.signature.reason
        );
        assert_eq!(
            r.chain_outcome,
            ChainOutcome::Valid,
            "{state}: {}",
            r.chain.reason
        );
    }
}

#[test]
fn dsc_is_parsed_and_chained_once_and_the_store_is_shared_between_threads() {
    let store = Arc::new(pkd_store());
    let sod = read("sod/AT/EF_SOD.bin");
    let dsc = read("sod/AT/DSC.cer");
    let first = store.document_signer(&dsc).unwrap();
    let verdict = store.chain(&first).into_owned();
    assert_eq!(verdict.outcome, ChainOutcome::Valid);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let store = Arc::clone(&store);
            let sod = sod.clone();
            std::thread::spawn(move || {
                (0..5).all(|_| verify_sod(&sod, &store, at(), Some("AUT")).passed())
            })
        })
        .collect();
    for t in threads {
        assert!(t.join().unwrap());
    }
    let again = store.document_signer(&dsc).unwrap();
    assert!(Arc::ptr_eq(&first, &again), "served from the cache");
    assert!(matches!(store.chain(&again), std::borrow::Cow::Borrowed(_)));
    // The chain explained (reason, profile findings, names) is made once too, and says the same as the
    // report of a document.
    let explained = store.chain_report(&again);
    assert!(matches!(explained, std::borrow::Cow::Borrowed(_)));
    assert!(std::ptr::eq(
        explained.as_ref(),
        store.chain_report(&first).as_ref()
    ));
    let report = verify_sod(&sod, &store, at(), Some("AUT"));
    assert_eq!(report.chain, explained.chain);
    assert_eq!(
        report.signer_subject.as_ref(),
        Some(&explained.signer_subject)
    );
    assert_eq!(store.cached_document_signers(), 1);
    // Validity is still judged per document date with the cached chain.
    let late = verify_sod(&sod, &store, Time::from_ymd(2060, 1, 1), Some("AUT"));
    assert_eq!(late.dsc_validity.status, CheckStatus::ValidWithWarning);
    assert_eq!(late.chain_outcome, ChainOutcome::Valid);
    // An entry from another store is checked against the store asked, not cached in the entry.
    let other = TrustStore::new();
    assert_eq!(other.chain(&first).outcome, ChainOutcome::UnknownIssuer);
    let foreign = other.chain_report(&first);
    assert!(matches!(foreign, std::borrow::Cow::Owned(_)));
    assert_eq!(foreign.outcome, ChainOutcome::UnknownIssuer);
    assert!(
        foreign.chain.reason.contains("unknown issuer"),
        "{}",
        foreign.chain.reason
    );
    assert_eq!(store.chain(&first).outcome, ChainOutcome::Valid);
    assert_eq!(store.chain_report(&first).outcome, ChainOutcome::Valid);
}

#[test]
fn a_directory_with_a_dsc_file_keeps_it_out_of_the_anchors() {
    let dir = std::env::temp_dir().join(format!("mrtd-trust-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("csca.cer"), read("sod/FR/CSCA.cer")).unwrap();
    std::fs::write(dir.join("dsc.cer"), read("sod/FR/DSC.cer")).unwrap();
    std::fs::write(dir.join("pkd.ldif"), dsc_crl_ldif()).unwrap();
    std::fs::write(dir.join("notes.txt"), b"hello").unwrap();
    let mut b = TrustStore::builder();
    let s = b.add_path(&dir).unwrap();
    let store = b.build();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(s.certificates, 1);
    assert_eq!(store.anchors().len(), 1);
    assert_eq!(
        store.document_signers().len(),
        STATES.len(),
        "FR's DSC once"
    );
    assert_eq!(s.crls, 1);
    assert_eq!(s.errors.len(), 2, "{:?}", s.errors);
    assert!(store.load_report().duplicates >= 1);
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-trust-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pem(certificates: &[&[u8]]) -> Vec<u8> {
    let mut out = String::new();
    for der in certificates {
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in base64(der).as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out.into_bytes()
}

/// `add_path` reports a master list file whose signer it cannot verify as an error, as the CLI does (issue
/// 21: it returned Ok with 0 anchors); accepted unverified, the list is named in the summary.
#[test]
fn add_path_with_an_unverifiable_master_list_is_an_error() {
    let dir = temp_dir("unverifiable");
    std::fs::write(dir.join("nl.ml"), read("master-lists/NL_ML_2026-07-22.ml")).unwrap();
    std::fs::write(dir.join("fr.cer"), read("sod/FR/CSCA.cer")).unwrap();
    let mut b = TrustStore::builder();
    let err = b.add_path(&dir).unwrap_err().to_string();
    assert!(err.contains("nl.ml"), "{err}");
    assert!(err.contains("no root named"), "{err}");
    // What the other files held is loaded.
    assert_eq!(b.anchors().len(), 1);

    let mut b = TrustStore::builder();
    b.accept_unverified_lists(true);
    let s = b.add_path(&dir).unwrap();
    assert_eq!(s.unverified_lists.len(), 1, "{s:?}");
    assert!(s.unverified_lists[0].contains("nl.ml"), "{s:?}");

    // With its root among the paths (in any order), the list verifies.
    let root = dir.join("root.cer");
    std::fs::write(&root, read("master-lists/NL_ROOT_CA.cer")).unwrap();
    let mut b = TrustStore::builder();
    let s = b.add_paths(&[dir.join("nl.ml"), root]).unwrap();
    assert_eq!(s.master_lists, 1, "{s:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A CA certificate slipped into a file of Document Signers is not a trust anchor (issue 21: it became
/// one, unannounced); the load report says why.
#[test]
fn a_csca_in_a_dsc_bundle_is_not_anchored() {
    let dir = temp_dir("bundle");
    let bundle = dir.join("bundle.pem");
    std::fs::write(
        &bundle,
        pem(&[&read("sod/FR/DSC.cer"), &read("sod/FR/CSCA.cer")]),
    )
    .unwrap();
    let mut b = TrustStore::builder();
    let s = b.add_path(&bundle).unwrap();
    assert_eq!(s.certificates, 0);
    assert_eq!(s.document_signers, 1);
    let store = b.build();
    assert!(store.anchors().is_empty());
    let report = store.load_report();
    assert!(report.anchored.is_empty(), "{report:?}");
    assert!(
        report.rejected[0].contains("not anchored: the file also holds Document Signer"),
        "{report:?}"
    );
    // The FR SOD's chain: unknown issuer, not valid.
    let pa = verify_sod(&read("sod/FR/EF_SOD.bin"), &store, at(), Some("FRA"));
    assert_eq!(pa.chain_outcome, ChainOutcome::UnknownIssuer);

    // As a Document Signer bundle, the CSCA is rejected too.
    let mut b = TrustStore::builder();
    assert_eq!(
        b.add_document_signers(&std::fs::read(&bundle).unwrap(), "dscs")
            .unwrap(),
        1
    );
    let store = b.build();
    assert!(store.anchors().is_empty());
    assert!(
        store.load_report().rejected[0].contains("a CA certificate is not a Document Signer"),
        "{:?}",
        store.load_report()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A link certificate is anchored only once the CSCA key it links from is trusted (ICAO 9303-12
/// §4.1.4.3), whatever the order of the files; alone it is rejected with why.
#[test]
fn link_certificates_anchor_only_from_a_trusted_key() {
    let series = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors/data/master-lists/IDN-csca-series");
    let mut b = TrustStore::builder();
    let s = b
        .add_paths(&[series.join("2016-01_CSCA_LINK.cer")])
        .unwrap();
    assert_eq!(s.certificates, 0);
    assert!(s.errors[0].contains("neither self-signed"), "{s:?}");

    let mut b = TrustStore::builder();
    let s = b
        .add_paths(&[
            series.join("2020-10_CSCA_LINK.cer"),
            series.join("2016-01_CSCA_LINK.cer"),
            series.join("2010-12_CSCA.cer"),
        ])
        .unwrap();
    assert_eq!(s.certificates, 3, "{s:?}");
    let store = b.build();
    let anchored = &store.load_report().anchored;
    assert_eq!(
        anchored
            .iter()
            .filter(|l| l.contains("link certificate"))
            .count(),
        2,
        "{anchored:?}"
    );
}

/// A `changetype: delete` after another attribute is honoured: the record is not loaded as an add.
#[test]
fn an_ldif_delete_after_another_attribute_is_not_applied() {
    let text = format!(
        "dn: cn=x,o=dsc,c=FR,dc=data\nobjectClass: inetOrgPerson\nchangetype: delete\n{}\n",
        binary_attribute("userCertificate;binary", &read("sod/FR/DSC.cer"), "\n")
    );
    let mut b = TrustStore::builder();
    let s = b.add_ldif(text.as_bytes(), "delta.ldif");
    assert_eq!(s.document_signers, 0, "{s:?}");
    assert!(
        s.errors[0].contains("changetype delete not applied"),
        "{s:?}"
    );
}
