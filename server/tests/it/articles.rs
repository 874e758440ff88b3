//! The knowledge base's editing functions through the router: editors only, bad input and
//! stale saves answered with a reason.

use crate::support::{app, call, scalar, signed_in, upload_to};
use app::{
    api::{
        admin::AllowArticleEditing,
        agent::{ArticleForReply, ReplyArticles},
        articles::{ArticleList, CategoryTree, PreviewArticleBody, CreateArticle, CreateCategory, DeleteCategory, KnowledgeBaseInsights, MoveCategory, UpdateCategory, ImportArticles, SaveArticle, SetArticleStatus, UploadArticleImage},
        portal::PublishedArticle,
    },
    both_backends,
    server::db::Db,
    with_db,
};
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;

fn fields(category: i64, title: &str, audience: &str) -> String {
    format!(
        "fields[title]={}&fields[summary]=&fields[body_markdown]=Ring+the+bell.&fields[category_id]={category}&fields[audience]={audience}",
        title.replace(' ', "+")
    )
}

both_backends!(only_editors_write_articles_and_a_stale_save_answers_conflict, |db: Db| async move {
    let app = app(&db).await;
    let admin = signed_in(&app, "admin@northwind.test").await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let category = scalar(&db, "select id from categories order by position limit 1").await;
    let new = fields(category, "Night deliveries", "internal");

    assert_eq!(call(&app, CreateArticle::PATH, &new, Some(&ana)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&app, CreateArticle::PATH, &new, Some(&agent)).await.status, StatusCode::FORBIDDEN, "agents need the editor permission");
    assert_eq!(call(&app, ArticleList::PATH, "", None).await.status, StatusCode::UNAUTHORIZED);

    let created = call(&app, CreateArticle::PATH, &new, Some(&admin)).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = scalar(&db, "select id from articles where slug = 'night-deliveries'").await;
    let published = call(&app, SetArticleStatus::PATH, &format!("article_id={id}&status=published"), Some(&admin)).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    // Staff-only: the customer is answered as if it did not exist; staff read it.
    assert_eq!(call(&app, PublishedArticle::PATH, "slug=night-deliveries", Some(&ana)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, PublishedArticle::PATH, "slug=night-deliveries", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, PublishedArticle::PATH, "slug=night-deliveries", Some(&agent)).await.status, StatusCode::OK);

    let save = |version: i32, title: &str| format!("article_id={id}&base_version={version}&{}", fields(category, title, "internal"));
    assert_eq!(call(&app, SaveArticle::PATH, &save(1, "Night deliveries and noise"), Some(&admin)).await.status, StatusCode::OK);
    let stale = call(&app, SaveArticle::PATH, &save(1, "Late deliveries"), Some(&admin)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("saved version 2"), "{}", stale.body);
    let unknown = call(&app, CreateArticle::PATH, &fields(999_999, "Orphan", "public"), Some(&admin)).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.body);
    let audience = call(&app, CreateArticle::PATH, &fields(category, "Odd", "everyone"), Some(&admin)).await;
    assert_eq!(audience.status, StatusCode::BAD_REQUEST, "{}", audience.body);
    for body in [&stale.body, &unknown.body, &audience.body] {
        assert!(!body.to_lowercase().contains("select "), "no SQL in answers: {body}");
    }

    // The editor's preview is the server's rendering, for editors only, with the save's limit.
    let markdown = "body_markdown=%23%23+Steps%0A%0A**Ring**+<script>x</script>";
    assert_eq!(call(&app, PreviewArticleBody::PATH, markdown, Some(&agent)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&app, PreviewArticleBody::PATH, markdown, None).await.status, StatusCode::UNAUTHORIZED);
    let preview = call(&app, PreviewArticleBody::PATH, markdown, Some(&admin)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let html: String = serde_json::from_str(&preview.body).unwrap();
    assert_eq!(html, "<h2>Steps</h2>\n<p><strong>Ring</strong> &lt;script&gt;x&lt;/script&gt;</p>\n");
    let huge = call(&app, PreviewArticleBody::PATH, &format!("body_markdown={}", "a".repeat(200_001)), Some(&admin)).await;
    assert_eq!(huge.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", huge.body);
    assert!(huge.body.contains("200 KB"), "{}", huge.body);
});

both_backends!(agents_insert_articles_in_the_form_of_the_reply_channel_and_short_links_lead_to_them, |db: Db| async move {
    let app = app(&db).await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let ana = signed_in(&app, "customer@northwind.test").await;

    assert_eq!(call(&app, ReplyArticles::PATH, "query=refund", Some(&ana)).await.status, StatusCode::FORBIDDEN);
    let found = call(&app, ReplyArticles::PATH, "query=refund", Some(&agent)).await;
    assert!(found.body.contains("request-a-refund"), "{}", found.body);

    let sms = call(&app, ArticleForReply::PATH, "slug=request-a-refund&channel=sms", Some(&agent)).await;
    assert_eq!(sms.status, StatusCode::OK, "{}", sms.body);
    let sms: String = serde_json::from_str(&sms.body).unwrap();
    assert!(sms.chars().count() <= 160, "{sms}");
    let id = scalar(&db, "select id from articles where slug = 'request-a-refund'").await;
    assert!(sms.ends_with(&format!("/a/{id}")), "{sms}");
    let email = call(&app, ArticleForReply::PATH, "slug=request-a-refund&channel=email", Some(&agent)).await;
    let email: String = serde_json::from_str(&email.body).unwrap();
    // Email replies are markdown: the HTML part renders it, the text part reads as written.
    assert!(email.starts_with("**Request a refund**\n\n") && email.contains("Read it online: <http"), "{email}");
    assert!(!email.contains("](/"), "relative links are made absolute: {email}");

    let short = call_get(&app, &format!("/a/{id}")).await;
    assert_eq!(short.0, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(short.1.as_deref(), Some("/articles/request-a-refund"));
    assert_eq!(call_get(&app, "/a/999999").await.0, StatusCode::NOT_FOUND);

    // A staff-only article is never offered for a reply, nor reached by a short link.
    with_db!(&db, |pool| sqlx::query("update articles set audience = 'internal' where id = $1")
        .bind(id)
        .execute(pool)
        .await
        .map(drop)
        .unwrap());
    let hidden = call(&app, ArticleForReply::PATH, "slug=request-a-refund&channel=sms", Some(&agent)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(!call(&app, ReplyArticles::PATH, "query=refund", Some(&agent)).await.body.contains("request-a-refund"));
    assert_eq!(call_get(&app, &format!("/a/{id}")).await.0, StatusCode::NOT_FOUND);
});

/// A plain GET: the status and where it redirects to.
async fn call_get(app: &axum::Router, path: &str) -> (StatusCode, Option<String>) {
    use tower::ServiceExt;
    let request = axum::http::Request::get(path).body(axum::body::Body::empty()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let location = response.headers().get(axum::http::header::LOCATION).map(|value| value.to_str().unwrap().to_owned());
    (response.status(), location)
}

both_backends!(only_editors_download_the_knowledge_base, |db: Db| async move {
    let app = app(&db).await;
    let admin = signed_in(&app, "admin@northwind.test").await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let get = |cookie: Option<String>| {
        let app = app.clone();
        async move {
            use tower::ServiceExt;
            let mut request = axum::http::Request::get("/admin/knowledge-base.zip");
            if let Some(cookie) = cookie {
                request = request.header(axum::http::header::COOKIE, cookie);
            }
            app.oneshot(request.body(axum::body::Body::empty()).unwrap()).await.unwrap()
        }
    };
    assert_eq!(get(None).await.status(), StatusCode::SEE_OTHER, "anonymous visitors are sent to sign in");
    assert_eq!(get(Some(agent)).await.status(), StatusCode::FORBIDDEN);
    let zip = get(Some(admin)).await;
    assert_eq!(zip.status(), StatusCode::OK);
    assert_eq!(zip.headers()[axum::http::header::CONTENT_TYPE], "application/zip");
    assert!(zip.headers()[axum::http::header::CONTENT_DISPOSITION].to_str().unwrap().contains("knowledge-base-"));
    let bytes = http_body_util::BodyExt::collect(zip.into_body()).await.unwrap().to_bytes();
    assert!(bytes.starts_with(b"PK"), "a zip archive");
});

both_backends!(an_admin_lets_an_agent_write_articles_and_takes_it_back, |db: Db| async move {
    let app = app(&db).await;
    let admin = signed_in(&app, "admin@northwind.test").await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let sam = scalar(&db, "select id from users where email = 'agent@northwind.test'").await;
    let morgan = scalar(&db, "select id from users where email = 'admin@northwind.test'").await;
    let category = scalar(&db, "select id from categories order by position limit 1").await;
    let new = fields(category, "Parcel lockers", "public");

    let by_agent = call(&app, AllowArticleEditing::PATH, &format!("user_id={sam}&allowed=true"), Some(&agent)).await;
    assert_eq!(by_agent.status, StatusCode::FORBIDDEN, "only admins hand out the permission");
    let allowed = call(&app, AllowArticleEditing::PATH, &format!("user_id={sam}&allowed=true"), Some(&admin)).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
    assert!(allowed.body.contains("\"edits_articles\":true"), "{}", allowed.body);
    assert_eq!(call(&app, CreateArticle::PATH, &new, Some(&agent)).await.status, StatusCode::OK);

    let taken_back = call(&app, AllowArticleEditing::PATH, &format!("user_id={sam}&allowed=false"), Some(&admin)).await;
    assert_eq!(taken_back.status, StatusCode::OK);
    assert_eq!(call(&app, ArticleList::PATH, "", Some(&agent)).await.status, StatusCode::FORBIDDEN);
    let admins = call(&app, AllowArticleEditing::PATH, &format!("user_id={morgan}&allowed=false"), Some(&admin)).await;
    assert_eq!(admins.status, StatusCode::UNPROCESSABLE_ENTITY, "admins always write articles");
});

both_backends!(editors_upload_images_that_every_reader_gets_with_long_caching, |db: Db| async move {
    let app = app(&db).await;
    let admin = signed_in(&app, "admin@northwind.test").await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR-not-a-real-picture";

    let refused = upload_to(&app, UploadArticleImage::PATH, "label.png", png, Some(&ana)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let svg = upload_to(&app, UploadArticleImage::PATH, "x.svg", b"<svg onload=alert(1)>", Some(&admin)).await;
    assert_eq!(svg.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", svg.body);
    assert!(svg.body.contains("PNG, JPEG, GIF or WebP"));

    let uploaded = upload_to(&app, UploadArticleImage::PATH, "Shipping label.png", png, Some(&admin)).await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.body);
    let url: String = serde_json::from_str(&uploaded.body).unwrap();
    assert!(url.starts_with("/kb/images/") && url.ends_with("/Shipping-label.png"), "{url}");
    let (status, headers, bytes) = get_plain(&app, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[axum::http::header::CONTENT_TYPE], "image/png");
    assert!(headers[axum::http::header::CACHE_CONTROL].to_str().unwrap().contains("immutable"));
    assert_eq!(bytes, &png[..]);
    assert_eq!(get_plain(&app, "/kb/images/999999/x.png").await.0, StatusCode::NOT_FOUND);

    // A zip that is not one is refused with the reason, through the same kind of upload.
    let not_zip = upload_to(&app, ImportArticles::PATH, "backup.zip", b"not a zip", Some(&admin)).await;
    assert_eq!(not_zip.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", not_zip.body);
    assert!(not_zip.body.contains("not a zip archive"));
});

async fn get_plain(app: &axum::Router, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use tower::ServiceExt;
    let request = axum::http::Request::get(path).body(axum::body::Body::empty()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = http_body_util::BodyExt::collect(body).await.unwrap().to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

both_backends!(only_editors_arrange_categories_and_see_insight_and_refusals_say_why, |db: Db| async move {
    let app = app(&db).await;
    let admin = signed_in(&app, "admin@northwind.test").await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let new = "fields[name]=Appliances&fields[description]=Kettles+and+toasters";

    assert_eq!(call(&app, CategoryTree::PATH, "", None).await.status, StatusCode::UNAUTHORIZED);
    for (who, session) in [("a customer", &ana), ("an agent without the editor permission", &agent)] {
        assert_eq!(call(&app, CreateCategory::PATH, new, Some(session)).await.status, StatusCode::FORBIDDEN, "{who}");
        assert_eq!(call(&app, CategoryTree::PATH, "", Some(session)).await.status, StatusCode::FORBIDDEN, "{who}");
    }
    let created = call(&app, CreateCategory::PATH, new, Some(&admin)).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let appliances: i64 = serde_json::from_str(&created.body).unwrap();
    let kettles = call(&app, CreateCategory::PATH, &format!("fields[name]=Kettles&fields[description]=&fields[parent_id]={appliances}"), Some(&admin)).await;
    assert_eq!(kettles.status, StatusCode::OK, "{}", kettles.body);
    let kettles: i64 = serde_json::from_str(&kettles.body).unwrap();
    assert_eq!(scalar(&db, &format!("select parent_id from categories where id = {kettles}")).await, appliances);

    let step = call(&app, MoveCategory::PATH, &format!("category_id={appliances}&step=Up"), Some(&admin)).await;
    assert_eq!(step.status, StatusCode::OK, "{}", step.body);
    assert_eq!(call(&app, MoveCategory::PATH, &format!("category_id={appliances}&step=Sideways"), Some(&admin)).await.status, StatusCode::BAD_REQUEST);
    let looped = call(&app, UpdateCategory::PATH, &format!("category_id={appliances}&fields[name]=Appliances&fields[description]=&fields[parent_id]={kettles}"), Some(&admin)).await;
    assert_eq!(looped.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", looped.body);
    let holding = call(&app, DeleteCategory::PATH, &format!("category_id={appliances}"), Some(&admin)).await;
    assert_eq!(holding.status, StatusCode::CONFLICT, "{}", holding.body);
    assert!(holding.body.contains("1 subcategory"), "{}", holding.body);
    assert_eq!(call(&app, DeleteCategory::PATH, &format!("category_id={kettles}"), Some(&agent)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&app, DeleteCategory::PATH, &format!("category_id={kettles}"), Some(&admin)).await.status, StatusCode::OK);
    assert_eq!(scalar(&db, &format!("select count(*) from categories where id = {kettles}")).await, 0);

    assert_eq!(call(&app, KnowledgeBaseInsights::PATH, "days=30", Some(&agent)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&app, KnowledgeBaseInsights::PATH, "days=30", None).await.status, StatusCode::UNAUTHORIZED);
    let insight = call(&app, KnowledgeBaseInsights::PATH, "days=30", Some(&admin)).await;
    assert_eq!(insight.status, StatusCode::OK, "{}", insight.body);
    assert!(insight.body.contains("warranty extension"), "the demo's unanswered searches: {}", insight.body);
    let odd = call(&app, KnowledgeBaseInsights::PATH, "days=5", Some(&admin)).await;
    assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", odd.body);
    assert!(odd.body.contains("7, 30, 90"), "{}", odd.body);
});
