//! The install-and-start test: a clean Debian 12 root made by `debootstrap` from Debian's
//! own packages (no containers on these machines), `apt-get install ./certdesk_*.deb`
//! inside it, then the installed app started there under Xvfb until its window shows.
//! The minimal root is cached in target/packaging/ (and the downloaded .debs beside it),
//! so only the first run pays for the download.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::sh;

const SUITE: &str = "bookworm";
const MIRROR: &str = "http://deb.debian.org/debian";
const USER: &str = "applicant";
const WINDOW_TITLE: &str = "CertDesk";

pub fn install_and_start(root: &Path, deb: &Path) -> anyhow::Result<()> {
    let work = root.join("target/packaging");
    let base = ensure_base(&work)?;
    let scene = work.join("debian12-scene");
    if scene.exists() {
        unmount_all_under(&scene);
        std::fs::remove_dir_all(&scene).context("removing the last scene")?;
    }
    sh::run(Command::new("cp").arg("-a").arg(&base).arg(&scene))?;

    let mut mounts = Mounts::default();
    mounts.mount(&["-t", "proc", "proc"], &scene.join("proc"))?;
    mounts.mount(&["-t", "sysfs", "-o", "ro", "sysfs"], &scene.join("sys"))?;
    mounts.mount(
        &["-t", "tmpfs", "-o", "mode=1777", "tmpfs"],
        &scene.join("dev/shm"),
    )?;
    let archives = work.join("apt-archives");
    std::fs::create_dir_all(archives.join("partial"))?;
    mounts.mount_bind(&archives, &scene.join("var/cache/apt/archives"))?;
    // No init runs in the root: services (pcscd) must not be started by maintainer scripts.
    write_exec(&scene.join("usr/sbin/policy-rc.d"), "#!/bin/sh\nexit 101\n")?;
    std::fs::copy("/etc/resolv.conf", scene.join("etc/resolv.conf"))?;
    let name = deb.file_name().context("deb without a name")?;
    std::fs::copy(deb, scene.join("tmp").join(name))?;

    in_root(&scene, "apt-get -q update")?;
    let t = Instant::now();
    in_root(
        &scene,
        &format!(
            "cd /tmp && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./{}",
            name.to_string_lossy()
        ),
    )?;
    let install_secs = t.elapsed().as_secs_f64();
    in_root(&scene, &format!("useradd -m -s /bin/sh {USER}"))?;

    let handler = sh::output(&mut as_user(
        &scene,
        "xdg-mime query default x-scheme-handler/certdesk",
    ))?;
    if handler.trim() != "certdesk.desktop" {
        bail!(
            "xdg-mime names {:?} for certdesk:// links, not certdesk.desktop",
            handler.trim()
        );
    }

    let display = ":87";
    let _xvfb = sh::KillOnDrop(
        Command::new("Xvfb")
            .args([display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stderr(Stdio::null())
            .spawn()
            .context("starting Xvfb")?,
    );
    std::thread::sleep(Duration::from_secs(1));
    let t = Instant::now();
    // Xvfb's abstract socket is reachable from the chroot without a bind mount.
    let app = as_user(&scene, &format!("DISPLAY={display} exec certdesk"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting the installed certdesk")?;
    let _app = KillGroupOnDrop(app);
    wait_for_window(display, Duration::from_secs(90))?;
    let window_secs = t.elapsed().as_secs_f64();
    // Give the web view time to paint before the screenshot.
    std::thread::sleep(Duration::from_secs(6));
    let shot = work.join("chroot-started.png");
    sh::run(
        Command::new("import")
            .args(["-display", display, "-window", "root"])
            .arg(&shot),
    )?;
    let colours: u64 = sh::output(Command::new("identify").args(["-format", "%k"]).arg(&shot))?
        .trim()
        .parse()
        .context("reading the screenshot's colour count")?;
    if colours < 32 {
        bail!(
            "the window is blank ({colours} colours in {})",
            shot.display()
        );
    }
    eprintln!(
        "installed in {install_secs:.1} s, window after {window_secs:.1} s, {colours} colours: {}",
        shot.display()
    );
    // A passing scene is 1.6 GB of nothing new: end the app, unmount, remove it. A failing
    // one stays for a look (the next run clears it).
    drop(_app);
    drop(mounts);
    std::fs::remove_dir_all(&scene).context("removing the scene")?;
    Ok(())
}

/// The cached minimal Debian 12 root; made once with debootstrap.
fn ensure_base(work: &Path) -> anyhow::Result<PathBuf> {
    let base = work.join("debian12-base");
    if base.join(".complete").exists() {
        return Ok(base);
    }
    let tmp = work.join("debian12-base.tmp");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir_all(work)?;
    let t = Instant::now();
    sh::run(
        Command::new("debootstrap")
            .args(["--variant=minbase", SUITE])
            .arg(&tmp)
            .arg(MIRROR),
    )?;
    std::fs::write(tmp.join(".complete"), "")?;
    if base.exists() {
        std::fs::remove_dir_all(&base)?;
    }
    std::fs::rename(&tmp, &base)?;
    eprintln!(
        "debootstrap made {} in {} s",
        base.display(),
        t.elapsed().as_secs()
    );
    Ok(base)
}

fn in_root(scene: &Path, script: &str) -> anyhow::Result<()> {
    sh::run(Command::new("chroot").arg(scene).args(["sh", "-c", script]))
}

/// A command run as the unprivileged user in the root, with a login-like environment.
fn as_user(scene: &Path, script: &str) -> Command {
    let mut cmd = Command::new("chroot");
    cmd.arg(format!("--userspec={USER}:{USER}"))
        .arg(scene)
        .args(["env", "-i"])
        .arg(format!("HOME=/home/{USER}"))
        .args([
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "LANG=C.UTF-8",
            // No session bus in the root; GLib must not try to start one.
            "DBUS_SESSION_BUS_ADDRESS=disabled:",
            "sh",
            "-c",
            script,
        ]);
    cmd
}

fn wait_for_window(display: &str, limit: Duration) -> anyhow::Result<()> {
    let start = Instant::now();
    while start.elapsed() < limit {
        let tree = Command::new("xwininfo")
            .args(["-root", "-tree", "-display", display])
            .output()?;
        if String::from_utf8_lossy(&tree.stdout).contains(WINDOW_TITLE) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    bail!(
        "no window titled {WINDOW_TITLE} within {} s",
        limit.as_secs()
    )
}

fn write_exec(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

/// Mounts made for the test, undone in reverse order however the test ends.
#[derive(Default)]
struct Mounts(Vec<PathBuf>);

impl Mounts {
    fn mount(&mut self, args: &[&str], at: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(at)?;
        sh::run(Command::new("mount").args(args).arg(at))?;
        self.0.push(at.to_path_buf());
        Ok(())
    }

    fn mount_bind(&mut self, from: &Path, at: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(at)?;
        sh::run(Command::new("mount").arg("--bind").arg(from).arg(at))?;
        self.0.push(at.to_path_buf());
        Ok(())
    }
}

impl Drop for Mounts {
    fn drop(&mut self) {
        for at in self.0.iter().rev() {
            let _ = Command::new("umount").arg("-l").arg(at).status();
        }
    }
}

/// A leftover scene from an interrupted run may still have mounts: undo them first.
fn unmount_all_under(scene: &Path) {
    let Ok(table) = std::fs::read_to_string("/proc/self/mounts") else {
        return;
    };
    let prefix = scene.to_string_lossy().into_owned();
    let mut points: Vec<&str> = table
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|p| p.starts_with(&prefix))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in points {
        let _ = Command::new("umount").args(["-l", p]).status();
    }
}

/// The app and its WebKit helper processes share a process group: end them all.
struct KillGroupOnDrop(std::process::Child);

impl Drop for KillGroupOnDrop {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}
