//! The order list and one order's plan (订单管理).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{DocumentKind, DocumentMeta, OrderPaper, OrderShipment, StepId};

/// 订单管理's two tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderTab {
    Unfinished,
    Finished,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Draft,
    AwaitingPayment,
    InReview,
    Approved,
    Issued,
    Completed,
    Rejected,
    Cancelled,
}

/// What the CA allows on an order now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    View,
    Continue,
    Cancel,
    Pay,
    Download,
    ConfirmReceipt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BusinessKind {
    NewOrgCertificate,
    Renewal,
    Change,
    Reissue,
    Unlock,
}

/// Only the organisation's name crosses for the list (no identity numbers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderEnterprise {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct OrderInput {
    #[serde(default)]
    pub enterprise: Option<OrderEnterprise>,
}

/// One row of the order list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderSummary {
    pub id: String,
    pub channel_id: String,
    pub business: BusinessKind,
    pub status: OrderStatus,
    pub actions: Vec<OrderAction>,
    #[serde(default)]
    pub input: OrderInput,
    pub amount_fen: u64,
    #[serde(default)]
    pub rejection_reasons: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Documents uploaded so far (资料上传 ticks them and does not ask again).
    #[serde(default)]
    pub documents: Vec<DocumentMeta>,
    /// Channels with paper by post: what to mail and its progress.
    #[serde(default)]
    pub paper: Option<OrderPaper>,
    /// The CA's parcel (token, password card, invoice) once shipped.
    #[serde(default)]
    pub shipment: Option<OrderShipment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderPage {
    pub items: Vec<OrderSummary>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
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

/// Where the order stands; `step` is the step "continue" opens while editing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderStage {
    pub stage: StageKind,
    #[serde(default)]
    pub step: Option<StepId>,
    /// While editing: what the current step asks for.
    #[serde(default)]
    pub task: Option<StepTask>,
}

/// The current step's task: its kind (`verify_enterprise`, `verify_handler`, …), the
/// methods it offers (handler: `phone`, `bank_card`, `face`) and the CA's last refusal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StepTask {
    pub kind: String,
    #[serde(default)]
    pub methods: Vec<String>,
    #[serde(default)]
    pub failure: Option<StepFailure>,
    /// `upload_documents`: the channel's documents not uploaded yet.
    #[serde(default)]
    pub missing: Vec<DocumentKind>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StepFailure {
    pub code: String,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Done,
    Current,
    Upcoming,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StepEntry {
    pub step: StepId,
    pub state: StepState,
    pub editable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderPlan {
    pub stage: OrderStage,
    pub steps: Vec<StepEntry>,
    pub actions: Vec<OrderAction>,
}

/// One order with its plan (order details, "continue").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderView {
    pub draft_id: String,
    pub application: OrderSummary,
    pub plan: OrderPlan,
}
