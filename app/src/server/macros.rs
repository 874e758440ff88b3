//! Macros: saved replies and the ticket changes that go with them. Admins manage them (every
//! change audited); agents read them for the composer's picker. Applying one to a ticket is
//! the workspace's job.

use super::{
    audit::audit,
    clock,
    db::{BeginWrite, Db, decode_text, with_db},
    tickets,
};
use crate::{
    error::AppError,
    model::{Macro, MacroFields, TicketStatus},
    template,
};
use chrono::{DateTime, Utc};
use serde_json::json;

const MAX_TITLE_CHARS: usize = 100;
const MAX_BODY_CHARS: usize = 20_000;

#[derive(sqlx::FromRow)]
struct MacroRow {
    id: i64,
    title: String,
    body: String,
    internal: bool,
    set_status: Option<String>,
    set_priority: Option<String>,
    add_tags: String,
    assign_to_self: bool,
    team_id: Option<i64>,
    team_name: Option<String>,
    updated_at: DateTime<Utc>,
}

impl MacroRow {
    fn into_macro(self) -> Result<Macro, AppError> {
        Ok(Macro {
            id: self.id,
            fields: MacroFields {
                title: self.title,
                body: self.body,
                internal: self.internal,
                status: self.set_status.as_deref().map(decode_text).transpose()?,
                priority: self.set_priority.as_deref().map(decode_text).transpose()?,
                add_tags: self.add_tags.split_whitespace().map(str::to_owned).collect(),
                assign_to_self: self.assign_to_self,
                team_id: self.team_id,
            },
            team_name: self.team_name,
            updated_at: self.updated_at,
        })
    }
}

const SELECT: &str = "select m.id, m.title, m.body, m.internal, m.set_status, m.set_priority, m.add_tags,
                             m.assign_to_self, m.team_id, t.name as team_name, m.updated_at
                      from macros m left join teams t on t.id = m.team_id";

/// Every macro, by title.
pub async fn list(db: &Db) -> Result<Vec<Macro>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, MacroRow>(&format!("{SELECT} order by lower(m.title), m.id"))
            .fetch_all(pool)
            .await?
    });
    rows.into_iter().map(MacroRow::into_macro).collect()
}

pub async fn get(db: &Db, id: i64) -> Result<Macro, AppError> {
    let row = with_db!(db, |pool| {
        sqlx::query_as::<_, MacroRow>(&format!("{SELECT} where m.id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?
    });
    row.ok_or(AppError::NotFound)?.into_macro()
}

/// Checks a macro as an admin wrote it and returns it as it is stored: title and text
/// trimmed, tags normalized.
fn validate(fields: &MacroFields) -> Result<MacroFields, AppError> {
    let title = fields.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(AppError::invalid(format!("Give the macro a title of 1 to {MAX_TITLE_CHARS} characters.")));
    }
    let body = fields.body.trim();
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(AppError::invalid(format!("A macro's text has at most {MAX_BODY_CHARS} characters.")));
    }
    if let Some(unknown) = template::unknown_variables(body).first() {
        let known: Vec<String> = template::VARIABLES.iter().map(|(name, _)| format!("{{{{{name}}}}}")).collect();
        return Err(AppError::invalid(format!(
            "{{{{{unknown}}}}} is not a variable. The text can use {}.",
            known.join(", ")
        )));
    }
    if fields.internal && body.is_empty() {
        return Err(AppError::invalid("Write the note this macro adds, or let it add none."));
    }
    if matches!(fields.status, Some(TicketStatus::New | TicketStatus::Closed)) {
        return Err(AppError::invalid("A macro can set a ticket open, pending, on hold or solved."));
    }
    let add_tags = tickets::normalize_tags(&fields.add_tags)?;
    let does_something = !body.is_empty()
        || fields.status.is_some()
        || fields.priority.is_some()
        || !add_tags.is_empty()
        || fields.assign_to_self
        || fields.team_id.is_some();
    if !does_something {
        return Err(AppError::invalid("A macro needs text or at least one change to the ticket."));
    }
    Ok(MacroFields { title: title.to_owned(), body: body.to_owned(), add_tags, ..fields.clone() })
}

/// Creates a macro (`id` none) or replaces one.
pub async fn save(db: &Db, admin_id: i64, id: Option<i64>, fields: &MacroFields) -> Result<Macro, AppError> {
    let fields = validate(fields)?;
    let now = clock::now();
    let saved = with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let saved = match id {
            Some(id) => id,
            // A new macro starts as a row holding its title; the update below fills in the rest.
            None => sqlx::query_scalar::<_, i64>(
                "insert into macros (title, body, created_at, updated_at) values ($1, '', $2, $2) returning id",
            )
            .bind(&fields.title)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|error| refused(error, &fields.title))?,
        };
        sqlx::query_scalar::<_, i64>(
            "update macros set title = $1, body = $2, internal = $3, set_status = $4, set_priority = $5,
                               add_tags = $6, assign_to_self = $7, team_id = $8, updated_by = $9, updated_at = $10
             where id = $11 returning id",
        )
        .bind(&fields.title)
        .bind(&fields.body)
        .bind(fields.internal)
        .bind(fields.status.map(TicketStatus::as_str))
        .bind(fields.priority.map(|priority| priority.as_str()))
        .bind(fields.add_tags.join(" "))
        .bind(fields.assign_to_self)
        .bind(fields.team_id)
        .bind(admin_id)
        .bind(now)
        .bind(saved)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|error| refused(error, &fields.title))?
        .ok_or(AppError::NotFound)?;
        let action = if id.is_some() { "macro.update" } else { "macro.create" };
        audit!(&mut *tx, Some(admin_id), action, "macro", Some(saved), json!({ "title": fields.title }), now)?;
        tx.commit().await?;
        saved
    });
    get(db, saved).await
}

/// What the database refused, in the admin's terms: titles are unique whatever their case (so
/// agents can tell macros apart in the picker), and the team must still exist.
fn refused(error: sqlx::Error, title: &str) -> AppError {
    match error {
        sqlx::Error::Database(e) if e.is_unique_violation() => {
            AppError::Conflict(format!("A macro called {title:?} exists already; choose another title."))
        }
        sqlx::Error::Database(e) if e.is_foreign_key_violation() => {
            AppError::invalid("That team does not exist any more; choose one from the list.")
        }
        other => other.into(),
    }
}

pub async fn delete(db: &Db, admin_id: i64, id: i64) -> Result<(), AppError> {
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let title = sqlx::query_scalar::<_, String>("delete from macros where id = $1 returning title")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
        audit!(&mut *tx, Some(admin_id), "macro.delete", "macro", Some(id), json!({ "title": title }), now)?;
        tx.commit().await?;
    });
    Ok(())
}
