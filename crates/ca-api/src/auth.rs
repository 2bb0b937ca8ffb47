//! Sign-in: image captcha → SMS one-time code → bearer token.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Captcha {
    pub captcha_id: String,
    /// `data:image/svg+xml;base64,...` to show the person.
    pub image: String,
    pub expires_at: String,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct OtpRequest {
    pub phone: String,
    pub captcha_id: String,
    pub captcha_answer: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OtpSent {
    /// Seconds the code stays valid.
    pub expires_in: u64,
    /// Seconds before another code may be requested.
    pub resend_after: u64,
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenRequest {
    pub phone: String,
    pub code: String,
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest").finish_non_exhaustive()
    }
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct Session {
    /// Bearer token for `Authorization: Bearer ...`.
    pub token: String,
    pub expires_at: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

crate::redacted_debug!(OtpRequest { captcha_id });
