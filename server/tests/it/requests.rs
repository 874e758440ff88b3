//! "My requests" through the router, on both backends: a customer's own tickets, and of each
//! conversation only what passed between them and support.

use crate::support;

use app::{
    api::{
        account::RegisterCustomer,
        requests::{MyHistory, MyRequest, MyRequests, RateRequest, ReplyToRequest, SetRequestSolved},
    },
    both_backends,
    server::db::Db,
};
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use support::{BEN, BEN_EMAIL, BEN_PASSWORD, app, ben_confirmed, call, confirm_email, scalar, signed_in, signed_in_with};

const PARCEL: &str = "select id from tickets where subject = 'Parcel NW-20391 is two days late'";

both_backends!(a_customer_lists_their_own_requests_newest_first, |db: Db| async move {
    let app = app(&db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let reply = call(&app, MyRequests::PATH, "", Some(&ana)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let page: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    let items = page["items"].as_array().unwrap();
    let expected = scalar(
        &db,
        "select count(*) from tickets t join users u on u.customer_id = t.customer_id
         where u.email = 'customer@northwind.test'",
    )
    .await;
    assert_eq!(items.len() as i64, expected);
    assert!(items.iter().all(|t| t["customer_name"] == "Ana Silva"));
    let times: Vec<&str> = items.iter().map(|t| t["last_activity_at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest activity first: {times:?}");
    assert!(items.iter().all(|t| t["sla_due_at"].is_null()), "SLA deadlines are internal");
});

both_backends!(a_request_shows_the_conversation_without_internal_notes, |db: Db| async move {
    let app = app(&db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let ticket =
        scalar(&db, "select ticket_id from interactions where kind = 'note' and body like 'Billing confirmed%'").await;
    let reply = call(&app, MyRequest::PATH, &format!("ticket_id={ticket}"), Some(&ana)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("INV-2291"), "the messages are there: {}", reply.body);
    assert!(!reply.body.contains("Billing confirmed"), "the internal note is not: {}", reply.body);
    assert!(!reply.body.contains("\"note\""));
});

both_backends!(an_unconfirmed_account_sees_no_history_yet, |db: Db| async move {
    let app = app(&db).await;
    // Ben has written to support before; registering alone does not open that history.
    call(&app, RegisterCustomer::PATH, BEN, None).await;
    let ben = signed_in_with(&app, BEN_EMAIL, BEN_PASSWORD).await;
    let before = call(&app, MyRequests::PATH, "", Some(&ben)).await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(before.body, r#"{"items":[],"next":null}"#);

    confirm_email(&app, &db, BEN_EMAIL).await;
    let after = call(&app, MyRequests::PATH, "", Some(&ben)).await;
    let page: serde_json::Value = serde_json::from_str(&after.body).unwrap();
    assert!(!page["items"].as_array().unwrap().is_empty(), "confirmed: his earlier requests are his");
});

both_backends!(a_reply_from_the_portal_joins_the_conversation_and_reopens_a_solved_request, |db: Db| async move {
    let app = app(&db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let solved = scalar(&db, &format!("{PARCEL} and status = 'solved'")).await;

    let empty = call(&app, ReplyToRequest::PATH, &format!("ticket_id={solved}&body=+++"), Some(&ana)).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Write a message"), "{}", empty.body);

    let form = format!("ticket_id={solved}&body=It+arrived+but+the+box+was+damaged.");
    let reply = call(&app, ReplyToRequest::PATH, &form, Some(&ana)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let thread: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(thread["ticket"]["summary"]["status"], "open", "back in the agents' queue");
    let last = thread["interactions"].as_array().unwrap().iter().rev().find(|i| i["kind"] == "message_in").unwrap();
    assert_eq!(last["body"], "It arrived but the box was damaged.");
    assert_eq!(last["channel"], "portal");

    // Nobody else can write into Ana's request.
    let ben = ben_confirmed(&app, &db).await;
    let intruder = call(&app, ReplyToRequest::PATH, &format!("ticket_id={solved}&body=hello"), Some(&ben)).await;
    assert_eq!(intruder.status, StatusCode::NOT_FOUND);
    let replies =
        scalar(&db, &format!("select count(*) from interactions where ticket_id = {solved} and channel = 'portal'")).await;
    assert_eq!(replies, 1);
});

both_backends!(a_closed_request_takes_no_more_replies, |db: Db| async move {
    let app = app(&db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let ticket = scalar(&db, PARCEL).await;
    app::server::tickets::set_status(&db, ticket, app::model::TicketStatus::Closed, None).await.unwrap();
    let reply = call(&app, ReplyToRequest::PATH, &format!("ticket_id={ticket}&body=one+more+thing"), Some(&ana)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("closed"), "{}", reply.body);
});

both_backends!(a_customer_marks_a_request_solved_and_reopens_it, |db: Db| async move {
    let app = app(&db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let ticket = scalar(&db, PARCEL).await;
    app::server::tickets::set_status(&db, ticket, app::model::TicketStatus::Open, None).await.unwrap();

    let solved = call(&app, SetRequestSolved::PATH, &format!("ticket_id={ticket}&solved=true"), Some(&ana)).await;
    assert_eq!(solved.status, StatusCode::OK, "{}", solved.body);
    let thread: serde_json::Value = serde_json::from_str(&solved.body).unwrap();
    assert_eq!(thread["ticket"]["summary"]["status"], "solved");

    let reopened = call(&app, SetRequestSolved::PATH, &format!("ticket_id={ticket}&solved=false"), Some(&ana)).await;
    let thread: serde_json::Value = serde_json::from_str(&reopened.body).unwrap();
    assert_eq!(thread["ticket"]["summary"]["status"], "open");

    let ben = ben_confirmed(&app, &db).await;
    let intruder = call(&app, SetRequestSolved::PATH, &format!("ticket_id={ticket}&solved=true"), Some(&ben)).await;
    assert_eq!(intruder.status, StatusCode::NOT_FOUND);

    app::server::tickets::set_status(&db, ticket, app::model::TicketStatus::Closed, None).await.unwrap();
    let closed = call(&app, SetRequestSolved::PATH, &format!("ticket_id={ticket}&solved=false"), Some(&ana)).await;
    assert_eq!(closed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(closed.body.contains("closed"), "{}", closed.body);
});

both_backends!(a_solved_request_is_rated_once, |db: Db| async move {
    let app = app(&db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let ticket = scalar(&db, PARCEL).await;
    let rate = |csat: u8, ces: u8| format!("ticket_id={ticket}&csat={csat}&ces={ces}&comment=Quick+and+kind");

    app::server::tickets::set_status(&db, ticket, app::model::TicketStatus::Open, None).await.unwrap();
    let early = call(&app, RateRequest::PATH, &rate(5, 7), Some(&ana)).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "not solved yet: {}", early.body);

    app::server::tickets::set_status(&db, ticket, app::model::TicketStatus::Solved, None).await.unwrap();
    for (csat, ces) in [(0, 4), (6, 4), (3, 0), (3, 8)] {
        let out_of_range = call(&app, RateRequest::PATH, &rate(csat, ces), Some(&ana)).await;
        assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY, "{csat}/{ces}");
    }
    let rated = call(&app, RateRequest::PATH, &rate(4, 6), Some(&ana)).await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    let thread: serde_json::Value = serde_json::from_str(&rated.body).unwrap();
    assert_eq!(thread["satisfaction"]["csat"], 4);
    assert_eq!(thread["satisfaction"]["ces"], 6);
    let last = thread["interactions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "csat");
    assert_eq!(last["body"], "Rated 4 of 5, ease 6 of 7: Quick and kind");

    let again = call(&app, RateRequest::PATH, &rate(1, 1), Some(&ana)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("already rated"), "{}", again.body);
    assert_eq!(scalar(&db, &format!("select cast(csat as bigint) from satisfaction_ratings where ticket_id = {ticket}")).await, 4);

    let ben = ben_confirmed(&app, &db).await;
    let intruder = call(&app, RateRequest::PATH, &rate(1, 1), Some(&ben)).await;
    assert_eq!(intruder.status, StatusCode::NOT_FOUND);
});

both_backends!(my_history_is_the_whole_profile_without_internal_notes, |db: Db| async move {
    let app = app(&db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let customer = "(select customer_id from users where email = 'customer@northwind.test')";
    let everything = scalar(&db, &format!("select count(*) from interactions where customer_id = {customer}")).await;
    let notes = scalar(&db, &format!("select count(*) from interactions where customer_id = {customer} and kind = 'note'")).await;
    assert!(notes > 0, "the demo data has internal notes on Ana's tickets");

    // Page through all of it, newest first.
    let mut seen = Vec::new();
    let mut form = String::new();
    loop {
        let reply = call(&app, MyHistory::PATH, &form, Some(&ana)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let page: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        seen.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(cursor) => form = format!("after={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, everything - notes);
    assert!(seen.iter().all(|entry| entry["kind"] != "note"));
    let times: Vec<&str> = seen.iter().map(|entry| entry["created_at"].as_str().unwrap()).collect();
    assert!(times.is_sorted_by(|a, b| a >= b), "newest first");
    let channels: std::collections::HashSet<&str> = seen.iter().map(|e| e["channel"].as_str().unwrap()).collect();
    assert!(channels.len() >= 3, "several channels in one timeline: {channels:?}");

    let email = call(&app, MyHistory::PATH, "channel=email", Some(&ana)).await;
    let page: serde_json::Value = serde_json::from_str(&email.body).unwrap();
    assert!(page["items"].as_array().unwrap().iter().all(|entry| entry["channel"] == "email"));

    let parcel = scalar(&db, PARCEL).await;
    let one = call(&app, MyHistory::PATH, &format!("ticket_id={parcel}"), Some(&ana)).await;
    let page: serde_json::Value = serde_json::from_str(&one.body).unwrap();
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.iter().all(|entry| entry["ticket_id"] == parcel));

    // Another customer asking for Ana's ticket sees nothing of it.
    let ben = ben_confirmed(&app, &db).await;
    let other = call(&app, MyHistory::PATH, &format!("ticket_id={parcel}"), Some(&ben)).await;
    let page: serde_json::Value = serde_json::from_str(&other.body).unwrap();
    assert!(page["items"].as_array().unwrap().is_empty());

    let bad = call(&app, MyHistory::PATH, "channel=carrier-pigeon", Some(&ana)).await;
    assert_eq!(bad.status.as_u16() / 100, 4, "{}", bad.body);
});
