//! `GET /events/tickets`: the live ticket events of this node, as server-sent events, for
//! staff. A browser that reconnects sends `Last-Event-ID` and first gets what it missed; one
//! that missed too much (or fell behind) gets a `resync` event and reloads what it shows.

use app::{
    error::AppError,
    model::TicketEvent,
    server::{auth, events, state::AppState},
};
use axum::{
    extract::State,
    http::HeaderMap,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures_util::{Stream, StreamExt, stream};
use std::{convert::Infallible, time::Duration};
use tokio::sync::broadcast::{Receiver, error::RecvError};
use tower_sessions::Session;

/// The most missed events replayed on reconnect; beyond that the browser resyncs.
const REPLAY_LIMIT: i64 = 500;

pub async fn ticket_events(State(state): State<AppState>, session: Session, headers: HeaderMap) -> Response {
    match auth::current_user(&state.db, &session, state.sessions).await {
        Ok(Some(user)) if user.is_staff() => {}
        Ok(Some(_)) => return super::router::failed(AppError::Forbidden),
        Ok(None) => return super::router::failed(AppError::NotSignedIn),
        Err(error) => return super::router::failed(error),
    }
    // Subscribed before reading the backlog, so an event committed meanwhile is in one or
    // the other (both, at worst; ids tell them apart).
    let live = state.events.subscribe();
    let last_seen = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<i64>().ok());
    let backlog = match last_seen {
        None => Backlog::Replay(Vec::new()),
        Some(after) => match backlog(&state, after).await {
            Ok(backlog) => backlog,
            Err(error) => return super::router::failed(error),
        },
    };
    let (replayed_up_to, backlog): (i64, Vec<Event>) = match backlog {
        Backlog::Replay(missed) => (
            missed.last().map(|event| event.id).or(last_seen).unwrap_or(0),
            missed.iter().map(event).collect(),
        ),
        Backlog::Resync => (last_seen.unwrap_or(0), vec![resync_event()]),
    };
    let head = stream::iter(backlog);
    let hub = state.events.clone();
    let stream = head
        .chain(follow(live, replayed_up_to))
        .take_until(async move { hub.closed().await })
        .map(Ok::<_, Infallible>);
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// What a reconnecting browser missed: the events themselves, or a resync when there are
/// too many or some were pruned already.
enum Backlog {
    Replay(Vec<TicketEvent>),
    Resync,
}

async fn backlog(state: &AppState, after: i64) -> Result<Backlog, AppError> {
    if events::pruned_after(&state.db, after).await? {
        return Ok(Backlog::Resync);
    }
    let missed = events::since(&state.db, after, REPLAY_LIMIT + 1).await?;
    Ok(match missed.len() as i64 > REPLAY_LIMIT {
        true => Backlog::Resync,
        false => Backlog::Replay(missed),
    })
}

/// The live events after `after`, as they arrive; a `resync` when this stream fell behind.
fn follow(live: Receiver<TicketEvent>, after: i64) -> impl Stream<Item = Event> {
    stream::unfold(live, move |mut live| async move {
        loop {
            match live.recv().await {
                Ok(ticket) if ticket.id <= after => continue,
                Ok(ticket) => return Some((event(&ticket), live)),
                Err(RecvError::Lagged(_)) => return Some((resync_event(), live)),
                Err(RecvError::Closed) => return None,
            }
        }
    })
}

fn event(ticket: &TicketEvent) -> Event {
    Event::default()
        .id(ticket.id.to_string())
        .json_data(ticket)
        .unwrap_or_else(|_| resync_event())
}

fn resync_event() -> Event {
    Event::default().event("resync").data("")
}
