//! A software eMRTD chip for tests and demonstrations.
//!
//! It plays the card side of the protocols the `icao9303` crate implements — file system, BAC, secure
//! messaging, READ BINARY rules and access conditions — on documents personalised from built-in
//! [`profile::Profile`]s with synthetic holder data and a generated test PKI.
//!
//! ```
//! use icao9303::{access::Password, reader::Reader};
//! use icao9303_emu::{profile::Profile, rng::SeededRng, transport::EmulatorTransport};
//!
//! let profile = Profile::brp();
//! let card = profile.personalize().unwrap();
//! let mut reader = Reader::new(EmulatorTransport::new(card.chip));
//! reader.authenticate(&Password::Mrz(profile.mrz_key().unwrap()), &mut SeededRng::new(b"terminal")).unwrap();
//! let (document, report) = reader.read_document().unwrap();
//! assert!(!report.has_failures());
//! assert_eq!(document.dg1.unwrap().mrz.document_number, "ZU3847562");
//! ```

pub mod aa;
pub mod bsi;
pub mod ca;
pub mod chip;
pub mod conformance;
pub mod corpus;
pub mod dump;
pub mod eac_pki;
pub mod fault;
pub mod fs;
pub mod link;
pub mod pace;
pub mod pki;
pub mod profile;
pub mod rng;
pub mod stats;
pub mod ta;
pub mod transport;
pub mod vpcd;
