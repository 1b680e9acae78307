-- Sessions of the web page: a person logged in with the tenant's API key. Only the SHA-256 of the session
-- cookie is kept, with the hash of the API key the session was opened with: a tenant whose key is replaced
-- loses its sessions with it.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    key_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
