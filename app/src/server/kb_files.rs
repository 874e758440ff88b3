//! The knowledge base as files, for backups and for moving between tools: a zip of markdown
//! articles, each with TOML front matter between `+++` lines (as static site generators write
//! it), and the category tree in `categories.toml`. Import matches articles by slug: a new one
//! is created, a changed one saved as a new revision, an unchanged one left alone; a file that
//! cannot be read is reported and skipped. Categories the help center lacks are added where
//! the tree puts them; those it has keep their place.

use super::{
    authoring, categories,
    db::{Db, decode_text, with_db},
};
use crate::{
    error::AppError,
    model::{ArticleFields, ArticleStatus, Audience, CategoryFields, CurrentUser, ImportReport},
};
use serde::{Deserialize, Serialize};
use std::{
    collections::HashMap,
    io::{Cursor, Read, Write},
};

/// The largest archive, article and number of articles an import takes: well above a real
/// help center, well below what would exhaust memory (a zip bomb is refused by its sizes).
pub const MAX_ARCHIVE_BYTES: u64 = 50 * 1024 * 1024;
const MAX_ARTICLE_BYTES: u64 = 1024 * 1024;
const MAX_ARTICLES: usize = 20_000;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    slug: String,
    #[serde(default)]
    summary: String,
    /// The category's slug; created under `category_name` if this help center lacks it.
    category: String,
    #[serde(default)]
    category_name: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default = "public")]
    audience: Audience,
    #[serde(default = "draft")]
    status: ArticleStatus,
}

/// The category tree: parents before their subcategories, siblings in order.
const TREE_FILE: &str = "categories.toml";

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tree {
    #[serde(default, rename = "category")]
    categories: Vec<TreeEntry>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TreeEntry {
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
    /// The parent's slug; none for a top-level category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<String>,
}

fn public() -> Audience {
    Audience::Public
}

fn draft() -> ArticleStatus {
    ArticleStatus::Draft
}

type ExportRow = (i64, String, String, String, String, String, String, String, String);

/// Every article, whatever its status, as `articles/<slug>.md` in a zip.
pub async fn export(db: &Db) -> Result<Vec<u8>, AppError> {
    let (rows, tags) = with_db!(db, |pool| {
        let rows = sqlx::query_as::<_, ExportRow>(
            "select a.id, a.slug, a.title, a.summary, a.body_markdown, a.audience, a.status, c.slug, c.name
             from articles a join categories c on c.id = a.category_id order by a.id",
        )
        .fetch_all(pool)
        .await?;
        let tags = sqlx::query_as::<_, (i64, String)>("select article_id, tag from article_tags order by article_id, tag")
            .fetch_all(pool)
            .await?;
        (rows, tags)
    });
    let nodes = categories::tree(db).await?;
    let slugs: HashMap<i64, String> = nodes.iter().map(|node| (node.id, node.slug.clone())).collect();
    let tree = Tree {
        categories: nodes
            .into_iter()
            .map(|node| TreeEntry {
                parent: node.parent_id.and_then(|parent| slugs.get(&parent).cloned()),
                slug: node.slug,
                name: node.name,
                description: node.description,
            })
            .collect(),
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(TREE_FILE, options).map_err(archive_error)?;
    zip.write_all(toml::to_string(&tree).map_err(archive_error)?.as_bytes()).map_err(archive_error)?;
    for (id, slug, title, summary, body, audience, status, category, category_name) in rows {
        let front = FrontMatter {
            title,
            slug: slug.clone(),
            summary,
            category,
            category_name: Some(category_name),
            tags: tags.iter().filter(|(article, _)| *article == id).map(|(_, tag)| tag.clone()).collect(),
            audience: decode_text(&audience)?,
            status: decode_text(&status)?,
        };
        let front = toml::to_string(&front).map_err(|error| AppError::invalid(format!("Article {slug}: {error}")))?;
        zip.start_file(format!("articles/{slug}.md"), options).map_err(archive_error)?;
        zip.write_all(format!("+++\n{front}+++\n\n{body}").as_bytes()).map_err(archive_error)?;
    }
    Ok(zip.finish().map_err(archive_error)?.into_inner())
}

fn archive_error(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "writing the knowledge base archive");
    AppError::Internal
}

/// Reads a zip made by `export` (or by hand, or by another tool in the same format).
pub async fn import(db: &Db, editor: &CurrentUser, archive: &[u8]) -> Result<ImportReport, AppError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(archive))
        .map_err(|_| AppError::invalid("That file is not a zip archive. Export one from here or another help center."))?;
    if zip.len() > MAX_ARTICLES {
        return Err(AppError::invalid(format!("An import has at most {MAX_ARTICLES} articles.")));
    }
    let mut report = ImportReport::default();
    // The tree first, so articles land in categories placed where it says.
    if let Ok(mut file) = zip.by_name(TREE_FILE) {
        let mut text = String::new();
        let tree = match file.size() <= MAX_ARTICLE_BYTES && file.by_ref().take(MAX_ARTICLE_BYTES).read_to_string(&mut text).is_ok() {
            true => toml::from_str::<Tree>(&text).map_err(|error| format!("not a category tree: {}", error.message())),
            false => Err("larger than 1 MB, or not UTF-8 text".to_owned()),
        };
        drop(file);
        match tree {
            Ok(tree) => import_tree(db, editor, tree, &mut report).await?,
            Err(reason) => report.refused.push((TREE_FILE.to_owned(), reason)),
        }
    }
    for index in 0..zip.len() {
        let mut file = zip.by_index(index).map_err(|_| AppError::invalid("The archive is damaged. Export it again."))?;
        let name = file.name().to_owned();
        if file.is_dir() || !name.ends_with(".md") {
            continue;
        }
        if file.size() > MAX_ARTICLE_BYTES {
            report.refused.push((name, "larger than 1 MB".into()));
            continue;
        }
        let mut text = String::new();
        if file.by_ref().take(MAX_ARTICLE_BYTES + 1).read_to_string(&mut text).is_err() {
            report.refused.push((name, "not UTF-8 text".into()));
            continue;
        }
        drop(file);
        match one(db, editor, &text).await {
            Ok(Outcome::Created(slug)) => report.created.push(slug),
            Ok(Outcome::Updated(slug)) => report.updated.push(slug),
            Ok(Outcome::Unchanged(slug)) => report.unchanged.push(slug),
            Err(AppError::Invalid(reason) | AppError::Conflict(reason)) => report.refused.push((name, reason)),
            Err(other) => return Err(other),
        }
    }
    Ok(report)
}

async fn import_tree(db: &Db, editor: &CurrentUser, tree: Tree, report: &mut ImportReport) -> Result<(), AppError> {
    for entry in tree.categories {
        let fields = CategoryFields { name: entry.name, description: entry.description, parent_id: None };
        match categories::import(db, editor, &entry.slug, &fields, entry.parent.as_deref()).await {
            Ok(true) => report.categories.push(entry.slug),
            Ok(false) => {}
            Err(AppError::Invalid(reason)) => report.refused.push((format!("{TREE_FILE}: {}", entry.slug), reason)),
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

enum Outcome {
    Created(String),
    Updated(String),
    Unchanged(String),
}

/// The front matter and the body of one file.
fn split(text: &str) -> Result<(FrontMatter, &str), AppError> {
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
        .ok_or_else(|| AppError::invalid("no front matter: the file must start with a +++ line"))?;
    let end = rest.find("\n+++").ok_or_else(|| AppError::invalid("the front matter has no closing +++ line"))?;
    let front = toml::from_str::<FrontMatter>(&rest[..end]).map_err(|error| AppError::invalid(format!("front matter: {}", error.message())))?;
    let body = rest[end + 4..].trim_start_matches(['\r', '\n']);
    Ok((front, body))
}

async fn one(db: &Db, editor: &CurrentUser, text: &str) -> Result<Outcome, AppError> {
    let (front, body) = split(text)?;
    let category_id = category(db, &front.category, front.category_name.as_deref()).await?;
    let fields = ArticleFields {
        title: front.title,
        summary: front.summary,
        body_markdown: body.to_owned(),
        category_id,
        tags: front.tags,
        audience: front.audience,
    };
    let existing = with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>("select id from articles where slug = $1")
            .bind(&front.slug)
            .fetch_optional(pool)
            .await?
    });
    let (article, outcome) = match existing {
        None => {
            let article = authoring::create_as(db, editor, &fields, &front.slug).await?;
            let slug = article.slug.clone();
            (article, Outcome::Created(slug))
        }
        Some(id) => {
            let current = authoring::article(db, id).await?;
            if current.fields == fields && current.status == front.status {
                return Ok(Outcome::Unchanged(front.slug));
            }
            let article = match current.fields == fields {
                true => current,
                false => authoring::save(db, editor, id, current.version, &fields).await?,
            };
            (article, Outcome::Updated(front.slug))
        }
    };
    if article.status != front.status {
        authoring::set_status(db, editor, article.id, front.status).await?;
    }
    Ok(outcome)
}

/// The category with this slug, created (last in order) if the help center has none.
async fn category(db: &Db, slug: &str, name: Option<&str>) -> Result<i64, AppError> {
    categories::check_slug(slug)?;
    let name = name.map(str::trim).filter(|name| !name.is_empty()).unwrap_or(slug);
    with_db!(db, |pool| {
        let found = sqlx::query_scalar::<_, i64>("select id from categories where slug = $1")
            .bind(slug)
            .fetch_optional(pool)
            .await?;
        match found {
            Some(id) => Ok(id),
            None => Ok(sqlx::query_scalar::<_, i64>(
                "insert into categories (slug, name, position)
                 values ($1, $2, (select coalesce(max(position), 0) + 1 from categories))
                 on conflict (slug) do update set slug = excluded.slug returning id",
            )
            .bind(slug)
            .bind(name)
            .fetch_one(pool)
            .await?),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_and_body_are_split_and_checked() {
        let file = "+++\ntitle = \"Returns\"\nslug = \"returns\"\ncategory = \"orders\"\ntags = [\"refund\"]\n+++\n\n## Keep the label\n";
        let (front, body) = split(file).unwrap();
        assert_eq!((front.title.as_str(), front.audience, front.status), ("Returns", Audience::Public, ArticleStatus::Draft));
        assert_eq!(body, "## Keep the label\n");
        assert!(split("## No front matter").unwrap_err().to_string().contains("no front matter"));
        let odd = "+++\ntitle = \"T\"\nslug = \"t\"\ncategory = \"c\"\naudience = \"everyone\"\n+++\nx";
        assert!(split(odd).unwrap_err().to_string().contains("front matter"), "an unknown audience is named");
        let extra = "+++\ntitle = \"T\"\nslug = \"t\"\ncategory = \"c\"\nauthor = \"me\"\n+++\nx";
        assert!(split(extra).is_err(), "unknown keys are refused, not silently dropped");
    }
}
