//! Outbound email through a real SMTP server (aiosmtpd, started by these tests): replies by
//! email arrive threaded under the customer's message, temporary failures are retried later,
//! permanent ones are given up and shown on the ticket, and no message goes out twice.

use super::workspace::{customer, login, reply, ticket};
use app::{
    both_backends,
    model::{Channel, CurrentUser, Delivery, IdentityKind, InteractionKind, Role},
    server::{
        db::Db,
        events,
        identity::Identifier,
        mail::{self, DeliveryReport, MailSender},
        tickets::{self, NewInteraction},
        workspace,
    },
    with_db,
};
use chrono::{Duration, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

const FROM: &str = "Northwind Support <support@help.northwind.test>";

/// aiosmtpd on a free local port, storing what it accepts in a Maildir.
pub(super) struct SmtpSink {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpSink {
    pub(super) fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let maildir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .args([script, &port.to_string(), &maildir.path().display().to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP sink (scripts/setup.sh --test installs aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start: is aiosmtpd installed?");
        Self { child, port, maildir }
    }

    pub(super) fn sender(&self) -> MailSender {
        MailSender::new(&format!("smtp://127.0.0.1:{}", self.port), FROM).unwrap()
    }

    /// Every message received so far, raw.
    pub(super) fn received(&self) -> Vec<Vec<u8>> {
        let new = self.maildir.path().join("new");
        let mut files: Vec<_> = std::fs::read_dir(new).map(|dir| dir.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
        files.sort();
        files.into_iter().map(|path| std::fs::read(path).unwrap()).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An email ticket from `address`, opened by a message with the given Message-ID.
async fn email_ticket(db: &Db, address: &str, first_message_id: &str) -> i64 {
    let customer_id = customer(db, &[Identifier::new(IdentityKind::Email, address)], "Ana Silva").await;
    let ticket_id = ticket(db, customer_id, "Kettle lid cracked", Channel::Email, None).await;
    let entry = NewInteraction {
        customer_id,
        ticket_id: Some(ticket_id),
        kind: InteractionKind::MessageIn,
        channel: Channel::Email,
        body: "The lid of my kettle arrived cracked.",
        provider_message_id: Some(first_message_id),
        author_id: None,
        files: Default::default(),
        outbound: None,
        call: None,
    };
    tickets::record_interaction(db, entry).await.unwrap();
    ticket_id
}

async fn reply_by_email(db: &Db, agent: &CurrentUser, ticket_id: i64, body: &str) {
    workspace::reply(db, agent, ticket_id, reply(body, Channel::Email)).await.unwrap();
}

/// How the agent sees the delivery of each reply on the ticket, oldest first.
async fn deliveries(db: &Db, agent: &CurrentUser, ticket_id: i64) -> Vec<Delivery> {
    let ticket = workspace::ticket(db, agent, ticket_id).await.unwrap();
    ticket.thread.interactions.into_iter().filter_map(|entry| entry.delivery).collect()
}

fn report(sent: usize, retrying: usize, failed: usize) -> DeliveryReport {
    DeliveryReport { sent, retrying, failed }
}

both_backends!(a_reply_by_email_arrives_threaded_under_the_customers_message, |db: Db| async move {
    let sink = SmtpSink::start();
    let sender = sink.sender();
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ticket = email_ticket(&db, "ana@example.com", "<kettle-1@mail.example.com>").await;

    reply_by_email(&db, &sam, ticket, "Hi Ana,\nsorry about that: a new lid is on its way.").await;
    assert_eq!(deliveries(&db, &sam, ticket).await, [Delivery::Pending { last_error: None }]);
    let before = events::latest(&db).await.unwrap();
    let first = mail::deliver_due(&db, &sender, Utc::now()).await.unwrap();
    // Open workspaces hear of the new delivery state.
    let news = events::since(&db, before, 10).await.unwrap();
    assert!(news.iter().any(|event| event.ticket_id == ticket), "{news:?}");
    assert_eq!(first, report(1, 0, 0), "{:?}", deliveries(&db, &sam, ticket).await);
    // Delivered once: a second pass finds nothing to send.
    assert_eq!(mail::deliver_due(&db, &sender, Utc::now()).await.unwrap(), report(0, 0, 0));
    assert_eq!(deliveries(&db, &sam, ticket).await, [Delivery::Sent]);

    let received = sink.received();
    assert_eq!(received.len(), 1);
    let message = MessageParser::default().parse(&received[0]).unwrap();
    assert_eq!(message.to().unwrap().first().unwrap().address(), Some("ana@example.com"));
    assert_eq!(message.from().unwrap().first().unwrap().address(), Some("support@help.northwind.test"));
    assert_eq!(message.subject(), Some(format!("Re: Kettle lid cracked [#{ticket}]").as_str()));
    assert_eq!(message.in_reply_to().as_text(), Some("kettle-1@mail.example.com"));
    assert_eq!(message.references().as_text(), Some("kettle-1@mail.example.com"));
    assert!(message.body_text(0).unwrap().contains("a new lid is on its way"));
    let html = message.body_html(0).unwrap();
    assert!(html.contains("<p style=\"margin:0 0 12px\">Hi Ana,<br />") && html.contains("sorry about that"), "{html}");
    assert!(message.content_type().unwrap().subtype().unwrap().eq_ignore_ascii_case("alternative"));
    // The reply's timeline entry carries the Message-ID the customer's answer will refer to.
    let first_reply_id = message.message_id().unwrap().to_owned();
    let recorded = with_db!(&db, |pool| sqlx::query_scalar::<_, String>(
        "select provider_message_id from interactions where ticket_id = $1 and kind = 'message_out'"
    )
    .bind(ticket)
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(recorded, format!("<{first_reply_id}>"));

    // A second reply answers the customer's message again and references the whole exchange.
    reply_by_email(&db, &sam, ticket, "The courier collects the old one tomorrow.").await;
    assert_eq!(mail::deliver_due(&db, &sender, Utc::now()).await.unwrap(), report(1, 0, 0));
    let received = sink.received();
    assert_eq!(received.len(), 2);
    let second = received.iter().map(|raw| MessageParser::default().parse(raw).unwrap()).find(|m| m.message_id() != Some(first_reply_id.as_str())).unwrap();
    assert_eq!(second.in_reply_to().as_text(), Some("kettle-1@mail.example.com"));
    let references: Vec<&str> = second.references().as_text_list().unwrap_or_default().iter().map(|id| id.as_ref()).collect();
    assert_eq!(references, ["kettle-1@mail.example.com", first_reply_id.as_str()]);
});

both_backends!(a_refused_address_is_given_up_and_shown_on_the_ticket, |db: Db| async move {
    let sink = SmtpSink::start();
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ticket = email_ticket(&db, "old-address@refused.test", "<x-1@mail.example.com>").await;
    reply_by_email(&db, &sam, ticket, "We have your order.").await;

    assert_eq!(mail::deliver_due(&db, &sink.sender(), Utc::now()).await.unwrap(), report(0, 0, 1));
    let shown = deliveries(&db, &sam, ticket).await;
    let [Delivery::Failed { reason }] = shown.as_slice() else { panic!("not shown as failed") };
    assert!(reason.contains("550"), "{reason}");
    // Given up for good: later passes leave it alone.
    let later = Utc::now() + Duration::hours(6);
    assert_eq!(mail::deliver_due(&db, &sink.sender(), later).await.unwrap(), report(0, 0, 0));
    assert!(sink.received().is_empty());
});

both_backends!(a_temporary_failure_is_retried_later_with_backoff, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ticket = email_ticket(&db, "ana@example.com", "<k-1@mail.example.com>").await;
    reply_by_email(&db, &sam, ticket, "A new lid is on its way.").await;

    // The mail server is down: nothing listens on the port yet.
    let sink_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = MailSender::new(&format!("smtp://127.0.0.1:{sink_port}"), FROM).unwrap();
    let now = Utc::now();
    assert_eq!(mail::deliver_due(&db, &down, now).await.unwrap(), report(0, 1, 0));
    let shown = deliveries(&db, &sam, ticket).await;
    let [Delivery::Pending { last_error: Some(_) }] = shown.as_slice() else {
        panic!("not shown as waiting for a retry")
    };
    // Not due again until the backoff has passed.
    assert_eq!(mail::deliver_due(&db, &down, now + Duration::seconds(10)).await.unwrap(), report(0, 0, 0));

    let sink = SmtpSink::start();
    assert_eq!(mail::deliver_due(&db, &sink.sender(), now + Duration::seconds(31)).await.unwrap(), report(1, 0, 0));
    assert_eq!(sink.received().len(), 1);
    assert_eq!(deliveries(&db, &sam, ticket).await, [Delivery::Sent]);
});

both_backends!(a_mailbox_busy_for_hours_is_given_up_after_the_last_retry, |db: Db| async move {
    let sink = SmtpSink::start();
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ticket = email_ticket(&db, "ana@busy.test", "<b-1@mail.example.com>").await;
    reply_by_email(&db, &sam, ticket, "A new lid is on its way.").await;

    let mut now = Utc::now();
    let mut retries = 0;
    loop {
        let pass = mail::deliver_due(&db, &sink.sender(), now).await.unwrap();
        if pass.failed == 1 {
            break;
        }
        assert_eq!(pass, report(0, 1, 0));
        retries += 1;
        now += Duration::hours(1);
    }
    assert_eq!(retries, 7, "eight attempts in all");
    let shown = deliveries(&db, &sam, ticket).await;
    let [Delivery::Failed { reason }] = shown.as_slice() else { panic!("not shown as failed") };
    assert!(reason.contains("451"), "{reason}");
});

both_backends!(two_workers_at_once_send_each_mail_exactly_once, |db: Db| async move {
    let sink = SmtpSink::start();
    let sam = login(&db, "Sam", Role::Agent, None).await;
    for n in 0..12 {
        let ticket = email_ticket(&db, &format!("customer{n}@example.com"), &format!("<t{n}@mail.example.com>")).await;
        reply_by_email(&db, &sam, ticket, "Thanks, we are on it.").await;
    }
    let (a, b) = (sink.sender(), sink.sender());
    let now = Utc::now();
    let (first, second) = tokio::join!(mail::deliver_due(&db, &a, now), mail::deliver_due(&db, &b, now));
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.sent + second.sent, 12);
    let ids: std::collections::HashSet<String> = sink
        .received()
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap().message_id().unwrap().to_owned())
        .collect();
    assert_eq!((sink.received().len(), ids.len()), (12, 12));
});
