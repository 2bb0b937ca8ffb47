//! Every error shape the framework itself can produce is RFC 9457 problem+json with a
//! stable code (issue 12, part 3): unrouted paths, wrong methods, undecodable paths,
//! missing or wrong content types, bodies over the bound, broken JSON.

use crate::common::{Ca, Raw, bearer, raw, seed, send_tcp};

#[tokio::test]
async fn framework_rejections_are_problems() {
    let ca = Ca::start();
    let (c, _) = ca.signed_in(seed()).await;
    let http = ca.http();
    let url = |p: &str| format!("{}{p}", ca.url);
    let auth = bearer(&c);
    let json = "application/json";
    let mut cases: Vec<(&str, Raw, u16, &str)> = Vec::new();

    cases.push((
        "unrouted path",
        raw(http.get(url("/nope"))).await,
        404,
        "not_found",
    ));
    cases.push((
        "unrouted path under /v1",
        raw(http.post(url("/v1/nope/deeper"))).await,
        404,
        "not_found",
    ));
    cases.push((
        "wrong method",
        raw(http.delete(url("/v1/channels"))).await,
        405,
        "method_not_allowed",
    ));
    cases.push((
        "wrong method on a create",
        raw(http
            .put(url("/v1/applications"))
            .header("authorization", &auth))
        .await,
        405,
        "method_not_allowed",
    ));
    cases.push((
        "undecodable path %FF",
        raw(http
            .get(url("/v1/applications/%FF"))
            .header("authorization", &auth))
        .await,
        400,
        "malformed_request",
    ));
    cases.push((
        "undecodable path %FF in a public route",
        raw(http.get(url("/v1/channels/%FF%FE"))).await,
        400,
        "malformed_request",
    ));
    let create = r#"{"channel_id":"sandbox-rsa","business":"new_org_certificate"}"#;
    cases.push((
        "create as text/plain",
        raw(http
            .post(url("/v1/applications"))
            .header("authorization", &auth)
            .header("content-type", "text/plain")
            .body(create))
        .await,
        415,
        "unsupported_media_type",
    ));
    cases.push((
        "create without a content type",
        raw(http
            .post(url("/v1/applications"))
            .header("authorization", &auth)
            .body(create))
        .await,
        415,
        "unsupported_media_type",
    ));
    cases.push((
        "otp as form data",
        raw(http
            .post(url("/v1/auth/otp"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("phone=1"))
        .await,
        415,
        "unsupported_media_type",
    ));
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
    for (what, body) in [
        ("broken JSON", "{\"phone\":"),
        ("not JSON", "hello"),
        ("trailing garbage", "{\"phone\":\"1\",\"code\":\"1\"} x"),
        ("empty body", ""),
    ] {
        cases.push((
            what,
            raw(http
                .post(url("/v1/auth/token"))
                .header("content-type", json)
                .body(body))
            .await,
            400,
            "malformed_request",
        ));
    }
    for (what, body) in [
        ("wrong JSON shape", "[1,2]"),
        ("missing field", "{\"phone\":\"13800138000\"}"),
        ("wrong type", "{\"phone\":1,\"code\":\"1\"}"),
    ] {
        cases.push((
            what,
            raw(http
                .post(url("/v1/auth/token"))
                .header("content-type", json)
                .body(body))
            .await,
            422,
            "validation_failed",
        ));
    }
    cases.push((
        "query of the wrong type",
        raw(http
            .get(url("/v1/applications?limit=abc"))
            .header("authorization", &auth))
        .await,
        422,
        "validation_failed",
    ));
    cases.push((
        "no session",
        raw(http.get(url("/v1/applications"))).await,
        401,
        "unauthorized",
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
    let r = &cases[2].1;
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
