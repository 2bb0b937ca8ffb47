//! Who answers the CA's image captchas during a download.

use certdesk_ca_api::auth::Captcha;
use certdesk_ca_client::CaClient;

use super::errors::Result;

/// Answers the CA's image captchas (a person in the app or CLI; the sandbox's answer
/// endpoint in tests).
pub trait CaptchaSolver: Sync {
    fn solve(
        &self,
        client: &CaClient,
        captcha: &Captcha,
    ) -> impl std::future::Future<Output = Result<String>> + Send;

    /// A captcha id with its answer: by default a fresh captcha from the CA, solved.
    /// The app overrides it with the captcha the user already answered on the form.
    fn answer(
        &self,
        client: &CaClient,
    ) -> impl std::future::Future<Output = Result<(String, String)>> + Send {
        async move {
            let c = client.captcha().await?;
            let a = self.solve(client, &c).await?;
            Ok((c.captcha_id, a))
        }
    }
}

/// The captcha the user answered on the card form, used for the one authorisation a
/// run makes (the app passes [`DownloadRequest::channel`], so no look-up is needed). A
/// second call means a retry inside one run, which the app does not make: it asks the
/// CA for a fresh captcha and gets `captcha_invalid` back, which the form shows.
pub struct AnsweredCaptcha {
    given: std::sync::Mutex<Option<(String, String)>>,
}

impl AnsweredCaptcha {
    pub fn new(captcha_id: String, answer: String) -> Self {
        Self {
            given: std::sync::Mutex::new(Some((captcha_id, answer))),
        }
    }
}

impl CaptchaSolver for AnsweredCaptcha {
    async fn solve(&self, _client: &CaClient, _captcha: &Captcha) -> Result<String> {
        // Nobody can read a second image here; an empty answer is refused by the CA.
        Ok(String::new())
    }

    async fn answer(&self, client: &CaClient) -> Result<(String, String)> {
        let given = self.given.lock().ok().and_then(|mut g| g.take());
        match given {
            Some(pair) => Ok(pair),
            None => {
                let c = client.captcha().await?;
                Ok((c.captcha_id, String::new()))
            }
        }
    }
}

/// Reads the answer from the sandbox CA (tests, demo). Never for a production CA: only
/// with the `sandbox` feature, which the app does not enable.
#[cfg(feature = "sandbox")]
pub struct SandboxCaptcha;

#[cfg(feature = "sandbox")]
impl CaptchaSolver for SandboxCaptcha {
    async fn solve(&self, client: &CaClient, captcha: &Captcha) -> Result<String> {
        Ok(client.sandbox_captcha_answer(&captcha.captcha_id).await?)
    }
}
