//! Through the real subscriber into the real rotated file: sensitive values never land.
//! (Its own test binary: a global subscriber can be installed once per process.)

#![allow(clippy::unwrap_used)]

use certdesk_core::logging;
use certdesk_core::sensitive::Sensitive;

#[test]
fn log_file_is_written_and_sensitive_fields_are_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let guard = logging::init(dir.path()).unwrap();
    let id_number = Sensitive::new(String::from("11010519491231002X"));
    let phone = Sensitive::new(String::from("13800138000"));
    tracing::info!(?id_number, %phone, handler = "张三", "handler verification started");
    tracing::warn!(applicant = ?(&id_number, "x"), "nested");
    drop(guard); // flushes the non-blocking writer

    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("certdesk.") && name.ends_with(".log"),
        "{name}"
    );
    let text = std::fs::read_to_string(files.remove(0)).unwrap();
    assert!(
        text.contains("handler verification started") && text.contains("张三"),
        "{text}"
    );
    assert!(text.contains("‹redacted›"), "{text}");
    assert!(
        !text.contains("11010519491231002X") && !text.contains("13800138000"),
        "{text}"
    );
}
