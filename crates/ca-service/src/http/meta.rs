//! Health, channels and their agreements.

use axum::Json;
use axum::extract::{Path, State};
use certdesk_ca_api::agreement::AgreementList;
use certdesk_ca_api::channel::{Channel, ChannelList};
use certdesk_ca_api::{Health, Problem};

use crate::error::{ApiError, ApiResult};
use crate::state::Shared;

/// Liveness, version and the server's clock (clients check their clock skew).
#[utoipa::path(get, path = "/healthz", tag = "meta", responses((status = 200, body = Health)))]
pub async fn healthz(State(state): State<Shared>) -> ApiResult<Json<Health>> {
    // Touch the database so a broken data dir shows here.
    state.db.read(|c| {
        c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
            .map_err(ApiError::from)
    })?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        server_time: Some(crate::clock::rfc3339(
            state.now() + state.reported_clock_offset_secs,
        )),
    }))
}

/// Channels (渠道) and what each offers.
#[utoipa::path(get, path = "/v1/channels", tag = "meta", responses((status = 200, body = ChannelList)))]
pub async fn list_channels(State(state): State<Shared>) -> Json<ChannelList> {
    Json(ChannelList {
        items: state.channels.all(),
    })
}

/// One channel.
#[utoipa::path(get, path = "/v1/channels/{id}", tag = "meta", params(("id" = String, Path)),
    responses((status = 200, body = Channel),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn get_channel(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> ApiResult<Json<Channel>> {
    state
        .channels
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

/// The agreements (用户协议) an applicant of this channel reads and accepts before
/// starting, at their current versions. Public: they are read before signing in too.
#[utoipa::path(get, path = "/v1/channels/{id}/agreements", tag = "meta", params(("id" = String, Path)),
    responses((status = 200, body = AgreementList),
        (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn channel_agreements(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> ApiResult<Json<AgreementList>> {
    if state.channels.get(&id).is_none() {
        return Err(ApiError::not_found());
    }
    Ok(Json(AgreementList {
        items: state.channels.agreements_for(&id),
    }))
}
