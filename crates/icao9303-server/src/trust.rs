//! The trust store the service verifies against: loaded at start by the loader the command line gives
//! (the CLI's own `--trust` loading), swapped atomically on reload (SIGHUP or `POST
//! /v1/admin/trust/reload`): checks in progress finish with the store they started with, new ones get the
//! new store, and a reload that fails leaves the current store in place.

use std::sync::{Arc, RwLock};

use icao9303::pki::TrustStore;
use serde::Serialize;

use crate::audit::sha256_hex;

/// Loads a trust store from the configured inputs (blocking: files are read, master lists verified).
/// `Ok(None)` when no inputs are configured.
pub type TrustLoader = Arc<dyn Fn() -> anyhow::Result<Option<TrustStore>> + Send + Sync>;

/// A loaded trust store and its version.
#[derive(Debug)]
pub struct LoadedTrust {
    /// The store (`None`: no trust inputs configured; every chain ends at an unknown issuer).
    pub store: Option<Arc<TrustStore>>,
    /// [`version`] of the store.
    pub version: String,
    /// When it was loaded (ms).
    pub loaded_at: i64,
}

/// What `/readyz` and the reload endpoint say about a store.
#[derive(Debug, Serialize)]
pub struct TrustSummary {
    /// The version.
    pub version: String,
    /// CSCAs (trust anchors).
    pub anchors: usize,
    /// Document Signer certificates.
    pub document_signers: usize,
    /// CRLs.
    pub crls: usize,
    /// When it was loaded (RFC 3339).
    pub loaded_at: String,
}

impl LoadedTrust {
    /// Counts and version.
    pub fn summary(&self) -> TrustSummary {
        let store = self.store.as_deref();
        TrustSummary {
            version: self.version.clone(),
            anchors: store.map_or(0, |s| s.anchors().len()),
            document_signers: store.map_or(0, |s| s.document_signers().len()),
            crls: store.map_or(0, |s| s.crls().len()),
            loaded_at: crate::clock::rfc3339(self.loaded_at),
        }
    }
}

/// The version of a trust store: SHA-256 over the sorted hashes of everything it trusts or consults —
/// each anchor's certificate with its flags (from an unverified list, a test anchor), each Document
/// Signer certificate, each CRL — independent of load order; the same inputs give the same version on
/// every replica.
pub fn version(store: Option<&TrustStore>) -> String {
    let Some(store) = store else {
        return sha256_hex(b"mrtd trust store: none");
    };
    let mut items: Vec<String> = Vec::new();
    for a in store.anchors() {
        let mut data = format!("anchor {} {} ", a.unverified_list, a.test_anchor).into_bytes();
        data.extend_from_slice(&a.certificate.raw);
        items.push(sha256_hex(&data));
    }
    for d in store.document_signers() {
        let mut data = b"dsc ".to_vec();
        data.extend_from_slice(&d.raw);
        items.push(sha256_hex(&data));
    }
    for c in store.crls() {
        let mut data = b"crl ".to_vec();
        data.extend_from_slice(&c.crl.raw);
        items.push(sha256_hex(&data));
    }
    items.sort();
    items.dedup();
    sha256_hex(format!("mrtd trust store v1\n{}", items.join("\n")).as_bytes())
}

/// The current trust store and how to load a new one.
pub struct Trust {
    loader: TrustLoader,
    current: RwLock<Option<Arc<LoadedTrust>>>,
    reloading: tokio::sync::Mutex<()>,
}

impl Trust {
    /// A holder with nothing loaded yet.
    pub fn new(loader: TrustLoader) -> Trust {
        Trust {
            loader,
            current: RwLock::new(None),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// The store in use, if one was loaded.
    pub fn current(&self) -> Option<Arc<LoadedTrust>> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Loads the inputs again (off the async runtime) and swaps the new store in. One reload at a time;
    /// on error the current store stays.
    pub async fn reload(&self) -> anyhow::Result<Arc<LoadedTrust>> {
        let _one = self.reloading.lock().await;
        let loader = Arc::clone(&self.loader);
        let store = tokio::task::spawn_blocking(move || loader())
            .await
            .map_err(|e| anyhow::anyhow!("trust store loader: {e}"))??;
        let loaded = Arc::new(LoadedTrust {
            version: version(store.as_ref()),
            store: store.map(Arc::new),
            loaded_at: crate::clock::now_ms(),
        });
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::clone(&loaded));
        Ok(loaded)
    }
}
