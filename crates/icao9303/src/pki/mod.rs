//! Passive authentication: CMS SignedData verification, certificate chains, CSCA master lists, CRLs, trust store.

pub mod ber;
pub mod cms;
