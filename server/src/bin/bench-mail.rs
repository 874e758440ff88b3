//! Benchmark of outbound email delivery (issue 7; figures in BENCHMARKS.md).
//!
//! `cargo run --release -p server --bin bench-mail -- --database-url sqlite:///tmp/bench-mail.db`
//!
//! Queues `--messages` mails (a reply's size, with threading headers), starts a local SMTP
//! server (aiosmtpd, as the tests use) and runs the delivery worker's passes until every mail
//! is accepted by it: claim, Message-ID, compose with the HTML alternative, SMTP over a pooled
//! connection, record. Reports mails delivered per second.

use app::server::{
    clock,
    db::{BeginWrite, Db},
    mail::{self, DeliveryReport, MailSender},
};
use clap::Parser;
use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Instant,
};

#[derive(Parser)]
struct Args {
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    #[arg(long, default_value_t = 2_000)]
    messages: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let db = Db::connect(&args.database_url).await?;
    db.migrate().await?;
    let queued = clock::now();
    app::with_db!(&db, |pool| {
        let mut tx = pool.begin_write().await?;
        for n in 0..args.messages {
            sqlx::query(
                "insert into mail_outbox (to_address, subject, body_text, created_at, in_reply_to, references_ids)
                 values ($1, $2, $3, $4, $5, $5)",
            )
            .bind(format!("customer{n}@example.com"))
            .bind(format!("Re: Where is my order? [#{n}]"))
            .bind("Hi,\n\nyour parcel left our warehouse this morning; the tracking link follows.\n\nSam, Northwind Support")
            .bind(queued)
            .bind(format!("<m{n}@mail.example.com>"))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    });

    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let maildir = std::env::temp_dir().join(format!("bench-mail-{}", std::process::id()));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../app/tests/support/smtp_sink.py");
    let mut sink = Command::new("python3")
        .args([script, &port.to_string(), &maildir.display().to_string()])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut ready = String::new();
    BufReader::new(sink.stdout.take().ok_or("no output from the SMTP sink")?).read_line(&mut ready)?;
    if ready.trim() != "ready" {
        return Err("the SMTP sink did not start: is aiosmtpd installed?".into());
    }
    let sender = MailSender::new(&format!("smtp://127.0.0.1:{port}"), "Northwind Support <support@northwind.test>")?;

    let started = Instant::now();
    let mut total = DeliveryReport::default();
    while total.sent < args.messages {
        let pass = mail::deliver_due(&db, &sender, clock::now()).await?;
        if pass == DeliveryReport::default() {
            return Err(format!("delivery stalled after {} mails: {total:?}", total.sent).into());
        }
        total.sent += pass.sent;
        total.retrying += pass.retrying;
        total.failed += pass.failed;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("{} mails delivered to a local SMTP server in {elapsed:.2} s: {:.0} mails/s", total.sent, total.sent as f64 / elapsed);
    let _ = sink.kill();
    let _ = std::fs::remove_dir_all(maildir);
    db.close().await;
    Ok(())
}
