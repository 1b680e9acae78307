//! The Logical Data Structure (ICAO 9303-10): file identifiers and the parsers of each file.

pub mod com;
pub mod dg1;
pub mod sod;
