//! Signing in and out, for every role.

use crate::{error::AppError, model::CurrentUser};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{auth, ctx};

#[server(prefix = "/rpc")]
pub async fn sign_in(email: String, password: String) -> Result<CurrentUser, AppError> {
    ctx::respond(async { auth::sign_in(&ctx::auth_context().await?, &email, &password).await }.await)
}

#[server(prefix = "/rpc")]
pub async fn sign_out() -> Result<(), AppError> {
    ctx::respond(async { auth::sign_out(&ctx::session().await?).await }.await)
}

/// Who is signed in on this browser, if anyone.
#[server(prefix = "/rpc")]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    ctx::respond(ctx::current_user().await)
}
