-- How a customer rated a solved request: satisfaction (CSAT, 1-5) and effort (CES, "how easy
-- was it", 1-7), asked once per ticket; the primary key makes "once" a fact, not a hope.
create table satisfaction_ratings (
    ticket_id   bigint primary key references tickets (id),
    customer_id bigint not null references customers (id),
    csat        smallint not null check (csat between 1 and 5),
    ces         smallint not null check (ces between 1 and 7),
    comment     text not null default '',
    created_at  timestamptz not null
);
