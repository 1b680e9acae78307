//! Storage: one schema and one set of migrations (`migrations/`) for SQLite (the default, a file in the
//! data directory) and PostgreSQL (several replicas), through sqlx's Any driver with queries built at run
//! time (`$1` placeholders, which both accept). Every query on checks names the tenant.

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, anyhow};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyPool, Row};

use crate::audit::{self, AuditEntry};

/// Which database the service runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, a file in the data directory.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The database of the service.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// The migrations, compiled in: `(version, description, SQL)`.
const MIGRATIONS: &[(i64, &str, &str)] =
    &[(1, "service", include_str!("../migrations/0001_service.sql"))];

#[derive(Debug)]
struct Embedded;

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> futures_util::future::BoxFuture<
        'static,
        Result<Vec<Migration>, Box<dyn std::error::Error + Send + Sync>>,
    > {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// A tenant (a caller of the API).
#[derive(Debug, Clone, Serialize)]
pub struct Tenant {
    /// Its id (random, 128 bits hex).
    pub id: String,
    /// Its name.
    pub name: String,
    /// May call the admin endpoints (trust reload, purge).
    pub admin: bool,
    /// Opted in to keeping the holder's name and document number (sealed) with each check.
    pub store_holder: bool,
    /// Checks older than this many days are purged.
    pub retention_days: i64,
    /// When it was added (ms).
    pub created_at: i64,
}

/// A stored check: everything the service keeps about it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckRow {
    /// The check's id (random, 128 bits hex).
    pub id: String,
    /// The tenant that asked for it.
    pub tenant_id: String,
    /// When (ms since 1970-01-01 UTC).
    pub created_at: i64,
    /// The UTC day, `YYYY-MM-DD` (the statistics group by it).
    pub day: String,
    /// How the document came: `dump`, `dtc-vc`, `batch` (later also remote reads).
    pub source: String,
    /// `verified`, `not_verified` or `failed`.
    pub verdict: String,
    /// The report's `verdict` object, JSON.
    pub verdict_json: String,
    /// The report's `checks` array, JSON: every check result.
    pub checks_json: String,
    /// Issuing state from DG1, if read.
    pub issuing_state: Option<String>,
    /// Document code from DG1 (`P`, `ID`, `IR`, ...), if read.
    pub document_type: Option<String>,
    /// The version of the trust store the check used.
    pub trust_store_version: String,
    /// The software version that made it.
    pub software_version: String,
    /// Keyed fingerprint of EF.SOD.
    pub sod_fingerprint: Option<String>,
    /// Keyed fingerprint of the document (DG1's document number, birth and expiry dates).
    pub document_fingerprint: Option<String>,
    /// SHA-256 of the report as served.
    pub report_sha256: String,
    /// The signed receipt (compact JWS).
    pub receipt: String,
    /// The holder's name and document number, sealed; only for tenants that opted in.
    pub holder_sealed: Option<String>,
}

impl CheckRow {
    /// SHA-256 (hex) over every column: what the audit entry of the check's creation records, so that a
    /// row changed afterwards is found.
    pub fn digest(&self) -> String {
        let canonical = serde_json::to_string(&(
            (&self.id, &self.tenant_id, self.created_at, &self.day),
            &self.source,
            &self.verdict,
            &self.verdict_json,
            &self.checks_json,
            &self.issuing_state,
            &self.document_type,
            &self.trust_store_version,
            &self.software_version,
            &self.sod_fingerprint,
            &self.document_fingerprint,
            &self.report_sha256,
            &self.receipt,
            &self.holder_sealed,
        ))
        .unwrap_or_default();
        audit::sha256_hex(canonical.as_bytes())
    }
}

const CHECK_COLUMNS: &str = "id, tenant_id, created_at, day, source, verdict, verdict_json, checks_json, \
     issuing_state, document_type, trust_store_version, software_version, sod_fingerprint, \
     document_fingerprint, report_sha256, receipt, holder_sealed";

fn check_row(row: &sqlx::any::AnyRow) -> Result<CheckRow, sqlx::Error> {
    Ok(CheckRow {
        id: row.try_get("id")?,
        tenant_id: row.try_get("tenant_id")?,
        created_at: row.try_get("created_at")?,
        day: row.try_get("day")?,
        source: row.try_get("source")?,
        verdict: row.try_get("verdict")?,
        verdict_json: row.try_get("verdict_json")?,
        checks_json: row.try_get("checks_json")?,
        issuing_state: row.try_get("issuing_state")?,
        document_type: row.try_get("document_type")?,
        trust_store_version: row.try_get("trust_store_version")?,
        software_version: row.try_get("software_version")?,
        sod_fingerprint: row.try_get("sod_fingerprint")?,
        document_fingerprint: row.try_get("document_fingerprint")?,
        report_sha256: row.try_get("report_sha256")?,
        receipt: row.try_get("receipt")?,
        holder_sealed: row.try_get("holder_sealed")?,
    })
}

fn tenant_row(row: &sqlx::any::AnyRow) -> Result<Tenant, sqlx::Error> {
    Ok(Tenant {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        admin: row.try_get::<i64, _>("admin")? != 0,
        store_holder: row.try_get::<i64, _>("store_holder")? != 0,
        retention_days: row.try_get("retention_days")?,
        created_at: row.try_get("created_at")?,
    })
}

/// One group of the statistics: checks of a day with a verdict, issuing state and document type.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct StatRow {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// `verified`, `not_verified` or `failed`.
    pub verdict: String,
    /// Issuing state (empty when DG1 was not read).
    pub issuing_state: String,
    /// Document code (empty when DG1 was not read).
    pub document_type: String,
    /// How many checks.
    pub count: i64,
}

/// A check in a history: when, what was concluded.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The check's id.
    pub check_id: String,
    /// When (RFC 3339).
    pub time: String,
    /// The verdict.
    pub verdict: String,
    /// Whether it was the same EF.SOD as the newest check of the document (the same chip data) — a
    /// document re-issued under the same number shows another.
    pub sod_fingerprint: Option<String>,
}

/// The SQLite URL of a data directory's database file.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("mrtd.db").display())
}

impl Db {
    /// Connects (SQLite: `sqlite://FILE?mode=rwc`; PostgreSQL: `postgres://...`) and brings the schema up
    /// to date. Replicas starting at once are serialised by sqlx's migration lock (PostgreSQL).
    pub async fn open(url: &str, max_connections: u32) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(anyhow!(
                "unsupported database URL (sqlite:// or postgres://)"
            ));
        };
        let options: AnyConnectOptions = url.parse().context("database URL")?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL: readers do not wait for the writer; the busy timeout queues writers.
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 10000")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .context("connecting to the database")?;
        let migrator = Migrator::new(Embedded)
            .await
            .context("loading the migrations")?;
        migrator
            .run(&pool)
            .await
            .context("migrating the database")?;
        Ok(Db { pool, backend })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool (waits for connections in use).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Records the ids of the master key and the receipt key on first use; refuses other keys afterwards
    /// (a replica with its own keys would write fingerprints nobody can match and receipts another key
    /// verifies).
    pub async fn check_key_ids(
        &self,
        master_key_id: &str,
        receipt_key_id: &str,
    ) -> anyhow::Result<()> {
        for (name, value, option) in [
            ("master_key_id", master_key_id, "--master-key"),
            ("receipt_key_id", receipt_key_id, "--receipt-key"),
        ] {
            sqlx::query(
                "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(value)
            .execute(&self.pool)
            .await?;
            let found: String = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?;
            if found != value {
                return Err(anyhow!(
                    "this database was written with another {option} key: start every replica with the \
                     same {option} file"
                ));
            }
        }
        Ok(())
    }

    /// Adds a tenant whose API key hashes to `key_hash`; audited.
    pub async fn add_tenant(&self, tenant: &Tenant, key_hash: &str) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        let entry = AuditEntry {
            at: tenant.created_at,
            tenant_id: Some(tenant.id.clone()),
            action: "tenant.added".into(),
            subject: Some(tenant.id.clone()),
            detail: serde_json::json!({
                "name": tenant.name,
                "admin": tenant.admin,
                "store_holder": tenant.store_holder,
                "retention_days": tenant.retention_days,
                "key_sha256": key_hash,
            }),
        };
        audit::append(&mut tx, &entry).await?;
        sqlx::query(
            "INSERT INTO tenants (id, name, key_hash, admin, store_holder, retention_days, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&tenant.id)
        .bind(&tenant.name)
        .bind(key_hash)
        .bind(i64::from(tenant.admin))
        .bind(i64::from(tenant.store_holder))
        .bind(tenant.retention_days)
        .bind(tenant.created_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                anyhow!("a tenant named {:?} exists already", tenant.name)
            }
            _ => anyhow::Error::from(e),
        })?;
        tx.commit().await?;
        Ok(())
    }

    /// The tenant whose API key hashes to `key_hash`, with the stored hash (compared by the caller in
    /// constant time).
    pub async fn tenant_by_key_hash(
        &self,
        key_hash: &str,
    ) -> anyhow::Result<Option<(Tenant, String)>> {
        let row = sqlx::query(
            "SELECT id, name, admin, store_holder, retention_days, created_at, key_hash \
             FROM tenants WHERE key_hash = $1",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((tenant_row(&r)?, r.try_get("key_hash")?)))
            .transpose()
    }

    /// Every tenant.
    pub async fn tenants(&self) -> anyhow::Result<Vec<Tenant>> {
        let rows = sqlx::query(
            "SELECT id, name, admin, store_holder, retention_days, created_at FROM tenants ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(tenant_row).collect::<Result<_, _>>()?)
    }

    /// Stores a check and appends its audit entry, in one transaction.
    pub async fn insert_check(&self, check: &CheckRow) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        let entry = AuditEntry {
            at: check.created_at,
            tenant_id: Some(check.tenant_id.clone()),
            action: "check.created".into(),
            subject: Some(check.id.clone()),
            detail: serde_json::json!({
                "verdict": check.verdict,
                "row_sha256": check.digest(),
            }),
        };
        audit::append(&mut tx, &entry).await?;
        sqlx::query(&format!(
            "INSERT INTO checks ({CHECK_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
        ))
        .bind(&check.id)
        .bind(&check.tenant_id)
        .bind(check.created_at)
        .bind(&check.day)
        .bind(&check.source)
        .bind(&check.verdict)
        .bind(&check.verdict_json)
        .bind(&check.checks_json)
        .bind(&check.issuing_state)
        .bind(&check.document_type)
        .bind(&check.trust_store_version)
        .bind(&check.software_version)
        .bind(&check.sod_fingerprint)
        .bind(&check.document_fingerprint)
        .bind(&check.report_sha256)
        .bind(&check.receipt)
        .bind(&check.holder_sealed)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The tenant's check with this id.
    pub async fn check(&self, tenant_id: &str, id: &str) -> anyhow::Result<Option<CheckRow>> {
        let row = sqlx::query(&format!(
            "SELECT {CHECK_COLUMNS} FROM checks WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(check_row).transpose()?)
    }

    /// The tenant's checks of the document with this fingerprint, newest first (at most `limit`).
    pub async fn history(
        &self,
        tenant_id: &str,
        document_fingerprint: &str,
        limit: i64,
    ) -> anyhow::Result<Vec<HistoryEntry>> {
        let rows = sqlx::query(
            "SELECT id, created_at, verdict, sod_fingerprint FROM checks \
             WHERE tenant_id = $1 AND document_fingerprint = $2 ORDER BY created_at DESC, id LIMIT $3",
        )
        .bind(tenant_id)
        .bind(document_fingerprint)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HistoryEntry {
                    check_id: r.try_get("id")?,
                    time: crate::clock::rfc3339(r.try_get("created_at")?),
                    verdict: r.try_get("verdict")?,
                    sod_fingerprint: r.try_get("sod_fingerprint")?,
                })
            })
            .collect()
    }

    /// The tenant's checks from `from` (inclusive) to `to` (exclusive), counted by day, verdict, issuing
    /// state and document type.
    pub async fn stats(&self, tenant_id: &str, from: i64, to: i64) -> anyhow::Result<Vec<StatRow>> {
        let rows = sqlx::query(
            "SELECT day, verdict, COALESCE(issuing_state, '') AS issuing_state, \
             COALESCE(document_type, '') AS document_type, COUNT(*) AS n FROM checks \
             WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 \
             GROUP BY day, verdict, COALESCE(issuing_state, ''), COALESCE(document_type, '') \
             ORDER BY day, verdict, issuing_state, document_type",
        )
        .bind(tenant_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StatRow {
                    day: r.try_get("day")?,
                    verdict: r.try_get("verdict")?,
                    issuing_state: r.try_get("issuing_state")?,
                    document_type: r.try_get("document_type")?,
                    count: r.try_get("n")?,
                })
            })
            .collect()
    }

    /// Deletes every check older than its tenant's retention period at `now`, each deletion audited (in
    /// batches of at most 500 per transaction). Returns how many were purged per tenant.
    pub async fn purge(&self, now: i64) -> anyhow::Result<Vec<(String, u64)>> {
        let mut out = Vec::new();
        for tenant in self.tenants().await? {
            let cutoff = now.saturating_sub(tenant.retention_days.saturating_mul(86_400_000));
            let mut purged = 0u64;
            loop {
                let mut tx = self.pool.begin().await?;
                // The audit head first: the write lock is taken before anything is read.
                audit::lock_head(&mut tx).await?;
                let ids: Vec<String> = sqlx::query_scalar(
                    "SELECT id FROM checks WHERE tenant_id = $1 AND created_at < $2 ORDER BY id LIMIT 500",
                )
                .bind(&tenant.id)
                .bind(cutoff)
                .fetch_all(&mut *tx)
                .await?;
                if ids.is_empty() {
                    tx.rollback().await?;
                    break;
                }
                for id in &ids {
                    let entry = AuditEntry {
                        at: now,
                        tenant_id: Some(tenant.id.clone()),
                        action: "check.purged".into(),
                        subject: Some(id.clone()),
                        detail: serde_json::json!({
                            "retention_days": tenant.retention_days,
                        }),
                    };
                    audit::append(&mut tx, &entry).await?;
                    let deleted =
                        sqlx::query("DELETE FROM checks WHERE tenant_id = $1 AND id = $2")
                            .bind(&tenant.id)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                    purged += deleted;
                }
                tx.commit().await?;
            }
            out.push((tenant.name.clone(), purged));
        }
        Ok(out)
    }

    /// Appends one audit entry on its own (a state change without a row of its own: a trust reload).
    pub async fn audit(&self, entry: &AuditEntry) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        audit::append(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks the audit chain and the checks against it: see [`audit::verify`].
    pub async fn verify_audit(&self) -> anyhow::Result<audit::ChainReport> {
        let mut conn = self.pool.acquire().await?;
        let mut checks = std::collections::HashMap::new();
        {
            let sql = format!("SELECT {CHECK_COLUMNS} FROM checks");
            let mut rows = sqlx::query(&sql).fetch(&mut *conn);
            while let Some(row) = rows.try_next().await? {
                let row = check_row(&row)?;
                checks.insert(row.id.clone(), row.digest());
            }
        }
        audit::verify(&mut conn, checks).await
    }

    /// The pool, for the audit module and tests.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}
