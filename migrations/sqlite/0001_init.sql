-- Logins for every role; customer profiles and teams arrive with the data model.
create table users (
    id            integer primary key,
    email         text not null unique,
    display_name  text not null,
    role          text not null check (role in ('customer', 'agent', 'supervisor', 'admin')),
    password_hash text not null,
    created_at    timestamp not null
);

-- The knowledge base: the single source of truth for answers on every channel.
create table categories (
    id          integer primary key,
    slug        text not null unique,
    name        text not null,
    description text not null default '',
    position    integer not null default 0
);

create table articles (
    id            integer primary key,
    category_id   integer not null references categories (id),
    slug          text not null unique,
    title         text not null,
    summary       text not null default '',
    body_markdown text not null,
    status        text not null check (status in ('draft', 'published')),
    view_count    bigint not null default 0,
    created_at    timestamp not null,
    updated_at    timestamp not null
);

create index articles_popular on articles (status, view_count desc);
create index articles_category on articles (category_id, status);
