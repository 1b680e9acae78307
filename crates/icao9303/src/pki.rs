//! Passive authentication: CMS SignedData verification, certificate chains, CSCA master lists, CRLs, trust store.
