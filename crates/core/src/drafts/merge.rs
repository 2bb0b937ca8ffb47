//! Three-way merge of queued edits with the CA's current version. The CA's ETag changes
//! whenever anything about the application changes (a verification, a document), so a
//! new ETag alone is no conflict: only a field the applicant edited locally that the
//! CA also changed, to another value, since the last agreed version.

use std::collections::BTreeMap;

use serde::Serialize;

use super::fields::Field;
use crate::sensitive::Sensitive;

/// One field changed on both sides. Both values are personal data: redacted in Debug.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldConflict {
    pub field: Field,
    #[serde(serialize_with = "expose")]
    pub mine: Sensitive<String>,
    #[serde(serialize_with = "expose")]
    pub theirs: Sensitive<String>,
}

// The UI must show both values to let the applicant choose; only the IPC payload
// carries them, never a log line or an error message.
fn expose<S: serde::Serializer>(v: &Sensitive<String>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v.expose())
}

pub enum Merge {
    /// The values to send: the CA's version with the queued edits on top.
    Clean(BTreeMap<Field, String>),
    Conflicts(Vec<FieldConflict>),
}

pub fn merge(
    base: &BTreeMap<Field, String>,
    server: &BTreeMap<Field, String>,
    pending: &BTreeMap<Field, String>,
) -> Merge {
    let conflicts: Vec<FieldConflict> = pending
        .iter()
        .filter_map(|(f, mine)| {
            let theirs = server.get(f);
            let changed_there = theirs != base.get(f);
            (changed_there && theirs != Some(mine)).then(|| FieldConflict {
                field: *f,
                mine: Sensitive::new(mine.clone()),
                theirs: Sensitive::new(theirs.cloned().unwrap_or_default()),
            })
        })
        .collect();
    if !conflicts.is_empty() {
        return Merge::Conflicts(conflicts);
    }
    let mut merged = server.clone();
    merged.extend(pending.iter().map(|(f, v)| (*f, v.clone())));
    Merge::Clean(merged)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn m(pairs: &[(Field, &str)]) -> BTreeMap<Field, String> {
        pairs.iter().map(|(f, v)| (*f, v.to_string())).collect()
    }

    #[test]
    fn a_new_etag_with_untouched_fields_is_no_conflict() {
        let base = m(&[(Field::MailingAddress, "旧址"), (Field::City, "北京市")]);
        let server = m(&[(Field::MailingAddress, "旧址"), (Field::City, "天津市")]);
        let pending = m(&[(Field::MailingAddress, "新址")]);
        let Merge::Clean(v) = merge(&base, &server, &pending) else {
            panic!()
        };
        assert_eq!(v[&Field::MailingAddress], "新址");
        assert_eq!(v[&Field::City], "天津市");
    }

    #[test]
    fn the_same_field_changed_on_both_sides_is_reported_with_both_values() {
        let base = m(&[(Field::MailingAddress, "旧址")]);
        let server = m(&[(Field::MailingAddress, "他处")]);
        let pending = m(&[(Field::MailingAddress, "新址")]);
        let Merge::Conflicts(c) = merge(&base, &server, &pending) else {
            panic!()
        };
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].mine.expose().as_str(), c[0].theirs.expose().as_str()),
            ("新址", "他处")
        );
        assert!(!format!("{c:?}").contains("新址"));
    }

    proptest! {
        #[test]
        fn never_overwrites_a_value_changed_on_the_server(
            b in "[ab]", s in "[ab]", p in "[ab]"
        ) {
            let base = m(&[(Field::City, &b)]);
            let server = m(&[(Field::City, &s)]);
            let pending = m(&[(Field::City, &p)]);
            match merge(&base, &server, &pending) {
                Merge::Clean(v) => prop_assert!(s == b || s == p, "clean merge lost the server's {s}; got {}", v[&Field::City]),
                Merge::Conflicts(_) => prop_assert!(s != b && s != p),
            }
        }
    }
}
