//! The signed receipt of a check: a JWS (RFC 7515, compact serialisation) signed with Ed25519 (`EdDSA`,
//! RFC 8037), whose payload binds the check id, the tenant, the time, the verdict, the SHA-256 of the report
//! as served, the keyed fingerprints, the trust-store version and the software version. It is what an
//! employer keeps; `mrtd receipt verify FILE --key PUB` checks it offline against the service's public key
//! (`GET /v1/receipt-key`).

use std::collections::HashSet;

use anyhow::{Context, anyhow};
use base64ct::Encoding;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use ring::signature::{Ed25519KeyPair, KeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{PrivatePkcs8KeyDer, SubjectPublicKeyInfoDer};
use serde::{Deserialize, Serialize};

/// The JOSE `typ` of a receipt.
pub const RECEIPT_TYPE: &str = "mrtd-receipt+jwt";
/// The `iss` of every receipt.
pub const ISSUER: &str = "mrtd serve";

/// The SubjectPublicKeyInfo DER of an Ed25519 key before its 32 bytes (RFC 8410).
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// What a receipt states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Always [`ISSUER`].
    pub iss: String,
    /// The check's id.
    pub check_id: String,
    /// The tenant that asked for the check.
    pub tenant: String,
    /// When the check was made (seconds since 1970-01-01 UTC).
    pub iat: i64,
    /// The same time, RFC 3339.
    pub time: String,
    /// The document verdict: `verified`, `not_verified` or `failed`.
    pub verdict: String,
    /// SHA-256 (hex) of the report's compact JSON as served with the check.
    pub report_sha256: String,
    /// The keyed fingerprint of EF.SOD (hex), if there was one.
    pub sod_fingerprint: Option<String>,
    /// The keyed fingerprint of the document from DG1 (hex), if DG1 was read.
    pub document_fingerprint: Option<String>,
    /// The version (hash) of the trust store the check used.
    pub trust_store_version: String,
    /// The software that made the check.
    pub software_version: String,
}

/// SHA-256 (hex) of a report's compact JSON: what [`Receipt::report_sha256`] holds.
pub fn report_sha256(report_json: &str) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, report_json.as_bytes()).as_ref())
}

/// Signs receipts with an Ed25519 key.
pub struct ReceiptSigner {
    key: EncodingKey,
    kid: String,
    public: [u8; 32],
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64ct::Base64::encode_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

impl ReceiptSigner {
    /// A new key: the signer and its PKCS#8 PEM.
    pub fn generate() -> anyhow::Result<(ReceiptSigner, String)> {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| anyhow!("generating an Ed25519 key failed"))?;
        let signer = Self::from_pkcs8_der(pkcs8.as_ref())?;
        Ok((signer, pem("PRIVATE KEY", pkcs8.as_ref())))
    }

    /// The signer of an Ed25519 private key in PKCS#8 PEM (`openssl genpkey -algorithm ed25519`).
    pub fn from_pkcs8_pem(pem: &[u8]) -> anyhow::Result<ReceiptSigner> {
        let der = PrivatePkcs8KeyDer::from_pem_slice(pem)
            .map_err(|e| anyhow!("not a PKCS#8 PEM private key: {e}"))?;
        Self::from_pkcs8_der(der.secret_pkcs8_der())
    }

    fn from_pkcs8_der(der: &[u8]) -> anyhow::Result<ReceiptSigner> {
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map_err(|e| anyhow!("not an Ed25519 key: {e}"))?;
        let public: [u8; 32] = pair
            .public_key()
            .as_ref()
            .try_into()
            .map_err(|_| anyhow!("Ed25519 public key length"))?;
        let kid = hex::encode(&ring::digest::digest(&ring::digest::SHA256, &public).as_ref()[..8]);
        Ok(ReceiptSigner {
            key: EncodingKey::from_ed_der(der),
            kid,
            public,
        })
    }

    /// The public key as SubjectPublicKeyInfo PEM, for `mrtd receipt verify --key`.
    pub fn public_key_pem(&self) -> String {
        let mut der = ED25519_SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.public);
        pem("PUBLIC KEY", &der)
    }

    /// The key id (`kid`): the first 8 bytes of SHA-256 of the public key, hex.
    pub fn key_id(&self) -> &str {
        &self.kid
    }

    /// The receipt as a compact JWS.
    pub fn sign(&self, receipt: &Receipt) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(RECEIPT_TYPE.into());
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, receipt, &self.key).context("signing the receipt")
    }
}

/// Verifies a receipt (compact JWS) against an Ed25519 public key (SubjectPublicKeyInfo PEM) and returns
/// what it states. Any changed byte of the receipt, another key, another algorithm or type fails.
pub fn verify(token: &str, public_key_pem: &[u8]) -> anyhow::Result<Receipt> {
    let spki = SubjectPublicKeyInfoDer::from_pem_slice(public_key_pem)
        .map_err(|e| anyhow!("not a PEM public key: {e}"))?;
    let raw = spki
        .as_ref()
        .strip_prefix(&ED25519_SPKI_PREFIX[..])
        .filter(|k| k.len() == 32)
        .ok_or_else(|| anyhow!("not an Ed25519 public key"))?;
    let header = jsonwebtoken::decode_header(token).context("not a receipt (JWS)")?;
    if header.typ.as_deref() != Some(RECEIPT_TYPE) {
        return Err(anyhow!("not a receipt: type {:?}", header.typ));
    }
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    validation.set_issuer(&[ISSUER]);
    let data = jsonwebtoken::decode::<Receipt>(token, &DecodingKey::from_ed_der(raw), &validation)
        .context("the receipt's signature does not verify with this key")?;
    Ok(data.claims)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn receipt() -> Receipt {
        Receipt {
            iss: ISSUER.into(),
            check_id: "c1".into(),
            tenant: "t1".into(),
            iat: 1_800_000_000,
            time: "2027-01-15T08:00:00Z".into(),
            verdict: "verified".into(),
            report_sha256: report_sha256("{}"),
            sod_fingerprint: Some("aa".into()),
            document_fingerprint: None,
            trust_store_version: "bb".into(),
            software_version: "0.1.0".into(),
        }
    }

    #[test]
    fn a_receipt_verifies_and_every_changed_character_fails() {
        let (signer, private_pem) = ReceiptSigner::generate().unwrap();
        let public = signer.public_key_pem();
        let token = signer.sign(&receipt()).unwrap();
        assert_eq!(verify(&token, public.as_bytes()).unwrap(), receipt());
        // The key round-trips through its PEM.
        let again = ReceiptSigner::from_pkcs8_pem(private_pem.as_bytes()).unwrap();
        assert_eq!(again.public_key_pem(), public);
        let bytes = token.as_bytes();
        for i in 0..bytes.len() {
            let mut changed = bytes.to_vec();
            changed[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(changed).unwrap();
            assert!(
                verify(&changed, public.as_bytes()).is_err(),
                "changing character {i} still verifies"
            );
        }
        let (other, _) = ReceiptSigner::generate().unwrap();
        assert!(verify(&token, other.public_key_pem().as_bytes()).is_err());
    }
}
