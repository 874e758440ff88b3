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

-- Every change to a ticket, in order: open workspaces follow it live, and one that lost its
-- connection catches up from the last id it saw. Kept for a day (housekeeping prunes it).
create table ticket_events (
    id         integer primary key,
    ticket_id  integer not null,
    kind       text not null check (kind in ('message', 'note', 'status', 'assignment', 'fields')),
    created_at timestamp not null
);
