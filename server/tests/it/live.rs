//! Live ticket events: who may follow them, that a change reaches an open stream, that a
//! reconnecting browser catches up, and that on PostgreSQL a change made through one server
//! process reaches an agent connected to another.

use crate::support;

use app::{
    api::{agent::SetTicketPriority, auth::SignIn},
    both_backends,
    server::{
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
use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Stdio},
    time::{Duration, Instant},
};
use support::{app, call, helpdesk_on, scalar, signed_in};
use tower::ServiceExt;

const INVOICE_TICKET: &str = "select id from tickets where subject like 'Invoice INV-2291%'";

async fn open_stream(app: &Router, cookie: Option<&str>, last_event_id: Option<i64>) -> axum::response::Response {
    let mut request = Request::get("/events/tickets").header(header::ACCEPT, "text/event-stream");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id.to_string());
    }
    app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap()
}

/// Reads the stream until `wanted` shows up, or fails after two seconds.
async fn read_until(body: &mut Body, wanted: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while !seen.contains(wanted) {
        let frame = tokio::time::timeout_at(deadline, body.frame()).await;
        let frame = frame.unwrap_or_else(|_| panic!("no {wanted:?} within 2 s; got {seen:?}"));
        let data = frame.expect("the stream stays open").unwrap().into_data().unwrap_or_default();
        seen.push_str(&String::from_utf8_lossy(&data));
    }
    seen
}

both_backends!(only_staff_follow_ticket_events, |db: Db| async move {
    let app = app(&db).await;
    assert_eq!(open_stream(&app, None, None).await.status(), StatusCode::UNAUTHORIZED);
    let customer = signed_in(&app, "customer@northwind.test").await;
    assert_eq!(open_stream(&app, Some(&customer), None).await.status(), StatusCode::FORBIDDEN);
    let agent = signed_in(&app, "agent@northwind.test").await;
    let stream = open_stream(&app, Some(&agent), None).await;
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers()[header::CONTENT_TYPE], "text/event-stream");
});

both_backends!(a_change_reaches_an_open_stream_and_a_reconnect_catches_up, |db: Db| async move {
    let app = app(&db).await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let supervisor = signed_in(&app, "supervisor@northwind.test").await;
    let ticket = scalar(&db, INVOICE_TICKET).await;
    let mut body = open_stream(&app, Some(&agent), None).await.into_body();

    let changed = call(&app, SetTicketPriority::PATH, &format!("ticket_id={ticket}&priority=urgent"), Some(&supervisor)).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let wanted = format!("\"ticket_id\":{ticket},\"kind\":\"fields\"");
    let seen = read_until(&mut body, &wanted).await;

    // A browser that saw everything before this event reconnects and gets it again.
    let id: i64 = seen.split("id: ").nth(1).and_then(|rest| rest.lines().next()).unwrap().trim().parse().unwrap();
    let mut again = open_stream(&app, Some(&agent), Some(id - 1)).await.into_body();
    read_until(&mut again, &format!("id: {id}")).await;
    // One that was away too long is told to reload what it shows.
    let mut stale = open_stream(&app, Some(&agent), Some(-1_000_000)).await.into_body();
    let resync = read_until(&mut stale, "event: resync").await;
    assert!(!resync.contains("\"ticket_id\""), "no partial replay: {resync}");
});

/// A `helpdesk serve` process on `url`, answering on its own port.
struct Node {
    child: Child,
    port: u16,
}

impl Node {
    fn start(url: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = helpdesk_on(url)
            .env("LOG_LEVEL", "warn")
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let node = Self { child, port };
        let started = Instant::now();
        while !node.request("GET /readyz", "", "").starts_with("HTTP/1.1 200") {
            assert!(started.elapsed() < Duration::from_secs(20), "node on {port} did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
        node
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        stream
    }

    /// One request, its whole answer as text ("" when the node is not up yet).
    fn request(&self, line: &str, cookie: &str, form: &str) -> String {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else { return String::new() };
        let head = format!(
            "{line} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            self.port,
            form.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_an_event_written_through_one_node_reaches_a_stream_on_another() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let seeded = helpdesk_on(&test_db.url)
        .env("LOG_LEVEL", "warn")
        .arg("seed")
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let ticket = scalar(&test_db.db, INVOICE_TICKET).await;
    let (writer, reader) = tokio::task::spawn_blocking({
        let url = test_db.url.clone();
        move || (Node::start(&url), Node::start(&url))
    })
    .await
    .unwrap();

    let signed_in = writer.request(&format!("POST {}", SignIn::PATH), "", "email=agent@northwind.test&password=demo-password");
    assert!(signed_in.starts_with("HTTP/1.1 200"), "{signed_in}");
    let cookie = signed_in
        .lines()
        .find_map(|line| line.strip_prefix("set-cookie: "))
        .and_then(|value| value.split(';').next())
        .unwrap()
        .to_owned();

    // The agent's browser follows the reader node; sessions live in the shared database.
    let mut stream = reader.connect();
    let open = format!(
        "GET /events/tickets HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n",
        reader.port
    );
    stream.write_all(open.as_bytes()).unwrap();
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("\r\n\r\n") {
        let read = stream.read(&mut buffer).unwrap();
        seen.extend_from_slice(&buffer[..read]);
    }
    assert!(String::from_utf8_lossy(&seen).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&seen));

    let changed_at = Instant::now();
    let form = format!("ticket_id={ticket}&priority=urgent");
    let changed = writer.request(&format!("POST {}", SetTicketPriority::PATH), &cookie, &form);
    assert!(changed.starts_with("HTTP/1.1 200"), "{changed}");
    let wanted = format!("\"ticket_id\":{ticket}");
    while !String::from_utf8_lossy(&seen).contains(&wanted) {
        let read = stream.read(&mut buffer).expect("the event arrives before the read timeout");
        assert!(read > 0, "the reader closed the stream");
        seen.extend_from_slice(&buffer[..read]);
    }
    let latency = changed_at.elapsed();
    assert!(latency < Duration::from_secs(1), "the other node's stream got the event after {latency:?}");
}
