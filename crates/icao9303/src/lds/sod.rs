//! sod
