//! The supervisor's numbers (issue 14 item 4): each case opened at the point in a range
//! of days with the time it spent in each stage and who served it there. Another
//! point's numbers are out of reach (404, as absent).

use axum::Json;
use axum::extract::{Path, State};
use certdesk_ca_api::Problem;
use certdesk_ca_api::limits::IDENTIFIER;
use certdesk_ca_api::numbers::{CounterNumbers, NumbersQuery};

use crate::domain::checked::{Check, Checked};
use crate::error::ApiResult;
use crate::http::extract::{ApiQuery, OperatorAuth};
use crate::state::Shared;
use crate::workflow::numbers as wf;

impl Checked for NumbersQuery {
    fn check(&self, c: &mut Check) {
        let NumbersQuery { from, to } = self;
        c.text("from", from, IDENTIFIER);
        c.text("to", to, IDENTIFIER);
    }
}

/// The cases opened at the point from `from` to `to` (YYYY-MM-DD, China time, both
/// included, at most 31 days), oldest first, each with its stages; and the point's
/// operators to name them. Supervisors of the point only.
#[utoipa::path(get, path = "/v1/operator/numbers/{point}", tag = "counter", security(("operator" = [])),
    params(("point" = String, Path), NumbersQuery),
    responses((status = 200, body = CounterNumbers),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn numbers(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(point): Path<String>,
    ApiQuery(q): ApiQuery<NumbersQuery>,
) -> ApiResult<Json<CounterNumbers>> {
    super::close::supervising(&who, &point)?;
    let now = state.now();
    let numbers = state
        .db
        .read(|c| wf::numbers(c, &point, (&q.from, &q.to), now))?;
    Ok(Json(numbers))
}
