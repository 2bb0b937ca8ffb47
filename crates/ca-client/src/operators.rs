//! Counter mode (受理台): operator sign-in by a challenge signed on the operator's own
//! token, the signed-in operator's record, and sign-out.
//!
//! The operator session token is an ordinary bearer token: the caller keeps it (core
//! puts it in the OS keychain) and hands it back with [`CaClient::with_token`].

use base64::Engine;
use certdesk_ca_api::operator::{Operator, OperatorSession, SignIn, SignInChallenge};
use reqwest::Method;

use crate::transport::Body;
use crate::{CaClient, ClientError, Result};

/// A sign-in challenge with its bytes already decoded.
#[derive(Debug, Clone)]
pub struct OperatorChallenge {
    pub challenge_id: String,
    /// The exact bytes the operator's token signs.
    pub to_sign: Vec<u8>,
    pub expires_at: String,
}

impl CaClient {
    /// Start an operator sign-in. Not retried: each call makes a new single-use
    /// challenge, and a lost answer only costs asking again.
    pub async fn operator_challenge(&self) -> Result<OperatorChallenge> {
        let c: SignInChallenge = self
            .send(
                Method::POST,
                "/v1/operator/challenge",
                Body::Empty,
                false,
                None,
                false,
            )
            .await?;
        let to_sign = base64::engine::general_purpose::STANDARD
            .decode(c.to_sign.as_bytes())
            .map_err(|e| ClientError::Decode(format!("challenge to_sign: {e}")))?;
        Ok(OperatorChallenge {
            challenge_id: c.challenge_id,
            to_sign,
            expires_at: c.expires_at,
        })
    }

    /// Finish an operator sign-in with the certificate's serial (hex) and the token's
    /// signature over the challenge (DER ECDSA or the RSA signature). The session's
    /// token is NOT kept in this client: the counter binds it to a token and stores it.
    /// Not retried: the challenge is spent by the first attempt whatever its outcome.
    pub async fn operator_sign_in(
        &self,
        challenge_id: &str,
        certificate_serial: &str,
        signature: &[u8],
    ) -> Result<OperatorSession> {
        let req = SignIn {
            challenge_id: challenge_id.into(),
            certificate_serial: certificate_serial.into(),
            signature: base64::engine::general_purpose::STANDARD.encode(signature),
        };
        self.send(
            Method::POST,
            "/v1/operator/sessions",
            Body::json(&req)?,
            false,
            None,
            false,
        )
        .await
    }

    /// The signed-in operator (this client's token is the operator session token).
    pub async fn operator_me(&self) -> Result<Operator> {
        self.get("/v1/operator/me", true).await
    }

    /// End the operator session at the CA.
    pub async fn operator_sign_out(&self) -> Result<()> {
        self.send_unit(Method::POST, "/v1/operator/logout", Body::Empty, true)
            .await
    }
}
