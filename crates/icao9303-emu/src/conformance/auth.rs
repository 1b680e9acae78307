//! Cases of chip and terminal authentication: Chip Authentication (ICAO Part 4 ISO7816_G), Terminal
//! Authentication (TR-03105-5.1 §5.5), Active Authentication (ICAO Part 4 ISO7816_E).

use super::access::{case, faulted};
use super::fixtures::{
    self, bac, content, eac, pace, rsa_aa_key, setup, terminal_of, utopia_terminal,
};
use super::{
    Case, Eac, Evidence, Expected, InspectionSystem, Setup, Shown, Source, Terminal, Unit,
};
use crate::eac_pki::{EacPkiOptions, EacTestPki, Holder, KeySpec};
use crate::fault::{CaFault, ChipFaults};
use crate::profile::{AaKind, Card, EacChip, Profile};
use crate::rng::SeededRng;
use crate::stats::FaultKind;
use icao9303::apdu::StatusWord;
use icao9303::asn1;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::crypto::ec::EcCurve;
use icao9303::crypto::hash::HashAlgorithm;
use icao9303::lds::LdsFile;
use icao9303::pki::cvc::issue::{CertificateFields, issue_certificate};
use icao9303::pki::cvc::private_key::CvPrivateKey;
use icao9303::pki::cvc::{
    AccessRights, CertificateReference, Chat, CvCertificate, CvDate, Role, TaAlgorithm,
    encode_ef_cvca,
};

/// The chip date of the EAC cases (the Utopia PKI and the minted ones start 2025-01-01).
fn chip_date() -> Result<CvDate, String> {
    CvDate::new(2025, 6, 1).map_err(|e| e.to_string())
}

/// An EAC passport (CFG.DFLT.EAC, changed by `change`) trusting `trust_points` at `date`, read by an
/// inspection system with `terminal`, the chip's faults `faults`.
pub(super) fn eac_setup(
    change: impl FnOnce(&mut Profile),
    trust_points: Option<(Vec<CvCertificate>, CvDate)>,
    terminal: Option<Terminal>,
    faults: ChipFaults,
) -> Result<Setup, String> {
    let mut profile = eac();
    if let Some((trust_points, current_date)) = trust_points {
        profile.eac = Some(EacChip {
            trust_points,
            current_date,
        });
    }
    change(&mut profile);
    let mut setup = setup(&profile, |chip, _| {
        chip.set_faults(faults);
        Ok(())
    })?;
    setup.inspection_system.terminal = terminal;
    Ok(setup)
}

/// CFG.DFLT.EAC read by the Utopia test terminal (UTDVIS00001 → UTTESTIS00001).
pub(super) fn utopia_eac(faults: ChipFaults) -> Result<Setup, String> {
    eac_setup(|_| {}, None, Some(utopia_terminal()?), faults)
}

/// A minted CVCA → DV → IS chain of `key`, with the DV's and terminal's rights and validity days.
fn mint(
    seed: &str,
    key: KeySpec,
    dv_rights: AccessRights,
    days: u32,
) -> Result<EacTestPki, String> {
    let options = EacPkiOptions {
        key,
        dv_days: days,
        terminal_days: days,
        rights: [AccessRights::ALL, dv_rights, AccessRights::ALL],
        ..EacPkiOptions::default()
    };
    EacTestPki::generate(&options, &mut SeededRng::new(seed.as_bytes())).map_err(|e| e.to_string())
}

/// CFG.DFLT.EAC trusting a freshly minted chain's CVCA, read with that chain.
fn minted_eac(seed: &str, key: KeySpec, dv_rights: AccessRights) -> Result<Setup, String> {
    let pki = mint(seed, key, dv_rights, 7305)?;
    eac_setup(
        |_| {},
        Some((vec![pki.cvca.certificate.clone()], chip_date()?)),
        Some(terminal_of(&pki)),
        ChipFaults::default(),
    )
}

fn ec(hash: HashAlgorithm) -> KeySpec {
    KeySpec::Ec {
        curve: EcCurve::BrainpoolP256r1,
        hash,
    }
}

fn rsa(algorithm: TaAlgorithm) -> KeySpec {
    KeySpec::Rsa {
        bits: 1024,
        algorithm,
    }
}

/// A new CVCA `chr` (its own key of `old`'s kind) certified by `old`'s CVCA in a link certificate, and
/// a DV and terminal under it: the new chain and the link certificate.
fn linked(
    old: &EacTestPki,
    chr: &str,
    rng: &mut SeededRng,
) -> Result<(EacTestPki, CvCertificate), String> {
    let err = |e: icao9303::pki::cvc::CvcError| e.to_string();
    let curve = old.cvca.key.curve().ok_or("the old CVCA key is not EC")?;
    let key = CvPrivateKey::generate_ec(curve, old.cvca.key.algorithm(), rng).map_err(err)?;
    let chr = CertificateReference::new(chr).map_err(err)?;
    let from = CvDate::new(2025, 1, 1).map_err(err)?;
    let fields = |public| CertificateFields {
        holder_reference: chr.clone(),
        public_key: public,
        chat: Chat::inspection_system(Role::Cvca, AccessRights::ALL),
        effective_date: from,
        expiration_date: from.add_days(7305),
        extensions: None,
    };
    let own = issue_certificate(&chr, fields(key.public_key(true).map_err(err)?), &key, rng)
        .map_err(err)?;
    let link = issue_certificate(
        old.cvca.certificate.chr(),
        fields(key.public_key(false).map_err(err)?),
        &old.cvca.key,
        rng,
    )
    .map_err(err)?;
    let holder = Holder {
        certificate: own,
        key,
    };
    let mut new = EacTestPki {
        cvca: holder.clone(),
        dv: holder.clone(),
        terminal: holder,
    };
    let spec = KeySpec::Ec {
        curve,
        hash: HashAlgorithm::Sha256,
    };
    let cc = &chr.to_string()[..2];
    new.dv = new
        .issue_dv(
            CertificateReference::new(&format!("{cc}DVIS{}", &chr.to_string()[6..]))
                .map_err(err)?,
            Role::DvDomestic,
            AccessRights::ALL,
            from,
            7305,
            spec,
            rng,
        )
        .map_err(err)?;
    new.terminal = new
        .issue_terminal(
            CertificateReference::new(&format!("{cc}TSIS{}", &chr.to_string()[6..]))
                .map_err(err)?,
            AccessRights::ALL,
            from,
            7305,
            rng,
        )
        .map_err(err)?;
    Ok((new, link))
}

/// A certificate with the last byte of its signature changed.
fn with_wrong_signature(cert: &CvCertificate) -> Result<CvCertificate, String> {
    let mut bytes = cert.as_bytes().to_vec();
    if let Some(last) = bytes.last_mut() {
        *last ^= 0x01;
    }
    CvCertificate::parse(&bytes).map_err(|e| e.to_string())
}

/// The BAC passport with Chip Authentication on `curve` with `cipher`.
fn ca_passport(curve: EcCurve, cipher: CipherAlgorithm) -> Profile {
    Profile {
        name: "conformance-ca",
        seed: "conformance ca".into(),
        chip_auth: Some((curve, cipher)),
        ..bac()
    }
}

/// DG14's SecurityInfos (raw DER entries) after `edit`, EF.SOD re-signed.
fn edit_dg14(
    chip: &mut crate::chip::Chip,
    pki: &crate::pki::TestPki,
    edit: impl FnOnce(&mut Vec<Vec<u8>>) -> Result<(), String>,
) -> Result<(), String> {
    let dg14 = content(chip, LdsFile::Dg(14))?;
    let mut entries = dg14_entries(&dg14)?;
    edit(&mut entries)?;
    let set = icao9303::lds::security_infos::SecurityInfos::encode(&entries);
    fixtures::replace_signed(chip, pki, 14, asn1::der::tlv(0x6E, &set))
}

/// The SecurityInfo entries (DER) of DG14.
pub(super) fn dg14_entries(dg14: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let outer = asn1::parse_tagged(dg14, 0x6E).map_err(|e| e.to_string())?;
    let set = asn1::parse_tagged(outer.value, 0x31).map_err(|e| e.to_string())?;
    Ok(set
        .children()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|c| c.raw.to_vec())
        .collect())
}

/// The first OID of a SecurityInfo entry (its protocol), content bytes.
pub(super) fn protocol_of(entry: &[u8]) -> Vec<u8> {
    asn1::parse_tagged(entry, 0x30)
        .ok()
        .and_then(|s| s.children().ok())
        .and_then(|c| c.first().map(|o| o.value.to_vec()))
        .unwrap_or_default()
}

/// id-PK-ECDH (0.4.0.127.0.7.2.2.1.2).
pub(super) const ID_PK_ECDH: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x01, 0x02];

/// A SecurityInfo SEQUENCE with its last INTEGER (the keyId) set to `key_id`.
fn with_key_id(entry: &[u8], key_id: u8) -> Result<Vec<u8>, String> {
    let seq = asn1::parse_tagged(entry, 0x30).map_err(|e| e.to_string())?;
    let mut parts: Vec<Vec<u8>> = seq
        .children()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|c| c.raw.to_vec())
        .collect();
    let three = parts.len() == 3;
    match parts.last_mut() {
        Some(last) if last.first() == Some(&0x02) && three => {
            *last = asn1::der::integer_u64(key_id.into());
        }
        _ => return Err("the SecurityInfo has no keyId".into()),
    }
    Ok(asn1::der::sequence(
        &parts.iter().map(Vec::as_slice).collect::<Vec<_>>(),
    ))
}

/// A ChipAuthenticationPublicKeyInfo with the last byte of its public point changed (off the curve).
fn with_corrupted_point(entry: &[u8]) -> Result<Vec<u8>, String> {
    let seq = asn1::parse_tagged(entry, 0x30).map_err(|e| e.to_string())?;
    let children = seq.children().map_err(|e| e.to_string())?;
    let [oid, spki, rest @ ..] = children.as_slice() else {
        return Err("a short ChipAuthenticationPublicKeyInfo".into());
    };
    let spki_children = spki.children().map_err(|e| e.to_string())?;
    let [algorithm, key] = spki_children.as_slice() else {
        return Err("a malformed SubjectPublicKeyInfo".into());
    };
    let mut point = key.value.to_vec();
    if let Some(last) = point.last_mut() {
        *last ^= 0x01;
    }
    let spki = asn1::der::sequence(&[algorithm.raw, &asn1::der::tlv(0x03, &point)]);
    let mut parts: Vec<&[u8]> = vec![oid.raw, &spki];
    parts.extend(rest.iter().map(|r| r.raw));
    Ok(asn1::der::sequence(&parts))
}

/// The BAC passport with RSA Active Authentication signing with `hash`.
fn rsa_aa(hash: Option<HashAlgorithm>, faults: ChipFaults) -> Result<Setup, String> {
    let key = rsa_aa_key()?.clone();
    let key = match hash {
        Some(h) => key.with_rsa_hash(h),
        None => key,
    };
    let Card { chip, pki } = fixtures::personalize(&bac())?;
    let mut chip = fixtures::with_active_authentication(chip, &pki, key)?;
    chip.set_faults(faults);
    Ok(Setup {
        chip,
        inspection_system: InspectionSystem {
            password: fixtures::mrz(&bac())?,
            csca: vec![pki.csca_der()],
            document_signers: Vec::new(),
            crls: Vec::new(),
            terminal: None,
        },
    })
}

const EAC_DG3: Option<Eac> = Some(Eac {
    dg3: true,
    dg4: false,
});

const NO_EAC_DATA: Option<Eac> = Some(Eac {
    dg3: false,
    dg4: false,
});

/// A TA algorithm case of TR-03105-5.1 §5.5 (E_01–E_07, E_35–E_38): successful with DG3.
fn ta_algorithm(
    id: &'static str,
    title: &'static str,
    algorithm: &'static str,
    build: fn() -> Result<Setup, String>,
) -> Case {
    Case {
        eac: EAC_DG3,
        ..case(
            Source::Tr03105Part5_1,
            id,
            Unit::TerminalAuthentication,
            title,
            "BSI TR-03110-1 §3.5 (TA v1), TR-03110-3 A.6 and C.3 (certificates)",
            algorithm,
            Expected::Successful,
            "Every TR-03110 signature algorithm is mandatory for an EAC inspection system \
             (TR-03105-5.1 §7.3): the chip imports DV and terminal certificate, accepts the \
             signature and opens DG3.",
            Evidence::All(&[Evidence::TaCompleted, Evidence::FileServed(LdsFile::Dg(3))]),
            build,
        )
    }
}

pub(super) fn cases() -> Vec<Case> {
    use Evidence as E;
    use Expected::{Either, Failed, Successful};
    use Source::{IcaoPart4 as P4, Own, Tr03105Part5_1 as P51};
    vec![
        // ---------------------------------------------------------------- Chip Authentication
        Case {
            variant: Some("ecdh-3des"),
            ..case(
                P4,
                "ISO7816_G_02",
                Unit::ChipAuthentication,
                "Chip Authentication with ECDH (3DES, brainpoolP224r1: MSE:Set KAT)",
                "ICAO 9303-11 §6.2",
                "CFG.DFLT.BAC with DG14: id-CA-ECDH-3DES-CBC-CBC, brainpoolP224r1, keyId 1",
                Successful,
                "The chip proves its DG14 key; the data groups after DG14 are read under the new \
                 keys.",
                E::All(&[E::CaCompleted, E::FileServed(LdsFile::Dg(2))]),
                || {
                    setup(
                        &ca_passport(EcCurve::BrainpoolP224r1, CipherAlgorithm::Tdes),
                        |_, _| Ok(()),
                    )
                },
            )
        },
        Case {
            variant: Some("ecdh-aes128"),
            ..case(
                P4,
                "ISO7816_G_02",
                Unit::ChipAuthentication,
                "Chip Authentication with ECDH (AES-128, NIST P-256: MSE:Set AT, GENERAL \
                 AUTHENTICATE)",
                "ICAO 9303-11 §6.2",
                "CFG.DFLT.BAC with DG14: id-CA-ECDH-AES-CBC-CMAC-128, NIST P-256, keyId 1",
                Successful,
                "As above, with AES secure messaging after Chip Authentication.",
                E::All(&[E::CaCompleted, E::FileServed(LdsFile::Dg(2))]),
                || {
                    setup(
                        &ca_passport(EcCurve::NistP256, CipherAlgorithm::Aes128),
                        |_, _| Ok(()),
                    )
                },
            )
        },
        case(
            P4,
            "ISO7816_G_06",
            Unit::ChipAuthentication,
            "DG14 names a key reference the chip does not have",
            "ICAO 9303-11 §6.2.1 (keyId), §9.2.5",
            "CFG.DFLT.BAC with DG14 (3DES, brainpoolP224r1) whose infos carry keyId 7; the chip's key \
             is 1 and it refuses keyId 7 (6A80); EF.SOD re-signed",
            Failed(Shown::Failed),
            "The chip cannot prove the key its signed DG14 publishes: Chip Authentication fails, \
             and a chip that fails it is not genuine.",
            E::Status(0x6A80),
            || {
                setup(
                    &ca_passport(EcCurve::BrainpoolP224r1, CipherAlgorithm::Tdes),
                    |chip, pki| {
                        edit_dg14(chip, pki, |entries| {
                            for e in entries.iter_mut() {
                                if let Ok(changed) = with_key_id(e, 7) {
                                    *e = changed;
                                }
                            }
                            Ok(())
                        })
                    },
                )
            },
        ),
        case(
            P4,
            "ISO7816_G_08",
            Unit::ChipAuthentication,
            "DG14 with a corrupted ECDH public key",
            "ICAO 9303-11 §6.2, §9.2.5; BSI TR-03111 §3.2.2 (public key validation)",
            "CFG.DFLT.BAC with DG14 (AES-128, P-256) whose public point is off the curve; EF.SOD \
             re-signed over it",
            Failed(Shown::NotVerified),
            "We chose not_verified (ICAO Part 4's text is not public): the terminal must not run \
             Chip Authentication against a key that is not a point of its curve, so the chip \
             cannot be proven genuine and the document is not verified; the read names the \
             invalid key.",
            E::FileServed(LdsFile::Dg(14)),
            || {
                setup(
                    &ca_passport(EcCurve::NistP256, CipherAlgorithm::Aes128),
                    |chip, pki| {
                        edit_dg14(chip, pki, |entries| {
                            for e in entries.iter_mut() {
                                if protocol_of(e) == ID_PK_ECDH {
                                    *e = with_corrupted_point(e)?;
                                }
                            }
                            Ok(())
                        })
                    },
                )
            },
        ),
        case(
            P4,
            "ISO7816_G_09",
            Unit::ChipAuthentication,
            "The chip keeps the old session keys after Chip Authentication",
            "ICAO 9303-11 §6.2.4 (secure messaging restarts with the new keys)",
            "CFG.DFLT.BAC with DG14 (AES-128, P-256); the chip accepts Chip Authentication but goes \
             on with the keys of BAC",
            Failed(Shown::Failed),
            "Only a chip that holds the DG14 private key can derive the new keys. A chip that goes \
             on with the old ones has not proven it: the terminal must not accept an answer under \
             the old keys, and Chip Authentication fails.",
            E::Fault(FaultKind::ChipAuthentication),
            || {
                faulted(
                    &ca_passport(EcCurve::NistP256, CipherAlgorithm::Aes128),
                    ChipFaults {
                        chip_authentication: Some(CaFault::KeepOldSessionKeys),
                        ..ChipFaults::default()
                    },
                )
            },
        ),
        case(
            P4,
            "ISO7816_G_15",
            Unit::ChipAuthentication,
            "Chip Authentication refused with 6A88 (key reference not found)",
            "ICAO 9303-11 §6.2.4",
            "CFG.DFLT.BAC with DG14 (3DES, brainpoolP224r1); MSE:Set KAT answered 6A88",
            Failed(Shown::Failed),
            "Whatever status word a chip refuses with, it has not proven its DG14 key: Chip \
             Authentication fails.",
            E::Fault(FaultKind::ChipAuthentication),
            || {
                faulted(
                    &ca_passport(EcCurve::BrainpoolP224r1, CipherAlgorithm::Tdes),
                    ChipFaults {
                        chip_authentication: Some(CaFault::Refuse(StatusWord(0x6A88))),
                        ..ChipFaults::default()
                    },
                )
            },
        ),
        case(
            Own,
            "CA_01",
            Unit::ChipAuthentication,
            "A clone: genuine files, other private keys",
            "ICAO 9303-11 §6.1, §6.2, §4.4.3.5",
            "brp-clone: every file and EF.SOD genuine; the chip holds other CA, AA and PACE-CAM keys",
            Failed(Shown::Failed),
            "Passive authentication passes (the files are the issuer's); chip authentication shows \
             the chip is not the one they were issued for.",
            E::FileServed(LdsFile::Dg(14)),
            || {
                let profile = Profile::by_name("brp-clone").ok_or("no profile brp-clone")?;
                setup(&profile, |_, _| Ok(()))
            },
        ),
        // ---------------------------------------------------------------- Terminal Authentication
        ta_algorithm(
            "ISO7816_E_01",
            "TA with id-TA-RSA-v1-5-SHA-1",
            "CFG.DFLT.EAC trusting a minted 1024-bit RSA CVCA (id-TA-RSA-v1-5-SHA-1); the IS holds \
             its DV and terminal certificates",
            || {
                minted_eac(
                    "ta e01",
                    rsa(TaAlgorithm::RsaV15(HashAlgorithm::Sha1)),
                    AccessRights::ALL,
                )
            },
        ),
        ta_algorithm(
            "ISO7816_E_02",
            "TA with id-TA-RSA-v1-5-SHA-256",
            "CFG.DFLT.EAC trusting a minted 1024-bit RSA CVCA (id-TA-RSA-v1-5-SHA-256)",
            || {
                minted_eac(
                    "ta e02",
                    rsa(TaAlgorithm::RsaV15(HashAlgorithm::Sha256)),
                    AccessRights::ALL,
                )
            },
        ),
        ta_algorithm(
            "ISO7816_E_03",
            "TA with id-TA-RSA-PSS-SHA-1",
            "CFG.DFLT.EAC trusting a minted 1024-bit RSA CVCA (id-TA-RSA-PSS-SHA-1)",
            || {
                minted_eac(
                    "ta e03",
                    rsa(TaAlgorithm::RsaPss(HashAlgorithm::Sha1)),
                    AccessRights::ALL,
                )
            },
        ),
        ta_algorithm(
            "ISO7816_E_04",
            "TA with id-TA-RSA-PSS-SHA-256",
            "CFG.DFLT.EAC trusting a minted 1024-bit RSA CVCA (id-TA-RSA-PSS-SHA-256)",
            || {
                minted_eac(
                    "ta e04",
                    rsa(TaAlgorithm::RsaPss(HashAlgorithm::Sha256)),
                    AccessRights::ALL,
                )
            },
        ),
        ta_algorithm(
            "ISO7816_E_05",
            "TA with id-TA-ECDSA-SHA-1",
            "CFG.DFLT.EAC trusting a minted brainpoolP256r1 CVCA (id-TA-ECDSA-SHA-1)",
            || minted_eac("ta e05", ec(HashAlgorithm::Sha1), AccessRights::ALL),
        ),
        ta_algorithm(
            "ISO7816_E_06",
            "TA with id-TA-ECDSA-SHA-224",
            "CFG.DFLT.EAC trusting a minted brainpoolP256r1 CVCA (id-TA-ECDSA-SHA-224)",
            || minted_eac("ta e06", ec(HashAlgorithm::Sha224), AccessRights::ALL),
        ),
        ta_algorithm(
            "ISO7816_E_07",
            "TA with id-TA-ECDSA-SHA-256",
            "CFG.DFLT.EAC trusting the Utopia test CVCA UTCVCA00001 (brainpoolP256r1, \
             id-TA-ECDSA-SHA-256); the IS holds UTDVIS00001 and UTTESTIS00001",
            || utopia_eac(ChipFaults::default()),
        ),
        ta_algorithm(
            "ISO7816_E_35",
            "TA with id-TA-RSA-v1-5-SHA-512",
            "CFG.DFLT.EAC trusting a minted 1024-bit RSA CVCA (id-TA-RSA-v1-5-SHA-512)",
            || {
                minted_eac(
                    "ta e35",
                    rsa(TaAlgorithm::RsaV15(HashAlgorithm::Sha512)),
                    AccessRights::ALL,
                )
            },
        ),
        ta_algorithm(
            "ISO7816_E_36",
            "TA with id-TA-RSA-PSS-SHA-512",
            "CFG.DFLT.EAC trusting a minted 2048-bit RSA CVCA (id-TA-RSA-PSS-SHA-512; TR-03105-5.1's \
             1024 bits cannot hold a PSS encoding with SHA-512 and a 64-byte salt)",
            || {
                // EMSA-PSS with SHA-512 and a 64-byte salt needs a modulus of at least 1040 bits.
                minted_eac(
                    "ta e36",
                    KeySpec::Rsa {
                        bits: 2048,
                        algorithm: TaAlgorithm::RsaPss(HashAlgorithm::Sha512),
                    },
                    AccessRights::ALL,
                )
            },
        ),
        ta_algorithm(
            "ISO7816_E_37",
            "TA with id-TA-ECDSA-SHA-384",
            "CFG.DFLT.EAC trusting a minted brainpoolP256r1 CVCA (id-TA-ECDSA-SHA-384)",
            || minted_eac("ta e37", ec(HashAlgorithm::Sha384), AccessRights::ALL),
        ),
        ta_algorithm(
            "ISO7816_E_38",
            "TA with id-TA-ECDSA-SHA-512",
            "CFG.DFLT.EAC trusting a minted brainpoolP256r1 CVCA (id-TA-ECDSA-SHA-512)",
            || minted_eac("ta e38", ec(HashAlgorithm::Sha512), AccessRights::ALL),
        ),
        case(
            P51,
            "ISO7816_E_08",
            Unit::TerminalAuthentication,
            "EF.CVCA names a CAR that is not the chip's trust point",
            "BSI TR-03110-3 A.6.2 (EF.CVCA), TR-03110-1 §3.5",
            "CFG.DFLT.EAC (trust point UTCVCA00001); EF.CVCA lists UTCVCA00002",
            Failed(Shown::TerminalAuthentication),
            "TR-03105-5.1 §5.5.8: failed. The IS has no chain from UTCVCA00002, and none it could \
             send would verify: DG3 stays closed.",
            E::FileServed(LdsFile::Cvca),
            || {
                let car = CertificateReference::new("UTCVCA00002").map_err(|e| e.to_string())?;
                utopia_eac(ChipFaults {
                    ef_cvca: Some(encode_ef_cvca(&[car])),
                    ..ChipFaults::default()
                })
            },
        ),
        case(
            P51,
            "ISO7816_E_09",
            Unit::TerminalAuthentication,
            "EF.CVCA holds no CAR",
            "BSI TR-03110-3 A.6.2",
            "CFG.DFLT.EAC; EF.CVCA is 36 zero bytes",
            Failed(Shown::TerminalAuthentication),
            "TR-03105-5.1 §5.5.9: failed. No trust point, no chain: Terminal Authentication cannot \
             run.",
            E::FileServed(LdsFile::Cvca),
            || {
                utopia_eac(ChipFaults {
                    ef_cvca: Some(vec![0; 36]),
                    ..ChipFaults::default()
                })
            },
        ),
        case(
            P51,
            "ISO7816_E_10",
            Unit::TerminalAuthentication,
            "EF.CVCA lists three CARs",
            "BSI TR-03110-3 A.6.2 (at most two trust points)",
            "CFG.DFLT.EAC; EF.CVCA lists UTCVCA00001 and two more CARs",
            Either,
            "TR-03105-5.1 §5.5.10 allows either verdict; the inspection system must stay \
             operational. Ours refuses the malformed EF.CVCA (Terminal Authentication not checked) \
             and completes the read.",
            E::FileServed(LdsFile::Cvca),
            || {
                let cars: Vec<u8> = ["UTCVCA00001", "UTCV00002", "UTCV00003"]
                    .iter()
                    .filter_map(|c| CertificateReference::new(c).ok())
                    .flat_map(|c| asn1::der::tlv(0x42, &c.to_bytes()))
                    .collect();
                utopia_eac(ChipFaults {
                    ef_cvca: Some(cars),
                    ..ChipFaults::default()
                })
            },
        ),
        case(
            P51,
            "ISO7816_E_11",
            Unit::TerminalAuthentication,
            "The chip binds Terminal Authentication to another document number",
            "BSI TR-03110-1 §3.5 (ID_PICC from the document number after BAC)",
            "CFG.DFLT.EAC; the chip verifies the terminal's signature over ID_PICC of document \
             M11T002JM",
            Failed(Shown::TerminalAuthentication),
            "TR-03105-5.1 §5.5.11: failed. The signature covers this document's ID_PICC; the chip \
             refuses it and DG3 stays closed.",
            E::All(&[
                E::Fault(FaultKind::TerminalAuthentication),
                E::TaSignatureRefused,
            ]),
            || {
                utopia_eac(ChipFaults {
                    ta_document_number: Some("M11T002JM".into()),
                    ..ChipFaults::default()
                })
            },
        ),
        case(
            P51,
            "ISO7816_E_12",
            Unit::TerminalAuthentication,
            "GET CHALLENGE answers 7 bytes",
            "BSI TR-03110-1 §3.5 (r_PICC is 8 bytes)",
            "CFG.DFLT.EAC; Terminal Authentication's GET CHALLENGE answered with 7 bytes",
            Failed(Shown::TerminalAuthentication),
            "TR-03105-5.1 §5.5.12: failed. The terminal must not sign a challenge of the wrong \
             length.",
            E::Fault(FaultKind::TerminalAuthentication),
            || {
                utopia_eac(ChipFaults {
                    ta_challenge_len: Some(7),
                    ..ChipFaults::default()
                })
            },
        ),
        case(
            P51,
            "ISO7816_E_13",
            Unit::TerminalAuthentication,
            "GET CHALLENGE answers 9 bytes",
            "BSI TR-03110-1 §3.5",
            "CFG.DFLT.EAC; Terminal Authentication's GET CHALLENGE answered with 9 bytes",
            Failed(Shown::TerminalAuthentication),
            "TR-03105-5.1 §5.5.13: failed.",
            E::Fault(FaultKind::TerminalAuthentication),
            || {
                utopia_eac(ChipFaults {
                    ta_challenge_len: Some(9),
                    ..ChipFaults::default()
                })
            },
        ),
        Case {
            eac: NO_EAC_DATA,
            ..case(
                P51,
                "ISO7816_E_14",
                Unit::TerminalAuthentication,
                "The DV certificate denies DG3",
                "BSI TR-03110-3 C.4 (the effective authorization is the AND of the CHATs)",
                "CFG.DFLT.EAC trusting a minted CVCA; the IS's DV certificate grants DG4 only",
                Successful,
                "TR-03105-5.1 §5.5.14: successful, but no fingerprints shown. TA passes; the chip \
                 refuses DG3 (6982), which the verdict names as needing a terminal with the right.",
                E::All(&[E::TaCompleted, E::Status(0x6982)]),
                || {
                    minted_eac(
                        "ta e14",
                        ec(HashAlgorithm::Sha256),
                        AccessRights {
                            read_dg3: false,
                            read_dg4: true,
                        },
                    )
                },
            )
        },
        case(
            P51,
            "ISO7816_E_17",
            Unit::TerminalAuthentication,
            "The DV certificate's signature is wrong",
            "BSI TR-03110-3 A.6.1 (PSO:Verify Certificate)",
            "CFG.DFLT.EAC; the IS sends UTDVIS00001 with the last byte of its signature changed",
            Failed(Shown::TerminalAuthentication),
            "TR-03105-5.1 §5.5.17: failed. The chip refuses the certificate; DG3 stays closed.",
            E::TaCertificateRefused,
            || {
                let mut terminal = utopia_terminal()?;
                terminal.certificates[0] = with_wrong_signature(&terminal.certificates[0])?;
                eac_setup(|_| {}, None, Some(terminal), ChipFaults::default())
            },
        ),
        case(
            P51,
            "ISO7816_E_18",
            Unit::TerminalAuthentication,
            "The terminal certificate's signature is wrong",
            "BSI TR-03110-3 A.6.1",
            "CFG.DFLT.EAC; the IS sends UTTESTIS00001 with the last byte of its signature changed",
            Failed(Shown::TerminalAuthentication),
            "TR-03105-5.1 §5.5.18: failed.",
            E::TaCertificateRefused,
            || {
                let mut terminal = utopia_terminal()?;
                terminal.certificates[1] = with_wrong_signature(&terminal.certificates[1])?;
                eac_setup(|_| {}, None, Some(terminal), ChipFaults::default())
            },
        ),
        case(
            P51,
            "ISO7816_E_19",
            Unit::TerminalAuthentication,
            "The certificate chain has expired at the chip's date",
            "BSI TR-03110-3 A.6.2.3 (the chip's current date)",
            "CFG.DFLT.EAC trusting a minted CVCA whose DV and terminal certificates are valid 14 \
             days from 2025-01-01; the chip's date is 2025-01-16",
            Failed(Shown::TerminalAuthentication),
            "TR-03105-5.1 §5.5.19: failed. The chip refuses an expired DV certificate.",
            E::TaCertificateRefused,
            || {
                let pki = mint("ta e19", ec(HashAlgorithm::Sha256), AccessRights::ALL, 14)?;
                let date = CvDate::new(2025, 1, 16).map_err(|e| e.to_string())?;
                eac_setup(
                    |_| {},
                    Some((vec![pki.cvca.certificate.clone()], date)),
                    Some(terminal_of(&pki)),
                    ChipFaults::default(),
                )
            },
        ),
        case(
            P51,
            "ISO7816_E_24",
            Unit::TerminalAuthentication,
            "The inspection system holds no EAC certificates",
            "BSI TR-03110-1 §3.5; ICAO 9303-11 §7.1",
            "CFG.DFLT.EAC; the IS is given no terminal credentials",
            Failed(Shown::TerminalAuthentication),
            "TR-03105-5.1 §5.5.24: failed, as far as the EAC-protected data goes. The chip refuses \
             DG3 (6982); the document itself verifies and the verdict names DG3 as needing \
             Terminal Authentication.",
            E::Status(0x6982),
            || eac_setup(|_| {}, None, None, ChipFaults::default()),
        ),
        Case {
            eac: EAC_DG3,
            ..case(
                P51,
                "ISO7816_E_26",
                Unit::TerminalAuthentication,
                "TA on a passport with additional data groups (DG11, DG12)",
                "BSI TR-03110-1 §3.5; ICAO 9303-10 §4.7.11, §4.7.12",
                "CFG.DFLT.EAC with DG11 and DG12",
                Successful,
                "TR-03105-5.1 §5.5.26: successful.",
                E::All(&[
                    E::TaCompleted,
                    E::FileServed(LdsFile::Dg(11)),
                    E::FileServed(LdsFile::Dg(12)),
                ]),
                || {
                    let brp = Profile::brp();
                    let extra: Vec<(u8, Vec<u8>)> = brp
                        .extra_data_groups
                        .iter()
                        .filter(|(n, _)| matches!(n, 11 | 12))
                        .cloned()
                        .collect();
                    eac_setup(
                        move |p| p.extra_data_groups.extend(extra),
                        None,
                        Some(utopia_terminal()?),
                        ChipFaults::default(),
                    )
                },
            )
        },
        Case {
            eac: EAC_DG3,
            ..case(
                P51,
                "ISO7816_E_29",
                Unit::TerminalAuthentication,
                "DG3 present, DG4 absent, the DV grants DG3 only",
                "BSI TR-03110-3 C.4",
                "CFG.DFLT.EAC (DG3, no DG4) trusting a minted CVCA; the DV grants DG3 only",
                Successful,
                "TR-03105-5.1 §5.5.29: successful, fingerprints read.",
                E::All(&[E::TaCompleted, E::FileServed(LdsFile::Dg(3))]),
                || {
                    minted_eac(
                        "ta e29",
                        ec(HashAlgorithm::Sha256),
                        AccessRights {
                            read_dg3: true,
                            read_dg4: false,
                        },
                    )
                },
            )
        },
        Case {
            eac: EAC_DG3,
            ..case(
                P51,
                "ISO7816_E_31",
                Unit::TerminalAuthentication,
                "TA after PACE: ID_PICC from the chip's ephemeral PACE key",
                "BSI TR-03110-1 §3.5 (dynamic binding), ICAO 9303-11 §7.1",
                "CFG.DFLT.EACPACE: PACE-GM (3DES, brainpoolP256r1), BAC switched off, Chip \
                 Authentication (AES-128), DG3, the Utopia trust point",
                Successful,
                "TR-03105-5.1 §5.5.31: successful. The terminal signs Comp() of the chip's ephemeral \
                 PACE key, not the document number.",
                E::All(&[
                    E::PaceWith(super::access::PACE_ECDH_GM_3DES),
                    E::TaCompleted,
                ]),
                || {
                    let p = pace();
                    eac_setup(
                        move |profile| {
                            profile.pace_offers = p.pace_offers;
                            profile.chip_auth = p.chip_auth;
                            profile.options.bac = false;
                        },
                        None,
                        Some(utopia_terminal()?),
                        ChipFaults::default(),
                    )
                },
            )
        },
        Case {
            eac: EAC_DG3,
            ..case(
                P51,
                "ISO7816_E_32",
                Unit::TerminalAuthentication,
                "Trust-anchor update by a CVCA link certificate",
                "BSI TR-03110-3 A.6.2.3 (link certificates), TR-03110-1 §2.2.4",
                "CFG.DFLT.EAC trusting minted CVCA UTCVCA00001; the IS's DV and terminal are under \
                 UTCVCA00002, and it holds the link certificate UTCVCA00001 → UTCVCA00002",
                Successful,
                "TR-03105-5.1 §5.5.32: successful. The link certificate is imported first, then \
                 the chain under the new CVCA.",
                E::All(&[E::TaLinkImported, E::TaCompleted]),
                || {
                    let old = mint("ta e32", ec(HashAlgorithm::Sha256), AccessRights::ALL, 7305)?;
                    let mut rng = SeededRng::new(b"ta e32 link");
                    let (new, link) = linked(&old, "UTCVCA00002", &mut rng)?;
                    let mut terminal = terminal_of(&new);
                    terminal.certificates.insert(0, link);
                    eac_setup(
                        |_| {},
                        Some((vec![old.cvca.certificate.clone()], chip_date()?)),
                        Some(terminal),
                        ChipFaults::default(),
                    )
                },
            )
        },
        Case {
            eac: EAC_DG3,
            ..case(
                P51,
                "ISO7816_E_33",
                Unit::TerminalAuthentication,
                "Two trust-anchor updates in a row",
                "BSI TR-03110-3 A.6.2.3",
                "CFG.DFLT.EAC trusting UTCVCA00001; the IS holds links UTCVCA00001 → UTCVCA00002 → \
                 UTCVCA00003 and a DV and terminal under UTCVCA00003",
                Successful,
                "TR-03105-5.1 §5.5.33: successful. Both links are imported in order.",
                E::All(&[E::TaLinkImported, E::TaCompleted]),
                || {
                    let first = mint("ta e33", ec(HashAlgorithm::Sha256), AccessRights::ALL, 7305)?;
                    let mut rng = SeededRng::new(b"ta e33 links");
                    let (second, link1) = linked(&first, "UTCVCA00002", &mut rng)?;
                    let (third, link2) = linked(&second, "UTCVCA00003", &mut rng)?;
                    let mut terminal = terminal_of(&third);
                    terminal.certificates.insert(0, link2);
                    terminal.certificates.insert(0, link1);
                    eac_setup(
                        |_| {},
                        Some((vec![first.cvca.certificate.clone()], chip_date()?)),
                        Some(terminal),
                        ChipFaults::default(),
                    )
                },
            )
        },
        Case {
            eac: EAC_DG3,
            ..case(
                P51,
                "ISO7816_E_34",
                Unit::TerminalAuthentication,
                "A trust-anchor update offered but not needed",
                "BSI TR-03110-3 A.6.2",
                "CFG.DFLT.EAC trusting UTCVCA00001 and UTCVCA00002 (EF.CVCA lists both); the IS \
                 holds the link certificate and a chain under UTCVCA00002",
                Successful,
                "TR-03105-5.1 §5.5.34: successful. The chain starts at a trust point EF.CVCA lists.",
                E::TaCompleted,
                || {
                    let old = mint("ta e34", ec(HashAlgorithm::Sha256), AccessRights::ALL, 7305)?;
                    let mut rng = SeededRng::new(b"ta e34 link");
                    let (new, link) = linked(&old, "UTCVCA00002", &mut rng)?;
                    let mut terminal = terminal_of(&new);
                    terminal.certificates.insert(0, link);
                    eac_setup(
                        |_| {},
                        Some((
                            vec![old.cvca.certificate.clone(), new.cvca.certificate.clone()],
                            chip_date()?,
                        )),
                        Some(terminal),
                        ChipFaults::default(),
                    )
                },
            )
        },
        // ---------------------------------------------------------------- Active Authentication
        case(
            P4,
            "ISO7816_E_01",
            Unit::ActiveAuthentication,
            "Active Authentication with RSA and SHA-1 (trailer BC)",
            "ICAO 9303-11 §6.1; ISO/IEC 9796-2 scheme 1",
            "CFG.DFLT.BAC with DG15: a 1024-bit RSA key",
            Successful,
            "The chip signs the terminal's challenge with its DG15 key.",
            E::AaSigned,
            || rsa_aa(None, ChipFaults::default()),
        ),
        case(
            P4,
            "ISO7816_E_02",
            Unit::ActiveAuthentication,
            "Active Authentication with ECDSA (P-256, SHA-256)",
            "ICAO 9303-11 §6.1, §9.2.6 (ActiveAuthenticationInfo)",
            "CFG.DFLT.BAC with DG15 (P-256) and DG14's ActiveAuthenticationInfo \
             (ecdsa-with-SHA256)",
            Successful,
            "The hash comes from DG14's ActiveAuthenticationInfo.",
            E::AaSigned,
            || {
                let profile = Profile {
                    active_auth: Some(AaKind::EcdsaP256),
                    ..bac()
                };
                setup(&profile, |_, _| Ok(()))
            },
        ),
        case(
            P4,
            "ISO7816_E_03",
            Unit::ActiveAuthentication,
            "Active Authentication with RSA and SHA-224 (trailer 38CC)",
            "ICAO 9303-11 §6.1; ISO/IEC 9796-2; ISO/IEC 10118-3 hash identifiers",
            "CFG.DFLT.BAC with DG15 (1024-bit RSA) signing with SHA-224",
            Successful,
            "The trailer names the hash.",
            E::AaSigned,
            || rsa_aa(Some(HashAlgorithm::Sha224), ChipFaults::default()),
        ),
        case(
            P4,
            "ISO7816_E_04",
            Unit::ActiveAuthentication,
            "Active Authentication with RSA and SHA-256 (trailer 34CC)",
            "ICAO 9303-11 §6.1; ISO/IEC 9796-2",
            "CFG.DFLT.BAC with DG15 (1024-bit RSA) signing with SHA-256",
            Successful,
            "The trailer names the hash.",
            E::AaSigned,
            || rsa_aa(Some(HashAlgorithm::Sha256), ChipFaults::default()),
        ),
        case(
            P4,
            "ISO7816_E_05",
            Unit::ActiveAuthentication,
            "Active Authentication with RSA and SHA-384 (trailer 36CC)",
            "ICAO 9303-11 §6.1; ISO/IEC 9796-2",
            "CFG.DFLT.BAC with DG15 (1024-bit RSA) signing with SHA-384",
            Successful,
            "The trailer names the hash.",
            E::AaSigned,
            || rsa_aa(Some(HashAlgorithm::Sha384), ChipFaults::default()),
        ),
        case(
            P4,
            "ISO7816_E_06",
            Unit::ActiveAuthentication,
            "Active Authentication with RSA and SHA-512 (trailer 35CC)",
            "ICAO 9303-11 §6.1; ISO/IEC 9796-2",
            "CFG.DFLT.BAC with DG15 (1024-bit RSA) signing with SHA-512",
            Successful,
            "The trailer names the hash.",
            E::AaSigned,
            || rsa_aa(Some(HashAlgorithm::Sha512), ChipFaults::default()),
        ),
        case(
            P4,
            "ISO7816_E_07",
            Unit::ActiveAuthentication,
            "Active Authentication with a wrong trailer",
            "ISO/IEC 9796-2 §B.6 (trailer), ICAO 9303-11 §6.1",
            "CFG.DFLT.BAC with DG15 (1024-bit RSA); the signed representative ends BD instead of \
             BC",
            Failed(Shown::Failed),
            "The signature is the key's, but the recovered message is not a valid ISO/IEC 9796-2 \
             representative: Active Authentication fails, the chip is not proven and the document \
             fails.",
            E::Fault(FaultKind::ActiveAuthentication),
            || {
                rsa_aa(
                    None,
                    ChipFaults {
                        aa_wrong_trailer: true,
                        ..ChipFaults::default()
                    },
                )
            },
        ),
        Case {
            names: Some("ActiveAuthenticationInfo"),
            ..case(
                P4,
                "ISO7816_E_08",
                Unit::ActiveAuthentication,
                "Active Authentication with an invalid signature algorithm OID",
                "ICAO 9303-11 §9.2.6 (ActiveAuthenticationInfo.signatureAlgorithm)",
                "CFG.DFLT.BAC with DG15 (P-256) whose DG14 ActiveAuthenticationInfo names \
             sha256WithRSAEncryption; EF.SOD re-signed",
                Failed(Shown::Failed),
                "We chose failed: the signed DG14 names an algorithm an ECDSA key cannot sign with, \
             so the chip's signature cannot be verified as DG14 says — Active Authentication fails.",
                E::FileServed(LdsFile::Dg(14)),
                || {
                    let profile = Profile {
                        active_auth: Some(AaKind::EcdsaP256),
                        ..bac()
                    };
                    setup(&profile, |chip, pki| {
                        edit_dg14(chip, pki, |entries| {
                            for e in entries.iter_mut() {
                                if protocol_of(e) == [0x67, 0x81, 0x08, 0x01, 0x01, 0x05] {
                                    *e = asn1::der::sequence(&[
                                        &asn1::der::tlv(
                                            0x06,
                                            &[0x67, 0x81, 0x08, 0x01, 0x01, 0x05],
                                        ),
                                        &asn1::der::integer_u64(1),
                                        &asn1::der::tlv(
                                            0x06,
                                            &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B],
                                        ),
                                    ]);
                                }
                            }
                            Ok(())
                        })
                    })
                },
            )
        },
    ]
}
