//! "My requests": a customer's tickets and their conversations, whichever channel each
//! message came through. Customers only; nothing here is visible until the account's email
//! address is confirmed.

use super::{
    account::Protected,
    attachments::{AttachmentPicker, Attachments, attachment_links},
    format::{long_date, message_body, short_datetime},
    forms::{FormError, ServerCall, ServerForm, action_error, server_call},
    status::{ErrorPanel, ListSkeleton},
};
use crate::{
    api::requests::{RateRequest, ReplyToRequest, SetRequestSolved, my_request, my_requests},
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

pub(super) fn is_customer(user: &CurrentUser) -> bool {
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
                    <p class="page__lead">
                        "Everything you asked us, by email, chat, phone or here, newest first. "
                        <A href="/history">"See your whole history"</A>
                        " · "
                        <A href="/contact">"Ask something new"</A>
                    </p>
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
                <span class="ticket-row__channel">{ticket.channel.label()}</span>
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
    let actions = RequestActions {
        reply: server_call(),
        solve: server_call(),
        rate: server_call(),
    };
    let changed = move || actions.reply.version().get() + actions.solve.version().get() + actions.rate.version().get();
    let thread = Resource::new(move || (id(), changed()), |(id, _)| async move {
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
                                Ok(thread) => view! { <Conversation thread actions /> }.into_any(),
                                Err(error) => view! { <ErrorPanel error /> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            }
        />
    }
}

/// What a customer can do on their request; each refreshes the conversation when it lands.
#[derive(Clone, Copy)]
struct RequestActions {
    reply: ServerCall<ReplyToRequest>,
    solve: ServerCall<SetRequestSolved>,
    rate: ServerCall<RateRequest>,
}

#[component]
fn Conversation(thread: TicketThread, actions: RequestActions) -> impl IntoView {
    let reply = actions.reply;
    let ticket = thread.ticket;
    let status = ticket.summary.status;
    let (ticket_id, closed) = (ticket.summary.id, status == TicketStatus::Closed);
    let rated = thread.satisfaction.clone();
    let can_rate = matches!(status, TicketStatus::Solved | TicketStatus::Closed);
    // A sent reply empties the box; a refused one stays for the customer to fix.
    let draft = NodeRef::<leptos::html::Textarea>::new();
    let files = Attachments::new();
    Effect::new(move |_| {
        if matches!(reply.value().get(), Some(Ok(_))) {
            if let Some(draft) = draft.get() {
                draft.set_value("");
            }
            files.clear();
        }
    });
    let sending = move || reply.pending().get() || files.busy();
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
            " Opened " {long_date(ticket.created_at)} " by " {ticket.summary.channel.in_sentence()}
        </p>
        <ol class="conversation" aria-label="Conversation">
            {thread.interactions.into_iter().map(message).collect_view()}
        </ol>
        {match (rated, can_rate) {
            (Some(rating), _) => view! {
                <p class="notice rating__done">
                    "You rated this request " {rating.csat} " of 5 for satisfaction and " {rating.ces}
                    " of 7 for ease. Thank you!"
                </p>
            }
            .into_any(),
            (None, true) => view! { <RatingForm ticket_id rate=actions.rate /> }.into_any(),
            (None, false) => ().into_any(),
        }}
        <SolvedToggle ticket_id status solve=actions.solve />
        {if closed {
            view! {
                <p class="notice">"This request is closed. For anything new, contact us again and we will see this history."</p>
            }
            .into_any()
        } else {
            view! {
                <ServerForm action=reply class="form reply">
                    <input type="hidden" name="ticket_id" value=ticket_id />
                    <div class="field">
                        <label for="reply-body">"Your reply"</label>
                        <textarea node_ref=draft id="reply-body" name="body" rows="4" required></textarea>
                    </div>
                    <AttachmentPicker files id="reply-files" />
                    <FormError message=action_error(reply) />
                    <p class="reply__actions">
                        <button class="button button--primary" type="submit" disabled=sending>
                            {move || if reply.pending().get() { "Sending…" } else { "Send reply" }}
                        </button>
                    </p>
                </ServerForm>
            }
            .into_any()
        }}
    }
}

/// "Mark as solved" while the request is active, "Reopen" once it is solved.
#[component]
fn SolvedToggle(ticket_id: i64, status: TicketStatus, solve: ServerCall<SetRequestSolved>) -> impl IntoView {
    let (solved, label, explanation) = match status {
        TicketStatus::Closed => return ().into_any(),
        TicketStatus::Solved => (false, "Reopen request", "Not solved after all? Reopen it and we will pick it up again."),
        _ => (true, "Mark as solved", "Found the answer yourself? Let us know, so nobody works on it further."),
    };
    view! {
        <ServerForm action=solve class="request__status-form">
            <input type="hidden" name="ticket_id" value=ticket_id />
            <input type="hidden" name="solved" value=solved.to_string() />
            <p class="request__status-hint">{explanation}</p>
            <FormError message=action_error(solve) />
            <button class="button" type="submit" disabled=move || solve.pending().get()>{label}</button>
        </ServerForm>
    }
    .into_any()
}

/// The two questions asked once a request is solved: satisfaction (1–5) and ease (1–7).
#[component]
fn RatingForm(ticket_id: i64, rate: ServerCall<RateRequest>) -> impl IntoView {
    let scale = |name: &'static str, legend: &'static str, max: u8, low: &'static str, high: &'static str| {
        view! {
            <fieldset class=format!("rating__scale rating__scale--{max}")>
                <legend>{legend}</legend>
                <div class="rating__choices">
                    {(1..=max).map(|value| {
                        let id = format!("{name}-{value}");
                        view! {
                            <input type="radio" id=id.clone() name=name value=value required />
                            <label for=id>{value}</label>
                        }
                    }).collect_view()}
                </div>
                <p class="rating__ends"><span>{low}</span><span>{high}</span></p>
            </fieldset>
        }
    };
    view! {
        <section class="rating" aria-labelledby="rating-heading">
            <h2 id="rating-heading" class="rating__title">"How did we do?"</h2>
            <ServerForm action=rate class="form">
                <input type="hidden" name="ticket_id" value=ticket_id />
                {scale("csat", "How satisfied are you with the help you got?", 5, "Very unsatisfied", "Very satisfied")}
                {scale("ces", "How easy was it to get your issue resolved?", 7, "Very difficult", "Very easy")}
                <div class="field">
                    <label for="rating-comment">"Anything you want to tell us? (optional)"</label>
                    <textarea id="rating-comment" name="comment" rows="3" maxlength="2000"></textarea>
                </div>
                <FormError message=action_error(rate) />
                <p class="reply__actions">
                    <button class="button button--primary" type="submit" disabled=move || rate.pending().get()>
                        "Send rating"
                    </button>
                </p>
            </ServerForm>
        </section>
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
                " · " {entry.channel.label()} " · "
                <time datetime=entry.created_at.to_rfc3339()>{short_datetime(entry.created_at)}</time>
            </p>
            {message_body(entry.body, entry.body_html, "message__body")}
            {attachment_links(entry.attachments)}
        </li>
    }
}
