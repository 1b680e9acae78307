//! A software eMRTD chip for tests and demonstrations.

pub mod pace;
