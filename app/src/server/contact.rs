//! "Contact us": a request from the portal becomes a ticket with its context already on it,
//! what the customer read, searched and voted on in this visit, so nobody asks "what have you
//! tried?".

use super::{
    activity::{self, LINK_VISIT_TO_TICKET, Visit},
    attachments::{Claim, claim_uploads},
    clock,
    db::{BeginWrite, Db, with_db},
    events::{self, ticket_event},
    identity::{self, Identifier},
    tickets::{self, INSERT_TICKET},
};
use crate::{
    error::AppError,
    model::{Channel, IdentityKind, Priority, TicketEventKind},
};

/// The longest request description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;

/// Who is asking: a signed-in customer, or a visitor who gives a name and an email address.
pub enum Requester<'a> {
    Customer { customer_id: i64, user_id: i64 },
    Visitor { name: &'a str, email: &'a str },
}

pub struct NewRequest<'a> {
    pub subject: &'a str,
    pub description: &'a str,
    /// The help-center category the question is about; tags the ticket for routing.
    pub topic: Option<&'a str>,
    /// Chosen by the browser for this form; the same key sent twice makes one request.
    pub request_key: Option<&'a str>,
    /// Files uploaded with the form.
    pub files: Claim<'a>,
}

/// The new ticket's id, and whether this call created it (false: a resubmission of the same form).
#[derive(Debug, PartialEq, Eq)]
pub struct Sent {
    pub ticket_id: i64,
    pub created: bool,
    pub context_entries: u64,
}

pub async fn send_request(
    db: &Db,
    requester: Requester<'_>,
    visit: Option<&Visit>,
    request: NewRequest<'_>,
) -> Result<Sent, AppError> {
    let subject = tickets::subject(request.subject)?;
    let description = request.description.trim();
    if description.is_empty() {
        return Err(AppError::invalid("Describe what you need, so we can help straight away."));
    }
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(AppError::invalid(format!(
            "A description has at most {MAX_DESCRIPTION_CHARS} characters."
        )));
    }
    let request_key = request.request_key.map(str::trim).filter(|key| !key.is_empty());
    if request_key.is_some_and(|key| key.len() > 100) {
        return Err(AppError::invalid("That form has expired. Reload the page and send it again."));
    }
    let topic = match request.topic.map(str::trim).filter(|t| !t.is_empty()) {
        Some(slug) => Some(known_topic(db, slug).await?),
        None => None,
    };
    let (customer_id, author_id) = match requester {
        Requester::Customer { customer_id, user_id } => (customer_id, Some(user_id)),
        Requester::Visitor { name, email } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Err(AppError::invalid("Tell us your name (up to 100 characters)."));
            }
            let email = Identifier::new(IdentityKind::Email, email);
            (identity::resolve_identity(db, &[email], name).await?.customer_id, None)
        }
    };
    // Scoped to the customer, so one person's key can never find another's request.
    let request_key = request_key.map(|key| format!("request:{customer_id}:{key}"));
    if let Some(visit) = visit.filter(|visit| visit.customer_id.is_none()) {
        activity::attach(db, &visit.id, customer_id).await?;
    }
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let ticket_id = sqlx::query_scalar::<_, i64>(INSERT_TICKET)
            .bind(customer_id)
            .bind(subject)
            .bind(Priority::Normal.as_str())
            .bind(Channel::Portal.as_str())
            .bind(None::<i64>)
            .bind(None::<chrono::DateTime<chrono::Utc>>)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        let message = sqlx::query_scalar::<_, i64>(
            "insert into interactions (customer_id, ticket_id, kind, channel, body,
                                       provider_message_id, author_id, visit_id, created_at)
             values ($1, $2, 'message_in', 'portal', $3, $4, $5, $6, $7)
             on conflict (channel, provider_message_id) do nothing
             returning id",
        )
        .bind(customer_id)
        .bind(ticket_id)
        .bind(description)
        .bind(&request_key)
        .bind(author_id)
        .bind(visit.map(|visit| visit.id.as_str()))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(message) = message else {
            // The same form arrived before (a double submit or a retried request): answer
            // with the request it created and write nothing.
            tx.rollback().await?;
            let ticket_id = sqlx::query_scalar::<_, Option<i64>>(
                "select ticket_id from interactions where channel = 'portal' and provider_message_id = $1",
            )
            .bind(&request_key)
            .fetch_one(pool)
            .await?
            .ok_or(AppError::Internal)?;
            return Ok(Sent { ticket_id, created: false, context_entries: 0 });
        };
        claim_uploads!(tx, message, request.files)?;
        if let Some(topic) = &topic {
            sqlx::query("insert into ticket_tags (ticket_id, tag) values ($1, $2)")
                .bind(ticket_id)
                .bind(topic)
                .execute(&mut *tx)
                .await?;
        }
        let context_entries = match visit {
            Some(visit) => sqlx::query(LINK_VISIT_TO_TICKET)
                .bind(ticket_id)
                .bind(customer_id)
                .bind(&visit.id)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
            None => 0,
        };
        sqlx::query("update customers set last_contact_at = $1 where id = $2")
            .bind(now)
            .bind(customer_id)
            .execute(&mut *tx)
            .await?;
        ticket_event!(&mut *tx, ticket_id, TicketEventKind::Message, now)?;
        tx.commit().await?;
        events::committed();
        Ok(Sent { ticket_id, created: true, context_entries })
    })
}

/// The category slug as a ticket tag, if the help center has it.
async fn known_topic(db: &Db, slug: &str) -> Result<String, AppError> {
    let known = with_db!(db, |pool| {
        sqlx::query_scalar::<_, String>("select slug from categories where slug = $1")
            .bind(slug)
            .fetch_optional(pool)
            .await?
    });
    known.ok_or_else(|| AppError::invalid("Choose a topic from the list."))
}
