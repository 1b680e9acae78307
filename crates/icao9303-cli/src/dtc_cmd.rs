//! Digital Travel Credentials (Type 1 DTC-VC): `mrtd read --dtc FILE` and `mrtd dtc export DUMP FILE` write
//! one, `mrtd verify FILE.dtcvc` verifies one (see `crate::verify`), `mrtd read --dtc-compare FILE` binds one
//! to the chip presented.

use anyhow::Context;
use clap::{Args, Subcommand};
use icao9303::document::Document;
use icao9303::dtc::{Dtc, ExportOptions};
use icao9303::report::Report;
use std::path::{Path, PathBuf};

/// The DTC options of `mrtd read`.
#[derive(Args, Debug, Default)]
pub(crate) struct ReadDtcArgs {
    /// Write the document as a Digital Travel Credential (Type 1 DTC-VC, DER) to FILE: EF.SOD and every data
    /// group EF.SOD lists whose hash matches, byte for byte. The file holds the holder's data: it is created
    /// readable by you only (0600).
    #[arg(long, value_name = "FILE")]
    dtc: Option<PathBuf>,
    /// Include DG3 (fingerprints) and DG4 (irises) in the DTC-VC when they were read (protected by Extended
    /// Access Control on the chip, not in the file).
    #[arg(long, requires = "dtc")]
    dtc_biometrics: bool,
    /// Bind a DTC-VC to the document presented: the chip's EF.SOD must be byte-identical to the DTC-VC's,
    /// its data groups the same, and the chip must prove itself genuine (Chip Authentication, PACE-CAM or
    /// Active Authentication).
    #[arg(long, value_name = "FILE")]
    dtc_compare: Option<PathBuf>,
}

/// `mrtd dtc ...`.
#[derive(Subcommand, Debug)]
pub(crate) enum DtcCommand {
    /// Write a saved dump (the files of `read --out`) as a Type 1 DTC-VC (DER): EF.SOD and every data group
    /// EF.SOD lists whose hash matches. The file is created readable by you only (0600).
    Export {
        /// The dump directory (EF_SOD.bin, DG1.bin, DG2.bin, ...).
        dump: PathBuf,
        /// The DTC-VC file to write.
        file: PathBuf,
        /// Include DG3 (fingerprints) and DG4 (irises) when the dump has them.
        #[arg(long, alias = "dtc-biometrics")]
        biometrics: bool,
    },
}

/// Runs `mrtd dtc ...`.
pub(crate) fn run(command: &DtcCommand) -> anyhow::Result<()> {
    match command {
        DtcCommand::Export {
            dump,
            file,
            biometrics,
        } => {
            let document = crate::load_dump(dump)?;
            export(&document, file, *biometrics)
        }
    }
}

/// Reads and strictly parses a DTC-VC file; a parse error says `{path}: {what}: {error}`.
pub(crate) fn load(path: &Path, what: &str) -> anyhow::Result<Dtc> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Dtc::parse(&bytes).with_context(|| format!("{}: {what}", path.display()))
}

impl ReadDtcArgs {
    /// The DTC-VC to compare the chip with (`--dtc-compare`), parsed before the chip is read so a bad file
    /// stops the command early.
    pub(crate) fn compare_with(&self) -> anyhow::Result<Option<Dtc>> {
        self.dtc_compare
            .as_deref()
            .map(|p| load(p, "--dtc-compare"))
            .transpose()
    }

    /// After a read: adds the binding check of `--dtc-compare` to the report and writes `--dtc`.
    pub(crate) fn after_read(
        &self,
        compare: Option<&Dtc>,
        document: &Document,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        if let Some(dtc) = compare {
            let check = dtc.presentation_check(document, report);
            icao9303::verify::add_check(report, check);
        }
        if let Some(path) = &self.dtc {
            export(document, path, self.dtc_biometrics).context("--dtc")?;
        }
        Ok(())
    }
}

/// Exports `document` as a DTC-VC to `path` (0600), with a note on what was left out.
fn export(document: &Document, path: &Path, biometrics: bool) -> anyhow::Result<()> {
    let export = Dtc::from_document(
        document,
        ExportOptions {
            include_biometrics: biometrics,
        },
    )?;
    for o in &export.omitted {
        crate::ui::note(format!("DTC-VC: {} not exported: {}", o.file, o.reason));
    }
    crate::private_file::write_private(path, &export.dtc.to_der())?;
    let files: Vec<String> = std::iter::once("EF.SOD".to_string())
        .chain(export.dtc.data_groups().map(|(n, _)| format!("DG{n}")))
        .collect();
    crate::ui::note(format!(
        "DTC-VC (Type 1) written to {}: {}",
        path.display(),
        files.join(", ")
    ));
    Ok(())
}
