//! Signing in and out, and who the current request belongs to.

use super::{
    audit::audit,
    clock,
    db::{BeginWrite, Db, decode_text, with_db},
    password,
    throttle::LoginThrottle,
    users::normalize_email,
};
use crate::{
    error::AppError,
    model::{CurrentUser, Role},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::{sync::Arc, time::Duration};
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
    email_verified_at: Option<DateTime<Utc>>,
    edits_articles: bool,
}

impl UserRow {
    fn current_user(self) -> Result<CurrentUser, AppError> {
        let role = decode_text(&self.role)?;
        Ok(CurrentUser {
            id: self.id,
            display_name: self.display_name,
            email: self.email,
            edits_articles: self.edits_articles || role == Role::Admin,
            role,
            customer_id: self.customer_id,
            email_verified: self.email_verified_at.is_some(),
        })
    }
}

const USER_COLUMNS: &str =
    "id, email, display_name, role, password_hash, customer_id, session_epoch, email_verified_at, edits_articles";

/// Everything about a request that proves a password, apart from the form itself.
pub struct AuthContext {
    pub db: Db,
    pub session: Session,
    pub throttle: Arc<LoginThrottle>,
    pub policy: SessionPolicy,
    pub client_address: String,
}

/// Checks the credentials and, if they are right, starts a fresh session for the user.
pub async fn sign_in(cx: &AuthContext, email: &str, password: &str) -> Result<CurrentUser, AppError> {
    // An address that is not an email cannot match an account; it still costs a hash below.
    let account = normalize_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
    cx.throttle.check(&cx.client_address, &account).map_err(AppError::TooManyAttempts)?;
    let row = with_db!(&cx.db, |pool| {
        sqlx::query_as::<_, UserRow>(&format!("select {USER_COLUMNS} from users where email = $1"))
            .bind(&account)
            .fetch_optional(pool)
            .await?
    });
    let stored = row.as_ref().map(|row| row.password_hash.clone());
    let now = clock::now();
    if !password::verify(password.to_owned(), stored).await? {
        cx.throttle.failed(&cx.client_address, &account);
        with_db!(&cx.db, |pool| {
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
    let signed_in = SignedIn { user_id: row.id, session_epoch: row.session_epoch, signed_in_at: now.timestamp() };
    stamp(&cx.session, signed_in, role, cx.policy).await?;
    with_db!(&cx.db, |pool| {
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

/// Writes the login into the session under a new session id: an id planted before sign-in
/// (or seen before a password change) is worthless after.
async fn stamp(session: &Session, signed_in: SignedIn, role: Role, policy: SessionPolicy) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_failed)?;
    session.insert(SESSION_KEY, signed_in).await.map_err(session_failed)?;
    let idle = if role == Role::Customer { policy.customer_idle } else { policy.staff_idle };
    session.set_expiry(Some(Expiry::OnInactivity(
        time::Duration::try_from(idle).unwrap_or(time::Duration::minutes(30)),
    )));
    Ok(())
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

/// Ends every session of `user_id`, on every device, and returns the new epoch.
pub async fn sign_out_everywhere(db: &Db, user_id: i64) -> Result<i64, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "update users set session_epoch = session_epoch + 1 where id = $1 returning session_epoch",
        )
        .bind(user_id)
        .fetch_one(pool)
        .await?
    }))
}

/// Ends every other session of the signed-in user ("sign out other devices").
pub async fn sign_out_other_devices(db: &Db, session: &Session, user: &CurrentUser, policy: SessionPolicy) -> Result<(), AppError> {
    keep_only_this_session(db, session, user, policy).await?;
    with_db!(db, |pool| {
        audit!(pool, Some(user.id), "auth.signed_out_other_devices", "user", Some(user.id), json!({}), clock::now())?;
    });
    Ok(())
}

/// Raises the user's epoch, which ends all their sessions, then carries this one over to the
/// new epoch under a new id.
async fn keep_only_this_session(db: &Db, session: &Session, user: &CurrentUser, policy: SessionPolicy) -> Result<(), AppError> {
    let session_epoch = sign_out_everywhere(db, user.id).await?;
    let signed_in_at = session
        .get::<SignedIn>(SESSION_KEY)
        .await
        .map_err(session_failed)?
        .map_or_else(|| clock::now().timestamp(), |signed_in| signed_in.signed_in_at);
    stamp(session, SignedIn { user_id: user.id, session_epoch, signed_in_at }, user.role, policy).await
}

/// Replaces the password of the signed-in user after checking the current one. Every other
/// session ends (whoever else knew the old password is out); this one stays.
pub async fn change_password(cx: &AuthContext, user: &CurrentUser, current: &str, new: &str) -> Result<(), AppError> {
    confirm_password(cx, user, current).await?;
    password::check_strength(new)?;
    if new == current {
        return Err(AppError::invalid("Choose a password different from your current one."));
    }
    let hash = password::hash(new.to_owned()).await?;
    with_db!(&cx.db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query("update users set password_hash = $1 where id = $2")
            .bind(&hash)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        audit!(
            &mut *tx,
            Some(user.id),
            "auth.password_changed",
            "user",
            Some(user.id),
            json!({ "address": cx.client_address }),
            clock::now()
        )?;
        tx.commit().await?;
    });
    keep_only_this_session(&cx.db, &cx.session, user, cx.policy).await
}

/// Asks the signed-in user for their password again before something that cannot be undone
/// lightly; wrong guesses count toward the sign-in throttle.
pub async fn confirm_password(cx: &AuthContext, user: &CurrentUser, password: &str) -> Result<(), AppError> {
    cx.throttle.check(&cx.client_address, &user.email).map_err(AppError::TooManyAttempts)?;
    let stored = with_db!(&cx.db, |pool| {
        sqlx::query_scalar::<_, String>("select password_hash from users where id = $1")
            .bind(user.id)
            .fetch_one(pool)
            .await?
    });
    if !password::verify(password.to_owned(), Some(stored)).await? {
        cx.throttle.failed(&cx.client_address, &user.email);
        return Err(AppError::invalid("Your current password is not right."));
    }
    Ok(())
}

fn session_failed(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(%error, "session store error");
    AppError::Unavailable
}
