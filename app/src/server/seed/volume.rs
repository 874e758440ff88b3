//! Generated volume for benchmarks: customers with two identities each, tickets spread over
//! every status, channel, priority and team, and five timeline entries per ticket.
//!
//! The rows are produced inside the database (`insert … select` over a number series) in
//! batches, one transaction each: nothing crosses the wire but the batch bounds.

use crate::{
    error::AppError,
    server::db::{Backend, Db, with_db},
};
use chrono::Utc;

const BATCH: i64 = 50_000;
pub const INTERACTIONS_PER_TICKET: i64 = 5;
const TICKETS_PER_CUSTOMER: i64 = 4;

/// Adds `tickets` tickets (and their customers and timelines) after the existing rows.
pub async fn generate(db: &Db, tickets: i64, agent_id: i64) -> Result<(), AppError> {
    let backend = db.backend();
    let customers = (tickets + TICKETS_PER_CUSTOMER - 1) / TICKETS_PER_CUSTOMER;
    let bases = Bases {
        customer: max_id(db, "customers").await?,
        ticket: max_id(db, "tickets").await?,
        interaction: max_id(db, "interactions").await?,
        now: Utc::now().timestamp(),
    };
    // Generated tickets share the demo teams, so the team filter has real work to do.
    let (first_team, last_team): (Option<i64>, Option<i64>) = with_db!(db, |pool| {
        sqlx::query_as("select min(id), max(id) from teams").fetch_one(pool).await?
    });
    let teams = [first_team.unwrap_or(0), last_team.unwrap_or(0)];
    let interactions = tickets * INTERACTIONS_PER_TICKET;
    for (table, count, (sql, params)) in [
        ("customers", customers, customers_sql(backend, &bases)),
        ("identities", customers, identities_sql(backend, &bases, "email")),
        ("identities", customers, identities_sql(backend, &bases, "phone")),
        ("tickets", tickets, tickets_sql(backend, &bases, tickets, customers, agent_id, teams)),
        ("interactions", interactions, interactions_sql(backend, &bases, interactions, agent_id)),
    ] {
        let mut done = 0;
        while done < count {
            let upto = (done + BATCH).min(count);
            with_db!(db, |pool| {
                let mut query = sqlx::query(&sql).bind(done + 1).bind(upto);
                for value in &params {
                    query = query.bind(*value);
                }
                query.execute(pool).await?;
            });
            done = upto;
        }
        tracing::info!(table, rows = count, "generated");
    }
    if backend == Backend::Postgres {
        // Explicit ids bypass the identity sequences; move them past what was written.
        for table in ["customers", "identities", "tickets", "interactions"] {
            with_db!(db, |pool| {
                sqlx::query(&format!(
                    "select setval(pg_get_serial_sequence('{table}', 'id'), (select max(id) from {table}))"
                ))
                .execute(pool)
                .await?;
            });
        }
    }
    // Fresh statistics, so the planner knows the new shape of the data.
    with_db!(db, |pool| {
        sqlx::query("analyze").execute(pool).await?;
    });
    Ok(())
}

/// Where the generated ids start, and the moment the data is generated at.
struct Bases {
    customer: i64,
    ticket: i64,
    interaction: i64,
    now: i64,
}

async fn max_id(db: &Db, table: &str) -> Result<i64, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(&format!("select coalesce(max(id), 0) from {table}"))
            .fetch_one(pool)
            .await?
    }))
}

// Each statement inserts the rows numbered $1..=$2 of its table; its other parameters follow,
// as the returned list gives them.

/// The numbers $1..=$2, one row each, as `seq(i)`.
fn series(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "with recursive seq(i) as (select $1 union all select i + 1 from seq where i < $2)"
        }
        Backend::Postgres => "with seq(i) as (select generate_series($1::bigint, $2::bigint))",
    }
}

/// A timestamp `seconds` (an SQL expression) after the epoch, stored as each backend does.
fn at(backend: Backend, seconds: &str) -> String {
    match backend {
        Backend::Sqlite => format!("strftime('%Y-%m-%dT%H:%M:%S+00:00', {seconds}, 'unixepoch')"),
        Backend::Postgres => format!("to_timestamp({seconds})"),
    }
}

fn customers_sql(backend: Backend, bases: &Bases) -> (String, Vec<i64>) {
    let created = at(backend, "$4 - 86400 * 400 + i % (86400 * 365)");
    let sql = format!(
        "{series}
         insert into customers (id, display_name, tier, created_at, updated_at, last_contact_at)
         select $3 + i, 'Customer ' || i,
                case i % 10 when 0 then 'enterprise' when 1 then 'premium' else 'standard' end,
                {created}, {created}, {created}
         from seq",
        series = series(backend),
    );
    (sql, vec![bases.customer, bases.now])
}

fn identities_sql(backend: Backend, bases: &Bases, kind: &str) -> (String, Vec<i64>) {
    let value = match (kind, backend) {
        ("email", _) => "'customer' || i || '@example.test'",
        (_, Backend::Sqlite) => "'+1555' || substr('0000000' || i, -7, 7)",
        (_, Backend::Postgres) => "'+1555' || right('0000000' || i, 7)",
    };
    let sql = format!(
        "{series}
         insert into identities (customer_id, kind, value, verified, created_at)
         select $3 + i, '{kind}', {value}, true, {created}
         from seq",
        series = series(backend),
        created = at(backend, "$4 - 86400 * 400"),
    );
    (sql, vec![bases.customer, bases.now])
}

fn tickets_sql(
    backend: Backend,
    bases: &Bases,
    tickets: i64,
    customers: i64,
    agent_id: i64,
    teams: [i64; 2],
) -> (String, Vec<i64>) {
    // Ticket $6 is the newest; activity steps 37 s back per ticket.
    let activity = at(backend, "$5 - ($6 - i) * 37");
    let created = at(backend, "$5 - ($6 - i) * 37 - 3600");
    let sla = at(backend, "$5 + (i % 97) * 600 - 7200");
    let sql = format!(
        "{series}
         insert into tickets (id, customer_id, subject, status, priority, channel, assignee_id,
                              team_id, sla_due_at, last_activity_at, created_at, updated_at)
         select $3 + i,
                $4 + 1 + (i - 1) % $7,
                'Generated ticket ' || i,
                case i % 6 when 0 then 'new' when 1 then 'open' when 2 then 'pending'
                           when 3 then 'on_hold' when 4 then 'solved' else 'closed' end,
                case i % 4 when 0 then 'low' when 1 then 'normal' when 2 then 'high' else 'urgent' end,
                case i % 7 when 0 then 'portal' when 1 then 'email' when 2 then 'chat'
                           when 3 then 'sms' when 4 then 'whatsapp' when 5 then 'social' else 'phone' end,
                case when i % 3 = 0 then null else cast($8 as bigint) end,
                case i % 5 when 0 then null when 1 then null
                           when 2 then nullif(cast($9 as bigint), 0) else nullif(cast($10 as bigint), 0) end,
                case when i % 6 < 2 then {sla} else null end,
                {activity}, {created}, {activity}
         from seq",
        series = series(backend),
    );
    (sql, vec![bases.ticket, bases.customer, bases.now, tickets, customers, agent_id, teams[0], teams[1]])
}

fn interactions_sql(
    backend: Backend,
    bases: &Bases,
    interactions: i64,
    agent_id: i64,
) -> (String, Vec<i64>) {
    let per = INTERACTIONS_PER_TICKET;
    let created = at(backend, &format!("$6 - ($7 - i) * 37 / {per}"));
    let sql = format!(
        "{series}
         insert into interactions (id, customer_id, ticket_id, kind, channel, body, author_id, created_at)
         select $3 + i, t.customer_id, t.id,
                case i % {per} when 1 then 'message_out' when 3 then 'note' else 'message_in' end,
                t.channel,
                'Generated message ' || i || ' about the order, the invoice and the delivery.',
                case when i % {per} in (1, 3) then cast($5 as bigint) else null end,
                {created}
         from seq join tickets t on t.id = $4 + 1 + (i - 1) / {per}",
        series = series(backend),
    );
    (sql, vec![bases.interaction, bases.ticket, agent_id, bases.now, interactions])
}
