//! The PKI parsers on arbitrary bytes: CMS SignedData, X.509 certificates (DER or PEM), CRLs, CSCA master
//! lists, and passive authentication of an EF.SOD against an empty trust store.
#![no_main]
use icao9303::pki::{self, Certificate, Crl, MasterList, Time, TrustStore};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static STORE: OnceLock<TrustStore> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let store = STORE.get_or_init(TrustStore::new);
    let _ = pki::cms::SignedData::from_content_info(data);
    let _ = Certificate::from_der(data);
    let _ = pki::certificate::certificates_from_der_or_pem(data);
    let _ = Crl::from_der(data);
    let _ = MasterList::parse(data);
    let report = pki::verify_sod(data, store, Time::from_ymd(2026, 1, 1), Some("GBR"));
    let _ = report.passed();
});
