//! The emulated chip's file system: the master file (MF) with EF.CardAccess, EF.CardSecurity, EF.ATR/INFO
//! and EF.DIR, and the eMRTD application (DF) with EF.COM, EF.SOD and the data groups.

use icao9303::lds::LdsFile;
use std::collections::BTreeMap;

/// Which dedicated file a file lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Df {
    /// The master file.
    Master,
    /// The eMRTD application (AID A0000002471001).
    Application,
}

/// The files of an emulated chip.
#[derive(Debug, Clone, Default)]
pub struct FileSystem {
    files: BTreeMap<(Df, u16), Vec<u8>>,
}

impl FileSystem {
    /// Stores `bytes` as `file` (in the master file or the application, as the file belongs).
    pub fn insert(&mut self, file: LdsFile, bytes: Vec<u8>) {
        self.files.insert((df_of(file), file.fid()), bytes);
    }

    /// Removes a file.
    pub fn remove(&mut self, file: LdsFile) {
        self.files.remove(&(df_of(file), file.fid()));
    }

    /// The content of `file`, if present.
    pub fn get(&self, file: LdsFile) -> Option<&[u8]> {
        self.files
            .get(&(df_of(file), file.fid()))
            .map(Vec::as_slice)
    }

    /// Mutable content of `file` (tests tamper with files through this).
    pub fn get_mut(&mut self, file: LdsFile) -> Option<&mut Vec<u8>> {
        self.files.get_mut(&(df_of(file), file.fid()))
    }

    /// The file with identifier `fid` in `df`.
    pub fn by_fid(&self, df: Df, fid: u16) -> Option<LdsFile> {
        all_files()
            .find(|f| df_of(*f) == df && f.fid() == fid && self.files.contains_key(&(df, fid)))
    }

    /// The file with short file identifier `sfi` in `df`.
    pub fn by_sfi(&self, df: Df, sfi: u8) -> Option<LdsFile> {
        all_files().find(|f| {
            df_of(*f) == df && f.sfi() == Some(sfi) && self.files.contains_key(&(df, f.fid()))
        })
    }

    /// Every file present, with its content.
    pub fn iter(&self) -> impl Iterator<Item = (LdsFile, &[u8])> {
        all_files().filter_map(|f| self.get(f).map(|b| (f, b)))
    }
}

fn df_of(file: LdsFile) -> Df {
    if file.in_master_file() {
        Df::Master
    } else {
        Df::Application
    }
}

fn all_files() -> impl Iterator<Item = LdsFile> {
    LdsFile::all()
}
