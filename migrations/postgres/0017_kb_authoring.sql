-- Writing the knowledge base: a workflow from draft through review to published and
-- archived, an audience per article, scheduled publishing, a version number that refuses
-- stale saves, tags, a category tree, and revisions that keep every field they restore.
alter table articles drop constraint articles_status_check;
alter table articles add constraint articles_status_check
    check (status in ('draft', 'in_review', 'published', 'archived'));
alter table articles add column audience text not null default 'public'
    check (audience in ('public', 'customers', 'internal'));
-- When a scheduled article goes live; cleared once it does.
alter table articles add column publish_at timestamptz;
alter table articles add column version integer not null default 1;
create index articles_scheduled on articles (publish_at) where publish_at is not null;

create table article_tags (
    article_id bigint not null references articles (id) on delete cascade,
    tag        text not null,
    primary key (article_id, tag)
);
create index article_tags_tag on article_tags (tag);

alter table categories add column parent_id bigint references categories (id);

-- A revision holds everything a restore puts back, and the article version it made.
alter table article_revisions add column summary text not null default '';
alter table article_revisions add column version integer not null default 1;

-- Agents an admin lets write articles (admins always may).
alter table users add column edits_articles boolean not null default false;
