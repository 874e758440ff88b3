//! "Was this helpful?" under every article: one click to answer, then an optional comment
//! that tells the content team what was missing.

use super::forms::FormError;
use crate::api::portal::rate_article;
use leptos::{html, prelude::*};
use leptos_router::components::A;

#[component]
pub fn HelpfulVote(slug: String) -> impl IntoView {
    let slug = StoredValue::new(slug);
    // A plain action, not a `ServerAction`: the vote never posts a form, so the no-script
    // error round trip a `ServerAction` decodes would be dead weight on every article page.
    let rate = Action::new(move |(helpful, comment): &(bool, String)| {
        rate_article(slug.get_value(), *helpful, comment.clone(), false)
    });
    let answer = RwSignal::new(None::<bool>);
    let commented = RwSignal::new(false);
    let comment = NodeRef::<html::Textarea>::new();
    let vote = move |helpful: bool, text: String| {
        rate.dispatch((helpful, text));
    };
    let error = Signal::derive(move || match rate.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    });
    view! {
        <section class="helpful" aria-labelledby="helpful-heading">
            {move || match answer.get() {
                None => view! {
                    <h2 id="helpful-heading" class="helpful__question">"Was this article helpful?"</h2>
                    <div class="helpful__choices">
                        <button class="button" type="button" on:click=move |_| { answer.set(Some(true)); vote(true, String::new()); }>
                            "Yes"
                        </button>
                        <button class="button" type="button" on:click=move |_| { answer.set(Some(false)); vote(false, String::new()); }>
                            "No"
                        </button>
                    </div>
                }
                .into_any(),
                Some(_) if commented.get() && !rate.pending().get() && error.get().is_none() => view! {
                    <h2 id="helpful-heading" class="helpful__question">"Thanks for the detail."</h2>
                    <p class="helpful__note">"Our writers read every comment."</p>
                }
                .into_any(),
                Some(helpful) => view! {
                    <div role="status">
                        <h2 id="helpful-heading" class="helpful__question">
                            {if helpful { "Thanks! Glad it helped." } else { "Thanks for telling us." }}
                        </h2>
                    </div>
                    <form
                        class="form helpful__comment"
                        on:submit=move |event| {
                            event.prevent_default();
                            let text = comment.get().map(|area| area.value()).unwrap_or_default();
                            commented.set(true);
                            vote(helpful, text);
                        }
                    >
                        <div class="field">
                            <label for="helpful-comment">
                                {if helpful { "Anything we could add? (optional)" } else { "What were you looking for? (optional)" }}
                            </label>
                            <textarea node_ref=comment id="helpful-comment" rows="3" maxlength="1000"></textarea>
                        </div>
                        <FormError message=error />
                        <p class="helpful__actions">
                            <button class="button button--primary" type="submit" disabled=move || rate.pending().get()>
                                "Send comment"
                            </button>
                            {(!helpful).then(|| view! {
                                <A href="/contact" attr:class="button button--quiet">"Ask our team"</A>
                            })}
                        </p>
                    </form>
                }
                .into_any(),
            }}
        </section>
    }
}
