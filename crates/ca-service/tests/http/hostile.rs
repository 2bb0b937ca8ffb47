//! Hostile strings in every text field the CA accepts (issue 12, part 3): each field of
//! each request body and query, × each hostile string, must be refused with a problem
//! naming the field (or 413 for a body over the JSON bound), never accepted.

use certdesk_ca_api::limits as max;
use serde_json::{Value, json};

use crate::common::{Ca, bearer, raw, seed, send_tcp};

/// The phone + captcha fields of the unauthenticated requests.
const CAPTCHA: &[(&str, usize)] = &[
    ("phone", max::IDENTITY_NUMBER),
    ("captcha_id", max::IDENTIFIER),
    ("captcha_answer", max::CODE),
];

/// Marker replaced, in the serialised body, by the hostile string's JSON text.
const MARK: &str = "\"@@HOSTILE@@\"";

/// A hostile string: its JSON text and the refusal it must get.
struct Hostile {
    name: String,
    json: String,
    /// `None`: the body is over the bound → 413.
    kind: Option<&'static str>,
}

fn hostile_strings(limit: usize) -> Vec<Hostile> {
    let mut v = Vec::new();
    let mut text = |name: String, s: String, kind: Option<&'static str>| {
        v.push(Hostile {
            name,
            json: serde_json::to_string(&s).unwrap(),
            kind,
        })
    };
    for c in [
        '\0', '\u{1}', '\t', '\n', '\r', '\u{1B}', '\u{1F}', '\u{7F}', '\u{80}', '\u{85}',
        '\u{9B}', '\u{9F}',
    ] {
        text(
            format!("U+{:04X}", c as u32),
            format!("a{c}b"),
            Some("control_char"),
        );
    }
    for c in [
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
    ] {
        text(
            format!("U+{:04X}", c as u32),
            format!("a{c}b"),
            Some("bidi_control"),
        );
    }
    text(
        format!("{} chars", limit + 1),
        "字".repeat(limit + 1),
        Some("too_long"),
    );
    text("1 MB".into(), "a".repeat(1 << 20), None);
    for esc in ["\\ud800", "\\udc00", "\\uDBFF\\u0041"] {
        v.push(Hostile {
            name: format!("lone surrogate {esc}"),
            json: format!("\"a{esc}b\""),
            kind: Some("unpaired_surrogate"),
        });
    }
    v
}

/// One text field of one request: where it sits in the body, the name the CA reports
/// it under, and its bound.
struct Field {
    method: reqwest::Method,
    path: String,
    auth: Option<String>,
    body: Value,
    pointer: String,
    reported: String,
    limit: usize,
}

fn set(body: &mut Value, pointer: &str) {
    *body
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer}")) = Value::String("@@HOSTILE@@".into());
}

/// Every (pointer, reported name, bound) of an `ApplicationInput` under `base`.
fn input_fields(base: &str) -> Vec<(String, String, usize)> {
    let f = |part: &str, name: &str, limit| {
        (
            format!("{base}/{part}/{name}"),
            format!("{part}.{name}"),
            limit,
        )
    };
    vec![
        f("enterprise", "uscc", max::IDENTITY_NUMBER),
        f("enterprise", "org_code", max::IDENTITY_NUMBER),
        f("enterprise", "name", max::ORGANISATION_NAME),
        f("enterprise", "legal_rep_name", max::PERSON_NAME),
        f("enterprise", "legal_rep_id_number", max::IDENTITY_NUMBER),
        f("enterprise", "legal_rep_phone", max::IDENTITY_NUMBER),
        f("handler", "name", max::PERSON_NAME),
        f("handler", "id_number", max::IDENTITY_NUMBER),
        f("handler", "phone", max::IDENTITY_NUMBER),
        f("handler", "email", max::EMAIL),
        f("certificate", "common_name", max::COMMON_NAME),
        f("certificate", "province", max::PLACE),
        f("certificate", "city", max::PLACE),
        f("invoice", "title", max::INVOICE_TITLE),
        f("invoice", "tax_number", max::IDENTITY_NUMBER),
        f("invoice", "email", max::EMAIL),
        f("mailing", "recipient", max::PERSON_NAME),
        f("mailing", "phone", max::IDENTITY_NUMBER),
        f("mailing", "address", max::ADDRESS),
        f("mailing", "postcode", max::IDENTITY_NUMBER),
    ]
}

#[tokio::test]
async fn every_text_field_refuses_every_hostile_string() {
    use reqwest::Method;
    let ca = Ca::start();
    let (c, p) = ca.signed_in(seed()).await;
    let app = c
        .create_application(&crate::common::new_org(&p), None)
        .await
        .unwrap();
    let user = Some(bearer(&c));
    let staff = Some(format!("Bearer {}", ca.staff_token()));
    let mut input = serde_json::to_value(p.input()).unwrap();
    input["certificate"]["common_name"] = json!("示例");
    let create = json!({"channel_id": "sandbox-rsa", "business": "new_org_certificate",
        "input": input, "certificate_serial": "00"});
    let captcha = json!({"phone": "13800138000", "captcha_id": "c", "captcha_answer": "a"});

    let mut fields = Vec::new();
    let mut add = |method: Method,
                   path: String,
                   auth: &Option<String>,
                   body: &Value,
                   list: Vec<(String, String, usize)>| {
        for (pointer, reported, limit) in list {
            fields.push(Field {
                method: method.clone(),
                path: path.clone(),
                auth: auth.clone(),
                body: body.clone(),
                pointer,
                reported,
                limit,
            });
        }
    };
    let one = |pointer: &str, reported: &str, limit: usize| {
        vec![(pointer.to_string(), reported.to_string(), limit)]
    };
    let many = |names: &[(&str, usize)]| {
        names
            .iter()
            .map(|(n, l)| (format!("/{n}"), n.to_string(), *l))
            .collect::<Vec<_>>()
    };
    // The fields of a request that also carries the phone + captcha triple.
    let with_captcha = |names: &[(&str, usize)]| {
        let mut all = many(names);
        all.extend(many(CAPTCHA));
        all
    };
    // The captcha request body plus `extra`'s fields.
    let captcha_and = |extra: Value| {
        let mut body = captcha.clone();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let mut create_fields = input_fields("/input");
    create_fields.extend(one("/channel_id", "channel_id", max::IDENTIFIER));
    create_fields.extend(one(
        "/certificate_serial",
        "certificate_serial",
        max::IDENTIFIER,
    ));
    add(
        Method::POST,
        "/v1/applications".into(),
        &user,
        &create,
        create_fields,
    );
    add(
        Method::PATCH,
        format!("/v1/applications/{}", app.id),
        &user,
        &input,
        input_fields(""),
    );
    add(
        Method::PUT,
        format!("/v1/applications/{}/paper/tracking", app.id),
        &user,
        &json!({"courier": "顺丰", "tracking_number": "SF1"}),
        many(&[
            ("courier", max::COURIER),
            ("tracking_number", max::TRACKING_NUMBER),
        ]),
    );
    for path in [
        format!("/v1/staff/applications/{}/reject", app.id),
        format!("/sandbox/applications/{}/reject", app.id),
    ] {
        add(
            Method::POST,
            path,
            &staff,
            &json!({"reasons": ["ok", "x"]}),
            one("/reasons/1", "reasons[1]", max::REASON),
        );
    }
    add(
        Method::POST,
        format!("/v1/applications/{}/handler-verification", app.id),
        &user,
        &json!({"method": "bank_card", "bank_card": "6222020200112233445"}),
        many(&[("bank_card", max::IDENTITY_NUMBER)]),
    );
    add(
        Method::POST,
        "/v1/authorisations/auth_x/sign".into(),
        &user,
        &json!({"code": "123456"}),
        many(&[("code", max::CODE)]),
    );
    add(
        Method::POST,
        format!("/v1/applications/{}/signature", app.id),
        &user,
        &json!({"code": "123456", "consent": true}),
        many(&[("code", max::CODE)]),
    );
    add(
        Method::POST,
        "/v1/auth/otp".into(),
        &None,
        &captcha,
        many(CAPTCHA),
    );
    add(
        Method::POST,
        "/v1/auth/token".into(),
        &None,
        &json!({"phone": "13800138000", "code": "123456"}),
        many(&[("phone", max::IDENTITY_NUMBER), ("code", max::CODE)]),
    );
    let lookup = captcha_and(json!({
        "org_code": "M000100Y4",
        "handler_id_number": "11010519491231002X",
    }));
    add(
        Method::POST,
        "/v1/downloads/lookup".into(),
        &None,
        &lookup,
        with_captcha(&[
            ("org_code", max::IDENTITY_NUMBER),
            ("handler_id_number", max::IDENTITY_NUMBER),
        ]),
    );
    let authorise = captcha_and(json!({
        "org_code": "M000100Y4",
        "card_serial": "PC1",
        "card_password": "secret",
    }));
    add(
        Method::POST,
        "/v1/downloads/authorise".into(),
        &None,
        &authorise,
        with_captcha(&[
            ("card_serial", max::IDENTIFIER),
            ("card_password", max::CODE),
            ("org_code", max::IDENTITY_NUMBER),
        ]),
    );
    add(
        Method::POST,
        "/v1/renewals/challenge".into(),
        &None,
        &json!({"serial": "00"}),
        many(&[("serial", max::IDENTIFIER)]),
    );
    add(
        Method::POST,
        "/v1/renewals".into(),
        &None,
        &json!({"serial": "00", "challenge_id": "c", "signature": "AA=="}),
        many(&[
            ("serial", max::IDENTIFIER),
            ("challenge_id", max::IDENTIFIER),
            ("signature", max::PEM),
        ]),
    );
    let unlock = captcha_and(json!({"certificate_serial": "00", "token_serial": "T1"}));
    add(
        Method::POST,
        "/v1/unlock".into(),
        &None,
        &unlock,
        with_captcha(&[
            ("certificate_serial", max::IDENTIFIER),
            ("token_serial", max::IDENTIFIER),
        ]),
    );
    add(
        Method::POST,
        "/v1/unlock/u_x/authorise".into(),
        &None,
        &json!({"code": "123456"}),
        many(&[("code", max::CODE)]),
    );
    add(
        Method::POST,
        "/v1/invoices/inv_x/resend".into(),
        &user,
        &json!({"email": "a@example.cn"}),
        many(&[("email", max::EMAIL)]),
    );
    add(
        Method::POST,
        "/sandbox/registry".into(),
        &None,
        &serde_json::to_value(&p.company).unwrap(),
        many(&[
            ("uscc", max::IDENTITY_NUMBER),
            ("name", max::ORGANISATION_NAME),
            ("legal_rep_name", max::PERSON_NAME),
            ("legal_rep_id_number", max::IDENTITY_NUMBER),
            ("status", max::STATUS_WORD),
        ]),
    );
    // Also a signed payment notification: the signature is checked first, so sign it.
    let notify_fields = many(&[
        ("payment_id", max::IDENTIFIER),
        ("provider_transaction_id", max::IDENTIFIER),
    ]);

    let http = ca.http();
    let mut cases = 0;
    for f in &fields {
        for h in hostile_strings(f.limit) {
            // Multi-line blocks (a base64 signature, a PEM) may break lines.
            if f.limit == max::PEM && (h.name == "U+000A" || h.name == "U+000D") {
                continue;
            }
            let mut body = f.body.clone();
            set(&mut body, &f.pointer);
            let text = body.to_string().replace(MARK, &h.json);
            if h.kind.is_none() {
                let auth = f
                    .auth
                    .as_ref()
                    .map(|a| format!("Authorization: {a}\r\n"))
                    .unwrap_or_default();
                let head = format!(
                    "{} {} HTTP/1.1\r\nHost: {{addr}}\r\nContent-Type: application/json\r\n\
                     If-Match: *\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n",
                    f.method,
                    f.path,
                    text.len()
                );
                let r = send_tcp(&ca.url, &head, text.as_bytes()).await;
                check(
                    &r,
                    &h,
                    &f.reported,
                    &format!("{} {} {}", f.method, f.path, f.pointer),
                );
                cases += 1;
                continue;
            }
            let mut rb = http
                .request(f.method.clone(), format!("{}{}", ca.url, f.path))
                .header("content-type", "application/json")
                .header("if-match", "*")
                .body(text);
            if let Some(a) = &f.auth {
                rb = rb.header("authorization", a);
            }
            let r = raw(rb).await;
            check(
                &r,
                &h,
                &f.reported,
                &format!("{} {} {}", f.method, f.path, f.pointer),
            );
            cases += 1;
        }
    }
    for (pointer, reported, limit) in notify_fields {
        for h in hostile_strings(limit) {
            let mut body =
                json!({"payment_id": "pay_x", "amount_fen": 1, "provider_transaction_id": "t"});
            set(&mut body, &pointer);
            let text = body.to_string().replace(MARK, &h.json);
            if h.kind.is_none() {
                let head = format!(
                    "POST /v1/payments/notify/alipay HTTP/1.1\r\nHost: {{addr}}\r\n\
                     Content-Type: application/json\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n",
                    text.len()
                );
                check(
                    &send_tcp(&ca.url, &head, text.as_bytes()).await,
                    &h,
                    &reported,
                    "notify",
                );
                cases += 1;
                continue;
            }
            let sig = certdesk_ca_service::providers::sandbox::sign(
                "sandbox-alipay-secret",
                text.as_bytes(),
            );
            let r = raw(http
                .post(format!("{}/v1/payments/notify/alipay", ca.url))
                .header("content-type", "application/json")
                .header("x-payment-signature", sig)
                .body(text))
            .await;
            check(&r, &h, &reported, &format!("notify {pointer}"));
            cases += 1;
        }
    }
    let queries = [
        ("/v1/applications?cursor=", "cursor", &user, max::IDENTIFIER),
        (
            "/v1/staff/applications?cursor=",
            "cursor",
            &staff,
            max::IDENTIFIER,
        ),
        ("/sandbox/outbox?to=", "to", &None, max::ADDRESS),
    ];
    for (path, reported, auth, limit) in queries {
        for h in hostile_strings(limit) {
            let Some(kind) = h.kind.filter(|k| *k != "unpaired_surrogate") else {
                continue; // a query string is bytes: surrogates and bodies do not apply
            };
            let s: String = serde_json::from_str(&h.json).unwrap();
            let q: String = s.bytes().map(|b| format!("%{b:02X}")).collect();
            let mut rb = http.get(format!("{}{path}{q}", ca.url));
            if let Some(a) = auth {
                rb = rb.header("authorization", a);
            }
            let r = raw(rb).await;
            r.assert_problem(422, "validation_failed");
            let errors = r.body["errors"].as_array().unwrap();
            assert!(
                errors
                    .iter()
                    .any(|e| e["field"] == reported && e["kind"] == kind),
                "{path} {}: {}",
                h.name,
                r.body
            );
            cases += 1;
        }
    }
    println!("hostile strings: {cases} field × string cases refused");
    assert!(cases > 1000, "{cases}");
    // Nothing of it reached the application.
    let after = c.application(&app.id).await.unwrap();
    assert_eq!(after.input, p.input());
}

fn check(r: &crate::common::Raw, h: &Hostile, reported: &str, what: &str) {
    match h.kind {
        None => {
            r.assert_problem(413, "payload_too_large");
        }
        Some(kind) => {
            assert_eq!(r.status, 422, "{what} {}: {}", h.name, r.body);
            r.assert_problem(422, "validation_failed");
            let errors = r.body["errors"].as_array().unwrap();
            assert!(
                // Parse errors (surrogates) name the JSON path, e.g. `input.enterprise.name`.
                errors.iter().any(|e| {
                    let f = e["field"].as_str().unwrap_or_default();
                    (f == reported || f.ends_with(&format!(".{reported}"))) && e["kind"] == kind
                }),
                "{what} {}: expected {reported}/{kind} in {}",
                h.name,
                r.body
            );
            // The value is never echoed back.
            assert!(!r.body.to_string().contains("字字字字"), "{what}");
        }
    }
}
