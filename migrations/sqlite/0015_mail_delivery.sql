-- Outbound mail is delivered by a worker: retried with backoff after a temporary failure,
-- given up (and shown where it matters) after a permanent one. A reply sent by email keeps
-- the link to its timeline entry, and the headers that thread it in the customer's mail client.
alter table mail_outbox add column interaction_id integer references interactions (id) on delete set null;
alter table mail_outbox add column message_id text;
alter table mail_outbox add column in_reply_to text;
alter table mail_outbox add column references_ids text;
alter table mail_outbox add column attempts integer not null default 0;
alter table mail_outbox add column next_attempt_at timestamp;
alter table mail_outbox add column claimed_until timestamp;
alter table mail_outbox add column last_error text;
alter table mail_outbox add column failed_at timestamp;

drop index mail_outbox_pending;
create index mail_outbox_pending on mail_outbox (id) where sent_at is null and failed_at is null;
create index mail_outbox_interaction on mail_outbox (interaction_id) where interaction_id is not null;
