//! CSCA master lists (ICAO 9303-12 §9): a CMS SignedData with eContentType id-icao-cscaMasterList
//! (2.23.136.1.1.2) whose content is `SEQUENCE { version INTEGER, certList SET OF Certificate }`, signed by a
//! Master List Signer certified by the issuing state's CSCA.

use crate::asn1::ObjectIdentifier;

use super::PkiError;
use super::certificate::Certificate;
use super::cms::SignedData;
use crate::asn1::{Asn1Error, Mode, tag};

/// id-icao-cscaMasterList (2.23.136.1.1.2).
pub const ID_CSCA_MASTER_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.2");

/// A parsed master list (its signature is checked by [`super::TrustStoreBuilder::add_master_list`]).
#[derive(Debug, Clone)]
pub struct MasterList {
    /// The CMS structure, with signer infos and the list signer's certificate.
    pub signed_data: SignedData,
    /// CscaMasterListVersion.
    pub version: u64,
    /// The CSCA (and link) certificates of the list.
    pub certificates: Vec<Certificate>,
    /// Entries that could not be parsed as certificates, with the reason.
    pub rejected: Vec<String>,
}

impl MasterList {
    /// Parses a master list file (.ml / .mls: DER ContentInfo).
    pub fn parse(bytes: &[u8]) -> Result<MasterList, PkiError> {
        let signed_data = SignedData::from_content_info(bytes)
            .map_err(|e| PkiError::MasterList(format!("not a CMS SignedData: {e}")))?;
        if signed_data.content_type != ID_CSCA_MASTER_LIST {
            return Err(PkiError::MasterList(format!(
                "eContentType {} is not id-icao-cscaMasterList",
                signed_data.content_type
            )));
        }
        let content = signed_data
            .content
            .as_deref()
            .ok_or(PkiError::MasterList("no eContent".into()))?;
        let bad = |e: Asn1Error| PkiError::MasterList(format!("CscaMasterList: {e}"));
        let (list, _) = Mode::Ber.parse_one(content).map_err(bad)?;
        let mut r = list.expect(tag::SEQUENCE).map_err(bad)?.cursor();
        let version = r
            .next("version")
            .and_then(|e| e.small_uint())
            .map_err(bad)?;
        let cert_list = r.next_tagged(tag::SET, "certList SET OF").map_err(bad)?;
        let mut certificates = Vec::new();
        let mut rejected = Vec::new();
        for (i, c) in cert_list.children().map_err(bad)?.iter().enumerate() {
            match Certificate::from_element(c) {
                Ok(cert) => certificates.push(cert),
                Err(e) => rejected.push(format!("entry {i}: {e}")),
            }
        }
        Ok(MasterList {
            signed_data,
            version,
            certificates,
            rejected,
        })
    }
}
