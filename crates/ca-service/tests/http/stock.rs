//! Issue 14 item 2 on the CA side: a point's token stock. Tokens are received by
//! serial (a serial held anywhere is refused alone, without naming the point), counted
//! per model and state, spoiled or returned with a reason (audited), never seen or
//! changed from another point; with `stock_required`, making onto a token outside the
//! stock is refused, and the recorded token becomes `made` for its case.

use serde_json::{Value, json};

use crate::common::*;
use crate::counter::{awaiting_payment, get, open_case, post, staffed};
use crate::making::applicant_token;
use crate::operators::ca_cli;

const P256: &str = "EC:prime256v1";

async fn put(ca: &Ca, token: &str, path: &str, body: Value) -> Raw {
    raw(ca
        .http()
        .put(format!("{}{path}", ca.url))
        .bearer_auth(token)
        .json(&body))
    .await
}

async fn receive(ca: &Ca, token: &str, model: &str, serials: &[&str]) -> Raw {
    post(
        ca,
        token,
        "/v1/operator/stock",
        json!({"model": model, "serials": serials}),
    )
    .await
}

async fn take_out(ca: &Ca, token: &str, serial: &str, state: &str, reason: &str) -> Raw {
    post(
        ca,
        token,
        &format!("/v1/operator/stock/{serial}/state"),
        json!({"state": state, "reason": reason}),
    )
    .await
}

fn count<'a>(stock: &'a Value, model: &str) -> &'a Value {
    stock["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["model"] == model)
        .unwrap_or(&Value::Null)
}

fn serials(stock: &Value) -> Vec<&str> {
    stock["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["serial"].as_str())
        .collect()
}

#[tokio::test]
async fn a_point_receives_counts_and_spoils_its_own_tokens_only() {
    let ca = Ca::start();
    let ops = staffed(
        &ca,
        &[
            ("BJ01", &["clerk"], P256),
            ("BJ01", &["reviewer"], P256),
            ("BJ01", &["supervisor"], P256),
            ("GZ09", &["maker"], P256),
        ],
    )
    .await;
    let [(clerk, clerk_t), (_, reviewer_t), (_, super_t), (_, far_t)]: [_; 4] =
        ops.try_into().ok().unwrap();

    let got = receive(
        &ca,
        &clerk_t,
        "ePass3003",
        &["EP-0001", "EP-0002", "EP-0003"],
    )
    .await;
    assert_eq!(got.status, 201, "{}", got.body);
    assert_eq!(
        got.body["received"],
        json!(["EP-0001", "EP-0002", "EP-0003"])
    );
    assert_eq!(got.body["refused"], json!([]));
    let more = receive(&ca, &super_t, "SoftHSM", &["SH-1", " SH-2 "]).await;
    assert_eq!(more.status, 201, "{}", more.body);

    // Already here, repeated in the list, or at another point: refused one by one,
    // the rest received; the other point is not named.
    let dup = receive(
        &ca,
        &clerk_t,
        "ePass3003",
        &["EP-0001", "EP-0004", "EP-0004"],
    )
    .await;
    assert_eq!(dup.status, 201, "{}", dup.body);
    assert_eq!(dup.body["received"], json!(["EP-0004"]));
    assert_eq!(
        dup.body["refused"],
        json!([{"serial": "EP-0001", "reason": "already_here"},
               {"serial": "EP-0004", "reason": "repeated"}])
    );
    let far = receive(&ca, &far_t, "ePass3003", &["EP-0002", "GZ-1"]).await;
    assert_eq!(far.status, 201, "{}", far.body);
    assert_eq!(
        far.body["refused"],
        json!([{"serial": "EP-0002", "reason": "elsewhere"}])
    );
    assert!(!far.body.to_string().contains("BJ01"), "{}", far.body);

    // Bad input: each malformed serial by index, a missing model, too many serials, a
    // reviewer (no stock role).
    let bad = receive(&ca, &clerk_t, "ePass3003", &["OK-1", "bad serial!", ""]).await;
    bad.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["serials[1]", "serials[2]"]);
    receive(&ca, &clerk_t, " ", &["OK-1"])
        .await
        .assert_problem(422, "validation_failed");
    let many: Vec<String> = (0..501).map(|i| format!("N-{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    receive(&ca, &clerk_t, "ePass3003", &many)
        .await
        .assert_problem(422, "validation_failed");
    receive(&ca, &reviewer_t, "ePass3003", &["RV-1"])
        .await
        .assert_problem(403, "forbidden");

    // Counts over the whole stock, per model and state.
    let stock = get(&ca, &clerk_t, "/v1/operator/stock").await;
    assert_eq!(stock.status, 200, "{}", stock.body);
    assert_eq!(stock.body["point_id"], "BJ01");
    assert_eq!(stock.body["stock_required"], false);
    assert_eq!(
        stock.body["counts"],
        json!([
            {"model": "SoftHSM", "in_stock": 2, "made": 0, "spoiled": 0, "returned": 0},
            {"model": "ePass3003", "in_stock": 4, "made": 0, "spoiled": 0, "returned": 0},
        ])
    );
    assert_eq!(serials(&stock.body).len(), 6);
    let far_stock = get(&ca, &far_t, "/v1/operator/stock").await;
    assert_eq!(serials(&far_stock.body), ["GZ-1"]);

    // Spoiled with a reason, returned with a reason; the other point cannot touch them.
    take_out(&ca, &far_t, "EP-0003", "spoiled", "x")
        .await
        .assert_problem(404, "not_found");
    take_out(&ca, &clerk_t, "EP-0003", "spoiled", "  ")
        .await
        .assert_problem(422, "validation_failed");
    take_out(&ca, &clerk_t, "EP-0003", "spoiled", "line\u{7}bell")
        .await
        .assert_problem(422, "validation_failed");
    take_out(&ca, &clerk_t, "EP-0003", "made", "by hand")
        .await
        .assert_problem(422, "validation_failed");
    let spoiled = take_out(&ca, &clerk_t, "EP-0003", "spoiled", "外壳破裂 cracked case").await;
    assert_eq!(spoiled.status, 200, "{}", spoiled.body);
    assert_eq!(spoiled.body["state"], "spoiled");
    assert_eq!(spoiled.body["reason"], "外壳破裂 cracked case");
    assert_eq!(spoiled.body["changed_by"], clerk.id.as_str());
    // Only from in_stock.
    take_out(&ca, &clerk_t, "EP-0003", "returned", "again")
        .await
        .assert_problem(409, "invalid_state");
    let returned = take_out(&ca, &super_t, "SH-2", "returned", "供应商召回").await;
    assert_eq!(returned.status, 200, "{}", returned.body);

    let stock = get(&ca, &clerk_t, "/v1/operator/stock").await;
    assert_eq!(
        count(&stock.body, "ePass3003"),
        &json!({"model": "ePass3003", "in_stock": 3, "made": 0, "spoiled": 1, "returned": 0})
    );
    assert_eq!(
        count(&stock.body, "SoftHSM"),
        &json!({"model": "SoftHSM", "in_stock": 1, "made": 0, "spoiled": 0, "returned": 1})
    );
    // Filters.
    let spoiled_only = get(&ca, &clerk_t, "/v1/operator/stock?state=spoiled").await;
    assert_eq!(serials(&spoiled_only.body), ["EP-0003"]);
    let sh = get(
        &ca,
        &clerk_t,
        "/v1/operator/stock?model=SoftHSM&state=in_stock",
    )
    .await;
    assert_eq!(serials(&sh.body), ["SH-1"]);
    get(&ca, &clerk_t, "/v1/operator/stock?state=lost")
        .await
        .assert_problem(422, "validation_failed");

    // The audit log names the operator, the point, the serial and the reason.
    let log = get(
        &ca,
        &ca.staff_token(),
        "/v1/staff/audit?action=stock.spoil&limit=100",
    )
    .await;
    let items = log.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", log.body);
    let e = &items[0];
    assert_eq!(e["actor"], format!("operator:{}", clerk.id));
    assert_eq!(e["point"], "BJ01");
    assert_eq!(e["token_serial"], "EP-0003");
    assert_eq!(e["details"]["reason"], "外壳破裂 cracked case");
    let received = get(
        &ca,
        &ca.staff_token(),
        "/v1/staff/audit?action=stock.receive&point=BJ01&limit=100",
    )
    .await;
    assert_eq!(received.body["items"].as_array().unwrap().len(), 6);

    // The switch: the supervisor of the point, or the CA's staff by the CLI.
    put(
        &ca,
        &clerk_t,
        "/v1/operator/stock/policy",
        json!({"stock_required": true}),
    )
    .await
    .assert_problem(403, "forbidden");
    let on = put(
        &ca,
        &super_t,
        "/v1/operator/stock/policy",
        json!({"stock_required": true}),
    )
    .await;
    assert_eq!(on.status, 200, "{}", on.body);
    let stock = get(&ca, &clerk_t, "/v1/operator/stock").await;
    assert_eq!(stock.body["stock_required"], true);
    let far_stock = get(&ca, &far_t, "/v1/operator/stock").await;
    assert_eq!(far_stock.body["stock_required"], false);
    let out = ca_cli(&ca, &["point", "stock-required", "BJ01", "off"]);
    assert!(out.contains("stock_required=false"), "{out}");
    let stock = get(&ca, &clerk_t, "/v1/operator/stock").await;
    assert_eq!(stock.body["stock_required"], false);
}

#[tokio::test]
async fn with_the_stock_required_only_a_token_in_stock_is_made_and_becomes_made() {
    let ca = Ca::start();
    let ops = staffed(
        &ca,
        &[
            ("BJ01", &["clerk"], P256),
            ("BJ01", &["reviewer"], P256),
            ("BJ01", &["maker", "supervisor"], P256),
        ],
    )
    .await;
    let [(_, clerk_t), (_, reviewer_t), (maker, maker_t)]: [_; 3] = ops.try_into().ok().unwrap();
    let (app, _) = awaiting_payment(&ca).await;
    let opened = open_case(&ca, &clerk_t, &app.id).await;
    let case_id = opened.body["id"].as_str().unwrap().to_string();
    let path = |tail: &str| format!("/v1/operator/cases/{case_id}/{tail}");
    let paid = post(
        &ca,
        &clerk_t,
        &path("payments"),
        json!({"method": "cash", "reference": "R-0001"}),
    )
    .await;
    assert_eq!(paid.status, 201, "{}", paid.body);
    let approved = post(&ca, &reviewer_t, &path("approve"), json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.body);
    let enr = post(&ca, &maker_t, &path("enrollment"), json!({})).await;
    assert_eq!(enr.status, 201, "{}", enr.body);
    let (_hsm, serial, csr) = applicant_token();
    let enrolled = certdesk_ca_client::CaClient::new(&ca.url)
        .unwrap()
        .with_token(secrecy::SecretString::from(
            enr.body["token"].as_str().unwrap().to_string(),
        ));
    enrolled.finalize(&csr).await.unwrap();
    enrolled.confirm_download().await.unwrap();
    let policy = |on: bool| json!({"stock_required": on});
    let so_pin = json!({"token_serial": serial});
    let record = json!({"token_serial": serial});

    // Required, and the token was never received: refused at the SO PIN already, and
    // at recording (a blank token's serial is known only then).
    let on = put(&ca, &maker_t, "/v1/operator/stock/policy", policy(true)).await;
    assert_eq!(on.status, 200, "{}", on.body);
    post(&ca, &maker_t, &path("so-pin"), so_pin.clone())
        .await
        .assert_problem(409, "token_not_in_stock");
    let blank = post(&ca, &maker_t, &path("so-pin"), json!({})).await;
    assert_eq!(blank.status, 200, "{}", blank.body);
    post(&ca, &maker_t, &path("token"), record.clone())
        .await
        .assert_problem(409, "token_not_in_stock");

    // Not required: the same token is allowed.
    put(&ca, &maker_t, "/v1/operator/stock/policy", policy(false)).await;
    let allowed = post(&ca, &maker_t, &path("so-pin"), so_pin.clone()).await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);

    // Required again, a spoiled token is refused too; once received, it is made.
    put(&ca, &maker_t, "/v1/operator/stock/policy", policy(true)).await;
    let got = receive(&ca, &maker_t, "SoftHSM", &[&serial, "SPARE-1"]).await;
    assert_eq!(got.status, 201, "{}", got.body);
    take_out(&ca, &maker_t, "SPARE-1", "spoiled", "初始化失败").await;
    post(
        &ca,
        &maker_t,
        &path("token"),
        json!({"token_serial": "SPARE-1"}),
    )
    .await
    .assert_problem(409, "token_not_in_stock");
    let ok = post(&ca, &maker_t, &path("so-pin"), so_pin).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let recorded = post(&ca, &maker_t, &path("token"), record.clone()).await;
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    // Recording again answers as recorded (the token is made, no longer in stock).
    let again = post(&ca, &maker_t, &path("token"), record).await;
    assert_eq!(again.status, 200, "{}", again.body);

    let stock = get(&ca, &maker_t, "/v1/operator/stock?state=made").await;
    let made = &stock.body["items"][0];
    assert_eq!(made["serial"], serial.as_str());
    assert_eq!(made["case_id"], case_id.as_str());
    assert_eq!(made["application_id"], app.id.as_str());
    assert_eq!(made["changed_by"], maker.id.as_str());
    assert_eq!(
        count(&stock.body, "SoftHSM"),
        &json!({"model": "SoftHSM", "in_stock": 0, "made": 1, "spoiled": 1, "returned": 0})
    );
    // A made token is not spoiled by hand.
    take_out(&ca, &maker_t, &serial, "spoiled", "x")
        .await
        .assert_problem(409, "invalid_state");
    let log = get(
        &ca,
        &ca.staff_token(),
        &format!(
            "/v1/staff/audit?application_id={}&action=case.token",
            app.id
        ),
    )
    .await;
    assert_eq!(log.body["items"][0]["details"]["stock"], "made");
}
