//! Accounts that prove their email address: customer self-registration, email verification,
//! password resets and staff invitations.
//!
//! Every link sent by email carries a random, single-use token that expires. Only its SHA-256
//! is stored, so a copy of the database cannot be replayed into account takeovers. The mail
//! itself is queued in the outbox in the same transaction as the token.
//!
//! A customer account is linked to a customer profile (and so to any history tied to its
//! address, such as earlier email tickets) only once the address is verified.

use super::{
    audit::audit,
    clock,
    db::{BeginWrite, Db, decode_text, with_db},
    identity::{self, Identifier},
    users::{self, NewUser, normalize_email},
};
use crate::{
    error::AppError,
    model::{AccountOverview, CurrentUser, IdentityKind, Role, SignInRecord, StaffMember},
    ui::BRAND,
};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

/// What a link sent by email lets its holder do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    /// An invited staff member choosing their first password.
    SetPassword,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::SetPassword => "set_password",
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            Self::VerifyEmail => Duration::hours(24),
            Self::ResetPassword => Duration::hours(1),
            Self::SetPassword => Duration::days(3),
        }
    }

    fn page(self) -> &'static str {
        match self {
            Self::VerifyEmail => "/verify-email",
            Self::ResetPassword | Self::SetPassword => "/reset-password",
        }
    }
}

/// The answer to a link that is unknown, expired or already used: the three are not told apart.
fn spent_link() -> AppError {
    AppError::invalid("This link has expired or has already been used. Ask for a new one.")
}

/// 256 random bits, URL-safe: a link token, or a password nobody knows.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Where links in mail point: the public base URL of the product.
#[derive(Clone, Debug)]
pub struct Links {
    pub public_url: String,
}

impl Links {
    fn to(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}

struct Mail {
    to: String,
    subject: String,
    body: String,
}

const INSERT_MAIL: &str =
    "insert into mail_outbox (to_address, subject, body_text, created_at) values ($1, $2, $3, $4)";

/// Queues a plain notice (no token) for the outbox.
async fn queue_mail(db: &Db, mail: Mail) -> Result<(), AppError> {
    with_db!(db, |pool| {
        sqlx::query(INSERT_MAIL)
            .bind(&mail.to)
            .bind(&mail.subject)
            .bind(&mail.body)
            .bind(clock::now())
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Issues a token for `purpose` and queues the mail carrying its link, in one transaction.
async fn send_link(db: &Db, links: &Links, user_id: i64, purpose: TokenPurpose, compose: impl FnOnce(&str) -> Mail) -> Result<(), AppError> {
    let token = random_token();
    let mail = compose(&links.to(&format!("{}?token={token}", purpose.page())));
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "insert into account_tokens (user_id, purpose, token_hash, created_at, expires_at)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(hash_token(&token))
        .bind(now)
        .bind(now + purpose.lifetime())
        .execute(&mut *tx)
        .await?;
        sqlx::query(INSERT_MAIL)
            .bind(&mail.to)
            .bind(&mail.subject)
            .bind(&mail.body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    });
    Ok(())
}

/// A new customer account, as the registration form sends it.
pub struct Registration<'a> {
    pub display_name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
}

/// Registers a customer account and mails the link that verifies it. An address that already
/// has an account gets a mail saying so instead, and the caller the same answer either way,
/// so the form cannot be used to find out who has an account.
pub async fn register(db: &Db, links: &Links, registration: Registration<'_>) -> Result<(), AppError> {
    let email = normalize_email(registration.email)?;
    let name = registration.display_name.trim();
    let user = NewUser { email: &email, display_name: name, role: Role::Customer, password: registration.password };
    match users::create_unverified_user(db, user).await {
        Ok(user_id) => {
            send_link(db, links, user_id, TokenPurpose::VerifyEmail, |link| Mail {
                to: email.clone(),
                subject: format!("Confirm your email address for {BRAND}"),
                body: format!(
                    "Hi {name},\n\nConfirm that this is your email address to finish setting up your \
                     account:\n\n{link}\n\nThe link works once and expires in 24 hours. If you did not \
                     create an account, ignore this email.\n"
                ),
            })
            .await
        }
        Err(AppError::Conflict(_)) => {
            queue_mail(db, Mail {
                to: email.clone(),
                subject: format!("You already have a {BRAND} account"),
                body: format!(
                    "Hi,\n\nSomeone, probably you, tried to create an account with this address, which \
                     already has one. Sign in at {}, or choose a new password at {}.\n\nIf it was not \
                     you, you can ignore this email; your account has not changed.\n",
                    links.to("/sign-in"),
                    links.to("/forgot-password"),
                ),
            })
            .await
        }
        Err(other) => Err(other),
    }
}

/// Mails a password-reset link if `email` has an account. Answers the same either way; the
/// work happens in the background so the answer also takes the same time.
pub async fn request_password_reset(db: &Db, links: &Links, email: &str) -> Result<(), AppError> {
    let email = normalize_email(email)?;
    let (db, links) = (db.clone(), links.clone());
    tokio::spawn(async move {
        if let Err(error) = send_reset_link(&db, &links, &email).await {
            tracing::error!(%error, "could not queue a password reset mail");
        }
    });
    Ok(())
}

async fn send_reset_link(db: &Db, links: &Links, email: &str) -> Result<(), AppError> {
    let account = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, String)>("select id, display_name from users where email = $1")
            .bind(email)
            .fetch_optional(pool)
            .await?
    });
    let Some((user_id, name)) = account else { return Ok(()) };
    send_link(db, links, user_id, TokenPurpose::ResetPassword, |link| Mail {
        to: email.to_owned(),
        subject: format!("Reset your {BRAND} password"),
        body: format!(
            "Hi {name},\n\nChoose a new password here:\n\n{link}\n\nThe link works once and expires in \
             one hour. If you did not ask for it, ignore this email; your password stays as it is.\n"
        ),
    })
    .await
}

/// Tells the owner of an account that its password was changed, with the way back in if it
/// was not them.
pub async fn notify_password_changed(db: &Db, links: &Links, user: &CurrentUser) -> Result<(), AppError> {
    queue_mail(db, Mail {
        to: user.email.clone(),
        subject: format!("Your {BRAND} password was changed"),
        body: format!(
            "Hi {},\n\nThe password of your account was just changed, and every other device was \
             signed out. If this was not you, choose a new password at {} right away.\n",
            user.display_name,
            links.to("/forgot-password"),
        ),
    })
    .await
}

/// A valid, unused token and the account it belongs to.
#[derive(sqlx::FromRow)]
struct Claim {
    token_id: i64,
    user_id: i64,
    email: String,
    display_name: String,
    role: String,
    customer_id: Option<i64>,
    purpose: String,
}

async fn claim(db: &Db, token: &str, purposes: &[TokenPurpose]) -> Result<Claim, AppError> {
    let hash = hash_token(token.trim());
    let found = with_db!(db, |pool| {
        sqlx::query_as::<_, Claim>(
            "select t.id as token_id, u.id as user_id, u.email, u.display_name, u.role, u.customer_id,
                    t.purpose
             from account_tokens t join users u on u.id = t.user_id
             where t.token_hash = $1 and t.used_at is null and t.expires_at > $2",
        )
        .bind(&hash)
        .bind(clock::now())
        .fetch_optional(pool)
        .await?
    });
    match found {
        Some(claim) if purposes.iter().any(|p| p.as_str() == claim.purpose) => Ok(claim),
        _ => Err(spent_link()),
    }
}

/// Uses up `claim`'s token and applies what it proves: the address is verified (a customer
/// account is linked to the profile that owns the address), and with a new password hash
/// the password is replaced and every session of the account ends.
async fn redeem(db: &Db, claim: Claim, new_password_hash: Option<String>, action: &str) -> Result<(), AppError> {
    let role: Role = decode_text(&claim.role)?;
    let customer_id = match (role, claim.customer_id) {
        (Role::Customer, None) => {
            let identifier = Identifier::new(IdentityKind::Email, &claim.email);
            Some(identity::resolve_identity(db, &[identifier], &claim.display_name).await?.customer_id)
        }
        (_, existing) => existing,
    };
    let now = clock::now();
    let epoch_step = i64::from(new_password_hash.is_some());
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let used = sqlx::query("update account_tokens set used_at = $1 where id = $2 and used_at is null")
            .bind(now)
            .bind(claim.token_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if used == 0 {
            // Redeemed by a concurrent request between the claim and here.
            return Err(spent_link());
        }
        sqlx::query(
            "update users set email_verified_at = coalesce(email_verified_at, $1),
                    customer_id = coalesce(customer_id, $2),
                    password_hash = coalesce($3, password_hash),
                    session_epoch = session_epoch + $4
             where id = $5",
        )
        .bind(now)
        .bind(customer_id)
        .bind(&new_password_hash)
        .bind(epoch_step)
        .bind(claim.user_id)
        .execute(&mut *tx)
        .await?;
        if new_password_hash.is_some() {
            // One reset is enough: every other outstanding link for the password dies with it.
            sqlx::query(
                "update account_tokens set used_at = $1
                 where user_id = $2 and used_at is null and purpose in ('reset_password', 'set_password')",
            )
            .bind(now)
            .bind(claim.user_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("update identities set verified = true where kind = 'email' and value = $1")
            .bind(&claim.email)
            .execute(&mut *tx)
            .await?;
        audit!(&mut *tx, Some(claim.user_id), action, "user", Some(claim.user_id), json!({}), now)?;
        tx.commit().await?;
    });
    Ok(())
}

/// Confirms the address a verification link was sent to.
pub async fn verify_email(db: &Db, token: &str) -> Result<(), AppError> {
    let claim = claim(db, token, &[TokenPurpose::VerifyEmail]).await?;
    redeem(db, claim, None, "auth.email_verified").await
}

/// Sets a new password through a reset or invitation link. The password is checked before the
/// link is used up, so a refused password leaves the link working.
pub async fn reset_password(db: &Db, token: &str, new_password: &str) -> Result<(), AppError> {
    super::password::check_strength(new_password)?;
    let claim = claim(db, token, &[TokenPurpose::ResetPassword, TokenPurpose::SetPassword]).await?;
    let hash = super::password::hash(new_password.to_owned()).await?;
    redeem(db, claim, Some(hash), "auth.password_reset").await
}

/// An admin's invitation of a new staff member.
pub struct Invitation<'a> {
    pub display_name: &'a str,
    pub email: &'a str,
    pub role: Role,
}

/// Creates a staff login with a password nobody knows and mails the invitee a link to choose
/// their own.
pub async fn invite_staff(db: &Db, links: &Links, admin_id: i64, invitation: Invitation<'_>) -> Result<StaffMember, AppError> {
    if !Role::STAFF.contains(&invitation.role) {
        return Err(AppError::invalid("Staff accounts are agents, supervisors or admins."));
    }
    let email = normalize_email(invitation.email)?;
    let unknowable = random_token();
    let user = NewUser { email: &email, display_name: invitation.display_name, role: invitation.role, password: &unknowable };
    let user_id = users::create_unverified_user(db, user).await?;
    let name = invitation.display_name.trim();
    let role = invitation.role.label().to_lowercase();
    send_link(db, links, user_id, TokenPurpose::SetPassword, |link| Mail {
        to: email.clone(),
        subject: format!("You are invited to {BRAND}"),
        body: format!(
            "Hi {name},\n\nYou have been added to {BRAND} as {role}. Choose your password to sign in:\n\n\
             {link}\n\nThe link works once and expires in 3 days.\n"
        ),
    })
    .await?;
    with_db!(db, |pool| {
        audit!(pool, Some(admin_id), "staff.invited", "user", Some(user_id), json!({ "role": invitation.role }), clock::now())?;
    });
    staff_member(db, user_id).await
}

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    display_name: String,
    email: String,
    role: String,
    email_verified_at: Option<DateTime<Utc>>,
    edits_articles: bool,
    created_at: DateTime<Utc>,
}

impl StaffRow {
    fn into_member(self) -> Result<StaffMember, AppError> {
        Ok(StaffMember {
            id: self.id,
            display_name: self.display_name,
            email: self.email,
            role: decode_text(&self.role)?,
            invitation_pending: self.email_verified_at.is_none(),
            edits_articles: self.edits_articles || self.role == Role::Admin.as_str(),
            created_at: self.created_at,
        })
    }
}

const STAFF_COLUMNS: &str = "id, display_name, email, role, email_verified_at, edits_articles, created_at";

/// Every staff login, by name.
pub async fn staff_members(db: &Db) -> Result<Vec<StaffMember>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, StaffRow>(&format!(
            "select {STAFF_COLUMNS} from users where role <> 'customer' order by display_name, id"
        ))
        .fetch_all(pool)
        .await?
    });
    rows.into_iter().map(StaffRow::into_member).collect()
}

async fn staff_member(db: &Db, user_id: i64) -> Result<StaffMember, AppError> {
    with_db!(db, |pool| {
        sqlx::query_as::<_, StaffRow>(&format!(
            "select {STAFF_COLUMNS} from users where id = $1 and role <> 'customer'"
        ))
        .bind(user_id)
        .fetch_optional(pool)
        .await?
    })
    .ok_or(AppError::NotFound)?
    .into_member()
}

/// Gives a staff member another role. Their sessions end, so the new role applies from their
/// next sign-in. Admins cannot change their own role, so there is always an admin left.
pub async fn change_staff_role(db: &Db, admin_id: i64, user_id: i64, role: Role) -> Result<StaffMember, AppError> {
    if user_id == admin_id {
        return Err(AppError::invalid("You cannot change your own role; ask another admin."));
    }
    if !Role::STAFF.contains(&role) {
        return Err(AppError::invalid("Staff accounts are agents, supervisors or admins."));
    }
    let before = staff_member(db, user_id).await?;
    if before.role == role {
        return Ok(before);
    }
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query("update users set role = $1, session_epoch = session_epoch + 1 where id = $2")
            .bind(role.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit!(
            &mut *tx,
            Some(admin_id),
            "auth.role_changed",
            "user",
            Some(user_id),
            json!({ "from": before.role, "to": role }),
            clock::now()
        )?;
        tx.commit().await?;
    });
    staff_member(db, user_id).await
}

/// Lets an agent or supervisor write knowledge-base articles, or stops them. Admins always may.
pub async fn allow_article_editing(db: &Db, admin_id: i64, user_id: i64, allowed: bool) -> Result<StaffMember, AppError> {
    let member = staff_member(db, user_id).await?;
    if member.role == Role::Admin {
        return Err(AppError::invalid("Admins always write articles."));
    }
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query("update users set edits_articles = $1 where id = $2")
            .bind(allowed)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit!(&mut *tx, Some(admin_id), "staff.article_editing", "user", Some(user_id), json!({ "allowed": allowed }), clock::now())?;
        tx.commit().await?;
    });
    staff_member(db, user_id).await
}

/// The account page of `user`: who they are and their last sign-ins, newest first.
pub async fn account_overview(db: &Db, user: CurrentUser) -> Result<AccountOverview, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, (String, sqlx::types::Json<serde_json::Value>, DateTime<Utc>)>(
            "select action, details, created_at from audit_log
             where entity = 'user' and entity_id = $1 and action in ('auth.sign_in', 'auth.sign_in_failed')
             order by id desc limit 10",
        )
        .bind(user.id)
        .fetch_all(pool)
        .await?
    });
    let recent_sign_ins = rows
        .into_iter()
        .map(|(action, details, at)| SignInRecord {
            at,
            address: details.get("address").and_then(|a| a.as_str()).unwrap_or("unknown").to_owned(),
            succeeded: action == "auth.sign_in",
        })
        .collect();
    let pending_erasure = super::privacy::pending_erasure(db, user.id).await?;
    Ok(AccountOverview { user, recent_sign_ins, pending_erasure })
}

/// One mail in the outbox, as the `outbox` command and the tests read it.
#[derive(Debug, sqlx::FromRow, serde::Serialize)]
pub struct OutboxMail {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: DateTime<Utc>,
}

/// Mail not yet sent, oldest first; only what is addressed to `to` when given.
pub async fn pending_mail(db: &Db, to: Option<&str>) -> Result<Vec<OutboxMail>, AppError> {
    let to = to.map(normalize_email).transpose()?;
    Ok(with_db!(db, |pool| {
        sqlx::query_as::<_, OutboxMail>(
            "select id, to_address, subject, body_text, created_at from mail_outbox
             where sent_at is null and ($1 is null or to_address = $1) order by id",
        )
        .bind(&to)
        .fetch_all(pool)
        .await?
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stored_as_sha256() {
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
