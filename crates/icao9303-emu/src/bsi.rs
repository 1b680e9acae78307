//! The BSI reference data set (TR-03105 specimen, document number C11T002JM) as an emulated chip, with
//! the data set's own Chip Authentication key (explicit brainpoolP224r1, 3DES) and Active Authentication
//! key (RSA-1024).
//!
//! The files are put on the chip exactly as published, EF.SOD included; BAC is keyed from the MRZ in DG1.
//! DG3 and DG4 need Terminal Authentication: without EAC ([`reference_chip`]) they stay unreadable;
//! [`eac_passport`] adds EF.CVCA and TA with the emulator's test trust point. Every key file is untrusted: a
//! malformed one, or one that does not match DG14, is an error naming the file, never a panic.

use crate::aa::AaKey;
use crate::ca::CaKey;
use crate::chip::{Chip, ChipOptions};
use crate::dump::{DumpError, chip_from_files, read_file};
use crate::profile::EacChip;
use icao9303::asn1::{self, Asn1Error, Mode, tag};
use icao9303::auth::chip::plan;
use icao9303::crypto::domain::DomainParameters;
use icao9303::crypto::ec::EcCurve;
use icao9303::lds::LdsFile;
use icao9303::lds::security_infos::SecurityInfos;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The data set's files and the LDS files they become.
pub const FILES: [(&str, LdsFile); 8] = [
    ("EF_COM.bin", LdsFile::Com),
    ("EF_SOD.bin", LdsFile::Sod),
    ("Datagroup1.bin", LdsFile::Dg(1)),
    ("Datagroup2.bin", LdsFile::Dg(2)),
    ("Datagroup3.bin", LdsFile::Dg(3)),
    ("Datagroup4.bin", LdsFile::Dg(4)),
    ("Datagroup14.bin", LdsFile::Dg(14)),
    ("Datagroup15.bin", LdsFile::Dg(15)),
];

/// The Chip Authentication private key (PKCS#8, explicit EC parameters).
pub const CA_KEY_FILE: &str = "DG14_sk.pkcs8";
/// The Active Authentication private key (PKCS#8, RSA).
pub const AA_KEY_FILE: &str = "DG15_sk.pkcs8";

/// id-ecPublicKey (1.2.840.10045.2.1), encoded.
const EC_PUBLIC_KEY: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];

/// The data set could not be turned into a chip.
#[derive(Debug, Error)]
pub enum BsiError {
    /// A data file could not be read, or DG1 gives no BAC key.
    #[error(transparent)]
    Files(#[from] DumpError),
    /// A key file (or DG14, which the CA key must match) is malformed or inconsistent.
    #[error("{path}: {what}")]
    Key {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// The EAC trust points cannot be installed.
    #[error("{0}")]
    Eac(String),
}

/// The BSI reference chip from the data set in `dir` (`test-vectors/data/bsi-reference-dataset`).
pub fn reference_chip(dir: &Path) -> Result<Chip, BsiError> {
    reference_chip_with(dir, ChipOptions::default())
}

/// [`reference_chip`] with chip `options`.
pub fn reference_chip_with(dir: &Path, options: ChipOptions) -> Result<Chip, BsiError> {
    let mut files = Vec::new();
    for (name, file) in FILES {
        files.push((file, read_file(&dir.join(name))?));
    }
    let ca = read_file(&dir.join(CA_KEY_FILE))?;
    let aa = read_file(&dir.join(AA_KEY_FILE))?;
    chip_from_data(files, &ca, &aa, dir, options)
}

/// The data set's files, as committed in `test-vectors/data/bsi-reference-dataset/`, built into the
/// emulator (the `eac-passport` profile needs no files at run time).
const EMBEDDED: [&[u8]; 8] = [
    include_bytes!("../../../test-vectors/data/bsi-reference-dataset/EF_COM.bin"),
    include_bytes!("../../../test-vectors/data/bsi-reference-dataset/EF_SOD.bin"),
    include_bytes!("../../../test-vectors/data/bsi-reference-dataset/Datagroup1.bin"),
    include_bytes!("../../../test-vectors/data/bsi-reference-dataset/Datagroup2.bin"),
    include_bytes!("../../../test-vectors/data/bsi-reference-dataset/Datagroup3.bin"),
    include_bytes!("../../../test-vectors/data/bsi-reference-dataset/Datagroup4.bin"),
    include_bytes!("../../../test-vectors/data/bsi-reference-dataset/Datagroup14.bin"),
    include_bytes!("../../../test-vectors/data/bsi-reference-dataset/Datagroup15.bin"),
];
const EMBEDDED_CA_KEY: &[u8] =
    include_bytes!("../../../test-vectors/data/bsi-reference-dataset/DG14_sk.pkcs8");
const EMBEDDED_AA_KEY: &[u8] =
    include_bytes!("../../../test-vectors/data/bsi-reference-dataset/DG15_sk.pkcs8");

/// The `eac-passport` profile: the BSI specimen chip (built-in copy of the data set) with Extended
/// Access Control — EF.CVCA from `eac`'s trust points, and its DG3 (two WSQ fingerprints) and DG4 (two
/// JPEG 2000 irises) readable after Terminal Authentication with a chain granting the right.
pub fn eac_passport(eac: &EacChip, options: ChipOptions) -> Result<Chip, BsiError> {
    let files = FILES
        .iter()
        .zip(EMBEDDED)
        .map(|((_, file), bytes)| (*file, bytes.to_vec()))
        .collect();
    let chip = chip_from_data(
        files,
        EMBEDDED_CA_KEY,
        EMBEDDED_AA_KEY,
        Path::new("(built-in BSI reference data set)"),
        options,
    )?;
    let ta = eac.ta_chip().map_err(|e| BsiError::Eac(e.to_string()))?;
    Ok(chip.with_terminal_authentication(ta))
}

/// The chip from the data set's files and key files (`dir` names where they came from in errors).
fn chip_from_data(
    files: Vec<(LdsFile, Vec<u8>)>,
    ca_der: &[u8],
    aa_der: &[u8],
    dir: &Path,
    options: ChipOptions,
) -> Result<Chip, BsiError> {
    let dg14_path = dir.join("Datagroup14.bin");
    let dg14 = files
        .iter()
        .find(|(f, _)| *f == LdsFile::Dg(14))
        .map(|(_, b)| b.as_slice())
        .unwrap_or_default();
    let ca_path = dir.join(CA_KEY_FILE);
    let ca = ca_key(ca_der, dg14).map_err(|what| {
        let path = if what.starts_with("DG14") {
            dg14_path.clone()
        } else {
            ca_path.clone()
        };
        BsiError::Key { path, what }
    })?;
    let aa = AaKey::rsa_from_pkcs8(aa_der).map_err(|what| BsiError::Key {
        path: dir.join(AA_KEY_FILE),
        what,
    })?;
    let chip = chip_from_files(files, &dir.join("Datagroup1.bin"), dir, options)?;
    Ok(chip
        .with_chip_authentication(ca)
        .with_active_authentication(aa))
}

/// The CA key: the private scalar and curve from `pkcs8`, the protocol (cipher, key id) from `dg14`,
/// whose public key it must match.
pub fn ca_key(pkcs8: &[u8], dg14: &[u8]) -> Result<CaKey, String> {
    let (curve, sk) = ec_private_key(pkcs8).map_err(|e| format!("EC PKCS#8 private key: {e}"))?;
    let outer = asn1::parse_tagged(dg14, 0x6E).map_err(|e| format!("DG14: {e}"))?;
    let infos = SecurityInfos::parse(outer.value).map_err(|e| format!("DG14: {e}"))?;
    let plan = plan(&infos)
        .map_err(|e| format!("DG14: {e}"))?
        .ok_or("DG14: no Chip Authentication public key")?;
    if plan.key.domain != DomainParameters::Ec(curve) {
        return Err(format!(
            "the key's curve {} is not the one of DG14's key",
            curve.name()
        ));
    }
    let scalar = curve.scalar(&sk).map_err(|e| e.to_string())?;
    let public = scalar
        .public_key(&curve.generator())
        .map_err(|e| e.to_string())?;
    if public.as_bytes() != plan.key.public.as_slice() {
        return Err("the private key does not match DG14's public key".into());
    }
    CaKey::from_private(curve, &sk, plan.cipher, plan.key.key_id)
}

/// Reads a PKCS#8 PrivateKeyInfo of id-ecPublicKey on explicit prime-field parameters: the curve and
/// the private scalar, left-padded to the field size.
pub fn ec_private_key(der: &[u8]) -> Result<(EcCurve, Vec<u8>), String> {
    let e = |e: Asn1Error| e.to_string();
    let info = Mode::Ber
        .parse_exact(der)
        .map_err(e)?
        .expect(tag::SEQUENCE)
        .map_err(e)?;
    let mut r = info.cursor();
    r.next_tagged(tag::INTEGER, "version").map_err(e)?;
    let alg = r
        .next_tagged(tag::SEQUENCE, "AlgorithmIdentifier")
        .map_err(e)?;
    let key = r.next_tagged(tag::OCTET_STRING, "privateKey").map_err(e)?;
    let mut a = alg.cursor();
    let oid = a.next_tagged(tag::OID, "algorithm").map_err(e)?;
    if oid.value != EC_PUBLIC_KEY {
        return Err("not an id-ecPublicKey key".into());
    }
    let params = a.next("ECParameters").map_err(e)?;
    let curve = EcCurve::from_parameters(params.raw).map_err(|e| format!("ECParameters: {e}"))?;
    // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] parameters, [1] publicKey }
    let ec = Mode::Ber
        .parse_exact(key.value)
        .map_err(e)?
        .expect(tag::SEQUENCE)
        .map_err(e)?;
    let mut k = ec.cursor();
    if k.next("ECPrivateKey version").map_err(e)?.small_uint() != Ok(1) {
        return Err("ECPrivateKey version is not 1".into());
    }
    let sk = k
        .next_tagged(tag::OCTET_STRING, "private scalar")
        .map_err(e)?
        .value;
    let size = curve.field_size();
    let start = sk.iter().position(|b| *b != 0).unwrap_or(sk.len());
    let sk = &sk[start..];
    if sk.len() > size {
        return Err("private scalar longer than the field".into());
    }
    let mut padded = vec![0u8; size - sk.len()];
    padded.extend_from_slice(sk);
    Ok((curve, padded))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/data/bsi-reference-dataset")
    }

    #[test]
    fn the_ca_key_is_explicit_brainpool_p224r1() {
        let der = std::fs::read(dir().join(CA_KEY_FILE)).unwrap();
        let (curve, sk) = ec_private_key(&der).unwrap();
        assert_eq!(curve, EcCurve::BrainpoolP224r1);
        assert_eq!(sk.len(), 28);
    }

    #[test]
    fn bad_key_files_are_errors() {
        let der = std::fs::read(dir().join(CA_KEY_FILE)).unwrap();
        let dg14 = std::fs::read(dir().join("Datagroup14.bin")).unwrap();
        for cut in [0, 1, 10, 100, der.len() - 1] {
            assert!(ec_private_key(&der[..cut]).is_err());
            assert!(ca_key(&der[..cut], &dg14).is_err());
        }
        let mut other = der.clone();
        other[240] ^= 1; // inside the private scalar
        assert!(ca_key(&other, &dg14).is_err());
        assert!(ca_key(&der, &dg14[..50]).is_err());
        let rsa = std::fs::read(dir().join(AA_KEY_FILE)).unwrap();
        assert!(ec_private_key(&rsa).unwrap_err().contains("id-ecPublicKey"));
        assert!(AaKey::rsa_from_pkcs8(&rsa[..rsa.len() - 3]).is_err());
        assert!(AaKey::rsa_from_pkcs8(&der).is_err());
    }
}
