//! Counter mode (受理台): the operator's sign-in and the lock, as the UI sees them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use certdesk_ca_api::operator::Role as OperatorRole;

/// Name of the event carrying [`CounterView`] whenever the counter's state changes
/// (signed in, locked by a pulled token or idleness, unlocked, signed out).
pub const COUNTER_CHANGED: &str = "counter-changed";

/// The signed-in operator, as the header shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OperatorView {
    /// `OP…`: the operator number.
    pub id: String,
    pub name: String,
    /// The acceptance point's id (e.g. `BJ01`).
    pub point_id: String,
    pub roles: Vec<OperatorRole>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CounterLockReason {
    TokenRemoved,
    Idle,
    Expired,
}

/// The token a counter session is bound to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CounterToken {
    pub module: String,
    pub serial: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CounterView {
    SignedOut,
    SignedIn {
        operator: OperatorView,
        token: CounterToken,
        expires_at: String,
    },
    Locked {
        operator: OperatorView,
        reason: CounterLockReason,
    },
}

/// Whose operator certificate a token holds (read without a PIN).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OperatorOnTokenView {
    pub operator_id: String,
    pub name: String,
}

/// Sign-in or unlock with the operator's token and PIN.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CounterSignInRequest {
    pub module: String,
    pub token_serial: String,
    pub pin: String,
    /// The operator confirmed spending the PIN's final try.
    pub confirm_final_try: bool,
}

impl std::fmt::Debug for CounterSignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CounterSignInRequest")
            .field("token_serial", &self.token_serial)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_pin() {
        let r = CounterSignInRequest {
            module: "/m.so".into(),
            token_serial: "T1".into(),
            pin: "135790".into(),
            confirm_final_try: false,
        };
        assert!(!format!("{r:?}").contains("135790"));
    }
}
