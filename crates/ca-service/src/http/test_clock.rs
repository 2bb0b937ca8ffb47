//! `POST /sandbox/clock`: moves the service's clock forward, so the tests reach an
//! expiry (codes, payments, sessions, renewal windows) without sleeping. Routed only in
//! a sandbox started with `--test-clock`; not part of the API document.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::extract::ApiJson;
use crate::clock::rfc3339;
use crate::domain::checked::{Check, Checked};
use crate::error::{ApiError, ApiResult};
use crate::state::Shared;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    /// Seconds to move forward (the clock never goes back).
    pub secs: u32,
}

impl Checked for AdvanceClock {
    fn check(&self, _: &mut Check) {
        let AdvanceClock { secs: _ } = self;
    }
}

#[derive(Debug, Serialize)]
pub struct ClockNow {
    /// The service's time after the move (RFC 3339).
    pub now: String,
    /// How far it is ahead of the system clock in total.
    pub shift_secs: i64,
}

pub async fn advance(
    State(state): State<Shared>,
    ApiJson(req): ApiJson<AdvanceClock>,
) -> ApiResult<Json<ClockNow>> {
    // The route exists only with a control; this is the second lock of the same door.
    let control = state
        .clock_control
        .as_ref()
        .ok_or_else(ApiError::not_found)?;
    let shift_secs = control.advance(req.secs);
    tracing::info!(shift_secs, "test clock moved");
    Ok(Json(ClockNow {
        now: rfc3339(state.now()),
        shift_secs,
    }))
}
