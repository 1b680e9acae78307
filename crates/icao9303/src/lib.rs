//! # icao9303 — read and verify ICAO 9303 eMRTD chips
//!
//! This crate implements the protocols of ICAO Doc 9303 (parts 10 and 11) and BSI TR-03110 that a terminal
//! needs to read an electronic passport, ID card or UK Biometric Residence Permit:
//! access control (BAC, PACE), secure messaging, reading and parsing the LDS files, passive authentication
//! and chip authenticity checks.
//!
//! It does no I/O of its own: a [`transport::Transport`] carries APDUs to the chip (PC/SC, a phone's NFC
//! stack, the software emulator or a recorded trace), and randomness comes from an injected RNG.
//!
//! ```no_run
//! use icao9303::{mrz::MrzKey, reader::Reader, access::Password};
//! # fn demo<T: icao9303::transport::Transport>(transport: T, rng: &mut impl rand_core::CryptoRng) -> Result<(), icao9303::Error> {
//! let key = MrzKey::new("ZU3847562", "880314", "340313")?;
//! let mut reader = Reader::new(transport);
//! reader.authenticate(&Password::Mrz(key), rng)?;
//! let (document, report) = reader.read_document()?;
//! println!("{}", report.summary());
//! # Ok(()) }
//! ```

pub mod access;
pub mod apdu;
pub mod asn1;
pub mod auth;
pub mod channel;
pub mod crypto;
pub mod document;
pub mod dtc;
pub mod error;
pub mod lds;
pub mod mrz;
pub mod options;
pub mod pki;
mod read_plan;
pub mod read_stats;
pub mod reader;
pub mod report;
mod session;
pub mod sm;
pub mod tlv;
pub mod trace;
pub mod transport;
pub mod verify;

pub use error::Error;
