//! Token transactions (a certificate download, a USBKey made at the counter): one at a
//! time, each on a thread of its own. The transaction borrows the journal (a SQLite
//! connection) and a progress sink across its awaits, so its future is not `Send`; it
//! runs on its own current-thread runtime, and the token worker is shared through its
//! handle.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use certdesk_ipc::{ErrorCode, IpcError};

static RUNNING: AtomicBool = AtomicBool::new(false);

/// Holds [`RUNNING`] for one transaction; released however its thread ends. A second
/// start while one runs is refused, not queued.
pub struct Running;

impl Running {
    pub fn claim() -> Result<Running, IpcError> {
        if RUNNING.swap(true, Ordering::SeqCst) {
            return Err(IpcError::new(
                ErrorCode::Conflict,
                "a token transaction is already running",
            ));
        }
        Ok(Running)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.store(false, Ordering::SeqCst);
    }
}

/// Runs the future `make` builds on a thread named `name` with its own runtime, holding
/// `running` until it ends, and awaits its outcome here.
pub async fn on_own_thread<T, F, Fut>(name: &str, running: Running, make: F) -> Result<T, IpcError>
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, IpcError>>,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let _running = running;
            let outcome = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| {
                    IpcError::new(ErrorCode::Internal, format!("transaction runtime: {e}"))
                })
                .and_then(|rt| rt.block_on(make()));
            let _ = tx.send(outcome);
        })
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("transaction thread: {e}")))?;
    rx.await
        .map_err(|_| IpcError::new(ErrorCode::Internal, "the transaction thread ended early"))?
}
