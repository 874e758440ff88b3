//! The inbox: views with their counts, filters and sorts, one line per ticket.

use super::{
    channel_chip,
    keys::{ShortcutHelp, move_in_list, on_shortcut},
    live::follow_ticket_events,
    status_badge,
};
use crate::{
    api::agent::{inbox_filter_choices, inbox_page, inbox_view_counts},
    error::AppError,
    model::{
        Channel, Choice, CurrentUser, InboxChoices, InboxCounts, InboxQuery, InboxSort, InboxView, Page,
        PageCursor, Priority, TicketStatus, TicketSummary,
    },
    ui::{
        account::Protected,
        format::{ago, short_datetime},
        forms::GetForm,
        status::{ErrorPanel, ListSkeleton},
    },
};
use chrono::Utc;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::use_query_map,
    params::ParamsMap,
};

type InboxResource = Resource<Result<Page<TicketSummary>, AppError>>;
type CountsResource = Resource<Result<InboxCounts, AppError>>;
type ChoicesResource = Resource<Result<InboxChoices, AppError>>;

#[component]
pub fn AgentWorkspace() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| inbox_query(&params.read()));
    // Created with the page rather than inside the sign-in gate, so the server render and the
    // hydrating client create them in the same place and agree on their data.
    let page: InboxResource = Resource::new(
        move || (query.get(), params.read().get("after").map(PageCursor)),
        |(query, after)| inbox_page(query, after),
    );
    let counts: CountsResource = Resource::new(|| (), |_| inbox_view_counts());
    let choices: ChoicesResource = Resource::new(|| (), |_| inbox_filter_choices());
    view! {
        <Title text="Inbox" />
        <Protected
            here="/agent"
            allowed=CurrentUser::is_staff
            page=move |user| view! { <Inbox user query page counts choices /> }
        />
    }
}

/// The inbox query a URL's parameters ask for; values it does not know are ignored.
fn inbox_query(params: &ParamsMap) -> InboxQuery {
    let parsed = |key: &str| params.get(key).filter(|value| !value.is_empty());
    InboxQuery {
        view: parsed("view").and_then(|view| view.parse().ok()),
        status: parsed("status").and_then(|status| status.parse().ok()),
        channel: parsed("channel").and_then(|channel| channel.parse().ok()),
        priority: parsed("priority").and_then(|priority| priority.parse().ok()),
        tag: parsed("tag"),
        assignee_id: parsed("assignee").and_then(|id| id.parse().ok()),
        team_id: parsed("team").and_then(|id| id.parse().ok()),
        sort: parsed("sort").and_then(|sort| sort.parse().ok()),
        ..Default::default()
    }
}

fn view_of(query: &InboxQuery) -> InboxView {
    query.view.unwrap_or(InboxView::Mine)
}

#[component]
fn Inbox(
    user: CurrentUser,
    query: Memo<InboxQuery>,
    page: InboxResource,
    counts: CountsResource,
    choices: ChoicesResource,
) -> impl IntoView {
    let current = move || view_of(&query.get());
    // Any change anywhere may move a ticket into or out of this view, or change a count.
    follow_ticket_events(move |_| {
        page.refetch();
        counts.refetch();
    });
    let help = RwSignal::new(false);
    on_shortcut(move |key| match key {
        "j" => move_in_list(1),
        "k" => move_in_list(-1),
        "?" => {
            help.update(|open| *open = !*open);
            true
        }
        _ => false,
    });
    view! {
        <div class="workspace">
            <nav class="workspace__nav" aria-label="Inbox views">
                <p class="workspace__who">{user.display_name}</p>
                <ul>
                    {InboxView::ALL
                        .iter()
                        .map(|&view| {
                            // A plain link (the router still handles it): `<A>` would mark every
                            // view current, since they differ only in the query.
                            view! {
                                <li>
                                    <a
                                        href=format!("/agent?view={view}")
                                        class="workspace__view"
                                        aria-current=move || (current() == view).then_some("page")
                                    >
                                        <span>{view.label()}</span>
                                        <ViewCount view counts />
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <p class="workspace__hint">"Press " <kbd>"?"</kbd> " for keyboard shortcuts"</p>
            </nav>
            <ShortcutHelp open=help />
            <section class="workspace__list" aria-labelledby="inbox-heading">
                <h1 id="inbox-heading" class="workspace__title">{move || current().label()}</h1>
                <Filters query choices />
                <Transition fallback=|| view! { <ListSkeleton rows=6 /> }>
                    {move || Suspend::new(async move {
                        match page.await {
                            Ok(page) if page.items.is_empty() => view! {
                                <p class="empty">"Nothing waiting here. New tickets for this view show up in this list."</p>
                            }
                            .into_any(),
                            Ok(page) => {
                                let now = Utc::now();
                                let next = page.next.map(|cursor| format!("{}&after={}", href(&query.get_untracked()), cursor.0));
                                view! {
                                    <ul class="ticket-list">
                                        {page.items.into_iter().map(|ticket| ticket_row(ticket, now)).collect_view()}
                                    </ul>
                                    {next.map(|href| view! {
                                        <p class="ticket-list__more"><A href=href attr:class="button">"More tickets"</A></p>
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

/// How many tickets a view holds; blank until known. Read inside a transition, so the
/// server waits for it and the hydrating browser finds the same text.
#[component]
fn ViewCount(view: InboxView, counts: CountsResource) -> impl IntoView {
    view! {
        <span class="workspace__count">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    counts.await.ok().and_then(|counts| counts.shown(view))
                })}
            </Transition>
        </span>
    }
}

/// The inbox URL of a query.
fn href(query: &InboxQuery) -> String {
    let mut url = format!("/agent?view={}", view_of(query));
    let mut add = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            url += &format!("&{key}={}", form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>());
        }
    };
    add("status", query.status.map(|status| status.to_string()));
    add("channel", query.channel.map(|channel| channel.to_string()));
    add("priority", query.priority.map(|priority| priority.to_string()));
    add("tag", query.tag.clone());
    add("assignee", query.assignee_id.map(|id| id.to_string()));
    add("team", query.team_id.map(|id| id.to_string()));
    add("sort", query.sort.map(|sort| sort.to_string()));
    url
}

/// Filters and sort of the current view, applied as soon as one changes.
#[component]
fn Filters(query: Memo<InboxQuery>, choices: ChoicesResource) -> impl IntoView {
    let apply = |event: leptos::ev::Event| {
        if let Some(form) = event_target::<web_sys::HtmlSelectElement>(&event).form() {
            let _ = form.request_submit();
        }
    };
    let q = move || query.get();
    let option = |value: &'static str, label: &'static str, selected: bool| {
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <GetForm action="/agent" class="filters" label="Filter tickets">
            <input type="hidden" name="view" value=move || view_of(&q()).to_string() />
            <label class="filters__field">
                <span>"Status"</span>
                <select name="status" on:change=apply>
                    {move || {
                        let current = q().status;
                        view! {
                            {option("", "Any unsolved", current.is_none())}
                            {TicketStatus::ALL.iter().map(|&status| option(status.as_str(), status.label(), current == Some(status))).collect_view()}
                        }
                    }}
                </select>
            </label>
            <label class="filters__field">
                <span>"Channel"</span>
                <select name="channel" on:change=apply>
                    {move || {
                        let current = q().channel;
                        view! {
                            {option("", "Any", current.is_none())}
                            {Channel::ALL.iter().map(|&channel| option(channel.as_str(), channel.label(), current == Some(channel))).collect_view()}
                        }
                    }}
                </select>
            </label>
            <label class="filters__field">
                <span>"Priority"</span>
                <select name="priority" on:change=apply>
                    {move || {
                        let current = q().priority;
                        view! {
                            {option("", "Any", current.is_none())}
                            {Priority::ALL.iter().map(|&priority| option(priority.as_str(), priority.as_str(), current == Some(priority))).collect_view()}
                        }
                    }}
                </select>
            </label>
            // Read inside a transition, so the server waits for the lists and the hydrating
            // browser finds the same options.
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let InboxChoices { agents, teams } = choices.await.unwrap_or_default();
                    let (assignee, team) = (q().assignee_id, q().team_id);
                    // Mine is the signed-in agent's by definition; another assignee would empty it.
                    let by_assignee = view_of(&q()) != InboxView::Mine;
                    view! {
                        {by_assignee.then(|| view! {
                            <label class="filters__field">
                                <span>"Assignee"</span>
                                <select name="assignee" on:change=apply>{choice_options(agents, assignee)}</select>
                            </label>
                        })}
                        <label class="filters__field">
                            <span>"Team"</span>
                            <select name="team" on:change=apply>{choice_options(teams, team)}</select>
                        </label>
                    }
                })}
            </Transition>
            <label class="filters__field">
                <span>"Tag"</span>
                <input type="search" name="tag" value=move || q().tag.unwrap_or_default() placeholder="any" />
            </label>
            <label class="filters__field">
                <span>"Sort"</span>
                <select name="sort" on:change=apply>
                    {move || {
                        let current = q().sort.unwrap_or(InboxSort::LastActivity);
                        InboxSort::ALL.iter().map(|&sort| option(sort.as_str(), sort.label(), current == sort)).collect_view()
                    }}
                </select>
            </label>
            <button class="button filters__apply" type="submit">"Apply"</button>
        </GetForm>
    }
}

fn choice_options(choices: Vec<Choice>, current: Option<i64>) -> impl IntoView {
    view! {
        <option value="" selected=current.is_none()>"Any"</option>
        {choices
            .into_iter()
            .map(|choice| view! { <option value=choice.id selected=current == Some(choice.id)>{choice.name}</option> })
            .collect_view()}
    }
}

fn ticket_row(ticket: TicketSummary, now: chrono::DateTime<Utc>) -> impl IntoView {
    let due = ticket.sla_due_at.map(|due| {
        let overdue = due < now;
        let text = if overdue { "Overdue since" } else { "Due" };
        (overdue, format!("{text} {}", short_datetime(due)))
    });
    let idle = ago(ticket.last_activity_at, now);
    view! {
        <li class="ticket-row" class:ticket-row--unread=ticket.unread>
            <a class="ticket-row__link" href=format!("/agent/tickets/{}", ticket.id)>
                <div class="ticket-row__main">
                    <p class="ticket-row__customer">
                        {ticket.unread.then(|| view! { <span class="ticket-row__unread"><span class="visually-hidden">"Unread: "</span></span> })}
                        {ticket.customer_name} <span class="ticket-row__id">" · #" {ticket.id}</span>
                        {ticket.mentioned.then(|| view! { <span class="badge badge--mention">"Mentions you"</span> })}
                    </p>
                    <p class="ticket-row__subject">{ticket.subject}</p>
                    <p class="ticket-row__preview">{ticket.preview}</p>
                </div>
                <div class="ticket-row__meta">
                    {status_badge(ticket.status)}
                    {(ticket.priority != Priority::Normal).then(|| view! {
                        <span class=format!("badge badge--quiet badge--{}", ticket.priority)>{ticket.priority.as_str()}</span>
                    })}
                    {channel_chip(ticket.channel)}
                    <time
                        class="ticket-row__time"
                        datetime=ticket.last_activity_at.to_rfc3339()
                        title=short_datetime(ticket.last_activity_at)
                    >
                        {idle}
                    </time>
                    {due.map(|(overdue, due)| {
                        view! { <span class="ticket-row__due" class:ticket-row__due--breached=overdue>{due}</span> }
                    })}
                    <span class="ticket-row__assignee">{ticket.assignee_name.unwrap_or_else(|| "Unassigned".into())}</span>
                </div>
            </a>
        </li>
    }
}
