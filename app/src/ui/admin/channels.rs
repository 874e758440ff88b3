//! Channels as admins connect them: the IMAP mailboxes the server polls for email, and the
//! keys other systems use for the REST API and the inbound endpoints.

use super::{AdminFrame, AdminSection};
use crate::{
    api::admin::{AddMailbox, CreateApiKey, RemoveMailbox, RevokeApiKey, api_key_list, mailbox_list},
    error::AppError,
    model::{ApiKey, ApiScope, MailboxStatus},
    ui::{
        format::{long_date, short_datetime},
        forms::{Field, FormError, ServerCall, ServerForm, SubmitButton, action_error, server_call},
        status::{ErrorPanel, ListSkeleton},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ChannelsAdmin() -> impl IntoView {
    view! {
        <Title text="Channels" />
        <AdminFrame section=AdminSection::Channels page=|_| view! {
            <p class="page__lead">
                "Connect the mailboxes customers write to, and give other systems (your phone system, an SMS "
                "gateway, your shop) keys for the API. Webhooks for Twilio and Meta are set up with their "
                "secrets in the server's configuration."
            </p>
            <Mailboxes />
            <ApiKeys />
        } />
    }
}

#[component]
fn Mailboxes() -> impl IntoView {
    let add = server_call::<AddMailbox>();
    let remove = server_call::<RemoveMailbox>();
    let list = Resource::new(move || (add.version().get(), remove.version().get()), |_| mailbox_list());
    // The usual port follows the security chosen, until the admin types another.
    let port = RwSignal::new("993".to_owned());
    view! {
        <div class="admin__grid admin__section">
            <section class="card" aria-labelledby="new-mailbox-heading">
                <h2 id="new-mailbox-heading" class="section__title">"Connect a mailbox"</h2>
                <ServerForm action=add class="form">
                    <Field id="name" label="Name" kind="text" autocomplete="off" hint="Shown to admins only, e.g. Support inbox." />
                    <Field id="host" label="IMAP server" kind="text" autocomplete="off" />
                    <div class="field">
                        <label for="security">"Security"</label>
                        <select id="security" name="security" on:change=move |event| {
                            port.set(if event_target_value(&event) == "tls" { "993" } else { "143" }.to_owned());
                        }>
                            <option value="tls">"TLS (port 993)"</option>
                            <option value="starttls">"STARTTLS (port 143)"</option>
                            <option value="none">"None (local network only)"</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="port">"Port"</label>
                        <input
                            id="port"
                            name="port"
                            type="number"
                            min="1"
                            max="65535"
                            required
                            prop:value=move || port.get()
                            on:input=move |event| port.set(event_target_value(&event))
                        />
                    </div>
                    <Field id="username" label="User name" kind="text" autocomplete="off" />
                    <Field
                        id="password"
                        label="Password"
                        kind="password"
                        autocomplete="new-password"
                        hint="Kept encrypted with this server's key and never shown again."
                    />
                    <div class="field">
                        <label for="folder">"Folder"</label>
                        <input id="folder" name="folder" type="text" value="INBOX" required />
                    </div>
                    <FormError message=action_error(add) />
                    <SubmitButton pending=add.pending() label="Connect mailbox" busy="Connecting…" />
                </ServerForm>
            </section>
            {listing("Mailboxes", action_error(remove), list, move |mailbox| mailbox_row(mailbox, remove).into_any(), "No mailbox yet. Email still arrives through the inbound endpoint if your mail server pipes it there.")}
        </div>
    }
}

/// A card of what `list` holds, a row each; `empty` when there is nothing, and the last
/// removal's refusal above.
fn listing<T>(
    title: &'static str,
    refused: Signal<Option<String>>,
    list: Resource<Result<Vec<T>, AppError>>,
    row: impl Fn(T) -> AnyView + Copy + Send + Sync + 'static,
    empty: &'static str,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    view! {
        <section class="card" aria-label=title>
            <h2 class="section__title">{title}</h2>
            <FormError message=refused />
            <Transition fallback=|| view! { <ListSkeleton rows=2 /> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => view! { <p class="panel__empty">{empty}</p> }.into_any(),
                        Ok(items) => view! { <ul class="integration-list">{items.into_iter().map(row).collect_view()}</ul> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn mailbox_row(mailbox: MailboxStatus, remove: ServerCall<RemoveMailbox>) -> impl IntoView {
    let (state_class, state) = match (&mailbox.last_error, mailbox.last_polled_at) {
        (Some(error), _) => ("integration__state integration__state--failing", format!("Failing: {error}")),
        (None, Some(at)) => ("integration__state", format!("Last checked {}", short_datetime(at))),
        (None, None) => ("integration__state", "Not checked yet".to_owned()),
    };
    let label = format!("Disconnect {}", mailbox.name);
    view! {
        <li class="integration">
            <div class="integration__main">
                <p class="integration__name">{mailbox.name}</p>
                <p class="integration__detail">
                    {format!("{} at {}:{} ({}), folder {}", mailbox.username, mailbox.host, mailbox.port, mailbox.security, mailbox.folder)}
                </p>
                <p class=state_class>{state}</p>
                {(mailbox.quarantined > 0).then(|| view! {
                    <p class="integration__state integration__state--failing">
                        {format!("{} message(s) could not be recorded and are kept aside", mailbox.quarantined)}
                    </p>
                })}
            </div>
            <ServerForm action=remove class="team-card__inline">
                <input type="hidden" name="mailbox_id" value=mailbox.id />
                <button class="button button--quiet" type="submit" aria-label=label>"Disconnect"</button>
            </ServerForm>
        </li>
    }
}

#[component]
fn ApiKeys() -> impl IntoView {
    let create = server_call::<CreateApiKey>();
    let revoke = server_call::<RevokeApiKey>();
    let list = Resource::new(move || (create.version().get(), revoke.version().get()), |_| api_key_list());
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec![ApiScope::MessagesWrite]);
    let rate = RwSignal::new("600".to_owned());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        create.dispatch(CreateApiKey {
            name: name.get_untracked(),
            scopes: scopes.get_untracked(),
            rate_per_minute: rate.get_untracked().trim().parse().unwrap_or(0),
        });
    };
    let created = move || match create.value().get() {
        Some(Ok(created)) => Some(view! {
            <div class="secret" role="status">
                <label for="new-key">{format!("Key “{}”: copy it now, it is not shown again.", created.key.name)}</label>
                <input id="new-key" type="text" readonly value=created.secret on:focus=move |event| {
                    event_target::<web_sys::HtmlInputElement>(&event).select();
                } />
            </div>
        }),
        _ => None,
    };
    view! {
        <div class="admin__grid admin__section">
            <section class="card" aria-labelledby="new-key-heading">
                <h2 id="new-key-heading" class="section__title">"Create an API key"</h2>
                <form class="form" on:submit=submit>
                    <div class="field">
                        <label for="key-name">"Name"</label>
                        <input
                            id="key-name"
                            type="text"
                            required
                            autocomplete="off"
                            placeholder="Phone system"
                            on:input=move |event| name.set(event_target_value(&event))
                        />
                    </div>
                    <fieldset class="scopes">
                        <legend>"What it may do"</legend>
                        {ApiScope::ALL
                            .iter()
                            .map(|&scope| view! {
                                <label class="scopes__option">
                                    <input
                                        type="checkbox"
                                        checked=move || scopes.read().contains(&scope)
                                        on:change=move |_| scopes.update(|chosen| match chosen.iter().position(|s| *s == scope) {
                                            Some(at) => {
                                                chosen.remove(at);
                                            }
                                            None => chosen.push(scope),
                                        })
                                    />
                                    <span>{scope.label()}</span>
                                    <code>{scope.as_str()}</code>
                                </label>
                            })
                            .collect_view()}
                    </fieldset>
                    <div class="field">
                        <label for="key-rate">"Requests a minute"</label>
                        <input
                            id="key-rate"
                            type="number"
                            min="1"
                            max="100000"
                            required
                            prop:value=move || rate.get()
                            on:input=move |event| rate.set(event_target_value(&event))
                        />
                    </div>
                    <FormError message=action_error(create) />
                    {created}
                    <SubmitButton pending=create.pending() label="Create key" busy="Creating…" />
                </form>
            </section>
            {listing("API keys", action_error(revoke), list, move |key| key_row(key, revoke).into_any(), "No API keys yet. Create one for each system that talks to the helpdesk.")}
        </div>
    }
}

fn key_row(key: ApiKey, revoke: ServerCall<RevokeApiKey>) -> impl IntoView {
    let scopes = key.scopes.iter().map(|scope| scope.as_str()).collect::<Vec<_>>().join(", ");
    let used = match key.last_used_at {
        Some(at) => format!("last used {}", short_datetime(at)),
        None => "never used".to_owned(),
    };
    let label = format!("Revoke {}", key.name);
    view! {
        <li class="integration" class:integration--revoked=key.revoked_at.is_some()>
            <div class="integration__main">
                <p class="integration__name">
                    {key.name}
                    {key.revoked_at.map(|_| view! { <span class="badge badge--quiet">"Revoked"</span> })}
                </p>
                <p class="integration__detail"><code>{format!("hd_{}_…", key.prefix)}</code> " · " {scopes}</p>
                <p class="integration__state">
                    {format!("{} a minute · created {} · {used}", key.rate_per_minute, long_date(key.created_at))}
                </p>
            </div>
            {key.revoked_at.is_none().then(|| view! {
                <ServerForm action=revoke class="team-card__inline">
                    <input type="hidden" name="key_id" value=key.id />
                    <button class="button button--quiet" type="submit" aria-label=label>"Revoke"</button>
                </ServerForm>
            })}
        </li>
    }
}
