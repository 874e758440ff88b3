-- The shared model of the portal, the history view and the agent workspace.

create table teams (
    id         integer primary key,
    name       text not null unique,
    created_at timestamp not null
);

create table team_members (
    team_id integer not null references teams (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    primary key (team_id, user_id)
);

create table skills (
    id   integer primary key,
    name text not null unique
);

create table user_skills (
    user_id  integer not null references users (id) on delete cascade,
    skill_id integer not null references skills (id) on delete cascade,
    level    integer not null default 1 check (level between 1 and 5),
    primary key (user_id, skill_id)
);

-- One unified profile per person, whatever channels they use.
create table customers (
    id              integer primary key,
    display_name    text not null,
    tier            text not null default 'standard' check (tier in ('standard', 'premium', 'enterprise')),
    attributes      text not null default '{}',
    last_seen_at    timestamp,
    last_contact_at timestamp,
    merged_into_id  integer references customers (id),
    created_at      timestamp not null,
    updated_at      timestamp not null
);

alter table users add column customer_id integer references customers (id);
create index users_customer on users (customer_id);

-- Every way to reach a customer; inbound contacts resolve through these.
create table identities (
    id          integer primary key,
    customer_id integer not null references customers (id),
    kind        text not null check (kind in ('email', 'phone', 'account_id', 'whatsapp', 'twitter', 'facebook', 'chat_visitor')),
    value       text not null,
    verified    boolean not null default false,
    created_at  timestamp not null,
    unique (kind, value)
);
create index identities_customer on identities (customer_id);

create table tickets (
    id                 integer primary key,
    customer_id        integer not null references customers (id),
    subject            text not null,
    status             text not null check (status in ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
    priority           text not null check (priority in ('low', 'normal', 'high', 'urgent')),
    channel            text not null check (channel in ('portal', 'email', 'chat', 'sms', 'whatsapp', 'social', 'phone')),
    assignee_id        integer references users (id),
    team_id            integer references teams (id),
    sla_due_at         timestamp,
    first_response_at  timestamp,
    solved_at          timestamp,
    closed_at          timestamp,
    last_activity_at   timestamp not null,
    created_at         timestamp not null,
    updated_at         timestamp not null
);
-- The inbox: newest activity first, optionally narrowed by one attribute (keyset on id).
create index tickets_activity on tickets (last_activity_at desc, id desc);
create index tickets_status_activity on tickets (status, last_activity_at desc, id desc);
create index tickets_assignee_activity on tickets (assignee_id, last_activity_at desc, id desc);
create index tickets_team_activity on tickets (team_id, last_activity_at desc, id desc);
create index tickets_channel_activity on tickets (channel, last_activity_at desc, id desc);
create index tickets_priority_activity on tickets (priority, last_activity_at desc, id desc);
create index tickets_sla_due on tickets (sla_due_at, id) where sla_due_at is not null;
create index tickets_customer on tickets (customer_id, last_activity_at desc);

create table ticket_tags (
    ticket_id integer not null references tickets (id) on delete cascade,
    tag       text not null,
    primary key (ticket_id, tag)
);
create index ticket_tags_tag on ticket_tags (tag);

-- The timeline: everything that happened with a customer, on every channel.
create table interactions (
    id                  integer primary key,
    customer_id         integer not null references customers (id),
    ticket_id           integer references tickets (id),
    kind                text not null check (kind in ('message_in', 'message_out', 'note', 'call', 'chat_transcript', 'bot_step', 'article_view', 'search', 'status_change', 'csat')),
    channel             text not null check (channel in ('portal', 'email', 'chat', 'sms', 'whatsapp', 'social', 'phone')),
    body                text not null,
    provider_message_id text,
    author_id           integer references users (id),
    created_at          timestamp not null,
    unique (channel, provider_message_id)
);
create index interactions_customer_time on interactions (customer_id, created_at desc, id desc);
create index interactions_ticket_time on interactions (ticket_id, created_at, id);

-- What a merge moved, row by row, so an unmerge puts back exactly that.
create table customer_merges (
    id          integer primary key,
    source_id   integer not null references customers (id),
    target_id   integer not null references customers (id),
    merged_by   integer references users (id),
    merged_at   timestamp not null,
    unmerged_at timestamp
);

create table customer_merge_moves (
    merge_id  integer not null references customer_merges (id),
    entity    text not null check (entity in ('identity', 'ticket', 'interaction', 'user')),
    entity_id integer not null,
    primary key (merge_id, entity, entity_id)
);

create table audit_log (
    id         integer primary key,
    actor_id   integer references users (id),
    action     text not null,
    entity     text not null,
    entity_id  integer,
    details    text not null default '{}',
    created_at timestamp not null
);
create index audit_log_entity on audit_log (entity, entity_id, id);

-- An append-only trigger pair: the audit log can be read and added to, never rewritten.
create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'the audit log is append-only');
end;
create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'the audit log is append-only');
end;

create table article_revisions (
    id            integer primary key,
    article_id    integer not null references articles (id),
    title         text not null,
    body_markdown text not null,
    author_id     integer references users (id),
    created_at    timestamp not null
);
create index article_revisions_article on article_revisions (article_id, id desc);
