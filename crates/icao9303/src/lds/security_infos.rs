//! SecurityInfos (EF.CardAccess, EF.CardSecurity, DG14): PACEInfo, ChipAuthenticationInfo and the rest
//! (ICAO 9303-11 section 9.2, BSI TR-03110-3 appendix A.1).
//!
//! `SecurityInfos ::= SET OF SecurityInfo`, `SecurityInfo ::= SEQUENCE { protocol OBJECT IDENTIFIER,
//! requiredData ANY, optionalData ANY OPTIONAL }`. Every entry keeps its raw encoding; unknown protocols are
//! kept as [`SecurityInfo::Unknown`]. Bytes after the SET (seen on real chips: padding, a stray status
//! word) are tolerated and kept in [`SecurityInfos::trailing`].

use crate::asn1::{self, Asn1Error, Element, der, tag};
use crate::crypto::cipher::CipherAlgorithm;
use crate::crypto::domain::{DomainParameterError, DomainParameters, MAX_STANDARDIZED_ID};

pub use crate::crypto::domain::KeyAgreement;

/// `0.4.0.127.0.7.2.2` (bsi-de protocols smartcards), encoded.
const BSI_PROTOCOLS: [u8; 7] = [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02];
/// `2.23.136.1.1.5` (id-icao-mrtd-security-aaProtocolObject), encoded.
const AA_OID: [u8; 6] = [0x67, 0x81, 0x08, 0x01, 0x01, 0x05];

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

    /// How strong this offer is on `domain` (its resolved domain parameters), for choosing among
    /// several offers: see [`PaceStrength`].
    pub fn strength(&self, domain: &DomainParameters) -> PaceStrength {
        PaceStrength {
            chip_authentication: self.mapping == Mapping::ChipAuthentication,
            key_len: self.cipher.key_len(),
            security_bits: domain.security_bits(),
        }
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

/// The strength of a PACE offer, ordered: Chip Authentication Mapping first (it also proves the chip
/// genuine), then the cipher's key length, then the security level of the domain parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PaceStrength {
    /// The mapping is Chip Authentication Mapping.
    pub chip_authentication: bool,
    /// The cipher's key length in bytes.
    pub key_len: usize,
    /// The security level of the domain parameters in bits ([`DomainParameters::security_bits`]).
    pub security_bits: u32,
}

/// A PACEDomainParameterInfo: explicit (or proprietary) domain parameters for PACE.
#[derive(Debug, Clone, PartialEq)]
pub struct PaceDomainParameterInfo {
    /// The protocol OID (`id-PACE-{DH,ECDH}-{GM,IM,CAM}`), encoded.
    pub oid: Vec<u8>,
    /// The parameters, or why they were refused (an unknown or malformed curve, a DH group other than
    /// RFC 5114's).
    pub domain: Result<DomainParameters, DomainParameterError>,
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
                domain: DomainParameters::from_algorithm(alg),
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

    /// The domain parameters for `info` (ICAO 9303-11 section 9.5.1):
    ///
    /// * a standardized parameter id (0–31) means the standardized parameters of that id. A
    ///   PACEDomainParameterInfo for the same protocol family and id is allowed only when it gives exactly
    ///   those parameters: explicit parameters never override a standardized id;
    /// * a proprietary id (32 and above), or none, needs the PACEDomainParameterInfo of the same protocol
    ///   family and id, whose parameters must be standardized ones (a curve of the registry, an RFC 5114
    ///   group) given explicitly;
    /// * the parameters must be of the protocol's key agreement (DH or ECDH).
    pub fn pace_domain(&self, info: &PaceInfo) -> Result<DomainParameters, DomainParameterError> {
        let family = info.oid.get(..info.oid.len().saturating_sub(1));
        let explicit = self.infos.iter().find_map(|i| match i {
            SecurityInfo::PaceDomainParameters(d)
                if Some(d.oid.as_slice()) == family && d.parameter_id == info.parameter_id =>
            {
                Some(&d.domain)
            }
            _ => None,
        });
        let domain = match info.parameter_id {
            Some(id) if id <= MAX_STANDARDIZED_ID => {
                let standard = DomainParameters::standard(id)
                    .ok_or(DomainParameterError::UnknownParameterId(id))?;
                match explicit {
                    None => standard,
                    Some(Ok(given)) if *given == standard => standard,
                    Some(Ok(given)) => {
                        return Err(DomainParameterError::OverridesStandardizedId {
                            id,
                            why: format!("{} of id {}", given.describe(), given.parameter_id()),
                        });
                    }
                    Some(Err(e)) => {
                        return Err(DomainParameterError::OverridesStandardizedId {
                            id,
                            why: e.to_string(),
                        });
                    }
                }
            }
            id => explicit.ok_or(DomainParameterError::Missing(id))?.clone()?,
        };
        domain.expect(info.key_agreement)?;
        Ok(domain)
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
    use crate::crypto::dh::DhError;
    use crate::crypto::ec::{EcCurve, EcError};

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

    #[test]
    fn security_levels_of_the_standardized_parameters() {
        let bits = |id| DomainParameters::standard(id).unwrap().security_bits();
        let expected = [
            (0, 80),
            (1, 112),
            (2, 112),
            (8, 96),
            (9, 96),
            (10, 112),
            (11, 112),
            (12, 128),
            (13, 128),
            (14, 160),
            (15, 192),
            (16, 192),
            (17, 256),
            (18, 256),
        ];
        for (id, level) in expected {
            assert_eq!(bits(id), level, "parameter id {id}");
        }
    }

    #[test]
    fn offers_rank_by_mapping_then_cipher_then_parameters() {
        let offer = |mapping, cipher, id| {
            let info = PaceInfo::new(mapping, KeyAgreement::Ecdh, cipher, Some(id)).unwrap();
            info.strength(&DomainParameters::standard(id).unwrap())
        };
        let cam = offer(Mapping::ChipAuthentication, CipherAlgorithm::Aes128, 12);
        let gm256 = offer(Mapping::Generic, CipherAlgorithm::Aes256, 17);
        let gm128_bp512 = offer(Mapping::Generic, CipherAlgorithm::Aes128, 17);
        let im128_p256 = offer(Mapping::Integrated, CipherAlgorithm::Aes128, 12);
        assert!(cam > gm256);
        assert!(gm256 > gm128_bp512);
        assert!(gm128_bp512 > im128_p256);
        assert_eq!(
            offer(Mapping::Generic, CipherAlgorithm::Aes128, 12),
            im128_p256
        );
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
            Ok(DomainParameters::Ec(EcCurve::BrainpoolP256r1))
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
            Ok(DomainParameters::Dh(g)) if g.parameter_id() == 0
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
        assert_eq!(
            explicit.domain,
            Err(DomainParameterError::Curve(
                EcError::UnsupportedExplicitCurve { field_bits: 256 }
            ))
        );
        assert_eq!(explicit.parameter_id, None);
        assert_eq!(old.pace_domain(info), explicit.domain);

        let si = SecurityInfos::parse(&file("EF_CardAccess_slovenia.bin")).unwrap();
        assert!(pace(&si).is_empty());
        assert_eq!(ca(&si).len(), 1);
        assert!(has_ta(&si));
        assert_eq!(si.trailing, vec![0x62, 0x82]);
    }

    /// A PACEDomainParameterInfo for id-PACE-DH-GM with explicit (p, g, q).
    fn dh_domain_info(p: &[u8], g: &[u8], q: &[u8], id: Option<u32>) -> Vec<u8> {
        let uint = |v: &[u8]| {
            let mut x = vec![0];
            x.extend_from_slice(v);
            der::tlv(0x02, &x)
        };
        let alg = der::constructed(
            0x30,
            &[
                &der::tlv(0x06, &[0x2A, 0x86, 0x48, 0xCE, 0x3E, 0x02, 0x01]),
                &der::constructed(0x30, &[&uint(p), &uint(g), &uint(q)]),
            ],
        );
        let mut fields = vec![
            der::tlv(
                0x06,
                &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x01],
            ),
            alg,
        ];
        fields.extend(id.map(|v| der::integer_u64(v.into())));
        der::constructed(0x30, &fields.iter().map(Vec::as_slice).collect::<Vec<_>>())
    }

    fn card_access(entries: &[Vec<u8>]) -> SecurityInfos {
        SecurityInfos::parse(&SecurityInfos::encode(entries)).unwrap()
    }

    fn domain_of(entries: &[Vec<u8>]) -> Result<DomainParameters, DomainParameterError> {
        let infos = card_access(entries);
        infos.pace_domain(infos.pace_infos().next().unwrap())
    }

    #[test]
    fn explicit_pace_parameters_never_override_a_standardized_id() {
        use crate::crypto::dh::DhGroup;
        use crate::crypto::dh::tests::{WEAK_G, WEAK_P, WEAK_Q};
        let h = |s: &str| hex::decode(s).unwrap();
        let dh_gm = |id| PaceInfo::new(Generic, Dh, Aes128, id).unwrap().to_der();
        let g0 = DhGroup::standard(0).unwrap();
        let g2 = DhGroup::standard(2).unwrap();
        let weak = |id| dh_domain_info(&h(WEAK_P), &h(WEAK_G), &h(WEAK_Q), id);

        // A standardized id alone, or with explicit parameters equal to its own: the standardized group.
        assert_eq!(
            domain_of(&[dh_gm(Some(0))]),
            Ok(DomainParameters::Dh(g0.clone()))
        );
        assert_eq!(
            domain_of(&[
                dh_gm(Some(0)),
                dh_domain_info(g0.p(), g0.g(), g0.q(), Some(0))
            ]),
            Ok(DomainParameters::Dh(g0.clone()))
        );
        // Another RFC 5114 group, or a weak one, given for id 0: refused.
        assert!(matches!(
            domain_of(&[
                dh_gm(Some(0)),
                dh_domain_info(g2.p(), g2.g(), g2.q(), Some(0))
            ]),
            Err(DomainParameterError::OverridesStandardizedId { id: 0, .. })
        ));
        let overridden = domain_of(&[dh_gm(Some(0)), weak(Some(0))]).unwrap_err();
        assert!(
            matches!(&overridden, DomainParameterError::OverridesStandardizedId { id: 0, why }
                if why.contains("1024 bits") && why.contains("16 bits")),
            "{overridden}"
        );
        // The parsed entry keeps why its parameters were refused.
        let infos = card_access(&[dh_gm(Some(0)), weak(Some(0))]);
        assert!(infos.infos.iter().any(|i| matches!(
            i,
            SecurityInfo::PaceDomainParameters(PaceDomainParameterInfo {
                domain: Err(DomainParameterError::Group(DhError::NotStandardGroup {
                    p_bits: 1024,
                    q_bits: 16
                })),
                ..
            })
        )));
        // A proprietary id: the explicit parameters must be an RFC 5114 group.
        assert_eq!(
            domain_of(&[dh_gm(Some(32)), weak(Some(32))]),
            Err(DomainParameterError::Group(DhError::NotStandardGroup {
                p_bits: 1024,
                q_bits: 16
            }))
        );
        assert_eq!(
            domain_of(&[
                dh_gm(Some(32)),
                dh_domain_info(g2.p(), g2.g(), g2.q(), Some(32))
            ]),
            Ok(DomainParameters::Dh(g2))
        );
        assert_eq!(
            domain_of(&[dh_gm(None), weak(None)]),
            Err(DomainParameterError::Group(DhError::NotStandardGroup {
                p_bits: 1024,
                q_bits: 16
            }))
        );
        // Parameters of a proprietary id given for another id do not count.
        assert_eq!(
            domain_of(&[dh_gm(Some(33)), weak(Some(32))]),
            Err(DomainParameterError::Missing(Some(33)))
        );
        // Reserved ids, and parameters of the other key agreement.
        assert_eq!(
            domain_of(&[dh_gm(Some(5))]),
            Err(DomainParameterError::UnknownParameterId(5))
        );
        assert!(matches!(
            domain_of(&[dh_gm(Some(13))]),
            Err(DomainParameterError::KeyAgreementMismatch { .. })
        ));
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
