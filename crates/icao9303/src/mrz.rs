//! Machine Readable Zone (placeholder until the full parser lands): the MRZ key used by BAC and PACE.

use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// An invalid MRZ or MRZ key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    /// The key material is not valid.
    #[error("invalid MRZ key: {0}")]
    InvalidKey(String),
}

/// ICAO 9303-3 check digit over `field` (weights 7, 3, 1).
pub fn check_digit(field: &str) -> Result<u8, MrzError> {
    let mut sum = 0u32;
    for (i, c) in field.chars().enumerate() {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            '<' => 0,
            _ => return Err(MrzError::InvalidKey(format!("character {c:?}"))),
        };
        sum += v * [7, 3, 1][i % 3];
    }
    Ok((sum % 10) as u8)
}

/// The document number, date of birth and date of expiry: the MRZ part that keys BAC and PACE.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MrzKey {
    document_number: String,
    date_of_birth: String,
    date_of_expiry: String,
}

impl fmt::Debug for MrzKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MrzKey(<redacted>)")
    }
}

impl MrzKey {
    /// Key material from the three MRZ fields.
    pub fn new(
        document_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<MrzKey, MrzError> {
        let doc = document_number
            .trim()
            .to_ascii_uppercase()
            .trim_end_matches('<')
            .to_string();
        for (v, name) in [
            (&doc, "document number"),
            (&date_of_birth.to_string(), "date of birth"),
            (&date_of_expiry.to_string(), "date of expiry"),
        ] {
            check_digit(v)
                .map_err(|_| MrzError::InvalidKey(format!("{name} has invalid characters")))?;
        }
        Ok(MrzKey {
            document_number: doc,
            date_of_birth: date_of_birth.into(),
            date_of_expiry: date_of_expiry.into(),
        })
    }

    /// MRZ_information: document number (padded to 9), check digit, date of birth, check, date of expiry, check.
    pub fn mrz_information(&self) -> Zeroizing<Vec<u8>> {
        let mut doc = self.document_number.clone();
        while doc.len() < 9 {
            doc.push('<');
        }
        let mut s = String::new();
        for f in [&doc, &self.date_of_birth, &self.date_of_expiry] {
            s.push_str(f);
            s.push(char::from(b'0' + check_digit(f).unwrap_or(0)));
        }
        Zeroizing::new(s.into_bytes())
    }

    /// The document number.
    pub fn document_number(&self) -> &str {
        &self.document_number
    }
}
