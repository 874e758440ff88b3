//! The shared model (customers, identities, tickets, the timeline) on SQLite and PostgreSQL.

use app::{
    both_backends,
    error::AppError,
    model::{
        Channel, IdentityKind, InboxFilter, InboxSort, InteractionKind, Priority, TicketStatus,
    },
    server::{
        audit, customers,
        db::Db,
        identity::{Identifier, resolve_identity},
        tickets::{self, NewInteraction, NewTicket, Recorded},
    },
    with_db,
};
use chrono::{Duration, Utc};
use std::collections::HashSet;

async fn customer(db: &Db, email: &str) -> i64 {
    resolve_identity(db, &[Identifier::new(IdentityKind::Email, email)], "")
        .await
        .unwrap()
        .customer_id
}

async fn ticket(db: &Db, customer_id: i64, subject: &str, channel: Channel) -> i64 {
    tickets::create_ticket(
        db,
        NewTicket { customer_id, subject, channel, priority: Priority::Normal, team_id: None, sla_due_at: None },
    )
    .await
    .unwrap()
}

async fn message(db: &Db, customer_id: i64, ticket_id: Option<i64>, channel: Channel, body: &str) -> i64 {
    let recorded = tickets::record_interaction(
        db,
        NewInteraction {
            customer_id,
            ticket_id,
            kind: InteractionKind::MessageIn,
            channel,
            body,
            provider_message_id: None,
            author_id: None,
            files: Default::default(),
            outbound: None,
            call: None,
        },
    )
    .await
    .unwrap();
    match recorded {
        Recorded::New(id) => id,
        Recorded::Duplicate(id) => panic!("unexpected duplicate {id}"),
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(&format!("select count(*) from {table}"))
        .fetch_one(pool)
        .await
        .unwrap())
}

both_backends!(known_identifier_resolves_to_its_customer_and_collects_new_ones, |db: Db| async move {
    let ana = customer(&db, "ana@example.com").await;
    let again = resolve_identity(
        &db,
        &[
            Identifier::new(IdentityKind::Email, " ANA@example.com"),
            Identifier::new(IdentityKind::Phone, "+44 20 7946 0958"),
        ],
        "Ana",
    )
    .await
    .unwrap();
    assert_eq!(again.customer_id, ana);
    assert!(!again.created);
    let kinds: Vec<_> = customers::identities(&db, ana).await.unwrap().into_iter().map(|i| (i.kind, i.value)).collect();
    assert_eq!(
        kinds,
        [(IdentityKind::Email, "ana@example.com".into()), (IdentityKind::Phone, "+442079460958".into())]
    );
});

both_backends!(identifiers_of_two_customers_are_reported_never_merged, |db: Db| async move {
    let ana = customer(&db, "ana@example.com").await;
    let bo = resolve_identity(&db, &[Identifier::new(IdentityKind::Phone, "+14155550123")], "Bo")
        .await
        .unwrap()
        .customer_id;
    let mixed = resolve_identity(
        &db,
        &[
            Identifier::new(IdentityKind::Email, "ana@example.com"),
            Identifier::new(IdentityKind::Phone, "+1 415 555 0123"),
        ],
        "",
    )
    .await
    .unwrap();
    assert_eq!(mixed.customer_id, ana, "the first identifier decides");
    assert_eq!(mixed.conflicts, [(IdentityKind::Phone, "+14155550123".to_owned(), bo)]);
    assert_eq!(customers::identities(&db, bo).await.unwrap().len(), 1, "Bo keeps his phone");
    assert_eq!(count(&db, "customers").await, 2);
});

both_backends!(bad_identifiers_are_refused_and_nothing_is_written, |db: Db| async move {
    for (kind, value) in [
        (IdentityKind::Email, "not-an-address"),
        (IdentityKind::Phone, "020 7946 0958"),
        (IdentityKind::Whatsapp, "+1 555"),
        (IdentityKind::Twitter, "@way-too-long-handle-here"),
    ] {
        let result = resolve_identity(
            &db,
            &[Identifier::new(IdentityKind::Email, "fine@example.com"), Identifier::new(kind, value)],
            "",
        )
        .await;
        assert!(matches!(result, Err(AppError::Invalid(_))), "{value}: {result:?}");
    }
    assert!(matches!(resolve_identity(&db, &[], "").await, Err(AppError::Invalid(_))));
    assert_eq!(count(&db, "customers").await, 0);
    assert_eq!(count(&db, "identities").await, 0);
});

both_backends!(concurrent_first_contacts_create_one_customer, |db: Db| async move {
    let attempts = (0..8).map(|_| {
        let db = db.clone();
        tokio::spawn(async move {
            resolve_identity(&db, &[Identifier::new(IdentityKind::Email, "new@example.com")], "New")
                .await
                .unwrap()
        })
    });
    let results = futures_join(attempts).await;
    let ids: HashSet<i64> = results.iter().map(|r| r.customer_id).collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    assert_eq!(results.iter().filter(|r| r.created).count(), 1);
    assert_eq!(count(&db, "customers").await, 1);
    assert_eq!(count(&db, "identities").await, 1);
});

async fn futures_join<T: Send + 'static>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut results = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        results.push(task.await.unwrap());
    }
    results
}

async fn ownership(db: &Db) -> Vec<(String, i64, i64)> {
    let mut rows = Vec::new();
    for table in ["identities", "tickets", "interactions"] {
        let owned: Vec<(i64, i64)> = with_db!(db, |pool| sqlx::query_as(&format!(
            "select id, customer_id from {table} order by id"
        ))
        .fetch_all(pool)
        .await
        .unwrap());
        rows.extend(owned.into_iter().map(|(id, owner)| (table.to_owned(), id, owner)));
    }
    rows
}

both_backends!(merge_moves_everything_and_unmerge_restores_it_exactly, |db: Db| async move {
    let ana_mail = customer(&db, "ana@example.com").await;
    let ana_phone = resolve_identity(&db, &[Identifier::new(IdentityKind::Whatsapp, "+351 912 345 678")], "Ana S.")
        .await
        .unwrap()
        .customer_id;
    let t1 = ticket(&db, ana_mail, "Invoice is wrong", Channel::Email).await;
    message(&db, ana_mail, Some(t1), Channel::Email, "The invoice shows the wrong VAT").await;
    let t2 = ticket(&db, ana_phone, "Where is my parcel?", Channel::Whatsapp).await;
    message(&db, ana_phone, Some(t2), Channel::Whatsapp, "Parcel late").await;
    let before = ownership(&db).await;

    let merge = customers::merge(&db, ana_phone, ana_mail, None).await.unwrap();
    let merged = ownership(&db).await;
    assert!(merged.iter().all(|(_, _, owner)| *owner == ana_mail), "{merged:?}");
    assert_eq!(customers::customer(&db, ana_phone).await.unwrap().merged_into_id, Some(ana_mail));
    let timeline = tickets::timeline(&db, ana_mail, &Default::default(), None, 50).await.unwrap();
    assert_eq!(timeline.items.len(), 2, "one history after the merge");

    // Something new arrives for the merged profile before the unmerge: it stays there.
    let later = message(&db, ana_mail, Some(t1), Channel::Email, "Any news?").await;

    customers::unmerge(&db, merge, None).await.unwrap();
    let mut after = ownership(&db).await;
    after.retain(|(table, id, _)| !(table == "interactions" && *id == later));
    assert_eq!(after, before);
    assert_eq!(customers::customer(&db, ana_phone).await.unwrap().merged_into_id, None);

    let actions: Vec<_> = audit::entries_for(&db, "customer", ana_phone)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["customer.merge", "customer.unmerge"]);
    assert!(matches!(customers::unmerge(&db, merge, None).await, Err(AppError::Conflict(_))));
});

both_backends!(merge_refuses_nonsense, |db: Db| async move {
    let a = customer(&db, "a@example.com").await;
    let b = customer(&db, "b@example.com").await;
    let c = customer(&db, "c@example.com").await;
    assert!(matches!(customers::merge(&db, a, a, None).await, Err(AppError::Invalid(_))));
    assert!(matches!(customers::merge(&db, a, 9_999, None).await, Err(AppError::NotFound)));
    customers::merge(&db, a, b, None).await.unwrap();
    assert!(matches!(customers::merge(&db, a, c, None).await, Err(AppError::Conflict(_))));
    assert!(matches!(customers::unmerge(&db, 9_999, None).await, Err(AppError::NotFound)));
});

both_backends!(the_audit_log_cannot_be_rewritten, |db: Db| async move {
    let a = customer(&db, "a@example.com").await;
    let b = customer(&db, "b@example.com").await;
    customers::merge(&db, a, b, None).await.unwrap();
    let update = with_db!(&db, |pool| sqlx::query("update audit_log set action = 'nothing'").execute(pool).await.map(|_| ()));
    assert!(update.is_err());
    let delete = with_db!(&db, |pool| sqlx::query("delete from audit_log").execute(pool).await.map(|_| ()));
    assert!(delete.is_err());
    assert_eq!(count(&db, "audit_log").await, 1);
});

both_backends!(timeline_interleaves_channels_newest_first, |db: Db| async move {
    let ana = customer(&db, "ana@example.com").await;
    let t = ticket(&db, ana, "Refund", Channel::Email).await;
    let mut expected = Vec::new();
    for (channel, body) in [
        (Channel::Email, "I want a refund"),
        (Channel::Chat, "Following up in chat"),
        (Channel::Sms, "Sent you an SMS too"),
        (Channel::Phone, "Called about the refund"),
    ] {
        expected.push(message(&db, ana, Some(t), channel, body).await);
    }
    let page = tickets::timeline(&db, ana, &Default::default(), None, 10).await.unwrap();
    let ids: Vec<_> = page.items.iter().map(|i| i.id).collect();
    expected.reverse();
    assert_eq!(ids, expected);
    let channels: Vec<_> = page.items.iter().map(|i| i.channel).collect();
    assert_eq!(channels, [Channel::Phone, Channel::Sms, Channel::Chat, Channel::Email]);
    assert!(page.next.is_none());

    let thread = tickets::ticket_thread(&db, t).await.unwrap();
    assert_eq!(thread.interactions.first().unwrap().body, "I want a refund", "threads read oldest first");
});

both_backends!(a_redelivered_message_is_stored_once, |db: Db| async move {
    let ana = customer(&db, "ana@example.com").await;
    let entry = || NewInteraction {
        customer_id: ana,
        ticket_id: None,
        kind: InteractionKind::MessageIn,
        channel: Channel::Sms,
        body: "hello",
        provider_message_id: Some("SM123"),
        author_id: None,
        files: Default::default(),
        outbound: None,
        call: None,
    };
    let first = tickets::record_interaction(&db, entry()).await.unwrap();
    let Recorded::New(id) = first else { panic!("{first:?}") };
    assert_eq!(tickets::record_interaction(&db, entry()).await.unwrap(), Recorded::Duplicate(id));
    assert_eq!(count(&db, "interactions").await, 1);
});

both_backends!(inbox_pages_have_no_gaps_or_repeats_while_tickets_arrive, |db: Db| async move {
    let ana = customer(&db, "ana@example.com").await;
    let mut all = HashSet::new();
    for n in 0..25 {
        all.insert(ticket(&db, ana, &format!("Ticket {n}"), Channel::Email).await);
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = tickets::inbox(&db, &InboxFilter::default(), InboxSort::LastActivity, cursor.as_ref(), 7)
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|t| t.id));
        // New tickets land on top, before the pages already read.
        ticket(&db, ana, "Arrived meanwhile", Channel::Chat).await;
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let unique: HashSet<_> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "a ticket was listed twice");
    assert_eq!(unique, all, "every ticket that existed at the start was listed");
});

both_backends!(inbox_filters_and_sla_order, |db: Db| async move {
    let ana = customer(&db, "ana@example.com").await;
    let now = Utc::now();
    for (n, (channel, hours)) in [(Channel::Email, 5), (Channel::Chat, 1), (Channel::Email, 3)].into_iter().enumerate() {
        tickets::create_ticket(
            &db,
            NewTicket {
                customer_id: ana,
                subject: &format!("T{n}"),
                channel,
                priority: Priority::High,
                team_id: None,
                sla_due_at: Some(now + Duration::hours(hours)),
            },
        )
        .await
        .unwrap();
    }
    let no_sla = ticket(&db, ana, "No deadline", Channel::Email).await;
    tickets::set_status(&db, no_sla, TicketStatus::Pending, None).await.unwrap();

    let email = InboxFilter { channel: Some(Channel::Email), ..Default::default() };
    let page = tickets::inbox(&db, &email, InboxSort::LastActivity, None, 50).await.unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(page.items[0].subject, "No deadline", "most recent activity first");

    let by_sla = tickets::inbox(&db, &InboxFilter::default(), InboxSort::SlaDue, None, 50).await.unwrap();
    let subjects: Vec<_> = by_sla.items.iter().map(|t| t.subject.as_str()).collect();
    assert_eq!(subjects, ["T1", "T2", "T0"]);

    let pending = InboxFilter { status: Some(TicketStatus::Pending), ..Default::default() };
    let page = tickets::inbox(&db, &pending, InboxSort::LastActivity, None, 50).await.unwrap();
    assert_eq!(page.items.iter().map(|t| t.id).collect::<Vec<_>>(), [no_sla]);

    let thread = tickets::ticket_thread(&db, no_sla).await.unwrap();
    assert_eq!(thread.interactions.last().unwrap().kind, InteractionKind::StatusChange);
});

both_backends!(a_forged_cursor_is_refused, |db: Db| async move {
    let bad = app::model::PageCursor("not-a-cursor".into());
    let result = tickets::inbox(&db, &InboxFilter::default(), InboxSort::LastActivity, Some(&bad), 10).await;
    assert!(matches!(result, Err(AppError::Invalid(_))));
    assert!(matches!(tickets::timeline(&db, 1, &Default::default(), Some(&bad), 10).await, Err(AppError::Invalid(_))));
});

both_backends!(demo_seed_tells_one_story_per_customer_across_channels, |db: Db| async move {
    use app::server::seed::{self, SeedSize};
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let statuses: HashSet<_> = tickets::inbox(&db, &InboxFilter::default(), InboxSort::LastActivity, None, 100)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|t| t.status)
        .collect();
    assert_eq!(statuses.len(), TicketStatus::ALL.len(), "tickets in every status");

    // Ana wrote by email and WhatsApp and read the help center: one profile, one timeline.
    let ana = resolve_identity(&db, &[Identifier::new(IdentityKind::Whatsapp, "+351912345678")], "")
        .await
        .unwrap();
    assert!(!ana.created);
    let timeline = tickets::timeline(&db, ana.customer_id, &Default::default(), None, 100).await.unwrap();
    let channels: HashSet<_> = timeline.items.iter().map(|i| i.channel).collect();
    assert!(channels.is_superset(&[Channel::Email, Channel::Whatsapp, Channel::Portal].into()));
});

both_backends!(volume_seed_generates_tickets_and_timelines, |db: Db| async move {
    use app::server::seed::{self, INTERACTIONS_PER_TICKET, SeedSize};
    let outcome = seed::seed(&db, SeedSize { extra_articles: 0, tickets: 1_001 }).await.unwrap();
    assert_eq!(outcome, seed::SeedOutcome::Seeded { articles: 10, tickets: 1_009 });
    assert_eq!(count(&db, "tickets").await, 1_009);
    let generated: i64 = with_db!(&db, |pool| sqlx::query_scalar(
        "select count(*) from interactions where body like 'Generated message%'"
    )
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(generated, 1_001 * INTERACTIONS_PER_TICKET);

    // Generated rows read back like any others, and new rows get fresh ids after them.
    let page = tickets::inbox(&db, &InboxFilter::default(), InboxSort::LastActivity, None, 50).await.unwrap();
    assert_eq!(page.items.len(), 50);
    let newcomer = customer(&db, "after-the-seed@example.com").await;
    ticket(&db, newcomer, "Fresh ticket", Channel::Chat).await;
    let thread = tickets::ticket_thread(&db, page.items[10].id).await.unwrap();
    assert!(!thread.interactions.is_empty());
    let billing = InboxFilter { team_id: Some(2), ..Default::default() };
    let team_page = tickets::inbox(&db, &billing, InboxSort::LastActivity, None, 50).await.unwrap();
    assert_eq!(team_page.items.len(), 50, "generated tickets belong to teams too");
});

both_backends!(teams_and_skills_of_staff, |db: Db| async move {
    use app::{model::Role, server::{staff, users::{self, NewUser}}};
    let agent = users::create_user(
        &db,
        NewUser { email: "sam@example.com", display_name: "Sam", role: Role::Agent, password: "long enough password" },
    )
    .await
    .unwrap();
    let billing = staff::create_team(&db, "Billing").await.unwrap();
    assert!(matches!(staff::create_team(&db, " Billing ").await, Err(AppError::Conflict(_))));
    staff::add_to_team(&db, billing, agent).await.unwrap();
    staff::add_to_team(&db, billing, agent).await.unwrap();
    assert_eq!(staff::teams_of(&db, agent).await.unwrap(), [(billing, "Billing".to_owned())]);
    assert!(matches!(staff::add_to_team(&db, 9_999, agent).await, Err(AppError::NotFound)));

    staff::set_skill(&db, agent, "Refunds", 2).await.unwrap();
    staff::set_skill(&db, agent, "refunds", 4).await.unwrap();
    assert_eq!(staff::skills_of(&db, agent).await.unwrap(), [("refunds".to_owned(), 4)]);
    assert!(matches!(staff::set_skill(&db, agent, "refunds", 9).await, Err(AppError::Invalid(_))));

    let customer_login = users::create_user(
        &db,
        NewUser { email: "c@example.com", display_name: "C", role: Role::Customer, password: "long enough password" },
    )
    .await
    .unwrap();
    assert!(matches!(staff::add_to_team(&db, billing, customer_login).await, Err(AppError::Invalid(_))));
});

both_backends!(tags_are_normalized_and_replaced, |db: Db| async move {
    let ana = customer(&db, "ana@example.com").await;
    let t = ticket(&db, ana, "Refund", Channel::Email).await;
    let tags = tickets::set_tags(&db, t, &["Refund", " refund ", "vip"]).await.unwrap();
    assert_eq!(tags, ["refund", "vip"]);
    assert_eq!(tickets::ticket_thread(&db, t).await.unwrap().ticket.tags, ["refund", "vip"]);
    tickets::set_tags(&db, t, &["escalated"]).await.unwrap();
    assert_eq!(tickets::ticket_thread(&db, t).await.unwrap().ticket.tags, ["escalated"]);
    assert!(matches!(tickets::set_tags(&db, t, &["no spaces"]).await, Err(AppError::Invalid(_))));
    assert!(matches!(tickets::set_tags(&db, 9_999, &["x"]).await, Err(AppError::NotFound)));
    assert_eq!(tickets::ticket_thread(&db, t).await.unwrap().ticket.tags, ["escalated"], "refused input changed nothing");
});

both_backends!(profile_updates_keep_what_is_not_changed_and_are_audited, |db: Db| async move {
    use app::{model::Tier, server::customers::ProfileChange};
    let ana = customer(&db, "ana@example.com").await;
    let mut attributes = serde_json::Map::new();
    attributes.insert("plan".into(), "Scale".into());
    attributes.insert("seats".into(), 40.into());
    let updated = customers::update_profile(
        &db,
        ana,
        ProfileChange { display_name: Some("Ana Silva"), tier: Some(Tier::Enterprise), attributes: Some(attributes.clone()) },
        None,
    )
    .await
    .unwrap();
    assert_eq!((updated.display_name.as_str(), updated.tier), ("Ana Silva", Tier::Enterprise));
    assert_eq!(updated.attributes, attributes);

    let renamed = customers::update_profile(&db, ana, ProfileChange { display_name: Some("Ana S."), ..Default::default() }, None)
        .await
        .unwrap();
    assert_eq!(renamed.tier, Tier::Enterprise);
    assert_eq!(renamed.attributes, attributes);
    let refused = customers::update_profile(&db, ana, ProfileChange { display_name: Some("  "), ..Default::default() }, None).await;
    assert!(matches!(refused, Err(AppError::Invalid(_))));
    assert_eq!(audit::entries_for(&db, "customer", ana).await.unwrap().len(), 2);
});
