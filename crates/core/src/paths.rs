use std::path::{Path, PathBuf};

use crate::CoreError;

/// Where CertDesk keeps its files. `CERTDESK_DATA_DIR` puts all of them under one
/// directory, so tests and the demo never touch the user's real profile.
#[derive(Debug, Clone)]
pub struct AppPaths {
    pub data_dir: PathBuf,
    pub config_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl AppPaths {
    pub fn from_env() -> Result<Self, CoreError> {
        if let Some(root) = std::env::var_os("CERTDESK_DATA_DIR") {
            return Ok(Self::under(Path::new(&root)));
        }
        let dirs = directories::ProjectDirs::from("cn", "CertDesk", "CertDesk")
            .ok_or(CoreError::NoHomeDir)?;
        Ok(Self {
            data_dir: dirs.data_dir().to_path_buf(),
            config_dir: dirs.config_dir().to_path_buf(),
            // Linux has no log dir convention; the XDG state dir is where logs belong.
            log_dir: dirs
                .state_dir()
                .unwrap_or_else(|| dirs.data_local_dir())
                .join("logs"),
        })
    }

    /// The one SQLite file of drafts, the download journal and the certificate cache.
    pub fn workflow_db(&self) -> PathBuf {
        self.data_dir.join("workflow.sqlite")
    }

    pub fn under(root: &Path) -> Self {
        Self {
            data_dir: root.join("data"),
            config_dir: root.join("config"),
            log_dir: root.join("logs"),
        }
    }

    /// Creates the three directories private to the user (0700 on Unix) and makes
    /// anything an earlier version left there private too: drafts, the journal, the
    /// certificate cache and the logs hold personal data.
    pub fn create_all(&self) -> Result<(), CoreError> {
        for dir in [&self.data_dir, &self.config_dir, &self.log_dir] {
            private::create_dir(dir).map_err(|e| CoreError::io(dir, e))?;
            private::tighten(dir).map_err(|e| CoreError::io(dir, e))?;
        }
        Ok(())
    }
}

/// Files and directories only their owner can read. Unix: directories 0700 and files
/// 0600, by the process umask (set once at start, [`private_files`]) and by tightening
/// what exists. Windows: the per-user profile folders (`%APPDATA%`, `%LOCALAPPDATA%`)
/// inherit an ACL granting only the user, SYSTEM and Administrators. macOS: as Unix,
/// under `~/Library`.
mod private {
    use std::path::Path;

    #[cfg(unix)]
    pub fn create_dir(dir: &Path) -> std::io::Result<()> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }

    #[cfg(not(unix))]
    pub fn create_dir(dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)
    }

    /// `dir` 0700 and everything below it 0700 (directories) or 0600 (files); symlinks
    /// are left alone (never followed).
    #[cfg(unix)]
    pub fn tighten(dir: &Path) -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::symlink_metadata(dir)?;
        let want = if meta.is_dir() {
            0o700
        } else if meta.is_file() {
            0o600
        } else {
            return Ok(());
        };
        if meta.permissions().mode() & 0o777 != want {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(want))?;
        }
        if meta.is_dir() {
            for entry in std::fs::read_dir(dir)? {
                tighten(&entry?.path())?;
            }
        }
        Ok(())
    }

    #[cfg(not(unix))]
    pub fn tighten(_dir: &Path) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every file and directory this process creates from now on is private to the user
/// (umask 077): SQLite files with their `-wal`/`-shm`, logs, settings, support bundles,
/// exports. Call first thing in `main`, before any thread starts.
pub fn private_files() {
    #[cfg(unix)]
    {
        use rustix::fs::Mode;
        rustix::process::umask(Mode::from_raw_mode(0o077));
    }
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn directories_are_created_private_and_old_files_are_tightened() {
        let root = tempfile::tempdir().unwrap();
        let paths = AppPaths::under(root.path());
        // What an older version left: an open directory with a readable database.
        std::fs::create_dir_all(paths.data_dir.join("cache")).unwrap();
        std::fs::set_permissions(&paths.data_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = paths.workflow_db();
        std::fs::write(&db, b"x").unwrap();
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();

        paths.create_all().unwrap();

        for dir in [&paths.data_dir, &paths.config_dir, &paths.log_dir] {
            assert_eq!(mode(dir), 0o700, "{}", dir.display());
        }
        assert_eq!(mode(&paths.data_dir.join("cache")), 0o700);
        assert_eq!(mode(&db), 0o600);
    }

    #[test]
    fn files_made_after_private_files_are_private() {
        private_files();
        let root = tempfile::tempdir().unwrap();
        let f = root.path().join("new.sqlite");
        std::fs::write(&f, b"x").unwrap();
        assert_eq!(mode(&f), 0o600);
        std::fs::create_dir(root.path().join("d")).unwrap();
        assert_eq!(mode(&root.path().join("d")), 0o700);
    }
}
