//! Terminal Authentication v1 against test-vectors/EAC-TA-VECTORS.md sections 3 and 4: ID_PICC, Comp(),
//! the signed data, the signatures (RFC 6979 ECDSA reproduced byte for byte, the BSI worked example's
//! published signatures), the APDUs, and the whole exchange over a scripted channel.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::apdu::{CommandApdu, ResponseApdu, StatusWord};
use icao9303::auth::terminal::{
    self, TaError, TerminalSigner, comp, id_picc_bac, id_picc_bac_without_fillers, signed_data,
};
use icao9303::channel::Channel;
use icao9303::crypto::domain::DomainParameters;
use icao9303::crypto::ec::EcCurve;
use icao9303::crypto::hash::HashAlgorithm;
use icao9303::mrz::MrzKey;
use icao9303::pki::cvc::private_key::CvPrivateKey;
use icao9303::pki::cvc::{CvCertificate, CvPublicKey, TaAlgorithm};

fn data(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../test-vectors/data/cvc/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{path}: {e}"))
}

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
    CvCertificate::parse(&data(path)).unwrap()
}

struct NoRng;
impl rand_core::TryRng for NoRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.fill(0x5A);
        Ok(())
    }
}
impl rand_core::TryCryptoRng for NoRng {}

/// The PersoSim terminal key and its public key with the CVCA's domain parameters.
fn persosim_terminal() -> (CvPrivateKey, CvPublicKey) {
    let cvca = cert("persosim-is/DEISCVCA00001.cvcert");
    let is = cert("persosim-is/DETESTIS00001.cvcert");
    let key = CvPrivateKey::for_certificate(
        &data("persosim-is/DETESTIS00001.key.pkcs8"),
        &is,
        cvca.body.public_key.domain_parameters(),
    )
    .unwrap();
    let dv = cert("persosim-is/DEDVIS00001.cvcert");
    let public = is
        .holder_key(&dv.holder_key(&cvca.body.public_key).unwrap())
        .unwrap();
    (key, public)
}

fn comp_ca_ephemeral() -> Vec<u8> {
    comp(
        &DomainParameters::Ec(EcCurve::BrainpoolP256r1),
        &vector("v.ca_eph_pub"),
    )
    .unwrap()
}

#[test]
fn id_picc_and_comp() {
    // V1: a nine-character document number.
    let key = MrzKey::new("C01X00T47", "690806", "940623").unwrap();
    assert_eq!(id_picc_bac(&key), vector("v1.id_picc"));
    assert_eq!(id_picc_bac_without_fillers(&key), vector("v1.id_picc"));
    // V2 / V3: a short number, with and without its `<` filler.
    let key = MrzKey::new("L898902C", "690806", "940623").unwrap();
    assert_eq!(id_picc_bac(&key), vector("v2.id_picc"));
    assert_eq!(id_picc_bac_without_fillers(&key), vector("v3.id_picc"));
    // Comp() of the terminal's ephemeral CA key; V7 keeps the leading zero byte of x.
    assert_eq!(comp_ca_ephemeral(), vector("v.comp"));
    let v7 = comp(
        &DomainParameters::Ec(EcCurve::BrainpoolP256r1),
        &vector("v7.ca_eph_pub"),
    )
    .unwrap();
    assert_eq!(v7.len(), 32);
    assert_eq!(v7[0], 0x00);
    // V4: ID_PICC after PACE = Comp of the chip's ephemeral PACE key.
    assert_eq!(
        comp(
            &DomainParameters::Ec(EcCurve::BrainpoolP256r1),
            &vector("w1.pace_picc_pub")
        )
        .unwrap(),
        vector("v4.id_picc")
    );
    // DH: SHA-1 of the public value (W2).
    let raw: serde_json::Value = serde_json::from_slice(&data("vectors.json")).unwrap();
    let dh_pub = hex::decode(
        raw["bsi_worked_example_raw"]["tc_dh_picc_pub_key"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let group = icao9303::crypto::dh::DhGroup::standard(0).unwrap();
    assert_eq!(
        comp(&DomainParameters::Dh(group), &dh_pub).unwrap(),
        vector("w2.id_picc")
    );
    assert!(
        comp(
            &DomainParameters::Ec(EcCurve::BrainpoolP256r1),
            &vector("v.ca_eph_pub")[..64]
        )
        .is_err()
    );
}

#[test]
fn signed_data_and_rfc6979_signatures_reproduce_v1_to_v7() {
    let (key, public) = persosim_terminal();
    let r = vector("v.r_picc");
    let comp = comp_ca_ephemeral();
    for v in ["v1", "v2", "v3", "v4"] {
        let msg = signed_data(&vector(&format!("{v}.id_picc")), &r, &comp);
        assert_eq!(msg, vector(&format!("{v}.msg")), "{v}");
        let sig = key.sign(&msg, &mut NoRng).unwrap();
        assert_eq!(sig, vector(&format!("{v}.sig")), "{v}");
        terminal::verify_signature(&public, &vector(&format!("{v}.id_picc")), &r, &comp, &sig)
            .unwrap();
    }
    // V7: Comp with a leading zero.
    let comp7 = comp_ca_ephemeral_v7();
    let msg = signed_data(&vector("v1.id_picc"), &r, &comp7);
    assert_eq!(msg, vector("v7.msg"));
    assert_eq!(key.sign(&msg, &mut NoRng).unwrap(), vector("v7.sig"));
    // The wrong readings fail: V2's signature over V3's data, the full point instead of Comp, DER.
    assert!(
        terminal::verify_signature(&public, &vector("v3.id_picc"), &r, &comp, &vector("v2.sig"))
            .is_err()
    );
    assert!(
        terminal::verify_signature(
            &public,
            &vector("v1.id_picc"),
            &r,
            &vector("v.ca_eph_pub"),
            &vector("v1.sig")
        )
        .is_err()
    );
    assert!(
        terminal::verify_signature(
            &public,
            &vector("v1.id_picc"),
            &r,
            &comp,
            &vector("v1.sig_der")
        )
        .is_err()
    );
    // V5 / V6: the generated terminals.
    let cvca = cert("persosim-is/DEISCVCA00001.cvcert");
    for (v, name) in [("v5", "DETESTIS00002"), ("v6", "ZZTESTIS00001")] {
        let c = cert(&format!("generated/{name}.cvcert"));
        let key = CvPrivateKey::for_certificate(
            &data(&format!("generated/{name}.key.named.pkcs8")),
            &c,
            cvca.body.public_key.domain_parameters(),
        )
        .unwrap();
        assert_eq!(
            key.sign(&vector("v1.msg"), &mut NoRng).unwrap(),
            vector(&format!("{v}.sig")),
            "{v}"
        );
    }
}

fn comp_ca_ephemeral_v7() -> Vec<u8> {
    comp(
        &DomainParameters::Ec(EcCurve::BrainpoolP256r1),
        &vector("v7.ca_eph_pub"),
    )
    .unwrap()
}

#[test]
fn worked_example_signatures() {
    // W1: ECDSA-SHA-512 on brainpoolP512r1 (published signature, random nonce): verifies.
    let cvca = cert("bsi-worked-example/ecdh/DECVCAAT00001.cvcert");
    let dv = cert("bsi-worked-example/ecdh/DETESTDVDE019.cvcert");
    let at = cert("bsi-worked-example/ecdh/DETESTATDE019.cvcert");
    let at_key = at
        .holder_key(&dv.holder_key(&cvca.body.public_key).unwrap())
        .unwrap();
    assert_eq!(
        signed_data(
            &vector("w1.id_picc"),
            &vector("w1.nonce"),
            &vector("w1.comp")
        ),
        vector("w1.msg")
    );
    terminal::verify_signature(
        &at_key,
        &vector("w1.id_picc"),
        &vector("w1.nonce"),
        &vector("w1.comp"),
        &vector("w1.sig"),
    )
    .unwrap();
    // Our signature with the same key verifies too.
    let key = CvPrivateKey::for_certificate(
        &data("bsi-worked-example/ecdh/DETESTATDE019.key.pkcs8"),
        &at,
        cvca.body.public_key.domain_parameters(),
    )
    .unwrap();
    let ours = key.sign(&vector("w1.msg"), &mut NoRng).unwrap();
    assert_eq!(ours.len(), 128);
    at_key.verify(&vector("w1.msg"), &ours).unwrap();

    // W2: RSA v1.5 with SHA-1 is deterministic: the published signature is reproduced byte for byte.
    let cvca = cert("bsi-worked-example/dh/DETESTCVCA00003.cvcert");
    let dv = cert("bsi-worked-example/dh/DETESTDVDE019.cvcert");
    let at = cert("bsi-worked-example/dh/DETESTATDE019.cvcert");
    let key = CvPrivateKey::for_certificate(
        &data("bsi-worked-example/dh/DETESTATDE019.key.pkcs8"),
        &at,
        None,
    )
    .unwrap();
    assert_eq!(key.algorithm(), TaAlgorithm::RsaV15(HashAlgorithm::Sha1));
    assert_eq!(
        signed_data(
            &vector("w2.id_picc"),
            &vector("w2.nonce"),
            &vector("w2.comp")
        ),
        vector("w2.msg")
    );
    assert_eq!(
        key.sign(&vector("w2.msg"), &mut NoRng).unwrap(),
        vector("w2.sig")
    );
    let at_key = at
        .holder_key(&dv.holder_key(&cvca.body.public_key).unwrap())
        .unwrap();
    at_key.verify(&vector("w2.msg"), &vector("w2.sig")).unwrap();
}

#[test]
fn apdu_builders_match_section_3() {
    let dv = cert("persosim-is/DEDVIS00001.cvcert");
    let is = cert("persosim-is/DETESTIS00001.cvcert");
    let bytes = |c: CommandApdu| c.to_bytes().unwrap();
    assert_eq!(
        bytes(terminal::mse_set_dst(dv.car())),
        vector("apdu.mse_dst_dv")
    );
    assert_eq!(
        bytes(terminal::pso_verify_certificate(&dv)),
        vector("apdu.pso_dv")
    );
    assert_eq!(
        bytes(terminal::mse_set_dst(is.car())),
        vector("apdu.mse_dst_is")
    );
    assert_eq!(
        bytes(terminal::pso_verify_certificate(&is)),
        vector("apdu.pso_is")
    );
    assert_eq!(bytes(terminal::mse_set_at(is.chr())), vector("apdu.mse_at"));
    assert_eq!(
        bytes(terminal::get_challenge()),
        vector("apdu.get_challenge")
    );
    assert_eq!(
        bytes(terminal::external_authenticate(&vector("v1.sig"))),
        vector("apdu.ext_auth_v1")
    );
    // A link certificate with domain parameters needs extended length.
    let link = cert("generated/DEISCVCA00002-link.cvcert");
    assert!(terminal::pso_verify_certificate(&link).is_extended());
}

/// A chip that answers from a script and records the plain commands.
struct Scripted {
    answers: Vec<ResponseApdu>,
    sent: Vec<Vec<u8>>,
}

impl Channel for Scripted {
    fn exchange(
        &mut self,
        _step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, icao9303::Error> {
        self.sent.push(command.to_bytes()?);
        Ok(if self.answers.is_empty() {
            ResponseApdu::status(StatusWord::OK)
        } else {
            self.answers.remove(0)
        })
    }
}

#[test]
fn the_exchange_sends_exactly_the_v1_apdus() {
    let (key, _) = persosim_terminal();
    let chain = vec![
        cert("persosim-is/DEDVIS00001.cvcert"),
        cert("persosim-is/DETESTIS00001.cvcert"),
    ];
    let ok = || ResponseApdu::status(StatusWord::OK);
    let mut chip = Scripted {
        answers: vec![
            ok(),
            ok(),
            ok(),
            ok(),
            ok(),
            ResponseApdu::parse(&vector("apdu.get_challenge_resp")).unwrap(),
            ok(),
        ],
        sent: Vec::new(),
    };
    let outcome = terminal::authenticate(
        &mut chip,
        &chain,
        &key,
        &vector("v1.id_picc"),
        &comp_ca_ephemeral(),
        &mut NoRng,
    )
    .unwrap();
    let expected: Vec<Vec<u8>> = [
        "apdu.mse_dst_dv",
        "apdu.pso_dv",
        "apdu.mse_dst_is",
        "apdu.pso_is",
        "apdu.mse_at",
        "apdu.get_challenge",
        "apdu.ext_auth_v1",
    ]
    .iter()
    .map(|id| vector(id))
    .collect();
    assert_eq!(chip.sent, expected);
    assert_eq!(outcome.terminal.as_str(), "DETESTIS00001");
    assert_eq!(outcome.requested.unwrap().authorization, [0x03]);
}

#[test]
fn refusals_name_the_certificate_and_status_word() {
    let (key, _) = persosim_terminal();
    let chain = vec![
        cert("persosim-is/DEDVIS00001.cvcert"),
        cert("persosim-is/DETESTIS00001.cvcert"),
    ];
    let ok = || ResponseApdu::status(StatusWord::OK);
    let run = |answers: Vec<ResponseApdu>| {
        let mut chip = Scripted {
            answers,
            sent: Vec::new(),
        };
        terminal::authenticate(
            &mut chip,
            &chain,
            &key,
            &vector("v1.id_picc"),
            &comp_ca_ephemeral(),
            &mut NoRng,
        )
    };
    // The terminal certificate refused at PSO:Verify Certificate.
    let err = run(vec![
        ok(),
        ok(),
        ok(),
        ResponseApdu::status(StatusWord::WRONG_DATA),
    ])
    .unwrap_err();
    assert!(matches!(
        &err,
        TaError::Refused { step, object, sw }
            if *step == terminal::STEP_VERIFY_CERTIFICATE && object == "DETESTIS00001" && *sw == StatusWord::WRONG_DATA
    ));
    assert!(err.to_string().contains("DETESTIS00001"), "{err}");
    // An unknown CAR at MSE:Set DST.
    let err = run(vec![ResponseApdu::status(StatusWord::DATA_NOT_FOUND)]).unwrap_err();
    assert!(matches!(&err, TaError::Refused { object, .. } if object == "DEISCVCA00001"));
    // The signature refused.
    let challenge = ResponseApdu::parse(&vector("apdu.get_challenge_resp")).unwrap();
    let err = run(vec![
        ok(),
        ok(),
        ok(),
        ok(),
        ok(),
        challenge,
        ResponseApdu::status(StatusWord::AUTH_FAILED),
    ])
    .unwrap_err();
    assert!(
        matches!(&err, TaError::Refused { step, .. } if *step == terminal::STEP_EXTERNAL_AUTHENTICATE)
    );
    // A short challenge.
    let err = run(vec![
        ok(),
        ok(),
        ok(),
        ok(),
        ok(),
        ResponseApdu::new(vec![1, 2, 3], StatusWord::OK),
    ])
    .unwrap_err();
    assert!(matches!(err, TaError::Protocol { .. }));
    // Chains that cannot be sent.
    let mut chip = Scripted {
        answers: Vec::new(),
        sent: Vec::new(),
    };
    let reversed = vec![chain[1].clone(), chain[0].clone()];
    assert!(matches!(
        terminal::authenticate(&mut chip, &reversed, &key, b"x", b"y", &mut NoRng),
        Err(TaError::Chain(_))
    ));
    assert!(matches!(
        terminal::authenticate(&mut chip, &[], &key, b"x", b"y", &mut NoRng),
        Err(TaError::Chain(_))
    ));
    assert!(chip.sent.is_empty());
}
