//! Basic Access Control (ICAO 9303-11 section 4.3): mutual authentication with keys derived from the MRZ,
//! establishing 3DES secure messaging.
//!
//! Terminal side: `authenticate` (the reader runs it). The chip side (used by the emulator) shares
//! [`BacKeys`], `session_keys` and the message layout through `ChipBac` (public with the `chip` feature, as
//! is `authenticate`).

use crate::Error;
use crate::apdu::{CommandApdu, StatusWord};
use crate::channel::Channel;
use crate::crypto::cipher::{CipherAlgorithm, cbc_decrypt, cbc_encrypt};
use crate::crypto::kdf::{COUNTER_ENC, COUNTER_MAC, kdf};
use crate::crypto::mac::{mac, verify};
use crate::crypto::padding::pad;
use crate::mrz::MrzKey;
use crate::sm::SecureMessaging;
use rand_core::CryptoRng;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

const STEP_CHALLENGE: &str = "BAC: GET CHALLENGE";
const STEP_EXTERNAL_AUTH: &str = "BAC: EXTERNAL AUTHENTICATE";

/// The document basic access keys KEnc and KMAC, derived from the MRZ.
#[derive(Clone)]
pub struct BacKeys {
    /// KEnc (3DES, parity adjusted).
    pub k_enc: Zeroizing<Vec<u8>>,
    /// KMAC (3DES, parity adjusted).
    pub k_mac: Zeroizing<Vec<u8>>,
}

impl BacKeys {
    /// Kseed = SHA-1(MRZ_information)[0..16], KEnc = KDF(Kseed, 1), KMAC = KDF(Kseed, 2).
    pub fn derive(key: &MrzKey) -> BacKeys {
        let digest = Zeroizing::new(Sha1::digest(&*key.mrz_information()).to_vec());
        let seed = &digest[..16];
        BacKeys {
            k_enc: kdf(seed, COUNTER_ENC, CipherAlgorithm::Tdes),
            k_mac: kdf(seed, COUNTER_MAC, CipherAlgorithm::Tdes),
        }
    }

    /// Encrypts and MACs a 32-byte mutual authentication message: E ‖ MAC(pad(E)).
    pub fn seal(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let mut e = cbc_encrypt(CipherAlgorithm::Tdes, &self.k_enc, &[0; 8], message)?;
        let m = mac(CipherAlgorithm::Tdes, &self.k_mac, &pad(&e, 8))?;
        e.extend_from_slice(&m);
        Ok(e)
    }

    /// Checks the MAC of a 40-byte E ‖ M message (constant time) and decrypts E. `None` if the MAC is wrong.
    pub fn open(&self, sealed: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        if sealed.len() != 40 {
            return Ok(None);
        }
        let (e, m) = sealed.split_at(32);
        if !verify(CipherAlgorithm::Tdes, &self.k_mac, &pad(e, 8), m)? {
            return Ok(None);
        }
        Ok(Some(Zeroizing::new(cbc_decrypt(
            CipherAlgorithm::Tdes,
            &self.k_enc,
            &[0; 8],
            e,
        )?)))
    }
}

chip_pub! {
/// The BAC session: KSseed = K.IFD ⊕ K.IC, KSenc/KSmac = KDF(KSseed, 1/2), SSC = RND.IC[4..8] ‖ RND.IFD[4..8].
pub fn session_keys(
    k_ifd: &[u8],
    k_ic: &[u8],
    rnd_ic: &[u8],
    rnd_ifd: &[u8],
) -> Result<SecureMessaging, Error> {
    if k_ifd.len() != 16 || k_ic.len() != 16 || rnd_ic.len() != 8 || rnd_ifd.len() != 8 {
        return Err(Error::protocol(
            "BAC: session keys",
            "key material of the wrong length",
        ));
    }
    let seed: Zeroizing<Vec<u8>> =
        Zeroizing::new(k_ifd.iter().zip(k_ic).map(|(a, b)| a ^ b).collect());
    let k_enc = kdf(&seed, COUNTER_ENC, CipherAlgorithm::Tdes);
    let k_mac = kdf(&seed, COUNTER_MAC, CipherAlgorithm::Tdes);
    let mut ssc = rnd_ic[4..].to_vec();
    ssc.extend_from_slice(&rnd_ifd[4..]);
    SecureMessaging::new(CipherAlgorithm::Tdes, &k_enc, &k_mac, &ssc).map_err(|source| {
        Error::SecureMessaging {
            step: "BAC: session keys",
            source,
        }
    })
}
}

chip_pub! {
/// Runs BAC as the terminal: GET CHALLENGE, then EXTERNAL AUTHENTICATE with RND.IFD and K.IFD drawn from `rng`
/// (in that order: 8 bytes, then 16), and returns the secure messaging session.
///
/// A chip that rejects the cryptogram (6300, 6982, ...) gives [`Error::AccessDenied`]: the MRZ is wrong.
/// A chip that accepts it but whose answer does not verify (its MAC, its length, the echoed challenges)
/// gives [`Error::Protocol`] naming that: the MRZ was right.
pub fn authenticate<R: CryptoRng + ?Sized>(
    channel: &mut dyn Channel,
    key: &MrzKey,
    rng: &mut R,
) -> Result<SecureMessaging, Error> {
    let keys = BacKeys::derive(key);
    let challenge = channel.exchange(
        STEP_CHALLENGE,
        &CommandApdu::new(0x00, 0x84, 0x00, 0x00).with_le(8),
    )?;
    if challenge.sw != StatusWord::OK {
        return Err(Error::Status {
            step: STEP_CHALLENGE,
            sw: challenge.sw,
        });
    }
    let rnd_ic = challenge.data;
    if rnd_ic.len() != 8 {
        return Err(Error::protocol(
            STEP_CHALLENGE,
            format!("challenge of {} bytes, expected 8", rnd_ic.len()),
        ));
    }
    let mut rnd_ifd = [0u8; 8];
    rng.fill_bytes(&mut rnd_ifd);
    let mut k_ifd = Zeroizing::new([0u8; 16]);
    rng.fill_bytes(&mut *k_ifd);

    let mut s = Zeroizing::new(Vec::with_capacity(32));
    s.extend_from_slice(&rnd_ifd);
    s.extend_from_slice(&rnd_ic);
    s.extend_from_slice(&*k_ifd);
    let cmd = CommandApdu::new(0x00, 0x82, 0x00, 0x00)
        .with_data(keys.seal(&s)?)
        .with_le(40);
    let resp = channel.exchange(STEP_EXTERNAL_AUTH, &cmd)?;
    if resp.sw != StatusWord::OK {
        return Err(Error::AccessDenied {
            protocol: "BAC",
            sw: Some(resp.sw),
            password: "MRZ",
        });
    }
    // The chip accepted the terminal's cryptogram, so it holds the keys of this MRZ: an answer that does
    // not verify is the chip's (or a man in the middle's) fault, not the MRZ's.
    if resp.data.len() != 40 {
        return Err(Error::protocol(
            STEP_EXTERNAL_AUTH,
            format!(
                "the chip's answer in BAC mutual authentication is {} bytes, expected 40",
                resp.data.len()
            ),
        ));
    }
    let r = keys.open(&resp.data)?.ok_or_else(|| {
        Error::protocol(
            STEP_EXTERNAL_AUTH,
            "the chip's response MAC in BAC mutual authentication did not verify",
        )
    })?;
    // R = RND.IC ‖ RND.IFD ‖ K.IC: both challenges must come back.
    let echoed = r[..8].ct_eq(&rnd_ic) & r[8..16].ct_eq(&rnd_ifd);
    if !bool::from(echoed) {
        return Err(Error::protocol(
            STEP_EXTERNAL_AUTH,
            "the chip's answer does not echo the challenges",
        ));
    }
    session_keys(&*k_ifd, &r[16..32], &rnd_ic, &rnd_ifd)
}
}

chip_pub! {
/// The chip side of BAC: holds RND.IC between GET CHALLENGE and EXTERNAL AUTHENTICATE.
#[derive(Clone)]
pub struct ChipBac {
    keys: BacKeys,
    rnd_ic: Option<[u8; 8]>,
}
}

#[cfg_attr(not(feature = "chip"), allow(dead_code))]
impl ChipBac {
    /// A chip keyed with the document's MRZ.
    pub fn new(key: &MrzKey) -> Self {
        ChipBac {
            keys: BacKeys::derive(key),
            rnd_ic: None,
        }
    }

    /// GET CHALLENGE: draws and remembers RND.IC.
    pub fn challenge<R: CryptoRng + ?Sized>(&mut self, rng: &mut R) -> [u8; 8] {
        let mut rnd = [0u8; 8];
        rng.fill_bytes(&mut rnd);
        self.rnd_ic = Some(rnd);
        rnd
    }

    /// EXTERNAL AUTHENTICATE: checks the terminal's cryptogram and returns the chip's answer and the
    /// session, or the status word to refuse with.
    pub fn external_authenticate<R: CryptoRng + ?Sized>(
        &mut self,
        data: &[u8],
        rng: &mut R,
    ) -> Result<(Vec<u8>, SecureMessaging), StatusWord> {
        let rnd_ic = self
            .rnd_ic
            .take()
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let s = self
            .keys
            .open(data)
            .map_err(|_| StatusWord::AUTH_FAILED)?
            .ok_or(StatusWord::AUTH_FAILED)?;
        if !bool::from(s[8..16].ct_eq(&rnd_ic)) {
            return Err(StatusWord::AUTH_FAILED);
        }
        let mut k_ic = Zeroizing::new([0u8; 16]);
        rng.fill_bytes(&mut *k_ic);
        let mut r = Zeroizing::new(Vec::with_capacity(32));
        r.extend_from_slice(&rnd_ic);
        r.extend_from_slice(&s[..8]);
        r.extend_from_slice(&*k_ic);
        let answer = self.keys.seal(&r).map_err(|_| StatusWord(0x6F00))?;
        let sm =
            session_keys(&s[16..32], &*k_ic, &rnd_ic, &s[..8]).map_err(|_| StatusWord(0x6F00))?;
        Ok((answer, sm))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apdu::ResponseApdu;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// An RNG that replays fixed bytes, for worked examples.
    struct Scripted(Vec<u8>);
    impl rand_core::TryRng for Scripted {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            unimplemented!()
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            unimplemented!()
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            let n = dst.len();
            dst.copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for Scripted {}

    /// A channel that checks each command against the worked example and answers with its response.
    struct Script(Vec<(Vec<u8>, Vec<u8>)>);
    impl Channel for Script {
        fn exchange(
            &mut self,
            _step: &'static str,
            command: &CommandApdu,
        ) -> Result<ResponseApdu, Error> {
            let (expected, response) = self.0.remove(0);
            assert_eq!(
                hex::encode_upper(command.to_bytes().unwrap()),
                hex::encode_upper(expected)
            );
            Ok(ResponseApdu::parse(&response).unwrap())
        }
    }

    fn icao_key() -> MrzKey {
        MrzKey::new("L898902C<", "690806", "940623").unwrap()
    }

    #[test]
    fn key_derivation_worked_example() {
        let key = icao_key();
        assert_eq!(&*key.mrz_information(), b"L898902C<369080619406236");
        let keys = BacKeys::derive(&key);
        assert_eq!(
            hex::encode_upper(&*keys.k_enc),
            "AB94FDECF2674FDFB9B391F85D7F76F2"
        );
        assert_eq!(
            hex::encode_upper(&*keys.k_mac),
            "7962D9ECE03D1ACD4C76089DCE131543"
        );
    }

    #[test]
    fn long_document_number_seed() {
        let key = MrzKey::new("D23145890734", "340712", "950712").unwrap();
        assert_eq!(&*key.mrz_information(), b"D23145890734934071279507122");
        let seed = Sha1::digest(&*key.mrz_information());
        assert_eq!(
            hex::encode_upper(&seed[..16]),
            "B366AD857DDCA2B08C0E299811714730"
        );
    }

    /// ICAO 9303-11 Appendix D.3: the whole mutual authentication, APDU by APDU.
    #[test]
    fn authenticate_worked_example() {
        let mut channel = Script(vec![
            (h("0084000008"), h("4608F919887022129000")),
            (
                h(
                    "008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728",
                ),
                h(
                    "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D74499000",
                ),
            ),
        ]);
        let mut rng = Scripted(h("781723860C06C2260B795240CB7049B01C19B33E32804F0B"));
        let sm = authenticate(&mut channel, &icao_key(), &mut rng).unwrap();
        assert_eq!(hex::encode_upper(sm.ssc()), "887022120C06C226");
        assert_eq!(
            hex::encode_upper(sm.k_enc()),
            "979EC13B1CBFE9DCD01AB0FED307EAE5"
        );
        assert_eq!(
            hex::encode_upper(sm.k_mac()),
            "F1CB1F1FB5ADF208806B89DC579DC1F8"
        );
    }

    /// The chip side answers the worked example's EXTERNAL AUTHENTICATE with the worked example's response.
    #[test]
    fn chip_side_worked_example() {
        let mut chip = ChipBac::new(&icao_key());
        assert_eq!(
            chip.challenge(&mut Scripted(h("4608F91988702212"))),
            *h("4608F91988702212").as_slice()
        );
        let (answer, sm) = chip
            .external_authenticate(
                &h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7"),
                &mut Scripted(h("0B4F80323EB3191CB04970CB4052790B")),
            )
            .unwrap();
        assert_eq!(
            hex::encode_upper(answer),
            "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449"
        );
        assert_eq!(
            hex::encode_upper(sm.k_enc()),
            "979EC13B1CBFE9DCD01AB0FED307EAE5"
        );
    }

    /// The chip accepted the cryptogram (9000), so the MRZ was right: an answer whose MAC does not verify,
    /// or of the wrong length, is named as what it is, never "access denied".
    #[test]
    fn a_bad_chip_answer_is_not_access_denied() {
        let command = "008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728";
        let good =
            "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449";
        // The last byte of the MAC flipped; then the MAC left out.
        let mut bad_mac = h(good);
        bad_mac[39] ^= 0x01;
        for (answer, what) in [
            (
                bad_mac,
                "the chip's response MAC in BAC mutual authentication did not verify",
            ),
            (h(&good[..64]), "is 32 bytes, expected 40"),
        ] {
            let mut response = answer;
            response.extend_from_slice(&[0x90, 0x00]);
            let mut channel = Script(vec![
                (h("0084000008"), h("4608F919887022129000")),
                (h(command), response),
            ]);
            let mut rng = Scripted(h("781723860C06C2260B795240CB7049B01C19B33E32804F0B"));
            let err = authenticate(&mut channel, &icao_key(), &mut rng).unwrap_err();
            assert!(!err.is_access_denied(), "{err}");
            assert!(err.to_string().contains(what), "{err}");
            assert!(err.to_string().starts_with(STEP_EXTERNAL_AUTH), "{err}");
        }
    }

    #[test]
    fn wrong_mrz_is_access_denied() {
        let mut channel = Script(vec![
            (h("0084000008"), h("4608F919887022129000")),
            (
                h(
                    "008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728",
                ),
                h("6300"),
            ),
        ]);
        let mut rng = Scripted(h("781723860C06C2260B795240CB7049B01C19B33E32804F0B"));
        let err = authenticate(&mut channel, &icao_key(), &mut rng).unwrap_err();
        assert!(err.is_access_denied(), "{err}");
        // And a chip-side refusal of a cryptogram made with another MRZ.
        let mut chip = ChipBac::new(&MrzKey::new("ZU3847562", "880314", "340313").unwrap());
        chip.challenge(&mut Scripted(h("4608F91988702212")));
        assert_eq!(
            chip.external_authenticate(
                &h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A7"),
                &mut Scripted(vec![0; 16])
            )
            .err(),
            Some(StatusWord::AUTH_FAILED)
        );
    }
}
