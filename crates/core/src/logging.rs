//! Logs go to a daily-rotated file in the platform log dir (7 files kept) and, in
//! debug builds, to stderr. Secrets are kept out by type (see [`crate::sensitive`]).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::{EnvFilter, fmt, layer::SubscriberExt, util::SubscriberInitExt};

use crate::CoreError;

pub const LOG_FILE_PREFIX: &str = "certdesk";
const KEEP_FILES: usize = 7;

/// Starts logging; keep the guard alive for the life of the process so buffered lines
/// are flushed on exit.
pub fn init(log_dir: &Path) -> Result<WorkerGuard, CoreError> {
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(log_dir)
        .map_err(|e| CoreError::Logging(e.to_string()))?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("CERTDESK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let file_layer = fmt::layer().with_writer(writer).with_ansi(false);
    let stderr_layer = cfg!(debug_assertions).then(|| fmt::layer().with_writer(std::io::stderr));
    tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .map_err(|e| CoreError::Logging(e.to_string()))?;
    Ok(guard)
}
