//! Signing in and out, and who the current request belongs to.

use super::{
    audit::audit,
    clock,
    db::{Db, decode_text, with_db},
    password,
    throttle::LoginThrottle,
    users::normalize_email,
};
use crate::{
    error::AppError,
    model::{CurrentUser, Role},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;
use tower_sessions::{Expiry, Session};

const SESSION_KEY: &str = "signed_in";

/// How long sessions live.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    /// Staff are signed out after this long without a request.
    pub staff_idle: Duration,
    /// Customers are signed out after this long without a request.
    pub customer_idle: Duration,
    /// Nobody stays signed in longer than this, active or not.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            staff_idle: Duration::from_secs(30 * 60),
            customer_idle: Duration::from_secs(7 * 24 * 3600),
            absolute: Duration::from_secs(12 * 3600),
        }
    }
}

/// What the session remembers: the login, and enough to expire it.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SignedIn {
    user_id: i64,
    session_epoch: i64,
    signed_in_at: i64,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    password_hash: String,
    customer_id: Option<i64>,
    session_epoch: i64,
}

impl UserRow {
    fn current_user(self) -> Result<CurrentUser, AppError> {
        Ok(CurrentUser {
            id: self.id,
            display_name: self.display_name,
            email: self.email,
            role: decode_text(&self.role)?,
            customer_id: self.customer_id,
        })
    }
}

const USER_COLUMNS: &str =
    "id, email, display_name, role, password_hash, customer_id, session_epoch";

/// Everything about one sign-in attempt that does not come from the form.
pub struct SignInContext<'a> {
    pub db: &'a Db,
    pub session: &'a Session,
    pub throttle: &'a LoginThrottle,
    pub policy: SessionPolicy,
    pub client_address: &'a str,
}

/// Checks the credentials and, if they are right, starts a fresh session for the user.
pub async fn sign_in(cx: SignInContext<'_>, email: &str, password: &str) -> Result<CurrentUser, AppError> {
    // An address that is not an email cannot match an account; it still costs a hash below.
    let account = normalize_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
    cx.throttle.check(cx.client_address, &account).map_err(AppError::TooManyAttempts)?;
    let row = with_db!(cx.db, |pool| {
        sqlx::query_as::<_, UserRow>(&format!("select {USER_COLUMNS} from users where email = $1"))
            .bind(&account)
            .fetch_optional(pool)
            .await?
    });
    let stored = row.as_ref().map(|row| row.password_hash.clone());
    let now = clock::now();
    if !password::verify(password.to_owned(), stored).await? {
        cx.throttle.failed(cx.client_address, &account);
        with_db!(cx.db, |pool| {
            audit!(
                pool,
                None::<i64>,
                "auth.sign_in_failed",
                "user",
                row.as_ref().map(|row| row.id),
                json!({ "email": account, "address": cx.client_address }),
                now
            )?;
        });
        return Err(AppError::WrongCredentials);
    }
    let row = row.ok_or(AppError::WrongCredentials)?;
    cx.throttle.succeeded(&account);
    let role: Role = decode_text(&row.role)?;
    // A new id for the new privilege: a session id planted before sign-in is worthless after.
    cx.session.cycle_id().await.map_err(session_failed)?;
    cx.session
        .insert(
            SESSION_KEY,
            SignedIn { user_id: row.id, session_epoch: row.session_epoch, signed_in_at: now.timestamp() },
        )
        .await
        .map_err(session_failed)?;
    let idle = if role == Role::Customer { cx.policy.customer_idle } else { cx.policy.staff_idle };
    cx.session.set_expiry(Some(Expiry::OnInactivity(
        time::Duration::try_from(idle).unwrap_or(time::Duration::minutes(30)),
    )));
    with_db!(cx.db, |pool| {
        audit!(
            pool,
            Some(row.id),
            "auth.sign_in",
            "user",
            Some(row.id),
            json!({ "address": cx.client_address }),
            now
        )?;
    });
    row.current_user()
}

pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_failed)
}

/// The user this session belongs to, if it is signed in and still valid: not past the
/// absolute lifetime, and not ended by "sign out everywhere" or a role change since.
pub async fn current_user(db: &Db, session: &Session, policy: SessionPolicy) -> Result<Option<CurrentUser>, AppError> {
    let Some(signed_in) = session.get::<SignedIn>(SESSION_KEY).await.map_err(session_failed)? else {
        return Ok(None);
    };
    let age = clock::now().timestamp() - signed_in.signed_in_at;
    let row = with_db!(db, |pool| {
        sqlx::query_as::<_, UserRow>(&format!("select {USER_COLUMNS} from users where id = $1"))
            .bind(signed_in.user_id)
            .fetch_optional(pool)
            .await?
    });
    match row {
        Some(row) if row.session_epoch == signed_in.session_epoch && age < policy.absolute.as_secs() as i64 => {
            Ok(Some(row.current_user()?))
        }
        _ => {
            session.flush().await.map_err(session_failed)?;
            Ok(None)
        }
    }
}

/// Ends every session of `user_id`, on every device.
pub async fn sign_out_everywhere(db: &Db, user_id: i64) -> Result<(), AppError> {
    with_db!(db, |pool| {
        sqlx::query("update users set session_epoch = session_epoch + 1 where id = $1")
            .bind(user_id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

fn session_failed(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(%error, "session store error");
    AppError::Unavailable
}
