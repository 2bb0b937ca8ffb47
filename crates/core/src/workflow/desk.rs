//! The async façade the Tauri shell calls, one line per command: the CA client, the
//! drafts store and the session together. Every CA answer that carries the application
//! becomes the drafts' new merge base, so only real conflicts surface.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

use certdesk_ca_api::FieldError;
use certdesk_ca_api::agreement::{AcceptedAgreement, Agreement};
use certdesk_ca_api::application::{
    Application, ApplicationPage, FaceMethod, HandlerCheckMethod, ListState, Person,
};
use certdesk_ca_api::auth::{Captcha, OtpSent};
use certdesk_ca_api::channel::{Business, Channel};
use certdesk_ca_client::{CaClient, ClientConfig, ClientError};
use secrecy::{ExposeSecret, SecretString};

use super::error::WorkflowError;
use super::link::{self, DeepLink};
use super::stage::{self, StartPage, Step};
use super::views::{ApplicationView, DraftView};
use super::watch::{ReviewFinished, ReviewWatch};
use crate::drafts::fields::Field;
use crate::drafts::{Draft, DraftId, DraftKey, DraftStore};
use crate::keychain::Keychain;
use crate::sensitive::Sensitive;
use crate::session::{ResumePoint, SessionState, SessionStore};

pub type Result<T> = std::result::Result<T, WorkflowError>;

#[derive(Debug, Clone)]
pub struct WorkflowConfig {
    pub ca_url: String,
    /// The local database (drafts, session, review watch).
    pub store: crate::store::Store,
    pub keychain: Keychain,
    pub client: ClientConfig,
}

pub struct Workflow {
    ca: RwLock<CaClient>,
    pub(super) drafts: DraftStore,
    session: SessionStore,
    watch: ReviewWatch,
    /// Channel configurations rarely change within a run; one request each.
    channels: RwLock<HashMap<String, Channel>>,
}

impl std::fmt::Debug for Workflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workflow").finish_non_exhaustive()
    }
}

impl Workflow {
    /// Opens the drafts (data key from the keychain, created on first run) and the
    /// session (token from the keychain, if any).
    pub fn open(config: WorkflowConfig) -> Result<Self> {
        let key = DraftKey::load_or_create(&config.keychain)?;
        let drafts = config.store.drafts(key)?;
        let session = config.store.session(config.keychain.clone())?;
        let mut ca = CaClient::with_config(&config.ca_url, config.client.clone())
            .map_err(WorkflowError::from_client)?;
        ca.set_token(session.token()?);
        Ok(Self {
            ca: RwLock::new(ca),
            drafts,
            session,
            watch: config.store.review_watch()?,
            channels: RwLock::new(HashMap::new()),
        })
    }

    pub fn drafts(&self) -> &DraftStore {
        &self.drafts
    }

    pub(super) fn client(&self) -> CaClient {
        self.ca.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_token(&self, token: Option<SecretString>) {
        self.ca
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .set_token(token);
    }

    /// Maps a CA error; a refused token ends the session but keeps the resume point.
    pub(super) fn fail(&self, e: ClientError) -> WorkflowError {
        match WorkflowError::from_client(e) {
            WorkflowError::SessionExpired { .. } => {
                self.set_token(None);
                match self.session.expire() {
                    Ok(resume) => WorkflowError::SessionExpired { resume },
                    Err(e) => e.into(),
                }
            }
            other => other,
        }
    }

    // ---- sign-in ----

    pub fn session_state(&self) -> Result<SessionState> {
        Ok(self.session.state()?)
    }

    pub async fn captcha(&self) -> Result<Captcha> {
        self.client().captcha().await.map_err(|e| self.fail(e))
    }

    pub async fn send_sign_in_code(
        &self,
        phone: &Sensitive<String>,
        captcha_id: &str,
        captcha_answer: &str,
    ) -> Result<OtpSent> {
        self.client()
            .send_login_otp(phone.expose(), captcha_id, captcha_answer)
            .await
            .map_err(|e| self.fail(e))
    }

    /// Signs in; returns where the applicant was if the previous session expired.
    pub async fn sign_in(
        &self,
        phone: &Sensitive<String>,
        code: &SecretString,
    ) -> Result<Option<ResumePoint>> {
        let mut c = self.client();
        let s = c
            .sign_in(phone.expose(), code.expose_secret())
            .await
            .map_err(|e| self.fail(e))?;
        let resume = self.session.signed_in(&s)?;
        self.set_token(Some(SecretString::from(s.token.clone())));
        Ok(resume)
    }

    /// Signs out at the CA when reachable, and always locally.
    pub async fn sign_out(&self) -> Result<()> {
        let mut c = self.client();
        if c.token().is_some()
            && let Err(e) = c.logout().await
        {
            tracing::info!(error = %e, "CA sign-out failed; signing out locally");
        }
        self.set_token(None);
        Ok(self.session.sign_out()?)
    }

    // ---- start ----

    pub async fn channels(&self) -> Result<Vec<Channel>> {
        self.client().channels().await.map_err(|e| self.fail(e))
    }

    /// The agreements an applicant of `channel_id` reads and accepts, as the CA serves them.
    pub async fn agreements(&self, channel_id: &str) -> Result<Vec<Agreement>> {
        self.client()
            .agreements(channel_id)
            .await
            .map_err(|e| self.fail(e))
    }

    pub(super) async fn channel(&self, id: &str) -> Result<Channel> {
        if let Some(c) = self
            .channels
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
        {
            return Ok(c.clone());
        }
        let c = self.client().channel(id).await.map_err(|e| self.fail(e))?;
        self.channels
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_string(), c.clone());
        Ok(c)
    }

    pub fn new_draft(&self) -> Result<DraftId> {
        Ok(self.drafts.create()?)
    }

    pub fn draft(&self, id: &DraftId) -> Result<Draft> {
        Ok(self.drafts.load(id)?)
    }

    /// A draft for its form: the start page it is on and every value typed.
    pub fn open_draft(&self, id: &DraftId) -> Result<DraftView> {
        Ok(DraftView::of(&self.drafts.load(id)?))
    }

    /// Drafts the CA does not know yet (shown with the unfinished orders).
    pub fn local_drafts(&self) -> Result<Vec<DraftView>> {
        let mut out = Vec::new();
        for id in self.drafts.list()? {
            let d = self.drafts.load(&id)?;
            if d.application_id.is_none() {
                out.push(DraftView::of(&d));
            }
        }
        Ok(out)
    }

    /// Records the start-page choices and returns the page to show next.
    pub fn choose(
        &self,
        id: &DraftId,
        channel_id: Option<&str>,
        business: Option<Business>,
        agreements: Option<&[AcceptedAgreement]>,
    ) -> Result<StartPage> {
        self.drafts
            .set_start(id, channel_id, business, agreements)?;
        self.remember(id, None, None);
        Ok(stage::start_page(
            channel_id,
            business,
            agreements.is_some(),
        ))
    }

    /// Saves one field as typed (local only, fast) and returns its inline check.
    pub fn save_field(&self, id: &DraftId, field: &str, value: &str) -> Result<Option<FieldError>> {
        let f = Field::parse(field).ok_or_else(|| WorkflowError::InvalidInput {
            fields: vec![FieldError::new(
                field,
                "unknown_field",
                "未知字段",
                "unknown field",
            )],
        })?;
        self.drafts.save_field(id, f, value)?;
        Ok(f.check(value))
    }

    /// Fills the empty 信息确认 fields from what the earlier steps know (organisation
    /// name and USCC, the handler's or legal representative's contact) and returns the
    /// draft's values; what the applicant typed is kept.
    pub fn prefill_information(&self, id: &DraftId) -> Result<DraftView> {
        let values = self.drafts.load(id)?.values();
        for (field, value) in crate::drafts::prefill::information_defaults(&values) {
            self.drafts.save_field(id, field, &value)?;
        }
        self.open_draft(id)
    }

    fn remember(&self, draft: &DraftId, app: Option<&Application>, step: Option<Step>) {
        let at = ResumePoint {
            application_id: app.map(|a| a.id.clone()),
            draft_id: Some(draft.clone()),
            step,
        };
        // Losing the resume point costs a click, not data: don't fail the call for it.
        if let Err(e) = self.session.remember(&at) {
            tracing::warn!(error = %e, "could not remember the resume point");
        }
    }

    pub(super) async fn view(
        &self,
        draft_id: DraftId,
        app: Application,
    ) -> Result<ApplicationView> {
        let channel = self.channel(&app.channel_id).await?;
        let plan = stage::plan(&app, &channel);
        let step = match &plan.stage {
            stage::Stage::Editing(e) => Some(e.step),
            _ => None,
        };
        self.remember(&draft_id, Some(&app), step);
        self.watch.saw(&app)?;
        Ok(ApplicationView {
            draft_id,
            application: app,
            plan,
        })
    }

    /// Opens an application (order list, deep link, resume): its plan says which step
    /// "continue" opens; its draft holds anything typed but not yet sent.
    pub async fn load(&self, application_id: &str) -> Result<ApplicationView> {
        let app = self
            .client()
            .application(application_id)
            .await
            .map_err(|e| self.fail(e))?;
        let id = self.drafts.for_application(&app)?;
        self.view(id, app).await
    }

    pub async fn orders(&self, state: ListState, cursor: Option<&str>) -> Result<ApplicationPage> {
        let page = self
            .client()
            .list_applications(state, Some(50), cursor)
            .await
            .map_err(|e| self.fail(e))?;
        for app in &page.items {
            self.watch.saw(app)?;
        }
        Ok(page)
    }

    /// Reviews that finished since the last call, each reported once (the shell turns
    /// them into desktop notifications). Only applications seen in review are asked for.
    pub async fn review_outcomes(&self) -> Result<Vec<ReviewFinished>> {
        let c = self.client();
        let mut out = Vec::new();
        for id in self.watch.watched()? {
            let app = match c.application(&id).await {
                Ok(app) => app,
                // Gone (or someone else's after an account switch): stop watching it.
                Err(e) if e.code() == Some(certdesk_ca_api::ProblemCode::NotFound) => {
                    self.watch.forget(&id)?;
                    continue;
                }
                Err(e) => return Err(self.fail(e)),
            };
            out.extend(self.watch.check(&app)?);
        }
        Ok(out)
    }

    /// Opens the order a `certdesk://` link names.
    pub async fn open_link(&self, url: &str) -> Result<ApplicationView> {
        match link::parse(url)? {
            DeepLink::Order { application_id } => self.load(&application_id).await,
        }
    }

    pub(super) async fn after_step(
        &self,
        id: &DraftId,
        r: std::result::Result<Application, ClientError>,
    ) -> Result<ApplicationView> {
        let app = r.map_err(|e| self.fail(e))?;
        self.drafts.attach(id, &app)?;
        self.view(id.clone(), app).await
    }
}

/// The shell keeps one `Workflow` in Tauri's state and awaits its futures on a
/// multi-threaded runtime: both must be `Send` (and the façade `Sync`). Compiling this
/// is the test.
fn _assert_thread_safe(w: &'static Workflow, d: &'static DraftId) {
    fn send<T: Send>(_: T) {}
    fn sync<T: Sync>(_: &T) {}
    sync(w);
    send(w.sync(d));
    send(w.sync_all());
    send(w.submit_enterprise(d));
    send(w.verify_handler(d, HandlerCheckMethod::Phone));
    send(w.start_face_check(d, Person::Handler, FaceMethod::OnSite));
    send(w.resolve(d, &BTreeMap::new()));
    send(w.load("app"));
    send(w.review_outcomes());
}
