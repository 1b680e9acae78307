//! # icao9303 — read and verify ICAO 9303 eMRTD chips
//!
//! This crate implements the protocols of ICAO Doc 9303 (parts 10 and 11) and BSI TR-03110 that a terminal
//! needs to read an electronic passport, ID card or UK Biometric Residence Permit:
//! access control (BAC, PACE), secure messaging, reading and parsing the LDS files, passive authentication
//! and chip authenticity checks.
//!
//! It does no I/O of its own: a [`Transport`] carries APDUs to the chip (PC/SC, a phone's NFC stack, the
//! software emulator or a recorded trace), and randomness comes from an injected RNG.
//!
//! A read verified against a trust store, with Chip and Active Authentication drawing from the operating
//! system's random generator (run as a test against the software chip of `icao9303-emu`, whose test CSCA
//! stands in for an issuing state's):
//!
//! ```
//! use icao9303::{DocumentResult, MrzKey, Password, Reader, ReaderOptions, TrustStore};
//! use std::sync::Arc;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let chip = icao9303_emu::profile::chip_by_name("brp", |_| {}, None)?.ok_or("no brp chip")?;
//! # let transport = icao9303_emu::transport::EmulatorTransport::new(chip.chip);
//! # let csca_der = chip.csca.ok_or("no test CSCA")?;
//! // The CSCAs you trust: master lists, CSCA certificates and CRLs of the issuing states you accept.
//! let mut trust = TrustStore::builder();
//! trust.add_certificate(&csca_der, "the issuing state's CSCA")?;
//! let options = ReaderOptions {
//!     trust: Some(Arc::new(trust.build())),
//!     ..ReaderOptions::default()
//! };
//! // The operating system's random generator (getrandom 0.4, feature `sys_rng`): PACE, Chip and
//! // Active Authentication draw their challenges and keys from it.
//! let mut rng = rand_core::UnwrapErr(getrandom::SysRng);
//! let mut reader = Reader::with_options(transport, options); // any Transport: PC/SC, NFC, ...
//! let key = MrzKey::new("ZU3847562", "880314", "340313")?;
//! reader.authenticate(&Password::Mrz(key), &mut rng)?;
//! // Every data group EF.SOD lists, Chip and Active Authentication, passive authentication.
//! let (document, report) = reader.read_document_with_rng(&mut rng)?;
//! assert_eq!(report.verdict.result, DocumentResult::Verified);
//! println!("{}: {}", report.summary(), report.verdict.reasons.join("; "));
//! # let _ = document;
//! # Ok(()) }
//! ```
//!
//! ## Layers
//!
//! - **The embedding API, at the crate root**: [`Reader`] (a session with one chip) configured by
//!   [`ReaderOptions`] over a [`Transport`], unlocked with a [`Password`] (from an [`MrzKey`] or a CAN);
//!   it returns a [`Document`] (the files read, raw and parsed) and a [`Report`] (one [`Check`] per
//!   [`CheckId`] with its [`CheckStatus`], and a [`DocumentVerdict`] whose [`DocumentResult`] is the
//!   answer). [`TrustStore`] holds the CSCAs and CRLs passive authentication trusts; [`Mrz`] parses a
//!   printed machine-readable zone; every failure is an [`Error`].
//! - **The LDS types in [`lds`]**: one module per file of ICAO 9303-10 (EF.COM, EF.SOD, DG1…DG16,
//!   SecurityInfos, biometric templates, images), each parser following [`lds::LdsElement`].
//! - **The PKI in [`pki`]**: X.509 certificates, CRLs, master lists, CMS, passive authentication, CV
//!   certificates; offline verification of saved files through [`verify`] and Digital Travel Credentials
//!   through [`dtc`]; APDU traces through [`trace`].
//! - **The card-side building blocks** (APDUs, secure messaging, the cipher suites, the channel the
//!   protocols talk through) are public only with the `chip` cargo feature, for the card emulator and
//!   the fuzzers; an embedding application does not need them.

/// Declares the card-side building blocks: public with the `chip` feature (for the card emulator and the
/// fuzzers), crate-private without it (the reader uses them; an embedding application does not).
macro_rules! chip_modules {
    ($($name:ident),* $(,)?) => {
        $(
            #[cfg(feature = "chip")]
            pub mod $name;
            #[cfg(not(feature = "chip"))]
            #[allow(dead_code, unused_imports)]
            pub(crate) mod $name;
        )*
    };
}

/// Declares an item `pub` with the `chip` feature and `pub(crate)` without it: the terminal-side protocol
/// steps that run over a [`channel::Channel`] or hand back a [`sm::SecureMessaging`] session. The reader
/// runs them for an application; the emulator's and the library's tests drive them one by one.
macro_rules! chip_pub {
    ($(#[$meta:meta])* pub $($item:tt)*) => {
        $(#[$meta])*
        #[cfg(feature = "chip")]
        pub $($item)*
        $(#[$meta])*
        #[cfg(not(feature = "chip"))]
        #[allow(dead_code)]
        pub(crate) $($item)*
    };
}

chip_modules!(channel, sm, tlv);

pub mod access;
pub mod apdu;
pub mod asn1;
pub mod auth;
pub mod batch;
pub mod crypto;
pub mod document;
pub mod dtc;
pub mod error;
pub mod jsonl;
pub mod lds;
pub mod mrz;
pub mod options;
pub mod pki;
mod read_plan;
pub mod read_stats;
pub mod reader;
pub mod report;
mod session;
pub mod trace;
pub mod transport;
pub mod verify;

pub use access::Password;
pub use document::Document;
pub use error::Error;
pub use mrz::{Mrz, MrzKey};
pub use options::ReaderOptions;
pub use pki::TrustStore;
pub use reader::Reader;
pub use report::{Check, CheckId, CheckStatus, DocumentResult, DocumentVerdict, Report};
pub use transport::Transport;
