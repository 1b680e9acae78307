//! Every file the CLI writes — dumps, traces, HTML reports, photos, fingerprints, DTC-VCs, EAC keys and
//! certificates, an exported CSCA — is created here, and only here:
//!
//! * readable and writable by its owner only: mode 0600 on Unix (0700 for a directory this program
//!   creates), the platform's default elsewhere;
//! * never through a link: a path that exists and is not a regular file (a symbolic link, a directory, a
//!   FIFO, a device) is refused. The bytes go to a new file created next to the path with O_EXCL
//!   (`create_new`, which never follows a link), which is then renamed over the path; rename replaces a
//!   link planted at the path in the meantime instead of following it. So a symbolic link planted where
//!   an output will go can neither redirect chip data or keys elsewhere nor clobber another file.
//!
//! An output directory (`--out`, `--fingerprints`, `eac mint`) must not be a symbolic link either; its
//! parent directories are the caller's choice.

use anyhow::{Context, anyhow};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `bytes` to `path`, readable and writable by the owner only (0600 on Unix). A new file is
/// created; an existing regular file is replaced (by renaming a new file over it, so it gets mode 0600
/// too); anything else at `path` — a symbolic link, even a dangling one, a directory, a FIFO — is refused.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    refuse_non_regular(path)?;
    let (temp, mut file) = create_temp_beside(path)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()));
    drop(file);
    let renamed = written.and_then(|()| {
        std::fs::rename(&temp, path).with_context(|| format!("replacing {}", path.display()))
    });
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    renamed
}

/// Creates the directory `dir` (and its parents) for private files: the directories created now get mode
/// 0700 on Unix; an existing directory is left as it is (the files written into it are 0600). A symbolic
/// link or a file at `dir` is refused.
pub(crate) fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(anyhow!(
                "{} is a symbolic link: outputs are never written through one; give the directory itself",
                dir.display()
            ));
        }
        Ok(meta) if !meta.is_dir() => {
            return Err(anyhow!("{} exists and is not a directory", dir.display()));
        }
        _ => {}
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// Refuses a path that exists and is not a regular file (not following a symbolic link to decide).
fn refuse_non_regular(path: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(anyhow!(
            "{} is a symbolic link: outputs are never written through one; remove it or choose another path",
            path.display()
        )),
        Ok(meta) if !meta.is_file() => Err(anyhow!(
            "{} exists and is not a regular file: not replaced",
            path.display()
        )),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("checking {}", path.display())),
    }
}

/// A new file (O_EXCL, mode 0600) in `path`'s directory, under a name no one can have planted a link at
/// in advance: `.NAME.PID-RANDOM.tmp`, a new name on every collision.
fn create_temp_beside(path: &Path) -> anyhow::Result<(PathBuf, std::fs::File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("{} names no file", path.display()))?
        .to_string_lossy();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut last = None;
    for _ in 0..16 {
        let nonce = getrandom::u64().unwrap_or(0) ^ COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}-{nonce:016x}.tmp", std::process::id()));
        match options.open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        }
    }
    Err(anyhow!(
        "creating {}: no free temporary name beside it ({})",
        path.display(),
        last.map_or_else(String::new, |e| e.to_string())
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("mrtd-private-file-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn creates_then_replaces_a_regular_file_leaving_no_temporary() {
        let dir = temp_dir("replace");
        let path = dir.join("out.bin");
        write_private(&path, b"one").unwrap();
        write_private(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn never_writes_through_a_symbolic_link() {
        let dir = temp_dir("symlink");
        let victim = dir.join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        for (link, target) in [("to-file", victim.clone()), ("dangling", dir.join("none"))] {
            let path = dir.join(link);
            std::os::unix::fs::symlink(&target, &path).unwrap();
            let err = write_private(&path, b"chip data").unwrap_err();
            assert!(err.to_string().contains("symbolic link"), "{err}");
            assert!(
                std::fs::symlink_metadata(&path)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
        }
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!dir.join("none").exists());
        // A directory (or a link to one) is no output directory through a link either.
        std::os::unix::fs::symlink(&dir, dir.join("dir-link")).unwrap();
        let err = create_private_dir(&dir.join("dir-link")).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(write_private(&dir, b"x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
