use super::{
    accounts::Links, api_keys::RateLimits, auth::SessionPolicy, db::Db, events::Hub,
    inbound::{InboundPolicy, Ingestor}, sealing::SealingKey, search::Vocabulary, throttle::LoginThrottle,
};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Shared by every request: handed to `leptos_routes`, which provides it as context to
/// server functions, and used as axum state by the plain HTTP endpoints.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub sessions: SessionPolicy,
    pub throttle: Arc<LoginThrottle>,
    /// Where links in account mail point.
    pub links: Links,
    /// Known words for search's typo correction, shared so it is loaded once per change.
    pub vocabulary: Arc<Vocabulary>,
    /// How long an account erasure waits, so the customer can change their mind.
    pub erasure_grace: chrono::Duration,
    /// This node's live ticket events, fed by `events::pump`.
    pub events: Hub,
    /// Takes inbound messages: how they thread, how large they may be, and the commit path.
    pub inbound: Ingestor,
    /// Each API key's request budget on this node.
    pub api_limits: Arc<RateLimits>,
    /// The secrets that verify the channel providers' webhooks.
    pub channels: ChannelSecrets,
    /// Seals the secrets kept in the database (mailbox passwords).
    pub sealing: Arc<SealingKey>,
}

/// A provider's webhook is off until its secret is set.
#[derive(Clone, Debug, Default)]
pub struct ChannelSecrets {
    /// Twilio's auth token, which signs its SMS and WhatsApp webhooks.
    pub twilio_auth_token: Option<String>,
    /// The Meta app's secret, which signs Messenger and Instagram webhooks.
    pub meta_app_secret: Option<String>,
    /// The token Meta must present when it subscribes the webhook.
    pub meta_verify_token: Option<String>,
}

impl AppState {
    /// Starts the node's inbound writer (see [`Ingestor`]): call within the runtime.
    pub fn new(leptos_options: LeptosOptions, db: Db, sessions: SessionPolicy, links: Links, sealing: SealingKey) -> Self {
        Self {
            leptos_options,
            inbound: Ingestor::new(db.clone(), InboundPolicy::default()),
            db,
            sessions,
            throttle: Arc::default(),
            links,
            vocabulary: Arc::default(),
            erasure_grace: super::privacy::DEFAULT_GRACE,
            events: Hub::default(),
            api_limits: Arc::default(),
            channels: ChannelSecrets::default(),
            sealing: Arc::new(sealing),
        }
    }
}
