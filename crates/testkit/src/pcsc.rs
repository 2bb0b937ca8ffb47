//! A private pcscd with the vpcd virtual reader, and `vicc` virtual cards.
//!
//! pcscd 1.9 always binds `/run/pcscd/pcscd.comm` (it ignores `PCSCLITE_CSOCK_NAME`;
//! only clients honour it), so each instance runs in its own mount namespace with a
//! temp dir bind-mounted over `/run`. The socket is then reachable from outside at
//! `<dir>/run/pcscd/pcscd.comm`; clients are pointed there with `PCSCLITE_CSOCK_NAME`.
//! Instances never collide with each other or with a system pcscd. The PC/SC client
//! library reads the variable once per process, so one test binary uses one pcscd.

use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

pub struct Pcscd {
    dir: tempfile::TempDir,
    child: Option<Child>,
    port: u16,
    unshare_args: Vec<&'static str>,
}

/// Picks a port pair (vpcd opens one listening port per virtual slot: port, port+1).
fn free_port_pair() -> anyhow::Result<u16> {
    for _ in 0..50 {
        let a = TcpListener::bind("127.0.0.1:0")?;
        let p = a.local_addr()?.port();
        if p < 65535 && TcpListener::bind(("127.0.0.1", p + 1)).is_ok() {
            return Ok(p);
        }
    }
    bail!("no free port pair for vpcd")
}

/// `unshare -m` needs CAP_SYS_ADMIN; without root, a user namespace provides it.
fn unshare_args() -> anyhow::Result<Vec<&'static str>> {
    for args in [
        vec!["-m", "--propagation", "private"],
        vec!["-r", "-m", "--propagation", "private"],
    ] {
        let ok = Command::new("unshare")
            .args(&args)
            .args(["sh", "-c", "mount -t tmpfs none /mnt"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            return Ok(args);
        }
    }
    bail!("cannot create a private mount namespace for pcscd (unshare -m / -rm both failed)")
}

impl Pcscd {
    /// Starts pcscd with one vpcd reader on a free port and waits for its socket.
    pub fn start() -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("certdesk-pcscd-")
            .tempdir()?;
        let port = free_port_pair()?;
        std::fs::create_dir_all(dir.path().join("conf"))?;
        std::fs::create_dir_all(dir.path().join("run"))?;
        std::fs::write(
            dir.path().join("conf").join("vpcd"),
            format!(
                "FRIENDLYNAME \"CertDesk Test PCD\"\nDEVICENAME /dev/null:0x{port:04X}\nLIBPATH /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID 0x{port:04X}\n"
            ),
        )?;
        let mut me = Self {
            dir,
            child: None,
            port,
            unshare_args: unshare_args()?,
        };
        me.spawn()?;
        Ok(me)
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        let _ = std::fs::remove_file(self.socket());
        let log = std::fs::File::create(self.dir.path().join("pcscd.log"))?;
        // unshare and sh both exec, so the child's PID is pcscd's.
        let child = Command::new("unshare")
            .args(&self.unshare_args)
            .args([
                "sh",
                "-c",
                "mount --bind \"$1\" /run && exec pcscd -f -c \"$2\"",
                "sh",
            ])
            .arg(self.dir.path().join("run"))
            .arg(self.dir.path().join("conf"))
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start pcscd")?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.socket().exists() {
            if Instant::now() > deadline {
                bail!("pcscd did not create its socket; log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Socket clients must use (`PCSCLITE_CSOCK_NAME`).
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("run").join("pcscd").join("pcscd.comm")
    }

    pub fn env(&self) -> (&'static str, PathBuf) {
        ("PCSCLITE_CSOCK_NAME", self.socket())
    }

    /// Points this process's PC/SC client library at this pcscd.
    ///
    /// # Safety
    /// Call before other threads read the environment or use PC/SC.
    pub unsafe fn install_env(&self) {
        // SAFETY: per the caller's contract.
        unsafe { std::env::set_var("PCSCLITE_CSOCK_NAME", self.socket()) };
    }

    /// Port a virtual card connects to for the first reader slot.
    pub fn vpcd_port(&self) -> u16 {
        self.port
    }

    /// Name of the first virtual reader.
    pub fn reader_name(&self) -> &'static str {
        "CertDesk Test PCD 00 00"
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pcscd.log")).unwrap_or_default()
    }

    /// Kills pcscd (by PID), as when the smart-card service crashes or is stopped.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts pcscd again on the same socket and reader port.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.stop();
        self.spawn()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Pcscd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A `vicc` virtual card in the virtual reader; removed when dropped.
pub struct VirtualCard {
    child: Child,
    _pythonpath: tempfile::TempDir,
}

impl VirtualCard {
    /// Inserts a card (ISO 7816 emulation) into the reader listening on `port`.
    pub fn insert(port: u16) -> anyhow::Result<Self> {
        // Debian's vicc imports `Crypto`, which Debian ships as `Cryptodome`.
        let py = tempfile::Builder::new()
            .prefix("certdesk-vicc-")
            .tempdir()?;
        std::os::unix::fs::symlink(
            "/usr/lib/python3/dist-packages/Cryptodome",
            py.path().join("Crypto"),
        )?;
        let child = Command::new("vicc")
            .args(["-t", "iso7816", "-P", &port.to_string()])
            .env(
                "PYTHONPATH",
                format!(
                    "/usr/lib/python3/site-packages/virtualsmartcard:{}",
                    py.path().display()
                ),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start vicc (apt-get install vsmartcard-vpicc python3-pycryptodome)")?;
        Ok(Self {
            child,
            _pythonpath: py,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Removes the card (kills vicc by PID).
    pub fn remove(self) {}
}

impl Drop for VirtualCard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `vicc` card started in advance, its connection to the reader held back until
/// [`GatedCard::insert`]: vicc is a Python program that takes a few hundred
/// milliseconds to start, so a latency measured from its start measures Python. The
/// gate is a loopback relay vicc connects to; the reader sees the card at the moment
/// the relay connects to vpcd.
pub struct GatedCard {
    card: VirtualCard,
    from_card: TcpStream,
    vpcd_port: u16,
}

/// A gated card in the reader; the reader loses it when this is dropped (both
/// connections shut, as when a card leaves its contacts, then vicc killed).
pub struct InsertedCard {
    _card: VirtualCard,
    streams: [TcpStream; 2],
    relays: Vec<std::thread::JoinHandle<()>>,
    /// When the reader's connection was made.
    pub at: Instant,
}

impl GatedCard {
    /// Starts vicc against a relay and waits until it has connected to the relay.
    pub fn start(vpcd_port: u16) -> anyhow::Result<Self> {
        let relay = TcpListener::bind("127.0.0.1:0")?;
        let card = VirtualCard::insert(relay.local_addr()?.port())?;
        relay.set_nonblocking(true)?;
        let deadline = Instant::now() + Duration::from_secs(15);
        let from_card = loop {
            match relay.accept() {
                Ok((s, _)) => break s,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() > deadline {
                        bail!("vicc did not connect to the relay within 15 s");
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(e.into()),
            }
        };
        from_card.set_nonblocking(false)?;
        Ok(Self {
            card,
            from_card,
            vpcd_port,
        })
    }

    /// Puts the card in the reader: connects the relay to vpcd.
    pub fn insert(self) -> anyhow::Result<InsertedCard> {
        let to_reader = TcpStream::connect(("127.0.0.1", self.vpcd_port))?;
        let at = Instant::now();
        to_reader.set_nodelay(true)?;
        self.from_card.set_nodelay(true)?;
        let pump = |mut from: TcpStream, mut to: TcpStream| {
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from, &mut to);
                let _ = to.shutdown(Shutdown::Both);
            })
        };
        let relays = vec![
            pump(self.from_card.try_clone()?, to_reader.try_clone()?),
            pump(to_reader.try_clone()?, self.from_card.try_clone()?),
        ];
        Ok(InsertedCard {
            _card: self.card,
            streams: [self.from_card, to_reader],
            relays,
            at,
        })
    }
}

impl InsertedCard {
    /// Takes the card out; returns when the reader's connection was shut.
    pub fn remove(mut self) -> Instant {
        self.shut()
    }

    fn shut(&mut self) -> Instant {
        for s in &self.streams {
            let _ = s.shutdown(Shutdown::Both);
        }
        let at = Instant::now();
        for r in self.relays.drain(..) {
            let _ = r.join();
        }
        at
    }
}

impl Drop for InsertedCard {
    fn drop(&mut self) {
        self.shut();
    }
}
