//! The agent workspace: for agents, supervisors and admins only.

use crate::{
    error::AppError,
    model::{
        CallDirection, Channel, Disposition, InboxChoices, InboxCounts, InboxQuery, Macro, Page, PageCursor, Priority,
        SearchResults, TicketStatus, TicketSummary, Viewer, WorkspaceTicket,
    },
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    model::{Audience, CurrentUser, Role},
    server::{attachments, ctx, inbound::calls, kb, macros, search, workspace},
};

#[cfg(feature = "ssr")]
async fn staff() -> Result<CurrentUser, AppError> {
    ctx::require(Role::STAFF).await
}

/// Staff who may work this ticket (a restricted team's tickets are for its members).
#[cfg(feature = "ssr")]
async fn staff_on(ticket_id: i64) -> Result<CurrentUser, AppError> {
    let agent = staff().await?;
    workspace::authorize(&ctx::db()?, &agent, ticket_id).await?;
    Ok(agent)
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn inbox_page(#[server(default)] query: InboxQuery, after: Option<PageCursor>) -> Result<Page<TicketSummary>, AppError> {
    ctx::respond(
        async {
            let agent = staff().await?;
            workspace::inbox(&ctx::db()?, &agent, &query, after.as_ref()).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn inbox_view_counts() -> Result<InboxCounts, AppError> {
    ctx::respond(async { workspace::counts(&ctx::db()?, &staff().await?).await }.await)
}

/// The colleagues and teams the inbox filters offer.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn inbox_filter_choices() -> Result<InboxChoices, AppError> {
    ctx::respond(
        async {
            staff().await?;
            workspace::choices(&ctx::db()?).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn open_ticket(ticket_id: i64) -> Result<WorkspaceTicket, AppError> {
    ctx::respond(
        async {
            let agent = staff_on(ticket_id).await?;
            let db = ctx::db()?;
            let ticket = workspace::ticket(&db, &agent, ticket_id).await?;
            workspace::mark_read(&db, &agent, ticket_id).await?;
            Ok(ticket)
        }
        .await,
    )
}

/// A reply to the customer on `channel`, or with `internal` an internal note; `then` is the
/// status the ticket takes afterwards; `attachments` the upload tokens, comma-separated;
/// `macro_id` the macro the text came from, whose changes apply with it.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn send_agent_reply(
    ticket_id: i64,
    body: String,
    channel: Channel,
    internal: bool,
    then: Option<TicketStatus>,
    #[server(default)] attachments: String,
    #[server(default)] macro_id: Option<i64>,
) -> Result<(), AppError> {
    ctx::respond(
        async {
            let agent = staff_on(ticket_id).await?;
            let uploads = attachments::tokens(&attachments)?;
            let reply = workspace::AgentReply { body: &body, channel, internal, then, uploads: &uploads, macro_id };
            workspace::reply(&ctx::db()?, &agent, ticket_id, reply).await
        }
        .await,
    )
}

/// A phone call the agent had with the ticket's customer, logged in the conversation.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn log_call(
    ticket_id: i64,
    direction: CallDirection,
    number: String,
    minutes: u32,
    #[server(default)] outcome: String,
    #[server(default)] notes: String,
) -> Result<(), AppError> {
    ctx::respond(
        async {
            let agent = staff_on(ticket_id).await?;
            let call = calls::LoggedCall { direction, number: &number, minutes, outcome: &outcome, notes: &notes };
            calls::log(&ctx::db()?, &agent, ticket_id, call).await.map(drop)
        }
        .await,
    )
}

/// The signed-in agent has the ticket open (`typing`: with a reply in progress); answers who
/// else has it open.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn ticket_presence(ticket_id: i64, typing: bool) -> Result<Vec<Viewer>, AppError> {
    ctx::respond(
        async {
            let agent = staff_on(ticket_id).await?;
            workspace::present(&ctx::db()?, &agent, ticket_id, typing).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn leave_ticket(ticket_id: i64) -> Result<(), AppError> {
    ctx::respond(
        async {
            // Leaving is always allowed: the ticket may have moved to a restricted team meanwhile.
            let agent = staff().await?;
            workspace::leave(&ctx::db()?, &agent, ticket_id).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn set_ticket_status(
    ticket_id: i64,
    status: TicketStatus,
    disposition: Option<Disposition>,
) -> Result<(), AppError> {
    ctx::respond(
        async {
            let agent = staff_on(ticket_id).await?;
            workspace::set_status(&ctx::db()?, &agent, ticket_id, status, disposition).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn set_ticket_priority(ticket_id: i64, priority: Priority) -> Result<(), AppError> {
    ctx::respond(
        async {
            let agent = staff_on(ticket_id).await?;
            workspace::set_priority(&ctx::db()?, &agent, ticket_id, priority).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn assign_ticket(ticket_id: i64, assignee_id: Option<i64>, team_id: Option<i64>) -> Result<(), AppError> {
    ctx::respond(
        async {
            let agent = staff_on(ticket_id).await?;
            workspace::assign(&ctx::db()?, &agent, ticket_id, assignee_id, team_id).await
        }
        .await,
    )
}

/// Replaces the ticket's tags with those in `tags`, separated by commas or spaces.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn set_ticket_tags(ticket_id: i64, tags: String) -> Result<Vec<String>, AppError> {
    ctx::respond(
        async {
            let agent = staff_on(ticket_id).await?;
            workspace::set_tags(&ctx::db()?, &agent, ticket_id, &tags).await
        }
        .await,
    )
}

/// Every macro, for the composer's picker.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn macro_list() -> Result<Vec<Macro>, AppError> {
    ctx::respond(
        async {
            staff().await?;
            macros::list(&ctx::db()?).await
        }
        .await,
    )
}

/// Applies a macro's changes to a ticket (its text goes through `send_agent_reply`).
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn apply_macro(ticket_id: i64, macro_id: i64) -> Result<(), AppError> {
    ctx::respond(
        async {
            let agent = staff_on(ticket_id).await?;
            workspace::apply_macro(&ctx::db()?, &agent, ticket_id, macro_id).await
        }
        .await,
    )
}

/// Published articles an agent may send a customer, for the composer: staff-only ones never.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn reply_articles(query: String) -> Result<SearchResults, AppError> {
    ctx::respond(
        async {
            staff().await?;
            let state = ctx::state()?;
            search::search(&state.db, &state.vocabulary, &query, Audience::Customers).await
        }
        .await,
    )
}

/// An article as the text that fits a reply on `channel`.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn article_for_reply(slug: String, channel: Channel) -> Result<String, AppError> {
    ctx::respond(
        async {
            staff().await?;
            let state = ctx::state()?;
            kb::for_reply(&state.db, &slug, channel, &state.links.public_url).await
        }
        .await,
    )
}
