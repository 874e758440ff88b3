//! What a server function needs from the request it serves.

use super::{db::Db, state::AppState};
use crate::error::AppError;
use axum::http::StatusCode;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

pub fn db() -> Result<Db, AppError> {
    use_context::<AppState>().map(|state| state.db).ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
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
