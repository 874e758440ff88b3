//! The knowledge base as its editors write it: admins, and staff an admin lets edit.

use crate::{
    error::AppError,
    model::{
        ArticleFields, ArticleListItem, ArticleStatus, BrokenLink, CategoryFields, CategoryNode, CategoryStep, Choice, ContentInsights, DiffLine, EditableArticle, ImportReport,
        RevisionSummary,
    },
};
use chrono::{DateTime, Utc};
use leptos::{
    prelude::*,
    server_fn::codec::{MultipartData, MultipartFormData},
};

#[cfg(feature = "ssr")]
use crate::{
    model::{CurrentUser, Role},
    server::{authoring, categories, clock, ctx, insights, kb_files, kb_images},
};

/// Staff who may write articles: admins, and those an admin allowed.
#[cfg(feature = "ssr")]
pub async fn editor() -> Result<CurrentUser, AppError> {
    let user = ctx::require(Role::STAFF).await?;
    authoring::require_editor(&ctx::db()?, &user).await?;
    Ok(user)
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn article_list(status: Option<ArticleStatus>) -> Result<Vec<ArticleListItem>, AppError> {
    ctx::respond(
        async {
            editor().await?;
            authoring::list(&ctx::db()?, status).await
        }
        .await,
    )
}

/// The editor's preview of an article body. Rendered on the server, so the browser needs no
/// markdown parser (its tables would weigh on every page's download).
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn preview_article_body(body_markdown: String) -> Result<String, AppError> {
    ctx::respond(
        async {
            editor().await?;
            authoring::preview(&body_markdown)
        }
        .await,
    )
}

/// Links between articles that readers cannot follow.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn broken_article_links() -> Result<Vec<BrokenLink>, AppError> {
    ctx::respond(
        async {
            editor().await?;
            authoring::broken_links(&ctx::db()?).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn article_categories() -> Result<Vec<Choice>, AppError> {
    ctx::respond(
        async {
            editor().await?;
            categories::choices(&ctx::db()?).await
        }
        .await,
    )
}

/// What readers did with the knowledge base over the last `days` days.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn knowledge_base_insights(days: i64) -> Result<ContentInsights, AppError> {
    ctx::respond(
        async {
            editor().await?;
            insights::content_insights(&ctx::db()?, days, clock::now()).await
        }
        .await,
    )
}

/// The category tree as editors arrange it.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn category_tree() -> Result<Vec<CategoryNode>, AppError> {
    ctx::respond(
        async {
            editor().await?;
            categories::tree(&ctx::db()?).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn create_category(fields: CategoryFields) -> Result<i64, AppError> {
    ctx::respond(
        async {
            let editor = editor().await?;
            categories::create(&ctx::db()?, &editor, &fields).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn update_category(category_id: i64, fields: CategoryFields) -> Result<(), AppError> {
    ctx::respond(
        async {
            let editor = editor().await?;
            categories::update(&ctx::db()?, &editor, category_id, &fields).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn move_category(category_id: i64, step: CategoryStep) -> Result<(), AppError> {
    ctx::respond(
        async {
            editor().await?;
            categories::step(&ctx::db()?, category_id, step).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn delete_category(category_id: i64) -> Result<(), AppError> {
    ctx::respond(
        async {
            let editor = editor().await?;
            categories::delete(&ctx::db()?, &editor, category_id).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn edit_article(article_id: i64) -> Result<EditableArticle, AppError> {
    ctx::respond(
        async {
            editor().await?;
            authoring::article(&ctx::db()?, article_id).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn create_article(fields: ArticleFields) -> Result<EditableArticle, AppError> {
    ctx::respond(
        async {
            let author = editor().await?;
            authoring::create(&ctx::db()?, &author, &fields).await
        }
        .await,
    )
}

/// Saves over `base_version`, the version the editor opened; refused if anyone saved since.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn save_article(article_id: i64, base_version: i32, fields: ArticleFields) -> Result<EditableArticle, AppError> {
    ctx::respond(
        async {
            let author = editor().await?;
            authoring::save(&ctx::db()?, &author, article_id, base_version, &fields).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn set_article_status(article_id: i64, status: ArticleStatus) -> Result<EditableArticle, AppError> {
    ctx::respond(
        async {
            let actor = editor().await?;
            authoring::set_status(&ctx::db()?, &actor, article_id, status).await
        }
        .await,
    )
}

/// Publishes the article by itself at `at`; without it, cancels the schedule.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn schedule_article(article_id: i64, at: Option<DateTime<Utc>>) -> Result<EditableArticle, AppError> {
    ctx::respond(
        async {
            let actor = editor().await?;
            authoring::schedule(&ctx::db()?, &actor, article_id, at).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn article_history(article_id: i64) -> Result<Vec<RevisionSummary>, AppError> {
    ctx::respond(
        async {
            editor().await?;
            authoring::revisions(&ctx::db()?, article_id).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn compare_revisions(article_id: i64, from: i64, to: i64) -> Result<Vec<DiffLine>, AppError> {
    ctx::respond(
        async {
            editor().await?;
            authoring::diff(&ctx::db()?, article_id, from, to).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn restore_revision(article_id: i64, revision_id: i64, base_version: i32) -> Result<EditableArticle, AppError> {
    ctx::respond(
        async {
            let author = editor().await?;
            authoring::restore(&ctx::db()?, &author, article_id, revision_id, base_version).await
        }
        .await,
    )
}

/// Imports the zip in the form field `file` (the format the export writes).
#[server(prefix = "/rpc", input = MultipartFormData, output = super::JsonText)]
pub async fn import_articles(data: MultipartData) -> Result<ImportReport, AppError> {
    ctx::respond(
        async {
            let editor = editor().await?;
            let mut form = data.into_inner().ok_or(AppError::Internal)?;
            while let Some(mut field) = form.next_field().await.map_err(|_| unreadable())? {
                if field.name() != Some("file") {
                    continue;
                }
                let mut archive = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                    if (archive.len() + chunk.len()) as u64 > kb_files::MAX_ARCHIVE_BYTES {
                        return Err(AppError::invalid("An import is at most 50 MB. Split the archive."));
                    }
                    archive.extend_from_slice(&chunk);
                }
                return kb_files::import(&ctx::db()?, &editor, &archive).await;
            }
            Err(AppError::invalid("Choose a zip file to import."))
        }
        .await,
    )
}

/// Keeps the image in the form field `file` and answers the address to link it by.
#[server(prefix = "/rpc", input = MultipartFormData, output = super::JsonText)]
pub async fn upload_article_image(data: MultipartData) -> Result<String, AppError> {
    ctx::respond(
        async {
            let editor = editor().await?;
            let mut form = data.into_inner().ok_or(AppError::Internal)?;
            while let Some(mut field) = form.next_field().await.map_err(|_| unreadable())? {
                if field.name() != Some("file") {
                    continue;
                }
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let mut content = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                    if content.len() + chunk.len() > kb_images::MAX_IMAGE_BYTES {
                        return Err(AppError::invalid("An image is at most 5 MB. Make it smaller and upload it again."));
                    }
                    content.extend_from_slice(&chunk);
                }
                return kb_images::store(&ctx::db()?, &editor, &file_name, &content).await;
            }
            Err(AppError::invalid("Choose an image to upload."))
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn unreadable() -> AppError {
    AppError::invalid("The file did not arrive whole. Import it again.")
}
