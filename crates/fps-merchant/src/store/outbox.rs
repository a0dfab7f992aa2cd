//! The fulfilment webhook's outbox: events written in the transaction of the state change they
//! announce (see [`Queries::announce`]), leased to one backend at a time for delivery by a
//! conditional update, marked delivered or due again, and made due again by a replay.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::lease::LeasedTable;
use super::model::Order;
use super::{now, Backend, Queries, RowsAffected as _, Store, StoreError};
use crate::order::OrderState;
use crate::webhook::event::{announced_type, event_body, new_event_id};

/// Webhook events due a delivery attempt.
const DUE_EVENTS: LeasedTable = LeasedTable {
    table: "webhook_events",
    key: "id",
    due: "next_attempt_at",
    order: "next_attempt_at, created_at, id",
};

/// One event leased for delivery.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxEvent {
    /// The event id (`evt_...`).
    pub id: String,
    /// `order.paid`, ...
    pub kind: String,
    /// The exact body to post.
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Deliveries tried before this one.
    pub attempts: i64,
}

/// Which events a replay makes due again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// Every event created at or after this Unix second.
    Since(i64),
    /// The one event with this id.
    Event(String),
}

impl Store {
    /// Leases up to `limit` events due at `now` to `owner` until `lease_until`, one conditional
    /// update each, so any number of backends on the database deliver each event once at a time.
    pub async fn claim_webhook_events(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        match self {
            Store::Sqlite(pool) => {
                Queries::on(pool)
                    .claim_webhook_events(owner, now, lease_until, limit)
                    .await
            }
            Store::Postgres(pool) => {
                Queries::on(pool)
                    .claim_webhook_events(owner, now, lease_until, limit)
                    .await
            }
        }
    }

    /// Ends `owner`'s lease on event `id`: delivered at `at` when `next_attempt_at` is `None`
    /// and `error` too, otherwise due again at `next_attempt_at` (or never, when given up) with
    /// `error` as its last. Does nothing when the lease is no longer `owner`'s.
    pub async fn release_webhook_event(
        &self,
        id: &str,
        owner: &str,
        at: i64,
        next_attempt_at: Option<i64>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => {
                Queries::on(pool)
                    .release_webhook_event(id, owner, at, next_attempt_at, error)
                    .await
            }
            Store::Postgres(pool) => {
                Queries::on(pool)
                    .release_webhook_event(id, owner, at, next_attempt_at, error)
                    .await
            }
        }
    }

    /// Makes the events `replay` names due at `at` (delivered or given up ones included), with
    /// their attempts counted from zero again. Returns how many.
    pub async fn replay_webhook_events(&self, replay: &Replay, at: i64) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).replay_webhook_events(replay, at).await,
            Store::Postgres(pool) => Queries::on(pool).replay_webhook_events(replay, at).await,
        }
    }

    /// Events not yet delivered and still to be tried (the webhook's backlog).
    pub async fn webhook_backlog(&self) -> Result<i64, StoreError> {
        let sql = "SELECT COUNT(*) FROM webhook_events WHERE next_attempt_at IS NOT NULL";
        Ok(match self {
            Store::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
            Store::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
        })
    }

    /// The event types written for `order`, oldest first, with their ids.
    pub async fn webhook_events_of(&self, order: &str) -> Result<Vec<(String, String)>, StoreError> {
        let sql = "SELECT id, kind FROM webhook_events WHERE order_reference = $1 ORDER BY created_at, id";
        Ok(match self {
            Store::Sqlite(pool) => sqlx::query_as(sql).bind(order).fetch_all(pool).await?,
            Store::Postgres(pool) => sqlx::query_as(sql).bind(order).fetch_all(pool).await?,
        })
    }
}

impl<DB> Queries<'_, DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'r> &'r str: ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
{
    /// Inside the caller's transaction: writes the event announcing that `order` (as it is
    /// after the change) moved from `before`, if receivers hear of that change, due at once.
    pub(super) async fn announce(
        conn: &mut DB::Connection,
        before: OrderState,
        order: &Order,
    ) -> Result<(), StoreError> {
        let Some(kind) = announced_type(before, order) else {
            return Ok(());
        };
        let id = new_event_id();
        let at = now();
        sqlx::query(
            "INSERT INTO webhook_events (id, order_reference, kind, body, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(&order.reference)
        .bind(kind)
        .bind(event_body(&id, kind, at, order))
        .bind(at)
        .bind(at)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Inside the caller's transaction: the order's state before a change (locked on
    /// PostgreSQL; SQLite's writing transaction holds the database's lock).
    pub(super) async fn state_before(
        conn: &mut DB::Connection,
        reference: &str,
    ) -> Result<Option<OrderState>, StoreError> {
        let select = format!("SELECT state FROM orders WHERE reference = $1{}", DB::FOR_UPDATE);
        let state: Option<String> = sqlx::query_scalar(&select)
            .bind(reference)
            .fetch_optional(conn)
            .await?;
        state
            .map(|s| OrderState::parse(&s).ok_or_else(|| super::CorruptValue::new("state", s).into()))
            .transpose()
    }

    async fn claim_webhook_events(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        let mut won = Vec::new();
        for id in self
            .lease_due(&DUE_EVENTS, owner, now, lease_until, limit)
            .await?
        {
            let event: Option<OutboxEvent> = sqlx::query_as(
                "SELECT id, kind, body, created_at, attempts FROM webhook_events WHERE id = $1",
            )
            .bind(&id)
            .fetch_optional(self.pool)
            .await?;
            won.extend(event);
        }
        Ok(won)
    }

    async fn release_webhook_event(
        &self,
        id: &str,
        owner: &str,
        at: i64,
        next_attempt_at: Option<i64>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let delivered_at = (next_attempt_at.is_none() && error.is_none()).then_some(at);
        sqlx::query(
            "UPDATE webhook_events SET lease_owner = NULL, lease_until = NULL, attempts = attempts + 1, \
             next_attempt_at = $1, delivered_at = COALESCE($2, delivered_at), last_error = $3 \
             WHERE id = $4 AND lease_owner = $5",
        )
        .bind(next_attempt_at)
        .bind(delivered_at)
        .bind(error)
        .bind(id)
        .bind(owner)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    async fn replay_webhook_events(&self, replay: &Replay, at: i64) -> Result<u64, StoreError> {
        let set = "UPDATE webhook_events SET next_attempt_at = $1, attempts = 0, last_error = NULL, \
                   lease_owner = NULL, lease_until = NULL WHERE ";
        let changed = match replay {
            Replay::Since(since) => {
                sqlx::query(&format!("{set}created_at >= $2"))
                    .bind(at)
                    .bind(*since)
                    .execute(self.pool)
                    .await?
            }
            Replay::Event(id) => {
                sqlx::query(&format!("{set}id = $2"))
                    .bind(at)
                    .bind(id.as_str())
                    .execute(self.pool)
                    .await?
            }
        };
        Ok(changed.rows_affected())
    }
}
