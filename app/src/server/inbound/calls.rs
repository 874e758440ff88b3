//! Phone calls, reported event by event by a telephony system (a generic CTI integration):
//! started, answered, ended. The first event for a call puts it on the customer's timeline
//! and in their conversation like any inbound message; later events fill in its facts, and
//! the timeline entry is rewritten from them. Events may arrive twice or out of order.

use super::{InboundMessage, InboundPolicy, Ingested, ingest};
use crate::{
    error::AppError,
    model::{CallDirection, Channel, CurrentUser, IdentityKind, InteractionKind, TicketEventKind},
    server::{
        clock,
        db::{BeginWrite, Db, with_db},
        events::{self, ticket_event},
        identity::{self, Identifier},
        tickets::{self, NewInteraction, Recorded},
        users,
    },
};
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallEventKind {
    Started,
    Answered,
    Ended,
}

/// One event of one call, as the telephony system reports it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallEvent {
    /// The telephony system's id for the call; every event of the call carries it.
    pub call_id: String,
    pub event: CallEventKind,
    pub direction: CallDirection,
    /// The customer's number: the caller of an inbound call, the callee of an outbound one.
    pub customer_number: String,
    /// The agent who took or made the call, by their login email.
    pub agent_email: Option<String>,
    /// When it happened; now if not given.
    pub at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<u32>,
    pub recording_url: Option<String>,
    /// How the call ended, in the call centre's words (e.g. "resolved", "callback").
    pub disposition: Option<String>,
}

/// The facts of a call so far.
struct Facts {
    direction: String,
    customer_number: String,
    agent_name: Option<String>,
    answered: bool,
    ended: bool,
    duration_seconds: Option<i32>,
    recording_url: Option<String>,
    disposition: Option<String>,
}

/// Records one call event; answers the call's timeline entry and conversation.
pub async fn record(db: &Db, policy: &InboundPolicy, event: &CallEvent) -> Result<Ingested, AppError> {
    let number = identity::normalize(IdentityKind::Phone, &event.customer_number)?;
    if let Some(url) = &event.recording_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2_000 {
            return Err(AppError::invalid("The recording URL must be an http(s) address of at most 2000 characters."));
        }
    }
    if event.disposition.as_deref().is_some_and(|d| d.chars().count() > 100) {
        return Err(AppError::invalid("A disposition has at most 100 characters."));
    }
    let agent_id = match &event.agent_email {
        Some(email) => Some(staff_by_email(db, email).await?),
        None => None,
    };
    let message = InboundMessage {
        channel: Channel::Phone,
        kind: InteractionKind::Call,
        from: vec![Identifier::new(IdentityKind::Phone, number.clone())],
        display_name: String::new(),
        subject: Some(format!("{} call with {number}", capitalized(event.direction.as_str()))),
        body: format!("{} call with {number}", capitalized(event.direction.as_str())),
        provider_message_id: event.call_id.clone(),
        replies_to: Vec::new(),
        files: Vec::new(),
    };
    let recorded = ingest(db, policy, &message).await?;
    let at = event.at.unwrap_or_else(clock::now);
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "insert into calls (interaction_id, direction, customer_number) values ($1, $2, $3)
             on conflict (interaction_id) do nothing",
        )
        .bind(recorded.interaction_id)
        .bind(event.direction.as_str())
        .bind(&number)
        .execute(&mut *tx)
        .await?;
        // Each fact is kept once known: a repeated or late event never erases one.
        sqlx::query(
            "update calls set
                 agent_id = coalesce($2, agent_id),
                 started_at = case when $3 = 'started' then coalesce(started_at, $4) else started_at end,
                 answered_at = case when $3 = 'answered' then coalesce(answered_at, $4) else answered_at end,
                 ended_at = case when $3 = 'ended' then coalesce(ended_at, $4) else ended_at end,
                 duration_seconds = coalesce($5, duration_seconds),
                 recording_url = coalesce($6, recording_url),
                 disposition = coalesce($7, disposition)
             where interaction_id = $1",
        )
        .bind(recorded.interaction_id)
        .bind(agent_id)
        .bind(match event.event {
            CallEventKind::Started => "started",
            CallEventKind::Answered => "answered",
            CallEventKind::Ended => "ended",
        })
        .bind(at)
        .bind(event.duration_seconds.map(|seconds| seconds.min(i32::MAX as u32) as i32))
        .bind(&event.recording_url)
        .bind(event.disposition.as_deref().map(str::trim).filter(|d| !d.is_empty()))
        .execute(&mut *tx)
        .await?;
        let facts = sqlx::query_as::<_, (String, String, Option<String>, bool, bool, Option<i32>, Option<String>, Option<String>)>(
            "select c.direction, c.customer_number, u.display_name, c.answered_at is not null, c.ended_at is not null,
                    c.duration_seconds, c.recording_url, c.disposition
             from calls c left join users u on u.id = c.agent_id where c.interaction_id = $1",
        )
        .bind(recorded.interaction_id)
        .fetch_one(&mut *tx)
        .await?;
        let (direction, customer_number, agent_name, answered, ended, duration_seconds, recording_url, disposition) = facts;
        let facts = Facts { direction, customer_number, agent_name, answered, ended, duration_seconds, recording_url, disposition };
        sqlx::query("update interactions set body = $1, author_id = coalesce($2, author_id) where id = $3")
            .bind(describe(&facts))
            .bind(agent_id)
            .bind(recorded.interaction_id)
            .execute(&mut *tx)
            .await?;
        ticket_event!(&mut *tx, recorded.ticket_id, TicketEventKind::Message, now)?;
        tx.commit().await?;
    });
    events::committed();
    Ok(recorded)
}

/// A call an agent had outside the telephony integration, told in their own words.
pub struct LoggedCall<'a> {
    pub direction: CallDirection,
    /// The customer's number, in any usual notation.
    pub number: &'a str,
    pub minutes: u32,
    /// How it ended, e.g. "resolved" or "callback tomorrow"; may be empty.
    pub outcome: &'a str,
    /// What was said; may be empty.
    pub notes: &'a str,
}

/// The facts of a logged call, stored in its entry's transaction.
#[derive(Clone, Debug)]
pub struct CallRecord {
    pub direction: CallDirection,
    pub customer_number: String,
    pub agent_id: i64,
    pub ended_at: DateTime<Utc>,
    pub duration_seconds: i32,
    pub disposition: Option<String>,
}

/// Stores a logged call's facts in the caller's transaction: `$tx`, its interaction, the
/// [`CallRecord`].
macro_rules! insert_call {
    ($tx:expr, $interaction_id:expr, $call:expr) => {
        sqlx::query(
            "insert into calls (interaction_id, direction, customer_number, agent_id, started_at, answered_at,
                                ended_at, duration_seconds, disposition)
             values ($1, $2, $3, $4, $5, $5, $6, $7, $8)",
        )
        .bind($interaction_id)
        .bind($call.direction.as_str())
        .bind(&$call.customer_number)
        .bind($call.agent_id)
        .bind($call.ended_at - chrono::Duration::seconds(i64::from($call.duration_seconds)))
        .bind($call.ended_at)
        .bind($call.duration_seconds)
        .bind(&$call.disposition)
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use insert_call;

const MAX_CALL_MINUTES: u32 = 24 * 60;
const MAX_NOTES_CHARS: usize = 10_000;

/// Logs a call the agent had with the ticket's customer: one call entry in the conversation,
/// read like those the telephony system reports, followed by the agent's notes.
pub async fn log(db: &Db, agent: &CurrentUser, ticket_id: i64, call: LoggedCall<'_>) -> Result<i64, AppError> {
    let number = identity::normalize(IdentityKind::Phone, call.number)?;
    if call.minutes > MAX_CALL_MINUTES {
        return Err(AppError::invalid("A call lasts at most 24 hours (1440 minutes)."));
    }
    let outcome = call.outcome.trim();
    if outcome.chars().count() > 100 {
        return Err(AppError::invalid("An outcome has at most 100 characters."));
    }
    let notes = call.notes.trim();
    if notes.chars().count() > MAX_NOTES_CHARS {
        return Err(AppError::invalid(format!("Call notes have at most {MAX_NOTES_CHARS} characters.")));
    }
    let summary = tickets::summary(db, ticket_id).await?;
    let record = CallRecord {
        direction: call.direction,
        customer_number: number,
        agent_id: agent.id,
        ended_at: clock::now(),
        duration_seconds: (call.minutes * 60) as i32,
        disposition: (!outcome.is_empty()).then(|| outcome.to_owned()),
    };
    let facts = Facts {
        direction: call.direction.as_str().to_owned(),
        customer_number: record.customer_number.clone(),
        agent_name: Some(agent.display_name.clone()),
        answered: true,
        ended: true,
        duration_seconds: Some(record.duration_seconds),
        recording_url: None,
        disposition: record.disposition.clone(),
    };
    let mut body = describe(&facts);
    if !notes.is_empty() {
        body.push_str("\n\n");
        body.push_str(notes);
    }
    let entry = NewInteraction {
        customer_id: summary.customer_id,
        ticket_id: Some(ticket_id),
        kind: InteractionKind::Call,
        channel: Channel::Phone,
        body: &body,
        provider_message_id: None,
        author_id: Some(agent.id),
        files: Default::default(),
        outbound: None,
        call: Some(record),
    };
    match tickets::record_interaction(db, entry).await? {
        Recorded::New(id) | Recorded::Duplicate(id) => Ok(id),
    }
}

async fn staff_by_email(db: &Db, raw: &str) -> Result<i64, AppError> {
    let email = users::normalize_email(raw)?;
    let id = with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>("select id from users where email = $1 and role <> 'customer'")
            .bind(&email)
            .fetch_optional(pool)
            .await?
    });
    id.ok_or_else(|| AppError::invalid(format!("No agent signs in as {email}.")))
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The call's timeline entry: "Inbound call with +44…, answered by Sam, 4 min 12 s.", then
/// the disposition and the recording.
fn describe(facts: &Facts) -> String {
    let mut text = format!("{} call with {}", capitalized(&facts.direction), facts.customer_number);
    match (&facts.agent_name, facts.answered || facts.duration_seconds.is_some()) {
        (Some(agent), true) if facts.direction == CallDirection::Outbound.as_str() => {
            text.push_str(&format!(", made by {agent}"))
        }
        (Some(agent), true) => text.push_str(&format!(", answered by {agent}")),
        (Some(agent), false) => text.push_str(&format!(", for {agent}")),
        (None, _) => {}
    }
    match (facts.ended, facts.duration_seconds) {
        (_, Some(seconds)) => text.push_str(&format!(", {}", duration(seconds))),
        (true, None) if !facts.answered => text.push_str(", not answered"),
        (false, None) if facts.answered => text.push_str(", in progress"),
        _ => {}
    }
    text.push('.');
    if let Some(disposition) = &facts.disposition {
        text.push_str(&format!("\nOutcome: {disposition}"));
    }
    if let Some(url) = &facts.recording_url {
        text.push_str(&format!("\nRecording: {url}"));
    }
    text
}

fn duration(seconds: i32) -> String {
    match seconds {
        ..60 => format!("{seconds} s"),
        _ => format!("{} min {} s", seconds / 60, seconds % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            direction: "inbound".into(),
            customer_number: "+447911123456".into(),
            agent_name: None,
            answered: false,
            ended: false,
            duration_seconds: None,
            recording_url: None,
            disposition: None,
        }
    }

    #[test]
    fn a_call_reads_as_its_facts_so_far() {
        assert_eq!(describe(&facts()), "Inbound call with +447911123456.");
        let answered = Facts { agent_name: Some("Sam Agent".into()), answered: true, ..facts() };
        assert_eq!(describe(&answered), "Inbound call with +447911123456, answered by Sam Agent, in progress.");
        let ended = Facts {
            ended: true,
            duration_seconds: Some(252),
            disposition: Some("resolved".into()),
            recording_url: Some("https://pbx.example/r/1.mp3".into()),
            ..answered
        };
        assert_eq!(
            describe(&ended),
            "Inbound call with +447911123456, answered by Sam Agent, 4 min 12 s.\nOutcome: resolved\nRecording: https://pbx.example/r/1.mp3"
        );
        let missed = Facts { ended: true, ..facts() };
        assert_eq!(describe(&missed), "Inbound call with +447911123456, not answered.");
    }
}
