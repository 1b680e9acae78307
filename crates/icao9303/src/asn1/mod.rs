//! ASN.1 BER / DER and ISO/IEC 7816-4 BER-TLV: the one codec of the workspace.
//!
//! Everything the library and the emulator read or write as tag-length-value goes through this module: LDS
//! files and secure-messaging data objects (ISO/IEC 7816-4 BER-TLV), and the CMS, X.509 and key structures of
//! passive and chip authentication (ITU-T X.690 BER and DER).
//!
//! * **Reading** ([`Element`], [`Cursor`], [`parse_one`], [`parse_exact`], [`parse_all`], [`Mode`]): a
//!   borrowing decoder that keeps each element's original bytes ([`Element::raw`]; signatures are verified
//!   over them), with typed accessors for the universal types the protocols use (OBJECT IDENTIFIER, INTEGER,
//!   BOOLEAN, BIT STRING, OCTET STRING including the constructed BER form, UTCTime / GeneralizedTime).
//!   Lengths are definite (short form or long form of up to four octets); indefinite lengths are accepted only
//!   under [`Mode::Ber`], which the CMS and X.509 parsers use because real EF.SODs carry them. Every way down
//!   into nested elements — [`Element::cursor`], the end-of-contents search of an indefinite length, the
//!   joining of constructed strings — counts the depth and stops at [`MAX_DEPTH`]: hostile input gets an
//!   [`Asn1Error`] naming the tag and the offset, never a stack overflow, a panic or an allocation larger than
//!   the input.
//! * **Writing** ([`der`]): a DER writer with minimal lengths, INTEGER encoding (zero, leading `00`),
//!   OBJECT IDENTIFIER, SEQUENCE, SET and sorted SET OF. The emulator builds its certificates, EF.SOD and
//!   security infos with it.
//! * [`ObjectIdentifier`] (parse, format and compare OIDs, usable in `const`) and [`Time`] (the UTC time of
//!   certificates and CRLs).
//!
//! Tags are kept as the big-endian integer of their identifier octets (`0x30`, `0xA0`, `0x77`, `0x5F1F`,
//! `0x7F61`), the way ICAO 9303-10 writes them; at most four identifier octets are accepted.

pub mod der;
mod error;
mod oid;
mod read;
mod time;

pub use error::{Asn1Error, ErrorKind, Part};
pub use oid::{ObjectIdentifier, OidError};
pub use read::{
    BitString, Cursor, Element, Header, find, parse_all, parse_exact, parse_header, parse_one,
    parse_tag, parse_tagged,
};
pub use time::Time;

/// A tag as the big-endian integer of its identifier octets (one to four octets): `0x02`, `0x30`, `0xA0`,
/// `0x5F1F`, `0x7F61`.
pub type Tag = u32;

/// How deep elements may nest below the one a parse starts from. Real structures stay below 20 (an
/// extension inside a certificate inside a CMS SignedData); anything deeper is refused as hostile.
pub const MAX_DEPTH: usize = 64;

/// Which encoding rules the decoder applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Definite lengths only, as ISO/IEC 7816-4 BER-TLV and DER require: the LDS files, secure-messaging
    /// data objects and security infos. Padding octets `00` and `FF` between elements (ISO/IEC 7816-4
    /// section 5.2) are skipped. Constructed strings are refused.
    #[default]
    Definite,
    /// X.690 BER as CMS and X.509 producers write it: indefinite lengths (closed by the end-of-contents
    /// octets `00 00`) and constructed strings are accepted. No padding is skipped.
    Ber,
}

impl Mode {
    /// Decodes one element at the start of `input` under these rules; returns it and the bytes after it.
    pub fn parse_one(self, input: &[u8]) -> Result<(Element<'_>, &[u8]), Asn1Error> {
        read::parse_one_in(self, input)
    }

    /// Decodes exactly one element that fills `input` (trailing bytes are an error).
    pub fn parse_exact(self, input: &[u8]) -> Result<Element<'_>, Asn1Error> {
        read::parse_exact_in(self, input)
    }

    /// Decodes the series of elements that fills `input`.
    pub fn parse_all(self, input: &[u8]) -> Result<Vec<Element<'_>>, Asn1Error> {
        self.cursor(input).collect_all()
    }

    /// A cursor reading the series of elements in `input` one after another.
    pub fn cursor(self, input: &[u8]) -> Cursor<'_> {
        Cursor::new(self, input)
    }
}

/// Tag numbers of the universal types, and the context-specific tags `[n]`.
pub mod tag {
    use super::Tag;

    /// BOOLEAN.
    pub const BOOLEAN: Tag = 0x01;
    /// INTEGER.
    pub const INTEGER: Tag = 0x02;
    /// BIT STRING (primitive).
    pub const BIT_STRING: Tag = 0x03;
    /// OCTET STRING (primitive).
    pub const OCTET_STRING: Tag = 0x04;
    /// NULL.
    pub const NULL: Tag = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: Tag = 0x06;
    /// UTF8String.
    pub const UTF8_STRING: Tag = 0x0C;
    /// PrintableString.
    pub const PRINTABLE_STRING: Tag = 0x13;
    /// TeletexString (T61String).
    pub const TELETEX_STRING: Tag = 0x14;
    /// IA5String.
    pub const IA5_STRING: Tag = 0x16;
    /// UTCTime.
    pub const UTC_TIME: Tag = 0x17;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: Tag = 0x18;
    /// BMPString (UTF-16BE).
    pub const BMP_STRING: Tag = 0x1E;
    /// SEQUENCE and SEQUENCE OF.
    pub const SEQUENCE: Tag = 0x30;
    /// SET and SET OF.
    pub const SET: Tag = 0x31;

    /// The constructed form of a universal string type's tag (`04` → `24`): BER's segmented strings.
    pub const fn constructed(primitive: Tag) -> Tag {
        primitive | 0x20
    }

    /// Context-specific constructed tag `[n]` (EXPLICIT, or IMPLICIT over a constructed type), `n` ≤ 30.
    pub const fn context(n: u8) -> Tag {
        0xA0 | (n as Tag & 0x1F)
    }

    /// Context-specific primitive tag `[n]` (IMPLICIT over a primitive type), `n` ≤ 30.
    pub const fn context_primitive(n: u8) -> Tag {
        0x80 | (n as Tag & 0x1F)
    }
}
