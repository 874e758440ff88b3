-- Images in articles: uploaded by editors, served to everyone with long caching (the bytes
-- behind an id never change).
create table article_images (
    id          integer primary key,
    file_name   text not null,
    content_type text not null,
    content     blob not null,
    uploaded_by integer references users (id),
    created_at  timestamp not null
);
