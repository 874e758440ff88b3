//! The HTTP surface: probes, the Leptos pages and server functions, static files.

use app::{
    App,
    error::AppError,
    server::{attachments, auth, authoring, kb, kb_files, kb_images, privacy, sessions::Sessions, state::AppState},
    shell,
};
use crate::guard;
use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Path, State},
    http::{StatusCode, header},
    middleware,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
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
    let api = crate::api::routes(state.inbound.policy());
    Router::new()
        .merge(api)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/account/export", get(export_my_data))
        .route("/attachments/{id}/{file_name}", get(download_attachment))
        .route("/events/tickets", get(crate::live::ticket_events))
        .route("/a/{id}", get(article_short_link))
        .route("/admin/knowledge-base.zip", get(export_knowledge_base))
        .route("/kb/images/{id}/{name}", get(article_image))
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(sessions)
        // An upload over its limit is refused by the upload itself, naming the file; the body
        // limit sits just above, leaving room for the multipart envelope.
        .layer(DefaultBodyLimit::max(app::model::MAX_ATTACHMENT_BYTES as usize + 64 * 1024))
        .layer(middleware::from_fn(guard::multipart_uploads))
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

/// A short link to an article, as SMS and WhatsApp answers carry it.
async fn article_short_link(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else { return StatusCode::NOT_FOUND.into_response() };
    match kb::short_link_target(&state.db, id).await {
        Ok(slug) => Redirect::permanent(&format!("/articles/{slug}")).into_response(),
        Err(AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => failed(error),
    }
}

/// An image in an article, for every reader. The bytes behind an id never change, so browsers
/// and caches keep it for a year.
async fn article_image(State(state): State<AppState>, Path((id, _name)): Path<(String, String)>) -> Response {
    let Ok(id) = id.parse::<i64>() else { return StatusCode::NOT_FOUND.into_response() };
    match kb_images::image(&state.db, id).await {
        Ok((content_type, content)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable".to_owned()),
            ],
            content,
        )
            .into_response(),
        Err(AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => failed(error),
    }
}

/// Every article as markdown files with front matter, zipped: for editors only.
async fn export_knowledge_base(State(state): State<AppState>, session: Session) -> Response {
    let user = match auth::current_user(&state.db, &session, state.sessions).await {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to("/sign-in?next=/admin/articles").into_response(),
        Err(error) => return failed(error),
    };
    if let Err(error) = authoring::require_editor(&state.db, &user).await {
        return failed(error);
    }
    match kb_files::export(&state.db).await {
        Ok(archive) => (
            [
                (header::CONTENT_TYPE, "application/zip".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"knowledge-base-{}.zip\"", chrono::Utc::now().format("%Y-%m-%d")),
                ),
            ],
            archive,
        )
            .into_response(),
        Err(error) => failed(error),
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

/// A file sent with a message, to staff or to the customer whose conversation it is in. Always
/// a download (`Content-Disposition: attachment`), so a hostile HTML or SVG file is never
/// rendered on our origin.
async fn download_attachment(
    State(state): State<AppState>,
    session: Session,
    Path((id, _file_name)): Path<(i64, String)>,
) -> Response {
    let user = match auth::current_user(&state.db, &session, state.sessions).await {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to("/sign-in?next=/requests").into_response(),
        Err(error) => return failed(error),
    };
    match attachments::download(&state.db, &user, id).await {
        Ok(file) => {
            let name = utf8_percent_encode(&file.file_name, FILE_NAME_ESCAPES);
            (
                [
                    (header::CONTENT_TYPE, file.content_type),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename*=UTF-8''{name}")),
                    (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
                ],
                file.content,
            )
                .into_response()
        }
        Err(error) => failed(error),
    }
}

/// What RFC 5987 does not allow as is in `filename*`.
const FILE_NAME_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'-').remove(b'_');

pub(crate) fn failed(error: app::error::AppError) -> Response {
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}
