//! Issue 14 item 4 on the CA side: the supervisor's numbers. A case served at the
//! counter with the CA's clock moved between its steps comes back with each stage's
//! seconds and who served it; the token's model is the stock's where the point stocks
//! it, else what the token reported; an open case has only the stages it reached. Only
//! the point's supervisor reads them; another point's finds nothing.

use secrecy::SecretString;
use serde_json::{Value, json};

use crate::common::*;
use crate::counter::{awaiting_payment, get, open_case, post, staffed};
use crate::making::applicant_token;

fn stages(case: &Value) -> Vec<(String, u64, String)> {
    case["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_string(),
                s["seconds"].as_u64().unwrap(),
                s["operator_id"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

/// Today at the CA, China time (its clock is moved forward by the test).
async fn china_today(ca: &Ca) -> String {
    let health = raw(ca.http().get(format!("{}/healthz", ca.url))).await;
    let now = health.body["server_time"].as_str().unwrap().to_string();
    let t = time::OffsetDateTime::parse(&now, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap());
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

#[tokio::test]
async fn each_case_comes_back_with_its_stages_their_seconds_and_who_served_them() {
    let ca = Ca::start_with(&["--sandbox", "--test-clock"]);
    let p256 = "EC:prime256v1";
    let ops = staffed(
        &ca,
        &[
            ("BJ01", &["clerk"], p256),
            ("BJ01", &["reviewer"], p256),
            ("BJ01", &["maker"], p256),
            ("BJ01", &["supervisor"], p256),
            ("GZ09", &["supervisor"], p256),
        ],
    )
    .await;
    let [
        (clerk, clerk_t),
        (reviewer, reviewer_t),
        (maker, maker_t),
        (_, sup_t),
        (_, far_t),
    ]: [_; 5] = ops.try_into().ok().unwrap();
    let from = china_today(&ca).await;

    // A case from opening to hand-over, the clock moved between its steps.
    let (app, _) = awaiting_payment(&ca).await;
    let phone = app.input.contact_phone().unwrap().to_string();
    let case_id = open_case(&ca, &clerk_t, &app.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = |tail: &str| format!("/v1/operator/cases/{case_id}/{tail}");
    ca.advance_clock(120).await;
    let checked = post(
        &ca,
        &clerk_t,
        &path("checks"),
        json!({"field": "enterprise.name", "outcome": "checked"}),
    )
    .await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    ca.advance_clock(60).await;
    let paid = post(
        &ca,
        &clerk_t,
        &path("payments"),
        json!({"method": "pos", "reference": "SLIP-1"}),
    )
    .await;
    assert_eq!(paid.status, 201, "{}", paid.body);
    ca.advance_clock(300).await;
    assert_eq!(
        post(&ca, &reviewer_t, &path("approve"), json!({}))
            .await
            .status,
        200
    );
    ca.advance_clock(30).await;
    let enr = post(&ca, &maker_t, &path("enrollment"), json!({})).await;
    assert_eq!(enr.status, 201, "{}", enr.body);
    let (_hsm, token_serial, csr) = applicant_token();
    let enrolled = certdesk_ca_client::CaClient::new(&ca.url)
        .unwrap()
        .with_token(SecretString::from(
            enr.body["token"].as_str().unwrap().to_string(),
        ));
    enrolled.finalize(&csr).await.unwrap();
    enrolled.confirm_download().await.unwrap();
    ca.advance_clock(90).await;
    // The model as the token reports it (PKCS#11 pads it with blanks).
    let recorded = post(
        &ca,
        &maker_t,
        &path("token"),
        json!({"token_serial": token_serial, "token_model": "SoftHSM v2      "}),
    )
    .await;
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    ca.advance_clock(45).await;
    assert_eq!(
        post(&ca, &maker_t, &path("handover/code"), json!({}))
            .await
            .status,
        200
    );
    let code = certdesk_ca_service::sandbox_flow::latest_code(&ca.client(), &phone)
        .await
        .unwrap();
    let handed = post(&ca, &maker_t, &path("handover"), json!({"code": code})).await;
    assert_eq!(handed.status, 200, "{}", handed.body);

    // A second case, only opened and checked.
    let (app2, _) = awaiting_payment(&ca).await;
    let open_id = open_case(&ca, &clerk_t, &app2.id).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    ca.advance_clock(15).await;
    post(
        &ca,
        &clerk_t,
        &format!("/v1/operator/cases/{open_id}/checks"),
        json!({"field": "enterprise.name", "outcome": "checked"}),
    )
    .await;

    let to = china_today(&ca).await;
    let numbers = format!("/v1/operator/numbers/BJ01?from={from}&to={to}");
    // Only the point's supervisor.
    get(&ca, &clerk_t, &numbers)
        .await
        .assert_problem(403, "forbidden");
    get(&ca, &far_t, &numbers)
        .await
        .assert_problem(404, "not_found");
    for bad in [
        format!("/v1/operator/numbers/BJ01?from={to}&to=2999-01-01"),
        "/v1/operator/numbers/BJ01?from=2026-01-01&to=2026-03-01".to_string(),
        format!("/v1/operator/numbers/BJ01?from=yesterday&to={to}"),
    ] {
        get(&ca, &sup_t, &bad)
            .await
            .assert_problem(422, "validation_failed");
    }
    get(&ca, &sup_t, "/v1/operator/numbers/BJ01")
        .await
        .assert_problem(422, "validation_failed");

    let got = get(&ca, &sup_t, &numbers).await;
    assert_eq!(got.status, 200, "{}", got.body);
    let cases = got.body["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2, "{}", got.body);
    let done = &cases[0];
    assert_eq!(done["case_id"], case_id.as_str());
    assert_eq!(done["token_model"], "SoftHSM v2");
    assert!(done["finished_at"].is_string());
    // The clock moved by the test, plus the seconds the steps themselves took.
    let expect = |case: &Value, want: &[(&str, u64, &str)]| {
        let got = stages(case);
        assert_eq!(got.len(), want.len(), "{got:?}");
        for ((stage, secs, who), (w_stage, w_secs, w_who)) in got.iter().zip(want) {
            assert_eq!(
                (stage.as_str(), who.as_str()),
                (*w_stage, *w_who),
                "{got:?}"
            );
            assert!((*w_secs..*w_secs + 30).contains(secs), "{got:?}");
        }
    };
    expect(
        done,
        &[
            ("verifying", 120, &clerk.id),
            ("paying", 60, &clerk.id),
            ("waiting", 330, &reviewer.id),
            ("making", 90, &maker.id),
            ("handing_over", 45, &maker.id),
        ],
    );
    let open = &cases[1];
    assert_eq!(open["case_id"], open_id.as_str());
    assert!(open["finished_at"].is_null());
    expect(open, &[("verifying", 15, &clerk.id)]);
    let names: Vec<&str> = got.body["operators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["operator_id"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&maker.id.as_str()) && names.len() == 4,
        "{names:?}"
    );

    // The point's stock names the model where it holds the token.
    rusqlite::Connection::open(ca.dir.join("ca.sqlite3"))
        .unwrap()
        .execute(
            "INSERT INTO stock_tokens (serial, point_id, model, state, case_id, received_by,
                                       received_at)
             VALUES (?1, 'BJ01', 'ePass3003', 'made', ?2, ?3, 0)",
            rusqlite::params![token_serial, case_id, maker.id],
        )
        .unwrap();
    let again = get(&ca, &sup_t, &numbers).await;
    assert_eq!(again.body["cases"][0]["token_model"], "ePass3003");
}
