//! Admin tools: knowledge base, team, channels and settings, for administrators only.

use super::{icons, status::StaffOnly};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminHome() -> impl IntoView {
    view! {
        <Title text="Admin" />
        <StaffOnly
            area="Admin"
            icon=icons::lock().into_any()
            purpose="Knowledge articles, team and roles, channels, SLA and routing, and the audit log."
        />
    }
}
