//! The knowledge base as the portal reads it: categories, popular articles and published
//! articles rendered for the web (search has its own module). Every query shows a reader only
//! the articles of their audience or a wider one: `$1` is the reader's audience rank.

use super::db::{Db, with_db};
use crate::{
    error::AppError,
    markdown::render_web_html,
    model::{Article, ArticleSummary, Audience, Category, CategoryArticles, HelpCenterHome},
};
use chrono::{DateTime, Utc};

const POPULAR_LIMIT: i64 = 6;

#[derive(sqlx::FromRow)]
struct CategoryRow {
    slug: String,
    name: String,
    description: String,
    article_count: i64,
}

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

impl From<CategoryRow> for Category {
    fn from(row: CategoryRow) -> Self {
        Self {
            slug: row.slug,
            name: row.name,
            description: row.description,
            article_count: row.article_count,
        }
    }
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

const CATEGORIES: &str = concat!("
    select c.slug, c.name, c.description, count(a.id) as article_count
    from categories c
    left join articles a on a.category_id = c.id and ", readable!(), "
    group by c.id, c.slug, c.name, c.description, c.position
    order by c.position, c.name");

const CATEGORY: &str = concat!("
    select c.slug, c.name, c.description, count(a.id) as article_count
    from categories c
    left join articles a on a.category_id = c.id and ", readable!(), "
    where c.slug = $2
    group by c.id, c.slug, c.name, c.description");

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
    let (categories, popular) = with_db!(db, |pool| {
        let categories = sqlx::query_as::<_, CategoryRow>(CATEGORIES)
            .bind(reader.rank())
            .fetch_all(pool)
            .await?;
        let popular = sqlx::query_as::<_, SummaryRow>(POPULAR)
            .bind(reader.rank())
            .bind(POPULAR_LIMIT)
            .fetch_all(pool)
            .await?;
        (categories, popular)
    });
    Ok(HelpCenterHome {
        categories: categories.into_iter().map(Category::from).collect(),
        popular: popular.into_iter().map(ArticleSummary::from).collect(),
    })
}

/// One category and its published articles, for the category page.
pub async fn category_articles(db: &Db, slug: &str, reader: Audience) -> Result<CategoryArticles, AppError> {
    if slug.is_empty() || slug.len() > 200 {
        return Err(AppError::NotFound);
    }
    let (category, articles) = with_db!(db, |pool| {
        let category = sqlx::query_as::<_, CategoryRow>(CATEGORY)
            .bind(reader.rank())
            .bind(slug)
            .fetch_optional(pool)
            .await?;
        let articles = sqlx::query_as::<_, SummaryRow>(CATEGORY_ARTICLES)
            .bind(reader.rank())
            .bind(slug)
            .bind(CATEGORY_PAGE_LIMIT)
            .fetch_all(pool)
            .await?;
        (category, articles)
    });
    Ok(CategoryArticles {
        category: category.map(Category::from).ok_or(AppError::NotFound)?,
        articles: articles.into_iter().map(ArticleSummary::from).collect(),
    })
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
