//! A document's files as JSON, one document per line (JSON Lines): `{"id": ..., "files": {"EF.SOD": base64,
//! "DG1": base64, ...}}`. The input of `mrtd verify -` and of the verification service's uploads.
//!
//! Every byte is untrusted. A line is read up to [`MAX_LINE`] bytes (a longer one is consumed and reported,
//! never buffered whole), and decoded straight into the files it names: unknown members are skipped without
//! being kept, each file is base64-decoded as it is met, and nesting is limited by the JSON parser (128
//! levels), so what a line can make us allocate is bounded by its length. A bad line is an
//! [`Input::Unreadable`] saying why, never an error that ends the input.

use std::collections::BTreeSet;
use std::fmt;
use std::io::BufRead;

use base64ct::Encoding;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::lds::LdsFile;

/// Longest JSON line accepted (a document's files are a few hundred kilobytes at most, base64-encoded).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// One document of an input, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The files of a document.
    Files {
        /// The document's id (its directory, or the `id` of its JSON line).
        id: String,
        /// Its files, in [`LdsFile`] order.
        files: Vec<(LdsFile, Vec<u8>)>,
    },
    /// An input that could not be read into files.
    Unreadable {
        /// The id (or the JSON line number when there is none).
        id: String,
        /// Why.
        reason: String,
    },
}

/// The LDS file a JSON key names: "EF.SOD", "DG1", ... (or a dump name, "EF_SOD.bin").
pub fn file_named(name: &str) -> Option<LdsFile> {
    LdsFile::all().find(|f| f.name() == name || f.dump_name() == name)
}

/// A line's `id`: a string or a number; anything else is skipped (the line is then named by its number).
struct Id(Option<String>);

impl<'de> de::Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id(Some(v.to_owned())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(Id(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Id, E> {
                Ok(Id(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Id, E> {
                Ok(Id(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Id, E> {
                Ok(Id(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Id, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Id(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Id, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Id(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// The `files` object, decoded as it is read; the first problem is kept as the reason and the rest of the
/// object is skipped.
enum Files {
    Decoded(Vec<(LdsFile, Vec<u8>)>),
    Bad(String),
}

/// A file's content: a base64 string, or anything else (skipped).
struct Content(Option<String>);

impl<'de> de::Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Content;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a base64 string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Content, E> {
                Ok(Content(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Content, E> {
                Ok(Content(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Content, E> {
                Ok(Content(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Content, E> {
                Ok(Content(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Content, E> {
                Ok(Content(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Content, E> {
                Ok(Content(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Content, E> {
                Ok(Content(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Content, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Content(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Content, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Content(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> de::Deserialize<'de> for Files {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Files;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of files")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Files, A::Error> {
                let mut out = Vec::new();
                let mut seen = BTreeSet::new();
                let mut bad = None;
                while let Some(name) = map.next_key::<String>()? {
                    if bad.is_some() {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                    let Some(file) = file_named(&name) else {
                        bad = Some(format!("unknown file {name:?}"));
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    };
                    if !seen.insert(file) {
                        bad = Some(format!("{name}: given twice"));
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                    let Content(text) = map.next_value::<Content>()?;
                    let Some(text) = text else {
                        bad = Some(format!("{name}: not a base64 string"));
                        continue;
                    };
                    match base64ct::Base64::decode_vec(text.trim()) {
                        Ok(bytes) => out.push((file, bytes)),
                        Err(e) => bad = Some(format!("{name}: invalid base64 ({e})")),
                    }
                }
                Ok(match bad {
                    Some(reason) => Files::Bad(reason),
                    None => Files::Decoded(out),
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// The members of a line that are used; others are skipped without being kept.
#[derive(serde::Deserialize)]
struct Line {
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    files: Option<Files>,
}

/// One JSON document: `{"id": ..., "files": {"EF.SOD": base64, ...}}`. `number` (1-based) names the line
/// when it has no usable id.
pub fn parse_line(line: &[u8], number: usize) -> Input {
    let fallback = format!("line {number}");
    // An object, not an array read as the struct's fields in order.
    if line.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Input::Unreadable {
            id: fallback,
            reason: "not a JSON object".into(),
        };
    }
    let parsed: Line = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) => {
            return Input::Unreadable {
                id: fallback,
                reason: format!("not a JSON object: {e}"),
            };
        }
    };
    let id = parsed.id.and_then(|Id(id)| id).unwrap_or(fallback);
    let mut files = match parsed.files {
        None => {
            return Input::Unreadable {
                id,
                reason: "no \"files\" object".into(),
            };
        }
        Some(Files::Bad(reason)) => return Input::Unreadable { id, reason },
        Some(Files::Decoded(files)) => files,
    };
    if files.is_empty() {
        return Input::Unreadable {
            id,
            reason: "no files".into(),
        };
    }
    files.sort_by_key(|(f, _)| *f);
    Input::Files { id, files }
}

/// Reads one line of at most `max` bytes; a longer line is consumed and reported as `Err(length)`.
/// `Ok(None)` at the end of the input.
fn read_line_bounded(
    reader: &mut impl BufRead,
    max: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Result<(), usize>>> {
    buf.clear();
    let mut total = 0usize;
    let mut seen_any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(if seen_any {
                Some(if total > max { Err(total) } else { Ok(()) })
            } else {
                None
            });
        }
        seen_any = true;
        let (used, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let data = &chunk[..if done { used - 1 } else { used }];
        total = total.saturating_add(data.len());
        if total <= max {
            buf.extend_from_slice(data);
        }
        reader.consume(used);
        if done {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(if total > max { Err(total) } else { Ok(()) }));
        }
    }
}

/// The inputs of JSON Lines on `reader`, one at a time (blank lines are skipped). A read error ends the
/// iteration after an [`Input::Unreadable`] that names it.
pub fn lines(mut reader: impl BufRead + Send + 'static) -> impl Iterator<Item = Input> + Send {
    let mut number = 0usize;
    let mut buf = Vec::new();
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed {
            return None;
        }
        loop {
            number += 1;
            match read_line_bounded(&mut reader, MAX_LINE, &mut buf) {
                Ok(None) => return None,
                Err(e) => {
                    failed = true;
                    return Some(Input::Unreadable {
                        id: format!("line {number}"),
                        reason: format!("reading the input: {e}"),
                    });
                }
                Ok(Some(Err(len))) => {
                    return Some(Input::Unreadable {
                        id: format!("line {number}"),
                        reason: format!(
                            "line of {len} bytes is longer than the {MAX_LINE}-byte limit"
                        ),
                    });
                }
                Ok(Some(Ok(()))) if buf.iter().all(u8::is_ascii_whitespace) => continue,
                Ok(Some(Ok(()))) => return Some(parse_line(&buf, number)),
            }
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_consumed_and_reported() {
        let text = b"short\r\nxxxxxxxxxx\nlast".to_vec();
        let mut r = std::io::Cursor::new(text);
        let mut buf = Vec::new();
        assert_eq!(
            read_line_bounded(&mut r, 6, &mut buf).unwrap(),
            Some(Ok(()))
        );
        assert_eq!(buf, b"short");
        assert_eq!(
            read_line_bounded(&mut r, 6, &mut buf).unwrap(),
            Some(Err(10))
        );
        assert_eq!(
            read_line_bounded(&mut r, 6, &mut buf).unwrap(),
            Some(Ok(()))
        );
        assert_eq!(buf, b"last");
        assert_eq!(read_line_bounded(&mut r, 6, &mut buf).unwrap(), None);
    }

    #[test]
    fn json_lines_give_files_or_reasons() {
        let input = "{\"id\": 7, \"files\": {\"EF.SOD\": \"AAEC\", \"DG1.bin\": \"AA==\"}}\n\n\
                     not json\n{\"files\": {\"DG99\": \"AA==\"}}\n{\"id\": \"x\", \"files\": {\"DG1\": \"!!\"}}\n";
        let items: Vec<Input> = lines(std::io::Cursor::new(input.as_bytes().to_vec())).collect();
        assert_eq!(items.len(), 4);
        match &items[0] {
            Input::Files { id, files } => {
                assert_eq!(id, "7");
                assert_eq!(files[0], (LdsFile::Sod, vec![0, 1, 2]));
                assert_eq!(files[1], (LdsFile::Dg(1), vec![0]));
            }
            Input::Unreadable { reason, .. } => panic!("{reason}"),
        }
        let reasons: Vec<(String, String)> = items[1..]
            .iter()
            .map(|i| match i {
                Input::Unreadable { id, reason } => (id.clone(), reason.clone()),
                Input::Files { .. } => panic!("files"),
            })
            .collect();
        assert_eq!(reasons[0].0, "line 3");
        assert!(reasons[1].1.contains("DG99"));
        assert_eq!(reasons[2].0, "x");
        assert!(reasons[2].1.contains("base64"));
    }

    fn reason(line: &str) -> String {
        match parse_line(line.as_bytes(), 1) {
            Input::Unreadable { reason, .. } => reason,
            Input::Files { files, .. } => panic!("decoded {} files", files.len()),
        }
    }

    #[test]
    fn hostile_lines_are_refused_with_a_reason() {
        assert!(reason(r#"{"files": {"DG1": "AA==", "DG1.bin": "AA=="}}"#).contains("given twice"));
        assert!(reason(r#"{"files": {"DG1": 5}}"#).contains("not a base64 string"));
        assert!(reason(r#"{"files": {"DG1": ["AA=="]}}"#).contains("not a base64 string"));
        assert!(reason(r#"{"files": []}"#).contains("not a JSON object"));
        assert!(reason(r#"{"files": {}}"#).contains("no files"));
        assert!(reason(r#"[1, 2]"#).contains("not a JSON object"));
        // Deep nesting is skipped where it is not used (without recursion) and refused where it would be
        // decoded: never a stack overflow.
        let deep = format!("{{\"x\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(
            reason(&deep).contains("no \"files\" object"),
            "{}",
            reason(&deep)
        );
        let deep_id = format!("{{\"id\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(
            reason(&deep_id).contains("no \"files\" object"),
            "{}",
            reason(&deep_id)
        );
        let deep_files = format!(
            "{{\"files\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(
            reason(&deep_files).contains("not a JSON object"),
            "{}",
            reason(&deep_files)
        );
        let deep_top = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(
            reason(&deep_top).contains("not a JSON object"),
            "{}",
            reason(&deep_top)
        );
    }

    #[test]
    fn unused_members_and_odd_ids_are_skipped() {
        let line =
            r#"{"id": {"a": [1, 2]}, "extra": {"big": [1, 2, 3]}, "files": {"DG1": "AA=="}}"#;
        match parse_line(line.as_bytes(), 9) {
            Input::Files { id, files } => {
                assert_eq!(id, "line 9");
                assert_eq!(files, vec![(LdsFile::Dg(1), vec![0])]);
            }
            Input::Unreadable { reason, .. } => panic!("{reason}"),
        }
    }
}
