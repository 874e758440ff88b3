//! Customer profiles: reading them, and merging two profiles of the same person (and undoing
//! that, exactly).

use super::{
    audit::audit,
    clock,
    db::{BeginWrite, Db, decode_text, with_db},
};
use crate::{
    error::AppError,
    model::{AttributeField, Customer, Identity, MergePreview, MergeRecord, Tier},
};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::types::Json;

#[derive(sqlx::FromRow)]
struct CustomerRow {
    id: i64,
    display_name: String,
    tier: String,
    attributes: Json<serde_json::Map<String, serde_json::Value>>,
    last_seen_at: Option<DateTime<Utc>>,
    last_contact_at: Option<DateTime<Utc>>,
    merged_into_id: Option<i64>,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct IdentityRow {
    id: i64,
    customer_id: i64,
    kind: String,
    value: String,
    verified: bool,
}

pub async fn customer(db: &Db, id: i64) -> Result<Customer, AppError> {
    let row = with_db!(db, |pool| {
        sqlx::query_as::<_, CustomerRow>(
            "select id, display_name, tier, attributes, last_seen_at, last_contact_at,
                    merged_into_id, created_at
             from customers where id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
    })
    .ok_or(AppError::NotFound)?;
    Ok(Customer {
        id: row.id,
        display_name: row.display_name,
        tier: decode_text(&row.tier)?,
        attributes: row.attributes.0,
        last_seen_at: row.last_seen_at,
        last_contact_at: row.last_contact_at,
        merged_into_id: row.merged_into_id,
        created_at: row.created_at,
    })
}

pub async fn identities(db: &Db, customer_id: i64) -> Result<Vec<Identity>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, IdentityRow>(
            "select id, customer_id, kind, value, verified from identities
             where customer_id = $1 order by kind, value",
        )
        .bind(customer_id)
        .fetch_all(pool)
        .await?
    });
    rows.into_iter()
        .map(|row| {
            Ok(Identity {
                id: row.id,
                customer_id: row.customer_id,
                kind: decode_text(&row.kind)?,
                value: row.value,
                verified: row.verified,
            })
        })
        .collect()
}

/// A change to a profile; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ProfileChange<'a> {
    pub display_name: Option<&'a str>,
    pub tier: Option<Tier>,
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The longest attribute name and value, in characters.
const MAX_ATTRIBUTE_NAME: usize = 60;
const MAX_ATTRIBUTE_VALUE: usize = 1_000;

/// Custom attributes from what an agent typed: a blank row is skipped and an attribute with
/// an empty value removed; numbers and true/false are kept as such, the rest as text.
pub fn attributes_from(
    fields: &[AttributeField],
) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    let mut attributes = serde_json::Map::new();
    for field in fields {
        let (name, value) = (field.name.trim(), field.value.trim());
        if name.is_empty() {
            if value.is_empty() {
                continue;
            }
            return Err(AppError::invalid(format!(
                "The value {value:?} needs an attribute name."
            )));
        }
        if name.chars().count() > MAX_ATTRIBUTE_NAME {
            return Err(AppError::invalid(format!(
                "An attribute name has at most {MAX_ATTRIBUTE_NAME} characters."
            )));
        }
        if value.chars().count() > MAX_ATTRIBUTE_VALUE {
            return Err(AppError::invalid(format!(
                "The value of {name:?} has more than {MAX_ATTRIBUTE_VALUE} characters."
            )));
        }
        let key = name.split_whitespace().collect::<Vec<_>>().join("_");
        if attributes.contains_key(&key) {
            return Err(AppError::invalid(format!(
                "Two attributes are called {name:?}; keep one."
            )));
        }
        if value.is_empty() {
            continue;
        }
        let typed = match serde_json::from_str::<serde_json::Value>(value) {
            Ok(number @ serde_json::Value::Number(_)) => number,
            Ok(flag @ serde_json::Value::Bool(_)) => flag,
            _ => serde_json::Value::String(value.to_owned()),
        };
        attributes.insert(key, typed);
    }
    Ok(attributes)
}

/// Updates a profile and records who changed what in the audit log.
pub async fn update_profile(
    db: &Db,
    id: i64,
    change: ProfileChange<'_>,
    actor_id: Option<i64>,
) -> Result<Customer, AppError> {
    let current = customer(db, id).await?;
    let display_name = match change.display_name.map(str::trim) {
        Some(name) if name.is_empty() || name.chars().count() > 200 => {
            return Err(AppError::invalid("A name has 1 to 200 characters."));
        }
        Some(name) => name.to_owned(),
        None => current.display_name.clone(),
    };
    let attributes = change.attributes.unwrap_or_else(|| current.attributes.clone());
    if serde_json::to_string(&attributes).map_or(true, |json| json.len() > 16 * 1024) {
        return Err(AppError::invalid("Custom attributes are limited to 16 KB."));
    }
    let tier = change.tier.unwrap_or(current.tier);
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "update customers set display_name = $1, tier = $2, attributes = $3, updated_at = $4
             where id = $5",
        )
        .bind(&display_name)
        .bind(tier.as_str())
        .bind(Json(&attributes))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit!(
            &mut *tx,
            actor_id,
            "customer.update",
            "customer",
            id,
            json!({
                "display_name": [&current.display_name, &display_name],
                "tier": [current.tier, tier],
                "attributes": [&current.attributes, &attributes],
            }),
            now
        )?;
        tx.commit().await?;
    });
    customer(db, id).await
}

/// What a merge moves from the source profile to the target, with the table holding it.
const MOVED: [(&str, &str); 4] = [
    ("identity", "identities"),
    ("ticket", "tickets"),
    ("interaction", "interactions"),
    ("user", "users"),
];

/// Moves everything of `source_id` (identities, tickets, timeline, logins) to `target_id` and
/// marks the source as merged into it. Returns the merge's id, which [`unmerge`] takes.
pub async fn merge(db: &Db, source_id: i64, target_id: i64, actor_id: Option<i64>) -> Result<i64, AppError> {
    if source_id == target_id {
        return Err(AppError::invalid("A customer cannot be merged into itself."));
    }
    for id in [source_id, target_id] {
        if customer(db, id).await?.merged_into_id.is_some() {
            return Err(already_merged(id));
        }
    }
    let now = clock::now();
    let merge_id = with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let merge_id = sqlx::query_scalar::<_, i64>(
            "insert into customer_merges (source_id, target_id, merged_by, merged_at)
             values ($1, $2, $3, $4) returning id",
        )
        .bind(source_id)
        .bind(target_id)
        .bind(actor_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for (entity, table) in MOVED {
            sqlx::query(&format!(
                "insert into customer_merge_moves (merge_id, entity, entity_id)
                 select $1, '{entity}', id from {table} where customer_id = $2"
            ))
            .bind(merge_id)
            .bind(source_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(&format!("update {table} set customer_id = $1 where customer_id = $2"))
                .bind(target_id)
                .bind(source_id)
                .execute(&mut *tx)
                .await?;
        }
        // The guard in the where clause makes a concurrent second merge of the same source
        // update nothing, and fail below, instead of merging twice.
        let marked = sqlx::query(
            "update customers set merged_into_id = $1, updated_at = $2
             where id = $3 and merged_into_id is null",
        )
        .bind(target_id)
        .bind(now)
        .bind(source_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if marked == 0 {
            tx.rollback().await?;
            return Err(already_merged(source_id));
        }
        audit!(
            &mut *tx,
            actor_id,
            "customer.merge",
            "customer",
            source_id,
            json!({ "merge_id": merge_id, "into": target_id }),
            now
        )?;
        tx.commit().await?;
        merge_id
    });
    Ok(merge_id)
}

/// What merging `source_id` into `target_id` would move, for the agent to check first.
pub async fn merge_preview(db: &Db, target_id: i64, source_id: i64) -> Result<MergePreview, AppError> {
    if source_id == target_id {
        return Err(AppError::invalid("That is this customer's own profile; find the duplicate to merge into it."));
    }
    let source = customer(db, source_id).await?;
    if source.merged_into_id.is_some() {
        return Err(already_merged(source_id));
    }
    let identities = identities(db, source_id).await?;
    let (tickets, interactions) = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, i64)>(
            "select (select count(*) from tickets where customer_id = $1),
                    (select count(*) from interactions where customer_id = $1)",
        )
        .bind(source_id)
        .fetch_one(pool)
        .await?
    });
    Ok(MergePreview { source, identities, tickets, interactions })
}

/// The merges into a profile that can still be undone, newest first.
pub async fn merges_into(db: &Db, target_id: i64) -> Result<Vec<MergeRecord>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, i64, String, DateTime<Utc>)>(
            "select m.id, m.source_id, c.display_name, m.merged_at
             from customer_merges m join customers c on c.id = m.source_id
             where m.target_id = $1 and m.unmerged_at is null order by m.id desc",
        )
        .bind(target_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, source_id, source_name, merged_at)| MergeRecord { id, source_id, source_name, merged_at })
        .collect())
}

fn already_merged(customer_id: i64) -> AppError {
    AppError::Conflict(format!("Customer #{customer_id} was already merged into another profile."))
}

/// Puts back exactly what merge `merge_id` moved and makes the source a profile of its own
/// again. Rows added to the target since the merge stay with the target.
pub async fn unmerge(db: &Db, merge_id: i64, actor_id: Option<i64>) -> Result<(), AppError> {
    let (source_id, target_id, unmerged_at) = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, i64, Option<DateTime<Utc>>)>(
            "select source_id, target_id, unmerged_at from customer_merges where id = $1",
        )
        .bind(merge_id)
        .fetch_optional(pool)
        .await?
    })
    .ok_or(AppError::NotFound)?;
    if unmerged_at.is_some() {
        return Err(AppError::Conflict("This merge has already been undone.".into()));
    }
    if customer(db, target_id).await?.merged_into_id.is_some() {
        return Err(AppError::Conflict(format!(
            "Customer #{target_id} was merged again since; undo that merge first."
        )));
    }
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let reopened = sqlx::query(
            "update customer_merges set unmerged_at = $1 where id = $2 and unmerged_at is null",
        )
        .bind(now)
        .bind(merge_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if reopened == 0 {
            tx.rollback().await?;
            return Err(AppError::Conflict("This merge has already been undone.".into()));
        }
        for (entity, table) in MOVED {
            sqlx::query(&format!(
                "update {table} set customer_id = $1 where id in (
                     select entity_id from customer_merge_moves
                     where merge_id = $2 and entity = '{entity}')"
            ))
            .bind(source_id)
            .bind(merge_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("update customers set merged_into_id = null, updated_at = $1 where id = $2")
            .bind(now)
            .bind(source_id)
            .execute(&mut *tx)
            .await?;
        audit!(
            &mut *tx,
            actor_id,
            "customer.unmerge",
            "customer",
            source_id,
            json!({ "merge_id": merge_id, "from": target_id }),
            now
        )?;
        tx.commit().await?;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, value: &str) -> AttributeField {
        AttributeField {
            name: name.into(),
            value: value.into(),
        }
    }

    #[test]
    fn attributes_keep_numbers_and_flags_and_drop_what_was_emptied() {
        let typed = attributes_from(&[
            field(" account manager ", "Priya"),
            field("seats", "12"),
            field("trial", "false"),
            field("old plan", ""),
            field("", ""),
        ])
        .unwrap();
        assert_eq!(
            serde_json::Value::Object(typed),
            json!({ "account_manager": "Priya", "seats": 12, "trial": false })
        );
    }

    #[test]
    fn attributes_without_a_name_or_twice_named_are_refused() {
        let nameless = attributes_from(&[field("", "Pro")]);
        assert!(
            matches!(nameless, Err(AppError::Invalid(text)) if text.contains("\"Pro\" needs an attribute name"))
        );
        let twice = attributes_from(&[field("plan", "Pro"), field("plan", "Basic")]);
        assert!(
            matches!(twice, Err(AppError::Invalid(text)) if text.contains("Two attributes are called \"plan\""))
        );
        let long = attributes_from(&[field("plan", &"x".repeat(1_001))]);
        assert!(matches!(long, Err(AppError::Invalid(text)) if text.contains("more than 1000")));
    }
}
