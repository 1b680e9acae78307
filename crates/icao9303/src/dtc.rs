//! The ICAO Digital Travel Credential, Type 1 ("eMRTD bound"): its virtual component (DTC-VC), one DER
//! structure holding the chip's EF.SOD and data groups byte for byte.
//!
//! ```text
//! DTCContentInfo ::= SEQUENCE {
//!     version  INTEGER { v1(1) },
//!     dtcData  SEQUENCE {
//!         dtcSOD  [0]  IMPLICIT OCTET STRING,            -- EF.SOD, starting with tag 77
//!         dtcDG1  [1]  IMPLICIT OCTET STRING,            -- EF.DG1, starting with tag 61
//!         dtcDG2  [2]  IMPLICIT OCTET STRING,            -- EF.DG2, starting with tag 75
//!         dtcDG3  [3]  IMPLICIT OCTET STRING OPTIONAL, … dtcDG16 [16] …,
//!         ...,
//!         dtcSecurityInfo [22] EXPLICIT … OPTIONAL,       -- Types 2/3 only: MUST NOT be in Type 1
//!         dtcOtherInfos   [23] EXPLICIT … OPTIONAL },     -- Types 2/3 only: MUST NOT be in Type 1
//!     dtcTBS        [0] EXPLICIT … OPTIONAL,              -- Types 2/3 only: MUST NOT be in Type 1
//!     dtcSignerInfo [1] EXPLICIT … OPTIONAL }             -- Types 2/3 only: MUST NOT be in Type 1
//! ```
//!
//! (ICAO TR "Digital Travel Credentials — Virtual Component Data Structure and PKI Mechanisms" v1.2, as
//! reproduced in the APTITUDE DTC rulebook; the primary text was not available.)
//!
//! Nobody signs a Type 1 DTC-VC: its only protection is the eMRTD's own EF.SOD, so verifying one is passive
//! authentication of the copied files ([`Dtc::document`] gives the [`Document`] that
//! [`crate::verify`] takes for a dump; [`Dtc::report`] runs it). A DTC-VC can be copied: without the chip it
//! proves the data is the issuer's, not that the presenter holds the document. [`Dtc::presentation_check`]
//! binds it to a chip read at presentation.
//!
//! The envelope must be DER (definite, minimal lengths; elements in ascending tag order, no duplicates);
//! the embedded files are kept exactly as the chip returned them and are never re-encoded (the EF.SOD inside
//! may be BER, and its signature covers those bytes). [`Dtc::parse`] followed by [`Dtc::to_der`] gives the
//! input back byte for byte.

use std::collections::BTreeMap;
use std::fmt::Write;

use thiserror::Error;

use crate::asn1::ErrorKind;
use crate::asn1::{self, Asn1Error, Tag, der};
use crate::document::Document;
use crate::lds::LdsFile;
use crate::lds::error::to_hex as hex;
use crate::lds::sod::{Sod, SodError};
use crate::pki::{Time, TrustStore};
use crate::report::{
    AuthenticityVerdict, Check, CheckId, NotCovered, NotCoveredReason, Report, ReportSource,
};
use crate::verify::Chip;

/// The version of `DTCContentInfo` this module reads and writes: `v1(1)`.
pub const VERSION: u8 = 1;

/// Tag of the SEQUENCEs `DTCContentInfo` and `dtcData`.
const SEQUENCE: Tag = 0x30;
/// Tag of `version` (INTEGER).
const INTEGER: Tag = 0x02;
/// Context-specific primitive class: `dtcSOD` is `[0]` = 80, `dtcDGn` is `[n]` = 80 | n.
const CONTEXT_PRIMITIVE: Tag = 0x80;
/// `dtcTBS [0] EXPLICIT` inside `DTCContentInfo` (Types 2 and 3).
const DTC_TBS: Tag = 0xA0;
/// `dtcSignerInfo [1] EXPLICIT` inside `DTCContentInfo` (Types 2 and 3).
const DTC_SIGNER_INFO: Tag = 0xA1;
/// `dtcSecurityInfo [22] EXPLICIT` inside `dtcData` (Types 2 and 3).
const DTC_SECURITY_INFO: Tag = 0xB6;
/// `dtcOtherInfos [23] EXPLICIT` inside `dtcData` (Types 2 and 3).
const DTC_OTHER_INFOS: Tag = 0xB7;

/// What is wrong with a DTC-VC, or why a document cannot be exported as one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DtcError {
    /// The encoding is not DER: truncated, an indefinite or non-minimal length.
    #[error("DTC-VC is not DER at offset {offset}: {what}")]
    NotDer {
        /// Offset in the DTC-VC of the offending byte.
        offset: usize,
        /// What was wrong.
        what: String,
    },
    /// Bytes follow the end of `DTCContentInfo`.
    #[error("DTC-VC: {count} trailing byte(s) after DTCContentInfo at offset {offset}")]
    TrailingBytes {
        /// Where the trailing bytes start.
        offset: usize,
        /// How many there are.
        count: usize,
    },
    /// An element has the wrong type (`DTCContentInfo` or `dtcData` not a SEQUENCE, `version` not an
    /// INTEGER).
    #[error("DTC-VC: {element} at offset {offset} must have tag {expected:02X}, found {found:X}")]
    UnexpectedTag {
        /// The ASN.1 component: "DTCContentInfo", "version", "dtcData".
        element: &'static str,
        /// Offset of the element.
        offset: usize,
        /// The tag the ASN.1 requires.
        expected: Tag,
        /// The tag found.
        found: Tag,
    },
    /// A mandatory element of a Type 1 DTC-VC is missing.
    #[error(
        "DTC-VC: {element} is missing (a Type 1 DTC-VC must hold version, dtcSOD, dtcDG1 and dtcDG2)"
    )]
    MissingElement {
        /// The ASN.1 component: "version", "dtcData", "dtcSOD", "dtcDG1", "dtcDG2".
        element: &'static str,
    },
    /// `version` is not `INTEGER 1`.
    #[error("DTC-VC: version must be INTEGER 1 (020101), found {found}")]
    Version {
        /// The whole element found, in hex.
        found: String,
    },
    /// `dtcTBS` or `dtcSignerInfo` is present: a DTC signed by a DTC signer (Type 2 or 3), not Type 1.
    #[error(
        "DTC-VC: {element} at offset {offset} is present: this is a signed Type 2 or Type 3 DTC \
         (it has Type 2/3 signature parts), not a Type 1 (eMRTD bound) DTC-VC"
    )]
    NotType1 {
        /// "dtcTBS" or "dtcSignerInfo".
        element: &'static str,
        /// Offset of the element.
        offset: usize,
    },
    /// `dtcSecurityInfo` or `dtcOtherInfos` is present, which Type 1 forbids.
    #[error(
        "DTC-VC: {element} at offset {offset} MUST NOT be present in a Type 1 (eMRTD bound) DTC-VC"
    )]
    ForbiddenInType1 {
        /// "dtcSecurityInfo" or "dtcOtherInfos".
        element: &'static str,
        /// Offset of the element.
        offset: usize,
    },
    /// An element the Type 1 structure does not define (an extension such as `[17]`, a constructed
    /// data group, a universal tag).
    #[error("DTC-VC: unexpected element with tag {tag:X} at offset {offset} in {parent}")]
    UnknownElement {
        /// "DTCContentInfo" or "dtcData".
        parent: &'static str,
        /// The tag found.
        tag: Tag,
        /// Offset of the element.
        offset: usize,
    },
    /// Elements of `dtcData` are not in ascending tag order (DER orders SEQUENCE components as defined).
    #[error(
        "DTC-VC: {element} at offset {offset} comes after {after}: DER requires ascending tag order"
    )]
    Order {
        /// The element out of order.
        element: String,
        /// The element it follows.
        after: String,
        /// Offset of the element.
        offset: usize,
    },
    /// An element of `dtcData` appears twice.
    #[error("DTC-VC: {element} appears twice (second at offset {offset})")]
    Duplicate {
        /// The repeated element.
        element: String,
        /// Offset of the repeat.
        offset: usize,
    },
    /// An element does not hold the elementary file its tag names (ICAO 9303-10 tag of that file).
    #[error(
        "DTC-VC: {element} must hold the whole {file} starting with its tag {expected:02X}, found tag {found:X}"
    )]
    WrongFileTag {
        /// The element: "dtcSOD", "dtcDG2", ...
        element: String,
        /// The file its tag names.
        file: LdsFile,
        /// The file's ICAO 9303-10 tag.
        expected: Tag,
        /// The tag found at the start of the content.
        found: Tag,
    },
    /// An element's content is not exactly one TLV (truncated, malformed, or bytes after the file's TLV).
    #[error("DTC-VC: {element} must hold exactly the {file} TLV: {what}")]
    FileEncoding {
        /// The element: "dtcSOD", "dtcDG1", ...
        element: String,
        /// The file its tag names.
        file: LdsFile,
        /// What was wrong.
        what: String,
    },
    /// Export: a file a Type 1 DTC-VC must hold was not read.
    #[error("cannot export a Type 1 DTC-VC: {0} was not read (EF.SOD, DG1 and DG2 are mandatory)")]
    MissingFile(LdsFile),
    /// Export: EF.SOD does not parse, so no data group can be checked against it.
    #[error("cannot export a DTC-VC: {0}")]
    Sod(#[source] SodError),
    /// Export: a mandatory data group does not match EF.SOD (altered, or not listed).
    #[error("cannot export a DTC-VC: {file}: {reason}")]
    NotAuthenticated {
        /// DG1 or DG2.
        file: LdsFile,
        /// Why it cannot be exported.
        reason: String,
    },
}

/// The ASN.1 component name of `dtcData` element `n`: "dtcSOD" for 0, "dtcDGn" otherwise.
pub fn element_name(n: u8) -> String {
    match n {
        0 => "dtcSOD".into(),
        n => format!("dtcDG{n}"),
    }
}

/// The elementary file `dtcData` element `n` holds.
fn element_file(n: u8) -> LdsFile {
    match n {
        0 => LdsFile::Sod,
        n => LdsFile::Dg(n),
    }
}

/// One element of an encoded DTC-VC and where it lies, for tests and `mrtd inspect`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Element {
    /// The ASN.1 component: "DTCContentInfo", "version", "dtcData", "dtcSOD", "dtcDG1", ...
    pub name: String,
    /// The elementary file the element holds ("EF.SOD", "DG1", ...); none for the envelope's parts.
    pub file: Option<LdsFile>,
    /// Offset of the element's tag in the DTC-VC.
    pub offset: usize,
    /// The element's tag and length bytes, in hex ("8082078E").
    pub header: String,
    /// Bytes of tag and length.
    pub header_len: usize,
    /// Bytes of content.
    pub content_len: usize,
}

/// What [`Dtc::from_document`] may include.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Include DG3 (fingerprints) and DG4 (irises) when they were read. Off by default: on the chip they
    /// are protected by Extended Access Control, and a DTC-VC file has no such protection.
    pub include_biometrics: bool,
}

/// A file that was read but left out of an exported DTC-VC, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omitted {
    /// The file.
    pub file: LdsFile,
    /// Why it was not exported.
    pub reason: String,
}

/// The result of [`Dtc::from_document`]: the DTC-VC and the data groups left out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The DTC-VC.
    pub dtc: Dtc,
    /// The data groups that were read but not exported, with the reason.
    pub omitted: Vec<Omitted>,
}

/// A Type 1 DTC-VC: EF.SOD and data groups (DG1 and DG2 always), each the exact bytes of the elementary
/// file, starting with the file's ICAO 9303-10 tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dtc {
    sod: Vec<u8>,
    /// Data group number (1..=16) → file bytes; always holds 1 and 2.
    data_groups: BTreeMap<u8, Vec<u8>>,
}

impl Dtc {
    /// Builds a Type 1 DTC-VC from a document read from a chip (or loaded from a dump): EF.SOD and every data
    /// group that EF.SOD lists and whose hash matches, in ascending order, each exactly as read. DG3 and DG4
    /// only with [`ExportOptions::include_biometrics`]. A data group that EF.SOD does not list, or whose hash
    /// differs, is never exported (it is in [`Export::omitted`]); EF.COM and the master file's files have no
    /// place in a DTC-VC. Fails when EF.SOD, DG1 or DG2 is missing, EF.SOD does not parse, or DG1 or DG2 does
    /// not match EF.SOD.
    pub fn from_document(document: &Document, options: ExportOptions) -> Result<Export, DtcError> {
        let sod_bytes = document
            .raw(LdsFile::Sod)
            .ok_or(DtcError::MissingFile(LdsFile::Sod))?;
        for n in [1, 2] {
            if document.raw(LdsFile::Dg(n)).is_none() {
                return Err(DtcError::MissingFile(LdsFile::Dg(n)));
            }
        }
        check_file_tlv(0, sod_bytes)?;
        let sod = Sod::parse(sod_bytes).map_err(DtcError::Sod)?;
        let mut data_groups = BTreeMap::new();
        let mut omitted = Vec::new();
        for (n, bytes) in document.data_groups() {
            let file = LdsFile::Dg(n);
            let mandatory = matches!(n, 1 | 2);
            let reason = if !(1..=16).contains(&n) {
                Some("not a data group of the LDS".to_string())
            } else if matches!(n, 3 | 4) && !options.include_biometrics {
                Some(
                    "biometric data protected by Extended Access Control on the chip: exported only when asked"
                        .to_string(),
                )
            } else {
                match sod.check_data_group(n, bytes) {
                    None => Some("not listed in EF.SOD: it cannot be authenticated".to_string()),
                    Some(false) => Some(format!(
                        "does not match its {} hash in EF.SOD",
                        sod.hash_algorithm.name()
                    )),
                    Some(true) => check_file_tlv(n, bytes).err().map(|e| e.to_string()),
                }
            };
            match reason {
                Some(reason) if mandatory => {
                    return Err(DtcError::NotAuthenticated { file, reason });
                }
                Some(reason) => omitted.push(Omitted { file, reason }),
                None => {
                    data_groups.insert(n, bytes.to_vec());
                }
            }
        }
        Ok(Export {
            dtc: Dtc {
                sod: sod_bytes.to_vec(),
                data_groups,
            },
            omitted,
        })
    }

    /// Parses a DTC-VC strictly: DER only, exactly one `DTCContentInfo` with no trailing bytes, version 1,
    /// no Type 2/3 parts (`dtcTBS`, `dtcSignerInfo`, `dtcSecurityInfo`, `dtcOtherInfos`), no element Type 1
    /// does not define, `dtcData` elements in ascending tag order without repeats, `dtcSOD`, `dtcDG1` and
    /// `dtcDG2` present, and each element exactly one TLV of the file its tag names (EF.SOD with tag 77, DG1
    /// with 61, ...). Whether the files match EF.SOD is passive authentication's job ([`Dtc::report`]).
    pub fn parse(bytes: &[u8]) -> Result<Dtc, DtcError> {
        let outer = der_element(bytes, 0)?;
        if outer.tag != SEQUENCE {
            return Err(DtcError::UnexpectedTag {
                element: "DTCContentInfo",
                offset: 0,
                expected: SEQUENCE,
                found: outer.tag,
            });
        }
        if outer.end < bytes.len() {
            return Err(DtcError::TrailingBytes {
                offset: outer.end,
                count: bytes.len() - outer.end,
            });
        }
        // DTCContentInfo: version, dtcData, and nothing else in Type 1.
        let top = der_children(bytes, &outer)?;
        let version = top
            .first()
            .ok_or(DtcError::MissingElement { element: "version" })?;
        if version.tag != INTEGER {
            return Err(DtcError::UnexpectedTag {
                element: "version",
                offset: version.offset,
                expected: INTEGER,
                found: version.tag,
            });
        }
        if version.content(bytes) != [VERSION] {
            return Err(DtcError::Version {
                found: hex(&bytes[version.offset..version.end]),
            });
        }
        let data = top
            .get(1)
            .ok_or(DtcError::MissingElement { element: "dtcData" })?;
        if data.tag != SEQUENCE {
            return Err(DtcError::UnexpectedTag {
                element: "dtcData",
                offset: data.offset,
                expected: SEQUENCE,
                found: data.tag,
            });
        }
        if let Some(extra) = top.get(2) {
            return Err(match extra.tag {
                DTC_TBS => DtcError::NotType1 {
                    element: "dtcTBS",
                    offset: extra.offset,
                },
                DTC_SIGNER_INFO => DtcError::NotType1 {
                    element: "dtcSignerInfo",
                    offset: extra.offset,
                },
                tag => DtcError::UnknownElement {
                    parent: "DTCContentInfo",
                    tag,
                    offset: extra.offset,
                },
            });
        }
        // dtcData: [0] SOD, [1]..[16] data groups, ascending.
        let mut sod = None;
        let mut data_groups = BTreeMap::new();
        let mut previous: Option<u8> = None;
        for el in der_children(bytes, data)? {
            let n = match el.tag {
                t if (CONTEXT_PRIMITIVE..=(CONTEXT_PRIMITIVE | 16)).contains(&t) => {
                    (t - CONTEXT_PRIMITIVE) as u8
                }
                DTC_SECURITY_INFO => {
                    return Err(DtcError::ForbiddenInType1 {
                        element: "dtcSecurityInfo",
                        offset: el.offset,
                    });
                }
                DTC_OTHER_INFOS => {
                    return Err(DtcError::ForbiddenInType1 {
                        element: "dtcOtherInfos",
                        offset: el.offset,
                    });
                }
                tag => {
                    return Err(DtcError::UnknownElement {
                        parent: "dtcData",
                        tag,
                        offset: el.offset,
                    });
                }
            };
            match previous {
                Some(p) if p == n => {
                    return Err(DtcError::Duplicate {
                        element: element_name(n),
                        offset: el.offset,
                    });
                }
                Some(p) if p > n => {
                    return Err(DtcError::Order {
                        element: element_name(n),
                        after: element_name(p),
                        offset: el.offset,
                    });
                }
                _ => {}
            }
            previous = Some(n);
            let content = el.content(bytes);
            check_file_tlv(n, content)?;
            if n == 0 {
                sod = Some(content.to_vec());
            } else {
                data_groups.insert(n, content.to_vec());
            }
        }
        let sod = sod.ok_or(DtcError::MissingElement { element: "dtcSOD" })?;
        for (n, element) in [(1, "dtcDG1"), (2, "dtcDG2")] {
            if !data_groups.contains_key(&n) {
                return Err(DtcError::MissingElement { element });
            }
        }
        Ok(Dtc { sod, data_groups })
    }

    /// The DER encoding of the DTC-VC: `DTCContentInfo` with version 1 and `dtcData`, the files unchanged.
    pub fn to_der(&self) -> Vec<u8> {
        let mut data = der::tlv(CONTEXT_PRIMITIVE, &self.sod);
        for (n, bytes) in &self.data_groups {
            data.extend(der::tlv(CONTEXT_PRIMITIVE | Tag::from(*n), bytes));
        }
        let mut content = der::tlv(INTEGER, &[VERSION]);
        content.extend(der::tlv(SEQUENCE, &data));
        der::tlv(SEQUENCE, &content)
    }

    /// The elements of [`Dtc::to_der`]'s encoding with their offsets and lengths, in order:
    /// `DTCContentInfo`, `version`, `dtcData`, `dtcSOD`, `dtcDG1`, ...
    pub fn layout(&self) -> Vec<Element> {
        let entries: Vec<(u8, usize)> = std::iter::once((0, self.sod.len()))
            .chain(self.data_groups.iter().map(|(n, b)| (*n, b.len())))
            .collect();
        let data_len: usize = entries
            .iter()
            .map(|(_, len)| header_of(CONTEXT_PRIMITIVE, *len).len() + len)
            .sum();
        let version_len = 3;
        let data_header = header_of(SEQUENCE, data_len);
        let outer_len = version_len + data_header.len() + data_len;
        let outer_header = header_of(SEQUENCE, outer_len);
        let element = |name: String, file, offset, header: Vec<u8>, content_len| Element {
            name,
            file,
            offset,
            header: hex(&header),
            header_len: header.len(),
            content_len,
        };
        let mut out = vec![
            element(
                "DTCContentInfo".into(),
                None,
                0,
                outer_header.clone(),
                outer_len,
            ),
            element(
                "version".into(),
                None,
                outer_header.len(),
                vec![0x02, 0x01],
                1,
            ),
        ];
        let mut offset = outer_header.len() + version_len;
        out.push(element(
            "dtcData".into(),
            None,
            offset,
            data_header.clone(),
            data_len,
        ));
        offset += data_header.len();
        for (n, len) in entries {
            let header = header_of(CONTEXT_PRIMITIVE | Tag::from(n), len);
            let size = header.len() + len;
            out.push(element(
                element_name(n),
                Some(element_file(n)),
                offset,
                header,
                len,
            ));
            offset += size;
        }
        out
    }

    /// The EF.SOD bytes.
    pub fn sod(&self) -> &[u8] {
        &self.sod
    }

    /// The bytes of data group `n`, if the DTC-VC holds it.
    pub fn data_group(&self, n: u8) -> Option<&[u8]> {
        self.data_groups.get(&n).map(Vec::as_slice)
    }

    /// The data groups, in ascending number.
    pub fn data_groups(&self) -> impl Iterator<Item = (u8, &[u8])> {
        self.data_groups.iter().map(|(n, b)| (*n, b.as_slice()))
    }

    /// The files as a [`Document`] (EF.SOD, then the data groups), the same value passive authentication
    /// takes for a dump read from a chip.
    pub fn document(&self) -> Document {
        Document::from_files(
            std::iter::once((LdsFile::Sod, self.sod.clone())).chain(
                self.data_groups
                    .iter()
                    .map(|(n, b)| (LdsFile::Dg(*n), b.clone())),
            ),
        )
    }

    /// Verifies the DTC-VC offline: the same checks, passive authentication and verdict as a dump
    /// ([`crate::verify::report`] with no chip present; a data group EF.SOD does not list fails), plus the
    /// [`CheckId::Dtc`] structure line and a not-checked [`CheckId::ChipAuthenticity`] line: the chip was not
    /// present, so a DTC-VC alone cannot show the chip genuine or the presenter its holder. The report's
    /// `source` is [`ReportSource::DtcVc`].
    pub fn report(&self, trust: Option<&TrustStore>, at: Time) -> Report {
        let document = self.document();
        let chip_absent = Check::not_checked(
            CheckId::ChipAuthenticity,
            "the chip was not present: a DTC-VC can be copied, so alone it proves the data is the issuer's, \
             not that the chip is genuine or that the presenter holds the document (present the chip to bind them)",
        );
        let mut report = crate::verify::report(
            &document,
            None,
            vec![chip_absent],
            &self.scope(),
            trust,
            at,
            Chip::NotPresent,
        );
        report.source = ReportSource::DtcVc;
        let files: Vec<String> = std::iter::once("EF.SOD".to_string())
            .chain(self.data_groups.keys().map(|n| format!("DG{n}")))
            .collect();
        report.checks.insert(
            0,
            Check::valid(
                CheckId::Dtc,
                format!(
                    "Type 1 (eMRTD bound) virtual component, version {VERSION}, DER: {}",
                    files.join(", ")
                ),
            ),
        );
        report
    }

    /// What the DTC format lets the holder leave out, for the verdict's coverage: DG3 and DG4, the
    /// EAC-protected biometrics a DTC-VC does not carry unless asked ([`ExportOptions::include_biometrics`];
    /// design notes "Which data groups to export"). Any other data group EF.SOD lists and the DTC-VC
    /// lacks keeps the verdict from `verified`.
    fn scope(&self) -> crate::verify::Scope {
        let absent = [3u8, 4]
            .into_iter()
            .filter(|n| !self.data_groups.contains_key(n))
            .map(|n| {
                NotCovered::new(
                    n,
                    NotCoveredReason::OmittedFromDtc,
                    "not in the DTC-VC: a DTC-VC leaves out the biometrics the chip protects with Extended Access Control",
                )
            })
            .collect();
        crate::verify::Scope {
            left_out: Default::default(),
            absent,
        }
    }

    /// The check that binds this DTC-VC to a chip read at presentation (`chip` and `chip_report` from the
    /// live read): the chip's EF.SOD must be byte-identical to the DTC-VC's, every data group the chip
    /// returned must equal the DTC-VC's, those it did not return must match EF.SOD, and the chip must be
    /// genuine (`chip_report`'s chip authenticity: Chip Authentication, PACE-CAM or Active Authentication
    /// with a key from a file that passed passive authentication). Without a genuine verdict the binding is
    /// valid with a warning: a clone of the chip would match as well. Add it to the live report with
    /// [`crate::verify::add_check`], which updates the verdict.
    pub fn presentation_check(&self, chip: &Document, chip_report: &Report) -> Check {
        const ID: CheckId = CheckId::DtcBinding;
        let Some(chip_sod) = chip.raw(LdsFile::Sod) else {
            return Check::invalid(
                ID,
                "the chip's EF.SOD was not read: the DTC-VC cannot be bound to it",
            );
        };
        if chip_sod != self.sod.as_slice() {
            return Check::invalid(
                ID,
                "the chip's EF.SOD differs from the DTC-VC's: the DTC-VC was not copied from this document",
            );
        }
        let mut same = Vec::new();
        let mut by_hash = Vec::new();
        let own = self.document();
        for (n, bytes) in self.data_groups() {
            match chip.raw(LdsFile::Dg(n)) {
                Some(c) if c == bytes => same.push(format!("DG{n}")),
                Some(_) => {
                    return Check::invalid(
                        ID,
                        format!("DG{n} differs between the chip and the DTC-VC"),
                    );
                }
                None => {
                    let verdict = own.hash_status(LdsFile::Dg(n));
                    if !verdict.is_valid() {
                        return Check::invalid(
                            ID,
                            format!(
                                "DG{n} of the DTC-VC was not read from the chip, and its hash: {}",
                                verdict.reason
                            ),
                        );
                    }
                    by_hash.push(format!("DG{n}"));
                }
            }
        }
        let mut reason = "the chip's EF.SOD is byte-identical to the DTC-VC's".to_string();
        if !same.is_empty() {
            let _ = write!(reason, "; the chip returned the same {}", same.join(", "));
        }
        if !by_hash.is_empty() {
            let _ = write!(
                reason,
                "; {} not read from the chip, matched against EF.SOD",
                by_hash.join(", ")
            );
        }
        match &chip_report.chip_authenticity {
            Some(a) if a.verdict == AuthenticityVerdict::Genuine => {
                reason.push_str(
                    "; the chip is genuine: the DTC-VC belongs to the document presented",
                );
                Check::valid(ID, reason)
            }
            Some(a) if a.verdict == AuthenticityVerdict::Failed => Check::invalid(
                ID,
                format!("{reason}, but the chip failed chip authentication: it may be a clone"),
            ),
            other => {
                let why = other
                    .as_ref()
                    .map_or("no chip authentication was run", |a| a.reason.as_str());
                Check::valid_with_warning(
                    ID,
                    format!(
                        "{reason}, but the chip is not proven genuine ({why}): a clone of the chip would match as well"
                    ),
                )
            }
        }
    }
}

/// Checks that `content` (the content of `dtcData` element `n`) is exactly one TLV of the file the element
/// names, starting with that file's ICAO 9303-10 tag. The file itself may be BER: only its outer tag and
/// length are examined.
fn check_file_tlv(n: u8, content: &[u8]) -> Result<(), DtcError> {
    let file = element_file(n);
    let Some(expected) = file.tag() else {
        return Err(DtcError::FileEncoding {
            element: element_name(n),
            file,
            what: "no ICAO 9303-10 tag is defined for this file".into(),
        });
    };
    match asn1::parse_tagged(content, expected) {
        Ok(_) => Ok(()),
        Err(Asn1Error {
            kind: ErrorKind::UnexpectedTag { .. },
            tag: Some(found),
            ..
        }) => Err(DtcError::WrongFileTag {
            element: element_name(n),
            file,
            expected,
            found,
        }),
        Err(e) => Err(DtcError::FileEncoding {
            element: element_name(n),
            file,
            what: e.to_string(),
        }),
    }
}

// The DER reading of the envelope, in one place: every DTC-VC element goes through `der_element`.

/// One DER element of the envelope, located in the whole DTC-VC.
#[derive(Debug, Clone, Copy)]
struct DerElement {
    tag: Tag,
    /// Offset of the tag.
    offset: usize,
    /// Offset of the content.
    content_start: usize,
    /// Offset just past the content.
    end: usize,
}

impl DerElement {
    fn content<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        &bytes[self.content_start..self.end]
    }
}

/// Reads the DER element at `offset` of `bytes` (up to the end of `bytes`): a definite length in its
/// shortest form, a single-byte tag.
fn der_element(bytes: &[u8], offset: usize) -> Result<DerElement, DtcError> {
    let input = bytes.get(offset..).unwrap_or_default();
    let shift = |e: Asn1Error| {
        // An indefinite length is reported at its element; point at the length octet itself.
        let at = match e.kind {
            ErrorKind::IndefiniteLength => {
                let tag_len = input
                    .get(e.offset..)
                    .and_then(|rest| crate::asn1::parse_tag(rest).ok())
                    .map_or(0, |(_, n)| n);
                e.offset + tag_len
            }
            // Truncation: where the bytes ran out.
            ErrorKind::Truncated(_) => input.len(),
            _ => e.offset,
        };
        DtcError::NotDer {
            offset: offset + at,
            what: e.kind.to_string(),
        }
    };
    let (tlv, _) = asn1::parse_one(input).map_err(shift)?;
    let header = tlv.raw.len() - tlv.value.len();
    let mut canonical = Vec::with_capacity(6);
    der::write_tag(tlv.tag, &mut canonical);
    if canonical.len() != 1 {
        return Err(DtcError::NotDer {
            offset,
            what: format!(
                "tag {:X} takes more than one byte (no DTC-VC element does)",
                tlv.tag
            ),
        });
    }
    der::write_length(tlv.value.len(), &mut canonical);
    if canonical.as_slice() != &tlv.raw[..header] {
        return Err(DtcError::NotDer {
            offset: offset + 1,
            what: format!(
                "length {} is not in its shortest form (DER): {} instead of {}",
                tlv.value.len(),
                hex(&tlv.raw[1..header]),
                hex(&canonical[1..])
            ),
        });
    }
    Ok(DerElement {
        tag: tlv.tag,
        offset,
        content_start: offset + header,
        end: offset + tlv.raw.len(),
    })
}

/// The DER elements that make up the content of `parent`.
fn der_children(bytes: &[u8], parent: &DerElement) -> Result<Vec<DerElement>, DtcError> {
    let mut out = Vec::new();
    let mut at = parent.content_start;
    while at < parent.end {
        let el = der_element(&bytes[..parent.end], at)?;
        at = el.end;
        out.push(el);
    }
    Ok(out)
}

/// The DER tag and length bytes of an element with `content_len` bytes of content.
fn header_of(tag: Tag, content_len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(6);
    der::write_tag(tag, &mut out);
    der::write_length(content_len, &mut out);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn wrap(tag: Tag, content: &[u8]) -> Vec<u8> {
        der::tlv(tag, content)
    }

    #[test]
    fn der_element_rejects_non_minimal_and_indefinite_lengths() {
        assert!(der_element(&[0x81, 0x01, 0x00], 0).is_ok());
        assert!(matches!(
            der_element(&[0x81, 0x81, 0x01, 0x00], 0),
            Err(DtcError::NotDer { offset: 1, .. })
        ));
        assert!(matches!(
            der_element(&[0x30, 0x82, 0x00, 0x01, 0x00], 0),
            Err(DtcError::NotDer { offset: 1, .. })
        ));
        assert!(matches!(
            der_element(&[0x30, 0x80, 0x00, 0x00], 0),
            Err(DtcError::NotDer { offset: 1, .. })
        ));
        assert!(matches!(
            der_element(&[0x9F, 0x05, 0x00], 0),
            Err(DtcError::NotDer { offset: 0, .. })
        ));
        // Truncation is reported at the absolute offset where bytes ran out.
        assert_eq!(
            der_element(&[0, 0, 0x30, 0x05, 0x01], 2).unwrap_err(),
            DtcError::NotDer {
                offset: 5,
                what: "truncated value".into()
            }
        );
    }

    #[test]
    fn header_of_uses_the_shortest_length() {
        assert_eq!(header_of(0x81, 0x5D), vec![0x81, 0x5D]);
        assert_eq!(header_of(0x8F, 0xA5), vec![0x8F, 0x81, 0xA5]);
        assert_eq!(header_of(0x90, 0x3AEB), vec![0x90, 0x82, 0x3A, 0xEB]);
        assert_eq!(
            header_of(0x30, 0x01_0000),
            vec![0x30, 0x83, 0x01, 0x00, 0x00]
        );
    }

    #[test]
    fn data_group_16_uses_tag_90() {
        let dtc = Dtc {
            sod: wrap(0x77, &[]),
            data_groups: [
                (1, wrap(0x61, &[])),
                (2, wrap(0x75, &[])),
                (16, wrap(0x70, &[1])),
            ]
            .into_iter()
            .collect(),
        };
        let der = dtc.to_der();
        assert_eq!(
            hex(&der),
            "301602010130118002770081026100820275009003700101"
        );
        assert_eq!(Dtc::parse(&der).unwrap(), dtc);
        let layout = dtc.layout();
        assert_eq!(layout.last().unwrap().header, "9003");
        assert_eq!(layout.last().unwrap().offset, der.len() - 5);
    }
}
