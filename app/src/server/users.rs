//! Logins: creating them with a properly hashed password.

use super::db::{Db, with_db};
use crate::{error::AppError, model::Role};
use argon2::{
    Algorithm, Argon2, Params, PasswordHasher, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use chrono::Utc;

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub password: &'a str,
}

/// Creates a login and returns its id. The email is stored trimmed and lowercased.
pub async fn create_user(db: &Db, user: NewUser<'_>) -> Result<i64, AppError> {
    let email = normalize_email(user.email)?;
    let display_name = user.display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 100 {
        return Err(AppError::invalid("Enter a name of 1 to 100 characters."));
    }
    check_password(user.password)?;
    let password_hash = hash_password(user.password.to_owned()).await?;
    let inserted = with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "insert into users (email, display_name, role, password_hash, created_at)
             values ($1, $2, $3, $4, $5) returning id",
        )
        .bind(&email)
        .bind(display_name)
        .bind(user.role.as_str())
        .bind(&password_hash)
        .bind(Utc::now())
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

/// NIST SP 800-63B: a minimum length, a generous maximum, no composition rules.
pub fn check_password(password: &str) -> Result<(), AppError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(AppError::invalid(format!(
            "Use a password of at least {PASSWORD_MIN_CHARS} characters."
        )));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(AppError::invalid(format!(
            "Use a password of at most {PASSWORD_MAX_CHARS} characters."
        )));
    }
    Ok(())
}

/// Argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane), off the async executor:
/// a hash costs tens of milliseconds of CPU.
async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let params = Params::new(19 * 1024, 2, 1, None).expect("constant argon2 parameters");
        let salt = SaltString::generate(&mut OsRng);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing task failed");
        AppError::Internal
    })?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
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

    #[test]
    fn passwords_need_ten_characters_and_no_more_than_128() {
        assert!(check_password("short-pw").is_err());
        assert!(check_password("long enough pass").is_ok());
        assert!(check_password(&"x".repeat(129)).is_err());
    }
}
