//! Every error shape the framework itself can produce is RFC 9457 problem+json with a
//! stable code (issue 12, part 3): unrouted paths, wrong methods, undecodable paths,
//! missing or wrong content types, bodies over the bound, broken JSON.

use reqwest::Method;

use crate::common::{Ca, Raw, bearer, raw, seed, send_tcp};

/// A request and the problem it must get back: what it is, method, path, sent with the
/// session or not, content type, body, status, code.
type Case = (
    &'static str,
    Method,
    &'static str,
    bool,
    Option<&'static str>,
    Option<&'static str>,
    u16,
    &'static str,
);

#[tokio::test]
async fn framework_rejections_are_problems() {
    let ca = Ca::start();
    let (c, _) = ca.signed_in(seed()).await;
    let http = ca.http();
    let url = |p: &str| format!("{}{p}", ca.url);
    let auth = bearer(&c);
    let json = Some("application/json");
    let create = Some(r#"{"channel_id":"sandbox-rsa","business":"new_org_certificate"}"#);
    #[rustfmt::skip]
    let plain: [Case; 18] = [
        ("unrouted path", Method::GET, "/nope", false, None, None, 404, "not_found"),
        ("unrouted path under /v1", Method::POST, "/v1/nope/deeper", false, None, None, 404, "not_found"),
        ("wrong method", Method::DELETE, "/v1/channels", false, None, None, 405, "method_not_allowed"),
        ("wrong method on a create", Method::PUT, "/v1/applications", true, None, None, 405, "method_not_allowed"),
        ("undecodable path %FF", Method::GET, "/v1/applications/%FF", true, None, None, 400, "malformed_request"),
        ("undecodable path %FF in a public route", Method::GET, "/v1/channels/%FF%FE", false, None, None, 400, "malformed_request"),
        ("create as text/plain", Method::POST, "/v1/applications", true, Some("text/plain"), create, 415, "unsupported_media_type"),
        ("create without a content type", Method::POST, "/v1/applications", true, None, create, 415, "unsupported_media_type"),
        ("otp as form data", Method::POST, "/v1/auth/otp", false, Some("application/x-www-form-urlencoded"), Some("phone=1"), 415, "unsupported_media_type"),
        ("broken JSON", Method::POST, "/v1/auth/token", false, json, Some("{\"phone\":"), 400, "malformed_request"),
        ("not JSON", Method::POST, "/v1/auth/token", false, json, Some("hello"), 400, "malformed_request"),
        ("trailing garbage", Method::POST, "/v1/auth/token", false, json, Some("{\"phone\":\"1\",\"code\":\"1\"} x"), 400, "malformed_request"),
        ("empty body", Method::POST, "/v1/auth/token", false, json, Some(""), 400, "malformed_request"),
        ("wrong JSON shape", Method::POST, "/v1/auth/token", false, json, Some("[1,2]"), 422, "validation_failed"),
        ("missing field", Method::POST, "/v1/auth/token", false, json, Some("{\"phone\":\"13800138000\"}"), 422, "validation_failed"),
        ("wrong type", Method::POST, "/v1/auth/token", false, json, Some("{\"phone\":1,\"code\":\"1\"}"), 422, "validation_failed"),
        ("query of the wrong type", Method::GET, "/v1/applications?limit=abc", true, None, None, 422, "validation_failed"),
        ("no session", Method::GET, "/v1/applications", false, None, None, 401, "unauthorized"),
    ];
    let mut cases: Vec<(&str, Raw, u16, &str)> = Vec::new();
    for (what, method, path, with_session, content_type, body, status, code) in plain {
        let mut req = http.request(method, url(path));
        if with_session {
            req = req.header("authorization", &auth);
        }
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        cases.push((what, raw(req).await, status, code));
    }
    // Big bodies are written by hand: the CA answers before reading them and closes,
    // which reqwest reports as a broken pipe instead of the answer.
    cases.push((
        "64 MiB JSON to a small endpoint",
        send_big(
            &ca.url,
            "/v1/auth/otp",
            "application/json",
            None,
            Some(64 << 20),
        )
        .await,
        413,
        "payload_too_large",
    ));
    // Without Content-Length (chunked): refused while reading, still 413.
    cases.push((
        "chunked body over the bound",
        send_big(&ca.url, "/v1/auth/token", "application/json", None, None).await,
        413,
        "payload_too_large",
    ));
    cases.push((
        "over-size upload",
        send_big(
            &ca.url,
            "/v1/ocr/business-licence",
            "multipart/form-data; boundary=x",
            Some(&auth),
            Some(7 << 20),
        )
        .await,
        413,
        "payload_too_large",
    ));
    let n = cases.len();
    for (what, r, status, code) in &cases {
        assert_eq!(r.status, *status, "{what}: {}", r.body);
        r.assert_problem(*status, code);
        assert_eq!(
            r.body["type"],
            format!("urn:certdesk:problem:{code}"),
            "{what}"
        );
    }
    // 405 still says which methods exist.
    let r = &cases.iter().find(|c| c.0 == "wrong method").unwrap().1;
    assert!(r.headers.get("allow").is_some(), "{:?}", r.headers);
    println!("framework rejections: {n} cases are problem+json");
}

#[tokio::test]
async fn lone_surrogate_is_a_field_error() {
    let ca = Ca::start();
    let r = raw(ca
        .http()
        .post(format!("{}/v1/auth/token", ca.url))
        .header("content-type", "application/json")
        .body(r#"{"phone":"13800138000","code":"12\ud800"}"#))
    .await;
    r.assert_problem(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "code", "{}", r.body);
    assert_eq!(r.body["errors"][0]["kind"], "unpaired_surrogate");
}

/// A POST of a big body over a plain socket (see `send_tcp`): `length` bytes with
/// Content-Length, or 800 KiB chunked (no Content-Length) when `None`.
async fn send_big(
    base: &str,
    path: &str,
    content_type: &str,
    auth: Option<&str>,
    length: Option<usize>,
) -> Raw {
    let framing = match length {
        Some(n) => format!("Content-Length: {n}"),
        None => "Transfer-Encoding: chunked".to_string(),
    };
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {{addr}}\r\nContent-Type: {content_type}\r\n\
         {auth}{framing}\r\nConnection: close\r\n\r\n"
    );
    let body = match length {
        Some(n) => vec![b' '; n],
        None => {
            let mut b = format!("2000\r\n{}\r\n", " ".repeat(0x2000)).repeat(100);
            b.push_str("0\r\n\r\n");
            b.into_bytes()
        }
    };
    send_tcp(base, &head, &body).await
}

#[tokio::test]
async fn a_request_that_never_finishes_times_out_as_a_problem() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let ca = Ca::start_with(&["--sandbox", "--request-timeout-secs", "1"]);
    let addr = ca.url.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    // A body announced and never sent.
    let head = format!(
        "POST /v1/auth/token HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\nConnection: close\r\n\r\n{{\"phone\":"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(20), s.read_to_end(&mut out))
        .await
        .expect("the CA answered")
        .unwrap();
    crate::common::parse_http(&out).assert_problem(408, "request_timeout");
}
