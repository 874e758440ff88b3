-- An article's web HTML, rendered and sanitized when it is written rather than on every read
-- (sanitizing is most of the cost of serving an article page). Null for articles written
-- before this migration: the first read renders and keeps it.
alter table articles add column body_html text;

-- A category's articles in the order pages list them (most read first), so "related articles"
-- reads three index entries instead of sorting the whole category's rows, bodies and all.
drop index articles_category;
create index articles_category on articles (category_id, status, view_count desc, id);
