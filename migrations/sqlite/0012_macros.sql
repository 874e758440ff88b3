-- Macros: saved replies with variables, and the changes that go with them, applied to a
-- ticket in one step. A macro with text only is a canned response; one with no text only
-- changes the ticket. Admins manage them; every agent uses them.
create table macros (
    id             integer primary key,
    title          text not null,
    -- Reply text with {{variables}}; empty when the macro only changes the ticket.
    body           text not null,
    -- The text goes in as an internal note instead of a reply.
    internal       boolean not null default false,
    set_status     text check (set_status in ('open', 'pending', 'on_hold', 'solved')),
    set_priority   text check (set_priority in ('low', 'normal', 'high', 'urgent')),
    -- Tags added to the ticket's own, space-separated, already normalized.
    add_tags       text not null default '',
    assign_to_self boolean not null default false,
    team_id        integer references teams (id) on delete set null,
    updated_by     integer references users (id) on delete set null,
    created_at     timestamp not null,
    updated_at     timestamp not null
);
create unique index macros_title on macros (lower(title));
