//! `cargo xtask bench`: start-up to first rendered content (median of 15 runs) with its
//! phases, idle memory (PSS of the app and its WebKit processes) and release binary
//! size, next to an empty Tauri window built in the same run, so the distance to the
//! floor shows; then the token bench (enrolment next to the bare PKCS#11 calls and the
//! tools, presence latency); last, one table of issue 16's goals.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::{deps, sh};

/// Start-ups differ by ±10% run to run on a 2-core machine: with 7, three runs of the
/// bench an hour apart gave ratios from 1.09 to 1.19 for the same code.
const RUNS: usize = 15;
const IDLE: Duration = Duration::from_secs(4);
const MARKER: &str = "certdesk:first-render";

struct Figures {
    startup_ms: Vec<f64>,
    /// Per run: each start-up phase the binary printed, in ms after it was started.
    phases: Vec<Vec<(String, f64)>>,
    pss_kib: u64,
    size_bytes: u64,
}

/// One start of a binary.
struct Run {
    first_render_ms: f64,
    phases: Vec<(String, f64)>,
    pss_kib: u64,
}

/// The phases in the order they happen (src-tauri/startup.rs, ui/src/lib/startup.ts),
/// each with what happens between the previous one and it.
const PHASES: [(&str, &str); 11] = [
    ("main", "process start, dynamic linking, Rust runtime"),
    ("state", "data dirs, log file, settings"),
    ("setup", "Tauri, GTK and plugin initialisation"),
    ("window", "main window and webview built"),
    ("setup_done", "watchers and monitors spawned"),
    ("page_navigation", "WebKit web process up, page load begins"),
    (
        "page_script",
        "HTML, CSS and the first script's chunks loaded and parsed",
    ),
    ("page_modules", "the first script's modules evaluated"),
    (
        "page_mounted",
        "the app mounted (first render into the DOM)",
    ),
    (
        "page_settings",
        "settings applied (handed over with the page)",
    ),
    ("page_painted", "two frames painted"),
];

pub fn run(root: &Path, startup_only: bool) -> anyhow::Result<()> {
    deps::ensure_all(root)?;
    sh::run(
        Command::new("npm")
            .args(["run", "build"])
            .current_dir(root.join("ui")),
    )?;
    sh::run(
        sh::cargo()
            .args([
                "build",
                "--release",
                "-p",
                "certdesk",
                "-p",
                "bench-empty-window",
            ])
            .current_dir(root),
    )?;
    let _xvfb = ensure_display()?;
    let release = sh::target_dir(root).join("release");
    let app = release.join("certdesk");
    let empty = release.join("bench-empty-window");
    let scratch = tempfile::tempdir()?;
    // Warm the page cache once each so the first measured run is not a disk benchmark.
    measure_once(&app, scratch.path(), false)?;
    measure_once(&empty, scratch.path(), false)?;
    let mut a = Figures::new(&app)?;
    let mut e = Figures::new(&empty)?;
    for i in 0..RUNS {
        let last = i + 1 == RUNS;
        // Each goes first every other time, so neither always starts on the other's
        // leftovers (page cache, CPU clock, WebKit's caches).
        if i % 2 == 0 {
            a.add(measure_once(&app, scratch.path(), last)?);
            e.add(measure_once(&empty, scratch.path(), last)?);
        } else {
            e.add(measure_once(&empty, scratch.path(), last)?);
            a.add(measure_once(&app, scratch.path(), last)?);
        }
    }
    print_table(&a, &e);
    print_phases(&a, &e);
    if startup_only {
        return Ok(());
    }
    let token_goals = token_bench(root)?;
    print_goals(&a, &e, &token_goals);
    Ok(())
}

/// Runs the token bench, shows its tables, and returns its `goal:` lines
/// (`goal: <what> | <figure> | <limit>`).
fn token_bench(root: &Path) -> anyhow::Result<Vec<(String, f64, f64)>> {
    println!();
    let out = sh::cargo()
        .args(["bench", "-p", "certdesk-token", "--bench", "token"])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .context("running the token bench")?;
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    if !out.status.success() {
        bail!("the token bench failed");
    }
    Ok(text
        .lines()
        .filter_map(|l| l.strip_prefix("goal: "))
        .filter_map(|g| {
            let mut parts = g.split(" | ");
            let what = parts.next()?.to_owned();
            let figure = parts.next()?.trim().parse().ok()?;
            let limit = parts.next()?.trim().parse().ok()?;
            Some((what, figure, limit))
        })
        .collect())
}

/// Issue 16's goals in one table: each figure as a ratio, its limit, and whether it is met.
fn print_goals(a: &Figures, e: &Figures, token: &[(String, f64, f64)]) {
    let mut goals = vec![
        (
            "start-up to first render, CertDesk / empty window".to_owned(),
            median(&a.startup_ms) / median(&e.startup_ms),
            1.15,
        ),
        (
            "release binary, CertDesk / empty window".to_owned(),
            a.size_bytes as f64 / e.size_bytes.max(1) as f64,
            2.0,
        ),
    ];
    goals.extend(token.iter().cloned());
    println!();
    println!("| goal | ratio | limit | met |");
    println!("|---|---:|---:|---|");
    for (what, figure, limit) in goals {
        let met = if figure <= limit { "yes" } else { "no" };
        println!("| {what} | {figure:.2} | ≤ {limit:.2} | {met} |");
    }
}

impl Figures {
    fn new(binary: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            startup_ms: vec![],
            phases: vec![],
            pss_kib: 0,
            size_bytes: std::fs::metadata(binary)?.len(),
        })
    }

    fn add(&mut self, run: Run) {
        self.startup_ms.push(run.first_render_ms);
        self.phases.push(run.phases);
        self.pss_kib = self.pss_kib.max(run.pss_kib);
    }

    /// Median time after start at which `phase` was reached, if every run printed it.
    fn phase_ms(&self, phase: &str) -> Option<f64> {
        let at: Vec<f64> = self
            .phases
            .iter()
            .filter_map(|run| run.iter().find(|(p, _)| p == phase).map(|(_, ms)| *ms))
            .collect();
        (!at.is_empty() && at.len() == self.phases.len()).then(|| median(&at))
    }
}

fn epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// Starts `binary`: time to first render, the phases it printed, and its idle PSS in
/// KiB when `memory`.
fn measure_once(binary: &Path, data: &Path, memory: bool) -> anyhow::Result<Run> {
    let started = Instant::now();
    let started_epoch = epoch_ms();
    let mut child = Command::new(binary)
        .env("CERTDESK_REPORT_FIRST_RENDER", "1")
        .env("CERTDESK_DATA_DIR", data)
        .env("DBUS_SESSION_BUS_ADDRESS", "disabled:")
        .env(
            "CERTDESK_UPDATE_FEED",
            "http://127.0.0.1:9/{channel}/latest.json",
        )
        .env_remove("CERTDESK_CA_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stdout = child.stdout.take().context("stdout")?;
    let guard = sh::KillOnDrop(child);
    let mut lines = BufReader::new(stdout).lines();
    let mut phases = Vec::new();
    let ms = loop {
        match lines.next() {
            Some(Ok(line)) if line.trim() == MARKER => {
                break started.elapsed().as_secs_f64() * 1000.0;
            }
            Some(Ok(line)) => {
                let mut words = line.split_whitespace();
                if let (Some("certdesk:phase"), Some(name), Some(Ok(at))) = (
                    words.next(),
                    words.next(),
                    words.next().map(str::parse::<f64>),
                ) {
                    phases.push((name.to_owned(), at - started_epoch));
                }
            }
            _ => bail!("{} exited before rendering", binary.display()),
        }
    };
    let pss = if memory {
        std::thread::sleep(IDLE);
        tree_pss_kib(guard.0.id())
    } else {
        0
    };
    Ok(Run {
        first_render_ms: ms,
        phases,
        pss_kib: pss,
    })
}

/// PSS of `root` and all its descendants (WebKit's web and network processes).
fn tree_pss_kib(root: u32) -> u64 {
    let mut pids = vec![root];
    let mut i = 0;
    while i < pids.len() {
        let parent = pids[i];
        pids.extend(children_of(parent));
        i += 1;
    }
    pids.iter().map(|p| pss_kib(*p)).sum()
}

fn children_of(parent: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.to_owned()))
                .and_then(|rest| {
                    rest.split_whitespace()
                        .nth(1)
                        .and_then(|p| p.parse::<u32>().ok())
                })
                == Some(parent)
        })
        .collect()
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn median(v: &[f64]) -> f64 {
    quantile(v, 0.5)
}

/// The value below which `q` of `v` lies (nearest rank; NaN for no values).
fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let rank = ((s.len() as f64 - 1.0) * q).round() as usize;
    s.get(rank).copied().unwrap_or(f64::NAN)
}

fn print_table(a: &Figures, e: &Figures) {
    let (am, em) = (median(&a.startup_ms), median(&e.startup_ms));
    let mib = |kib: u64| kib as f64 / 1024.0;
    let rows = [
        (
            format!("cold start to first rendered content (median of {RUNS})"),
            format!("{am:.0} ms"),
            format!("{em:.0} ms"),
            am / em,
        ),
        (
            "idle memory: PSS of app + WebKit processes".to_owned(),
            format!("{:.1} MiB", mib(a.pss_kib)),
            format!("{:.1} MiB", mib(e.pss_kib)),
            a.pss_kib as f64 / e.pss_kib.max(1) as f64,
        ),
        (
            "release binary size".to_owned(),
            format!("{:.1} MiB", a.size_bytes as f64 / 1048576.0),
            format!("{:.1} MiB", e.size_bytes as f64 / 1048576.0),
            a.size_bytes as f64 / e.size_bytes.max(1) as f64,
        ),
    ];
    println!();
    println!(
        "| {:<52} | {:>10} | {:>18} | {:>5} |",
        "figure", "CertDesk", "empty Tauri window", "ratio"
    );
    println!(
        "|{}|{}|{}|{}|",
        "-".repeat(54),
        "-".repeat(11) + ":",
        "-".repeat(19) + ":",
        "-".repeat(6) + ":"
    );
    for (name, ours, floor, ratio) in rows {
        println!("| {name:<52} | {ours:>10} | {floor:>18} | {ratio:>5.2} |");
    }
    println!(
        "start-up runs (ms): CertDesk {:?}; empty {:?}",
        rounded(&a.startup_ms),
        rounded(&e.startup_ms)
    );
    // Both starts of a round ran back to back, in the same state of the machine: the
    // spread of their ratios says how far one bench's ratio of medians can be trusted.
    let pairs: Vec<f64> = a
        .startup_ms
        .iter()
        .zip(&e.startup_ms)
        .map(|(a, e)| a / e)
        .collect();
    println!(
        "start-up ratio per round (CertDesk / empty, same round): median {:.2}, quartiles {:.2}–{:.2}, range {:.2}–{:.2}",
        median(&pairs),
        quantile(&pairs, 0.25),
        quantile(&pairs, 0.75),
        quantile(&pairs, 0.0),
        quantile(&pairs, 1.0)
    );
}

/// Where the start-up time goes: each phase's median time after start, and the step
/// from the phase before, for both binaries where the empty window has the phase.
fn print_phases(a: &Figures, e: &Figures) {
    println!();
    println!(
        "Start-up phases (median ms after the process was started; step = since the phase before)"
    );
    println!("| phase | what happens before it | CertDesk | step | empty window | step |");
    println!("|---|---|---:|---:|---:|---:|");
    let (mut prev_a, mut prev_e) = (0.0, 0.0);
    let cell = |at: Option<f64>, prev: &mut f64| match at {
        Some(t) => {
            let step = t - *prev;
            *prev = t;
            (format!("{t:.0}"), format!("{step:.0}"))
        }
        None => ("–".to_owned(), "–".to_owned()),
    };
    let rows = PHASES
        .iter()
        .map(|(p, what)| (*p, *what))
        .chain([("first render seen", "the marker's line read by the bench")]);
    for (phase, what) in rows {
        let (at_a, at_e) = if phase == "first render seen" {
            (Some(median(&a.startup_ms)), Some(median(&e.startup_ms)))
        } else {
            (a.phase_ms(phase), e.phase_ms(phase))
        };
        let (ta, sa) = cell(at_a, &mut prev_a);
        let (te, se) = cell(at_e, &mut prev_e);
        println!("| {phase} | {what} | {ta} | {sa} | {te} | {se} |");
    }
}

fn rounded(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.round() as u64).collect()
}

/// Benchmarks need a display; without one, start a private Xvfb for the run.
fn ensure_display() -> anyhow::Result<Option<sh::KillOnDrop>> {
    if std::env::var_os("DISPLAY").is_some() {
        return Ok(None);
    }
    let display = format!(":{}", 90 + std::process::id() % 100);
    let child = Command::new("Xvfb")
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stderr(Stdio::null())
        .spawn()
        .context("starting Xvfb (apt: xvfb)")?;
    let socket = PathBuf::from(format!(
        "/tmp/.X11-unix/X{}",
        display.trim_start_matches(':')
    ));
    let started = Instant::now();
    while !socket.exists() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: single-threaded at this point of xtask; children inherit DISPLAY.
    unsafe { std::env::set_var("DISPLAY", &display) };
    Ok(Some(sh::KillOnDrop(child)))
}
