//! Inbound messages on every channel: one customer, one conversation, whichever channel they
//! write on next; threading by Message-ID and ticket token; reopening and follow-ups; retried
//! deliveries recorded once.

use super::{
    mail::SmtpSink,
    workspace::{customer, login, reply, ticket},
};
use app::{
    both_backends,
    error::AppError,
    model::{CallDirection, Channel, IdentityKind, InteractionKind, Role, TicketStatus},
    server::{
        attachments,
        db::Db,
        identity::Identifier,
        inbound::{
            self, InboundMessage, InboundPolicy, Ingestor, Threaded,
            calls::{self, CallEvent, CallEventKind},
            email, twilio,
        },
        mail, tickets, workspace,
    },
    with_db,
};
use chrono::{Duration, Utc};
use mail_parser::MessageParser;

fn policy() -> InboundPolicy {
    InboundPolicy::default()
}

fn whatsapp(number: &str, sid: &str, body: &str) -> InboundMessage {
    let form: Vec<(String, String)> = [("MessageSid", sid), ("From", &format!("whatsapp:{number}")), ("Body", body)]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    twilio::message(&form).unwrap()
}

fn call(number: &str, call_id: &str, body: &str) -> InboundMessage {
    InboundMessage {
        channel: Channel::Phone,
        kind: InteractionKind::Call,
        from: vec![Identifier::new(IdentityKind::Phone, number)],
        display_name: String::new(),
        subject: None,
        body: body.to_owned(),
        provider_message_id: call_id.to_owned(),
        replies_to: Vec::new(),
        files: Vec::new(),
    }
}

fn raw_email(from: &str, message_id: &str, subject: &str, headers: &str, body: &str) -> Vec<u8> {
    format!("From: {from}\r\nTo: support@northwind.test\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n{headers}\r\n{body}\r\n")
        .into_bytes()
}

async fn ingest_email(db: &Db, raw: &[u8]) -> inbound::Ingested {
    inbound::ingest(db, &policy(), &email::parse(raw, &policy()).unwrap()).await.unwrap()
}

async fn status(db: &Db, ticket_id: i64) -> TicketStatus {
    tickets::summary(db, ticket_id).await.unwrap().status
}

async fn set_last_activity(db: &Db, ticket_id: i64, at: chrono::DateTime<Utc>) {
    with_db!(db, |pool| sqlx::query("update tickets set last_activity_at = $1 where id = $2")
        .bind(at)
        .bind(ticket_id)
        .execute(pool)
        .await
        .map(drop)
        .unwrap());
}

async fn count(db: &Db, sql: &str) -> i64 {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap())
}

both_backends!(email_whatsapp_phone_and_an_email_reply_are_one_conversation, |db: Db| async move {
    let sink = SmtpSink::start();
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(
        &db,
        &[
            Identifier::new(IdentityKind::Email, "ana@example.com"),
            Identifier::new(IdentityKind::Whatsapp, "+44 7911 123456"),
            Identifier::new(IdentityKind::Phone, "+44 7911 123456"),
        ],
        "Ana Silva",
    )
    .await;

    let first = ingest_email(
        &db,
        &raw_email("Ana Silva <ana@example.com>", "<order-1@mail.example.com>", "Order 1182 never arrived", "", "Where is my parcel?"),
    )
    .await;
    assert_eq!((first.customer_id, first.threaded), (ana, Some(Threaded::Created)));
    let conversation = first.ticket_id;
    let summary = tickets::summary(&db, conversation).await.unwrap();
    assert_eq!((summary.subject.as_str(), summary.channel), ("Order 1182 never arrived", Channel::Email));

    let chat = inbound::ingest(&db, &policy(), &whatsapp("+447911123456", "SMwa1", "Any news on 1182?")).await.unwrap();
    assert_eq!((chat.ticket_id, chat.customer_id, chat.threaded), (conversation, ana, Some(Threaded::Joined)));
    let phoned = inbound::ingest(&db, &policy(), &call("+447911123456", "call-1", "Inbound call, 3 min")).await.unwrap();
    assert_eq!((phoned.ticket_id, phoned.threaded), (conversation, Some(Threaded::Joined)));

    // Sam answers by email; the mail goes out through a real SMTP server.
    workspace::reply(&db, &sam, conversation, reply("Hi Ana, it ships today.", Channel::Email)).await.unwrap();
    mail::deliver_due(&db, &sink.sender(), Utc::now()).await.unwrap();
    let sent = sink.received().pop().expect("the reply reached the mail server");
    let ours = MessageParser::default().parse(&sent).unwrap().message_id().unwrap().to_owned();

    // Meanwhile Ana opened another request on the portal, so "her latest ticket" is that one:
    // her answer to our mail still finds its own conversation through In-Reply-To.
    let other = ticket(&db, ana, "Change my delivery address", Channel::Portal, None).await;
    let answer = ingest_email(
        &db,
        &raw_email(
            "ana@example.com",
            "<order-2@mail.example.com>",
            "Re: Order 1182 never arrived",
            &format!("In-Reply-To: <{ours}>\r\nReferences: <order-1@mail.example.com> <{ours}>\r\n"),
            "Great, thanks!\r\n\r\nOn Tue, Sam wrote:\r\n> Hi Ana, it ships today.",
        ),
    )
    .await;
    assert_eq!((answer.ticket_id, answer.customer_id), (conversation, ana));
    assert_ne!(answer.ticket_id, other);

    let thread = workspace::ticket(&db, &sam, conversation).await.unwrap().thread.interactions;
    let entries: Vec<(Channel, InteractionKind, &str)> = thread
        .iter()
        .filter(|entry| entry.kind != InteractionKind::StatusChange)
        .map(|entry| (entry.channel, entry.kind, entry.body.as_str())).collect();
    assert_eq!(
        entries,
        [
            (Channel::Email, InteractionKind::MessageIn, "Where is my parcel?"),
            (Channel::Whatsapp, InteractionKind::MessageIn, "Any news on 1182?"),
            (Channel::Phone, InteractionKind::Call, "Inbound call, 3 min"),
            (Channel::Email, InteractionKind::MessageOut, "Hi Ana, it ships today."),
            (Channel::Email, InteractionKind::MessageIn, "Great, thanks!"),
        ]
    );
    assert_eq!(count(&db, "select count(*) from customers").await, 1);
    // Sam's reply left the ticket waiting on Ana; her answer put it back in the queue.
    assert_eq!(status(&db, conversation).await, TicketStatus::Open);
});

both_backends!(a_retried_delivery_is_recorded_once, |db: Db| async move {
    let message = whatsapp("+447911123456", "SMretry", "Hello?");
    let first = inbound::ingest(&db, &policy(), &message).await.unwrap();
    let again = inbound::ingest(&db, &policy(), &message).await.unwrap();
    assert!(again.duplicate());
    assert_eq!((again.interaction_id, again.ticket_id, again.customer_id), (first.interaction_id, first.ticket_id, first.customer_id));

    // Two deliveries racing: both answered with the one message.
    let racing = whatsapp("+447911123456", "SMrace", "Still there?");
    let policy = policy();
    let (a, b) = tokio::join!(inbound::ingest(&db, &policy, &racing), inbound::ingest(&db, &policy, &racing));
    assert_eq!(a.unwrap().interaction_id, b.unwrap().interaction_id);
    assert_eq!(count(&db, "select count(*) from interactions where kind = 'message_in'").await, 2);
    assert_eq!(count(&db, "select count(*) from tickets").await, 1);
});

both_backends!(messages_arriving_together_from_a_new_customer_start_one_ticket, |db: Db| async move {
    let messages: Vec<InboundMessage> =
        (0..6).map(|n| whatsapp("+447911123555", &format!("SMburst{n}"), &format!("part {n}"))).collect();
    let results = ingest_all_at_once(&db, &messages).await;
    let tickets: std::collections::BTreeSet<i64> = results.iter().map(|r| r.ticket_id).collect();
    assert_eq!(tickets.len(), 1, "{results:?}");
    assert_eq!(count(&db, "select count(*) from customers").await, 1);
    assert_eq!(count(&db, "select count(*) from interactions").await, 6);
});

async fn ingest_all_at_once(db: &Db, messages: &[InboundMessage]) -> Vec<inbound::Ingested> {
    let handles: Vec<_> = messages
        .iter()
        .cloned()
        .map(|message| {
            let db = db.clone();
            tokio::spawn(async move { inbound::ingest(&db, &policy(), &message).await.unwrap() })
        })
        .collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

both_backends!(a_reply_to_a_solved_ticket_reopens_it_and_a_closed_one_gets_a_follow_up, |db: Db| async move {
    let first = inbound::ingest(&db, &policy(), &whatsapp("+447911123456", "SM1", "Broken kettle")).await.unwrap();
    tickets::set_status(&db, first.ticket_id, TicketStatus::Solved, None).await.unwrap();

    let back = inbound::ingest(&db, &policy(), &whatsapp("+447911123456", "SM2", "It broke again")).await.unwrap();
    assert_eq!((back.ticket_id, back.threaded), (first.ticket_id, Some(Threaded::Reopened)));
    assert_eq!(status(&db, first.ticket_id).await, TicketStatus::Open);
    let thread = tickets::ticket_thread(&db, first.ticket_id).await.unwrap().interactions;
    assert!(thread.iter().any(|entry| entry.kind == InteractionKind::StatusChange && entry.body.contains("Reopened")));

    tickets::set_status(&db, first.ticket_id, TicketStatus::Closed, None).await.unwrap();
    let later = inbound::ingest(&db, &policy(), &whatsapp("+447911123456", "SM3", "New kettle, new problem")).await.unwrap();
    assert_eq!(later.threaded, Some(Threaded::FollowUp { of: first.ticket_id }));
    assert_eq!(status(&db, first.ticket_id).await, TicketStatus::Closed);
    assert_eq!(tickets::summary(&db, later.ticket_id).await.unwrap().subject, "New kettle, new problem");

});

both_backends!(outside_the_window_a_message_starts_a_new_ticket, |db: Db| async move {
    let first = inbound::ingest(&db, &policy(), &whatsapp("+447911123456", "SM1", "Question one")).await.unwrap();
    set_last_activity(&db, first.ticket_id, Utc::now() - Duration::days(8)).await;
    let next = inbound::ingest(&db, &policy(), &whatsapp("+447911123456", "SM2", "Question two")).await.unwrap();
    assert_eq!(next.threaded, Some(Threaded::Created));
    assert_ne!(next.ticket_id, first.ticket_id);
    // A shorter window is a setting.
    let tight = InboundPolicy { thread_window: Duration::minutes(1), ..policy() };
    set_last_activity(&db, next.ticket_id, Utc::now() - Duration::minutes(5)).await;
    let third = inbound::ingest(&db, &tight, &whatsapp("+447911123456", "SM3", "Question three")).await.unwrap();
    assert_eq!(third.threaded, Some(Threaded::Created));
});

both_backends!(a_customers_answer_puts_a_pending_ticket_back_in_the_queue, |db: Db| async move {
    let first = inbound::ingest(&db, &policy(), &whatsapp("+447911123456", "SM1", "Help")).await.unwrap();
    tickets::set_status(&db, first.ticket_id, TicketStatus::Pending, None).await.unwrap();
    inbound::ingest(&db, &policy(), &whatsapp("+447911123456", "SM2", "Here is the photo")).await.unwrap();
    assert_eq!(status(&db, first.ticket_id).await, TicketStatus::Open);
});

both_backends!(a_ticket_token_threads_only_the_tickets_own_customer, |db: Db| async move {
    let ana = ingest_email(&db, &raw_email("ana@example.com", "<a1@example.com>", "Kettle", "", "Broken")).await;
    set_last_activity(&db, ana.ticket_id, Utc::now() - Duration::days(20)).await;
    // Her own token threads even after the window...
    let own = ingest_email(&db, &raw_email("ana@example.com", "<a2@example.com>", &format!("Re: Kettle [#{}]", ana.ticket_id), "", "Any news?")).await;
    assert_eq!((own.ticket_id, own.threaded), (ana.ticket_id, Some(Threaded::Joined)));
    // ...but someone else naming her ticket gets their own.
    let mallory = ingest_email(&db, &raw_email("mallory@example.net", "<m1@example.net>", &format!("Re: Kettle [#{}]", ana.ticket_id), "", "Let me in")).await;
    assert_ne!(mallory.ticket_id, ana.ticket_id);
    assert_eq!(mallory.threaded, Some(Threaded::Created));

    // Solved long ago: her answer starts a new conversation that points back.
    tickets::set_status(&db, ana.ticket_id, TicketStatus::Solved, None).await.unwrap();
    set_last_activity(&db, ana.ticket_id, Utc::now() - Duration::days(30)).await;
    let late = ingest_email(&db, &raw_email("ana@example.com", "<a3@example.com>", &format!("Re: Kettle [#{}]", ana.ticket_id), "", "It broke again")).await;
    assert_eq!(late.threaded, Some(Threaded::FollowUp { of: ana.ticket_id }));
    assert_eq!(status(&db, ana.ticket_id).await, TicketStatus::Solved);
});

both_backends!(email_attachments_and_the_original_are_kept_on_the_ticket, |db: Db| async move {
    let raw = b"From: ana@example.com\r\nSubject: Photo of the damage\r\nMessage-ID: <p1@example.com>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the photo.\r\n\r\nOn Mon, Support wrote:\r\n> Can you send a photo?\r\n--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"damage.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n";
    let ingested = ingest_email(&db, raw).await;
    let files = attachments::of_ticket(&db, ingested.ticket_id).await.unwrap().remove(&ingested.interaction_id).unwrap();
    let names: Vec<(&str, &str)> = files.iter().map(|f| (f.file_name.as_str(), f.content_type.as_str())).collect();
    assert_eq!(names, [("damage.png", "image/png"), ("original.eml", "message/rfc822")]);
});

both_backends!(an_unusable_sender_is_refused_and_nothing_is_written, |db: Db| async move {
    let error = inbound::ingest(&db, &policy(), &call("555-0100", "call-x", "Missed call")).await.unwrap_err();
    assert!(error.to_string().contains("country code"), "{error}");
    let mut empty = whatsapp("+447911123456", "SMempty", "x");
    empty.body.clear();
    assert!(inbound::ingest(&db, &policy(), &empty).await.unwrap_err().to_string().contains("neither text nor attachments"));
    assert_eq!(count(&db, "select count(*) from customers").await, 0);
    assert_eq!(count(&db, "select count(*) from tickets").await, 0);
});

fn call_event(call_id: &str, event: CallEventKind) -> CallEvent {
    CallEvent {
        call_id: call_id.to_owned(),
        event,
        direction: CallDirection::Inbound,
        customer_number: "+44 7911 123456".to_owned(),
        agent_email: None,
        at: None,
        duration_seconds: None,
        recording_url: None,
        disposition: None,
    }
}

async fn call_entry(db: &Db, interaction_id: i64) -> (String, Option<i64>) {
    with_db!(db, |pool| sqlx::query_as::<_, (String, Option<i64>)>("select body, author_id from interactions where id = $1")
        .bind(interaction_id)
        .fetch_one(pool)
        .await
        .unwrap())
}

both_backends!(a_call_reported_event_by_event_is_one_timeline_entry_in_the_conversation, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let chat = inbound::ingest(&db, &policy(), &whatsapp("+447911123456", "SM1", "Can you call me?")).await.unwrap();

    let started = calls::record(&db, &policy(), &call_event("pbx-1", CallEventKind::Started)).await.unwrap();
    assert_eq!((started.ticket_id, started.threaded), (chat.ticket_id, Some(Threaded::Joined)));
    let answered = CallEvent { agent_email: Some(sam.email.clone()), ..call_event("pbx-1", CallEventKind::Answered) };
    calls::record(&db, &policy(), &answered).await.unwrap();
    assert_eq!(
        call_entry(&db, started.interaction_id).await,
        ("Inbound call with +447911123456, answered by Sam, in progress.".to_owned(), Some(sam.id))
    );
    let ended = CallEvent {
        duration_seconds: Some(252),
        recording_url: Some("https://pbx.example/rec/1.mp3".into()),
        disposition: Some("resolved".into()),
        ..call_event("pbx-1", CallEventKind::Ended)
    };
    let last = calls::record(&db, &policy(), &ended).await.unwrap();
    assert_eq!((last.interaction_id, last.duplicate()), (started.interaction_id, true));
    // Reported twice: nothing changes.
    calls::record(&db, &policy(), &ended).await.unwrap();
    let (body, _) = call_entry(&db, started.interaction_id).await;
    assert_eq!(body, "Inbound call with +447911123456, answered by Sam, 4 min 12 s.\nOutcome: resolved\nRecording: https://pbx.example/rec/1.mp3");
    assert_eq!(count(&db, "select count(*) from interactions where kind = 'call'").await, 1);
});

both_backends!(a_call_whose_first_event_is_lost_is_still_recorded, |db: Db| async move {
    // Only the end of a missed call reaches us.
    let ended = calls::record(&db, &policy(), &call_event("pbx-2", CallEventKind::Ended)).await.unwrap();
    assert_eq!(ended.threaded, Some(Threaded::Created));
    assert_eq!(call_entry(&db, ended.interaction_id).await.0, "Inbound call with +447911123456, not answered.");
    // A late "started" adds nothing false.
    calls::record(&db, &policy(), &call_event("pbx-2", CallEventKind::Started)).await.unwrap();
    assert_eq!(call_entry(&db, ended.interaction_id).await.0, "Inbound call with +447911123456, not answered.");
    assert_eq!(tickets::summary(&db, ended.ticket_id).await.unwrap().channel, Channel::Phone);
});

both_backends!(call_events_with_unusable_facts_are_refused, |db: Db| async move {
    let unknown_agent = CallEvent { agent_email: Some("nobody@northwind.test".into()), ..call_event("pbx-3", CallEventKind::Answered) };
    let error = calls::record(&db, &policy(), &unknown_agent).await.unwrap_err();
    assert!(error.to_string().contains("No agent signs in as nobody@northwind.test"), "{error}");
    let local = CallEvent { customer_number: "07911 123456".into(), ..call_event("pbx-3", CallEventKind::Started) };
    assert!(calls::record(&db, &policy(), &local).await.unwrap_err().to_string().contains("country code"));
    let script = CallEvent { recording_url: Some("javascript:alert(1)".into()), ..call_event("pbx-3", CallEventKind::Ended) };
    assert!(calls::record(&db, &policy(), &script).await.unwrap_err().to_string().contains("http(s)"));
    assert_eq!(count(&db, "select count(*) from interactions").await, 0);
});

fn logged<'a>(number: &'a str, minutes: u32, notes: &'a str) -> calls::LoggedCall<'a> {
    calls::LoggedCall { direction: CallDirection::Outbound, number, minutes, outcome: "callback Friday", notes }
}

both_backends!(an_agent_logs_a_call_in_the_conversation_with_its_facts, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let chat = inbound::ingest(&db, &policy(), &whatsapp("+447911123456", "SM1", "Please ring me")).await.unwrap();

    calls::log(&db, &sam, chat.ticket_id, logged("+44 7911 123456", 6, "Walked her through the refund form.")).await.unwrap();
    let thread = workspace::ticket(&db, &sam, chat.ticket_id).await.unwrap().thread;
    let call = thread.interactions.last().unwrap();
    assert_eq!((call.kind, call.channel, call.author_name.as_deref()), (InteractionKind::Call, Channel::Phone, Some("Sam")));
    assert_eq!(
        call.body,
        "Outbound call with +447911123456, made by Sam, 6 min 0 s.\nOutcome: callback Friday\n\nWalked her through the refund form."
    );
    let facts = with_db!(&db, |pool| sqlx::query_as::<_, (String, Option<i64>, Option<i32>, bool)>(
        "select direction, agent_id, duration_seconds, started_at < ended_at from calls where interaction_id = $1"
    )
    .bind(call.id)
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(facts, ("outbound".to_owned(), Some(sam.id), Some(360), true));

    // Unusable facts are refused and write nothing.
    let long = "x".repeat(101);
    let refused = [
        (logged("07911 123456", 6, ""), "country code"),
        (logged("+447911123456", 1_441, ""), "at most 24 hours"),
        (calls::LoggedCall { outcome: &long, ..logged("+447911123456", 1, "") }, "at most 100"),
    ];
    for (call, expected) in refused {
        let error = calls::log(&db, &sam, chat.ticket_id, call).await.unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
    }
    assert_eq!(calls::log(&db, &sam, chat.ticket_id + 1, logged("+447911123456", 1, "")).await, Err(AppError::NotFound));
    assert_eq!(count(&db, "select count(*) from calls").await, 1);
});

both_backends!(messages_committed_together_are_each_threaded_and_recorded_once, |db: Db| async move {
    let ingestor = Ingestor::new(db.clone(), policy());
    // A burst: two senders, and one message delivered twice at the same moment.
    let mut burst: Vec<InboundMessage> = (0..12)
        .map(|n| whatsapp(if n % 2 == 0 { "+447911123456" } else { "+447911123555" }, &format!("SMg{n}"), &format!("part {n}")))
        .collect();
    burst.push(whatsapp("+447911123456", "SMg0", "part 0"));
    let handles: Vec<_> = burst
        .into_iter()
        .map(|message| {
            let ingestor = ingestor.clone();
            tokio::spawn(async move { ingestor.ingest(message).await.unwrap() })
        })
        .collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    let tickets: std::collections::BTreeSet<i64> = results.iter().map(|r| r.ticket_id).collect();
    assert_eq!(tickets.len(), 2, "one conversation per sender: {results:?}");
    assert_eq!(count(&db, "select count(*) from interactions").await, 12);
    assert_eq!(results.iter().filter(|r| r.duplicate()).count(), 1);

    // A bad message is refused alone and writes nothing.
    let mut empty_file = whatsapp("+447911123456", "SMg-bad", "see file");
    empty_file.files.push(inbound::inbound_file("photo.jpg", Some("image/jpeg"), Vec::new()));
    assert!(ingestor.ingest(empty_file).await.unwrap_err().to_string().contains("“photo.jpg” is empty"));
    assert_eq!(count(&db, "select count(*) from interactions").await, 12);
});
