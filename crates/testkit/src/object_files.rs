//! What SoftHSM2's file store actually writes, watched with inotify: each token object
//! is one `<uuid>.object` file, rewritten whole (truncate + write) on every change. A
//! *store* is one such file opened, changed and closed; SoftHSM2 opens object files
//! read-write even to read them, so an open and close without a change in between is
//! not counted. Reading the events after each operation keeps the queue far from its
//! limit; the kernel merges only identical consecutive events, which the open and close
//! events around every store keep apart.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;

use anyhow::Context;
use nix::errno::Errno;
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};

/// Writes to object files since the previous [`ObjectFiles::take`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileWrites {
    /// Object files created (one per token object).
    pub created: usize,
    /// Object file stores (a file opened, changed and closed).
    pub stores: usize,
}

/// An inotify watch on one SoftHSM2 token directory.
pub struct ObjectFiles {
    inotify: Inotify,
    changed: HashMap<OsString, bool>,
}

impl ObjectFiles {
    /// Watches the token directory `dir` (`<tokendir>/<token uuid>`).
    pub fn watch(dir: &Path) -> anyhow::Result<Self> {
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)
            .context("inotify_init")?;
        inotify
            .add_watch(
                dir,
                AddWatchFlags::IN_CREATE
                    | AddWatchFlags::IN_OPEN
                    | AddWatchFlags::IN_MODIFY
                    | AddWatchFlags::IN_CLOSE_WRITE,
            )
            .with_context(|| format!("inotify watch on {}", dir.display()))?;
        Ok(Self {
            inotify,
            changed: HashMap::new(),
        })
    }

    /// The only token directory under SoftHSM2's `tokens` directory.
    pub fn token_dir(tokens: &Path) -> anyhow::Result<std::path::PathBuf> {
        let mut dirs = std::fs::read_dir(tokens)?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir());
        let d = dirs.next().context("no token directory")?;
        anyhow::ensure!(dirs.next().is_none(), "more than one token directory");
        Ok(d.path())
    }

    /// The writes since the previous call.
    pub fn take(&mut self) -> anyhow::Result<FileWrites> {
        let mut w = FileWrites::default();
        loop {
            let events = match self.inotify.read_events() {
                Ok(e) => e,
                Err(Errno::EAGAIN) => return Ok(w),
                Err(e) => return Err(e).context("reading inotify events"),
            };
            anyhow::ensure!(
                !events
                    .iter()
                    .any(|e| e.mask.contains(AddWatchFlags::IN_Q_OVERFLOW)),
                "inotify queue overflowed: the count would be wrong"
            );
            for e in events {
                let Some(name) = e.name.filter(|n| is_object_file(n)) else {
                    continue;
                };
                if e.mask.contains(AddWatchFlags::IN_CREATE) {
                    w.created += 1;
                }
                if e.mask.contains(AddWatchFlags::IN_OPEN) {
                    self.changed.insert(name.clone(), false);
                }
                if e.mask.contains(AddWatchFlags::IN_MODIFY) {
                    self.changed.insert(name.clone(), true);
                }
                if e.mask.contains(AddWatchFlags::IN_CLOSE_WRITE)
                    && self.changed.insert(name, false) == Some(true)
                {
                    w.stores += 1;
                }
            }
        }
    }
}

/// A token object's file; `token.object` holds the token's own data (label, PINs).
fn is_object_file(name: &std::ffi::OsStr) -> bool {
    let n = name.to_string_lossy();
    n.ends_with(".object") && n != "token.object"
}
