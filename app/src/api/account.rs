//! Accounts: registering, proving an email address, passwords and devices.

use crate::{error::AppError, model::AccountOverview};
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    model::Role,
    server::{
        accounts::{self, Registration},
        auth, ctx, privacy,
    },
};

/// Counts a request that sends account mail against the caller's address and the mailbox.
#[cfg(feature = "ssr")]
async fn count_mail_request(email: &str) -> Result<crate::server::state::AppState, AppError> {
    let state = ctx::state()?;
    let address = ctx::client_address().await;
    state.throttle.counted(&address, &email.trim().to_lowercase()).map_err(AppError::TooManyAttempts)?;
    Ok(state)
}

/// Creates a customer account; the answer is the same whether or not the address had one.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn register_customer(display_name: String, email: String, password: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            let state = count_mail_request(&email).await?;
            let registration = Registration { display_name: &display_name, email: &email, password: &password };
            accounts::register(&state.db, &state.links, registration).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    ctx::respond(async { accounts::verify_email(&ctx::db()?, &token).await }.await)
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            let state = count_mail_request(&email).await?;
            accounts::request_password_reset(&state.db, &state.links, &email).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    ctx::respond(async { accounts::reset_password(&ctx::db()?, &token, &password).await }.await)
}

/// The signed-in user's account page.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn my_account() -> Result<AccountOverview, AppError> {
    ctx::respond(
        async {
            let user = ctx::require(Role::ALL).await?;
            accounts::account_overview(&ctx::db()?, user).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            let user = ctx::require(Role::ALL).await?;
            let cx = ctx::auth_context().await?;
            auth::change_password(&cx, &user, &current_password, &new_password).await?;
            accounts::notify_password_changed(&cx.db, &ctx::state()?.links, &user).await
        }
        .await,
    )
}

/// Ends every session of the signed-in user except this one.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn sign_out_other_devices() -> Result<(), AppError> {
    ctx::respond(
        async {
            let user = ctx::require(Role::ALL).await?;
            let cx = ctx::auth_context().await?;
            auth::sign_out_other_devices(&cx.db, &cx.session, &user, cx.policy).await
        }
        .await,
    )
}

/// Asks for the account and its history to be erased after the grace period; the password
/// is asked again, since a forgotten open laptop should not be enough.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn request_account_erasure(password: String) -> Result<DateTime<Utc>, AppError> {
    ctx::respond(
        async {
            let user = ctx::require(&[Role::Customer]).await?;
            let cx = ctx::auth_context().await?;
            auth::confirm_password(&cx, &user, &password).await?;
            privacy::request_erasure(&cx.db, &user, ctx::state()?.erasure_grace).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn cancel_account_erasure() -> Result<(), AppError> {
    ctx::respond(
        async {
            let user = ctx::require(&[Role::Customer]).await?;
            privacy::cancel_erasure(&ctx::db()?, &user).await
        }
        .await,
    )
}
