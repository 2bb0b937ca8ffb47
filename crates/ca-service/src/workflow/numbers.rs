//! The supervisor's numbers (issue 14 item 4): each case's stages from the moments the
//! counter recorded. A stage runs from the latest moment before it to its own end, so
//! stages never overlap and their sum is the case's time at the counter; a stage whose
//! end was not reached (yet, or ever: a case paid online has no counter payment) is
//! left out.

use certdesk_ca_api::FieldError;
use certdesk_ca_api::numbers::{
    CaseTimes, CounterNumbers, NUMBERS_MAX_DAYS, OperatorName, Stage, StageTime,
};
use rusqlite::Connection;

use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::store::numbers::{CaseMarks, Mark, cases_in};
use crate::store::operators as ops;

use super::close::window;

/// The stages of one case.
pub fn stages(c: &CaseMarks) -> Vec<StageTime> {
    let mut out = Vec::new();
    let mut since = c.opened_at;
    let mut stage = |stage: Stage, end: &Mark, by: Option<&Option<String>>| {
        if let Some((at, actor)) = end {
            out.push(StageTime {
                stage,
                seconds: (at - since).max(0) as u64,
                operator_id: by.unwrap_or(actor).clone(),
            });
            since = since.max(*at);
        }
    };
    stage(Stage::Verifying, &c.verified, None);
    stage(Stage::Paying, &c.paid, None);
    // The wait ends when making begins; it is the reviewer's queue.
    let reviewer = c.approved.as_ref().map(|(_, by)| by);
    stage(Stage::Waiting, &c.making, Some(reviewer.unwrap_or(&None)));
    stage(Stage::Making, &c.made, None);
    stage(Stage::HandingOver, &c.handed_over, None);
    out
}

fn wire(c: CaseMarks) -> CaseTimes {
    let stages = stages(&c);
    let finished = c.handed_over.as_ref().or(c.made.as_ref()).map(|m| m.0);
    CaseTimes {
        case_id: c.case_id,
        application_id: c.application_id,
        order_number: c.order_number,
        keyed: c.keyed,
        opened_by: c.opened_by,
        opened_at: rfc3339(c.opened_at),
        finished_at: finished.map(rfc3339),
        token_model: c.token_model,
        stages,
    }
}

fn too_long() -> ApiError {
    ApiError::fields(vec![FieldError::new(
        "to",
        "range",
        "结束日期应不早于开始日期，且最多31天",
        "the last day on or after the first, at most 31 days",
    )])
}

/// The numbers of `point` for the days `from` to `to` (China time, both included).
pub fn numbers(
    conn: &Connection,
    point: &str,
    (from, to): (&str, &str),
    now: i64,
) -> ApiResult<CounterNumbers> {
    let (start, _) = window(from, now)?;
    let (last, end) = window(to, now)?;
    if last < start || (end - start) / 86_400 > NUMBERS_MAX_DAYS {
        return Err(too_long());
    }
    let cases = cases_in(conn, point, (start, end))?
        .into_iter()
        .map(wire)
        .collect();
    let operators = ops::operators(conn, Some(point))?
        .into_iter()
        .map(|o| OperatorName {
            operator_id: o.id,
            name: o.name,
        })
        .collect();
    Ok(CounterNumbers {
        point_id: point.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        cases,
        operators,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(op: &str) -> Option<String> {
        Some(op.to_string())
    }

    fn marks() -> CaseMarks {
        CaseMarks {
            case_id: "case_1".into(),
            application_id: "app_1".into(),
            order_number: None,
            keyed: false,
            opened_by: "clerk".into(),
            opened_at: 1_000,
            verified: Some((1_120, by("clerk"))),
            paid: Some((1_180, by("cashier"))),
            approved: Some((1_400, by("reviewer"))),
            making: Some((1_500, by("maker"))),
            made: Some((1_560, by("maker"))),
            handed_over: Some((1_600, by("maker"))),
            token_model: None,
        }
    }

    fn seconds(s: &[StageTime]) -> Vec<(Stage, u64, Option<String>)> {
        s.iter()
            .map(|t| (t.stage, t.seconds, t.operator_id.clone()))
            .collect()
    }

    #[test]
    fn a_whole_case_splits_into_five_stages_that_add_up() {
        let s = stages(&marks());
        assert_eq!(
            seconds(&s),
            [
                (Stage::Verifying, 120, by("clerk")),
                (Stage::Paying, 60, by("cashier")),
                (Stage::Waiting, 320, by("reviewer")),
                (Stage::Making, 60, by("maker")),
                (Stage::HandingOver, 40, by("maker")),
            ]
        );
        assert_eq!(s.iter().map(|t| t.seconds).sum::<u64>(), 600);
    }

    #[test]
    fn paid_online_and_approved_by_staff_leave_no_counter_payment_and_no_reviewer() {
        let c = CaseMarks {
            paid: None,
            approved: None,
            ..marks()
        };
        assert_eq!(
            seconds(&stages(&c)),
            [
                (Stage::Verifying, 120, by("clerk")),
                (Stage::Waiting, 380, None),
                (Stage::Making, 60, by("maker")),
                (Stage::HandingOver, 40, by("maker")),
            ]
        );
    }

    #[test]
    fn paid_before_the_checks_ended_counts_no_negative_time() {
        let c = CaseMarks {
            paid: Some((1_050, by("cashier"))),
            ..marks()
        };
        let s = stages(&c);
        assert_eq!(s[1].seconds, 0);
        assert_eq!(s[2].seconds, 380, "the wait starts after the last check");
    }

    #[test]
    fn an_open_case_has_only_the_stages_it_reached() {
        let c = CaseMarks {
            approved: None,
            making: None,
            made: None,
            handed_over: None,
            ..marks()
        };
        assert_eq!(
            stages(&c).iter().map(|t| t.stage).collect::<Vec<_>>(),
            [Stage::Verifying, Stage::Paying]
        );
    }
}
