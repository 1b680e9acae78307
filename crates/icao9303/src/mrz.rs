//! The Machine Readable Zone (ICAO 9303 parts 3 to 7): parsing TD1, TD2 and TD3 documents and MRV-A / MRV-B
//! visas, every check digit including the composite one, and the BAC / PACE key material ([`MrzKey`]).
//!
//! Positions in this module are written 1-based, the way the tables of ICAO 9303 number them.
//!
//! The MRZ holds personal data: [`Mrz`] and [`MrzKey`] print nothing personal in their `Debug` output, and
//! [`MrzKey`] wipes its contents when dropped.
//!
//! ```
//! use icao9303::mrz::{Mrz, MrzFormat};
//!
//! let mrz = Mrz::parse(
//!     "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n\
//!      L898902C36UTO7408122F1204159ZE184226B<<<<<10",
//! )?;
//! assert_eq!(mrz.format, MrzFormat::Td3);
//! assert_eq!(mrz.primary_identifier, "ERIKSSON");
//! assert!(mrz.all_check_digits_valid());
//! let key = mrz.key()?; // BAC / PACE key material
//! assert_eq!(&key.mrz_information()[..], b"L898902C3674081221204159");
//! # Ok::<(), icao9303::mrz::MrzError>(())
//! ```

use std::fmt;

use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The layout of a machine readable zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum MrzFormat {
    /// Size 1 document (ID card, UK BRP): 3 lines of 30 characters.
    Td1,
    /// Size 2 document: 2 lines of 36 characters.
    Td2,
    /// Size 3 document (passport booklet): 2 lines of 44 characters.
    Td3,
    /// Full-size machine readable visa: 2 lines of 44 characters, document code starting with 'V'.
    MrvA,
    /// Small machine readable visa: 2 lines of 36 characters, document code starting with 'V'.
    MrvB,
}

impl MrzFormat {
    /// The number of lines of this format.
    pub fn line_count(self) -> usize {
        match self {
            MrzFormat::Td1 => 3,
            _ => 2,
        }
    }

    /// The number of characters in each line of this format.
    pub fn line_length(self) -> usize {
        match self {
            MrzFormat::Td1 => 30,
            MrzFormat::Td2 | MrzFormat::MrvB => 36,
            MrzFormat::Td3 | MrzFormat::MrvA => 44,
        }
    }

    /// True for the visa formats (MRV-A and MRV-B), which have no composite check digit.
    pub fn is_visa(self) -> bool {
        matches!(self, MrzFormat::MrvA | MrzFormat::MrvB)
    }
}

/// How strictly [`Mrz::parse_with`] treats the input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Accept an MRZ whose check digits do not match (each result is still recorded in
    /// [`Mrz::check_digits`]); useful for damaged or deliberately altered specimens.
    pub allow_bad_check_digits: bool,
}

/// The outcome of one check digit of a parsed MRZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CheckDigitResult {
    /// What the check digit covers: "document number", "date of birth", "date of expiry", "optional data"
    /// or "composite".
    pub field: &'static str,
    /// True when the printed check digit matches the computed one.
    pub valid: bool,
}

/// What was wrong with an MRZ, a check digit input or MRZ key material.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MrzError {
    /// The input holds no MRZ characters at all.
    #[error("MRZ is empty")]
    Empty,
    /// The number of lines or characters matches no MRZ format.
    #[error(
        "MRZ has {} of {} characters; expected TD1 3x30, TD2 2x36 or TD3 2x44",
        plural_lines(*.lines),
        join_lengths(.lengths)
    )]
    BadLength {
        /// How many (non-empty) lines the input had.
        lines: usize,
        /// The length in characters of each line.
        lengths: Vec<usize>,
    },
    /// A character outside `0-9`, `A-Z` and `<`, or a character not allowed at its position.
    #[error("invalid character {character:?} in MRZ line {line}, column {column}")]
    InvalidCharacter {
        /// Line number, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// The offending character.
        character: char,
    },
    /// [`check_digit`] was given a character outside `0-9`, `A-Z` and `<`.
    #[error("character {character:?} at position {position} cannot be in a check-digit field")]
    InvalidFieldCharacter {
        /// Position in the field, from 1.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// The document code does not start with a letter.
    #[error("invalid document code {0:?}: it must start with a letter")]
    InvalidDocumentCode(String),
    /// The sex field is not 'M', 'F', 'X' or '<'.
    #[error("invalid sex {0:?}: expected M, F, X or <")]
    InvalidSex(char),
    /// A check digit does not match its field.
    #[error("check digit of the {field} is {found}, expected {expected}")]
    CheckDigit {
        /// Which check digit: "document number", "date of birth", "date of expiry", "optional data" or
        /// "composite".
        field: &'static str,
        /// The computed check digit.
        expected: char,
        /// The printed check digit.
        found: char,
    },
    /// A date that is not six digits YYMMDD with month 1-12 and day 1-31.
    /// (The message leaves the value out, so that logged errors hold no personal data.)
    #[error("the {field} is not a valid YYMMDD date")]
    InvalidDate {
        /// "date of birth" or "date of expiry".
        field: &'static str,
        /// The date as given.
        value: String,
    },
    /// BAC / PACE key material that cannot be used (empty or malformed document number).
    #[error("invalid MRZ key: {0}")]
    InvalidKey(String),
}

fn plural_lines(lines: usize) -> String {
    if lines == 1 {
        "1 line".to_owned()
    } else {
        format!("{lines} lines")
    }
}

fn join_lengths(lengths: &[usize]) -> String {
    lengths
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

const FIELD_DOCUMENT_NUMBER: &str = "document number";
const FIELD_DATE_OF_BIRTH: &str = "date of birth";
const FIELD_DATE_OF_EXPIRY: &str = "date of expiry";
const FIELD_OPTIONAL_DATA: &str = "optional data";
const FIELD_COMPOSITE: &str = "composite";

/// The numeric value of an MRZ character for check digits: digits as themselves, `<` as 0, `A`-`Z` as 10-35.
fn char_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(u32::from(c) - u32::from('0')),
        'A'..='Z' => Some(u32::from(c) - u32::from('A') + 10),
        '<' => Some(0),
        _ => None,
    }
}

/// Computes the ICAO 9303-3 check digit of `field` (weights 7, 3, 1 repeating; `<` counts 0, `A`-`Z` 10-35).
///
/// Returns the digit value 0-9, or [`MrzError::InvalidFieldCharacter`] for any other character.
pub fn check_digit(field: &str) -> Result<u8, MrzError> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum: u32 = 0;
    for (i, c) in field.chars().enumerate() {
        let value = char_value(c).ok_or(MrzError::InvalidFieldCharacter {
            position: i + 1,
            character: c,
        })?;
        sum = (sum + value * WEIGHTS[i % 3]) % 10;
    }
    // `sum` is reduced modulo 10 at every step, so it fits in a u8.
    Ok(u8::try_from(sum).unwrap_or(0))
}

/// Parses and validates a YYMMDD date (month 1-12, day 1-31), returning `(yy, mm, dd)`.
///
/// The century is not known from the MRZ, so the day is not checked against the month's length.
pub fn parse_date(yymmdd: &str) -> Option<(u8, u8, u8)> {
    let bytes = yymmdd.as_bytes();
    if bytes.len() != 6 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let pair = |i: usize| -> Option<u8> {
        let hi = bytes.get(i)?.checked_sub(b'0')?;
        let lo = bytes.get(i + 1)?.checked_sub(b'0')?;
        Some(hi * 10 + lo)
    };
    let (yy, mm, dd) = (pair(0)?, pair(2)?, pair(4)?);
    if !(1..=12).contains(&mm) || !(1..=31).contains(&dd) {
        return None;
    }
    Some((yy, mm, dd))
}

/// How far after the reference day a two-digit date of expiry may lie before it is read as the century
/// before ([`date_of_expiry`]): twice the ten years a travel document is usually issued for.
pub const EXPIRY_WINDOW_YEARS: u16 = 20;

/// A YYMMDD date of the MRZ with its century: the latest century that does not put the date after
/// `today` — a date of birth is in the past. `None` when the field is not a date.
///
/// ICAO 9303-3 section 3.8 (Representation of Dates) writes dates in the MRZ as YYMMDD, the year as its
/// last two digits and no century: the reader places the century from what the date is, relative to the
/// day it reads the document, never from a fixed pivot year.
pub fn date_of_birth(yymmdd: &str, today: crate::asn1::Time) -> Option<crate::asn1::Time> {
    let (yy, mm, dd) = parse_date(yymmdd)?;
    let year = with_century(yy, today.year);
    let year = if (year, mm, dd) > (today.year, today.month, today.day) {
        year.checked_sub(100)?
    } else {
        year
    };
    Some(crate::asn1::Time::from_ymd(year, mm, dd))
}

/// A YYMMDD date of expiry with its century: the latest century that puts it no more than
/// [`EXPIRY_WINDOW_YEARS`] after `today` — a document in use was issued at most that long ago for at
/// most that long, and an expired one may be read any number of years later. The ICAO specimen's
/// `940623` is 1994-06-23, not 2094. `None` when the field is not a date. (ICAO 9303-3 section 3.8: the
/// MRZ gives no century; see [`date_of_birth`].)
pub fn date_of_expiry(yymmdd: &str, today: crate::asn1::Time) -> Option<crate::asn1::Time> {
    let (yy, mm, dd) = parse_date(yymmdd)?;
    let year = with_century(yy, today.year);
    let limit = today.year.saturating_add(EXPIRY_WINDOW_YEARS);
    let year = if year > limit {
        year.checked_sub(100)?
    } else if year.saturating_add(100) <= limit {
        year + 100
    } else {
        year
    };
    Some(crate::asn1::Time::from_ymd(year, mm, dd))
}

/// `yy` in the century of `year`.
fn with_century(yy: u8, year: u16) -> u16 {
    year - year % 100 + u16::from(yy)
}

/// A parsed machine readable zone, with every field and the result of every check digit.
///
/// Its `Debug` output shows only the format and the issuing state: no names, numbers or dates.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mrz {
    /// Which layout the MRZ has.
    pub format: MrzFormat,
    /// Document code, fillers stripped: "P", "I", "IR", "V"...
    pub document_code: String,
    /// Issuing state or organisation, fillers stripped: "GBR", "UTO", "D".
    pub issuing_state: String,
    /// The full document number (a long TD1 / TD2 number joined with its continuation), trailing fillers
    /// stripped.
    pub document_number: String,
    /// TD1 optional data of line 1 (without a long document number's continuation), fillers stripped;
    /// empty for the other formats.
    pub optional_data_1: String,
    /// Date of birth YYMMDD, as printed.
    pub date_of_birth: String,
    /// Sex: 'M', 'F', 'X' or '<' (unspecified).
    pub sex: char,
    /// Date of expiry YYMMDD, as printed.
    pub date_of_expiry: String,
    /// Nationality, fillers stripped.
    pub nationality: String,
    /// The optional data of the line holding the dates (TD1 line 2; TD3 personal number; TD2 and visa
    /// optional data, without a long TD2 document number's continuation), fillers stripped.
    pub optional_data_2: String,
    /// Primary identifier (surnames), fillers turned into spaces.
    pub primary_identifier: String,
    /// Secondary identifier (given names), fillers turned into spaces.
    pub secondary_identifier: String,
    /// One result per check digit of the format, in the order they appear in the MRZ.
    pub check_digits: Vec<CheckDigitResult>,
    /// The normalized lines (whitespace removed).
    pub lines: Vec<String>,
}

impl fmt::Debug for Mrz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mrz")
            .field("format", &self.format)
            .field("issuing_state", &self.issuing_state)
            .finish_non_exhaustive()
    }
}

impl std::str::FromStr for Mrz {
    type Err = MrzError;

    /// Strict parsing, as [`Mrz::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mrz::parse(s)
    }
}

/// One check digit as found while parsing, before it is reduced to a [`CheckDigitResult`].
struct DigitCheck {
    field: &'static str,
    expected: char,
    found: char,
    valid: bool,
}

impl DigitCheck {
    /// Compares the printed `found` digit with the check digit of `data`. With `filler_if_empty`, a `<` is
    /// accepted for a field made only of fillers (ICAO 9303-4: TD3 personal number).
    fn new(
        field: &'static str,
        data: &str,
        found: char,
        filler_if_empty: bool,
    ) -> Result<DigitCheck, MrzError> {
        let digit = check_digit(data)?;
        let expected = char::from(b'0' + digit);
        let valid = found == expected
            || (filler_if_empty && found == '<' && data.chars().all(|c| c == '<'));
        Ok(DigitCheck {
            field,
            expected,
            found,
            valid,
        })
    }
}

/// The characters of a 1-based inclusive position range of a line (empty when out of range).
fn span(line: &str, from: usize, to: usize) -> &str {
    line.get(from.saturating_sub(1)..to).unwrap_or("")
}

/// The character at a 1-based position of a line (a filler when out of range).
fn at(line: &str, pos: usize) -> char {
    line.as_bytes()
        .get(pos.saturating_sub(1))
        .map_or('<', |&b| char::from(b))
}

fn strip_fillers(s: &str) -> String {
    s.trim_matches('<').to_owned()
}

/// Splits a name field into primary and secondary identifiers.
fn split_name(field: &str) -> (String, String) {
    let field = field.trim_end_matches('<');
    let (primary, secondary) = field.split_once("<<").unwrap_or((field, ""));
    let clean = |s: &str| s.trim_matches('<').replace('<', " ");
    (clean(primary), clean(secondary))
}

/// A document number read from its field, its check digit and the optional data that may continue it.
struct DocumentNumber<'a> {
    /// The whole number as printed (with any fillers), check digit excluded.
    number: String,
    /// The printed check digit.
    check: char,
    /// The optional data left after removing a long number's continuation.
    rest: &'a str,
}

/// Resolves the ICAO 9303-5 long document number convention: a `<` in the check-digit position means the
/// number continues in the optional data up to the first filler, the last continuation character being the
/// check digit over the whole number.
fn document_number<'a>(number: &str, check: char, optional: &'a str) -> DocumentNumber<'a> {
    if check == '<' {
        let end = optional.find('<').unwrap_or(optional.len());
        let continuation = optional.get(..end).unwrap_or("");
        if let Some((last_index, last)) = continuation.char_indices().last()
            && last_index > 0
        {
            return DocumentNumber {
                number: format!("{number}{}", continuation.get(..last_index).unwrap_or("")),
                check: last,
                rest: optional.get(end..).unwrap_or(""),
            };
        }
    }
    DocumentNumber {
        number: number.to_owned(),
        check,
        rest: optional,
    }
}

/// Splits the input into MRZ lines: whitespace removed, line breaks honoured, and a single line cut by its
/// total length.
fn normalize(text: &str) -> Result<Vec<String>, MrzError> {
    let lines: Vec<String> = text
        .split(['\n', '\r'])
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|l| !l.is_empty())
        .collect();
    let lengths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    let bad_length = || MrzError::BadLength {
        lines: lines.len(),
        lengths: lengths.clone(),
    };
    match lengths.as_slice() {
        [] => Err(MrzError::Empty),
        [total] => {
            let width = match total {
                90 => 30,
                72 => 36,
                88 => 44,
                _ => return Err(bad_length()),
            };
            let chars: Vec<char> = lines
                .first()
                .map(|l| l.chars().collect())
                .unwrap_or_default();
            Ok(chars.chunks(width).map(|c| c.iter().collect()).collect())
        }
        [30, 30, 30] | [36, 36] | [44, 44] => Ok(lines.clone()),
        _ => Err(bad_length()),
    }
}

/// Rejects any character outside `0-9`, `A-Z` and `<`.
fn check_charset(lines: &[String]) -> Result<(), MrzError> {
    for (li, line) in lines.iter().enumerate() {
        for (ci, c) in line.chars().enumerate() {
            if !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<') {
                return Err(MrzError::InvalidCharacter {
                    line: li + 1,
                    column: ci + 1,
                    character: c,
                });
            }
        }
    }
    Ok(())
}

/// Requires letters or fillers in a 1-based position range (state and nationality codes).
fn check_letters(lines: &[String], line: usize, from: usize, to: usize) -> Result<(), MrzError> {
    let text = lines.get(line - 1).map_or("", String::as_str);
    for pos in from..=to {
        let c = at(text, pos);
        if !(c.is_ascii_uppercase() || c == '<') {
            return Err(MrzError::InvalidCharacter {
                line,
                column: pos,
                character: c,
            });
        }
    }
    Ok(())
}

fn check_date(field: &'static str, value: &str) -> Result<(), MrzError> {
    match parse_date(value) {
        Some(_) => Ok(()),
        None => Err(MrzError::InvalidDate {
            field,
            value: value.to_owned(),
        }),
    }
}

impl Mrz {
    /// Parses an MRZ strictly: every check digit must match.
    ///
    /// The input may have its lines separated by line breaks (LF or CRLF) or run together; whitespace is
    /// ignored. Without line breaks the total length (90, 72 or 88) decides the format.
    pub fn parse(text: &str) -> Result<Mrz, MrzError> {
        Mrz::parse_with(text, ParseOptions::default())
    }

    /// Parses an MRZ with the given options (see [`ParseOptions`]).
    pub fn parse_with(text: &str, options: ParseOptions) -> Result<Mrz, MrzError> {
        let lines = normalize(text)?;
        check_charset(&lines)?;
        let line = |n: usize| lines.get(n - 1).map_or("", String::as_str);
        let (l1, l2) = (line(1), line(2));

        let document_code = strip_fillers(span(l1, 1, 2));
        if !at(l1, 1).is_ascii_uppercase() {
            return Err(MrzError::InvalidDocumentCode(span(l1, 1, 2).to_owned()));
        }
        let visa = at(l1, 1) == 'V';
        let format = match (lines.len(), l1.len(), visa) {
            (3, _, _) => MrzFormat::Td1,
            (_, 36, false) => MrzFormat::Td2,
            (_, 36, true) => MrzFormat::MrvB,
            (_, _, false) => MrzFormat::Td3,
            (_, _, true) => MrzFormat::MrvA,
        };
        check_letters(&lines, 1, 3, 5)?;

        let mut checks = Vec::with_capacity(5);
        let mrz = if format == MrzFormat::Td1 {
            check_letters(&lines, 2, 16, 18)?;
            let doc = document_number(span(l1, 6, 14), at(l1, 15), span(l1, 16, 30));
            let dob = span(l2, 1, 6);
            let doe = span(l2, 9, 14);
            check_date(FIELD_DATE_OF_BIRTH, dob)?;
            check_date(FIELD_DATE_OF_EXPIRY, doe)?;
            checks.push(DigitCheck::new(
                FIELD_DOCUMENT_NUMBER,
                &doc.number,
                doc.check,
                false,
            )?);
            checks.push(DigitCheck::new(FIELD_DATE_OF_BIRTH, dob, at(l2, 7), false)?);
            checks.push(DigitCheck::new(
                FIELD_DATE_OF_EXPIRY,
                doe,
                at(l2, 15),
                false,
            )?);
            let composite = [
                span(l1, 6, 30),
                span(l2, 1, 7),
                span(l2, 9, 15),
                span(l2, 19, 29),
            ]
            .concat();
            checks.push(DigitCheck::new(
                FIELD_COMPOSITE,
                &composite,
                at(l2, 30),
                false,
            )?);
            let (primary, secondary) = split_name(line(3));
            Mrz {
                format,
                document_code,
                issuing_state: strip_fillers(span(l1, 3, 5)),
                document_number: doc.number.trim_end_matches('<').to_owned(),
                optional_data_1: strip_fillers(doc.rest),
                date_of_birth: dob.to_owned(),
                sex: at(l2, 8),
                date_of_expiry: doe.to_owned(),
                nationality: strip_fillers(span(l2, 16, 18)),
                optional_data_2: strip_fillers(span(l2, 19, 29)),
                primary_identifier: primary,
                secondary_identifier: secondary,
                check_digits: Vec::new(),
                lines: Vec::new(),
            }
        } else {
            check_letters(&lines, 2, 11, 13)?;
            let width = l2.len();
            // TD3 has a personal-number check digit at 43 and a composite at 44, TD2 a composite at 36,
            // visas neither: their optional data runs to the end of the line.
            let optional_end = match format {
                MrzFormat::Td3 => 42,
                MrzFormat::Td2 => 35,
                _ => width,
            };
            let optional = span(l2, 29, optional_end);
            // Only TD2 carries the long document number convention.
            let doc = if format == MrzFormat::Td2 {
                document_number(span(l2, 1, 9), at(l2, 10), optional)
            } else {
                DocumentNumber {
                    number: span(l2, 1, 9).to_owned(),
                    check: at(l2, 10),
                    rest: optional,
                }
            };
            let dob = span(l2, 14, 19);
            let doe = span(l2, 22, 27);
            check_date(FIELD_DATE_OF_BIRTH, dob)?;
            check_date(FIELD_DATE_OF_EXPIRY, doe)?;
            checks.push(DigitCheck::new(
                FIELD_DOCUMENT_NUMBER,
                &doc.number,
                doc.check,
                false,
            )?);
            checks.push(DigitCheck::new(
                FIELD_DATE_OF_BIRTH,
                dob,
                at(l2, 20),
                false,
            )?);
            checks.push(DigitCheck::new(
                FIELD_DATE_OF_EXPIRY,
                doe,
                at(l2, 28),
                false,
            )?);
            if format == MrzFormat::Td3 {
                checks.push(DigitCheck::new(
                    FIELD_OPTIONAL_DATA,
                    optional,
                    at(l2, 43),
                    true,
                )?);
            }
            if !format.is_visa() {
                let composite =
                    [span(l2, 1, 10), span(l2, 14, 20), span(l2, 22, width - 1)].concat();
                checks.push(DigitCheck::new(
                    FIELD_COMPOSITE,
                    &composite,
                    at(l2, width),
                    false,
                )?);
            }
            let (primary, secondary) = split_name(span(l1, 6, width));
            Mrz {
                format,
                document_code,
                issuing_state: strip_fillers(span(l1, 3, 5)),
                document_number: doc.number.trim_end_matches('<').to_owned(),
                optional_data_1: String::new(),
                date_of_birth: dob.to_owned(),
                sex: at(l2, 21),
                date_of_expiry: doe.to_owned(),
                nationality: strip_fillers(span(l2, 11, 13)),
                optional_data_2: strip_fillers(doc.rest),
                primary_identifier: primary,
                secondary_identifier: secondary,
                check_digits: Vec::new(),
                lines: Vec::new(),
            }
        };

        if !matches!(mrz.sex, 'M' | 'F' | 'X' | '<') {
            return Err(MrzError::InvalidSex(mrz.sex));
        }
        if !options.allow_bad_check_digits
            && let Some(bad) = checks.iter().find(|c| !c.valid)
        {
            return Err(MrzError::CheckDigit {
                field: bad.field,
                expected: bad.expected,
                found: bad.found,
            });
        }
        Ok(Mrz {
            check_digits: checks
                .iter()
                .map(|c| CheckDigitResult {
                    field: c.field,
                    valid: c.valid,
                })
                .collect(),
            lines,
            ..mrz
        })
    }

    /// The BAC / PACE key material of this MRZ: document number, date of birth and date of expiry.
    pub fn key(&self) -> Result<MrzKey, MrzError> {
        MrzKey::new(
            &self.document_number,
            &self.date_of_birth,
            &self.date_of_expiry,
        )
    }

    /// True when every check digit of the MRZ matched.
    pub fn all_check_digits_valid(&self) -> bool {
        self.check_digits.iter().all(|c| c.valid)
    }
}

/// The document number, date of birth and date of expiry: the MRZ part that keys BAC and PACE.
///
/// The values are wiped when the key is dropped, and `Debug` prints `MrzKey(<redacted>)`.
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
    /// Builds key material from the three MRZ fields (as typed by a user or read from the MRZ).
    ///
    /// Surrounding whitespace is ignored and letters are upper-cased; the document number may only hold
    /// `0-9`, `A-Z` and `<`, and its trailing fillers are dropped. Both dates must be valid YYMMDD dates.
    pub fn new(
        document_number: &str,
        date_of_birth: &str,
        date_of_expiry: &str,
    ) -> Result<MrzKey, MrzError> {
        let upper = Zeroizing::new(document_number.trim().to_ascii_uppercase());
        let number = upper.trim_end_matches('<');
        if number.is_empty() {
            return Err(MrzError::InvalidKey(
                "the document number is empty".to_owned(),
            ));
        }
        if let Some((i, c)) = number
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '<'))
        {
            return Err(MrzError::InvalidKey(format!(
                "the document number has the character {c:?} at position {}; only 0-9, A-Z and < are allowed",
                i + 1
            )));
        }
        let date = |field: &'static str, value: &str| -> Result<String, MrzError> {
            let value = value.trim();
            check_date(field, value)?;
            Ok(value.to_owned())
        };
        Ok(MrzKey {
            document_number: number.to_owned(),
            date_of_birth: date(FIELD_DATE_OF_BIRTH, date_of_birth)?,
            date_of_expiry: date(FIELD_DATE_OF_EXPIRY, date_of_expiry)?,
        })
    }

    /// The ICAO 9303-11 `MRZ_information` (ASCII): the document number padded with `<` to at least 9
    /// characters and its check digit, the date of birth and its check digit, the date of expiry and its
    /// check digit. BAC derives `K_seed` from its SHA-1; PACE uses its SHA-1 as the password.
    pub fn mrz_information(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(self.document_number.len().max(9) + 14));
        out.extend_from_slice(self.document_number.as_bytes());
        while out.len() < 9 {
            out.push(b'<');
        }
        // All three fields were validated in `new`, so `check_digit` cannot fail; trailing fillers do not
        // change a check digit.
        let digit = |s: &str| b'0' + check_digit(s).unwrap_or(0);
        out.push(digit(&self.document_number));
        out.extend_from_slice(self.date_of_birth.as_bytes());
        out.push(digit(&self.date_of_birth));
        out.extend_from_slice(self.date_of_expiry.as_bytes());
        out.push(digit(&self.date_of_expiry));
        out
    }

    /// The document number (without trailing fillers).
    pub fn document_number(&self) -> &str {
        &self.document_number
    }

    /// The date of birth, YYMMDD.
    pub fn date_of_birth(&self) -> &str {
        &self.date_of_birth
    }

    /// The date of expiry, YYMMDD.
    pub fn date_of_expiry(&self) -> &str {
        &self.date_of_expiry
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const SPECIMEN_TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    const BRP: &str = "IRGBRZU38475628<<<<<<<<<<<<<<<\n8803148F3403130UTO<<<<<<<<<<<8\nTESTHOLDER<<AMINA<GRACE<<<<<<<";

    #[test]
    fn check_digit_values() {
        assert_eq!(check_digit("L898902C<").unwrap(), 3);
        assert_eq!(check_digit("690806").unwrap(), 1);
        assert_eq!(check_digit("940623").unwrap(), 6);
        assert_eq!(check_digit("").unwrap(), 0);
        assert_eq!(check_digit("<<<<").unwrap(), 0);
        assert_eq!(
            check_digit("AB c").unwrap_err(),
            MrzError::InvalidFieldCharacter {
                position: 3,
                character: ' '
            }
        );
        assert!(check_digit("abc").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("880314"), Some((88, 3, 14)));
        assert_eq!(parse_date("000101"), Some((0, 1, 1)));
        assert_eq!(parse_date("991231"), Some((99, 12, 31)));
        for bad in [
            "881314",
            "880300",
            "880332",
            "880001",
            "88031",
            "8803140",
            "88O314",
            "<<<<<<",
            "",
            "８８０３１４",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn bac_worked_example_key() {
        // ICAO 9303-11, Appendix D.2.
        let key = MrzKey::new("L898902C<", "690806", "940623").unwrap();
        assert_eq!(key.document_number(), "L898902C");
        assert_eq!(&key.mrz_information()[..], b"L898902C<369080619406236");
        // Lower case and surrounding whitespace are accepted for typed input.
        let typed = MrzKey::new(" l898902c ", "690806", "940623").unwrap();
        assert_eq!(&typed.mrz_information()[..], b"L898902C<369080619406236");
    }

    #[test]
    fn key_validation() {
        assert!(matches!(
            MrzKey::new("", "690806", "940623"),
            Err(MrzError::InvalidKey(_))
        ));
        assert!(matches!(
            MrzKey::new("<<<", "690806", "940623"),
            Err(MrzError::InvalidKey(_))
        ));
        assert!(matches!(
            MrzKey::new("L89-8902", "690806", "940623"),
            Err(MrzError::InvalidKey(_))
        ));
        assert_eq!(
            MrzKey::new("L898902C", "691306", "940623").unwrap_err(),
            MrzError::InvalidDate {
                field: "date of birth",
                value: "691306".into()
            }
        );
        assert!(matches!(
            MrzKey::new("L898902C", "690806", "9406"),
            Err(MrzError::InvalidDate {
                field: "date of expiry",
                ..
            })
        ));
        let key = MrzKey::new("L898902C", "690806", "940623").unwrap();
        assert_eq!(format!("{key:?}"), "MrzKey(<redacted>)");
    }

    #[test]
    fn icao_td3_specimen() {
        let mrz = Mrz::parse(SPECIMEN_TD3).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td3);
        assert_eq!(mrz.document_code, "P");
        assert_eq!(mrz.issuing_state, "UTO");
        assert_eq!(mrz.primary_identifier, "ERIKSSON");
        assert_eq!(mrz.secondary_identifier, "ANNA MARIA");
        assert_eq!(mrz.document_number, "L898902C3");
        assert_eq!(mrz.nationality, "UTO");
        assert_eq!(mrz.date_of_birth, "740812");
        assert_eq!(mrz.sex, 'F');
        assert_eq!(mrz.date_of_expiry, "120415");
        assert_eq!(mrz.optional_data_1, "");
        assert_eq!(mrz.optional_data_2, "ZE184226B");
        assert!(mrz.all_check_digits_valid());
        let fields: Vec<_> = mrz.check_digits.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                "document number",
                "date of birth",
                "date of expiry",
                "optional data",
                "composite"
            ]
        );
        assert_eq!(
            &mrz.key().unwrap().mrz_information()[..],
            b"L898902C3674081221204159"
        );
        assert_eq!(mrz.lines.len(), 2);
    }

    #[test]
    fn uk_brp_sample() {
        let mrz = Mrz::parse(BRP).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td1);
        assert_eq!(mrz.document_code, "IR");
        assert_eq!(mrz.issuing_state, "GBR");
        assert_eq!(mrz.document_number, "ZU3847562");
        assert_eq!(mrz.optional_data_1, "");
        assert_eq!(mrz.date_of_birth, "880314");
        assert_eq!(mrz.sex, 'F');
        assert_eq!(mrz.date_of_expiry, "340313");
        assert_eq!(mrz.nationality, "UTO");
        assert_eq!(mrz.optional_data_2, "");
        assert_eq!(mrz.primary_identifier, "TESTHOLDER");
        assert_eq!(mrz.secondary_identifier, "AMINA GRACE");
        assert!(mrz.all_check_digits_valid());
        let fields: Vec<_> = mrz.check_digits.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                "document number",
                "date of birth",
                "date of expiry",
                "composite"
            ]
        );
        assert_eq!(
            &mrz.key().unwrap().mrz_information()[..],
            b"ZU3847562888031483403130"
        );
        assert_eq!(
            mrz.lines,
            [
                "IRGBRZU38475628<<<<<<<<<<<<<<<",
                "8803148F3403130UTO<<<<<<<<<<<8",
                "TESTHOLDER<<AMINA<GRACE<<<<<<<"
            ]
        );
    }

    #[test]
    fn debug_output_is_private() {
        let text = format!("{:?}", Mrz::parse(BRP).unwrap());
        assert_eq!(text, "Mrz { format: Td1, issuing_state: \"GBR\", .. }");
        for secret in ["TESTHOLDER", "AMINA", "ZU3847562", "880314", "340313"] {
            assert!(!text.contains(secret));
        }
    }

    #[test]
    fn long_document_number_td1() {
        // ICAO 9303-11 Appendix D.2: a TD1 with a 12-character document number. Computed over the printed
        // positions (a '<' counting 0), every check digit of this sample matches, the composite included.
        let text = "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<";
        let key = MrzKey::new("D23145890734", "340712", "950712").unwrap();
        assert_eq!(&key.mrz_information()[..], b"D23145890734934071279507122");

        let mrz = Mrz::parse(text).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td1);
        assert_eq!(mrz.document_code, "I");
        assert_eq!(mrz.document_number, "D23145890734");
        assert_eq!(mrz.optional_data_1, "");
        assert!(mrz.all_check_digits_valid());
        assert_eq!(mrz.check_digits.len(), 4);
        assert_eq!(mrz.date_of_birth, "340712");
        assert_eq!(mrz.sex, 'M');
        assert_eq!(mrz.date_of_expiry, "950712");
        assert_eq!(mrz.primary_identifier, "STEVENSON");
        assert_eq!(mrz.secondary_identifier, "PETER JOHN");
        assert_eq!(
            &mrz.key().unwrap().mrz_information()[..],
            b"D23145890734934071279507122"
        );

        // The continuation's check digit covers the whole number: damage it and the document number fails.
        let bad = text.replace("<7349<", "<7348<");
        assert!(matches!(
            Mrz::parse(&bad),
            Err(MrzError::CheckDigit {
                field: "document number",
                expected: '9',
                found: '8'
            })
        ));
        let lenient = Mrz::parse_with(
            &bad,
            ParseOptions {
                allow_bad_check_digits: true,
            },
        )
        .unwrap();
        assert_eq!(lenient.document_number, "D23145890734");
        assert!(!lenient.check_digits[0].valid);
    }

    #[test]
    fn long_document_number_td2() {
        // The same person as a TD2 (ICAO 9303-11 D.2 data): the continuation sits in line 2's optional data.
        let text = "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<\nD23145890<UTO3407127M95071227349<<<8";
        let mrz = Mrz::parse(text).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td2);
        assert_eq!(mrz.document_number, "D23145890734");
        assert_eq!(mrz.optional_data_2, "");
        assert!(mrz.all_check_digits_valid());
        assert_eq!(
            &mrz.key().unwrap().mrz_information()[..],
            b"D23145890734934071279507122"
        );
    }

    #[test]
    fn long_document_number_with_trailing_optional_data() {
        // A long number followed by more optional data, with a correct composite: built by hand.
        let l1 = "I<UTOD23145890<7349<ABC<<<<<<<";
        let l2_body = "3407127M9507122UTO<<<<<<<<<<<";
        let composite = [
            &l1[5..30],
            &l2_body[0..7],
            &l2_body[8..15],
            &l2_body[18..29],
        ]
        .concat();
        let l2 = format!("{l2_body}{}", check_digit(&composite).unwrap());
        let mrz = Mrz::parse(&format!("{l1}\n{l2}\nSTEVENSON<<PETER<<<<<<<<<<<<<<")).unwrap();
        assert_eq!(mrz.document_number, "D23145890734");
        assert_eq!(mrz.optional_data_1, "ABC");
        assert!(mrz.all_check_digits_valid());
    }

    fn dg1_mrz(bytes: &[u8]) -> String {
        let dg1 = crate::asn1::parse_tagged(bytes, 0x61).unwrap();
        let mrz = dg1.require(0x5F1F).unwrap();
        String::from_utf8(mrz.value.to_vec()).unwrap()
    }

    #[test]
    fn dg1_td2_example() {
        let text = dg1_mrz(include_bytes!(
            "../../../test-vectors/data/icao-9303-10-examples/EF_DG1_TD2.bin"
        ));
        let mrz = Mrz::parse(&text).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td2);
        assert_eq!(mrz.document_code, "I");
        assert_eq!(mrz.issuing_state, "UTO");
        assert_eq!(mrz.primary_identifier, "ERIKSSON");
        assert_eq!(mrz.secondary_identifier, "ANNA MARIA");
        assert_eq!(mrz.document_number, "D23145890");
        assert_eq!(mrz.nationality, "UTO");
        assert_eq!(mrz.date_of_birth, "740812");
        assert_eq!(mrz.sex, 'F');
        assert_eq!(mrz.date_of_expiry, "120415");
        assert_eq!(mrz.optional_data_2, "");
        assert!(mrz.all_check_digits_valid());
        assert_eq!(mrz.check_digits.len(), 4);
        assert_eq!(mrz.lines.len(), 2);
    }

    #[test]
    fn dg1_td3_example() {
        let text = dg1_mrz(include_bytes!(
            "../../../test-vectors/data/icao-9303-10-examples/EF_DG1_TD3_AT_style.bin"
        ));
        let mrz = Mrz::parse(&text).unwrap();
        assert_eq!(mrz.format, MrzFormat::Td3);
        // The sample's line 1 is "P<SURNAME<<FIRSTNAME...": read by position, "SUR" is the issuing state.
        assert_eq!(mrz.document_code, "P");
        assert_eq!(mrz.issuing_state, "SUR");
        assert_eq!(mrz.primary_identifier, "NAME");
        assert_eq!(mrz.secondary_identifier, "FIRSTNAME");
        assert_eq!(mrz.document_number, "DOCNUM");
        assert_eq!(mrz.nationality, "UTO");
        assert_eq!(mrz.date_of_birth, "820105");
        assert_eq!(mrz.sex, 'M');
        assert_eq!(mrz.date_of_expiry, "340101");
        assert_eq!(mrz.optional_data_2, "");
        // The personal number is empty and its check digit is a filler, which ICAO 9303-4 allows.
        assert!(mrz.all_check_digits_valid());
        assert_eq!(
            &mrz.key().unwrap().mrz_information()[..],
            b"DOCNUM<<<882010543401011"
        );
    }

    #[test]
    fn visas() {
        // MRV-A and MRV-B: built from the ICAO 9303-7 specimen layout, check digits computed.
        let mrv_a = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<";
        let mrz = Mrz::parse(mrv_a).unwrap();
        assert_eq!(mrz.format, MrzFormat::MrvA);
        assert_eq!(mrz.document_code, "V");
        assert_eq!(mrz.document_number, "L8988901C");
        assert_eq!(mrz.nationality, "XXX");
        assert_eq!(mrz.optional_data_2, "6ZE184226B");
        assert_eq!(mrz.check_digits.len(), 3);
        assert!(mrz.all_check_digits_valid());

        let mrv_b = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<";
        let mrz = Mrz::parse(mrv_b).unwrap();
        assert_eq!(mrz.format, MrzFormat::MrvB);
        assert_eq!(mrz.date_of_expiry, "961210");
        assert_eq!(mrz.optional_data_2, "");
        assert_eq!(mrz.check_digits.len(), 3);
    }

    #[test]
    fn bad_check_digit() {
        let bad = BRP.replace("8803148F", "8803143F");
        assert_eq!(
            Mrz::parse(&bad).unwrap_err(),
            MrzError::CheckDigit {
                field: "date of birth",
                expected: '8',
                found: '3'
            }
        );
        assert_eq!(
            Mrz::parse(&bad).unwrap_err().to_string(),
            "check digit of the date of birth is 3, expected 8"
        );
        let lenient = Mrz::parse_with(
            &bad,
            ParseOptions {
                allow_bad_check_digits: true,
            },
        )
        .unwrap();
        assert!(!lenient.all_check_digits_valid());
        assert_eq!(
            lenient.check_digits,
            [
                CheckDigitResult {
                    field: "document number",
                    valid: true
                },
                CheckDigitResult {
                    field: "date of birth",
                    valid: false
                },
                CheckDigitResult {
                    field: "date of expiry",
                    valid: true
                },
                CheckDigitResult {
                    field: "composite",
                    valid: false
                },
            ]
        );

        // A damaged composite alone.
        let bad = SPECIMEN_TD3.replace("<<<<<10", "<<<<<11");
        assert!(matches!(
            Mrz::parse(&bad),
            Err(MrzError::CheckDigit {
                field: "composite",
                expected: '0',
                found: '1'
            })
        ));
        // A filler is not a check digit for a non-empty personal number.
        let bad = SPECIMEN_TD3.replace("<<<<<10", "<<<<<<0");
        assert!(matches!(
            Mrz::parse(&bad),
            Err(MrzError::CheckDigit {
                field: "optional data",
                ..
            })
        ));
    }

    #[test]
    fn whitespace_and_line_breaks() {
        let reference = Mrz::parse(BRP).unwrap();
        let crlf = BRP.replace('\n', "\r\n");
        let joined = BRP.replace('\n', "");
        let spaced = format!(
            "  {}  \n\n",
            BRP.replace('\n', " \r\n ").replace("AMINA", "AM INA")
        );
        for text in [
            crlf.as_str(),
            joined.as_str(),
            spaced.as_str(),
            &format!("{joined}\n"),
        ] {
            assert_eq!(Mrz::parse(text).unwrap(), reference, "{text:?}");
        }
        let td3 = Mrz::parse(SPECIMEN_TD3).unwrap();
        assert_eq!(Mrz::parse(&SPECIMEN_TD3.replace('\n', "")).unwrap(), td3);
        assert_eq!(SPECIMEN_TD3.parse::<Mrz>().unwrap(), td3);
    }

    #[test]
    fn garbage_is_rejected() {
        assert_eq!(Mrz::parse("").unwrap_err(), MrzError::Empty);
        assert_eq!(Mrz::parse(" \r\n\t").unwrap_err(), MrzError::Empty);
        assert!(matches!(
            Mrz::parse(&BRP.to_lowercase()),
            Err(MrzError::InvalidCharacter {
                line: 1,
                column: 1,
                character: 'i'
            })
        ));
        assert!(matches!(
            Mrz::parse(&"@".repeat(90)),
            Err(MrzError::InvalidCharacter {
                line: 1,
                column: 1,
                character: '@'
            })
        ));
        assert!(matches!(
            Mrz::parse(&"<".repeat(90)),
            Err(MrzError::InvalidDocumentCode(_))
        ));
        assert!(matches!(
            Mrz::parse(&"9".repeat(88)),
            Err(MrzError::InvalidDocumentCode(_))
        ));
        let err = Mrz::parse("IRGBRZU38475628<<<<<<<<<<<<<<<\n8803148F3403130UTO<<<<<<<<<<<8<")
            .unwrap_err();
        assert_eq!(
            err,
            MrzError::BadLength {
                lines: 2,
                lengths: vec![30, 31]
            }
        );
        assert_eq!(
            err.to_string(),
            "MRZ has 2 lines of 30, 31 characters; expected TD1 3x30, TD2 2x36 or TD3 2x44"
        );
        assert_eq!(
            Mrz::parse(&BRP[..89]).unwrap_err(),
            MrzError::BadLength {
                lines: 3,
                lengths: vec![30, 30, 27]
            }
        );
        let bad_date = BRP.replace("880314", "881314");
        assert_eq!(
            Mrz::parse(&bad_date).unwrap_err(),
            MrzError::InvalidDate {
                field: "date of birth",
                value: "881314".into()
            }
        );
        assert_eq!(
            Mrz::parse(&bad_date).unwrap_err().to_string(),
            "the date of birth is not a valid YYMMDD date"
        );
        let bad_sex = BRP.replace("8F34", "8Q34");
        assert_eq!(Mrz::parse(&bad_sex).unwrap_err(), MrzError::InvalidSex('Q'));
        let bad_state = BRP.replace("IRGBR", "IRG8R");
        assert!(matches!(
            Mrz::parse(&bad_state),
            Err(MrzError::InvalidCharacter {
                line: 1,
                column: 4,
                character: '8'
            })
        ));
        // Non-ASCII input of a plausible length.
        assert!(Mrz::parse(&"É".repeat(88)).is_err());
        assert!(Mrz::parse(&format!("{}É", &SPECIMEN_TD3[..88])).is_err());
    }

    #[test]
    fn prefixes_and_mutations_never_panic() {
        let joined = BRP.replace('\n', "");
        for text in [BRP, SPECIMEN_TD3, joined.as_str()] {
            for (i, _) in text.char_indices() {
                let _ = Mrz::parse(&text[..i]);
                let _ = Mrz::parse_with(
                    &text[..i],
                    ParseOptions {
                        allow_bad_check_digits: true,
                    },
                );
                let _ = Mrz::parse(&text[i..]);
            }
        }
        // Every single-character substitution of the specimen, including multi-byte characters.
        for (i, _) in SPECIMEN_TD3.char_indices() {
            for c in ['<', '0', 'A', 'V', '\n', 'é', ' '] {
                let mut s = SPECIMEN_TD3.to_owned();
                s.replace_range(i..=i, &c.to_string());
                let _ = Mrz::parse_with(
                    &s,
                    ParseOptions {
                        allow_bad_check_digits: true,
                    },
                );
            }
        }
        // Long-number edge cases: a check-digit filler with nothing or one character after it.
        for opt in ["<<<<<<<<<<<<<<<", "7<<<<<<<<<<<<<<", "734567890123456"] {
            let text = format!(
                "I<UTOD23145890<{opt}\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<<<<<<<<<<<<<<"
            );
            let result = Mrz::parse_with(
                &text,
                ParseOptions {
                    allow_bad_check_digits: true,
                },
            );
            assert!(result.is_ok(), "{opt}");
        }
    }

    /// Two-digit years take their century from the reading day: a birth date is not in the future, an
    /// expiry date at most twenty years ahead (before issue 21: fixed constants in the CLI, and the ICAO
    /// specimen's expiry 940623 shown as 2094).
    #[test]
    fn two_digit_years_are_placed_relative_to_the_reading_day() {
        use crate::asn1::Time;
        let day = |t: Option<Time>| t.map(|t| (t.year, t.month, t.day));
        let today = Time::from_ymd(2026, 5, 1);
        assert_eq!(day(date_of_expiry("940623", today)), Some((1994, 6, 23)));
        assert_eq!(day(date_of_expiry("340313", today)), Some((2034, 3, 13)));
        assert_eq!(day(date_of_expiry("460501", today)), Some((2046, 5, 1)));
        assert_eq!(day(date_of_expiry("470101", today)), Some((1947, 1, 1)));
        assert_eq!(day(date_of_birth("880314", today)), Some((1988, 3, 14)));
        assert_eq!(day(date_of_birth("260501", today)), Some((2026, 5, 1)));
        assert_eq!(day(date_of_birth("260502", today)), Some((1926, 5, 2)));
        assert_eq!(day(date_of_birth("690806", today)), Some((1969, 8, 6)));
        // Read in 2095, the specimen's expiry is the past 2094, not 1994's century of 2194.
        let later = Time::from_ymd(2095, 1, 1);
        assert_eq!(day(date_of_expiry("940623", later)), Some((2094, 6, 23)));
        assert_eq!(day(date_of_expiry("100101", later)), Some((2110, 1, 1)));
        // Read in 1999, an expiry of 05 is 2005.
        let earlier = Time::from_ymd(1999, 12, 31);
        assert_eq!(day(date_of_expiry("050101", earlier)), Some((2005, 1, 1)));
        assert_eq!(date_of_birth("991332", today), None);
        assert_eq!(date_of_expiry("ABCDEF", today), None);
    }
}
