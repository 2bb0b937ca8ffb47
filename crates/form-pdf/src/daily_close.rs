//! 日结报告 (daily close report, issue 14 item 3): a point's day — money by method,
//! certificates made, tokens used and spoiled, per operator and for the point — the
//! differences with the supervisor's explanations, and who signed it with which
//! certificate (the signature's fingerprint). Kept with the day's slips.

use crate::FormPdfError;
use crate::layout::{MARGIN, PAGE_W, Pen};

/// One difference as printed: what it is, and the supervisor's explanation.
#[derive(Debug, Clone, Default)]
pub struct ReportDifference {
    pub title: String,
    pub explanation: String,
}

/// Text printed on the report, ready to print; the CA fills it from the close.
#[derive(Debug, Clone, Default)]
pub struct DailyCloseReport {
    /// `北京受理点（BJ01）`.
    pub point: String,
    /// YYYY-MM-DD.
    pub day: String,
    /// `已签署` or `未签署（数字仅供参考）`.
    pub status: String,
    /// The point's figures as label/value pairs.
    pub figures: Vec<(String, String)>,
    /// One line per operator.
    pub operators: Vec<String>,
    pub differences: Vec<ReportDifference>,
    /// Empty while unsigned.
    pub signer: String,
    pub certificate_serial: String,
    pub signed_at: String,
    pub signature_sha256: String,
    pub document_sha256: String,
    pub corrections: Vec<String>,
    pub printed_at: String,
}

/// A page's drawing.
type DrawPage<'a> = Box<dyn Fn(&mut Pen) + 'a>;

/// Differences per continuation page (each takes at most a few wrapped lines).
const PER_PAGE: usize = 8;

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "—" } else { s }
}

/// The report as an A4 PDF: the summary and signature first, the differences after.
pub fn render(r: &DailyCloseReport) -> Result<Vec<u8>, FormPdfError> {
    let chunks: Vec<&[ReportDifference]> = r.differences.chunks(PER_PAGE).collect();
    let first = |pen: &mut Pen| summary(pen, r);
    let rest: Vec<DrawPage<'_>> = chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let c = *c;
            Box::new(move |pen: &mut Pen| differences(pen, i * PER_PAGE, c)) as DrawPage<'_>
        })
        .collect();
    let mut pages: Vec<&dyn Fn(&mut Pen)> = vec![&first];
    pages.extend(rest.iter().map(|b| b.as_ref()));
    crate::layout::document(
        crate::application_form::FONT_ENV,
        &format!("日结 {} {}", r.point, r.day),
        &pages,
    )
}

fn summary(pen: &mut Pen, r: &DailyCloseReport) {
    pen.centred(MARGIN + 24.0, 20.0, "日结报告");
    pen.centred(MARGIN + 44.0, 9.0, "Daily close");
    let mut y = MARGIN + 64.0;
    y = pen.row(y, &[("受理点", &r.point), ("日期", &r.day)]);
    y = pen.row(
        y,
        &[
            ("状态", &r.status),
            ("差异", &r.differences.len().to_string()),
        ],
    );
    y += 12.0;
    y = pen.heading(y, "一、受理点合计");
    for pair in r.figures.chunks(2) {
        let cells: Vec<(&str, &str)> = pair.iter().map(|(l, v)| (l.as_str(), v.as_str())).collect();
        y = pen.row(y, &cells);
    }
    y += 12.0;
    y = pen.heading(y, "二、按操作员");
    let ops = if r.operators.is_empty() {
        "—".to_string()
    } else {
        r.operators.join("\n")
    };
    y = pen.row(y, &[("操作员", &ops)]);
    y += 12.0;
    y = pen.heading(y, "三、签署");
    y = pen.row(
        y,
        &[
            ("主管", or_dash(&r.signer)),
            ("签署时间", or_dash(&r.signed_at)),
        ],
    );
    y = pen.row(y, &[("证书序列号", or_dash(&r.certificate_serial))]);
    y = pen.row(y, &[("签名指纹 SHA-256", or_dash(&r.signature_sha256))]);
    y = pen.row(y, &[("文档摘要 SHA-256", or_dash(&r.document_sha256))]);
    if !r.corrections.is_empty() {
        y += 12.0;
        y = pen.heading(y, "四、签署后更正");
        y = pen.row(y, &[("更正", &r.corrections.join("\n"))]);
    }
    y += 16.0;
    pen.paragraph(
        MARGIN,
        y,
        9.0,
        PAGE_W - 2.0 * MARGIN,
        &format!(
            "差异及说明见后页。签署后的日结不可更改，更正另行登记。打印时间 {}",
            r.printed_at
        ),
    );
}

fn differences(pen: &mut Pen, first: usize, items: &[ReportDifference]) {
    let mut y = MARGIN + 10.0;
    y = pen.heading(y, "差异及说明 Differences");
    for (i, d) in items.iter().enumerate() {
        let title = format!("{}. {}", first + i + 1, d.title);
        y = pen.row(y, &[("差异", &title)]);
        y = pen.row(y, &[("说明", or_dash(&d.explanation))]);
        y += 6.0;
    }
}
