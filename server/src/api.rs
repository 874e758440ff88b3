//! The public REST API (`/api/v1`, bearer API keys) and the channel webhooks that providers
//! call. Handlers only translate HTTP to the inbound service and back; a 2xx answer means
//! the message is committed.

use app::{
    error::AppError,
    model::{ApiKey, ApiScope, Channel, IdentityKind, InteractionKind, Priority, Tier, TicketStatus},
    server::{
        api_keys,
        customers::{self, ProfileChange},
        identity,
        tickets,
        identity::Identifier,
        inbound::{InboundMessage, InboundPolicy, Ingested, Threaded, calls, email, inbound_file, meta, twilio},
        state::AppState,
    },
};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, FromRequestParts, OriginalUri, Path, Query, State, rejection::PathRejection},
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde::Deserialize;
use serde_json::json;
use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

/// The OpenAPI 3 description of `/api/v1`, kept true by the API tests.
pub const OPENAPI: &str = include_str!("openapi.json");

pub fn routes(policy: &InboundPolicy) -> Router<AppState> {
    // Room for the largest message once base64 has grown its files by a third.
    let body_limit = policy.max_message_bytes / 3 * 4 + 64 * 1024;
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/messages", post(create_message))
        .route("/api/v1/inbound/email", post(inbound_email))
        .route("/api/v1/calls", post(call_event))
        .route("/api/v1/tickets/{id}", get(ticket).patch(update_ticket))
        .route("/api/v1/customers", get(find_customer))
        .route("/api/v1/customers/{id}", get(customer).patch(update_customer))
        .route("/webhooks/twilio", post(twilio_webhook))
        .route("/webhooks/meta", get(meta_handshake).post(meta_webhook))
        .layer(DefaultBodyLimit::max(body_limit))
}

/// Why an API request was refused. Bodies are `{"error": "…"}` with a message for the
/// integrator; nothing internal reaches it.
#[derive(Debug)]
pub enum ApiError {
    /// No key, an unknown one or a revoked one.
    Unauthenticated,
    MissingScope(String),
    RateLimited(Duration),
    BadRequest(String),
    /// A webhook whose signature does not verify.
    BadSignature,
    /// A channel this server has not been set up for.
    NotConfigured(&'static str),
    App(AppError),
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self::App(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            Self::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "Send a valid API key: Authorization: Bearer hd_…".to_owned(),
            ),
            Self::MissingScope(message) => (StatusCode::FORBIDDEN, message.clone()),
            Self::RateLimited(wait) => (
                StatusCode::TOO_MANY_REQUESTS,
                format!("This key is over its request rate; retry in {} s.", retry_after(*wait)),
            ),
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, message.clone()),
            Self::BadSignature => (StatusCode::FORBIDDEN, "The webhook's signature or verify token does not match this server's.".to_owned()),
            Self::NotConfigured(what) => (StatusCode::SERVICE_UNAVAILABLE, format!("{what} is not set up on this server.")),
            Self::App(error) => (
                StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                error.to_string(),
            ),
        };
        let mut response = (status, Json(json!({ "error": message }))).into_response();
        match self {
            Self::Unauthenticated => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("a valid header"));
            }
            Self::RateLimited(wait) => {
                response.headers_mut().insert(header::RETRY_AFTER, retry_after(wait).into());
            }
            _ => {}
        }
        response
    }
}

fn retry_after(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

/// The API key a request carries, authenticated and within its rate.
pub struct Client(ApiKey);

impl FromRequestParts<AppState> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthenticated)?;
        let key = api_keys::authenticate(&state.db, secret.trim()).await?.ok_or(ApiError::Unauthenticated)?;
        state.api_limits.take(&key, Instant::now()).map_err(ApiError::RateLimited)?;
        Ok(Self(key))
    }
}

impl Client {
    fn require(&self, scope: ApiScope) -> Result<(), ApiError> {
        self.0.require(scope).map_err(ApiError::MissingScope)
    }
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// A message as an integration posts it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMessage {
    channel: Channel,
    #[serde(default)]
    kind: MessageKind,
    from: Sender,
    subject: Option<String>,
    #[serde(default)]
    body: String,
    /// The provider's id for the message: a retry with the same id is recorded once.
    message_id: String,
    #[serde(default)]
    in_reply_to: Vec<String>,
    #[serde(default)]
    attachments: Vec<NewAttachment>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum MessageKind {
    #[default]
    Message,
    Call,
}

/// Who sent it: any of the ways to reach them that the channel knows, and a name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sender {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    whatsapp: Option<String>,
    facebook: Option<String>,
    twitter: Option<String>,
    account_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAttachment {
    file_name: String,
    content_type: Option<String>,
    content_base64: String,
}

impl NewMessage {
    fn into_inbound(self) -> Result<InboundMessage, ApiError> {
        let own = match self.channel {
            Channel::Email => IdentityKind::Email,
            Channel::Sms | Channel::Phone => IdentityKind::Phone,
            Channel::Whatsapp => IdentityKind::Whatsapp,
            Channel::Social if self.from.twitter.is_some() && self.from.facebook.is_none() => IdentityKind::Twitter,
            Channel::Social => IdentityKind::Facebook,
            Channel::Portal | Channel::Chat => IdentityKind::AccountId,
        };
        let sender = self.from;
        let mut from: Vec<Identifier> = [
            (IdentityKind::Email, sender.email),
            (IdentityKind::Phone, sender.phone),
            (IdentityKind::Whatsapp, sender.whatsapp),
            (IdentityKind::Facebook, sender.facebook),
            (IdentityKind::Twitter, sender.twitter),
            (IdentityKind::AccountId, sender.account_id),
        ]
        .into_iter()
        .filter_map(|(kind, value)| value.map(|value| Identifier::new(kind, value)))
        .collect();
        if from.is_empty() {
            return Err(ApiError::BadRequest(
                "Say who sent the message: from needs an email, phone, whatsapp, facebook, twitter or account_id.".into(),
            ));
        }
        // The channel's own identifier decides the customer first.
        from.sort_by_key(|identifier| identifier.kind != own);
        let files = self
            .attachments
            .into_iter()
            .map(|file| {
                let content = STANDARD.decode(file.content_base64.trim()).map_err(|_| {
                    ApiError::BadRequest(format!("The content of “{}” is not valid base64.", file.file_name))
                })?;
                Ok(inbound_file(&file.file_name, file.content_type.as_deref(), content))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(InboundMessage {
            channel: self.channel,
            kind: match self.kind {
                MessageKind::Message => InteractionKind::MessageIn,
                MessageKind::Call => InteractionKind::Call,
            },
            from,
            display_name: sender.name.unwrap_or_default(),
            subject: self.subject,
            body: self.body,
            provider_message_id: self.message_id,
            replies_to: self.in_reply_to,
            files,
        })
    }
}

/// `POST /api/v1/messages`: an inbound message on any channel.
async fn create_message(State(state): State<AppState>, client: Client, body: Bytes) -> Result<Response, ApiError> {
    client.require(ApiScope::MessagesWrite)?;
    let message: NewMessage = body_of(&body, "message")?;
    let ingested = state.inbound.ingest(message.into_inbound()?).await?;
    Ok(recorded(&ingested))
}

/// `POST /api/v1/inbound/email`: one raw RFC 5322 message, as an MTA pipe or an
/// inbound-parse provider hands it over.
async fn inbound_email(State(state): State<AppState>, client: Client, body: Bytes) -> Result<Response, ApiError> {
    client.require(ApiScope::MessagesWrite)?;
    let message = email::parse(&body, state.inbound.policy())?;
    let ingested = state.inbound.ingest(message).await?;
    Ok(recorded(&ingested))
}

/// `POST /api/v1/calls`: one event of a phone call from the telephony system. 201 when it
/// is the first news of the call, 200 when it adds to a call already on the timeline.
async fn call_event(State(state): State<AppState>, client: Client, body: Bytes) -> Result<Response, ApiError> {
    client.require(ApiScope::MessagesWrite)?;
    let event: calls::CallEvent = body_of(&body, "call event")?;
    let recorded = calls::record(&state.db, state.inbound.policy(), &event).await?;
    let status = if recorded.duplicate() { StatusCode::OK } else { StatusCode::CREATED };
    let body = json!({
        "interaction_id": recorded.interaction_id,
        "ticket_id": recorded.ticket_id,
        "customer_id": recorded.customer_id,
        "new_call": !recorded.duplicate(),
    });
    Ok((status, Json(body)).into_response())
}

/// 201 for a message recorded now, 200 for a retry of one recorded before.
fn recorded(ingested: &Ingested) -> Response {
    let (conversation, follow_up_of) = match ingested.threaded {
        None => (None, None),
        Some(Threaded::Joined) => (Some("joined"), None),
        Some(Threaded::Reopened) => (Some("reopened"), None),
        Some(Threaded::Created) => (Some("created"), None),
        Some(Threaded::FollowUp { of }) => (Some("follow_up"), Some(of)),
    };
    let status = if ingested.duplicate() { StatusCode::OK } else { StatusCode::CREATED };
    let body = json!({
        "interaction_id": ingested.interaction_id,
        "ticket_id": ingested.ticket_id,
        "customer_id": ingested.customer_id,
        "duplicate": ingested.duplicate(),
        "conversation": conversation,
        "follow_up_of": follow_up_of,
    });
    (status, Json(body)).into_response()
}

/// `POST /webhooks/twilio`: an SMS or WhatsApp message, signed by Twilio. Answered with an
/// empty TwiML document once the message is committed.
async fn twilio_webhook(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = state.channels.twilio_auth_token.as_deref().ok_or(ApiError::NotConfigured("The Twilio channel"))?;
    let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    // Twilio signs the address it called: this server's public URL and the path it was given.
    let path = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/webhooks/twilio");
    let url = format!("{}{path}", state.links.public_url.trim_end_matches('/'));
    let signature = headers.get("x-twilio-signature").and_then(|value| value.to_str().ok()).unwrap_or_default();
    if !twilio::verify(token, &url, &params, signature) {
        tracing::warn!(%url, "Twilio webhook with a signature that does not verify");
        return Err(ApiError::BadSignature);
    }
    state.inbound.ingest(twilio::message(&params)?).await?;
    Ok(([(header::CONTENT_TYPE, "text/xml")], "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>").into_response())
}

/// `GET /webhooks/meta`: Meta subscribing the webhook; the challenge is echoed only to a
/// subscription that presents our verify token.
async fn meta_handshake(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Result<Response, ApiError> {
    let verify_token = state.channels.meta_verify_token.as_deref().ok_or(ApiError::NotConfigured("The Messenger and Instagram channel"))?;
    let field = |name: &str| query.get(name).map(String::as_str);
    match meta::handshake(verify_token, field("hub.mode"), field("hub.verify_token"), field("hub.challenge")) {
        Some(challenge) => Ok(challenge.to_owned().into_response()),
        None => Err(ApiError::BadSignature),
    }
}

/// `POST /webhooks/meta`: a batch of Messenger or Instagram events, signed with the app
/// secret. Answered 200 once every customer message in it is committed.
async fn meta_webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let secret = state.channels.meta_app_secret.as_deref().ok_or(ApiError::NotConfigured("The Messenger and Instagram channel"))?;
    let signature = headers.get("x-hub-signature-256").and_then(|value| value.to_str().ok()).unwrap_or_default();
    if !meta::verify(secret, &body, signature) {
        tracing::warn!("Meta webhook with a signature that does not verify");
        return Err(ApiError::BadSignature);
    }
    for message in meta::messages(&body)? {
        state.inbound.ingest(message).await?;
    }
    Ok(StatusCode::OK.into_response())
}

/// A number from the path, or a 400 that says so.
fn id_in(path: Result<Path<i64>, PathRejection>) -> Result<i64, ApiError> {
    path.map(|Path(id)| id).map_err(|_| ApiError::BadRequest("The id in the address is not a number.".into()))
}

/// Parses a JSON body, naming what it should have been.
fn body_of<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|error| ApiError::BadRequest(format!("The body is not a valid {what}: {error}.")))
}

/// `GET /api/v1/tickets/{id}`: the ticket and its whole conversation, internal notes included.
async fn ticket(State(state): State<AppState>, client: Client, path: Result<Path<i64>, PathRejection>) -> Result<Response, ApiError> {
    client.require(ApiScope::TicketsRead)?;
    let thread = tickets::ticket_thread(&state.db, id_in(path)?).await?;
    Ok(Json(thread).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TicketChange {
    status: Option<TicketStatus>,
    priority: Option<Priority>,
    tags: Option<Vec<String>>,
}

/// `PATCH /api/v1/tickets/{id}`: status, priority and tags; answers the ticket as it is now.
async fn update_ticket(
    State(state): State<AppState>,
    client: Client,
    path: Result<Path<i64>, PathRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    client.require(ApiScope::TicketsWrite)?;
    let id = id_in(path)?;
    let change: TicketChange = body_of(&body, "ticket change")?;
    let current = tickets::summary(&state.db, id).await?;
    if let Some(tags) = &change.tags {
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        tickets::set_tags(&state.db, id, &tags).await?;
    }
    if let Some(priority) = change.priority.filter(|priority| *priority != current.priority) {
        tickets::set_priority(&state.db, id, priority).await?;
    }
    if let Some(status) = change.status.filter(|status| *status != current.status) {
        if current.status == TicketStatus::Closed {
            return Err(AppError::invalid("A closed ticket cannot be reopened; record a new message to start a follow-up.").into());
        }
        tickets::set_status(&state.db, id, status, None).await?;
    }
    Ok(Json(tickets::ticket_thread(&state.db, id).await?).into_response())
}

/// A customer with every way to reach them.
async fn customer_view(state: &AppState, id: i64) -> Result<Response, ApiError> {
    let customer = customers::customer(&state.db, id).await?;
    let identities = customers::identities(&state.db, id).await?;
    Ok(Json(json!({ "customer": customer, "identities": identities })).into_response())
}

/// `GET /api/v1/customers/{id}`.
async fn customer(State(state): State<AppState>, client: Client, path: Result<Path<i64>, PathRejection>) -> Result<Response, ApiError> {
    client.require(ApiScope::CustomersRead)?;
    customer_view(&state, id_in(path)?).await
}

/// `GET /api/v1/customers?identity=…`: the customer with this email address, phone number or
/// handle, however it is written.
async fn find_customer(
    State(state): State<AppState>,
    client: Client,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    client.require(ApiScope::CustomersRead)?;
    let identity = query
        .get("identity")
        .ok_or_else(|| ApiError::BadRequest("Say whom to find: ?identity=an email address, phone number or handle.".into()))?;
    let id = identity::find_customer(&state.db, identity).await.map_err(|_| ApiError::App(AppError::NotFound))?;
    customer_view(&state, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerChange {
    display_name: Option<String>,
    tier: Option<Tier>,
    attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `PATCH /api/v1/customers/{id}`: name, tier and custom attributes (audited).
async fn update_customer(
    State(state): State<AppState>,
    client: Client,
    path: Result<Path<i64>, PathRejection>,
    body: Bytes,
) -> Result<Response, ApiError> {
    client.require(ApiScope::CustomersWrite)?;
    let id = id_in(path)?;
    let change: CustomerChange = body_of(&body, "customer change")?;
    let profile = ProfileChange { display_name: change.display_name.as_deref(), tier: change.tier, attributes: change.attributes };
    customers::update_profile(&state.db, id, profile, None).await?;
    customer_view(&state, id).await
}
