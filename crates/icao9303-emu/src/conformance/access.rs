//! Cases of the application protocol up to the data: application selection, BAC and secure messaging,
//! READ BINARY, PACE (TR-03105-5.1 §5.1–5.3 and §5.7; ICAO Part 4 units ISO7816_A, B, C, D and F).

use super::fixtures::{self, bac, content, pace, put, setup};
use super::{Case, Evidence, Expected, Setup, Shown, Source, Unit};
use crate::chip::ExtendedLengthBehaviour;
use crate::fault::{BacFault, ChipFaults, EndOfFile, PaceFault, SmFault, SmFaultKind};
use crate::pace::PaceOffer;
use crate::profile::Profile;
use crate::stats::FaultKind;
use icao9303::apdu::StatusWord;
use icao9303::asn1;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::lds::LdsFile;
use icao9303::lds::security_infos::Mapping;

/// id-PACE-ECDH-GM-3DES-CBC-CBC.
pub(super) const PACE_ECDH_GM_3DES: &[u8] =
    &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x01];
/// id-PACE-ECDH-GM-AES-CBC-CMAC-256.
const PACE_ECDH_GM_AES256: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x04];
/// id-PACE-ECDH-GM-AES-CBC-CMAC-128.
const PACE_ECDH_GM_AES128: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x02, 0x02];
/// id-PACE-DH-GM-AES-CBC-CMAC-128.
const PACE_DH_GM_AES128: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x01, 0x02];
/// id-PACE-ECDH-IM-AES-CBC-CMAC-128.
const PACE_ECDH_IM_AES128: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x04, 0x02];
/// 0.4.0.127.0.7.2.2.4.5.2: where "id-PACE-DH-CAM-AES-CBC-CMAC-128" would be; TR-03110 defines Chip
/// Authentication Mapping for ECDH only (arc 6), so no such protocol exists.
const INVALID_PACE_DH_CAM: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x05, 0x02];

#[allow(clippy::too_many_arguments)]
pub(super) fn case(
    source: Source,
    standard_id: &'static str,
    unit: Unit,
    title: &'static str,
    clause: &'static str,
    configuration: &'static str,
    expected: Expected,
    rationale: &'static str,
    evidence: Evidence,
    build: fn() -> Result<Setup, String>,
) -> Case {
    Case {
        source,
        standard_id,
        variant: None,
        unit,
        title,
        clause,
        configuration,
        expected,
        eac: None,
        rationale,
        names: None,
        evidence,
        build,
    }
}

/// `profile` personalised with `faults` set.
pub(super) fn faulted(profile: &Profile, faults: ChipFaults) -> Result<Setup, String> {
    setup(profile, |chip, _| {
        chip.set_faults(faults);
        Ok(())
    })
}

/// The first READ BINARY answer of `file` at `from` or beyond malformed as `kind` says.
fn sm_fault(file: LdsFile, from: usize, kind: SmFaultKind) -> Result<Setup, String> {
    faulted(
        &bac(),
        ChipFaults {
            secure_messaging: Some(SmFault { file, from, kind }),
            ..ChipFaults::default()
        },
    )
}

/// DG2 holding `n` copies of the synthetic face (one biometric information template each): 16.5 KB a
/// face.
pub(super) fn dg2_with_faces(n: u8) -> Result<Vec<u8>, String> {
    let one = crate::profile::encode_dg2_iso19794(crate::profile::SYNTHETIC_FACE_JP2, 240, 320);
    let outer = asn1::parse_tagged(&one, 0x75).map_err(|e| e.to_string())?;
    let group = asn1::parse_tagged(outer.value, 0x7F61).map_err(|e| e.to_string())?;
    let children = group.children().map_err(|e| e.to_string())?;
    let template = children
        .iter()
        .find(|c| c.tag == 0x7F60)
        .ok_or("no biometric information template")?
        .raw
        .to_vec();
    let count = asn1::der::tlv(0x02, &[n]);
    let mut parts: Vec<&[u8]> = vec![&count];
    for _ in 0..n {
        parts.push(&template);
    }
    Ok(asn1::der::tlv(
        0x75,
        &asn1::der::constructed(0x7F61, &parts),
    ))
}

/// The BAC passport with a DG2 of three faces (about 50 KB: beyond offset 32767).
fn large_dg2(faults: ChipFaults) -> Result<Setup, String> {
    let dg2 = dg2_with_faces(3)?;
    setup(&bac(), move |chip, pki| {
        fixtures::replace_signed(chip, pki, 2, dg2)?;
        chip.set_faults(faults);
        Ok(())
    })
}

/// The PACE passport offering `offers` (MRZ password), the application refused before PACE.
fn pace_offering(offers: Vec<PaceOffer>, faults: ChipFaults) -> Result<Setup, String> {
    let profile = Profile {
        pace_offers: offers,
        ..pace()
    };
    faulted(
        &profile,
        ChipFaults {
            application_needs_pace: true,
            ..faults
        },
    )
}

fn gm(cipher: CipherAlgorithm, parameter_id: u32) -> PaceOffer {
    PaceOffer {
        mapping: Mapping::Generic,
        cipher,
        parameter_id,
    }
}

pub(super) fn cases() -> Vec<Case> {
    use Evidence as E;
    use Expected::{Failed, Successful};
    use Source::{IcaoPart4 as P4, Own, Tr03105Part5_1 as P51};
    vec![
        // ---------------------------------------------------------------- application selection
        case(
            P4,
            "ISO7816_A_02",
            Unit::ApplicationSelection,
            "BAC passport: select the application, BAC, read",
            "ICAO 9303-11 §4.3, §9.8; ISO/IEC 7816-4 SELECT",
            "CFG.DFLT.BAC: BAC only, DG1 and DG2, EF.SOD (ECDSA P-256) by a Utopia test DSC",
            Successful,
            "The positive case: every file read, every hash and the signature chain valid.",
            E::All(&[
                E::BacCompleted,
                E::FileServed(LdsFile::Sod),
                E::FileServed(LdsFile::Dg(1)),
                E::FileServed(LdsFile::Dg(2)),
            ]),
            || setup(&bac(), |_, _| Ok(())),
        ),
        case(
            P4,
            "ISO7816_A_04",
            Unit::ApplicationSelection,
            "The chip refuses the eMRTD application (6A82)",
            "ICAO 9303-10 §3.6.1 (application AID), ISO/IEC 7816-4 §7.1.1",
            "CFG.DFLT.BAC; SELECT of the eMRTD application answered 6A82",
            Failed(Shown::ReadError),
            "Without the application nothing can be read or verified: the read ends, naming the \
             refused selection (TR-03105-5.1 lists the case as a failure to be reported).",
            E::Fault(FaultKind::ApplicationSelection),
            || {
                fixtures_faulted_bac(ChipFaults {
                    application_select: Some(StatusWord::FILE_NOT_FOUND),
                    ..ChipFaults::default()
                })
            },
        ),
        // ---------------------------------------------------------------- BAC and secure messaging
        Case {
            names: Some("MAC"),
            ..case(
                P4,
                "ISO7816_B_01",
                Unit::BacSecureMessaging,
                "BAC: wrong MAC on the chip's mutual authentication answer",
                "ICAO 9303-11 §4.3.3.2 (EXTERNAL AUTHENTICATE response), §9.8",
                "CFG.DFLT.BAC; the MAC of E.IC ‖ M.IC changed",
                Failed(Shown::ReadError),
                "The chip's answer is not authentic: no session key may be derived from it, so access \
             control fails and nothing is read. The error names the MAC, not a wrong MRZ: the \
             inspection system's MRZ was right.",
                E::Fault(FaultKind::Bac),
                || {
                    fixtures_faulted_bac(ChipFaults {
                        bac: Some(BacFault::WrongMac),
                        ..ChipFaults::default()
                    })
                },
            )
        },
        case(
            P4,
            "ISO7816_B_02",
            Unit::BacSecureMessaging,
            "BAC: the chip's cryptogram holds another RND.IFD (MAC valid)",
            "ICAO 9303-11 §4.3.3.2 (the terminal checks RND.IFD)",
            "CFG.DFLT.BAC; E.IC sealed correctly around a changed RND.IFD",
            Failed(Shown::ReadError),
            "A MAC-valid answer that does not return the terminal's nonce is not this session's \
             answer (a replay or a wrong key): access control fails.",
            E::Fault(FaultKind::Bac),
            || {
                fixtures_faulted_bac(ChipFaults {
                    bac: Some(BacFault::WrongCryptogram),
                    ..ChipFaults::default()
                })
            },
        ),
        case(
            P4,
            "ISO7816_B_03",
            Unit::BacSecureMessaging,
            "BAC: mutual authentication refused (6300)",
            "ICAO 9303-11 §4.3.3.2",
            "CFG.DFLT.BAC; EXTERNAL AUTHENTICATE answered 6300",
            Failed(Shown::ReadError),
            "The chip refuses the terminal's cryptogram (a wrong MRZ on the chip's side): access \
             denied, nothing read.",
            E::Fault(FaultKind::Bac),
            || {
                fixtures_faulted_bac(ChipFaults {
                    bac: Some(BacFault::Refuse(StatusWord::AUTH_FAILED)),
                    ..ChipFaults::default()
                })
            },
        ),
        case(
            P4,
            "ISO7816_D_01",
            Unit::BacSecureMessaging,
            "SM: the chip answers a secure messaging error (6988) and ends the session",
            "ICAO 9303-11 §9.8.6",
            "CFG.DFLT.BAC; READ BINARY of DG1 answered with a plain 6988",
            Failed(Shown::ReadError),
            "The chip ended secure messaging: DG1 cannot be read in this session, and a status word \
             outside secure messaging proves nothing. The read ends and says why.",
            E::Fault(FaultKind::SecureMessaging),
            || {
                sm_fault(
                    LdsFile::Dg(1),
                    0,
                    SmFaultKind::PlainError(StatusWord::SM_OBJECTS_INCORRECT),
                )
            },
        ),
        case(
            P4,
            "ISO7816_D_02",
            Unit::BacSecureMessaging,
            "SM: MAC (DO'8E') missing in a response",
            "ICAO 9303-11 §9.8.5",
            "CFG.DFLT.BAC; the READ BINARY answer of DG1 without DO'8E'",
            Failed(Shown::ReadError),
            "A protected response without a MAC is not authentic: the session ends, nothing of it is \
             used.",
            E::Fault(FaultKind::SecureMessaging),
            || sm_fault(LdsFile::Dg(1), 0, SmFaultKind::MissingMac),
        ),
        case(
            P4,
            "ISO7816_D_03",
            Unit::BacSecureMessaging,
            "SM: cryptogram (DO'87') missing in a response that has data",
            "ICAO 9303-11 §9.8.5",
            "CFG.DFLT.BAC; the READ BINARY answer of DG1 with DO'99' and a valid MAC, no DO'87'",
            Failed(Shown::ReadError),
            "The chip confirms the read (9000 under a valid MAC) but sends no data: the file cannot \
             be read, and the reader must not take an empty answer for the file.",
            E::Fault(FaultKind::SecureMessaging),
            || sm_fault(LdsFile::Dg(1), 0, SmFaultKind::MissingCryptogram),
        ),
        Case {
            names: Some("DO'99'"),
            ..case(
                P4,
                "ISO7816_D_04",
                Unit::BacSecureMessaging,
                "SM: secured status bytes (DO'99') missing",
                "ICAO 9303-11 §9.8.5 (DO'99' in every protected response)",
                "CFG.DFLT.BAC; every protected response without DO'99', its MAC over the cryptogram only",
                Failed(Shown::ReadError),
                "The status word is outside the MAC, where a man in the middle can change it (9000 into \
             6282, an error into success): the reader ends the session at the first such answer and \
             says why.",
                E::Fault(FaultKind::SecureMessaging),
                || {
                    let mut profile = bac();
                    profile.options.status_outside_mac = true;
                    setup(&profile, |_, _| Ok(()))
                },
            )
        },
        case(
            P4,
            "ISO7816_D_05",
            Unit::BacSecureMessaging,
            "SM: incorrect MAC in a response",
            "ICAO 9303-11 §9.8.5",
            "CFG.DFLT.BAC; the MAC of the READ BINARY answer of DG1 changed",
            Failed(Shown::ReadError),
            "A wrong MAC ends the session (9303-11 §9.8.6); the answer's data is never used.",
            E::Fault(FaultKind::SecureMessaging),
            || sm_fault(LdsFile::Dg(1), 0, SmFaultKind::WrongMac),
        ),
        case(
            P4,
            "ISO7816_D_06",
            Unit::BacSecureMessaging,
            "SM: incorrect cryptogram under a recomputed MAC",
            "ICAO 9303-11 §9.8.5; ICAO 9303-12 §5 (data group hashes)",
            "CFG.DFLT.BAC; a READ BINARY answer of DG2 beyond offset 1000 with its first cryptogram \
             block changed and the MAC recomputed (padding intact)",
            Failed(Shown::Failed),
            "Secure messaging cannot see this (the MAC is right): the block decrypts to garbage. \
             Passive authentication must: DG2's hash no longer matches EF.SOD, so the document \
             fails and the damaged face is never shown as the holder's.",
            E::All(&[
                E::Fault(FaultKind::SecureMessaging),
                E::FileServed(LdsFile::Dg(2)),
            ]),
            || sm_fault(LdsFile::Dg(2), 1000, SmFaultKind::WrongCryptogram),
        ),
        case(
            Own,
            "SM_01",
            Unit::BacSecureMessaging,
            "SM: data encrypted without padding (MAC valid)",
            "ICAO 9303-11 §9.8.6.1 (ISO/IEC 9797-1 padding method 2)",
            "CFG.DFLT.BAC; the READ BINARY answer of DG1 encrypted without padding, MAC recomputed",
            Failed(Shown::ReadError),
            "Data that does not unpad is malformed: the session ends with a clear error, never with \
             data cut at a guessed boundary.",
            E::Fault(FaultKind::SecureMessaging),
            || sm_fault(LdsFile::Dg(1), 0, SmFaultKind::BadPadding),
        ),
        // ---------------------------------------------------------------- READ BINARY
        case(
            P4,
            "ISO7816_F_01",
            Unit::ReadBinary,
            "File selection failure: the chip has no EF.CardAccess (6A82)",
            "ICAO 9303-10 §3.6 (EF.CardAccess is conditional); ISO/IEC 7816-4",
            "CFG.DFLT.BAC: no EF.CardAccess, no EF.ATR/INFO; their selection answered 6A82",
            Successful,
            "A chip without PACE has no EF.CardAccess: the reader takes 6A82 for that and uses BAC.",
            E::All(&[E::Status(0x6A82), E::BacCompleted]),
            || setup(&bac(), |_, _| Ok(())),
        ),
        case(
            P4,
            "ISO7816_F_02",
            Unit::ReadBinary,
            "Reading a file larger than 32 KiB",
            "ICAO 9303-10 §3.6.3; ISO/IEC 7816-4 §11.3.3 (offsets beyond 32767: odd INS)",
            "CFG.DFLT.BAC with a DG2 of three faces (about 50 KB)",
            Successful,
            "Offsets beyond 32767 do not fit P1-P2: the reader continues with READ BINARY B1 and \
             reads the file to its end.",
            E::All(&[
                E::ServedFrom(LdsFile::Dg(2), 32_768),
                E::FileServed(LdsFile::Dg(2)),
            ]),
            || large_dg2(ChipFaults::default()),
        ),
        case(
            P4,
            "ISO7816_F_03",
            Unit::ReadBinary,
            "Reading beyond the data object: the file has trailing bytes",
            "ICAO 9303-10 §3.6.3 (the data object's length decides what is read)",
            "CFG.DFLT.BAC; DG2's file holds 1000 zero bytes after its data object (EF.SOD hashes \
             the data object)",
            Successful,
            "Chips allocate files larger than their content. The reader reads the data object its \
             header declares and stops there; the hash is over the data object.",
            E::ServedObjectOnly(LdsFile::Dg(2)),
            || {
                setup(&bac(), |chip, _| {
                    let mut dg2 = content(chip, LdsFile::Dg(2))?;
                    dg2.extend_from_slice(&[0; 1000]);
                    put(chip, LdsFile::Dg(2), dg2);
                    Ok(())
                })
            },
        ),
        case(
            P4,
            "ISO7816_F_04",
            Unit::ReadBinary,
            "End of file signalled by 6B00",
            "ISO/IEC 7816-4 §11.3.3 (6B00: offset + Le beyond the end of the file)",
            "CFG.DFLT.BAC; a READ BINARY whose offset + Le passes the end of a file is answered 6B00 \
             instead of the bytes up to the end",
            Successful,
            "ISO/IEC 7816-4 allows either answer: the reader asks for the file's header, then for \
             exactly the length it declares, and reads every file.",
            E::All(&[E::Status(0x6B00), E::FileServed(LdsFile::Dg(2))]),
            || {
                let mut profile = bac();
                profile.options.wrong_parameters_past_end = true;
                setup(&profile, |_, _| Ok(()))
            },
        ),
        case(
            P4,
            "ISO7816_F_05",
            Unit::ReadBinary,
            "End of file signalled by 6282",
            "ISO/IEC 7816-4 §11.3.3 (6282: end of file reached before Le bytes)",
            "CFG.DFLT.BAC; a READ BINARY passing the end of a file gets the bytes up to the end and \
             6282 (also when Le is 00)",
            Successful,
            "6282 with data is a warning, not an error: the bytes before it are the file's end.",
            E::Status(0x6282),
            || {
                fixtures_faulted_bac(ChipFaults {
                    end_of_file: Some(EndOfFile::Warning6282),
                    ..ChipFaults::default()
                })
            },
        ),
        case(
            P4,
            "ISO7816_F_06",
            Unit::ReadBinary,
            "End of file signalled by 6Cxx",
            "ISO/IEC 7816-4 §5.6 (6Cxx: wrong Le, xx bytes available)",
            "CFG.DFLT.BAC; a READ BINARY passing the end of a file gets no data and 6Cxx, xx the \
             bytes left",
            Successful,
            "The reader asks again with Le = xx and completes the file.",
            E::All(&[
                E::Fault(FaultKind::EndOfFile),
                E::FileServed(LdsFile::Dg(1)),
            ]),
            || {
                fixtures_faulted_bac(ChipFaults {
                    end_of_file: Some(EndOfFile::WrongLength6Cxx),
                    ..ChipFaults::default()
                })
            },
        ),
        case(
            P4,
            "ISO7816_F_07",
            Unit::ReadBinary,
            "READ BINARY with the odd instruction (B1)",
            "ISO/IEC 7816-4 §11.3.3 (B1: offset in DO'54', data in DO'53')",
            "CFG.DFLT.BAC with a DG2 of three faces (about 50 KB)",
            Successful,
            "B1's data arrives in DO'53' inside DO'85': the reader unwraps it and the hash matches.",
            E::All(&[E::OddInsRead, E::FileServed(LdsFile::Dg(2))]),
            || large_dg2(ChipFaults::default()),
        ),
        case(
            P4,
            "ISO7816_F_08",
            Unit::ReadBinary,
            "DG2 whose face image has size 0",
            "ICAO 9303-10 §4.7.2; ISO/IEC 19794-5 §5.7 (the image data)",
            "CFG.DFLT.BAC; DG2's facial record holds no image bytes (lengths consistent), EF.SOD \
             re-signed over it",
            Failed(Shown::Failed),
            "We chose failed: the issuer signed a DG2 without the face ICAO 9303-10 requires, so the \
             data group is malformed (a failed DG2 structure check). The reader must report it and \
             stay up.",
            E::FileServed(LdsFile::Dg(2)),
            || {
                let dg2 = crate::profile::encode_dg2_iso19794(&[], 240, 320);
                setup(&bac(), move |chip, pki| {
                    fixtures::replace_signed(chip, pki, 2, dg2)
                })
            },
        ),
        case(
            Own,
            "RB_01",
            Unit::ReadBinary,
            "Extended length refused with 6700 after a probe",
            "ISO/IEC 7816-4 §5.1 (extended length), §5.6 (6700)",
            "CFG.DFLT.BAC; the chip announces nothing about extended length and answers an extended \
             READ BINARY with 6700",
            Successful,
            "The reader may probe once; a refusal means short APDUs for the rest of the session.",
            E::All(&[E::Status(0x6700), E::FileServed(LdsFile::Dg(2))]),
            || {
                let mut profile = bac();
                ExtendedLengthBehaviour::Refused.apply(&mut profile.options);
                setup(&profile, |_, _| Ok(()))
            },
        ),
        case(
            Own,
            "RB_04",
            Unit::ReadBinary,
            "The chip sends at most 223 bytes whatever Le asks",
            "ISO/IEC 7816-4 §5.1 (Le is a maximum; 9000 with fewer bytes is no end of file)",
            "CFG.DFLT.BAC taking extended length without announcing it, answering every READ BINARY \
             with at most 223 bytes and 9000",
            Successful,
            "Fewer bytes than asked, with 9000 and more left in the file, is the chip's response \
             cap, not the end of the file: the reader asks for no more than that and reads every \
             file whole.",
            E::All(&[E::CappedRead, E::FileServed(LdsFile::Dg(2))]),
            || {
                let mut profile = bac();
                profile.options.response_cap = Some(223);
                ExtendedLengthBehaviour::Silent.apply(&mut profile.options);
                setup(&profile, |_, _| Ok(()))
            },
        ),
        case(
            Own,
            "RB_05",
            Unit::ReadBinary,
            "The extended-length probe is refused and the chip ends secure messaging",
            "ICAO 9303-11 §9.8.6.1 (a chip ends the session on an error); ISO/IEC 7816-4 §5.1",
            "CFG.DFLT.BAC announcing nothing about extended length; an extended READ BINARY under \
             secure messaging is answered with a plain 6700 and ends the session (6988 after)",
            Successful,
            "The reader sees the session ended, re-establishes access control and reads on with \
             short APDUs (the read says it resumed).",
            E::All(&[
                E::Status(0x6700),
                E::Status(0x6988),
                E::FileServed(LdsFile::Dg(2)),
            ]),
            || {
                let mut profile = bac();
                profile.options.extended_refusal_ends_session = true;
                ExtendedLengthBehaviour::Refused.apply(&mut profile.options);
                setup(&profile, |_, _| Ok(()))
            },
        ),
        case(
            Own,
            "RB_02",
            Unit::ReadBinary,
            "Every READ BINARY of DG2 answered 6Cxx with another length",
            "ISO/IEC 7816-4 §5.6",
            "CFG.DFLT.BAC; READ BINARY of DG2 answered 6C10 and 6C20 in turn, never with data",
            Failed(Shown::ReadError),
            "A chip that never delivers must not hold the reader in a loop: the per-file bound on \
             READ BINARY rounds ends the read with a clear error.",
            E::Status(0x6C10),
            || {
                let mut profile = bac();
                profile.options.alternate_6cxx = Some(LdsFile::Dg(2));
                setup(&profile, |_, _| Ok(()))
            },
        ),
        case(
            Own,
            "RB_03",
            Unit::ReadBinary,
            "DG2's header declares 64 MiB",
            "ICAO 9303-10 §3.6.3",
            "CFG.DFLT.BAC; DG2 served behind a header declaring 67,108,864 bytes",
            Failed(Shown::ReadError),
            "Memory must stay bounded whatever a chip declares: the reader refuses a file larger \
             than its limit before reading it.",
            E::ServedFrom(LdsFile::Dg(2), 0),
            || {
                let mut profile = bac();
                profile.options.declared_length = Some((LdsFile::Dg(2), 64 << 20));
                setup(&profile, |_, _| Ok(()))
            },
        ),
        // ---------------------------------------------------------------- PACE
        case(
            P4,
            "ISO7816_C_01",
            Unit::Pace,
            "PACE-GM (ECDH, 3DES, brainpoolP256r1) with the MRZ",
            "ICAO 9303-11 §4.4",
            "CFG.DFLT.PACE: EF.CardAccess offers id-PACE-ECDH-GM-3DES-CBC-CBC with parameter id 13; \
             the application is refused (6982) until PACE succeeded (TR-03105-5.1 §5.7)",
            Successful,
            "An inspection system must run PACE when the chip offers it (9303-11 §4.2).",
            E::All(&[
                E::PaceWith(PACE_ECDH_GM_3DES),
                E::FileServed(LdsFile::Dg(1)),
            ]),
            || pace_offering(vec![gm(CipherAlgorithm::Tdes, 13)], ChipFaults::default()),
        ),
        Case {
            variant: Some("dh-2048"),
            ..case(
                P4,
                "ISO7816_C_02",
                Unit::Pace,
                "PACE-GM on standardized domain parameters: DH 2048-bit (id 2)",
                "ICAO 9303-11 §4.4, §9.5.1 (standardized domain parameters)",
                "CFG.DFLT.PACE offering id-PACE-DH-GM-AES-CBC-CMAC-128 on RFC 5114's 2048-bit group",
                Successful,
                "Every standardized group is mandatory for an inspection system.",
                E::PaceWith(PACE_DH_GM_AES128),
                || pace_offering(vec![gm(CipherAlgorithm::Aes128, 2)], ChipFaults::default()),
            )
        },
        Case {
            variant: Some("ecdh-p384"),
            ..case(
                P4,
                "ISO7816_C_02",
                Unit::Pace,
                "PACE-GM on standardized domain parameters: NIST P-384 (id 15)",
                "ICAO 9303-11 §4.4, §9.5.1",
                "CFG.DFLT.PACE offering id-PACE-ECDH-GM-AES-CBC-CMAC-256 on NIST P-384",
                Successful,
                "Every standardized curve is mandatory for an inspection system.",
                E::PaceWith(PACE_ECDH_GM_AES256),
                || pace_offering(vec![gm(CipherAlgorithm::Aes256, 15)], ChipFaults::default()),
            )
        },
        Case {
            variant: Some("ecdh-bp512"),
            ..case(
                P4,
                "ISO7816_C_02",
                Unit::Pace,
                "PACE-GM on standardized domain parameters: brainpoolP512r1 (id 17)",
                "ICAO 9303-11 §4.4, §9.5.1",
                "CFG.DFLT.PACE offering id-PACE-ECDH-GM-AES-CBC-CMAC-256 on brainpoolP512r1",
                Successful,
                "Every standardized curve is mandatory for an inspection system.",
                E::PaceWith(PACE_ECDH_GM_AES256),
                || pace_offering(vec![gm(CipherAlgorithm::Aes256, 17)], ChipFaults::default()),
            )
        },
        Case {
            variant: Some("ecdh-bp256"),
            ..case(
                P4,
                "ISO7816_C_03",
                Unit::Pace,
                "PACE-IM (ECDH, AES-128, brainpoolP256r1)",
                "ICAO 9303-11 §4.4.3.4 (Integrated Mapping)",
                "CFG.DFLT.PACE offering id-PACE-ECDH-IM-AES-CBC-CMAC-128 on brainpoolP256r1",
                Successful,
                "Integrated Mapping is part of PACE; the terminal's nonce t maps the generator.",
                E::PaceWith(PACE_ECDH_IM_AES128),
                || {
                    pace_offering(
                        vec![PaceOffer {
                            mapping: Mapping::Integrated,
                            cipher: CipherAlgorithm::Aes128,
                            parameter_id: 13,
                        }],
                        ChipFaults::default(),
                    )
                },
            )
        },
        Case {
            variant: Some("aes128-p256"),
            ..case(
                P4,
                "ISO7816_C_04",
                Unit::Pace,
                "PACE with AES-128 secure messaging (NIST P-256)",
                "ICAO 9303-11 §9.8 (AES secure messaging: CMAC, IV from the SSC)",
                "CFG.DFLT.PACE offering id-PACE-ECDH-GM-AES-CBC-CMAC-128 on NIST P-256",
                Successful,
                "AES secure messaging after PACE is mandatory for an inspection system.",
                E::All(&[
                    E::PaceWith(PACE_ECDH_GM_AES128),
                    E::FileServed(LdsFile::Dg(2)),
                ]),
                || pace_offering(vec![gm(CipherAlgorithm::Aes128, 12)], ChipFaults::default()),
            )
        },
        case(
            P4,
            "ISO7816_C_05",
            Unit::Pace,
            "EF.CardAccess with additional SecurityInfos",
            "ICAO 9303-11 §9.2 (SecurityInfos: unknown entries are ignored)",
            "CFG.DFLT.PACE; EF.CardAccess also holds a TerminalAuthenticationInfo and a SecurityInfo \
             of an unknown protocol",
            Successful,
            "SecurityInfos is open-ended: entries an inspection system does not know are skipped.",
            E::All(&[
                E::FileServed(LdsFile::CardAccess),
                E::PaceWith(PACE_ECDH_GM_3DES),
            ]),
            || {
                let ta_info = asn1::der::sequence(&[
                    &asn1::der::tlv(0x06, &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x02]),
                    &asn1::der::integer_u64(1),
                ]);
                let unknown = asn1::der::sequence(&[
                    &asn1::der::tlv(0x06, &[0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x99]),
                    &asn1::der::octet_string(b"private"),
                ]);
                let profile = Profile {
                    card_access_entries: vec![ta_info, unknown],
                    pace_offers: vec![gm(CipherAlgorithm::Tdes, 13)],
                    ..pace()
                };
                faulted(
                    &profile,
                    ChipFaults {
                        application_needs_pace: true,
                        ..ChipFaults::default()
                    },
                )
            },
        ),
        case(
            P4,
            "ISO7816_C_08",
            Unit::Pace,
            "PACE aborted: MSE:Set AT refused (6A80)",
            "ICAO 9303-11 §4.4.4.1",
            "CFG.DFLT.PACE; MSE:Set AT answered 6A80; the application stays refused without PACE",
            Failed(Shown::ReadError),
            "PACE cannot start and BAC is not tried unasked (a silent fallback would be a \
             downgrade): the read ends naming the refusal.",
            E::Fault(FaultKind::Pace),
            || {
                pace_offering(
                    vec![gm(CipherAlgorithm::Tdes, 13)],
                    ChipFaults {
                        pace: Some(PaceFault::MseSetAt(StatusWord::WRONG_DATA)),
                        ..ChipFaults::default()
                    },
                )
            },
        ),
        Case {
            names: Some("ephemeral key"),
            ..case(
                P4,
                "ISO7816_C_23",
                Unit::Pace,
                "PACE aborted: the chip's ephemeral key equals the terminal's",
                "ICAO 9303-11 §4.4.1 (the terminal checks PK_IC ≠ PK_PCD)",
                "CFG.DFLT.PACE; key agreement answered with the terminal's own ephemeral public key",
                Failed(Shown::ReadError),
                "A reflected key would make the shared secret known to anyone who saw the terminal's \
             key: the terminal must abort.",
                E::Fault(FaultKind::Pace),
                || {
                    pace_offering(
                        vec![gm(CipherAlgorithm::Tdes, 13)],
                        ChipFaults {
                            pace: Some(PaceFault::IdenticalEphemeralKeys),
                            ..ChipFaults::default()
                        },
                    )
                },
            )
        },
        case(
            P4,
            "ISO7816_C_31",
            Unit::Pace,
            "PACE-CAM with wrong chip authentication data",
            "ICAO 9303-11 §4.4.3.5 (PK_map,IC = CA_IC · PK_IC)",
            "brp (PACE-CAM, AES-256, P-256); DO'8A' encrypts another value than CA_IC",
            Failed(Shown::Failed),
            "PACE itself succeeds, but the chip does not prove the key EF.CardSecurity publishes: \
             a clone. Chip authenticity fails, and with it the document.",
            E::Fault(FaultKind::Pace),
            || brp_faulted(PaceFault::CamWrongEcad),
        ),
        case(
            P4,
            "ISO7816_C_33",
            Unit::Pace,
            "PACE-CAM with DO'8A' present but empty",
            "ICAO 9303-11 §4.4.3.5, §4.4.4.2 (GENERAL AUTHENTICATE step 4)",
            "brp (PACE-CAM); DO'8A' sent empty",
            Failed(Shown::ReadError),
            "The mapping chosen requires the chip authentication data: a step-4 answer without it \
             is malformed and PACE fails.",
            E::Fault(FaultKind::Pace),
            || brp_faulted(PaceFault::CamEmptyEcad),
        ),
        case(
            Own,
            "PACE_01",
            Unit::Pace,
            "PACE-CAM with DO'8A' left out",
            "ICAO 9303-11 §4.4.3.5, §4.4.4.2",
            "brp (PACE-CAM); step 4 answered without DO'8A'",
            Failed(Shown::ReadError),
            "As ISO7816_C_33: a CAM run without chip authentication data is a malformed PACE, never \
             a silent PACE-GM.",
            E::Fault(FaultKind::Pace),
            || brp_faulted(PaceFault::CamMissingEcad),
        ),
        case(
            P51,
            "ISO7816_G_36",
            Unit::Pace,
            "Invalid PACE-CAM OID in EF.CardAccess beside a valid PACE-GM",
            "ICAO 9303-11 §4.4, §9.2.1; TR-03110-3 A.1.1.1 (CAM exists for ECDH only)",
            "CFG.DFLT.PACE; EF.CardAccess offers id-PACE-ECDH-GM-3DES-CBC-CBC (id 13) and a \
             PACEInfo with the non-existent id-PACE-DH-CAM-AES128 (0.4.0.127.0.7.2.2.4.5.2)",
            Successful,
            "TR-03105-5.1 §5.7.36: the inspection system ignores the invalid offer, does not abort, \
             and runs PACE with the valid OID (DO'80') and the MRZ (DO'83' = 01).",
            E::All(&[
                E::PaceWith(PACE_ECDH_GM_3DES),
                E::FileServed(LdsFile::Dg(1)),
            ]),
            || {
                let invalid = asn1::der::sequence(&[
                    &asn1::der::tlv(0x06, INVALID_PACE_DH_CAM),
                    &asn1::der::integer_u64(2),
                    &asn1::der::integer_u64(2),
                ]);
                let profile = Profile {
                    card_access_entries: vec![invalid],
                    pace_offers: vec![gm(CipherAlgorithm::Tdes, 13)],
                    ..pace()
                };
                faulted(
                    &profile,
                    ChipFaults {
                        application_needs_pace: true,
                        ..ChipFaults::default()
                    },
                )
            },
        ),
        case(
            Own,
            "PACE_02",
            Unit::Pace,
            "PACE-DH offer with explicit parameters of a weak group",
            "ICAO 9303-11 §9.5.1 (standardized parameters); RFC 5114",
            "pace-dh-weak-group: id 0 given explicit parameters whose generator has order 65521",
            Failed(Shown::ReadError),
            "Explicit parameters never override a standardized id: the terminal refuses before \
             sending mapping data that would let an eavesdropper test passwords offline.",
            E::FileServed(LdsFile::CardAccess),
            || setup(&Profile::pace_dh_weak_group(), |_, _| Ok(())),
        ),
        case(
            Own,
            "PACE_03",
            Unit::Pace,
            "EF.CardAccess hidden (6A82) while DG14 signs the PACE offers",
            "ICAO 9303-11 §9.2 (PACEInfos in DG14), §4.2",
            "brp-hidden-card-access: a man in the middle answers EF.CardAccess 6A82; the reader \
             uses BAC",
            Failed(Shown::Failed),
            "DG14, signed, lists PACE: access control ran weaker than the chip offers — a downgrade \
             the report must fail.",
            E::All(&[
                E::Status(0x6A82),
                E::BacCompleted,
                E::FileServed(LdsFile::Dg(14)),
            ]),
            || {
                let profile = Profile::by_name("brp-hidden-card-access")
                    .ok_or("no profile brp-hidden-card-access")?;
                setup(&profile, |_, _| Ok(()))
            },
        ),
    ]
}

/// The BAC passport with `faults`.
fn fixtures_faulted_bac(faults: ChipFaults) -> Result<Setup, String> {
    faulted(&bac(), faults)
}

/// The brp chip (PACE-CAM) with a PACE fault.
fn brp_faulted(fault: PaceFault) -> Result<Setup, String> {
    faulted(
        &Profile::brp(),
        ChipFaults {
            pace: Some(fault),
            ..ChipFaults::default()
        },
    )
}
