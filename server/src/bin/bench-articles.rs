//! Benchmarks of the knowledge base's writing side (issue 8; figures in BENCHMARKS.md).
//!
//! `cargo run --release -p server --bin bench-articles -- --database-url sqlite:///tmp/bench-articles.db`
//!
//! Seeds the demo help center plus `--articles` generated ones and publishes a 20 KB article
//! (headings, lists, tables, code, links), then times:
//! 1. rendering it for each channel: the web page's sanitized HTML, the search index's text,
//!    and each reply form as an agent inserts it (email, portal, SMS, WhatsApp), these last
//!    with the database read;
//! 2. publishing a change: a save (revision, search index, in one transaction) followed by the
//!    search that must find the new word.

use app::{
    markdown,
    model::{ArticleFields, ArticleStatus, Audience, Channel, CurrentUser, Role},
    server::{
        authoring, kb,
        db::Db,
        search::{self, Vocabulary},
        seed::{self, SeedSize},
    },
    with_db,
};
use clap::Parser;
use server::bench::{measure, print_header, report};
use std::hint::black_box;

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Generated articles on top of the demo help center.
    #[arg(long, default_value_t = 10_000)]
    articles: usize,
    /// Timed runs of each measurement.
    #[arg(long, default_value_t = 500)]
    iterations: usize,
}

const PUBLIC_URL: &str = "https://help.northwind.test";

/// About 20 KB of the markdown editors write: every construct the renderers handle.
fn long_article() -> String {
    let mut body = String::new();
    let mut section = 1;
    while body.len() < 20_000 {
        body.push_str(&format!(
            "## Step {section}: check the order's status\n\n\
             Open **Orders** and choose the order. The status tells you where it is; see \
             [what each status means](/articles/track-your-order) and `ORDER-{section}`.\n\n\
             1. Open the app.\n2. Tap *Orders*.\n3. Choose the one you need.\n\n\
             | Status | Meaning | What to do |\n|---|---|---|\n\
             | Shipped | On its way | Wait for the courier |\n| Delayed | Held at a depot | Contact us |\n\n\
             ```\ncurl https://api.northwind.test/orders/{section}\n```\n\n\
             > Keep your order number at hand when you call us.\n\n"
        ));
        section += 1;
    }
    body
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args = Args::parse();
    let db = Db::connect(&args.database_url).await?;
    db.migrate().await?;
    seed::seed(&db, SeedSize { extra_articles: args.articles, tickets: 0 }).await?;
    let admin_id = with_db!(&db, |pool| sqlx::query_scalar::<_, i64>("select id from users where role = 'admin' limit 1")
        .fetch_one(pool)
        .await?);
    let editor = CurrentUser {
        id: admin_id,
        display_name: "Bench editor".into(),
        email: "admin@northwind.test".into(),
        role: Role::Admin,
        customer_id: None,
        email_verified: true,
        edits_articles: true,
    };
    let category_id = with_db!(&db, |pool| sqlx::query_scalar::<_, i64>("select id from categories limit 1")
        .fetch_one(pool)
        .await?);
    let body = long_article();
    let fields = ArticleFields {
        title: "Everything about your order's status".into(),
        summary: "Where your order is, what each status means and what to do when it is late.".into(),
        body_markdown: body.clone(),
        category_id,
        tags: vec!["orders".into()],
        audience: Audience::Public,
    };
    let article = authoring::create(&db, &editor, &fields).await?;
    authoring::set_status(&db, &editor, article.id, ArticleStatus::Published).await?;
    println!("article: {} bytes of markdown, {} articles published", body.len(), args.articles + 11);

    print_header("rendering for each channel");
    let renderers: [(&str, fn(&str) -> String); 3] = [
        ("web page (sanitized HTML)", markdown::render_web_html),
        // Links are made absolute when the article is inserted (timed with "reply by email").
        ("email HTML part (inline styles)", markdown::render_email_html),
        ("search index text", markdown::plain_text),
    ];
    for (label, render) in renderers {
        let times = measure(args.iterations, |_| {
            let body = &body;
            async move {
                black_box(render(black_box(body)));
            }
        })
        .await;
        report(label, times);
    }
    for channel in [Channel::Email, Channel::Portal, Channel::Sms, Channel::Whatsapp] {
        let times = measure(args.iterations, |_| {
            let (db, slug) = (&db, &article.slug);
            async move {
                black_box(kb::for_reply(db, slug, channel, PUBLIC_URL).await.expect("the article renders"));
            }
        })
        .await;
        report(&format!("reply by {} (with its database read)", channel.label()), times);
    }

    print_header("publishing a change");
    let vocabulary = Vocabulary::default();
    let mut version = authoring::article(&db, article.id).await?.version;
    let mut times = Vec::with_capacity(args.iterations);
    for n in 0..args.iterations {
        let word = format!("zeppelin{n}");
        let changed = ArticleFields { body_markdown: format!("{body}\n\nNew: {word}.\n"), ..fields.clone() };
        let started = std::time::Instant::now();
        version = authoring::save(&db, &editor, article.id, version, &changed).await?.version;
        let found = search::search(&db, &vocabulary, &word, Audience::Public).await?;
        times.push(started.elapsed());
        assert_eq!(found.hits.len(), 1, "a saved change is searchable when the save returns");
    }
    report("save a 20 KB article, then find its new word", times);
    Ok(())
}
