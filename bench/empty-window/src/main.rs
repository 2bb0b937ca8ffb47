//! An empty window that prints the same first-render marker and start-up phases as the
//! app (src-tauri/startup.rs), as far as it has them.

use std::time::{SystemTime, UNIX_EPOCH};

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

#[tauri::command]
fn first_render(navigation_ms: f64, script_ms: f64, modules_ms: f64, painted_ms: f64) {
    println!("certdesk:phase page_navigation {navigation_ms:.3}");
    println!("certdesk:phase page_script {script_ms:.3}");
    println!("certdesk:phase page_modules {modules_ms:.3}");
    println!("certdesk:phase page_painted {painted_ms:.3}");
    println!("certdesk:first-render");
}

fn main() {
    println!("certdesk:phase main {:.3}", now_ms());
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![first_render])
        .setup(|_| {
            println!("certdesk:phase setup {:.3}", now_ms());
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
