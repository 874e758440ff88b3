//! SMS and WhatsApp in, as Twilio delivers them: a form-encoded webhook signed with the
//! account's auth token (`X-Twilio-Signature`).

use super::InboundMessage;
use crate::{
    error::AppError,
    model::{Channel, IdentityKind, InteractionKind},
    server::identity::Identifier,
};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Whether `signature` is Twilio's signature of this request: HMAC-SHA1, keyed by the auth
/// token, over the full URL Twilio called followed by every POST parameter's name and value,
/// sorted by name. Compared in constant time.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    let Ok(expected) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac.verify_slice(&expected).is_ok()
}

/// The message a verified webhook carries. A `whatsapp:` sender is a WhatsApp message; any
/// other is an SMS. Media stay with Twilio: their links are listed under the text.
pub fn message(params: &[(String, String)]) -> Result<InboundMessage, AppError> {
    let param = |name: &str| params.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let sid = param("MessageSid")
        .or_else(|| param("SmsSid"))
        .filter(|sid| !sid.trim().is_empty())
        .ok_or_else(|| AppError::invalid("The webhook has no MessageSid."))?;
    let from = param("From").filter(|from| !from.trim().is_empty()).ok_or_else(|| AppError::invalid("The webhook has no From number."))?;
    let (channel, kind, number) = match from.strip_prefix("whatsapp:") {
        Some(number) => (Channel::Whatsapp, IdentityKind::Whatsapp, number),
        None => (Channel::Sms, IdentityKind::Phone, from),
    };
    let mut body = param("Body").unwrap_or_default().trim().to_owned();
    let media = param("NumMedia").and_then(|n| n.parse::<usize>().ok()).unwrap_or(0).min(10);
    for at in 0..media {
        if let Some(url) = param(&format!("MediaUrl{at}")) {
            let kind = param(&format!("MediaContentType{at}")).unwrap_or("file");
            body.push_str(&format!("\n[{kind}] {url}"));
        }
    }
    Ok(InboundMessage {
        channel,
        kind: InteractionKind::MessageIn,
        from: vec![Identifier::new(kind, number)],
        display_name: param("ProfileName").unwrap_or_default().to_owned(),
        subject: None,
        body: body.trim().to_owned(),
        provider_message_id: sid.trim().to_owned(),
        replies_to: Vec::new(),
        files: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// The example in Twilio's webhook security documentation.
    #[test]
    fn twilios_documented_example_verifies() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let form = params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675310"),
            ("Digits", "1234"),
            ("From", "+14158675310"),
            ("To", "+18005551212"),
        ]);
        assert!(verify("12345", url, &form, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
        assert!(!verify("12346", url, &form, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
        assert!(!verify("12345", "https://mycompany.com/myapp.php?foo=1&bar=3", &form, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
        let mut tampered = form.clone();
        tampered[2].1 = "9999".into();
        assert!(!verify("12345", url, &tampered, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
        assert!(!verify("12345", url, &form, "not base64!"));
    }

    #[test]
    fn whatsapp_and_sms_are_told_apart() {
        let whatsapp = message(&params(&[
            ("MessageSid", "SM1"),
            ("From", "whatsapp:+447911123456"),
            ("Body", "Hi"),
            ("ProfileName", "Ana"),
        ]))
        .unwrap();
        assert_eq!((whatsapp.channel, whatsapp.from[0].kind), (Channel::Whatsapp, IdentityKind::Whatsapp));
        assert_eq!(whatsapp.from[0].value, "+447911123456");
        assert_eq!(whatsapp.display_name, "Ana");
        let sms = message(&params(&[
            ("MessageSid", "SM2"),
            ("From", "+447911123456"),
            ("Body", ""),
            ("NumMedia", "1"),
            ("MediaUrl0", "https://api.twilio.com/media/ME1"),
            ("MediaContentType0", "image/jpeg"),
        ]))
        .unwrap();
        assert_eq!(sms.channel, Channel::Sms);
        assert_eq!(sms.body, "[image/jpeg] https://api.twilio.com/media/ME1");
    }

    #[test]
    fn a_webhook_without_sid_or_sender_is_refused() {
        assert!(message(&params(&[("From", "+447911123456")])).unwrap_err().to_string().contains("MessageSid"));
        assert!(message(&params(&[("MessageSid", "SM1")])).unwrap_err().to_string().contains("From"));
    }
}
