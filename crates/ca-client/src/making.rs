//! Counter mode (受理台): making the USBKey for an approved walk-in case (制证, issue 13
//! item 6) over the operator's session. The case's enrollment stands in for a password
//! card; the ordinary finalize and confirm then run on the enrollment token.

use certdesk_ca_api::auth::OtpSent;
use certdesk_ca_api::counter::{Case, CaseSoPin, Handover, RecordToken};
use certdesk_ca_api::download::{Enrollment, UnlockGrant};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

use crate::transport::Body;
use crate::{CaClient, Result, seg};

impl CaClient {
    /// The enrollment for an approved case of the operator's point, in place of a
    /// password card: use its token with [`CaClient::with_token`] for
    /// [`CaClient::finalize`] and [`CaClient::confirm_download`]. Retried: the CA grants
    /// it again until the certificate is confirmed (409 `already_made` once a token
    /// holds it), so a lost answer costs nothing.
    pub async fn case_enrollment(&self, case_id: &str) -> Result<Enrollment> {
        self.send(
            Method::POST,
            &format!("/v1/operator/cases/{}/enrollment", seg(case_id)),
            Body::Empty,
            true,
            None,
            true,
        )
        .await
    }

    /// The SO PIN to initialise the token the case is made on: the CA's per-token SO
    /// PIN for `token_serial`, or the case's transitional one for a blank token that
    /// reports no serial yet (`None`). Maker only; the CA audits every release. Retried:
    /// the answer is the same every time.
    pub async fn case_so_pin(
        &self,
        case_id: &str,
        token_serial: Option<&str>,
    ) -> Result<SecretString> {
        let req = CaseSoPin {
            token_serial: token_serial.map(str::to_string),
        };
        let grant: UnlockGrant = self
            .send(
                Method::POST,
                &format!("/v1/operator/cases/{}/so-pin", seg(case_id)),
                Body::json(&req)?,
                true,
                None,
                true,
            )
            .await?;
        Ok(SecretString::from(grant.so_pin))
    }

    /// Record the serial of the token the case's certificate was written to. Retried:
    /// the same token again answers the case as recorded; another token is 409
    /// `already_made`. The model is what the token reports, for the supervisor's
    /// numbers.
    pub async fn record_case_token(
        &self,
        case_id: &str,
        token_serial: &str,
        token_model: Option<&str>,
    ) -> Result<Case> {
        let req = RecordToken {
            token_serial: token_serial.into(),
            token_model: token_model.map(str::to_string),
        };
        self.send(
            Method::POST,
            &format!("/v1/operator/cases/{}/token", seg(case_id)),
            Body::json(&req)?,
            true,
            None,
            true,
        )
        .await
    }

    /// Send the hand-over code by SMS to the handler's phone. Not retried: each call
    /// sends an SMS and counts against the resend limit.
    pub async fn send_handover_code(&self, case_id: &str) -> Result<OtpSent> {
        self.send(
            Method::POST,
            &format!("/v1/operator/cases/{}/handover/code", seg(case_id)),
            Body::Empty,
            true,
            None,
            false,
        )
        .await
    }

    /// The applicant's code confirms the hand-over; the case becomes `handed_over`.
    /// Not retried: a wrong code counts as a try at the CA.
    pub async fn hand_over_case(&self, case_id: &str, code: &SecretString) -> Result<Case> {
        let req = Handover {
            code: code.expose_secret().to_string(),
        };
        self.send(
            Method::POST,
            &format!("/v1/operator/cases/{}/handover", seg(case_id)),
            Body::json(&req)?,
            true,
            None,
            false,
        )
        .await
    }

    /// The counter receipt (受理回执) of a case of the operator's point, as the CA renders
    /// it (PDF bytes). Retried: reading it changes nothing.
    pub async fn case_receipt(&self, case_id: &str) -> Result<Vec<u8>> {
        crate::transport::send_raw(
            self,
            Method::GET,
            &format!("/v1/operator/cases/{}/receipt", seg(case_id)),
            Body::Empty,
            true,
            &[],
            true,
        )
        .await
    }
}
