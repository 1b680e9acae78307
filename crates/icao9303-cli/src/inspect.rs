//! `mrtd inspect FILE [--json]`: decodes one LDS file (or a bare face record, an image, a CV certificate or
//! certificate request) recognised by its leading tag, and prints what it holds.
//!
//! Exit codes: 0 the file was recognised and decoded (files shown raw by design, such as DG14, count as
//! decoded); 1 the file was recognised but does not parse, an image in it is broken, or its kind is unknown;
//! 2 the file cannot be read.

use crate::inspect_cvc::{self, CvKind};
use anyhow::anyhow;
use clap::Args;
use icao9303::asn1;
use icao9303::dtc::Dtc;
use icao9303::lds::LdsFile;
use icao9303::lds::decoded::{Decoded, FileContent, decode_file};
use icao9303::lds::dg3::Dg3;
use icao9303::lds::face::{FaceImage, FaceRecord};
use icao9303::lds::image::{ImageFormat, decode_image, sniff_format};
use serde::Serialize;
use serde_json::Value;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Arguments of `mrtd inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The file to decode: a file saved by `mrtd read --out` (EF_COM.bin, DG2.bin, ...) or any LDS file.
    pub file: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write the first face image (DG2 or a face record) to this file (PNG, or unchanged for .jpg/.jp2).
    #[arg(long, value_name = "FILE")]
    pub photo: Option<PathBuf>,
    /// Write each finger image of a DG3 file as PNG into this directory, named by finger position
    /// (right-index-finger.png, ...).
    #[arg(long, value_name = "DIR")]
    pub fingerprints: Option<PathBuf>,
}

/// What a file was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An elementary file of the LDS.
    Lds(LdsFile),
    /// A bare ISO/IEC 19794-5 or 39794-5 face record.
    FaceRecord,
    /// An image file.
    Image(ImageFormat),
    /// A Digital Travel Credential's virtual component (Type 1 DTC-VC).
    Dtc,
    /// A CV certificate or certificate request (Terminal Authentication).
    Cv(CvKind),
    /// Nothing known.
    Unknown,
}

impl Kind {
    fn label(self) -> String {
        match self {
            Kind::Lds(f) => f.name(),
            Kind::FaceRecord => "face record".into(),
            Kind::Image(f) => format!("{f:?} image"),
            Kind::Dtc => "DTC-VC".into(),
            Kind::Cv(k) => k.label().into(),
            Kind::Unknown => "unknown".into(),
        }
    }

    fn description(self) -> &'static str {
        match self {
            Kind::Lds(file) => file.description(),
            Kind::FaceRecord => "ISO/IEC 19794-5 or 39794-5 face record",
            Kind::Image(_) => "image",
            Kind::Dtc => {
                "Digital Travel Credential (Type 1): the chip's EF.SOD and data groups, to verify with mrtd verify"
            }
            Kind::Cv(k) => k.description(),
            Kind::Unknown => "not an LDS file this tool recognises",
        }
    }
}

/// Recognises a file from its leading tag (and, where the tag is shared or not fixed, from its name).
fn detect(name: Option<&str>, bytes: &[u8]) -> Kind {
    let by_name = name.and_then(LdsFile::from_dump_name);
    if bytes.starts_with(b"FAC\0") {
        return Kind::FaceRecord;
    }
    if let Some(format) = sniff_format(bytes) {
        return Kind::Image(format);
    }
    if let Some(cv) = inspect_cvc::detect(bytes) {
        return Kind::Cv(cv);
    }
    let Ok(header) = asn1::parse_header(bytes) else {
        return by_name.map_or(Kind::Unknown, Kind::Lds);
    };
    let file = match header.tag {
        // A SEQUENCE starting with an INTEGER: a DTCContentInfo (a certificate or CMS starts otherwise).
        0x30 if bytes.get(header.header_len) == Some(&0x02) => return Kind::Dtc,
        0x60 => LdsFile::Com,
        // DG1 and an EF.DIR application template share tag 61: look at the first tag inside.
        0x61 => {
            let inner = bytes
                .get(header.header_len..)
                .and_then(|v| asn1::parse_header(v).ok());
            match (inner.map(|h| h.tag), by_name) {
                (Some(0x4F | 0x50), _) | (_, Some(LdsFile::Dir)) => LdsFile::Dir,
                _ => LdsFile::Dg(1),
            }
        }
        0x31 => LdsFile::CardAccess,
        0x77 => LdsFile::Sod,
        0x42 => LdsFile::Cvca,
        0x7F66 | 0x47 | 0x5F52 | 0x46 | 0x45 => LdsFile::AtrInfo,
        0xA1 => return Kind::FaceRecord,
        tag => match LdsFile::from_tag(tag).or(by_name) {
            Some(f) => f,
            None => return Kind::Unknown,
        },
    };
    Kind::Lds(file)
}

/// The check of one image found in the file.
#[derive(Debug, Serialize)]
struct ImageCheck {
    /// Where the image is: "face 1", "image 1".
    which: String,
    /// The format recognised from the bytes.
    format: ImageFormat,
    /// Image bytes.
    length: usize,
    /// Decoded size, when it decodes.
    width: Option<u32>,
    /// Decoded size, when it decodes.
    height: Option<u32>,
    /// Why it does not decode.
    error: Option<String>,
}

fn check_image(which: String, data: &[u8], declared: ImageFormat) -> ImageCheck {
    let format = sniff_format(data).unwrap_or(declared);
    match decode_image(data) {
        Ok(img) => ImageCheck {
            which,
            format,
            length: data.len(),
            width: Some(img.width),
            height: Some(img.height),
            error: None,
        },
        Err(e) => ImageCheck {
            which,
            format,
            length: data.len(),
            width: None,
            height: None,
            error: Some(e.to_string()),
        },
    }
}

/// The result of inspecting one file.
#[derive(Debug, Serialize)]
struct Inspection {
    /// The path given.
    path: String,
    /// What the file was recognised as: "DG2", "EF.SOD", "face record", "unknown", ...
    kind: String,
    /// What that kind of file holds.
    description: &'static str,
    /// The leading tag in hex, when the file starts with a readable tag.
    tag: Option<String>,
    /// File length in bytes.
    length: usize,
    /// The decoded content.
    #[serde(skip_serializing_if = "Value::is_null")]
    content: Value,
    /// The images found and whether they decode.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    images: Vec<ImageCheck>,
    /// A note for files that are not decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    /// True when the file was recognised, parsed, and every image in it decodes.
    ok: bool,
}

/// Runs `mrtd inspect`. `Ok(true)`: decoded; `Ok(false)`: recognised but broken, or unknown; `Err`: unreadable.
pub fn run(args: &InspectArgs) -> anyhow::Result<bool> {
    // Read with a size limit (a device or an endless file is refused, not buffered whole).
    let bytes = icao9303_emu::dump::read_file(&args.file)?;
    if bytes.is_empty() {
        return Err(anyhow!("{} is empty", args.file.display()));
    }
    let (inspection, faces) = inspect(&args.file, &bytes);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&inspection)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        );
    } else {
        print!("{}", text(&inspection, &bytes));
    }
    for img in inspection.images.iter().filter(|i| i.error.is_some()) {
        eprintln!(
            "{}: the {} image is broken ({})",
            inspection.kind,
            img.which,
            img.error.as_deref().unwrap_or_default()
        );
    }
    if let Some(path) = &args.photo {
        crate::photo::save_first_face(&inspection.kind, &faces, path)?;
    }
    if let Some(dir) = &args.fingerprints {
        let fingers = match detect(args.file.file_name().and_then(|n| n.to_str()), &bytes) {
            Kind::Lds(LdsFile::Dg(3)) => Dg3::parse(&bytes).map(|d| d.fingers).unwrap_or_default(),
            _ => Vec::new(),
        };
        crate::fingerprints::save_fingerprints(&inspection.kind, &fingers, dir)?;
    }
    Ok(inspection.ok)
}

fn inspect(path: &Path, bytes: &[u8]) -> (Inspection, Vec<FaceImage>) {
    let name = path.file_name().and_then(|n| n.to_str());
    let kind = detect(name, bytes);
    let tag = match kind {
        Kind::Lds(_) | Kind::Dtc | Kind::Cv(_) | Kind::Unknown => asn1::parse_header(bytes)
            .ok()
            .map(|h| format!("{:X}", h.tag)),
        Kind::FaceRecord | Kind::Image(_) => None,
    };
    let mut faces = Vec::new();
    let mut images = Vec::new();
    let mut note = None;
    let (content, parsed) = match kind {
        Kind::Lds(file) => {
            let content = decode_file(file, bytes);
            match &content {
                FileContent::Dg2(Decoded::Parsed(dg2)) => faces.clone_from(&dg2.faces),
                FileContent::Dg3(Decoded::Parsed(dg3)) => {
                    images.extend(dg3.fingers.iter().map(|f| {
                        check_image(format!("finger {}", f.file_stem()), &f.data, f.format)
                    }));
                }
                FileContent::Dg4(Decoded::Parsed(dg4)) => {
                    images.extend(dg4.irises.iter().map(|i| {
                        check_image(format!("iris {}", i.file_stem()), &i.data, i.format)
                    }));
                }
                FileContent::DisplayedImages(Decoded::Parsed(group)) => {
                    images.extend(group.images.iter().enumerate().map(|(i, img)| {
                        check_image(format!("image {}", i + 1), &img.data, img.format)
                    }));
                }
                FileContent::Raw(raw) => note = Some(raw.note.clone()),
                _ => {}
            }
            (to_value(&content), content.error().is_none())
        }
        Kind::FaceRecord => {
            let record: Decoded<FaceRecord> = FaceRecord::parse(bytes).into();
            if let Decoded::Parsed(r) = &record {
                faces.clone_from(&r.faces);
            }
            let ok = record.error().is_none();
            (to_value(&record), ok)
        }
        Kind::Image(format) => {
            images.push(check_image("file".into(), bytes, format));
            (Value::Null, true)
        }
        Kind::Dtc => match Dtc::parse(bytes) {
            Err(e) => (serde_json::json!({ "error": e.to_string() }), false),
            Ok(dtc) => {
                let mut files = serde_json::Map::new();
                let mut parsed = true;
                let contents = std::iter::once((LdsFile::Sod, dtc.sod()))
                    .chain(dtc.data_groups().map(|(n, b)| (LdsFile::Dg(n), b)));
                for (file, bytes) in contents {
                    let content = decode_file(file, bytes);
                    parsed &= content.error().is_none();
                    if let FileContent::Dg2(Decoded::Parsed(dg2)) = &content {
                        faces.extend(dg2.faces.iter().cloned());
                    }
                    files.insert(file.name(), to_value(&content));
                }
                let value = serde_json::json!({
                    "type": "1 (eMRTD bound)",
                    "version": icao9303::dtc::VERSION,
                    "elements": dtc.layout(),
                    "files": files,
                });
                (value, parsed)
            }
        },
        Kind::Cv(cv) => inspect_cvc::decode(cv, bytes),
        Kind::Unknown => {
            note = Some(format!(
                "not recognised: the file starts with {} — expected an LDS tag (60 EF.COM, 61 DG1, 75 DG2, \
                 63/76 DG3/4, 65-67 DG5-7, 6B-6F DG11-15, 70 DG16, 77 EF.SOD, 31 EF.CardAccess, 42 EF.CVCA), a \
                 face record, an image, or a CV certificate (7F21) or request (67); shown as hex",
                hex(bytes.get(..4).unwrap_or(bytes))
            ));
            (Value::Null, false)
        }
    };
    images.extend(
        faces
            .iter()
            .enumerate()
            .map(|(i, f)| check_image(format!("face {}", i + 1), &f.data, f.format)),
    );
    let ok = parsed && kind != Kind::Unknown && images.iter().all(|i| i.error.is_none());
    (
        Inspection {
            path: path.display().to_string(),
            kind: kind.label(),
            description: kind.description(),
            tag,
            length: bytes.len(),
            content,
            images,
            note,
            ok,
        },
        faces,
    )
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or_else(|e| Value::String(format!("cannot be shown: {e}")))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

/// The most bytes a text hex dump shows.
const HEX_DUMP_LIMIT: usize = 4096;

/// A classic hex dump: offset, 16 bytes in hex, printable ASCII.
fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    let shown = &bytes[..bytes.len().min(HEX_DUMP_LIMIT)];
    for (i, line) in shown.chunks(16).enumerate() {
        let hexes: Vec<String> = line.iter().map(|b| format!("{b:02X}")).collect();
        let ascii: String = line
            .iter()
            .map(|b| {
                if b.is_ascii_graphic() || *b == b' ' {
                    char::from(*b)
                } else {
                    '.'
                }
            })
            .collect();
        let _ = writeln!(out, "  {:06X}  {:<47}  {ascii}", i * 16, hexes.join(" "));
    }
    if bytes.len() > shown.len() {
        let _ = writeln!(out, "  … {} more bytes", bytes.len() - shown.len());
    }
    out
}

/// Renders the inspection as indented text.
fn text(i: &Inspection, bytes: &[u8]) -> String {
    let mut out = String::new();
    let tag = i
        .tag
        .as_deref()
        .map(|t| format!("tag {t}, "))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{}: {} ({tag}{} bytes): {}",
        i.path, i.kind, i.length, i.description
    );
    match &i.content {
        Value::Object(map) if map.contains_key("error") => {
            let e = map.get("error").and_then(Value::as_str).unwrap_or_default();
            let _ = writeln!(out, "cannot be parsed: {e}");
        }
        Value::Object(map) if map.contains_key("parsed") => {
            if let Some(v) = map.get("parsed") {
                write_value(&mut out, 0, None, v);
            }
        }
        Value::Null => {}
        Value::Object(map) if map.contains_key("elements") => dtc_text(&mut out, map),
        other => write_value(&mut out, 0, None, &drop_key(other, "hex")),
    }
    for img in &i.images {
        let _ = match (&img.error, img.width, img.height) {
            (None, Some(w), Some(h)) => writeln!(
                out,
                "{}: {:?}, {} bytes, decodes to {w}x{h} pixels",
                img.which, img.format, img.length
            ),
            (e, _, _) => writeln!(
                out,
                "{}: {:?}, {} bytes, BROKEN: {}",
                img.which,
                img.format,
                img.length,
                e.as_deref().unwrap_or("does not decode")
            ),
        };
    }
    if let Some(note) = &i.note {
        let _ = writeln!(out, "note: {note}");
        out.push_str(&hex_dump(bytes));
    }
    out
}

/// A DTC-VC: its elements with offsets, then each file it holds, decoded.
fn dtc_text(out: &mut String, map: &serde_json::Map<String, Value>) {
    let _ = writeln!(
        out,
        "Type 1 (eMRTD bound), version {}",
        map.get("version").and_then(scalar).unwrap_or_default()
    );
    let _ = writeln!(out, "  offset  header        element");
    for e in map
        .get("elements")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let field = |k: &str| e.get(k).and_then(scalar).unwrap_or_default();
        let file = e
            .get("file")
            .and_then(Value::as_str)
            .map(|f| format!(" ({f})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:>6}  {:<12}  {}{file}, {} bytes",
            field("offset"),
            field("header"),
            field("name"),
            field("content_len")
        );
    }
    for (name, content) in map
        .get("files")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        match content {
            Value::Object(c) if c.contains_key("parsed") => {
                let _ = writeln!(out, "{name}:");
                if let Some(v) = c.get("parsed") {
                    write_value(out, 1, None, v);
                }
            }
            Value::Object(c) if c.contains_key("error") => {
                let e = c.get("error").and_then(Value::as_str).unwrap_or_default();
                let _ = writeln!(out, "{name}: cannot be parsed: {e}");
            }
            Value::Object(c) => {
                let note = c.get("note").and_then(Value::as_str).unwrap_or_default();
                let _ = writeln!(out, "{name}: {note}");
            }
            _ => {}
        }
    }
}

fn drop_key(v: &Value, key: &str) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| *k != key)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Writes a JSON value as indented `key: value` lines, leaving out empty fields.
fn write_value(out: &mut String, indent: usize, key: Option<&str>, v: &Value) {
    if is_empty(v) {
        return;
    }
    let pad = "  ".repeat(indent);
    let label = key.map(|k| k.replace('_', " "));
    if let Some(s) = scalar(v) {
        let _ = match &label {
            Some(l) => writeln!(out, "{pad}{l}: {s}"),
            None => writeln!(out, "{pad}{s}"),
        };
        return;
    }
    match v {
        // Tag lists (DG11, DG12 tag 5C) are numbers in JSON; tags read better in hex.
        Value::Array(items) if key == Some("tag_list") => {
            let tags: Vec<String> = items
                .iter()
                .filter_map(Value::as_u64)
                .map(|t| format!("{t:X}"))
                .collect();
            let _ = writeln!(out, "{pad}tag list: {}", tags.join(" "));
        }
        Value::Array(items) if items.iter().all(|x| scalar(x).is_some()) => {
            let joined: Vec<String> = items.iter().filter_map(scalar).collect();
            let _ = match &label {
                Some(l) => writeln!(out, "{pad}{l}: {}", joined.join(", ")),
                None => writeln!(out, "{pad}{}", joined.join(", ")),
            };
        }
        Value::Array(items) => {
            for (n, item) in items.iter().enumerate() {
                let l = format!("{} {}", label.as_deref().unwrap_or("item"), n + 1);
                let _ = writeln!(out, "{pad}{l}:");
                write_value(out, indent + 1, None, item);
            }
        }
        Value::Object(map) => {
            let inner = match &label {
                Some(l) => {
                    let _ = writeln!(out, "{pad}{l}:");
                    indent + 1
                }
                None => indent,
            };
            for (k, x) in map {
                write_value(out, inner, Some(k), x);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_leading_tag() {
        assert_eq!(detect(None, &[0x60, 0x00]), Kind::Lds(LdsFile::Com));
        assert_eq!(
            detect(None, &[0x61, 0x03, 0x5F, 0x1F, 0x00]),
            Kind::Lds(LdsFile::Dg(1))
        );
        assert_eq!(
            detect(None, &[0x61, 0x02, 0x4F, 0x00]),
            Kind::Lds(LdsFile::Dir)
        );
        assert_eq!(detect(None, &[0x6E, 0x00]), Kind::Lds(LdsFile::Dg(14)));
        assert_eq!(detect(None, &[0x31, 0x00]), Kind::Lds(LdsFile::CardAccess));
        assert_eq!(detect(None, b"FAC\x00010\x00"), Kind::FaceRecord);
        assert_eq!(
            detect(None, &[0xFF, 0xD8, 0xFF, 0xE0]),
            Kind::Image(ImageFormat::Jpeg)
        );
        assert_eq!(detect(None, &[0x99, 0x00]), Kind::Unknown);
        assert_eq!(detect(None, &[0x30, 0x03, 0x02, 0x01, 0x01]), Kind::Dtc);
        assert_eq!(detect(None, &[0x30, 0x02, 0x30, 0x00]), Kind::Unknown);
        assert_eq!(detect(None, &[0x42, 0x01, 0x41]), Kind::Lds(LdsFile::Cvca));
        assert_eq!(
            detect(None, &[0x67, 0x04, 0x7F, 0x21, 0x01, 0x00]),
            Kind::Cv(CvKind::Request)
        );
        assert_eq!(
            detect(None, &[0x67, 0x03, 0x02, 0x01, 0x01]),
            Kind::Lds(LdsFile::Dg(7))
        );
        assert_eq!(
            detect(None, &[0x7F, 0x21, 0x00]),
            Kind::Cv(CvKind::Certificate)
        );
        assert_eq!(detect(None, &[0x1F]), Kind::Unknown);
        assert_eq!(
            detect(Some("EF_ATR_INFO.bin"), &[0x1F]),
            Kind::Lds(LdsFile::AtrInfo)
        );
    }

    #[test]
    fn text_of_nested_values_skips_empty_fields() {
        let v = serde_json::json!({"a_b": 1, "empty": [], "list": ["x", "y"], "obj": {"k": null, "n": "v"}, "rows": [{"z": 2}]});
        let mut out = String::new();
        write_value(&mut out, 0, None, &v);
        assert_eq!(out, "a b: 1\nlist: x, y\nobj:\n  n: v\nrows 1:\n  z: 2\n");
        assert!(hex_dump(&[0x41; 20]).contains("000010  41 41 41 41"));
    }
}
