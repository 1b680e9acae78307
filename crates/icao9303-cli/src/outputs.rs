//! Extra outputs of a read (`--photo`, `--fingerprints`, `--html`), shared by `mrtd read`, `mrtd verify`
//! and `mrtd demo`.

use clap::Args;
use icao9303::document::Document;
use icao9303::lds::decoded::{self, Decoded};
use icao9303::report::{CheckId, CheckStatus, Report};
use std::path::PathBuf;

/// Files written from what was read, besides the report on stdout.
#[derive(Args, Debug, Default, Clone)]
pub struct ReportOutputs {
    /// Write the face image of DG2 to this file: decoded to PNG, or unchanged when the extension is the image's
    /// own (.jpg, .jp2). A broken image is kept raw next to it. Written only when DG2's hash matches EF.SOD:
    /// a face the issuer did not sign is never saved as the holder's.
    #[arg(long, value_name = "FILE")]
    pub photo: Option<PathBuf>,
    /// Write every fingerprint of DG3 into this directory as PNG, named by finger position
    /// (right-index-finger.png, ...). Written only when DG3's hash matches EF.SOD. DG3 is read only after
    /// Terminal Authentication (`read --terminal`).
    #[arg(long, value_name = "DIR")]
    pub fingerprints: Option<PathBuf>,
    /// Write a self-contained HTML report (holder, document, face, checks) to this file, to print or attach
    /// to a case.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

impl ReportOutputs {
    /// Writes the requested files. A missing or broken face is reported on stderr; failing to write is an error.
    pub fn write(&self, document: &Document, report: &Report) -> anyhow::Result<()> {
        if self.photo.is_none() && self.html.is_none() && self.fingerprints.is_none() {
            return Ok(());
        }
        let decoded = decoded::decode(document);
        if let Some(path) = &self.photo {
            let signed = report
                .status(CheckId::DgHash(2))
                .is_some_and(CheckStatus::is_valid);
            match decoded.dg2() {
                Some(_) if !signed => eprintln!(
                    "DG2: its hash does not match a signed EF.SOD (see the DG2 hash check); the face is not \
                     the issuer's signed data and nothing was written to {}",
                    path.display()
                ),
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
        if let Some(dir) = &self.fingerprints {
            let signed = report
                .status(CheckId::DgHash(3))
                .is_some_and(CheckStatus::is_valid);
            match decoded.dg3() {
                Some(_) if !signed => eprintln!(
                    "DG3: its hash does not match a signed EF.SOD (see the DG3 hash check); the fingerprints \
                     are not the issuer's signed data and nothing was written to {}",
                    dir.display()
                ),
                None => eprintln!(
                    "DG3: not read from this document ({}); nothing written to {}",
                    report
                        .check(CheckId::DgHash(3))
                        .map_or("the chip has none", |c| c.reason()),
                    dir.display()
                ),
                Some(Decoded::Error(e)) => eprintln!(
                    "DG3: cannot be parsed ({e}); nothing written to {}",
                    dir.display()
                ),
                Some(Decoded::Parsed(dg3)) => {
                    crate::fingerprints::save_fingerprints("DG3", &dg3.fingers, dir)?;
                }
            }
        }
        if let Some(path) = &self.html {
            let page = icao9303_html::render(report, &decoded, &icao9303_html::utc_now());
            crate::private_file::write_private(path, page.as_bytes())?;
            crate::ui::note(format!("HTML report written to {}", path.display()));
        }
        Ok(())
    }
}
