//! The emulated chip as a real PC/SC card: a client of the vsmartcard `vpcd` reader driver.
//!
//! `pcscd` with the `vpcd` driver shows readers named "Virtual PCD 00 00", "Virtual PCD 00 01", ... and
//! listens on TCP 127.0.0.1:35963, 35964, ... for a virtual card. The card connects as a client; while it
//! is connected, the reader holds a card. Every message in both directions is a 2-byte big-endian length
//! followed by that many bytes. A 1-byte message from the driver is a control code:
//!
//! | code | meaning                 | the card                       |
//! |------|-------------------------|--------------------------------|
//! | 0x00 | power off               | resets its state, answers none |
//! | 0x01 | power on                | answers none                   |
//! | 0x02 | reset                   | resets its state, answers none |
//! | 0x04 | get ATR                 | answers with its ATR           |
//!
//! Any longer message is a command APDU, answered with the response APDU.
//!
//! The bridge also plays the reader's part for the PC/SC "GET DATA UID" pseudo-APDU (`FF CA 00 00 00`):
//! it answers with a 4-byte random UID (first byte 08, as ISO 14443 random UIDs and eMRTDs have), new on
//! every power-on.
//!
//! ```no_run
//! use icao9303_emu::{profile::Profile, vpcd::{Bridge, BridgeOptions}};
//! use std::sync::{Arc, atomic::AtomicBool};
//!
//! let card = Profile::brp().personalize().unwrap();
//! let stop = Arc::new(AtomicBool::new(false));   // set it (e.g. on Ctrl-C) to remove the card
//! Bridge::new(card.chip, BridgeOptions::default()).run(&stop).unwrap();
//! ```

use crate::chip::Chip;
use crate::rng::SeededRng;
use rand_core::Rng;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use thiserror::Error;

/// The vpcd driver's default address (the first virtual reader, "Virtual PCD 00 00").
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:35963";

/// How often a blocked read wakes up to look at the stop flag.
const POLL: Duration = Duration::from_millis(100);

/// Control code: power off.
const CTRL_OFF: u8 = 0x00;
/// Control code: power on.
const CTRL_ON: u8 = 0x01;
/// Control code: reset.
const CTRL_RESET: u8 = 0x02;
/// Control code: send the ATR.
const CTRL_ATR: u8 = 0x04;

/// Where and how the bridge connects.
#[derive(Debug, Clone)]
pub struct BridgeOptions {
    /// The vpcd driver's address (`host:port`).
    pub address: String,
    /// Keep retrying (with backoff) when the driver is not reachable or goes away, e.g. while pcscd
    /// restarts. When false, the first failure to connect, or the driver closing, ends [`Bridge::run`].
    pub reconnect: bool,
    /// The longest wait between two connection attempts.
    pub max_backoff: Duration,
    /// With `reconnect`: give up ([`VpcdError::Unreachable`]) once the driver has been unreachable this
    /// long without a connection in between (`None`: retry for ever).
    pub give_up_after: Option<Duration>,
}

impl Default for BridgeOptions {
    fn default() -> Self {
        BridgeOptions {
            address: DEFAULT_ADDRESS.into(),
            reconnect: true,
            max_backoff: Duration::from_secs(5),
            give_up_after: None,
        }
    }
}

/// The bridge failed.
#[derive(Debug, Error)]
pub enum VpcdError {
    /// The driver's address could not be resolved.
    #[error("vpcd address {address}: {source}")]
    Address {
        /// The address given.
        address: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The driver stayed unreachable for [`BridgeOptions::give_up_after`].
    #[error(
        "vpcd at {address} not reachable for {}s (is pcscd with vsmartcard-vpcd running?): gave up",
        waited.as_secs()
    )]
    Unreachable {
        /// The driver's address.
        address: String,
        /// How long the bridge tried.
        waited: Duration,
    },
    /// Connecting to or talking with the driver failed (and reconnecting was not asked for).
    #[error("vpcd at {address}: {source}")]
    Io {
        /// The driver's address.
        address: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What the bridge is doing, for a caller that wants to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BridgeEvent {
    /// Connected: the card is in the reader.
    Connected(String),
    /// The driver went away; retrying after the given delay.
    Retrying(Duration),
    /// The chip gave no answer (it went mute or left the field, see the chip's quirks): vpcd waits for
    /// an answer without end, so the card leaves the reader instead, and comes back after the given delay.
    CardLost(Duration),
    /// Stopped on request: the card was removed.
    Stopped,
}

/// Serves one emulated chip to the vpcd driver.
pub struct Bridge {
    chip: Chip,
    options: BridgeOptions,
    uid_rng: SeededRng,
    uid: [u8; 4],
    on_event: Option<EventHandler>,
}

/// A caller's callback for [`BridgeEvent`]s.
type EventHandler = Box<dyn FnMut(&BridgeEvent) + Send>;

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("chip", &self.chip)
            .field("options", &self.options)
            .finish()
    }
}

/// Why one connection ended.
enum Ended {
    Stopped,
    Closed(std::io::Error),
    /// The chip gave no answer to a command.
    CardLost,
}

/// How long a card that gave no answer stays out of the reader.
const CARD_LOST_PAUSE: Duration = Duration::from_millis(500);

impl Bridge {
    /// A bridge serving `chip`.
    pub fn new(chip: Chip, options: BridgeOptions) -> Self {
        let mut bridge = Bridge {
            chip,
            options,
            uid_rng: SeededRng::new(b"icao9303-emu vpcd uid"),
            uid: [0x08, 0, 0, 0],
            on_event: None,
        };
        bridge.new_uid();
        bridge
    }

    /// Calls `f` on every [`BridgeEvent`].
    pub fn on_event(mut self, f: impl FnMut(&BridgeEvent) + Send + 'static) -> Self {
        self.on_event = Some(Box::new(f));
        self
    }

    /// The chip, once the bridge is done.
    pub fn into_chip(self) -> Chip {
        self.chip
    }

    fn emit(&mut self, event: BridgeEvent) {
        tracing::info!(?event, "vpcd bridge");
        if let Some(f) = self.on_event.as_mut() {
            f(&event);
        }
    }

    fn new_uid(&mut self) {
        let mut rest = [0u8; 3];
        self.uid_rng.fill_bytes(&mut rest);
        self.uid = [0x08, rest[0], rest[1], rest[2]];
    }

    /// Connects to the driver and serves the chip until `stop` is set (then disconnects, which removes
    /// the card from the reader). With [`BridgeOptions::reconnect`], reconnects with backoff whenever the
    /// driver is unreachable or goes away.
    pub fn run(&mut self, stop: &Arc<AtomicBool>) -> Result<(), VpcdError> {
        let address = self.options.address.clone();
        let addrs: Vec<_> = address
            .to_socket_addrs()
            .map_err(|source| VpcdError::Address {
                address: address.clone(),
                source,
            })?
            .collect();
        let mut backoff = Duration::from_millis(100);
        // Since when the driver has been unreachable (reset by every connection).
        let mut unreachable_since: Option<Instant> = None;
        while !stop.load(Ordering::SeqCst) {
            let stream = addrs
                .iter()
                .find_map(|a| TcpStream::connect_timeout(a, Duration::from_secs(2)).ok());
            if stream.is_none() {
                let since = *unreachable_since.get_or_insert_with(Instant::now);
                if let Some(limit) = self.options.give_up_after
                    && self.options.reconnect
                    && since.elapsed() >= limit
                {
                    return Err(VpcdError::Unreachable {
                        address,
                        waited: since.elapsed(),
                    });
                }
            }
            let ended = match stream {
                Some(stream) => {
                    unreachable_since = None;
                    backoff = Duration::from_millis(100);
                    self.chip.reset();
                    self.emit(BridgeEvent::Connected(address.clone()));
                    self.serve(stream, stop)
                }
                None => Ended::Closed(std::io::Error::new(
                    ErrorKind::ConnectionRefused,
                    "no vpcd driver listening",
                )),
            };
            match ended {
                Ended::Stopped => break,
                Ended::CardLost => {
                    self.chip.reset();
                    self.emit(BridgeEvent::CardLost(CARD_LOST_PAUSE));
                    sleep_unless_stopped(CARD_LOST_PAUSE, stop);
                }
                Ended::Closed(source) if !self.options.reconnect => {
                    return Err(VpcdError::Io { address, source });
                }
                Ended::Closed(source) => {
                    tracing::debug!(%source, "vpcd connection ended");
                    self.chip.reset();
                    // Never sleep past the moment of giving up.
                    let left = match (self.options.give_up_after, unreachable_since) {
                        (Some(limit), Some(since)) => limit.saturating_sub(since.elapsed()),
                        _ => backoff,
                    };
                    let pause = backoff.min(left.max(Duration::from_millis(10)));
                    self.emit(BridgeEvent::Retrying(pause));
                    sleep_unless_stopped(pause, stop);
                    backoff = (backoff * 2).min(self.options.max_backoff);
                }
            }
        }
        self.emit(BridgeEvent::Stopped);
        Ok(())
    }

    /// Serves one connection.
    fn serve(&mut self, mut stream: TcpStream, stop: &Arc<AtomicBool>) -> Ended {
        if let Err(e) = stream.set_read_timeout(Some(POLL)) {
            return Ended::Closed(e);
        }
        let _ = stream.set_nodelay(true);
        let mut buffer: Vec<u8> = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if stop.load(Ordering::SeqCst) {
                let _ = stream.shutdown(Shutdown::Both);
                return Ended::Stopped;
            }
            // Answer every complete message in the buffer.
            while let Some(message) = take_frame(&mut buffer) {
                match self.handle(&message) {
                    Some(answer) if answer.is_empty() => {
                        // The chip is silent. A real reader would time out; vpcd would wait for ever.
                        let _ = stream.shutdown(Shutdown::Both);
                        return Ended::CardLost;
                    }
                    Some(answer) => {
                        if let Err(e) = write_frame(&mut stream, &answer) {
                            return Ended::Closed(e);
                        }
                    }
                    None => {}
                }
            }
            match stream.read(&mut chunk) {
                Ok(0) => {
                    return Ended::Closed(std::io::Error::new(
                        ErrorKind::UnexpectedEof,
                        "vpcd closed the connection",
                    ));
                }
                Ok(n) => buffer.extend_from_slice(chunk.get(..n).unwrap_or_default()),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Ended::Closed(e),
            }
        }
    }

    /// The card's answer to one message from the driver (`None` for control codes needing none).
    fn handle(&mut self, message: &[u8]) -> Option<Vec<u8>> {
        match message {
            [CTRL_OFF] | [CTRL_RESET] => {
                tracing::debug!(code = message.first(), "vpcd: power off / reset");
                self.chip.reset();
                None
            }
            [CTRL_ON] => {
                self.chip.reset();
                self.new_uid();
                None
            }
            [CTRL_ATR] => Some(self.chip.atr()),
            [code] => {
                tracing::debug!(code, "vpcd: unknown control code ignored");
                None
            }
            [] => None,
            [0xFF, 0xCA, 0x00, 0x00, 0x00] => Some([self.uid.as_slice(), &[0x90, 0x00]].concat()),
            apdu => {
                let mut response = self.chip.process(apdu);
                if response.len() > usize::from(u16::MAX) {
                    // Cannot be framed: answer "no precise diagnosis" rather than a truncated response.
                    response = vec![0x6F, 0x00];
                }
                Some(response)
            }
        }
    }
}

/// Removes and returns the first complete frame (2-byte length + body) from `buffer`.
fn take_frame(buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    let len = match buffer.as_slice() {
        [hi, lo, ..] => usize::from(u16::from_be_bytes([*hi, *lo])),
        _ => return None,
    };
    if buffer.len() < 2 + len {
        return None;
    }
    let frame = buffer.get(2..2 + len)?.to_vec();
    buffer.drain(..2 + len);
    Some(frame)
}

fn write_frame(stream: &mut TcpStream, body: &[u8]) -> std::io::Result<()> {
    let len = u16::try_from(body.len())
        .map_err(|_| std::io::Error::new(ErrorKind::InvalidInput, "message too long for vpcd"))?;
    let mut frame = Vec::with_capacity(2 + body.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(body);
    stream.write_all(&frame)?;
    stream.flush()
}

fn sleep_unless_stopped(total: Duration, stop: &AtomicBool) {
    let mut left = total;
    while !left.is_zero() && !stop.load(Ordering::SeqCst) {
        let step = left.min(POLL);
        std::thread::sleep(step);
        left -= step;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::profile::Profile;
    use std::net::TcpListener;

    fn read_frame(s: &mut TcpStream) -> Vec<u8> {
        let mut len = [0u8; 2];
        s.read_exact(&mut len).unwrap();
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut body).unwrap();
        body
    }

    #[test]
    fn frames_split_across_reads() {
        let mut buf = vec![0x00];
        assert_eq!(take_frame(&mut buf), None);
        buf.extend_from_slice(&[0x01, 0x04, 0x00, 0x02, 0x00]);
        assert_eq!(take_frame(&mut buf), Some(vec![0x04]));
        assert_eq!(take_frame(&mut buf), None);
        buf.push(0xA4);
        assert_eq!(take_frame(&mut buf), Some(vec![0x00, 0xA4]));
        assert!(buf.is_empty());
    }

    /// A fake vpcd driver on a local port: ATR, power on, GET DATA UID, SELECT, then the stop flag
    /// disconnects.
    #[test]
    fn speaks_the_vpcd_protocol() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let chip = Profile::passport_bac().personalize().unwrap().chip;
        let atr = chip.atr();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let card = std::thread::spawn(move || {
            let options = BridgeOptions {
                address,
                reconnect: false,
                ..BridgeOptions::default()
            };
            Bridge::new(chip, options).run(&stop2)
        });
        let (mut driver, _) = listener.accept().unwrap();
        driver.write_all(&[0x00, 0x01, CTRL_ATR]).unwrap();
        assert_eq!(read_frame(&mut driver), atr);
        driver.write_all(&[0x00, 0x01, CTRL_ON]).unwrap();
        driver
            .write_all(&[0x00, 0x05, 0xFF, 0xCA, 0x00, 0x00, 0x00])
            .unwrap();
        let uid = read_frame(&mut driver);
        assert_eq!((uid.len(), uid[0], &uid[4..]), (6, 0x08, &[0x90, 0x00][..]));
        // Two APDUs in one write.
        let select = [
            0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
        ];
        let mut two = vec![0x00, select.len() as u8];
        two.extend_from_slice(&select);
        two.extend_from_slice(&[0x00, select.len() as u8]);
        two.extend_from_slice(&select);
        driver.write_all(&two).unwrap();
        assert_eq!(read_frame(&mut driver), vec![0x90, 0x00]);
        assert_eq!(read_frame(&mut driver), vec![0x90, 0x00]);
        stop.store(true, Ordering::SeqCst);
        card.join().unwrap().unwrap();
        let mut rest = Vec::new();
        assert_eq!(
            driver.read_to_end(&mut rest).unwrap(),
            0,
            "the card disconnects on stop"
        );
    }

    /// Retrying gives up after `give_up_after` (before issue 26 it retried for ever: a CI hang).
    #[test]
    fn an_unreachable_driver_is_given_up_on() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        drop(listener);
        let chip = Profile::passport_bac().personalize().unwrap().chip;
        let options = BridgeOptions {
            address,
            give_up_after: Some(Duration::from_millis(300)),
            ..BridgeOptions::default()
        };
        let err = Bridge::new(chip, options)
            .run(&Arc::new(AtomicBool::new(false)))
            .unwrap_err();
        assert!(matches!(err, VpcdError::Unreachable { .. }), "{err}");
        assert!(err.to_string().contains("not reachable"), "{err}");
    }

    #[test]
    fn no_driver_without_reconnect_is_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        drop(listener);
        let chip = Profile::passport_bac().personalize().unwrap().chip;
        let options = BridgeOptions {
            address,
            reconnect: false,
            ..BridgeOptions::default()
        };
        let err = Bridge::new(chip, options)
            .run(&Arc::new(AtomicBool::new(false)))
            .unwrap_err();
        assert!(err.to_string().starts_with("vpcd at 127.0.0.1:"), "{err}");
    }
}
