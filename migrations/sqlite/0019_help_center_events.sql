-- Dated facts about the help center for the content team's insight: every article read and
-- every search (with its result count), by anyone, signed in or not. `visit_id` ties a search
-- or a read to a request sent in the same visit (interactions.visit_id of its first message).
create table help_center_events (
    id           integer primary key,
    kind         text not null check (kind in ('article_view', 'search')),
    visit_id     text not null,
    article_id   integer references articles (id) on delete cascade,
    query        text,
    result_count integer,
    created_at   timestamp not null
);
create index help_center_events_time on help_center_events (created_at);
create index help_center_events_visit on help_center_events (visit_id, created_at);
create index help_center_events_article on help_center_events (article_id, created_at) where article_id is not null;
