//! CV certificate requests (TR-03110-3 C.2): how a DV or terminal asks its CA for a certificate.
//!
//! ```text
//! 67  Authentication                           (absent for an initial request)
//!  ├─ 7F21  CV Certificate (the request)
//!  │   ├─ 7F4E  Certificate Body
//!  │   │   ├─ 5F29 CPI   42 CAR (recommended)   7F49 public key (with domain parameters)
//!  │   │   └─ 5F20 CHR   65 extensions (optional)
//!  │   └─ 5F37  inner signature: made with the new key (proof of possession)
//!  ├─ 42    outer CAR: the key that signs the outer signature
//!  └─ 5F37  outer signature over the 7F21 TLV ‖ the 42 TLV, made with a key the CA already knows
//! ```

use super::{
    CertificateExtension, CertificateReference, CvPublicKey, CvcError, Fields, MAX_CERTIFICATE_LEN,
    TAG_BODY, TAG_CAR, TAG_CHR, TAG_CPI, TAG_CV_CERTIFICATE, TAG_EXTENSIONS, TAG_PUBLIC_KEY,
    TAG_SIGNATURE, encode_extensions, parse_extensions, parse_profile_identifier,
};
use crate::tlv::{self, Tag};

/// Tag of the authentication template around an authenticated request.
pub const TAG_AUTHENTICATION: Tag = 0x67;

/// The body of a certificate request: no CHAT and no dates (the CA sets them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestBody {
    /// The Certificate Profile Identifier (`00`).
    pub profile_identifier: u8,
    /// The CA the request is meant for (recommended, optional).
    pub authority_reference: Option<CertificateReference>,
    /// The public key to certify (EC keys with their domain parameters).
    pub public_key: CvPublicKey,
    /// The holder reference the requester asks for.
    pub holder_reference: CertificateReference,
    /// Certificate extensions, when present.
    pub extensions: Option<Vec<CertificateExtension>>,
}

impl RequestBody {
    fn parse(value: &[u8]) -> Result<RequestBody, CvcError> {
        let mut f = Fields::new("certificate request body", value)?;
        let profile_identifier =
            parse_profile_identifier(&f.take(TAG_CPI, "certificate profile identifier")?)?;
        let authority_reference = f
            .optional(TAG_CAR)
            .map(|t| CertificateReference::from_bytes("certification authority reference", t.value))
            .transpose()?;
        let public_key = CvPublicKey::parse(&f.take(TAG_PUBLIC_KEY, "public key")?)?;
        let holder_reference = CertificateReference::from_bytes(
            "certificate holder reference",
            f.take(TAG_CHR, "certificate holder reference")?.value,
        )?;
        let extensions = f
            .optional(TAG_EXTENSIONS)
            .map(|t| parse_extensions(&t))
            .transpose()?;
        f.finish()?;
        Ok(RequestBody {
            profile_identifier,
            authority_reference,
            public_key,
            holder_reference,
            extensions,
        })
    }

    /// The DER encoding of the `7F4E` TLV (what the inner signature covers).
    pub fn encode(&self) -> Vec<u8> {
        let mut parts = vec![tlv::encode(TAG_CPI, &[self.profile_identifier])];
        if let Some(car) = &self.authority_reference {
            parts.push(tlv::encode(TAG_CAR, &car.to_bytes()));
        }
        parts.push(self.public_key.encode());
        parts.push(tlv::encode(TAG_CHR, &self.holder_reference.to_bytes()));
        if let Some(ext) = &self.extensions {
            parts.push(encode_extensions(ext));
        }
        tlv::encode_constructed(TAG_BODY, &parts)
    }
}

/// The outer signature of an authenticated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OuterSignature {
    /// The CHR of the key that made the signature (the requester's current certificate, or for an
    /// initial DV request a key the CVCA knows otherwise).
    pub authority_reference: CertificateReference,
    /// The signature over the request's `7F21` TLV followed by the `42` TLV.
    pub signature: Vec<u8>,
}

/// A CV certificate request, plain (`7F21`) or authenticated (`67`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest {
    /// The request body.
    pub body: RequestBody,
    /// The inner signature, made with the private key of `body.public_key`.
    pub inner_signature: Vec<u8>,
    /// The outer signature, for an authenticated request.
    pub outer: Option<OuterSignature>,
}

impl CertificateRequest {
    /// Decodes a request: a `7F21` TLV, or a `67` TLV around one, in DER.
    pub fn parse(bytes: &[u8]) -> Result<CertificateRequest, CvcError> {
        if bytes.len() > MAX_CERTIFICATE_LEN {
            return Err(CvcError::TooLong {
                context: "certificate request",
                len: bytes.len(),
            });
        }
        let (top, _) = tlv::parse_one(bytes).map_err(CvcError::tlv("certificate request"))?;
        let (inner_bytes, outer) = match top.tag {
            TAG_AUTHENTICATION => {
                let top = tlv::parse_exact(bytes, TAG_AUTHENTICATION)
                    .map_err(CvcError::tlv("certificate request"))?;
                let mut f = Fields::new("authenticated certificate request", top.value)?;
                let inner = f.take(TAG_CV_CERTIFICATE, "request")?;
                let car = f.take(TAG_CAR, "outer certification authority reference")?;
                let sig = f.take(TAG_SIGNATURE, "outer signature")?;
                f.finish()?;
                let outer = OuterSignature {
                    authority_reference: CertificateReference::from_bytes(
                        "outer certification authority reference",
                        car.value,
                    )?,
                    signature: sig.value.to_vec(),
                };
                (inner.raw, Some(outer))
            }
            _ => (bytes, None),
        };
        let inner = tlv::parse_exact(inner_bytes, TAG_CV_CERTIFICATE)
            .map_err(CvcError::tlv("certificate request"))?;
        let mut f = Fields::new("certificate request", inner.value)?;
        let body = RequestBody::parse(f.take(TAG_BODY, "certificate body")?.value)?;
        let inner_signature = f.take(TAG_SIGNATURE, "inner signature")?.value.to_vec();
        f.finish()?;
        let request = CertificateRequest {
            body,
            inner_signature,
            outer,
        };
        if request.encode() != bytes {
            return Err(CvcError::NotDer("certificate request"));
        }
        Ok(request)
    }

    /// The request's `7F21` TLV (body and inner signature).
    pub fn inner_encoding(&self) -> Vec<u8> {
        tlv::encode_constructed(
            TAG_CV_CERTIFICATE,
            &[
                self.body.encode(),
                tlv::encode(TAG_SIGNATURE, &self.inner_signature),
            ],
        )
    }

    /// What the outer signature covers: the `7F21` TLV followed by the outer CAR's `42` TLV.
    pub fn outer_signed_data(inner: &[u8], car: &CertificateReference) -> Vec<u8> {
        [inner, &tlv::encode(TAG_CAR, &car.to_bytes())].concat()
    }

    /// The DER encoding (equal to the parsed bytes).
    pub fn encode(&self) -> Vec<u8> {
        let inner = self.inner_encoding();
        match &self.outer {
            None => inner,
            Some(o) => tlv::encode_constructed(
                TAG_AUTHENTICATION,
                &[
                    inner,
                    tlv::encode(TAG_CAR, &o.authority_reference.to_bytes()),
                    tlv::encode(TAG_SIGNATURE, &o.signature),
                ],
            ),
        }
    }

    /// Verifies the inner signature with the requested key itself (proof of possession). EC keys must
    /// carry their domain parameters, as requests always do.
    pub fn verify_inner_signature(&self) -> Result<(), CvcError> {
        self.body
            .public_key
            .verify(&self.body.encode(), &self.inner_signature)
            .map_err(|what| CvcError::Signature {
                holder: self.body.holder_reference.to_string(),
                what: format!("inner signature: {what}"),
            })
    }

    /// Verifies the outer signature with `key`, the public key named by the outer CAR (with its domain
    /// parameters). Fails when the request has no outer signature.
    pub fn verify_outer_signature(&self, key: &CvPublicKey) -> Result<(), CvcError> {
        let holder = self.body.holder_reference.to_string();
        let outer = self.outer.as_ref().ok_or_else(|| CvcError::Signature {
            holder: holder.clone(),
            what: "the request has no outer signature".into(),
        })?;
        let data = Self::outer_signed_data(&self.inner_encoding(), &outer.authority_reference);
        key.verify(&data, &outer.signature)
            .map_err(|what| CvcError::Signature {
                holder,
                what: format!("outer signature: {what}"),
            })
    }
}
