use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::StatusSnapshot;

/// Name of the event carrying [`StatusChanged`].
pub const STATUS_CHANGED: &str = "status-changed";

/// Name of the event carrying [`crate::DownloadProgress`].
pub const DOWNLOAD_PROGRESS: &str = "download-progress";

/// Event names, generated into the bindings so the UI never spells them by hand.
pub const EVENTS: &[(&str, &str)] = &[
    ("statusChanged", STATUS_CHANGED),
    ("downloadProgress", DOWNLOAD_PROGRESS),
];

/// Broadcast whenever the CA connection or token presence changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StatusChanged {
    pub status: StatusSnapshot,
}
