-- Mailbox passwords are stored sealed with the server's key (see server::sealing). Rows stored
-- before this are sealed when a server next starts; until then `password_sealed` is false.
alter table mailboxes add column password_sealed boolean not null default false;
