//! "My requests": a signed-in customer's own tickets and their conversations.

use crate::{
    error::AppError,
    model::{Channel, Interaction, Page, PageCursor, TicketSummary, TicketThread},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    model::Role,
    server::{attachments, ctx, requests},
};

/// The signed-in customer's profile; `None` until their email address is confirmed, when no
/// history is theirs yet.
#[cfg(feature = "ssr")]
async fn customer_profile() -> Result<Option<i64>, AppError> {
    Ok(ctx::require(&[Role::Customer]).await?.customer_id)
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn my_requests(after: Option<PageCursor>) -> Result<Page<TicketSummary>, AppError> {
    ctx::respond(
        async {
            match customer_profile().await? {
                Some(customer_id) => requests::my_requests(&ctx::db()?, customer_id, after.as_ref()).await,
                None => Ok(Page { items: Vec::new(), next: None }),
            }
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn my_request(ticket_id: i64) -> Result<TicketThread, AppError> {
    ctx::respond(
        async {
            let customer_id = customer_profile().await?.ok_or(AppError::NotFound)?;
            requests::my_request(&ctx::db()?, customer_id, ticket_id).await
        }
        .await,
    )
}

/// Adds the signed-in customer's reply to one of their requests, with the files uploaded for
/// it (`attachments`: their tokens, comma-separated).
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn reply_to_request(
    ticket_id: i64,
    body: String,
    #[server(default)] attachments: String,
) -> Result<TicketThread, AppError> {
    ctx::respond(
        async {
            let customer = ctx::require(&[Role::Customer]).await?;
            let uploads = attachments::tokens(&attachments)?;
            requests::reply(&ctx::db()?, &customer, ticket_id, &body, &uploads).await
        }
        .await,
    )
}

/// The customer marks their request solved, or reopens a solved one.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn set_request_solved(ticket_id: i64, solved: bool) -> Result<TicketThread, AppError> {
    ctx::respond(
        async {
            let customer = ctx::require(&[Role::Customer]).await?;
            requests::set_solved(&ctx::db()?, &customer, ticket_id, solved).await
        }
        .await,
    )
}

/// The customer's one rating of a solved request.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn rate_request(ticket_id: i64, csat: u8, ces: u8, comment: String) -> Result<TicketThread, AppError> {
    ctx::respond(
        async {
            let customer = ctx::require(&[Role::Customer]).await?;
            let rating = requests::Rating { csat, ces, comment: &comment };
            requests::rate(&ctx::db()?, &customer, ticket_id, rating).await
        }
        .await,
    )
}

/// "My history": the signed-in customer's whole timeline, optionally one channel or one request.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn my_history(
    channel: Option<Channel>,
    ticket_id: Option<i64>,
    after: Option<PageCursor>,
) -> Result<Page<Interaction>, AppError> {
    ctx::respond(
        async {
            match customer_profile().await? {
                Some(customer_id) => {
                    requests::my_history(&ctx::db()?, customer_id, channel, ticket_id, after.as_ref()).await
                }
                None => Ok(Page { items: Vec::new(), next: None }),
            }
        }
        .await,
    )
}
