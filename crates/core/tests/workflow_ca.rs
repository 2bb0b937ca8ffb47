//! The workflow façade against the real reference CA over loopback HTTP, with the OS
//! keychain being a real gnome-keyring in a private D-Bus session. One test function:
//! the bus address is process-wide, so this binary owns it, and the daemons are
//! started and killed by PID here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::agreement::AgreementKind;
use certdesk_ca_api::application::{FaceMethod, HandlerCheckMethod, ListState, Person};
use certdesk_ca_api::channel::{Business, DocumentKind};
use certdesk_ca_api::payment::PaymentProvider;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow::{self, Persona};
use certdesk_core::drafts::thumbnails::Thumbnail;
use certdesk_core::drafts::{DraftId, Field};
use certdesk_core::keychain::Keychain;
use certdesk_core::sensitive::Sensitive;
use certdesk_core::session::{SESSION_ENTRY, SessionState};
use certdesk_core::workflow::{
    AfterApproval, ApplicationView, Keep, Stage, StartPage, Step, StepState, StepTask, SyncOutcome,
    Workflow, WorkflowConfig, WorkflowError,
};
use certdesk_testkit::ca::CaService;
use secrecy::{ExposeSecret, SecretString};
use tempfile::TempDir;

mod counter_support;
use counter_support::private_keyring;

/// A loopback proxy in front of the CA that can swallow answers: the request reaches the
/// CA (which acts on it), the answer never reaches the app. A lost answer, exactly.
struct Proxy {
    url: String,
    swallow: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let swallow = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mode = swallow.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let swallow = mode.load(Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut server = tokio::net::TcpStream::connect(&upstream).await.unwrap();
                    if !swallow {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        return;
                    }
                    // Forward the request, wait for the CA's answer, then hang up on the app.
                    let mut buf = vec![0u8; 64 * 1024];
                    let n = client.read(&mut buf).await.unwrap_or(0);
                    server.write_all(&buf[..n]).await.unwrap();
                    let mut answer = [0u8; 1];
                    let _ = server.read(&mut answer).await;
                });
            }
        });
        Proxy { url, swallow }
    }

    fn swallow(&self, on: bool) {
        self.swallow.store(on, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The reference CA (stopped and started again at the same address and data for the
/// offline test), the app's data dir and its keychain.
struct Env {
    ca: CaService,
    dir: TempDir,
    keychain: Keychain,
}

impl Env {
    fn new(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Env {
            ca: CaService::start().unwrap(),
            keychain: Keychain::new(format!("certdesk-test-{name}")),
            dir,
        }
    }

    fn workflow(&self) -> Workflow {
        self.workflow_at(self.ca.url())
    }

    /// A client of the CA's sandbox endpoints (the tests' stand-in for staff and providers).
    fn sandbox(&self) -> CaClient {
        CaClient::new(self.ca.url()).unwrap()
    }

    /// A workflow (with its own connection pool) talking to `url`.
    fn workflow_at(&self, url: &str) -> Workflow {
        Workflow::open(WorkflowConfig {
            ca_url: url.to_string(),
            store: certdesk_core::store::Store::at(self.dir.path().join("app").join("core.sqlite")),
            keychain: self.keychain.clone(),
            client: certdesk_ca_client::ClientConfig {
                retries: 0,
                connect_timeout: Duration::from_secs(2),
                ..Default::default()
            },
        })
        .unwrap()
    }
}

async fn sign_in(
    w: &Workflow,
    ca: &CaClient,
    phone: &str,
) -> Option<certdesk_core::session::ResumePoint> {
    let cap = w.captcha().await.unwrap();
    let answer = ca.sandbox_captcha_answer(&cap.captcha_id).await.unwrap();
    let phone = Sensitive::new(phone.to_string());
    w.send_sign_in_code(&phone, &cap.captcha_id, &answer)
        .await
        .unwrap();
    let code = sandbox_flow::latest_code(ca, phone.expose()).await.unwrap();
    w.sign_in(&phone, &SecretString::from(code)).await.unwrap()
}

/// 证书申请签名 with the code the sandbox sent to the handler.
async fn sign(w: &Workflow, ca: &CaClient, d: &DraftId, p: &Persona) -> ApplicationView {
    w.send_signature_code(d).await.unwrap();
    let code = sandbox_flow::latest_code(ca, &p.handler.phone)
        .await
        .unwrap();
    w.sign_application(d, &SecretString::from(code), true)
        .await
        .unwrap()
}

/// A draft past the start pages (channel, business, agreements).
fn ready_draft(w: &Workflow, channel: &str) -> DraftId {
    let d = w.new_draft().unwrap();
    let accepted = certdesk_ca_service::channels::sandbox_accepted(channel);
    w.choose(
        &d,
        Some(channel),
        Some(Business::NewOrgCertificate),
        Some(&accepted),
    )
    .unwrap();
    d
}

/// A fresh organisation, registered in the sandbox registry.
async fn persona(env: &Env) -> (CaClient, Persona) {
    let ca = env.sandbox();
    let p = Persona::new(seed());
    ca.sandbox_put_company(&p.company).await.unwrap();
    (ca, p)
}

fn type_enterprise(w: &Workflow, d: &DraftId, p: &Persona, handles: bool) {
    let e = p.enterprise();
    for (f, v) in [
        (Field::Uscc, e.uscc.as_str()),
        (Field::OrgCode, &e.org_code),
        (Field::CompanyName, &e.name),
        (Field::LegalRepName, &e.legal_rep_name),
        (Field::LegalRepIdNumber, &e.legal_rep_id_number),
        (Field::LegalRepPhone, &e.legal_rep_phone),
        (
            Field::LegalRepHandles,
            if handles { "true" } else { "false" },
        ),
    ] {
        assert_eq!(
            w.save_field(d, f.as_str(), v).unwrap(),
            None,
            "{}",
            f.as_str()
        );
    }
}

fn type_handler(w: &Workflow, d: &DraftId, p: &Persona) {
    let h = &p.handler;
    for (f, v) in [
        (Field::HandlerName, &h.name),
        (Field::HandlerIdNumber, &h.id_number),
        (Field::HandlerPhone, &h.phone),
        (Field::HandlerEmail, &h.email),
    ] {
        w.save_field(d, f.as_str(), v).unwrap();
    }
}

fn type_information(w: &Workflow, d: &DraftId, p: &Persona) {
    let i = p.input();
    let (c, inv, m) = (
        i.certificate.unwrap(),
        i.invoice.unwrap(),
        i.mailing.unwrap(),
    );
    for (f, v) in [
        (Field::Province, c.province),
        (Field::City, c.city),
        (Field::InvoiceTitle, inv.title),
        (Field::InvoiceTaxNumber, inv.tax_number),
        (Field::InvoiceEmail, inv.email),
        (Field::MailingRecipient, m.recipient),
        (Field::MailingPhone, m.phone),
        (Field::MailingAddress, m.address),
        (Field::MailingPostcode, m.postcode),
    ] {
        w.save_field(d, f.as_str(), &v).unwrap();
    }
}

trait OutcomeKind {
    fn kind(&self) -> &'static str;
}

impl OutcomeKind for SyncOutcome {
    fn kind(&self) -> &'static str {
        match self {
            SyncOutcome::UpToDate => "up_to_date",
            SyncOutcome::Sent { .. } => "sent",
            SyncOutcome::HeldBack { .. } => "held_back",
            SyncOutcome::Offline { .. } => "offline",
            SyncOutcome::Conflict { .. } => "conflict",
        }
    }
}

fn editing_step(stage: &Stage) -> Step {
    match stage {
        Stage::Editing(e) => e.step,
        other => panic!("not editing: {other:?}"),
    }
}

fn seed() -> u64 {
    rand::random::<u64>() >> 1
}

/// Start pages, enterprise with face check, handler by phone, information, documents,
/// online authorisation, signature, payment, review (view-only), approval.
async fn full_walk_with_handler(env: &Env) {
    let w = env.workflow();
    let (ca, p) = persona(env).await;
    sign_in(&w, &ca, &p.handler.phone).await;
    let d = w.new_draft().unwrap();
    assert_eq!(
        w.choose(&d, None, None, None).unwrap(),
        StartPage::ChooseChannel
    );
    assert!(
        w.channels()
            .await
            .unwrap()
            .iter()
            .any(|c| c.id == "sandbox-rsa")
    );
    w.choose(&d, Some("sandbox-rsa"), None, None).unwrap();
    assert!(matches!(
        w.choose(
            &d,
            Some("sandbox-rsa"),
            Some(Business::NewOrgCertificate),
            None
        )
        .unwrap(),
        StartPage::VerificationMethod { .. }
    ));
    // The agreements are the CA's, per channel and versioned; the versions read are
    // the ones the application records.
    let agreements = w.agreements("sandbox-rsa").await.unwrap();
    let kinds: Vec<_> = agreements.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [AgreementKind::Service, AgreementKind::Privacy]);
    assert!(
        agreements
            .iter()
            .all(|a| a.body.zh.len() > 200 && a.body.en.len() > 200)
    );
    let accepted: Vec<_> = agreements.iter().map(|a| a.accepted()).collect();
    w.choose(
        &d,
        Some("sandbox-rsa"),
        Some(Business::NewOrgCertificate),
        Some(&accepted),
    )
    .unwrap();
    type_enterprise(&w, &d, &p, false);
    type_handler(&w, &d, &p);
    // Before the CA knows it, the draft is listed locally with everything typed.
    let local = env.workflow().local_drafts().unwrap();
    let mine = local.iter().find(|v| v.id == d).unwrap();
    assert!(matches!(mine.start_page, StartPage::Ready { .. }));
    assert_eq!(mine.values["handler.id_number"], p.handler.id_number);
    assert_eq!(mine.pending.len(), 11);
    assert!(!format!("{mine:?}").contains(&p.handler.id_number));
    let v = w.submit_enterprise(&d).await.unwrap();
    assert_eq!(
        v.application.accepted_agreements, accepted,
        "the CA records the versions read"
    );
    assert!(w.local_drafts().unwrap().iter().all(|v| v.id != d));
    let dbg = format!("{v:?} {:?}", w.sync(&d).await.unwrap());
    for secret in [
        &p.handler.id_number,
        &p.handler.phone,
        &p.company.legal_rep_id_number,
    ] {
        assert!(
            !dbg.contains(secret.as_str()),
            "personal value in Debug: {dbg}"
        );
    }
    assert_eq!(editing_step(&v.plan.stage), Step::LegalRepFace);
    // Face check by SMS link; the sandbox stands in for the legal rep's phone.
    let f = w
        .start_face_check(&d, Person::LegalRep, FaceMethod::SmsLink)
        .await
        .unwrap();
    let outbox = ca.sandbox_outbox(Some(&p.legal_rep_phone)).await.unwrap();
    assert!(outbox.items.iter().any(|m| m.body.contains(&f.url)));
    ca.sandbox_complete_face_check(&f.id, true).await.unwrap();
    assert_eq!(
        w.face_check(&f.id).await.unwrap().status,
        certdesk_ca_api::application::FaceCheckStatus::Passed
    );
    let v = w.load(&v.application.id).await.unwrap();
    assert_eq!(v.draft_id, d, "the order list opens the same draft");
    assert_eq!(editing_step(&v.plan.stage), Step::Handler);
    let v = w
        .verify_handler(&d, HandlerCheckMethod::Phone)
        .await
        .unwrap();
    assert_eq!(editing_step(&v.plan.stage), Step::Information);
    type_information(&w, &d, &p);
    let v = w.confirm_information(&d).await.unwrap();
    assert_eq!(editing_step(&v.plan.stage), Step::Documents);
    let thumb = Thumbnail::parse("data:image/png;base64,iVBORw0KGgo=").unwrap();
    let licence = w
        .upload_document(
            &d,
            DocumentKind::BusinessLicence,
            "licence.png",
            sandbox_flow::png_bytes(),
            Some(thumb.clone()),
        )
        .await
        .unwrap();
    // The upload's thumbnail is kept with the draft, sealed, for the documents list.
    assert_eq!(w.thumbnails(&d).unwrap(), vec![(licence.id.clone(), thumb)]);
    let v = w.load(&v.application.id).await.unwrap();
    let Stage::Editing(e) = &v.plan.stage else {
        panic!()
    };
    assert_eq!(
        e.task,
        StepTask::UploadDocuments {
            missing: vec![DocumentKind::HandlerIdCard]
        },
        "an uploaded document is not asked again"
    );
    w.upload_document(
        &d,
        DocumentKind::HandlerIdCard,
        "id.png",
        sandbox_flow::png_bytes(),
        None,
    )
    .await
    .unwrap();
    let auth = w.start_online_authorisation(&d).await.unwrap();
    let code = sandbox_flow::latest_code(&ca, &p.legal_rep_phone)
        .await
        .unwrap();
    ca.sign_authorisation(&auth.id, &code).await.unwrap();
    let v = w.load(&v.application.id).await.unwrap();
    assert_eq!(editing_step(&v.plan.stage), Step::Signature);
    let v = sign(&w, &ca, &d, &p).await;
    assert_eq!(v.plan.stage, Stage::AwaitingPayment { amount_fen: 40000 });
    let pay = w.pay(&d, PaymentProvider::Wechat).await.unwrap();
    ca.sandbox_pay(&pay.id).await.unwrap();
    assert_eq!(
        w.payment(&pay.id).await.unwrap().status,
        certdesk_ca_api::payment::PaymentStatus::Paid
    );
    let v = w.load(&v.application.id).await.unwrap();
    assert_eq!(v.plan.stage, Stage::InReview { paper: None });
    assert!(
        v.plan.steps.iter().all(|s| !s.editable),
        "in review is view-only"
    );
    assert!(
        w.review_outcomes().await.unwrap().is_empty(),
        "still in review"
    );
    ca.sandbox_approve(&v.application.id).await.unwrap();
    // Reported once, for the desktop notification.
    let done = w.review_outcomes().await.unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].application_id, v.application.id);
    assert_eq!(
        done[0].status,
        certdesk_ca_api::application::ApplicationStatus::Approved
    );
    assert!(w.review_outcomes().await.unwrap().is_empty());
    // The review e-mail's link opens the order.
    let link = certdesk_core::workflow::link::order_link(&v.application.id);
    let v = w.open_link(&link).await.unwrap();
    let Stage::Approved(AfterApproval::Download { shipment: Some(s) }) = &v.plan.stage else {
        panic!("{:?}", v.plan.stage)
    };
    assert!(!s.tracking_number.is_empty());
    let finished = w.orders(ListState::Finished, None).await.unwrap();
    assert!(finished.items.iter().any(|a| a.id == v.application.id));
}

/// An application made elsewhere (another computer), rejected in review: the app adopts
/// it with the reasons and every step editable; fixed, signed again, back to review.
async fn rejected_and_resubmitted(env: &Env) {
    let ca = env.sandbox();
    let p = Persona::new(seed());
    let mut elsewhere = env.sandbox();
    sandbox_flow::sign_in(&mut elsewhere, &p.handler.phone)
        .await
        .unwrap();
    let app = sandbox_flow::submitted(&elsewhere, &p, "sandbox-p256")
        .await
        .unwrap();
    sandbox_flow::paid(&elsewhere, &app.id).await.unwrap();
    let w = env.workflow();
    sign_in(&w, &ca, &p.handler.phone).await;
    let unfinished = w.orders(ListState::Unfinished, None).await.unwrap();
    assert!(unfinished.items.iter().any(|a| a.id == app.id));
    ca.sandbox_reject(&app.id, vec!["营业执照复印件不清晰".into()])
        .await
        .unwrap();
    let done = w.review_outcomes().await.unwrap();
    assert_eq!(
        done[0].status,
        certdesk_ca_api::application::ApplicationStatus::Rejected
    );
    let v = w.load(&app.id).await.unwrap();
    let Stage::Editing(e) = &v.plan.stage else {
        panic!("{:?}", v.plan.stage)
    };
    assert_eq!(
        e.step,
        Step::Signature,
        "a rejection resets only the signature"
    );
    assert!(
        v.plan
            .steps
            .iter()
            .all(|s| s.editable || s.state == StepState::Skipped),
        "every done step can be fixed"
    );
    assert_eq!(
        e.rejection_reasons,
        vec!["营业执照复印件不清晰".to_string()]
    );
    // The draft was filled from the CA's version: the form shows what was sent.
    let d = v.draft_id.clone();
    assert_eq!(
        w.draft(&d).unwrap().value(Field::HandlerPhone),
        Some(p.handler.phone.as_str())
    );
    assert!(w.draft(&d).unwrap().pending().is_empty());
    w.save_field(&d, "mailing.address", "北京市海淀区更正路3号")
        .unwrap();
    assert_eq!(w.sync(&d).await.unwrap().kind(), "sent");
    let v = w.load(&app.id).await.unwrap();
    assert_eq!(
        editing_step(&v.plan.stage),
        Step::Information,
        "an edited fact is confirmed again"
    );
    let v = w.confirm_information(&d).await.unwrap();
    assert_eq!(
        v.application.input.mailing.as_ref().unwrap().address,
        "北京市海淀区更正路3号"
    );
    assert_eq!(editing_step(&v.plan.stage), Step::Signature);
    w.upload_document(
        &d,
        DocumentKind::BusinessLicence,
        "licence-2.png",
        sandbox_flow::png_bytes(),
        None,
    )
    .await
    .unwrap();
    let v = sign(&w, &ca, &d, &p).await;
    assert_eq!(
        v.plan.stage,
        Stage::InReview { paper: None },
        "already paid: back to review"
    );
}

/// A Luhn-valid card the sandbox's four-factor check refuses (it ends in 0000).
fn refused_card() -> String {
    (0..100)
        .map(|k| format!("6222020{k:02}123450000"))
        .find(|c| certdesk_ident::bank_card(c).is_ok())
        .unwrap()
}

/// Face check failing, then passing; the handler by bank card: a malformed card is
/// stopped before sending, a refused one is shown, a good one passes.
async fn face_retry_and_bank_card(env: &Env) {
    let (ca, p) = persona(env).await;
    let w = env.workflow();
    sign_in(&w, &ca, &p.handler.phone).await;
    let d = ready_draft(&w, "sandbox-rsa");
    type_enterprise(&w, &d, &p, false);
    type_handler(&w, &d, &p);
    let v = w.submit_enterprise(&d).await.unwrap();
    let f = w
        .start_face_check(&d, Person::LegalRep, FaceMethod::OnSite)
        .await
        .unwrap();
    ca.sandbox_complete_face_check(&f.id, false).await.unwrap();
    let v = w.load(&v.application.id).await.unwrap();
    let Stage::Editing(e) = &v.plan.stage else {
        panic!()
    };
    let StepTask::LegalRepFaceCheck {
        methods,
        failure: Some(_),
    } = &e.task
    else {
        panic!("{:?}", e.task)
    };
    assert_eq!(methods, &vec![FaceMethod::SmsLink, FaceMethod::OnSite]);
    let f = w
        .start_face_check(&d, Person::LegalRep, FaceMethod::OnSite)
        .await
        .unwrap();
    ca.sandbox_complete_face_check(&f.id, true).await.unwrap();
    // Bank card: Luhn is checked here, before anything is sent.
    let mut bad = certdesk_ident::testing::bank_card(p.seed);
    let last = bad.pop().unwrap();
    bad.push(if last == '9' {
        '0'
    } else {
        (last as u8 + 1) as char
    });
    assert!(
        w.save_field(&d, "handler_check.bank_card", &bad)
            .unwrap()
            .is_some()
    );
    let err = w
        .verify_handler(&d, HandlerCheckMethod::BankCard)
        .await
        .unwrap_err();
    let WorkflowError::InvalidInput { fields } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(fields[0].field, "handler_check.bank_card");
    // Well formed but refused by the four-factor check: shown on the step.
    w.save_field(&d, "handler_check.bank_card", &refused_card())
        .unwrap();
    let err = w
        .verify_handler(&d, HandlerCheckMethod::BankCard)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            WorkflowError::CaRejected {
                code: ProblemCode::VerificationFailed,
                ..
            }
        ),
        "{err:?}"
    );
    let v = w.load(&v.application.id).await.unwrap();
    let Stage::Editing(e) = &v.plan.stage else {
        panic!()
    };
    assert!(
        matches!(
            &e.task,
            StepTask::VerifyHandler {
                failure: Some(_),
                ..
            }
        ),
        "{:?}",
        e.task
    );
    w.save_field(
        &d,
        "handler_check.bank_card",
        &certdesk_ident::testing::bank_card(p.seed),
    )
    .unwrap();
    let v = w
        .verify_handler(&d, HandlerCheckMethod::BankCard)
        .await
        .unwrap();
    assert_eq!(editing_step(&v.plan.stage), Step::Information);
    // The bank card was never queued as an edit of the application.
    assert!(w.draft(&d).unwrap().pending().is_empty());
}

/// The handler verified by face (SMS link to the handler's phone). The handler's
/// details are typed after enterprise verification, as in the app: starting the face
/// check sends them first.
async fn handler_by_face(env: &Env) {
    let (ca, p) = persona(env).await;
    let w = env.workflow();
    sign_in(&w, &ca, &p.handler.phone).await;
    let d = ready_draft(&w, "sandbox-dual");
    type_enterprise(&w, &d, &p, false);
    let v = w.submit_enterprise(&d).await.unwrap();
    type_handler(&w, &d, &p);
    let Stage::Editing(e) = &v.plan.stage else {
        panic!()
    };
    let StepTask::VerifyHandler { methods, .. } = &e.task else {
        panic!("{:?}", e.task)
    };
    assert!(methods.contains(&certdesk_ca_api::channel::HandlerVerification::Face));
    let f = w
        .start_face_check(&d, Person::Handler, FaceMethod::SmsLink)
        .await
        .unwrap();
    let sms = ca.sandbox_outbox(Some(&p.handler.phone)).await.unwrap();
    assert!(sms.items.iter().any(|m| m.body.contains(&f.url)));
    ca.sandbox_complete_face_check(&f.id, true).await.unwrap();
    let v = w.load(&v.application.id).await.unwrap();
    assert_eq!(editing_step(&v.plan.stage), Step::Information);
}

/// A channel that needs paper (seed 000, step 4): after payment the checklist and the
/// tracking-number field, until the CA has the paper.
async fn paper_channel(env: &Env) {
    let (ca, p) = persona(env).await;
    let mut elsewhere = env.sandbox();
    sandbox_flow::sign_in(&mut elsewhere, &p.handler.phone)
        .await
        .unwrap();
    let app = sandbox_flow::submitted(&elsewhere, &p, "sandbox-paper")
        .await
        .unwrap();
    let pay = elsewhere
        .create_payment(&app.id, PaymentProvider::Alipay, None)
        .await
        .unwrap();
    ca.sandbox_pay(&pay.id).await.unwrap();
    let w = env.workflow();
    sign_in(&w, &ca, &p.handler.phone).await;
    let v = w.load(&app.id).await.unwrap();
    let Stage::InReview { paper: Some(paper) } = &v.plan.stage else {
        panic!("{:?}", v.plan.stage)
    };
    assert_eq!(
        paper.requirement.waybill_note,
        "申请办理永城市公共资源交易中心证书"
    );
    assert_eq!(paper.requirement.postcode, "476600");
    let v = w
        .record_paper_tracking(&v.draft_id, "顺丰速运", "SF0011223344")
        .await
        .unwrap();
    let Stage::InReview { paper: Some(paper) } = &v.plan.stage else {
        panic!()
    };
    assert_eq!(paper.tracking_number.as_deref(), Some("SF0011223344"));
    ca.sandbox_paper_received(&app.id).await.unwrap();
    let v = w.load(&app.id).await.unwrap();
    assert_eq!(v.plan.stage, Stage::InReview { paper: None });
}

/// The legal representative handles it: no handler step, no authorisation.
async fn legal_rep_handles_personally(env: &Env) {
    let w = env.workflow();
    let (ca, p) = persona(env).await;
    sign_in(&w, &ca, &p.legal_rep_phone).await;
    let d = ready_draft(&w, "sandbox-p256");
    type_enterprise(&w, &d, &p, true);
    let v = w.submit_enterprise(&d).await.unwrap();
    assert_eq!(editing_step(&v.plan.stage), Step::Information);
    let skipped: Vec<Step> = v
        .plan
        .steps
        .iter()
        .filter(|s| s.state == StepState::Skipped)
        .map(|s| s.step)
        .collect();
    assert_eq!(
        skipped,
        vec![Step::LegalRepFace, Step::Handler, Step::Authorisation]
    );
}

/// Abnormal flows: inline check before sending; registry mismatch; duplicate.
async fn abnormal_flows(env: &Env) {
    let w = env.workflow();
    let (ca, p) = persona(env).await;
    sign_in(&w, &ca, &p.handler.phone).await;
    let d = ready_draft(&w, "sandbox-p256");
    type_enterprise(&w, &d, &p, false);
    let bad = certdesk_ident::testing::uscc_bad_check(p.seed);
    let e = w.save_field(&d, "enterprise.uscc", &bad).unwrap().unwrap();
    assert_eq!(e.kind, "check_char");
    let err = w.submit_enterprise(&d).await.unwrap_err();
    let WorkflowError::InvalidInput { fields } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(fields[0].field, "enterprise.uscc");
    assert!(!format!("{err:?} {err}").contains(&bad));
    assert!(
        w.orders(ListState::Unfinished, None)
            .await
            .unwrap()
            .items
            .is_empty(),
        "nothing was sent"
    );
    // Fixed, but the name differs from the registry: the "return to edit" dialog.
    w.save_field(&d, "enterprise.uscc", &p.company.uscc)
        .unwrap();
    w.save_field(&d, "enterprise.name", "别的公司名称").unwrap();
    let err = w.submit_enterprise(&d).await.unwrap_err();
    let WorkflowError::CaRejected { code, fields, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*code, ProblemCode::VerificationFailed);
    assert_eq!(fields[0].field, "enterprise.name");
    let app_id = w.draft(&d).unwrap().application_id.unwrap();
    let v = w.load(&app_id).await.unwrap();
    let Stage::Editing(e) = &v.plan.stage else {
        panic!()
    };
    assert!(matches!(
        &e.task,
        StepTask::VerifyEnterprise { failure: Some(_) }
    ));
    // Edited back: verified.
    w.save_field(&d, "enterprise.name", &p.company.name)
        .unwrap();
    let v = w.submit_enterprise(&d).await.unwrap();
    assert_eq!(editing_step(&v.plan.stage), Step::Handler);
    // A second application for the same organisation names the first.
    let d2 = ready_draft(&w, "sandbox-rsa");
    type_enterprise(&w, &d2, &p, false);
    let err = w.submit_enterprise(&d2).await.unwrap_err();
    let WorkflowError::DuplicateApplication {
        existing_application_id,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(existing_application_id.as_deref(), Some(app_id.as_str()));
    // Cancel the first: the second may go ahead.
    w.cancel(&d).await.unwrap();
    w.submit_enterprise(&d2).await.unwrap();
}

/// Edits made while the CA is down are queued and sent when it is back; a field changed
/// on both sides is a conflict with both versions, never overwritten.
async fn offline_queue_and_conflicts(env: &mut Env) {
    let (ca, p) = persona(env).await;
    let (d, app_id) = {
        let w = env.workflow();
        sign_in(&w, &ca, &p.handler.phone).await;
        let d = ready_draft(&w, "sandbox-p256");
        type_enterprise(&w, &d, &p, false);
        type_information(&w, &d, &p);
        let SyncOutcome::Sent {
            application,
            held_back,
        } = w.sync(&d).await.unwrap()
        else {
            panic!()
        };
        assert!(held_back.is_empty());
        (d, application.id)
    };
    env.ca.stop();
    {
        let w = env.workflow();
        w.save_field(&d, "mailing.address", "北京市朝阳区离线路8号")
            .unwrap();
        w.save_field(&d, "certificate.city", "北京市朝阳区")
            .unwrap();
        let o = w.sync(&d).await.unwrap();
        assert!(matches!(o, SyncOutcome::Offline { pending: 2 }), "{o:?}");
        let err = w.confirm_information(&d).await.unwrap_err();
        // The UI says `ca_unreachable` for this variant (certdesk-ipc's mapping tests).
        assert!(matches!(err, WorkflowError::CaUnreachable(_)), "{err:?}");
    }
    // The app restarts (new Workflow) and the CA is back: the queue goes out.
    env.ca.restart().unwrap();
    let w = env.workflow();
    let sent = w.sync_all().await.unwrap();
    assert_eq!(sent.len(), 1);
    assert!(
        matches!(sent[0].1, SyncOutcome::Sent { .. }),
        "{:?}",
        sent[0].1
    );
    let v = w.load(&app_id).await.unwrap();
    assert_eq!(
        v.application.input.mailing.as_ref().unwrap().address,
        "北京市朝阳区离线路8号"
    );
    assert_eq!(
        v.application.input.certificate.as_ref().unwrap().city,
        "北京市朝阳区"
    );
    assert!(w.draft(&d).unwrap().pending().is_empty());

    // Someone else (the same applicant on another computer) edits at the CA.
    let mut other = env.sandbox();
    sandbox_flow::sign_in(&mut other, &p.handler.phone)
        .await
        .unwrap();
    let server = other.application(&app_id).await.unwrap();
    let mut input = certdesk_ca_api::application::ApplicationInput::default();
    let mut mailing = server.input.mailing.clone().unwrap();
    mailing.address = "上海市浦东新区他处路1号".into();
    input.mailing = Some(mailing);
    let mut cert = server.input.certificate.clone().unwrap();
    cert.province = "上海市".into();
    input.certificate = Some(cert);
    other
        .edit_application(&app_id, &server.etag, &input)
        .await
        .unwrap();
    // Here: the same address field (conflict) and the invoice title (no conflict).
    w.save_field(&d, "mailing.address", "北京市朝阳区本机路2号")
        .unwrap();
    let SyncOutcome::Conflict { conflicts } = w.sync(&d).await.unwrap() else {
        panic!("no conflict")
    };
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].field, Field::MailingAddress);
    assert_eq!(conflicts[0].mine.expose(), "北京市朝阳区本机路2号");
    assert_eq!(conflicts[0].theirs.expose(), "上海市浦东新区他处路1号");
    // Not overwritten at the CA.
    let now = other.application(&app_id).await.unwrap();
    assert_eq!(
        now.input.mailing.as_ref().unwrap().address,
        "上海市浦东新区他处路1号"
    );
    // A choice is needed for every conflicting field.
    let err = w.resolve(&d, &BTreeMap::new()).await.unwrap_err();
    assert!(matches!(err, WorkflowError::Conflict { .. }));
    let o = w
        .resolve(&d, &BTreeMap::from([(Field::MailingAddress, Keep::Mine)]))
        .await
        .unwrap();
    let SyncOutcome::Sent { application, .. } = o else {
        panic!("{o:?}")
    };
    assert_eq!(
        application.input.mailing.as_ref().unwrap().address,
        "北京市朝阳区本机路2号"
    );
    // The other side's province change (a field not edited here) survived.
    assert_eq!(
        application.input.certificate.as_ref().unwrap().province,
        "上海市"
    );
}

/// The CA created the application but its answer was lost: the retry replays the same
/// create (same key, same body) even though more was typed since, so there is exactly one
/// application, and the newer typing follows as an edit.
async fn lost_create_answer(env: &Env) {
    let (ca, p) = persona(env).await;
    let d = {
        let w = env.workflow();
        sign_in(&w, &ca, &p.handler.phone).await;
        let d = ready_draft(&w, "sandbox-p256");
        type_enterprise(&w, &d, &p, false);
        d
    };
    let proxy = Proxy::start(env.ca.url().trim_start_matches("http://").to_string()).await;
    proxy.swallow(true);
    {
        let w = env.workflow_at(&proxy.url);
        let o = w.sync(&d).await.unwrap();
        assert!(matches!(o, SyncOutcome::Offline { .. }), "{o:?}");
        w.save_field(&d, "mailing.address", "北京市西城区重试路5号")
            .unwrap();
    }
    let direct = env.workflow();
    let created = direct.orders(ListState::Unfinished, None).await.unwrap();
    assert_eq!(created.items.len(), 1, "the CA did act on the first create");
    proxy.swallow(false);
    let w = env.workflow_at(&proxy.url);
    type_information(&w, &d, &p);
    w.save_field(&d, "mailing.address", "北京市西城区重试路5号")
        .unwrap();
    let o = w.sync(&d).await.unwrap();
    assert_eq!(o.kind(), "sent", "{o:?}");
    let all = w.orders(ListState::Unfinished, None).await.unwrap();
    assert_eq!(all.items.len(), 1, "a retry never creates twice");
    assert_eq!(all.items[0].id, created.items[0].id);
    assert_eq!(
        all.items[0].input.mailing.as_ref().unwrap().address,
        "北京市西城区重试路5号"
    );
    assert!(w.draft(&d).unwrap().pending().is_empty());
}

/// Sign-in keeps the token only in the keychain; an expired session remembers where the
/// applicant was; sign-out clears the token.
async fn session_lifecycle(env: &Env) {
    let (ca, p) = persona(env).await;
    let w = env.workflow();
    assert_eq!(w.session_state().unwrap(), SessionState::SignedOut);
    assert!(matches!(
        w.orders(ListState::Unfinished, None).await.unwrap_err(),
        WorkflowError::NotSignedIn
    ));
    assert_eq!(sign_in(&w, &ca, &p.handler.phone).await, None);
    assert!(matches!(
        w.session_state().unwrap(),
        SessionState::SignedIn { .. }
    ));
    let token = env
        .keychain
        .get(SESSION_ENTRY)
        .unwrap()
        .expect("token in the keychain");
    let token: serde_json::Value = serde_json::from_str(token.expose_secret()).unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    // Not in any file of ours.
    for entry in walk(env.dir.path().join("app").as_path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "token in {}",
            entry.display()
        );
    }
    // A restarted app is still signed in (the token comes from the keychain).
    let d = {
        let w = env.workflow();
        assert!(matches!(
            w.session_state().unwrap(),
            SessionState::SignedIn { .. }
        ));
        let d = ready_draft(&w, "sandbox-p256");
        type_enterprise(&w, &d, &p, false);
        let v = w.submit_enterprise(&d).await.unwrap();
        assert_eq!(editing_step(&v.plan.stage), Step::Handler);
        d
    };
    let app_id = w.draft(&d).unwrap().application_id.unwrap();
    // The CA ends the session (expiry, or signed out elsewhere).
    let mut raw = env.sandbox().with_token(SecretString::from(token.clone()));
    raw.logout().await.unwrap();
    let w = env.workflow();
    w.save_field(&d, "handler.name", &p.handler.name).unwrap();
    let err = w.load(&app_id).await.unwrap_err();
    let WorkflowError::SessionExpired { resume: Some(r) } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(r.application_id.as_deref(), Some(app_id.as_str()));
    assert_eq!(r.step, Some(Step::Handler));
    assert!(
        env.keychain.get(SESSION_ENTRY).unwrap().is_none(),
        "a dead token is dropped"
    );
    // Across a restart the app still knows the session expired and where to return.
    let w = env.workflow();
    let SessionState::Expired { resume: Some(r2) } = w.session_state().unwrap() else {
        panic!()
    };
    assert_eq!(&r2, r);
    // Nothing typed was lost, and signing in again returns there.
    assert_eq!(
        w.draft(&d).unwrap().value(Field::HandlerName),
        Some(p.handler.name.as_str())
    );
    let back = sign_in(&w, &ca, &p.handler.phone).await.unwrap();
    assert_eq!(back.application_id.as_deref(), Some(app_id.as_str()));
    let v = w.load(&app_id).await.unwrap();
    assert_eq!(editing_step(&v.plan.stage), Step::Handler);
    // Sign-out clears the token from the keychain.
    w.sign_out().await.unwrap();
    assert!(env.keychain.get(SESSION_ENTRY).unwrap().is_none());
    assert_eq!(w.session_state().unwrap(), SessionState::SignedOut);
    // The drafts' data key stayed: the drafts still open.
    assert_eq!(
        env.workflow().draft(&d).unwrap().value(Field::HandlerName),
        Some(p.handler.name.as_str())
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn workflow_against_the_reference_ca_and_a_private_keyring() {
    let _keyring = private_keyring();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        {
            let env = Env::new("session");
            std::fs::create_dir_all(env.dir.path().join("app")).unwrap();
            session_lifecycle(&env).await;
        }
        let mut env = Env::new("flows");
        std::fs::create_dir_all(env.dir.path().join("app")).unwrap();
        full_walk_with_handler(&env).await;
        rejected_and_resubmitted(&env).await;
        face_retry_and_bank_card(&env).await;
        paper_channel(&env).await;
        handler_by_face(&env).await;
        lost_create_answer(&env).await;
        legal_rep_handles_personally(&env).await;
        abnormal_flows(&env).await;
        offline_queue_and_conflicts(&mut env).await;
    });
}
