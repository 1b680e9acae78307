//! `--fingerprints DIR`: writes each finger image of DG3 as PNG, named by finger position
//! (`right-index-finger.png`; a second image of the same position gets `-2`, and so on).
//!
//! The images are decoded (WSQ, JPEG 2000, PNG or JPEG) and written as PNG. An image that does not decode is not
//! lost: its raw bytes are written under the same name with the extension of their format, and a message says so.

use icao9303::lds::finger::FingerImage;
use icao9303::lds::image::to_png;
use std::collections::HashMap;
use std::path::Path;

use crate::photo::Saved;

/// Writes every finger of `fingers` (found in `file`, e.g. "DG3") to `dir`, creating it if needed, and tells the
/// user what happened on stderr. A broken image is a message, not an error; failing to write is an error.
pub fn save_fingerprints(
    file: &str,
    fingers: &[FingerImage],
    dir: &Path,
) -> anyhow::Result<Vec<Saved>> {
    if fingers.is_empty() {
        eprintln!(
            "{file}: no finger image found; nothing written to {}",
            dir.display()
        );
        return Ok(Vec::new());
    }
    crate::private_file::create_private_dir(dir)?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut saved = Vec::new();
    for finger in fingers {
        let stem = finger.file_stem();
        let count = seen.entry(stem.clone()).or_default();
        *count += 1;
        let name = if *count == 1 {
            stem
        } else {
            format!("{stem}-{count}")
        };
        let what = finger
            .position_name
            .map_or_else(|| format!("position {}", finger.position), str::to_owned);
        match to_png(&finger.data) {
            Ok(png) => {
                let path = dir.join(format!("{name}.png"));
                write(&path, &png)?;
                crate::ui::note(format!(
                    "{file}: {what} ({:?}, {}x{}) written as PNG to {}",
                    finger.format,
                    finger.width,
                    finger.height,
                    path.display()
                ));
                saved.push(Saved::Png(path));
            }
            Err(e) => {
                let path = dir.join(format!("{name}.{}", finger.format.extension()));
                write(&path, &finger.data)?;
                eprintln!(
                    "{file}: the {what} image is broken ({e}); the raw image was kept in {}",
                    path.display()
                );
                saved.push(Saved::RawKept {
                    path,
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(saved)
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::private_file::write_private(path, bytes)
}
