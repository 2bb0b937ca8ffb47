//! The audit log: who did what, when, at which point, to which application or token.
//!
//! Append-only and hash-chained: each entry's `hash` is SHA-256 over a canonical
//! encoding of the entry and the previous entry's hash ([`entry_hash`]), so altering,
//! inserting or removing an entry breaks the chain at that entry. Each hash is also
//! sealed with the data key (`DIR/data-key`, outside the database) into the row, and the
//! newest (sequence, hash) into a sealed head row: without the key nobody can forge an
//! entry nor cut the tail off unnoticed. `verify` checks all of it.

pub mod verify;

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Domain separation of the entry hash (and its version).
const HASH_LABEL: &[u8] = b"certdesk-ca audit entry v1\n";

/// Who acted. Staff and the CLI authenticate with their own credential files; operators
/// with their operator certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Operator {
        id: String,
        certificate_serial: String,
    },
    /// CA staff over the staff API, by credential (`staff-token`).
    Staff { credential: String },
    /// `certdesk-ca review|operator|point` on the service's host.
    Cli,
    /// The service itself (e.g. the old certificate revoked when its reissue is issued).
    Service,
    /// Sandbox helpers standing in for staff (sandbox mode only).
    Sandbox,
}

impl Actor {
    /// (actor, certificate serial) as stored.
    pub fn columns(&self) -> (String, Option<String>) {
        match self {
            Actor::Operator {
                id,
                certificate_serial,
            } => (format!("operator:{id}"), Some(certificate_serial.clone())),
            Actor::Staff { credential } => (format!("staff:{credential}"), None),
            Actor::Cli => ("cli".into(), None),
            Actor::Service => ("service".into(), None),
            Actor::Sandbox => ("sandbox".into(), None),
        }
    }
}

/// Stable action codes (never renamed: old entries keep them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ReviewApprove,
    ReviewReject,
    ReviewPaperReceived,
    CertificateRevoke,
    TokenSoPin,
    PointAdd,
    OperatorAdd,
    OperatorRevoke,
    OperatorSignIn,
    CaseOpen,
    CaseApprove,
    CaseReject,
    CaseCheck,
    CasePayment,
    CaseIdentity,
    CaseEnrollment,
    CaseToken,
    CaseHandover,
    CaseDocument,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Action::ReviewApprove,
        Action::ReviewReject,
        Action::ReviewPaperReceived,
        Action::CertificateRevoke,
        Action::TokenSoPin,
        Action::PointAdd,
        Action::OperatorAdd,
        Action::OperatorRevoke,
        Action::OperatorSignIn,
        Action::CaseOpen,
        Action::CaseApprove,
        Action::CaseReject,
        Action::CaseCheck,
        Action::CasePayment,
        Action::CaseIdentity,
        Action::CaseEnrollment,
        Action::CaseToken,
        Action::CaseHandover,
        Action::CaseDocument,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::ReviewApprove => "review.approve",
            Action::ReviewReject => "review.reject",
            Action::ReviewPaperReceived => "review.paper_received",
            Action::CertificateRevoke => "certificate.revoke",
            Action::TokenSoPin => "token.so_pin",
            Action::PointAdd => "point.add",
            Action::OperatorAdd => "operator.add",
            Action::OperatorRevoke => "operator.revoke",
            Action::OperatorSignIn => "operator.sign_in",
            Action::CaseOpen => "case.open",
            Action::CaseApprove => "case.approve",
            Action::CaseReject => "case.reject",
            Action::CaseCheck => "case.check",
            Action::CasePayment => "case.payment",
            Action::CaseIdentity => "case.identity",
            Action::CaseEnrollment => "case.enrollment",
            Action::CaseToken => "case.token",
            Action::CaseHandover => "case.handover",
            Action::CaseDocument => "case.document",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// An entry to append. `details` are small facts (a reason code, a role); never an
/// identity number, PIN, code or password — callers put only such facts in.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub actor: Actor,
    pub point: Option<String>,
    pub action: Action,
    pub application_id: Option<String>,
    pub certificate_serial: Option<String>,
    pub token_serial: Option<String>,
    pub details: BTreeMap<&'static str, String>,
}

impl NewEntry {
    pub fn new(actor: Actor, action: Action) -> Self {
        Self {
            actor,
            point: None,
            action,
            application_id: None,
            certificate_serial: None,
            token_serial: None,
            details: BTreeMap::new(),
        }
    }

    pub fn application(mut self, id: &str) -> Self {
        self.application_id = Some(id.to_string());
        self
    }

    pub fn certificate(mut self, serial: &str) -> Self {
        self.certificate_serial = Some(serial.to_string());
        self
    }

    pub fn token(mut self, serial: &str) -> Self {
        self.token_serial = Some(serial.to_string());
        self
    }

    pub fn point(mut self, point: Option<&str>) -> Self {
        self.point = point.map(str::to_string);
        self
    }

    pub fn detail(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.details.insert(key, value.into());
        self
    }
}

/// An entry as stored (and as hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub actor_serial: Option<String>,
    pub point: Option<String>,
    pub action: String,
    pub application_id: Option<String>,
    pub certificate_serial: Option<String>,
    pub token_serial: Option<String>,
    /// A JSON object with sorted keys.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

fn put(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    buf.extend_from_slice(bytes);
}

fn put_opt(buf: &mut Vec<u8>, v: Option<&str>) {
    match v {
        None => buf.push(0),
        Some(s) => {
            buf.push(1);
            put(buf, s.as_bytes());
        }
    }
}

/// SHA-256 over the label, then every field in a fixed order, each length-prefixed
/// (u64 big-endian) and optional ones behind a presence byte, ending with `prev_hash`:
/// no two different entries encode alike.
pub fn entry_hash(e: &Entry) -> String {
    let mut buf = Vec::with_capacity(256);
    buf.extend_from_slice(HASH_LABEL);
    put(&mut buf, e.seq.to_string().as_bytes());
    put(&mut buf, e.at.to_string().as_bytes());
    put(&mut buf, e.actor.as_bytes());
    put_opt(&mut buf, e.actor_serial.as_deref());
    put_opt(&mut buf, e.point.as_deref());
    put(&mut buf, e.action.as_bytes());
    put_opt(&mut buf, e.application_id.as_deref());
    put_opt(&mut buf, e.certificate_serial.as_deref());
    put_opt(&mut buf, e.token_serial.as_deref());
    put(&mut buf, e.details.as_bytes());
    put(&mut buf, e.prev_hash.as_bytes());
    hex::encode(Sha256::digest(&buf))
}

/// The entry that follows `prev` (sequence and hash), at `at`.
pub fn next_entry(new: &NewEntry, prev: Option<(i64, &str)>, at: i64) -> Entry {
    let (seq, prev_hash) = prev.map_or((1, GENESIS), |(s, h)| (s + 1, h));
    let (actor, actor_serial) = new.actor.columns();
    // BTreeMap serialises with sorted keys: one text per set of details.
    let details = serde_json::to_string(&new.details).unwrap_or_else(|_| "{}".into());
    let mut e = Entry {
        seq,
        at,
        actor,
        actor_serial,
        point: new.point.clone(),
        action: new.action.as_str().to_string(),
        application_id: new.application_id.clone(),
        certificate_serial: new.certificate_serial.clone(),
        token_serial: new.token_serial.clone(),
        details,
        prev_hash: prev_hash.to_string(),
        hash: String::new(),
    };
    e.hash = entry_hash(&e);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoding_tells_absent_from_empty_and_moved_bytes_apart() {
        let base = next_entry(&NewEntry::new(Actor::Cli, Action::PointAdd), None, 10);
        let mut empty_point = base.clone();
        empty_point.point = Some(String::new());
        assert_ne!(entry_hash(&base), entry_hash(&empty_point));
        let mut a = base.clone();
        a.actor = "ab".into();
        a.action = "c".into();
        let mut b = base.clone();
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(entry_hash(&a), entry_hash(&b));
        assert_eq!(base.prev_hash, GENESIS);
        let next = next_entry(
            &NewEntry::new(Actor::Cli, Action::PointAdd),
            Some((1, &base.hash)),
            11,
        );
        assert_eq!((next.seq, next.prev_hash.as_str()), (2, base.hash.as_str()));
    }

    #[test]
    fn action_codes_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
    }
}
