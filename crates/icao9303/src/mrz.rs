//! mrz
