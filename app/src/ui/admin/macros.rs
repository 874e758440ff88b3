//! Macros as admins manage them: the list, and an editor for one macro's text and the changes
//! that go with it.

use super::{AdminFrame, AdminSection};
use crate::{
    api::{
        admin::{DeleteMacro, SaveMacro, team_choices},
        agent::macro_list,
    },
    model::{Choice, Macro, MacroFields, Priority, TicketStatus},
    template,
    ui::{
        forms::{FormError, ServerCall, action_error, server_call},
        status::{ErrorPanel, ListSkeleton},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MacrosAdmin() -> impl IntoView {
    view! {
        <Title text="Macros" />
        <AdminFrame section=AdminSection::Macros page=|_| view! { <MacrosPage /> } />
    }
}

#[component]
fn MacrosPage() -> impl IntoView {
    let save = server_call::<SaveMacro>();
    let delete = server_call::<DeleteMacro>();
    let macros = Resource::new(move || (save.version().get(), delete.version().get()), |_| macro_list());
    let teams = Resource::new(|| (), |_| team_choices());
    // The macro being edited: `None` while writing a new one.
    let editing = RwSignal::new(None::<i64>);
    let draft = Draft::new();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            editing.set(Some(saved.id));
        }
    });
    let edit = move |chosen: Option<Macro>| {
        editing.set(chosen.as_ref().map(|chosen| chosen.id));
        draft.load(chosen.map(|chosen| chosen.fields).unwrap_or_default());
        save.value().set(None);
    };
    view! {
        <p class="page__lead">
            "Saved replies and the changes that go with them. Agents pick one in the reply box (type "
            <kbd>"/"</kbd> " or press " <kbd>"m"</kbd> "); its text fills in with the customer's and ticket's details and its changes apply when they send."
        </p>
        <div class="admin__grid admin__grid--wide">
            <section class="card" aria-labelledby="macros-heading">
                <div class="admin__list-head">
                    <h2 id="macros-heading" class="section__title">"Macros"</h2>
                    <button class="button" type="button" on:click=move |_| edit(None)>"New macro"</button>
                </div>
                <FormError message=action_error(delete) />
                <Transition fallback=|| view! { <ListSkeleton rows=4 /> }>
                    {move || Suspend::new(async move {
                        match macros.await {
                            Ok(list) if list.is_empty() => view! {
                                <p class="panel__empty">"No macros yet. Write the first one: the answer your team types most often."</p>
                            }
                            .into_any(),
                            Ok(list) => view! {
                                <ul class="macro-list">
                                    {list.into_iter().map(|item| macro_row(item, editing, edit, delete)).collect_view()}
                                </ul>
                            }
                            .into_any(),
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <section class="card" aria-labelledby="editor-heading">
                <h2 id="editor-heading" class="section__title">
                    {move || if editing.get().is_some() { "Edit macro" } else { "New macro" }}
                </h2>
                <Transition fallback=|| view! { <ListSkeleton rows=3 /> }>
                    {move || Suspend::new(async move {
                        let teams = teams.await.unwrap_or_default();
                        view! { <MacroEditor draft teams editing save /> }
                    })}
                </Transition>
            </section>
        </div>
    }
}

fn macro_row(
    item: Macro,
    editing: RwSignal<Option<i64>>,
    edit: impl Fn(Option<Macro>) + Copy + 'static,
    delete: ServerCall<DeleteMacro>,
) -> impl IntoView {
    let id = item.id;
    let title = item.fields.title.clone();
    let summary = item.summary();
    let confirm_delete = move |_| {
        let question = format!("Delete the macro {title:?}? Agents will no longer find it.");
        if window().confirm_with_message(&question).unwrap_or(false) {
            delete.dispatch(DeleteMacro { macro_id: id });
            if editing.get_untracked() == Some(id) {
                edit(None);
            }
        }
    };
    let chosen = item.clone();
    view! {
        <li class="macro-list__item" class:macro-list__item--current=move || editing.get() == Some(id)>
            <div>
                <p class="macro-list__title">{item.fields.title.clone()}</p>
                <p class="macro-list__summary">{summary}</p>
            </div>
            <div class="macro-list__actions">
                <button
                    class="button button--quiet"
                    type="button"
                    aria-label=format!("Edit {}", item.fields.title)
                    on:click=move |_| edit(Some(chosen.clone()))
                >
                    "Edit"
                </button>
                <button
                    class="button button--quiet"
                    type="button"
                    aria-label=format!("Delete {}", item.fields.title)
                    on:click=confirm_delete
                >
                    "Delete"
                </button>
            </div>
        </li>
    }
}

/// The editor's fields, as typed; tags stay text until saved.
#[derive(Clone, Copy)]
struct Draft {
    fields: RwSignal<MacroFields>,
    tags: RwSignal<String>,
}

impl Draft {
    fn new() -> Self {
        Self { fields: RwSignal::new(MacroFields::default()), tags: RwSignal::new(String::new()) }
    }

    fn load(self, fields: MacroFields) {
        self.tags.set(fields.add_tags.join(", "));
        self.fields.set(fields);
    }

    fn to_fields(self) -> MacroFields {
        let tags = self.tags.get_untracked();
        let add_tags = tags.split([',', ' ']).filter(|tag| !tag.trim().is_empty()).map(str::to_owned).collect();
        MacroFields { add_tags, ..self.fields.get_untracked() }
    }
}

#[component]
fn MacroEditor(draft: Draft, teams: Vec<Choice>, editing: RwSignal<Option<i64>>, save: ServerCall<SaveMacro>) -> impl IntoView {
    let fields = draft.fields;
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        save.dispatch(SaveMacro { macro_id: editing.get_untracked(), fields: draft.to_fields() });
    };
    let saved = move || match save.value().get() {
        Some(Ok(saved)) => Some(format!("Saved {:?}.", saved.fields.title)),
        _ => None,
    };
    let variables = template::VARIABLES
        .iter()
        .map(|(name, meaning)| view! { <li><code>{format!("{{{{{name}}}}}")}</code> " " {*meaning}</li> })
        .collect_view();
    view! {
        <form class="form" on:submit=submit aria-label="Macro">
            <div class="field">
                <label for="macro-title">"Title"</label>
                <input
                    id="macro-title"
                    type="text"
                    required
                    maxlength="100"
                    autocomplete="off"
                    prop:value=move || fields.read().title.clone()
                    on:input=move |event| fields.update(|fields| fields.title = event_target_value(&event))
                />
            </div>
            <div class="field">
                <label for="macro-body">"Text"</label>
                <textarea
                    id="macro-body"
                    rows="6"
                    aria-describedby="macro-variables"
                    prop:value=move || fields.read().body.clone()
                    on:input=move |event| fields.update(|fields| fields.body = event_target_value(&event))
                ></textarea>
                <div id="macro-variables" class="field__hint">
                    "Leave empty for a macro that only changes the ticket. Variables:"
                    <ul class="macro-variables">{variables}</ul>
                </div>
            </div>
            <div class="field-row">
                <ChoiceField
                    id="macro-internal"
                    label="Add the text as"
                    options=vec![("reply".into(), "A reply to the customer".into()), ("note".into(), "An internal note".into())]
                    value=Signal::derive(move || if fields.read().internal { "note" } else { "reply" }.to_owned())
                    set=move |value| fields.update(|fields| fields.internal = value == "note")
                />
                <ChoiceField
                    id="macro-status"
                    label="Set status"
                    options=leave_or([TicketStatus::Open, TicketStatus::Pending, TicketStatus::OnHold, TicketStatus::Solved]
                        .map(|status| (status.as_str().to_owned(), status.label().to_owned())))
                    value=Signal::derive(move || fields.read().status.map(|status| status.to_string()).unwrap_or_default())
                    set=move |value| fields.update(|fields| fields.status = value.parse().ok())
                />
                <ChoiceField
                    id="macro-priority"
                    label="Set priority"
                    options=leave_or(Priority::ALL.iter().map(|priority| (priority.to_string(), priority.to_string())))
                    value=Signal::derive(move || fields.read().priority.map(|priority| priority.to_string()).unwrap_or_default())
                    set=move |value| fields.update(|fields| fields.priority = value.parse().ok())
                />
                <div class="field">
                    <label for="macro-tags">"Add tags"</label>
                    <input
                        id="macro-tags"
                        type="text"
                        placeholder="refund, billing"
                        autocomplete="off"
                        prop:value=move || draft.tags.get()
                        on:input=move |event| draft.tags.set(event_target_value(&event))
                    />
                </div>
                <ChoiceField
                    id="macro-assign"
                    label="Assignee"
                    options=leave_or([("self".to_owned(), "The agent applying it".to_owned())])
                    value=Signal::derive(move || if fields.read().assign_to_self { "self" } else { "" }.to_owned())
                    set=move |value| fields.update(|fields| fields.assign_to_self = value == "self")
                />
                <ChoiceField
                    id="macro-team"
                    label="Team"
                    options=leave_or(teams.into_iter().map(|team| (team.id.to_string(), team.name)))
                    value=Signal::derive(move || fields.read().team_id.map(|id| id.to_string()).unwrap_or_default())
                    set=move |value| fields.update(|fields| fields.team_id = value.parse().ok())
                />
            </div>
            <FormError message=action_error(save) />
            {move || saved().map(|note| view! { <p class="form__success" role="status">{note}</p> })}
            <div class="form-card__actions">
                <button class="button button--primary" type="submit" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save macro" }}
                </button>
            </div>
        </form>
    }
}

/// "Leave as it is" (the empty value) and then `options`.
fn leave_or(options: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Leave as it is".to_owned())).chain(options).collect()
}

/// One labelled choice of the editor, bound to the option values (`""` leaves a field as it is).
#[component]
pub(super) fn ChoiceField(
    #[prop(into)] id: String,
    label: &'static str,
    options: Vec<(String, String)>,
    value: Signal<String>,
    set: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |event| set(event_target_value(&event))>
                {options
                    .into_iter()
                    .map(|(option, text)| {
                        let current = option.clone();
                        view! { <option value=option selected=move || value.get() == current>{text}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
