//! The daily close as the printed report (日结报告), in Chinese as the point files it.

use certdesk_ca_api::close::{
    CloseDifference, CloseFigures, CloseMethod, CloseStatus, DailyClose, DifferenceKind,
};
use certdesk_form_pdf::application_form::yuan;
use certdesk_form_pdf::daily_close::{DailyCloseReport, ReportDifference};

/// An RFC 3339 time of the close in Beijing time, as the point prints (as given when
/// unreadable).
fn beijing_text(rfc3339: &str) -> String {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(|t| crate::workflow::receipt::beijing(t.unix_timestamp()))
        .unwrap_or_else(|_| rfc3339.to_string())
}

fn method_name(m: CloseMethod) -> &'static str {
    match m {
        CloseMethod::Pos => "POS 刷卡",
        CloseMethod::Cash => "现金",
        CloseMethod::Wechat => "微信支付",
        CloseMethod::Alipay => "支付宝",
        CloseMethod::Online => "线上已付",
    }
}

fn kind_name(k: DifferenceKind) -> &'static str {
    match k {
        DifferenceKind::PaidNotMade => "已收款未制证",
        DifferenceKind::MadeNotPaid => "已制证未收款",
        DifferenceKind::MadeOffStock => "制证所用 USBKey 不在库存",
        DifferenceKind::StockMadeNoCase => "库存记为已制证但无对应受理",
        DifferenceKind::TokenSpoiled => "USBKey 报废",
        DifferenceKind::TokenReturned => "USBKey 退回",
    }
}

fn figures(f: &CloseFigures) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = f
        .payments
        .iter()
        .map(|p| {
            (
                method_name(p.method).to_string(),
                format!("{} 笔 {}", p.count, yuan(p.amount_fen)),
            )
        })
        .collect();
    out.push(("收款合计".into(), yuan(f.paid_fen)));
    out.push(("制证".into(), format!("{} 张", f.certificates_made)));
    out.push((
        "USBKey 出库".into(),
        format!(
            "制证 {} / 报废 {} / 退回 {}",
            f.tokens_made, f.tokens_spoiled, f.tokens_returned
        ),
    ));
    out
}

fn one_line(f: &CloseFigures) -> String {
    format!(
        "收款 {}（{} 笔），制证 {} 张，USBKey 制证 {} / 报废 {} / 退回 {}",
        yuan(f.paid_fen),
        f.payments.iter().map(|p| p.count).sum::<u32>(),
        f.certificates_made,
        f.tokens_made,
        f.tokens_spoiled,
        f.tokens_returned
    )
}

fn difference(d: &CloseDifference) -> ReportDifference {
    let mut facts = vec![kind_name(d.kind).to_string()];
    let named = [
        ("操作员", &d.operator_id),
        ("受理", &d.case_id),
        ("订单", &d.application_id),
        ("USBKey", &d.token_serial),
        ("备注", &d.note),
    ];
    for (label, v) in named {
        if let Some(v) = v {
            facts.push(format!("{label} {v}"));
        }
    }
    if let Some(fen) = d.amount_fen {
        facts.push(format!("金额 {}", yuan(fen)));
    }
    ReportDifference {
        title: facts.join("；"),
        explanation: d.explanation.clone().unwrap_or_default(),
    }
}

/// The report of `close` at the point named `point_name`, printed at `printed_at`.
pub fn of_close(close: &DailyClose, point_name: &str, printed_at: String) -> DailyCloseReport {
    let doc = &close.document;
    let sig = close.signature.as_ref();
    let text =
        |f: fn(&certdesk_ca_api::close::CloseSignature) -> String| sig.map(f).unwrap_or_default();
    DailyCloseReport {
        point: format!("{point_name}（{}）", doc.point_id),
        day: doc.day.clone(),
        status: match close.status {
            CloseStatus::Signed => "已签署".into(),
            CloseStatus::Open => "未签署（数字仅供参考）".into(),
        },
        figures: figures(&doc.point),
        operators: doc
            .operators
            .iter()
            .map(|o| format!("{} {}：{}", o.operator_id, o.name, one_line(&o.figures)))
            .collect(),
        differences: doc.differences.iter().map(difference).collect(),
        signer: text(|s| format!("{} {}", s.operator_id, s.operator_name)),
        certificate_serial: text(|s| s.certificate_serial.clone()),
        signed_at: text(|s| beijing_text(&s.signed_at)),
        signature_sha256: text(|s| s.signature_sha256.clone()),
        document_sha256: text(|s| s.document_sha256.clone()),
        corrections: close
            .corrections
            .iter()
            .map(|c| format!("{} {}：{}", beijing_text(&c.at), c.operator_id, c.text))
            .collect(),
        printed_at,
    }
}
