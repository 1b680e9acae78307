//! Built-in chip profiles and their personalisation: the LDS files, a test CSCA and Document Signer, and an
//! EF.SOD signed over the data groups' hashes.
//!
//! All holder data is synthetic. The face is a generated cartoon (see `tools/make-synthetic-face.py`),
//! never a real person.

use crate::aa::AaKey;
use crate::ca::CaKey;
use crate::chip::{Chip, ChipOptions, ExtendedLengthBehaviour};
use crate::fs::FileSystem;
use crate::pace::{PaceChip, PaceOffer};
use crate::pki::{PkiBuildError, SignatureScheme, TestPki};
use crate::rng::SeededRng;
use icao9303::apdu::StatusWord;
use icao9303::asn1;
use icao9303::asn1::der;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::crypto::ec::EcCurve;
use icao9303::crypto::hash::HashAlgorithm;
use icao9303::lds::LdsFile;
use icao9303::lds::com::Com;
use icao9303::lds::dg1::Dg1;
use icao9303::lds::dg15::Dg15;
use icao9303::lds::security_infos::SecurityInfos;
use icao9303::lds::security_infos::{KeyAgreement, Mapping, PaceInfo};
use icao9303::mrz::{Mrz, MrzError, MrzKey, check_digit};
use icao9303::pki::cvc::{CvCertificate, CvDate};

/// id-SecurityObject (BSI TR-03110): the eContentType of EF.CardSecurity.
const ID_SECURITY_OBJECT: icao9303::asn1::ObjectIdentifier =
    icao9303::asn1::ObjectIdentifier::new_unwrap("0.4.0.127.0.7.3.2.1");

/// The synthetic face of the built-in profiles: a 240x320 JPEG 2000 cartoon of about 16 KB.
pub const SYNTHETIC_FACE_JP2: &[u8] = include_bytes!("../assets/synthetic-face.jp2");

/// The two WSQ fingerprints (620×620, 500 ppi) in the BRP profile's DG3: the BSI specimen's right and
/// left index fingers, as extracted in `test-vectors/data/biometric/dg3-dg4/` (their NBIS reference
/// decodes are there too).
pub const BRP_FINGERPRINTS: [FingerSample; 2] = [
    FingerSample {
        position: 2,
        width: 620,
        height: 620,
        ppi: 500,
        compression: 2,
        image: include_bytes!("../../../test-vectors/data/biometric/dg3-dg4/fingerprint_1.wsq"),
    },
    FingerSample {
        position: 7,
        width: 620,
        height: 620,
        ppi: 500,
        compression: 2,
        image: include_bytes!("../../../test-vectors/data/biometric/dg3-dg4/fingerprint_2.wsq"),
    },
];

/// The date an EAC profile's chip starts from ([`EacChip::current_date`]): after the Utopia test PKI's
/// start (2025-01-01) and after the expiry of its short-lived terminal certificate UTTESTIS00003
/// (2025-01-31), so that certificate is refused as expired.
pub const EAC_CHIP_DATE: (u16, u8, u8) = (2025, 6, 1);

/// One finger image for [`encode_dg3_iso19794_4`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FingerSample {
    /// ISO/IEC 19794-4 finger position (1 right thumb … 10 left little finger).
    pub position: u8,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// Resolution in pixels per inch.
    pub ppi: u16,
    /// The ISO/IEC 19794-4 image compression code (0 raw, 2 WSQ, 3 JPEG, 4 JPEG 2000, 5 PNG).
    pub compression: u8,
    /// The image, compressed as `compression` says (raw: 8-bit grey pixels, row by row).
    pub image: &'static [u8],
}

/// Extended Access Control on a profile's chip: the trust points Terminal Authentication starts from
/// and the chip's current date. DG3 and DG4 are then readable only after TA with the right.
#[derive(Debug, Clone)]
pub struct EacChip {
    /// The CVCA certificates the chip trusts (at most two; EF.CVCA lists them).
    pub trust_points: Vec<CvCertificate>,
    /// The chip's current date before any certificate moved it forward.
    pub current_date: CvDate,
}

impl EacChip {
    /// The Utopia test PKI's CVCA (`test-vectors/data/cvc/test-pki/UTCVCA00001.cvcert`) as the only
    /// trust point, at [`EAC_CHIP_DATE`].
    pub fn utopia() -> Result<EacChip, PersonalizationError> {
        let (y, m, d) = EAC_CHIP_DATE;
        Ok(EacChip {
            trust_points: vec![crate::eac_pki::utopia_cvca().map_err(PersonalizationError::Eac)?],
            current_date: CvDate::new(y, m, d)
                .map_err(|e| PersonalizationError::Eac(e.to_string()))?,
        })
    }

    /// The chip side of Terminal Authentication with these trust points.
    pub fn ta_chip(&self) -> Result<crate::ta::TaChip, PersonalizationError> {
        crate::ta::TaChip::new(&self.trust_points, self.current_date)
            .map_err(PersonalizationError::Eac)
    }
}

/// What a profile puts on the chip.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The profile's name (`brp`, `passport-bac`).
    pub name: &'static str,
    /// The MRZ lines printed on the document (and stored in DG1).
    pub mrz_lines: Vec<String>,
    /// The Card Access Number, for documents that have one.
    pub can: Option<String>,
    /// ISO 3166 alpha-2 code for the test CSCA's `C=`.
    pub csca_country: &'static str,
    /// Signature scheme of the test PKI.
    pub scheme: SignatureScheme,
    /// Hash algorithm of EF.SOD.
    pub hash: HashAlgorithm,
    /// Put a DG2 with the synthetic face on the chip.
    pub face: bool,
    /// Extra data groups with their full encodings (DG11, DG12, ...).
    pub extra_data_groups: Vec<(u8, Vec<u8>)>,
    /// The PACE protocols the chip offers (none: BAC only). Tests may set any (mapping, parameter id,
    /// cipher).
    pub pace_offers: Vec<PaceOffer>,
    /// The chip accepts the MRZ as PACE password (ID cards may take only the CAN).
    pub pace_with_mrz: bool,
    /// Chip behaviour.
    pub options: ChipOptions,
    /// Seed of the chip's deterministic randomness and of its test PKI.
    pub seed: String,
    /// Chip Authentication: the curve and cipher of the CA key published in DG14 (`None`: no CA).
    pub chip_auth: Option<(EcCurve, CipherAlgorithm)>,
    /// Active Authentication: the key published in DG15 (`None`: no AA).
    pub active_auth: Option<AaKind>,
    /// A clone: every file and EF.SOD are genuine, but the chip holds other private keys, so Chip and
    /// Active Authentication fail.
    pub clone_chip: bool,
    /// A forger's signer: the same chip (files and keys), but EF.SOD and EF.CardSecurity are signed by a
    /// Document Signer under the forger's own CSCA ("Forged CSCA"), not the profile's test CSCA. Every
    /// signature verifies and the chip proves its keys; only the chain to a trusted CSCA tells it apart.
    pub forged_signer: bool,
    /// Data groups put on the chip and listed in EF.COM, but not hashed in EF.SOD: unsigned data a forger
    /// added (full encodings, like `extra_data_groups`).
    pub unsigned_data_groups: Vec<(u8, Vec<u8>)>,
    /// SecurityInfo encodings added to EF.CardAccess after the PACEInfos of `pace_offers` (hostile-chip
    /// profiles: explicit domain parameters, ...). The chip's own PACE ignores them.
    pub card_access_entries: Vec<Vec<u8>>,
    /// Extended Access Control: EF.CVCA and Terminal Authentication guarding DG3/DG4 (`None`: no TA,
    /// and DG3/DG4, if any, are never readable).
    pub eac: Option<EacChip>,
    /// Repeat the PACEInfos of `pace_offers` in DG14, where EF.SOD signs them (ICAO 9303-11 section 9.2):
    /// the evidence that lets a reader detect a hidden or stripped EF.CardAccess.
    pub pace_infos_in_dg14: bool,
}

/// The kind of Active Authentication key a profile generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AaKind {
    /// RSA with this many bits (1024–3072), ISO/IEC 9796-2.
    Rsa(usize),
    /// ECDSA on NIST P-256.
    EcdsaP256,
    /// ECDSA on brainpoolP256r1.
    EcdsaBrainpoolP256r1,
}

/// Profile names accepted by [`Profile::by_name`].
pub const PROFILE_NAMES: &[&str] = &[
    "brp",
    "brp-clone",
    "brp-forged-signer",
    "brp-unsigned-dg11",
    "brp-61xx-after-ca",
    "brp-hidden-card-access",
    "brp-dg14-refused",
    "brp-withheld-dg12",
    "brp-refuses-dg11",
    "brp-status-outside-mac",
    "brp-probe-drops-session",
    "brp-cap-223",
    "passport-bac",
    "id-card-bp256",
    "pace-dh",
    "pace-dh-weak-group",
];

/// Every chip the emulator can present by name ([`chip_by_name`]): the profiles ([`PROFILE_NAMES`]) and
/// `eac-passport`, the BSI specimen passport with Extended Access Control.
pub fn chip_names() -> Vec<&'static str> {
    let mut names = PROFILE_NAMES.to_vec();
    names.push("eac-passport");
    names
}

/// A chip the emulator presents, and how to open and trust it.
pub struct NamedChip {
    /// The chip.
    pub chip: Chip,
    /// The MRZ key that opens it.
    pub mrz_key: MrzKey,
    /// The CSCA certificate (DER) its EF.SOD chains to, when the emulator made it (the profiles' test
    /// CSCA; none for the BSI specimen, signed by a real test CSCA that is not built in).
    pub csca: Option<Vec<u8>>,
}

/// The chip called `name` (one of [`chip_names`]), its chip options changed by `options` (starting from
/// the profile's own). `trust_points` replaces the EAC trust points of chips with Extended Access
/// Control (by default the Utopia test PKI's CVCA): `mrtd emulate --cvca`. `Ok(None)`: no such chip.
pub fn chip_by_name(
    name: &str,
    options: impl FnOnce(&mut ChipOptions),
    trust_points: Option<Vec<CvCertificate>>,
) -> Result<Option<NamedChip>, PersonalizationError> {
    let eac = |default: EacChip| match &trust_points {
        Some(t) => EacChip {
            trust_points: t.clone(),
            ..default
        },
        None => default,
    };
    if name == "eac-passport" {
        let mut chip_options = ChipOptions::default();
        options(&mut chip_options);
        let chip = crate::bsi::eac_passport(&eac(EacChip::utopia()?), chip_options)
            .map_err(|e| PersonalizationError::Eac(e.to_string()))?;
        let mrz_key = chip.mrz_key().cloned().ok_or_else(|| {
            PersonalizationError::Eac("the BSI specimen's DG1 gives no MRZ key".into())
        })?;
        return Ok(Some(NamedChip {
            chip,
            mrz_key,
            csca: None,
        }));
    }
    let Some(mut profile) = Profile::by_name(name) else {
        return Ok(None);
    };
    options(&mut profile.options);
    if let Some(e) = profile.eac.take() {
        profile.eac = Some(eac(e));
    }
    let mrz_key = profile.mrz_key()?;
    let card = profile.personalize()?;
    Ok(Some(NamedChip {
        chip: card.chip,
        mrz_key,
        csca: Some(card.pki.csca_der()),
    }))
}

impl Profile {
    /// A UK-BRP-like TD1 card (synthetic holder TESTHOLDER AMINA GRACE, document ZU3847562).
    pub fn brp() -> Profile {
        let dg11 = asn1::der::constructed(
            0x6B,
            &[
                &asn1::der::tlv(0x5C, &[0x5F, 0x0E, 0x5F, 0x2B, 0x5F, 0x11]),
                &asn1::der::tlv(0x5F0E, b"TESTHOLDER<<AMINA<GRACE"),
                &asn1::der::tlv(0x5F2B, b"19880314"),
                &asn1::der::tlv(0x5F11, b"TESTVILLE<UTOPIA"),
            ],
        );
        let dg12 = asn1::der::constructed(
            0x6C,
            &[
                &asn1::der::tlv(0x5C, &[0x5F, 0x19, 0x5F, 0x26, 0x5F, 0x1B]),
                &asn1::der::tlv(0x5F19, b"UK VISAS AND IMMIGRATION (TEST)"),
                &asn1::der::tlv(0x5F26, b"20240314"),
                &asn1::der::tlv(
                    0x5F1B,
                    b"SPECIMEN<<LEAVE TO REMAIN<<WORK PERMITTED<<NO PUBLIC FUNDS",
                ),
            ],
        );
        let dg3 = encode_dg3_iso19794_4(&BRP_FINGERPRINTS);
        Profile {
            name: "brp",
            mrz_lines: vec![
                "IRGBRZU38475628<<<<<<<<<<<<<<<".into(),
                "8803148F3403130UTO<<<<<<<<<<<8".into(),
                "TESTHOLDER<<AMINA<GRACE<<<<<<<".into(),
            ],
            can: Some("128453".into()),
            csca_country: "GB",
            scheme: SignatureScheme::EcdsaP256Sha256,
            hash: HashAlgorithm::Sha256,
            face: true,
            extra_data_groups: vec![(3, dg3), (11, dg11), (12, dg12)],
            pace_offers: vec![
                PaceOffer {
                    mapping: Mapping::Generic,
                    cipher: CipherAlgorithm::Aes256,
                    parameter_id: 12,
                },
                PaceOffer {
                    mapping: Mapping::ChipAuthentication,
                    cipher: CipherAlgorithm::Aes256,
                    parameter_id: 12,
                },
            ],
            pace_with_mrz: true,
            options: ChipOptions::default(),
            seed: "brp".into(),
            chip_auth: Some((EcCurve::BrainpoolP256r1, CipherAlgorithm::Aes128)),
            active_auth: Some(AaKind::EcdsaP256),
            clone_chip: false,
            forged_signer: false,
            unsigned_data_groups: Vec::new(),
            card_access_entries: Vec::new(),
            // The Utopia test PKI's CVCA: read DG3 with its terminal certificates
            // (test-vectors/data/cvc/test-pki/).
            eac: EacChip::utopia().ok(),
            pace_infos_in_dg14: false,
        }
    }

    /// The brp chip with its DG11 replaced by one naming someone else (IMPOSTOR, MALLORY EVE) that EF.SOD
    /// does not list, while EF.COM does: a forger's addition to a genuinely signed chip.
    pub fn brp_unsigned_dg11() -> Profile {
        let mut profile = Profile::brp();
        profile.name = "brp-unsigned-dg11";
        profile.extra_data_groups.retain(|(n, _)| *n != 11);
        profile.unsigned_data_groups = vec![(
            11,
            der::constructed(
                0x6B,
                &[
                    &der::tlv(0x5C, &[0x5F, 0x0E, 0x5F, 0x2B, 0x5F, 0x11]),
                    &der::tlv(0x5F0E, b"IMPOSTOR<<MALLORY<EVE"),
                    &der::tlv(0x5F2B, b"19700101"),
                    &der::tlv(0x5F11, b"ELSEWHERE<UTOPIA"),
                ],
            ),
        )];
        profile
    }

    /// The ICAO 9303-11 worked-example passport (L898902C<, born 690806, expires 940623), BAC only.
    pub fn passport_bac() -> Profile {
        let (doc, dob, doe) = ("L898902C<", "690806", "940623");
        let personal = "ZE184226B<<<<<";
        let cd = |s: &str| char::from(b'0' + check_digit(s).unwrap_or(0));
        let mut line2 = format!(
            "{doc}{}UTO{dob}{}F{doe}{}{personal}{}",
            cd(doc),
            cd(dob),
            cd(doe),
            cd(personal)
        );
        let composite = format!("{}{}{}", &line2[0..10], &line2[13..20], &line2[21..43]);
        line2.push(cd(&composite));
        Profile {
            name: "passport-bac",
            mrz_lines: vec!["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".into(), line2],
            can: None,
            csca_country: "UT",
            scheme: SignatureScheme::EcdsaP256Sha256,
            hash: HashAlgorithm::Sha256,
            face: true,
            extra_data_groups: Vec::new(),
            pace_offers: Vec::new(),
            pace_with_mrz: true,
            options: ChipOptions::default(),
            seed: "passport-bac".into(),
            chip_auth: None,
            active_auth: None,
            clone_chip: false,
            forged_signer: false,
            unsigned_data_groups: Vec::new(),
            card_access_entries: Vec::new(),
            eac: None,
            pace_infos_in_dg14: false,
        }
    }

    /// A synthetic TD1 identity card offering only PACE-ECDH-IM on brainpoolP256r1 with the CAN (123456);
    /// no BAC.
    pub fn id_card_bp256() -> Profile {
        Profile {
            name: "id-card-bp256",
            mrz_lines: vec![
                "IDUTOT220001293<<<<<<<<<<<<<<<".into(),
                "6408125F3110315UTO<<<<<<<<<<<2".into(),
                "SPECIMEN<<ALEX<<<<<<<<<<<<<<<<".into(),
            ],
            can: Some("123456".into()),
            csca_country: "UT",
            scheme: SignatureScheme::EcdsaP256Sha256,
            hash: HashAlgorithm::Sha256,
            face: true,
            extra_data_groups: Vec::new(),
            pace_offers: vec![PaceOffer {
                mapping: Mapping::Integrated,
                cipher: CipherAlgorithm::Aes128,
                parameter_id: 13,
            }],
            pace_with_mrz: false,
            options: ChipOptions {
                bac: false,
                ..ChipOptions::default()
            },
            seed: "id-card-bp256".into(),
            chip_auth: None,
            active_auth: None,
            clone_chip: false,
            forged_signer: false,
            unsigned_data_groups: Vec::new(),
            card_access_entries: Vec::new(),
            eac: None,
            pace_infos_in_dg14: false,
        }
    }

    /// The BAC passport's MRZ on a chip offering PACE-DH-GM on RFC 5114 2048-bit parameters (id 2) and BAC.
    pub fn pace_dh() -> Profile {
        Profile {
            name: "pace-dh",
            pace_offers: vec![PaceOffer {
                mapping: Mapping::Generic,
                cipher: CipherAlgorithm::Aes128,
                parameter_id: 2,
            }],
            seed: "pace-dh".into(),
            ..Profile::passport_bac()
        }
    }

    /// A hostile chip: the `pace-dh` passport offering PACE-DH-GM on standardized id 0, whose EF.CardAccess
    /// also carries a PACEDomainParameterInfo giving id 0 explicit parameters of a weak group — a 1024-bit
    /// prime p with a generator g of order q = 65521 (16 bits). A terminal that used them would send its
    /// mapping public key g^x in a group where discrete logarithms take a moment, so an eavesdropper could
    /// test password guesses offline. A terminal must refuse before sending any mapping data: explicit
    /// parameters never override a standardized id, and only the RFC 5114 groups are accepted.
    pub fn pace_dh_weak_group() -> Profile {
        Profile {
            name: "pace-dh-weak-group",
            pace_offers: vec![PaceOffer {
                mapping: Mapping::Generic,
                cipher: CipherAlgorithm::Aes128,
                parameter_id: 0,
            }],
            card_access_entries: vec![dh_domain_parameter_info(
                &WEAK_DH_P, &WEAK_DH_G, &WEAK_DH_Q, 0,
            )],
            seed: "pace-dh-weak-group".into(),
            ..Profile::passport_bac()
        }
    }

    /// The built-in profile called `name`.
    pub fn by_name(name: &str) -> Option<Profile> {
        match name {
            "brp" => Some(Profile::brp()),
            "brp-clone" => Some(Profile {
                clone_chip: true,
                ..Profile::brp()
            }),
            "brp-forged-signer" => Some(Profile {
                name: "brp-forged-signer",
                forged_signer: true,
                ..Profile::brp()
            }),
            "brp-unsigned-dg11" => Some(Profile::brp_unsigned_dg11()),
            // A chip that answers the first command after Chip Authentication with a bare 6110 (no MAC):
            // what a clone without the CA key can do over a link that passes 61xx on.
            "brp-61xx-after-ca" => Some(Profile {
                options: ChipOptions {
                    mac_less_61xx_after_ca: true,
                    ..ChipOptions::default()
                },
                ..Profile::brp()
            }),
            // The brp chip with its PACEInfos signed in DG14, read through a man in the middle who
            // answers EF.CardAccess with 6A82 ("file not found"), so a reader that allows BAC uses it.
            "brp-hidden-card-access" => Some(Profile {
                name: "brp-hidden-card-access",
                pace_infos_in_dg14: true,
                options: ChipOptions {
                    refused_files: vec![(LdsFile::CardAccess, StatusWord::FILE_NOT_FOUND)],
                    ..ChipOptions::default()
                },
                ..Profile::brp()
            }),
            // A chip that lists DG14 in EF.SOD and EF.COM but refuses to read it (6982), withholding the
            // Chip Authentication key it cannot prove: what a clone without that key can do.
            "brp-dg14-refused" => Some(Profile {
                name: "brp-dg14-refused",
                options: ChipOptions {
                    refused_files: vec![(
                        LdsFile::Dg(14),
                        StatusWord::SECURITY_STATUS_NOT_SATISFIED,
                    )],
                    ..ChipOptions::default()
                },
                ..Profile::brp()
            }),
            // The brp chip read through a relay that answers DG12 (the permit's remarks and
            // conditions) with a bare, MAC-less 6A82 and then drops the link once, so the reader
            // resumes: DG12 must be named as not covered, never taken for absent.
            "brp-withheld-dg12" => Some(Profile {
                name: "brp-withheld-dg12",
                options: ChipOptions {
                    relay_withholds: vec![LdsFile::Dg(12)],
                    ..ChipOptions::default()
                },
                ..Profile::brp()
            }),
            // A chip that lists DG11 in EF.SOD and refuses to read it (6982, under its MAC) after access
            // control: the signed personal details are withheld.
            "brp-refuses-dg11" => Some(Profile {
                name: "brp-refuses-dg11",
                options: ChipOptions {
                    refused_files: vec![(
                        LdsFile::Dg(11),
                        StatusWord::SECURITY_STATUS_NOT_SATISFIED,
                    )],
                    ..ChipOptions::default()
                },
                ..Profile::brp()
            }),
            // A non-conforming chip whose protected responses carry no DO'99': the status word is outside
            // the MAC, so a reader must not take it as the chip's.
            "brp-status-outside-mac" => Some(Profile {
                name: "brp-status-outside-mac",
                options: ChipOptions {
                    status_outside_mac: true,
                    ..ChipOptions::default()
                },
                ..Profile::brp()
            }),
            // A chip that announces nothing about extended length, answers the probe with a plain 6700
            // and ends secure messaging with it: the next protected command gets 6988.
            "brp-probe-drops-session" => Some(Profile {
                name: "brp-probe-drops-session",
                options: {
                    let mut options = ChipOptions {
                        extended_refusal_ends_session: true,
                        ..ChipOptions::default()
                    };
                    ExtendedLengthBehaviour::Refused.apply(&mut options);
                    options
                },
                ..Profile::brp()
            }),
            // A chip that takes extended length without announcing it but sends at most 223 bytes in
            // one response, whatever it is asked for.
            "brp-cap-223" => Some(Profile {
                name: "brp-cap-223",
                options: {
                    let mut options = ChipOptions {
                        response_cap: Some(223),
                        ..ChipOptions::default()
                    };
                    ExtendedLengthBehaviour::Silent.apply(&mut options);
                    options
                },
                ..Profile::brp()
            }),
            "passport-bac" => Some(Profile::passport_bac()),
            "id-card-bp256" => Some(Profile::id_card_bp256()),
            "pace-dh" => Some(Profile::pace_dh()),
            "pace-dh-weak-group" => Some(Profile::pace_dh_weak_group()),
            _ => None,
        }
    }

    /// The parsed MRZ of the profile.
    pub fn mrz(&self) -> Result<Mrz, MrzError> {
        Mrz::parse(&self.mrz_lines.join("\n"))
    }

    /// The MRZ key (document number, dates) that opens the chip.
    pub fn mrz_key(&self) -> Result<MrzKey, MrzError> {
        self.mrz()?.key()
    }

    /// Builds the chip: LDS files, test PKI and signed EF.SOD.
    pub fn personalize(&self) -> Result<Card, PersonalizationError> {
        let mut rng = SeededRng::new(format!("icao9303-emu profile {}", self.seed).as_bytes());
        let mut pki = TestPki::generate(self.csca_country, self.scheme, &mut rng)?;
        if self.forged_signer {
            // Drawn from its own RNG, so the chip's keys stay those of the genuine profile.
            let mut forger =
                SeededRng::new(format!("icao9303-emu forger {}", self.seed).as_bytes());
            pki = TestPki::generate_named(
                self.csca_country,
                "Forged eMRTD PKI",
                "Forged CSCA",
                self.scheme,
                &mut forger,
            )?;
        }
        let mrz_key = self.mrz_key()?;
        let mut dgs: Vec<(u8, Vec<u8>)> = vec![(
            1,
            Dg1::encode(
                &self
                    .mrz_lines
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>(),
            ),
        )];
        if self.face {
            dgs.push((2, encode_dg2_iso19794(SYNTHETIC_FACE_JP2, 240, 320)));
        }
        dgs.extend(self.extra_data_groups.iter().cloned());
        // Chip and Active Authentication keys: published in DG14 / DG15. A clone chip holds keys drawn
        // from another seed, so it cannot prove possession of the published ones.
        let (ca_key, aa_key) = self.authentication_keys(&mut rng)?;
        let (chip_ca, chip_aa) = if self.clone_chip {
            let mut other = SeededRng::new(format!("icao9303-emu clone {}", self.seed).as_bytes());
            self.authentication_keys(&mut other)?
        } else {
            (ca_key.clone(), aa_key.clone())
        };
        let mut dg14_infos: Vec<Vec<u8>> = if self.pace_infos_in_dg14 {
            self.pace_infos()
        } else {
            Vec::new()
        };
        dg14_infos.extend(ca_key.iter().flat_map(CaKey::security_infos));
        dg14_infos.extend(aa_key.as_ref().and_then(AaKey::security_info));
        if !dg14_infos.is_empty() {
            dgs.push((
                14,
                asn1::der::tlv(0x6E, &SecurityInfos::encode(&dg14_infos)),
            ));
        }
        if let Some(aa) = &aa_key {
            dgs.push((15, Dg15::encode(&aa.spki())));
        }
        dgs.sort_by_key(|(n, _)| *n);
        let mut fs = FileSystem::default();
        // EF.COM lists the unsigned data groups too; EF.SOD hashes only the signed ones.
        let mut listed: Vec<LdsFile> = dgs
            .iter()
            .chain(&self.unsigned_data_groups)
            .map(|(n, _)| LdsFile::Dg(*n))
            .collect();
        listed.sort();
        listed.dedup();
        fs.insert(LdsFile::Com, Com::encode("0108", "040000", &listed));
        let hashes: Vec<(u8, Vec<u8>)> =
            dgs.iter().map(|(n, b)| (*n, self.hash.digest(b))).collect();
        fs.insert(LdsFile::Sod, pki.sign_sod(self.hash, &hashes)?);
        for (n, bytes) in dgs
            .into_iter()
            .chain(self.unsigned_data_groups.iter().cloned())
        {
            fs.insert(LdsFile::Dg(n), bytes);
        }
        if self.options.extended_length && !self.options.silent_atr {
            // EF.ATR/INFO announces the extended-length limits (ISO/IEC 7816-4 tag 7F66).
            let int = |n: usize| asn1::der::integer_u64(n.min(0xFFFF) as u64);
            let max = self.options.max_read.min(65_535);
            fs.insert(
                LdsFile::AtrInfo,
                asn1::der::constructed(0x7F66, &[&int(1024), &int(max)]),
            );
        }
        let chip_rng = SeededRng::new(format!("icao9303-emu chip {}", self.seed).as_bytes());
        let mut chip = Chip::new(fs, Some(mrz_key.clone()), self.options.clone(), chip_rng);
        if !self.pace_offers.is_empty() {
            // The PACE-CAM static key pair on the curve of the first CAM offer, published (public half) in
            // EF.CardSecurity, which the test PKI signs. A clone chip holds another private key.
            let cam = self
                .pace_offers
                .iter()
                .find(|o| o.mapping == Mapping::ChipAuthentication)
                .and_then(|o| {
                    EcCurve::from_parameter_id(o.parameter_id)
                        .map(|c| (o.parameter_id, o.cipher, c))
                });
            let mut cam_key = None;
            if let Some((id, cipher, curve)) = cam {
                // BSI TR-03110-3: the PACE-CAM key's keyId is the PACE parameter id.
                let genuine = curve.random_scalar(&mut rng).to_bytes().to_vec();
                let published = CaKey::from_private(curve, &genuine, cipher, Some(id))
                    .map_err(PersonalizationError::Keys)?;
                let mut infos = self.pace_infos();
                infos.extend(published.security_infos());
                let card_security =
                    pki.sign_content(ID_SECURITY_OBJECT, &SecurityInfos::encode(&infos))?;
                chip.files_mut()
                    .insert(LdsFile::CardSecurity, card_security);
                let held = if self.clone_chip {
                    let mut other =
                        SeededRng::new(format!("icao9303-emu clone cam {}", self.seed).as_bytes());
                    curve.random_scalar(&mut other).to_bytes().to_vec()
                } else {
                    genuine
                };
                cam_key = Some((id, held, id));
            }
            let mrz = self.pace_with_mrz.then_some(mrz_key);
            chip = chip.with_pace(
                PaceChip::new(self.pace_offers.clone(), mrz, self.can.clone(), cam_key)
                    .with_card_access_entries(self.card_access_entries.clone()),
            );
        }
        if let Some(k) = chip_ca {
            chip = chip.with_chip_authentication(k);
        }
        if let Some(k) = chip_aa {
            chip = chip.with_active_authentication(k);
        }
        if let Some(eac) = &self.eac {
            chip = chip.with_terminal_authentication(eac.ta_chip()?);
        }
        Ok(Card { chip, pki })
    }
}

impl Profile {
    /// The PACEInfos of `pace_offers`, encoded (for EF.CardSecurity and, when asked, DG14).
    fn pace_infos(&self) -> Vec<Vec<u8>> {
        self.pace_offers
            .iter()
            .filter_map(|o| {
                let ka = if o.parameter_id <= 2 {
                    KeyAgreement::Dh
                } else {
                    KeyAgreement::Ecdh
                };
                PaceInfo::new(o.mapping, ka, o.cipher, Some(o.parameter_id))
            })
            .map(|i| i.to_der())
            .collect()
    }

    /// The profile's CA and AA key pairs, drawn from `rng`.
    fn authentication_keys(
        &self,
        rng: &mut SeededRng,
    ) -> Result<(Option<CaKey>, Option<AaKey>), PersonalizationError> {
        let ca = match self.chip_auth {
            Some((curve, cipher)) => Some(
                CaKey::generate(curve, cipher, Some(1), rng).map_err(PersonalizationError::Keys)?,
            ),
            None => None,
        };
        let aa = match self.active_auth {
            Some(AaKind::Rsa(bits)) => {
                Some(AaKey::generate_rsa(bits, rng).map_err(PersonalizationError::Keys)?)
            }
            Some(AaKind::EcdsaP256) => Some(AaKey::generate_p256(rng)),
            Some(AaKind::EcdsaBrainpoolP256r1) => Some(AaKey::generate_bp256(rng)),
            None => None,
        };
        Ok((ca, aa))
    }
}

/// p of the weak group of `pace-dh-weak-group`: the first prime of the form 2·65521·k + 1 with
/// k ≥ ⌊p₀ / (2·65521)⌋, p₀ the prime of RFC 5114's 1024-bit group (so it looks like that one at a glance).
pub const WEAK_DH_P: [u8; 128] = [
    0xB1, 0x0B, 0x8F, 0x96, 0xA0, 0x80, 0xE0, 0x1D, 0xDE, 0x92, 0xDE, 0x5E, 0xAE, 0x5D, 0x54, 0xEC,
    0x52, 0xC9, 0x9F, 0xBC, 0xFB, 0x06, 0xA3, 0xC6, 0x9A, 0x6A, 0x9D, 0xCA, 0x52, 0xD2, 0x3B, 0x61,
    0x60, 0x73, 0xE2, 0x86, 0x75, 0xA2, 0x3D, 0x18, 0x98, 0x38, 0xEF, 0x1E, 0x2E, 0xE6, 0x52, 0xC0,
    0x13, 0xEC, 0xB4, 0xAE, 0xA9, 0x06, 0x11, 0x23, 0x24, 0x97, 0x5C, 0x3C, 0xD4, 0x9B, 0x83, 0xBF,
    0xAC, 0xCB, 0xDD, 0x7D, 0x90, 0xC4, 0xBD, 0x70, 0x98, 0x48, 0x8E, 0x9C, 0x21, 0x9A, 0x73, 0x72,
    0x4E, 0xFF, 0xD6, 0xFA, 0xE5, 0x64, 0x47, 0x38, 0xFA, 0xA3, 0x1A, 0x4F, 0xF5, 0x5B, 0xCC, 0xC0,
    0xA1, 0x51, 0xAF, 0x5F, 0x0D, 0xC8, 0xB4, 0xBD, 0x45, 0xBF, 0x37, 0xDF, 0x36, 0x5C, 0x1A, 0x65,
    0xE6, 0x8C, 0xFD, 0xA7, 0x6D, 0x4D, 0xA7, 0x08, 0xDF, 0x1F, 0xB2, 0xBC, 0x2F, 0x2F, 0xDE, 0xC5,
];
/// g = 2^((p − 1)/q) mod p, of order q.
pub const WEAK_DH_G: [u8; 128] = [
    0x9F, 0xEF, 0x4E, 0xBC, 0x6C, 0x28, 0xE9, 0x5F, 0x93, 0x4F, 0x9F, 0x54, 0xEE, 0x9D, 0xA7, 0xF6,
    0x21, 0xD7, 0x0D, 0xC5, 0x6A, 0xBE, 0x6A, 0x22, 0xBD, 0x09, 0xB5, 0xB6, 0x52, 0x31, 0x16, 0x84,
    0x34, 0xA8, 0xC1, 0x48, 0x0F, 0x37, 0x22, 0x87, 0x3A, 0x4D, 0x6C, 0x19, 0x33, 0x8B, 0x6D, 0xE2,
    0x3F, 0x4C, 0x8B, 0x99, 0xB0, 0x89, 0xE6, 0xC9, 0x46, 0x7A, 0x07, 0x17, 0xBE, 0xE2, 0x58, 0x04,
    0xDD, 0x65, 0x4D, 0xB2, 0xD7, 0xD1, 0x65, 0xEE, 0x6B, 0xDD, 0x45, 0x5C, 0x1D, 0x30, 0xC7, 0xE9,
    0xEF, 0x39, 0xBF, 0xA2, 0x32, 0x47, 0x7A, 0xF9, 0xEE, 0x11, 0x84, 0x37, 0x9C, 0x88, 0x04, 0x27,
    0x77, 0x23, 0xB8, 0x9C, 0x83, 0x19, 0x1D, 0x49, 0x41, 0xE0, 0x0E, 0xDC, 0xE0, 0x71, 0x7E, 0x78,
    0x55, 0xAC, 0xEE, 0x6E, 0x90, 0x5B, 0xFD, 0x13, 0x85, 0xF8, 0x0D, 0x7F, 0x79, 0xD2, 0x12, 0x24,
];
/// q = 65521, the order of g.
pub const WEAK_DH_Q: [u8; 2] = [0xFF, 0xF1];

/// `PACEDomainParameterInfo ::= SEQUENCE { id-PACE-DH-GM, AlgorithmIdentifier { dhpublicnumber,
/// DomainParameters { p, g, q } }, parameterId }`: explicit DH parameters for EF.CardAccess.
pub fn dh_domain_parameter_info(p: &[u8], g: &[u8], q: &[u8], parameter_id: u32) -> Vec<u8> {
    /// id-PACE-DH-GM (0.4.0.127.0.7.2.2.4.1), encoded.
    const ID_PACE_DH_GM: [u8; 9] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x01];
    /// dhpublicnumber (1.2.840.10046.2.1), encoded.
    const DH_PUBLIC_NUMBER: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3E, 0x02, 0x01];
    // A non-negative DER INTEGER: minimal bytes, a leading 00 when the top bit is set.
    let uint = |v: &[u8]| {
        let v: Vec<u8> = v.iter().copied().skip_while(|b| *b == 0).collect();
        let mut x = Vec::with_capacity(v.len() + 1);
        if v.first().is_none_or(|b| b & 0x80 != 0) {
            x.push(0);
        }
        x.extend(v);
        der::tlv(0x02, &x)
    };
    let group = der::constructed(0x30, &[&uint(p), &uint(g), &uint(q)]);
    let algorithm = der::constructed(0x30, &[&der::tlv(0x06, &DH_PUBLIC_NUMBER), &group]);
    der::constructed(
        0x30,
        &[
            &der::tlv(0x06, &ID_PACE_DH_GM),
            &algorithm,
            &uint(&parameter_id.to_be_bytes()),
        ],
    )
}

/// A personalised card: the chip and the test PKI that signed it.
#[derive(Debug)]
pub struct Card {
    /// The chip, ready to be put into a transport.
    pub chip: Chip,
    /// The test CSCA and Document Signer (the CSCA is the trust anchor for the sample).
    pub pki: TestPki,
}

/// Personalisation failed (a profile with an invalid MRZ, or the test PKI could not sign).
#[derive(Debug, thiserror::Error)]
pub enum PersonalizationError {
    /// The profile's MRZ is invalid.
    #[error("profile MRZ: {0}")]
    Mrz(#[from] MrzError),
    /// Generating the Chip or Active Authentication key failed.
    #[error("authentication keys: {0}")]
    Keys(String),
    /// Building the test PKI or signing EF.SOD failed.
    #[error("test PKI: {0}")]
    Pki(#[from] PkiBuildError),
    /// The EAC trust points or chip date are unusable.
    #[error("Extended Access Control: {0}")]
    Eac(String),
}

/// Encodes finger images as DG3 (ICAO 9303-10 section 4.7.3): a biometric information template group
/// with one ISO/IEC 19794-4:2005 finger image record per finger (one view, as the sample's compression, 8-bit grey, live-scan
/// plain impression, quality 100), each under a biometric header template naming the finger (CBEFF
/// subtype) and the format (owner 0101, type 0007).
pub fn encode_dg3_iso19794_4(fingers: &[FingerSample]) -> Vec<u8> {
    const GENERAL_HEADER_LEN: usize = 32;
    const FINGER_HEADER_LEN: usize = 14;
    let templates: Vec<Vec<u8>> = fingers
        .iter()
        .map(|f| {
            let view_len = FINGER_HEADER_LEN + f.image.len();
            let mut record = Vec::with_capacity(GENERAL_HEADER_LEN + view_len);
            record.extend_from_slice(b"FIR\0");
            record.extend_from_slice(b"010\0");
            record.extend_from_slice(&(GENERAL_HEADER_LEN + view_len).to_be_bytes()[2..]); // 6 bytes
            record.extend_from_slice(&[0x00, 0x00]); // capture device id
            record.extend_from_slice(&[0x00, 0x1F]); // image acquisition level 31
            record.push(1); // number of fingers
            record.push(1); // scale units: pixels per inch
            for _ in 0..4 {
                record.extend_from_slice(&f.ppi.to_be_bytes()); // scan and image resolution, h and v
            }
            record.push(8); // pixel depth
            record.push(f.compression); // image compression
            record.extend_from_slice(&[0x00, 0x00]); // reserved
            record.extend_from_slice(&(view_len as u32).to_be_bytes());
            record.push(f.position);
            record.push(1); // count of views
            record.push(1); // view number
            record.push(100); // finger image quality
            record.push(0); // impression type: live-scan plain
            record.extend_from_slice(&f.width.to_be_bytes());
            record.extend_from_slice(&f.height.to_be_bytes());
            record.push(0); // reserved
            record.extend_from_slice(f.image);
            let subtype = icao9303::lds::finger::cbeff_finger_subtype(u32::from(f.position))
                .and_then(|s| u8::try_from(s).ok())
                .unwrap_or(0);
            let header = asn1::der::constructed(
                0xA1,
                &[
                    &asn1::der::tlv(0x81, &[0x08]),
                    &asn1::der::tlv(0x82, &[subtype]),
                    &asn1::der::tlv(0x87, &[0x01, 0x01]),
                    &asn1::der::tlv(0x88, &[0x00, 0x07]),
                ],
            );
            asn1::der::constructed(0x7F60, &[&header, &asn1::der::tlv(0x5F2E, &record)])
        })
        .collect();
    let count = [u8::try_from(fingers.len()).unwrap_or(u8::MAX)];
    let mut parts: Vec<&[u8]> = vec![];
    let count_tlv = asn1::der::tlv(0x02, &count);
    parts.push(&count_tlv);
    parts.extend(templates.iter().map(Vec::as_slice));
    asn1::der::tlv(0x63, &asn1::der::constructed(0x7F61, &parts))
}

/// Encodes a face image as DG2: a biometric information template group with one ISO/IEC 19794-5 face
/// record (ICAO 9303-10 section 4.7.2).
pub fn encode_dg2_iso19794(image: &[u8], width: u16, height: u16) -> Vec<u8> {
    let jpeg2000 = image.starts_with(&[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50])
        || image.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]);
    // Facial record: header (20 bytes) + image information (12 bytes) + image.
    let mut face = Vec::new();
    let block_len = (20 + 12 + image.len()) as u32;
    face.extend_from_slice(&block_len.to_be_bytes());
    face.extend_from_slice(&0u16.to_be_bytes()); // number of feature points
    face.push(0x02); // gender: female (as in the synthetic holder's MRZ)
    face.push(0x00); // eye colour unspecified
    face.push(0x00); // hair colour unspecified
    face.extend_from_slice(&[0x00, 0x00, 0x00]); // property mask
    face.extend_from_slice(&[0x00, 0x01]); // expression: neutral
    face.extend_from_slice(&[0x00, 0x00, 0x00]); // pose angle
    face.extend_from_slice(&[0x00, 0x00, 0x00]); // pose angle uncertainty
    face.push(0x01); // face image type: full frontal
    face.push(if jpeg2000 { 0x01 } else { 0x00 }); // image data type
    face.extend_from_slice(&width.to_be_bytes());
    face.extend_from_slice(&height.to_be_bytes());
    face.push(0x01); // colour space: sRGB
    face.push(0x02); // source type: digital still
    face.extend_from_slice(&[0x00, 0x00]); // device type
    face.extend_from_slice(&[0x00, 0x00]); // quality
    face.extend_from_slice(image);
    let mut record = Vec::new();
    record.extend_from_slice(b"FAC\0");
    record.extend_from_slice(b"010\0");
    record.extend_from_slice(&((14 + face.len()) as u32).to_be_bytes());
    record.extend_from_slice(&1u16.to_be_bytes());
    record.extend_from_slice(&face);
    let header = asn1::der::constructed(
        0xA1,
        &[
            &asn1::der::tlv(0x80, &[0x01, 0x01]),
            &asn1::der::tlv(0x81, &[0x02]),
            &asn1::der::tlv(0x87, &[0x01, 0x01]),
            &asn1::der::tlv(0x88, &[0x00, 0x08]),
        ],
    );
    let bit = asn1::der::constructed(0x7F60, &[&header, &asn1::der::tlv(0x5F2E, &record)]);
    asn1::der::tlv(
        0x75,
        &asn1::der::constructed(0x7F61, &[&asn1::der::tlv(0x02, &[0x01]), &bit]),
    )
}
