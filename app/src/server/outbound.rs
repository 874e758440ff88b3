//! Agents' replies by SMS, WhatsApp and Messenger/Instagram: queued in `channel_outbox` in the
//! reply's transaction, then delivered by a worker through the provider's API (Twilio's
//! Messages resource, Meta's Graph API Send API) with the retries and visible failures of mail.

use super::{
    clock,
    db::{Db, with_db},
    mail::{CONCURRENT_SENDS, DeliveryReport, Failure, claim_due, run_every, settle},
};
use crate::{error::AppError, model::Channel};
use chrono::{DateTime, Utc};
use futures_util::{StreamExt, stream};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// Queues a reply for delivery in the caller's transaction: `$tx`, the interaction, its
/// channel, the customer's address on it, the text, now.
macro_rules! queue_message {
    ($tx:expr, $interaction_id:expr, $channel:expr, $to:expr, $body:expr, $now:expr) => {
        sqlx::query(
            "insert into channel_outbox (interaction_id, channel, to_address, body, created_at)
             values ($1, $2, $3, $4, $5)",
        )
        .bind($interaction_id)
        .bind($channel.as_str())
        .bind($to)
        .bind($body)
        .bind($now)
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use queue_message;

/// Twilio account settings for SMS and WhatsApp.
#[derive(Clone, Debug)]
pub struct Twilio {
    /// `https://api.twilio.com`, or a stand-in with the same API.
    pub api_url: String,
    pub account_sid: String,
    pub auth_token: String,
    /// The number (or Messaging Service SID) SMS are sent from.
    pub sms_from: Option<String>,
    /// The WhatsApp sender number, without the `whatsapp:` prefix.
    pub whatsapp_from: Option<String>,
}

/// Meta Graph API settings for Messenger and Instagram.
#[derive(Clone, Debug)]
pub struct Meta {
    /// `https://graph.facebook.com/v19.0`, or a stand-in.
    pub graph_url: String,
    pub page_token: String,
}

/// How this node reaches each provider.
#[derive(Clone)]
pub struct ChannelSender {
    pub twilio: Option<Twilio>,
    pub meta: Option<Meta>,
    http: reqwest::Client,
}

impl ChannelSender {
    pub fn new(twilio: Option<Twilio>, meta: Option<Meta>) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|error| format!("could not set up the HTTP client: {error}"))?;
        Ok(Self { twilio, meta, http })
    }

    async fn send(&self, channel: Channel, to: &str, body: &str) -> Result<String, Failure> {
        match channel {
            Channel::Sms | Channel::Whatsapp => self.send_twilio(channel, to, body).await,
            Channel::Social => self.send_meta(to, body).await,
            other => Err(Failure::Permanent(format!("{} messages are not delivered through a provider", other.label()))),
        }
    }

    async fn send_twilio(&self, channel: Channel, to: &str, body: &str) -> Result<String, Failure> {
        let twilio = self.twilio.as_ref().ok_or_else(|| not_set_up("Twilio (TWILIO_ACCOUNT_SID)"))?;
        let (from, to) = match channel {
            Channel::Whatsapp => {
                let from = twilio.whatsapp_from.as_deref().ok_or_else(|| not_set_up("a WhatsApp sender (TWILIO_WHATSAPP_FROM)"))?;
                (format!("whatsapp:{from}"), format!("whatsapp:{to}"))
            }
            _ => {
                let from = twilio.sms_from.as_deref().ok_or_else(|| not_set_up("an SMS sender (TWILIO_SMS_FROM)"))?;
                (from.to_owned(), to.to_owned())
            }
        };
        // A Messaging Service SID sends from its pool of numbers.
        let from_field = if from.starts_with("MG") { "MessagingServiceSid" } else { "From" };
        let url = format!("{}/2010-04-01/Accounts/{}/Messages.json", twilio.api_url.trim_end_matches('/'), twilio.account_sid);
        let response = self
            .http
            .post(url)
            .basic_auth(&twilio.account_sid, Some(&twilio.auth_token))
            .form(&[("To", to.as_str()), (from_field, from.as_str()), ("Body", body)])
            .send()
            .await
            .map_err(|error| Failure::Temporary(format!("Twilio could not be reached: {error}")))?;
        answer(response, "sid", "message").await
    }

    async fn send_meta(&self, to: &str, body: &str) -> Result<String, Failure> {
        let meta = self.meta.as_ref().ok_or_else(|| not_set_up("Messenger (META_PAGE_TOKEN)"))?;
        let url = format!("{}/me/messages", meta.graph_url.trim_end_matches('/'));
        let response = self
            .http
            .post(url)
            .query(&[("access_token", meta.page_token.as_str())])
            .json(&json!({ "recipient": { "id": to }, "messaging_type": "RESPONSE", "message": { "text": body } }))
            .send()
            .await
            .map_err(|error| Failure::Temporary(format!("Meta could not be reached: {error}")))?;
        answer(response, "message_id", "error.message").await
    }
}

fn not_set_up(what: &str) -> Failure {
    Failure::Permanent(format!("{what} is not set up on this server"))
}

/// The provider's id for the sent message, or why it was not sent: a refusal of the request
/// itself (4xx other than 429) is permanent; throttling and server errors are retried.
async fn answer(response: reqwest::Response, id_field: &str, error_field: &str) -> Result<String, Failure> {
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if status.is_success() {
        return Ok(body[id_field].as_str().unwrap_or_default().to_owned());
    }
    let detail = error_field
        .split('.')
        .fold(&body, |value, field| &value[field])
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| status.to_string());
    let reason = format!("{} ({})", detail, status.as_u16());
    match status {
        StatusCode::TOO_MANY_REQUESTS => Err(Failure::Temporary(reason)),
        status if status.is_client_error() => Err(Failure::Permanent(reason)),
        _ => Err(Failure::Temporary(reason)),
    }
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: i64,
    channel: String,
    to_address: String,
    body: String,
    attempts: i32,
}

/// Sends the replies that are due at `now`, once each, and records how each attempt went.
pub async fn deliver_due(db: &Db, sender: &ChannelSender, now: DateTime<Utc>) -> Result<DeliveryReport, AppError> {
    let claimed = claim_due!(db, Claimed, "channel_outbox", "id, channel, to_address, body, attempts", now);
    let attempts: Vec<(Claimed, Result<String, Failure>)> = stream::iter(claimed)
        .map(|message| async move {
            let outcome = match message.channel.parse::<Channel>() {
                Ok(channel) => sender.send(channel, &message.to_address, &message.body).await,
                Err(error) => Err(Failure::Permanent(error.to_string())),
            };
            (message, outcome)
        })
        .buffer_unordered(CONCURRENT_SENDS)
        .collect()
        .await;
    let mut report = DeliveryReport::default();
    for (message, outcome) in attempts {
        if let Ok(provider_id) = &outcome {
            with_db!(db, |pool| {
                sqlx::query("update channel_outbox set provider_id = $1 where id = $2")
                    .bind(provider_id)
                    .bind(message.id)
                    .execute(pool)
                    .await?;
            });
        }
        settle(db, "channel_outbox", message.id, message.attempts, outcome.map(drop), now, &mut report).await?;
    }
    Ok(report)
}

/// Delivers what is due every `period`, until the task is dropped.
pub async fn deliver_every(db: Db, sender: ChannelSender, period: Duration) {
    run_every("channel messages", period, || deliver_due(&db, &sender, clock::now())).await
}
