-- Accounts prove they control their email address before any history tied to it is theirs.
alter table users add column email_verified_at timestamp;
update users set email_verified_at = created_at;

-- Single-use links sent by email. Only a hash of each token is kept, so the table cannot be
-- replayed into sign-ins if it leaks.
create table account_tokens (
    id         integer primary key,
    user_id    integer not null references users (id) on delete cascade,
    purpose    text not null check (purpose in ('verify_email', 'reset_password', 'set_password')),
    token_hash text not null unique,
    created_at timestamp not null,
    expires_at timestamp not null,
    used_at    timestamp
);
create index account_tokens_user on account_tokens (user_id, purpose);

-- Mail waiting for the outbound email path; nothing is sent from a request handler.
create table mail_outbox (
    id         integer primary key,
    to_address text not null,
    subject    text not null,
    body_text  text not null,
    created_at timestamp not null,
    sent_at    timestamp
);
create index mail_outbox_pending on mail_outbox (id) where sent_at is null;
