//! What both benches need (a directory, so cargo does not take it for a bench).

use std::process::Command;

/// A CSR (`/CN=bench`) made by openssl with the key options `newkey`, key in `k.pem`.
pub fn openssl_csr(dir: &std::path::Path, newkey: &[&str]) -> String {
    let mut args = vec![
        "req",
        "-new",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "c.pem",
        "-subj",
        "/CN=bench",
    ];
    args.extend_from_slice(newkey);
    let out = Command::new("openssl")
        .args(&args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(out.status.success());
    std::fs::read_to_string(dir.join("c.pem")).unwrap()
}
