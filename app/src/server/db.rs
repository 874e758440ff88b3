//! Storage: a native sqlx pool for SQLite (the embedded default) or PostgreSQL (scale-out),
//! chosen by the database URL. Queries are written once with `$n` placeholders, which both
//! drivers accept, and run through [`with_db!`]; per-dialect arms only where SQL differs.

use sqlx::{
    PgPool, Postgres, Sqlite, SqlitePool, Transaction,
    migrate::{MigrateError, Migrator},
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use std::{path::Path, str::FromStr, time::Duration};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same expression against whichever native pool is active.
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::server::db::Db::Sqlite($pool) => $body,
            $crate::server::db::Db::Postgres($pool) => $body,
        }
    };
}
pub use with_db;

/// Opens the transactions of writes, on either pool.
pub trait BeginWrite {
    type Database: sqlx::Database;

    /// Begins a transaction that will write. SQLite's default deferred transaction takes the
    /// write lock only at its first write, and if another connection wrote since its first
    /// read, that write fails at once with "database is locked": the busy timeout does not
    /// apply. `BEGIN IMMEDIATE` takes the lock up front, where a busy writer is waited for.
    fn begin_write(&self) -> impl Future<Output = Result<Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = Sqlite;

    fn begin_write(&self) -> impl Future<Output = Result<Transaction<'static, Sqlite>, sqlx::Error>> + Send {
        // sqlx runs a custom BEGIN, then checks in a second step that it took effect: a caller
        // cancelled between the two (a browser leaving mid-request) would return the connection
        // to the pool inside a transaction nobody ends, holding the write lock. Spawned, the
        // begin always finishes, and a transaction its caller no longer awaits is rolled back
        // as it is dropped.
        let pool = self.clone();
        async move {
            tokio::spawn(async move { pool.begin_with("BEGIN IMMEDIATE").await })
                .await
                .map_err(|gone| sqlx::Error::Io(std::io::Error::other(gone)))?
        }
    }
}

/// PostgreSQL locks rows, not the database, so a plain `BEGIN` suffices.
impl BeginWrite for PgPool {
    type Database = Postgres;

    fn begin_write(&self) -> impl Future<Output = Result<Transaction<'static, Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "unsupported database URL {0:?}: use sqlite://path/to/file.db or postgres://user@host/db"
    )]
    UnsupportedUrl(String),
    #[error("could not create the directory for the SQLite file {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("{}", explain_migration_failure(.0))]
    Migrate(#[source] MigrateError),
}

/// Which engine a URL names, decided by its scheme alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(DbError::UnsupportedUrl(url.to_owned()))
        }
    }
}

impl Db {
    /// Opens a pool for `url`. A SQLite file (and its directory) is created on first use.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        match Backend::of_url(url)? {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(DbError::Connect)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a write the server has acknowledged survives power loss too.
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5));
                if let Some(dir) = options.get_filename().parent() {
                    create_dir(dir)?;
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
                    .map_err(DbError::Connect)?;
                Ok(Self::Sqlite(pool))
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect(url)
                    .await
                    .map_err(DbError::Connect)?;
                Ok(Self::Postgres(pool))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations; each runs in its own transaction.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Self::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Self::Postgres(pool) => {
                let mut conn = pool.acquire().await.map_err(DbError::Connect)?;
                let result = POSTGRES_MIGRATIONS.run(&mut *conn).await;
                if result.is_err() {
                    // A failed run leaves sqlx's advisory lock held by this session, which
                    // would block every later migration; closing the connection frees it.
                    let _ = conn.close().await;
                }
                result
            }
        }
        .map_err(DbError::Migrate)
    }

    /// Cheap round trip used by `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        with_db!(self, |pool| sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    pub async fn close(&self) {
        with_db!(self, |pool| pool.close().await)
    }
}

/// What an operator needs to know when migrations do not apply. Every migration runs in its
/// own transaction, so a failed one leaves the database as it was.
fn explain_migration_failure(error: &MigrateError) -> String {
    match error {
        MigrateError::VersionMissing(version) => format!(
            "the database has migration {version}, which this version of the helpdesk does not \
             know: a newer release has upgraded it. Run that release (or a newer one), or restore \
             a backup taken before the upgrade. Nothing was changed."
        ),
        MigrateError::VersionMismatch(version) => format!(
            "migration {version} in this build differs from the one applied to the database, so \
             the two come from different builds. Nothing was changed; run the build that \
             migrated this database."
        ),
        MigrateError::ExecuteMigration(cause, version) => format!(
            "migration {version} failed and was rolled back; the database is unchanged. \
             Cause: {cause}"
        ),
        MigrateError::Dirty(version) => format!(
            "migration {version} was left partially applied by an earlier run. Restore the \
             backup taken before that run, then start again."
        ),
        other => format!("could not apply the database migrations: {other}"),
    }
}

fn create_dir(dir: &Path) -> Result<(), DbError> {
    if dir.as_os_str().is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
        path: dir.display().to_string(),
        source,
    })
}

/// Reads a text column holding one of an enum's values. A value the code does not know means
/// the database was written by something else: logged, and an internal error for the user.
pub fn decode_text<T>(text: &str) -> Result<T, crate::error::AppError>
where
    T: std::str::FromStr<Err = crate::model::UnknownValue>,
{
    text.parse().map_err(|error: crate::model::UnknownValue| {
        tracing::error!(%error, "unexpected value in the database");
        crate::error::AppError::Internal
    })
}
