//! Counter mode (受理台): an operator of an acceptance point signs in with the operator
//! certificate on their own token, and the counter locks when that token is pulled or
//! the workstation is left idle.
//!
//! [`CounterState`] is a state machine whose states carry only their valid data (the
//! shape of rustls' handshake states): the transitions are pure functions here, the
//! token and CA work that drives them is in [`Counter`] (`service.rs`).

mod audit;
pub(crate) mod batch;
mod cases;
mod close;
mod customer;
mod error;
mod keyed;
mod making;
mod numbers;
mod qr_payment;
mod service;
mod stock;

pub use audit::{AUDIT_PAGE, AuditFilter};
pub use batch::{
    BatchEvent, BatchItem, BatchItemState, BatchRun, BatchSetup, BatchStore, Batching, MAX_BATCH,
    MAX_LANES, PinMailer, core_code,
};
pub use cases::{
    CaseDocumentContent, CaseError, CaseNumber, Cases, CounterPaymentInput, FieldVerdict,
    IdentityCheckInput, InputProblem, MAX_SCAN_LEN, OrderNumber, copy_kind,
};
pub use close::checked_explanations;
pub use customer::{
    AnswerError, CodeAnswerProblem, CustomerDesk, CustomerScreen, PinAnswerProblem, Withdrawn,
};
pub use error::CounterError;
pub use keyed::{KeyedInput, check_field as check_keyed_field};
pub use making::{Made, Making, MakingError, MakingProgress, MakingStep};
pub use numbers::{
    HourFigure, ModelFigure, NumbersSummary, OperatorStages, StageFigure, numbers_csv, summarise,
};
pub use service::{Counter, CounterConfig, OperatorOnToken, SESSION_ENTRY};
pub use stock::parse_serials;

use std::time::Duration;

use certdesk_ca_api::operator::{Operator, Role};
use certdesk_token::TokenRef;

/// Idle minutes before the counter locks, when the setting is not given.
pub const DEFAULT_IDLE_MINUTES: u32 = 10;
/// The setting's bounds: a lock after less than a minute locks a clerk out mid-sentence;
/// more than 8 hours is no idle lock at all.
pub const IDLE_MINUTES_RANGE: std::ops::RangeInclusive<u32> = 1..=480;

/// The idle time for a setting, clamped to [`IDLE_MINUTES_RANGE`].
pub fn idle_duration(minutes: u32) -> Duration {
    let m = minutes.clamp(*IDLE_MINUTES_RANGE.start(), *IDLE_MINUTES_RANGE.end());
    Duration::from_secs(u64::from(m) * 60)
}

/// The signed-in operator as the CA registered them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorInfo {
    /// `OP` and digits (the operator certificate's subject serialNumber).
    pub id: String,
    pub name: String,
    pub point_id: String,
    pub roles: Vec<Role>,
    /// The operator certificate the session was opened with (hex).
    pub certificate_serial: String,
}

impl OperatorInfo {
    pub(crate) fn from_wire(op: Operator, certificate_serial: String) -> Self {
        Self {
            id: op.id,
            name: op.name,
            point_id: op.point_id,
            roles: op.roles,
            certificate_serial,
        }
    }
}

/// Why a signed-in counter locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockReason {
    /// The token the session is bound to was removed.
    TokenRemoved,
    /// Nobody used the counter for the configured idle time.
    Idle,
    /// The CA's operator session ran out (10 hours).
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CounterState {
    SignedOut,
    SignedIn {
        operator: OperatorInfo,
        /// The operator's token: pulling it locks the counter.
        token: TokenRef,
        /// The CA's session expiry (RFC 3339).
        expires_at: String,
    },
    /// The session was ended; the same operator's PIN on their token opens a new one.
    Locked {
        operator: OperatorInfo,
        reason: LockReason,
    },
}

impl CounterState {
    /// The operator, unless signed out.
    pub fn operator(&self) -> Option<&OperatorInfo> {
        match self {
            Self::SignedOut => None,
            Self::SignedIn { operator, .. } | Self::Locked { operator, .. } => Some(operator),
        }
    }

    /// Locking applies only to a signed-in counter: a locked one keeps its first reason.
    pub fn lock(&self, reason: LockReason) -> Option<CounterState> {
        match self {
            Self::SignedIn { operator, .. } => Some(Self::Locked {
                operator: operator.clone(),
                reason,
            }),
            _ => None,
        }
    }

    /// Locks when the bound token is not among the tokens present.
    pub fn on_tokens_present(&self, present: &[TokenRef]) -> Option<CounterState> {
        match self {
            Self::SignedIn { token, .. } if !present.contains(token) => {
                self.lock(LockReason::TokenRemoved)
            }
            _ => None,
        }
    }

    /// Locks after `idle` without activity.
    pub fn on_idle(&self, idle_for: Duration, limit: Duration) -> Option<CounterState> {
        match self {
            Self::SignedIn { .. } if idle_for >= limit => self.lock(LockReason::Idle),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op() -> OperatorInfo {
        OperatorInfo {
            id: "OP000001".into(),
            name: "王操作".into(),
            point_id: "BJ01".into(),
            roles: vec![Role::Clerk],
            certificate_serial: "40ab".into(),
        }
    }

    fn token(serial: &str) -> TokenRef {
        TokenRef {
            module: "/m.so".into(),
            serial: serial.into(),
        }
    }

    fn signed_in() -> CounterState {
        CounterState::SignedIn {
            operator: op(),
            token: token("A"),
            expires_at: "2026-12-06T20:00:00Z".into(),
        }
    }

    #[test]
    fn pulling_the_bound_token_locks_and_others_do_not() {
        let s = signed_in();
        assert_eq!(s.on_tokens_present(&[token("A"), token("B")]), None);
        assert_eq!(
            s.on_tokens_present(&[token("B")]),
            Some(CounterState::Locked {
                operator: op(),
                reason: LockReason::TokenRemoved
            })
        );
        // Another module's token with the same serial is another token.
        let other = TokenRef {
            module: "/other.so".into(),
            serial: "A".into(),
        };
        assert!(s.on_tokens_present(&[other]).is_some());
    }

    #[test]
    fn idle_locks_only_a_signed_in_counter_and_keeps_the_first_reason() {
        let limit = idle_duration(10);
        let s = signed_in();
        assert_eq!(s.on_idle(limit - Duration::from_secs(1), limit), None);
        let locked = s.on_idle(limit, limit).unwrap();
        assert!(matches!(
            locked,
            CounterState::Locked {
                reason: LockReason::Idle,
                ..
            }
        ));
        assert_eq!(locked.on_tokens_present(&[]), None);
        assert_eq!(locked.on_idle(limit * 2, limit), None);
        assert_eq!(CounterState::SignedOut.on_idle(limit * 2, limit), None);
        assert_eq!(locked.operator(), Some(&op()));
    }

    #[test]
    fn idle_minutes_are_clamped() {
        assert_eq!(idle_duration(0), Duration::from_secs(60));
        assert_eq!(idle_duration(10), Duration::from_secs(600));
        assert_eq!(idle_duration(100_000), Duration::from_secs(480 * 60));
    }
}
