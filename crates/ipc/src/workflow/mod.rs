//! The application workflow as the UI sees it, one module per part of it: sign-in and
//! the session, the application list and one application's plan, the start pages, the
//! forms, the steps, payment, the printed form and links, the offline queue. Values the
//! UI shows as the CA or the core spell them are those types themselves (their
//! TypeScript is derived on them, feature `ts`); the types here are the requests and the
//! shapes that differ on purpose: personal values the pages do not show (identity
//! numbers, tokens) have no field here and never cross.

mod applications;
mod forms;
mod payment;
mod printed_form;
mod session;
mod start;
mod steps;
mod sync;

pub use applications::{
    ApplicationDetail, ApplicationList, ApplicationPaper, ApplicationPlan, ApplicationStage,
    ApplicationSummary, CurrentTask, StageKind, SummaryEnterprise, SummaryInput,
};
pub use forms::{DraftForm, FieldInput, HandlerCheckRequest, LocalDraft};
pub use payment::{PaymentCode, PaymentRequest, TrackingRequest};
pub use printed_form::{FormAction, FormSaved, LINK_OPENED, LinkOpened};
pub use session::{
    ResumePoint, SessionInfo, SessionState, SignInCodeRequest, SignInRequest, SignedIn, StepId,
};
pub use start::{ChannelInfo, PaperItems, StartRequest, StartState};
pub use steps::{
    AuthorisationSent, DocumentMeta, DocumentThumbnail, DocumentUpload, FaceCheckRequest,
    FaceCheckView, FileUpload, MAX_DOCUMENT_BYTES, OcrSuggestion, OcrSuggestions, SignatureRequest,
};
pub use sync::{ConflictChoice, EditConflict, ResolveRequest, SyncState};
