//! Passwords for access control (ICAO 9303-11 section 9.7.3): the MRZ key and the Card Access Number.

use crate::mrz::MrzKey;
use sha1::{Digest, Sha1};
use std::fmt;
use zeroize::Zeroizing;

/// The secret a terminal proves it knows: the MRZ key or the CAN printed on the document.
#[derive(Clone)]
pub enum Password {
    /// Document number, date of birth and date of expiry from the MRZ.
    Mrz(MrzKey),
    /// The Card Access Number (six digits on ID cards and BRPs).
    Can(Zeroizing<String>),
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Password::{}(<redacted>)", self.kind())
    }
}

impl Password {
    /// A CAN password; it must be decimal digits.
    pub fn can(can: &str) -> Result<Password, crate::Error> {
        let can = can.trim();
        if can.is_empty() || !can.bytes().all(|b| b.is_ascii_digit()) {
            return Err(crate::Error::Usage(
                "the CAN must be decimal digits (six on most documents)".into(),
            ));
        }
        Ok(Password::Can(Zeroizing::new(can.to_string())))
    }

    /// "MRZ" or "CAN": what the user should check when access is denied.
    pub fn kind(&self) -> &'static str {
        match self {
            Password::Mrz(_) => "MRZ",
            Password::Can(_) => "CAN",
        }
    }

    /// The PACE password reference (MSE:Set AT tag 83): 1 for the MRZ, 2 for the CAN.
    pub fn pace_reference(&self) -> u8 {
        match self {
            Password::Mrz(_) => 1,
            Password::Can(_) => 2,
        }
    }

    /// The PACE key seed K: SHA-1(MRZ_information) for the MRZ, the CAN's ASCII bytes for the CAN.
    pub fn pace_key_seed(&self) -> Zeroizing<Vec<u8>> {
        match self {
            Password::Mrz(key) => Zeroizing::new(Sha1::digest(&*key.mrz_information()).to_vec()),
            Password::Can(can) => Zeroizing::new(can.as_bytes().to_vec()),
        }
    }
}
