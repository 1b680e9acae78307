//! The committed EAC test PKI in `test-vectors/data/cvc/test-pki/` against a fresh minting.
//!
//! The files are never edited by hand: they are what [`EacTestPki`] mints from fixed seeds (ECDSA
//! signatures use RFC 6979, so the bytes are reproducible). A difference means the minting changed; if
//! that is intended, regenerate with `MRTD_UPDATE_CVC=1 cargo test -p icao9303-emu --test eac_pki` and
//! review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::crypto::ec::EcCurve;
use icao9303::crypto::hash::HashAlgorithm;
use icao9303::pki::cvc::TaAlgorithm;
use icao9303::pki::cvc::chain::verify_chain;
use icao9303::pki::cvc::issue::create_request;
use icao9303::pki::cvc::private_key::CvPrivateKey;
use icao9303::pki::cvc::request::{CertificateRequest, RequestBody};
use icao9303::pki::cvc::{AccessRights, CertificateReference, CvCertificate, CvDate};
use icao9303_emu::eac_pki::{EacPkiOptions, EacTestPki, write_holder, write_secret};
use icao9303_emu::rng::SeededRng;
use std::path::{Path, PathBuf};

fn committed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/data/cvc/test-pki")
}

fn date(s: &str) -> CvDate {
    s.parse().unwrap()
}

/// Mints the committed test PKI into `dir`: the Utopia chain (CVCA, DV, inspection system with DG3 and
/// DG4), two more terminals under the DV (one with the DG4 right only, one that expired on 2025-01-31),
/// and a certificate request for a new terminal key, authenticated by the first terminal.
fn mint(dir: &Path) -> Vec<PathBuf> {
    let mut rng = SeededRng::new(b"mrtd EAC test PKI UT");
    let pki = EacTestPki::generate(&EacPkiOptions::default(), &mut rng).unwrap();
    let mut written = pki.write_to(dir).unwrap();
    let dg4_only = pki
        .issue_terminal(
            CertificateReference::new("UTTESTIS00002").unwrap(),
            AccessRights {
                read_dg3: false,
                read_dg4: true,
            },
            date("2025-01-01"),
            7305,
            &mut rng,
        )
        .unwrap();
    written.extend(write_holder(dir, &dg4_only).unwrap());
    let expired = pki
        .issue_terminal(
            CertificateReference::new("UTTESTIS00003").unwrap(),
            AccessRights::ALL,
            date("2025-01-01"),
            30,
            &mut rng,
        )
        .unwrap();
    written.extend(write_holder(dir, &expired).unwrap());
    let new_key = CvPrivateKey::generate_ec(
        EcCurve::BrainpoolP256r1,
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        &mut rng,
    )
    .unwrap();
    let request = create_request(
        RequestBody {
            profile_identifier: 0,
            authority_reference: Some(pki.dv.certificate.chr().clone()),
            public_key: new_key.public_key(true).unwrap(),
            holder_reference: CertificateReference::new("UTTESTIS00004").unwrap(),
            extensions: None,
        },
        &new_key,
        Some((pki.terminal.certificate.chr(), &pki.terminal.key)),
        &mut rng,
    )
    .unwrap();
    let request_path = dir.join("UTTESTIS00004-request.cvreq");
    std::fs::write(&request_path, request.encode()).unwrap();
    let key_path = dir.join("UTTESTIS00004.pkcs8");
    write_secret(&key_path, &new_key.to_pkcs8_der().unwrap()).unwrap();
    written.extend([request_path, key_path]);
    written
}

#[test]
fn committed_test_pki_matches_a_fresh_minting() {
    let fresh = std::env::temp_dir().join(format!("mrtd-eac-pki-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    let written = mint(&fresh);
    assert_eq!(written.len(), 12);
    #[cfg(unix)]
    for path in written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pkcs8"))
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    let committed = committed_dir();
    if std::env::var_os("MRTD_UPDATE_CVC").is_some() {
        let written = mint(&committed);
        eprintln!("wrote {} files to {}", written.len(), committed.display());
    }
    for path in &written {
        let name = path.file_name().unwrap();
        let old = std::fs::read(committed.join(name)).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (create it with MRTD_UPDATE_CVC=1 cargo test -p icao9303-emu --test eac_pki)",
                committed.join(name).display()
            )
        });
        assert_eq!(
            old,
            std::fs::read(path).unwrap(),
            "{} differs from a fresh minting; if intended, regenerate with MRTD_UPDATE_CVC=1",
            name.to_string_lossy()
        );
    }
    std::fs::remove_dir_all(&fresh).unwrap();
}

#[test]
fn committed_test_pki_is_a_valid_chain() {
    if std::env::var_os("MRTD_UPDATE_CVC").is_some() {
        eprintln!("regenerating: run again without MRTD_UPDATE_CVC to check the new files");
        return;
    }
    let dir = committed_dir();
    let cert = |chr: &str| {
        CvCertificate::parse(&std::fs::read(dir.join(format!("{chr}.cvcert"))).unwrap()).unwrap()
    };
    let cvca = cert("UTCVCA00001");
    let dv = cert("UTDVIS00001");
    let domain = cvca.body.public_key.domain_parameters().cloned();
    for (terminal, rights, ok_on) in [
        ("UTTESTIS00001", AccessRights::ALL, "2030-01-01"),
        (
            "UTTESTIS00002",
            AccessRights {
                read_dg3: false,
                read_dg4: true,
            },
            "2030-01-01",
        ),
        ("UTTESTIS00003", AccessRights::ALL, "2025-01-31"),
    ] {
        let is = cert(terminal);
        let v = verify_chain(&cvca, &[dv.clone(), is.clone()], Some(date(ok_on))).unwrap();
        assert_eq!(v.rights(), rights, "{terminal}");
        // Each key file holds the private half of its certificate.
        CvPrivateKey::for_certificate(
            &std::fs::read(dir.join(format!("{terminal}.pkcs8"))).unwrap(),
            &is,
            domain.as_ref(),
        )
        .unwrap();
    }
    assert!(
        verify_chain(
            &cvca,
            &[dv.clone(), cert("UTTESTIS00003")],
            Some(date("2025-02-01"))
        )
        .is_err()
    );
    // The request: inner signature by the new key, outer by UTTESTIS00001.
    let request =
        CertificateRequest::parse(&std::fs::read(dir.join("UTTESTIS00004-request.cvreq")).unwrap())
            .unwrap();
    request.verify_inner_signature().unwrap();
    let terminal_key = cert("UTTESTIS00001")
        .holder_key(&dv.holder_key(&cvca.body.public_key).unwrap())
        .unwrap();
    request.verify_outer_signature(&terminal_key).unwrap();
}
