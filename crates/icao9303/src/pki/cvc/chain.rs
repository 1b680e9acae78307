//! CV certificate chains of Terminal Authentication (TR-03110-3 §2.3–2.6, A.6; ICAO 9303-11 §7.1.4):
//! which certificates a terminal sends, and whether a chip will accept them.
//!
//! A chain runs from one of the chip's trust points (a CVCA public key, listed by CAR in EF.CVCA) through
//! zero or more CVCA link certificates (each signed by the previous CVCA key), one DV certificate and one
//! terminal (inspection system) certificate. [`select_chain`] finds that path among a terminal's
//! certificates; [`verify_chain`] checks it the way the chip will: issuer references, signatures with
//! the issuer's algorithm and the CVCA's domain parameters, the order of roles, the terminal type
//! (`id-IS`), the dates against a current date that advances as the chip's does, and the effective
//! authorization (the AND of the trust point's, the DV's and the terminal's CHATs).

use super::{
    AccessRights, CertificateReference, Chat, CvCertificate, CvDate, CvPublicKey, CvcError, Role,
    TerminalType,
};
use thiserror::Error;

/// Why a chain cannot be built or would be refused; every variant names the certificate concerned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChainError {
    /// No terminal certificate among the certificates given.
    #[error("no terminal (inspection system) certificate among the certificates")]
    NoTerminal,
    /// Several terminal certificates and none chosen.
    #[error("several terminal certificates ({0}); choose one")]
    SeveralTerminals(String),
    /// The chain cannot be completed up to one of the chip's trust points.
    #[error(
        "no certificate path from {certificate} to the chip's trust points ({trust_points}): missing the certificate of {car}"
    )]
    NoPath {
        /// The certificate whose issuer is missing.
        certificate: String,
        /// Its CAR: the issuer that is missing.
        car: String,
        /// The trust points the chip named.
        trust_points: String,
    },
    /// A certificate's CAR is not its predecessor's CHR.
    #[error("certificate {certificate} names CAR {car}, but follows {previous}")]
    WrongIssuer {
        /// The certificate.
        certificate: String,
        /// Its CAR.
        car: String,
        /// The CHR of the key before it.
        previous: String,
    },
    /// A certificate has the wrong role for its place in the chain.
    #[error("certificate {certificate} has the role {role}, {expected} expected")]
    Role {
        /// The certificate.
        certificate: String,
        /// Its role.
        role: &'static str,
        /// What belongs at its place.
        expected: &'static str,
    },
    /// A certificate's CHAT is not of the inspection-system type (`id-IS`) of Terminal Authentication v1.
    #[error("certificate {certificate} has terminal type {terminal_type}, id-IS expected")]
    TerminalType {
        /// The certificate.
        certificate: String,
        /// Its terminal type.
        terminal_type: &'static str,
    },
    /// A DV or terminal certificate carries EC domain parameters (only CVCA certificates may).
    #[error("certificate {0} carries EC domain parameters; DV and terminal certificates must not")]
    DomainParameters(String),
    /// A signature does not verify, or a key cannot be used.
    #[error("certificate {certificate}: {what}")]
    Signature {
        /// The certificate.
        certificate: String,
        /// What went wrong.
        what: String,
    },
    /// A DV or terminal certificate has expired at the current date.
    #[error("certificate {certificate} expired on {expiration} (current date {date})")]
    Expired {
        /// The certificate.
        certificate: String,
        /// Its expiration date.
        expiration: CvDate,
        /// The current date it was checked at.
        date: CvDate,
    },
    /// The CVCA key that signed a DV certificate has expired: the chip no longer uses it for DVs.
    #[error(
        "trust point {trust_point} expired on {expiration} (current date {date}); it no longer verifies DV certificates"
    )]
    TrustPointExpired {
        /// The CVCA.
        trust_point: String,
        /// Its expiration date.
        expiration: CvDate,
        /// The current date.
        date: CvDate,
    },
}

fn signature_error(cert: &CvCertificate, e: CvcError) -> ChainError {
    ChainError::Signature {
        certificate: cert.chr().to_string(),
        what: match e {
            CvcError::Signature { what, .. } => what,
            other => other.to_string(),
        },
    }
}

/// The certificates to send to a chip whose EF.CVCA lists `trust_points`: the path from the terminal
/// certificate (the one with CHR `terminal`, or the only terminal certificate) up to a certificate whose
/// CAR is a trust point, returned in sending order (link certificates, DV, terminal). Self-signed CVCA
/// certificates are never part of it.
pub fn select_chain<'a>(
    trust_points: &[CertificateReference],
    certificates: &'a [CvCertificate],
    terminal: Option<&CertificateReference>,
) -> Result<Vec<&'a CvCertificate>, ChainError> {
    let start = match terminal {
        Some(chr) => certificates
            .iter()
            .find(|c| c.chr() == chr && c.role() == Role::Terminal)
            .ok_or(ChainError::NoTerminal)?,
        None => {
            let terminals: Vec<&CvCertificate> = certificates
                .iter()
                .filter(|c| c.role() == Role::Terminal)
                .collect();
            match terminals.as_slice() {
                [] => return Err(ChainError::NoTerminal),
                [one] => *one,
                several => {
                    return Err(ChainError::SeveralTerminals(
                        several
                            .iter()
                            .map(|c| c.chr().to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ));
                }
            }
        }
    };
    let mut path = vec![start];
    let mut current = start;
    // Each step adds a distinct certificate, so the walk ends within `certificates.len()` steps.
    for _ in 0..certificates.len() {
        if trust_points.contains(current.car()) {
            path.reverse();
            return Ok(path);
        }
        let issuer = certificates.iter().find(|c| {
            c.chr() == current.car() && !c.is_self_signed() && !path.iter().any(|p| p == c)
        });
        match issuer {
            Some(issuer) => {
                path.push(issuer);
                current = issuer;
            }
            None => break,
        }
    }
    Err(ChainError::NoPath {
        certificate: current.chr().to_string(),
        car: current.car().to_string(),
        trust_points: trust_points
            .iter()
            .map(CertificateReference::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// A chain that [`verify_chain`] accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedChain {
    /// The CVCA key that signed the first DV certificate (the trust point, or the last link).
    pub cvca: CertificateReference,
    /// The CHRs of the link certificates, in order.
    pub links: Vec<CertificateReference>,
    /// The DV certificate's CHR.
    pub dv: CertificateReference,
    /// Whether the DV is domestic or foreign.
    pub dv_role: Role,
    /// The terminal certificate's CHR.
    pub terminal: CertificateReference,
    /// The terminal's public key with the CVCA's domain parameters: what verifies the TA signature.
    pub terminal_key: CvPublicKey,
    /// The AND of the CVCA's, the DV's and the terminal's CHATs.
    pub effective_authorization: Chat,
    /// The current date after the chain was imported (it advances with accepted certificates).
    pub date: Option<CvDate>,
}

impl VerifiedChain {
    /// The DG3/DG4 read rights of the effective authorization.
    pub fn rights(&self) -> AccessRights {
        self.effective_authorization.access_rights()
    }
}

/// Checks `chain` (link certificates, DV, terminal: the sending order) against `trust_point` (a CVCA
/// certificate, whose key and domain parameters are trusted as given) as a chip would.
///
/// With a `date` (the chip's current date, or today for a terminal checking its credentials), DV and
/// terminal certificates must not have expired and the CVCA key that signs the DV must not have expired;
/// the date advances to the effective date of every link certificate, DV certificate and terminal
/// certificate of a domestic DV, as the chip's does. Expired link certificates are accepted.
pub fn verify_chain(
    trust_point: &CvCertificate,
    chain: &[CvCertificate],
    date: Option<CvDate>,
) -> Result<VerifiedChain, ChainError> {
    let is_type = |c: &CvCertificate| {
        if c.body.chat.terminal_type() != TerminalType::InspectionSystem {
            return Err(ChainError::TerminalType {
                certificate: c.chr().to_string(),
                terminal_type: c.body.chat.terminal_type().name(),
            });
        }
        Ok(())
    };
    let role = |c: &CvCertificate, ok: bool, expected: &'static str| {
        if ok {
            Ok(())
        } else {
            Err(ChainError::Role {
                certificate: c.chr().to_string(),
                role: c.role().name(),
                expected,
            })
        }
    };
    is_type(trust_point)?;
    role(trust_point, trust_point.role() == Role::Cvca, "CVCA")?;
    let mut date = date;
    let advance = |date: &mut Option<CvDate>, to: CvDate| {
        if let Some(d) = date.as_mut() {
            *d = (*d).max(to);
        }
    };
    let mut cvca = trust_point;
    let mut cvca_key = trust_point.body.public_key.clone();
    if cvca_key.domain_parameters().is_none() && cvca_key.algorithm.is_ecdsa() {
        return Err(ChainError::Signature {
            certificate: trust_point.chr().to_string(),
            what: "the trust point's EC key has no domain parameters".into(),
        });
    }
    let mut links = Vec::new();
    let mut rest = chain;
    // Link certificates: role CVCA, signed by the previous CVCA key; may bring new domain parameters.
    while let Some((link, tail)) = rest.split_first() {
        if link.role() != Role::Cvca {
            break;
        }
        is_type(link)?;
        if link.car() != cvca.chr() {
            return Err(ChainError::WrongIssuer {
                certificate: link.chr().to_string(),
                car: link.car().to_string(),
                previous: cvca.chr().to_string(),
            });
        }
        link.verify_signature(&cvca_key)
            .map_err(|e| signature_error(link, e))?;
        cvca_key = link
            .holder_key(&cvca_key)
            .map_err(|e| signature_error(link, e))?;
        advance(&mut date, link.body.effective_date);
        links.push(link.chr().clone());
        cvca = link;
        rest = tail;
    }
    let (dv, terminal) = match rest {
        [dv, terminal] => (dv, terminal),
        [] => return Err(ChainError::NoTerminal),
        [only] => {
            return Err(ChainError::Role {
                certificate: only.chr().to_string(),
                role: only.role().name(),
                expected: "a DV and a terminal certificate",
            });
        }
        [_, _, extra, ..] => {
            return Err(ChainError::Role {
                certificate: extra.chr().to_string(),
                role: extra.role().name(),
                expected: "nothing after the terminal certificate",
            });
        }
    };
    // The DV certificate.
    is_type(dv)?;
    role(dv, dv.role().is_dv(), "DV")?;
    if dv.car() != cvca.chr() {
        return Err(ChainError::WrongIssuer {
            certificate: dv.chr().to_string(),
            car: dv.car().to_string(),
            previous: cvca.chr().to_string(),
        });
    }
    if dv.body.public_key.domain_parameters().is_some() {
        return Err(ChainError::DomainParameters(dv.chr().to_string()));
    }
    if let Some(d) = date
        && cvca.is_expired_at(d)
    {
        return Err(ChainError::TrustPointExpired {
            trust_point: cvca.chr().to_string(),
            expiration: cvca.body.expiration_date,
            date: d,
        });
    }
    dv.verify_signature(&cvca_key)
        .map_err(|e| signature_error(dv, e))?;
    expiry(dv, date)?;
    let dv_key = dv
        .holder_key(&cvca_key)
        .map_err(|e| signature_error(dv, e))?;
    advance(&mut date, dv.body.effective_date);
    // The terminal certificate.
    is_type(terminal)?;
    role(
        terminal,
        terminal.role() == Role::Terminal,
        "inspection system",
    )?;
    if terminal.car() != dv.chr() {
        return Err(ChainError::WrongIssuer {
            certificate: terminal.chr().to_string(),
            car: terminal.car().to_string(),
            previous: dv.chr().to_string(),
        });
    }
    if terminal.body.public_key.domain_parameters().is_some() {
        return Err(ChainError::DomainParameters(terminal.chr().to_string()));
    }
    terminal
        .verify_signature(&dv_key)
        .map_err(|e| signature_error(terminal, e))?;
    expiry(terminal, date)?;
    let terminal_key = terminal
        .holder_key(&dv_key)
        .map_err(|e| signature_error(terminal, e))?;
    if dv.role() == Role::DvDomestic {
        advance(&mut date, terminal.body.effective_date);
    }
    let effective_authorization = [&dv.body.chat, &terminal.body.chat]
        .into_iter()
        .try_fold(cvca.body.chat.clone(), |acc, c| acc.intersect(c))
        .ok_or_else(|| ChainError::TerminalType {
            certificate: terminal.chr().to_string(),
            terminal_type: "a relative authorization of another length",
        })?;
    Ok(VerifiedChain {
        cvca: cvca.chr().clone(),
        links,
        dv: dv.chr().clone(),
        dv_role: dv.role(),
        terminal: terminal.chr().clone(),
        terminal_key,
        effective_authorization,
        date,
    })
}

fn expiry(cert: &CvCertificate, date: Option<CvDate>) -> Result<(), ChainError> {
    match date {
        Some(d) if cert.is_expired_at(d) => Err(ChainError::Expired {
            certificate: cert.chr().to_string(),
            expiration: cert.body.expiration_date,
            date: d,
        }),
        _ => Ok(()),
    }
}
