//! # icao9303-pcsc — read eMRTD chips through PC/SC readers
//!
//! A [`Transport`] over PC/SC (pcsc-lite on Linux and macOS, WinSCard on Windows) for the `icao9303`
//! reader: list readers, pick one by name or index, wait for a card, connect with T=0 or T=1 in shared or
//! exclusive mode, and exchange APDUs. What the link carries comes from the reader driver (PC/SC part 10
//! TLV properties, [`part10`]) and the card's ATR ([`atr`]): extended length yes, no, or unknown (then the
//! `icao9303` read plan probes the chip once).
//!
//! ```no_run
//! use icao9303::{MrzKey, Password, Reader};
//! use icao9303_pcsc::{ConnectOptions, PcscTransport, ReaderSelector};
//! use std::time::Duration;
//!
//! # fn f(rng: &mut impl rand_core::CryptoRng) -> Result<(), Box<dyn std::error::Error>> {
//! for reader in icao9303_pcsc::list_readers()? {
//!     println!("{} {}", reader.index, reader.name);
//! }
//! let selector: ReaderSelector = "0".parse()?;              // or a name, or ReaderSelector::FirstWithCard
//! icao9303_pcsc::wait_for_card(&selector, Duration::from_secs(10))?;
//! let transport = PcscTransport::connect(&selector, &ConnectOptions::default())?;
//! let mut reader = Reader::new(transport);
//! reader.authenticate(&Password::Mrz(MrzKey::new("ZU3847562", "880314", "340313")?), rng)?;
//! let (_document, report) = reader.read_document()?;
//! # Ok(()) }
//! ```
//!
//! Errors of the PC/SC layer are [`PcscError`]; once connected, the [`Transport`] reports
//! [`TransportError`]s (a card taken out of the field mid-session is [`TransportError::CardRemoved`]).

pub mod atr;
pub mod part10;

use icao9303::transport::{Capabilities, Transport, TransportError};
use part10::ReaderCapabilities;
use pcsc::{Card, Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};
use std::ffi::CString;
use std::str::FromStr;
use std::time::{Duration, Instant};
use thiserror::Error;

/// How often readers are polled while waiting for a card or for a removal to show.
const POLL: Duration = Duration::from_millis(200);

/// Most GET RESPONSE rounds accepted for one command (a chip answering 61xx forever is broken).
const MAX_GET_RESPONSE: usize = 64;

/// A failure of the PC/SC layer before or while connecting.
#[derive(Debug, Error)]
pub enum PcscError {
    /// The PC/SC service (pcscd) is not running or not reachable.
    #[error("the PC/SC service is not running (start pcscd)")]
    NoService,
    /// No reader is connected.
    #[error("no PC/SC reader found")]
    NoReaders,
    /// The reader asked for does not exist.
    #[error("no reader {wanted}; readers: {}", if available.is_empty() { "none".to_string() } else { available.join(", ") })]
    ReaderNotFound {
        /// What was asked for (a name or an index).
        wanted: String,
        /// The readers that exist.
        available: Vec<String>,
    },
    /// A name matched several readers.
    #[error("{wanted:?} matches several readers: {}; give the full name or the index", matches.join(", "))]
    Ambiguous {
        /// The name given.
        wanted: String,
        /// The readers it matches.
        matches: Vec<String>,
    },
    /// The reader holds no card (or, for the first-with-card choice, none does).
    #[error("{}", match reader { Some(r) => format!("no card in reader {r}"), None => "no reader holds a card".to_string() })]
    NoCard {
        /// The reader, when one was chosen.
        reader: Option<String>,
    },
    /// Waiting for a card timed out.
    #[error("no card after waiting {}s{}", waited.as_secs(), match reader { Some(r) => format!(" in reader {r}"), None => String::new() })]
    WaitTimeout {
        /// How long it waited.
        waited: Duration,
        /// The reader waited on, when one was chosen.
        reader: Option<String>,
    },
    /// A PC/SC call failed.
    #[error("PC/SC {step}: {source}")]
    Pcsc {
        /// What was being done.
        step: &'static str,
        /// The PC/SC error.
        source: pcsc::Error,
    },
}

impl PcscError {
    fn pcsc(step: &'static str) -> impl FnOnce(pcsc::Error) -> PcscError {
        move |source| match source {
            pcsc::Error::NoService | pcsc::Error::ServiceStopped => PcscError::NoService,
            source => PcscError::Pcsc { step, source },
        }
    }
}

/// A reader and what is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// Position in the reader list (what `--reader 0` picks).
    pub index: usize,
    /// The reader's name as PC/SC reports it ("Virtual PCD 00 00", "ACS ACR122U PICC Interface 00 00", ...).
    pub name: String,
    /// A card is present (and answered reset).
    pub card_present: bool,
    /// The card's ATR, when one is present.
    pub atr: Option<Vec<u8>>,
    /// Another application holds the card exclusively.
    pub exclusive: bool,
}

/// Which reader to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderSelector {
    /// The first reader (in list order) that holds a card.
    FirstWithCard,
    /// The reader at this position in the list.
    Index(usize),
    /// The reader with this exact name, or else the only one whose name contains it (ignoring case).
    Name(String),
}

impl FromStr for ReaderSelector {
    type Err = std::convert::Infallible;
    /// All digits: an index; anything else: a name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.parse::<usize>() {
            Ok(i) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                ReaderSelector::Index(i)
            }
            _ => ReaderSelector::Name(s.to_string()),
        })
    }
}

impl std::fmt::Display for ReaderSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReaderSelector::FirstWithCard => f.write_str("(first with a card)"),
            ReaderSelector::Index(i) => write!(f, "#{i}"),
            ReaderSelector::Name(n) => write!(f, "{n:?}"),
        }
    }
}

impl ReaderSelector {
    /// The reader this selects among `readers`.
    pub fn pick<'a>(&self, readers: &'a [ReaderInfo]) -> Result<&'a ReaderInfo, PcscError> {
        if readers.is_empty() {
            return Err(PcscError::NoReaders);
        }
        let not_found = || PcscError::ReaderNotFound {
            wanted: self.to_string(),
            available: readers.iter().map(|r| r.name.clone()).collect(),
        };
        match self {
            ReaderSelector::FirstWithCard => readers
                .iter()
                .find(|r| r.card_present)
                .ok_or(PcscError::NoCard { reader: None }),
            ReaderSelector::Index(i) => readers.get(*i).ok_or_else(not_found),
            ReaderSelector::Name(name) => {
                if let Some(exact) = readers.iter().find(|r| r.name == *name) {
                    return Ok(exact);
                }
                let lower = name.to_lowercase();
                let matches: Vec<&ReaderInfo> = readers
                    .iter()
                    .filter(|r| r.name.to_lowercase().contains(&lower))
                    .collect();
                match matches.as_slice() {
                    [one] => Ok(one),
                    [] => Err(not_found()),
                    many => Err(PcscError::Ambiguous {
                        wanted: name.clone(),
                        matches: many.iter().map(|r| r.name.clone()).collect(),
                    }),
                }
            }
        }
    }
}

fn establish() -> Result<Context, PcscError> {
    Context::establish(Scope::User).map_err(PcscError::pcsc("establish context"))
}

fn readers_of(context: &Context) -> Result<Vec<ReaderInfo>, PcscError> {
    let names = match context.list_readers_owned() {
        Ok(names) => names,
        Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
        Err(e) => return Err(PcscError::pcsc("list readers")(e)),
    };
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut states: Vec<ReaderState> = names
        .into_iter()
        .map(|n| ReaderState::new(n, State::UNAWARE))
        .collect();
    match context.get_status_change(Duration::ZERO, &mut states) {
        Ok(()) | Err(pcsc::Error::Timeout) => {}
        Err(e) => return Err(PcscError::pcsc("reader status")(e)),
    }
    Ok(states
        .iter()
        .enumerate()
        .map(|(index, s)| {
            let state = s.event_state();
            let present = state.contains(State::PRESENT) && !state.contains(State::MUTE);
            ReaderInfo {
                index,
                name: s.name().to_string_lossy().into_owned(),
                card_present: present,
                atr: (present && !s.atr().is_empty()).then(|| s.atr().to_vec()),
                exclusive: state.contains(State::EXCLUSIVE),
            }
        })
        .collect())
}

/// Every reader PC/SC knows, with its card state. An empty list when there are none.
pub fn list_readers() -> Result<Vec<ReaderInfo>, PcscError> {
    readers_of(&establish()?)
}

/// Waits until the reader `selector` picks holds a card (for [`ReaderSelector::FirstWithCard`]: until any
/// reader does) and returns it. Readers plugged in while waiting count. A zero `timeout` checks once.
pub fn wait_for_card(
    selector: &ReaderSelector,
    timeout: Duration,
) -> Result<ReaderInfo, PcscError> {
    let context = establish()?;
    let start = Instant::now();
    loop {
        let readers = readers_of(&context)?;
        let last = match selector.pick(&readers) {
            Ok(r) if r.card_present => return Ok(r.clone()),
            Ok(r) => PcscError::NoCard {
                reader: Some(r.name.clone()),
            },
            Err(
                e @ (PcscError::NoReaders
                | PcscError::ReaderNotFound { .. }
                | PcscError::NoCard { .. }),
            ) => e,
            Err(e) => return Err(e),
        };
        if start.elapsed() >= timeout {
            if timeout.is_zero() {
                return Err(last);
            }
            let reader = match (&last, selector) {
                (PcscError::NoCard { reader }, _) => reader.clone(),
                (_, ReaderSelector::Name(n)) => Some(n.clone()),
                _ => None,
            };
            return Err(PcscError::WaitTimeout {
                waited: timeout,
                reader,
            });
        }
        std::thread::sleep(
            POLL.min(timeout.saturating_sub(start.elapsed()))
                .max(Duration::from_millis(10)),
        );
    }
}

/// Which transmission protocol to accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProtocolChoice {
    /// T=1 or T=0, whichever the card and reader agree on (contactless readers present T=1).
    #[default]
    Any,
    /// T=0 only.
    T0,
    /// T=1 only.
    T1,
}

impl ProtocolChoice {
    fn protocols(self) -> Protocols {
        match self {
            ProtocolChoice::Any => Protocols::T0 | Protocols::T1,
            ProtocolChoice::T0 => Protocols::T0,
            ProtocolChoice::T1 => Protocols::T1,
        }
    }
}

/// How to connect to the card.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Hold the card exclusively (no other application can send commands that would break secure
    /// messaging). Shared by default.
    pub exclusive: bool,
    /// Which protocol to accept.
    pub protocol: ProtocolChoice,
    /// How long `reconnect` waits for the card to be presented again after it was lost (zero: not at
    /// all). Lets a resumed read survive a card pulled out of the field and put back.
    pub reconnect_wait: std::time::Duration,
}

impl ConnectOptions {
    fn share_mode(&self) -> ShareMode {
        if self.exclusive {
            ShareMode::Exclusive
        } else {
            ShareMode::Shared
        }
    }
}

/// A connection to a card in a PC/SC reader.
pub struct PcscTransport {
    context: Context,
    card: Card,
    reader: String,
    atr: Vec<u8>,
    options: ConnectOptions,
    /// What the reader carries, as its driver says (asked once, at connect).
    reader_caps: ReaderCapabilities,
    capabilities: Capabilities,
    buffer: Vec<u8>,
}

impl std::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscTransport")
            .field("reader", &self.reader)
            .field("capabilities", &self.capabilities)
            .finish()
    }
}

fn connect_err(reader: &str) -> impl FnOnce(pcsc::Error) -> PcscError + '_ {
    move |e| match e {
        pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard => PcscError::NoCard {
            reader: Some(reader.to_string()),
        },
        e => PcscError::pcsc("connect")(e),
    }
}

impl PcscTransport {
    /// Connects to the card in the reader `selector` picks.
    pub fn connect(
        selector: &ReaderSelector,
        options: &ConnectOptions,
    ) -> Result<PcscTransport, PcscError> {
        let context = establish()?;
        let readers = readers_of(&context)?;
        let reader = selector.pick(&readers)?.name.clone();
        let name = CString::new(reader.as_bytes()).map_err(|_| PcscError::ReaderNotFound {
            wanted: reader.clone(),
            available: Vec::new(),
        })?;
        let card = context
            .connect(&name, options.share_mode(), options.protocol.protocols())
            .map_err(connect_err(&reader))?;
        let reader_caps = driver_capabilities(&card);
        let mut transport = PcscTransport {
            context,
            card,
            reader,
            atr: Vec::new(),
            options: options.clone(),
            reader_caps,
            capabilities: Capabilities::default(),
            buffer: vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED],
        };
        transport
            .refresh()
            .map_err(PcscError::pcsc("card status"))?;
        Ok(transport)
    }

    /// Reads the ATR and works out the capabilities after (re)connecting: the reader's limits with what
    /// the card's ATR says about extended length.
    fn refresh(&mut self) -> Result<(), pcsc::Error> {
        self.atr = self.card.status2_owned()?.atr().to_vec();
        let card_says = atr::parse(&self.atr).and_then(|a| a.extended_length);
        self.capabilities = self.reader_caps.with_card(card_says);
        tracing::debug!(
            reader = %self.reader,
            atr = %hex(&self.atr),
            ?card_says,
            reader_extended = %self.reader_caps.extended_length,
            source = ?self.reader_caps.source,
            extended = %self.capabilities.extended_length,
            "PC/SC connected"
        );
        Ok(())
    }

    /// What the reader carries, as its driver says.
    pub fn reader_capabilities(&self) -> &ReaderCapabilities {
        &self.reader_caps
    }

    /// The reader's name.
    pub fn reader_name(&self) -> &str {
        &self.reader
    }

    /// The card's ATR (from the last connect or reconnect).
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// The protocol in use (T=0 or T=1), if known.
    pub fn protocol(&self) -> Option<pcsc::Protocol> {
        self.card.status2_owned().ok().and_then(|s| s.protocol2())
    }

    /// The contactless UID (or PUPI) with the PC/SC part 3 GET DATA pseudo-APDU `FF CA 00 00 00`, which
    /// the reader answers itself. `None` when the reader does not support it. eMRTDs give a random UID,
    /// new on every activation: it identifies nothing.
    pub fn uid(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        let response = self.transmit_raw(&[0xFF, 0xCA, 0x00, 0x00, 0x00])?;
        match response.split_last_chunk::<2>() {
            Some((uid, [0x90, 0x00])) if !uid.is_empty() => Ok(Some(uid.to_vec())),
            _ => Ok(None),
        }
    }

    fn transmit_raw(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let response = match self.card.transmit(command, &mut self.buffer) {
            Ok(response) => response.to_vec(),
            Err(e) => return Err(self.transport_error(e)),
        };
        if response.is_empty() {
            // No status word: the card did not answer (some drivers report it so, vpcd among them).
            return Err(if self.card_left() {
                TransportError::CardRemoved
            } else {
                TransportError::Io(
                    "the reader returned no response (the card did not answer)".into(),
                )
            });
        }
        Ok(response)
    }

    /// Maps a PC/SC error during a session to a [`TransportError`]. For errors that do not say what
    /// happened (communication errors), looks at the reader for up to a second: an empty reader means
    /// the card was removed.
    fn transport_error(&self, e: pcsc::Error) -> TransportError {
        use pcsc::Error as E;
        match e {
            // The card left the field, or was reset by another application (its session is gone either way).
            E::RemovedCard
            | E::NoSmartcard
            | E::ResetCard
            | E::UnpoweredCard
            | E::UnresponsiveCard => TransportError::CardRemoved,
            E::Timeout => TransportError::Timeout,
            E::ReaderUnavailable | E::UnknownReader => {
                TransportError::Io(format!("reader {} is no longer available", self.reader))
            }
            E::NoService | E::ServiceStopped => {
                TransportError::Io("the PC/SC service stopped".into())
            }
            e => {
                if self.card_left() {
                    TransportError::CardRemoved
                } else {
                    TransportError::Io(format!("PC/SC transmit: {e}"))
                }
            }
        }
    }

    fn card_left(&self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(1);
        loop {
            match readers_of(&self.context) {
                Ok(readers) => match readers.iter().find(|r| r.name == self.reader) {
                    Some(r) if r.card_present => {}
                    _ => return true,
                },
                Err(_) => return false,
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(POLL);
        }
    }
}

/// Asks the reader driver through `card` (a card or a direct connection) what it carries: its PC/SC part 10
/// TLV properties, else `SCARD_ATTR_MAXINPUT`. A driver that answers neither leaves it unknown.
fn driver_capabilities(card: &Card) -> ReaderCapabilities {
    let mut buffer = [0u8; 256];
    let properties = card
        .control(
            pcsc::ctl_code(part10::CM_IOCTL_GET_FEATURE_REQUEST as _),
            &[],
            &mut buffer,
        )
        .map_err(|e| tracing::debug!(%e, "PC/SC part 10 feature request refused"))
        .ok()
        .and_then(|answer| {
            part10::parse_features(answer)
                .map_err(|e| tracing::debug!(%e, "PC/SC part 10 features"))
                .ok()
        })
        .and_then(|features| {
            features
                .into_iter()
                .find(|(feature, _)| *feature == part10::FEATURE_GET_TLV_PROPERTIES)
        })
        .and_then(|(_, code)| {
            let mut buffer = [0u8; 512];
            let answer = card
                .control(code as _, &[], &mut buffer)
                .map_err(|e| tracing::debug!(%e, "PC/SC part 10 TLV properties refused"))
                .ok()?;
            part10::parse_tlv_properties(answer)
                .map_err(|e| tracing::debug!(%e, "PC/SC part 10 TLV properties"))
                .ok()
        });
    // SCARD_ATTR_MAXINPUT: the reader's largest command, when its driver reports one.
    let max_input = card
        .get_attribute_owned(pcsc::Attribute::Maxinput)
        .ok()
        .and_then(|v| v.get(..4).and_then(|b| <[u8; 4]>::try_from(b).ok()))
        .map(|b| u32::from_ne_bytes(b) as usize);
    ReaderCapabilities::from_driver(properties, max_input)
}

/// What the reader `selector` picks can carry, asked of its driver over a direct connection (no card
/// needed; a card in the reader is left as it is). A reader held exclusively by another application, or
/// whose driver refuses direct connections, gives an error.
pub fn reader_capabilities(selector: &ReaderSelector) -> Result<ReaderCapabilities, PcscError> {
    let context = establish()?;
    let readers = readers_of(&context)?;
    let reader = selector.pick(&readers)?.name.clone();
    let name = CString::new(reader.as_bytes()).map_err(|_| PcscError::ReaderNotFound {
        wanted: reader.clone(),
        available: Vec::new(),
    })?;
    let card = context
        .connect(&name, ShareMode::Direct, Protocols::UNDEFINED)
        .map_err(PcscError::pcsc("direct connection"))?;
    let capabilities = driver_capabilities(&card);
    // Leave the card as it is: dropping the connection would reset it, and with it the session of
    // whoever is reading it.
    if let Err((_, e)) = card.disconnect(Disposition::LeaveCard) {
        tracing::debug!(%e, "PC/SC direct connection: disconnect");
    }
    Ok(capabilities)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

impl Transport for PcscTransport {
    /// Sends the command; when the card answers 61xx (more data, as T=0 cards do) fetches the rest with
    /// GET RESPONSE and returns the whole response.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut response = self.transmit_raw(command)?;
        let mut data = Vec::new();
        for _ in 0..MAX_GET_RESPONSE {
            match response.split_last_chunk::<2>() {
                Some((part, [0x61, more])) => {
                    data.extend_from_slice(part);
                    let cla = command.first().copied().unwrap_or(0) & 0x03;
                    response = self.transmit_raw(&[cla, 0xC0, 0x00, 0x00, *more])?;
                }
                _ => {
                    if data.is_empty() {
                        return Ok(response);
                    }
                    data.extend_from_slice(&response);
                    return Ok(data);
                }
            }
        }
        Err(TransportError::Io(format!(
            "the card kept answering 61xx after {MAX_GET_RESPONSE} GET RESPONSE commands"
        )))
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    /// Resets the card (warm reset through the reader), or connects afresh when the card was removed
    /// and put back. [`TransportError::NoCard`] when the reader is empty.
    fn reconnect(&mut self) -> Result<(), TransportError> {
        let share = self.options.share_mode();
        let protocols = self.options.protocol.protocols();
        if let Err(first) = self
            .card
            .reconnect(share, protocols, Disposition::ResetCard)
        {
            tracing::debug!(%first, "PC/SC reconnect failed: connecting afresh");
            let name = CString::new(self.reader.as_bytes())
                .map_err(|_| TransportError::Io("reader name".into()))?;
            let deadline = std::time::Instant::now() + self.options.reconnect_wait;
            // While the card is away, or back but not yet powered up, try again until the deadline.
            let transient = |e: &pcsc::Error| {
                matches!(
                    e,
                    pcsc::Error::NoSmartcard
                        | pcsc::Error::RemovedCard
                        | pcsc::Error::ResetCard
                        | pcsc::Error::UnpoweredCard
                        | pcsc::Error::UnresponsiveCard
                )
            };
            loop {
                let connected = self
                    .context
                    .connect(&name, share, protocols)
                    .and_then(|card| {
                        // Dropping the old handle would reset the card just connected to: leave it.
                        let old = std::mem::replace(&mut self.card, card);
                        if let Err((_, e)) = old.disconnect(Disposition::LeaveCard) {
                            tracing::debug!(%e, "PC/SC: the old connection");
                        }
                        self.refresh()
                    });
                match connected {
                    Ok(()) => return Ok(()),
                    Err(e) if transient(&e) && std::time::Instant::now() < deadline => {
                        tracing::debug!(%e, "PC/SC reconnect: waiting for the card");
                        std::thread::sleep(std::time::Duration::from_millis(200));
                    }
                    Err(pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard) => {
                        return Err(TransportError::NoCard);
                    }
                    Err(e) => return Err(self.transport_error(e)),
                }
            }
        }
        self.refresh().map_err(|e| self.transport_error(e))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn readers() -> Vec<ReaderInfo> {
        [
            "Virtual PCD 00 00",
            "Virtual PCD 00 01",
            "ACS ACR1252 1S CL Reader PICC 00 00",
        ]
        .iter()
        .enumerate()
        .map(|(index, n)| ReaderInfo {
            index,
            name: n.to_string(),
            card_present: index == 1,
            atr: None,
            exclusive: false,
        })
        .collect()
    }

    #[test]
    fn selectors() {
        let r = readers();
        let pick = |s: &str| {
            s.parse::<ReaderSelector>()
                .unwrap()
                .pick(&r)
                .map(|r| r.index)
        };
        assert_eq!(pick("2").unwrap(), 2);
        assert_eq!(pick("Virtual PCD 00 01").unwrap(), 1);
        assert_eq!(pick("acr1252").unwrap(), 2);
        assert!(matches!(pick("virtual"), Err(PcscError::Ambiguous { .. })));
        let err = pick("7").unwrap_err().to_string();
        assert_eq!(
            err,
            "no reader #7; readers: Virtual PCD 00 00, Virtual PCD 00 01, ACS ACR1252 1S CL Reader PICC 00 00"
        );
        assert_eq!(ReaderSelector::FirstWithCard.pick(&r).unwrap().index, 1);
        assert!(matches!(
            ReaderSelector::FirstWithCard.pick(&[]),
            Err(PcscError::NoReaders)
        ));
        assert_eq!(
            "".parse::<ReaderSelector>().unwrap(),
            ReaderSelector::Name(String::new())
        );
        assert_eq!(
            "+1".parse::<ReaderSelector>().unwrap(),
            ReaderSelector::Name("+1".into())
        );
    }

    #[test]
    fn messages() {
        assert_eq!(
            PcscError::NoCard { reader: None }.to_string(),
            "no reader holds a card"
        );
        assert_eq!(
            PcscError::WaitTimeout {
                waited: Duration::from_secs(3),
                reader: Some("R".into())
            }
            .to_string(),
            "no card after waiting 3s in reader R"
        );
    }
}
