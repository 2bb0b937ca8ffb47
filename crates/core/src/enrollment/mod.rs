//! Certificate enrollment onto the token (issue 7): the download journal and the
//! journaled download transaction.

pub mod debris;
pub mod download;
pub mod fitness;
pub mod journal;
pub mod renewal;

#[cfg(feature = "sandbox")]
pub use download::SandboxCaptcha;
pub use download::{
    AnsweredCaptcha, CaCheck, CaptchaSolver, ChannelFacts, DownloadError, DownloadRequest,
    Downloaded, MAX_CLOCK_SKEW_SECS, Progress, StepPhase, TokenChoice, already_on_token, check_ca,
    download, key_label,
};
pub use fitness::{TokenFitness, token_fitness};
pub use journal::{DownloadStep, Entry, EntryKind, EntryState, Journal};
pub use renewal::{
    Interrupted, RenewalError, RenewalRequest, RenewalStep, Renewed, interrupted, renew,
};
