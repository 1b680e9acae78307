//! The service's secrets: the master key (per-tenant fingerprint and sealing keys are derived from it) and
//! the receipt signing key. Both come from files named in the configuration; a single node without them
//! gets new ones in its data directory (created 0600) on first start.
//!
//! Per tenant, HKDF-SHA-256 over the master key gives an HMAC-SHA-256 key for the keyed fingerprints (a
//! plain hash of MRZ data can be brute forced: document numbers and dates are few) and an AES-256-GCM key
//! that seals the holder's name and document number for tenants that opted in.

use std::path::Path;

use anyhow::{Context, anyhow};
use base64ct::Encoding;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{aead, hkdf, hmac};
use zeroize::Zeroizing;

use crate::receipt::ReceiptSigner;

/// Length of the master key in bytes.
const MASTER_LEN: usize = 32;
/// HKDF salt: names the scheme, so a key reused elsewhere derives other keys.
const HKDF_SALT: &[u8] = b"mrtd-serve v1";

/// The master key and the receipt key of an installation.
pub struct Secrets {
    prk: hkdf::Prk,
    key_id: String,
    /// Signs the receipts.
    pub receipt: ReceiptSigner,
}

/// `n` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| anyhow!("the system random number generator failed"))?;
    Ok(out)
}

/// A new random id: 128 bits, lowercase hex.
pub fn new_id() -> anyhow::Result<String> {
    Ok(hex::encode(random_bytes::<16>()?))
}

/// Writes `bytes` to a new file readable by the owner only; never over an existing file or through a
/// symbolic link.
pub fn write_private_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

/// Reads a key file of at most 64 KiB.
fn read_key_file(path: &Path) -> anyhow::Result<Zeroizing<Vec<u8>>> {
    use std::io::Read;
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(64 * 1024 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() > 64 * 1024 {
        return Err(anyhow!("{}: too large for a key file", path.display()));
    }
    Ok(bytes)
}

impl Secrets {
    /// Loads the master key (64 hex digits) and the receipt key (Ed25519, PKCS#8 PEM). A path that does
    /// not exist is created with a new key when `create` is set (a single node's data directory), else it
    /// is an error.
    pub fn load(master: &Path, receipt: &Path, create: bool) -> anyhow::Result<Secrets> {
        if !master.exists() && create {
            let key = Zeroizing::new(random_bytes::<MASTER_LEN>()?);
            let text = Zeroizing::new(format!("{}\n", hex::encode(*key)));
            write_private_new(master, text.as_bytes())?;
        }
        if !receipt.exists() && create {
            let (_, pem) = ReceiptSigner::generate()?;
            write_private_new(receipt, pem.as_bytes())?;
        }
        let text = read_key_file(master)?;
        let hex_text = std::str::from_utf8(&text)
            .map_err(|_| anyhow!("{}: not 64 hexadecimal digits", master.display()))?
            .trim();
        let mut key = Zeroizing::new([0u8; MASTER_LEN]);
        hex::decode_to_slice(hex_text, &mut key[..])
            .map_err(|_| anyhow!("{}: not 64 hexadecimal digits", master.display()))?;
        let pem = read_key_file(receipt)?;
        let receipt = ReceiptSigner::from_pkcs8_pem(&pem)
            .with_context(|| format!("{}: receipt key", receipt.display()))?;
        Ok(Secrets::from_parts(&key, receipt))
    }

    /// Secrets from a master key and a receipt signer.
    pub fn from_parts(master: &[u8; MASTER_LEN], receipt: ReceiptSigner) -> Secrets {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, HKDF_SALT).extract(master);
        let check = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, master),
            b"mrtd-serve key id",
        );
        Secrets {
            prk,
            key_id: hex::encode(&check.as_ref()[..16]),
            receipt,
        }
    }

    /// An identifier of the master key (an HMAC of a constant under it), kept in the database so that a
    /// replica started with another key refuses to run rather than write fingerprints nobody can match.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The keys of one tenant.
    pub fn tenant(&self, tenant_id: &str) -> TenantKeys {
        let fingerprint: hmac::Key = self
            .prk
            .expand(&[b"fingerprint\0", tenant_id.as_bytes()], hmac::HMAC_SHA256)
            .map(hmac::Key::from)
            .unwrap_or_else(|_| hmac::Key::new(hmac::HMAC_SHA256, &[]));
        let holder = self
            .prk
            .expand(&[b"holder\0", tenant_id.as_bytes()], &aead::AES_256_GCM)
            .map(|okm| aead::LessSafeKey::new(aead::UnboundKey::from(okm)));
        TenantKeys {
            fingerprint,
            holder: holder.ok(),
        }
    }
}

/// The derived keys of one tenant.
pub struct TenantKeys {
    fingerprint: hmac::Key,
    holder: Option<aead::LessSafeKey>,
}

/// The fields of the MRZ that identify a document, as the fingerprint takes them: the document number
/// without fillers, upper case; the dates of birth and expiry as YYMMDD.
fn document_identity(number: &str, birth: &str, expiry: &str) -> String {
    let number: String = number
        .chars()
        .filter(|c| *c != '<' && !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    format!("{number}\0{}\0{}", birth.trim(), expiry.trim())
}

impl TenantKeys {
    fn mac(&self, domain: &[u8], data: &[u8]) -> String {
        let mut ctx = hmac::Context::with_key(&self.fingerprint);
        ctx.update(domain);
        ctx.update(data);
        hex::encode(ctx.sign().as_ref())
    }

    /// The keyed fingerprint of an EF.SOD: HMAC-SHA-256 over its bytes (the same EF.SOD, the same chip).
    pub fn sod_fingerprint(&self, sod: &[u8]) -> String {
        self.mac(b"EF.SOD\0", sod)
    }

    /// The keyed fingerprint of a document from DG1's MRZ: HMAC-SHA-256 over the document number, the date
    /// of birth and the date of expiry (what BAC keys on). A caller who knows these finds the document's
    /// history without the service keeping them.
    pub fn document_fingerprint(&self, number: &str, birth: &str, expiry: &str) -> String {
        self.mac(
            b"DG1\0",
            document_identity(number, birth, expiry).as_bytes(),
        )
    }

    /// Seals `plaintext` (AES-256-GCM, random nonce) bound to `aad` (the check and tenant ids): base64 of
    /// nonce, ciphertext and tag.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> anyhow::Result<String> {
        let key = self
            .holder
            .as_ref()
            .ok_or_else(|| anyhow!("no sealing key"))?;
        let nonce = random_bytes::<{ aead::NONCE_LEN }>()?;
        let mut data = Zeroizing::new(plaintext.to_vec());
        key.seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut *data,
        )
        .map_err(|_| anyhow!("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        Ok(base64ct::Base64::encode_string(&out))
    }

    /// Opens what [`TenantKeys::seal`] sealed with the same `aad`.
    pub fn open(&self, sealed: &str, aad: &[u8]) -> anyhow::Result<Zeroizing<Vec<u8>>> {
        let key = self
            .holder
            .as_ref()
            .ok_or_else(|| anyhow!("no sealing key"))?;
        let bytes = base64ct::Base64::decode_vec(sealed).map_err(|_| anyhow!("sealed data"))?;
        if bytes.len() < aead::NONCE_LEN + aead::AES_256_GCM.tag_len() {
            return Err(anyhow!("sealed data too short"));
        }
        let (nonce, rest) = bytes.split_at(aead::NONCE_LEN);
        let nonce = aead::Nonce::try_assume_unique_for_key(nonce).map_err(|_| anyhow!("nonce"))?;
        let mut data = Zeroizing::new(rest.to_vec());
        let plain = key
            .open_in_place(nonce, aead::Aad::from(aad), &mut data)
            .map_err(|_| anyhow!("sealed data does not open with this key"))?;
        Ok(Zeroizing::new(plain.to_vec()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn secrets(byte: u8) -> Secrets {
        let (signer, _) = ReceiptSigner::generate().unwrap();
        Secrets::from_parts(&[byte; 32], signer)
    }

    #[test]
    fn fingerprints_are_per_tenant_and_per_master_key() {
        let s = secrets(1);
        let a = s.tenant("a");
        let b = s.tenant("b");
        let fa = a.document_fingerprint("ZU3847562", "880314", "340313");
        assert_eq!(fa, a.document_fingerprint("zu3847562<", "880314", "340313"));
        assert_ne!(fa, b.document_fingerprint("ZU3847562", "880314", "340313"));
        assert_ne!(
            fa,
            secrets(2)
                .tenant("a")
                .document_fingerprint("ZU3847562", "880314", "340313")
        );
        assert_ne!(fa, a.document_fingerprint("ZU3847562", "880314", "340314"));
        assert_ne!(a.sod_fingerprint(b"x"), b.sod_fingerprint(b"x"));
        assert_ne!(s.key_id(), secrets(2).key_id());
    }

    #[test]
    fn sealed_data_opens_only_with_its_key_and_binding() {
        let s = secrets(1);
        let a = s.tenant("a");
        let sealed = a.seal(b"SMITH<<JOHN", b"check-1").unwrap();
        assert_eq!(&*a.open(&sealed, b"check-1").unwrap(), b"SMITH<<JOHN");
        assert!(a.open(&sealed, b"check-2").is_err());
        assert!(s.tenant("b").open(&sealed, b"check-1").is_err());
        let mut bytes = base64ct::Base64::decode_vec(&sealed).unwrap();
        bytes[20] ^= 1;
        assert!(
            a.open(&base64ct::Base64::encode_string(&bytes), b"check-1")
                .is_err()
        );
    }
}
