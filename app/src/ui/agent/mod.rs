//! The agent workspace: staff only. Anonymous visitors are sent to sign in, customers are
//! told it is not for them; neither ever receives ticket data.

mod articles;
mod calls;
mod customer;
mod inbox;
mod keys;
mod live;
mod macros;
mod ticket;

pub use inbox::AgentWorkspace;
pub use ticket::AgentTicketPage;

use crate::model::{Channel, TicketStatus};
use leptos::prelude::*;

fn status_badge(status: TicketStatus) -> impl IntoView {
    view! { <span class=format!("badge badge--{}", status.as_str())>{status.label()}</span> }
}

fn channel_chip(channel: Channel) -> impl IntoView {
    view! { <span class=format!("channel channel--{}", channel.as_str())>{channel.label()}</span> }
}
