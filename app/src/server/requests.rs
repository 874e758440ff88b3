//! A customer's own requests, as the portal shows them: only their tickets, and of each
//! conversation only what passed between them and us. Internal notes, tags and SLA deadlines
//! stay with the agents.

use super::{db::Db, tickets};
use crate::{
    error::AppError,
    model::{InboxFilter, InboxSort, InteractionKind, Page, PageCursor, TicketSummary, TicketThread},
};

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

fn for_the_customer(summary: &mut TicketSummary) {
    summary.sla_due_at = None;
    summary.team_id = None;
}
