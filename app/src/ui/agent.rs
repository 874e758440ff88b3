//! The agent workspace: staff only. Anonymous visitors are sent to sign in, customers are
//! told it is not for them; neither ever receives ticket data.

use super::{
    account::Protected,
    format::{channel_label, short_datetime},
    status::{ErrorPanel, ListSkeleton},
};
use crate::{
    api::agent::{InboxView, inbox_page},
    error::AppError,
    model::{CurrentUser, Page, PageCursor, TicketSummary},
};
use chrono::Utc;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

type InboxResource = Resource<Result<Page<TicketSummary>, AppError>>;

#[component]
pub fn AgentWorkspace() -> impl IntoView {
    let query = use_query_map();
    // Created with the page rather than inside the sign-in gate, so the server render and the
    // hydrating client create it in the same place and agree on its data.
    let page: InboxResource = Resource::new(
        move || (selected(&query.read().get("view")).0, query.read().get("after").map(PageCursor)),
        |(view, after)| inbox_page(view, after),
    );
    view! {
        <Title text="Agent workspace" />
        <Protected here="/agent" allowed=CurrentUser::is_staff page=move |user| view! { <Inbox user page /> } />
    }
}

const VIEWS: [(InboxView, &str, &str); 3] = [
    (InboxView::Mine, "mine", "Mine"),
    (InboxView::All, "all", "All tickets"),
    (InboxView::SlaDue, "sla", "SLA due first"),
];

/// The view a `?view=` key names; "Mine" when it names none.
fn selected(key: &Option<String>) -> (InboxView, &'static str, &'static str) {
    VIEWS.iter().find(|(_, k, _)| Some(*k) == key.as_deref()).copied().unwrap_or(VIEWS[0])
}

#[component]
fn Inbox(user: CurrentUser, page: InboxResource) -> impl IntoView {
    let query = use_query_map();
    let current = move || selected(&query.read().get("view"));
    let view_key = move || current().1;

    view! {
        <div class="workspace">
            <nav class="workspace__nav" aria-label="Inbox views">
                <p class="workspace__who">{user.display_name}</p>
                <ul>
                    {VIEWS
                        .iter()
                        .map(|(_, key, label)| {
                            let href = format!("/agent?view={key}");
                            let is_current = move || view_key() == *key;
                            // A plain link (the router still handles it): `<A>` would mark every
                            // view current, since they differ only in the query.
                            view! {
                                <li>
                                    <a
                                        href=href
                                        class="workspace__view"
                                        aria-current=move || is_current().then_some("page")
                                    >
                                        {*label}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <section class="workspace__list" aria-labelledby="inbox-heading">
                <h1 id="inbox-heading" class="workspace__title">{move || current().2}</h1>
                <Transition fallback=|| view! { <ListSkeleton rows=6 /> }>
                    {move || Suspend::new(async move {
                        match page.await {
                            Ok(page) if page.items.is_empty() => view! {
                                <p class="empty">"Nothing here. New tickets for this view will show up in this list."</p>
                            }
                            .into_any(),
                            Ok(page) => {
                                let next = page.next.map(|cursor| format!("/agent?view={}&after={}", current().1, cursor.0));
                                view! {
                                    <ul class="ticket-list">
                                        {page.items.into_iter().map(ticket_row).collect_view()}
                                    </ul>
                                    {next.map(|href| view! {
                                        <p class="ticket-list__more"><A href=href attr:class="button">"Older tickets"</A></p>
                                    })}
                                }
                                .into_any()
                            }
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

fn ticket_row(ticket: TicketSummary) -> impl IntoView {
    let status = ticket.status.as_str();
    let due = ticket.sla_due_at.map(|due| {
        let overdue = due < Utc::now();
        let text = if overdue { "Overdue since" } else { "Due" };
        (overdue, format!("{text} {}", short_datetime(due)))
    });
    view! {
        <li class="ticket-row">
            <div class="ticket-row__main">
                <p class="ticket-row__customer">{ticket.customer_name}</p>
                <p class="ticket-row__subject">{ticket.subject}</p>
            </div>
            <div class="ticket-row__meta">
                <span class=format!("badge badge--{status}")>{status.replace('_', " ")}</span>
                <span class="badge badge--quiet">{ticket.priority.as_str()}</span>
                <span class="ticket-row__channel">{channel_label(ticket.channel)}</span>
                <time class="ticket-row__time" datetime=ticket.last_activity_at.to_rfc3339()>
                    {short_datetime(ticket.last_activity_at)}
                </time>
                {due.map(|(overdue, due)| {
                    view! { <span class="ticket-row__due" class:ticket-row__due--breached=overdue>{due}</span> }
                })}
            </div>
        </li>
    }
}
