//! A customer's rights over their data: a copy of all of it, and erasure on request. Erasure
//! waits out a grace period (the customer may change their mind), then replaces what
//! identifies them and what they wrote, keeping tickets as anonymous records for reporting.

use super::{
    attachments,
    audit::audit,
    clock,
    db::{BeginWrite, Db, with_db},
    customers,
    requests,
};
use crate::{
    error::AppError,
    model::{CurrentUser, Customer, Identity, Interaction, TicketThread},
};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;

/// How long an erasure request waits by default; configurable per deployment.
pub const DEFAULT_GRACE: Duration = Duration::days(14);

/// Everything the product holds about one customer, as they download it.
#[derive(Debug, Serialize)]
pub struct DataExport {
    pub generated_at: DateTime<Utc>,
    pub account: ExportedAccount,
    pub profile: Option<Customer>,
    pub identities: Vec<Identity>,
    pub requests: Vec<TicketThread>,
    pub timeline: Vec<Interaction>,
    pub article_votes: Vec<ExportedVote>,
}

#[derive(Debug, Serialize)]
pub struct ExportedAccount {
    pub email: String,
    pub display_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct ExportedVote {
    pub article: String,
    pub helpful: bool,
    pub comment: String,
    pub created_at: DateTime<Utc>,
}

/// The signed-in customer's data: their account, profile, requests (as they see them, without
/// agents' internal notes), whole timeline and article votes.
pub async fn export(db: &Db, user: &CurrentUser) -> Result<DataExport, AppError> {
    let created_at = with_db!(db, |pool| {
        sqlx::query_scalar::<_, DateTime<Utc>>("select created_at from users where id = $1")
            .bind(user.id)
            .fetch_one(pool)
            .await?
    });
    let account = ExportedAccount { email: user.email.clone(), display_name: user.display_name.clone(), created_at };
    let mut export = DataExport {
        generated_at: clock::now(),
        account,
        profile: None,
        identities: Vec::new(),
        requests: Vec::new(),
        timeline: Vec::new(),
        article_votes: Vec::new(),
    };
    let Some(customer_id) = user.customer_id else {
        return Ok(export);
    };
    export.profile = Some(customers::customer(db, customer_id).await?);
    export.identities = customers::identities(db, customer_id).await?;
    let ticket_ids = with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>("select id from tickets where customer_id = $1 order by id")
            .bind(customer_id)
            .fetch_all(pool)
            .await?
    });
    for ticket_id in ticket_ids {
        export.requests.push(requests::my_request(db, customer_id, ticket_id).await?);
    }
    let mut after = None;
    loop {
        let page = requests::my_history(db, customer_id, None, None, after.as_ref()).await?;
        export.timeline.extend(page.items);
        match page.next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    export.article_votes = with_db!(db, |pool| {
        sqlx::query_as::<_, ExportedVote>(
            "select a.title as article, v.helpful, v.comment, v.created_at
             from article_votes v join articles a on a.id = v.article_id
             where v.customer_id = $1 order by v.created_at",
        )
        .bind(customer_id)
        .fetch_all(pool)
        .await?
    });
    Ok(export)
}

/// When the erasure the user asked for will happen, if one is pending.
pub async fn pending_erasure(db: &Db, user_id: i64) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_scalar::<_, DateTime<Utc>>(
            "select erase_after from deletion_requests
             where user_id = $1 and cancelled_at is null and erased_at is null",
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await?
    }))
}

/// Records a customer's request to erase their account, due after `grace`. Asking twice
/// keeps the first date. Staff accounts are removed by an admin, not erased this way.
pub async fn request_erasure(db: &Db, user: &CurrentUser, grace: Duration) -> Result<DateTime<Utc>, AppError> {
    if user.is_staff() {
        return Err(AppError::Forbidden);
    }
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "insert into deletion_requests (user_id, requested_at, erase_after) values ($1, $2, $3)
             on conflict (user_id) where cancelled_at is null and erased_at is null do nothing",
        )
        .bind(user.id)
        .bind(now)
        .bind(now + grace)
        .execute(&mut *tx)
        .await?;
        audit!(&mut *tx, Some(user.id), "privacy.erasure_requested", "user", Some(user.id), json!({}), now)?;
        tx.commit().await?;
    });
    pending_erasure(db, user.id).await?.ok_or(AppError::Internal)
}

/// The customer changed their mind before the grace period ended.
pub async fn cancel_erasure(db: &Db, user: &CurrentUser) -> Result<(), AppError> {
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let cancelled = sqlx::query(
            "update deletion_requests set cancelled_at = $1
             where user_id = $2 and cancelled_at is null and erased_at is null",
        )
        .bind(now)
        .bind(user.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if cancelled == 0 {
            return Err(AppError::invalid("There is no erasure request to cancel."));
        }
        audit!(&mut *tx, Some(user.id), "privacy.erasure_cancelled", "user", Some(user.id), json!({}), now)?;
        tx.commit().await?;
    });
    Ok(())
}

/// Erases every account whose grace period is over; returns how many. Run periodically by
/// the server; each account is erased in its own transaction, all of it or none.
pub async fn erase_due(db: &Db) -> Result<usize, AppError> {
    let now = clock::now();
    let due = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, i64)>(
            "select id, user_id from deletion_requests
             where erase_after <= $1 and cancelled_at is null and erased_at is null order by id",
        )
        .bind(now)
        .fetch_all(pool)
        .await?
    });
    for (request_id, user_id) in &due {
        erase(db, *request_id, *user_id).await?;
    }
    Ok(due.len())
}

/// What the customer wrote and what identifies them is replaced; the login can never sign in
/// again. Ticket rows stay, anonymous, so support statistics still add up.
const ERASE_STATEMENTS: &[&str] = &[
    // Their searches' words, found through their visits before those are forgotten below.
    "update help_center_events set query = '[erased]'
     where kind = 'search' and visit_id in (select visit_id from interactions where customer_id = $1 and visit_id is not null)",
    "update interactions set body = '[erased at the customer''s request]', visit_id = null
     where customer_id = $1",
    "update tickets set subject = '[erased]' where customer_id = $1",
    "delete from identities where customer_id = $1",
    "update customers set display_name = 'Erased customer', attributes = '{}', last_seen_at = null
     where id = $1",
    "update article_votes set comment = '', customer_id = null where customer_id = $1",
    "update satisfaction_ratings set comment = '' where customer_id = $1",
    "delete from attachments where interaction_id in (select id from interactions where customer_id = $1)",
    "update calls set customer_number = '[erased]', recording_url = null
     where interaction_id in (select id from interactions where customer_id = $1)",
    "update channel_outbox set to_address = '[erased]', body = '[erased]'
     where interaction_id in (select id from interactions where customer_id = $1)",
];

async fn erase(db: &Db, request_id: i64, user_id: i64) -> Result<(), AppError> {
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let (email, customer_id) = sqlx::query_as::<_, (String, Option<i64>)>(
            "select email, customer_id from users where id = $1",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        if let Some(customer_id) = customer_id {
            for statement in ERASE_STATEMENTS {
                sqlx::query(statement).bind(customer_id).execute(&mut *tx).await?;
            }
        }
        sqlx::query("delete from mail_outbox where to_address = $1 and sent_at is null")
            .bind(&email)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from account_tokens where user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from attachments where owner = $1")
            .bind(attachments::owner_of_user(user_id))
            .execute(&mut *tx)
            .await?;
        // An unusable hash and a new epoch: no password signs in and every session ends.
        sqlx::query(
            "update users set email = 'erased-' || cast(id as text) || '@erased.invalid',
                 display_name = 'Erased customer', password_hash = '!', customer_id = null,
                 email_verified_at = null, session_epoch = session_epoch + 1
             where id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("update deletion_requests set erased_at = $1 where id = $2")
            .bind(now)
            .bind(request_id)
            .execute(&mut *tx)
            .await?;
        audit!(&mut *tx, None::<i64>, "privacy.erased", "user", Some(user_id), json!({}), now)?;
        tx.commit().await?;
    });
    Ok(())
}
