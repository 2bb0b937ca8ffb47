//! The counter's sign-in, lock and unlock against the operator's token and the CA.
//!
//! The operator session token is kept in the OS keychain ([`SESSION_ENTRY`]), which
//! outlives the process; while signed in, memory holds a copy as well (a keychain read
//! costs ~45 ms over D-Bus, and a walk-in makes some 30 CA calls), besides who is signed
//! in and on which token. Locking ends the CA session (the token
//! leaves the keychain and the CA is told), so a locked counter holds no credential:
//! unlocking is a new sign-in, with a fresh challenge signed after the PIN.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use certdesk_ca_client::{CaClient, ClientConfig};
use certdesk_token::{CertSummary, SecretString, TokenError, TokenRef, TokenService};
use der::Decode;
use der::asn1::ObjectIdentifier;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::DirectoryString;
use zeroize::Zeroizing;

use super::{CounterError, CounterState, LockReason, OperatorInfo, idle_duration};
use crate::keychain::{Keychain, KeychainError};
use crate::workflow::WorkflowError;

/// Keychain entry holding the operator session (token and expiry, JSON).
pub const SESSION_ENTRY: &str = "operator-session";

/// X.520 serialNumber: the operator certificate's subject carries the operator id in it.
const SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

pub struct CounterConfig {
    pub ca_url: String,
    pub client: ClientConfig,
    pub keychain: Keychain,
    /// Minutes without activity before the counter locks (the setting).
    pub idle_minutes: u32,
}

/// The operator certificate found on a token, before any PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorOnToken {
    /// `OP…`, from the subject's serialNumber.
    pub operator_id: String,
    /// The subject's common name: the operator's name as the certificate has it.
    pub name: String,
    pub certificate_serial: String,
    /// `CKA_ID` of the certificate and its key (hex).
    key_id: String,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    token: String,
    expires_at: String,
}

struct Inner {
    state: CounterState,
    last_activity: Instant,
    idle: Duration,
    /// The keychain's session token, once read or written; gone with it.
    session: Option<SecretString>,
}

pub struct Counter {
    client: CaClient,
    keychain: Keychain,
    tokens: TokenService,
    inner: Mutex<Inner>,
    changes: watch::Sender<CounterState>,
}

impl std::fmt::Debug for Counter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Counter")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

fn name_value(cert: &Certificate, oid: ObjectIdentifier) -> Option<String> {
    cert.tbs_certificate()
        .subject()
        .by_oid::<DirectoryString>(oid)
        .ok()
        .flatten()
        .map(String::from)
}

/// The operator id a certificate's subject names, if it is an operator certificate.
fn operator_of(c: &CertSummary) -> Option<OperatorOnToken> {
    if c.is_ca {
        return None;
    }
    let cert = Certificate::from_der(&c.der).ok()?;
    let id = name_value(&cert, SERIAL_NUMBER)?;
    let digits = id.strip_prefix("OP")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(OperatorOnToken {
        operator_id: id,
        name: name_value(&cert, COMMON_NAME).unwrap_or_default(),
        certificate_serial: c.serial.clone(),
        key_id: c.id.clone(),
    })
}

impl Counter {
    /// A counter, signed out. A session left in the keychain by a crash is ended: the
    /// operator must sign in again with their token and PIN after any restart.
    pub async fn open(config: CounterConfig, tokens: TokenService) -> Result<Self, CounterError> {
        let client = CaClient::with_config(&config.ca_url, config.client)
            .map_err(|e| CounterError::Ca(WorkflowError::from_client(e)))?;
        let counter = Self {
            client,
            keychain: config.keychain,
            tokens,
            inner: Mutex::new(Inner {
                state: CounterState::SignedOut,
                last_activity: Instant::now(),
                idle: idle_duration(config.idle_minutes),
                session: None,
            }),
            changes: watch::channel(CounterState::SignedOut).0,
        };
        counter.end_session().await?;
        Ok(counter)
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn state(&self) -> CounterState {
        self.inner().state.clone()
    }

    /// Every change of state, for the shell to broadcast.
    pub fn subscribe(&self) -> watch::Receiver<CounterState> {
        self.changes.subscribe()
    }

    fn set(&self, inner: &mut Inner, state: CounterState) {
        inner.state = state.clone();
        self.changes.send_replace(state);
    }

    /// The idle lock's time (the setting changed).
    pub fn set_idle_minutes(&self, minutes: u32) {
        self.inner().idle = idle_duration(minutes);
    }

    /// The operator did something: the idle clock starts again.
    pub fn touch(&self, now: Instant) {
        self.inner().last_activity = now;
    }

    /// The operator certificate on `token`, read without a PIN (certificates are public
    /// objects), so the sign-in screen can name whose token it is.
    pub async fn operator_on(&self, token: &TokenRef) -> Result<OperatorOnToken, CounterError> {
        let certs = self.tokens.list_certificates(token.clone()).await?;
        certs
            .iter()
            .filter_map(|c| operator_of(c).map(|o| (c.not_after_unix, o)))
            // Several (a renewed operator certificate next to the old one): the newest.
            .max_by_key(|(not_after, _)| *not_after)
            .map(|(_, o)| o)
            .ok_or(CounterError::NoOperatorCertificate)
    }

    /// Signs the operator on `token` in, with their PIN.
    pub async fn sign_in(
        &self,
        token: TokenRef,
        pin: SecretString,
        confirm_final_try: bool,
    ) -> Result<CounterState, CounterError> {
        if !matches!(self.state(), CounterState::SignedOut) {
            return Err(CounterError::AlreadySignedIn);
        }
        self.authenticate(token, pin, confirm_final_try, None).await
    }

    /// Opens a locked counter again: the same operator, their token, their PIN.
    pub async fn unlock(
        &self,
        token: TokenRef,
        pin: SecretString,
        confirm_final_try: bool,
    ) -> Result<CounterState, CounterError> {
        let CounterState::Locked { operator, .. } = self.state() else {
            return Err(CounterError::NotLocked);
        };
        self.authenticate(token, pin, confirm_final_try, Some(operator.id))
            .await
    }

    async fn authenticate(
        &self,
        token: TokenRef,
        pin: SecretString,
        confirm_final_try: bool,
        expect: Option<String>,
    ) -> Result<CounterState, CounterError> {
        // Found before the PIN is tried: a token without an operator certificate (or
        // another operator's, at a locked counter) costs no PIN attempt.
        let found = self.operator_on(&token).await?;
        if expect.as_ref().is_some_and(|id| *id != found.operator_id) {
            return Err(CounterError::OtherOperator);
        }
        let challenge = self.client.operator_challenge().await?;
        let signature = self
            .sign_on_token(&token, &found, (pin, confirm_final_try), challenge.to_sign)
            .await?;
        let session = self
            .client
            .operator_sign_in(
                &challenge.challenge_id,
                &found.certificate_serial,
                &signature,
            )
            .await?;
        let session_token = Zeroizing::new(session.token.clone());
        let operator = OperatorInfo::from_wire(session.operator, found.certificate_serial);
        if operator.id != found.operator_id || expect.is_some_and(|id| id != operator.id) {
            // The CA's registry and the certificate disagree: not this counter's operator.
            let _ = self
                .client
                .clone()
                .with_token(SecretString::from(session_token.as_str()))
                .operator_sign_out()
                .await;
            return Err(CounterError::OtherOperator);
        }
        self.keep(&session_token, &session.expires_at)?;
        let state = CounterState::SignedIn {
            operator,
            token,
            expires_at: session.expires_at,
        };
        let mut inner = self.inner();
        inner.last_activity = Instant::now();
        self.set(&mut inner, state.clone());
        Ok(state)
    }

    /// `data` signed with the operator key on `token` after the PIN (sign-in, the daily
    /// close). The key is not left open on the token whatever happens: the next use of
    /// it needs the PIN again.
    pub(super) async fn sign_on_token(
        &self,
        token: &TokenRef,
        found: &OperatorOnToken,
        (pin, confirm_final_try): (SecretString, bool),
        data: Vec<u8>,
    ) -> Result<Vec<u8>, CounterError> {
        self.tokens
            .login(token.clone(), pin, confirm_final_try)
            .await?;
        let signed = self
            .tokens
            .sign(token.clone(), found.key_id.clone(), data)
            .await;
        let _ = self.tokens.logout(token.clone()).await;
        match signed {
            Ok(s) => Ok(s.signature),
            Err(TokenError::KeyNotFound { .. }) => Err(CounterError::NoOperatorCertificate),
            Err(e) => Err(e.into()),
        }
    }

    fn keep(&self, token: &str, expires_at: &str) -> Result<(), CounterError> {
        let json = Zeroizing::new(
            serde_json::to_string(&Stored {
                token: token.to_owned(),
                expires_at: expires_at.to_owned(),
            })
            .map_err(|_| KeychainError::Damaged(SESSION_ENTRY))?,
        );
        self.keychain
            .set(SESSION_ENTRY, &SecretString::from(json.as_str()))?;
        self.inner().session = Some(SecretString::from(token));
        Ok(())
    }

    /// The operator session token, while signed in.
    fn session_token(&self) -> Result<Option<SecretString>, CounterError> {
        if let Some(token) = &self.inner().session {
            return Ok(Some(token.clone()));
        }
        let token = self.stored_session()?;
        self.inner().session.clone_from(&token);
        Ok(token)
    }

    /// The session token as the keychain holds it.
    fn stored_session(&self) -> Result<Option<SecretString>, CounterError> {
        let Some(json) = self.keychain.get(SESSION_ENTRY)? else {
            return Ok(None);
        };
        let json = Zeroizing::new(json.expose_secret().to_owned());
        let stored: Stored =
            serde_json::from_str(&json).map_err(|_| KeychainError::Damaged(SESSION_ENTRY))?;
        Ok(Some(SecretString::from(stored.token)))
    }

    /// The token worker the counter works through (making a USBKey uses it too).
    pub(crate) fn token_service(&self) -> &TokenService {
        &self.tokens
    }

    /// A client carrying the operator session, for the counter's CA calls.
    pub fn session_client(&self) -> Result<CaClient, CounterError> {
        if !matches!(self.state(), CounterState::SignedIn { .. }) {
            return Err(CounterError::NotSignedIn);
        }
        let token = self.session_token()?.ok_or(CounterError::NotSignedIn)?;
        Ok(self.client.clone().with_token(token))
    }

    /// The signed-in operator as the CA has them now. A session the CA no longer
    /// accepts (the operator revoked meanwhile) signs the counter out.
    pub async fn refresh(&self) -> Result<CounterState, CounterError> {
        let client = self.session_client()?;
        match client.operator_me().await {
            Ok(op) => {
                let mut inner = self.inner();
                if let CounterState::SignedIn {
                    operator,
                    token,
                    expires_at,
                } = inner.state.clone()
                {
                    let fresh = OperatorInfo::from_wire(op, operator.certificate_serial);
                    self.set(
                        &mut inner,
                        CounterState::SignedIn {
                            operator: fresh,
                            token,
                            expires_at,
                        },
                    );
                }
                Ok(inner.state.clone())
            }
            Err(e) if e.code() == Some(certdesk_ca_api::ProblemCode::Unauthorized) => {
                self.sign_out().await?;
                Err(CounterError::NotSignedIn)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Locks a signed-in counter and ends its CA session. The credential leaves the
    /// keychain before the lock is announced, so a locked counter never holds one.
    pub async fn lock(&self, reason: LockReason) -> Result<CounterState, CounterError> {
        let taken = {
            let mut inner = self.inner();
            match inner.state.lock(reason) {
                Some(s) => {
                    let taken = self.take_session(&mut inner);
                    self.set(&mut inner, s);
                    Some(taken)
                }
                None => None,
            }
        };
        if let Some(taken) = taken {
            self.tell_ca(taken?).await;
        }
        Ok(self.state())
    }

    /// The tokens present now (after a presence event): locks when the bound one is gone.
    pub async fn tokens_present(&self, present: &[TokenRef]) -> Result<CounterState, CounterError> {
        let locked = self.inner().state.on_tokens_present(present).is_some();
        if locked {
            return self.lock(LockReason::TokenRemoved).await;
        }
        Ok(self.state())
    }

    /// Called on a timer: locks after the idle time, or when the session ran out.
    pub async fn tick(&self, now: Instant) -> Result<CounterState, CounterError> {
        let reason = {
            let inner = self.inner();
            let idle_for = now.saturating_duration_since(inner.last_activity);
            match &inner.state {
                CounterState::SignedIn { expires_at, .. } if expired(expires_at) => {
                    Some(LockReason::Expired)
                }
                s => s.on_idle(idle_for, inner.idle).map(|_| LockReason::Idle),
            }
        };
        match reason {
            Some(r) => self.lock(r).await,
            None => Ok(self.state()),
        }
    }

    /// Signs out from any state; the CA is told when it can be reached (its session
    /// expires on its own otherwise), the keychain entry goes in any case.
    pub async fn sign_out(&self) -> Result<CounterState, CounterError> {
        let taken = {
            let mut inner = self.inner();
            let taken = self.take_session(&mut inner);
            self.set(&mut inner, CounterState::SignedOut);
            taken
        };
        self.tell_ca(taken?).await;
        Ok(CounterState::SignedOut)
    }

    async fn end_session(&self) -> Result<(), CounterError> {
        let taken = self.take_session(&mut self.inner())?;
        self.tell_ca(taken).await;
        Ok(())
    }

    /// The session token, removed from memory and the keychain (`inner` is held by the
    /// caller, which changes the state with it).
    fn take_session(&self, inner: &mut Inner) -> Result<Option<SecretString>, CounterError> {
        let token = match inner.session.take() {
            Some(t) => Some(t),
            None => match self.stored_session() {
                Ok(t) => t,
                // A damaged entry is removed below all the same.
                Err(CounterError::Keychain(KeychainError::Damaged(_))) => None,
                Err(e) => return Err(e),
            },
        };
        self.keychain.delete(SESSION_ENTRY)?;
        Ok(token)
    }

    /// Ends the session at the CA; unreachable, it expires there on its own.
    async fn tell_ca(&self, token: Option<SecretString>) {
        if let Some(t) = token
            && let Err(e) = self.client.clone().with_token(t).operator_sign_out().await
        {
            tracing::info!(error = %e, "the CA was not told of the operator's sign-out");
        }
    }
}

fn expired(expires_at: &str) -> bool {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    // An expiry we cannot read is treated as passed: sign in again, never guess.
    OffsetDateTime::parse(expires_at, &Rfc3339).map_or(true, |t| t <= OffsetDateTime::now_utc())
}
