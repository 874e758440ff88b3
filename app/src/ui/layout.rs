//! The frame around every page: header with the area switcher, search and theme, and footer.

use super::{
    BRAND,
    account::{AccountMenu, use_auth},
    icons,
    portal::SearchBox,
};
use crate::model::Role;
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

/// Shows that the next page is on its way. Drawn by CSS: the router's own progress bar drives a
/// number from a timer, code (float formatting included) that every page would download.
#[component]
pub fn RoutingBar(is_routing: ReadSignal<bool>) -> impl IntoView {
    view! { <div class="routing-bar" class:routing-bar--active=move || is_routing.get() aria-hidden="true"></div> }
}

#[component]
pub fn TopBar() -> impl IntoView {
    let location = use_location();
    let auth = use_auth();
    // Portal pages carry the help-center search in the header, except the home page, whose
    // hero is one big search box; staff areas have their own tools.
    let header_search = move || {
        let path = location.pathname.get();
        !(path == "/" || path.starts_with("/agent") || path.starts_with("/admin"))
    };

    view! {
        <header class="topbar">
            <div class="topbar__inner">
                <A href="/" attr:class="brand">
                    {icons::logo()}
                    <span class="brand__name">{BRAND}</span>
                </A>
                // Hidden rather than removed: one box, hydrated with the page, keeps following
                // the URL's query through every client-side navigation.
                <div class="topbar__search" hidden=move || !header_search()>
                    <SearchBox id="header-search" large=false />
                </div>
                <nav class="areas" aria-label="Areas">
                    <A href="/" exact=true attr:class="areas__link">
                        "Help center"
                    </A>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let user = auth.user.await.ok().flatten();
                            // Customers see only their help center; staff see the areas their
                            // role opens; a visitor sees every door, each leading to sign-in.
                            let (workspace, admin) = match &user {
                                None => (true, true),
                                Some(user) => (user.is_staff(), user.role == Role::Admin),
                            };
                            // Staff who write articles without being admins reach that one page.
                            let articles = user.as_ref().is_some_and(|user| user.edits_articles && !admin);
                            view! {
                                {workspace.then(|| view! {
                                    <A href="/agent" attr:class="areas__link">"Agent workspace"</A>
                                })}
                                {admin.then(|| view! {
                                    <A href="/admin" attr:class="areas__link">"Admin"</A>
                                })}
                                {articles.then(|| view! {
                                    <A href="/admin/articles" attr:class="areas__link">"Articles"</A>
                                })}
                            }
                        })}
                    </Transition>
                </nav>
                <ThemeToggle />
                <AccountMenu />
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="footer">
            <p>"© Northwind Supply · Support available Monday to Friday, 8:00–18:00 CET"</p>
        </footer>
    }
}

/// Cycles system → light → dark; the choice is kept in `localStorage` and applied before
/// paint by the inline script in the document head.
#[component]
fn ThemeToggle() -> impl IntoView {
    let (theme, set_theme) = signal(String::from("system"));
    Effect::new(move |_| {
        if let Some(saved) = stored_theme() {
            set_theme.set(saved);
        }
    });
    let cycle = move |_| {
        let next = match theme.get_untracked().as_str() {
            "system" => "light",
            "light" => "dark",
            _ => "system",
        };
        apply_theme(next);
        set_theme.set(next.to_owned());
    };
    let label = move || format!("Theme: {}", theme.get());

    view! {
        <button class="icon-button" type="button" on:click=cycle title=label aria-label=label>
            {icons::theme()}
        </button>
    }
}

fn stored_theme() -> Option<String> {
    window().local_storage().ok().flatten()?.get_item("theme").ok().flatten()
}

fn apply_theme(theme: &str) {
    let root = document().document_element();
    let storage = window().local_storage().ok().flatten();
    if theme == "system" {
        if let Some(root) = root {
            let _ = root.remove_attribute("data-theme");
        }
        if let Some(storage) = storage {
            let _ = storage.remove_item("theme");
        }
    } else {
        if let Some(root) = root {
            let _ = root.set_attribute("data-theme", theme);
        }
        if let Some(storage) = storage {
            let _ = storage.set_item("theme", theme);
        }
    }
}
