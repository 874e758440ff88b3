-- Files customers attach to requests and replies. A file is uploaded as soon as it is chosen
-- and held by a random token (owner: 'user:<id>' or 'visit:<id>'); sending the message claims
-- it for that message in the message's transaction. Unclaimed uploads are discarded after a day.
-- The bytes live in the database, so every app node serves every file and backups hold them.
create table attachments (
    id             integer primary key,
    token          text not null unique,
    owner          text not null,
    interaction_id integer references interactions (id),
    file_name      text not null,
    content_type   text not null,
    size_bytes     integer not null check (size_bytes > 0),
    content        blob not null,
    created_at     timestamp not null
);
create index attachments_interaction on attachments (interaction_id);
create index attachments_unclaimed on attachments (created_at) where interaction_id is null;
