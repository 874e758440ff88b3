//! Logging a phone call the agent had outside the telephony integration: it joins the
//! conversation as a call entry like those the phone system reports.

use crate::{
    api::agent::LogCall,
    model::{CallDirection, Identity, IdentityKind},
    ui::forms::{FormError, ServerCall, action_error},
};
use leptos::prelude::*;

/// The call being logged: kept by the page while the ticket around it reloads.
#[derive(Clone, Copy)]
pub(super) struct CallDraft {
    open: RwSignal<bool>,
    direction: RwSignal<CallDirection>,
    /// `None` until the agent edits it: the customer's number is offered.
    number: RwSignal<Option<String>>,
    minutes: RwSignal<String>,
    outcome: RwSignal<String>,
    notes: RwSignal<String>,
}

impl CallDraft {
    pub(super) fn new() -> Self {
        Self {
            open: RwSignal::new(false),
            direction: RwSignal::new(CallDirection::Outbound),
            number: RwSignal::new(None),
            minutes: RwSignal::new(String::new()),
            outcome: RwSignal::new(String::new()),
            notes: RwSignal::new(String::new()),
        }
    }

    /// Empties the form once the call is in the conversation.
    pub(super) fn clear(self) {
        self.open.set(false);
        self.number.set(None);
        self.minutes.set(String::new());
        self.outcome.set(String::new());
        self.notes.set(String::new());
    }
}

/// A folded form under the composer; the customer's phone number is filled in.
#[component]
pub(super) fn CallLog(ticket_id: i64, identities: Vec<Identity>, action: ServerCall<LogCall>, draft: CallDraft) -> impl IntoView {
    let known = identities
        .iter()
        .find(|identity| matches!(identity.kind, IdentityKind::Phone | IdentityKind::Whatsapp))
        .map(|identity| identity.value.clone())
        .unwrap_or_default();
    let number = move || draft.number.get().unwrap_or_else(|| known.clone());
    let submit = {
        let number = number.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            action.dispatch(LogCall {
                ticket_id,
                direction: draft.direction.get_untracked(),
                number: number(),
                minutes: draft.minutes.get_untracked().trim().parse().unwrap_or(0),
                outcome: draft.outcome.get_untracked(),
                notes: draft.notes.get_untracked(),
            });
        }
    };
    let direction = |value: CallDirection, label: &'static str| {
        view! {
            <label class="composer__mode">
                <input
                    type="radio"
                    name="call-direction"
                    checked=move || draft.direction.get() == value
                    on:change=move |_| draft.direction.set(value)
                />
                {label}
            </label>
        }
    };
    view! {
        <details class="call-log" prop:open=move || draft.open.get() on:toggle=move |event| {
            draft.open.set(event_target::<web_sys::HtmlDetailsElement>(&event).open());
        }>
            <summary class="call-log__summary">"Log a phone call"</summary>
            <form class="call-log__form" on:submit=submit aria-label="Log a phone call">
                <fieldset class="composer__modes">
                    <legend class="visually-hidden">"Who called"</legend>
                    {direction(CallDirection::Outbound, "We called the customer")}
                    {direction(CallDirection::Inbound, "The customer called")}
                </fieldset>
                <div class="call-log__facts">
                    <div class="field">
                        <label for="call-number">"Phone number"</label>
                        <input
                            id="call-number"
                            type="tel"
                            required
                            autocomplete="off"
                            placeholder="+44 7911 123456"
                            prop:value=number
                            on:input=move |event| draft.number.set(Some(event_target_value(&event)))
                        />
                    </div>
                    <div class="field">
                        <label for="call-minutes">"Minutes"</label>
                        <input
                            id="call-minutes"
                            type="number"
                            inputmode="numeric"
                            min="0"
                            max="1440"
                            required
                            prop:value=move || draft.minutes.get()
                            on:input=move |event| draft.minutes.set(event_target_value(&event))
                        />
                    </div>
                    <div class="field">
                        <label for="call-outcome">"Outcome"</label>
                        <input
                            id="call-outcome"
                            type="text"
                            maxlength="100"
                            placeholder="Resolved, call back tomorrow…"
                            prop:value=move || draft.outcome.get()
                            on:input=move |event| draft.outcome.set(event_target_value(&event))
                        />
                    </div>
                </div>
                <div class="field">
                    <label for="call-notes">"What was said"</label>
                    <textarea
                        id="call-notes"
                        rows="3"
                        prop:value=move || draft.notes.get()
                        on:input=move |event| draft.notes.set(event_target_value(&event))
                    ></textarea>
                </div>
                <FormError message=action_error(action) />
                <div class="composer__actions">
                    <button class="button" type="submit" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Logging…" } else { "Log call" }}
                    </button>
                </div>
            </form>
        </details>
    }
}
