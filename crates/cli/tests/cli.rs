//! `certdesk-cli` against a SoftHSM2 token and a private pcscd with a virtual card.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use certdesk_testkit::issuer::{TestCa, Usage};
use certdesk_testkit::pcsc::{Pcscd, VirtualCard};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::*;

const PIN: &str = "31415926";

fn cli(hsm: &SoftHsm, pcscd: &Pcscd, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_certdesk-cli"))
        .args(args)
        .env(hsm.env().0, hsm.env().1)
        .env(pcscd.env().0, pcscd.env().1)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_certs_and_doctor_tell_the_truth() {
    let hsm = SoftHsm::new().unwrap();
    let pcscd = Pcscd::start().unwrap();
    // SAFETY: single-test binary, before any module or PC/SC use.
    unsafe {
        hsm.install_env();
        pcscd.install_env();
    }
    let serial = hsm.init_token("CD-CLI", "12345678", PIN).unwrap();
    let module = SoftHsm::module().unwrap();
    let m = module.to_str().unwrap();

    // A certificate written by the token layer in this process.
    let svc = TokenService::start().unwrap();
    let token = TokenRef {
        module: module.clone(),
        serial: serial.clone(),
    };
    svc.login(token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    let key = svc
        .generate_key_pair(
            token.clone(),
            KeySpec {
                algorithm: KeyAlgorithm::EcP256,
                purpose: KeyPurpose::Signing,
                label: "cli".into(),
                subject: None,
            },
        )
        .await
        .unwrap();
    let csr = svc
        .create_csr(token.clone(), key.id.clone(), "CN=CLI test,C=CN".into())
        .await
        .unwrap();
    let ca = TestCa::new().unwrap();
    let leaf = ca.issue(&csr.der, Usage::Signing).unwrap();
    svc.write_certificate(token.clone(), leaf, vec![ca.cert_der().unwrap()])
        .await
        .unwrap();
    svc.logout(token.clone()).await.unwrap();

    let t = json(&cli(
        &hsm,
        &pcscd,
        &["tokens", "--module", m, "--json"],
        None,
    ));
    let list = t["tokens"].as_array().unwrap();
    assert_eq!(list.len(), 1, "only the initialised token is listed: {t}");
    assert_eq!(list[0]["serial"], serial.as_str());
    assert_eq!(list[0]["label"], "CD-CLI");
    assert_eq!(list[0]["pin_state"], "ok");

    // Without login, pairing with the private key is unknown, not guessed.
    let c = json(&cli(
        &hsm,
        &pcscd,
        &["certs", "--module", m, "--token", &serial, "--json"],
        None,
    ));
    let certs = c["tokens"][0]["certificates"].as_array().unwrap();
    let leaf = certs.iter().find(|c| c["id"] == key.id.as_str()).unwrap();
    assert!(leaf["has_private_key"].is_null());
    assert!(certs.iter().any(|c| c["is_ca"] == true));

    // With the PIN from stdin, the leaf is shown paired and nothing is orphaned.
    let out = cli(
        &hsm,
        &pcscd,
        &[
            "certs",
            "--module",
            m,
            "--json",
            "--login",
            "--secrets-stdin",
        ],
        Some(&format!("{PIN}\n")),
    );
    let c = json(&out);
    let leaf = c["tokens"][0]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == key.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(leaf["has_private_key"], true);
    assert_eq!(
        c["tokens"][0]["orphans"]["keys_without_certificate"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(PIN), "the PIN was echoed");

    // Human output says the same, in either language.
    for (lang, paired, ca) in [
        ("en", "paired with its private key", "CA certificate"),
        ("zh-CN", "与私钥配对", "CA 证书"),
    ] {
        let out = cli(
            &hsm,
            &pcscd,
            &[
                "--lang",
                lang,
                "certs",
                "--module",
                m,
                "--login",
                "--secrets-stdin",
            ],
            Some(&format!("{PIN}\n")),
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("CN=CLI test") && text.contains(paired),
            "{text}"
        );
        assert!(text.contains(ca), "{text}");
    }

    // PINs are never accepted as arguments.
    let out = cli(&hsm, &pcscd, &["certs", "--module", m, "--pin", PIN], None);
    assert_eq!(out.status.code(), Some(2));

    // doctor: module loadable with its token, service reachable, card in the reader.
    let _card = VirtualCard::insert(pcscd.vpcd_port()).unwrap();
    let mut d = serde_json::Value::Null;
    for _ in 0..100 {
        d = json(&cli(
            &hsm,
            &pcscd,
            &["doctor", "--module", m, "--json"],
            None,
        ));
        if d["smart_card"]["readers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["card_present"] == true)
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let me = d["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["path"] == m)
        .unwrap();
    assert_eq!(me["state"], "loaded");
    assert!(
        me["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["serial"] == serial.as_str())
    );
    assert_eq!(d["smart_card"]["state"], "running");
    let r = d["smart_card"]["readers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == pcscd.reader_name())
        .unwrap();
    assert_eq!(r["card_present"], true, "{d}");

    // A module path that does not exist is explained.
    let out = cli(
        &hsm,
        &pcscd,
        &["doctor", "--module", "/nonexistent/libvendor.so"],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("does not exist"), "{text}");
    // … in the environment check's own words, with its fix.
    let out = cli(
        &hsm,
        &pcscd,
        &[
            "--lang",
            "zh-CN",
            "doctor",
            "--module",
            "/nonexistent/libvendor.so",
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("驱动无法加载") && text.contains("修复建议：请重新安装该 USBKey 的驱动程序"),
        "{text}"
    );

    // doctor --deep: the self-check confirms RSA and P-256 on the token and leaves the
    // certificate and key written above exactly as they were.
    let listing = |hsm: &SoftHsm| {
        let out = Command::new("pkcs11-tool")
            .env(hsm.env().0, hsm.env().1)
            .args(["--module", m, "--login", "--pin", PIN, "--list-objects"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let before = listing(&hsm);
    assert!(before.contains("CLI test"), "{before}");
    let data = tempfile::tempdir().unwrap();
    let deep = |lang: &str, json: bool, pin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_certdesk-cli"))
            .args([
                "--lang",
                lang,
                "doctor",
                "--deep",
                "--module",
                m,
                "--secrets-stdin",
            ])
            .args(json.then_some("--json"))
            .env(hsm.env().0, hsm.env().1)
            .env(pcscd.env().0, pcscd.env().1)
            .env("CERTDESK_DATA_DIR", data.path())
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{pin}\n").as_bytes()).unwrap();
        drop(stdin);
        child.wait_with_output().unwrap()
    };
    let out = deep("en", true, PIN);
    let v = json(&out);
    let check = &v["self_check"];
    assert_eq!(check["untouched"], true, "{check}");
    assert_eq!(check["token"]["serial"], serial.as_str());
    for alg in ["rsa2048", "ec-p256"] {
        let row = check["algorithms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["algorithm"] == alg)
            .unwrap();
        assert_eq!(row["confirmed"], true, "{row}");
    }
    assert_eq!(listing(&hsm), before);
    let saved = std::fs::read_to_string(data.path().join("data/self-check.json")).unwrap();
    assert!(saved.contains(&serial), "{saved}");
    let out = deep("zh-CN", false, PIN);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("USBKey 深度自检")
            && text.contains("椭圆曲线 P-256: 已确认")
            && text.contains("自检通过"),
        "{text}"
    );
    assert!(!text.contains(PIN) && !String::from_utf8_lossy(&out.stderr).contains(PIN));
    assert_eq!(listing(&hsm), before);
    // A wrong PIN: refused, worded, nothing made.
    let out = deep("en", false, "00000000");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Wrong PIN") || err.contains("PIN"), "{err}");
    assert!(err.contains("Error code: pin_incorrect"), "{err}");
    assert_eq!(listing(&hsm), before);
}
