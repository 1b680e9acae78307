//! Hostile PACE domain parameters in EF.CardAccess (issue 12, item 4): the reader refuses before it sends
//! any mapping data, so no password-dependent value ever travels in a group of the chip's choosing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::Error;
use icao9303::access::Password;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::crypto::dh::{DhError, DhGroup};
use icao9303::crypto::domain::DomainParameterError;
use icao9303::lds::LdsFile;
use icao9303::lds::security_infos::{KeyAgreement, Mapping, PaceInfo, SecurityInfos};
use icao9303::reader::Reader;
use icao9303::transport::{Capabilities, Transport, TransportError};
use icao9303_emu::chip::Chip;
use icao9303_emu::profile::{Profile, WEAK_DH_G, WEAK_DH_P, WEAK_DH_Q, dh_domain_parameter_info};
use icao9303_emu::rng::SeededRng;
use icao9303_emu::transport::EmulatorTransport;
use std::sync::{Arc, Mutex};

/// Passes commands to the emulator and keeps a copy of each.
struct Recording {
    inner: EmulatorTransport,
    sent: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Transport for Recording {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.lock().unwrap().push(command.to_vec());
        self.inner.transmit(command)
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        self.inner.reconnect()
    }
}

/// Runs access control against `chip` with the profile's MRZ; returns the result and the commands sent
/// (the chip answers in plain before PACE, so the INS byte of every command is readable).
fn authenticate(profile: &Profile, chip: Chip) -> (Result<(), Error>, Vec<Vec<u8>>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let mut reader = Reader::new(Recording {
        inner: EmulatorTransport::new(chip),
        sent: sent.clone(),
    });
    let result = reader
        .authenticate(
            &Password::Mrz(profile.mrz_key().unwrap()),
            &mut SeededRng::new(b"t"),
        )
        .map(|_| ());
    let sent = sent.lock().unwrap().clone();
    (result, sent)
}

fn ins(sent: &[Vec<u8>], ins: u8) -> usize {
    sent.iter().filter(|c| c.get(1) == Some(&ins)).count()
}

/// No mapping data left the reader: no GENERAL AUTHENTICATE at all (nor MSE:Set AT), and EF.CardAccess
/// was read (so the refusal came from its content).
fn assert_refused_before_mapping(sent: &[Vec<u8>]) {
    assert_eq!(ins(sent, 0x86), 0, "GENERAL AUTHENTICATE sent: {sent:02X?}");
    assert_eq!(ins(sent, 0x22), 0, "MSE:Set AT sent: {sent:02X?}");
    assert!(ins(sent, 0xB0) > 0, "EF.CardAccess was not read");
}

#[test]
fn explicit_weak_group_overriding_id_0_is_refused_before_any_mapping_data() {
    let profile = Profile::by_name("pace-dh-weak-group").unwrap();
    let card = profile.personalize().unwrap();
    // The file really carries the weak group under id 0 next to the PACEInfo of id 0.
    let card_access = card.chip.files().get(LdsFile::CardAccess).unwrap().to_vec();
    let infos = SecurityInfos::parse(&card_access).unwrap();
    let info = infos.pace_infos().next().unwrap();
    assert_eq!(
        (info.parameter_id, info.key_agreement),
        (Some(0), KeyAgreement::Dh)
    );
    let (result, sent) = authenticate(&profile, card.chip);
    let err = result.unwrap_err();
    match &err {
        Error::DomainParameters {
            source: DomainParameterError::OverridesStandardizedId { id: 0, why },
            ..
        } => assert!(why.contains("RFC 5114"), "{why}"),
        other => panic!("expected a domain parameter error, got {other}"),
    }
    assert!(!err.is_access_denied());
    assert_refused_before_mapping(&sent);
}

/// The profile's chip with EF.CardAccess replaced by `entries`.
fn chip_with_card_access(profile: &Profile, entries: &[Vec<u8>]) -> Chip {
    let mut chip = profile.personalize().unwrap().chip;
    *chip.files_mut().get_mut(LdsFile::CardAccess).unwrap() = SecurityInfos::encode(entries);
    chip
}

fn dh_gm(parameter_id: u32) -> Vec<u8> {
    PaceInfo::new(
        Mapping::Generic,
        KeyAgreement::Dh,
        CipherAlgorithm::Aes128,
        Some(parameter_id),
    )
    .unwrap()
    .to_der()
}

#[test]
fn explicit_weak_group_under_a_proprietary_id_is_refused_before_any_mapping_data() {
    let profile = Profile::pace_dh_weak_group();
    let chip = chip_with_card_access(
        &profile,
        &[
            dh_gm(32),
            dh_domain_parameter_info(&WEAK_DH_P, &WEAK_DH_G, &WEAK_DH_Q, 32),
        ],
    );
    let (result, sent) = authenticate(&profile, chip);
    match result.unwrap_err() {
        Error::DomainParameters {
            source:
                DomainParameterError::Group(DhError::NotStandardGroup {
                    p_bits: 1024,
                    q_bits: 16,
                }),
            ..
        } => {}
        other => panic!("expected a refused group, got {other}"),
    }
    assert_refused_before_mapping(&sent);
}

#[test]
fn explicit_parameters_equal_to_an_rfc_5114_group_are_used() {
    // The same chip, but EF.CardAccess gives id 0 the parameters of RFC 5114's 1024-bit group, which are
    // exactly the standardized ones: PACE runs (the chip computes in group 0).
    let profile = Profile::pace_dh_weak_group();
    let g = DhGroup::standard(0).unwrap();
    let chip = chip_with_card_access(
        &profile,
        &[dh_gm(0), dh_domain_parameter_info(g.p(), g.g(), g.q(), 0)],
    );
    let (result, sent) = authenticate(&profile, chip);
    result.unwrap();
    assert_eq!(ins(&sent, 0x86), 4, "the four GENERAL AUTHENTICATE steps");
}
