//! Terminal Authentication against the emulated chip: the current-date and trust-point scenario of
//! test-vectors/EAC-TA-VECTORS.md §6.3 replayed on the chip model, and complete BAC or PACE → Chip
//! Authentication → Terminal Authentication sessions with a minted test PKI, each refusal named.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::access::{Password, bac, pace};
use icao9303::apdu::{CommandApdu, ResponseApdu, StatusWord};
use icao9303::auth::chip;
use icao9303::auth::terminal::{self, TaError, TerminalSigner, comp, id_picc_bac};
use icao9303::channel::Channel;
use icao9303::lds::LdsFile;
use icao9303::lds::security_infos::{SecurityInfo, SecurityInfos};
use icao9303::pki::cvc::chain::select_chain;
use icao9303::pki::cvc::private_key::CvPrivateKey;
use icao9303::pki::cvc::{
    AccessRights, CertificateReference, CvCertificate, CvDate, Role, encode_ef_cvca, parse_ef_cvca,
};
use icao9303::reader::EMRTD_AID;
use icao9303::sm::SecureMessaging;
use icao9303::tlv;
use icao9303::transport::Transport;
use icao9303_emu::chip::Chip;
use icao9303_emu::eac_pki::{EacPkiOptions, EacTestPki, Holder};
use icao9303_emu::profile::Profile;
use icao9303_emu::rng::SeededRng;
use icao9303_emu::ta::{ImportOutcome, TaChip};
use icao9303_emu::transport::EmulatorTransport;

fn data(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../test-vectors/data/cvc/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn cert(path: &str) -> CvCertificate {
    CvCertificate::parse(&data(path)).unwrap()
}

fn date(s: &str) -> CvDate {
    s.parse().unwrap()
}

fn key_ref(chr: &CertificateReference) -> Vec<u8> {
    tlv::encode(0x83, &chr.to_bytes())
}

/// The eleven steps of §6.3: each certificate through MSE:Set DST + PSO:Verify Certificate on the chip
/// model, with the expected result, current date, EF.CVCA and (after terminal certificates) the
/// effective authorization, from vectors.json.
#[test]
fn date_and_trust_point_scenario() {
    let vectors: serde_json::Value = serde_json::from_slice(&data("vectors.json")).unwrap();
    let steps = vectors["chip_date_and_trust_point_scenario"]
        .as_array()
        .unwrap();
    assert_eq!(steps.len(), 11);
    let file = |chr: &str| match chr {
        "DEDVIS00001" | "DETESTIS00001" => format!("persosim-is/{chr}.cvcert"),
        "DEISCVCA00002" => "generated/DEISCVCA00002-link.cvcert".to_owned(),
        other => format!("generated/{other}.cvcert"),
    };
    let mut chip = TaChip::new(
        &[cert("persosim-is/DEISCVCA00001.cvcert")],
        date("2016-11-01"),
    )
    .unwrap();
    assert_eq!(
        chip.ef_cvca(),
        encode_ef_cvca(&[CertificateReference::new("DEISCVCA00001").unwrap()])
    );
    let mut session = String::new();
    let mut rng = SeededRng::new(b"scenario");
    for step in steps {
        let chr = step["certificate"].as_str().unwrap();
        if step["session"].as_str().unwrap() != session {
            session = step["session"].as_str().unwrap().to_owned();
            chip.new_session();
        }
        let c = cert(&file(chr));
        assert_eq!(chip.mse_set_dst(&key_ref(c.car())), StatusWord::OK, "{chr}");
        let sw = chip.pso_verify_certificate(c.pso_data());
        let result = step["result"].as_str().unwrap();
        let outcome = chip.last_import().unwrap().clone();
        if result.starts_with("OK") {
            assert_eq!(sw, StatusWord::OK, "{chr}: {outcome:?}");
            let accurate = !result.contains("not accurate");
            assert!(
                matches!(&outcome, ImportOutcome::Accepted { accurate: a, .. } if *a == accurate),
                "{chr}: {outcome:?}"
            );
        } else {
            assert_eq!(sw, StatusWord::WRONG_DATA, "{chr}");
            let ImportOutcome::Rejected { reason, .. } = &outcome else {
                panic!("{chr}: {outcome:?}")
            };
            let expected = if result.contains("expired (") {
                "expired"
            } else {
                "disabled"
            };
            assert!(reason.contains(expected), "{chr}: {reason}");
        }
        assert_eq!(
            chip.current_date().to_string(),
            step["current_date"].as_str().unwrap(),
            "{chr}"
        );
        assert_eq!(
            chip.ef_cvca(),
            data_hex(step["ef_cvca"].as_str().unwrap()),
            "{chr}"
        );
        let disabled: Vec<String> = chip
            .trust_points()
            .iter()
            .filter(|t| !t.enabled)
            .map(|t| t.chr.to_string())
            .collect();
        assert_eq!(
            step["trust_points"]
                .as_str()
                .unwrap()
                .contains("(disabled)"),
            !disabled.is_empty(),
            "{chr}"
        );
        // After a terminal certificate, Terminal Authentication gives the step's effective authorization.
        if let Some(auth) = step["effective_authorization"].as_str() {
            let key_file = match chr {
                "DETESTIS00001" => "persosim-is/derived/DETESTIS00001.key.named.pkcs8".to_owned(),
                other => format!("generated/{other}.key.named.pkcs8"),
            };
            let key = CvPrivateKey::from_pkcs8_der(&data(&key_file), c.body.public_key.algorithm)
                .unwrap();
            assert_eq!(chip.mse_set_at(&key_ref(c.chr())), StatusWord::OK);
            let r = chip.get_challenge(&mut rng);
            let (id, cmp) = (b"C01X00T478".as_slice(), [0x5Au8; 32]);
            let sig = key
                .sign(&terminal::signed_data(id, &r, &cmp), &mut rng)
                .unwrap();
            assert_eq!(chip.external_authenticate(&sig, id, &cmp), StatusWord::OK);
            let rights = chip.rights().unwrap();
            assert_eq!(rights.bits(), data_hex(auth)[0] & 0x03, "{chr}");
        }
    }
}

fn data_hex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// The terminal side of a session with the emulator: the transport plus secure messaging.
struct Link {
    transport: EmulatorTransport,
    sm: Option<SecureMessaging>,
}

impl Channel for Link {
    fn exchange(
        &mut self,
        step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, icao9303::Error> {
        let wire = match self.sm.as_mut() {
            Some(sm) => sm
                .protect_command(command)
                .map_err(|source| icao9303::Error::SecureMessaging { step, source })?,
            None => command.clone(),
        };
        let raw = self.transport.transmit(&wire.to_bytes()?).unwrap();
        let resp = ResponseApdu::parse(&raw)?;
        match self.sm.as_mut() {
            Some(sm) => sm
                .unprotect_response(&resp)
                .map_err(|source| icao9303::Error::SecureMessaging { step, source }),
            None => Ok(resp),
        }
    }
}

impl Link {
    /// Selects `file` and reads its first bytes: the status word says whether reading is allowed.
    fn read_status(&mut self, file: LdsFile) -> StatusWord {
        let select =
            CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(file.fid().to_be_bytes().to_vec());
        let sw = self.exchange("select", &select).unwrap().sw;
        if sw != StatusWord::OK {
            return sw;
        }
        self.exchange("read", &CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(4))
            .unwrap()
            .sw
    }

    fn read(&mut self, file: LdsFile) -> Vec<u8> {
        let select =
            CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(file.fid().to_be_bytes().to_vec());
        assert_eq!(self.exchange("select", &select).unwrap().sw, StatusWord::OK);
        let resp = self
            .exchange(
                "read",
                &CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(256),
            )
            .unwrap();
        resp.data
    }
}

/// The BRP profile with placeholder DG3 and DG4 and a chip trusting `trust_points` at `today`.
fn chip_trusting(trust_points: &[CvCertificate], today: CvDate) -> (Chip, Profile) {
    let profile = Profile::brp();
    let mut chip = profile.personalize().unwrap().chip;
    chip.files_mut()
        .insert(LdsFile::Dg(3), tlv::encode(0x63, b"fingerprints"));
    chip.files_mut()
        .insert(LdsFile::Dg(4), tlv::encode(0x76, b"irises"));
    let chip = chip.with_terminal_authentication(TaChip::new(trust_points, today).unwrap());
    (chip, profile)
}

/// BAC (or PACE with the MRZ) and Chip Authentication: the link under the CA session, ID_PICC and
/// Comp(P̃K_PCD).
fn open_session(chip: Chip, profile: &Profile, use_pace: bool) -> (Link, Vec<u8>, Vec<u8>) {
    let dg14 = chip.files().get(LdsFile::Dg(14)).unwrap().to_vec();
    let card_access = chip.files().get(LdsFile::CardAccess).map(<[u8]>::to_vec);
    let mut link = Link {
        transport: EmulatorTransport::new(chip),
        sm: None,
    };
    let mut rng = SeededRng::new(b"terminal");
    let key = profile.mrz_key().unwrap();
    let id_picc = if use_pace {
        let infos = SecurityInfos::parse(&card_access.unwrap()).unwrap();
        let info = infos
            .infos
            .iter()
            .find_map(|i| match i {
                SecurityInfo::Pace(p) => Some(p.clone()),
                _ => None,
            })
            .unwrap();
        let outcome =
            pace::authenticate(&mut link, &Password::Mrz(key), &info, None, false, &mut rng)
                .unwrap();
        link.sm = Some(outcome.sm);
        let domain =
            icao9303::crypto::domain::DomainParameters::standard(info.parameter_id.unwrap())
                .unwrap();
        let select = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
        assert_eq!(link.exchange("select", &select).unwrap().sw, StatusWord::OK);
        comp(&domain, &outcome.pk_ic).unwrap()
    } else {
        let select = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
        assert_eq!(link.exchange("select", &select).unwrap().sw, StatusWord::OK);
        link.sm = Some(bac::authenticate(&mut link, &key, &mut rng).unwrap());
        id_picc_bac(&key)
    };
    let infos = SecurityInfos::parse(tlv::parse_exact(&dg14, 0x6E).unwrap().value).unwrap();
    let plan = chip::plan(&infos).unwrap().unwrap();
    let (sm, pk_ifd) =
        chip::authenticate_keeping_ephemeral_key(&mut link, &plan, &mut rng).unwrap();
    link.sm = Some(sm);
    let comp_pk_pcd = comp(&plan.key.domain, &pk_ifd).unwrap();
    (link, id_picc, comp_pk_pcd)
}

fn pki() -> EacTestPki {
    EacTestPki::generate(
        &EacPkiOptions::default(),
        &mut SeededRng::new(b"ta test pki"),
    )
    .unwrap()
}

fn run_ta(
    link: &mut Link,
    chain: &[CvCertificate],
    signer: &dyn TerminalSigner,
    id_picc: &[u8],
    comp_pk_pcd: &[u8],
) -> Result<terminal::TaOutcome, TaError> {
    terminal::authenticate(
        link,
        chain,
        signer,
        id_picc,
        comp_pk_pcd,
        &mut SeededRng::new(b"ta signer"),
    )
}

#[test]
fn bac_ca_ta_reads_dg3_and_dg4() {
    let pki = pki();
    let (chip, profile) = chip_trusting(
        std::slice::from_ref(&pki.cvca.certificate),
        date("2025-06-01"),
    );
    let (mut link, id_picc, comp_pk_pcd) = open_session(chip, &profile, false);
    // Before TA: DG1 yes, DG3 and DG4 no.
    assert_eq!(link.read_status(LdsFile::Dg(1)), StatusWord::OK);
    assert_eq!(
        link.read_status(LdsFile::Dg(3)),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    assert_eq!(
        link.read_status(LdsFile::Dg(4)),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    // EF.CVCA names the trust point; the chain is chosen from it.
    let cvca_refs = parse_ef_cvca(&link.read(LdsFile::Cvca)).unwrap();
    assert_eq!(cvca_refs, vec![pki.cvca.certificate.chr().clone()]);
    let all = [
        pki.cvca.certificate.clone(),
        pki.dv.certificate.clone(),
        pki.terminal.certificate.clone(),
    ];
    let chain: Vec<CvCertificate> = select_chain(&cvca_refs, &all, None)
        .unwrap()
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(chain, pki.terminal_chain());
    let outcome = run_ta(&mut link, &chain, &pki.terminal.key, &id_picc, &comp_pk_pcd).unwrap();
    assert_eq!(outcome.requested_rights(), AccessRights::ALL);
    assert_eq!(
        link.read(LdsFile::Dg(3)),
        tlv::encode(0x63, b"fingerprints")
    );
    assert_eq!(link.read(LdsFile::Dg(4)), tlv::encode(0x76, b"irises"));
    let ta = link.transport.chip().terminal_authentication().unwrap();
    assert_eq!(ta.rights(), Some(AccessRights::ALL));
    // Only one TA per session.
    let again = run_ta(&mut link, &chain, &pki.terminal.key, &id_picc, &comp_pk_pcd).unwrap_err();
    assert!(
        matches!(again, TaError::Refused { sw, .. } if sw == StatusWord::CONDITIONS_NOT_SATISFIED || sw == StatusWord::SECURITY_STATUS_NOT_SATISFIED),
        "{again}"
    );
}

#[test]
fn pace_ca_ta_uses_the_pace_key_as_id_picc() {
    let pki = pki();
    let (chip, profile) = chip_trusting(
        std::slice::from_ref(&pki.cvca.certificate),
        date("2025-06-01"),
    );
    let (mut link, _, comp_pk_pcd) = open_session(chip, &profile, true);
    // The document number is not ID_PICC after PACE.
    let bac_id = id_picc_bac(&profile.mrz_key().unwrap());
    let err = run_ta(
        &mut link,
        &pki.terminal_chain(),
        &pki.terminal.key,
        &bac_id,
        &comp_pk_pcd,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            TaError::Refused {
                sw: StatusWord::AUTH_FAILED,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        link.read_status(LdsFile::Dg(3)),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    // A new session with Comp(PK_IC) works.
    let (chip, profile) = chip_trusting(
        std::slice::from_ref(&pki.cvca.certificate),
        date("2025-06-01"),
    );
    let (mut link, id_picc, comp_pk_pcd) = open_session(chip, &profile, true);
    assert_eq!(id_picc, link_id_after_pace(&link));
    assert_eq!(id_picc.len(), 32);
    assert_ne!(id_picc, bac_id);
    run_ta(
        &mut link,
        &pki.terminal_chain(),
        &pki.terminal.key,
        &id_picc,
        &comp_pk_pcd,
    )
    .unwrap();
    assert_eq!(link.read_status(LdsFile::Dg(3)), StatusWord::OK);
}

fn link_id_after_pace(link: &Link) -> Vec<u8> {
    link.transport
        .chip()
        .pace()
        .and_then(|p| p.id_picc())
        .unwrap()
        .to_vec()
}

#[test]
fn terminal_without_the_dg3_right_reads_dg4_only() {
    let pki = pki();
    let dg4_only = pki
        .issue_terminal(
            CertificateReference::new("UTTESTIS00002").unwrap(),
            AccessRights {
                read_dg3: false,
                read_dg4: true,
            },
            date("2025-01-01"),
            365,
            &mut SeededRng::new(b"dg4 only"),
        )
        .unwrap();
    let (chip, profile) = chip_trusting(
        std::slice::from_ref(&pki.cvca.certificate),
        date("2025-06-01"),
    );
    let (mut link, id_picc, comp_pk_pcd) = open_session(chip, &profile, false);
    let chain = vec![pki.dv.certificate.clone(), dg4_only.certificate.clone()];
    run_ta(&mut link, &chain, &dg4_only.key, &id_picc, &comp_pk_pcd).unwrap();
    assert_eq!(
        link.read_status(LdsFile::Dg(3)),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    assert_eq!(link.read_status(LdsFile::Dg(4)), StatusWord::OK);
}

#[test]
fn an_expired_chain_is_refused_at_the_certificate() {
    let pki = pki();
    let short = pki
        .issue_terminal(
            CertificateReference::new("UTTESTIS00003").unwrap(),
            AccessRights::ALL,
            date("2025-01-01"),
            30,
            &mut SeededRng::new(b"short"),
        )
        .unwrap();
    // The chip's date is past the terminal certificate's expiry (2025-01-31).
    let (chip, profile) = chip_trusting(
        std::slice::from_ref(&pki.cvca.certificate),
        date("2025-03-01"),
    );
    let (mut link, id_picc, comp_pk_pcd) = open_session(chip, &profile, false);
    let chain = vec![pki.dv.certificate.clone(), short.certificate.clone()];
    let err = run_ta(&mut link, &chain, &short.key, &id_picc, &comp_pk_pcd).unwrap_err();
    assert!(
        matches!(&err, TaError::Refused { step, object, sw }
            if *step == terminal::STEP_VERIFY_CERTIFICATE && object == "UTTESTIS00003" && *sw == StatusWord::WRONG_DATA),
        "{err}"
    );
    let ta = link.transport.chip().terminal_authentication().unwrap();
    assert!(
        matches!(ta.last_import(), Some(ImportOutcome::Rejected { reason, .. }) if reason.contains("expired"))
    );
    assert_eq!(
        link.read_status(LdsFile::Dg(3)),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    // The session survives the failed TA.
    assert_eq!(link.read_status(LdsFile::Dg(1)), StatusWord::OK);
}

#[test]
fn a_chain_from_another_cvca_is_refused() {
    let pki = pki();
    let other = EacTestPki::generate(
        &EacPkiOptions {
            country: "ZZ".into(),
            ..EacPkiOptions::default()
        },
        &mut SeededRng::new(b"other state"),
    )
    .unwrap();
    let (chip, profile) = chip_trusting(
        std::slice::from_ref(&pki.cvca.certificate),
        date("2025-06-01"),
    );
    let (mut link, id_picc, comp_pk_pcd) = open_session(chip, &profile, false);
    // The terminal finds no path from its certificates to the chip's trust point ...
    let refs = parse_ef_cvca(&link.read(LdsFile::Cvca)).unwrap();
    let mine = [
        other.dv.certificate.clone(),
        other.terminal.certificate.clone(),
    ];
    assert!(select_chain(&refs, &mine, None).is_err());
    // ... and a terminal that sends it anyway is refused at MSE:Set DST (unknown CAR).
    let err = run_ta(
        &mut link,
        &other.terminal_chain(),
        &other.terminal.key,
        &id_picc,
        &comp_pk_pcd,
    )
    .unwrap_err();
    assert!(
        matches!(&err, TaError::Refused { step, object, sw }
            if *step == terminal::STEP_SET_DST && object == "ZZCVCA00001" && *sw == StatusWord::DATA_NOT_FOUND),
        "{err}"
    );
    // A DV certificate forged under the trusted CVCA's name (signed with another key) fails at PSO.
    let forged =
        EacTestPki::generate(&EacPkiOptions::default(), &mut SeededRng::new(b"forger")).unwrap();
    let (chip, profile) = chip_trusting(
        std::slice::from_ref(&pki.cvca.certificate),
        date("2025-06-01"),
    );
    let (mut link, id_picc, comp_pk_pcd) = open_session(chip, &profile, false);
    let err = run_ta(
        &mut link,
        &forged.terminal_chain(),
        &forged.terminal.key,
        &id_picc,
        &comp_pk_pcd,
    )
    .unwrap_err();
    assert!(
        matches!(&err, TaError::Refused { step, object, .. }
            if *step == terminal::STEP_VERIFY_CERTIFICATE && object == "UTDVIS00001"),
        "{err}"
    );
}

#[test]
fn a_wrong_signature_is_refused_with_6300() {
    let pki = pki();
    let (chip, profile) = chip_trusting(
        std::slice::from_ref(&pki.cvca.certificate),
        date("2025-06-01"),
    );
    let (mut link, id_picc, comp_pk_pcd) = open_session(chip, &profile, false);
    // The DV's key signs in place of the terminal's.
    let impostor = Holder {
        certificate: pki.terminal.certificate.clone(),
        key: pki.dv.key.clone(),
    };
    let err = run_ta(
        &mut link,
        &pki.terminal_chain(),
        &impostor.key,
        &id_picc,
        &comp_pk_pcd,
    )
    .unwrap_err();
    assert!(
        matches!(&err, TaError::Refused { step, sw, .. }
            if *step == terminal::STEP_EXTERNAL_AUTHENTICATE && *sw == StatusWord::AUTH_FAILED),
        "{err}"
    );
    assert!(err.to_string().contains("UTTESTIS00001"), "{err}");
    assert_eq!(
        link.read_status(LdsFile::Dg(3)),
        StatusWord::SECURITY_STATUS_NOT_SATISFIED
    );
    // The wrong Comp() (the full point instead of x) fails the same way in a new session.
    let (chip, profile) = chip_trusting(
        std::slice::from_ref(&pki.cvca.certificate),
        date("2025-06-01"),
    );
    let (mut link, id_picc, mut comp_pk_pcd) = open_session(chip, &profile, false);
    comp_pk_pcd[0] ^= 1;
    assert!(
        run_ta(
            &mut link,
            &pki.terminal_chain(),
            &pki.terminal.key,
            &id_picc,
            &comp_pk_pcd
        )
        .is_err()
    );
}

#[test]
fn ta_needs_chip_authentication_first() {
    let pki = pki();
    let (chip, profile) = chip_trusting(
        std::slice::from_ref(&pki.cvca.certificate),
        date("2025-06-01"),
    );
    let mut link = Link {
        transport: EmulatorTransport::new(chip),
        sm: None,
    };
    let select = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
    link.exchange("select", &select).unwrap();
    let key = profile.mrz_key().unwrap();
    link.sm = Some(bac::authenticate(&mut link, &key, &mut SeededRng::new(b"t")).unwrap());
    let err = run_ta(
        &mut link,
        &pki.terminal_chain(),
        &pki.terminal.key,
        &id_picc_bac(&key),
        &[0; 32],
    )
    .unwrap_err();
    assert!(
        matches!(&err, TaError::Refused { sw, .. } if *sw == StatusWord::CONDITIONS_NOT_SATISFIED),
        "{err}"
    );
}

#[test]
fn a_link_certificate_rolls_the_trust_point_over() {
    let vectors_chip = TaChip::new(
        &[cert("persosim-is/DEISCVCA00001.cvcert")],
        date("2017-05-01"),
    )
    .unwrap();
    let (chip, profile) = {
        let profile = Profile::brp();
        let mut chip = profile.personalize().unwrap().chip;
        chip.files_mut()
            .insert(LdsFile::Dg(3), tlv::encode(0x63, b"fingerprints"));
        (chip.with_terminal_authentication(vectors_chip), profile)
    };
    let (mut link, id_picc, comp_pk_pcd) = open_session(chip, &profile, false);
    let certificates = vec![
        cert("persosim-is/DEISCVCA00001.cvcert"),
        cert("generated/DEISCVCA00002-link.cvcert"),
        cert("generated/DEDVIS00002.cvcert"),
        cert("generated/DETESTIS00002.cvcert"),
    ];
    let refs = parse_ef_cvca(&link.read(LdsFile::Cvca)).unwrap();
    let chain: Vec<CvCertificate> = select_chain(&refs, &certificates, None)
        .unwrap()
        .into_iter()
        .cloned()
        .collect();
    assert_eq!(chain.len(), 3);
    let key = CvPrivateKey::from_pkcs8_der(
        &data("generated/DETESTIS00002.key.named.pkcs8"),
        chain[2].body.public_key.algorithm,
    )
    .unwrap();
    // The link certificate needs extended length once protected: the emulator's BRP accepts it.
    run_ta(&mut link, &chain, &key, &id_picc, &comp_pk_pcd).unwrap();
    assert_eq!(link.read_status(LdsFile::Dg(3)), StatusWord::OK);
    let ta = link.transport.chip().terminal_authentication().unwrap();
    assert_eq!(ta.current_date(), date("2017-05-03"));
    assert_eq!(
        ta.ef_cvca(),
        encode_ef_cvca(&[
            CertificateReference::new("DEISCVCA00002").unwrap(),
            CertificateReference::new("DEISCVCA00001").unwrap()
        ])
    );
    assert_eq!(ta.trust_points()[0].chat.role(), Role::Cvca);
}

#[test]
fn a_link_certificate_without_domain_parameters_inherits_them() {
    use icao9303::pki::cvc::Chat;
    use icao9303::pki::cvc::issue::{CertificateFields, issue_certificate};
    let pki = pki();
    let mut rng = SeededRng::new(b"link without parameters");
    let new_cvca_key = CvPrivateKey::generate_ec(
        pki.cvca.key.curve().unwrap(),
        pki.cvca.key.algorithm(),
        &mut rng,
    )
    .unwrap();
    let new_chr = CertificateReference::new("UTCVCA00002").unwrap();
    let fields = |chr: &str, key: &CvPrivateKey, role: Role, params: bool| CertificateFields {
        holder_reference: CertificateReference::new(chr).unwrap(),
        public_key: key.public_key(params).unwrap(),
        chat: Chat::inspection_system(role, AccessRights::ALL),
        effective_date: date("2026-01-01"),
        expiration_date: date("2030-01-01"),
        extensions: None,
    };
    let link = issue_certificate(
        pki.cvca.certificate.chr(),
        fields("UTCVCA00002", &new_cvca_key, Role::Cvca, false),
        &pki.cvca.key,
        &mut rng,
    )
    .unwrap();
    assert!(link.body.public_key.domain_parameters().is_none());
    let dv_key = CvPrivateKey::generate_ec(
        pki.cvca.key.curve().unwrap(),
        pki.cvca.key.algorithm(),
        &mut rng,
    )
    .unwrap();
    let dv = issue_certificate(
        &new_chr,
        fields("UTDVIS00002", &dv_key, Role::DvDomestic, false),
        &new_cvca_key,
        &mut rng,
    )
    .unwrap();
    let is_key = CvPrivateKey::generate_ec(
        pki.cvca.key.curve().unwrap(),
        pki.cvca.key.algorithm(),
        &mut rng,
    )
    .unwrap();
    let is = issue_certificate(
        dv.chr(),
        fields("UTTESTIS00009", &is_key, Role::Terminal, false),
        &dv_key,
        &mut rng,
    )
    .unwrap();
    let mut chip = TaChip::new(
        std::slice::from_ref(&pki.cvca.certificate),
        date("2025-06-01"),
    )
    .unwrap();
    for c in [&link, &dv, &is] {
        assert_eq!(
            chip.mse_set_dst(&key_ref(c.car())),
            StatusWord::OK,
            "{}",
            c.chr()
        );
        assert_eq!(
            chip.pso_verify_certificate(c.pso_data()),
            StatusWord::OK,
            "{}: {:?}",
            c.chr(),
            chip.last_import()
        );
    }
    assert_eq!(chip.trust_points()[0].chr, new_chr);
    assert!(chip.trust_points()[0].key.domain_parameters().is_some());
    assert_eq!(chip.mse_set_at(&key_ref(is.chr())), StatusWord::OK);
    // EXTERNAL AUTHENTICATE before GET CHALLENGE is out of order, and does not use up the attempt.
    assert_eq!(
        chip.external_authenticate(&[0; 64], b"id", &[0; 32]),
        StatusWord::CONDITIONS_NOT_SATISFIED
    );
    let r = chip.get_challenge(&mut rng);
    let sig = is_key
        .sign(&terminal::signed_data(b"id", &r, &[7; 32]), &mut rng)
        .unwrap();
    assert_eq!(
        chip.external_authenticate(&sig, b"id", &[7; 32]),
        StatusWord::OK
    );
    assert_eq!(chip.rights(), Some(AccessRights::ALL));
}
