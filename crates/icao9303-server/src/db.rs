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
    writer: GroupCommit,
}

/// Rows of one multi-row INSERT of checks (17 values each).
const CHECKS_PER_INSERT: usize = 32;
/// Most checks in one group commit.
const GROUP_MAX: usize = 128;

/// A check waiting to be stored, and where to say whether it was.
type Pending = (CheckRow, tokio::sync::oneshot::Sender<Result<(), String>>);

/// Checks are stored by one writer task per process, in group commits: the checks that arrive while a
/// transaction is being written wait, and go together into the next one (at most [`GROUP_MAX`]). Each
/// caller is answered only after the transaction holding its check committed, so nothing is answered
/// that a crash could lose; a busy service writes (and syncs) once for many checks instead of once for
/// each, and the writers of one process never wait on each other for the database's write lock.
#[derive(Clone, Debug)]
struct GroupCommit {
    queue: tokio::sync::mpsc::Sender<Pending>,
}

impl GroupCommit {
    /// Starts the writer task (on the current tokio runtime).
    fn start(db: Db) -> GroupCommit {
        let (queue, mut pending) = tokio::sync::mpsc::channel::<Pending>(4 * GROUP_MAX);
        tokio::spawn(async move {
            while let Some(first) = pending.recv().await {
                let mut group = vec![first];
                while group.len() < GROUP_MAX {
                    match pending.try_recv() {
                        Ok(next) => group.push(next),
                        Err(_) => break,
                    }
                }
                let rows: Vec<&CheckRow> = group.iter().map(|(row, _)| row).collect();
                match db.insert_checks(&rows).await {
                    Ok(()) => {
                        for (_, done) in group {
                            let _ = done.send(Ok(()));
                        }
                    }
                    // A statement failed (not the connection): store the checks one by one, so one bad
                    // row fails alone.
                    Err(e) if group.len() > 1 && statement_failed(&e) => {
                        for (row, done) in group {
                            let one = db.insert_checks(&[&row]).await;
                            let _ = done.send(one.map_err(|e| format!("{e:#}")));
                        }
                    }
                    Err(e) => {
                        let message = format!("{e:#}");
                        for (_, done) in group {
                            let _ = done.send(Err(message.clone()));
                        }
                    }
                }
            }
        });
        GroupCommit { queue }
    }

    /// Queues a check and waits until it is committed.
    async fn store(&self, row: CheckRow) -> anyhow::Result<()> {
        let (done, stored) = tokio::sync::oneshot::channel();
        self.queue
            .send((row, done))
            .await
            .map_err(|_| anyhow!("the database writer has stopped"))?;
        stored
            .await
            .map_err(|_| anyhow!("the database writer has stopped"))?
            .map_err(|e| anyhow!(e))
    }
}

/// Whether an error is a statement's (the database answered) rather than the connection's.
fn statement_failed(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<sqlx::Error>(),
        Some(sqlx::Error::Database(_))
    )
}

/// The migrations, compiled in: `(version, description, SQL)`.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "service", include_str!("../migrations/0001_service.sql")),
    (
        2,
        "web sessions",
        include_str!("../migrations/0002_web_sessions.sql"),
    ),
];

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

/// Which of a tenant's checks to list (the web page's history): all given conditions hold.
#[derive(Debug, Clone, Default)]
pub struct CheckFilter {
    /// The check id starts with this (lowercase hex only).
    pub id_prefix: Option<String>,
    /// Made at or after (ms).
    pub from: Option<i64>,
    /// Made before (ms).
    pub to: Option<i64>,
    /// Of the document with this keyed fingerprint.
    pub document: Option<String>,
}

/// A check in a list: what it concluded, when, about what kind of document.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckSummary {
    /// The check's id.
    pub id: String,
    /// When (ms).
    pub created_at: i64,
    /// `dump`, `dtc-vc`, `batch`.
    pub source: String,
    /// The verdict.
    pub verdict: String,
    /// Issuing state from DG1.
    pub issuing_state: Option<String>,
    /// Document code from DG1.
    pub document_type: Option<String>,
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
            // A request waits this long for a connection (all in use, or the database unreachable)
            // before it gets 503: short, so that callers hear of an outage at once.
            .acquire_timeout(Duration::from_secs(2))
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
                        // Pages read through a memory map, not a read() each: a connection's page
                        // cache is dropped whenever another connection wrote, which is every group
                        // commit.
                        sqlx::query("PRAGMA mmap_size = 268435456")
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
        let writer = GroupCommit {
            queue: tokio::sync::mpsc::channel(1).0,
        };
        let mut db = Db {
            pool,
            backend,
            writer,
        };
        db.writer = GroupCommit::start(db.clone());
        Ok(db)
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

    /// Replaces the API key of the tenant named `name` by the key hashing to `key_hash` (audited; the
    /// tenant's web sessions end). The tenant, or `None` when no tenant has that name.
    pub async fn replace_key(
        &self,
        name: &str,
        key_hash: &str,
        at: i64,
    ) -> anyhow::Result<Option<Tenant>> {
        let mut tx = self.pool.begin().await?;
        audit::lock_head(&mut tx).await?;
        let row = sqlx::query(
            "SELECT id, name, admin, store_holder, retention_days, created_at FROM tenants WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(tenant) = row.as_ref().map(tenant_row).transpose()? else {
            tx.rollback().await?;
            return Ok(None);
        };
        let entry = AuditEntry {
            at,
            tenant_id: Some(tenant.id.clone()),
            action: "tenant.key_replaced".into(),
            subject: Some(tenant.id.clone()),
            detail: serde_json::json!({ "key_sha256": key_hash }),
        };
        audit::append(&mut tx, &entry).await?;
        sqlx::query("UPDATE tenants SET key_hash = $1 WHERE id = $2")
            .bind(key_hash)
            .bind(&tenant.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM web_sessions WHERE tenant_id = $1")
            .bind(&tenant.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(tenant))
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

    /// Stores a check and appends its audit entry, in one transaction, and returns once it is committed.
    /// Checks stored at the same time by this process share a transaction (a group commit: see
    /// [`GroupCommit`]).
    pub async fn insert_check(&self, check: &CheckRow) -> anyhow::Result<()> {
        self.writer.store(check.clone()).await
    }

    /// Stores checks and appends their audit entries, in order, in one transaction.
    pub async fn insert_checks(&self, checks: &[&CheckRow]) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        let entries: Vec<AuditEntry> = checks
            .iter()
            .map(|check| AuditEntry {
                at: check.created_at,
                tenant_id: Some(check.tenant_id.clone()),
                action: "check.created".into(),
                subject: Some(check.id.clone()),
                detail: serde_json::json!({
                    "verdict": check.verdict,
                    "row_sha256": check.digest(),
                }),
            })
            .collect();
        audit::append_many(&mut tx, &entries).await?;
        for chunk in checks.chunks(CHECKS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let params: Vec<String> =
                        (1..=17).map(|k| format!("${}", i * 17 + k)).collect();
                    format!("({})", params.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO checks ({CHECK_COLUMNS}) VALUES {}",
                values.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for check in chunk {
                query = query
                    .bind(check.id.clone())
                    .bind(check.tenant_id.clone())
                    .bind(check.created_at)
                    .bind(check.day.clone())
                    .bind(check.source.clone())
                    .bind(check.verdict.clone())
                    .bind(check.verdict_json.clone())
                    .bind(check.checks_json.clone())
                    .bind(check.issuing_state.clone())
                    .bind(check.document_type.clone())
                    .bind(check.trust_store_version.clone())
                    .bind(check.software_version.clone())
                    .bind(check.sod_fingerprint.clone())
                    .bind(check.document_fingerprint.clone())
                    .bind(check.report_sha256.clone())
                    .bind(check.receipt.clone())
                    .bind(check.holder_sealed.clone());
            }
            query.execute(&mut *tx).await?;
        }
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
    /// batches of at most 500 per transaction), and the expired web sessions. Returns how many were purged per tenant.
    pub async fn purge(&self, now: i64) -> anyhow::Result<Vec<(String, u64)>> {
        // Expired web sessions too (not audited: a session is a credential, not a record).
        self.purge_sessions(now).await?;
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

    /// A page of the tenant's checks matching `filter`, newest first.
    pub async fn list_checks(
        &self,
        tenant_id: &str,
        filter: &CheckFilter,
        limit: i64,
        offset: i64,
    ) -> anyhow::Result<Vec<CheckSummary>> {
        let mut sql = String::from(
            "SELECT id, created_at, source, verdict, issuing_state, document_type FROM checks \
             WHERE tenant_id = $1",
        );
        let mut texts: Vec<String> = Vec::new();
        let mut numbers: Vec<i64> = Vec::new();
        // Text conditions first ($2, ...), then the times, then limit and offset.
        if let Some(prefix) = &filter.id_prefix {
            if !prefix
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            {
                return Ok(Vec::new());
            }
            texts.push(format!("{prefix}%"));
            sql.push_str(&format!(" AND id LIKE ${}", 1 + texts.len()));
        }
        if let Some(fp) = &filter.document {
            texts.push(fp.clone());
            sql.push_str(&format!(" AND document_fingerprint = ${}", 1 + texts.len()));
        }
        let mut n = 1 + texts.len();
        if let Some(from) = filter.from {
            numbers.push(from);
            n += 1;
            sql.push_str(&format!(" AND created_at >= ${n}"));
        }
        if let Some(to) = filter.to {
            numbers.push(to);
            n += 1;
            sql.push_str(&format!(" AND created_at < ${n}"));
        }
        sql.push_str(&format!(
            " ORDER BY created_at DESC, id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ));
        let mut query = sqlx::query(&sql).bind(tenant_id);
        for t in texts {
            query = query.bind(t);
        }
        for v in numbers {
            query = query.bind(v);
        }
        let rows = query.bind(limit).bind(offset).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(CheckSummary {
                    id: r.try_get("id")?,
                    created_at: r.try_get("created_at")?,
                    source: r.try_get("source")?,
                    verdict: r.try_get("verdict")?,
                    issuing_state: r.try_get("issuing_state")?,
                    document_type: r.try_get("document_type")?,
                })
            })
            .collect()
    }

    /// Opens a web session: the SHA-256 of its cookie, for the tenant whose key hashes to `key_hash`.
    pub async fn open_session(
        &self,
        token_hash: &str,
        tenant_id: &str,
        key_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO web_sessions (token_hash, tenant_id, key_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(tenant_id)
        .bind(key_hash)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The tenant of an open web session: not expired at `now`, and its tenant's API key still the one
    /// it was opened with.
    pub async fn session_tenant(
        &self,
        token_hash: &str,
        now: i64,
    ) -> anyhow::Result<Option<Tenant>> {
        let row = sqlx::query(
            "SELECT t.id, t.name, t.admin, t.store_holder, t.retention_days, t.created_at \
             FROM web_sessions s JOIN tenants t ON t.id = s.tenant_id AND t.key_hash = s.key_hash \
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(tenant_row).transpose()?)
    }

    /// Ends a web session (logout).
    pub async fn close_session(&self, token_hash: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes the web sessions expired at `now`; how many.
    pub async fn purge_sessions(&self, now: i64) -> anyhow::Result<u64> {
        Ok(
            sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
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
