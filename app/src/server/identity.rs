//! Identity resolution: from the identifiers a contact arrives with (an email address, a phone
//! number, a channel handle) to the one customer they belong to.
//!
//! Rules, deterministic on purpose:
//! * identifiers are normalized first, and anything that is not a valid identifier of its kind
//!   is refused with a message saying why;
//! * if any identifier is known, the customer of the first known one (in the order given:
//!   callers put the channel's own identifier first) is the match, and the new identifiers are
//!   attached to it;
//! * identifiers already owned by a *different* customer are never moved: they are reported
//!   as conflicts for an agent to merge on purpose, never merged silently;
//! * if none is known, one new customer is created, even when several requests for the same
//!   new address race (the unique `(kind, value)` key decides the winner).

use super::{
    audit::audit,
    clock, customers,
    db::{BeginWrite, Db, with_db},
};
use crate::{error::AppError, model::IdentityKind};
use serde_json::json;

/// One identifier as it arrived, before normalization.
#[derive(Clone, Debug)]
pub struct Identifier {
    pub kind: IdentityKind,
    pub value: String,
}

impl Identifier {
    pub fn new(kind: IdentityKind, value: impl Into<String>) -> Self {
        Self { kind, value: value.into() }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Resolution {
    pub customer_id: i64,
    /// A new customer profile was created for these identifiers.
    pub created: bool,
    /// Identifiers that belong to another customer: candidates for a deliberate merge.
    pub conflicts: Vec<(IdentityKind, String, i64)>,
}

/// Normalizes `raw` for storage and lookup, or explains what is wrong with it.
pub fn normalize(kind: IdentityKind, raw: &str) -> Result<String, AppError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AppError::invalid(format!("The {} is empty.", describe(kind))));
    }
    match kind {
        IdentityKind::Email => super::users::normalize_email(value),
        IdentityKind::Phone | IdentityKind::Whatsapp => normalize_phone(value),
        IdentityKind::Twitter => {
            let handle = value.strip_prefix('@').unwrap_or(value).to_ascii_lowercase();
            let valid = (1..=15).contains(&handle.len())
                && handle.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            valid.then_some(handle).ok_or_else(|| {
                AppError::invalid(format!(
                    "{value:?} is not a valid X/Twitter handle (1 to 15 letters, digits or _)."
                ))
            })
        }
        IdentityKind::Facebook => {
            let valid = value.len() <= 32 && value.chars().all(|c| c.is_ascii_digit());
            valid.then(|| value.to_owned()).ok_or_else(|| {
                AppError::invalid(format!("{value:?} is not a valid Messenger sender id (digits only)."))
            })
        }
        IdentityKind::ChatVisitor => {
            let valid = (8..=64).contains(&value.len())
                && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            valid.then(|| value.to_owned()).ok_or_else(|| {
                AppError::invalid(format!("{value:?} is not a valid chat visitor token."))
            })
        }
        IdentityKind::AccountId => {
            let valid = value.chars().count() <= 100 && !value.chars().any(char::is_control);
            valid.then(|| value.to_owned()).ok_or_else(|| {
                AppError::invalid("An account id has at most 100 characters and no control characters.")
            })
        }
    }
}

fn describe(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Email => "email address",
        IdentityKind::Phone => "phone number",
        IdentityKind::Whatsapp => "WhatsApp number",
        IdentityKind::Twitter => "X/Twitter handle",
        IdentityKind::Facebook => "Messenger sender id",
        IdentityKind::ChatVisitor => "chat visitor token",
        IdentityKind::AccountId => "account id",
    }
}

/// E.164 (`+4420794609580`). Numbers must carry their country code: without it, "07946
/// 095800" could be any of a dozen countries, and guessing would join strangers' histories.
fn normalize_phone(raw: &str) -> Result<String, AppError> {
    let invalid = || {
        AppError::invalid(format!(
            "{raw:?} is not a valid phone number; include the country code, e.g. +44 20 7946 0958."
        ))
    };
    if !raw.starts_with('+') && !raw.starts_with("00") {
        return Err(invalid());
    }
    let international = raw.strip_prefix("00").map(|rest| format!("+{rest}"));
    let number = phonenumber::parse(None, international.as_deref().unwrap_or(raw))
        .map_err(|_| invalid())?;
    if !phonenumber::is_valid(&number) {
        return Err(invalid());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// Finds or creates the customer these identifiers belong to (see the module rules).
pub async fn resolve_identity(
    db: &Db,
    identifiers: &[Identifier],
    display_name: &str,
) -> Result<Resolution, AppError> {
    if identifiers.is_empty() {
        return Err(AppError::invalid("At least one identifier is needed to find a customer."));
    }
    let normalized = identifiers
        .iter()
        .map(|i| Ok((i.kind, normalize(i.kind, &i.value)?)))
        .collect::<Result<Vec<_>, AppError>>()?;

    // Two attempts: the second runs only if a concurrent request created the customer
    // between our lookup and our insert, and then finds it.
    for _ in 0..2 {
        let owners = lookup_owners(db, &normalized).await?;
        if let Some(customer_id) = owners.iter().flatten().copied().next() {
            let conflicts = attach(db, customer_id, &normalized, &owners).await?;
            return Ok(Resolution { customer_id, created: false, conflicts });
        }
        if let Some(customer_id) = create_customer(db, &normalized, display_name).await? {
            return Ok(Resolution { customer_id, created: true, conflicts: Vec::new() });
        }
    }
    tracing::error!("identity resolution kept racing with concurrent writers");
    Err(AppError::Unavailable)
}

/// Claims an identifier for a customer unless someone already owns it.
const INSERT_IDENTITY: &str = "
    insert into identities (customer_id, kind, value, verified, created_at)
    values ($1, $2, $3, false, $4)
    on conflict (kind, value) do nothing";

/// The owner of each identifier, in order; `None` for unknown ones.
async fn lookup_owners(
    db: &Db,
    identifiers: &[(IdentityKind, String)],
) -> Result<Vec<Option<i64>>, AppError> {
    let mut owners = Vec::with_capacity(identifiers.len());
    for (kind, value) in identifiers {
        let owner = with_db!(db, |pool| {
            sqlx::query_scalar::<_, i64>(
                "select customer_id from identities where kind = $1 and value = $2",
            )
            .bind(kind.as_str())
            .bind(value)
            .fetch_optional(pool)
            .await?
        });
        owners.push(owner);
    }
    Ok(owners)
}

/// Attaches the unknown identifiers to `customer_id`; reports those owned by someone else.
async fn attach(
    db: &Db,
    customer_id: i64,
    identifiers: &[(IdentityKind, String)],
    owners: &[Option<i64>],
) -> Result<Vec<(IdentityKind, String, i64)>, AppError> {
    let mut conflicts = Vec::new();
    for ((kind, value), owner) in identifiers.iter().zip(owners) {
        match owner {
            Some(owner) if *owner == customer_id => {}
            Some(other) => conflicts.push((*kind, value.clone(), *other)),
            None => {
                with_db!(db, |pool| {
                    sqlx::query(INSERT_IDENTITY)
                    .bind(customer_id)
                    .bind(kind.as_str())
                    .bind(value)
                    .bind(clock::now())
                    .execute(pool)
                    .await?;
                });
            }
        }
    }
    Ok(conflicts)
}

/// Creates a customer owning all `identifiers`, in one transaction. Returns `None`, with
/// nothing written, if another request claimed one of the identifiers first.
async fn create_customer(
    db: &Db,
    identifiers: &[(IdentityKind, String)],
    display_name: &str,
) -> Result<Option<i64>, AppError> {
    let now = clock::now();
    let name = match display_name.trim() {
        "" => identifiers[0].1.clone(),
        name => name.chars().take(200).collect(),
    };
    Ok(with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        // Writing first takes the write lock at once on SQLite, so the busy timeout applies.
        let customer_id = sqlx::query_scalar::<_, i64>(
            "insert into customers (display_name, created_at, updated_at, last_contact_at)
             values ($1, $2, $2, $2) returning id",
        )
        .bind(&name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let mut claimed_all = true;
        for (kind, value) in identifiers {
            let inserted = sqlx::query(INSERT_IDENTITY)
            .bind(customer_id)
            .bind(kind.as_str())
            .bind(value)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                claimed_all = false;
                break;
            }
        }
        if claimed_all {
            tx.commit().await?;
            Some(customer_id)
        } else {
            tx.rollback().await?;
            None
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_become_e164() {
        assert_eq!(normalize(IdentityKind::Phone, "+44 20 7946 0958").unwrap(), "+442079460958");
        assert_eq!(normalize(IdentityKind::Whatsapp, "0049 30 901820").unwrap(), "+4930901820");
    }

    #[test]
    fn phones_without_country_code_or_invalid_are_refused() {
        for bad in ["020 7946 0958", "+1 555", "+44 abc", "+999 123456789"] {
            let error = normalize(IdentityKind::Phone, bad).unwrap_err();
            assert!(error.to_string().contains("country code"), "{bad}: {error}");
        }
    }

    #[test]
    fn handles_and_tokens_are_checked() {
        assert_eq!(normalize(IdentityKind::Twitter, "@Ana_Silva").unwrap(), "ana_silva");
        assert!(normalize(IdentityKind::Twitter, "@this-is-not-ok").is_err());
        assert!(normalize(IdentityKind::Facebook, "12345abc").is_err());
        assert!(normalize(IdentityKind::ChatVisitor, "short").is_err());
        assert!(normalize(IdentityKind::Email, "   ").is_err());
        assert_eq!(normalize(IdentityKind::AccountId, " ACME-42 ").unwrap(), "ACME-42");
    }
}

/// Adds a way to reach a known customer, as an agent typed it. One that another profile holds
/// is refused with that profile named: only a deliberate merge joins two people's histories.
pub async fn add_identity(
    db: &Db,
    customer_id: i64,
    kind: IdentityKind,
    raw: &str,
    actor_id: i64,
) -> Result<(), AppError> {
    let value = normalize(kind, raw)?;
    if customers::customer(db, customer_id).await?.merged_into_id.is_some() {
        return Err(AppError::invalid("This profile was merged into another; add the identity there."));
    }
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let added = sqlx::query(INSERT_IDENTITY)
            .bind(customer_id)
            .bind(kind.as_str())
            .bind(&value)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if added == 0 {
            let (owner, name) = sqlx::query_as::<_, (i64, String)>(
                "select c.id, c.display_name from identities i join customers c on c.id = i.customer_id
                 where i.kind = $1 and i.value = $2",
            )
            .bind(kind.as_str())
            .bind(&value)
            .fetch_one(&mut *tx)
            .await?;
            return Err(AppError::Conflict(match owner == customer_id {
                true => format!("{value} is already on this profile."),
                false => format!(
                    "{value} belongs to {name} (customer #{owner}). Merge the two profiles to bring their histories together."
                ),
            }));
        }
        let details = json!({ "kind": kind, "value": value });
        audit!(&mut *tx, Some(actor_id), "customer.identity_add", "customer", Some(customer_id), details, now)?;
        tx.commit().await?;
    });
    Ok(())
}

/// The customer an agent means: a customer number (`#12`), or the value of any of their
/// identities (an email address, a phone number, a handle) however it is written.
pub async fn find_customer(db: &Db, text: &str) -> Result<i64, AppError> {
    let text = text.trim();
    if let Ok(id) = text.strip_prefix('#').unwrap_or(text).parse::<i64>() {
        if customers::customer(db, id).await.is_ok() {
            return Ok(id);
        }
    }
    let candidates: Vec<(IdentityKind, String)> = IdentityKind::ALL
        .iter()
        .filter_map(|&kind| normalize(kind, text).ok().map(|value| (kind, value)))
        .collect();
    let owners = lookup_owners(db, &candidates).await?;
    owners.into_iter().flatten().next().ok_or_else(|| {
        AppError::invalid(format!("No customer has {text:?} as an email address, phone number or handle, or as their number."))
    })
}
