//! Issue 14 item 3 on the CA side: a point's daily close (日结). A day with a cash
//! payment for which nothing was made and a spoiled stock token lists both differences,
//! is not signed before both are explained, is signed with the supervisor's operator
//! token (a real SoftHSM2 key), and `certdesk-ca close verify` finds a close altered or
//! removed afterwards. Another point's supervisor sees none of it.

use std::process::{Command, Output};

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::*;
use crate::counter::{awaiting_payment, get, open_case, post, staffed};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn close_verify(dir: &std::path::Path) -> Output {
    Command::new(bin())
        .args(["close", "verify", "--data", dir.to_str().unwrap()])
        .output()
        .unwrap()
}

/// The China day (YYYY-MM-DD) of an RFC 3339 time from the CA.
fn china_day(rfc3339: &str) -> String {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap());
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

fn ids(close: &Value) -> Vec<String> {
    close["document"]["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

fn explanations(pairs: &[(&str, &str)]) -> Value {
    let items: Vec<Value> = pairs
        .iter()
        .map(|(id, text)| json!({"difference_id": id, "text": text}))
        .collect();
    json!(items)
}

#[tokio::test]
async fn a_day_with_differences_is_explained_signed_and_tamper_evident() {
    let mut ca = Ca::start();
    let p256 = "EC:prime256v1";
    let ops = staffed(
        &ca,
        &[
            ("BJ01", &["clerk"], p256),
            ("BJ01", &["supervisor"], p256),
            ("GZ09", &["supervisor"], p256),
        ],
    )
    .await;
    let [(clerk, clerk_t), (sup, sup_t), (_, far_t)]: [_; 3] = ops.try_into().ok().unwrap();

    // Cash taken for a case, and nothing made for it.
    let (app, _) = awaiting_payment(&ca).await;
    let case_id = open_case(&ca, &clerk_t, &app.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let paid = post(
        &ca,
        &clerk_t,
        &format!("/v1/operator/cases/{case_id}/payments"),
        json!({"method": "cash", "reference": "RCPT-0001"}),
    )
    .await;
    assert_eq!(paid.status, 201, "{}", paid.body);
    let amount = paid.body["amount_fen"].as_u64().unwrap();
    assert!(amount > 0);
    let payment_id = paid.body["id"].as_str().unwrap().to_string();
    let day = china_day(paid.body["created_at"].as_str().unwrap());
    // A stock token spoiled the same day (the stock's own routes are another helper's).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    rusqlite::Connection::open(ca.dir.join("ca.sqlite3"))
        .unwrap()
        .execute(
            "INSERT INTO stock_tokens (serial, point_id, model, state, reason, received_by,
                                       received_at, changed_by, changed_at)
             VALUES ('TK0001', 'BJ01', 'ePass3003', 'spoiled', 'PIN locked at initialisation',
                     ?1, ?2, ?1, ?2)",
            rusqlite::params![sup.id, now],
        )
        .unwrap();

    let path = format!("/v1/operator/closes/BJ01/{day}");
    // Only the point's supervisor: the clerk is refused, another point's supervisor
    // finds nothing.
    get(&ca, &clerk_t, &path)
        .await
        .assert_problem(403, "forbidden");
    get(&ca, &far_t, &path)
        .await
        .assert_problem(404, "not_found");
    post(
        &ca,
        &far_t,
        &format!("{path}/to-sign"),
        json!({"explanations": []}),
    )
    .await
    .assert_problem(404, "not_found");
    get(&ca, &sup_t, "/v1/operator/closes/BJ01/2999-01-01")
        .await
        .assert_problem(422, "validation_failed");

    let open = get(&ca, &sup_t, &path).await;
    assert_eq!(open.status, 200, "{}", open.body);
    let doc = &open.body["document"];
    assert_eq!(open.body["status"], "open");
    assert_eq!(
        doc["point"]["payments"],
        json!([{"method": "cash", "count": 1, "amount_fen": amount}])
    );
    assert_eq!(doc["point"]["paid_fen"], amount);
    assert_eq!(doc["point"]["certificates_made"], 0);
    assert_eq!(doc["point"]["tokens_spoiled"], 1);
    let by_op = |id: &str| {
        doc["operators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operator_id"] == id)
            .unwrap()["figures"]
            .clone()
    };
    assert_eq!(by_op(&clerk.id)["paid_fen"], amount);
    assert_eq!(by_op(&sup.id)["tokens_spoiled"], 1);
    let paid_diff = format!("paid_not_made:{payment_id}");
    assert_eq!(
        ids(&open.body),
        [paid_diff.as_str(), "token_spoiled:TK0001"]
    );
    assert_eq!(doc["differences"][0]["amount_fen"], amount);
    assert_eq!(
        doc["differences"][1]["note"],
        "PIN locked at initialisation"
    );

    // Not signed without an explanation for each difference.
    let none = post(
        &ca,
        &sup_t,
        &format!("{path}/to-sign"),
        json!({"explanations": []}),
    )
    .await;
    none.assert_problem(422, "differences_unexplained");
    assert_eq!(none.body["errors"].as_array().unwrap().len(), 2);
    let one = explanations(&[(&paid_diff, "申请人改日制证，已开收据")]);
    post(
        &ca,
        &sup_t,
        &format!("{path}/to-sign"),
        json!({"explanations": one}),
    )
    .await
    .assert_problem(422, "differences_unexplained");
    let bad = explanations(&[(&paid_diff, "bell\u{7}"), ("token_spoiled:TK0001", "x")]);
    post(
        &ca,
        &sup_t,
        &format!("{path}/to-sign"),
        json!({"explanations": bad}),
    )
    .await
    .assert_problem(422, "validation_failed");
    // Nor by signing straight away.
    post(
        &ca,
        &sup_t,
        &path,
        json!({"explanations": [], "document_sha256": "x", "certificate_serial": sup.serial, "signature": b64(b"x")}),
    )
    .await
    .assert_problem(422, "differences_unexplained");

    let both = explanations(&[
        (&paid_diff, "申请人改日制证，已开收据"),
        ("token_spoiled:TK0001", "初始化时锁死，退厂家"),
    ]);
    let to_sign = post(
        &ca,
        &sup_t,
        &format!("{path}/to-sign"),
        json!({"explanations": both}),
    )
    .await;
    assert_eq!(to_sign.status, 200, "{}", to_sign.body);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(to_sign.body["to_sign"].as_str().unwrap())
        .unwrap();
    assert!(bytes.starts_with(b"certdesk-ca daily close v1\n"));
    let digest = to_sign.body["document_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let sign_body = |sig: &[u8], digest: &str| {
        json!({"explanations": both, "document_sha256": digest,
               "certificate_serial": sup.serial, "signature": b64(sig)})
    };
    // Signed by another operator's key for the supervisor's certificate: refused.
    let forged = clerk.sign(&bytes);
    post(&ca, &sup_t, &path, sign_body(&forged, &digest))
        .await
        .assert_problem(401, "bad_signature");
    // Bytes of a day that has changed since: refused as such, nothing kept.
    post(
        &ca,
        &sup_t,
        &path,
        sign_body(&sup.sign(&bytes), &"0".repeat(64)),
    )
    .await
    .assert_problem(412, "precondition_failed");
    let signed = post(&ca, &sup_t, &path, sign_body(&sup.sign(&bytes), &digest)).await;
    assert_eq!(signed.status, 201, "{}", signed.body);
    assert_eq!(signed.body["status"], "signed");
    assert_eq!(signed.body["signature"]["operator_id"], sup.id.as_str());
    assert_eq!(
        signed.body["signature"]["certificate_serial"],
        sup.serial.as_str()
    );
    assert_eq!(
        signed.body["signature"]["document_sha256"],
        to_sign.body["document_sha256"]
    );
    assert_eq!(
        signed.body["document"]["differences"][1]["explanation"],
        "初始化时锁死，退厂家"
    );
    // Closed for good: no second signing; a correction is a new entry beside it.
    post(&ca, &sup_t, &path, sign_body(&sup.sign(&bytes), &digest))
        .await
        .assert_problem(409, "already_exists");
    let corrected = post(
        &ca,
        &sup_t,
        &format!("{path}/corrections"),
        json!({"text": "收据号应为 RCPT-0002"}),
    )
    .await;
    assert_eq!(corrected.status, 201, "{}", corrected.body);
    assert_eq!(
        corrected.body["corrections"][0]["text"],
        "收据号应为 RCPT-0002"
    );
    assert_eq!(corrected.body["document"], signed.body["document"]);
    post(
        &ca,
        &far_t,
        &format!("{path}/corrections"),
        json!({"text": "x"}),
    )
    .await
    .assert_problem(404, "not_found");

    // The report, read back by an independent PDF reader.
    let url = format!("{}{path}/report", ca.url);
    raw(ca.http().get(&url).bearer_auth(&far_t))
        .await
        .assert_problem(404, "not_found");
    let resp = ca
        .http()
        .get(&url)
        .bearer_auth(&sup_t)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let text = crate::making::pdf_text(&resp.bytes().await.unwrap());
    let fingerprint = signed.body["signature"]["signature_sha256"]
        .as_str()
        .unwrap();
    for want in [
        "日结报告",
        "BJ01",
        day.as_str(),
        "已签署",
        "现金",
        "已收款未制证",
        "申请人改日制证，已开收据",
        "USBKey报废",
        "初始化时锁死，退厂家",
        sup.id.as_str(),
        clerk.id.as_str(),
        sup.serial.as_str(),
        fingerprint,
        "收据号应为RCPT-0002",
    ] {
        assert!(text.contains(want), "report lacks {want}: {text}");
    }

    let ok = close_verify(&ca.dir);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("1 signed"));
    assert!(ca.sigterm().success());

    // A figure changed in SQLite (its hash column too): the signature no longer holds.
    let conn = rusqlite::Connection::open(ca.dir.join("ca.sqlite3")).unwrap();
    conn.execute_batch("DROP TRIGGER daily_closes_no_update; DROP TRIGGER daily_closes_no_delete;")
        .unwrap();
    let doc: String = conn
        .query_row("SELECT document FROM daily_closes", [], |r| r.get(0))
        .unwrap();
    let altered = doc.replacen(&format!("\"paid_fen\":{amount}"), "\"paid_fen\":0", 1);
    assert_ne!(altered, doc);
    conn.execute(
        "UPDATE daily_closes SET document = ?1, document_sha256 = ?2",
        rusqlite::params![altered, hex::encode(Sha256::digest(altered.as_bytes()))],
    )
    .unwrap();
    let out = close_verify(&ca.dir);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "verify passed an altered close");
    assert!(err.contains(&format!("close BJ01 {day}")), "{err}");
    assert!(err.contains("signature"), "{err}");
    // Removed altogether: the audit log still records its signing.
    conn.execute("DELETE FROM daily_closes", []).unwrap();
    let out = close_verify(&ca.dir);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "verify passed a removed close");
    assert!(err.contains("missing"), "{err}");
}
