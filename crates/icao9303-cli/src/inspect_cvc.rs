//! `mrtd inspect` of card-verifiable certificates (`.cvcert`, tag `7F21`) and CV certificate requests
//! (`7F21` without CHAT and dates, or `67` around one): their fields, and the signatures that can be
//! checked from the file alone (a CVCA's self-signature, a request's inner signature).

use icao9303::asn1;
use icao9303::pki::cvc::request::CertificateRequest;
use icao9303::pki::cvc::{Chat, CvCertificate, CvKey, CvPublicKey};
use serde_json::{Value, json};

/// What a `7F21` / `67` file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CvKind {
    /// A CV certificate.
    Certificate,
    /// A certificate request, plain or authenticated.
    Request,
}

impl CvKind {
    /// The kind's label.
    pub fn label(self) -> &'static str {
        match self {
            CvKind::Certificate => "CV certificate",
            CvKind::Request => "CV certificate request",
        }
    }

    /// What the kind holds.
    pub fn description(self) -> &'static str {
        match self {
            CvKind::Certificate => {
                "card-verifiable certificate of Extended Access Control (Terminal Authentication)"
            }
            CvKind::Request => "request for a card-verifiable certificate",
        }
    }
}

/// Recognises a CV certificate (`7F21` with a CHAT) or request (`7F21` without one, or `67` holding a
/// `7F21`).
pub fn detect(bytes: &[u8]) -> Option<CvKind> {
    let header = asn1::parse_header(bytes).ok()?;
    match header.tag {
        0x7F21 => {
            if CvCertificate::parse(bytes).is_err() && CertificateRequest::parse(bytes).is_ok() {
                Some(CvKind::Request)
            } else {
                Some(CvKind::Certificate)
            }
        }
        0x67 => {
            let inner = bytes.get(header.header_len..)?;
            (asn1::parse_header(inner).ok()?.tag == 0x7F21).then_some(CvKind::Request)
        }
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn key_value(key: &CvPublicKey) -> Value {
    let mut v = json!({
        "algorithm": key.algorithm.name(),
        "description": key.describe(),
    });
    match &key.key {
        CvKey::Ec { domain, point } => {
            v["domain_parameters"] = json!(if domain.is_some() {
                "explicit"
            } else {
                "inherited from the CVCA"
            });
            v["public_point"] = json!(hex(point));
        }
        CvKey::Rsa { modulus, exponent } => {
            v["modulus_bits"] = json!(modulus.len() * 8);
            v["exponent"] = json!(hex(exponent));
        }
    }
    v
}

fn chat_value(chat: &Chat) -> Value {
    let rights = chat.access_rights();
    json!({
        "terminal_type": chat.terminal_type().name(),
        "authorization": hex(&chat.authorization),
        "role": chat.role().name(),
        "read_dg3": rights.read_dg3,
        "read_dg4": rights.read_dg4,
    })
}

/// The decoded content (`{"parsed": ...}` or `{"error": ...}`) and whether the file is sound.
pub fn decode(kind: CvKind, bytes: &[u8]) -> (Value, bool) {
    match kind {
        CvKind::Certificate => match CvCertificate::parse(bytes) {
            Err(e) => (json!({ "error": e.to_string() }), false),
            Ok(c) => {
                let b = &c.body;
                let kind = if c.is_self_signed() {
                    "self-signed CVCA certificate".to_owned()
                } else if c.is_link() {
                    "CVCA link certificate".to_owned()
                } else {
                    format!("{} certificate", b.chat.role().name())
                };
                let mut v = json!({
                    "certificate": kind,
                    "car": b.authority_reference.to_string(),
                    "chr": b.holder_reference.to_string(),
                    "profile_identifier": b.profile_identifier,
                    "public_key": key_value(&b.public_key),
                    "chat": chat_value(&b.chat),
                    "effective_date": b.effective_date.to_string(),
                    "expiration_date": b.expiration_date.to_string(),
                    "extensions": b.extensions.as_ref().map(|e| e.iter().map(|x| hex(&x.oid)).collect::<Vec<_>>()),
                    "signature_length": c.signature.len(),
                });
                let mut ok = true;
                if c.is_self_signed() {
                    v["self_signature"] = match c.verify_signature(&b.public_key) {
                        Ok(()) => json!("valid"),
                        Err(e) => {
                            ok = false;
                            json!(format!("INVALID: {e}"))
                        }
                    };
                } else {
                    v["signature"] = json!(format!(
                        "not checked: needs the key of {}",
                        b.authority_reference
                    ));
                }
                (json!({ "parsed": v }), ok)
            }
        },
        CvKind::Request => match CertificateRequest::parse(bytes) {
            Err(e) => (json!({ "error": e.to_string() }), false),
            Ok(r) => {
                let b = &r.body;
                let (inner, ok) = match r.verify_inner_signature() {
                    Ok(()) => (json!("valid"), true),
                    Err(e) => (json!(format!("INVALID: {e}")), false),
                };
                let v = json!({
                    "chr": b.holder_reference.to_string(),
                    "car": b.authority_reference.as_ref().map(ToString::to_string),
                    "profile_identifier": b.profile_identifier,
                    "public_key": key_value(&b.public_key),
                    "extensions": b.extensions.as_ref().map(|e| e.iter().map(|x| hex(&x.oid)).collect::<Vec<_>>()),
                    "inner_signature": inner,
                    "outer_signature": match &r.outer {
                        Some(o) => json!(format!(
                            "by {} ({} bytes), not checked: needs that key",
                            o.authority_reference,
                            o.signature.len()
                        )),
                        None => json!("none (initial request)"),
                    },
                });
                (json!({ "parsed": v }), ok)
            }
        },
    }
}
