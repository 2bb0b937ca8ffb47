//! The customer-facing window (顾客屏): where the applicant sets their own USBKey PIN and
//! types the hand-over code while a token is made at the counter. It goes to a display
//! of its own when there is one and stays there between cases; on a single display it
//! covers the operator's screen from the first question until the applicant is done (the
//! clerk turns the screen around) and closes again after.

use std::sync::Arc;
use std::time::Duration;

use certdesk_core::counter::{CustomerDesk, CustomerScreen};
use certdesk_core::window::customer_screen;
use certdesk_ipc::{CUSTOMER_CHANGED, CustomerWindowView};
use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

use crate::window;

pub const CUSTOMER: &str = "customer";

/// How long a single display shows the applicant "done" or "paid" before it is the
/// operator's again.
const DONE_SHOWN: Duration = Duration::from_secs(4);

/// The rendezvous between the making task and the customer window.
#[derive(Default)]
pub struct Desk(pub Arc<CustomerDesk>);

/// A screen the applicant must see: a question, or the payment code to scan.
fn asks(screen: &CustomerScreen) -> bool {
    matches!(
        screen,
        CustomerScreen::Pin { .. } | CustomerScreen::Code { .. } | CustomerScreen::Pay { .. }
    )
}

/// Nothing for the applicant to follow: on a single display the screen goes back to the
/// operator. (`Working` stays: between a refused answer and the next question, or while
/// the code is checked, the window would otherwise flicker.)
fn idle(screen: &CustomerScreen) -> bool {
    matches!(
        screen,
        CustomerScreen::Welcome | CustomerScreen::Done | CustomerScreen::Paid { .. }
    )
}

/// The display for the customer window, if the operator's window leaves one free.
fn own_display(app: &AppHandle) -> Option<certdesk_core::window::Rect> {
    let main = app.get_webview_window(window::MAIN)?;
    let scale = main.scale_factor().ok()?;
    let pos = main.outer_position().ok()?.to_logical::<f64>(scale);
    let size = main.outer_size().ok()?.to_logical::<f64>(scale);
    let operator = certdesk_core::window::Rect {
        x: pos.x,
        y: pos.y,
        width: size.width,
        height: size.height,
    };
    customer_screen(&window::screens(app), &operator)
}

/// Opens the customer window (or brings it forward): full screen on its own display, else
/// full screen over the operator's.
pub fn open(app: &AppHandle) -> tauri::Result<CustomerWindowView> {
    let display = own_display(app);
    if let Some(w) = app.get_webview_window(CUSTOMER) {
        let _ = w.set_focus();
        return Ok(view(Some(&w), display.is_some()));
    }
    let mut builder =
        WebviewWindowBuilder::new(app, CUSTOMER, WebviewUrl::App("customer.html".into()))
            .title("证书助手 · 请您操作 CertDesk · for the applicant")
            .initialization_script(window::boot_script(app))
            .decorations(false)
            .fullscreen(true);
    if let Some(d) = display {
        builder = builder.position(d.x, d.y).inner_size(d.width, d.height);
    }
    let w = builder.build()?;
    Ok(view(Some(&w), display.is_some()))
}

/// Closes the customer window.
pub fn close(app: &AppHandle) -> CustomerWindowView {
    if let Some(w) = app.get_webview_window(CUSTOMER) {
        let _ = w.close();
    }
    view(None, own_display(app).is_some())
}

fn view(w: Option<&WebviewWindow>, own_display: bool) -> CustomerWindowView {
    CustomerWindowView {
        open: w.is_some(),
        own_display,
    }
}

/// Forwards every screen change to both windows and opens or closes the customer window
/// as the screen needs it.
pub fn spawn_forwarder(app: AppHandle) {
    let mut screens = app.state::<Desk>().0.subscribe();
    tauri::async_runtime::spawn(async move {
        while screens.changed().await.is_ok() {
            let screen = screens.borrow_and_update().clone();
            if asks(&screen) {
                if let Err(e) = open(&app) {
                    tracing::warn!(error = %e, "the customer window did not open");
                }
            } else if idle(&screen)
                && own_display(&app).is_none()
                && app.get_webview_window(CUSTOMER).is_some()
            {
                // "Done" stays a moment for the applicant to read; a welcome goes at once.
                let app = app.clone();
                let linger = match screen {
                    CustomerScreen::Done | CustomerScreen::Paid { .. } => DONE_SHOWN,
                    _ => Duration::ZERO,
                };
                tauri::async_runtime::spawn(async move {
                    tokio::time::sleep(linger).await;
                    if idle(&app.state::<Desk>().0.screen()) {
                        close(&app);
                    }
                });
            }
            if let Err(e) = app.emit(CUSTOMER_CHANGED, &screen) {
                tracing::warn!(error = %e, "customer screen change not sent");
            }
        }
    });
}
