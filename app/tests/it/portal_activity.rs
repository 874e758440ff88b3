//! The help center on the customer's timeline: reads, searches and votes, anonymous visits
//! joining the profile, and requests sent with that context attached.

use app::{
    both_backends,
    error::AppError,
    model::{Audience, IdentityKind, InteractionKind},
    server::{
        activity::{self, Feedback, Visit},
        contact::{self, NewRequest, Requester},
        db::Db,
        identity::{Identifier, resolve_identity},
        seed::{self, SeedSize},
        tickets,
    },
    with_db,
};

async fn customer(db: &Db, email: &str) -> i64 {
    resolve_identity(db, &[Identifier::new(IdentityKind::Email, email)], "Kim")
        .await
        .unwrap()
        .customer_id
}

fn anonymous(id: &str) -> Visit {
    Visit { id: id.to_owned(), customer_id: None }
}

fn request<'a>(subject: &'a str, key: Option<&'a str>) -> NewRequest<'a> {
    NewRequest { subject, description: "It still fails after a reset.", topic: None, request_key: key, files: Default::default() }
}

async fn timeline(db: &Db, customer_id: i64) -> Vec<(InteractionKind, String)> {
    let page = tickets::timeline(db, customer_id, &Default::default(), None, 100).await.unwrap();
    page.items.into_iter().rev().map(|entry| (entry.kind, entry.body)).collect()
}

async fn count(db: &Db, sql: &str) -> i64 {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap())
}

both_backends!(a_known_readers_activity_goes_straight_to_their_timeline, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let kim = customer(&db, "kim@example.com").await;
    let visit = Visit { id: "visit-1".into(), customer_id: Some(kim) };
    activity::searched(&db, &visit, "reset password", 2).await.unwrap();
    activity::article_read(&db, &visit, "reset-your-password", Audience::Public).await.unwrap();
    let feedback = Feedback { slug: "reset-your-password", helpful: false, comment: "No SMS option", deflected: false, reader: Audience::Public };
    activity::feedback(&db, &visit, feedback).await.unwrap();

    assert_eq!(
        timeline(&db, kim).await,
        [
            (InteractionKind::Search, "Searched the help center for “reset password” (2 articles)".to_owned()),
            (InteractionKind::ArticleView, "Read “Reset your password”".to_owned()),
            (InteractionKind::ArticleFeedback, "Found “Reset your password” not helpful: No SMS option".to_owned()),
        ]
    );
    assert_eq!(count(&db, "select count(*) from visitor_activity").await, 0);
});

both_backends!(an_anonymous_visit_joins_the_profile_when_its_owner_is_known, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let visit = anonymous("visit-2");
    activity::searched(&db, &visit, "refund", 1).await.unwrap();
    activity::article_read(&db, &visit, "request-a-refund", Audience::Public).await.unwrap();
    let kim = customer(&db, "kim@example.com").await;
    assert!(timeline(&db, kim).await.is_empty(), "nothing is known about the visitor yet");

    assert_eq!(activity::attach(&db, "visit-2", kim).await.unwrap(), 2);
    let kinds: Vec<_> = timeline(&db, kim).await.into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(kinds, [InteractionKind::Search, InteractionKind::ArticleView]);
    assert_eq!(activity::attach(&db, "visit-2", kim).await.unwrap(), 0, "moved once");

    let someone_else = customer(&db, "lee@example.com").await;
    assert_eq!(activity::attach(&db, "visit-2", someone_else).await.unwrap(), 0);
    assert!(timeline(&db, someone_else).await.is_empty());
});

both_backends!(reads_count_toward_popular_articles, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let before = count(&db, "select view_count from articles where slug = 'track-your-order'").await;
    activity::article_read(&db, &anonymous("v"), "track-your-order", Audience::Public).await.unwrap();
    let after = count(&db, "select view_count from articles where slug = 'track-your-order'").await;
    assert_eq!(after, before + 1);
    let missing = activity::article_read(&db, &anonymous("v"), "no-such-article", Audience::Public).await;
    assert_eq!(missing, Err(AppError::NotFound));
});

both_backends!(a_second_vote_replaces_the_first, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let visit = anonymous("visit-3");
    let vote = |helpful| Feedback { slug: "track-your-order", helpful, comment: "", deflected: false, reader: Audience::Public };
    activity::feedback(&db, &visit, vote(false)).await.unwrap();
    activity::feedback(&db, &visit, vote(true)).await.unwrap();
    assert_eq!(count(&db, "select count(*) from article_votes").await, 1);
    assert_eq!(count(&db, "select count(*) from article_votes where helpful").await, 1);

    let long = "x".repeat(activity::MAX_COMMENT_CHARS + 1);
    let too_long = Feedback { slug: "track-your-order", helpful: true, comment: &long, deflected: false, reader: Audience::Public };
    assert!(matches!(activity::feedback(&db, &visit, too_long).await, Err(AppError::Invalid(_))));
    let draft = Feedback { slug: "no-such-article", helpful: true, comment: "", deflected: false, reader: Audience::Public };
    assert_eq!(activity::feedback(&db, &visit, draft).await, Err(AppError::NotFound));
    assert!(matches!(activity::searched(&db, &visit, "  ", 0).await, Err(AppError::Invalid(_))));
});

both_backends!(a_request_carries_what_the_visit_read_and_searched, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let visit = anonymous("visit-4");
    activity::searched(&db, &visit, "password sms", 0).await.unwrap();
    activity::article_read(&db, &visit, "reset-your-password", Audience::Public).await.unwrap();
    let requester = Requester::Visitor { name: "Kim Lee", email: "Kim@Example.com" };
    let sent = contact::send_request(&db, requester, Some(&visit), request("Cannot reset", None))
        .await
        .unwrap();
    assert_eq!(sent.context_entries, 2);

    let thread = tickets::ticket_thread(&db, sent.ticket_id).await.unwrap();
    let kinds: Vec<_> = thread.interactions.iter().map(|entry| entry.kind).collect();
    assert_eq!(
        kinds,
        [InteractionKind::Search, InteractionKind::ArticleView, InteractionKind::MessageIn],
        "the agent sees what was tried before the question"
    );
    let kim = customer(&db, "kim@example.com").await;
    assert_eq!(thread.ticket.summary.customer_id, kim, "the address resolves to one profile");

    // Later activity in the same visit is on the profile but belongs to no ticket yet.
    let known = Visit { id: "visit-4".into(), customer_id: Some(kim) };
    activity::article_read(&db, &known, "track-your-order", Audience::Public).await.unwrap();
    let requester = Requester::Visitor { name: "Kim Lee", email: "kim@example.com" };
    let again = contact::send_request(&db, requester, Some(&known), request("Another question", None))
        .await
        .unwrap();
    assert_eq!(again.context_entries, 1, "only what the first request did not take");
});

both_backends!(the_same_form_sent_twice_makes_one_request, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let send = || {
        let requester = Requester::Visitor { name: "Kim", email: "kim@example.com" };
        contact::send_request(&db, requester, None, request("Cannot reset", Some("form-7f3a")))
    };
    let first = send().await.unwrap();
    let second = send().await.unwrap();
    assert!(first.created && !second.created);
    assert_eq!(first.ticket_id, second.ticket_id);
    assert_eq!(count(&db, "select count(*) from tickets where subject = 'Cannot reset'").await, 1);
});

both_backends!(a_bad_request_is_refused_and_creates_nothing, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let tickets_before = count(&db, "select count(*) from tickets").await;
    let customers_before = count(&db, "select count(*) from customers").await;
    let visitor = || Requester::Visitor { name: "Kim", email: "kim@example.com" };
    let cases = [
        (visitor(), NewRequest { subject: "  ", ..request("x", None) }),
        (visitor(), NewRequest { description: " ", ..request("Help", None) }),
        (visitor(), NewRequest { topic: Some("no-such-topic"), ..request("Help", None) }),
        (Requester::Visitor { name: "Kim", email: "not an address" }, request("Help", None)),
        (Requester::Visitor { name: "", email: "kim@example.com" }, request("Help", None)),
    ];
    for (requester, new_request) in cases {
        let result = contact::send_request(&db, requester, None, new_request).await;
        assert!(matches!(result, Err(AppError::Invalid(_))), "{result:?}");
    }
    assert_eq!(count(&db, "select count(*) from tickets").await, tickets_before);
    assert_eq!(count(&db, "select count(*) from customers").await, customers_before);
});

both_backends!(a_topic_tags_the_request_for_routing, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let requester = Requester::Visitor { name: "Kim", email: "kim@example.com" };
    let new_request = NewRequest { topic: Some("billing"), ..request("Invoice VAT", None) };
    let sent = contact::send_request(&db, requester, None, new_request).await.unwrap();
    let thread = tickets::ticket_thread(&db, sent.ticket_id).await.unwrap();
    assert_eq!(thread.ticket.tags, ["billing"]);
});
