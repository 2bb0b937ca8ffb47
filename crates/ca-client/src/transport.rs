//! Request building, retries, and problem+json decoding.

use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{CaClient, ClientError, Result};
use certdesk_ca_api::Problem;

pub enum Body {
    Empty,
    Json(Vec<u8>),
    Multipart {
        kind: Option<String>,
        file_name: String,
        bytes: Vec<u8>,
    },
}

impl Body {
    pub fn json<T: Serialize>(v: &T) -> Result<Body> {
        serde_json::to_vec(v)
            .map(Body::Json)
            .map_err(|e| ClientError::Decode(e.to_string()))
    }
}

fn build(
    c: &CaClient,
    method: &Method,
    path: &str,
    body: &Body,
    auth: bool,
    headers: &[(&str, &str)],
) -> Result<reqwest::RequestBuilder> {
    let mut rb = c.http.request(method.clone(), format!("{}{path}", c.base));
    if auth {
        rb = rb.bearer_auth(c.bearer()?);
    }
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    rb = match body {
        Body::Empty => rb,
        Body::Json(b) => rb
            .header("content-type", "application/json")
            .body(b.clone()),
        Body::Multipart {
            kind,
            file_name,
            bytes,
        } => {
            let mut form = reqwest::multipart::Form::new();
            if let Some(k) = kind {
                form = form.text("kind", k.clone());
            }
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes.clone()).file_name(file_name.clone()),
            );
            rb.multipart(form)
        }
    };
    Ok(rb)
}

async fn once(
    c: &CaClient,
    method: &Method,
    path: &str,
    body: &Body,
    auth: bool,
    headers: &[(&str, &str)],
) -> Result<(StatusCode, Vec<u8>)> {
    let resp = build(c, method, path, body, auth, headers)?.send().await?;
    let status = resp.status();
    let is_problem = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    let bytes = resp.bytes().await?.to_vec();
    if status.is_success() {
        return Ok((status, bytes));
    }
    if is_problem && let Ok(p) = serde_json::from_slice::<Problem>(&bytes) {
        return Err(ClientError::Problem(Box::new(p)));
    }
    Err(ClientError::Status {
        status: status.as_u16(),
    })
}

pub async fn send_raw(
    c: &CaClient,
    method: Method,
    path: &str,
    body: Body,
    auth: bool,
    headers: &[(&str, &str)],
    retry: bool,
) -> Result<Vec<u8>> {
    let attempts = if retry { c.config.retries + 1 } else { 1 };
    let mut delay = c.config.backoff;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match once(c, &method, path, &body, auth, headers).await {
            Ok((_, bytes)) => return Ok(bytes),
            Err(e) if attempt < attempts && e.is_transient() => {
                tracing::debug!(%method, path, attempt, error = %e, "retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            Err(e) => return Err(e),
        }
    }
}

pub async fn send_json<T: DeserializeOwned>(
    c: &CaClient,
    method: Method,
    path: &str,
    body: Body,
    auth: bool,
    headers: &[(&str, &str)],
    retry: bool,
) -> Result<T> {
    let bytes = send_raw(c, method, path, body, auth, headers, retry).await?;
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(format!("{path}: {e}")))
}
