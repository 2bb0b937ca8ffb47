use std::path::PathBuf;

/// Errors of the core's own plumbing. Domain crates bring their own enums; the shell
/// maps each of them once, at the IPC boundary.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("no usable home directory to keep CertDesk's data in")]
    NoHomeDir,
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("settings file {path} is corrupt: {source}")]
    CorruptSettings {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("logging could not start: {0}")]
    Logging(String),
}

impl CoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
