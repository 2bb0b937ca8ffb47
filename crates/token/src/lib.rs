//! CertDesk token layer: PKCS#11 modules and tokens, one worker thread owning every
//! session, keys, CSRs, certificates, envelope import, self-test, and presence events.
//!
//! Start a [`TokenService`], then call its async methods; subscribe to
//! [`PresenceEvent`]s after starting a watcher ([`TokenService::watch_pcsc`],
//! [`TokenService::watch_module`]).
//!
//! `unsafe` lives only in `modules::raw` (the calls cryptoki does not offer).

#![deny(unsafe_code)]

pub mod capabilities;
pub mod certs;
pub mod csr;
pub mod envelope;
pub mod error;
pub mod fault;
pub mod first_use;
pub mod keys;
mod known;
pub mod mechanisms;
pub mod modules;
pub mod objects;
pub mod pin;
mod platform;
pub mod presence;
pub mod pubkey;
pub mod selfcheck;
pub mod selftest;
pub mod template;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod tokens;
pub mod worker;

pub use capabilities::Capabilities;
pub use certs::{CertSummary, CertWritten, KeySummary, Orphans};
pub use csr::Csr;
pub use envelope::{Envelope, EnvelopeImported};
pub use error::{LoadFailure, PinState, TokenError};
pub use keys::{KeyInfo, KeyPurpose, KeySpec, TokenSignature};
pub use modules::{ModuleCandidate, ModuleInfo, ModuleSource, discover};
pub use objects::{Damage, Inventory, ObjectKind, TokenObject};
pub use pin::LoginOutcome;
pub use presence::{
    PresenceConfig, PresenceEvent, PresenceSource, ReaderStatus, Watcher, pcsc_status,
};
pub use pubkey::KeyAlgorithm;
pub use secrecy::SecretString;
pub use selfcheck::{AlgorithmCheck, CheckStep, Outcome, SelfCheckReport, StepResult};
pub use selftest::SelfTest;
pub use tokens::{MechanismEntry, TokenInfo};
pub use worker::{TokenRef, TokenService};
