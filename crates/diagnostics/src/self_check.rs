//! The last USBKey self-check, kept beside the user's data for the support bundle (the
//! report names no secret: token serial, algorithms, step outcomes).

use std::path::{Path, PathBuf};

use certdesk_token::SelfCheckReport;

const FILE: &str = "self-check.json";

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE)
}

/// Saves the report as the last self-check.
pub fn save(data_dir: &Path, report: &SelfCheckReport) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(report).map_err(std::io::Error::other)?;
    std::fs::write(path(data_dir), text)
}

/// The last self-check, as saved, if there is one.
pub fn read(data_dir: &Path) -> Option<String> {
    std::fs::read_to_string(path(data_dir)).ok()
}
