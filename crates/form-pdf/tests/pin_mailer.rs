//! The PIN mailers parse as PDF (poppler, an independent reader): a page per token,
//! each with its own case, serial and PIN, and the PIN inside the cover area's text.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use certdesk_form_pdf::pin_mailer::{PinMailerPage, render};

fn pdftotext(pdf: &std::path::Path, page: u32) -> String {
    let out = Command::new("pdftotext")
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_page_per_token_with_its_own_serial_and_pin() {
    let tokens = [
        ("case_a1", "0175a457bd9ca34e", "48213957"),
        ("case_b2", "53a23ee202ca8c5e", "90571386"),
    ];
    let pages: Vec<PinMailerPage> = tokens
        .iter()
        .map(|(case, serial, pin)| PinMailerPage {
            case_id: case,
            order_number: "202612070001",
            organisation: "北京示例科技有限公司",
            token_serial: serial,
            pin,
            printed_at: "2026-12-07 10:00",
        })
        .collect();
    let pdf = render("批次 7", &pages).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mailers.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if let Ok(d) = std::env::var("CERTDESK_FORM_SAMPLE_DIR") {
        std::fs::write(std::path::Path::new(&d).join("pin-mailers.pdf"), &pdf).unwrap();
    }
    let info = Command::new("pdfinfo").arg(&path).output().unwrap();
    let info = String::from_utf8(info.stdout).unwrap();
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.ends_with(" 2")),
        "{info}"
    );
    for (i, (case, serial, pin)) in tokens.iter().enumerate() {
        let text: String = pdftotext(&path, i as u32 + 1)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(text.contains("密码函"), "{text}");
        assert!(text.contains(case) && text.contains(serial), "{text}");
        assert!(text.contains(pin), "the PIN is printed: {text}");
        let (_, other_serial, other_pin) = tokens[1 - i];
        assert!(!text.contains(other_serial) && !text.contains(other_pin));
    }
}
