//! The public help center: anyone may read published articles, signed in or not.

use crate::{
    error::AppError,
    model::{Article, ArticleSummary, CategoryArticles, HelpCenterHome},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{ctx, kb};

#[server(prefix = "/rpc")]
pub async fn help_center() -> Result<HelpCenterHome, AppError> {
    ctx::respond(async { kb::help_center_home(&ctx::db()?).await }.await)
}

#[server(prefix = "/rpc")]
pub async fn search_articles(query: String) -> Result<Vec<ArticleSummary>, AppError> {
    ctx::respond(async { kb::search(&ctx::db()?, &query).await }.await)
}

#[server(prefix = "/rpc")]
pub async fn published_article(slug: String) -> Result<Article, AppError> {
    ctx::respond(async { kb::published_article(&ctx::db()?, &slug).await }.await)
}

#[server(prefix = "/rpc")]
pub async fn category_page(slug: String) -> Result<CategoryArticles, AppError> {
    ctx::respond(async { kb::category_articles(&ctx::db()?, &slug).await }.await)
}
