//! The knowledge base's category tree, as editors arrange it and readers browse it.
//! Categories nest (`parent_id`) and keep their order among siblings (`position`). A help
//! center has tens of them, so the tree is read whole and arranged here, the same way on
//! both backends, rather than walked with recursive SQL.

use super::{
    audit::audit,
    authoring::{first_free_slug, slug_of},
    clock,
    db::{BeginWrite, Db, with_db},
    kb::readable,
};
use crate::{
    error::AppError,
    model::{Audience, Category, CategoryFields, CategoryNode, CategoryStep, Choice, CurrentUser},
};
use serde_json::json;
use std::collections::{HashMap, HashSet};

const MAX_NAME_CHARS: usize = 80;
const MAX_DESCRIPTION_CHARS: usize = 300;
/// Deeper than this, a reader is lost; it also bounds the walk that refuses a loop.
const MAX_DEPTH: usize = 4;

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    parent_id: Option<i64>,
    slug: String,
    name: String,
    description: String,
    article_count: i64,
}

/// Every category with the articles it holds directly, in every status: what editors see.
const EDITORS_TREE: &str = "
    select c.id, c.parent_id, c.slug, c.name, c.description, count(a.id) as article_count
    from categories c left join articles a on a.category_id = c.id
    group by c.id, c.parent_id, c.slug, c.name, c.description, c.position
    order by c.position, c.name";

/// Every category with the articles the reader whose audience rank is `$1` may read.
const READERS_TREE: &str = concat!("
    select c.id, c.parent_id, c.slug, c.name, c.description, count(a.id) as article_count
    from categories c left join articles a on a.category_id = c.id and ", readable!(), "
    group by c.id, c.parent_id, c.slug, c.name, c.description, c.position
    order by c.position, c.name");

/// The rows, siblings already in order, arranged depth first with their depth. A row whose
/// parent is missing counts as a root, so no category is ever left out.
fn depth_first(rows: Vec<CategoryRow>) -> Vec<(usize, CategoryRow)> {
    let ids: HashSet<i64> = rows.iter().map(|row| row.id).collect();
    let mut children: HashMap<Option<i64>, Vec<CategoryRow>> = HashMap::new();
    for row in rows {
        children.entry(row.parent_id.filter(|parent| ids.contains(parent))).or_default().push(row);
    }
    let mut ordered = Vec::with_capacity(ids.len());
    let mut stack = vec![(0, children.remove(&None).unwrap_or_default().into_iter())];
    while let Some((depth, siblings)) = stack.last_mut() {
        let depth = *depth;
        match siblings.next() {
            Some(row) => {
                let below = children.remove(&Some(row.id)).unwrap_or_default();
                ordered.push((depth, row));
                stack.push((depth + 1, below.into_iter()));
            }
            None => {
                stack.pop();
            }
        }
    }
    ordered
}

/// The tree as editors arrange it: depth first, each category with its depth.
pub async fn tree(db: &Db) -> Result<Vec<CategoryNode>, AppError> {
    let rows = with_db!(db, |pool| sqlx::query_as::<_, CategoryRow>(EDITORS_TREE).fetch_all(pool).await?);
    let parents: HashSet<i64> = rows.iter().filter_map(|row| row.parent_id).collect();
    Ok(depth_first(rows)
        .into_iter()
        .map(|(depth, row)| CategoryNode {
            has_subcategories: parents.contains(&row.id),
            id: row.id,
            parent_id: row.parent_id,
            slug: row.slug,
            name: row.name,
            description: row.description,
            depth,
            article_count: row.article_count,
        })
        .collect())
}

/// Categories to file an article under, named with their path ("Orders › Returns").
pub async fn choices(db: &Db) -> Result<Vec<Choice>, AppError> {
    let mut path: Vec<String> = Vec::new();
    Ok(tree(db)
        .await?
        .into_iter()
        .map(|node| {
            path.truncate(node.depth);
            path.push(node.name);
            Choice { id: node.id, name: path.join(" › ") }
        })
        .collect())
}

/// The top-level categories a reader browses, each holding its subcategories; a count
/// includes the articles of everything below.
pub async fn for_readers(db: &Db, reader: Audience) -> Result<Vec<Category>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, CategoryRow>(READERS_TREE).bind(reader.rank()).fetch_all(pool).await?
    });
    Ok(nest(&mut depth_first(rows).into_iter().peekable(), 0))
}

fn nest(flat: &mut std::iter::Peekable<impl Iterator<Item = (usize, CategoryRow)>>, depth: usize) -> Vec<Category> {
    let mut level = Vec::new();
    while let Some((_, row)) = flat.next_if(|(row_depth, _)| *row_depth == depth) {
        let subcategories = nest(flat, depth + 1);
        let article_count = row.article_count + subcategories.iter().map(|below| below.article_count).sum::<i64>();
        level.push(Category { slug: row.slug, name: row.name, description: row.description, article_count, subcategories });
    }
    level
}

/// The categories from a root down to the one called `slug`, if there is one.
pub fn path_to<'a>(level: &'a [Category], slug: &str) -> Option<Vec<&'a Category>> {
    level.iter().find_map(|category| match category.slug == slug {
        true => Some(vec![category]),
        false => path_to(&category.subcategories, slug).map(|mut below| {
            below.insert(0, category);
            below
        }),
    })
}

/// The fields trimmed and checked.
fn checked(fields: &CategoryFields) -> Result<CategoryFields, AppError> {
    let name = fields.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::invalid(format!("Give the category a name of at most {MAX_NAME_CHARS} characters.")));
    }
    let description = fields.description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(AppError::invalid(format!("Keep the description to {MAX_DESCRIPTION_CHARS} characters.")));
    }
    Ok(CategoryFields { name: name.to_owned(), description: description.to_owned(), parent_id: fields.parent_id })
}

/// Refuses a parent that does not exist, is the category itself or lies below it, or would
/// put the category, or the deepest of the `$levels_below` levels under it, deeper than
/// [`MAX_DEPTH`]. `$category` is `None` for a new category.
macro_rules! check_parent {
    ($tx:expr, $category:expr, $parent:expr, $levels_below:expr) => {
        let mut depth = 1 + $levels_below;
        let mut above = $parent;
        while let Some(ancestor) = above {
            if Some(ancestor) == $category {
                return Err(AppError::invalid("A category cannot sit inside itself or one of its subcategories."));
            }
            if depth >= MAX_DEPTH {
                return Err(AppError::invalid(format!("Categories nest at most {MAX_DEPTH} levels deep.")));
            }
            above = sqlx::query_scalar::<_, Option<i64>>("select parent_id from categories where id = $1")
                .bind(ancestor)
                .fetch_optional(&mut *$tx)
                .await?
                .ok_or_else(|| AppError::invalid("Choose a parent category that exists."))?;
            depth += 1;
        }
    };
}

/// How many levels of subcategories lie under category `$category`: 0 for one without any.
macro_rules! levels_below {
    ($tx:expr, $category:expr) => {
        levels_below(
            &sqlx::query_as::<_, (i64, Option<i64>)>("select id, parent_id from categories").fetch_all(&mut *$tx).await?,
            $category,
        )
    };
}

/// Counted level by level over `(id, parent_id)` links; a walk past [`MAX_DEPTH`] stops there.
fn levels_below(links: &[(i64, Option<i64>)], category: i64) -> usize {
    let mut level = vec![category];
    let mut levels = 0;
    loop {
        level = links.iter().filter(|(_, parent)| parent.is_some_and(|parent| level.contains(&parent))).map(|(id, _)| *id).collect();
        if level.is_empty() || levels > MAX_DEPTH {
            return levels;
        }
        levels += 1;
    }
}

/// The parent of category `$category`; not found if there is no such category.
macro_rules! parent_of {
    ($tx:expr, $category:expr) => {
        sqlx::query_scalar::<_, Option<i64>>("select parent_id from categories where id = $1")
            .bind($category)
            .fetch_optional(&mut *$tx)
            .await?
            .ok_or(AppError::NotFound)?
    };
}

/// The position after the last child of `$parent`.
macro_rules! next_position {
    ($tx:expr, $parent:expr) => {
        sqlx::query_scalar::<_, i32>(
            "select coalesce(max(position), 0) + 1 from categories where parent_id = $1 or ($1 is null and parent_id is null)",
        )
        .bind($parent)
        .fetch_one(&mut *$tx)
        .await?
    };
}

/// A new category, last among its siblings, at an address made from its name.
pub async fn create(db: &Db, editor: &CurrentUser, fields: &CategoryFields) -> Result<i64, AppError> {
    add(db, editor, &checked(fields)?, None).await
}

/// Adds a category an archive names, keeping its slug so the archive's articles find it, under
/// the parent with slug `parent` (at the top level where this help center has none). A
/// category that exists already keeps its place. Whether it was added.
pub async fn import(db: &Db, editor: &CurrentUser, slug: &str, fields: &CategoryFields, parent: Option<&str>) -> Result<bool, AppError> {
    let fields = checked(fields)?;
    check_slug(slug)?;
    let found = with_db!(db, |pool| {
        sqlx::query_as::<_, (String, i64)>("select slug, id from categories where slug = $1 or slug = $2")
            .bind(slug)
            .bind(parent.unwrap_or(slug))
            .fetch_all(pool)
            .await?
    });
    if found.iter().any(|(found, _)| found == slug) {
        return Ok(false);
    }
    let parent_id = found.into_iter().find(|(found, _)| Some(found.as_str()) == parent).map(|(_, id)| id);
    add(db, editor, &CategoryFields { parent_id, ..fields }, Some(slug)).await?;
    Ok(true)
}

/// Refuses what cannot be a category's address.
pub fn check_slug(slug: &str) -> Result<(), AppError> {
    match !slug.is_empty() && slug.len() <= 100 && slug.chars().all(|c| c.is_alphanumeric() || c == '-') {
        true => Ok(()),
        false => Err(AppError::invalid(format!("“{slug}” is not a category slug"))),
    }
}

/// Inserts checked `fields` last among their siblings, at `slug` or one made from the name.
async fn add(db: &Db, editor: &CurrentUser, fields: &CategoryFields, slug: Option<&str>) -> Result<i64, AppError> {
    let base = slug_of(&fields.name);
    let now = clock::now();
    Ok(with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        check_parent!(tx, None::<i64>, fields.parent_id, 0);
        let slug = match slug {
            Some(slug) => slug.to_owned(),
            None => {
                let taken = sqlx::query_scalar::<_, String>("select slug from categories where slug = $1 or slug like $2")
                    .bind(&base)
                    .bind(format!("{base}-%"))
                    .fetch_all(&mut *tx)
                    .await?;
                first_free_slug(&base, &taken)
            }
        };
        let position = next_position!(tx, fields.parent_id);
        let id = sqlx::query_scalar::<_, i64>(
            "insert into categories (slug, name, description, parent_id, position) values ($1, $2, $3, $4, $5) returning id",
        )
        .bind(&slug)
        .bind(&fields.name)
        .bind(&fields.description)
        .bind(fields.parent_id)
        .bind(position)
        .fetch_one(&mut *tx)
        .await?;
        audit!(&mut *tx, Some(editor.id), "category.create", "category", Some(id), json!({ "slug": slug }), now)?;
        tx.commit().await?;
        id
    }))
}

/// Renames, describes or moves a category under another parent (last among its new
/// siblings). Its address stays, so links to it keep working.
pub async fn update(db: &Db, editor: &CurrentUser, category_id: i64, fields: &CategoryFields) -> Result<(), AppError> {
    let fields = checked(fields)?;
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let parent = parent_of!(tx, category_id);
        if parent != fields.parent_id {
            check_parent!(tx, Some(category_id), fields.parent_id, levels_below!(tx, category_id));
            let position = next_position!(tx, fields.parent_id);
            sqlx::query("update categories set parent_id = $1, position = $2 where id = $3")
                .bind(fields.parent_id)
                .bind(position)
                .bind(category_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("update categories set name = $1, description = $2 where id = $3")
            .bind(&fields.name)
            .bind(&fields.description)
            .bind(category_id)
            .execute(&mut *tx)
            .await?;
        audit!(&mut *tx, Some(editor.id), "category.update", "category", Some(category_id), json!({ "name": fields.name }), now)?;
        tx.commit().await?;
    });
    Ok(())
}

/// Moves a category one place up or down among its siblings. At either end it stays put.
pub async fn step(db: &Db, category_id: i64, step: CategoryStep) -> Result<(), AppError> {
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let parent = parent_of!(tx, category_id);
        let mut siblings = sqlx::query_scalar::<_, i64>(
            "select id from categories where parent_id = $1 or ($1 is null and parent_id is null) order by position, name",
        )
        .bind(parent)
        .fetch_all(&mut *tx)
        .await?;
        let at = siblings.iter().position(|id| *id == category_id).ok_or(AppError::NotFound)?;
        let to = match step {
            CategoryStep::Up => at.checked_sub(1),
            CategoryStep::Down => Some(at + 1).filter(|to| *to < siblings.len()),
        };
        if let Some(to) = to {
            siblings.swap(at, to);
            // Positions renumbered from 1, so equal positions (ordered by name) become distinct.
            for (position, id) in (1_i32..).zip(&siblings) {
                sqlx::query("update categories set position = $1 where id = $2")
                    .bind(position)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
    });
    Ok(())
}

/// Deletes an empty category. One that still holds articles or subcategories is refused
/// with what it holds, so nothing is left without a home.
pub async fn delete(db: &Db, editor: &CurrentUser, category_id: i64) -> Result<(), AppError> {
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let (name, articles, subcategories) = sqlx::query_as::<_, (String, i64, i64)>(
            "select name, (select count(*) from articles where category_id = c.id),
                    (select count(*) from categories where parent_id = c.id)
             from categories c where id = $1",
        )
        .bind(category_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
        if articles + subcategories > 0 {
            let held = [(articles, "article"), (subcategories, "subcategory")]
                .into_iter()
                .filter(|(count, _)| *count > 0)
                .map(|(count, noun)| match (count, noun) {
                    (1, noun) => format!("1 {noun}"),
                    (count, "subcategory") => format!("{count} subcategories"),
                    (count, noun) => format!("{count} {noun}s"),
                })
                .collect::<Vec<_>>()
                .join(" and ");
            return Err(AppError::Conflict(format!("“{name}” still holds {held}. Move them to another category first.")));
        }
        sqlx::query("delete from categories where id = $1").bind(category_id).execute(&mut *tx).await?;
        audit!(&mut *tx, Some(editor.id), "category.delete", "category", Some(category_id), json!({ "name": name }), now)?;
        tx.commit().await?;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, parent_id: Option<i64>) -> CategoryRow {
        CategoryRow { id, parent_id, slug: format!("c{id}"), name: format!("C{id}"), description: String::new(), article_count: id }
    }

    #[test]
    fn the_tree_is_read_depth_first_keeping_sibling_order() {
        let rows = vec![row(1, None), row(2, Some(1)), row(3, None), row(4, Some(2)), row(5, Some(1)), row(6, Some(99))];
        let order: Vec<(usize, i64)> = depth_first(rows).into_iter().map(|(depth, row)| (depth, row.id)).collect();
        assert_eq!(order, [(0, 1), (1, 2), (2, 4), (1, 5), (0, 3), (0, 6)]);
    }

    #[test]
    fn readers_counts_include_everything_below() {
        let rows = vec![row(1, None), row(2, Some(1)), row(4, Some(2)), row(3, None)];
        let roots = nest(&mut depth_first(rows).into_iter().peekable(), 0);
        assert_eq!(roots.iter().map(|root| (root.slug.as_str(), root.article_count)).collect::<Vec<_>>(), [("c1", 7), ("c3", 3)]);
        let path: Vec<&str> = path_to(&roots, "c4").unwrap().into_iter().map(|category| category.slug.as_str()).collect();
        assert_eq!(path, ["c1", "c2", "c4"]);
        assert!(path_to(&roots, "nope").is_none());
    }
}
