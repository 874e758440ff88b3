//! Keys for the public REST API and the inbound endpoints: created by an administrator,
//! shown once, stored as a hash, limited to named scopes and a request rate, revocable.
//!
//! A key reads `hd_<prefix>_<secret>`: the prefix finds the row, the hash of the whole key
//! proves it. Keys are long random strings, so a fast hash (SHA-256) is safe here, where a
//! slow password hash would cap ingest at a few requests per second.

use super::{
    accounts::{hash_token, random_token},
    audit::audit,
    clock,
    db::{BeginWrite, Db, with_db},
};
use crate::{
    error::AppError,
    model::{ApiKey, ApiScope},
};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

pub const DEFAULT_RATE_PER_MINUTE: u32 = 600;

/// Creates a key and answers it with its secret, the only time the secret is shown.
pub async fn create(
    db: &Db,
    name: &str,
    scopes: &[ApiScope],
    rate_per_minute: u32,
    actor_id: Option<i64>,
) -> Result<(ApiKey, String), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid("Name the key (1 to 100 characters), e.g. after the system that uses it."));
    }
    if scopes.is_empty() {
        return Err(AppError::invalid("Give the key at least one scope."));
    }
    if !(1..=100_000).contains(&rate_per_minute) {
        return Err(AppError::invalid("The rate limit is 1 to 100000 requests a minute."));
    }
    let prefix: String = random_token().chars().filter(char::is_ascii_alphanumeric).take(10).collect();
    let secret = format!("hd_{prefix}_{}", random_token());
    let scopes_text = scopes.iter().map(|scope| scope.as_str()).collect::<Vec<_>>().join(" ");
    let now = clock::now();
    let id = with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let id = sqlx::query_scalar::<_, i64>(
            "insert into api_keys (name, prefix, secret_hash, scopes, rate_per_minute, created_by, created_at)
             values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(name)
        .bind(&prefix)
        .bind(hash_token(&secret))
        .bind(&scopes_text)
        .bind(rate_per_minute as i32)
        .bind(actor_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let details = json!({ "name": name, "prefix": prefix, "scopes": scopes_text });
        audit!(&mut *tx, actor_id, "api_key.create", "api_key", Some(id), details, now)?;
        tx.commit().await?;
        id
    });
    let key = ApiKey {
        id,
        name: name.to_owned(),
        prefix,
        scopes: scopes.to_vec(),
        rate_per_minute,
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    Ok((key, secret))
}

type KeyRow = (i64, String, String, String, i32, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

const KEY_COLUMNS: &str =
    "id, name, prefix, scopes, rate_per_minute, created_at, last_used_at, revoked_at";

fn from_row((id, name, prefix, scopes, rate, created_at, last_used_at, revoked_at): KeyRow) -> ApiKey {
    ApiKey {
        id,
        name,
        prefix,
        // A scope this build does not know is dropped rather than granted.
        scopes: scopes.split_whitespace().filter_map(|scope| scope.parse().ok()).collect(),
        rate_per_minute: rate.max(1) as u32,
        created_at,
        last_used_at,
        revoked_at,
    }
}

/// Every key, newest first.
pub async fn list(db: &Db) -> Result<Vec<ApiKey>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, KeyRow>(&format!("select {KEY_COLUMNS} from api_keys order by id desc"))
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(from_row).collect())
}

/// Revokes a key: requests with it are refused from now on.
pub async fn revoke(db: &Db, id: i64, actor_id: Option<i64>) -> Result<(), AppError> {
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let revoked = sqlx::query("update api_keys set revoked_at = $1 where id = $2 and revoked_at is null")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if revoked == 0 {
            return Err(AppError::NotFound);
        }
        audit!(&mut *tx, actor_id, "api_key.revoke", "api_key", Some(id), json!({}), now)?;
        tx.commit().await?;
    });
    Ok(())
}

/// The live key this secret is, or `None` for an unknown, malformed or revoked one.
pub async fn authenticate(db: &Db, secret: &str) -> Result<Option<ApiKey>, AppError> {
    let Some(prefix) = secret.strip_prefix("hd_").and_then(|rest| rest.split_once('_')).map(|(prefix, _)| prefix) else {
        return Ok(None);
    };
    let row = with_db!(db, |pool| {
        // Matching on the hash, as account links do: how long a comparison takes tells nothing
        // about the secret.
        sqlx::query_as::<_, KeyRow>(&format!("select {KEY_COLUMNS} from api_keys where prefix = $1 and secret_hash = $2"))
            .bind(prefix)
            .bind(hash_token(secret))
            .fetch_optional(pool)
            .await?
    });
    let Some(key) = row.map(from_row) else {
        return Ok(None);
    };
    if key.revoked_at.is_some() {
        return Ok(None);
    }
    // Recorded at most once a minute, so a busy integration does not add a write per request.
    let now = clock::now();
    if key.last_used_at.is_none_or(|at| now - at > chrono::Duration::minutes(1)) {
        with_db!(db, |pool| {
            sqlx::query("update api_keys set last_used_at = $1 where id = $2")
                .bind(now)
                .bind(key.id)
                .execute(pool)
                .await?;
        });
    }
    Ok(Some(key))
}

/// Per-key request budgets in this process: a bucket of a minute's requests, refilled
/// continuously, so a burst is allowed and a steady flood is slowed to the key's rate.
#[derive(Debug, Default)]
pub struct RateLimits {
    buckets: Mutex<HashMap<i64, Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimits {
    /// Takes one request from the key's budget, or answers how long to wait for the next.
    pub fn take(&self, key: &ApiKey, now: Instant) -> Result<(), Duration> {
        let capacity = f64::from(key.rate_per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let bucket = buckets.entry(key.id).or_insert(Bucket { tokens: capacity, at: now });
        bucket.tokens = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * per_second).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(rate_per_minute: u32) -> ApiKey {
        ApiKey {
            id: 1,
            name: "CRM".into(),
            prefix: "abc".into(),
            scopes: vec![ApiScope::MessagesWrite],
            rate_per_minute,
            created_at: Utc::now(),
            last_used_at: None,
            revoked_at: None,
        }
    }

    #[test]
    fn a_burst_up_to_the_rate_passes_then_waits_are_named() {
        let limits = RateLimits::default();
        let start = Instant::now();
        for _ in 0..60 {
            assert!(limits.take(&key(60), start).is_ok());
        }
        let wait = limits.take(&key(60), start).unwrap_err();
        assert!(wait <= Duration::from_secs(1) && wait > Duration::ZERO, "{wait:?}");
        // A second later one more request fits.
        assert!(limits.take(&key(60), start + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn scopes_are_required_by_name() {
        assert!(key(60).require(ApiScope::MessagesWrite).is_ok());
        assert_eq!(key(60).require(ApiScope::TicketsRead).unwrap_err(), "This API key lacks the tickets:read scope.");
    }
}
