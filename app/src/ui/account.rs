//! Signing in and out, and the signed-in user every page can read.

use super::forms::{FormError, ServerForm, action_error, server_call};
use crate::{
    api::auth::{SignIn, SignOut, sign_out, who_am_i},
    error::AppError,
    model::CurrentUser,
};
use leptos::{prelude::*, server_fn::ServerFn, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{
    NavigateOptions,
    components::{A, Redirect},
    hooks::{use_navigate, use_query_map},
};

/// Who is signed in, read again whenever someone signs in or out on this page.
///
/// The sign-in form's action lives on its own page: this context is in every page's download.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    changes: RwSignal<u32>,
}

impl Auth {
    /// Someone signed in or out: everything that shows the user reads it again.
    pub fn changed(&self) {
        self.changes.update(|count| *count += 1);
    }
}

pub fn provide_auth() {
    let changes = RwSignal::new(0);
    let user = Resource::new(move || changes.get(), |_| who_am_i());
    provide_context(Auth { user, changes });
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// The header's account corner: a sign-in link, or the user's name and a sign-out button.
#[component]
pub fn AccountMenu() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match auth.user.await {
                    Ok(Some(user)) => view! {
                        <div class="account">
                            {(!user.is_staff()).then(|| view! {
                                <A href="/requests" attr:class="account__requests">"My requests"</A>
                            })}
                            <A href="/account" attr:class="account__name" attr:title=user.email.clone()>
                                {user.display_name}
                            </A>
                            // A plain form rather than `ActionForm`: sign-out sends no fields, and
                            // this header is in every page's download, where the form decoder
                            // `ActionForm` brings would be dead weight. Without the WASM the
                            // browser posts it, and the server sends the reader back.
                            <form
                                method="post"
                                action=SignOut::url()
                                on:submit=move |event| {
                                    event.prevent_default();
                                    spawn_local(async move {
                                        let _ = sign_out().await;
                                        auth.changed();
                                    });
                                }
                            >
                                <button class="button button--quiet" type="submit">"Sign out"</button>
                            </form>
                        </div>
                    }
                    .into_any(),
                    _ => view! { <A href="/sign-in" attr:class="button button--quiet">"Sign in"</A> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Where a user lands after signing in when no page asked for them.
fn home_of(user: &CurrentUser) -> &'static str {
    if user.is_staff() { "/agent" } else { "/" }
}

/// Only same-site paths are followed after sign-in, never another origin.
fn safe_next(next: Option<String>) -> Option<String> {
    next.filter(|path| path.starts_with('/') && !path.starts_with("//") && !path.contains('\\'))
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let auth = use_auth();
    let attempt = server_call::<SignIn>();
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next"));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(user)) = attempt.value().get() {
            auth.changed();
            let destination = next().unwrap_or_else(|| home_of(&user).to_owned());
            navigate(&destination, NavigateOptions::default());
        }
    });

    view! {
        <Title text="Sign in" />
        <div class="page page--form">
            <section class="form-card" aria-labelledby="sign-in-heading">
                <h1 id="sign-in-heading" class="page__title">"Sign in"</h1>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match auth.user.await {
                            Ok(Some(user)) => view! {
                                <p class="form-card__note">
                                    "You are signed in as " <strong>{user.display_name.clone()}</strong> "."
                                </p>
                                <p class="form-card__actions">
                                    <A href=home_of(&user) attr:class="button button--primary">"Continue"</A>
                                </p>
                            }
                            .into_any(),
                            _ => view! {
                                <ServerForm action=attempt class="form">
                                    <div class="field">
                                        <label for="email">"Email"</label>
                                        <input id="email" name="email" type="email" autocomplete="username" required />
                                    </div>
                                    <div class="field">
                                        <label for="password">"Password"</label>
                                        <input
                                            id="password"
                                            name="password"
                                            type="password"
                                            autocomplete="current-password"
                                            required
                                        />
                                    </div>
                                    <FormError message=action_error(attempt) />
                                    <button class="button button--primary button--wide" type="submit">
                                        {move || if attempt.pending().get() { "Signing in…" } else { "Sign in" }}
                                    </button>
                                </ServerForm>
                                <p class="form-card__links">
                                    <A href="/forgot-password">"Forgot your password?"</A>
                                    <A href="/register">"Create an account"</A>
                                </p>
                            }
                            .into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// What a protected page shows instead of itself: the way to sign in, or why not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    SignIn,
    Forbidden,
}

/// Renders `page` for users allowed by `allowed`; sends anonymous visitors to sign in (and
/// back to `here` afterwards) and tells everyone else the page is not for their account.
#[component]
pub fn Protected<F, V>(
    here: &'static str,
    allowed: fn(&CurrentUser) -> bool,
    page: F,
) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Send + Sync + Copy + 'static,
    V: IntoView + 'static,
{
    let auth = use_auth();
    view! {
        <Suspense fallback=|| view! { <super::status::ListSkeleton rows=4 /> }>
            {move || Suspend::new(async move {
                let gate = match auth.user.await {
                    Ok(Some(user)) if allowed(&user) => return page(user).into_any(),
                    Ok(Some(_)) => Gate::Forbidden,
                    _ => Gate::SignIn,
                };
                match gate {
                    Gate::SignIn => view! {
                        <Redirect path=format!("/sign-in?next={here}") />
                    }
                    .into_any(),
                    Gate::Forbidden => view! {
                        <div class="page page--narrow">
                            <super::status::ErrorPanel error=AppError::Forbidden />
                        </div>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}
