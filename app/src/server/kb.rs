//! The knowledge base as the portal reads it: categories, popular articles and published
//! articles rendered for the web (search has its own module). Every query shows a reader only
//! the articles of their audience or a wider one: `$1` is the reader's audience rank.

use super::{
    categories,
    db::{Db, with_db},
};
use crate::{
    error::AppError,
    markdown::{render_web_html, with_absolute_links},
    model::{Article, ArticleSummary, Audience, CategoryArticles, CategoryLink, Channel, HelpCenterHome},
};
use chrono::{DateTime, Utc};

const POPULAR_LIMIT: i64 = 6;

#[derive(sqlx::FromRow)]
struct SummaryRow {
    slug: String,
    title: String,
    summary: String,
    category: String,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ArticleRow {
    slug: String,
    title: String,
    category: String,
    category_slug: String,
    body_markdown: String,
    body_html: Option<String>,
    updated_at: DateTime<Utc>,
}

impl From<SummaryRow> for ArticleSummary {
    fn from(row: SummaryRow) -> Self {
        Self {
            slug: row.slug,
            title: row.title,
            summary: row.summary,
            category: row.category,
            updated_at: row.updated_at,
        }
    }
}

/// Whether the reader whose audience rank is `$1` may read article `a`.
macro_rules! readable {
    () => {
        "a.status = 'published'
         and case a.audience when 'public' then 0 when 'customers' then 1 else 2 end <= $1"
    };
}
pub(crate) use readable;

const CATEGORY_ARTICLES: &str = concat!("
    select a.slug, a.title, a.summary, c.name as category, a.updated_at
    from articles a join categories c on c.id = a.category_id
    where c.slug = $2 and ", readable!(), "
    order by a.view_count desc, a.id
    limit $3");

const CATEGORY_PAGE_LIMIT: i64 = 100;

const POPULAR: &str = concat!("
    select a.slug, a.title, a.summary, c.name as category, a.updated_at
    from articles a join categories c on c.id = a.category_id
    where ", readable!(), "
    order by a.view_count desc, a.id
    limit $2");

const ARTICLE: &str = concat!("
    select a.slug, a.title, c.name as category, c.slug as category_slug,
           a.body_markdown, a.body_html, a.updated_at
    from articles a join categories c on c.id = a.category_id
    where a.slug = $2 and ", readable!());

pub async fn help_center_home(db: &Db, reader: Audience) -> Result<HelpCenterHome, AppError> {
    let categories = categories::for_readers(db, reader).await?;
    let popular = with_db!(db, |pool| {
        sqlx::query_as::<_, SummaryRow>(POPULAR)
            .bind(reader.rank())
            .bind(POPULAR_LIMIT)
            .fetch_all(pool)
            .await?
    });
    Ok(HelpCenterHome { categories, popular: popular.into_iter().map(ArticleSummary::from).collect() })
}

/// One category, the categories above it, its subcategories and its own published
/// articles, for the category page.
pub async fn category_articles(db: &Db, slug: &str, reader: Audience) -> Result<CategoryArticles, AppError> {
    let tree = categories::for_readers(db, reader).await?;
    let mut path = categories::path_to(&tree, slug).ok_or(AppError::NotFound)?;
    let category = path.pop().ok_or(AppError::NotFound)?.clone();
    let parents = path.into_iter().map(|above| CategoryLink { slug: above.slug.clone(), name: above.name.clone() }).collect();
    let articles = with_db!(db, |pool| {
        sqlx::query_as::<_, SummaryRow>(CATEGORY_ARTICLES)
            .bind(reader.rank())
            .bind(slug)
            .bind(CATEGORY_PAGE_LIMIT)
            .fetch_all(pool)
            .await?
    });
    Ok(CategoryArticles { category, parents, articles: articles.into_iter().map(ArticleSummary::from).collect() })
}

const RELATED: &str = concat!("
    select a.slug, a.title, a.summary, c.name as category, a.updated_at
    from articles a join categories c on c.id = a.category_id
    where c.slug = $2 and a.slug <> $3 and ", readable!(), "
    order by a.view_count desc, a.id
    limit 3");

/// A published article the reader may read; any other answers as if it did not exist.
pub async fn published_article(db: &Db, slug: &str, reader: Audience) -> Result<Article, AppError> {
    if slug.is_empty() || slug.len() > 200 {
        return Err(AppError::NotFound);
    }
    let (row, related) = with_db!(db, |pool| {
        let Some(row) = sqlx::query_as::<_, ArticleRow>(ARTICLE)
            .bind(reader.rank())
            .bind(slug)
            .fetch_optional(pool)
            .await?
        else {
            return Err(AppError::NotFound);
        };
        let related = sqlx::query_as::<_, SummaryRow>(RELATED)
            .bind(reader.rank())
            .bind(&row.category_slug)
            .bind(slug)
            .fetch_all(pool)
            .await?;
        (row, related)
    });
    let body_html = match row.body_html {
        Some(html) => html,
        None => {
            let html = render_web_html(&row.body_markdown);
            with_db!(db, |pool| {
                sqlx::query("update articles set body_html = $1 where slug = $2 and updated_at = $3")
                    .bind(&html)
                    .bind(&row.slug)
                    .bind(row.updated_at)
                    .execute(pool)
                    .await?;
            });
            html
        }
    };
    Ok(Article {
        related: related.into_iter().map(ArticleSummary::from).collect(),
        body_html,
        slug: row.slug,
        title: row.title,
        category: row.category,
        category_slug: row.category_slug,
        updated_at: row.updated_at,
    })
}

/// An SMS answer fits one segment; WhatsApp allows more but a chat message should stay short.
const SMS_LIMIT: usize = 160;
const WHATSAPP_LIMIT: usize = 1_000;

/// The short address articles are linked by where every character counts: `/a/{id}`.
fn short_link(public_url: &str, article_id: i64) -> String {
    format!("{}/a/{article_id}", public_url.trim_end_matches('/'))
}

/// A published article a customer may read, as the text that fits a reply on `channel`: the
/// whole article for email, the title, summary and link in chat and social messages, and
/// for SMS and WhatsApp as much as fits the channel with a short link. Staff-only articles
/// are never sent.
pub async fn for_reply(db: &Db, slug: &str, channel: Channel, public_url: &str) -> Result<String, AppError> {
    let found = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, String, String, String)>(concat!(
            "select a.id, a.title, a.summary, a.body_markdown from articles a where a.slug = $2 and ",
            readable!()
        ))
        .bind(Audience::Customers.rank())
        .bind(slug)
        .fetch_optional(pool)
        .await?
    });
    let (id, title, summary, body) = found.ok_or(AppError::NotFound)?;
    let link = format!("{}/articles/{slug}", public_url.trim_end_matches('/'));
    Ok(match channel {
        // Email replies are markdown: the HTML part shows the article as written, the text part
        // reads as it is, and both link to the help center.
        Channel::Email => format!("**{title}**\n\n{}\n\nRead it online: <{link}>", with_absolute_links(&body, public_url)),
        Channel::Sms => short_text(&title, &summary, &short_link(public_url, id), SMS_LIMIT),
        Channel::Whatsapp => short_text(&title, &summary, &short_link(public_url, id), WHATSAPP_LIMIT),
        Channel::Portal | Channel::Chat | Channel::Social | Channel::Phone => {
            [title.as_str(), summary.as_str(), link.as_str()].into_iter().filter(|part| !part.is_empty()).collect::<Vec<_>>().join("\n")
        }
    })
}

/// Title, summary and link in at most `limit` characters: the link always whole, the text
/// cut at a word when it must be.
fn short_text(title: &str, summary: &str, link: &str, limit: usize) -> String {
    let text = match summary.is_empty() {
        true => title.to_owned(),
        false => format!("{title}: {summary}"),
    };
    if text.chars().count() + 1 + link.chars().count() <= limit {
        return format!("{text} {link}");
    }
    // Room for the text, an ellipsis and a space before the link.
    let room = limit.saturating_sub(link.chars().count() + 2);
    let mut cut: String = text.chars().take(room + 1).collect();
    match cut.rfind(' ') {
        Some(space) => cut.truncate(space),
        None => cut = text.chars().take(room).collect(),
    }
    format!("{}… {link}", cut.trim_end_matches([' ', ':', ',', '.', ';']))
}

/// Where a short link leads: the article's slug, if a customer may read it.
pub async fn short_link_target(db: &Db, article_id: i64) -> Result<String, AppError> {
    with_db!(db, |pool| {
        sqlx::query_scalar::<_, String>(concat!("select a.slug from articles a where a.id = $2 and ", readable!()))
            .bind(Audience::Customers.rank())
            .bind(article_id)
            .fetch_optional(pool)
            .await?
            .ok_or(AppError::NotFound)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_answer_fits_its_channel_with_the_link_whole() {
        let link = "https://help.northwind.test/a/42";
        assert_eq!(short_text("Track your order", "Where it is.", link, 160), format!("Track your order: Where it is. {link}"));
        let summary = "See where your parcel is, what each status means and what to do when a delivery is late or lost.";
        let sms = short_text("Track your order", summary, link, 100);
        assert!(sms.chars().count() <= 100, "{sms}");
        assert!(sms.ends_with(&format!("… {link}")), "{sms}");
        assert!(sms.starts_with("Track your order: See where your parcel is"), "{sms}");
        assert!(!sms.contains("  ") && !sms.contains(" …"), "cut at a word: {sms}");
    }
}
