//! What the user asked to see on stderr (`--quiet`, `--log-apdu`, progress bars) and the hooks that put it there.
//!
//! The settings are set once in `main` from the command line, so the reading code can pick them up without
//! threading flags through every function.

use crate::apdu_log::ApduLog;
use icao9303::lds::LdsFile;
use icao9303::reader::{ProgressHook, Reader};
use icao9303::transport::Transport;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::OnceLock;

/// The output settings of this run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// `--quiet`: nothing on stderr but errors (no progress, no notes).
    pub quiet: bool,
    /// `--log-apdu`: print every APDU on the wire to stderr (access-control data redacted).
    pub log_apdu: bool,
    /// The command prints JSON on stdout.
    pub json: bool,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// Records the settings of this run (the first call wins).
pub fn init(settings: Settings) {
    let _ = SETTINGS.set(settings);
}

/// The settings of this run (defaults when [`init`] was not called).
pub fn settings() -> Settings {
    SETTINGS.get().copied().unwrap_or_default()
}

/// Prints a note to stderr unless `--quiet`. Notes never carry holder data.
pub fn note(message: impl std::fmt::Display) {
    if !settings().quiet {
        eprintln!("{message}");
    }
}

/// Wraps a transport for this run: APDU logging when `--log-apdu` was given.
pub fn wrap_transport<T: Transport>(transport: T) -> ApduLog<T> {
    ApduLog::new(transport, settings().log_apdu)
}

/// Attaches a progress bar per file to `reader` when stderr is a terminal and neither `--quiet` nor `--json`
/// (nor `--log-apdu`, whose lines would tear the bar) was given.
pub fn attach_progress<T: Transport>(reader: &mut Reader<T>) {
    let s = settings();
    if s.quiet || s.json || s.log_apdu || !std::io::stderr().is_terminal() {
        return;
    }
    reader.set_progress(progress_bars());
}

/// A progress hook drawing one bar per file (bytes read of the file's length).
fn progress_bars() -> ProgressHook {
    let style = ProgressStyle::with_template("{prefix:>14} [{bar:30}] {bytes}/{total_bytes}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let mut current: Option<(LdsFile, ProgressBar)> = None;
    Box::new(move |file: LdsFile, done: usize, total: usize| {
        let bar = match &current {
            Some((f, bar)) if *f == file => bar.clone(),
            _ => {
                if let Some((_, old)) = current.take() {
                    old.finish_and_clear();
                }
                let bar = ProgressBar::new(total as u64)
                    .with_style(style.clone())
                    .with_prefix(file.name());
                current = Some((file, bar.clone()));
                bar
            }
        };
        bar.set_position(done as u64);
        if done >= total {
            bar.finish_and_clear();
        }
    })
}
