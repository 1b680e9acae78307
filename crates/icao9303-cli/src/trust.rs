//! Trust anchors from the command line: `--trust PATH` (master lists, CSCA certificates, directories, CRLs)
//! and `mrtd trust inspect PATH`.

use anyhow::{Context, anyhow};
use clap::Args;
use icao9303::pki::certificate::certificates_from_der_or_pem;
use icao9303::pki::{Certificate, LoadReport, MasterList, PkiError, Time, TrustStore};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the CLI's "not trusted" hints send the user.
pub const TRUST_ANCHORS_DOC: &str = "docs/trust-anchors.md";

/// The trust inputs of `read`, `verify` and `serve`.
#[derive(Args, Debug, Default, Clone)]
pub struct TrustArgs {
    /// Trust anchors for passive authentication: CSCA master lists (.ml/.mls), CSCA certificate files (DER
    /// or PEM; only self-signed CSCA certificates with keyCertSign, and link certificates signed by one of
    /// them, become anchors), CRLs, ICAO PKD LDIF downloads, or a directory of them. Repeatable; all paths
    /// load as one set (a master list's signer is verified against the certificates of any of them). See
    /// docs/trust-anchors.md.
    #[arg(long, value_name = "PATH")]
    pub trust: Vec<PathBuf>,
    /// Document Signer certificates (DER, or a PEM bundle) for documents whose EF.SOD does not carry its
    /// signer's certificate. Never trust anchors: a CA certificate in the file is rejected. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub dsc: Vec<PathBuf>,
    /// Accept master lists whose signer cannot be verified. Their certificates are loaded, but a document
    /// chaining to one of them is at best NOT VERIFIED.
    #[arg(long)]
    pub accept_unverified_lists: bool,
}

/// Loads every `--trust` path as one set ([`TrustStoreBuilder::add_paths`]) and every `--dsc` bundle, then
/// prints on stderr what was loaded, anchored and rejected (with why). `None` when no trust input was given.
///
/// [`TrustStoreBuilder::add_paths`]: icao9303::pki::TrustStoreBuilder::add_paths
pub fn load(args: &TrustArgs) -> anyhow::Result<Option<TrustStore>> {
    if args.trust.is_empty() && args.dsc.is_empty() {
        return Ok(None);
    }
    let mut store = TrustStore::builder();
    store.accept_unverified_lists(args.accept_unverified_lists);
    for (flag, paths) in [("--trust", &args.trust), ("--dsc", &args.dsc)] {
        if let Some(missing) = paths.iter().find(|p| !p.exists()) {
            return Err(anyhow!(
                "{flag} {}: no such file or directory",
                missing.display()
            ));
        }
    }
    let summary = store.add_paths(&args.trust).map_err(|e| match e {
        PkiError::MasterListSigner(why) => anyhow!(
            "--trust: the master list's signer could not be verified: {why}. Give its root certificate with \
             another --trust, or accept it unverified with --accept-unverified-lists (documents it anchors \
             are then at best not verified)"
        ),
        other => anyhow!("--trust: {other}"),
    })?;
    for path in &args.dsc {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        store
            .add_document_signers(&bytes, &path.display().to_string())
            .with_context(|| format!("--dsc {}", path.display()))?;
    }
    let store = store.build();
    if !crate::ui::settings().quiet {
        eprint!("{}", render_load_report(store.load_report()));
        for list in &summary.unverified_lists {
            eprintln!(
                "warning: {list}: master list signer not verified; accepted as you asked: documents it anchors are at best NOT VERIFIED"
            );
        }
    }
    Ok(Some(store))
}

/// What a trust store was built from, for stderr: loaded, anchored and rejected lines.
pub fn render_load_report(report: &LoadReport) -> String {
    let mut out = String::from("trust anchors\n");
    for (word, lines) in [
        ("loaded  ", &report.loaded),
        ("anchored", &report.anchored),
        ("REJECTED", &report.rejected),
    ] {
        for line in lines {
            out.push_str(&format!("  {word} {line}\n"));
        }
    }
    if report.anchored.is_empty() {
        out.push_str(&format!(
            "  no trust anchor was loaded: no document can be verified (see {TRUST_ANCHORS_DOC})\n"
        ));
    }
    if report.duplicates > 0 {
        out.push_str(&format!("  ({} duplicate(s) skipped)\n", report.duplicates));
    }
    crate::safe_text::for_terminal(&out).into_owned()
}

#[derive(Serialize, Default)]
struct CountrySummary {
    certificates: usize,
    valid_now: usize,
    expired: usize,
    not_yet_valid: usize,
}

#[derive(Serialize)]
struct Inspection {
    path: String,
    kind: &'static str,
    signer: Option<String>,
    certificates: usize,
    by_country: BTreeMap<String, CountrySummary>,
    failed_to_parse: Vec<String>,
}

fn summarise<'a>(
    certs: impl Iterator<Item = &'a Certificate>,
    now: Time,
) -> BTreeMap<String, CountrySummary> {
    let mut by_country: BTreeMap<String, CountrySummary> = BTreeMap::new();
    for c in certs {
        // ICAO 9303-12 requires upper case; a lower-case "gb" is the same country, not another one.
        let country = c
            .subject
            .country()
            .map_or_else(|| "??".to_string(), str::to_ascii_uppercase);
        let s = by_country.entry(country).or_default();
        s.certificates += 1;
        if c.is_valid_at(now) {
            s.valid_now += 1;
        } else if c.not_after < now {
            s.expired += 1;
        } else {
            s.not_yet_valid += 1;
        }
    }
    by_country
}

/// The CSCAs and the Document Signer certificates of a store.
fn all_certificates(store: &TrustStore) -> impl Iterator<Item = &Certificate> {
    store
        .anchors()
        .iter()
        .map(|a| &a.certificate)
        .chain(store.document_signers())
}

/// `mrtd trust inspect PATH`: certificates by country, validity, and what failed to parse. It summarises
/// what a file holds; it does not decide trust (a master list's signer is not verified here).
pub fn inspect(path: &Path, json: bool) -> anyhow::Result<()> {
    let now = Time::now();
    let store_of = |path: &Path| -> anyhow::Result<(TrustStore, Vec<String>, usize, usize)> {
        let mut store = TrustStore::builder();
        store.accept_unverified_lists(true);
        let summary = store
            .add_path(path)
            .with_context(|| format!("reading {}", path.display()))?;
        let store = store.build();
        let mut errors = summary.errors;
        errors.extend(
            summary
                .unverified_lists
                .iter()
                .map(|l| format!("{l} (signer not verified)")),
        );
        Ok((store, errors, summary.crls, summary.master_lists))
    };
    let inspection = if path.is_dir() {
        let (store, failed_to_parse, _, _) = store_of(path)?;
        Inspection {
            path: path.display().to_string(),
            kind: "directory",
            signer: None,
            certificates: store.anchors().len() + store.document_signers().len(),
            by_country: summarise(all_certificates(&store), now),
            failed_to_parse,
        }
    } else {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        if let Ok(list) = MasterList::parse(&bytes) {
            let signer = list
                .signed_data
                .certificates
                .first()
                .and_then(|raw| Certificate::from_der(raw).ok())
                .map(|c| c.subject.to_string());
            Inspection {
                path: path.display().to_string(),
                kind: "master list",
                signer,
                certificates: list.certificates.len(),
                by_country: summarise(list.certificates.iter(), now),
                failed_to_parse: list.rejected.clone(),
            }
        } else if let Ok(certs) = certificates_from_der_or_pem(&bytes) {
            Inspection {
                path: path.display().to_string(),
                kind: "certificate file",
                signer: None,
                certificates: certs.len(),
                by_country: summarise(certs.iter(), now),
                failed_to_parse: Vec::new(),
            }
        } else {
            let (store, failed_to_parse, crls, master_lists) = store_of(path)?;
            let dscs = store.document_signers().len();
            if store.anchors().is_empty() && crls == 0 && dscs == 0 {
                return Err(anyhow!(
                    "{}: not a master list, certificate or CRL: {}",
                    path.display(),
                    failed_to_parse.join("; ")
                ));
            }
            Inspection {
                path: path.display().to_string(),
                kind: if crls > 0 && dscs == 0 && master_lists == 0 {
                    "CRL"
                } else {
                    "LDIF download"
                },
                signer: None,
                certificates: store.anchors().len() + dscs,
                by_country: summarise(all_certificates(&store), now),
                failed_to_parse,
            }
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&inspection)?);
        return Ok(());
    }
    println!("{} ({})", inspection.path, inspection.kind);
    if let Some(s) = &inspection.signer {
        println!("signer       {s}");
    }
    println!(
        "certificates {} from {} countries",
        inspection.certificates,
        inspection.by_country.len()
    );
    println!("\ncountry  certificates  valid now  expired  not yet valid");
    for (country, s) in &inspection.by_country {
        println!(
            "{country:<8} {:>12} {:>10} {:>8} {:>14}",
            s.certificates, s.valid_now, s.expired, s.not_yet_valid
        );
    }
    if !inspection.failed_to_parse.is_empty() {
        println!("\nfailed to parse:");
        for f in &inspection.failed_to_parse {
            println!("  {f}");
        }
    }
    Ok(())
}
