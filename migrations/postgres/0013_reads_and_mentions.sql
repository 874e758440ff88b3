-- What each agent has seen: a ticket is unread for them while its last activity is newer
-- than their last look at it.
create table ticket_reads (
    user_id   bigint not null references users (id) on delete cascade,
    ticket_id bigint not null references tickets (id) on delete cascade,
    read_at   timestamptz not null,
    primary key (user_id, ticket_id)
);

-- Colleagues named in an internal note ("@Sam Okafor"): the ticket is marked for them until
-- they open it.
create table note_mentions (
    interaction_id bigint not null references interactions (id) on delete cascade,
    user_id        bigint not null references users (id) on delete cascade,
    primary key (interaction_id, user_id)
);
create index note_mentions_user on note_mentions (user_id, interaction_id);
