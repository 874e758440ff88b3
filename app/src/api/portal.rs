//! The public help center: anyone may read published articles, signed in or not.

use crate::{
    error::AppError,
    model::{Article, Category, CategoryArticles, HelpCenterHome, SearchResults},
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{
    activity,
    attachments::{self, Claim},
    categories,
    contact::{self, NewRequest, Requester},
    ctx, kb, search,
};

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn help_center() -> Result<HelpCenterHome, AppError> {
    ctx::respond(async { kb::help_center_home(&ctx::db()?, ctx::reader().await?).await }.await)
}

/// The topics a request can be filed under: the categories this reader can see.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn topics() -> Result<Vec<Category>, AppError> {
    ctx::respond(async { categories::for_readers(&ctx::db()?, ctx::reader().await?).await }.await)
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn search_articles(query: String) -> Result<SearchResults, AppError> {
    ctx::respond(
        async {
            let state = ctx::state()?;
            search::search(&state.db, &state.vocabulary, &query, ctx::reader().await?).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn published_article(slug: String) -> Result<Article, AppError> {
    ctx::respond(async { kb::published_article(&ctx::db()?, &slug, ctx::reader().await?).await }.await)
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn category_page(slug: String) -> Result<CategoryArticles, AppError> {
    ctx::respond(async { kb::category_articles(&ctx::db()?, &slug, ctx::reader().await?).await }.await)
}

/// Counts a read and puts it on the reader's timeline. Called by the article page once it is
/// in the browser, so crawlers and link previews count nothing.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn note_article_read(slug: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            match ctx::visit(true).await? {
                Some(visit) => activity::article_read(&ctx::db()?, &visit, &slug, ctx::reader().await?).await,
                None => Ok(()),
            }
        }
        .await,
    )
}

/// Puts a search and its result count on the reader's timeline, once the results are shown.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn note_search(query: String, results: usize) -> Result<(), AppError> {
    ctx::respond(
        async {
            match ctx::visit(true).await? {
                Some(visit) => activity::searched(&ctx::db()?, &visit, &query, results).await,
                None => Ok(()),
            }
        }
        .await,
    )
}

/// "Was this helpful?" for an article; `deflected` when answered from the contact form.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn rate_article(
    slug: String,
    helpful: bool,
    comment: String,
    deflected: bool,
) -> Result<(), AppError> {
    ctx::respond(
        async {
            let Some(visit) = ctx::visit(true).await? else {
                return Err(AppError::invalid("Votes are for readers; staff see the article's insight instead."));
            };
            let reader = ctx::reader().await?;
            let feedback = activity::Feedback { slug: &slug, helpful, comment: &comment, deflected, reader };
            activity::feedback(&ctx::db()?, &visit, feedback).await
        }
        .await,
    )
}

/// Sends a request from the contact form. A signed-in customer's request goes on their
/// profile; a visitor gives a name and an email address. Answers the new ticket's id.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn send_request(
    subject: String,
    description: String,
    topic: String,
    #[server(default)] name: String,
    #[server(default)] email: String,
    #[server(default)] request_key: String,
    #[server(default)] attachments: String,
) -> Result<i64, AppError> {
    ctx::respond(
        async {
            let user = ctx::current_user().await?;
            let requester = match &user {
                Some(user) if user.is_staff() => return Err(AppError::Forbidden),
                Some(user) => Requester::Customer {
                    customer_id: user.customer_id.ok_or_else(|| {
                        AppError::invalid("Confirm your email address first: open the link we emailed you.")
                    })?,
                    user_id: user.id,
                },
                None => Requester::Visitor { name: &name, email: &email },
            };
            let visit = ctx::visit(false).await?;
            let owner = match (&user, &visit) {
                (Some(user), _) => attachments::owner_of_user(user.id),
                (None, Some(visit)) => attachments::owner_of_visit(&visit.id),
                (None, None) => String::new(),
            };
            let uploads = attachments::tokens(&attachments)?;
            let request = NewRequest {
                subject: &subject,
                description: &description,
                topic: Some(&topic),
                request_key: Some(&request_key),
                files: Claim { owner: &owner, tokens: &uploads },
            };
            let sent = contact::send_request(&ctx::db()?, requester, visit.as_ref(), request).await?;
            Ok(sent.ticket_id)
        }
        .await,
    )
}
