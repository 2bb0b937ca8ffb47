//! The download's errors, each with a stable code for the IPC layer and the CLI.

use certdesk_ca_client::ClientError;
use certdesk_token::{KeyAlgorithm, TokenError};

use crate::db::StoreError;

/// Errors of a download, each with a stable [`DownloadError::code`].
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("token: {0}")]
    Token(#[from] TokenError),
    #[error("CA: {0}")]
    Ca(#[from] ClientError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("no token inserted")]
    NoToken,
    #[error("several tokens are inserted ({0}); choose one")]
    SeveralTokens(String),
    #[error("the unfinished download of this application continues on token {serial}; insert it")]
    WrongToken { serial: String },
    #[error("the token cannot make {0:?} keys, which this channel needs")]
    UnsupportedAlgorithm(KeyAlgorithm),
    #[error("the token cannot import the encryption key envelope this channel sends")]
    NoEnvelopeSupport,
    #[error("the token's PIN is on its final try; confirm explicitly to use it")]
    PinFinalTry,
    #[error("the token's PIN is locked; have it unlocked (解锁) first")]
    PinLocked,
    #[error("the token has no free memory for a new key and certificate")]
    NoRoom,
    #[error("the token is write-protected")]
    WriteProtected,
    #[error("the token already holds this application's certificate")]
    AlreadyOnToken,
    #[error("application {0} is not ready for download")]
    NotDownloadable(String),
    #[error(
        "the CA already issued this application's certificate for a key that is not on this token; apply for a reissue (补办)"
    )]
    KeyLost,
    #[error("the CA's answer is not usable: {0}")]
    BadIssuance(String),
    #[error("the channel's algorithm {0:?} is not supported here")]
    UnknownAlgorithm(String),
    #[error(
        "this computer's clock is {seconds} s off the CA's; set the system time automatically and try again"
    )]
    ClockSkewed { seconds: i64 },
}

impl DownloadError {
    pub fn code(&self) -> &'static str {
        match self {
            DownloadError::Token(e) => e.code(),
            DownloadError::Ca(e) if e.is_transient() => "ca_unreachable",
            DownloadError::Ca(_) => "ca_refused",
            DownloadError::Store(_) => "store",
            DownloadError::NoToken => "no_token",
            DownloadError::SeveralTokens(_) => "several_tokens",
            DownloadError::WrongToken { .. } => "wrong_token",
            DownloadError::UnsupportedAlgorithm(_) => "unsupported_algorithm",
            DownloadError::NoEnvelopeSupport => "no_envelope_support",
            DownloadError::PinFinalTry => "pin_final_try",
            DownloadError::PinLocked => "pin_locked",
            DownloadError::NoRoom => "no_room",
            DownloadError::WriteProtected => "write_protected",
            DownloadError::AlreadyOnToken => "already_on_token",
            DownloadError::NotDownloadable(_) => "not_downloadable",
            DownloadError::KeyLost => "key_lost",
            DownloadError::BadIssuance(_) => "bad_issuance",
            DownloadError::UnknownAlgorithm(_) => "unknown_algorithm",
            DownloadError::ClockSkewed { .. } => "clock_skewed",
        }
    }
}

pub(super) type Result<T> = std::result::Result<T, DownloadError>;
