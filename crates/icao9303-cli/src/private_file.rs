//! Files that hold chip data or keys — dumps, traces, HTML reports, photos, fingerprints, DTC-VCs — are
//! created readable and writable by their owner only: mode 0600 on Unix (0700 for a directory this
//! program creates), the platform's default elsewhere. Every CLI output of chip data goes through here.

use anyhow::Context;
use std::path::Path;

/// Writes `bytes` to `path`, readable and writable by the owner only (0600 on Unix, also when the file
/// already existed with wider permissions).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    // The mode above applies only to a file created now: an existing file keeps its permissions unless
    // they are narrowed here, before anything is written.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("restricting {} to its owner", path.display()))?;
    }
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

/// Creates the directory `dir` (and its parents) for private files: the directories created now get mode
/// 0700 on Unix; an existing directory is left as it is (the files written into it are 0600).
pub(crate) fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
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
