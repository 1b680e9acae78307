//! The card side of Terminal Authentication version 1 (BSI TR-03110-1 §3.5, TR-03110-3 §2.5–2.6 and
//! A.6; ICAO 9303-11 §7.1): trust points and EF.CVCA, certificate import with the chip's current date,
//! the terminal's signature, and the DG3/DG4 rights it grants.
//!
//! * **Trust points** are CVCA public keys, imported permanently (at personalisation, or from a valid CVCA
//!   link certificate). EF.CVCA lists the enabled ones, most recent first, at most two. A trust point whose
//!   expiration date is before the current date no longer verifies DV certificates, but still verifies
//!   link certificates.
//! * **The current date** (the chip has no clock) starts at the personalisation date and only moves
//!   forward: to the effective date of every accepted link certificate, DV certificate and terminal
//!   certificate issued by a domestic DV ("accurate"). Terminal certificates of foreign DVs do not move it.
//! * **PSO:Verify Certificate** checks the CAR against the key MSE:Set DST selected, the role order
//!   (CVCA → link or DV, DV → terminal), the terminal type (`id-IS`), the signature with the selecting
//!   key's algorithm and the trust point's domain parameters, and that the certificate (unless it is a link
//!   certificate) has not expired. DV and terminal keys are imported temporarily: only the most recent one
//!   can be selected, and a new session forgets it.
//! * **EXTERNAL AUTHENTICATE** verifies the signature over `ID_PICC ‖ r_PICC ‖ Comp(P̃K_PCD)` with the
//!   terminal key MSE:Set AT selected. Success grants the effective authorization: the AND of the trust
//!   point's, the DV's and the terminal's CHATs. One attempt per session.
//!
//! [`TaChip`] holds this state; the chip routes the commands to it (see `chip.rs`).

use icao9303::apdu::StatusWord;
use icao9303::auth::terminal::{CHALLENGE_LEN, verify_signature};
use icao9303::pki::cvc::{
    AccessRights, CertificateReference, Chat, CvCertificate, CvDate, CvPublicKey, Role,
    TerminalType, encode_ef_cvca,
};
use icao9303::tlv;
use rand_core::CryptoRng;

/// A CVCA public key the chip trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustPoint {
    /// The CVCA's CHR (what EF.CVCA lists and MSE:Set DST names).
    pub chr: CertificateReference,
    /// The CVCA key with its domain parameters.
    pub key: CvPublicKey,
    /// The CVCA's CHAT (part of every effective authorization under it).
    pub chat: Chat,
    /// The CVCA certificate's effective date.
    pub effective_date: CvDate,
    /// The CVCA certificate's expiration date.
    pub expiration_date: CvDate,
    /// Whether the trust point still verifies DV certificates (and is listed in EF.CVCA).
    pub enabled: bool,
}

impl TrustPoint {
    /// A trust point from a CVCA certificate (self-signed or link). Its key must carry domain parameters
    /// when it is an EC key.
    pub fn from_certificate(cvca: &CvCertificate) -> Result<TrustPoint, String> {
        Self::with_key(cvca, cvca.body.public_key.clone())
    }

    /// A trust point from a CVCA certificate and its key (for a link certificate without domain
    /// parameters: the key completed with the previous trust point's).
    fn with_key(cvca: &CvCertificate, key: CvPublicKey) -> Result<TrustPoint, String> {
        if cvca.role() != Role::Cvca {
            return Err(format!(
                "{} is a {} certificate, not a CVCA's",
                cvca.chr(),
                cvca.role().name()
            ));
        }
        if cvca.body.chat.terminal_type() != TerminalType::InspectionSystem {
            return Err(format!("{} is not an id-IS CVCA", cvca.chr()));
        }
        if key.algorithm.is_ecdsa() {
            key.curve().map_err(|e| format!("{}: {e}", cvca.chr()))?;
        }
        Ok(TrustPoint {
            chr: cvca.chr().clone(),
            key,
            chat: cvca.body.chat.clone(),
            effective_date: cvca.body.effective_date,
            expiration_date: cvca.body.expiration_date,
            enabled: true,
        })
    }
}

/// A DV or terminal key imported for the current session.
#[derive(Debug, Clone)]
struct TemporaryKey {
    chr: CertificateReference,
    key: CvPublicKey,
    role: Role,
    /// The AND of the CHATs from the trust point down to this key.
    authorization: Chat,
}

/// The key MSE:Set DST selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selected {
    TrustPoint(usize),
    Temporary,
}

/// What PSO:Verify Certificate did with a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Imported. `date_updated`: the certificate moved the current date (it was a link, DV or
    /// accurate terminal certificate with a later effective date).
    Accepted {
        /// The certificate's CHR.
        chr: CertificateReference,
        /// The role it was imported in.
        role: Role,
        /// Whether it counted as accurate (link, DV, or terminal of a domestic DV).
        accurate: bool,
    },
    /// Refused, with the reason.
    Rejected {
        /// The certificate's CHR, when it could be parsed.
        chr: Option<CertificateReference>,
        /// Why.
        reason: String,
    },
}

/// The progress of Terminal Authentication in the current session.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TaState {
    /// Not attempted yet.
    Pending,
    /// Succeeded with these rights.
    Done(AccessRights),
    /// Attempted and failed: no more attempts in this session.
    Failed,
}

/// The chip's Terminal Authentication state: permanent (trust points, current date) and per session.
#[derive(Debug, Clone)]
pub struct TaChip {
    trust_points: Vec<TrustPoint>,
    current_date: CvDate,
    selected: Option<Selected>,
    temporary: Option<TemporaryKey>,
    terminal: Option<TemporaryKey>,
    challenge: Option<[u8; CHALLENGE_LEN]>,
    state: TaState,
    last_import: Option<ImportOutcome>,
}

impl TaChip {
    /// A chip trusting `cvcas` (one or two CVCA certificates, in any order) with the current date
    /// `current_date` (the personalisation date).
    pub fn new(cvcas: &[CvCertificate], current_date: CvDate) -> Result<TaChip, String> {
        if cvcas.is_empty() || cvcas.len() > 2 {
            return Err(format!("{} trust points (1 or 2 expected)", cvcas.len()));
        }
        let mut trust_points = cvcas
            .iter()
            .map(TrustPoint::from_certificate)
            .collect::<Result<Vec<_>, _>>()?;
        trust_points.sort_by_key(|t| std::cmp::Reverse(t.effective_date));
        let mut chip = TaChip {
            trust_points,
            current_date,
            selected: None,
            temporary: None,
            terminal: None,
            challenge: None,
            state: TaState::Pending,
            last_import: None,
        };
        chip.maintain_trust_points();
        Ok(chip)
    }

    /// The content of EF.CVCA: the enabled trust points' CARs, most recent first.
    pub fn ef_cvca(&self) -> Vec<u8> {
        let cars: Vec<CertificateReference> = self
            .trust_points
            .iter()
            .filter(|t| t.enabled)
            .map(|t| t.chr.clone())
            .collect();
        encode_ef_cvca(&cars)
    }

    /// The chip's current date.
    pub fn current_date(&self) -> CvDate {
        self.current_date
    }

    /// The trust points, most recent first (disabled ones included).
    pub fn trust_points(&self) -> &[TrustPoint] {
        &self.trust_points
    }

    /// What the last PSO:Verify Certificate did.
    pub fn last_import(&self) -> Option<&ImportOutcome> {
        self.last_import.as_ref()
    }

    /// The DG3/DG4 rights Terminal Authentication granted in this session (`None` before success).
    pub fn rights(&self) -> Option<AccessRights> {
        match self.state {
            TaState::Done(rights) => Some(rights),
            _ => None,
        }
    }

    /// Whether data group `n` may be read in this session: DG3 and DG4 need the matching right.
    pub fn allows_dg(&self, n: u8) -> bool {
        match n {
            3 | 4 => self.rights().is_some_and(|r| r.allows_dg(n)),
            _ => true,
        }
    }

    /// Forgets everything volatile: a new secure messaging session begins (trust points and the current
    /// date stay).
    pub fn new_session(&mut self) {
        self.selected = None;
        self.temporary = None;
        self.terminal = None;
        self.challenge = None;
        self.state = TaState::Pending;
    }

    /// Advances the current date to `date` if it is later, then disables expired trust points and all
    /// but the two most recent (TR-03110-3 A.6.2.3; one atomic update).
    fn advance_date(&mut self, date: CvDate) {
        self.current_date = self.current_date.max(date);
        self.maintain_trust_points();
    }

    fn maintain_trust_points(&mut self) {
        let today = self.current_date;
        for t in &mut self.trust_points {
            if t.expiration_date < today {
                t.enabled = false;
            }
        }
        // Most recent first: every enabled trust point after the second is disabled.
        let mut enabled = 0;
        for t in &mut self.trust_points {
            if t.enabled {
                enabled += 1;
                if enabled > 2 {
                    t.enabled = false;
                }
            }
        }
    }

    /// MSE:Set DST (`00 22 81 B6 {83 CHR}`): selects a trust point or the temporarily imported key.
    pub fn mse_set_dst(&mut self, data: &[u8]) -> StatusWord {
        self.selected = None;
        let Some(chr) = key_reference(data) else {
            return StatusWord::WRONG_DATA;
        };
        if let Some(i) = self.trust_points.iter().position(|t| t.chr == chr) {
            self.selected = Some(Selected::TrustPoint(i));
            return StatusWord::OK;
        }
        if self.temporary.as_ref().is_some_and(|t| t.chr == chr) {
            self.selected = Some(Selected::Temporary);
            return StatusWord::OK;
        }
        StatusWord::DATA_NOT_FOUND
    }

    /// PSO:Verify Certificate (`00 2A 00 BE`, data = the value of `7F21`).
    pub fn pso_verify_certificate(&mut self, data: &[u8]) -> StatusWord {
        let outcome = self.import(data);
        let sw = match &outcome {
            ImportOutcome::Accepted { .. } => StatusWord::OK,
            ImportOutcome::Rejected { .. } => StatusWord::WRONG_DATA,
        };
        tracing::debug!(?outcome, date = %self.current_date, "emulator: PSO:Verify Certificate");
        self.last_import = Some(outcome);
        sw
    }

    fn import(&mut self, data: &[u8]) -> ImportOutcome {
        let reject = |chr: Option<&CertificateReference>, reason: String| ImportOutcome::Rejected {
            chr: chr.cloned(),
            reason,
        };
        let cert = match CvCertificate::parse_value(data) {
            Ok(c) => c,
            Err(e) => return reject(None, format!("malformed certificate: {e}")),
        };
        let chr = cert.chr();
        let Some(selected) = self.selected.take() else {
            return reject(Some(chr), "no key selected by MSE:Set DST".into());
        };
        // The verifying key: a trust point or the temporary key.
        let (issuer_chr, issuer_key, issuer_role, issuer_auth, tp_enabled) = match selected {
            Selected::TrustPoint(i) => match self.trust_points.get(i) {
                Some(t) => (
                    t.chr.clone(),
                    t.key.clone(),
                    Role::Cvca,
                    t.chat.clone(),
                    t.enabled,
                ),
                None => return reject(Some(chr), "selected trust point vanished".into()),
            },
            Selected::Temporary => match &self.temporary {
                Some(t) => (
                    t.chr.clone(),
                    t.key.clone(),
                    t.role,
                    t.authorization.clone(),
                    true,
                ),
                None => return reject(Some(chr), "no temporary key".into()),
            },
        };
        if cert.car() != &issuer_chr {
            return reject(
                Some(chr),
                format!("CAR {} is not the selected key {issuer_chr}", cert.car()),
            );
        }
        if cert.body.chat.terminal_type() != TerminalType::InspectionSystem {
            return reject(Some(chr), "terminal type is not id-IS".into());
        }
        let role = cert.role();
        let allowed = match issuer_role {
            Role::Cvca => role == Role::Cvca || role.is_dv(),
            Role::DvDomestic | Role::DvForeign => role == Role::Terminal,
            Role::Terminal => false,
        };
        if !allowed || (role == Role::Cvca && selected == Selected::Temporary) {
            return reject(
                Some(chr),
                format!(
                    "a {} certificate cannot be verified with the {} key {issuer_chr}",
                    role.name(),
                    issuer_role.name()
                ),
            );
        }
        if role.is_dv() && !tp_enabled {
            return reject(
                Some(chr),
                format!("trust point {issuer_chr} is disabled (expired) for DV verification"),
            );
        }
        if let Err(e) = cert.verify_signature(&issuer_key) {
            return reject(Some(chr), e.to_string());
        }
        if role != Role::Cvca && cert.is_expired_at(self.current_date) {
            return reject(
                Some(chr),
                format!(
                    "expired ({} < current date {})",
                    cert.body.expiration_date, self.current_date
                ),
            );
        }
        if role != Role::Cvca && cert.body.public_key.domain_parameters().is_some() {
            return reject(
                Some(chr),
                "DV and terminal certificates must not carry domain parameters".into(),
            );
        }
        let key = match cert.holder_key(&issuer_key) {
            Ok(k) => k,
            Err(e) => return reject(Some(chr), e.to_string()),
        };
        let Some(authorization) = issuer_auth.intersect(&cert.body.chat) else {
            return reject(Some(chr), "CHAT does not match the issuer's".into());
        };
        let accurate = match role {
            Role::Cvca => {
                if self.trust_points.iter().any(|t| &t.chr == chr) {
                    return reject(Some(chr), "a trust point with this CHR exists".into());
                }
                // The link certificate's own CHAT; its key is imported permanently.
                let tp = match TrustPoint::with_key(&cert, key) {
                    Ok(tp) => tp,
                    Err(e) => return reject(Some(chr), e),
                };
                self.trust_points.insert(0, tp);
                self.temporary = None;
                true
            }
            Role::DvDomestic | Role::DvForeign => {
                self.temporary = Some(TemporaryKey {
                    chr: chr.clone(),
                    key,
                    role,
                    authorization,
                });
                true
            }
            Role::Terminal => {
                self.temporary = Some(TemporaryKey {
                    chr: chr.clone(),
                    key,
                    role,
                    authorization,
                });
                issuer_role == Role::DvDomestic
            }
        };
        if accurate {
            self.advance_date(cert.body.effective_date);
        }
        ImportOutcome::Accepted {
            chr: chr.clone(),
            role,
            accurate,
        }
    }

    /// MSE:Set AT for Terminal Authentication (`00 22 81 A4 {83 CHR}`): selects the imported terminal key.
    pub fn mse_set_at(&mut self, data: &[u8]) -> StatusWord {
        self.terminal = None;
        if self.state != TaState::Pending {
            return StatusWord::CONDITIONS_NOT_SATISFIED;
        }
        let Some(chr) = key_reference(data) else {
            return StatusWord::WRONG_DATA;
        };
        match &self.temporary {
            Some(t) if t.chr == chr && t.role == Role::Terminal => {
                self.terminal = Some(t.clone());
                StatusWord::OK
            }
            _ => StatusWord::DATA_NOT_FOUND,
        }
    }

    /// GET CHALLENGE for Terminal Authentication: r_PICC.
    pub fn get_challenge<R: CryptoRng + ?Sized>(&mut self, rng: &mut R) -> [u8; CHALLENGE_LEN] {
        let mut r = [0u8; CHALLENGE_LEN];
        rng.fill_bytes(&mut r);
        self.challenge = Some(r);
        r
    }

    /// EXTERNAL AUTHENTICATE: verifies the terminal's `signature` over `ID_PICC ‖ r_PICC ‖ Comp(P̃K_PCD)`.
    /// 9000 grants the effective authorization; 6300 when the signature is wrong; 6985 out of order;
    /// 6982 after an attempt in this session.
    pub fn external_authenticate(
        &mut self,
        signature: &[u8],
        id_picc: &[u8],
        comp_pk_pcd: &[u8],
    ) -> StatusWord {
        if self.state != TaState::Pending {
            return StatusWord::SECURITY_STATUS_NOT_SATISFIED;
        }
        if self.terminal.is_none() || self.challenge.is_none() {
            return StatusWord::CONDITIONS_NOT_SATISFIED;
        }
        let (Some(terminal), Some(challenge)) = (self.terminal.take(), self.challenge.take())
        else {
            return StatusWord::CONDITIONS_NOT_SATISFIED;
        };
        match verify_signature(&terminal.key, id_picc, &challenge, comp_pk_pcd, signature) {
            Ok(()) => {
                let rights = terminal.authorization.access_rights();
                tracing::debug!(terminal = %terminal.chr, rights = rights.describe(), "emulator: Terminal Authentication succeeded");
                self.state = TaState::Done(rights);
                StatusWord::OK
            }
            Err(e) => {
                tracing::debug!(terminal = %terminal.chr, error = %e, "emulator: Terminal Authentication failed");
                self.state = TaState::Failed;
                StatusWord::AUTH_FAILED
            }
        }
    }
}

/// The CHR in a `83` key reference (the only data object of MSE:Set DST / Set AT in TA v1).
fn key_reference(data: &[u8]) -> Option<CertificateReference> {
    let t = tlv::parse_exact(data, 0x83).ok()?;
    CertificateReference::from_bytes("key reference", t.value).ok()
}
