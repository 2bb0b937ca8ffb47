//! The printed application form and `certdesk://` links.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The printed application form: saved where the applicant chose, and for "print"
/// opened in the system's PDF viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FormAction {
    Save,
    Print,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FormSaved {
    /// The file's name (not its folder: the UI only confirms).
    pub file_name: String,
    pub pages: u32,
    pub opened: bool,
}

/// Name of the event carrying [`LinkOpened`].
pub const LINK_OPENED: &str = "link-opened";

/// A `certdesk://` link the OS handed to the app (a second launch, or the first one's
/// arguments); the UI opens it with `open_link`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LinkOpened {
    pub url: String,
}
