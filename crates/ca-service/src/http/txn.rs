//! The shape the handlers that act on one application share, stated once: one
//! transaction that loads the signed-in applicant's own application (someone else's is
//! 404, never 403), checks that it is still editable when the step needs that, lets the
//! handler check and change it, commits, and answers the application with its ETag. A
//! handler then says only what is special to it. Idempotent creates and the staff's
//! answers share their ends here too.

use axum::http::StatusCode;
use axum::response::Response;
use certdesk_ca_api::application::Application;
use rusqlite::Connection;
use serde_json::Value;

use super::extract::Applicant;
use super::idempotency::{self, json_with_etag};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, Shared};
use crate::store::applications::AppDoc;
use crate::workflow::{load_owned, save, tell_applicant};

/// One step on an application, inside its transaction.
pub struct Step<'a> {
    pub tx: &'a Connection,
    pub state: &'a AppState,
    pub doc: AppDoc,
}

impl Step<'_> {
    /// Writes the application: requirements recomputed, a new version and ETag.
    pub fn save(&mut self) -> ApiResult<()> {
        save(self.tx, self.state, &mut self.doc)
    }

    /// Tells the applicant by SMS and e-mail (written in this transaction).
    pub fn tell(&self, text: &str) -> ApiResult<()> {
        tell_applicant(self.tx, self.state, &self.doc, text)
    }
}

/// Refuses a step on an application that is no longer a draft or rejected.
pub fn editable(doc: &AppDoc) -> ApiResult<()> {
    if doc.app.status.is_editable() {
        Ok(())
    } else {
        Err(ApiError::invalid_state(
            "the application can no longer be edited",
        ))
    }
}

/// A step on the applicant's own application `id`; see [`own`].
pub struct OwnApp<'a> {
    state: &'a Shared,
    owner: &'a str,
    id: &'a str,
    editable: bool,
    keep_on_refusal: bool,
}

/// Starts a step on the signed-in applicant's application `id`.
pub fn own<'a>(state: &'a Shared, who: &'a Applicant, id: &'a str) -> OwnApp<'a> {
    OwnApp {
        state,
        owner: &who.phone,
        id,
        editable: false,
        keep_on_refusal: false,
    }
}

impl OwnApp<'_> {
    /// The step needs an editable application (else 409 `invalid_state`).
    pub fn editable(mut self) -> Self {
        self.editable = true;
        self
    }

    /// Commits what the step wrote even when it refuses: a failed verification stays on
    /// record, and failed code attempts keep counting towards the lock-out.
    pub fn keep_on_refusal(mut self) -> Self {
        self.keep_on_refusal = true;
        self
    }

    /// Runs `f` on the loaded application; its answer is the handler's.
    pub fn run<T>(self, f: impl FnOnce(&mut Step<'_>) -> ApiResult<T>) -> ApiResult<T> {
        self.within(f).map(|(out, _)| out)
    }

    /// Runs `f`, then answers the application as it is at the end (200, ETag).
    pub fn answer(self, f: impl FnOnce(&mut Step<'_>) -> ApiResult<()>) -> ApiResult<Response> {
        let ((), doc) = self.within(f)?;
        app_response(&doc.app)
    }

    fn within<T>(self, f: impl FnOnce(&mut Step<'_>) -> ApiResult<T>) -> ApiResult<(T, AppDoc)> {
        let (state, owner, id, check) = (self.state, self.owner, self.id, self.editable);
        let body = |tx: &rusqlite::Transaction<'_>| {
            let doc = load_owned(tx, id, owner)?;
            if check {
                editable(&doc)?;
            }
            let mut step = Step { tx, state, doc };
            let out = f(&mut step)?;
            Ok((out, step.doc))
        };
        if self.keep_on_refusal {
            state.db.tx_commit_always(body)
        } else {
            state.db.tx(body)
        }
    }
}

/// An application as the answer: 200 with its ETag in the header and the body.
pub fn app_response(app: &Application) -> ApiResult<Response> {
    Ok(json_with_etag(StatusCode::OK, serde_json::to_value(app)?))
}

/// A create (201) that honours `Idempotency-Key`: the same key and body answer the
/// stored response, the same key with another body is refused. Keys are the
/// `principal`'s own (an applicant's phone, an operator's actor id).
pub fn idempotent_create(
    state: &Shared,
    principal: &str,
    key: Option<&str>,
    route: &str,
    body_hash: &str,
    create: impl FnOnce(&Connection) -> ApiResult<Value>,
) -> ApiResult<Response> {
    let now = state.now();
    let (status, value) = state.db.tx(|tx| {
        idempotency::run(tx, principal, key, route, body_hash, now, || {
            Ok((StatusCode::CREATED, create(tx)?))
        })
    })?;
    Ok(json_with_etag(status, value))
}
