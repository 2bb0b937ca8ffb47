//! `certdesk://` links from the OS: the first launch's argument waits until the page
//! asks for it (`pending_link`); later ones — a second launch forwarded by the
//! single-instance plugin, or the OS's open-URL event — are emitted as `link-opened`
//! and the window is brought to the front.

use std::sync::Mutex;

use certdesk_ipc::{IpcError, LINK_OPENED, LinkOpened};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::error::poisoned;

/// The scheme registered with the OS (the `plugins.deep-link` config names it too).
pub const SCHEME: &str = "certdesk";

#[derive(Default)]
pub struct PendingLink(Mutex<Option<String>>);

impl PendingLink {
    pub fn take(&self) -> Result<Option<String>, IpcError> {
        Ok(self.0.lock().map_err(|_| poisoned())?.take())
    }
}

fn is_ours(url: &str) -> bool {
    url.strip_prefix(SCHEME)
        .is_some_and(|rest| rest.starts_with("://"))
}

/// The link among a launch's arguments, if any.
pub fn in_args<S: AsRef<str>>(args: &[S]) -> Option<String> {
    args.iter()
        .map(AsRef::as_ref)
        .find(|a| is_ours(a))
        .map(str::to_owned)
}

/// Keeps the start-up link for the page.
pub fn remember<R: Runtime>(app: &AppHandle<R>, url: String) {
    if let Ok(mut slot) = app.state::<PendingLink>().0.lock() {
        *slot = Some(url);
    }
}

/// A link while running: the window comes to the front and the page opens the order.
pub fn deliver<R: Runtime>(app: &AppHandle<R>, url: String) {
    if !is_ours(&url) {
        return;
    }
    if let Some(w) = app.get_webview_window(crate::window::MAIN) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
    if let Err(e) = app.emit(LINK_OPENED, LinkOpened { url }) {
        tracing::warn!(error = %e, "could not hand a link to the page");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn finds_the_link_among_arguments() {
        assert_eq!(
            in_args(&["/usr/bin/certdesk", "certdesk://orders/app_1"]),
            Some("certdesk://orders/app_1".into())
        );
        assert_eq!(in_args(&["/usr/bin/certdesk", "--verbose"]), None);
        assert_eq!(in_args(&["certdeskx://orders/app_1"]), None);
    }
}
