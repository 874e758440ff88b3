//! Images in articles: uploaded by editors, kept in the database beside the articles (so a
//! backup of one is a backup of both), and served to every reader with long caching, since
//! the bytes behind an image's address never change.

use super::{
    clock,
    db::{Db, with_db},
};
use crate::{error::AppError, model::CurrentUser};

pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

/// The image formats articles take, by their first bytes. SVG is not one: it can carry script.
fn content_type(content: &[u8]) -> Option<&'static str> {
    match content {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

/// A name safe in a URL: letters, digits, dots, dashes and underscores.
fn safe_name(file_name: &str) -> String {
    let name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' })
        .take(80)
        .collect();
    match name.trim_matches(['-', '.']).is_empty() {
        true => "image".to_owned(),
        false => name,
    }
}

/// Keeps an image and answers the address articles link it by.
pub async fn store(db: &Db, editor: &CurrentUser, file_name: &str, content: &[u8]) -> Result<String, AppError> {
    if content.len() > MAX_IMAGE_BYTES {
        return Err(AppError::invalid("An image is at most 5 MB. Make it smaller and upload it again."));
    }
    let Some(content_type) = content_type(content) else {
        return Err(AppError::invalid("Articles take PNG, JPEG, GIF or WebP images."));
    };
    let name = safe_name(file_name);
    let id = with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "insert into article_images (file_name, content_type, content, uploaded_by, created_at)
             values ($1, $2, $3, $4, $5) returning id",
        )
        .bind(&name)
        .bind(content_type)
        .bind(content)
        .bind(editor.id)
        .bind(clock::now())
        .fetch_one(pool)
        .await?
    });
    Ok(format!("/kb/images/{id}/{name}"))
}

/// An image's type and bytes.
pub async fn image(db: &Db, id: i64) -> Result<(String, Vec<u8>), AppError> {
    with_db!(db, |pool| {
        sqlx::query_as::<_, (String, Vec<u8>)>("select content_type, content from article_images where id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or(AppError::NotFound)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_bytes_and_named_safely() {
        assert_eq!(content_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(content_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(content_type(b"<svg onload=alert(1)>"), None);
        assert_eq!(safe_name("../../etc/Screen Shot 1.png"), "Screen-Shot-1.png");
        assert_eq!(safe_name("???"), "image");
    }
}
