//! Writing the knowledge base, on both backends: drafts invisible until published and
//! searchable the moment they are, stale saves refused, revisions restored and compared, the
//! workflow and its schedule, and each audience seeing only its own articles.

use super::workspace::login;
use app::{
    both_backends,
    error::AppError,
    model::{ArticleFields, ArticleStatus, Audience, CategoryFields, CurrentUser, DiffLine, Role},
    server::{
        activity::{self, Visit},
        authoring, categories, kb, kb_files,
        db::Db,
        search::{self, Vocabulary},
        seed::{self, SeedSize},
    },
    with_db,
};
use chrono::{Duration, Utc};

async fn category(db: &Db) -> i64 {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>("select id from categories order by position limit 1")
        .fetch_one(pool)
        .await
        .unwrap())
}

fn fields(category_id: i64, title: &str, body: &str) -> ArticleFields {
    ArticleFields {
        title: title.into(),
        summary: format!("About {title}"),
        body_markdown: body.into(),
        category_id,
        tags: vec!["Billing".into(), " billing ".into(), "vat".into()],
        audience: Audience::Public,
    }
}

async fn found(db: &Db, query: &str, reader: Audience) -> Vec<String> {
    search::search(db, &Vocabulary::default(), query, reader)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|hit| hit.article.title)
        .collect()
}

async fn editor(db: &Db) -> (CurrentUser, i64) {
    seed::seed(db, SeedSize::default()).await.unwrap();
    (login(db, "Edith", Role::Admin, None).await, category(db).await)
}

both_backends!(a_draft_is_unseen_until_published_and_searchable_the_moment_it_is, |db: Db| async move {
    let (edith, category_id) = editor(&db).await;
    let draft = authoring::create(&db, &edith, &fields(category_id, "Pay by zeppelin voucher", "Vouchers **work** at checkout.")).await.unwrap();
    assert_eq!((draft.status, draft.version, draft.slug.as_str()), (ArticleStatus::Draft, 1, "pay-by-zeppelin-voucher"));
    assert_eq!(draft.fields.tags, ["billing", "vat"], "tags are lower-cased and kept once");
    assert!(found(&db, "zeppelin", Audience::Internal).await.is_empty(), "drafts are for editors only");
    assert_eq!(kb::published_article(&db, &draft.slug, Audience::Internal).await, Err(AppError::NotFound));

    authoring::set_status(&db, &edith, draft.id, ArticleStatus::InReview).await.unwrap();
    authoring::set_status(&db, &edith, draft.id, ArticleStatus::Published).await.unwrap();
    assert_eq!(found(&db, "zeppelin", Audience::Public).await, ["Pay by zeppelin voucher"]);
    let page = kb::published_article(&db, &draft.slug, Audience::Public).await.unwrap();
    assert!(page.body_html.contains("<strong>work</strong>"));

    let twin = authoring::create(&db, &edith, &fields(category_id, "Pay by zeppelin voucher", "Again.")).await.unwrap();
    assert_eq!(twin.slug, "pay-by-zeppelin-voucher-2", "a taken address gets the next free one");

    authoring::set_status(&db, &edith, draft.id, ArticleStatus::Archived).await.unwrap();
    assert!(found(&db, "zeppelin", Audience::Public).await.is_empty(), "archived articles leave search at once");
    let back = authoring::set_status(&db, &edith, draft.id, ArticleStatus::InReview).await.unwrap_err();
    assert!(back.to_string().contains("archived cannot become in review"), "{back}");
});

both_backends!(a_stale_save_is_refused_and_overwrites_nothing, |db: Db| async move {
    let (edith, category_id) = editor(&db).await;
    let mark = login(&db, "Mark", Role::Admin, None).await;
    let article = authoring::create(&db, &edith, &fields(category_id, "Refund window", "Thirty days.")).await.unwrap();

    // Both open version 1; Mark saves first.
    let marks = authoring::save(&db, &mark, article.id, 1, &fields(category_id, "Refund window", "Sixty days.")).await.unwrap();
    assert_eq!(marks.version, 2);
    let stale = authoring::save(&db, &edith, article.id, 1, &fields(category_id, "Refund window", "Ninety days.")).await;
    let Err(AppError::Conflict(message)) = stale else { panic!("{stale:?}") };
    assert!(message.contains("Mark saved version 2") && message.contains("not saved"), "{message}");
    let current = authoring::article(&db, article.id).await.unwrap();
    assert_eq!((current.version, current.fields.body_markdown.as_str()), (2, "Sixty days."));
    assert_eq!(authoring::revisions(&db, article.id).await.unwrap().len(), 2);

    // Saved again over the version she now has, it goes through.
    let saved = authoring::save(&db, &edith, article.id, 2, &fields(category_id, "Refund window", "Ninety days.")).await.unwrap();
    assert_eq!(saved.version, 3);
    assert_eq!(authoring::save(&db, &edith, article.id + 1_000, 1, &saved.fields).await, Err(AppError::NotFound));
});

both_backends!(an_old_revision_is_compared_and_restored_as_a_new_one, |db: Db| async move {
    let (edith, category_id) = editor(&db).await;
    let article = authoring::create(&db, &edith, &fields(category_id, "Returns", "Keep the label.\nUse any courier.")).await.unwrap();
    authoring::save(&db, &edith, article.id, 1, &fields(category_id, "Returns and exchanges", "Keep the label.\nUse our courier.")).await.unwrap();
    let history = authoring::revisions(&db, article.id).await.unwrap();
    let (newest, first) = (history[0].id, history[1].id);
    assert_eq!((history[0].version, history[0].author_name.as_deref()), (2, Some("Edith")));

    let diff = authoring::diff(&db, article.id, first, newest).await.unwrap();
    assert!(diff.contains(&DiffLine::Removed("# Returns".into())), "{diff:?}");
    assert!(diff.contains(&DiffLine::Added("# Returns and exchanges".into())));
    assert!(diff.contains(&DiffLine::Same("Keep the label.".into())));
    assert!(diff.contains(&DiffLine::Added("Use our courier.".into())));

    let restored = authoring::restore(&db, &edith, article.id, first, 2).await.unwrap();
    assert_eq!((restored.version, restored.fields.title.as_str()), (3, "Returns"));
    assert_eq!(restored.fields.body_markdown, "Keep the label.\nUse any courier.");
    assert_eq!(authoring::revisions(&db, article.id).await.unwrap().len(), 3, "history is never rewritten");
    assert!(matches!(authoring::restore(&db, &edith, article.id, first, 2).await, Err(AppError::Conflict(_))));
    assert_eq!(authoring::diff(&db, article.id + 1, first, newest).await, Err(AppError::NotFound), "revisions belong to their article");
});

both_backends!(each_audience_reads_only_its_own_articles, |db: Db| async move {
    let (edith, category_id) = editor(&db).await;
    let publish = |title: &'static str, audience: Audience| {
        let (db, edith) = (db.clone(), edith.clone());
        async move {
            let article = authoring::create(&db, &edith, &ArticleFields { audience, ..fields(category_id, title, "Quokka procedures.") })
                .await
                .unwrap();
            authoring::set_status(&db, &edith, article.id, ArticleStatus::Published).await.unwrap();
            article
        }
    };
    publish("Quokka basics", Audience::Public).await;
    let members = publish("Quokka for members", Audience::Customers).await;
    let internal = publish("Quokka escalation runbook", Audience::Internal).await;

    assert_eq!(found(&db, "quokka", Audience::Public).await.len(), 1);
    assert_eq!(found(&db, "quokka", Audience::Customers).await.len(), 2);
    assert_eq!(found(&db, "quokka", Audience::Internal).await.len(), 3);
    for reader in [Audience::Public, Audience::Customers] {
        assert_eq!(kb::published_article(&db, &internal.slug, reader).await, Err(AppError::NotFound));
        let home = kb::help_center_home(&db, reader).await.unwrap();
        assert!(home.popular.iter().all(|article| article.slug != internal.slug));
    }
    assert_eq!(kb::published_article(&db, &members.slug, Audience::Public).await, Err(AppError::NotFound));
    assert!(kb::published_article(&db, &members.slug, Audience::Customers).await.is_ok());
    let category_slug = kb::published_article(&db, &members.slug, Audience::Customers).await.unwrap().category_slug;
    let public_count = kb::category_articles(&db, &category_slug, Audience::Public).await.unwrap().category.article_count;
    let staff_count = kb::category_articles(&db, &category_slug, Audience::Internal).await.unwrap().category.article_count;
    assert_eq!(staff_count, public_count + 2);

    // A visitor cannot put an internal article on their timeline by naming it.
    let visit = Visit { id: "visit-1".into(), customer_id: None };
    assert_eq!(activity::article_read(&db, &visit, &internal.slug, Audience::Public).await, Err(AppError::NotFound));
});

both_backends!(a_scheduled_article_publishes_itself_when_due, |db: Db| async move {
    let (edith, category_id) = editor(&db).await;
    let article = authoring::create(&db, &edith, &fields(category_id, "Winter opening hours", "Closed on the 25th.")).await.unwrap();
    let past = authoring::schedule(&db, &edith, article.id, Some(Utc::now() - Duration::minutes(1))).await;
    assert!(past.unwrap_err().to_string().contains("future"));
    let at = Utc::now() + Duration::hours(1);
    let scheduled = authoring::schedule(&db, &edith, article.id, Some(at)).await.unwrap();
    assert!(scheduled.publish_at.is_some());
    assert_eq!(authoring::publish_due(&db).await.unwrap(), 0, "not yet");

    // An hour later.
    with_db!(&db, |pool| sqlx::query("update articles set publish_at = $1 where id = $2")
        .bind(Utc::now() - Duration::seconds(1))
        .bind(article.id)
        .execute(pool)
        .await
        .map(drop)
        .unwrap());
    assert_eq!(authoring::publish_due(&db).await.unwrap(), 1);
    let live = authoring::article(&db, article.id).await.unwrap();
    assert_eq!((live.status, live.publish_at), (ArticleStatus::Published, None));
    assert_eq!(found(&db, "winter", Audience::Public).await, ["Winter opening hours"]);
    let again = authoring::schedule(&db, &edith, article.id, Some(at)).await.unwrap_err();
    assert!(again.to_string().contains("Only a draft"), "{again}");
});

both_backends!(only_admins_and_agents_allowed_to_edit_write_articles, |db: Db| async move {
    let (edith, category_id) = editor(&db).await;
    let sam = login(&db, "Sam", Role::Agent, None).await;
    let ana = login(&db, "Ana", Role::Customer, None).await;
    assert_eq!(authoring::require_editor(&db, &edith).await, Ok(()));
    assert_eq!(authoring::require_editor(&db, &sam).await, Err(AppError::Forbidden));
    assert_eq!(authoring::require_editor(&db, &ana).await, Err(AppError::Forbidden));
    with_db!(&db, |pool| sqlx::query("update users set edits_articles = true where id = $1")
        .bind(sam.id)
        .execute(pool)
        .await
        .map(drop)
        .unwrap());
    assert_eq!(authoring::require_editor(&db, &sam).await, Ok(()));

    // Bad input names what is wrong and writes nothing.
    let refused = [
        (fields(category_id, "  ", "Body"), "title"),
        (fields(category_id, "Title", "   "), "needs a body"),
        (fields(category_id + 10_000, "Title", "Body"), "category that exists"),
        (ArticleFields { tags: vec!["a,b".into()], ..fields(category_id, "Title", "Body") }, "not a tag"),
        (ArticleFields { summary: "x".repeat(301), ..fields(category_id, "Title", "Body") }, "at most 300"),
    ];
    for (fields, expected) in refused {
        let error = authoring::create(&db, &edith, &fields).await.unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
    }
});

fn read_zip(archive: &[u8]) -> std::collections::BTreeMap<String, String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
    (0..zip.len())
        .map(|index| {
            let mut file = zip.by_index(index).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().to_owned(), text)
        })
        .collect()
}

fn write_zip(files: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

both_backends!(the_knowledge_base_exported_and_imported_again_comes_back_the_same, |db: Db| async move {
    let (edith, category_id) = editor(&db).await;
    let internal = authoring::create(&db, &edith, &ArticleFields { audience: Audience::Internal, ..fields(category_id, "Escalations", "Call the lead.") })
        .await
        .unwrap();
    categories::create(&db, &edith, &CategoryFields { name: "Lids".into(), description: "Spare lids".into(), parent_id: Some(category_id) })
        .await
        .unwrap();
    let exported = kb_files::export(&db).await.unwrap();
    let files = read_zip(&exported);
    assert_eq!(files.len(), 12, "every article, drafts and staff-only ones too, and the tree: {:?}", files.keys());
    let parent_slug = categories::tree(&db).await.unwrap().into_iter().find(|node| node.id == category_id).unwrap().slug;
    assert!(
        files["categories.toml"].contains(&format!("[[category]]\nslug = \"lids\"\nname = \"Lids\"\ndescription = \"Spare lids\"\nparent = \"{parent_slug}\"\n")),
        "{}",
        files["categories.toml"]
    );
    let escalations = &files["articles/escalations.md"];
    assert!(escalations.starts_with("+++\n") && escalations.contains("audience = \"internal\"") && escalations.contains("status = \"draft\""));
    assert!(escalations.ends_with("+++\n\nCall the lead."), "{escalations}");

    // Someone edits an article and archives another; importing the backup puts both back.
    let refund = with_db!(&db, |pool| sqlx::query_scalar::<_, i64>("select id from articles where slug = 'request-a-refund'")
        .fetch_one(pool)
        .await
        .unwrap());
    let current = authoring::article(&db, refund).await.unwrap();
    authoring::save(&db, &edith, refund, current.version, &ArticleFields { title: "Refunds (old)".into(), ..current.fields.clone() }).await.unwrap();
    authoring::set_status(&db, &edith, internal.id, ArticleStatus::Archived).await.unwrap();
    let report = kb_files::import(&db, &edith, &exported).await.unwrap();
    assert_eq!((report.created.len(), report.updated.len(), report.unchanged.len()), (0, 2, 9), "{report:?}");
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(read_zip(&kb_files::export(&db).await.unwrap()), files, "the round trip is exact");
    assert_eq!(authoring::revisions(&db, refund).await.unwrap().len(), 3, "the restore is a revision, not a rewrite");
});

both_backends!(an_import_creates_what_is_new_and_reports_what_it_cannot_read, |db: Db| async move {
    let (edith, _) = editor(&db).await;
    let tree = "[[category]]\nslug = \"gifts\"\nname = \"Gifts\"\n\n[[category]]\nslug = \"gift-cards\"\nname = \"Gift cards\"\nparent = \"gifts\"\n\n[[category]]\nslug = \"Bad Slug\"\nname = \"Bad\"\n";
    let archive = write_zip(&[
        ("gifts/cards.md", "+++\ntitle = \"Gift cards\"\nslug = \"gift-cards\"\ncategory = \"gift-cards\"\n+++\n\nCards never expire.\n"),
        ("categories.toml", tree),
        ("gifts/wrapping.md", "+++\ntitle = \"Gift wrapping\"\nslug = \"gift-wrapping\"\ncategory = \"gifts\"\ncategory_name = \"Gifts\"\nstatus = \"published\"\ntags = [\"gifts\"]\n+++\n\nWe wrap **anything**.\n"),
        ("notes.txt", "not an article"),
        ("broken.md", "## No front matter"),
        ("odd.md", "+++\ntitle = \"Odd\"\nslug = \"Odd Slug\"\ncategory = \"gifts\"\n+++\nx"),
        ("empty.md", "+++\ntitle = \"Empty\"\nslug = \"empty\"\ncategory = \"gifts\"\n+++\n"),
    ]);
    let report = kb_files::import(&db, &edith, &archive).await.unwrap();
    assert_eq!(report.created, ["gift-cards", "gift-wrapping"]);
    // The tree is read first, whatever its place in the archive: the cards went under Gifts.
    assert_eq!(report.categories, ["gifts", "gift-cards"]);
    let tree = categories::tree(&db).await.unwrap();
    let gifts = tree.iter().find(|node| node.slug == "gifts").unwrap();
    let cards = tree.iter().find(|node| node.slug == "gift-cards").unwrap();
    assert_eq!((cards.parent_id, cards.depth, cards.article_count), (Some(gifts.id), 1, 1));
    let reasons: Vec<(&str, &str)> = report.refused.iter().map(|(file, reason)| (file.as_str(), reason.as_str())).collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(reasons[0].0 == "categories.toml: Bad Slug" && reasons[0].1.contains("not a category slug"), "{reasons:?}");
    assert!(reasons[1].0 == "broken.md" && reasons[1].1.contains("no front matter"), "{reasons:?}");
    assert!(reasons[2].0 == "odd.md" && reasons[2].1.contains("not an article address"), "{reasons:?}");
    assert!(reasons[3].0 == "empty.md" && reasons[3].1.contains("needs a body"), "{reasons:?}");
    let again = kb_files::import(&db, &edith, &archive).await.unwrap();
    assert!(again.categories.is_empty(), "categories it has keep their place: {again:?}");
    assert_eq!(found(&db, "wrap", Audience::Public).await, ["Gift wrapping"], "published by the import, searchable at once");
    let page = kb::published_article(&db, "gift-wrapping", Audience::Public).await.unwrap();
    assert_eq!(page.category, "Gifts", "a missing category is created");

    let not_zip = kb_files::import(&db, &edith, b"PK? no").await.unwrap_err();
    assert!(not_zip.to_string().contains("not a zip archive"), "{not_zip}");
});

both_backends!(links_readers_cannot_follow_are_reported_with_their_article, |db: Db| async move {
    let (edith, category_id) = editor(&db).await;
    let runbook = authoring::create(&db, &edith, &ArticleFields { audience: Audience::Internal, ..fields(category_id, "Runbook", "Steps.") })
        .await
        .unwrap();
    authoring::set_status(&db, &edith, runbook.id, ArticleStatus::Published).await.unwrap();
    let draft = authoring::create(&db, &edith, &fields(category_id, "Coming soon", "Soon.")).await.unwrap();
    let body = format!(
        "See [tracking](/articles/track-your-order#statuses), [gone](/articles/no-such-page), \
         [soon](/articles/{}), [runbook](/articles/{}) and [our shop](https://shop.example/articles/x).",
        draft.slug, runbook.slug
    );
    let linking = authoring::create(&db, &edith, &fields(category_id, "Where is my parcel", &body)).await.unwrap();

    let broken = authoring::broken_links(&db).await.unwrap();
    let found: Vec<(&str, &str)> = broken.iter().map(|link| (link.target.as_str(), link.reason.as_str())).collect();
    assert_eq!(
        found,
        [
            ("/articles/no-such-page", "no article has this address"),
            ("/articles/coming-soon", "the article it leads to is not published"),
            ("/articles/runbook", "it leads to a staff-only article"),
        ]
    );
    assert!(broken.iter().all(|link| link.article_id == linking.id && link.article_title == "Where is my parcel"));

    // Publishing the draft mends its link.
    authoring::set_status(&db, &edith, draft.id, ArticleStatus::Published).await.unwrap();
    assert_eq!(authoring::broken_links(&db).await.unwrap().len(), 2);
});
