//! Secure messaging (ICAO 9303-11 section 9.8): protecting command APDUs and checking response APDUs with
//! the session keys KSenc and KSmac established by BAC, PACE or Chip Authentication.
//!
//! * 3DES: 8-byte send sequence counter (SSC), IV = 0, retail MAC.
//! * AES: 16-byte SSC, IV = E(KSenc, SSC), AES-CMAC truncated to 8 bytes.
//!
//! Data objects: `87` (padding indicator + cryptogram, even INS), `85` (cryptogram, odd INS), `97` (Le),
//! `99` (status word), `8E` (MAC). The SSC is incremented before each command and each response.
//! Both sides are here: the terminal side for the reader and the chip side for the emulator, so the two
//! cannot drift apart.

use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::asn1::{self, Asn1Error};
use crate::crypto::CryptoError;
use crate::crypto::cipher::{CipherAlgorithm, cbc_decrypt, cbc_encrypt, encrypt_block};
use crate::crypto::kdf::{COUNTER_ENC, COUNTER_MAC, kdf};
use crate::crypto::mac::{MAC_LEN, mac, verify};
use crate::crypto::padding::{pad, unpad};
use std::fmt;
use thiserror::Error;
use zeroize::Zeroizing;

/// What went wrong while protecting or unprotecting an APDU.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SmError {
    /// The MAC in DO'8E' does not match: the session must end.
    #[error("secure messaging MAC mismatch (SSC {ssc}): the session was ended")]
    MacMismatch {
        /// The send sequence counter used, in hex (not secret).
        ssc: String,
    },
    /// A protected APDU without DO'8E'.
    #[error("secure messaging: DO'8E' (MAC) missing")]
    MissingMac,
    /// A protected response without DO'99': its status word is not covered by the MAC, so nothing shows
    /// it is the chip's (ICAO 9303-11 section 9.8 requires DO'99' in every protected response). The
    /// session ends.
    #[error(
        "secure messaging: the protected response has no DO'99' (its status word {0} is not authenticated): the session was ended"
    )]
    MissingStatus(StatusWord),
    /// A command without the secure messaging class bits.
    #[error("command is not protected by secure messaging (CLA {0:02X})")]
    NotProtected(u8),
    /// A data object that does not belong in a protected APDU, or is malformed.
    #[error("secure messaging: malformed data object: {0}")]
    Malformed(String),
    /// The TLV structure of the protected data is broken.
    #[error("secure messaging: {0}")]
    Tlv(#[from] Asn1Error),
    /// A cipher or padding failure after the MAC had verified.
    #[error("secure messaging: {0}")]
    Crypto(#[from] CryptoError),
    /// The session keys were destroyed after an earlier failure.
    #[error("secure messaging session already ended")]
    Ended,
    /// A response with a status word that is not an error (9000, 61xx, ...) but no secure messaging
    /// objects: nothing shows the chip holds the session keys, so the session ends.
    #[error(
        "secure messaging: the chip answered {0} without a MAC (only an error may be unprotected): the session was ended"
    )]
    Unprotected(StatusWord),
}

/// A secure messaging session: cipher, session keys and send sequence counter.
///
/// Keys are zeroized when the session is dropped or ended.
#[derive(Clone)]
pub struct SecureMessaging {
    alg: CipherAlgorithm,
    k_enc: Zeroizing<Vec<u8>>,
    k_mac: Zeroizing<Vec<u8>>,
    ssc: Vec<u8>,
    ended: bool,
}

impl fmt::Debug for SecureMessaging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecureMessaging({}, keys redacted)", self.alg.name())
    }
}

impl SecureMessaging {
    /// A session with explicit keys and initial SSC (BAC derives the SSC from the challenges).
    pub fn new(
        alg: CipherAlgorithm,
        k_enc: &[u8],
        k_mac: &[u8],
        ssc: &[u8],
    ) -> Result<Self, SmError> {
        if k_enc.len() != alg.key_len() || k_mac.len() != alg.key_len() {
            return Err(SmError::Crypto(CryptoError::InvalidKeyLength));
        }
        if ssc.len() != alg.block_len() {
            return Err(SmError::Malformed(format!(
                "SSC of {} bytes for {}",
                ssc.len(),
                alg.name()
            )));
        }
        Ok(SecureMessaging {
            alg,
            k_enc: Zeroizing::new(k_enc.to_vec()),
            k_mac: Zeroizing::new(k_mac.to_vec()),
            ssc: ssc.to_vec(),
            ended: false,
        })
    }

    /// A session keyed from a shared secret K: KSenc = KDF(K, 1), KSmac = KDF(K, 2), SSC = 0
    /// (PACE and Chip Authentication).
    pub fn from_shared_secret(alg: CipherAlgorithm, k: &[u8]) -> Self {
        SecureMessaging {
            alg,
            k_enc: kdf(k, COUNTER_ENC, alg),
            k_mac: kdf(k, COUNTER_MAC, alg),
            ssc: vec![0; alg.block_len()],
            ended: false,
        }
    }

    /// The cipher of this session.
    pub fn cipher(&self) -> CipherAlgorithm {
        self.alg
    }

    /// The current send sequence counter.
    pub fn ssc(&self) -> &[u8] {
        &self.ssc
    }

    /// KSenc, for protocols that run inside the session (the PACE-CAM chip data, AA).
    pub fn k_enc(&self) -> &[u8] {
        &self.k_enc
    }

    /// KSmac, for the PACE authentication tokens.
    pub fn k_mac(&self) -> &[u8] {
        &self.k_mac
    }

    /// Destroys the keys: every later call fails with [`SmError::Ended`].
    pub fn end(&mut self) {
        use zeroize::Zeroize;
        self.k_enc.zeroize();
        self.k_mac.zeroize();
        self.ended = true;
    }

    /// True once the session was ended (explicitly or by a MAC failure).
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    fn increment_ssc(&mut self) {
        for b in self.ssc.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }

    fn iv(&self) -> Result<Vec<u8>, SmError> {
        Ok(match self.alg {
            CipherAlgorithm::Tdes => vec![0; 8],
            _ => encrypt_block(self.alg, &self.k_enc, &self.ssc)?,
        })
    }

    fn mac_input(&self, parts: &[&[u8]]) -> Vec<u8> {
        let mut n = self.ssc.clone();
        for p in parts {
            n.extend_from_slice(p);
        }
        pad(&n, self.alg.block_len())
    }

    fn check_live(&self) -> Result<(), SmError> {
        if self.ended {
            Err(SmError::Ended)
        } else {
            Ok(())
        }
    }

    /// Encrypts `data` into DO'87' (even INS) or DO'85' (odd INS).
    fn encrypt_do(&self, data: &[u8], odd_ins: bool) -> Result<Vec<u8>, SmError> {
        let cryptogram = cbc_encrypt(
            self.alg,
            &self.k_enc,
            &self.iv()?,
            &pad(data, self.alg.block_len()),
        )?;
        Ok(if odd_ins {
            asn1::der::tlv(0x85, &cryptogram)
        } else {
            let mut v = Vec::with_capacity(cryptogram.len() + 1);
            v.push(0x01);
            v.extend_from_slice(&cryptogram);
            asn1::der::tlv(0x87, &v)
        })
    }

    /// Decrypts the value of DO'85' or DO'87'.
    fn decrypt_do(&self, tag: asn1::Tag, value: &[u8]) -> Result<Vec<u8>, SmError> {
        let cryptogram = match tag {
            0x85 => value,
            _ => match value.split_first() {
                Some((0x01, rest)) => rest,
                _ => {
                    return Err(SmError::Malformed(
                        "DO'87' without padding indicator 01".into(),
                    ));
                }
            },
        };
        let plain = cbc_decrypt(self.alg, &self.k_enc, &self.iv()?, cryptogram)?;
        Ok(unpad(&plain)?.to_vec())
    }

    fn mac_mismatch(&mut self) -> SmError {
        let ssc = self.ssc.iter().map(|b| format!("{b:02X}")).collect();
        self.end();
        SmError::MacMismatch { ssc }
    }

    /// Checks the MAC of protected data objects and decrypts them: the shared half of unprotecting a
    /// response (`extra_tag` 99, the status) or a command (`extra_tag` 97, Le). `covered` starts with what
    /// the MAC covers before the data objects (the padded header for commands). Returns the plaintext and
    /// the value of the extra data object, if present.
    fn open(
        &mut self,
        mut covered: Vec<u8>,
        data: &[u8],
        extra_tag: asn1::Tag,
        what: &str,
    ) -> Result<(Vec<u8>, Option<Vec<u8>>), SmError> {
        let objects = asn1::parse_all(data)?;
        let mut cryptogram = None;
        let mut extra = None;
        let mut cc = None;
        for o in &objects {
            match o.tag {
                0x85 | 0x87 if cc.is_none() && cryptogram.is_none() && extra.is_none() => {
                    cryptogram = Some((o.tag, o.value));
                    covered.extend_from_slice(o.raw);
                }
                t if t == extra_tag && cc.is_none() && extra.is_none() => {
                    extra = Some(o.value.to_vec());
                    covered.extend_from_slice(o.raw);
                }
                0x8E if cc.is_none() => cc = Some(o.value),
                other => {
                    return Err(SmError::Malformed(format!(
                        "unexpected DO'{other:02X}' in {what}"
                    )));
                }
            }
        }
        let cc = cc.ok_or(SmError::MissingMac)?;
        if !verify(self.alg, &self.k_mac, &self.mac_input(&[&covered]), cc)? {
            return Err(self.mac_mismatch());
        }
        let plain = match cryptogram {
            Some((tag, value)) => self.decrypt_do(tag, value)?,
            None => Vec::new(),
        };
        Ok((plain, extra))
    }

    /// Terminal side: protects a plain command APDU.
    pub fn protect_command(&mut self, cmd: &CommandApdu) -> Result<CommandApdu, SmError> {
        self.check_live()?;
        self.increment_ssc();
        let cla = cmd.cla | 0x0C;
        let header = [cla, cmd.ins, cmd.p1, cmd.p2];
        let odd_ins = cmd.ins & 1 == 1;
        let extended = cmd.is_extended();
        let do87 = if cmd.data.is_empty() {
            Vec::new()
        } else {
            self.encrypt_do(&cmd.data, odd_ins)?
        };
        let do97 = match cmd.le {
            None => Vec::new(),
            Some(le) if extended => asn1::der::tlv(0x97, &((le % 65536) as u16).to_be_bytes()),
            Some(le) => asn1::der::tlv(0x97, &[(le % 256) as u8]),
        };
        let n = self.mac_input(&[&pad(&header, self.alg.block_len()), &do87, &do97]);
        let cc = mac(self.alg, &self.k_mac, &n)?;
        let mut data = do87;
        data.extend_from_slice(&do97);
        data.extend_from_slice(&asn1::der::tlv(0x8E, &cc));
        let le = if extended || data.len() > 255 {
            65536
        } else {
            256
        };
        Ok(CommandApdu {
            cla,
            ins: cmd.ins,
            p1: cmd.p1,
            p2: cmd.p2,
            data,
            le: Some(le),
            extended,
        })
    }

    /// Terminal side: checks and decrypts a protected response.
    ///
    /// A protected response must carry DO'99' (the status word, under the MAC) and DO'8E'; its status
    /// word is the one in DO'99'. One without DO'99' ends the session with [`SmError::MissingStatus`].
    /// A response with no data and an error or warning status word (SW1 62–6F) is a plain (unprotected)
    /// error from the chip: it is returned as is and the SSC is not advanced for it, which keeps terminal
    /// and chip counters in step. Any other status word without a MAC (9000, 61xx, ...) ends the session
    /// with [`SmError::Unprotected`], as does a MAC mismatch: so a response that reports success has always
    /// been MAC-verified.
    pub fn unprotect_response(&mut self, resp: &ResponseApdu) -> Result<ResponseApdu, SmError> {
        self.check_live()?;
        if resp.data.is_empty() {
            if (0x62..=0x6F).contains(&resp.sw.sw1()) {
                return Ok(resp.clone());
            }
            self.end();
            return Err(SmError::Unprotected(resp.sw));
        }
        self.increment_ssc();
        let result = self
            .open(Vec::new(), &resp.data, 0x99, "response")
            .and_then(|(data, status)| {
                let sw = match status.as_deref() {
                    // Without DO'99' the plain status word is outside the MAC: a man in the middle could
                    // turn 9000 into 6282 (a short file) or an error into success.
                    None => return Err(SmError::MissingStatus(resp.sw)),
                    Some([a, b]) => StatusWord(u16::from_be_bytes([*a, *b])),
                    Some(other) => {
                        return Err(SmError::Malformed(format!(
                            "DO'99' of {} bytes",
                            other.len()
                        )));
                    }
                };
                Ok(ResponseApdu { data, sw })
            });
        // A protected response that cannot be checked leaves the counters out of step and may be an
        // attack: the session ends, as for a wrong MAC.
        if result.is_err() {
            self.end();
        }
        result
    }

    /// Chip side: checks and decrypts a protected command.
    pub fn unprotect_command(&mut self, cmd: &CommandApdu) -> Result<CommandApdu, SmError> {
        self.check_live()?;
        if cmd.cla & 0x0C != 0x0C {
            return Err(SmError::NotProtected(cmd.cla));
        }
        self.increment_ssc();
        let header = pad(&[cmd.cla, cmd.ins, cmd.p1, cmd.p2], self.alg.block_len());
        let (data, le) = self.open(header, &cmd.data, 0x97, "command")?;
        let le = match le.as_deref() {
            None | Some([]) => None,
            Some([0]) => Some(256),
            Some([b]) => Some(usize::from(*b)),
            Some([0, 0]) => Some(65536),
            Some([a, b]) => Some(usize::from(u16::from_be_bytes([*a, *b]))),
            Some(_) => return Err(SmError::Malformed("DO'97' longer than two bytes".into())),
        };
        Ok(CommandApdu {
            cla: cmd.cla & !0x0C,
            ins: cmd.ins,
            p1: cmd.p1,
            p2: cmd.p2,
            data,
            le,
            extended: cmd.extended,
        })
    }

    /// Chip side: protects a response to the command with instruction `ins`.
    pub fn protect_response(
        &mut self,
        resp: &ResponseApdu,
        ins: u8,
    ) -> Result<ResponseApdu, SmError> {
        self.check_live()?;
        self.increment_ssc();
        let do87 = if resp.data.is_empty() {
            Vec::new()
        } else {
            self.encrypt_do(&resp.data, ins & 1 == 1)?
        };
        let do99 = asn1::der::tlv(0x99, &resp.sw.0.to_be_bytes());
        let cc = mac(self.alg, &self.k_mac, &self.mac_input(&[&do87, &do99]))?;
        let mut data = do87;
        data.extend_from_slice(&do99);
        data.extend_from_slice(&asn1::der::tlv(0x8E, &cc));
        Ok(ResponseApdu { data, sw: resp.sw })
    }

    /// Plaintext bytes that fit in one protected response of at most `max_response` bytes (data plus
    /// SW): what a READ BINARY may ask for under this session.
    pub fn max_plain_response(&self, max_response: usize) -> usize {
        // DO'87' header (tag, up to 3 length bytes, indicator) + DO'99' (4) + DO'8E' (10) + SW (2).
        let bl = self.alg.block_len();
        let overhead = |len: usize| -> usize {
            let cryptogram = (len / bl + 1) * bl;
            let len_bytes = asn1::der::length_octets(cryptogram + 1);
            1 + len_bytes + 1 + cryptogram + 4 + 2 + MAC_LEN + 2
        };
        let mut n = max_response.saturating_sub(16);
        while n > 0 && overhead(n) > max_response {
            n -= 1;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    fn bac_session() -> SecureMessaging {
        SecureMessaging::new(
            CipherAlgorithm::Tdes,
            &h("979EC13B1CBFE9DCD01AB0FED307EAE5"),
            &h("F1CB1F1FB5ADF208806B89DC579DC1F8"),
            &h("887022120C06C226"),
        )
        .unwrap()
    }

    /// ICAO 9303-11 Appendix D.4: the three protected APDUs of reading EF.COM and their responses.
    #[test]
    fn icao_worked_example_3des() {
        let mut sm = bac_session();
        let select = CommandApdu::parse(&h("00A4020C02011E")).unwrap();
        let p = sm.protect_command(&select).unwrap();
        assert_eq!(
            hex::encode_upper(p.to_bytes().unwrap()),
            "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"
        );
        let r = sm
            .unprotect_response(
                &ResponseApdu::parse(&h("990290008E08FA855A5D4C50A8ED9000")).unwrap(),
            )
            .unwrap();
        assert_eq!(r.sw, StatusWord::OK);
        assert!(r.data.is_empty());

        let read4 = CommandApdu::parse(&h("00B0000004")).unwrap();
        let p = sm.protect_command(&read4).unwrap();
        assert_eq!(
            hex::encode_upper(p.to_bytes().unwrap()),
            "0CB000000D9701048E08ED6705417E96BA5500"
        );
        let r = sm
            .unprotect_response(
                &ResponseApdu::parse(&h("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"))
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(hex::encode_upper(&r.data), "60145F01");

        let read18 = CommandApdu::parse(&h("00B0000412")).unwrap();
        let p = sm.protect_command(&read18).unwrap();
        assert_eq!(
            hex::encode_upper(p.to_bytes().unwrap()),
            "0CB000040D9701128E082EA28A70F3C7B53500"
        );
        let r = sm
            .unprotect_response(
                &ResponseApdu::parse(&h(
                    "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
                ))
                .unwrap(),
            )
            .unwrap();
        assert_eq!(
            hex::encode_upper(&r.data),
            "04303130365F36063034303030305C026175"
        );
        assert_eq!(hex::encode_upper(sm.ssc()), "887022120C06C22C");
    }

    /// The chip side reproduces the same responses from the same keys and SSC.
    #[test]
    fn chip_side_matches_worked_example() {
        let mut chip = bac_session();
        let cmd = chip.unprotect_command(
            &CommandApdu::parse(&h("0CB000000D9701048E08ED6705417E96BA5500")).unwrap(),
        );
        // The SSC must be at C229 for this command: advance the chip past the SELECT exchange first.
        assert!(matches!(cmd, Err(SmError::MacMismatch { .. })));

        let mut chip = bac_session();
        let select = chip
            .unprotect_command(
                &CommandApdu::parse(&h("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"))
                    .unwrap(),
            )
            .unwrap();
        assert_eq!(select.data, h("011E"));
        let resp = chip
            .protect_response(&ResponseApdu::status(StatusWord::OK), 0xA4)
            .unwrap();
        assert_eq!(
            hex::encode_upper(resp.to_bytes()),
            "990290008E08FA855A5D4C50A8ED9000"
        );
        let read = chip
            .unprotect_command(
                &CommandApdu::parse(&h("0CB000000D9701048E08ED6705417E96BA5500")).unwrap(),
            )
            .unwrap();
        assert_eq!(read.le, Some(4));
        let resp = chip
            .protect_response(&ResponseApdu::new(h("60145F01"), StatusWord::OK), 0xB0)
            .unwrap();
        assert_eq!(
            hex::encode_upper(resp.to_bytes()),
            "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"
        );
    }

    #[test]
    fn nfcpassportreader_3des_vector() {
        let mut sm = SecureMessaging::new(
            CipherAlgorithm::Tdes,
            &h("8FDCFE759E40A4DF4575160B3BFB79FB"),
            &h("2AE92531E55707D9C4CEF8C2D6E5AD70"),
            &h("73061884A0E57AA7"),
        )
        .unwrap();
        let p = sm
            .protect_command(&CommandApdu::parse(&h("00A4020C020101")).unwrap())
            .unwrap();
        assert_eq!(
            hex::encode_upper(p.to_bytes().unwrap()),
            "0CA4020C15870901CC69089F8F1AB4698E08B6334B3ABD5A9E0900"
        );
        let r = sm
            .unprotect_response(
                &ResponseApdu::parse(&h("990290008E08C61E440E5DD415469000")).unwrap(),
            )
            .unwrap();
        assert_eq!(r.sw, StatusWord::OK);
    }

    #[test]
    fn aes128_encode_vector() {
        let mut ssc = vec![0u8; 16];
        ssc[15] = 0xBA; // gmrtd sets SSC ...BA; the command is sent with ...BB
        let mut sm = SecureMessaging::new(
            CipherAlgorithm::Aes128,
            &h("cc86415f2ed7e8fd663b754265695ae1"),
            &h("581e84b8ee06c4d3eee30461498d7fb3"),
            &ssc,
        )
        .unwrap();
        let p = sm
            .protect_command(
                &CommandApdu::parse(&h("002241A40F800A04007F000702020302028401C3")).unwrap(),
            )
            .unwrap();
        assert_eq!(
            hex::encode_upper(p.to_bytes().unwrap()),
            "0C2241A41D871101980953D37F67558690045D78A853B18A8E08929767A2CEF172E200"
        );
    }

    #[test]
    fn aes256_decrypt_vector() {
        let mut ssc = vec![0u8; 16];
        ssc[15] = 0x26;
        let sm = SecureMessaging::new(
            CipherAlgorithm::Aes256,
            &h("74b94f408bbb2cd92571fd5b6370a94cce7a2fa42ae3eb4da47b97ce6eaa24c6"),
            &[0u8; 32],
            &ssc,
        )
        .unwrap();
        let do87 = h("0142e919c115faf69350b01813d77a9e8d91912a7f717afd073f199070e61b79c6");
        assert_eq!(
            hex::encode_upper(sm.decrypt_do(0x87, &do87).unwrap()),
            "04303130385F36063034303030305C06617563766D6E"
        );
    }

    #[test]
    fn bsi_worked_example_sm() {
        // BSI worked example for EAC: SSC=1 encryption, SSC=2 MAC of DO'99'.
        let mut sm = SecureMessaging::new(
            CipherAlgorithm::Aes128,
            &h("68406B4162100563D9C901A6154D2901"),
            &h("73FF268784F72AF833FDC9464049AFC9"),
            &[0u8; 16],
        )
        .unwrap();
        sm.increment_ssc();
        let do87 = sm
            .encrypt_do(&h("830D44454356434141543030303031"), false)
            .unwrap();
        assert_eq!(
            hex::encode_upper(&do87[3..]),
            "BE90237EEB4BA0FF253EA246AE31C8B8"
        );
        sm.increment_ssc();
        let cc = mac(sm.alg, &sm.k_mac, &sm.mac_input(&[&h("99029000")])).unwrap();
        assert_eq!(hex::encode_upper(cc), "A89570A68664A7D6");
    }

    #[test]
    fn round_trip_all_ciphers_and_lengths() {
        for alg in [
            CipherAlgorithm::Tdes,
            CipherAlgorithm::Aes128,
            CipherAlgorithm::Aes192,
            CipherAlgorithm::Aes256,
        ] {
            let mut term = SecureMessaging::from_shared_secret(alg, b"shared secret");
            let mut chip = SecureMessaging::from_shared_secret(alg, b"shared secret");
            for (len, le) in [
                (0usize, Some(256)),
                (3, None),
                (300, Some(65536)),
                (0, Some(0x1000)),
            ] {
                let cmd = CommandApdu::new(0, if len == 3 { 0xB1 } else { 0xB0 }, 0, 0)
                    .with_data(vec![0x5A; len]);
                let cmd = match le {
                    Some(le) => cmd.with_le(le),
                    None => cmd,
                };
                let wire = term.protect_command(&cmd).unwrap().to_bytes().unwrap();
                let got = chip
                    .unprotect_command(&CommandApdu::parse(&wire).unwrap())
                    .unwrap();
                assert_eq!((got.data.clone(), got.le), (cmd.data.clone(), cmd.le));
                let resp = ResponseApdu::new(vec![0xA5; len * 2], StatusWord::OK);
                let wire = chip.protect_response(&resp, cmd.ins).unwrap().to_bytes();
                let back = term
                    .unprotect_response(&ResponseApdu::parse(&wire).unwrap())
                    .unwrap();
                assert_eq!(back, resp);
            }
        }
    }

    #[test]
    fn tampered_response_ends_session() {
        let mut term = SecureMessaging::from_shared_secret(CipherAlgorithm::Aes128, b"k");
        let mut chip = SecureMessaging::from_shared_secret(CipherAlgorithm::Aes128, b"k");
        let wire = term
            .protect_command(&CommandApdu::new(0, 0xB0, 0, 0).with_le(16))
            .unwrap()
            .to_bytes()
            .unwrap();
        chip.unprotect_command(&CommandApdu::parse(&wire).unwrap())
            .unwrap();
        let mut resp = chip
            .protect_response(&ResponseApdu::new(vec![1; 16], StatusWord::OK), 0xB0)
            .unwrap();
        resp.data[5] ^= 0x01;
        assert!(matches!(
            term.unprotect_response(&resp),
            Err(SmError::MacMismatch { .. })
        ));
        assert!(term.is_ended());
        assert_eq!(
            term.protect_command(&CommandApdu::new(0, 0xB0, 0, 0))
                .unwrap_err(),
            SmError::Ended
        );
    }

    #[test]
    fn malformed_protected_response_ends_session() {
        let mut term = SecureMessaging::from_shared_secret(CipherAlgorithm::Aes128, b"k");
        term.protect_command(&CommandApdu::new(0, 0xB0, 0, 0).with_le(16))
            .unwrap();
        // A DO'87' whose length runs past the data, then no MAC.
        let err =
            term.unprotect_response(&ResponseApdu::new(vec![0x87, 0x85, 1, 2], StatusWord::OK));
        assert!(matches!(err, Err(SmError::Tlv(_))), "{err:?}");
        assert!(term.is_ended());
    }

    /// A protected response whose MAC verifies but that carries no DO'99': its status word is outside the
    /// MAC, so it is refused and the session ends (ICAO 9303-11 section 9.8), whatever the status.
    #[test]
    fn a_protected_response_without_do99_ends_the_session() {
        for (data, sw) in [
            (vec![0x5A; 20], StatusWord::OK),
            (vec![0x5A; 3], StatusWord::END_OF_FILE),
            (Vec::new(), StatusWord::OK),
        ] {
            let mut term = SecureMessaging::from_shared_secret(CipherAlgorithm::Aes128, b"k");
            let mut chip = SecureMessaging::from_shared_secret(CipherAlgorithm::Aes128, b"k");
            let wire = term
                .protect_command(&CommandApdu::new(0, 0xB0, 0, 0).with_le(20))
                .unwrap()
                .to_bytes()
                .unwrap();
            chip.unprotect_command(&CommandApdu::parse(&wire).unwrap())
                .unwrap();
            // The chip's side, without DO'99': DO'87' (if any data) and a MAC over it alone.
            chip.increment_ssc();
            let mut body = if data.is_empty() {
                Vec::new()
            } else {
                chip.encrypt_do(&data, false).unwrap()
            };
            let cc = mac(chip.alg, &chip.k_mac, &chip.mac_input(&[&body])).unwrap();
            body.extend_from_slice(&asn1::der::tlv(0x8E, &cc));
            assert_eq!(
                term.unprotect_response(&ResponseApdu::new(body, sw)),
                Err(SmError::MissingStatus(sw))
            );
            assert!(term.is_ended());
        }
    }

    #[test]
    fn plain_error_keeps_counters_in_step() {
        let mut term = SecureMessaging::from_shared_secret(CipherAlgorithm::Tdes, b"k");
        let before = term.ssc().to_vec();
        term.protect_command(&CommandApdu::new(0, 0xB0, 0, 0).with_le(16))
            .unwrap();
        let r = term
            .unprotect_response(&ResponseApdu::status(StatusWord(0x6A82)))
            .unwrap();
        assert_eq!(r.sw, StatusWord(0x6A82));
        assert_eq!(
            u64::from_be_bytes(term.ssc().try_into().unwrap()),
            u64::from_be_bytes(before.try_into().unwrap()) + 1
        );
        assert!(matches!(
            term.unprotect_response(&ResponseApdu::status(StatusWord::OK)),
            Err(SmError::Unprotected(StatusWord::OK))
        ));
        assert!(term.is_ended());
    }

    /// Only an error or a warning may come without a MAC; a bare 9000 or 61xx ends the session.
    #[test]
    fn unprotected_success_ends_the_session() {
        for sw in [0x9000, 0x6110, 0x6100, 0x9100, 0x6000] {
            let mut term = SecureMessaging::from_shared_secret(CipherAlgorithm::Aes128, b"k");
            term.protect_command(&CommandApdu::new(0, 0xA4, 2, 0x0C).with_data(vec![1, 0x0E]))
                .unwrap();
            assert_eq!(
                term.unprotect_response(&ResponseApdu::status(StatusWord(sw))),
                Err(SmError::Unprotected(StatusWord(sw))),
                "{sw:04X}"
            );
            assert!(term.is_ended(), "{sw:04X}");
        }
        for sw in [0x6282, 0x6300, 0x6700, 0x6982, 0x6A82, 0x6C10, 0x6F00] {
            let mut term = SecureMessaging::from_shared_secret(CipherAlgorithm::Aes128, b"k");
            term.protect_command(&CommandApdu::new(0, 0xB0, 0, 0).with_le(16))
                .unwrap();
            let r = term
                .unprotect_response(&ResponseApdu::status(StatusWord(sw)))
                .unwrap();
            assert_eq!(r.sw, StatusWord(sw));
            assert!(!term.is_ended(), "{sw:04X}");
        }
    }

    #[test]
    fn garbage_responses_never_panic() {
        let mut seed = 1u32;
        for len in 0..64 {
            let mut term = SecureMessaging::from_shared_secret(CipherAlgorithm::Aes256, b"k");
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
                    (seed >> 16) as u8
                })
                .collect();
            let _ = term.unprotect_response(&ResponseApdu::new(data.clone(), StatusWord::OK));
            let mut chip = SecureMessaging::from_shared_secret(CipherAlgorithm::Aes256, b"k");
            let _ = chip.unprotect_command(&CommandApdu::new(0x0C, 0xB0, 0, 0).with_data(data));
        }
    }

    #[test]
    fn largest_plain_block_sizes() {
        let tdes = SecureMessaging::from_shared_secret(CipherAlgorithm::Tdes, b"k");
        let aes = SecureMessaging::from_shared_secret(CipherAlgorithm::Aes128, b"k");
        // A short response carries at most 256 data bytes plus SW.
        assert_eq!(tdes.max_plain_response(258), 231);
        assert_eq!(aes.max_plain_response(258), 223);
    }
}
