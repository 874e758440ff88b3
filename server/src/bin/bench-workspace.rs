//! Benchmarks of the agent workspace (issue 6; figures in BENCHMARKS.md).
//!
//! `cargo run --release -p server --bin bench-workspace -- --database-url sqlite:///tmp/bench-ws.db`
//! 1. seeds the demo data plus `--tickets` generated tickets into an empty database, and one
//!    ticket with 200 interactions;
//! 2. times the inbox views and their counts, and opening that ticket, in-process through the
//!    service functions the server functions call;
//! 3. serves the real router on a local TCP port, opens `--streams` live event streams as a
//!    signed-in agent, changes `--changes` tickets one after another and measures, per stream,
//!    the time from each change's commit to its event's arrival; then reads the process's
//!    resident memory. Client and server share the process, so the figure includes the
//!    clients' side of every connection.

use app::{
    model::{Channel, CurrentUser, InboxQuery, InboxSort, InboxView, InteractionKind, Priority, Role},
    server::{
        db::{Db, with_db},
        seed::{self, SeedOutcome, SeedSize},
        tickets::{self, NewInteraction, NewTicket},
        workspace,
    },
};
use clap::Parser;
use http_body_util::{BodyExt, Empty, Full};
use hyper::{Request, body::Bytes, header};
use hyper_util::rt::TokioIo;
use server::bench::{self, measure, print_header, report};
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::net::{TcpListener, TcpStream};

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Generated tickets to seed when the database is empty.
    #[arg(long, default_value_t = 1_000_000)]
    tickets: i64,
    /// Timed runs per query.
    #[arg(long, default_value_t = 300)]
    iterations: usize,
    /// Live event streams held open at once.
    #[arg(long, default_value_t = 1_000)]
    streams: usize,
    /// Ticket changes made while the streams listen.
    #[arg(long, default_value_t = 50)]
    changes: usize,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args = Args::parse();
    let db = Db::connect(&args.database_url).await?;
    db.migrate().await?;
    let started = Instant::now();
    if let SeedOutcome::Seeded { tickets, .. } =
        seed::seed(&db, SeedSize { extra_articles: 0, tickets: args.tickets }).await?
    {
        println!("seed: {tickets} tickets in {:.1} s", started.elapsed().as_secs_f64());
    }
    let agent = demo_agent(&db).await?;
    let long_ticket = ticket_with_history(&db, 200).await?;

    print_header("server time (50 rows per inbox page)");
    let all = InboxQuery { view: Some(InboxView::All), ..Default::default() };
    let views = InboxView::ALL
        .iter()
        .map(|view| (format!("inbox, {}", view.label()), InboxQuery { view: Some(*view), ..Default::default() }));
    let narrowed = [
        ("inbox, all unsolved, channel = whatsapp", InboxQuery { channel: Some(Channel::Whatsapp), ..all.clone() }),
        ("inbox, all unsolved, by priority", InboxQuery { sort: Some(InboxSort::Priority), ..all.clone() }),
        ("inbox, mine, by priority", InboxQuery { view: Some(InboxView::Mine), sort: Some(InboxSort::Priority), ..all }),
    ];
    for (label, query) in views.chain(narrowed.map(|(label, query)| (label.to_owned(), query))) {
        let times = measure(args.iterations, |_| {
            let (db, agent, query) = (db.clone(), agent.clone(), query.clone());
            async move {
                workspace::inbox(&db, &agent, &query, None).await.unwrap();
            }
        })
        .await;
        report(&label, times);
    }
    let times = measure(args.iterations, |_| {
        let (db, agent) = (db.clone(), agent.clone());
        async move {
            workspace::counts(&db, &agent).await.unwrap();
        }
    })
    .await;
    report("view counts (all five)", times);
    let times = measure(args.iterations, |_| {
        let (db, agent) = (db.clone(), agent.clone());
        async move {
            let opened = workspace::ticket(&db, &agent, long_ticket).await.unwrap();
            assert!(opened.thread.interactions.len() >= 200);
        }
    })
    .await;
    report("open a ticket with 200 interactions", times);

    live(&db, &args).await
}

async fn demo_agent(db: &Db) -> Result<CurrentUser, Error> {
    let (id, display_name, email): (i64, String, String) = with_db!(db, |pool| {
        sqlx::query_as("select id, display_name, email from users where email = 'agent@northwind.test'")
            .fetch_one(pool)
            .await?
    });
    Ok(CurrentUser { id, display_name, email, role: Role::Agent, customer_id: None, email_verified: true })
}

/// A ticket with `messages` interactions, alternating customer and agent.
async fn ticket_with_history(db: &Db, messages: usize) -> Result<i64, Error> {
    let customer_id: i64 = with_db!(db, |pool| {
        sqlx::query_scalar("select min(id) from customers").fetch_one(pool).await?
    });
    let new = NewTicket {
        customer_id,
        subject: "A long conversation",
        channel: Channel::Email,
        priority: Priority::Normal,
        team_id: None,
        sla_due_at: None,
    };
    let ticket_id = tickets::create_ticket(db, new).await?;
    for n in 0..messages {
        let kind = if n % 2 == 0 { InteractionKind::MessageIn } else { InteractionKind::MessageOut };
        let body = format!("Message {n} of a long conversation about an order that keeps going wrong.");
        let entry = NewInteraction {
            customer_id,
            ticket_id: Some(ticket_id),
            kind,
            channel: Channel::Email,
            body: &body,
            provider_message_id: None,
            author_id: None,
            files: Default::default(),
        };
        tickets::record_interaction(db, entry).await?;
    }
    Ok(ticket_id)
}

/// Holds `--streams` event streams open and times each change's arrival on every one.
async fn live(db: &Db, args: &Args) -> Result<(), Error> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = bench::router(db).await?;
    tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await });
    let cookie = sign_in(addr).await?;
    let rss_before = resident_kib();

    // Arrival times per event id, from every stream.
    let arrivals: Arc<Mutex<Vec<(i64, Instant)>>> = Arc::default();
    let mut opened = Vec::with_capacity(args.streams);
    for _ in 0..args.streams {
        opened.push(tokio::spawn(follow(addr, cookie.clone(), arrivals.clone())));
    }
    // Every stream is connected once the server counts them all.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_streams = resident_kib();

    let ticket_ids: Vec<i64> = with_db!(db, |pool| {
        sqlx::query_scalar("select id from tickets order by id limit $1").bind(args.changes as i64).fetch_all(pool).await?
    });
    let mut committed = Vec::with_capacity(ticket_ids.len());
    for (n, ticket_id) in ticket_ids.iter().enumerate() {
        let priority = if n % 2 == 0 { Priority::High } else { Priority::Normal };
        tickets::set_priority(db, *ticket_id, priority).await?;
        committed.push((*ticket_id, Instant::now()));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let events = app::server::events::since(db, 0, i64::MAX).await?;
    let mut latencies = Vec::new();
    let arrivals = arrivals.lock().expect("arrivals").clone();
    for (ticket_id, at) in &committed {
        let Some(event) = events.iter().rev().find(|event| event.ticket_id == *ticket_id) else { continue };
        latencies.extend(arrivals.iter().filter(|(id, _)| *id == event.id).map(|(_, arrived)| arrived.saturating_duration_since(*at)));
    }
    let expected = committed.len() * args.streams;
    println!();
    println!("live: {} streams, {} changes, {} of {expected} deliveries", args.streams, committed.len(), latencies.len());
    print_header("commit to arrival on a stream");
    report("event delivery", latencies);
    println!("resident memory: {} MiB before the streams, {} MiB with them open", rss_before / 1024, rss_streams / 1024);
    Ok(())
}

async fn sign_in(addr: SocketAddr) -> Result<String, Error> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let path = <app::api::auth::SignIn as leptos::server_fn::ServerFn>::PATH;
    let request = Request::post(path)
        .header(header::HOST, addr.to_string())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from("email=agent@northwind.test&password=demo-password")))?;
    let response = sender.send_request(request).await?;
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .ok_or("sign-in set no cookie")?
        .to_owned();
    Ok(cookie)
}

/// One browser's event stream: records when each event id arrives.
async fn follow(addr: SocketAddr, cookie: String, arrivals: Arc<Mutex<Vec<(i64, Instant)>>>) -> Result<(), Error> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = Request::get("/events/tickets")
        .header(header::HOST, addr.to_string())
        .header(header::COOKIE, cookie)
        .header(header::ACCEPT, "text/event-stream")
        .body(Empty::<Bytes>::new())?;
    let mut body = sender.send_request(request).await?.into_body();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else { continue };
        let arrived = Instant::now();
        let text = String::from_utf8_lossy(&data);
        let ids = text.lines().filter_map(|line| line.strip_prefix("id: ")).filter_map(|id| id.trim().parse().ok());
        arrivals.lock().expect("arrivals").extend(ids.map(|id| (id, arrived)));
    }
    Ok(())
}

/// This process's resident memory in KiB, from /proc.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| line.strip_prefix("VmRSS:")).and_then(|kib| kib.trim().trim_end_matches(" kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
