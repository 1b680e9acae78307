//! `mrtd verify` on many documents: several dump directories, a directory of dump directories, or JSON Lines
//! on standard input (`{"id": ..., "files": {"EF.SOD": base64, "DG1": base64, ...}}`).
//!
//! One JSON line per document goes to stdout in input order; a progress line on a terminal and a summary
//! per issuing state at the end go to stderr. The documents are verified by the library's batch engine
//! ([`icao9303::batch::Ordered`]: `--jobs` threads, one shared trust store, a bounded window of documents
//! ahead of the writer, JSON lines read up to a size limit); this module turns each outcome into its line
//! and the summary. A bad input (unparseable line, unreadable or missing file, hostile bytes) is a line
//! saying why, never the end of the batch.

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use icao9303::batch::Ordered;
use icao9303::lds::LdsFile;
use icao9303::pki::{Time, TrustStore};
use icao9303::report::Report;
use serde_json::{Value, json};

pub use icao9303::batch::verify_files;
/// One document of the batch, as read: the files of a dump directory or a JSON line, or why not.
pub use icao9303::jsonl::Input;

/// What became of one document, for the output line and the summary.
pub struct Outcome {
    /// The JSON line.
    pub line: String,
    /// The document's issuing state (MRZ), if it was read.
    pub state: Option<String>,
    /// The document's class in the summary.
    pub class: Class,
}

/// The summary classes of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Every check passed.
    Verified,
    /// Nothing failed, but some check could not be made (unknown issuer, no trust anchors).
    NotVerified,
    /// A check failed.
    Failed,
    /// The input could not be read (bad JSON line, missing or unreadable file).
    Unreadable,
}

impl Class {
    fn label(self) -> &'static str {
        match self {
            Class::Verified => "verified",
            Class::NotVerified => "not verified",
            Class::Failed => "failed",
            Class::Unreadable => "could not read",
        }
    }
}

/// The files of one dump directory (`EF_COM.bin`, `EF_SOD.bin`, `DG1.bin`, ...; others are ignored), read
/// by the emulator's dump loader (the same file names, and a size limit that holds while reading).
pub fn read_dump(dir: &Path) -> anyhow::Result<Vec<(LdsFile, Vec<u8>)>> {
    let mut files = icao9303_emu::dump::load_files(dir)?;
    if files.is_empty() {
        anyhow::bail!(
            "{}: no dump files (EF_COM.bin, EF_SOD.bin, DG1.bin, ...)",
            dir.display()
        );
    }
    files.sort_by_key(|(f, _)| *f);
    Ok(files)
}

/// Whether `dir` holds dump files itself (rather than dump directories).
pub fn is_dump(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| LdsFile::from_dump_name(n).is_some())
        })
    })
}

/// How many unrecognised file names an error lists.
const NAMES_LISTED: usize = 10;

/// The dump directories the paths name: a path holding dump files is one document, any other directory
/// contributes its subdirectories (sorted by name). A directory with neither is an error naming the files
/// it holds that are not a document: a verification never ends in a verdict on nothing. Only the paths
/// are listed here; files are read later, one document at a time.
pub fn dump_dirs(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if !p.is_dir() {
            // A missing path is a failed line of its own.
            out.push(p.clone());
        } else if is_dump(p) {
            out.push(p.clone());
        } else {
            let (mut subs, mut others): (Vec<PathBuf>, Vec<PathBuf>) = std::fs::read_dir(p)
                .with_context(|| format!("reading {}", p.display()))?
                .flatten()
                .map(|e| e.path())
                .partition(|s| s.is_dir());
            if subs.is_empty() {
                others.sort();
                let mut names: Vec<String> = others
                    .iter()
                    .take(NAMES_LISTED)
                    .map(|f| {
                        f.file_name()
                            .map_or_else(|| f.display().to_string(), |n| n.to_string_lossy().into())
                    })
                    .collect();
                if others.len() > NAMES_LISTED {
                    names.push(format!("and {} more", others.len() - NAMES_LISTED));
                }
                anyhow::bail!(
                    "{}: no document found: {} (a dump directory holds EF_SOD.bin, DG1.bin, ...; a DTC-VC is given as its file)",
                    p.display(),
                    if names.is_empty() {
                        "the directory is empty".to_string()
                    } else {
                        format!("not recognised: {}", names.join(", "))
                    }
                );
            }
            subs.sort();
            out.extend(subs);
        }
    }
    Ok(out)
}

/// The inputs of JSON Lines on `reader`, one at a time (blank lines are skipped): decoded by
/// [`icao9303::jsonl`], which the verification service's uploads share.
pub fn json_lines(
    reader: impl std::io::BufRead + Send + 'static,
) -> impl Iterator<Item = Input> + Send {
    icao9303::jsonl::lines(reader)
}

/// The inputs of dump directories, read one at a time.
pub fn dumps(dirs: Vec<PathBuf>) -> impl Iterator<Item = Input> + Send {
    dirs.into_iter().map(|dir| {
        let id = dir.display().to_string();
        match read_dump(&dir) {
            Ok(files) => Input::Files { id, files },
            Err(e) => Input::Unreadable {
                id,
                reason: crate::message(&e),
            },
        }
    })
}

/// The summary class of a report: its document verdict.
pub fn class_of(report: &Report) -> Class {
    use icao9303::report::DocumentResult;
    match report.verdict.result {
        DocumentResult::Verified => Class::Verified,
        DocumentResult::NotVerified => Class::NotVerified,
        DocumentResult::Failed => Class::Failed,
    }
}

/// The exit code of a batch: 1 when a document failed, else 2 when an input could not be read, else 3 when
/// a document was not verified, else 0.
pub fn exit_class(summary: &Summary) -> Class {
    [Class::Failed, Class::Unreadable, Class::NotVerified]
        .into_iter()
        .find(|c| summary.count(*c) > 0)
        .unwrap_or(Class::Verified)
}

/// Verifies one input into its output line (in a worker thread, so that serialising runs in parallel too).
fn process(input: Input, store: Option<&TrustStore>, at: Time) -> Outcome {
    use icao9303::batch::Outcome as Verified;
    match icao9303::batch::verify_input(input, store, at) {
        Verified::Unreadable { id, reason } => Outcome {
            line: json!({"id": id, "result": Class::Unreadable.label(), "error": reason})
                .to_string(),
            state: None,
            class: Class::Unreadable,
        },
        Verified::Verified { id, report } => {
            let class = class_of(&report);
            let state = report.mrz.as_ref().map(|m| m.issuing_state.clone());
            let report = serde_json::to_value(&*report).unwrap_or(Value::Null);
            Outcome {
                line: json!({"id": id, "result": class.label(), "report": report}).to_string(),
                state,
                class,
            }
        }
        Verified::InternalError { id } => Outcome {
            line: json!({"id": id, "result": Class::Failed.label(),
                "error": "internal error while verifying this document"})
            .to_string(),
            state: None,
            class: Class::Failed,
        },
    }
}

/// Counts per issuing state and class.
#[derive(Default)]
pub struct Summary {
    counts: BTreeMap<String, HashMap<Class, usize>>,
    /// Documents written.
    pub total: usize,
}

impl Summary {
    fn add(&mut self, outcome: &Outcome) {
        let state = outcome.state.clone().unwrap_or_else(|| "?".into());
        *self
            .counts
            .entry(state)
            .or_default()
            .entry(outcome.class)
            .or_default() += 1;
        self.total += 1;
    }

    /// How many documents fell into `class`.
    pub fn count(&self, class: Class) -> usize {
        self.counts
            .values()
            .map(|m| m.get(&class).copied().unwrap_or(0))
            .sum()
    }

    /// The summary table for stderr.
    pub fn render(&self) -> String {
        let classes = [
            Class::Verified,
            Class::NotVerified,
            Class::Failed,
            Class::Unreadable,
        ];
        let mut out = format!(
            "\n{} documents: {} verified, {} not verified, {} failed, {} could not be read\n",
            self.total,
            self.count(Class::Verified),
            self.count(Class::NotVerified),
            self.count(Class::Failed),
            self.count(Class::Unreadable)
        );
        out.push_str("state  verified  not verified  failed  could not read\n");
        for (state, m) in &self.counts {
            let n = |c: &Class| m.get(c).copied().unwrap_or(0);
            out.push_str(&format!(
                "{state:<6} {:>8} {:>13} {:>7} {:>15}\n",
                n(&classes[0]),
                n(&classes[1]),
                n(&classes[2]),
                n(&classes[3])
            ));
        }
        out
    }
}

/// Verifies every input on `jobs` threads and writes one line per input to `out`, in input order.
pub fn run(
    inputs: impl Iterator<Item = Input> + Send + 'static,
    store: Option<Arc<TrustStore>>,
    jobs: usize,
    at: Time,
    out: &mut impl Write,
    progress: bool,
) -> anyhow::Result<Summary> {
    let bar = progress.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} documents verified ({per_sec})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar
    });
    let mut summary = Summary::default();
    let outcomes = Ordered::new(inputs, jobs, move |input| {
        process(input, store.as_deref(), at)
    });
    let result = (|| -> anyhow::Result<()> {
        for outcome in outcomes {
            writeln!(out, "{}", outcome.line).context("writing the report")?;
            summary.add(&outcome);
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        }
        out.flush().context("writing the report")
    })();
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result?;
    Ok(summary)
}

/// Whether a progress line should be drawn (stderr a terminal, not `--quiet`).
pub fn show_progress() -> bool {
    !crate::ui::settings().quiet && std::io::stderr().is_terminal()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn output_is_in_input_order_on_many_threads() {
        let inputs = (0..200).map(|i| Input::Unreadable {
            id: format!("doc {i}"),
            reason: "test".into(),
        });
        let mut out = Vec::new();
        let summary = run(inputs, None, 4, Time::from_ymd(2026, 1, 1), &mut out, false).unwrap();
        assert_eq!(summary.total, 200);
        assert_eq!(summary.count(Class::Unreadable), 200);
        let text = String::from_utf8(out).unwrap();
        for (i, line) in text.lines().enumerate() {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["id"], format!("doc {i}"));
            assert_eq!(v["result"], "could not read");
        }
    }
}
