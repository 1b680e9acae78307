//! Extra outputs of a read (`--photo`, `--html`), shared by `mrtd read` and `mrtd demo`.

use clap::Args;
use icao9303::document::Document;
use icao9303::lds::decoded::{self, Decoded};
use icao9303::report::Report;
use std::path::PathBuf;

/// Files written from what was read, besides the report on stdout.
#[derive(Args, Debug, Default, Clone)]
pub struct ReportOutputs {
    /// Write the face image of DG2 to this file: decoded to PNG, or unchanged when the extension is the image's
    /// own (.jpg, .jp2). A broken image is kept raw next to it.
    #[arg(long, value_name = "FILE")]
    pub photo: Option<PathBuf>,
    /// Write a self-contained HTML report (holder, document, face, checks) to this file, to print or attach
    /// to a case.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

impl ReportOutputs {
    /// Writes the requested files. A missing or broken face is reported on stderr; failing to write is an error.
    pub fn write(&self, document: &Document, report: &Report) -> anyhow::Result<()> {
        if self.photo.is_none() && self.html.is_none() {
            return Ok(());
        }
        let decoded = decoded::decode(document);
        if let Some(path) = &self.photo {
            match decoded.dg2() {
                None => eprintln!(
                    "DG2: not read from this document; nothing written to {}",
                    path.display()
                ),
                Some(Decoded::Error(e)) => eprintln!(
                    "DG2: cannot be parsed ({e}); nothing written to {}",
                    path.display()
                ),
                Some(Decoded::Parsed(dg2)) => {
                    crate::photo::save_first_face("DG2", &dg2.faces, path)?
                }
            }
        }
        if let Some(path) = &self.html {
            let page = crate::html::render(report, &decoded, &crate::html::utc_now());
            crate::private_file::write_private(path, page.as_bytes())?;
            crate::ui::note(format!("HTML report written to {}", path.display()));
        }
        Ok(())
    }
}
