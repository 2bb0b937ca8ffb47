use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// UI language. Chinese first: it is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum Language {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

/// User settings kept in the app's config dir.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Settings {
    pub language: Language,
    /// Overrides the CA service address; `None` uses the built-in default.
    pub ca_url: Option<String>,
    /// PKCS#11 modules the user added beyond the known vendor table.
    pub extra_modules: Vec<String>,
    /// The release channel this installation follows (an administrator may fix it).
    #[serde(default)]
    pub update_channel: crate::UpdateChannel,
}

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
