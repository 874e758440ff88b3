//! Signing in and out, for every role.

use crate::{error::AppError, model::CurrentUser};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{activity, auth, ctx};

/// Signs in; what a customer did in the help center before signing in joins their timeline.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn sign_in(email: String, password: String) -> Result<CurrentUser, AppError> {
    ctx::respond(
        async {
            let visit = ctx::visit(false).await?;
            let cx = ctx::auth_context().await?;
            let user = auth::sign_in(&cx, &email, &password).await?;
            if let (Some(visit), Some(customer_id)) = (visit, user.customer_id) {
                activity::attach(&cx.db, &visit.id, customer_id).await?;
            }
            Ok(user)
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn sign_out() -> Result<(), AppError> {
    ctx::respond(async { auth::sign_out(&ctx::session().await?).await }.await)
}

/// Who is signed in on this browser, if anyone.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    ctx::respond(ctx::current_user().await)
}
