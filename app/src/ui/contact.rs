//! "Contact us": the request form. While the customer types, the articles that best match are
//! offered beside it; one that answers the question ends the visit without a request (and is
//! counted as such). A request that is sent carries what the customer read and searched.

use super::{
    account::use_auth,
    attachments::{AttachmentPicker, Attachments},
    format::highlighted,
    forms::{FormError, ServerForm, SubmitButton, action_error, server_call, settled},
};
use crate::{
    api::portal::{SendRequest, rate_article, search_articles, topics},
    model::{Category, SearchHit},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{
    NavigateOptions,
    components::A,
    hooks::{use_navigate, use_query_map},
};
use std::time::Duration;

/// Suggestions follow the typing after this pause, not every keystroke.
const SUGGEST_AFTER: Duration = Duration::from_millis(300);
/// The words of the draft that are searched for suggestions.
const SUGGEST_WORDS: usize = 12;

#[component]
pub fn ContactPage() -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    let subject = RwSignal::new(query.read_untracked().get("subject").unwrap_or_default());
    let description = RwSignal::new(String::new());
    let categories = Resource::new(|| (), |_| topics());
    let send = server_call::<SendRequest>();
    let answered_by = RwSignal::new(None::<String>);
    let files = Attachments::new();
    let pending = Memo::new(move |_| send.pending().get() || files.busy());

    // One key per filled-in form, made in the browser: a resubmission of the same form
    // (a double click, a retried request) makes one request.
    let request_key = RwSignal::new(String::new());
    Effect::new(move |_| {
        let random = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
        request_key.set(format!("{:x}-{random:x}", js_sys::Date::now() as u64));
    });

    // Signed-in customers go on to their new request; a visitor reads where the answer will go.
    let navigate = use_navigate();
    let sent_by_visitor = RwSignal::new(None::<(i64, String)>);
    Effect::new(move |_| {
        if let Some(Ok(ticket_id)) = send.value().get() {
            match auth.user.get() {
                Some(Ok(Some(_))) => navigate(&format!("/requests/{ticket_id}"), NavigateOptions::default()),
                _ => {
                    let email = send.input().get_untracked().map(|input| input.email).unwrap_or_default();
                    sent_by_visitor.set(Some((ticket_id, email)));
                }
            }
        }
    });

    view! {
        <Title text="Contact us" />
        <div class="page contact">
            <header class="contact__header">
                <h1 class="page__title">"Contact us"</h1>
                <p class="page__lead">"Tell us what you need. We answer within one business day, usually sooner."</p>
            </header>
            {move || {
                if let Some(title) = answered_by.get() {
                    return view! {
                        <section class="contact__done" role="status">
                            <h2>"Glad “" {title} "” answered it."</h2>
                            <p>"We did not send a request. If anything else comes up, we are here."</p>
                            <p><A href="/" attr:class="button button--primary">"Back to the help center"</A></p>
                        </section>
                    }
                    .into_any();
                }
                if let Some((ticket_id, email)) = sent_by_visitor.get() {
                    return view! {
                        <section class="contact__done" role="status">
                            <h2>"Request #" {ticket_id} " is with our team."</h2>
                            <p>"We will reply to " <strong>{email}</strong> ". Create an account with that address to follow it here."</p>
                            <p><A href="/register" attr:class="button button--primary">"Create an account"</A></p>
                        </section>
                    }
                    .into_any();
                }
                view! {
                    <div class="contact__layout">
                        <ServerForm action=send class="form contact__form">
                            <input type="hidden" name="request_key" prop:value=move || request_key.get() />
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    match auth.user.await {
                                        Ok(Some(user)) => view! {
                                            <p class="contact__who">"Sending as " <strong>{user.display_name}</strong> " (" {user.email} ")"</p>
                                        }
                                        .into_any(),
                                        _ => view! {
                                            <div class="field-row">
                                                <div class="field">
                                                    <label for="name">"Your name"</label>
                                                    <input id="name" name="name" type="text" autocomplete="name" maxlength="100" required />
                                                </div>
                                                <div class="field">
                                                    <label for="email">"Email"</label>
                                                    <input id="email" name="email" type="email" autocomplete="email" required />
                                                </div>
                                            </div>
                                        }
                                        .into_any(),
                                    }
                                })}
                            </Transition>
                            <div class="field">
                                <label for="topic">"Topic"</label>
                                <select id="topic" name="topic">
                                    <option value="">"Choose a topic (optional)"</option>
                                    <Transition fallback=|| ()>
                                        {move || Suspend::new(async move {
                                            categories.await.map(|categories| categories.into_iter().map(topic_options).collect_view()).ok()
                                        })}
                                    </Transition>
                                </select>
                            </div>
                            <div class="field">
                                <label for="subject">"Subject"</label>
                                <input
                                    id="subject"
                                    name="subject"
                                    type="text"
                                    maxlength="250"
                                    required
                                    autocomplete="off"
                                    prop:value=move || subject.get()
                                    on:input=move |event| subject.set(event_target_value(&event))
                                />
                            </div>
                            <div class="field">
                                <label for="description">"How can we help?"</label>
                                <textarea
                                    id="description"
                                    name="description"
                                    rows="7"
                                    maxlength="10000"
                                    required
                                    aria-describedby="description-hint"
                                    on:input=move |event| description.set(event_target_value(&event))
                                ></textarea>
                                <p id="description-hint" class="field__hint">
                                    "What happened, what you expected, and any order or invoice number."
                                </p>
                            </div>
                            <AttachmentPicker files id="contact-files" />
                            <FormError message=action_error(send) />
                            <SubmitButton pending label="Send request" busy="Sending…" />
                        </ServerForm>
                        <Suggestions subject description answered_by />
                    </div>
                }
                .into_any()
            }}
        </div>
    }
}

/// The articles that best match the draft, refreshed as the customer types.
#[component]
fn Suggestions(subject: RwSignal<String>, description: RwSignal<String>, answered_by: RwSignal<Option<String>>) -> impl IntoView {
    let draft = move || {
        let draft = format!("{} {}", subject.get(), description.get());
        draft.split_whitespace().take(SUGGEST_WORDS).collect::<Vec<_>>().join(" ")
    };
    let looking_for = settled(String::new(), draft, SUGGEST_AFTER);
    let suggestions = Resource::new(
        move || looking_for.get(),
        |text| async move {
            if text.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
                return Vec::new();
            }
            let text: String = text.chars().take(200).collect();
            search_articles(text).await.map(|found| found.hits.into_iter().take(3).collect()).unwrap_or_default()
        },
    );
    view! {
        <aside class="suggestions" aria-labelledby="suggestions-heading" aria-live="polite">
            <h2 id="suggestions-heading" class="suggestions__title">"Answers that might help"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let hits = suggestions.await;
                    if hits.is_empty() {
                        view! {
                            <p class="suggestions__empty">"Start typing and we will look for articles that answer your question."</p>
                        }
                        .into_any()
                    } else {
                        view! {
                            <ul class="suggestions__list">
                                {hits.into_iter().map(|hit| view! { <Suggestion hit answered_by /> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }
                })}
            </Transition>
        </aside>
    }
}

#[component]
fn Suggestion(hit: SearchHit, answered_by: RwSignal<Option<String>>) -> impl IntoView {
    let slug = hit.article.slug.clone();
    let title = hit.article.title.clone();
    let answered = move |_| {
        let (slug, title) = (slug.clone(), title.clone());
        spawn_local(async move {
            if rate_article(slug, true, String::new(), true).await.is_ok() {
                answered_by.set(Some(title));
            }
        });
    };
    view! {
        <li class="suggestion">
            <a class="suggestion__link" href=format!("/articles/{}", hit.article.slug) target="_blank" rel="noopener">
                {hit.article.title.clone()}
                <span class="visually-hidden">" (opens in a new tab)"</span>
            </a>
            <p class="suggestion__snippet">{highlighted(&hit.snippet)}</p>
            <button class="button button--quiet suggestion__answered" type="button" on:click=answered>
                "This answers my question"
            </button>
        </li>
    }
}

/// A top-level topic, with its subtopics grouped under it so a customer can be as precise as
/// the help center is.
fn topic_options(topic: Category) -> AnyView {
    if topic.subcategories.is_empty() {
        return view! { <option value=topic.slug>{topic.name}</option> }.into_any();
    }
    let group = topic.name.clone();
    view! {
        <optgroup label=group>
            <option value=topic.slug>{topic.name}</option>
            {topic.subcategories.into_iter().map(|below| view! { <option value=below.slug>{below.name}</option> }).collect_view()}
        </optgroup>
    }
    .into_any()
}
