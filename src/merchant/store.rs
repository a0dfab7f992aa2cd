//! The order store: sqlx over SQLite (the default, one file) or PostgreSQL. Every state change
//! is one transaction whose UPDATE names the state it expects, so two racing requests cannot
//! both win and no update is lost.

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::Row as _;

use super::order::{Mode, OrderState};
use crate::core::Amount;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or a stored value is corrupt.
    #[error("database: {0}")]
    Database(String),
    /// The migrations could not run.
    #[error("database migration: {0}")]
    Migration(String),
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
        StoreError::Database(e.to_string())
    }
}

/// One stored order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The callerReference, also the order id.
    pub reference: String,
    /// The priced lines, as JSON.
    pub items: String,
    /// What was bought, for people.
    pub description: String,
    /// The total in minor units.
    pub amount_minor: u64,
    /// `USD`.
    pub currency: String,
    /// Pay or reserve.
    pub mode: Mode,
    /// Where it stands.
    pub state: OrderState,
    /// The return URL the signed CBUI request named.
    pub return_url: Option<String>,
    /// The sender token from the verified return.
    pub sender_token_id: Option<String>,
    /// The Timestamp the Pay/Reserve was signed with (resent identically after a failure).
    pub charge_timestamp: Option<String>,
    /// The Pay/Reserve transaction.
    pub transaction_id: Option<String>,
    /// FPS's last status of it.
    pub transaction_status: Option<String>,
    /// The amount settle was asked for.
    pub settle_amount_minor: Option<u64>,
    /// The Settle transaction, when FPS named one.
    pub settle_transaction_id: Option<String>,
    /// The Timestamp the Settle was signed with (resent identically while its outcome is unknown).
    pub settle_timestamp: Option<String>,
    /// The amount taken.
    pub settled_minor: u64,
    /// The amount refunded or being refunded.
    pub refunded_minor: u64,
    /// The last failure, for the admin.
    pub last_error: Option<String>,
    /// The current authorization: 1, then one more for each re-authorization after a failure
    /// (its callerReference: [`super::order::caller_reference`]).
    pub attempt: u32,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// When the reconciler next asks FPS about the order (Unix seconds); `None`: nothing to ask.
    pub next_check_at: Option<i64>,
    /// How many times the reconciler asked without reaching an outcome (its backoff).
    pub checks: u32,
}

impl Order {
    /// A new order in `open`, not yet stored: first attempt, nothing authorized, taken or
    /// refunded, created and updated at `at` (Unix seconds). Store it with [`Store::create_order`].
    pub fn new_open(
        reference: String,
        items: String,
        description: String,
        total: Amount,
        mode: Mode,
        at: i64,
    ) -> Self {
        Order {
            reference,
            items,
            description,
            amount_minor: total.minor_units(),
            currency: total.currency().code().to_owned(),
            mode,
            state: OrderState::Open,
            return_url: None,
            sender_token_id: None,
            charge_timestamp: None,
            transaction_id: None,
            transaction_status: None,
            settle_amount_minor: None,
            settle_transaction_id: None,
            settle_timestamp: None,
            settled_minor: 0,
            refunded_minor: 0,
            last_error: None,
            attempt: 1,
            created_at: at,
            updated_at: at,
            next_check_at: None,
            checks: 0,
        }
    }
}

/// One refund of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// Its own CallerReference.
    pub caller_reference: String,
    /// The order.
    pub order_reference: String,
    /// Minor units.
    pub amount_minor: u64,
    /// `requested` (sent, no answer yet), `Pending`, `Success`, `Failure`, `failed` (refused).
    pub state: String,
    /// The Timestamp it was signed with.
    pub request_timestamp: String,
    /// FPS's transaction id.
    pub transaction_id: Option<String>,
}

/// Fields a state change may set (`None` keeps the stored value).
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// See [`Order::return_url`].
    pub return_url: Option<String>,
    /// See [`Order::sender_token_id`].
    pub sender_token_id: Option<String>,
    /// See [`Order::charge_timestamp`].
    pub charge_timestamp: Option<String>,
    /// See [`Order::transaction_id`].
    pub transaction_id: Option<String>,
    /// See [`Order::transaction_status`].
    pub transaction_status: Option<String>,
    /// See [`Order::settle_amount_minor`].
    pub settle_amount_minor: Option<u64>,
    /// See [`Order::settle_transaction_id`].
    pub settle_transaction_id: Option<String>,
    /// See [`Order::settle_timestamp`].
    pub settle_timestamp: Option<String>,
    /// See [`Order::settled_minor`].
    pub settled_minor: Option<u64>,
    /// See [`Order::last_error`].
    pub last_error: Option<String>,
    /// See [`Order::next_check_at`].
    pub next_check: NextCheck,
}

/// What a state change does to the order's next reconciliation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NextCheck {
    /// Leaves it as it is.
    #[default]
    Keep,
    /// Nothing is left to ask FPS about.
    Clear,
    /// Ask FPS at this Unix second (and start the backoff again).
    At(i64),
}

impl NextCheck {
    /// `(set?, value)` for SQL: whether to write the column, and what.
    fn sql(self) -> (bool, Option<i64>) {
        match self {
            NextCheck::Keep => (false, None),
            NextCheck::Clear => (true, None),
            NextCheck::At(at) => (true, Some(at)),
        }
    }
}

/// One entry of an order's event trail: every state change and every decision about an order
/// (FPS answers, refusals, the reconciler's findings) is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What happened (`charged`, `charge_unknown`, `reconciled`, ...).
    pub kind: &'static str,
    /// Details for people (bounded when stored).
    pub detail: String,
}

impl Event {
    /// An event of `kind` with `detail`.
    pub fn new(kind: &'static str, detail: impl Into<String>) -> Self {
        Event {
            kind,
            detail: detail.into(),
        }
    }
}

/// Longest event detail stored, in characters.
pub const MAX_EVENT_DETAIL: usize = 1000;

/// Refusal events of one kind an order's trail keeps before further ones are only counted.
pub const MAX_REFUSAL_EVENTS: i64 = 10;

/// Longest excerpt of refused input kept, in characters.
pub const MAX_REFUSAL_DETAIL: usize = 300;

/// The database behind the store.
#[derive(Debug, Clone)]
pub enum Store {
    /// An SQLite file (or memory).
    Sqlite(SqlitePool),
    /// A PostgreSQL server.
    Postgres(PgPool),
}

/// Runs the same code against whichever pool the store has.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            Store::Sqlite($pool) => $body,
            Store::Postgres($pool) => $body,
        }
    };
}

/// Builds an [`Order`] from a row of `SELECT ORDER_COLUMNS`.
macro_rules! read_order {
    ($row:expr) => {{
        let row = $row;
        let state: String = row.try_get("state")?;
        let mode: String = row.try_get("mode")?;
        Order {
            reference: row.try_get("reference")?,
            items: row.try_get("items")?,
            description: row.try_get("description")?,
            amount_minor: unsigned(row.try_get("amount_minor")?)?,
            currency: row.try_get("currency")?,
            mode: Mode::parse(&mode).ok_or_else(|| corrupt("mode", &mode))?,
            state: OrderState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
            return_url: row.try_get("return_url")?,
            sender_token_id: row.try_get("sender_token_id")?,
            charge_timestamp: row.try_get("charge_timestamp")?,
            transaction_id: row.try_get("transaction_id")?,
            transaction_status: row.try_get("transaction_status")?,
            settle_amount_minor: row
                .try_get::<Option<i64>, _>("settle_amount_minor")?
                .map(unsigned)
                .transpose()?,
            settle_transaction_id: row.try_get("settle_transaction_id")?,
            settle_timestamp: row.try_get("settle_timestamp")?,
            settled_minor: unsigned(row.try_get("settled_minor")?)?,
            refunded_minor: unsigned(row.try_get("refunded_minor")?)?,
            last_error: row.try_get("last_error")?,
            attempt: {
                let attempt: i64 = row.try_get("attempt")?;
                u32::try_from(attempt).map_err(|_| corrupt("attempt", &attempt.to_string()))?
            },
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            next_check_at: row.try_get("next_check_at")?,
            checks: {
                let checks: i64 = row.try_get("checks")?;
                u32::try_from(checks).unwrap_or(u32::MAX)
            },
        }
    }};
}

/// The end of a guarded UPDATE (one whose WHERE names the state it expects) inside transaction
/// `$tx`: reads the order `$reference` back, fails with [`StoreError::NotFound`] when there is
/// none, and when the UPDATE did not change exactly one row (`$changed`) rolls back and fails with
/// [`StoreError::Conflict`] naming `$expected` (evaluated only then). Otherwise yields the order
/// as updated, the transaction still open for the caller to add to and commit. A macro, like
/// [`read_order!`], so it runs on either pool's transaction.
macro_rules! reread_guarded {
    ($tx:ident, $reference:expr, $changed:expr, $expected:expr) => {{
        let select = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE reference = $1");
        let row = sqlx::query(&select)
            .bind($reference)
            .fetch_optional(&mut *$tx)
            .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound($reference.to_owned()));
        };
        let order = read_order!(row);
        if $changed != 1 {
            $tx.rollback().await?;
            return Err(StoreError::Conflict {
                current: order.state,
                expected: $expected,
            });
        }
        order
    }};
}

/// Appends `$event` to the trail of order `$order` inside transaction `$tx`.
macro_rules! insert_event {
    ($tx:ident, $order:expr, $event:expr) => {{
        let event: &Event = $event;
        let detail: String = event.detail.chars().take(MAX_EVENT_DETAIL).collect();
        sqlx::query(
            "INSERT INTO events (id, order_reference, kind, detail, created_at, seq_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::new_v4().simple().to_string())
        .bind($order)
        .bind(event.kind)
        .bind(detail)
        .bind(now())
        .bind(now_ms())
        .execute(&mut *$tx)
        .await?;
    }};
}

/// Builds a [`Refund`] from a row of `refunds`.
macro_rules! read_refund {
    ($row:expr) => {{
        let row = $row;
        Refund {
            caller_reference: row.try_get("caller_reference")?,
            order_reference: row.try_get("order_reference")?,
            amount_minor: unsigned(row.try_get("amount_minor")?)?,
            state: row.try_get("state")?,
            request_timestamp: row.try_get("request_timestamp")?,
            transaction_id: row.try_get("transaction_id")?,
        }
    }};
}

const ORDER_COLUMNS: &str =
    "reference, items, description, amount_minor, currency, mode, state, return_url, \
     sender_token_id, charge_timestamp, transaction_id, transaction_status, settle_amount_minor, \
     settle_transaction_id, settle_timestamp, settled_minor, refunded_minor, last_error, attempt, created_at, \
     updated_at, next_check_at, checks";

const REFUND_COLUMNS: &str =
    "caller_reference, order_reference, amount_minor, state, request_timestamp, transaction_id";

fn unsigned(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt("amount", &value.to_string()))
}

fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Database(format!("stored {what} {value:?} is not valid"))
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

/// Placeholders `$from, $from+1, ...` for `count` values.
fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
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
        on_pool!(self, pool => migrator.run(pool).await).map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// How a writing transaction starts: SQLite takes the write lock at once (`IMMEDIATE`), so a
    /// transaction that reads first cannot fail to upgrade its lock when another one writes.
    fn begin_sql(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "BEGIN IMMEDIATE",
            Store::Postgres(_) => "BEGIN",
        }
    }

    /// Row lock for a read that a write in the same transaction depends on (PostgreSQL; SQLite's
    /// IMMEDIATE transaction already holds the database's write lock).
    fn for_update(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "",
            Store::Postgres(_) => " FOR UPDATE",
        }
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
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Stores a new open order.
    pub async fn create_order(&self, order: &Order) -> Result<(), StoreError> {
        let sql = "INSERT INTO orders (reference, items, description, amount_minor, currency, mode, state, \
                   created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(&order.reference)
            .bind(&order.items)
            .bind(&order.description)
            .bind(signed(order.amount_minor))
            .bind(&order.currency)
            .bind(order.mode.as_str())
            .bind(order.state.as_str())
            .bind(order.created_at)
            .bind(order.updated_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// One order by reference.
    pub async fn order(&self, reference: &str) -> Result<Option<Order>, StoreError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE reference = $1");
        on_pool!(self, pool => {
            match sqlx::query(&sql).bind(reference).fetch_optional(pool).await? {
                Some(row) => Ok(Some(read_order!(row))),
                None => Ok(None),
            }
        })
    }

    /// The newest orders first.
    pub async fn orders(&self, limit: u32) -> Result<Vec<Order>, StoreError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders ORDER BY created_at DESC, reference LIMIT $1");
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(i64::from(limit)).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push(read_order!(row));
            }
            Ok(out)
        })
    }

    /// The order whose Pay/Reserve or Settle transaction is `transaction_id`.
    pub async fn order_by_transaction(&self, transaction_id: &str) -> Result<Option<Order>, StoreError> {
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE transaction_id = $1 OR settle_transaction_id = $2"
        );
        on_pool!(self, pool => {
            match sqlx::query(&sql).bind(transaction_id).bind(transaction_id).fetch_optional(pool).await? {
                Some(row) => Ok(Some(read_order!(row))),
                None => Ok(None),
            }
        })
    }

    /// Moves an order from one of `from` to `to`, setting `changes` and appending `event` to its
    /// trail, in one transaction. Fails with [`StoreError::Conflict`] when the order is elsewhere
    /// (someone else moved it first); then nothing is written. Only the order service calls it.
    pub async fn transition(
        &self,
        reference: &str,
        from: &[OrderState],
        to: OrderState,
        changes: Changes,
        event: &Event,
    ) -> Result<Order, StoreError> {
        let begin = self.begin_sql();
        let (set_check, check_at) = changes.next_check.sql();
        let sql = format!(
            "UPDATE orders SET state = $1, return_url = COALESCE($2, return_url), \
             sender_token_id = COALESCE($3, sender_token_id), charge_timestamp = COALESCE($4, charge_timestamp), \
             transaction_id = COALESCE($5, transaction_id), transaction_status = COALESCE($6, transaction_status), \
             settle_amount_minor = COALESCE($7, settle_amount_minor), \
             settle_transaction_id = COALESCE($8, settle_transaction_id), \
             settled_minor = COALESCE($9, settled_minor), last_error = COALESCE($10, last_error), \
             settle_timestamp = COALESCE($11, settle_timestamp), \
             next_check_at = CASE WHEN $12 THEN $13 ELSE next_check_at END, \
             checks = CASE WHEN $14 THEN 0 ELSE checks END, \
             updated_at = $15 WHERE reference = $16 AND state IN ({})",
            placeholders(17, from.len())
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let mut query = sqlx::query(&sql)
                .bind(to.as_str())
                .bind(changes.return_url)
                .bind(changes.sender_token_id)
                .bind(changes.charge_timestamp)
                .bind(changes.transaction_id)
                .bind(changes.transaction_status)
                .bind(changes.settle_amount_minor.map(signed))
                .bind(changes.settle_transaction_id)
                .bind(changes.settled_minor.map(signed))
                .bind(changes.last_error)
                .bind(changes.settle_timestamp)
                .bind(set_check)
                .bind(check_at)
                .bind(set_check)
                .bind(now())
                .bind(reference);
            for state in from {
                query = query.bind(state.as_str());
            }
            let changed = query.execute(&mut *tx).await?.rows_affected();
            let order = reread_guarded!(
                tx,
                reference,
                changed,
                from.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or ")
            );
            insert_event!(tx, Some(reference), event);
            tx.commit().await?;
            Ok(order)
        })
    }

    /// Work for the reconciler: up to `limit` orders due a check at `now`, each leased to `owner`
    /// until `lease_until` by a conditional update, so that any number of backends sharing the
    /// database never work on one order at once (an order whose lease ran out is free again).
    pub async fn claim_due(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError> {
        let candidates = "SELECT reference FROM orders WHERE next_check_at IS NOT NULL AND next_check_at <= $1 \
                          AND (lease_until IS NULL OR lease_until < $2) ORDER BY next_check_at, reference LIMIT $3";
        let claim = "UPDATE orders SET lease_owner = $1, lease_until = $2 WHERE reference = $3 \
                     AND next_check_at IS NOT NULL AND next_check_at <= $4 AND (lease_until IS NULL OR lease_until < $5)";
        let mut claimed = Vec::new();
        let references: Vec<String> = on_pool!(self, pool => {
            let rows = sqlx::query(candidates)
                .bind(now)
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| r.try_get::<String, _>("reference")).collect::<Result<_, _>>()
        })?;
        for reference in references {
            let won = on_pool!(self, pool => sqlx::query(claim)
                .bind(owner)
                .bind(lease_until)
                .bind(&reference)
                .bind(now)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
            if won == 1 {
                if let Some(order) = self.order(&reference).await? {
                    claimed.push(order);
                }
            }
        }
        Ok(claimed)
    }

    /// Ends `owner`'s lease on an order, setting when it is checked next and the backoff count.
    /// Does nothing when the lease is no longer `owner`'s.
    pub async fn release(
        &self,
        reference: &str,
        owner: &str,
        next_check_at: Option<i64>,
        checks: u32,
    ) -> Result<(), StoreError> {
        let sql =
            "UPDATE orders SET lease_owner = NULL, lease_until = NULL, next_check_at = $1, checks = $2 \
                   WHERE reference = $3 AND lease_owner = $4";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(next_check_at)
            .bind(i64::from(checks))
            .bind(reference)
            .bind(owner)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Asks for the order to be checked at `at` (Unix seconds) unless an earlier check is due.
    pub async fn check_by(&self, reference: &str, at: i64) -> Result<(), StoreError> {
        let sql = "UPDATE orders SET next_check_at = $1 WHERE reference = $2 \
                   AND (next_check_at IS NULL OR next_check_at > $3)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(at)
            .bind(reference)
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Fixes the return URL of an open order at its first signing: sets it only while none is
    /// set (or the same one is), appending `event`, so two racing first signings with different
    /// URLs cannot both win. `Ok(None)`: the order is open with another URL already;
    /// [`StoreError::Conflict`] when it is no longer open.
    pub async fn fix_return_url(
        &self,
        reference: &str,
        return_url: &str,
        event: &Event,
    ) -> Result<Option<Order>, StoreError> {
        let begin = self.begin_sql();
        let sql = "UPDATE orders SET return_url = $1, updated_at = $2 WHERE reference = $3 AND state = $4 \
                   AND (return_url IS NULL OR return_url = $5)";
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let changed = sqlx::query(sql)
                .bind(return_url)
                .bind(now())
                .bind(reference)
                .bind(OrderState::Open.as_str())
                .bind(return_url)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            // Read back whatever happened: the caller tells a lost race from a closed order.
            let order = reread_guarded!(tx, reference, 1, String::new());
            if changed != 1 {
                tx.rollback().await?;
                if order.state != OrderState::Open {
                    return Err(StoreError::Conflict { current: order.state, expected: "open".to_owned() });
                }
                return Ok(None);
            }
            insert_event!(tx, Some(reference), event);
            tx.commit().await?;
            Ok(Some(order))
        })
    }

    /// Opens a failed order for a new authorization (attempt `attempt + 1`): back to `open`,
    /// with the failed attempt's token, transaction and settlement forgotten (they stay in FPS
    /// and in the audit trail). Only from `failed` and only from the attempt the caller saw, so
    /// two clicks make one new attempt.
    pub async fn reauthorize(
        &self,
        reference: &str,
        attempt: u32,
        event: &Event,
    ) -> Result<Order, StoreError> {
        let sql = "UPDATE orders SET state = $1, attempt = attempt + 1, return_url = NULL, \
                   sender_token_id = NULL, charge_timestamp = NULL, transaction_id = NULL, \
                   transaction_status = NULL, settle_amount_minor = NULL, settle_transaction_id = NULL, \
                   settle_timestamp = NULL, next_check_at = NULL, checks = 0, \
                   settled_minor = 0, last_error = NULL, updated_at = $2 \
                   WHERE reference = $3 AND state = $4 AND attempt = $5";
        let begin = self.begin_sql();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let changed = sqlx::query(sql)
                .bind(OrderState::Open.as_str())
                .bind(now())
                .bind(reference)
                .bind(OrderState::Failed.as_str())
                .bind(i64::from(attempt))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let order = reread_guarded!(tx, reference, changed, format!("failed at attempt {attempt}"));
            insert_event!(tx, Some(reference), event);
            tx.commit().await?;
            Ok(order)
        })
    }

    /// Records a refund and adds its amount to the order's refunded total, in one transaction,
    /// only while the order is paid and the total stays within what was taken.
    ///
    /// The order is due a reconciliation at `check_at` (the refund's outcome may be lost).
    pub async fn begin_refund(
        &self,
        refund: &Refund,
        check_at: i64,
        event: &Event,
    ) -> Result<Order, StoreError> {
        let begin = self.begin_sql();
        let update = "UPDATE orders SET refunded_minor = refunded_minor + $1, updated_at = $2, \
                      next_check_at = COALESCE(next_check_at, $6) \
                      WHERE reference = $3 AND state = $4 AND refunded_minor + $5 <= settled_minor";
        let insert = "INSERT INTO refunds (caller_reference, order_reference, amount_minor, state, \
                      request_timestamp, transaction_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
        let amount = signed(refund.amount_minor);
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let changed = sqlx::query(update)
                .bind(amount)
                .bind(now())
                .bind(&refund.order_reference)
                .bind(OrderState::Paid.as_str())
                .bind(amount)
                .bind(check_at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let order = reread_guarded!(
                tx,
                refund.order_reference.as_str(),
                changed,
                "paid with enough left to refund".to_owned()
            );
            insert_event!(tx, Some(refund.order_reference.as_str()), event);
            sqlx::query(insert)
                .bind(&refund.caller_reference)
                .bind(&refund.order_reference)
                .bind(amount)
                .bind(&refund.state)
                .bind(&refund.request_timestamp)
                .bind(&refund.transaction_id)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(order)
        })
    }

    /// Records FPS's answer to a refund. A refused or failed refund gives its amount back to the
    /// order; when every taken cent is refunded successfully the order becomes `refunded`.
    /// Applying the same outcome twice changes nothing.
    pub async fn finish_refund(
        &self,
        caller_reference: &str,
        state: &str,
        transaction_id: Option<&str>,
        event: &Event,
    ) -> Result<(), StoreError> {
        let begin = self.begin_sql();
        let failed = state == "failed" || state == "Failure";
        let select = format!(
            "SELECT {REFUND_COLUMNS} FROM refunds WHERE caller_reference = $1{}",
            self.for_update()
        );
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let Some(row) = sqlx::query(&select).bind(caller_reference).fetch_optional(&mut *tx).await? else {
                return Err(StoreError::NotFound(caller_reference.to_owned()));
            };
            let refund = read_refund!(row);
            let was_failed = refund.state == "failed" || refund.state == "Failure";
            if was_failed || refund.state == "Success" {
                // Final already: a late or repeated answer changes nothing.
                tx.rollback().await?;
                return Ok(());
            }
            sqlx::query(
                "UPDATE refunds SET state = $1, transaction_id = COALESCE($2, transaction_id) \
                 WHERE caller_reference = $3",
            )
            .bind(state)
            .bind(transaction_id)
            .bind(caller_reference)
            .execute(&mut *tx)
            .await?;
            insert_event!(tx, Some(refund.order_reference.as_str()), event);
            if failed {
                sqlx::query(
                    "UPDATE orders SET refunded_minor = refunded_minor - $1, updated_at = $2 WHERE reference = $3",
                )
                .bind(signed(refund.amount_minor))
                .bind(now())
                .bind(&refund.order_reference)
                .execute(&mut *tx)
                .await?;
            } else if state == "Success" {
                let open: i64 = sqlx::query(
                    "SELECT COUNT(*) AS n FROM refunds WHERE order_reference = $1 AND state <> $2 AND state <> $3 \
                     AND state <> $4",
                )
                .bind(&refund.order_reference)
                .bind("Success")
                .bind("failed")
                .bind("Failure")
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
                if open == 0 {
                    sqlx::query(
                        "UPDATE orders SET state = $1, updated_at = $2 WHERE reference = $3 AND state = $4 \
                         AND refunded_minor = settled_minor",
                    )
                    .bind(OrderState::Refunded.as_str())
                    .bind(now())
                    .bind(&refund.order_reference)
                    .bind(OrderState::Paid.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// An order's refunds, oldest first.
    pub async fn refunds(&self, order_reference: &str) -> Result<Vec<Refund>, StoreError> {
        let sql = format!(
            "SELECT {REFUND_COLUMNS} FROM refunds WHERE order_reference = $1 ORDER BY created_at, caller_reference"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(order_reference).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push(read_refund!(row));
            }
            Ok(out)
        })
    }

    /// The refund whose own CallerReference is `caller_reference`.
    pub async fn refund(&self, caller_reference: &str) -> Result<Option<Refund>, StoreError> {
        let sql = format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE caller_reference = $1");
        on_pool!(self, pool => {
            match sqlx::query(&sql).bind(caller_reference).fetch_optional(pool).await? {
                Some(row) => Ok(Some(read_refund!(row))),
                None => Ok(None),
            }
        })
    }

    /// The refund whose FPS transaction is `transaction_id`.
    pub async fn refund_by_transaction(&self, transaction_id: &str) -> Result<Option<Refund>, StoreError> {
        let sql = format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE transaction_id = $1");
        on_pool!(self, pool => {
            match sqlx::query(&sql).bind(transaction_id).fetch_optional(pool).await? {
                Some(row) => Ok(Some(read_refund!(row))),
                None => Ok(None),
            }
        })
    }

    /// Appends to the audit trail (refused returns, forged notifications, FPS failures, the
    /// reconciler's findings) of `order`, or of no order.
    pub async fn record_event(&self, order: Option<&str>, event: &Event) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            insert_event!(tx, order, event);
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Records a refusal of input: an event on the order's trail while it has fewer than
    /// [`MAX_REFUSAL_EVENTS`] of this kind, otherwise (and for input naming no order) one more in
    /// the day's count of its kind, with the latest detail. Unauthenticated junk therefore adds
    /// at most one row per kind and day, and an order's trail stays readable.
    pub async fn record_refusal(&self, order: Option<&str>, event: &Event) -> Result<(), StoreError> {
        let begin = self.begin_sql();
        let count_sql = "SELECT COUNT(*) AS n FROM events WHERE order_reference = $1 AND kind = $2";
        let upsert = "INSERT INTO refusals (scope, kind, day, count, last_detail, last_at) VALUES ($1, $2, $3, 1, $4, $5) \
                      ON CONFLICT (scope, kind, day) DO UPDATE SET count = refusals.count + 1, \
                      last_detail = excluded.last_detail, last_at = excluded.last_at";
        let at = now();
        let excerpt: String = event.detail.chars().take(MAX_REFUSAL_DETAIL).collect();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let below_cap = match order {
                Some(reference) => {
                    let n: i64 = sqlx::query(count_sql)
                        .bind(reference)
                        .bind(event.kind)
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get("n")?;
                    n < MAX_REFUSAL_EVENTS
                }
                None => false,
            };
            if below_cap {
                let bounded = Event::new(event.kind, excerpt);
                insert_event!(tx, order, &bounded);
            } else {
                sqlx::query(upsert)
                    .bind(order.unwrap_or(""))
                    .bind(event.kind)
                    .bind(at.div_euclid(86_400))
                    .bind(&excerpt)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// The counted refusals of an order (`None`: of no order), newest day first:
    /// `(kind, UTC day as Unix seconds, count, latest detail)`.
    pub async fn refusal_counts(
        &self,
        order: Option<&str>,
    ) -> Result<Vec<(String, i64, i64, String)>, StoreError> {
        let sql = "SELECT kind, day, count, last_detail FROM refusals WHERE scope = $1 ORDER BY day DESC, kind LIMIT 100";
        on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(order.unwrap_or("")).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let day: i64 = row.try_get("day")?;
                out.push((row.try_get("kind")?, day * 86_400, row.try_get("count")?, row.try_get("last_detail")?));
            }
            Ok(out)
        })
    }

    /// The audit trail of an order (`None`: of no order), oldest first: `(kind, detail)`.
    pub async fn events(&self, order: Option<&str>) -> Result<Vec<(String, String)>, StoreError> {
        let (sql, bind) = match order {
            Some(reference) => (
                "SELECT kind, detail FROM events WHERE order_reference = $1 ORDER BY created_at, seq_ms, id",
                Some(reference),
            ),
            None => (
                "SELECT kind, detail FROM events WHERE order_reference IS NULL ORDER BY created_at, seq_ms, id",
                None,
            ),
        };
        on_pool!(self, pool => {
            let mut query = sqlx::query(sql);
            if let Some(reference) = bind {
                query = query.bind(reference);
            }
            let rows = query.fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push((row.try_get("kind")?, row.try_get("detail")?));
            }
            Ok(out)
        })
    }

    /// Whether the notification (transaction, status) was applied already.
    pub async fn notification_seen(&self, transaction_id: &str, status: &str) -> Result<bool, StoreError> {
        let sql =
            "SELECT COUNT(*) AS n FROM notifications WHERE transaction_id = $1 AND transaction_status = $2";
        let n: i64 = on_pool!(self, pool => sqlx::query(sql)
            .bind(transaction_id)
            .bind(status)
            .fetch_one(pool)
            .await?
            .try_get("n"))?;
        Ok(n > 0)
    }

    /// Remembers that a notification (transaction + status) was applied. Returns `false` when it
    /// was seen before (a replay).
    pub async fn remember_notification(
        &self,
        transaction_id: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        let sql = "INSERT INTO notifications (transaction_id, transaction_status, received_at) \
                   VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        let inserted = on_pool!(self, pool => sqlx::query(sql)
            .bind(transaction_id)
            .bind(status)
            .bind(now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(inserted == 1)
    }
}

mod sellers;
pub use sellers::{OrderMarketplace, SellerAccount, SellerSignup};
