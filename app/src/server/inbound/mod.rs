//! Inbound messages from every channel: who sent it (identity resolution), which conversation
//! it continues (threading), and one transaction that records it with its files.
//!
//! Threading, in order:
//! 1. an email naming one of our Message-IDs (In-Reply-To, then References, newest first)
//!    continues that message's ticket;
//! 2. a ticket token (`[#123]`) in an email subject continues that ticket, if it is the
//!    sender's (tokens are guessable, so they never reach someone else's conversation);
//! 3. anything else continues the sender's most recently active ticket within the window,
//!    whatever channel it started on;
//! 4. otherwise a new ticket starts.
//!
//! A solved ticket found this way reopens if its last activity is within the window; a closed
//! one, or a solved one gone quiet for longer, gets a follow-up ticket that points back at it.
//!
//! The sender is found by identity resolution; a phone number counts as the same person on
//! SMS, WhatsApp and calls.
//!
//! Idempotency: provider message ids are unique per channel, so a provider's retry is answered
//! with what the first delivery recorded, and nothing is written twice.

pub mod calls;
pub mod email;
pub mod imap;
pub mod meta;
pub mod twilio;

use super::{
    accounts::random_token,
    attachments, clock,
    db::{BeginWrite, Db, decode_text, with_db},
    events::{self, ticket_event},
    identity::{self, Identifier},
};
use crate::{
    error::AppError,
    model::{Channel, IdentityKind, InteractionKind, MAX_ATTACHMENTS, TicketEventKind, TicketStatus},
};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

/// How inbound messages are threaded and how large they may be.
#[derive(Clone, Debug)]
pub struct InboundPolicy {
    /// A message joins (or reopens) the sender's latest ticket active within this long.
    pub thread_window: Duration,
    /// The most a message may carry, text and files together, in bytes.
    pub max_message_bytes: usize,
}

impl Default for InboundPolicy {
    fn default() -> Self {
        Self { thread_window: Duration::days(7), max_message_bytes: 25 * 1024 * 1024 }
    }
}

/// One message as a channel delivered it, before it is threaded.
#[derive(Clone, Debug)]
pub struct InboundMessage {
    pub channel: Channel,
    /// A message, or a phone call.
    pub kind: InteractionKind,
    /// The sender's identifiers, the channel's own first.
    pub from: Vec<Identifier>,
    pub display_name: String,
    pub subject: Option<String>,
    pub body: String,
    /// The provider's id for this message; a retried delivery carries the same one.
    pub provider_message_id: String,
    /// Email only: the Message-IDs this message answers, most relevant first.
    pub replies_to: Vec<String>,
    pub files: Vec<InboundFile>,
}

#[derive(Clone, Debug)]
pub struct InboundFile {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// What became of the message's conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Threaded {
    /// It continues an unsolved ticket.
    Joined,
    /// It reopened a solved ticket.
    Reopened,
    /// It started a new ticket.
    Created,
    /// It started a new ticket that follows up a closed (or long solved) one.
    FollowUp { of: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ingested {
    pub interaction_id: i64,
    pub ticket_id: i64,
    pub customer_id: i64,
    /// `None` when the message had been recorded before: this delivery was a retry.
    pub threaded: Option<Threaded>,
}

impl Ingested {
    pub fn duplicate(&self) -> bool {
        self.threaded.is_none()
    }
}

/// Who sent a message and what it names, worked out before its transaction.
struct Sender {
    customer_id: i64,
    provider_id: String,
    token: Option<i64>,
    replies_to: Vec<String>,
}

/// Checks a message and resolves its sender; a message recorded before is answered at once.
async fn prepare(db: &Db, policy: &InboundPolicy, message: &InboundMessage) -> Result<Result<Sender, Ingested>, AppError> {
    check(policy, message)?;
    let provider_id = message.provider_message_id.trim().to_owned();
    if let Some(done) = recorded(db, message.channel, &provider_id).await? {
        return Ok(Err(done));
    }
    let customer_id = identity::resolve_identity(db, &with_same_number(&message.from), &message.display_name).await?.customer_id;
    Ok(Ok(Sender {
        customer_id,
        provider_id,
        token: message.subject.as_deref().and_then(ticket_token),
        replies_to: message.replies_to.iter().map(|id| message_id(id)).collect(),
    }))
}

/// Threads and records a prepared message in the caller's transaction. Evaluates to `None`
/// when a concurrent delivery of the same message committed first (nothing was written);
/// database errors return from the enclosing function or block.
macro_rules! record_in {
    ($tx:ident, $policy:expr, $message:expr, $sender:expr, $now:expr) => {{
        let (policy, message, sender, now): (&InboundPolicy, &InboundMessage, &Sender, DateTime<Utc>) = ($policy, $message, $sender, $now);
        // Writing first takes SQLite's write lock at once and, on PostgreSQL, locks the
        // customer's row: one customer's messages thread one at a time, so two arriving
        // together never start two tickets.
        sqlx::query("update customers set last_contact_at = $1 where id = $2")
            .bind(now)
            .bind(sender.customer_id)
            .execute(&mut *$tx)
            .await?;

        let mut found: Option<(i64, String, DateTime<Utc>)> = None;
        for id in &sender.replies_to {
            found = sqlx::query_as(
                "select t.id, t.status, t.last_activity_at from interactions i join tickets t on t.id = i.ticket_id
                 where i.channel = 'email' and i.provider_message_id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *$tx)
            .await?;
            if found.is_some() {
                break;
            }
        }
        if found.is_none() && let Some(token) = sender.token {
            found = sqlx::query_as("select id, status, last_activity_at from tickets where id = $1 and customer_id = $2")
                .bind(token)
                .bind(sender.customer_id)
                .fetch_optional(&mut *$tx)
                .await?;
        }
        if found.is_none() {
            found = sqlx::query_as(
                "select id, status, last_activity_at from tickets
                 where customer_id = $1 and last_activity_at >= $2
                 order by status = 'closed', last_activity_at desc, id desc limit 1",
            )
            .bind(sender.customer_id)
            .bind(now - policy.thread_window)
            .fetch_optional(&mut *$tx)
            .await?;
        }
        let found = found.map(|(id, status, at)| Ok::<_, AppError>((id, decode_text::<TicketStatus>(&status)?, at))).transpose()?;
        let threaded = plan(found, now, policy.thread_window);

        let ticket_id = match (threaded, found) {
            (Threaded::Joined, Some((id, ..))) => {
                // The customer answered: a ticket waiting on them needs an agent again.
                sqlx::query(
                    "update tickets set status = case when status = 'pending' then 'open' else status end,
                         last_activity_at = $1, updated_at = $1 where id = $2",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *$tx)
                .await?;
                id
            }
            (Threaded::Reopened, Some((id, ..))) => {
                sqlx::query(
                    "update tickets set status = 'open', solved_at = null, disposition = null,
                         last_activity_at = $1, updated_at = $1 where id = $2",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *$tx)
                .await?;
                sqlx::query(
                    "insert into interactions (customer_id, ticket_id, kind, channel, body, created_at)
                     values ($1, $2, 'status_change', $3, 'Reopened by the customer''s reply', $4)",
                )
                .bind(sender.customer_id)
                .bind(id)
                .bind(message.channel.as_str())
                .bind(now)
                .execute(&mut *$tx)
                .await?;
                ticket_event!(&mut *$tx, id, TicketEventKind::Status, now)?;
                id
            }
            _ => {
                let follow_up_of = match threaded {
                    Threaded::FollowUp { of } => Some(of),
                    _ => None,
                };
                sqlx::query_scalar::<_, i64>(
                    "insert into tickets (customer_id, subject, status, priority, channel, follow_up_of,
                                          last_activity_at, created_at, updated_at)
                     values ($1, $2, 'new', 'normal', $3, $4, $5, $5, $5) returning id",
                )
                .bind(sender.customer_id)
                .bind(new_subject(message))
                .bind(message.channel.as_str())
                .bind(follow_up_of)
                .bind(now)
                .fetch_one(&mut *$tx)
                .await?
            }
        };

        let inserted = sqlx::query_scalar::<_, i64>(
            "insert into interactions (customer_id, ticket_id, kind, channel, body, provider_message_id, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (channel, provider_message_id) do nothing returning id",
        )
        .bind(sender.customer_id)
        .bind(ticket_id)
        .bind(message.kind.as_str())
        .bind(message.channel.as_str())
        .bind(message.body.trim())
        .bind(&sender.provider_id)
        .bind(now)
        .fetch_optional(&mut *$tx)
        .await?;
        match inserted {
            // A concurrent delivery of the same message committed first.
            None => None,
            Some(interaction_id) => {
                let owner = format!("inbound:{}", message.channel);
                for file in &message.files {
                    sqlx::query(attachments::INSERT_ATTACHMENT)
                    .bind(random_token())
                    .bind(&owner)
                    .bind(interaction_id)
                    .bind(&file.file_name)
                    .bind(&file.content_type)
                    .bind(file.content.len() as i64)
                    .bind(&file.content)
                    .bind(now)
                    .execute(&mut *$tx)
                    .await?;
                }
                ticket_event!(&mut *$tx, ticket_id, TicketEventKind::Message, now)?;
                Some(Ingested { interaction_id, ticket_id, customer_id: sender.customer_id, threaded: Some(threaded) })
            }
        }
    }};
}

/// Records an inbound message on its customer's timeline and in its conversation, committed
/// before this returns, in a transaction of its own.
pub async fn ingest(db: &Db, policy: &InboundPolicy, message: &InboundMessage) -> Result<Ingested, AppError> {
    let sender = match prepare(db, policy, message).await? {
        Ok(sender) => sender,
        Err(done) => return Ok(done),
    };
    let outcome = with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let outcome = record_in!(tx, policy, message, &sender, clock::now());
        match outcome {
            Some(_) => tx.commit().await?,
            None => tx.rollback().await?,
        }
        outcome
    });
    if outcome.is_some() {
        events::committed();
    }
    settle(db, message.channel, &sender.provider_id, outcome).await
}

/// The answer for a message once its transaction is over: what was recorded, or what the
/// concurrent delivery that won recorded.
async fn settle(db: &Db, channel: Channel, provider_id: &str, outcome: Option<Ingested>) -> Result<Ingested, AppError> {
    match outcome {
        Some(ingested) => Ok(ingested),
        None => recorded(db, channel, provider_id).await?.ok_or(AppError::Unavailable),
    }
}

/// Inbound messages as the server takes them. On SQLite one writer commits whatever has
/// queued up in one transaction (group commit): a synchronous commit costs a disk flush, and
/// SQLite has one writer anyway, so flushing once for many messages multiplies throughput.
/// Each message keeps its own savepoint, so a bad one fails alone. PostgreSQL commits
/// concurrently and groups flushes itself: each message gets its own transaction there.
#[derive(Clone)]
pub struct Ingestor {
    db: Db,
    policy: InboundPolicy,
    queue: Option<mpsc::Sender<Job>>,
}

struct Job {
    message: InboundMessage,
    sender: Sender,
    done: oneshot::Sender<Result<Option<Ingested>, AppError>>,
}

/// The most messages one group commit takes.
const MAX_GROUP: usize = 256;

impl Ingestor {
    /// Starts the SQLite writer task: call within the server's runtime.
    pub fn new(db: Db, policy: InboundPolicy) -> Self {
        let queue = match &db {
            Db::Sqlite(pool) => {
                let (queue, jobs) = mpsc::channel(4 * MAX_GROUP);
                tokio::spawn(write_groups(pool.clone(), policy.clone(), jobs));
                Some(queue)
            }
            Db::Postgres(_) => None,
        };
        Self { db, policy, queue }
    }

    pub fn policy(&self) -> &InboundPolicy {
        &self.policy
    }

    /// Records `message`, committed before this returns (see [`ingest`]).
    pub async fn ingest(&self, message: InboundMessage) -> Result<Ingested, AppError> {
        let Some(queue) = &self.queue else {
            return ingest(&self.db, &self.policy, &message).await;
        };
        let sender = match prepare(&self.db, &self.policy, &message).await? {
            Ok(sender) => sender,
            Err(done) => return Ok(done),
        };
        let (channel, provider_id) = (message.channel, sender.provider_id.clone());
        let (done, outcome) = oneshot::channel();
        queue.send(Job { message, sender, done }).await.map_err(|_| AppError::Unavailable)?;
        let outcome = outcome.await.map_err(|_| AppError::Unavailable)??;
        settle(&self.db, channel, &provider_id, outcome).await
    }
}

/// The SQLite writer: takes the first waiting message and every one queued behind it, and
/// commits them together.
async fn write_groups(pool: SqlitePool, policy: InboundPolicy, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        match commit_group(&pool, &policy, &group).await {
            Ok(outcomes) => {
                events::committed();
                for (job, outcome) in group.into_iter().zip(outcomes) {
                    let _ = job.done.send(outcome);
                }
            }
            Err(error) => {
                for job in group {
                    let _ = job.done.send(Err(error.clone()));
                }
            }
        }
    }
}

async fn commit_group(pool: &SqlitePool, policy: &InboundPolicy, group: &[Job]) -> Result<Vec<Result<Option<Ingested>, AppError>>, AppError> {
    let now = clock::now();
    let mut tx = pool.begin_write().await?;
    let mut outcomes = Vec::with_capacity(group.len());
    for job in group {
        let mut savepoint = sqlx::Acquire::begin(&mut *tx).await?;
        let outcome: Result<Option<Ingested>, AppError> = async { Ok(record_in!(savepoint, policy, &job.message, &job.sender, now)) }.await;
        match outcome {
            Ok(_) => savepoint.commit().await?,
            Err(_) => savepoint.rollback().await?,
        }
        outcomes.push(outcome);
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// The sender's identifiers, with a phone number also as a WhatsApp number and the other way
/// round: one number is one person whether they text, call or write on WhatsApp.
fn with_same_number(from: &[Identifier]) -> Vec<Identifier> {
    let mut all = from.to_vec();
    for identifier in from {
        let sibling = match identifier.kind {
            IdentityKind::Phone => IdentityKind::Whatsapp,
            IdentityKind::Whatsapp => IdentityKind::Phone,
            _ => continue,
        };
        if !all.iter().any(|known| known.kind == sibling) {
            all.push(Identifier::new(sibling, identifier.value.clone()));
        }
    }
    all
}

/// What an earlier delivery of this message recorded, if there was one.
async fn recorded(db: &Db, channel: Channel, provider_id: &str) -> Result<Option<Ingested>, AppError> {
    let row = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, Option<i64>, i64)>(
            "select id, ticket_id, customer_id from interactions where channel = $1 and provider_message_id = $2",
        )
        .bind(channel.as_str())
        .bind(provider_id)
        .fetch_optional(pool)
        .await?
    });
    Ok(row.map(|(interaction_id, ticket_id, customer_id)| Ingested {
        interaction_id,
        ticket_id: ticket_id.unwrap_or_default(),
        customer_id,
        threaded: None,
    }))
}

/// Whether the found ticket (id, status, last activity) is continued, reopened or followed up.
fn plan(found: Option<(i64, TicketStatus, DateTime<Utc>)>, now: DateTime<Utc>, window: Duration) -> Threaded {
    match found {
        None => Threaded::Created,
        Some((_, status, _)) if status.is_unsolved() => Threaded::Joined,
        Some((_, TicketStatus::Solved, last)) if now - last <= window => Threaded::Reopened,
        Some((of, ..)) => Threaded::FollowUp { of },
    }
}

/// Refuses what cannot be recorded, saying why; nothing is written.
fn check(policy: &InboundPolicy, message: &InboundMessage) -> Result<(), AppError> {
    let provider_id = message.provider_message_id.trim();
    if provider_id.is_empty() || provider_id.len() > 255 || provider_id.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "Every message needs the provider's message id (1 to 255 characters), so a retried delivery is recognised.",
        ));
    }
    if !matches!(message.kind, InteractionKind::MessageIn | InteractionKind::Call) {
        return Err(AppError::invalid("Only messages and calls arrive through a channel."));
    }
    if message.body.trim().is_empty() && message.files.is_empty() {
        return Err(AppError::invalid("The message has neither text nor attachments."));
    }
    if message.files.len() > 4 * MAX_ATTACHMENTS {
        return Err(AppError::invalid(format!("A message carries at most {} files.", 4 * MAX_ATTACHMENTS)));
    }
    if let Some(empty) = message.files.iter().find(|file| file.content.is_empty()) {
        return Err(AppError::invalid(format!("“{}” is empty.", empty.file_name)));
    }
    let size = message.body.len() + message.files.iter().map(|file| file.content.len()).sum::<usize>();
    if size > policy.max_message_bytes {
        return Err(too_large(policy));
    }
    Ok(())
}

pub fn too_large(policy: &InboundPolicy) -> AppError {
    AppError::invalid(format!(
        "The message is larger than {} MB, the most one message may carry with its files.",
        policy.max_message_bytes / (1024 * 1024)
    ))
}

/// `<id@host>`: Message-IDs compared the way they are stored, whatever brackets arrived.
pub fn message_id(raw: &str) -> String {
    format!("<{}>", raw.trim().trim_start_matches('<').trim_end_matches('>'))
}

/// The ticket number in a subject such as `Re: Refund [#42]`.
fn ticket_token(subject: &str) -> Option<i64> {
    subject.match_indices("[#").find_map(|(at, _)| {
        let rest = &subject[at + 2..];
        let (digits, _) = rest.split_once(']')?;
        digits.parse().ok().filter(|id: &i64| *id > 0)
    })
}

/// A new ticket's subject: the email's, or the message's first line.
fn new_subject(message: &InboundMessage) -> String {
    let from_text = message.body.lines().map(str::trim).find(|line| !line.is_empty());
    let subject = match (message.subject.as_deref().map(str::trim), from_text) {
        (Some(subject), _) if !subject.is_empty() => subject.to_owned(),
        (_, Some(line)) => line.to_owned(),
        _ => format!("{} message", message.channel.label()),
    };
    match subject.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", subject[..cut].trim_end()),
        None => subject,
    }
}

/// An attachment's name and media type made safe to store and serve.
pub fn inbound_file(file_name: &str, content_type: Option<&str>, content: Vec<u8>) -> InboundFile {
    InboundFile {
        file_name: attachments::file_name(file_name).unwrap_or_else(|_| "attachment".to_owned()),
        content_type: content_type
            .filter(|t| attachments::plausible_media_type(t))
            .unwrap_or("application/octet-stream")
            .to_owned(),
        content,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_tokens_are_read_from_subjects() {
        assert_eq!(ticket_token("Re: Refund for order 1182 [#42]"), Some(42));
        assert_eq!(ticket_token("[#x] then [#7]"), Some(7));
        assert_eq!(ticket_token("Order #42"), None);
        assert_eq!(ticket_token("[#0]"), None);
        assert_eq!(ticket_token("[#99999999999999999999]"), None);
    }

    #[test]
    fn message_ids_compare_with_brackets() {
        assert_eq!(message_id("abc@host"), "<abc@host>");
        assert_eq!(message_id(" <abc@host> "), "<abc@host>");
    }

    #[test]
    fn solved_reopens_within_the_window_and_closed_follows_up() {
        let now = Utc::now();
        let window = Duration::days(7);
        assert_eq!(plan(None, now, window), Threaded::Created);
        assert_eq!(plan(Some((1, TicketStatus::Pending, now)), now, window), Threaded::Joined);
        assert_eq!(plan(Some((1, TicketStatus::Solved, now - Duration::days(2))), now, window), Threaded::Reopened);
        assert_eq!(plan(Some((1, TicketStatus::Solved, now - Duration::days(9))), now, window), Threaded::FollowUp { of: 1 });
        assert_eq!(plan(Some((1, TicketStatus::Closed, now)), now, window), Threaded::FollowUp { of: 1 });
    }
}
