//! E-invoice PDF (电子发票) with an embedded, subsetted CJK font (krilla subsets fonts;
//! found by `certdesk_form_pdf::font`: `CERTDESK_CA_INVOICE_FONT`, then Debian's
//! fonts-wqy-microhei or the platform's own).

use certdesk_ca_api::payment::Invoice;
use certdesk_form_pdf::font;
use krilla::Document;
use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::TextDirection;

pub const DEFAULT_FONT: &str = font::WQY_MICROHEI;

#[derive(Debug, thiserror::Error)]
pub enum InvoicePdfError {
    #[error(transparent)]
    Font(#[from] font::FontError),
    #[error("PDF: {0}")]
    Pdf(String),
}

pub fn yuan(fen: u64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

pub fn render(inv: &Invoice, business: &str) -> Result<Vec<u8>, InvoicePdfError> {
    let font = font::cjk("CERTDESK_CA_INVOICE_FONT")?;
    let mut doc = Document::new();
    let settings = PageSettings::from_wh(595.0, 420.0)
        .ok_or_else(|| InvoicePdfError::Pdf("page size".into()))?;
    let mut page = doc.start_page_with(settings);
    let mut s = page.surface();
    let date = inv.issued_at.get(..10).unwrap_or_default();
    let lines = [
        (22.0, "电子发票（沙箱）  E-invoice (sandbox)".to_string()),
        (12.0, format!("发票号码 Invoice number：{}", inv.number)),
        (12.0, format!("开票日期 Date：{date}")),
        (12.0, format!("购买方 Buyer：{}", inv.title)),
        (12.0, format!("纳税人识别号 Tax number：{}", inv.tax_number)),
        (12.0, format!("项目 Item：数字证书服务费（{business}）")),
        (14.0, format!("价税合计 Total：{}", yuan(inv.amount_fen))),
        (
            12.0,
            "销售方 Seller：证书助手参考CA（沙箱） CertDesk reference CA".to_string(),
        ),
        (10.0, format!("订单 Application：{}", inv.application_id)),
    ];
    let mut y = 50.0;
    for (size, text) in lines {
        s.draw_text(
            Point::from_xy(40.0, y),
            font.clone(),
            size,
            &text,
            false,
            TextDirection::Auto,
        );
        y += size * 2.2;
    }
    s.finish();
    page.finish();
    doc.finish()
        .map_err(|e| InvoicePdfError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_small_pdf_with_the_facts() {
        let inv = Invoice {
            id: "inv_x".into(),
            number: "2026112112345678".into(),
            application_id: "app_x".into(),
            title: "北京示例科技有限公司".into(),
            tax_number: certdesk_ident::testing::uscc(1),
            amount_fen: 40_050,
            email: "a@example.com".into(),
            issued_at: "2026-11-21T13:00:00Z".into(),
        };
        let pdf = render(&inv, "单位证书新办").unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() < 200_000);
        assert_eq!(yuan(40_050), "¥400.50");
        if let Ok(dir) = std::env::var("CERTDESK_INVOICE_SAMPLE_DIR") {
            std::fs::write(std::path::Path::new(&dir).join("invoice.pdf"), &pdf).unwrap();
        }
    }
}
