//! The customer-facing window's side of making a USBKey at the counter (issue 13 item 6):
//! the applicant sets their own user PIN and types the hand-over code there, so neither
//! passes through the operator's screen.
//!
//! [`CustomerDesk`] is a rendezvous between the making task (which *asks* and waits) and
//! the customer window (which *answers*). It also shows the counter's WeChat/Alipay
//! payment code to the applicant (issue 13 item 4), which asks nothing. Only one question is open at a time; what the
//! window shows is a [`CustomerScreen`], published on a `watch` channel for the shell to
//! forward. No screen carries a secret: the PIN goes from [`CustomerDesk::answer_pin`]
//! straight to the waiting task as a [`SecretString`] and is never stored here.

use std::sync::Mutex;

use certdesk_ca_api::payment::PaymentProvider;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tokio::sync::{oneshot, watch};

use crate::pin_rules::{self, PinRule};
use crate::settings::Language;

/// What the customer window shows. Each question carries only what the applicant needs
/// to answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CustomerScreen"))]
#[serde(tag = "screen", rename_all = "snake_case")]
pub enum CustomerScreen {
    /// Nothing to do yet: the point's welcome.
    Welcome,
    /// Set the USBKey's PIN, typed twice; `refused` says why the last try was not taken.
    Pin {
        min_len: u32,
        max_len: u32,
        refused: Option<PinAnswerProblem>,
    },
    /// The USBKey is being made.
    Working,
    /// Type the hand-over code sent to the handler's phone (only its last four digits
    /// are shown).
    Code {
        phone_tail: Option<String>,
        refused: Option<CodeAnswerProblem>,
    },
    /// Pay the fee with the WeChat Pay or Alipay app: the provider's QR code (an SVG
    /// `data:` URL) and the amount; nothing to type here.
    Pay {
        provider: PaymentProvider,
        amount_fen: u64,
        qr: String,
        expires_at: String,
    },
    /// The fee was paid (the provider's notification reached the CA).
    Paid { amount_fen: u64 },
    /// Made and handed over.
    Done,
}

/// Why a PIN typed on the customer window was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PinAnswerProblem {
    TooShort,
    TooLong,
    /// One repeated digit or a run such as 123456.
    Trivial,
    /// The two entries differ.
    Mismatch,
    /// Control characters or characters a token keypad cannot type.
    Characters,
    /// The token refused it (the making task reports it back).
    TokenRefused,
}

/// Why a hand-over code was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CodeAnswerProblem {
    /// Not 4-8 digits.
    Malformed,
    /// The CA did not accept it (the making task reports it back).
    Wrong,
}

/// The question was withdrawn: the operator cancelled, or a new question replaced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the customer window's question was withdrawn")]
pub struct Withdrawn;

/// An answer given when no such question is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("no question is open on the customer window")]
    NotAsked,
    #[error("the PIN was not taken: {0:?}")]
    Pin(PinAnswerProblem),
    #[error("the code was not taken: {0:?}")]
    Code(CodeAnswerProblem),
}

enum Waiting {
    Pin {
        min: usize,
        max: usize,
        reply: oneshot::Sender<SecretString>,
    },
    Code {
        reply: oneshot::Sender<String>,
    },
}

/// The rendezvous. Cheap to share behind an `Arc`.
pub struct CustomerDesk {
    waiting: Mutex<Option<Waiting>>,
    screen: watch::Sender<CustomerScreen>,
    /// The language the applicant chose on the window, when not the point's. Kept here,
    /// not in the page: one display closes and reopens the window between questions,
    /// and it must not outlive the applicant's case (or the app) for the next one.
    language: Mutex<Option<Language>>,
}

impl Default for CustomerDesk {
    fn default() -> Self {
        Self {
            waiting: Mutex::new(None),
            screen: watch::Sender::new(CustomerScreen::Welcome),
            language: Mutex::new(None),
        }
    }
}

impl From<PinRule> for PinAnswerProblem {
    fn from(rule: PinRule) -> Self {
        match rule {
            PinRule::TooShort => Self::TooShort,
            PinRule::TooLong => Self::TooLong,
            // There is no old PIN on a token being made; `check` is given none.
            PinRule::Trivial | PinRule::SameAsOld => Self::Trivial,
        }
    }
}

/// The last four digits of a phone number, for "sent to ****1234".
fn tail(phone: &str) -> Option<String> {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 4).then(|| digits[digits.len() - 4..].iter().collect())
}

impl CustomerDesk {
    /// What the window shows now.
    pub fn screen(&self) -> CustomerScreen {
        self.screen.borrow().clone()
    }

    /// Follows the screen (the shell forwards each change to the window).
    pub fn subscribe(&self) -> watch::Receiver<CustomerScreen> {
        self.screen.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Waiting>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Shows a screen that asks nothing (`Welcome`, `Working`, `Pay`, `Paid`, `Done`),
    /// withdrawing any open question.
    pub fn show(&self, screen: CustomerScreen) {
        self.lock().take();
        // Done ends the applicant's case: the next one starts in the point's language.
        if screen == CustomerScreen::Done {
            *self.chosen() = None;
        }
        self.screen.send_replace(screen);
    }

    fn chosen(&self) -> std::sync::MutexGuard<'_, Option<Language>> {
        self.language.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The applicant's own choice of language on the window, if they made one.
    pub fn language(&self) -> Option<Language> {
        *self.chosen()
    }

    /// The applicant switched the window's language; it lasts until their case is done.
    pub fn choose_language(&self, language: Language) {
        *self.chosen() = Some(language);
    }

    /// Asks the applicant for the new user PIN within the token's limits and waits for a
    /// PIN that passes the rules and was typed the same twice. `refused` is shown with
    /// the question (the token refused the previous answer).
    pub async fn ask_pin(
        &self,
        min_len: usize,
        max_len: usize,
        refused: Option<PinAnswerProblem>,
    ) -> Result<SecretString, Withdrawn> {
        let (reply, answer) = oneshot::channel();
        let min = min_len.max(pin_rules::MIN_LEN);
        *self.lock() = Some(Waiting::Pin {
            min,
            max: max_len,
            reply,
        });
        self.screen.send_replace(CustomerScreen::Pin {
            min_len: u32::try_from(min).unwrap_or(u32::MAX),
            max_len: u32::try_from(max_len).unwrap_or(u32::MAX),
            refused,
        });
        answer.await.map_err(|_| Withdrawn)
    }

    /// The applicant's PIN, typed twice. A refused PIN leaves the question open and
    /// shows why; the PIN itself is never kept.
    pub fn answer_pin(&self, pin: &SecretString, again: &SecretString) -> Result<(), AnswerError> {
        let mut waiting = self.lock();
        let Some(Waiting::Pin { min, max, .. }) = &*waiting else {
            return Err(AnswerError::NotAsked);
        };
        let (min, max) = (*min, *max);
        let p = pin.expose_secret();
        let problem = if !p.chars().all(|c| c.is_ascii_graphic()) {
            Some(PinAnswerProblem::Characters)
        } else if let Err(rule) = pin_rules::check("", p, min, max) {
            Some(rule.into())
        } else if p != again.expose_secret() {
            Some(PinAnswerProblem::Mismatch)
        } else {
            None
        };
        if let Some(problem) = problem {
            self.screen.send_replace(CustomerScreen::Pin {
                min_len: u32::try_from(min).unwrap_or(u32::MAX),
                max_len: u32::try_from(max).unwrap_or(u32::MAX),
                refused: Some(problem),
            });
            return Err(AnswerError::Pin(problem));
        }
        if let Some(Waiting::Pin { reply, .. }) = waiting.take() {
            // The asker gone (cancelled) is the same as withdrawn: nothing to do.
            let _ = reply.send(SecretString::from(p.to_owned()));
        }
        self.screen.send_replace(CustomerScreen::Working);
        Ok(())
    }

    /// Asks for the hand-over code sent to `phone` and waits for a well-formed one.
    pub async fn ask_code(
        &self,
        phone: &str,
        refused: Option<CodeAnswerProblem>,
    ) -> Result<String, Withdrawn> {
        let (reply, answer) = oneshot::channel();
        *self.lock() = Some(Waiting::Code { reply });
        self.screen.send_replace(CustomerScreen::Code {
            phone_tail: tail(phone),
            refused,
        });
        answer.await.map_err(|_| Withdrawn)
    }

    /// The code the applicant typed: 4-8 digits (spaces around it ignored).
    pub fn answer_code(&self, code: &str) -> Result<(), AnswerError> {
        let mut waiting = self.lock();
        if !matches!(&*waiting, Some(Waiting::Code { .. })) {
            return Err(AnswerError::NotAsked);
        }
        let code = code.trim();
        if !(4..=8).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
            let problem = CodeAnswerProblem::Malformed;
            self.screen.send_modify(|s| {
                if let CustomerScreen::Code { refused, .. } = s {
                    *refused = Some(problem);
                }
            });
            return Err(AnswerError::Code(problem));
        }
        if let Some(Waiting::Code { reply }) = waiting.take() {
            let _ = reply.send(code.to_owned());
        }
        self.screen.send_replace(CustomerScreen::Working);
        Ok(())
    }

    /// Withdraws the open question (the operator cancelled the making) and shows the
    /// welcome again; the waiting task gets [`Withdrawn`].
    pub fn withdraw(&self) {
        self.show(CustomerScreen::Welcome);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[test]
    fn the_applicants_language_lasts_until_their_case_is_done() {
        let desk = CustomerDesk::default();
        assert_eq!(desk.language(), None);
        desk.choose_language(Language::En);
        // Between making and the hand-over the window shows other screens.
        desk.show(CustomerScreen::Working);
        desk.show(CustomerScreen::Welcome);
        assert_eq!(desk.language(), Some(Language::En));
        desk.show(CustomerScreen::Done);
        assert_eq!(desk.language(), None);
    }

    #[tokio::test]
    async fn a_pin_is_taken_only_when_it_passes_the_rules_and_matches() {
        let desk = Arc::new(CustomerDesk::default());
        let asker = {
            let desk = desk.clone();
            tokio::spawn(async move { desk.ask_pin(4, 16, None).await })
        };
        let mut screens = desk.subscribe();
        screens
            .wait_for(|s| matches!(s, CustomerScreen::Pin { .. }))
            .await
            .expect("asked");
        // The token allows 4, the rules never less than 6.
        assert_eq!(
            desk.screen(),
            CustomerScreen::Pin {
                min_len: 6,
                max_len: 16,
                refused: None
            }
        );
        for (pin, again, problem) in [
            ("1357", "1357", PinAnswerProblem::TooShort),
            ("123456", "123456", PinAnswerProblem::Trivial),
            ("888888", "888888", PinAnswerProblem::Trivial),
            (
                "13579a2468b13579c",
                "13579a2468b13579c",
                PinAnswerProblem::TooLong,
            ),
            ("135 790", "135 790", PinAnswerProblem::Characters),
            ("135\u{7}790", "135\u{7}790", PinAnswerProblem::Characters),
            ("135790", "135791", PinAnswerProblem::Mismatch),
        ] {
            assert_eq!(
                desk.answer_pin(&secret(pin), &secret(again)),
                Err(AnswerError::Pin(problem)),
                "{problem:?}"
            );
            assert!(
                matches!(desk.screen(), CustomerScreen::Pin { refused: Some(p), .. } if p == problem)
            );
        }
        assert_eq!(
            desk.answer_pin(&secret("135790"), &secret("135790")),
            Ok(())
        );
        let pin = asker.await.expect("joined").expect("answered");
        assert_eq!(pin.expose_secret(), "135790");
        assert_eq!(desk.screen(), CustomerScreen::Working);
        // Answered once: a second answer has no question.
        assert_eq!(
            desk.answer_pin(&secret("246813"), &secret("246813")),
            Err(AnswerError::NotAsked)
        );
        // No screen ever carried the PIN.
        assert!(!format!("{:?}", desk.screen()).contains("135790"));
    }

    #[tokio::test]
    async fn a_code_is_asked_with_the_phone_tail_and_can_be_withdrawn() {
        let desk = Arc::new(CustomerDesk::default());
        assert_eq!(desk.answer_code("123456"), Err(AnswerError::NotAsked));
        let asker = {
            let desk = desk.clone();
            tokio::spawn(async move { desk.ask_code("+86 138 0013 8000", None).await })
        };
        desk.subscribe()
            .wait_for(|s| matches!(s, CustomerScreen::Code { .. }))
            .await
            .expect("asked");
        assert_eq!(
            desk.screen(),
            CustomerScreen::Code {
                phone_tail: Some("8000".into()),
                refused: None
            }
        );
        assert_eq!(
            desk.answer_code("12a456"),
            Err(AnswerError::Code(CodeAnswerProblem::Malformed))
        );
        assert_eq!(desk.answer_code(" 482913\n"), Ok(()));
        assert_eq!(asker.await.expect("joined").as_deref(), Ok("482913"));

        let asker = {
            let desk = desk.clone();
            tokio::spawn(async move { desk.ask_pin(6, 16, None).await })
        };
        desk.subscribe()
            .wait_for(|s| matches!(s, CustomerScreen::Pin { .. }))
            .await
            .expect("asked");
        desk.withdraw();
        assert!(matches!(asker.await.expect("joined"), Err(Withdrawn)));
        assert_eq!(desk.screen(), CustomerScreen::Welcome);
    }
}
