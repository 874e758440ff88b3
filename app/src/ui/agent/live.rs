//! Live updates in the workspace: the browser follows `/events/tickets` (server-sent
//! events) while a workspace page is open. The browser's EventSource reconnects by itself
//! after a network gap and sends the last id it saw, so the server replays what was missed;
//! when it cannot, it says `resync` and the page reloads everything it shows.

use crate::model::TicketEvent;

/// What the page hears: one ticket changed, or anything may have (reload it all). Only the
/// browser hears anything; the server render never does.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum Heard {
    Ticket(TicketEvent),
    Resync,
}

/// Calls `heard` for every ticket event while the calling component lives. Does nothing on
/// the server.
pub fn follow_ticket_events(heard: impl Fn(Heard) + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    listen(heard);
    #[cfg(not(feature = "hydrate"))]
    let _ = heard;
}

#[cfg(feature = "hydrate")]
fn listen(heard: impl Fn(Heard) + Clone + 'static) {
    use leptos::{prelude::on_cleanup, wasm_bindgen::{JsCast, closure::Closure}};
    use send_wrapper::SendWrapper;
    use web_sys::{Event, EventSource, MessageEvent};

    let Ok(source) = EventSource::new("/events/tickets") else { return };
    let on_message = {
        let heard = heard.clone();
        Closure::<dyn Fn(MessageEvent)>::new(move |message: MessageEvent| {
            let event = message.data().as_string().and_then(|data| serde_json::from_str(&data).ok());
            if let Some(event) = event {
                heard(Heard::Ticket(event));
            }
        })
    };
    let on_resync = {
        let heard = heard.clone();
        Closure::<dyn Fn(Event)>::new(move |_: Event| heard(Heard::Resync))
    };
    // The first open is the page's own; any later one follows a gap the server may not have
    // been able to replay in full (a restarted node starts from its newest event).
    let opened = std::cell::Cell::new(false);
    let on_open = Closure::<dyn Fn(Event)>::new(move |_: Event| {
        if opened.replace(true) {
            heard(Heard::Resync);
        }
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    let _ = source.add_event_listener_with_callback("resync", on_resync.as_ref().unchecked_ref());
    let kept = SendWrapper::new((source, on_message, on_resync, on_open));
    on_cleanup(move || {
        let (source, ..) = kept.take();
        source.close();
    });
}
