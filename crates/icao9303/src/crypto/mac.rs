//! Message authentication codes of ICAO 9303-11: the ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC") with
//! 3DES, and AES-CMAC; both give 8 bytes.
//!
//! The input is taken as given: secure messaging pads before MACing, PACE authentication tokens do not
//! (for AES). Verification compares in constant time.

use super::CryptoError;
use super::cipher::CipherAlgorithm;
use aes::{Aes128, Aes192, Aes256};
use cmac::{Cmac, Mac};
use des::Des;
use retail_mac::RetailMac;
use subtle::ConstantTimeEq;

/// Length of every MAC and authentication token in ICAO 9303 secure messaging.
pub const MAC_LEN: usize = 8;

fn mac_with<M: Mac + cmac::digest::KeyInit>(
    key: &[u8],
    data: &[u8],
) -> Result<[u8; MAC_LEN], CryptoError> {
    let mut m = <M as cmac::digest::KeyInit>::new_from_slice(key)
        .map_err(|_| CryptoError::InvalidKeyLength)?;
    m.update(data);
    let full = m.finalize().into_bytes();
    let mut out = [0u8; MAC_LEN];
    out.copy_from_slice(&full[..MAC_LEN]);
    Ok(out)
}

/// The 8-byte MAC of `data` under `key`: retail MAC for 3DES (data must already be padded to 8 bytes),
/// AES-CMAC truncated to 8 bytes for AES.
pub fn mac(alg: CipherAlgorithm, key: &[u8], data: &[u8]) -> Result<[u8; MAC_LEN], CryptoError> {
    match alg {
        CipherAlgorithm::Tdes => {
            if !data.len().is_multiple_of(8) {
                return Err(CryptoError::NotBlockAligned);
            }
            mac_with::<RetailMac<Des>>(key, data)
        }
        CipherAlgorithm::Aes128 => mac_with::<Cmac<Aes128>>(key, data),
        CipherAlgorithm::Aes192 => mac_with::<Cmac<Aes192>>(key, data),
        CipherAlgorithm::Aes256 => mac_with::<Cmac<Aes256>>(key, data),
    }
}

/// Checks an 8-byte MAC in constant time.
pub fn verify(
    alg: CipherAlgorithm,
    key: &[u8],
    data: &[u8],
    expected: &[u8],
) -> Result<bool, CryptoError> {
    let computed = mac(alg, key, data)?;
    Ok(expected.len() == MAC_LEN && bool::from(computed.ct_eq(expected)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::padding::pad;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn bac_worked_example_mifd() {
        let k_mac = h("7962D9ECE03D1ACD4C76089DCE131543");
        let eifd = h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2");
        let m = mac(CipherAlgorithm::Tdes, &k_mac, &pad(&eifd, 8)).unwrap();
        assert_eq!(hex::encode_upper(m), "5F1448EEA8AD90A7");
        assert!(verify(CipherAlgorithm::Tdes, &k_mac, &pad(&eifd, 8), &m).unwrap());
        let mut bad = m;
        bad[7] ^= 1;
        assert!(!verify(CipherAlgorithm::Tdes, &k_mac, &pad(&eifd, 8), &bad).unwrap());
        assert!(!verify(CipherAlgorithm::Tdes, &k_mac, &pad(&eifd, 8), &m[..7]).unwrap());
    }

    #[test]
    fn pace_token_cmac() {
        // ICAO 9303-11 PACE GM worked example: T_IFD = CMAC(KSmac, 7F49 {OID, PK_IC})[0..8].
        let ks_mac = h("FE251C7858B356B24514B3BD5F4297D1");
        let input = h(
            "7F494F060A04007F000702020402028641049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094",
        );
        assert_eq!(
            hex::encode_upper(mac(CipherAlgorithm::Aes128, &ks_mac, &input).unwrap()),
            "C2B0BD78D94BA866"
        );
    }
}
