//! The typed contract between the Tauri shell and the UI.
//!
//! Every type that crosses the IPC boundary lives here, Tauri-free, so the TypeScript
//! bindings (`ui/src/lib/ipc/bindings.ts`) are generated from one place and a test
//! fails when the committed file drifts from the Rust types.

mod bindings;
mod commands;
mod download;
mod error;
mod events;
mod status;
mod system;
mod workflow;

pub use bindings::typescript;
pub use commands::{COMMANDS, CommandSpec};
pub use download::{
    CaClock, DownloadCandidate, DownloadLookupRequest, DownloadPhase, DownloadProgress,
    DownloadResult, DownloadStep, DownloadToken, DownloadTokens, InterruptedDownload,
    KeyAlgorithmName, PinStatus, StartDownloadRequest,
};
pub use error::{ErrorCode, IpcError};
pub use events::{DOWNLOAD_PROGRESS, EVENTS, STATUS_CHANGED, StatusChanged};
pub use status::{CaConnection, StatusSnapshot, TokenPresence, TokenSummary};
pub use system::{AppInfo, Language, Settings};
pub use workflow::{
    BusinessKind, CaptchaImage, ChannelInfo, CodeSent, DocumentKind, EnterpriseMethod,
    HandlerMethod, IssuanceMode, OrderAction, OrderEnterprise, OrderInput, OrderPage, OrderPlan,
    OrderStage, OrderStatus, OrderSummary, OrderTab, OrderView, PaperItems, ResumePoint,
    SessionInfo, SessionState, SignInCodeRequest, SignInRequest, SignedIn, StageKind, StartPage,
    StartRequest, StartState, StepEntry, StepId, StepState,
};
pub use workflow::{
    DraftForm, FieldInput, FieldProblem, HandlerCheck, HandlerCheckRequest, LocalDraft,
    StepFailure, StepTask,
};
