//! The counter receipt (受理回执, issue 13 item 7) as a PDF, for a case of the operator's
//! own point.

use axum::extract::{Path, State};
use axum::response::Response;
use certdesk_ca_api::Problem;
use certdesk_form_pdf::counter_receipt;

use crate::error::ApiResult;
use crate::http::extract::OperatorAuth;
use crate::state::Shared;
use crate::workflow::cases as cases_wf;

/// The counter receipt (受理回执) of a case of the operator's point, as a one-page PDF:
/// application, organisation, documents received, amount and how it was paid, token
/// serial, operator numbers, point and times.
#[utoipa::path(get, path = "/v1/operator/cases/{id}/receipt", tag = "counter", security(("operator" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn receipt(
    State(state): State<Shared>,
    who: OperatorAuth,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let receipt = state.db.read(|c| {
        let case = cases_wf::at_point(c, &who.operator.point_id, &id)?;
        crate::workflow::receipt::of_case(c, &case, &who.operator.id, state.now())
    })?;
    crate::http::pdf::answer(move || counter_receipt::render(&receipt)).await
}
