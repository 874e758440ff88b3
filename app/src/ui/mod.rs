//! Pages and components, grouped by area of the product.

mod account;
mod admin;
mod agent;
mod attachments;
mod contact;
mod feedback;
mod format;
mod forms;
mod history;
mod icons;
mod layout;
mod onboarding;
mod portal;
mod requests;
mod settings;
mod status;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes, RoutingProgress},
    path,
};
use std::time::Duration;

/// The product's name as the customer sees it in titles and the header.
pub const BRAND: &str = "Northwind Help Center";

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::ctx::content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // Applies a saved theme before first paint, so a dark-mode reader never sees a flash.
                <script nonce=use_nonce()>
                    "try{var t=localStorage.getItem('theme');if(t)document.documentElement.dataset.theme=t}catch(e){}"
                </script>
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    account::provide_auth();
    let (is_routing, set_is_routing) = signal(false);

    view! {
        <Stylesheet id="leptos" href="/pkg/helpdesk.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { BRAND.to_owned() } else { format!("{page} · {BRAND}") }
        } />
        <Router set_is_routing>
            <div class="routing-progress">
                <RoutingProgress is_routing max_time=Duration::from_millis(400) />
            </div>
            // External to the router, so the browser's own fragment navigation moves focus.
            <a class="skip-link" href="#main" rel="external">
                "Skip to content"
            </a>
            <layout::TopBar />
            <main id="main" class="main" tabindex="-1">
                <Routes fallback=|| view! { <status::NotFound /> }>
                    // In order: the content is in the HTML where it belongs, readable before
                    // (or without) the WASM, instead of streamed in for a script to place.
                    <Route path=path!("") view=portal::PortalHome ssr=SsrMode::InOrder />
                    <Route path=path!("search") view=portal::SearchPage ssr=SsrMode::InOrder />
                    <Route
                        path=path!("articles/:slug")
                        view=portal::ArticlePage
                        // Waits for the article so a missing one can answer 404, not 200.
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("categories/:slug")
                        view=portal::CategoryPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("contact") view=contact::ContactPage />
                    <Route path=path!("sign-in") view=account::SignInPage />
                    <Route path=path!("register") view=onboarding::RegisterPage />
                    <Route path=path!("verify-email") view=onboarding::VerifyEmailPage />
                    <Route path=path!("forgot-password") view=onboarding::ForgotPasswordPage />
                    <Route path=path!("reset-password") view=onboarding::ResetPasswordPage />
                    // Async, so a redirect to sign in is a real 302 on the first request.
                    <Route path=path!("requests") view=requests::MyRequestsPage ssr=SsrMode::Async />
                    <Route path=path!("requests/:id") view=requests::RequestPage ssr=SsrMode::Async />
                    <Route path=path!("history") view=history::HistoryPage ssr=SsrMode::Async />
                    <Route path=path!("account") view=settings::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("agent") view=agent::AgentWorkspace ssr=SsrMode::Async />
                    <Route path=path!("agent/tickets/:id") view=agent::AgentTicketPage ssr=SsrMode::Async />
                    <Route path=path!("admin") view=admin::AdminHome ssr=SsrMode::Async />
                    <Route path=path!("admin/teams") view=admin::TeamsAdmin ssr=SsrMode::Async />
                    <Route path=path!("admin/macros") view=admin::MacrosAdmin ssr=SsrMode::Async />
                </Routes>
            </main>
            <layout::Footer />
        </Router>
    }
}
