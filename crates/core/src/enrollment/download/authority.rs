//! Who authorises the enrollment a download transaction runs on: the one step that
//! differs between a download (the password card) and making a USBKey at the counter
//! (the approved case, over the operator's session). Everything else (keygen, CSR,
//! finalize, write, self-test, confirm and every resume rule) is the same code.

use std::future::Future;

use certdesk_ca_api::ProblemCode;
use certdesk_ca_api::application::ApplicationStatus;
use certdesk_ca_api::channel::CertificateSet;
use certdesk_ca_api::download::{DownloadAuthorise, DownloadLookup, Enrollment};
use certdesk_ca_client::CaClient;
use certdesk_token::{KeyAlgorithm, SecretString};
use secrecy::ExposeSecret;

use super::errors::{DownloadError, Result};
use super::{CaptchaSolver, ChannelFacts, DownloadRequest, TokenChoice, token_algorithm};
use crate::enrollment::journal::EntryKind;

/// What the transaction needs besides its authority. Secrets are never journaled.
pub(crate) struct Txn {
    pub ca_url: String,
    pub application_id: String,
    pub pin: SecretString,
    pub token: TokenChoice,
    pub confirm_final_pin_try: bool,
    pub channel: Option<ChannelFacts>,
}

impl Txn {
    pub(crate) fn of(req: &DownloadRequest) -> Self {
        Self {
            ca_url: req.ca_url.clone(),
            application_id: req.application_id.clone(),
            pin: req.pin.clone(),
            token: req.token.clone(),
            confirm_final_pin_try: req.confirm_final_pin_try,
            channel: req.channel,
        }
    }
}

/// The authorise step of a transaction and what goes with it.
pub(crate) trait Authority: Sync {
    /// The journal entry's kind (what resumes it, what the shell lists).
    fn kind(&self) -> EntryKind;

    /// The channel's key algorithm and whether it is dual, when the caller did not say.
    fn channel(
        &self,
        client: &CaClient,
        application_id: &str,
    ) -> impl Future<Output = Result<(KeyAlgorithm, bool)>> + Send;

    /// The enrollment (its bearer token authorises finalize and confirm).
    fn authorise(&self, client: &CaClient) -> impl Future<Output = Result<Enrollment>> + Send;

    /// Whether a refusal of a resumed run's authorisation may mean that `confirm`
    /// reached the CA before the crash (then the journaled certificate is checked).
    fn spent(&self, code: ProblemCode) -> bool;
}

/// A download: the password card, with the user's captcha answers.
pub(crate) struct Card<'a, S> {
    pub req: &'a DownloadRequest,
    pub solver: &'a S,
}

impl<S: CaptchaSolver> Authority for Card<'_, S> {
    fn kind(&self) -> EntryKind {
        EntryKind::Download {
            card_serial: self.req.card_serial.clone(),
        }
    }

    async fn channel(
        &self,
        client: &CaClient,
        application_id: &str,
    ) -> Result<(KeyAlgorithm, bool)> {
        let (captcha_id, captcha_answer) = self.solver.answer(client).await?;
        let candidates = client
            .download_lookup(&DownloadLookup {
                org_code: Some(self.req.org_code.clone()),
                handler_id_number: None,
                phone: self.req.phone.clone(),
                captcha_id,
                captcha_answer,
            })
            .await?;
        let c = candidates
            .into_iter()
            .find(|c| c.application_id == application_id)
            .ok_or_else(|| DownloadError::NotDownloadable(application_id.to_string()))?;
        if !matches!(
            c.status,
            ApplicationStatus::Approved | ApplicationStatus::Issued
        ) {
            return Err(DownloadError::NotDownloadable(application_id.to_string()));
        }
        Ok((
            token_algorithm(c.key_algorithm),
            c.certificate_set == CertificateSet::Dual,
        ))
    }

    async fn authorise(&self, client: &CaClient) -> Result<Enrollment> {
        let (captcha_id, captcha_answer) = self.solver.answer(client).await?;
        Ok(client
            .download_authorise(&DownloadAuthorise {
                card_serial: self.req.card_serial.clone(),
                card_password: self.req.card_password.expose_secret().to_string(),
                phone: self.req.phone.clone(),
                org_code: self.req.org_code.clone(),
                captcha_id,
                captcha_answer,
            })
            .await?)
    }

    fn spent(&self, code: ProblemCode) -> bool {
        matches!(
            code,
            ProblemCode::InvalidState
                | ProblemCode::PasswordCardInvalid
                | ProblemCode::PasswordCardUsed
        )
    }
}

/// Making a USBKey at the counter: the approved case's enrollment, asked for over the
/// signed-in operator's session (`operator` carries that session's token).
pub(crate) struct CounterCase<'a> {
    pub operator: &'a CaClient,
    pub case_id: &'a str,
}

impl Authority for CounterCase<'_> {
    fn kind(&self) -> EntryKind {
        EntryKind::CounterMaking {
            case_id: self.case_id.to_string(),
        }
    }

    async fn channel(
        &self,
        _client: &CaClient,
        _application_id: &str,
    ) -> Result<(KeyAlgorithm, bool)> {
        let case = self.operator.case(self.case_id).await?;
        let channel = self.operator.channel(&case.application.channel_id).await?;
        Ok((
            token_algorithm(channel.key_algorithm),
            channel.certificate_set == CertificateSet::Dual,
        ))
    }

    async fn authorise(&self, _client: &CaClient) -> Result<Enrollment> {
        Ok(self.operator.case_enrollment(self.case_id).await?)
    }

    fn spent(&self, code: ProblemCode) -> bool {
        // After confirm the CA answers the case's enrollment with `invalid_state` (the
        // application is completed), or `already_made` once its token was recorded.
        matches!(code, ProblemCode::InvalidState | ProblemCode::AlreadyMade)
    }
}
