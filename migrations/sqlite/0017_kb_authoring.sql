-- Writing the knowledge base: a workflow from draft through review to published and
-- archived, an audience per article, scheduled publishing, a version number that refuses
-- stale saves, tags, a category tree, and revisions that keep every field they restore.
--
-- SQLite cannot widen a CHECK constraint in place, so articles is rebuilt. The migration runs
-- in a transaction, where foreign keys cannot be switched off; deferred instead, the rows
-- that lose their article while it is dropped count as violations until the same ids are
-- inserted again, and the count is back to zero by the commit. Dropping a table fires no
-- triggers, so the search index keeps its entries for the same ids.
pragma defer_foreign_keys = on;

create table articles_copy as select * from articles;
drop table articles;

create table articles (
    id            integer primary key,
    category_id   integer not null references categories (id),
    slug          text not null unique,
    title         text not null,
    summary       text not null default '',
    body_markdown text not null,
    status        text not null check (status in ('draft', 'in_review', 'published', 'archived')),
    audience      text not null default 'public' check (audience in ('public', 'customers', 'internal')),
    -- When a scheduled article goes live; cleared once it does.
    publish_at    timestamp,
    version       integer not null default 1,
    view_count    bigint not null default 0,
    created_at    timestamp not null,
    updated_at    timestamp not null,
    body_text     text not null default '',
    body_html     text
);

insert into articles (id, category_id, slug, title, summary, body_markdown, status, view_count,
                      created_at, updated_at, body_text, body_html)
select id, category_id, slug, title, summary, body_markdown, status, view_count,
       created_at, updated_at, body_text, body_html
from articles_copy;

drop table articles_copy;

create index articles_popular on articles (status, view_count desc);
create index articles_category on articles (category_id, status, view_count desc, id);
create index articles_scheduled on articles (publish_at) where publish_at is not null;

create trigger articles_fts_insert after insert on articles
begin
    insert into articles_fts (rowid, title, summary, body_text)
    values (new.id, new.title, new.summary, new.body_text);
end;

create trigger articles_fts_delete after delete on articles
begin
    insert into articles_fts (articles_fts, rowid, title, summary, body_text)
    values ('delete', old.id, old.title, old.summary, old.body_text);
end;

create trigger articles_fts_update after update of title, summary, body_text on articles
begin
    insert into articles_fts (articles_fts, rowid, title, summary, body_text)
    values ('delete', old.id, old.title, old.summary, old.body_text);
    insert into articles_fts (rowid, title, summary, body_text)
    values (new.id, new.title, new.summary, new.body_text);
end;

create table article_tags (
    article_id integer not null references articles (id) on delete cascade,
    tag        text not null,
    primary key (article_id, tag)
);
create index article_tags_tag on article_tags (tag);

alter table categories add column parent_id integer references categories (id);

-- A revision holds everything a restore puts back, and the article version it made.
alter table article_revisions add column summary text not null default '';
alter table article_revisions add column version integer not null default 1;

-- Agents an admin lets write articles (admins always may).
alter table users add column edits_articles boolean not null default false;
