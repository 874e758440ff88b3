//! Benchmarks of the shared data model at scale (issue 3; figures in BENCHMARKS.md).
//!
//! `cargo run --release -p server --bin bench-data -- --database-url sqlite:///tmp/bench.db`
//! seeds the demo data plus `--tickets` generated tickets (timed) into an empty database, then
//! times the queries the UIs depend on and prints p50/p99 per query.

use app::{
    model::{Channel, IdentityKind, InboxFilter, InboxSort, Priority, TicketStatus},
    server::{
        db::{Db, with_db},
        identity::{Identifier, resolve_identity},
        seed::{self, SeedOutcome, SeedSize},
        tickets,
    },
};
use clap::Parser;
use server::bench::{measure, print_header, report};
use std::time::Instant;

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Generated tickets to seed when the database is empty.
    #[arg(long, default_value_t = 1_000_000)]
    tickets: i64,
    /// Timed runs per query.
    #[arg(long, default_value_t = 500)]
    iterations: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let db = Db::connect(&args.database_url).await?;
    db.migrate().await?;
    let started = Instant::now();
    match seed::seed(&db, SeedSize { extra_articles: 0, tickets: args.tickets }).await? {
        SeedOutcome::Seeded { tickets, .. } => {
            println!("seed: {tickets} tickets in {:.1} s", started.elapsed().as_secs_f64())
        }
        SeedOutcome::AlreadySeeded => println!("seed: database already seeded, reusing it"),
    }
    let (tickets, interactions, customers): (i64, i64, i64) = with_db!(&db, |pool| {
        sqlx::query_as(
            "select (select count(*) from tickets), (select count(*) from interactions),
                    (select max(id) from customers)",
        )
        .fetch_one(pool)
        .await?
    });
    println!("data: {tickets} tickets, {interactions} interactions, {customers} customers");
    let agent: i64 = with_db!(&db, |pool| {
        sqlx::query_scalar("select id from users where role = 'agent'").fetch_one(pool).await?
    });

    print_header("query (50 rows unless noted)");
    let inbox_cases: [(&str, InboxFilter, InboxSort); 7] = [
        ("inbox, no filter, last activity", InboxFilter::default(), InboxSort::LastActivity),
        ("inbox, status = open", InboxFilter { status: Some(TicketStatus::Open), ..Default::default() }, InboxSort::LastActivity),
        ("inbox, assignee = agent", InboxFilter { assignee_id: Some(agent), ..Default::default() }, InboxSort::LastActivity),
        ("inbox, team = Billing", InboxFilter { team_id: Some(2), ..Default::default() }, InboxSort::LastActivity),
        ("inbox, channel = whatsapp", InboxFilter { channel: Some(Channel::Whatsapp), ..Default::default() }, InboxSort::LastActivity),
        ("inbox, priority = urgent", InboxFilter { priority: Some(Priority::Urgent), ..Default::default() }, InboxSort::LastActivity),
        ("inbox, SLA due first", InboxFilter::default(), InboxSort::SlaDue),
    ];
    for (name, filter, sort) in inbox_cases {
        let times = measure(args.iterations, |_| {
            let (db, filter) = (db.clone(), filter.clone());
            async move {
                let page = tickets::inbox(&db, &filter, sort, None, 50).await.unwrap();
                assert!(!page.items.is_empty());
            }
        })
        .await;
        report(name, times);
    }
    // The second page too: it exercises the keyset condition.
    let first = tickets::inbox(&db, &InboxFilter::default(), InboxSort::LastActivity, None, 50).await?;
    let times = measure(args.iterations, |_| {
        let (db, cursor) = (db.clone(), first.next.clone());
        async move {
            tickets::inbox(&db, &InboxFilter::default(), InboxSort::LastActivity, cursor.as_ref(), 50)
                .await
                .unwrap();
        }
    })
    .await;
    report("inbox, no filter, second page", times);

    let times = measure(args.iterations, |n| {
        let db = db.clone();
        let customer = 1 + (n as i64 * 7919) % customers;
        async move {
            tickets::timeline(&db, customer, &Default::default(), None, 50).await.unwrap();
        }
    })
    .await;
    report("customer timeline, first page", times);

    let known = customers.min(250_000);
    let times = measure(args.iterations, |n| {
        let db = db.clone();
        let number = 1 + (n as i64 * 104_729) % (known - 10).max(1);
        async move {
            let email = format!("customer{number}@example.test");
            let found = resolve_identity(&db, &[Identifier::new(IdentityKind::Email, email)], "").await.unwrap();
            assert!(!found.created || number > known);
        }
    })
    .await;
    report("resolve a known email (1 identifier)", times);
    db.close().await;
    Ok(())
}
