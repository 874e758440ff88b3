//! "My requests": a customer's tickets and their conversations, whichever channel each
//! message came through. Customers only; nothing here is visible until the account's email
//! address is confirmed.

use super::{
    account::Protected,
    format::{channel_label, long_date, short_datetime},
    forms::{FormError, action_error},
    status::{ErrorPanel, ListSkeleton},
};
use crate::{
    api::requests::{ReplyToRequest, my_request, my_requests},
    error::AppError,
    model::{
        CurrentUser, Interaction, InteractionKind, PageCursor, Role, TicketStatus, TicketSummary,
        TicketThread,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

fn is_customer(user: &CurrentUser) -> bool {
    user.role == Role::Customer
}

#[component]
pub fn MyRequestsPage() -> impl IntoView {
    let query = use_query_map();
    let after = move || query.read().get("after").map(PageCursor);
    let page = Resource::new(after, my_requests);
    view! {
        <Title text="My requests" />
        <Protected
            here="/requests"
            allowed=is_customer
            page=move |user| view! {
                <div class="page page--narrow">
                    <h1 class="page__title">"My requests"</h1>
                    <p class="page__lead">"Everything you asked us, by email, chat, phone or here, newest first."</p>
                    {(!user.email_verified).then(|| view! {
                        <p class="notice" role="status">
                            "Confirm your email address to see your requests: open the link we emailed you."
                        </p>
                    })}
                    <Transition fallback=|| view! { <ListSkeleton rows=4 /> }>
                        {move || Suspend::new(async move {
                            match page.await {
                                Ok(page) if page.items.is_empty() => view! {
                                    <p class="empty">
                                        "No requests yet. Most answers are in the "
                                        <A href="/">"help center"</A>"."
                                    </p>
                                }
                                .into_any(),
                                Ok(page) => view! {
                                    <ul class="ticket-list">{page.items.into_iter().map(request_row).collect_view()}</ul>
                                    {page.next.map(|cursor| view! {
                                        <p class="ticket-list__more">
                                            <A href=format!("/requests?after={}", cursor.0) attr:class="button">"Older requests"</A>
                                        </p>
                                    })}
                                }
                                .into_any(),
                                Err(error) => view! { <ErrorPanel error /> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            }
        />
    }
}

fn status_badge(ticket: &TicketSummary) -> impl IntoView + use<> {
    let status = ticket.status.as_str();
    view! { <span class=format!("badge badge--{status}")>{status.replace('_', " ")}</span> }
}

fn request_row(ticket: TicketSummary) -> impl IntoView {
    let (href, subject) = (format!("/requests/{}", ticket.id), ticket.subject.clone());
    view! {
        <li class="ticket-row">
            <div class="ticket-row__main">
                <A href=href attr:class="ticket-row__subject">{subject}</A>
            </div>
            <div class="ticket-row__meta">
                {status_badge(&ticket)}
                <span class="ticket-row__channel">{channel_label(ticket.channel)}</span>
                <time class="ticket-row__time" datetime=ticket.last_activity_at.to_rfc3339()>
                    {short_datetime(ticket.last_activity_at)}
                </time>
            </div>
        </li>
    }
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let reply = ServerAction::<ReplyToRequest>::new();
    let thread = Resource::new(move || (id(), reply.version().get()), |(id, _)| async move {
        match id {
            Some(id) => my_request(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Protected
            here="/requests"
            allowed=is_customer
            page=move |_| view! {
                <div class="page page--narrow">
                    <Transition fallback=|| view! { <ListSkeleton rows=4 /> }>
                        {move || Suspend::new(async move {
                            match thread.await {
                                Ok(thread) => view! { <Conversation thread reply /> }.into_any(),
                                Err(error) => view! { <ErrorPanel error /> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            }
        />
    }
}

#[component]
fn Conversation(thread: TicketThread, reply: ServerAction<ReplyToRequest>) -> impl IntoView {
    let ticket = thread.ticket;
    let (ticket_id, closed) = (ticket.summary.id, ticket.summary.status == TicketStatus::Closed);
    // A sent reply empties the box; a refused one stays for the customer to fix.
    let draft = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        if matches!(reply.value().get(), Some(Ok(_))) {
            if let Some(draft) = draft.get() {
                draft.set_value("");
            }
        }
    });
    view! {
        <Title text=ticket.summary.subject.clone() />
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <ol>
                <li><A href="/requests">"My requests"</A></li>
            </ol>
        </nav>
        <h1 class="page__title">{ticket.summary.subject.clone()}</h1>
        <p class="request__meta">
            {status_badge(&ticket.summary)}
            " Opened " {long_date(ticket.created_at)} " by " {channel_label(ticket.summary.channel).to_lowercase()}
        </p>
        <ol class="conversation" aria-label="Conversation">
            {thread.interactions.into_iter().map(message).collect_view()}
        </ol>
        {if closed {
            view! {
                <p class="notice">"This request is closed. For anything new, contact us again and we will see this history."</p>
            }
            .into_any()
        } else {
            view! {
                <ActionForm action=reply attr:class="form reply">
                    <input type="hidden" name="ticket_id" value=ticket_id />
                    <div class="field">
                        <label for="reply-body">"Your reply"</label>
                        <textarea node_ref=draft id="reply-body" name="body" rows="4" required></textarea>
                    </div>
                    <FormError message=action_error(reply) />
                    <p class="reply__actions">
                        <button class="button button--primary" type="submit" disabled=move || reply.pending().get()>
                            {move || if reply.pending().get() { "Sending…" } else { "Send reply" }}
                        </button>
                    </p>
                </ActionForm>
            }
            .into_any()
        }}
    }
}

/// Who an entry is from, as the customer reads it.
fn speaker(kind: InteractionKind) -> &'static str {
    match kind {
        InteractionKind::MessageIn => "You",
        InteractionKind::MessageOut => "Northwind support",
        InteractionKind::Call => "Phone call",
        InteractionKind::ChatTranscript => "Chat",
        InteractionKind::BotStep => "Assistant",
        InteractionKind::StatusChange => "Status",
        InteractionKind::Csat => "Your rating",
        InteractionKind::ArticleView => "Article read",
        InteractionKind::Search => "Search",
        InteractionKind::ArticleFeedback => "Feedback",
        InteractionKind::Note => "Note",
    }
}

fn message(entry: Interaction) -> impl IntoView {
    let side = match entry.kind {
        InteractionKind::MessageIn => "message--customer",
        InteractionKind::MessageOut => "message--agent",
        _ => "message--event",
    };
    view! {
        <li class=format!("message {side}")>
            <p class="message__meta">
                <strong>{speaker(entry.kind)}</strong>
                " · " {channel_label(entry.channel)} " · "
                <time datetime=entry.created_at.to_rfc3339()>{short_datetime(entry.created_at)}</time>
            </p>
            <p class="message__body">{entry.body}</p>
        </li>
    }
}
