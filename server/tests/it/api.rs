//! The public REST API and the channel webhooks over HTTP: API keys and their scopes and
//! rates, bad input answered specifically, retries recorded once, Twilio's signatures, and
//! the OpenAPI document matching what the server does.

use crate::support::{app, app_configured, call, scalar, signed_in, PUBLIC_URL};
use app::{
    api::admin::{AddMailbox, ApiKeyList, CreateApiKey, MailboxList, RemoveMailbox, RevokeApiKey},
    both_backends,
    model::{ApiScope, CreatedApiKey},
    server::{api_keys, auth::SessionPolicy, db::Db, tickets},
};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
    response::Response,
};
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn key(db: &Db, scopes: &[ApiScope], rate_per_minute: u32) -> String {
    api_keys::create(db, "Test integration", scopes, rate_per_minute, None).await.unwrap().1
}

async fn writer(db: &Db) -> String {
    key(db, &[ApiScope::MessagesWrite], 600).await
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Response) {
    let response = app.clone().oneshot(request).await.unwrap();
    (response.status(), response)
}

async fn json_of(response: Response) -> Value {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
}

async fn post(app: &Router, path: &str, key: Option<&str>, content_type: &str, body: impl Into<Body>) -> (StatusCode, Response) {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, content_type);
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    send(app, request.body(body.into()).unwrap()).await
}

async fn post_message(app: &Router, key: &str, message: &Value) -> (StatusCode, Value) {
    let (status, response) = post(app, "/api/v1/messages", Some(key), "application/json", message.to_string()).await;
    (status, json_of(response).await)
}

fn sms(id: &str, body: &str) -> Value {
    json!({ "channel": "sms", "from": { "phone": "+44 7911 123456", "name": "Ana Silva" }, "body": body, "message_id": id })
}

both_backends!(a_message_posted_with_a_key_is_recorded_once, |db: Db| async move {
    let app = app(&db).await;
    let key = writer(&db).await;
    let (status, first) = post_message(&app, &key, &sms("SM-1", "My parcel is late")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!((first["duplicate"].as_bool(), first["conversation"].as_str()), (Some(false), Some("created")));

    let (status, again) = post_message(&app, &key, &sms("SM-1", "My parcel is late")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["duplicate"], json!(true));
    assert_eq!((again["ticket_id"].clone(), again["interaction_id"].clone()), (first["ticket_id"].clone(), first["interaction_id"].clone()));

    let (_, call) = post_message(
        &app,
        &key,
        &json!({ "channel": "phone", "kind": "call", "from": { "phone": "+447911123456" }, "body": "Called about the parcel, 4 min", "message_id": "call-77" }),
    )
    .await;
    assert_eq!((call["ticket_id"].clone(), call["conversation"].as_str()), (first["ticket_id"].clone(), Some("joined")));
    let ticket_id = first["ticket_id"].as_i64().unwrap();
    let thread = tickets::ticket_thread(&db, ticket_id).await.unwrap().interactions;
    let bodies: Vec<&str> = thread.iter().map(|entry| entry.body.as_str()).collect();
    assert_eq!(bodies, ["My parcel is late", "Called about the parcel, 4 min"]);
});

both_backends!(requests_without_a_usable_key_are_refused, |db: Db| async move {
    let app = app(&db).await;
    let body = sms("SM-2", "Hello").to_string();
    let (status, response) = post(&app, "/api/v1/messages", None, "application/json", body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    assert!(json_of(response).await["error"].as_str().unwrap().contains("API key"));

    let unknown = "hd_nosuchkey_0123456789";
    assert_eq!(post(&app, "/api/v1/messages", Some(unknown), "application/json", body.clone()).await.0, StatusCode::UNAUTHORIZED);

    let key = writer(&db).await;
    let wrong_secret = format!("{}x", &key[..key.len() - 1]);
    assert_eq!(post(&app, "/api/v1/messages", Some(&wrong_secret), "application/json", body.clone()).await.0, StatusCode::UNAUTHORIZED);

    let revoked_id = api_keys::list(&db).await.unwrap()[0].id;
    api_keys::revoke(&db, revoked_id, None).await.unwrap();
    assert_eq!(post(&app, "/api/v1/messages", Some(&key), "application/json", body.clone()).await.0, StatusCode::UNAUTHORIZED);

    let reader = key_with(&db, ApiScope::TicketsRead).await;
    let (status, refused) = post_message(&app, &reader, &sms("SM-2", "Hello")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(refused["error"], "This API key lacks the messages:write scope.");
    assert_eq!(scalar(&db, "select count(*) from interactions where provider_message_id = 'SM-2'").await, 0);
});

async fn key_with(db: &Db, scope: ApiScope) -> String {
    key(db, &[scope], 600).await
}

both_backends!(bad_input_gets_a_specific_error_and_writes_nothing, |db: Db| async move {
    let app = app(&db).await;
    let key = writer(&db).await;
    let before = scalar(&db, "select count(*) from interactions").await;

    let (status, response) = post(&app, "/api/v1/messages", Some(&key), "application/json", r#"{"channel": "sms", "from": {"pho"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(json_of(response).await["error"].as_str().unwrap().contains("not a valid message"));

    let cases = [
        (json!({ "channel": "fax", "from": { "phone": "+447911123456" }, "body": "x", "message_id": "m1" }), StatusCode::BAD_REQUEST, "unknown variant"),
        (json!({ "channel": "sms", "from": {}, "body": "x", "message_id": "m2" }), StatusCode::BAD_REQUEST, "Say who sent"),
        (json!({ "channel": "sms", "from": { "phone": "07911 123456" }, "body": "x", "message_id": "m3" }), StatusCode::UNPROCESSABLE_ENTITY, "country code"),
        (json!({ "channel": "sms", "from": { "phone": "+447911123456" }, "body": "x", "message_id": "" }), StatusCode::UNPROCESSABLE_ENTITY, "message id"),
        (json!({ "channel": "sms", "from": { "phone": "+447911123456" }, "body": "x", "message_id": "m5", "colour": "red" }), StatusCode::BAD_REQUEST, "unknown field"),
        (
            json!({ "channel": "email", "from": { "email": "ana@example.com" }, "body": "x", "message_id": "m6",
                    "attachments": [{ "file_name": "a.pdf", "content_base64": "%%%" }] }),
            StatusCode::BAD_REQUEST,
            "not valid base64",
        ),
    ];
    for (message, expected, words) in cases {
        let (status, answer) = post_message(&app, &key, &message).await;
        assert_eq!(status, expected, "{message}: {answer}");
        assert!(answer["error"].as_str().unwrap().contains(words), "{message}: {answer}");
    }

    let (status, response) = post(&app, "/api/v1/inbound/email", Some(&key), "message/rfc822", "no headers at all").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json_of(response).await["error"].as_str().unwrap().contains("no sender address"));
    assert_eq!(scalar(&db, "select count(*) from interactions").await, before);
});

both_backends!(a_key_over_its_rate_is_told_when_to_retry, |db: Db| async move {
    let app = app(&db).await;
    let key = key(&db, &[ApiScope::MessagesWrite], 2).await;
    for n in 0..2 {
        let (status, _) = post_message(&app, &key, &sms(&format!("SM-r{n}"), "Hi")).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, response) = post(&app, "/api/v1/messages", Some(&key), "application/json", sms("SM-r2", "Hi").to_string()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    // Another key has its own budget.
    assert_eq!(post_message(&app, &writer(&db).await, &sms("SM-r3", "Hi")).await.0, StatusCode::CREATED);
});

both_backends!(raw_email_is_threaded_into_its_conversation, |db: Db| async move {
    let app = app(&db).await;
    let key = writer(&db).await;
    let first = "From: Ana Silva <ana.silva@example.org>\r\nSubject: Kettle lid cracked\r\nMessage-ID: <k1@example.org>\r\n\r\nThe lid arrived cracked.\r\n";
    let (status, response) = post(&app, "/api/v1/inbound/email", Some(&key), "message/rfc822", first).await;
    assert_eq!(status, StatusCode::CREATED);
    let created = json_of(response).await;
    let answer = "From: ana.silva@example.org\r\nSubject: Re: Kettle lid cracked\r\nMessage-ID: <k2@example.org>\r\nIn-Reply-To: <k1@example.org>\r\n\r\nHere is the order number: 1182.\r\n";
    let (status, response) = post(&app, "/api/v1/inbound/email", Some(&key), "message/rfc822", answer).await;
    assert_eq!(status, StatusCode::CREATED);
    let joined = json_of(response).await;
    assert_eq!((joined["ticket_id"].clone(), joined["conversation"].as_str()), (created["ticket_id"].clone(), Some("joined")));
    // The MTA retries after a timeout: answered, not recorded again.
    let (status, _) = post(&app, "/api/v1/inbound/email", Some(&key), "message/rfc822", answer).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(scalar(&db, "select count(*) from interactions where provider_message_id = '<k2@example.org>'").await, 1);
});

/// What Twilio sends: the form, and its signature of the URL and the form.
fn twilio_request(token: &str, params: &[(&str, &str)]) -> Request<Body> {
    let url = format!("{PUBLIC_URL}/webhooks/twilio");
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    let form = form_urlencoded_pairs(params);
    Request::post("/webhooks/twilio")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(Body::from(form))
        .unwrap()
}

fn form_urlencoded_pairs(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .map(|(name, value)| format!("{name}={}", value.replace('+', "%2B").replace(' ', "+").replace(':', "%3A")))
        .collect::<Vec<_>>()
        .join("&")
}

both_backends!(twilio_webhooks_are_verified_and_recorded_once, |db: Db| async move {
    let token = "twilio-test-token";
    let configured = app_configured(&db, SessionPolicy::default(), |state| state.channels.twilio_auth_token = Some(token.to_owned())).await;
    let params = [
        ("MessageSid", "SMwa-900"),
        ("AccountSid", "AC123"),
        ("From", "whatsapp:+447911123456"),
        ("To", "whatsapp:+14155238886"),
        ("Body", "Is my order on its way?"),
        ("ProfileName", "Ana"),
    ];
    let (status, response) = send(&configured, twilio_request(token, &params)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/xml");
    // Twilio retries when an answer is slow: still one message.
    assert_eq!(send(&configured, twilio_request(token, &params)).await.0, StatusCode::OK);
    assert_eq!(
        scalar(&db, "select count(*) from interactions where channel = 'whatsapp' and provider_message_id = 'SMwa-900'").await,
        1
    );

    let (status, _) = send(&configured, twilio_request("someone-elses-token", &[("MessageSid", "SMx"), ("From", "+447911123456"), ("Body", "x")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(scalar(&db, "select count(*) from interactions where provider_message_id = 'SMx'").await, 0);

    let unconfigured = app(&db).await;
    assert_eq!(send(&unconfigured, twilio_request(token, &params)).await.0, StatusCode::SERVICE_UNAVAILABLE);
});

fn meta_request(secret: &str, body: &str) -> Request<Body> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let signature: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    Request::post("/webhooks/meta")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-hub-signature-256", format!("sha256={signature}"))
        .body(Body::from(body.to_owned()))
        .unwrap()
}

both_backends!(meta_webhooks_are_subscribed_verified_and_recorded_once, |db: Db| async move {
    let secret = "meta-app-secret";
    let configured = app_configured(&db, SessionPolicy::default(), |state| {
        state.channels.meta_app_secret = Some(secret.to_owned());
        state.channels.meta_verify_token = Some("our-verify-token".to_owned());
    })
    .await;
    let handshake = |token: &str| {
        Request::get(format!("/webhooks/meta?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"))
            .body(Body::empty())
            .unwrap()
    };
    let (status, response) = send(&configured, handshake("our-verify-token")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), "1158201444");
    assert_eq!(send(&configured, handshake("guess")).await.0, StatusCode::FORBIDDEN);

    let delivery = r#"{"object":"page","entry":[{"id":"PAGE","time":1,"messaging":[
        {"sender":{"id":"24001"},"recipient":{"id":"PAGE"},"timestamp":1,"message":{"mid":"m_900","text":"Do you ship to Lisbon?"}},
        {"sender":{"id":"PAGE"},"recipient":{"id":"24001"},"timestamp":2,"message":{"mid":"m_901","text":"Yes","is_echo":true}}]}]}"#;
    assert_eq!(send(&configured, meta_request(secret, delivery)).await.0, StatusCode::OK);
    assert_eq!(send(&configured, meta_request(secret, delivery)).await.0, StatusCode::OK);
    assert_eq!(scalar(&db, "select count(*) from interactions where channel = 'social' and provider_message_id = 'm_900'").await, 1);
    assert_eq!(scalar(&db, "select count(*) from interactions where provider_message_id = 'm_901'").await, 0, "our own echo");

    assert_eq!(send(&configured, meta_request("not-the-secret", delivery)).await.0, StatusCode::FORBIDDEN);
    let (status, response) = send(&configured, meta_request(secret, r#"{"object":"page","entry":[{"#)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json_of(response).await["error"].as_str().unwrap().contains("not a Messenger"));
});

both_backends!(a_telephony_system_reports_a_call_event_by_event, |db: Db| async move {
    let app = app(&db).await;
    let key = writer(&db).await;
    let event = |event: &str, extra: Value| {
        let mut body = json!({ "call_id": "pbx-42", "event": event, "direction": "inbound", "customer_number": "+44 7911 123456" });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body.to_string()
    };
    let (status, response) = post(&app, "/api/v1/calls", Some(&key), "application/json", event("started", json!({}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let started = json_of(response).await;
    assert_eq!(started["new_call"], json!(true));
    let (status, response) = post(
        &app,
        "/api/v1/calls",
        Some(&key),
        "application/json",
        event("ended", json!({ "agent_email": "agent@northwind.test", "duration_seconds": 75, "disposition": "callback" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let ended = json_of(response).await;
    assert_eq!((ended["interaction_id"].clone(), ended["new_call"].clone()), (started["interaction_id"].clone(), json!(false)));
    let thread = tickets::ticket_thread(&db, started["ticket_id"].as_i64().unwrap()).await.unwrap().interactions;
    assert!(thread[0].body.starts_with("Inbound call with +447911123456, answered by "), "{}", thread[0].body);
    assert!(thread[0].body.contains("1 min 15 s.\nOutcome: callback"), "{}", thread[0].body);

    let (status, response) = post(&app, "/api/v1/calls", Some(&key), "application/json", event("rang", json!({}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(json_of(response).await["error"].as_str().unwrap().contains("unknown variant `rang`"));
});

async fn call_api(app: &Router, method: &str, path: &str, key: &str, body: Option<Value>) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.map_or(Body::empty(), |body| Body::from(body.to_string())))
        .unwrap();
    let (status, response) = send(app, request).await;
    (status, json_of(response).await)
}

both_backends!(integrations_read_and_update_tickets_within_their_scopes, |db: Db| async move {
    let app = app(&db).await;
    let (_, created) = post_message(&app, &writer(&db).await, &sms("SM-t1", "Where is my order 1182?")).await;
    let path = format!("/api/v1/tickets/{}", created["ticket_id"]);
    let reader = key_with(&db, ApiScope::TicketsRead).await;
    let (status, thread) = call_api(&app, "GET", &path, &reader, None).await;
    assert_eq!(status, StatusCode::OK, "{thread}");
    assert_eq!(thread["interactions"][0]["body"], "Where is my order 1182?");
    assert_eq!(thread["ticket"]["summary"]["status"], "new");

    let (status, refused) = call_api(&app, "PATCH", &path, &reader, Some(json!({ "status": "solved" }))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(refused["error"], "This API key lacks the tickets:write scope.");

    let editor = key_with(&db, ApiScope::TicketsWrite).await;
    let change = json!({ "status": "pending", "priority": "high", "tags": ["Shipping", "order-1182"] });
    let (status, changed) = call_api(&app, "PATCH", &path, &editor, Some(change)).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!((changed["ticket"]["summary"]["status"].as_str(), changed["ticket"]["summary"]["priority"].as_str()), (Some("pending"), Some("high")));
    assert_eq!(changed["ticket"]["tags"], json!(["order-1182", "shipping"]));

    let (status, answer) = call_api(&app, "PATCH", &path, &editor, Some(json!({ "status": "archived" }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["error"].as_str().unwrap().contains("unknown variant `archived`"), "{answer}");
    call_api(&app, "PATCH", &path, &editor, Some(json!({ "status": "closed" }))).await;
    let (status, answer) = call_api(&app, "PATCH", &path, &editor, Some(json!({ "status": "open" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(call_api(&app, "GET", "/api/v1/tickets/999999", &reader, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call_api(&app, "GET", "/api/v1/tickets/latest", &reader, None).await.0, StatusCode::BAD_REQUEST);
});

both_backends!(integrations_find_read_and_update_customers, |db: Db| async move {
    let app = app(&db).await;
    let (_, created) = post_message(&app, &writer(&db).await, &sms("SM-c1", "Hello")).await;
    let reader = key_with(&db, ApiScope::CustomersRead).await;
    let (status, found) = call_api(&app, "GET", "/api/v1/customers?identity=%2B44%207911%20123456", &reader, None).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["customer"]["id"], created["customer_id"]);
    let kinds: Vec<&str> = found["identities"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["phone", "whatsapp"], "one number, both ways to reach them");
    assert_eq!(call_api(&app, "GET", "/api/v1/customers?identity=nobody@example.com", &reader, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call_api(&app, "GET", "/api/v1/customers", &reader, None).await.0, StatusCode::BAD_REQUEST);

    let path = format!("/api/v1/customers/{}", created["customer_id"]);
    let editor = key_with(&db, ApiScope::CustomersWrite).await;
    let change = json!({ "display_name": "Ana Silva", "tier": "premium", "attributes": { "plan": "Pro", "seats": 12 } });
    let (status, changed) = call_api(&app, "PATCH", &path, &editor, Some(change)).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!((changed["customer"]["display_name"].as_str(), changed["customer"]["tier"].as_str()), (Some("Ana Silva"), Some("premium")));
    assert_eq!(changed["customer"]["attributes"]["seats"], 12);
    let (status, refused) = call_api(&app, "PATCH", &path, &editor, Some(json!({ "display_name": "  " }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(call_api(&app, "GET", &path, &editor, None).await.0, StatusCode::FORBIDDEN, "write is not read");
});

/// The operations the tests above exercise, all of which the document must describe.
const EXERCISED: [(&str, &str); 9] = [
    ("post", "/api/v1/messages"),
    ("post", "/api/v1/inbound/email"),
    ("post", "/api/v1/calls"),
    ("get", "/api/v1/tickets/{id}"),
    ("patch", "/api/v1/tickets/{id}"),
    ("get", "/api/v1/customers"),
    ("get", "/api/v1/customers/{id}"),
    ("patch", "/api/v1/customers/{id}"),
    ("get", "/api/v1/openapi.json"),
];

/// The object's keys, sorted.
fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

/// The schema's required fields, sorted.
fn required(schema: &Value) -> Vec<String> {
    let mut fields: Vec<String> = schema["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    fields.sort();
    fields
}

both_backends!(the_openapi_document_describes_what_the_server_does, |db: Db| async move {
    let app = app(&db).await;
    let (status, response) = send(&app, Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let document = json_of(response).await;
    assert_eq!(document["openapi"].as_str().map(|v| &v[..2]), Some("3."));

    let paths = document["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
            // Every documented operation exists: without a key it is refused, never missing.
            let uri = path.replace("{id}", "1");
            let request = Request::builder().method(method.to_uppercase().as_str()).uri(uri).body(Body::empty()).unwrap();
            let (status, _) = send(&app, request).await;
            assert!(![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&status), "{method} {path}: {status}");
        }
    }
    for (method, path) in EXERCISED {
        assert!(documented.contains(&(method.to_owned(), path.to_owned())), "{method} {path} is not documented");
    }

    // Real answers carry exactly the documented fields.
    let schemas = &document["components"]["schemas"];
    let (_, recorded) = post_message(&app, &writer(&db).await, &sms("SM-doc", "Hello")).await;
    assert_eq!(required(&schemas["Recorded"]), keys(&recorded));
    let everything = key(&db, ApiScope::ALL, 600).await;
    let (_, thread) = call_api(&app, "GET", &format!("/api/v1/tickets/{}", recorded["ticket_id"]), &everything, None).await;
    assert_eq!(required(&schemas["TicketThread"]), keys(&thread));
    assert_eq!(required(&schemas["TicketThread"]["properties"]["ticket"]), keys(&thread["ticket"]));
    let entry_schema = &schemas["TicketThread"]["properties"]["interactions"]["items"];
    for field in required(entry_schema) {
        assert!(thread["interactions"][0].get(&field).is_some(), "interaction field {field}");
    }
    let (_, view) = call_api(&app, "GET", &format!("/api/v1/customers/{}", recorded["customer_id"]), &everything, None).await;
    assert_eq!(required(&schemas["CustomerView"]), keys(&view));
    assert_eq!(required(&schemas["CustomerView"]["properties"]["customer"]), keys(&view["customer"]));
    assert_eq!(required(&schemas["CustomerView"]["properties"]["identities"]["items"]), keys(&view["identities"][0]));
    let conversations: Vec<&Value> = schemas["Recorded"]["properties"]["conversation"]["enum"].as_array().unwrap().iter().collect();
    assert!(conversations.contains(&&recorded["conversation"]));
    // The message fields the server accepts are the documented ones.
    let accepted = document["components"]["schemas"]["NewMessage"]["properties"].as_object().unwrap();
    for field in ["channel", "kind", "from", "subject", "body", "message_id", "in_reply_to", "attachments"] {
        assert!(accepted.contains_key(field), "{field}");
    }
});

both_backends!(admins_manage_keys_and_mailboxes_from_the_admin_area_and_nobody_else_does, |db: Db| async move {
    let app = app(&db).await;
    let admin = signed_in(&app, "admin@northwind.test").await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let create = "scopes[0]=customers:read&name=Shop&rate_per_minute=60";
    let mailbox = "name=Support&host=127.0.0.1&port=143&security=starttls&username=support&password=s3cret&folder=INBOX";
    for (path, form) in [
        (CreateApiKey::PATH, create),
        (ApiKeyList::PATH, ""),
        (RevokeApiKey::PATH, "key_id=1"),
        (AddMailbox::PATH, mailbox),
        (MailboxList::PATH, ""),
        (RemoveMailbox::PATH, "mailbox_id=1"),
    ] {
        assert_eq!(call(&app, path, form, Some(&agent)).await.status, StatusCode::FORBIDDEN, "{path}");
    }

    // A key created in the admin area works on the API until it is revoked there.
    let created = call(&app, CreateApiKey::PATH, create, Some(&admin)).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let created: CreatedApiKey = serde_json::from_str(&created.body).unwrap();
    assert_eq!(created.key.scopes, [ApiScope::CustomersRead]);
    let lookup = |key: String| {
        let app = app.clone();
        async move {
            let request = Request::get("/api/v1/customers?identity=ana@example.com")
                .header(header::AUTHORIZATION, format!("Bearer {key}"))
                .body(Body::empty())
                .unwrap();
            send(&app, request).await.0
        }
    };
    assert_ne!(lookup(created.secret.clone()).await, StatusCode::UNAUTHORIZED);
    let listed = call(&app, ApiKeyList::PATH, "", Some(&admin)).await;
    assert!(listed.body.contains("\"Shop\"") && !listed.body.contains(&created.secret), "the secret is never listed again");
    let no_scope = call(&app, CreateApiKey::PATH, "name=Empty&rate_per_minute=60", Some(&admin)).await;
    assert_eq!(no_scope.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_scope.body);
    assert!(no_scope.body.contains("at least one scope"));
    let revoked = call(&app, RevokeApiKey::PATH, &format!("key_id={}", created.key.id), Some(&admin)).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(lookup(created.secret).await, StatusCode::UNAUTHORIZED);

    // Mailboxes: added, listed without their password, refused twice or with unknown security.
    assert_eq!(call(&app, AddMailbox::PATH, mailbox, Some(&admin)).await.status, StatusCode::OK);
    assert_eq!(call(&app, AddMailbox::PATH, mailbox, Some(&admin)).await.status, StatusCode::CONFLICT);
    let insecure = call(&app, AddMailbox::PATH, &mailbox.replace("starttls", "ssl3"), Some(&admin)).await;
    assert_eq!(insecure.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", insecure.body);
    let listed = call(&app, MailboxList::PATH, "", Some(&admin)).await;
    assert!(listed.body.contains("\"Support\"") && !listed.body.contains("s3cret"), "{}", listed.body);
    let id = scalar(&db, "select id from mailboxes").await;
    assert_eq!(call(&app, RemoveMailbox::PATH, &format!("mailbox_id={id}"), Some(&admin)).await.status, StatusCode::OK);
    assert_eq!(call(&app, RemoveMailbox::PATH, &format!("mailbox_id={id}"), Some(&admin)).await.status, StatusCode::NOT_FOUND);
});
