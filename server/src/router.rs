//! The HTTP surface: probes, the Leptos pages and server functions, static files.

use app::{
    App,
    server::{auth, privacy, sessions::Sessions, state::AppState},
    shell,
};
use crate::guard;
use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header},
    middleware,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use serde_json::json;
use std::{sync::LazyLock, time::Duration};
use tower_http::{
    compression::CompressionLayer,
    trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer},
};
use tower_sessions::{Session, SessionManagerLayer, cookie::SameSite};
use tracing::Level;

/// Session cookies: HttpOnly and SameSite=Lax always; Secure (and the `__Host-` prefix, which
/// requires it) when the product is served over https.
pub fn session_layer(store: Sessions, https: bool) -> SessionManagerLayer<Sessions> {
    SessionManagerLayer::new(store)
        .with_name(if https { "__Host-helpdesk_session" } else { "helpdesk_session" })
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(https)
        .with_path("/")
}

/// The app's routes, worked out once per process: generating them renders the app with
/// resource loading suppressed process-wide, which would stall any page being rendered at the
/// same moment (leptos-rs/leptos#4773). Tests build many routers side by side.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

pub fn router(state: AppState, sessions: SessionManagerLayer<Sessions>, https: bool) -> Router {
    let routes = ROUTES.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/account/export", get(export_my_data))
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(sessions)
        .layer(middleware::from_fn(guard::same_origin))
        .layer(middleware::from_fn(move |request, next| {
            guard::security_headers(https, request, next)
        }))
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// The process is up and serving HTTP.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can do useful work: its database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match tokio::time::timeout(Duration::from_secs(2), state.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness check: database error");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "reason": "database unreachable" })),
            )
        }
        Err(_) => {
            tracing::warn!("readiness check: database timed out");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "reason": "database timed out" })),
            )
        }
    }
}

/// Everything the signed-in user's account holds, as a JSON file to keep.
async fn export_my_data(State(state): State<AppState>, session: Session) -> Response {
    let user = match auth::current_user(&state.db, &session, state.sessions).await {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to("/sign-in?next=/account").into_response(),
        Err(error) => return failed(error),
    };
    match privacy::export(&state.db, &user).await {
        Ok(export) => (
            [
                (header::CONTENT_DISPOSITION, "attachment; filename=\"my-northwind-data.json\""),
                (header::CACHE_CONTROL, "no-store"),
            ],
            Json(export),
        )
            .into_response(),
        Err(error) => failed(error),
    }
}

fn failed(error: app::error::AppError) -> Response {
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}
