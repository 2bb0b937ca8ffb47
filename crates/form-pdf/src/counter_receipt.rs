//! 受理回执 (counter receipt, issue 13 item 7): what the point received and did for a
//! walk-in — the application, the documents, the fee and how it was paid, the token
//! handed over, who served it, where and when. One page, given to the applicant.

use certdesk_ca_api::channel::DocumentKind;

use crate::FormPdfError;
use crate::layout::{MARGIN, PAGE_W, Pen};

/// Text printed on the receipt, ready to print; the CA fills it from the case. Holds no
/// identity number: the receipt leaves the point with the applicant.
#[derive(Debug, Clone, Default)]
pub struct CounterReceipt {
    pub application_id: String,
    /// The order number people quote (the application's number, its id where it has none).
    pub order_number: String,
    pub case_id: String,
    pub organisation: String,
    pub business: String,
    /// The documents received (one line each, e.g. `营业执照（已核验原件）`).
    pub documents: Vec<String>,
    /// e.g. `¥400.00`.
    pub amount: String,
    /// How it was paid, with the slip or receipt number, e.g. `POS 刷卡，签购单号 …`.
    pub payment: String,
    /// Empty until a token is made for the case.
    pub token_serial: String,
    pub certificate_serial: String,
    /// `受理点名称（BJ01）`.
    pub point: String,
    /// Operator numbers with their part, e.g. `受理 op_1；审核 op_2；制证 op_3`.
    pub operators: String,
    /// When the receipt was printed (the CA's clock), and when the case was opened.
    pub printed_at: String,
    pub opened_at: String,
    pub handed_over_at: String,
}

/// The receipt as a one-page A4 PDF; the font as for the application form.
pub fn render(r: &CounterReceipt) -> Result<Vec<u8>, FormPdfError> {
    crate::layout::document(
        crate::application_form::FONT_ENV,
        &format!("订单号 {}", r.application_id),
        &[&|pen: &mut Pen| page(pen, r)],
    )
}

/// A received document's name as the receipt prints it.
pub fn document_name(k: DocumentKind) -> &'static str {
    match k {
        DocumentKind::BusinessLicence => "营业执照",
        DocumentKind::HandlerIdCard => "经办人身份证件",
        DocumentKind::LegalRepIdCard => "法定代表人身份证件",
        DocumentKind::AuthorisationLetter => "授权委托书",
        DocumentKind::ApplicationForm => "单位数字证书申请表",
        DocumentKind::Other => "其他材料",
    }
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "—" } else { s }
}

fn page(pen: &mut Pen, r: &CounterReceipt) {
    pen.centred(MARGIN + 24.0, 20.0, "受理回执");
    pen.centred(MARGIN + 44.0, 9.0, "Counter receipt");
    let mut y = MARGIN + 64.0;
    y = pen.row(y, &[("订单号", &r.order_number), ("受理编号", &r.case_id)]);
    y = pen.row(y, &[("申请单位", &r.organisation)]);
    y = pen.row(y, &[("业务类型", &r.business), ("受理点", &r.point)]);
    y += 12.0;
    y = pen.heading(y, "一、收取材料");
    let docs = if r.documents.is_empty() {
        "—".to_string()
    } else {
        r.documents.join("\n")
    };
    y = pen.row(y, &[("材料", &docs)]);
    y += 12.0;
    y = pen.heading(y, "二、费用");
    y = pen.row(y, &[("金额", &r.amount), ("支付方式", or_dash(&r.payment))]);
    y += 12.0;
    y = pen.heading(y, "三、制证与交付");
    y = pen.row(
        y,
        &[
            ("USBKey 序列号", or_dash(&r.token_serial)),
            ("证书序列号", or_dash(&r.certificate_serial)),
        ],
    );
    y = pen.row(y, &[("交付时间", or_dash(&r.handed_over_at))]);
    y += 12.0;
    y = pen.heading(y, "四、经办");
    y = pen.row(y, &[("操作员编号", &r.operators)]);
    y = pen.row(
        y,
        &[("受理时间", &r.opened_at), ("打印时间", &r.printed_at)],
    );
    y += 24.0;
    pen.paragraph(
        MARGIN,
        y,
        9.0,
        PAGE_W - 2.0 * MARGIN,
        "请妥善保管本回执及 USBKey。证书口令仅由您本人在客户屏设置，受理点工作人员不会询问您的口令。",
    );
}
