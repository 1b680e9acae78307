//! `mrtd serve` (the verification service of `icao9303-server`: start it, add tenants, verify its audit
//! log, purge) and `mrtd receipt verify` (a check's signed receipt, offline).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, anyhow};
use clap::{Args, Subcommand};
use icao9303_server::{Limits, ServeConfig, StoreConfig};

use crate::Outcome;

/// Where the service's data and keys are.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct StoreArgs {
    /// The data directory: the SQLite database (unless --database), and the keys made on first start
    /// (master.key, receipt-key.pem, receipt-key.pub.pem). Created readable by you only (0700).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// A PostgreSQL database for several replicas (postgres://USER:PASSWORD@HOST/DB) instead of SQLite.
    #[arg(
        long,
        value_name = "URL",
        env = "MRTD_DATABASE_URL",
        hide_env_values = true
    )]
    database: Option<String>,
    /// The master key (64 hex digits; the per-tenant fingerprint and sealing keys derive from it). Give
    /// every replica the same file. Default DATA/master.key, made on first start.
    #[arg(long, value_name = "FILE")]
    master_key: Option<PathBuf>,
    /// The receipt signing key (Ed25519, PKCS#8 PEM: `openssl genpkey -algorithm ed25519`). Default
    /// DATA/receipt-key.pem, made on first start.
    #[arg(long, value_name = "FILE")]
    receipt_key: Option<PathBuf>,
}

impl StoreArgs {
    fn config(&self) -> StoreConfig {
        StoreConfig {
            data_dir: self.data.clone(),
            database: self.database.clone(),
            master_key: self.master_key.clone(),
            receipt_key: self.receipt_key.clone(),
        }
    }
}

/// `mrtd serve`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ServeArgs {
    #[command(subcommand)]
    command: Option<ServeCommand>,
    #[command(flatten)]
    store: StoreArgs,
    /// The address to listen on (port 0: a free port; the address is printed on stdout).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    trust: crate::trust::TrustArgs,
    /// TLS certificate chain (PEM); with --tls-key the service speaks HTTPS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Largest single upload in bytes (a JSON Lines batch is read line by line, each line at most 16 MiB).
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    max_body: usize,
    /// Verification requests in progress at once; beyond: 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 64)]
    max_in_flight: usize,
    /// Documents verified at once (default: every core).
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Requests (or batch documents) per second per tenant; beyond: 429 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = 50.0)]
    rate: f64,
    /// Burst of the per-tenant rate (default: twice --rate).
    #[arg(long, value_name = "N")]
    burst: Option<f64>,
    /// Seconds between runs of the purge job (0: only `mrtd serve purge` or POST /v1/admin/purge).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    purge_interval: u64,
}

#[derive(Subcommand, Debug)]
enum ServeCommand {
    /// Tenants: the callers of the API.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Delete the checks older than each tenant's retention period now (the service also does this every
    /// --purge-interval).
    Purge {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand, Debug)]
enum TenantCommand {
    /// Add a tenant and print its API key, once (only its hash is stored).
    Add {
        /// The tenant's name (letters, digits, '-', '_', '.').
        name: String,
        /// May reload the trust store, purge and read /metrics.
        #[arg(long)]
        admin: bool,
        /// Keep the holder's name and document number with each check, encrypted at rest (off by
        /// default: only fingerprints are kept).
        #[arg(long)]
        store_holder: bool,
        /// Days a check is kept before the purge deletes it.
        #[arg(long, value_name = "DAYS", default_value_t = 2920)]
        retention_days: i64,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Check the hash chain of the audit log and the stored checks against it; name the first broken link.
    /// Exit 0 intact, 1 broken.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `mrtd receipt ...`.
#[derive(Subcommand, Debug)]
pub(crate) enum ReceiptCommand {
    /// Verify a check's receipt offline: FILE is the receipt (a JWS), or the service's whole JSON answer
    /// (then its report is checked against the receipt too). Exit 0 valid, 1 not valid, 2 unreadable.
    Verify {
        /// The receipt, or the answer of POST /v1/verifications.
        file: PathBuf,
        /// The service's public key (PEM): DATA/receipt-key.pub.pem, or GET /v1/receipt-key.
        #[arg(long, value_name = "PUB")]
        key: PathBuf,
        /// The report (JSON) the receipt should cover, if FILE is the receipt alone.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
}

/// Runs `mrtd serve ...`.
pub(crate) fn run(args: &ServeArgs) -> anyhow::Result<Outcome> {
    match &args.command {
        Some(ServeCommand::Tenant {
            command:
                TenantCommand::Add {
                    name,
                    admin,
                    store_holder,
                    retention_days,
                    store,
                },
        }) => {
            let new = icao9303_server::add_tenant(
                &store.config(),
                name,
                *admin,
                *store_holder,
                *retention_days,
            )?;
            eprintln!(
                "tenant {} added (id {}{}); its API key, shown only now:",
                new.tenant.name,
                new.tenant.id,
                if new.tenant.admin { ", admin" } else { "" }
            );
            println!("{}", new.key);
            Ok(Outcome::Valid)
        }
        Some(ServeCommand::Audit {
            command: AuditCommand::Verify { store },
        }) => {
            let report = icao9303_server::verify_audit(&store.config())?;
            match &report.broken {
                None => {
                    println!(
                        "audit log intact: {} entries, head {}",
                        report.entries, report.head
                    );
                    Ok(Outcome::Valid)
                }
                Some(what) => {
                    println!(
                        "audit log BROKEN after {} good entries: {what}",
                        report.entries
                    );
                    Ok(Outcome::Suspect)
                }
            }
        }
        Some(ServeCommand::Purge { store }) => {
            for (tenant, n) in icao9303_server::purge(&store.config())? {
                println!("{tenant}: {n} checks purged");
            }
            Ok(Outcome::Valid)
        }
        None => {
            if args.store.data.is_none() {
                return Err(anyhow!("mrtd serve needs --data DIR"));
            }
            let trust = args.trust.clone();
            if trust.trust.is_empty() {
                eprintln!(
                    "warning: no --trust: no document can be verified (every chain ends at an unknown issuer)"
                );
            }
            let workers = args
                .workers
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let config = ServeConfig {
                store: args.store.config(),
                listen: args.listen,
                tls: args.tls_cert.clone().zip(args.tls_key.clone()),
                limits: Limits {
                    max_body: args.max_body,
                    max_in_flight: args.max_in_flight.max(1),
                    workers: workers.max(1),
                    rate_per_second: args.rate,
                    burst: args.burst.unwrap_or(args.rate * 2.0),
                },
                trust: Arc::new(move || crate::trust::load(&trust)),
                purge_every: (args.purge_interval > 0)
                    .then(|| Duration::from_secs(args.purge_interval)),
            };
            icao9303_server::serve(config)?;
            Ok(Outcome::Valid)
        }
    }
}

/// Runs `mrtd receipt ...`.
pub(crate) fn receipt(command: &ReceiptCommand) -> anyhow::Result<Outcome> {
    let ReceiptCommand::Verify { file, key, report } = command;
    let read = |p: &PathBuf| -> anyhow::Result<Vec<u8>> {
        let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
        if bytes.len() > 64 * 1024 * 1024 {
            return Err(anyhow!("{}: too large", p.display()));
        }
        Ok(bytes)
    };
    let text = String::from_utf8(read(file)?)
        .map_err(|_| anyhow!("{}: not a receipt (not text)", file.display()))?;
    let public = read(key)?;
    // The receipt alone, or the service's answer holding it and the report.
    let (token, embedded) = if text.trim_start().starts_with('{') {
        let answer: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{}: not JSON", file.display()))?;
        let token = answer["receipt"]
            .as_str()
            .ok_or_else(|| anyhow!("{}: no \"receipt\"", file.display()))?
            .to_owned();
        (token, answer.get("report").cloned())
    } else {
        (text.trim().to_owned(), None)
    };
    let report = match (report, embedded) {
        (Some(path), _) => Some(
            serde_json::from_slice::<serde_json::Value>(&read(path)?)
                .with_context(|| format!("{}: not JSON", path.display()))?,
        ),
        (None, embedded) => embedded,
    };
    let claims = match icao9303_server::receipt::verify(&token, &public) {
        Ok(c) => c,
        Err(e) => {
            println!("receipt NOT valid: {e:#}");
            return Ok(Outcome::Suspect);
        }
    };
    println!(
        "receipt valid: check {} of tenant {} at {}: {}",
        claims.check_id, claims.tenant, claims.time, claims.verdict
    );
    println!(
        "  trust store {}, {}",
        claims.trust_store_version, claims.software_version
    );
    if let Some(report) = report {
        // The hash covers the report's compact JSON, members in the order served (kept when parsed).
        let compact = serde_json::to_string(&report)?;
        if icao9303_server::receipt::report_sha256(&compact) != claims.report_sha256 {
            println!("report does NOT match the receipt");
            return Ok(Outcome::Suspect);
        }
        let verdict = report["verdict"]["result"].as_str().unwrap_or_default();
        if verdict != claims.verdict {
            println!("report does NOT match the receipt's verdict");
            return Ok(Outcome::Suspect);
        }
        println!("  report matches (SHA-256 {})", claims.report_sha256);
    }
    Ok(Outcome::Valid)
}
