//! Figures for issue 5, printed as a table (run: `cargo bench -p certdesk-token --bench token`).
//!
//! 1. Keygen + CSR + certificate write on a SoftHSM2 token, through CertDesk, through
//!    the bare PKCS#11 calls (the physical limit) and through `pkcs11-tool
//!    --keypairgen` + `openssl req -engine pkcs11` + `pkcs11-tool --write-object`, in
//!    the same run, with the object writes of each (see `enrol/mod.rs`). Median of N
//!    runs. Section `enrol`.
//! 2. Presence event latency: from the moment the virtual reader gets the card / loses
//!    it to the `TokenInserted` / `TokenRemoved` event, against pcscd's reader polling
//!    period (400 ms, `PCSCLITE_STATUS_POLL_RATE` in pcsc-lite 1.9). The Python `vicc`
//!    process is started beforehand and held behind a relay (`GatedCard`), so its
//!    start-up is not counted. Section `presence`.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use certdesk_testkit::issuer::TestCa;
use certdesk_testkit::pcsc::{GatedCard, Pcscd};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_testkit::spy::Spy;
use certdesk_token::*;
use enrol::{PIN, median, ms};

#[path = "enrol/mod.rs"]
mod enrol;

/// Sections named on the command line (`cargo bench -p certdesk-token --bench token --
/// enrol`); all when none is named.
fn wanted(section: &str) -> bool {
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    named.is_empty() || named.iter().any(|a| a == section)
}

const RUNS: usize = 7;
/// RSA key generation time varies run to run (the search for primes): the enrolment
/// medians need more runs than the presence ones.
const ENROL_RUNS: usize = 31;
const PCSCD_POLL_MS: f64 = 400.0;

async fn wait_for(
    rx: &mut tokio::sync::broadcast::Receiver<PresenceEvent>,
    inserted: bool,
) -> Instant {
    wait_for_source(rx, inserted, |s| matches!(s, PresenceSource::Pcsc { .. })).await
}

async fn wait_for_source(
    rx: &mut tokio::sync::broadcast::Receiver<PresenceEvent>,
    inserted: bool,
    source: impl Fn(&PresenceSource) -> bool,
) -> Instant {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .unwrap()
            .unwrap();
        match (&e, inserted) {
            (PresenceEvent::TokenInserted(s), true) | (PresenceEvent::TokenRemoved(s), false)
                if source(s) =>
            {
                return Instant::now();
            }
            _ => {}
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let hsm = SoftHsm::new().unwrap();
    let pcscd = Pcscd::start().unwrap();
    // SAFETY: first statements of the program; no other threads use the environment.
    let mut spy = Spy::new(&SoftHsm::module().unwrap(), &hsm.dir().join("spy.log"));
    unsafe {
        hsm.install_env();
        pcscd.install_env();
        spy.install_env();
    }
    let serial = hsm.init_token("BENCH", "12345678", PIN).unwrap();
    let module = SoftHsm::module().unwrap();
    let ca = TestCa::new().unwrap();
    let svc = TokenService::start().unwrap();
    let token = TokenRef {
        module: module.clone(),
        serial: serial.clone(),
    };
    let spied = TokenRef {
        module: Spy::module().unwrap(),
        serial,
    };
    svc.login(token.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    svc.login(spied.clone(), SecretString::from(PIN.to_string()), false)
        .await
        .unwrap();
    if wanted("enrol") {
        enrol::run(enrol::Setup {
            hsm: &hsm,
            svc: &svc,
            token: &token,
            spied: &spied,
            spy: &mut spy,
            ca: &ca,
            runs: ENROL_RUNS,
        })
        .await;
    }
    if !wanted("presence") {
        svc.close_sessions().await.unwrap();
        return;
    }
    println!();
    println!(
        "Presence events, private pcscd 1.9.9 + vpcd + vicc (pcscd polls the reader every {PCSCD_POLL_MS:.0} ms), median of {RUNS}"
    );
    // The limit: when pcscd itself tells a client, seen by a bare SCardGetStatusChange
    // waiter in its own context, on every run of every row.
    let bare = BareWaiter::start(pcscd.reader_name());
    println!(
        "| settle (ms) | insert: card in reader → TokenInserted, median (ms) | worst (ms) | after pcscd's own report, worst (ms) | remove: card out → TokenRemoved, median (ms) | worst (ms) | worst insert / (poll + 50 ms) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let default = PresenceConfig::default().settle.as_millis() as u64;
    let mut goal = None;
    let mut pcscd_in = Vec::new();
    for settle in [150u64, 30, default] {
        let mut rx = svc.subscribe();
        let w = svc
            .watch_pcsc(PresenceConfig {
                settle: Duration::from_millis(settle),
                ..Default::default()
            })
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (mut ins, mut rem, mut after) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..RUNS {
            // Stagger the changes across pcscd's poll period; otherwise every change
            // lands right after a poll tick and all runs measure the same phase.
            let stagger = Duration::from_millis((i as u64 * 400) / RUNS as u64 + 37);
            let gated = GatedCard::start(pcscd.vpcd_port()).unwrap();
            tokio::time::sleep(stagger).await;
            let card = gated.insert().unwrap();
            let seen = wait_for(&mut rx, true).await;
            let told = bare.next(true);
            ins.push(seen - card.at);
            pcscd_in.push(told - card.at);
            after.push(seen.saturating_duration_since(told));
            tokio::time::sleep(stagger).await;
            let out = card.remove();
            rem.push(wait_for(&mut rx, false).await - out);
            bare.next(false);
        }
        w.stop();
        let worst_in = ins.iter().max().copied().unwrap_or_default();
        let worst_out = rem.iter().max().copied().unwrap_or_default();
        let worst_after = after.iter().max().copied().unwrap_or_default();
        let label = if settle == default {
            goal = Some(ms(worst_in) / (PCSCD_POLL_MS + 50.0));
            format!("{settle} (default)")
        } else {
            settle.to_string()
        };
        println!(
            "| {label} | {:.0} | {:.0} | {:.1} | {:.0} | {:.0} | {:.2} |",
            ms(median(ins)),
            ms(worst_in),
            ms(worst_after),
            ms(median(rem)),
            ms(worst_out),
            ms(worst_in) / (PCSCD_POLL_MS + 50.0)
        );
    }
    let worst_pcscd = pcscd_in.iter().max().copied().unwrap_or_default();
    println!(
        "pcscd's own report to a bare waiter, card in reader → SCardGetStatusChange, all {} runs: median {:.0} ms, worst {:.0} ms",
        pcscd_in.len(),
        ms(median(pcscd_in)),
        ms(worst_pcscd)
    );
    if let Some(g) = goal {
        println!(
            "goal: insertion, worst card in reader → TokenInserted / (pcscd poll + 50 ms) | {g:.2} | 1.00"
        );
    }

    // The PKCS#11 polling path (SoftHSM2: token directory moved away and back, module
    // re-initialised by the watcher), while logged in.
    const POLL_MS: u64 = 500;
    let cfg = PresenceConfig {
        poll_interval: Duration::from_millis(POLL_MS),
        ..Default::default()
    };
    println!();
    println!(
        "PKCS#11 polling path, SoftHSM2 (poll every {POLL_MS} ms, confirmed after {} ms), median of {RUNS}",
        cfg.confirm.as_millis()
    );
    println!("| change | → event (ms) | / poll period |");
    println!("|---|---:|---:|");
    let mut rx = svc.subscribe();
    let w = svc.watch_module(module.clone(), cfg).unwrap();
    let ours =
        |s: &PresenceSource| matches!(s, PresenceSource::Pkcs11 { token: t, .. } if *t == token);
    wait_for_source(&mut rx, true, ours).await;
    let (mut ins, mut rem) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        let stagger = Duration::from_millis((i as u64 * POLL_MS) / RUNS as u64 + 37);
        tokio::time::sleep(stagger).await;
        let t0 = Instant::now();
        hsm.unplug().unwrap();
        rem.push(wait_for_source(&mut rx, false, ours).await - t0);
        tokio::time::sleep(stagger).await;
        let t1 = Instant::now();
        hsm.replug().unwrap();
        ins.push(wait_for_source(&mut rx, true, ours).await - t1);
    }
    w.stop();
    for (what, v) in [
        ("unplug → TokenRemoved", rem),
        ("replug → TokenInserted", ins),
    ] {
        let m = median(v);
        println!("| {what} | {:.0} | {:.2} |", ms(m), ms(m) / POLL_MS as f64);
    }
}

/// A bare PC/SC client: one context, one reader, `SCardGetStatusChange` in a loop,
/// stamping each change of the card's presence as pcscd reports it.
struct BareWaiter {
    changes: std::sync::mpsc::Receiver<(bool, Instant)>,
}

impl BareWaiter {
    fn start(reader: &str) -> Self {
        let (tx, changes) = std::sync::mpsc::channel();
        let reader = std::ffi::CString::new(reader).unwrap();
        std::thread::spawn(move || {
            let ctx = pcsc::Context::establish(pcsc::Scope::User).unwrap();
            let mut states = [pcsc::ReaderState::new(reader, pcsc::State::UNAWARE)];
            let mut present = None;
            loop {
                match ctx.get_status_change(Duration::from_secs(1), &mut states) {
                    Ok(()) | Err(pcsc::Error::Timeout) => {}
                    Err(_) => return,
                }
                let at = Instant::now();
                let s = states[0].event_state();
                states[0].sync_current_state();
                let now = s.contains(pcsc::State::PRESENT) && !s.contains(pcsc::State::MUTE);
                if present != Some(now) {
                    // The first look is the state at start, not a change.
                    if present.is_some() && tx.send((now, at)).is_err() {
                        return;
                    }
                    present = Some(now);
                }
            }
        });
        Self { changes }
    }

    /// When pcscd next reported the card in (true) or out (false).
    fn next(&self, present: bool) -> Instant {
        loop {
            let (p, at) = self.changes.recv_timeout(Duration::from_secs(30)).unwrap();
            if p == present {
                return at;
            }
        }
    }
}
