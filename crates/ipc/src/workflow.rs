//! The application workflow as the UI sees it: sign-in, the session, the order list and
//! one order's plan. Field names and enum spellings follow the core's and the CA's JSON,
//! so the shell converts by serde (no hand-written field copying); personal values the
//! pages do not show (identity numbers, tokens) have no field here and never cross.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An image captcha from the CA (a `data:` URL, which the CSP allows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaptchaImage {
    pub captcha_id: String,
    pub image: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SignInCodeRequest {
    pub phone: String,
    pub captcha_id: String,
    pub captcha_answer: String,
}

/// The SMS code was sent: valid for `expires_in` s, a new one after `resend_after` s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CodeSent {
    pub expires_in: u64,
    pub resend_after: u64,
}

/// The one-time code is a secret: `Debug` never prints it.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SignInRequest {
    pub phone: String,
    pub code: String,
}

impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest").finish_non_exhaustive()
    }
}

/// The applicant's steps after the start pages (the core's workflow step).
pub use certdesk_core::workflow::Step as StepId;

/// Where the applicant was when the session expired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ResumePoint {
    #[serde(default)]
    pub application_id: Option<String>,
    #[serde(default)]
    pub draft_id: Option<String>,
    #[serde(default)]
    pub step: Option<StepId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SessionState {
    SignedOut,
    SignedIn {
        expires_at: String,
    },
    /// Sign in again to return to `resume`.
    Expired {
        #[serde(default)]
        resume: Option<ResumePoint>,
    },
}

/// The session and, while signed in during this run, the phone masked (`138******00`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SessionInfo {
    pub session: SessionState,
    pub masked_phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SignedIn {
    pub session: SessionInfo,
    /// Where to return: the previous session expired there.
    pub resume: Option<ResumePoint>,
}

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

/// How a channel verifies the enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseMethod {
    /// Company facts checked against the enterprise registry.
    Registry,
    /// Registry plus the legal representative's face check.
    RegistryAndLegalRepFace,
}

/// The handler verification methods a channel offers (one of them is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HandlerMethod {
    Phone,
    BankCard,
    Face,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    BusinessLicence,
    HandlerIdCard,
    LegalRepIdCard,
    AuthorisationLetter,
    ApplicationForm,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IssuanceMode {
    /// Downloaded onto the applicant's USBKey with a mailed password card.
    Download,
    /// The CA makes the token and mails it.
    MailedToken,
}

/// Paper the channel wants by post (the items only; the address comes with the order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaperItems {
    pub items: Vec<String>,
}

/// A channel (渠道) as the start pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ChannelInfo {
    pub id: String,
    pub name: String,
    pub businesses: Vec<BusinessKind>,
    pub enterprise_verification: EnterpriseMethod,
    pub handler_verification: Vec<HandlerMethod>,
    pub documents: Vec<DocumentKind>,
    pub fee_fen: u64,
    pub issuance: IssuanceMode,
    #[serde(default)]
    pub paper: Option<PaperItems>,
    pub validity_days: u32,
}

/// The start pages' choices; the local draft is created with them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StartRequest {
    pub channel_id: String,
    pub business: BusinessKind,
    pub agreements_accepted: bool,
    /// Change / reissue started from My certificates: the certificate concerned (hex).
    #[serde(default)]
    #[ts(optional)]
    pub certificate_serial: Option<String>,
}

/// The start page a draft is on (渠道 → 业务 → 核验方式 → ready for the enterprise form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "page", rename_all = "snake_case")]
pub enum StartPage {
    ChooseChannel,
    ChooseBusiness {
        channel_id: String,
    },
    VerificationMethod {
        channel_id: String,
        business: BusinessKind,
    },
    Ready {
        channel_id: String,
        business: BusinessKind,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StartState {
    pub draft_id: String,
    pub page: StartPage,
}

/// One field as typed, saved locally at once (`field` is its path, e.g. `enterprise.uscc`).
/// Personal data: `Debug` shows the path only.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldInput {
    pub draft_id: String,
    pub field: String,
    pub value: String,
}

impl std::fmt::Debug for FieldInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldInput")
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

/// An inline check's finding, in both languages (never echoing the value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldProblem {
    pub field: String,
    pub kind: String,
    pub message_zh: String,
    pub message_en: String,
}

/// A draft for its form: the start page it is on and every value as typed.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DraftForm {
    pub id: String,
    pub application_id: Option<String>,
    pub start_page: StartPage,
    #[ts(type = "Record<string, string>")]
    pub values: std::collections::BTreeMap<String, String>,
    /// Typed but not yet accepted by the CA.
    pub pending: Vec<String>,
}

impl std::fmt::Debug for DraftForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DraftForm")
            .field("id", &self.id)
            .field("application_id", &self.application_id)
            .finish_non_exhaustive()
    }
}

/// A local draft the CA does not know yet (listed with the unfinished orders).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LocalDraft {
    pub id: String,
    pub start_page: StartPage,
    /// The organisation's name as typed, if any.
    pub name: Option<String>,
}

/// 经办人认证 by phone (three factors) or bank card (four; the card is in the draft).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HandlerCheck {
    Phone,
    BankCard,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandlerCheckRequest {
    pub draft_id: String,
    pub method: HandlerCheck,
}

// ---- documents, face checks, authorisation and the application signature ----

/// The largest document the CA accepts (5 MiB); the UI refuses bigger files before
/// sending them, and the shell refuses them again.
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// A document the CA holds for an order (its content stays at the CA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DocumentMeta {
    pub id: String,
    pub kind: DocumentKind,
    pub content_type: String,
    pub size: u64,
    pub uploaded_at: String,
}

/// A file the applicant picked or dropped, as the webview read it. Base64 because the
/// IPC carries JSON: a 5 MiB file as a JSON array of numbers took seconds to cross.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FileUpload {
    pub file_name: String,
    pub content_base64: String,
}

/// Only the encoded length: the content is a scan of an identity document.
impl std::fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileUpload")
            .field("encoded_len", &self.content_base64.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DocumentUpload {
    pub draft_id: String,
    pub kind: DocumentKind,
    pub file: FileUpload,
}

/// One value read from a business licence, for the applicant to accept or ignore.
/// `field` is the enterprise form's path (`enterprise.uscc`, `enterprise.name`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OcrSuggestion {
    pub field: String,
    pub value: String,
    /// For the USCC: its check character is right. Wrong ones are offered, flagged.
    pub valid: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OcrSuggestions {
    /// False when the CA's recognition is not available; typing by hand always works.
    pub available: bool,
    pub suggestions: Vec<OcrSuggestion>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FacePerson {
    LegalRep,
    Handler,
}

/// 刷脸验证 by a link sent by SMS to the person's phone, or here on site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FaceMethod {
    SmsLink,
    OnSite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FaceStatus {
    Pending,
    Passed,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FaceCheckRequest {
    pub draft_id: String,
    pub person: FacePerson,
    pub method: FaceMethod,
}

/// A face check and where the person completes it (the on-site page's address).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FaceCheckView {
    pub id: String,
    pub person: FacePerson,
    pub method: FaceMethod,
    pub status: FaceStatus,
    pub url: String,
    /// The same address as a QR code (an SVG `data:` URL), for a phone to scan on site.
    #[serde(default)]
    pub qr: Option<String>,
}

/// The online letter of authorisation: the signing link went to the legal
/// representative by SMS; the order's authorisation step turns done once signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuthorisationSent {
    pub id: String,
}

/// 证书申请签名: the handler's SMS code and the agreement consent. `Debug` hides the code.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SignatureRequest {
    pub draft_id: String,
    pub code: String,
    pub consent: bool,
}

impl std::fmt::Debug for SignatureRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureRequest")
            .field("consent", &self.consent)
            .finish_non_exhaustive()
    }
}

// ---- payment, paper and parcels, the printed form, deep links ----

/// How the fee is paid (the app offers WeChat Pay and Alipay; the gateway may appear
/// on payments made elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PayProvider {
    Wechat,
    Alipay,
    BankGateway,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    Pending,
    Paid,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaymentRequest {
    pub draft_id: String,
    pub provider: PayProvider,
}

/// A payment with its QR code drawn by the shell (an SVG `data:` URL: the CSP allows
/// `data:` images and no remote origin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaymentCode {
    pub id: String,
    pub application_id: String,
    pub provider: PayProvider,
    pub amount_fen: u64,
    pub status: PaymentState,
    pub qr: String,
    pub expires_at: String,
    pub paid_at: Option<String>,
}

/// What the channel wants mailed, where to, and what to write on the waybill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaperToMail {
    pub items: Vec<String>,
    pub address: String,
    pub postcode: String,
    pub recipient: String,
    pub phone: String,
    pub waybill_note: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderPaper {
    pub requirement: PaperToMail,
    #[serde(default)]
    pub courier: Option<String>,
    #[serde(default)]
    pub tracking_number: Option<String>,
    #[serde(default)]
    pub received_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OrderShipment {
    pub courier: String,
    pub tracking_number: String,
    pub contents: Vec<String>,
    pub shipped_at: String,
}

/// The courier tracking number of the mailed paper, as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TrackingRequest {
    pub draft_id: String,
    pub courier: String,
    pub tracking_number: String,
}

/// The printed application form: saved where the applicant chose, and for "print"
/// opened in the system's PDF viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FormAction {
    Save,
    Print,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FormSaved {
    /// The file's name (not its folder: the UI only confirms).
    pub file_name: String,
    pub pages: u32,
    pub opened: bool,
}

/// Name of the event carrying [`LinkOpened`].
pub const LINK_OPENED: &str = "link-opened";

/// A `certdesk://` link the OS handed to the app (a second launch, or the first one's
/// arguments); the UI opens it with `open_link`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LinkOpened {
    pub url: String,
}

/// What sending a draft's queued edits did (the offline queue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SyncState {
    /// Nothing queued.
    UpToDate,
    /// The queued edits reached the CA; `held_back` are still incomplete and stay queued.
    Sent { held_back: u32 },
    /// Nothing complete enough to send yet.
    HeldBack { held_back: u32 },
    /// The CA cannot be reached: `pending` edits stay queued on this computer.
    Offline { pending: u32 },
    /// Fields changed here and at the CA since the last agreed version.
    Conflict { conflicts: Vec<EditConflict> },
}

/// One field changed on both sides: both values, for the applicant to choose. Personal
/// data: `Debug` shows the field path only.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EditConflict {
    pub field: String,
    pub mine: String,
    pub theirs: String,
}

impl std::fmt::Debug for EditConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EditConflict")
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeepSide {
    Mine,
    Theirs,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConflictChoice {
    pub field: String,
    pub keep: KeepSide,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ResolveRequest {
    pub draft_id: String,
    pub choices: Vec<ConflictChoice>,
}
