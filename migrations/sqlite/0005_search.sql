-- Full-text search over published articles, with snippets from plain text rather than markdown.

-- The body without markdown syntax; the application writes it with every save. Rows from before
-- this migration start with their markdown, which reads almost the same.
alter table articles add column body_text text not null default '';
update articles set body_text = body_markdown;

-- An external-content FTS5 index: the text lives once, in articles; triggers keep the index in
-- the same transaction as every write, so a saved article is searchable at once.
create virtual table articles_fts using fts5(
    title, summary, body_text,
    content = 'articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
insert into articles_fts (articles_fts) values ('rebuild');

create trigger articles_fts_insert after insert on articles
begin
    insert into articles_fts (rowid, title, summary, body_text)
    values (new.id, new.title, new.summary, new.body_text);
end;

create trigger articles_fts_delete after delete on articles
begin
    insert into articles_fts (articles_fts, rowid, title, summary, body_text)
    values ('delete', old.id, old.title, old.summary, old.body_text);
end;

create trigger articles_fts_update after update of title, summary, body_text on articles
begin
    insert into articles_fts (articles_fts, rowid, title, summary, body_text)
    values ('delete', old.id, old.title, old.summary, old.body_text);
    insert into articles_fts (rowid, title, summary, body_text)
    values (new.id, new.title, new.summary, new.body_text);
end;
