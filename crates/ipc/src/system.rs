use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Facts about this installation, for the settings page and support.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub os: String,
    pub arch: String,
    pub data_dir: String,
    pub log_dir: String,
    /// The CA service address in force, if any.
    pub ca_url: Option<String>,
}
