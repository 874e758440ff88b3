//! Benchmarks of the agent workspace (issue 6; figures in BENCHMARKS.md).
//!
//! `cargo run --release -p server --bin bench-workspace -- --database-url sqlite:///tmp/bench-ws.db`
//! 1. seeds the demo data plus `--tickets` generated tickets into an empty database, and one
//!    ticket with 200 interactions;
//! 2. times the inbox views and their counts, and opening that ticket, in-process through the
//!    service functions the server functions call;
//! 3. starts the release server (`helpdesk serve`, beside this binary or `--server-bin`) on the
//!    same database as its own process, opens `--streams` live event streams on it as a
//!    signed-in agent, changes `--changes` tickets' priority one after another through the
//!    agent's server function and measures, per stream, the time from sending each change to
//!    its event's arrival; and reads the server process's resident memory, which holds none of
//!    the clients' side of the connections.

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
use leptos::server_fn::ServerFn;
use http_body_util::{BodyExt, Empty, Full};
use hyper::{Request, body::Bytes, client::conn::http1::SendRequest, header};
use hyper_util::rt::TokioIo;
use server::bench::{measure, print_header, report};
use std::{
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::net::TcpStream;

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
    /// The server binary; by default `helpdesk` in this binary's directory.
    #[arg(long)]
    server_bin: Option<PathBuf>,
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
    Ok(CurrentUser { id, display_name, email, role: Role::Agent, customer_id: None, email_verified: true, edits_articles: false })
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
            outbound: None,
            call: None,
        };
        tickets::record_interaction(db, entry).await?;
    }
    Ok(ticket_id)
}

/// Holds `--streams` event streams open and times each change's arrival on every one.
async fn live(db: &Db, args: &Args) -> Result<(), Error> {
    let server = start_server(args).await?;
    let addr = server.addr;
    let cookie = sign_in(addr).await?;
    let rss_before = server.resident_kib();

    // Arrival times per event id, from every stream.
    let arrivals: Arc<Mutex<Vec<(i64, Instant)>>> = Arc::default();
    for _ in 0..args.streams {
        tokio::spawn(follow(addr, cookie.clone(), arrivals.clone()));
    }
    // Every stream is connected once the server counts them all.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_streams = server.resident_kib();

    let ticket_ids: Vec<i64> = with_db!(db, |pool| {
        sqlx::query_scalar("select id from tickets order by id limit $1").bind(args.changes as i64).fetch_all(pool).await?
    });
    let mut sent = Vec::with_capacity(ticket_ids.len());
    for (n, ticket_id) in ticket_ids.iter().enumerate() {
        let priority = if n % 2 == 0 { Priority::High } else { Priority::Normal };
        let at = Instant::now();
        let path = <app::api::agent::SetTicketPriority as ServerFn>::PATH;
        let response = post_form(addr, Some(&cookie), path, format!("ticket_id={ticket_id}&priority={}", priority.as_str())).await?;
        if !response.status().is_success() {
            return Err(format!("changing ticket {ticket_id}'s priority answered {}", response.status()).into());
        }
        sent.push((*ticket_id, at));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let events = app::server::events::since(db, 0, i64::MAX).await?;
    let mut latencies = Vec::new();
    let arrivals = arrivals.lock().expect("arrivals").clone();
    for (ticket_id, at) in &sent {
        let Some(event) = events.iter().rev().find(|event| event.ticket_id == *ticket_id) else { continue };
        latencies.extend(arrivals.iter().filter(|(id, _)| *id == event.id).map(|(_, arrived)| arrived.saturating_duration_since(*at)));
    }
    let expected = sent.len() * args.streams;
    println!();
    println!("live: {} streams, {} changes, {} of {expected} deliveries", args.streams, sent.len(), latencies.len());
    print_header("change sent to arrival on a stream");
    report("event delivery", latencies);
    println!("server resident memory: {} MiB before the streams, {} MiB with them open", rss_before / 1024, rss_streams / 1024);
    Ok(())
}

/// The release server as its own process on the bench database.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// The process's resident memory in KiB, from /proc.
    fn resident_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .as_deref()
            .and_then(|status| status.lines().find_map(|line| line.strip_prefix("VmRSS:")))
            .and_then(|kib| kib.trim().trim_end_matches(" kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server(args: &Args) -> Result<Server, Error> {
    let bin = match &args.server_bin {
        Some(bin) => bin.clone(),
        None => std::env::current_exe()?.with_file_name("helpdesk"),
    };
    let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let child = Command::new(&bin)
        .args(["serve", "--addr", &addr.to_string()])
        .env("DATABASE_URL", &args.database_url)
        .env("LOG_LEVEL", "warn")
        .spawn()
        .map_err(|error| format!("cannot start {}: {error}", bin.display()))?;
    let server = Server { child, addr };
    for _ in 0..300 {
        if let Ok(mut sender) = connect(addr).await {
            let request = Request::get("/readyz").header(header::HOST, addr.to_string()).body(Empty::<Bytes>::new())?;
            if sender.send_request(request).await.is_ok_and(|response| response.status().is_success()) {
                return Ok(server);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("{} did not answer /readyz within 15 s", bin.display()).into())
}

/// Signs in as the demo agent; answers the session cookie.
async fn sign_in(addr: SocketAddr) -> Result<String, Error> {
    let path = <app::api::auth::SignIn as ServerFn>::PATH;
    let response = post_form(addr, None, path, "email=agent@northwind.test&password=demo-password".to_owned()).await?;
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .ok_or("sign-in set no cookie")?
        .to_owned();
    Ok(cookie)
}

/// One HTTP/1.1 connection to the server.
async fn connect<B>(addr: SocketAddr) -> Result<SendRequest<B>, Error>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Error>,
{
    let stream = TcpStream::connect(addr).await?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// A form post as the browser's server-function call makes it.
async fn post_form(addr: SocketAddr, cookie: Option<&str>, path: &str, form: String) -> Result<hyper::Response<hyper::body::Incoming>, Error> {
    let mut sender = connect(addr).await?;
    let mut request = Request::post(path)
        .header(header::HOST, addr.to_string())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    Ok(sender.send_request(request.body(Full::new(Bytes::from(form)))?).await?)
}

/// One browser's event stream: records when each event id arrives.
async fn follow(addr: SocketAddr, cookie: String, arrivals: Arc<Mutex<Vec<(i64, Instant)>>>) -> Result<(), Error> {
    let mut sender = connect(addr).await?;
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
