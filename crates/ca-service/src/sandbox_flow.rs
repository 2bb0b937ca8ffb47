//! Walks a whole new-organisation-certificate application through the sandbox over HTTP
//! (`certdesk-ca sandbox approved-order`, and the tests' fixture).

use certdesk_ca_api::application::*;
use certdesk_ca_api::channel::{Business, DocumentKind};
use certdesk_ca_api::payment::PaymentProvider;
use certdesk_ca_api::sandbox::{ApprovedOrder, OutboxChannel, RegistryCompany};
use certdesk_ca_client::{CaClient, ClientError};
use certdesk_ident::testing;

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("sandbox outbox has no {0}")]
    Missing(&'static str),
}

/// A fictitious organisation with consistent, valid numbers.
#[derive(Debug, Clone)]
pub struct Persona {
    pub seed: u64,
    pub company: RegistryCompany,
    pub org_code: String,
    pub legal_rep_phone: String,
    pub handler: HandlerInfo,
}

fn phone(seed: u64) -> String {
    let p = testing::mobile(seed);
    // Sandbox rule: numbers ending in 0000 fail identity checks.
    if p.ends_with("0000") {
        format!("{}1234", &p[..7])
    } else {
        p
    }
}

impl Persona {
    pub fn new(seed: u64) -> Self {
        let uscc = testing::uscc(seed);
        Persona {
            seed,
            org_code: testing::org_code(seed),
            company: RegistryCompany {
                uscc,
                name: format!("沙箱测试科技有限公司{}", seed % 100_000),
                legal_rep_name: "赵法人".into(),
                legal_rep_id_number: testing::resident_id(seed),
                status: "active".into(),
            },
            legal_rep_phone: phone(seed.wrapping_add(1)),
            handler: HandlerInfo {
                name: "钱经办".into(),
                id_number: testing::resident_id(seed.wrapping_add(2)),
                phone: phone(seed.wrapping_add(3)),
                email: testing::email(seed),
            },
        }
    }

    pub fn enterprise(&self) -> EnterpriseInfo {
        EnterpriseInfo {
            uscc: self.company.uscc.clone(),
            org_code: self.org_code.clone(),
            name: self.company.name.clone(),
            legal_rep_name: self.company.legal_rep_name.clone(),
            legal_rep_id_number: self.company.legal_rep_id_number.clone(),
            legal_rep_phone: self.legal_rep_phone.clone(),
            legal_rep_handles: false,
        }
    }

    pub fn input(&self) -> ApplicationInput {
        ApplicationInput {
            enterprise: Some(self.enterprise()),
            handler: Some(self.handler.clone()),
            certificate: Some(CertificateInfo {
                common_name: None,
                province: "北京市".into(),
                city: "北京市".into(),
            }),
            invoice: Some(InvoiceInfo {
                title: self.company.name.clone(),
                tax_number: self.company.uscc.clone(),
                email: self.handler.email.clone(),
            }),
            mailing: Some(MailingInfo {
                recipient: self.handler.name.clone(),
                phone: self.handler.phone.clone(),
                address: "北京市海淀区示例路1号".into(),
                postcode: "100080".into(),
            }),
        }
    }

    /// A `business` application on `channel_id` with the persona's whole input.
    pub fn application(
        &self,
        channel_id: &str,
        business: Business,
        certificate_serial: Option<String>,
    ) -> CreateApplication {
        CreateApplication {
            channel_id: channel_id.into(),
            business,
            input: self.input(),
            certificate_serial,
            accepted_agreements: crate::channels::sandbox_accepted(channel_id),
        }
    }

    /// A new-organisation certificate application on `channel_id`.
    pub fn new_org_on(&self, channel_id: &str) -> CreateApplication {
        self.application(channel_id, Business::NewOrgCertificate, None)
    }
}

/// The newest one-time code sent to `phone`.
pub async fn latest_code(ca: &CaClient, phone: &str) -> Result<String, FlowError> {
    let outbox = ca.sandbox_outbox(Some(phone)).await?;
    for m in outbox
        .items
        .iter()
        .filter(|m| m.channel == OutboxChannel::Sms)
    {
        if let Some(pos) = m.body.find("验证码") {
            let digits: String = m.body[pos..]
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            if digits.len() == 6 {
                return Ok(digits);
            }
        }
    }
    Err(FlowError::Missing("one-time code"))
}

/// Captcha (answer from the sandbox) → SMS code → session.
pub async fn sign_in(ca: &mut CaClient, phone: &str) -> Result<(), FlowError> {
    let cap = ca.captcha().await?;
    let answer = ca.sandbox_captcha_answer(&cap.captcha_id).await?;
    ca.send_login_otp(phone, &cap.captcha_id, &answer).await?;
    let code = latest_code(ca, phone).await?;
    ca.sign_in(phone, &code).await?;
    Ok(())
}

/// Minimal PNG content (the service decides type by magic bytes).
pub fn png_bytes() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(&[0u8; 64]);
    v
}

/// A business licence drawn as a PNG image (krilla → PDF → `pdftoppm`), one text line
/// per entry, for OCR tests. Needs poppler-utils and the WenQuanYi font.
/// The sandbox channels with certificates valid 60 days, written to `dir`: inside the
/// 90-day renewal window from the start (renewal tests and demos).
pub fn sixty_day_channels(dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    let path = dir.join("channels.toml");
    std::fs::write(
        &path,
        crate::channels::SANDBOX_CHANNELS.replace("validity_days = 365", "validity_days = 60"),
    )?;
    Ok(path)
}

pub fn licence_png(dir: &std::path::Path, lines: &[String]) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    use krilla::geom::Point;
    use krilla::text::{Font, TextDirection};
    let font_data = std::fs::read(crate::invoice_pdf::DEFAULT_FONT)
        .context("fonts-wqy-microhei is not installed")?;
    let font = Font::new(font_data.into(), 0).context("unreadable font")?;
    let mut doc = krilla::Document::new();
    let settings =
        krilla::page::PageSettings::from_wh(600.0, 300.0).context("page size out of range")?;
    let mut page = doc.start_page_with(settings);
    let mut s = page.surface();
    for (i, l) in lines.iter().enumerate() {
        s.draw_text(
            Point::from_xy(30.0, 60.0 + 40.0 * i as f32),
            font.clone(),
            20.0,
            l,
            false,
            TextDirection::Auto,
        );
    }
    s.finish();
    page.finish();
    let pdf = doc
        .finish()
        .map_err(|e| anyhow::anyhow!("licence PDF: {e:?}"))?;
    std::fs::write(dir.join("licence.pdf"), pdf)?;
    let st = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "300", "-singlefile", "licence.pdf", "licence"])
        .current_dir(dir)
        .status()
        .context("pdftoppm (poppler-utils)")?;
    anyhow::ensure!(st.success(), "pdftoppm failed");
    Ok(std::fs::read(dir.join("licence.png"))?)
}

/// Everything up to and including the application signature; returns the application.
pub async fn submitted(
    ca: &CaClient,
    p: &Persona,
    channel_id: &str,
) -> Result<Application, FlowError> {
    submitted_for(ca, p, channel_id, Business::NewOrgCertificate, None).await
}

/// As [`submitted`], for any online business (change and reissue name the certificate).
pub async fn submitted_for(
    ca: &CaClient,
    p: &Persona,
    channel_id: &str,
    business: Business,
    certificate_serial: Option<String>,
) -> Result<Application, FlowError> {
    let scans = Scans {
        licence: png_bytes(),
        handler_id_card: png_bytes(),
    };
    submitted_with(ca, p, channel_id, business, certificate_serial, scans).await
}

/// The uploads of [`submitted_with`]: PNG or JPEG content.
pub struct Scans {
    pub licence: Vec<u8>,
    pub handler_id_card: Vec<u8>,
}

/// As [`submitted_for`], with these scans uploaded (real images where a test looks at
/// them; the others upload a PNG header only).
pub async fn submitted_with(
    ca: &CaClient,
    p: &Persona,
    channel_id: &str,
    business: Business,
    certificate_serial: Option<String>,
    scans: Scans,
) -> Result<Application, FlowError> {
    ca.sandbox_put_company(&p.company).await?;
    let app = ca
        .create_application(
            &p.application(channel_id, business, certificate_serial),
            None,
        )
        .await?;
    let id = app.id.clone();
    let app = ca.verify_enterprise(&id).await?;
    if requirement(&app, RequirementKind::LegalRepFaceCheck) == RequirementStatus::Pending {
        let f = ca
            .start_face_check(&id, Person::LegalRep, FaceMethod::SmsLink)
            .await?;
        ca.sandbox_complete_face_check(&f.id, true).await?;
    }
    ca.verify_handler(&id, HandlerCheckMethod::Phone, None)
        .await?;
    ca.confirm_information(&id).await?;
    ca.upload_document(
        &id,
        DocumentKind::BusinessLicence,
        "licence.png",
        scans.licence,
    )
    .await?;
    ca.upload_document(
        &id,
        DocumentKind::HandlerIdCard,
        "id.png",
        scans.handler_id_card,
    )
    .await?;
    let auth = ca.start_online_authorisation(&id).await?;
    let code = latest_code(ca, &p.legal_rep_phone).await?;
    ca.sign_authorisation(&auth.id, &code).await?;
    ca.send_signature_otp(&id).await?;
    let code = latest_code(ca, &p.handler.phone).await?;
    Ok(ca.sign_application(&id, &code, true).await?)
}

pub fn requirement(app: &Application, kind: RequirementKind) -> RequirementStatus {
    app.requirements
        .iter()
        .find(|r| r.kind == kind)
        .map(|r| r.status)
        .unwrap_or(RequirementStatus::NotRequired)
}

/// Pays through the sandbox provider; returns the application in review.
pub async fn paid(ca: &CaClient, app_id: &str) -> Result<Application, FlowError> {
    let pay = ca
        .create_payment(app_id, PaymentProvider::Wechat, None)
        .await?;
    ca.sandbox_pay(&pay.id).await?;
    let app = ca.application(app_id).await?;
    if app.paper.is_some() {
        ca.record_paper_tracking(app_id, "顺丰速运", "SF1234567890")
            .await?;
        ca.sandbox_paper_received(app_id).await?;
    }
    Ok(ca.application(app_id).await?)
}

/// Serial and password of the card mailed for `app_id`, read from the postal outbox.
pub async fn mailed_card(ca: &CaClient, app_id: &str) -> Result<(String, String), FlowError> {
    let outbox = ca.sandbox_outbox(None).await?;
    let m = outbox
        .items
        .iter()
        .find(|m| m.channel == OutboxChannel::Mail && m.body.contains(app_id))
        .ok_or(FlowError::Missing("mailed password card"))?;
    let field = |label: &str| {
        m.body
            .lines()
            .find_map(|l| l.strip_prefix(label))
            .map(|s| s.trim().to_string())
    };
    match (field("密码卡序列号："), field("密码卡密码：")) {
        (Some(s), Some(p)) => Ok((s, p)),
        _ => Err(FlowError::Missing("password card fields")),
    }
}

/// Where [`order_at`] leaves an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Stop {
    /// Signed: the fee is due (the app's payment step continues it).
    AwaitingPayment,
    /// Paid on a paper channel: in review until the mailed paper arrives.
    AwaitingPaper,
}

/// Output of `certdesk-ca sandbox order --json`: what a test or a person needs to sign
/// in as the handler and continue the order in the app.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StoppedOrder {
    pub application_id: String,
    /// The handler's phone: sign in with it to see the order.
    pub phone: String,
    pub company_name: String,
    pub ca_url: String,
}

/// An application of a fresh persona (handler phone `phone` when given) walked up to
/// `stop` — a sandbox fixture so the payment and paper pages can be reached without
/// clicking through every earlier step.
pub async fn order_at(
    ca_url: &str,
    channel_id: &str,
    phone: Option<&str>,
    stop: Stop,
) -> Result<StoppedOrder, FlowError> {
    let mut p = Persona::new(rand::random());
    if let Some(phone) = phone {
        p.handler.phone = phone.to_string();
    }
    let mut ca = CaClient::new(ca_url)?;
    sign_in(&mut ca, &p.handler.phone).await?;
    let app = submitted(&ca, &p, channel_id).await?;
    if stop == Stop::AwaitingPaper {
        let pay = ca
            .create_payment(&app.id, PaymentProvider::Wechat, None)
            .await?;
        ca.sandbox_pay(&pay.id).await?;
    }
    Ok(StoppedOrder {
        application_id: app.id,
        phone: p.handler.phone.clone(),
        company_name: p.company.name.clone(),
        ca_url: ca.base_url().to_string(),
    })
}

/// A fully approved, download-ready application.
pub async fn approved_order(ca_url: &str, channel_id: &str) -> Result<ApprovedOrder, FlowError> {
    let seed: u64 = rand::random();
    approved_order_for(
        ca_url,
        channel_id,
        &Persona::new(seed),
        Business::NewOrgCertificate,
        None,
    )
    .await
}

/// A fully approved application of `p` for `business`.
pub async fn approved_order_for(
    ca_url: &str,
    channel_id: &str,
    p: &Persona,
    business: Business,
    certificate_serial: Option<String>,
) -> Result<ApprovedOrder, FlowError> {
    let mut ca = CaClient::new(ca_url)?;
    sign_in(&mut ca, &p.handler.phone).await?;
    let app = submitted_for(&ca, p, channel_id, business, certificate_serial).await?;
    paid(&ca, &app.id).await?;
    ca.sandbox_approve(&app.id).await?;
    let (card_serial, card_password) = mailed_card(&ca, &app.id).await?;
    Ok(ApprovedOrder {
        application_id: app.id,
        uscc: p.company.uscc.clone(),
        org_code: p.org_code.clone(),
        phone: p.handler.phone.clone(),
        handler_id: p.handler.id_number.clone(),
        card_serial,
        card_password,
        ca_url: ca.base_url().to_string(),
    })
}
