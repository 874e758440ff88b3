//! Articles in replies: the agent finds a published article and inserts it in the form that
//! fits the reply's channel (the whole text for email, a summary and short link for SMS).

use crate::{
    api::agent::{article_for_reply, reply_articles},
    model::Channel,
};
use super::PickerToggle;
use leptos::{LazyViewError, lazy, prelude::*};

#[component]
pub(super) fn ArticlePicker(channel: Signal<Channel>, on_insert: Callback<String>) -> impl IntoView {
    let open = RwSignal::new(false);
    let search = move || article_search(channel, on_insert, open);
    view! { <PickerToggle label="Insert article" open popover=search /> }
}

/// The search downloads the first time the picker opens: most replies cite no article.
#[lazy(fallible)]
fn article_search(channel: Signal<Channel>, on_insert: Callback<String>, open: RwSignal<bool>) -> Result<AnyView, LazyViewError> {
    Ok(view! { <ArticleSearch channel on_insert open /> }.into_any())
}

#[component]
fn ArticleSearch(channel: Signal<Channel>, on_insert: Callback<String>, open: RwSignal<bool>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let failed = RwSignal::new(None::<String>);
    // Asked only once the agent has typed enough to mean something.
    let found = LocalResource::new(move || {
        let query = query.get();
        async move {
            match query.trim().chars().count() {
                0..2 => Ok(Vec::new()),
                _ => reply_articles(query).await.map(|results| results.hits),
            }
        }
    });
    let insert = move |slug: String| {
        let channel = channel.get_untracked();
        leptos::task::spawn_local(async move {
            match article_for_reply(slug, channel).await {
                Ok(text) => {
                    on_insert.run(text);
                    open.set(false);
                }
                Err(error) => failed.set(Some(error.to_string())),
            }
        });
    };
    view! {
        <div class="macro-picker__popover" role="group" aria-label="Insert an article">
            <label class="visually-hidden" for="article-search">"Search articles"</label>
            <input
                id="article-search"
                type="search"
                placeholder="Search the help center…"
                autocomplete="off"
                autofocus
                prop:value=move || query.get()
                on:input=move |event| query.set(event_target_value(&event))
                on:keydown=move |event| {
                    if event.key() == "Escape" {
                        open.set(false);
                    }
                }
            />
            {move || failed.get().map(|message| view! { <p class="form__error" role="alert">{message}</p> })}
            <ul class="macro-picker__options" aria-label="Articles">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match found.await {
                            Ok(hits) if hits.is_empty() && query.read_untracked().trim().chars().count() >= 2 => {
                                view! { <li class="macro-picker__empty">"No published article matches."</li> }.into_any()
                            }
                            Ok(hits) => hits
                                .into_iter()
                                .map(|hit| {
                                    let slug = hit.article.slug.clone();
                                    view! {
                                        <li>
                                            <button class="macro-picker__option" type="button" on:click=move |_| insert(slug.clone())>
                                                <span class="macro-picker__title">{hit.article.title}</span>
                                                <span class="macro-picker__summary">{hit.article.summary}</span>
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()
                                .into_any(),
                            Err(error) => view! { <li class="macro-picker__empty">{error.to_string()}</li> }.into_any(),
                        }
                    })}
                </Transition>
            </ul>
        </div>
    }
}
