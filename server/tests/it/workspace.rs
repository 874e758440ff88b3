//! The agent workspace through the router, on both backends: an agent's reply reaches the
//! customer's request page, a note never does, and bad input is refused with a reason.

use crate::support;

use app::{
    api::{
        agent::{InboxPage, LogCall, OpenTicket, SendAgentReply, SetTicketStatus},
        requests::MyRequest,
    },
    both_backends,
    server::db::Db,
};
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use support::{app, call, scalar, signed_in, upload};

const INVOICE_TICKET: &str = "select id from tickets where subject like 'Invoice INV-2291%'";

both_backends!(an_agents_reply_reaches_the_customer_and_a_note_does_not, |db: Db| async move {
    let app = app(&db).await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let ticket = scalar(&db, INVOICE_TICKET).await;

    let file = upload(&app, "corrected.txt", b"PT514000111", Some(&agent)).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    let token: serde_json::Value = serde_json::from_str(&file.body).unwrap();
    let token = token["token"].as_str().unwrap();
    let form = format!(
        "ticket_id={ticket}&body=Here+is+the+corrected+invoice.&channel=email&internal=false&then=pending&attachments={token}"
    );
    let sent = call(&app, SendAgentReply::PATH, &form, Some(&agent)).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let note = format!("ticket_id={ticket}&body=Reissued+by+billing&channel=email&internal=true");
    assert_eq!(call(&app, SendAgentReply::PATH, &note, Some(&agent)).await.status, StatusCode::OK);

    let seen = call(&app, MyRequest::PATH, &format!("ticket_id={ticket}"), Some(&ana)).await;
    assert!(seen.body.contains("Here is the corrected invoice."), "{}", seen.body);
    assert!(seen.body.contains("corrected.txt"), "the file came with it");
    assert!(seen.body.contains("\"pending\""), "waiting on the customer now");
    assert!(!seen.body.contains("Reissued by billing"), "notes stay internal");

    let opened = call(&app, OpenTicket::PATH, &format!("ticket_id={ticket}"), Some(&agent)).await;
    assert!(opened.body.contains("Reissued by billing"), "agents see notes");
});

both_backends!(bad_workspace_input_is_refused_with_a_reason, |db: Db| async move {
    let app = app(&db).await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let ticket = scalar(&db, INVOICE_TICKET).await;

    let empty = call(&app, SendAgentReply::PATH, &format!("ticket_id={ticket}&body=+&channel=email&internal=false"), Some(&agent)).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
    assert!(empty.body.contains("Write a message"));

    let fax = call(&app, SendAgentReply::PATH, &format!("ticket_id={ticket}&body=Hi&channel=fax&internal=false"), Some(&agent)).await;
    assert_eq!(fax.status, StatusCode::BAD_REQUEST, "{}", fax.body);

    let missing = call(&app, OpenTicket::PATH, "ticket_id=999999", Some(&agent)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let reason = call(&app, SetTicketStatus::PATH, &format!("ticket_id={ticket}&status=pending&disposition=fixed"), Some(&agent)).await;
    assert_eq!(reason.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reason.body);

    let stale = call(&app, InboxPage::PATH, "query[view]=all&after=garbage", Some(&agent)).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", stale.body);
    for body in [&empty.body, &fax.body, &reason.body, &stale.body] {
        assert!(!body.to_lowercase().contains("select "), "no SQL in answers: {body}");
    }
});

both_backends!(only_staff_log_calls_and_a_logged_call_joins_the_conversation, |db: Db| async move {
    let app = app(&db).await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let ticket = scalar(&db, INVOICE_TICKET).await;
    let form = format!("ticket_id={ticket}&direction=inbound&number=%2B447911123456&minutes=3&notes=Asked+about+VAT");

    assert_eq!(call(&app, LogCall::PATH, &form, Some(&ana)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&app, LogCall::PATH, &form, None).await.status, StatusCode::UNAUTHORIZED);
    let minutes = form.replace("minutes=3", "minutes=many");
    assert_eq!(call(&app, LogCall::PATH, &minutes, Some(&agent)).await.status, StatusCode::BAD_REQUEST);

    let logged = call(&app, LogCall::PATH, &form, Some(&agent)).await;
    assert_eq!(logged.status, StatusCode::OK, "{}", logged.body);
    let opened = call(&app, OpenTicket::PATH, &format!("ticket_id={ticket}"), Some(&agent)).await;
    assert!(opened.body.contains("Inbound call with +447911123456, answered by"), "{}", opened.body);
    assert!(opened.body.contains("Asked about VAT"));
});
