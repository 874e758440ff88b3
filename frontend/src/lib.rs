//! The WASM entry point: hydrates the server-rendered page.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(body) = leptos::prelude::document().body() else { return };
    // Asynchronous, because a page outside the help center first fetches its WASM chunk.
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        // Marks the page interactive, for styles that differ before hydration and for browser tests.
        let _ = body.set_attribute("data-hydrated", "");
    });
}
