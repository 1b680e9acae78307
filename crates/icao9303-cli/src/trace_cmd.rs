//! Where `mrtd read` reads from (software chip, PC/SC reader, or a trace replay) and `--record`.

use crate::ReadArgs;
use anyhow::{Context, anyhow};
use clap::Args;
use icao9303::access::Password;
use icao9303::document::Document;
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::Report;
use icao9303::trace::{Recorder, Replay};
use icao9303::transport::{Transport, TransportError};
use icao9303_emu::profile::{chip_by_name, chip_names};
use icao9303_emu::transport::EmulatorTransport;
use rand_core::{CryptoRng, UnwrapErr};
use std::path::{Path, PathBuf};

/// `--record` and `--replay`.
#[derive(Args, Debug)]
pub(crate) struct TraceArgs {
    /// Write every APDU and every random byte of the session to FILE (format: docs/trace-format.md),
    /// created with mode 0600. A PACE or Chip Authentication trace reveals the session keys and all the
    /// data read to anyone who has the file, even without the MRZ: keep it like the document.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Re-run the session against a recorded trace instead of a chip (same password arguments as the
    /// recording); stops at the first command that differs. The chip's authenticity is reported as
    /// replayed (the trace supplied the terminal's randomness): the result is at best not verified (3).
    #[arg(long, value_name = "FILE", conflicts_with = "emulator")]
    replay: Option<PathBuf>,
}

/// Reads the document from wherever `args` say, recording if asked.
pub(crate) fn read(
    args: &ReadArgs,
    password: &Password,
    options: ReaderOptions,
) -> anyhow::Result<(Document, Report)> {
    let record = args.trace.record.as_deref();
    if let Some(path) = &args.trace.replay {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let replay = Replay::parse(&text).with_context(|| format!("trace {}", path.display()))?;
        let result = session(
            replay.transport(),
            &mut replay.rng(),
            password,
            options,
            record,
            "replay".into(),
        );
        let read = match result {
            Ok(read) => read,
            Err(e) => {
                if let Some(step) = password_step(&e) {
                    tracing::debug!(error = %e, "replay differs in access control");
                    return Err(anyhow!(
                        "replaying {}: the password differs from the recording's: with it, the reader's \
                         {step} command is not the one recorded ({}). Give the same --doc/--dob/--expiry, \
                         --mrz or --can as when the trace was recorded",
                        path.display(),
                        replay.position()
                    ));
                }
                return Err(e.context(format!(
                    "replaying {} (stopped before {})",
                    path.display(),
                    replay.position()
                )));
            }
        };
        replay
            .finish()
            .with_context(|| format!("replaying {}", path.display()))?;
        // The reader marked the report replayed: its transport says its answers are a recording.
        return Ok(read);
    }
    let mut rng = UnwrapErr(getrandom::SysRng);
    if let Some(name) = &args.emulator {
        let named = chip_by_name(name, |_| {}, None)?.ok_or_else(|| {
            anyhow!(
                "unknown emulator profile {name:?}; known: {}",
                chip_names().join(", ")
            )
        })?;
        return session(
            EmulatorTransport::new(named.chip),
            &mut rng,
            password,
            options,
            record,
            format!("emulator profile {name}"),
        );
    }
    let transport = crate::pcsc_cmd::open(&args.pcsc)?;
    let source = format!("PC/SC reader {}", transport.reader_name());
    let transport = crate::pcsc_cmd::AskForCard::for_reader(transport, &args.pcsc);
    session(transport, &mut rng, password, options, record, source)
}

/// The access-control step at which a replay left the trace, when that is what ended it: the commands of
/// BAC's mutual authentication and of PACE depend on the password (its key encrypts the challenge, or
/// decrypts the nonce that the mapping and the key agreement are computed from; MSE:Set AT names MRZ or
/// CAN), so a replay with another password leaves the trace there.
fn password_step(e: &anyhow::Error) -> Option<&'static str> {
    match e.downcast_ref::<icao9303::Error>()? {
        icao9303::Error::Transport {
            step,
            source: TransportError::Replay(_),
        } if *step == "BAC: EXTERNAL AUTHENTICATE" || step.starts_with("PACE: ") => Some(step),
        _ => None,
    }
}

/// Authenticates and reads; with `record`, writes the trace (also when the session failed, which is when
/// it is most useful).
fn session<T: Transport, R: CryptoRng>(
    transport: T,
    rng: &mut R,
    password: &Password,
    options: ReaderOptions,
    record: Option<&Path>,
    source: String,
) -> anyhow::Result<(Document, Report)> {
    let Some(path) = record else {
        return run(transport, rng, password, options);
    };
    let recorder = Recorder::new();
    recorder.comment(format!(
        "recorded by mrtd {} from {source}",
        env!("CARGO_PKG_VERSION")
    ));
    let result = run(
        recorder.transport(transport),
        &mut recorder.rng(rng),
        password,
        options,
    );
    crate::private_file::write_private(path, recorder.to_text().as_bytes())
        .with_context(|| format!("writing the trace {}", path.display()))?;
    result
}

/// How often one read may resume after the card was lost.
const MAX_RESUMES: usize = 3;

fn run<T: Transport, R: CryptoRng>(
    transport: T,
    rng: &mut R,
    password: &Password,
    options: ReaderOptions,
) -> anyhow::Result<(Document, Report)> {
    let mut reader = Reader::with_options(crate::ui::wrap_transport(transport), options);
    crate::ui::attach_progress(&mut reader);
    reader.authenticate(password, rng)?;
    // A card lost mid-read is reconnected (a PC/SC reader waits for it with --wait), accessed again and
    // read on from where it stopped.
    Ok(reader.read_document_resuming(password, rng, MAX_RESUMES)?)
}
