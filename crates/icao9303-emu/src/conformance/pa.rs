//! Cases of passive authentication (TR-03105-5.1 §6.8, ICAO Part 4 LDS_D), EF.CardSecurity
//! (TR-03105-5.1 §6.10) and EF.ATR/INFO (§6.11).

use super::access::case;
use super::fixtures::{
    self, bac, content, data_groups, personalize, put, resign, rsa_pki, set_com, setup,
    sign_entries,
};
use super::{Case, Evidence, Expected, InspectionSystem, Setup, Shown, Source, Unit};
use crate::chip::ExtendedLengthBehaviour;
use crate::pki::{
    Deviations, SignatureAlgorithm, SignatureScheme, SignedDataForm, SignerInfoForm, TestPki,
};
use crate::profile::{Card, Profile};
use crate::rng::SeededRng;
use icao9303::asn1;
use icao9303::crypto::hash::HashAlgorithm;
use icao9303::lds::LdsFile;

/// id-SecurityObject (BSI TR-03110): the eContentType of EF.CardSecurity.
const ID_SECURITY_OBJECT: asn1::ObjectIdentifier =
    asn1::ObjectIdentifier::new_unwrap("0.4.0.127.0.7.3.2.1");

/// The BAC passport whose EF.SOD `pki` signs with `algorithm` (the data group hashes with its hash),
/// read by an inspection system trusting `pki`'s CSCA.
fn signed_by(pki: &TestPki, algorithm: SignatureAlgorithm) -> Result<Setup, String> {
    let hash = match algorithm {
        SignatureAlgorithm::RsaPkcs1v15 { hash, .. }
        | SignatureAlgorithm::RsaPss { hash }
        | SignatureAlgorithm::Ecdsa { hash, .. } => hash,
        SignatureAlgorithm::Default => HashAlgorithm::Sha256,
    };
    let Card { mut chip, .. } = personalize(&bac())?;
    resign(
        &mut chip,
        pki,
        hash,
        SignedDataForm {
            algorithm,
            ..SignedDataForm::default()
        },
    )?;
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

/// The BAC passport's own ECDSA P-256 PKI signing with `algorithm`.
fn ecdsa(hash: HashAlgorithm, plain: bool) -> Result<Setup, String> {
    let card = personalize(&bac())?;
    signed_by(&card.pki, SignatureAlgorithm::Ecdsa { hash, plain })
}

fn rsa_v15(hash: HashAlgorithm, rsa_encryption_oid: bool) -> Result<Setup, String> {
    signed_by(
        rsa_pki()?,
        SignatureAlgorithm::RsaPkcs1v15 {
            hash,
            rsa_encryption_oid,
        },
    )
}

fn rsa_pss(hash: HashAlgorithm) -> Result<Setup, String> {
    signed_by(rsa_pki()?, SignatureAlgorithm::RsaPss { hash })
}

/// The BAC passport, its EF.SOD re-signed by a Document Signer of `pki`'s CSCA that departs from the
/// certificate profile as `deviations` says.
fn deviating_dsc(deviations: Deviations) -> Result<Setup, String> {
    let mut rng = SeededRng::new(b"conformance deviating dsc");
    let pki = TestPki::generate_deviating(
        "UT",
        "Test eMRTD PKI",
        "Test CSCA",
        SignatureScheme::EcdsaP256Sha256,
        (&Deviations::default(), &deviations),
        &mut rng,
    )
    .map_err(|e| e.to_string())?;
    signed_by(&pki, SignatureAlgorithm::Default)
}

/// The BAC passport with EF.SOD over `entries` (computed from the chip's data groups by `entries`).
fn sod_over(
    entries: impl FnOnce(Vec<(u8, Vec<u8>)>) -> Vec<(u8, Vec<u8>)>,
) -> Result<Setup, String> {
    setup(&bac(), move |chip, pki| {
        let hashes: Vec<(u8, Vec<u8>)> = data_groups(chip)
            .into_iter()
            .map(|(n, b)| (n, HashAlgorithm::Sha256.digest(&b)))
            .collect();
        sign_entries(
            chip,
            pki,
            HashAlgorithm::Sha256,
            &entries(hashes),
            SignedDataForm::default(),
        )
    })
}

/// A PA matrix case: successful, EF.SOD served.
fn matrix(
    source: Source,
    id: &'static str,
    title: &'static str,
    configuration: &'static str,
    build: fn() -> Result<Setup, String>,
) -> Case {
    case(
        source,
        id,
        Unit::PassiveAuthentication,
        title,
        "ICAO 9303-12 §4.1.5, §7; RFC 8017 (RSA), BSI TR-03111 and ANSI X9.62 (ECDSA)",
        configuration,
        Expected::Successful,
        "The signature algorithms an inspection system must verify (TR-03105-5.1 §7.1.2); the \
         data group hashes use the same hash.",
        Evidence::FileServed(LdsFile::Sod),
        build,
    )
}

/// The brp chip (PACE-CAM) with its EF.CardSecurity's SecurityInfos (DER entries) changed by `edit`
/// and re-signed by its Document Signer.
fn card_security(
    edit: impl FnOnce(&mut Vec<Vec<u8>>) -> Result<(), String>,
) -> Result<Setup, String> {
    setup(&Profile::brp(), move |chip, pki| {
        let cs = content(chip, LdsFile::CardSecurity)?;
        let sd =
            icao9303::pki::cms::SignedData::from_content_info(&cs).map_err(|e| e.to_string())?;
        let infos = sd.content.ok_or("EF.CardSecurity has no content")?;
        let set = asn1::parse_tagged(&infos, 0x31).map_err(|e| e.to_string())?;
        let mut entries: Vec<Vec<u8>> = set
            .children()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|c| c.raw.to_vec())
            .collect();
        edit(&mut entries)?;
        let signed = pki
            .sign_content(
                ID_SECURITY_OBJECT,
                &icao9303::lds::security_infos::SecurityInfos::encode(&entries),
            )
            .map_err(|e| e.to_string())?;
        put(chip, LdsFile::CardSecurity, signed);
        Ok(())
    })
}

/// id-PACE-ECDH-CAM-AES-CBC-CMAC-256 (brp's CAM offer).
const PACE_ECDH_CAM_AES256: &[u8] = &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x06, 0x04];

/// The BAC passport announcing extended length, with EF.ATR/INFO holding `atr_info`.
fn atr_info(atr_info: &'static [u8]) -> Result<Setup, String> {
    let mut profile = bac();
    ExtendedLengthBehaviour::Announced.apply(&mut profile.options);
    setup(&profile, move |chip, _| {
        put(chip, LdsFile::AtrInfo, atr_info.to_vec());
        Ok(())
    })
}

#[allow(clippy::too_many_lines)]
pub(super) fn cases() -> Vec<Case> {
    use Evidence as E;
    use Expected::{Failed, Successful};
    use HashAlgorithm::{Sha1, Sha224, Sha256, Sha384, Sha512};
    use Source::{IcaoPart4 as P4, Own, Tr03105Part5_1 as P51};
    let pa = Unit::PassiveAuthentication;
    vec![
        // ---------------------------------------------------------------- the algorithm matrix
        matrix(
            P51,
            "LDS_H_01",
            "RSASSA-PKCS1-v1_5 with SHA-1",
            "EF.SOD by a 2048-bit RSA DSC: sha1WithRSAEncryption, SHA-1 data group hashes",
            || rsa_v15(Sha1, false),
        ),
        matrix(
            P51,
            "LDS_H_02",
            "RSASSA-PSS with SHA-1",
            "EF.SOD by a 2048-bit RSA DSC: RSASSA-PSS (SHA-1, MGF1-SHA-1, salt 20), SHA-1 hashes",
            || rsa_pss(Sha1),
        ),
        matrix(
            P51,
            "LDS_H_03",
            "RSASSA-PSS with SHA-256",
            "EF.SOD by a 2048-bit RSA DSC: RSASSA-PSS (SHA-256, salt 32), SHA-256 hashes",
            || rsa_pss(Sha256),
        ),
        matrix(
            P51,
            "LDS_H_04",
            "RSASSA-PKCS1-v1_5 with SHA-224",
            "EF.SOD by a 2048-bit RSA DSC: sha224WithRSAEncryption, SHA-224 hashes",
            || rsa_v15(Sha224, false),
        ),
        matrix(
            P51,
            "LDS_H_05",
            "RSASSA-PKCS1-v1_5 with SHA-256",
            "EF.SOD by a 2048-bit RSA DSC: sha256WithRSAEncryption, SHA-256 hashes",
            || rsa_v15(Sha256, false),
        ),
        matrix(
            P51,
            "LDS_H_06",
            "RSASSA-PKCS1-v1_5 with SHA-384",
            "EF.SOD by a 2048-bit RSA DSC: sha384WithRSAEncryption, SHA-384 hashes",
            || rsa_v15(Sha384, false),
        ),
        matrix(
            P51,
            "LDS_H_07",
            "RSASSA-PKCS1-v1_5 with SHA-512",
            "EF.SOD by a 2048-bit RSA DSC: sha512WithRSAEncryption, SHA-512 hashes",
            || rsa_v15(Sha512, false),
        ),
        matrix(
            P51,
            "LDS_H_09",
            "ECDSA with SHA-1 (ANSI X9.62 OID)",
            "EF.SOD by a P-256 DSC: ecdsa-with-SHA1, DER signature, SHA-1 hashes",
            || ecdsa(Sha1, false),
        ),
        matrix(
            P51,
            "LDS_H_10",
            "ECDSA with SHA-1 (BSI OID, plain signature)",
            "EF.SOD by a P-256 DSC: ecdsa-plain-SHA1 (0.4.0.127.0.7.1.1.4.1.1), r‖s, SHA-1 hashes",
            || ecdsa(Sha1, true),
        ),
        matrix(
            P51,
            "LDS_H_11",
            "ECDSA with SHA-224 (BSI OID, plain signature)",
            "EF.SOD by a P-256 DSC: ecdsa-plain-SHA224, r‖s, SHA-224 hashes",
            || ecdsa(Sha224, true),
        ),
        matrix(
            P51,
            "LDS_H_12",
            "ECDSA with SHA-256 (BSI OID, plain signature)",
            "EF.SOD by a P-256 DSC: ecdsa-plain-SHA256, r‖s, SHA-256 hashes",
            || ecdsa(Sha256, true),
        ),
        matrix(
            P51,
            "LDS_H_13",
            "ECDSA with SHA-384 (BSI OID, plain signature)",
            "EF.SOD by a P-256 DSC: ecdsa-plain-SHA384, r‖s, SHA-384 hashes",
            || ecdsa(Sha384, true),
        ),
        matrix(
            P51,
            "LDS_H_14",
            "ECDSA with SHA-512 (BSI OID, plain signature)",
            "EF.SOD by a P-256 DSC: ecdsa-plain-SHA512, r‖s, SHA-512 hashes",
            || ecdsa(Sha512, true),
        ),
        matrix(
            P51,
            "LDS_H_70",
            "ECDSA with SHA-224 (ANSI X9.62 OID)",
            "EF.SOD by a P-256 DSC: ecdsa-with-SHA224, DER signature, SHA-224 hashes",
            || ecdsa(Sha224, false),
        ),
        matrix(
            P51,
            "LDS_H_71",
            "ECDSA with SHA-256 (ANSI X9.62 OID)",
            "EF.SOD by a P-256 DSC: ecdsa-with-SHA256, DER signature, SHA-256 hashes",
            || ecdsa(Sha256, false),
        ),
        matrix(
            P51,
            "LDS_H_72",
            "ECDSA with SHA-384 (ANSI X9.62 OID)",
            "EF.SOD by a P-256 DSC: ecdsa-with-SHA384, DER signature, SHA-384 hashes",
            || ecdsa(Sha384, false),
        ),
        matrix(
            P51,
            "LDS_H_73",
            "ECDSA with SHA-512 (ANSI X9.62 OID)",
            "EF.SOD by a P-256 DSC: ecdsa-with-SHA512, DER signature, SHA-512 hashes",
            || ecdsa(Sha512, false),
        ),
        matrix(
            P51,
            "LDS_H_79",
            "RSASSA-PKCS1-v1_5 with SHA-1 named rsaEncryption",
            "EF.SOD by a 2048-bit RSA DSC: signatureAlgorithm rsaEncryption, digestAlgorithm \
             SHA-1",
            || rsa_v15(Sha1, true),
        ),
        matrix(
            P51,
            "LDS_H_80",
            "RSASSA-PKCS1-v1_5 with SHA-224 named rsaEncryption",
            "EF.SOD by a 2048-bit RSA DSC: signatureAlgorithm rsaEncryption, digestAlgorithm \
             SHA-224",
            || rsa_v15(Sha224, true),
        ),
        matrix(
            P51,
            "LDS_H_81",
            "RSASSA-PKCS1-v1_5 with SHA-256 named rsaEncryption",
            "EF.SOD by a 2048-bit RSA DSC: signatureAlgorithm rsaEncryption, digestAlgorithm \
             SHA-256",
            || rsa_v15(Sha256, true),
        ),
        matrix(
            P51,
            "LDS_H_82",
            "RSASSA-PKCS1-v1_5 with SHA-384 named rsaEncryption",
            "EF.SOD by a 2048-bit RSA DSC: signatureAlgorithm rsaEncryption, digestAlgorithm \
             SHA-384",
            || rsa_v15(Sha384, true),
        ),
        matrix(
            P51,
            "LDS_H_83",
            "RSASSA-PKCS1-v1_5 with SHA-512 named rsaEncryption",
            "EF.SOD by a 2048-bit RSA DSC: signatureAlgorithm rsaEncryption, digestAlgorithm \
             SHA-512",
            || rsa_v15(Sha512, true),
        ),
        matrix(
            P51,
            "LDS_H_94",
            "RSASSA-PSS with SHA-224",
            "EF.SOD by a 2048-bit RSA DSC: RSASSA-PSS (SHA-224, salt 28), SHA-224 hashes",
            || rsa_pss(Sha224),
        ),
        matrix(
            P51,
            "LDS_H_95",
            "RSASSA-PSS with SHA-384",
            "EF.SOD by a 2048-bit RSA DSC: RSASSA-PSS (SHA-384, salt 48), SHA-384 hashes",
            || rsa_pss(Sha384),
        ),
        matrix(
            P51,
            "LDS_H_96",
            "RSASSA-PSS with SHA-512",
            "EF.SOD by a 2048-bit RSA DSC: RSASSA-PSS (SHA-512, salt 64), SHA-512 hashes",
            || rsa_pss(Sha512),
        ),
        // ---------------------------------------------------------------- signer and structure
        case(
            P51,
            "LDS_H_15",
            pa,
            "The Document Signer certificate is not in EF.SOD",
            "ICAO 9303-10 §4.6.2.1 (certificates is optional); ICAO 9303-12 §6 (DSCs from the PKD)",
            "EF.SOD by a 2048-bit RSA DSC (sha256WithRSAEncryption) without its certificate; the IS \
             has the DSC from elsewhere (a PKD download)",
            Successful,
            "TR-03105-5.1 §6.8.15: successful. The SignerInfo names the signer; the IS finds it \
             among the DSCs it holds and checks it against the CSCA.",
            E::FileServed(LdsFile::Sod),
            || {
                let pki = rsa_pki()?;
                let Card { mut chip, .. } = personalize(&bac())?;
                resign(
                    &mut chip,
                    pki,
                    Sha256,
                    SignedDataForm {
                        algorithm: SignatureAlgorithm::RsaPkcs1v15 {
                            hash: Sha256,
                            rsa_encryption_oid: false,
                        },
                        include_certificate: false,
                        ..SignedDataForm::default()
                    },
                )?;
                Ok(Setup {
                    chip,
                    inspection_system: InspectionSystem {
                        password: fixtures::mrz(&bac())?,
                        csca: vec![pki.csca_der()],
                        document_signers: vec![pki.dsc_der()],
                        crls: Vec::new(),
                        terminal: None,
                    },
                })
            },
        ),
        case(
            P51,
            "LDS_H_36",
            pa,
            "SignerInfo with a signature algorithm not allowed (RSA with MD5)",
            "ICAO 9303-12 §4.4 (algorithms); RFC 6151 (MD5)",
            "EF.SOD by a 2048-bit RSA DSC, signatureAlgorithm md5WithRSAEncryption",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.8.36: failed. MD5 is not an algorithm ICAO 9303 allows: the signature \
             cannot be accepted.",
            E::FileServed(LdsFile::Sod),
            || {
                let mut setup = rsa_v15(Sha256, false)?;
                let sod = content(&setup.chip, LdsFile::Sod)?;
                // sha256WithRSAEncryption (…01 01 0B) → md5WithRSAEncryption (…01 01 04).
                let sha256_rsa = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
                let at = sod
                    .windows(sha256_rsa.len())
                    .rposition(|w| w == sha256_rsa)
                    .ok_or("no sha256WithRSAEncryption in EF.SOD")?;
                let mut changed = sod.clone();
                changed[at + sha256_rsa.len() - 1] = 0x04;
                put(&mut setup.chip, LdsFile::Sod, changed);
                Ok(setup)
            },
        ),
        case(
            P51,
            "LDS_H_45",
            pa,
            "EF.SOD hashes a DG10 the chip does not have",
            "ICAO 9303-10 §4.6.2.2",
            "CFG.DFLT.BAC; EF.SOD also lists a hash for DG10; the chip answers DG10 with 6A82",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.8.45: failed. EF.COM does not list the DG10 EF.SOD hashes (the chip's \
             index contradicts its signed list), and the chip does not deliver it.",
            E::Status(0x6A82),
            || {
                sod_over(|mut entries| {
                    entries.push((10, vec![0x10; 32]));
                    entries.sort_by_key(|(n, _)| *n);
                    entries
                })
            },
        ),
        case(
            P51,
            "LDS_H_46",
            pa,
            "EF.SOD with data group number 255",
            "ICAO 9303-10 §4.6.2.2 (DataGroupNumber 1..16)",
            "CFG.DFLT.BAC; EF.SOD names DG1's hash data group 255",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.8.46: failed. A number outside DataGroupNumber's range makes the \
             security object malformed.",
            E::FileServed(LdsFile::Sod),
            || {
                sod_over(|entries| {
                    entries
                        .into_iter()
                        .map(|(n, h)| (if n == 1 { 255 } else { n }, h))
                        .collect()
                })
            },
        ),
        case(
            P51,
            "LDS_H_47",
            pa,
            "EF.SOD lists DG2's hash without its number",
            "ICAO 9303-10 §4.6.2.2",
            "CFG.DFLT.BAC; DG2's DataGroupHash holds only the hash value",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.8.47: failed. The security object is malformed.",
            E::FileServed(LdsFile::Sod),
            || {
                setup(&bac(), |chip, pki| {
                    let entries: Vec<Vec<u8>> = data_groups(chip)
                        .into_iter()
                        .map(|(n, b)| {
                            let hash = asn1::der::octet_string(&Sha256.digest(&b));
                            if n == 2 {
                                asn1::der::sequence(&[&hash])
                            } else {
                                asn1::der::sequence(&[&asn1::der::integer_u64(n.into()), &hash])
                            }
                        })
                        .collect();
                    let lso = asn1::der::sequence(&[
                        &asn1::der::integer_u64(0),
                        &asn1::der::sequence(&[&asn1::der::oid(&Sha256.oid())]),
                        &asn1::der::sequence(
                            &entries.iter().map(Vec::as_slice).collect::<Vec<_>>(),
                        ),
                    ]);
                    let sod = pki
                        .sign_sod_raw(&lso, SignedDataForm::default())
                        .map_err(|e| e.to_string())?;
                    put(chip, LdsFile::Sod, sod);
                    Ok(())
                })
            },
        ),
        case(
            P51,
            "LDS_H_54",
            pa,
            "The Document Signer's issuer is not its CSCA's subject",
            "ICAO 9303-12 §7.1.1 (issuer = the CSCA's subject); RFC 5280 §6.1 (name chaining)",
            "EF.SOD by a DSC signed with the CSCA's key but naming CN=Other CSCA as issuer",
            Failed(Shown::NotVerified),
            "TR-03105-5.1 §6.8.54: failed. Our reader shows it as not_verified: no trusted CSCA \
             has the issuer's name, so the chain to a trust anchor cannot be built (the unknown \
             issuer is named); nothing signed is shown as verified.",
            E::FileServed(LdsFile::Sod),
            || {
                deviating_dsc(Deviations {
                    issuer_common_name: Some("Other CSCA"),
                    ..Deviations::default()
                })
            },
        ),
        Case {
            names: Some("GeneralizedTime"),
            ..case(
                P51,
                "LDS_H_56",
                pa,
                "The Document Signer's validity uses GeneralizedTime before 2050",
                "RFC 5280 §4.1.2.5 (UTCTime through 2049); ICAO 9303-12 §7.1.1",
                "EF.SOD by a DSC whose validity (2024–2035) is encoded as GeneralizedTime",
                Failed(Shown::Failed),
                "TR-03105-5.1 §6.8.56: failed. The certificate violates the profile: its chain check \
             fails.",
                E::FileServed(LdsFile::Sod),
                || {
                    deviating_dsc(Deviations {
                        generalized_time: true,
                        ..Deviations::default()
                    })
                },
            )
        },
        case(
            P51,
            "LDS_H_62",
            pa,
            "The Document Signer's keyUsage is keyCertSign",
            "ICAO 9303-12 §7.1.1.3 (DSC keyUsage: digitalSignature only)",
            "EF.SOD by a DSC whose keyUsage is keyCertSign",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.8.62: failed.",
            E::FileServed(LdsFile::Sod),
            || {
                deviating_dsc(Deviations {
                    key_usage: Some(1 << 5),
                    ..Deviations::default()
                })
            },
        ),
        Case {
            names: Some("keyUsage"),
            ..case(
                P51,
                "LDS_H_64",
                pa,
                "The Document Signer has no keyUsage extension",
                "ICAO 9303-12 §7.1.1.3 (keyUsage is mandatory)",
                "EF.SOD by a DSC without keyUsage",
                Failed(Shown::Failed),
                "TR-03105-5.1 §6.8.64: failed.",
                E::FileServed(LdsFile::Sod),
                || {
                    deviating_dsc(Deviations {
                        key_usage: Some(0),
                        ..Deviations::default()
                    })
                },
            )
        },
        case(
            P51,
            "LDS_H_69",
            pa,
            "DG2 corrupted and its hash wrong: the signature is checked first",
            "ICAO 9303-12 §5 (passive authentication: signature, then hashes)",
            "CFG.DFLT.BAC; DG2's content overwritten with garbage after EF.SOD was signed",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.8.69: failed, and the data group is decoded only after the signature \
             and hash checks: a DG2 that fails its hash is never parsed as the holder's face.",
            E::FileServed(LdsFile::Dg(2)),
            || {
                setup(&bac(), |chip, _| {
                    let mut dg2 = content(chip, LdsFile::Dg(2))?;
                    for b in dg2.iter_mut().skip(8).take(64) {
                        *b = 0xFF;
                    }
                    put(chip, LdsFile::Dg(2), dg2);
                    Ok(())
                })
            },
        ),
        case(
            P51,
            "LDS_H_84",
            pa,
            "SignerInfo version 3 with issuerAndSerialNumber",
            "RFC 5652 §5.3 (version 1 ⇔ issuerAndSerialNumber); ICAO 9303-10 §4.6.2.1",
            "EF.SOD whose SignerInfo has version 3 and an issuerAndSerialNumber sid",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.8.84: failed. The SignerInfo is malformed.",
            E::FileServed(LdsFile::Sod),
            || {
                setup(&bac(), |chip, pki| {
                    resign(
                        chip,
                        pki,
                        Sha256,
                        SignedDataForm {
                            signer_info: SignerInfoForm {
                                subject_key_identifier: false,
                                version: 3,
                            },
                            ..SignedDataForm::default()
                        },
                    )
                })
            },
        ),
        case(
            P51,
            "LDS_H_85",
            pa,
            "SignerInfo version 1 with subjectKeyIdentifier",
            "RFC 5652 §5.3 (version 3 ⇔ subjectKeyIdentifier)",
            "EF.SOD whose SignerInfo has version 1 and a subjectKeyIdentifier sid",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.8.85: failed.",
            E::FileServed(LdsFile::Sod),
            || {
                setup(&bac(), |chip, pki| {
                    resign(
                        chip,
                        pki,
                        Sha256,
                        SignedDataForm {
                            signer_info: SignerInfoForm {
                                subject_key_identifier: true,
                                version: 1,
                            },
                            ..SignedDataForm::default()
                        },
                    )
                })
            },
        ),
        Case {
            names: Some("EF.COM"),
            ..case(
                P51,
                "LDS_H_90",
                pa,
                "EF.SOD lists more data groups than EF.COM",
                "ICAO 9303-10 §4.6.1 (EF.COM), §4.6.2",
                "CFG.DFLT.BAC with DG11 signed in EF.SOD; EF.COM lists DG1 and DG2 only",
                Failed(Shown::Failed),
                "TR-03105-5.1 §6.8.90: failed. EF.COM and EF.SOD contradict each other.",
                E::FileServed(LdsFile::Com),
                || {
                    setup(&bac(), |chip, pki| {
                        fixtures::replace_signed(
                            chip,
                            pki,
                            11,
                            asn1::der::constructed(
                                0x6B,
                                &[
                                    &asn1::der::tlv(0x5C, &[0x5F, 0x0E]),
                                    &asn1::der::tlv(0x5F0E, b"ERIKSSON<<ANNA<MARIA"),
                                ],
                            ),
                        )?;
                        set_com(chip, &[1, 2]);
                        Ok(())
                    })
                },
            )
        },
        case(
            P51,
            "LDS_H_91",
            pa,
            "EF.SOD lists fewer data groups than EF.COM",
            "ICAO 9303-10 §4.6.1, §4.6.2",
            "CFG.DFLT.BAC; EF.COM also lists DG11, which the chip does not have and EF.SOD does not \
             hash",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.8.91: failed.",
            E::FileServed(LdsFile::Com),
            || {
                setup(&bac(), |chip, _| {
                    set_com(chip, &[1, 2, 11]);
                    Ok(())
                })
            },
        ),
        case(
            P51,
            "LDS_H_92",
            pa,
            "EF.SOD and EF.COM list different data groups",
            "ICAO 9303-10 §4.6.1, §4.6.2",
            "CFG.DFLT.BAC; EF.COM lists DG1 and DG3, EF.SOD DG1 and DG2",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.8.92: failed.",
            E::FileServed(LdsFile::Com),
            || {
                setup(&bac(), |chip, _| {
                    set_com(chip, &[1, 3]);
                    Ok(())
                })
            },
        ),
        case(
            P4,
            "LDS_D_19",
            pa,
            "EF.SOD's signature is wrong",
            "ICAO 9303-12 §5; RFC 5652 §5.6",
            "CFG.DFLT.BAC; the last byte of the SignerInfo's signature changed",
            Failed(Shown::Failed),
            "The signature does not verify: nothing EF.SOD says can be trusted.",
            E::FileServed(LdsFile::Sod),
            || {
                setup(&bac(), |chip, _| {
                    let mut sod = content(chip, LdsFile::Sod)?;
                    if let Some(last) = sod.last_mut() {
                        *last ^= 0x01;
                    }
                    put(chip, LdsFile::Sod, sod);
                    Ok(())
                })
            },
        ),
        case(
            P4,
            "LDS_D_25",
            pa,
            "EF.SOD holds a wrong hash for DG2",
            "ICAO 9303-12 §5 (data group hashes)",
            "CFG.DFLT.BAC; EF.SOD signed over a wrong DG2 hash",
            Failed(Shown::Failed),
            "DG2 does not match what the issuer signed: the hash check fails.",
            E::FileServed(LdsFile::Dg(2)),
            || {
                sod_over(|entries| {
                    entries
                        .into_iter()
                        .map(|(n, mut h)| {
                            if n == 2 {
                                h[0] ^= 0x01;
                            }
                            (n, h)
                        })
                        .collect()
                })
            },
        ),
        case(
            P4,
            "LDS_D_32",
            pa,
            "Passive authentication with a CRL that revokes the Document Signer",
            "ICAO 9303-12 §6.3 (CRLs); RFC 5280 §6.3",
            "CFG.DFLT.BAC; the IS holds the CSCA's CRL (2025-01-01) listing the DSC's serial",
            Failed(Shown::Failed),
            "A revoked signer's signatures are not accepted after its revocation.",
            E::FileServed(LdsFile::Sod),
            || {
                let Card { chip, pki } = personalize(&bac())?;
                let crl = pki
                    .issue_crl(&[pki.dsc_serial()])
                    .map_err(|e| e.to_string())?;
                Ok(Setup {
                    chip,
                    inspection_system: InspectionSystem {
                        password: fixtures::mrz(&bac())?,
                        csca: vec![pki.csca_der()],
                        document_signers: Vec::new(),
                        crls: vec![crl],
                        terminal: None,
                    },
                })
            },
        ),
        case(
            Own,
            "PA_01",
            pa,
            "EF.SOD signed under a CSCA the inspection system does not trust",
            "ICAO 9303-12 §5 (the chain ends at a trusted CSCA)",
            "brp-forged-signer: a Document Signer of a forger's own CSCA; the IS trusts the genuine \
             CSCA",
            Failed(Shown::NotVerified),
            "Every signature verifies, but the signer does not chain to a trusted CSCA: not \
             verified, the unknown issuer named.",
            E::FileServed(LdsFile::Sod),
            || {
                let genuine = personalize(&Profile::brp())?;
                let profile =
                    Profile::by_name("brp-forged-signer").ok_or("no profile brp-forged-signer")?;
                let mut s = setup(&profile, |_, _| Ok(()))?;
                s.inspection_system.csca = vec![genuine.pki.csca_der()];
                Ok(s)
            },
        ),
        // ---------------------------------------------------------------- EF.CardSecurity
        case(
            P51,
            "LDS_J_01",
            Unit::CardSecurity,
            "EF.CardSecurity holds more SecurityInfos than EF.CardAccess",
            "BSI TR-03110-3 A.1.2 (EF.CardSecurity), ICAO 9303-11 §9.2",
            "brp (PACE-CAM); EF.CardSecurity also signs a SecurityInfo of an unknown protocol",
            Successful,
            "TR-03105-5.1 §6.10.1: successful. What EF.CardAccess offers is signed; more signed \
             information is harmless.",
            E::FileServed(LdsFile::CardSecurity),
            || {
                card_security(|entries| {
                    entries.push(asn1::der::sequence(&[
                        &asn1::der::tlv(0x06, &[0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x99]),
                        &asn1::der::integer_u64(1),
                    ]));
                    Ok(())
                })
            },
        ),
        case(
            P51,
            "LDS_J_02",
            Unit::CardSecurity,
            "EF.CardSecurity lacks the PACEInfo of the protocol run",
            "BSI TR-03110-3 A.1.2; ICAO 9303-11 §9.2",
            "brp; the PACE-CAM PACEInfo removed from EF.CardSecurity (EF.CardAccess still offers \
             it), re-signed",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.10.2: failed. PACE ran a variant no signed file lists: an unsigned \
             offer may be a man in the middle's.",
            E::FileServed(LdsFile::CardSecurity),
            || {
                card_security(|entries| {
                    entries.retain(|e| super::auth::protocol_of(e) != PACE_ECDH_CAM_AES256);
                    Ok(())
                })
            },
        ),
        case(
            P51,
            "LDS_J_03",
            Unit::CardSecurity,
            "EF.CardSecurity signs other domain parameters than EF.CardAccess offers",
            "BSI TR-03110-3 A.1.2; ICAO 9303-11 §9.2",
            "brp; EF.CardSecurity's PACE-CAM PACEInfo names parameter id 13 instead of 12, \
             re-signed",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.10.3: failed. The variant run (id 12) is not the one signed.",
            E::FileServed(LdsFile::CardSecurity),
            || {
                card_security(|entries| {
                    for e in entries.iter_mut() {
                        if super::auth::protocol_of(e) == PACE_ECDH_CAM_AES256 {
                            *e = asn1::der::sequence(&[
                                &asn1::der::tlv(0x06, PACE_ECDH_CAM_AES256),
                                &asn1::der::integer_u64(2),
                                &asn1::der::integer_u64(13),
                            ]);
                        }
                    }
                    Ok(())
                })
            },
        ),
        case(
            P51,
            "LDS_J_04",
            Unit::CardSecurity,
            "EF.CardSecurity without the ChipAuthenticationPublicKeyInfo for PACE-CAM",
            "ICAO 9303-11 §4.4.3.5; BSI TR-03110-3 A.1.2",
            "brp (PACE-CAM); the ChipAuthenticationPublicKeyInfo removed from EF.CardSecurity, \
             re-signed",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.10.4: failed. PACE-CAM ran, but the signed EF.CardSecurity publishes \
             no key for it: the chip's Chip Authentication Mapping cannot be verified, which fails \
             the PACE-CAM check.",
            E::FileServed(LdsFile::CardSecurity),
            || {
                card_security(|entries| {
                    entries.retain(|e| super::auth::protocol_of(e) != super::auth::ID_PK_ECDH);
                    Ok(())
                })
            },
        ),
        case(
            P4,
            "ISO7816_C_37",
            Unit::CardSecurity,
            "EF.CardSecurity publishes another PACE-CAM public key",
            "ICAO 9303-11 §4.4.3.5 (PK_map,IC = CA_IC · PK_IC)",
            "brp (PACE-CAM); EF.CardSecurity signs the chip's public key of another chip (a valid \
             point)",
            Failed(Shown::Failed),
            "The chip does not hold the private key of the signed public key: chip authenticity \
             fails.",
            E::FileServed(LdsFile::CardSecurity),
            || {
                let other = personalize(&Profile {
                    seed: "conformance other cam".into(),
                    ..Profile::brp()
                })?;
                let other_cs = content(&other.chip, LdsFile::CardSecurity)?;
                let sd = icao9303::pki::cms::SignedData::from_content_info(&other_cs)
                    .map_err(|e| e.to_string())?;
                let infos = sd.content.ok_or("EF.CardSecurity has no content")?;
                let set = asn1::parse_tagged(&infos, 0x31).map_err(|e| e.to_string())?;
                let foreign_key: Vec<u8> = set
                    .children()
                    .map_err(|e| e.to_string())?
                    .iter()
                    .find(|c| super::auth::protocol_of(c.raw) == super::auth::ID_PK_ECDH)
                    .ok_or("no key")?
                    .raw
                    .to_vec();
                card_security(move |entries| {
                    for e in entries.iter_mut() {
                        if super::auth::protocol_of(e) == super::auth::ID_PK_ECDH {
                            *e = foreign_key.clone();
                        }
                    }
                    Ok(())
                })
            },
        ),
        // ---------------------------------------------------------------- EF.ATR/INFO
        case(
            P51,
            "LDS_K_01",
            Unit::AtrInfo,
            "EF.ATR/INFO: extended length information with two-byte lengths",
            "ISO/IEC 7816-4 §12.7.1 (7F66); ICAO 9303-10 §3.6.2",
            "CFG.DFLT.BAC taking extended length; EF.ATR/INFO = 7F66 08 02 02 07 80 02 02 07 80",
            Successful,
            "TR-03105-5.1 §6.11.1: passed.",
            E::FileServed(LdsFile::AtrInfo),
            || {
                atr_info(&[
                    0x7F, 0x66, 0x08, 0x02, 0x02, 0x07, 0x80, 0x02, 0x02, 0x07, 0x80,
                ])
            },
        ),
        case(
            P51,
            "LDS_K_02",
            Unit::AtrInfo,
            "EF.ATR/INFO: extended length information with three-byte lengths",
            "ISO/IEC 7816-4 §12.7.1",
            "CFG.DFLT.BAC taking extended length; EF.ATR/INFO = 7F66 0A 02 03 00 FF FF 02 03 00 FF \
             FF",
            Successful,
            "TR-03105-5.1 §6.11.2: passed.",
            E::FileServed(LdsFile::AtrInfo),
            || {
                atr_info(&[
                    0x7F, 0x66, 0x0A, 0x02, 0x03, 0x00, 0xFF, 0xFF, 0x02, 0x03, 0x00, 0xFF, 0xFF,
                ])
            },
        ),
        case(
            P51,
            "LDS_K_03",
            Unit::AtrInfo,
            "EF.ATR/INFO: only one length in the extended length information",
            "ISO/IEC 7816-4 §12.7.1 (two INTEGERs: command and response)",
            "CFG.DFLT.BAC taking extended length; EF.ATR/INFO = 7F66 04 02 02 07 80",
            Failed(Shown::Failed),
            "TR-03105-5.1 §6.11.3: failed. The file is malformed: its structure check fails (the \
             reader does not use what it says).",
            E::FileServed(LdsFile::AtrInfo),
            || atr_info(&[0x7F, 0x66, 0x04, 0x02, 0x02, 0x07, 0x80]),
        ),
    ]
}
