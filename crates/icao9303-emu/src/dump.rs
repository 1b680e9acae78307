//! A saved dump (the files `mrtd read --out DIR` writes: `EF_COM.bin`, `EF_SOD.bin`, `DG1.bin`, ...) as an
//! emulated chip.
//!
//! The files are put on the chip exactly as read, EF.SOD included (so its signature still verifies against
//! the real issuer's certificates); BAC is keyed from the MRZ in DG1. Every byte of a dump is untrusted:
//! a malformed DG1 is an error naming the file, never a panic.

use crate::chip::{Chip, ChipOptions};
use crate::fs::FileSystem;
use crate::rng::SeededRng;
use icao9303::lds::LdsFile;
use icao9303::lds::dg1::Dg1;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Largest file accepted from a dump (an LDS file is at most a few hundred kilobytes).
pub const MAX_FILE: u64 = 4 * 1024 * 1024;

/// A dump could not be turned into a chip.
#[derive(Debug, Error)]
pub enum DumpError {
    /// A file or the directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The directory holds no DG1.bin (BAC needs the MRZ).
    #[error("{0}: no DG1.bin: the chip's BAC key comes from the MRZ in DG1")]
    NoDg1(PathBuf),
    /// A file is larger than any LDS file.
    #[error("{path}: {size} bytes is too large for an LDS file")]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// DG1 could not be parsed or its MRZ gives no key.
    #[error("{path}: {what}")]
    BadDg1 {
        /// The path of DG1.bin.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
}

/// The bytes of one file, refusing anything larger than an LDS file can be. The limit holds while reading,
/// not only by the size the file system reports: a device, a pipe or a file that grows is cut off at
/// [`MAX_FILE`] + 1 bytes and refused.
pub fn read_file(path: &Path) -> Result<Vec<u8>, DumpError> {
    use std::io::Read;
    let io = |source| DumpError::Io {
        path: path.to_path_buf(),
        source,
    };
    let too_large = |size| DumpError::TooLarge {
        path: path.to_path_buf(),
        size,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_FILE {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The LDS files found in `dir`, by their dump names; other files (report.json, ...) are ignored.
pub fn load_files(dir: &Path) -> Result<Vec<(LdsFile, Vec<u8>)>, DumpError> {
    let io = |source| DumpError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let Some(file) = name.to_str().and_then(LdsFile::from_dump_name) else {
            continue;
        };
        files.push((file, read_file(&entry.path())?));
    }
    files.sort_by_key(|(f, _)| f.fid());
    Ok(files)
}

/// A chip holding the dump in `dir`, keyed for BAC with the MRZ of its DG1.
pub fn chip_from_dump(dir: &Path, options: ChipOptions) -> Result<Chip, DumpError> {
    let files = load_files(dir)?;
    chip_from_files(files, &dir.join(LdsFile::Dg(1).dump_name()), dir, options)
}

/// A chip holding `files`, keyed for BAC with the MRZ of their DG1 (`dg1_path` and `dir` name the
/// source in errors).
pub fn chip_from_files(
    files: Vec<(LdsFile, Vec<u8>)>,
    dg1_path: &Path,
    dir: &Path,
    options: ChipOptions,
) -> Result<Chip, DumpError> {
    let Some((_, dg1)) = files.iter().find(|(f, _)| *f == LdsFile::Dg(1)) else {
        return Err(DumpError::NoDg1(dir.to_path_buf()));
    };
    let bad = |what: String| DumpError::BadDg1 {
        path: dg1_path.to_path_buf(),
        what,
    };
    let dg1 = Dg1::parse(dg1).map_err(|e| bad(e.to_string()))?;
    let key = dg1.mrz.key().map_err(|e| bad(format!("MRZ: {e}")))?;
    let mut fs = FileSystem::default();
    for (file, bytes) in files {
        fs.insert(file, bytes);
    }
    Ok(Chip::new(
        fs,
        Some(key),
        options,
        SeededRng::new(b"icao9303-emu chip dump"),
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::profile::Profile;
    use crate::transport::EmulatorTransport;
    use icao9303::access::Password;
    use icao9303::reader::Reader;

    fn temp_dir(label: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("icao9303-emu-dump-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_dump_reads_back_like_the_original() {
        let profile = Profile::passport_bac();
        let card = profile.personalize().unwrap();
        let dir = temp_dir("ok");
        for (file, bytes) in card.chip.files().iter() {
            std::fs::write(dir.join(file.dump_name()), bytes).unwrap();
        }
        std::fs::write(dir.join("report.json"), "{}").unwrap();
        let chip = chip_from_dump(&dir, ChipOptions::default()).unwrap();
        let mut reader = Reader::new(EmulatorTransport::new(chip));
        reader
            .authenticate(
                &Password::Mrz(profile.mrz_key().unwrap()),
                &mut SeededRng::new(b"t"),
            )
            .unwrap();
        let (document, report) = reader.read_document().unwrap();
        assert!(!report.has_failures(), "{}", report.summary());
        assert_eq!(
            document.files.get(&LdsFile::Sod).map(Vec::as_slice),
            card.chip.files().get(LdsFile::Sod)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_dumps_are_errors_naming_the_file() {
        let dir = temp_dir("bad");
        let err = chip_from_dump(&dir, ChipOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no DG1.bin"), "{err}");
        std::fs::write(dir.join("DG1.bin"), [0x61, 0x05, 0x5F, 0x1F, 0x09]).unwrap();
        let err = chip_from_dump(&dir, ChipOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("DG1.bin: "), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn oversized_and_endless_files_are_refused_without_reading_them_whole() {
        let dir = temp_dir("large");
        // A sparse file one byte over the limit: refused from its size.
        let big = std::fs::File::create(dir.join("DG2.bin")).unwrap();
        big.set_len(MAX_FILE + 1).unwrap();
        let err = load_files(&dir).unwrap_err();
        assert!(
            matches!(err, DumpError::TooLarge { size, .. } if size == MAX_FILE + 1),
            "{err}"
        );
        std::fs::remove_file(dir.join("DG2.bin")).unwrap();
        // A device that reports size 0 and never ends: cut off at the limit while reading.
        #[cfg(unix)]
        if Path::new("/dev/zero").exists() {
            std::os::unix::fs::symlink("/dev/zero", dir.join("DG3.bin")).unwrap();
            let err = load_files(&dir).unwrap_err();
            assert!(
                matches!(err, DumpError::TooLarge { size, .. } if size == MAX_FILE + 1),
                "{err}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
