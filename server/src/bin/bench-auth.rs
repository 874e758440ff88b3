//! Benchmarks of signing in and of authenticated calls (issue 4; figures in BENCHMARKS.md).
//!
//! `cargo run --release -p server --bin bench-auth -- --database-url sqlite:///tmp/bench-auth.db`
//!
//! Requests go through the real router in-process (security middleware, session layer and
//! store, server functions, password hashing); only the TCP hop is left out. Sign-ins arrive
//! open-loop at `--rate` per second for `--seconds` while `--background` tasks keep loading the
//! help-center home page and searching. Then authenticated `who_am_i` calls are timed one by
//! one, against the same call without a session: the difference is what session lookup and
//! authorization cost.

use app::{
    api::{
        auth::{SignIn, WhoAmI},
        portal::SearchArticles,
    },
    server::{
        db::Db,
        seed::{self, DEMO_LOGINS, DEMO_PASSWORD, SeedSize},
    },
};
use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, StatusCode, header},
};
use clap::Parser;
use leptos::server_fn::ServerFn;
use server::bench::{self, measure, print_header, report};
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};
use tower::ServiceExt;

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Sign-ins per second.
    #[arg(long, default_value_t = 20)]
    rate: u32,
    /// How long sign-ins keep arriving.
    #[arg(long, default_value_t = 30)]
    seconds: u32,
    /// Concurrent tasks loading pages and searching meanwhile.
    #[arg(long, default_value_t = 4)]
    background: usize,
    /// Timed authenticated calls.
    #[arg(long, default_value_t = 2000)]
    iterations: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let db = Db::connect(&args.database_url).await?;
    db.migrate().await?;
    seed::seed(&db, SeedSize::default()).await?;
    let app = bench::router(&db).await?;

    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let background: Vec<_> = (0..args.background)
        .map(|n| tokio::spawn(browse(app.clone(), n, stop.clone(), served.clone())))
        .collect();

    let logins = args.rate * args.seconds;
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / args.rate);
    let started = Instant::now();
    let mut attempts = Vec::with_capacity(logins as usize);
    for n in 0..logins as usize {
        ticker.tick().await;
        let app = app.clone();
        attempts.push(tokio::spawn(async move {
            let (email, _, _) = DEMO_LOGINS[n % DEMO_LOGINS.len()];
            let began = Instant::now();
            let (status, _) = post(&app, SignIn::PATH, &format!("email={email}&password={DEMO_PASSWORD}"), None).await;
            assert_eq!(status, StatusCode::OK, "sign-in refused");
            began.elapsed()
        }));
    }
    let mut times = Vec::with_capacity(attempts.len());
    for attempt in attempts {
        times.push(attempt.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for task in background {
        task.await?;
    }
    println!(
        "{logins} sign-ins at {} per second over {elapsed:.1} s; meanwhile {:.0} other requests per second",
        args.rate,
        served.load(Ordering::Relaxed) as f64 / elapsed
    );
    print_header("call");
    report("sign in (argon2id 19 MiB, t=2, p=1)", times);

    let (_, cookie) = post(&app, SignIn::PATH, &format!("email=agent@northwind.test&password={DEMO_PASSWORD}"), None).await;
    let cookie = cookie.ok_or("no session cookie")?;
    let signed_in = measure(args.iterations, |_| {
        let (app, cookie) = (app.clone(), cookie.clone());
        async move {
            let (status, _) = post(&app, WhoAmI::PATH, "", Some(&cookie)).await;
            assert_eq!(status, StatusCode::OK);
        }
    })
    .await;
    let anonymous = measure(args.iterations, |_| {
        let app = app.clone();
        async move {
            post(&app, WhoAmI::PATH, "", None).await;
        }
    })
    .await;
    report("who_am_i, signed in", signed_in);
    report("who_am_i, no session (baseline)", anonymous);
    db.close().await;
    Ok(())
}

/// Other traffic: the home page and searches, as customers browsing the help center.
async fn browse(app: Router, n: usize, stop: Arc<AtomicBool>, served: Arc<AtomicU64>) {
    let queries = ["refund", "invoice", "track order", "password"];
    let mut turn = n;
    while !stop.load(Ordering::Relaxed) {
        if turn % 2 == 0 {
            let response = app.clone().oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
            to_bytes(response.into_body(), usize::MAX).await.unwrap();
        } else {
            post(&app, SearchArticles::PATH, &format!("query={}", queries[turn % queries.len()]), None).await;
        }
        served.fetch_add(1, Ordering::Relaxed);
        turn += 1;
    }
}

/// A form POST to a server function: the status and the session cookie it set, if any.
async fn post(app: &Router, path: &str, form: &str, cookie: Option<&str>) -> (StatusCode, Option<String>) {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app.clone().oneshot(request.body(Body::from(form.to_owned())).unwrap()).await.unwrap();
    let status = response.status();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::to_owned);
    to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, cookie)
}
