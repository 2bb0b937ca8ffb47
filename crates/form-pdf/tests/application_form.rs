//! The printed form parses as PDF (poppler's `pdfinfo`/`pdftotext`/`pdffonts`, an
//! independent reader), has two pages, carries the applicant's data and embeds its font.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use certdesk_form_pdf::application_form::{ApplicationForm, Handler, render};

fn form() -> ApplicationForm {
    ApplicationForm {
        application_id: "app_0123456789abcdef".into(),
        channel: "沙箱纸质渠道".into(),
        business: "单位证书新办".into(),
        date: "2026-11-21".into(),
        org_name: "永城市示例建设工程有限公司".into(),
        uscc: certdesk_ident::testing::uscc(7),
        org_code: certdesk_ident::testing::org_code(7),
        legal_rep_name: "赵法人".into(),
        legal_rep_id_number: certdesk_ident::testing::resident_id(8),
        legal_rep_phone: "13812345678".into(),
        handler: Some(Handler {
            name: "钱经办".into(),
            id_number: certdesk_ident::testing::resident_id(9),
            phone: "13912345678".into(),
            email: "qian@example.com".into(),
        }),
        common_name: "永城市示例建设工程有限公司".into(),
        location: "河南省商丘市".into(),
        validity_days: 365,
        amount: "¥400.00".into(),
        invoice_title: "永城市示例建设工程有限公司".into(),
        invoice_tax_number: certdesk_ident::testing::uscc(7),
        invoice_email: "qian@example.com".into(),
        recipient: "钱经办".into(),
        recipient_phone: "13912345678".into(),
        // Long enough to wrap inside its cell.
        address: "河南省商丘市永城市产业集聚区公共资源交易中心东侧示例大道一百二十八号示例大厦十八层一八零八室".into(),
        postcode: "476600".into(),
    }
}

fn tool(name: &str, pdf: &std::path::Path, extra: &[&str]) -> String {
    let mut cmd = Command::new(name);
    cmd.args(extra).arg(pdf);
    if name == "pdftotext" {
        cmd.arg("-"); // to stdout
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{name}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn two_pages_with_the_applicants_data_and_an_embedded_subset_font() {
    let f = form();
    let pdf = render(&f).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Subsetted: the font file is megabytes, the form tens of kilobytes.
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("form.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if let Ok(d) = std::env::var("CERTDESK_FORM_SAMPLE_DIR") {
        std::fs::write(std::path::Path::new(&d).join("application-form.pdf"), &pdf).unwrap();
    }

    let info = tool("pdfinfo", &path, &[]);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with(" 2")),
        "{info}"
    );

    let page1 = tool("pdftotext", &path, &["-f", "1", "-l", "1", "-layout"]);
    let page1 = page1.replace(['\u{c}'], "");
    let text = |p: &str| -> String { p.split_whitespace().collect() };
    let flat = text(&page1);
    for want in [
        "单位数字证书申请表",
        f.org_name.as_str(),
        f.uscc.as_str(),
        f.org_code.as_str(),
        f.legal_rep_id_number.as_str(),
        "钱经办",
        "476600",
        "第1页/共2页",
    ] {
        assert!(flat.contains(want), "page 1 lacks {want}: {page1}");
    }
    // The wrapped address is all there, in order, across its lines.
    assert!(flat.contains("示例大厦十八层一八零八室"), "{page1}");

    let page2 = text(&tool("pdftotext", &path, &["-f", "2", "-l", "2"]));
    for want in ["申请单位声明", "盖公章", "受理点填写", "第2页/共2页"] {
        assert!(page2.contains(want), "page 2 lacks {want}: {page2}");
    }

    let fonts = tool("pdffonts", &path, &[]);
    let font_row = fonts.lines().nth(2).unwrap_or_default();
    // Embedded ("yes") and subsetted (an ABCDEF+ prefix).
    assert!(
        font_row.contains('+') && font_row.contains("yes"),
        "{fonts}"
    );
}

#[test]
fn legal_rep_in_person_prints_no_handler() {
    let mut f = form();
    f.handler = None;
    let pdf = render(&f).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("form.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let t: String = tool("pdftotext", &path, &["-f", "1", "-l", "1"])
        .split_whitespace()
        .collect();
    assert!(t.contains("法定代表人本人办理"), "{t}");
    assert!(
        !t.contains("经办人姓名") && !t.contains("经办人身份证号"),
        "{t}"
    );
}

/// The counter receipt (受理回执) has the same reader-checked shape: one page, the facts.
#[test]
fn the_counter_receipt_is_one_page_with_the_points_facts() {
    use certdesk_form_pdf::counter_receipt::{self, CounterReceipt};
    let r = CounterReceipt {
        application_id: "app_0123456789abcdef".into(),
        order_number: "202612060042".into(),
        case_id: "case_42".into(),
        organisation: "永城市示例建设工程有限公司".into(),
        business: "单位证书新办".into(),
        documents: vec!["营业执照".into(), "经办人身份证".into()],
        amount: "¥400.00".into(),
        payment: "POS 刷卡，签购单号 SLIP-778899".into(),
        token_serial: "a1b2c3d4e5f60718".into(),
        certificate_serial: "7f00aa".into(),
        point: "北京受理点（BJ01）".into(),
        operators: "受理 op_clerk；审核 op_rev；制证 op_maker".into(),
        printed_at: "2026-12-06 11:30".into(),
        opened_at: "2026-12-06 11:02".into(),
        handed_over_at: "2026-12-06 11:28".into(),
    };
    let pdf = counter_receipt::render(&r).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("receipt.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let info = tool("pdfinfo", &path, &[]);
    assert!(info.contains("Pages:           1"), "{info}");
    let t: String = tool("pdftotext", &path, &[]).split_whitespace().collect();
    for want in [
        "受理回执",
        "202612060042",
        "永城市示例建设工程有限公司",
        "营业执照",
        "经办人身份证",
        "¥400.00",
        "SLIP-778899",
        "a1b2c3d4e5f60718",
        "op_maker",
        "BJ01",
        "2026-12-0611:30",
    ] {
        assert!(t.contains(want), "receipt lacks {want}: {t}");
    }
}

/// Page 1 as a grey-scale raster (poppler's `pdftoppm`, binary PGM) at `dpi`.
fn raster(pdf: &std::path::Path, dpi: u32) -> (usize, usize, Vec<u8>) {
    let out = Command::new("pdftoppm")
        .args(["-gray", "-f", "1", "-l", "1", "-r", &dpi.to_string()])
        .arg(pdf)
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftoppm: {out:?}");
    // "P5\n<w> <h>\n255\n" then the pixels.
    let data = out.stdout;
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while data[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !data[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8(data[start..at].to_vec()).unwrap());
    }
    assert_eq!(fields[0], "P5");
    let (w, h) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, data[at + 1..].to_vec())
}

#[test]
fn page_one_carries_the_order_qr_code_a_scanner_reads_back() {
    use certdesk_form_pdf::application_form::{ORDER_QR, order_qr};
    let f = form();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("form.pdf");
    std::fs::write(&path, render(&f).unwrap()).unwrap();

    // Read every module's centre off the printed page, as a scanner would see it, and
    // compare with the QR code of the order id made independently here.
    let dpi = 288;
    let (w, _h, px) = raster(&path, dpi);
    let scale = dpi as f32 / 72.0;
    let (x, y, side) = ORDER_QR;
    let code = qrcode::QrCode::with_error_correction_level(
        f.application_id.as_bytes(),
        qrcode::EcLevel::M,
    )
    .unwrap();
    let n = code.width();
    let m = side / n as f32;
    let colors = code.to_colors();
    let mut wrong = 0;
    for row in 0..n {
        for col in 0..n {
            let cx = ((x + (col as f32 + 0.5) * m) * scale) as usize;
            let cy = ((y + (row as f32 + 0.5) * m) * scale) as usize;
            let printed_dark = px[cy * w + cx] < 128;
            if printed_dark != (colors[row * n + col] == qrcode::Color::Dark) {
                wrong += 1;
            }
        }
    }
    assert_eq!(wrong, 0, "{wrong} of {} modules differ", n * n);
    // The quiet zone a scanner needs: a white border of at least two modules.
    for i in 0..n + 4 {
        let edge = x - 2.0 * m + i as f32 * m;
        for (px_x, px_y) in [(edge, y - 1.5 * m), (x - 1.5 * m, edge - x + y)] {
            let v = px[(px_y * scale) as usize * w + (px_x * scale) as usize];
            assert!(v > 200, "dark pixel in the quiet zone at ({px_x}, {px_y})");
        }
    }
    // The helper agrees with the independent code.
    let (side_modules, dark) = order_qr(&f.application_id).unwrap();
    assert_eq!(side_modules, n);
    assert_eq!(
        dark.iter().filter(|d| **d).count(),
        colors.iter().filter(|c| **c == qrcode::Color::Dark).count()
    );
    let page1 = tool("pdftotext", &path, &["-f", "1", "-l", "1"]);
    assert!(page1.contains("受理点扫码办理"), "{page1}");
}
