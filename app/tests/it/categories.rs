//! The category tree on both backends: editors nest, move, rename and delete categories;
//! readers browse the tree with counts of what they may read; loops, depth and deleting a
//! category that still holds something are refused without changing anything.

use super::workspace::login;
use app::{
    both_backends,
    error::AppError,
    model::{ArticleFields, ArticleStatus, Audience, CategoryFields, CategoryStep, CurrentUser, Role},
    server::{
        authoring, categories, kb,
        db::Db,
        seed::{self, SeedSize},
    },
};

fn named(name: &str, parent_id: Option<i64>) -> CategoryFields {
    CategoryFields { name: name.into(), description: format!("All about {name}"), parent_id }
}

async fn editor(db: &Db) -> CurrentUser {
    seed::seed(db, SeedSize::default()).await.unwrap();
    login(db, "Edith", Role::Admin, None).await
}

async fn top_level(db: &Db) -> Vec<String> {
    categories::tree(db).await.unwrap().into_iter().filter(|node| node.depth == 0).map(|node| node.slug).collect()
}

async fn publish(db: &Db, edith: &CurrentUser, category_id: i64, title: &str, audience: Audience) {
    let fields = ArticleFields {
        title: title.into(),
        summary: String::new(),
        body_markdown: "Unscrew the base.".into(),
        category_id,
        tags: vec![],
        audience,
    };
    let article = authoring::create(db, edith, &fields).await.unwrap();
    authoring::set_status(db, edith, article.id, ArticleStatus::Published).await.unwrap();
}

both_backends!(editors_arrange_the_tree_and_readers_browse_it, |db: Db| async move {
    let edith = editor(&db).await;
    let appliances = categories::create(&db, &edith, &named("Appliances", None)).await.unwrap();
    let kettles = categories::create(&db, &edith, &named("Kettles", Some(appliances))).await.unwrap();
    let parts = categories::create(&db, &edith, &named("Spare parts", Some(kettles))).await.unwrap();
    assert_eq!(top_level(&db).await.last().map(String::as_str), Some("appliances"), "a new category comes last");

    let tree = categories::tree(&db).await.unwrap();
    let at = tree.iter().position(|node| node.id == appliances).unwrap();
    let branch: Vec<(usize, &str)> = tree[at..at + 3].iter().map(|node| (node.depth, node.slug.as_str())).collect();
    assert_eq!(branch, [(0, "appliances"), (1, "kettles"), (2, "spare-parts")]);
    let choices = categories::choices(&db).await.unwrap();
    assert!(choices.iter().any(|choice| choice.id == parts && choice.name == "Appliances › Kettles › Spare parts"), "{choices:?}");

    publish(&db, &edith, parts, "Replace a kettle lid", Audience::Public).await;
    publish(&db, &edith, kettles, "Descaling schedule for technicians", Audience::Internal).await;
    // A reader's counts include what lies below, and only what they may read.
    let home = kb::help_center_home(&db, Audience::Public).await.unwrap();
    let card = home.categories.iter().find(|category| category.slug == "appliances").unwrap();
    assert_eq!(card.article_count, 1);
    assert_eq!(card.subcategories.iter().map(|below| (below.slug.as_str(), below.article_count)).collect::<Vec<_>>(), [("kettles", 1)]);
    assert!(home.categories.iter().all(|category| category.slug != "kettles"), "subtopics are not top-level cards");
    let staff = kb::help_center_home(&db, Audience::Internal).await.unwrap();
    assert_eq!(staff.categories.iter().find(|category| category.slug == "appliances").unwrap().article_count, 2);

    let page = kb::category_articles(&db, "spare-parts", Audience::Public).await.unwrap();
    assert_eq!(page.parents.iter().map(|above| above.slug.as_str()).collect::<Vec<_>>(), ["appliances", "kettles"]);
    assert_eq!(page.articles.iter().map(|article| article.title.as_str()).collect::<Vec<_>>(), ["Replace a kettle lid"]);
    let kettles_page = kb::category_articles(&db, "kettles", Audience::Public).await.unwrap();
    assert!(kettles_page.articles.is_empty(), "the staff-only article stays hidden");
    assert_eq!(kettles_page.category.subcategories.len(), 1);
    assert_eq!(kb::category_articles(&db, "no-such-topic", Audience::Public).await, Err(AppError::NotFound));

    // Moving up and down among siblings; at either end a move changes nothing.
    let before = top_level(&db).await;
    categories::step(&db, appliances, CategoryStep::Up).await.unwrap();
    let moved = top_level(&db).await;
    assert_eq!(moved[moved.len() - 2], "appliances");
    assert_eq!(moved[moved.len() - 1], before[before.len() - 2]);
    categories::step(&db, appliances, CategoryStep::Down).await.unwrap();
    categories::step(&db, appliances, CategoryStep::Down).await.unwrap();
    assert_eq!(top_level(&db).await, before);
    let first = categories::tree(&db).await.unwrap()[0].id;
    categories::step(&db, first, CategoryStep::Up).await.unwrap();
    assert_eq!(top_level(&db).await, before);
    let home = kb::help_center_home(&db, Audience::Public).await.unwrap();
    assert_eq!(home.categories.iter().map(|category| category.slug.clone()).collect::<Vec<_>>(), before, "readers see the editors' order");

    // Kettles made a top-level topic: renamed, last in order, at the same address.
    categories::update(&db, &edith, kettles, &named("Kettles & jugs", None)).await.unwrap();
    let node = categories::tree(&db).await.unwrap().into_iter().find(|node| node.id == kettles).unwrap();
    assert_eq!((node.depth, node.name.as_str(), node.slug.as_str()), (0, "Kettles & jugs", "kettles"));
    assert_eq!(top_level(&db).await.last().map(String::as_str), Some("kettles"));
});

both_backends!(loops_depth_and_categories_that_still_hold_something_are_refused, |db: Db| async move {
    let edith = editor(&db).await;
    let appliances = categories::create(&db, &edith, &named("Appliances", None)).await.unwrap();
    let kettles = categories::create(&db, &edith, &named("Kettles", Some(appliances))).await.unwrap();
    let parts = categories::create(&db, &edith, &named("Spare parts", Some(kettles))).await.unwrap();
    let before = categories::tree(&db).await.unwrap();

    for (parent, what) in [(parts, "below itself"), (appliances, "inside itself")] {
        let refused = categories::update(&db, &edith, appliances, &named("Appliances", Some(parent))).await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{what}: {refused:?}");
    }
    let lids = categories::create(&db, &edith, &named("Lids", Some(parts))).await.unwrap();
    let too_deep = categories::create(&db, &edith, &named("Lid seals", Some(lids))).await;
    assert!(matches!(&too_deep, Err(AppError::Invalid(message)) if message.contains("4 levels")), "{too_deep:?}");
    // Four levels already hang from Appliances: under anything, they would be five.
    let other = categories::create(&db, &edith, &named("Outdoor", None)).await.unwrap();
    let moved = categories::update(&db, &edith, appliances, &named("Appliances", Some(other))).await;
    assert!(matches!(&moved, Err(AppError::Invalid(message)) if message.contains("4 levels")), "{moved:?}");
    categories::update(&db, &edith, lids, &named("Lids", Some(other))).await.unwrap();
    categories::update(&db, &edith, lids, &named("Lids", Some(parts))).await.unwrap();
    categories::delete(&db, &edith, other).await.unwrap();
    for bad in [named("  ", None), named(&"x".repeat(81), None), named("Orphans", Some(999_999))] {
        let refused = categories::create(&db, &edith, &bad).await;
        assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    }
    assert_eq!(categories::update(&db, &edith, 999_999, &named("Ghost", None)).await, Err(AppError::NotFound));
    assert_eq!(categories::step(&db, 999_999, CategoryStep::Up).await, Err(AppError::NotFound));

    publish(&db, &edith, parts, "Replace a kettle lid", Audience::Public).await;
    let holding = categories::delete(&db, &edith, parts).await;
    assert!(matches!(&holding, Err(AppError::Conflict(message)) if message.contains("1 article") && message.contains("1 subcategory")), "{holding:?}");
    let parent = categories::delete(&db, &edith, kettles).await;
    assert!(matches!(&parent, Err(AppError::Conflict(message)) if message.contains("1 subcategory")), "{parent:?}");
    categories::delete(&db, &edith, lids).await.unwrap();
    let after: Vec<i64> = categories::tree(&db).await.unwrap().into_iter().map(|node| node.id).collect();
    assert_eq!(after, before.iter().map(|node| node.id).collect::<Vec<_>>(), "only the empty category went");
    assert_eq!(categories::delete(&db, &edith, lids).await, Err(AppError::NotFound));

    let twin = categories::create(&db, &edith, &named("Appliances", None)).await.unwrap();
    let slug = categories::tree(&db).await.unwrap().into_iter().find(|node| node.id == twin).unwrap().slug;
    assert_eq!(slug, "appliances-2", "a second category of the same name gets its own address");
});

// Two admins saving at the same moment: on SQLite a transaction that reads before it writes
// used to fail with "database is locked" instead of waiting its turn.
both_backends!(categories_created_at_the_same_time_are_all_kept, |db: Db| async move {
    let edith = editor(&db).await;
    let names = ["Kettles", "Toasters", "Blenders", "Fridges", "Ovens", "Mixers", "Grills", "Fryers"];
    let mut saving = tokio::task::JoinSet::new();
    for name in names {
        let (db, edith) = (db.clone(), edith.clone());
        saving.spawn(async move { categories::create(&db, &edith, &named(name, None)).await });
    }
    while let Some(saved) = saving.join_next().await {
        saved.unwrap().unwrap();
    }
    let top = top_level(&db).await;
    for name in names {
        assert!(top.contains(&name.to_lowercase()), "{name} is missing from {top:?}");
    }
});

// An admin who leaves while a save is starting cancels it at any point; the saves after it, by
// anyone, must still go through.
both_backends!(a_save_cancelled_as_it_starts_leaves_the_database_writable, |db: Db| async move {
    let edith = editor(&db).await;
    for attempt in 0..60u64 {
        let draft = named(&format!("Draft {attempt}"), None);
        let leaving = categories::create(&db, &edith, &draft);
        let _ = tokio::time::timeout(std::time::Duration::from_micros(attempt * 20), leaving).await;
    }
    let mut saving = tokio::task::JoinSet::new();
    for n in 0..16 {
        let (db, edith) = (db.clone(), edith.clone());
        saving.spawn(async move { categories::create(&db, &edith, &named(&format!("Kept {n}"), None)).await });
    }
    while let Some(saved) = saving.join_next().await {
        saved.unwrap().unwrap();
    }
});
