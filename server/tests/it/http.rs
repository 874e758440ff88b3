//! The HTTP surface, driven through the router as a tower service, on both backends.

use crate::support;

use app::{
    api::portal::SearchArticles,
    both_backends,
    server::{
        auth::SessionPolicy,
        db::{Backend, Db},
        testing::TestDb,
    },
};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use support::app;
use tower::ServiceExt;

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn get(app: &Router, uri: &str) -> (StatusCode, String) {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn search(app: &Router, form: &str) -> (StatusCode, String) {
    let request = Request::post(SearchArticles::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap();
    send(app, request).await
}

both_backends!(probes_report_process_and_database, |db: Db| async move {
    let app = app(&db).await;
    assert_eq!(get(&app, "/healthz").await, (StatusCode::OK, "ok".to_owned()));
    let (status, body) = get(&app, "/readyz").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("ready"));

    db.close().await;
    let (status, body) = get(&app, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("database unreachable"), "{body}");
    assert_eq!(get(&app, "/healthz").await.0, StatusCode::OK, "the process is still up");
});

both_backends!(home_page_is_rendered_on_the_server, |db: Db| async move {
    let app = app(&db).await;
    let (status, html) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("How can we help?"));
    assert!(html.contains("Browse by topic"));
    assert!(html.contains("Reset your password"), "popular articles are in the HTML");
    assert!(html.contains("/pkg/helpdesk.css"));
});

both_backends!(article_page_renders_markdown, |db: Db| async move {
    let app = app(&db).await;
    let (status, html) = get(&app, "/articles/track-your-order").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1 class=\"article__title\">Track your order"));
    assert!(html.contains("<table>"));
});

both_backends!(category_page_lists_articles_and_unknown_ones_answer_404, |db: Db| async move {
    let app = app(&db).await;
    let (status, html) = get(&app, "/categories/orders-shipping").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Change the delivery address of an order"));
    assert_eq!(get(&app, "/categories/no-such-topic").await.0, StatusCode::NOT_FOUND);
});

both_backends!(unknown_pages_and_articles_answer_404, |db: Db| async move {
    let app = app(&db).await;
    let (status, html) = get(&app, "/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("We can’t find that page"));

    let (status, html) = get(&app, "/articles/no-such-article").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("We can’t find that"));
});

both_backends!(search_server_function_returns_matches, |db: Db| async move {
    let app = app(&db).await;
    let (status, body) = search(&app, "query=refund").await;
    assert_eq!(status, StatusCode::OK);
    let found: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(found["hits"][0]["article"]["slug"], "request-a-refund");
});

both_backends!(search_server_function_explains_bad_input, |db: Db| async move {
    let app = app(&db).await;
    let (status, body) = search(&app, "query=%20%20").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Type a word or two"), "{body}");

    let (status, body) = search(&app, &format!("query={}", "x".repeat(201))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("200 characters"), "{body}");

    // A malformed call is the caller's error, not a 500.
    let (status, body) = search(&app, "wrong=field").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("Transport"), "{body}");
});

both_backends!(database_failure_is_a_generic_error_without_sql, |db: Db| async move {
    let app = app(&db).await;
    app::with_db!(&db, |pool| {
        sqlx::query("alter table articles rename to articles_gone").execute(pool).await.unwrap();
    });
    let (status, body) = search(&app, "query=refund").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    // Only the error's kind crosses the wire; the UI words it, the log keeps the cause.
    assert_eq!(body, "\"Internal\"");
});

/// A release build's client files have brotli twins made at build time (`--precompress`): a
/// browser that takes brotli gets the twin as it is, not the file compressed again on the fly
/// at a lower quality; one that does not gets the plain file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_files_are_sent_as_their_built_brotli_twins() {
    let site = std::env::temp_dir().join(format!("helpdesk-site-{}", std::process::id()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    let wasm = b"\0asm plain module bytes".repeat(200);
    let twin = b"the module as brotli made it at build time".to_vec();
    std::fs::write(site.join("pkg/helpdesk.wasm"), &wasm).unwrap();
    std::fs::write(site.join("pkg/helpdesk.wasm.br"), &twin).unwrap();
    let test_db = TestDb::new(Backend::Sqlite).await;
    let root = site.to_string_lossy().into_owned();
    let app = support::app_configured(&test_db.db, SessionPolicy::default(), |state| state.leptos_options.site_root = root.into()).await;
    let fetch = |accepted: &str| Request::get("/pkg/helpdesk.wasm").header(header::ACCEPT_ENCODING, accepted).body(Body::empty()).unwrap();

    let response = app.clone().oneshot(fetch("gzip, deflate, br, zstd")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), twin);
    let response = app.clone().oneshot(fetch("identity")).await.unwrap();
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), wasm);
    std::fs::remove_dir_all(site).unwrap();
}
