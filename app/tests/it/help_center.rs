//! The help center's storage and services, on SQLite and PostgreSQL alike.

use app::{
    both_backends,
    error::AppError,
    model::{ArticleFields, Audience, CurrentUser, EditableArticle, MARK_END, MARK_START, Role, SearchResults},
    server::{
        authoring, kb,
        search::{self, Vocabulary},
        seed::{self, DEMO_LOGINS, SeedOutcome, SeedSize},
        db::Db,
        users::{self, NewUser},
    },
    with_db,
};

both_backends!(migrations_can_be_applied_twice, |db: Db| async move {
    db.migrate().await.expect("second run is a no-op");
    db.ping().await.expect("database answers");
});

both_backends!(seed_fills_an_empty_database_once, |db: Db| async move {
    let first = seed::seed(&db, SeedSize::default()).await.unwrap();
    assert!(matches!(first, SeedOutcome::Seeded { articles: 10, tickets: 8 }));
    assert_eq!(users::count_users(&db).await.unwrap(), DEMO_LOGINS.len() as i64);

    let again = seed::seed(&db, SeedSize::default()).await.unwrap();
    assert_eq!(again, SeedOutcome::AlreadySeeded);
    assert_eq!(users::count_users(&db).await.unwrap(), DEMO_LOGINS.len() as i64);
});

both_backends!(seed_size_flag_adds_generated_articles, |db: Db| async move {
    let outcome = seed::seed(&db, SeedSize { extra_articles: 1_234, tickets: 0 }).await.unwrap();
    assert_eq!(outcome, SeedOutcome::Seeded { articles: 1_244, tickets: 8 });
    let home = kb::help_center_home(&db, Audience::Public).await.unwrap();
    let total: i64 = home.categories.iter().map(|c| c.article_count).sum();
    assert_eq!(total, 1_244);
});

both_backends!(home_lists_categories_in_order_and_popular_articles, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let home = kb::help_center_home(&db, Audience::Public).await.unwrap();
    let names: Vec<_> = home.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names[0], "Getting started");
    assert_eq!(home.categories.iter().map(|c| c.article_count).sum::<i64>(), 10);
    assert_eq!(home.popular.len(), 6);
    assert_eq!(home.popular[0].title, "Reset your password");
});

async fn article_id(db: &Db, slug: &str) -> i64 {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>("select id from articles where slug = $1")
        .bind(slug)
        .fetch_one(pool)
        .await
        .unwrap())
}

/// Saves new text over the article's current version, as the demo admin.
async fn revise(db: &Db, slug: &str, title: &str, body: &str) -> Result<EditableArticle, AppError> {
    let id = article_id(db, slug).await;
    let current = authoring::article(db, id).await?;
    let admin = with_db!(db, |pool| sqlx::query_scalar::<_, i64>("select id from users where role = 'admin' limit 1")
        .fetch_one(pool)
        .await
        .unwrap());
    let editor = CurrentUser {
        id: admin,
        display_name: "Admin".into(),
        email: "admin@northwind.test".into(),
        role: Role::Admin,
        customer_id: None,
        email_verified: true,
        edits_articles: true,
    };
    let fields = ArticleFields { title: title.into(), body_markdown: body.into(), ..current.fields };
    authoring::save(db, &editor, id, current.version, &fields).await
}

async fn search(db: &Db, query: &str) -> Result<SearchResults, AppError> {
    search::search(db, &Vocabulary::default(), query, Audience::Public).await
}

fn slugs(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|hit| hit.article.slug.as_str()).collect()
}

both_backends!(search_matches_every_word_case_insensitively, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let found = search(&db, "PASSWORD reset").await.unwrap();
    assert_eq!(slugs(&found)[0], "reset-your-password");
    assert!(!slugs(&found).contains(&"track-your-order"));
    assert_eq!(found.corrected, None);
});

both_backends!(a_question_finds_its_article_without_its_small_words, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let found = search(&db, "How do I reset my password?").await.unwrap();
    assert_eq!(slugs(&found)[0], "reset-your-password");
});

both_backends!(words_still_being_typed_match_as_prefixes, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let found = search(&db, "passw res").await.unwrap();
    assert_eq!(slugs(&found)[0], "reset-your-password");
});

both_backends!(typos_are_corrected_and_the_correction_is_reported, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let found = search(&db, "pasword reset").await.unwrap();
    assert_eq!(found.corrected.as_deref(), Some("password reset"));
    assert_eq!(slugs(&found)[0], "reset-your-password");
});

both_backends!(snippets_mark_the_matched_words_in_plain_text, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let found = search(&db, "refund").await.unwrap();
    let snippet = &found.hits[0].snippet;
    let marked = format!("{MARK_START}refund");
    assert!(snippet.to_lowercase().contains(&marked), "{snippet:?}");
    assert!(snippet.contains(MARK_END));
    assert!(!snippet.contains("**") && !snippet.contains("]("), "no markdown: {snippet:?}");
});

both_backends!(search_ranks_title_matches_first, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    // "order" is in three titles and in the body of the invoice article.
    let found = search(&db, "order").await.unwrap();
    let in_title: Vec<bool> =
        found.hits.iter().map(|h| h.article.title.to_lowercase().contains("order")).collect();
    assert_eq!(in_title.iter().filter(|&&t| t).count(), 3);
    assert!(in_title.len() > 3, "body matches are found too");
    assert!(in_title.is_sorted_by(|a, b| a >= b), "title matches come first: {in_title:?}");
});

both_backends!(only_published_articles_are_found, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    app::with_db!(&db, |pool| {
        sqlx::query("update articles set status = 'draft' where slug = 'reset-your-password'")
            .execute(pool)
            .await
            .unwrap();
    });
    let found = search(&db, "reset password").await.unwrap();
    assert!(!slugs(&found).contains(&"reset-your-password"), "{:?}", slugs(&found));
});

both_backends!(a_revised_article_is_searchable_at_once, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    assert!(search(&db, "zeppelin").await.unwrap().hits.is_empty());
    let body = "Our **zeppelin** delivery is weather-dependent.";
    revise(&db, "track-your-order", "Track your order", body).await.unwrap();
    let found = search(&db, "zeppelin").await.unwrap();
    assert_eq!(slugs(&found), ["track-your-order"]);
});

both_backends!(unknown_words_find_nothing, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let found = search(&db, "xylophone quasar").await.unwrap();
    assert!(found.hits.is_empty());
    assert_eq!(found.query, "xylophone quasar");
});

both_backends!(search_treats_operators_and_quotes_as_text, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    assert!(matches!(search(&db, "%").await, Err(AppError::Invalid(_))));
    assert!(matches!(search(&db, "\"*").await, Err(AppError::Invalid(_))));
    let injected = search(&db, "refund\" OR title:* NEAR(").await.unwrap();
    assert_eq!(injected.query, "refund\" OR title:* NEAR(");
    assert!(search(&db, "'; drop table articles; --").await.is_ok());
    assert!(!search(&db, "refund").await.unwrap().hits.is_empty(), "table still there");
});

both_backends!(search_refuses_empty_and_oversized_queries, |db: Db| async move {
    assert!(matches!(search(&db, "  ").await, Err(AppError::Invalid(_))));
    let long = "word ".repeat(60);
    assert!(matches!(search(&db, &long).await, Err(AppError::Invalid(_))));
});

both_backends!(article_is_rendered_and_sanitized, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let article = kb::published_article(&db, "track-your-order", Audience::Public).await.unwrap();
    assert_eq!(article.title, "Track your order");
    assert_eq!(article.category_slug, "orders-shipping");
    assert!(article.body_html.contains("<table>"));
    assert!(article.body_html.contains("<h2>What the statuses mean</h2>"));

    // An article stored before its HTML was kept is rendered on its first read, and kept.
    with_db!(&db, |pool| {
        sqlx::query("update articles set body_html = null where slug = 'track-your-order'")
            .execute(pool)
            .await
            .unwrap();
    });
    assert_eq!(kb::published_article(&db, "track-your-order", Audience::Public).await.unwrap().body_html, article.body_html);
    let kept = with_db!(&db, |pool| {
        sqlx::query_scalar::<_, Option<String>>("select body_html from articles where slug = 'track-your-order'")
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(kept.as_deref(), Some(article.body_html.as_str()));
});

both_backends!(missing_article_is_not_found, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    assert_eq!(kb::published_article(&db, "no-such-article", Audience::Public).await, Err(AppError::NotFound));
    assert_eq!(kb::published_article(&db, "", Audience::Public).await, Err(AppError::NotFound));
});

both_backends!(duplicate_email_is_a_conflict_whatever_its_case, |db: Db| async move {
    let user = |email| NewUser {
        email,
        display_name: "Morgan",
        role: Role::Admin,
        password: "correct horse battery",
    };
    users::create_user(&db, user("morgan@example.com")).await.unwrap();
    let again = users::create_user(&db, user(" Morgan@Example.com ")).await;
    assert!(matches!(again, Err(AppError::Conflict(_))), "{again:?}");
    assert_eq!(users::count_users(&db).await.unwrap(), 1);
});

both_backends!(weak_password_creates_nothing, |db: Db| async move {
    let result = users::create_user(
        &db,
        NewUser { email: "a@example.com", display_name: "A", role: Role::Admin, password: "short" },
    )
    .await;
    assert!(matches!(result, Err(AppError::Invalid(_))));
    assert_eq!(users::count_users(&db).await.unwrap(), 0);
});

both_backends!(stored_passwords_are_argon2id_hashes, |db: Db| async move {
    users::create_user(
        &db,
        NewUser {
            email: "a@example.com",
            display_name: "A",
            role: Role::Agent,
            password: "correct horse battery",
        },
    )
    .await
    .unwrap();
    let hash: String = app::with_db!(&db, |pool| {
        sqlx::query_scalar("select password_hash from users").fetch_one(pool).await.unwrap()
    });
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
});

both_backends!(category_lists_its_published_articles, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let page = kb::category_articles(&db, "billing", Audience::Public).await.unwrap();
    assert_eq!(page.category.name, "Billing & invoices");
    assert_eq!(page.category.article_count, 2);
    let titles: Vec<_> = page.articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["Download an invoice", "Request a refund"]);
});

both_backends!(unknown_category_is_not_found, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    assert_eq!(kb::category_articles(&db, "no-such-topic", Audience::Public).await, Err(AppError::NotFound));
});

both_backends!(revising_a_published_article_shows_it_at_once_and_keeps_history, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let id = article_id(&db, "track-your-order").await;
    assert_eq!(authoring::revisions(&db, id).await.unwrap().len(), 1, "seeded version");
    revise(&db, "track-your-order", "Track an order", "## New body").await.unwrap();
    let article = kb::published_article(&db, "track-your-order", Audience::Public).await.unwrap();
    assert_eq!(article.title, "Track an order");
    assert!(article.body_html.contains("<h2>New body</h2>"));
    let history = authoring::revisions(&db, id).await.unwrap();
    assert_eq!(history.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["Track an order", "Track your order"]);
    assert!(matches!(revise(&db, "track-your-order", "", "x").await, Err(AppError::Invalid(_))));
});
