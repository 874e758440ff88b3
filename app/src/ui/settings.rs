//! The account page, for every signed-in user: who they are, their password, and where their
//! account is signed in.

use super::{
    account::Protected,
    format::{long_date, short_datetime},
    forms::{Field, FormError, ServerCall, ServerForm, SubmitButton, action_error, server_call},
    status::{ErrorPanel, ListSkeleton},
};
use crate::{
    api::account::{
        CancelAccountErasure, ChangePassword, RequestAccountErasure, SignOutOtherDevices, my_account,
    },
    error::AppError,
    model::{AccountOverview, Role, SignInRecord},
};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let change_password = server_call::<ChangePassword>();
    let sign_out_others = server_call::<SignOutOtherDevices>();
    let erasure = Erasure { request: server_call(), cancel: server_call() };
    // Created with the page rather than inside the sign-in gate, so the server render and
    // the hydrating client create it in the same place and agree on its data.
    let overview = Resource::new(
        move || {
            (
                change_password.version().get(),
                sign_out_others.version().get(),
                erasure.request.version().get() + erasure.cancel.version().get(),
            )
        },
        |_| my_account(),
    );
    view! {
        <Title text="Your account" />
        <Protected
            here="/account"
            allowed=|_| true
            page=move |_| view! { <AccountSettings overview change_password sign_out_others erasure /> }
        />
    }
}

#[component]
fn AccountSettings(
    overview: Resource<Result<AccountOverview, AppError>>,
    change_password: ServerCall<ChangePassword>,
    sign_out_others: ServerCall<SignOutOtherDevices>,
    erasure: Erasure,
) -> impl IntoView {
    let password_changed = move || matches!(change_password.value().get(), Some(Ok(())));
    let others_signed_out = move || matches!(sign_out_others.value().get(), Some(Ok(())));

    view! {
        <div class="page page--narrow settings">
            <h1 class="page__title">"Your account"</h1>
            <Transition fallback=|| view! { <ListSkeleton rows=3 /> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => view! { <Overview overview /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>

            <section class="card settings__section" aria-labelledby="password-heading">
                <h2 id="password-heading" class="section__title">"Password"</h2>
                <p class="settings__note">"Changing it signs out every other device that uses your account."</p>
                <ServerForm action=change_password class="form">
                    <Field id="current_password" label="Current password" kind="password" autocomplete="current-password" />
                    <Field
                        id="new_password"
                        label="New password"
                        kind="password"
                        autocomplete="new-password"
                        hint="At least 10 characters."
                    />
                    <FormError message=action_error(change_password) />
                    <Show when=password_changed>
                        <p class="form__success" role="status">"Password changed. Other devices have been signed out."</p>
                    </Show>
                    <SubmitButton pending=change_password.pending() label="Change password" busy="Saving…" />
                </ServerForm>
            </section>

            <section class="card settings__section" aria-labelledby="devices-heading">
                <h2 id="devices-heading" class="section__title">"Devices"</h2>
                <p class="settings__note">
                    "Lost a phone, or signed in on a shared computer? Sign out everywhere except here."
                </p>
                <ServerForm action=sign_out_others>
                    <FormError message=action_error(sign_out_others) />
                    <Show when=others_signed_out>
                        <p class="form__success" role="status">"Every other device has been signed out."</p>
                    </Show>
                    <button class="button" type="submit">"Sign out other devices"</button>
                </ServerForm>
            </section>

            // Last: the one section whose main action cannot be taken back.
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    overview.await.ok().filter(|overview| overview.user.role == Role::Customer).map(|overview| {
                        view! { <YourData pending=overview.pending_erasure erasure /> }
                    })
                })}
            </Transition>
        </div>
    }
}

/// Asking for the account to be erased, and changing one's mind.
#[derive(Clone, Copy)]
struct Erasure {
    request: ServerCall<RequestAccountErasure>,
    cancel: ServerCall<CancelAccountErasure>,
}

/// A customer's copy of their data, and erasure of it.
#[component]
fn YourData(pending: Option<DateTime<Utc>>, erasure: Erasure) -> impl IntoView {
    view! {
        <section class="card settings__section" aria-labelledby="data-heading">
            <h2 id="data-heading" class="section__title">"Your data"</h2>
            <p class="settings__note">
                "Everything we hold about you — requests, messages on every channel, your history — in one JSON file."
            </p>
            <p>
                <a class="button" href="/account/export" rel="external" download="my-northwind-data.json">
                    "Download my data"
                </a>
            </p>
            {match pending {
                Some(at) => view! {
                    <p class="notice" role="status">
                        "Your account and history will be erased on " <strong>{long_date(at)}</strong>
                        ". Until then you can change your mind."
                    </p>
                    <ServerForm action=erasure.cancel>
                        <FormError message=action_error(erasure.cancel) />
                        <button class="button" type="submit">"Keep my account"</button>
                    </ServerForm>
                }
                .into_any(),
                None => view! {
                    <h3 class="settings__subheading">"Erase my account"</h3>
                    <p class="settings__note">
                        "We erase your account, your contact details and everything you wrote after a grace period, \
                         and cannot undo it after that. Confirm with your password."
                    </p>
                    <ServerForm action=erasure.request class="form">
                        <Field id="password" label="Password" kind="password" autocomplete="current-password" />
                        <FormError message=action_error(erasure.request) />
                        <button class="button button--danger" type="submit" disabled=move || erasure.request.pending().get()>
                            "Erase my account"
                        </button>
                    </ServerForm>
                }
                .into_any(),
            }}
        </section>
    }
}

#[component]
fn Overview(overview: AccountOverview) -> impl IntoView {
    let user = overview.user;
    let email_status = if user.email_verified {
        view! { <span class="badge badge--solved">"Confirmed"</span> }.into_any()
    } else {
        view! {
            <span class="badge badge--pending">"Not confirmed"</span>
            <span class="settings__note">" Open the link we emailed you to see your requests here."</span>
        }
        .into_any()
    };
    view! {
        <section class="card settings__section" aria-labelledby="profile-heading">
            <h2 id="profile-heading" class="section__title">"Profile"</h2>
            <dl class="facts">
                <dt>"Name"</dt>
                <dd>{user.display_name}</dd>
                <dt>"Email"</dt>
                <dd>{user.email} " " {email_status}</dd>
                <dt>"Role"</dt>
                <dd>{user.role.label()}</dd>
            </dl>
        </section>
        <section class="card settings__section" aria-labelledby="sign-ins-heading">
            <h2 id="sign-ins-heading" class="section__title">"Recent sign-ins"</h2>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"From"</th>
                        <th scope="col">"Result"</th>
                    </tr>
                </thead>
                <tbody>{overview.recent_sign_ins.into_iter().map(sign_in_row).collect_view()}</tbody>
            </table>
        </section>
    }
}

fn sign_in_row(record: SignInRecord) -> impl IntoView {
    let (class, result) =
        if record.succeeded { ("badge badge--solved", "Signed in") } else { ("badge badge--open", "Wrong password") };
    view! {
        <tr>
            <td>
                <time datetime=record.at.to_rfc3339()>{short_datetime(record.at)}</time>
            </td>
            <td>{record.address}</td>
            <td>
                <span class=class>{result}</span>
            </td>
        </tr>
    }
}
