//! LDIF (RFC 2849), the format of the ICAO PKD's downloads: `icaopkd-001` (Document Signer certificates
//! and CRLs), `icaopkd-002` (CSCA master lists) and their deltas.
//!
//! An LDIF file is a sequence of records separated by blank lines; each record is a `dn:` line followed by
//! `attribute: value` lines. A value after `::` is base64 (the PKD's binary attributes:
//! `userCertificate;binary::`, `certificateRevocationList;binary::`, `pkdMasterListContent::`), a line
//! starting with one space continues the previous one (line folding), and `#` starts a comment.
//! [`records`] reads the records one at a time; a malformed record is an error naming its line, and
//! reading goes on with the next record. [`PkdObject::classify`] says what a PKD record carries.

use thiserror::Error;

use super::certificate::base64_decode;

/// What was wrong with an LDIF record.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("LDIF line {line}: {what}")]
pub struct LdifError {
    /// The (1-based) line where the problem is.
    pub line: usize,
    /// What is wrong.
    pub what: String,
}

/// One LDIF record: its distinguished name, change type and attribute values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdifRecord {
    /// The (1-based) line of the `dn:` line.
    pub line: usize,
    /// The distinguished name, as written (or base64-decoded from `dn::`).
    pub dn: String,
    /// The `changetype:` of a change record (`add`, `delete`, `modify`, `moddn`), if any.
    pub change_type: Option<String>,
    /// The attributes in order: the description (lower case, options such as `;binary` kept) and the value.
    pub attributes: Vec<(String, Vec<u8>)>,
}

impl LdifRecord {
    /// The values of attribute `name` (compared case-insensitively; options such as `;binary` ignored).
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.attributes
            .iter()
            .filter(move |(n, _)| {
                n.split(';')
                    .next()
                    .is_some_and(|base| base.eq_ignore_ascii_case(name))
            })
            .map(|(_, v)| v.as_slice())
    }

    /// The value of the `o=` component of the DN (`dsc`, `crl`, `ml` in the PKD's tree), lower case.
    pub fn organisation(&self) -> Option<String> {
        split_dn(&self.dn).into_iter().find_map(|rdn| {
            // A multi-valued RDN (cn=...+sn=...) has several attribute=value pairs.
            split_unescaped(&rdn, '+').into_iter().find_map(|ava| {
                let (k, v) = ava.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("o")
                    .then(|| v.trim().to_ascii_lowercase())
            })
        })
    }
}

/// Splits a DN into its RDNs at unescaped commas.
fn split_dn(dn: &str) -> Vec<String> {
    split_unescaped(dn, ',')
}

fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            current.push(c);
            escaped = true;
        } else if c == sep {
            out.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    out.push(current);
    out
}

/// Reads the records of an LDIF file one at a time (the `version:` line and comments are skipped).
pub fn records(text: &[u8]) -> Records<'_> {
    Records {
        lines: Lines {
            text,
            pos: 0,
            line: 0,
        },
        first: true,
    }
}

/// Iterator over the records of an LDIF file: see [`records`].
pub struct Records<'a> {
    lines: Lines<'a>,
    first: bool,
}

/// Physical lines with their numbers, without the line terminator.
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn peek(&self) -> Option<&'a [u8]> {
        let rest = self.text.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        let line = &rest[..end];
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }

    fn advance(&mut self) {
        if let Some(rest) = self.text.get(self.pos..) {
            let end = rest
                .iter()
                .position(|b| *b == b'\n')
                .map_or(rest.len(), |i| i + 1);
            self.pos += end;
            self.line += 1;
        }
    }

    /// The next logical line (folded continuation lines joined), with its first line's number; `None` at a
    /// blank line (left in place) or the end.
    fn logical(&mut self) -> Option<(usize, Vec<u8>)> {
        let first = self.peek()?;
        if first.is_empty() {
            return None;
        }
        let mut out = first.to_vec();
        self.advance();
        let number = self.line;
        while let Some(next) = self.peek() {
            match next.strip_prefix(b" ") {
                Some(cont) => {
                    out.extend_from_slice(cont);
                    self.advance();
                }
                None => break,
            }
        }
        Some((number, out))
    }

    fn skip_blank(&mut self) {
        while self.peek().is_some_and(<[u8]>::is_empty) {
            self.advance();
        }
    }

    /// Skips the rest of a record (up to the next blank line).
    fn skip_record(&mut self) {
        while self.peek().is_some_and(|l| !l.is_empty()) {
            self.advance();
        }
    }
}

/// One `name: value`, `name:: base64` line.
fn attribute(line: usize, text: &[u8]) -> Result<(String, Vec<u8>), LdifError> {
    let err = |what: &str| LdifError {
        line,
        what: what.to_string(),
    };
    let colon = text
        .iter()
        .position(|b| *b == b':')
        .ok_or_else(|| err("no ':' after the attribute name"))?;
    let name = std::str::from_utf8(&text[..colon])
        .map_err(|_| err("attribute name is not text"))?
        .trim()
        .to_ascii_lowercase();
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b';' || b == b'.')
    {
        return Err(err("malformed attribute name"));
    }
    let rest = &text[colon + 1..];
    let value = match rest.first() {
        Some(b':') => {
            let b64 =
                std::str::from_utf8(&rest[1..]).map_err(|_| err("base64 value is not text"))?;
            base64_decode(b64.trim()).ok_or_else(|| err(&format!("{name}: invalid base64")))?
        }
        Some(b'<') => return Err(err(&format!("{name}: URL values (':<') are not supported"))),
        _ => {
            let start = rest.iter().position(|b| *b != b' ').unwrap_or(rest.len());
            rest[start..].to_vec()
        }
    };
    Ok((name, value))
}

impl Records<'_> {
    fn record(&mut self) -> Result<LdifRecord, LdifError> {
        let (line, dn_line) = self.lines.logical().ok_or(LdifError {
            line: self.lines.line + 1,
            what: "empty record".into(),
        })?;
        let (name, dn) = attribute(line, &dn_line)?;
        if name != "dn" {
            return Err(LdifError {
                line,
                what: format!("a record starts with dn:, not {name}:"),
            });
        }
        let dn = String::from_utf8(dn).map_err(|_| LdifError {
            line,
            what: "dn is not UTF-8".into(),
        })?;
        let mut record = LdifRecord {
            line,
            dn,
            change_type: None,
            attributes: Vec::new(),
        };
        while let Some((n, text)) = self.lines.logical() {
            if text.first() == Some(&b'#') {
                continue;
            }
            if text.as_slice() == b"-" {
                // The separator between modifications of a `changetype: modify` record.
                continue;
            }
            let (name, value) = attribute(n, &text)?;
            if name == "changetype" {
                // RFC 2849 puts it right after the dn, but wherever it stands it makes the record a change
                // record: read as an add, a `delete` placed after another line would load what it deletes.
                let change = String::from_utf8_lossy(&value).trim().to_string();
                if let Some(first) = &record.change_type {
                    return Err(LdifError {
                        line: n,
                        what: format!("a second changetype ({change}) after changetype {first}"),
                    });
                }
                record.change_type = Some(change);
            } else {
                record.attributes.push((name, value));
            }
        }
        Ok(record)
    }
}

impl Iterator for Records<'_> {
    type Item = Result<LdifRecord, LdifError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.lines.skip_blank();
            let line = self.lines.peek()?;
            if line.first() == Some(&b'#') {
                // A comment (possibly folded).
                let _ = self.lines.logical();
                continue;
            }
            if self.first {
                self.first = false;
                if line.starts_with(b"version:") {
                    let _ = self.lines.logical();
                    continue;
                }
            }
            let result = self.record();
            if result.is_err() {
                self.lines.skip_record();
            }
            return Some(result);
        }
    }
}

/// What a record of an ICAO PKD download carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PkdObject<'a> {
    /// A Document Signer certificate (`userCertificate;binary` under `o=dsc`), DER.
    DocumentSigner(&'a [u8]),
    /// A CRL (`certificateRevocationList;binary` under `o=crl`), DER.
    Crl(&'a [u8]),
    /// A CSCA master list (`pkdMasterListContent` under `o=ml`), a CMS ContentInfo.
    MasterList(&'a [u8]),
    /// A record carrying none of these (a directory node, a deviation list, an unknown object).
    Other,
}

impl<'a> PkdObject<'a> {
    /// The objects a record carries, by attribute (the DN's `o=` is not needed; the PKD puts each kind under
    /// its own branch).
    pub fn classify(record: &'a LdifRecord) -> Vec<PkdObject<'a>> {
        let mut out: Vec<PkdObject<'a>> = Vec::new();
        out.extend(
            record
                .values("usercertificate")
                .map(PkdObject::DocumentSigner),
        );
        out.extend(
            record
                .values("certificaterevocationlist")
                .map(PkdObject::Crl),
        );
        out.extend(
            record
                .values("pkdmasterlistcontent")
                .map(PkdObject::MasterList),
        );
        if out.is_empty() {
            out.push(PkdObject::Other);
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn folded_base64_and_comments() {
        let text = b"version: 1\r\n\r\n# a comment\r\n  folded\r\n\
dn: cn=OU\\=Test\\,C\\=UT+sn=01,o=dsc,c=UT,dc=data,dc=download,dc=pkd,dc=icao,dc=int\r\n\
pkdVersion: 7\r\nuserCertificate;binary:: TW\r\n Fu\r\n\r\n\r\n\
dn: cn=x,o=crl,c=UT,dc=data\nobjectClass: top\ncertificateRevocationList;binary:: TWE=\n";
        let records: Vec<_> = records(text).collect::<Result<_, _>>().unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].organisation().as_deref(), Some("dsc"));
        assert_eq!(records[0].values("pkdversion").next(), Some(&b"7"[..]));
        assert_eq!(
            PkdObject::classify(&records[0]),
            vec![PkdObject::DocumentSigner(b"Man")]
        );
        assert_eq!(records[1].line, 11);
        assert_eq!(
            PkdObject::classify(&records[1]),
            vec![PkdObject::Crl(b"Ma")]
        );
    }

    #[test]
    fn a_bad_record_is_an_error_and_reading_goes_on() {
        let text = b"dn: a\nno colon here\nmore\n\ndn: b\nx:: !!!\n\ndn: c\nchangetype: delete\n";
        let results: Vec<_> = records(text).collect();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].as_ref().unwrap_err().line, 2);
        assert!(results[1].as_ref().unwrap_err().what.contains("base64"));
        assert_eq!(
            results[2].as_ref().unwrap().change_type.as_deref(),
            Some("delete")
        );
        assert!(records(b"").next().is_none());
        assert!(records(b"x: y\n").next().unwrap().is_err());
    }

    /// A `changetype:` after another attribute still makes the record a change record (it was read as an
    /// attribute, and the record applied as an add); a second one is an error.
    #[test]
    fn changetype_is_honoured_wherever_it_stands() {
        let text = b"dn: cn=x,o=dsc,c=UT\nobjectClass: top\nchangetype: delete\n\n\
dn: cn=y,o=dsc,c=UT\nchangetype: add\nobjectClass: top\nchangetype: delete\n";
        let results: Vec<_> = records(text).collect();
        let first = results[0].as_ref().unwrap();
        assert_eq!(first.change_type.as_deref(), Some("delete"));
        assert_eq!(first.attributes.len(), 1, "{first:?}");
        let second = results[1].as_ref().unwrap_err();
        assert!(second.what.contains("second changetype"), "{second}");
        assert_eq!(second.line, 8);
    }
}
