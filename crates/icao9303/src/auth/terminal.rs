//! Terminal Authentication version 1 (BSI TR-03110-1 §3.5, ICAO 9303-11 §7.1): the terminal proves to the
//! chip that it holds the private key of an inspection-system certificate the chip's trust point (CVCA)
//! vouches for, and so gains the read rights for DG3 (fingerprints) and DG4 (iris) its certificate chain
//! grants.
//!
//! It runs after Chip Authentication, inside the secure messaging session CA established:
//!
//! 1. for every certificate of the chain (link certificates, the DV, the terminal):
//!    MSE:Set DST `00 22 81 B6 {83 CAR}` and PSO:Verify Certificate `00 2A 00 BE <value of 7F21>`;
//! 2. MSE:Set AT `00 22 81 A4 {83 CHR of the terminal}`;
//! 3. GET CHALLENGE `00 84 00 00 08` → r_PICC;
//! 4. EXTERNAL AUTHENTICATE `00 82 00 00 <signature>` with the signature over
//!    `ID_PICC ‖ r_PICC ‖ Comp(P̃K_PCD)`.
//!
//! ID_PICC is the document number with its check digit under BAC ([`id_picc_bac`]), or Comp of the chip's
//! ephemeral PACE key after PACE ([`comp`]). P̃K_PCD is the terminal's ephemeral Chip Authentication key.
//! Comp() of an EC point is its x-coordinate at the full field length; of a DH value, its SHA-1.
//!
//! The private key stays behind [`TerminalSigner`]: a PKCS#8 file
//! ([`CvPrivateKey`](crate::pki::cvc::private_key::CvPrivateKey)), a hardware module or a remote signer.
//! [`authenticate`] runs the exchange over any [`Channel`] that protects commands.

use crate::apdu::{CommandApdu, StatusWord};
use crate::channel::Channel;
use crate::crypto::domain::DomainParameters;
use crate::crypto::hash::HashAlgorithm;
use crate::mrz::MrzKey;
use crate::pki::cvc::{
    AccessRights, CertificateReference, Chat, CvCertificate, CvPublicKey, Role, TaAlgorithm,
};
use crate::tlv;
use rand_core::CryptoRng;
use thiserror::Error;

/// Step name of MSE:Set DST.
pub const STEP_SET_DST: &str = "Terminal Authentication: MSE:Set DST";
/// Step name of PSO:Verify Certificate.
pub const STEP_VERIFY_CERTIFICATE: &str = "Terminal Authentication: PSO:Verify Certificate";
/// Step name of MSE:Set AT.
pub const STEP_SET_AT: &str = "Terminal Authentication: MSE:Set AT";
/// Step name of GET CHALLENGE.
pub const STEP_GET_CHALLENGE: &str = "Terminal Authentication: GET CHALLENGE";
/// Step name of EXTERNAL AUTHENTICATE.
pub const STEP_EXTERNAL_AUTHENTICATE: &str = "Terminal Authentication: EXTERNAL AUTHENTICATE";

/// Length of the chip's challenge r_PICC.
pub const CHALLENGE_LEN: usize = 8;

/// A signer failed (the key, the hardware module or the remote service).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("terminal signer: {0}")]
pub struct SignerError(pub String);

/// Whatever holds the terminal's private key: signs the Terminal Authentication data (and, for issuers,
/// certificate bodies) with the algorithm of the holder's certificate.
pub trait TerminalSigner {
    /// The algorithm the signatures are made with: the OID of the holder certificate's public key.
    fn algorithm(&self) -> TaAlgorithm;

    /// Signs `message` (the signer hashes it) and returns the signature as it goes on the wire: plain
    /// `r ‖ s` for ECDSA (each half the length of the group order), the k-byte integer for RSA. `rng`
    /// supplies randomness where the scheme needs it (RSA-PSS salt, blinding).
    fn sign(&self, message: &[u8], rng: &mut dyn CryptoRng) -> Result<Vec<u8>, SignerError>;
}

/// Why Terminal Authentication failed.
#[derive(Debug, Error)]
pub enum TaError {
    /// The chip refused a step; `object` names what it refused (a certificate's CHR, a key reference).
    #[error("{step} ({object}): chip answered {sw}")]
    Refused {
        /// The protocol step.
        step: &'static str,
        /// The certificate or key reference concerned.
        object: String,
        /// The chip's status word.
        sw: StatusWord,
    },
    /// The chip's answer is malformed.
    #[error("{step}: {what}")]
    Protocol {
        /// The protocol step.
        step: &'static str,
        /// What was wrong.
        what: String,
    },
    /// The certificates do not form a chain that can be sent.
    #[error("terminal certificate chain: {0}")]
    Chain(String),
    /// The signer failed.
    #[error(transparent)]
    Signer(#[from] SignerError),
    /// The link or secure messaging failed.
    #[error(transparent)]
    Channel(#[from] crate::Error),
}

/// ID_PICC under BAC (and the static binding of PACE with the MRZ): the document number as it stands in
/// the MRZ field, `<` fillers included (padded to nine characters), followed by its check digit, in ASCII.
///
/// This follows the wording "the Document Number as contained in the MRZ including the check digit"
/// (TR-03110-1 §3.5, ICAO 9303-11 §7.1.2) and equals the start of `MRZ_information`; for the usual
/// nine-character numbers every reading agrees. [`id_picc_bac_without_fillers`] gives the reading some
/// implementations use for shorter numbers.
pub fn id_picc_bac(key: &MrzKey) -> Vec<u8> {
    let info = key.mrz_information();
    let len = key.document_number().len().max(9) + 1;
    info.get(..len).map(<[u8]>::to_vec).unwrap_or_default()
}

/// ID_PICC under BAC with the `<` fillers of a short document number left out (the number and its check
/// digit only), as JMRTD builds it. A terminal may retry with it in a new session when the chip refuses
/// the signature over [`id_picc_bac`] and the document number is shorter than nine characters.
pub fn id_picc_bac_without_fillers(key: &MrzKey) -> Vec<u8> {
    let mut out = key.document_number().as_bytes().to_vec();
    let full = id_picc_bac(key);
    out.extend(full.last());
    out
}

/// Comp() of a public key (TR-03110-3 A.2.2.3): the x-coordinate of an EC point at the full field
/// length, or the SHA-1 of a DH public value. Used for Comp(P̃K_PCD) and, after PACE, for ID_PICC =
/// Comp(P̃K_PICC) (the chip's ephemeral PACE key).
pub fn comp(domain: &DomainParameters, public_key: &[u8]) -> Result<Vec<u8>, String> {
    match domain {
        DomainParameters::Ec(curve) => {
            let fs = curve.field_size();
            if public_key.len() != 1 + 2 * fs || public_key.first() != Some(&0x04) {
                return Err(format!(
                    "Comp(): {} bytes is not an uncompressed point on {}",
                    public_key.len(),
                    curve.name()
                ));
            }
            Ok(public_key[1..=fs].to_vec())
        }
        DomainParameters::Dh(_) => Ok(HashAlgorithm::Sha1.digest(public_key)),
    }
}

/// The data the terminal signs in TA version 1: `ID_PICC ‖ r_PICC ‖ Comp(P̃K_PCD)`.
pub fn signed_data(id_picc: &[u8], r_picc: &[u8], comp_pk_pcd: &[u8]) -> Vec<u8> {
    [id_picc, r_picc, comp_pk_pcd].concat()
}

/// MSE:Set DST: selects the public key (by its CHR, the next certificate's CAR) that verifies the next
/// certificate.
pub fn mse_set_dst(car: &CertificateReference) -> CommandApdu {
    CommandApdu::new(0x00, 0x22, 0x81, 0xB6).with_data(tlv::encode(0x83, &car.to_bytes()))
}

/// PSO:Verify Certificate: the certificate body and signature (the value of `7F21`). Certificates with
/// domain parameters need extended length once protected.
pub fn pso_verify_certificate(certificate: &CvCertificate) -> CommandApdu {
    CommandApdu::new(0x00, 0x2A, 0x00, 0xBE).with_data(certificate.pso_data())
}

/// MSE:Set AT for Terminal Authentication version 1: only the terminal certificate's CHR (`83`).
pub fn mse_set_at(chr: &CertificateReference) -> CommandApdu {
    CommandApdu::new(0x00, 0x22, 0x81, 0xA4).with_data(tlv::encode(0x83, &chr.to_bytes()))
}

/// GET CHALLENGE for r_PICC (Le = 8).
pub fn get_challenge() -> CommandApdu {
    CommandApdu::new(0x00, 0x84, 0x00, 0x00).with_le(CHALLENGE_LEN)
}

/// EXTERNAL AUTHENTICATE with the bare signature (no TLV, no Le).
pub fn external_authenticate(signature: &[u8]) -> CommandApdu {
    CommandApdu::new(0x00, 0x82, 0x00, 0x00).with_data(signature)
}

/// The chip side of the last step: whether `signature` is the terminal's signature over
/// `ID_PICC ‖ r_PICC ‖ Comp(P̃K_PCD)` under `terminal_key` (with the CVCA's domain parameters for EC).
pub fn verify_signature(
    terminal_key: &CvPublicKey,
    id_picc: &[u8],
    r_picc: &[u8],
    comp_pk_pcd: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    terminal_key.verify(&signed_data(id_picc, r_picc, comp_pk_pcd), signature)
}

/// What a completed Terminal Authentication established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaOutcome {
    /// The CHR of the terminal certificate the chip accepted.
    pub terminal: CertificateReference,
    /// The certificates sent, in order.
    pub sent: Vec<CertificateReference>,
    /// The AND of the sent certificates' CHATs. The chip also ANDs its trust point's CHAT, so its
    /// effective rights can only be narrower: this is the most the terminal may expect.
    pub requested: Option<Chat>,
}

impl TaOutcome {
    /// The DG3/DG4 read rights the sent chain asks for at most.
    pub fn requested_rights(&self) -> AccessRights {
        self.requested
            .as_ref()
            .map(Chat::access_rights)
            .unwrap_or_default()
    }
}

fn expect_ok(
    channel: &mut dyn Channel,
    step: &'static str,
    object: &dyn std::fmt::Display,
    command: &CommandApdu,
) -> Result<Vec<u8>, TaError> {
    let resp = channel.exchange(step, command)?;
    if resp.sw != StatusWord::OK {
        return Err(TaError::Refused {
            step,
            object: object.to_string(),
            sw: resp.sw,
        });
    }
    Ok(resp.data)
}

/// Runs Terminal Authentication version 1 over `channel` (which protects the commands with the secure
/// messaging session Chip Authentication established).
///
/// `chain` is what the chip must import, in order: CVCA link certificates (if the chip's trust point is
/// older than the DV's CVCA), the DV certificate, the terminal certificate — see
/// [`chain::select_chain`](crate::pki::cvc::chain::select_chain). `id_picc` is [`id_picc_bac`] or, after
/// PACE, [`comp`] of the chip's ephemeral PACE key; `comp_pk_pcd` is [`comp`] of the terminal's ephemeral
/// Chip Authentication key. `signer` must hold the terminal certificate's private key.
///
/// A refused certificate names its CHR and the status word. After a failure the secure messaging session
/// stays usable (TR-03110-1 §3.5.2), but the chip allows only one Terminal Authentication per session.
pub fn authenticate(
    channel: &mut dyn Channel,
    chain: &[CvCertificate],
    signer: &dyn TerminalSigner,
    id_picc: &[u8],
    comp_pk_pcd: &[u8],
    rng: &mut dyn CryptoRng,
) -> Result<TaOutcome, TaError> {
    let terminal = chain
        .last()
        .ok_or_else(|| TaError::Chain("no certificates".into()))?;
    if terminal.role() != Role::Terminal {
        return Err(TaError::Chain(format!(
            "the last certificate, {}, is a {} certificate, not a terminal's",
            terminal.chr(),
            terminal.role().name()
        )));
    }
    if signer.algorithm() != terminal.body.public_key.algorithm {
        return Err(TaError::Chain(format!(
            "the signer signs with {}, terminal certificate {} names {}",
            signer.algorithm(),
            terminal.chr(),
            terminal.body.public_key.algorithm
        )));
    }
    for pair in chain.windows(2) {
        if let [issuer, cert] = pair
            && cert.car() != issuer.chr()
        {
            return Err(TaError::Chain(format!(
                "certificate {} names CAR {}, but follows {}",
                cert.chr(),
                cert.car(),
                issuer.chr()
            )));
        }
    }
    let mut requested: Option<Chat> = None;
    for cert in chain {
        expect_ok(channel, STEP_SET_DST, cert.car(), &mse_set_dst(cert.car()))?;
        expect_ok(
            channel,
            STEP_VERIFY_CERTIFICATE,
            cert.chr(),
            &pso_verify_certificate(cert),
        )?;
        requested = Some(match requested {
            None => cert.body.chat.clone(),
            Some(r) => r.intersect(&cert.body.chat).ok_or_else(|| {
                TaError::Chain(format!(
                    "certificate {} has another terminal type than its issuer",
                    cert.chr()
                ))
            })?,
        });
    }
    expect_ok(
        channel,
        STEP_SET_AT,
        terminal.chr(),
        &mse_set_at(terminal.chr()),
    )?;
    let r_picc = expect_ok(
        channel,
        STEP_GET_CHALLENGE,
        terminal.chr(),
        &get_challenge(),
    )?;
    if r_picc.len() != CHALLENGE_LEN {
        return Err(TaError::Protocol {
            step: STEP_GET_CHALLENGE,
            what: format!(
                "challenge of {} bytes ({CHALLENGE_LEN} expected)",
                r_picc.len()
            ),
        });
    }
    let signature = signer.sign(&signed_data(id_picc, &r_picc, comp_pk_pcd), rng)?;
    expect_ok(
        channel,
        STEP_EXTERNAL_AUTHENTICATE,
        &format!("signature of {}", terminal.chr()),
        &external_authenticate(&signature),
    )?;
    Ok(TaOutcome {
        terminal: terminal.chr().clone(),
        sent: chain.iter().map(|c| c.chr().clone()).collect(),
        requested,
    })
}

/// An inspection system's credentials for Terminal Authentication: the certificates it may send and
/// whatever holds its terminal certificate's private key. Given to a read in
/// [`ReaderOptions::terminal`](crate::options::ReaderOptions::terminal).
#[derive(Clone)]
pub struct TerminalCredentials {
    /// The terminal certificate, its DV certificate and, when needed, CVCA link certificates (in any
    /// order; a self-signed CVCA certificate may be among them and is never sent). The chain sent is the
    /// one that starts at a trust point the chip lists in EF.CVCA ([`chain::select_chain`]).
    ///
    /// [`chain::select_chain`]: crate::pki::cvc::chain::select_chain
    pub certificates: Vec<CvCertificate>,
    /// Signs with the terminal certificate's private key (a PKCS#8 file, a hardware module, a remote
    /// signer).
    pub signer: std::sync::Arc<dyn TerminalSigner + Send + Sync>,
}

impl std::fmt::Debug for TerminalCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TerminalCredentials")
            .field(
                "certificates",
                &self
                    .certificates
                    .iter()
                    .map(|c| c.chr().to_string())
                    .collect::<Vec<_>>(),
            )
            .field("signer", &self.signer.algorithm())
            .finish()
    }
}

impl TerminalCredentials {
    /// The terminal certificate among the credentials, if there is exactly one.
    pub fn terminal(&self) -> Option<&CvCertificate> {
        let mut terminals = self
            .certificates
            .iter()
            .filter(|c| c.role() == Role::Terminal);
        match (terminals.next(), terminals.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }
}

/// Why Terminal Authentication was not started although the read had credentials for it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TaSkipped {
    /// EF.CVCA is absent or cannot be parsed: the chip names no trust point.
    #[error("EF.CVCA: {0}")]
    Cvca(String),
    /// None of the credentials' chains starts at one of the chip's trust points.
    #[error(transparent)]
    NoChain(#[from] crate::pki::cvc::chain::ChainError),
}

/// The chain among `credentials` that starts at one of the trust points EF.CVCA (`ef_cvca`, its
/// content) lists, in sending order.
pub fn chain_for_chip(
    credentials: &TerminalCredentials,
    ef_cvca: &[u8],
) -> Result<Vec<CvCertificate>, TaSkipped> {
    let trust_points =
        crate::pki::cvc::parse_ef_cvca(ef_cvca).map_err(|e| TaSkipped::Cvca(e.to_string()))?;
    if trust_points.is_empty() {
        return Err(TaSkipped::Cvca("lists no trust point".into()));
    }
    let chain =
        crate::pki::cvc::chain::select_chain(&trust_points, &credentials.certificates, None)?;
    Ok(chain.into_iter().cloned().collect())
}
