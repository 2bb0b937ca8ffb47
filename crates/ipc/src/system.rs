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

/// When the page reached each point of its start, in milliseconds since the Unix epoch
/// (the page's `performance.timeOrigin` clock): the start-up bench prints the phases.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct FirstRenderMarks {
    /// The webview began loading the page.
    pub navigation_ms: f64,
    /// The page's script began to run.
    pub script_ms: f64,
    /// Every module of the first script was evaluated (the app about to be mounted).
    pub modules_ms: f64,
    /// The app's first render was done (mounted).
    pub mounted_ms: f64,
    /// The settings (language) arrived from the app.
    pub settings_ms: f64,
    /// The first content was painted.
    pub painted_ms: f64,
}
