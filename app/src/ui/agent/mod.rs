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

use crate::{
    model::{Channel, TicketStatus},
    ui::status::on_demand,
};
use leptos::{LazyViewError, prelude::*};

fn status_badge(status: TicketStatus) -> impl IntoView {
    view! { <span class=format!("badge badge--{}", status.as_str())>{status.label()}</span> }
}

fn channel_chip(channel: Channel) -> impl IntoView {
    view! { <span class=format!("channel channel--{}", channel.as_str())>{channel.label()}</span> }
}

/// A composer button that opens a popover (macros, articles); the popover's code downloads the
/// first time it opens.
#[component]
fn PickerToggle<F, Loading>(
    label: &'static str,
    open: RwSignal<bool>,
    #[prop(optional)] controls: Option<&'static str>,
    popover: F,
) -> impl IntoView
where
    F: Fn() -> Loading + Clone + Send + Sync + 'static,
    Loading: Future<Output = Result<AnyView, LazyViewError>> + Send + 'static,
{
    view! {
        <div class="macro-picker">
            <button
                class="button button--quiet"
                type="button"
                aria-expanded=move || open.get().to_string()
                aria-controls=controls
                on:click=move |_| open.update(|open| *open = !*open)
            >
                {label}
            </button>
            <Show when=move || open.get()>{on_demand(popover.clone())}</Show>
        </div>
    }
}
