-- The service's schema, one text for SQLite and PostgreSQL: TEXT and BIGINT only (times are milliseconds
-- since 1970-01-01 UTC, flags 0/1, hashes and fingerprints lowercase hex), no dialect-specific syntax.

-- Settings of the installation: the id of the master key the data was written with.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Callers. Only the SHA-256 of an API key is kept.
CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    key_hash TEXT NOT NULL UNIQUE,
    admin BIGINT NOT NULL DEFAULT 0,
    store_holder BIGINT NOT NULL DEFAULT 0,
    retention_days BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- One row per check: what was concluded and against what, never the document's data (the holder's name and
-- document number only sealed, and only for tenants that opted in).
CREATE TABLE checks (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    created_at BIGINT NOT NULL,
    day TEXT NOT NULL,
    source TEXT NOT NULL,
    verdict TEXT NOT NULL,
    verdict_json TEXT NOT NULL,
    checks_json TEXT NOT NULL,
    issuing_state TEXT,
    document_type TEXT,
    trust_store_version TEXT NOT NULL,
    software_version TEXT NOT NULL,
    sod_fingerprint TEXT,
    document_fingerprint TEXT,
    report_sha256 TEXT NOT NULL,
    receipt TEXT NOT NULL,
    holder_sealed TEXT
);
CREATE INDEX checks_by_tenant_time ON checks (tenant_id, created_at);
CREATE INDEX checks_by_tenant_document ON checks (tenant_id, document_fingerprint);

-- The append-only audit log: each row's hash covers its content and the previous row's hash. The single
-- row of audit_head is updated first in every append, which serialises appenders (PostgreSQL's row lock,
-- SQLite's write lock) so two replicas cannot fork the chain.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    tenant_id TEXT,
    action TEXT NOT NULL,
    subject TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL UNIQUE
);
