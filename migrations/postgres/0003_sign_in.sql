-- Raising a user's epoch ends every session they have ("sign out everywhere", role changes).
alter table users add column session_epoch bigint not null default 0;
