//! A customer's own requests, as the portal shows them: only their tickets, and of each
//! conversation only what passed between them and us. Internal notes, tags and SLA deadlines
//! stay with the agents.

use super::{
    attachments::{self, Claim},
    clock,
    db::{BeginWrite, Db, with_db},
    events::{self, ticket_event},
    tickets::{self, NewInteraction},
};
use crate::{
    error::AppError,
    model::{
        Channel, CurrentUser, InboxFilter, InboxSort, Interaction, InteractionKind, Page, PageCursor,
        TicketEventKind, TicketStatus, TicketSummary, TicketThread, TimelineFilter,
    },
};

/// The longest reply the portal takes, in characters.
const MAX_REPLY_CHARS: usize = 10_000;

/// The longest comment with a rating, in characters.
const MAX_RATING_COMMENT_CHARS: usize = 2_000;

/// Requests listed per page in the portal.
const PAGE_SIZE: i64 = 20;

/// The customer's tickets, most recent activity first.
pub async fn my_requests(
    db: &Db,
    customer_id: i64,
    after: Option<&PageCursor>,
) -> Result<Page<TicketSummary>, AppError> {
    let filter = InboxFilter { customer_id: Some(customer_id), ..Default::default() };
    let mut page = tickets::inbox(db, &filter, InboxSort::LastActivity, after, PAGE_SIZE).await?;
    page.items.iter_mut().for_each(for_the_customer);
    Ok(page)
}

/// One of the customer's tickets with its conversation. Another customer's ticket answers
/// exactly as a missing one does, so trying ids reveals nothing.
pub async fn my_request(db: &Db, customer_id: i64, ticket_id: i64) -> Result<TicketThread, AppError> {
    let mut thread = tickets::ticket_thread(db, ticket_id).await?;
    if thread.ticket.summary.customer_id != customer_id {
        return Err(AppError::NotFound);
    }
    for_the_customer(&mut thread.ticket.summary);
    thread.ticket.tags.clear();
    thread.interactions.retain(|entry| entry.kind != InteractionKind::Note);
    Ok(thread)
}

/// The customer's reply to one of their requests, written in the portal. A request that was
/// waiting on them or was solved goes back to the agents as open; a closed one takes no more
/// replies (the customer starts a new request, which links to their history anyway).
pub async fn reply(
    db: &Db,
    customer: &CurrentUser,
    ticket_id: i64,
    body: &str,
    uploads: &[&str],
) -> Result<TicketThread, AppError> {
    let customer_id = customer.customer_id.ok_or(AppError::NotFound)?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("Write a message before sending."));
    }
    if body.chars().count() > MAX_REPLY_CHARS {
        return Err(AppError::invalid(format!("A reply has at most {MAX_REPLY_CHARS} characters.")));
    }
    let status = my_request(db, customer_id, ticket_id).await?.ticket.summary.status;
    if status == TicketStatus::Closed {
        return Err(AppError::invalid(
            "This request is closed. Start a new one and we will pick it up from there.",
        ));
    }
    let entry = NewInteraction {
        customer_id,
        ticket_id: Some(ticket_id),
        kind: InteractionKind::MessageIn,
        channel: Channel::Portal,
        body,
        provider_message_id: None,
        author_id: Some(customer.id),
        files: Claim { owner: &attachments::owner_of_user(customer.id), tokens: uploads },
        outbound: None,
        call: None,
    };
    tickets::record_interaction(db, entry).await?;
    if matches!(status, TicketStatus::Pending | TicketStatus::Solved) {
        tickets::set_status(db, ticket_id, TicketStatus::Open, Some(customer.id)).await?;
    }
    my_request(db, customer_id, ticket_id).await
}

/// Timeline entries per page in "My history".
const HISTORY_PAGE_SIZE: i64 = 30;

/// Everything on the customer's profile, every channel, newest first; what agents wrote to
/// each other stays out.
pub async fn my_history(
    db: &Db,
    customer_id: i64,
    channel: Option<Channel>,
    ticket_id: Option<i64>,
    after: Option<&PageCursor>,
) -> Result<Page<Interaction>, AppError> {
    let filter = TimelineFilter { channel, ticket_id, without_notes: true, ..Default::default() };
    tickets::timeline(db, customer_id, &filter, after, HISTORY_PAGE_SIZE).await
}

/// The customer marks their request solved (they found the answer) or reopens a solved one
/// (it was not). A closed request is final: the customer starts a new one.
pub async fn set_solved(
    db: &Db,
    customer: &CurrentUser,
    ticket_id: i64,
    solved: bool,
) -> Result<TicketThread, AppError> {
    let customer_id = customer.customer_id.ok_or(AppError::NotFound)?;
    let status = my_request(db, customer_id, ticket_id).await?.ticket.summary.status;
    let next = match (status, solved) {
        (TicketStatus::Closed, _) => {
            return Err(AppError::invalid(
                "This request is closed. Start a new one and we will pick it up from there.",
            ));
        }
        (TicketStatus::Solved, true) | (TicketStatus::New | TicketStatus::Open | TicketStatus::Pending | TicketStatus::OnHold, false) => None,
        (_, true) => Some(TicketStatus::Solved),
        (_, false) => Some(TicketStatus::Open),
    };
    if let Some(next) = next {
        tickets::set_status(db, ticket_id, next, Some(customer.id)).await?;
    }
    my_request(db, customer_id, ticket_id).await
}

/// The customer's rating of a solved (or closed) request, taken once.
pub async fn rate(
    db: &Db,
    customer: &CurrentUser,
    ticket_id: i64,
    rating: Rating<'_>,
) -> Result<TicketThread, AppError> {
    let customer_id = customer.customer_id.ok_or(AppError::NotFound)?;
    if !(1..=5).contains(&rating.csat) {
        return Err(AppError::invalid("Choose how satisfied you are, from 1 to 5."));
    }
    if !(1..=7).contains(&rating.ces) {
        return Err(AppError::invalid("Choose how easy it was, from 1 to 7."));
    }
    let comment = rating.comment.trim();
    if comment.chars().count() > MAX_RATING_COMMENT_CHARS {
        return Err(AppError::invalid(format!(
            "A comment has at most {MAX_RATING_COMMENT_CHARS} characters."
        )));
    }
    let status = my_request(db, customer_id, ticket_id).await?.ticket.summary.status;
    if !matches!(status, TicketStatus::Solved | TicketStatus::Closed) {
        return Err(AppError::invalid("A request can be rated once it is solved."));
    }
    let mut body = format!("Rated {} of 5, ease {} of 7", rating.csat, rating.ces);
    if !comment.is_empty() {
        body = format!("{body}: {comment}");
    }
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let taken = sqlx::query(
            "insert into satisfaction_ratings (ticket_id, customer_id, csat, ces, comment, created_at)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (ticket_id) do nothing",
        )
        .bind(ticket_id)
        .bind(customer_id)
        .bind(i16::from(rating.csat))
        .bind(i16::from(rating.ces))
        .bind(comment)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken == 0 {
            return Err(AppError::Conflict("You have already rated this request. Thank you!".into()));
        }
        sqlx::query(
            "insert into interactions (customer_id, ticket_id, kind, channel, body, author_id, created_at)
             values ($1, $2, 'csat', 'portal', $3, $4, $5)",
        )
        .bind(customer_id)
        .bind(ticket_id)
        .bind(&body)
        .bind(customer.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        ticket_event!(&mut *tx, ticket_id, TicketEventKind::Message, now)?;
        tx.commit().await?;
    });
    events::committed();
    my_request(db, customer_id, ticket_id).await
}

/// A customer's answers to the two questions asked once a request is solved.
pub struct Rating<'a> {
    pub csat: u8,
    pub ces: u8,
    pub comment: &'a str,
}

fn for_the_customer(summary: &mut TicketSummary) {
    summary.sla_due_at = None;
    summary.team_id = None;
}
