//! Distribution of the CA certificates and CRLs (the URLs in AIA and CRL DP).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use certdesk_ca_api::Problem;
use der::Encode;

use crate::error::{ApiError, ApiResult};
use crate::pki::{Family, Revoked};
use crate::state::Shared;
use crate::store::certs;
use crate::workflow::issuance::{crl_reason, reason_parse};

fn binary(ct: &'static str, bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r
}

/// CA certificates and CRLs of one algorithm family (`rsa`, `p256`, `sm2`):
/// `root.crt`, `issuing.crt` (DER), `chain.pem`, `issuing.crl`, `root.crl` (DER).
#[utoipa::path(get, path = "/v1/ca/{family}/{file}", tag = "ca",
    params(("family" = String, Path), ("file" = String, Path)),
    responses(
        (status = 200, description = "DER certificate", content_type = "application/pkix-cert", body = Vec<u8>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn ca_file(
    State(state): State<Shared>,
    Path((family, file)): Path<(String, String)>,
) -> ApiResult<Response> {
    let family = Family::parse(&family).ok_or_else(ApiError::not_found)?;
    if ![
        "root.crt",
        "issuing.crt",
        "chain.pem",
        "issuing.crl",
        "root.crl",
    ]
    .contains(&file.as_str())
    {
        return Err(ApiError::not_found());
    }
    let st = state.clone();
    let authority = tokio::task::spawn_blocking(move || st.pki.authority(family))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let internal = |e: crate::pki::PkiError| ApiError::Internal(e.to_string());
    // The clock gives a CRL number that only grows.
    let (number, now) = (state.now() as u64, state.clock.system_time());
    Ok(match file.as_str() {
        "root.crt" => binary(
            "application/pkix-cert",
            authority
                .root_cert
                .to_der()
                .map_err(|e| ApiError::Internal(e.to_string()))?,
        ),
        "issuing.crt" => binary(
            "application/pkix-cert",
            authority
                .issuing_cert
                .to_der()
                .map_err(|e| ApiError::Internal(e.to_string()))?,
        ),
        "chain.pem" => binary(
            "application/pem-certificate-chain",
            authority.chain_pem().map_err(internal)?.into_bytes(),
        ),
        "root.crl" => binary(
            "application/pkix-crl",
            authority
                .crl_der(true, &[], number, now)
                .map_err(internal)?,
        ),
        _ => {
            let rows = state.db.read(|c| certs::revoked(c, family.as_str()))?;
            let revoked: Vec<Revoked> = rows
                .iter()
                .map(|r| Revoked {
                    serial_hex: r.serial.clone(),
                    revoked_at: r.revoked_at.unwrap_or_default(),
                    reason: crl_reason(reason_parse(r.reason.as_deref().unwrap_or_default())),
                })
                .collect();
            binary(
                "application/pkix-crl",
                authority
                    .crl_der(false, &revoked, number, now)
                    .map_err(internal)?,
            )
        }
    })
}
