//! The agent workspace: inbox views, the ticket with its customer beside it, and what agents
//! do to a ticket. Callers have already checked that the user is staff.

use super::{
    attachments::{self, Claim},
    audit,
    clock, customers,
    db::{BeginWrite, Db, with_db},
    events::{self, ticket_event},
    macros,
    mail::{self, EmailReply},
    staff,
    tickets::{self, NewInteraction, Outbound},
};
use crate::{
    error::AppError,
    model::{
        Channel, Choice, CurrentUser, CustomerPanel, Disposition, Identity, IdentityKind, InboxChoices, InboxCounts,
        InboxFilter, InboxQuery, InboxSort, InboxView, InteractionKind, Macro, Page, PageCursor,
        Priority, Role, TeamRestriction, TicketEventKind, TicketStatus, TicketSummary,
        TimelineFilter, Viewer, WorkspaceTicket,
    },
};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::HashMap;

/// Unsolved tickets, written as the partial indexes' predicate so both backends use them.
const UNSOLVED: &str = "t.status not in ('solved', 'closed')";

/// Tickets per inbox page.
const INBOX_PAGE_SIZE: i64 = 50;
/// Other tickets and timeline entries shown in the customer panel.
const PANEL_TICKETS: i64 = 10;
const PANEL_TIMELINE: i64 = 20;
/// The longest reply or note, in characters.
const MAX_REPLY_CHARS: usize = 20_000;

/// One page of an inbox view. Views list unsolved tickets unless a status filter asks for
/// others (solved tickets are found by filtering "All" on "solved").
pub async fn inbox(
    db: &Db,
    agent: &CurrentUser,
    query: &InboxQuery,
    after: Option<&PageCursor>,
) -> Result<Page<TicketSummary>, AppError> {
    let view = query.view.unwrap_or(InboxView::Mine);
    let mut filter = InboxFilter {
        status: query.status,
        unsolved: query.status.is_none(),
        channel: query.channel,
        priority: query.priority,
        tag: query.tag.as_deref().map(str::trim).filter(|tag| !tag.is_empty()).map(str::to_lowercase),
        assignee_id: query.assignee_id,
        team_id: query.team_id,
        restriction: restriction(db, agent).await?,
        ..Default::default()
    };
    match view {
        InboxView::Mine => filter.assignee_id = Some(agent.id),
        InboxView::Unassigned => filter.unassigned = true,
        InboxView::MyTeams => filter.teams = Some(team_ids(db, agent.id).await?),
        InboxView::All | InboxView::SlaDue => {}
    }
    let sort = match (view, query.sort) {
        (InboxView::SlaDue, _) => InboxSort::SlaDue,
        (_, Some(sort)) => sort,
        (_, None) => InboxSort::LastActivity,
    };
    let mut page = tickets::inbox(db, &filter, sort, after, INBOX_PAGE_SIZE).await?;
    mark_unread(db, agent.id, &mut page.items).await?;
    Ok(page)
}

/// Marks the rows the agent has not seen since their last activity, and those where a note
/// named them since: two queries for the page, none per row.
async fn mark_unread(db: &Db, agent_id: i64, rows: &mut [TicketSummary]) -> Result<(), AppError> {
    if rows.is_empty() {
        return Ok(());
    }
    // Ticket ids come from the database as integers, so listing them inline is safe.
    let ids = rows.iter().map(|row| row.id.to_string()).collect::<Vec<_>>().join(", ");
    let (reads, mentions) = with_db!(db, |pool| {
        let reads = sqlx::query_as::<_, (i64, DateTime<Utc>)>(&format!(
            "select ticket_id, read_at from ticket_reads where user_id = $1 and ticket_id in ({ids})"
        ))
        .bind(agent_id)
        .fetch_all(pool)
        .await?;
        let mentions = sqlx::query_as::<_, (i64, DateTime<Utc>)>(&format!(
            "select i.ticket_id, max(i.created_at) from note_mentions m join interactions i on i.id = m.interaction_id
             where m.user_id = $1 and i.ticket_id in ({ids}) group by i.ticket_id"
        ))
        .bind(agent_id)
        .fetch_all(pool)
        .await?;
        (reads, mentions)
    });
    let reads: HashMap<i64, DateTime<Utc>> = reads.into_iter().collect();
    let mentions: HashMap<i64, DateTime<Utc>> = mentions.into_iter().collect();
    for row in rows {
        let unseen = |at: DateTime<Utc>| reads.get(&row.id).is_none_or(|read| *read < at);
        row.unread = unseen(row.last_activity_at);
        row.mentioned = mentions.get(&row.id).is_some_and(|&at| unseen(at));
    }
    Ok(())
}

/// The agent has looked at the ticket as it is now.
pub async fn mark_read(db: &Db, agent: &CurrentUser, ticket_id: i64) -> Result<(), AppError> {
    with_db!(db, |pool| {
        sqlx::query(
            "insert into ticket_reads (user_id, ticket_id, read_at) values ($1, $2, $3)
             on conflict (user_id, ticket_id) do update set read_at = excluded.read_at",
        )
        .bind(agent.id)
        .bind(ticket_id)
        .bind(clock::now())
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// The colleagues a note names: "@" followed by their full name or their first name, in any
/// case ("@Sam Okafor", "@sam"). A first name two colleagues share names both.
fn mentioned(note: &str, staff: &[Choice]) -> Vec<i64> {
    let lower = note.to_lowercase();
    let named = |name: &str| {
        let wanted = format!("@{}", name.to_lowercase());
        lower.match_indices(&wanted).any(|(at, _)| {
            // The name must end there: "@sam" does not name "Samira".
            lower[at + wanted.len()..].chars().next().is_none_or(|next| !next.is_alphanumeric())
        })
    };
    staff
        .iter()
        .filter(|member| {
            let first = member.name.split_whitespace().next().unwrap_or(&member.name);
            named(&member.name) || named(first)
        })
        .map(|member| member.id)
        .collect()
}

async fn team_ids(db: &Db, agent_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(staff::teams_of(db, agent_id).await?.into_iter().map(|(id, _)| id).collect())
}

/// The restricted teams whose tickets the agent may see only when assigned to them: none for
/// supervisors and admins, who see every ticket.
async fn restriction(db: &Db, agent: &CurrentUser) -> Result<Option<TeamRestriction>, AppError> {
    if agent.role != Role::Agent {
        return Ok(None);
    }
    let teams = with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "select t.id from teams t where t.restricted
             and not exists (select 1 from team_members m where m.team_id = t.id and m.user_id = $1)",
        )
        .bind(agent.id)
        .fetch_all(pool)
        .await?
    });
    Ok((!teams.is_empty()).then_some(TeamRestriction {
        agent_id: agent.id,
        teams,
    }))
}

/// Refuses an agent a ticket of a restricted team they are not in, unless it is assigned to
/// them. Every ticket action checks this first.
pub async fn authorize(db: &Db, agent: &CurrentUser, ticket_id: i64) -> Result<(), AppError> {
    if agent.role != Role::Agent {
        return Ok(());
    }
    let kept_from = with_db!(db, |pool| {
        sqlx::query_scalar::<_, String>(
            "select tm.name from tickets t join teams tm on tm.id = t.team_id
             where t.id = $1 and tm.restricted and t.assignee_id is distinct from $2
             and not exists (select 1 from team_members m where m.team_id = tm.id and m.user_id = $2)",
        )
        .bind(ticket_id)
        .bind(agent.id)
        .fetch_optional(pool)
        .await?
    });
    match kept_from {
        Some(team) => Err(AppError::Restricted(team)),
        None => Ok(()),
    }
}

/// How many unsolved tickets each view holds, each count read off its own partial index and
/// stopped at [`InboxCounts::CAP`]: an exact count of a queue of 600,000 took the database over
/// a second, on every inbox visit and live update, for a number nobody reads exactly.
pub async fn counts(db: &Db, agent: &CurrentUser) -> Result<InboxCounts, AppError> {
    let teams = team_ids(db, agent.id).await?;
    // Team ids come from the database as integers, so listing them inline is safe.
    let in_teams = match teams.is_empty() {
        true => "false".to_owned(),
        false => format!(
            "t.team_id in ({})",
            teams.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
        ),
    };
    let visible = match restriction(db, agent).await? {
        Some(restriction) => format!(" and {}", tickets::visible_to(&restriction, "t")),
        None => String::new(),
    };
    let count = |condition: &str| {
        format!(
            "(select count(*) from (select 1 from tickets t where {UNSOLVED}{visible}{condition} limit {}) capped)",
            InboxCounts::CAP
        )
    };
    let sql = format!(
        "select {}, {}, {}, {}, {}",
        count(" and t.assignee_id = $1"),
        count(" and t.assignee_id is null"),
        count(&format!(" and {in_teams}")),
        // In list order, so SQLite reads the unsolved tickets' own index rather than the status
        // index, whose first entries are every closed ticket.
        count(" order by t.last_activity_at desc"),
        count(" and t.sla_due_at is not null"),
    );
    let (mine, unassigned, my_teams, all, sla) = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(&sql)
            .bind(agent.id)
            .fetch_one(pool)
            .await?
    });
    Ok(InboxCounts(vec![
        (InboxView::Mine, mine),
        (InboxView::Unassigned, unassigned),
        (InboxView::MyTeams, my_teams),
        (InboxView::All, all),
        (InboxView::SlaDue, sla),
    ]))
}

/// A ticket with its whole conversation (notes included), its customer's panel and the
/// choices its fields offer.
pub async fn ticket(
    db: &Db,
    agent: &CurrentUser,
    ticket_id: i64,
) -> Result<WorkspaceTicket, AppError> {
    let mut thread = tickets::ticket_thread(db, ticket_id).await?;
    let mut deliveries = mail::deliveries(db, ticket_id).await?;
    for entry in &mut thread.interactions {
        entry.delivery = deliveries.remove(&entry.id);
    }
    let customer = panel(db, agent, thread.ticket.summary.customer_id, ticket_id).await?;
    let reply_channel = thread
        .interactions
        .iter()
        .rev()
        .find(|entry| entry.kind == InteractionKind::MessageIn)
        .map_or(thread.ticket.summary.channel, |entry| entry.channel);
    let reply_channel = match Channel::reply_channels(&customer.identities).contains(&reply_channel) {
        true => reply_channel,
        false => Channel::Portal,
    };
    let InboxChoices { agents, teams } = choices(db).await?;
    Ok(WorkspaceTicket { thread, customer, reply_channel, agents, teams })
}

/// The colleagues and teams an inbox can be narrowed to.
pub async fn choices(db: &Db) -> Result<InboxChoices, AppError> {
    Ok(InboxChoices { agents: staff_choices(db).await?, teams: staff::teams(db).await? })
}

/// Everyone who works tickets, by name.
async fn staff_choices(db: &Db) -> Result<Vec<Choice>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, String)>(
            "select id, display_name from users where role <> 'customer' order by display_name, id",
        )
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(|(id, name)| Choice { id, name }).collect())
}

/// The customer panel beside a ticket: the profile, its identities, the customer's other
/// tickets (those the agent may see) and their latest activity on every channel outside this
/// ticket.
pub async fn panel(
    db: &Db,
    agent: &CurrentUser,
    customer_id: i64,
    ticket_id: i64,
) -> Result<CustomerPanel, AppError> {
    let customer = customers::customer(db, customer_id).await?;
    let identities = customers::identities(db, customer_id).await?;
    let filter = InboxFilter {
        customer_id: Some(customer_id),
        restriction: restriction(db, agent).await?,
        ..Default::default()
    };
    let mut other_tickets = tickets::inbox(
        db,
        &filter,
        InboxSort::LastActivity,
        None,
        PANEL_TICKETS + 1,
    )
    .await?
    .items;
    other_tickets.retain(|other| other.id != ticket_id);
    other_tickets.truncate(PANEL_TICKETS as usize);
    let elsewhere = TimelineFilter { except_ticket: Some(ticket_id), restriction: filter.restriction.clone(), ..Default::default() };
    let recent = tickets::timeline(db, customer_id, &elsewhere, None, PANEL_TIMELINE).await?.items;
    let merges = customers::merges_into(db, customer_id).await?;
    Ok(CustomerPanel { customer, identities, other_tickets, recent, merges })
}

/// What an agent writes on a ticket: a reply to the customer, or an internal note.
pub struct AgentReply<'a> {
    pub body: &'a str,
    /// The channel a reply goes out on; ignored for a note.
    pub channel: Channel,
    pub internal: bool,
    /// The status the ticket takes once the reply is recorded (usually pending: the ball is
    /// in the customer's court).
    pub then: Option<TicketStatus>,
    pub uploads: &'a [&'a str],
    /// The macro the text came from: its changes apply with the reply (its status over `then`).
    pub macro_id: Option<i64>,
}

/// Records an agent's reply or note on a ticket. A reply is recorded on the channel chosen
/// (delivery over that channel is its outbound path's job); a closed ticket takes notes only.
pub async fn reply(db: &Db, agent: &CurrentUser, ticket_id: i64, reply: AgentReply<'_>) -> Result<(), AppError> {
    let body = reply.body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("Write a message before sending."));
    }
    if body.chars().count() > MAX_REPLY_CHARS {
        return Err(AppError::invalid(format!("A message has at most {MAX_REPLY_CHARS} characters.")));
    }
    let summary = tickets::summary(db, ticket_id).await?;
    let chosen = match reply.macro_id {
        Some(macro_id) => Some(usable_macro(db, macro_id, summary.status).await?),
        None => None,
    };
    let (kind, channel, outbound) = if reply.internal {
        (InteractionKind::Note, summary.channel, None)
    } else {
        if summary.status == TicketStatus::Closed {
            return Err(AppError::invalid(
                "This ticket is closed and takes no more replies. Add a note, or open a new ticket for the customer.",
            ));
        }
        let identities = customers::identities(db, summary.customer_id).await?;
        if !Channel::reply_channels(&identities).contains(&reply.channel) {
            return Err(AppError::invalid(format!(
                "{} cannot reach this customer: their profile has no address for it. Choose another channel.",
                reply.channel
            )));
        }
        let outbound = match reply.channel {
            Channel::Email => email_reply(&identities, &summary).map(Outbound::Email),
            channel => address_on(&identities, channel).map(|to| Outbound::Message { to }),
        };
        (InteractionKind::MessageOut, reply.channel, outbound)
    };
    let entry = NewInteraction {
        customer_id: summary.customer_id,
        ticket_id: Some(ticket_id),
        kind,
        channel,
        body,
        provider_message_id: None,
        author_id: Some(agent.id),
        files: Claim { owner: &attachments::owner_of_user(agent.id), tokens: reply.uploads },
        outbound,
        call: None,
    };
    let recorded = tickets::record_interaction(db, entry).await?;
    if let (true, tickets::Recorded::New(note_id)) = (reply.internal, recorded) {
        record_mentions(db, agent, note_id, body).await?;
    }
    let then = match &chosen {
        Some(chosen) => {
            apply_changes(db, agent, &summary, chosen).await?;
            chosen.fields.status.map_or(reply.then, |_| None)
        }
        None => reply.then,
    };
    match then {
        Some(status) if status != summary.status => set_status(db, agent, ticket_id, status, None).await,
        _ => Ok(()),
    }
}

/// The email carrying a reply: to the customer's address, under the ticket's subject and
/// number, which still threads the customer's answer if their mail client drops the headers.
fn email_reply(identities: &[Identity], summary: &TicketSummary) -> Option<EmailReply> {
    let to = identities.iter().find(|identity| identity.kind == IdentityKind::Email)?;
    let subject = summary.subject.trim();
    let subject = match subject.get(..3).is_some_and(|start| start.eq_ignore_ascii_case("re:")) {
        true => subject.to_owned(),
        false => format!("Re: {subject}"),
    };
    Some(EmailReply { to: to.value.clone(), subject: format!("{subject} [#{}]", summary.id) })
}

/// The customer's address for a reply through a provider: their phone number for SMS (and
/// for WhatsApp when no WhatsApp number is known), their Messenger id. The portal and chat
/// need none: the customer reads the reply there.
fn address_on(identities: &[Identity], channel: Channel) -> Option<String> {
    let kinds: &[IdentityKind] = match channel {
        Channel::Sms => &[IdentityKind::Phone],
        Channel::Whatsapp => &[IdentityKind::Whatsapp, IdentityKind::Phone],
        Channel::Social => &[IdentityKind::Facebook],
        _ => return None,
    };
    kinds.iter().find_map(|kind| identities.iter().find(|identity| identity.kind == *kind)).map(|identity| identity.value.clone())
}

async fn record_mentions(db: &Db, agent: &CurrentUser, note_id: i64, body: &str) -> Result<(), AppError> {
    let staff = staff_choices(db).await?;
    let named: Vec<i64> = mentioned(body, &staff).into_iter().filter(|&id| id != agent.id).collect();
    with_db!(db, |pool| {
        for user_id in named {
            sqlx::query("insert into note_mentions (interaction_id, user_id) values ($1, $2) on conflict do nothing")
                .bind(note_id)
                .bind(user_id)
                .execute(pool)
                .await?;
        }
    });
    Ok(())
}

/// Applies a macro's changes to a ticket. Its text, if it has any, is not sent: the composer
/// fills it in for the agent to check, and sends it through [`reply`] with the macro.
pub async fn apply_macro(db: &Db, agent: &CurrentUser, ticket_id: i64, macro_id: i64) -> Result<(), AppError> {
    let summary = tickets::summary(db, ticket_id).await?;
    let chosen = usable_macro(db, macro_id, summary.status).await?;
    apply_changes(db, agent, &summary, &chosen).await
}

async fn usable_macro(db: &Db, macro_id: i64, status: TicketStatus) -> Result<Macro, AppError> {
    let chosen = match macros::get(db, macro_id).await {
        Err(AppError::NotFound) => Err(AppError::invalid("That macro was deleted a moment ago; choose another.")),
        other => other,
    }?;
    if status == TicketStatus::Closed && !chosen.changes().is_empty() {
        return Err(AppError::invalid("This ticket is closed, so a macro cannot change it. Add a note instead."));
    }
    Ok(chosen)
}

/// Priority, tags added, assignment, then status, each against the ticket as the caller read
/// it: each change recorded as if made by hand, and the macro's use audited.
async fn apply_changes(db: &Db, agent: &CurrentUser, summary: &TicketSummary, chosen: &Macro) -> Result<(), AppError> {
    let (fields, ticket_id) = (&chosen.fields, summary.id);
    if let Some(priority) = fields.priority.filter(|&priority| priority != summary.priority) {
        set_priority(db, agent, ticket_id, priority).await?;
    }
    if !fields.add_tags.is_empty() {
        let mut tags = tickets::tags(db, ticket_id).await?;
        tags.extend(fields.add_tags.iter().cloned());
        set_tags(db, agent, ticket_id, &tags.join(" ")).await?;
    }
    if fields.assign_to_self || fields.team_id.is_some() {
        let assignee_id = if fields.assign_to_self { Some(agent.id) } else { summary.assignee_id };
        assign(db, agent, ticket_id, assignee_id, fields.team_id.or(summary.team_id)).await?;
    }
    if let Some(status) = fields.status.filter(|&status| status != summary.status) {
        set_status(db, agent, ticket_id, status, None).await?;
    }
    record(db, agent, "ticket.macro", ticket_id, json!({ "macro_id": chosen.id, "title": fields.title })).await
}

/// Sets a ticket's status; solving it records why. A closed ticket stays closed.
pub async fn set_status(
    db: &Db,
    agent: &CurrentUser,
    ticket_id: i64,
    status: TicketStatus,
    disposition: Option<Disposition>,
) -> Result<(), AppError> {
    let current = tickets::summary(db, ticket_id).await?.status;
    if current == TicketStatus::Closed && status != TicketStatus::Closed {
        return Err(AppError::invalid("A closed ticket cannot be reopened. Open a new ticket for the customer."));
    }
    if disposition.is_some() && status != TicketStatus::Solved {
        return Err(AppError::invalid("A reason is given only when solving a ticket."));
    }
    tickets::change_status(db, ticket_id, status, disposition, Some(agent.id)).await
}

pub async fn set_priority(db: &Db, agent: &CurrentUser, ticket_id: i64, priority: Priority) -> Result<(), AppError> {
    tickets::set_priority(db, ticket_id, priority).await?;
    record(db, agent, "ticket.priority", ticket_id, json!({ "priority": priority })).await
}

/// Gives the ticket to an agent and/or a team; `None` leaves that side unassigned.
pub async fn assign(
    db: &Db,
    agent: &CurrentUser,
    ticket_id: i64,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
) -> Result<(), AppError> {
    let (assignee_role, team) = with_db!(db, |pool| {
        let role = match assignee_id {
            Some(id) => sqlx::query_scalar::<_, String>("select role from users where id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?,
            None => None,
        };
        let team = match team_id {
            Some(id) => sqlx::query_scalar::<_, i64>("select id from teams where id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?,
            None => None,
        };
        (role, team)
    });
    if assignee_id.is_some() && assignee_role.is_none_or(|role| role == Role::Customer.as_str()) {
        return Err(AppError::invalid("Tickets are assigned to agents; choose one from the list."));
    }
    if team_id.is_some() && team.is_none() {
        return Err(AppError::invalid("That team does not exist any more; choose one from the list."));
    }
    tickets::assign(db, ticket_id, assignee_id, team_id).await?;
    let details = json!({ "assignee_id": assignee_id, "team_id": team_id });
    record(db, agent, "ticket.assign", ticket_id, details).await
}

/// Replaces the ticket's tags with those in `text` (separated by commas or spaces).
pub async fn set_tags(db: &Db, agent: &CurrentUser, ticket_id: i64, text: &str) -> Result<Vec<String>, AppError> {
    let tags: Vec<&str> = text.split([',', ' ']).filter(|tag| !tag.trim().is_empty()).collect();
    let tags = tickets::set_tags(db, ticket_id, &tags).await?;
    record(db, agent, "ticket.tags", ticket_id, json!({ "tags": tags })).await?;
    Ok(tags)
}

/// How long a ticket view counts as open without a fresh heartbeat.
pub const PRESENCE_TIMEOUT: chrono::Duration = chrono::Duration::seconds(30);

/// The agent has the ticket open (and is writing, or not): recorded, and the other agents
/// with it open are returned. Viewers hear of an arrival or a change of typing through a
/// ticket event; a plain heartbeat stays quiet.
pub async fn present(db: &Db, agent: &CurrentUser, ticket_id: i64, typing: bool) -> Result<Vec<Viewer>, AppError> {
    let now = clock::now();
    // A heartbeat that changes nothing is one statement and tells nobody; an arrival or a
    // change of typing is written with its event.
    let changed = with_db!(db, |pool| {
        let refreshed = sqlx::query(
            "update ticket_viewers set seen_at = $1
             where ticket_id = $2 and user_id = $3 and typing = $4 and seen_at > $5",
        )
        .bind(now)
        .bind(ticket_id)
        .bind(agent.id)
        .bind(typing)
        .bind(now - PRESENCE_TIMEOUT)
        .execute(pool)
        .await?
        .rows_affected();
        if refreshed == 0 {
            let mut tx = pool.begin_write().await?;
            let upserted = sqlx::query(
                "insert into ticket_viewers (ticket_id, user_id, typing, seen_at) values ($1, $2, $3, $4)
                 on conflict (ticket_id, user_id) do update set typing = excluded.typing, seen_at = excluded.seen_at",
            )
            .bind(ticket_id)
            .bind(agent.id)
            .bind(typing)
            .bind(now)
            .execute(&mut *tx)
            .await;
            match upserted {
                Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => return Err(AppError::NotFound),
                other => other?,
            };
            ticket_event!(&mut *tx, ticket_id, TicketEventKind::Presence, now)?;
            tx.commit().await?;
        }
        refreshed == 0
    });
    if changed {
        events::committed();
    }
    viewers(db, agent, ticket_id).await
}

/// The other agents with the ticket open, by name.
pub async fn viewers(db: &Db, agent: &CurrentUser, ticket_id: i64) -> Result<Vec<Viewer>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, String, bool)>(
            "select u.id, u.display_name, v.typing from ticket_viewers v join users u on u.id = v.user_id
             where v.ticket_id = $1 and v.user_id <> $2 and v.seen_at > $3 order by u.display_name",
        )
        .bind(ticket_id)
        .bind(agent.id)
        .bind(clock::now() - PRESENCE_TIMEOUT)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(|(user_id, name, typing)| Viewer { user_id, name, typing }).collect())
}

/// The agent closed the ticket: the others see them leave at once rather than in half a minute.
pub async fn leave(db: &Db, agent: &CurrentUser, ticket_id: i64) -> Result<(), AppError> {
    let now = clock::now();
    let left = with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let left = sqlx::query("delete from ticket_viewers where ticket_id = $1 and user_id = $2")
            .bind(ticket_id)
            .bind(agent.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if left > 0 {
            ticket_event!(&mut *tx, ticket_id, TicketEventKind::Presence, now)?;
        }
        tx.commit().await?;
        left
    });
    if left > 0 {
        events::committed();
    }
    Ok(())
}

async fn record(
    db: &Db,
    agent: &CurrentUser,
    action: &str,
    ticket_id: i64,
    details: serde_json::Value,
) -> Result<(), AppError> {
    audit::record(db, Some(agent.id), action, "ticket", ticket_id, details).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mention_names_a_colleague_by_full_or_first_name_and_nothing_longer() {
        let staff = [
            Choice { id: 1, name: "Sam Okafor".into() },
            Choice { id: 2, name: "Samira Haddad".into() },
            Choice { id: 3, name: "Priya Natarajan".into() },
        ];
        assert_eq!(mentioned("@Sam Okafor can you call them?", &staff), [1]);
        assert_eq!(mentioned("cc @sam, @PRIYA.", &staff), [1, 3]);
        assert_eq!(mentioned("@samira knows", &staff), [2]);
        assert!(mentioned("sam@example.com wrote in; @nobody", &staff).is_empty());
    }
}
