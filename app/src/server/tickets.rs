//! Tickets and the interaction timeline: writing them, and the pages the UIs read.

use super::{
    attachments::{self, Claim, claim_uploads},
    clock,
    events::{self, ticket_event},
    inbound::calls::{CallRecord, insert_call},
    mail::{self, EmailReply},
    outbound,
    db::{BeginWrite, Db, decode_text, with_db},
};
use crate::{
    error::AppError,
    model::{
        Channel, Disposition, InboxFilter, InboxSort, Interaction, InteractionKind, Page, PageCursor,
        Priority, Satisfaction, TeamRestriction, Ticket, TicketEventKind, TicketStatus, TicketSummary, TicketThread, TimelineFilter,
    },
};
use chrono::{DateTime, Utc};

pub const MAX_PAGE_SIZE: i64 = 100;
const THREAD_LIMIT: i64 = 1_000;

pub struct NewTicket<'a> {
    pub customer_id: i64,
    pub subject: &'a str,
    pub channel: Channel,
    pub priority: Priority,
    pub team_id: Option<i64>,
    pub sla_due_at: Option<DateTime<Utc>>,
}

/// A new ticket: $1 customer, $2 subject, $3 priority, $4 channel, $5 team, $6 SLA due, $7 now.
pub(crate) const INSERT_TICKET: &str = "
    insert into tickets (customer_id, subject, status, priority, channel, team_id,
                         sla_due_at, last_activity_at, created_at, updated_at)
    values ($1, $2, 'new', $3, $4, $5, $6, $7, $7, $7) returning id";

/// The subject trimmed, or why it cannot be one.
pub(crate) fn subject(raw: &str) -> Result<&str, AppError> {
    let subject = raw.trim();
    if subject.is_empty() || subject.chars().count() > 250 {
        return Err(AppError::invalid("A subject of 1 to 250 characters is needed."));
    }
    Ok(subject)
}

pub async fn create_ticket(db: &Db, ticket: NewTicket<'_>) -> Result<i64, AppError> {
    let subject = subject(ticket.subject)?;
    let now = clock::now();
    let id = with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let id = sqlx::query_scalar::<_, i64>(INSERT_TICKET)
            .bind(ticket.customer_id)
            .bind(subject)
            .bind(ticket.priority.as_str())
            .bind(ticket.channel.as_str())
            .bind(ticket.team_id)
            .bind(ticket.sla_due_at)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        ticket_event!(&mut *tx, id, TicketEventKind::Message, now)?;
        tx.commit().await?;
        id
    });
    events::committed();
    Ok(id)
}

pub struct NewInteraction<'a> {
    pub customer_id: i64,
    pub ticket_id: Option<i64>,
    pub kind: InteractionKind,
    pub channel: Channel,
    pub body: &'a str,
    /// The channel provider's id for the message; a retried delivery carries the same one.
    pub provider_message_id: Option<&'a str>,
    pub author_id: Option<i64>,
    /// Files uploaded for this message, claimed in its transaction.
    pub files: Claim<'a>,
    /// For a reply to the customer: what carries it, queued in the same transaction.
    pub outbound: Option<Outbound>,
    /// For a call an agent logs: its facts.
    pub call: Option<CallRecord>,
}

/// How a reply leaves: by email, or by a provider's API to the customer's address on the
/// reply's channel (SMS, WhatsApp, Messenger).
#[derive(Clone, Debug)]
pub enum Outbound {
    Email(EmailReply),
    Message { to: String },
}

#[derive(Debug, PartialEq, Eq)]
pub enum Recorded {
    New(i64),
    /// The provider message id was seen before: nothing was written.
    Duplicate(i64),
}

/// Adds a timeline entry and, in the same transaction, bumps its ticket's activity and the
/// customer's last contact. Idempotent on (channel, provider message id).
pub async fn record_interaction(db: &Db, entry: NewInteraction<'_>) -> Result<Recorded, AppError> {
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let inserted = sqlx::query_scalar::<_, i64>(
            "insert into interactions (customer_id, ticket_id, kind, channel, body,
                                       provider_message_id, author_id, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8)
             on conflict (channel, provider_message_id) do nothing
             returning id",
        )
        .bind(entry.customer_id)
        .bind(entry.ticket_id)
        .bind(entry.kind.as_str())
        .bind(entry.channel.as_str())
        .bind(entry.body)
        .bind(entry.provider_message_id)
        .bind(entry.author_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = inserted else {
            tx.rollback().await?;
            let existing = sqlx::query_scalar::<_, i64>(
                "select id from interactions where channel = $1 and provider_message_id = $2",
            )
            .bind(entry.channel.as_str())
            .bind(entry.provider_message_id)
            .fetch_one(pool)
            .await?;
            return Ok(Recorded::Duplicate(existing));
        };
        claim_uploads!(tx, id, entry.files)?;
        match (&entry.outbound, entry.ticket_id) {
            (Some(Outbound::Email(email)), Some(ticket_id)) => mail::queue_reply!(tx, ticket_id, id, entry.body, email, now),
            (Some(Outbound::Message { to }), _) => {
                // Text channels show no markup: the reply goes as its markdown reads.
                outbound::queue_message!(tx, id, entry.channel, to, crate::markdown::message_text(entry.body), now);
            }
            _ => {}
        }
        if let Some(call) = &entry.call {
            insert_call!(tx, id, call);
        }
        if let Some(ticket_id) = entry.ticket_id {
            // The first message out is the ticket's first response, whatever the channel.
            sqlx::query(
                "update tickets set last_activity_at = $1, updated_at = $1,
                     first_response_at = case when $3 then coalesce(first_response_at, $1)
                                              else first_response_at end
                 where id = $2",
            )
                .bind(now)
                .bind(ticket_id)
                .bind(entry.kind == InteractionKind::MessageOut)
                .execute(&mut *tx)
                .await?;
            let kind = match entry.kind {
                InteractionKind::Note => TicketEventKind::Note,
                _ => TicketEventKind::Message,
            };
            ticket_event!(&mut *tx, ticket_id, kind, now)?;
        }
        if entry.kind == InteractionKind::MessageIn {
            sqlx::query("update customers set last_contact_at = $1 where id = $2")
                .bind(now)
                .bind(entry.customer_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        events::committed();
        Ok(Recorded::New(id))
    })
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    subject: String,
    status: String,
    priority: String,
    channel: String,
    customer_id: i64,
    customer_name: String,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
    sla_due_at: Option<DateTime<Utc>>,
    last_activity_at: DateTime<Utc>,
    assignee_name: Option<String>,
    preview: Option<String>,
}

impl SummaryRow {
    fn into_summary(self) -> Result<TicketSummary, AppError> {
        Ok(TicketSummary {
            id: self.id,
            subject: self.subject,
            status: decode_text(&self.status)?,
            priority: decode_text(&self.priority)?,
            channel: decode_text(&self.channel)?,
            customer_id: self.customer_id,
            customer_name: self.customer_name,
            assignee_id: self.assignee_id,
            team_id: self.team_id,
            sla_due_at: self.sla_due_at,
            last_activity_at: self.last_activity_at,
            assignee_name: self.assignee_name,
            preview: self.preview.as_deref().map(preview_text).unwrap_or_default(),
            unread: false,
            mentioned: false,
        })
    }
}

/// The last message's start, as the inbox shows it: what an agent wrote is markdown, shown as
/// it reads. The column carries the message's kind before a colon (see [`SUMMARY_COLUMNS`]).
fn preview_text(preview: &str) -> String {
    match preview.split_once(':') {
        Some(("message_out", markdown)) => crate::markdown::message_text(markdown),
        Some((_, text)) => text.to_owned(),
        None => preview.to_owned(),
    }
}

/// A ticket's summary columns; the query joins `customers c` and left-joins `users a` (the
/// assignee). The preview reads one row off the ticket's timeline index, with its kind in
/// front so one subquery serves.
const SUMMARY_COLUMNS: &str = "t.id, t.subject, t.status, t.priority, t.channel, t.customer_id,
    c.display_name as customer_name, t.assignee_id, t.team_id, t.sla_due_at, t.last_activity_at,
    a.display_name as assignee_name,
    (select m.kind || ':' || substr(m.body, 1, 160) from interactions m
      where m.ticket_id = t.id and m.kind in ('message_in', 'message_out')
      order by m.created_at desc, m.id desc limit 1) as preview";

const SUMMARY_FROM: &str =
    "tickets t join customers c on c.id = t.customer_id left join users a on a.id = t.assignee_id";

/// Tickets that still need work, written as the partial indexes' predicate so both backends
/// use them.
const UNSOLVED: &str = "t.status not in ('solved', 'closed')";

/// A priority's place in the priority sort, most urgent first: the SQL the inbox orders by
/// (and its indexes hold) and the same rank in Rust, which must agree.
macro_rules! urgency_sql {
    () => {
        "(case t.priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end)"
    };
}

/// The SQL condition on the tickets row `ticket` that holds for the tickets an agent under
/// `restriction` may see: no restricted team of theirs, or assigned to them. Ids come from the
/// database and the session as integers, so listing them inline is safe.
pub(crate) fn visible_to(restriction: &TeamRestriction, ticket: &str) -> String {
    if restriction.teams.is_empty() {
        return "true".into();
    }
    let teams = restriction.teams.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    format!(
        "({ticket}.team_id is null or {ticket}.team_id not in ({teams}) or {ticket}.assignee_id = {})",
        restriction.agent_id
    )
}

/// A value bound to a dynamically built query.
enum Param {
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
}

/// One page of the agent inbox, keyset-paginated: a page boundary is the (sort key, id) of
/// the last row, so rows inserted meanwhile neither repeat nor skip rows of later pages.
pub async fn inbox(
    db: &Db,
    filter: &InboxFilter,
    sort: InboxSort,
    after: Option<&PageCursor>,
    limit: i64,
) -> Result<Page<TicketSummary>, AppError> {
    let limit = limit.clamp(1, MAX_PAGE_SIZE);
    if let Some(teams) = filter.teams.as_ref().filter(|teams| teams.len() > 1 && filter.team_id.is_none()) {
        return across_teams(db, filter, teams, sort, after, limit).await;
    }
    let mut conditions: Vec<String> = Vec::new();
    let mut params: Vec<Param> = Vec::new();
    let mut bind = |value: Param| {
        params.push(value);
        format!("${}", params.len())
    };
    if let Some(customer) = filter.customer_id {
        conditions.push(format!("t.customer_id = {}", bind(Param::Int(customer))));
    }
    if let Some(status) = filter.status {
        conditions.push(format!("t.status = {}", bind(Param::Text(status.as_str().into()))));
    }
    if filter.unsolved {
        conditions.push(UNSOLVED.into());
    }
    if let Some(assignee) = filter.assignee_id {
        conditions.push(format!("t.assignee_id = {}", bind(Param::Int(assignee))));
    }
    if filter.unassigned {
        conditions.push("t.assignee_id is null".into());
    }
    if let Some(team) = filter.team_id {
        conditions.push(format!("t.team_id = {}", bind(Param::Int(team))));
    }
    if let Some(teams) = &filter.teams {
        let teams: Vec<String> = teams.iter().map(|team| bind(Param::Int(*team))).collect();
        conditions.push(match teams.is_empty() {
            true => "false".into(),
            false => format!("t.team_id in ({})", teams.join(", ")),
        });
    }
    if let Some(tag) = &filter.tag {
        conditions.push(format!(
            "exists (select 1 from ticket_tags g where g.ticket_id = t.id and g.tag = {})",
            bind(Param::Text(tag.clone()))
        ));
    }
    if let Some(channel) = filter.channel {
        conditions.push(format!("t.channel = {}", bind(Param::Text(channel.as_str().into()))));
    }
    if let Some(priority) = filter.priority {
        conditions.push(format!("t.priority = {}", bind(Param::Text(priority.as_str().into()))));
    }
    if let Some(restriction) = &filter.restriction {
        conditions.push(visible_to(restriction, "t"));
    }
    let (columns, order, beyond): (&[&str], _, _) = match sort {
        InboxSort::LastActivity => (&["t.last_activity_at", "t.id"], "desc", "<"),
        InboxSort::OldestWaiting => (&["t.last_activity_at", "t.id"], "asc", ">"),
        InboxSort::SlaDue => (&["t.sla_due_at", "t.id"], "asc", ">"),
        InboxSort::Priority => (&[urgency_sql!(), "t.last_activity_at", "t.id"], "asc", ">"),
    };
    let key = columns.join(", ");
    if sort == InboxSort::SlaDue {
        conditions.push("t.sla_due_at is not null".into());
    }
    if let Some(cursor) = after {
        let last = InboxKey::decode(cursor, sort)?;
        let (at, id) = (bind(Param::Time(last.at)), bind(Param::Int(last.id)));
        conditions.push(match sort {
            InboxSort::Priority => format!(
                "({key}) {beyond} ({}, {at}, {id})",
                bind(Param::Int(last.urgency))
            ),
            _ => format!("({key}) {beyond} ({at}, {id})"),
        });
    }
    let filter_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!("where {}", conditions.join(" and "))
    };
    let sql = format!(
        "select {SUMMARY_COLUMNS} from {SUMMARY_FROM}
         {filter_sql} order by {} limit {}",
        columns
            .iter()
            .map(|column| format!("{column} {order}"))
            .collect::<Vec<_>>()
            .join(", "),
        limit + 1
    );
    let rows = with_db!(db, |pool| {
        let mut query = sqlx::query_as::<_, SummaryRow>(&sql);
        for value in &params {
            query = match value {
                Param::Text(text) => query.bind(text.as_str()),
                Param::Int(int) => query.bind(*int),
                Param::Time(time) => query.bind(*time),
            };
        }
        query.fetch_all(pool).await?
    });
    let items = rows
        .into_iter()
        .map(SummaryRow::into_summary)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |last| {
        InboxKey::of(last, sort).encode(sort)
    }))
}

/// The rank `urgency_sql!` gives a priority.
fn urgency(priority: Priority) -> i64 {
    match priority {
        Priority::Urgent => 0,
        Priority::High => 1,
        Priority::Normal => 2,
        Priority::Low => 3,
    }
}

/// An inbox row's place in its sort: the priority rank (priority sort only, else 0), the
/// time the sort reads and the id that breaks ties.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct InboxKey {
    urgency: i64,
    at: DateTime<Utc>,
    id: i64,
}

impl InboxKey {
    fn of(ticket: &TicketSummary, sort: InboxSort) -> Self {
        let (urgency, at) = match sort {
            InboxSort::LastActivity | InboxSort::OldestWaiting => (0, ticket.last_activity_at),
            InboxSort::SlaDue => (0, ticket.sla_due_at.unwrap_or(ticket.last_activity_at)),
            InboxSort::Priority => (self::urgency(ticket.priority), ticket.last_activity_at),
        };
        Self {
            urgency,
            at,
            id: ticket.id,
        }
    }

    fn encode(self, sort: InboxSort) -> PageCursor {
        let PageCursor(at_and_id) = encode_cursor(self.at, self.id);
        match sort {
            InboxSort::Priority => PageCursor(format!("{}.{at_and_id}", self.urgency)),
            _ => PageCursor(at_and_id),
        }
    }

    fn decode(cursor: &PageCursor, sort: InboxSort) -> Result<Self, AppError> {
        let (urgency, at_and_id) = match sort {
            InboxSort::Priority => {
                let (urgency, rest) = cursor.0.split_once('.').ok_or_else(invalid_cursor)?;
                (urgency.parse().map_err(|_| invalid_cursor())?, rest)
            }
            _ => (0, cursor.0.as_str()),
        };
        let (at, id) = decode_cursor(&PageCursor(at_and_id.to_owned()))?;
        Ok(Self { urgency, at, id })
    }
}

/// One page over several teams: a page per team (each read in order off the team's index)
/// merged, as one `team_id in (...)` query would have to sort every matching row instead.
async fn across_teams(
    db: &Db,
    filter: &InboxFilter,
    teams: &[i64],
    sort: InboxSort,
    after: Option<&PageCursor>,
    limit: i64,
) -> Result<Page<TicketSummary>, AppError> {
    let mut items = Vec::new();
    let mut more = false;
    for team in teams {
        let one = InboxFilter { teams: None, team_id: Some(*team), ..filter.clone() };
        let page = Box::pin(inbox(db, &one, sort, after, limit)).await?;
        more |= page.next.is_some();
        items.extend(page.items);
    }
    items.sort_by_key(|ticket| InboxKey::of(ticket, sort));
    if sort == InboxSort::LastActivity {
        items.reverse();
    }
    more |= items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next = match more {
        true => items
            .last()
            .map(|last| InboxKey::of(last, sort).encode(sort)),
        false => None,
    };
    Ok(Page { items, next })
}

/// A customer's timeline across every channel, newest first, keyset-paginated, optionally
/// narrowed to one channel or one ticket.
pub async fn timeline(
    db: &Db,
    customer_id: i64,
    filter: &TimelineFilter,
    after: Option<&PageCursor>,
    limit: i64,
) -> Result<Page<Interaction>, AppError> {
    let limit = limit.clamp(1, MAX_PAGE_SIZE);
    let after = after.map(decode_cursor).transpose()?;
    // Placeholders are numbered as the optional conditions are added; binds follow that order.
    let mut conditions = String::from("i.customer_id = $1");
    let mut next = 2;
    let mut placeholder = || {
        next += 1;
        format!("${}", next - 1)
    };
    if filter.channel.is_some() {
        conditions += &format!(" and i.channel = {}", placeholder());
    }
    if filter.ticket_id.is_some() {
        conditions += &format!(" and i.ticket_id = {}", placeholder());
    }
    if filter.except_ticket.is_some() {
        conditions += &format!(" and (i.ticket_id is null or i.ticket_id <> {})", placeholder());
    }
    if after.is_some() {
        conditions += &format!(" and (i.created_at, i.id) < ({}, {})", placeholder(), placeholder());
    }
    if filter.without_notes {
        conditions += " and i.kind <> 'note'";
    }
    if let Some(restriction) = &filter.restriction {
        conditions += &format!(
            " and (i.ticket_id is null or exists (select 1 from tickets x where x.id = i.ticket_id and {}))",
            visible_to(restriction, "x")
        );
    }
    let sql = format!(
        "select {INTERACTION_COLUMNS} from interactions i left join users u on u.id = i.author_id
         where {conditions} order by i.created_at desc, i.id desc limit {}",
        placeholder()
    );
    let rows = with_db!(db, |pool| {
        let mut query = sqlx::query_as::<_, InteractionRow>(&sql).bind(customer_id);
        if let Some(channel) = filter.channel {
            query = query.bind(channel.as_str());
        }
        if let Some(ticket_id) = filter.ticket_id {
            query = query.bind(ticket_id);
        }
        if let Some(ticket_id) = filter.except_ticket {
            query = query.bind(ticket_id);
        }
        if let Some((at, id)) = after {
            query = query.bind(at).bind(id);
        }
        query.bind(limit + 1).fetch_all(pool).await?
    });
    let items = rows
        .into_iter()
        .map(InteractionRow::into_interaction)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(into_page(items, limit, |last| encode_cursor(last.created_at, last.id)))
}

/// One ticket's inbox line.
pub async fn summary(db: &Db, ticket_id: i64) -> Result<TicketSummary, AppError> {
    let row = with_db!(db, |pool| {
        sqlx::query_as::<_, SummaryRow>(&format!("select {SUMMARY_COLUMNS} from {SUMMARY_FROM} where t.id = $1"))
            .bind(ticket_id)
            .fetch_optional(pool)
            .await?
    });
    row.ok_or(AppError::NotFound)?.into_summary()
}

/// A ticket's tags, in order.
pub async fn tags(db: &Db, ticket_id: i64) -> Result<Vec<String>, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_scalar::<_, String>("select tag from ticket_tags where ticket_id = $1 order by tag")
            .bind(ticket_id)
            .fetch_all(pool)
            .await?
    }))
}

/// A ticket with its tags and its whole conversation, oldest first.
pub async fn ticket_thread(db: &Db, ticket_id: i64) -> Result<TicketThread, AppError> {
    let tags = tags(db, ticket_id).await?;
    let (row, interactions, satisfaction) = with_db!(db, |pool| {
        let row = sqlx::query_as::<_, TicketRow>(&format!(
            "select {SUMMARY_COLUMNS}, t.disposition, t.first_response_at, t.solved_at, t.closed_at,
                    t.created_at
             from {SUMMARY_FROM} where t.id = $1"
        ))
        .bind(ticket_id)
        .fetch_optional(pool)
        .await?;
        let interactions = sqlx::query_as::<_, InteractionRow>(&format!(
            "select {INTERACTION_COLUMNS} from interactions i left join users u on u.id = i.author_id
             where i.ticket_id = $1 order by i.created_at, i.id limit $2"
        ))
        .bind(ticket_id)
        .bind(THREAD_LIMIT)
        .fetch_all(pool)
        .await?;
        let satisfaction = sqlx::query_as::<_, (i16, i16, String, DateTime<Utc>)>(
            "select csat, ces, comment, created_at from satisfaction_ratings where ticket_id = $1",
        )
        .bind(ticket_id)
        .fetch_optional(pool)
        .await?;
        (row, interactions, satisfaction)
    });
    let row = row.ok_or(AppError::NotFound)?;
    let mut files = attachments::of_ticket(db, ticket_id).await?;
    Ok(TicketThread {
        ticket: Ticket {
            first_response_at: row.first_response_at,
            solved_at: row.solved_at,
            closed_at: row.closed_at,
            created_at: row.created_at,
            disposition: row.disposition.as_deref().map(decode_text).transpose()?,
            summary: row.summary.into_summary()?,
            tags,
        },
        interactions: interactions
            .into_iter()
            .map(|row| {
                let mut interaction = row.into_interaction()?;
                interaction.attachments = files.remove(&interaction.id).unwrap_or_default();
                Ok(interaction)
            })
            .collect::<Result<_, AppError>>()?,
        satisfaction: satisfaction.map(|(csat, ces, comment, created_at)| Satisfaction {
            csat: csat as u8,
            ces: ces as u8,
            comment,
            created_at,
        }),
    })
}

#[derive(sqlx::FromRow)]
struct TicketRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    disposition: Option<String>,
    first_response_at: Option<DateTime<Utc>>,
    solved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

const INTERACTION_COLUMNS: &str = "i.id, i.customer_id, i.ticket_id, i.kind, i.channel, i.body,
    i.author_id, u.display_name as author_name, i.created_at";

#[derive(sqlx::FromRow)]
struct InteractionRow {
    id: i64,
    customer_id: i64,
    ticket_id: Option<i64>,
    kind: String,
    channel: String,
    body: String,
    author_id: Option<i64>,
    author_name: Option<String>,
    created_at: DateTime<Utc>,
}

impl InteractionRow {
    fn into_interaction(self) -> Result<Interaction, AppError> {
        let kind = decode_text(&self.kind)?;
        // Agents write replies and notes in markdown (the reply box, canned responses, articles
        // inserted as markdown); customers' and automatic messages are shown as written.
        let from_agent = self.author_id.is_some() && matches!(kind, InteractionKind::MessageOut | InteractionKind::Note);
        Ok(Interaction {
            id: self.id,
            customer_id: self.customer_id,
            ticket_id: self.ticket_id,
            kind,
            channel: decode_text(&self.channel)?,
            body_html: from_agent.then(|| crate::markdown::render_web_html(&self.body)),
            body: self.body,
            author_id: self.author_id,
            author_name: self.author_name,
            created_at: self.created_at,
            attachments: Vec::new(),
            delivery: None,
        })
    }
}

/// Changes a ticket's status and records the change on the timeline, in one transaction.
pub async fn set_status(
    db: &Db,
    ticket_id: i64,
    status: TicketStatus,
    actor_id: Option<i64>,
) -> Result<(), AppError> {
    change_status(db, ticket_id, status, None, actor_id).await
}

/// Like [`set_status`], with why the ticket was solved when an agent solves it. Reopening
/// clears the disposition, so a ticket solved twice reports only its final reason.
pub async fn change_status(
    db: &Db,
    ticket_id: i64,
    status: TicketStatus,
    disposition: Option<Disposition>,
    actor_id: Option<i64>,
) -> Result<(), AppError> {
    let now = clock::now();
    let note = match disposition {
        Some(disposition) => format!("Status changed to {status} ({})", disposition.label()),
        None => format!("Status changed to {status}"),
    };
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let customer_id = sqlx::query_scalar::<_, i64>(
            "update tickets set status = $1, updated_at = $2, last_activity_at = $2,
                 solved_at = case when $1 = 'solved' then $2 else solved_at end,
                 closed_at = case when $1 = 'closed' then $2 else closed_at end,
                 disposition = case when $1 in ('solved', 'closed') then coalesce($4, disposition)
                                    else null end
             where id = $3 returning customer_id",
        )
        .bind(status.as_str())
        .bind(now)
        .bind(ticket_id)
        .bind(disposition.map(Disposition::as_str))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
        sqlx::query(
            "insert into interactions (customer_id, ticket_id, kind, channel, body, author_id, created_at)
             select $1, $2, 'status_change', channel, $3, $4, $5 from tickets where id = $2",
        )
        .bind(customer_id)
        .bind(ticket_id)
        .bind(note)
        .bind(actor_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        ticket_event!(&mut *tx, ticket_id, TicketEventKind::Status, now)?;
        tx.commit().await?;
    });
    events::committed();
    Ok(())
}

/// Changes a ticket's priority.
pub async fn set_priority(db: &Db, ticket_id: i64, priority: Priority) -> Result<(), AppError> {
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let updated = sqlx::query("update tickets set priority = $1, updated_at = $2 where id = $3")
            .bind(priority.as_str())
            .bind(now)
            .bind(ticket_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if updated == 0 {
            return Err(AppError::NotFound);
        }
        ticket_event!(&mut *tx, ticket_id, TicketEventKind::Fields, now)?;
        tx.commit().await?;
    });
    events::committed();
    Ok(())
}

/// Turns the `limit + 1` rows a page query fetched into a page: the extra row only says that
/// there is a next page, which starts after the last row kept.
fn into_page<T>(mut items: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> PageCursor) -> Page<T> {
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(cursor_of)
    } else {
        None
    };
    Page { items, next }
}

fn encode_cursor(at: DateTime<Utc>, id: i64) -> PageCursor {
    PageCursor(format!("{}_{id}", at.timestamp_micros()))
}

fn invalid_cursor() -> AppError {
    AppError::invalid("This page link is not valid any more; start from the first page.")
}

fn decode_cursor(cursor: &PageCursor) -> Result<(DateTime<Utc>, i64), AppError> {
    let (micros, id) = cursor.0.split_once('_').ok_or_else(invalid_cursor)?;
    let at = micros
        .parse()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(invalid_cursor)?;
    Ok((at, id.parse().map_err(|_| invalid_cursor())?))
}

/// Gives a ticket to an agent and/or a team (`None` leaves that side unassigned).
pub async fn assign(
    db: &Db,
    ticket_id: i64,
    assignee_id: Option<i64>,
    team_id: Option<i64>,
) -> Result<(), AppError> {
    let now = clock::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let updated = sqlx::query("update tickets set assignee_id = $1, team_id = $2, updated_at = $3 where id = $4")
            .bind(assignee_id)
            .bind(team_id)
            .bind(now)
            .bind(ticket_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if updated == 0 {
            return Err(AppError::NotFound);
        }
        ticket_event!(&mut *tx, ticket_id, TicketEventKind::Assignment, now)?;
        tx.commit().await?;
    });
    events::committed();
    Ok(())
}

pub const MAX_TAGS: usize = 20;

/// Tags as they are stored: lowercase words (letters, digits, `-`, `_`), so "Billing" and
/// "billing " are one tag; sorted, each once, at most [`MAX_TAGS`].
pub fn normalize_tags<S: AsRef<str>>(tags: &[S]) -> Result<Vec<String>, AppError> {
    let mut normalized = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = tag.as_ref().trim().to_lowercase();
        let valid = (1..=40).contains(&tag.chars().count())
            && tag.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(AppError::invalid(format!(
                "{tag:?} is not a valid tag: use 1 to 40 letters, digits, - or _."
            )));
        }
        if !normalized.contains(&tag) {
            normalized.push(tag);
        }
    }
    if normalized.len() > MAX_TAGS {
        return Err(AppError::invalid(format!("A ticket has at most {MAX_TAGS} tags.")));
    }
    normalized.sort();
    Ok(normalized)
}

/// Replaces a ticket's tags (see [`normalize_tags`]).
pub async fn set_tags(db: &Db, ticket_id: i64, tags: &[&str]) -> Result<Vec<String>, AppError> {
    let normalized = normalize_tags(tags)?;
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        // Finds the ticket and marks its activity in one statement.
        let touched = sqlx::query("update tickets set updated_at = $1 where id = $2")
            .bind(clock::now())
            .bind(ticket_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if touched == 0 {
            return Err(AppError::NotFound);
        }
        sqlx::query("delete from ticket_tags where ticket_id = $1")
            .bind(ticket_id)
            .execute(&mut *tx)
            .await?;
        for tag in &normalized {
            sqlx::query("insert into ticket_tags (ticket_id, tag) values ($1, $2)")
                .bind(ticket_id)
                .bind(tag)
                .execute(&mut *tx)
                .await?;
        }
        ticket_event!(&mut *tx, ticket_id, TicketEventKind::Fields, clock::now())?;
        tx.commit().await?;
    });
    events::committed();
    Ok(normalized)
}
