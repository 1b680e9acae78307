//! `--log-apdu`: a [`Transport`] wrapper that prints every command and response APDU to stderr, in hex, exactly as
//! they go over the wire.
//!
//! It sits between the reader and the link, so once secure messaging is active it only ever sees protected
//! (encrypted and MACed) APDUs. Before that, the access-control steps carry material an eavesdropper could use to
//! search for the MRZ or CAN offline (BAC's EXTERNAL AUTHENTICATE cryptograms, PACE's encrypted nonce): for those
//! commands — EXTERNAL AUTHENTICATE, GENERAL AUTHENTICATE, MSE:Set AT — the data field of the command and of its
//! response is replaced by its length.

use icao9303::transport::{Capabilities, Transport, TransportError};
use std::fmt::Write as _;
use std::io::Write;

/// INS codes whose command and response data are never logged.
const REDACTED_INS: &[(u8, &str)] = &[
    (0x82, "EXTERNAL AUTHENTICATE"),
    (0x86, "GENERAL AUTHENTICATE"),
    (0x87, "GENERAL AUTHENTICATE"),
    (0x22, "MANAGE SECURITY ENVIRONMENT"),
];

/// Logs the APDUs passing through to a writer (stderr by default) when enabled; passes them through unchanged
/// either way.
pub struct ApduLog<T, W: Write = std::io::Stderr> {
    inner: T,
    out: Option<W>,
    count: usize,
}

impl<T: Transport> ApduLog<T> {
    /// Wraps `inner`, logging to stderr when `enabled`.
    pub fn new(inner: T, enabled: bool) -> Self {
        ApduLog {
            inner,
            out: enabled.then(std::io::stderr),
            count: 0,
        }
    }
}

impl<T: Transport, W: Write> ApduLog<T, W> {
    /// Wraps `inner`, logging to `out`.
    #[cfg(test)]
    pub fn to_writer(inner: T, out: W) -> Self {
        ApduLog {
            inner,
            out: Some(out),
            count: 0,
        }
    }

    /// The writer, for tests.
    #[cfg(test)]
    pub fn writer(&self) -> Option<&W> {
        self.out.as_ref()
    }
}

/// The name of an access-control command whose data must not be logged, if `command` is one.
fn redacted_step(command: &[u8]) -> Option<&'static str> {
    let ins = *command.get(1)?;
    REDACTED_INS
        .iter()
        .find(|(i, _)| *i == ins)
        .map(|(_, name)| *name)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

/// The command as logged: all of it, or its 4-byte header and the length of the rest.
fn format_command(command: &[u8]) -> String {
    match redacted_step(command) {
        Some(step) => {
            let (header, rest) = command.split_at(command.len().min(4));
            format!(
                "{} [{} more bytes redacted: {step}]",
                hex(header),
                rest.len()
            )
        }
        None => hex(command),
    }
}

/// The response as logged: all of it, or (after a redacted command) only its status word.
fn format_response(response: &[u8], redact: bool) -> String {
    if !redact {
        return hex(response);
    }
    let (data, sw) = response.split_at(response.len().saturating_sub(2));
    if data.is_empty() {
        hex(sw)
    } else {
        format!("[{} bytes redacted] {}", data.len(), hex(sw))
    }
}

impl<T: Transport, W: Write> Transport for ApduLog<T, W> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let Some(out) = self.out.as_mut() else {
            return self.inner.transmit(command);
        };
        self.count += 1;
        let n = self.count;
        let _ = writeln!(out, "apdu {n:>4} > {}", format_command(command));
        let result = self.inner.transmit(command);
        let out = self.out.as_mut();
        match (&result, out) {
            (Ok(response), Some(out)) => {
                let redact = redacted_step(command).is_some();
                let _ = writeln!(out, "apdu {n:>4} < {}", format_response(response, redact));
            }
            (Err(e), Some(out)) => {
                let _ = writeln!(out, "apdu {n:>4} ! {e}");
            }
            (_, None) => {}
        }
        result
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        if let Some(out) = self.out.as_mut() {
            let _ = writeln!(out, "apdu      reconnect");
        }
        self.inner.reconnect()
    }

    fn replayed(&self) -> bool {
        self.inner.replayed()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    struct Echo(Vec<u8>);
    impl Transport for Echo {
        fn transmit(&mut self, _command: &[u8]) -> Result<Vec<u8>, TransportError> {
            Ok(self.0.clone())
        }
    }

    fn logged(command: &[u8], response: &[u8]) -> String {
        let mut t = ApduLog::to_writer(Echo(response.to_vec()), Vec::new());
        assert_eq!(t.transmit(command).unwrap(), response);
        String::from_utf8(t.writer().unwrap().clone()).unwrap()
    }

    #[test]
    fn plain_commands_are_logged_whole() {
        let log = logged(
            &[0x00, 0x84, 0x00, 0x00, 0x08],
            &[1, 2, 3, 4, 5, 6, 7, 8, 0x90, 0x00],
        );
        assert!(log.contains("> 0084000008"), "{log}");
        assert!(log.contains("< 01020304050607089000"), "{log}");
    }

    #[test]
    fn access_control_data_is_redacted_both_ways() {
        let mut cmd = vec![0x00, 0x82, 0x00, 0x00, 0x28];
        cmd.extend([0xAB; 40]);
        cmd.push(0x28);
        let mut resp = vec![0xCD; 40];
        resp.extend([0x90, 0x00]);
        let log = logged(&cmd, &resp);
        assert!(!log.contains("ABAB") && !log.contains("CDCD"), "{log}");
        assert!(
            log.contains("> 00820000 [42 more bytes redacted: EXTERNAL AUTHENTICATE]"),
            "{log}"
        );
        assert!(log.contains("< [40 bytes redacted] 9000"), "{log}");
        let log = logged(
            &[0x10, 0x86, 0x00, 0x00, 0x02, 0x7C, 0x00, 0x00],
            &[0x63, 0x00],
        );
        assert!(log.contains("< 6300"), "{log}");
        assert!(!log.contains("7C00"), "{log}");
    }

    #[test]
    fn disabled_logs_nothing_and_odd_input_does_not_panic() {
        let mut t = ApduLog::new(Echo(vec![0x90, 0x00]), false);
        assert_eq!(t.transmit(&[]).unwrap(), vec![0x90, 0x00]);
        assert_eq!(
            format_command(&[0x00, 0x82]),
            "0082 [0 more bytes redacted: EXTERNAL AUTHENTICATE]"
        );
        assert_eq!(format_response(&[0x90], true), "90");
        assert_eq!(format_command(&[]), "");
    }
}
