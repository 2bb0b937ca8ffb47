//! The client-side view of an application: where it stands, which step the UI must
//! open, which steps may still be edited, and what the applicant may do next.
//!
//! Everything here is a pure function of the CA's [`Application`] (status plus
//! ACME-style requirements) and its [`Channel`]; the server stays the authority and the
//! client never invents progress it has not been told about.

use certdesk_ca_api::application::{
    Action, Application, ApplicationStatus, FaceMethod, PaperStatus, Person, RequirementKind,
    RequirementStatus, Shipment,
};
use certdesk_ca_api::channel::{
    Business, Channel, DocumentKind, EnterpriseVerification, HandlerVerification, IssuanceMode,
};
use serde::{Deserialize, Serialize};

/// The applicant's steps after the start pages, in the order the seed walks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "StepId"))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 企业认证: company and legal-representative facts against the registry.
    Enterprise,
    /// The legal representative's face check (channels that ask for it).
    LegalRepFace,
    /// 经办人认证; skipped when the legal representative handles the case.
    Handler,
    /// 信息确认: certificate, invoice and mailing information, then a read-only page.
    Information,
    /// 资料上传: the channel's documents.
    Documents,
    /// 授权委托书: uploaded, or signed online by the legal representative.
    Authorisation,
    /// 证书申请签名: the handler's SMS code and consent.
    Signature,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Enterprise,
        Step::LegalRepFace,
        Step::Handler,
        Step::Information,
        Step::Documents,
        Step::Authorisation,
        Step::Signature,
    ];

    pub fn requirement(self) -> RequirementKind {
        match self {
            Step::Enterprise => RequirementKind::EnterpriseVerification,
            Step::LegalRepFace => RequirementKind::LegalRepFaceCheck,
            Step::Handler => RequirementKind::HandlerVerification,
            Step::Information => RequirementKind::InformationConfirmation,
            Step::Documents => RequirementKind::Documents,
            Step::Authorisation => RequirementKind::Authorisation,
            Step::Signature => RequirementKind::ApplicationSignature,
        }
    }
}

/// The last failure the CA recorded on a step (e.g. a registry mismatch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepFailure {
    pub code: String,
    pub message: Option<String>,
}

/// How one step appears in the step bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Done,
    /// The step the applicant works on now.
    Current,
    /// Not reachable before the earlier steps are done.
    Upcoming,
    /// Not required for this application (e.g. the handler step when the legal
    /// representative handles the case).
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StepEntry {
    pub step: Step,
    pub state: StepState,
    /// The applicant may change this step's data now; false means view-only.
    pub editable: bool,
}

/// What the applicant can do on the current step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepTask {
    /// Fill in company and legal-representative facts, then have them verified.
    VerifyEnterprise { failure: Option<StepFailure> },
    /// Start (or restart) the legal representative's face check.
    LegalRepFaceCheck {
        methods: Vec<FaceMethod>,
        failure: Option<StepFailure>,
    },
    /// Verify the handler by one of the channel's methods.
    VerifyHandler {
        methods: Vec<HandlerVerification>,
        failure: Option<StepFailure>,
    },
    /// Complete certificate, invoice and mailing information, then confirm it read-only.
    ConfirmInformation,
    /// Upload the documents still missing; those already uploaded are not asked again.
    UploadDocuments { missing: Vec<DocumentKind> },
    /// Upload the stamped letter or send the legal representative a signing link.
    Authorise,
    /// The handler's SMS code and agreement consent.
    SignApplication,
}

/// An editable application (draft or rejected).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Editing {
    /// The step "continue" opens: where the application stopped.
    pub step: Step,
    pub task: StepTask,
    /// The reviewer's reasons when the application came back rejected.
    pub rejection_reasons: Vec<String>,
}

/// After the CA approved the application.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "next", rename_all = "snake_case")]
pub enum AfterApproval {
    /// The applicant downloads onto the mailed USBKey with the password card.
    Download { shipment: Option<Shipment> },
    /// The CA made the token and mailed it; the applicant confirms receipt.
    AwaitToken { shipment: Option<Shipment> },
}

/// Where an application stands. Each variant carries only the data valid in it, so
/// the UI cannot show, say, a payment QR code for an application in review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    Editing(Editing),
    /// Signed; the fee is due.
    AwaitingPayment {
        amount_fen: u64,
    },
    /// 材料审核: view-only, except the courier tracking number of mailed paper.
    InReview {
        /// Present while the channel's paper has not been received.
        paper: Option<PaperStatus>,
    },
    Approved(AfterApproval),
    /// The certificate exists (downloaded, or written onto a mailed token).
    Issued(AfterApproval),
    Completed,
    Cancelled,
}

/// What happens after the applicant's steps, so the step bar shows the way to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// 支付.
    Payment,
    /// 材料审核 by the CA.
    Review,
    /// 证书下载 onto the applicant's USBKey (download channels).
    Download,
    /// The USBKey the CA made, received by post (mailed-token channels).
    TokenByPost,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MilestoneEntry {
    pub milestone: Milestone,
    pub state: StepState,
}

/// Everything the UI needs to draw an application's page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub stage: Stage,
    pub steps: Vec<StepEntry>,
    /// Payment, review and delivery, after the steps.
    pub milestones: Vec<MilestoneEntry>,
    pub actions: Vec<Action>,
}

/// Payment, review and delivery as the application's status places them.
pub fn milestones(app: &Application, channel: &Channel) -> Vec<MilestoneEntry> {
    use ApplicationStatus as S;
    use StepState::{Current, Done, Skipped, Upcoming};
    let paid = requirement_status(app, RequirementKind::Payment).is_satisfied();
    let (payment, review, delivery) = match app.status {
        S::Draft | S::Rejected => (if paid { Done } else { Upcoming }, Upcoming, Upcoming),
        S::AwaitingPayment => (Current, Upcoming, Upcoming),
        S::InReview => (Done, Current, Upcoming),
        S::Approved => (Done, Done, Current),
        // Issued: downloaded onto the applicant's token, or a made token on its way.
        S::Issued => match channel.issuance {
            IssuanceMode::Download => (Done, Done, Done),
            IssuanceMode::MailedToken => (Done, Done, Current),
        },
        S::Completed => (Done, Done, Done),
        S::Cancelled => (if paid { Done } else { Skipped }, Skipped, Skipped),
    };
    let delivery_milestone = match channel.issuance {
        IssuanceMode::Download => Milestone::Download,
        IssuanceMode::MailedToken => Milestone::TokenByPost,
    };
    [
        (Milestone::Payment, payment),
        (Milestone::Review, review),
        (delivery_milestone, delivery),
    ]
    .into_iter()
    .map(|(milestone, state)| MilestoneEntry { milestone, state })
    .collect()
}

fn requirement(
    app: &Application,
    kind: RequirementKind,
) -> Option<&certdesk_ca_api::application::Requirement> {
    app.requirements.iter().find(|r| r.kind == kind)
}

/// A requirement's status; one the CA does not list is not required.
pub fn requirement_status(app: &Application, kind: RequirementKind) -> RequirementStatus {
    requirement(app, kind).map_or(RequirementStatus::NotRequired, |r| r.status)
}

fn failure(app: &Application, kind: RequirementKind) -> Option<StepFailure> {
    let r = requirement(app, kind)?;
    if r.status != RequirementStatus::Invalid {
        return None;
    }
    Some(StepFailure {
        code: r.error_code.clone().unwrap_or_else(|| "invalid".into()),
        message: r.error_message.clone(),
    })
}

/// Documents the channel wants from this applicant, apart from the letter of
/// authorisation (its own step); the handler's ID card only when a handler exists.
pub fn required_documents(app: &Application, channel: &Channel) -> Vec<DocumentKind> {
    let handles = legal_rep_handles(app);
    channel
        .documents
        .iter()
        .copied()
        .filter(|k| *k != DocumentKind::AuthorisationLetter)
        .filter(|k| !(handles && *k == DocumentKind::HandlerIdCard))
        .collect()
}

pub fn legal_rep_handles(app: &Application) -> bool {
    app.input
        .enterprise
        .as_ref()
        .is_some_and(|e| e.legal_rep_handles)
}

/// The steps that apply to this application and channel.
pub fn applies(app: &Application, channel: &Channel, step: Step) -> bool {
    match step {
        Step::LegalRepFace => {
            channel.enterprise_verification == EnterpriseVerification::RegistryAndLegalRepFace
                && requirement_status(app, step.requirement()) != RequirementStatus::NotRequired
        }
        Step::Handler | Step::Authorisation => {
            !legal_rep_handles(app)
                && requirement_status(app, step.requirement()) != RequirementStatus::NotRequired
        }
        _ => requirement_status(app, step.requirement()) != RequirementStatus::NotRequired,
    }
}

fn satisfied(app: &Application, channel: &Channel, step: Step) -> bool {
    !applies(app, channel, step) || requirement_status(app, step.requirement()).is_satisfied()
}

/// The step "continue" opens for an editable application: the first one not yet done.
/// For a rejected application that is normally the signature (the only requirement a
/// rejection resets); the reasons travel with the stage and every done step stays
/// editable, so the applicant fixes what the reviewer named and signs again. Editing a
/// fact at the CA reopens its step, which then comes first.
pub fn resume_step(app: &Application, channel: &Channel) -> Step {
    Step::ALL
        .into_iter()
        .find(|s| !satisfied(app, channel, *s))
        .unwrap_or(Step::Signature)
}

fn task(app: &Application, channel: &Channel, step: Step) -> StepTask {
    let fail = failure(app, step.requirement());
    match step {
        Step::Enterprise => StepTask::VerifyEnterprise { failure: fail },
        Step::LegalRepFace => StepTask::LegalRepFaceCheck {
            // The legal representative may not sit beside the handler: both ways.
            methods: vec![FaceMethod::SmsLink, FaceMethod::OnSite],
            failure: fail,
        },
        Step::Handler => StepTask::VerifyHandler {
            methods: channel.handler_verification.clone(),
            failure: fail,
        },
        Step::Information => StepTask::ConfirmInformation,
        Step::Documents => {
            let uploaded: Vec<DocumentKind> = app.documents.iter().map(|d| d.kind).collect();
            StepTask::UploadDocuments {
                missing: required_documents(app, channel)
                    .into_iter()
                    .filter(|k| !uploaded.contains(k))
                    .collect(),
            }
        }
        Step::Authorisation => StepTask::Authorise,
        Step::Signature => StepTask::SignApplication,
    }
}

fn after_approval(app: &Application, channel: &Channel) -> AfterApproval {
    let shipment = app.shipment.clone();
    match channel.issuance {
        IssuanceMode::Download => AfterApproval::Download { shipment },
        IssuanceMode::MailedToken => AfterApproval::AwaitToken { shipment },
    }
}

/// Where the application stands.
pub fn stage(app: &Application, channel: &Channel) -> Stage {
    use ApplicationStatus as S;
    match app.status {
        S::Draft | S::Rejected => {
            let step = resume_step(app, channel);
            Stage::Editing(Editing {
                step,
                task: task(app, channel, step),
                rejection_reasons: if app.status == S::Rejected {
                    app.rejection_reasons.clone()
                } else {
                    Vec::new()
                },
            })
        }
        S::AwaitingPayment => Stage::AwaitingPayment {
            amount_fen: app.amount_fen,
        },
        S::InReview => Stage::InReview {
            paper: app.paper.clone().filter(|_| {
                requirement_status(app, RequirementKind::Paper) == RequirementStatus::Pending
            }),
        },
        S::Approved => Stage::Approved(after_approval(app, channel)),
        S::Issued => Stage::Issued(after_approval(app, channel)),
        S::Completed => Stage::Completed,
        S::Cancelled => Stage::Cancelled,
    }
}

/// The step bar: each step's state and whether it may be edited now. Only an editable
/// application has editable steps: the current one and the done ones the applicant can
/// reach (every applying step before them done, or the current one).
pub fn steps(app: &Application, channel: &Channel) -> Vec<StepEntry> {
    let editable_app = app.status.is_editable();
    let current = editable_app.then(|| resume_step(app, channel));
    let mut reachable = true;
    Step::ALL
        .into_iter()
        .map(|step| {
            let applies = applies(app, channel, step);
            let done = satisfied(app, channel, step);
            let state = if !applies {
                StepState::Skipped
            } else if Some(step) == current {
                StepState::Current
            } else if done {
                StepState::Done
            } else {
                StepState::Upcoming
            };
            let editable = editable_app
                && (state == StepState::Current || (state == StepState::Done && reachable));
            // A step past an unfinished one (other than the current) cannot be reached.
            if applies && !done && Some(step) != current {
                reachable = false;
            }
            StepEntry {
                step,
                state,
                editable,
            }
        })
        .collect()
}

/// What the applicant may do with the application now, from its status. Mirrors the
/// CA's own rules, so the UI offers nothing the CA would refuse.
pub fn actions(status: ApplicationStatus, issuance: IssuanceMode) -> Vec<Action> {
    use ApplicationStatus as S;
    match status {
        S::Draft | S::Rejected => vec![Action::View, Action::Continue, Action::Cancel],
        S::AwaitingPayment => vec![Action::View, Action::Pay, Action::Cancel],
        S::InReview | S::Completed | S::Cancelled => vec![Action::View],
        S::Approved | S::Issued => match issuance {
            IssuanceMode::Download => vec![Action::View, Action::Download],
            IssuanceMode::MailedToken => vec![Action::View, Action::ConfirmReceipt],
        },
    }
}

pub fn plan(app: &Application, channel: &Channel) -> Plan {
    Plan {
        stage: stage(app, channel),
        steps: steps(app, channel),
        milestones: milestones(app, channel),
        actions: actions(app.status, channel.issuance),
    }
}

/// The pages before the CA knows the application: 渠道 → 业务 → 核验方式 and agreements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "page", rename_all = "snake_case")]
pub enum StartPage {
    ChooseChannel,
    ChooseBusiness {
        channel_id: String,
    },
    /// The materials each verification method needs, and the agreements to accept.
    VerificationMethod {
        channel_id: String,
        business: Business,
    },
    /// Everything chosen and accepted: the enterprise form opens.
    Ready {
        channel_id: String,
        business: Business,
    },
}

/// The start page a local draft is on.
pub fn start_page(
    channel_id: Option<&str>,
    business: Option<Business>,
    agreements_accepted: bool,
) -> StartPage {
    match (channel_id, business) {
        (None, _) => StartPage::ChooseChannel,
        (Some(c), None) => StartPage::ChooseBusiness {
            channel_id: c.to_string(),
        },
        (Some(c), Some(b)) if !agreements_accepted => StartPage::VerificationMethod {
            channel_id: c.to_string(),
            business: b,
        },
        (Some(c), Some(b)) => StartPage::Ready {
            channel_id: c.to_string(),
            business: b,
        },
    }
}

/// Who a face check of `step` is for, when the step is a face check.
pub fn face_person(step: Step) -> Option<Person> {
    match step {
        Step::LegalRepFace => Some(Person::LegalRep),
        Step::Handler => Some(Person::Handler),
        _ => None,
    }
}
