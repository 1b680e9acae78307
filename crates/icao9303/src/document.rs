//! A document read from a chip (or loaded from a dump): the raw bytes of every file, the parsed values,
//! and the checks that need nothing but the files themselves (parsing, MRZ check digits, data group
//! hashes against EF.SOD).
//!
//! Hashes are always computed over the bytes as read, never over re-encoded structures.

use crate::lds::LdsFile;
use crate::lds::com::Com;
use crate::lds::dg1::Dg1;
use crate::lds::sod::Sod;
use crate::report::{Check, CheckId, CheckStatus, FileReport, Verdict};
use std::collections::BTreeMap;

/// The files of a document and what could be parsed from them.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Raw bytes of every file read, by file.
    pub files: BTreeMap<LdsFile, Vec<u8>>,
    /// Files in the order they were read.
    pub read_order: Vec<LdsFile>,
    /// EF.COM, if present and well-formed.
    pub com: Option<Com>,
    /// DG1, if present and well-formed.
    pub dg1: Option<Dg1>,
    /// EF.SOD, if present and well-formed.
    pub sod: Option<Sod>,
}

impl Document {
    /// Builds a document from raw files (in reading order) and parses what it can; parse failures are kept
    /// for [`Document::checks`].
    pub fn from_files(files: impl IntoIterator<Item = (LdsFile, Vec<u8>)>) -> Document {
        let mut doc = Document::default();
        for (f, bytes) in files {
            if !doc.files.contains_key(&f) {
                doc.read_order.push(f);
            }
            doc.files.insert(f, bytes);
        }
        doc.com = doc.raw(LdsFile::Com).and_then(|b| Com::parse(b).ok());
        doc.dg1 = doc.raw(LdsFile::Dg(1)).and_then(|b| Dg1::parse(b).ok());
        doc.sod = doc.raw(LdsFile::Sod).and_then(|b| Sod::parse(b).ok());
        doc
    }

    /// The raw bytes of a file, if it was read.
    pub fn raw(&self, file: LdsFile) -> Option<&[u8]> {
        self.files.get(&file).map(Vec::as_slice)
    }

    /// The data groups read, in number order.
    pub fn data_groups(&self) -> impl Iterator<Item = (u8, &[u8])> {
        self.files.iter().filter_map(|(f, b)| match f {
            LdsFile::Dg(n) => Some((*n, b.as_slice())),
            _ => None,
        })
    }

    /// The hash verdict for one file read: valid or invalid against EF.SOD (invalid also for a data group
    /// EF.SOD does not list, see [`crate::pki::data_group_hash`]); not checked for a file EF.SOD does not
    /// cover, a file not read, or without a readable EF.SOD.
    pub fn hash_status(&self, file: LdsFile) -> Verdict {
        let (LdsFile::Dg(n), Some(bytes)) = (file, self.raw(file)) else {
            return Verdict::not_checked("not covered by EF.SOD");
        };
        match &self.sod {
            None => Verdict::not_checked("no readable EF.SOD"),
            Some(sod) => crate::pki::data_group_hash(sod, n, bytes),
        }
    }

    /// True when data group `n` was read and its hash matches EF.SOD: only then is its content the
    /// issuer's, to be shown as the holder's.
    pub fn is_signed(&self, n: u8) -> bool {
        self.hash_status(LdsFile::Dg(n)).is_valid()
    }

    /// One entry per file read, for the report, with each data group's hash status taken from `checks`
    /// (what [`Document::checks`] returned: its [`CheckId::DgHash`] checks), so that a data group is
    /// hashed once per verification. A file EF.SOD does not cover is not checked.
    pub fn file_reports(&self, checks: &[Check]) -> Vec<FileReport> {
        self.read_order
            .iter()
            .map(|f| FileReport {
                id: f.name(),
                fid: format!("{:04X}", f.fid()),
                length: self.raw(*f).map_or(0, <[u8]>::len),
                hash: match f {
                    LdsFile::Dg(n) => checks
                        .iter()
                        .find(|c| c.id == CheckId::DgHash(*n))
                        .map_or(CheckStatus::NotChecked, |c| c.verdict.status),
                    _ => CheckStatus::NotChecked,
                },
            })
            .collect()
    }

    /// The checks that need only the files: EF.SOD parses, DG1 parses and its check digits, and every data
    /// group's hash against EF.SOD (including data groups EF.SOD lists that were not read).
    pub fn checks(&self) -> Vec<Check> {
        let mut checks = Vec::new();
        match (self.raw(LdsFile::Sod), &self.sod) {
            (None, _) => checks.push(Check::invalid(
                CheckId::SodStructure,
                "the document security object is missing: nothing can be verified",
            )),
            (Some(bytes), None) => {
                let why = Sod::parse(bytes)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                checks.push(Check::invalid(
                    CheckId::SodStructure,
                    format!("cannot be parsed: {why}"),
                ));
            }
            (Some(_), Some(sod)) => {
                checks.push(Check::valid(
                    CheckId::SodStructure,
                    format!(
                        "LDS security object v{}, {} hashes of {} data groups",
                        sod.version,
                        sod.hash_algorithm.name(),
                        sod.data_group_hashes.len()
                    ),
                ));
            }
        }
        match (self.raw(LdsFile::Dg(1)), &self.dg1) {
            (None, _) => checks.push(Check::invalid(
                CheckId::Dg1Structure,
                "the MRZ data group is missing",
            )),
            (Some(bytes), None) => {
                let why = Dg1::parse(bytes)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                checks.push(Check::invalid(CheckId::Dg1Structure, why));
            }
            (Some(_), Some(dg1)) => {
                let bad: Vec<&str> = dg1
                    .mrz
                    .check_digits
                    .iter()
                    .filter(|c| !c.valid)
                    .map(|c| c.field)
                    .collect();
                checks.push(if bad.is_empty() {
                    Check::valid(
                        CheckId::MrzCheckDigits,
                        format!(
                            "all {} check digits of DG1 are correct",
                            dg1.mrz.check_digits.len()
                        ),
                    )
                } else {
                    Check::invalid(
                        CheckId::MrzCheckDigits,
                        format!("wrong check digit in DG1: {}", bad.join(", ")),
                    )
                });
            }
        }
        let read: Vec<(u8, &[u8])> = self.data_groups().collect();
        match &self.sod {
            Some(sod) => checks.extend(crate::pki::verify_data_groups(sod, &read)),
            None => checks.extend(
                read.iter()
                    .map(|(n, _)| Check::not_checked(CheckId::DgHash(*n), "no readable EF.SOD")),
            ),
        }
        checks
    }
}
