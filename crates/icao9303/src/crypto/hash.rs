//! Hash algorithms named in EF.SOD and certificates (SHA-1, SHA-224, SHA-256, SHA-384, SHA-512).
