//! A test PKI for Extended Access Control: a CVCA, a DV and an inspection system, with their keys, minted
//! from a deterministic RNG — so an emulated chip can trust the CVCA and a terminal can run Terminal
//! Authentication against it without government keys.
//!
//! The same seed gives the same keys and certificates byte for byte (ECDSA signatures use RFC 6979), which
//! is how the committed chains in `test-vectors/data/cvc/test-pki/` are regenerated (see
//! `tests/eac_pki.rs`). Private keys are written as PKCS#8 files readable by their owner only.

use icao9303::crypto::ec::EcCurve;
use icao9303::crypto::hash::HashAlgorithm;
use icao9303::pki::cvc::issue::{CertificateFields, issue_certificate};
use icao9303::pki::cvc::private_key::CvPrivateKey;
use icao9303::pki::cvc::{
    AccessRights, CertificateReference, Chat, CvCertificate, CvDate, CvcError, Role, TaAlgorithm,
};
use rand_core::CryptoRng;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The key type and signature algorithm of every certificate in the PKI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySpec {
    /// ECDSA on `curve` with `hash`.
    Ec {
        /// The curve (the CVCA certificate carries its domain parameters).
        curve: EcCurve,
        /// The hash of id-TA-ECDSA-SHA-*.
        hash: HashAlgorithm,
    },
    /// RSA keys of `bits` bits signing with `algorithm` (an id-TA-RSA-* algorithm).
    Rsa {
        /// The modulus size.
        bits: usize,
        /// The algorithm.
        algorithm: TaAlgorithm,
    },
}

impl KeySpec {
    fn algorithm(self) -> TaAlgorithm {
        match self {
            KeySpec::Ec { hash, .. } => TaAlgorithm::Ecdsa(hash),
            KeySpec::Rsa { algorithm, .. } => algorithm,
        }
    }

    fn generate(self, rng: &mut dyn CryptoRng) -> Result<CvPrivateKey, CvcError> {
        match self {
            KeySpec::Ec { curve, hash } => {
                CvPrivateKey::generate_ec(curve, TaAlgorithm::Ecdsa(hash), rng)
            }
            KeySpec::Rsa { bits, algorithm } => CvPrivateKey::generate_rsa(bits, algorithm, rng),
        }
    }
}

/// What to mint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EacPkiOptions {
    /// The ISO 3166-1 alpha-2 country code that starts every holder reference ("UT").
    pub country: String,
    /// The keys and algorithm.
    pub key: KeySpec,
    /// The first day of validity of all three certificates.
    pub valid_from: CvDate,
    /// Validity of the CVCA certificate in days.
    pub cvca_days: u32,
    /// Validity of the DV certificate in days.
    pub dv_days: u32,
    /// Validity of the terminal certificate in days.
    pub terminal_days: u32,
    /// Domestic or foreign DV.
    pub dv_role: Role,
    /// The rights of the CVCA, the DV and the terminal (each certificate's own CHAT bits).
    pub rights: [AccessRights; 3],
}

impl Default for EacPkiOptions {
    /// Utopia ("UT"), brainpoolP256r1 with SHA-256, valid from 2025-01-01 for twenty years at every
    /// level (a test PKI that does not expire under a test suite), domestic DV, DG3 and DG4 everywhere.
    #[allow(clippy::expect_used)] // a literal, valid date
    fn default() -> Self {
        EacPkiOptions {
            country: "UT".into(),
            key: KeySpec::Ec {
                curve: EcCurve::BrainpoolP256r1,
                hash: HashAlgorithm::Sha256,
            },
            valid_from: CvDate::new(2025, 1, 1).expect("2025-01-01 is a date"),
            cvca_days: 7305,
            dv_days: 7305,
            terminal_days: 7305,
            dv_role: Role::DvDomestic,
            rights: [AccessRights::ALL; 3],
        }
    }
}

/// A certificate and its holder's private key.
#[derive(Debug, Clone)]
pub struct Holder {
    /// The certificate.
    pub certificate: CvCertificate,
    /// The holder's private key.
    pub key: CvPrivateKey,
}

/// A minted CVCA → DV → inspection system chain.
#[derive(Debug, Clone)]
pub struct EacTestPki {
    /// The CVCA (self-signed, with domain parameters): the trust point to install in a chip.
    pub cvca: Holder,
    /// The document verifier.
    pub dv: Holder,
    /// The inspection system (terminal).
    pub terminal: Holder,
}

/// The committed Utopia test PKI's CVCA certificate (`test-vectors/data/cvc/test-pki/UTCVCA00001.cvcert`,
/// minted by `tests/eac_pki.rs`): the trust point of the emulator's EAC profiles. Its DV and terminal
/// certificates and keys are in the same directory.
pub const UTOPIA_CVCA: &[u8] =
    include_bytes!("../../../test-vectors/data/cvc/test-pki/UTCVCA00001.cvcert");

/// [`UTOPIA_CVCA`], parsed.
pub fn utopia_cvca() -> Result<CvCertificate, String> {
    CvCertificate::parse(UTOPIA_CVCA).map_err(|e| format!("UTCVCA00001.cvcert: {e}"))
}

fn reference(text: String) -> Result<CertificateReference, CvcError> {
    CertificateReference::new(&text)
}

impl EacTestPki {
    /// Mints the three certificates and keys from `rng` (holder references `<cc>CVCA00001`,
    /// `<cc>DVIS00001`, `<cc>TESTIS00001`).
    pub fn generate(
        options: &EacPkiOptions,
        rng: &mut dyn CryptoRng,
    ) -> Result<EacTestPki, CvcError> {
        if options.country.len() != 2 || !options.country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(CvcError::invalid(
                "country code",
                format!("{:?} is not two capital letters", options.country),
            ));
        }
        if !options.dv_role.is_dv() {
            return Err(CvcError::invalid("DV role", "must be domestic or foreign"));
        }
        let cc = &options.country;
        let [cvca_rights, dv_rights, terminal_rights] = options.rights;
        let cvca_key = options.key.generate(rng)?;
        let cvca_chr = reference(format!("{cc}CVCA00001"))?;
        let from = options.valid_from;
        let cvca = issue_certificate(
            &cvca_chr,
            CertificateFields {
                holder_reference: cvca_chr.clone(),
                public_key: cvca_key.public_key(true)?,
                chat: Chat::inspection_system(Role::Cvca, cvca_rights),
                effective_date: from,
                expiration_date: from.add_days(options.cvca_days),
                extensions: None,
            },
            &cvca_key,
            rng,
        )?;
        let cvca = Holder {
            certificate: cvca,
            key: cvca_key,
        };
        let mut pki = EacTestPki {
            dv: Holder {
                certificate: cvca.certificate.clone(),
                key: cvca.key.clone(),
            },
            terminal: Holder {
                certificate: cvca.certificate.clone(),
                key: cvca.key.clone(),
            },
            cvca,
        };
        pki.dv = pki.issue_dv(
            reference(format!("{cc}DVIS00001"))?,
            options.dv_role,
            dv_rights,
            from,
            options.dv_days,
            options.key,
            rng,
        )?;
        pki.terminal = pki.issue_terminal(
            reference(format!("{cc}TESTIS00001"))?,
            terminal_rights,
            from,
            options.terminal_days,
            rng,
        )?;
        Ok(pki)
    }

    /// Issues another DV certificate under the CVCA, with a fresh key of `key`'s kind.
    #[allow(clippy::too_many_arguments)]
    pub fn issue_dv(
        &self,
        chr: CertificateReference,
        role: Role,
        rights: AccessRights,
        valid_from: CvDate,
        days: u32,
        key: KeySpec,
        rng: &mut dyn CryptoRng,
    ) -> Result<Holder, CvcError> {
        if key.algorithm() != self.cvca.key.algorithm() {
            return Err(CvcError::Key(
                "a chain uses one signature algorithm throughout".into(),
            ));
        }
        let dv_key = key.generate(rng)?;
        let certificate = issue_certificate(
            self.cvca.certificate.chr(),
            CertificateFields {
                holder_reference: chr,
                public_key: dv_key.public_key(false)?,
                chat: Chat::inspection_system(role, rights),
                effective_date: valid_from,
                expiration_date: valid_from.add_days(days),
                extensions: None,
            },
            &self.cvca.key,
            rng,
        )?;
        Ok(Holder {
            certificate,
            key: dv_key,
        })
    }

    /// Issues another terminal certificate under the DV (a fresh key of the DV's kind), e.g. one without
    /// the DG3 right, or an expired one.
    pub fn issue_terminal(
        &self,
        chr: CertificateReference,
        rights: AccessRights,
        valid_from: CvDate,
        days: u32,
        rng: &mut dyn CryptoRng,
    ) -> Result<Holder, CvcError> {
        self.issue_terminal_under(&self.dv, chr, rights, valid_from, days, rng)
    }

    /// Issues a terminal certificate under `dv` (a DV of this PKI).
    pub fn issue_terminal_under(
        &self,
        dv: &Holder,
        chr: CertificateReference,
        rights: AccessRights,
        valid_from: CvDate,
        days: u32,
        rng: &mut dyn CryptoRng,
    ) -> Result<Holder, CvcError> {
        let key = match dv.key.curve() {
            Some(curve) => CvPrivateKey::generate_ec(curve, dv.key.algorithm(), rng)?,
            None => {
                let bits = match &dv.certificate.body.public_key.key {
                    icao9303::pki::cvc::CvKey::Rsa { modulus, .. } => modulus.len() * 8,
                    icao9303::pki::cvc::CvKey::Ec { .. } => 2048,
                };
                CvPrivateKey::generate_rsa(bits, dv.key.algorithm(), rng)?
            }
        };
        let certificate = issue_certificate(
            dv.certificate.chr(),
            CertificateFields {
                holder_reference: chr,
                public_key: key.public_key(false)?,
                chat: Chat::inspection_system(Role::Terminal, rights),
                effective_date: valid_from,
                expiration_date: valid_from.add_days(days),
                extensions: None,
            },
            &dv.key,
            rng,
        )?;
        Ok(Holder { certificate, key })
    }

    /// The certificates a terminal sends to a chip trusting the CVCA: the DV's, then the terminal's.
    pub fn terminal_chain(&self) -> Vec<CvCertificate> {
        vec![
            self.dv.certificate.clone(),
            self.terminal.certificate.clone(),
        ]
    }

    /// Every certificate as `<CHR>.cvcert` and every key as `<CHR>.pkcs8`: file names and contents, for a
    /// caller that writes them its own way (the CLI's owner-only, never-through-a-link files). The keys
    /// are zeroized when dropped.
    pub fn files(&self) -> std::io::Result<Vec<(String, Zeroizing<Vec<u8>>)>> {
        let mut files = Vec::new();
        for holder in [&self.cvca, &self.dv, &self.terminal] {
            files.extend(holder.files()?);
        }
        Ok(files)
    }

    /// Writes [`EacTestPki::files`] into `dir` (mode 0600), which is created if needed. Returns the paths
    /// written.
    pub fn write_to(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let mut written = Vec::new();
        for holder in [&self.cvca, &self.dv, &self.terminal] {
            written.extend(write_holder(dir, holder)?);
        }
        Ok(written)
    }
}

impl Holder {
    /// The certificate as `<CHR>.cvcert` and the private key as `<CHR>.pkcs8` (PKCS#8 DER): file names
    /// and contents.
    pub fn files(&self) -> std::io::Result<[(String, Zeroizing<Vec<u8>>); 2]> {
        let chr = self.certificate.chr().to_string();
        let der = self
            .key
            .to_pkcs8_der()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok([
            (
                format!("{chr}.cvcert"),
                Zeroizing::new(self.certificate.as_bytes().to_vec()),
            ),
            (format!("{chr}.pkcs8"), der),
        ])
    }
}

/// Writes `holder`'s certificate (`<CHR>.cvcert`) and private key (`<CHR>.pkcs8`) into `dir`, owner-only
/// ([`write_secret`]).
pub fn write_holder(dir: &Path, holder: &Holder) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (name, bytes) in holder.files()? {
        let path = dir.join(name);
        write_secret(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes a secret file readable and writable by its owner only (mode 0600 on Unix), replacing any
/// existing file.
pub fn write_secret(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
