//! Card-verifiable (CV) certificates of Extended Access Control (BSI TR-03110-3 Appendix C and D, ICAO
//! 9303-11 section 7.1): the certificates a terminal sends to the chip for Terminal Authentication.
//!
//! ```text
//! 7F21  CV Certificate
//!  ├─ 7F4E  Certificate Body                 the signature covers this whole TLV (tag, length, value)
//!  │   ├─ 5F29  Certificate Profile Identifier   00
//!  │   ├─ 42    Certification Authority Reference (CAR)
//!  │   ├─ 7F49  Public Key                   OID and key (see [`key`])
//!  │   ├─ 5F20  Certificate Holder Reference (CHR)
//!  │   ├─ 7F4C  Certificate Holder Authorization Template (CHAT)
//!  │   ├─ 5F25  Certificate Effective Date   YYMMDD, one digit per byte
//!  │   ├─ 5F24  Certificate Expiration Date
//!  │   └─ 65    Certificate Extensions       optional
//!  └─ 5F37  Signature                        plain r‖s (ECDSA) or the RSA signature
//! ```
//!
//! Parsing is strict: the fields must come in this order, and the certificate must be the DER encoding of
//! its fields, so [`CvCertificate::encode`] gives back exactly the parsed bytes. The signature is always
//! checked over the bytes as received ([`CvCertificate::signed_data`]).
//!
//! [`key`] holds the public keys and signature algorithms, [`request`] certificate requests, [`chain`]
//! chain selection and verification for a terminal, and [`issue`] certificate issuing.

pub mod chain;
pub mod issue;
pub mod key;
pub mod private_key;
pub mod request;

use crate::tlv::{self, Tag, Tlv, TlvError};
use std::fmt;
use thiserror::Error;

pub use key::{CvKey, CvPublicKey, EcDomainParameters, TaAlgorithm};

/// Tag of a CV certificate.
pub const TAG_CV_CERTIFICATE: Tag = 0x7F21;
/// Tag of the certificate body.
pub const TAG_BODY: Tag = 0x7F4E;
/// Tag of the Certificate Profile Identifier.
pub const TAG_CPI: Tag = 0x5F29;
/// Tag of the Certification Authority Reference.
pub const TAG_CAR: Tag = 0x42;
/// Tag of the public key.
pub const TAG_PUBLIC_KEY: Tag = 0x7F49;
/// Tag of the Certificate Holder Reference.
pub const TAG_CHR: Tag = 0x5F20;
/// Tag of the Certificate Holder Authorization Template.
pub const TAG_CHAT: Tag = 0x7F4C;
/// Tag of the certificate effective date.
pub const TAG_EFFECTIVE_DATE: Tag = 0x5F25;
/// Tag of the certificate expiration date.
pub const TAG_EXPIRATION_DATE: Tag = 0x5F24;
/// Tag of the certificate extensions.
pub const TAG_EXTENSIONS: Tag = 0x65;
/// Tag of a discretionary data template (one extension).
pub const TAG_DISCRETIONARY_TEMPLATE: Tag = 0x73;
/// Tag of the signature.
pub const TAG_SIGNATURE: Tag = 0x5F37;
/// Tag of the relative authorization inside the CHAT (discretionary data).
pub const TAG_AUTHORIZATION: Tag = 0x53;
/// Tag of an object identifier.
pub const TAG_OID: Tag = 0x06;

/// `id-IS` (0.4.0.127.0.7.3.1.2.1): the CHAT terminal type of ePassport inspection systems, encoded.
pub const ID_IS: [u8; 9] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x03, 0x01, 0x02, 0x01];
/// `id-AT` (0.4.0.127.0.7.3.1.2.2): authentication terminals (eID), encoded.
pub const ID_AT: [u8; 9] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x03, 0x01, 0x02, 0x02];
/// `id-ST` (0.4.0.127.0.7.3.1.2.3): signature terminals, encoded.
pub const ID_ST: [u8; 9] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x03, 0x01, 0x02, 0x03];

/// Largest CV certificate or request accepted (the largest real ones, RSA-3072 CVCAs, are about 1 KB).
pub const MAX_CERTIFICATE_LEN: usize = 4096;

/// What is wrong with a CV certificate, a certificate request or one of their fields.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CvcError {
    /// A TLV structure could not be decoded.
    #[error("{context}: {source}")]
    Tlv {
        /// Which structure was being decoded.
        context: &'static str,
        /// The decoding error.
        source: TlvError,
    },
    /// A required data object is missing, or another one is in its place.
    #[error("{context}: expected {expected} (tag {tag:X}), found {found}")]
    Field {
        /// Which structure was being decoded.
        context: &'static str,
        /// The expected field's name.
        expected: &'static str,
        /// The expected field's tag.
        tag: Tag,
        /// What was there instead ("tag 5F24", "the end").
        found: String,
    },
    /// A field's value is not allowed.
    #[error("{field}: {what}")]
    InvalidField {
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        what: String,
    },
    /// The encoding is valid BER but not the DER the specification requires (non-minimal lengths,
    /// padding between objects), so it would not round-trip.
    #[error("{0}: not a DER encoding (non-minimal length or padding)")]
    NotDer(&'static str),
    /// The public key's OID names no signature algorithm of Terminal Authentication.
    #[error("unsupported public key algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// A public key that cannot be used (malformed, unknown curve, missing domain parameters).
    #[error("public key: {0}")]
    Key(String),
    /// A signature that is malformed or does not verify.
    #[error("signature of {holder}: {what}")]
    Signature {
        /// The CHR of the certificate (or request) whose signature failed.
        holder: String,
        /// What went wrong.
        what: String,
    },
    /// The input is longer than any real certificate.
    #[error("{context}: {len} bytes is more than the {MAX_CERTIFICATE_LEN}-byte limit")]
    TooLong {
        /// What was being decoded.
        context: &'static str,
        /// Its length.
        len: usize,
    },
}

impl CvcError {
    pub(crate) fn tlv(context: &'static str) -> impl Fn(TlvError) -> CvcError {
        move |source| CvcError::Tlv { context, source }
    }

    /// An [`CvcError::InvalidField`] for `field`.
    pub fn invalid(field: &'static str, what: impl Into<String>) -> CvcError {
        CvcError::InvalidField {
            field,
            what: what.into(),
        }
    }
}

/// The data objects of a constructed value, taken in the order the specification fixes.
pub(crate) struct Fields<'a> {
    context: &'static str,
    items: std::vec::IntoIter<Tlv<'a>>,
    peeked: Option<Tlv<'a>>,
}

impl<'a> Fields<'a> {
    /// The children of `value`; `context` names the structure in errors.
    pub(crate) fn new(context: &'static str, value: &'a [u8]) -> Result<Fields<'a>, CvcError> {
        let items = tlv::parse_all(value).map_err(CvcError::tlv(context))?;
        let mut items = items.into_iter();
        let peeked = items.next();
        Ok(Fields {
            context,
            items,
            peeked,
        })
    }

    fn describe(t: Option<&Tlv<'_>>) -> String {
        match t {
            Some(t) => format!("tag {:X}", t.tag),
            None => "the end".into(),
        }
    }

    /// The next object, which must carry `tag`.
    pub(crate) fn take(&mut self, tag: Tag, name: &'static str) -> Result<Tlv<'a>, CvcError> {
        match self.optional(tag) {
            Some(t) => Ok(t),
            None => Err(CvcError::Field {
                context: self.context,
                expected: name,
                tag,
                found: Self::describe(self.peeked.as_ref()),
            }),
        }
    }

    /// The next object if it carries `tag`.
    pub(crate) fn optional(&mut self, tag: Tag) -> Option<Tlv<'a>> {
        if self.peeked.as_ref().is_some_and(|t| t.tag == tag) {
            let t = self.peeked.take();
            self.peeked = self.items.next();
            t
        } else {
            None
        }
    }

    /// Fails when objects are left over.
    pub(crate) fn finish(self) -> Result<(), CvcError> {
        match self.peeked {
            None => Ok(()),
            Some(t) => Err(CvcError::InvalidField {
                field: self.context,
                what: format!("unexpected data object with tag {:X}", t.tag),
            }),
        }
    }
}

/// A Certification Authority Reference or Certificate Holder Reference (TR-03110-3 Table 12 / A.6.1):
/// country code (2 characters), holder mnemonic (up to 9) and sequence number (5), at most 16 ISO 8859-1
/// characters, for example `DETESTIS00001`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CertificateReference(String);

impl CertificateReference {
    /// A reference from its text: 1 to 16 characters, no control characters (0x00–0x1F, 0x7F–0x9F),
    /// all in ISO 8859-1.
    pub fn new(text: &str) -> Result<CertificateReference, CvcError> {
        let bytes: Option<Vec<u8>> = text.chars().map(|c| u8::try_from(c).ok()).collect();
        let bytes = bytes.ok_or_else(|| {
            CvcError::invalid("certificate reference", "a character outside ISO 8859-1")
        })?;
        Self::from_bytes("certificate reference", &bytes)
    }

    /// A reference from the value of a `42` or `5F20` data object; `field` names it in errors.
    pub fn from_bytes(field: &'static str, bytes: &[u8]) -> Result<CertificateReference, CvcError> {
        if bytes.is_empty() || bytes.len() > 16 {
            return Err(CvcError::invalid(
                field,
                format!("{} characters (1 to 16 allowed)", bytes.len()),
            ));
        }
        if let Some(b) = bytes
            .iter()
            .find(|b| matches!(b, 0x00..=0x1F | 0x7F..=0x9F))
        {
            return Err(CvcError::invalid(
                field,
                format!("control character {b:02X} is not allowed"),
            ));
        }
        Ok(CertificateReference(
            bytes.iter().map(|b| char::from(*b)).collect(),
        ))
    }

    /// The reference as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ISO 8859-1 bytes (the value of the data object).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Every character was checked to be in ISO 8859-1 when the reference was built.
        self.0.chars().map(|c| c as u32 as u8).collect()
    }

    /// The country code: the first two characters.
    pub fn country_code(&self) -> &str {
        self.0.get(..2).unwrap_or(&self.0)
    }

    /// The sequence number: the last five characters (when the reference is long enough to hold one).
    pub fn sequence_number(&self) -> &str {
        let n = self.0.chars().count();
        if n < 8 {
            return "";
        }
        let start = self.0.char_indices().nth(n - 5).map_or(0, |(i, _)| i);
        &self.0[start..]
    }

    /// The holder mnemonic: what lies between the country code and the sequence number.
    pub fn holder_mnemonic(&self) -> &str {
        let n = self.0.chars().count();
        if n < 8 {
            return "";
        }
        let end = self.0.char_indices().nth(n - 5).map_or(0, |(i, _)| i);
        self.0.get(2..end).unwrap_or("")
    }
}

impl fmt::Display for CertificateReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A certificate date (TR-03110-3 D.2.1.3): a day in GMT, encoded as six bytes `Y Y M M D D`, one decimal
/// digit per byte, year 20YY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CvDate {
    year: u16,
    month: u8,
    day: u8,
}

impl CvDate {
    /// A date between 2000-01-01 and 2099-12-31.
    pub fn new(year: u16, month: u8, day: u8) -> Result<CvDate, CvcError> {
        if !(2000..=2099).contains(&year) {
            return Err(CvcError::invalid(
                "date",
                format!("year {year} outside 2000–2099"),
            ));
        }
        let leap = year.is_multiple_of(4); // 2000 is a leap year; 2100 is outside the range
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => {
                return Err(CvcError::invalid("date", format!("month {month}")));
            }
        };
        if day == 0 || day > days {
            return Err(CvcError::invalid(
                "date",
                format!("day {day} of {year}-{month:02}"),
            ));
        }
        Ok(CvDate { year, month, day })
    }

    /// Decodes the six digit bytes of `5F25` / `5F24`; `field` names the date in errors.
    pub fn from_bytes(field: &'static str, bytes: &[u8]) -> Result<CvDate, CvcError> {
        let digits: [u8; 6] = bytes
            .try_into()
            .map_err(|_| CvcError::invalid(field, format!("{} bytes (6 expected)", bytes.len())))?;
        if digits.iter().any(|d| *d > 9) {
            return Err(CvcError::invalid(
                field,
                format!("{} is not six digits", hex_string(bytes)),
            ));
        }
        let [y1, y2, m1, m2, d1, d2] = digits;
        CvDate::new(2000 + u16::from(y1 * 10 + y2), m1 * 10 + m2, d1 * 10 + d2).map_err(|e| match e
        {
            CvcError::InvalidField { what, .. } => CvcError::InvalidField { field, what },
            other => other,
        })
    }

    /// The six digit bytes.
    pub fn to_bytes(self) -> [u8; 6] {
        let y = (self.year - 2000) as u8;
        [
            y / 10,
            y % 10,
            self.month / 10,
            self.month % 10,
            self.day / 10,
            self.day % 10,
        ]
    }

    /// The year (2000–2099).
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month (1–12).
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The date `days` days later (saturating at 2099-12-31).
    pub fn add_days(self, days: u32) -> CvDate {
        let mut d = self;
        for _ in 0..days {
            d = match CvDate::new(d.year, d.month, d.day + 1)
                .or_else(|_| CvDate::new(d.year, d.month + 1, 1))
                .or_else(|_| CvDate::new(d.year + 1, 1, 1))
            {
                Ok(next) => next,
                Err(_) => return d,
            };
        }
        d
    }

    /// Today's date in UTC from the system clock (the terminal's date; a chip has no clock). `None` when
    /// the clock is before 2000 or after 2099.
    pub fn today() -> Option<CvDate> {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs();
        let days = i64::try_from(secs / 86_400).ok()?;
        let (y, m, d) = civil_from_days(days);
        CvDate::new(u16::try_from(y).ok()?, m, d).ok()
    }
}

/// The proleptic Gregorian date of `days` since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for CvDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for CvDate {
    type Err = CvcError;

    /// Reads `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<CvDate, CvcError> {
        let bad = || CvcError::invalid("date", format!("{s:?} is not YYYY-MM-DD"));
        let mut parts = s.trim().split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        CvDate::new(
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            d.parse().map_err(|_| bad())?,
        )
    }
}

pub(crate) fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The terminal type a CHAT's OID names (TR-03110-3 C.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TerminalType {
    /// `id-IS`: ePassport inspection systems (the only type of Terminal Authentication version 1).
    InspectionSystem,
    /// `id-AT`: authentication terminals (eID, TA version 2).
    AuthenticationTerminal,
    /// `id-ST`: signature terminals (TA version 2).
    SignatureTerminal,
    /// Any other OID.
    Other,
}

impl TerminalType {
    /// The type's short name ("id-IS").
    pub fn name(self) -> &'static str {
        match self {
            TerminalType::InspectionSystem => "id-IS",
            TerminalType::AuthenticationTerminal => "id-AT",
            TerminalType::SignatureTerminal => "id-ST",
            TerminalType::Other => "unknown terminal type",
        }
    }
}

/// The role a CHAT gives its holder: the two most significant bits of the relative authorization
/// (TR-03110-3 Table 20, ICAO 9303-11 Table K-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// `11`: the country verifying CA (CVCA).
    Cvca,
    /// `10`: a document verifier of the issuing state (official domestic DV).
    DvDomestic,
    /// `01`: a document verifier of another state (official foreign / non-official DV).
    DvForeign,
    /// `00`: a terminal (inspection system).
    Terminal,
}

impl Role {
    /// The role's two-bit code.
    pub fn bits(self) -> u8 {
        match self {
            Role::Cvca => 0b11,
            Role::DvDomestic => 0b10,
            Role::DvForeign => 0b01,
            Role::Terminal => 0b00,
        }
    }

    /// A DV of either kind.
    pub fn is_dv(self) -> bool {
        matches!(self, Role::DvDomestic | Role::DvForeign)
    }

    /// How the specification names the role.
    pub fn name(self) -> &'static str {
        match self {
            Role::Cvca => "CVCA",
            Role::DvDomestic => "DV (official domestic)",
            Role::DvForeign => "DV (official foreign)",
            Role::Terminal => "inspection system",
        }
    }
}

/// The ePassport read rights of an inspection system's relative authorization (`id-IS`, one byte:
/// bit 0 DG3 fingerprints, bit 1 DG4 iris; bits 2–5 are RFU and ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AccessRights {
    /// Read access to DG3 (fingerprints).
    pub read_dg3: bool,
    /// Read access to DG4 (iris).
    pub read_dg4: bool,
}

impl AccessRights {
    /// Both DG3 and DG4.
    pub const ALL: AccessRights = AccessRights {
        read_dg3: true,
        read_dg4: true,
    };

    /// The rights of an `id-IS` authorization byte.
    pub fn from_bits(byte: u8) -> AccessRights {
        AccessRights {
            read_dg3: byte & 0x01 != 0,
            read_dg4: byte & 0x02 != 0,
        }
    }

    /// The two right bits of an `id-IS` authorization byte.
    pub fn bits(self) -> u8 {
        u8::from(self.read_dg3) | (u8::from(self.read_dg4) << 1)
    }

    /// Whether the rights allow reading data group `n` (DG3 and DG4 need a right; others need none).
    pub fn allows_dg(self, n: u8) -> bool {
        match n {
            3 => self.read_dg3,
            4 => self.read_dg4,
            _ => true,
        }
    }

    /// "DG3 and DG4", "DG3", "DG4" or "none".
    pub fn describe(self) -> &'static str {
        match (self.read_dg3, self.read_dg4) {
            (true, true) => "DG3 and DG4",
            (true, false) => "DG3",
            (false, true) => "DG4",
            (false, false) => "none",
        }
    }
}

/// A Certificate Holder Authorization Template (`7F4C`): the terminal type OID and the relative
/// authorization, a bit map whose length depends on the type (one byte for `id-IS`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chat {
    /// The terminal type OID, encoded (the value of `06`).
    pub terminal_type_oid: Vec<u8>,
    /// The relative authorization (the value of `53`).
    pub authorization: Vec<u8>,
}

impl Chat {
    /// An `id-IS` CHAT: `role` and the DG3/DG4 read rights.
    pub fn inspection_system(role: Role, rights: AccessRights) -> Chat {
        Chat {
            terminal_type_oid: ID_IS.to_vec(),
            authorization: vec![(role.bits() << 6) | rights.bits()],
        }
    }

    /// Decodes the value of `7F4C`.
    pub fn parse(value: &[u8]) -> Result<Chat, CvcError> {
        let mut f = Fields::new("CHAT", value)?;
        let oid = f.take(TAG_OID, "terminal type OID")?;
        let auth = f.take(TAG_AUTHORIZATION, "relative authorization")?;
        f.finish()?;
        if oid.value.is_empty() {
            return Err(CvcError::invalid("CHAT", "empty terminal type OID"));
        }
        if auth.value.is_empty() {
            return Err(CvcError::invalid("CHAT", "empty relative authorization"));
        }
        let chat = Chat {
            terminal_type_oid: oid.value.to_vec(),
            authorization: auth.value.to_vec(),
        };
        if chat.terminal_type() == TerminalType::InspectionSystem && chat.authorization.len() != 1 {
            return Err(CvcError::invalid(
                "CHAT",
                format!(
                    "id-IS relative authorization of {} bytes (1 expected)",
                    chat.authorization.len()
                ),
            ));
        }
        Ok(chat)
    }

    /// The `7F4C` TLV.
    pub fn encode(&self) -> Vec<u8> {
        tlv::encode_constructed(
            TAG_CHAT,
            &[
                tlv::encode(TAG_OID, &self.terminal_type_oid),
                tlv::encode(TAG_AUTHORIZATION, &self.authorization),
            ],
        )
    }

    /// The terminal type.
    pub fn terminal_type(&self) -> TerminalType {
        match self.terminal_type_oid.as_slice() {
            o if o == ID_IS => TerminalType::InspectionSystem,
            o if o == ID_AT => TerminalType::AuthenticationTerminal,
            o if o == ID_ST => TerminalType::SignatureTerminal,
            _ => TerminalType::Other,
        }
    }

    /// The role: the two most significant bits of the authorization.
    pub fn role(&self) -> Role {
        match self.authorization.first().map_or(0, |b| b >> 6) {
            0b11 => Role::Cvca,
            0b10 => Role::DvDomestic,
            0b01 => Role::DvForeign,
            _ => Role::Terminal,
        }
    }

    /// The DG3/DG4 read rights of an `id-IS` CHAT; none for other terminal types.
    pub fn access_rights(&self) -> AccessRights {
        match (self.terminal_type(), self.authorization.as_slice()) {
            (TerminalType::InspectionSystem, [byte]) => AccessRights::from_bits(*byte),
            _ => AccessRights::default(),
        }
    }

    /// The bitwise AND with `other` (the effective authorization of a chain is the AND of its CHATs).
    /// `None` when the terminal types or the lengths differ.
    pub fn intersect(&self, other: &Chat) -> Option<Chat> {
        if self.terminal_type_oid != other.terminal_type_oid
            || self.authorization.len() != other.authorization.len()
        {
            return None;
        }
        Some(Chat {
            terminal_type_oid: self.terminal_type_oid.clone(),
            authorization: self
                .authorization
                .iter()
                .zip(&other.authorization)
                .map(|(a, b)| a & b)
                .collect(),
        })
    }

    /// "id-IS E3: CVCA, read DG3 and DG4".
    pub fn describe(&self) -> String {
        let bits = hex_string(&self.authorization);
        match self.terminal_type() {
            TerminalType::InspectionSystem => format!(
                "id-IS {bits}: {}, read {}",
                self.role().name(),
                self.access_rights().describe()
            ),
            TerminalType::Other => format!(
                "terminal type {} {bits}",
                hex_string(&self.terminal_type_oid)
            ),
            t => format!("{} {bits}: role bits {:02b}", t.name(), self.role().bits()),
        }
    }
}

/// One certificate extension (TR-03110-3 C.3): a discretionary data template `73` holding an OID and
/// extension-specific data objects.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificateExtension {
    /// The extension's OID, encoded.
    pub oid: Vec<u8>,
    /// The data objects after the OID, as encoded.
    pub data: Vec<u8>,
}

impl CertificateExtension {
    fn parse(t: &Tlv<'_>) -> Result<CertificateExtension, CvcError> {
        if t.tag != TAG_DISCRETIONARY_TEMPLATE {
            return Err(CvcError::invalid(
                "certificate extensions",
                format!("tag {:X} where a 73 template belongs", t.tag),
            ));
        }
        let (oid, rest) =
            tlv::parse_one(t.value).map_err(CvcError::tlv("certificate extension"))?;
        if oid.tag != TAG_OID {
            return Err(CvcError::invalid(
                "certificate extension",
                "does not start with an OID",
            ));
        }
        tlv::parse_all(rest).map_err(CvcError::tlv("certificate extension"))?;
        Ok(CertificateExtension {
            oid: oid.value.to_vec(),
            data: rest.to_vec(),
        })
    }

    fn encode(&self) -> Vec<u8> {
        let mut value = tlv::encode(TAG_OID, &self.oid);
        value.extend_from_slice(&self.data);
        tlv::encode(TAG_DISCRETIONARY_TEMPLATE, &value)
    }
}

fn parse_extensions(t: &Tlv<'_>) -> Result<Vec<CertificateExtension>, CvcError> {
    tlv::parse_all(t.value)
        .map_err(CvcError::tlv("certificate extensions"))?
        .iter()
        .map(CertificateExtension::parse)
        .collect()
}

fn encode_extensions(extensions: &[CertificateExtension]) -> Vec<u8> {
    tlv::encode_constructed(
        TAG_EXTENSIONS,
        &extensions
            .iter()
            .map(CertificateExtension::encode)
            .collect::<Vec<_>>(),
    )
}

/// The Certificate Profile Identifier this crate reads and writes (profile version 1).
pub const PROFILE_VERSION_1: u8 = 0x00;

pub(crate) fn parse_profile_identifier(t: &Tlv<'_>) -> Result<u8, CvcError> {
    match t.value {
        [PROFILE_VERSION_1] => Ok(PROFILE_VERSION_1),
        other => Err(CvcError::invalid(
            "certificate profile identifier",
            format!("{} (only 00 is defined)", hex_string(other)),
        )),
    }
}

/// The signed part of a CV certificate (`7F4E`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateBody {
    /// The Certificate Profile Identifier (`00`).
    pub profile_identifier: u8,
    /// The Certification Authority Reference: the CHR of the key that signed the certificate.
    pub authority_reference: CertificateReference,
    /// The holder's public key (EC keys of DV and terminal certificates carry no domain parameters).
    pub public_key: CvPublicKey,
    /// The Certificate Holder Reference.
    pub holder_reference: CertificateReference,
    /// The holder's role, terminal type and rights.
    pub chat: Chat,
    /// The first day the certificate is valid.
    pub effective_date: CvDate,
    /// The last day the certificate is valid ("the date after which the certificate expires").
    pub expiration_date: CvDate,
    /// The certificate extensions (`65`), when present.
    pub extensions: Option<Vec<CertificateExtension>>,
}

impl CertificateBody {
    /// Decodes the value of `7F4E`.
    pub fn parse(value: &[u8]) -> Result<CertificateBody, CvcError> {
        let mut f = Fields::new("certificate body", value)?;
        let profile_identifier =
            parse_profile_identifier(&f.take(TAG_CPI, "certificate profile identifier")?)?;
        let car = CertificateReference::from_bytes(
            "certification authority reference",
            f.take(TAG_CAR, "certification authority reference")?.value,
        )?;
        let public_key = CvPublicKey::parse(&f.take(TAG_PUBLIC_KEY, "public key")?)?;
        let chr = CertificateReference::from_bytes(
            "certificate holder reference",
            f.take(TAG_CHR, "certificate holder reference")?.value,
        )?;
        let chat = Chat::parse(
            f.take(TAG_CHAT, "certificate holder authorization template")?
                .value,
        )?;
        let effective_date = CvDate::from_bytes(
            "certificate effective date",
            f.take(TAG_EFFECTIVE_DATE, "certificate effective date")?
                .value,
        )?;
        let expiration_date = CvDate::from_bytes(
            "certificate expiration date",
            f.take(TAG_EXPIRATION_DATE, "certificate expiration date")?
                .value,
        )?;
        let extensions = f
            .optional(TAG_EXTENSIONS)
            .map(|t| parse_extensions(&t))
            .transpose()?;
        f.finish()?;
        if expiration_date < effective_date {
            return Err(CvcError::invalid(
                "certificate expiration date",
                format!("{expiration_date} is before the effective date {effective_date}"),
            ));
        }
        Ok(CertificateBody {
            profile_identifier,
            authority_reference: car,
            public_key,
            holder_reference: chr,
            chat,
            effective_date,
            expiration_date,
            extensions,
        })
    }

    /// The DER encoding of the `7F4E` TLV (what the issuer signs).
    pub fn encode(&self) -> Vec<u8> {
        let mut parts = vec![
            tlv::encode(TAG_CPI, &[self.profile_identifier]),
            tlv::encode(TAG_CAR, &self.authority_reference.to_bytes()),
            self.public_key.encode(),
            tlv::encode(TAG_CHR, &self.holder_reference.to_bytes()),
            self.chat.encode(),
            tlv::encode(TAG_EFFECTIVE_DATE, &self.effective_date.to_bytes()),
            tlv::encode(TAG_EXPIRATION_DATE, &self.expiration_date.to_bytes()),
        ];
        if let Some(ext) = &self.extensions {
            parts.push(encode_extensions(ext));
        }
        tlv::encode_constructed(TAG_BODY, &parts)
    }
}

/// A CV certificate: the body, its signature, and the bytes as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvCertificate {
    /// The certificate body.
    pub body: CertificateBody,
    /// The signature (`5F37`): plain `r ‖ s` for ECDSA, the k-byte signature for RSA.
    pub signature: Vec<u8>,
    raw: Vec<u8>,
    body_len: usize,
    body_offset: usize,
}

impl CvCertificate {
    /// Decodes a certificate: exactly one `7F21` TLV, DER-encoded, with the fields in the fixed order.
    pub fn parse(bytes: &[u8]) -> Result<CvCertificate, CvcError> {
        if bytes.len() > MAX_CERTIFICATE_LEN {
            return Err(CvcError::TooLong {
                context: "CV certificate",
                len: bytes.len(),
            });
        }
        let outer =
            tlv::parse_exact(bytes, TAG_CV_CERTIFICATE).map_err(CvcError::tlv("CV certificate"))?;
        let mut f = Fields::new("CV certificate", outer.value)?;
        let body_tlv = f.take(TAG_BODY, "certificate body")?;
        let signature = f.take(TAG_SIGNATURE, "signature")?;
        f.finish()?;
        let body = CertificateBody::parse(body_tlv.value)?;
        let body_offset = bytes.len() - outer.value.len();
        let cert = CvCertificate {
            body,
            signature: signature.value.to_vec(),
            raw: bytes.to_vec(),
            body_len: body_tlv.raw.len(),
            body_offset,
        };
        if cert.encode() != bytes {
            return Err(CvcError::NotDer("CV certificate"));
        }
        Ok(cert)
    }

    /// Decodes the data of PSO:Verify Certificate: the value of `7F21` (`7F4E` TLV ‖ `5F37` TLV).
    pub fn parse_value(value: &[u8]) -> Result<CvCertificate, CvcError> {
        if value.len() > MAX_CERTIFICATE_LEN {
            return Err(CvcError::TooLong {
                context: "CV certificate",
                len: value.len(),
            });
        }
        CvCertificate::parse(&tlv::encode(TAG_CV_CERTIFICATE, value))
    }

    /// Builds a certificate from a body and its signature.
    pub fn from_parts(body: CertificateBody, signature: Vec<u8>) -> CvCertificate {
        let body_enc = body.encode();
        let body_len = body_enc.len();
        let raw = tlv::encode_constructed(
            TAG_CV_CERTIFICATE,
            &[body_enc, tlv::encode(TAG_SIGNATURE, &signature)],
        );
        let body_offset = raw.len() - body_len - tlv::encode(TAG_SIGNATURE, &signature).len();
        CvCertificate {
            body,
            signature,
            raw,
            body_len,
            body_offset,
        }
    }

    /// The DER encoding of the certificate from its fields (equal to the parsed bytes).
    pub fn encode(&self) -> Vec<u8> {
        tlv::encode_constructed(
            TAG_CV_CERTIFICATE,
            &[
                self.body.encode(),
                tlv::encode(TAG_SIGNATURE, &self.signature),
            ],
        )
    }

    /// The certificate as received (the whole `7F21` TLV).
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }

    /// What the signature covers: the `7F4E` TLV as received (tag, length and value).
    pub fn signed_data(&self) -> &[u8] {
        self.raw
            .get(self.body_offset..self.body_offset + self.body_len)
            .unwrap_or(&[])
    }

    /// The data of PSO:Verify Certificate: the value of `7F21`.
    pub fn pso_data(&self) -> &[u8] {
        self.raw.get(self.body_offset..).unwrap_or(&[])
    }

    /// The Certification Authority Reference.
    pub fn car(&self) -> &CertificateReference {
        &self.body.authority_reference
    }

    /// The Certificate Holder Reference.
    pub fn chr(&self) -> &CertificateReference {
        &self.body.holder_reference
    }

    /// The holder's role from the CHAT.
    pub fn role(&self) -> Role {
        self.body.chat.role()
    }

    /// A self-signed CVCA certificate (CAR = CHR).
    pub fn is_self_signed(&self) -> bool {
        self.car() == self.chr()
    }

    /// A CVCA link certificate: role CVCA, signed by another (older) CVCA key.
    pub fn is_link(&self) -> bool {
        self.role() == Role::Cvca && !self.is_self_signed()
    }

    /// Whether `date` lies in the validity period (both ends included).
    pub fn is_valid_on(&self, date: CvDate) -> bool {
        self.body.effective_date <= date && date <= self.body.expiration_date
    }

    /// Whether the certificate has expired at `date` (its expiration date is before `date`).
    pub fn is_expired_at(&self, date: CvDate) -> bool {
        self.body.expiration_date < date
    }

    /// Verifies the signature with the issuer's key (`issuer` must carry domain parameters for EC:
    /// inherit them from the CVCA with [`CvPublicKey::inherit`]). The algorithm, and so the hash, comes
    /// from the issuer key's OID.
    pub fn verify_signature(&self, issuer: &CvPublicKey) -> Result<(), CvcError> {
        issuer
            .verify(self.signed_data(), &self.signature)
            .map_err(|what| CvcError::Signature {
                holder: self.chr().to_string(),
                what,
            })
    }

    /// The holder's public key completed with the issuer's domain parameters when it has none (DV and
    /// terminal keys inherit the CVCA's).
    pub fn holder_key(&self, issuer: &CvPublicKey) -> Result<CvPublicKey, CvcError> {
        self.body.public_key.inherit(issuer)
    }
}

/// The content of EF.CVCA (FID `011C`, SFI `1C` in the eMRTD application; TR-03110-3 A.6.2.1): the CARs of
/// the chip's trust points, most recent first, as `42` TLVs padded with `00`.
pub fn parse_ef_cvca(bytes: &[u8]) -> Result<Vec<CertificateReference>, CvcError> {
    let objects = tlv::parse_all(bytes).map_err(CvcError::tlv("EF.CVCA"))?;
    if objects.len() > 2 {
        return Err(CvcError::invalid(
            "EF.CVCA",
            format!("{} CARs (at most 2 allowed)", objects.len()),
        ));
    }
    objects
        .iter()
        .map(|t| {
            if t.tag != TAG_CAR {
                return Err(CvcError::invalid(
                    "EF.CVCA",
                    format!("tag {:X} (only 42 CARs allowed)", t.tag),
                ));
            }
            CertificateReference::from_bytes("EF.CVCA CAR", t.value)
        })
        .collect()
}

/// Length of EF.CVCA (two CARs of 16 characters).
pub const EF_CVCA_LEN: usize = 36;

/// Encodes EF.CVCA: the CARs (most recent first, at most two) padded with `00` to 36 bytes.
pub fn encode_ef_cvca(cars: &[CertificateReference]) -> Vec<u8> {
    let mut out: Vec<u8> = cars
        .iter()
        .take(2)
        .flat_map(|c| tlv::encode(TAG_CAR, &c.to_bytes()))
        .collect();
    out.resize(EF_CVCA_LEN.max(out.len()), 0);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_encode_decode_and_validate() {
        let d = CvDate::from_bytes("d", &[1, 6, 1, 1, 2, 2]).unwrap();
        assert_eq!(d.to_string(), "2016-11-22");
        assert_eq!(d.to_bytes(), [1, 6, 1, 1, 2, 2]);
        assert!(CvDate::from_bytes("d", &[1, 6, 1, 3, 0, 1]).is_err());
        assert!(CvDate::from_bytes("d", &[1, 7, 0, 2, 2, 9]).is_err());
        assert!(CvDate::from_bytes("d", &[2, 0, 0, 2, 2, 9]).is_ok());
        assert!(CvDate::from_bytes("d", &[1, 6, 1, 1, 2]).is_err());
        assert!(CvDate::from_bytes("d", &[1, 6, 1, 1, 2, 0x0A]).is_err());
        assert_eq!(
            "2017-02-28"
                .parse::<CvDate>()
                .unwrap()
                .add_days(1)
                .to_string(),
            "2017-03-01"
        );
        assert_eq!(
            "2016-12-31"
                .parse::<CvDate>()
                .unwrap()
                .add_days(366)
                .to_string(),
            "2018-01-01"
        );
        assert!("2017-2-28".parse::<CvDate>().is_err());
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(17_127), (2016, 11, 22));
        assert!(CvDate::today().is_some());
    }

    #[test]
    fn references_and_chat() {
        let r = CertificateReference::new("DETESTIS00001").unwrap();
        assert_eq!(r.country_code(), "DE");
        assert_eq!(r.holder_mnemonic(), "TESTIS");
        assert_eq!(r.sequence_number(), "00001");
        assert!(CertificateReference::new("").is_err());
        assert!(CertificateReference::new("ABCDEFGHIJKLMNOPQ").is_err());
        assert!(CertificateReference::from_bytes("x", b"DE\x01").is_err());
        assert!(CertificateReference::from_bytes("x", b"DE\x85").is_err());
        let chat = Chat::inspection_system(
            Role::DvForeign,
            AccessRights {
                read_dg3: true,
                read_dg4: false,
            },
        );
        assert_eq!(chat.authorization, [0x41]);
        assert_eq!(Chat::parse(&chat.encode()[3..]).unwrap(), chat);
        let cvca = Chat::inspection_system(Role::Cvca, AccessRights::ALL);
        let is = Chat::inspection_system(Role::Terminal, AccessRights::ALL);
        let eff = is.intersect(&chat).unwrap().intersect(&cvca).unwrap();
        assert_eq!(eff.authorization, [0x01]);
        assert_eq!(eff.role(), Role::Terminal);
        assert_eq!(
            eff.access_rights(),
            AccessRights {
                read_dg3: true,
                read_dg4: false
            }
        );
    }

    #[test]
    fn ef_cvca_round_trip() {
        let a = CertificateReference::new("DEISCVCA00002").unwrap();
        let b = CertificateReference::new("DEISCVCA00001").unwrap();
        let enc = encode_ef_cvca(&[a.clone(), b.clone()]);
        assert_eq!(enc.len(), EF_CVCA_LEN);
        assert_eq!(parse_ef_cvca(&enc).unwrap(), vec![a, b]);
        assert_eq!(parse_ef_cvca(&[0; 36]).unwrap(), vec![]);
        assert!(parse_ef_cvca(&[0x5F, 0x20, 0x01, 0x41]).is_err());
    }
}
