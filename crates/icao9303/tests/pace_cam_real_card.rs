//! PACE-CAM with a real German ID card (test-vectors/data/pace-cam-de/, from gmrtd): the recorded session
//! is replayed through the library's trace replay, which checks every command byte for byte and answers
//! with the card's recorded response, and whose RNG yields the terminal's two recorded private keys.
//! PACE-CAM runs as the terminal would, EF.CardSecurity is read under the session's secure messaging
//! (every response MAC verified), and CA_IC · PK_IC = PK_map,IC holds with the EF.CardSecurity key whose
//! keyId is the PACE parameter id (13), not the key the ChipAuthenticationInfo names (72).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::Error;
use icao9303::access::Password;
use icao9303::access::pace::{self, primitives};
use icao9303::apdu::{CommandApdu, ResponseApdu, StatusWord};
use icao9303::auth::chip::ChipKey;
use icao9303::channel::Channel;
use icao9303::crypto::ec::EcCurve;
use icao9303::lds::security_infos::{SecurityInfo, SecurityInfos};
use icao9303::mrz::MrzKey;
use icao9303::pki::cms::SignedData;
use icao9303::pki::passive::verify_signed_data;
use icao9303::pki::{Time, TrustStore};
use icao9303::report::CheckStatus;
use icao9303::sm::SecureMessaging;
use icao9303::trace::{Event, Replay, ReplayTransport, TraceLine};
use icao9303::transport::Transport;
use serde_json::Value;

fn data(rel: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../test-vectors/data/pace-cam-de/{rel}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn json(rel: &str) -> Value {
    serde_json::from_slice(&data(rel)).unwrap()
}

fn h(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

/// The recorded session as a trace: the two key draws go right before the GENERAL AUTHENTICATE that
/// sends the public key made from them (mapping, then key agreement), as the terminal draws them.
fn recorded_session(session: &Value) -> Replay {
    let keys = &session["terminal_private_keys"];
    let mut events = Vec::new();
    for (i, pair) in session["exchanges"].as_array().unwrap().iter().enumerate() {
        match i {
            2 => events.push(Event::Random(h(&keys["sk_map_ifd"]))),
            3 => events.push(Event::Random(h(&keys["sk_ifd"]))),
            _ => {}
        }
        events.push(Event::Command(h(&pair["command"])));
        events.push(Event::Response(h(&pair["response"])));
    }
    Replay::from_events(
        events
            .into_iter()
            .map(|event| TraceLine { line: 0, event })
            .collect(),
    )
}

/// A channel over the replayed transport, through secure messaging once PACE established it.
struct Link {
    transport: ReplayTransport,
    sm: Option<SecureMessaging>,
}

impl Channel for Link {
    fn exchange(
        &mut self,
        step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, Error> {
        let wire = match self.sm.as_mut() {
            Some(sm) => sm
                .protect_command(command)
                .map_err(|source| Error::SecureMessaging { step, source })?,
            None => command.clone(),
        };
        let raw = self
            .transport
            .transmit(&wire.to_bytes()?)
            .map_err(|source| Error::Transport { step, source })?;
        let resp = ResponseApdu::parse(&raw).map_err(|e| Error::protocol(step, e.to_string()))?;
        match self.sm.as_mut() {
            Some(sm) => sm
                .unprotect_response(&resp)
                .map_err(|source| Error::SecureMessaging { step, source }),
            None => Ok(resp),
        }
    }
}

/// EF.CardSecurity as the recording read it: SELECT by file identifier 011D, its first four bytes (the
/// TLV header), then the rest in blocks of up to 256 bytes.
fn read_card_security(link: &mut Link) -> Vec<u8> {
    let select = CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(vec![0x01, 0x1D]);
    assert_eq!(link.exchange("SELECT", &select).unwrap().sw, StatusWord::OK);
    let read = |link: &mut Link, offset: usize, le: usize| {
        let cmd = CommandApdu::new(0x00, 0xB0, (offset >> 8) as u8, offset as u8).with_le(le);
        let resp = link.exchange("READ BINARY", &cmd).unwrap();
        assert_eq!(resp.sw, StatusWord::OK);
        resp.data
    };
    let mut file = read(link, 0, 4);
    let header = icao9303::asn1::parse_header(&file).unwrap();
    let total = header.header_len + header.value_len;
    while file.len() < total {
        let more = read(link, file.len(), (total - file.len()).min(256));
        assert!(!more.is_empty());
        file.extend(more);
    }
    file
}

fn card_security_key(card_security: &[u8], key_id: u32) -> ChipKey {
    let signed = SignedData::from_content_info(card_security).unwrap();
    let infos = SecurityInfos::parse(signed.content.as_deref().unwrap()).unwrap();
    infos
        .infos
        .iter()
        .find_map(|i| match i {
            SecurityInfo::ChipAuthenticationPublicKey(k) if k.key_id == Some(key_id) => {
                Some(ChipKey::from_spki(&k.public_key_info, k.key_id).unwrap())
            }
            _ => None,
        })
        .unwrap()
}

#[test]
fn a_real_german_id_card_pace_cam_session_replays_and_its_cam_key_is_keyid_13() {
    let session = json("session.json");
    let derived = json("derived.json");
    let card_access = h(&session["ef_card_access_hex"]);
    assert_eq!(card_access, data("EF_CardAccess.bin"));
    let infos = SecurityInfos::parse(&card_access).unwrap();
    // Two offers (GM and CAM, both brainpoolP256r1, id 13): the terminal runs CAM and names the id.
    let info = infos
        .pace_infos()
        .find(|i| i.mapping == pace::PaceMapping::ChipAuthentication)
        .unwrap()
        .clone();
    let pw = &session["password"];
    let password = Password::Mrz(
        MrzKey::new(
            pw["document_number"].as_str().unwrap(),
            pw["date_of_birth"].as_str().unwrap(),
            pw["date_of_expiry"].as_str().unwrap(),
        )
        .unwrap(),
    );

    let replay = recorded_session(&session);
    let mut rng = replay.rng();
    let mut link = Link {
        transport: replay.transport(),
        sm: None,
    };
    let outcome = pace::authenticate(&mut link, &password, &info, None, true, &mut rng).unwrap();
    assert_eq!(outcome.sm.k_enc(), h(&derived["KS_enc"]).as_slice());
    assert_eq!(outcome.sm.k_mac(), h(&derived["KS_mac"]).as_slice());
    assert_eq!(outcome.pk_ic, h(&derived["PK_IC"]));
    let cam = outcome.chip_auth.clone().unwrap();
    assert_eq!(cam.ca_ic, h(&derived["CA_IC"]));
    assert_eq!(cam.pk_map_ic, h(&derived["PK_map_IC"]));
    assert_eq!(cam.parameter_id, 13);

    link.sm = Some(outcome.sm);
    let card_security = read_card_security(&mut link);
    // Every recorded exchange was used, commands matched byte for byte.
    replay.finish().unwrap();
    assert_eq!(link.sm.as_ref().unwrap().ssc().last(), Some(&0x16));
    assert_eq!(card_security, data("EF_CardSecurity.bin"));

    // The file read is the card's signed EF.CardSecurity (its signature verifies; no CSCA given).
    let (pa, _) = verify_signed_data(
        &card_security,
        &TrustStore::new(),
        Time::from_ymd(2024, 6, 1),
        Some("D"),
    );
    assert_eq!(
        pa.signature.status,
        CheckStatus::Valid,
        "{}",
        pa.signature.reason
    );

    // The key CAM is meant to use, by TR-03110-3: keyId = parameterId = 13. The ChipAuthenticationInfo's
    // keyId 72 names another key, which does not satisfy the equation.
    let key13 = card_security_key(&card_security, 13);
    let key72 = card_security_key(&card_security, 72);
    let signed = SignedData::from_content_info(&card_security).unwrap();
    let cs_infos = SecurityInfos::parse(signed.content.as_deref().unwrap()).unwrap();
    assert_eq!(
        cs_infos
            .chip_authentication_infos()
            .filter_map(|i| i.key_id)
            .collect::<Vec<_>>(),
        vec![72]
    );
    let curve = EcCurve::BrainpoolP256r1;
    assert!(
        primitives::verify_chip_auth(curve, &cam.ca_ic, &cam.pk_map_ic, &key13.public).unwrap()
    );
    assert!(
        !primitives::verify_chip_auth(curve, &cam.ca_ic, &cam.pk_map_ic, &key72.public).unwrap()
    );

    // The library's PACE-CAM check chooses that key and passes (without a warning: chosen by the rule).
    let result = icao9303::auth::cam::verify(&cam, Some(&card_security));
    assert_eq!(
        result.verdict.status,
        CheckStatus::Valid,
        "{}",
        result.verdict.reason
    );
    assert!(
        result.verdict.reason.contains("keyId 13"),
        "{}",
        result.verdict.reason
    );

    // A file naming no key by the parameter id (here: an id no key carries) is outside TR-03110-3:
    // every key is tried, and the match is reported with a warning.
    let unnamed = pace::CamData {
        parameter_id: 16,
        ..cam.clone()
    };
    let result = icao9303::auth::cam::verify(&unnamed, Some(&card_security));
    assert_eq!(
        result.verdict.status,
        CheckStatus::ValidWithWarning,
        "{}",
        result.verdict.reason
    );
    assert!(
        result.verdict.reason.contains("keyId 13"),
        "{}",
        result.verdict.reason
    );

    // A chip answering with the other key's data (here: the same data under a parameter id whose key
    // is 72) fails: only the key the parameter id names is tried.
    let wrong = pace::CamData {
        parameter_id: 72,
        ..cam.clone()
    };
    let result = icao9303::auth::cam::verify(&wrong, Some(&card_security));
    assert_eq!(
        result.verdict.status,
        CheckStatus::Invalid,
        "{}",
        result.verdict.reason
    );
    assert!(
        result.verdict.reason.contains("keyId 72") && !result.verdict.reason.contains("keyId 13"),
        "{}",
        result.verdict.reason
    );
}

#[test]
fn a_changed_command_stops_the_replay() {
    // A terminal that draws a different mapping key sends different mapping data: the replay refuses it.
    let session = json("session.json");
    let infos = SecurityInfos::parse(&h(&session["ef_card_access_hex"])).unwrap();
    let info = infos
        .pace_infos()
        .find(|i| i.mapping == pace::PaceMapping::ChipAuthentication)
        .unwrap()
        .clone();
    let password = Password::Mrz(MrzKey::new("C4KHNY1PF", "780214", "330315").unwrap());
    let mut session = session;
    session["terminal_private_keys"]["sk_map_ifd"] =
        Value::String("02fd26013f5bc41fad8bb09811e435f16fbe2eb3c2e1d999b0f63da8c3d58bb5".into());
    let replay = recorded_session(&session);
    let mut rng = replay.rng();
    let mut link = Link {
        transport: replay.transport(),
        sm: None,
    };
    let err = pace::authenticate(&mut link, &password, &info, None, true, &mut rng).unwrap_err();
    assert!(err.to_string().contains("map nonce"), "{err}");
}
