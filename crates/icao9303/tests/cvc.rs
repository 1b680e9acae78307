//! CV certificates against test-vectors/EAC-TA-VECTORS.md and test-vectors/data/cvc/: parsing and
//! byte-exact re-encoding, signatures (PersoSim chain, the German ePassport CVCA, the BSI worked example),
//! chain selection and verification with dates and rights, private keys, issuing and requests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::crypto::ec::EcCurve;
use icao9303::crypto::hash::HashAlgorithm;
use icao9303::pki::cvc::chain::{ChainError, select_chain, verify_chain};
use icao9303::pki::cvc::issue::{CertificateFields, create_request, issue_certificate};
use icao9303::pki::cvc::private_key::CvPrivateKey;
use icao9303::pki::cvc::request::{CertificateRequest, RequestBody};
use icao9303::pki::cvc::{
    AccessRights, CertificateReference, Chat, CvCertificate, CvDate, CvKey, CvcError, Role,
    TaAlgorithm, TerminalType, encode_ef_cvca, parse_ef_cvca,
};

fn data(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../test-vectors/data/cvc/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A ```` ```hex <id> ```` block of test-vectors/EAC-TA-VECTORS.md.
fn vector(id: &str) -> Vec<u8> {
    let md = std::fs::read_to_string(format!(
        "{}/../../test-vectors/EAC-TA-VECTORS.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let start = md
        .find(&format!("```hex {id}\n"))
        .unwrap_or_else(|| panic!("no vector {id}"));
    let body = &md[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let end = body.find("```").unwrap();
    hex::decode(body[..end].split_whitespace().collect::<String>()).unwrap()
}

fn cert(path: &str) -> CvCertificate {
    CvCertificate::parse(&data(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn date(s: &str) -> CvDate {
    s.parse().unwrap()
}

fn reference(s: &str) -> CertificateReference {
    CertificateReference::new(s).unwrap()
}

const ALL_CERTIFICATES: [&str; 16] = [
    "persosim-is/DEISCVCA00001.cvcert",
    "persosim-is/DEDVIS00001.cvcert",
    "persosim-is/DETESTIS00001.cvcert",
    "german-cvca/DECVCAEPASS00102.cvcert",
    "bsi-worked-example/ecdh/DECVCAAT00001.cvcert",
    "bsi-worked-example/ecdh/DETESTDVDE019.cvcert",
    "bsi-worked-example/ecdh/DETESTATDE019.cvcert",
    "bsi-worked-example/dh/DETESTCVCA00003.cvcert",
    "bsi-worked-example/dh/DETESTDVDE019.cvcert",
    "bsi-worked-example/dh/DETESTATDE019.cvcert",
    "generated/DEISCVCA00002-link.cvcert",
    "generated/DEDVIS00002.cvcert",
    "generated/DETESTIS00002.cvcert",
    "generated/DEDVIS00003.cvcert",
    "generated/DEDVIS00004.cvcert",
    "generated/ZZDVIS00001.cvcert",
];

#[test]
fn every_certificate_parses_and_re_encodes_byte_for_byte() {
    for path in ALL_CERTIFICATES
        .iter()
        .copied()
        .chain(["generated/ZZTESTIS00001.cvcert"])
    {
        let bytes = data(path);
        let c = cert(path);
        assert_eq!(c.encode(), bytes, "{path}");
        assert_eq!(c.as_bytes(), bytes.as_slice());
        // PSO:Verify Certificate data round-trips too.
        assert_eq!(CvCertificate::parse_value(c.pso_data()).unwrap(), c);
        assert_eq!(c.body.profile_identifier, 0);
    }
}

#[test]
fn persosim_chain_fields_match_the_walk_through() {
    let cvca = cert("persosim-is/DEISCVCA00001.cvcert");
    assert_eq!(cvca.as_bytes(), vector("persosim.cvca"));
    assert_eq!(cvca.car().as_str(), "DEISCVCA00001");
    assert!(cvca.is_self_signed());
    assert_eq!(cvca.body.chat.authorization, [0xE3]);
    assert_eq!(
        cvca.body.chat.terminal_type(),
        TerminalType::InspectionSystem
    );
    assert_eq!(cvca.role(), Role::Cvca);
    assert_eq!(cvca.body.effective_date, date("2016-11-22"));
    assert_eq!(cvca.body.expiration_date, date("2017-11-22"));
    assert_eq!(
        cvca.body.public_key.algorithm,
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha256)
    );
    assert_eq!(
        cvca.body.public_key.curve().unwrap(),
        EcCurve::BrainpoolP256r1
    );
    assert_eq!(
        HashAlgorithm::Sha256.digest(cvca.signed_data()),
        vector("persosim.cvca.tbs_sha256")
    );

    let dv = cert("persosim-is/DEDVIS00001.cvcert");
    assert_eq!(dv.as_bytes(), vector("persosim.dv"));
    assert_eq!(dv.role(), Role::DvDomestic);
    assert_eq!(dv.body.chat.authorization, [0xA3]);
    assert!(dv.body.public_key.domain_parameters().is_none());
    match &dv.body.public_key.key {
        CvKey::Ec { point, .. } => assert_eq!(*point, vector("persosim.dv.pub")),
        CvKey::Rsa { .. } => panic!("EC expected"),
    }
    assert_eq!(
        HashAlgorithm::Sha256.digest(dv.signed_data()),
        vector("persosim.dv.tbs_sha256")
    );

    let is = cert("persosim-is/DETESTIS00001.cvcert");
    assert_eq!(is.as_bytes(), vector("persosim.is"));
    assert_eq!(is.role(), Role::Terminal);
    assert_eq!(is.car().as_str(), "DEDVIS00001");
    assert_eq!(is.body.chat.access_rights(), AccessRights::ALL);
    assert_eq!(is.body.expiration_date, date("2016-12-22"));
    assert_eq!(
        HashAlgorithm::Sha256.digest(is.signed_data()),
        vector("persosim.is.tbs_sha256")
    );
}

#[test]
fn self_signatures_verify_and_a_flipped_bit_does_not() {
    for path in [
        "persosim-is/DEISCVCA00001.cvcert",
        "german-cvca/DECVCAEPASS00102.cvcert",
        "bsi-worked-example/ecdh/DECVCAAT00001.cvcert",
        "bsi-worked-example/dh/DETESTCVCA00003.cvcert",
    ] {
        let c = cert(path);
        c.verify_signature(&c.body.public_key)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut tampered = c.clone();
        tampered.signature[5] ^= 0x01;
        let err = tampered.verify_signature(&c.body.public_key).unwrap_err();
        assert!(
            matches!(&err, CvcError::Signature { holder, .. } if holder == c.chr().as_str()),
            "{path}: {err}"
        );
    }
    let german = cert("german-cvca/DECVCAEPASS00102.cvcert");
    assert_eq!(german.as_bytes(), vector("german.cvca"));
    assert_eq!(german.body.chat.authorization, [0xC1]);
    assert_eq!(
        german.body.chat.access_rights(),
        AccessRights {
            read_dg3: true,
            read_dg4: false
        }
    );
    assert_eq!(german.body.effective_date, date("2010-10-18"));
    assert_eq!(german.body.expiration_date, date("2013-10-18"));
}

#[test]
fn worked_example_chains_verify_with_inherited_parameters() {
    // ECDH: brainpoolP512r1 with SHA-512; DV and terminal inherit the CVCA's explicit parameters. The
    // chain mixes id-IS and id-AT CHATs, so only the signatures are checked here.
    let cvca = cert("bsi-worked-example/ecdh/DECVCAAT00001.cvcert");
    let dv = cert("bsi-worked-example/ecdh/DETESTDVDE019.cvcert");
    let at = cert("bsi-worked-example/ecdh/DETESTATDE019.cvcert");
    assert_eq!(
        cvca.body.public_key.curve().unwrap(),
        EcCurve::BrainpoolP512r1
    );
    assert_eq!(
        cvca.body.public_key.algorithm,
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha512)
    );
    dv.verify_signature(&cvca.body.public_key).unwrap();
    let dv_key = dv.holder_key(&cvca.body.public_key).unwrap();
    at.verify_signature(&dv_key).unwrap();
    assert_eq!(
        at.body.chat.terminal_type(),
        TerminalType::AuthenticationTerminal
    );
    // Without inherited parameters the DV key cannot verify anything.
    assert!(at.verify_signature(&dv.body.public_key).is_err());
    // The mixed terminal types are refused by a strict chain check.
    assert!(matches!(
        verify_chain(&cvca, &[dv, at], None),
        Err(ChainError::TerminalType { .. })
    ));

    // DH chain: RSA-1024, id-TA-RSA-v1-5-SHA-1.
    let cvca = cert("bsi-worked-example/dh/DETESTCVCA00003.cvcert");
    let dv = cert("bsi-worked-example/dh/DETESTDVDE019.cvcert");
    let at = cert("bsi-worked-example/dh/DETESTATDE019.cvcert");
    assert_eq!(
        cvca.body.public_key.algorithm,
        TaAlgorithm::RsaV15(HashAlgorithm::Sha1)
    );
    assert!(cvca.body.public_key.describe().starts_with("RSA-1024"));
    dv.verify_signature(&cvca.body.public_key).unwrap();
    at.verify_signature(&dv.holder_key(&cvca.body.public_key).unwrap())
        .unwrap();
}

fn persosim() -> (CvCertificate, Vec<CvCertificate>) {
    (
        cert("persosim-is/DEISCVCA00001.cvcert"),
        vec![
            cert("persosim-is/DEDVIS00001.cvcert"),
            cert("persosim-is/DETESTIS00001.cvcert"),
        ],
    )
}

#[test]
fn persosim_chain_verifies_with_rights_03_at_its_dates() {
    let (cvca, chain) = persosim();
    let v = verify_chain(&cvca, &chain, Some(date("2016-11-22"))).unwrap();
    assert_eq!(v.effective_authorization.authorization, [0x03]);
    assert_eq!(v.rights(), AccessRights::ALL);
    assert_eq!(v.dv_role, Role::DvDomestic);
    assert_eq!(v.terminal.as_str(), "DETESTIS00001");
    assert_eq!(v.date, Some(date("2016-11-22")));
    match &v.terminal_key.key {
        CvKey::Ec { domain, point } => {
            assert!(domain.is_some());
            assert_eq!(*point, vector("persosim.is.pub"));
        }
        CvKey::Rsa { .. } => panic!("EC expected"),
    }
    // The expiration day itself is still valid; the day after is not.
    assert!(verify_chain(&cvca, &chain, Some(date("2016-12-22"))).is_ok());
    let err = verify_chain(&cvca, &chain, Some(date("2016-12-23"))).unwrap_err();
    assert_eq!(
        err,
        ChainError::Expired {
            certificate: "DEDVIS00001".into(),
            expiration: date("2016-12-22"),
            date: date("2016-12-23")
        }
    );
    // Without a date only signatures, order and rights are checked.
    assert!(verify_chain(&cvca, &chain, None).is_ok());
}

#[test]
fn chain_faults_are_named() {
    let (cvca, chain) = persosim();
    // Wrong order.
    let swapped = vec![chain[1].clone(), chain[0].clone()];
    assert!(matches!(
        verify_chain(&cvca, &swapped, None),
        Err(ChainError::Role { certificate, .. }) if certificate == "DETESTIS00001"
    ));
    // A tampered terminal signature.
    let mut bad = chain.clone();
    bad[1].signature[0] ^= 0x80;
    assert!(matches!(
        verify_chain(&cvca, &bad, None),
        Err(ChainError::Signature { certificate, .. }) if certificate == "DETESTIS00001"
    ));
    // A chain from another CVCA.
    let german = cert("german-cvca/DECVCAEPASS00102.cvcert");
    assert!(matches!(
        verify_chain(&german, &chain, None),
        Err(ChainError::WrongIssuer { certificate, .. }) if certificate == "DEDVIS00001"
    ));
    // Only a DV.
    assert!(matches!(
        verify_chain(&cvca, &chain[..1], None),
        Err(ChainError::Role { .. })
    ));
}

#[test]
fn link_certificate_chain_and_foreign_dv() {
    let cvca = cert("persosim-is/DEISCVCA00001.cvcert");
    let link = cert("generated/DEISCVCA00002-link.cvcert");
    assert_eq!(link.as_bytes(), vector("gen.DEISCVCA00002-link"));
    assert!(link.is_link());
    let chain = vec![
        link.clone(),
        cert("generated/DEDVIS00002.cvcert"),
        cert("generated/DETESTIS00002.cvcert"),
    ];
    let v = verify_chain(&cvca, &chain, Some(date("2017-05-01"))).unwrap();
    assert_eq!(v.cvca.as_str(), "DEISCVCA00002");
    assert_eq!(v.links, vec![reference("DEISCVCA00002")]);
    assert_eq!(v.effective_authorization.authorization, [0x03]);
    // The date advanced as the chip's: link 05-01, DV 05-02, accurate terminal 05-03.
    assert_eq!(v.date, Some(date("2017-05-03")));
    // The old CVCA has expired on 2017-12-01, but link certificates are accepted when expired... and
    // the new CVCA signs the DV, so the chain still verifies later (DV expiry aside).
    assert!(matches!(
        verify_chain(&cvca, &chain, Some(date("2017-12-01"))),
        Err(ChainError::Expired { certificate, .. }) if certificate == "DEDVIS00002"
    ));

    // Foreign DV: the effective authorization is 03 & 41 & E3 = 01 (DG3 only), and the terminal
    // certificate (not accurate) does not move the date.
    let zz = vec![
        cert("generated/ZZDVIS00001.cvcert"),
        cert("generated/ZZTESTIS00001.cvcert"),
    ];
    assert_eq!(zz[0].as_bytes(), vector("gen.ZZDVIS00001"));
    assert_eq!(zz[1].as_bytes(), vector("gen.ZZTESTIS00001"));
    let v = verify_chain(&cvca, &zz, Some(date("2016-11-01"))).unwrap();
    assert_eq!(v.dv_role, Role::DvForeign);
    assert_eq!(v.effective_authorization.authorization, [0x01]);
    assert_eq!(
        v.rights(),
        AccessRights {
            read_dg3: true,
            read_dg4: false
        }
    );
    assert_eq!(v.date, Some(date("2016-12-01")));

    // A DV signed by a CVCA key that has expired at the current date is refused.
    let dv4 = cert("generated/DEDVIS00004.cvcert");
    assert_eq!(dv4.as_bytes(), vector("gen.DEDVIS00004"));
    let terminal = cert("persosim-is/DETESTIS00001.cvcert");
    assert!(matches!(
        verify_chain(&cvca, &[dv4, terminal], Some(date("2017-12-01"))),
        Err(ChainError::TrustPointExpired { trust_point, .. }) if trust_point == "DEISCVCA00001"
    ));
}

#[test]
fn chain_selection_follows_ef_cvca() {
    let certificates = vec![
        cert("persosim-is/DEISCVCA00001.cvcert"),
        cert("generated/DEISCVCA00002-link.cvcert"),
        cert("generated/DEDVIS00002.cvcert"),
        cert("generated/DETESTIS00002.cvcert"),
    ];
    let chrs = |v: Vec<&CvCertificate>| v.iter().map(|c| c.chr().to_string()).collect::<Vec<_>>();
    // A chip that knows only the old CVCA gets the link certificate first.
    let old = select_chain(&[reference("DEISCVCA00001")], &certificates, None).unwrap();
    assert_eq!(chrs(old), ["DEISCVCA00002", "DEDVIS00002", "DETESTIS00002"]);
    // A chip that knows the new one (most recent first in EF.CVCA) does not.
    let new = select_chain(
        &parse_ef_cvca(&vector("scen.S3.DEISCVCA00002.ef_cvca")).unwrap(),
        &certificates,
        None,
    )
    .unwrap();
    assert_eq!(chrs(new), ["DEDVIS00002", "DETESTIS00002"]);
    // A chip of another country: no path, and the error names the missing issuer.
    let err = select_chain(&[reference("DECVCAEPASS00102")], &certificates, None).unwrap_err();
    assert!(
        matches!(&err, ChainError::NoPath { car, .. } if car == "DEISCVCA00001"),
        "{err}"
    );
    // Two terminals: one must be chosen.
    let mut two = certificates.clone();
    two.push(cert("persosim-is/DETESTIS00001.cvcert"));
    two.push(cert("persosim-is/DEDVIS00001.cvcert"));
    assert!(matches!(
        select_chain(&[reference("DEISCVCA00001")], &two, None),
        Err(ChainError::SeveralTerminals(_))
    ));
    let chosen = select_chain(
        &[reference("DEISCVCA00001")],
        &two,
        Some(&reference("DETESTIS00001")),
    )
    .unwrap();
    assert_eq!(chrs(chosen), ["DEDVIS00001", "DETESTIS00001"]);
}

#[test]
fn ef_cvca_vectors() {
    for (id, cars) in [
        ("scen.ef_cvca.initial", vec!["DEISCVCA00001"]),
        (
            "scen.S3.DEISCVCA00002.ef_cvca",
            vec!["DEISCVCA00002", "DEISCVCA00001"],
        ),
        ("scen.S5.DEDVIS00003.ef_cvca", vec!["DEISCVCA00002"]),
    ] {
        let bytes = vector(id);
        let parsed = parse_ef_cvca(&bytes).unwrap();
        let expected: Vec<_> = cars.into_iter().map(reference).collect();
        assert_eq!(parsed, expected, "{id}");
        assert_eq!(encode_ef_cvca(&expected), bytes, "{id}");
    }
}

#[test]
fn private_keys_load_and_match_their_certificates() {
    let cvca = cert("persosim-is/DEISCVCA00001.cvcert");
    let domain = cvca.body.public_key.domain_parameters().cloned();
    for name in ["DEISCVCA00001", "DEDVIS00001", "DETESTIS00001"] {
        let c = cert(&format!("persosim-is/{name}.cvcert"));
        // The PersoSim original (explicit parameters) and the named-curve re-encoding.
        for file in [
            format!("persosim-is/{name}.key.pkcs8"),
            format!("persosim-is/derived/{name}.key.named.pkcs8"),
        ] {
            let key = CvPrivateKey::for_certificate(&data(&file), &c, domain.as_ref())
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(key.curve(), Some(EcCurve::BrainpoolP256r1));
            assert!(
                !format!("{key:?}").contains(&hex::encode(vector(&format!("persosim.{name}.d"))))
            );
            // Written back as PKCS#8, it reads the same.
            let again =
                CvPrivateKey::for_certificate(&key.to_pkcs8_der().unwrap(), &c, domain.as_ref())
                    .unwrap();
            assert_eq!(
                again.public_key(false).unwrap(),
                c.body.public_key.without_domain_parameters()
            );
        }
    }
    // The DV's key is not the terminal's.
    let is = cert("persosim-is/DETESTIS00001.cvcert");
    let err = CvPrivateKey::for_certificate(
        &data("persosim-is/DEDVIS00001.key.pkcs8"),
        &is,
        domain.as_ref(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("DETESTIS00001"), "{err}");
    // RSA: the worked example's terminal key fits its certificate; an EC key does not.
    let at = cert("bsi-worked-example/dh/DETESTATDE019.cvcert");
    CvPrivateKey::for_certificate(
        &data("bsi-worked-example/dh/DETESTATDE019.key.pkcs8"),
        &at,
        None,
    )
    .unwrap();
    assert!(
        CvPrivateKey::for_certificate(&data("persosim-is/DETESTIS00001.key.pkcs8"), &at, None)
            .is_err()
    );
    // Explicit brainpoolP512r1 PKCS#8 of the ECDH worked example.
    let at = cert("bsi-worked-example/ecdh/DETESTATDE019.cvcert");
    let cvca = cert("bsi-worked-example/ecdh/DECVCAAT00001.cvcert");
    for file in [
        "bsi-worked-example/ecdh/DETESTATDE019.key.pkcs8",
        "bsi-worked-example/ecdh/derived/DETESTATDE019.key.named.pkcs8",
    ] {
        let key = CvPrivateKey::for_certificate(
            &data(file),
            &at,
            cvca.body.public_key.domain_parameters(),
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(key.curve(), Some(EcCurve::BrainpoolP512r1));
    }
    // Garbage is an error, not a panic.
    assert!(
        CvPrivateKey::from_pkcs8_der(
            &[0x30, 0x03, 0x02, 0x01, 0x00],
            TaAlgorithm::Ecdsa(HashAlgorithm::Sha256)
        )
        .is_err()
    );
}

struct Rng(u64);
impl rand_core::TryRng for Rng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        // splitmix64: deterministic test randomness
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for Rng {}

#[test]
fn issuing_reproduces_the_generated_certificates() {
    // The vectors' generator signed with RFC 6979; the same key, body and nonce rule give the same bytes.
    let cvca = cert("persosim-is/DEISCVCA00001.cvcert");
    let domain = cvca.body.public_key.domain_parameters().cloned();
    let cvca_key = CvPrivateKey::for_certificate(
        &data("persosim-is/DEISCVCA00001.key.pkcs8"),
        &cvca,
        domain.as_ref(),
    )
    .unwrap();
    let dv_key = CvPrivateKey::from_ec_scalar(
        EcCurve::BrainpoolP256r1,
        &data("generated/ZZDVIS00001.d.bin"),
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha256),
    )
    .unwrap();
    let expected = cert("generated/ZZDVIS00001.cvcert");
    let issued = issue_certificate(
        cvca.chr(),
        CertificateFields {
            holder_reference: reference("ZZDVIS00001"),
            public_key: dv_key.public_key(false).unwrap(),
            chat: Chat::inspection_system(
                Role::DvForeign,
                AccessRights {
                    read_dg3: true,
                    read_dg4: false,
                },
            ),
            effective_date: date("2016-12-01"),
            expiration_date: date("2017-02-28"),
            extensions: None,
        },
        &cvca_key,
        &mut Rng(1),
    )
    .unwrap();
    assert_eq!(issued.as_bytes(), expected.as_bytes());

    // A self-signed CVCA on P-384 with RSA-PSS and RSA v1.5 below it: the whole chain verifies.
    let mut rng = Rng(7);
    let root_key = CvPrivateKey::generate_ec(
        EcCurve::NistP384,
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha384),
        &mut rng,
    )
    .unwrap();
    let root = issue_certificate(
        &reference("UTCVCA00001"),
        CertificateFields {
            holder_reference: reference("UTCVCA00001"),
            public_key: root_key.public_key(true).unwrap(),
            chat: Chat::inspection_system(Role::Cvca, AccessRights::ALL),
            effective_date: date("2025-01-01"),
            expiration_date: date("2028-01-01"),
            extensions: None,
        },
        &root_key,
        &mut rng,
    )
    .unwrap();
    root.verify_signature(&root.body.public_key).unwrap();
    let dv_key = CvPrivateKey::generate_ec(
        EcCurve::NistP384,
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha384),
        &mut rng,
    )
    .unwrap();
    let dv = issue_certificate(
        root.chr(),
        CertificateFields {
            holder_reference: reference("UTDV00001"),
            public_key: dv_key.public_key(false).unwrap(),
            chat: Chat::inspection_system(Role::DvDomestic, AccessRights::ALL),
            effective_date: date("2025-01-01"),
            expiration_date: date("2025-06-01"),
            extensions: None,
        },
        &root_key,
        &mut rng,
    )
    .unwrap();
    let is_key = CvPrivateKey::generate_ec(
        EcCurve::NistP384,
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha384),
        &mut rng,
    )
    .unwrap();
    let is = issue_certificate(
        dv.chr(),
        CertificateFields {
            holder_reference: reference("UTIS00001"),
            public_key: is_key.public_key(false).unwrap(),
            chat: Chat::inspection_system(
                Role::Terminal,
                AccessRights {
                    read_dg3: false,
                    read_dg4: true,
                },
            ),
            effective_date: date("2025-01-02"),
            expiration_date: date("2025-02-01"),
            extensions: None,
        },
        &dv_key,
        &mut rng,
    )
    .unwrap();
    let v = verify_chain(&root, &[dv.clone(), is.clone()], Some(date("2025-01-15"))).unwrap();
    assert_eq!(
        v.rights(),
        AccessRights {
            read_dg3: false,
            read_dg4: true
        }
    );
    for c in [&root, &dv, &is] {
        assert_eq!(&CvCertificate::parse(c.as_bytes()).unwrap(), c);
    }
    // Domain parameters in a DV certificate are refused when issuing.
    assert!(
        issue_certificate(
            root.chr(),
            CertificateFields {
                holder_reference: reference("UTDV00002"),
                public_key: dv_key.public_key(true).unwrap(),
                chat: Chat::inspection_system(Role::DvDomestic, AccessRights::ALL),
                effective_date: date("2025-01-01"),
                expiration_date: date("2025-06-01"),
                extensions: None,
            },
            &root_key,
            &mut rng,
        )
        .is_err()
    );
}

#[test]
fn rsa_chains_with_v15_and_pss() {
    let mut rng = Rng(11);
    for algorithm in [
        TaAlgorithm::RsaV15(HashAlgorithm::Sha256),
        TaAlgorithm::RsaPss(HashAlgorithm::Sha256),
        TaAlgorithm::RsaPss(HashAlgorithm::Sha1),
        TaAlgorithm::RsaV15(HashAlgorithm::Sha512),
    ] {
        let key = CvPrivateKey::generate_rsa(1024, algorithm, &mut rng).unwrap();
        let root = issue_certificate(
            &reference("UTCVCA00009"),
            CertificateFields {
                holder_reference: reference("UTCVCA00009"),
                public_key: key.public_key(true).unwrap(),
                chat: Chat::inspection_system(Role::Cvca, AccessRights::ALL),
                effective_date: date("2025-01-01"),
                expiration_date: date("2026-01-01"),
                extensions: None,
            },
            &key,
            &mut rng,
        )
        .unwrap();
        root.verify_signature(&root.body.public_key)
            .unwrap_or_else(|e| panic!("{algorithm}: {e}"));
        let parsed = CvCertificate::parse(root.as_bytes()).unwrap();
        assert_eq!(parsed.body.public_key.algorithm, algorithm);
        let mut bad = parsed.clone();
        bad.signature[3] ^= 1;
        assert!(bad.verify_signature(&root.body.public_key).is_err());
        // Its PKCS#8 reads back as the same key.
        let again =
            CvPrivateKey::for_certificate(&key.to_pkcs8_der().unwrap(), &root, None).unwrap();
        assert_eq!(again.algorithm(), algorithm);
    }
}

#[test]
fn certificate_requests_round_trip_and_verify() {
    let mut rng = Rng(3);
    let new_key = CvPrivateKey::generate_ec(
        EcCurve::BrainpoolP256r1,
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha256),
        &mut rng,
    )
    .unwrap();
    let old_key = CvPrivateKey::from_pkcs8_der(
        &data("persosim-is/derived/DETESTIS00001.key.named.pkcs8"),
        TaAlgorithm::Ecdsa(HashAlgorithm::Sha256),
    )
    .unwrap();
    let body = RequestBody {
        profile_identifier: 0,
        authority_reference: Some(reference("DEDVIS00001")),
        public_key: new_key.public_key(true).unwrap(),
        holder_reference: reference("DETESTIS00002"),
        extensions: None,
    };
    // Initial request: inner signature only.
    let plain = create_request(body.clone(), &new_key, None, &mut rng).unwrap();
    let enc = plain.encode();
    assert_eq!(&enc[..2], [0x7F, 0x21]);
    let parsed = CertificateRequest::parse(&enc).unwrap();
    assert_eq!(parsed, plain);
    parsed.verify_inner_signature().unwrap();
    // Authenticated request: outer signature by the current terminal key.
    let old_chr = reference("DETESTIS00001");
    let auth = create_request(body, &new_key, Some((&old_chr, &old_key)), &mut rng).unwrap();
    let enc = auth.encode();
    assert_eq!(enc[0], 0x67);
    let parsed = CertificateRequest::parse(&enc).unwrap();
    assert_eq!(parsed.encode(), enc);
    parsed.verify_inner_signature().unwrap();
    let cvca = cert("persosim-is/DEISCVCA00001.cvcert");
    let old_public = cert("persosim-is/DETESTIS00001.cvcert")
        .holder_key(&cvca.body.public_key)
        .unwrap();
    parsed.verify_outer_signature(&old_public).unwrap();
    // A different key does not verify the outer signature; a tampered inner signature fails.
    assert!(
        parsed
            .verify_outer_signature(&cvca.body.public_key)
            .is_err()
    );
    let mut bad = parsed.clone();
    bad.inner_signature[0] ^= 1;
    assert!(bad.verify_inner_signature().is_err());
    // A certificate is not a request and vice versa.
    assert!(CertificateRequest::parse(&data("persosim-is/DETESTIS00001.cvcert")).is_err());
    assert!(CvCertificate::parse(&enc).is_err());
}

#[test]
fn hostile_encodings_are_errors() {
    let bytes = data("persosim-is/DEISCVCA00001.cvcert");
    // Every prefix and every single-byte change: an error or a certificate, never a panic.
    for n in 0..bytes.len() {
        assert!(CvCertificate::parse(&bytes[..n]).is_err());
    }
    for i in 0..bytes.len() {
        for delta in [0x01u8, 0x80, 0xFF] {
            let mut b = bytes.clone();
            b[i] ^= delta;
            if let Ok(c) = CvCertificate::parse(&b) {
                let _ = c.verify_signature(&c.body.public_key);
            }
            let _ = CertificateRequest::parse(&b);
        }
    }
    // A non-minimal length (81 0D instead of 0D for the CAR) is valid BER but not DER.
    let dv = data("persosim-is/DEDVIS00001.cvcert");
    let mut body = dv[8..8 + 0x96].to_vec();
    let car_at = body.iter().position(|b| *b == 0x42).unwrap();
    body.insert(car_at + 1, 0x81);
    let mut value = vec![0x7F, 0x4E, 0x81, body.len() as u8];
    value.extend(body);
    value.extend(&dv[8 + 0x96..]);
    assert!(matches!(
        CvCertificate::parse_value(&value),
        Err(CvcError::NotDer(_))
    ));
    // A CHR tag where the profile identifier belongs.
    let mut swapped = dv.clone();
    swapped[9] = 0x20;
    assert!(matches!(
        CvCertificate::parse(&swapped),
        Err(CvcError::Field {
            expected: "certificate profile identifier",
            ..
        })
    ));
    // Too long.
    assert!(matches!(
        CvCertificate::parse(&vec![0x7F; 5000]),
        Err(CvcError::TooLong { .. })
    ));
}

/// A bare RFC 5915 ECPrivateKey with a named curve in `[0]` (what OpenPACE's `cvc-create` writes for the
/// keys it derives) reads as the same key as its PKCS#8 form; PEM PKCS#8 decodes to the DER.
#[test]
fn sec1_and_pem_private_keys_are_read() {
    use icao9303::pki::cvc::private_key::pkcs8_der_from_der_or_pem;
    let alg = TaAlgorithm::Ecdsa(HashAlgorithm::Sha256);
    let pkcs8 = data("test-pki/UTTESTIS00001.pkcs8");
    let key = CvPrivateKey::from_pkcs8_der(&pkcs8, alg).unwrap();
    // PKCS#8 → its privateKey OCTET STRING holds the ECPrivateKey; add [0] brainpoolP256r1.
    let outer = icao9303::tlv::parse_exact(&pkcs8, 0x30).unwrap();
    let items = icao9303::tlv::parse_all(outer.value).unwrap();
    let inner = icao9303::tlv::parse_exact(items[2].value, 0x30).unwrap();
    let fields = icao9303::tlv::parse_all(inner.value).unwrap();
    let oid = [0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07];
    let sec1 = icao9303::tlv::encode_constructed(
        0x30,
        &[
            icao9303::tlv::encode(0x02, fields[0].value),
            icao9303::tlv::encode(0x04, fields[1].value),
            icao9303::tlv::encode(0xA0, &icao9303::tlv::encode(0x06, &oid)),
        ],
    );
    let from_sec1 = CvPrivateKey::from_pkcs8_der(&sec1, alg).unwrap();
    assert_eq!(
        from_sec1.public_key(false).unwrap(),
        key.public_key(false).unwrap()
    );
    // Without [0] the curve is unknown: an error, not a guess.
    let no_curve = icao9303::tlv::encode_constructed(
        0x30,
        &[
            icao9303::tlv::encode(0x02, fields[0].value),
            icao9303::tlv::encode(0x04, fields[1].value),
        ],
    );
    assert!(CvPrivateKey::from_pkcs8_der(&no_curve, alg).is_err());
    // PEM.
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64(&pkcs8)
    );
    assert_eq!(
        pkcs8_der_from_der_or_pem(pem.as_bytes())
            .unwrap()
            .as_slice(),
        pkcs8.as_slice()
    );
    assert_eq!(
        pkcs8_der_from_der_or_pem(&pkcs8).unwrap().as_slice(),
        pkcs8.as_slice()
    );
    assert!(pkcs8_der_from_der_or_pem(b"-----BEGIN EC PRIVATE KEY-----\nAA==\n").is_err());
    assert!(pkcs8_der_from_der_or_pem(b"-----BEGIN PRIVATE KEY-----\nA*A=\n").is_err());
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
