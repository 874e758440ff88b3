//! Admin tools: for admins only.

use crate::{
    error::AppError,
    model::{ApiKey, ApiScope, Choice, CreatedApiKey, Macro, MacroFields, MailboxStatus, Role, StaffMember, TeamOverview},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{
    accounts::{self, Invitation},
    api_keys, ctx,
    inbound::imap::{self, NewMailbox, Security},
    macros,
    staff::{self, TeamChange},
};

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn staff_list() -> Result<Vec<StaffMember>, AppError> {
    ctx::respond(
        async {
            ctx::require(&[Role::Admin]).await?;
            accounts::staff_members(&ctx::db()?).await
        }
        .await,
    )
}

/// Lets an agent or supervisor write knowledge-base articles (`allowed`), or stops them.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn allow_article_editing(user_id: i64, allowed: bool) -> Result<StaffMember, AppError> {
    ctx::respond(
        async {
            let admin = ctx::require(&[Role::Admin]).await?;
            accounts::allow_article_editing(&ctx::db()?, admin.id, user_id, allowed).await
        }
        .await,
    )
}

/// Adds a staff member, who gets an email to choose their password.
#[server(prefix = "/rpc", output = super::JsonText)]
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

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn change_staff_role(user_id: i64, role: Role) -> Result<StaffMember, AppError> {
    ctx::respond(
        async {
            let admin = ctx::require(&[Role::Admin]).await?;
            accounts::change_staff_role(&ctx::db()?, admin.id, user_id, role).await
        }
        .await,
    )
}

/// Creates a macro (`macro_id` none) or replaces one.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn save_macro(macro_id: Option<i64>, fields: MacroFields) -> Result<Macro, AppError> {
    ctx::respond(
        async {
            let admin = ctx::require(&[Role::Admin]).await?;
            macros::save(&ctx::db()?, admin.id, macro_id, &fields).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn delete_macro(macro_id: i64) -> Result<(), AppError> {
    ctx::respond(
        async {
            let admin = ctx::require(&[Role::Admin]).await?;
            macros::delete(&ctx::db()?, admin.id, macro_id).await
        }
        .await,
    )
}

/// The teams a macro can hand a ticket to.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn team_choices() -> Result<Vec<Choice>, AppError> {
    ctx::respond(
        async {
            ctx::require(&[Role::Admin]).await?;
            staff::teams(&ctx::db()?).await
        }
        .await,
    )
}

/// Every team with its members.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn team_directory() -> Result<Vec<TeamOverview>, AppError> {
    ctx::respond(
        async {
            ctx::require(&[Role::Admin]).await?;
            staff::directory(&ctx::db()?).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn create_team(name: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            let admin = ctx::require(&[Role::Admin]).await?;
            staff::found_team(&ctx::db()?, admin.id, &name)
                .await
                .map(drop)
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn add_team_member(team_id: i64, user_id: i64) -> Result<(), AppError> {
    change_team(team_id, TeamChange::AddMember(user_id)).await
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn remove_team_member(team_id: i64, user_id: i64) -> Result<(), AppError> {
    change_team(team_id, TeamChange::RemoveMember(user_id)).await
}

/// `restricted`: the team's tickets are for its members only.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn restrict_team(team_id: i64, restricted: bool) -> Result<(), AppError> {
    change_team(team_id, TeamChange::Restrict(restricted)).await
}

#[cfg(feature = "ssr")]
async fn change_team(team_id: i64, change: TeamChange) -> Result<(), AppError> {
    ctx::respond(
        async {
            let admin = ctx::require(&[Role::Admin]).await?;
            staff::change_team(&ctx::db()?, admin.id, team_id, change).await
        }
        .await,
    )
}

/// Every API key, newest first, revoked ones included.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn api_key_list() -> Result<Vec<ApiKey>, AppError> {
    ctx::respond(
        async {
            ctx::require(&[Role::Admin]).await?;
            api_keys::list(&ctx::db()?).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn create_api_key(
    name: String,
    // None ticked arrives as no field at all; the service then names what is missing.
    #[server(default)] scopes: Vec<ApiScope>,
    rate_per_minute: u32,
) -> Result<CreatedApiKey, AppError> {
    ctx::respond(
        async {
            let admin = ctx::require(&[Role::Admin]).await?;
            let (key, secret) = api_keys::create(&ctx::db()?, &name, &scopes, rate_per_minute, Some(admin.id)).await?;
            Ok(CreatedApiKey { key, secret })
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn revoke_api_key(key_id: i64) -> Result<(), AppError> {
    ctx::respond(
        async {
            let admin = ctx::require(&[Role::Admin]).await?;
            api_keys::revoke(&ctx::db()?, key_id, Some(admin.id)).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn mailbox_list() -> Result<Vec<MailboxStatus>, AppError> {
    ctx::respond(
        async {
            ctx::require(&[Role::Admin]).await?;
            imap::statuses(&ctx::db()?).await
        }
        .await,
    )
}

/// A mailbox for the server to poll; `security` is tls, starttls or none.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn add_mailbox(
    name: String,
    host: String,
    port: u16,
    security: String,
    username: String,
    password: String,
    folder: String,
) -> Result<(), AppError> {
    ctx::respond(
        async {
            ctx::require(&[Role::Admin]).await?;
            let security = Security::parse(&security)?;
            let mailbox = NewMailbox { name, host, port, security, username, password, folder };
            let state = ctx::state()?;
            imap::add_mailbox(&state.db, &state.sealing, &mailbox).await.map(drop)
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn remove_mailbox(mailbox_id: i64) -> Result<(), AppError> {
    ctx::respond(
        async {
            ctx::require(&[Role::Admin]).await?;
            imap::remove_mailbox(&ctx::db()?, mailbox_id).await
        }
        .await,
    )
}
