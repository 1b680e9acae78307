//! SecurityInfos (EF.CardAccess, EF.CardSecurity, DG14): PACEInfo, ChipAuthenticationInfo and the rest
//! (ICAO 9303-11 section 9.2, BSI TR-03110-3 appendix A.1).
//!
//! `SecurityInfos ::= SET OF SecurityInfo`, `SecurityInfo ::= SEQUENCE { protocol OBJECT IDENTIFIER,
//! requiredData ANY, optionalData ANY OPTIONAL }`. Every entry keeps its raw encoding; unknown protocols are
//! kept as [`SecurityInfo::Unknown`]. Bytes after the SET (seen on real chips: padding, a stray status
//! word) are tolerated and kept in [`SecurityInfos::trailing`].

use crate::asn1::{self, Asn1Error, Element, der, tag};
use crate::crypto::cipher::CipherAlgorithm;
use crate::crypto::dh::DhGroup;
use crate::crypto::ec::{EcCurve, ExplicitCurve};

/// `0.4.0.127.0.7.2.2` (bsi-de protocols smartcards), encoded.
const BSI_PROTOCOLS: [u8; 7] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02];
/// `2.23.136.1.1.5` (id-icao-mrtd-security-aaProtocolObject), encoded.
const AA_OID: [u8; 6] = [0x67, 0x81, 0x08, 0x01, 0x01, 0x05];
/// `1.2.840.10045.1.1` (prime-field), encoded.
const PRIME_FIELD: [u8; 7] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x01, 0x01];

/// A malformed SecurityInfos structure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityInfosError {
    /// The TLV structure is broken.
    #[error("SecurityInfos: {0}")]
    Tlv(#[from] Asn1Error),
    /// A structure with the wrong shape.
    #[error("SecurityInfos: {0}")]
    Malformed(String),
}

/// The PACE mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Mapping {
    /// Generic Mapping (GM).
    Generic,
    /// Integrated Mapping (IM).
    Integrated,
    /// Chip Authentication Mapping (CAM).
    ChipAuthentication,
}

impl Mapping {
    /// "GM", "IM" or "CAM".
    pub fn name(self) -> &'static str {
        match self {
            Mapping::Generic => "GM",
            Mapping::Integrated => "IM",
            Mapping::ChipAuthentication => "CAM",
        }
    }
}

/// The key agreement of a PACE or CA protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum KeyAgreement {
    /// Diffie-Hellman over a prime field.
    Dh,
    /// Elliptic-curve Diffie-Hellman.
    Ecdh,
}

/// A PACEInfo: one PACE protocol the chip offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaceInfo {
    /// The protocol OID, encoded (value of the `06` object, e.g. `04007F00070202040202`).
    pub oid: Vec<u8>,
    /// The version (2 for ICAO 9303).
    pub version: u32,
    /// The domain parameter id (standardized 0–18, or a proprietary id matching a PACEDomainParameterInfo).
    pub parameter_id: Option<u32>,
    /// The mapping.
    pub mapping: Mapping,
    /// DH or ECDH.
    pub key_agreement: KeyAgreement,
    /// The cipher of nonce encryption and secure messaging.
    pub cipher: CipherAlgorithm,
}

impl PaceInfo {
    /// The PACEInfo for a protocol: mapping, key agreement and cipher, encoded as its OID.
    pub fn new(
        mapping: Mapping,
        key_agreement: KeyAgreement,
        cipher: CipherAlgorithm,
        parameter_id: Option<u32>,
    ) -> Option<PaceInfo> {
        let m = match (mapping, key_agreement) {
            (Mapping::Generic, KeyAgreement::Dh) => 1,
            (Mapping::Generic, KeyAgreement::Ecdh) => 2,
            (Mapping::Integrated, KeyAgreement::Dh) => 3,
            (Mapping::Integrated, KeyAgreement::Ecdh) => 4,
            (Mapping::ChipAuthentication, KeyAgreement::Ecdh) => 6,
            (Mapping::ChipAuthentication, KeyAgreement::Dh) => return None,
        };
        let c = match cipher {
            CipherAlgorithm::Tdes if mapping == Mapping::ChipAuthentication => return None,
            CipherAlgorithm::Tdes => 1,
            CipherAlgorithm::Aes128 => 2,
            CipherAlgorithm::Aes192 => 3,
            CipherAlgorithm::Aes256 => 4,
        };
        let mut oid = BSI_PROTOCOLS.to_vec();
        oid.extend_from_slice(&[4, m, c]);
        Some(PaceInfo {
            oid,
            version: 2,
            parameter_id,
            mapping,
            key_agreement,
            cipher,
        })
    }

    /// Recognises a PACE protocol OID (`id-PACE-{DH,ECDH}-{GM,IM,CAM}-{3DES,AES}`).
    pub fn protocol(oid: &[u8]) -> Option<(Mapping, KeyAgreement, CipherAlgorithm)> {
        let rest = oid.strip_prefix(&BSI_PROTOCOLS[..])?;
        let [4, m, c] = rest else { return None };
        let (mapping, ka) = match m {
            1 => (Mapping::Generic, KeyAgreement::Dh),
            2 => (Mapping::Generic, KeyAgreement::Ecdh),
            3 => (Mapping::Integrated, KeyAgreement::Dh),
            4 => (Mapping::Integrated, KeyAgreement::Ecdh),
            6 => (Mapping::ChipAuthentication, KeyAgreement::Ecdh),
            _ => return None,
        };
        let cipher = match c {
            1 if mapping != Mapping::ChipAuthentication => CipherAlgorithm::Tdes,
            2 => CipherAlgorithm::Aes128,
            3 => CipherAlgorithm::Aes192,
            4 => CipherAlgorithm::Aes256,
            _ => return None,
        };
        Some((mapping, ka, cipher))
    }

    /// The encoding of this PACEInfo (`SEQUENCE { OID, version, parameterId? }`), for EF.CardAccess.
    pub fn to_der(&self) -> Vec<u8> {
        let oid = der::tlv(tag::OID, &self.oid);
        let version = der::integer_u64(self.version.into());
        match self.parameter_id {
            Some(id) => der::sequence(&[&oid, &version, &der::integer_u64(id.into())]),
            None => der::sequence(&[&oid, &version]),
        }
    }
}

/// Resolved PACE domain parameters: a curve or a DH group.
#[derive(Debug, Clone, PartialEq)]
pub enum PaceDomainParameters {
    /// An elliptic curve (ECDH).
    Ec(EcCurve),
    /// A prime-order subgroup of Z_p* (DH).
    Dh(DhGroup),
}

impl PaceDomainParameters {
    /// The standardized domain parameters of id 0–2 (DH) or 8–18 (ECDH).
    pub fn standard(id: u32) -> Option<PaceDomainParameters> {
        DhGroup::standard(id)
            .map(PaceDomainParameters::Dh)
            .or_else(|| EcCurve::from_parameter_id(id).map(PaceDomainParameters::Ec))
    }

    /// The standardized id, when the parameters are standard.
    pub fn parameter_id(&self) -> Option<u32> {
        match self {
            PaceDomainParameters::Ec(c) => Some(c.parameter_id()),
            PaceDomainParameters::Dh(g) => g.parameter_id(),
        }
    }

    /// DH or ECDH.
    pub fn key_agreement(&self) -> KeyAgreement {
        match self {
            PaceDomainParameters::Ec(_) => KeyAgreement::Ecdh,
            PaceDomainParameters::Dh(_) => KeyAgreement::Dh,
        }
    }
}

/// A PACEDomainParameterInfo: explicit (or proprietary) domain parameters for PACE.
#[derive(Debug, Clone, PartialEq)]
pub struct PaceDomainParameterInfo {
    /// The protocol OID (`id-PACE-{DH,ECDH}-{GM,IM,CAM}`), encoded.
    pub oid: Vec<u8>,
    /// The parameters, when recognised (`None`: an unsupported explicit curve or group).
    pub domain: Option<PaceDomainParameters>,
    /// The raw AlgorithmIdentifier.
    pub algorithm: Vec<u8>,
    /// The parameter id that PACEInfo refers to.
    pub parameter_id: Option<u32>,
}

/// A ChipAuthenticationInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationInfo {
    /// The protocol OID (`id-CA-{DH,ECDH}-{3DES,AES}`), encoded.
    pub oid: Vec<u8>,
    /// The version (1 or 2; 3 seen on some cards).
    pub version: u32,
    /// The key id, when the chip has several CA keys.
    pub key_id: Option<u32>,
}

/// A ChipAuthenticationPublicKeyInfo (the SubjectPublicKeyInfo is kept raw here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipAuthenticationPublicKeyInfo {
    /// `id-PK-DH` or `id-PK-ECDH`, encoded.
    pub oid: Vec<u8>,
    /// The raw SubjectPublicKeyInfo.
    pub public_key_info: Vec<u8>,
    /// The key id.
    pub key_id: Option<u32>,
}

/// A TerminalAuthenticationInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalAuthenticationInfo {
    /// The version.
    pub version: u32,
}

/// An ActiveAuthenticationInfo (DG14): the signature algorithm of ECDSA Active Authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveAuthenticationInfo {
    /// The version.
    pub version: u32,
    /// The signature algorithm OID, encoded.
    pub signature_algorithm: Vec<u8>,
}

/// One SecurityInfo.
#[derive(Debug, Clone, PartialEq)]
pub enum SecurityInfo {
    /// PACEInfo.
    Pace(PaceInfo),
    /// PACEDomainParameterInfo.
    PaceDomainParameters(PaceDomainParameterInfo),
    /// ChipAuthenticationInfo.
    ChipAuthentication(ChipAuthenticationInfo),
    /// ChipAuthenticationPublicKeyInfo.
    ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo),
    /// TerminalAuthenticationInfo.
    TerminalAuthentication(TerminalAuthenticationInfo),
    /// ActiveAuthenticationInfo.
    ActiveAuthentication(ActiveAuthenticationInfo),
    /// Any other SecurityInfo (CardInfoLocator, PrivilegedTerminalInfo, CA domain parameters, ...).
    Unknown {
        /// The protocol OID, encoded.
        oid: Vec<u8>,
        /// The whole SecurityInfo encoding.
        raw: Vec<u8>,
    },
}

/// A parsed SecurityInfos set.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityInfos {
    /// The entries, in file order.
    pub infos: Vec<SecurityInfo>,
    /// Bytes after the SET, if any.
    pub trailing: Vec<u8>,
}

fn malformed(what: impl Into<String>) -> SecurityInfosError {
    SecurityInfosError::Malformed(what.into())
}

fn small_int(t: &Element<'_>) -> Result<u32, SecurityInfosError> {
    u32::try_from(t.small_uint()?).map_err(|_| malformed("INTEGER out of range"))
}

fn opt_int(t: Option<&Element<'_>>) -> Result<Option<u32>, SecurityInfosError> {
    match t {
        Some(t) if t.tag == 0x02 => Ok(Some(small_int(t)?)),
        _ => Ok(None),
    }
}

/// Parses explicit ECParameters (`SEQUENCE { version, fieldID, curve, base, order, cofactor? }`).
fn explicit_ec(params: &Element<'_>) -> Option<ExplicitCurve> {
    let c = params.children().ok()?;
    let field = c.get(1)?.children().ok()?;
    if field.first()?.value != PRIME_FIELD {
        return None;
    }
    let curve = c.get(2)?.children().ok()?;
    Some(ExplicitCurve {
        p: field.get(1)?.value.to_vec(),
        a: curve.first()?.value.to_vec(),
        b: curve.get(1)?.value.to_vec(),
        g: c.get(3)?.value.to_vec(),
        n: c.get(4)?.value.to_vec(),
        h: c.get(5).map(|h| h.value.to_vec()),
    })
}

/// Resolves the parameters of an AlgorithmIdentifier: a standardized id (INTEGER), explicit ECParameters
/// or explicit DH parameters (`SEQUENCE { p, g, q, ... }`).
pub(crate) fn domain_from_algorithm(alg: &Element<'_>) -> Option<PaceDomainParameters> {
    let c = alg.children().ok()?;
    let params = c.get(1)?;
    match params.tag {
        0x02 => PaceDomainParameters::standard(small_int(params).ok()?),
        0x30 => {
            let inner = params.children().ok()?;
            if inner.get(1).is_some_and(|t| t.tag == 0x30) {
                EcCurve::from_explicit(&explicit_ec(params)?)
                    .ok()
                    .map(PaceDomainParameters::Ec)
            } else {
                let p = inner.first()?.value;
                let g = inner.get(1)?.value;
                let q = inner.get(2)?.value;
                DhGroup::explicit(p, g, q)
                    .ok()
                    .map(PaceDomainParameters::Dh)
            }
        }
        _ => None,
    }
}

fn parse_info(seq: &Element<'_>) -> Result<SecurityInfo, SecurityInfosError> {
    if seq.tag != 0x30 {
        return Err(malformed(format!("SecurityInfo with tag {:X}", seq.tag)));
    }
    let c = seq.children()?;
    let oid_tlv = c.first().ok_or_else(|| malformed("empty SecurityInfo"))?;
    if oid_tlv.tag != 0x06 {
        return Err(malformed("SecurityInfo without protocol OID"));
    }
    let oid = oid_tlv.value.to_vec();
    let unknown = || SecurityInfo::Unknown {
        oid: oid.clone(),
        raw: seq.raw.to_vec(),
    };
    if oid == AA_OID {
        let version = small_int(
            c.get(1)
                .ok_or_else(|| malformed("AA info without version"))?,
        )?;
        let signature_algorithm = c
            .get(2)
            .filter(|t| t.tag == 0x06)
            .map(|t| t.value.to_vec())
            .unwrap_or_default();
        return Ok(SecurityInfo::ActiveAuthentication(
            ActiveAuthenticationInfo {
                version,
                signature_algorithm,
            },
        ));
    }
    let Some(rest) = oid.strip_prefix(&BSI_PROTOCOLS[..]) else {
        return Ok(unknown());
    };
    Ok(match rest {
        [4, _, _] => match PaceInfo::protocol(&oid) {
            Some((mapping, key_agreement, cipher)) => SecurityInfo::Pace(PaceInfo {
                oid: oid.clone(),
                version: small_int(
                    c.get(1)
                        .ok_or_else(|| malformed("PACEInfo without version"))?,
                )?,
                parameter_id: opt_int(c.get(2))?,
                mapping,
                key_agreement,
                cipher,
            }),
            None => unknown(),
        },
        [4, _] => {
            let alg = c
                .get(1)
                .ok_or_else(|| malformed("PACEDomainParameterInfo without parameters"))?;
            SecurityInfo::PaceDomainParameters(PaceDomainParameterInfo {
                oid: oid.clone(),
                domain: domain_from_algorithm(alg),
                algorithm: alg.raw.to_vec(),
                parameter_id: opt_int(c.get(2))?,
            })
        }
        [3, 1 | 2, 1..=4] => SecurityInfo::ChipAuthentication(ChipAuthenticationInfo {
            oid: oid.clone(),
            version: small_int(
                c.get(1)
                    .ok_or_else(|| malformed("CAInfo without version"))?,
            )?,
            key_id: opt_int(c.get(2))?,
        }),
        [1, 1 | 2] => SecurityInfo::ChipAuthenticationPublicKey(ChipAuthenticationPublicKeyInfo {
            oid: oid.clone(),
            public_key_info: c
                .get(1)
                .ok_or_else(|| malformed("CA public key info without key"))?
                .raw
                .to_vec(),
            key_id: opt_int(c.get(2))?,
        }),
        [2] => SecurityInfo::TerminalAuthentication(TerminalAuthenticationInfo {
            version: small_int(
                c.get(1)
                    .ok_or_else(|| malformed("TAInfo without version"))?,
            )?,
        }),
        _ => unknown(),
    })
}

impl SecurityInfos {
    /// Parses a SecurityInfos SET (the content of EF.CardAccess, or of DG14 / EF.CardSecurity's eContent).
    pub fn parse(bytes: &[u8]) -> Result<SecurityInfos, SecurityInfosError> {
        let (set, rest) = asn1::parse_one(bytes)?;
        if set.tag != 0x31 {
            return Err(malformed(format!("expected SET (31), found {:X}", set.tag)));
        }
        let infos = set
            .children()?
            .iter()
            .map(parse_info)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SecurityInfos {
            infos,
            trailing: rest.to_vec(),
        })
    }

    /// The PACEInfos, in file order.
    pub fn pace_infos(&self) -> impl Iterator<Item = &PaceInfo> {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::Pace(p) => Some(p),
            _ => None,
        })
    }

    /// The domain parameters for `info`: the PACEDomainParameterInfo with the same mapping family and
    /// parameter id when there is one, else the standardized parameters of its id.
    pub fn pace_domain(&self, info: &PaceInfo) -> Option<PaceDomainParameters> {
        let family = info.oid.get(..info.oid.len().saturating_sub(1));
        let explicit = self.infos.iter().find_map(|i| match i {
            SecurityInfo::PaceDomainParameters(d)
                if Some(d.oid.as_slice()) == family && d.parameter_id == info.parameter_id =>
            {
                d.domain.clone()
            }
            _ => None,
        });
        explicit.or_else(|| info.parameter_id.and_then(PaceDomainParameters::standard))
    }

    /// The ChipAuthenticationInfos.
    pub fn chip_authentication_infos(&self) -> impl Iterator<Item = &ChipAuthenticationInfo> {
        self.infos.iter().filter_map(|i| match i {
            SecurityInfo::ChipAuthentication(c) => Some(c),
            _ => None,
        })
    }

    /// Encodes a SecurityInfos SET from raw SecurityInfo encodings (the emulator's EF.CardAccess).
    /// The entries keep the order given (a chip's file need not be DER-sorted, and the emulator's recorded
    /// traces depend on the bytes).
    pub fn encode(entries: &[Vec<u8>]) -> Vec<u8> {
        der::tlv(tag::SET, &entries.concat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../../test-vectors/data/card-access/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap()
    }

    fn pace(infos: &SecurityInfos) -> Vec<(Mapping, KeyAgreement, CipherAlgorithm, Option<u32>)> {
        infos
            .pace_infos()
            .map(|p| (p.mapping, p.key_agreement, p.cipher, p.parameter_id))
            .collect()
    }

    fn ca(infos: &SecurityInfos) -> Vec<(Vec<u8>, u32, Option<u32>)> {
        infos
            .chip_authentication_infos()
            .map(|c| (c.oid.clone(), c.version, c.key_id))
            .collect()
    }

    fn unknown_count(infos: &SecurityInfos) -> usize {
        infos
            .infos
            .iter()
            .filter(|i| matches!(i, SecurityInfo::Unknown { .. }))
            .count()
    }

    fn has_ta(infos: &SecurityInfos) -> bool {
        infos
            .infos
            .iter()
            .any(|i| matches!(i, SecurityInfo::TerminalAuthentication(_)))
    }

    const CA_ECDH_AES128: &str = "04007F00070202030202";
    const CA_DH_AES128: &str = "04007F00070202030102";

    use CipherAlgorithm::*;
    use KeyAgreement::*;
    use Mapping::*;

    #[test]
    fn every_card_access_sample_parses() {
        let at = SecurityInfos::parse(&file("EF_CardAccess_AT.bin")).unwrap();
        assert_eq!(pace(&at), vec![(Generic, Ecdh, Aes128, Some(13))]);
        assert_eq!(at.infos.len(), 1);
        assert_eq!(
            at.pace_domain(at.pace_infos().next().unwrap()),
            Some(PaceDomainParameters::Ec(EcCurve::BrainpoolP256r1))
        );
        assert_eq!(
            at.pace_infos().next().unwrap().to_der(),
            file("EF_CardAccess_AT.bin")[2..]
        );

        let dh = SecurityInfos::parse(&file("EF_CardAccess_BSI_EAC_example_DH.bin")).unwrap();
        assert_eq!(pace(&dh), vec![(Generic, Dh, Aes128, Some(0))]);
        assert_eq!(
            ca(&dh),
            vec![(hex::decode(CA_DH_AES128).unwrap(), 2, Some(1))]
        );
        assert!(has_ta(&dh));
        assert_eq!(unknown_count(&dh), 3); // CA domain parameters, CardInfoLocator, PrivilegedTerminalInfo
        assert!(matches!(
            dh.pace_domain(dh.pace_infos().next().unwrap()),
            Some(PaceDomainParameters::Dh(g)) if g.parameter_id() == Some(0)
        ));

        let ec = SecurityInfos::parse(&file("EF_CardAccess_BSI_EAC_example_ECDH.bin")).unwrap();
        assert_eq!(pace(&ec), vec![(Generic, Ecdh, Aes128, Some(13))]);
        assert_eq!(
            ca(&ec),
            vec![(hex::decode(CA_ECDH_AES128).unwrap(), 2, Some(1))]
        );
        assert!(has_ta(&ec));
        assert_eq!(unknown_count(&ec), 3);

        let de = SecurityInfos::parse(&file("EF_CardAccess_DE.bin")).unwrap();
        assert_eq!(
            pace(&de),
            vec![
                (Generic, Ecdh, Aes128, Some(13)),
                (ChipAuthentication, Ecdh, Aes128, Some(13))
            ]
        );

        let ca3 = SecurityInfos::parse(&file("EF_CardAccess_ca3.bin")).unwrap();
        assert_eq!(
            pace(&ca3),
            vec![
                (Generic, Ecdh, Aes128, Some(13)),
                (ChipAuthentication, Ecdh, Aes128, Some(13))
            ]
        );
        assert_eq!(ca(&ca3).len(), 2);
        assert!(has_ta(&ca3));

        let dan = SecurityInfos::parse(&file("EF_CardAccess_dan.bin")).unwrap();
        assert_eq!(pace(&dan), vec![(Generic, Ecdh, Aes128, Some(13))]);
        assert_eq!(
            ca(&dan),
            vec![
                (hex::decode(CA_ECDH_AES128).unwrap(), 2, Some(0x41)),
                (hex::decode(CA_ECDH_AES128).unwrap(), 2, Some(0x45))
            ]
        );

        let new = SecurityInfos::parse(&file("EF_CardAccess_new_testcard.bin")).unwrap();
        assert_eq!(pace(&new), vec![(Generic, Ecdh, Aes128, Some(13))]);
        assert!(
            !new.trailing.is_empty(),
            "trailing bytes after the SET are kept"
        );

        let old = SecurityInfos::parse(&file("EF_CardAccess_old_testcard.bin")).unwrap();
        assert_eq!(pace(&old), vec![(Generic, Ecdh, Aes128, None)]);
        let info = old.pace_infos().next().unwrap();
        assert_eq!(info.version, 1);
        // No parameter id: the PACEDomainParameterInfo carries explicit parameters, which are those of
        // brainpoolP256t1 (a = p − 3, the twisted curve): not a standardized PACE curve, so unresolved.
        let explicit = old
            .infos
            .iter()
            .find_map(|i| match i {
                SecurityInfo::PaceDomainParameters(d) => Some(d),
                _ => None,
            })
            .unwrap();
        assert_eq!(explicit.domain, None);
        assert_eq!(explicit.parameter_id, None);
        assert_eq!(old.pace_domain(info), None);

        let si = SecurityInfos::parse(&file("EF_CardAccess_slovenia.bin")).unwrap();
        assert!(pace(&si).is_empty());
        assert_eq!(ca(&si).len(), 1);
        assert!(has_ta(&si));
        assert_eq!(si.trailing, vec![0x62, 0x82]);
    }

    #[test]
    fn malformed_input_is_an_error() {
        assert!(SecurityInfos::parse(&[]).is_err());
        assert!(SecurityInfos::parse(&[0x30, 0x00]).is_err());
        assert!(SecurityInfos::parse(&[0x31, 0x05, 0x30, 0x03, 0x02, 0x01, 0x01]).is_err());
        let full = file("EF_CardAccess_DE.bin");
        for cut in 1..full.len() {
            assert!(SecurityInfos::parse(&full[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn pace_oids_round_trip() {
        for m in [Generic, Integrated, ChipAuthentication] {
            for ka in [Dh, Ecdh] {
                for c in [Tdes, Aes128, Aes192, Aes256] {
                    if let Some(info) = PaceInfo::new(m, ka, c, Some(13)) {
                        assert_eq!(PaceInfo::protocol(&info.oid), Some((m, ka, c)));
                    }
                }
            }
        }
        assert!(PaceInfo::new(ChipAuthentication, Ecdh, Tdes, None).is_none());
    }
}
