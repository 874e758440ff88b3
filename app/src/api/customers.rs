//! Customer profiles as agents keep them: editing, adding ways to reach someone, and merging
//! duplicate profiles (with a preview first and an undo after). Staff only.

use crate::{
    error::AppError,
    model::{AttributeField, IdentityKind, MergePreview, Tier},
};
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
use crate::{
    model::Role,
    server::{
        ctx,
        customers::{self, ProfileChange},
        identity,
    },
};

/// Saves a profile's name, tier and custom attributes (all of them: one left out is removed).
/// Sent as JSON, so an empty list of attributes arrives as one.
#[server(prefix = "/rpc", input = Json, output = super::JsonText)]
pub async fn update_customer(
    customer_id: i64,
    display_name: String,
    tier: Tier,
    attributes: Vec<AttributeField>,
) -> Result<(), AppError> {
    ctx::respond(
        async {
            let agent = ctx::require(Role::STAFF).await?;
            let attributes = Some(customers::attributes_from(&attributes)?);
            let change = ProfileChange {
                display_name: Some(&display_name),
                tier: Some(tier),
                attributes,
            };
            customers::update_profile(&ctx::db()?, customer_id, change, Some(agent.id))
                .await
                .map(drop)
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn add_customer_identity(customer_id: i64, kind: IdentityKind, value: String) -> Result<(), AppError> {
    ctx::respond(
        async {
            let agent = ctx::require(Role::STAFF).await?;
            identity::add_identity(&ctx::db()?, customer_id, kind, &value, agent.id).await
        }
        .await,
    )
}

/// What merging the profile the agent found by `duplicate` (an email address, a phone number,
/// a handle or `#id`) into `customer_id` would move.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn preview_merge(customer_id: i64, duplicate: String) -> Result<MergePreview, AppError> {
    ctx::respond(
        async {
            ctx::require(Role::STAFF).await?;
            let db = ctx::db()?;
            let source_id = identity::find_customer(&db, &duplicate).await?;
            customers::merge_preview(&db, customer_id, source_id).await
        }
        .await,
    )
}

/// Moves everything of `source_id` into `customer_id`; answers the merge's id for an undo.
#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn merge_customers(customer_id: i64, source_id: i64) -> Result<i64, AppError> {
    ctx::respond(
        async {
            let agent = ctx::require(Role::STAFF).await?;
            customers::merge(&ctx::db()?, source_id, customer_id, Some(agent.id)).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = super::JsonText)]
pub async fn undo_merge(merge_id: i64) -> Result<(), AppError> {
    ctx::respond(
        async {
            let agent = ctx::require(Role::STAFF).await?;
            customers::unmerge(&ctx::db()?, merge_id, Some(agent.id)).await
        }
        .await,
    )
}
