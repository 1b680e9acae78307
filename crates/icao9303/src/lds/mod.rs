//! The Logical Data Structure (ICAO 9303-10): file identifiers and the parsers of each file.

pub mod atr_info;
pub mod biometric;
pub mod com;
pub mod decoded;
pub mod dg1;
pub mod dg11;
pub mod dg12;
pub mod dg13;
pub mod dg15;
pub mod dg16;
pub mod dg2;
pub mod dg3;
pub mod dg4;
pub mod displayed_image;
pub mod ef_dir;
pub mod error;
pub mod face;
pub mod file;
pub mod finger;
pub mod image;
pub mod iris;
pub mod modality;
pub mod security_infos;
pub mod sod;
pub mod wsq;
pub use file::LdsFile;
