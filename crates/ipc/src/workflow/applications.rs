//! The application list and one application's plan (订单管理), as the UI sees them: the
//! list shows no identity numbers or phones, and the stage is flattened to the step
//! "continue" opens. Built from the core's values in `map::application`.

use certdesk_ca_api::application::{Action, ApplicationStatus, Shipment};
use certdesk_ca_api::channel::{Business, DocumentKind, PaperRequirement};
use certdesk_core::workflow::{MilestoneEntry, StepEntry, StepFailure};
use serde::Serialize;
use ts_rs::TS;

use crate::{DocumentMeta, StepId};

/// Only the organisation's name crosses for the list (no identity numbers).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SummaryEnterprise {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, TS)]
pub struct SummaryInput {
    pub enterprise: Option<SummaryEnterprise>,
}

/// Channels with paper by post: what to mail and its progress.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ApplicationPaper {
    pub requirement: PaperRequirement,
    pub courier: Option<String>,
    pub tracking_number: Option<String>,
    pub received_at: Option<String>,
}

/// One row of the application list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ApplicationSummary {
    pub id: String,
    /// The order number to read out (empty from a CA that gives none: show the id).
    pub number: String,
    pub channel_id: String,
    pub business: Business,
    pub status: ApplicationStatus,
    pub actions: Vec<Action>,
    pub input: SummaryInput,
    pub amount_fen: u64,
    pub rejection_reasons: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Documents uploaded so far (资料上传 ticks them and does not ask again).
    pub documents: Vec<DocumentMeta>,
    pub paper: Option<ApplicationPaper>,
    /// The CA's parcel (token, password card, invoice) once shipped.
    pub shipment: Option<Shipment>,
}

/// One page of 订单管理's list; `next_cursor` asks for the next.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ApplicationList {
    pub items: Vec<ApplicationSummary>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    Editing,
    AwaitingPayment,
    InReview,
    Approved,
    Issued,
    Completed,
    Cancelled,
}

/// Where the application stands; `step` is the step "continue" opens while editing.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ApplicationStage {
    pub stage: StageKind,
    pub step: Option<StepId>,
    /// While editing: what the current step asks for.
    pub task: Option<CurrentTask>,
}

/// The current step's task: its kind (`verify_enterprise`, `verify_handler`, …), the
/// methods it offers (handler: `phone`, `bank_card`, `face`) and the CA's last refusal.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CurrentTask {
    pub kind: String,
    pub methods: Vec<String>,
    pub failure: Option<StepFailure>,
    /// `upload_documents`: the channel's documents not uploaded yet.
    pub missing: Vec<DocumentKind>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ApplicationPlan {
    pub stage: ApplicationStage,
    pub steps: Vec<StepEntry>,
    pub milestones: Vec<MilestoneEntry>,
    pub actions: Vec<Action>,
}

/// One application with its plan (order details, "continue").
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ApplicationDetail {
    pub draft_id: String,
    pub application: ApplicationSummary,
    pub plan: ApplicationPlan,
    /// The order's QR code (its id, which an acceptance point's scanner types into the
    /// counter) as an SVG `data:` URL; `None` once the order is finished.
    pub counter_code: Option<String>,
}
