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

    pub fn under(root: &Path) -> Self {
        Self {
            data_dir: root.join("data"),
            config_dir: root.join("config"),
            log_dir: root.join("logs"),
        }
    }

    pub fn create_all(&self) -> Result<(), CoreError> {
        for dir in [&self.data_dir, &self.config_dir, &self.log_dir] {
            std::fs::create_dir_all(dir).map_err(|e| CoreError::io(dir, e))?;
        }
        Ok(())
    }
}
