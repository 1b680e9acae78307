//! What `mrtd read` reads and how (`--extended-length`, `--files`, `--no-images`), and the read statistics
//! it prints with `--stats` (or `--verbose`).

use anyhow::anyhow;
use clap::{Args, ValueEnum};
use icao9303::options::ExtendedLengthPolicy;
use icao9303::read_stats::{ProbeOutcome, ReadStats};
use icao9303::reader::ReaderOptions;
use std::fmt::Write;

/// The read plan options of `mrtd read`.
#[derive(Args, Debug, Default)]
pub(crate) struct PlanArgs {
    /// Extended-length READ BINARY: auto = when the reader and the chip announce it, and one probe when
    /// the reader may carry it but the chip says nothing; on = always; off = never (short blocks, no
    /// probe).
    #[arg(long, value_enum, default_value = "auto")]
    extended_length: ExtendedArg,
    /// Data groups to read besides those EF.COM and EF.SOD list, comma-separated: DG3,15 ... A data
    /// group with a leading minus is left out instead (-DG12): not read, and named in the report as "left
    /// out by request" (the verdict does not cover it). DG1 cannot be left out.
    #[arg(
        long,
        value_name = "FILES",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    files: Vec<String>,
    /// Leave out the image data groups (DG2 face, DG3, DG4, DG5, DG7): a quick MRZ and authenticity check.
    #[arg(long)]
    no_images: bool,
    /// Print what the read cost: APDUs by kind, bytes, block sizes, the extended-length probe, resumes and
    /// the time of each phase (to stderr with --json, whose report carries them as read_stats).
    #[arg(long)]
    stats: bool,
}

/// `--extended-length`.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
enum ExtendedArg {
    /// When announced; probe once when the chip says nothing.
    #[default]
    Auto,
    /// Always.
    On,
    /// Never.
    Off,
}

impl PlanArgs {
    /// Sets `options` as the arguments say.
    pub(crate) fn apply(&self, options: &mut ReaderOptions) -> anyhow::Result<()> {
        options.extended_length = match self.extended_length {
            ExtendedArg::Auto => ExtendedLengthPolicy::Auto,
            ExtendedArg::On => ExtendedLengthPolicy::On,
            ExtendedArg::Off => ExtendedLengthPolicy::Off,
        };
        options.read_images = !self.no_images;
        for name in &self.files {
            match name.trim().strip_prefix('-') {
                Some(left_out) => match parse_data_group(left_out)? {
                    1 => {
                        return Err(anyhow!(
                            "--files: DG1 (the MRZ) cannot be left out: every report needs it"
                        ));
                    }
                    n => options.leave_out.push(n),
                },
                None => options.extra_data_groups.push(parse_data_group(name)?),
            }
        }
        Ok(())
    }

    /// Whether to print the statistics.
    pub(crate) fn stats(&self) -> bool {
        self.stats
    }
}

/// A data group named on the command line: `DG3`, `dg3`, `3`.
fn parse_data_group(name: &str) -> anyhow::Result<u8> {
    let upper = name.trim().to_ascii_uppercase();
    let digits = upper.strip_prefix("DG").unwrap_or(&upper);
    match digits.parse::<u8>() {
        Ok(n) if (1..=16).contains(&n) => Ok(n),
        _ => Err(anyhow!(
            "--files: {name:?} is not a data group (DG1 ... DG16)"
        )),
    }
}

/// The read statistics as text.
pub(crate) fn render_stats(stats: &ReadStats) -> String {
    let mut out = String::from("\nRead statistics\n");
    let _ = writeln!(
        out,
        "  extended length  {} on this link (policy {}; largest command {} bytes, response {} bytes)",
        stats.extended_length,
        stats.extended_length_policy.as_str(),
        stats.max_command,
        stats.max_response
    );
    if let Some(p) = &stats.probe {
        let outcome = match p.outcome {
            ProbeOutcome::Accepted => "accepted: extended length for the rest of the read",
            ProbeOutcome::Refused => "refused: short blocks (the probe cost one exchange)",
            ProbeOutcome::LinkLost => "no answer: resumed, short blocks for this chip",
            ProbeOutcome::NotProbed => "not sent",
        };
        let status = p
            .status
            .as_deref()
            .map(|sw| format!(" ({sw})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  probe            {} bytes of {} at offset {}: {outcome}{status}",
            p.le, p.file, p.offset
        );
    }
    let _ = writeln!(
        out,
        "  APDUs            {} ({} bytes sent, {} received)",
        stats.apdus, stats.bytes_sent, stats.bytes_received
    );
    for (kind, count) in &stats.apdus_by_kind {
        let _ = writeln!(out, "    {kind:<34} {count:>5}");
    }
    let blocks: Vec<String> = stats
        .read_blocks
        .iter()
        .map(|b| format!("{} x {}", b.count, b.le))
        .collect();
    if !blocks.is_empty() {
        let _ = writeln!(out, "  READ BINARY      {} bytes", blocks.join(", "));
    }
    if let Some(cap) = stats.response_cap {
        let _ = writeln!(
            out,
            "  response cap     {cap} bytes: the chip sends no more per response, so no more is asked"
        );
    }
    let _ = writeln!(out, "  resumes          {}", stats.resumes);
    if stats.session_drops > 0 {
        let _ = writeln!(
            out,
            "    of which {} after the chip ended secure messaging when it refused the probe",
            stats.session_drops
        );
    }
    let _ = writeln!(out, "  time per phase");
    for p in &stats.phases {
        let _ = writeln!(
            out,
            "    {:<22} {:>9.1} ms  {:>4} APDUs  {:>6} bytes",
            p.phase,
            p.time.as_secs_f64() * 1000.0,
            p.apdus,
            p.bytes_sent + p.bytes_received
        );
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn data_group_names() {
        assert_eq!(parse_data_group("DG3").unwrap(), 3);
        assert_eq!(parse_data_group("dg15").unwrap(), 15);
        assert_eq!(parse_data_group(" 7 ").unwrap(), 7);
        for bad in ["DG0", "DG17", "EF.SOD", "EF.COM", "", "x"] {
            assert!(parse_data_group(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn options_from_arguments() {
        let args = PlanArgs {
            extended_length: ExtendedArg::Off,
            files: vec!["DG3".into(), "15".into(), "-DG12".into(), "-2".into()],
            no_images: true,
            stats: false,
        };
        let mut options = ReaderOptions::default();
        args.apply(&mut options).unwrap();
        assert_eq!(options.extended_length, ExtendedLengthPolicy::Off);
        assert_eq!(options.extra_data_groups, vec![3, 15]);
        assert_eq!(options.leave_out, vec![12, 2]);
        assert!(!options.read_images);
        for bad in ["-DG1", "-DG17", "-"] {
            let args = PlanArgs {
                files: vec![bad.into()],
                ..PlanArgs::default()
            };
            assert!(args.apply(&mut ReaderOptions::default()).is_err(), "{bad}");
        }
    }
}
