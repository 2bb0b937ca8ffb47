//! The application workflow as the UI sees it, one module per part of it: sign-in and
//! the session, the order list and one order's plan, the start pages, the forms, the
//! steps, payment and paper, the printed form and links, the offline queue. Field names
//! and enum spellings follow the core's and the CA's JSON; personal values the pages do
//! not show (identity numbers, tokens) have no field here and never cross.

mod forms;
mod orders;
mod payment;
mod printed_form;
mod session;
mod start;
mod steps;
mod sync;

pub use forms::{
    DraftForm, FieldInput, FieldProblem, HandlerCheck, HandlerCheckRequest, LocalDraft,
};
pub use orders::{
    BusinessKind, OrderAction, OrderEnterprise, OrderInput, OrderPage, OrderPlan, OrderStage,
    OrderStatus, OrderSummary, OrderTab, OrderView, StageKind, StepEntry, StepFailure, StepState,
    StepTask,
};
pub use payment::{
    OrderPaper, OrderShipment, PaperToMail, PaymentCode, PaymentProvider, PaymentRequest,
    PaymentStatus, TrackingRequest,
};
pub use printed_form::{FormAction, FormSaved, LINK_OPENED, LinkOpened};
pub use session::{
    CaptchaImage, CodeSent, ResumePoint, SessionInfo, SessionState, SignInCodeRequest,
    SignInRequest, SignedIn, StepId,
};
pub use start::{
    ChannelInfo, DocumentKind, EnterpriseMethod, HandlerVerification, IssuanceMode, PaperItems,
    StartPage, StartRequest, StartState,
};
pub use steps::{
    AuthorisationSent, DocumentMeta, DocumentUpload, FaceCheckRequest, FaceCheckView, FaceMethod,
    FacePerson, FaceStatus, FileUpload, MAX_DOCUMENT_BYTES, OcrSuggestion, OcrSuggestions,
    SignatureRequest,
};
pub use sync::{ConflictChoice, EditConflict, KeepSide, ResolveRequest, SyncState};
