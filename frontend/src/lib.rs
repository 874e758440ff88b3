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

/// Slack for the WASM splitter: it moves each lazy page's constant data into that page's
/// chunk, but when the chunks' alignment padding makes the moved data longer than the original
/// segment it keeps all of it in the main module, silently (`scripts/check-split-data.py`
/// catches that). Nothing reads these bytes, so the splitter drops them: room for the padding.
#[used]
static SPLIT_SLACK: [u8; 16384] = [1; 16384];
