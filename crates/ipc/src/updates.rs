//! Signed updates: the channel a user follows, what a check found, and the download's
//! progress. The signature is verified in Rust before anything is offered for install.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use certdesk_core::updates::UpdateChannel;

/// What the administrator's policy allows on this computer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UpdatePolicyView {
    /// False when the administrator turned update checks off.
    pub checks_allowed: bool,
    /// The channel the administrator fixed, if any (the user cannot change it then).
    pub fixed_channel: Option<UpdateChannel>,
    /// The channel in force (the user's, or the fixed one).
    pub channel: UpdateChannel,
    pub current_version: String,
}

/// Release notes in both languages (a feed may carry only one text: then both hold it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReleaseNotes {
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
    pub en: String,
}

/// The answer of an update check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UpdateCheck {
    /// The administrator turned checks off; nothing was asked.
    Disabled,
    UpToDate {
        version: String,
    },
    Available {
        version: String,
        current_version: String,
        /// RFC 3339, when the feed says.
        date: Option<String>,
        notes: Option<ReleaseNotes>,
    },
}

/// The update was downloaded and its signature verified: ready to install.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UpdateReady {
    pub version: String,
    pub bytes: u64,
}

/// Download progress (event `update-progress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UpdateProgress {
    pub downloaded: u64,
    pub total: Option<u64>,
}
