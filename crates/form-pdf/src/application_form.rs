//! 单位数字证书申请表: page 1 the organisation, the people and the certificate; page 2
//! the applicant's declaration with room for the stamp and signatures, and the box the
//! acceptance point fills in. One copy is printed twice and both are stamped.

use certdesk_ca_api::application::Application;
use certdesk_ca_api::channel::{Business, Channel};

use qrcode::{Color, EcLevel, QrCode};

use crate::FormPdfError;
use crate::layout::{MARGIN, PAGE_H, PAGE_W, Pen};

/// Where page 1 carries the order's QR code (its `app_…` id, which the acceptance
/// point's scanner types into the counter): `(x, y, side)` in points from the top left.
pub const ORDER_QR: (f32, f32, f32) = (PAGE_W - MARGIN - 58.0, MARGIN - 22.0, 58.0);

/// The QR code of the order id: its side in modules and the dark modules row by row.
/// Level M, as the app's on-screen code.
pub fn order_qr(application_id: &str) -> Result<(usize, Vec<bool>), FormPdfError> {
    let code = QrCode::with_error_correction_level(application_id.as_bytes(), EcLevel::M)
        .map_err(|e| FormPdfError::Pdf(format!("order QR code: {e}")))?;
    let dark = code.to_colors().iter().map(|c| *c == Color::Dark).collect();
    Ok((code.width(), dark))
}

/// Environment variable naming a font file to use instead of the platform's.
pub const FONT_ENV: &str = "CERTDESK_FORM_FONT";

/// What the form shows, as strings ready to print. Holds identity numbers: the form is
/// the paper the CA checks against the ID copies, so it prints them in full; it is
/// only ever written where the applicant chooses (the save dialog).
#[derive(Clone, Default)]
pub struct ApplicationForm {
    pub application_id: String,
    pub channel: String,
    pub business: String,
    pub date: String,
    pub org_name: String,
    pub uscc: String,
    pub org_code: String,
    pub legal_rep_name: String,
    pub legal_rep_id_number: String,
    pub legal_rep_phone: String,
    /// `None`: the legal representative handles the application personally.
    pub handler: Option<Handler>,
    pub common_name: String,
    pub location: String,
    pub validity_days: u32,
    pub amount: String,
    pub invoice_title: String,
    pub invoice_tax_number: String,
    pub invoice_email: String,
    pub recipient: String,
    pub recipient_phone: String,
    pub address: String,
    pub postcode: String,
}

#[derive(Clone, Default)]
pub struct Handler {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
}

/// Only ids in logs: the rest is personal data.
impl std::fmt::Debug for ApplicationForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationForm")
            .field("application_id", &self.application_id)
            .finish_non_exhaustive()
    }
}

pub fn business_name(b: Business) -> &'static str {
    match b {
        Business::NewOrgCertificate => "单位证书新办",
        Business::Renewal => "证书更新",
        Business::Change => "证书变更",
        Business::Reissue => "证书补办",
        Business::Unlock => "证书解锁",
    }
}

pub fn yuan(fen: u64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

impl ApplicationForm {
    /// The form for an application as the CA holds it; `today` is the date printed
    /// (YYYY-MM-DD), passed in so the same order renders the same bytes in tests.
    pub fn from_application(app: &Application, channel: &Channel, today: &str) -> Self {
        let i = &app.input;
        let e = i.enterprise.clone();
        let handles = e.as_ref().is_some_and(|e| e.legal_rep_handles);
        let org_name = e.as_ref().map(|e| e.name.clone()).unwrap_or_default();
        let cert = i.certificate.as_ref();
        Self {
            application_id: app.number_or_id().to_owned(),
            channel: channel.name.clone(),
            business: business_name(app.business).into(),
            date: today.into(),
            uscc: e.as_ref().map(|e| e.uscc.clone()).unwrap_or_default(),
            org_code: e.as_ref().map(|e| e.org_code.clone()).unwrap_or_default(),
            legal_rep_name: e
                .as_ref()
                .map(|e| e.legal_rep_name.clone())
                .unwrap_or_default(),
            legal_rep_id_number: e
                .as_ref()
                .map(|e| e.legal_rep_id_number.clone())
                .unwrap_or_default(),
            legal_rep_phone: e
                .as_ref()
                .map(|e| e.legal_rep_phone.clone())
                .unwrap_or_default(),
            handler: match (&i.handler, handles) {
                (Some(h), false) => Some(Handler {
                    name: h.name.clone(),
                    id_number: h.id_number.clone(),
                    phone: h.phone.clone(),
                    email: h.email.clone(),
                }),
                _ => None,
            },
            common_name: cert
                .and_then(|c| c.common_name.clone())
                .unwrap_or_else(|| org_name.clone()),
            location: cert
                .map(|c| {
                    if c.province == c.city {
                        c.city.clone()
                    } else {
                        format!("{}{}", c.province, c.city)
                    }
                })
                .unwrap_or_default(),
            validity_days: channel.validity_days,
            amount: yuan(app.amount_fen),
            invoice_title: i
                .invoice
                .as_ref()
                .map(|v| v.title.clone())
                .unwrap_or_default(),
            invoice_tax_number: i
                .invoice
                .as_ref()
                .map(|v| v.tax_number.clone())
                .unwrap_or_default(),
            invoice_email: i
                .invoice
                .as_ref()
                .map(|v| v.email.clone())
                .unwrap_or_default(),
            recipient: i
                .mailing
                .as_ref()
                .map(|m| m.recipient.clone())
                .unwrap_or_default(),
            recipient_phone: i
                .mailing
                .as_ref()
                .map(|m| m.phone.clone())
                .unwrap_or_default(),
            address: i
                .mailing
                .as_ref()
                .map(|m| m.address.clone())
                .unwrap_or_default(),
            postcode: i
                .mailing
                .as_ref()
                .map(|m| m.postcode.clone())
                .unwrap_or_default(),
            org_name,
        }
    }
}

const TITLE: &str = "单位数字证书申请表";

const DECLARATION: [&str; 5] = [
    "1. 本单位自愿申请数字证书，已仔细阅读并同意遵守证书认证机构的《数字证书服务协议》及电子认证业务规则。",
    "2. 本单位保证本表所填信息及所附证照复印件真实、准确、完整，如有虚假，本单位承担由此产生的全部法律责任。",
    "3. 本单位授权上述经办人办理本次证书业务；经办人在授权范围内的行为由本单位负责。",
    "4. 本单位将妥善保管数字证书介质（USBKey）、密码卡及其口令；如有遗失或泄露，将及时申请吊销或补办。",
    "5. 证书信息发生变化时，本单位将及时申请证书变更或吊销。",
];

fn page1(pen: &mut Pen, f: &ApplicationForm, qr: &(usize, Vec<bool>)) {
    let (x, y, side) = ORDER_QR;
    pen.qr(x, y, side, qr.0, &qr.1);
    pen.text(x - 2.0, y + side + 9.0, 6.5, "受理点扫码办理");
    pen.centred(MARGIN + 24.0, 20.0, TITLE);
    pen.centred(
        MARGIN + 44.0,
        9.0,
        "Organisation digital certificate application form",
    );
    let mut y = MARGIN + 64.0;
    y = pen.row(y, &[("订单号", &f.application_id), ("申请日期", &f.date)]);
    y = pen.row(y, &[("渠道", &f.channel), ("业务类型", &f.business)]);
    y += 12.0;

    y = pen.heading(y, "一、申请单位信息");
    y = pen.row(y, &[("单位名称", &f.org_name)]);
    y = pen.row(
        y,
        &[("统一社会信用代码", &f.uscc), ("组织机构代码", &f.org_code)],
    );
    y = pen.row(
        y,
        &[
            ("法定代表人", &f.legal_rep_name),
            ("法定代表人手机", &f.legal_rep_phone),
        ],
    );
    y = pen.row(y, &[("法定代表人身份证号", &f.legal_rep_id_number)]);
    y += 12.0;

    y = pen.heading(y, "二、经办人信息");
    y = match &f.handler {
        Some(h) => {
            let y = pen.row(y, &[("经办人姓名", &h.name), ("经办人手机", &h.phone)]);
            pen.row(
                y,
                &[("经办人身份证号", &h.id_number), ("电子邮箱", &h.email)],
            )
        }
        None => pen.row(y, &[("经办人", "法定代表人本人办理")]),
    };
    y += 12.0;

    y = pen.heading(y, "三、证书信息");
    let validity = format!("{} 天", f.validity_days);
    y = pen.row(y, &[("证书名称", &f.common_name)]);
    y = pen.row(y, &[("所在地区", &f.location), ("有效期", &validity)]);
    y = pen.row(y, &[("证书费用", &f.amount), ("证书介质", "USBKey")]);
    y += 12.0;

    y = pen.heading(y, "四、发票与邮寄信息");
    y = pen.row(y, &[("发票抬头", &f.invoice_title)]);
    y = pen.row(
        y,
        &[
            ("纳税人识别号", &f.invoice_tax_number),
            ("发票邮箱", &f.invoice_email),
        ],
    );
    y = pen.row(
        y,
        &[("收件人", &f.recipient), ("收件人电话", &f.recipient_phone)],
    );
    y = pen.row(y, &[("邮寄地址", &f.address)]);
    y = pen.row(y, &[("邮政编码", &f.postcode)]);
    y += 16.0;
    pen.paragraph(
        MARGIN,
        y,
        9.0,
        PAGE_W - 2.0 * MARGIN,
        "本表共 2 页，一式两份，均须加盖单位公章，与营业执照副本复印件、经办人身份证复印件（均加盖公章）一并寄送至证书认证机构受理点。",
    );
}

fn page2(pen: &mut Pen, f: &ApplicationForm) {
    pen.centred(MARGIN + 24.0, 16.0, TITLE);
    let mut y = MARGIN + 48.0;
    y = pen.heading(y, "五、申请单位声明");
    y += 16.0;
    for d in DECLARATION {
        y = pen.paragraph(MARGIN + 6.0, y, 10.0, PAGE_W - 2.0 * MARGIN - 12.0, d);
        y += 4.0;
    }
    y += 10.0;
    let w = (PAGE_W - 2.0 * MARGIN) / 2.0;
    pen.rect(MARGIN, y, w, 150.0, 0.8);
    pen.rect(MARGIN + w, y, w, 150.0, 0.8);
    pen.text(MARGIN + 8.0, y + 18.0, 10.0, "申请单位（盖公章）：");
    pen.text(MARGIN + 8.0, y + 135.0, 10.0, "        年      月      日");
    pen.text(
        MARGIN + w + 8.0,
        y + 18.0,
        10.0,
        "法定代表人或经办人（签字）：",
    );
    pen.text(
        MARGIN + w + 8.0,
        y + 135.0,
        10.0,
        "        年      月      日",
    );
    pen.text(MARGIN + 8.0, y + 36.0, 9.0, &f.org_name);
    y += 176.0;

    y = pen.heading(y, "六、受理点填写（申请单位请勿填写）");
    y = pen.row(y, &[("受理人", ""), ("受理日期", "")]);
    y = pen.row(y, &[("审核人", ""), ("审核日期", "")]);
    y = pen.row(y, &[("证书序列号", "")]);
    y = pen.row(y, &[("USBKey 序列号", ""), ("密码卡序列号", "")]);
    pen.row(y, &[("备注", "\n\n")]);
    pen.line(MARGIN, PAGE_H - 44.0, PAGE_W - MARGIN, PAGE_H - 44.0);
}

/// The two-page PDF.
pub fn render(form: &ApplicationForm) -> Result<Vec<u8>, FormPdfError> {
    let qr = order_qr(&form.application_id)?;
    crate::layout::document(
        FONT_ENV,
        &format!("订单号 {}", form.application_id),
        &[&|pen: &mut Pen| page1(pen, form, &qr), &|pen: &mut Pen| {
            page2(pen, form)
        }],
    )
}
