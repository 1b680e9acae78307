//! Issuing CV certificates and certificate requests: the CA side of [`super`], for test PKIs and for DV
//! operators. The issuer's key stays behind [`TerminalSigner`], so it may live in a hardware module.

use super::request::{CertificateRequest, OuterSignature, RequestBody};
use super::{
    CertificateBody, CertificateExtension, CertificateReference, Chat, CvCertificate, CvDate,
    CvPublicKey, CvcError, PROFILE_VERSION_1, Role,
};
use crate::auth::terminal::TerminalSigner;
use rand_core::CryptoRng;

/// What a new certificate says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFields {
    /// The Certificate Holder Reference.
    pub holder_reference: CertificateReference,
    /// The holder's public key: with domain parameters for a CVCA, without for a DV or terminal.
    pub public_key: CvPublicKey,
    /// The holder's CHAT.
    pub chat: Chat,
    /// The first day of validity.
    pub effective_date: CvDate,
    /// The last day of validity.
    pub expiration_date: CvDate,
    /// Certificate extensions, if any.
    pub extensions: Option<Vec<CertificateExtension>>,
}

/// Issues a certificate: `issuer` (whose CHR is `authority_reference`) signs the body with its algorithm.
///
/// Checks what the specification fixes: the expiration date is not before the effective date, and only
/// CVCA certificates carry EC domain parameters.
pub fn issue_certificate(
    authority_reference: &CertificateReference,
    fields: CertificateFields,
    issuer: &dyn TerminalSigner,
    rng: &mut dyn CryptoRng,
) -> Result<CvCertificate, CvcError> {
    if fields.expiration_date < fields.effective_date {
        return Err(CvcError::invalid(
            "certificate expiration date",
            format!(
                "{} is before the effective date {}",
                fields.expiration_date, fields.effective_date
            ),
        ));
    }
    if fields.chat.role() != Role::Cvca && fields.public_key.domain_parameters().is_some() {
        return Err(CvcError::Key(
            "DV and terminal certificates must not carry EC domain parameters".into(),
        ));
    }
    let body = CertificateBody {
        profile_identifier: PROFILE_VERSION_1,
        authority_reference: authority_reference.clone(),
        public_key: fields.public_key,
        holder_reference: fields.holder_reference,
        chat: fields.chat,
        effective_date: fields.effective_date,
        expiration_date: fields.expiration_date,
        extensions: fields.extensions,
    };
    let signature = issuer
        .sign(&body.encode(), rng)
        .map_err(|e| CvcError::Key(e.to_string()))?;
    Ok(CvCertificate::from_parts(body, signature))
}

/// Creates a certificate request: `holder` (the new key) makes the inner signature; with `outer`, the key
/// named by that CAR makes the outer signature (an authenticated request).
pub fn create_request(
    body: RequestBody,
    holder: &dyn TerminalSigner,
    outer: Option<(&CertificateReference, &dyn TerminalSigner)>,
    rng: &mut dyn CryptoRng,
) -> Result<CertificateRequest, CvcError> {
    let inner_signature = holder
        .sign(&body.encode(), rng)
        .map_err(|e| CvcError::Key(e.to_string()))?;
    let mut request = CertificateRequest {
        body,
        inner_signature,
        outer: None,
    };
    if let Some((car, signer)) = outer {
        let data = CertificateRequest::outer_signed_data(&request.inner_encoding(), car);
        let signature = signer
            .sign(&data, rng)
            .map_err(|e| CvcError::Key(e.to_string()))?;
        request.outer = Some(OuterSignature {
            authority_reference: car.clone(),
            signature,
        });
    }
    Ok(request)
}
