//! Interoperability with OpenPACE (Debian package `openpace`), an independent implementation of CV
//! certificates: its `cvc-print` parses and verifies the chain `mrtd eac mint` writes, and `mrtd` parses
//! and verifies a chain OpenPACE's `cvc-create` mints — then runs Terminal Authentication with it against
//! the emulated chip. Skipped, saying so, only when the tools are not installed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::mrtd;
use icao9303::access::Password;
use icao9303::auth::terminal::TerminalCredentials;
use icao9303::lds::LdsFile;
use icao9303::pki::cvc::chain::verify_chain;
use icao9303::pki::cvc::private_key::CvPrivateKey;
use icao9303::pki::cvc::{CvCertificate, CvKey};
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::{CheckId, CheckStatus};
use icao9303_emu::profile::chip_by_name;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// Whether `tool` runs; prints why the test is skipped when it does not.
fn have(tool: &str) -> bool {
    match Command::new(tool).arg("--version").output() {
        Ok(_) => true,
        Err(e) => {
            eprintln!(
                "SKIPPED: {tool} is not available ({e}); install OpenPACE (apt-get install openpace)"
            );
            false
        }
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-openpace-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(dir: &Path, tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{tool} {args:?}: {text}");
    text
}

#[test]
fn cvc_print_parses_and_verifies_what_mrtd_mints() {
    if !have("cvc-print") {
        return;
    }
    let dir = temp_dir("mint");
    let (code, _, stderr) = mrtd(&["eac", "mint", dir.to_str().unwrap(), "--country", "XB"]);
    assert_eq!(code, 0, "{stderr}");
    // cvc-print looks issuers up in --cvc-dir by CHR (file name without extension).
    let trusted = dir.join("trusted");
    std::fs::create_dir_all(&trusted).unwrap();
    for chr in ["XBCVCA00001", "XBDVIS00001"] {
        std::fs::copy(dir.join(format!("{chr}.cvcert")), trusted.join(chr)).unwrap();
    }
    for (chr, role) in [
        ("XBCVCA00001", "CVCA"),
        ("XBDVIS00001", "DV"),
        ("XBTESTIS00001", "Terminal certificate"),
    ] {
        let text = run(
            &dir,
            "cvc-print",
            &[
                "--cvc",
                &format!("{chr}.cvcert"),
                "--cvc-dir",
                trusted.to_str().unwrap(),
            ],
        );
        assert!(text.contains(&format!("CHR: {chr}")), "{text}");
        assert!(text.contains("Inspection system"), "{text}");
        assert!(
            text.contains("Read fingerprint") && text.contains("Read iris"),
            "{text}"
        );
        assert!(text.contains(role), "{chr}: {text}");
        assert!(
            text.contains("certificate verified") && !text.contains("not verified"),
            "{chr}: {text}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mrtd_parses_verifies_and_authenticates_with_a_chain_cvc_create_mints() {
    if !have("cvc-create") {
        return;
    }
    let dir = temp_dir("create");
    // The CVCA key: one mrtd mints (PKCS#8, named brainpoolP256r1); every certificate is OpenPACE's.
    let (code, _, stderr) = mrtd(&["eac", "mint", dir.to_str().unwrap(), "--country", "XC"]);
    assert_eq!(code, 0, "{stderr}");
    std::fs::rename(dir.join("XCCVCA00001.pkcs8"), dir.join("cvca.pkcs8")).unwrap();
    for f in ["XCCVCA00001", "XCDVIS00001", "XCTESTIS00001"] {
        let _ = std::fs::remove_file(dir.join(format!("{f}.cvcert")));
        let _ = std::fs::remove_file(dir.join(format!("{f}.pkcs8")));
    }
    let common = ["--expires=351231", "--scheme=ECDSA_SHA_256"];
    run(
        &dir,
        "cvc-create",
        &[
            &[
                "--role=cvca",
                "--type=is",
                "--chr=XCCVCA00001",
                "--chat=C3",
                "--sign-with=cvca.pkcs8",
            ][..],
            &common[..],
        ]
        .concat(),
    );
    run(
        &dir,
        "cvc-create",
        &[
            &[
                "--role=dv_domestic",
                "--chr=XCDVIS00001",
                "--chat=83",
                "--sign-with=cvca.pkcs8",
                "--sign-as=XCCVCA00001.cvcert",
            ][..],
            &common[..],
        ]
        .concat(),
    );
    run(
        &dir,
        "cvc-create",
        &[
            &[
                "--role=terminal",
                "--chr=XCTESTIS00001",
                "--chat=03",
                "--sign-with=XCDVIS00001.pkcs8",
                "--sign-as=XCDVIS00001.cvcert",
            ][..],
            &common[..],
        ]
        .concat(),
    );
    let cert = |chr: &str| {
        let bytes = std::fs::read(dir.join(format!("{chr}.cvcert"))).unwrap();
        let cert = CvCertificate::parse(&bytes).unwrap_or_else(|e| panic!("{chr}: {e}"));
        assert_eq!(
            cert.as_bytes(),
            bytes.as_slice(),
            "{chr} re-encodes byte for byte"
        );
        cert
    };
    let (cvca, dv, terminal) = (
        cert("XCCVCA00001"),
        cert("XCDVIS00001"),
        cert("XCTESTIS00001"),
    );
    let verified = verify_chain(&cvca, &[dv.clone(), terminal.clone()], None).unwrap();
    assert!(verified.rights().read_dg3 && verified.rights().read_dg4);
    for chr in ["XCCVCA00001", "XCDVIS00001", "XCTESTIS00001"] {
        let path = dir.join(format!("{chr}.cvcert"));
        let (code, stdout, stderr) = mrtd(&["inspect", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{chr}: {stdout}{stderr}");
        assert!(stdout.contains(chr), "{stdout}");
    }
    // Terminal Authentication with OpenPACE's chain and the terminal key cvc-create derived, against
    // the emulated brp chip trusting OpenPACE's CVCA.
    let domain = match &cvca.body.public_key.key {
        CvKey::Ec { domain, .. } => domain.clone(),
        _ => None,
    };
    let key = CvPrivateKey::for_certificate(
        &std::fs::read(dir.join("XCTESTIS00001.pkcs8")).unwrap(),
        &terminal,
        domain.as_ref(),
    )
    .unwrap();
    let named = chip_by_name("brp", |_| {}, Some(vec![cvca.clone()]))
        .unwrap()
        .unwrap();
    let options = ReaderOptions {
        terminal: Some(TerminalCredentials {
            certificates: vec![cvca, dv, terminal],
            signer: Arc::new(key),
        }),
        ..ReaderOptions::default()
    };
    let mut reader = Reader::with_options(EmulatorTransport::new(named.chip), options);
    let mut rng = SeededRng::new(b"openpace chain");
    reader
        .authenticate(&Password::Mrz(named.mrz_key), &mut rng)
        .unwrap();
    let (doc, report) = reader.read_document_with_rng(&mut rng).unwrap();
    let ta = report.check(CheckId::TerminalAuthentication).unwrap();
    assert_eq!(ta.status(), CheckStatus::Valid, "{}", ta.reason());
    assert!(doc.raw(LdsFile::Dg(3)).is_some());
    assert_eq!(report.status(CheckId::DgHash(3)), Some(CheckStatus::Valid));
    let _ = std::fs::remove_dir_all(&dir);
}
