//! An interrupted renewal (更新) is finished, never left behind, against the real
//! reference CA (a child process, 60-day certificates so renewal is open) and SoftHSM2.
//!
//! The renewal runs in a child process (this test binary run again, see [`child`]) that
//! aborts itself at a step boundary through the core's deliberate fault injector
//! (`CERTDESK_FAULT_AFTER`: no destructors, no flush, like `kill -9`), after each step
//! from keygen to confirm, including after the CA issued or confirmed but before the
//! journal recorded it. The next renewal of the same certificate, in this process, must
//! end with exactly one private key and one end-entity certificate on the token (the new
//! one, paired), one renewal application at the CA for the old certificate and at most
//! one certificate issued for it, and no unfinished journal entry. Also: the CA down at
//! confirm (a failure, not a crash) leaves the renewal resumable, and a new key wiped
//! from the token after the CA issued for it is reported as `key_lost` with the old
//! certificate untouched.
#![allow(clippy::unwrap_used)]

mod download_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use certdesk_core::enrollment::{
    Journal, RenewalRequest, RenewalStep, SandboxCaptcha, download, interrupted, renew,
};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;
use download_support::{Ca, PIN, approved_order, pairs, request, sixty_day_channels};

/// Set in the child process: the renewal to run (see [`child`]).
const CHILD_ENV: &str = "CERTDESK_TEST_RENEWAL_CHILD";
const TEST_NAME: &str = "renewal_interrupted_at_every_step_is_finished_on_the_next_renewal";

fn ca_db(data: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(
        data.join("ca.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap()
}

/// (renewal applications, certificates issued for them) of the certificate `old`.
fn renewals_at_ca(data: &Path, old: &str) -> (i64, i64) {
    let conn = ca_db(data);
    // The CA seals the document at rest; these two columns are kept in clear for queries.
    let renewal = "a.business = 'renewal' AND a.renews_serial = lower(?1)";
    let apps = conn
        .query_row(
            &format!("SELECT COUNT(*) FROM applications a WHERE {renewal}"),
            [old],
            |r| r.get(0),
        )
        .unwrap();
    let certs = conn
        .query_row(
            &format!(
                "SELECT COUNT(*) FROM certificates c JOIN applications a ON a.id = c.application_id WHERE {renewal}"
            ),
            [old],
            |r| r.get(0),
        )
        .unwrap();
    (apps, certs)
}

fn renewal_request(url: &str, token: &TokenRef, old: &str) -> RenewalRequest {
    RenewalRequest {
        ca_url: url.to_string(),
        token: token.clone(),
        serial: old.to_string(),
        pin: SecretString::from(PIN.to_string()),
        confirm_final_pin_try: false,
    }
}

/// Serials of the end-entity certificates on the token (logged in and out again).
async fn serials(svc: &TokenService, token: &TokenRef) -> Vec<String> {
    svc.login(token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    let out = svc
        .list_certificates(token.clone())
        .await
        .unwrap()
        .into_iter()
        .filter(|c| !c.is_ca)
        .map(|c| c.serial)
        .collect();
    svc.close_sessions().await.unwrap();
    out
}

/// Runs the renewal in a child process told to abort at `fault`; returns once it died.
fn crash_renewal(hsm: &SoftHsm, db: &Path, url: &str, token: &TokenRef, old: &str, fault: &str) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(hsm.env().0, hsm.env().1)
        .env(CHILD_ENV, "1")
        .env("CERTDESK_FAULT_AFTER", fault)
        .env("CHILD_DB", db)
        .env("CHILD_CA", url)
        .env("CHILD_MODULE", &token.module)
        .env("CHILD_TOKEN", &token.serial)
        .env("CHILD_OLD", old)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains(&format!("fault injected after {fault}")),
        "the child should have aborted at {fault}: {:?}\n{stderr}",
        out.status
    );
}

/// The child: one renewal, which the fault injector aborts.
async fn child() {
    let var = |k: &str| std::env::var(k).unwrap();
    let svc = TokenService::start().unwrap();
    let mut journal = Journal::open(Path::new(&var("CHILD_DB"))).unwrap();
    let token = TokenRef {
        module: PathBuf::from(var("CHILD_MODULE")),
        serial: var("CHILD_TOKEN"),
    };
    let r = renew(
        &svc,
        &mut journal,
        &renewal_request(&var("CHILD_CA"), &token, &var("CHILD_OLD")),
        &mut |_| {},
    )
    .await;
    // Reaching this line means the fault point was never hit.
    eprintln!(
        "renewal ended without the injected fault: {:?}",
        r.map(|_| ())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewal_interrupted_at_every_step_is_finished_on_the_next_renewal() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return child().await;
    }
    let hsm = SoftHsm::new().unwrap();
    // SAFETY: the only test in this binary, before any PKCS#11 use.
    unsafe { hsm.install_env() };
    let module = SoftHsm::module().unwrap();
    // Each point names where the child dies: after the step's journal `end` record, or
    // (`:op`) after its operation ran but before the journal heard of it.
    // The `keygen:*` / `write-certificate:*` points with a name after the colon stop
    // in the middle of the token write (between its PKCS#11 calls, issue 12).
    let crash_at = [
        ("keygen:generated", false),
        ("keygen:public-id", false),
        ("keygen:op", false),
        ("keygen", false),
        ("csr", false),
        ("finalize:op", true),
        ("finalize", true),
        ("write-certificate:leaf-created", true),
        ("write-certificate:private-subject", true),
        ("write-certificate:public-subject", true),
        ("write-certificate", true),
        ("self-test", true),
        ("confirm:op", true),
        ("confirm", true),
    ];
    let mut tokens = Vec::new();
    for i in 0..crash_at.len() + 2 {
        let serial = hsm.init_token(&format!("R{i}"), "12345678", PIN).unwrap();
        tokens.push(TokenRef {
            module: module.clone(),
            serial,
        });
    }
    let tmp = tempfile::tempdir().unwrap();
    let channels = sixty_day_channels(tmp.path());
    let ca_data = tmp.path().join("ca");
    std::fs::create_dir_all(&ca_data).unwrap();
    let mut ca = Ca::start_with_channels(&ca_data, &channels);
    let db = tmp.path().join("workflow.sqlite");
    let mut journal = Journal::open(&db).unwrap();
    let svc = TokenService::start().unwrap();

    // A downloaded certificate on token `i`, ready to renew; the token is left logged
    // out with no session, for the child process.
    async fn downloaded(
        svc: &TokenService,
        journal: &mut Journal,
        url: &str,
        token: &TokenRef,
    ) -> String {
        let order = approved_order(url, "sandbox-p256");
        let done = download(
            svc,
            journal,
            &request(url, &order, &token.serial),
            &SandboxCaptcha,
            &mut |_| {},
        )
        .await
        .unwrap();
        svc.close_sessions().await.unwrap();
        done.certificate_serial
    }

    for (i, (fault, past_finalize)) in crash_at.into_iter().enumerate() {
        let token = &tokens[i];
        let old = downloaded(&svc, &mut journal, &ca.url, token).await;
        crash_renewal(&hsm, &db, &ca.url, token, &old, fault);

        // My certificates offers to finish it.
        let open = interrupted(&journal).unwrap();
        assert_eq!(open.len(), 1, "{fault}: {open:?}");
        assert_eq!((&open[0].token, open[0].serial.as_str()), (token, &*old));

        let mut steps = Vec::new();
        let renewed = renew(
            &svc,
            &mut journal,
            &renewal_request(&ca.url, token, &old),
            &mut |s| steps.push(s),
        )
        .await
        .unwrap_or_else(|e| panic!("renewal after a crash at {fault}: {e}"));
        assert_eq!(renewed.resumed, past_finalize, "{fault}");
        assert_ne!(renewed.new_serial, old, "{fault}");
        assert_eq!(steps.last(), Some(&RenewalStep::RemoveOld), "{fault}");
        assert_eq!(
            pairs(&svc, token, fault).await,
            1,
            "{fault}: one key, one certificate"
        );
        assert_eq!(
            serials(&svc, token).await,
            vec![renewed.new_serial.clone()],
            "{fault}"
        );
        svc.login(token.clone(), SecretString::from(PIN.to_string()), false)
            .await
            .unwrap();
        let inv = svc.inventory(token.clone()).await.unwrap();
        assert_eq!(inv.damaged().count(), 0, "{fault}: {inv:?}");
        svc.close_sessions().await.unwrap();
        assert_eq!(
            renewals_at_ca(&ca_data, &old),
            (1, 1),
            "{fault}: one renewal application, one certificate issued"
        );
        assert!(interrupted(&journal).unwrap().is_empty(), "{fault}");
    }

    // ---- the CA down when confirm starts: a failure, not a crash; resumable ----
    let token = &tokens[crash_at.len()];
    let old = downloaded(&svc, &mut journal, &ca.url, token).await;
    let pid = ca.pid();
    let mut stop_ca = |s: RenewalStep| {
        if s == RenewalStep::Confirm {
            // The CA process is ours (started above); stop it by its id.
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    };
    let e = renew(
        &svc,
        &mut journal,
        &renewal_request(&ca.url, token, &old),
        &mut stop_ca,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "ca_unreachable", "{e}");
    ca.kill();
    assert_eq!(interrupted(&journal).unwrap().len(), 1, "left resumable");
    ca = Ca::start_with_channels(&ca_data, &channels);
    let renewed = renew(
        &svc,
        &mut journal,
        &renewal_request(&ca.url, token, &old),
        &mut |_| {},
    )
    .await
    .unwrap();
    assert!(renewed.resumed);
    assert_eq!(pairs(&svc, token, "CA down at confirm").await, 1);
    assert_eq!(renewals_at_ca(&ca_data, &old), (1, 1));

    // ---- the new key wiped after the CA issued for it: said so, old untouched ----
    let token = &tokens[crash_at.len() + 1];
    let old = downloaded(&svc, &mut journal, &ca.url, token).await;
    crash_renewal(&hsm, &db, &ca.url, token, &old, "finalize");
    let entry = journal
        .active(Some(token))
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    svc.login(token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    svc.delete_by_id(token.clone(), entry.key_id.clone().unwrap())
        .await
        .unwrap();
    svc.close_sessions().await.unwrap();
    let e = renew(
        &svc,
        &mut journal,
        &renewal_request(&ca.url, token, &old),
        &mut |_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "key_lost", "{e}");
    assert_eq!(pairs(&svc, token, "key lost").await, 1);
    assert_eq!(serials(&svc, token).await, vec![old.clone()]);
    assert_eq!(renewals_at_ca(&ca_data, &old), (1, 1), "no second issuance");

    // Nothing secret in the journal.
    let entry = journal.get(entry.id).unwrap().unwrap();
    let text = format!("{entry:?} {:?}", journal.steps(entry.id).unwrap());
    assert!(!text.contains(PIN));
}
