//! A document read from a chip (or loaded from a dump): the raw bytes of every file, the parsed values,
//! and the checks that need nothing but the files themselves (parsing, MRZ check digits, data group
//! hashes against EF.SOD).
//!
//! Hashes are always computed over the bytes as read, never over re-encoded structures.

use crate::lds::LdsFile;
use crate::lds::com::Com;
use crate::lds::dg1::Dg1;
use crate::lds::sod::Sod;
use crate::report::{Check, CheckStatus, FileReport};
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

    /// The hash verdict for one file: valid / invalid against EF.SOD, or not-checked.
    pub fn hash_status(&self, file: LdsFile) -> (CheckStatus, String) {
        let (LdsFile::Dg(n), Some(bytes)) = (file, self.raw(file)) else {
            return (CheckStatus::NotChecked, "not covered by EF.SOD".into());
        };
        let Some(sod) = &self.sod else {
            return (CheckStatus::NotChecked, "no readable EF.SOD".into());
        };
        match sod.data_group_hashes.get(&n) {
            None => (
                CheckStatus::NotChecked,
                format!("DG{n} is not listed in EF.SOD: its content is not protected"),
            ),
            Some(expected) => {
                let actual = sod.hash_algorithm.digest(bytes);
                if &actual == expected {
                    (
                        CheckStatus::Valid,
                        format!("{} matches EF.SOD", sod.hash_algorithm.name()),
                    )
                } else {
                    (
                        CheckStatus::Invalid,
                        format!(
                            "{} of the data read differs from EF.SOD: the data group was altered",
                            sod.hash_algorithm.name()
                        ),
                    )
                }
            }
        }
    }

    /// One entry per file read, for the report.
    pub fn file_reports(&self) -> Vec<FileReport> {
        self.read_order
            .iter()
            .map(|f| FileReport {
                id: f.name(),
                fid: format!("{:04X}", f.fid()),
                length: self.raw(*f).map_or(0, <[u8]>::len),
                hash: self.hash_status(*f).0,
            })
            .collect()
    }

    /// The checks that need only the files: EF.SOD parses, DG1 parses and its check digits, and every data
    /// group's hash against EF.SOD (including data groups EF.SOD lists that were not read).
    pub fn checks(&self) -> Vec<Check> {
        let mut checks = Vec::new();
        match (self.raw(LdsFile::Sod), &self.sod) {
            (None, _) => checks.push(Check::invalid(
                "EF.SOD",
                "the document security object is missing: nothing can be verified",
            )),
            (Some(bytes), None) => {
                let why = Sod::parse(bytes)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                checks.push(Check::invalid("EF.SOD", format!("cannot be parsed: {why}")));
            }
            (Some(_), Some(sod)) => {
                checks.push(Check::valid(
                    "EF.SOD",
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
            (None, _) => checks.push(Check::invalid("DG1", "the MRZ data group is missing")),
            (Some(bytes), None) => {
                let why = Dg1::parse(bytes)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                checks.push(Check::invalid("DG1", why));
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
                        "MRZ check digits",
                        format!(
                            "all {} check digits of DG1 are correct",
                            dg1.mrz.check_digits.len()
                        ),
                    )
                } else {
                    Check::invalid(
                        "MRZ check digits",
                        format!("wrong check digit in DG1: {}", bad.join(", ")),
                    )
                });
            }
        }
        for (n, _) in self.data_groups() {
            let (status, reason) = self.hash_status(LdsFile::Dg(n));
            checks.push(Check::new(format!("DG{n} hash"), status, reason));
        }
        if let Some(sod) = &self.sod {
            for n in sod
                .data_group_hashes
                .keys()
                .filter(|n| !self.files.contains_key(&LdsFile::Dg(**n)))
            {
                let reason = match n {
                    3 | 4 => "not read: needs Terminal Authentication (EAC)".to_string(),
                    _ => "listed in EF.SOD but not read".to_string(),
                };
                checks.push(Check::not_checked(format!("DG{n} hash"), reason));
            }
        }
        checks
    }
}
