//! The agent workspace's services: inbox views and their counts, replies and notes, ticket
//! fields, and the customer panel, on SQLite and PostgreSQL.

use app::{
    both_backends,
    error::AppError,
    model::{
        Channel, CurrentUser, Disposition, IdentityKind, InboxQuery, InboxSort, InboxView, InteractionKind, MacroFields,
        PageCursor, Priority, Role, TicketStatus,
    },
    server::{
        audit,
        db::Db,
        identity::{Identifier, resolve_identity},
        customers, identity, macros, requests,
        staff::{self, TeamChange},
        tickets::{self, NewInteraction, NewTicket},
        workspace::{self, AgentReply},
    },
    with_db,
};

/// A login inserted directly: these tests never sign in, so no password is hashed.
pub(super) async fn login(db: &Db, name: &str, role: Role, customer_id: Option<i64>) -> CurrentUser {
    let email = format!("{}@northwind.test", name.to_lowercase());
    let id = with_db!(db, |pool| sqlx::query_scalar::<_, i64>(
        "insert into users (email, display_name, role, password_hash, customer_id, created_at)
         values ($1, $2, $3, 'not-a-hash', $4, $5) returning id"
    )
    .bind(&email)
    .bind(name)
    .bind(role.as_str())
    .bind(customer_id)
    .bind(chrono::Utc::now())
    .fetch_one(pool)
    .await
    .unwrap());
    CurrentUser { id, display_name: name.into(), email, role, customer_id, email_verified: true, edits_articles: false }
}

pub(super) async fn customer(db: &Db, identifiers: &[Identifier], name: &str) -> i64 {
    resolve_identity(db, identifiers, name).await.unwrap().customer_id
}

pub(super) async fn ticket(db: &Db, customer_id: i64, subject: &str, channel: Channel, team_id: Option<i64>) -> i64 {
    let new = NewTicket { customer_id, subject, channel, priority: Priority::Normal, team_id, sla_due_at: None };
    tickets::create_ticket(db, new).await.unwrap()
}

async fn inbound(db: &Db, customer_id: i64, ticket_id: i64, channel: Channel, body: &str) {
    let entry = NewInteraction {
        customer_id,
        ticket_id: Some(ticket_id),
        kind: InteractionKind::MessageIn,
        channel,
        body,
        provider_message_id: None,
        author_id: None,
        files: Default::default(),
        outbound: None,
        call: None,
    };
    tickets::record_interaction(db, entry).await.unwrap();
}

pub(super) fn reply(body: &str, channel: Channel) -> AgentReply<'_> {
    AgentReply { body, channel, internal: false, then: Some(TicketStatus::Pending), uploads: &[], macro_id: None }
}

fn note(body: &str) -> AgentReply<'_> {
    AgentReply { body, channel: Channel::Portal, internal: true, then: None, uploads: &[], macro_id: None }
}

async fn subjects(db: &Db, agent: &CurrentUser, query: InboxQuery) -> Vec<String> {
    let page = workspace::inbox(db, agent, &query, None).await.unwrap();
    page.items.into_iter().map(|ticket| ticket.subject).collect()
}

fn view(view: InboxView) -> InboxQuery {
    InboxQuery { view: Some(view), ..Default::default() }
}

both_backends!(views_list_unsolved_tickets_and_their_counts_agree, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let kim = login(&db, "Kim", Role::Agent, None).await;
    let billing = staff::create_team(&db, "Billing").await.unwrap();
    let shipping = staff::create_team(&db, "Shipping").await.unwrap();
    staff::add_to_team(&db, billing, sam.id).await.unwrap();
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;

    let mine = ticket(&db, ana, "Mine", Channel::Email, None).await;
    workspace::assign(&db, &sam, mine, Some(sam.id), None).await.unwrap();
    let kims = ticket(&db, ana, "Kim's", Channel::Chat, Some(shipping)).await;
    workspace::assign(&db, &sam, kims, Some(kim.id), Some(shipping)).await.unwrap();
    ticket(&db, ana, "Billing queue", Channel::Portal, Some(billing)).await;
    let solved = ticket(&db, ana, "Solved one", Channel::Email, None).await;
    workspace::assign(&db, &sam, solved, Some(sam.id), None).await.unwrap();
    workspace::set_status(&db, &sam, solved, TicketStatus::Solved, Some(Disposition::Answered)).await.unwrap();

    assert_eq!(subjects(&db, &sam, view(InboxView::Mine)).await, ["Mine"], "solved tickets leave the views");
    assert_eq!(subjects(&db, &sam, view(InboxView::Unassigned)).await, ["Billing queue"]);
    assert_eq!(subjects(&db, &sam, view(InboxView::MyTeams)).await, ["Billing queue"]);
    assert_eq!(subjects(&db, &kim, view(InboxView::MyTeams)).await, Vec::<String>::new(), "Kim is in no team");
    assert_eq!(subjects(&db, &sam, view(InboxView::All)).await.len(), 3);
    let solved_ones = InboxQuery { status: Some(TicketStatus::Solved), ..view(InboxView::All) };
    assert_eq!(subjects(&db, &sam, solved_ones).await, ["Solved one"], "a status filter finds solved tickets");

    let counts = workspace::counts(&db, &sam).await.unwrap().0;
    assert_eq!(
        counts,
        [(InboxView::Mine, 1), (InboxView::Unassigned, 1), (InboxView::MyTeams, 1), (InboxView::All, 3), (InboxView::SlaDue, 0)]
    );
});

both_backends!(filters_and_sorts_narrow_and_order_a_view, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;
    let first = ticket(&db, ana, "First", Channel::Email, None).await;
    let second = ticket(&db, ana, "Second", Channel::Whatsapp, None).await;
    inbound(&db, ana, first, Channel::Email, "Any news?").await;
    tickets::set_tags(&db, second, &["refund"]).await.unwrap();
    workspace::set_priority(&db, &sam, second, Priority::Urgent).await.unwrap();

    let all = view(InboxView::All);
    assert_eq!(subjects(&db, &sam, all.clone()).await, ["First", "Second"], "latest activity first");
    let oldest = InboxQuery { sort: Some(InboxSort::OldestWaiting), ..all.clone() };
    assert_eq!(subjects(&db, &sam, oldest).await, ["Second", "First"]);
    let whatsapp = InboxQuery { channel: Some(Channel::Whatsapp), ..all.clone() };
    assert_eq!(subjects(&db, &sam, whatsapp).await, ["Second"]);
    let tagged = InboxQuery { tag: Some(" Refund ".into()), ..all.clone() };
    assert_eq!(subjects(&db, &sam, tagged).await, ["Second"], "tags match whatever their case");
    let urgent = InboxQuery { priority: Some(Priority::Urgent), ..all.clone() };
    assert_eq!(subjects(&db, &sam, urgent).await, ["Second"]);

    let page = workspace::inbox(&db, &sam, &all, None).await.unwrap();
    assert_eq!(page.items[0].preview, "Any news?");
    assert_eq!(page.items[1].preview, "", "no message yet");
});

both_backends!(a_reply_is_recorded_on_its_channel_and_notes_stay_internal, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(
        &db,
        &[Identifier::new(IdentityKind::Email, "ana@example.com"), Identifier::new(IdentityKind::Phone, "+14155550123")],
        "Ana",
    )
    .await;
    let id = ticket(&db, ana, "Invoice is wrong", Channel::Email, None).await;
    inbound(&db, ana, id, Channel::Sms, "Texting you instead").await;

    let opened = workspace::ticket(&db, &sam, id).await.unwrap();
    assert_eq!(opened.reply_channel, Channel::Sms, "replies default to where the customer last wrote");

    workspace::reply(&db, &sam, id, note("Check the **March** invoice")).await.unwrap();
    assert_eq!(tickets::summary(&db, id).await.unwrap().status, TicketStatus::New, "a note changes nothing");
    workspace::reply(&db, &sam, id, reply("We have **corrected** it.", Channel::Sms)).await.unwrap();

    let thread = workspace::ticket(&db, &sam, id).await.unwrap().thread;
    assert_eq!(thread.ticket.summary.status, TicketStatus::Pending, "the reply set the chosen status");
    assert!(thread.ticket.first_response_at.is_some());
    let out = thread.interactions.iter().find(|entry| entry.kind == InteractionKind::MessageOut).unwrap();
    assert_eq!((out.channel, out.author_name.as_deref()), (Channel::Sms, Some("Sam")));
    assert_eq!(thread.ticket.summary.preview, "We have corrected it.", "previews never show notes, nor markup");
    // What agents write is markdown, shown rendered; what customers write is shown as written.
    let written = |kind| thread.interactions.iter().find(|entry| entry.kind == kind).unwrap().body_html.clone();
    assert_eq!(written(InteractionKind::Note).as_deref(), Some("<p>Check the <strong>March</strong> invoice</p>\n"));
    assert_eq!(written(InteractionKind::MessageIn), None);

    let seen_by_customer = requests::my_request(&db, ana, id).await.unwrap();
    let bodies: Vec<_> = seen_by_customer.interactions.iter().map(|entry| entry.body.as_str()).collect();
    assert!(bodies.contains(&"We have **corrected** it."));
    assert!(!bodies.contains(&"Check the **March** invoice"), "{bodies:?}");
});

both_backends!(replies_that_cannot_go_out_are_refused_and_nothing_is_written, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;
    let id = ticket(&db, ana, "Invoice", Channel::Email, None).await;
    let before = workspace::ticket(&db, &sam, id).await.unwrap().thread.interactions.len();

    let no_phone = workspace::reply(&db, &sam, id, reply("Hi", Channel::Whatsapp)).await;
    assert!(matches!(&no_phone, Err(AppError::Invalid(message)) if message.contains("cannot reach")), "{no_phone:?}");
    let empty = workspace::reply(&db, &sam, id, reply("   ", Channel::Email)).await;
    assert!(matches!(empty, Err(AppError::Invalid(_))));
    let missing = workspace::reply(&db, &sam, id + 100, reply("Hi", Channel::Email)).await;
    assert_eq!(missing, Err(AppError::NotFound));
    let stolen = AgentReply { uploads: &["someone-elses-token"], ..reply("Hi", Channel::Email) };
    assert!(workspace::reply(&db, &sam, id, stolen).await.is_err());

    tickets::set_status(&db, id, TicketStatus::Closed, None).await.unwrap();
    let closed = workspace::reply(&db, &sam, id, reply("Hi", Channel::Email)).await;
    assert!(matches!(&closed, Err(AppError::Invalid(message)) if message.contains("closed")), "{closed:?}");
    workspace::reply(&db, &sam, id, note("Customer called back; nothing to do")).await.unwrap();

    let after = workspace::ticket(&db, &sam, id).await.unwrap().thread.interactions;
    let written: Vec<_> = after.iter().skip(before).map(|entry| entry.kind).collect();
    assert_eq!(written, [InteractionKind::StatusChange, InteractionKind::Note]);
});

both_backends!(solving_records_why_and_reopening_clears_it, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;
    let id = ticket(&db, ana, "Invoice", Channel::Email, None).await;

    let reason_without_solving = workspace::set_status(&db, &sam, id, TicketStatus::Open, Some(Disposition::Fixed)).await;
    assert!(matches!(reason_without_solving, Err(AppError::Invalid(_))));
    workspace::set_status(&db, &sam, id, TicketStatus::Solved, Some(Disposition::Fixed)).await.unwrap();
    let thread = workspace::ticket(&db, &sam, id).await.unwrap().thread;
    assert_eq!(thread.ticket.disposition, Some(Disposition::Fixed));
    assert!(thread.interactions.last().unwrap().body.contains("Problem fixed"));

    workspace::set_status(&db, &sam, id, TicketStatus::Open, None).await.unwrap();
    assert_eq!(workspace::ticket(&db, &sam, id).await.unwrap().thread.ticket.disposition, None);

    tickets::set_status(&db, id, TicketStatus::Closed, None).await.unwrap();
    let reopen = workspace::set_status(&db, &sam, id, TicketStatus::Open, None).await;
    assert!(matches!(reopen, Err(AppError::Invalid(_))), "a closed ticket stays closed");
});

both_backends!(tickets_are_assigned_to_staff_and_existing_teams_only, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;
    let ana_login = login(&db, "Ana", Role::Customer, Some(ana)).await;
    let team = staff::create_team(&db, "Billing").await.unwrap();
    let id = ticket(&db, ana, "Invoice", Channel::Email, None).await;

    let to_customer = workspace::assign(&db, &sam, id, Some(ana_login.id), None).await;
    assert!(matches!(to_customer, Err(AppError::Invalid(_))));
    let to_nobody = workspace::assign(&db, &sam, id, Some(ana_login.id + 100), None).await;
    assert!(matches!(to_nobody, Err(AppError::Invalid(_))));
    let to_no_team = workspace::assign(&db, &sam, id, None, Some(team + 100)).await;
    assert!(matches!(to_no_team, Err(AppError::Invalid(_))));

    workspace::assign(&db, &sam, id, Some(sam.id), Some(team)).await.unwrap();
    let summary = tickets::summary(&db, id).await.unwrap();
    assert_eq!((summary.assignee_id, summary.team_id, summary.assignee_name.as_deref()), (Some(sam.id), Some(team), Some("Sam")));
    let tags = workspace::set_tags(&db, &sam, id, "Billing, refund refund").await.unwrap();
    assert_eq!(tags, ["billing", "refund"]);
    let bad = workspace::set_tags(&db, &sam, id, "no<script>").await;
    assert!(matches!(bad, Err(AppError::Invalid(_))));

    let actions: Vec<_> = audit::entries_for(&db, "ticket", id).await.unwrap().into_iter().map(|entry| entry.action).collect();
    assert_eq!(actions, ["ticket.assign", "ticket.tags"], "who changed what is audited; refusals are not");
});

both_backends!(the_customer_panel_shows_other_tickets_and_help_center_activity, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;
    let bo = customer(&db, &[Identifier::new(IdentityKind::Email, "bo@example.com")], "Bo").await;
    let current = ticket(&db, ana, "Invoice", Channel::Email, None).await;
    inbound(&db, ana, current, Channel::Email, "The invoice is wrong").await;
    ticket(&db, ana, "Delivery late", Channel::Chat, None).await;
    ticket(&db, bo, "Bo's problem", Channel::Email, None).await;
    with_db!(&db, |pool| {
        sqlx::query(
            "insert into interactions (customer_id, kind, channel, body, created_at)
             values ($1, 'article_view', 'portal', 'Read “Understanding your invoice”', $2)",
        )
        .bind(ana)
        .bind(chrono::Utc::now())
        .execute(pool)
        .await
        .unwrap();
    });

    let panel = workspace::ticket(&db, &sam, current).await.unwrap().customer;
    assert_eq!(panel.customer.display_name, "Ana");
    assert_eq!(panel.identities.len(), 1);
    let others: Vec<_> = panel.other_tickets.iter().map(|ticket| ticket.subject.as_str()).collect();
    assert_eq!(others, ["Delivery late"], "not the open ticket, never another customer's");
    assert!(panel.recent.iter().any(|entry| entry.kind == InteractionKind::ArticleView));
    assert!(panel.recent.iter().all(|entry| entry.ticket_id != Some(current)), "the open ticket is beside it already");
    assert_eq!(Channel::reply_channels(&panel.identities), [Channel::Portal, Channel::Email]);
});

both_backends!(agents_on_one_ticket_see_each_other_and_who_is_writing, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let kim = login(&db, "Kim", Role::Agent, None).await;
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;
    let id = ticket(&db, ana, "Invoice", Channel::Email, None).await;
    let presence_events = || async {
        let events = app::server::events::since(&db, 0, 1_000).await.unwrap();
        events.iter().filter(|event| event.kind == app::model::TicketEventKind::Presence).count()
    };

    assert!(workspace::present(&db, &sam, id, false).await.unwrap().is_empty(), "Sam is alone");
    let seen_by_kim = workspace::present(&db, &kim, id, true).await.unwrap();
    assert_eq!(seen_by_kim, [app::model::Viewer { user_id: sam.id, name: "Sam".into(), typing: false }]);
    let seen_by_sam = workspace::present(&db, &sam, id, false).await.unwrap();
    assert_eq!(seen_by_sam, [app::model::Viewer { user_id: kim.id, name: "Kim".into(), typing: true }]);
    assert_eq!(presence_events().await, 2, "arrivals are announced; Sam's unchanged heartbeat is not");

    // Kim's tab died without saying goodbye: after the timeout she is gone.
    with_db!(&db, |pool| {
        sqlx::query("update ticket_viewers set seen_at = $1 where user_id = $2")
            .bind(chrono::Utc::now() - workspace::PRESENCE_TIMEOUT - chrono::Duration::seconds(1))
            .bind(kim.id)
            .execute(pool)
            .await
            .unwrap();
    });
    assert!(workspace::viewers(&db, &sam, id).await.unwrap().is_empty());

    workspace::present(&db, &kim, id, false).await.unwrap();
    workspace::leave(&db, &kim, id).await.unwrap();
    assert!(workspace::viewers(&db, &sam, id).await.unwrap().is_empty(), "a closed view leaves at once");
    assert_eq!(workspace::present(&db, &sam, id + 100, false).await, Err(AppError::NotFound));
});

both_backends!(my_teams_merges_every_team_in_order_and_pages_on, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let billing = staff::create_team(&db, "Billing").await.unwrap();
    let shipping = staff::create_team(&db, "Shipping").await.unwrap();
    let returns = staff::create_team(&db, "Returns").await.unwrap();
    staff::add_to_team(&db, billing, sam.id).await.unwrap();
    staff::add_to_team(&db, shipping, sam.id).await.unwrap();
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;
    // 60 tickets alternating between Sam's two teams, and some of a team he is not in.
    for n in 0..60 {
        let team = if n % 2 == 0 { billing } else { shipping };
        ticket(&db, ana, &format!("T{n:02}"), Channel::Email, Some(team)).await;
    }
    ticket(&db, ana, "Not his team", Channel::Email, Some(returns)).await;

    let query = view(InboxView::MyTeams);
    let first = workspace::inbox(&db, &sam, &query, None).await.unwrap();
    let subjects: Vec<_> = first.items.iter().map(|ticket| ticket.subject.clone()).collect();
    let expected: Vec<_> = (10..60).rev().map(|n| format!("T{n:02}")).collect();
    assert_eq!(subjects, expected, "newest activity first across both teams");
    let second = workspace::inbox(&db, &sam, &query, first.next.as_ref()).await.unwrap();
    let rest: Vec<_> = second.items.iter().map(|ticket| ticket.subject.clone()).collect();
    assert_eq!(rest, (0..10).rev().map(|n| format!("T{n:02}")).collect::<Vec<_>>());
    assert!(second.next.is_none());
});

both_backends!(a_restricted_teams_tickets_are_for_its_members_and_their_assignees, |db: Db| async move {
    let admin = login(&db, "Morgan", Role::Admin, None).await;
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let kim = login(&db, "Kim", Role::Agent, None).await;
    let lee = login(&db, "Lee", Role::Supervisor, None).await;
    let legal = staff::found_team(&db, admin.id, "Legal").await.unwrap();
    staff::change_team(&db, admin.id, legal, TeamChange::AddMember(sam.id)).await.unwrap();
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;
    let subpoena = ticket(&db, ana, "Subpoena", Channel::Email, Some(legal)).await;
    inbound(&db, ana, subpoena, Channel::Email, "The court order is attached").await;
    let parcel = ticket(&db, ana, "Parcel late", Channel::Email, None).await;
    let all = || view(InboxView::All);

    // Open to everyone until an admin restricts it.
    assert_eq!(subjects(&db, &kim, all()).await, ["Parcel late", "Subpoena"]);
    staff::change_team(&db, admin.id, legal, TeamChange::Restrict(true)).await.unwrap();
    assert_eq!(subjects(&db, &kim, all()).await, ["Parcel late"], "Kim is not in Legal");
    let kims = workspace::counts(&db, &kim).await.unwrap();
    assert!(kims.0.contains(&(InboxView::All, 1)), "the counts agree with the list: {kims:?}");
    let refused = workspace::authorize(&db, &kim, subpoena).await;
    assert_eq!(refused, Err(AppError::Restricted("Legal".into())));
    assert!(refused.unwrap_err().to_string().contains("Ask a supervisor"));
    workspace::authorize(&db, &kim, parcel).await.unwrap();
    let panel = workspace::ticket(&db, &kim, parcel).await.unwrap().customer;
    assert!(panel.other_tickets.is_empty(), "the panel does not list the restricted ticket either");
    assert!(panel.recent.iter().all(|entry| entry.ticket_id != Some(subpoena)), "nor its messages");
    let sams = workspace::ticket(&db, &sam, parcel).await.unwrap().customer;
    assert!(sams.recent.iter().any(|entry| entry.ticket_id == Some(subpoena)), "a member sees them");

    // Members, supervisors and admins keep seeing it.
    for insider in [&sam, &lee, &admin] {
        workspace::authorize(&db, insider, subpoena).await.unwrap();
        assert_eq!(subjects(&db, insider, all()).await, ["Parcel late", "Subpoena"], "{}", insider.display_name);
    }
    // Assigned to Kim, it is hers to work.
    workspace::assign(&db, &lee, subpoena, Some(kim.id), Some(legal)).await.unwrap();
    workspace::authorize(&db, &kim, subpoena).await.unwrap();
    assert_eq!(subjects(&db, &kim, view(InboxView::Mine)).await, ["Subpoena"]);
    // Out of the team, Sam loses it; lifted, everyone has it again.
    staff::change_team(&db, admin.id, legal, TeamChange::RemoveMember(sam.id)).await.unwrap();
    assert!(matches!(workspace::authorize(&db, &sam, subpoena).await, Err(AppError::Restricted(_))));
    staff::change_team(&db, admin.id, legal, TeamChange::Restrict(false)).await.unwrap();
    workspace::authorize(&db, &sam, subpoena).await.unwrap();

    let directory = staff::directory(&db).await.unwrap();
    assert_eq!((directory[0].name.as_str(), directory[0].restricted, directory[0].members.len()), ("Legal", false, 0));
    assert!(matches!(staff::change_team(&db, admin.id, 9_999, TeamChange::Restrict(true)).await, Err(AppError::NotFound)));
    assert!(matches!(staff::found_team(&db, admin.id, " Legal ").await, Err(AppError::Conflict(_))));
    let trail: Vec<_> = audit::entries_for(&db, "team", legal).await.unwrap().into_iter().map(|entry| entry.action).collect();
    assert_eq!(trail, ["team.create", "team.add_member", "team.restrict", "team.remove_member", "team.restrict"]);
});

both_backends!(the_priority_sort_puts_the_most_urgent_first_and_pages_on, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;
    // Created oldest first: within a priority, the longest waiting comes first.
    let (urgent, high, normal, low) = (Priority::Urgent, Priority::High, Priority::Normal, Priority::Low);
    for (subject, priority) in [
        ("Low A", low),
        ("Urgent A", urgent),
        ("Normal A", normal),
        ("High A", high),
        ("Urgent B", urgent),
        ("Low B", low),
        ("High B", high),
        ("Normal B", normal),
    ] {
        let id = ticket(&db, ana, subject, Channel::Email, None).await;
        workspace::set_priority(&db, &sam, id, priority).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = tickets::inbox(&db, &Default::default(), InboxSort::Priority, after.as_ref(), 3).await.unwrap();
        seen.extend(page.items.into_iter().map(|ticket| ticket.subject));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let expected = ["Urgent A", "Urgent B", "High A", "High B", "Normal A", "Normal B", "Low A", "Low B"];
    assert_eq!(seen, expected, "three to a page, nothing repeated or skipped");
    let query = InboxQuery { view: Some(InboxView::All), sort: Some(InboxSort::Priority), ..Default::default() };
    assert_eq!(subjects(&db, &sam, query).await, expected);
    let forged = PageCursor("x_1".into());
    let refused = tickets::inbox(&db, &Default::default(), InboxSort::Priority, Some(&forged), 3).await;
    assert!(matches!(refused, Err(AppError::Invalid(_))));
});

fn invalid_text(result: Result<impl std::fmt::Debug, AppError>) -> String {
    match result {
        Err(AppError::Invalid(text)) => text,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

both_backends!(macros_are_checked_when_saved_and_every_change_is_audited, |db: Db| async move {
    let admin = login(&db, "Morgan", Role::Admin, None).await;
    let titled = |title: &str, body: &str| MacroFields { title: title.into(), body: body.into(), ..Default::default() };

    let typo = invalid_text(macros::save(&db, admin.id, None, &titled("Hello", "Hi {{customer.nmae}}")).await);
    assert!(typo.contains("{{customer.nmae}} is not a variable") && typo.contains("{{customer.name}}"), "{typo}");
    let idle = invalid_text(macros::save(&db, admin.id, None, &titled("Nothing", "  ")).await);
    assert!(idle.contains("needs text or at least one change"), "{idle}");
    let silent_note = MacroFields { internal: true, status: Some(TicketStatus::Pending), ..titled("Note", "") };
    assert!(invalid_text(macros::save(&db, admin.id, None, &silent_note).await).contains("Write the note"));
    let closing = MacroFields { status: Some(TicketStatus::Closed), ..titled("Close", "") };
    assert!(invalid_text(macros::save(&db, admin.id, None, &closing).await).contains("open, pending, on hold or solved"));
    let bad_tag = MacroFields { add_tags: vec!["two words!".into()], ..titled("Tag", "") };
    assert!(invalid_text(macros::save(&db, admin.id, None, &bad_tag).await).contains("not a valid tag"));
    let gone_team = MacroFields { team_id: Some(9_999), ..titled("Team", "") };
    assert!(invalid_text(macros::save(&db, admin.id, None, &gone_team).await).contains("team does not exist"));
    assert!(macros::list(&db).await.unwrap().is_empty(), "nothing refused was stored");

    let tagged = MacroFields { add_tags: vec![" Refund".into(), "refund".into()], ..titled("  Refund approved ", "Hi {{ customer.first_name }}") };
    let saved = macros::save(&db, admin.id, None, &tagged).await.unwrap();
    assert_eq!(saved.fields.title, "Refund approved", "titles are trimmed");
    assert_eq!(saved.fields.add_tags, ["refund"], "tags are normalized once");
    assert!(matches!(
        macros::save(&db, admin.id, None, &titled("REFUND APPROVED", "x")).await,
        Err(AppError::Conflict(_))
    ), "titles are unique whatever their case");

    let renamed = macros::save(&db, admin.id, Some(saved.id), &titled("Refund sent", "Sent.")).await.unwrap();
    assert_eq!((renamed.id, renamed.fields.title.as_str(), renamed.fields.add_tags.len()), (saved.id, "Refund sent", 0));
    assert!(matches!(macros::save(&db, admin.id, Some(9_999), &titled("Ghost", "x")).await, Err(AppError::NotFound)));
    macros::delete(&db, admin.id, saved.id).await.unwrap();
    assert!(matches!(macros::delete(&db, admin.id, saved.id).await, Err(AppError::NotFound)));
    assert!(macros::list(&db).await.unwrap().is_empty());
    let trail: Vec<_> = audit::entries_for(&db, "macro", saved.id).await.unwrap().into_iter().map(|entry| entry.action).collect();
    assert_eq!(trail, ["macro.create", "macro.update", "macro.delete"]);
});

both_backends!(a_macro_sent_with_a_reply_applies_all_its_changes, |db: Db| async move {
    let admin = login(&db, "Morgan", Role::Admin, None).await;
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let billing = staff::create_team(&db, "Billing").await.unwrap();
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana Lima").await;
    let id = ticket(&db, ana, "Refund please", Channel::Email, None).await;
    tickets::set_tags(&db, id, &["billing"]).await.unwrap();
    let refund = MacroFields {
        title: "Refund approved".into(),
        body: "Hi {{customer.first_name}}, refund approved.".into(),
        status: Some(TicketStatus::Solved),
        priority: Some(Priority::High),
        add_tags: vec!["refund".into()],
        assign_to_self: true,
        team_id: Some(billing),
        ..Default::default()
    };
    let refund = macros::save(&db, admin.id, None, &refund).await.unwrap();

    // The composer filled the text in; the status picked there gives way to the macro's.
    let sent = AgentReply { macro_id: Some(refund.id), ..reply("Hi Ana, refund approved.", Channel::Email) };
    workspace::reply(&db, &sam, id, sent).await.unwrap();

    let open = workspace::ticket(&db, &sam, id).await.unwrap();
    let ticket = &open.thread.ticket;
    assert_eq!(ticket.summary.status, TicketStatus::Solved);
    assert_eq!(ticket.summary.priority, Priority::High);
    assert_eq!(ticket.tags, ["billing", "refund"], "tags are added to the ticket's own");
    assert_eq!((ticket.summary.assignee_id, ticket.summary.team_id), (Some(sam.id), Some(billing)));
    let out = open.thread.interactions.iter().find(|entry| entry.kind == InteractionKind::MessageOut).unwrap();
    assert_eq!((out.body.as_str(), out.channel), ("Hi Ana, refund approved.", Channel::Email));
    let actions: Vec<_> = audit::entries_for(&db, "ticket", id).await.unwrap().into_iter().map(|entry| entry.action).collect();
    assert!(actions.contains(&"ticket.macro".to_owned()), "{actions:?}");

    // Applying it again changes nothing that is already so and keeps each tag once.
    workspace::apply_macro(&db, &sam, id, refund.id).await.unwrap();
    assert_eq!(workspace::ticket(&db, &sam, id).await.unwrap().thread.ticket.tags, ["billing", "refund"]);
});

both_backends!(a_macro_without_text_applies_at_once_and_stale_or_closed_cases_are_refused, |db: Db| async move {
    let admin = login(&db, "Morgan", Role::Admin, None).await;
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;
    let id = ticket(&db, ana, "Slow site", Channel::Email, None).await;
    let escalate = MacroFields {
        title: "Escalate".into(),
        priority: Some(Priority::Urgent),
        add_tags: vec!["escalated".into()],
        ..Default::default()
    };
    let escalate = macros::save(&db, admin.id, None, &escalate).await.unwrap();
    let before = workspace::ticket(&db, &sam, id).await.unwrap().thread.interactions.len();
    workspace::apply_macro(&db, &sam, id, escalate.id).await.unwrap();
    let open = workspace::ticket(&db, &sam, id).await.unwrap();
    assert_eq!((open.thread.ticket.summary.priority, open.thread.ticket.tags.clone()), (Priority::Urgent, vec!["escalated".to_owned()]));
    assert_eq!(open.thread.interactions.len(), before, "no message was written");

    assert!(matches!(workspace::apply_macro(&db, &sam, 9_999, escalate.id).await, Err(AppError::NotFound)));
    workspace::set_status(&db, &sam, id, TicketStatus::Closed, None).await.unwrap();
    assert!(invalid_text(workspace::apply_macro(&db, &sam, id, escalate.id).await).contains("closed"));

    let other = ticket(&db, ana, "Another", Channel::Email, None).await;
    macros::delete(&db, admin.id, escalate.id).await.unwrap();
    let stale = AgentReply { macro_id: Some(escalate.id), ..reply("Escalating this.", Channel::Email) };
    assert!(invalid_text(workspace::reply(&db, &sam, other, stale).await).contains("deleted"));
    let thread = workspace::ticket(&db, &sam, other).await.unwrap().thread;
    assert!(thread.interactions.iter().all(|entry| entry.kind != InteractionKind::MessageOut), "a refused reply is not recorded");
});

both_backends!(agents_add_identities_and_merge_a_duplicate_with_a_preview_and_an_undo, |db: Db| async move {
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana Lima").await;
    let twin = customer(&db, &[Identifier::new(IdentityKind::Phone, "+351 912 345 678")], "A. Lima").await;
    let anas = ticket(&db, ana, "Invoice", Channel::Email, None).await;
    let twins = ticket(&db, twin, "Call about the invoice", Channel::Phone, None).await;

    identity::add_identity(&db, ana, IdentityKind::Twitter, "@Ana_Lima", sam.id).await.unwrap();
    let kinds = |identities: Vec<app::model::Identity>| identities.into_iter().map(|i| (i.kind, i.value)).collect::<Vec<_>>();
    assert!(kinds(customers::identities(&db, ana).await.unwrap()).contains(&(IdentityKind::Twitter, "ana_lima".into())), "handles are normalized");
    match identity::add_identity(&db, ana, IdentityKind::Phone, "+351912345678", sam.id).await {
        Err(AppError::Conflict(text)) => assert!(text.contains("belongs to A. Lima") && text.contains(&format!("#{twin}")), "{text}"),
        other => panic!("another profile's phone was taken: {other:?}"),
    }
    assert!(matches!(identity::add_identity(&db, ana, IdentityKind::Email, "ANA@example.com", sam.id).await, Err(AppError::Conflict(_))));
    assert!(invalid_text(identity::add_identity(&db, ana, IdentityKind::Phone, "912 345", sam.id).await).contains("country code"));

    // The agent finds the duplicate however its identity is written, and sees what moves.
    assert_eq!(identity::find_customer(&db, "00351 912 345 678").await.unwrap(), twin);
    assert_eq!(identity::find_customer(&db, &format!("#{twin}")).await.unwrap(), twin);
    assert!(invalid_text(identity::find_customer(&db, "nobody@example.com").await).contains("No customer has"));
    let preview = customers::merge_preview(&db, ana, twin).await.unwrap();
    assert_eq!((preview.source.display_name.as_str(), preview.tickets, preview.identities.len()), ("A. Lima", 1, 1));
    assert!(invalid_text(customers::merge_preview(&db, ana, ana).await).contains("own profile"));

    let merge = customers::merge(&db, twin, ana, Some(sam.id)).await.unwrap();
    let panel = workspace::panel(&db, &sam, ana, anas).await.unwrap();
    assert_eq!(panel.other_tickets.iter().map(|t| t.id).collect::<Vec<_>>(), [twins], "one profile, both tickets");
    assert_eq!(panel.merges.iter().map(|m| (m.id, m.source_name.as_str())).collect::<Vec<_>>(), [(merge, "A. Lima")]);
    assert!(matches!(customers::merge_preview(&db, ana, twin).await, Err(AppError::Conflict(_))), "merged once");

    customers::unmerge(&db, merge, Some(sam.id)).await.unwrap();
    let panel = workspace::panel(&db, &sam, ana, anas).await.unwrap();
    assert!(panel.other_tickets.is_empty() && panel.merges.is_empty(), "the undo gives the twin its ticket back");
    assert_eq!(kinds(customers::identities(&db, twin).await.unwrap()), [(IdentityKind::Phone, "+351912345678".to_owned())]);
    assert_eq!(tickets::summary(&db, twins).await.unwrap().customer_id, twin);
});

both_backends!(unread_per_agent_and_mentions_in_notes, |db: Db| async move {
    let sam = login(&db, "Sam Okafor", Role::Agent, None).await;
    let kim = login(&db, "Kim Lee", Role::Agent, None).await;
    let ana = customer(&db, &[Identifier::new(IdentityKind::Email, "ana@example.com")], "Ana").await;
    let id = ticket(&db, ana, "Broken hinge", Channel::Email, None).await;
    let row = |agent: CurrentUser| {
        let db = db.clone();
        async move {
            let page = workspace::inbox(&db, &agent, &view(InboxView::All), None).await.unwrap();
            let row = page.items.into_iter().find(|row| row.id == id).unwrap();
            (row.unread, row.mentioned)
        }
    };
    assert_eq!(row(sam.clone()).await, (true, false), "nobody has opened a new ticket");
    workspace::mark_read(&db, &sam, id).await.unwrap();
    assert_eq!(row(sam.clone()).await, (false, false), "Sam has seen it");
    assert_eq!(row(kim.clone()).await, (true, false), "Kim has not: unread is per agent");

    // Kim names Sam in a note: the ticket is news for Sam, and marked as naming him.
    workspace::reply(&db, &kim, id, note("@sam can you call Ana? cc @Kim Lee")).await.unwrap();
    assert_eq!(row(sam.clone()).await, (true, true));
    workspace::mark_read(&db, &kim, id).await.unwrap();
    assert_eq!(row(kim.clone()).await, (false, false), "naming yourself marks nothing");
    workspace::mark_read(&db, &sam, id).await.unwrap();
    assert_eq!(row(sam.clone()).await, (false, false), "opening the ticket clears the mention");

    // The customer writes again: unread for both, mentioned for neither.
    inbound(&db, ana, id, Channel::Email, "Any news?").await;
    assert_eq!(row(sam.clone()).await, (true, false));
    assert_eq!(row(kim).await, (true, false));
    // A reply names nobody, whatever it says.
    workspace::reply(&db, &sam, id, reply("Thanks @Kim Lee", Channel::Email)).await.unwrap();
    let mentions = with_db!(&db, |pool| sqlx::query_scalar::<_, i64>("select count(*) from note_mentions")
        .fetch_one(pool)
        .await
        .unwrap());
    assert_eq!(mentions, 1);
});
