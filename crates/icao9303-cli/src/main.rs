//! `mrtd`: read and verify the chip of a passport, ID card or UK Biometric Residence Permit.
//!
//! Exit codes: 0 verified (every check performed passed — warnings allowed — including the chain to a
//! trusted CSCA, every data group EF.SOD lists covered and, in a live read, chip authentication wherever
//! the chip's signed files offer it); 1 a check failed (the document is suspect); 2 the document could not
//! be read (wrong key, no card, I/O, bad arguments, no document found); 3 read and nothing failed, but not
//! verified (no or an unknown trust anchor, a signed data group not read or missing, a mechanism the chip
//! offers could not be run).

mod apdu_log;
mod batch;
mod conformance_cmd;
mod dtc_cmd;
mod eac_cmd;
mod fingerprints;
mod inspect;
mod inspect_cvc;
mod outputs;
mod password;
mod pcsc_cmd;
mod photo;
mod plan;
mod private_file;
mod render;
#[cfg(feature = "serve")]
mod serve_cmd;
mod trace_cmd;
mod trust;
mod ui;

use anyhow::anyhow;
use clap::{Args, Parser, Subcommand};
use icao9303::access::Password;
use icao9303::document::Document;
use icao9303::pki::{Time, TrustStore};
use icao9303::reader::{Reader, ReaderOptions};
use icao9303::report::{DocumentResult, Report};
use icao9303::transport::Transport;
use icao9303_emu::profile::Profile;
use icao9303_emu::transport::EmulatorTransport;
use rand_core::UnwrapErr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Read and verify eMRTD chips (ICAO 9303): passports, ID cards, UK Biometric Residence Permits.
#[derive(Parser, Debug)]
#[command(
    name = "mrtd",
    version,
    about,
    after_help = "Exit codes of read, verify and demo: 0 verified (every check performed passed, the signer \
                  chains to a trusted CSCA, every data group EF.SOD lists was read or left out for a named, \
                  permitted reason, and in a live read chip authentication passed wherever the chip's signed \
                  files offer it); 1 a check failed (the document is suspect); 2 could not read, no document \
                  found, or bad arguments; 3 read and nothing failed, but not verified (no or an unknown trust \
                  anchor: give --trust; a signed data group not read or missing; or a mechanism the chip \
                  offers could not be run)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print debug logs to stderr (never keys or MRZ data).
    #[arg(long, global = true, conflicts_with = "quiet")]
    verbose: bool,
    /// Print nothing on stderr but errors (no progress bar, no notes).
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
    /// Print every APDU on the wire to stderr in hex (encrypted once secure messaging is on; the data of
    /// access-control steps is redacted).
    #[arg(long, global = true)]
    log_apdu: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Read the built-in sample BRP through the software chip and print the report (verified against the
    /// sample's own test CSCA: exit 0).
    Demo {
        /// Print the report as JSON (schema mrtd-report/2).
        #[arg(long)]
        json: bool,
        /// Also write the sample's test CSCA certificate (DER) to this file.
        #[arg(long, value_name = "FILE")]
        export_csca: Option<PathBuf>,
        #[command(flatten)]
        outputs: outputs::ReportOutputs,
    },
    /// Read a document's chip. Exit 0 verified, 1 a check failed, 2 could not read, 3 not verified (for
    /// example no --trust anchor for the issuing state).
    Read(Box<ReadArgs>),
    /// Verify saved documents offline: a dump (the files written by `read --out`) or a Digital Travel
    /// Credential (Type 1 DTC-VC): same checks as a live read. No chip is present, which alone does not
    /// prevent exit 0 (verified); a data group EF.SOD lists that the saved files lack does (exit 3).
    ///
    /// One dump directory or DTC-VC file gives its report (text, or JSON with --json). Several
    /// directories, a directory of dump directories, or `-` (JSON Lines on standard input: {"id": ...,
    /// "files": {"EF.SOD": base64, "DG1": base64, ...}}) give one JSON line per document in input order and
    /// a summary per issuing state on stderr; exit 1 if a document failed, else 2 if an input could not be
    /// read, else 3 if one was not verified. Finding no document at all is exit 2, naming what was not
    /// recognised.
    Verify {
        /// Dump directories (EF_COM.bin, EF_SOD.bin, DG1.bin, ...), directories of them, a DTC-VC file, or
        /// `-`.
        #[arg(required = true, num_args = 1..)]
        dirs: Vec<PathBuf>,
        /// Documents verified at the same time (default: every core).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        #[command(flatten)]
        trust: trust::TrustArgs,
        /// Print the report as JSON (schema mrtd-report/2).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        outputs: outputs::ReportOutputs,
    },
    /// Digital Travel Credentials (ICAO DTC Type 1): export a saved dump as a DTC-VC.
    Dtc {
        #[command(subcommand)]
        command: dtc_cmd::DtcCommand,
    },
    /// Extended Access Control: mint a test PKI (CVCA, DV, inspection system with keys) for Terminal
    /// Authentication.
    Eac {
        #[command(subcommand)]
        command: eac_cmd::EacCommand,
    },
    /// Trust anchors: master lists, CSCA certificates, CRLs.
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// List the PC/SC readers: name, whether a card is present, its ATR (with --verbose: what each reader
    /// carries, from its driver: extended length yes / no / unknown, the largest command and response).
    Readers {
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Present the software chip as a card in a PC/SC reader, through the vsmartcard vpcd driver.
    Emulate(pcsc_cmd::EmulateArgs),
    /// Run this reader through the emulator's conformance catalogue (BSI TR-03105-5.1 / ICAO RF Part 4
    /// cases, docs/conformance.md): in process, or over PC/SC with --reader; print the matrix (expected,
    /// ours, the evidence from the chip's statistics). Exit 0 only when every case passes, else 1.
    Conformance(conformance_cmd::ConformanceArgs),
    /// Decode one LDS file (EF.COM, DG1-DG16, EF.SOD, EF.CardAccess, ...), a face record or an image, and print
    /// it. Exit 0 decoded, 1 broken or unknown, 2 unreadable.
    Inspect(inspect::InspectArgs),
    /// The verification service: checks over HTTP with a signed receipt each, an audited history,
    /// statistics (`mrtd serve --data DIR --trust ...`); `tenant add`, `audit verify`, `purge`.
    #[cfg(feature = "serve")]
    Serve(Box<serve_cmd::ServeArgs>),
    /// Receipts of `mrtd serve`: verify one offline.
    #[cfg(feature = "serve")]
    Receipt {
        #[command(subcommand)]
        command: serve_cmd::ReceiptCommand,
    },
}

#[derive(Subcommand, Debug)]
enum TrustCommand {
    /// Summarise a master list, certificate, CRL or directory: certificates by country, validity, failures.
    Inspect {
        /// The file or directory.
        path: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
struct ReadArgs {
    /// Read the built-in software chip with this profile instead of a reader (brp, passport-bac,
    /// eac-passport, ...).
    #[arg(long, value_name = "PROFILE")]
    emulator: Option<String>,
    /// Document number (with --dob and --expiry). The password can also come from a file, the environment
    /// or a prompt: see --mrz-file.
    #[arg(long, requires_all = ["dob", "expiry"])]
    doc: Option<String>,
    /// Date of birth, YYMMDD.
    #[arg(long)]
    dob: Option<String>,
    /// Date of expiry, YYMMDD.
    #[arg(long)]
    expiry: Option<String>,
    /// The whole MRZ (2 or 3 lines; line breaks optional).
    #[arg(long, conflicts_with_all = ["doc", "can"])]
    mrz: Option<String>,
    /// Card Access Number (PACE).
    #[arg(long, conflicts_with = "doc")]
    can: Option<String>,
    /// Read the whole MRZ from FILE (- for standard input) instead of the command line, where other
    /// users can see it. Precedence: --doc/--dob/--expiry, --mrz, --can > --can-file, --mrz-file >
    /// environment (MRTD_CAN, MRTD_MRZ, MRTD_DOC + MRTD_DOB + MRTD_EXPIRY) > a hidden-input prompt
    /// (only when standard input is a terminal; otherwise a missing password is an error, exit 2).
    #[arg(long, value_name = "FILE")]
    mrz_file: Option<PathBuf>,
    /// Read the CAN from FILE (- for standard input); precedence as for --mrz-file.
    #[arg(long, value_name = "FILE")]
    can_file: Option<PathBuf>,
    /// Use BAC when PACE fails for a reason other than a wrong password (reported as a fallback).
    #[arg(long)]
    allow_bac_fallback: bool,
    /// Accept an MRZ given with --mrz whose check digits are wrong (some issued documents carry wrong ones).
    #[arg(long)]
    allow_bad_check_digits: bool,
    /// Print the report as JSON (schema mrtd-report/2).
    #[arg(long)]
    json: bool,
    /// Save every file read (EF_COM.bin, EF_SOD.bin, DG1.bin, ...) and report.json into this directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    trust: trust::TrustArgs,
    #[command(flatten)]
    terminal: eac_cmd::TerminalArgs,
    #[command(flatten)]
    plan: plan::PlanArgs,
    #[command(flatten)]
    dtc: dtc_cmd::ReadDtcArgs,
    #[command(flatten)]
    pcsc: pcsc_cmd::ReaderArgs,
    #[command(flatten)]
    trace: trace_cmd::TraceArgs,
    #[command(flatten)]
    outputs: outputs::ReportOutputs,
}

/// How a command ended, mapped to the exit code.
pub(crate) enum Outcome {
    /// Done; for a document: verified (exit 0).
    Valid,
    /// A check failed (exit 1).
    Suspect,
    /// Read, nothing failed, but not verified (exit 3).
    NotVerified,
    /// A batch in which an input could not be read (exit 2; the other documents were verified).
    Unreadable,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = match (cli.verbose, cli.quiet) {
        (true, _) => "debug",
        (_, true) => "error",
        // A service logs each request (never personal data: docs/service.md).
        #[cfg(feature = "serve")]
        _ if matches!(cli.command, Command::Serve(_)) => "info",
        _ => "warn",
    };
    let json = match &cli.command {
        Command::Demo { json, .. } | Command::Verify { json, .. } => *json,
        Command::Read(args) => args.json,
        Command::Inspect(args) => args.json,
        Command::Conformance(args) => args.json,
        _ => false,
    };
    ui::init(ui::Settings {
        quiet: cli.quiet,
        log_apdu: cli.log_apdu,
        json,
    });
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| filter.into()),
        )
        .with_writer(std::io::stderr)
        // Colours for a terminal only: a pipe or a service's log file gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let result = match cli.command {
        Command::Demo {
            json,
            export_csca,
            outputs,
        } => demo(json, export_csca.as_deref(), &outputs),
        Command::Read(args) => read(&args, cli.verbose),
        Command::Verify {
            dirs,
            jobs,
            trust,
            json,
            outputs,
        } => verify(&dirs, jobs, &trust, json, &outputs),
        Command::Dtc { command } => dtc_cmd::run(&command).map(|()| Outcome::Valid),
        Command::Eac { command } => eac_cmd::run(&command).map(|()| Outcome::Valid),
        Command::Trust {
            command: TrustCommand::Inspect { path, json },
        } => trust::inspect(&path, json).map(|()| Outcome::Valid),
        Command::Readers { json } => pcsc_cmd::readers(json, cli.verbose),
        Command::Emulate(args) => pcsc_cmd::emulate(&args),
        Command::Conformance(args) => conformance_cmd::run(&args),
        Command::Inspect(args) => {
            inspect::run(&args).map(|ok| if ok { Outcome::Valid } else { Outcome::Suspect })
        }
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve_cmd::run(&args),
        #[cfg(feature = "serve")]
        Command::Receipt { command } => serve_cmd::receipt(&command),
    };
    match result {
        Ok(Outcome::Valid) => ExitCode::from(0),
        Ok(Outcome::Suspect) => ExitCode::from(1),
        Ok(Outcome::NotVerified) => ExitCode::from(3),
        Ok(Outcome::Unreadable) => ExitCode::from(2),
        Err(e) => {
            let error = CommandError::of(&e);
            eprintln!("{}", error.message);
            if json {
                println!("{}", error.to_json());
            }
            ExitCode::from(2)
        }
    }
}

/// A command that ended with an error (exit 2): what stderr says, and with `--json` the object printed on
/// stdout instead of a report (schema `mrtd-error/1`, docs/report-schema.md).
struct CommandError {
    /// `access-denied` (the chip refused the password) or `error` (anything else).
    kind: &'static str,
    /// What was wrong with the password, for `access-denied`: `MRZ` or `CAN`.
    password: Option<&'static str>,
    /// The message, as on stderr.
    message: String,
}

impl CommandError {
    fn of(e: &anyhow::Error) -> Self {
        match e.downcast_ref::<icao9303::Error>() {
            Some(icao9303::Error::AccessDenied { password, .. }) => CommandError {
                kind: "access-denied",
                password: Some(password),
                message: format!("access denied: check the {password}"),
            },
            _ => CommandError {
                kind: "error",
                password: None,
                message: format!("error: {}", message(e)),
            },
        }
    }

    fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "schema": "mrtd-error/1",
            "error": self.kind,
            "message": self.message,
            "exit_code": 2,
        });
        if let (Some(password), Some(map)) = (self.password, v.as_object_mut()) {
            map.insert("password".into(), password.into());
        }
        v
    }
}

/// The error and its causes on one line, leaving out a cause whose text the message already holds.
fn message(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

fn demo(
    json: bool,
    export_csca: Option<&Path>,
    outputs: &outputs::ReportOutputs,
) -> anyhow::Result<Outcome> {
    let profile = Profile::brp();
    let key = profile.mrz_key()?;
    let card = profile.personalize()?;
    let csca = card.pki.csca_der();
    if let Some(path) = export_csca {
        private_file::write_private(path, &csca)?;
    }
    // The sample is signed by its own test CSCA: trust it, flagged as a test anchor.
    let mut store = TrustStore::builder();
    store.add_test_anchor(&csca, "the built-in sample's test CSCA")?;
    let store = store.build();
    let (document, report) = read_with(
        EmulatorTransport::new(card.chip),
        &Password::Mrz(key),
        Some(store),
    )?;
    outputs.write(&document, &report)?;
    if json {
        println!("{}", report.to_json());
    } else {
        println!(
            "mrtd demo: reading the built-in sample UK Biometric Residence Permit through the software chip."
        );
        println!(
            "All holder data and the face are synthetic. The signature chain is checked against the"
        );
        println!(
            "sample's own test CSCA: a test anchor, not a real issuing state's certificate.\n"
        );
        print!("{}", render::text(&report));
    }
    Ok(outcome(&report))
}

fn read(args: &ReadArgs, verbose: bool) -> anyhow::Result<Outcome> {
    let password = password::password(args)?;
    let compare = args.dtc.compare_with()?;
    let store = trust::load(&args.trust)?;
    let trust_section = store.as_ref().map(|s| s.load_report().clone());
    let mut options = ReaderOptions {
        trust: store.map(Arc::new),
        allow_bac_fallback: args.allow_bac_fallback,
        terminal: args.terminal.credentials()?,
        ..ReaderOptions::default()
    };
    args.plan.apply(&mut options)?;
    let (document, mut report) = trace_cmd::read(args, &password, options)?;
    report.trust = trust_section;
    args.dtc
        .after_read(compare.as_ref(), &document, &mut report)?;
    if let Some(dir) = &args.out {
        save_dump(dir, &document, &report)?;
    }
    args.outputs.write(&document, &report)?;
    let stats = report
        .read_stats
        .as_ref()
        .filter(|_| args.plan.stats() || verbose)
        .map(plan::render_stats);
    if args.json {
        println!("{}", report.to_json());
        if let Some(stats) = stats.filter(|_| args.plan.stats()) {
            eprint!("{stats}");
        }
    } else {
        print!("{}", render::text(&report));
        if let Some(stats) = stats {
            print!("{stats}");
        }
    }
    Ok(outcome(&report))
}

fn read_with<T: Transport>(
    transport: T,
    password: &Password,
    trust: Option<TrustStore>,
) -> anyhow::Result<(Document, Report)> {
    let mut rng = UnwrapErr(getrandom::SysRng);
    let options = ReaderOptions {
        trust: trust.map(Arc::new),
        ..ReaderOptions::default()
    };
    let mut reader = Reader::with_options(ui::wrap_transport(transport), options);
    ui::attach_progress(&mut reader);
    reader.authenticate(password, &mut rng)?;
    Ok(reader.read_document_with_rng(&mut rng)?)
}

fn verify(
    dirs: &[PathBuf],
    jobs: Option<usize>,
    trust_args: &trust::TrustArgs,
    json: bool,
    outputs: &outputs::ReportOutputs,
) -> anyhow::Result<Outcome> {
    let store = trust::load(trust_args)?;
    let stdin = dirs.iter().any(|d| d.as_os_str() == "-");
    if let [path] = dirs
        && !stdin
        && (path.is_file() || batch::is_dump(path))
    {
        // One document: its report.
        let (document, mut report) = if path.is_dir() {
            batch::verify_files(batch::read_dump(path)?, store.as_ref(), Time::now())
        } else {
            let dtc = dtc_cmd::load(path, "not a dump directory, read as a DTC-VC")?;
            (dtc.document(), dtc.report(store.as_ref(), Time::now()))
        };
        report.trust = store.as_ref().map(|s| s.load_report().clone());
        outputs.write(&document, &report)?;
        if json {
            println!("{}", report.to_json());
        } else {
            print!("{}", render::text(&report));
        }
        return Ok(outcome(&report));
    }
    if outputs.photo.is_some() || outputs.html.is_some() {
        return Err(anyhow!("--photo and --html take one document, not a batch"));
    }
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let store = store.map(Arc::new);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let summary = if stdin {
        if dirs.len() > 1 {
            return Err(anyhow!("`-` (JSON Lines on standard input) goes alone"));
        }
        let input = std::io::BufReader::new(std::io::stdin());
        batch::run(
            batch::json_lines(input),
            store,
            jobs,
            Time::now(),
            &mut out,
            batch::show_progress(),
        )?
    } else {
        batch::run(
            batch::dumps(batch::dump_dirs(dirs)?),
            store,
            jobs,
            Time::now(),
            &mut out,
            batch::show_progress(),
        )?
    };
    drop(out);
    if summary.total == 0 {
        // No verdict from nothing: an input without a document is not a verified batch.
        return Err(anyhow!(if stdin {
            "no document found: standard input held no JSON line"
        } else {
            "no document found in the directories given"
        }));
    }
    if !ui::settings().quiet {
        eprint!("{}", summary.render());
    }
    Ok(match batch::exit_class(&summary) {
        batch::Class::Verified => Outcome::Valid,
        batch::Class::Failed => Outcome::Suspect,
        batch::Class::Unreadable => Outcome::Unreadable,
        batch::Class::NotVerified => Outcome::NotVerified,
    })
}

/// Loads a dump directory written by `read --out` (the files named by [`LdsFile::dump_name`]).
fn load_dump(dir: &Path) -> anyhow::Result<Document> {
    Ok(Document::from_files(batch::read_dump(dir)?))
}

fn save_dump(dir: &Path, document: &Document, report: &Report) -> anyhow::Result<()> {
    private_file::create_private_dir(dir)?;
    for (file, bytes) in &document.files {
        private_file::write_private(&dir.join(file.dump_name()), bytes)?;
    }
    private_file::write_private(&dir.join("report.json"), report.to_json().as_bytes())
}

/// The exit code follows the report's verdict.
fn outcome(report: &Report) -> Outcome {
    match report.verdict.result {
        DocumentResult::Verified => Outcome::Valid,
        DocumentResult::Failed => Outcome::Suspect,
        DocumentResult::NotVerified => Outcome::NotVerified,
    }
}
