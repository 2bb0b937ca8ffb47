//! Checks the audit chain end to end and names the first entry that breaks it.

use rusqlite::Connection;

use super::{Entry, GENESIS, entry_hash};
use crate::store::StoreError;
use crate::store::audit::{HEAD_CONTEXT, all_with_tags, head, tag_context};
use crate::store::seal::DataKey;

/// The first break found, in sequence order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Break {
    /// Sequence numbers jump: `seq` (and maybe more) was deleted.
    #[error("entry {seq} is missing (deleted)")]
    Missing { seq: i64 },
    /// The stored hash is not the hash of the stored fields: a field was changed.
    #[error("entry {seq} was altered (its contents do not match its hash)")]
    Altered { seq: i64 },
    /// The entry's hash was not sealed with this data key: written outside the service.
    #[error("entry {seq} was inserted or rewritten (its hash was not sealed by the service)")]
    Inserted { seq: i64 },
    /// The entry does not point at the one before it.
    #[error("entry {seq} does not follow entry {prev} (the chain was rewritten here)")]
    Unlinked { seq: i64, prev: i64 },
    /// Entries the sealed head vouches for are gone from the end.
    #[error("entries {first} to {last} are missing (the end of the log was cut off)")]
    Truncated { first: i64, last: i64 },
    /// The head is missing or does not open although entries exist.
    #[error("the sealed head of the audit log is missing or altered")]
    Head,
}

impl Break {
    /// The first entry concerned (for the exit message and tests).
    pub fn seq(&self) -> Option<i64> {
        match self {
            Break::Missing { seq }
            | Break::Altered { seq }
            | Break::Inserted { seq }
            | Break::Unlinked { seq, .. } => Some(*seq),
            Break::Truncated { first, .. } => Some(*first),
            Break::Head => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Broken(#[from] Break),
}

/// Number of entries when the whole log is intact.
pub fn verify(conn: &Connection, key: &DataKey) -> Result<i64, VerifyError> {
    let rows = all_with_tags(conn)?;
    let mut prev: Option<&Entry> = None;
    for (e, tag) in &rows {
        let expected = prev.map_or(1, |p| p.seq + 1);
        if e.seq > expected {
            return Err(Break::Missing { seq: expected }.into());
        }
        if entry_hash(e) != e.hash {
            return Err(Break::Altered { seq: e.seq }.into());
        }
        let sealed = key.unseal(&tag_context(e.seq), tag).ok();
        if sealed.as_deref() != Some(e.hash.as_bytes()) {
            return Err(Break::Inserted { seq: e.seq }.into());
        }
        let prev_hash = prev.map_or(GENESIS, |p| p.hash.as_str());
        if e.prev_hash != prev_hash || e.seq != expected {
            return Err(Break::Unlinked {
                seq: e.seq,
                prev: expected - 1,
            }
            .into());
        }
        prev = Some(e);
    }
    check_head(conn, key, prev)?;
    Ok(prev.map_or(0, |p| p.seq))
}

fn check_head(conn: &Connection, key: &DataKey, last: Option<&Entry>) -> Result<(), VerifyError> {
    let Some(sealed) = head(conn)? else {
        return match last {
            None => Ok(()),
            Some(_) => Err(Break::Head.into()),
        };
    };
    let text = key
        .unseal(HEAD_CONTEXT, &sealed)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(Break::Head)?;
    let (seq, hash) = text.split_once(':').ok_or(Break::Head)?;
    let seq: i64 = seq.parse().map_err(|_| Break::Head)?;
    let last_seq = last.map_or(0, |e| e.seq);
    if seq > last_seq {
        return Err(Break::Truncated {
            first: last_seq + 1,
            last: seq,
        }
        .into());
    }
    if seq < last_seq {
        // Entries after the head were sealed by nobody who could move it.
        return Err(Break::Inserted { seq: seq + 1 }.into());
    }
    if last.map(|e| e.hash.as_str()) != Some(hash) {
        return Err(Break::Head.into());
    }
    Ok(())
}
