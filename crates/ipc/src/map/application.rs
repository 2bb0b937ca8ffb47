//! An application and its plan in their IPC shapes: the list's summary keeps the
//! organisation's name of the input (no identity numbers or phones), documents lose
//! their digest, and the core's stage — a union with data per stage — is flattened to
//! its kind, the step "continue" opens and that step's task.

use certdesk_ca_api::application::{Application, ApplicationPage, FaceMethod, PaperStatus};
use certdesk_ca_api::channel::HandlerVerification;
use certdesk_core::workflow::{ApplicationView, Editing, Plan, Stage, StepTask};

use crate::{
    ApplicationDetail, ApplicationList, ApplicationPaper, ApplicationPlan, ApplicationStage,
    ApplicationSummary, CurrentTask, StageKind, SummaryEnterprise, SummaryInput,
};

impl From<&Application> for ApplicationSummary {
    fn from(a: &Application) -> Self {
        Self {
            id: a.id.clone(),
            number: a.number.clone(),
            channel_id: a.channel_id.clone(),
            business: a.business,
            status: a.status,
            actions: a.actions.clone(),
            input: SummaryInput {
                enterprise: a.input.enterprise.as_ref().map(|e| SummaryEnterprise {
                    name: e.name.clone(),
                }),
            },
            amount_fen: a.amount_fen,
            rejection_reasons: a.rejection_reasons.clone(),
            created_at: a.created_at.clone(),
            updated_at: a.updated_at.clone(),
            documents: a.documents.iter().cloned().map(Into::into).collect(),
            paper: a.paper.clone().map(Into::into),
            shipment: a.shipment.clone(),
        }
    }
}

impl From<PaperStatus> for ApplicationPaper {
    fn from(p: PaperStatus) -> Self {
        Self {
            requirement: p.requirement,
            courier: p.courier,
            tracking_number: p.tracking_number,
            received_at: p.received_at,
        }
    }
}

impl From<ApplicationPage> for ApplicationList {
    fn from(p: ApplicationPage) -> Self {
        Self {
            items: p.items.iter().map(Into::into).collect(),
            next_cursor: p.next_cursor,
        }
    }
}

fn face_method(m: FaceMethod) -> &'static str {
    match m {
        FaceMethod::SmsLink => "sms_link",
        FaceMethod::OnSite => "on_site",
    }
}

fn handler_method(m: HandlerVerification) -> &'static str {
    match m {
        HandlerVerification::Phone => "phone",
        HandlerVerification::BankCard => "bank_card",
        HandlerVerification::Face => "face",
    }
}

impl From<StepTask> for CurrentTask {
    fn from(t: StepTask) -> Self {
        let task = |kind: &str| Self {
            kind: kind.to_owned(),
            methods: Vec::new(),
            failure: None,
            missing: Vec::new(),
        };
        match t {
            StepTask::VerifyEnterprise { failure } => Self {
                failure,
                ..task("verify_enterprise")
            },
            StepTask::LegalRepFaceCheck { methods, failure } => Self {
                methods: methods
                    .into_iter()
                    .map(face_method)
                    .map(str::to_owned)
                    .collect(),
                failure,
                ..task("legal_rep_face_check")
            },
            StepTask::VerifyHandler { methods, failure } => Self {
                methods: methods
                    .into_iter()
                    .map(handler_method)
                    .map(str::to_owned)
                    .collect(),
                failure,
                ..task("verify_handler")
            },
            StepTask::ConfirmInformation => task("confirm_information"),
            StepTask::UploadDocuments { missing } => Self {
                missing,
                ..task("upload_documents")
            },
            StepTask::Authorise => task("authorise"),
            StepTask::SignApplication => task("sign_application"),
        }
    }
}

impl From<Stage> for ApplicationStage {
    fn from(s: Stage) -> Self {
        let at = |stage| Self {
            stage,
            step: None,
            task: None,
        };
        match s {
            Stage::Editing(Editing { step, task, .. }) => Self {
                stage: StageKind::Editing,
                step: Some(step),
                task: Some(task.into()),
            },
            Stage::AwaitingPayment { .. } => at(StageKind::AwaitingPayment),
            Stage::InReview { .. } => at(StageKind::InReview),
            Stage::Approved(_) => at(StageKind::Approved),
            Stage::Issued(_) => at(StageKind::Issued),
            Stage::Completed => at(StageKind::Completed),
            Stage::Cancelled => at(StageKind::Cancelled),
        }
    }
}

impl From<Plan> for ApplicationPlan {
    fn from(p: Plan) -> Self {
        Self {
            stage: p.stage.into(),
            steps: p.steps,
            milestones: p.milestones,
            actions: p.actions,
        }
    }
}

impl From<ApplicationView> for ApplicationDetail {
    fn from(v: ApplicationView) -> Self {
        let app = &v.application;
        // A code that cannot be drawn (an id far longer than the CA's) is just not shown.
        let counter_code = app
            .status
            .can_open_at_counter()
            .then(|| certdesk_core::qr::svg_data_url(&app.id).ok())
            .flatten();
        Self {
            draft_id: v.draft_id.as_str().to_owned(),
            application: app.into(),
            plan: v.plan.into(),
            counter_code,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use certdesk_ca_api::application::Action;
    use certdesk_core::workflow::{AfterApproval, Step, StepFailure};
    use serde_json::json;

    use super::*;

    fn plan(stage: Stage) -> serde_json::Value {
        let p = Plan {
            stage,
            steps: vec![],
            milestones: vec![],
            actions: vec![Action::Continue],
        };
        serde_json::to_value(ApplicationPlan::from(p)).unwrap()
    }

    /// The stage reaches the UI flat: its kind, the step "continue" opens and its task,
    /// with every field present (`null` or `[]` where the stage has none).
    #[test]
    fn the_stage_is_flattened_to_kind_step_and_task() {
        let editing = Stage::Editing(Editing {
            step: Step::Handler,
            task: StepTask::VerifyHandler {
                methods: vec![HandlerVerification::BankCard, HandlerVerification::Face],
                failure: Some(StepFailure {
                    code: "verification_failed".into(),
                    message: None,
                }),
            },
            rejection_reasons: vec!["blurred scan".into()],
        });
        assert_eq!(
            plan(editing),
            json!({
                "stage": {
                    "stage": "editing",
                    "step": "handler",
                    "task": {
                        "kind": "verify_handler",
                        "methods": ["bank_card", "face"],
                        "failure": {"code": "verification_failed", "message": null},
                        "missing": [],
                    },
                },
                "steps": [],
                "milestones": [],
                "actions": ["continue"],
            })
        );
        let approved = Stage::Approved(AfterApproval::Download { shipment: None });
        assert_eq!(
            plan(approved)["stage"],
            json!({"stage": "approved", "step": null, "task": null})
        );
        let paying = Stage::AwaitingPayment { amount_fen: 100 };
        assert_eq!(plan(paying)["stage"]["stage"], "awaiting_payment");
    }

    /// The task's methods are spelled as the CA's JSON spells them (the UI matches them).
    #[test]
    fn method_names_are_the_wire_names() {
        for m in [FaceMethod::SmsLink, FaceMethod::OnSite] {
            assert_eq!(serde_json::to_value(m).unwrap(), face_method(m));
        }
        for m in [
            HandlerVerification::Phone,
            HandlerVerification::BankCard,
            HandlerVerification::Face,
        ] {
            assert_eq!(serde_json::to_value(m).unwrap(), handler_method(m));
        }
    }
}
