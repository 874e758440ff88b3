//! What a page shows when something is missing, failing or still loading.

use crate::error::AppError;
use leptos::{LazyViewError, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_location};

/// Sets the HTTP status of the server-rendered response. Only the first render of a page can
/// do this; after hydration, navigation happens in the browser and has no status line.
fn set_status(_code: u16) {
    #[cfg(feature = "ssr")]
    crate::server::ctx::set_status(_code);
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Page not found" />
        <div class="page page--narrow status-page">
            <p class="status-page__code">"404"</p>
            <h1 class="page__title">"We can’t find that page"</h1>
            <p>"The link may be old, or the page may have moved."</p>
            <p class="status-page__actions">
                <A href="/" attr:class="button button--primary">"Go to the help center"</A>
                <A href="/search" attr:class="button">"Search articles"</A>
            </p>
        </div>
    }
}

/// A failed load, explained in the user's terms, with a way forward.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    set_status(error.status_code());
    let heading = match &error {
        AppError::NotFound => "We can’t find that",
        AppError::Invalid(_) | AppError::Conflict(_) | AppError::WrongCredentials => {
            "Please check your request"
        }
        AppError::NotSignedIn => "Please sign in",
        AppError::Forbidden | AppError::Restricted(_) => "This is not available to your account",
        AppError::TooManyAttempts(_) => "Too many attempts",
        AppError::Unavailable | AppError::Transport(_) => "We can’t reach the help center right now",
        AppError::Internal => "Something went wrong",
    };
    view! {
        <Title text=heading />
        <div class="error-panel" role="alert">
            <h1 class="error-panel__title">{heading}</h1>
            <p>{error.to_string()}</p>
            <p class="status-page__actions">
                <A href="/" attr:class="button">"Back to the help center"</A>
            </p>
        </div>
    }
}

/// A page whose code could not be fetched (a lost connection mid-navigation): the way forward is
/// a full load of the same address, which the server renders whole.
#[component]
pub fn PageLoadFailed() -> impl IntoView {
    let location = use_location();
    let here = move || format!("{}{}", location.pathname.get(), location.search.get());
    view! {
        <Title text="This page didn’t load" />
        <div class="error-panel" role="alert">
            <h1 class="error-panel__title">"This page didn’t load"</h1>
            <p>"Part of the page could not be downloaded. Check your connection, then try again."</p>
            <p class="status-page__actions">
                <a href=here class="button button--primary" rel="external">"Try again"</a>
                <A href="/" attr:class="button">"Back to the help center"</A>
            </p>
        </div>
    }
}

/// A part of a page whose code downloads the first time it is shown, the view of a `#[lazy]`
/// function (a picker, a form behind a button): nothing shows while it arrives, and a failed
/// download says so in place rather than taking the page down.
pub fn on_demand<F>(load: impl Fn() -> F + Send + Sync + 'static) -> impl IntoView
where
    F: Future<Output = Result<AnyView, LazyViewError>> + Send + 'static,
{
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let loading = load();
                Suspend::new(async move {
                    loading.await.unwrap_or_else(|_| {
                        view! {
                            <p class="form__error" role="alert">
                                "This part of the page did not download. Check your connection, then try again."
                            </p>
                        }
                        .into_any()
                    })
                })
            }}
        </Suspense>
    }
}

/// Placeholder rows shaped like the content that is coming, so nothing jumps when it arrives.
#[component]
pub fn ListSkeleton(rows: usize) -> impl IntoView {
    view! {
        <div class="skeleton" aria-busy="true" aria-label="Loading">
            {(0..rows).map(|_| view! { <div class="skeleton__row"></div> }).collect_view()}
        </div>
    }
}
