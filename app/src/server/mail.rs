//! Outbound email. Mail is queued in `mail_outbox` in the same transaction as what caused it
//! (an agent's reply, a sign-up, a password reset); [`deliver_due`] sends it over SMTP. A
//! temporary failure is retried with exponential backoff, a permanent one is kept with its
//! reason, so nothing the product says it sent is silently lost. Several nodes may deliver
//! at once: each claims its rows for a while (with `SKIP LOCKED` on PostgreSQL).

use super::{
    accounts::random_token,
    clock, events,
    db::{BeginWrite, Db, with_db},
};
use crate::{error::AppError, model::Delivery};
use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, TryStreamExt, stream};
use std::collections::HashMap;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};

/// Rows one pass claims; the rest wait for the next pass.
pub(crate) const BATCH: i64 = 50;
/// Messages handed to the mail server (or a provider's API) at the same time.
pub(crate) const CONCURRENT_SENDS: usize = 8;
/// How long a claim holds: longer than one SMTP conversation may take, so a node that dies
/// mid-send gives its mail back to the queue.
pub(crate) const CLAIM: Duration = Duration::seconds(120);
/// After this many temporary failures (about four hours of backoff) the mail is given up.
const MAX_ATTEMPTS: i32 = 8;

/// Where this node sends mail, and as whom.
#[derive(Clone)]
pub struct MailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("invalid SMTP URL (expected smtp://[user:password@]host[:port][?tls=required] or smtps://…): {0}")]
    SmtpUrl(String),
    #[error("invalid sender address {0:?}: {1}")]
    From(String, String),
}

impl MailSender {
    /// `smtp_url`: `smtp://host:25` (a local relay), `smtp://user:password@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:password@host:465` (TLS from the start).
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, MailConfigError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|error| MailConfigError::SmtpUrl(error.to_string()))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from = from.parse().map_err(|error: lettre::address::AddressError| {
            MailConfigError::From(from.to_owned(), error.to_string())
        })?;
        Ok(Self { transport, from })
    }
}

/// What one delivery pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: i64,
    to_address: String,
    subject: String,
    body_text: String,
    message_id: Option<String>,
    in_reply_to: Option<String>,
    references_ids: Option<String>,
    attempts: i32,
    interaction_id: Option<i64>,
}

/// Claims due rows of an outbox table for one delivery pass and answers their columns.
/// SQLite runs one writer at a time, so its update claims alone; PostgreSQL nodes skip each
/// other's rows instead of waiting on them.
macro_rules! claim_due {
    ($db:expr, $row:ty, $table:literal, $columns:literal, $now:expr) => {{
        let sql = concat!(
            "update ", $table, " set claimed_until = $1, attempts = attempts + 1
             where id in (select id from ", $table, "
                          where sent_at is null and failed_at is null
                            and (next_attempt_at is null or next_attempt_at <= $2)
                            and (claimed_until is null or claimed_until <= $2)
                          order by id limit $3 {lock})
             returning ", $columns
        );
        let lock = if matches!($db, Db::Postgres(_)) { "for update skip locked" } else { "" };
        with_db!($db, |pool| {
            sqlx::query_as::<_, $row>(&sql.replace("{lock}", lock))
                .bind($now + $crate::server::mail::CLAIM)
                .bind($now)
                .bind($crate::server::mail::BATCH)
                .fetch_all(pool)
                .await?
        })
    }};
}
pub(crate) use claim_due;

/// Sends the mail that is due at `now`, once each, and records how each attempt went.
pub async fn deliver_due(db: &Db, sender: &MailSender, now: DateTime<Utc>) -> Result<DeliveryReport, AppError> {
    let claimed = claim_due!(
        db,
        Claimed,
        "mail_outbox",
        "id, to_address, subject, body_text, message_id, in_reply_to, references_ids, attempts, interaction_id",
        now
    );
    // Several conversations with the mail server at once (the transport pools connections):
    // each one spends most of its time waiting for the server's answers.
    let attempts: Vec<(i64, i32, Result<(), Failure>)> = stream::iter(claimed)
        .map(|mail| async move {
            let message_id = match &mail.message_id {
                Some(id) => id.clone(),
                None => assign_message_id(db, &mail, sender).await?,
            };
            let outcome = match compose(sender, &mail, &message_id) {
                Ok(message) => sender.transport.send(message).await.map(|_| ()).map_err(Failure::from),
                Err(reason) => Err(Failure::Permanent(reason)),
            };
            Ok::<_, AppError>((mail.id, mail.attempts, outcome))
        })
        .buffer_unordered(CONCURRENT_SENDS)
        .try_collect()
        .await?;
    let mut report = DeliveryReport::default();
    for (id, attempts, outcome) in attempts {
        settle(db, "mail_outbox", id, attempts, outcome, now, &mut report).await?;
    }
    Ok(report)
}

/// Records how one delivery attempt from an outbox table went: sent; due again after the
/// backoff; or given up, at once for a permanent failure and after the last retry otherwise.
pub(crate) async fn settle(
    db: &Db,
    table: &str,
    id: i64,
    attempts: i32,
    outcome: Result<(), Failure>,
    now: DateTime<Utc>,
    report: &mut DeliveryReport,
) -> Result<(), AppError> {
    let (set, at, reason) = match outcome {
        Ok(()) => {
            report.sent += 1;
            ("sent_at = $2, last_error = $3", now, None)
        }
        Err(Failure::Temporary(reason)) if attempts < MAX_ATTEMPTS => {
            report.retrying += 1;
            tracing::warn!(table, id, attempt = attempts, %reason, "not delivered; will retry");
            ("next_attempt_at = $2, last_error = $3", now + backoff(attempts), Some(reason))
        }
        Err(Failure::Temporary(reason) | Failure::Permanent(reason)) => {
            report.failed += 1;
            tracing::error!(table, id, attempts, %reason, "delivery given up");
            ("failed_at = $2, last_error = $3", now, Some(reason))
        }
    };
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query(&format!("update {table} set {set}, claimed_until = null where id = $1"))
            .bind(id)
            .bind(at)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        // Open workspaces show the reply's new delivery state without a reload.
        sqlx::query(&format!(
            "insert into ticket_events (ticket_id, kind, created_at)
             select i.ticket_id, 'message', $2 from {table} o join interactions i on i.id = o.interaction_id
             where o.id = $1 and i.ticket_id is not null"
        ))
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    });
    events::committed();
    Ok(())
}

/// Delivers what is due every `period`, until the task is dropped.
pub async fn deliver_every(db: Db, sender: MailSender, period: std::time::Duration) {
    run_every("mail", period, || deliver_due(&db, &sender, clock::now())).await
}

/// Runs a delivery pass every `period`, logging what each did, until the task is dropped.
pub(crate) async fn run_every<F, Fut>(what: &'static str, period: std::time::Duration, mut pass: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<DeliveryReport, AppError>>,
{
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        // A pass that found work is followed by another at once: a backlog drains at the
        // speed of the server, not one batch per period.
        loop {
            match pass().await {
                Ok(DeliveryReport { sent: 0, retrying: 0, failed: 0 }) => break,
                Ok(report) => tracing::info!(what, ?report, "delivery pass"),
                Err(error) => {
                    tracing::error!(what, %error, "delivery pass failed; retrying");
                    break;
                }
            }
        }
    }
}

/// 30 s after the first failure, doubling each time, at most an hour apart.
fn backoff(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 8) - 1;
    Duration::seconds((30_i64 << doublings).min(3600))
}

pub(crate) enum Failure {
    /// The server or the network may do better later (4xx, connection refused, timeout).
    Temporary(String),
    /// Retrying cannot help (5xx: no such mailbox, refused sender; an unusable address).
    Permanent(String),
}

impl From<lettre::transport::smtp::Error> for Failure {
    fn from(error: lettre::transport::smtp::Error) -> Self {
        if error.is_permanent() { Self::Permanent(error.to_string()) } else { Self::Temporary(error.to_string()) }
    }
}

/// Gives a mail its Message-ID before its first attempt, so every retry carries the same one
/// and a reply by email records it on its timeline entry: the customer's answer, which names
/// it in In-Reply-To, threads back to the ticket.
async fn assign_message_id(db: &Db, mail: &Claimed, sender: &MailSender) -> Result<String, AppError> {
    let local: String = random_token().chars().filter(char::is_ascii_alphanumeric).take(24).collect();
    let message_id = format!("<{local}.{}@{}>", mail.id, sender.from.email.domain());
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query("update mail_outbox set message_id = $1 where id = $2")
            .bind(&message_id)
            .bind(mail.id)
            .execute(&mut *tx)
            .await?;
        if let Some(interaction_id) = mail.interaction_id {
            sqlx::query("update interactions set provider_message_id = $1 where id = $2 and provider_message_id is null")
                .bind(&message_id)
                .bind(interaction_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    });
    Ok(message_id)
}

/// The message as the customer's mail client receives it: threading headers, and the text
/// both as plain text and as simple HTML.
fn compose(sender: &MailSender, mail: &Claimed, message_id: &str) -> Result<Message, String> {
    let to: Mailbox = mail.to_address.parse().map_err(|error| format!("unusable address {:?}: {error}", mail.to_address))?;
    let mut message = Message::builder()
        .from(sender.from.clone())
        .to(to)
        .subject(&mail.subject)
        .message_id(Some(message_id.to_owned()));
    if let Some(parent) = &mail.in_reply_to {
        message = message.in_reply_to(parent.clone());
    }
    if let Some(chain) = &mail.references_ids {
        message = message.references(chain.clone());
    }
    // Agents' replies (the mail with a timeline entry) are written in markdown, and articles
    // are inserted into them as markdown; the product's own mail is plain text.
    let body = match mail.interaction_id {
        Some(_) => crate::markdown::render_email_html(&mail.body_text),
        None => format!("<div style=\"font-family:sans-serif;line-height:1.5\">{}</div>", text_to_html(&mail.body_text)),
    };
    let html = format!("<!doctype html><html><body>{body}</body></html>");
    message
        .multipart(MultiPart::alternative_plain_html(mail.body_text.clone(), html))
        .map_err(|error| format!("could not build the message: {error}"))
}

/// Records the end of an attempt and releases the claim. `set` names the columns it sets,
/// with `$2` the time and `$3` the reason (both always used: PostgreSQL refuses unused ones).
/// A reply going out by email, queued with its timeline entry.
#[derive(Clone, Debug)]
pub struct EmailReply {
    pub to: String,
    pub subject: String,
}

/// The ticket's earlier emails with Message-IDs, oldest first, and whether each came from
/// the customer.
pub(crate) const EARLIER_EMAILS: &str = "select provider_message_id, kind = 'message_in' from interactions
     where ticket_id = $1 and channel = 'email' and provider_message_id is not null and id <> $2
     order by created_at, id";

pub(crate) const QUEUE_REPLY: &str = "insert into mail_outbox
     (to_address, subject, body_text, created_at, interaction_id, in_reply_to, references_ids)
     values ($1, $2, $3, $4, $5, $6, $7)";

/// In-Reply-To names the customer's latest message (or, lacking one, our latest), References
/// the whole conversation, so the customer's mail client shows one thread.
pub(crate) fn thread_headers(earlier: &[(String, bool)]) -> (Option<String>, Option<String>) {
    let parent = earlier.iter().rev().find(|(_, inbound)| *inbound).or(earlier.last());
    let chain = earlier.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(" ");
    (parent.map(|(id, _)| id.clone()), (!chain.is_empty()).then_some(chain))
}

/// Queues the email carrying the reply `$interaction_id` inside the caller's transaction, so
/// the reply and its delivery are recorded together or not at all.
macro_rules! queue_reply {
    ($tx:expr, $ticket_id:expr, $interaction_id:expr, $body:expr, $reply:expr, $now:expr) => {{
        let earlier: Vec<(String, bool)> = sqlx::query_as($crate::server::mail::EARLIER_EMAILS)
            .bind($ticket_id)
            .bind($interaction_id)
            .fetch_all(&mut *$tx)
            .await?;
        let (in_reply_to, references) = $crate::server::mail::thread_headers(&earlier);
        sqlx::query($crate::server::mail::QUEUE_REPLY)
            .bind(&$reply.to)
            .bind(&$reply.subject)
            .bind($body)
            .bind($now)
            .bind($interaction_id)
            .bind(in_reply_to)
            .bind(references)
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use queue_reply;

/// Where each reply sent by email or through a provider stands, by timeline entry.
pub async fn deliveries(db: &Db, ticket_id: i64) -> Result<HashMap<i64, Delivery>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, bool, bool, Option<String>)>(
            "select m.interaction_id, m.sent_at is not null, m.failed_at is not null, m.last_error
             from mail_outbox m join interactions i on i.id = m.interaction_id
             where i.ticket_id = $1
             union all
             select c.interaction_id, c.sent_at is not null, c.failed_at is not null, c.last_error
             from channel_outbox c join interactions i on i.id = c.interaction_id
             where i.ticket_id = $1",
        )
        .bind(ticket_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(interaction_id, sent, failed, last_error)| {
            let delivery = match (sent, failed) {
                (true, _) => Delivery::Sent,
                (false, true) => Delivery::Failed { reason: last_error.unwrap_or_default() },
                (false, false) => Delivery::Pending { last_error },
            };
            (interaction_id, delivery)
        })
        .collect())
}

/// Text as HTML: the five characters HTML gives a meaning escaped, line breaks kept.
fn text_to_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            '\n' => html.push_str("<br>"),
            c => html.push(c),
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_answer_the_customers_latest_message_and_reference_all() {
        let earlier = [("<a@c>".to_owned(), true), ("<b@us>".to_owned(), false), ("<c@c>".to_owned(), true), ("<d@us>".to_owned(), false)];
        assert_eq!(thread_headers(&earlier), (Some("<c@c>".into()), Some("<a@c> <b@us> <c@c> <d@us>".into())));
        assert_eq!(thread_headers(&earlier[1..2]), (Some("<b@us>".into()), Some("<b@us>".into())));
        assert_eq!(thread_headers(&[]), (None, None));
    }

    #[test]
    fn html_part_escapes_markup_and_keeps_lines() {
        assert_eq!(text_to_html("1 < 2 & \"x\"\nbye"), "1 &lt; 2 &amp; &quot;x&quot;<br>bye");
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        let waits: Vec<i64> = (1..=8).map(|attempt| backoff(attempt).num_seconds()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600]);
    }
}
