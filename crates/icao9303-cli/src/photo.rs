//! `--photo FILE`: saves the first face image of DG2 (or of a bare face record).
//!
//! The face is decoded (JPEG or JPEG 2000) and written as PNG. When `FILE`'s extension names the image's own
//! format (`.jpg` for a JPEG, `.jp2` for a JPEG 2000 face), the image is written unchanged instead. A face whose
//! image cannot be decoded is not lost: its raw bytes are written next to `FILE` with the extension of their
//! format, and a message says so.

use icao9303::lds::face::FaceImage;
use icao9303::lds::image::{ImageFormat, sniff_format, to_png};
use std::path::{Path, PathBuf};

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// The face decoded and was written as PNG.
    Png(PathBuf),
    /// The image was written unchanged (the requested extension matched its format).
    Original(PathBuf),
    /// The image did not decode; its raw bytes were written here.
    RawKept {
        /// Where the raw image went.
        path: PathBuf,
        /// Why it did not decode.
        reason: String,
    },
}

fn extension_matches(path: &Path, format: ImageFormat) -> bool {
    let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
        return false;
    };
    let ext = ext.to_ascii_lowercase();
    match format {
        ImageFormat::Jpeg => ext == "jpg" || ext == "jpeg",
        ImageFormat::Jpeg2000 => ext == "jp2" || ext == "j2k",
        ImageFormat::Wsq => ext == "wsq",
        ImageFormat::Png | ImageFormat::Unknown(_) => false,
    }
}

/// Where the raw bytes of an undecodable image go: `FILE` with the image format's extension (`face.jpg`), or
/// `face.raw.EXT` when that is `FILE` itself.
fn raw_path(path: &Path, format: ImageFormat) -> PathBuf {
    let candidate = path.with_extension(format.extension());
    if candidate == path {
        path.with_extension(format!("raw.{}", format.extension()))
    } else {
        candidate
    }
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::private_file::write_private(path, bytes)
}

/// Writes `face` to `path` (see the module documentation). Fails only when the file cannot be written.
pub fn save_face(face: &FaceImage, path: &Path) -> anyhow::Result<Saved> {
    let format = sniff_format(&face.data).unwrap_or(face.format);
    if extension_matches(path, format) {
        write(path, &face.data)?;
        return Ok(Saved::Original(path.to_path_buf()));
    }
    match to_png(&face.data) {
        Ok(png) => {
            write(path, &png)?;
            Ok(Saved::Png(path.to_path_buf()))
        }
        Err(e) => {
            let raw = raw_path(path, format);
            write(&raw, &face.data)?;
            Ok(Saved::RawKept {
                path: raw,
                reason: e.to_string(),
            })
        }
    }
}

/// Saves the first of `faces` (found in `file`, e.g. "DG2") and tells the user what happened on stderr.
/// A missing or broken face is a message, not an error; failing to write is an error.
pub fn save_first_face(file: &str, faces: &[FaceImage], path: &Path) -> anyhow::Result<()> {
    let Some(face) = faces.first() else {
        eprintln!(
            "{file}: no face image found; nothing written to {}",
            path.display()
        );
        return Ok(());
    };
    match save_face(face, path)? {
        Saved::Png(p) => crate::ui::note(format!(
            "{file}: face image ({:?}, {}x{}) written as PNG to {}",
            face.format,
            face.width,
            face.height,
            p.display()
        )),
        Saved::Original(p) => crate::ui::note(format!(
            "{file}: face image ({:?}) written unchanged to {}",
            face.format,
            p.display()
        )),
        Saved::RawKept { path: p, reason } => eprintln!(
            "{file}: the face image is broken ({reason}); the raw image was kept in {}",
            p.display()
        ),
    }
    Ok(())
}
