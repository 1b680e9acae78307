//! The audit log: append-only and hash-chained. Every state change (a tenant added, a check stored or
//! purged, a trust store reloaded) appends a row whose hash is SHA-256 over the previous row's hash and the
//! row's own content, in the same transaction as the change. Appends are serialised in the database: the
//! first statement of each is an update of the single `audit_head` row (a row lock in PostgreSQL, the write
//! lock in SQLite), so two replicas cannot both append after the same row.
//!
//! [`verify`] walks the chain from the first row and names the first broken link: a row whose hash does not
//! cover its content, a gap, a row pointing at another predecessor, a head that is not the last row, and —
//! against the checks table — a check changed after it was stored, deleted without a purge entry, or
//! present without an entry.

use std::collections::HashMap;

use anyhow::anyhow;
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

/// The hash the first row points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256, hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, data).as_ref())
}

/// A state change to record.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// When (ms).
    pub at: i64,
    /// The tenant that made the change, or whom it concerns.
    pub tenant_id: Option<String>,
    /// What happened: `tenant.added`, `check.created`, `check.purged`, `trust.reloaded`.
    pub action: String,
    /// What it happened to (a check or tenant id).
    pub subject: Option<String>,
    /// Details, never personal data.
    pub detail: serde_json::Value,
}

/// The hash of a row: SHA-256 over a domain label and the JSON array of its fields and its predecessor's
/// hash (JSON strings are unambiguous, so no two different rows hash the same input).
pub fn row_hash(
    seq: i64,
    at: i64,
    tenant_id: Option<&str>,
    action: &str,
    subject: Option<&str>,
    detail: &str,
    prev_hash: &str,
) -> String {
    let canonical = serde_json::to_string(&(
        "mrtd-audit-v1",
        seq,
        at,
        tenant_id,
        action,
        subject,
        detail,
        prev_hash,
    ))
    .unwrap_or_default();
    sha256_hex(canonical.as_bytes())
}

/// Takes the audit head's lock in the current transaction (a no-op update of its row), before anything is
/// read: SQLite then holds the write lock from the start instead of failing to upgrade later.
pub async fn lock_head(tx: &mut AnyConnection) -> anyhow::Result<()> {
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Appends `entry` in the caller's transaction; returns its sequence number.
pub async fn append(tx: &mut AnyConnection, entry: &AuditEntry) -> anyhow::Result<i64> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *tx)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let detail = entry.detail.to_string();
    let hash = row_hash(
        seq,
        entry.at,
        entry.tenant_id.as_deref(),
        &entry.action,
        entry.subject.as_deref(),
        &detail,
        &prev,
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, tenant_id, action, subject, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(entry.at)
    .bind(&entry.tenant_id)
    .bind(&entry.action)
    .bind(&entry.subject)
    .bind(&detail)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    Ok(seq)
}

/// What [`verify`] found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChainReport {
    /// Rows read (up to the first broken link).
    pub entries: u64,
    /// The hash of the last good row.
    pub head: String,
    /// The first broken link, if any: the row (or check) and what is wrong.
    pub broken: Option<String>,
}

/// Walks the chain in order; `checks` maps each stored check's id to its [`crate::db::CheckRow::digest`].
pub async fn verify(
    conn: &mut AnyConnection,
    mut checks: HashMap<String, String>,
) -> anyhow::Result<ChainReport> {
    let mut report = ChainReport {
        entries: 0,
        head: GENESIS.into(),
        broken: None,
    };
    let mut expected_seq = 1i64;
    // Checks created in the log and not purged since, with the digest their entry recorded.
    let mut created: HashMap<String, (i64, String)> = HashMap::new();
    {
        let mut rows = sqlx::query(
            "SELECT seq, at, tenant_id, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq",
        )
        .fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let seq: i64 = row.try_get("seq")?;
            let at: i64 = row.try_get("at")?;
            let tenant_id: Option<String> = row.try_get("tenant_id")?;
            let action: String = row.try_get("action")?;
            let subject: Option<String> = row.try_get("subject")?;
            let detail: String = row.try_get("detail")?;
            let prev_hash: String = row.try_get("prev_hash")?;
            let hash: String = row.try_get("hash")?;
            let broken = if seq != expected_seq {
                Some(format!(
                    "audit row {seq}: expected row {expected_seq} (a row is missing)"
                ))
            } else if prev_hash != report.head {
                Some(format!(
                    "audit row {seq}: does not point to the row before it"
                ))
            } else if row_hash(
                seq,
                at,
                tenant_id.as_deref(),
                &action,
                subject.as_deref(),
                &detail,
                &prev_hash,
            ) != hash
            {
                Some(format!(
                    "audit row {seq}: its content does not match its hash (changed after it was written)"
                ))
            } else {
                None
            };
            if broken.is_some() {
                report.broken = broken;
                return Ok(report);
            }
            match (action.as_str(), subject) {
                ("check.created", Some(id)) => {
                    let detail: serde_json::Value = serde_json::from_str(&detail)
                        .map_err(|e| anyhow!("audit row {seq}: {e}"))?;
                    let digest = detail["row_sha256"].as_str().unwrap_or_default().to_owned();
                    created.insert(id, (seq, digest));
                }
                ("check.purged", Some(id)) => {
                    created.remove(&id);
                }
                _ => {}
            }
            report.entries += 1;
            report.head = hash;
            expected_seq += 1;
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
    if head_seq != expected_seq - 1 || head_hash != report.head {
        report.broken = Some(format!(
            "audit head: names row {head_seq} but the log ends at row {} (rows removed from the end?)",
            expected_seq - 1
        ));
        return Ok(report);
    }
    // Every stored check has its creation entry, unchanged; every created, unpurged check is stored.
    let mut problems: Vec<(i64, String)> = Vec::new();
    for (id, (seq, digest)) in &created {
        match checks.remove(id) {
            None => problems.push((
                *seq,
                format!("check {id} (audit row {seq}): deleted without a purge entry"),
            )),
            Some(d) if &d != digest => problems.push((
                *seq,
                format!(
                    "check {id} (audit row {seq}): the stored row was changed after it was written"
                ),
            )),
            Some(_) => {}
        }
    }
    for id in checks.keys() {
        problems.push((
            i64::MAX,
            format!("check {id}: stored without an audit entry"),
        ));
    }
    problems.sort();
    report.broken = problems.into_iter().next().map(|(_, what)| what);
    Ok(report)
}
