//! Trust inputs through the `mrtd` binary (issue 21 part B, issue 26): current revocation, a CSCA key
//! rollover, anchors only on purpose (`--trust`, `--dsc`, unverified master lists), the issuing country,
//! the CSCA validity model and strict CMS, each with its exit code. The documents are dumps (EF.COM, DG1,
//! EF.SOD) signed by the emulator's test PKI; the base case verifies (exit 0), so each test fails for its
//! own reason.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::mrtd;

use icao9303::crypto::hash::HashAlgorithm;
use icao9303::lds::LdsFile;
use icao9303::lds::com::Com;
use icao9303::lds::dg1::Dg1;
use icao9303::mrz::check_digit;
use icao9303_emu::pki::{Deviations, SignatureScheme, SignerInfoForm, TestPki};
use icao9303_emu::rng::SeededRng;
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mrtd-trust-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A GB test PKI (CSCA "Test CSCA"), its CSCA departing from the profile as `csca` says.
fn pki(seed: &str, csca: &Deviations) -> TestPki {
    TestPki::generate_deviating(
        "GB",
        "Test eMRTD PKI",
        "Test CSCA",
        SignatureScheme::EcdsaP256Sha256,
        (csca, &Deviations::default()),
        &mut SeededRng::new(seed.as_bytes()),
    )
    .unwrap()
}

/// A forger's GB PKI: its own CSCA ("Forged CSCA").
fn forger() -> TestPki {
    TestPki::generate_named(
        "GB",
        "Forged eMRTD PKI",
        "Forged CSCA",
        SignatureScheme::EcdsaP256Sha256,
        &mut SeededRng::new(b"forger"),
    )
    .unwrap()
}

/// TD3 MRZ lines of a passport issued by `state`, with right check digits.
fn mrz(state: &str) -> [String; 2] {
    let cd = |s: &str| char::from(b'0' + check_digit(s).unwrap());
    let (doc, dob, doe) = ("GB1234567", "900101", "340101");
    let personal = "<<<<<<<<<<<<<<";
    let mut line2 = format!(
        "{doc}{}{state}{dob}{}F{doe}{}{personal}{}",
        cd(doc),
        cd(dob),
        cd(doe),
        cd(personal)
    );
    let composite = format!("{}{}{}", &line2[0..10], &line2[13..20], &line2[21..43]);
    line2.push(cd(&composite));
    let line1: String = format!("P<{state}SPECIMEN<<TRUST<TEST")
        .chars()
        .chain(std::iter::repeat('<'))
        .take(44)
        .collect();
    [line1, line2]
}

/// A dump (EF_COM.bin, DG1.bin, EF_SOD.bin) of a `state` passport signed by `pki` with its SignerInfo in
/// `form`.
fn dump(dir: &Path, pki: &TestPki, state: &str, form: SignerInfoForm) -> String {
    let [l1, l2] = mrz(state);
    let dg1 = Dg1::encode(&[l1.as_str(), l2.as_str()]);
    let hash = HashAlgorithm::Sha256;
    let sod = pki
        .sign_sod_as(hash, &[(1, hash.digest(&dg1))], form)
        .unwrap();
    let out = dir.join("dump");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("EF_COM.bin"),
        Com::encode("0108", "040000", &[LdsFile::Dg(1)]),
    )
    .unwrap();
    std::fs::write(out.join("DG1.bin"), dg1).unwrap();
    std::fs::write(out.join("EF_SOD.bin"), sod).unwrap();
    out.display().to_string()
}

fn file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn pem(certificates: &[Vec<u8>]) -> Vec<u8> {
    use base64ct::{Base64, Encoding};
    let mut out = String::new();
    for der in certificates {
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in Base64::encode_string(der).as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out.into_bytes()
}

/// `mrtd verify DUMP --json ARGS`: exit code, the report, stderr.
fn verify(dump: &str, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["verify", dump, "--json"];
    all.extend(args);
    let (code, stdout, stderr) = mrtd(&all);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    (code, json, stderr)
}

fn check<'a>(json: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {json}"))
}

fn reason<'a>(json: &'a serde_json::Value, id: &str) -> &'a str {
    check(json, id)["reason"].as_str().unwrap()
}

/// The base case: a document of the genuine PKI against its CSCA verifies (exit 0), and the report's trust
/// section says what was anchored.
#[test]
fn a_document_of_a_trusted_csca_verifies() {
    let dir = temp_dir("base");
    let pki = pki("genuine", &Deviations::default());
    let dump = dump(&dir, &pki, "GBR", SignerInfoForm::default());
    let csca = file(&dir, "csca.der", &pki.csca_der());
    let (code, json, stderr) = verify(&dump, &["--trust", &csca]);
    assert_eq!(code, 0, "{json}\n{stderr}");
    let anchored = json["trust"]["anchored"].as_array().unwrap();
    assert_eq!(anchored.len(), 1, "{json}");
    assert!(
        anchored[0].as_str().unwrap().contains("self-signed"),
        "{json}"
    );
    assert!(stderr.contains("self-signed CSCA certificate"), "{stderr}");
    assert!(json.get("crl").is_none(), "no CRL was loaded: {json}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Two verified CRLs of the CSCA, the newer listing the DSC: revoked (exit 1) whichever loads first
/// (issue 21: a trust directory with CRLs named by date loaded the older first, and the DSC verified).
#[test]
fn an_old_and_a_new_crl_revoke_in_either_order() {
    let dir = temp_dir("crls");
    let pki = pki("genuine", &Deviations::default());
    let dump = dump(&dir, &pki, "GBR", SignerInfoForm::default());
    let old = pki
        .issue_crl_at(&[], "250101000000Z", "400101000000Z")
        .unwrap();
    let new = pki
        .issue_crl_at(&[pki.dsc_serial()], "260101000000Z", "400101000000Z")
        .unwrap();
    for (first, second) in [(&old, &new), (&new, &old)] {
        let trust = dir.join("trust");
        let _ = std::fs::remove_dir_all(&trust);
        std::fs::create_dir_all(&trust).unwrap();
        file(&trust, "csca.der", &pki.csca_der());
        file(&trust, "2025-a.crl", first);
        file(&trust, "2026-b.crl", second);
        let (code, json, stderr) = verify(&dump, &["--trust", trust.to_str().unwrap()]);
        assert_eq!(code, 1, "{json}\n{stderr}");
        assert_eq!(
            check(&json, "dsc-revocation")["status"],
            "invalid",
            "{json}"
        );
        assert!(
            reason(&json, "dsc-revocation").contains("revoked"),
            "{json}"
        );
        assert!(
            json["crl"]["this_update"]
                .as_str()
                .unwrap()
                .starts_with("2026-01-01"),
            "{json}"
        );
        assert_eq!(json["crl"]["consulted"], 2, "{json}");
    }
    // Only an expired CRL, not listing the DSC: verified, with a warning that the CRL expired.
    let expired = pki
        .issue_crl_at(&[], "250101000000Z", "250401000000Z")
        .unwrap();
    let csca = file(&dir, "csca.der", &pki.csca_der());
    let crl = file(&dir, "expired.crl", &expired);
    let (code, json, _) = verify(&dump, &["--trust", &csca, "--trust", &crl]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(check(&json, "dsc-revocation")["warning"], true, "{json}");
    assert!(
        reason(&json, "dsc-revocation").contains("expired"),
        "{json}"
    );
    assert_eq!(json["crl"]["expired"], true, "{json}");
    assert_eq!(
        json["crl"]["next_update"], "2025-04-01 00:00:00 UTC",
        "{json}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// After a CSCA key rollover, a CRL signed with the new key revokes a DSC of the old key (exit 1; issue 21:
/// "CRL signature not verified", exit 0).
#[test]
fn a_crl_signed_with_the_rolled_over_key_revokes() {
    let dir = temp_dir("rollover");
    let old = pki("genuine", &Deviations::default());
    let (new, link) = old.rollover(&mut SeededRng::new(b"rollover")).unwrap();
    let dump = dump(&dir, &old, "GBR", SignerInfoForm::default());
    let crl = new
        .issue_crl_at(&[old.dsc_serial()], "260101000000Z", "400101000000Z")
        .unwrap();
    let args = [
        "--trust",
        &file(&dir, "old.der", &old.csca_der()),
        "--trust",
        &file(&dir, "new.der", &new.csca_der()),
        "--trust",
        &file(&dir, "link.der", &link),
        "--trust",
        &file(&dir, "new.crl", &crl),
    ]
    .map(String::from);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, json, stderr) = verify(&dump, &args);
    assert_eq!(code, 1, "{json}\n{stderr}");
    assert_eq!(
        check(&json, "dsc-revocation")["status"],
        "invalid",
        "{json}"
    );
    assert!(
        !reason(&json, "dsc-revocation").contains("not verified"),
        "{json}"
    );
    let anchored = json["trust"]["anchored"].to_string();
    assert!(anchored.contains("link certificate"), "{anchored}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A forger's CSCA in a `--dsc` bundle is never anchored: the forged document is not verified (exit 3),
/// the bundle's CSCA is listed as rejected, and the reason says GB's anchors are loaded and none of them
/// signed it (issue 26), with the link to docs/trust-anchors.md.
#[test]
fn a_forgers_csca_in_a_dsc_bundle_is_not_anchored() {
    let dir = temp_dir("dsc-bundle");
    let genuine = pki("genuine", &Deviations::default());
    let forger = forger();
    let dump = dump(&dir, &forger, "GBR", SignerInfoForm::default());
    let csca = file(&dir, "csca.der", &genuine.csca_der());
    let bundle = file(
        &dir,
        "dscs.pem",
        &pem(&[forger.dsc_der(), forger.csca_der()]),
    );
    let (code, json, stderr) = verify(&dump, &["--trust", &csca, "--dsc", &bundle]);
    assert_eq!(code, 3, "{json}\n{stderr}");
    assert_eq!(json["verdict"]["result"], "not_verified", "{json}");
    assert!(stderr.contains("REJECTED"), "{stderr}");
    assert!(stderr.contains("never adds trust anchors"), "{stderr}");
    assert!(
        reason(&json, "dsc-chain").contains("trust anchors for GB are loaded"),
        "{json}"
    );
    let (code, text, _) = mrtd(&["verify", &dump, "--trust", &csca, "--dsc", &bundle]);
    assert_eq!(code, 3);
    assert!(text.contains("none of them signed this DSC"), "{text}");
    assert!(!text.contains("give the issuing state's CSCA"), "{text}");
    assert!(text.contains("docs/trust-anchors.md"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A forger's CSCA in a `--trust` file of Document Signers is not anchored (exit 3; issue 21: it became a
/// trust anchor and the forged document verified, exit 0). The report's trust section says why.
#[test]
fn a_forgers_csca_among_dscs_in_trust_is_not_anchored() {
    let dir = temp_dir("trust-bundle");
    let genuine = pki("genuine", &Deviations::default());
    let forger = forger();
    let dump = dump(&dir, &forger, "GBR", SignerInfoForm::default());
    let csca = file(&dir, "csca.der", &genuine.csca_der());
    let bundle = file(
        &dir,
        "bundle.pem",
        &pem(&[forger.dsc_der(), forger.csca_der()]),
    );
    let (code, json, stderr) = verify(&dump, &["--trust", &csca, "--trust", &bundle]);
    assert_eq!(code, 3, "{json}\n{stderr}");
    let rejected = json["trust"]["rejected"].to_string();
    assert!(rejected.contains("Forged CSCA"), "{rejected}");
    assert!(rejected.contains("not anchored"), "{rejected}");
    assert_eq!(
        json["trust"]["anchored"].as_array().unwrap().len(),
        1,
        "{json}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A master list signed by anyone, holding a forger's CSCA: refused (exit 2) unless accepted unverified,
/// and then a document chaining to it is at best not verified (exit 3; issue 21: verified, exit 0).
#[test]
fn an_unverified_master_list_gives_at_best_not_verified() {
    let dir = temp_dir("unverified-list");
    let forger = forger();
    let dump = dump(&dir, &forger, "GBR", SignerInfoForm::default());
    let list = file(
        &dir,
        "forged.ml",
        &forger.sign_master_list(&[forger.csca_der()]).unwrap(),
    );
    let (code, _, stderr) = mrtd(&["verify", &dump, "--trust", &list]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("could not be verified"), "{stderr}");
    let (code, json, stderr) = verify(&dump, &["--trust", &list, "--accept-unverified-lists"]);
    assert_eq!(code, 3, "{json}\n{stderr}");
    assert_eq!(check(&json, "dsc-chain")["status"], "not-checked", "{json}");
    assert!(
        reason(&json, "dsc-chain").contains("accepted without verifying its signer"),
        "{json}"
    );
    assert!(stderr.contains("accepted as you asked"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A CSCA name without a country: the issuing country cannot be checked, so the document is not verified
/// (exit 3; issue 21: "not checked", and verified).
#[test]
fn a_csca_without_country_is_not_verified() {
    let dir = temp_dir("no-country");
    let pki = pki(
        "no country",
        &Deviations {
            no_country: true,
            ..Deviations::default()
        },
    );
    let dump = dump(&dir, &pki, "GBR", SignerInfoForm::default());
    let csca = file(&dir, "csca.der", &pki.csca_der());
    let (code, json, stderr) = verify(&dump, &["--trust", &csca]);
    assert_eq!(code, 3, "{json}\n{stderr}");
    assert_eq!(check(&json, "issuing-country")["status"], "not-checked");
    let reasons = json["verdict"]["reasons"].to_string();
    assert!(reasons.contains("has no country"), "{reasons}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An issuing state no table knows: not verified (exit 3).
#[test]
fn an_unknown_issuing_state_is_not_verified() {
    let dir = temp_dir("unknown-state");
    let pki = pki("genuine", &Deviations::default());
    let dump = dump(&dir, &pki, "ZZQ", SignerInfoForm::default());
    let csca = file(&dir, "csca.der", &pki.csca_der());
    let (code, json, stderr) = verify(&dump, &["--trust", &csca]);
    assert_eq!(code, 3, "{json}\n{stderr}");
    assert!(
        json["verdict"]["reasons"].to_string().contains("ZZQ"),
        "{json}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A DSC whose validity begins after its CSCA's certificate expired fails the chain (exit 1; issue 21:
/// the expired CSCA anchored it).
#[test]
fn a_chain_through_an_expired_csca_fails() {
    let dir = temp_dir("expired-csca");
    let pki = pki(
        "expired csca",
        &Deviations {
            validity: Some(("100101000000Z", "200101000000Z")),
            ..Deviations::default()
        },
    );
    let dump = dump(&dir, &pki, "GBR", SignerInfoForm::default());
    let csca = file(&dir, "csca.der", &pki.csca_der());
    let (code, json, stderr) = verify(&dump, &["--trust", &csca]);
    assert_eq!(code, 1, "{json}\n{stderr}");
    assert_eq!(check(&json, "dsc-chain")["status"], "invalid", "{json}");
    assert!(
        reason(&json, "dsc-chain").contains("ICAO 9303-12"),
        "{json}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// RFC 5652 §5.3: a SignerInfo version that does not match its sid form fails EF.SOD (exit 1); the matching
/// forms verify (exit 0).
#[test]
fn a_signer_info_version_mismatch_fails() {
    let dir = temp_dir("signer-info");
    let pki = pki("genuine", &Deviations::default());
    let csca = file(&dir, "csca.der", &pki.csca_der());
    for (subject_key_identifier, version, expected) in
        [(false, 1, 0), (true, 3, 0), (false, 3, 1), (true, 1, 1)]
    {
        let form = SignerInfoForm {
            subject_key_identifier,
            version,
        };
        let dump = dump(&dir, &pki, "GBR", form);
        let (code, json, stderr) = verify(&dump, &["--trust", &csca]);
        assert_eq!(code, expected, "{form:?}: {json}\n{stderr}");
        if expected == 1 {
            assert!(reason(&json, "sod").contains("RFC 5652"), "{json}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `trust inspect` counts `GB` and `gb` as one country, shown upper case (issue 26).
#[test]
fn trust_inspect_compares_countries_case_insensitively() {
    let dir = temp_dir("inspect-case");
    let upper = pki("genuine", &Deviations::default()).csca_der();
    // The same kind of certificate with its country written "gb" (issuer and subject).
    let mut lower = forger().csca_der();
    let gb = [0x55, 0x04, 0x06, 0x13, 0x02, b'G', b'B'];
    let mut replaced = 0;
    for i in 0..lower.len() - gb.len() {
        if lower[i..i + gb.len()] == gb {
            lower[i + 5] = b'g';
            lower[i + 6] = b'b';
            replaced += 1;
        }
    }
    assert_eq!(replaced, 2);
    let certs = file(&dir, "cscas.pem", &pem(&[upper, lower]));
    let (code, out, stderr) = mrtd(&["trust", "inspect", &certs, "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let countries: Vec<&String> = json["by_country"].as_object().unwrap().keys().collect();
    assert_eq!(countries, ["GB"], "{json}");
    assert_eq!(json["by_country"]["GB"]["certificates"], 2, "{json}");
    std::fs::remove_dir_all(&dir).unwrap();
}
