//! The configurations the cases start from (after TR-03105-5.1 §4: default BAC, EAC and PACE passports)
//! and what they share: the expensive keys (RSA test PKI, RSA Active Authentication key) are made once
//! per process; the ECDSA profiles are personalised per case, which takes milliseconds.
//!
//! A case changes its chip's files with the helpers here and re-signs EF.SOD over them ("the hash values
//! of the LDS security object and the signature of the SOD MUST be updated to obtain a valid and
//! authentic configuration", TR-03105-5.1), so each case differs from its base in exactly its fault.

use super::{InspectionSystem, Setup, Terminal};
use crate::aa::AaKey;
use crate::chip::Chip;
use crate::pace::PaceOffer;
use crate::pki::{SignatureScheme, SignedDataForm, TestPki, lds_security_object};
use crate::profile::{BRP_FINGERPRINTS, Card, EacChip, Profile, encode_dg3_iso19794_4};
use crate::rng::SeededRng;
use icao9303::access::Password;
use icao9303::crypto::cipher::CipherAlgorithm;
use icao9303::crypto::ec::EcCurve;
use icao9303::crypto::hash::HashAlgorithm;
use icao9303::lds::LdsFile;
use icao9303::lds::com::Com;
use icao9303::lds::dg15::Dg15;
use icao9303::lds::security_infos::Mapping;
use icao9303::pki::cvc::CvCertificate;
use icao9303::pki::cvc::private_key::CvPrivateKey;
use std::sync::OnceLock;

/// The reader's reference time for certificate validity in every case (the test PKIs are valid from
/// 2024 to 2035): a fixed day, so the catalogue gives the same verdicts whenever it runs.
pub const REFERENCE_DATE: (u16, u8, u8) = (2026, 1, 1);

/// CFG.DFLT.BAC: the ICAO 9303-11 worked-example passport (L898902C<), BAC, DG1 and DG2, EF.SOD signed
/// with ECDSA P-256 / SHA-256 by a test Document Signer of Utopia ("UT").
pub fn bac() -> Profile {
    Profile {
        name: "conformance-bac",
        seed: "conformance bac".into(),
        ..Profile::passport_bac()
    }
}

/// CFG.DFLT.EAC: the BAC passport with Chip Authentication (ECDH brainpoolP224r1, 3DES: MSE:Set KAT),
/// DG3 (two WSQ fingerprints) and Terminal Authentication trusting the Utopia test CVCA
/// (`test-vectors/data/cvc/test-pki/`), at the chip date 2025-06-01.
pub fn eac() -> Profile {
    Profile {
        name: "conformance-eac",
        seed: "conformance eac".into(),
        chip_auth: Some((EcCurve::BrainpoolP224r1, CipherAlgorithm::Tdes)),
        extra_data_groups: vec![(3, encode_dg3_iso19794_4(&BRP_FINGERPRINTS))],
        eac: EacChip::utopia().ok(),
        ..Profile::passport_bac()
    }
}

/// CFG.DFLT.PACE: the BAC passport offering PACE-ECDH-GM-3DES on brainpoolP256r1 (parameter id 13),
/// and Chip Authentication (ECDH brainpoolP256r1, AES-128).
pub fn pace() -> Profile {
    Profile {
        name: "conformance-pace",
        seed: "conformance pace".into(),
        pace_offers: vec![PaceOffer {
            mapping: Mapping::Generic,
            cipher: CipherAlgorithm::Tdes,
            parameter_id: 13,
        }],
        chip_auth: Some((EcCurve::BrainpoolP256r1, CipherAlgorithm::Aes128)),
        ..Profile::passport_bac()
    }
}

/// Personalises `profile`.
pub fn personalize(profile: &Profile) -> Result<Card, String> {
    profile.personalize().map_err(|e| e.to_string())
}

/// The password printed on `profile`'s data page: its MRZ.
pub fn mrz(profile: &Profile) -> Result<Password, String> {
    profile
        .mrz_key()
        .map(Password::Mrz)
        .map_err(|e| e.to_string())
}

/// An inspection system given `password` and trusting `card`'s CSCA.
pub fn inspection(card: &Card, password: Password) -> InspectionSystem {
    InspectionSystem {
        password,
        csca: vec![card.pki.csca_der()],
        document_signers: Vec::new(),
        crls: Vec::new(),
        terminal: None,
    }
}

/// `profile` personalised, read with its MRZ by an inspection system trusting its CSCA, its chip
/// changed by `change`.
pub fn setup(
    profile: &Profile,
    change: impl FnOnce(&mut Chip, &TestPki) -> Result<(), String>,
) -> Result<Setup, String> {
    let Card { mut chip, pki } = personalize(profile)?;
    change(&mut chip, &pki)?;
    Ok(Setup {
        chip,
        inspection_system: InspectionSystem {
            password: mrz(profile)?,
            csca: vec![pki.csca_der()],
            document_signers: Vec::new(),
            crls: Vec::new(),
            terminal: None,
        },
    })
}

/// The data groups on `chip`, in number order, with their bytes.
pub fn data_groups(chip: &Chip) -> Vec<(u8, Vec<u8>)> {
    chip.files()
        .iter()
        .filter_map(|(f, b)| match f {
            LdsFile::Dg(n) => Some((n, b.to_vec())),
            _ => None,
        })
        .collect()
}

/// Replaces (or adds) a file's content.
pub fn put(chip: &mut Chip, file: LdsFile, bytes: Vec<u8>) {
    chip.files_mut().insert(file, bytes);
}

/// The content of a file on `chip`.
pub fn content(chip: &Chip, file: LdsFile) -> Result<Vec<u8>, String> {
    chip.files()
        .get(file)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| format!("the chip has no {}", file.name()))
}

/// Writes EF.COM (LDS 1.7, Unicode 4.0.0) listing `dgs`.
pub fn set_com(chip: &mut Chip, dgs: &[u8]) {
    let files: Vec<LdsFile> = dgs.iter().map(|n| LdsFile::Dg(*n)).collect();
    put(chip, LdsFile::Com, Com::encode("0107", "040000", &files));
}

/// EF.COM listing every data group on `chip`.
pub fn com_of_chip(chip: &mut Chip) {
    let dgs: Vec<u8> = data_groups(chip).iter().map(|(n, _)| *n).collect();
    set_com(chip, &dgs);
}

/// Signs EF.SOD anew over every data group on `chip` with `hash`, by `pki` as `form` says.
pub fn resign(
    chip: &mut Chip,
    pki: &TestPki,
    hash: HashAlgorithm,
    form: SignedDataForm,
) -> Result<(), String> {
    let entries: Vec<(u8, Vec<u8>)> = data_groups(chip)
        .into_iter()
        .map(|(n, b)| (n, hash.digest(&b)))
        .collect();
    sign_entries(chip, pki, hash, &entries, form)
}

/// Signs EF.SOD over exactly `entries` (data group numbers and hash values, as given).
pub fn sign_entries(
    chip: &mut Chip,
    pki: &TestPki,
    hash: HashAlgorithm,
    entries: &[(u8, Vec<u8>)],
    form: SignedDataForm,
) -> Result<(), String> {
    let sod = pki
        .sign_sod_raw(&lds_security_object(hash, entries), form)
        .map_err(|e| e.to_string())?;
    put(chip, LdsFile::Sod, sod);
    Ok(())
}

/// Signs EF.SOD anew over every data group on `chip`, SHA-256 and `pki`'s own algorithm.
pub fn resign_default(chip: &mut Chip, pki: &TestPki) -> Result<(), String> {
    resign(chip, pki, HashAlgorithm::Sha256, SignedDataForm::default())
}

/// Replaces data group `n` (adding it to EF.COM when new) and re-signs EF.SOD by `pki`.
pub fn replace_signed(chip: &mut Chip, pki: &TestPki, n: u8, bytes: Vec<u8>) -> Result<(), String> {
    put(chip, LdsFile::Dg(n), bytes);
    com_of_chip(chip);
    resign_default(chip, pki)
}

fn cached<T: Send + Sync>(
    cell: &'static OnceLock<Result<T, String>>,
    make: impl FnOnce() -> Result<T, String>,
) -> Result<&'static T, String> {
    cell.get_or_init(make).as_ref().map_err(Clone::clone)
}

/// The RSA test PKI of the passive-authentication matrix: a 2048-bit CSCA and Document Signer of Utopia,
/// made once per process (RSA key generation is the expensive part of the catalogue).
pub fn rsa_pki() -> Result<&'static TestPki, String> {
    static PKI: OnceLock<Result<TestPki, String>> = OnceLock::new();
    cached(&PKI, || {
        TestPki::generate(
            "UT",
            SignatureScheme::RsaPssSha256,
            &mut SeededRng::new(b"conformance rsa pki"),
        )
        .map_err(|e| e.to_string())
    })
}

/// A 1024-bit RSA Active Authentication key, made once per process.
pub fn rsa_aa_key() -> Result<&'static AaKey, String> {
    static KEY: OnceLock<Result<AaKey, String>> = OnceLock::new();
    cached(&KEY, || {
        AaKey::generate_rsa(1024, &mut SeededRng::new(b"conformance rsa aa"))
    })
}

/// Gives `chip` Active Authentication with `key`: DG15 written, EF.COM and EF.SOD updated.
pub fn with_active_authentication(chip: Chip, pki: &TestPki, key: AaKey) -> Result<Chip, String> {
    let mut chip = chip.with_active_authentication(key.clone());
    replace_signed(&mut chip, pki, 15, Dg15::encode(&key.spki()))?;
    Ok(chip)
}

/// The committed Utopia test PKI's file `name` (`test-vectors/data/cvc/test-pki/`).
const UT_DV: &[u8] =
    include_bytes!("../../../../test-vectors/data/cvc/test-pki/UTDVIS00001.cvcert");
const UT_IS: &[u8] =
    include_bytes!("../../../../test-vectors/data/cvc/test-pki/UTTESTIS00001.cvcert");
const UT_IS_KEY: &[u8] =
    include_bytes!("../../../../test-vectors/data/cvc/test-pki/UTTESTIS00001.pkcs8");

/// The Utopia test PKI's inspection system (UTDVIS00001 → UTTESTIS00001, DG3 and DG4 granted): what
/// `mrtd read --terminal test-vectors/data/cvc/test-pki/...` uses.
pub fn utopia_terminal() -> Result<Terminal, String> {
    let parse = |b: &[u8]| CvCertificate::parse(b).map_err(|e| e.to_string());
    let terminal = parse(UT_IS)?;
    let key = CvPrivateKey::from_pkcs8_der(UT_IS_KEY, terminal.body.public_key.algorithm)
        .map_err(|e| e.to_string())?;
    Ok(Terminal {
        certificates: vec![parse(UT_DV)?, terminal],
        key,
    })
}

/// The inspection system's credentials of a minted EAC test PKI.
pub fn terminal_of(pki: &crate::eac_pki::EacTestPki) -> Terminal {
    Terminal {
        certificates: pki.terminal_chain(),
        key: pki.terminal.key.clone(),
    }
}
