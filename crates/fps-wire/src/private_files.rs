//! Files that hold secrets (keys, the emulator's RSA signing key in its SQLite file, the demo's
//! development keys) are readable by their owner only: folders 0700, files 0600, made so and
//! tightened when they already exist. On systems without Unix modes these do nothing.

use std::path::{Path, PathBuf};

/// Creates `dir` (and its parents) if missing and makes `dir` itself owner-only (0700).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    restrict(dir, 0o700)
}

/// Makes an existing file owner-only (0600); a missing file is no error.
pub fn tighten_file(path: &Path) -> std::io::Result<()> {
    match restrict(path, 0o600) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Creates `path` empty and owner-only if it does not exist, so that whatever later writes it
/// (SQLite) does not create it with the umask's mode; then tightens it.
pub fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?;
    tighten_file(path)
}

/// A SQLite database file with its write-ahead log and shared-memory side files, which hold
/// the same data.
pub fn sqlite_files(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [path.to_path_buf(), with("-wal"), with("-shm")]
}

/// Whether group or others may read or write `path` (false when it cannot be read).
pub fn shared_with_others(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Logs a warning, naming the file and the setting it came from (never its content), when a
/// secret file the user gave is open to group or others.
pub fn warn_if_shared(path: &Path, setting: &str) {
    if shared_with_others(path) {
        tracing::warn!(
            file = %path.display(),
            setting,
            "the secret key file is readable by group or others; chmod 600 it"
        );
    }
}

fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if current != mode {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn makes_and_tightens_private_folders_and_files() {
        let base = std::env::temp_dir().join(format!("fps-private-{}", uuid::Uuid::new_v4().simple()));
        let dir = base.join("state");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700, "an existing folder is tightened");

        let file = dir.join("key");
        create_private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(shared_with_others(&file));
        tighten_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert!(!shared_with_others(&file));
        tighten_file(&dir.join("missing")).unwrap();

        let [db, wal, shm] = sqlite_files(&dir.join("x.sqlite"));
        assert_eq!(db, dir.join("x.sqlite"));
        assert_eq!(wal, dir.join("x.sqlite-wal"));
        assert_eq!(shm, dir.join("x.sqlite-shm"));
        std::fs::remove_dir_all(&base).unwrap();
    }
}
