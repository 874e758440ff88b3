//! Timing helpers shared by the benchmark binaries (`src/bin/bench-*.rs`).

use app::server::{
    accounts::Links,
    auth::SessionPolicy,
    db::{Db, DbError},
    sealing::SealingKey,
    sessions::Sessions,
    state::AppState,
};
use axum::Router;
use leptos::config::LeptosOptions;
use std::time::{Duration, Instant};

/// Runs `run` `iterations` times one after another, after a short warm-up, and returns the
/// sorted durations.
pub async fn measure<F, Fut>(iterations: usize, mut run: F) -> Vec<Duration>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    // Warm the caches the way a running server has them warm.
    for n in 0..iterations.min(20) {
        run(n).await;
    }
    let mut times = Vec::with_capacity(iterations);
    for n in 0..iterations {
        let started = Instant::now();
        run(n).await;
        times.push(started.elapsed());
    }
    times.sort();
    times
}

/// Prints one line: the name, then p50, p95, p99 and the maximum in milliseconds.
pub fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1e3;
    println!("{name:<44} {:>9.2} {:>9.2} {:>9.2} {:>9.2}", at(0.5), at(0.95), at(0.99), at(1.0));
}

pub fn print_header(what: &str) {
    println!("{what:<44} {:>9} {:>9} {:>9} {:>9}", "p50 ms", "p95 ms", "p99 ms", "max ms");
}

/// The product's router over `db`, as `serve` builds it, for benchmarks.
pub async fn router(db: &Db) -> Result<Router, DbError> {
    let options = LeptosOptions::builder().output_name("helpdesk").build();
    let sessions = Sessions::for_db(db).await?;
    let links = Links { public_url: "http://127.0.0.1:3000".to_owned() };
    let state = AppState::new(options, db.clone(), SessionPolicy::default(), links, SealingKey::generate());
    tokio::spawn(app::server::events::pump(db.clone(), state.events.clone()));
    Ok(crate::router::router(state, crate::router::session_layer(sessions, false), false))
}
