//! Domain values and errors as the UI receives them: one module per domain error (its
//! code and typed details, said once for the app and the CLI) and the conversions of
//! domain values into their IPC shapes. Compile-checked: a domain change that the IPC
//! does not follow fails to build.

mod application;
mod certificate_values;
mod core;
mod counter;
mod counter_cases;
mod download;
mod download_values;
mod making;
mod renewal;
mod session;
mod token;
mod workflow;
mod workflow_values;

pub use self::core::{from_core, poisoned};
pub use counter::counter_to_ipc;
pub use counter_cases::case_to_ipc;
pub use download::download_to_ipc;
pub use making::{batch_failure_code, making_to_ipc};
pub use renewal::{renewal_to_ipc, standing_to_ipc, store_to_ipc};
pub use token::token_to_ipc;
pub use workflow::{client_to_ipc, workflow_code, workflow_to_ipc};
