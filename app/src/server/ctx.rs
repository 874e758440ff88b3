//! What a server function needs from the request it serves.

use super::{
    accounts::random_token,
    activity::{VISIT_KEY, Visit},
    auth,
    db::Db,
    state::AppState,
};
use crate::{
    error::AppError,
    model::{Audience, CurrentUser, Role},
};
use axum::{
    extract::ConnectInfo,
    http::{HeaderValue, StatusCode, header},
};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::net::SocketAddr;
use tower_sessions::Session;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

pub fn db() -> Result<Db, AppError> {
    state().map(|state| state.db)
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "no session layer in front of a server function");
        AppError::Internal
    })
}

/// The peer address of the request, for throttling and the audit log.
pub async fn client_address() -> String {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map_or_else(|_| "unknown".to_owned(), |ConnectInfo(addr)| addr.ip().to_string())
}

/// What a server function that checks a password needs besides its form.
pub async fn auth_context() -> Result<auth::AuthContext, AppError> {
    let state = state()?;
    Ok(auth::AuthContext {
        db: state.db,
        session: session().await?,
        throttle: state.throttle,
        policy: state.sessions,
        client_address: client_address().await,
    })
}

pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    let state = state()?;
    auth::current_user(&state.db, &session().await?, state.sessions).await
}

/// The audience the signed-in user (or an anonymous reader) belongs to, for the help center.
pub async fn reader() -> Result<Audience, AppError> {
    Ok(Audience::of_reader(current_user().await?.as_ref()))
}

/// The signed-in user, if their role is one of `roles`: the one authorization check every
/// protected server function starts with.
pub async fn require(roles: &[Role]) -> Result<CurrentUser, AppError> {
    let user = current_user().await?.ok_or(AppError::NotSignedIn)?;
    if roles.contains(&user.role) { Ok(user) } else { Err(AppError::Forbidden) }
}

/// This browser's help-center visit, started on first use when `start` is set. Staff reading
/// the help center are not visitors: their reading is not customer activity.
pub async fn visit(start: bool) -> Result<Option<Visit>, AppError> {
    let user = current_user().await?;
    if user.as_ref().is_some_and(CurrentUser::is_staff) {
        return Ok(None);
    }
    let session = session().await?;
    let known = session.get::<String>(VISIT_KEY).await.map_err(visit_failed)?;
    let id = match known {
        Some(id) => id,
        None if start => {
            let id = random_token();
            session.insert(VISIT_KEY, &id).await.map_err(visit_failed)?;
            id
        }
        None => return Ok(None),
    };
    Ok(Some(Visit { id, customer_id: user.and_then(|user| user.customer_id) }))
}

fn visit_failed(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(%error, "session store failed while reading the visit");
    AppError::Internal
}

/// Passes a server function's result through, giving a failed call the HTTP status that
/// matches its error (the default would be 500 for every error, bad input included).
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        set_status(error.status_code());
    }
    result
}

/// Sets the status of the response being produced, from a server function or a page's
/// first, server-side render.
pub fn set_status(code: u16) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    }
}

/// Sends the page's Content-Security-Policy: scripts only from this origin or inline with this
/// response's nonce (the hydration and theme scripts), so injected markup cannot run code.
pub fn content_security_policy() {
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    match HeaderValue::from_str(&policy) {
        Ok(value) => response.insert_header(header::CONTENT_SECURITY_POLICY, value),
        Err(error) => tracing::error!(%error, "content security policy is not a valid header"),
    }
}
