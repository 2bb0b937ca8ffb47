//! The application workflow: the pure state model ([`stage`]) and the async façade the
//! shell calls ([`Workflow`]).
//!
//! The shell keeps one [`Workflow`] (it is `Send + Sync`) and maps each command in one
//! line, errors through `certdesk-ipc` (which gives each [`WorkflowError`] its code):
//!
//! | page | calls |
//! |---|---|
//! | sign-in | `captcha`, `send_sign_in_code`, `sign_in` (→ resume point), `sign_out`, `session_state` |
//! | start | `channels`, `new_draft`, `choose` (→ [`StartPage`]), `open_draft`, `local_drafts` |
//! | any form | `save_field` on every keystroke (→ inline check), `sync` / `sync_all`, `resolve` |
//! | steps | `submit_enterprise`, `start_face_check` / `face_check`, `verify_handler`, `confirm_information`, `upload_document`, `ocr_business_licence`, `start_online_authorisation`, `send_signature_code`, `sign_application` |
//! | payment, paper | `pay`, `payment`, `renew_payment`, `record_paper_tracking`, `confirm_receipt` |
//! | orders | `orders`, `load` (→ [`Plan`]: the step "continue" opens), `order_download` (→ the download's password-card step), `cancel`, `open_link`, `review_outcomes` (notifications) |

pub mod desk;
pub mod error;
mod handover;
pub mod invoices;
pub mod link;
pub mod queue;
pub mod stage;
mod steps;
mod views;
pub mod watch;

pub use desk::{Workflow, WorkflowConfig};
pub use error::WorkflowError;
pub use handover::OrderDownload;
pub use invoices::{OrderInvoices, check_email};
pub use link::DeepLink;
pub use queue::{Keep, SyncOutcome};
pub use stage::{
    AfterApproval, Editing, Milestone, MilestoneEntry, Plan, Stage, StartPage, Step, StepEntry,
    StepFailure, StepState, StepTask, plan, start_page,
};
pub use views::{ApplicationView, DraftView};
pub use watch::ReviewFinished;

#[cfg(test)]
mod tests;
