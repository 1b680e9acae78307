//! Cases of the LDS encodings: EF.COM, DG1, DG2 (ICAO Part 4 LDS_A–C), DG3, DG14, EF.CVCA, DG15
//! (TR-03105-5.1 §6.4–6.9) and our own DG11 case.

use super::access::{case, dg2_with_faces};
use super::auth::{ID_PK_ECDH, dg14_entries, protocol_of, utopia_eac};
use super::fixtures::{self, bac, content, replace_signed, setup};
use super::{Case, Eac, Evidence, Expected, Setup, Shown, Source, Unit};
use crate::fault::ChipFaults;
use crate::profile::{BRP_FINGERPRINTS, FingerSample, Profile, encode_dg3_iso19794_4};
use icao9303::asn1;
use icao9303::lds::LdsFile;
use icao9303::lds::dg1::Dg1;
use icao9303::mrz::check_digit;
use std::sync::OnceLock;

/// The passport's MRZ lines (TD3) with the optional data `personal` and check digits computed, then
/// `edit` applied to line 2 (to break one check digit).
fn td3_lines(personal: &str, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<String> {
    let (doc, dob, doe) = ("L898902C<", "690806", "940623");
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
    let mut bytes = line2.into_bytes();
    edit(&mut bytes);
    vec![
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".into(),
        String::from_utf8_lossy(&bytes).into_owned(),
    ]
}

/// The BAC passport whose DG1 holds `lines` (EF.SOD re-signed over it; the chip's BAC key stays the
/// printed MRZ's).
fn with_dg1(lines: Vec<String>) -> Result<Setup, String> {
    setup(&bac(), move |chip, pki| {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        replace_signed(chip, pki, 1, Dg1::encode(&refs))
    })
}

/// Changes the digit at `at` of MRZ line 2 to the next digit.
fn bump(at: usize) -> impl FnOnce(&mut Vec<u8>) {
    move |line| {
        if let Some(b) = line.get_mut(at) {
            *b = if *b == b'9' { b'0' } else { *b + 1 };
        }
    }
}

/// A file whose outer length is changed by `delta` (a long-form length of two bytes: `82 hi lo`).
fn with_length_delta(bytes: &[u8], delta: i32) -> Result<Vec<u8>, String> {
    let mut out = bytes.to_vec();
    let at = match out.get(1..3) {
        Some([0x82, _]) => 2,
        _ => match out.get(2..4) {
            Some([0x82, _]) => 3,
            _ => return Err("not a two-byte long-form length".into()),
        },
    };
    let len = u16::from_be_bytes([out[at], out[at + 1]]) as i32 + delta;
    let len = u16::try_from(len).map_err(|e| e.to_string())?;
    out[at..at + 2].copy_from_slice(&len.to_be_bytes());
    Ok(out)
}

/// CFG.DFLT.EAC with DG3 replaced by `dg3` (EF.SOD re-signed), read by the Utopia test terminal.
fn with_dg3(dg3: Vec<u8>) -> Result<Setup, String> {
    let mut setup = utopia_eac(ChipFaults::default())?;
    let card = fixtures::personalize(&fixtures::eac())?;
    replace_signed(&mut setup.chip, &card.pki, 3, dg3)?;
    Ok(setup)
}

/// A 100×100 8-bit grey gradient, the raw image of LDS_D_16.
fn raw_finger() -> &'static [u8] {
    static RAW: OnceLock<Vec<u8>> = OnceLock::new();
    RAW.get_or_init(|| {
        (0..100u32 * 100)
            .map(|i| ((i % 100 + i / 100) % 256) as u8)
            .collect()
    })
}

/// DG3 with the second template's 5F2E (the finger record) left out.
fn dg3_without_second_image() -> Result<Vec<u8>, String> {
    let dg3 = encode_dg3_iso19794_4(&BRP_FINGERPRINTS);
    let outer = asn1::parse_tagged(&dg3, 0x63).map_err(|e| e.to_string())?;
    let group = asn1::parse_tagged(outer.value, 0x7F61).map_err(|e| e.to_string())?;
    let children = group.children().map_err(|e| e.to_string())?;
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut templates = 0;
    for c in &children {
        if c.tag == 0x7F60 {
            templates += 1;
            if templates == 2 {
                let header = c
                    .children()
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .find(|h| h.tag == 0xA1)
                    .ok_or("no biometric header template")?
                    .raw
                    .to_vec();
                parts.push(asn1::der::tlv(0x7F60, &header));
                continue;
            }
        }
        parts.push(c.raw.to_vec());
    }
    Ok(asn1::der::tlv(
        0x63,
        &asn1::der::constructed(0x7F61, &parts.iter().map(Vec::as_slice).collect::<Vec<_>>()),
    ))
}

/// The BAC passport with Chip Authentication (AES-128, P-256), DG14 changed by `edit`.
fn with_dg14(edit: impl FnOnce(Vec<u8>) -> Result<Vec<u8>, String>) -> Result<Setup, String> {
    let profile = Profile {
        chip_auth: Some((
            icao9303::crypto::ec::EcCurve::NistP256,
            icao9303::crypto::cipher::CipherAlgorithm::Aes128,
        )),
        ..bac()
    };
    setup(&profile, move |chip, pki| {
        let dg14 = content(chip, LdsFile::Dg(14))?;
        replace_signed(chip, pki, 14, edit(dg14)?)
    })
}

/// DG14 with its SecurityInfos changed by `edit`.
fn dg14_edited(
    dg14: Vec<u8>,
    edit: impl FnOnce(&mut Vec<Vec<u8>>) -> Result<(), String>,
) -> Result<Vec<u8>, String> {
    let mut entries = dg14_entries(&dg14)?;
    edit(&mut entries)?;
    Ok(asn1::der::tlv(
        0x6E,
        &icao9303::lds::security_infos::SecurityInfos::encode(&entries),
    ))
}

/// id-CA-ECDH-AES-CBC-CMAC-128 (0.4.0.127.0.7.2.2.3.2.2).
const ID_CA_ECDH_AES128: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, 0x02];

/// A SecurityInfo with its first OID (the protocol) replaced by `oid`, or its second element (the
/// version) replaced by `version` (`None`: the version left out, and the keyId after it, which would
/// otherwise read as the version).
fn rebuild_info(
    entry: &[u8],
    oid: Option<&[u8]>,
    version: Option<Option<u64>>,
) -> Result<Vec<u8>, String> {
    let seq = asn1::parse_tagged(entry, 0x30).map_err(|e| e.to_string())?;
    let children = seq.children().map_err(|e| e.to_string())?;
    let mut parts: Vec<Vec<u8>> = children.iter().map(|c| c.raw.to_vec()).collect();
    if let (Some(oid), Some(first)) = (oid, parts.first_mut()) {
        *first = asn1::der::tlv(0x06, oid);
    }
    match version {
        Some(Some(v)) if parts.len() > 1 => parts[1] = asn1::der::integer_u64(v),
        Some(None) => parts.truncate(1),
        _ => {}
    }
    Ok(asn1::der::sequence(
        &parts.iter().map(Vec::as_slice).collect::<Vec<_>>(),
    ))
}

const EAC_DG3: Option<Eac> = Some(Eac {
    dg3: true,
    dg4: false,
});

pub(super) fn cases() -> Vec<Case> {
    use Evidence as E;
    use Expected::{Failed, Successful};
    use Source::{IcaoPart4 as P4, Own, Tr03105Part5_1 as P51};
    let lds = Unit::Lds;
    vec![
        // ---------------------------------------------------------------- DG1
        case(
            P4,
            "LDS_B_04",
            lds,
            "DG1: empty optional data with check digit 0 instead of <",
            "ICAO 9303-4 §4.2.2.1 (TD3 line 2, positions 29–43)",
            "CFG.DFLT.BAC; optional data all fillers, its check digit '0'; DG1 and the printed MRZ \
             alike",
            Successful,
            "9303-4 allows either '<' or '0' as the check digit of empty optional data; '0' is also \
             the computed value. The composite check digit covers it as printed.",
            E::FileServed(LdsFile::Dg(1)),
            || with_dg1(td3_lines("<<<<<<<<<<<<<<", |_| {})),
        ),
        case(
            P4,
            "LDS_B_13",
            lds,
            "DG1: wrong document number check digit",
            "ICAO 9303-3 §4.9 (check digits), 9303-4 §4.2.2",
            "CFG.DFLT.BAC; DG1's document number check digit off by one (the composite computed \
             over it), EF.SOD re-signed; the printed MRZ is right",
            Failed(Shown::Failed),
            "A signed MRZ with a wrong check digit is a defective document: the MRZ check fails. \
             (Access control uses the printed MRZ, so the chip can be read.)",
            E::FileServed(LdsFile::Dg(1)),
            || {
                with_dg1(td3_lines("ZE184226B<<<<<", |line| {
                    bump(9)(line);
                    recompute_composite(line);
                }))
            },
        ),
        case(
            P4,
            "LDS_B_17",
            lds,
            "DG1: wrong date of birth check digit",
            "ICAO 9303-3 §4.9, 9303-4 §4.2.2",
            "CFG.DFLT.BAC; DG1's date of birth check digit off by one (composite recomputed), \
             EF.SOD re-signed",
            Failed(Shown::Failed),
            "As LDS_B_13.",
            E::FileServed(LdsFile::Dg(1)),
            || {
                with_dg1(td3_lines("ZE184226B<<<<<", |line| {
                    bump(19)(line);
                    recompute_composite(line);
                }))
            },
        ),
        case(
            P4,
            "LDS_B_23",
            lds,
            "DG1: wrong composite check digit",
            "ICAO 9303-3 §4.9, 9303-4 §4.2.2",
            "CFG.DFLT.BAC; DG1's composite check digit off by one, EF.SOD re-signed",
            Failed(Shown::Failed),
            "As LDS_B_13.",
            E::FileServed(LdsFile::Dg(1)),
            || with_dg1(td3_lines("ZE184226B<<<<<", bump(43))),
        ),
        // ---------------------------------------------------------------- DG2
        case(
            P4,
            "LDS_C_05",
            lds,
            "DG2: the length of tag 75 is one byte too small",
            "ICAO 9303-10 §4.7.2; ISO/IEC 8825-1 (BER lengths)",
            "CFG.DFLT.BAC; DG2's outer length one less than its content; EF.SOD hashes the file as \
             stored",
            Failed(Shown::Failed),
            "The reader reads the data object its header declares, one byte short of what EF.SOD \
             signed: the hash fails (and the truncated structure would not parse).",
            E::ServedFrom(LdsFile::Dg(2), 16_000),
            || {
                setup(&bac(), |chip, pki| {
                    let dg2 = content(chip, LdsFile::Dg(2))?;
                    replace_signed(chip, pki, 2, with_length_delta(&dg2, -1)?)
                })
            },
        ),
        case(
            P4,
            "LDS_C_06",
            lds,
            "DG2: the length of tag 75 is one byte too big",
            "ICAO 9303-10 §4.7.2; ISO/IEC 8825-1",
            "CFG.DFLT.BAC; DG2's outer length one more than the file holds; EF.SOD hashes the file \
             as stored",
            Failed(Shown::ReadError),
            "The file ends before the length its header declares: the read of DG2 cannot complete \
             and the reader says so (it never pads or guesses the missing byte).",
            E::FileServed(LdsFile::Dg(2)),
            || {
                setup(&bac(), |chip, pki| {
                    let dg2 = content(chip, LdsFile::Dg(2))?;
                    replace_signed(chip, pki, 2, with_length_delta(&dg2, 1)?)
                })
            },
        ),
        case(
            P4,
            "LDS_C_02",
            lds,
            "DG2 with two faces",
            "ICAO 9303-10 §4.7.2 (several biometric information templates)",
            "CFG.DFLT.BAC; DG2 holds two facial records",
            Successful,
            "The biometric information group template may hold several templates.",
            E::FileServed(LdsFile::Dg(2)),
            || {
                let dg2 = dg2_with_faces(2)?;
                setup(&bac(), move |chip, pki| replace_signed(chip, pki, 2, dg2))
            },
        ),
        // ---------------------------------------------------------------- DG3
        Case {
            eac: EAC_DG3,
            ..case(
                P51,
                "LDS_D_02",
                lds,
                "DG3 with two WSQ fingerprints",
                "ICAO 9303-10 §4.7.3; ISO/IEC 19794-4",
                "CFG.DFLT.EAC: DG3 with two WSQ records, read after TA by the Utopia test terminal",
                Successful,
                "TR-03105-5.1 §6.4.2: successful.",
                E::FileServed(LdsFile::Dg(3)),
                || utopia_eac(ChipFaults::default()),
            )
        },
        Case {
            eac: EAC_DG3,
            ..case(
                P51,
                "LDS_D_03",
                lds,
                "DG3 with three WSQ fingerprints",
                "ICAO 9303-10 §4.7.3",
                "CFG.DFLT.EAC; DG3 with three WSQ records",
                Successful,
                "TR-03105-5.1 §6.4.3: successful.",
                E::FileServed(LdsFile::Dg(3)),
                || {
                    let third = FingerSample {
                        position: 3,
                        ..BRP_FINGERPRINTS[0]
                    };
                    with_dg3(encode_dg3_iso19794_4(&[
                        BRP_FINGERPRINTS[0],
                        BRP_FINGERPRINTS[1],
                        third,
                    ]))
                },
            )
        },
        case(
            P51,
            "LDS_D_04",
            lds,
            "DG3 under tag 64 instead of 63",
            "ICAO 9303-10 §4.7.3 (DG3 is tag 63)",
            "CFG.DFLT.EAC; DG3's tag 64, EF.SOD re-signed over it",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.4.4: failed. The signed data group is not a DG3: its structure check \
             fails.",
            E::FileServed(LdsFile::Dg(3)),
            || {
                let mut dg3 = encode_dg3_iso19794_4(&BRP_FINGERPRINTS);
                dg3[0] = 0x64;
                with_dg3(dg3)
            },
        ),
        case(
            P51,
            "LDS_D_05",
            lds,
            "DG3: the length of tag 63 is too small",
            "ICAO 9303-10 §4.7.3",
            "CFG.DFLT.EAC; DG3's outer length one less than its content, EF.SOD over the file as \
             stored",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.4.5: failed. The data object read is a byte short of what EF.SOD \
             signed: the hash fails.",
            E::ServedFrom(LdsFile::Dg(3), 1000),
            || {
                let dg3 = encode_dg3_iso19794_4(&BRP_FINGERPRINTS);
                with_dg3(with_length_delta(&dg3, -1)?)
            },
        ),
        case(
            P51,
            "LDS_D_06",
            lds,
            "DG3: the length of tag 63 is too big",
            "ICAO 9303-10 §4.7.3",
            "CFG.DFLT.EAC; DG3's outer length one more than the file holds",
            Failed(Shown::ReadError),
            "TR-03105-5.1 §6.4.6: failed. The file ends before its declared length: the read \
             cannot complete.",
            E::FileServed(LdsFile::Dg(3)),
            || {
                let dg3 = encode_dg3_iso19794_4(&BRP_FINGERPRINTS);
                with_dg3(with_length_delta(&dg3, 1)?)
            },
        ),
        case(
            P51,
            "LDS_D_15",
            lds,
            "DG3: the second template has no fingerprint image (5F2E)",
            "ICAO 9303-10 §4.7.3 (each template: header and biometric data block)",
            "CFG.DFLT.EAC; DG3's second biometric information template holds only its header, \
             EF.SOD re-signed",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.4.15: failed. The signed DG3 is malformed: its structure check fails.",
            E::FileServed(LdsFile::Dg(3)),
            || with_dg3(dg3_without_second_image()?),
        ),
        Case {
            eac: EAC_DG3,
            ..case(
                P51,
                "LDS_D_16",
                lds,
                "DG3 with two RAW fingerprint images",
                "ICAO 9303-10 §4.7.3; ISO/IEC 19794-4 (compression 0: uncompressed)",
                "CFG.DFLT.EAC; DG3 with two 100×100 8-bit raw finger records",
                Successful,
                "TR-03105-5.1 §6.4.16: successful.",
                E::FileServed(LdsFile::Dg(3)),
                || {
                    let raw = |position| FingerSample {
                        position,
                        width: 100,
                        height: 100,
                        ppi: 500,
                        compression: 0,
                        image: raw_finger(),
                    };
                    with_dg3(encode_dg3_iso19794_4(&[raw(2), raw(7)]))
                },
            )
        },
        // ---------------------------------------------------------------- DG11
        case(
            Own,
            "LDS_01",
            lds,
            "DG11 with a data object of an unknown tag",
            "ICAO 9303-10 §4.7.11 (unknown tags are kept, not refused)",
            "CFG.DFLT.BAC with DG11 (name, date and place of birth) and a 5F7F object the tag list \
             names, EF.SOD re-signed",
            Successful,
            "A signed DG11 with a field this reader does not know is still the issuer's: the field \
             is kept and shown as unknown with a warning, the document verifies.",
            E::FileServed(LdsFile::Dg(11)),
            || {
                let dg11 = asn1::der::constructed(
                    0x6B,
                    &[
                        &asn1::der::tlv(0x5C, &[0x5F, 0x0E, 0x5F, 0x2B, 0x5F, 0x7F]),
                        &asn1::der::tlv(0x5F0E, b"ERIKSSON<<ANNA<MARIA"),
                        &asn1::der::tlv(0x5F2B, b"19690806"),
                        &asn1::der::tlv(0x5F7F, b"proprietary"),
                    ],
                );
                setup(&bac(), move |chip, pki| replace_signed(chip, pki, 11, dg11))
            },
        ),
        case(
            Own,
            "LDS_02",
            lds,
            "DG11 on the chip and in EF.COM, but not in EF.SOD",
            "ICAO 9303-10 §4.6.2 (EF.SOD hashes every data group)",
            "brp-unsigned-dg11: a DG11 naming someone else, listed in EF.COM, not hashed in EF.SOD",
            Failed(Shown::Failed),
            "Unsigned data on the chip is a forger's: the data group fails its hash check.",
            E::FileServed(LdsFile::Dg(11)),
            || setup(&Profile::brp_unsigned_dg11(), |_, _| Ok(())),
        ),
        // ---------------------------------------------------------------- DG14
        case(
            P51,
            "LDS_F_01",
            lds,
            "DG14 under tag 6F instead of 6E",
            "ICAO 9303-10 §4.7.14 (DG14 is tag 6E)",
            "CFG.DFLT.BAC with Chip Authentication; DG14's tag 6F, EF.SOD re-signed",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.6.1: failed. The signed DG14 is malformed: its structure check fails \
             and Chip Authentication cannot use it.",
            E::FileServed(LdsFile::Dg(14)),
            || {
                with_dg14(|mut dg14| {
                    dg14[0] = 0x6F;
                    Ok(dg14)
                })
            },
        ),
        case(
            P51,
            "LDS_F_04",
            lds,
            "DG14: the Chip Authentication public key info has an illegal OID",
            "ICAO 9303-11 §9.2.5 (id-PK-DH / id-PK-ECDH)",
            "CFG.DFLT.BAC with Chip Authentication; the ChipAuthenticationPublicKeyInfo's protocol \
             is id-CA-ECDH-AES-CBC-CMAC-128 instead of id-PK-ECDH, EF.SOD re-signed",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.6.4: failed. DG14 announces Chip Authentication but publishes no key \
             under a valid OID: the signed file is inconsistent and the chip cannot be proven.",
            E::FileServed(LdsFile::Dg(14)),
            || {
                with_dg14(|dg14| {
                    dg14_edited(dg14, |entries| {
                        for e in entries.iter_mut() {
                            if protocol_of(e) == ID_PK_ECDH {
                                *e = rebuild_info(e, Some(ID_CA_ECDH_AES128), None)?;
                            }
                        }
                        Ok(())
                    })
                })
            },
        ),
        case(
            P51,
            "LDS_F_06",
            lds,
            "DG14: ChipAuthenticationInfo with an incorrect version",
            "ICAO 9303-11 §9.2.4 (version 1)",
            "CFG.DFLT.BAC with Chip Authentication; the ChipAuthenticationInfo's version is 5, \
             EF.SOD re-signed",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.6.6: failed. Chip Authentication version 5 does not exist: the signed \
             DG14 is malformed.",
            E::FileServed(LdsFile::Dg(14)),
            || {
                with_dg14(|dg14| {
                    dg14_edited(dg14, |entries| {
                        for e in entries.iter_mut() {
                            if protocol_of(e) == ID_CA_ECDH_AES128 {
                                *e = rebuild_info(e, None, Some(Some(5)))?;
                            }
                        }
                        Ok(())
                    })
                })
            },
        ),
        case(
            P51,
            "LDS_F_07",
            lds,
            "DG14: ChipAuthenticationInfo without its version",
            "ICAO 9303-11 §9.2.4",
            "CFG.DFLT.BAC with Chip Authentication; the ChipAuthenticationInfo holds its protocol \
             OID only (version and keyId left out: a keyId alone would read as the version), EF.SOD \
             re-signed",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.6.7: failed. A mandatory element is missing: the signed DG14 is \
             malformed.",
            E::FileServed(LdsFile::Dg(14)),
            || {
                with_dg14(|dg14| {
                    dg14_edited(dg14, |entries| {
                        for e in entries.iter_mut() {
                            if protocol_of(e) == ID_CA_ECDH_AES128 {
                                *e = rebuild_info(e, None, Some(None))?;
                            }
                        }
                        Ok(())
                    })
                })
            },
        ),
        // ---------------------------------------------------------------- EF.CVCA
        case(
            P51,
            "LDS_G_01",
            lds,
            "EF.CVCA: the first CAR is not under tag 42",
            "BSI TR-03110-3 A.6.2 (EF.CVCA: CARs under tag 42)",
            "CFG.DFLT.EAC; EF.CVCA's CAR under tag 43",
            Failed(Shown::TerminalAuthentication),
            "TR-03105-5.1 §6.7.1: failed. The trust point cannot be named: Terminal Authentication \
             does not run and DG3 stays closed.",
            E::FileServed(LdsFile::Cvca),
            || {
                let mut cvca = icao9303::pki::cvc::encode_ef_cvca(&[
                    icao9303::pki::cvc::CertificateReference::new("UTCVCA00001")
                        .map_err(|e| e.to_string())?,
                ]);
                cvca[0] = 0x43;
                utopia_eac(ChipFaults {
                    ef_cvca: Some(cvca),
                    ..ChipFaults::default()
                })
            },
        ),
        case(
            P51,
            "LDS_G_02",
            lds,
            "EF.CVCA empty: no trust point",
            "BSI TR-03110-3 A.6.2",
            "CFG.DFLT.EAC; EF.CVCA is an empty file",
            Failed(Shown::TerminalAuthentication),
            "TR-03105-5.1 §6.7.2: failed.",
            E::Status(0x6982),
            || {
                utopia_eac(ChipFaults {
                    ef_cvca: Some(Vec::new()),
                    ..ChipFaults::default()
                })
            },
        ),
        // ---------------------------------------------------------------- DG15
        case(
            P51,
            "LDS_I_01",
            lds,
            "DG15 under tag 70 instead of 6F",
            "ICAO 9303-10 §4.7.15 (DG15 is tag 6F)",
            "CFG.DFLT.BAC with Active Authentication (P-256); DG15's tag 70, EF.SOD re-signed",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.9.1: failed. The signed DG15 is malformed: its structure check fails \
             and Active Authentication has no key.",
            E::FileServed(LdsFile::Dg(15)),
            || {
                let profile = Profile {
                    active_auth: Some(crate::profile::AaKind::EcdsaP256),
                    ..bac()
                };
                setup(&profile, |chip, pki| {
                    let mut dg15 = content(chip, LdsFile::Dg(15))?;
                    dg15[0] = 0x70;
                    replace_signed(chip, pki, 15, dg15)
                })
            },
        ),
    ]
}

/// Recomputes the composite check digit (position 43) of a TD3 line 2.
fn recompute_composite(line: &mut [u8]) {
    let text = String::from_utf8_lossy(line).into_owned();
    if text.len() < 44 {
        return;
    }
    let composite = format!("{}{}{}", &text[0..10], &text[13..20], &text[21..43]);
    if let Some(b) = line.get_mut(43) {
        *b = b'0' + check_digit(&composite).unwrap_or(0);
    }
}
