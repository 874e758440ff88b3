//! Logins: creating them with a properly hashed password.

use super::{
    clock,
    db::{Db, with_db},
    password,
};
use crate::{error::AppError, model::Role};
use chrono::{DateTime, Utc};

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password: &'a str,
}

/// Creates a login whose email address its creator vouches for (the operator's command line,
/// demo data) and returns its id. The email is stored trimmed and lowercased.
pub async fn create_user(db: &Db, user: NewUser<'_>) -> Result<i64, AppError> {
    insert_user(db, user, Some(clock::now())).await
}

/// Creates a login that must still prove it owns its email address (self-registration,
/// invitations): until then it is linked to no customer history.
pub async fn create_unverified_user(db: &Db, user: NewUser<'_>) -> Result<i64, AppError> {
    insert_user(db, user, None).await
}

async fn insert_user(db: &Db, user: NewUser<'_>, verified_at: Option<DateTime<Utc>>) -> Result<i64, AppError> {
    let email = normalize_email(user.email)?;
    let display_name = user.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 100 {
        return Err(AppError::invalid("Enter a name of 1 to 100 characters."));
    }
    password::check_strength(user.password)?;
    let password_hash = password::hash(user.password.to_owned()).await?;
    let inserted = with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "insert into users (email, display_name, role, password_hash, created_at, email_verified_at)
             values ($1, $2, $3, $4, $5, $6) returning id",
        )
        .bind(&email)
        .bind(display_name)
        .bind(user.role.as_str())
        .bind(&password_hash)
        .bind(clock::now())
        .bind(verified_at)
        .fetch_one(pool)
        .await
    });
    match inserted {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(AppError::Conflict(
            format!("An account for {email} already exists."),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn count_users(db: &Db) -> Result<i64, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>("select count(*) from users")
            .fetch_one(pool)
            .await?
    }))
}

pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
    if valid {
        Ok(email)
    } else {
        Err(AppError::invalid(format!(
            "{:?} is not a valid email address.",
            raw.trim()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            normalize_email("  Ana.Silva@Example.COM ").unwrap(),
            "ana.silva@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in ["", "ana", "ana@", "@example.com", "ana@example", "a b@example.com", "a@b@c.com"] {
            assert!(normalize_email(bad).is_err(), "{bad:?} accepted");
        }
    }
}
