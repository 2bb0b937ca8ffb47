//! The service's one clock, and how its times are written: Unix seconds in the
//! database, RFC 3339 on the wire.
//!
//! Everything that reads the time — expiries of codes, captchas, sessions, enrollments,
//! payments and unlocks, rate limits, renewal windows, certificate validity and CRLs —
//! asks the [`Clock`] in the `AppState` (the PKI and the notifiers hold a copy). In
//! production it is the system clock and nothing can move it. A sandbox started with
//! `--test-clock` gets a clock that runs with the system clock plus a shift that only its
//! [`ClockControl`] can add to (`POST /sandbox/clock`, routed only then), so tests reach
//! an expiry without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The time as the service sees it. Cheap to clone; clones share the shift.
#[derive(Clone, Default)]
pub struct Clock {
    /// Seconds added to the system clock; `None` for the plain system clock.
    shift: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock (production).
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that can be moved forward through the returned control (sandbox and
    /// tests only: `--test-clock`).
    pub fn settable() -> (Self, ClockControl) {
        let shift = Arc::new(AtomicI64::new(0));
        (
            Self {
                shift: Some(shift.clone()),
            },
            ClockControl { shift },
        )
    }

    fn shift(&self) -> i64 {
        self.shift.as_ref().map_or(0, |s| s.load(Ordering::SeqCst))
    }

    pub fn now_utc(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc().saturating_add(time::Duration::seconds(self.shift()))
    }

    /// Unix seconds, as stored in the database.
    pub fn now(&self) -> i64 {
        self.now_utc().unix_timestamp()
    }

    /// For certificate validity and CRL dates.
    pub fn system_time(&self) -> SystemTime {
        // The shift only grows from zero (see `ClockControl::advance`).
        SystemTime::now() + Duration::from_secs(self.shift().max(0).unsigned_abs())
    }
}

/// Moves a settable clock. Only `Clock::settable` makes one.
pub struct ClockControl {
    shift: Arc<AtomicI64>,
}

impl ClockControl {
    /// Moves the clock forward by `secs`; never back, so the stored times and the CRL
    /// numbers (taken from the clock) keep growing. Returns the total shift.
    pub fn advance(&self, secs: u32) -> i64 {
        let add = i64::from(secs);
        self.shift.fetch_add(add, Ordering::SeqCst) + add
    }
}

pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settable_clock_moves_forward_and_its_clones_follow() {
        let (clock, control) = Clock::settable();
        let copy = clock.clone();
        let before = clock.now();
        assert_eq!(control.advance(3600), 3600);
        assert!(copy.now() >= before + 3600);
        assert!(copy.system_time() >= SystemTime::now() + Duration::from_secs(3599));
        assert!(Clock::system().now() < copy.now());
    }
}
