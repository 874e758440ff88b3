//! Admin tools: for admins only.

use crate::{
    error::AppError,
    model::{Role, StaffMember},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{
    accounts::{self, Invitation},
    ctx,
};

#[server(prefix = "/rpc")]
pub async fn staff_list() -> Result<Vec<StaffMember>, AppError> {
    ctx::respond(
        async {
            ctx::require(&[Role::Admin]).await?;
            accounts::staff_members(&ctx::db()?).await
        }
        .await,
    )
}

/// Adds a staff member, who gets an email to choose their password.
#[server(prefix = "/rpc")]
pub async fn invite_staff(display_name: String, email: String, role: Role) -> Result<StaffMember, AppError> {
    ctx::respond(
        async {
            let admin = ctx::require(&[Role::Admin]).await?;
            let state = ctx::state()?;
            let invitation = Invitation { display_name: &display_name, email: &email, role };
            accounts::invite_staff(&state.db, &state.links, admin.id, invitation).await
        }
        .await,
    )
}

#[server(prefix = "/rpc")]
pub async fn change_staff_role(user_id: i64, role: Role) -> Result<StaffMember, AppError> {
    ctx::respond(
        async {
            let admin = ctx::require(&[Role::Admin]).await?;
            accounts::change_staff_role(&ctx::db()?, admin.id, user_id, role).await
        }
        .await,
    )
}
