//! An empty window that prints the same first-render marker as the app.

#[tauri::command]
fn first_render() {
    println!("certdesk:first-render");
}

fn main() {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![first_render])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
