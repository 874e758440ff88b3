//! The public help center: anyone may read published articles, signed in or not.

use crate::{
    error::AppError,
    model::{Article, CategoryArticles, HelpCenterHome, SearchResults},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{ctx, kb, search};

#[server(prefix = "/rpc")]
pub async fn help_center() -> Result<HelpCenterHome, AppError> {
    ctx::respond(async { kb::help_center_home(&ctx::db()?).await }.await)
}

#[server(prefix = "/rpc")]
pub async fn search_articles(query: String) -> Result<SearchResults, AppError> {
    ctx::respond(
        async {
            let state = ctx::state()?;
            search::search(&state.db, &state.vocabulary, &query).await
        }
        .await,
    )
}

#[server(prefix = "/rpc")]
pub async fn published_article(slug: String) -> Result<Article, AppError> {
    ctx::respond(async { kb::published_article(&ctx::db()?, &slug).await }.await)
}

#[server(prefix = "/rpc")]
pub async fn category_page(slug: String) -> Result<CategoryArticles, AppError> {
    ctx::respond(async { kb::category_articles(&ctx::db()?, &slug).await }.await)
}
