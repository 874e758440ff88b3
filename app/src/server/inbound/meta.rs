//! Messenger and Instagram direct messages in, as Meta's webhooks deliver them: a JSON batch
//! signed with the app secret (`X-Hub-Signature-256`), after a GET handshake that proves the
//! endpoint is ours.

use super::InboundMessage;
use crate::{
    error::AppError,
    model::{Channel, IdentityKind, InteractionKind},
    server::identity::Identifier,
};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// Whether `header` (`sha256=<hex>`) is the HMAC-SHA256 of the raw body under the app secret.
/// Compared in constant time.
pub fn verify(app_secret: &str, body: &[u8], header: &str) -> bool {
    let Some(expected) = header.trim().strip_prefix("sha256=").and_then(decode_hex) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len()).step_by(2).map(|at| u8::from_str_radix(text.get(at..at + 2)?, 16).ok()).collect()
}

/// The challenge to echo when Meta subscribes the webhook with our verify token.
pub fn handshake<'a>(verify_token: &str, mode: Option<&str>, token: Option<&str>, challenge: Option<&'a str>) -> Option<&'a str> {
    (mode == Some("subscribe") && token == Some(verify_token)).then_some(challenge).flatten()
}

#[derive(Deserialize)]
struct Delivery {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    messaging: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    sender: Party,
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Party {
    id: String,
}

#[derive(Deserialize)]
struct Message {
    mid: String,
    text: Option<String>,
    #[serde(default)]
    is_echo: bool,
    #[serde(default)]
    attachments: Vec<Attachment>,
}

#[derive(Deserialize)]
struct Attachment {
    #[serde(rename = "type")]
    kind: String,
    payload: Option<Payload>,
}

#[derive(Deserialize)]
struct Payload {
    url: Option<String>,
}

/// The customers' messages in a verified delivery. Our own page's messages (echoes), read
/// receipts and other events carry nothing to record and are skipped.
pub fn messages(body: &[u8]) -> Result<Vec<InboundMessage>, AppError> {
    let delivery: Delivery = serde_json::from_slice(body)
        .map_err(|error| AppError::invalid(format!("The webhook body is not a Messenger or Instagram delivery: {error}.")))?;
    if !matches!(delivery.object.as_str(), "page" | "instagram") {
        return Err(AppError::invalid(format!("Webhooks for {:?} are not handled here.", delivery.object)));
    }
    let mut messages = Vec::new();
    for event in delivery.entry.into_iter().flat_map(|entry| entry.messaging) {
        let Some(message) = event.message.filter(|message| !message.is_echo) else {
            continue;
        };
        let mut body = message.text.unwrap_or_default();
        for attachment in message.attachments {
            if let Some(url) = attachment.payload.and_then(|payload| payload.url) {
                body.push_str(&format!("\n[{}] {url}", attachment.kind));
            }
        }
        messages.push(InboundMessage {
            channel: Channel::Social,
            kind: InteractionKind::MessageIn,
            from: vec![Identifier::new(IdentityKind::Facebook, event.sender.id)],
            display_name: String::new(),
            subject: None,
            body: body.trim().to_owned(),
            provider_message_id: message.mid,
            replies_to: Vec::new(),
            files: Vec::new(),
        });
    }
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_of_the_raw_body_verifies() {
        let body = br#"{"object":"page","entry":[]}"#;
        // Computed independently, with Python's hmac module, for this body and secret.
        assert!(verify("app-secret", body, "sha256=e6e9d7a842a48e17f43a34d6125d0d933e2aab92ee37f0993a4d493b50e3d438"));
        let good = format!("sha256={}", hex(&mac("app-secret", body)));
        assert!(verify("app-secret", body, &good));
        assert!(!verify("other-secret", body, &good));
        assert!(!verify("app-secret", br#"{"object":"page","entry":[{}]}"#, &good));
        assert!(!verify("app-secret", body, "sha1=abcd"));
        assert!(!verify("app-secret", body, "sha256=zz"));
    }

    fn mac(secret: &str, body: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        mac.finalize().into_bytes().to_vec()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn the_handshake_echoes_the_challenge_only_for_our_token() {
        assert_eq!(handshake("ours", Some("subscribe"), Some("ours"), Some("1158201444")), Some("1158201444"));
        assert_eq!(handshake("ours", Some("subscribe"), Some("theirs"), Some("1158201444")), None);
        assert_eq!(handshake("ours", Some("unsubscribe"), Some("ours"), Some("1")), None);
    }

    #[test]
    fn customer_messages_are_read_and_echoes_and_receipts_skipped() {
        let body = br#"{"object":"page","entry":[{"id":"PAGE","time":1,"messaging":[
            {"sender":{"id":"24001"},"recipient":{"id":"PAGE"},"timestamp":1,"message":{"mid":"m_1","text":"Hi there","attachments":[{"type":"image","payload":{"url":"https://cdn.example/p.jpg"}}]}},
            {"sender":{"id":"PAGE"},"recipient":{"id":"24001"},"timestamp":2,"message":{"mid":"m_2","text":"Our answer","is_echo":true}},
            {"sender":{"id":"24001"},"recipient":{"id":"PAGE"},"timestamp":3,"read":{"watermark":3}}
        ]}]}"#;
        let messages = messages(body).unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].provider_message_id, "m_1");
        assert_eq!(messages[0].from[0].value, "24001");
        assert_eq!(messages[0].body, "Hi there\n[image] https://cdn.example/p.jpg");
    }

    #[test]
    fn every_truncation_of_a_delivery_is_answered_never_a_panic() {
        let body = include_bytes!("../../../../fuzz/seeds/meta/message.json");
        for cut in 0..body.len() {
            let _ = messages(&body[..cut]);
            verify("app-secret", &body[..cut], std::str::from_utf8(&body[..cut.min(71)]).unwrap_or_default());
        }
    }

    #[test]
    fn truncated_or_foreign_deliveries_are_refused() {
        assert!(messages(br#"{"object":"page","entry":[{"#).unwrap_err().to_string().contains("not a Messenger"));
        assert!(messages(br#"{"object":"user","entry":[]}"#).unwrap_err().to_string().contains("not handled"));
    }
}
