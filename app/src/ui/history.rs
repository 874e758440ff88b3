//! "My history": one timeline of everything the customer did with us, on every channel,
//! grouped by day, narrowed by channel or request, older entries loaded as they scroll.

use super::{
    account::Protected,
    format::{long_date, message_body, short_datetime},
    forms::GetForm,
    requests::is_customer,
    status::{ErrorPanel, ListSkeleton},
};
use crate::{
    api::requests::{my_history, my_requests},
    model::{Channel, Interaction, InteractionKind, Page, PageCursor, TicketSummary},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::use_query_map,
};

#[component]
pub fn HistoryPage() -> impl IntoView {
    let query = use_query_map();
    let channel = move || query.read().get("channel").and_then(|channel| channel.parse::<Channel>().ok());
    let ticket = move || query.read().get("request").and_then(|id| id.parse::<i64>().ok());
    let first = Resource::new(move || (channel(), ticket()), |(channel, ticket)| my_history(channel, ticket, None));
    let requests = Resource::new(|| (), |_| my_requests(None));
    view! {
        <Title text="My history" />
        <Protected
            here="/history"
            allowed=is_customer
            page=move |_| view! {
                <div class="page page--narrow">
                    <h1 class="page__title">"My history"</h1>
                    <p class="page__lead">"Everything you did with us, on every channel, newest first."</p>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let requests = requests.await.map(|page| page.items).unwrap_or_default();
                            view! { <Filters channel=channel() ticket=ticket() requests /> }
                        })}
                    </Transition>
                    <Transition fallback=|| view! { <ListSkeleton rows=6 /> }>
                        {move || Suspend::new(async move {
                            match first.await {
                                Ok(page) => view! { <Timeline page channel=channel() ticket=ticket() /> }.into_any(),
                                Err(error) => view! { <ErrorPanel error /> }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            }
        />
    }
}

/// A plain GET form, so a filtered history has its own address and works before the WASM.
#[component]
fn Filters(channel: Option<Channel>, ticket: Option<i64>, requests: Vec<TicketSummary>) -> impl IntoView {
    view! {
        <GetForm action="/history" class="history-filters">
            <div class="field">
                <label for="history-channel">"Channel"</label>
                <select id="history-channel" name="channel">
                    <option value="">"All channels"</option>
                    {Channel::ALL.iter().map(|&option| view! {
                        <option value=option.as_str() selected=channel == Some(option)>{option.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="history-request">"Request"</label>
                <select id="history-request" name="request">
                    <option value="">"All requests"</option>
                    {requests.into_iter().map(|request| view! {
                        <option value=request.id selected=ticket == Some(request.id)>
                            {format!("#{} {}", request.id, request.subject)}
                        </option>
                    }).collect_view()}
                </select>
            </div>
            <button class="button" type="submit">"Show"</button>
        </GetForm>
    }
}

#[component]
fn Timeline(page: Page<Interaction>, channel: Option<Channel>, ticket: Option<i64>) -> impl IntoView {
    let entries = RwSignal::new(page.items);
    let next = RwSignal::new(page.next);
    let older = Action::new(move |cursor: &PageCursor| my_history(channel, ticket, Some(cursor.clone())));
    Effect::new(move |_| {
        if let Some(Ok(page)) = older.value().get() {
            entries.update(|entries| entries.extend(page.items));
            next.set(page.next);
        }
    });
    // Older entries load as the reader nears the end; the button stays for keyboards and
    // for pages too short to scroll.
    let more = NodeRef::<leptos::html::P>::new();
    let listener = window_event_listener(leptos::ev::scroll, move |_| {
        let (Some(more), Some(cursor)) = (more.get_untracked(), next.get_untracked()) else { return };
        let viewport = window().inner_height().ok().and_then(|height| height.as_f64()).unwrap_or(0.0);
        if !older.pending().get_untracked() && more.get_bounding_client_rect().top() < viewport + 400.0 {
            older.dispatch(cursor);
        }
    });
    on_cleanup(move || listener.remove());
    let filtered = channel.is_some() || ticket.is_some();
    view! {
        {move || {
            let entries = entries.get();
            if entries.is_empty() {
                let message = if filtered { "Nothing here with these filters." } else { "Nothing yet. Your requests, messages and help-center visits will show here." };
                return view! { <p class="empty">{message}</p> }.into_any();
            }
            view! {
                <ol class="history" aria-label="Your history">
                    {by_day(entries).into_iter().map(|(day, entries)| view! {
                        <li class="history__day">
                            <h2 class="history__date">{day}</h2>
                            <ol class="history__entries">{entries.into_iter().map(entry).collect_view()}</ol>
                        </li>
                    }).collect_view()}
                </ol>
            }
            .into_any()
        }}
        {move || next.get().map(|cursor| view! {
            <p class="history__more" node_ref=more>
                <button
                    class="button"
                    type="button"
                    disabled=move || older.pending().get()
                    on:click=move |_| { older.dispatch(cursor.clone()); }
                >
                    {move || if older.pending().get() { "Loading…" } else { "Show older activity" }}
                </button>
            </p>
        })}
    }
}

/// Consecutive entries of one calendar day (UTC) under that day's date.
fn by_day(entries: Vec<Interaction>) -> Vec<(String, Vec<Interaction>)> {
    let mut days: Vec<(String, Vec<Interaction>)> = Vec::new();
    for entry in entries {
        let day = long_date(entry.created_at);
        match days.last_mut() {
            Some((current, group)) if *current == day => group.push(entry),
            _ => days.push((day, vec![entry])),
        }
    }
    days
}

/// What happened, as the customer would say it.
fn what(kind: InteractionKind) -> &'static str {
    match kind {
        InteractionKind::MessageIn => "You wrote",
        InteractionKind::MessageOut => "We replied",
        InteractionKind::Call => "Phone call",
        InteractionKind::ChatTranscript => "Chat",
        InteractionKind::BotStep => "Assistant",
        InteractionKind::ArticleView => "Read an article",
        InteractionKind::Search => "Searched",
        InteractionKind::ArticleFeedback => "Article feedback",
        InteractionKind::StatusChange => "Request update",
        InteractionKind::Csat => "Your rating",
        InteractionKind::Note => "Note",
    }
}

fn entry(entry: Interaction) -> impl IntoView {
    view! {
        <li class=format!("history-entry history-entry--{}", entry.channel.as_str())>
            <span class="history-entry__channel">{entry.channel.label()}</span>
            <div class="history-entry__main">
                <p class="history-entry__meta">
                    <strong>{what(entry.kind)}</strong>
                    " · "
                    <time datetime=entry.created_at.to_rfc3339()>{short_datetime(entry.created_at)}</time>
                    {entry.ticket_id.map(|id| view! {
                        " · " <A href=format!("/requests/{id}")>{format!("Request #{id}")}</A>
                    })}
                </p>
                {message_body(entry.body, entry.body_html, "history-entry__body")}
            </div>
        </li>
    }
}
