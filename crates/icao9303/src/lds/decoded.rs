//! Every file of a [`Document`] decoded by its parser, for reports and `mrtd inspect`.
//!
//! Each file is decoded on its own: a file whose parser fails carries the error message, and the other files are
//! still decoded. Files this crate has no parser for (DG14, DG15, EF.CardAccess, EF.CardSecurity, DG8–DG10) are
//! kept as raw bytes with a note saying so.

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
use super::dg16::Dg16;
use super::displayed_image::DisplayedImageGroup;
use super::ef_dir::EfDir;
use super::error::to_hex;
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
            FileContent::Dg16(d) => d.error(),
            FileContent::Sod(d) => d.error(),
            FileContent::Dir(d) => d.error(),
            FileContent::AtrInfo(d) => d.error(),
            FileContent::Raw(_) => None,
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

/// Decodes one file's bytes with the parser for `file`.
pub fn decode_file(file: LdsFile, bytes: &[u8]) -> FileContent {
    let raw = |note: &str| {
        FileContent::Raw(RawContent {
            note: note.to_owned(),
            bytes: bytes.to_vec(),
        })
    };
    match file {
        LdsFile::Com => FileContent::Com(Com::parse(bytes).into()),
        LdsFile::Sod => FileContent::Sod(Sod::parse(bytes).map(|s| SodSummary::new(&s)).into()),
        LdsFile::Dir => FileContent::Dir(EfDir::parse(bytes).into()),
        LdsFile::AtrInfo => FileContent::AtrInfo(AtrInfo::parse(bytes).into()),
        LdsFile::CardAccess => raw(
            "EF.CardAccess: SecurityInfos (PACE and other protocol parameters); not decoded by this build",
        ),
        LdsFile::CardSecurity => {
            raw("EF.CardSecurity: signed SecurityInfos (CMS); not decoded by this build")
        }
        LdsFile::Cvca => raw(&match crate::pki::cvc::parse_ef_cvca(bytes) {
            Ok(cars) => format!(
                "EF.CVCA: trust points {}",
                cars.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Err(e) => format!("EF.CVCA: {e}"),
        }),
        LdsFile::Dg(1) => FileContent::Dg1(Dg1::parse(bytes).into()),
        LdsFile::Dg(2) => FileContent::Dg2(Dg2::parse(bytes).into()),
        LdsFile::Dg(3) => FileContent::Dg3(Dg3::parse(bytes).into()),
        LdsFile::Dg(4) => FileContent::Dg4(Dg4::parse(bytes).into()),
        LdsFile::Dg(n @ 5..=7) => {
            let expected = 0x60 + n;
            if bytes.first() == Some(&expected) {
                FileContent::DisplayedImages(DisplayedImageGroup::parse(bytes).into())
            } else {
                FileContent::DisplayedImages(Decoded::Error(format!(
                    "DG{n}: expected tag {expected:X}, found {}",
                    bytes.first().map_or("nothing".into(), |b| format!("{b:X}"))
                )))
            }
        }
        LdsFile::Dg(11) => FileContent::Dg11(Dg11::parse(bytes).into()),
        LdsFile::Dg(12) => FileContent::Dg12(Dg12::parse(bytes).into()),
        LdsFile::Dg(13) => FileContent::Dg13(Dg13::parse(bytes).into()),
        LdsFile::Dg(14) => {
            raw("DG14: SecurityInfos for Chip Authentication; not decoded by this build")
        }
        LdsFile::Dg(15) => {
            raw("DG15: the Active Authentication public key; not decoded by this build")
        }
        LdsFile::Dg(16) => FileContent::Dg16(Dg16::parse(bytes).into()),
        LdsFile::Dg(n) => raw(&format!("DG{n}: no parser for this data group")),
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
            Some(FileContent::Raw(_))
        ));
        assert_eq!(decoded.errors().count(), 1);
        let json = serde_json::to_value(&decoded).unwrap();
        assert!(json["files"][0]["content"]["error"].is_string(), "{json}");
        assert_eq!(json["files"][1]["file"], "DG11");
        assert_eq!(json["files"][2]["content"]["hex"], "6E00");
    }

    #[test]
    fn wrong_tag_for_a_displayed_image_group_is_an_error() {
        let c = decode_file(LdsFile::Dg(5), &[0x67, 0x00]);
        assert!(c.error().unwrap().contains("DG5"));
        assert!(decode_file(LdsFile::Dg(9), &[]).error().is_none());
    }
}
