//! Benchmark of inbound message ingest through the REST API (issue 7; figures in
//! BENCHMARKS.md).
//!
//! `cargo run --release -p server --bin bench-ingest -- --database-url sqlite:///tmp/bench-ingest.db`
//!
//! `--clients` integrations post messages as fast as their answers come back, for
//! `--seconds`: SMS, WhatsApp and email from `--customers` known senders plus one new sender
//! in ten, with a retried delivery in twenty. Every request goes through the real router
//! (API key check, rate limit, JSON, identity resolution, threading, durable commit); only the
//! TCP hop is left out. Reports messages per second and the acknowledgement latency.

use app::{
    model::ApiScope,
    server::{api_keys, db::Db},
};
use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, StatusCode, header},
};
use clap::Parser;
use serde_json::json;
use server::bench::{self, print_header, report};
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tower::ServiceExt;

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Concurrent integrations posting messages.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// How long they post.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Known senders the messages come from.
    #[arg(long, default_value_t = 5_000)]
    customers: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let db = Db::connect(&args.database_url).await?;
    db.migrate().await?;
    let app = bench::router(&db).await?;
    let (_, key) = api_keys::create(&db, "bench", &[ApiScope::MessagesWrite], 100_000, None).await?;

    // The known senders write once before the clock starts, as customers with a history.
    let started = Instant::now();
    for n in 0..args.customers {
        let (status, _) = post(&app, &key, &message(n, &format!("warm-{n}"))).await;
        assert!(status.is_success(), "warm-up message refused: {status}");
    }
    println!("{} senders with a conversation each, in {:.1} s", args.customers, started.elapsed().as_secs_f64());

    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let clients: Vec<_> = (0..args.clients)
        .map(|client| {
            let (app, key, stop, sent) = (app.clone(), key.clone(), stop.clone(), sent.clone());
            let customers = args.customers;
            tokio::spawn(async move {
                let mut times = Vec::new();
                let mut n = client;
                while !stop.load(Ordering::Relaxed) {
                    let sender = match n % 10 {
                        0 => customers + n, // someone new
                        _ => (n * 7_919) % customers,
                    };
                    // One delivery in twenty is a provider's retry of the one before.
                    let id = match n % 20 {
                        19 => format!("m-{client}-{}", n - 1),
                        _ => format!("m-{client}-{n}"),
                    };
                    let began = Instant::now();
                    let (status, _) = post(&app, &key, &message(sender, &id)).await;
                    assert!(status.is_success(), "message refused: {status}");
                    times.push(began.elapsed());
                    sent.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
                times
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut times = Vec::new();
    for client in clients {
        times.extend(client.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total = sent.load(Ordering::Relaxed);
    println!("{total} messages from {} clients in {elapsed:.1} s: {:.0} messages/s", args.clients, total as f64 / elapsed);
    print_header("acknowledgement");
    report("POST /api/v1/messages (committed)", times);
    db.close().await;
    Ok(())
}

/// A message from sender `n`: SMS, WhatsApp or email in turn.
fn message(n: usize, id: &str) -> String {
    let number = format!("+44791{:07}", n % 10_000_000);
    let body = "Hello, my order has not arrived yet. Could you check where it is? Thanks!";
    match n % 3 {
        0 => json!({ "channel": "sms", "from": { "phone": number }, "body": body, "message_id": id }),
        1 => json!({ "channel": "whatsapp", "from": { "whatsapp": number, "name": format!("Customer {n}") }, "body": body, "message_id": id }),
        _ => json!({
            "channel": "email",
            "from": { "email": format!("customer{n}@example.com"), "name": format!("Customer {n}") },
            "subject": "Where is my order?",
            "body": body,
            "message_id": format!("<{id}@mail.example.com>"),
        }),
    }
    .to_string()
}

async fn post(app: &Router, key: &str, body: &str) -> (StatusCode, String) {
    let request = Request::post("/api/v1/messages")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .body(Body::from(body.to_owned()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}
