//! Counter mode: the point's daily close (日结, issue 14 item 3) over the supervisor's
//! operator session — read the day, get the bytes to sign with the explanations, sign,
//! correct a signed day, and the PDF report.

use base64::Engine;
use certdesk_ca_api::close::{
    CloseExplanation, CloseExplanations, CloseToSign, DailyClose, NewCloseCorrection, SignClose,
};
use reqwest::Method;

use crate::transport::Body;
use crate::{CaClient, ClientError, Result, seg};

/// The bytes to sign for a day (decoded), and the digest that names them.
#[derive(Debug, Clone)]
pub struct CloseBytes {
    pub to_sign: Vec<u8>,
    pub document_sha256: String,
}

fn path(point: &str, day: &str, tail: &str) -> String {
    format!("/v1/operator/closes/{}/{}{tail}", seg(point), seg(day))
}

impl CaClient {
    /// The day (YYYY-MM-DD, China time) at the point: signed, or its live figures.
    pub async fn daily_close(&self, point: &str, day: &str) -> Result<DailyClose> {
        self.get(&path(point, day, ""), true).await
    }

    /// The exact bytes to sign for the day with these explanations (decoded).
    pub async fn daily_close_to_sign(
        &self,
        point: &str,
        day: &str,
        explanations: &[CloseExplanation],
    ) -> Result<CloseBytes> {
        let req = CloseExplanations {
            explanations: explanations.to_vec(),
        };
        let t: CloseToSign = self
            .send(
                Method::POST,
                &path(point, day, "/to-sign"),
                Body::json(&req)?,
                true,
                None,
                true,
            )
            .await?;
        let to_sign = base64::engine::general_purpose::STANDARD
            .decode(t.to_sign.as_bytes())
            .map_err(|e| ClientError::Decode(format!("close to_sign: {e}")))?;
        Ok(CloseBytes {
            to_sign,
            document_sha256: t.document_sha256,
        })
    }

    /// Sign the day. Not retried: a lost answer shows as `already_exists` next time,
    /// and reading the day tells it is signed.
    pub async fn sign_daily_close(
        &self,
        point: &str,
        day: &str,
        explanations: &[CloseExplanation],
        (document_sha256, certificate_serial): (&str, &str),
        signature: &[u8],
    ) -> Result<DailyClose> {
        let req = SignClose {
            explanations: explanations.to_vec(),
            document_sha256: document_sha256.into(),
            certificate_serial: certificate_serial.into(),
            signature: base64::engine::general_purpose::STANDARD.encode(signature),
        };
        self.send(
            Method::POST,
            &path(point, day, ""),
            Body::json(&req)?,
            true,
            None,
            false,
        )
        .await
    }

    /// A correction beside a signed close (not retried: each call adds one).
    pub async fn correct_daily_close(
        &self,
        point: &str,
        day: &str,
        text: &str,
    ) -> Result<DailyClose> {
        let req = NewCloseCorrection { text: text.into() };
        self.send(
            Method::POST,
            &path(point, day, "/corrections"),
            Body::json(&req)?,
            true,
            None,
            false,
        )
        .await
    }

    /// The day's report (日结报告) as a PDF.
    pub async fn daily_close_report(&self, point: &str, day: &str) -> Result<Vec<u8>> {
        crate::transport::send_raw(
            self,
            Method::GET,
            &path(point, day, "/report"),
            Body::Empty,
            true,
            &[],
            true,
        )
        .await
    }
}
