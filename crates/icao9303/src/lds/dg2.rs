//! DG2: encoded face (biometric information template group).
