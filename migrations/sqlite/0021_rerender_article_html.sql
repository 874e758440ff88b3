-- `body_html` caches an article's rendered markdown. HTML stored before the renderer aligned
-- table columns by class still aligns them with inline styles, which the content security
-- policy refuses. Clearing the cache makes each article render again, with today's renderer,
-- when it is next read.
update articles set body_html = null;
