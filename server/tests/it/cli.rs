//! The `helpdesk` binary as an operator runs it.

use crate::support::helpdesk_on;
use app::server::{db::Backend, testing::TestDb, users};
use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

fn helpdesk(database_url: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = helpdesk_on(database_url)
        .env("LOG_LEVEL", "warn")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn migrate_and_seed_on(backend: Backend) {
    let t = TestDb::new(backend).await;
    let out = helpdesk(&t.url, &["migrate"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("up to date"));

    let out = helpdesk(&t.url, &["seed", "--extra-articles", "25"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Seeded demo data: 35 articles, 8 tickets"));
    assert!(text(&out.stdout).contains("agent@northwind.test"), "demo logins are printed");

    let out = helpdesk(&t.url, &["seed"], "");
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("seed skipped"));
}

#[tokio::test]
async fn migrate_and_seed_on_sqlite() {
    migrate_and_seed_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn migrate_and_seed_on_postgres() {
    migrate_and_seed_on(Backend::Postgres).await;
}

#[test]
fn unsupported_database_url_is_explained() {
    let out = helpdesk("mysql://localhost/helpdesk", &["migrate"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unsupported database URL"), "{}", text(&out.stderr));
}

#[test]
fn unreachable_database_is_explained() {
    let out = helpdesk("postgres://nobody@127.0.0.1:1/none", &["migrate"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("could not connect to the database"));
}

#[tokio::test]
async fn create_admin_refuses_weak_passwords_and_duplicates() {
    let t = TestDb::new(Backend::Sqlite).await;
    let args = ["create-admin", "--email", "Ops@Example.com", "--name", "Ops", "--password-stdin"];

    let out = helpdesk(&t.url, &args, "hunter2\n");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("at least 10 characters"), "{}", text(&out.stderr));
    assert_eq!(users::count_users(&t.db).await.unwrap(), 0);

    let out = helpdesk(&t.url, &args, "a long and unusual passphrase\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Created administrator #1 <ops@example.com>"));

    let out = helpdesk(&t.url, &args, "another long passphrase\n");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("already exists"));
    assert_eq!(users::count_users(&t.db).await.unwrap(), 1);
}

#[tokio::test]
async fn create_admin_asks_for_missing_details() {
    let t = TestDb::new(Backend::Sqlite).await;
    let out = helpdesk(&t.url, &["create-admin", "--password-stdin"], "root@example.com\nRoot\nlong enough password\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Email: Name: Created administrator"));
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

/// `helpdesk serve` on `port`, once it answers its readiness probe with the probe's answer.
/// Logs go to `logs`: a pipe nobody reads would fill and stall the server.
fn serve_on(database_url: &str, port: u16, logs: Stdio) -> (std::process::Child, String) {
    let server = helpdesk_on(database_url)
        .env("LOG_LEVEL", "info")
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stderr(logs)
        .spawn()
        .unwrap();
    let started = Instant::now();
    let ready = loop {
        if let Some(response) = http_get(port, "/readyz") {
            break response;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "server did not come up");
        std::thread::sleep(Duration::from_millis(50));
    };
    (server, ready)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn serve_answers_probes_and_stops_cleanly_on_sigterm() {
    let t = TestDb::new(Backend::Sqlite).await;
    let port = free_port();
    let (mut server, ready) = serve_on(&t.url, port, Stdio::piped());
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    assert!(http_get(port, "/healthz").unwrap().ends_with("ok"));

    let kill = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = server.wait().unwrap();
    let mut logs = String::new();
    server.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    assert!(status.success(), "exit {status}: {logs}");
    assert!(logs.contains("in-flight requests finished"), "{logs}");
}

#[tokio::test]
async fn unusable_mail_settings_stop_the_server_with_the_reason() {
    let t = TestDb::new(Backend::Sqlite).await;
    let serve = |extra: &[&str]| {
        let mut args = vec!["serve", "--addr", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        helpdesk(&t.url, &args, "")
    };

    let out = serve(&["--smtp-url", "ftp://mail.example.com"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("invalid SMTP URL"), "{}", text(&out.stderr));

    let out = serve(&["--smtp-url", "smtp://127.0.0.1:25", "--mail-from", "Northwind support desk"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("invalid sender address \"Northwind support desk\""), "{}", text(&out.stderr));
}

#[tokio::test]
async fn api_keys_are_created_listed_and_revoked_from_the_command_line() {
    let t = TestDb::new(Backend::Sqlite).await;
    let out = helpdesk(&t.url, &["api-key", "create", "--name", "Postfix pipe", "--scope", "messages:write"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    let secret = printed.lines().last().unwrap();
    assert!(secret.starts_with("hd_"), "{printed}");
    assert!(app::server::api_keys::authenticate(&t.db, secret).await.unwrap().is_some());

    let out = helpdesk(&t.url, &["api-key", "list"], "");
    let listed = text(&out.stdout);
    assert!(listed.contains("Postfix pipe") && listed.contains("messages:write"), "{listed}");
    assert!(!listed.contains(secret), "the secret is never listed again");

    let out = helpdesk(&t.url, &["api-key", "create", "--name", "x", "--scope", "everything"], "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("known scopes: messages:write"), "{}", text(&out.stderr));

    let out = helpdesk(&t.url, &["api-key", "revoke", "1"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(app::server::api_keys::authenticate(&t.db, secret).await.unwrap().is_none());
    let out = helpdesk(&t.url, &["api-key", "revoke", "1"], "");
    assert!(!out.status.success(), "a revoked key cannot be revoked twice");
}

/// Posts one SMS to the API; the status line of the answer, or `None` if the server is gone.
fn post_sms(port: u16, key: &str, message_id: &str) -> Option<String> {
    let body = format!(
        r#"{{"channel":"sms","from":{{"phone":"+447911123456"}},"body":"Are you there?","message_id":"{message_id}"}}"#
    );
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "POST /api/v1/messages HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.lines().next().map(str::to_owned)
}

/// The server is killed (SIGKILL) while integrations keep posting: every message it
/// acknowledged is there after a restart, and a provider's retry of one is not recorded twice.
async fn acknowledged_messages_survive_a_crash_on(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (_, key) = app::server::api_keys::create(&t.db, "crash test", &[app::model::ApiScope::MessagesWrite], 100_000, None)
        .await
        .unwrap();
    let port = free_port();
    let (mut server, _) = serve_on(&t.url, port, Stdio::null());

    // The kill comes once enough messages were acknowledged, however busy the machine is.
    let so_far = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let clients: Vec<_> = (0..4)
        .map(|client| {
            let (key, so_far) = (key.clone(), so_far.clone());
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for n in 0.. {
                    let id = format!("crash-{client}-{n}");
                    match post_sms(port, &key, &id) {
                        Some(status) if status.starts_with("HTTP/1.1 201") => {
                            acknowledged.push(id);
                            so_far.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Some(status) if status.starts_with("HTTP/1.1 503") => {}
                        Some(status) => panic!("{id}: {status}"),
                        None => break,
                    }
                }
                acknowledged
            })
        })
        .collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while so_far.load(std::sync::atomic::Ordering::Relaxed) < 20 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    // Mid-stream: clients are still posting when the process dies.
    std::thread::sleep(Duration::from_millis(200));
    assert!(Command::new("kill").args(["-KILL", &server.id().to_string()]).status().unwrap().success());
    server.wait().unwrap();
    let acknowledged: Vec<String> = clients.into_iter().flat_map(|client| client.join().unwrap()).collect();
    assert!(acknowledged.len() >= 20, "only {} messages before the crash", acknowledged.len());

    let (mut server, ready) = serve_on(&t.url, port, Stdio::null());
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    let recorded = app::with_db!(&t.db, |pool| sqlx::query_scalar::<_, String>(
        "select provider_message_id from interactions where channel = 'sms'"
    )
    .fetch_all(pool)
    .await
    .unwrap());
    let missing: Vec<&String> = acknowledged.iter().filter(|id| !recorded.contains(id)).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    let retried = post_sms(port, &key, &acknowledged[0]).unwrap();
    assert!(retried.starts_with("HTTP/1.1 200"), "{retried}");
    assert!(Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap().success());
    server.wait().unwrap();
}

#[tokio::test]
async fn acknowledged_messages_survive_a_crash_on_sqlite() {
    acknowledged_messages_survive_a_crash_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn acknowledged_messages_survive_a_crash_on_postgres() {
    acknowledged_messages_survive_a_crash_on(Backend::Postgres).await;
}

#[tokio::test]
async fn mailboxes_are_added_listed_and_removed_from_the_command_line() {
    let t = TestDb::new(Backend::Sqlite).await;
    let add = ["mailbox", "add", "--name", "Support", "--host", "imap.example.com", "--username", "support@example.com"];
    let out = helpdesk(&t.url, &add, "s3cret-imap-password\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Added mailbox #1"));

    let listed = text(&helpdesk(&t.url, &["mailbox", "list"], "").stdout);
    assert!(listed.contains("support@example.com@imap.example.com:993 (tls)") && listed.contains("not polled yet"), "{listed}");
    assert!(!listed.contains("s3cret"), "the password is never shown");

    let mut bad = add.to_vec();
    bad.extend(["--security", "ssl3"]);
    let out = helpdesk(&t.url, &bad, "x\n");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("use tls, starttls or none"), "{}", text(&out.stderr));

    assert!(helpdesk(&t.url, &["mailbox", "remove", "1"], "").status.success());
    assert!(text(&helpdesk(&t.url, &["mailbox", "list"], "").stdout).trim().is_empty());
}
