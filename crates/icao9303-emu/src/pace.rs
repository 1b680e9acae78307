//! The chip side of PACE (ICAO 9303-11 section 4.4): GM, IM and CAM on every standardized parameter id
//! and cipher, using the library's shared PACE computations so terminal and chip cannot drift apart.
//!
//! Chip randomness, in order: the nonce s (16 bytes; 32 for IM with AES-192/256); GM/CAM: SK_map,IC;
//! then the ephemeral SK_IC. Private keys follow the library's rule (field-size or q-size bytes, redrawn
//! unless in range).

use crate::fault::PaceFault;
use icao9303::access::Password;
use icao9303::access::pace::{im, primitives};
use icao9303::apdu::StatusWord;
use icao9303::asn1;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::crypto::domain::DomainParameters;
use icao9303::crypto::ec::EcCurve;
use icao9303::lds::security_infos::{KeyAgreement, Mapping, PaceInfo, SecurityInfos};
use icao9303::mrz::MrzKey;
use icao9303::sm::SecureMessaging;
use primitives::Generator;
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// One PACE protocol the chip offers: mapping, key agreement, cipher and standardized parameter id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaceOffer {
    /// GM, IM or CAM.
    pub mapping: Mapping,
    /// The cipher.
    pub cipher: CipherAlgorithm,
    /// The standardized domain parameter id (0–2 DH, 8–18 ECDH).
    pub parameter_id: u32,
}

impl PaceOffer {
    fn info(&self) -> Option<PaceInfo> {
        let ka = if self.parameter_id <= 2 {
            KeyAgreement::Dh
        } else {
            KeyAgreement::Ecdh
        };
        PaceInfo::new(self.mapping, ka, self.cipher, Some(self.parameter_id))
    }
}

/// The static PACE-CAM key pair (the Chip Authentication key of EF.CardSecurity).
#[derive(Clone)]
struct CamKey {
    key_id: u32,
    private: Zeroizing<Vec<u8>>,
    curve: EcCurve,
}

/// Where the chip is in the GENERAL AUTHENTICATE chain.
#[derive(Clone)]
enum State {
    Idle,
    Selected {
        info: PaceInfo,
        domain: DomainParameters,
        k_pi: Zeroizing<Vec<u8>>,
    },
    NonceSent {
        info: PaceInfo,
        domain: DomainParameters,
        s: Zeroizing<Vec<u8>>,
    },
    Mapped {
        info: PaceInfo,
        domain: DomainParameters,
        generator: Generator,
        sk_map: Option<Zeroizing<Vec<u8>>>,
    },
    KeysAgreed {
        info: PaceInfo,
        domain: DomainParameters,
        sm: SecureMessaging,
        pk_ifd: Vec<u8>,
        pk_ic: Vec<u8>,
        sk_map: Option<Zeroizing<Vec<u8>>>,
    },
}

/// A chip's PACE: its offers, passwords and optional CAM key, and the state of a running protocol.
#[derive(Clone)]
pub struct PaceChip {
    offers: Vec<PaceOffer>,
    mrz: Option<MrzKey>,
    can: Option<String>,
    cam: Option<CamKey>,
    extra_infos: Vec<Vec<u8>>,
    state: State,
    /// Comp() of the chip's ephemeral public key of the last completed PACE: ID_PICC for Terminal
    /// Authentication.
    id_picc: Option<Vec<u8>>,
    /// The fault GENERAL AUTHENTICATE injects ([`PaceChip::set_fault`]).
    fault: Option<PaceFault>,
    /// What the fault did in the last step, for the chip's statistics.
    fault_event: Option<String>,
}

const WRONG_DATA: StatusWord = StatusWord::WRONG_DATA;

impl PaceChip {
    /// A chip offering `offers`, knowing the MRZ and/or CAN, with an optional static CAM key
    /// `(keyId, private scalar bytes, parameter id)` (required for CAM offers).
    pub fn new(
        offers: Vec<PaceOffer>,
        mrz: Option<MrzKey>,
        can: Option<String>,
        cam_key: Option<(u32, Vec<u8>, u32)>,
    ) -> Self {
        let cam = cam_key.and_then(|(key_id, private, id)| {
            let curve = EcCurve::from_parameter_id(id)?;
            curve.scalar(&private).ok()?;
            Some(CamKey {
                key_id,
                private: Zeroizing::new(private),
                curve,
            })
        });
        PaceChip {
            offers,
            mrz,
            can,
            cam,
            extra_infos: Vec::new(),
            state: State::Idle,
            id_picc: None,
            fault: None,
            fault_event: None,
        }
    }

    /// The fault the next GENERAL AUTHENTICATE steps inject (identical ephemeral keys, PACE-CAM's
    /// DO'8A' missing, empty or wrong); MSE:Set AT refusals are the chip's.
    pub fn set_fault(&mut self, fault: Option<PaceFault>) {
        self.fault = fault;
    }

    /// What the fault did in the last GENERAL AUTHENTICATE step, once.
    pub fn take_fault_event(&mut self) -> Option<String> {
        self.fault_event.take()
    }

    /// Adds SecurityInfo encodings to EF.CardAccess after those of the offers (a hostile chip's explicit
    /// domain parameters, for instance); the chip's own PACE still runs on the standardized parameters.
    pub fn with_card_access_entries(mut self, entries: Vec<Vec<u8>>) -> Self {
        self.extra_infos = entries;
        self
    }

    /// EF.CardAccess describing the offers (and, with a CAM key, the ChipAuthenticationInfo of its keyId).
    pub fn card_access(&self) -> Vec<u8> {
        let mut entries: Vec<Vec<u8>> = self
            .offers
            .iter()
            .filter_map(|o| o.info())
            .map(|i| i.to_der())
            .collect();
        if let Some(cam) = &self.cam {
            // id-CA-ECDH-AES-CBC-CMAC-128, version 2, keyId.
            let oid = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, 0x02];
            let ca = asn1::der::constructed(
                0x30,
                &[
                    &asn1::der::tlv(0x06, &oid),
                    &asn1::der::integer_u64(2),
                    &asn1::der::integer_u64(cam.key_id.into()),
                ],
            );
            entries.push(ca);
        }
        entries.extend(self.extra_infos.iter().cloned());
        SecurityInfos::encode(&entries)
    }

    /// Abandons a protocol in progress (power-off).
    pub fn reset(&mut self) {
        self.state = State::Idle;
    }

    /// ID_PICC of Terminal Authentication after PACE: Comp() of the chip's ephemeral public key of the
    /// last completed PACE (TR-03110-1 §3.5, dynamic binding).
    pub fn id_picc(&self) -> Option<&[u8]> {
        self.id_picc.as_deref()
    }

    /// The protocols offered.
    pub fn offers(&self) -> &[PaceOffer] {
        &self.offers
    }

    /// The static CAM public key (uncompressed), for EF.CardSecurity.
    pub fn cam_public_key(&self) -> Option<Vec<u8>> {
        let cam = self.cam.as_ref()?;
        let k = cam.curve.scalar(&cam.private).ok()?;
        k.public_key(&cam.curve.generator())
            .ok()
            .map(|p| p.as_bytes().to_vec())
    }

    /// MSE:Set AT: selects the protocol (80), password (83) and parameter id (84, required when several
    /// offers share the OID).
    pub fn mse_set_at(&mut self, data: &[u8]) -> StatusWord {
        self.state = State::Idle;
        self.id_picc = None;
        let Ok(objects) = asn1::parse_all(data) else {
            return WRONG_DATA;
        };
        let find = |tag| objects.iter().find(|o| o.tag == tag).map(|o| o.value);
        let (Some(oid), Some(reference)) = (find(0x80), find(0x83)) else {
            return WRONG_DATA;
        };
        let id = match find(0x84) {
            Some([id]) => Some(u32::from(*id)),
            Some(_) => return WRONG_DATA,
            None => None,
        };
        let candidates: Vec<(PaceOffer, PaceInfo)> = self
            .offers
            .iter()
            .filter_map(|o| o.info().map(|i| (*o, i)))
            .filter(|(o, i)| i.oid == oid && id.is_none_or(|id| id == o.parameter_id))
            .collect();
        let [(offer, info)] = candidates.as_slice() else {
            return if candidates.is_empty() {
                WRONG_DATA
            } else {
                StatusWord::DATA_NOT_FOUND
            };
        };
        if offer.mapping == Mapping::ChipAuthentication
            && self
                .cam
                .as_ref()
                .is_none_or(|c| c.curve.parameter_id() != offer.parameter_id)
        {
            return StatusWord::DATA_NOT_FOUND;
        }
        let password = match reference {
            [1] => self.mrz.clone().map(Password::Mrz),
            [2] => self.can.as_deref().and_then(|c| Password::can(c).ok()),
            _ => None,
        };
        let Some(password) = password else {
            return StatusWord::DATA_NOT_FOUND;
        };
        let Some(domain) = DomainParameters::standard(offer.parameter_id) else {
            return StatusWord::DATA_NOT_FOUND;
        };
        self.state = State::Selected {
            info: info.clone(),
            domain,
            k_pi: primitives::password_key(&password, offer.cipher),
        };
        StatusWord::OK
    }

    /// One GENERAL AUTHENTICATE step (command data and whether CLA had the chaining bit 0x10); on the last
    /// step returns the established secure messaging session. Any failure resets the protocol.
    pub fn general_authenticate<R: CryptoRng + ?Sized>(
        &mut self,
        data: &[u8],
        chained: bool,
        rng: &mut R,
    ) -> Result<(Vec<u8>, Option<SecureMessaging>), StatusWord> {
        let state = std::mem::replace(&mut self.state, State::Idle);
        let objects = match asn1::parse_tagged(data, 0x7C).and_then(|t| t.children()) {
            Ok(o) => o,
            Err(_) => return Err(WRONG_DATA),
        };
        let get = |tag| {
            objects
                .iter()
                .find(|o| o.tag == tag)
                .map(|o| o.value.to_vec())
                .ok_or(WRONG_DATA)
        };
        let is_last = matches!(state, State::KeysAgreed { .. });
        if chained == is_last {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let fail = |_| WRONG_DATA;
        match state {
            State::Idle => Err(StatusWord::CONDITIONS_NOT_SATISFIED),
            State::Selected { info, domain, k_pi } => {
                if !objects.is_empty() {
                    return Err(WRONG_DATA);
                }
                let mut s =
                    Zeroizing::new(vec![0u8; primitives::nonce_len(info.mapping, info.cipher)]);
                rng.fill_bytes(&mut s);
                let z = primitives::encrypt_nonce(info.cipher, &k_pi, &s).map_err(fail)?;
                self.state = State::NonceSent { info, domain, s };
                Ok((asn1::der::tlv(0x7C, &asn1::der::tlv(0x80, &z)), None))
            }
            State::NonceSent { info, domain, s } => {
                let data = get(0x81)?;
                let (generator, sk_map, reply) = match info.mapping {
                    Mapping::Integrated => {
                        if data.len() != im::t_len(info.cipher) {
                            return Err(WRONG_DATA);
                        }
                        let g = primitives::integrated_map(&domain, info.cipher, &s, &data)
                            .map_err(fail)?;
                        (g, None, Vec::new())
                    }
                    Mapping::Generic | Mapping::ChipAuthentication => {
                        let pk_map_ifd = primitives::check_public(&domain, &data).map_err(fail)?;
                        let sk_map = primitives::random_private(&domain, rng);
                        let pk_map_ic =
                            primitives::public_key(&domain, &Generator::standard(&domain), &sk_map)
                                .map_err(fail)?;
                        if pk_map_ic == pk_map_ifd {
                            return Err(WRONG_DATA);
                        }
                        let g = primitives::generic_map(&domain, &s, &sk_map, &pk_map_ifd)
                            .map_err(fail)?;
                        let reply = asn1::der::tlv(0x82, &pk_map_ic);
                        (g, Some(sk_map), reply)
                    }
                };
                self.state = State::Mapped {
                    info,
                    domain,
                    generator,
                    sk_map,
                };
                Ok((asn1::der::tlv(0x7C, &reply), None))
            }
            State::Mapped {
                info,
                domain,
                generator,
                sk_map,
            } => {
                let pk_ifd = primitives::check_public(&domain, &get(0x83)?).map_err(fail)?;
                let sk = primitives::random_private(&domain, rng);
                let pk_ic = primitives::public_key(&domain, &generator, &sk).map_err(fail)?;
                if pk_ic == pk_ifd {
                    return Err(WRONG_DATA);
                }
                let k = primitives::shared_secret(&domain, &sk, &pk_ifd).map_err(fail)?;
                let sm = SecureMessaging::from_shared_secret(info.cipher, &k);
                let sent = if self.fault == Some(PaceFault::IdenticalEphemeralKeys) {
                    self.fault_event = Some(
                        "key agreement answered with the terminal's own ephemeral public key"
                            .into(),
                    );
                    &pk_ifd
                } else {
                    &pk_ic
                };
                let reply = asn1::der::tlv(0x7C, &asn1::der::tlv(0x84, sent));
                self.state = State::KeysAgreed {
                    info,
                    domain,
                    sm,
                    pk_ifd,
                    pk_ic,
                    sk_map,
                };
                Ok((reply, None))
            }
            State::KeysAgreed {
                info,
                domain,
                sm,
                pk_ifd,
                pk_ic,
                sk_map,
            } => {
                let t_ifd = get(0x85)?;
                let expected =
                    primitives::auth_token(&domain, info.cipher, sm.k_mac(), &info.oid, &pk_ic)
                        .map_err(fail)?;
                if !bool::from(expected.as_slice().ct_eq(&t_ifd)) {
                    return Err(StatusWord::AUTH_FAILED);
                }
                let t_ic =
                    primitives::auth_token(&domain, info.cipher, sm.k_mac(), &info.oid, &pk_ifd)
                        .map_err(fail)?;
                let mut reply = asn1::der::tlv(0x86, &t_ic);
                if info.mapping == Mapping::ChipAuthentication {
                    let (Some(cam), Some(sk_map), DomainParameters::Ec(curve)) =
                        (&self.cam, &sk_map, &domain)
                    else {
                        return Err(StatusWord(0x6F00));
                    };
                    let sk_ic = curve.scalar(&cam.private).map_err(|_| StatusWord(0x6F00))?;
                    let sk_map = curve.scalar(sk_map).map_err(|_| StatusWord(0x6F00))?;
                    let ca_ic = sk_ic.invert_mul(&sk_map).map_err(|_| StatusWord(0x6F00))?;
                    let a_ic = primitives::encrypt_chip_auth_data(info.cipher, sm.k_enc(), &ca_ic)
                        .map_err(|_| StatusWord(0x6F00))?;
                    match self.fault {
                        Some(PaceFault::CamMissingEcad) => {
                            self.fault_event = Some("PACE-CAM: DO'8A' left out".into());
                        }
                        Some(PaceFault::CamEmptyEcad) => {
                            self.fault_event = Some("PACE-CAM: DO'8A' empty".into());
                            reply.extend(asn1::der::tlv(0x8A, &[]));
                        }
                        Some(PaceFault::CamWrongEcad) => {
                            // CA_IC of another scalar: sk_map (not sk_map / sk_IC).
                            let wrong = primitives::encrypt_chip_auth_data(
                                info.cipher,
                                sm.k_enc(),
                                &sk_map.to_bytes(),
                            )
                            .map_err(|_| StatusWord(0x6F00))?;
                            self.fault_event =
                                Some("PACE-CAM: DO'8A' encrypts another value than CA_IC".into());
                            reply.extend(asn1::der::tlv(0x8A, &wrong));
                        }
                        _ => reply.extend(asn1::der::tlv(0x8A, &a_ic)),
                    }
                }
                self.id_picc = icao9303::auth::terminal::comp(&domain, &pk_ic).ok();
                Ok((asn1::der::tlv(0x7C, &reply), Some(sm)))
            }
        }
    }
}
