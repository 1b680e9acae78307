//! A corpus of synthetic documents for throughput benchmarks and batch tests: N passports of the test state
//! UTO signed by a handful of Document Signers under one test CSCA, with the emulator's personalisation
//! (EF.COM, DG1 with a valid MRZ, DG2 with the synthetic face, EF.SOD over their hashes).
//!
//! Everything is derived from a seed, so the same seed gives the same corpus. The keys are test keys.

use icao9303::lds::LdsFile;
use icao9303::lds::com::Com;
use icao9303::lds::dg1::Dg1;
use icao9303::mrz::check_digit;
use rand_core::CryptoRng;

use crate::pki::{PkiBuildError, SignatureScheme, TestPki};
use crate::profile::{SYNTHETIC_FACE_JP2, encode_dg2_iso19794};
use crate::rng::SeededRng;

/// One generated document: its files as a dump would hold them.
#[derive(Debug, Clone)]
pub struct CorpusDocument {
    /// A unique name ("P256-000017").
    pub id: String,
    /// EF.COM, EF.SOD, DG1, DG2.
    pub files: Vec<(LdsFile, Vec<u8>)>,
}

/// Documents of one signature family, with the certificates that sign them.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The signature scheme of the CSCA, the DSCs and every EF.SOD.
    pub scheme: SignatureScheme,
    /// The CSCA certificate (DER): the trust anchor.
    pub csca_der: Vec<u8>,
    /// The Document Signer certificates (DER); document `i` is signed by DSC `i % signers`.
    pub dsc_ders: Vec<Vec<u8>>,
    /// The documents.
    pub documents: Vec<CorpusDocument>,
}

/// A short tag for a scheme, used in document ids and benchmark names.
pub fn scheme_tag(scheme: SignatureScheme) -> &'static str {
    match scheme {
        SignatureScheme::EcdsaP256Sha256 => "P256",
        SignatureScheme::RsaPssSha256 => "RSA-PSS",
        SignatureScheme::RsaPkcs1v15Sha256 => "RSA-PKCS1",
        SignatureScheme::EcdsaBrainpoolP256r1Sha256 => "BP256",
        SignatureScheme::EcdsaBrainpoolP384r1Sha384 => "BP384",
    }
}

/// TD3 MRZ lines for the synthetic holder of document `index` (document number `X` + 8 digits).
fn mrz_lines(tag: &str, index: usize) -> [String; 2] {
    let cd = |s: &str| char::from(b'0' + check_digit(s).unwrap_or(0));
    let doc = format!("X{:08}", index % 100_000_000);
    let dob = format!(
        "{:02}{:02}{:02}",
        60 + index % 40,
        1 + index % 12,
        1 + index % 28
    );
    let doe = format!(
        "{:02}{:02}{:02}",
        30 + index % 5,
        1 + (index / 7) % 12,
        1 + index % 28
    );
    let personal = "<<<<<<<<<<<<<<";
    let sex = if index.is_multiple_of(2) { 'F' } else { 'M' };
    let mut line2 = format!(
        "{doc}{}UTO{dob}{}{sex}{doe}{}{personal}{}",
        cd(&doc),
        cd(&dob),
        cd(&doe),
        cd(personal)
    );
    let composite = format!("{}{}{}", &line2[0..10], &line2[13..20], &line2[21..43]);
    line2.push(cd(&composite));
    let name: String = tag
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let line1: String = format!("P<UTOSPECIMEN<<{name}<HOLDER")
        .chars()
        .chain(std::iter::repeat('<'))
        .take(44)
        .collect();
    [line1, line2]
}

/// Generates `documents` documents signed round-robin by `signers` DSCs (at least one) of a test CSCA of
/// state UT (organisation "Corpus <scheme>"), deterministically from `seed`.
pub fn generate(
    scheme: SignatureScheme,
    documents: usize,
    signers: usize,
    seed: &str,
) -> Result<Corpus, PkiBuildError> {
    let mut rng = SeededRng::new(format!("icao9303-emu corpus {seed}").as_bytes());
    let tag = scheme_tag(scheme);
    let first = TestPki::generate_named(
        "UT",
        &format!("Corpus {tag}"),
        "Test CSCA",
        scheme,
        &mut rng,
    )?;
    let mut pkis = vec![first];
    for _ in 1..signers.max(1) {
        let next = pkis[0].new_document_signer(&mut rng)?;
        pkis.push(next);
    }
    let hash = scheme.hash();
    let dg2 = encode_dg2_iso19794(SYNTHETIC_FACE_JP2, 240, 320);
    let mut docs = Vec::with_capacity(documents);
    for i in 0..documents {
        let [l1, l2] = mrz_lines(tag, i);
        let dg1 = Dg1::encode(&[l1.as_str(), l2.as_str()]);
        let hashes = vec![(1u8, hash.digest(&dg1)), (2u8, hash.digest(&dg2))];
        let pki = &pkis[i % pkis.len()];
        let sod = pki.sign_sod(hash, &hashes)?;
        let com = Com::encode("0108", "040000", &[LdsFile::Dg(1), LdsFile::Dg(2)]);
        docs.push(CorpusDocument {
            id: format!("{tag}-{i:06}"),
            files: vec![
                (LdsFile::Com, com),
                (LdsFile::Sod, sod),
                (LdsFile::Dg(1), dg1),
                (LdsFile::Dg(2), dg2.clone()),
            ],
        });
    }
    Ok(Corpus {
        scheme,
        csca_der: pkis[0].csca_der(),
        dsc_ders: pkis.iter().map(TestPki::dsc_der).collect(),
        documents: docs,
    })
}

/// `count` self-signed P-256 CSCA certificates of distinct names ("Filler CSCA n", C=UT), to load a trust
/// store with many anchors that no corpus document chains to.
pub fn filler_anchors(count: usize, seed: &str) -> Result<Vec<Vec<u8>>, PkiBuildError> {
    let mut rng = SeededRng::new(format!("icao9303-emu filler {seed}").as_bytes());
    (0..count).map(|i| filler(&mut rng, i)).collect()
}

fn filler(rng: &mut impl CryptoRng, i: usize) -> Result<Vec<u8>, PkiBuildError> {
    TestPki::generate_named(
        "UT",
        &format!("Filler {i}"),
        &format!("Filler CSCA {i}"),
        SignatureScheme::EcdsaP256Sha256,
        rng,
    )
    .map(|p| p.csca_der())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use icao9303::document::Document;
    use icao9303::mrz::Mrz;
    use icao9303::pki::{ChainOutcome, Time, TrustStore, verify_sod};
    use icao9303::report::CheckStatus;

    #[test]
    fn every_scheme_makes_documents_that_verify() {
        for scheme in SignatureScheme::ALL {
            let corpus = generate(scheme, 3, 2, "unit").unwrap();
            assert_eq!(corpus.dsc_ders.len(), 2);
            let mut b = TrustStore::builder();
            b.add_certificate(&corpus.csca_der, "corpus CSCA").unwrap();
            let store = b.build();
            for doc in &corpus.documents {
                let d = Document::from_files(doc.files.clone());
                let mrz = &d.dg1.as_ref().unwrap().mrz;
                assert!(mrz.check_digits.iter().all(|c| c.valid), "{}", doc.id);
                let sod = d.raw(LdsFile::Sod).unwrap();
                let r = verify_sod(sod, &store, Time::from_ymd(2026, 1, 1), Some("UTO"));
                assert_eq!(
                    r.signature.status,
                    CheckStatus::Valid,
                    "{}: {}",
                    doc.id,
                    r.signature.reason
                );
                assert_eq!(r.chain_outcome, ChainOutcome::Valid, "{}", r.chain.reason);
                assert!(r.passed(), "{}", doc.id);
                assert_eq!(d.hash_status(LdsFile::Dg(2)).status, CheckStatus::Valid);
            }
            assert_eq!(store.cached_document_signers(), 2, "{}", scheme.name());
        }
        // Explicit parameters in the brainpool keys.
        let corpus = generate(SignatureScheme::EcdsaBrainpoolP384r1Sha384, 1, 1, "x").unwrap();
        let dsc = icao9303::pki::Certificate::from_der(&corpus.dsc_ders[0]).unwrap();
        assert_eq!(dsc.public_key.algorithm.parameters.unwrap()[0], 0x30);
        let lines = mrz_lines("P256", 12345);
        assert!(Mrz::parse(&lines.join("\n")).is_ok());
    }

    #[test]
    fn filler_anchors_have_distinct_names() {
        let certs = filler_anchors(3, "t").unwrap();
        let names: std::collections::HashSet<String> = certs
            .iter()
            .map(|c| {
                icao9303::pki::Certificate::from_der(c)
                    .unwrap()
                    .subject
                    .to_string()
            })
            .collect();
        assert_eq!(names.len(), 3);
    }
}
