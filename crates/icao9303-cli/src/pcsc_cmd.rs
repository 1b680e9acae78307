//! PC/SC commands: `mrtd readers`, the reader options of `mrtd read`, and `mrtd emulate` (the software chip
//! as a card in pcscd's vpcd reader).

use crate::Outcome;
use anyhow::{Context, anyhow};
use clap::{Args, ValueEnum};
use icao9303::transport::{Capabilities, Transport, TransportError};
use icao9303_emu::chip::Chip;
use icao9303_emu::chip::ExtendedLengthBehaviour;
use icao9303_emu::dump::chip_from_dump;
use icao9303_emu::profile::{chip_by_name, chip_names};
use icao9303_emu::vpcd::{Bridge, BridgeEvent, BridgeOptions, DEFAULT_ADDRESS};
use icao9303_pcsc::part10::CapabilitySource;
use icao9303_pcsc::{ConnectOptions, PcscTransport, ProtocolChoice, ReaderSelector};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Which PC/SC reader `mrtd read` uses and how it connects.
#[derive(Args, Debug)]
pub(crate) struct ReaderArgs {
    /// PC/SC reader: its name (or a unique part of it) or its index in `mrtd readers`.
    /// Default: the first reader that holds a card.
    #[arg(long, value_name = "NAME|INDEX", conflicts_with_all = ["emulator", "replay"])]
    reader: Option<String>,
    /// Wait for a card (up to SECONDS, 30 when not given) instead of failing at once.
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "30")]
    wait: Option<u64>,
    /// Hold the card exclusively while reading.
    #[arg(long)]
    exclusive: bool,
    /// Transmission protocol to accept.
    #[arg(long, value_enum, default_value = "any")]
    protocol: ProtocolArg,
}

/// `--protocol`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ProtocolArg {
    /// T=0 or T=1.
    Any,
    /// T=0 only.
    T0,
    /// T=1 only.
    T1,
}

/// Opens the reader `args` choose, waiting for a card if asked.
pub(crate) fn open(args: &ReaderArgs) -> anyhow::Result<PcscTransport> {
    let selector = match &args.reader {
        Some(r) => r
            .parse::<ReaderSelector>()
            .unwrap_or(ReaderSelector::FirstWithCard),
        None => ReaderSelector::FirstWithCard,
    };
    let timeout = Duration::from_secs(args.wait.unwrap_or(0));
    if args.wait.is_some() {
        crate::ui::note(format!(
            "waiting up to {}s for a card...",
            timeout.as_secs()
        ));
    }
    let found = icao9303_pcsc::wait_for_card(&selector, timeout)?;
    let options = ConnectOptions {
        exclusive: args.exclusive,
        protocol: match args.protocol {
            ProtocolArg::Any => ProtocolChoice::Any,
            ProtocolArg::T0 => ProtocolChoice::T0,
            ProtocolArg::T1 => ProtocolChoice::T1,
        },
        // A card lost mid-read is waited for (as long as for the first one, at least PRESENT_AGAIN), then
        // the read resumes where it stopped.
        reconnect_wait: present_again_wait(args.wait),
    };
    let transport = PcscTransport::connect(&ReaderSelector::Name(found.name.clone()), &options)
        .with_context(|| format!("reader {}", found.name))?;
    tracing::info!(reader = %found.name, "reading");
    Ok(transport)
}

/// How long a read waits, at least, for a document lost mid-read to be presented again.
const PRESENT_AGAIN: Duration = Duration::from_secs(30);

/// How long a read waits for a document lost mid-read: `--wait`'s time, and at least [`PRESENT_AGAIN`]
/// (a card pulled away by accident is put back within seconds; failing at once loses the read).
fn present_again_wait(wait: Option<u64>) -> Duration {
    Duration::from_secs(wait.unwrap_or(0)).max(PRESENT_AGAIN)
}

/// The card in a PC/SC reader as a read sees it: when the read loses the card (the document was moved
/// away, or the chip stopped answering), it asks for the document back and waits for it
/// ([`present_again_wait`]); the read then resumes where it stopped.
pub(crate) struct AskForCard<T> {
    inner: T,
    wait: Duration,
}

impl<T> AskForCard<T> {
    /// `inner`, whose reconnect waits up to `wait` for the card.
    pub(crate) fn new(inner: T, wait: Duration) -> Self {
        AskForCard { inner, wait }
    }

    /// A transport over a reader opened with `args`.
    pub(crate) fn for_reader(inner: T, args: &ReaderArgs) -> Self {
        Self::new(inner, present_again_wait(args.wait))
    }
}

impl<T: Transport> Transport for AskForCard<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.inner.transmit(command)
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        crate::ui::note(format!(
            "lost the card: keep the document on the reader, or put it back (waiting up to {}s)...",
            self.wait.as_secs()
        ));
        self.inner.reconnect().map_err(|e| match e {
            TransportError::NoCard | TransportError::CardRemoved => TransportError::Io(format!(
                "the document was not presented again within {}s",
                self.wait.as_secs()
            )),
            e => e,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// What a reader carries, asked of its driver, and what the card's ATR says about extended length:
/// `mrtd readers --verbose`.
struct Carries {
    reader: Result<icao9303_pcsc::part10::ReaderCapabilities, String>,
    card: Option<Option<bool>>,
}

impl Carries {
    fn of(r: &icao9303_pcsc::ReaderInfo) -> Self {
        Carries {
            reader: icao9303_pcsc::reader_capabilities(&ReaderSelector::Index(r.index))
                .map_err(|e| e.to_string()),
            card: r
                .atr
                .as_deref()
                .map(|atr| icao9303_pcsc::atr::parse(atr).and_then(|a| a.extended_length)),
        }
    }

    fn source(source: CapabilitySource) -> &'static str {
        match source {
            CapabilitySource::TlvProperties => "tlv-properties",
            CapabilitySource::MaxInput => "max-input",
            CapabilitySource::Nothing => "none",
        }
    }

    fn card(says: Option<bool>) -> &'static str {
        match says {
            Some(true) => "extended length",
            Some(false) => "short only",
            None => "not announced",
        }
    }

    fn json(&self) -> serde_json::Value {
        let mut v = match &self.reader {
            Ok(c) => serde_json::json!({
                "extended_length": c.extended_length.as_str(),
                "max_command": c.max_command_len,
                "max_response": c.max_response_len,
                "source": Self::source(c.source),
                "max_apdu_data_size": c.properties.as_ref().and_then(|p| p.max_apdu_data_size),
            }),
            Err(e) => serde_json::json!({ "extended_length": "unknown", "error": e }),
        };
        if let (Some(says), Some(map)) = (self.card, v.as_object_mut()) {
            map.insert("card".into(), Self::card(says).into());
        }
        v
    }

    fn text(&self) -> String {
        let reader = match &self.reader {
            Ok(c) => {
                let from = match (
                    c.source,
                    c.properties.as_ref().and_then(|p| p.max_apdu_data_size),
                ) {
                    (CapabilitySource::TlvProperties, Some(n)) => format!("dwMaxAPDUDataSize {n}"),
                    (CapabilitySource::MaxInput, _) => "SCARD_ATTR_MAXINPUT".into(),
                    _ => "the driver does not say".into(),
                };
                format!(
                    "extended length {} ({from}); largest command {} bytes, response {} bytes",
                    c.extended_length, c.max_command_len, c.max_response_len
                )
            }
            Err(e) => format!("extended length unknown (cannot ask the driver: {e})"),
        };
        match self.card {
            Some(says) => format!("{reader}; the card's ATR says: {}", Self::card(says)),
            None => reader,
        }
    }
}

/// `mrtd readers`: every reader, whether it holds a card, and the card's ATR; with `verbose`, what each
/// reader carries.
pub(crate) fn readers(json: bool, verbose: bool) -> anyhow::Result<Outcome> {
    let readers = icao9303_pcsc::list_readers()?;
    if json {
        let list: Vec<_> = readers
            .iter()
            .map(|r| {
                let mut v = serde_json::json!({
                    "index": r.index,
                    "name": r.name,
                    "card_present": r.card_present,
                    "atr": r.atr.as_deref().map(hex),
                });
                if let (true, Some(map)) = (verbose, v.as_object_mut()) {
                    map.insert("carries".into(), Carries::of(r).json());
                }
                v
            })
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return Ok(Outcome::Valid);
    }
    if readers.is_empty() {
        return Err(anyhow!("no PC/SC reader found"));
    }
    for r in &readers {
        let card = match &r.atr {
            Some(atr) => format!("card present  ATR {}", hex(atr)),
            None if r.card_present => "card present".into(),
            None => "no card".into(),
        };
        println!("{}  {}  {card}", r.index, r.name);
        if verbose {
            println!("   {}", Carries::of(r).text());
        }
    }
    Ok(Outcome::Valid)
}

/// `mrtd emulate`: what to present and where. One of --profile, --dump, --case and --list-cases is
/// required (the usage line shows it so).
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("chip").required(true).args(["profile", "dump", "case", "list_cases"])))]
pub(crate) struct EmulateArgs {
    /// Built-in profile to present (brp, passport-bac, eac-passport, ...). Required, unless --dump,
    /// --case or --list-cases says what else.
    #[arg(long, value_name = "PROFILE")]
    profile: Option<String>,
    /// Present the chip of a conformance case instead (`--list-cases` lists them; docs/conformance.md
    /// describes each): the emulator as a lower tester for any inspection system. What the inspection
    /// system must be given and the verdict it must reach are printed; when the card is removed, whether
    /// the case's behaviour happened (the chip's statistics).
    #[arg(long, value_name = "ID", conflicts_with_all = ["dump", "cvca", "extended_length"])]
    case: Option<String>,
    /// With --case: write the case's trust anchors (csca-N.der), Document Signers (dsc-N.der), CRLs
    /// (crl-N.der) and, for EAC cases, the inspection system's certificates (<CHR>.cvcert) and key
    /// (<CHR>.pkcs8) into DIR.
    #[arg(long, value_name = "DIR", requires = "case")]
    export: Option<PathBuf>,
    /// List the conformance cases (id, unit, expected verdict, title) and exit.
    #[arg(long)]
    list_cases: bool,
    /// Install this CVCA certificate as the chip's Terminal Authentication trust point (in place of the
    /// built-in Utopia test CVCA), so a terminal with its own test PKI (`mrtd eac mint`) can run TA and
    /// read DG3/DG4. Profiles with EAC only (brp, eac-passport).
    #[arg(long, value_name = "FILE", conflicts_with = "dump")]
    cvca: Option<PathBuf>,
    /// Present a saved dump instead: the directory `mrtd read --out DIR` wrote (EF_COM.bin, EF_SOD.bin,
    /// DG1.bin, ...). Its EF.SOD is kept as read; BAC is keyed from the MRZ in DG1.
    #[arg(long, value_name = "DIR")]
    dump: Option<PathBuf>,
    /// Address of the vpcd driver (35963 is "Virtual PCD 00 00", 35964 "Virtual PCD 00 01").
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_ADDRESS)]
    vpcd: String,
    /// Give up (exit 2) when the vpcd driver stays unreachable this many seconds — at the start, or after
    /// it went away (pcscd restarting); 0 retries for ever.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    vpcd_wait: u64,
    /// How the chip treats extended-length APDUs: announced (takes them and says so in its ATR and
    /// EF.ATR/INFO; the default of a bare --extended-length), silent (takes them, announces nothing),
    /// refused (announces nothing, answers 6700), mute (announces nothing, goes mute on them), short
    /// (short APDUs only, as its ATR says; the default).
    #[arg(long, value_enum, value_name = "BEHAVIOUR", num_args = 0..=1, default_missing_value = "announced")]
    extended_length: Option<ExtendedChip>,
}

/// `mrtd emulate --extended-length`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ExtendedChip {
    /// Takes extended length and announces it.
    Announced,
    /// Takes extended length, announces nothing.
    Silent,
    /// Announces nothing, answers 6700.
    Refused,
    /// Announces nothing, goes mute.
    Mute,
    /// Short APDUs only, and says so.
    Short,
}

impl ExtendedChip {
    fn behaviour(self) -> ExtendedLengthBehaviour {
        match self {
            ExtendedChip::Announced => ExtendedLengthBehaviour::Announced,
            ExtendedChip::Silent => ExtendedLengthBehaviour::Silent,
            ExtendedChip::Refused => ExtendedLengthBehaviour::Refused,
            ExtendedChip::Mute => ExtendedLengthBehaviour::Mute,
            ExtendedChip::Short => ExtendedLengthBehaviour::ShortAnnounced,
        }
    }
}

/// `mrtd emulate`: serves the chip to vpcd until Ctrl-C (or SIGTERM), which removes the card.
pub(crate) fn emulate(args: &EmulateArgs) -> anyhow::Result<Outcome> {
    if args.list_cases {
        return crate::conformance_cmd::list_cases();
    }
    let mut case = None;
    let (chip, what): (Chip, String) = match (&args.profile, &args.dump) {
        (None, None) if let Some(id) = &args.case => {
            let (c, setup) = crate::conformance_cmd::emulated_case(id, args.export.as_deref())?;
            let what = format!("conformance case {}", c.id());
            case = Some(c);
            (setup.chip, what)
        }
        (_, Some(dir)) => {
            let mut options = icao9303_emu::chip::ChipOptions::default();
            set_extended(&mut options, args.extended_length);
            (
                chip_from_dump(dir, options)?,
                format!("the dump in {}", dir.display()),
            )
        }
        (Some(name), None) => {
            let trust_points = match &args.cvca {
                Some(path) => Some(vec![crate::eac_cmd::load_cvca(path)?]),
                None => None,
            };
            let named = chip_by_name(
                name,
                |options| set_extended(options, args.extended_length),
                trust_points,
            )?
            .ok_or_else(|| {
                anyhow!(
                    "unknown emulator profile {name:?}; known: {}",
                    chip_names().join(", ")
                )
            })?;
            if let (Some(path), Some(ta)) = (&args.cvca, named.chip.terminal_authentication()) {
                let chrs: Vec<String> = ta
                    .trust_points()
                    .iter()
                    .map(|t| t.chr.to_string())
                    .collect();
                eprintln!(
                    "Terminal Authentication trust point from {}: {}",
                    path.display(),
                    chrs.join(", ")
                );
            } else if args.cvca.is_some() {
                return Err(anyhow!(
                    "--cvca: profile {name} has no Extended Access Control (brp and eac-passport do)"
                ));
            }
            (named.chip, format!("profile {name}"))
        }
        (None, None) => return Err(anyhow!("give --profile or --dump")),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("installing the Ctrl-C handler")?;
    eprintln!(
        "emulating {what} through vpcd at {}; Ctrl-C removes the card",
        args.vpcd
    );
    let options = BridgeOptions {
        address: args.vpcd.clone(),
        give_up_after: (args.vpcd_wait > 0).then(|| Duration::from_secs(args.vpcd_wait)),
        ..BridgeOptions::default()
    };
    let mut bridge = Bridge::new(chip, options).on_event(|event| match event {
        BridgeEvent::Connected(at) => eprintln!("card inserted (connected to vpcd at {at})"),
        BridgeEvent::Retrying(after) => {
            eprintln!(
                "vpcd not reachable (is pcscd with vsmartcard-vpcd running?); retrying in {} ms",
                after.as_millis()
            )
        }
        BridgeEvent::CardLost(after) => eprintln!(
            "the chip gave no answer: card removed, back in {} ms",
            after.as_millis()
        ),
        BridgeEvent::Stopped => eprintln!("card removed"),
    });
    bridge.run(&stop)?;
    if let Some(case) = &case {
        crate::conformance_cmd::report_evidence(case, bridge.into_chip().stats());
    }
    Ok(Outcome::Valid)
}

fn set_extended(options: &mut icao9303_emu::chip::ChipOptions, how: Option<ExtendedChip>) {
    if let Some(how) = how {
        how.behaviour().apply(options);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A card that is gone: every reconnect finds the reader empty, or (`back`) the card back.
    struct Gone {
        back: bool,
        reconnects: usize,
    }

    impl Transport for Gone {
        fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
            Err(TransportError::CardRemoved)
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities::default()
        }
        fn reconnect(&mut self) -> Result<(), TransportError> {
            self.reconnects += 1;
            if self.back {
                Ok(())
            } else {
                Err(TransportError::NoCard)
            }
        }
    }

    /// A card lost mid-read is waited for (at least 30 s, or --wait's time) and, when it does not come
    /// back, the error says the document was not presented again (issue 26: "no card present" at once).
    #[test]
    fn a_lost_card_is_asked_for_and_waited_for() {
        assert_eq!(present_again_wait(None), PRESENT_AGAIN);
        assert_eq!(present_again_wait(Some(5)), PRESENT_AGAIN);
        assert_eq!(present_again_wait(Some(90)), Duration::from_secs(90));
        let mut gone = AskForCard::new(
            Gone {
                back: false,
                reconnects: 0,
            },
            PRESENT_AGAIN,
        );
        let err = gone.reconnect().unwrap_err();
        assert_eq!(
            err.to_string(),
            "I/O error: the document was not presented again within 30s"
        );
        let mut back = AskForCard::new(
            Gone {
                back: true,
                reconnects: 0,
            },
            PRESENT_AGAIN,
        );
        back.reconnect().unwrap();
        assert_eq!(back.inner.reconnects, 1);
    }
}
