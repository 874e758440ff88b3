//! The agent workspace. Its inbox is for signed-in staff only, so an anonymous visitor is
//! shown what the area is and that it needs a staff account, never any ticket data.

use super::{icons, status::StaffOnly};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AgentWorkspace() -> impl IntoView {
    view! {
        <Title text="Agent workspace" />
        <StaffOnly
            area="Agent workspace"
            icon=icons::inbox().into_any()
            purpose="One inbox for every channel, each ticket beside the customer’s whole history."
        />
    }
}
