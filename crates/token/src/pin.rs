//! PIN login with retry-flag handling, PIN change, SO unlock and token initialisation.
//!
//! The retry counter is read before every attempt: a low count is passed back as a
//! warning, the final try is refused unless the caller confirms (so a typo cannot lock
//! the token), and a locked PIN is reported with what to do instead of a raw error code.

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::session::UserType;
use secrecy::SecretString;

use crate::error::{PinState, Result, TokenError};
use crate::tokens::{TokenInfo, pin_state, token_info};
use crate::worker::{TokenRef, TokenService, Worker};

/// Result of a successful login.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoginOutcome {
    /// The PIN state read before the attempt; `CountLow` means the UI should warn.
    pub pin_state_before: PinState,
}

fn user_pin_state(w: &mut Worker, token: &TokenRef) -> Result<PinState> {
    let (m, slot) = w.find_slot(token)?;
    let t = m.ctx.get_token_info(slot)?;
    Ok(pin_state(
        t.user_pin_count_low(),
        t.user_pin_final_try(),
        t.user_pin_locked(),
    ))
}

/// Refuses attempts the user did not agree to: locked, or final try unconfirmed.
fn guard(state: PinState, confirm_final_try: bool) -> Result<()> {
    match state {
        PinState::Locked => Err(TokenError::PinLocked),
        PinState::FinalTry if !confirm_final_try => Err(TokenError::PinFinalTryNeedsConfirmation),
        _ => Ok(()),
    }
}

/// Turns a failed attempt into an error that says how many tries are left.
fn attempt_failed(w: &mut Worker, token: &TokenRef, e: CkError) -> TokenError {
    match e {
        CkError::Pkcs11(RvError::PinIncorrect, _) => match user_pin_state(w, token) {
            Ok(PinState::Locked) => TokenError::PinLocked,
            Ok(state) => TokenError::PinIncorrect { state },
            Err(other) => other,
        },
        other => other.into(),
    }
}

pub(crate) fn login(
    w: &mut Worker,
    token: &TokenRef,
    pin: &SecretString,
    confirm_final_try: bool,
) -> Result<LoginOutcome> {
    let before = user_pin_state(w, token)?;
    guard(before, confirm_final_try)?;
    let s = w.session(token)?;
    if s.logged_in {
        return Ok(LoginOutcome {
            pin_state_before: before,
        });
    }
    match s.session.login(UserType::User, Some(pin)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {
            s.logged_in = true;
            Ok(LoginOutcome {
                pin_state_before: before,
            })
        }
        Err(e) => Err(attempt_failed(w, token, e)),
    }
}

impl TokenService {
    /// Logs the user in. `confirm_final_try` must be true to spend the last attempt.
    pub async fn login(
        &self,
        token: TokenRef,
        pin: SecretString,
        confirm_final_try: bool,
    ) -> Result<LoginOutcome> {
        self.call(move |w| login(w, &token, &pin, confirm_final_try))
            .await
    }

    /// Logs out and closes the token's session.
    pub async fn logout(&self, token: TokenRef) -> Result<()> {
        self.call(move |w| {
            if let Some(s) = w.sessions.remove(&token)
                && s.logged_in
            {
                let _ = s.session.logout();
            }
            Ok(())
        })
        .await
    }

    /// Changes the user PIN (`C_SetPIN`). A wrong old PIN counts as an attempt, so the
    /// same final-try rule as for login applies.
    pub async fn change_pin(
        &self,
        token: TokenRef,
        old: SecretString,
        new: SecretString,
        confirm_final_try: bool,
    ) -> Result<()> {
        self.call(move |w| {
            guard(user_pin_state(w, &token)?, confirm_final_try)?;
            let s = w.session(&token)?;
            match s.session.set_pin(&old, &new) {
                Ok(()) => Ok(()),
                Err(e) => Err(attempt_failed(w, &token, e)),
            }
        })
        .await
    }

    /// Unlocks (or resets) the user PIN with the SO PIN: SO login, `C_InitPIN`, then a
    /// rescan of the module (which ends other sessions on that module).
    pub async fn reset_user_pin(
        &self,
        token: TokenRef,
        so_pin: SecretString,
        new_user_pin: SecretString,
    ) -> Result<()> {
        self.call(move |w| {
            // An open user session would make the SO login fail with "another user".
            w.sessions.remove(&token);
            let (m, slot) = w.find_slot(&token)?;
            let session = m.ctx.open_rw_session(slot)?;
            session
                .login(UserType::So, Some(&so_pin))
                .map_err(so_error)?;
            let r = session.init_pin(&new_user_pin);
            let _ = session.logout();
            drop(session);
            r?;
            // Kryoptic keeps reporting CKF_USER_PIN_LOCKED in this process until it is
            // re-initialised (a fresh process sees the reset), so rescan the module.
            w.reinitialize(&token.module)
        })
        .await
    }

    /// Changes the SO PIN (`C_SetPIN` in an SO session): a token that says its serial
    /// only once initialised is initialised with a transitional SO PIN and then given
    /// the one that belongs to its serial.
    pub async fn change_so_pin(
        &self,
        token: TokenRef,
        old: SecretString,
        new: SecretString,
    ) -> Result<()> {
        self.call(move |w| {
            // An open user session would make the SO login fail with "another user".
            w.sessions.remove(&token);
            let (m, slot) = w.find_slot(&token)?;
            let session = m.ctx.open_rw_session(slot)?;
            session.login(UserType::So, Some(&old)).map_err(so_error)?;
            let r = session.set_pin(&old, &new);
            let _ = session.logout();
            Ok(r?)
        })
        .await
    }

    /// Initialises a token for counter staff: label, SO PIN, user PIN. `token.serial`
    /// may be empty to address an uninitialised token that reports no serial. Returns
    /// the token as it appears after the module rescanned its slots (modules may give
    /// the fresh token a new serial and slot).
    pub async fn init_token(
        &self,
        token: TokenRef,
        label: String,
        so_pin: SecretString,
        user_pin: SecretString,
    ) -> Result<TokenInfo> {
        self.call(move |w| {
            w.sessions.remove(&token);
            let (m, slot) = w.find_slot(&token)?;
            m.ctx.init_token(slot, &so_pin, &label).map_err(so_error)?;
            w.reinitialize(&token.module)?;
            let m = w.module(&token.module)?;
            let mut found = None;
            for slot in m.ctx.get_slots_with_token()? {
                let t = m.ctx.get_token_info(slot)?;
                if t.label().trim() == label && t.token_initialized() && !t.user_pin_initialized() {
                    found = Some(slot);
                    break;
                }
            }
            let slot = found.ok_or_else(|| TokenError::TokenNotFound {
                module: token.module.clone(),
                serial: format!("(new token labelled {label})"),
            })?;
            let session = m.ctx.open_rw_session(slot)?;
            session
                .login(UserType::So, Some(&so_pin))
                .map_err(so_error)?;
            let r = session.init_pin(&user_pin);
            let _ = session.logout();
            r?;
            token_info(&m, slot)
        })
        .await
    }
}

fn so_error(e: CkError) -> TokenError {
    match e {
        CkError::Pkcs11(RvError::PinIncorrect, _) => TokenError::PinIncorrect {
            state: PinState::Ok,
        },
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_try_needs_confirmation_and_locked_is_refused() {
        assert!(guard(PinState::Ok, false).is_ok());
        assert!(guard(PinState::CountLow, false).is_ok());
        assert!(matches!(
            guard(PinState::FinalTry, false),
            Err(TokenError::PinFinalTryNeedsConfirmation)
        ));
        assert!(guard(PinState::FinalTry, true).is_ok());
        assert!(matches!(
            guard(PinState::Locked, true),
            Err(TokenError::PinLocked)
        ));
    }
}
