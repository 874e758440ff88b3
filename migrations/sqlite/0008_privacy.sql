-- A customer's request to erase their account and history. Erased after a grace period (the
-- customer can change their mind until then); the row stays as the record that it was done.
create table deletion_requests (
    id           integer primary key,
    user_id      integer not null references users (id),
    requested_at timestamp not null,
    erase_after  timestamp not null,
    cancelled_at timestamp,
    erased_at    timestamp
);
create unique index deletion_requests_open on deletion_requests (user_id)
    where cancelled_at is null and erased_at is null;
create index deletion_requests_due on deletion_requests (erase_after)
    where cancelled_at is null and erased_at is null;
