//! Live ticket events. Writers add a row to `ticket_events` in the transaction of their
//! change; one pump per app node reads new rows when woken (by this process after a commit,
//! or by PostgreSQL's NOTIFY when another node wrote) and broadcasts them to the node's open
//! streams. The table is the source of truth, so nothing is lost between nodes or across a
//! reconnect.

use super::db::{Db, decode_text, with_db};
use crate::{
    error::AppError,
    model::TicketEvent,
};
use chrono::{DateTime, Utc};
use std::{
    collections::BTreeSet,
    pin::Pin,
    sync::{Arc, LazyLock},
    time::Duration,
};
use tokio::sync::{Notify, broadcast, futures::Notified, watch};

/// Appends a ticket event inside the caller's transaction:
/// `ticket_event!(&mut *tx, ticket_id, TicketEventKind::Status, now)`. Call
/// [`committed`] once the transaction has committed.
#[macro_export]
macro_rules! ticket_event {
    ($executor:expr, $ticket_id:expr, $kind:expr, $now:expr) => {
        sqlx::query("insert into ticket_events (ticket_id, kind, created_at) values ($1, $2, $3)")
            .bind($ticket_id)
            .bind($kind.as_str())
            .bind($now)
            .execute($executor)
            .await
    };
}
pub use ticket_event;

/// Wakes this process's pumps: a transaction with ticket events has committed.
static COMMITTED: LazyLock<Notify> = LazyLock::new(Notify::new);

pub fn committed() {
    COMMITTED.notify_waiters();
}

/// How many events a slow stream may fall behind before it is told to resync.
const BACKLOG: usize = 1_024;
/// Rows read per pump round.
const BATCH: i64 = 500;
/// An id skipped by a later commit is waited for this long (its transaction may still be
/// committing on PostgreSQL) before the pump stops looking for it.
const GAP_PATIENCE: Duration = Duration::from_secs(10);
/// The pump also looks for new rows this often, in case a wake-up was lost.
const POLL: Duration = Duration::from_secs(5);

/// The node's fan-out of ticket events to its open streams.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<TicketEvent>,
    closing: Arc<watch::Sender<bool>>,
}

impl Default for Hub {
    fn default() -> Self {
        Self { sender: broadcast::channel(BACKLOG).0, closing: Arc::new(watch::channel(false).0) }
    }
}

impl Hub {
    /// Ends every open stream: the node is shutting down, and a graceful shutdown waits for
    /// open responses. Browsers reconnect to another node, or to this one once it is back.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`Hub::close`] was called.
    pub async fn closed(&self) {
        let mut closing = self.closing.subscribe();
        let _ = closing.wait_for(|closing| *closing).await;
    }

    pub fn subscribe(&self) -> broadcast::Receiver<TicketEvent> {
        self.sender.subscribe()
    }

    /// Streams connected to this node right now.
    pub fn streams(&self) -> usize {
        self.sender.receiver_count()
    }
}

/// Events after `after`, oldest first, at most `limit`.
pub async fn since(db: &Db, after: i64, limit: i64) -> Result<Vec<TicketEvent>, AppError> {
    rows_after(db, after, limit)
        .await?
        .into_iter()
        .map(|(id, ticket_id, kind, _)| Ok(TicketEvent { id, ticket_id, kind: decode_text(&kind)? }))
        .collect()
}

type EventRow = (i64, i64, String, DateTime<Utc>);

async fn rows_after(db: &Db, after: i64, limit: i64) -> Result<Vec<EventRow>, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_as::<_, EventRow>(
            "select id, ticket_id, kind, created_at from ticket_events where id > $1 order by id limit $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?
    }))
}

/// The newest event id, where a new stream or pump starts.
pub async fn latest(db: &Db) -> Result<i64, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_scalar::<_, Option<i64>>("select max(id) from ticket_events").fetch_one(pool).await?
    })
    .unwrap_or(0))
}

/// True when events after `after` were pruned: the gap cannot be replayed.
pub async fn pruned_after(db: &Db, after: i64) -> Result<bool, AppError> {
    let oldest = with_db!(db, |pool| {
        sqlx::query_scalar::<_, Option<i64>>("select min(id) from ticket_events").fetch_one(pool).await?
    });
    Ok(oldest.is_some_and(|oldest| oldest > after + 1) || after < 0)
}

/// Deletes events older than a day (a browser away that long reloads anyway), and the
/// presence of ticket views closed without saying so.
pub async fn prune(db: &Db) -> Result<u64, AppError> {
    let cutoff = super::clock::now() - chrono::Duration::days(1);
    Ok(with_db!(db, |pool| {
        sqlx::query("delete from ticket_viewers where seen_at < $1").bind(cutoff).execute(pool).await?;
        sqlx::query("delete from ticket_events where created_at < $1")
            .bind(cutoff)
            .execute(pool)
            .await?
            .rows_affected()
    }))
}

/// Runs for the life of the node: waits for a wake-up, reads the new events and broadcasts
/// them. Ids are delivered once each, in order of arrival; an id that appears late (a
/// PostgreSQL transaction that took its id before a later one committed) is still delivered
/// as long as it arrives within [`GAP_PATIENCE`].
pub async fn pump(db: Db, hub: Hub) {
    let mut cursor = Cursor::new(loop {
        match latest(&db).await {
            Ok(id) => break id,
            Err(error) => {
                tracing::warn!(%error, "live events: cannot read the latest event; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    });
    let mut listener = Listener::connect(&db).await;
    loop {
        // Registered before reading, so a commit that lands during the read still wakes us.
        let woken = COMMITTED.notified();
        let mut woken = std::pin::pin!(woken);
        woken.as_mut().enable();
        match rows_after(&db, cursor.floor, BATCH).await {
            Ok(rows) => {
                let full = rows.len() as i64 == BATCH;
                for event in cursor.fresh(rows, super::clock::now()) {
                    // No receivers is fine: nobody is watching right now.
                    let _ = hub.sender.send(event);
                }
                if full {
                    continue;
                }
            }
            Err(error) => tracing::warn!(%error, "live events: reading new events failed"),
        }
        listener.wait(woken).await;
    }
}

/// What the pump has delivered: every id up to `floor`, and the ids above it in `above`.
struct Cursor {
    floor: i64,
    above: BTreeSet<i64>,
    /// When the oldest id in `above` was delivered; after [`GAP_PATIENCE`] the missing ids
    /// below it are given up on.
    waiting_since: Option<DateTime<Utc>>,
}

impl Cursor {
    fn new(floor: i64) -> Self {
        Self { floor, above: BTreeSet::new(), waiting_since: None }
    }

    fn fresh(&mut self, rows: Vec<EventRow>, now: DateTime<Utc>) -> Vec<TicketEvent> {
        let mut fresh = Vec::new();
        for (id, ticket_id, kind, _) in rows {
            if id <= self.floor || !self.above.insert(id) {
                continue;
            }
            match decode_text(&kind) {
                Ok(kind) => fresh.push(TicketEvent { id, ticket_id, kind }),
                Err(error) => tracing::error!(%error, id, "live events: unknown event kind"),
            }
        }
        while self.above.remove(&(self.floor + 1)) {
            self.floor += 1;
        }
        if self.above.is_empty() {
            self.waiting_since = None;
        } else {
            let since = *self.waiting_since.get_or_insert(now);
            if now - since > chrono::Duration::from_std(GAP_PATIENCE).unwrap_or_default() {
                // Give up on the missing ids below the oldest delivered one.
                self.floor = self.above.pop_first().unwrap_or(self.floor);
                while self.above.remove(&(self.floor + 1)) {
                    self.floor += 1;
                }
                self.waiting_since = (!self.above.is_empty()).then_some(now);
            }
        }
        fresh
    }
}

/// Where wake-ups come from: this process's commits always, and on PostgreSQL every node's
/// commits through LISTEN.
enum Listener {
    Local,
    Postgres(Box<sqlx::postgres::PgListener>),
}

impl Listener {
    async fn connect(db: &Db) -> Self {
        let Db::Postgres(pool) = db else { return Self::Local };
        // Its own one-connection pool: a listener holds its connection for good, and one
        // taken from the app's pool would make closing that pool wait forever.
        let own = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with((*pool.connect_options()).clone());
        let listening = async {
            let mut listener = sqlx::postgres::PgListener::connect_with(&own).await?;
            listener.listen("ticket_events").await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match listening.await {
            Ok(listener) => Self::Postgres(Box::new(listener)),
            Err(error) => {
                tracing::error!(%error, "live events: cannot LISTEN; other nodes' events arrive by polling");
                Self::Local
            }
        }
    }

    async fn wait(&mut self, local: Pin<&mut Notified<'_>>) {
        match self {
            Self::Local => {
                let _ = tokio::time::timeout(POLL, local).await;
            }
            Self::Postgres(listener) => {
                tokio::select! {
                    _ = local => {}
                    received = listener.recv() => {
                        if let Err(error) = received {
                            // PgListener reconnects by itself on the next recv.
                            tracing::warn!(%error, "live events: LISTEN connection lost; reconnecting");
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                    }
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64) -> EventRow {
        (id, 1, "message".into(), Utc::now())
    }

    #[test]
    fn late_ids_are_delivered_once_and_gaps_are_given_up_after_a_while() {
        let mut cursor = Cursor::new(10);
        let t0 = Utc::now();
        let ids = |events: Vec<TicketEvent>| events.into_iter().map(|event| event.id).collect::<Vec<_>>();
        assert_eq!(ids(cursor.fresh(vec![row(11), row(13)], t0)), [11, 13]);
        assert_eq!(cursor.floor, 11, "12 may still be committing");
        assert_eq!(ids(cursor.fresh(vec![row(12), row(13)], t0)), [12], "13 is not sent twice");
        assert_eq!(cursor.floor, 13);
        assert_eq!(ids(cursor.fresh(vec![row(15)], t0)), [15]);
        let later = t0 + chrono::Duration::seconds(11);
        assert!(cursor.fresh(vec![row(15)], later).is_empty());
        assert_eq!(cursor.floor, 15, "14 never came; the pump moved on");
    }
}
