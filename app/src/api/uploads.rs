//! Files picked in a form are uploaded at once, before the form is sent; the form then
//! carries their tokens.

use crate::{error::AppError, model::Upload};
use leptos::{
    prelude::*,
    server_fn::codec::{MultipartData, MultipartFormData},
};

#[cfg(feature = "ssr")]
use crate::{
    model::MAX_ATTACHMENT_BYTES,
    server::{
        attachments::{self, NewUpload},
        ctx,
    },
};

/// Stores the form field `file` for the signed-in user (customer or agent), or for this visit, and answers the
/// token that attaches it to the request or reply being written.
#[server(prefix = "/rpc", input = MultipartFormData, output = super::JsonText)]
pub async fn upload_attachment(data: MultipartData) -> Result<Upload, AppError> {
    ctx::respond(
        async {
            let owner = match ctx::current_user().await? {
                Some(user) => attachments::owner_of_user(user.id),
                None => attachments::owner_of_visit(&ctx::visit(true).await?.ok_or(AppError::Internal)?.id),
            };
            let mut form = data.into_inner().ok_or(AppError::Internal)?;
            while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
                if field.name() != Some("file") {
                    continue;
                }
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let content_type = field.content_type().map(|media| media.essence_str().to_owned());
                // Read chunk by chunk, so an oversized file is refused at the limit, not held whole.
                let mut content = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                    if (content.len() + chunk.len()) as u64 > MAX_ATTACHMENT_BYTES {
                        return Err(attachments::too_large(&file_name));
                    }
                    content.extend_from_slice(&chunk);
                }
                let upload = NewUpload { file_name: &file_name, content_type: content_type.as_deref(), content: &content };
                return attachments::store(&ctx::db()?, &owner, upload).await;
            }
            Err(AppError::invalid("Choose a file to attach."))
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn unreadable(error: impl std::fmt::Display) -> AppError {
    tracing::info!(%error, "unreadable upload");
    AppError::invalid("The file did not arrive whole. Attach it again.")
}
