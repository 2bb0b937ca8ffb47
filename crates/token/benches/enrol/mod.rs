//! Keygen + CSR + certificate write on one SoftHSM2 token, four ways in the same run:
//! CertDesk, the bare PKCS#11 calls (the physical limit), the bare calls plus setting
//! the final `CKA_ID` after generation (the limit for a client whose ids come from the
//! public key) and the tools. Issuing the
//! certificate (the test CA) is not timed on any side. The runs alternate, in an order
//! that rotates each round, so load on the machine falls on all four alike. SoftHSM2 in
//! this process re-reads what the tools' processes wrote at its next call: that reload
//! is made untimed right after the tools (rotating the order did not spread it, since
//! the way after the tools stayed the same in every round, and it grew to 10 ms).
//!
//! Object writes are counted two ways, untimed:
//! - PKCS#11 calls that write objects, through OpenSC's `pkcs11-spy` in front of the
//!   same module (one extra operation per way; a key pair counts as two objects);
//! - what SoftHSM2's file store wrote during the timed runs: object files created and
//!   stores (a file opened, changed, closed), watched with inotify.
//!
//! RSA key generation searches for primes: `C_GenerateKeyPair` alone varies by hundreds
//! of milliseconds from one call to the next, far more than anything around it, so even
//! medians of 31 runs of two ways differ by ±30 % on that call alone. Each in-process way
//! therefore also times its `C_GenerateKeyPair` (CertDesk's through
//! [`TokenService::keygen_call_time`]); the goal compares the ways with the same call:
//! the median call of all of them plus each way's own rest (total less the call).

mod bare;
mod certdesk;
mod tools;

use std::time::Duration;

use certdesk_testkit::issuer::TestCa;
use certdesk_testkit::object_files::{FileWrites, ObjectFiles};
use certdesk_testkit::softhsm::SoftHsm;
use certdesk_testkit::spy::{Spy, WriteCalls};
use certdesk_token::*;

pub const PIN: &str = "11223344";

/// What the bench needs of the token and the module.
pub struct Setup<'a> {
    pub hsm: &'a SoftHsm,
    pub svc: &'a TokenService,
    pub token: &'a TokenRef,
    /// The same token through the spy.
    pub spied: &'a TokenRef,
    pub spy: &'a mut Spy,
    pub ca: &'a TestCa,
    pub runs: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Way {
    CertDesk,
    Bare,
    BareFinalId,
    Tools,
}

const WAYS: [Way; 4] = [Way::CertDesk, Way::Bare, Way::BareFinalId, Way::Tools];

/// One operation's time, by phase.
#[derive(Debug, Clone, Copy, Default)]
pub struct Phases {
    /// Key pair generation (with reading the public key back).
    pub keygen: Duration,
    /// Building and signing the request.
    pub csr: Duration,
    /// Writing the certificate object.
    pub write: Duration,
    /// Inside the module's `C_GenerateKeyPair` (in-process ways only).
    pub keygen_call: Option<Duration>,
    /// CertDesk: time not spent on the token worker (handing jobs over, async wake-ups).
    pub outside_worker: Option<Duration>,
}

impl Phases {
    fn total(&self) -> Duration {
        self.keygen + self.csr + self.write
    }

    /// Everything but the module's `C_GenerateKeyPair`.
    fn rest(&self) -> Option<Duration> {
        Some(self.total().saturating_sub(self.keygen_call?))
    }
}

#[derive(Default)]
struct Figures {
    phases: Vec<Phases>,
    files: Vec<FileWrites>,
    calls: WriteCalls,
}

impl Figures {
    fn median_of(&self, f: impl Fn(&Phases) -> Duration) -> Duration {
        median(self.phases.iter().map(f).collect())
    }

    /// The median of `f` where the way measures it.
    fn median_some(&self, f: impl Fn(&Phases) -> Option<Duration>) -> Option<Duration> {
        let v: Vec<Duration> = self.phases.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| median(v))
    }
}

pub async fn run(s: Setup<'_>) {
    let module = s.token.module.clone();
    let conf = tools::openssl_conf(s.hsm.dir(), &module);
    let bare = bare::Bare::open(&module, &s.token.serial);
    let bare_spied = bare::Bare::open(&s.spied.module, &s.token.serial);
    let tools = tools::Tools {
        hsm: s.hsm,
        module: &module,
        openssl_conf: &conf,
    };
    let tools_spied = tools::Tools {
        hsm: s.hsm,
        module: &s.spied.module,
        openssl_conf: &conf,
    };
    let mut files =
        ObjectFiles::watch(&ObjectFiles::token_dir(&s.hsm.dir().join("tokens")).unwrap()).unwrap();
    println!(
        "Token enrolment on SoftHSM2 2.6: keygen + CSR + certificate write (issuing not timed), median of {} alternating runs",
        s.runs
    );
    println!(
        "| algorithm | way | total (ms) | / bare | C_GenerateKeyPair (ms) | rest: total less C_GenerateKeyPair (ms) | with the same C_GenerateKeyPair / bare | outside the token worker (ms) | keygen (ms) | CSR (ms) | write (ms) | PKCS#11 object writes: all (generate, create, set) | object files created | object file stores |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
    let mut n = 0;
    let mut goals = Vec::new();
    for (alg, name) in [
        (KeyAlgorithm::EcP256, "P-256"),
        (KeyAlgorithm::Rsa2048, "RSA-2048"),
    ] {
        let mut figs: [Figures; 4] = Default::default();
        for r in 0..s.runs {
            for k in 0..WAYS.len() {
                let i = (k + r) % WAYS.len();
                let way = WAYS[i];
                n += 1;
                files.take().unwrap();
                let t = match way {
                    Way::CertDesk => certdesk::once(s.svc, s.token, s.ca, alg, n).await,
                    Way::Bare => bare.once(s.ca, alg, n, false),
                    Way::BareFinalId => bare.once(s.ca, alg, n, true),
                    Way::Tools => {
                        let t = tools.once(s.ca, alg, n);
                        bare.reload();
                        t
                    }
                };
                figs[i].phases.push(t);
                figs[i].files.push(files.take().unwrap());
            }
        }
        for (i, way) in WAYS.into_iter().enumerate() {
            n += 1;
            s.spy.take().unwrap();
            match way {
                Way::CertDesk => {
                    certdesk::once(s.svc, s.spied, s.ca, alg, n).await;
                }
                Way::Bare => {
                    bare_spied.once(s.ca, alg, n, false);
                }
                Way::BareFinalId => {
                    bare_spied.once(s.ca, alg, n, true);
                }
                Way::Tools => {
                    tools_spied.once(s.ca, alg, n);
                }
            }
            figs[i].calls = s.spy.take().unwrap();
        }
        let bare_total = figs[1].median_of(Phases::total);
        // The call all in-process ways make alike, pooled (see the module comment).
        let call = median(
            figs.iter()
                .flat_map(|f| f.phases.iter().filter_map(|p| p.keygen_call))
                .collect(),
        );
        let same_call = |f: &Figures| f.median_some(Phases::rest).map(|r| call + r);
        let bare_same = same_call(&figs[1]).unwrap_or(bare_total);
        for (i, way) in WAYS.into_iter().enumerate() {
            let f = &figs[i];
            let total = f.median_of(Phases::total);
            let c = &f.calls;
            let label = match way {
                Way::CertDesk => "CertDesk",
                Way::Bare => "bare PKCS#11 calls",
                Way::BareFinalId => "bare calls + final CKA_ID set",
                Way::Tools => "pkcs11-tool + openssl req",
            };
            let same = same_call(f).map(|t| t.as_secs_f64() / bare_same.as_secs_f64());
            if way == Way::CertDesk {
                goals.push(format!(
                    "goal: keygen + CSR + write {name}, CertDesk / bare PKCS#11 calls (same C_GenerateKeyPair) | {:.2} | 1.10",
                    same.unwrap_or(f64::NAN)
                ));
            }
            println!(
                "| {name} | {label} | {:.1} | {:.2} | {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {} ({}, {}, {}) | {} | {} |",
                ms(total),
                total.as_secs_f64() / bare_total.as_secs_f64(),
                ms_or_dash(f.median_some(|p| p.keygen_call)),
                ms_or_dash(f.median_some(Phases::rest)),
                same.map_or("–".into(), |r| format!("{r:.2}")),
                ms_or_dash(f.median_some(|p| p.outside_worker)),
                ms(f.median_of(|p| p.keygen)),
                ms(f.median_of(|p| p.csr)),
                ms(f.median_of(|p| p.write)),
                c.object_writes(),
                c.generate_key_pair,
                c.create_object,
                c.set_attribute_value,
                same_or_range(f.files.iter().map(|w| w.created)),
                same_or_range(f.files.iter().map(|w| w.stores)),
            );
        }
        println!(
            "{name}: median C_GenerateKeyPair of all in-process runs {:.1} ms",
            ms(call)
        );
    }
    // One line per goal of issue 16: `cargo xtask bench` gathers them into its table.
    for g in goals {
        println!("{g}");
    }
}

/// `7` when every run wrote the same, `7–9` otherwise.
fn same_or_range(v: impl Iterator<Item = usize>) -> String {
    let v: Vec<usize> = v.collect();
    let (lo, hi) = (
        v.iter().min().copied().unwrap_or(0),
        v.iter().max().copied().unwrap_or(0),
    );
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}–{hi}")
    }
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn ms_or_dash(d: Option<Duration>) -> String {
    d.map_or("–".into(), |d| format!("{:.1}", ms(d)))
}
