//! The typed contract between the Tauri shell and the UI.
//!
//! Every type that crosses the IPC boundary is here, Tauri-free, so the TypeScript
//! bindings (`ui/src/lib/ipc/bindings.ts`) are generated from one place and a test
//! fails when the committed file drifts from the Rust types. This crate is the edge:
//! it knows the domain crates (the domain does not know it), gives each domain error
//! its code and typed details once ([`map`]), for the app and the CLI alike, and
//! converts domain values into their IPC shapes by compile-checked `From` impls.

mod audit;
mod batch;
mod bindings;
mod capability;
mod certificates;
mod close;
mod counter;
mod counter_cases;
mod counter_keyed;
mod customer;
mod download;
mod environment;
mod error;
mod events;
mod invoices;
mod making;
pub mod map;
mod numbers;
mod status;
mod stock;
mod system;
mod updates;
mod workflow;

// Domain types the UI shows as they are: their TypeScript is derived on them (feature
// `ts` of their crates), so no copy exists to drift.
pub use certdesk_core::settings::{CounterSettings, Language, Settings};
pub use certdesk_core::updates::UpdateChannel;
pub use certdesk_diagnostics::{
    CaCheck, ClockCheck, DamageKind, DamagedObject, DiagnosticBundle, EnvironmentReport,
    ModuleCheck, ObjectClassName, ReaderFound, SmartCardCheck, TokenFound,
};
// The CA's and the core's workflow values the UI shows as they are (same reason).
pub use certdesk_ca_api::FieldError;
pub use certdesk_ca_api::agreement::{AcceptedAgreement, Agreement, AgreementKind, LocalizedText};
pub use certdesk_ca_api::application::{
    Action, ApplicationStatus, FaceCheckStatus, FaceMethod, HandlerCheckMethod, ListState, Person,
    Shipment,
};
pub use certdesk_ca_api::auth::{Captcha, OtpSent};
pub use certdesk_ca_api::channel::{
    Business, DocumentKind, EnterpriseVerification, HandlerVerification, IssuanceMode,
    PaperRequirement,
};
pub use certdesk_ca_api::payment::{PaymentProvider, PaymentStatus};
pub use certdesk_core::workflow::{
    Keep, Milestone, MilestoneEntry, StartPage, StepEntry, StepFailure, StepState,
};
/// The token's PIN retry state (the UI's name for `certdesk_token::PinState`).
pub use certdesk_token::PinState as PinStatus;

pub use audit::{AuditAction, AuditEntryView, AuditPageView, AuditRequest};
pub use batch::{
    BatchEventView, BatchItemState, BatchItemView, BatchMark, BatchMarkRequest, BatchRunRequest,
    BatchView, COUNTER_BATCH_CHANGED,
};
pub use bindings::typescript;
pub use capability::{CUSTOMER_PREFIX, CapabilityFile, capability_files};
pub use certificates::{
    CertificateRef, CertificateStanding, ChangePinRequest, ExportFormat, MyCertificate,
    MyCertificates, RenewRequest, RenewalDone, RenewalProgress, RenewalStepId, RevocationReason,
    SavedFile, TokenPinInfo,
};
pub use close::{
    CloseCorrection, CloseDifference, CloseDocument, CloseExplanationInput, CloseFigures,
    CloseMethod, CloseSignRequest, CloseSignature, CloseStatus, DailyClose, DifferenceKind,
    MethodFigure, OperatorFigures,
};
pub use counter::{
    COUNTER_CHANGED, CounterLockReason, CounterSignInRequest, CounterToken, CounterView,
    OperatorOnTokenView, OperatorRole, OperatorView,
};
pub use counter_cases::{
    COUNTER_PAYMENT_CHANGED, CaseCheck, CaseCheckRequest, CaseCopyUpload, CaseCopyUploaded,
    CaseDocument, CaseDocumentContent, CaseField, CaseIdentityCheck, CaseIdentityRequest,
    CasePaymentRequest, CaseRejectRequest, CaseStatus, CaseSummaryView, CaseView,
    CounterPaymentMethod, CounterPaymentView, FieldOutcome, IdDocument,
};
pub use counter_keyed::{CaseKeyField, CaseKeyRequest, CaseScanUpload, CaseSignRequest};
pub use customer::{
    CUSTOMER_CHANGED, CodeAnswerProblem, CustomerPinAnswer, CustomerScreen, CustomerWindowView,
    PinAnswerProblem,
};
pub use download::{
    CaClock, DownloadCandidate, DownloadLookupRequest, DownloadPhase, DownloadProgress,
    DownloadResult, DownloadStep, DownloadToken, DownloadTokens, InterruptedDownload,
    KeyAlgorithmName, OrderDownload, StartDownloadRequest,
};
pub use environment::{
    SelfCheckAlgorithm, SelfCheckOutcome, SelfCheckRequest, SelfCheckResult, SelfCheckStep,
    SelfCheckStepResult,
};
pub use error::{
    BusinessDetails, CaProblemDetails, ClockDetails, ConflictDetails, DuplicateDetails, ErrorCode,
    ErrorDetails, FieldsDetails, IpcError, PinErrorDetails, PinRefusal, PinRuleDetails,
    ResumeDetails, StorageDetails, StorageReason, WrongTokenDetails,
};
pub use events::{
    DOWNLOAD_PROGRESS, EVENTS, ORDERS_CHANGED, RENEWAL_PROGRESS, STATUS_CHANGED, StatusChanged,
    UPDATE_AVAILABLE, UPDATE_PROGRESS,
};
pub use invoices::{InvoiceInfo, OrderInvoices};
pub use making::{
    COUNTER_MAKING_PROGRESS, CounterMakeRequest, MadeView, MakingProgressView, MakingStep,
    MakingTokenView,
};
pub use map::{
    batch_failure_code, case_to_ipc, client_to_ipc, counter_to_ipc, download_to_ipc, from_core,
    poisoned, renewal_to_ipc, standing_to_ipc, store_to_ipc, token_to_ipc, workflow_code,
    workflow_to_ipc,
};
pub use numbers::{
    HourFigure, ModelFigure, NumbersCsvRequest, NumbersRequest, NumbersSummary, OperatorStages,
    Stage, StageFigure,
};
pub use status::{CaConnection, StatusSnapshot, TokenPresence, TokenSummary};
pub use stock::{
    RefusedSerial, Stock, StockChangeRequest, StockCount, StockPolicy, StockReceiveRequest,
    StockReceived, StockRefusal, StockRequest, StockState, StockToken,
};
pub use system::{AppInfo, FirstRenderMarks};
pub use updates::{ReleaseNotes, UpdateCheck, UpdatePolicyView, UpdateProgress, UpdateReady};
pub use workflow::{
    ApplicationDetail, ApplicationList, ApplicationPaper, ApplicationPlan, ApplicationStage,
    ApplicationSummary, AuthorisationSent, ChannelInfo, ConflictChoice, CurrentTask, DocumentMeta,
    DocumentThumbnail, DocumentUpload, DraftForm, EditConflict, FaceCheckRequest, FaceCheckView,
    FieldInput, FileUpload, FormAction, FormSaved, HandlerCheckRequest, LINK_OPENED, LinkOpened,
    LocalDraft, MAX_DOCUMENT_BYTES, OcrSuggestion, OcrSuggestions, PaperItems, PaymentCode,
    PaymentRequest, ResolveRequest, ResumePoint, SessionInfo, SessionState, SignInCodeRequest,
    SignInRequest, SignatureRequest, SignedIn, StageKind, StartRequest, StartState, StepId,
    SummaryEnterprise, SummaryInput, SyncState, TrackingRequest,
};
