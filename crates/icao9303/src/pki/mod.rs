//! Passive authentication (ICAO 9303-11 §5.1, 9303-12): CMS SignedData verification, certificate chains,
//! CSCA master lists, CRLs, trust store.
//!
//! The entry point is [`verify_sod`]: it checks an EF.SOD's signature with the Document Signer certificate
//! it carries, the DSC against the CSCAs of a [`TrustStore`], revocation and the issuing country, and
//! returns a [`PassiveAuthReport`] with one [`crate::report::Verdict`] per aspect. [`verify_data_groups`]
//! compares data group bytes with the hashes the SOD lists ([`data_group_hash`]: a data group the SOD does
//! not list fails).

pub mod certificate;
pub mod cms;
pub mod country;
pub mod crl;
pub mod cvc;
pub mod ldif;
pub mod master_list;
pub mod passive;
pub mod policy;
pub mod signature;
pub mod trust_store;

pub use certificate::{Certificate, Name, NameKey, Time};
pub use crl::Crl;
pub use master_list::MasterList;
pub use passive::{
    ChainOutcome, PassiveAuthReport, data_group_hash, verify_data_groups, verify_sod,
};
pub use trust_store::{
    ChainVerdict, DscEntry, LoadReport, MasterListSummary, PathSummary, StoredCrl, TrustAnchor,
    TrustStore, TrustStoreBuilder,
};

use thiserror::Error;

use crate::asn1::Mode;

/// Errors of the PKI layer: loading trust anchors, master lists and CRLs.
#[derive(Debug, Error)]
pub enum PkiError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A certificate could not be decoded.
    #[error("{source_name}: {error}")]
    Certificate {
        /// Where the certificate came from (file name, list entry).
        source_name: String,
        /// The decoding error.
        error: certificate::CertificateError,
    },
    /// A master list could not be decoded.
    #[error("master list: {0}")]
    MasterList(String),
    /// A master list's signature or signer chain does not verify.
    #[error("master list signer: {0}")]
    MasterListSigner(String),
    /// A CRL could not be decoded.
    #[error("{0}")]
    Crl(#[from] crl::CrlError),
    /// A file is none of certificate, CRL or master list.
    #[error("{0}: not a certificate, CRL or master list")]
    Unrecognised(String),
}

/// Verifies one SignerInfo of a SignedData with `signer`: the messageDigest attribute against the content
/// and the signature over the original signed attributes (or over the content when there are none).
/// Returns a description of the verified scheme, or why it failed.
pub fn verify_signer_info(
    signed_data: &cms::SignedData,
    signer_info: &cms::SignerInfo,
    signer: &Certificate,
) -> Result<String, String> {
    let key = signature::VerifyingKey::from_spki(&signer.public_key).map_err(|e| e.to_string())?;
    verify_signer_info_with(signed_data, signer_info, &key)
}

/// [`verify_signer_info`] with the signer's key already decoded (a DSC's key, kept by the trust store).
pub fn verify_signer_info_with(
    signed_data: &cms::SignedData,
    signer_info: &cms::SignerInfo,
    key: &signature::VerifyingKey,
) -> Result<String, String> {
    let content = signed_data
        .content
        .as_deref()
        .ok_or("SignedData has no eContent")?;
    let digest_alg =
        crate::crypto::hash::HashAlgorithm::from_oid(&signer_info.digest_algorithm.oid)
            .ok_or_else(|| {
                format!(
                    "unsupported digest algorithm {}",
                    signer_info.digest_algorithm.oid
                )
            })?;
    if signer_info.signed_attrs.is_some() {
        let md = signer_info
            .message_digest
            .as_deref()
            .ok_or("signedAttrs without a messageDigest attribute")?;
        if digest_alg.digest(content) != md {
            return Err(format!(
                "messageDigest attribute does not match the {digest_alg} of the eContent"
            ));
        }
        if let Some(ct) = signer_info.content_type_attr
            && ct != signed_data.content_type
        {
            return Err(format!(
                "contentType attribute {ct} differs from eContentType {}",
                signed_data.content_type
            ));
        }
    }
    let message = signer_info.signed_bytes(content);
    key.verify(
        &signer_info.signature_algorithm,
        Some(digest_alg),
        message,
        &signer_info.signature,
    )
    .map_err(|e| e.to_string())
}

/// Finds the certificate a SignerInfo names among `certificates` (issuer and serial number, or subject key
/// identifier). Issuer names match regardless of RDN order.
pub fn find_signer<'a>(
    signer_info: &cms::SignerInfo,
    certificates: &'a [Certificate],
) -> Option<&'a Certificate> {
    certificates.iter().find(|c| signer_matches(signer_info, c))
}

/// Whether `certificate` is the one a SignerInfo names (issuer and serial number, or subject key
/// identifier).
pub fn signer_matches(signer_info: &cms::SignerInfo, certificate: &Certificate) -> bool {
    match &signer_info.sid {
        cms::SignerIdentifier::IssuerAndSerialNumber { issuer, serial } => {
            certificate.serial_equals(serial)
                && Mode::Ber
                    .parse_exact(issuer)
                    .ok()
                    .and_then(|e| Name::parse(&e).ok())
                    .is_some_and(|issuer| certificate.issuer.matches(&issuer))
        }
        cms::SignerIdentifier::SubjectKeyIdentifier(id) => {
            certificate.subject_key_id.as_deref() == Some(id.as_slice())
        }
    }
}

/// Verifies that `issuer` signed `cert` (over the original TBSCertificate bytes).
pub fn verify_certificate_signature(
    cert: &Certificate,
    issuer: &Certificate,
) -> Result<String, String> {
    signature::verify(
        &issuer.public_key,
        &cert.signature_algorithm,
        None,
        &cert.tbs,
        &cert.signature,
    )
    .map_err(|e| e.to_string())
}
