//! The certificate profiles of the eMRTD PKI (ICAO 9303-12 section 7.1): what a CSCA, a Document Signer
//! and a Master List Signer certificate must say about their own use, checked whenever one of them is
//! relied on.
//!
//! | role | keyUsage | basicConstraints | extKeyUsage |
//! |---|---|---|---|
//! | CSCA | keyCertSign | cA TRUE | — |
//! | Document Signer | digitalSignature | not a CA | — |
//! | Master List Signer | digitalSignature | not a CA | id-icao-mrtd-security-cscaMasterListSigningKey (2.23.136.1.1.3) |
//!
//! A certificate that says it may not be used for its role fails (a keyUsage without the bit, a CA flag on
//! a signer, a master list signer without the key purpose), and so does one with a critical extension
//! this reader does not know (RFC 5280 section 4.2). Real PKIs deviate in two ways that are not a
//! forger's gain, found in the German master list: CSCAs whose basicConstraints say cA FALSE (7 of 588)
//! and a CSCA without keyUsage. A missing keyUsage or basicConstraints, and cA FALSE on a CSCA that has
//! keyCertSign, are warnings, not failures, for CAs and Master List Signers. A Document Signer — the
//! certificate a document rests on — must follow the profile: one without keyUsage, or whose validity
//! breaks RFC 5280's time encoding (GeneralizedTime before 2050), fails (BSI TR-03105-5.1 LDS_H_64,
//! LDS_H_56); for the other roles the time encoding is a warning.

use super::certificate::{Certificate, KeyUsage};
use crate::asn1::ObjectIdentifier;

/// id-icao-mrtd-security-cscaMasterListSigningKey (2.23.136.1.1.3): the extended key usage of a Master
/// List Signer certificate (ICAO 9303-12 section 7.1.1.3).
pub const ID_MASTER_LIST_SIGNING_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.23.136.1.1.3");

/// The extensions of the ICAO 9303-12 profile (and RFC 5280) this reader knows: a certificate may mark
/// them critical. Any other critical extension fails the certificate.
const KNOWN_EXTENSIONS: [ObjectIdentifier; 15] = [
    ObjectIdentifier::new_unwrap("2.5.29.14"), // subjectKeyIdentifier
    ObjectIdentifier::new_unwrap("2.5.29.35"), // authorityKeyIdentifier
    ObjectIdentifier::new_unwrap("2.5.29.15"), // keyUsage
    ObjectIdentifier::new_unwrap("2.5.29.16"), // privateKeyUsagePeriod
    ObjectIdentifier::new_unwrap("2.5.29.19"), // basicConstraints
    ObjectIdentifier::new_unwrap("2.5.29.37"), // extKeyUsage
    ObjectIdentifier::new_unwrap("2.5.29.32"), // certificatePolicies
    ObjectIdentifier::new_unwrap("2.5.29.17"), // subjectAltName
    ObjectIdentifier::new_unwrap("2.5.29.18"), // issuerAltName
    ObjectIdentifier::new_unwrap("2.5.29.9"),  // subjectDirectoryAttributes
    ObjectIdentifier::new_unwrap("2.5.29.31"), // cRLDistributionPoints
    ObjectIdentifier::new_unwrap("2.5.29.46"), // freshestCRL
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1"), // authorityInfoAccess
    ObjectIdentifier::new_unwrap("2.23.136.1.1.6.1"), // nameChange
    ObjectIdentifier::new_unwrap("2.23.136.1.1.6.2"), // documentTypeList
];

/// The role a certificate is relied on in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Country Signing CA: signs Document Signer (and link) certificates.
    Csca,
    /// Document Signer: signs EF.SOD or EF.CardSecurity.
    DocumentSigner,
    /// Master List Signer: signs a CSCA master list.
    MasterListSigner,
}

impl Role {
    /// "CSCA", "Document Signer" or "Master List Signer".
    pub fn name(self) -> &'static str {
        match self {
            Role::Csca => "CSCA",
            Role::DocumentSigner => "Document Signer",
            Role::MasterListSigner => "Master List Signer",
        }
    }
}

/// What the profile check found: failures (the certificate may not be used in its role) and warnings
/// (deviations real PKIs have).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// Why the certificate may not be used in the role; empty when it may.
    pub failures: Vec<String>,
    /// Deviations from the profile that do not stop its use.
    pub warnings: Vec<String>,
}

impl Findings {
    /// True when nothing forbids the use.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Checks `cert` against the profile of `role` (see the module documentation).
pub fn check(cert: &Certificate, role: Role) -> Findings {
    let mut f = Findings::default();
    let who = role.name();
    for oid in &cert.critical_extensions {
        if !KNOWN_EXTENSIONS.contains(oid) {
            f.failures.push(format!(
                "{who} certificate has an unknown critical extension {oid}"
            ));
        }
    }
    let (bit, bit_name) = match role {
        Role::Csca => (KeyUsage::KEY_CERT_SIGN, "keyCertSign"),
        Role::DocumentSigner | Role::MasterListSigner => {
            (KeyUsage::DIGITAL_SIGNATURE, "digitalSignature")
        }
    };
    match cert.key_usage {
        Some(ku) if ku.has(bit) => {}
        Some(_) => f
            .failures
            .push(format!("{who} certificate's keyUsage lacks {bit_name}")),
        None if role == Role::DocumentSigner => f.failures.push(format!(
            "{who} certificate has no keyUsage extension (ICAO 9303-12 §7.1.1.3 requires digitalSignature)"
        )),
        None => f
            .warnings
            .push(format!("{who} certificate has no keyUsage extension")),
    }
    if let Some(why) = &cert.validity_encoding {
        let line = format!("{who} certificate's validity: {why}");
        if role == Role::DocumentSigner {
            f.failures.push(line);
        } else {
            f.warnings.push(line);
        }
    }
    match (role, cert.is_ca) {
        (Role::Csca, Some(true)) => {}
        (Role::Csca, Some(false)) => f
            .warnings
            .push("CSCA certificate's basicConstraints say cA FALSE".into()),
        (Role::Csca, None) => f
            .warnings
            .push("CSCA certificate has no basicConstraints extension".into()),
        (_, Some(true)) => f.failures.push(format!(
            "{who} certificate is a CA certificate (basicConstraints cA TRUE)"
        )),
        (_, _) => {}
    }
    if role == Role::MasterListSigner {
        match &cert.extended_key_usage {
            Some(purposes) if purposes.contains(&ID_MASTER_LIST_SIGNING_KEY) => {}
            Some(_) => f.failures.push(format!(
                "Master List Signer certificate's extKeyUsage lacks {ID_MASTER_LIST_SIGNING_KEY} (master list signing)"
            )),
            None => f.failures.push(format!(
                "Master List Signer certificate has no extKeyUsage {ID_MASTER_LIST_SIGNING_KEY} (master list signing)"
            )),
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(
        key_usage: Option<u16>,
        is_ca: Option<bool>,
        eku: Option<Vec<ObjectIdentifier>>,
        critical: Vec<ObjectIdentifier>,
    ) -> Certificate {
        let empty = super::super::certificate::Name {
            raw: Vec::new(),
            attributes: Vec::new(),
        };
        Certificate {
            raw: Vec::new(),
            tbs: Vec::new(),
            version: 2,
            serial: vec![1],
            issuer: empty.clone(),
            subject: empty,
            not_before: crate::asn1::Time::from_unix(0),
            not_after: crate::asn1::Time::from_unix(0),
            public_key: super::super::certificate::PublicKeyInfo {
                algorithm: super::super::cms::AlgorithmId {
                    oid: ObjectIdentifier::new_unwrap("1.2.840.10045.2.1"),
                    parameters: None,
                },
                key: Vec::new(),
                raw: Vec::new(),
            },
            signature_algorithm: super::super::cms::AlgorithmId {
                oid: ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
                parameters: None,
            },
            signature: Vec::new(),
            subject_key_id: None,
            authority_key_id: None,
            is_ca,
            key_usage: key_usage.map(|bits| KeyUsage { bits }),
            extended_key_usage: eku,
            critical_extensions: critical,
            validity_encoding: None,
        }
    }

    const KU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");

    #[test]
    fn the_profiles_pass() {
        let csca = cert(Some(0x60), Some(true), None, vec![KU]);
        assert_eq!(check(&csca, Role::Csca), Findings::default());
        let dsc = cert(Some(1), None, None, vec![KU]);
        assert_eq!(check(&dsc, Role::DocumentSigner), Findings::default());
        let mls = cert(
            Some(1),
            None,
            Some(vec![ID_MASTER_LIST_SIGNING_KEY]),
            vec![KU, ObjectIdentifier::new_unwrap("2.5.29.37")],
        );
        assert_eq!(check(&mls, Role::MasterListSigner), Findings::default());
    }

    #[test]
    fn a_certificate_outside_its_role_fails() {
        // A Document Signer used as a CSCA.
        let dsc = cert(Some(1), None, None, vec![]);
        assert!(!check(&dsc, Role::Csca).passed());
        // A CSCA used as a Document Signer: no digitalSignature, and a CA.
        let csca = cert(Some(0x60), Some(true), None, vec![]);
        assert_eq!(check(&csca, Role::DocumentSigner).failures.len(), 2);
        // A Document Signer signing a master list: no key purpose.
        assert!(!check(&dsc, Role::MasterListSigner).passed());
        let other = cert(
            Some(1),
            None,
            Some(vec![ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4")]),
            vec![],
        );
        assert!(!check(&other, Role::MasterListSigner).passed());
    }

    #[test]
    fn an_unknown_critical_extension_fails() {
        let dsc = cert(
            Some(1),
            None,
            None,
            vec![KU, ObjectIdentifier::new_unwrap("1.2.3.4.5")],
        );
        let f = check(&dsc, Role::DocumentSigner);
        assert_eq!(f.failures.len(), 1);
        assert!(f.failures[0].contains("1.2.3.4.5"), "{f:?}");
    }

    #[test]
    fn real_deviations_are_warnings() {
        let f = check(&cert(Some(0x60), Some(false), None, vec![]), Role::Csca);
        assert!(f.passed() && f.warnings.len() == 1, "{f:?}");
        let f = check(&cert(None, Some(true), None, vec![]), Role::Csca);
        assert!(f.passed() && f.warnings.len() == 1, "{f:?}");
    }

    /// A Document Signer must carry keyUsage digitalSignature: without the extension it fails (BSI
    /// TR-03105-5.1 LDS_H_64; a missing keyUsage is a warning for CSCAs only, a real deviation).
    #[test]
    fn a_document_signer_without_key_usage_fails() {
        let f = check(&cert(None, None, None, vec![]), Role::DocumentSigner);
        assert!(!f.passed(), "{f:?}");
        assert!(f.failures[0].contains("no keyUsage"), "{f:?}");
    }
}
