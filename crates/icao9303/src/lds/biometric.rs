//! DG3 and DG4 (fingerprint and iris biometric information templates): structure only.
