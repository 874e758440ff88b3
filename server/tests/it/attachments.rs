//! Files with requests and replies, through the router on both backends: uploaded when picked,
//! claimed by the message that is sent, downloaded only by whoever may read the conversation.

use crate::support;

use app::{
    api::{portal::SendRequest, requests::ReplyToRequest, uploads::UploadAttachment},
    both_backends,
    model::MAX_ATTACHMENT_BYTES,
    server::db::Db,
    with_db,
};
use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use support::{app, ben_confirmed, call, scalar, signed_in, upload};
use tower::ServiceExt;

const INVOICE_TICKET: &str = "select id from tickets where subject = 'Invoice INV-2291 shows the wrong VAT number'";

fn token_of(reply: &support::Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let upload: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    upload["token"].as_str().unwrap().to_owned()
}

async fn download(app: &Router, path: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

both_backends!(a_reply_carries_its_files_and_only_the_conversation_s_readers_get_them, |db: Db| async move {
    let app = app(&db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let token = token_of(&upload(&app, "VAT certificate.txt", b"PT514000111", Some(&ana)).await);
    let ticket = scalar(&db, INVOICE_TICKET).await;
    let form = format!("ticket_id={ticket}&body=Certificate+attached&attachments={token}");
    let reply = call(&app, ReplyToRequest::PATH, &form, Some(&ana)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let thread: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    let sent = thread["interactions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(sent["body"], "Certificate attached");
    assert_eq!(sent["attachments"][0]["file_name"], "VAT certificate.txt");
    assert_eq!(sent["attachments"][0]["size_bytes"], 11);

    let id = sent["attachments"][0]["id"].as_i64().unwrap();
    let path = format!("/attachments/{id}/VAT+certificate.txt");
    let (status, headers, body) = download(&app, &path, Some(&ana)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, b"PT514000111");
    assert_eq!(headers[header::CONTENT_DISPOSITION], "attachment; filename*=UTF-8''VAT%20certificate.txt");
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain");

    let agent = signed_in(&app, "agent@northwind.test").await;
    assert_eq!(download(&app, &path, Some(&agent)).await.0, StatusCode::OK, "agents read every conversation");
    // Moved to a restricted team Sam is not in, the ticket's files are kept from him too.
    with_db!(&db, |pool| {
        sqlx::query("insert into teams (name, restricted, created_at) values ('Legal', true, $1)")
            .bind(chrono::Utc::now())
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("update tickets set team_id = (select id from teams where name = 'Legal'), assignee_id = null where id = $1")
            .bind(ticket)
            .execute(pool)
            .await
            .unwrap();
    });
    let (status, _, body) = download(&app, &path, Some(&agent)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{}", String::from_utf8_lossy(&body));
    let supervisor = signed_in(&app, "supervisor@northwind.test").await;
    assert_eq!(download(&app, &path, Some(&supervisor)).await.0, StatusCode::OK, "supervisors see every ticket");
    let ben = ben_confirmed(&app, &db).await;
    assert_eq!(download(&app, &path, Some(&ben)).await.0, StatusCode::NOT_FOUND, "another customer");
    let (status, headers, _) = download(&app, &path, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out: sign in first");
    assert_eq!(headers[header::LOCATION], "/sign-in?next=/requests");

    // A token is spent once: sending it again is refused, and nothing is written.
    let messages = scalar(&db, &format!("select count(*) from interactions where ticket_id = {ticket}")).await;
    let again = call(&app, ReplyToRequest::PATH, &form, Some(&ana)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("no longer available"), "{}", again.body);
    let after = scalar(&db, &format!("select count(*) from interactions where ticket_id = {ticket}")).await;
    assert_eq!(after, messages);
});

both_backends!(a_visitor_s_request_carries_the_files_of_their_visit, |db: Db| async move {
    let app = app(&db).await;
    let uploaded = upload(&app, "screenshot.png", b"\x89PNG not really", None).await;
    let visit = uploaded.cookie.clone().expect("the upload starts a visit");
    let token = token_of(&uploaded);
    let request = |token: &str| {
        format!(
            "subject=Label+printer&description=It+prints+blank+labels&topic=&name=Kim&email=kim@example.com\
             &request_key=form-1&attachments={token}"
        )
    };

    // Someone else's session cannot send the visitor's file, and a refused request writes nothing.
    let tickets = scalar(&db, "select count(*) from tickets").await;
    let stranger = call(&app, SendRequest::PATH, &request(&token), None).await;
    assert_eq!(stranger.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", stranger.body);
    assert_eq!(scalar(&db, "select count(*) from tickets").await, tickets);

    let sent = call(&app, SendRequest::PATH, &request(&token), Some(&visit)).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let ticket: i64 = sent.body.parse().unwrap();
    let on_ticket = scalar(
        &db,
        &format!(
            "select count(*) from attachments a join interactions i on i.id = a.interaction_id
             where i.ticket_id = {ticket} and a.file_name = 'screenshot.png'"
        ),
    )
    .await;
    assert_eq!(on_ticket, 1);
});

both_backends!(uploads_are_refused_with_a_clear_reason, |db: Db| async move {
    let app = app(&db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;

    let huge = vec![b'x'; MAX_ATTACHMENT_BYTES as usize + 1];
    let too_large = upload(&app, "backup.zip", &huge, Some(&ana)).await;
    assert_eq!(too_large.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_large.body.contains("“backup.zip” is larger than 10 MB"), "{}", too_large.body);

    let empty = upload(&app, "notes.txt", b"", Some(&ana)).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("is empty"), "{}", empty.body);

    let not_multipart = call(&app, UploadAttachment::PATH, "file=hello", Some(&ana)).await;
    assert_eq!(not_multipart.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let agent = signed_in(&app, "agent@northwind.test").await;
    assert_eq!(upload(&app, "a.txt", b"a", Some(&agent)).await.status, StatusCode::OK, "agents attach to replies");

    let ticket = scalar(&db, INVOICE_TICKET).await;
    let six = (0..6).map(|n| format!("token{n}")).collect::<Vec<_>>().join(",");
    let form = format!("ticket_id={ticket}&body=Files&attachments={six}");
    let too_many = call(&app, ReplyToRequest::PATH, &form, Some(&ana)).await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_many.body.contains("at most 5 files"), "{}", too_many.body);

    // The path ends in a file name the server keeps only the last segment of.
    let sneaky = token_of(&upload(&app, "../../etc/passwd", b"root", Some(&ana)).await);
    assert!(!sneaky.is_empty());
    assert_eq!(scalar(&db, "select count(*) from attachments where file_name = 'passwd'").await, 1);
});
