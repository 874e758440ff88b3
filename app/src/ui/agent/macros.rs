//! The composer's macro picker: opened with `/` in an empty reply, `m`, or its button; searched
//! by title; arrow keys and Enter pick without leaving the keyboard.

use super::PickerToggle;
use crate::model::Macro;
use leptos::{LazyViewError, lazy, prelude::*};

/// Macros whose title holds every word of `query`, in list order.
fn matching(macros: &[Macro], query: &str) -> Vec<Macro> {
    let words: Vec<String> = query.split_whitespace().map(|word| word.to_lowercase()).collect();
    macros
        .iter()
        .filter(|item| {
            let title = item.fields.title.to_lowercase();
            words.iter().all(|word| title.contains(word.as_str()))
        })
        .cloned()
        .collect()
}

#[component]
pub fn MacroPicker(
    macros: Vec<Macro>,
    open: RwSignal<bool>,
    on_pick: Callback<Macro>,
) -> impl IntoView {
    let options = move || macro_options(macros.clone(), open, on_pick);
    view! { <PickerToggle label="Macros" open controls="macro-options" popover=options /> }
}

/// The picker's search and list download the first time it opens: most replies use no macro.
#[lazy(fallible)]
fn macro_options(macros: Vec<Macro>, open: RwSignal<bool>, on_pick: Callback<Macro>) -> Result<AnyView, LazyViewError> {
    Ok(view! { <MacroOptions macros open on_pick /> }.into_any())
}

/// Made afresh each time the picker opens, so it starts with an empty search.
#[component]
fn MacroOptions(macros: Vec<Macro>, open: RwSignal<bool>, on_pick: Callback<Macro>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let highlighted = RwSignal::new(0usize);
    let empty = macros.is_empty();
    let found = Memo::new(move |_| matching(&macros, &query.read()));
    let pick = move |item: Macro| {
        open.set(false);
        on_pick.run(item);
    };
    let on_key = move |event: leptos::ev::KeyboardEvent| {
        let count = found.read_untracked().len();
        match event.key().as_str() {
            "ArrowDown" if count > 0 => highlighted.update(|at| *at = (*at + 1) % count),
            "ArrowUp" if count > 0 => highlighted.update(|at| *at = (*at + count - 1) % count),
            "Enter" => {
                if let Some(item) = found.read_untracked().get(highlighted.get_untracked()).cloned() {
                    pick(item);
                }
            }
            "Escape" => {
                open.set(false);
                super::keys::focus_first("#composer-body");
            }
            _ => return,
        }
        event.prevent_default();
    };
    // Focus moves into the search box as the picker opens, however it was opened.
    Effect::new(move |_| {
        let _ = request_animation_frame(|| {
            super::keys::focus_first("#macro-search");
        });
    });
    view! {
        <div class="macro-picker__popover">
            <label class="visually-hidden" for="macro-search">"Search macros"</label>
            <input
                id="macro-search"
                type="search"
                role="combobox"
                aria-expanded="true"
                aria-controls="macro-options"
                aria-activedescendant=move || format!("macro-option-{}", highlighted.get())
                placeholder="Search macros…"
                autocomplete="off"
                prop:value=move || query.get()
                on:input=move |event| {
                    query.set(event_target_value(&event));
                    highlighted.set(0);
                }
                on:keydown=on_key
            />
            <ul id="macro-options" class="macro-picker__options" role="listbox" aria-label="Macros">
                {move || {
                    let found = found.get();
                    if found.is_empty() {
                        let hint = if empty { "No macros yet: an admin adds them under Admin → Macros." } else { "No macro matches." };
                        return view! { <li class="macro-picker__empty">{hint}</li> }.into_any();
                    }
                    found
                        .into_iter()
                        .enumerate()
                        .map(|(index, item)| {
                            let summary = item.summary();
                            let title = item.fields.title.clone();
                            view! {
                                <li
                                    id=format!("macro-option-{index}")
                                    class="macro-picker__option"
                                    class:macro-picker__option--active=move || highlighted.get() == index
                                    role="option"
                                    aria-selected=move || (highlighted.get() == index).to_string()
                                    on:mousedown=move |event| event.prevent_default()
                                    on:click=move |_| pick(item.clone())
                                >
                                    <span class="macro-picker__title">{title}</span>
                                    <span class="macro-picker__summary">{summary}</span>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MacroFields;

    fn named(title: &str) -> Macro {
        Macro {
            id: 1,
            fields: MacroFields { title: title.to_owned(), ..Default::default() },
            team_name: None,
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn every_word_must_be_in_the_title() {
        let macros = [named("Refund approved"), named("Refund denied"), named("Password reset")];
        let titles = |query| matching(&macros, query).into_iter().map(|item| item.fields.title).collect::<Vec<_>>();
        assert_eq!(titles("refund"), ["Refund approved", "Refund denied"]);
        assert_eq!(titles("REF app"), ["Refund approved"]);
        assert_eq!(titles(""), ["Refund approved", "Refund denied", "Password reset"]);
        assert!(titles("shipping").is_empty());
    }
}
