//! The point's daily close (日结, issue 14 item 3) at the supervisor's counter: the day's
//! figures and differences from the CA, an explanation for each difference, and the
//! signature with the supervisor's own operator token (the PIN, then the CA's bytes
//! signed on the token as at sign-in). Inputs are checked here before anything is sent.

use certdesk_ca_api::close::{CloseExplanation, DailyClose, EXPLANATION_CHARS};
use certdesk_ca_api::{FieldError, ProblemCode};
use certdesk_ca_client::ClientError;
use certdesk_token::SecretString;

use super::audit::day;
use super::cases::{InputProblem, invalid};
use super::{CaseError, Counter, CounterError, CounterState};

/// A checked day: YYYY-MM-DD.
pub(super) fn checked_day(raw: &str) -> Result<String, CaseError> {
    day("day", raw)?
        .map(|_| raw.trim().to_owned())
        .ok_or_else(|| invalid("day", InputProblem::Required))
}

/// The problem of one free text (explanation, correction), if any.
fn text_problem(text: &str) -> Option<(&'static str, &'static str, &'static str)> {
    let t = text.trim();
    if t.is_empty() {
        Some(("required", "请填写说明", "an explanation is required"))
    } else if t.chars().count() > EXPLANATION_CHARS {
        Some((
            "too_long",
            "说明过长（最多500字）",
            "at most 500 characters",
        ))
    } else if t.chars().any(char::is_control) {
        Some((
            "control_character",
            "含有无法识别的字符",
            "contains characters that cannot be read",
        ))
    } else {
        None
    }
}

/// Each explanation checked, its errors named `explanation.<difference id>` so the view
/// marks the box it belongs to; the texts trimmed.
pub fn checked_explanations(
    explanations: &[(String, String)],
) -> Result<Vec<CloseExplanation>, CaseError> {
    let fields: Vec<FieldError> = explanations
        .iter()
        .filter_map(|(id, text)| {
            text_problem(text)
                .map(|(kind, zh, en)| FieldError::new(&format!("explanation.{id}"), kind, zh, en))
        })
        .collect();
    if !fields.is_empty() {
        return Err(CaseError::InvalidFields { fields });
    }
    Ok(explanations
        .iter()
        .map(|(id, text)| CloseExplanation {
            difference_id: id.clone(),
            text: text.trim().to_owned(),
        })
        .collect())
}

/// The CA's refusals the close tells apart; the rest as for any case step.
fn close_refusal(e: ClientError) -> Result<CaseError, ClientError> {
    match e.code() {
        Some(ProblemCode::DifferencesUnexplained) => Ok(CaseError::Unexplained),
        Some(ProblemCode::AlreadyExists) => Ok(CaseError::AlreadyClosed),
        Some(ProblemCode::PreconditionFailed) => Ok(CaseError::CloseChanged),
        _ => Err(e),
    }
}

impl Counter {
    /// The signed-in operator's point.
    pub(super) fn point(&self) -> Result<String, CaseError> {
        match self.state() {
            CounterState::SignedIn { operator, .. } => Ok(operator.point_id),
            _ => Err(CounterError::NotSignedIn.into()),
        }
    }

    async fn refused_close(&self, e: ClientError) -> CaseError {
        match close_refusal(e) {
            Ok(c) => c,
            Err(e) => self.cases().refused(e).await,
        }
    }

    /// The day at the supervisor's point: signed, or its live figures.
    pub async fn daily_close(&self, day: &str) -> Result<DailyClose, CaseError> {
        let day = checked_day(day)?;
        let client = self.cases().client()?;
        match client.daily_close(&self.point()?, &day).await {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused_close(e).await),
        }
    }

    /// The day's report (PDF).
    pub async fn daily_close_report(&self, day: &str) -> Result<Vec<u8>, CaseError> {
        let day = checked_day(day)?;
        let client = self.cases().client()?;
        match client.daily_close_report(&self.point()?, &day).await {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused_close(e).await),
        }
    }

    /// Signs the day with the explanations (`(difference id, text)`) on the signed-in
    /// supervisor's token after their PIN.
    pub async fn sign_daily_close(
        &self,
        day: &str,
        explanations: &[(String, String)],
        pin: SecretString,
        confirm_final_try: bool,
    ) -> Result<DailyClose, CaseError> {
        let day = checked_day(day)?;
        let explanations = checked_explanations(explanations)?;
        let CounterState::SignedIn {
            operator, token, ..
        } = self.state()
        else {
            return Err(CounterError::NotSignedIn.into());
        };
        let client = self.cases().client()?;
        let point = operator.point_id.as_str();
        let bytes = match client.daily_close_to_sign(point, &day, &explanations).await {
            Ok(b) => b,
            Err(e) => return Err(self.refused_close(e).await),
        };
        // The token the session is bound to, with the certificate the session opened with.
        let found = self.operator_on(&token).await?;
        if found.operator_id != operator.id
            || found.certificate_serial != operator.certificate_serial
        {
            return Err(CounterError::OtherOperator.into());
        }
        let signature = self
            .sign_on_token(&token, &found, (pin, confirm_final_try), bytes.to_sign)
            .await?;
        match client
            .sign_daily_close(
                point,
                &day,
                &explanations,
                (&bytes.document_sha256, &found.certificate_serial),
                &signature,
            )
            .await
        {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused_close(e).await),
        }
    }

    /// A correction beside the signed day.
    pub async fn correct_daily_close(
        &self,
        day: &str,
        text: &str,
    ) -> Result<DailyClose, CaseError> {
        let day = checked_day(day)?;
        if let Some((kind, zh, en)) = text_problem(text) {
            return Err(CaseError::InvalidFields {
                fields: vec![FieldError::new("correction", kind, zh, en)],
            });
        }
        let client = self.cases().client()?;
        match client
            .correct_daily_close(&self.point()?, &day, text.trim())
            .await
        {
            Ok(c) => Ok(c),
            Err(e) => Err(self.refused_close(e).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(r: Result<Vec<CloseExplanation>, CaseError>) -> Vec<(String, String)> {
        match r {
            Err(CaseError::InvalidFields { fields }) => {
                fields.into_iter().map(|f| (f.field, f.kind)).collect()
            }
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn each_explanation_is_checked_and_named_by_its_difference() {
        let long = "说".repeat(EXPLANATION_CHARS + 1);
        let got = kinds(checked_explanations(&[
            ("a:1".into(), "  ".into()),
            ("b:2".into(), "响铃\u{7}".into()),
            ("c:3".into(), long),
            ("d:4".into(), "申请人改日制证".into()),
        ]));
        assert_eq!(
            got,
            [
                ("explanation.a:1".into(), "required".into()),
                ("explanation.b:2".into(), "control_character".into()),
                ("explanation.c:3".into(), "too_long".into()),
            ]
        );
        let ok = checked_explanations(&[("d:4".into(), " 申请人改日制证 ".into())]).unwrap();
        assert_eq!(ok[0].text, "申请人改日制证");
    }

    #[test]
    fn a_day_is_yyyy_mm_dd() {
        assert_eq!(checked_day(" 2026-12-07 ").unwrap(), "2026-12-07");
        for bad in ["", "2026-13-01", "20261207", "2026-12-07x"] {
            assert!(checked_day(bad).is_err(), "{bad}");
        }
    }
}
