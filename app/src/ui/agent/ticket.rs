//! One ticket in the workspace: the conversation across channels, the reply composer, the
//! ticket's fields editable in place, and the customer beside it.

use super::{
    articles::ArticlePicker,
    calls::{CallDraft, CallLog},
    customer::{CustomerCard, ProfileActions},
    keys::{ShortcutHelp, focus_first, on_shortcut},
    live::{Heard, follow_ticket_events},
    macros::MacroPicker,
    status_badge,
};
use crate::{
    api::agent::{
        ApplyMacro, AssignTicket, LeaveTicket, LogCall, SendAgentReply, SetTicketPriority, SetTicketStatus, SetTicketTags,
        leave_ticket, macro_list, open_ticket, ticket_presence,
    },
    error::AppError,
    model::{
        Channel, Choice, CurrentUser, Delivery, Disposition, Interaction, InteractionKind, Macro, Priority, TicketEvent,
        TicketEventKind, TicketStatus, Viewer, WorkspaceTicket,
    },
    template,
    ui::{
        account::Protected,
        attachments::{AttachmentPicker, Attachments, attachment_links},
        format::{long_date, message_body, short_datetime},
        forms::{FormError, ServerCall, action_error, server_call},
        status::{ErrorPanel, ListSkeleton},
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// What an agent can do on the page; the ticket reloads whenever one of them lands.
#[derive(Clone, Copy)]
struct TicketActions {
    reply: ServerCall<SendAgentReply>,
    status: ServerCall<SetTicketStatus>,
    priority: ServerCall<SetTicketPriority>,
    assign: ServerCall<AssignTicket>,
    tags: ServerCall<SetTicketTags>,
    apply: ServerCall<ApplyMacro>,
    call: ServerCall<LogCall>,
    profile: ProfileActions,
}

impl TicketActions {
    fn version(self) -> usize {
        self.reply.version().get()
            + self.status.version().get()
            + self.priority.version().get()
            + self.assign.version().get()
            + self.tags.version().get()
            + self.apply.version().get()
            + self.call.version().get()
            + self.profile.version()
    }
}

#[component]
pub fn AgentTicketPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let actions = TicketActions {
        reply: server_call(),
        status: server_call(),
        priority: server_call(),
        assign: server_call(),
        tags: server_call(),
        apply: server_call(),
        call: server_call(),
        profile: ProfileActions::new(),
    };
    let ticket = Resource::new(move || (id(), actions.version()), |(id, _)| async move {
        match id {
            Some(id) => open_ticket(id).await,
            None => Err(AppError::NotFound),
        }
    });
    // Macros change rarely: read once per page, not on every reload of the ticket.
    let macros = Resource::new(|| (), |_| macro_list());
    // Lives with the page, so a reload of the ticket (after any change) keeps what is typed.
    let draft = Draft::new();
    let call_draft = CallDraft::new();
    // A sent message empties the box; a refused one stays for the agent to fix.
    Effect::new(move |_| {
        if matches!(actions.reply.value().get(), Some(Ok(()))) {
            draft.body.set(String::new());
            draft.staged.set(None);
            draft.files.clear();
        }
    });
    Effect::new(move |_| {
        if matches!(actions.call.value().get(), Some(Ok(()))) {
            call_draft.clear();
        }
    });
    view! {
        <Protected
            here="/agent"
            allowed=CurrentUser::is_staff
            page=move |user| {
                let others = follow_presence(id, draft);
                let help = RwSignal::new(false);
                on_shortcut(move |key| match key {
                    "r" | "n" => {
                        draft.internal.set(key == "n");
                        focus_first("#composer-body")
                    }
                    "e" => focus_first("#disposition"),
                    "m" => {
                        draft.picking.set(true);
                        true
                    }
                    "a" => match ticket.get_untracked().and_then(Result::ok) {
                        Some(open) => {
                            let summary = &open.thread.ticket.summary;
                            let (ticket_id, team_id) = (summary.id, summary.team_id);
                            actions.assign.dispatch(AssignTicket { ticket_id, assignee_id: Some(user.id), team_id });
                            true
                        }
                        None => false,
                    },
                    "?" => {
                        help.update(|open| *open = !*open);
                        true
                    }
                    _ => false,
                });
                follow_ticket_events(move |heard| match heard {
                    Heard::Ticket(event) if Some(event.ticket_id) != id() => {}
                    Heard::Ticket(TicketEvent { kind: TicketEventKind::Presence, .. }) => others.refresh(),
                    _ => ticket.refetch(),
                });
                let agent_name = user.display_name.clone();
                view! {
                    <ShortcutHelp open=help />
                    <Transition fallback=|| view! { <div class="desk"><ListSkeleton rows=6 /></div> }>
                        {move || {
                            let agent_name = agent_name.clone();
                            Suspend::new(async move {
                                let macros = macros.await.unwrap_or_default();
                                match ticket.await {
                                    Ok(ticket) => view! { <Desk ticket macros agent_name actions draft call_draft others=others.viewers /> }.into_any(),
                                    Err(error) => view! { <div class="page page--narrow"><ErrorPanel error /></div> }.into_any(),
                                }
                            })
                        }}
                    </Transition>
                }
            }
        />
    }
}

/// The other agents on this ticket, kept fresh: a heartbeat every few seconds and whenever
/// this agent starts or stops writing, and a refresh when someone else comes, goes or types.
#[derive(Clone, Copy)]
struct Presence {
    viewers: RwSignal<Vec<Viewer>>,
    ticket: Signal<Option<i64>>,
    typing: Memo<bool>,
}

impl Presence {
    fn refresh(self) {
        let Some(ticket_id) = self.ticket.get_untracked() else { return };
        let (viewers, typing) = (self.viewers, self.typing.get_untracked());
        leptos::task::spawn_local(async move {
            if let Ok(others) = ticket_presence(ticket_id, typing).await {
                viewers.set(others);
            }
        });
    }
}

fn follow_presence(id: impl Fn() -> Option<i64> + Send + Sync + 'static, draft: Draft) -> Presence {
    let presence = Presence {
        viewers: RwSignal::new(Vec::new()),
        ticket: Signal::derive(id),
        typing: Memo::new(move |_| !draft.body.read().trim().is_empty()),
    };
    // Effects run in the browser only: the server render has nobody to announce.
    Effect::new(move |_| {
        let (ticket, _) = (presence.ticket.get(), presence.typing.get());
        presence.refresh();
        // The heartbeat belongs to this run of the effect and stops with it.
        let _ = set_interval(move || presence.refresh(), HEARTBEAT);
        // A closed tab runs no cleanup; the browser still delivers a beacon as the page goes.
        let gone = window_event_listener(leptos::ev::pagehide, move |_| {
            if let Some(ticket_id) = ticket {
                leave_by_beacon(ticket_id);
            }
        });
        on_cleanup(move || {
            gone.remove();
            if let Some(ticket_id) = ticket {
                leptos::task::spawn_local(async move {
                    let _ = leave_ticket(ticket_id).await;
                });
            }
        });
    });
    presence
}

/// Sends `leave_ticket` as a beacon, which the browser delivers even while the page unloads.
fn leave_by_beacon(ticket_id: i64) {
    let Ok(form) = web_sys::UrlSearchParams::new_with_str(&format!("ticket_id={ticket_id}")) else { return };
    let _ = window().navigator().send_beacon_with_opt_url_search_params(LeaveTicket::PATH, Some(&form));
}

/// How often an open ticket tells the others it is still open (well inside the server's
/// 30 s presence timeout).
const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(10);

/// The reply being written: kept by the page while the ticket around it reloads.
#[derive(Clone, Copy)]
struct Draft {
    body: RwSignal<String>,
    internal: RwSignal<bool>,
    /// The channel the agent picked; `None` sends on the ticket's default.
    channel: RwSignal<Option<Channel>>,
    then: RwSignal<Option<TicketStatus>>,
    files: Attachments,
    /// The macro the text came from: its changes apply when the message is sent.
    staged: RwSignal<Option<Macro>>,
    /// The macro picker is open.
    picking: RwSignal<bool>,
}

impl Draft {
    fn new() -> Self {
        Self {
            body: RwSignal::new(String::new()),
            internal: RwSignal::new(false),
            channel: RwSignal::new(None),
            // After a reply the ball is usually in the customer's court.
            then: RwSignal::new(Some(TicketStatus::Pending)),
            files: Attachments::new(),
            staged: RwSignal::new(None),
            picking: RwSignal::new(false),
        }
    }
}

#[component]
fn Desk(
    ticket: WorkspaceTicket,
    macros: Vec<Macro>,
    agent_name: String,
    actions: TicketActions,
    draft: Draft,
    call_draft: CallDraft,
    others: RwSignal<Vec<Viewer>>,
) -> impl IntoView {
    let summary = ticket.thread.ticket.summary.clone();
    let customer_name = summary.customer_name.clone();
    let channels = Channel::reply_channels(&ticket.customer.identities);
    view! {
        <Title text=format!("#{} {}", summary.id, summary.subject) />
        <div class="desk">
            <section class="desk__main" aria-labelledby="ticket-heading">
                <nav class="breadcrumb" aria-label="Breadcrumb">
                    <ol>
                        <li><A href="/agent">"Inbox"</A></li>
                        <li aria-current="page">"#" {summary.id}</li>
                    </ol>
                </nav>
                <h1 id="ticket-heading" class="desk__title">{summary.subject.clone()}</h1>
                <p class="desk__meta">
                    {status_badge(summary.status)}
                    " #" {summary.id} " · opened " {long_date(ticket.thread.ticket.created_at)} " by "
                    {summary.channel.in_sentence()}
                    {ticket.thread.ticket.disposition.map(|disposition| view! { " · " {disposition.label()} })}
                </p>
                <ol class="conversation conversation--desk" aria-label="Conversation">
                    {ticket
                        .thread
                        .interactions
                        .into_iter()
                        .map(|entry| entry_view(entry, &customer_name))
                        .collect_view()}
                </ol>
                <Composer
                    ticket_id=summary.id
                    status=summary.status
                    channels
                    default_channel=ticket.reply_channel
                    macros
                    context=(customer_name, agent_name)
                    actions
                    draft
                    others
                />
                <CallLog
                    ticket_id=summary.id
                    identities=ticket.customer.identities.clone()
                    action=actions.call
                    draft=call_draft
                />
            </section>
            <aside class="desk__side" aria-label="Ticket and customer">
                <TicketFields
                    ticket_id=summary.id
                    status=summary.status
                    priority=summary.priority
                    assignee=summary.assignee_id
                    team=summary.team_id
                    tags=ticket.thread.ticket.tags.join(", ")
                    agents=ticket.agents
                    teams=ticket.teams
                    actions
                />
                <CustomerCard panel=ticket.customer actions=actions.profile />
            </aside>
        </div>
    }
}

/// One entry of the conversation as agents read it: who wrote it, on which channel, and
/// internal notes set apart.
fn entry_view(entry: Interaction, customer_name: &str) -> impl IntoView + use<> {
    let channel = entry.channel;
    let (class, speaker) = match entry.kind {
        InteractionKind::MessageIn => ("message--customer", customer_name.to_owned()),
        InteractionKind::MessageOut => ("message--agent", entry.author_name.clone().unwrap_or_else(|| "Support".into())),
        InteractionKind::Note => (
            "message--note",
            format!("Internal note · {}", entry.author_name.clone().unwrap_or_else(|| "Support".into())),
        ),
        _ => ("message--event", entry.author_name.clone().unwrap_or_default()),
    };
    view! {
        <li class=format!("message {class}")>
            <p class="message__meta">
                <strong>{speaker}</strong>
                " · " {entry.channel.label()} " · "
                <time datetime=entry.created_at.to_rfc3339()>{short_datetime(entry.created_at)}</time>
            </p>
            {message_body(entry.body, entry.body_html, "message__body")}
            {attachment_links(entry.attachments)}
            {entry.delivery.map(|delivery| delivery_note(delivery, channel))}
        </li>
    }
}

/// Where a reply sent by email stands; a failure says what the agent can do about it.
fn delivery_note(delivery: Delivery, channel: Channel) -> impl IntoView {
    let by = match channel {
        Channel::Email => "email".to_owned(),
        other => other.label().to_owned(),
    };
    let (class, text) = match delivery {
        Delivery::Pending { last_error: None } => ("delivery", format!("Queued for {by} delivery")),
        Delivery::Pending { last_error: Some(reason) } => {
            ("delivery delivery--retrying", format!("Not delivered yet, trying again: {reason}"))
        }
        Delivery::Sent => ("delivery", format!("Sent by {by}")),
        Delivery::Failed { reason } => (
            "delivery delivery--failed",
            format!("Not delivered: {reason}. Check the address, or reply on another channel."),
        ),
    };
    view! { <p class=class>{text}</p> }
}

/// The reply composer: a reply on a chosen channel, or an internal note on its own tinted
/// background so nobody mistakes one for the other.
#[component]
fn Composer(
    ticket_id: i64,
    status: TicketStatus,
    channels: Vec<Channel>,
    default_channel: Channel,
    macros: Vec<Macro>,
    /// The customer's and the agent's names, for the macros' variables.
    context: (String, String),
    actions: TicketActions,
    draft: Draft,
    others: RwSignal<Vec<Viewer>>,
) -> impl IntoView {
    let reply = actions.reply;
    let writing = move || {
        others.read().iter().filter(|other| other.typing).map(|other| other.name.clone()).collect::<Vec<_>>()
    };
    let Draft { body, internal, then, files, staged, .. } = draft;
    let channel = {
        let channels = channels.clone();
        move || draft.channel.get_untracked().filter(|picked| channels.contains(picked)).unwrap_or(default_channel)
    };
    let chosen = channel.clone();
    let reply_channel = Signal::derive(channel.clone());
    let closed = status == TicketStatus::Closed;
    if closed {
        internal.set(true);
    }
    let send = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let sending = SendAgentReply {
            ticket_id,
            body: body.get_untracked(),
            channel: channel(),
            internal: internal.get_untracked(),
            // A note changes nothing about the ticket.
            then: if internal.get_untracked() { None } else { then.get_untracked() },
            attachments: files.tokens(),
            macro_id: staged.get_untracked().map(|item| item.id),
        };
        reply.dispatch(sending);
    };
    // A macro with text fills the box for the agent to check and send; one without applies
    // its changes at once.
    let pick = Callback::new(move |item: Macro| {
        if item.fields.body.is_empty() {
            actions.apply.dispatch(ApplyMacro { ticket_id, macro_id: item.id });
            return;
        }
        let (customer_name, agent_name) = &context;
        let names = template::Context { customer_name, ticket_id, agent_name };
        append(body, template::render(&item.fields.body, &names));
        internal.set(item.fields.internal || closed);
        staged.set(Some(item));
        focus_first("#composer-body");
    });
    let insert_article = Callback::new(move |text: String| {
        append(body, text);
        focus_first("#composer-body");
    });
    let sets_status = move || staged.read().as_ref().is_some_and(|item| item.fields.status.is_some());
    let error = Signal::derive(move || action_error(reply).get().or_else(|| action_error(actions.apply).get()));
    let sending = move || reply.pending().get() || files.busy();
    // Split off, and type-erased, to keep the view type within the compiler's depth limit.
    let top = view! {
        <div class="composer__top">
            <div class="composer__modes" role="radiogroup" aria-label="Message kind">
                <label class="composer__mode">
                    <input
                        type="radio"
                        name="kind"
                        checked=move || !internal.get()
                        disabled=closed
                        on:change=move |_| internal.set(false)
                    />
                    "Reply to customer"
                </label>
                <label class="composer__mode">
                    <input type="radio" name="kind" checked=move || internal.get() on:change=move |_| internal.set(true) />
                    "Internal note"
                </label>
            </div>
            <div class="composer__tools">
                <ArticlePicker channel=reply_channel on_insert=insert_article />
                <MacroPicker macros open=draft.picking on_pick=pick />
            </div>
        </div>
    }
    .into_any();
    view! {
        <PresenceNote others />
        <form class="composer" class:composer--note=move || internal.get() on:submit=send aria-label="Reply">
            {top}
            <Show when=move || !internal.get()>
                <label class="composer__channel">
                    <span>"Send by"</span>
                    <select on:change=move |event| {
                        if let Ok(picked) = event_target_value(&event).parse() {
                            draft.channel.set(Some(picked));
                        }
                    }>
                        {channels
                            .iter()
                            .map(|&option| view! {
                                <option value=option.as_str() selected=option == chosen()>{option.label()}</option>
                            })
                            .collect_view()}
                    </select>
                </label>
            </Show>
            <div class="field">
                <label for="composer-body">
                    {move || if internal.get() { "Note for your team (the customer never sees it)" } else { "Your reply" }}
                </label>
                <textarea
                    id="composer-body"
                    rows="5"
                    required
                    aria-describedby="composer-hint"
                    prop:value=move || body.get()
                    on:input=move |event| {
                        let typed = event_target_value(&event);
                        // "/" in an empty box opens the macros instead of being typed.
                        if typed == "/" {
                            body.set(String::new());
                            draft.picking.set(true);
                        } else {
                            body.set(typed);
                        }
                    }
                ></textarea>
                <p id="composer-hint" class="field__hint">
                    {move || match internal.get() {
                        true => "Markdown works: **bold**, lists, links. Type @ and a colleague's name to let them know. / in an empty box, or m, picks a macro.",
                        false => "Markdown works: **bold**, lists, links; SMS, WhatsApp and Messenger get plain text. Type / in an empty box, or press m, for a macro.",
                    }}
                </p>
            </div>
            <AttachmentPicker files id="composer-files" />
            {move || staged.get().map(|item| {
                let changes = item.changes();
                view! {
                    <p class="composer__macro" role="status">
                        <span>
                            "From macro " <strong>{item.fields.title.clone()}</strong>
                            {(!changes.is_empty()).then(|| format!("; on sending: {}", changes.join(" · ")))}
                        </span>
                        <button class="button button--quiet" type="button" on:click=move |_| staged.set(None)>
                            "Keep the text only"
                        </button>
                    </p>
                }
            })}
            <FormError message=error />
            <div class="composer__actions">
                <Show when=move || !internal.get() && !sets_status()>
                    <label class="composer__then">
                        <span>"Then set"</span>
                        <select on:change=move |event| then.set(event_target_value(&event).parse().ok())>
                            <option value="">"Status unchanged"</option>
                            {[TicketStatus::Open, TicketStatus::Pending, TicketStatus::OnHold, TicketStatus::Solved]
                                .into_iter()
                                .map(|option| view! {
                                    <option value=option.as_str() selected=Some(option) == then.get_untracked()>{option.label()}</option>
                                })
                                .collect_view()}
                        </select>
                    </label>
                </Show>
                <button class="button button--primary" type="submit" disabled=sending>
                    {move || match (reply.pending().get(), internal.get(), writing().is_empty()) {
                        (true, _, _) => "Sending…",
                        (false, true, _) => "Add note",
                        (false, false, true) => "Send reply",
                        // Someone else is writing: sending now may cross their reply.
                        (false, false, false) => "Send anyway",
                    }}
                </button>
            </div>
        </form>
    }
    .into_any()
}

/// Adds text to the reply: in an empty box it is the reply, otherwise a new paragraph.
fn append(body: RwSignal<String>, text: String) {
    body.update(|current| match current.trim().is_empty() {
        true => *current = text,
        false => {
            current.push_str("\n\n");
            current.push_str(&text);
        }
    });
}

/// Who else has this ticket open, and a collision warning when one of them is writing.
#[component]
fn PresenceNote(others: RwSignal<Vec<Viewer>>) -> impl IntoView {
    move || {
        let others = others.get();
        let writing: Vec<&str> = others.iter().filter(|other| other.typing).map(|other| other.name.as_str()).collect();
        let viewing: Vec<&str> = others.iter().filter(|other| !other.typing).map(|other| other.name.as_str()).collect();
        let text = match (writing.as_slice(), viewing.as_slice()) {
            ([], []) => return None,
            ([], viewing) => format!("{} {} viewing this ticket.", viewing.join(", "), if viewing.len() == 1 { "is" } else { "are" }),
            (writing, _) => format!(
                "{} {} writing a reply to this ticket. Check theirs before you send yours.",
                writing.join(", "),
                if writing.len() == 1 { "is" } else { "are" }
            ),
        };
        let collision = !writing.is_empty();
        Some(view! { <p class="presence" class:presence--collision=collision role="status">{text}</p> })
    }
}

/// The ticket's fields, each saved as soon as it changes.
#[component]
fn TicketFields(
    ticket_id: i64,
    status: TicketStatus,
    priority: Priority,
    assignee: Option<i64>,
    team: Option<i64>,
    tags: String,
    agents: Vec<Choice>,
    teams: Vec<Choice>,
    actions: TicketActions,
) -> impl IntoView {
    let id_of = |value: String| value.parse::<i64>().ok();
    let assign = move |assignee_id: Option<i64>, team_id: Option<i64>| {
        actions.assign.dispatch(AssignTicket { ticket_id, assignee_id, team_id });
    };
    let choice = |choices: Vec<Choice>, current: Option<i64>, none: &'static str| {
        view! {
            <option value="" selected=current.is_none()>{none}</option>
            {choices
                .into_iter()
                .map(|choice| view! { <option value=choice.id selected=Some(choice.id) == current>{choice.name}</option> })
                .collect_view()}
        }
    };
    let solvable = status.is_unsolved();
    let disposition = RwSignal::new(None::<Disposition>);
    let tags_draft = RwSignal::new(tags);
    let error = Signal::derive(move || {
        [action_error(actions.status), action_error(actions.priority), action_error(actions.assign), action_error(actions.tags)]
            .into_iter()
            .find_map(|message| message.get())
    });
    view! {
        <section class="panel" aria-labelledby="fields-heading">
            <h2 id="fields-heading" class="panel__title">"Ticket"</h2>
            <div class="panel__fields">
                <label class="panel__field">
                    <span>"Status"</span>
                    <select
                        disabled=status == TicketStatus::Closed
                        on:change=move |event| {
                            if let Ok(status) = event_target_value(&event).parse() {
                                actions.status.dispatch(SetTicketStatus { ticket_id, status, disposition: None });
                            }
                        }
                    >
                        {TicketStatus::ALL
                            .iter()
                            .filter(|&&option| option == status || matches!(option, TicketStatus::Open | TicketStatus::Pending | TicketStatus::OnHold))
                            .map(|&option| view! { <option value=option.as_str() selected=option == status>{option.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="panel__field">
                    <span>"Priority"</span>
                    <select on:change=move |event| {
                        if let Ok(priority) = event_target_value(&event).parse() {
                            actions.priority.dispatch(SetTicketPriority { ticket_id, priority });
                        }
                    }>
                        {Priority::ALL
                            .iter()
                            .map(|&option| view! { <option value=option.as_str() selected=option == priority>{option.as_str()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="panel__field">
                    <span>"Assignee"</span>
                    <select on:change=move |event| assign(id_of(event_target_value(&event)), team)>
                        {choice(agents, assignee, "Unassigned")}
                    </select>
                </label>
                <label class="panel__field">
                    <span>"Team"</span>
                    <select on:change=move |event| assign(assignee, id_of(event_target_value(&event)))>
                        {choice(teams, team, "No team")}
                    </select>
                </label>
                <form
                    class="panel__field panel__tags"
                    on:submit=move |event: leptos::ev::SubmitEvent| {
                        event.prevent_default();
                        actions.tags.dispatch(SetTicketTags { ticket_id, tags: tags_draft.get_untracked() });
                    }
                >
                    <label for="ticket-tags">"Tags"</label>
                    <div class="panel__inline">
                        <input
                            id="ticket-tags"
                            type="text"
                            placeholder="billing, refund"
                            prop:value=move || tags_draft.get()
                            on:input=move |event| tags_draft.set(event_target_value(&event))
                        />
                        <button class="button" type="submit">"Save"</button>
                    </div>
                </form>
            </div>
            {solvable.then(|| view! {
                <form
                    class="panel__solve"
                    on:submit=move |event: leptos::ev::SubmitEvent| {
                        event.prevent_default();
                        if let Some(disposition) = disposition.get_untracked() {
                            actions.status.dispatch(SetTicketStatus { ticket_id, status: TicketStatus::Solved, disposition: Some(disposition) });
                        }
                    }
                >
                    <label for="disposition">"Solve as"</label>
                    <div class="panel__inline">
                        <select id="disposition" required on:change=move |event| disposition.set(event_target_value(&event).parse().ok())>
                            <option value="">"Choose a reason"</option>
                            {Disposition::ALL
                                .iter()
                                .map(|&option| view! { <option value=option.as_str()>{option.label()}</option> })
                                .collect_view()}
                        </select>
                        <button class="button button--primary" type="submit">"Solve"</button>
                    </div>
                </form>
            })}
            <FormError message=error />
        </section>
    }
    .into_any()
}
