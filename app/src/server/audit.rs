//! The append-only audit log: who did what to which record.

/// Appends an audit entry inside the caller's transaction, so the entry and the change it
/// records commit or roll back together:
/// `audit!(&mut *tx, actor_id, "customer.merge", "customer", entity_id, details_json, now)`.
#[macro_export]
macro_rules! audit {
    ($executor:expr, $actor:expr, $action:expr, $entity:expr, $entity_id:expr, $details:expr, $now:expr) => {
        sqlx::query(
            "insert into audit_log (actor_id, action, entity, entity_id, details, created_at)
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind($actor)
        .bind($action)
        .bind($entity)
        .bind($entity_id)
        .bind(sqlx::types::Json($details))
        .bind($now)
        .execute($executor)
        .await
    };
}
pub use audit;

use super::{
    clock,
    db::{Db, with_db},
};
use crate::error::AppError;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AuditEntry {
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub details: sqlx::types::Json<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

/// Records who did what to which record, as a write of its own (a change written in a
/// transaction audits inside it with [`audit!`]).
pub async fn record(
    db: &Db,
    actor_id: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: i64,
    details: serde_json::Value,
) -> Result<(), AppError> {
    let now = clock::now();
    with_db!(db, |pool| {
        audit!(pool, actor_id, action, entity, Some(entity_id), details, now)?;
    });
    Ok(())
}

/// The entries about one record, oldest first.
pub async fn entries_for(db: &Db, entity: &str, entity_id: i64) -> Result<Vec<AuditEntry>, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_as::<_, AuditEntry>(
            "select actor_id, action, entity, entity_id, details, created_at
             from audit_log where entity = $1 and entity_id = $2 order by id",
        )
        .bind(entity)
        .bind(entity_id)
        .fetch_all(pool)
        .await?
    }))
}
