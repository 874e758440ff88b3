//! The agent workspace: for agents, supervisors and admins only.

use crate::{
    error::AppError,
    model::{Page, PageCursor, TicketSummary},
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::{
    model::{InboxFilter, InboxSort, Role},
    server::{ctx, tickets},
};

/// The inbox views in the workspace's left column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum InboxView {
    /// Tickets assigned to the signed-in agent.
    #[default]
    Mine,
    /// Every ticket, most recent activity first.
    All,
    /// Tickets with an SLA deadline, soonest first.
    SlaDue,
}

#[server(prefix = "/rpc")]
pub async fn inbox_page(
    view: InboxView,
    after: Option<PageCursor>,
) -> Result<Page<TicketSummary>, AppError> {
    ctx::respond(
        async {
            let agent = ctx::require(&[Role::Agent, Role::Supervisor, Role::Admin]).await?;
            let (filter, sort) = match view {
                InboxView::Mine => (
                    InboxFilter { assignee_id: Some(agent.id), ..Default::default() },
                    InboxSort::LastActivity,
                ),
                InboxView::All => (InboxFilter::default(), InboxSort::LastActivity),
                InboxView::SlaDue => (InboxFilter::default(), InboxSort::SlaDue),
            };
            tickets::inbox(&ctx::db()?, &filter, sort, after.as_ref(), 50).await
        }
        .await,
    )
}
