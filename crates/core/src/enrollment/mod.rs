//! Certificate enrollment onto the token (issue 7): the download journal and the
//! journaled download transaction.

pub mod download;
pub mod journal;
pub mod renewal;

pub use download::{
    CaptchaSolver, DownloadError, DownloadRequest, Downloaded, Progress, SandboxCaptcha, StepPhase,
    TokenChoice, download, key_label,
};
pub use journal::{Entry, EntryState, Journal, Step};
pub use renewal::{RenewalError, RenewalRequest, RenewalStep, Renewed, renew};
