-- An article's web HTML, rendered and sanitized when it is written rather than on every read
-- (sanitizing is most of the cost of serving an article page). Null for articles written
-- before this migration: the first read renders and keeps it.
alter table articles add column body_html text;
