//! The support bundle: one zip with the environment report, versions and the recent,
//! scrubbed log, written where the user can find and send it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::report::{DiagnosticBundle, EnvironmentReport};
use zip::write::SimpleFileOptions;

use crate::scrub::scrub;

/// Log files taken (newest first) and the tail kept of each: enough for support to see
/// the last days without mailing megabytes.
const MAX_LOG_FILES: usize = 7;
const MAX_LOG_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("cannot write the bundle: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write the bundle: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot encode the report: {0}")]
    Json(#[from] serde_json::Error),
}

pub struct BundleInput<'a> {
    pub report: &'a EnvironmentReport,
    pub log_dir: &'a Path,
    pub out_dir: &'a Path,
    /// Extra `name: value` lines for `about.txt` (data and log locations, CA address).
    pub about: Vec<(&'static str, String)>,
    /// The last USBKey self-check report (JSON), when one was run.
    pub self_check: Option<String>,
}

/// Writes `certdesk-diagnostics-<UTC time>.zip` into `out_dir`.
pub fn write_bundle(input: &BundleInput<'_>) -> Result<DiagnosticBundle, BundleError> {
    let now = time::OffsetDateTime::now_utc();
    let stamp = now
        .format(time::macros::format_description!(
            "[year][month][day]-[hour][minute][second]"
        ))
        .unwrap_or_else(|_| now.unix_timestamp().to_string());
    std::fs::create_dir_all(input.out_dir)?;
    let path = input
        .out_dir
        .join(format!("certdesk-diagnostics-{stamp}.zip"));
    let mut zip = zip::ZipWriter::new(File::create(&path)?);
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);

    zip.start_file("report.json", opts)?;
    zip.write_all(scrub(&serde_json::to_string_pretty(input.report)?).as_bytes())?;

    let mut about = format!(
        "CertDesk {}\nOS: {} / {}\ngenerated (UTC): {now}\n",
        input.report.app_version, input.report.os, input.report.arch
    );
    for (k, v) in &input.about {
        about.push_str(&format!("{k}: {v}\n"));
    }
    zip.start_file("about.txt", opts)?;
    zip.write_all(scrub(&about).as_bytes())?;

    if let Some(check) = &input.self_check {
        zip.start_file("self-check.json", opts)?;
        zip.write_all(scrub(check).as_bytes())?;
    }

    for log in recent_logs(input.log_dir) {
        let Some(name) = log.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let text = match tail(&log) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(file = %log.display(), error = %e, "log unreadable for the bundle");
                continue;
            }
        };
        zip.start_file(format!("logs/{name}"), opts)?;
        zip.write_all(scrub(&text).as_bytes())?;
    }
    zip.finish()?;
    let bytes = std::fs::metadata(&path)?.len();
    tracing::info!(path = %path.display(), bytes, "diagnostic bundle written");
    Ok(DiagnosticBundle {
        path: path.display().to_string(),
        bytes,
    })
}

/// The newest log files, newest first.
fn recent_logs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut logs: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    logs.sort_by_key(|e| std::cmp::Reverse(e.0));
    logs.into_iter()
        .take(MAX_LOG_FILES)
        .map(|(_, p)| p)
        .collect()
}

/// The last [`MAX_LOG_BYTES`] of a file, from the first whole line.
fn tail(path: &Path) -> std::io::Result<String> {
    let mut f = File::open(path)?;
    let len = f.metadata()?.len();
    let start = len.saturating_sub(MAX_LOG_BYTES);
    f.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    Ok(if start > 0 {
        text.split_once('\n')
            .map_or(text.clone(), |(_, rest)| rest.to_owned())
    } else {
        text
    })
}
