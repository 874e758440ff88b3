//! The customer beside every ticket: profile, identities, other tickets and latest activity
//! on every channel, help-center reading included — so nobody asks them again.

use super::{channel_chip, status_badge};
use crate::{
    model::{CustomerPanel, IdentityKind, Interaction, TicketSummary},
    ui::format::{ago, short_datetime},
};
use chrono::Utc;
use leptos::prelude::*;

#[component]
pub fn CustomerCard(panel: CustomerPanel) -> impl IntoView {
    let customer = panel.customer;
    let now = Utc::now();
    let attributes: Vec<(String, String)> = customer
        .attributes
        .into_iter()
        .map(|(key, value)| {
            let value = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            (key.replace('_', " "), value)
        })
        .collect();
    view! {
        <section class="panel customer-card" aria-labelledby="customer-heading">
            <h2 id="customer-heading" class="panel__title">
                {customer.display_name}
                <span class=format!("badge badge--quiet tier tier--{}", customer.tier)>{customer.tier.as_str()}</span>
            </h2>
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
                    .map(|(key, value)| view! {
                        <div>
                            <dt>{key}</dt>
                            <dd>{value}</dd>
                        </div>
                    })
                    .collect_view()}
            </dl>
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
            <p class="customer-card__entry-body">{entry.body}</p>
        </li>
    }
}
