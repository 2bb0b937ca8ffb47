//! What `certdesk-cli` says when a command fails: the app's own sentences (one catalog,
//! `ui/src/lib/i18n/shared/`) in Chinese or English, what to do next, whether the
//! password card is still unspent, the stable code in `--json`, no secret anywhere, and
//! the data it leaves private to the user. Real SoftHSM2 token, real reference CA.
#![allow(clippy::unwrap_used)]

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use certdesk_testkit::ca::{ApprovedOrder, CaService};
use certdesk_testkit::softhsm::SoftHsm;

const PIN: &str = "86420975";
const WRONG_PIN: &str = "11112222";
const CARD_PASSWORD: &str = "card-secret-4711";

fn catalog(lang: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../ui/src/lib/i18n/shared")
        .join(format!("{lang}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn text<'a>(cat: &'a serde_json::Value, section: &str, key: &str) -> &'a str {
    cat[section][key].as_str().unwrap()
}

struct Run {
    out: Output,
    stdout: String,
    stderr: String,
}

#[allow(clippy::too_many_arguments)]
fn download(
    hsm: &SoftHsm,
    data: &Path,
    ca_url: &str,
    order: &ApprovedOrder,
    token: &str,
    secrets: &str,
    lang: &str,
    json: bool,
) -> Run {
    let module = SoftHsm::module().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_certdesk-cli"));
    cmd.args(["--lang", lang])
        .args(support::download_args(ca_url, order, &module, token))
        .args(json.then_some("--json"))
        .env(hsm.env().0, hsm.env().1)
        .env("CERTDESK_DATA_DIR", data)
        .env_remove("CERTDESK_FAULT_AFTER")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(secrets.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        out,
    }
}

impl Run {
    fn failed_with(&self, code: &str) -> serde_json::Value {
        assert_eq!(self.out.status.code(), Some(1), "{}", self.stderr);
        let v: serde_json::Value = serde_json::from_str(&self.stdout).unwrap();
        assert_eq!(v["error"]["code"], code, "{v}");
        v
    }

    fn says(&self, sentence: &str) {
        assert!(
            self.stderr.contains(sentence),
            "expected {sentence:?} in:\n{}",
            self.stderr
        );
    }

    fn no_secrets(&self) {
        for secret in [PIN, WRONG_PIN, CARD_PASSWORD] {
            assert!(
                !self.stdout.contains(secret) && !self.stderr.contains(secret),
                "a secret was printed"
            );
        }
    }
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_worded_from_the_app_catalog_in_both_languages() {
    let hsm = SoftHsm::new().unwrap();
    let serial = hsm.init_token("MSG0", "12345678", PIN).unwrap();
    let ca = CaService::start().unwrap();
    let order = certdesk_testkit::ca::approved_order(ca.url(), "sandbox-p256").unwrap();
    let data = tempfile::tempdir().unwrap();
    let (zh, en) = (catalog("zh-CN"), catalog("en"));
    let secrets = format!("{CARD_PASSWORD}\n{PIN}\n");

    // The CA is down: the app's sentence, run again later, the card unspent.
    for (lang, cat) in [("zh-CN", &zh), ("en", &en)] {
        let r = download(
            &hsm,
            data.path(),
            "http://127.0.0.1:9",
            &order,
            &serial,
            &secrets,
            lang,
            true,
        );
        let v = r.failed_with("ca_unreachable");
        assert_eq!(v["error"]["kind"], "ca_unreachable");
        assert_eq!(v["error"]["message"], text(cat, "errors", "ca_unreachable"));
        r.says(text(cat, "errors", "ca_unreachable"));
        r.says(text(cat, "cli", "nextRerun"));
        r.says(text(cat, "cli", "cardNotSpent"));
        r.no_secrets();
    }
    assert!(zh["errors"]["ca_unreachable"] != en["errors"]["ca_unreachable"]);

    // The USBKey is not inserted: re-insert it and run the same command.
    let r = download(
        &hsm,
        data.path(),
        ca.url(),
        &order,
        "NOT-INSERTED",
        &secrets,
        "zh-CN",
        true,
    );
    let v = r.failed_with("no_token");
    assert_eq!(v["error"]["kind"], "token_absent");
    r.says(text(&zh, "errors", "token_absent"));
    r.says(text(&zh, "cli", "nextReinsert"));
    r.says(text(&zh, "cli", "cardNotSpent"));
    r.no_secrets();

    // A wrong PIN is caught before the card authorises anything.
    let wrong = format!("{CARD_PASSWORD}\n{WRONG_PIN}\n");
    let r = download(
        &hsm,
        data.path(),
        ca.url(),
        &order,
        &serial,
        &wrong,
        "en",
        false,
    );
    assert_eq!(r.out.status.code(), Some(1), "{}", r.stderr);
    r.says(text(&en, "errors", "pin_incorrect"));
    r.says(text(&en, "cli", "cardNotSpent"));
    r.says("pin_incorrect");
    r.no_secrets();
    assert!(!r.stderr.contains("stack backtrace"), "{}", r.stderr);

    // The data it made is the user's alone.
    #[cfg(unix)]
    {
        let d = data.path().join("data");
        assert_eq!(mode(&d), 0o700);
        assert_eq!(mode(&d.join("workflow.sqlite")), 0o600);
        for dir in ["config", "logs"] {
            assert_eq!(mode(&data.path().join(dir)), 0o700, "{dir}");
        }
    }
}
