-- Inbound messages from every channel thread into tickets. A message about a closed ticket
-- opens a follow-up that points back at it, so the agent sees the earlier conversation.
alter table tickets add column follow_up_of integer references tickets (id);

-- Keys for the public REST API and the inbound endpoints. Only a hash of the secret is kept;
-- the prefix (the key's public part) names it in lists and logs.
create table api_keys (
    id              integer primary key,
    name            text not null,
    prefix          text not null unique,
    secret_hash     text not null,
    scopes          text not null,
    rate_per_minute integer not null check (rate_per_minute > 0),
    created_by      integer references users (id),
    created_at      timestamp not null,
    last_used_at    timestamp,
    revoked_at      timestamp
);

-- Looking a thread up by the Message-IDs an email names.
create index interactions_provider_message on interactions (provider_message_id) where provider_message_id is not null;

-- A phone call as the telephony system reports it, event by event; its timeline entry
-- (kind 'call') is rewritten from these facts as they arrive, in whatever order.
create table calls (
    interaction_id   integer primary key references interactions (id),
    direction        text not null check (direction in ('inbound', 'outbound')),
    customer_number  text not null,
    agent_id         integer references users (id),
    started_at       timestamp,
    answered_at      timestamp,
    ended_at         timestamp,
    duration_seconds integer check (duration_seconds >= 0),
    recording_url    text,
    disposition      text
);

-- Agents' replies by SMS, WhatsApp and Messenger, queued in the reply's transaction and
-- delivered through the provider's API by a worker, with the same retries as mail.
create table channel_outbox (
    id              integer primary key,
    interaction_id  integer not null references interactions (id),
    channel         text not null check (channel in ('sms', 'whatsapp', 'social')),
    to_address      text not null,
    body            text not null,
    attempts        integer not null default 0,
    next_attempt_at timestamp,
    claimed_until   timestamp,
    last_error      text,
    provider_id     text,
    sent_at         timestamp,
    failed_at       timestamp,
    created_at      timestamp not null
);
create index channel_outbox_pending on channel_outbox (id) where sent_at is null and failed_at is null;
create index channel_outbox_interaction on channel_outbox (interaction_id);

-- Mailboxes polled over IMAP, as an administrator set them up. UIDs below last_uid have been
-- taken; a new UIDVALIDITY means the server renumbered, and the folder is read again (the
-- unique Message-IDs keep that from recording anything twice). A claim keeps two nodes from
-- polling one mailbox at the same time.
create table mailboxes (
    id             integer primary key,
    name           text not null unique,
    host           text not null,
    port           integer not null check (port between 1 and 65535),
    security       text not null check (security in ('tls', 'starttls', 'none')),
    username       text not null,
    password       text not null,
    folder         text not null,
    uid_validity   integer,
    last_uid       integer not null default 0,
    claimed_until  timestamp,
    last_polled_at timestamp,
    last_error     text,
    created_at     timestamp not null
);

-- Mail taken from a mailbox that could not be recorded (no sender, an unreadable charset…),
-- kept whole with the reason, for an administrator to look at.
create table quarantined_mail (
    id         integer primary key,
    mailbox_id integer not null references mailboxes (id) on delete cascade,
    uid_validity integer not null,
    uid        integer not null,
    reason     text not null,
    raw        blob not null,
    created_at timestamp not null,
    unique (mailbox_id, uid_validity, uid)
);
