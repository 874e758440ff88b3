//! Fresh, migrated databases for tests, one per test, on either backend.
//!
//! SQLite gets a file in a temporary directory. PostgreSQL gets its own schema inside the
//! database named by `TEST_DATABASE_URL` (the test command creates one per run and drops it
//! afterwards), so tests run in parallel without seeing each other's rows.

use super::db::{Backend, Db};
use std::sync::atomic::{AtomicU32, Ordering};

pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        let test_db = Self::new_unmigrated(backend).await;
        test_db.db.migrate().await.expect("migrate the test database");
        test_db
    }

    /// An empty database, for tests of the migrations themselves.
    pub async fn new_unmigrated(backend: Backend) -> Self {
        let (url, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}/test.db", dir.path().display());
                (url, Some(dir))
            }
            Backend::Postgres => (postgres_schema_url().await, None),
        };
        let db = Db::connect(&url).await.expect("connect to the test database");
        Self { db, url, _dir: dir }
    }
}

async fn postgres_schema_url() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let base = std::env::var("TEST_DATABASE_URL").expect(
        "TEST_DATABASE_URL is not set: run scripts/test.sh, or point it at a PostgreSQL \
         database in which tests may create schemas",
    );
    let schema = format!(
        "test_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let pool = sqlx::PgPool::connect(&base)
        .await
        .expect("connect to TEST_DATABASE_URL");
    sqlx::query(&format!("create schema {schema}"))
        .execute(&pool)
        .await
        .expect("create the test schema");
    pool.close().await;
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options[search_path]={schema}")
}

/// Declares an async test body once and runs it on SQLite and on PostgreSQL:
/// `both_backends!(name, |db: Db| async move { ... });` makes `name::sqlite` and
/// `name::postgres`. The macro keeps the database (and its temporary files) alive until the
/// body has finished.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let test_db = $crate::server::testing::TestDb::new(
                    $crate::server::db::Backend::Sqlite,
                )
                .await;
                ($body)(test_db.db.clone()).await;
                drop(test_db);
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let test_db = $crate::server::testing::TestDb::new(
                    $crate::server::db::Backend::Postgres,
                )
                .await;
                ($body)(test_db.db.clone()).await;
                drop(test_db);
            }
        }
    };
}
