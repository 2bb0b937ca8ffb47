//! The drafts store on a real SQLite file: encryption at rest, the queue, and
//! surviving `kill -9` in the middle of writes.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use certdesk_core::db::StoreError;
use certdesk_core::drafts::{DraftId, DraftKey, DraftStore, Field};

const KEY: [u8; 32] = [7u8; 32];

fn store(dir: &std::path::Path) -> DraftStore {
    DraftStore::open(&dir.join("core.sqlite"), DraftKey::from_bytes(KEY)).unwrap()
}

fn raw_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["core.sqlite", "core.sqlite-wal", "core.sqlite-journal"] {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            all.extend(b);
        }
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn no_personal_value_is_written_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let id = s.create().unwrap();
    let personal = [
        (Field::LegalRepName, "赵法人甲乙"),
        (Field::LegalRepIdNumber, "11010519491231002X"),
        (Field::LegalRepPhone, "13912345678"),
        (Field::HandlerName, "钱经办丙丁"),
        (Field::HandlerIdNumber, "110105194912310037"),
        (Field::HandlerPhone, "13887654321"),
        (Field::HandlerEmail, "qian.jingban@example.cn"),
        (Field::HandlerBankCard, "6222020200000000013"),
        (Field::MailingRecipient, "孙收件戊己"),
        (Field::MailingAddress, "北京市海淀区示例路99号"),
    ];
    // Typed keystroke by keystroke, as the autosave does.
    for (f, v) in personal {
        let mut typed = String::new();
        for ch in v.chars() {
            typed.push(ch);
            s.save_field(&id, f, &typed).unwrap();
        }
    }
    let d = s.load(&id).unwrap();
    for (f, v) in personal {
        assert_eq!(d.value(f), Some(v));
        assert!(d.fields[&f].pending);
    }
    // The Debug form of a draft redacts values too.
    let dbg = format!("{d:?}");
    let raw = raw_bytes(dir.path());
    assert!(raw.len() > 4096, "database files not found");
    for (_, v) in personal {
        assert!(!contains(&raw, v), "{v} found in the SQLite file");
        assert!(!dbg.contains(v), "{v} in Debug");
    }
    // Still true after a checkpoint moves the WAL into the main file.
    drop(d);
    drop(s);
    let raw = raw_bytes(dir.path());
    for (_, v) in personal {
        assert!(!contains(&raw, v), "{v} found after checkpoint");
    }
}

#[test]
fn a_different_key_is_refused_not_misread() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let id = s.create().unwrap();
    s.save_field(&id, Field::HandlerIdNumber, "110105194912310037")
        .unwrap();
    drop(s);
    let e = DraftStore::open(
        &dir.path().join("core.sqlite"),
        DraftKey::from_bytes([9u8; 32]),
    )
    .unwrap_err();
    assert!(matches!(e, StoreError::WrongKey), "{e:?}");
    assert_eq!(
        store(dir.path())
            .load(&id)
            .unwrap()
            .value(Field::HandlerIdNumber),
        Some("110105194912310037")
    );
    // With the key gone for good, the unreadable file is moved aside, not deleted.
    let path = dir.path().join("core.sqlite");
    let aside = certdesk_core::db::set_aside(&path).unwrap();
    assert!(aside.exists() && !path.exists());
    let fresh = DraftStore::open(&path, DraftKey::from_bytes([9u8; 32])).unwrap();
    assert!(fresh.list().unwrap().is_empty());
}

#[test]
fn a_field_typed_while_sending_stays_queued() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path());
    let id = s.create().unwrap();
    let r1 = s.save_field(&id, Field::City, "北京").unwrap();
    let r2 = s.save_field(&id, Field::Province, "北京市").unwrap();
    assert!(r2 > r1);
    let app = fake_app();
    // The send carried City at r1 and Province at r2; City is typed again meanwhile.
    s.save_field(&id, Field::City, "北京市").unwrap();
    let sent: BTreeMap<Field, i64> = [(Field::City, r1), (Field::Province, r2)].into();
    s.mark_sent(&id, &app, &sent).unwrap();
    let d = s.load(&id).unwrap();
    assert!(
        d.fields[&Field::City].pending,
        "newer keystroke lost from the queue"
    );
    assert!(!d.fields[&Field::Province].pending);
    assert_eq!(d.application_id.as_deref(), Some("app_x"));
    assert_eq!(d.base_etag.as_deref(), Some("\"v3\""));
    assert_eq!(s.with_pending().unwrap(), vec![id.clone()]);
    assert_eq!(
        d.pending().keys().copied().collect::<Vec<_>>(),
        vec![Field::City]
    );
}

fn fake_app() -> certdesk_ca_api::application::Application {
    serde_json::from_value(serde_json::json!({
        "id": "app_x", "channel_id": "c", "business": "new_org_certificate", "status": "draft",
        "requirements": [], "actions": [], "input": {}, "documents": [], "amount_fen": 1,
        "etag": "\"v3\"", "created_at": "", "updated_at": ""
    }))
    .unwrap()
}

/// The child half of the kill -9 test: writes revisions in a loop, printing each one
/// after its transaction committed, until killed.
#[test]
#[ignore = "helper process for survives_kill_9_mid_write"]
fn writer_child() {
    let Ok(dir) = std::env::var("CERTDESK_TEST_WRITER_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let s = store(&dir);
    let id = DraftId::from_string(std::env::var("CERTDESK_TEST_WRITER_DRAFT").unwrap());
    let mut out = std::io::stdout().lock();
    loop {
        let d = s.load(&id).unwrap();
        let next = format!("北京市海淀区示例路{}号", d.revision + 1);
        let rev = s.save_field(&id, Field::MailingAddress, &next).unwrap();
        use std::io::Write;
        writeln!(out, "{rev}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn survives_kill_9_mid_write() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let s = store(dir.path());
        let id = s.create().unwrap();
        s.save_field(&id, Field::Uscc, "91350100M000100Y43")
            .unwrap();
        id
    };
    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "writer_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CERTDESK_TEST_WRITER_DIR", dir.path())
            .env("CERTDESK_TEST_WRITER_DRAFT", id.as_str())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut last_committed = 0i64;
        // Kill at a different point each round, always while it is writing.
        let stop_after = 150 + round * 37;
        let mut seen = 0;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Ok(rev) = line.trim().parse::<i64>() {
                last_committed = rev;
                seen += 1;
                if seen == stop_after {
                    break;
                }
            }
        }
        // SIGKILL by PID: no destructor, no rollback, no checkpoint runs.
        let st = Command::new("kill")
            .args(["-KILL", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        child.wait().unwrap();
        // Lines still in the pipe were printed, so committed, before the kill.
        for line in lines {
            if let Ok(rev) = line.unwrap().trim().parse::<i64>() {
                last_committed = rev;
            }
        }
        let s = store(dir.path());
        let ok: String = rusqlite::Connection::open(dir.path().join("core.sqlite"))
            .unwrap()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let d = s.load(&id).unwrap();
        // Everything reported committed is there; at most the write in flight is extra.
        assert!(
            d.revision >= last_committed,
            "lost committed revision {last_committed}, have {}",
            d.revision
        );
        assert!(d.revision <= last_committed + 1);
        // The field and the draft revision moved together (one transaction).
        let entry = &d.fields[&Field::MailingAddress];
        assert_eq!(entry.revision, d.revision);
        assert_eq!(
            entry.value.expose(),
            &format!("北京市海淀区示例路{}号", d.revision)
        );
        assert_eq!(d.value(Field::Uscc), Some("91350100M000100Y43"));
    }
}
