//! Batch making in the real window (issue 14 item 1): five approved cases of point BJ01
//! (served and approved through the CA's operator API by a clerk and a reviewer, as
//! ready-made input) are made by the point's maker in one batch on three lanes, onto
//! blank tokens of two vendors' modules at once — SoftHSM2 (three) and Kryoptic (two
//! slots). The app is killed inside a token's certificate write (the core's fault
//! injector) and started again: the batch is still there, every item on its own token.
//! One SoftHSM2 token is then pulled: the run makes the other four and fails that one,
//! saying it is out; put back, a retry finishes it on the same token. Every case ends
//! with one certificate issued by the CA and one key and one CertDesk certificate on its
//! own token; the PIN mailer PDF is read back (a page per token, the PIN in it opens
//! that token with pkcs11-tool); then the certificates page makes the holder change the
//! initial PIN before anything else. Screens of the batch in zh-CN and en.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::process::Command;

use std::path::{Path, PathBuf};

use certdesk_e2e::{App, AppData};
use certdesk_testkit::kryoptic::Kryoptic;
use certdesk_testkit::softhsm::SoftHsm;
use common::counter::staff_api::{approved_case, sessions_by_name};
use common::counter::{
    add_point, counter_mode_on, launch_in_with_env, operator_on_token, sign_in, submitted_order,
};
use common::{Env, set_language};

const CASES: usize = 5;
/// Blank tokens each module gives the batch: the lanes take the least used module's
/// next (SoftHSM2 always offers one more free slot; Kryoptic has two).
const ON_SOFTHSM: usize = 3;
const ON_KRYOPTIC: usize = 2;
const NEW_PIN: &str = "60418275";

/// One vendor's token store as pkcs11-tool (an independent reader) opens it.
struct Store {
    module: PathBuf,
    var: &'static str,
    conf: PathBuf,
}

impl Store {
    fn softhsm(hsm: &SoftHsm) -> Self {
        let (var, conf) = hsm.env();
        Self {
            module: SoftHsm::module().unwrap(),
            var,
            conf,
        }
    }

    fn kryoptic(kry: &Kryoptic) -> Self {
        let (var, conf) = kry.env();
        Self {
            module: kry.module_path().to_path_buf(),
            var,
            conf,
        }
    }

    fn tool(&self, args: &[&str]) -> std::process::Output {
        Command::new("pkcs11-tool")
            .env(self.var, &self.conf)
            .arg("--module")
            .arg(&self.module)
            .args(args)
            .output()
            .unwrap()
    }

    /// Each slot with a token, as pkcs11-tool lists it: its id and the token's serial
    /// (empty for a blank token).
    fn slots(&self) -> Vec<(String, String)> {
        let out = self.tool(&["--list-token-slots"]);
        String::from_utf8_lossy(&out.stdout)
            .split("Slot ")
            .filter_map(|block| {
                let id = block.split_once("(0x")?.1.split_once(')')?.0;
                let serial = block
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.trim() == "serial num")?
                    .1
                    .trim();
                Some((format!("0x{id}"), serial.to_string()))
            })
            .collect()
    }

    /// The serials of the initialised tokens.
    fn serials(&self) -> HashSet<String> {
        self.slots()
            .into_iter()
            .map(|(_, serial)| serial)
            .filter(|serial| !serial.is_empty())
            .collect()
    }

    /// The slot id of the token with `serial`. Tokens are found by serial: a batch for
    /// one organisation gives them all the same label.
    fn slot_of(&self, serial: &str) -> String {
        let slots = self.slots();
        slots
            .iter()
            .find(|(_, s)| s == serial)
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| panic!("no token {serial}: {slots:?}"))
    }
}

/// The app on SoftHSM2 (watched: the operator's token is there) and Kryoptic, in
/// `data`, saving files to `saves`, with an optional fault.
async fn launch(
    env: &Env,
    hsm: &SoftHsm,
    kry: &Kryoptic,
    data: AppData,
    saves: &Path,
    fault: Option<&str>,
) -> App {
    let modules = std::env::join_paths([SoftHsm::module().unwrap(), Kryoptic::module().unwrap()])
        .unwrap()
        .into_string()
        .unwrap();
    let (kry_var, kry_conf) = kry.env();
    let mut vars = vec![
        ("CERTDESK_TEST_SAVE_DIR", saves.to_str().unwrap()),
        ("CERTDESK_PKCS11_MODULE", modules.as_str()),
        (kry_var, kry_conf.to_str().unwrap()),
    ];
    if let Some(f) = fault {
        vars.push(("CERTDESK_FAULT_AFTER", f));
    }
    launch_in_with_env(env, hsm, data, &vars).await
}

/// Three tokens at once (the choice is the view's, not kept across a restart).
async fn three_lanes(app: &App) {
    app.client
        .execute(
            "const s = document.querySelector('[data-testid=batch-lanes]');\
             s.value = '3'; s.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await
        .unwrap();
    app.wait_text("[data-testid=batch-lanes] option:checked", |t| t == "3")
        .await
        .unwrap();
}

/// Items whose `data-state` is `want`.
async fn count_in(app: &App, want: &str) -> usize {
    let mut n = 0;
    for p in 0..CASES {
        if state(app, p).await == want {
            n += 1;
        }
    }
    n
}

/// The batch tab with `n` items.
async fn batch_shown(app: &App, n: usize) {
    app.click("counter-view-batch").await.unwrap();
    app.wait_for(&format!("[data-testid=batch-item-{}]", n - 1))
        .await
        .unwrap();
}

/// The item's state cell.
async fn state(app: &App, position: usize) -> String {
    app.by_testid(&format!("batch-item-{position}"))
        .await
        .unwrap()
        .attr("data-state")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// What pkcs11-tool lists on the token `serial`, logged in with `pin`; `None` when the
/// PIN does not open it.
fn objects(store: &Store, serial: &str, pin: &str) -> Option<String> {
    let slot = store.slot_of(serial);
    let out = store.tool(&["--slot", &slot, "--login", "--pin", pin, "--list-objects"]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Private keys and CertDesk certificates on that token.
fn on_token(store: &Store, serial: &str, pin: &str) -> Option<(usize, usize)> {
    let text = objects(store, serial, pin)?;
    let keys = text.matches("Private Key Object").count();
    // Each certificate's own label is the first line after its header.
    let certs = text
        .split("Certificate Object")
        .skip(1)
        .filter(|o| {
            o.lines()
                .find_map(|l| l.trim().strip_prefix("label:"))
                .is_some_and(|l| l.trim().starts_with("CertDesk app_"))
        })
        .count();
    Some((keys, certs))
}

#[tokio::test]
async fn a_batch_on_two_vendors_tokens_survives_a_kill_and_a_pull_prints_its_pin_mailers_and_first_use_changes_the_pin()
 {
    let env = Env::start();
    add_point(&env);
    // The clerk's and the reviewer's tokens are the test's (it serves the cases through
    // the API); the maker's is in the app's SoftHSM2 store with the blank slot.
    let staff_hsm = SoftHsm::new().unwrap();
    let hsm = SoftHsm::new().unwrap();
    let kry = Kryoptic::with_slots(ON_KRYOPTIC as u32).unwrap();
    operator_on_token(&env, &staff_hsm, "王受理", &["clerk"]);
    operator_on_token(&env, &staff_hsm, "李审核", &["reviewer"]);
    operator_on_token(&env, &hsm, "赵制证", &["maker"]);
    let (softhsm, kryoptic) = (Store::softhsm(&hsm), Store::kryoptic(&kry));
    let before = softhsm.serials();
    // SAFETY: before this process loads any PKCS#11 module or starts a thread that reads it.
    unsafe { staff_hsm.install_env() };
    let staff = sessions_by_name(&env).await;
    let (clerk, reviewer) = (&staff["王受理"], &staff["李审核"]);
    let mut cases = Vec::new();
    for _ in 0..CASES {
        let (_, persona, order) = submitted_order(&env).await;
        let case = approved_case(clerk, reviewer, &order.id, &persona.handler.id_number).await;
        cases.push((case, persona.company.name.clone()));
    }

    let saves = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let app = launch(
        &env,
        &hsm,
        &kry,
        AppData::Borrowed(data.path().to_path_buf()),
        saves.path(),
        Some("write-certificate:leaf-created"),
    )
    .await;
    counter_mode_on(&app).await;
    sign_in(&app, "赵制证").await;
    app.click("counter-view-batch").await.unwrap();
    for (case, _) in &cases {
        app.click(&format!("batch-pick-{}", case.id)).await.unwrap();
    }
    app.click("batch-create").await.unwrap();
    batch_shown(&app, CASES).await;
    for p in 0..CASES {
        assert_eq!(state(&app, p).await, "waiting");
    }
    three_lanes(&app).await;
    app.screenshot("counter-batch-created-zh-CN").await.unwrap();
    // Killed inside the first certificate write (every blank token is initialised
    // before the lanes start).
    app.click("batch-run").await.unwrap();
    let data_back = app.exited().await.unwrap();

    let app = launch(&env, &hsm, &kry, data_back, saves.path(), None).await;
    app.click("nav-counter").await.unwrap();
    // The initialised tokens are in now too: the maker picks theirs.
    app.wait_for("[data-testid=counter-sign-in] input[type=radio]")
        .await
        .unwrap();
    app.client
        .execute(
            "[...document.querySelectorAll('[data-testid=counter-sign-in] label')]\
               .find(l => l.textContent.includes('操作员Key')).querySelector('input').click()",
            vec![],
        )
        .await
        .unwrap();
    sign_in(&app, "赵制证").await;
    batch_shown(&app, CASES).await;
    // Every item is on its own token, spread over both vendors' modules.
    let mut token_of = Vec::new();
    for p in 0..CASES {
        assert_eq!(state(&app, p).await, "making", "item {p}");
        token_of.push(
            app.text(&format!("[data-testid=batch-item-{p}-token]"))
                .await
                .unwrap(),
        );
    }
    let made_on_softhsm: HashSet<String> = softhsm.serials().difference(&before).cloned().collect();
    let made_on_kryoptic = kryoptic.serials();
    assert_eq!(
        token_of.iter().collect::<HashSet<_>>().len(),
        CASES,
        "{token_of:?}"
    );
    assert_eq!(
        token_of
            .iter()
            .filter(|t| made_on_softhsm.contains(*t))
            .count(),
        ON_SOFTHSM,
        "{token_of:?} / SoftHSM2 {made_on_softhsm:?}"
    );
    assert_eq!(
        token_of
            .iter()
            .filter(|t| made_on_kryoptic.contains(*t))
            .count(),
        ON_KRYOPTIC,
        "{token_of:?} / Kryoptic {made_on_kryoptic:?}"
    );
    app.screenshot("counter-batch-interrupted-zh-CN")
        .await
        .unwrap();

    // One SoftHSM2 token pulled: the others are made, that one fails saying it is out.
    let pulled = (0..CASES)
        .rev()
        .find(|p| made_on_softhsm.contains(&token_of[*p]))
        .unwrap();
    hsm.unplug_token(&token_of[pulled]).unwrap();
    three_lanes(&app).await;
    app.click("batch-run").await.unwrap();
    certdesk_e2e::eventually(
        "four made, the pulled one failed",
        std::time::Duration::from_secs(120),
        || async {
            (count_in(&app, "made").await == CASES - 1 && state(&app, pulled).await == "failed")
                .then_some(())
        },
    )
    .await
    .unwrap();
    let failure = app
        .text(&format!("[data-testid=batch-item-{pulled}-failure]"))
        .await
        .unwrap();
    assert!(
        failure.contains(&token_of[pulled]) && failure.contains("重试"),
        "{failure}"
    );
    app.screenshot("counter-batch-pulled-zh-CN").await.unwrap();

    // Put back: a retry finishes it on the same token.
    hsm.replug().unwrap();
    app.click(&format!("batch-item-{pulled}-retry"))
        .await
        .unwrap();
    app.click("batch-run").await.unwrap();
    certdesk_e2e::eventually(
        "every item made",
        std::time::Duration::from_secs(120),
        || async { (count_in(&app, "made").await == CASES).then_some(()) },
    )
    .await
    .unwrap();
    for (p, serial) in token_of.iter().enumerate() {
        assert_eq!(
            &app.text(&format!("[data-testid=batch-item-{p}-token]"))
                .await
                .unwrap(),
            serial,
            "item {p} stayed on its token"
        );
    }
    app.wait_for("[data-testid=batch-mailers-save]")
        .await
        .unwrap();
    app.screenshot("counter-batch-made-zh-CN").await.unwrap();
    set_language(&app, "en").await;
    app.click("nav-counter").await.unwrap();
    batch_shown(&app, CASES).await;
    app.wait_text("[data-testid=batch-item-0-state]", |t| {
        t.contains("PIN mailer")
    })
    .await
    .unwrap();
    app.screenshot("counter-batch-made-en").await.unwrap();

    // The PIN mailers: saved, the items done.
    app.click("batch-mailers-save").await.unwrap();
    app.wait_for("[data-testid=batch-mailed]").await.unwrap();
    let pdf = std::fs::read_dir(saves.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "pdf"))
        .expect("the PIN mailers PDF");
    let text = String::from_utf8(
        Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), CASES, "{text}");
    let mut pins = std::collections::HashMap::new();
    for (case, company) in &cases {
        // Each case's token, as the CA recorded it.
        let serial = clerk
            .case(&case.id)
            .await
            .unwrap()
            .making
            .unwrap()
            .token_serial;
        let page = pages
            .iter()
            .find(|p| p.contains(&case.id))
            .unwrap_or_else(|| panic!("a mailer for {}: {text}", case.id));
        // The PIN: eight digits, printed spaced out in the cover area.
        let pin: String = page
            .lines()
            .map(|l| l.replace(' ', ""))
            .find(|l| l.len() == 8 && l.chars().all(|c| c.is_ascii_digit()))
            .expect("the PIN on the mailer");
        assert!(
            page.contains(serial.as_str()),
            "{serial} on the mailer: {page}"
        );
        // One key and one certificate on the case's token, opened by the mailer's PIN.
        let store = if made_on_kryoptic.contains(&serial) {
            &kryoptic
        } else {
            &softhsm
        };
        assert_eq!(
            on_token(store, &serial, &pin),
            Some((1, 1)),
            "{company} on {serial}, {} issued: {}",
            env.issued(&case.application.id).len(),
            objects(store, &serial, &pin).unwrap_or_default()
        );
        // One certificate issued for the application: nothing made twice.
        assert_eq!(env.issued(&case.application.id).len(), 1);
        pins.insert(serial, pin);
    }
    assert_eq!(pins.values().collect::<HashSet<_>>().len(), CASES);
    assert_eq!(count_in(&app, "mailed").await, CASES);

    // First use: the certificates page (SoftHSM2's tokens, the module the app watches)
    // opens the PIN change by itself, asking for the mailer's initial PIN; once
    // changed, that token is no longer flagged.
    app.click("nav-certificates").await.unwrap();
    app.wait_for("[data-testid=pin-first-use]").await.unwrap();
    app.screenshot("certs-first-use-en").await.unwrap();
    // The dialog names the token by its serial too (the labels of a batch are alike).
    let intro = app.text("[data-testid=pin-intro]").await.unwrap();
    let serial = pins
        .keys()
        .find(|s| intro.contains(s.as_str()))
        .unwrap_or_else(|| panic!("a made token in {intro}"))
        .clone();
    common::type_into(&app, "pin-old", &pins[&serial]).await;
    common::type_into(&app, "pin-new", NEW_PIN).await;
    common::type_into(&app, "pin-again", NEW_PIN).await;
    app.click("pin-submit").await.unwrap();
    app.wait_for("[data-testid=pin-changed]").await.unwrap();
    app.click("pin-close").await.unwrap();
    assert_eq!(on_token(&softhsm, &serial, NEW_PIN), Some((1, 1)));
    assert_eq!(on_token(&softhsm, &serial, &pins[&serial]), None);
    // The other two still ask (one opens next); this one does not.
    let flagged = certdesk_e2e::eventually("the flags re-read", std::time::Duration::from_secs(10), || async {
        let n = app
            .client
            .execute("return document.querySelectorAll('[data-testid$=-first-use][role=alert]').length", vec![])
            .await
            .ok()?
            .as_u64()?;
        (n == ON_SOFTHSM as u64 - 1).then_some(n)
    })
    .await
    .unwrap();
    assert_eq!(flagged, ON_SOFTHSM as u64 - 1);
    app.close().await.unwrap();
}
