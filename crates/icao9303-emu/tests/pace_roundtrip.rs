//! Terminal (`icao9303::access::pace`) against the emulator's chip side (`PaceChip`): every mapping,
//! parameter id, cipher and password, kept lean for `cargo test`:
//! GM and IM on every parameter id (0–2, 8–18) with AES-128; CAM on every curve with AES-128; every cipher
//! on parameter ids 13 (ECDH) and 0 (DH) for GM and IM, and AES-128/192/256 for CAM; both passwords.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use icao9303::Error;
use icao9303::access::Password;
use icao9303::access::pace;
use icao9303::apdu::{CommandApdu, ResponseApdu, StatusWord};
use icao9303::channel::Channel;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::crypto::ec::EcCurve;
use icao9303::lds::security_infos::{Mapping, SecurityInfos};
use icao9303::mrz::MrzKey;
use icao9303::sm::SecureMessaging;
use icao9303_emu::pace::{PaceChip, PaceOffer};

/// xorshift64*: deterministic, not for real use.
struct TestRng(u64);
impl rand_core::TryRng for TestRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        Ok(self.0.wrapping_mul(0x2545F4914F6CDD1D))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_be_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for TestRng {}

/// Routes MSE:Set AT and GENERAL AUTHENTICATE to the chip; can corrupt the chip's token.
struct ChipChannel {
    chip: PaceChip,
    rng: TestRng,
    session: Option<SecureMessaging>,
    corrupt_token: bool,
}

impl Channel for ChipChannel {
    fn exchange(&mut self, _step: &'static str, cmd: &CommandApdu) -> Result<ResponseApdu, Error> {
        let bytes = cmd.to_bytes().unwrap();
        let cmd = CommandApdu::parse(&bytes).unwrap();
        match cmd.ins {
            0x22 => {
                assert_eq!(cmd.le, None, "no Le on MSE:Set AT");
                Ok(ResponseApdu::status(self.chip.mse_set_at(&cmd.data)))
            }
            0x86 => {
                let chained = cmd.cla & 0x10 != 0;
                match self
                    .chip
                    .general_authenticate(&cmd.data, chained, &mut self.rng)
                {
                    Ok((mut data, sm)) => {
                        if sm.is_some()
                            && self.corrupt_token
                            && let Some(b) = data.get_mut(4)
                        {
                            *b ^= 1;
                        }
                        self.session = sm;
                        Ok(ResponseApdu::new(data, StatusWord::OK))
                    }
                    Err(sw) => Ok(ResponseApdu::status(sw)),
                }
            }
            _ => Ok(ResponseApdu::status(StatusWord::INS_NOT_SUPPORTED)),
        }
    }
}

fn mrz() -> MrzKey {
    MrzKey::new("T22000129", "640812", "101031").unwrap()
}

fn can() -> Password {
    Password::can("123456").unwrap()
}

fn cam_key(id: u32) -> (u32, Vec<u8>, u32) {
    let curve = EcCurve::from_parameter_id(id).unwrap();
    let mut k = vec![0u8; curve.field_size() - 16];
    k.extend_from_slice(&[0x42; 16]);
    (13, k, id)
}

fn run(offer: PaceOffer, password: &Password, chip_can: &str, corrupt: bool) -> Result<(), Error> {
    let cam = (offer.mapping == Mapping::ChipAuthentication).then(|| cam_key(offer.parameter_id));
    let chip = PaceChip::new(vec![offer], Some(mrz()), Some(chip_can.to_string()), cam);
    let static_pk = chip.cam_public_key();
    let card_access = SecurityInfos::parse(&chip.card_access()).unwrap();
    let info = card_access.pace_infos().next().unwrap().clone();
    let domain = card_access.pace_domain(&info).unwrap();
    let mut channel = ChipChannel {
        chip,
        rng: TestRng(0x9E3779B97F4A7C15 ^ u64::from(offer.parameter_id)),
        session: None,
        corrupt_token: corrupt,
    };
    let mut term_rng = TestRng(0xD1B54A32D192ED03);
    let mut out = pace::authenticate(
        &mut channel,
        password,
        &info,
        Some(&domain),
        true,
        &mut term_rng,
    )?;
    assert_eq!(out.mapping, offer.mapping);
    assert_eq!(out.cipher, offer.cipher);
    assert_eq!(out.parameter_id, Some(offer.parameter_id));
    if offer.mapping == Mapping::ChipAuthentication {
        let cam = out.chip_auth.as_ref().expect("CAM data");
        let curve = EcCurve::from_parameter_id(offer.parameter_id).unwrap();
        let pk = static_pk.unwrap();
        assert!(
            pace::primitives::verify_chip_auth(curve, &cam.ca_ic, &cam.pk_map_ic, &pk).unwrap()
        );
    } else {
        assert!(out.chip_auth.is_none());
    }
    // The two sessions talk to each other.
    let mut chip_sm = channel.session.take().expect("chip session");
    assert_eq!(chip_sm.k_enc(), out.sm.k_enc());
    let cmd = CommandApdu::new(0x00, 0xB0, 0x00, 0x00).with_le(4);
    let protected = out.sm.protect_command(&cmd).unwrap();
    assert_eq!(chip_sm.unprotect_command(&protected).unwrap().ins, 0xB0);
    let resp = chip_sm
        .protect_response(&ResponseApdu::new(vec![1, 2, 3, 4], StatusWord::OK), 0xB0)
        .unwrap();
    assert_eq!(
        out.sm.unprotect_response(&resp).unwrap().data,
        vec![1, 2, 3, 4]
    );
    Ok(())
}

const ALL_IDS: [u32; 14] = [0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
const EC_IDS: [u32; 11] = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];

fn offer(mapping: Mapping, cipher: CipherAlgorithm, parameter_id: u32) -> PaceOffer {
    PaceOffer {
        mapping,
        cipher,
        parameter_id,
    }
}

#[test]
fn generic_mapping_every_parameter_id() {
    for id in ALL_IDS {
        run(
            offer(Mapping::Generic, CipherAlgorithm::Aes128, id),
            &Password::Mrz(mrz()),
            "123456",
            false,
        )
        .unwrap_or_else(|e| panic!("GM id {id}: {e}"));
    }
}

#[test]
fn integrated_mapping_every_parameter_id() {
    for id in ALL_IDS {
        let r = run(
            offer(Mapping::Integrated, CipherAlgorithm::Aes128, id),
            &can(),
            "123456",
            false,
        );
        if id == 10 {
            // NIST P-224 (p ≡ 1 mod 4) has no IM point encoding: refused cleanly, not a wrong password.
            let e = r.unwrap_err();
            assert!(!e.is_access_denied(), "{e}");
        } else {
            r.unwrap_or_else(|e| panic!("IM id {id}: {e}"));
        }
    }
}

#[test]
fn chip_authentication_mapping_every_curve() {
    for id in EC_IDS {
        run(
            offer(Mapping::ChipAuthentication, CipherAlgorithm::Aes128, id),
            &Password::Mrz(mrz()),
            "123456",
            false,
        )
        .unwrap_or_else(|e| panic!("CAM id {id}: {e}"));
    }
}

#[test]
fn every_cipher_and_password() {
    use CipherAlgorithm::*;
    for mapping in [
        Mapping::Generic,
        Mapping::Integrated,
        Mapping::ChipAuthentication,
    ] {
        for cipher in [Tdes, Aes128, Aes192, Aes256] {
            if mapping == Mapping::ChipAuthentication && cipher == Tdes {
                continue;
            }
            let ids: &[u32] = if mapping == Mapping::ChipAuthentication {
                &[13]
            } else {
                &[13, 0]
            };
            for &id in ids {
                for password in [Password::Mrz(mrz()), can()] {
                    run(offer(mapping, cipher, id), &password, "123456", false).unwrap_or_else(
                        |e| panic!("{mapping:?} {cipher:?} id {id} {}: {e}", password.kind()),
                    );
                }
            }
        }
    }
}

#[test]
fn wrong_password_is_access_denied_and_a_bad_chip_token_is_named() {
    for mapping in [
        Mapping::Generic,
        Mapping::Integrated,
        Mapping::ChipAuthentication,
    ] {
        let o = offer(mapping, CipherAlgorithm::Aes128, 13);
        let e = run(o, &can(), "654321", false).unwrap_err();
        assert!(
            matches!(
                e,
                Error::AccessDenied {
                    password: "CAN",
                    sw: Some(StatusWord::AUTH_FAILED),
                    ..
                }
            ),
            "{e}"
        );
        let wrong_mrz = Password::Mrz(MrzKey::new("T22000130", "640812", "101031").unwrap());
        let e = run(o, &wrong_mrz, "123456", false).unwrap_err();
        assert!(
            matches!(
                e,
                Error::AccessDenied {
                    password: "MRZ",
                    ..
                }
            ),
            "{e}"
        );
        // The chip accepted the terminal's token (the CAN is right) and its own does not verify.
        let e = run(o, &can(), "123456", true).unwrap_err();
        assert!(!e.is_access_denied(), "{e}");
        assert!(
            e.to_string().contains(
                "the chip's authentication token in PACE mutual authentication did not verify"
            ),
            "{e}"
        );
    }
}

#[test]
fn chip_refuses_unknown_protocol_and_out_of_order_steps() {
    let o = offer(Mapping::Generic, CipherAlgorithm::Aes128, 13);
    let mut chip = PaceChip::new(vec![o], Some(mrz()), None, None);
    let h = |s: &str| hex::decode(s).unwrap();
    // CAN not known to this chip.
    assert_eq!(
        chip.mse_set_at(&h("800A04007F00070202040202830102")),
        StatusWord::DATA_NOT_FOUND
    );
    // An OID not offered.
    assert_eq!(
        chip.mse_set_at(&h("800A04007F00070202040402830101")),
        StatusWord::WRONG_DATA
    );
    // GENERAL AUTHENTICATE before MSE:Set AT.
    assert!(
        chip.general_authenticate(&[0x7C, 0x00], true, &mut TestRng(1))
            .is_err()
    );
    assert_eq!(
        chip.mse_set_at(&h("800A04007F0007020204020283010184010D")),
        StatusWord::OK
    );
    // Garbage instead of 7C, then the protocol is reset.
    assert!(
        chip.general_authenticate(&[0x01], true, &mut TestRng(1))
            .is_err()
    );
    assert!(
        chip.general_authenticate(&[0x7C, 0x00], true, &mut TestRng(1))
            .is_err()
    );
}
