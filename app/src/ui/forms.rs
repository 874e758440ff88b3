//! The pieces every form is made of, so fields, errors and buttons look and behave alike.

use crate::error::AppError;
use leptos::{ev::SubmitEvent, prelude::*, server_fn::ServerFn};
use serde::de::DeserializeOwned;
use leptos_router::{NavigateOptions, hooks::use_navigate};
use std::time::Duration;

/// A labelled input; `name` is `id`, which is also the server function's argument name.
#[component]
pub fn Field(
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                required
                aria-describedby=hint.map(|_| hint_id.clone())
            />
            {hint.map(|hint| view! { <p id=hint_id class="field__hint">{hint}</p> })}
        </div>
    }
}

/// The message of the last failed submission, announced to screen readers.
pub fn action_error<I, O>(action: impl Into<Action<I, Result<O, AppError>>>) -> Signal<Option<String>>
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    let action = action.into();
    Signal::derive(move || match action.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    })
}

/// The server function `S` called by a plain form whose fields are all text: the same form the
/// browser posts by itself before the WASM loads, or without it. Lighter than `ActionForm` with
/// a `ServerAction`, whose form decoder (serde_qs) and no-script error round trip (base64)
/// outweigh a small form page such as sign-in.
pub fn form_action<S>() -> (Action<S, Result<S::Output, AppError>>, impl Fn(SubmitEvent) + Copy + 'static)
where
    S: ServerFn<Error = AppError> + DeserializeOwned + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let action = Action::new(|input: &S| S::run_on_client(input.clone()));
    let submit = move |event: SubmitEvent| {
        let form = event_target::<web_sys::HtmlFormElement>(&event);
        // Fields that do not make the arguments leave the submit to the browser.
        if let Some(input) = text_fields(&form).and_then(|fields| serde_json::from_str::<S>(&fields).ok()) {
            event.prevent_default();
            action.dispatch(input);
        }
    };
    (action, submit)
}

/// A form's fields as a JSON object of strings, the shape of a server function's arguments.
fn text_fields(form: &web_sys::HtmlFormElement) -> Option<String> {
    let fields = web_sys::FormData::new_with_form(form).ok()?;
    let mut json = String::from("{");
    for field in js_sys::try_iter(&fields).ok()?? {
        let field = js_sys::Array::from(&field.ok()?);
        if json.len() > 1 {
            json.push(',');
        }
        json.push_str(&serde_json::to_string(&field.get(0).as_string()?).ok()?);
        json.push(':');
        json.push_str(&serde_json::to_string(&field.get(1).as_string()?).ok()?);
    }
    json.push('}');
    Some(json)
}

/// Calls `handle` with each result of `action` that arrives after this point, not with one
/// that arrived before: a component rebuilt by a reload does not act on an old result again.
pub fn on_each_result<S>(action: ServerAction<S>, handle: impl Fn(&Result<S::Output, AppError>) + 'static)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Effect::new(move |seen: Option<()>| {
        action.value().with(|result| match (seen, result) {
            (Some(()), Some(result)) => handle(result),
            _ => {}
        });
    });
}

#[component]
pub fn FormError(message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|message| view! { <p class="form__error" role="alert">{message}</p> })
}

#[component]
pub fn SubmitButton(pending: Memo<bool>, label: &'static str, busy: &'static str) -> impl IntoView {
    view! {
        // Disabled while the request is in flight, so a double click sends it once.
        <button
            class="button button--primary button--wide"
            type="submit"
            disabled=move || pending.get()
            aria-busy=move || pending.get().to_string()
        >
            {move || if pending.get() { busy } else { label }}
        </button>
    }
}

/// A GET form (search, filters): before the WASM loads the browser submits it; after, the
/// submit becomes a client-side navigation to `action` with the fields as its query. The
/// router's `<Form>` does the same and much the app does not use, in every page's download.
#[component]
pub fn GetForm(
    action: &'static str,
    #[prop(optional)] class: Option<&'static str>,
    #[prop(optional)] label: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let navigate = use_navigate();
    let submit = move |event: leptos::ev::SubmitEvent| {
        let form = event_target::<web_sys::HtmlFormElement>(&event);
        // The browser builds the query; should it fail, its own submit still goes through.
        let query = web_sys::FormData::new_with_form(&form).and_then(|fields| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&fields));
        if let Ok(query) = query {
            event.prevent_default();
            navigate(&format!("{action}?{}", String::from(query.to_string())), NavigateOptions::default());
        }
    };
    view! {
        <form method="GET" action=action class=class aria-label=label on:submit=submit>
            {children()}
        </form>
    }
}

/// `value` once it has stopped changing for `pause`, starting from `initial`: what a lookup
/// that follows typing reads, so it runs when typing pauses rather than on every keystroke.
/// Each timer belongs to one run of the effect, and the next change cancels it.
pub fn settled<T: Clone + Send + Sync + 'static>(initial: T, value: impl Fn() -> T + 'static, pause: Duration) -> ReadSignal<T> {
    let settled = RwSignal::new(initial);
    Effect::new(move |_| {
        let now = value();
        let _ = set_timeout(move || settled.set(now), pause);
    });
    settled.read_only()
}
