//! The main window: built at start with the placement it had when last closed
//! (`certdesk_core::window` decides what still fits the connected screens), and its
//! placement followed while it runs and written when it closes.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use certdesk_core::window::{Rect, WindowPlacement, WindowStore};
use tauri::{AppHandle, Manager, WebviewWindow, WebviewWindowBuilder, WindowEvent};

pub const MAIN: &str = "main";

/// A drag or resize sends a burst of events; the file is written once it settles.
const SETTLE: Duration = Duration::from_millis(500);

/// The placement seen last, and a counter of changes that tells a pending write whether
/// a newer change has come since.
pub struct Placement {
    store: WindowStore,
    last: Mutex<Option<WindowPlacement>>,
    changes: AtomicU64,
}

impl Placement {
    pub fn new(store: WindowStore) -> Self {
        Self {
            store,
            last: Mutex::new(None),
            changes: AtomicU64::new(0),
        }
    }

    fn save(&self) {
        let last = *self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = last
            && let Err(e) = self.store.save(&p)
        {
            tracing::warn!(error = %e, "window placement not saved");
        }
    }
}

/// Builds the main window from tauri.conf.json (where it has `"create": false` and
/// `"center": false`, so that nothing moves it after it is placed) where it was.
pub fn build_main(app: &AppHandle) -> tauri::Result<WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .unwrap_or_default();
    let mut builder =
        WebviewWindowBuilder::from_config(app, &config)?.initialization_script(boot_script(app));
    let saved = app.state::<Placement>().store.load();
    let fitted = saved.and_then(|p| p.fit(&screens(app)));
    builder = match fitted {
        Some(f) => {
            *lock(app) = saved;
            let sized = builder.inner_size(f.width, f.height).maximized(f.maximized);
            match f.position {
                Some((x, y)) => sized.position(x, y),
                None => sized.center(),
            }
        }
        None => builder.center(),
    };
    builder.build()
}

/// The settings handed to the page before its script runs, so its first render is in
/// the user's language without waiting for an IPC round trip (start-up, issue 16).
pub fn boot_script(app: &AppHandle) -> String {
    let settings = app
        .state::<crate::state::AppState>()
        .settings
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    match serde_json::to_string(&settings) {
        Ok(json) => format!("window.__CERTDESK_SETTINGS__ = {json};"),
        Err(_) => String::new(),
    }
}

/// The work areas of the connected screens, in logical pixels.
pub fn screens(app: &AppHandle) -> Vec<Rect> {
    app.available_monitors()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            let area = m.work_area();
            let scale = m.scale_factor();
            Rect {
                x: f64::from(area.position.x) / scale,
                y: f64::from(area.position.y) / scale,
                width: f64::from(area.size.width) / scale,
                height: f64::from(area.size.height) / scale,
            }
        })
        .collect()
}

fn lock(app: &AppHandle) -> std::sync::MutexGuard<'_, Option<WindowPlacement>> {
    let state = app.state::<Placement>();
    // A poisoned lock only means a panic elsewhere mid-update; the value is still usable.
    state.inner().last.lock().unwrap_or_else(|e| e.into_inner())
}

/// Follows moves, resizes and maximising, and writes the placement once they settle
/// (so it survives even a process that is killed) and when the window closes.
pub fn on_event(window: &tauri::Window, event: &WindowEvent) {
    if window.label() != MAIN {
        return;
    }
    match event {
        WindowEvent::Moved(_) | WindowEvent::Resized(_) => {
            remember(window);
            let app = window.app_handle().clone();
            let change = app
                .state::<Placement>()
                .changes
                .fetch_add(1, Ordering::SeqCst)
                + 1;
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(SETTLE).await;
                let placement = app.state::<Placement>();
                if placement.changes.load(Ordering::SeqCst) == change {
                    placement.save();
                }
            });
        }
        WindowEvent::CloseRequested { .. } => {
            remember(window);
            window.app_handle().state::<Placement>().save();
            // The applicant's window goes with the operator's: the app ends with it.
            crate::customer::close(window.app_handle());
        }
        _ => {}
    }
}

fn remember(window: &tauri::Window) {
    let maximized = window.is_maximized().unwrap_or(false);
    if window.is_minimized().unwrap_or(false) {
        return;
    }
    let app = window.app_handle();
    let mut last = lock(app);
    // While maximised the un-maximised rectangle stays the one from before.
    let normal = if maximized {
        last.map(|p| p.normal).or_else(|| normal_rect(window))
    } else {
        normal_rect(window)
    };
    if let Some(normal) = normal {
        *last = Some(WindowPlacement { normal, maximized });
    }
}

fn normal_rect(window: &tauri::Window) -> Option<Rect> {
    let scale = window.scale_factor().ok()?;
    let pos = window.outer_position().ok()?.to_logical::<f64>(scale);
    let size = window.inner_size().ok()?.to_logical::<f64>(scale);
    Some(Rect {
        x: pos.x,
        y: pos.y,
        width: size.width,
        height: size.height,
    })
}
