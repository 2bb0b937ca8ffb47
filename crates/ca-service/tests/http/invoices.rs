use std::process::Command;

use certdesk_ca_api::ProblemCode;
use certdesk_ca_service::sandbox_flow;

use crate::common::*;

fn tool(name: &str, args: &[&str], file: &std::path::Path) -> String {
    let out = Command::new(name)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|_| {
            panic!("{name} must be installed (poppler-utils, see xtask/deps/apt.txt)")
        });
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test]
async fn payment_issues_a_pdf_invoice_with_embedded_cjk_font() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let app = sandbox_flow::submitted(&c, &p, "sandbox-rsa")
        .await
        .unwrap();
    assert!(c.invoices(&app.id).await.unwrap().is_empty());
    sandbox_flow::paid(&c, &app.id).await.unwrap();
    let list = c.invoices(&app.id).await.unwrap();
    assert_eq!(list.len(), 1);
    let inv = &list[0];
    assert_eq!(inv.amount_fen, 40000);
    assert_eq!(inv.tax_number, p.company.uscc);
    assert_eq!(inv.email, p.handler.email);
    let mail = c.sandbox_outbox(Some(&p.handler.email)).await.unwrap();
    assert!(mail.items.iter().any(|m| m.subject.contains(&inv.number)
        && m.body.contains(&format!("/v1/invoices/{}/pdf", inv.id))));

    let pdf = c.invoice_pdf(&inv.id).await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        pdf.len() < 200_000,
        "font must be subsetted, got {} bytes",
        pdf.len()
    );
    let tmp = tempfile::TempDir::new().unwrap();
    let f = tmp.path().join("invoice.pdf");
    std::fs::write(&f, &pdf).unwrap();
    let fonts = tool("pdffonts", &[], &f);
    let font_line = fonts
        .lines()
        .find(|l| l.contains("WenQuanYi"))
        .unwrap_or_else(|| panic!("{fonts}"));
    // emb yes, sub yes
    assert!(
        font_line.split_whitespace().filter(|w| *w == "yes").count() >= 2,
        "{fonts}"
    );
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&f)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "电子发票",
        inv.number.as_str(),
        "¥400.00",
        p.company.uscc.as_str(),
        p.company.name.as_str(),
        "单位证书新办",
    ] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }

    // Resend to another address; strangers get 404; bad addresses 422.
    let again = c
        .resend_invoice(&inv.id, "finance@example.com")
        .await
        .unwrap();
    assert_eq!(again.id, inv.id);
    let mail = c.sandbox_outbox(Some("finance@example.com")).await.unwrap();
    assert_eq!(mail.items.len(), 1);
    let e = c.resend_invoice(&inv.id, "not-mail").await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::ValidationFailed));
    let (stranger, _) = ca.signed_in(seed()).await;
    assert_eq!(
        stranger.invoice_pdf(&inv.id).await.unwrap_err().code(),
        Some(ProblemCode::NotFound)
    );
    assert_eq!(
        stranger.invoices(&app.id).await.unwrap_err().code(),
        Some(ProblemCode::NotFound)
    );
}
