//! OBJECT IDENTIFIER values: parsed from dotted text (also in `const` items), decoded from and encoded to
//! their content octets (X.690 section 8.19), formatted back to dotted text.

use std::fmt;
use std::str::FromStr;

/// The longest OID encoding accepted, in content octets (the longest standard OIDs take about 20).
const MAX_LEN: usize = 63;

/// Why a dotted string or an encoding is not an OBJECT IDENTIFIER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("invalid OBJECT IDENTIFIER: {0}")]
pub struct OidError(pub &'static str);

/// An OBJECT IDENTIFIER, held as its DER content octets (`2A 86 48 86 F7 0D 01 01 01` for
/// `1.2.840.113549.1.1.1`). Compares, hashes and orders by those octets; displays as dotted text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectIdentifier {
    len: u8,
    bytes: [u8; MAX_LEN],
}

/// Appends `v` in base 128 (high groups first, continuation bit on all but the last) at `out[*len..]`.
const fn push_base128(v: u64, out: &mut [u8; MAX_LEN], len: &mut usize) -> Result<(), OidError> {
    let mut groups = 1;
    while groups < 10 && (v >> (7 * groups)) != 0 {
        groups += 1;
    }
    if *len + groups > MAX_LEN {
        return Err(OidError("longer than 63 octets"));
    }
    let mut k = groups;
    while k > 0 {
        k -= 1;
        let mut b = ((v >> (7 * k)) & 0x7F) as u8;
        if k > 0 {
            b |= 0x80;
        }
        out[*len] = b;
        *len += 1;
    }
    Ok(())
}

impl ObjectIdentifier {
    /// Parses dotted text (`"2.23.136.1.1.1"`): at least two arcs, the first 0, 1 or 2, the second below 40
    /// under 0 and 1, arcs up to 2^64 − 1 without leading zeros.
    pub const fn parse(dotted: &str) -> Result<Self, OidError> {
        let b = dotted.as_bytes();
        let mut bytes = [0u8; MAX_LEN];
        let mut len = 0usize;
        let mut i = 0usize;
        let mut arc_index = 0usize;
        let mut first = 0u64;
        while i <= b.len() {
            let start = i;
            let mut v = 0u64;
            while i < b.len() && b[i] != b'.' {
                let d = b[i];
                if !d.is_ascii_digit() {
                    return Err(OidError("not digits and dots"));
                }
                v = match v.checked_mul(10) {
                    Some(x) => match x.checked_add((d - b'0') as u64) {
                        Some(y) => y,
                        None => return Err(OidError("arc larger than 64 bits")),
                    },
                    None => return Err(OidError("arc larger than 64 bits")),
                };
                i += 1;
            }
            if i == start {
                return Err(OidError("empty arc"));
            }
            if b[start] == b'0' && i - start > 1 {
                return Err(OidError("arc with a leading zero"));
            }
            match arc_index {
                0 => {
                    if v > 2 {
                        return Err(OidError("first arc is not 0, 1 or 2"));
                    }
                    first = v;
                }
                1 => {
                    if first < 2 && v >= 40 {
                        return Err(OidError("second arc is 40 or more under 0 or 1"));
                    }
                    let sub = match (first * 40).checked_add(v) {
                        Some(s) => s,
                        None => return Err(OidError("arc larger than 64 bits")),
                    };
                    if let Err(e) = push_base128(sub, &mut bytes, &mut len) {
                        return Err(e);
                    }
                }
                _ => {
                    if let Err(e) = push_base128(v, &mut bytes, &mut len) {
                        return Err(e);
                    }
                }
            }
            arc_index += 1;
            i += 1;
        }
        if arc_index < 2 {
            return Err(OidError("fewer than two arcs"));
        }
        Ok(ObjectIdentifier {
            len: len as u8,
            bytes,
        })
    }

    /// Parses dotted text in a `const` item; an invalid string stops the build (or panics at run time).
    pub const fn new_unwrap(dotted: &str) -> Self {
        match Self::parse(dotted) {
            Ok(oid) => oid,
            Err(_) => panic!("invalid OBJECT IDENTIFIER"),
        }
    }

    /// Parses dotted text (same as [`ObjectIdentifier::parse`]).
    pub fn new(dotted: &str) -> Result<Self, OidError> {
        Self::parse(dotted)
    }

    /// Decodes the content octets of an OBJECT IDENTIFIER: non-empty, every subidentifier minimal (no
    /// leading `80`), at most 128 bits and complete.
    pub fn from_bytes(content: &[u8]) -> Result<Self, OidError> {
        if content.is_empty() {
            return Err(OidError("empty"));
        }
        if content.len() > MAX_LEN {
            return Err(OidError("longer than 63 octets"));
        }
        Subidentifiers(content).try_for_each(|s| s.map(|_| ()))?;
        let mut bytes = [0u8; MAX_LEN];
        bytes[..content.len()].copy_from_slice(content);
        Ok(ObjectIdentifier {
            len: content.len() as u8,
            bytes,
        })
    }

    /// The content octets (without tag and length).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// The subidentifiers of valid or unchecked content octets.
struct Subidentifiers<'a>(&'a [u8]);

impl Iterator for Subidentifiers<'_> {
    type Item = Result<u128, OidError>;

    fn next(&mut self) -> Option<Self::Item> {
        let first = *self.0.first()?;
        if first == 0x80 {
            self.0 = &[];
            return Some(Err(OidError("subidentifier with a leading 80")));
        }
        let mut v = 0u128;
        for (i, b) in self.0.iter().enumerate() {
            if v >> 121 != 0 {
                self.0 = &[];
                return Some(Err(OidError("subidentifier larger than 128 bits")));
            }
            v = (v << 7) | u128::from(b & 0x7F);
            if b & 0x80 == 0 {
                self.0 = &self.0[i + 1..];
                return Some(Ok(v));
            }
        }
        self.0 = &[];
        Some(Err(OidError("last subidentifier incomplete")))
    }
}

impl fmt::Display for ObjectIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, sub) in Subidentifiers(self.as_bytes()).enumerate() {
            // The constructors validated the encoding; an arc that cannot be read shows as `?` rather
            // than failing the formatter (which would make `to_string` panic).
            let Ok(sub) = sub else {
                return f.write_str(if i == 0 { "?" } else { ".?" });
            };
            if i == 0 {
                let (a, b) = match sub {
                    0..40 => (0, sub),
                    40..80 => (1, sub - 40),
                    _ => (2, sub - 80),
                };
                write!(f, "{a}.{b}")?;
            } else {
                write!(f, ".{sub}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for ObjectIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectIdentifier({self})")
    }
}

impl FromStr for ObjectIdentifier {
    type Err = OidError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

    #[test]
    fn known_values_encode_and_format() {
        let cases = [
            ("1.2.840.113549.1.1.1", "2A864886F70D010101"),
            ("2.23.136.1.1.1", "678108010101"),
            ("0.4.0.127.0.7.2.2.4.2.2", "04007F0007020204020 2"),
            ("1.3.36.3.3.2.8.1.1.7", "2B2403030208010107"),
            ("2.5.29.19", "551D13"),
            ("1.2.840.10045.3.1.7", "2A8648CE3D030107"),
            ("1.3.14.3.2.26", "2B0E03021A"),
            ("2.999.3", "883703"),
            ("0.0", "00"),
            (
                "2.25.329800735698586629295641978511506172918",
                "6983F09DA7EBCFDEE0C7A1A7B2C0948CC8F9D776",
            ),
        ];
        for (dotted, hex) in cases {
            let bytes = hex::decode(hex.replace(' ', "")).unwrap();
            let oid = ObjectIdentifier::new(dotted);
            if dotted.starts_with("2.25.") {
                // An arc beyond 64 bits: decoded and displayed, not parsed from text.
                assert!(oid.is_err());
            } else {
                assert_eq!(oid.unwrap().as_bytes(), &bytes[..], "{dotted}");
            }
            let decoded = ObjectIdentifier::from_bytes(&bytes).unwrap();
            assert_eq!(decoded.to_string(), dotted);
        }
        assert_eq!(RSA, ObjectIdentifier::from_bytes(RSA.as_bytes()).unwrap());
        assert_eq!(format!("{RSA:?}"), "ObjectIdentifier(1.2.840.113549.1.1.1)");
        assert_eq!(
            "1.2.840.113549.1.1.1".parse::<ObjectIdentifier>().unwrap(),
            RSA
        );
    }

    #[test]
    fn invalid_text() {
        for bad in [
            "",
            "1",
            "1.",
            ".1",
            "1..2",
            "3.1",
            "1.40",
            "0.40",
            "1.2.x",
            "1.02",
            "1.2.18446744073709551616",
        ] {
            assert!(ObjectIdentifier::new(bad).is_err(), "{bad:?}");
        }
        assert!(ObjectIdentifier::new("2.40").is_ok());
        let long = format!("1.2{}", ".1000000".repeat(30));
        assert!(ObjectIdentifier::new(&long).is_err());
    }

    #[test]
    fn invalid_encodings() {
        for bad in [
            &[][..],
            &[0x2A, 0x86],
            &[0x80, 0x01],
            &[0x2A, 0x80, 0x01],
            &[0xFF; 20],
            &[0x01; 64],
        ] {
            assert!(ObjectIdentifier::from_bytes(bad).is_err(), "{bad:02X?}");
        }
    }
}
