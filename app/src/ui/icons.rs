//! Inline SVG icons. Decorative: the text next to each one carries the meaning.

use leptos::prelude::*;

pub fn logo() -> impl IntoView {
    view! {
        <svg class="icon icon--logo" viewBox="0 0 24 24" aria-hidden="true">
            <path
                fill="currentColor"
                d="M4 5a3 3 0 0 1 3-3h10a3 3 0 0 1 3 3v9a3 3 0 0 1-3 3h-5.6L7 21v-4a3 3 0 0 1-3-3z"
            />
            <path
                class="icon__cutout"
                d="M8.5 8.5h7v1.6h-7zm0 3.2h4.6v1.6H8.5z"
            />
        </svg>
    }
}

pub fn search() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="11" cy="11" r="6.5" fill="none" stroke="currentColor" stroke-width="2" />
            <path d="m16 16 4.5 4.5" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
        </svg>
    }
}

pub fn theme() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" stroke-width="2" />
            <path d="M12 4a8 8 0 0 1 0 16z" fill="currentColor" />
        </svg>
    }
}
