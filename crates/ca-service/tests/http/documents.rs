use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::*;
use certdesk_ca_api::channel::DocumentKind;
use sha2::{Digest, Sha256};

use crate::common::*;

async fn draft(ca: &Ca) -> (certdesk_ca_client::CaClient, Application) {
    let (c, p) = ca.signed_in(seed()).await;
    let app = c
        .create_application(&p.new_org_on("sandbox-rsa"), None)
        .await
        .unwrap();
    (c, app)
}

#[tokio::test]
async fn upload_records_type_by_content_and_sha256() {
    let ca = Ca::start();
    let (c, app) = draft(&ca).await;
    let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n".to_vec();
    // Declared as .png: the server decides by content.
    let d = c
        .upload_document(
            &app.id,
            DocumentKind::BusinessLicence,
            "licence.png",
            pdf.clone(),
        )
        .await
        .unwrap();
    assert_eq!(d.content_type, "application/pdf");
    assert_eq!(d.size, pdf.len() as u64);
    assert_eq!(d.sha256, hex::encode(Sha256::digest(&pdf)));
    let stored = std::fs::read(ca.dir.join("documents").join(&d.sha256)).unwrap();
    assert_eq!(stored, pdf);
    let app = c.application(&app.id).await.unwrap();
    assert_eq!(app.documents.len(), 1);
    // RSA channel also needs the handler's ID card before Documents is valid.
    assert_eq!(
        certdesk_ca_service::sandbox_flow::requirement(&app, RequirementKind::Documents),
        RequirementStatus::Pending
    );
    let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0u8; 32]].concat();
    let d = c
        .upload_document(&app.id, DocumentKind::HandlerIdCard, "id.jpg", jpeg)
        .await
        .unwrap();
    assert_eq!(d.content_type, "image/jpeg");
    let app = c.application(&app.id).await.unwrap();
    assert_eq!(
        certdesk_ca_service::sandbox_flow::requirement(&app, RequirementKind::Documents),
        RequirementStatus::Valid
    );
}

#[tokio::test]
async fn disguised_and_oversized_uploads_are_refused() {
    let ca = Ca::start();
    let (c, app) = draft(&ca).await;
    // An ELF executable named like a PDF.
    let elf = [&b"\x7fELF\x02\x01\x01"[..], &[0u8; 64]].concat();
    let e = c
        .upload_document(&app.id, DocumentKind::BusinessLicence, "licence.pdf", elf)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::UnsupportedMediaType));
    assert_eq!(e.problem().unwrap().status, 415);
    let big = [&b"%PDF-1.4\n"[..], &vec![b'x'; 5 * 1024 * 1024 + 1]].concat();
    let e = c
        .upload_document(&app.id, DocumentKind::BusinessLicence, "big.pdf", big)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::PayloadTooLarge), "{e}");
    // Unknown document kind.
    let r = raw(ca
        .http()
        .post(format!("{}/v1/applications/{}/documents", ca.url, app.id))
        .header("authorization", bearer(&c))
        .multipart(
            reqwest::multipart::Form::new()
                .text("kind", "passport")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(b"%PDF-1.4".to_vec()).file_name("a.pdf"),
                ),
        ))
    .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "kind");
    assert!(c.application(&app.id).await.unwrap().documents.is_empty());
}

#[tokio::test]
async fn ocr_reports_availability_and_never_blocks() {
    let ca = Ca::start();
    let (c, _) = draft(&ca).await;
    let r = c
        .ocr_business_licence(
            "licence.png",
            certdesk_ca_service::sandbox_flow::png_bytes(),
        )
        .await
        .unwrap();
    // A blank image: nothing recognised; availability reflects the installed tesseract.
    assert_eq!(r.available, certdesk_ca_service::ocr::available().await);
    assert!(
        r.suggestions
            .iter()
            .filter(|s| s.field == "uscc")
            .all(|s| !s.valid || certdesk_ident::uscc(&s.value).is_ok())
    );
    let e = c
        .ocr_business_licence("a.pdf", b"%PDF-1.4".to_vec())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::UnsupportedMediaType));
}

fn licence_png(dir: &std::path::Path, lines: &[String]) -> Vec<u8> {
    certdesk_ca_service::sandbox_flow::licence_png(dir, lines).unwrap()
}

#[tokio::test]
async fn ocr_suggests_a_checked_uscc_from_a_licence_image() {
    if !certdesk_ca_service::ocr::available().await {
        panic!("tesseract with chi_sim must be installed (xtask/deps/apt.txt)");
    }
    let ca = Ca::start();
    let (c, _) = draft(&ca).await;
    let tmp = tempfile::TempDir::new().unwrap();
    let good = certdesk_ident::testing::uscc(42);
    let png = licence_png(
        tmp.path(),
        &[
            "营业执照".into(),
            format!("统一社会信用代码 {good}"),
            "名称：北京示例科技有限公司".into(),
        ],
    );
    let r = c.ocr_business_licence("licence.png", png).await.unwrap();
    assert!(r.available);
    let u = r
        .suggestions
        .iter()
        .find(|s| s.field == "uscc")
        .unwrap_or_else(|| panic!("{:?}", r.suggestions));
    assert_eq!(u.value, good);
    assert!(u.valid);
    // The same licence with a wrong check character: suggested, but never as valid.
    let bad = certdesk_ident::testing::uscc_bad_check(42);
    let png = licence_png(
        tmp.path(),
        &["营业执照".into(), format!("统一社会信用代码 {bad}")],
    );
    let r = c.ocr_business_licence("licence.png", png).await.unwrap();
    assert!(
        r.suggestions
            .iter()
            .filter(|s| s.field == "uscc")
            .all(|s| !s.valid),
        "{:?}",
        r.suggestions
    );
}
