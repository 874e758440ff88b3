//! Benchmarks of the help center (issue 5; figures in BENCHMARKS.md).
//!
//! `cargo run --release -p server --bin bench-portal -- --database-url sqlite:///tmp/bench-portal.db`
//!
//! Seeds the demo help center plus `--articles` generated ones, then:
//! 1. times searches through the search service, a mix of plain words, questions, prefixes,
//!    a typo and a word no article has;
//! 2. serves the real router on a local TCP port and loads article pages (server-side rendered,
//!    as a first visit or a crawler gets them) over `--connections` keep-alive HTTP/1.1
//!    connections for `--seconds`: requests per second and latency. Client and server share
//!    the process and the machine's cores, so the client's work counts against the server.

use app::model::Audience;
use app::server::{
    db::Db,
    search::{self, Vocabulary},
    seed::{self, SeedSize},
};
use clap::Parser;
use http_body_util::{BodyExt, Empty};
use hyper::{Request, StatusCode, body::Bytes, header};
use hyper_util::rt::TokioIo;
use server::bench::{self, measure, print_header, report};
use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};
use tokio::net::{TcpListener, TcpStream};

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Generated articles on top of the demo help center.
    #[arg(long, default_value_t = 10_000)]
    articles: usize,
    /// Timed runs of each search.
    #[arg(long, default_value_t = 500)]
    iterations: usize,
    /// Concurrent keep-alive connections loading article pages.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// How long article pages are loaded.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
}

const QUERIES: [&str; 9] = [
    "invoices",
    "shipping labels",
    "troubleshoot api tokens",
    "how do I export invoices?",
    "refund",
    "sing",
    "pasword reset",
    "guide 4242",
    "zeppelin",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args = Args::parse();
    let db = Db::connect(&args.database_url).await?;
    db.migrate().await?;
    seed::seed(&db, SeedSize { extra_articles: args.articles, tickets: 0 }).await?;

    let vocabulary = Vocabulary::default();
    print_header("search (10 best of all published articles)");
    let mut all = Vec::new();
    for query in QUERIES {
        let times = measure(args.iterations, |_| {
            let (db, vocabulary) = (&db, &vocabulary);
            async move {
                search::search(db, vocabulary, query, Audience::Public).await.expect("search answers");
            }
        })
        .await;
        all.extend(times.iter().copied());
        report(&format!("“{query}”"), times);
    }
    report("all searches", all);

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = bench::router(&db).await?;
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await
    });
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let clients: Vec<_> = (0..args.connections)
        .map(|n| tokio::spawn(read_articles(addr, n, args.articles, deadline)))
        .collect();
    let mut times = Vec::new();
    for client in clients {
        times.extend(client.await??);
    }
    println!(
        "\n{} article pages over {} connections in {} s: {:.0} requests/s",
        times.len(),
        args.connections,
        args.seconds,
        times.len() as f64 / args.seconds as f64
    );
    print_header("article page, server-side rendered");
    report("GET /articles/{slug}", times);
    db.close().await;
    Ok(())
}

/// One keep-alive connection reading article pages until `deadline`; the time of each.
async fn read_articles(
    addr: SocketAddr,
    n: usize,
    articles: usize,
    deadline: Instant,
) -> Result<Vec<Duration>, Box<dyn std::error::Error + Send + Sync>> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let mut times = Vec::new();
    let mut turn = n * 7_919;
    while Instant::now() < deadline {
        turn += 1;
        let slug = match turn % 10 {
            0 => "track-your-order".to_owned(),
            _ => format!("guide-{}", turn % articles.max(1)),
        };
        let request = Request::get(format!("/articles/{slug}"))
            .header(header::HOST, addr.to_string())
            .header(header::ACCEPT, "text/html")
            .body(Empty::<Bytes>::new())?;
        let started = Instant::now();
        sender.ready().await?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        response.into_body().collect().await?;
        times.push(started.elapsed());
        if status != StatusCode::OK {
            return Err(format!("/articles/{slug} answered {status}").into());
        }
    }
    Ok(times)
}
