//! The public help center: home, search results and articles.

use super::{
    feedback::HelpfulVote,
    forms::GetForm,
    icons,
    status::{ErrorPanel, ListSkeleton},
};
use crate::{
    api::portal::{
        category_page, help_center, note_article_read, note_search, published_article, search_articles,
    },
    model::{ArticleSummary, Category, SearchHit},
};
use super::format::{highlighted, long_date};
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

/// The search form: a plain GET to `/search`, so it works before (and without) the WASM;
/// once hydrated, the submit is a client-side navigation.
#[component]
pub fn SearchBox(id: &'static str, large: bool) -> impl IntoView {
    let query = use_query_map();
    let current = move || query.read().get("q").unwrap_or_default();
    view! {
        <GetForm action="/search">
            <div class="search" class:search--large=large role="search">
                <label class="visually-hidden" for=id>
                    "Search the help center"
                </label>
                <span class="search__icon">{icons::search()}</span>
                <input
                    id=id
                    class="search__input"
                    type="search"
                    name="q"
                    maxlength="200"
                    placeholder="Search for answers…"
                    autocomplete="off"
                    value=current
                    prop:value=current
                />
                <button class="button button--primary search__submit" type="submit">
                    "Search"
                </button>
            </div>
        </GetForm>
    }
}

#[component]
pub fn PortalHome() -> impl IntoView {
    let home = Resource::new(|| (), |_| help_center());

    view! {
        <Title text="" />
        <section class="hero">
            <h1 class="hero__title">"How can we help?"</h1>
            <p class="hero__lead">"Search our guides, or browse by topic below."</p>
            <SearchBox id="hero-search" large=true />
        </section>
        <div class="page">
            <Suspense fallback=|| view! { <ListSkeleton rows=4 /> }>
                {move || Suspend::new(async move {
                    match home.await {
                        Ok(home) => view! {
                            <section aria-labelledby="topics-heading" class="section">
                                <h2 id="topics-heading" class="section__title">"Browse by topic"</h2>
                                <ul class="card-grid">
                                    {home.categories.into_iter().map(category_card).collect_view()}
                                </ul>
                            </section>
                            <section aria-labelledby="popular-heading" class="section">
                                <h2 id="popular-heading" class="section__title">"Popular articles"</h2>
                                <ArticleList articles=home.popular />
                            </section>
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
            <ContactPrompt />
        </div>
    }
}

fn category_card(category: Category) -> impl IntoView {
    let count = match category.article_count {
        1 => "1 article".to_owned(),
        n => format!("{n} articles"),
    };
    let href = format!("/categories/{}", category.slug);
    // Subcategories are links of their own, above the card's whole-card link.
    let subcategories = (!category.subcategories.is_empty()).then(|| {
        view! {
            <ul class="card__links" aria-label=format!("In {}", category.name)>
                {category
                    .subcategories
                    .into_iter()
                    .map(|below| view! { <li><A href=format!("/categories/{}", below.slug)>{below.name}</A></li> })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <li class="card card--link">
            <h3 class="card__title">
                <A href=href attr:class="card__link">{category.name}</A>
            </h3>
            <p class="card__text">{category.description}</p>
            {subcategories}
            <p class="card__meta">{count}</p>
        </li>
    }
}

#[component]
fn ArticleList(articles: Vec<ArticleSummary>) -> impl IntoView {
    view! {
        <ul class="article-list">
            {articles
                .into_iter()
                .map(|article| {
                    let summary = article.summary.clone();
                    article_item(article, view! { <p class="article-list__summary">{summary}</p> })
                })
                .collect_view()}
        </ul>
    }
}

/// One row of an article list, with what to show under the title.
fn article_item(article: ArticleSummary, excerpt: impl IntoView) -> impl IntoView {
    let href = format!("/articles/{}", article.slug);
    view! {
        <li class="article-list__item">
            <A href=href attr:class="article-list__link">
                {article.title}
            </A>
            {excerpt}
            <p class="article-list__meta">{article.category}</p>
        </li>
    }
}

#[component]
fn SearchHitList(hits: Vec<SearchHit>) -> impl IntoView {
    view! {
        <ul class="article-list">
            {hits
                .into_iter()
                .map(|hit| {
                    let excerpt = view! {
                        <p class="article-list__summary">{highlighted(&hit.snippet)}</p>
                    };
                    article_item(hit.article, excerpt)
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn ContactPrompt() -> impl IntoView {
    view! {
        <aside class="contact-prompt" aria-labelledby="contact-heading">
            <h2 id="contact-heading">"Still need help?"</h2>
            <p>
                <A href="/contact">"Send us a request"</A>
                " and we will answer within one business day."
            </p>
        </aside>
    }
}

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let results = Resource::new(q, |q| async move {
        if q.trim().is_empty() { None } else { Some(search_articles(q).await) }
    });
    // Recorded from the browser once the results are on screen, so only people count.
    Effect::new(move |_| {
        if let Some(Some(Ok(found))) = results.get() {
            spawn_local(async move {
                let _ = note_search(found.query, found.hits.len()).await;
            });
        }
    });

    view! {
        <Title text=move || format!("Search: {}", q()) />
        <div class="page page--narrow">
            <h1 class="page__title">
                {move || if q().trim().is_empty() {
                    "Search the help center".to_owned()
                } else {
                    format!("Results for “{}”", q().trim())
                }}
            </h1>
            <Transition fallback=|| view! { <ListSkeleton rows=3 /> }>
                {move || Suspend::new(async move {
                    match results.await {
                        None => view! {
                            <p class="empty">"Type a question or a few keywords in the search box above."</p>
                        }
                        .into_any(),
                        Some(Ok(results)) if results.hits.is_empty() => view! {
                            <div class="empty">
                                <p class="empty__title">"No articles match your search."</p>
                                <p>"Try fewer or different words, or browse the topics on the "
                                    <A href="/">"help center home"</A>"."</p>
                                <p>
                                    <A href=contact_href(&results.query) attr:class="button button--primary">
                                        "Ask our team instead"
                                    </A>
                                </p>
                            </div>
                        }
                        .into_any(),
                        Some(Ok(results)) => view! {
                            {results.corrected.map(|corrected| view! {
                                <p class="results-correction">
                                    "No articles contain “" {results.query.clone()}
                                    "”. Showing results for “" <strong>{corrected}</strong> "”."
                                </p>
                            })}
                            <p class="results-count" role="status">
                                {match results.hits.len() {
                                    1 => "1 article".to_owned(),
                                    n => format!("{n} articles"),
                                }}
                            </p>
                            <SearchHitList hits=results.hits />
                            <p class="results-footer">
                                "Not what you were looking for? "
                                <A href=contact_href(&results.query)>"Ask our team"</A>
                            </p>
                        }
                        .into_any(),
                        Some(Err(error)) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The contact form, its subject started from what the reader searched for.
fn contact_href(query: &str) -> String {
    let params = form_urlencoded::Serializer::new(String::new()).append_pair("subject", query).finish();
    format!("/contact?{params}")
}

#[component]
pub fn ArticlePage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let article = Resource::new(slug, published_article);
    Effect::new(move |_| {
        if let Some(Ok(article)) = article.get() {
            spawn_local(async move {
                let _ = note_article_read(article.slug).await;
            });
        }
    });

    view! {
        <div class="page page--narrow">
            <Suspense fallback=|| view! { <ListSkeleton rows=6 /> }>
                {move || Suspend::new(async move {
                    match article.await {
                        Ok(article) => view! {
                            <Title text=article.title.clone() />
                            <nav class="breadcrumb" aria-label="Breadcrumb">
                                <ol>
                                    <li><A href="/">"Help center"</A></li>
                                    <li>
                                        <A href=format!("/categories/{}", article.category_slug)>
                                            {article.category}
                                        </A>
                                    </li>
                                </ol>
                            </nav>
                            <article class="article">
                                <h1 class="article__title">{article.title}</h1>
                                <p class="article__meta">
                                    "Updated "
                                    <time datetime=article.updated_at.to_rfc3339()>
                                        {long_date(article.updated_at)}
                                    </time>
                                </p>
                                <div class="prose" inner_html=article.body_html></div>
                            </article>
                            <HelpfulVote slug=article.slug />
                            {(!article.related.is_empty()).then(|| view! {
                                <section class="section related" aria-labelledby="related-heading">
                                    <h2 id="related-heading" class="section__title">"Related articles"</h2>
                                    <ArticleList articles=article.related />
                                </section>
                            })}
                            <ContactPrompt />
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
pub fn CategoryPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let page = Resource::new(slug, category_page);

    view! {
        <div class="page page--narrow">
            <Suspense fallback=|| view! { <ListSkeleton rows=4 /> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => view! {
                            <Title text=page.category.name.clone() />
                            <nav class="breadcrumb" aria-label="Breadcrumb">
                                <ol>
                                    <li><A href="/">"Help center"</A></li>
                                    {page
                                        .parents
                                        .into_iter()
                                        .map(|above| view! { <li><A href=format!("/categories/{}", above.slug)>{above.name}</A></li> })
                                        .collect_view()}
                                    <li aria-current="page">{page.category.name.clone()}</li>
                                </ol>
                            </nav>
                            <h1 class="page__title">{page.category.name}</h1>
                            <p class="page__lead">{page.category.description}</p>
                            {(!page.category.subcategories.is_empty()).then(|| view! {
                                <ul class="card-grid card-grid--compact" aria-label="Subtopics">
                                    {page.category.subcategories.into_iter().map(category_card).collect_view()}
                                </ul>
                            })}
                            {if page.articles.is_empty() && page.category.article_count == 0 {
                                view! {
                                    <p class="empty">"No articles in this topic yet. Try the search above."</p>
                                }
                                .into_any()
                            } else {
                                view! { <ArticleList articles=page.articles /> }.into_any()
                            }}
                            <ContactPrompt />
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
