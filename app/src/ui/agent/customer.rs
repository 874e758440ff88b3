//! The customer beside every ticket: profile, identities, other tickets and latest activity
//! on every channel, help-center reading included — so nobody asks them again. Agents keep
//! the profile right here: its name and tier, new ways to reach the customer, and merging a
//! duplicate profile (previewed first, undoable after).

use super::{channel_chip, status_badge};
use crate::{
    api::customers::{AddCustomerIdentity, MergeCustomers, PreviewMerge, UndoMerge, UpdateCustomer},
    error::AppError,
    model::{
        AttributeField, Customer, CustomerPanel, IdentityKind, Interaction, MergePreview,
        MergeRecord, TicketSummary, Tier,
    },
    ui::{
        forms::{FormError, ServerCall, action_error, on_each_result, server_call},
        format::{ago, message_body, short_datetime},
        status::on_demand,
    },
};
use chrono::Utc;
use leptos::{LazyViewError, lazy, prelude::*};

/// What agents do to a profile; the ticket page reloads whenever one of them succeeds.
#[derive(Clone, Copy)]
pub struct ProfileActions {
    update: ServerCall<UpdateCustomer>,
    add_identity: ServerCall<AddCustomerIdentity>,
    preview: ServerCall<PreviewMerge>,
    merge: ServerCall<MergeCustomers>,
    undo: ServerCall<UndoMerge>,
    /// How many changes have succeeded. A refused one changes nothing, and reloading for it
    /// would close the form and throw away what the agent typed.
    landed: RwSignal<usize>,
}

impl ProfileActions {
    pub fn new() -> Self {
        let actions = Self {
            update: server_call(),
            add_identity: server_call(),
            preview: server_call(),
            merge: server_call(),
            undo: server_call(),
            landed: RwSignal::new(0),
        };
        count_successes(actions.update, actions.landed);
        count_successes(actions.add_identity, actions.landed);
        count_successes(actions.merge, actions.landed);
        count_successes(actions.undo, actions.landed);
        actions
    }

    /// Changes whenever a change to a profile has succeeded (a preview changes nothing).
    pub fn version(self) -> usize {
        self.landed.get()
    }
}

fn count_successes<S>(action: ServerCall<S>, landed: RwSignal<usize>)
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    on_each_result(action, move |result| {
        if result.is_ok() {
            landed.update(|count| *count += 1);
        }
    });
}

#[component]
pub fn CustomerCard(panel: CustomerPanel, actions: ProfileActions) -> impl IntoView {
    let customer = panel.customer;
    let customer_id = customer.id;
    let now = Utc::now();
    let editing = RwSignal::new(false);
    let profile = customer.clone();
    let profile_form = move || profile_form(profile.clone(), actions.update, editing);
    let attributes = customer.attribute_fields();
    view! {
        <section class="panel customer-card" aria-labelledby="customer-heading">
            <div class="customer-card__head">
                <h2 id="customer-heading" class="panel__title">
                    {customer.display_name.clone()}
                    <span class=format!("badge badge--quiet tier tier--{}", customer.tier)>{customer.tier.as_str()}</span>
                </h2>
                <button
                    class="button button--quiet"
                    type="button"
                    aria-label="Edit profile"
                    aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|open| *open = !*open)
                >
                    "Edit"
                </button>
            </div>
            <Show when=move || editing.get()>{on_demand(profile_form.clone())}</Show>
            <p class="customer-card__seen">
                "Customer since " {short_datetime(customer.created_at)}
                {customer.last_contact_at.map(|at| view! { " · last contact " {ago(at, now)} })}
            </p>
            <dl class="customer-card__facts">
                {panel
                    .identities
                    .into_iter()
                    .map(|identity| view! {
                        <div>
                            <dt>{identity_label(identity.kind)}</dt>
                            <dd>
                                {identity.value}
                                {identity.verified.then(|| view! { <span class="customer-card__verified">" (verified)"</span> })}
                            </dd>
                        </div>
                    })
                    .collect_view()}
                {attributes
                    .into_iter()
                    .map(|field| view! {
                        <div>
                            <dt>{field.name}</dt>
                            <dd>{field.value}</dd>
                        </div>
                    })
                    .collect_view()}
            </dl>
            <IdentityForm customer_id action=actions.add_identity preview=actions.preview />
            <MergeSection customer_id merges=panel.merges actions now />
            <h3 class="panel__subtitle">"Other tickets"</h3>
            {if panel.other_tickets.is_empty() {
                view! { <p class="panel__empty">"No other tickets."</p> }.into_any()
            } else {
                view! {
                    <ul class="customer-card__tickets">
                        {panel.other_tickets.into_iter().map(other_ticket).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <h3 class="panel__subtitle">"Recent activity"</h3>
            {if panel.recent.is_empty() {
                view! { <p class="panel__empty">"Nothing yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="customer-card__timeline">
                        {panel.recent.into_iter().map(|entry| activity(entry, now)).collect_view()}
                    </ol>
                }
                .into_any()
            }}
        </section>
    }
    .into_any()
}

fn identity_label(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Email => "Email",
        IdentityKind::Phone => "Phone",
        IdentityKind::AccountId => "Account",
        IdentityKind::Whatsapp => "WhatsApp",
        IdentityKind::Twitter => "X / Twitter",
        IdentityKind::Facebook => "Facebook",
        IdentityKind::ChatVisitor => "Chat visitor",
    }
}

fn other_ticket(ticket: TicketSummary) -> impl IntoView {
    view! {
        <li>
            <a href=format!("/agent/tickets/{}", ticket.id)>{ticket.subject}</a>
            <span class="customer-card__ticket-meta">{status_badge(ticket.status)} " #" {ticket.id}</span>
        </li>
    }
}

fn activity(entry: Interaction, now: chrono::DateTime<Utc>) -> impl IntoView {
    view! {
        <li class=format!("customer-card__entry customer-card__entry--{}", entry.kind)>
            <p class="customer-card__entry-meta">
                {channel_chip(entry.channel)}
                <time datetime=entry.created_at.to_rfc3339() title=short_datetime(entry.created_at)>
                    {ago(entry.created_at, now)}
                </time>
                {entry.ticket_id.map(|id| view! { <a href=format!("/agent/tickets/{id}")>"#" {id}</a> })}
            </p>
            {message_body(entry.body, entry.body_html, "customer-card__entry-body")}
        </li>
    }
}

/// One custom attribute being edited; `key` keeps its row in place while others come and go.
#[derive(Clone, Copy)]
struct AttributeRow {
    key: usize,
    name: RwSignal<String>,
    value: RwSignal<String>,
}

impl AttributeRow {
    fn new(key: usize, field: AttributeField) -> Self {
        Self {
            key,
            name: RwSignal::new(field.name),
            value: RwSignal::new(field.value),
        }
    }

    /// What the row's controls are called for a screen reader.
    fn label(self) -> String {
        match self.name.get().trim() {
            "" => "the new attribute".to_owned(),
            name => name.to_owned(),
        }
    }
}

/// The profile form downloads the first time an agent opens it: most tickets need no edit.
#[lazy(fallible)]
fn profile_form(customer: Customer, action: ServerCall<UpdateCustomer>, editing: RwSignal<bool>) -> Result<AnyView, LazyViewError> {
    Ok(view! { <ProfileForm customer action editing /> }.into_any())
}

/// The profile's name, tier and custom attributes, saved together.
#[component]
fn ProfileForm(
    customer: Customer,
    action: ServerCall<UpdateCustomer>,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let rows: Vec<AttributeRow> = customer
        .attribute_fields()
        .into_iter()
        .enumerate()
        .map(|(key, field)| AttributeRow::new(key, field))
        .collect();
    let next_key = StoredValue::new(rows.len());
    let rows = RwSignal::new(rows);
    let name = RwSignal::new(customer.display_name);
    let tier = RwSignal::new(customer.tier);
    let customer_id = customer.id;
    let add_row = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rows| rows.push(AttributeRow::new(key, AttributeField::default())));
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let attributes = rows
            .get_untracked()
            .iter()
            .map(|row| AttributeField {
                name: row.name.get_untracked(),
                value: row.value.get_untracked(),
            })
            .collect();
        action.dispatch(UpdateCustomer {
            customer_id,
            display_name: name.get_untracked(),
            tier: tier.get_untracked(),
            attributes,
        });
    };
    on_each_result(action, move |result| {
        if result.is_ok() {
            editing.set(false);
        }
    });
    view! {
        <form class="customer-card__form" on:submit=submit aria-label="Edit profile">
            <label class="panel__field">
                <span>"Name"</span>
                <input type="text" required maxlength="200" prop:value=move || name.get() on:input=move |event| name.set(event_target_value(&event)) />
            </label>
            <label class="panel__field">
                <span>"Tier"</span>
                <select on:change=move |event| {
                    if let Ok(picked) = event_target_value(&event).parse() {
                        tier.set(picked);
                    }
                }>
                    {Tier::ALL
                        .iter()
                        .map(|&option| view! { <option value=option.as_str() selected=move || tier.get() == option>{option.as_str()}</option> })
                        .collect_view()}
                </select>
            </label>
            <fieldset class="customer-card__attributes">
                <legend>"Custom attributes"</legend>
                <For each=move || rows.get() key=|row| row.key let:row>
                    <div class="customer-card__attribute">
                        <input
                            type="text"
                            maxlength="60"
                            placeholder="Name"
                            aria-label="Attribute name"
                            prop:value=move || row.name.get()
                            on:input=move |event| row.name.set(event_target_value(&event))
                        />
                        <input
                            type="text"
                            maxlength="1000"
                            placeholder="Value"
                            aria-label=move || format!("Value of {}", row.label())
                            prop:value=move || row.value.get()
                            on:input=move |event| row.value.set(event_target_value(&event))
                        />
                        <button
                            class="button button--quiet"
                            type="button"
                            aria-label=move || format!("Remove {}", row.label())
                            on:click=move |_| rows.update(|rows| rows.retain(|other| other.key != row.key))
                        >
                            "Remove"
                        </button>
                    </div>
                </For>
                <button class="button button--quiet" type="button" on:click=add_row>"Add attribute"</button>
            </fieldset>
            <FormError message=action_error(action) />
            <div class="panel__inline">
                <button class="button button--primary" type="submit" disabled=move || action.pending().get()>"Save"</button>
                <button class="button button--quiet" type="button" on:click=move |_| editing.set(false)>"Cancel"</button>
            </div>
        </form>
    }
}

/// A new way to reach the customer. One that belongs to another profile is refused, and the
/// merge preview for that profile is offered in its place.
#[component]
fn IdentityForm(customer_id: i64, action: ServerCall<AddCustomerIdentity>, preview: ServerCall<PreviewMerge>) -> impl IntoView {
    let kind = RwSignal::new(IdentityKind::Email);
    let value = RwSignal::new(String::new());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        action.dispatch(AddCustomerIdentity { customer_id, kind: kind.get_untracked(), value: value.get_untracked() });
    };
    on_each_result(action, move |result| match result {
        Ok(()) => value.set(String::new()),
        Err(AppError::Conflict(message)) if message.contains("Merge the two profiles") => {
            preview.dispatch(PreviewMerge { customer_id, duplicate: value.get_untracked() });
        }
        Err(_) => {}
    });
    view! {
        <form class="customer-card__add" on:submit=submit aria-label="Add a way to reach them">
            <label class="visually-hidden" for="identity-kind">"Identity kind"</label>
            <select id="identity-kind" on:change=move |event| {
                if let Ok(picked) = event_target_value(&event).parse() {
                    kind.set(picked);
                }
            }>
                {IdentityKind::ALL
                    .iter()
                    .map(|&option| view! { <option value=option.as_str()>{identity_label(option)}</option> })
                    .collect_view()}
            </select>
            <label class="visually-hidden" for="identity-value">"Address, number or handle"</label>
            <input
                id="identity-value"
                type="text"
                required
                placeholder="Add an address, number or handle"
                prop:value=move || value.get()
                on:input=move |event| value.set(event_target_value(&event))
            />
            <button class="button" type="submit" disabled=move || action.pending().get()>"Add"</button>
            <FormError message=action_error(action) />
        </form>
    }
}

/// Finding a duplicate profile, what merging it would move, and the merges that can be undone.
#[component]
fn MergeSection(customer_id: i64, merges: Vec<MergeRecord>, actions: ProfileActions, now: chrono::DateTime<Utc>) -> impl IntoView {
    let duplicate = RwSignal::new(String::new());
    let find = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        actions.preview.dispatch(PreviewMerge { customer_id, duplicate: duplicate.get_untracked() });
    };
    // A merge that landed makes its preview, and the refusal that led to it, stale.
    on_each_result(actions.merge, move |result| {
        if result.is_ok() {
            actions.preview.value().set(None);
            actions.add_identity.value().set(None);
        }
    });
    let error = Signal::derive(move || {
        [action_error(actions.preview), action_error(actions.merge), action_error(actions.undo)]
            .into_iter()
            .find_map(|message| message.get())
    });
    view! {
        <h3 class="panel__subtitle">"Duplicate profiles"</h3>
        <form class="customer-card__add" on:submit=find aria-label="Find a duplicate profile">
            <label class="visually-hidden" for="merge-duplicate">"Email, phone, handle or customer number of the duplicate"</label>
            <input
                id="merge-duplicate"
                type="text"
                required
                placeholder="Email, phone, handle or #number"
                prop:value=move || duplicate.get()
                on:input=move |event| duplicate.set(event_target_value(&event))
            />
            <button class="button" type="submit" disabled=move || actions.preview.pending().get()>"Find"</button>
        </form>
        {move || match actions.preview.value().get() {
            Some(Ok(preview)) => Some(merge_preview(preview, customer_id, actions.merge)),
            _ => None,
        }}
        <FormError message=error />
        {(!merges.is_empty()).then(|| view! {
            <ul class="customer-card__merges">
                {merges
                    .into_iter()
                    .map(|merge| {
                        let undo = move |_| {
                            actions.undo.dispatch(UndoMerge { merge_id: merge.id });
                        };
                        view! {
                            <li>
                                <span>
                                    "Merged " <strong>{merge.source_name.clone()}</strong> " (#" {merge.source_id} ") "
                                    <time datetime=merge.merged_at.to_rfc3339() title=short_datetime(merge.merged_at)>{ago(merge.merged_at, now)}</time>
                                </span>
                                <button class="button button--quiet" type="button" on:click=undo aria-label=format!("Undo the merge of {}", merge.source_name)>
                                    "Undo"
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        })}
    }
}

fn merge_preview(preview: MergePreview, customer_id: i64, merge: ServerCall<MergeCustomers>) -> impl IntoView {
    let source_id = preview.source.id;
    let entries = |count: i64, one: &str, many: &str| format!("{count} {}", if count == 1 { one } else { many });
    view! {
        <div class="customer-card__preview" role="region" aria-label="Merge preview">
            <p>
                <strong>{preview.source.display_name}</strong> " (#" {source_id} ") has "
                {entries(preview.tickets, "ticket", "tickets")} " and " {entries(preview.interactions, "timeline entry", "timeline entries")}
                ". Merging moves them, and these, into this profile:"
            </p>
            <ul>
                {preview
                    .identities
                    .into_iter()
                    .map(|identity| view! { <li>{identity_label(identity.kind)} ": " {identity.value}</li> })
                    .collect_view()}
            </ul>
            <button
                class="button button--primary"
                type="button"
                disabled=move || merge.pending().get()
                on:click=move |_| {
                    merge.dispatch(MergeCustomers { customer_id, source_id });
                }
            >
                "Merge into this profile"
            </button>
        </div>
    }
}
