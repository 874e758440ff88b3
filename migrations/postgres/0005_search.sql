-- Full-text search over published articles, with snippets from plain text rather than markdown.

-- The body without markdown syntax; the application writes it with every save. Rows from before
-- this migration start with their markdown, which reads almost the same.
alter table articles add column body_text text not null default '';
update articles set body_text = body_markdown;

-- Weighted so a word in the title counts most, then the summary, then the body. A generated
-- column is rewritten by the same statement as the text, so a saved article is searchable at once.
alter table articles add column search_vector tsvector generated always as (
    setweight(to_tsvector('english', title), 'A')
    || setweight(to_tsvector('english', summary), 'B')
    || setweight(to_tsvector('english', body_text), 'C')
) stored;
create index articles_search on articles using gin (search_vector);
