//! The HTTP surface: routes, the generated OpenAPI document, and sandbox pages.

pub(crate) mod applications;
mod audit;
mod auth;
mod ca;
mod documents;
mod download;
pub mod extract;
mod face;
mod idempotency;
mod invoices;
mod json_body;
mod meta;
pub mod operators;
mod pages;
mod payments;
mod pdf;
mod problems;
mod renewal;
mod sandbox;
mod staff;
pub(crate) mod steps;
mod test_clock;
mod txn;
mod unlock;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use certdesk_ca_api::ProblemCode;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

use crate::error::ApiError;
use crate::state::Shared;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CertDesk reference CA (证书助手参考CA)",
        description = "The online business system of a CA: sign-in, channels, applications \
(orders) with ACME-style requirements, documents, payment, review. Errors are RFC 9457 \
application/problem+json with a stable `code`. Creates honour `Idempotency-Key`; edits \
need `If-Match` with the ETag."
    ),
    modifiers(&SecuritySchemes),
    components(schemas(
        certdesk_ca_api::application::ListState,
        certdesk_ca_api::application::ApplicationStatus,
        certdesk_ca_api::payment::PaymentProvider,
    ))
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "enrollment",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "operator",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "staff",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Everything documented in `/openapi.json`.
fn api(sandbox_mode: bool) -> OpenApiRouter<Shared> {
    let mut r = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(meta::healthz))
        .routes(routes!(meta::list_channels))
        .routes(routes!(meta::get_channel))
        .routes(routes!(meta::channel_agreements))
        .routes(routes!(auth::create_captcha))
        .routes(routes!(auth::send_otp))
        .routes(routes!(auth::create_token))
        .routes(routes!(auth::logout))
        .routes(routes!(
            applications::create_application,
            applications::list_applications
        ))
        .routes(routes!(
            applications::get_application,
            applications::edit_application
        ))
        .routes(routes!(applications::cancel_application))
        .routes(routes!(steps::verification::verify_enterprise))
        .routes(routes!(face::start_face_check))
        .routes(routes!(face::get_face_check))
        .routes(routes!(face::face_check_result))
        .routes(routes!(steps::verification::verify_handler))
        .routes(routes!(steps::signature::confirm_information))
        .routes(routes!(steps::authorisation::start_online_authorisation))
        .routes(routes!(steps::authorisation::sign_authorisation))
        .routes(routes!(steps::signature::send_signature_otp))
        .routes(routes!(steps::signature::sign_application))
        .routes(routes!(steps::paper::record_paper_tracking))
        .routes(routes!(steps::paper::confirm_receipt))
        .routes(routes!(documents::upload_document))
        .routes(routes!(documents::ocr_business_licence))
        .routes(routes!(payments::create_payment))
        .routes(routes!(payments::get_payment))
        .routes(routes!(payments::renew_payment))
        .routes(routes!(payments::payment_notify))
        .routes(routes!(staff::staff_list))
        .routes(routes!(staff::staff_approve))
        .routes(routes!(staff::staff_reject))
        .routes(routes!(staff::staff_paper_received))
        .routes(routes!(audit::staff_audit))
        .routes(routes!(audit::operator_audit))
        .routes(routes!(
            operators::admin::add_point,
            operators::admin::list_points
        ))
        .routes(routes!(
            operators::admin::add_operator,
            operators::admin::list_operators
        ))
        .routes(routes!(operators::admin::revoke_operator))
        .routes(routes!(operators::sign_in::challenge))
        .routes(routes!(operators::sign_in::sign_in))
        .routes(routes!(operators::sign_in::me))
        .routes(routes!(operators::sign_in::logout))
        .routes(routes!(
            operators::supervisor::list_point_operators,
            operators::supervisor::add_point_operator
        ))
        .routes(routes!(operators::supervisor::revoke_point_operator))
        .routes(routes!(
            operators::cases::open_case,
            operators::cases::list_cases
        ))
        .routes(routes!(operators::keyed::key_case))
        .routes(routes!(operators::keyed::sign_case))
        .routes(routes!(operators::cases::get_case))
        .routes(routes!(operators::cases::check_field))
        .routes(routes!(operators::cases::approve_case))
        .routes(routes!(operators::cases::reject_case))
        .routes(routes!(operators::cases::check_identity))
        .routes(routes!(operators::cases::upload_copy))
        .routes(routes!(operators::cases::read_document))
        .routes(routes!(operators::making::enrollment))
        .routes(routes!(operators::making::so_pin))
        .routes(routes!(operators::making::record_token))
        .routes(routes!(operators::making::handover_code))
        .routes(routes!(operators::making::hand_over))
        .routes(routes!(operators::receipt::receipt))
        .routes(routes!(operators::stock::receive, operators::stock::list))
        .routes(routes!(operators::stock::change_state))
        .routes(routes!(operators::stock::set_policy))
        .routes(routes!(operators::stock::staff_set_policy))
        .routes(routes!(
            operators::close::get_close,
            operators::close::sign_close
        ))
        .routes(routes!(operators::close::to_sign))
        .routes(routes!(operators::close::correct_close))
        .routes(routes!(operators::close::report))
        .routes(routes!(operators::numbers::numbers))
        .routes(routes!(
            operators::payments::record_payment,
            operators::payments::list_payments
        ))
        .routes(routes!(download::lookup))
        .routes(routes!(download::authorise))
        .routes(routes!(download::finalize))
        .routes(routes!(download::confirm))
        .routes(routes!(download::certificate))
        .routes(routes!(download::revoke))
        .routes(routes!(ca::ca_file))
        .routes(routes!(renewal::challenge))
        .routes(routes!(renewal::renew))
        .routes(routes!(invoices::list))
        .routes(routes!(invoices::pdf))
        .routes(routes!(invoices::resend))
        .routes(routes!(unlock::start))
        .routes(routes!(unlock::authorise))
        .routes(routes!(unlock::staff_so_pin));
    if sandbox_mode {
        r = r
            .routes(routes!(sandbox::get_outbox))
            .routes(routes!(sandbox::captcha_answer))
            .routes(routes!(sandbox::list_registry, sandbox::put_registry))
            .routes(routes!(sandbox::complete_face_check))
            .routes(routes!(sandbox::pay))
            .routes(routes!(sandbox::approve))
            .routes(routes!(sandbox::reject))
            .routes(routes!(sandbox::paper_received))
            .routes(routes!(sandbox::sandbox_state));
    }
    r
}

/// The OpenAPI document (also served at `/openapi.json`).
pub fn openapi(sandbox_mode: bool) -> utoipa::openapi::OpenApi {
    api(sandbox_mode).split_for_parts().1
}

pub fn router(state: Shared) -> Router {
    let (router, doc) = api(state.sandbox).split_for_parts();
    let timeout = state.request_timeout;
    let json = doc.to_json().unwrap_or_else(|_| "{}".into());
    let mut router = router.route(
        "/openapi.json",
        get(move || async move {
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                json.clone(),
            )
                .into_response()
        }),
    );
    if !state.sandbox {
        router = router.route("/authorisation/{id}", get(pages::authorisation_page));
    }
    if state.sandbox {
        router = router
            .route("/sandbox", get(pages::sandbox_page))
            .route("/sandbox/face/{id}", get(pages::face_page))
            .route(
                "/sandbox/authorisation/{id}",
                get(pages::authorisation_page),
            )
            .route("/sandbox/pay/{id}", get(pages::bank_pay_page));
        // Only a sandbox started with `--test-clock` has a clock that can be moved.
        if state.clock_control.is_some() {
            router = router.route("/sandbox/clock", post(test_clock::advance));
        }
    }
    router
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async { ApiError::code(ProblemCode::MethodNotAllowed) })
        // Innermost first: panics and timeouts become responses, then problems.
        .layer(CatchPanicLayer::new())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(axum::middleware::from_fn(problems::as_problem))
        .layer(axum::middleware::from_fn(access_log))
        .layer(DefaultBodyLimit::max(
            documents::MAX_DOCUMENT_BYTES + 64 * 1024,
        ))
        .with_state(state)
}

/// One line per request: method, path (never the query: it can carry phone numbers),
/// status and latency.
async fn access_log(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let start = std::time::Instant::now();
    let resp = next.run(req).await;
    tracing::debug!(%method, %path, status = resp.status().as_u16(), ms = start.elapsed().as_secs_f64() * 1e3, "request");
    resp
}
