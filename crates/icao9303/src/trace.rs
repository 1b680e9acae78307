//! APDU traces: record a session (every command, every response, every random byte the reader drew) and
//! replay it deterministically.
//!
//! The text format is documented in `docs/trace-format.md`. In short:
//!
//! ```text
//! # mrtd-trace 1
//! # comments start with '#'
//! caps extended=no command=261 response=258
//! > 0084000008
//! < 4608F91988702212 9000
//! rng 8 781723860C06C226
//! reset
//! ```
//!
//! Recording: a [`Recorder`] hands out a [`RecordingTransport`] and a [`RecordingRng`] that append to one
//! shared, ordered log. Replaying: a [`Replay`] hands out a [`ReplayTransport`] and a [`ReplayRng`] that
//! check the reader does exactly what the trace says and stop at the first difference with
//! [`TransportError::Replay`], naming the trace line.
//!
//! ```
//! use icao9303::trace::{Recorder, Replay};
//! use icao9303::transport::Transport;
//! # struct Echo;
//! # impl Transport for Echo {
//! #     fn transmit(&mut self, _c: &[u8]) -> Result<Vec<u8>, icao9303::transport::TransportError> { Ok(vec![0x90, 0x00]) }
//! # }
//! let recorder = Recorder::new();
//! let mut link = recorder.transport(Echo);
//! link.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap();
//! let text = recorder.to_text();
//! assert!(text.starts_with("# mrtd-trace 1\n"));
//!
//! let replay = Replay::parse(&text).unwrap();
//! let mut link = replay.transport();
//! assert_eq!(link.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap(), vec![0x90, 0x00]);
//! replay.finish().unwrap();
//! ```
//!
//! A trace holds everything needed to decrypt the session once the MRZ is known: treat it like the
//! document itself.

use crate::transport::{Capabilities, ExtendedLength, Transport, TransportError};
use rand_core::{CryptoRng, TryCryptoRng, TryRng};
use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use thiserror::Error;

/// The format version this module writes and reads.
pub const TRACE_VERSION: u32 = 1;

/// The first line of every trace.
pub const TRACE_HEADER: &str = "# mrtd-trace 1";

/// Largest number of random bytes one `rng` line may hold (a sanity bound for untrusted files).
const MAX_RNG_DRAW: usize = 4096;

/// One event of a session, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A command APDU as the reader sent it (`> ...`).
    Command(Vec<u8>),
    /// A response APDU as the transport returned it, status word included (`< ...`).
    Response(Vec<u8>),
    /// Random bytes the reader drew, in one call (`rng N ...`).
    Random(Vec<u8>),
    /// The reader reset the card ([`Transport::reconnect`]) (`reset`).
    Reset,
    /// The command before it got no answer: the link failed (`! timeout`, `! card-removed`, `! io TEXT`).
    NoAnswer(TransportError),
}

impl Event {
    fn describe(&self) -> String {
        match self {
            Event::Command(c) => format!("command {}", hex(c)),
            Event::Response(r) => format!("response {}", hex(r)),
            Event::Random(b) => format!("{} random bytes", b.len()),
            Event::Reset => "a card reset".into(),
            Event::NoAnswer(e) => format!("no answer ({e})"),
        }
    }
}

/// A trace event with the line of the trace file it came from (1-based; 0 when not from a file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    /// Line number in the trace text.
    pub line: usize,
    /// The event.
    pub event: Event,
}

/// A malformed trace file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TraceError {
    /// The first line is not `# mrtd-trace 1`.
    #[error("line 1: not an mrtd trace (expected {TRACE_HEADER:?} as the first line)")]
    MissingHeader,
    /// The trace declares a version this build cannot read.
    #[error(
        "line 1: trace format version {0} is not supported (this build reads version {TRACE_VERSION})"
    )]
    UnsupportedVersion(String),
    /// A line could not be parsed.
    #[error("line {line}: {what}")]
    Syntax {
        /// Line number (1-based).
        line: usize,
        /// What is wrong with it.
        what: String,
    },
}

/// Formats bytes as upper-case hex without separators.
fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// Parses hex digits, ignoring spaces and tabs between them.
fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'\t'))
        .collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits ({})", digits.len()));
    }
    let nibble = |c: u8| -> Result<u8, String> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => Ok(c - b'A' + 10),
            _ => Err(format!("{:?} is not a hex digit", char::from(c))),
        }
    };
    digits
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => Ok(nibble(*hi)? << 4 | nibble(*lo)?),
            _ => Err("odd number of hex digits".to_string()),
        })
        .collect()
}

/// A parsed trace file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trace {
    /// What the recording link could carry (`caps` line), if the trace says.
    pub capabilities: Option<Capabilities>,
    /// The events, in order.
    pub events: Vec<TraceLine>,
}

fn format_caps(c: &Capabilities) -> String {
    format!(
        "caps extended={} command={} response={}",
        c.extended_length, c.max_command_len, c.max_response_len
    )
}

fn parse_caps(rest: &str) -> Result<Capabilities, String> {
    let mut caps = Capabilities::default();
    for field in rest.split_whitespace() {
        let (key, value) = field
            .split_once('=')
            .ok_or_else(|| format!("caps: {field:?} is not key=value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("caps: {key}={value:?} is not a number"))
        };
        match key {
            "extended" => {
                caps.extended_length = ExtendedLength::parse(value).ok_or_else(|| {
                    format!("caps: extended={value:?} (expected yes, no or unknown)")
                })?
            }
            "command" => caps.max_command_len = number()?,
            "response" => caps.max_response_len = number()?,
            _ => return Err(format!("caps: unknown field {key:?}")),
        }
    }
    Ok(caps)
}

/// Parses trace text into its events, each with its line number.
pub fn parse(text: &str) -> Result<Trace, TraceError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    match lines.next() {
        Some((_, first)) if first.trim() == TRACE_HEADER => {}
        Some((_, first)) => {
            let rest = first.trim().strip_prefix("# mrtd-trace ");
            return Err(match rest {
                Some(v) => TraceError::UnsupportedVersion(v.chars().take(16).collect()),
                None => TraceError::MissingHeader,
            });
        }
        None => return Err(TraceError::MissingHeader),
    }
    let mut trace = Trace::default();
    for (line, raw) in lines {
        let text = raw.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let syntax = |what: String| TraceError::Syntax { line, what };
        if let Some(rest) = text.strip_prefix("caps ") {
            if trace.capabilities.is_some() || !trace.events.is_empty() {
                return Err(syntax(
                    "caps: only one caps line, before the first event".into(),
                ));
            }
            trace.capabilities = Some(parse_caps(rest).map_err(syntax)?);
            continue;
        }
        let event = if let Some(rest) = text.strip_prefix('>') {
            let bytes = parse_hex(rest).map_err(|e| syntax(format!("command: {e}")))?;
            if bytes.len() < 4 {
                return Err(syntax(format!(
                    "command of {} bytes (an APDU has at least 4)",
                    bytes.len()
                )));
            }
            Event::Command(bytes)
        } else if let Some(rest) = text.strip_prefix('<') {
            let bytes = parse_hex(rest).map_err(|e| syntax(format!("response: {e}")))?;
            if bytes.len() < 2 {
                return Err(syntax(format!(
                    "response of {} bytes (a status word needs 2)",
                    bytes.len()
                )));
            }
            Event::Response(bytes)
        } else if let Some(rest) = text.strip_prefix("rng") {
            let rest = rest.trim_start();
            let (count, data) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let count: usize = count
                .parse()
                .map_err(|_| syntax(format!("rng: {count:?} is not a byte count")))?;
            if count > MAX_RNG_DRAW {
                return Err(syntax(format!(
                    "rng: {count} bytes is more than the {MAX_RNG_DRAW} a trace may hold"
                )));
            }
            let bytes = parse_hex(data).map_err(|e| syntax(format!("rng: {e}")))?;
            if bytes.len() != count {
                return Err(syntax(format!(
                    "rng: announces {count} bytes but holds {}",
                    bytes.len()
                )));
            }
            Event::Random(bytes)
        } else if text == "reset" {
            Event::Reset
        } else if let Some(rest) = text.strip_prefix('!') {
            Event::NoAnswer(parse_no_answer(rest.trim()).map_err(syntax)?)
        } else {
            let shown: String = text.chars().take(24).collect();
            return Err(syntax(format!(
                "unknown line {shown:?} (expected '>', '<', '!', 'rng', 'reset', 'caps' or '#')"
            )));
        };
        trace.events.push(TraceLine { line, event });
    }
    Ok(trace)
}

/// Writes events as trace text: header, `comments`, the `caps` line when given, then one line per event.
pub fn to_text<'a>(
    comments: &[String],
    capabilities: Option<&Capabilities>,
    events: impl IntoIterator<Item = &'a Event>,
) -> String {
    let mut out = String::new();
    out.push_str(TRACE_HEADER);
    out.push('\n');
    for c in comments {
        for line in c.lines() {
            let _ = writeln!(out, "# {line}");
        }
    }
    if let Some(c) = capabilities {
        out.push_str(&format_caps(c));
        out.push('\n');
    }
    for event in events {
        match event {
            Event::Command(c) => {
                let _ = writeln!(out, "> {}", hex(c));
            }
            Event::Response(r) => {
                let _ = writeln!(out, "< {}", hex(r));
            }
            Event::Random(b) => {
                let _ = writeln!(out, "rng {} {}", b.len(), hex(b));
            }
            Event::Reset => out.push_str("reset\n"),
            Event::NoAnswer(e) => {
                let _ = writeln!(out, "! {}", format_no_answer(e));
            }
        }
    }
    out
}

/// A link failure as a `!` line writes it.
fn format_no_answer(e: &TransportError) -> String {
    match e {
        TransportError::NoCard => "no-card".into(),
        TransportError::CardRemoved => "card-removed".into(),
        TransportError::Timeout => "timeout".into(),
        TransportError::Unsupported(what) => format!("io not supported: {what}"),
        TransportError::Replay(text) => format!("io replay: {}", one_line(text)),
        TransportError::Io(text) => format!("io {}", one_line(text)),
    }
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// Parses the rest of a `!` line.
fn parse_no_answer(rest: &str) -> Result<TransportError, String> {
    match rest {
        "no-card" => Ok(TransportError::NoCard),
        "card-removed" => Ok(TransportError::CardRemoved),
        "timeout" => Ok(TransportError::Timeout),
        _ => match rest.strip_prefix("io") {
            Some(text) if text.is_empty() || text.starts_with(' ') => {
                Ok(TransportError::Io(text.trim().to_string()))
            }
            _ => Err(format!(
                "no answer: {rest:?} (expected timeout, card-removed, no-card or io TEXT)"
            )),
        },
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind: keep using it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Debug, Default)]
struct RecorderState {
    comments: Vec<String>,
    capabilities: Option<Capabilities>,
    events: Vec<Event>,
}

/// Collects one session's events from a [`RecordingTransport`] and a [`RecordingRng`], in order.
/// Cloning gives another handle to the same log.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    state: Arc<Mutex<RecorderState>>,
}

impl Recorder {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a comment line to the trace header (e.g. which reader or profile). Never put keys or MRZ data here.
    pub fn comment(&self, text: impl Into<String>) {
        lock(&self.state).comments.push(text.into());
    }

    /// Wraps `inner` so every command and response it carries is logged. Its capabilities go into the
    /// trace's `caps` line, so a replay plans the same reads.
    pub fn transport<T: Transport>(&self, inner: T) -> RecordingTransport<T> {
        lock(&self.state).capabilities = Some(inner.capabilities());
        RecordingTransport {
            inner,
            recorder: self.clone(),
        }
    }

    /// Wraps `inner` so every random byte drawn from it is logged.
    pub fn rng<R: CryptoRng>(&self, inner: R) -> RecordingRng<R> {
        RecordingRng {
            inner,
            recorder: self.clone(),
        }
    }

    /// The events logged so far.
    pub fn events(&self) -> Vec<Event> {
        lock(&self.state).events.clone()
    }

    /// The log as trace text.
    pub fn to_text(&self) -> String {
        let state = lock(&self.state);
        to_text(&state.comments, state.capabilities.as_ref(), &state.events)
    }

    fn push(&self, event: Event) {
        lock(&self.state).events.push(event);
    }
}

/// A [`Transport`] that logs every command and response of the transport it wraps.
#[derive(Debug)]
pub struct RecordingTransport<T> {
    inner: T,
    recorder: Recorder,
}

impl<T> RecordingTransport<T> {
    /// The wrapped transport.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport> Transport for RecordingTransport<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.recorder.push(Event::Command(command.to_vec()));
        match self.inner.transmit(command) {
            Ok(response) => {
                self.recorder.push(Event::Response(response.clone()));
                Ok(response)
            }
            Err(e) => {
                self.recorder.push(Event::NoAnswer(e.clone()));
                Err(e)
            }
        }
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        self.inner.reconnect()?;
        self.recorder.push(Event::Reset);
        Ok(())
    }

    fn replayed(&self) -> bool {
        self.inner.replayed()
    }
}

/// A random generator that logs every byte drawn from the generator it wraps, one `rng` line per call.
#[derive(Debug)]
pub struct RecordingRng<R> {
    inner: R,
    recorder: Recorder,
}

impl<R: CryptoRng> TryRng for RecordingRng<R> {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_be_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_be_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.inner.fill_bytes(dst);
        self.recorder.push(Event::Random(dst.to_vec()));
        Ok(())
    }
}

impl<R: CryptoRng> TryCryptoRng for RecordingRng<R> {}

#[derive(Debug)]
struct ReplayState {
    events: Vec<TraceLine>,
    next: usize,
    /// The first difference found (by the RNG, which cannot fail on its own): reported by the next
    /// transmit and by [`Replay::finish`].
    diverged: Option<String>,
    capabilities: Capabilities,
}

impl ReplayState {
    fn line_of_next(&self) -> String {
        match self.events.get(self.next) {
            Some(t) => format!("line {}", t.line),
            None => "end of trace".into(),
        }
    }

    fn diverge(&mut self, what: String) -> TransportError {
        if self.diverged.is_none() {
            self.diverged = Some(what.clone());
        }
        TransportError::Replay(what)
    }

    /// Takes the next event if `want` accepts it; otherwise records and returns the difference.
    fn expect<T>(
        &mut self,
        doing: &str,
        want: impl FnOnce(&Event) -> Option<T>,
    ) -> Result<T, TransportError> {
        if let Some(earlier) = &self.diverged {
            return Err(TransportError::Replay(earlier.clone()));
        }
        let Some(entry) = self.events.get(self.next) else {
            return Err(self.diverge(format!(
                "end of trace: the reader {doing}, but the trace has nothing more"
            )));
        };
        let (line, found) = (entry.line, entry.event.describe());
        match want(&entry.event) {
            Some(v) => {
                self.next += 1;
                Ok(v)
            }
            None => Err(self.diverge(format!(
                "line {line}: the reader {doing}, but the trace has {found}"
            ))),
        }
    }
}

/// A recorded trace being replayed. Cloning gives another handle to the same position.
#[derive(Debug, Clone)]
pub struct Replay {
    state: Arc<Mutex<ReplayState>>,
}

impl Replay {
    /// Parses trace text for replay; the transport reports the trace's `caps` (short APDUs if none).
    pub fn parse(text: &str) -> Result<Replay, TraceError> {
        let trace = parse(text)?;
        let replay = Replay::from_events(trace.events);
        Ok(match trace.capabilities {
            Some(c) => replay.with_capabilities(c),
            None => replay,
        })
    }

    /// A replay of already parsed events.
    pub fn from_events(events: Vec<TraceLine>) -> Replay {
        Replay {
            state: Arc::new(Mutex::new(ReplayState {
                events,
                next: 0,
                diverged: None,
                capabilities: Capabilities::default(),
            })),
        }
    }

    /// Sets what the replay transport reports from [`Transport::capabilities`]; it must match the
    /// recording link's for the reader to plan the same reads. Short APDUs by default.
    pub fn with_capabilities(self, capabilities: Capabilities) -> Replay {
        lock(&self.state).capabilities = capabilities;
        self
    }

    /// A transport answering from the trace.
    pub fn transport(&self) -> ReplayTransport {
        ReplayTransport {
            replay: self.clone(),
        }
    }

    /// A random generator giving back the trace's random bytes.
    pub fn rng(&self) -> ReplayRng {
        ReplayRng {
            replay: self.clone(),
        }
    }

    /// Checks that the session followed the trace to its end: no difference and no events left over.
    pub fn finish(&self) -> Result<(), TransportError> {
        let state = lock(&self.state);
        if let Some(d) = &state.diverged {
            return Err(TransportError::Replay(d.clone()));
        }
        match state.events.get(state.next) {
            None => Ok(()),
            Some(t) => Err(TransportError::Replay(format!(
                "line {}: the reader stopped, but the trace goes on with {}",
                t.line,
                t.event.describe()
            ))),
        }
    }

    /// The line of the next event expected ("line 12" or "end of trace").
    pub fn position(&self) -> String {
        lock(&self.state).line_of_next()
    }
}

/// A [`Transport`] that checks each command against the trace and answers with the recorded response.
#[derive(Debug, Clone)]
pub struct ReplayTransport {
    replay: Replay,
}

impl Transport for ReplayTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut state = lock(&self.replay.state);
        let doing = format!("sent {}", hex(command));
        state.expect(&doing, |e| match e {
            Event::Command(c) if c.as_slice() == command => Some(()),
            _ => None,
        })?;
        state.expect("waited for the response", |e| match e {
            Event::Response(r) => Some(Ok(r.clone())),
            Event::NoAnswer(err) => Some(Err(err.clone())),
            _ => None,
        })?
    }

    fn capabilities(&self) -> Capabilities {
        lock(&self.replay.state).capabilities
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        lock(&self.replay.state).expect("reset the card", |e| {
            matches!(e, Event::Reset).then_some(())
        })
    }

    /// Always: every answer is a recording, so a report read through it is marked replayed.
    fn replayed(&self) -> bool {
        true
    }
}

/// A random generator that gives back the trace's `rng` lines. A draw of a different size than recorded
/// (or past the trace's end) is a difference: it yields `01` bytes and the next command fails with
/// [`TransportError::Replay`]. Not zeros: a private key is drawn until it is in range (1 ≤ k < n), and
/// `0101…01` is a valid key on every supported curve and group, so a diverging replay cannot loop there.
#[derive(Debug, Clone)]
pub struct ReplayRng {
    replay: Replay,
}

impl TryRng for ReplayRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_be_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_be_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let mut state = lock(&self.replay.state);
        let doing = format!("drew {} random bytes", dst.len());
        let n = dst.len();
        match state.expect(&doing, |e| match e {
            Event::Random(b) if b.len() == n => Some(b.clone()),
            _ => None,
        }) {
            Ok(bytes) => dst.copy_from_slice(&bytes),
            Err(_) => dst.fill(1),
        }
        Ok(())
    }
}

impl TryCryptoRng for ReplayRng {}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rand_core::Rng;

    struct Fixed(Vec<Vec<u8>>);
    impl Transport for Fixed {
        fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
            if self.0.is_empty() {
                Err(TransportError::NoCard)
            } else {
                Ok(self.0.remove(0))
            }
        }
        fn reconnect(&mut self) -> Result<(), TransportError> {
            Ok(())
        }
    }

    struct Counter(u8);
    impl TryRng for Counter {
        type Error = Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            Ok(0)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
            for b in dst {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }
    impl TryCryptoRng for Counter {}

    fn recorded() -> String {
        let recorder = Recorder::new();
        recorder.comment("unit test");
        let mut t = recorder.transport(Fixed(vec![
            vec![1, 2, 3, 4, 5, 6, 7, 8, 0x90, 0x00],
            vec![0x90, 0x00],
        ]));
        let mut rng = recorder.rng(Counter(0));
        t.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap();
        let mut r = [0u8; 3];
        rng.fill_bytes(&mut r);
        t.reconnect().unwrap();
        t.transmit(&[0x00, 0xA4, 0x04, 0x0C, 0x01, 0xAA]).unwrap();
        recorder.to_text()
    }

    #[test]
    fn record_format() {
        assert_eq!(
            recorded(),
            "# mrtd-trace 1\n# unit test\ncaps extended=no command=261 response=258\n> 0084000008\n< 01020304050607089000\nrng 3 010203\nreset\n> 00A4040C01AA\n< 9000\n"
        );
    }

    #[test]
    fn replay_round_trip() {
        let replay = Replay::parse(&recorded()).unwrap();
        let (mut t, mut rng) = (replay.transport(), replay.rng());
        assert_eq!(
            t.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap().len(),
            10
        );
        let mut r = [0u8; 3];
        rng.fill_bytes(&mut r);
        assert_eq!(r, [1, 2, 3]);
        assert!(replay.finish().is_err(), "events left");
        t.reconnect().unwrap();
        assert_eq!(
            t.transmit(&[0x00, 0xA4, 0x04, 0x0C, 0x01, 0xAA]).unwrap(),
            vec![0x90, 0x00]
        );
        replay.finish().unwrap();
    }

    #[test]
    fn a_command_without_an_answer_is_recorded_and_replayed() {
        let errors = [
            TransportError::Timeout,
            TransportError::CardRemoved,
            TransportError::NoCard,
            TransportError::Io("reader gone".into()),
        ];
        let text: String = errors
            .iter()
            .map(|e| format!("> 00B0000010\n! {}\nreset\n", format_no_answer(e)))
            .collect();
        assert!(text.contains("! timeout\n") && text.contains("! io reader gone\n"));
        let replay = Replay::parse(&format!("{TRACE_HEADER}\n{text}")).unwrap();
        let mut t = replay.transport();
        for e in errors {
            assert_eq!(t.transmit(&[0x00, 0xB0, 0x00, 0x00, 0x10]), Err(e));
            t.reconnect().unwrap();
        }
        replay.finish().unwrap();
        let err = parse("# mrtd-trace 1\n> 00B0000010\n! lost\n").unwrap_err();
        assert!(err.to_string().contains("line 3: no answer"), "{err}");
    }

    #[test]
    fn replay_stops_at_first_difference() {
        let replay = Replay::parse(&recorded()).unwrap();
        let mut t = replay.transport();
        let err = t.transmit(&[0x00, 0x84, 0x00, 0x00, 0x10]).unwrap_err();
        assert_eq!(
            err,
            TransportError::Replay(
                "line 4: the reader sent 0084000010, but the trace has command 0084000008".into()
            )
        );
        // Later calls keep reporting the first difference.
        assert_eq!(
            t.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap_err(),
            err
        );
        assert_eq!(replay.finish().unwrap_err(), err);
    }

    #[test]
    fn replay_rng_size_mismatch_surfaces_at_next_command() {
        let replay = Replay::parse(&recorded()).unwrap();
        let (mut t, mut rng) = (replay.transport(), replay.rng());
        t.transmit(&[0x00, 0x84, 0x00, 0x00, 0x08]).unwrap();
        let mut r = [0xFFu8; 4];
        rng.fill_bytes(&mut r);
        // A diverging replay RNG yields 01 bytes (never zeros, so key generation cannot loop on them).
        assert_eq!(r, [1; 4]);
        let err = t.reconnect().unwrap_err();
        assert!(
            err.to_string().contains(
                "line 6: the reader drew 4 random bytes, but the trace has 3 random bytes"
            ),
            "{err}"
        );
    }

    #[test]
    fn malformed_traces_are_errors_with_line_numbers() {
        let cases: &[(&str, &str)] = &[
            ("", "line 1: not an mrtd trace"),
            ("> 00A4\n", "line 1: not an mrtd trace"),
            ("# mrtd-trace 7\n", "version 7 is not supported"),
            (
                "# mrtd-trace 1\n\n> 00A4040\n",
                "line 3: command: odd number of hex digits",
            ),
            (
                "# mrtd-trace 1\n> 00A4040G\n",
                "line 2: command: 'G' is not a hex digit",
            ),
            ("# mrtd-trace 1\n> 00A4\n", "line 2: command of 2 bytes"),
            ("# mrtd-trace 1\n< 90\n", "line 2: response of 1 bytes"),
            (
                "# mrtd-trace 1\nrng 9 00\n",
                "line 2: rng: announces 9 bytes but holds 1",
            ),
            (
                "# mrtd-trace 1\nrng x 00\n",
                "line 2: rng: \"x\" is not a byte count",
            ),
            (
                "# mrtd-trace 1\nrng 99999999999999999999999 00\n",
                "is not a byte count",
            ),
            ("# mrtd-trace 1\nrng 100000 00\n", "more than the 4096"),
            ("# mrtd-trace 1\nhello\n", "line 2: unknown line \"hello\""),
            ("# mrtd-trace 1\n> 00 A4 04 0C é\n", "not a hex digit"),
            (
                "# mrtd-trace 1\ncaps extended=maybe\n",
                "line 2: caps: extended=\"maybe\" (expected yes, no or unknown)",
            ),
            (
                "# mrtd-trace 1\ncaps command=-1\n",
                "line 2: caps: command=\"-1\" is not a number",
            ),
            (
                "# mrtd-trace 1\n> 00840000\ncaps extended=no\n",
                "line 3: caps: only one caps line",
            ),
        ];
        for (text, want) in cases {
            let err = parse(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text:?}: {err}");
        }
        // Spaces inside hex, CRLF line ends and comments are accepted.
        let ok = parse("# mrtd-trace 1\r\n# c\r\n> 00 84 00 00 08\r\n< 90 00\r\n").unwrap();
        assert_eq!(ok.events.len(), 2);
        assert_eq!(ok.events[1].line, 4);
        assert_eq!(ok.capabilities, None);
        let caps = parse("# mrtd-trace 1\ncaps extended=yes command=65544 response=65538\n")
            .unwrap()
            .capabilities
            .unwrap();
        assert_eq!(caps.extended_length, ExtendedLength::Yes);
        assert_eq!(caps.max_response_len, 65538);
        let caps = parse("# mrtd-trace 1\ncaps extended=unknown command=65544 response=65538\n")
            .unwrap()
            .capabilities
            .unwrap();
        assert_eq!(caps.extended_length, ExtendedLength::Unknown);
        assert_eq!(
            format_caps(&caps),
            "caps extended=unknown command=65544 response=65538"
        );
    }
}
