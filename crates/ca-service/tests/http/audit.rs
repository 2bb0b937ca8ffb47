//! Issue 13 item 8: every staff action lands in the hash-chained audit log;
//! `certdesk-ca audit verify` names the first altered, inserted or deleted entry.

use std::path::Path;
use std::process::{Command, Output};

use certdesk_ca_client::CaClient;
use certdesk_ca_service::audit::{Action, Actor, NewEntry, next_entry};
use certdesk_ca_service::sandbox_flow;
use secrecy::SecretString;

use crate::common::*;

fn ca_cmd(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().unwrap()
}

/// `certdesk-ca audit verify --data DIR`.
pub fn verify(dir: &Path) -> Output {
    ca_cmd(&["audit", "verify", "--data", dir.to_str().unwrap()])
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test]
async fn staff_and_cli_actions_are_audited_and_browsable() {
    let ca = Ca::start();
    let (c1, p1) = ca.signed_in(seed()).await;
    let (c2, p2) = ca.signed_in(seed()).await;
    let a1 = sandbox_flow::submitted(&c1, &p1, "sandbox-rsa")
        .await
        .unwrap();
    sandbox_flow::paid(&c1, &a1.id).await.unwrap();
    let a2 = sandbox_flow::submitted(&c2, &p2, "sandbox-rsa")
        .await
        .unwrap();
    sandbox_flow::paid(&c2, &a2.id).await.unwrap();

    // The CLI approves with its own credential: the entry names `cli`.
    let dir = ca.dir.to_str().unwrap().to_string();
    let (url, id) = (ca.url.clone(), a1.id.clone());
    let out = tokio::task::spawn_blocking(move || {
        ca_cmd(&["review", "approve", &id, "--ca", &url, "--data", &dir])
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // Staff reject with a reason that happens to hold an identity number: the entry
    // keeps only the count.
    let staff = CaClient::new(&ca.url)
        .unwrap()
        .with_token(SecretString::from(ca.staff_token()));
    staff
        .staff_reject(&a2.id, vec!["身份证110101199003071234模糊".into()])
        .await
        .unwrap();
    let r = raw(ca
        .http()
        .get(format!("{}/v1/staff/tokens/TK0001/so-pin", ca.url))
        .bearer_auth(ca.staff_token()))
    .await;
    assert_eq!(r.status, 200);

    let get = |q: &str| {
        ca.http()
            .get(format!("{}/v1/staff/audit{q}", ca.url))
            .bearer_auth(ca.staff_token())
    };
    let all = raw(get("")).await;
    assert_eq!(all.status, 200, "{}", all.body);
    let items = all.body["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["token.so_pin", "review.reject", "review.approve"],
        "newest first"
    );
    assert_eq!(items[2]["actor"], "cli");
    assert_eq!(items[2]["application_id"], a1.id.as_str());
    assert_eq!(items[1]["actor"], "staff:staff-token");
    assert_eq!(items[1]["details"]["reasons"], "1");
    assert_eq!(items[0]["token_serial"], "TK0001");
    // Each entry carries the hash of the one before.
    assert_eq!(items[1]["prev_hash"], items[2]["hash"]);
    assert_eq!(items[0]["prev_hash"], items[1]["hash"]);

    let by_app = raw(get(&format!("?application_id={}", a2.id))).await;
    assert_eq!(by_app.body["items"].as_array().unwrap().len(), 1);
    let by_action = raw(get("?action=review.approve")).await;
    assert_eq!(by_action.body["items"][0]["application_id"], a1.id.as_str());
    let by_actor = raw(get("?actor=cli")).await;
    assert_eq!(by_actor.body["items"].as_array().unwrap().len(), 1);
    let future = raw(get("?from=2099-01-01T00:00:00Z")).await;
    assert!(future.body["items"].as_array().unwrap().is_empty());
    let first = raw(get("?limit=2")).await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    let rest = raw(get(&format!("?limit=2&cursor={cursor}"))).await;
    assert_eq!(rest.body["items"][0]["action"], "review.approve");
    assert!(rest.body.get("next_cursor").is_none());
    raw(get("?action=review.bogus"))
        .await
        .assert_problem(422, "validation_failed");
    raw(get("?from=yesterday"))
        .await
        .assert_problem(422, "validation_failed");
    // An applicant cannot read the log.
    raw(ca
        .http()
        .get(format!("{}/v1/staff/audit", ca.url))
        .header("authorization", bearer(&c1)))
    .await
    .assert_problem(401, "unauthorized");

    // The details never hold the identity number typed into the reason.
    let conn = rusqlite::Connection::open(ca.dir.join("ca.sqlite3")).unwrap();
    let details: Vec<String> = conn
        .prepare("SELECT details FROM audit_log")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(details.iter().all(|d| !d.contains("110101199003071234")));

    let dir = ca.dir.clone();
    let (ok, list) = tokio::task::spawn_blocking(move || {
        let d = dir.to_str().unwrap().to_string();
        (
            verify(&dir),
            ca_cmd(&["audit", "list", "--data", &d, "--action", "review.reject"]),
        )
    })
    .await
    .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("3 entries"));
    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(list.contains(&a2.id) && !list.contains(&a1.id), "{list}");
}

/// A data dir with four audit entries (SO PIN releases are the cheapest staff action),
/// the service stopped.
async fn four_entries() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let mut ca = Ca::start_in(&dir, &["--sandbox"]);
    // Installs the TLS crypto provider reqwest wants.
    let _ = ca.client();
    for n in 1..=4 {
        let r = raw(ca
            .http()
            .get(format!("{}/v1/staff/tokens/TK{n}/so-pin", ca.url))
            .bearer_auth(ca.staff_token()))
        .await;
        assert_eq!(r.status, 200);
    }
    assert!(ca.sigterm().success());
    (tmp, dir)
}

/// A copy of `dir` changed by `sql` run as an attacker with the file (the triggers that
/// keep the service from rewriting the log dropped first).
fn tampered(dir: &Path, name: &str, tamper: impl FnOnce(&rusqlite::Connection)) -> Output {
    let copy = dir.with_file_name(name);
    std::fs::create_dir(&copy).unwrap();
    for f in std::fs::read_dir(dir).unwrap() {
        let f = f.unwrap();
        if !f.file_type().unwrap().is_file() {
            continue;
        }
        std::fs::copy(f.path(), copy.join(f.file_name())).unwrap();
    }
    let conn = rusqlite::Connection::open(copy.join("ca.sqlite3")).unwrap();
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    tamper(&conn);
    drop(conn);
    verify(&copy)
}

fn fails_naming(out: &Output, what: &str) {
    assert!(!out.status.success(), "verify passed a tampered log");
    assert!(stderr(out).contains(what), "{}", stderr(out));
}

#[tokio::test]
async fn audit_verify_names_the_altered_inserted_or_deleted_entry() {
    let (_tmp, dir) = four_entries().await;
    let out = verify(&dir);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 entries"));

    let altered = tampered(&dir, "altered", |c| {
        c.execute(
            "UPDATE audit_log SET token_serial = 'TK9' WHERE seq = 2",
            [],
        )
        .unwrap();
    });
    fails_naming(&altered, "entry 2 was altered");

    let deleted = tampered(&dir, "deleted", |c| {
        c.execute("DELETE FROM audit_log WHERE seq = 3", [])
            .unwrap();
    });
    fails_naming(&deleted, "entry 3 is missing");

    let cut = tampered(&dir, "cut", |c| {
        c.execute("DELETE FROM audit_log WHERE seq = 4", [])
            .unwrap();
    });
    fails_naming(&cut, "entries 4 to 4 are missing");

    // An attacker who knows the encoding appends a well-chained entry: it is not sealed.
    let inserted = tampered(&dir, "inserted", |c| {
        let last: String = c
            .query_row("SELECT hash FROM audit_log WHERE seq = 4", [], |r| r.get(0))
            .unwrap();
        let e = next_entry(
            &NewEntry::new(Actor::Cli, Action::CertificateRevoke).certificate("0abc"),
            Some((4, &last)),
            1_800_000_000,
        );
        c.execute(
            "INSERT INTO audit_log (seq, at, actor, action, certificate_serial, details,
                prev_hash, hash, tag) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, x'0102')",
            rusqlite::params![
                e.seq,
                e.at,
                e.actor,
                e.action,
                e.certificate_serial,
                e.details,
                e.prev_hash,
                e.hash
            ],
        )
        .unwrap();
    });
    fails_naming(&inserted, "entry 5 was inserted");

    // Rewriting an entry and re-hashing everything after it still leaves it unsealed.
    let rewritten = tampered(&dir, "rewritten", |c| {
        c.execute("UPDATE audit_log SET tag = x'00' WHERE seq = 2", [])
            .unwrap();
    });
    fails_naming(&rewritten, "entry 2 was inserted");
}
