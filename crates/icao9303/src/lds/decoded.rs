//! Every file of a [`Document`] decoded by its parser, for reports and `mrtd inspect`.
//!
//! Each file is decoded on its own: a file whose parser fails carries the error message, and the other files are
//! still decoded. [`PARSERS`] is the registry: the one table from an [`LdsFile`] to its parser (an
//! [`LdsElement`]), used by [`decode_file`] and through it by [`decode`], `mrtd inspect` and the HTML report.
//! Files without an entry (EF.CardSecurity, EF.CVCA, DG8–DG10) are kept as raw bytes with a note saying so.

use serde::{Serialize, Serializer};

use super::LdsFile;
use super::atr_info::AtrInfo;
use super::com::Com;
use super::dg1::Dg1;
use super::dg2::Dg2;
use super::dg3::Dg3;
use super::dg4::Dg4;
use super::dg11::Dg11;
use super::dg12::Dg12;
use super::dg13::Dg13;
use super::dg14::Dg14;
use super::dg15::Dg15;
use super::dg16::Dg16;
use super::displayed_image::DisplayedImageGroup;
use super::ef_dir::EfDir;
use super::element::LdsElement;
use super::error::to_hex;
use super::security_infos::{SecurityInfo, SecurityInfos};
use super::sod::Sod;
use crate::asn1::Mode;
use crate::crypto::hash::HashAlgorithm;
use crate::document::Document;
use crate::pki::certificate::{Certificate, Name};
use crate::pki::cms::{SignerIdentifier, SignerInfo};
use crate::pki::signature::{algorithm_name, describe_algorithm, describe_key};

/// The outcome of decoding one file: the parsed value, or why it could not be parsed.
///
/// Serialized as `{"parsed": …}` or `{"error": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decoded<T> {
    /// The parser understood the file.
    Parsed(T),
    /// The parser rejected the file; the message names the file and, where known, the tag.
    Error(String),
}

impl<T> Decoded<T> {
    /// The parsed value, if the file parsed.
    pub fn parsed(&self) -> Option<&T> {
        match self {
            Decoded::Parsed(v) => Some(v),
            Decoded::Error(_) => None,
        }
    }

    /// The error message, if the file did not parse.
    pub fn error(&self) -> Option<&str> {
        match self {
            Decoded::Parsed(_) => None,
            Decoded::Error(e) => Some(e),
        }
    }
}

impl<T, E: std::fmt::Display> From<Result<T, E>> for Decoded<T> {
    fn from(r: Result<T, E>) -> Self {
        match r {
            Ok(v) => Decoded::Parsed(v),
            Err(e) => Decoded::Error(e.to_string()),
        }
    }
}

/// A file kept as bytes because this crate does not decode it (yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RawContent {
    /// What the file is and why it is shown raw.
    pub note: String,
    /// The file's bytes; serialized as upper-case hex.
    #[serde(rename = "hex", serialize_with = "serialize_hex")]
    pub bytes: Vec<u8>,
}

fn serialize_pairs<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

fn serialize_hex<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&to_hex(bytes))
}

/// The decoded content of one file, by kind. Serialized as the inner [`Decoded`] (or [`RawContent`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FileContent {
    /// EF.COM.
    Com(Decoded<Com>),
    /// DG1: the MRZ.
    Dg1(Decoded<Dg1>),
    /// DG2: encoded faces.
    Dg2(Decoded<Dg2>),
    /// DG3: fingerprints.
    Dg3(Decoded<Dg3>),
    /// DG4: irises.
    Dg4(Decoded<Dg4>),
    /// DG5, DG6 or DG7: displayed images.
    DisplayedImages(Decoded<DisplayedImageGroup>),
    /// DG11: additional personal details.
    Dg11(Decoded<Dg11>),
    /// DG12: additional document details.
    Dg12(Decoded<Dg12>),
    /// DG13: optional details (issuer-defined).
    Dg13(Decoded<Dg13>),
    /// DG14: SecurityInfos for Chip Authentication, summarised.
    Dg14(Decoded<SecurityInfosSummary>),
    /// DG15: the Active Authentication public key, summarised.
    Dg15(Decoded<Dg15Summary>),
    /// EF.CardAccess: SecurityInfos for PACE, summarised.
    CardAccess(Decoded<SecurityInfosSummary>),
    /// DG16: persons to notify.
    Dg16(Decoded<Dg16>),
    /// EF.SOD: the document security object, summarised.
    Sod(Decoded<SodSummary>),
    /// EF.DIR: the applications on the chip.
    Dir(Decoded<EfDir>),
    /// EF.ATR/INFO: the chip's capabilities.
    AtrInfo(Decoded<AtrInfo>),
    /// A file without a parser here.
    Raw(RawContent),
}

impl FileContent {
    /// The parse error message, if the file's parser rejected it.
    pub fn error(&self) -> Option<&str> {
        match self {
            FileContent::Com(d) => d.error(),
            FileContent::Dg1(d) => d.error(),
            FileContent::Dg2(d) => d.error(),
            FileContent::Dg3(d) => d.error(),
            FileContent::Dg4(d) => d.error(),
            FileContent::DisplayedImages(d) => d.error(),
            FileContent::Dg11(d) => d.error(),
            FileContent::Dg12(d) => d.error(),
            FileContent::Dg13(d) => d.error(),
            FileContent::Dg14(d) | FileContent::CardAccess(d) => d.error(),
            FileContent::Dg15(d) => d.error(),
            FileContent::Dg16(d) => d.error(),
            FileContent::Sod(d) => d.error(),
            FileContent::Dir(d) => d.error(),
            FileContent::AtrInfo(d) => d.error(),
            FileContent::Raw(_) => None,
        }
    }

    /// What breaks the file's structure, if anything: the parse error, or — where the parser goes on past
    /// a broken part to show the rest — that part: a biometric template (DG2, DG3, DG4) skipped or whose
    /// record cannot be read (ICAO 9303-10 §4.7.2: every template holds a readable record), or extended
    /// length information (EF.ATR/INFO, 7F66) with one length where ISO/IEC 7816-4 §12.7.1 requires the
    /// command's and the response's. Other warnings (unknown tags, odd values) are no defect.
    pub fn defect(&self) -> Option<String> {
        if let Some(e) = self.error() {
            return Some(e.to_string());
        }
        let unreadable = |unknown: &[(crate::asn1::Tag, Vec<u8>)]| {
            let n = unknown
                .iter()
                .filter(|(t, _)| {
                    matches!(
                        *t,
                        super::biometric::TAG_BIT
                            | super::biometric::TAG_BDB
                            | super::biometric::TAG_BDB_CONSTRUCTED
                    )
                })
                .count();
            (n > 0)
                .then(|| format!("{n} biometric information template(s) without a readable record"))
        };
        match self {
            FileContent::Dg2(Decoded::Parsed(d)) => unreadable(&d.unknown),
            FileContent::Dg3(Decoded::Parsed(d)) => unreadable(&d.unknown),
            FileContent::Dg4(Decoded::Parsed(d)) => unreadable(&d.unknown),
            FileContent::AtrInfo(Decoded::Parsed(a))
                if a.max_command_len.is_some() != a.max_response_len.is_some() =>
            {
                Some(
                    "the extended length information (7F66) holds one length; ISO/IEC 7816-4 requires the command's and the response's"
                        .into(),
                )
            }
            _ => None,
        }
    }

    /// True when the file was decoded by a parser (as opposed to kept raw or rejected).
    pub fn is_parsed(&self) -> bool {
        !matches!(self, FileContent::Raw(_)) && self.error().is_none()
    }
}

/// One decoded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedFile {
    /// Which file.
    pub file: LdsFile,
    /// Its length in bytes, as read.
    pub length: usize,
    /// What its parser made of it.
    pub content: FileContent,
}

/// Every file of a document, decoded, in reading order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DecodedFiles {
    /// One entry per file read.
    pub files: Vec<DecodedFile>,
}

macro_rules! accessor {
    ($(#[$doc:meta])* $name:ident, $variant:ident, $ty:ty, $file:expr) => {
        $(#[$doc])*
        pub fn $name(&self) -> Option<&Decoded<$ty>> {
            match self.content($file)? {
                FileContent::$variant(d) => Some(d),
                _ => None,
            }
        }
    };
}

impl DecodedFiles {
    /// The decoded content of `file`, if it was read.
    pub fn content(&self, file: LdsFile) -> Option<&FileContent> {
        self.files
            .iter()
            .find(|f| f.file == file)
            .map(|f| &f.content)
    }

    accessor!(
        /// DG2, if read.
        dg2, Dg2, Dg2, LdsFile::Dg(2)
    );
    accessor!(
        /// DG3, if read.
        dg3, Dg3, Dg3, LdsFile::Dg(3)
    );
    accessor!(
        /// DG4, if read.
        dg4, Dg4, Dg4, LdsFile::Dg(4)
    );
    accessor!(
        /// DG11, if read.
        dg11, Dg11, Dg11, LdsFile::Dg(11)
    );
    accessor!(
        /// DG12, if read.
        dg12, Dg12, Dg12, LdsFile::Dg(12)
    );
    accessor!(
        /// DG16, if read.
        dg16, Dg16, Dg16, LdsFile::Dg(16)
    );
    accessor!(
        /// EF.SOD, if read.
        sod, Sod, SodSummary, LdsFile::Sod
    );

    /// The files whose parser rejected them, with the message.
    pub fn errors(&self) -> impl Iterator<Item = (LdsFile, &str)> {
        self.files
            .iter()
            .filter_map(|f| f.content.error().map(|e| (f.file, e)))
    }
}

/// Decodes every file of `document` with its parser. Never fails: a file that does not parse carries its error.
pub fn decode(document: &Document) -> DecodedFiles {
    let mut files: Vec<DecodedFile> = document
        .read_order
        .iter()
        .filter_map(|f| document.raw(*f).map(|b| (*f, b)))
        .map(|(file, bytes)| DecodedFile {
            file,
            length: bytes.len(),
            content: decode_file(file, bytes),
        })
        .collect();
    // Files in `files` but missing from `read_order` (a document built by hand) are decoded too.
    for (file, bytes) in &document.files {
        if !files.iter().any(|d| d.file == *file) {
            files.push(DecodedFile {
                file: *file,
                length: bytes.len(),
                content: decode_file(*file, bytes),
            });
        }
    }
    DecodedFiles { files }
}

/// How one file is decoded: its parser, run on the file's bytes, wrapped in its [`FileContent`] variant.
pub type Decoder = fn(LdsFile, &[u8]) -> FileContent;

/// Runs `T`'s parser on the content of `file` ([`LdsElement::parse_file`]).
fn parse<T: LdsElement>(file: LdsFile, bytes: &[u8]) -> Decoded<T> {
    T::parse_file(file, bytes).into()
}

/// The registry: every file of the LDS this crate parses, and its parser. A file not listed is shown raw.
pub const PARSERS: &[(LdsFile, Decoder)] = &[
    (LdsFile::Com, |f, b| FileContent::Com(parse(f, b))),
    (LdsFile::Sod, |f, b| {
        FileContent::Sod(Sod::parse_file(f, b).map(|s| SodSummary::new(&s)).into())
    }),
    (LdsFile::Dir, |f, b| FileContent::Dir(parse(f, b))),
    (LdsFile::AtrInfo, |f, b| FileContent::AtrInfo(parse(f, b))),
    (LdsFile::CardAccess, |f, b| {
        FileContent::CardAccess(
            SecurityInfos::parse_file(f, b)
                .map(|s| SecurityInfosSummary::new(&s))
                .into(),
        )
    }),
    (LdsFile::Dg(1), |f, b| FileContent::Dg1(parse(f, b))),
    (LdsFile::Dg(2), |f, b| FileContent::Dg2(parse(f, b))),
    (LdsFile::Dg(3), |f, b| FileContent::Dg3(parse(f, b))),
    (LdsFile::Dg(4), |f, b| FileContent::Dg4(parse(f, b))),
    (LdsFile::Dg(5), |f, b| {
        FileContent::DisplayedImages(parse(f, b))
    }),
    (LdsFile::Dg(6), |f, b| {
        FileContent::DisplayedImages(parse(f, b))
    }),
    (LdsFile::Dg(7), |f, b| {
        FileContent::DisplayedImages(parse(f, b))
    }),
    (LdsFile::Dg(11), |f, b| FileContent::Dg11(parse(f, b))),
    (LdsFile::Dg(12), |f, b| FileContent::Dg12(parse(f, b))),
    (LdsFile::Dg(13), |f, b| FileContent::Dg13(parse(f, b))),
    (LdsFile::Dg(14), |f, b| {
        FileContent::Dg14(
            Dg14::parse_file(f, b)
                .map(|d| SecurityInfosSummary::new(&d.security_infos))
                .into(),
        )
    }),
    (LdsFile::Dg(15), |f, b| {
        FileContent::Dg15(Dg15::parse_file(f, b).map(|d| Dg15Summary::new(&d)).into())
    }),
    (LdsFile::Dg(16), |f, b| FileContent::Dg16(parse(f, b))),
];

/// The registry entry of `file`, if this crate parses it.
pub fn parser(file: LdsFile) -> Option<Decoder> {
    PARSERS
        .iter()
        .find(|(f, _)| *f == file)
        .map(|(_, decoder)| *decoder)
}

/// Decodes one file's bytes with the parser the registry ([`PARSERS`]) lists for `file`; a file without one is
/// kept raw with a note.
pub fn decode_file(file: LdsFile, bytes: &[u8]) -> FileContent {
    if let Some(decoder) = parser(file) {
        return decoder(file, bytes);
    }
    let note = match file {
        LdsFile::CardSecurity => {
            "EF.CardSecurity: signed SecurityInfos (CMS); not decoded by this build".to_owned()
        }
        LdsFile::Cvca => match crate::pki::cvc::parse_ef_cvca(bytes) {
            Ok(cars) => format!(
                "EF.CVCA: trust points {}",
                cars.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Err(e) => format!("EF.CVCA: {e}"),
        },
        other => format!("{other}: no parser for this data group"),
    };
    FileContent::Raw(RawContent {
        note,
        bytes: bytes.to_vec(),
    })
}

/// What a SecurityInfos set (EF.CardAccess, DG14) says, in a form that serializes: one line per SecurityInfo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityInfosSummary {
    /// Each SecurityInfo, described: "PACE-ECDH-GM-AES-128 v2, parameter id 13", "Chip Authentication ...".
    pub infos: Vec<String>,
    /// How many bytes followed the SET (tolerated padding).
    pub trailing_bytes: usize,
}

impl SecurityInfosSummary {
    /// Summarises a parsed SecurityInfos set.
    pub fn new(infos: &SecurityInfos) -> Self {
        SecurityInfosSummary {
            infos: infos.infos.iter().map(describe_security_info).collect(),
            trailing_bytes: infos.trailing.len(),
        }
    }
}

fn oid_text(encoded: &[u8]) -> String {
    crate::asn1::ObjectIdentifier::from_bytes(encoded)
        .map_or_else(|_| to_hex(encoded), |o| o.to_string())
}

fn key_id(id: Option<u32>) -> String {
    id.map(|id| format!(", key id {id}")).unwrap_or_default()
}

fn describe_security_info(info: &SecurityInfo) -> String {
    match info {
        SecurityInfo::Pace(p) => format!(
            "PACE-{}-{}-{} v{}{}",
            p.key_agreement.name(),
            p.mapping.name(),
            p.cipher.name(),
            p.version,
            p.parameter_id
                .map(|id| format!(", parameter id {id}"))
                .unwrap_or_default()
        ),
        SecurityInfo::PaceDomainParameters(d) => format!(
            "PACE domain parameters {}{}: {}",
            oid_text(&d.oid),
            d.parameter_id
                .map(|id| format!(" (id {id})"))
                .unwrap_or_default(),
            match &d.domain {
                Ok(domain) => domain.describe(),
                Err(e) => format!("refused: {e}"),
            }
        ),
        SecurityInfo::ChipAuthentication(c) => format!(
            "Chip Authentication {} v{}{}",
            oid_text(&c.oid),
            c.version,
            key_id(c.key_id)
        ),
        SecurityInfo::ChipAuthenticationPublicKey(k) => format!(
            "Chip Authentication public key {} ({} bytes){}",
            oid_text(&k.oid),
            k.public_key_info.len(),
            key_id(k.key_id)
        ),
        SecurityInfo::TerminalAuthentication(t) => {
            format!("Terminal Authentication v{}", t.version)
        }
        SecurityInfo::ActiveAuthentication(a) => format!(
            "Active Authentication v{}, signature algorithm {}",
            a.version,
            oid_text(&a.signature_algorithm)
        ),
        SecurityInfo::Unknown { oid, .. } => format!("other protocol {}", oid_text(oid)),
    }
}

/// What DG15 holds, in a form that serializes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dg15Summary {
    /// The Active Authentication key: "RSA-1024", "EC NIST P-256", ...
    pub public_key: String,
}

impl Dg15Summary {
    /// Summarises a parsed DG15.
    pub fn new(dg15: &Dg15) -> Self {
        Dg15Summary {
            public_key: dg15.describe(),
        }
    }
}

/// What an EF.SOD says, in a form that serializes: the hashes it protects and who signed it.
///
/// Nothing here is verified: this only describes the file (see `crate::pki::passive` for verification).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SodSummary {
    /// LDSSecurityObject version (0 or 1).
    pub version: u8,
    /// The hash algorithm of the data group hashes: "SHA-256", ...
    pub hash_algorithm: String,
    /// LDS version from LDSVersionInfo (v1 only).
    pub lds_version: Option<String>,
    /// Unicode version from LDSVersionInfo (v1 only).
    pub unicode_version: Option<String>,
    /// The eContentType OID as found.
    pub content_type: String,
    /// Each data group hash: ("DG1", upper-case hex), in data group order; serialized as a map.
    #[serde(serialize_with = "serialize_pairs")]
    pub data_group_hashes: Vec<(String, String)>,
    /// The signers (normally one).
    pub signers: Vec<SignerSummary>,
    /// How many certificates the SignedData carries.
    pub certificate_count: usize,
}

/// One SignerInfo of an EF.SOD and, when the SOD carries it, the signer's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerSummary {
    /// How the signer names its certificate: "issuer …, serial …" or "subject key id …".
    pub identifier: String,
    /// The digest algorithm name.
    pub digest_algorithm: String,
    /// The signature algorithm name.
    pub signature_algorithm: String,
    /// The signer's certificate (the document signer certificate), when found in the SOD.
    pub certificate: Option<CertificateSummary>,
}

/// The readable fields of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSummary {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number in hex.
    pub serial: String,
    /// Start of validity.
    pub not_before: String,
    /// End of validity.
    pub not_after: String,
    /// The public key: "RSA-2048", "EC brainpoolP256r1", ...
    pub public_key: String,
}

impl CertificateSummary {
    /// Summarises a parsed certificate.
    pub fn new(c: &Certificate) -> Self {
        CertificateSummary {
            subject: c.subject.to_string(),
            issuer: c.issuer.to_string(),
            serial: c.serial_hex(),
            not_before: c.not_before.to_string(),
            not_after: c.not_after.to_string(),
            public_key: describe_key(&c.public_key),
        }
    }
}

impl SodSummary {
    /// Summarises a parsed EF.SOD.
    pub fn new(sod: &Sod) -> Self {
        let certificates: Vec<Certificate> = sod
            .signed_data
            .certificates
            .iter()
            .filter_map(|c| Certificate::from_der(c).ok())
            .collect();
        SodSummary {
            version: sod.version,
            hash_algorithm: sod.hash_algorithm.name().to_owned(),
            lds_version: sod.lds_version.clone(),
            unicode_version: sod.unicode_version.clone(),
            content_type: sod.content_type.to_string(),
            data_group_hashes: sod
                .data_group_hashes
                .iter()
                .map(|(n, h)| (format!("DG{n}"), to_hex(h)))
                .collect(),
            signers: sod
                .signed_data
                .signer_infos
                .iter()
                .map(|si| SignerSummary {
                    identifier: signer_identifier(si),
                    digest_algorithm: algorithm_name(&si.digest_algorithm.oid),
                    signature_algorithm: describe_algorithm(
                        &si.signature_algorithm,
                        HashAlgorithm::from_oid(&si.digest_algorithm.oid),
                    ),
                    certificate: crate::pki::find_signer(si, &certificates)
                        .map(CertificateSummary::new),
                })
                .collect(),
            certificate_count: sod.signed_data.certificates.len(),
        }
    }
}

fn signer_identifier(si: &SignerInfo) -> String {
    match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber { issuer, serial } => {
            let name = Mode::Ber
                .parse_exact(issuer)
                .ok()
                .and_then(|e| Name::parse(&e).ok())
                .map_or_else(
                    || format!("(unreadable name {})", to_hex(issuer)),
                    |n| n.to_string(),
                );
            format!("issuer {name}, serial {}", to_hex(serial))
        }
        SignerIdentifier::SubjectKeyIdentifier(id) => format!("subject key id {}", to_hex(id)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn one_broken_file_does_not_fail_the_others() {
        let dg11 = crate::asn1::der::constructed(
            0x6B,
            &[
                &crate::asn1::der::tlv(0x5C, &[0x5F, 0x11]),
                &crate::asn1::der::tlv(0x5F11, b"LONDON<script>"),
            ],
        );
        let doc = Document::from_files([
            (LdsFile::Dg(2), vec![0x75, 0x03, 0x7F, 0x61]),
            (LdsFile::Dg(11), dg11),
            (LdsFile::Dg(14), vec![0x6E, 0x00]),
        ]);
        let decoded = decode(&doc);
        assert_eq!(decoded.files.len(), 3);
        let dg2 = decoded.dg2().unwrap();
        assert!(dg2.error().unwrap().contains("DG2"), "{dg2:?}");
        let dg11 = decoded.dg11().unwrap().parsed().unwrap();
        assert_eq!(dg11.place_of_birth.as_deref(), Some("LONDON<script>"));
        assert!(matches!(
            decoded.content(LdsFile::Dg(14)),
            Some(FileContent::Dg14(Decoded::Error(_)))
        ));
        assert_eq!(decoded.errors().count(), 2);
        let json = serde_json::to_value(&decoded).unwrap();
        assert!(json["files"][0]["content"]["error"].is_string(), "{json}");
        assert_eq!(json["files"][1]["file"], "DG11");
        assert!(json["files"][2]["content"]["error"].is_string(), "{json}");
    }

    #[test]
    fn wrong_tag_for_a_displayed_image_group_is_an_error() {
        let c = decode_file(LdsFile::Dg(5), &[0x67, 0x00]);
        assert!(c.error().unwrap().contains("DG5"));
        assert!(decode_file(LdsFile::Dg(9), &[]).error().is_none());
    }

    #[test]
    fn every_parsed_file_has_one_registry_entry_that_matches_its_parser() {
        use crate::lds::atr_info::AtrInfo;
        let mut listed: Vec<LdsFile> = PARSERS.iter().map(|(f, _)| *f).collect();
        listed.sort();
        listed.dedup();
        assert_eq!(listed.len(), PARSERS.len(), "a file is listed twice");
        // Every parser's FILES are registered, and every registered file is some parser's.
        let files: [&[LdsFile]; 16] = [
            Com::FILES,
            Sod::FILES,
            EfDir::FILES,
            AtrInfo::FILES,
            SecurityInfos::FILES,
            Dg1::FILES,
            Dg2::FILES,
            Dg3::FILES,
            Dg4::FILES,
            DisplayedImageGroup::FILES,
            Dg11::FILES,
            Dg12::FILES,
            Dg13::FILES,
            Dg14::FILES,
            Dg15::FILES,
            Dg16::FILES,
        ];
        let mut all: Vec<LdsFile> = files.concat();
        all.sort();
        assert_eq!(all, listed);
        for file in [LdsFile::CardSecurity, LdsFile::Cvca, LdsFile::Dg(8)] {
            assert!(parser(file).is_none());
        }
    }

    #[test]
    fn security_infos_and_the_aa_key_are_decoded() {
        let read = |p: &str| {
            std::fs::read(format!(
                "{}/../../test-vectors/data/{p}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        let dg14 = decode_file(
            LdsFile::Dg(14),
            &read("bsi-reference-dataset/Datagroup14.bin"),
        );
        let FileContent::Dg14(Decoded::Parsed(summary)) = &dg14 else {
            panic!("{dg14:?}")
        };
        assert!(
            summary
                .infos
                .iter()
                .any(|i| i.starts_with("Chip Authentication")),
            "{summary:?}"
        );
        let dg15 = decode_file(
            LdsFile::Dg(15),
            &read("bsi-reference-dataset/Datagroup15.bin"),
        );
        assert!(
            matches!(&dg15, FileContent::Dg15(Decoded::Parsed(s)) if s.public_key == "RSA-1024"),
            "{dg15:?}"
        );
        let ca = decode_file(
            LdsFile::CardAccess,
            &read("card-access/EF_CardAccess_DE.bin"),
        );
        let FileContent::CardAccess(Decoded::Parsed(summary)) = &ca else {
            panic!("{ca:?}")
        };
        assert!(
            summary.infos.iter().any(|i| i.starts_with("PACE-")),
            "{summary:?}"
        );
        // A DG15 read as DG14 is refused by its tag, naming the file.
        let wrong = decode_file(
            LdsFile::Dg(14),
            &read("bsi-reference-dataset/Datagroup15.bin"),
        );
        assert_eq!(wrong.error(), Some("DG14: expected tag 6E, found 6F"));
    }
}
