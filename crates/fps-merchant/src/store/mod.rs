//! The order store: sqlx over SQLite (the default, one file) or PostgreSQL. Every state change
//! is one transaction whose UPDATE names the state it expects, so two racing requests cannot
//! both win and no update is lost.
//!
//! How one body of code serves both databases: the queries are written once, in `impl`
//! blocks of `Queries` generic over the [`sqlx::Database`] (bounded by what they bind and
//! decode), and each public [`Store`] method picks the pool with a plain `match` and calls
//! them. This was preferred over `sqlx::Any` (which loses the typed pools and their options)
//! and over one trait with an impl per database (which would write every statement twice);
//! the price is the `where` clause each `impl` block repeats. The one thing written per
//! database is `Backend::execute_built` (running a `QueryBuilder` statement), which generic
//! code cannot express for sqlx 0.8's SQLite arguments. Rows are `#[derive(FromRow)]`
//! structs converted to the domain types (`rows`), and every statement whose shape depends
//! on its input is built with [`sqlx::QueryBuilder::push_bind`], which numbers placeholders
//! itself.

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::migrate::MigrateError;
use sqlx::postgres::{PgPool, PgPoolOptions, PgQueryResult};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteQueryResult,
};
use sqlx::{Database, PgConnection, Pool, Postgres, QueryBuilder, Sqlite, SqliteConnection};

use super::order::OrderState;

mod lease;
mod model;
mod orders;
mod outbox;
mod refund_requests;
mod refunds;
mod requests;
mod rows;
mod sellers;
mod stats;
mod trail;

pub use model::{
    Changes, Event, NextCheck, Order, Refund, MAX_EVENT_DETAIL, MAX_REFUSAL_DETAIL, MAX_REFUSAL_EVENTS,
};
pub use outbox::{OutboxEvent, Replay};
pub use refund_requests::{ApproveError, RefundRequest, RequestState};
pub use requests::{FpsRequest, MAX_REQUEST_ID_CHARS};
pub use rows::CorruptValue;
pub use sellers::{OrderMarketplace, SellerAccount, SellerSignup};

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed (connection, statement, decoding a column).
    #[error("database: {0}")]
    Database(#[source] sqlx::Error),
    /// The migrations could not run.
    #[error("database migration: {0}")]
    Migration(#[source] MigrateError),
    /// A stored value is not valid for its type.
    #[error(transparent)]
    Corrupt(#[from] CorruptValue),
    /// A stored order lacks what its state promises (a charging order without its timestamp):
    /// a bug or a hand-edited row, not something the caller can fix.
    #[error("broken invariant: {0}")]
    Invariant(String),
    /// No such order.
    #[error("no order {0}")]
    NotFound(String),
    /// The order was not in a state the change allows (someone else changed it first).
    #[error("order is {current}, not {expected}")]
    Conflict {
        /// Where it is now.
        current: OrderState,
        /// Where the change needed it.
        expected: String,
    },
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

/// The database behind the store.
#[derive(Debug, Clone)]
pub enum Store {
    /// An SQLite file (or memory).
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// How many rows a statement changed: sqlx gives each database's result its own inherent
/// `rows_affected`, and the shared queries need it as a trait.
trait RowsAffected {
    /// Rows inserted, updated or deleted.
    fn rows_affected(&self) -> u64;
}

impl RowsAffected for SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        SqliteQueryResult::rows_affected(self)
    }
}

impl RowsAffected for PgQueryResult {
    fn rows_affected(&self) -> u64 {
        PgQueryResult::rows_affected(self)
    }
}

/// What the shared queries need to know of a database beyond sqlx's traits.
trait Backend: Database<QueryResult: RowsAffected> {
    /// How a writing transaction starts: SQLite takes the write lock at once (`IMMEDIATE`), so
    /// a transaction that reads first cannot fail to upgrade its lock when another one writes.
    const BEGIN: &'static str;
    /// Row lock for a read that a write in the same transaction depends on (PostgreSQL;
    /// SQLite's IMMEDIATE transaction already holds the database's write lock).
    const FOR_UPDATE: &'static str;

    /// Runs the statement `builder` built on `conn`, returning how many rows it changed. Here
    /// rather than in the shared queries: a built statement borrows its builder, and only a
    /// concrete database's arguments let that borrow be shorter than the bound values' lifetime.
    async fn execute_built(
        builder: &mut QueryBuilder<'_, Self>,
        conn: &mut Self::Connection,
    ) -> Result<u64, sqlx::Error>;
}

impl Backend for Sqlite {
    const BEGIN: &'static str = "BEGIN IMMEDIATE";
    const FOR_UPDATE: &'static str = "";

    async fn execute_built(
        builder: &mut QueryBuilder<'_, Self>,
        conn: &mut SqliteConnection,
    ) -> Result<u64, sqlx::Error> {
        Ok(builder.build().execute(conn).await?.rows_affected())
    }
}

impl Backend for Postgres {
    const BEGIN: &'static str = "BEGIN";
    const FOR_UPDATE: &'static str = " FOR UPDATE";

    async fn execute_built(
        builder: &mut QueryBuilder<'_, Self>,
        conn: &mut PgConnection,
    ) -> Result<u64, sqlx::Error> {
        Ok(builder.build().execute(conn).await?.rows_affected())
    }
}

/// The store's queries on one pool, written once for both databases (see the module doc).
struct Queries<'p, DB: Database> {
    pool: &'p Pool<DB>,
}

impl<'p, DB: Database> Queries<'p, DB> {
    /// The queries on `pool`.
    fn on(pool: &'p Pool<DB>) -> Self {
        Queries { pool }
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Unix milliseconds now (orders events within a second).
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Store {
    /// Connects (`sqlite:` / `postgres:` URL, or a bare file path for SQLite) and migrates.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new().max_connections(10).connect(url).await?;
            Store::Postgres(pool)
        } else {
            let options = if url.starts_with("sqlite:") {
                url.parse::<SqliteConnectOptions>()?
            } else {
                SqliteConnectOptions::new().filename(url)
            };
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let options = options
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(std::time::Duration::from_secs(10));
            let options = if memory {
                options
            } else {
                options.journal_mode(SqliteJournalMode::Wal)
            };
            let pool = SqlitePoolOptions::new()
                .max_connections(if memory { 1 } else { 5 })
                .connect_with(options)
                .await?;
            Store::Sqlite(pool)
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = sqlx::migrate!("./migrations");
        let migrated = match self {
            Store::Sqlite(pool) => migrator.run(pool).await,
            Store::Postgres(pool) => migrator.run(pool).await,
        };
        migrated.map_err(StoreError::Migration)
    }

    /// Which database this is (`sqlite` or `postgres`).
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop)?,
            Store::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop)?,
        };
        Ok(())
    }
}
