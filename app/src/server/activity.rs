//! What readers do in the help center, kept on their timeline: articles read, searches with
//! their result counts, "was this helpful?" answers. A visitor we do not know yet is remembered
//! by their visit (a random id in their session) until they sign in or send a request; then the
//! visit's activity moves onto their profile.

use super::{
    clock,
    db::{BeginWrite, Db, with_db},
    kb::readable,
    search,
};
use crate::{
    error::AppError,
    model::{Audience, InteractionKind},
};

/// Where the session keeps the visit id.
pub const VISIT_KEY: &str = "visit";

/// The longest "was this helpful?" comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 1_000;

/// One browsing session in the help center, and whose it is when we know.
#[derive(Clone, Debug)]
pub struct Visit {
    pub id: String,
    pub customer_id: Option<i64>,
}

/// A reader's answer to "was this helpful?".
pub struct Feedback<'a> {
    pub slug: &'a str,
    pub helpful: bool,
    pub comment: &'a str,
    /// Given from the contact form's suggestions: the answer made a request unnecessary.
    pub deflected: bool,
    /// Who answers: only an article they may read takes their vote.
    pub reader: Audience,
}

/// Counts a read of a published article, dated for the content team's insight, and puts it
/// on the reader's timeline.
pub async fn article_read(db: &Db, visit: &Visit, slug: &str, reader: Audience) -> Result<(), AppError> {
    let now = clock::now();
    let title = with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let Some((article_id, title)) = sqlx::query_as::<_, (i64, String)>(concat!(
            "update articles set view_count = view_count + 1
             where id = (select a.id from articles a where a.slug = $2 and ", readable!(), ")
             returning id, title",
        ))
        .bind(reader.rank())
        .bind(slug)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Err(AppError::NotFound);
        };
        sqlx::query("insert into help_center_events (kind, visit_id, article_id, created_at) values ('article_view', $1, $2, $3)")
            .bind(&visit.id)
            .bind(article_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        title
    });
    record(db, visit, InteractionKind::ArticleView, &format!("Read “{title}”")).await
}

/// Puts a search and how many articles it found on the reader's timeline.
pub async fn searched(db: &Db, visit: &Visit, query: &str, results: usize) -> Result<(), AppError> {
    let query = query.trim();
    if query.is_empty() || query.chars().count() > search::MAX_CHARS {
        return Err(AppError::invalid("That search cannot be recorded."));
    }
    let found = match results {
        0 => "no articles".to_owned(),
        1 => "1 article".to_owned(),
        n => format!("{n} articles"),
    };
    // Counted as one query however it was typed, so the content team sees what people ask.
    let counted = query.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let now = clock::now();
    with_db!(db, |pool| {
        sqlx::query(
            "insert into help_center_events (kind, visit_id, query, result_count, created_at) values ('search', $1, $2, $3, $4)",
        )
        .bind(&visit.id)
        .bind(&counted)
        .bind(i32::try_from(results).unwrap_or(i32::MAX))
        .bind(now)
        .execute(pool)
        .await?;
    });
    let body = format!("Searched the help center for “{query}” ({found})");
    record(db, visit, InteractionKind::Search, &body).await
}

/// Records a "was this helpful?" answer. One answer per article and visit: answering again
/// replaces the vote (the timeline keeps both, as they happened).
pub async fn feedback(db: &Db, visit: &Visit, feedback: Feedback<'_>) -> Result<(), AppError> {
    let comment = feedback.comment.trim();
    if comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(AppError::invalid(format!(
            "A comment has at most {MAX_COMMENT_CHARS} characters."
        )));
    }
    let now = clock::now();
    let title = with_db!(db, |pool| {
        let Some((article_id, title)) = sqlx::query_as::<_, (i64, String)>(concat!(
            "select a.id, a.title from articles a where a.slug = $2 and ",
            readable!()
        ))
        .bind(feedback.reader.rank())
        .bind(feedback.slug)
        .fetch_optional(pool)
        .await?
        else {
            return Err(AppError::NotFound);
        };
        sqlx::query(
            "insert into article_votes (article_id, visit_id, customer_id, helpful, comment, deflected, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (article_id, visit_id) do update
             set customer_id = excluded.customer_id, helpful = excluded.helpful,
                 comment = excluded.comment, deflected = excluded.deflected, created_at = excluded.created_at",
        )
        .bind(article_id)
        .bind(&visit.id)
        .bind(visit.customer_id)
        .bind(feedback.helpful)
        .bind(comment)
        .bind(feedback.deflected)
        .bind(now)
        .execute(pool)
        .await?;
        title
    });
    let body = match (feedback.deflected, feedback.helpful) {
        (true, _) => format!("Found the answer in “{title}” instead of sending a request"),
        (false, true) => format!("Found “{title}” helpful"),
        (false, false) => format!("Found “{title}” not helpful"),
    };
    let body = if comment.is_empty() { body } else { format!("{body}: {comment}") };
    record(db, visit, InteractionKind::ArticleFeedback, &body).await
}

async fn record(db: &Db, visit: &Visit, kind: InteractionKind, body: &str) -> Result<(), AppError> {
    let now = clock::now();
    with_db!(db, |pool| {
        match visit.customer_id {
            Some(customer_id) => {
                let mut tx = pool.begin_write().await?;
                sqlx::query(
                    "insert into interactions (customer_id, kind, channel, body, visit_id, created_at)
                     values ($1, $2, 'portal', $3, $4, $5)",
                )
                .bind(customer_id)
                .bind(kind.as_str())
                .bind(body)
                .bind(&visit.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query("update customers set last_seen_at = $1 where id = $2")
                    .bind(now)
                    .bind(customer_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            None => {
                sqlx::query(
                    "insert into visitor_activity (visit_id, kind, body, created_at) values ($1, $2, $3, $4)",
                )
                .bind(&visit.id)
                .bind(kind.as_str())
                .bind(body)
                .bind(now)
                .execute(pool)
                .await?;
            }
        }
    });
    Ok(())
}

/// Moves what this visit did anonymously onto the customer's timeline, keeping its times,
/// and gives the visit's votes an owner. Returns how many entries moved.
pub async fn attach(db: &Db, visit_id: &str, customer_id: i64) -> Result<u64, AppError> {
    Ok(with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let moved = sqlx::query(
            "insert into interactions (customer_id, kind, channel, body, visit_id, created_at)
             select $1, kind, 'portal', body, visit_id, created_at
             from visitor_activity where visit_id = $2 order by id",
        )
        .bind(customer_id)
        .bind(visit_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("delete from visitor_activity where visit_id = $1")
            .bind(visit_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("update article_votes set customer_id = $1 where visit_id = $2 and customer_id is null")
            .bind(customer_id)
            .bind(visit_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        moved
    }))
}

/// Links the help-center activity of visit $3 that is on no ticket yet to ticket $1 of customer
/// $2, so the agent sees what was read and searched before the customer asked.
pub(crate) const LINK_VISIT_TO_TICKET: &str = "
    update interactions set ticket_id = $1
    where customer_id = $2 and visit_id = $3 and ticket_id is null
      and kind in ('article_view', 'search', 'article_feedback')";
