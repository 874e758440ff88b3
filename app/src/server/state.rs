use super::db::Db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

/// Shared by every request: handed to `leptos_routes`, which provides it as context to
/// server functions, and used as axum state by the plain HTTP endpoints.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
}
