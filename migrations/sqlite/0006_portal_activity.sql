-- The help center writes to the timeline: reads, searches and "was this helpful?" answers,
-- each remembering the portal visit it was part of, so a request sent in that visit carries them.

-- SQLite cannot alter a check constraint: the table is rebuilt with the new kind and column.
create table interactions_next (
    id                  integer primary key,
    customer_id         integer not null references customers (id),
    ticket_id           integer references tickets (id),
    kind                text not null check (kind in ('message_in', 'message_out', 'note', 'call', 'chat_transcript', 'bot_step', 'article_view', 'search', 'article_feedback', 'status_change', 'csat')),
    channel             text not null check (channel in ('portal', 'email', 'chat', 'sms', 'whatsapp', 'social', 'phone')),
    body                text not null,
    provider_message_id text,
    author_id           integer references users (id),
    visit_id            text,
    created_at          timestamp not null,
    unique (channel, provider_message_id)
);
insert into interactions_next (id, customer_id, ticket_id, kind, channel, body, provider_message_id, author_id, created_at)
select id, customer_id, ticket_id, kind, channel, body, provider_message_id, author_id, created_at from interactions;
drop table interactions;
alter table interactions_next rename to interactions;
create index interactions_customer_time on interactions (customer_id, created_at desc, id desc);
create index interactions_ticket_time on interactions (ticket_id, created_at, id);
create index interactions_visit on interactions (visit_id, id) where visit_id is not null;

-- What a visitor did before we knew who they were; moved onto their profile (and deleted here)
-- when they sign in or send a request.
create table visitor_activity (
    id         integer primary key,
    visit_id   text not null,
    kind       text not null check (kind in ('article_view', 'search', 'article_feedback')),
    body       text not null,
    created_at timestamp not null
);
create index visitor_activity_visit on visitor_activity (visit_id, id);

-- "Was this helpful?": one answer per article and visit (a second answer replaces the first).
-- `deflected`: given from the contact form's suggestions, so a request was not needed.
create table article_votes (
    id          integer primary key,
    article_id  integer not null references articles (id),
    visit_id    text not null,
    customer_id integer references customers (id),
    helpful     boolean not null,
    comment     text not null default '',
    deflected   boolean not null default false,
    created_at  timestamp not null,
    unique (article_id, visit_id)
);
create index article_votes_article on article_votes (article_id, created_at);
