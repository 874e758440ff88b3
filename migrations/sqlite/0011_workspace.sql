-- The agent workspace.

-- Why a ticket was solved, chosen by the agent who solves it (reports group by it).
alter table tickets add column disposition text
    check (disposition in ('answered', 'fixed', 'workaround', 'feature_request', 'duplicate', 'no_response'));

-- Inbox views list unsolved tickets; these partial indexes hold only those, in list order, so
-- a view's first page reads its rows straight off an index however many tickets are solved.
create index tickets_unsolved_activity on tickets (last_activity_at desc, id desc)
    where status not in ('solved', 'closed');
create index tickets_unsolved_assignee on tickets (assignee_id, last_activity_at desc, id desc)
    where status not in ('solved', 'closed');
create index tickets_unsolved_team on tickets (team_id, last_activity_at desc, id desc)
    where status not in ('solved', 'closed');
create index tickets_unsolved_sla on tickets (sla_due_at, id)
    where status not in ('solved', 'closed');

-- Every change to a ticket, in order: open workspaces follow it live, and one that lost its
-- connection catches up from the last id it saw. Kept for a day (housekeeping prunes it).
create table ticket_events (
    id         integer primary key,
    ticket_id  integer not null,
    kind       text not null check (kind in ('message', 'note', 'status', 'assignment', 'fields', 'presence')),
    created_at timestamp not null
);

-- Who has a ticket open right now, and whether they are writing a reply: refreshed by each
-- open ticket view every few seconds, so a row older than half a minute is someone gone.
create table ticket_viewers (
    ticket_id integer not null references tickets (id) on delete cascade,
    user_id   integer not null references users (id) on delete cascade,
    typing    boolean not null,
    seen_at   timestamp not null,
    primary key (ticket_id, user_id)
);
