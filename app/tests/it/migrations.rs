//! What happens when migrations cannot apply: the database stays as it was, and the error
//! says why in an operator's terms.

use app::{
    both_backends,
    server::db::{Backend, Db},
    with_db,
};
use sqlx::migrate::Migrator;
use std::path::Path;

async fn table_exists(db: &Db, table: &str) -> bool {
    let sql = match db.backend() {
        Backend::Sqlite => "select count(*) from sqlite_master where type = 'table' and name = $1",
        Backend::Postgres => "select count(*) from information_schema.tables where table_schema = current_schema() and table_name = $1",
    };
    let found: i64 = with_db!(db, |pool| sqlx::query_scalar(sql).bind(table).fetch_one(pool).await.unwrap());
    found == 1
}

both_backends!(a_database_from_a_newer_release_is_refused_untouched, |db: Db| async move {
    with_db!(&db, |pool| {
        sqlx::query(
            "insert into _sqlx_migrations (version, description, success, checksum, execution_time)
             values (99999, 'from the future', true, $1, 0)",
        )
        .bind(vec![0u8; 48])
        .execute(pool)
        .await
        .unwrap();
    });
    let error = db.migrate().await.unwrap_err().to_string();
    assert!(error.contains("migration 99999"), "{error}");
    assert!(error.contains("a newer release has upgraded it"), "{error}");
    assert!(error.contains("Nothing was changed"), "{error}");
});

both_backends!(a_migration_that_fails_midway_is_rolled_back_whole, |db: Db| async move {
    // Start from a database migrated only to 0001 ...
    let fresh = app::server::testing::TestDb::new_unmigrated(db.backend()).await;
    let folder = match db.backend() {
        Backend::Sqlite => "../migrations/sqlite",
        Backend::Postgres => "../migrations/postgres",
    };
    let first_only = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(folder).join("0001_init.sql"),
        first_only.path().join("0001_init.sql"),
    )
    .unwrap();
    let migrator = Migrator::new(first_only.path()).await.unwrap();
    with_db!(&fresh.db, |pool| migrator.run(pool).await.unwrap());
    // ... with a table in the way of a statement near the end of 0002.
    with_db!(&fresh.db, |pool| {
        sqlx::query("create table customer_merges (id integer)").execute(pool).await.unwrap();
    });

    let error = fresh.db.migrate().await.unwrap_err().to_string();
    assert!(error.contains("migration 2 failed and was rolled back"), "{error}");
    assert!(!table_exists(&fresh.db, "customers").await, "0002's first tables were rolled back too");
    assert!(table_exists(&fresh.db, "articles").await, "0001 is still there");

    // Once the obstacle is gone, the same migration applies.
    with_db!(&fresh.db, |pool| {
        sqlx::query("drop table customer_merges").execute(pool).await.unwrap();
    });
    fresh.db.migrate().await.unwrap();
    assert!(table_exists(&fresh.db, "customers").await);
});
