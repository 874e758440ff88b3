//! Where sessions live: in the product's own database, through the tower-sessions store of
//! whichever backend is active.

use super::db::{Db, DbError};
use async_trait::async_trait;
use tower_sessions::{
    ExpiredDeletion, SessionStore,
    session::{Id, Record},
    session_store,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

#[derive(Clone, Debug)]
pub enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Sessions {
    /// The store for `db`, with its table created if missing. On PostgreSQL the table goes in
    /// the connection's current schema, next to the product's own tables.
    pub async fn for_db(db: &Db) -> Result<Self, DbError> {
        let store = match db {
            Db::Sqlite(pool) => {
                let store = SqliteStore::new(pool.clone());
                store.migrate().await.map_err(DbError::Connect)?;
                Self::Sqlite(store)
            }
            Db::Postgres(pool) => {
                let schema: String = sqlx::query_scalar("select current_schema()")
                    .fetch_one(pool)
                    .await
                    .map_err(DbError::Connect)?;
                let store = PostgresStore::new(pool.clone())
                    .with_schema_name(schema)
                    .map_err(|e| DbError::Connect(sqlx::Error::Configuration(e.into())))?;
                store.migrate().await.map_err(DbError::Connect)?;
                Self::Postgres(store)
            }
        };
        Ok(store)
    }

    /// Removes expired sessions every `period`, for as long as the server runs.
    pub async fn delete_expired_every(self, period: std::time::Duration) {
        let mut ticks = tokio::time::interval(period);
        loop {
            ticks.tick().await;
            let deleted = match &self {
                Self::Sqlite(store) => store.delete_expired().await,
                Self::Postgres(store) => store.delete_expired().await,
            };
            if let Err(error) = deleted {
                tracing::warn!(%error, "could not delete expired sessions");
            }
        }
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.create(record).await,
            Self::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(store) => store.load(id).await,
            Self::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete(id).await,
            Self::Postgres(store) => store.delete(id).await,
        }
    }
}
