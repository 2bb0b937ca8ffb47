//! A token pulled in the middle of a write (issue 12), on SoftHSM2 and on Kryoptic.
//!
//! `certdesk-cli download` is made to abort itself (`CERTDESK_FAULT_AFTER`, the token
//! layer's deliberate fault injector: no destructors, no flush) between the PKCS#11
//! calls of every write of key generation and certificate writing; for two of them the
//! module is also left holding a half-made object, as SoftHSM2 does when the token goes
//! during `C_GenerateKeyPair` / `C_CreateObject` (made with `C_CreateObject` on the real
//! module after the abort: the journal's snapshot says it was not on the token before
//! the write began, which is what a half-made object of that write looks like). The
//! same command run again must leave exactly one key pair and one certificate more than
//! before the download (plus the CA certificates of the chain on the first download),
//! nothing else added, nothing of the user's touched, and the CA must have issued once.
//!
//! The token also holds the user's own key pair and certificate and two damaged objects
//! that are not CertDesk's: they are listed (`certs` exits 0), the downloads' pre-flight
//! passes, the downloads leave them alone, `doctor` reports them, and only `repair`
//! removes them: nothing without confirmation, exactly them with `--yes`.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;
use std::time::Instant;

use certdesk_core::enrollment::debris::added_since;
use certdesk_testkit::ca::{ApprovedOrder, CaService};
use certdesk_testkit::issuer::{TestCa, Usage};
use certdesk_testkit::kryoptic::Kryoptic;
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_token::testing::Debris;
use certdesk_token::*;

const PIN: &str = "24681357";
const SO_PIN: &str = "12345678";

/// The pull points, each with the half-made object the module is left holding, if any.
/// `write-certificate:chain-1` comes first: only the first download onto a token writes
/// the chain.
const CASES: &[(&str, Option<Debris>, &str)] = &[
    ("write-certificate:chain-1", None, "sandbox-p256"),
    ("keygen:generated", None, "sandbox-p256"),
    (
        "keygen:generated",
        Some(Debris::PrivateKeyWithoutId),
        "sandbox-p256",
    ),
    ("keygen:public-id", None, "sandbox-p256"),
    ("write-certificate:leaf-created", None, "sandbox-p256"),
    (
        "write-certificate:leaf-created",
        Some(Debris::EmptyCertificate),
        "sandbox-p256",
    ),
    ("write-certificate:private-subject", None, "sandbox-p256"),
    ("write-certificate:public-subject", None, "sandbox-p256"),
    // A dual channel's encryption key, imported from the CA's envelope.
    ("import-envelope:private-unwrapped", None, "sandbox-dual"),
    ("import-envelope:public-created", None, "sandbox-dual"),
];

/// Both stores, made and named in the environment once, before any module is loaded.
struct Stores {
    hsm: SoftHsm,
    kry: Kryoptic,
}

fn stores() -> &'static Stores {
    static STORES: OnceLock<Stores> = OnceLock::new();
    STORES.get_or_init(|| {
        let s = Stores {
            hsm: SoftHsm::new().unwrap(),
            kry: Kryoptic::new().unwrap(),
        };
        // SAFETY: runs once, before either test loads a module (both wait here).
        unsafe {
            s.hsm.install_env();
            s.kry.install_env();
        }
        s
    })
}

/// The two tests share the CLI's data dir pattern and the machine's two cores: one at a
/// time keeps the figures honest.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Target {
    name: &'static str,
    module: PathBuf,
    env: (&'static str, PathBuf),
    token: TokenRef,
}

fn cli(t: &Target, data: &Path, args: &[&str], stdin: &str, fault: Option<&str>) -> Output {
    support::cli(args, (t.env.0, &t.env.1), data, stdin, fault)
}

fn download(
    t: &Target,
    data: &Path,
    ca: &CaService,
    o: &ApprovedOrder,
    fault: Option<&str>,
) -> Output {
    let onto = support::Onto {
        module: &t.module,
        env: (t.env.0, &t.env.1),
        serial: &t.token.serial,
    };
    support::download(&onto, data, ca, o, PIN, fault)
}

/// Every object on the token, read fresh (the module re-initialised, so what a child
/// process wrote is seen), logged in.
async fn inventory(svc: &TokenService, t: &Target) -> Inventory {
    svc.rescan(t.module.clone()).await.unwrap();
    svc.login(t.token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    let inv = svc.inventory(t.token.clone()).await.unwrap();
    svc.logout(t.token.clone()).await.unwrap();
    assert!(inv.logged_in);
    inv
}

async fn plant(svc: &TokenService, t: &Target, d: Debris) {
    svc.rescan(t.module.clone()).await.unwrap();
    svc.login(t.token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    let shapes = svc.plant_debris(t.token.clone(), d).await.unwrap();
    eprintln!("{}: debris {shapes:?}", t.name);
    svc.logout(t.token.clone()).await.unwrap();
}

/// The user's own key pair and certificate (with its CA certificate), and two damaged
/// objects that are not CertDesk's.
async fn users_objects(svc: &TokenService, t: &Target) {
    svc.rescan(t.module.clone()).await.unwrap();
    svc.login(t.token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    let key = svc
        .generate_key_pair(
            t.token.clone(),
            KeySpec {
                algorithm: KeyAlgorithm::EcP256,
                purpose: KeyPurpose::Signing,
                label: "user's own key".into(),
                subject: None,
            },
        )
        .await
        .unwrap();
    let csr = svc
        .create_csr(t.token.clone(), key.id.clone(), "CN=user's own,C=CN".into())
        .await
        .unwrap();
    let ca = TestCa::new().unwrap();
    let leaf = ca.issue(&csr.der, Usage::Signing).unwrap();
    svc.write_certificate(t.token.clone(), leaf, vec![ca.cert_der().unwrap()])
        .await
        .unwrap();
    svc.logout(t.token.clone()).await.unwrap();
    plant(svc, t, Debris::PrivateKeyWithoutId).await;
    plant(svc, t, Debris::EmptyCertificate).await;
}

async fn pull_at_every_write(t: Target) {
    let started = Instant::now();
    let svc = TokenService::start().unwrap();
    let ca = CaService::start().unwrap();
    let data = tempfile::tempdir().unwrap();
    users_objects(&svc, &t).await;
    let original = inventory(&svc, &t).await;
    let foreign: Vec<TokenObject> = original.damaged().cloned().collect();
    assert!(foreign.len() >= 2, "{}: {foreign:?}", t.name);

    // Listed with the damaged objects shown, not a failure of the whole token.
    let m = t.module.to_str().unwrap();
    let certs = cli(
        &t,
        data.path(),
        &["certs", "--module", m, "--json"],
        "",
        None,
    );
    assert!(
        certs.status.success(),
        "{}: {}",
        t.name,
        String::from_utf8_lossy(&certs.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&certs.stdout).unwrap();
    let listed = &v["tokens"][0];
    assert_eq!(listed["certificates"].as_array().unwrap().len(), 2, "{v}");
    let public_foreign = foreign
        .iter()
        .filter(|o| o.kind == ObjectKind::Certificate)
        .count();
    assert_eq!(
        listed["damaged"].as_array().unwrap().len(),
        public_foreign,
        "{v}"
    );

    // The chain of a CA family is written by the first download of that family only.
    let mut families = std::collections::HashSet::new();
    for (point, debris, channel) in CASES {
        let label = format!(
            "{} at {point}{}",
            t.name,
            if debris.is_some() {
                " + half-made object"
            } else {
                ""
            }
        );
        let order = certdesk_testkit::ca::approved_order(ca.url(), channel).unwrap();
        let first = families.insert(*channel);
        let before = inventory(&svc, &t).await;
        let pulled = download(&t, data.path(), &ca, &order, Some(point));
        assert!(
            !pulled.status.success()
                && String::from_utf8_lossy(&pulled.stderr).contains("fault injected"),
            "{label}: the pull point was not reached: {}",
            String::from_utf8_lossy(&pulled.stderr)
        );
        if let Some(d) = debris {
            plant(&svc, &t, *d).await;
        }
        let resumed = download(&t, data.path(), &ca, &order, None);
        assert!(
            resumed.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&resumed.stderr)
        );
        let done: serde_json::Value = serde_json::from_slice(&resumed.stdout).unwrap();
        assert_eq!(done["resumed"], true, "{label}: {done}");
        let key_id = done["key_id"].as_str().unwrap().to_string();

        let after = inventory(&svc, &t).await;
        let gone = added_since(&after.fingerprints(), &before.objects);
        assert!(gone.is_empty(), "{label}: objects removed: {gone:?}");
        let added = added_since(&before.fingerprints(), &after.objects);
        // Each key pair made (one; two on a dual channel) is exactly a private key, a
        // public key and a certificate under one id; besides them only the chain, on
        // the first download of the CA family.
        let mut pairs: std::collections::BTreeMap<&str, Vec<ObjectKind>> = Default::default();
        for o in &added {
            assert_eq!(o.damage, None, "{label}: damaged object left: {o:?}");
            if o.kind == ObjectKind::Certificate && o.label.starts_with("CA: ") && first {
                continue;
            }
            pairs.entry(o.id.as_str()).or_default().push(o.kind);
        }
        let expect = if *channel == "sandbox-dual" { 2 } else { 1 };
        assert_eq!(pairs.len(), expect, "{label}: {added:?}");
        assert!(pairs.contains_key(key_id.as_str()), "{label}: {added:?}");
        for (id, mut kinds) in pairs {
            kinds.sort_by_key(|k| format!("{k:?}"));
            assert_eq!(
                kinds,
                [
                    ObjectKind::Certificate,
                    ObjectKind::PrivateKey,
                    ObjectKind::PublicKey
                ],
                "{label}: objects under id {id}: {added:?}"
            );
        }
        // One certificate per key pair: never a second issuance.
        assert_eq!(
            support::issued_by_ca(&ca, &order.application_id),
            expect as i64,
            "{label}"
        );
        // The user's damaged objects were left alone.
        let still: Vec<_> = after.damaged().cloned().collect();
        assert_eq!(still.len(), foreign.len(), "{label}: {still:?}");

        if *point == "keygen:public-id" {
            // A finished download run again is success, said so, and changes nothing.
            let again = download(&t, data.path(), &ca, &order, None);
            assert!(
                again.status.success(),
                "{label}: {}",
                String::from_utf8_lossy(&again.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
            assert_eq!(v["already_on_token"], true, "{label}: {v}");
            assert_eq!(
                inventory(&svc, &t).await.fingerprints(),
                after.fingerprints()
            );
        }
    }

    // The environment check reports the damaged objects it can see without the PIN.
    let doctor = cli(
        &t,
        data.path(),
        &["doctor", "--module", m, "--json"],
        "",
        None,
    );
    assert!(
        doctor.status.success(),
        "{}",
        String::from_utf8_lossy(&doctor.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&doctor.stdout).unwrap();
    let found = &report["modules"][0]["tokens"];
    let reported: usize = found
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["damaged"].as_array().unwrap().len())
        .sum();
    assert_eq!(reported, public_foreign, "{report}");

    // Repair: the PIN, the list, and nothing deleted without a yes.
    let before = inventory(&svc, &t).await;
    let serial = t.token.serial.clone();
    let repair = |extra: &[&str], stdin: &str| {
        let mut args = vec![
            "repair",
            "--module",
            m,
            "--token",
            &serial,
            "--secrets-stdin",
        ];
        args.extend_from_slice(extra);
        cli(&t, data.path(), &args, stdin, None)
    };
    let declined = repair(&[], &format!("{PIN}\nn\n"));
    let text = String::from_utf8_lossy(&declined.stdout);
    assert!(
        declined.status.success(),
        "{}",
        String::from_utf8_lossy(&declined.stderr)
    );
    assert!(
        text.contains("Nothing deleted") && text.contains("no id"),
        "{text}"
    );
    assert_eq!(
        inventory(&svc, &t).await.fingerprints(),
        before.fingerprints()
    );
    let repaired = repair(&["--yes", "--json"], &format!("{PIN}\n"));
    assert!(
        repaired.status.success(),
        "{}",
        String::from_utf8_lossy(&repaired.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&repaired.stdout).unwrap();
    assert_eq!(v["deleted"], foreign.len(), "{v}");
    let after = inventory(&svc, &t).await;
    assert_eq!(after.damaged().count(), 0);
    let gone = added_since(&after.fingerprints(), &before.objects);
    assert_eq!(
        gone.len(),
        foreign.len(),
        "only the damaged objects went: {gone:?}"
    );
    assert!(gone.iter().all(|o| o.damage.is_some()));

    svc.close_sessions().await.unwrap();
    eprintln!(
        "{}: {} pull points, {} s",
        t.name,
        CASES.len(),
        started.elapsed().as_secs()
    );
}

async fn on(name: &'static str, module: PathBuf, env: (&'static str, PathBuf), serial: String) {
    let _one = ONE_AT_A_TIME.lock().await;
    pull_at_every_write(Target {
        name,
        env,
        token: TokenRef {
            module: module.clone(),
            serial,
        },
        module,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn softhsm2_pulled_in_the_middle_of_every_write() {
    let s = stores();
    let serial = s.hsm.init_token("PULL", SO_PIN, PIN).unwrap();
    on("SoftHSM2", SoftHsm::module().unwrap(), s.hsm.env(), serial).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kryoptic_pulled_in_the_middle_of_every_write() {
    let s = stores();
    let serial = s.kry.init_token("PULL", SO_PIN, PIN).unwrap();
    on("Kryoptic", Kryoptic::module().unwrap(), s.kry.env(), serial).await;
}
