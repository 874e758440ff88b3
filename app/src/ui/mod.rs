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

use leptos::{LazyViewError, lazy, prelude::*};
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute, SsrMode,
    components::{Route, Router, Routes},
    lazy_route, path,
};

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

/// Every page is split into its own WASM chunk, fetched on its first visit, so a customer
/// landing from a search engine downloads only the code that renders what they came to read.
macro_rules! lazy_pages {
    ($($route:ident => $page:path,)*) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                $page().into_any()
            }
        }
    )*};
}

/// The help center's pages share one chunk, not one each: they share most of their code, so
/// one download serves a reader moving between search, articles and categories, and the shell
/// every other page loads first carries none of it.
#[derive(Clone, Copy)]
enum HelpCenterPage {
    Home,
    Search,
    Article,
    Category,
}

#[lazy(fallible)]
fn help_center_page(page: HelpCenterPage) -> Result<AnyView, LazyViewError> {
    Ok(match page {
        HelpCenterPage::Home => portal::PortalHome().into_any(),
        HelpCenterPage::Search => portal::SearchPage().into_any(),
        HelpCenterPage::Article => portal::ArticlePage().into_any(),
        HelpCenterPage::Category => portal::CategoryPage().into_any(),
    })
}

macro_rules! help_center_routes {
    ($($route:ident => $page:ident,)*) => {$(
        struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                help_center_page(HelpCenterPage::$page).await.into_any()
            }
        }
    )*};
}

help_center_routes! {
    HomeRoute => Home,
    SearchRoute => Search,
    ArticleRoute => Article,
    CategoryRoute => Category,
}

lazy_pages! {
    ContactRoute => contact::ContactPage,
    SignInRoute => account::SignInPage,
    RegisterRoute => onboarding::RegisterPage,
    VerifyEmailRoute => onboarding::VerifyEmailPage,
    ForgotPasswordRoute => onboarding::ForgotPasswordPage,
    ResetPasswordRoute => onboarding::ResetPasswordPage,
    MyRequestsRoute => requests::MyRequestsPage,
    RequestRoute => requests::RequestPage,
    HistoryRoute => history::HistoryPage,
    AccountRoute => settings::AccountPage,
    AgentWorkspaceRoute => agent::AgentWorkspace,
    AgentTicketRoute => agent::AgentTicketPage,
    AdminHomeRoute => admin::AdminHome,
    TeamsAdminRoute => admin::TeamsAdmin,
    MacrosAdminRoute => admin::MacrosAdmin,
    ChannelsAdminRoute => admin::ChannelsAdmin,
    ArticlesAdminRoute => admin::ArticlesAdmin,
    ArticleEditorRoute => admin::ArticleEditorPage,
    CategoriesAdminRoute => admin::CategoriesAdmin,
    InsightsAdminRoute => admin::InsightsAdmin,
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
            <layout::RoutingBar is_routing />
            // External to the router, so the browser's own fragment navigation moves focus.
            <a class="skip-link" href="#main" rel="external">
                "Skip to content"
            </a>
            <layout::TopBar />
            <main id="main" class="main" tabindex="-1">
                // A lazy page whose chunk failed to download lands here instead of staying blank.
                <ErrorBoundary fallback=|_| view! { <status::PageLoadFailed /> }>
                    <Routes fallback=|| view! { <status::NotFound /> }>
                        // In order: the content is in the HTML where it belongs, readable before
                        // (or without) the WASM, instead of streamed in for a script to place.
                        <Route path=path!("") view={Lazy::<HomeRoute>::new()} ssr=SsrMode::InOrder />
                        <Route path=path!("search") view={Lazy::<SearchRoute>::new()} ssr=SsrMode::InOrder />
                        <Route
                            path=path!("articles/:slug")
                            view={Lazy::<ArticleRoute>::new()}
                            // Waits for the article so a missing one can answer 404, not 200.
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("categories/:slug") view={Lazy::<CategoryRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("contact") view={Lazy::<ContactRoute>::new()} />
                        <Route path=path!("sign-in") view={Lazy::<SignInRoute>::new()} />
                        <Route path=path!("register") view={Lazy::<RegisterRoute>::new()} />
                        <Route path=path!("verify-email") view={Lazy::<VerifyEmailRoute>::new()} />
                        <Route path=path!("forgot-password") view={Lazy::<ForgotPasswordRoute>::new()} />
                        <Route path=path!("reset-password") view={Lazy::<ResetPasswordRoute>::new()} />
                        // Async, so a redirect to sign in is a real 302 on the first request.
                        <Route path=path!("requests") view={Lazy::<MyRequestsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("requests/:id") view={Lazy::<RequestRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("history") view={Lazy::<HistoryRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("agent") view={Lazy::<AgentWorkspaceRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("agent/tickets/:id") view={Lazy::<AgentTicketRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin") view={Lazy::<AdminHomeRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/teams") view={Lazy::<TeamsAdminRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/macros") view={Lazy::<MacrosAdminRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/channels") view={Lazy::<ChannelsAdminRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/articles") view={Lazy::<ArticlesAdminRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/articles/:id") view={Lazy::<ArticleEditorRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/categories") view={Lazy::<CategoriesAdminRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/insights") view={Lazy::<InsightsAdminRoute>::new()} ssr=SsrMode::Async />
                    </Routes>
                </ErrorBoundary>
            </main>
            <layout::Footer />
        </Router>
    }
}
