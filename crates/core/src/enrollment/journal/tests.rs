#![allow(clippy::unwrap_used)]
use super::*;

fn card() -> EntryKind {
    EntryKind::Download {
        card_serial: "CARD".into(),
    }
}

/// An entry written before the kind column (a renewal marked inside card_serial) reads
/// as a renewal of its old serial after the migration; a download's stays a download.
#[test]
fn entries_from_before_the_kind_column_keep_their_kind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("core.sqlite");
    let token = TokenRef {
        module: "/m.so".into(),
        serial: "S1".into(),
    };
    {
        let j = Journal::open(&path).unwrap();
        j.create("app-1", &token, "http://ca", &card()).unwrap();
        j.create(
            "app-2",
            &token,
            "http://ca",
            &EntryKind::Renewal {
                old_serial: "0A1B".into(),
            },
        )
        .unwrap();
        // Rewind to the old shape: the mark inside card_serial, the new columns empty.
        j.conn
            .execute_batch(
                "UPDATE download_journal SET card_serial = 'renewal:' || old_serial, kind = 'download', old_serial = NULL WHERE application_id = 'app-2';",
            )
            .unwrap();
        // The data part of the migration, as an upgrade from that shape runs it.
        let update = &KIND_MIGRATION[KIND_MIGRATION.find("UPDATE").unwrap()..];
        j.conn.execute_batch(update).unwrap();
    }
    let j = Journal::open(&path).unwrap();
    let kinds: Vec<EntryKind> = j
        .active(None)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&card()), "{kinds:?}");
    assert!(
        kinds.contains(&EntryKind::Renewal {
            old_serial: "0A1B".into()
        }),
        "{kinds:?}"
    );
}

#[test]
fn records_steps_and_facts_and_one_active_per_application() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("core.sqlite")).unwrap();
    let token = TokenRef {
        module: "/m.so".into(),
        serial: "S1".into(),
    };
    let e = j.create("app-1", &token, "http://ca", &card()).unwrap();
    assert!(j.create("app-1", &token, "http://ca", &card()).is_err());
    j.begin(e.id, DownloadStep::Keygen).unwrap();
    assert_eq!(
        j.get(e.id).unwrap().unwrap().last,
        Some((DownloadStep::Keygen, Phase::Begin))
    );
    j.end(
        e.id,
        DownloadStep::Keygen,
        &Facts {
            key_id: Some("ab".into()),
            ..Facts::default()
        },
    )
    .unwrap();
    let got = j.active_for("app-1").unwrap().unwrap();
    assert_eq!(got.key_id.as_deref(), Some("ab"));
    assert_eq!(got.last, Some((DownloadStep::Keygen, Phase::End)));
    assert_eq!(j.active(Some(&token)).unwrap().len(), 1);
    j.finish(e.id, EntryState::Confirmed).unwrap();
    assert!(j.active_for("app-1").unwrap().is_none());
    assert_eq!(j.steps(e.id).unwrap().len(), 2);
    let snap = Snapshot {
        marker: Some("cd".into()),
        fingerprints: vec!["a".into(), "a".into(), "b".into()],
    };
    assert_eq!(j.snapshot(e.id, DownloadStep::Keygen).unwrap(), None);
    j.record_snapshot(e.id, DownloadStep::Keygen, &snap)
        .unwrap();
    assert_eq!(j.snapshot(e.id, DownloadStep::Keygen).unwrap(), Some(snap));
    let again = Snapshot {
        marker: None,
        fingerprints: vec![],
    };
    j.record_snapshot(e.id, DownloadStep::Keygen, &again)
        .unwrap();
    assert_eq!(j.snapshot(e.id, DownloadStep::Keygen).unwrap(), Some(again));
    // A new attempt may start once the old one is closed.
    j.create("app-1", &token, "http://ca", &card()).unwrap();
}
