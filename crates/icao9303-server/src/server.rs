//! Starting the service: the data directory, keys, database, trust store, the listener (TLS with rustls on
//! the ring provider, or plain HTTP), signals (SIGHUP reloads the trust store; SIGTERM and Ctrl-C stop
//! accepting and let requests in progress finish), the purge job; and the offline commands on the same
//! storage (`tenant add`, `audit verify`, `purge`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::api::{self, AppState};
use crate::db::{Db, Tenant};
use crate::keys::Secrets;
use crate::limits::{Limiter, Limits};
use crate::metrics::Metrics;
use crate::trust::{Trust, TrustLoader};

/// Where the service keeps its data and keys.
#[derive(Debug, Clone, Default)]
pub struct StoreConfig {
    /// The data directory (SQLite database, keys made on first start). Created 0700.
    pub data_dir: Option<PathBuf>,
    /// A PostgreSQL URL (`postgres://...`); default SQLite in the data directory.
    pub database: Option<String>,
    /// The master key file (64 hex digits); default `DATA/master.key`, created on first start.
    pub master_key: Option<PathBuf>,
    /// The receipt key (Ed25519 PKCS#8 PEM); default `DATA/receipt-key.pem`, created on first start.
    pub receipt_key: Option<PathBuf>,
}

/// How to serve.
pub struct ServeConfig {
    /// Storage and keys.
    pub store: StoreConfig,
    /// The address to listen on (port 0: any free port; the address is printed).
    pub listen: SocketAddr,
    /// TLS certificate chain and private key (PEM); plain HTTP without.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Load limits.
    pub limits: Limits,
    /// Loads the trust store (at start and on each reload).
    pub trust: TrustLoader,
    /// How often the purge job runs (`None`: only on request).
    pub purge_every: Option<Duration>,
}

/// Most connections open at once; further clients wait in the listen backlog.
const MAX_CONNECTIONS: usize = 4096;
/// Time for a client to send a request's headers, and to finish a TLS handshake.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time requests in progress get to finish after a stop signal.
const DRAIN: Duration = Duration::from_secs(30);

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Creates the data directory readable by its owner only (0700), or checks an existing one.
fn data_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(anyhow!("--data {}: not a directory", dir.display()));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir)?.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    "--data {}: readable by other users (mode {:o}); chmod 700 it",
                    dir.display(),
                    mode & 0o777
                );
            }
        }
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

impl StoreConfig {
    fn url(&self) -> anyhow::Result<String> {
        match (&self.database, &self.data_dir) {
            (Some(url), _) => Ok(url.clone()),
            (None, Some(dir)) => Ok(crate::db::sqlite_url(dir)),
            (None, None) => Err(anyhow!("give --data DIR (SQLite) or --database URL")),
        }
    }

    /// Opens the database only (for `audit verify`).
    pub async fn open_db(&self) -> anyhow::Result<Db> {
        if let (None, Some(dir)) = (&self.database, &self.data_dir)
            && !dir.join("mrtd.db").exists()
        {
            return Err(anyhow!("{}: no service database here", dir.display()));
        }
        Db::open(&self.url()?, 4).await
    }

    /// Creates the data directory, loads (or on a single node's first start, creates) the keys, opens
    /// and migrates the database and checks it was written with the same master key.
    pub async fn open(&self, max_connections: u32) -> anyhow::Result<(Db, Secrets)> {
        if let Some(dir) = &self.data_dir {
            data_dir(dir)?;
        }
        let default = |name: &str| self.data_dir.as_ref().map(|d| d.join(name));
        let (master, create_master) = match (&self.master_key, default("master.key")) {
            (Some(p), _) => (p.clone(), false),
            (None, Some(p)) => (p, true),
            (None, None) => return Err(anyhow!("give --master-key FILE or --data DIR")),
        };
        let (receipt, create_receipt) = match (&self.receipt_key, default("receipt-key.pem")) {
            (Some(p), _) => (p.clone(), false),
            (None, Some(p)) => (p, true),
            (None, None) => return Err(anyhow!("give --receipt-key FILE or --data DIR")),
        };
        if !master.exists() && !create_master {
            return Err(anyhow!("--master-key {}: no such file", master.display()));
        }
        if !receipt.exists() && !create_receipt {
            return Err(anyhow!("--receipt-key {}: no such file", receipt.display()));
        }
        let secrets = Secrets::load(&master, &receipt, true)?;
        if let Some(dir) = &self.data_dir {
            // The public half, for `mrtd receipt verify --key`.
            let public = dir.join("receipt-key.pub.pem");
            std::fs::write(&public, secrets.receipt.public_key_pem())
                .with_context(|| format!("writing {}", public.display()))?;
        }
        let db = Db::open(&self.url()?, max_connections).await?;
        db.check_key_ids(secrets.key_id(), secrets.receipt.key_id())
            .await?;
        Ok((db, secrets))
    }
}

/// What `tenant add` prints: the new tenant and its API key (shown once; only its hash is stored).
pub struct NewTenant {
    /// The tenant.
    pub tenant: Tenant,
    /// The API key.
    pub key: String,
}

/// Adds a tenant and returns its new API key: `mrtd_` and 256 random bits in hex.
pub fn add_tenant(
    store: &StoreConfig,
    name: &str,
    admin: bool,
    store_holder: bool,
    retention_days: i64,
) -> anyhow::Result<NewTenant> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        return Err(anyhow!(
            "a tenant name is 1 to 64 letters, digits, '-', '_' or '.'"
        ));
    }
    if !(1..=36_500).contains(&retention_days) {
        return Err(anyhow!("--retention-days: 1 to 36500"));
    }
    runtime()?.block_on(async {
        let (db, _) = store.open(2).await?;
        let new = create_tenant(&db, name, admin, store_holder, retention_days).await;
        db.close().await;
        new
    })
}

/// Adds a tenant to an open database with a new API key: `mrtd_` and 256 random bits in hex.
pub async fn create_tenant(
    db: &Db,
    name: &str,
    admin: bool,
    store_holder: bool,
    retention_days: i64,
) -> anyhow::Result<NewTenant> {
    let key = format!("mrtd_{}", hex::encode(crate::keys::random_bytes::<32>()?));
    let tenant = Tenant {
        id: crate::keys::new_id()?,
        name: name.to_owned(),
        admin,
        store_holder,
        retention_days,
        created_at: crate::clock::now_ms(),
    };
    db.add_tenant(&tenant, &api::key_hash(&key)).await?;
    Ok(NewTenant { tenant, key })
}

/// Walks the audit chain: see [`crate::audit::verify`].
pub fn verify_audit(store: &StoreConfig) -> anyhow::Result<crate::audit::ChainReport> {
    runtime()?.block_on(async {
        let db = store.open_db().await?;
        let report = db.verify_audit().await;
        db.close().await;
        report
    })
}

/// Purges now: see [`Db::purge`].
pub fn purge(store: &StoreConfig) -> anyhow::Result<Vec<(String, u64)>> {
    runtime()?.block_on(async {
        let db = store.open_db().await?;
        let purged = db.purge(crate::clock::now_ms()).await;
        db.close().await;
        purged
    })
}

/// The TLS acceptor of a certificate chain and key (PEM files), rustls on the ring provider, HTTP/1.1.
pub fn tls_acceptor(cert: &Path, key: &Path) -> anyhow::Result<tokio_rustls::TlsAcceptor> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("--tls-cert {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("--tls-cert {}", cert.display()))?;
    if certs.is_empty() {
        return Err(anyhow!("--tls-cert {}: no certificate", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("--tls-key {}", key.display()))?;
    // The ring provider, not aws-lc-rs: the build on two cores matters more here than the post-quantum key
    // exchange that rustls deprecates ring's default provider for lacking.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("--tls-cert / --tls-key")?;
    let mut config = config;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Builds the shared state: opens storage, loads the trust store.
pub async fn state(config: &ServeConfig) -> anyhow::Result<Arc<AppState>> {
    let pool_size = u32::try_from(config.limits.max_in_flight.clamp(4, 32)).unwrap_or(8);
    let (db, secrets) = config.store.open(pool_size).await?;
    let state = Arc::new(AppState {
        db,
        secrets,
        trust: Trust::new(Arc::clone(&config.trust)),
        limiter: Limiter::new(config.limits.clone()),
        metrics: Metrics::default(),
    });
    api::reload(&state, None)
        .await
        .context("loading the trust store")?;
    Ok(state)
}

/// Runs the service until SIGTERM or Ctrl-C. Prints `listening on http://ADDR` (or https) on stdout once
/// it accepts connections, so a test or supervisor that started it on port 0 learns the address.
pub fn serve(config: ServeConfig) -> anyhow::Result<()> {
    runtime()?.block_on(async move {
        let tls = match &config.tls {
            Some((cert, key)) => Some(tls_acceptor(cert, key)?),
            None => None,
        };
        let state = state(&config).await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        let addr = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on {scheme}://{addr}");
            let _ = out.flush();
        }
        tracing::info!(%addr, scheme, "listening");
        spawn_signal_reload(Arc::clone(&state));
        if let Some(every) = config.purge_every {
            spawn_purge(Arc::clone(&state), every);
        }
        let app = api::router(Arc::clone(&state));
        accept_loop(listener, app, tls, shutdown_signal()).await;
        state.db.close().await;
        tracing::info!("stopped");
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

fn spawn_signal_reload(state: Arc<AppState>) {
    #[cfg(unix)]
    tokio::spawn(async move {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hup.recv().await.is_some() {
            match api::reload(&state, None).await {
                Ok(_) => {}
                Err(e) => tracing::error!(
                    error = %format!("{e:#}"),
                    "SIGHUP: the trust store was not reloaded; the previous one stays in use"
                ),
            }
        }
    });
    #[cfg(not(unix))]
    drop(state);
}

fn spawn_purge(state: Arc<AppState>, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match state.db.purge(crate::clock::now_ms()).await {
                Ok(purged) => {
                    let n: u64 = purged.iter().map(|(_, n)| n).sum();
                    if n > 0 {
                        tracing::info!(checks = n, "purge: checks past their retention deleted");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "purge failed; next run in {every:?}"),
            }
        }
    });
}

/// Accepts connections until `shutdown`, then lets open requests finish (at most [`DRAIN`]).
pub async fn accept_loop(
    listener: TcpListener,
    app: axum::Router,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&slots).acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let tls = tls.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(CLIENT_TIMEOUT);
            match tls {
                Some(acceptor) => {
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(CLIENT_TIMEOUT, acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(conn).await;
                }
                None => {
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(conn).await;
                }
            }
        });
    }
    drop(listener);
    tracing::info!("stopping: no new connections; finishing requests in progress");
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(DRAIN) => {},
    }
}
