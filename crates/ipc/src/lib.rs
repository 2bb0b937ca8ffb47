//! The typed contract between the Tauri shell and the UI.
//!
//! Every type that crosses the IPC boundary lives here, Tauri-free, so the TypeScript
//! bindings (`ui/src/lib/ipc/bindings.ts`) are generated from one place and a test
//! fails when the committed file drifts from the Rust types.

mod bindings;
mod capability;
mod certificates;
mod commands;
mod download;
mod environment;
mod error;
mod events;
mod invoices;
mod status;
mod system;
mod updates;
mod workflow;

pub use bindings::typescript;
pub use capability::capability_json;
pub use certificates::{
    CertificateRef, CertificateStanding, ChangePinRequest, ExportFormat, MyCertificate,
    MyCertificates, PinRule, RenewRequest, RenewalDone, RenewalProgress, RenewalStepId,
    RevocationReason, SavedFile, TokenPinInfo,
};
pub use commands::{COMMANDS, CommandSpec};
pub use download::{
    CaClock, DownloadCandidate, DownloadLookupRequest, DownloadPhase, DownloadProgress,
    DownloadResult, DownloadStep, DownloadToken, DownloadTokens, InterruptedDownload,
    KeyAlgorithmName, MAX_CLOCK_SKEW_SECS, StartDownloadRequest,
};
pub use environment::{
    CaCheck, ClockCheck, DamageKind, DamagedObject, DiagnosticBundle, EnvironmentReport,
    ModuleCheck, ObjectClassName, ReaderFound, SelfCheckAlgorithm, SelfCheckOutcome,
    SelfCheckRequest, SelfCheckResult, SelfCheckStep, SelfCheckStepResult, SmartCardCheck,
    TokenFound,
};
pub use error::{ErrorCode, IpcError, PinErrorDetails};
pub use events::{
    DOWNLOAD_PROGRESS, EVENTS, RENEWAL_PROGRESS, STATUS_CHANGED, StatusChanged, UPDATE_AVAILABLE,
    UPDATE_PROGRESS,
};
pub use invoices::{InvoiceInfo, OrderInvoices};
pub use status::{CaConnection, PinStatus, StatusSnapshot, TokenPresence, TokenSummary};
pub use system::{AppInfo, Language, Settings};
pub use updates::{
    ReleaseNotes, UpdateChannel, UpdateCheck, UpdatePolicyView, UpdateProgress, UpdateReady,
};
pub use workflow::{
    AuthorisationSent, DocumentMeta, DocumentUpload, FaceCheckRequest, FaceCheckView, FaceMethod,
    FacePerson, FaceStatus, FileUpload, MAX_DOCUMENT_BYTES, OcrSuggestion, OcrSuggestions,
    SignatureRequest,
};
pub use workflow::{
    BusinessKind, CaptchaImage, ChannelInfo, CodeSent, DocumentKind, EnterpriseMethod,
    HandlerMethod, IssuanceMode, OrderAction, OrderEnterprise, OrderInput, OrderPage, OrderPlan,
    OrderStage, OrderStatus, OrderSummary, OrderTab, OrderView, PaperItems, ResumePoint,
    SessionInfo, SessionState, SignInCodeRequest, SignInRequest, SignedIn, StageKind, StartPage,
    StartRequest, StartState, StepEntry, StepId, StepState,
};
pub use workflow::{ConflictChoice, EditConflict, KeepSide, ResolveRequest, SyncState};
pub use workflow::{
    DraftForm, FieldInput, FieldProblem, HandlerCheck, HandlerCheckRequest, LocalDraft,
    StepFailure, StepTask,
};
pub use workflow::{
    FormAction, FormSaved, LINK_OPENED, LinkOpened, OrderPaper, OrderShipment, PaperToMail,
    PayProvider, PaymentCode, PaymentRequest, PaymentState, TrackingRequest,
};
