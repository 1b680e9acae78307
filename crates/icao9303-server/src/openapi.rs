//! The OpenAPI 3.1 description of the API, built here next to the routes and served at
//! `/v1/openapi.json`; `docs/openapi.json` is the same text, checked by a test (regenerate it with
//! `MRTD_UPDATE_OPENAPI=1 cargo test -p icao9303-server --test api openapi`).

use serde_json::{Value, json};

fn error(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

fn unauthorized() -> Value {
    json!({"description": "Missing or wrong API key: an empty body, nothing else."})
}

fn limited() -> Value {
    json!({
        "description": "The tenant's rate (429) was exceeded; see Retry-After.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

fn busy() -> Value {
    json!({
        "description": "The service is at its limit of verifications in progress, or the database is \
                        unavailable; see Retry-After.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

fn json_ok(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}
    })
}

/// The document.
pub fn document() -> Value {
    let hex = |n: usize, what: &str| json!({"type": "string", "pattern": format!("^[0-9a-f]{{{n}}}$"), "description": what});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "mrtd serve",
            "version": "1",
            "description": "Verification of eMRTD documents (ICAO 9303) over HTTP: each check is stored with its \
                verdict, every check result and keyed fingerprints (never the document's data), appended to a \
                hash-chained audit log, and answered with a signed receipt (JWS, EdDSA) verifiable offline with \
                `mrtd receipt verify`. Every /v1 request needs `Authorization: Bearer KEY`; queries see only the \
                caller's tenant."
        },
        "security": [{"bearer": []}],
        "paths": {
            "/healthz": {"get": {
                "summary": "The process is up.", "security": [],
                "responses": {"200": {"description": "Up."}}
            }},
            "/readyz": {"get": {
                "summary": "Ready to verify: the database answers and a trust store is loaded.", "security": [],
                "responses": {"200": json_ok("Ready.", "Readiness"), "503": json_ok("Not ready.", "Readiness")}
            }},
            "/metrics": {"get": {
                "summary": "Prometheus metrics (admin tenant's key). No personal data in labels.",
                "responses": {"200": {"description": "Text exposition format 0.0.4.",
                    "content": {"text/plain": {"schema": {"type": "string"}}}},
                    "401": unauthorized(), "403": error("Not an admin tenant.")}
            }},
            "/v1/openapi.json": {"get": {
                "summary": "This document.",
                "responses": {"200": {"description": "OpenAPI 3.1."}, "401": unauthorized()}
            }},
            "/v1/receipt-key": {"get": {
                "summary": "The public key receipts are signed with (SubjectPublicKeyInfo PEM, Ed25519): the --key \
                            of `mrtd receipt verify`.",
                "responses": {"200": {"description": "PEM.",
                    "content": {"application/x-pem-file": {"schema": {"type": "string"}}}},
                    "401": unauthorized()}
            }},
            "/v1/verifications": {"post": {
                "summary": "Verify a document (a dump's files or a DTC-VC), or a JSON Lines batch.",
                "description": "The report is the one `mrtd verify --json` gives for the same files (schema \
                    docs/report-schema.md). The check is stored before the answer is sent. A batch answers one \
                    JSON line per input line, in order, each with its own check id and receipt (or an error).",
                "parameters": [{"name": "trust", "in": "query", "schema": {"enum": ["full"]},
                    "description": "full: the report carries its trust section (what the trust store loaded, \
                        anchored and rejected; one line per file or LDIF record), as `mrtd verify DIR --json` \
                        gives it. Without it the report is that one less the section. Batch lines never carry it \
                        (nor do `mrtd verify -`'s)."}],
                "requestBody": {"required": true, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Dump"}},
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"},
                        "description": "A Type 1 DTC-VC (DER)."},
                    "application/x-ndjson": {"schema": {"type": "string"},
                        "description": "JSON Lines: one Dump per line, with an optional id (as `mrtd verify -`)."}
                }},
                "responses": {
                    "201": {"description": "Verified and stored.",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verification"}}}},
                    "200": {"description": "A batch: one line per input line.",
                        "content": {"application/x-ndjson": {"schema": {"$ref": "#/components/schemas/BatchLine"}}}},
                    "400": error("Not a document: not JSON, no files, an unknown file name, bad base64."),
                    "401": unauthorized(),
                    "408": error("The body did not arrive within 60 s."),
                    "413": error("The body is larger than the limit."),
                    "415": error("Another Content-Type."),
                    "422": error("Not a DTC-VC."),
                    "429": limited(),
                    "503": busy()
                }
            }},
            "/v1/verifications/{id}": {"get": {
                "summary": "A stored check of the caller's tenant.",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": hex(32, "check id")}],
                "responses": {"200": json_ok("The check.", "StoredCheck"), "401": unauthorized(),
                    "404": error("No such check for this tenant."), "503": busy()}
            }},
            "/v1/history": {
                "get": {
                    "summary": "The tenant's checks of one document, newest first (at most 1000).",
                    "parameters": [{"name": "document", "in": "query", "required": true,
                        "schema": hex(64, "a check's document_fingerprint")}],
                    "responses": {"200": json_ok("The history.", "History"), "400": error("Bad fingerprint."),
                        "401": unauthorized(), "503": busy()}
                },
                "post": {
                    "summary": "The same, found by the MRZ data (kept out of URLs and logs): the service computes \
                                the keyed fingerprint.",
                    "requestBody": {"required": true, "content": {"application/json": {"schema":
                        {"$ref": "#/components/schemas/MrzIdentity"}}}},
                    "responses": {"200": json_ok("The history.", "History"), "400": error("Bad request."),
                        "401": unauthorized(), "503": busy()}
                }
            },
            "/v1/stats": {"get": {
                "summary": "The tenant's checks counted by day, verdict, issuing state and document type.",
                "parameters": [
                    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
                        "description": "First day (UTC), default 30 days before `to`."},
                    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
                        "description": "Last day (UTC, inclusive), default today."}
                ],
                "responses": {
                    "200": {"description": "JSON, or CSV (day,verdict,issuing_state,document_type,count) with \
                        Accept: text/csv.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Stats"}},
                            "text/csv": {"schema": {"type": "string"}}}},
                    "400": error("Bad dates."), "401": unauthorized(), "503": busy()
                }
            }},
            "/v1/admin/trust/reload": {"post": {
                "summary": "Reload the trust store from the configured inputs (admin tenant). Checks in progress \
                            finish with the old store; a failed reload keeps it.",
                "responses": {"200": json_ok("The new store.", "TrustSummary"), "401": unauthorized(),
                    "403": error("Not an admin tenant."), "422": error("The inputs did not load.")}
            }},
            "/v1/admin/purge": {"post": {
                "summary": "Delete the checks older than each tenant's retention period now (admin tenant); \
                            each deletion is audited.",
                "responses": {"200": {"description": "Checks purged per tenant name."}, "401": unauthorized(),
                    "403": error("Not an admin tenant."), "503": busy()}
            }}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                "description": "A tenant's API key, from `mrtd serve tenant add`."}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"],
                    "properties": {"error": {"type": "string"}}},
                "Dump": {"type": "object", "required": ["files"], "properties": {
                    "id": {"type": ["string", "number"]},
                    "files": {"type": "object", "description": "LDS file name (EF.COM, EF.SOD, DG1..DG16, \
                        EF.CardAccess, EF.CardSecurity, or the dump names EF_SOD.bin, DG1.bin) to base64.",
                        "additionalProperties": {"type": "string", "contentEncoding": "base64"}}}},
                "Verification": {"type": "object",
                    "required": ["check_id", "time", "verdict", "receipt", "report"], "properties": {
                    "check_id": hex(32, "the check's id"),
                    "time": {"type": "string", "format": "date-time"},
                    "verdict": {"$ref": "#/components/schemas/Verdict"},
                    "receipt": {"type": "string", "description": "JWS compact, EdDSA, typ mrtd-receipt+jwt"},
                    "report": {"type": "object", "description": "The report (docs/report-schema.md); its compact \
                        JSON, members in the order served, is what the receipt's report_sha256 covers."}}},
                "BatchLine": {"type": "object", "required": ["id", "result"], "properties": {
                    "id": {"type": "string"},
                    "result": {"enum": ["verified", "not verified", "failed", "could not read", "not stored"],
                        "description": "not stored: the service failed (database); send the document again"},
                    "error": {"type": "string"},
                    "check_id": hex(32, "the check's id"),
                    "time": {"type": "string", "format": "date-time"},
                    "verdict": {"$ref": "#/components/schemas/Verdict"},
                    "receipt": {"type": "string"},
                    "report": {"type": "object"}}},
                "Verdict": {"enum": ["verified", "not_verified", "failed"]},
                "StoredCheck": {"type": "object", "properties": {
                    "check_id": hex(32, "the check's id"),
                    "time": {"type": "string", "format": "date-time"},
                    "source": {"enum": ["dump", "dtc-vc", "batch"]},
                    "verdict": {"$ref": "#/components/schemas/Verdict"},
                    "report_verdict": {"type": "object", "description": "The report's verdict object."},
                    "checks": {"type": "array", "description": "Every check result of the report."},
                    "issuing_state": {"type": ["string", "null"]},
                    "document_type": {"type": ["string", "null"]},
                    "trust_store_version": hex(64, "SHA-256 over what the trust store held"),
                    "software_version": {"type": "string"},
                    "sod_fingerprint": {"type": ["string", "null"], "description": "HMAC-SHA-256 of EF.SOD under \
                        the tenant's key"},
                    "document_fingerprint": {"type": ["string", "null"], "description": "HMAC-SHA-256 of DG1's \
                        document number, date of birth and date of expiry under the tenant's key"},
                    "report_sha256": hex(64, "SHA-256 of the report as served"),
                    "receipt": {"type": "string"},
                    "holder": {"type": ["object", "null"], "description": "Name and document number, only for \
                        tenants that opted in (sealed at rest)."}}},
                "MrzIdentity": {"type": "object",
                    "required": ["document_number", "date_of_birth", "date_of_expiry"], "properties": {
                    "document_number": {"type": "string"},
                    "date_of_birth": {"type": "string", "pattern": "^[0-9]{6}$"},
                    "date_of_expiry": {"type": "string", "pattern": "^[0-9]{6}$"}}},
                "History": {"type": "object", "properties": {
                    "document": hex(64, "the document fingerprint"),
                    "count": {"type": "integer"},
                    "checks": {"type": "array", "items": {"type": "object", "properties": {
                        "check_id": {"type": "string"}, "time": {"type": "string", "format": "date-time"},
                        "verdict": {"$ref": "#/components/schemas/Verdict"},
                        "sod_fingerprint": {"type": ["string", "null"]}}}}}},
                "Stats": {"type": "object", "properties": {
                    "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
                    "total": {"type": "integer"},
                    "by_day": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "by_verdict": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "by_issuing_state": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "by_document_type": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "rows": {"type": "array", "items": {"type": "object", "properties": {
                        "day": {"type": "string"}, "verdict": {"type": "string"},
                        "issuing_state": {"type": "string"}, "document_type": {"type": "string"},
                        "count": {"type": "integer"}}}}}},
                "Readiness": {"type": "object", "properties": {
                    "status": {"enum": ["ready", "not ready"]},
                    "database": {"enum": ["ok", "unreachable"]},
                    "trust_store": {"oneOf": [{"$ref": "#/components/schemas/TrustSummary"}, {"type": "null"}]}}},
                "TrustSummary": {"type": "object", "properties": {
                    "version": hex(64, "the trust-store version recorded with each check"),
                    "anchors": {"type": "integer"}, "document_signers": {"type": "integer"},
                    "crls": {"type": "integer"}, "loaded_at": {"type": "string", "format": "date-time"}}}
            }
        }
    })
}

/// Members sorted by name at every level, whatever map the JSON library was built with.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The document as served and as checked in (pretty-printed, members sorted, a final newline).
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&sorted(document())).unwrap_or_default();
    text.push('\n');
    text
}
