//! Signing in, sessions and who may call what, through the real router on both backends.

use crate::support;

use app::{
    api::{
        agent::InboxPage,
        auth::{SignIn, SignOut, WhoAmI},
        portal::SearchArticles,
    },
    both_backends,
    server::{
        auth::{self, SessionPolicy},
        db::Db,
    },
    with_db,
};
use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use leptos::server_fn::ServerFn;
use support::{app, app_with, call, sign_in, signed_in};
use tower::ServiceExt;

const INBOX_ALL: &str = "query[view]=all";

both_backends!(staff_reach_the_inbox_and_everyone_else_is_refused, |db: Db| async move {
    let app = app(&db).await;
    // role × action: the inbox server function
    for (email, expected) in [
        ("agent@northwind.test", StatusCode::OK),
        ("supervisor@northwind.test", StatusCode::OK),
        ("admin@northwind.test", StatusCode::OK),
        ("customer@northwind.test", StatusCode::FORBIDDEN),
    ] {
        let cookie = signed_in(&app, email).await;
        let reply = call(&app, InboxPage::PATH, INBOX_ALL, Some(&cookie)).await;
        assert_eq!(reply.status, expected, "{email}: {}", reply.body);
        if expected == StatusCode::OK {
            assert!(reply.body.contains("Invoice INV-2291"), "{email}");
        } else {
            assert!(!reply.body.contains("INV-2291"));
        }
    }
    let anonymous = call(&app, InboxPage::PATH, INBOX_ALL, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.body, "\"NotSignedIn\"");

    // The public help center answers everyone.
    let search = call(&app, SearchArticles::PATH, "query=refund", None).await;
    assert_eq!(search.status, StatusCode::OK);
});

both_backends!(mine_lists_only_the_agents_own_tickets, |db: Db| async move {
    let app = app(&db).await;
    let supervisor = signed_in(&app, "supervisor@northwind.test").await;
    let reply = call(&app, InboxPage::PATH, "query[view]=mine", Some(&supervisor)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let page: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 0, "the supervisor has no tickets");
});

both_backends!(wrong_password_and_unknown_account_look_the_same, |db: Db| async move {
    let app = app(&db).await;
    let wrong = sign_in(&app, "agent@northwind.test", "not-the-password").await;
    let unknown = sign_in(&app, "nobody@northwind.test", "not-the-password").await;
    let malformed = sign_in(&app, "not an email", "not-the-password").await;
    for reply in [&wrong, &unknown, &malformed] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.body, "\"WrongCredentials\"");
    }
    let failures: i64 = with_db!(&db, |pool| sqlx::query_scalar(
        "select count(*) from audit_log where action = 'auth.sign_in_failed'"
    )
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(failures, 3, "every failed sign-in is audited");
});

both_backends!(repeated_failures_are_throttled_with_a_wait, |db: Db| async move {
    let app = app(&db).await;
    for _ in 0..5 {
        assert_eq!(sign_in(&app, "agent@northwind.test", "guess").await.status, StatusCode::UNAUTHORIZED);
    }
    let refused = sign_in(&app, "agent@northwind.test", "demo-password").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.body.contains("TooManyAttempts"), "{}", refused.body);
    assert!(refused.cookie.is_none(), "no session for a refused attempt");
});

both_backends!(signing_in_issues_a_new_session_id, |db: Db| async move {
    let app = app(&db).await;
    let first = signed_in(&app, "agent@northwind.test").await;
    // Signing in from a browser that already holds a session id (one an attacker planted,
    // say) replaces that id, and the old one stops working.
    let again = call(&app, SignIn::PATH, "email=agent@northwind.test&password=demo-password", Some(&first)).await;
    let renewed = again.cookie.expect("a new session cookie");
    assert_ne!(renewed, first);
    assert_eq!(call(&app, InboxPage::PATH, INBOX_ALL, Some(&first)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&app, InboxPage::PATH, INBOX_ALL, Some(&renewed)).await.status, StatusCode::OK);
});

both_backends!(sign_out_ends_the_session, |db: Db| async move {
    let app = app(&db).await;
    let cookie = signed_in(&app, "agent@northwind.test").await;
    let who = call(&app, WhoAmI::PATH, "", Some(&cookie)).await;
    assert!(who.body.contains("Sam Okafor"), "{}", who.body);
    assert_eq!(call(&app, SignOut::PATH, "", Some(&cookie)).await.status, StatusCode::OK);
    let after = call(&app, InboxPage::PATH, INBOX_ALL, Some(&cookie)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
});

both_backends!(sign_out_everywhere_ends_every_session, |db: Db| async move {
    let app = app(&db).await;
    let laptop = signed_in(&app, "agent@northwind.test").await;
    let phone = signed_in(&app, "agent@northwind.test").await;
    let agent_id: i64 = with_db!(&db, |pool| sqlx::query_scalar("select id from users where email = 'agent@northwind.test'")
        .fetch_one(pool)
        .await
        .unwrap());
    auth::sign_out_everywhere(&db, agent_id).await.unwrap();
    for cookie in [laptop, phone] {
        assert_eq!(call(&app, InboxPage::PATH, INBOX_ALL, Some(&cookie)).await.status, StatusCode::UNAUTHORIZED);
    }
});

both_backends!(sessions_end_after_their_absolute_lifetime, |db: Db| async move {
    let policy = SessionPolicy { absolute: std::time::Duration::ZERO, ..SessionPolicy::default() };
    let app = app_with(&db, policy).await;
    let cookie = signed_in(&app, "agent@northwind.test").await;
    assert_eq!(call(&app, InboxPage::PATH, INBOX_ALL, Some(&cookie)).await.status, StatusCode::UNAUTHORIZED);
});

both_backends!(staff_sessions_end_after_their_idle_time, |db: Db| async move {
    let policy = SessionPolicy { staff_idle: std::time::Duration::from_secs(1), ..SessionPolicy::default() };
    let app = app_with(&db, policy).await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let customer = signed_in(&app, "customer@northwind.test").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(call(&app, InboxPage::PATH, INBOX_ALL, Some(&agent)).await.status, StatusCode::UNAUTHORIZED);
    let who = call(&app, WhoAmI::PATH, "", Some(&customer)).await;
    assert!(who.body.contains("Ana Silva"), "customers keep their longer idle time: {}", who.body);
});

both_backends!(the_session_cookie_is_http_only_and_same_site, |db: Db| async move {
    let app = app(&db).await;
    let request = Request::post(SignIn::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("email=agent@northwind.test&password=demo-password"))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let cookie = response.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("helpdesk_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
});

both_backends!(anonymous_workspace_page_redirects_to_sign_in, |db: Db| async move {
    let app = app(&db).await;
    // As a browser asks for a page.
    let page = || Request::get("/agent").header(header::ACCEPT, "text/html");
    let response = app.clone().oneshot(page().body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()[header::LOCATION], "/sign-in?next=/agent");

    let cookie = signed_in(&app, "customer@northwind.test").await;
    let request = page().header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
});

both_backends!(a_cross_site_post_is_refused, |db: Db| async move {
    let app = app(&db).await;
    let forged = Request::post(SignIn::PATH)
        .header(header::HOST, "help.example.com")
        .header(header::ORIGIN, "https://attacker.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("email=agent@northwind.test&password=demo-password"))
        .unwrap();
    let response = app.clone().oneshot(forged).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get(header::SET_COOKIE).is_none());

    let same_site = Request::post(SignIn::PATH)
        .header(header::HOST, "help.example.com")
        .header(header::ORIGIN, "https://help.example.com")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("email=agent@northwind.test&password=demo-password"))
        .unwrap();
    assert_eq!(app.oneshot(same_site).await.unwrap().status(), StatusCode::OK);
});

both_backends!(responses_carry_security_headers, |db: Db| async move {
    let app = app(&db).await;
    let response = app.oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
    let headers = response.headers();
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::REFERRER_POLICY], "strict-origin-when-cross-origin");
    assert!(headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert!(headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over plain http");
});
