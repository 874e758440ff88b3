//! The router as a browser meets it, for the integration tests: a seeded database, real
//! sessions, and requests with cookies.
#![allow(dead_code)] // each test file uses its own share of these

use app::{
    api::{
        account::{RegisterCustomer, VerifyEmail},
        auth::SignIn,
        uploads::UploadAttachment,
    },
    server::{
        accounts::{self, Links},
        auth::SessionPolicy,
        db::Db,
        events,
        sealing::SealingKey,
        seed::{self, SeedSize},
        sessions::Sessions,
        state::AppState,
    },
    with_db,
};
use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode, header, request},
};
use http_body_util::BodyExt;
use leptos::{config::LeptosOptions, server_fn::ServerFn};
use server::router::{router, session_layer};
use std::{net::SocketAddr, process::Command};
use tower::ServiceExt;

pub const PUBLIC_URL: &str = "https://help.northwind.test";

pub async fn app_with(db: &Db, policy: SessionPolicy) -> Router {
    app_configured(db, policy, |_| {}).await
}

/// The router over a seeded database, with settings `configure` changes from the defaults.
pub async fn app_configured(db: &Db, policy: SessionPolicy, configure: impl FnOnce(&mut AppState)) -> Router {
    seed::seed(db, SeedSize::default()).await.unwrap();
    let options = LeptosOptions::builder().output_name("helpdesk").build();
    let sessions = Sessions::for_db(db).await.unwrap();
    let links = Links { public_url: PUBLIC_URL.to_owned() };
    let mut state = AppState::new(options, db.clone(), policy, links, SealingKey::generate());
    configure(&mut state);
    // As `serve` does: the node's live events, read from the database as writes commit.
    tokio::spawn(events::pump(db.clone(), state.events.clone()));
    router(state, session_layer(sessions, false), false)
}

/// The `helpdesk` binary on `database_url`, keeping its key file in the temporary directory
/// rather than in the checkout.
pub fn helpdesk_on(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_helpdesk"));
    command.env("DATABASE_URL", database_url).env("HELPDESK_KEY_FILE", std::env::temp_dir().join("helpdesk-tests.key"));
    command
}

pub async fn app(db: &Db) -> Router {
    app_with(db, SessionPolicy::default()).await
}

pub struct Reply {
    pub status: StatusCode,
    pub cookie: Option<String>,
    pub body: String,
}

/// Calls a server function with a form body, as a browser with `cookie` would.
pub async fn call(app: &Router, path: &str, form: &str, cookie: Option<&str>) -> Reply {
    call_from(app, [127, 0, 0, 1], path, form, cookie).await
}

/// `call`, from the client address `ip` (throttling counts per address). `form` is URL-encoded,
/// or JSON for the functions that take it (a body that starts with `{`).
pub async fn call_from(app: &Router, ip: [u8; 4], path: &str, form: &str, cookie: Option<&str>) -> Reply {
    let content_type = match form.starts_with('{') {
        true => "application/json",
        false => "application/x-www-form-urlencoded",
    };
    let request = Request::post(path).header(header::CONTENT_TYPE, content_type);
    send(app, ip, request, Body::from(form.to_owned()), cookie).await
}

async fn send(app: &Router, ip: [u8; 4], request: request::Builder, body: Body, cookie: Option<&str>) -> Reply {
    let mut request = request.extension(ConnectInfo(SocketAddr::from((ip, 40_000))));
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .map(|value| value.to_str().unwrap().split(';').next().unwrap().to_owned());
    Reply { status, cookie, body: body_text(response).await }
}

/// Uploads one file as the contact and reply forms do (multipart, field `file`).
pub async fn upload(app: &Router, file_name: &str, content: &[u8], cookie: Option<&str>) -> Reply {
    upload_to(app, UploadAttachment::PATH, file_name, content, cookie).await
}

/// Uploads one file, as the field `file` of a multipart form, to the server function at `path`.
pub async fn upload_to(app: &Router, path: &str, file_name: &str, content: &[u8], cookie: Option<&str>) -> Reply {
    let boundary = "----helpdesk-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::post(path).header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"));
    send(app, [127, 0, 0, 1], request, Body::from(body), cookie).await
}

pub async fn sign_in(app: &Router, email: &str, password: &str) -> Reply {
    call(app, SignIn::PATH, &format!("email={email}&password={password}"), None).await
}

pub async fn signed_in_with(app: &Router, email: &str, password: &str) -> String {
    let reply = sign_in(app, email, password).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.cookie.expect("a session cookie")
}

/// A session of one of the demo logins.
pub async fn signed_in(app: &Router, email: &str) -> String {
    signed_in_with(app, email, "demo-password").await
}

/// The token of the newest link mailed to `to`, and the page it opens.
pub async fn mailed_link(db: &Db, to: &str) -> (String, String) {
    let mail = accounts::pending_mail(db, Some(to)).await.unwrap();
    let body = &mail.last().unwrap_or_else(|| panic!("no mail to {to}")).body_text;
    let url = body
        .split_whitespace()
        .find(|word| word.starts_with(PUBLIC_URL) && word.contains("token="))
        .unwrap_or_else(|| panic!("no link in {body}"));
    let (page, token) = url.trim_start_matches(PUBLIC_URL).split_once("?token=").unwrap();
    (page.to_owned(), token.to_owned())
}

/// A single integer the test reads straight from the database.
pub async fn scalar(db: &Db, sql: &str) -> i64 {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap())
}

/// Ben Carter has written to support by email before (demo data) but has no account: his
/// registration, as the form sends it.
pub const BEN: &str = "display_name=Ben+Carter&email=Ben.Carter@example.test&password=tide+pool+lantern";
pub const BEN_EMAIL: &str = "ben.carter@example.test";
pub const BEN_PASSWORD: &str = "tide pool lantern";

/// Opens the newest verification link mailed to `to`.
pub async fn confirm_email(app: &Router, db: &Db, to: &str) {
    let (_, token) = mailed_link(db, to).await;
    let reply = call(app, VerifyEmail::PATH, &format!("token={token}"), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// Ben registers, confirms his address and signs in: a second, real customer. His session.
pub async fn ben_confirmed(app: &Router, db: &Db) -> String {
    let reply = call(app, RegisterCustomer::PATH, BEN, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    confirm_email(app, db, BEN_EMAIL).await;
    signed_in_with(app, BEN_EMAIL, BEN_PASSWORD).await
}

pub async fn body_text(response: axum::response::Response) -> String {
    String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes()).into_owned()
}
