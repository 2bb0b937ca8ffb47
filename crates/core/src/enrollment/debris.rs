//! What an interrupted write of a download or renewal may have left on the token, and
//! its removal on resume (issue 12).
//!
//! Before each write step (keygen, certificate writing, envelope import) the journal
//! records a [`Snapshot`]: the fingerprint of every object on the token and the
//! temporary `CKA_ID` the step puts in its generation template. On resume, an object
//! that was not on the token before the step is the step's own when it is half-made
//! (damaged: a key without id, a certificate without value), carries the temporary id,
//! or carries one of the transaction's labels; it is destroyed. Anything else added
//! meanwhile is not attributable and is left alone: damaged ones are offered to the
//! user by the repair path (`doctor`, 环境检测), never deleted silently. Objects that
//! were on the token before the step (the user's, damaged or not) are never touched.

use certdesk_token::{TokenError, TokenObject, TokenRef, TokenService};

use super::journal::{DownloadStep, Journal, Snapshot};
use crate::db::StoreError;

/// The objects of `now` that are not among `before` (a multiset: two equal objects
/// before and three now make one added).
pub fn added_since(before: &[String], now: &[TokenObject]) -> Vec<TokenObject> {
    let mut left: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for f in before {
        *left.entry(f.as_str()).or_default() += 1;
    }
    now.iter()
        .filter(|o| match left.get_mut(o.fingerprint.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}

/// Whether an object added while the step ran is the step's own.
pub fn attributable(o: &TokenObject, labels: &[String], marker: Option<&str>) -> bool {
    o.damage.is_some()
        || marker.is_some_and(|m| !m.is_empty() && o.id.eq_ignore_ascii_case(m))
        || (!o.label.is_empty() && labels.contains(&o.label))
}

/// What a clean-up did.
#[derive(Debug, Default)]
pub struct Cleared {
    pub removed: usize,
    /// Added while the step ran, but not attributable: left for the user.
    pub left: Vec<TokenObject>,
}

/// Removes what an interrupted run of `step` left on the token (see the module docs).
/// Nothing to do when the step never recorded a snapshot. Requires login.
pub async fn clear<E>(
    svc: &TokenService,
    journal: &mut Journal,
    entry_id: i64,
    step: DownloadStep,
    token: &TokenRef,
    labels: &[String],
) -> Result<Cleared, E>
where
    E: From<TokenError> + From<StoreError>,
{
    let Some(snapshot) = journal.snapshot(entry_id, step)? else {
        return Ok(Cleared::default());
    };
    let inventory = svc.inventory(token.clone()).await?;
    if !inventory.logged_in {
        // Private keys are invisible: the comparison would be wrong.
        return Err(TokenError::NotLoggedIn.into());
    }
    let (ours, left): (Vec<_>, Vec<_>) = added_since(&snapshot.fingerprints, &inventory.objects)
        .into_iter()
        .partition(|o| attributable(o, labels, snapshot.marker.as_deref()));
    let removed = if ours.is_empty() {
        0
    } else {
        svc.destroy_objects(token.clone(), ours).await?
    };
    if removed > 0 {
        tracing::info!(step = %step, removed, "debris of an interrupted write removed from the token");
    }
    if !left.is_empty() {
        let kinds: Vec<_> = left.iter().map(|o| (o.kind, o.damage)).collect();
        tracing::warn!(step = %step, ?kinds, "objects added during an interrupted write that it cannot attribute are left for the user");
    }
    Ok(Cleared { removed, left })
}

/// Before a write step: removes an earlier run's debris of it, then records what is on
/// the token now with a fresh temporary `CKA_ID`, which is returned for the step's
/// generation template.
pub async fn settle<E>(
    svc: &TokenService,
    journal: &mut Journal,
    entry_id: i64,
    step: DownloadStep,
    token: &TokenRef,
    labels: &[String],
) -> Result<Vec<u8>, E>
where
    E: From<TokenError> + From<StoreError>,
{
    // A step that ended wrote whole objects; it only runs again (idempotently) on a
    // resume of a later step, and its objects are not debris.
    if !journal.ended(entry_id, step)? {
        clear::<E>(svc, journal, entry_id, step, token, labels).await?;
    }
    let inventory = svc.inventory(token.clone()).await?;
    if !inventory.logged_in {
        return Err(TokenError::NotLoggedIn.into());
    }
    let marker: [u8; 16] = rand::random();
    journal.record_snapshot(
        entry_id,
        step,
        &Snapshot {
            marker: Some(hex::encode(marker)),
            fingerprints: inventory.fingerprints(),
        },
    )?;
    Ok(marker.to_vec())
}

/// Destroys keys labelled `label` that have no certificate, except `keep`: what an
/// interrupted keygen or envelope import of this application (or renewal) left on the
/// token.
pub async fn clean_strays(
    svc: &TokenService,
    token: &TokenRef,
    label: &str,
    keep: Option<&str>,
) -> std::result::Result<usize, TokenError> {
    let mut ids: Vec<String> = svc
        .list_keys(token.clone())
        .await?
        .into_iter()
        .filter(|k| k.label == label && !k.has_certificate && Some(k.id.as_str()) != keep)
        .map(|k| k.id)
        .collect();
    ids.sort();
    ids.dedup();
    let mut n = 0;
    for id in ids {
        n += svc.delete_by_id(token.clone(), id).await?;
    }
    Ok(n)
}

/// The journaled key when it is still on the token, after destroying the other keys
/// labelled `label` without a certificate (what an interrupted keygen left).
pub async fn keep_journaled_key(
    svc: &TokenService,
    token: &TokenRef,
    label: &str,
    journaled: Option<&str>,
) -> std::result::Result<Option<String>, TokenError> {
    let present = match journaled {
        Some(id) => svc
            .list_keys(token.clone())
            .await?
            .iter()
            .any(|k| k.private && k.id == id),
        None => false,
    };
    let keep = journaled.filter(|_| present).map(str::to_string);
    clean_strays(svc, token, label, keep.as_deref()).await?;
    Ok(keep)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use certdesk_token::{Damage, ObjectKind};

    fn obj(f: &str, id: &str, label: &str, damage: Option<Damage>) -> TokenObject {
        TokenObject {
            handle: 1,
            kind: ObjectKind::PrivateKey,
            id: id.into(),
            label: label.into(),
            fingerprint: f.into(),
            damage,
        }
    }

    #[test]
    fn only_objects_added_since_are_candidates_counted_as_a_multiset() {
        let before = vec!["a".to_string(), "b".into(), "b".into()];
        let now = vec![
            obj("a", "", "", None),
            obj("b", "", "", None),
            obj("b", "", "", None),
            obj("b", "", "", None),
            obj("c", "", "", None),
        ];
        let added: Vec<_> = added_since(&before, &now)
            .into_iter()
            .map(|o| o.fingerprint)
            .collect();
        assert_eq!(added, ["b", "c"]);
    }

    #[test]
    fn damaged_marked_or_labelled_objects_are_ours_others_are_not() {
        let labels = ["CertDesk A1".to_string()];
        let m = Some("cdcd");
        assert!(attributable(
            &obj("x", "", "", Some(Damage::KeyWithoutId)),
            &labels,
            m
        ));
        assert!(attributable(&obj("x", "CDCD", "", None), &labels, m));
        assert!(attributable(
            &obj("x", "01", "CertDesk A1", None),
            &labels,
            m
        ));
        assert!(!attributable(
            &obj("x", "01", "someone else's", None),
            &labels,
            m
        ));
        // An empty label or marker names nothing.
        assert!(!attributable(
            &obj("x", "", "", None),
            &["".into()],
            Some("")
        ));
    }
}
