//! Extended Access Control on the command line: the inspection system's credentials of `mrtd read
//! --terminal CHAIN --terminal-key KEY`, `mrtd eac mint DIR` (a test PKI: CVCA, DV and inspection system
//! with keys), and the trust point of `mrtd emulate --cvca FILE`.

use anyhow::{Context, anyhow};
use clap::{Args, Subcommand};
use icao9303::auth::terminal::TerminalCredentials;
use icao9303::crypto::ec::EcCurve;
use icao9303::crypto::hash::HashAlgorithm;
use icao9303::pki::cvc::private_key::{CredentialsError, terminal_credentials};
use icao9303::pki::cvc::{CvCertificate, CvDate, Role};
use icao9303_emu::eac_pki::{EacPkiOptions, EacTestPki, KeySpec};
use rand_core::UnwrapErr;
use std::path::{Path, PathBuf};

/// The largest file read as a certificate or key (CV certificates are a few hundred bytes; an RSA-4096
/// PKCS#8 key about 2.4 KB).
const MAX_FILE: u64 = 64 * 1024;

/// `--terminal` and `--terminal-key` of `mrtd read`.
#[derive(Args, Debug, Default)]
pub(crate) struct TerminalArgs {
    /// Run Terminal Authentication (EAC) to read DG3 (fingerprints) and DG4 (iris): the inspection
    /// system's CV certificates — its terminal certificate, its DV certificate and any CVCA link
    /// certificates — as files or directories of `.cvcert` files (repeatable). The chain that starts at
    /// a trust point the chip names in EF.CVCA is sent.
    #[arg(long, value_name = "PATH", requires = "terminal_key")]
    terminal: Vec<PathBuf>,
    /// The terminal certificate's private key (PKCS#8, DER or PEM). With several terminal certificates
    /// among --terminal, the one this key belongs to is used.
    #[arg(long, value_name = "KEY", requires = "terminal")]
    terminal_key: Option<PathBuf>,
}

impl TerminalArgs {
    /// The credentials, when `--terminal` was given.
    pub(crate) fn credentials(&self) -> anyhow::Result<Option<TerminalCredentials>> {
        let Some(key_path) = &self.terminal_key else {
            return Ok(None);
        };
        let certificates = load_certificates(&self.terminal)?;
        // The key's bytes are zeroized once read (the DER copy by terminal_credentials too).
        let raw = zeroize::Zeroizing::new(read_small(key_path)?);
        let credentials = terminal_credentials(certificates, &raw).map_err(|e| match e {
            CredentialsError::Key(e) => anyhow!("--terminal-key {}: {e}", key_path.display()),
            CredentialsError::NoTerminal => {
                anyhow!("--terminal: no terminal (inspection system) certificate among the files")
            }
            CredentialsError::NoMatch(refused) => anyhow!(
                "--terminal-key {} belongs to none of the terminal certificates ({refused})",
                key_path.display()
            ),
        })?;
        Ok(Some(credentials))
    }
}

fn read_small(path: &Path) -> anyhow::Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    if len > MAX_FILE {
        return Err(anyhow!(
            "{}: {len} bytes is too large for a certificate or key (at most {MAX_FILE})",
            path.display()
        ));
    }
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Every CV certificate in `paths`: files are parsed (an error names the file); directories contribute
/// their files that parse as CV certificates (`.cvcert` or not; keys, requests and notes are skipped).
pub(crate) fn load_certificates(paths: &[PathBuf]) -> anyhow::Result<Vec<CvCertificate>> {
    let mut out: Vec<CvCertificate> = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            for entry in entries {
                let Ok(bytes) = read_small(&entry) else {
                    continue;
                };
                if let Ok(cert) = CvCertificate::parse(&bytes) {
                    out.push(cert);
                }
            }
        } else {
            let bytes = read_small(path)?;
            out.push(
                CvCertificate::parse(&bytes)
                    .with_context(|| format!("{}: not a CV certificate", path.display()))?,
            );
        }
    }
    if out.is_empty() {
        return Err(anyhow!("--terminal: no CV certificate found"));
    }
    out.dedup_by(|a, b| a.as_bytes() == b.as_bytes());
    Ok(out)
}

/// `mrtd emulate --cvca FILE`: the CVCA certificate to install as the emulated chip's trust point.
pub(crate) fn load_cvca(path: &Path) -> anyhow::Result<CvCertificate> {
    let cert = CvCertificate::parse(&read_small(path)?)
        .with_context(|| format!("--cvca {}: not a CV certificate", path.display()))?;
    if cert.role() != Role::Cvca {
        return Err(anyhow!(
            "--cvca {}: {} is a {} certificate, not a CVCA's",
            path.display(),
            cert.chr(),
            cert.role().name()
        ));
    }
    Ok(cert)
}

/// `mrtd eac ...`.
#[derive(Subcommand, Debug)]
pub(crate) enum EacCommand {
    /// Mint a test PKI for Terminal Authentication into DIR: a CVCA (self-signed, with domain
    /// parameters), a DV and an inspection system with the DG3 and DG4 rights, as `<CHR>.cvcert` with
    /// private keys `<CHR>.pkcs8` (mode 0600). Install the CVCA in a chip (`mrtd emulate --cvca
    /// DIR/<cc>CVCA00001.cvcert`) and read with `mrtd read --terminal DIR --terminal-key
    /// DIR/<cc>TESTIS00001.pkcs8`. Test keys only: never for real documents.
    Mint {
        /// The directory to write (created if needed).
        dir: PathBuf,
        /// The curve of every key: brainpoolP256r1 (default), brainpoolP224r1, brainpoolP320r1,
        /// brainpoolP384r1, brainpoolP512r1, P-224, P-256, P-384, P-521. The hash follows the size:
        /// SHA-224 up to 224 bits, SHA-256 up to 256, SHA-384 up to 384, SHA-512 above.
        #[arg(long, default_value = "brainpoolP256r1")]
        curve: String,
        /// Validity of each certificate in days, from today.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// The two-letter country code that starts every holder reference.
        #[arg(long, default_value = "UT")]
        country: String,
    },
}

/// The curve called `name` (case, spaces and hyphens ignored; `P-256`, `nistp256` and `secp256r1` alike).
fn curve(name: &str) -> anyhow::Result<EcCurve> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let wanted = norm(name);
    let wanted = match wanted.as_str() {
        "secp224r1" | "p224" => "nistp224".to_owned(),
        "secp256r1" | "prime256v1" | "p256" => "nistp256".to_owned(),
        "secp384r1" | "p384" => "nistp384".to_owned(),
        "secp521r1" | "p521" => "nistp521".to_owned(),
        _ => wanted,
    };
    EcCurve::ALL
        .into_iter()
        .find(|c| norm(c.name()) == wanted)
        .ok_or_else(|| {
            anyhow!(
                "--curve {name:?}: unknown; known: {}",
                EcCurve::ALL.map(EcCurve::name).join(", ")
            )
        })
}

fn hash_for(curve: EcCurve) -> HashAlgorithm {
    match curve.field_size() * 8 {
        0..=224 => HashAlgorithm::Sha224,
        225..=256 => HashAlgorithm::Sha256,
        257..=384 => HashAlgorithm::Sha384,
        _ => HashAlgorithm::Sha512,
    }
}

/// Runs `mrtd eac ...`.
pub(crate) fn run(command: &EacCommand) -> anyhow::Result<()> {
    match command {
        EacCommand::Mint {
            dir,
            curve: name,
            days,
            country,
        } => {
            let curve = curve(name)?;
            if *days == 0 {
                return Err(anyhow!("--days must be at least 1"));
            }
            let today =
                CvDate::today().ok_or_else(|| anyhow!("the system clock is not a usable date"))?;
            let options = EacPkiOptions {
                country: country.clone(),
                key: KeySpec::Ec {
                    curve,
                    hash: hash_for(curve),
                },
                valid_from: today,
                cvca_days: *days,
                dv_days: *days,
                terminal_days: *days,
                ..EacPkiOptions::default()
            };
            let pki = EacTestPki::generate(&options, &mut UnwrapErr(getrandom::SysRng))
                .context("minting the test PKI")?;
            // The directory holds private keys: owner-only, like every output of secrets.
            crate::private_file::create_private_dir(dir)?;
            let files = pki
                .files()
                .with_context(|| format!("encoding the test PKI for {}", dir.display()))?;
            for (name, bytes) in &files {
                let path = dir.join(name);
                crate::private_file::write_private(&path, bytes)?;
                println!("{}", path.display());
            }
            let file = |h: &icao9303_emu::eac_pki::Holder, ext: &str| {
                dir.join(format!("{}.{ext}", h.certificate.chr()))
                    .display()
                    .to_string()
            };
            crate::ui::note(format!(
                "test PKI on {} with {}, valid {days} days from {today}. Install the trust point with \
                 `mrtd emulate --profile brp --cvca {}`; read with `mrtd read ... --terminal {} \
                 --terminal-key {}`. The .pkcs8 files are private keys (mode 0600).",
                curve.name(),
                pki.terminal.certificate.body.public_key.algorithm,
                file(&pki.cvca, "cvcert"),
                dir.display(),
                file(&pki.terminal, "pkcs8"),
            ));
            Ok(())
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn curve_names() {
        assert_eq!(curve("brainpoolP256r1").unwrap(), EcCurve::BrainpoolP256r1);
        assert_eq!(curve("P-256").unwrap(), EcCurve::NistP256);
        assert_eq!(curve("secp384r1").unwrap(), EcCurve::NistP384);
        assert_eq!(curve("NIST P-521").unwrap(), EcCurve::NistP521);
        assert!(curve("curve25519").is_err());
        assert_eq!(hash_for(EcCurve::BrainpoolP512r1), HashAlgorithm::Sha512);
        assert_eq!(hash_for(EcCurve::BrainpoolP224r1), HashAlgorithm::Sha224);
    }
}
