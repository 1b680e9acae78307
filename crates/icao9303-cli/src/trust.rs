//! Trust anchors from the command line: `--trust PATH` (master lists, CSCA certificates, directories, CRLs)
//! and `mrtd trust inspect PATH`.

use anyhow::{Context, anyhow};
use icao9303::pki::{Certificate, MasterList, PkiError, Time, TrustStore};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Loads every `--trust` path ([`TrustStoreBuilder::add_paths`](icao9303::pki::TrustStoreBuilder::add_paths):
/// certificates and CRLs first, then master lists, whose signers are verified against the certificates
/// loaded before them, or accepted unverified and flagged when the user says so).
pub fn load(
    paths: &[PathBuf],
    accept_unverified_lists: bool,
) -> anyhow::Result<Option<TrustStore>> {
    if paths.is_empty() {
        return Ok(None);
    }
    let mut store = TrustStore::builder();
    store.accept_unverified_lists(accept_unverified_lists);
    let summary = store.add_paths(paths).map_err(|e| match &e.error {
        PkiError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            anyhow!("--trust {}: no such file or directory", e.path)
        }
        PkiError::MasterListSigner(why) => anyhow!(
            "--trust {}: the master list's signer could not be verified: {why}. Give its root \
             certificate with another --trust, or accept it unverified with --accept-unverified-lists",
            e.path
        ),
        _ => anyhow!("--trust {e}"),
    })?;
    for e in &summary.errors {
        eprintln!("warning: --trust {e}");
    }
    Ok(Some(store.build()))
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
        let country = c.subject.country().unwrap_or("??").to_string();
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

/// `mrtd trust inspect PATH`: certificates by country, validity, and what failed to parse.
pub fn inspect(path: &Path, json: bool) -> anyhow::Result<()> {
    let now = Time::now();
    let inspection = if path.is_dir() {
        let mut store = TrustStore::builder();
        let summary = store
            .add_path(path)
            .with_context(|| format!("reading {}", path.display()))?;
        let store = store.build();
        Inspection {
            path: path.display().to_string(),
            kind: "directory",
            signer: None,
            certificates: store.anchors().len() + store.document_signers().len(),
            by_country: summarise(all_certificates(&store), now),
            failed_to_parse: summary.errors,
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
        } else {
            let mut store = TrustStore::builder();
            let summary = store
                .add_path(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let store = store.build();
            if store.anchors().is_empty() && summary.crls == 0 && summary.document_signers == 0 {
                return Err(anyhow!(
                    "{}: not a master list, certificate or CRL: {}",
                    path.display(),
                    summary.errors.join("; ")
                ));
            }
            Inspection {
                path: path.display().to_string(),
                kind: if summary.master_lists > 0
                    || summary.crls > 0 && summary.document_signers > 0
                {
                    "LDIF download"
                } else if summary.crls > 0 {
                    "CRL"
                } else {
                    "certificate file"
                },
                signer: None,
                certificates: store.anchors().len() + store.document_signers().len(),
                by_country: summarise(all_certificates(&store), now),
                failed_to_parse: summary.errors,
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
