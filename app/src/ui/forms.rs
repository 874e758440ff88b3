//! The pieces every form is made of, so fields, errors and buttons look and behave alike.

use crate::error::AppError;
use leptos::{ev::SubmitEvent, prelude::*, server_fn::ServerFn};
use leptos_router::{NavigateOptions, hooks::use_navigate};
use serde::{
    de::{self, DeserializeOwned, Deserializer, IntoDeserializer, Unexpected, Visitor, value},
    forward_to_deserialize_any,
};
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

/// An action that calls the server function `S`, as `server_call` makes it.
pub type ServerCall<S> = Action<S, Result<<S as ServerFn>::Output, AppError>>;

/// The server function `S` as an action, dispatched by a `ServerForm` or by code. Lighter than
/// a `ServerAction`, whose no-script error round trip (base64) outweighs a small page.
pub fn server_call<S>() -> ServerCall<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Action::new(|input: &S| S::run_on_client(input.clone()))
}

/// A form that posts to the server function of `action`: the browser posts it by itself before
/// the WASM loads, or without it; once hydrated, the submit dispatches `action` with each field
/// read as the argument of its name, as the server reads the post. Lighter than `ActionForm`,
/// whose form decoder (serde_qs) outweighs a small form page. Fields that do not make the
/// arguments leave the submit to the browser.
#[component]
pub fn ServerForm<S>(action: ServerCall<S>, #[prop(optional)] class: Option<&'static str>, children: Children) -> impl IntoView
where
    S: ServerFn<Error = AppError> + DeserializeOwned + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let submit = move |event: SubmitEvent| {
        let form = event_target::<web_sys::HtmlFormElement>(&event);
        if let Some(input) = form_fields(&form).and_then(|fields| read_fields::<S>(fields).ok()) {
            event.prevent_default();
            action.dispatch(input);
        }
    };
    view! {
        <form class=class method="post" action=S::url() on:submit=submit>
            {children()}
        </form>
    }
}

fn form_fields(form: &web_sys::HtmlFormElement) -> Option<Vec<(String, FieldText)>> {
    let fields = web_sys::FormData::new_with_form(form).ok()?;
    let mut named = Vec::new();
    for field in js_sys::try_iter(&fields).ok()?? {
        let field = js_sys::Array::from(&field.ok()?);
        // A file is not an argument: attachments upload on their own and send their tokens.
        if let (Some(name), Some(text)) = (field.get(0).as_string(), field.get(1).as_string()) {
            named.push((name, FieldText(text)));
        }
    }
    Some(named)
}

/// A form's fields by name, read as a struct of arguments.
fn read_fields<S: DeserializeOwned>(fields: Vec<(String, FieldText)>) -> Result<S, value::Error> {
    S::deserialize(value::MapDeserializer::new(fields.into_iter()))
}

/// One field's text, parsed into whatever type its argument has.
struct FieldText(String);

impl IntoDeserializer<'_, value::Error> for FieldText {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parse_text {
    ($($method:ident => $visit:ident,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, value::Error> {
            match self.0.trim().parse() {
                Ok(parsed) => visitor.$visit(parsed),
                Err(_) => Err(de::Error::invalid_value(Unexpected::Str(&self.0), &visitor)),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for FieldText {
    type Error = value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, value::Error> {
        visitor.visit_string(self.0)
    }

    /// An empty field is a missing value, as an unanswered optional input.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, value::Error> {
        if self.0.is_empty() { visitor.visit_none() } else { visitor.visit_some(self) }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, value::Error> {
        self.0.into_deserializer().deserialize_enum(name, variants, visitor)
    }

    parse_text! {
        deserialize_bool => visit_bool,
        deserialize_i8 => visit_i8,
        deserialize_i16 => visit_i16,
        deserialize_i32 => visit_i32,
        deserialize_i64 => visit_i64,
        deserialize_u8 => visit_u8,
        deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32,
        deserialize_u64 => visit_u64,
        deserialize_f32 => visit_f32,
        deserialize_f64 => visit_f64,
    }

    forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// Calls `handle` with each result of `action` that arrives after this point, not with one
/// that arrived before: a component rebuilt by a reload does not act on an old result again.
pub fn on_each_result<S>(action: ServerCall<S>, handle: impl Fn(&Result<S::Output, AppError>) + 'static)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::requests::{RateRequest, ReplyToRequest, SetRequestSolved};
    use serde::Deserialize;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, FieldText)> {
        pairs.iter().map(|(name, text)| (name.to_string(), FieldText(text.to_string()))).collect()
    }

    #[test]
    fn a_forms_text_is_read_as_typed_arguments() {
        let rating = read_fields::<RateRequest>(fields(&[("ticket_id", "42"), ("csat", "5"), ("ces", " 7 "), ("comment", "")])).unwrap();
        assert_eq!((rating.ticket_id, rating.csat, rating.ces, rating.comment.as_str()), (42, 5, 7, ""));
        let toggle = read_fields::<SetRequestSolved>(fields(&[("solved", "false"), ("ticket_id", "42")])).unwrap();
        assert!(!toggle.solved);
        // An argument the form leaves out takes its default, as when the server reads the post.
        let reply = read_fields::<ReplyToRequest>(fields(&[("ticket_id", "42"), ("body", "It arrived, thanks")])).unwrap();
        assert_eq!((reply.body.as_str(), reply.attachments.as_str()), ("It arrived, thanks", ""));
    }

    #[test]
    fn an_empty_field_is_a_missing_value_and_a_choice_is_read_by_name() {
        #[derive(Deserialize)]
        enum Channel {
            Email,
        }
        #[derive(Deserialize)]
        struct Filters {
            team_id: Option<i64>,
            channel: Option<Channel>,
        }
        let filters = read_fields::<Filters>(fields(&[("team_id", ""), ("channel", "Email")])).unwrap();
        assert_eq!(filters.team_id, None);
        assert!(matches!(filters.channel, Some(Channel::Email)));
    }

    #[test]
    fn text_that_does_not_make_the_arguments_is_refused() {
        let rating = |csat| read_fields::<RateRequest>(fields(&[("ticket_id", "42"), ("csat", csat), ("ces", "7"), ("comment", "")]));
        assert!(rating("five").is_err());
        assert!(rating("500").is_err());
        assert!(read_fields::<RateRequest>(fields(&[("ticket_id", "42")])).is_err());
    }
}
