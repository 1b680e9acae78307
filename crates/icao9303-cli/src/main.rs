//! `mrtd`: read and verify the chip of a passport, ID card or UK Biometric Residence Permit.
//!
//! Exit codes: 0 the document was read and every check performed passed; 1 a check failed (the document
//! is suspect); 2 the document could not be read (wrong key, no card, I/O, bad arguments).

mod apdu_log;
mod html;
mod inspect;
mod outputs;
mod photo;
mod render;
mod ui;

use anyhow::{Context, anyhow};
use clap::{Args, Parser, Subcommand};
use icao9303::access::Password;
use icao9303::document::Document;
use icao9303::mrz::{Mrz, MrzKey, ParseOptions};
use icao9303::reader::Reader;
use icao9303::report::Report;
use icao9303::transport::Transport;
use icao9303_emu::profile::{PROFILE_NAMES, Profile};
use icao9303_emu::transport::EmulatorTransport;
use rand_core::UnwrapErr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Read and verify eMRTD chips (ICAO 9303): passports, ID cards, UK Biometric Residence Permits.
#[derive(Parser, Debug)]
#[command(name = "mrtd", version, about)]
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
    /// Read the built-in sample BRP through the software chip and print the report.
    Demo {
        /// Print the report as JSON (schema mrtd-report/1).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        outputs: outputs::ReportOutputs,
    },
    /// Read a document's chip.
    Read(ReadArgs),
    /// Decode one LDS file (EF.COM, DG1-DG16, EF.SOD, EF.CardAccess, ...), a face record or an image, and print
    /// it. Exit 0 decoded, 1 broken or unknown, 2 unreadable.
    Inspect(inspect::InspectArgs),
}

#[derive(Args, Debug)]
struct ReadArgs {
    /// Read the built-in software chip with this profile instead of a reader (brp, passport-bac).
    #[arg(long, value_name = "PROFILE")]
    emulator: Option<String>,
    /// Document number (with --dob and --expiry).
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
    /// Accept an MRZ given with --mrz whose check digits are wrong (some issued documents carry wrong ones).
    #[arg(long)]
    allow_bad_check_digits: bool,
    /// Print the report as JSON (schema mrtd-report/1).
    #[arg(long)]
    json: bool,
    /// Save every file read (EF_COM.bin, EF_SOD.bin, DG1.bin, ...) and report.json into this directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    outputs: outputs::ReportOutputs,
}

/// How a command ended, mapped to the exit code.
enum Outcome {
    /// Read, every performed check valid.
    Valid,
    /// Read, a check failed.
    Suspect,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = match (cli.verbose, cli.quiet) {
        (true, _) => "debug",
        (_, true) => "error",
        _ => "warn",
    };
    let json = match &cli.command {
        Command::Demo { json, .. } => *json,
        Command::Read(args) => args.json,
        Command::Inspect(args) => args.json,
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
        .init();
    let result = match cli.command {
        Command::Demo { json, outputs } => demo(json, &outputs),
        Command::Read(args) => read(&args),
        Command::Inspect(args) => {
            inspect::run(&args).map(|ok| if ok { Outcome::Valid } else { Outcome::Suspect })
        }
    };
    match result {
        Ok(Outcome::Valid) => ExitCode::from(0),
        Ok(Outcome::Suspect) => ExitCode::from(1),
        Err(e) => {
            match e.downcast_ref::<icao9303::Error>() {
                Some(err) if err.is_access_denied() => {
                    let what = match err {
                        icao9303::Error::AccessDenied { password, .. } => *password,
                        _ => "MRZ",
                    };
                    eprintln!("access denied: check the {what}");
                }
                _ => eprintln!("error: {e:#}"),
            }
            ExitCode::from(2)
        }
    }
}

fn demo(json: bool, outputs: &outputs::ReportOutputs) -> anyhow::Result<Outcome> {
    let profile = Profile::brp();
    let key = profile.mrz_key()?;
    let card = profile.personalize()?;
    let (document, report) = read_with(EmulatorTransport::new(card.chip), &Password::Mrz(key))?;
    outputs.write(&document, &report)?;
    if json {
        println!("{}", report.to_json());
    } else {
        println!(
            "mrtd demo: reading the built-in sample UK Biometric Residence Permit through the software chip."
        );
        println!("All holder data and the face are synthetic.\n");
        print!("{}", render::text(&report));
    }
    Ok(outcome(&report))
}

fn password(args: &ReadArgs) -> anyhow::Result<Password> {
    if let Some(can) = &args.can {
        return Ok(Password::can(can)?);
    }
    if let Some(text) = &args.mrz {
        let mrz = Mrz::parse_with(
            text,
            ParseOptions {
                allow_bad_check_digits: args.allow_bad_check_digits,
            },
        )
        .context("--mrz")?;
        return Ok(Password::Mrz(mrz.key()?));
    }
    match (&args.doc, &args.dob, &args.expiry) {
        (Some(doc), Some(dob), Some(expiry)) => Ok(Password::Mrz(MrzKey::new(doc, dob, expiry)?)),
        _ => Err(anyhow!(
            "give the document's MRZ key (--doc, --dob, --expiry), the whole --mrz, or --can"
        )),
    }
}

fn read(args: &ReadArgs) -> anyhow::Result<Outcome> {
    let password = password(args)?;
    let Some(name) = &args.emulator else {
        return Err(anyhow!(
            "no reader transport is available in this build yet: use --emulator brp"
        ));
    };
    let profile = Profile::by_name(name).ok_or_else(|| {
        anyhow!(
            "unknown emulator profile {name:?}; known: {}",
            PROFILE_NAMES.join(", ")
        )
    })?;
    let card = profile.personalize()?;
    let (document, report) = read_with(EmulatorTransport::new(card.chip), &password)?;
    if let Some(dir) = &args.out {
        save_dump(dir, &document, &report)?;
    }
    args.outputs.write(&document, &report)?;
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", render::text(&report));
    }
    Ok(outcome(&report))
}

fn read_with<T: Transport>(
    transport: T,
    password: &Password,
) -> anyhow::Result<(Document, Report)> {
    let mut rng = UnwrapErr(getrandom::SysRng);
    let mut reader = Reader::new(ui::wrap_transport(transport));
    ui::attach_progress(&mut reader);
    reader.authenticate(password, &mut rng)?;
    Ok(reader.read_document()?)
}

fn save_dump(dir: &Path, document: &Document, report: &Report) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (file, bytes) in &document.files {
        let path = dir.join(file.dump_name());
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    let path = dir.join("report.json");
    std::fs::write(&path, report.to_json())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn outcome(report: &Report) -> Outcome {
    if report.has_failures() {
        Outcome::Suspect
    } else {
        Outcome::Valid
    }
}
