//! Replies by SMS, WhatsApp and Messenger leave through the providers' APIs (a stand-in
//! server with Twilio's and the Graph API's request formats): queued with the reply, sent
//! once, retried after a temporary failure, and a refusal shown on the ticket.

use super::workspace::{customer, login, reply, ticket};
use app::{
    both_backends,
    model::{Channel, CurrentUser, Delivery, IdentityKind, Role},
    server::{
        db::Db,
        identity::Identifier,
        mail::DeliveryReport,
        outbound::{self, ChannelSender, Meta, Twilio},
        workspace,
    },
};
use axum::{Json, Router, body::Bytes, extract::State, http::{HeaderMap, StatusCode, Uri}, routing::post};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// One request the provider received.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    query: String,
    authorization: String,
    body: String,
}

/// A local server answering like Twilio's Messages resource and the Graph API's Send API.
/// Twilio's documented invalid test number is refused; a body mentioning "busy" gets a 503.
struct Provider {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Provider {
    async fn start() -> Self {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let app = Router::new().fallback(post(answer)).with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, received }
    }

    fn sender(&self) -> ChannelSender {
        let twilio = Twilio {
            api_url: self.url.clone(),
            account_sid: "AC0123".into(),
            auth_token: "twilio-token".into(),
            sms_from: Some("+14155550100".into()),
            whatsapp_from: Some("+14155238886".into()),
        };
        let meta = Meta { graph_url: format!("{}/v19.0", self.url), page_token: "page-token".into() };
        ChannelSender::new(Some(twilio), Some(meta)).unwrap()
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn answer(State(received): State<Arc<Mutex<Vec<Received>>>>, uri: Uri, headers: HeaderMap, body: Bytes) -> (StatusCode, Json<Value>) {
    let body = String::from_utf8_lossy(&body).into_owned();
    received.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        authorization: headers.get("authorization").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default(),
        body: body.clone(),
    });
    if body.contains("busy") {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "message": "Service unavailable" })));
    }
    if body.contains("%2B15005550001") {
        let message = "The 'To' number +15005550001 is not a valid phone number.";
        return (StatusCode::BAD_REQUEST, Json(json!({ "code": 21211, "message": message, "status": 400 })));
    }
    match uri.path().ends_with("/me/messages") {
        true => (StatusCode::OK, Json(json!({ "recipient_id": "24001", "message_id": "mid.abc" }))),
        false => (StatusCode::CREATED, Json(json!({ "sid": "SM0001", "status": "queued" }))),
    }
}

fn report(sent: usize, retrying: usize, failed: usize) -> DeliveryReport {
    DeliveryReport { sent, retrying, failed }
}

async fn deliveries(db: &Db, agent: &CurrentUser, ticket_id: i64) -> Vec<Delivery> {
    let ticket = workspace::ticket(db, agent, ticket_id).await.unwrap();
    ticket.thread.interactions.into_iter().filter_map(|entry| entry.delivery).collect()
}

fn form(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

both_backends!(replies_by_sms_whatsapp_and_messenger_go_out_through_the_providers, |db: Db| async move {
    let provider = Provider::start().await;
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(
        &db,
        &[Identifier::new(IdentityKind::Phone, "+44 7911 123456"), Identifier::new(IdentityKind::Facebook, "24001")],
        "Ana Silva",
    )
    .await;
    let conversation = ticket(&db, ana, "Parcel", Channel::Sms, None).await;
    for (body, channel) in [("Your parcel ships **today**.", Channel::Sms), ("Tracking: NW123", Channel::Whatsapp), ("Anything else?", Channel::Social)] {
        workspace::reply(&db, &sam, conversation, reply(body, channel)).await.unwrap();
    }
    assert_eq!(deliveries(&db, &sam, conversation).await, vec![Delivery::Pending { last_error: None }; 3]);

    assert_eq!(outbound::deliver_due(&db, &provider.sender(), Utc::now()).await.unwrap(), report(3, 0, 0));
    assert_eq!(outbound::deliver_due(&db, &provider.sender(), Utc::now()).await.unwrap(), report(0, 0, 0), "sent once");
    assert_eq!(deliveries(&db, &sam, conversation).await, vec![Delivery::Sent; 3]);

    // Sent side by side, so in any order.
    let received = provider.received();
    assert_eq!(received.len(), 3);
    let twilio_auth = "Basic QUMwMTIzOnR3aWxpby10b2tlbg=="; // AC0123:twilio-token
    let to_twilio: Vec<Vec<(String, String)>> = received
        .iter()
        .filter(|request| request.path == "/2010-04-01/Accounts/AC0123/Messages.json")
        .inspect(|request| assert_eq!(request.authorization, twilio_auth))
        .map(|request| form(&request.body))
        .collect();
    let sms = to_twilio.iter().find(|form| form.contains(&("To".into(), "+447911123456".into()))).expect("the SMS");
    assert!(sms.contains(&("From".into(), "+14155550100".into())) && sms.contains(&("Body".into(), "Your parcel ships today.".into())), "text channels get no markup: {sms:?}");
    let whatsapp = to_twilio.iter().find(|form| form.contains(&("To".into(), "whatsapp:+447911123456".into()))).expect("the WhatsApp message");
    assert!(whatsapp.contains(&("From".into(), "whatsapp:+14155238886".into())), "{whatsapp:?}");
    let messenger = received.iter().find(|request| request.path == "/v19.0/me/messages").expect("the Messenger message");
    assert_eq!(messenger.query, "access_token=page-token");
    let sent: Value = serde_json::from_str(&messenger.body).unwrap();
    assert_eq!(sent, json!({ "recipient": { "id": "24001" }, "messaging_type": "RESPONSE", "message": { "text": "Anything else?" } }));
});

both_backends!(a_refused_number_is_shown_and_a_busy_provider_is_retried, |db: Db| async move {
    let provider = Provider::start().await;
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let bo = customer(&db, &[Identifier::new(IdentityKind::Phone, "+1 500 555 0001")], "Bo").await;
    let refused = ticket(&db, bo, "Order", Channel::Sms, None).await;
    workspace::reply(&db, &sam, refused, reply("Hello Bo", Channel::Sms)).await.unwrap();
    let cy = customer(&db, &[Identifier::new(IdentityKind::Phone, "+44 7911 123555")], "Cy").await;
    let busy = ticket(&db, cy, "Order", Channel::Sms, None).await;
    workspace::reply(&db, &sam, busy, reply("The line is busy today", Channel::Sms)).await.unwrap();

    let now = Utc::now();
    assert_eq!(outbound::deliver_due(&db, &provider.sender(), now).await.unwrap(), report(0, 1, 1));
    let shown = deliveries(&db, &sam, refused).await;
    let [Delivery::Failed { reason }] = shown.as_slice() else { panic!("not shown as failed: {shown:?}") };
    assert!(reason.contains("not a valid phone number") && reason.contains("400"), "{reason}");
    let shown = deliveries(&db, &sam, busy).await;
    let [Delivery::Pending { last_error: Some(reason) }] = shown.as_slice() else { panic!("not shown as retrying: {shown:?}") };
    assert!(reason.contains("503"), "{reason}");
    // Not due again before the backoff; then tried again.
    assert_eq!(outbound::deliver_due(&db, &provider.sender(), now + Duration::seconds(10)).await.unwrap(), report(0, 0, 0));
    assert_eq!(outbound::deliver_due(&db, &provider.sender(), now + Duration::seconds(31)).await.unwrap(), report(0, 1, 0));
    assert_eq!(provider.received().len(), 3);
});

both_backends!(a_channel_this_server_cannot_send_on_is_given_up_with_the_reason, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(&db, &[Identifier::new(IdentityKind::Phone, "+44 7911 123456")], "Ana").await;
    let conversation = ticket(&db, ana, "Parcel", Channel::Sms, None).await;
    workspace::reply(&db, &sam, conversation, reply("Hello", Channel::Sms)).await.unwrap();
    let nothing = ChannelSender::new(None, None).unwrap();
    assert_eq!(outbound::deliver_due(&db, &nothing, Utc::now()).await.unwrap(), report(0, 0, 1));
    let shown = deliveries(&db, &sam, conversation).await;
    let [Delivery::Failed { reason }] = shown.as_slice() else { panic!("{shown:?}") };
    assert!(reason.contains("TWILIO_ACCOUNT_SID"), "{reason}");
});
