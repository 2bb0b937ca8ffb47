//! 密码函 (PIN mailer, issue 14 item 1): the initial PIN of a USBKey made in a batch,
//! without its holder, one page per token. The PIN sits in a cover area — printed on
//! mailer stock it goes under the scratch-off or seal label; on plain paper the page is
//! folded along the line so the PIN is inside — with the case, the order and the token
//! serial outside, so the right mailer goes with the right key. Rendered in the app
//! only: the PIN never leaves the machine that set it.

use crate::FormPdfError;
use crate::layout::{MARGIN, PAGE_W, Pen};

/// One token's mailer.
pub struct PinMailerPage<'a> {
    pub case_id: &'a str,
    pub order_number: &'a str,
    pub organisation: &'a str,
    pub token_serial: &'a str,
    pub pin: &'a str,
    /// When it was printed, as the point's clock says.
    pub printed_at: &'a str,
}

/// The mailers as one PDF, a page each; `batch` (e.g. `批次 7`) is in each footer.
pub fn render(batch: &str, pages: &[PinMailerPage<'_>]) -> Result<Vec<u8>, FormPdfError> {
    let draws: Vec<_> = pages
        .iter()
        .map(|p| move |pen: &mut Pen| page(pen, p))
        .collect();
    let refs: Vec<&dyn Fn(&mut Pen)> = draws.iter().map(|d| d as &dyn Fn(&mut Pen)).collect();
    crate::layout::document(crate::application_form::FONT_ENV, batch, &refs)
}

/// Height of the cover area.
const COVER_H: f32 = 96.0;

fn page(pen: &mut Pen, p: &PinMailerPage<'_>) {
    pen.centred(MARGIN + 24.0, 20.0, "USBKey 密码函");
    pen.centred(MARGIN + 44.0, 9.0, "USBKey PIN mailer");
    let mut y = MARGIN + 64.0;
    y = pen.row(y, &[("申请单位", p.organisation)]);
    y = pen.row(y, &[("订单号", p.order_number), ("受理编号", p.case_id)]);
    y = pen.row(
        y,
        &[
            ("USBKey 序列号", p.token_serial),
            ("打印时间", p.printed_at),
        ],
    );
    y += 18.0;
    pen.paragraph(
        MARGIN,
        y,
        9.0,
        PAGE_W - 2.0 * MARGIN,
        "收到 USBKey 时请核对序列号与本函一致。初始口令仅用于第一次使用：插入 USBKey 后，证书助手会要求您先修改口令。请勿将口令告诉他人；受理点工作人员不会询问您的口令。",
    );
    y += 48.0;
    pen.line(MARGIN, y, PAGE_W - MARGIN, y);
    pen.text(MARGIN, y + 12.0, 7.0, "沿此线折叠 · fold here");
    y += 28.0;

    // The cover area: a dense hatch around the PIN, so it does not show through an
    // envelope or a fold; the scratch-off or seal label goes over the box.
    let (x, w) = (MARGIN + 60.0, PAGE_W - 2.0 * (MARGIN + 60.0));
    pen.rect(x, y, w, COVER_H, 1.2);
    let mut dx = 0.0;
    while dx < w + COVER_H {
        let (x1, y1) = (x + dx.min(w), y + (dx - w).max(0.0));
        let (x2, y2) = (x + (dx - COVER_H).max(0.0), y + dx.min(COVER_H));
        pen.line(x1, y1, x2, y2);
        dx += 3.0;
    }
    pen.text(x + 12.0, y + 20.0, 9.0, "初始口令 Initial PIN");
    let size = 26.0;
    let spaced: String = p.pin.chars().flat_map(|c| [c, ' ']).collect();
    let pin_w = crate::layout::width(spaced.trim_end(), size);
    pen.text(x + (w - pin_w) / 2.0, y + 64.0, size, spaced.trim_end());
    pen.text(
        x + 12.0,
        y + COVER_H - 10.0,
        7.0,
        "刮开或揭开此处 · scratch or peel here",
    );
    // English set line by line: the wrapper breaks anywhere, as for Chinese.
    let mut y = y + COVER_H + 28.0;
    for line in [
        "The initial PIN is for the first use only: CertDesk asks you to change it",
        "when the USBKey is first inserted. Check that the USBKey's serial matches",
        "this mailer. Nobody at the acceptance point will ever ask for your PIN.",
    ] {
        pen.text(MARGIN, y, 8.0, line);
        y += 12.8;
    }
}
