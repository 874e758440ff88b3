//! Keyboard shortcuts of the workspace, and the `?` overlay that lists them. Keys typed into
//! a field are the field's; shortcuts act only when no field has focus.

use leptos::{ev, prelude::*};

/// The shortcuts, as the help overlay lists them.
const SHORTCUTS: &[(&str, &str)] = &[
    ("j / k", "Next / previous ticket in the list"),
    ("Enter", "Open the selected ticket"),
    ("r", "Reply to the customer"),
    ("n", "Write an internal note"),
    ("a", "Assign the ticket to me"),
    ("e", "Solve the ticket (choose a reason)"),
    ("m or /", "Pick a macro (/ in an empty reply box)"),
    ("?", "Show or hide this help"),
];

/// Calls `handle` with each key pressed outside a field, while the calling component lives;
/// a key it handled (`true`) does nothing else.
pub fn on_shortcut(handle: impl Fn(&str) -> bool + 'static) {
    let listener = window_event_listener(ev::keydown, move |event| {
        if event.ctrl_key() || event.meta_key() || event.alt_key() || in_a_field(&event) {
            return;
        }
        if handle(&event.key()) {
            event.prevent_default();
        }
    });
    on_cleanup(move || listener.remove());
}

fn in_a_field(event: &ev::KeyboardEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || element.closest("[contenteditable]").ok().flatten().is_some()
        })
}

/// Moves focus `step` rows down (or up) the ticket list; Enter then opens the focused row.
pub fn move_in_list(step: i32) -> bool {
    let Ok(rows) = document().query_selector_all(".ticket-row__link") else { return false };
    let count = rows.length() as i32;
    if count == 0 {
        return false;
    }
    let active = document().active_element();
    let current = (0..count).find(|&index| {
        let row = rows.item(index as u32);
        row.is_some() && active.as_ref().map(|active| active.as_ref()) == row.as_ref()
    });
    let next = match current {
        Some(index) => (index + step).clamp(0, count - 1),
        None => 0,
    };
    focus(rows.item(next as u32));
    true
}

/// Focuses the element `selector` finds, if any.
pub fn focus_first(selector: &str) -> bool {
    focus(document().query_selector(selector).ok().flatten().map(Into::into))
}

fn focus(node: Option<web_sys::Node>) -> bool {
    use leptos::wasm_bindgen::JsCast;
    match node.and_then(|node| node.dyn_into::<web_sys::HtmlElement>().ok()) {
        Some(element) => element.focus().is_ok(),
        None => false,
    }
}

/// The `?` overlay: every shortcut, closed with `?` again, Escape or its button.
#[component]
pub fn ShortcutHelp(open: RwSignal<bool>) -> impl IntoView {
    let close = move |_| open.set(false);
    let listener = window_event_listener(ev::keydown, move |event| {
        if event.key() == "Escape" {
            open.set(false);
        }
    });
    on_cleanup(move || listener.remove());
    view! {
        <Show when=move || open.get()>
            <div class="shortcuts" role="dialog" aria-modal="false" aria-labelledby="shortcuts-heading">
                <h2 id="shortcuts-heading" class="panel__title">"Keyboard shortcuts"</h2>
                <dl class="shortcuts__list">
                    {SHORTCUTS
                        .iter()
                        .map(|(keys, what)| view! {
                            <div>
                                <dt><kbd>{*keys}</kbd></dt>
                                <dd>{*what}</dd>
                            </div>
                        })
                        .collect_view()}
                </dl>
                <button class="button" type="button" on:click=close>"Close"</button>
            </div>
        </Show>
    }
}
