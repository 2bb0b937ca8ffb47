//! `cargo xtask bench`: start-up to first rendered content (median of 7 runs), idle
//! memory (PSS of the app and its WebKit processes) and release binary size, next to
//! an empty Tauri window built in the same run, so the distance to the floor shows.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::{deps, sh};

const RUNS: usize = 7;
const IDLE: Duration = Duration::from_secs(4);
const MARKER: &str = "certdesk:first-render";

struct Figures {
    startup_ms: Vec<f64>,
    pss_kib: u64,
    size_bytes: u64,
}

pub fn run(root: &Path) -> anyhow::Result<()> {
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
    let mut a = Figures {
        startup_ms: vec![],
        pss_kib: 0,
        size_bytes: std::fs::metadata(&app)?.len(),
    };
    let mut e = Figures {
        startup_ms: vec![],
        pss_kib: 0,
        size_bytes: std::fs::metadata(&empty)?.len(),
    };
    for i in 0..RUNS {
        let last = i + 1 == RUNS;
        let (ms, pss) = measure_once(&app, scratch.path(), last)?;
        a.startup_ms.push(ms);
        a.pss_kib = a.pss_kib.max(pss);
        let (ms, pss) = measure_once(&empty, scratch.path(), last)?;
        e.startup_ms.push(ms);
        e.pss_kib = e.pss_kib.max(pss);
    }
    print_table(&a, &e);
    Ok(())
}

/// Starts `binary`, returns (ms to first render, idle PSS in KiB when `memory`).
fn measure_once(binary: &Path, data: &Path, memory: bool) -> anyhow::Result<(f64, u64)> {
    let started = Instant::now();
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
    let ms = loop {
        match lines.next() {
            Some(Ok(line)) if line.trim() == MARKER => {
                break started.elapsed().as_secs_f64() * 1000.0;
            }
            Some(Ok(_)) => {}
            _ => bail!("{} exited before rendering", binary.display()),
        }
    };
    let pss = if memory {
        std::thread::sleep(IDLE);
        tree_pss_kib(guard.0.id())
    } else {
        0
    };
    Ok((ms, pss))
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
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied().unwrap_or(f64::NAN)
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
