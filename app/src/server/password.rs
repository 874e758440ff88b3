//! Password hashing: Argon2id with the OWASP parameters (19 MiB, 2 passes, 1 lane), on
//! blocking threads, at most one hash per core at a time so a burst of sign-ins queues
//! instead of starving the server of CPU and memory.

use crate::error::AppError;
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

pub const MIN_CHARS: usize = 10;
pub const MAX_CHARS: usize = 128;

static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// A hash of a password nobody has, checked when the account does not exist, so that an
/// unknown email costs the same time as a wrong password.
static DECOY: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(b"decoy password for unknown accounts", &salt).expect("hash the decoy").to_string()
});

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// NIST SP 800-63B: a minimum length, a generous maximum, no composition rules, and none of
/// the passwords attackers try first.
pub fn check_strength(password: &str) -> Result<(), AppError> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(AppError::invalid(format!("Use a password of at least {MIN_CHARS} characters.")));
    }
    if chars > MAX_CHARS {
        return Err(AppError::invalid(format!("Use a password of at most {MAX_CHARS} characters.")));
    }
    let lowered = password.to_lowercase();
    if COMMON.iter().any(|common| *common == lowered) {
        return Err(AppError::invalid(
            "That password is one of the most common ones; choose one that is harder to guess.",
        ));
    }
    Ok(())
}

pub async fn hash(password: String) -> Result<String, AppError> {
    on_hashing_thread(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string()).map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
    })
    .await
}

/// Checks `password` against `stored` (or against the decoy when there is no account).
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    on_hashing_thread(move || {
        let exists = stored.is_some();
        let stored = stored.unwrap_or_else(|| DECOY.clone());
        let matches = PasswordHash::new(&stored)
            .map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "stored password hash is malformed");
                false
            });
        Ok(exists && matches)
    })
    .await
}

async fn on_hashing_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let _permit = HASHING.acquire().await.map_err(|_| AppError::Unavailable)?;
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing task failed");
        AppError::Internal
    })?
}

/// Passwords of at least ten characters from the most-used lists (SecLists, HIBP top lists).
const COMMON: &[&str] = &[
    "1234567890", "12345678910", "123456789a", "1q2w3e4r5t", "1qaz2wsx3edc", "qwertyuiop",
    "0123456789", "0987654321", "1111111111", "0000000000", "abcdefghij", "password12",
    "password123", "password1234", "password!", "passw0rd123", "iloveyou12", "qwerty1234",
    "qwerty12345", "qwerty123456", "1234qwer!@", "asdfghjkl1", "zxcvbnm123", "princess12",
    "football12", "baseball12", "welcome123", "welcome1234", "letmein123", "sunshine12",
    "superman12", "starwars12", "trustno1234", "administrator", "changeme123", "monkey1234",
    "dragon1234", "master1234", "qazwsxedc123", "abc1234567", "aa12345678", "a123456789",
    "1234567890a", "1234567890q", "123123123123", "123qweasdzxc", "p@ssw0rd123", "p@ssword123",
    "correcthorse", "helloworld1", "iloveyou123", "password2024", "password2025", "password2026",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules_and_common_passwords() {
        assert!(check_strength("short-pw").is_err());
        assert!(check_strength("long enough pass").is_ok());
        assert!(check_strength(&"x".repeat(129)).is_err());
        let common = check_strength("Password123").unwrap_err();
        assert!(common.to_string().contains("most common"));
    }

    #[tokio::test]
    async fn verify_accepts_the_password_and_nothing_else() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(verify("correct horse battery".into(), Some(stored.clone())).await.unwrap());
        assert!(!verify("Correct horse battery".into(), Some(stored)).await.unwrap());
        assert!(!verify("decoy password for unknown accounts".into(), None).await.unwrap());
    }
}
