use std::process::Command;

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::*;
use certdesk_ca_api::sandbox::OutboxChannel;
use certdesk_ca_client::CaClient;
use certdesk_ca_service::sandbox_flow;
use secrecy::SecretString;

use crate::common::*;

#[tokio::test]
async fn approval_mails_a_password_card_stored_only_as_a_hash() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let app = sandbox_flow::submitted(&c, &p, "sandbox-rsa")
        .await
        .unwrap();
    sandbox_flow::paid(&c, &app.id).await.unwrap();
    let staff = CaClient::new(&ca.url)
        .unwrap()
        .with_token(SecretString::from(ca.staff_token()));
    let queue = staff
        .staff_applications(ApplicationStatus::InReview, None, None)
        .await
        .unwrap();
    assert!(queue.items.iter().any(|a| a.id == app.id));
    // An applicant's token is not a staff token.
    let e = c.staff_approve(&app.id).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::Unauthorized));

    let approved = staff.staff_approve(&app.id).await.unwrap();
    assert_eq!(approved.status, ApplicationStatus::Approved);
    assert_eq!(approved.actions, vec![Action::View, Action::Download]);
    assert_eq!(
        sandbox_flow::requirement(&approved, RequirementKind::Review),
        RequirementStatus::Valid
    );
    let ship = approved.shipment.clone().unwrap();
    assert!(ship.contents.iter().any(|c| c == "密码卡"));
    let (serial, password) = sandbox_flow::mailed_card(&c, &app.id).await.unwrap();
    assert!(serial.starts_with("PC") && password.len() == 12);
    // The tracking number went to the handler by SMS.
    let sms = c.sandbox_outbox(Some(&p.handler.phone)).await.unwrap();
    assert!(
        sms.items
            .iter()
            .any(|m| m.channel == OutboxChannel::Sms && m.body.contains(&ship.tracking_number))
    );
    // Only an argon2 hash of the password is in the database.
    let conn = rusqlite::Connection::open(ca.dir.join("ca.sqlite3")).unwrap();
    let hash: String = conn
        .query_row(
            "SELECT password_hash FROM password_cards WHERE serial = ?1",
            [&serial],
            |r| r.get(0),
        )
        .unwrap();
    assert!(hash.starts_with("$argon2id$"));
    let dump: Vec<u8> = std::fs::read(ca.dir.join("ca.sqlite3")).unwrap();
    let wal: Vec<u8> = std::fs::read(ca.dir.join("ca.sqlite3-wal")).unwrap_or_default();
    for bytes in [&dump, &wal] {
        let text = String::from_utf8_lossy(bytes);
        // The card text lives in the outbox (the simulated post); no other row holds it.
        let count = text.matches(password.as_str()).count();
        let outbox_rows: i64 = conn
            .query_row(
                "SELECT count(*) FROM outbox WHERE body LIKE '%' || ?1 || '%'",
                [&password],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            count as i64 <= outbox_rows * 4,
            "password appears outside the outbox"
        );
    }
    assert!(!ca.log().contains(&password));
    // Approving twice is a state error.
    let e = staff.staff_approve(&app.id).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::InvalidState));
}

#[tokio::test]
async fn rejection_returns_the_application_for_editing_and_resubmission() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let app = sandbox_flow::submitted(&c, &p, "sandbox-p256")
        .await
        .unwrap();
    sandbox_flow::paid(&c, &app.id).await.unwrap();
    let e = c
        .sandbox_reject(&app.id, vec!["  ".into()])
        .await
        .unwrap_err();
    assert_eq!(e.field_errors()[0].field, "reasons");
    let rejected = c
        .sandbox_reject(&app.id, vec!["营业执照不清晰".into()])
        .await
        .unwrap();
    assert_eq!(rejected.status, ApplicationStatus::Rejected);
    assert_eq!(
        rejected.rejection_reasons,
        vec!["营业执照不清晰".to_string()]
    );
    assert!(rejected.actions.contains(&Action::Continue));
    let sms = c.sandbox_outbox(Some(&p.handler.phone)).await.unwrap();
    assert!(sms.items.iter().any(|m| m.body.contains("营业执照不清晰")));
    // Fix the document, sign again: back in review without paying twice.
    c.upload_document(
        &app.id,
        certdesk_ca_api::channel::DocumentKind::BusinessLicence,
        "clear.png",
        sandbox_flow::png_bytes(),
    )
    .await
    .unwrap();
    c.send_signature_otp(&app.id).await.unwrap();
    let code = sandbox_flow::latest_code(&c, &p.handler.phone)
        .await
        .unwrap();
    let e = c.sign_application(&app.id, &code, false).await.unwrap_err();
    assert_eq!(e.field_errors()[0].field, "consent");
    let again = c.sign_application(&app.id, &code, true).await.unwrap();
    assert_eq!(again.status, ApplicationStatus::InReview);
}

#[tokio::test]
async fn paper_channel_needs_the_paper_before_approval() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let app = sandbox_flow::submitted(&c, &p, "sandbox-paper")
        .await
        .unwrap();
    let paper = app.paper.clone().unwrap();
    assert_eq!(paper.requirement.items.len(), 4);
    assert_eq!(
        paper.requirement.waybill_note,
        "申请办理永城市公共资源交易中心证书"
    );
    assert!(paper.requirement.note.contains("第9至17位"));
    let pay = c
        .create_payment(
            &app.id,
            certdesk_ca_api::payment::PaymentProvider::BankGateway,
            None,
        )
        .await
        .unwrap();
    c.sandbox_pay(&pay.id).await.unwrap();
    let e = c.sandbox_approve(&app.id).await.unwrap_err();
    assert_eq!(e.code(), Some(ProblemCode::RequirementsUnmet));
    assert_eq!(e.field_errors()[0].field, "requirements.paper");
    let app = c
        .record_paper_tracking(&app.id, "EMS", "EA123456789CN")
        .await
        .unwrap();
    assert_eq!(
        app.paper.unwrap().tracking_number.as_deref(),
        Some("EA123456789CN")
    );
    c.sandbox_paper_received(&app.id).await.unwrap();
    assert_eq!(
        c.sandbox_approve(&app.id).await.unwrap().status,
        ApplicationStatus::Approved
    );
}

#[tokio::test]
async fn mailed_token_channel_ships_and_completes_on_receipt() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let app = sandbox_flow::submitted(&c, &p, "sandbox-sm2")
        .await
        .unwrap();
    sandbox_flow::paid(&c, &app.id).await.unwrap();
    let issued = c.sandbox_approve(&app.id).await.unwrap();
    assert_eq!(issued.status, ApplicationStatus::Issued);
    assert_eq!(issued.actions, vec![Action::View, Action::ConfirmReceipt]);
    let tn = issued.shipment.unwrap().tracking_number;
    let sms = c.sandbox_outbox(Some(&p.handler.phone)).await.unwrap();
    assert!(sms.items.iter().any(|m| m.body.contains(&tn)));
    assert!(
        sandbox_flow::mailed_card(&c, &app.id).await.is_err(),
        "no password card for a CA-made token"
    );
    let done = c.confirm_receipt(&app.id).await.unwrap();
    assert_eq!(done.status, ApplicationStatus::Completed);
    let finished = c
        .list_applications(ListState::Finished, None, None)
        .await
        .unwrap();
    assert!(finished.items.iter().any(|a| a.id == app.id));
}

#[tokio::test]
async fn review_command_lists_and_approves() {
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let app = sandbox_flow::submitted(&c, &p, "sandbox-p256")
        .await
        .unwrap();
    sandbox_flow::paid(&c, &app.id).await.unwrap();
    let dir = ca.dir.to_str().unwrap().to_string();
    let url = ca.url.clone();
    let id = app.id.clone();
    let (list, approve) = tokio::task::spawn_blocking(move || {
        let list = Command::new(bin())
            .args(["review", "list", "--ca", &url, "--data", &dir])
            .output()
            .unwrap();
        let approve = Command::new(bin())
            .args(["review", "approve", &id, "--ca", &url, "--data", &dir])
            .output()
            .unwrap();
        (list, approve)
    })
    .await
    .unwrap();
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    assert!(String::from_utf8_lossy(&list.stdout).contains(&app.id));
    assert!(
        approve.status.success(),
        "{}",
        String::from_utf8_lossy(&approve.stderr)
    );
    assert_eq!(
        c.application(&app.id).await.unwrap().status,
        ApplicationStatus::Approved
    );
}

/// `certdesk-ca sandbox order`: the fixture the app's payment and paper pages start from.
#[tokio::test]
async fn sandbox_order_stops_at_payment_or_at_the_paper() {
    let ca = Ca::start();
    let phone = sandbox_flow::Persona::new(seed()).handler.phone;
    let run = |channel: &str, stop: &str| {
        let out = Command::new(bin())
            .args(["sandbox", "order", "--ca", &ca.url, "--channel", channel])
            .args(["--phone", &phone, "--stop", stop, "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice::<sandbox_flow::StoppedOrder>(&out.stdout).unwrap()
    };
    let unpaid = run("sandbox-rsa", "awaiting-payment");
    assert_eq!(unpaid.phone, phone);
    let paper = run("sandbox-paper", "awaiting-paper");

    // Signed in as that phone, both orders are the applicant's own.
    let mut c = CaClient::new(&ca.url).unwrap();
    sandbox_flow::sign_in(&mut c, &phone).await.unwrap();
    let a = c.application(&unpaid.application_id).await.unwrap();
    assert_eq!(a.status, ApplicationStatus::AwaitingPayment);
    assert_eq!(a.input.enterprise.unwrap().name, unpaid.company_name);
    let b = c.application(&paper.application_id).await.unwrap();
    assert_eq!(b.status, ApplicationStatus::InReview);
    let p = b.paper.unwrap();
    assert!(p.tracking_number.is_none() && p.received_at.is_none());

    // Paid and approved, the review e-mail links into the desktop app.
    sandbox_flow::paid(&c, &unpaid.application_id)
        .await
        .unwrap();
    c.sandbox_approve(&unpaid.application_id).await.unwrap();
    let link = format!("certdesk://orders/{}", unpaid.application_id);
    let outbox = c.sandbox_outbox(None).await.unwrap();
    assert!(
        outbox
            .items
            .iter()
            .any(|m| m.channel == OutboxChannel::Email && m.body.contains(&link)),
        "no e-mail with {link}"
    );
}
