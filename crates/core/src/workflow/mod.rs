//! The application workflow: the pure state model ([`stage`]) and the async façade the
//! shell calls ([`Workflow`]).

pub mod desk;
pub mod error;
pub mod link;
pub mod queue;
pub mod stage;
pub mod watch;

pub use desk::{ApplicationView, DraftView, Workflow, WorkflowConfig};
pub use error::WorkflowError;
pub use link::DeepLink;
pub use queue::{Keep, SyncOutcome};
pub use stage::{
    AfterApproval, Editing, Plan, Stage, StartPage, Step, StepEntry, StepFailure, StepState,
    StepTask, plan, start_page,
};
pub use watch::ReviewFinished;

#[cfg(test)]
mod tests;
