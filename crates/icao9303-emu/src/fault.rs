//! Faults: on the link, a transport that drops, truncates, bit-flips or delays one response of a session
//! ([`FaultyTransport`]); in the chip, the precise misbehaviours of a conformance lower tester
//! ([`ChipFaults`]: a refused application, a corrupted BAC answer, malformed secure messaging, end of file
//! by 6282 or 6Cxx, PACE, Chip, Terminal and Active Authentication faults). Both prove that the reader
//! never panics and never presents corrupted data as valid, whatever the link or the chip does.

use icao9303::apdu::{ResponseApdu, StatusWord};
use icao9303::asn1;
use icao9303::crypto::cipher::{cbc_encrypt, encrypt_block};
use icao9303::crypto::mac::mac;
use icao9303::crypto::padding::pad;
use icao9303::lds::LdsFile;
use icao9303::sm::{SecureMessaging, SmError};
use icao9303::transport::{Capabilities, Transport, TransportError};
use std::time::Duration;

/// Misbehaviours a chip shows on purpose, each at a precise point of a protocol: what a conformance
/// test's lower tester does to an inspection system (BSI TR-03105-5.1, ICAO "RF and Protocol Testing
/// Part 4"). The default is a conforming chip. Every fault injected is counted in the chip's
/// [`crate::stats::ChipStats::faults`].
#[derive(Debug, Clone, Default)]
pub struct ChipFaults {
    /// Answer SELECT of the eMRTD application with this status word.
    pub application_select: Option<StatusWord>,
    /// Refuse SELECT of the eMRTD application (6982) until PACE has established secure messaging, as
    /// the lower tester of TR-03105-5.1's PACE unit does to make sure PACE is used.
    pub application_needs_pace: bool,
    /// Corrupt or refuse BAC's EXTERNAL AUTHENTICATE answer.
    pub bac: Option<BacFault>,
    /// Malform one protected READ BINARY answer with data of a file.
    pub secure_messaging: Option<SmFault>,
    /// Signal the end of a file in a particular way.
    pub end_of_file: Option<EndOfFile>,
    /// Refuse or corrupt a PACE step.
    pub pace: Option<PaceFault>,
    /// Misbehave in Chip Authentication.
    pub chip_authentication: Option<CaFault>,
    /// Answer Terminal Authentication's GET CHALLENGE with this many bytes instead of 8.
    pub ta_challenge_len: Option<usize>,
    /// Verify the terminal's signature with ID_PICC computed from this document number instead of the
    /// chip's own (after BAC): the chip binds Terminal Authentication to another document.
    pub ta_document_number: Option<String>,
    /// Serve this content as EF.CVCA instead of the list of the chip's trust points (a wrong CAR, three
    /// CARs, an empty file, a CAR not under tag 42).
    pub ef_cvca: Option<Vec<u8>>,
    /// Make the Active Authentication signature with a wrong ISO/IEC 9796-2 trailer (RSA keys).
    pub aa_wrong_trailer: bool,
}

/// How BAC's EXTERNAL AUTHENTICATE answer goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BacFault {
    /// The MAC over the chip's cryptogram is wrong.
    WrongMac,
    /// The cryptogram is sealed correctly (its MAC verifies) but holds another RND.IFD than the
    /// terminal sent: it decrypts to the wrong nonces.
    WrongCryptogram,
    /// The chip refuses the terminal's cryptogram with this status word.
    Refuse(StatusWord),
}

/// One malformed protected response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmFault {
    /// The file whose first READ BINARY answer with data at `from` or beyond is malformed.
    pub file: LdsFile,
    /// The offset from which a READ BINARY answer of `file` qualifies (0: the first answer).
    pub from: usize,
    /// How.
    pub kind: SmFaultKind,
}

/// How a protected response is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmFaultKind {
    /// DO'8E' holds a wrong MAC.
    WrongMac,
    /// DO'8E' is missing.
    MissingMac,
    /// The first block of the cryptogram is changed and the MAC recomputed over it: the MAC verifies,
    /// the data decrypts to garbage (the padding stays intact).
    WrongCryptogram,
    /// The data is encrypted without ISO/IEC 9797-1 padding method 2 (zeros only), the MAC recomputed.
    BadPadding,
    /// DO'87' is left out of an answer that has data; DO'99' and a MAC over it alone remain.
    MissingCryptogram,
    /// The chip answers this plain status word instead (a secure messaging error, 6987 / 6988) and
    /// ends the session.
    PlainError(StatusWord),
}

impl SmFaultKind {
    /// What is done, in words.
    pub fn describe(self) -> String {
        match self {
            SmFaultKind::WrongMac => "wrong MAC in DO'8E'".into(),
            SmFaultKind::MissingMac => "DO'8E' (MAC) left out".into(),
            SmFaultKind::WrongCryptogram => {
                "first cryptogram block changed, MAC recomputed over it".into()
            }
            SmFaultKind::BadPadding => {
                "data encrypted without padding method 2, MAC recomputed".into()
            }
            SmFaultKind::MissingCryptogram => {
                "DO'87' (the data) left out, MAC over DO'99' alone".into()
            }
            SmFaultKind::PlainError(sw) => format!("plain {sw} instead of the data, session ended"),
        }
    }
}

/// How the end of a file is signalled when a READ BINARY asks for more than is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndOfFile {
    /// The bytes up to the end with 6282 ("end of file reached before reading Le bytes"), also when
    /// Le is 00 ("up to 256 bytes").
    Warning6282,
    /// No data and 6Cxx, xx the bytes left: the terminal must ask again with Le = xx.
    WrongLength6Cxx,
}

/// A PACE step refused or its answer corrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaceFault {
    /// MSE:Set AT is refused with this status word.
    MseSetAt(StatusWord),
    /// Step 3 (key agreement) answers with the terminal's own ephemeral public key.
    IdenticalEphemeralKeys,
    /// PACE-CAM's encrypted chip authentication data (DO'8A') is left out of step 4.
    CamMissingEcad,
    /// DO'8A' is sent but empty.
    CamEmptyEcad,
    /// DO'8A' holds encrypted data of another value.
    CamWrongEcad,
}

/// Chip Authentication misbehaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaFault {
    /// After Chip Authentication the chip keeps using the session keys of access control.
    KeepOldSessionKeys,
    /// MSE:Set KAT / Set AT is refused with this status word.
    Refuse(StatusWord),
}

/// Builds the malformed protected answer `kind` describes for the plain answer `resp` to an instruction
/// `ins`, under `sm` (whose send sequence counter advances as for a correct answer). The `PlainError`
/// kind is the caller's: it sends no protected answer.
pub fn malformed_response(
    sm: &mut SecureMessaging,
    resp: &ResponseApdu,
    ins: u8,
    kind: SmFaultKind,
) -> Result<ResponseApdu, SmError> {
    let correct = sm.protect_response(resp, ins)?;
    let objects: Vec<(u32, Vec<u8>)> = asn1::parse_all(&correct.data)?
        .iter()
        .map(|o| (o.tag, o.value.to_vec()))
        .collect();
    let find = |tag: u32| {
        objects
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, v)| v.clone())
    };
    let cryptogram_tag = if ins & 1 == 1 { 0x85 } else { 0x87 };
    let do99 = asn1::der::tlv(0x99, &resp.sw.0.to_be_bytes());
    let alg = sm.cipher();
    // The MAC over the data objects, under the counter the correct answer used.
    let mac_over = |parts: &[&[u8]]| -> Result<Vec<u8>, SmError> {
        let mut covered = sm.ssc().to_vec();
        for p in parts {
            covered.extend_from_slice(p);
        }
        Ok(mac(alg, sm.k_mac(), &pad(&covered, alg.block_len()))?.to_vec())
    };
    let with_mac = |body: Vec<u8>, cc: Vec<u8>| {
        let mut data = body;
        data.extend_from_slice(&asn1::der::tlv(0x8E, &cc));
        ResponseApdu::new(data, resp.sw)
    };
    let cryptogram_do = |cryptogram: &[u8]| {
        if cryptogram_tag == 0x85 {
            asn1::der::tlv(0x85, cryptogram)
        } else {
            let mut v = vec![0x01];
            v.extend_from_slice(cryptogram);
            asn1::der::tlv(0x87, &v)
        }
    };
    Ok(match kind {
        SmFaultKind::WrongMac => {
            let mut data = correct.data.clone();
            if let Some(last) = data.last_mut() {
                *last ^= 0x01;
            }
            ResponseApdu::new(data, resp.sw)
        }
        SmFaultKind::MissingMac => {
            let mut data = find(cryptogram_tag)
                .map(|v| asn1::der::tlv(cryptogram_tag, &v))
                .unwrap_or_default();
            data.extend_from_slice(&do99);
            ResponseApdu::new(data, resp.sw)
        }
        SmFaultKind::WrongCryptogram => {
            let mut value = find(cryptogram_tag).unwrap_or_default();
            // The first cryptogram byte (after DO'87''s padding indicator).
            let first = usize::from(cryptogram_tag == 0x87);
            if let Some(b) = value.get_mut(first) {
                *b ^= 0x80;
            }
            let do87 = asn1::der::tlv(cryptogram_tag, &value);
            let cc = mac_over(&[&do87, &do99])?;
            let mut body = do87;
            body.extend_from_slice(&do99);
            with_mac(body, cc)
        }
        SmFaultKind::BadPadding => {
            let bl = alg.block_len();
            let mut plain = resp.data.clone();
            plain.resize(resp.data.len().div_ceil(bl).max(1) * bl, 0);
            let iv = match alg {
                icao9303::crypto::cipher::CipherAlgorithm::Tdes => vec![0; 8],
                _ => encrypt_block(alg, sm.k_enc(), sm.ssc())?,
            };
            let do87 = cryptogram_do(&cbc_encrypt(alg, sm.k_enc(), &iv, &plain)?);
            let cc = mac_over(&[&do87, &do99])?;
            let mut body = do87;
            body.extend_from_slice(&do99);
            with_mac(body, cc)
        }
        SmFaultKind::MissingCryptogram => {
            let cc = mac_over(&[&do99])?;
            with_mac(do99.clone(), cc)
        }
        SmFaultKind::PlainError(sw) => ResponseApdu::status(sw),
    })
}

/// What happens to the chosen response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The response never arrives (the link reports an I/O error).
    Drop,
    /// Only the first `n` bytes of the response arrive.
    Truncate(usize),
    /// Bit `bit` (0 = most significant bit of the first byte) of the response is inverted.
    FlipBit(usize),
    /// The response arrives late.
    Delay(Duration),
}

/// Wraps a transport and applies `fault` to the response of the `position`-th command (1-based).
#[derive(Debug)]
pub struct FaultyTransport<T> {
    inner: T,
    position: usize,
    fault: Fault,
    sent: usize,
}

impl<T: Transport> FaultyTransport<T> {
    /// A transport that corrupts the `position`-th response with `fault`.
    pub fn new(inner: T, position: usize, fault: Fault) -> Self {
        FaultyTransport {
            inner,
            position,
            fault,
            sent: 0,
        }
    }

    /// Commands sent so far.
    pub fn sent(&self) -> usize {
        self.sent
    }

    /// The wrapped transport.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport> Transport for FaultyTransport<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent += 1;
        let mut response = self.inner.transmit(command)?;
        if self.sent != self.position {
            return Ok(response);
        }
        match self.fault {
            Fault::Drop => {
                return Err(TransportError::Io(
                    "response dropped (fault injection)".into(),
                ));
            }
            Fault::Truncate(n) => response.truncate(n),
            Fault::FlipBit(bit) => {
                if let Some(b) = response.get_mut(bit / 8) {
                    *b ^= 0x80 >> (bit % 8);
                }
            }
            Fault::Delay(d) => std::thread::sleep(d),
        }
        Ok(response)
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        self.inner.reconnect()
    }

    fn replayed(&self) -> bool {
        self.inner.replayed()
    }
}
