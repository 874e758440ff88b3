//! Writing the knowledge base: articles created and saved by editors, every save a revision,
//! a stale save refused rather than overwriting, the draft → review → published → archived
//! workflow, scheduled publishing, and restoring an old revision. The reading side (the
//! help center) is `kb`; search indexes every write in its transaction.

use super::{
    audit::audit,
    clock,
    db::{BeginWrite, Db, decode_text, with_db},
};
use crate::{
    error::AppError,
    markdown::{link_targets, plain_text, render_web_html},
    model::{
        ArticleFields, ArticleListItem, ArticleStatus, Audience, BrokenLink, CurrentUser, DiffLine, EditableArticle, RevisionSummary,
        Role,
    },
};
use chrono::{DateTime, Utc};
use serde_json::json;

const MAX_TITLE_CHARS: usize = 200;
const MAX_SUMMARY_CHARS: usize = 300;
const MAX_BODY_BYTES: usize = 200_000;
const MAX_TAGS: usize = 20;

/// Admins write articles; agents and supervisors once an admin lets them.
pub async fn require_editor(db: &Db, user: &CurrentUser) -> Result<(), AppError> {
    if user.role == Role::Admin {
        return Ok(());
    }
    if !user.is_staff() {
        return Err(AppError::Forbidden);
    }
    let allowed = with_db!(db, |pool| {
        sqlx::query_scalar::<_, bool>("select edits_articles from users where id = $1")
            .bind(user.id)
            .fetch_optional(pool)
            .await?
    });
    match allowed {
        Some(true) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// The body as readers will see it, for the editor's preview: rendered by the code that
/// renders it on save, so the preview is exactly what gets published.
pub fn preview(body_markdown: &str) -> Result<String, AppError> {
    check_body_size(body_markdown)?;
    Ok(render_web_html(body_markdown))
}

fn check_body_size(body_markdown: &str) -> Result<(), AppError> {
    match body_markdown.len() > MAX_BODY_BYTES {
        true => Err(AppError::invalid("An article body is at most 200 KB; split it into several articles.")),
        false => Ok(()),
    }
}

/// The fields, trimmed and checked; tags lower-cased, unique, in the order given.
fn checked(fields: &ArticleFields) -> Result<ArticleFields, AppError> {
    let title = fields.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(AppError::invalid(format!("An article title has 1 to {MAX_TITLE_CHARS} characters.")));
    }
    let summary = fields.summary.trim();
    if summary.chars().count() > MAX_SUMMARY_CHARS {
        return Err(AppError::invalid(format!(
            "A summary has at most {MAX_SUMMARY_CHARS} characters: it is what chat and SMS send."
        )));
    }
    if fields.body_markdown.trim().is_empty() {
        return Err(AppError::invalid("An article needs a body."));
    }
    check_body_size(&fields.body_markdown)?;
    let mut tags: Vec<String> = Vec::new();
    for tag in fields.tags.iter().map(|tag| tag.trim().to_lowercase()).filter(|tag| !tag.is_empty()) {
        if tag.chars().count() > 40 || tag.chars().any(|c| c.is_control() || c == ',') {
            return Err(AppError::invalid(format!("“{tag}” is not a tag: at most 40 characters, no commas.")));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(AppError::invalid(format!("An article has at most {MAX_TAGS} tags.")));
    }
    Ok(ArticleFields {
        title: title.to_owned(),
        summary: summary.to_owned(),
        body_markdown: fields.body_markdown.clone(),
        category_id: fields.category_id,
        tags,
        audience: fields.audience,
    })
}

/// The address an article gets from its title: lower-case words joined by hyphens.
pub(crate) fn slug_of(title: &str) -> String {
    let mut slug = String::with_capacity(title.len());
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(80).collect();
    match slug.is_empty() {
        true => "article".to_owned(),
        false => slug.trim_end_matches('-').to_owned(),
    }
}

/// `base`, or the first address after it that `taken` does not hold ("reset-password-2").
/// `taken`: the addresses in use that are `base` or start with `base-`.
pub(crate) fn first_free_slug(base: &str, taken: &[String]) -> String {
    (1..)
        .map(|n| if n == 1 { base.to_owned() } else { format!("{base}-{n}") })
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_else(|| base.to_owned())
}

/// Writes the article's row fields shared by create and save; `$tx`, the article id, the
/// checked fields. Replaces the tags and records the revision the save made.
macro_rules! write_tags_and_revision {
    ($tx:expr, $article_id:expr, $fields:expr, $version:expr, $author_id:expr, $now:expr) => {{
        sqlx::query("delete from article_tags where article_id = $1").bind($article_id).execute(&mut *$tx).await?;
        for tag in &$fields.tags {
            sqlx::query("insert into article_tags (article_id, tag) values ($1, $2)")
                .bind($article_id)
                .bind(tag)
                .execute(&mut *$tx)
                .await?;
        }
        sqlx::query(
            "insert into article_revisions (article_id, title, summary, body_markdown, version, author_id, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($article_id)
        .bind(&$fields.title)
        .bind(&$fields.summary)
        .bind(&$fields.body_markdown)
        .bind($version)
        .bind($author_id)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Refuses a category that does not exist, inside the caller's transaction.
macro_rules! category_exists {
    ($tx:expr, $category_id:expr) => {
        if sqlx::query_scalar::<_, i64>("select id from categories where id = $1")
            .bind($category_id)
            .fetch_optional(&mut *$tx)
            .await?
            .is_none()
        {
            return Err(AppError::invalid("Choose a category that exists."));
        }
    };
}

/// A new draft, its first revision saved with it, at an address made from its title.
pub async fn create(db: &Db, author: &CurrentUser, fields: &ArticleFields) -> Result<EditableArticle, AppError> {
    insert(db, author, fields, None).await
}

/// A new draft at the address `slug`: an import keeps its articles' addresses (and links).
pub async fn create_as(db: &Db, author: &CurrentUser, fields: &ArticleFields, slug: &str) -> Result<EditableArticle, AppError> {
    if slug_of(slug) != slug {
        return Err(AppError::invalid(format!("“{slug}” is not an article address: lower-case words joined by hyphens.")));
    }
    insert(db, author, fields, Some(slug)).await
}

async fn insert(db: &Db, author: &CurrentUser, fields: &ArticleFields, slug: Option<&str>) -> Result<EditableArticle, AppError> {
    let fields = checked(fields)?;
    let base = slug.map_or_else(|| slug_of(&fields.title), str::to_owned);
    let now = clock::now();
    let id = with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        category_exists!(tx, fields.category_id);
        let taken = sqlx::query_scalar::<_, String>("select slug from articles where slug = $1 or slug like $2")
            .bind(&base)
            .bind(format!("{base}-%"))
            .fetch_all(&mut *tx)
            .await?;
        if slug.is_some() && taken.contains(&base) {
            return Err(AppError::Conflict(format!("An article already has the address {base}.")));
        }
        let slug = first_free_slug(&base, &taken);
        let id = sqlx::query_scalar::<_, i64>(
            "insert into articles (category_id, slug, title, summary, body_markdown, body_text, body_html, status,
                                   audience, version, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, 1, $9, $9) returning id",
        )
        .bind(fields.category_id)
        .bind(&slug)
        .bind(&fields.title)
        .bind(&fields.summary)
        .bind(&fields.body_markdown)
        .bind(plain_text(&fields.body_markdown))
        .bind(render_web_html(&fields.body_markdown))
        .bind(fields.audience.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        write_tags_and_revision!(tx, id, fields, 1, author.id, now);
        audit!(&mut *tx, Some(author.id), "article.create", "article", Some(id), json!({ "slug": slug }), now)?;
        tx.commit().await?;
        id
    });
    article(db, id).await
}

/// Saves the editor's fields over `base_version`, the version they opened. If someone saved
/// in between, nothing is written and the answer says who and when: the editor compares and
/// saves again, and never silently overwrites a colleague.
pub async fn save(
    db: &Db,
    author: &CurrentUser,
    article_id: i64,
    base_version: i32,
    fields: &ArticleFields,
) -> Result<EditableArticle, AppError> {
    let fields = checked(fields)?;
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        category_exists!(tx, fields.category_id);
        let saved = sqlx::query_scalar::<_, i32>(
            "update articles set title = $1, summary = $2, body_markdown = $3, body_text = $4, body_html = $5,
                 category_id = $6, audience = $7, version = version + 1, updated_at = $8
             where id = $9 and version = $10 returning version",
        )
        .bind(&fields.title)
        .bind(&fields.summary)
        .bind(&fields.body_markdown)
        .bind(plain_text(&fields.body_markdown))
        .bind(render_web_html(&fields.body_markdown))
        .bind(fields.category_id)
        .bind(fields.audience.as_str())
        .bind(now)
        .bind(article_id)
        .bind(base_version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(version) = saved else {
            tx.rollback().await?;
            return Err(stale(db, article_id, base_version).await?);
        };
        write_tags_and_revision!(tx, article_id, fields, version, author.id, now);
        tx.commit().await?;
    });
    article(db, article_id).await
}

/// Why a save over `base_version` was refused: the article is gone, or who saved since.
async fn stale(db: &Db, article_id: i64, base_version: i32) -> Result<AppError, AppError> {
    let latest = with_db!(db, |pool| {
        sqlx::query_as::<_, (i32, Option<String>, DateTime<Utc>)>(
            "select r.version, u.display_name, r.created_at
             from article_revisions r left join users u on u.id = r.author_id
             where r.article_id = $1 order by r.id desc limit 1",
        )
        .bind(article_id)
        .fetch_optional(pool)
        .await?
    });
    Ok(match latest {
        None => AppError::NotFound,
        Some((version, author, at)) => AppError::Conflict(format!(
            "{} saved version {version} at {} UTC while you were editing version {base_version}. \
             Your changes are not saved: compare them with the latest version, then save again.",
            author.as_deref().unwrap_or("Someone"),
            at.format("%H:%M:%S"),
        )),
    })
}

/// Moves an article along its workflow. Publishing makes it readable (and searchable) in the
/// same transaction and cancels any schedule; archiving takes it down.
pub async fn set_status(db: &Db, actor: &CurrentUser, article_id: i64, status: ArticleStatus) -> Result<EditableArticle, AppError> {
    let current = article(db, article_id).await?;
    use ArticleStatus::*;
    let allowed = match (current.status, status) {
        (from, to) if from == to => false,
        (Draft, InReview | Published | Archived) | (InReview, Draft | Published | Archived) => true,
        (Published, Archived | Draft) | (Archived, Draft | Published) => true,
        _ => false,
    };
    if !allowed {
        return Err(AppError::invalid(format!(
            "An article that is {} cannot become {}.",
            current.status.label(),
            status.label()
        )));
    }
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query("update articles set status = $1, publish_at = null, updated_at = $2 where id = $3")
            .bind(status.as_str())
            .bind(now)
            .bind(article_id)
            .execute(&mut *tx)
            .await?;
        let details = json!({ "from": current.status.as_str(), "to": status.as_str() });
        audit!(&mut *tx, Some(actor.id), "article.status", "article", Some(article_id), details, now)?;
        tx.commit().await?;
    });
    article(db, article_id).await
}

/// Publishes the article by itself at `at`; `None` cancels the schedule.
pub async fn schedule(db: &Db, actor: &CurrentUser, article_id: i64, at: Option<DateTime<Utc>>) -> Result<EditableArticle, AppError> {
    let current = article(db, article_id).await?;
    if at.is_some() && !matches!(current.status, ArticleStatus::Draft | ArticleStatus::InReview) {
        return Err(AppError::invalid("Only a draft or an article in review can be scheduled."));
    }
    let now = clock::now();
    if at.is_some_and(|at| at <= now) {
        return Err(AppError::invalid("Choose a time in the future, or publish now."));
    }
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query("update articles set publish_at = $1 where id = $2")
            .bind(at)
            .bind(article_id)
            .execute(&mut *tx)
            .await?;
        audit!(&mut *tx, Some(actor.id), "article.schedule", "article", Some(article_id), json!({ "at": at }), now)?;
        tx.commit().await?;
    });
    article(db, article_id).await
}

/// Publishes every scheduled article whose time has come; answers how many.
pub async fn publish_due(db: &Db) -> Result<u64, AppError> {
    let now = clock::now();
    Ok(with_db!(db, |pool| {
        sqlx::query(
            "update articles set status = 'published', publish_at = null, updated_at = $1
             where publish_at <= $1 and status in ('draft', 'in_review')",
        )
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
    }))
}

/// Publishes scheduled articles every `period`, for as long as the server runs.
pub async fn publish_every(db: Db, period: std::time::Duration) {
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match publish_due(&db).await {
            Ok(0) => {}
            Ok(published) => tracing::info!(published, "published scheduled articles"),
            Err(error) => tracing::warn!(%error, "publishing scheduled articles failed"),
        }
    }
}

/// Links between articles that readers cannot follow: to an address no article has, to one
/// that is not published, or from an article customers read to a staff-only one. Links
/// elsewhere are not checked.
pub async fn broken_links(db: &Db) -> Result<Vec<BrokenLink>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, String, String, String, String, String)>(
            "select id, slug, title, status, audience, body_markdown from articles order by title, id",
        )
        .fetch_all(pool)
        .await?
    });
    let by_slug: std::collections::HashMap<&str, (&str, &str)> =
        rows.iter().map(|(_, slug, _, status, audience, _)| (slug.as_str(), (status.as_str(), audience.as_str()))).collect();
    let mut broken = Vec::new();
    for (id, _, title, status, audience, body) in &rows {
        if status == ArticleStatus::Archived.as_str() {
            continue;
        }
        for target in link_targets(body) {
            let Some(slug) = target.strip_prefix("/articles/") else { continue };
            let slug = slug.split(['#', '?']).next().unwrap_or_default();
            let reason = match by_slug.get(slug) {
                None => "no article has this address",
                Some((linked, _)) if *linked != ArticleStatus::Published.as_str() => "the article it leads to is not published",
                Some((_, linked)) if *linked == Audience::Internal.as_str() && audience != Audience::Internal.as_str() => {
                    "it leads to a staff-only article"
                }
                Some(_) => continue,
            };
            broken.push(BrokenLink { article_id: *id, article_title: title.clone(), target, reason: reason.to_owned() });
        }
    }
    Ok(broken)
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    slug: String,
    title: String,
    status: String,
    audience: String,
    category: String,
    updated_at: DateTime<Utc>,
    publish_at: Option<DateTime<Utc>>,
}

/// Articles for the editors' list, most recently changed first; `status` narrows it.
pub async fn list(db: &Db, status: Option<ArticleStatus>) -> Result<Vec<ArticleListItem>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, ListRow>(
            "select a.id, a.slug, a.title, a.status, a.audience, c.name as category, a.updated_at, a.publish_at
             from articles a join categories c on c.id = a.category_id
             where $1 is null or a.status = $1
             order by a.updated_at desc, a.id desc limit 500",
        )
        .bind(status.map(ArticleStatus::as_str))
        .fetch_all(pool)
        .await?
    });
    rows.into_iter()
        .map(|row| {
            Ok(ArticleListItem {
                id: row.id,
                slug: row.slug,
                title: row.title,
                status: decode_text(&row.status)?,
                audience: decode_text(&row.audience)?,
                category: row.category,
                updated_at: row.updated_at,
                publish_at: row.publish_at,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct EditableRow {
    id: i64,
    slug: String,
    status: String,
    version: i32,
    publish_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    title: String,
    summary: String,
    body_markdown: String,
    category_id: i64,
    audience: String,
}

/// An article as its editors see it, whatever its status.
pub async fn article(db: &Db, article_id: i64) -> Result<EditableArticle, AppError> {
    let (row, tags) = with_db!(db, |pool| {
        let row = sqlx::query_as::<_, EditableRow>(
            "select id, slug, status, version, publish_at, updated_at, title, summary, body_markdown, category_id, audience
             from articles where id = $1",
        )
        .bind(article_id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
        let tags = sqlx::query_scalar::<_, String>("select tag from article_tags where article_id = $1 order by tag")
            .bind(article_id)
            .fetch_all(pool)
            .await?;
        (row, tags)
    });
    Ok(EditableArticle {
        id: row.id,
        slug: row.slug,
        status: decode_text(&row.status)?,
        version: row.version,
        publish_at: row.publish_at,
        updated_at: row.updated_at,
        fields: ArticleFields {
            title: row.title,
            summary: row.summary,
            body_markdown: row.body_markdown,
            category_id: row.category_id,
            tags,
            audience: decode_text::<Audience>(&row.audience)?,
        },
    })
}

/// An article's saved versions, newest first.
pub async fn revisions(db: &Db, article_id: i64) -> Result<Vec<RevisionSummary>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, i32, String, Option<String>, DateTime<Utc>)>(
            "select r.id, r.version, r.title, u.display_name, r.created_at
             from article_revisions r left join users u on u.id = r.author_id
             where r.article_id = $1 order by r.id desc",
        )
        .bind(article_id)
        .fetch_all(pool)
        .await?
    });
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(rows
        .into_iter()
        .map(|(id, version, title, author_name, created_at)| RevisionSummary { id, version, title, author_name, created_at })
        .collect())
}

/// A revision's title, summary and body.
async fn revision_text(db: &Db, article_id: i64, revision_id: i64) -> Result<(String, String, String), AppError> {
    with_db!(db, |pool| {
        sqlx::query_as::<_, (String, String, String)>(
            "select title, summary, body_markdown from article_revisions where id = $1 and article_id = $2",
        )
        .bind(revision_id)
        .bind(article_id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)
    })
}

/// What changed from one revision to another, line by line: the title and summary first,
/// then the body.
pub async fn diff(db: &Db, article_id: i64, from: i64, to: i64) -> Result<Vec<DiffLine>, AppError> {
    let old = revision_text(db, article_id, from).await?;
    let new = revision_text(db, article_id, to).await?;
    let as_text = |(title, summary, body): &(String, String, String)| format!("# {title}\n{summary}\n\n{body}\n");
    Ok(diff_lines(&as_text(&old), &as_text(&new)))
}

fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    use similar::{ChangeTag, TextDiff};
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| {
            let line = change.value().trim_end_matches('\n').to_owned();
            match change.tag() {
                ChangeTag::Equal => DiffLine::Same(line),
                ChangeTag::Insert => DiffLine::Added(line),
                ChangeTag::Delete => DiffLine::Removed(line),
            }
        })
        .collect()
}

/// Saves an old revision's title, summary and body as the newest version (a new revision:
/// history is never rewritten). Refused like any save if someone saved since `base_version`.
pub async fn restore(
    db: &Db,
    author: &CurrentUser,
    article_id: i64,
    revision_id: i64,
    base_version: i32,
) -> Result<EditableArticle, AppError> {
    let (title, summary, body_markdown) = revision_text(db, article_id, revision_id).await?;
    let current = article(db, article_id).await?;
    let fields = ArticleFields { title, summary, body_markdown, ..current.fields };
    save(db, author, article_id, base_version, &fields).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_words_joined_by_hyphens() {
        assert_eq!(slug_of("Reset your password"), "reset-your-password");
        assert_eq!(slug_of("  Wi-Fi: 2.4 GHz vs 5 GHz?  "), "wi-fi-2-4-ghz-vs-5-ghz");
        assert_eq!(slug_of("Café crème"), "café-crème");
        assert_eq!(slug_of("!!!"), "article");
    }

    #[test]
    fn a_diff_marks_added_and_removed_lines() {
        let lines = diff_lines("a\nb\nc\n", "a\nc\nd\n");
        assert_eq!(
            lines,
            [DiffLine::Same("a".into()), DiffLine::Removed("b".into()), DiffLine::Same("c".into()), DiffLine::Added("d".into())]
        );
    }
}
