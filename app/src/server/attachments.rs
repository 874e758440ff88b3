//! Files sent with messages. A file is uploaded when the customer picks it and held under a
//! random token; sending the message claims the tokens in the message's own transaction, so a
//! message never points at a missing file and a file never outlives an abandoned form by long.

use super::{
    accounts::random_token,
    clock,
    db::{Db, with_db},
    workspace,
};
use crate::{
    error::AppError,
    model::{
        Attachment, CurrentUser, InteractionKind, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, Upload, too_large_message,
    },
};
use std::collections::HashMap;

/// The uploads a message claims: the tokens its form sent, and who uploaded them.
#[derive(Clone, Copy, Default)]
pub struct Claim<'a> {
    pub owner: &'a str,
    pub tokens: &'a [&'a str],
}

/// Claims one upload for a message: $1 interaction, $2 token, $3 owner. Matches nothing when
/// the token is someone else's or already sent.
pub(crate) const CLAIM_UPLOAD: &str =
    "update attachments set interaction_id = $1 where token = $2 and owner = $3 and interaction_id is null";

/// Claims a message's uploads in the caller's transaction. Evaluates to `Err` when one is gone
/// (someone else's, already sent, or discarded); returning it drops, so rolls back, the
/// transaction.
macro_rules! claim_uploads {
    ($tx:expr, $interaction_id:expr, $claim:expr) => {{
        let mut claimed = Ok(());
        for token in $claim.tokens {
            let rows = sqlx::query($crate::server::attachments::CLAIM_UPLOAD)
                .bind($interaction_id)
                .bind(token)
                .bind($claim.owner)
                .execute(&mut *$tx)
                .await?
                .rows_affected();
            if rows == 0 {
                claimed = Err($crate::server::attachments::upload_gone());
                break;
            }
        }
        claimed
    }};
}
pub(crate) use claim_uploads;

/// The answer when a claimed token matched nothing.
pub(crate) fn upload_gone() -> AppError {
    AppError::invalid("One of the attached files is no longer available. Remove it and attach it again.")
}

/// Who holds an upload until it is sent: a signed-in user, or an anonymous help-center visit.
pub fn owner_of_user(user_id: i64) -> String {
    format!("user:{user_id}")
}

pub fn owner_of_visit(visit_id: &str) -> String {
    format!("visit:{visit_id}")
}

/// A file as it arrived, before it is stored.
pub struct NewUpload<'a> {
    pub file_name: &'a str,
    pub content_type: Option<&'a str>,
    pub content: &'a [u8],
}

/// A stored file: $1 token, $2 owner, $3 its message (none until sent), $4 name, $5 media
/// type, $6 size, $7 bytes, $8 now.
pub(crate) const INSERT_ATTACHMENT: &str =
    "insert into attachments (token, owner, interaction_id, file_name, content_type, size_bytes, content, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Stores an uploaded file for `owner` and answers the token that attaches it to a message.
pub async fn store(db: &Db, owner: &str, upload: NewUpload<'_>) -> Result<Upload, AppError> {
    let file_name = file_name(upload.file_name)?;
    if upload.content.is_empty() {
        return Err(AppError::invalid(format!("“{file_name}” is empty.")));
    }
    if upload.content.len() as u64 > MAX_ATTACHMENT_BYTES {
        return Err(too_large(&file_name));
    }
    let content_type = upload.content_type.filter(|t| plausible_media_type(t)).unwrap_or("application/octet-stream");
    let token = random_token();
    let size_bytes = upload.content.len() as i64;
    with_db!(db, |pool| {
        sqlx::query(INSERT_ATTACHMENT)
        .bind(&token)
        .bind(owner)
        .bind(None::<i64>)
        .bind(&file_name)
        .bind(content_type)
        .bind(size_bytes)
        .bind(upload.content)
        .bind(clock::now())
        .execute(pool)
        .await?;
    });
    Ok(Upload { token, file_name, size_bytes })
}

pub fn too_large(file_name: &str) -> AppError {
    AppError::invalid(too_large_message(file_name))
}

/// The tokens a form sent (separated by commas or spaces), checked for count and shape.
pub fn tokens(raw: &str) -> Result<Vec<&str>, AppError> {
    let tokens: Vec<&str> = raw.split([',', ' ']).filter(|token| !token.is_empty()).collect();
    if tokens.len() > MAX_ATTACHMENTS {
        return Err(AppError::invalid(format!("A message carries at most {MAX_ATTACHMENTS} files.")));
    }
    if tokens.iter().any(|token| token.len() > 64) {
        return Err(upload_gone());
    }
    Ok(tokens)
}

/// The last path segment, without control characters, at most 200 characters: what the
/// customer's file was called, safe to show and to send back in a header.
pub(crate) fn file_name(raw: &str) -> Result<String, AppError> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let name: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(200).collect();
    let name = name.trim();
    if name.is_empty() || name == "." || name == ".." {
        return Err(AppError::invalid("Attach a file with a name."));
    }
    Ok(name.to_owned())
}

/// `type/subtype` of token characters: a browser's guess is kept only if it looks like one.
pub(crate) fn plausible_media_type(value: &str) -> bool {
    let token = |part: &str| {
        !part.is_empty() && part.len() <= 100 && part.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    value.split_once('/').is_some_and(|(kind, subtype)| token(kind) && token(subtype))
}

/// The files of a ticket's conversation, by interaction.
pub async fn of_ticket(db: &Db, ticket_id: i64) -> Result<HashMap<i64, Vec<Attachment>>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, i64, String, String, i64)>(
            "select a.interaction_id, a.id, a.file_name, a.content_type, a.size_bytes
             from attachments a join interactions i on i.id = a.interaction_id
             where i.ticket_id = $1 order by a.id",
        )
        .bind(ticket_id)
        .fetch_all(pool)
        .await?
    });
    let mut by_interaction: HashMap<i64, Vec<Attachment>> = HashMap::new();
    for (interaction_id, id, file_name, content_type, size_bytes) in rows {
        by_interaction.entry(interaction_id).or_default().push(Attachment { id, file_name, content_type, size_bytes });
    }
    Ok(by_interaction)
}

/// A stored file, as it is sent to the browser.
pub struct Download {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// The file, if `viewer` may have it: staff who may see its ticket (a restricted team's
/// tickets are for its members), or the customer whose timeline it is on (not on an internal
/// note). Anything else answers as a missing file.
pub async fn download(db: &Db, viewer: &CurrentUser, attachment_id: i64) -> Result<Download, AppError> {
    let row = with_db!(db, |pool| {
        sqlx::query_as::<_, (String, String, Vec<u8>, i64, Option<i64>, String)>(
            "select a.file_name, a.content_type, a.content, i.customer_id, i.ticket_id, i.kind
             from attachments a join interactions i on i.id = a.interaction_id where a.id = $1",
        )
        .bind(attachment_id)
        .fetch_optional(pool)
        .await?
    });
    let (file_name, content_type, content, customer_id, ticket_id, kind) = row.ok_or(AppError::NotFound)?;
    let customers_own = viewer.customer_id == Some(customer_id) && kind != InteractionKind::Note.as_str();
    match (viewer.is_staff(), ticket_id) {
        (true, Some(ticket_id)) => workspace::authorize(db, viewer, ticket_id).await?,
        (true, None) => {}
        (false, _) if customers_own => {}
        (false, _) => return Err(AppError::NotFound),
    }
    Ok(Download { file_name, content_type, content })
}

/// Deletes uploads that were never sent, a day after they arrived.
pub async fn discard_abandoned(db: &Db) -> Result<u64, AppError> {
    let cutoff = clock::now() - chrono::Duration::days(1);
    Ok(with_db!(db, |pool| {
        sqlx::query("delete from attachments where interaction_id is null and created_at < $1")
            .bind(cutoff)
            .execute(pool)
            .await?
            .rows_affected()
    }))
}
