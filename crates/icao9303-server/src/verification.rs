//! One verification: the document's files (or a DTC-VC) → the library's report, exactly as `mrtd verify`
//! makes it (`Document::from_files` + `verify::report`, or `Dtc::report`) → the stored check (what is kept,
//! and nothing more) with its signed receipt → what the caller gets back: the report as the CLI's JSON, the
//! check id and the receipt.

use std::sync::Arc;

use icao9303::document::Document;
use icao9303::dtc::Dtc;
use icao9303::lds::LdsFile;
use icao9303::pki::Time;
use icao9303::report::{DocumentResult, Report};
use icao9303::verify::{Chip, Scope};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::db::{CheckRow, Tenant};
use crate::keys::Secrets;
use crate::receipt::{ISSUER, Receipt, report_sha256};
use crate::trust::LoadedTrust;

/// The software version recorded with every check.
pub const SOFTWARE_VERSION: &str = concat!("mrtd ", env!("CARGO_PKG_VERSION"));

/// What a caller submitted.
pub enum Submission {
    /// A document's files (a dump, a JSON line).
    Files(Vec<(LdsFile, Vec<u8>)>),
    /// A Digital Travel Credential (Type 1 DTC-VC, DER).
    Dtc(Vec<u8>),
}

/// How a check came to the service (the `source` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A dump uploaded as JSON.
    Dump,
    /// A DTC-VC uploaded.
    DtcVc,
    /// A document of a JSON Lines batch.
    Batch,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Dump => "dump",
            Source::DtcVc => "dtc-vc",
            Source::Batch => "batch",
        }
    }
}

/// The verdict's name as the report's JSON gives it.
pub fn verdict_name(result: DocumentResult) -> &'static str {
    match result {
        DocumentResult::Verified => "verified",
        DocumentResult::NotVerified => "not_verified",
        DocumentResult::Failed => "failed",
    }
}

/// A submission verified: the report and the EF.SOD it came with. Runs on a worker thread. With
/// `trust_section`, the report carries what the store loaded, anchored and rejected, as `mrtd verify`'s
/// report of one document does (one line per file or LDIF record: large for a PKD download, so the API
/// gives it only on request; `mrtd verify -` leaves it out of batch lines too).
pub fn verify(
    submission: Submission,
    trust: &LoadedTrust,
    at: Time,
    trust_section: bool,
) -> Result<(Report, Option<Vec<u8>>), String> {
    let store = trust.store.as_deref();
    let (document, mut report) = match submission {
        Submission::Files(files) => {
            let document = Document::from_files(files);
            let report = icao9303::verify::report(
                &document,
                None,
                Vec::new(),
                &Scope::default(),
                store,
                at,
                Chip::NotPresent,
            );
            (document, report)
        }
        Submission::Dtc(bytes) => {
            let dtc = Dtc::parse(&bytes).map_err(|e| format!("not a DTC-VC: {e}"))?;
            (dtc.document(), dtc.report(store, at))
        }
    };
    if trust_section {
        report.trust = store.map(|s| s.load_report().clone());
    }
    let sod = document.files.get(&LdsFile::Sod).cloned();
    Ok((report, sod))
}

/// A check ready to store, and the answer to give once it is stored.
pub struct Outcome {
    /// The row.
    pub row: CheckRow,
    /// The report's compact JSON (what the receipt's `report_sha256` covers).
    pub report_json: String,
    /// The verdict, for metrics.
    pub verdict: &'static str,
}

/// The answer to a verification: the check id, time, verdict, receipt and the report (the CLI's JSON,
/// byte for byte what `report_sha256` covers).
#[derive(Serialize)]
pub struct Answer<'a> {
    /// The check's id.
    pub check_id: &'a str,
    /// When (RFC 3339).
    pub time: String,
    /// The document verdict.
    pub verdict: &'a str,
    /// The signed receipt (compact JWS).
    pub receipt: &'a str,
    /// The report.
    pub report: &'a RawValue,
}

impl Outcome {
    /// The JSON answer (with `extra` members first, e.g. a batch line's id and result).
    pub fn answer_json(&self) -> String {
        let report = RawValue::from_string(self.report_json.clone())
            .unwrap_or_else(|_| RawValue::NULL.to_owned());
        serde_json::to_string(&Answer {
            check_id: &self.row.id,
            time: crate::clock::rfc3339(self.row.created_at),
            verdict: self.verdict,
            receipt: &self.row.receipt,
            report: &report,
        })
        .unwrap_or_default()
    }
}

/// Turns a report into the check to store: fingerprints under the tenant's key, the holder sealed when
/// the tenant opted in, the receipt signed.
pub fn outcome(
    report: &Report,
    sod: Option<&[u8]>,
    tenant: &Tenant,
    secrets: &Secrets,
    trust: &Arc<LoadedTrust>,
    source: Source,
    now_ms: i64,
) -> anyhow::Result<Outcome> {
    let id = crate::keys::new_id()?;
    let keys = secrets.tenant(&tenant.id);
    let report_json = serde_json::to_string(report)?;
    let verdict = verdict_name(report.verdict.result);
    let mrz = report.mrz.as_ref();
    let sod_fingerprint = sod.map(|s| keys.sod_fingerprint(s));
    let document_fingerprint = mrz.map(|m| {
        keys.document_fingerprint(&m.document_number, &m.date_of_birth, &m.date_of_expiry)
    });
    let holder_sealed = match (tenant.store_holder, mrz) {
        (true, Some(m)) => {
            let holder = zeroize::Zeroizing::new(
                serde_json::json!({
                    "primary_identifier": m.primary_identifier,
                    "secondary_identifier": m.secondary_identifier,
                    "document_number": m.document_number,
                })
                .to_string(),
            );
            Some(keys.seal(holder.as_bytes(), &holder_binding(&id, &tenant.id))?)
        }
        _ => None,
    };
    let receipt = Receipt {
        iss: ISSUER.into(),
        check_id: id.clone(),
        tenant: tenant.id.clone(),
        iat: now_ms.div_euclid(1000),
        time: crate::clock::rfc3339(now_ms),
        verdict: verdict.into(),
        report_sha256: report_sha256(&report_json),
        sod_fingerprint: sod_fingerprint.clone(),
        document_fingerprint: document_fingerprint.clone(),
        trust_store_version: trust.version.clone(),
        software_version: SOFTWARE_VERSION.into(),
    };
    let token = secrets.receipt.sign(&receipt)?;
    let row = CheckRow {
        id,
        tenant_id: tenant.id.clone(),
        created_at: now_ms,
        day: crate::clock::day(now_ms),
        source: source.name().into(),
        verdict: verdict.into(),
        verdict_json: serde_json::to_string(&report.verdict)?,
        checks_json: serde_json::to_string(&report.checks)?,
        issuing_state: mrz.map(|m| m.issuing_state.clone()),
        document_type: mrz.map(|m| m.document_code.clone()),
        trust_store_version: trust.version.clone(),
        software_version: SOFTWARE_VERSION.into(),
        sod_fingerprint,
        document_fingerprint,
        report_sha256: receipt.report_sha256,
        receipt: token,
        holder_sealed,
    };
    Ok(Outcome {
        row,
        report_json,
        verdict,
    })
}

/// What the sealed holder data is bound to: the check and the tenant (a sealed value copied to another
/// row does not open).
pub fn holder_binding(check_id: &str, tenant_id: &str) -> Vec<u8> {
    format!("{check_id}\0{tenant_id}").into_bytes()
}
